/*
 * tcp_output.c - decide whether to send a segment, build it and send it
 * (4.4BSD tcp_output, TCP/IP Illustrated Vol. 2 chapter 26).
 *
 * The send decision.  tcp_output is called whenever something may have
 * made sending possible or necessary: the user wrote, an ACK opened the
 * window or acknowledged data, a timer fired, the user read (the window
 * may have opened), input asked for an immediate ACK.  It computes
 *
 *	off = snd_nxt - snd_una        bytes already sent but not acked
 *	win = min(snd_wnd, snd_cwnd)   what the peer and the network allow
 *	len = min(sb_cc, win) - off    new bytes we could send
 *
 * and then sends a segment if any of these holds, in this order:
 *  - data: a full segment; or (the Nagle test) the data empties the send
 *    buffer and either nothing is outstanding (idle) or TCP_NODELAY is
 *    set; or the persist timer forces a byte; or the segment would fill
 *    at least half the largest window the peer ever offered (sender
 *    silly-window avoidance); or we are retransmitting (snd_nxt below
 *    snd_max).
 *  - a window update: the window we could advertise exceeds what we
 *    advertised by at least two segments or half the receive buffer
 *    (the personality may supply another rule: SunOS).
 *  - an ACK is owed now (TF_ACKNOW), a SYN or RST is due, or a FIN is
 *    due that was not yet sent or must be retransmitted.
 * Otherwise, if there is data the peer's zero window keeps back and no
 * retransmission is pending, the persist timer is started.
 *
 * After a segment is sent the loop runs again if more could go
 * (sendalot).  Sending advances snd_nxt/snd_max, starts timing one
 * segment for the RTT if none is being timed, and arms the retransmit
 * timer if it is not running.  A persist probe does not advance snd_nxt.
 */
#include <string.h>

#include "ip_var.h"
#include "socketvar.h"

/* Should a window update be sent?  adv: by how much the window opens. */
static gboolean
tcp_window_update_due(struct tcpcb *tp, uint32_t adv, uint32_t win)
{
	struct socket *so = tp->t_socket;

	switch (tp->t_stack->pers.wupdate) {
	case TCP_WUPD_SUNOS:
		/*
		 * SunOS 4.1.x (REFERENCE.md §6): only when the receive buffer
		 * has been emptied and the advance is at least two segments,
		 * or the advance is at least 35% of the buffer.
		 */
		if (so->so_rcv.sb_cc == 0 && adv >= 2 * tp->t_maxseg)
			return TRUE;
		return (uint64_t)adv * 100 >= (uint64_t)so->so_rcv.sb_hiwat * 35;
	case TCP_WUPD_BSD:
	default:
		/* 4.4BSD: two segments, or half of the buffer. */
		if (adv >= 2 * tp->t_maxseg)
			return TRUE;
		return 2 * adv >= so->so_rcv.sb_hiwat;
	}
}

/*
 * Start the persist timer with the current backoff:
 * t = RTO estimate, in [persist_min, persist_max] (5..60 s for BSD).
 */
void
tcp_setpersist(struct tcpcb *tp)
{
	ip_stack *st = tp->t_stack;
	int t = ((tp->t_srtt >> 2) + tp->t_rttvar) >> 1;

	/* 4.4BSD panics here; the two timers are exclusive by construction. */
	if (tp->t_timer[TCPT_REXMT] != 0)
		return;
	TCPT_RANGESET(tp->t_timer[TCPT_PERSIST],
		      t * tcp_backoff[tp->t_rxtshift], st->tv_persmin,
		      st->tv_persmax);
	if (tp->t_rxtshift < st->maxrxtshift)
		tp->t_rxtshift++;
}

int
tcp_output(struct tcpcb *tp)
{
	struct socket *so = tp->t_socket;
	ip_stack *st = tp->t_stack;
	int32_t len, off;
	uint32_t win;
	int idle, sendalot, error;
	uint8_t flags;
	uint8_t opt[TCP_MAXOLEN];
	uint32_t optlen;
	tcp_seq startseq, seq;
	sim_pkt *m;

	/*
	 * Idle: nothing outstanding.  After an idle period of at least one
	 * RTO the ACK clock is gone: slow start again from one segment.
	 */
	idle = (tp->snd_max == tp->snd_una);
	if (idle && tp->t_idle >= tp->t_rxtcur)
		tp->snd_cwnd = tp->t_maxseg;
again:
	sendalot = 0;
	off = (int32_t)(tp->snd_nxt - tp->snd_una);
	win = MIN(tp->snd_wnd, tp->snd_cwnd);
	flags = tcp_outflags[tp->t_state];

	/*
	 * A forced byte (persist probe) goes out into a zero window; if the
	 * window is open the probe is not needed any more.
	 */
	if (tp->t_force) {
		if (win == 0) {
			if (off < (int32_t)so->so_snd.sb_cc)
				flags &= ~TH_FIN;
			win = 1;
		} else {
			tp->t_timer[TCPT_PERSIST] = 0;
			tp->t_rxtshift = 0;
		}
	}

	len = (int32_t)MIN(so->so_snd.sb_cc, win) - off;
	if (len < 0) {
		/*
		 * The window shrank below what was sent (or a FIN was sent
		 * and is counted in off).  With a zero window, stop the
		 * retransmit timer and pull snd_nxt back; the persist timer
		 * will probe.
		 */
		len = 0;
		if (win == 0) {
			tp->t_timer[TCPT_REXMT] = 0;
			tp->snd_nxt = tp->snd_una;
		}
	}
	if ((uint32_t)len > tp->t_maxseg) {
		len = (int32_t)tp->t_maxseg;
		sendalot = 1;
	}
	/*
	 * A RST (tcp_drop moved us to CLOSED) carries no data.  4.4BSD would
	 * attach whatever the window allows; that serves nobody.
	 */
	if (flags & TH_RST) {
		len = 0;
		sendalot = 0;
	}
	if (SEQ_LT(tp->snd_nxt + len, tp->snd_una + so->so_snd.sb_cc))
		flags &= ~TH_FIN;

	win = tcp_rcvwin(tp);

	/* Sender silly-window avoidance and Nagle. */
	if (len) {
		if ((uint32_t)len == tp->t_maxseg)
			goto send;
		if ((idle || (tp->t_flags & TF_NODELAY)) &&
		    (uint32_t)(len + off) >= so->so_snd.sb_cc)
			goto send;
		if (tp->t_force)
			goto send;
		if ((uint32_t)len >= tp->max_sndwnd / 2)
			goto send;
		if (SEQ_LT(tp->snd_nxt, tp->snd_max))
			goto send;
	}

	/* A window update: how far would the right edge move? */
	if (win > 0) {
		uint32_t maxwin = (uint32_t)TCP_MAXWIN << tp->rcv_scale;
		int64_t adv = (int64_t)MIN(win, maxwin) -
		    (int32_t)(tp->rcv_adv - tp->rcv_nxt);
		if (adv > 0 && tcp_window_update_due(tp, (uint32_t)adv, win))
			goto send;
	}

	if (tp->t_flags & TF_ACKNOW)
		goto send;
	if (flags & (TH_SYN | TH_RST))
		goto send;
	/* A FIN not yet sent, or one to retransmit (snd_nxt pulled back). */
	if ((flags & TH_FIN) &&
	    (!(tp->t_flags & TF_SENTFIN) || tp->snd_nxt == tp->snd_una))
		goto send;

	/*
	 * Data held back by the peer's window, nothing to retransmit and no
	 * probe pending: start persisting.
	 */
	if (so->so_snd.sb_cc && tp->t_timer[TCPT_REXMT] == 0 &&
	    tp->t_timer[TCPT_PERSIST] == 0) {
		tp->t_rxtshift = 0;
		tcp_setpersist(tp);
	}
	return 0;

send:
	/*
	 * Options: MSS on a SYN, window scale on a SYN if we ask for it
	 * (on a SYN|ACK only if the peer asked), timestamps on a SYN we
	 * send or on every segment once both agreed (RFC 1323).
	 */
	optlen = 0;
	if (flags & TH_SYN) {
		tp->snd_nxt = tp->iss;
		int mss = tcp_mss(tp, 0);
		opt[0] = TCPOPT_MAXSEG;
		opt[1] = TCPOLEN_MAXSEG;
		wire_put16(opt + 2, (uint16_t)mss);
		optlen = 4;
		if ((tp->t_flags & TF_REQ_SCALE) &&
		    (!(flags & TH_ACK) || (tp->t_flags & TF_RCVD_SCALE))) {
			opt[optlen++] = TCPOPT_NOP;
			opt[optlen++] = TCPOPT_WINDOW;
			opt[optlen++] = TCPOLEN_WINDOW;
			opt[optlen++] = tp->request_r_scale;
		}
	}
	if ((tp->t_flags & TF_REQ_TSTMP) && !(flags & TH_RST) &&
	    ((flags & (TH_SYN | TH_ACK)) == TH_SYN ||
	     (tp->t_flags & TF_RCVD_TSTMP))) {
		opt[optlen++] = TCPOPT_NOP;
		opt[optlen++] = TCPOPT_NOP;
		opt[optlen++] = TCPOPT_TIMESTAMP;
		opt[optlen++] = TCPOLEN_TIMESTAMP;
		wire_put32(opt + optlen, st->tcp_now);
		wire_put32(opt + optlen + 4, tp->ts_recent);
		optlen += 8;
	}
	/* Options take room from the data (the MSS counts both). */
	if ((uint32_t)len + optlen > tp->t_maxseg) {
		len = (int32_t)(tp->t_maxseg - optlen);
		sendalot = 1;
		flags &= ~TH_FIN;
	}

	m = sim_pkt_new();
	if (len) {
		gboolean rexmt = SEQ_LT(tp->snd_nxt, tp->snd_max);
		if (tp->t_force && len == 1) {
			tcpstat_inc(st, sndprobe);
		} else if (rexmt) {
			tcpstat_inc(st, sndrexmitpack);
			st->tcpstat.tcps_sndrexmitbyte += len;
			tp->cs->sndrexmitpack++;
			tp->cs->sndrexmitbyte += len;
		} else {
			tcpstat_inc(st, sndpack);
			st->tcpstat.tcps_sndbyte += len;
			tp->cs->sndpack++;
			tp->cs->sndbyte += len;
		}
		sb_snd_copy(&so->so_snd, (uint32_t)off, (uint32_t)len, m);
		/* PSH when this segment empties the send buffer. */
		if ((uint32_t)(off + len) == so->so_snd.sb_cc)
			flags |= TH_PUSH;
	} else {
		if (tp->t_flags & TF_ACKNOW) {
			tcpstat_inc(st, sndacks);
			tp->cs->sndacks++;
		} else if (flags & (TH_SYN | TH_FIN | TH_RST)) {
			tcpstat_inc(st, sndctrl);
		} else {
			tcpstat_inc(st, sndwinup);
		}
	}

	/* Retransmitting a FIN: send it with the sequence number it had. */
	if ((flags & TH_FIN) && (tp->t_flags & TF_SENTFIN) &&
	    tp->snd_nxt == tp->snd_max)
		tp->snd_nxt--;
	/*
	 * Data, SYN, FIN and probes carry snd_nxt; a pure ACK or window
	 * update carries snd_max so it cannot look like a retransmission.
	 */
	if (len || (flags & (TH_SYN | TH_FIN)) || tp->t_timer[TCPT_PERSIST])
		seq = tp->snd_nxt;
	else
		seq = tp->snd_max;

	/*
	 * The advertised window: not a silly one (less than a quarter of
	 * the buffer and less than a segment is advertised as 0), never
	 * beyond what the scale can express, and never shrinking the
	 * window already offered (RFC 1122 4.2.2.16).
	 */
	if (win < so->so_rcv.sb_hiwat / 4 && win < tp->t_maxseg)
		win = 0;
	if (win > (uint32_t)TCP_MAXWIN << tp->rcv_scale)
		win = (uint32_t)TCP_MAXWIN << tp->rcv_scale;
	if ((int32_t)win < (int32_t)(tp->rcv_adv - tp->rcv_nxt))
		win = tp->rcv_adv - tp->rcv_nxt;
	uint16_t th_win = (uint16_t)(win >> tp->rcv_scale);
	if (flags & TH_SYN)
		th_win = (uint16_t)MIN(win, TCP_MAXWIN); /* SYN: unscaled */

	tcp_trace_seg(tp, TRUE, seq, (uint32_t)len +
		      ((flags & (TH_SYN | TH_FIN)) != 0), flags, tp->rcv_nxt,
		      win, SEQ_LT(seq, tp->snd_max));
	tcp_fill_hdr(m, so->inp_laddr, so->inp_faddr, so->inp_lport,
		     so->inp_fport, seq, tp->rcv_nxt, flags, th_win, opt,
		     optlen);

	/*
	 * Advance the send state, unless this is a persist probe (which
	 * sends a byte beyond the window without counting it as sent).
	 */
	if (tp->t_force == 0 || tp->t_timer[TCPT_PERSIST] == 0) {
		startseq = tp->snd_nxt;
		if (flags & TH_SYN)
			tp->snd_nxt++;
		if (flags & TH_FIN) {
			tp->snd_nxt++;
			tp->t_flags |= TF_SENTFIN;
		}
		tp->snd_nxt += len;
		if (SEQ_GT(tp->snd_nxt, tp->snd_max)) {
			tp->snd_max = tp->snd_nxt;
			/* Time this segment if none is being timed. */
			if (tp->t_rtt == 0) {
				tp->t_rtt = 1;
				tp->t_rtseq = startseq;
				tcpstat_inc(st, segstimed);
			}
		}
		/*
		 * Retransmit timer: start it if not running and this
		 * segment needs an ACK; a running persist timer gives way.
		 */
		if (tp->t_timer[TCPT_REXMT] == 0 &&
		    tp->snd_nxt != tp->snd_una) {
			tp->t_timer[TCPT_REXMT] = tp->t_rxtcur;
			if (tp->t_timer[TCPT_PERSIST]) {
				tp->t_timer[TCPT_PERSIST] = 0;
				tp->t_rxtshift = 0;
			}
		}
	} else if (SEQ_GT(tp->snd_nxt + len, tp->snd_max)) {
		tp->snd_max = tp->snd_nxt + len;
	}

	tcpstat_inc(st, sndtotal);
	error = ip_output_tos(st, m, so->inp_laddr, so->inp_faddr, so->inp_tos,
			      so->inp_ttl);
	if (error) {
		if (error == ENOBUFS) {
			/* Our own queue is full: slow down, try later. */
			tcpstat_inc(st, sndenobufs);
			tcp_quench(tp);
			return 0;
		}
		if ((error == EHOSTUNREACH || error == EMSGSIZE) &&
		    TCPS_HAVERCVDSYN(tp->t_state)) {
			tp->t_softerror = error;
			return 0;
		}
		return error;
	}

	/* The window we advertised, and the ACK we sent. */
	if (win > 0 && SEQ_GT(tp->rcv_nxt + win, tp->rcv_adv))
		tp->rcv_adv = tp->rcv_nxt + win;
	tp->last_ack_sent = tp->rcv_nxt;
	tp->t_flags &= ~(TF_ACKNOW | TF_DELACK);
	tp->t_segs_unacked = 0;
	tp->t_delack_at = 0;
	if (sendalot)
		goto again;
	return 0;
}
