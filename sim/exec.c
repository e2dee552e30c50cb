/*
 * exec.c - the immediate executor.
 */
#include "exec.h"

static void
run_now(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx, void *arg)
{
	(void)ex;
	(void)cost;
	fn(ctx, arg);
}

sim_exec sim_exec_immediate = { run_now, NULL };
