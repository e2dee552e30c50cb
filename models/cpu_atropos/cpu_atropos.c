/*
 * cpu_atropos.c - a modelled CPU running domains under Atropos, the
 * Nemesis CPU scheduler, as the 1999 release's kernel does it
 * (REFERENCE.md §1; ntsc/generic/atropos.c).
 *
 * Design.  Each domain is an atropos_client (atropos_core.h): QoS
 * (p, s, x, l), deadline d, remaining contracted time r.  It sits on one
 * of three queues: run (r > 0, by d), wait (by d) or blocked (by its
 * earliest timeout).  A domain woken from a short block with r > 0 is
 * "unblocked": on the wait queue, marked (slack = release, as the
 * release's kernel keeps it), or on a queue of its own (round_robin).
 * The CPU makes a scheduling pass (cpu_schedule) at every scheduling
 * point, in the order of the release's ksched_scheduler:
 *
 *   1. Deschedule the domain that ran for `ran` since run_start.  If it
 *      ran in contracted time, r -= ran; if r <= 0 (and it does not
 *      block) it moves to wait, keeping d; the release takes it off its
 *      queue and inserts it again, which matters for the heap's layout.
 *      Time it ran as slack is accounted but not taken from r.  If it has
 *      nothing left to do it blocks, with the timeout of its earliest
 *      pending timeout.
 *   2. Refill every wait (and unblocked) entry with d <= now: r = s if
 *      r > 0 else r + s (debt carried, leftover dropped), d += p, onto
 *      run if r > 0 else wait; an entry overdue by several periods
 *      catches up in the same pass (atropos_refill,
 *      ATROPOS_REFILL_DROP_LEFTOVER).
 *   3. Wake-ups, after the refill as in the release: domains woken by an
 *      event since the last pass, then blocked domains whose timeout has
 *      come.  Long block (d < now): d = now + l, r = s, onto run (or wait
 *      if s = 0).  Short block: keep d and r; if r > 0 unblocked, else
 *      onto wait.
 *   4. Choose: the run-queue head (earliest deadline first) for up to r;
 *      else an unblocked domain, for up to r (charged to r as contracted
 *      time): the first found scanning the wait queue's heap array
 *      (release), or the earliest deadline (round_robin); else slack for
 *      the slack quantum (1 ms in the release), not charged to r: the
 *      release's cursor over the wait queue's heap array gives it to the
 *      next entry with x = true (atropos_slack_pick_heap), so shares of
 *      slack follow the heap's layout, not an equal split; round_robin
 *      gives it to the x = true domains in turn in creation order
 *      (atropos_slack_pick); else idle.  A chosen domain with nothing to
 *      do (just created, or its threads all blocked) blocks at once and
 *      the choice is made again.
 *   5. The next scheduling point is min(now + granted time, earliest
 *      deadline on wait or unblocked, earliest blocked timeout); a wake-up
 *      by an event (packet, timer, another domain) makes one at once.
 *
 * Between scheduling points the chosen domain's work advances in virtual
 * time: one timer is armed at min(next scheduling point, completion of
 * the work item in progress).  When an item's last nanosecond has been
 * delivered its callback runs - at that very instant - and the domain
 * picks its next item (cpu_domain.c); a domain with nothing left blocks,
 * which is also a scheduling point.  Preemption just leaves the item with
 * its remaining cost.  When the CPU changes domain, the incoming domain is
 * first charged the cost table's domain_switch (if enabled), during which
 * its work does not advance.
 *
 * Deferred events (cpu_params.defer_events, on by default).  On Intel the
 * 1999 release does not make a system call for an event send: the sender
 * appends it to its DCB (outevs, lib/nemesis Events$Advance) and
 * ksched_scheduler sends the queued events when it next deschedules the
 * sender.  So work one domain hands another (a packet the driver puts on
 * an application's receive channel, a frame an application puts on its
 * transmit channel, a freed channel slot) wakes the receiver only when
 * the sender blocks, its grant ends or something else makes a pass: the
 * sender is not preempted by the domain it just woke.  Here a wake-up
 * made from a callback of the running domain's work is put on `woken`
 * without a kick (counted as deferred_events); the next pass unblocks it.
 *
 * Wake-ups and new domains ask for a pass at the same instant (kick):
 * inside the dispatch loop (a callback woke a domain of this CPU) the
 * loop makes it before returning; from outside (a packet, a timer,
 * another CPU) an event at now makes it, so everything that happens at
 * that instant - a new domain and its first work, several notifications -
 * is in place before the activation.
 *
 * Deadlines missed: a domain misses its deadline d when it is runnable
 * with r > 0 at d, i.e. its slice for the period was finished late, it
 * blocked owing time after d, or it was refilled still owed time.  Each
 * period counts at most once.  Under admitted contracts this stays 0
 * except for "unblocked" domains, which are served after the run queue.
 *
 * Accounting: every nanosecond of the CPU's life is either idle or run
 * time of exactly one domain, as contracted or slack time (the switch
 * overhead is part of the incoming domain's run time), so the sum over
 * domains plus idle equals elapsed time exactly.
 */
#include "cpu_var.h"

#include <string.h>

void
cpu_params_default(cpu_params *p)
{
	memset(p, 0, sizeof(*p));
	p->cost_model = "pentium200";
	p->slack_quantum = 1 * SIM_MS; /* BESTEFFORT quantum, 1999 release */
	p->charge_domain_switch = TRUE;
	p->allow_overbook = FALSE;
	p->defer_events = TRUE; /* outevs, Intel 1999 release */
	p->slack_order = CPU_SLACK_RELEASE;
	p->thread_order = CPU_THREADS_FIFO;
}

static inline gboolean
is_release(const cpu_t *cpu)
{
	return cpu->params.slack_order == CPU_SLACK_RELEASE;
}

void
cpu_qos_default(atropos_qos *q)
{
	/* Ordinary programs in the release: slack only. */
	q->p = 10 * SIM_MS;
	q->s = 0;
	q->x = TRUE;
	q->l = 10 * SIM_MS;
}

const char *
cpu_run_kind_name(cpu_run_kind k)
{
	switch (k) {
	case CPU_RUN_IDLE:
		return "idle";
	case CPU_RUN_CONTRACTED:
		return "contracted";
	case CPU_RUN_SLACK:
		return "slack";
	}
	return "?";
}

/* ---- work items ---- */

cpu_work *
cpu_work_alloc(cpu_t *cpu)
{
	cpu_work *w = cpu->free_work;

	if (w)
		cpu->free_work = w->next;
	else
		w = g_new(cpu_work, 1);
	memset(w, 0, sizeof(*w));
	return w;
}

void
cpu_work_release(cpu_t *cpu, cpu_work *w)
{
	w->next = cpu->free_work;
	cpu->free_work = w;
}

/* ---- accounting ---- */

static sim_time_t
window_overlap(const sim_t *sim, sim_time_t a, sim_time_t b)
{
	sim_time_t lo = MAX(a, sim->measure_from);
	sim_time_t hi = MIN(b, sim->measure_to);

	return hi > lo ? hi - lo : 0;
}

/* Account [acct_from, now) to whatever the CPU is doing. */
static void
acct_close(cpu_t *cpu, sim_time_t now)
{
	sim_time_t a = cpu->acct_from, len = now - a, w;
	cpu_domain *d = cpu->cur;

	if (len <= 0)
		return;
	w = window_overlap(cpu->sim, a, now);
	if (!d) {
		cpu->acct.idle += len;
		cpu->win_idle += w;
	} else if (cpu->kind == CPU_RUN_CONTRACTED) {
		d->acct.contracted += len;
		d->win_contracted += w;
	} else {
		d->acct.slack += len;
		d->win_slack += w;
	}
	cpu->acct_from = now;
}

static void
runnable_close(cpu_domain *d, sim_time_t now)
{
	if (now > d->runnable_since) {
		d->runnable += now - d->runnable_since;
		d->win_runnable +=
		    window_overlap(d->cpu->sim, d->runnable_since, now);
	}
	d->runnable_since = now;
}

/*
 * Every open interval ends at now.  A second call at the same time has
 * nothing to close (whatever changed since opened its interval at now),
 * so it returns at once: summary.json reads several figures of every
 * domain, each through here.
 */
void
cpu_sync(cpu_t *cpu)
{
	sim_time_t now = sim_now(cpu->sim);

	if (cpu->synced_at == now)
		return;
	cpu->synced_at = now;
	acct_close(cpu, now);
	for (guint i = 0; i < cpu->domains->len; i++) {
		cpu_domain *d = cpu->domains->pdata[i];

		if (!d->blocked)
			runnable_close(d, now);
	}
}

/* The current period's deadline was missed (counted once per period). */
static void
note_miss(cpu_domain *d)
{
	if (d->missed_d != d->ac.d) {
		d->missed_d = d->ac.d;
		d->acct.deadlines_missed++;
	}
}

static void
count_miss(cpu_domain *d, sim_time_t now)
{
	if (now > d->ac.d)
		note_miss(d);
}

/* ---- queues: block and wake ---- */

/* d->unblocked, with the CPU's count of marked domains kept with it. */
static inline void
set_unblocked(cpu_t *cpu, cpu_domain *d, gboolean v)
{
	if (d->unblocked != v) {
		cpu->n_unblocked += v ? 1 : -1;
		d->unblocked = v;
	}
}

static void
dom_block(cpu_t *cpu, cpu_domain *d, sim_time_t now)
{
	atropos_remove(&cpu->at, &d->ac);
	atropos_enqueue(&cpu->at, &cpu->blocked, &d->ac,
			cpu_dom_next_timeout(d));
	runnable_close(d, now);
	d->blocked = TRUE;
	set_unblocked(cpu, d, FALSE);
}

/* The long- and short-block rules, at time now. */
static void
dom_unblock(cpu_t *cpu, cpu_domain *d, sim_time_t now)
{
	atropos_client *c = &d->ac;

	atropos_remove(&cpu->at, c);
	d->blocked = FALSE;
	d->woken = FALSE;
	d->runnable_since = now;
	d->acct.wakeups++;
	if (c->d < now) {
		/* Long block: the old period is over; a fresh one whose
		 * deadline is the latency hint away. */
		d->acct.long_blocks++;
		c->d = now + c->qos.l;
		c->r = c->qos.s;
		atropos_enqueue_by_remain(&cpu->at, c);
	} else {
		/* Short block: keep d and r.  Time still owed is served,
		 * but only after the run queue ("unblocked"). */
		d->acct.short_blocks++;
		if (c->r > 0 && !is_release(cpu))
			atropos_enqueue(&cpu->at, &cpu->unblocked, c, c->d);
		else
			atropos_enqueue(&cpu->at, &cpu->at.wait, c, c->d);
		set_unblocked(cpu, d, c->r > 0);
	}
}

static void cpu_dispatch(cpu_t *cpu);

/* When the timer is due: the next scheduling point or the completion of
 * the item in progress, whichever is first. */
static sim_time_t
timer_due(const cpu_t *cpu)
{
	sim_time_t t = cpu->point;
	const cpu_domain *d = cpu->cur;

	if (d && d->cur) {
		sim_time_t done = cpu->progress_at + d->cur->left;

		/* A critical section defers every scheduling point. */
		t = d->cur->nopreempt && d->cur->left > 0 ? done : MIN(t, done);
	}
	return t;
}

static void
arm_timer(cpu_t *cpu)
{
	sim_time_t t = timer_due(cpu);

	if (t == SIM_TIME_MAX)
		sim_timer_cancel(cpu->sim, &cpu->tm);
	else if (!sim_timer_is_armed(cpu->sim, &cpu->tm) ||
		 sim_timer_expiry(cpu->sim, &cpu->tm) != t)
		sim_timer_arm_at(cpu->sim, &cpu->tm, t);
}

/*
 * Ask for a scheduling pass at this instant.  Inside the dispatch loop the
 * loop does it; otherwise an event at now does, so that everything that
 * happens at this instant (a packet and the notification it causes, a new
 * domain and its first work) is in place before the domain is activated.
 */
static void
kick(cpu_t *cpu)
{
	sim_time_t now = sim_now(cpu->sim);

	cpu->need_resched = TRUE;
	if (cpu->in_dispatch)
		return;
	if (!sim_timer_is_armed(cpu->sim, &cpu->tm) ||
	    sim_timer_expiry(cpu->sim, &cpu->tm) != now)
		sim_timer_arm_at(cpu->sim, &cpu->tm, now);
}

void
cpu_domain_wake(cpu_domain *d)
{
	cpu_t *cpu = d->cpu;

	if (!d->blocked || d->woken)
		return;
	d->woken = TRUE;
	g_ptr_array_add(cpu->woken, d);
	/* Sent by the running domain's work: delivered when it is next
	 * descheduled (the pass that deschedules it unblocks d). */
	if (cpu->params.defer_events && cpu->completing &&
	    cpu->completing != d) {
		cpu->acct.deferred_events++;
		return;
	}
	kick(cpu);
}

void
cpu_blocked_key_changed(cpu_domain *d)
{
	cpu_t *cpu = d->cpu;
	sim_time_t t = cpu_dom_next_timeout(d);

	if (!d->blocked || d->woken)
		return;
	atropos_requeue_key(&cpu->at, &d->ac, t);
	if (t < cpu->point) {
		/* An earlier wake-up time: a scheduling point. */
		cpu->point = MAX(t, sim_now(cpu->sim));
		if (!cpu->in_dispatch)
			arm_timer(cpu);
	}
}

/* ---- the scheduling pass ---- */

static void
emit_run(cpu_t *cpu, sim_time_t now)
{
	cpu_run_rec rec;

	if (!sim_trace_is_on(&cpu->runs_tp) || now <= cpu->run_start)
		return;
	rec.cpu = cpu->name;
	rec.domain = cpu->cur ? cpu->cur->name : "idle";
	rec.start = cpu->run_start;
	rec.end = now;
	rec.kind = cpu->cur ? cpu->kind : CPU_RUN_IDLE;
	sim_trace_emit(&cpu->runs_tp, now, &rec);
}

static void
deschedule(cpu_t *cpu, sim_time_t now, gboolean blocking)
{
	cpu_domain *d = cpu->cur;
	atropos_client *c;
	sim_time_t ran = now - cpu->run_start;

	acct_close(cpu, now);
	emit_run(cpu, now);
	cpu->cur = NULL;
	if (!d)
		return;
	c = &d->ac;
	if (cpu->switch_end > cpu->run_start)
		d->acct.switching += MIN(cpu->switch_end, now) - cpu->run_start;
	if (cpu->kind == CPU_RUN_CONTRACTED) {
		c->r -= ran;
		if (c->r <= 0 || blocking)
			count_miss(d, now);
		if (c->r <= 0 && !blocking && is_release(cpu)) {
			/* The release: off its queue and in again. */
			atropos_remove(&cpu->at, c);
			atropos_enqueue(&cpu->at, &cpu->at.wait, c, c->d);
			set_unblocked(cpu, d, FALSE);
		} else if (c->r <= 0 && c->qstate != ATROPOS_Q_WAIT) {
			/* Contracted time used up: wait for the next
			 * period, keeping d (also out of "unblocked"). */
			atropos_remove(&cpu->at, c);
			atropos_enqueue(&cpu->at, &cpu->at.wait, c, c->d);
		}
	}
	if (blocking)
		dom_block(cpu, d, now);
}

static void
on_refill(void *ctx, atropos_client *c, sim_time_t now)
{
	cpu_domain *d = c->owner;

	/* Refilled while owed time: it was runnable and not served. */
	if (c->r > 0)
		note_miss(d);
	set_unblocked(ctx, d, FALSE); /* a new period: run or wait */
}

static gboolean
slack_eligible(void *ctx, const atropos_client *c)
{
	return c->qstate == ATROPOS_Q_WAIT;
}

/* The release's cursor asks only for the extra flag. */
static gboolean
slack_eligible_heap(void *ctx, const atropos_client *c)
{
	return c->qos.x;
}

/* Release: the first unblocked domain in the wait queue's heap array.
 * With none marked anywhere the answer is none, without the walk (which
 * touched every waiting domain: at a thousand slack-only domains, a fifth
 * of the run loop's L1 data misses for a scan that never found one). */
static atropos_client *
unblocked_scan(cpu_t *cpu)
{
	if (cpu->n_unblocked == 0)
		return NULL;
	for (guint i = 0; i < atropos_queue_len(&cpu->at.wait); i++) {
		atropos_client *c = atropos_wait_nth(&cpu->at, i);

		if (((cpu_domain *)c->owner)->unblocked)
			return c;
	}
	return NULL;
}

/* Step 4: returns the chosen client (NULL: idle) and sets kind, grant. */
static atropos_client *
choose(cpu_t *cpu, cpu_run_kind *kind, sim_time_t *grant)
{
	atropos_client *c;

	gboolean rel = is_release(cpu);

	if ((c = atropos_run_head(&cpu->at)) != NULL) {
		*kind = CPU_RUN_CONTRACTED;
		*grant = c->r;
	} else if ((c = rel ? unblocked_scan(cpu)
			    : atropos_queue_head(&cpu->unblocked)) != NULL) {
		*kind = CPU_RUN_CONTRACTED;
		*grant = c->r;
	} else if ((c = rel ? atropos_slack_pick_heap(&cpu->at,
						      slack_eligible_heap, cpu)
			    : atropos_slack_pick(&cpu->at, slack_eligible,
						 cpu))) {
		*kind = CPU_RUN_SLACK;
		*grant = cpu->params.slack_quantum;
	} else {
		*kind = CPU_RUN_IDLE;
		*grant = SIM_TIME_MAX;
	}
	return c;
}

static void
cpu_schedule(cpu_t *cpu, sim_time_t now, gboolean blocking)
{
	atropos_client *c;
	cpu_run_kind kind;
	sim_time_t grant, point, t;

	cpu->acct.decisions++;

	/* 1. deschedule */
	deschedule(cpu, now, blocking);

	/* 2. refill */
	atropos_queue *extra = is_release(cpu) ? NULL : &cpu->unblocked;
	atropos_refill(&cpu->at, now, ATROPOS_REFILL_DROP_LEFTOVER, extra,
		       on_refill, cpu);

	/* 3. wake-ups by events, then by timeouts */
	for (guint i = 0; i < cpu->woken->len; i++) {
		cpu_domain *d = cpu->woken->pdata[i];

		if (d->woken)
			dom_unblock(cpu, d, now);
	}
	g_ptr_array_set_size(cpu->woken, 0);
	while ((c = atropos_queue_head(&cpu->blocked)) && c->key <= now)
		dom_unblock(cpu, c->owner, now);

	/* 4. choose; a domain with nothing to do blocks at once */
	for (;;) {
		c = choose(cpu, &kind, &grant);
		if (!c || cpu_dom_has_work(c->owner, now))
			break;
		dom_block(cpu, c->owner, now);
	}

	/* 5. next scheduling point */
	point = grant == SIM_TIME_MAX ? SIM_TIME_MAX : now + grant;
	point = MIN(point, atropos_next_refill(&cpu->at, extra));
	if (atropos_queue_head(&cpu->blocked)) {
		t = atropos_queue_head(&cpu->blocked)->key;
		point = MIN(point, t);
	}
	cpu->point = point;

	/* activate */
	cpu->kind = kind;
	cpu->run_start = cpu->acct_from = now;
	cpu->switch_end = cpu->progress_at = now;
	if (!c)
		return;
	cpu_domain *d = c->owner;

	cpu->cur = d;
	if (d != cpu->last) {
		cpu->acct.switches++;
		cpu->last = d;
		if (cpu->params.charge_domain_switch)
			cpu->switch_end = cpu->progress_at =
			    now + *cpu->c_switch;
	}
	d->acct.activations++;
	if (!cpu_dom_pick(d, now, TRUE))
		g_assert_not_reached();
}

/* Deliver CPU time to the item in progress, up to now. */
static void
progress(cpu_t *cpu, sim_time_t now)
{
	cpu_domain *d = cpu->cur;

	if (!d || now <= cpu->progress_at)
		return;
	g_assert(d->cur != NULL);
	g_assert(now - cpu->progress_at <= d->cur->left);
	d->cur->left -= now - cpu->progress_at;
	cpu->progress_at = now;
}

static void
cpu_dispatch(cpu_t *cpu)
{
	sim_time_t now = sim_now(cpu->sim);

	g_assert(!cpu->in_dispatch);
	cpu->in_dispatch = TRUE;
	for (;;) {
		cpu_domain *d = cpu->cur;
		gboolean blocking = FALSE;

		progress(cpu, now);
		if (d) {
			while (d->cur && d->cur->left == 0 &&
			       now >= cpu->progress_at) {
				cpu->completing = d;
				cpu_dom_complete(d);
				cpu->completing = NULL;
				cpu_dom_pick(d, now, FALSE);
			}
			blocking = d->cur == NULL;
		}
		if (d && !blocking && d->cur->nopreempt && d->cur->left > 0)
			break; /* inside a critical section */
		if (blocking || cpu->need_resched || now >= cpu->point) {
			cpu->need_resched = FALSE;
			cpu_schedule(cpu, now, blocking);
			continue;
		}
		break;
	}
	cpu->in_dispatch = FALSE;
}

/*
 * The timer.  A busy CPU's next expiry (the item it just started
 * completes) is most often the very next event of the whole run: then it
 * is run in place (sim_run_in_place), without going through the event
 * queue - the same dispatches at the same times, in the same order.
 */
static void
cpu_timer_fired(void *ctx, void *arg)
{
	cpu_t *cpu = ctx;

	do {
		cpu->acct.timer_events++;
		cpu_dispatch(cpu);
	} while (!sim_timer_is_armed(cpu->sim, &cpu->tm) &&
		 sim_run_in_place(cpu->sim, timer_due(cpu)));
	arm_timer(cpu);
}

/* ---- CPUs and domains ---- */

static void
cpu_free(gpointer data)
{
	cpu_t *cpu = data;
	cpu_work *w;

	/* No atropos_client_fini: the scheduler goes below, with all of
	 * them (one at a time, each renumbers the ring after it). */
	for (guint i = 0; i < cpu->domains->len; i++)
		cpu_dom_free(cpu->domains->pdata[i]);
	g_ptr_array_free(cpu->domains, TRUE);
	g_hash_table_destroy(cpu->domain_by_name);
	g_ptr_array_free(cpu->woken, TRUE);
	atropos_queue_clear(&cpu->blocked);
	atropos_queue_clear(&cpu->unblocked);
	atropos_sched_clear(&cpu->at);
	while ((w = cpu->free_work) != NULL) {
		cpu->free_work = w->next;
		g_free(w);
	}
	cpu_costs_free(cpu->costs);
	g_free(cpu->runs_name);
	g_free(cpu->name);
	g_free(cpu);
}

cpu_t *
cpu_new(sim_t *sim, const char *name, const cpu_params *p, GError **error)
{
	const cpu_cost_model *m = cpu_cost_model_find(p->cost_model);
	cpu_t *cpu;

	if (!m) {
		gchar *names =
		    g_strjoinv(", ", (gchar **)cpu_cost_model_names());

		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cpu %s: unknown cost model '%s' (known: %s)", name,
			    p->cost_model ? p->cost_model : "(null)", names);
		g_free(names);
		return NULL;
	}
	if (p->slack_quantum <= 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cpu %s: slack quantum must be positive", name);
		return NULL;
	}
	if (p->slack_order != CPU_SLACK_RELEASE &&
	    p->slack_order != CPU_SLACK_ROUND_ROBIN) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cpu %s: unknown slack order %d", name,
			    p->slack_order);
		return NULL;
	}
	if (p->thread_order != CPU_THREADS_FIFO &&
	    p->thread_order != CPU_THREADS_ROUND_ROBIN) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cpu %s: unknown thread order %d", name,
			    p->thread_order);
		return NULL;
	}
	cpu = g_new0(cpu_t, 1);
	cpu->sim = sim;
	cpu->name = g_strdup(name);
	cpu->params = *p;
	cpu->params.cost_model = m->name;
	cpu->costs = cpu_costs_new(m);
	cpu->c_switch = cpu_costs_ref(cpu->costs, "domain_switch");
	cpu->created = sim_now(sim);
	atropos_sched_init(&cpu->at);
	atropos_queue_init(&cpu->blocked, ATROPOS_Q_OTHER);
	atropos_queue_init(&cpu->unblocked, ATROPOS_Q_OTHER);
	if (is_release(cpu)) {
		/* Heaps laid out as the kernel's: the slack cursor and
		 * the unblocked scan walk the wait queue's array. */
		atropos_sched_set_ties(&cpu->at, ATROPOS_TIES_HEAP);
		atropos_queue_set_ties(&cpu->blocked, ATROPOS_TIES_HEAP);
	}
	cpu->woken = g_ptr_array_new();
	cpu->domains = g_ptr_array_new();
	cpu->domain_by_name = g_hash_table_new(g_str_hash, g_str_equal);
	atropos_util_init(&cpu->util);
	cpu->run_start = cpu->acct_from = cpu->progress_at = cpu->created;
	cpu->synced_at = -1;
	cpu->switch_end = cpu->created;
	cpu->point = SIM_TIME_MAX;
	cpu->kind = CPU_RUN_IDLE;
	sim_timer_init(&cpu->tm, cpu_timer_fired, cpu, NULL);
	cpu->runs_name = g_strdup_printf("cpu.%s.runs", name);
	sim_trace_register(sim, cpu->runs_name, &cpu->runs_tp,
			   SIM_TRACE_RECORD);
	sim_on_free(sim, cpu_free, cpu);
	return cpu;
}

const char *
cpu_name(const cpu_t *cpu)
{
	return cpu->name;
}

sim_t *
cpu_sim(const cpu_t *cpu)
{
	return cpu->sim;
}

cpu_costs *
cpu_get_costs(cpu_t *cpu)
{
	return cpu->costs;
}

sim_time_t
cpu_cost(const cpu_t *cpu, const char *op)
{
	return cpu_costs_get(cpu->costs, op);
}

cpu_domain *
cpu_find_domain(const cpu_t *cpu, const char *name)
{
	return g_hash_table_lookup(cpu->domain_by_name, name);
}

cpu_domain *
cpu_domain_new(cpu_t *cpu, const char *name, const atropos_qos *qos,
	       GError **error)
{
	sim_time_t now = sim_now(cpu->sim);
	atropos_util u = cpu->util;
	cpu_domain *d;
	gchar *what = g_strdup_printf("cpu %s, domain %s", cpu->name, name);

	if (!atropos_qos_check(qos, what, error)) {
		g_free(what);
		return NULL;
	}
	if (qos->l == 0) {
		/* The release refuses it: a domain woken from a long block
		 * would get its deadline at the very instant it wakes. */
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: latency hint must be positive (the release "
			    "refuses l = 0)", what);
		g_free(what);
		return NULL;
	}
	if (cpu_find_domain(cpu, name)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: a domain of that name already exists", what);
		g_free(what);
		return NULL;
	}
	atropos_util_add(&u, qos);
	if (atropos_util_exceeds_one(&u) && !cpu->params.allow_overbook) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: reservation refused: the contracts on this "
			    "CPU would sum to %.4f of its time (sum of "
			    "slice/period must not exceed 1; allow "
			    "overbooking explicitly to run it anyway)",
			    what, atropos_util_value(&u));
		g_free(what);
		return NULL;
	}
	g_free(what);
	cpu->util = u;

	d = g_new0(cpu_domain, 1);
	d->cpu = cpu;
	d->name = g_strdup(name);
	d->threads = g_ptr_array_new();
	d->runnable_since = now;
	d->missed_d = -1;
	atropos_client_init(&cpu->at, &d->ac, qos, d);
	g_ptr_array_add(cpu->domains, d);
	g_hash_table_insert(cpu->domain_by_name, d->name, d);

	/*
	 * Creation, as the release does it: r = s and a deadline 1 ns after
	 * the run queue's head, so the new domain runs right after the
	 * domain that is due first (the release's domain manager; with the
	 * run queue empty, d = now + p).  On run, or on wait if s = 0 (a
	 * domain with nothing contracted would only be descheduled again).
	 */
	atropos_client *head = atropos_run_head(&cpu->at);
	d->ac.d = head ? head->d + 1 : now + qos->p;
	d->ac.r = qos->s;
	atropos_enqueue_by_remain(&cpu->at, &d->ac);

	/* A pass at this instant, after the creator has given it work. */
	kick(cpu);
	return d;
}

const char *
cpu_domain_name(const cpu_domain *d)
{
	return d->name;
}

cpu_t *
cpu_domain_cpu(const cpu_domain *d)
{
	return d->cpu;
}

const atropos_qos *
cpu_domain_qos(const cpu_domain *d)
{
	return &d->ac.qos;
}

/* ---- accounting: public ---- */

void
cpu_domain_get_acct(cpu_domain *d, cpu_domain_acct *out)
{
	*out = d->acct;
	out->waiting = d->runnable - d->acct.contracted - d->acct.slack;
}

void
cpu_get_acct(cpu_t *cpu, cpu_acct *out)
{
	*out = cpu->acct;
}

static double
window_len(cpu_t *cpu)
{
	sim_t *sim = cpu->sim;
	sim_time_t lo = MAX(sim->measure_from, cpu->created);
	sim_time_t hi = MIN(sim_now(sim), sim->measure_to);

	return hi > lo ? (double)(hi - lo) : 0.0;
}

static double
ratio(cpu_t *cpu, sim_time_t part)
{
	double len;

	cpu_sync(cpu);
	len = window_len(cpu);
	return len > 0 ? (double)part / len : 0.0;
}

double
cpu_domain_contracted_share(cpu_domain *d)
{
	cpu_sync(d->cpu);
	return ratio(d->cpu, d->win_contracted);
}

double
cpu_domain_slack_share(cpu_domain *d)
{
	cpu_sync(d->cpu);
	return ratio(d->cpu, d->win_slack);
}

double
cpu_domain_share(cpu_domain *d)
{
	cpu_sync(d->cpu);
	return ratio(d->cpu, d->win_contracted + d->win_slack);
}

static double
domain_wait_share(cpu_domain *d)
{
	cpu_sync(d->cpu);
	return ratio(d->cpu,
		     d->win_runnable - d->win_contracted - d->win_slack);
}

double
cpu_idle_share(cpu_t *cpu)
{
	cpu_sync(cpu);
	return ratio(cpu, cpu->win_idle);
}

/* summary.json wants whole numbers of ns as doubles (exact < 2^53). */
static double
st_contracted_ns(void *ctx)
{
	cpu_domain *d = ctx;

	cpu_sync(d->cpu);
	return (double)d->acct.contracted;
}

static double
st_slack_ns(void *ctx)
{
	cpu_domain *d = ctx;

	cpu_sync(d->cpu);
	return (double)d->acct.slack;
}

static double
st_wait_ns(void *ctx)
{
	cpu_domain *d = ctx;

	cpu_sync(d->cpu);
	return (double)(d->runnable - d->acct.contracted - d->acct.slack);
}

static double
st_switch_ns(void *ctx)
{
	cpu_domain *d = ctx;

	cpu_sync(d->cpu);
	return (double)d->acct.switching;
}

static double
st_idle_ns(void *ctx)
{
	cpu_t *cpu = ctx;

	cpu_sync(cpu);
	return (double)cpu->acct.idle;
}

static double
st_share(void *ctx)
{
	return cpu_domain_share(ctx);
}

static double
st_cshare(void *ctx)
{
	return cpu_domain_contracted_share(ctx);
}

static double
st_sshare(void *ctx)
{
	return cpu_domain_slack_share(ctx);
}

static double
st_wshare(void *ctx)
{
	return domain_wait_share(ctx);
}

static double
st_idle_share(void *ctx)
{
	return cpu_idle_share(ctx);
}

static void
add_fn(cpu_t *cpu, const char *pfx, const char *leaf, sim_stats_double_fn fn,
       void *ctx)
{
	gchar *path = g_strconcat(pfx, leaf, NULL);

	sim_stats_add_fn(cpu->sim->stats, path, fn, ctx);
	g_free(path);
}

static void
add_u64(cpu_t *cpu, const char *pfx, const char *leaf, const uint64_t *p)
{
	gchar *path = g_strconcat(pfx, leaf, NULL);

	sim_stats_add_u64(cpu->sim->stats, path, p);
	g_free(path);
}

void
cpu_register_stats(cpu_t *cpu)
{
	gchar *pfx;

	for (guint i = 0; i < cpu->domains->len; i++) {
		cpu_domain *d = cpu->domains->pdata[i];

		pfx = g_strdup_printf("domains.%s.", d->name);
		add_fn(cpu, pfx, "cpu_share", st_share, d);
		add_fn(cpu, pfx, "contracted_share", st_cshare, d);
		add_fn(cpu, pfx, "slack_share", st_sshare, d);
		add_fn(cpu, pfx, "wait_share", st_wshare, d);
		add_fn(cpu, pfx, "contracted_ns", st_contracted_ns, d);
		add_fn(cpu, pfx, "slack_ns", st_slack_ns, d);
		add_fn(cpu, pfx, "wait_ns", st_wait_ns, d);
		add_fn(cpu, pfx, "switch_ns", st_switch_ns, d);
		add_u64(cpu, pfx, "work_done", &d->acct.work_done);
		add_u64(cpu, pfx, "deadlines_missed",
			&d->acct.deadlines_missed);
		add_u64(cpu, pfx, "activations", &d->acct.activations);
		add_u64(cpu, pfx, "wakeups", &d->acct.wakeups);
		add_u64(cpu, pfx, "long_blocks", &d->acct.long_blocks);
		add_u64(cpu, pfx, "short_blocks", &d->acct.short_blocks);
		g_free(pfx);
	}
	pfx = g_strdup_printf("cpus.%s.", cpu->name);
	add_fn(cpu, pfx, "idle_share", st_idle_share, cpu);
	add_fn(cpu, pfx, "idle_ns", st_idle_ns, cpu);
	add_u64(cpu, pfx, "decisions", &cpu->acct.decisions);
	add_u64(cpu, pfx, "events", &cpu->acct.timer_events);
	add_u64(cpu, pfx, "deferred_events", &cpu->acct.deferred_events);
	add_u64(cpu, pfx, "switches", &cpu->acct.switches);
	g_free(pfx);
}

/* ---- traces and the share series ---- */

sim_tracepoint *
cpu_runs_tracepoint(cpu_t *cpu)
{
	return &cpu->runs_tp;
}

const char *const cpu_runs_csv_columns[] = {
    "start_ns", "end_ns", "cpu", "domain", "kind", NULL,
};

void
cpu_run_rec_to_csv(sim_csv *csv, const cpu_run_rec *rec)
{
	sim_csv_int(csv, rec->start);
	sim_csv_int(csv, rec->end);
	sim_csv_str(csv, rec->cpu);
	sim_csv_str(csv, rec->domain);
	sim_csv_str(csv, cpu_run_kind_name(rec->kind));
	sim_csv_end_row(csv);
}

const char *const cpu_share_series_columns[] = {
    "time_s", "cpu", "domain", "share", "contracted_share", "slack_share", NULL,
};

static void
series_row(sim_csv *csv, const cpu_t *cpu, sim_time_t t, const char *dom,
	   double len, sim_time_t c, sim_time_t s)
{
	sim_csv_double(csv, sim_time_to_s(t));
	sim_csv_str(csv, cpu->name);
	sim_csv_str(csv, dom);
	sim_csv_double(csv, (double)(c + s) / len);
	sim_csv_double(csv, (double)c / len);
	sim_csv_double(csv, (double)s / len);
	sim_csv_end_row(csv);
}

void
cpu_share_series_rows(void *ctx, sim_csv *csv, sim_time_t start, sim_time_t t)
{
	cpu_t *cpu = ctx;
	double len;

	cpu_sync(cpu);
	/* Deltas since the previous sample (or the CPU's creation). */
	start = MAX(start, cpu->created);
	len = t > start ? (double)(t - start) : 1.0;
	for (guint i = 0; i < cpu->domains->len; i++) {
		cpu_domain *d = cpu->domains->pdata[i];

		series_row(csv, cpu, t, d->name, len,
			   d->acct.contracted - d->sample_prev_c,
			   d->acct.slack - d->sample_prev_s);
		d->sample_prev_c = d->acct.contracted;
		d->sample_prev_s = d->acct.slack;
	}
	series_row(csv, cpu, t, "idle", len,
		   cpu->acct.idle - cpu->sample_prev_idle, 0);
	cpu->sample_prev_idle = cpu->acct.idle;
}
