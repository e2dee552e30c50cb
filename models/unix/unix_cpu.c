/*
 * unix_cpu.c - a CPU with a kernel level that preempts a user level.
 *
 * Work items carry their remaining cost.  The running item completes
 * after its remaining cost unless kernel work arrives while a user item
 * runs: then the user item is put back at the head of the user queue
 * with what it has left, and the kernel item runs.  Kernel items never
 * preempt each other (interrupt handlers of one priority run to
 * completion, in arrival order).
 */
#include "unix.h"

enum { LVL_KERNEL, LVL_USER, NLEVELS };

struct uwork {
	sim_time_t left;
	sim_event_fn fn;
	void *ctx, *arg;
	struct uwork *next;
};

struct level_exec {
	sim_exec ex;
	unix_cpu *cpu;
	int level;
};

struct unix_cpu {
	sim_t *sim;
	struct uwork *head[NLEVELS], *tail[NLEVELS];
	struct uwork *cur;
	int cur_level;
	sim_time_t started;
	sim_timer done;
	sim_time_t busy[NLEVELS];
	struct level_exec execs[NLEVELS];
	struct uwork *free_list;
};

static void start_next(unix_cpu *c);

static void
push_back(unix_cpu *c, int lvl, struct uwork *w)
{
	w->next = NULL;
	if (c->tail[lvl])
		c->tail[lvl]->next = w;
	else
		c->head[lvl] = w;
	c->tail[lvl] = w;
}

static void
push_front(unix_cpu *c, int lvl, struct uwork *w)
{
	w->next = c->head[lvl];
	c->head[lvl] = w;
	if (!c->tail[lvl])
		c->tail[lvl] = w;
}

static void
account(unix_cpu *c)
{
	sim_time_t now = sim_now(c->sim);
	c->busy[c->cur_level] += now - c->started;
	c->cur->left -= now - c->started;
	c->started = now;
}

/* The next item, if any, becomes the current one from now. */
static gboolean
take_next(unix_cpu *c)
{
	for (int lvl = 0; lvl < NLEVELS; lvl++) {
		struct uwork *w = c->head[lvl];
		if (!w)
			continue;
		c->head[lvl] = w->next;
		if (!c->head[lvl])
			c->tail[lvl] = NULL;
		c->cur = w;
		c->cur_level = lvl;
		c->started = sim_now(c->sim);
		return TRUE;
	}
	return FALSE;
}

/*
 * An item completes.  When the next item's completion is the very next
 * event of the run it is run in place (sim_run_in_place), without going
 * through the event queue: the same completions at the same times.
 */
static void
work_done(void *ctx, void *arg)
{
	unix_cpu *c = ctx;
	sim_time_t t;

	do {
		struct uwork *w = c->cur;
		account(c);
		c->cur = NULL;
		sim_event_fn fn = w->fn;
		void *wctx = w->ctx, *warg = w->arg;
		w->next = c->free_list;
		c->free_list = w;
		fn(wctx, warg);
		if (c->cur || !take_next(c))
			return; /* fn started the next item, or none is left */
		t = sim_now(c->sim) + c->cur->left;
	} while (sim_run_in_place(c->sim, t));
	sim_timer_arm_at(c->sim, &c->done, t);
}

static void
start_next(unix_cpu *c)
{
	if (take_next(c))
		sim_timer_arm_in(c->sim, &c->done, c->cur->left);
}

static void
level_run(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx, void *arg)
{
	struct level_exec *le = (struct level_exec *)ex;
	unix_cpu *c = le->cpu;
	struct uwork *w = c->free_list;
	if (w)
		c->free_list = w->next;
	else
		w = g_new(struct uwork, 1);
	g_assert(cost >= 0);
	w->left = cost;
	w->fn = fn;
	w->ctx = ctx;
	w->arg = arg;
	push_back(c, le->level, w);
	if (!c->cur) {
		start_next(c);
	} else if (le->level == LVL_KERNEL && c->cur_level == LVL_USER) {
		/* Preempt the user item; it resumes with what it has left. */
		account(c);
		sim_timer_cancel(c->sim, &c->done);
		push_front(c, LVL_USER, c->cur);
		c->cur = NULL;
		start_next(c);
	}
}

static void
cpu_free(gpointer data)
{
	unix_cpu *c = data;
	for (int l = 0; l < NLEVELS; l++)
		for (struct uwork *w = c->head[l], *n; w; w = n) {
			n = w->next;
			g_free(w);
		}
	g_free(c->cur);
	for (struct uwork *w = c->free_list, *n; w; w = n) {
		n = w->next;
		g_free(w);
	}
	g_free(c);
}

unix_cpu *
unix_cpu_new(sim_t *sim)
{
	unix_cpu *c = g_new0(unix_cpu, 1);
	c->sim = sim;
	sim_timer_init(&c->done, work_done, c, NULL);
	for (int l = 0; l < NLEVELS; l++) {
		c->execs[l].ex.run = level_run;
		c->execs[l].ex.impl = c;
		c->execs[l].cpu = c;
		c->execs[l].level = l;
	}
	sim_on_free(sim, cpu_free, c);
	return c;
}

sim_exec *
unix_cpu_kernel(unix_cpu *c)
{
	return &c->execs[LVL_KERNEL].ex;
}

sim_exec *
unix_cpu_user(unix_cpu *c)
{
	return &c->execs[LVL_USER].ex;
}

void
unix_cpu_times(unix_cpu *c, sim_time_t *kernel, sim_time_t *user,
	       sim_time_t *idle)
{
	sim_time_t b[NLEVELS] = { c->busy[0], c->busy[1] };
	if (c->cur)
		b[c->cur_level] += sim_now(c->sim) - c->started;
	*kernel = b[LVL_KERNEL];
	*user = b[LVL_USER];
	*idle = sim_now(c->sim) - b[0] - b[1];
}
