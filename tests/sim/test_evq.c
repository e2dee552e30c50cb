/*
 * test_evq.c - the event queue and the run loop.
 */
#include "sim/evq.h"
#include "sim/sim.h"

#include "suites.h"

#include <check.h>
#include <stdlib.h>

struct log {
	GArray *order; /* ints recorded by handlers */
	sim_t *sim;
	sim_handle_t victim;
};

static void
record(void *ctx, void *arg)
{
	struct log *l = ctx;
	int v = GPOINTER_TO_INT(arg);
	g_array_append_val(l->order, v);
}

START_TEST(test_events_run_in_time_order)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	sim_at(l.sim, 30, record, &l, GINT_TO_POINTER(3));
	sim_at(l.sim, 10, record, &l, GINT_TO_POINTER(1));
	sim_at(l.sim, 20, record, &l, GINT_TO_POINTER(2));
	ck_assert_uint_eq(sim_run(l.sim), 3);
	ck_assert_int_eq(g_array_index(l.order, int, 0), 1);
	ck_assert_int_eq(g_array_index(l.order, int, 1), 2);
	ck_assert_int_eq(g_array_index(l.order, int, 2), 3);
	ck_assert_int_eq(sim_now(l.sim), 30);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

START_TEST(test_ties_run_in_insertion_order)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	for (int i = 0; i < 100; i++)
		sim_at(l.sim, 5, record, &l, GINT_TO_POINTER(i));
	sim_run(l.sim);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(g_array_index(l.order, int, i), i);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

static void
cancel_victim(void *ctx, void *arg)
{
	struct log *l = ctx;
	ck_assert(sim_cancel(l->sim, l->victim));
	/* Cancelling twice, or a handle that already ran, is a no-op. */
	ck_assert(!sim_cancel(l->sim, l->victim));
	record(ctx, arg);
}

START_TEST(test_cancel_inside_handler)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	sim_at(l.sim, 10, cancel_victim, &l, GINT_TO_POINTER(1));
	l.victim = sim_at(l.sim, 10, record, &l, GINT_TO_POINTER(2));
	sim_at(l.sim, 20, record, &l, GINT_TO_POINTER(3));
	ck_assert_uint_eq(sim_run(l.sim), 2);
	ck_assert_uint_eq(l.order->len, 2);
	ck_assert_int_eq(g_array_index(l.order, int, 1), 3);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

static void
cancel_self(void *ctx, void *arg)
{
	struct log *l = ctx;
	/* The running event's own handle is already stale. */
	ck_assert(!sim_cancel(l->sim, l->victim));
	record(ctx, arg);
}

START_TEST(test_cancel_own_handle_is_noop)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	l.victim = sim_at(l.sim, 10, cancel_self, &l, GINT_TO_POINTER(1));
	sim_run(l.sim);
	ck_assert_uint_eq(l.order->len, 1);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

START_TEST(test_stale_handle_cannot_touch_reused_slot)
{
	sim_evq *q = sim_evq_new();
	sim_handle_t a = sim_evq_schedule(q, 1, record, NULL, NULL);
	ck_assert(sim_evq_cancel(q, a));
	sim_handle_t b = sim_evq_schedule(q, 2, record, NULL, NULL);
	ck_assert(a != b);
	ck_assert(!sim_evq_cancel(q, a));
	ck_assert(!sim_evq_reschedule(q, a, 5));
	ck_assert(sim_evq_is_pending(q, b));
	ck_assert_int_eq(sim_evq_time_of(q, b), 2);
	sim_evq_free(q);
}
END_TEST

START_TEST(test_reschedule_moves_event_and_orders_it_last_at_its_time)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	sim_handle_t h = sim_at(l.sim, 50, record, &l, GINT_TO_POINTER(1));
	sim_at(l.sim, 20, record, &l, GINT_TO_POINTER(2));
	ck_assert(sim_evq_reschedule(l.sim->q, h, 20));
	sim_at(l.sim, 20, record, &l, GINT_TO_POINTER(3));
	sim_run(l.sim);
	ck_assert_int_eq(g_array_index(l.order, int, 0), 2);
	ck_assert_int_eq(g_array_index(l.order, int, 1), 1);
	ck_assert_int_eq(g_array_index(l.order, int, 2), 3);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

START_TEST(test_run_until_stops_at_time_and_leaves_later_events)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	sim_at(l.sim, 10, record, &l, GINT_TO_POINTER(1));
	sim_at(l.sim, 100, record, &l, GINT_TO_POINTER(2));
	sim_at(l.sim, 101, record, &l, GINT_TO_POINTER(3));
	ck_assert_uint_eq(sim_run_until(l.sim, 100), 2);
	ck_assert_int_eq(sim_now(l.sim), 100);
	ck_assert_uint_eq(sim_evq_size(l.sim->q), 1);
	ck_assert_uint_eq(l.sim->events, 2);
	ck_assert_uint_eq(sim_run_until(l.sim, 1000), 1);
	ck_assert_int_eq(sim_now(l.sim), 1000);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

/* A handler that asks to run its next step in place at each time in
 * ctx's list: only a step strictly before every pending event (and within
 * the run's limit) runs in place; the others are scheduled. */
struct inplace {
	struct log *l;
	const sim_time_t *next; /* steps still to take, ending in -1 */
	int in_place;
};

static void
step(void *ctx, void *arg)
{
	struct inplace *ip = ctx;

	for (;;) {
		g_array_append_val(ip->l->order, (int){ (int)sim_now(ip->l->sim) });
		sim_time_t t = *ip->next++;
		if (t < 0)
			return;
		if (!sim_run_in_place(ip->l->sim, t)) {
			sim_at(ip->l->sim, t, step, ip, NULL);
			return;
		}
		ip->in_place++;
	}
}

START_TEST(test_run_in_place_only_when_strictly_next)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	/* 20 is next (in place); 30 ties the pending event at 30, which
	 * runs first (scheduled); 40 is next again, 60 is past the limit. */
	static const sim_time_t steps[] = { 20, 30, 40, 60, -1 };
	struct inplace ip = { &l, steps, 0 };

	ck_assert(!sim_run_in_place(l.sim, 5)); /* not inside a run */
	sim_at(l.sim, 10, step, &ip, NULL);
	sim_at(l.sim, 30, record, &l, GINT_TO_POINTER(300));
	ck_assert_uint_eq(sim_run_until(l.sim, 50), 3);
	ck_assert_int_eq(ip.in_place, 2);
	/* perf.json's events and events_in_place: queued pops and the
	 * steps run in place, counted apart. */
	ck_assert_uint_eq(l.sim->events, 3);
	ck_assert_uint_eq(l.sim->events_in_place, 2);
	ck_assert_uint_eq(l.order->len, 5);
	ck_assert_int_eq(g_array_index(l.order, int, 0), 10);
	ck_assert_int_eq(g_array_index(l.order, int, 1), 20);
	ck_assert_int_eq(g_array_index(l.order, int, 2), 300);
	ck_assert_int_eq(g_array_index(l.order, int, 3), 30);
	ck_assert_int_eq(g_array_index(l.order, int, 4), 40);
	ck_assert_uint_eq(sim_evq_size(l.sim->q), 1); /* the step at 60 */
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

struct periodic {
	sim_t *sim;
	sim_timer tm;
	int fired;
};

static void
periodic_fire(void *ctx, void *arg)
{
	struct periodic *p = ctx;
	p->fired++;
	sim_timer_arm_in(p->sim, &p->tm, 7);
}

START_TEST(test_timer_rearms_moves_and_cancels)
{
	struct periodic p = { .sim = sim_new(1) };
	sim_timer_init(&p.tm, periodic_fire, &p, NULL);
	ck_assert(!sim_timer_is_armed(p.sim, &p.tm));
	sim_timer_arm_at(p.sim, &p.tm, 100);
	sim_timer_arm_at(p.sim, &p.tm, 10); /* moved, not duplicated */
	ck_assert_uint_eq(sim_evq_size(p.sim->q), 1);
	ck_assert_int_eq(sim_timer_expiry(p.sim, &p.tm), 10);
	sim_run_until(p.sim, 31); /* 10, 17, 24, 31 */
	ck_assert_int_eq(p.fired, 4);
	sim_timer_cancel(p.sim, &p.tm);
	ck_assert(!sim_timer_is_armed(p.sim, &p.tm));
	sim_run_until(p.sim, 1000);
	ck_assert_int_eq(p.fired, 4);
	sim_free(p.sim);
}
END_TEST

/*
 * A random mix of schedule, cancel and reschedule against a reference
 * model (a sorted array), checking the pop order exactly.
 */
struct ref_ev {
	sim_time_t t;
	uint64_t seq;
	sim_handle_t h;
	int id;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref_ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * How far ahead run _i schedules: runs 0-6 within 50 ns (one bucket of
 * the queue's wheel), runs 7-13 anywhere from the same nanosecond to an
 * hour ahead (the near heap, the wheel, past the wheel's reach).  Runs
 * 11-13 keep only a few events pending, so that the queue often has to
 * look far ahead for its next one.  Runs 14-19 schedule half their
 * events for the very instant of the last pop (the queue's same-time
 * lane) and the rest within 3 ns or anywhere (14-16) so that the lane's
 * events meet heap events of the same time, before and after them in
 * sequence; 17 and 18 run out of sequence numbers meanwhile, 19 keeps
 * few events pending.
 */
static sim_time_t
ahead(GRand *r, int run)
{
	static const gint64 spans[] = { 50, 3000000, 2000000000,
					3600000000000 };
	if (run >= 14) {
		if (g_rand_boolean(r))
			return 0;
		if (run <= 16 || g_rand_boolean(r))
			return g_rand_int_range(r, 0, 3);
		return (sim_time_t)(g_rand_double(r) * 3000000.0);
	}
	if (run < 7)
		return g_rand_int_range(r, 0, 50);
	gint64 span = spans[g_rand_int_range(r, 0, G_N_ELEMENTS(spans))];
	/* Now and then the edges of the wheel's buckets (2^20 ns; it reaches
	 * 1024 buckets ahead), near and at the end of its reach. */
	switch (g_rand_int_range(r, 0, 8)) {
	case 0:
		return (sim_time_t)g_rand_int_range(r, 0, 4) * 1048576 +
		       g_rand_int_range(r, 0, 2);
	case 1:
		return (sim_time_t)g_rand_int_range(r, 1020, 1028) * 1048576 +
		       g_rand_int_range(r, -1, 2);
	}
	return (sim_time_t)(g_rand_double(r) * (double)span);
}

/*
 * Check's ck_assert records a mark point (a write to its pipe) each time
 * it passes; in a loop of hundreds of thousands of steps, run under
 * valgrind, that was minutes of system calls.  These only act on failure.
 */
#define EXPECT(c)                                                         \
	do {                                                              \
		if (!(c))                                                 \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)
#define EXPECT_EQ(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);      \
		if (a_ != b_)                                             \
			ck_abort_msg("%s:%d: %s == %lld, %s == %lld",      \
				     __FILE__, __LINE__, #a, a_, #b, b_); \
	} while (0)

/* The earliest of the reference's events: by (time, seq). */
static guint
ref_min(GArray *ref)
{
	guint best = 0;
	for (guint k = 1; k < ref->len; k++)
		if (ref_cmp(&g_array_index(ref, struct ref_ev, k),
			    &g_array_index(ref, struct ref_ev, best)) < 0)
			best = k;
	return best;
}

START_TEST(test_random_workload_matches_reference)
{
	sim_evq *q = sim_evq_new();
	GArray *ref = g_array_new(FALSE, FALSE, sizeof(struct ref_ev));
	GRand *r = g_rand_new_with_seed(12345 + _i);
	/* Half the schedules and reschedules go through sim_evq_arm (a
	 * timer's re-arm), with the last popped event's stale handle or a
	 * pending one; its own stream, so the workload is the same. */
	GRand *r_arm = g_rand_new_with_seed(54321 + _i);
	sim_handle_t stale = SIM_HANDLE_NONE;
	/* Runs 5 and 6 run out of sequence numbers half-way through: the
	 * queue renumbers its pending events and no order may change. */
	if (_i == 5 || _i == 6 || _i == 10 || _i == 17 || _i == 18)
		sim_evq_test_set_seq(q, ((uint64_t)1 << 40) - 7000);
	uint64_t seq = 0;
	int next_id = 0;
	sim_time_t now = 0;
	gboolean sparse = (_i >= 11 && _i <= 13) || _i == 19;
	for (int step = 0; step < (sparse ? 200000 : 20000); step++) {
		int op = g_rand_int_range(r, 0, 10);
		if (sparse && ref->len > 3 && op < 5)
			op += 5;
		if (op < 5 || ref->len == 0) {
			struct ref_ev e = { now + ahead(r, _i),
					    seq++, 0, next_id++ };
			if (g_rand_boolean(r_arm)) {
				e.h = sim_evq_arm(q, stale, e.t, record, NULL,
						  GINT_TO_POINTER(e.id));
				EXPECT(e.h != stale);
			} else {
				e.h = sim_evq_schedule(q, e.t, record, NULL,
						       GINT_TO_POINTER(e.id));
			}
			g_array_append_val(ref, e);
		} else if (op < 6) {
			guint k = g_rand_int_range(r, 0, ref->len);
			struct ref_ev *e = &g_array_index(ref, struct ref_ev, k);
			EXPECT(sim_evq_cancel(q, e->h));
			g_array_remove_index(ref, k);
		} else if (op < 7) {
			guint k = g_rand_int_range(r, 0, ref->len);
			struct ref_ev *e = &g_array_index(ref, struct ref_ev, k);
			e->t = now + ahead(r, _i);
			e->seq = seq++;
			if (g_rand_boolean(r_arm))
				EXPECT_EQ(sim_evq_arm(q, e->h, e->t, record,
						      NULL, NULL), e->h);
			else
				EXPECT(sim_evq_reschedule(q, e->h, e->t));
		} else {
			guint k = ref_min(ref);
			struct ref_ev want = g_array_index(ref, struct ref_ev, k);
			g_array_remove_index_fast(ref, k);
			sim_time_t t;
			sim_event_fn fn;
			void *ctx, *arg;
			EXPECT(sim_evq_pop(q, &t, &fn, &ctx, &arg));
			EXPECT_EQ(t, want.t);
			EXPECT_EQ(GPOINTER_TO_INT(arg), want.id);
			stale = want.h;
			EXPECT_EQ(sim_evq_next_time(q),
					 ref->len ? g_array_index(ref, struct ref_ev,
						ref_min(ref)).t : SIM_TIME_MAX);
			now = t;
		}
		EXPECT_EQ(sim_evq_size(q), ref->len);
		if (ref->len) { /* time_of agrees wherever the event waits */
			struct ref_ev *e = &g_array_index(ref, struct ref_ev,
				g_rand_int_range(r, 0, ref->len));
			EXPECT_EQ(sim_evq_time_of(q, e->h), e->t);
		}
	}
	g_rand_free(r);
	g_rand_free(r_arm);
	g_array_free(ref, TRUE);
	sim_evq_free(q);
}
END_TEST

/*
 * Events scheduled at the time being run (the same-time lane) run after
 * the events of that time scheduled earlier and in the order they were
 * scheduled, also when a handler schedules more of them.
 */
static void
chain_now(void *ctx, void *arg)
{
	struct log *l = ctx;
	int v = GPOINTER_TO_INT(arg);
	g_array_append_val(l->order, v);
	if (v < 3) /* 1 and 2 schedule two more each, at once */
		for (int k = 1; k <= 2; k++)
			sim_after(l->sim, 0, chain_now, l,
				  GINT_TO_POINTER(v * 10 + k));
}

START_TEST(test_zero_delay_events_follow_heap_events_of_their_time)
{
	struct log l = { g_array_new(FALSE, FALSE, sizeof(int)), sim_new(1) };
	sim_at(l.sim, 10, chain_now, &l, GINT_TO_POINTER(1));
	sim_at(l.sim, 10, chain_now, &l, GINT_TO_POINTER(2));
	sim_at(l.sim, 10, record, &l, GINT_TO_POINTER(3));
	sim_at(l.sim, 11, record, &l, GINT_TO_POINTER(4));
	sim_run(l.sim);
	static const int want[] = { 1, 2, 3, 11, 12, 21, 22, 4 };
	ck_assert_uint_eq(l.order->len, G_N_ELEMENTS(want));
	for (guint k = 0; k < G_N_ELEMENTS(want); k++)
		ck_assert_int_eq(g_array_index(l.order, int, k), want[k]);
	g_array_free(l.order, TRUE);
	sim_free(l.sim);
}
END_TEST

/* Handles of same-time events: cancel, move away, move back in. */
START_TEST(test_zero_delay_events_cancel_and_reschedule_by_handle)
{
	sim_evq *q = sim_evq_new();
	sim_time_t t;
	sim_event_fn fn;
	void *ctx, *arg;
	sim_evq_schedule(q, 5, record, NULL, GINT_TO_POINTER(0));
	ck_assert(sim_evq_pop(q, &t, &fn, &ctx, &arg)); /* time is now 5 */
	sim_handle_t h[6];
	for (int k = 0; k < 6; k++)
		h[k] = sim_evq_schedule(q, 5, record, NULL,
					GINT_TO_POINTER(k + 1));
	sim_evq_schedule(q, 6, record, NULL, GINT_TO_POINTER(7));
	ck_assert_uint_eq(sim_evq_size(q), 7);
	ck_assert_int_eq(sim_evq_time_of(q, h[2]), 5);
	ck_assert(sim_evq_cancel(q, h[0]));           /* the lane's head */
	ck_assert(sim_evq_cancel(q, h[2]));           /* its middle */
	ck_assert(!sim_evq_cancel(q, h[2]));          /* stale now */
	ck_assert(sim_evq_reschedule(q, h[1], 6));    /* out, after 7 */
	ck_assert_int_eq(sim_evq_time_of(q, h[1]), 6);
	ck_assert(sim_evq_reschedule(q, h[3], 5));    /* to the lane's end */
	ck_assert(sim_evq_is_pending(q, h[5]));
	ck_assert_uint_eq(sim_evq_size(q), 5);
	ck_assert_int_eq(sim_evq_next_time(q), 5);
	static const int want[] = { 5, 6, 4, 7, 2 };
	for (guint k = 0; k < G_N_ELEMENTS(want); k++) {
		ck_assert(sim_evq_pop(q, &t, &fn, &ctx, &arg));
		ck_assert_int_eq(GPOINTER_TO_INT(arg), want[k]);
		ck_assert_int_eq(t, k < 3 ? 5 : 6);
	}
	ck_assert(!sim_evq_is_pending(q, h[5]));
	ck_assert_uint_eq(sim_evq_size(q), 0);
	ck_assert_int_eq(sim_evq_next_time(q), SIM_TIME_MAX);
	sim_evq_free(q);
}
END_TEST

/*
 * The lane grows while cancelled cells sit in it and keeps its order
 * and every handle; run_until leaves it alone when `until` is earlier.
 */
START_TEST(test_zero_delay_events_keep_order_across_growth)
{
	sim_evq *q = sim_evq_new();
	sim_time_t t;
	sim_event_fn fn;
	void *ctx, *arg;
	sim_handle_t h[1000];
	for (int k = 0; k < 1000; k++) {
		h[k] = sim_evq_schedule(q, 0, record, NULL, GINT_TO_POINTER(k));
		if (k % 3 == 1)
			ck_assert(sim_evq_cancel(q, h[k - 1]));
	}
	ck_assert(!sim_evq_pop_until(q, -1, &t, &fn, &ctx, &arg));
	int last = -1;
	for (int k = 0; k < 1000; k++) {
		if (k % 3 == 0 && k < 999)
			continue;
		ck_assert_int_eq(sim_evq_time_of(q, h[k]), 0);
		ck_assert(sim_evq_pop(q, &t, &fn, &ctx, &arg));
		ck_assert_int_gt(GPOINTER_TO_INT(arg), last);
		last = GPOINTER_TO_INT(arg);
		ck_assert_int_eq(last, k);
	}
	ck_assert_uint_eq(sim_evq_size(q), 0);
	sim_evq_free(q);
}
END_TEST

/*
 * An event scheduled beyond the wheel's reach (1024 buckets of 2^20 ns)
 * must come into the wheel as soon as the wheel reaches it, before an
 * event scheduled later into a later bucket can overtake it.
 */
START_TEST(test_far_event_is_not_overtaken_by_a_later_bucket)
{
	const sim_time_t B = 1048576;
	sim_evq *q = sim_evq_new();
	sim_time_t t;
	sim_event_fn fn;
	void *ctx, *arg;
	sim_evq_schedule(q, 0, record, NULL, GINT_TO_POINTER(1));
	sim_evq_schedule(q, 1025 * B, record, NULL, GINT_TO_POINTER(3));
	sim_evq_schedule(q, 3 * B, record, NULL, GINT_TO_POINTER(2));
	ck_assert(sim_evq_pop(q, &t, &fn, &ctx, &arg));
	ck_assert_int_eq(GPOINTER_TO_INT(arg), 1);
	sim_evq_schedule(q, 1026 * B, record, NULL, GINT_TO_POINTER(4));
	for (int want = 2; want <= 4; want++) {
		ck_assert(sim_evq_pop(q, &t, &fn, &ctx, &arg));
		ck_assert_int_eq(GPOINTER_TO_INT(arg), want);
	}
	ck_assert_uint_eq(sim_evq_size(q), 0);
	sim_evq_free(q);
}
END_TEST

static int shared_made, shared_freed;

static gpointer
make_shared(gpointer arg)
{
	shared_made++;
	return g_strdup(arg);
}

static void
free_shared(gpointer obj)
{
	shared_freed++;
	g_free(obj);
}

/* sim_shared: one object per key and run, freed with the run. */
START_TEST(test_shared_objects_are_one_per_key_and_run)
{
	sim_t *sim = sim_new(1);
	shared_made = shared_freed = 0;
	char *a = sim_shared(sim, "k", make_shared, "a", free_shared);
	char *b = sim_shared(sim, "k", make_shared, "b", free_shared);
	char *c = sim_shared(sim, "other", make_shared, "c", free_shared);
	ck_assert_ptr_eq(a, b);
	ck_assert_str_eq(a, "a");
	ck_assert_str_eq(c, "c");
	ck_assert_int_eq(shared_made, 2);
	ck_assert_int_eq(shared_freed, 0);
	sim_free(sim);
	ck_assert_int_eq(shared_freed, 2);
}
END_TEST

/* Times are signed: the heap's unsigned key must still order them. */
START_TEST(test_extreme_times_keep_their_order)
{
	sim_evq *q = sim_evq_new();
	static const sim_time_t ts[] = { SIM_TIME_MAX, 5, -3, 0, INT64_MIN,
					 SIM_TIME_MAX - 1, -1 };
	static const sim_time_t want[] = { INT64_MIN, -3, -1, 0, 5,
					   SIM_TIME_MAX - 1, SIM_TIME_MAX };
	for (guint i = 0; i < G_N_ELEMENTS(ts); i++)
		sim_evq_schedule(q, ts[i], record, NULL, NULL);
	ck_assert_int_eq(sim_evq_next_time(q), INT64_MIN);
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		sim_time_t t;
		sim_event_fn fn;
		void *ctx, *arg;
		ck_assert(sim_evq_pop(q, &t, &fn, &ctx, &arg));
		ck_assert_int_eq(t, want[i]);
	}
	ck_assert(!sim_evq_pop(q, NULL, NULL, NULL, NULL));
	sim_evq_free(q);
}
END_TEST

Suite *
evq_suite(void)
{
	Suite *s = suite_create("evq");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_events_run_in_time_order);
	tcase_add_test(tc, test_ties_run_in_insertion_order);
	tcase_add_test(tc, test_cancel_inside_handler);
	tcase_add_test(tc, test_run_in_place_only_when_strictly_next);
	tcase_add_test(tc, test_cancel_own_handle_is_noop);
	tcase_add_test(tc, test_stale_handle_cannot_touch_reused_slot);
	tcase_add_test(tc, test_reschedule_moves_event_and_orders_it_last_at_its_time);
	tcase_add_test(tc, test_run_until_stops_at_time_and_leaves_later_events);
	tcase_add_test(tc, test_timer_rearms_moves_and_cancels);
	tcase_add_loop_test(tc, test_random_workload_matches_reference, 0, 20);
	tcase_add_test(tc, test_zero_delay_events_follow_heap_events_of_their_time);
	tcase_add_test(tc, test_zero_delay_events_cancel_and_reschedule_by_handle);
	tcase_add_test(tc, test_zero_delay_events_keep_order_across_growth);
	tcase_add_test(tc, test_extreme_times_keep_their_order);
	tcase_add_test(tc, test_far_event_is_not_overtaken_by_a_later_bucket);
	tcase_add_test(tc, test_shared_objects_are_one_per_key_and_run);
	suite_add_tcase(s, tc);
	return s;
}
