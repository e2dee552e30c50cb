/*
 * bench_evq.c - the classic "hold" benchmark of event-set implementations
 * (Vaucher & Duval 1975; Jones, CACM 1986): keep n events pending; each
 * step pops the earliest and schedules a new one at now + an exponential
 * increment.  Reported in million hold operations (events) per second,
 * for our queue driven through the full sim run loop (handler reschedules
 * itself), for the bare queue API, and for a bare binary heap of times as
 * the yardstick.  Increments come from a precomputed table so that the
 * random number generator is not what is measured.
 *
 * Usage: bench_evq [--quick] [--json FILE]
 */
#include "sim/evq.h"
#include "sim/rng.h"
#include "sim/sim.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define NINC 65536

static sim_time_t inc[NINC];
static unsigned inc_i;

static inline sim_time_t
next_inc(void)
{
	return inc[inc_i++ & (NINC - 1)];
}

static double
wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The yardstick: a bare binary min-heap of int64 times. */
static sim_time_t *bh;
static size_t bh_n;

static void
bh_push(sim_time_t t)
{
	size_t i = bh_n++;
	while (i > 0 && bh[(i - 1) / 2] > t) {
		bh[i] = bh[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	bh[i] = t;
}

static sim_time_t
bh_pop(void)
{
	sim_time_t top = bh[0], last = bh[--bh_n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= bh_n)
			break;
		if (c + 1 < bh_n && bh[c + 1] < bh[c])
			c++;
		if (bh[c] >= last)
			break;
		bh[i] = bh[c];
		i = c;
	}
	bh[i] = last;
	return top;
}

static double
run_bare_heap(size_t n, uint64_t ops)
{
	bh = g_new(sim_time_t, n + 1);
	bh_n = 0;
	for (size_t i = 0; i < n; i++)
		bh_push(next_inc());
	double t0 = wall();
	for (uint64_t k = 0; k < ops; k++) {
		sim_time_t now = bh_pop();
		bh_push(now + next_inc());
	}
	double dt = wall() - t0;
	g_free(bh);
	return ops / dt / 1e6;
}

static void
noop(void *ctx, void *arg)
{
}

static double
run_queue_api(size_t n, uint64_t ops)
{
	sim_evq *q = sim_evq_new();
	for (size_t i = 0; i < n; i++)
		sim_evq_schedule(q, next_inc(), noop, NULL, NULL);
	sim_time_t t;
	sim_event_fn fn;
	void *ctx, *arg;
	double t0 = wall();
	for (uint64_t k = 0; k < ops; k++) {
		sim_evq_pop(q, &t, &fn, &ctx, &arg);
		sim_evq_schedule(q, t + next_inc(), fn, ctx, arg);
	}
	double dt = wall() - t0;
	sim_evq_free(q);
	return ops / dt / 1e6;
}

struct hold {
	sim_t *sim;
	uint64_t left;
};

static void
hold_event(void *ctx, void *arg)
{
	struct hold *h = ctx;
	if (h->left == 0) {
		sim_stop(h->sim);
		return;
	}
	h->left--;
	sim_after(h->sim, next_inc(), hold_event, h, NULL);
}

static double
run_sim_loop(size_t n, uint64_t ops)
{
	struct hold h = { .sim = sim_new(1), .left = ops };
	for (size_t i = 0; i < n; i++)
		sim_at(h.sim, next_inc(), hold_event, &h, NULL);
	double t0 = wall();
	uint64_t done = sim_run(h.sim);
	double dt = wall() - t0;
	sim_free(h.sim);
	return done / dt / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of 5 runs. */
static double
median5(double (*f)(size_t, uint64_t), size_t n, uint64_t ops)
{
	double r[5];
	for (int i = 0; i < 5; i++)
		r[i] = f(n, ops);
	qsort(r, 5, sizeof r[0], cmp_double);
	return r[2];
}

int
main(int argc, char **argv)
{
	gboolean quick = FALSE;
	const char *json = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = TRUE;
		else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json = argv[++i];
	}
	gsl_rng *r = sim_rng_stream_new(42, "bench.hold");
	for (int i = 0; i < NINC; i++)
		inc[i] = 1 + (sim_time_t)sim_rng_exponential(r, 1e6);
	gsl_rng_free(r);

	static const size_t sizes[] = { 16, 1024, 4096, 65536 };
	uint64_t ops = quick ? 200000 : 4000000;
	GString *js = g_string_new("{\n  \"benchmark\": \"evq_hold\",\n"
				   "  \"unit\": \"million events per second\",\n"
				   "  \"median_of\": 5,\n  \"results\": [\n");
	printf("hold model, median of 5 runs of %" G_GUINT64_FORMAT
	       " events (M events/s)\n", ops);
	printf("%8s %12s %12s %12s\n", "pending", "sim loop", "queue API",
	       "bare heap");
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		double a = median5(run_sim_loop, sizes[i], ops);
		double b = median5(run_queue_api, sizes[i], ops);
		double c = median5(run_bare_heap, sizes[i], ops);
		printf("%8zu %12.2f %12.2f %12.2f\n", sizes[i], a, b, c);
		g_string_append_printf(js,
			"    {\"pending\": %zu, \"sim_loop\": %.2f, "
			"\"queue_api\": %.2f, \"bare_heap\": %.2f}%s\n",
			sizes[i], a, b, c,
			i + 1 < G_N_ELEMENTS(sizes) ? "," : "");
	}
	g_string_append(js, "  ]\n}\n");
	if (json)
		g_file_set_contents(json, js->str, -1, NULL);
	g_string_free(js, TRUE);
	return 0;
}
