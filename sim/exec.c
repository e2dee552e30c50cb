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

struct closure {
	sim_event_fn fn;
	void *ctx, *arg;
	sim_exec_tracked *t;
	struct closure *next;
};

/* Single-threaded process: a plain free list. */
static struct closure *closure_free;

static void
tracked_step(void *c_, void *unused)
{
	struct closure *c = c_;
	sim_exec_tracked *t = c->t;
	sim_event_fn fn = c->fn;
	void *ctx = c->ctx, *arg = c->arg;
	c->next = closure_free;
	closure_free = c;
	sim_exec *prev = *t->current;
	*t->current = &t->ex;
	fn(ctx, arg);
	*t->current = prev;
}

static void
tracked_run(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx,
	    void *arg)
{
	sim_exec_tracked *t = (sim_exec_tracked *)ex;
	struct closure *c = closure_free;
	if (c)
		closure_free = c->next;
	else
		c = g_new(struct closure, 1);
	c->fn = fn;
	c->ctx = ctx;
	c->arg = arg;
	c->t = t;
	sim_exec_run(t->inner, cost, tracked_step, c, NULL);
}

void
sim_exec_tracked_init(sim_exec_tracked *t, sim_exec *inner, sim_exec **current)
{
	t->ex.run = tracked_run;
	t->ex.impl = t;
	t->inner = inner;
	t->current = current;
}
