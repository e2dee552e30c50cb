/*
 * series.c - periodic sampling into CSV.
 */
#include "series.h"

struct sim_series {
	sim_t *sim;
	sim_csv *csv;
	sim_time_t interval;
	sim_series_fn fn;
	void *ctx;
	sim_timer tm;
	uint64_t samples;
};

static void
sample(void *ctx, void *arg)
{
	sim_series *s = ctx;
	sim_time_t t = sim_now(s->sim);
	s->fn(s->ctx, s->csv, t - s->interval, t);
	s->samples++;
	sim_timer_arm_in(s->sim, &s->tm, s->interval);
}

sim_series *
sim_series_new(sim_t *sim, const char *path, const char *const *columns,
	       sim_time_t interval, sim_series_fn fn, void *ctx, GError **error)
{
	g_assert(interval > 0);
	sim_csv *csv = sim_csv_open(path, columns, error);
	if (!csv)
		return NULL;
	sim_series *s = g_new0(sim_series, 1);
	s->sim = sim;
	s->csv = csv;
	s->interval = interval;
	s->fn = fn;
	s->ctx = ctx;
	sim_timer_init(&s->tm, sample, s, NULL);
	sim_timer_arm_at(sim, &s->tm, sim_now(sim) + interval);
	return s;
}

uint64_t
sim_series_rows(const sim_series *s)
{
	return s->samples;
}

gboolean
sim_series_finish(sim_series *s, GError **error)
{
	sim_timer_cancel(s->sim, &s->tm);
	gboolean ok = sim_csv_close(s->csv, error);
	g_free(s);
	return ok;
}

void
sim_series_abort(sim_series *s)
{
	if (!s)
		return;
	sim_timer_cancel(s->sim, &s->tm);
	sim_csv_abort(s->csv);
	g_free(s);
}
