/*
 * test_atropos_core.c - the shared Atropos mechanism on its own: EDF
 * order, both refill rules, catch-up of overdue entries, the slack ring
 * and the admission sum.  No CPU, no simulation.
 */
#include "atropos_core.h"

#include <check.h>
#include <string.h>

#include "suites.h"

static atropos_qos
qos(sim_time_t p, sim_time_t s, gboolean x)
{
	atropos_qos q = {.p = p, .s = s, .x = x, .l = p};
	return q;
}

START_TEST(test_run_queue_is_earliest_deadline_first_fifo_on_ties)
{
	atropos_sched s;
	atropos_client a, b, c, d;
	atropos_qos q = qos(10, 5, FALSE);

	atropos_sched_init(&s);
	atropos_client_init(&s, &a, &q, "a");
	atropos_client_init(&s, &b, &q, "b");
	atropos_client_init(&s, &c, &q, "c");
	atropos_client_init(&s, &d, &q, "d");
	a.r = b.r = c.r = d.r = 5;
	a.d = 30;
	b.d = 10;
	c.d = 20;
	d.d = 10; /* same deadline as b, queued later */
	atropos_enqueue_by_remain(&s, &a);
	atropos_enqueue_by_remain(&s, &b);
	atropos_enqueue_by_remain(&s, &c);
	atropos_enqueue_by_remain(&s, &d);
	ck_assert_ptr_eq(atropos_run_head(&s), &b);
	atropos_remove(&s, &b);
	ck_assert_ptr_eq(atropos_run_head(&s), &d);
	atropos_remove(&s, &d);
	ck_assert_ptr_eq(atropos_run_head(&s), &c);
	atropos_remove(&s, &c);
	ck_assert_ptr_eq(atropos_run_head(&s), &a);
	atropos_sched_clear(&s);
}
END_TEST

START_TEST(test_charge_moves_exhausted_client_to_wait_keeping_deadline)
{
	atropos_sched s;
	atropos_client a;
	atropos_qos q = qos(10, 5, FALSE);

	atropos_sched_init(&s);
	atropos_client_init(&s, &a, &q, "a");
	a.r = 5;
	a.d = 10;
	atropos_enqueue_by_remain(&s, &a);
	ck_assert(!atropos_charge(&s, &a, 4));
	ck_assert_int_eq(a.qstate, ATROPOS_Q_RUN);
	ck_assert(atropos_charge(&s, &a, 3));
	ck_assert_int_eq(a.qstate, ATROPOS_Q_WAIT);
	ck_assert_int_eq(a.r, -2);
	ck_assert_int_eq(a.d, 10);
	ck_assert_int_eq(atropos_next_refill(&s, NULL), 10);
	atropos_sched_clear(&s);
}
END_TEST

START_TEST(test_cpu_refill_drops_leftover_and_carries_debt)
{
	atropos_sched s;
	atropos_client pos, neg;
	atropos_qos q = qos(10, 4, FALSE);

	atropos_sched_init(&s);
	atropos_client_init(&s, &pos, &q, "pos");
	atropos_client_init(&s, &neg, &q, "neg");
	pos.r = 3;
	neg.r = -1;
	pos.d = neg.d = 10;
	atropos_enqueue(&s, &s.wait, &pos, 10);
	atropos_enqueue(&s, &s.wait, &neg, 10);
	ck_assert_uint_eq(atropos_refill(&s, 10, ATROPOS_REFILL_DROP_LEFTOVER,
					 NULL, NULL, NULL),
			  2);
	ck_assert_int_eq(pos.r, 4); /* leftover 3 dropped */
	ck_assert_int_eq(neg.r, 3); /* debt 1 carried */
	ck_assert_int_eq(pos.d, 20);
	ck_assert_int_eq(pos.qstate, ATROPOS_Q_RUN);
	atropos_sched_clear(&s);
}
END_TEST

START_TEST(test_tx_refill_adds_slice_without_clamp)
{
	atropos_sched s;
	atropos_client a;
	atropos_qos q = qos(10, 4, FALSE);

	atropos_sched_init(&s);
	atropos_client_init(&s, &a, &q, "a");
	a.r = 3;
	a.d = 10;
	atropos_enqueue(&s, &s.wait, &a, 10);
	atropos_refill(&s, 10, ATROPOS_REFILL_ADD, NULL, NULL, NULL);
	ck_assert_int_eq(a.r, 7);
	atropos_sched_clear(&s);
}
END_TEST

START_TEST(test_overdue_entry_catches_up_in_one_pass)
{
	atropos_sched s;
	atropos_client a;
	atropos_qos q = qos(10, 4, FALSE);

	atropos_sched_init(&s);
	atropos_client_init(&s, &a, &q, "a");
	a.r = -10;
	a.d = 100;
	atropos_enqueue(&s, &s.wait, &a, a.d);
	/* 125: periods ending 100, 110, 120 are over: -10 -> -6 -> -2 -> 2 */
	ck_assert_uint_eq(atropos_refill(&s, 125, ATROPOS_REFILL_DROP_LEFTOVER,
					 NULL, NULL, NULL),
			  3);
	ck_assert_int_eq(a.r, 2);
	ck_assert_int_eq(a.d, 130);
	ck_assert_int_eq(a.qstate, ATROPOS_Q_RUN);
	atropos_sched_clear(&s);
}
END_TEST

static gboolean
on_wait(void *ctx, const atropos_client *c)
{
	return c->qstate == ATROPOS_Q_WAIT;
}

START_TEST(test_slack_ring_is_cyclic_and_skips_ineligible)
{
	atropos_sched s;
	atropos_client a, b, c, n;
	atropos_qos qx = qos(10, 0, TRUE), qn = qos(10, 0, FALSE);

	atropos_sched_init(&s);
	atropos_client_init(&s, &a, &qx, "a");
	atropos_client_init(&s, &n, &qn, "n"); /* x = false: not in ring */
	atropos_client_init(&s, &b, &qx, "b");
	atropos_client_init(&s, &c, &qx, "c");
	atropos_enqueue(&s, &s.wait, &a, 10);
	atropos_enqueue(&s, &s.wait, &b, 10);
	atropos_enqueue(&s, &s.wait, &c, 10);
	atropos_enqueue(&s, &s.wait, &n, 10);
	ck_assert_ptr_eq(atropos_slack_pick(&s, on_wait, NULL), &a);
	ck_assert_ptr_eq(atropos_slack_pick(&s, on_wait, NULL), &b);
	ck_assert_ptr_eq(atropos_slack_pick(&s, on_wait, NULL), &c);
	ck_assert_ptr_eq(atropos_slack_pick(&s, on_wait, NULL), &a);
	atropos_remove(&s, &b); /* not eligible any more */
	ck_assert_ptr_eq(atropos_slack_pick(&s, on_wait, NULL), &c);
	ck_assert_ptr_eq(atropos_slack_pick(&s, on_wait, NULL), &a);
	atropos_sched_clear(&s);
}
END_TEST

static gboolean
not_named_skip(void *ctx, const atropos_client *c)
{
	return strcmp(c->owner, "skip") != 0;
}

/* The wait bitmap spans several words, wraps around, and survives a
 * client leaving the ring (positions shift). */
START_TEST(test_slack_pick_over_many_clients_wraps_and_survives_removal)
{
	atropos_sched s;
	atropos_client cl[150];
	atropos_qos qx = qos(10, 0, TRUE);

	atropos_sched_init(&s);
	for (int i = 0; i < 150; i++)
		atropos_client_init(&s, &cl[i], &qx,
				    i == 100 ? "skip" : "x");
	atropos_enqueue(&s, &s.wait, &cl[3], 10);
	atropos_enqueue(&s, &s.wait, &cl[70], 10);
	atropos_enqueue(&s, &s.wait, &cl[100], 10); /* fn says no */
	atropos_enqueue(&s, &s.run, &cl[120], 10);  /* not on wait */
	atropos_enqueue(&s, &s.wait, &cl[140], 10);
	ck_assert_ptr_eq(atropos_slack_pick(&s, not_named_skip, NULL), &cl[3]);
	ck_assert_ptr_eq(atropos_slack_pick(&s, not_named_skip, NULL), &cl[70]);
	ck_assert_ptr_eq(atropos_slack_pick(&s, not_named_skip, NULL), &cl[140]);
	ck_assert_ptr_eq(atropos_slack_pick(&s, not_named_skip, NULL), &cl[3]);
	atropos_client_fini(&s, &cl[10]); /* 70 and 140 move down one */
	ck_assert_ptr_eq(atropos_slack_pick(&s, not_named_skip, NULL), &cl[70]);
	atropos_remove(&s, &cl[140]);
	ck_assert_ptr_eq(atropos_slack_pick(&s, not_named_skip, NULL), &cl[3]);
	atropos_remove(&s, &cl[3]);
	atropos_remove(&s, &cl[70]);
	ck_assert_ptr_null(atropos_slack_pick(&s, not_named_skip, NULL));
	atropos_sched_clear(&s);
}
END_TEST

START_TEST(test_admission_sum_is_exact)
{
	atropos_util u;
	atropos_qos third = qos(3 * SIM_MS, 1 * SIM_MS, FALSE);
	atropos_qos tiny = qos(SIM_S, 1, FALSE);

	atropos_util_init(&u);
	atropos_util_add(&u, &third);
	atropos_util_add(&u, &third);
	atropos_util_add(&u, &third);
	ck_assert(!atropos_util_exceeds_one(&u)); /* exactly 1 */
	atropos_util_add(&u, &tiny);
	ck_assert(atropos_util_exceeds_one(&u)); /* 1 + 1e-9 */
}
END_TEST

Suite *
atropos_core_suite(void)
{
	Suite *s = suite_create("atropos_core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc,
		       test_run_queue_is_earliest_deadline_first_fifo_on_ties);
	tcase_add_test(
	    tc, test_charge_moves_exhausted_client_to_wait_keeping_deadline);
	tcase_add_test(tc, test_cpu_refill_drops_leftover_and_carries_debt);
	tcase_add_test(tc, test_tx_refill_adds_slice_without_clamp);
	tcase_add_test(tc, test_overdue_entry_catches_up_in_one_pass);
	tcase_add_test(tc, test_slack_ring_is_cyclic_and_skips_ineligible);
	tcase_add_test(
	    tc, test_slack_pick_over_many_clients_wraps_and_survives_removal);
	tcase_add_test(tc, test_admission_sum_is_exact);
	suite_add_tcase(s, tc);
	return s;
}
