/*
 * tcp_input.c - processing a received segment (4.4BSD tcp_input, TCP/IP
 * Illustrated Vol. 2 chapters 27-29), the reassembly queue, option
 * parsing and the RTT estimator.
 *
 * Order, as the original: checksum and header checks; find the control
 * block (a listener spawns a new socket for a SYN); options; header
 * prediction (the two fast paths of an established connection: a pure
 * ACK for outstanding data, or the next in-order data with nothing
 * outstanding); then the slow path: LISTEN and SYN_SENT, PAWS, trimming
 * the segment to the receive window, RST, SYN, ACK processing (including
 * duplicate ACKs, fast retransmit and fast recovery, RTT, congestion
 * window, the states waiting for the ACK of our FIN), the window update,
 * data (in order to the socket, else into the reassembly queue) and FIN.
 *
 * Nothing here trusts the wire: every malformed or unacceptable segment
 * is counted and dropped, or answered with an ACK or RST where BSD does.
 */
#include <string.h>

#include "ip_var.h"
#include "socketvar.h"

/*
 * The RTT estimator (4.4BSD tcp_xmit_timer; Jacobson, SIGCOMM '88):
 * rtt is the measured time in slow ticks plus one.  srtt is kept x8 and
 * rttvar x4, so RTO = srtt + 4 * rttvar is (t_srtt >> 3) + t_rttvar.
 */
void
tcp_xmit_timer(struct tcpcb *tp, int rtt)
{
	ip_stack *st = tp->t_stack;
	int delta;

	tcpstat_inc(st, rttupdated);
	if (tp->t_srtt != 0) {
		/*
		 * delta is the error of the estimate in ticks (the measure
		 * counts from 1, hence the -1); srtt moves by delta/8.
		 */
		delta = rtt - 1 - (tp->t_srtt >> TCP_RTT_SHIFT);
		if ((tp->t_srtt += delta) <= 0)
			tp->t_srtt = 1;
		/* rttvar moves by (|delta| - rttvar)/4. */
		if (delta < 0)
			delta = -delta;
		delta -= tp->t_rttvar >> TCP_RTTVAR_SHIFT;
		if ((tp->t_rttvar += delta) <= 0)
			tp->t_rttvar = 1;
	} else {
		/*
		 * First measurement: srtt = rtt, rttvar = rtt / 2.  A peer
		 * that echoes a timestamp from the future makes rtt negative
		 * (Lite does not check ts_ecr): the shift is done on the bits,
		 * as Lite's two's-complement machines did, without C's
		 * undefined left shift of a negative value.
		 */
		tp->t_srtt = (int)((unsigned int)rtt << TCP_RTT_SHIFT);
		tp->t_rttvar = (int)((unsigned int)rtt << (TCP_RTTVAR_SHIFT - 1));
	}
	tp->t_rtt = 0;
	tp->t_rxtshift = 0;
	TCPT_RANGESET(tp->t_rxtcur, TCP_REXMTVAL(tp), tp->t_rttmin,
		      st->tv_rexmtmax);
	tp->t_softerror = 0;
}

/*
 * Parse the options of a segment.  MSS and window scale count only on a
 * SYN; a timestamp on a SYN tells us the peer does RFC 1323.  A bad
 * option length ends parsing (the rest is ignored), never the segment.
 */
static void
tcp_dooptions(struct tcpcb *tp, const uint8_t *cp, int cnt, uint8_t tiflags,
	      struct tcp_seg *ts)
{
	int opt, optlen;

	/* The usual options outside a SYN: NOP, NOP, a timestamp and
	 * nothing else (RFC 1323 Appendix A; 4.4BSD's header prediction
	 * tests for it the same way).  The loop would find just this. */
	if (cnt == TCPOLEN_TSTAMP_APPA && !(tiflags & TH_SYN) &&
	    cp[0] == TCPOPT_NOP && cp[1] == TCPOPT_NOP &&
	    cp[2] == TCPOPT_TIMESTAMP && cp[3] == TCPOLEN_TIMESTAMP) {
		ts->ts_present = TRUE;
		ts->ts_val = wire_get32(cp + 4);
		ts->ts_ecr = wire_get32(cp + 8);
		return;
	}
	for (; cnt > 0; cnt -= optlen, cp += optlen) {
		opt = cp[0];
		if (opt == TCPOPT_EOL)
			break;
		if (opt == TCPOPT_NOP) {
			optlen = 1;
			continue;
		}
		if (cnt < 2)
			break;
		optlen = cp[1];
		if (optlen < 2 || optlen > cnt)
			break;
		switch (opt) {
		case TCPOPT_MAXSEG:
			if (optlen != TCPOLEN_MAXSEG || !(tiflags & TH_SYN))
				continue;
			(void)tcp_mss(tp, wire_get16(cp + 2));
			break;
		case TCPOPT_WINDOW:
			if (optlen != TCPOLEN_WINDOW || !(tiflags & TH_SYN))
				continue;
			tp->t_flags |= TF_RCVD_SCALE;
			tp->requested_s_scale = MIN(cp[2], TCP_MAX_WINSHIFT);
			break;
		case TCPOPT_TIMESTAMP:
			if (optlen != TCPOLEN_TIMESTAMP)
				continue;
			ts->ts_present = TRUE;
			ts->ts_val = wire_get32(cp + 2);
			ts->ts_ecr = wire_get32(cp + 6);
			if (tiflags & TH_SYN) {
				tp->t_flags |= TF_RCVD_TSTMP;
				tp->ts_recent = ts->ts_val;
				tp->ts_recent_age = tp->t_stack->tcp_now;
			}
			break;
		default:
			break;
		}
	}
}

/*
 * Insert a segment (seq, len, FIN in flags, payload m) into the
 * reassembly queue, trimming what overlaps data already queued, then
 * hand every segment that is now in order to the socket.  With m NULL
 * only the second half runs (after the connection is established).
 * Returns TH_FIN if a FIN became in order.
 */
static uint8_t
tcp_reass(struct tcpcb *tp, tcp_seq seq, uint32_t len, uint8_t flags,
	  sim_pkt *m)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;
	struct tcp_reass_ent *q, *prev = NULL, *ent;

	if (m == NULL)
		goto present;

	/* The first queued segment beginning after this one. */
	for (q = tp->t_reass; q && !SEQ_GT(q->seq, seq); q = q->next)
		prev = q;

	/* Trim what the preceding segment already covers. */
	if (prev) {
		int32_t i = (int32_t)(prev->seq + prev->len - seq);
		if (i > 0) {
			if ((uint32_t)i >= len) {
				tcpstat_inc(st, rcvduppack);
				st->tcpstat.tcps_rcvdupbyte += len;
				tp->cs->rcvduppack++;
				sim_pkt_unref(m);
				return 0;
			}
			sim_pkt_pull(m, (uint32_t)i);
			len -= (uint32_t)i;
			seq += (uint32_t)i;
		}
	}
	tcpstat_inc(st, rcvoopack);
	st->tcpstat.tcps_rcvoobyte += len;
	tp->cs->rcvoopack++;

	/* Trim or remove the following segments this one covers. */
	while (q && SEQ_GT(seq + len, q->seq)) {
		int32_t i = (int32_t)(seq + len - q->seq);
		if ((uint32_t)i < q->len) {
			q->seq += (uint32_t)i;
			q->len -= (uint32_t)i;
			sim_pkt_pull(q->m, (uint32_t)i);
			break;
		}
		struct tcp_reass_ent *nq = q->next;
		/* A queued FIN covered by this segment stays with it. */
		flags |= q->flags & TH_FIN;
		sim_pkt_unref(q->m);
		st->rcv_held--;
		g_free(q);
		if (prev)
			prev->next = nq;
		else
			tp->t_reass = nq;
		q = nq;
	}

	ent = g_new(struct tcp_reass_ent, 1);
	ent->seq = seq;
	ent->len = len;
	ent->flags = flags & TH_FIN;
	ent->m = m;
	ent->next = q;
	st->rcv_held++;
	if (prev)
		prev->next = ent;
	else
		tp->t_reass = ent;

present:
	/* Present data to the user once the connection is established. */
	if (!TCPS_HAVEESTABLISHED(tp->t_state))
		return 0;
	q = tp->t_reass;
	if (!q || q->seq != tp->rcv_nxt)
		return 0;
	if (tp->t_state == TCPS_SYN_RECEIVED && q->len)
		return 0;
	flags = 0;
	do {
		tp->rcv_nxt += q->len;
		flags = q->flags & TH_FIN;
		tp->t_reass = q->next;
		st->rcv_held--;
		if (so->so_state & SS_CANTRCVMORE)
			sim_pkt_unref(q->m);
		else
			sb_rcv_append(&so->so_rcv, q->m);
		g_free(q);
		q = tp->t_reass;
	} while (q && q->seq == tp->rcv_nxt);
	sorwakeup(so);
	return flags;
}

/*
 * The handshake is complete (our SYN was ACKed in SYN_SENT, or the ACK of
 * our SYN|ACK came in SYN_RECEIVED): the socket is connected, the
 * keepalive timer starts, window scaling takes effect if both asked for
 * it, and data that waited in the reassembly queue is delivered.
 */
static void
tcp_established(struct tcpcb *tp)
{
	soisconnected(tp->t_socket);
	tp->t_state = TCPS_ESTABLISHED;
	tp->t_timer[TCPT_KEEP] = tp->t_stack->tv_keep_idle;
	if ((tp->t_flags & (TF_RCVD_SCALE | TF_REQ_SCALE)) ==
	    (TF_RCVD_SCALE | TF_REQ_SCALE)) {
		tp->snd_scale = tp->requested_s_scale;
		tp->rcv_scale = tp->request_r_scale;
	}
	(void)tcp_reass(tp, 0, 0, 0, NULL);
}

/*
 * The ACK policy for data that arrived: in order (delay the ACK) or
 * not (BSD and Linux ACK at once; SunOS 4.1 delays that too).
 */
static void
tcp_ack_policy(struct tcpcb *tp, gboolean in_order, uint32_t len,
	       uint8_t tiflags)
{
	ip_stack *st = tp->t_stack;
	sim_time_t now = sim_now(st->sim);

	switch (st->pers.ack_policy) {
	case TCP_ACK_BSD:
		tp->t_flags |= in_order ? TF_DELACK : TF_ACKNOW;
		break;
	case TCP_ACK_SUNOS:
		tp->t_flags |= TF_DELACK;
		break;
	case TCP_ACK_LINUX: {
		/*
		 * Linux 2.x (tcp_input.c, tcp_data_queue/__tcp_ack_snd_check):
		 * ACK at once after two full segments since the last ACK, in
		 * quick-ACK mode (the first data of a connection), or when
		 * data is out of order; otherwise after ato, an estimate of
		 * the inter-arrival time bounded by [delack_min, delack_max]
		 * (Linux 2.0: delack_min after a small segment with PSH).
		 * The estimate is ours: half the old one plus the gap.
		 */
		sim_time_t gap = now - tp->t_last_data;
		if (tp->t_last_data != 0 && gap < st->pers.delack_max) {
			sim_time_t ato = tp->t_ato / 2 + gap;
			tp->t_ato = CLAMP(ato, st->pers.delack_min,
					  st->pers.delack_max);
		}
		tp->t_last_data = now;
		/*
		 * A full segment is the MSS less the options every segment
		 * carries: with RFC 1323 timestamps in use, 12 bytes (Linux
		 * measures rcv_mss from the segments that arrive, so a
		 * timestamped full segment counts as full).
		 */
		uint32_t full = tp->t_maxseg;
		if ((tp->t_flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP)) ==
		    (TF_REQ_TSTMP | TF_RCVD_TSTMP))
			full -= TCPOLEN_TSTAMP_APPA;
		if (st->pers.delack_psh_min && (tiflags & TH_PUSH) &&
		    len < full)
			tp->t_ato = st->pers.delack_min;
		if (len >= full)
			tp->t_segs_unacked++;
		if (!in_order || (tp->t_flags & TF_QUICKACK) ||
		    tp->t_segs_unacked >= 2 || tp->t_reass) {
			tp->t_flags &= ~TF_QUICKACK;
			tp->t_flags |= TF_ACKNOW;
		} else {
			tp->t_flags |= TF_DELACK;
			tcp_linux_delack_arm(tp);
		}
		break;
	}
	}
	if (tp->t_flags & TF_DELACK)
		st->delack_maybe = TRUE; /* for the fast tick */
}

void
tcp_input(ip_stack *st, sim_pkt *m, uint32_t src, uint32_t dst,
	  uint32_t iphlen, uint32_t iplen)
{
	struct tcpcb *tp = NULL;
	struct socket *so = NULL, *dropsocket = NULL;
	struct tcp_seg ts = { .src = src, .dst = dst };
	struct tcp_hdr_info *th = &ts.th;
	uint8_t optbuf[TCP_MAXOLEN];
	int optlen = 0;
	uint8_t tiflags;
	tcp_seq ti_seq, ti_ack;
	uint32_t tiwin, ti_len, tlen;
	int32_t todrop;
	uint32_t acked;
	int ourfinisacked, needoutput = 0;
	tcp_seq iss = 0;

	tcpstat_inc(st, rcvtotal);
	tlen = iplen - iphlen;
	if (tlen < TCP_HDR_LEN) {
		tcpstat_inc(st, rcvshort);
		goto drop;
	}
	/* The checksum covers the pseudo header, header and data. */
	{
		uint32_t sum = in_pseudo(src, dst, IPPROTO_TCP, tlen);
		sum = in_cksum_pkt(sum, m, iphlen, tlen);
		if (in_cksum_fold(sum) != 0) {
			tcpstat_inc(st, rcvbadsum);
			goto drop;
		}
	}
	sim_pkt_pull(m, iphlen);
	if (!sim_pkt_pullup(m, TCP_HDR_LEN)) {
		tcpstat_inc(st, rcvshort);
		goto drop;
	}
	tcp_hdr_parse(sim_pkt_hdr(m), th);
	if (th->off < TCP_HDR_LEN || th->off > tlen) {
		tcpstat_inc(st, rcvbadoff);
		goto drop;
	}
	optlen = th->off - TCP_HDR_LEN;
	if (optlen) {
		if (!sim_pkt_pullup(m, th->off)) {
			tcpstat_inc(st, rcvbadoff);
			goto drop;
		}
		memcpy(optbuf, sim_pkt_hdr(m) + TCP_HDR_LEN, optlen);
	}
	sim_pkt_pull(m, th->off);
	ti_len = tlen - th->off;
	ts.len = ti_len;
	tiflags = th->flags;
	ti_seq = th->seq;
	ti_ack = th->ack;

	/*
	 * SYN|RST means nothing sane: dropped and counted (Lite would take
	 * it as a RST; later BSDs drop it).  SYN|FIN is processed as Lite
	 * does: a SYN whose FIN waits in the reassembly queue.
	 */
	if ((tiflags & TH_SYN) && (tiflags & TH_RST)) {
		tcpstat_inc(st, badflags);
		goto drop;
	}

findpcb:
	tp = tcp_pcblookup(st, src, th->sport, dst, th->dport, TRUE);
	if (tp == NULL) {
		tcpstat_inc(st, noport);
		goto dropwithreset;
	}
	if (tp->t_state == TCPS_CLOSED)
		goto drop;
	tcp_tick_touch(tp);
	so = tp->t_socket;

	/* Window in the header: scaled unless on a SYN (RFC 1323 §2.2). */
	tiwin = th->win;
	if (!(tiflags & TH_SYN))
		tiwin <<= tp->snd_scale;

	if (so->so_options & SO_ACCEPTCONN) {
		/* A listener: only a lone SYN may make a connection. */
		if (tiflags & TH_RST)
			goto drop;
		if (tiflags & TH_ACK)
			goto dropwithreset;
		if (!(tiflags & TH_SYN))
			goto drop;
		struct socket *so2 = sonewconn(so);
		if (so2 == NULL) {
			tcpstat_inc(st, listendrop);
			goto drop;
		}
		so = so2;
		dropsocket = so;
		so->inp_laddr = dst;
		so->inp_lport = th->dport;
		tcp_lport_hold(so);
		so->inp_faddr = src;
		so->inp_fport = th->sport;
		tp = so->so_pcb;
		tcp_pcb_index(tp);
		tcp_tick_touch(tp);
		tp->t_state = TCPS_LISTEN;
		while (tp->request_r_scale < TCP_MAX_WINSHIFT &&
		       ((uint32_t)TCP_MAXWIN << tp->request_r_scale) <
			   so->so_rcv.sb_hiwat)
			tp->request_r_scale++;
	}

	/* Segment received: the connection is not idle. */
	tp->t_idle = 0;
	if (TCPS_HAVEESTABLISHED(tp->t_state))
		tp->t_timer[TCPT_KEEP] = st->tv_keep_idle;

	if (optlen && tp->t_state != TCPS_LISTEN)
		tcp_dooptions(tp, optbuf, optlen, tiflags, &ts);

	tcp_trace_seg(tp, FALSE, ti_seq,
		      ti_len + ((tiflags & (TH_SYN | TH_FIN)) != 0), tiflags,
		      ti_ack, tiwin, FALSE);
	if (ti_len) {
		tp->cs->rcvpack++;
		tp->cs->rcvbyte += ti_len;
	}

	/*
	 * Header prediction: an established connection, a plain ACK (data
	 * or not), the next expected sequence, the same window, nothing
	 * being retransmitted.
	 */
	if (tp->t_state == TCPS_ESTABLISHED &&
	    (tiflags & (TH_SYN | TH_FIN | TH_RST | TH_URG | TH_ACK)) == TH_ACK &&
	    (!ts.ts_present || TSTMP_GEQ(ts.ts_val, tp->ts_recent)) &&
	    ti_seq == tp->rcv_nxt && tiwin && tiwin == tp->snd_wnd &&
	    tp->snd_nxt == tp->snd_max) {
		/* Record the timestamp if it covers last_ack_sent. */
		if (ts.ts_present && SEQ_LEQ(ti_seq, tp->last_ack_sent) &&
		    SEQ_LT(tp->last_ack_sent, ti_seq + ti_len)) {
			tp->ts_recent_age = st->tcp_now;
			tp->ts_recent = ts.ts_val;
		}
		if (ti_len == 0) {
			if (SEQ_GT(ti_ack, tp->snd_una) &&
			    SEQ_LEQ(ti_ack, tp->snd_max) &&
			    tp->snd_cwnd >= tp->snd_wnd) {
				/* A pure ACK for outstanding data. */
				tcpstat_inc(st, predack);
				if (ts.ts_present)
					tcp_xmit_timer(tp, (int)(st->tcp_now -
								 ts.ts_ecr + 1));
				else if (tp->t_rtt &&
					 SEQ_GT(ti_ack, tp->t_rtseq))
					tcp_xmit_timer(tp, tp->t_rtt);
				acked = ti_ack - tp->snd_una;
				tcpstat_inc(st, rcvackpack);
				st->tcpstat.tcps_rcvackbyte += acked;
				sb_snd_drop(&so->so_snd, acked);
				tp->snd_una = ti_ack;
				sim_pkt_unref(m);
				m = NULL;
				/*
				 * All acknowledged: stop the retransmit
				 * timer; else restart it (unless persisting).
				 */
				if (tp->snd_una == tp->snd_max)
					tp->t_timer[TCPT_REXMT] = 0;
				else if (tp->t_timer[TCPT_PERSIST] == 0)
					tp->t_timer[TCPT_REXMT] = tp->t_rxtcur;
				sowwakeup(so);
				if (so->so_snd.sb_cc)
					(void)tcp_output(tp);
				return;
			}
		} else if (ti_ack == tp->snd_una && tp->t_reass == NULL &&
			   ti_len <= tcp_rcvwin(tp)) {
			/* The next in-order data, nothing outstanding. */
			tcpstat_inc(st, preddat);
			tcpstat_inc(st, rcvpack);
			st->tcpstat.tcps_rcvbyte += ti_len;
			tp->rcv_nxt += ti_len;
			sb_rcv_append(&so->so_rcv, m);
			m = NULL;
			sorwakeup(so);
			tcp_ack_policy(tp, TRUE, ti_len, tiflags);
			if (tp->t_flags & TF_ACKNOW)
				(void)tcp_output(tp);
			return;
		}
	}

	/*
	 * The slow path.  The receive window is what the socket allows, but
	 * never less than what was already advertised.
	 */
	{
		int32_t win = (int32_t)tcp_rcvwin(tp);
		if (win < 0)
			win = 0;
		tp->rcv_wnd = (uint32_t)MAX(win,
					    (int32_t)(tp->rcv_adv - tp->rcv_nxt));
	}

	switch (tp->t_state) {
	case TCPS_LISTEN:
		/*
		 * A SYN for a listener (RST, ACK and non-SYN were weeded out
		 * above).  Set up the new connection in SYN_RECEIVED.
		 */
		if (optlen)
			tcp_dooptions(tp, optbuf, optlen, tiflags,
						 &ts);
		tp->iss = iss ? iss : st->tcp_iss;
		st->tcp_iss += TCP_ISSINCR / 2;
		tp->irs = ti_seq;
		tcp_sendseqinit(tp);
		tcp_rcvseqinit(tp);
		tp->t_flags |= TF_ACKNOW | TF_QUICKACK;
		tp->t_state = TCPS_SYN_RECEIVED;
		tp->t_timer[TCPT_KEEP] = st->tv_keep_init;
		dropsocket = NULL;      /* committed to the connection */
		tcpstat_inc(st, accepts);
		goto trimthenstep6;

	case TCPS_SYN_SENT:
		/*
		 * Waiting for the SYN|ACK of our SYN.  An ACK must cover our
		 * SYN and nothing more; a RST with such an ACK refuses the
		 * connection.
		 */
		if ((tiflags & TH_ACK) &&
		    (SEQ_LEQ(ti_ack, tp->iss) || SEQ_GT(ti_ack, tp->snd_max)))
			goto dropwithreset;
		if (tiflags & TH_RST) {
			if (tiflags & TH_ACK)
				tp = tcp_drop(tp, ECONNREFUSED);
			goto drop;
		}
		if (!(tiflags & TH_SYN))
			goto drop;
		if (tiflags & TH_ACK) {
			tp->snd_una = ti_ack;
			if (SEQ_LT(tp->snd_nxt, tp->snd_una))
				tp->snd_nxt = tp->snd_una;
		}
		tp->t_timer[TCPT_REXMT] = 0;
		tp->irs = ti_seq;
		tcp_rcvseqinit(tp);
		tp->t_flags |= TF_ACKNOW | TF_QUICKACK;
		if ((tiflags & TH_ACK) && SEQ_GT(tp->snd_una, tp->iss)) {
			tcpstat_inc(st, connects);
			tcp_established(tp);
			/* Our SYN was timed: that is an RTT sample. */
			if (tp->t_rtt)
				tcp_xmit_timer(tp, tp->t_rtt);
		} else {
			/*
			 * Simultaneous open: both SYNs crossed.  Answer with
			 * SYN|ACK; it repeats our SYN, so it carries the ISS
			 * (snd_nxt back to snd_una, the SYN not yet acked).
			 */
			tp->t_state = TCPS_SYN_RECEIVED;
			tp->snd_nxt = tp->snd_una;
		}

	trimthenstep6:
		/*
		 * The SYN takes one sequence number.  Drop data beyond the
		 * window (and a FIN with it).
		 */
		ti_seq++;
		if (ti_len > tp->rcv_wnd) {
			todrop = (int32_t)(ti_len - tp->rcv_wnd);
			pkt_trim_tail(m, (uint32_t)todrop);
			ti_len = tp->rcv_wnd;
			tiflags &= ~TH_FIN;
			tcpstat_inc(st, rcvpackafterwin);
			st->tcpstat.tcps_rcvbyteafterwin += (uint32_t)todrop;
		}
		tp->snd_wl1 = ti_seq - 1;
		tp->rcv_up = ti_seq;
		goto step6;
	default:
		break;
	}

	/*
	 * PAWS (RFC 1323 §4.2): a segment whose timestamp is older than
	 * ts_recent is an old duplicate, unless ts_recent is older than 24
	 * days (then it is invalidated).  An old RST is not acked.
	 */
	if (ts.ts_present && !(tiflags & TH_RST) && tp->ts_recent &&
	    TSTMP_LT(ts.ts_val, tp->ts_recent)) {
		uint32_t days24 = (uint32_t)(24 * 24 * 60 * 60 *
					     (SIM_S / st->pers.slowtick));
		if ((int32_t)(st->tcp_now - tp->ts_recent_age) > (int32_t)days24) {
			tp->ts_recent = 0;
		} else {
			tcpstat_inc(st, rcvduppack);
			st->tcpstat.tcps_rcvdupbyte += ti_len;
			tcpstat_inc(st, pawsdrop);
			goto dropafterack;
		}
	}

	/*
	 * Trim what we have already received from the front (TCPIP2
	 * pp. 959-960).  What a segment that is wholly old gets depends on
	 * the personality (enum tcp_olddup_rule): Lite ACKs it and goes no
	 * further (so an old RST is dropped and an old SYN is ACKed), Lite2
	 * ACKs it but still processes its RST and ACK, Tahoe ACKs it
	 * without Lite's FIN exception.
	 */
	todrop = (int32_t)(tp->rcv_nxt - ti_seq);
	if (todrop > 0) {
		gboolean whole;
		if (tiflags & TH_SYN) {
			tiflags &= ~TH_SYN;
			ti_seq++;
			todrop--;
		}
		if (st->pers.olddup == TCP_OLDDUP_LITE)
			whole = (uint32_t)todrop >= ti_len;
		else
			whole = (uint32_t)todrop > ti_len ||
				((uint32_t)todrop == ti_len &&
				 !(tiflags & TH_FIN));
		if (whole) {
			tcpstat_inc(st, rcvduppack);
			st->tcpstat.tcps_rcvdupbyte += ti_len;
			tp->cs->rcvduppack++;
		} else {
			tcpstat_inc(st, rcvpartduppack);
			st->tcpstat.tcps_rcvpartdupbyte += (uint32_t)todrop;
		}
		if (whole && st->pers.olddup == TCP_OLDDUP_LITE) {
			if ((tiflags & TH_FIN) &&
			    (uint32_t)todrop == ti_len + 1) {
				/* Only the FIN is old: ACK it, go on (no
				 * FIN wars when both FINs crossed). */
				todrop = (int32_t)ti_len;
				tiflags &= ~TH_FIN;
				tp->t_flags |= TF_ACKNOW;
			} else if (todrop != 0 || !(tiflags & TH_ACK)) {
				goto dropafterack;
			}
			/* else a SYN|ACK just left of the window (Lite's
			 * "socket connected to itself" case): go on. */
		} else if (whole && st->pers.olddup == TCP_OLDDUP_TAHOE) {
			goto dropafterack;
		} else if (whole) {
			/* Lite2: ACK to resynchronise, keep processing. */
			tiflags &= ~TH_FIN;
			tp->t_flags |= TF_ACKNOW;
			todrop = (int32_t)ti_len;
		}
		sim_pkt_pull(m, (uint32_t)todrop);
		ti_seq += (uint32_t)todrop;
		ti_len -= (uint32_t)todrop;
	}

	/* Data arriving after the user closed: nobody will read it. */
	if ((so->so_state & SS_NOFDREF) && tp->t_state > TCPS_CLOSE_WAIT &&
	    ti_len) {
		tp = tcp_close(tp);
		tcpstat_inc(st, rcvafterclose);
		goto dropwithreset;
	}

	/* Trim what lies beyond the right edge of the window. */
	todrop = (int32_t)(ti_seq + ti_len - (tp->rcv_nxt + tp->rcv_wnd));
	if (todrop > 0) {
		tcpstat_inc(st, rcvpackafterwin);
		if ((uint32_t)todrop >= ti_len) {
			st->tcpstat.tcps_rcvbyteafterwin += ti_len;
			/*
			 * A new SYN for a connection in TIME_WAIT with a
			 * higher sequence number: the old incarnation is
			 * finished, start a new one (RFC 1122 4.2.2.13).
			 */
			if ((tiflags & TH_SYN) &&
			    tp->t_state == TCPS_TIME_WAIT &&
			    SEQ_GT(ti_seq, tp->rcv_nxt)) {
				iss = tp->snd_nxt + TCP_ISSINCR;
				if (iss == 0)
					iss = 1;
				tp = tcp_close(tp);
				goto findpcb;
			}
			/*
			 * A zero window probe (window closed, segment at
			 * rcv_nxt) is answered; anything else out of window
			 * only gets an ACK.
			 */
			if (tp->rcv_wnd == 0 && ti_seq == tp->rcv_nxt) {
				tp->t_flags |= TF_ACKNOW;
				tcpstat_inc(st, rcvwinprobe);
			} else {
				goto dropafterack;
			}
		} else {
			st->tcpstat.tcps_rcvbyteafterwin += (uint32_t)todrop;
		}
		pkt_trim_tail(m, (uint32_t)todrop);
		ti_len -= (uint32_t)todrop;
		tiflags &= ~(TH_PUSH | TH_FIN);
	}

	/* Remember the timestamp to echo (RFC 1323 §4.3 as 4.4BSD). */
	if (ts.ts_present && SEQ_LEQ(ti_seq, tp->last_ack_sent) &&
	    SEQ_LT(tp->last_ack_sent,
		   ti_seq + ti_len + ((tiflags & (TH_SYN | TH_FIN)) != 0))) {
		tp->ts_recent_age = st->tcp_now;
		tp->ts_recent = ts.ts_val;
	}

	/* An acceptable RST closes the connection. */
	if (tiflags & TH_RST) {
		switch (tp->t_state) {
		case TCPS_SYN_RECEIVED:
			so->so_error = ECONNREFUSED;
			goto close;
		case TCPS_ESTABLISHED:
		case TCPS_FIN_WAIT_1:
		case TCPS_FIN_WAIT_2:
		case TCPS_CLOSE_WAIT:
			so->so_error = ECONNRESET;
		close:
			tp->t_state = TCPS_CLOSED;
			tcpstat_inc(st, drops);
			tp = tcp_close(tp);
			goto drop;
		case TCPS_CLOSING:
		case TCPS_LAST_ACK:
		case TCPS_TIME_WAIT:
			tp = tcp_close(tp);
			goto drop;
		}
	}

	/* A SYN in the window is an error: reset the connection. */
	if (tiflags & TH_SYN) {
		tp = tcp_drop(tp, ECONNRESET);
		goto dropwithreset;
	}

	if (!(tiflags & TH_ACK))
		goto drop;

	/* ACK processing. */
	switch (tp->t_state) {
	case TCPS_SYN_RECEIVED:
		/* The ACK of our SYN|ACK completes the handshake. */
		if (SEQ_GT(tp->snd_una, ti_ack) || SEQ_GT(ti_ack, tp->snd_max))
			goto dropwithreset;
		tcpstat_inc(st, connects);
		tcp_established(tp);
		tp->snd_wl1 = ti_seq - 1;
		/* FALLTHROUGH */

	case TCPS_ESTABLISHED:
	case TCPS_FIN_WAIT_1:
	case TCPS_FIN_WAIT_2:
	case TCPS_CLOSE_WAIT:
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
	case TCPS_TIME_WAIT:
		if (SEQ_LEQ(ti_ack, tp->snd_una)) {
			if (ti_len == 0 && tiwin == tp->snd_wnd) {
				tcpstat_inc(st, rcvdupack);
				tp->cs->rcvdupack++;
				/*
				 * A duplicate ACK with data outstanding.  The
				 * third starts fast retransmit: resend the
				 * missing segment, halve the window into
				 * ssthresh and, for fast recovery, inflate
				 * cwnd by the three segments that left the
				 * network.  Each further duplicate inflates it
				 * by one more segment.
				 */
				if (tp->t_timer[TCPT_REXMT] == 0 ||
				    ti_ack != tp->snd_una) {
					tp->t_dupacks = 0;
				} else if (++tp->t_dupacks == TCP_REXMTTHRESH) {
					tcp_seq onxt = tp->snd_nxt;
					uint32_t win = MIN(tp->snd_wnd,
							   tp->snd_cwnd) /
					    2 / tp->t_maxseg;
					if (win < 2)
						win = 2;
					tp->snd_ssthresh = win * tp->t_maxseg;
					tp->t_timer[TCPT_REXMT] = 0;
					tp->t_rtt = 0;
					tp->snd_nxt = ti_ack;
					tp->snd_cwnd = tp->t_maxseg;
					tcpstat_inc(st, fastrexmt);
					tp->cs->fastrexmt++;
					(void)tcp_output(tp);
					tp->snd_cwnd = tp->snd_ssthresh +
					    tp->t_maxseg * tp->t_dupacks;
					if (SEQ_GT(onxt, tp->snd_nxt))
						tp->snd_nxt = onxt;
					goto drop;
				} else if (tp->t_dupacks > TCP_REXMTTHRESH) {
					tp->snd_cwnd += tp->t_maxseg;
					(void)tcp_output(tp);
					goto drop;
				}
			} else {
				tp->t_dupacks = 0;
			}
			break;
		}
		/*
		 * New data acknowledged.  Leaving fast recovery, deflate the
		 * window to ssthresh.
		 */
		if (tp->t_dupacks > TCP_REXMTTHRESH &&
		    tp->snd_cwnd > tp->snd_ssthresh)
			tp->snd_cwnd = tp->snd_ssthresh;
		tp->t_dupacks = 0;
		if (SEQ_GT(ti_ack, tp->snd_max)) {
			tcpstat_inc(st, rcvacktoomuch);
			goto dropafterack;
		}
		acked = ti_ack - tp->snd_una;
		tcpstat_inc(st, rcvackpack);
		st->tcpstat.tcps_rcvackbyte += acked;

		/*
		 * An RTT sample: from the timestamp echo, or (Karn) from the
		 * timed segment if it was not retransmitted (t_rtt is zeroed
		 * on retransmission).
		 */
		if (ts.ts_present)
			tcp_xmit_timer(tp, (int)(st->tcp_now - ts.ts_ecr + 1));
		else if (tp->t_rtt && SEQ_GT(ti_ack, tp->t_rtseq))
			tcp_xmit_timer(tp, tp->t_rtt);

		if (ti_ack == tp->snd_max) {
			tp->t_timer[TCPT_REXMT] = 0;
			needoutput = 1;
		} else if (tp->t_timer[TCPT_PERSIST] == 0) {
			tp->t_timer[TCPT_REXMT] = tp->t_rxtcur;
		}

		/*
		 * Open the congestion window: by a segment per ACK in slow
		 * start (below ssthresh), by about a segment per window in
		 * congestion avoidance (4.4BSD-Lite adds maxseg/8 there).
		 */
		{
			uint32_t cw = tp->snd_cwnd;
			uint32_t incr = tp->t_maxseg;
			if (cw > tp->snd_ssthresh) {
				incr = incr * incr / cw;
				if (st->pers.ca_mss8)
					incr += tp->t_maxseg / 8;
			}
			tp->snd_cwnd = MIN(cw + incr,
					   (uint32_t)TCP_MAXWIN << tp->snd_scale);
		}

		if (acked > so->so_snd.sb_cc) {
			/* The ACK covers our FIN as well. */
			tp->snd_wnd -= so->so_snd.sb_cc;
			sb_snd_drop(&so->so_snd, so->so_snd.sb_cc);
			ourfinisacked = 1;
		} else {
			sb_snd_drop(&so->so_snd, acked);
			tp->snd_wnd -= acked;
			ourfinisacked = 0;
		}
		sowwakeup(so);
		tp->snd_una = ti_ack;
		if (SEQ_LT(tp->snd_nxt, tp->snd_una))
			tp->snd_nxt = tp->snd_una;

		switch (tp->t_state) {
		case TCPS_FIN_WAIT_1:
			/*
			 * Our FIN is acked: FIN_WAIT_2.  If the user can no
			 * longer read, do not wait for the peer's FIN for
			 * ever (tcp_maxidle, then the 2MSL timer closes).
			 */
			if (ourfinisacked) {
				if (so->so_state & SS_CANTRCVMORE) {
					soisdisconnected(so);
					tp->t_timer[TCPT_2MSL] = st->tv_maxidle;
				}
				tp->t_state = TCPS_FIN_WAIT_2;
			}
			break;
		case TCPS_CLOSING:
			if (ourfinisacked) {
				tp->t_state = TCPS_TIME_WAIT;
				tcp_canceltimers(tp);
				tp->t_timer[TCPT_2MSL] = 2 * st->tv_msl;
				soisdisconnected(so);
			}
			break;
		case TCPS_LAST_ACK:
			if (ourfinisacked) {
				tp = tcp_close(tp);
				goto drop;
			}
			break;
		case TCPS_TIME_WAIT:
			/* A retransmitted FIN: ACK it and restart 2MSL. */
			tp->t_timer[TCPT_2MSL] = 2 * st->tv_msl;
			goto dropafterack;
		}
	}

step6:
	/*
	 * Window update, if the segment is newer than the last one that
	 * updated it (RFC 793 p. 72: SND.WL1, SND.WL2).
	 */
	if ((tiflags & TH_ACK) &&
	    (SEQ_LT(tp->snd_wl1, ti_seq) ||
	     (tp->snd_wl1 == ti_seq &&
	      (SEQ_LT(tp->snd_wl2, ti_ack) ||
	       (tp->snd_wl2 == ti_ack && tiwin > tp->snd_wnd))))) {
		if (ti_len == 0 && tp->snd_wl2 == ti_ack &&
		    tiwin > tp->snd_wnd)
			tcpstat_inc(st, rcvwinupd);
		tp->snd_wnd = tiwin;
		tp->snd_wl1 = ti_seq;
		tp->snd_wl2 = ti_ack;
		if (tp->snd_wnd > tp->max_sndwnd)
			tp->max_sndwnd = tp->snd_wnd;
		needoutput = 1;
	}

	/* (Urgent data is not supported: URG is ignored, as is rcv_up.) */

	/*
	 * Data and FIN.  In-order data on an established connection with
	 * nothing queued goes straight to the socket (TCP_REASS); the rest
	 * goes through the reassembly queue and is acknowledged at once.
	 */
	if ((ti_len || (tiflags & TH_FIN)) &&
	    !TCPS_HAVERCVDFIN(tp->t_state)) {
		if (ti_len) {
			tcpstat_inc(st, rcvpack);
			st->tcpstat.tcps_rcvbyte += ti_len;
		}
		if (ti_seq == tp->rcv_nxt && tp->t_reass == NULL &&
		    tp->t_state == TCPS_ESTABLISHED) {
			tcp_ack_policy(tp, TRUE, ti_len, tiflags);
			tp->rcv_nxt += ti_len;
			tiflags &= TH_FIN;
			if (ti_len)
				sb_rcv_append(&so->so_rcv, m);
			else
				sim_pkt_unref(m);
			m = NULL;
			sorwakeup(so);
		} else {
			gboolean ooo = ti_seq != tp->rcv_nxt;
			tiflags = tcp_reass(tp, ti_seq, ti_len, tiflags, m);
			m = NULL;
			if (ooo)
				tcp_ack_policy(tp, FALSE, ti_len, tiflags);
			else
				tp->t_flags |= TF_ACKNOW;
		}
	} else {
		tiflags &= ~TH_FIN;
	}

	/* A FIN: the peer sends no more. */
	if (tiflags & TH_FIN) {
		if (!TCPS_HAVERCVDFIN(tp->t_state)) {
			socantrcvmore(so);
			tp->t_flags |= TF_ACKNOW;
			tp->rcv_nxt++;
		}
		switch (tp->t_state) {
		case TCPS_SYN_RECEIVED:
		case TCPS_ESTABLISHED:
			tp->t_state = TCPS_CLOSE_WAIT;
			break;
		case TCPS_FIN_WAIT_1:
			tp->t_state = TCPS_CLOSING;
			break;
		case TCPS_FIN_WAIT_2:
			tp->t_state = TCPS_TIME_WAIT;
			tcp_canceltimers(tp);
			tp->t_timer[TCPT_2MSL] = 2 * st->tv_msl;
			soisdisconnected(so);
			break;
		case TCPS_TIME_WAIT:
			tp->t_timer[TCPT_2MSL] = 2 * st->tv_msl;
			break;
		}
	}

	if (needoutput || (tp->t_flags & TF_ACKNOW))
		(void)tcp_output(tp);
	sim_pkt_unref(m);
	return;

dropafterack:
	/* Answer an unacceptable segment with an ACK (never a RST). */
	if (tiflags & TH_RST)
		goto drop;
	sim_pkt_unref(m);
	tp->t_flags |= TF_ACKNOW;
	(void)tcp_output(tp);
	return;

dropwithreset:
	/*
	 * Answer with a RST: its sequence number is the segment's ACK, or
	 * zero with an ACK of everything the segment occupied.  Never
	 * answer a RST.
	 */
	if (tiflags & TH_RST)
		goto drop;
	if (tiflags & TH_ACK) {
		tcp_respond(st, NULL, dst, src, th->dport, th->sport, 0,
			    ti_ack, TH_RST);
	} else {
		if (tiflags & TH_SYN)
			ti_len++;
		tcp_respond(st, NULL, dst, src, th->dport, th->sport,
			    ti_seq + ti_len, 0, TH_RST | TH_ACK);
	}
	if (dropsocket)
		soabort(dropsocket);
	sim_pkt_unref(m);
	return;

drop:
	if (dropsocket)
		soabort(dropsocket);
	sim_pkt_unref(m);
}
