/* The Check suites of the engine's test program. */
#pragma once
#include <check.h>

Suite *evq_suite(void);
Suite *units_suite(void);
Suite *scenario_suite(void);
