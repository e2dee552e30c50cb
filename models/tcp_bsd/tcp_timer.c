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
 * due at a time, checked on every 10 ms jiffy tick.)  The ticks have a phase (the host's boot time), drawn from the
 * stack's random stream unless the scenario fixes it.
 */
#include "ip_var.h"
#include "socketvar.h"

/* The fast tick: send the ACKs that were delayed. */
void
tcp_fasttimo(ip_stack *st)
{
	struct tcpcb *tp, *next;

	ip_stack_enter(st);
	for (tp = tcp_tcb_first(st); tp; tp = next) {
		next = tcp_tcb_next(st, tp);
		if (tp->t_flags & TF_DELACK) {
			tp->t_flags &= ~TF_DELACK;
			tp->t_flags |= TF_ACKNOW;
			tcpstat_inc(st, delack);
			tp->cs->delack++;
			(void)tcp_output(tp);
		}
	}
	ip_stack_exit(st);
}

/*
 * The slow tick: count down each connection's timers.  tcp_timers() may
 * close the connection, so the next element is taken first; a timer
 * that closes the connection ends the loop over its timers.  (A handler
 * that frees another connection would break this; none does.)
 */
void
tcp_slowtimo(ip_stack *st)
{
	struct tcpcb *tp;

	ip_stack_enter(st);
	/* The list's order (newest first) is tcb_vec backwards; a closed
	 * block leaves the array at its index, behind the walk. */
	for (guint k = st->tcb_vec->len; k-- > 0;) {
		tp = st->tcb_vec->pdata[k];
		if (k >= 8)
			__builtin_prefetch(st->tcb_vec->pdata[k - 8]);
		/* Linux personalities: delayed ACKs due by now (jiffy tick). */
		if (tp->t_delack_at && sim_now(st->sim) >= tp->t_delack_at) {
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
	}
	st->tcp_iss += TCP_ISSINCR / 2; /* 4.4BSD: ISSINCR/PR_SLOWHZ */
	st->tcp_now++;
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
