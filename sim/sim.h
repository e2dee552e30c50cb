/*
 * sim.h - the simulation world that every model plugs into.
 *
 * A sim owns the virtual clock, the event queue, the scenario seed (from
 * which every component derives its own random stream), the registry of
 * statistics that end up in summary.json, and the measurement window.
 * There is one sim per run; sweep points run in separate processes.
 *
 * Call order: sim_new(seed) -> models register stats and schedule their
 * first events -> sim_run_until(end) -> writers read the stats ->
 * sim_free().  Models must not open files; only the writers in sim/ do.
 */
#pragma once

#include "evq.h"
#include "rng.h"
#include "stats.h"
#include "simtime.h"

typedef struct sim sim_t;

struct sim {
	sim_time_t now;
	sim_evq *q;
	uint64_t seed;
	uint64_t events;      /* events executed from the queue */
	uint64_t events_in_place; /* run in place (sim_run_in_place) */
	gboolean stopping;
	sim_time_t measure_from, measure_to; /* the measurement window */
	sim_stats *stats;
	GPtrArray *cleanups;  /* destructors run by sim_free, last first */
	GHashTable *traces;   /* name -> sim_tracepoint * (trace.h) */
	uint8_t *scratch;     /* sim_scratch() */
	size_t scratch_len;
	GHashTable *shared;   /* sim_shared() */
	char *failure;        /* sim_fail(): why the run cannot be trusted */
	gboolean running;     /* inside sim_run_until */
	sim_time_t until;     /* its limit, while running */
};

sim_t *sim_new(uint64_t seed);
void sim_free(sim_t *sim);

static inline sim_time_t
sim_now(const sim_t *sim)
{
	return sim->now;
}

/*
 * A buffer of at least n bytes for data that is used up within the
 * current event (a sink reads into it and checks the bytes); shared by
 * every model of the run, so a thousand sinks do not each keep a buffer
 * (and the caches) busy.  Valid until the next call.
 */
void *sim_scratch(sim_t *sim, size_t n);

/*
 * One object per run under a name, made by make(arg) on first use and
 * freed by free_fn with the run: read-only data many models use alike
 * (a thousand tcp_send apps send the same pattern bytes from one buffer,
 * which keeps them in the caches).
 */
gpointer sim_shared(sim_t *sim, const char *key, gpointer (*make)(gpointer),
		    gpointer arg, GDestroyNotify free_fn);

/* Run fn(ctx, arg) at absolute time t >= now. */
sim_handle_t sim_at(sim_t *sim, sim_time_t t, sim_event_fn fn, void *ctx,
		    void *arg);
/* Run fn(ctx, arg) after delay dt >= 0. */
sim_handle_t sim_after(sim_t *sim, sim_time_t dt, sim_event_fn fn, void *ctx,
		       void *arg);
gboolean sim_cancel(sim_t *sim, sim_handle_t h);

/*
 * Execute events in (time, sequence) order while their time is <= until,
 * then leave the clock at `until` (or at the last event if the queue ran
 * dry or sim_stop() was called).  Returns the number of events executed.
 */
uint64_t sim_run_until(sim_t *sim, sim_time_t until);
/* Run until the queue is empty or sim_stop(). */
uint64_t sim_run(sim_t *sim);
/*
 * Run in place.  Called by an event handler as the last thing it does, in
 * place of scheduling an event at t: if that event would be the next one
 * the run executes - t is strictly earlier than every pending event (a
 * new event loses every tie: its sequence number is the largest), within
 * the run's limit, and nothing asked the run to stop - the clock moves to
 * t and TRUE is returned, and the caller does at once what the event
 * would have done; else FALSE, and the caller schedules it.  Either way
 * the same things happen in the same order at the same times: the event
 * merely never goes through the queue (nor is counted in sim.events).
 */
gboolean sim_run_in_place(sim_t *sim, sim_time_t t);
void sim_stop(sim_t *sim);
/*
 * Something the scenario asked for could not be done (a connection that
 * cannot open): stop, and let the program report the run as failed with
 * this message rather than write results of a different experiment.
 * The first failure is kept.
 */
void sim_fail(sim_t *sim, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Register a destructor run by sim_free() (models' teardown). */
void sim_on_free(sim_t *sim, GDestroyNotify fn, gpointer data);

/* A random stream derived from (scenario seed, component name). */
gsl_rng *sim_rng(sim_t *sim, const char *component);
/* The same stream, for the caller to free (gsl_rng_free) when done: for
 * draws made once at set-up, so that a large scenario does not keep an
 * mt19937 state (5 KB) per component to the end. */
gsl_rng *sim_rng_owned(sim_t *sim, const char *component);

/* Is t inside the measurement window [measure_from, measure_to)? */
static inline gboolean
sim_in_window(const sim_t *sim, sim_time_t t)
{
	return t >= sim->measure_from && t < sim->measure_to;
}

/*
 * A re-armable timer: a callback and a pending-or-not event.  Embed it in
 * the model's struct; arm, re-arm and cancel as often as needed.  Arming
 * a pending timer moves it (O(log n)), which is what a TCP timer re-armed
 * on every ACK wants.
 */
typedef struct sim_timer {
	sim_event_fn fn;
	void *ctx, *arg;
	sim_handle_t h;
} sim_timer;

void sim_timer_init(sim_timer *tm, sim_event_fn fn, void *ctx, void *arg);
void sim_timer_arm_at(sim_t *sim, sim_timer *tm, sim_time_t t);
void sim_timer_arm_in(sim_t *sim, sim_timer *tm, sim_time_t dt);
void sim_timer_cancel(sim_t *sim, sim_timer *tm);
gboolean sim_timer_is_armed(const sim_t *sim, const sim_timer *tm);
sim_time_t sim_timer_expiry(const sim_t *sim, const sim_timer *tm);
