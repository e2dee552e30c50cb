/*
 * cpu_domain.c - inside a domain: notification handlers, timeouts, the
 * user-level thread scheduler, threads and their work; and the carnage
 * application.
 *
 * The CPU (cpu_atropos.c) decides when a domain runs; this file decides
 * what it runs.  The order is that of a Nemesis activation (REFERENCE.md
 * §3): pending notifications first, then due timeouts, then the
 * user-level thread scheduler.  A notification or timeout handler that is
 * preempted resumes where it stopped at the next activation (handlers run
 * with activations off); a thread's work that is preempted stays at the
 * head of its thread and resumes when the thread is next chosen.
 *
 * The thread scheduler (cpu_params.thread_order): by default the 1999
 * release's, a FIFO of ready threads in the order they became ready; at
 * each activation the thread that was running, if still ready, goes to
 * the back and the front one runs.  The option round_robin picks by
 * creation index, starting after the thread that ran last.  Between
 * activations, when a work item finishes, the same thread goes on while
 * it has work (it has not yielded), after any notifications and timeouts
 * that arrived meanwhile.  Blocking a thread takes effect at its next
 * pick: an item in progress is finished first.
 */
#include "cpu_var.h"

static void
workq_push(cpu_workq *q, cpu_work *w)
{
	w->next = NULL;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	q->n++;
}

static cpu_work *
workq_pop(cpu_workq *q)
{
	cpu_work *w = q->head;

	if (w) {
		q->head = w->next;
		if (!q->head)
			q->tail = NULL;
		q->n--;
		w->next = NULL;
	}
	return w;
}

static gboolean
thread_is_ready(const cpu_thread *t)
{
	return !t->blocked && t->work.n > 0;
}

static gboolean
timeout_is_due(const cpu_domain *d, sim_time_t now)
{
	return d->timeouts.head && d->timeouts.head->at <= now;
}

gboolean
cpu_dom_has_work(const cpu_domain *d, sim_time_t now)
{
	return d->cur || d->notes.n || d->ready || timeout_is_due(d, now);
}

/* The ready FIFO (kept in either order, read only by threads = fifo). */
static void
rq_append(cpu_domain *d, cpu_thread *t)
{
	t->rq_next = NULL;
	t->rq_prev = d->rq_tail;
	if (d->rq_tail)
		d->rq_tail->rq_next = t;
	else
		d->rq_head = t;
	d->rq_tail = t;
}

static void
rq_remove(cpu_domain *d, cpu_thread *t)
{
	if (t->rq_prev)
		t->rq_prev->rq_next = t->rq_next;
	else
		d->rq_head = t->rq_next;
	if (t->rq_next)
		t->rq_next->rq_prev = t->rq_prev;
	else
		d->rq_tail = t->rq_prev;
	t->rq_prev = t->rq_next = NULL;
}

/* Keep d->ready, d->ready_mask and the ready FIFO in step after t's queue
 * or blocked flag changed. */
static void
thread_changed(cpu_thread *t)
{
	gboolean is_ready = thread_is_ready(t);

	if (is_ready == t->counted)
		return;
	t->counted = is_ready;
	t->dom->ready += is_ready ? 1 : -1;
	if (t->idx < 32)
		t->dom->ready_mask ^= (guint32)1 << t->idx;
	if (is_ready)
		rq_append(t->dom, t);
	else
		rq_remove(t->dom, t);
}

sim_time_t
cpu_dom_next_timeout(const cpu_domain *d)
{
	return d->timeouts.head ? d->timeouts.head->at : SIM_TIME_MAX;
}

static cpu_thread *
uls_pick(cpu_domain *d, gboolean activation)
{
	guint n = d->threads->len, start;

	if (n == 0)
		return NULL;
	if (!activation && d->cur_thread &&
	    (d->cur_idx < 32 ? (gboolean)(d->ready_mask >> d->cur_idx & 1)
			     : thread_is_ready(d->cur_thread)))
		return d->cur_thread;
	if (d->cpu->params.thread_order == CPU_THREADS_FIFO) {
		cpu_thread *c = d->cur_thread;
		/* An activation: the thread that was running, if still
		 * ready, goes to the back. */
		if (c && c->counted && d->rq_tail != c) {
			rq_remove(d, c);
			rq_append(d, c);
		}
		if (!d->rq_head)
			return NULL;
		d->cur_thread = d->rq_head;
		d->cur_idx = d->rq_head->idx;
		return d->cur_thread;
	}
	start = d->cur_thread ? (d->cur_idx + 1) % n : 0;
	if (n <= 32) { /* round robin from start by the mask */
		guint32 m = d->ready_mask, from_start = m >> start << start;
		guint i;

		if (m == 0)
			return NULL;
		i = (guint)__builtin_ctz(from_start ? from_start : m);
		d->cur_thread = d->threads->pdata[i];
		d->cur_idx = i;
		return d->cur_thread;
	}
	for (guint k = 0; k < n; k++) {
		cpu_thread *t = d->threads->pdata[(start + k) % n];

		if (thread_is_ready(t)) {
			d->cur_thread = t;
			d->cur_idx = t->idx;
			return t;
		}
	}
	return NULL;
}

gboolean
cpu_dom_pick(cpu_domain *d, sim_time_t now, gboolean activation)
{
	cpu_thread *t;

	/* A preempted thread item goes back to being the head of its
	 * thread; a preempted handler simply continues. */
	if (d->cur && !d->cur_is_handler && activation)
		d->cur = NULL;
	if (d->cur)
		return TRUE;
	if (d->notes.n) {
		d->cur = workq_pop(&d->notes);
		d->cur_is_handler = TRUE;
		return TRUE;
	}
	if (timeout_is_due(d, now)) {
		d->cur = workq_pop(&d->timeouts);
		d->cur_is_handler = TRUE;
		return TRUE;
	}
	if ((t = uls_pick(d, activation)) != NULL) {
		d->cur = t->work.head;
		d->cur_is_handler = FALSE;
		return TRUE;
	}
	return FALSE;
}

void
cpu_dom_complete(cpu_domain *d)
{
	cpu_work *w = d->cur;

	g_assert(w && w->left == 0);
	d->cur = NULL;
	if (!d->cur_is_handler) {
		cpu_work *h = workq_pop(&d->cur_thread->work);

		g_assert(h == w);
		thread_changed(d->cur_thread);
	}
	d->acct.work_done++;
	if (w->fn)
		w->fn(w->ctx, w->arg);
	cpu_work_release(d->cpu, w);
}

static void
workq_release_all(cpu_t *cpu, cpu_workq *q)
{
	cpu_work *w;

	while ((w = workq_pop(q)) != NULL)
		cpu_work_release(cpu, w);
}

void
cpu_dom_free(cpu_domain *d)
{
	if (d->cur && d->cur_is_handler)
		cpu_work_release(d->cpu, d->cur);
	workq_release_all(d->cpu, &d->notes);
	workq_release_all(d->cpu, &d->timeouts);
	for (guint i = 0; i < d->threads->len; i++) {
		cpu_thread *t = d->threads->pdata[i];

		workq_release_all(d->cpu, &t->work);
		g_free(t->name);
		g_free(t);
	}
	g_ptr_array_free(d->threads, TRUE);
	g_free(d->name);
	g_free(d);
}

/* ---- public: threads, notifications, timeouts ---- */

static void
thread_exec_run(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx,
		void *arg)
{
	cpu_thread_submit(ex->impl, cost, fn, ctx, arg);
}

sim_exec *
cpu_thread_executor(cpu_thread *t)
{
	return &t->exec;
}

cpu_thread *
cpu_thread_new(cpu_domain *d, const char *name)
{
	cpu_thread *t = g_new0(cpu_thread, 1);

	t->exec.run = thread_exec_run;
	t->exec.impl = t;
	t->dom = d;
	t->name = g_strdup(name);
	t->idx = d->threads->len;
	g_ptr_array_add(d->threads, t);
	return t;
}

cpu_domain *
cpu_thread_domain(const cpu_thread *t)
{
	return t->dom;
}

static cpu_work *
work_new(cpu_t *cpu, sim_time_t cost, cpu_work_fn fn, void *ctx, void *arg)
{
	cpu_work *w = cpu_work_alloc(cpu);

	g_assert(cost >= 0);
	w->left = cost;
	w->fn = fn;
	w->ctx = ctx;
	w->arg = arg;
	return w;
}

void
cpu_thread_submit(cpu_thread *t, sim_time_t cost, cpu_work_fn fn, void *ctx,
		  void *arg)
{
	workq_push(&t->work, work_new(t->dom->cpu, cost, fn, ctx, arg));
	thread_changed(t);
	if (thread_is_ready(t))
		cpu_domain_wake(t->dom);
}

void
cpu_thread_submit_nopreempt(cpu_thread *t, sim_time_t cost, cpu_work_fn fn,
			    void *ctx, void *arg)
{
	cpu_work *w = work_new(t->dom->cpu, cost, fn, ctx, arg);

	w->nopreempt = TRUE;
	workq_push(&t->work, w);
	thread_changed(t);
	if (thread_is_ready(t))
		cpu_domain_wake(t->dom);
}

void
cpu_thread_block(cpu_thread *t)
{
	t->blocked = TRUE;
	thread_changed(t);
}

void
cpu_thread_unblock(cpu_thread *t)
{
	t->blocked = FALSE;
	thread_changed(t);
	if (thread_is_ready(t))
		cpu_domain_wake(t->dom);
}

gboolean
cpu_thread_is_blocked(const cpu_thread *t)
{
	return t->blocked;
}

guint
cpu_thread_backlog(const cpu_thread *t)
{
	return t->work.n;
}

void
cpu_domain_notify(cpu_domain *d, sim_time_t cost, cpu_work_fn fn, void *ctx,
		  void *arg)
{
	workq_push(&d->notes, work_new(d->cpu, cost, fn, ctx, arg));
	cpu_domain_wake(d);
}

uint64_t
cpu_domain_timeout_at(cpu_domain *d, sim_time_t at, sim_time_t cost,
		      cpu_work_fn fn, void *ctx, void *arg)
{
	cpu_work *w = work_new(d->cpu, cost, fn, ctx, arg);
	cpu_work **pp = &d->timeouts.head, *prev = NULL;

	w->at = at;
	w->id = ++d->next_timeout_id;
	/* Sorted insert, after equal times (few timeouts per domain). */
	while (*pp && (*pp)->at <= at) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	w->next = *pp;
	*pp = w;
	if (!w->next)
		d->timeouts.tail = w;
	d->timeouts.n++;
	(void)prev;
	if (d->timeouts.head == w)
		cpu_blocked_key_changed(d);
	return w->id;
}

gboolean
cpu_domain_timeout_cancel(cpu_domain *d, uint64_t id)
{
	cpu_work **pp = &d->timeouts.head, *prev = NULL;

	while (*pp && (*pp)->id != id) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return FALSE;
	cpu_work *w = *pp;
	gboolean was_head = w == d->timeouts.head;

	*pp = w->next;
	if (d->timeouts.tail == w)
		d->timeouts.tail = prev;
	d->timeouts.n--;
	cpu_work_release(d->cpu, w);
	if (was_head)
		cpu_blocked_key_changed(d);
	return TRUE;
}

/* ---- carnage ---- */

typedef struct carnage {
	cpu_thread *t;
	sim_time_t chunk;
} carnage;

static void
carnage_more(void *ctx, void *arg)
{
	carnage *c = ctx;

	cpu_thread_submit(c->t, c->chunk, carnage_more, c, NULL);
}

cpu_domain *
cpu_carnage_new(cpu_t *cpu, const char *name, const atropos_qos *qos,
		sim_time_t chunk, GError **error)
{
	cpu_domain *d = cpu_domain_new(cpu, name, qos, error);
	carnage *c;

	if (!d)
		return NULL;
	c = g_new0(carnage, 1);
	c->chunk = chunk > 0 ? chunk : 10 * SIM_MS;
	c->t = cpu_thread_new(d, "carnage");
	sim_on_free(cpu->sim, g_free, c);
	carnage_more(c, NULL);
	return d;
}
