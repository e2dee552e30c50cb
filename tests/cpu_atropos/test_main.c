/*
 * test_main.c - runs the Check suites of models/cpu_atropos.
 */
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	SRunner *sr = srunner_create(atropos_core_suite());
	int failed;

	srunner_add_suite(sr, cpu_atropos_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
