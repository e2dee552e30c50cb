/*
 * evq.h - the event queue: the hot path of every run.
 *
 * Events are ordered by (time, insertion sequence), so two events at the
 * same virtual time run in the order they were scheduled, on every run.
 * A scheduled event is named by a handle; cancel and reschedule by handle
 * cost O(log n).  Once its event has run or been cancelled a handle is
 * stale: every operation on it is a harmless no-op returning FALSE, and a
 * slot reused by a later event carries a new generation, so an old handle
 * can never touch somebody else's event.  Cancelling from inside any
 * handler (including the event's own) is therefore safe.
 *
 * Timers that are re-armed again and again use sim_timer (sim.h), which
 * keeps one handle and reschedules it while pending.
 */
#pragma once

#include "simtime.h"

typedef uint64_t sim_handle_t; /* 0 is "no event" */
#define SIM_HANDLE_NONE ((sim_handle_t)0)

typedef void (*sim_event_fn)(void *ctx, void *arg);

typedef struct sim_evq sim_evq;

sim_evq *sim_evq_new(void);
void sim_evq_free(sim_evq *q);

/* Schedule fn(ctx, arg) at absolute time t. */
sim_handle_t sim_evq_schedule(sim_evq *q, sim_time_t t, sim_event_fn fn,
			      void *ctx, void *arg);

/* Remove a pending event.  Returns FALSE if it was not pending. */
gboolean sim_evq_cancel(sim_evq *q, sim_handle_t h);

/*
 * Move the pending event named by h to time t; it is ordered after every
 * event already at t, as if scheduled now.  FALSE if h is not pending.
 */
gboolean sim_evq_reschedule(sim_evq *q, sim_handle_t h, sim_time_t t);
/*
 * sim_evq_reschedule(q, h, t), or if h is not pending
 * sim_evq_schedule(q, t, fn, ctx, arg): the handle of the event now at t
 * (a timer's re-arm, sim_timer_arm_at, in one call).
 */
sim_handle_t sim_evq_arm(sim_evq *q, sim_handle_t h, sim_time_t t,
			 sim_event_fn fn, void *ctx, void *arg);

gboolean sim_evq_is_pending(const sim_evq *q, sim_handle_t h);
sim_time_t sim_evq_time_of(const sim_evq *q, sim_handle_t h);

/* Number of pending events, and the earliest one's time (or SIM_TIME_MAX). */
size_t sim_evq_size(const sim_evq *q);
sim_time_t sim_evq_next_time(const sim_evq *q);
/* If t is strictly before every pending event, the clock moves to t
 * without a pop (sim_run_in_place): events scheduled for t now go to the
 * lane.  FALSE, and nothing changes, if an event is due at t or before. */
gboolean sim_evq_advance(sim_evq *q, sim_time_t t);

/*
 * Remove the earliest event and return its callback; the caller runs it.
 * Returns FALSE when the queue is empty.
 */
gboolean sim_evq_pop(sim_evq *q, sim_time_t *t, sim_event_fn *fn, void **ctx,
		     void **arg);
/* The same, but only if the earliest event's time is <= until (the run
 * loop's one call per event). */
gboolean sim_evq_pop_until(sim_evq *q, sim_time_t until, sim_time_t *t,
			   sim_event_fn *fn, void **ctx, void **arg);

/*
 * For tests: set the next insertion sequence number, to reach the point
 * where sequence numbers run out (2^40) and the queue renumbers.
 */
void sim_evq_test_set_seq(sim_evq *q, uint64_t seq);
