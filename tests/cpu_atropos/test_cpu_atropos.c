/*
 * test_cpu_atropos.c - the CPU scheduler's rules, one behaviour per test.
 *
 * Every test builds a fresh sim and one CPU with the "ideal" cost model
 * (no domain-switch cost unless the test asks for it), records every run
 * interval from the "cpu.<name>.runs" trace point, and checks the
 * schedule to the nanosecond.  All times are virtual.
 */
#include "cpu_atropos.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sim/series.h"
#include "sim/trace.h"
#include "suites.h"

#define MS SIM_MS
#define US SIM_US

static sim_t *sim;
static cpu_t *cpu;
static GArray *runs;   /* cpu_run_rec */
static GArray *stamps; /* sim_time_t of callbacks, in order */
static GString *order; /* names of callbacks, in order */

static void
on_run(void *ctx, sim_time_t t, const void *rec)
{
	g_array_append_vals(runs, rec, 1);
}

static int slack_order = CPU_SLACK_RELEASE; /* of the next make_cpu */
static int thread_order = CPU_THREADS_FIFO;  /* of the next make_cpu */

static cpu_t *
make_cpu(const char *name, const char *cost_model, gboolean switch_cost,
	 gboolean overbook)
{
	cpu_params p;
	cpu_t *c;

	cpu_params_default(&p);
	p.slack_order = slack_order;
	p.thread_order = thread_order;
	p.cost_model = cost_model;
	p.charge_domain_switch = switch_cost;
	p.allow_overbook = overbook;
	c = cpu_new(sim, name, &p, NULL);
	ck_assert_ptr_nonnull(c);
	sim_trace_subscribe(sim, cpu_runs_tracepoint(c), on_run, NULL);
	return c;
}

static void
setup(void)
{
	sim = sim_new(1);
	runs = g_array_new(FALSE, FALSE, sizeof(cpu_run_rec));
	stamps = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
	order = g_string_new("");
	cpu = make_cpu("cpu0", "ideal", FALSE, FALSE);
}

static void
teardown(void)
{
	sim_free(sim);
	g_array_free(runs, TRUE);
	g_array_free(stamps, TRUE);
	g_string_free(order, TRUE);
}

static atropos_qos
qos(sim_time_t p, sim_time_t s, gboolean x, sim_time_t l)
{
	atropos_qos q = {.p = p, .s = s, .x = x, .l = l ? l : p};
	return q;
}

/* A domain that always has work. */
static cpu_domain *
busy(const char *name, sim_time_t p, sim_time_t s, gboolean x)
{
	atropos_qos q = qos(p, s, x, 0);
	GError *err = NULL;
	cpu_domain *d = cpu_carnage_new(cpu, name, &q, 0, &err);

	ck_assert_msg(d != NULL, "%s", err ? err->message : "");
	return d;
}

static cpu_domain *
domain(const char *name, atropos_qos q)
{
	GError *err = NULL;
	cpu_domain *d = cpu_domain_new(cpu, name, &q, &err);

	ck_assert_msg(d != NULL, "%s", err ? err->message : "");
	return d;
}

/* Run time of `dom` in [a, b); kind -1: any kind. */
static sim_time_t
ran_in(const char *dom, int kind, sim_time_t a, sim_time_t b)
{
	sim_time_t sum = 0;

	for (guint i = 0; i < runs->len; i++) {
		cpu_run_rec *r = &g_array_index(runs, cpu_run_rec, i);
		sim_time_t lo = MAX(a, r->start), hi = MIN(b, r->end);

		if (strcmp(r->domain, dom) != 0 || hi <= lo)
			continue;
		if (kind >= 0 && (int)r->kind != kind)
			continue;
		sum += hi - lo;
	}
	return sum;
}

/* Number of separate pieces `dom` ran in [a, b) (adjacent records merge). */
static int
pieces_in(const char *dom, sim_time_t a, sim_time_t b, sim_time_t *first)
{
	int n = 0;
	sim_time_t last_end = -1;

	*first = -1;
	for (guint i = 0; i < runs->len; i++) {
		cpu_run_rec *r = &g_array_index(runs, cpu_run_rec, i);

		if (strcmp(r->domain, dom) != 0 || r->end <= a || r->start >= b)
			continue;
		if (*first < 0)
			*first = MAX(a, r->start);
		if (r->start != last_end)
			n++;
		last_end = r->end;
	}
	return n;
}

static sim_time_t
first_run_start(const char *dom)
{
	for (guint i = 0; i < runs->len; i++) {
		cpu_run_rec *r = &g_array_index(runs, cpu_run_rec, i);

		if (strcmp(r->domain, dom) == 0)
			return r->start;
	}
	return -1;
}

/* ---- recording callbacks ---- */

static void
stamp(void *ctx, void *arg)
{
	g_array_append_val(stamps, sim->now);
	if (ctx)
		g_string_append_printf(order, "%s ", (const char *)ctx);
}

typedef struct submit_ev {
	cpu_thread *t;
	sim_time_t cost;
} submit_ev;

static void
submit_now(void *ctx, void *arg)
{
	submit_ev *e = ctx;

	cpu_thread_submit(e->t, e->cost, stamp, NULL, NULL);
}

/* ---- Figure 2 ---- */

START_TEST(test_figure2_slice_of_5_in_every_period_at_varying_times_split)
{
	/* p = 10, s = 5, x = false against another contract and a hog. */
	busy("app", 10 * MS, 5 * MS, FALSE);
	busy("other", 7 * MS, 3 * MS, FALSE);
	busy("hog", 10 * MS, 0, TRUE);
	sim_run_until(sim, 1 * SIM_S);

	GHashTable *offsets = g_hash_table_new(g_int64_hash, g_int64_equal);
	int split = 0;
	static sim_time_t offs[100];

	for (int k = 0; k < 99; k++) {
		sim_time_t a = k * 10 * MS, b = a + 10 * MS, first;
		int n;

		ck_assert_int_eq(ran_in("app", -1, a, b), 5 * MS);
		ck_assert_int_eq(ran_in("app", CPU_RUN_SLACK, a, b), 0);
		n = pieces_in("app", a, b, &first);
		if (n > 1)
			split++;
		offs[k] = first - a;
		g_hash_table_add(offsets, &offs[k]);
	}
	ck_assert_int_gt(g_hash_table_size(offsets), 1);
	ck_assert_int_gt(split, 0);
	g_hash_table_destroy(offsets);
}
END_TEST

/* ---- guarantees ---- */

START_TEST(test_contracts_of_0_9_with_slack_hog_get_exact_slice_every_period)
{
	struct {
		const char *name;
		sim_time_t p, s;
	} c[] = {
	    {"d1", 10 * MS, 3 * MS},
	    {"d2", 7 * MS, 2100 * US},
	    {"d3", 3 * MS, 900 * US},
	};
	cpu_domain *d[3];

	/* First deadlines: d1 on an empty run queue now + p; the others
	 * 1 ns after the run queue's head (d1), as the release creates. */
	const sim_time_t d0[3] = {10 * MS, 10 * MS + 1, 10 * MS + 1};

	for (int i = 0; i < 3; i++)
		d[i] = busy(c[i].name, c[i].p, c[i].s, FALSE);
	busy("hog", 10 * MS, 0, TRUE);
	sim_run_until(sim, 2 * SIM_S);

	for (int i = 0; i < 3; i++) {
		cpu_domain_acct a;

		ck_assert_int_eq(ran_in(c[i].name, CPU_RUN_CONTRACTED, 0,
					d0[i]),
				 c[i].s);
		for (sim_time_t t = d0[i]; t + 2 * c[i].p <= 2 * SIM_S;
		     t += c[i].p)
			ck_assert_int_eq(ran_in(c[i].name, CPU_RUN_CONTRACTED,
						t, t + c[i].p),
					 c[i].s);
		cpu_domain_get_acct(d[i], &a);
		ck_assert_int_eq(a.deadlines_missed, 0);
	}
	/* The hog gets what is left: 10% of every hyperperiod (210 ms),
	 * to within the 1 ns by which d1's periods are out of phase. */
	sim_time_t hog = ran_in("hog", -1, d0[1], d0[1] + 9 * 210 * MS);
	ck_assert_int_le(llabs(hog - 9 * 21 * MS), 2);
	ck_assert_int_eq(ran_in("idle", -1, 0, 2 * SIM_S), 0);
}
END_TEST

START_TEST(test_x_false_domain_never_gets_more_than_its_slice)
{
	cpu_domain *d = busy("app", 10 * MS, 2 * MS, FALSE);
	cpu_domain_acct a;

	sim_run_until(sim, 100 * MS);
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(
		    ran_in("app", -1, k * 10 * MS, (k + 1) * 10 * MS), 2 * MS);
	cpu_sync(cpu);
	cpu_domain_get_acct(d, &a);
	ck_assert_int_eq(a.slack, 0);
	/* The rest of the CPU stays idle rather than go to it. */
	ck_assert_int_eq(ran_in("idle", -1, 0, 100 * MS), 80 * MS);
}
END_TEST

START_TEST(test_round_robin_slack_goes_to_x_domains_cyclically)
{
	slack_order = CPU_SLACK_ROUND_ROBIN;
	cpu = make_cpu("rr", "ideal", FALSE, FALSE);
	slack_order = CPU_SLACK_RELEASE;
	busy("contract", 10 * MS, 4 * MS, FALSE);
	busy("a", 10 * MS, 0, TRUE);
	busy("b", 10 * MS, 0, TRUE);
	busy("c", 10 * MS, 0, TRUE);
	sim_run_until(sim, 1 * SIM_S);

	const char *expect[] = {"a", "b", "c"};
	int next = -1, nslack = 0;

	for (guint i = 0; i < runs->len; i++) {
		cpu_run_rec *r = &g_array_index(runs, cpu_run_rec, i);

		if (r->kind != CPU_RUN_SLACK)
			continue;
		ck_assert_int_le(r->end - r->start, 1 * MS); /* quantum */
		if (next >= 0)
			ck_assert_str_eq(r->domain, expect[next]);
		for (int k = 0; k < 3; k++)
			if (strcmp(r->domain, expect[k]) == 0)
				next = (k + 1) % 3;
		nslack++;
	}
	ck_assert_int_gt(nslack, 100);
	/* 60% of the CPU is slack; each gets a fair part of it. */
	for (int k = 0; k < 3; k++) {
		sim_time_t got = ran_in(expect[k], CPU_RUN_SLACK, 0, SIM_S);

		ck_assert_int_ge(got, 190 * MS);
		ck_assert_int_le(got, 210 * MS);
	}
}
END_TEST

/*
 * The release's slack order, computed by hand.  a, b, c: p = 10, 20,
 * 30 ms, s = 0, x = true, always busy, created at 0 on an empty run queue
 * (d = p): the wait heap is [a10 b20 c30].  The cursor moves one entry on
 * before each probe, wrapping at the end, and every entry is x = true, so
 * each 1 ms quantum goes to the next entry of the array.  A refill takes
 * the head off (the last entry takes its place and sinks past smaller or
 * equal children) and inserts it again at the end (rising past larger
 * parents only):
 *   0..9 ms   [a10 b20 c30]: a b c a b c a b c a      (cursor on 1)
 *   10 ms     a -> d 20: [c30 b20] sinks to [b20 c30]; + a20:
 *             [b20 c30 a20]
 *   10..19    c a b c a b c a b c                      (cursor on 2)
 *   20 ms     b -> d 40: [a20 c30]; + b40: [a20 c30 b40];
 *             a -> d 30: [b40 c30] sinks to [c30 b40]; + a30:
 *             [c30 b40 a30]
 *   20..29    a c b a c b a c b a                      (cursor on 3)
 *   30 ms     c -> d 60: [a30 b40]; + c60: [a30 b40 c60];
 *             a -> d 40: [c60 b40] sinks to [b40 c60]; + a40:
 *             [b40 c60 a40]
 *   30..32    b c a
 * An equal round robin in creation order would give b, not c, at 10 ms.
 */
START_TEST(test_release_slack_follows_the_wait_heap_layout)
{
	busy("a", 10 * MS, 0, TRUE);
	busy("b", 20 * MS, 0, TRUE);
	busy("c", 30 * MS, 0, TRUE);
	sim_run_until(sim, 33 * MS);

	const char *expect = "abcabcabca" "cabcabcabc" "acbacbacba" "bca";
	GString *got = g_string_new("");

	for (guint i = 0; i < runs->len; i++) {
		cpu_run_rec *r = &g_array_index(runs, cpu_run_rec, i);

		ck_assert_int_eq(r->kind, CPU_RUN_SLACK);
		ck_assert_int_eq(r->start, (sim_time_t)got->len * MS);
		ck_assert_int_eq(r->end - r->start, 1 * MS);
		g_string_append_c(got, r->domain[0]);
	}
	ck_assert_str_eq(got->str, expect);
	g_string_free(got, TRUE);
}
END_TEST

START_TEST(test_latency_hint_zero_is_refused)
{
	GError *err = NULL;
	atropos_qos q = {.p = 10 * MS, .s = 1 * MS, .x = FALSE, .l = 0};

	ck_assert_ptr_null(cpu_domain_new(cpu, "l0", &q, &err));
	ck_assert(g_error_matches(err, SIM_ERROR, SIM_ERROR_INPUT));
	ck_assert_ptr_nonnull(strstr(err->message, "latency"));
	g_error_free(err);
}
END_TEST

/* ---- debt ---- */

typedef struct overrunner {
	cpu_thread *t;
} overrunner;

static void
keep_busy(void *ctx, void *arg)
{
	overrunner *o = ctx;

	cpu_thread_submit(o->t, 500 * US, keep_busy, o, NULL);
}

START_TEST(test_overrun_is_carried_as_debt_into_next_period)
{
	cpu_domain *d = domain("app", qos(10 * MS, 2 * MS, FALSE, 0));
	static overrunner o;

	busy("hog", 10 * MS, 0, TRUE);
	o.t = cpu_thread_new(d, "main");
	/* 1.5 ms, then 1.5 ms that cannot be preempted: the slice of 2 ms
	 * ends inside it, so the domain overruns by d = 1 ms. */
	cpu_thread_submit(o.t, 1500 * US, NULL, NULL, NULL);
	cpu_thread_submit_nopreempt(o.t, 1500 * US, keep_busy, &o, NULL);
	sim_run_until(sim, 40 * MS);

	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, 0, 10 * MS), 3 * MS);
	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, 10 * MS, 20 * MS),
			 1 * MS); /* s - d */
	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, 20 * MS, 30 * MS),
			 2 * MS); /* debt paid */
}
END_TEST

/* ---- blocking ---- */

static void
long_block_case(sim_time_t latency, sim_time_t expect_start)
{
	/* other first: its periods end at 10, 20, 30 ms (app's deadline
	 * is 1 ns after other's, as the release creates domains). */
	busy("other", 10 * MS, 7 * MS, FALSE);
	cpu_domain *a = domain("app", qos(10 * MS, 2 * MS, FALSE, latency));
	cpu_thread *t = cpu_thread_new(a, "main");
	static submit_ev e;
	cpu_domain_acct acct;

	e.t = t;
	e.cost = 5 * MS;
	sim_at(sim, 25500 * US, submit_now, &e, NULL);
	sim_run_until(sim, 40 * MS);

	cpu_domain_get_acct(a, &acct);
	ck_assert_int_eq(acct.long_blocks, 1);
	ck_assert_int_eq(acct.short_blocks, 0);
	ck_assert_int_eq(first_run_start("app"), expect_start);
	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, expect_start,
				expect_start + 2 * MS),
			 2 * MS);
	ck_assert_int_eq(ran_in("other", CPU_RUN_CONTRACTED, 20 * MS, 30 * MS),
			 7 * MS);
}

START_TEST(test_long_block_wake_with_short_latency_hint_runs_at_once)
{
	/* d = 25.5 + 3 = 28.5 ms, before the other domain's 30 ms. */
	long_block_case(3 * MS, 25500 * US);
}
END_TEST

START_TEST(test_long_block_wake_with_long_latency_hint_waits_its_turn)
{
	/* d = 25.5 + 10 = 35.5 ms: after the other domain's slice. */
	long_block_case(10 * MS, 27 * MS);
}
END_TEST

START_TEST(test_short_block_wake_keeps_remaining_and_runs_after_run_queue)
{
	cpu_domain *a = domain("app", qos(10 * MS, 4 * MS, FALSE, 0));
	cpu_thread *t = cpu_thread_new(a, "main");
	static submit_ev e;
	cpu_domain_acct acct;

	cpu_thread_submit(t, 1 * MS, stamp, NULL, NULL);
	busy("other", 10 * MS, 5 * MS, FALSE);
	e.t = t;
	e.cost = 5 * MS;
	sim_at(sim, 2 * MS, submit_now, &e, NULL);
	sim_run_until(sim, 10 * MS);

	cpu_domain_get_acct(a, &acct);
	ck_assert_int_eq(acct.short_blocks, 1);
	ck_assert_int_eq(ran_in("app", -1, 0, 1 * MS), 1 * MS);
	/* Not before the run queue's domain has had its slice ... */
	ck_assert_int_eq(ran_in("other", -1, 1 * MS, 6 * MS), 5 * MS);
	/* ... then the 3 ms it still had, as contracted time. */
	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, 6 * MS, 9 * MS),
			 3 * MS);
	ck_assert_int_eq(ran_in("app", -1, 9 * MS, 10 * MS), 0);
}
END_TEST

START_TEST(test_short_block_wake_without_remaining_waits_for_next_period)
{
	cpu_domain *a = domain("app", qos(10 * MS, 2 * MS, FALSE, 0));
	cpu_thread *t = cpu_thread_new(a, "main");
	static submit_ev e;

	cpu_thread_submit(t, 2 * MS, stamp, NULL, NULL);
	e.t = t;
	e.cost = 1 * MS;
	sim_at(sim, 4 * MS, submit_now, &e, NULL);
	sim_run_until(sim, 30 * MS);

	ck_assert_uint_eq(stamps->len, 2);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 0), 2 * MS);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 1), 11 * MS);
}
END_TEST

/* ---- idle and accounting ---- */

START_TEST(test_idle_cpu_when_nothing_runnable_and_no_events)
{
	cpu_domain *a = domain("app", qos(10 * MS, 2 * MS, TRUE, 0));
	cpu_thread *t = cpu_thread_new(a, "main");
	static submit_ev e;
	cpu_acct c1, c2;

	cpu_thread_submit(t, 1 * MS, stamp, NULL, NULL);
	e.t = t;
	e.cost = 3 * MS;
	sim_at(sim, 50 * MS, submit_now, &e, NULL);
	sim_run_until(sim, 100 * MS);
	cpu_get_acct(cpu, &c1);
	sim_run_until(sim, 10 * SIM_S);
	cpu_sync(cpu);
	cpu_get_acct(cpu, &c2);

	/* Blocked and nothing on wait: the CPU sleeps without events. */
	ck_assert_uint_eq(c1.timer_events, c2.timer_events);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 1), 53 * MS);
	ck_assert_int_eq(c2.idle, 10 * SIM_S - 4 * MS);
}
END_TEST

START_TEST(test_accounting_adds_up_to_elapsed_time_exactly)
{
	const sim_time_t end = 1234567891;
	cpu_domain *d[5];
	cpu_domain *sp = domain("sporadic", qos(10 * MS, 500 * US, TRUE, 0));
	cpu_thread *t = cpu_thread_new(sp, "main");
	static submit_ev e[50];
	sim_time_t sum = 0;
	cpu_acct ca;

	d[0] = busy("app", 10 * MS, 5 * MS, FALSE);
	d[1] = busy("other", 7 * MS, 3 * MS, FALSE);
	d[2] = busy("hog", 10 * MS, 0, TRUE);
	d[3] = sp;
	for (int i = 0; i < 50; i++) {
		e[i].t = t;
		e[i].cost = (i % 7 + 1) * 333 * US;
		sim_at(sim, i * 17 * MS + 123, submit_now, &e[i], NULL);
	}
	sim_run_until(sim, end);
	cpu_sync(cpu);
	for (int i = 0; i < 4; i++) {
		cpu_domain_acct a;

		cpu_domain_get_acct(d[i], &a);
		ck_assert_int_ge(a.waiting, 0);
		sum += a.contracted + a.slack;
	}
	cpu_get_acct(cpu, &ca);
	ck_assert_int_eq(sum + ca.idle, end);
	(void)d[4];
}
END_TEST

/* ---- admission ---- */

START_TEST(test_admission_refuses_contracts_summing_over_one)
{
	GError *err = NULL;
	atropos_qos half = qos(10 * MS, 5 * MS, FALSE, 0);
	atropos_qos tenth = qos(20 * MS, 2 * MS, FALSE, 0);

	ck_assert_ptr_nonnull(cpu_domain_new(cpu, "a", &half, NULL));
	ck_assert_ptr_nonnull(cpu_domain_new(cpu, "b", &tenth, NULL));
	ck_assert_ptr_nonnull(cpu_domain_new(cpu, "c", &tenth, NULL));
	ck_assert_ptr_nonnull(cpu_domain_new(cpu, "d", &tenth, NULL));
	ck_assert_ptr_nonnull(cpu_domain_new(cpu, "e", &tenth, NULL));
	ck_assert_ptr_nonnull(cpu_domain_new(cpu, "f", &tenth, NULL)); /* 1.0 */
	ck_assert_ptr_null(cpu_domain_new(cpu, "g", &tenth, &err));
	ck_assert(g_error_matches(err, SIM_ERROR, SIM_ERROR_INPUT));
	ck_assert_ptr_nonnull(strstr(err->message, "domain g"));
	ck_assert_ptr_nonnull(strstr(err->message, "1.1000"));
	ck_assert_ptr_nonnull(strstr(err->message, "overbook"));
	g_error_free(err);
}
END_TEST

START_TEST(test_admission_allows_overbooking_when_asked)
{
	atropos_qos big = qos(10 * MS, 8 * MS, FALSE, 0);
	cpu_t *ob = make_cpu("ob", "ideal", FALSE, TRUE);

	ck_assert_ptr_nonnull(cpu_domain_new(ob, "a", &big, NULL));
	ck_assert_ptr_nonnull(cpu_domain_new(ob, "b", &big, NULL));
}
END_TEST

START_TEST(test_slice_longer_than_period_is_refused)
{
	GError *err = NULL;
	atropos_qos bad = qos(10 * MS, 11 * MS, FALSE, 0);

	ck_assert_ptr_null(cpu_domain_new(cpu, "bad", &bad, &err));
	ck_assert(g_error_matches(err, SIM_ERROR, SIM_ERROR_INPUT));
	g_error_free(err);
}
END_TEST

/* ---- CPU charging and work ---- */

START_TEST(test_work_effects_happen_when_last_ns_is_delivered)
{
	cpu_domain *a = domain("app", qos(10 * MS, 2 * MS, FALSE, 0));
	cpu_thread *t = cpu_thread_new(a, "main");

	/* 5 ms of work at 2 ms per 10 ms: 0-2, 10-12, 20-21. */
	cpu_thread_submit(t, 5 * MS, stamp, NULL, NULL);
	sim_run_until(sim, 50 * MS);
	ck_assert_uint_eq(stamps->len, 1);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 0), 21 * MS);
}
END_TEST

START_TEST(test_domain_switch_cost_is_charged_to_incoming_domain)
{
	cpu_t *p200 = make_cpu("p200", "pentium200", TRUE, FALSE);
	sim_time_t sw = cpu_cost(p200, "domain_switch");
	atropos_qos q = qos(10 * MS, 2 * MS, FALSE, 0);
	cpu_domain *a = cpu_domain_new(p200, "app", &q, NULL);
	cpu_thread *t = cpu_thread_new(a, "main");
	cpu_domain_acct acct;

	ck_assert_int_gt(sw, 0);
	cpu_thread_submit(t, 1 * MS, stamp, NULL, NULL);
	sim_run_until(sim, 5 * MS);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 0), 1 * MS + sw);
	cpu_domain_get_acct(a, &acct);
	ck_assert_int_eq(acct.switching, sw);
	ck_assert_int_eq(acct.contracted, 1 * MS + sw);
}
END_TEST

START_TEST(test_activation_runs_notifications_then_timeouts_then_threads)
{
	cpu_domain *a = domain("app", qos(10 * MS, 5 * MS, TRUE, 0));
	cpu_thread *t = cpu_thread_new(a, "main");

	sim_run_until(sim, 1 * MS); /* app has blocked: nothing to do */
	cpu_thread_submit(t, 100 * US, stamp, "thread", NULL);
	cpu_domain_timeout_at(a, 1 * MS, 100 * US, stamp, "timeout", NULL);
	cpu_domain_notify(a, 100 * US, stamp, "note", NULL);
	sim_run_until(sim, 2 * MS);
	ck_assert_str_eq(order->str, "note timeout thread ");
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 2), 1300 * US);
}
END_TEST

START_TEST(test_timeout_wakes_blocked_domain_at_its_time)
{
	cpu_domain *a = domain("app", qos(10 * MS, 5 * MS, TRUE, 0));

	cpu_domain_timeout_at(a, 7 * MS, 200 * US, stamp, "timeout", NULL);
	uint64_t id = cpu_domain_timeout_at(a, 3 * MS, 0, stamp, "x", NULL);
	ck_assert(cpu_domain_timeout_cancel(a, id));
	sim_run_until(sim, 20 * MS);
	ck_assert_str_eq(order->str, "timeout ");
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 0), 7200 * US);
}
END_TEST

static cpu_thread *blocked_thread;

static void
release(void *ctx, void *arg)
{
	stamp(ctx, arg);
	cpu_thread_unblock(blocked_thread);
}

START_TEST(test_thread_blocked_on_event_runs_only_when_unblocked)
{
	cpu_domain *a = domain("app", qos(10 * MS, 5 * MS, TRUE, 0));
	cpu_thread *t1 = cpu_thread_new(a, "waiter");
	cpu_thread *t2 = cpu_thread_new(a, "worker");

	blocked_thread = t1;
	cpu_thread_block(t1);
	cpu_thread_submit(t1, 100 * US, stamp, "waiter", NULL);
	cpu_thread_submit(t2, 2 * MS, release, "worker", NULL);
	sim_run_until(sim, 10 * MS);
	ck_assert_str_eq(order->str, "worker waiter ");
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 1), 2100 * US);
}
END_TEST

/*
 * Deferred events (cpu_params.defer_events, the release on Intel): work
 * domain a hands to domain b wakes b only when a is descheduled.  b has a
 * short latency hint, so once woken it preempts a (long block: d = now +
 * 100 us, ahead of a's deadline).  a gets its work at 11 ms, after b's
 * first deadline (10 ms + 1 ns, 1 ns after a's, as the release creates
 * domains), so that b's wake-up is a long block: a wakes with d = 21 ms,
 * runs 1 ms whose end hands 200 us to b, then 1 ms more.
 */
static cpu_thread *peer_thread;

static void
hand_to_peer(void *ctx, void *arg)
{
	stamp(ctx, arg);
	cpu_thread_submit(peer_thread, 200 * US, stamp, "b", NULL);
}

static cpu_thread *first_thread;

static void
give_a_work(void *ctx, void *arg)
{
	cpu_thread_submit(first_thread, 1 * MS, hand_to_peer, "a1", NULL);
	cpu_thread_submit(first_thread, 1 * MS, stamp, "a2", NULL);
}

static void
cross_domain_run(gboolean defer)
{
	cpu_params p;
	cpu_params_default(&p);
	p.cost_model = "ideal";
	p.charge_domain_switch = FALSE;
	p.defer_events = defer;
	cpu_t *c = cpu_new(sim, defer ? "deferred" : "immediate", &p, NULL);
	ck_assert_ptr_nonnull(c);
	atropos_qos qa = qos(10 * MS, 3 * MS, FALSE, 0);
	atropos_qos qb = qos(500 * US, 300 * US, FALSE, 100 * US);
	cpu_domain *a = cpu_domain_new(c, "a", &qa, NULL);
	cpu_domain *b = cpu_domain_new(c, "b", &qb, NULL);
	first_thread = cpu_thread_new(a, "main");
	peer_thread = cpu_thread_new(b, "main");
	sim_at(sim, 11 * MS, give_a_work, NULL, NULL);
	sim_run_until(sim, 16 * MS);
}

START_TEST(test_deferred_event_reaches_peer_when_sender_is_descheduled)
{
	cross_domain_run(TRUE);
	ck_assert_str_eq(order->str, "a1 a2 b ");
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 1), 13 * MS);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 2), 13200 * US);
}
END_TEST

START_TEST(test_immediate_event_lets_peer_preempt_the_sender)
{
	cross_domain_run(FALSE);
	ck_assert_str_eq(order->str, "a1 b a2 ");
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 1), 12200 * US);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 2), 13200 * US);
}
END_TEST

START_TEST(test_three_contracts_and_carnage_get_exact_shares)
{
	cpu_domain *s1 = busy("s1", 10 * MS, 1 * MS, FALSE);
	cpu_domain *s2 = busy("s2", 20 * MS, 2 * MS, FALSE);
	cpu_domain *s3 = busy("s3", 20 * MS, 1 * MS, FALSE);
	cpu_domain *cg = busy("carnage", 10 * MS, 0, TRUE);

	sim->measure_from = 1 * SIM_S;
	sim->measure_to = 9 * SIM_S;
	sim_run_until(sim, 10 * SIM_S);
	ck_assert_double_eq_tol(cpu_domain_share(s1), 0.10, 1e-12);
	ck_assert_double_eq_tol(cpu_domain_share(s2), 0.10, 1e-12);
	ck_assert_double_eq_tol(cpu_domain_share(s3), 0.05, 1e-12);
	ck_assert_double_eq_tol(cpu_domain_share(cg), 0.75, 1e-12);
	ck_assert_double_eq_tol(cpu_domain_slack_share(cg), 0.75, 1e-12);
	ck_assert_double_eq_tol(cpu_idle_share(cpu), 0.0, 1e-12);
}
END_TEST

START_TEST(test_stats_register_domain_shares)
{
	double v;

	busy("s1", 10 * MS, 1 * MS, FALSE);
	busy("carnage", 10 * MS, 0, TRUE);
	cpu_register_stats(cpu);
	sim_run_until(sim, 1 * SIM_S);
	ck_assert(sim_stats_get_double(sim->stats, "domains.s1.cpu_share", &v));
	ck_assert_double_eq_tol(v, 0.1, 1e-12);
	ck_assert(sim_stats_get_double(sim->stats,
				       "domains.carnage.slack_share", &v));
	ck_assert_double_eq_tol(v, 0.9, 1e-12);
	ck_assert(sim_stats_get_double(sim->stats,
				       "domains.s1.deadlines_missed", &v));
	ck_assert_double_eq_tol(v, 0, 1e-12);
}
END_TEST

START_TEST(test_unknown_cost_model_is_an_error)
{
	cpu_params p;
	GError *err = NULL;

	cpu_params_default(&p);
	p.cost_model = "pentium2000";
	ck_assert_ptr_null(cpu_new(sim, "bad", &p, &err));
	ck_assert_ptr_nonnull(strstr(err->message, "pentium200, ideal"));
	g_error_free(err);
}
END_TEST

START_TEST(test_overbooked_cpu_counts_missed_deadlines)
{
	atropos_qos big = qos(10 * MS, 8 * MS, FALSE, 0);
	cpu_t *ob = make_cpu("ob", "ideal", FALSE, TRUE);
	cpu_domain *a = cpu_carnage_new(ob, "a", &big, 0, NULL);
	cpu_domain *b = cpu_carnage_new(ob, "b", &big, 0, NULL);
	cpu_domain_acct aa, ab;

	sim_run_until(sim, 1 * SIM_S);
	cpu_domain_get_acct(a, &aa);
	cpu_domain_get_acct(b, &ab);
	/* 1.6 of the CPU promised: most periods end with time still owed. */
	ck_assert_int_gt(aa.deadlines_missed + ab.deadlines_missed, 50);
	cpu_sync(ob);
	cpu_domain_get_acct(a, &aa);
	cpu_domain_get_acct(b, &ab);
	ck_assert_int_eq(aa.contracted + ab.contracted, 1 * SIM_S);
}
END_TEST

static sim_time_t thread_done[2];

static void
thread_step(void *ctx, void *arg)
{
	cpu_thread *t = ctx;
	int i = GPOINTER_TO_INT(arg);

	thread_done[i] += 1 * MS;
	cpu_thread_submit(t, 1 * MS, thread_step, t, arg);
}

START_TEST(test_threads_of_a_domain_take_turns_at_activations)
{
	cpu_domain *a = domain("app", qos(10 * MS, 2 * MS, FALSE, 0));
	cpu_thread *t0 = cpu_thread_new(a, "t0");
	cpu_thread *t1 = cpu_thread_new(a, "t1");

	thread_done[0] = thread_done[1] = 0;
	cpu_thread_submit(t0, 1 * MS, thread_step, t0, GINT_TO_POINTER(0));
	cpu_thread_submit(t1, 1 * MS, thread_step, t1, GINT_TO_POINTER(1));
	sim_run_until(sim, 100 * MS);
	/* 10 activations of 2 ms: the threads alternate, 10 ms each. */
	ck_assert_int_eq(thread_done[0], 10 * MS);
	ck_assert_int_eq(thread_done[1], 10 * MS);
}
END_TEST

static void
note_thread(void *ctx, void *arg)
{
	g_string_append(order, ctx);
}

/*
 * Three threads of one domain (a 5 ms slice every 10 ms) each get one
 * 1 ms item, submitted in the order t1, t0, t2, while the domain waits
 * for its first activation.  The release's threads package runs them in
 * the order they became ready: t1, t0, t2; round robin by index runs
 * t0, t1, t2.
 */
static void
threads_ready_order(int how, const char *want)
{
	thread_order = how;
	cpu_t *c = make_cpu("cpu1", "ideal", FALSE, FALSE);
	thread_order = CPU_THREADS_FIFO;
	atropos_qos q = qos(10 * MS, 5 * MS, FALSE, 0);
	cpu_domain *a = cpu_domain_new(c, "app", &q, NULL);
	ck_assert_ptr_nonnull(a);
	cpu_thread *t[3];
	for (int i = 0; i < 3; i++) {
		char name[8];
		g_snprintf(name, sizeof name, "t%d", i);
		t[i] = cpu_thread_new(a, name);
	}
	cpu_thread_submit(t[1], 1 * MS, note_thread, "1", NULL);
	cpu_thread_submit(t[0], 1 * MS, note_thread, "0", NULL);
	cpu_thread_submit(t[2], 1 * MS, note_thread, "2", NULL);
	sim_run_until(sim, 10 * MS);
	ck_assert_str_eq(order->str, want);
}

START_TEST(test_threads_run_in_the_order_they_became_ready)
{
	threads_ready_order(CPU_THREADS_FIFO, "102");
}
END_TEST

START_TEST(test_threads_round_robin_option_runs_by_index)
{
	threads_ready_order(CPU_THREADS_ROUND_ROBIN, "012");
}
END_TEST

/*
 * The rotation: a 1.5 ms slice every 10 ms; t0 has two 1 ms items, t1
 * one, ready after t0's.  t0 runs its first item and half its second
 * before the slice ends; at the next activation t0, still ready, goes
 * behind t1, so t1's item is done before t0's second (without the
 * rotation t0 would go on: "ab1").
 */
START_TEST(test_running_thread_goes_to_the_back_at_an_activation)
{
	atropos_qos q = qos(10 * MS, 3 * MS / 2, FALSE, 0);
	cpu_domain *a = domain("app", q);
	cpu_thread *t0 = cpu_thread_new(a, "t0");
	cpu_thread *t1 = cpu_thread_new(a, "t1");
	cpu_thread_submit(t0, 1 * MS, note_thread, "a", NULL);
	cpu_thread_submit(t0, 1 * MS, note_thread, "b", NULL);
	cpu_thread_submit(t1, 1 * MS, note_thread, "1", NULL);
	sim_run_until(sim, 30 * MS);
	ck_assert_str_eq(order->str, "a1b");
}
END_TEST

START_TEST(test_share_series_writes_one_row_per_domain_per_interval)
{
	char *dir = g_dir_make_tmp("nemsim-cpu-XXXXXX", NULL);
	char *path = g_build_filename(dir, "cpu.csv", NULL);
	char *text = NULL;
	sim_series *se;

	busy("s1", 10 * MS, 1 * MS, FALSE);
	busy("carnage", 10 * MS, 0, TRUE);
	se = sim_series_new(sim, path, cpu_share_series_columns, 100 * MS,
			    cpu_share_series_rows, cpu, NULL);
	ck_assert_ptr_nonnull(se);
	sim_run_until(sim, 200 * MS);
	ck_assert(sim_series_finish(se, NULL));
	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	ck_assert_str_eq(
	    text, "time_s,cpu,domain,share,contracted_share,slack_share\n"
		  "0.1,cpu0,s1,0.1,0.1,0\n"
		  "0.1,cpu0,carnage,0.9,0,0.9\n"
		  "0.1,cpu0,idle,0,0,0\n"
		  "0.2,cpu0,s1,0.1,0.1,0\n"
		  "0.2,cpu0,carnage,0.9,0,0.9\n"
		  "0.2,cpu0,idle,0,0,0\n");
	g_free(text);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}
END_TEST

START_TEST(test_refill_drops_leftover_of_domain_still_owed_time)
{
	cpu_domain *a = domain("app", qos(10 * MS, 4 * MS, FALSE, 0));
	cpu_thread *t = cpu_thread_new(a, "main");
	static submit_ev e;
	cpu_domain_acct acct;

	cpu_thread_submit(t, 1 * MS, NULL, NULL, NULL);
	busy("other", 10 * MS, 6 * MS, FALSE);
	e.t = t;
	e.cost = 50 * MS;
	sim_at(sim, 8 * MS, submit_now, &e, NULL);
	sim_run_until(sim, 30 * MS);

	/* 1 ms, block; short-block wake at 8 ms with r = 3 ms: runs 8-10,
	 * so at the refill it is still owed 1 ms.  That leftover is
	 * dropped (r = s, not r + s) and the period counts as missed. */
	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, 8 * MS, 10 * MS),
			 2 * MS);
	ck_assert_int_eq(ran_in("app", CPU_RUN_CONTRACTED, 10 * MS, 20 * MS),
			 4 * MS);
	cpu_domain_get_acct(a, &acct);
	ck_assert_int_eq(acct.deadlines_missed, 1);
}
END_TEST

START_TEST(test_thread_executor_charges_work_to_the_domain)
{
	cpu_domain *a = domain("app", qos(10 * MS, 2 * MS, FALSE, 0));
	sim_exec *ex = cpu_thread_executor(cpu_thread_new(a, "main"));

	sim_exec_run(ex, 3 * MS, stamp, "a", NULL);
	sim_exec_run(ex, 0, stamp, "b", NULL);
	sim_run_until(sim, 50 * MS);
	ck_assert_str_eq(order->str, "a b ");
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 0), 11 * MS);
	ck_assert_int_eq(g_array_index(stamps, sim_time_t, 1), 11 * MS);
}
END_TEST

static void
runs_to_csv(void *ctx, sim_time_t t, const void *rec)
{
	cpu_run_rec_to_csv(ctx, rec);
}

START_TEST(test_run_trace_writes_exact_intervals_as_csv)
{
	char *dir = g_dir_make_tmp("nemsim-cpu-XXXXXX", NULL);
	char *path = g_build_filename(dir, "runs.csv", NULL);
	sim_csv *csv = sim_csv_open(path, cpu_runs_csv_columns, NULL);
	char *text = NULL;

	ck_assert_ptr_nonnull(csv);
	sim_trace_subscribe(sim, cpu_runs_tracepoint(cpu), runs_to_csv, csv);
	/* carnage first, on wait (s = 0), so s1 is created on an empty run
	 * queue with d = 10 ms. */
	busy("carnage", 10 * MS, 0, TRUE);
	busy("s1", 10 * MS, 1 * MS, FALSE);
	sim_run_until(sim, 10 * MS + 1);
	ck_assert(sim_csv_close(csv, NULL));
	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	ck_assert_str_eq(text, "start_ns,end_ns,cpu,domain,kind\n"
			       "0,1000000,cpu0,s1,contracted\n"
			       "1000000,2000000,cpu0,carnage,slack\n"
			       "2000000,3000000,cpu0,carnage,slack\n"
			       "3000000,4000000,cpu0,carnage,slack\n"
			       "4000000,5000000,cpu0,carnage,slack\n"
			       "5000000,6000000,cpu0,carnage,slack\n"
			       "6000000,7000000,cpu0,carnage,slack\n"
			       "7000000,8000000,cpu0,carnage,slack\n"
			       "8000000,9000000,cpu0,carnage,slack\n"
			       "9000000,10000000,cpu0,carnage,slack\n");
	g_free(text);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}
END_TEST

Suite *
cpu_atropos_suite(void)
{
	Suite *s = suite_create("cpu_atropos");
	TCase *tc = tcase_create("schedule");
	TCase *tw = tcase_create("work");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(
	    tc, test_figure2_slice_of_5_in_every_period_at_varying_times_split);
	tcase_add_test(
	    tc,
	    test_contracts_of_0_9_with_slack_hog_get_exact_slice_every_period);
	tcase_add_test(tc, test_x_false_domain_never_gets_more_than_its_slice);
	tcase_add_test(tc, test_round_robin_slack_goes_to_x_domains_cyclically);
	tcase_add_test(tc, test_release_slack_follows_the_wait_heap_layout);
	tcase_add_test(tc, test_latency_hint_zero_is_refused);
	tcase_add_test(tc, test_overrun_is_carried_as_debt_into_next_period);
	tcase_add_test(
	    tc, test_long_block_wake_with_short_latency_hint_runs_at_once);
	tcase_add_test(
	    tc, test_long_block_wake_with_long_latency_hint_waits_its_turn);
	tcase_add_test(tc, test_accounting_adds_up_to_elapsed_time_exactly);
	tcase_add_test(tc, test_admission_refuses_contracts_summing_over_one);
	tcase_add_test(tc, test_admission_allows_overbooking_when_asked);
	tcase_add_test(tc, test_slice_longer_than_period_is_refused);
	tcase_add_test(tc, test_three_contracts_and_carnage_get_exact_shares);
	tcase_add_test(tc, test_stats_register_domain_shares);
	tcase_add_test(tc, test_unknown_cost_model_is_an_error);
	tcase_add_test(tc, test_overbooked_cpu_counts_missed_deadlines);
	tcase_add_test(tc,
		       test_refill_drops_leftover_of_domain_still_owed_time);
	tcase_add_test(tc, test_threads_of_a_domain_take_turns_at_activations);
	tcase_add_test(tc, test_threads_run_in_the_order_they_became_ready);
	tcase_add_test(tc, test_threads_round_robin_option_runs_by_index);
	tcase_add_test(tc, test_running_thread_goes_to_the_back_at_an_activation);
	tcase_add_test(
	    tc, test_share_series_writes_one_row_per_domain_per_interval);
	tcase_add_test(tc, test_run_trace_writes_exact_intervals_as_csv);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tw, setup, teardown);
	tcase_add_test(
	    tw, test_short_block_wake_keeps_remaining_and_runs_after_run_queue);
	tcase_add_test(
	    tw, test_short_block_wake_without_remaining_waits_for_next_period);
	tcase_add_test(tw, test_idle_cpu_when_nothing_runnable_and_no_events);
	tcase_add_test(tw, test_work_effects_happen_when_last_ns_is_delivered);
	tcase_add_test(tw,
		       test_domain_switch_cost_is_charged_to_incoming_domain);
	tcase_add_test(
	    tw, test_activation_runs_notifications_then_timeouts_then_threads);
	tcase_add_test(tw, test_timeout_wakes_blocked_domain_at_its_time);
	tcase_add_test(tw,
		       test_thread_blocked_on_event_runs_only_when_unblocked);
	tcase_add_test(tw, test_thread_executor_charges_work_to_the_domain);
	tcase_add_test(
	    tw, test_deferred_event_reaches_peer_when_sender_is_descheduled);
	tcase_add_test(tw, test_immediate_event_lets_peer_preempt_the_sender);
	suite_add_tcase(s, tw);
	return s;
}
