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

/*
 * Single-threaded process: a plain free list, fed from blocks that are
 * never given back.  A closure may still be queued on a CPU when the run
 * ends; the blocks keep it reachable, so it is neither leaked nor freed
 * twice.
 */
#define CLOSURE_BLOCK 256
static struct closure *closure_free;
static GPtrArray *closure_blocks;

static struct closure *
closure_alloc(void)
{
	if (!closure_free) {
		if (!closure_blocks)
			closure_blocks = g_ptr_array_new();
		struct closure *b = g_new(struct closure, CLOSURE_BLOCK);
		g_ptr_array_add(closure_blocks, b);
		for (int i = 0; i < CLOSURE_BLOCK; i++) {
			b[i].next = closure_free;
			closure_free = &b[i];
		}
	}
	struct closure *c = closure_free;
	closure_free = c->next;
	return c;
}

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
	struct closure *c = closure_alloc();
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
