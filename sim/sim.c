/*
 * sim.c - the clock, the run loop and the timers.
 */
#include "sim.h"

#include <stdarg.h>

struct cleanup {
	GDestroyNotify fn;
	gpointer data;
};

sim_t *
sim_new(uint64_t seed)
{
	sim_t *sim = g_new0(sim_t, 1);
	sim->q = sim_evq_new();
	sim->seed = seed;
	sim->measure_from = 0;
	sim->measure_to = SIM_TIME_MAX;
	sim->stats = sim_stats_new();
	sim->cleanups = g_ptr_array_new_with_free_func(g_free);
	return sim;
}

void
sim_free(sim_t *sim)
{
	if (!sim)
		return;
	for (guint i = sim->cleanups->len; i > 0; i--) {
		struct cleanup *c = g_ptr_array_index(sim->cleanups, i - 1);
		c->fn(c->data);
	}
	g_ptr_array_free(sim->cleanups, TRUE);
	sim_stats_free(sim->stats);
	sim_evq_free(sim->q);
	g_free(sim->scratch);
	g_free(sim->failure);
	if (sim->shared)
		g_hash_table_destroy(sim->shared);
	g_free(sim);
}

struct shared {
	gpointer obj;
	GDestroyNotify free_fn;
};

static void
shared_free(gpointer data)
{
	struct shared *s = data;
	s->free_fn(s->obj);
	g_free(s);
}

gpointer
sim_shared(sim_t *sim, const char *key, gpointer (*make)(gpointer),
	   gpointer arg, GDestroyNotify free_fn)
{
	if (!sim->shared)
		sim->shared = g_hash_table_new_full(g_str_hash, g_str_equal,
						    g_free, shared_free);
	struct shared *s = g_hash_table_lookup(sim->shared, key);
	if (!s) {
		s = g_new(struct shared, 1);
		s->obj = make(arg);
		s->free_fn = free_fn;
		g_hash_table_insert(sim->shared, g_strdup(key), s);
	}
	return s->obj;
}

void *
sim_scratch(sim_t *sim, size_t n)
{
	if (n > sim->scratch_len) {
		g_free(sim->scratch);
		sim->scratch = g_malloc(n);
		sim->scratch_len = n;
	}
	return sim->scratch;
}

void
sim_on_free(sim_t *sim, GDestroyNotify fn, gpointer data)
{
	struct cleanup *c = g_new(struct cleanup, 1);
	c->fn = fn;
	c->data = data;
	g_ptr_array_add(sim->cleanups, c);
}

sim_handle_t
sim_at(sim_t *sim, sim_time_t t, sim_event_fn fn, void *ctx, void *arg)
{
	g_assert(t >= sim->now);
	return sim_evq_schedule(sim->q, t, fn, ctx, arg);
}

sim_handle_t
sim_after(sim_t *sim, sim_time_t dt, sim_event_fn fn, void *ctx, void *arg)
{
	g_assert(dt >= 0);
	return sim_evq_schedule(sim->q, sim->now + dt, fn, ctx, arg);
}

gboolean
sim_cancel(sim_t *sim, sim_handle_t h)
{
	return sim_evq_cancel(sim->q, h);
}

void
sim_stop(sim_t *sim)
{
	sim->stopping = TRUE;
}

void
sim_fail(sim_t *sim, const char *fmt, ...)
{
	if (!sim->failure) {
		va_list ap;
		va_start(ap, fmt);
		sim->failure = g_strdup_vprintf(fmt, ap);
		va_end(ap);
	}
	sim->stopping = TRUE;
}

uint64_t
sim_run_until(sim_t *sim, sim_time_t until)
{
	uint64_t n = 0;
	sim_time_t t;
	sim_event_fn fn;
	void *ctx, *arg;

	sim->stopping = sim->failure != NULL; /* a failed run stays stopped */
	sim->running = TRUE;
	sim->until = until;
	while (!sim->stopping &&
	       sim_evq_pop_until(sim->q, until, &t, &fn, &ctx, &arg)) {
		sim->now = t;
		fn(ctx, arg);
		n++;
	}
	sim->running = FALSE;
	sim->events += n;
	if (!sim->stopping && until != SIM_TIME_MAX)
		sim->now = until;
	return n;
}

uint64_t
sim_run(sim_t *sim)
{
	return sim_run_until(sim, SIM_TIME_MAX);
}

gboolean
sim_run_in_place(sim_t *sim, sim_time_t t)
{
	if (!sim->running || sim->stopping || t < sim->now || t > sim->until ||
	    t == SIM_TIME_MAX || !sim_evq_advance(sim->q, t))
		return FALSE;
	sim->now = t;
	sim->events_in_place++;
	return TRUE;
}

gsl_rng *
sim_rng_owned(sim_t *sim, const char *component)
{
	return sim_rng_stream_new(sim->seed, component);
}

gsl_rng *
sim_rng(sim_t *sim, const char *component)
{
	gsl_rng *r = sim_rng_owned(sim, component);
	sim_on_free(sim, (GDestroyNotify)gsl_rng_free, r);
	return r;
}

void
sim_timer_init(sim_timer *tm, sim_event_fn fn, void *ctx, void *arg)
{
	tm->fn = fn;
	tm->ctx = ctx;
	tm->arg = arg;
	tm->h = SIM_HANDLE_NONE;
}

void
sim_timer_arm_at(sim_t *sim, sim_timer *tm, sim_time_t t)
{
	g_assert(t >= sim->now);
	tm->h = sim_evq_arm(sim->q, tm->h, t, tm->fn, tm->ctx, tm->arg);
}

void
sim_timer_arm_in(sim_t *sim, sim_timer *tm, sim_time_t dt)
{
	sim_timer_arm_at(sim, tm, sim->now + dt);
}

void
sim_timer_cancel(sim_t *sim, sim_timer *tm)
{
	sim_evq_cancel(sim->q, tm->h);
	tm->h = SIM_HANDLE_NONE;
}

gboolean
sim_timer_is_armed(const sim_t *sim, const sim_timer *tm)
{
	return sim_evq_is_pending(sim->q, tm->h);
}

sim_time_t
sim_timer_expiry(const sim_t *sim, const sim_timer *tm)
{
	return sim_evq_time_of(sim->q, tm->h);
}
