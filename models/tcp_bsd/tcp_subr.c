/*
 * tcp_subr.c - creating and destroying control blocks, sending a bare
 * segment (tcp_respond), the MSS rule, PCB lookup and the counters.
 *
 * Order of life: so_socket() -> tcp_newtcpcb(); the connection runs;
 * tcp_close() (orderly end, or via tcp_drop() with an error, which first
 * sends a RST if the peer knows us) frees the control block, and the
 * socket too once the user has closed it (SS_NOFDREF), as 4.4BSD's
 * in_pcbdetach/sofree pair does.
 */
#include <string.h>

#include "ip_var.h"
#include "socketvar.h"

const char *const tcp_statenames[TCP_NSTATES] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2",
	"TIME_WAIT",
};

const uint8_t tcp_outflags[TCP_NSTATES] = {
	TH_RST | TH_ACK, 0, TH_SYN, TH_SYN | TH_ACK, TH_ACK, TH_ACK,
	TH_FIN | TH_ACK, TH_FIN | TH_ACK, TH_FIN | TH_ACK, TH_ACK, TH_ACK,
};

const char *const tcp_timernames[TCPT_NTIMERS] = {
	"REXMT", "PERSIST", "KEEP", "2MSL",
};

/* 4.4BSD tcp_timer.c: tcp_backoff[TCP_MAXRXTSHIFT + 1]. */
const int tcp_backoff[TCP_MAXRXTSHIFT_MAX + 1] = {
	1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
	64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
};

/*
 * A new control block in CLOSED, as tcp_newtcpcb: srtt 0 and rttvar
 * such that the first RTO is 2 * rtt_dflt (6 s for BSD), cwnd and
 * ssthresh wide open until tcp_mss() learns the segment size.
 */
struct tcpcb *
tcp_newtcpcb(struct socket *so)
{
	ip_stack *st = so->so_stack;
	struct tcpcb *tp = g_aligned_alloc0(1, sizeof(struct tcpcb), 64);

	tp->t_socket = so;
	tp->t_stack = st;
	tp->t_state = TCPS_CLOSED;
	tp->t_synced = st->slow_ticks; /* no timer runs: not queued */
	tp->t_qpos[0] = tp->t_qpos[1] = G_MAXUINT;
	tp->t_maxseg = st->pers.mssdflt;
	if (st->pers.do_rfc1323)
		tp->t_flags = TF_REQ_SCALE | TF_REQ_TSTMP;
	tp->t_srtt = 0;
	tp->t_rttvar = st->tv_srttdflt << 2;
	tp->t_rttmin = st->tv_min;
	TCPT_RANGESET(tp->t_rxtcur, (0 + (st->tv_srttdflt << 2)) >> 1,
		      st->tv_min, st->tv_rexmtmax);
	tp->snd_cwnd = (uint32_t)TCP_MAXWIN << TCP_MAX_WINSHIFT;
	tp->snd_ssthresh = (uint32_t)TCP_MAXWIN << TCP_MAX_WINSHIFT;
	tp->t_ato = st->pers.delack_min;
	tp->cs = g_new0(struct tcp_connstat, 1);
	tp->t_tseq = g_new0(sim_tracepoint, 1);
	tp->t_cs_shared = FALSE;

	/* The newest block, first in the list's order (in_pcballoc).  It
	 * has no foreign end yet, so it is not in the exact-match index
	 * until tcp_pcb_index(). */
	tp->t_vidx = st->tcb_vec->len;
	g_ptr_array_add(st->tcb_vec, tp);
	so->so_pcb = tp;
	return tp;
}

void
tcp_canceltimers(struct tcpcb *tp)
{
	for (int i = 0; i < TCPT_NTIMERS; i++)
		tp->t_timer[i] = 0;
}

/*
 * Close a connection: free the control block and the reassembly queue,
 * tell the socket, and free the socket if nobody holds it.  Returns NULL
 * so callers can write "tp = tcp_close(tp)".
 */
struct tcpcb *
tcp_close(struct tcpcb *tp)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;
	struct tcp_reass_ent *q, *qn;

	for (q = tp->t_reass; q; q = qn) {
		qn = q->next;
		sim_pkt_unref(q->m);
		st->rcv_held--;
		g_free(q);
	}
	tp->t_reass = NULL;
	tcp_tick_forget(tp);
	tcp_pcb_unindex(tp);
	tcp_lport_release(so);
	g_ptr_array_remove_index(st->tcb_vec, tp->t_vidx);
	for (guint i = tp->t_vidx; i < st->tcb_vec->len; i++)
		((struct tcpcb *)st->tcb_vec->pdata[i])->t_vidx = i;
	if (!tp->t_cs_shared) {
		g_free(tp->cs);
		g_free(tp->t_tseq);
	}
	g_aligned_free(tp);
	so->so_pcb = NULL;
	tcpstat_inc(st, closed);
	soisdisconnected(so);
	sofree(so);
	return NULL;
}

/*
 * Drop a connection, reporting error to the user.  If the peer has seen
 * our SYN it gets a RST (tcp_outflags[CLOSED] is RST|ACK).
 */
struct tcpcb *
tcp_drop(struct tcpcb *tp, int error)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;

	if (TCPS_HAVERCVDSYN(tp->t_state)) {
		tp->t_state = TCPS_CLOSED;
		(void)tcp_output(tp);
		tcpstat_inc(st, drops);
	} else {
		tcpstat_inc(st, conndrops);
	}
	if (error == ETIMEDOUT && tp->t_softerror)
		error = tp->t_softerror;
	so->so_error = error;
	return tcp_close(tp);
}

/* Source quench, and ENOBUFS from our own interface: back to one segment. */
void
tcp_quench(struct tcpcb *tp)
{
	tp->snd_cwnd = tp->t_maxseg;
}

/*
 * An ICMP error for a connection (tcp_notify, TCPIP2 p. 879), by the
 * personality's rule (enum tcp_icmp_rule).  Lite: host and network
 * unreachable are ignored once ESTABLISHED; otherwise the error is soft
 * (t_softerror, reported if the connection times out), unless the
 * connection is not yet established, has retransmitted more than 3
 * times and already had a soft error: then so_error (connect() returns
 * it; the connection itself is not dropped).  4.3BSD (SunOS 4.1):
 * in_pcbnotify sets so_error for every error.  Linux 2.x: in SYN_SENT
 * and SYN_RECEIVED the error is fatal at once (tcp_v4_err: the
 * connection is closed), later it is soft.
 */
static void
tcp_notify(struct tcpcb *tp, int error)
{
	struct socket *so = tp->t_socket;

	switch (tp->t_stack->pers.icmp) {
	case TCP_ICMP_LITE:
		if (tp->t_state == TCPS_ESTABLISHED &&
		    (error == EHOSTUNREACH || error == ENETUNREACH ||
		     error == EHOSTDOWN))
			return;
		if (!TCPS_HAVEESTABLISHED(tp->t_state) &&
		    tp->t_rxtshift > 3 && tp->t_softerror)
			so->so_error = error;
		else
			tp->t_softerror = error;
		break;
	case TCP_ICMP_43BSD:
		so->so_error = error;
		break;
	case TCP_ICMP_LINUX:
		if (!TCPS_HAVEESTABLISHED(tp->t_state)) {
			(void)tcp_drop(tp, error);
			return;
		}
		tp->t_softerror = error;
		break;
	}
	sorwakeup(so);
	sowwakeup(so);
}

/*
 * tcp_ctlinput: an ICMP error (or source quench) about a segment we
 * sent; ip is the IP header it quotes, followed by at least 8 bytes of
 * TCP header.  The errno of each kind is 4.4BSD's inetctlerrmap.
 */
void
tcp_ctlinput(ip_stack *st, int type, int code, const uint8_t *ip)
{
	uint32_t hl = (ip[IP_OFF_VHL] & 0x0f) << 2;
	const uint8_t *th = ip + hl;
	struct tcpcb *tp;
	int error = 0;

	tp = tcp_pcblookup(st, wire_get32(ip + IP_OFF_DST), wire_get16(th + 2),
			   wire_get32(ip + IP_OFF_SRC), wire_get16(th), FALSE);
	if (!tp)
		return;
	tcp_tick_touch(tp);
	if (type == ICMP_SOURCEQUENCH) {
		tcp_quench(tp);
		return;
	}
	switch (code) {
	case ICMP_UNREACH_NET:
	case ICMP_UNREACH_HOST:
	case ICMP_UNREACH_SRCFAIL:
		error = EHOSTUNREACH;
		break;
	case ICMP_UNREACH_PROTOCOL:
	case ICMP_UNREACH_PORT:
		error = ECONNREFUSED;
		break;
	case ICMP_UNREACH_NEEDFRAG:
		error = EMSGSIZE;
		break;
	}
	if (error)
		tcp_notify(tp, error);
}

uint32_t
tcp_rcvwin_sockbuf(struct tcpcb *tp, void *ctx)
{
	return sbspace(&tp->t_socket->so_rcv);
}

/* The receive window the socket's rule allows now. */
uint32_t
tcp_rcvwin(struct tcpcb *tp)
{
	struct socket *so = tp->t_socket;
	return so->so_rcvwin(tp, so->so_rcvwinctx);
}

/*
 * 4.4BSD-Lite's tcp_mss() (TCPIP2 pp. 898-901): the interface MTU less
 * 40 bytes of headers, rounded down to a multiple of MCLBYTES when above
 * it (MTU 9000 -> 8192), at most tcp_mssdflt (512) for a peer not on a
 * local subnet, at most the peer's offer, at least 32.  The segment size
 * (and the buffers, rounded up to a multiple of it) change when an offer
 * is known or the result is smaller than t_maxseg; with offer 0 (our
 * SYN or SYN|ACK going out) the result is only our own offer.  Either
 * way the function ends with snd_cwnd = mss, unconditionally: so the
 * SYN|ACK of a passive open sets cwnd to our own MSS even after a
 * smaller peer offer, and the ACK of the SYN then opens it by one
 * t_maxseg (a peer offering 512 gets three 512-byte segments first).
 */
int
tcp_mss(struct tcpcb *tp, int offer)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;
	int mss = (int)st->nif->mtu - IP_HDR_LEN - TCP_HDR_LEN;
	uint32_t bufsize;

	if (mss > MCLBYTES)
		mss &= ~(MCLBYTES - 1);
	if (st->pers.mss_local_only && !in_localaddr(st, so->inp_faddr))
		mss = MIN(mss, st->pers.mssdflt);
	if (offer)
		mss = MIN(mss, offer);
	mss = MAX(mss, 32);     /* sanity, as 4.4BSD */
	if (mss < (int)tp->t_maxseg || offer != 0) {
		bufsize = so->so_snd.sb_hiwat;
		if (bufsize < (uint32_t)mss) {
			mss = (int)bufsize;
		} else {
			bufsize = (bufsize + mss - 1) / mss * mss;
			(void)sbreserve(&so->so_snd, bufsize);
		}
		tp->t_maxseg = mss;
		bufsize = so->so_rcv.sb_hiwat;
		if (bufsize > (uint32_t)mss) {
			bufsize = (bufsize + mss - 1) / mss * mss;
			(void)sbreserve(&so->so_rcv, bufsize);
		}
	}
	tp->snd_cwnd = mss;
	return mss;
}

/* Write a TCP header (and options) in front of p and checksum it all. */
void
tcp_fill_hdr(sim_pkt *p, uint32_t src, uint32_t dst, uint16_t sport,
	     uint16_t dport, tcp_seq seq, tcp_seq ack, uint8_t flags,
	     uint16_t win, const uint8_t *opt, uint32_t optlen)
{
	uint32_t hlen = TCP_HDR_LEN + optlen;
	uint8_t *th = sim_pkt_push(p, hlen);
	uint32_t len = sim_pkt_len(p);

	wire_put16(th + TCP_OFF_SPORT, sport);
	wire_put16(th + TCP_OFF_DPORT, dport);
	wire_put32(th + TCP_OFF_SEQ, seq);
	wire_put32(th + TCP_OFF_ACK, ack);
	th[TCP_OFF_OFF] = (uint8_t)((hlen >> 2) << 4);
	th[TCP_OFF_FLAGS] = flags;
	wire_put16(th + TCP_OFF_WIN, win);
	wire_put16(th + TCP_OFF_SUM, 0);
	wire_put16(th + TCP_OFF_URP, 0);
	if (optlen)
		memcpy(th + TCP_HDR_LEN, opt, optlen);
	uint32_t sum = in_pseudo(src, dst, IPPROTO_TCP, len);
	sum = in_cksum_pkt(sum, p, 0, len);
	wire_put16(th + TCP_OFF_SUM, in_cksum_fold(sum));
}

/*
 * Send a segment without data that is not part of tcp_output's stream:
 * a RST answering a bad segment, an ACK of an unacceptable segment, a
 * keepalive probe.  The addresses are those of the segment sent (tp may
 * be NULL when there is no connection).
 */
void
tcp_respond(ip_stack *st, struct tcpcb *tp, uint32_t src, uint32_t dst,
	    uint16_t sport, uint16_t dport, tcp_seq ack, tcp_seq seq,
	    uint8_t flags)
{
	sim_pkt *p = sim_pkt_new();
	uint32_t win = 0;

	if (tp) {
		/* Lite: htons((u_short)(win >> tp->rcv_scale)), truncated,
		 * not clamped (a 70000-byte space unscaled says 4464). */
		win = (uint16_t)(tcp_rcvwin(tp) >> tp->rcv_scale);
		tcp_trace_seg(tp, TRUE, seq, 0, flags, ack, win << tp->rcv_scale,
			      FALSE);
	}
	tcp_fill_hdr(p, src, dst, sport, dport, seq, ack, flags,
		     (uint16_t)win, NULL, 0);
	tcpstat_inc(st, sndtotal);
	if (flags & TH_RST)
		tcpstat_inc(st, sndrst);
	(void)ip_output(st, p, src, dst);
}

void
tcp_trace_seg(struct tcpcb *tp, gboolean out, tcp_seq seq, uint32_t len,
	      uint8_t flags, tcp_seq ack, uint32_t win, gboolean rexmt)
{
	if (!sim_trace_is_on(tp->t_tseq))
		return;
	struct tcp_tseq_rec r = {
		.t = sim_now(tp->t_stack->sim),
		.outbound = out,
		.seq = seq,
		.len = len,
		.ack = ack,
		.win = win,
		.flags = flags,
		.rexmt = rexmt,
	};
	sim_trace_emit(tp->t_tseq, r.t, &r);
}

/*
 * How many blocks have each local port: in_pcbbind asks whether a port
 * is taken, which Lite answers by walking every block (a listener per
 * connection makes that quadratic in set-up).  Counts as idmap values
 * (never NULL: a port with none is absent).
 */
void
tcp_lport_hold(struct socket *so)
{
	ip_stack *st = so->so_stack;
	uintptr_t n = (uintptr_t)sim_idmap_get(st->lport_refs, so->inp_lport);
	g_assert(!so->inp_lport_held && so->inp_lport != 0);
	sim_idmap_set(st->lport_refs, so->inp_lport, (void *)(n + 1));
	so->inp_lport_held = TRUE;
}

void
tcp_lport_release(struct socket *so)
{
	if (!so->inp_lport_held)
		return;
	ip_stack *st = so->so_stack;
	uintptr_t n = (uintptr_t)sim_idmap_get(st->lport_refs, so->inp_lport);
	g_assert(n > 0);
	if (n == 1)
		sim_idmap_remove(st->lport_refs, so->inp_lport);
	else
		sim_idmap_set(st->lport_refs, so->inp_lport, (void *)(n - 1));
	so->inp_lport_held = FALSE;
}

gboolean
tcp_lport_in_use(const ip_stack *st, uint16_t lport)
{
	return sim_idmap_get(st->lport_refs, lport) != NULL;
}

/* The exact-match index's key: both ends but the local address (a stack
 * has one). */
static uint64_t
pcb_key(uint32_t faddr, uint16_t fport, uint16_t lport)
{
	return (uint64_t)faddr << 32 | (uint64_t)fport << 16 | lport;
}

static gboolean
same_ends(const struct socket *so, uint32_t faddr, uint16_t fport,
	  uint16_t lport)
{
	return so->inp_lport == lport && so->inp_faddr == faddr &&
	       so->inp_fport == fport;
}

/*
 * Index tp under its ends as they are now: a block with a foreign end in
 * the exact-match index, one with only a local port (a listener, or bound
 * and not yet connected) in the wildcard index.  The newest block wins a
 * lookup over an older one with the same ends (in_pcblookup walks the
 * list newest first).
 */
void
tcp_pcb_index(struct tcpcb *tp)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;
	if (so->inp_faddr != 0) {
		uint64_t key = pcb_key(so->inp_faddr, so->inp_fport,
				       so->inp_lport);
		struct tcpcb *cur = sim_idmap_get(st->pcb_exact, key);
		if (!cur || cur->t_vidx < tp->t_vidx)
			sim_idmap_set(st->pcb_exact, key, tp);
	} else if (so->inp_lport != 0 && so->inp_fport == 0) {
		struct tcpcb *cur = sim_idmap_get(st->pcb_wild, so->inp_lport);
		if (!cur || cur->t_vidx < tp->t_vidx)
			sim_idmap_set(st->pcb_wild, so->inp_lport, tp);
	}
}

/*
 * tp leaves the index entry for its ends as they are now (it goes, or
 * its ends are about to change); the next newest block with the same
 * ends, if any, takes over.
 */
void
tcp_pcb_unindex(struct tcpcb *tp)
{
	ip_stack *st = tp->t_stack;
	struct socket *so = tp->t_socket;
	sim_idmap *t;
	uint64_t key;
	if (so->inp_faddr != 0) {
		t = st->pcb_exact;
		key = pcb_key(so->inp_faddr, so->inp_fport, so->inp_lport);
	} else if (so->inp_lport != 0 && so->inp_fport == 0) {
		t = st->pcb_wild;
		key = so->inp_lport;
	} else {
		return;
	}
	if (sim_idmap_get(t, key) != tp)
		return;
	sim_idmap_remove(t, key);
	if (st->freeing)
		return;
	for (struct tcpcb *o = tcp_tcb_first(st); o; o = tcp_tcb_next(st, o))
		if (o != tp && same_ends(o->t_socket, so->inp_faddr,
					 so->inp_fport, so->inp_lport)) {
			sim_idmap_set(t, key, o);
			return;
		}
}

/*
 * Find the connection for a segment: an exact match of both ends first,
 * then (wildcard) a listener on the local port (in_pcblookup, which walks
 * the list newest first; the indexes hold the newest block for each set
 * of ends, so they answer the same).
 */
struct tcpcb *
tcp_pcblookup(ip_stack *st, uint32_t faddr, uint16_t fport, uint32_t laddr,
	      uint16_t lport, gboolean wildcard)
{
	struct tcpcb *tp, *listener = NULL;

	tp = sim_idmap_get(st->pcb_exact, pcb_key(faddr, fport, lport));
	if (tp) {
		struct socket *so = tp->t_socket;
		if (so->inp_laddr == laddr || so->inp_laddr == 0)
			return tp;
	} else if (faddr != 0) {
		if (!wildcard)
			return NULL;
		tp = sim_idmap_get(st->pcb_wild, lport);
		if (!tp)
			return NULL;
		if (tp->t_socket->inp_laddr == 0 ||
		    tp->t_socket->inp_laddr == laddr)
			return tp;
		tp = NULL; /* bound to another address: walk */
	}
	/* The listener; or, rarely, the whole walk: a foreign address of 0,
	 * or the newest block with these ends bound to another local
	 * address. */
	gboolean exact = tp != NULL || faddr == 0;
	for (tp = tcp_tcb_first(st); tp; tp = tcp_tcb_next(st, tp)) {
		struct socket *so = tp->t_socket;
		if (so->inp_lport != lport)
			continue;
		if (exact && so->inp_faddr == faddr && so->inp_fport == fport &&
		    (so->inp_laddr == laddr || so->inp_laddr == 0))
			return tp;
		if (wildcard && so->inp_faddr == 0 && so->inp_fport == 0 &&
		    (so->inp_laddr == 0 || so->inp_laddr == laddr) &&
		    !listener) {
			listener = tp;
			if (!exact)
				break;
		}
	}
	return listener;
}

/*
 * Result paths: one printf for the prefix (before, the name, after), then
 * PATH_LEAF copies each last component in after it (a hundred paths a
 * stack, ten thousand stacks in a large scenario).  Names are at most
 * SCN_NAME_MAX long (twice that for a host's domain), so the buffer has
 * room; the assertion says so.
 */
static size_t
path_prefix(char *buf, size_t n, const char *before, const char *name,
	    const char *after)
{
	size_t k = (size_t)g_snprintf(buf, n, "%s%s%s", before, name, after);
	g_assert(k + 64 < n);
	return k;
}

#define PATH_LEAF(buf, k, leaf) \
	(memcpy((buf) + (k), #leaf, sizeof #leaf), (buf))

void
tcp_stats_register(ip_stack *st)
{
	sim_stats *ss = st->sim->stats;
	char path[256];
	size_t k;

#define LEAF(n) PATH_LEAF(path, k, n)
	k = path_prefix(path, sizeof path, "hosts.", st->name, ".tcp.");
#define TCPSTAT_REG(n) sim_stats_add_u64(ss, LEAF(n), &st->tcpstat.tcps_##n);
	TCPSTAT_FIELDS(TCPSTAT_REG)
#undef TCPSTAT_REG
	k = path_prefix(path, sizeof path, "hosts.", st->name, ".ip.");
#define IPSTAT_REG(n) sim_stats_add_u64(ss, LEAF(n), &st->ipstat.ips_##n);
	IPSTAT_REG(total) IPSTAT_REG(badsum) IPSTAT_REG(tooshort)
	IPSTAT_REG(toosmall) IPSTAT_REG(badhlen) IPSTAT_REG(badlen)
	IPSTAT_REG(badvers) IPSTAT_REG(fragdropped) IPSTAT_REG(cantforward)
	IPSTAT_REG(noproto) IPSTAT_REG(delivered) IPSTAT_REG(localout)
	IPSTAT_REG(noroute) IPSTAT_REG(toolong) IPSTAT_REG(odropped)
	IPSTAT_REG(badether)
#undef IPSTAT_REG
	k = path_prefix(path, sizeof path, "hosts.", st->name, ".icmp.");
#define ICMPSTAT_REG(n) \
	sim_stats_add_u64(ss, LEAF(n), &st->icmpstat.icps_##n);
	ICMPSTAT_REG(total) ICMPSTAT_REG(tooshort) ICMPSTAT_REG(checksum)
	ICMPSTAT_REG(badcode) ICMPSTAT_REG(badlen) ICMPSTAT_REG(unreach)
	ICMPSTAT_REG(quench) ICMPSTAT_REG(ignored)
#undef ICMPSTAT_REG
#undef LEAF
}

/*
 * Name a connection: its counters and trace point then live as long as
 * the simulation (the registry keeps pointers to them), not as long as
 * the control block.
 */
void
so_set_name(struct socket *so, const char *name)
{
	struct tcpcb *tp = so->so_pcb;
	ip_stack *st = so->so_stack;
	sim_stats *ss = st->sim->stats;
	char path[256];

	g_free(so->so_name);
	so->so_name = g_strdup(name);
	if (!tp || tp->t_cs_shared)
		return;
	tp->t_cs_shared = TRUE;
	sim_on_free(st->sim, g_free, tp->cs);
	sim_on_free(st->sim, g_free, tp->t_tseq);
	size_t k = path_prefix(path, sizeof path, "connections.", name, ".");
#define CS_REG(n) sim_stats_add_u64(ss, PATH_LEAF(path, k, n), &tp->cs->n);
	CS_REG(sndpack) CS_REG(sndbyte) CS_REG(sndrexmitpack)
	CS_REG(sndrexmitbyte) CS_REG(sndacks) CS_REG(rcvpack) CS_REG(rcvbyte)
	CS_REG(rcvduppack) CS_REG(rcvdupack) CS_REG(rcvoopack)
	CS_REG(rexmttimeo) CS_REG(fastrexmt) CS_REG(persisttimeo)
	CS_REG(delack) CS_REG(rcvd_app)
#undef CS_REG
	g_snprintf(path, sizeof path, "tcp.%s.tseq", name);
	sim_trace_register(st->sim, path, tp->t_tseq, SIM_TRACE_RECORD);
}

/*
 * Linux delayed ACK: due ato after the data, sent by the first slow tick
 * (a jiffy) at or after that time, as Linux's timer wheel would.
 */
void
tcp_linux_delack_arm(struct tcpcb *tp)
{
	if (tp->t_delack_at == 0)
		tp->t_delack_at = sim_now(tp->t_stack->sim) + tp->t_ato;
}
