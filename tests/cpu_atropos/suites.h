/* The Check suites of the cpu_atropos test program. */
#pragma once
#include <check.h>

Suite *atropos_core_suite(void);
Suite *cpu_atropos_suite(void);
