/*
 * exec.h - "charge this work to my domain": where models meet the CPU.
 *
 * Code that runs on a modelled CPU (protocol processing, an application's
 * loop) does not call the CPU model directly: it runs its steps through an
 * executor, which delivers `cost` ns of CPU time to whatever the executor
 * stands for (a thread of a Nemesis domain under Atropos, a Unix kernel's
 * interrupt level, a user process) and then calls fn(ctx, arg) at the
 * virtual time the last nanosecond was delivered.  Steps submitted to one
 * executor run in order.  A test can use sim_exec_immediate, which runs
 * every step at once, as if the CPU were infinitely fast.
 */
#pragma once

#include "sim.h"

typedef struct sim_exec sim_exec;

struct sim_exec {
	void (*run)(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx,
		    void *arg);
	void *impl;
};

static inline void
sim_exec_run(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx,
	     void *arg)
{
	ex->run(ex, cost, fn, ctx, arg);
}

/* An executor that runs fn at once, whatever the cost. */
extern sim_exec sim_exec_immediate;

/*
 * A tracked executor: runs its steps on `inner` and, while a step's
 * function runs, points *current at itself.  A host uses it to know on
 * whose behalf code is running when a layer below calls back (TCP's
 * output hook charges the segment's cost to the executor that was
 * running tcp_output: the receiver thread for an ACK-clocked send, the
 * application thread for a send call).
 */
typedef struct sim_exec_tracked {
	sim_exec ex;
	sim_exec *inner;
	sim_exec **current;
} sim_exec_tracked;

void sim_exec_tracked_init(sim_exec_tracked *t, sim_exec *inner,
			   sim_exec **current);
