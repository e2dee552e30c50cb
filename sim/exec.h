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
