/*
 * test_main.c - runs the Check suites of the engine.
 */
#include "suites.h"

#include <stdlib.h>

int
main(void)
{
	SRunner *sr = srunner_create(evq_suite());
	srunner_add_suite(sr, units_suite());
	srunner_add_suite(sr, scenario_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
