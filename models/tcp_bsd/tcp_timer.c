/*
 * tcp_timer.c - the stack's two ticks and what the connection timers do
 * when they expire (4.4BSD tcp_timer.c, TCP/IP Illustrated Vol. 2
 * chapter 25).
 *
 * A BSD host has no per-connection timer events: one fast tick every
 * 200 ms sends the delayed ACKs of all connections, one slow tick every
 * 500 ms counts down the four timers of every connection (REXMT,
 * PERSIST, KEEP, 2MSL), ages idle times and RTT measurements, and
 * advances tcp_iss and the timestamp clock.  A delayed ACK therefore
 * waits between 0 and 200 ms, a timer of n ticks between n-1 and n
 * ticks.  (Linux personalities have no fast tick: their delayed ACK is
 * due at a time, checked on every 10 ms jiffy tick.)  The ticks have a
 * phase (the host's boot time), drawn from the stack's random stream
 * unless the scenario fixes it.
 *
 * Lazy ticks.  Walking every block on every tick costs a host with a
 * thousand connections and a 10 ms jiffy 100,000 visits a second, nearly
 * all of which only count down a keepalive timer and age t_idle.  So the
 * slow tick visits just the blocks that have something due at it: a
 * timer that runs out (the tick queue, by tick number) or a Linux delayed
 * ACK whose time has come (the delack queue, by time), in the list's
 * order, and runs the same per-block step on them as the walk did.  Every
 * other block catches up later: before any code looks at a block it is
 * synced (tcp_tick_touch: the ticks it missed subtracted from its timers
 * and added to t_idle and a running t_rtt, none of which can have run
 * out, or it would have been due), and when the outermost entry point
 * returns the blocks it touched are queued again, no later than their
 * next due tick (an earlier visit runs the walk's step on a block with
 * nothing due, which is what the walk did).  The outcome is the walk's,
 * tick for tick (NEMSIM_CHECK_TICKS=1 checks every block against its
 * queues on every tick).
 */
#include "ip_var.h"
#include "socketvar.h"

/*
 * The fast tick: send the ACKs that were delayed.  (Only TCP input sets
 * TF_DELACK, and it raises delack_maybe when it does: a stack with no
 * delayed ACK since the last tick has nothing to walk.)
 */
void
tcp_fasttimo(ip_stack *st)
{
	struct tcpcb *tp, *next;

	if (!st->delack_maybe)
		return;
	ip_stack_enter(st);
	for (tp = tcp_tcb_first(st); tp; tp = next) {
		next = tcp_tcb_next(st, tp);
		if (tp->t_flags & TF_DELACK) {
			tcp_tick_touch(tp);
			tp->t_flags &= ~TF_DELACK;
			tp->t_flags |= TF_ACKNOW;
			tcpstat_inc(st, delack);
			tp->cs->delack++;
			(void)tcp_output(tp);
		}
	}
	st->delack_maybe = FALSE; /* every one was sent */
	ip_stack_exit(st);
}

/* ---- lazy ticks ---- */

#define TCP_NO_TICK UINT64_MAX
enum { Q_TICK, Q_DACK };

static inline uint64_t
q_key(const struct tcpcb *tp, int q)
{
	return tp->t_qkey[q];
}

static inline void
q_set(struct tcp_tickq *h, int q, guint i, struct tcpcb *tp)
{
	h->a[i] = tp;
	tp->t_qpos[q] = i;
}

static void
q_up(struct tcp_tickq *h, int q, guint i, struct tcpcb *tp)
{
	while (i > 0) {
		guint parent = (i - 1) / 2;
		if (q_key(h->a[parent], q) <= q_key(tp, q))
			break;
		q_set(h, q, i, h->a[parent]);
		i = parent;
	}
	q_set(h, q, i, tp);
}

static void
q_down(struct tcp_tickq *h, int q, guint i, struct tcpcb *tp)
{
	for (;;) {
		guint c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && q_key(h->a[c + 1], q) < q_key(h->a[c], q))
			c++;
		if (q_key(h->a[c], q) >= q_key(tp, q))
			break;
		q_set(h, q, i, h->a[c]);
		i = c;
	}
	q_set(h, q, i, tp);
}

static void
q_remove(ip_stack *st, int q, struct tcpcb *tp)
{
	struct tcp_tickq *h = &st->tickq[q];
	guint i = tp->t_qpos[q];
	if (i == G_MAXUINT)
		return;
	tp->t_qpos[q] = G_MAXUINT;
	struct tcpcb *last = h->a[--h->n];
	if (last == tp)
		return;
	if (i > 0 && q_key(last, q) < q_key(h->a[(i - 1) / 2], q))
		q_up(h, q, i, last);
	else
		q_down(h, q, i, last);
}

static void
q_insert(ip_stack *st, int q, struct tcpcb *tp)
{
	struct tcp_tickq *h = &st->tickq[q];
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->a = g_renew(struct tcpcb *, h->a, h->cap);
	}
	q_up(h, q, h->n++, tp);
}

/* The tick at which one of tp's timers runs out (tp synced): a timer
 * of v ticks is decremented to zero by the v-th tick from now. */
static uint64_t
next_due(const struct tcpcb *tp)
{
	uint64_t due = TCP_NO_TICK;
	for (int i = 0; i < TCPT_NTIMERS; i++)
		if (tp->t_timer[i] > 0)
			due = MIN(due, tp->t_synced + (uint64_t)tp->t_timer[i] - 1);
	return due;
}

/* Bring tp's tick fields up to st->slow_ticks. */
void
tcp_tick_sync(struct tcpcb *tp)
{
	uint64_t d = tp->t_stack->slow_ticks - tp->t_synced;
	if (d == 0)
		return;
	for (int i = 0; i < TCPT_NTIMERS; i++)
		if (tp->t_timer[i]) {
			g_assert((uint64_t)tp->t_timer[i] > d);
			tp->t_timer[i] -= (int)d;
		}
	tp->t_idle += (int)d;
	if (tp->t_rtt)
		tp->t_rtt += (int)d;
	tp->t_synced = tp->t_stack->slow_ticks;
}

/*
 * Make sure tp is queued no later than its next due tick and delayed-ACK
 * time.  A queue entry that is earlier than needed (the timer was pushed
 * back, as every ACK does to REXMT and every segment to KEEP, or turned
 * off) is left alone: visiting a block at a tick when nothing of it runs
 * out is exactly what the walk did, so the early visit changes nothing
 * and re-queues it then.  Only an earlier due time moves the entry.
 */
static void
requeue_one(ip_stack *st, int q, struct tcpcb *tp, uint64_t key)
{
	if (tp->t_qpos[q] == G_MAXUINT) {
		tp->t_qkey[q] = key;
		q_insert(st, q, tp);
	} else if (key < tp->t_qkey[q]) {
		tp->t_qkey[q] = key;
		q_up(&st->tickq[q], q, tp->t_qpos[q], tp);
	}
}

static void
requeue(struct tcpcb *tp)
{
	ip_stack *st = tp->t_stack;
	uint64_t due = next_due(tp);
	if (due != TCP_NO_TICK)
		requeue_one(st, Q_TICK, tp, due);
	if (tp->t_delack_at)
		requeue_one(st, Q_DACK, tp, (uint64_t)tp->t_delack_at);
}

/*
 * Code is about to look at or change tp: sync it, and remember to queue
 * it again when the outermost entry point returns.
 */
void
tcp_tick_touch(struct tcpcb *tp)
{
	tcp_tick_sync(tp);
	if (!tp->t_touched) {
		tp->t_touched = TRUE;
		tp->t_touch_next = tp->t_stack->touched;
		tp->t_stack->touched = tp;
	}
}

void
tcp_tick_requeue_touched(ip_stack *st)
{
	struct tcpcb *tp;

	while ((tp = st->touched) != NULL) {
		st->touched = tp->t_touch_next;
		tp->t_touched = FALSE;
		requeue(tp);
	}
}

/* tp is being freed. */
void
tcp_tick_forget(struct tcpcb *tp)
{
	ip_stack *st = tp->t_stack;
	q_remove(st, Q_TICK, tp);
	q_remove(st, Q_DACK, tp);
	if (tp->t_touched) /* the list is the few blocks of one entry */
		for (struct tcpcb **pp = &st->touched; *pp;
		     pp = &(*pp)->t_touch_next)
			if (*pp == tp) {
				*pp = tp->t_touch_next;
				break;
			}
}

/* NEMSIM_CHECK_TICKS: every block is queued no later than it is due. */
static void
check_ticks(ip_stack *st)
{
	for (guint k = 0; k < st->tcb_vec->len; k++) {
		struct tcpcb *tp = st->tcb_vec->pdata[k];
		if (tp->t_touched)
			continue; /* queued when its entry point returns */
		struct tcpcb copy = *tp;
		tcp_tick_sync(&copy);
		uint64_t due = next_due(&copy);
		gboolean tq = tp->t_qpos[Q_TICK] != G_MAXUINT;
		gboolean dq = tp->t_qpos[Q_DACK] != G_MAXUINT;
		uint64_t tkey = tp->t_qkey[Q_TICK];
		if ((due != TCP_NO_TICK && (!tq || tkey > due)) ||
		    (tq && tkey < st->slow_ticks) ||
		    (tp->t_delack_at &&
		     (!dq || tp->t_qkey[Q_DACK] > (uint64_t)tp->t_delack_at)))
			g_error("lazy ticks: block %u of %s is queued for tick "
				"%" G_GUINT64_FORMAT " but due at %" G_GUINT64_FORMAT,
				k, st->name, tq ? tkey : TCP_NO_TICK, due);
	}
}

static gint
by_list_order(gconstpointer a, gconstpointer b)
{
	const struct tcpcb *x = *(struct tcpcb *const *)a;
	const struct tcpcb *y = *(struct tcpcb *const *)b;
	return x->t_vidx < y->t_vidx ? 1 : x->t_vidx > y->t_vidx ? -1 : 0;
}

/*
 * The slow tick: count down the timers of the connections that have one
 * running out or a delayed ACK due (the rest catch up when next touched:
 * "Lazy ticks" above), in the list's order, newest first.  tcp_timers()
 * may close the connection; a closed block leaves the array at its index,
 * behind the walk.  A timer that closes the connection ends the loop over
 * its timers.  (A handler that frees another connection would break this;
 * none does.)
 */
void
tcp_slowtimo(ip_stack *st)
{
	struct tcpcb *tp;
	sim_time_t now = sim_now(st->sim);

	ip_stack_enter(st);
	if (st->check_ticks)
		check_ticks(st);
	GPtrArray *due = st->tick_due;
	struct tcp_tickq *tq = &st->tickq[Q_TICK], *dq = &st->tickq[Q_DACK];
	while (tq->n && tq->a[0]->t_qkey[Q_TICK] <= st->slow_ticks) {
		tp = tq->a[0];
		g_assert(tp->t_qkey[Q_TICK] == st->slow_ticks);
		q_remove(st, Q_TICK, tp);
		g_ptr_array_add(due, tp);
	}
	while (dq->n && dq->a[0]->t_qkey[Q_DACK] <= (uint64_t)now) {
		tp = dq->a[0];
		q_remove(st, Q_DACK, tp);
		g_ptr_array_add(due, tp);
	}
	g_ptr_array_sort(due, by_list_order);
	for (guint k = 0; k < due->len; k++) {
		tp = due->pdata[k];
		if (k > 0 && tp == due->pdata[k - 1])
			continue; /* due for a timer and a delayed ACK */
		tcp_tick_touch(tp);
		/* Linux personalities: delayed ACKs due by now (jiffy tick). */
		if (tp->t_delack_at && now >= tp->t_delack_at) {
			tp->t_delack_at = 0;
			if (tp->t_flags & TF_DELACK) {
				tp->t_flags &= ~TF_DELACK;
				tp->t_flags |= TF_ACKNOW;
				tcpstat_inc(st, delack);
				tp->cs->delack++;
				(void)tcp_output(tp);
			}
		}
		for (int i = 0; i < TCPT_NTIMERS; i++) {
			if (tp->t_timer[i] && --tp->t_timer[i] == 0) {
				tp = tcp_timers(tp, i);
				if (tp == NULL)
					break;
			}
		}
		if (tp == NULL)
			continue;
		tp->t_idle++;
		if (tp->t_rtt)
			tp->t_rtt++;
		tp->t_synced++; /* this tick is done for tp */
	}
	g_ptr_array_set_size(due, 0);
	st->tcp_iss += TCP_ISSINCR / 2; /* 4.4BSD: ISSINCR/PR_SLOWHZ */
	st->tcp_now++;
	st->slow_ticks++;
	ip_stack_exit(st);
}

/*
 * A connection timer expired.  Returns tp, or NULL if the connection
 * was closed.
 */
struct tcpcb *
tcp_timers(struct tcpcb *tp, int timer)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;
	int rexmt;

	switch (timer) {
	case TCPT_2MSL:
		/*
		 * TIME_WAIT is over, or FIN_WAIT_2 has waited tcp_maxidle
		 * (re-armed while the peer is still heard from).
		 */
		if (tp->t_state != TCPS_TIME_WAIT &&
		    tp->t_idle <= st->tv_maxidle)
			tp->t_timer[TCPT_2MSL] = st->tv_keepintvl;
		else
			tp = tcp_close(tp);
		break;

	case TCPT_REXMT:
		/*
		 * Retransmission timeout: give up after maxrxtshift (12 for
		 * BSD) retransmissions; else back off the RTO through
		 * tcp_backoff[], resend from snd_una, and collapse the
		 * congestion window to one segment (ssthresh = half the
		 * window, at least two segments).
		 */
		if (++tp->t_rxtshift > st->maxrxtshift) {
			tp->t_rxtshift = st->maxrxtshift;
			tcpstat_inc(st, timeoutdrop);
			tp = tcp_drop(tp, tp->t_softerror ? tp->t_softerror :
						       ETIMEDOUT);
			break;
		}
		tcpstat_inc(st, rexmttimeo);
		tp->cs->rexmttimeo++;
		rexmt = TCP_REXMTVAL(tp) * tcp_backoff[tp->t_rxtshift];
		TCPT_RANGESET(tp->t_rxtcur, rexmt, tp->t_rttmin,
			      st->tv_rexmtmax);
		tp->t_timer[TCPT_REXMT] = tp->t_rxtcur;
		/*
		 * After several backoffs the estimate is probably wrong:
		 * fold srtt into rttvar and let the next sample replace it.
		 */
		if (tp->t_rxtshift > st->maxrxtshift / 4) {
			tp->t_rttvar += tp->t_srtt >> TCP_RTT_SHIFT;
			tp->t_srtt = 0;
		}
		tp->snd_nxt = tp->snd_una;
		tp->t_rtt = 0;  /* Karn: do not time a retransmission */
		{
			uint32_t win = MIN(tp->snd_wnd, tp->snd_cwnd) / 2 /
			    tp->t_maxseg;
			if (win < 2)
				win = 2;
			tp->snd_cwnd = tp->t_maxseg;
			tp->snd_ssthresh = win * tp->t_maxseg;
			tp->t_dupacks = 0;
		}
		(void)tcp_output(tp);
		break;

	case TCPT_PERSIST:
		/* Probe a zero window with one byte; back off the timer. */
		tcpstat_inc(st, persisttimeo);
		tp->cs->persisttimeo++;
		tcp_setpersist(tp);
		tp->t_force = 1;
		(void)tcp_output(tp);
		tp->t_force = 0;
		break;

	case TCPT_KEEP:
		/*
		 * Connection-establishment timer before ESTABLISHED (75 s);
		 * afterwards, with SO_KEEPALIVE, probe after keep_idle and
		 * every keep_intvl, dropping after keepcnt unanswered probes.
		 * The probe is an old sequence number (snd_una - 1) that the
		 * peer must ACK.
		 */
		tcpstat_inc(st, keeptimeo);
		if (tp->t_state < TCPS_ESTABLISHED)
			goto dropit;
		if ((so->so_options & SO_KEEPALIVE) &&
		    tp->t_state <= TCPS_CLOSE_WAIT) {
			if (tp->t_idle >= st->tv_keep_idle + st->tv_maxidle)
				goto dropit;
			tcpstat_inc(st, keepprobe);
			tcp_respond(st, tp, so->inp_laddr, so->inp_faddr,
				    so->inp_lport, so->inp_fport, tp->rcv_nxt,
				    tp->snd_una - 1, TH_ACK);
			tp->t_timer[TCPT_KEEP] = st->tv_keepintvl;
		} else {
			tp->t_timer[TCPT_KEEP] = st->tv_keep_idle;
		}
		break;
	dropit:
		tcpstat_inc(st, keepdrops);
		tp = tcp_drop(tp, ETIMEDOUT);
		break;
	}
	return tp;
}

static void
slow_tick_fire(void *ctx, void *arg)
{
	ip_stack *st = ctx;
	sim_timer_arm_in(st->sim, &st->slow_timer, st->pers.slowtick);
	tcp_slowtimo(st);
}

static void
fast_tick_fire(void *ctx, void *arg)
{
	ip_stack *st = ctx;
	sim_timer_arm_in(st->sim, &st->fast_timer, st->pers.fasttick);
	tcp_fasttimo(st);
}

/* The first instant >= now that is phase mod period. */
static sim_time_t
first_tick(sim_time_t now, sim_time_t phase, sim_time_t period)
{
	sim_time_t p = phase % period;
	if (now <= p)
		return p;
	return p + (now - p + period - 1) / period * period;
}

/*
 * Start the ticks: the first slow tick at the first instant >= now that
 * is phase mod slowtick, the fast tick likewise (BSD's pffasttimo and
 * pfslowtimo both run off hardclock, so both share the boot phase).
 */
void
tcp_stack_start_ticks(ip_stack *st, sim_time_t phase)
{
	sim_t *sim = st->sim;
	sim_time_t now = sim_now(sim);

	sim_timer_init(&st->slow_timer, slow_tick_fire, st, NULL);
	sim_timer_init(&st->fast_timer, fast_tick_fire, st, NULL);
	if (st->pers.slowtick > 0)
		sim_timer_arm_at(sim, &st->slow_timer,
				 first_tick(now, phase, st->pers.slowtick));
	if (st->pers.fasttick > 0)
		sim_timer_arm_at(sim, &st->fast_timer,
				 first_tick(now, phase, st->pers.fasttick));
}
