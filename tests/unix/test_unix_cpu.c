/*
 * test_unix_cpu.c - the two-level CPU of a Unix host: kernel work runs
 * first and preempts user work, which resumes with what it had left.
 */
#include "models/unix/unix.h"

#include <check.h>
#include <stdlib.h>

struct done_log {
	sim_t *sim;
	GArray *t;   /* completion times */
	GArray *id;  /* which item */
};

static void
done(void *ctx, void *arg)
{
	struct done_log *l = ctx;
	sim_time_t now = sim_now(l->sim);
	int id = GPOINTER_TO_INT(arg);
	g_array_append_val(l->t, now);
	g_array_append_val(l->id, id);
}

static struct done_log
log_new(void)
{
	struct done_log l = { sim_new(1), g_array_new(FALSE, FALSE, sizeof(sim_time_t)),
			      g_array_new(FALSE, FALSE, sizeof(int)) };
	return l;
}

static void
log_free(struct done_log *l)
{
	g_array_free(l->t, TRUE);
	g_array_free(l->id, TRUE);
	sim_free(l->sim);
}

struct kick {
	unix_cpu *cpu;
	struct done_log *l;
};

static void
kernel_arrives(void *ctx, void *arg)
{
	struct kick *k = ctx;
	sim_exec_run(unix_cpu_kernel(k->cpu), 30 * SIM_US, done, k->l,
		     GINT_TO_POINTER(2));
}

START_TEST(test_kernel_preempts_user_which_resumes)
{
	struct done_log l = log_new();
	unix_cpu *cpu = unix_cpu_new(l.sim);
	/* User work of 100 us from 0; an interrupt's 30 us arrives at 40 us:
	 * the kernel item ends at 70 us, the user item at 130 us. */
	sim_exec_run(unix_cpu_user(cpu), 100 * SIM_US, done, &l,
		     GINT_TO_POINTER(1));
	struct kick k = { cpu, &l };
	sim_at(l.sim, 40 * SIM_US, kernel_arrives, &k, NULL);
	sim_run(l.sim);
	ck_assert_uint_eq(l.t->len, 2);
	ck_assert_int_eq(g_array_index(l.id, int, 0), 2);
	ck_assert_int_eq(g_array_index(l.t, sim_time_t, 0), 70 * SIM_US);
	ck_assert_int_eq(g_array_index(l.id, int, 1), 1);
	ck_assert_int_eq(g_array_index(l.t, sim_time_t, 1), 130 * SIM_US);
	sim_time_t kt, ut, it;
	unix_cpu_times(cpu, &kt, &ut, &it);
	ck_assert_int_eq(kt, 30 * SIM_US);
	ck_assert_int_eq(ut, 100 * SIM_US);
	ck_assert_int_eq(kt + ut + it, sim_now(l.sim));
	log_free(&l);
}
END_TEST

START_TEST(test_kernel_items_run_first_and_in_order)
{
	struct done_log l = log_new();
	unix_cpu *cpu = unix_cpu_new(l.sim);
	sim_exec_run(unix_cpu_user(cpu), 10 * SIM_US, done, &l, GINT_TO_POINTER(1));
	sim_exec_run(unix_cpu_user(cpu), 10 * SIM_US, done, &l, GINT_TO_POINTER(2));
	/* Queued while user item 1 runs: they go before user item 2, in
	 * arrival order, and never preempt each other. */
	sim_exec_run(unix_cpu_kernel(cpu), 5 * SIM_US, done, &l, GINT_TO_POINTER(3));
	sim_exec_run(unix_cpu_kernel(cpu), 5 * SIM_US, done, &l, GINT_TO_POINTER(4));
	sim_run(l.sim);
	static const int want[] = { 3, 4, 1, 2 };
	static const sim_time_t at[] = { 5, 10, 20, 30 };
	ck_assert_uint_eq(l.id->len, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(g_array_index(l.id, int, i), want[i]);
		ck_assert_int_eq(g_array_index(l.t, sim_time_t, i), at[i] * SIM_US);
	}
	log_free(&l);
}
END_TEST

START_TEST(test_idle_cpu_accounts_idle_time)
{
	struct done_log l = log_new();
	unix_cpu *cpu = unix_cpu_new(l.sim);
	sim_run_until(l.sim, SIM_MS);
	sim_time_t kt, ut, it;
	unix_cpu_times(cpu, &kt, &ut, &it);
	ck_assert_int_eq(kt + ut, 0);
	ck_assert_int_eq(it, SIM_MS);
	log_free(&l);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("unix_cpu");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_kernel_preempts_user_which_resumes);
	tcase_add_test(tc, test_kernel_items_run_first_and_in_order);
	tcase_add_test(tc, test_idle_cpu_accounts_idle_time);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
