/*
 * tcp_pdrill.c - a packetdrill-style script runner for the BSD TCP.
 *
 * Supported (packetdrill syntax): times "0.1", "+0.1", "+ .1", "*" (any
 * time, outbound only), ranges "a~b" and "+a~+b" (outbound only) and
 * "t1...t2" for a blocking call that starts at t1 and must return at t2
 * (with a relative t1, t2 counts from the same base, as packetdrill
 * does); system calls socket, bind, listen, accept, connect, write,
 * send, read, recv (flags 0, MSG_PEEK, MSG_DONTWAIT), close, shutdown,
 * setsockopt, getsockopt (SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_ERROR,
 * SO_REUSEADDR (a no-op), SO_LINGER {onoff=N, linger=N} (set),
 * TCP_NODELAY, TCP_MAXSEG, IP_TOS, IP_TTL) and fcntl (F_GETFL,
 * F_SETFL with O_NONBLOCK), with "= N" or "= -1 ERRNO (text)"; segments
 * "< [(tos 0xNN)|(ttl N)] flags start:end(len) ack N win N <options>"
 * and the same with ">" (IP fields given are checked),
 * flags S F R P . (U, E, W are unsupported), options mss, nop, eol,
 * wscale, sackOK, TS val N ecr N, and "<...>" to ignore the options of
 * an expected segment; inbound "icmp unreachable CODE [seq]" and
 * "icmp source_quench [seq]"; options "--mtu=N" and "--tolerance_usecs=N"
 * before the first event; comments.  Anything else is reported as
 * unsupported with file:line, never skipped.
 *
 * Semantics, as packetdrill's.  A relative time is relative to the
 * actual time of the previous event.  An expected segment must be sent
 * within the tolerance of its time (or range); written without an option
 * list it must carry no options.  The host's segments are queued as
 * they leave and an expected segment is compared with the oldest one
 * not yet compared: a segment no later line expects is only noticed
 * when a later ">" line finds it in the way, as packetdrill's sniffer
 * would.  An inbound ACK number is relative to the host's ISN once
 * that is known (from a SYN the host sent) and absolute before.
 *
 * Sockets block unless fcntl(O_NONBLOCK) (an accepted socket inherits
 * the flag: Lite's sonewconn copies SS_NBIO, FreeBSD's accept the file
 * flag).  A call that would block must be written "t1...t2": it is made
 * at t1, the script goes on (segments come and go, other lines run)
 * while it waits, and it must return at t2 within the tolerance; a later
 * system call waits for it first.  A call without a range that blocks
 * is a mismatch.  fcntl flags are FreeBSD's values (O_RDWR 2,
 * O_NONBLOCK 4), as a BSD script expects.
 *
 * The host's ticks have phase 0; the remote is on the local subnet (so
 * 4.4BSD offers MTU - 40 = 1460).  Outbound timestamp values are not
 * compared (our clock is the 500 ms tick); their presence is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip_var.h"
#include "socketvar.h"
#include "tcp_pdrill.h"

G_DEFINE_QUARK(tcp-pdrill-error-quark, tcp_pdrill_error)

#define PD_LOCAL IP_ADDR(192, 168, 0, 1)
#define PD_REMOTE IP_ADDR(192, 0, 2, 1)
#define PD_BIND_PORT 8080
#define PD_REMOTE_ISN 1000000u

static const uint8_t pd_local_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t pd_remote_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

struct pd_out {
	sim_time_t t;
	sim_pkt *f;
};

/* An open file descriptor of the script. */
struct pd_fd {
	struct socket *so;
	gboolean nonblock;      /* O_NONBLOCK */
};

/* A system call, parsed; while it blocks, the pending call. */
struct pd_call {
	char *name;
	gchar **args;
	char *retstr;
	long want;
	int want_err;
	gboolean has_end;       /* "t1...t2" */
	sim_time_t t_end;
	int lineno;
	/* progress of a blocking call */
	gboolean started;       /* connect: the SYN is out */
	size_t done;            /* write: bytes taken so far */
};

struct pd {
	sim_t *sim;
	sim_netif nif;
	ip_stack *st;
	GQueue out;             /* struct pd_out *: segments the host sent */
	GHashTable *fds;        /* fd -> struct pd_fd * */
	struct pd_call *pending; /* a blocking call in progress */
	int next_fd;
	gboolean have_lisn;     /* local ISN learned */
	uint32_t lisn;
	uint16_t local_port, remote_port;
	sim_time_t last_t, tol;
	int lineno;
	const char *name;
	gboolean verbose;
	const struct tcp_personality *personality;
	int rfc1323;
};

static gboolean
pd_output(sim_netif *nif, sim_pkt *f)
{
	struct pd *pd = nif->impl;
	struct pd_out *o = g_new(struct pd_out, 1);
	o->t = sim_now(pd->sim);
	o->f = f;
	g_queue_push_tail(&pd->out, o);
	return TRUE;
}

static uint32_t
pd_ring_free(const sim_netif *nif)
{
	return 64;
}

static void G_GNUC_PRINTF(4, 5)
pd_set_error(GError **error, const struct pd *pd, int code, const char *fmt,
	     ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, TCP_PDRILL_ERROR, code, "%s:%d: %s", pd->name,
		    pd->lineno, msg);
	g_free(msg);
}

#define PD_FAIL(pd, code, ...) \
	do { \
		pd_set_error(error, (pd), code, __VA_ARGS__); \
		return FALSE; \
	} while (0)

/* Parsed segment (expected or to inject). */
struct pd_seg {
	uint8_t flags;
	uint32_t start, end, len;
	gboolean has_ack, has_win, opts_given, opts_any;
	gboolean has_tos, has_ttl;      /* "(tos 0xNN)", "(ttl N)" */
	uint32_t ack, win, tos, ttl;
	uint8_t opt[40];
	uint32_t optlen;
	/* for comparison: kinds in order and values */
	int nopt;
	int kinds[20];
	uint32_t vals[20], vals2[20];
};

static gboolean
pd_parse_opts(struct pd *pd, const char *s, struct pd_seg *seg,
	      GError **error)
{
	gchar **items = g_strsplit(s, ",", -1);
	gboolean ok = TRUE;

	seg->opts_given = TRUE;
	for (int i = 0; items[i]; i++) {
		char *it = g_strstrip(items[i]);
		unsigned v1 = 0, v2 = 0;
		int k = seg->nopt;
		if (k >= 20 || seg->optlen > 30) {
			ok = FALSE;
			g_set_error(error, TCP_PDRILL_ERROR,
				    TCP_PDRILL_ERROR_SYNTAX,
				    "%s:%d: too many options", pd->name,
				    pd->lineno);
			break;
		}
		if (strcmp(it, "...") == 0) {
			seg->opts_any = TRUE;
			continue;
		}
		if (strcmp(it, "nop") == 0) {
			seg->kinds[k] = TCPOPT_NOP;
			seg->opt[seg->optlen++] = TCPOPT_NOP;
		} else if (strcmp(it, "eol") == 0) {
			seg->kinds[k] = TCPOPT_EOL;
			seg->opt[seg->optlen++] = TCPOPT_EOL;
		} else if (strcmp(it, "sackOK") == 0) {
			seg->kinds[k] = TCPOPT_SACK_PERMITTED;
			seg->opt[seg->optlen++] = TCPOPT_SACK_PERMITTED;
			seg->opt[seg->optlen++] = 2;
		} else if (sscanf(it, "mss %u", &v1) == 1) {
			seg->kinds[k] = TCPOPT_MAXSEG;
			seg->vals[k] = v1;
			seg->opt[seg->optlen++] = TCPOPT_MAXSEG;
			seg->opt[seg->optlen++] = 4;
			wire_put16(seg->opt + seg->optlen, (uint16_t)v1);
			seg->optlen += 2;
		} else if (sscanf(it, "wscale %u", &v1) == 1) {
			seg->kinds[k] = TCPOPT_WINDOW;
			seg->vals[k] = v1;
			seg->opt[seg->optlen++] = TCPOPT_WINDOW;
			seg->opt[seg->optlen++] = 3;
			seg->opt[seg->optlen++] = (uint8_t)v1;
		} else if (sscanf(it, "TS val %u ecr %u", &v1, &v2) == 2) {
			seg->kinds[k] = TCPOPT_TIMESTAMP;
			seg->vals[k] = v1;
			seg->vals2[k] = v2;
			seg->opt[seg->optlen++] = TCPOPT_TIMESTAMP;
			seg->opt[seg->optlen++] = 10;
			wire_put32(seg->opt + seg->optlen, v1);
			wire_put32(seg->opt + seg->optlen + 4, v2);
			seg->optlen += 8;
		} else {
			ok = FALSE;
			g_set_error(error, TCP_PDRILL_ERROR,
				    TCP_PDRILL_ERROR_UNSUPPORTED,
				    "%s:%d: unsupported option '%s'", pd->name,
				    pd->lineno, it);
			break;
		}
		seg->nopt++;
	}
	g_strfreev(items);
	return ok;
}

static gboolean
pd_parse_seg(struct pd *pd, const char *s, struct pd_seg *seg, GError **error)
{
	char *body = g_strdup(s);
	char *lt = strchr(body, '<');
	gboolean ok = TRUE;

	memset(seg, 0, sizeof *seg);
	/* IP fields first: "(tos 0x10)", "[ttl 32]" (packetdrill's
	 * ip_info; ECN words and flow labels are not supported). */
	char *ipf = body;
	while (*ipf == ' ' || *ipf == '\t')
		ipf++;
	if (*ipf == '(' || *ipf == '[') {
		char *close = strchr(ipf, *ipf == '(' ? ')' : ']');
		unsigned v;
		if (!close) {
			char open = *ipf; /* ipf points into body */
			g_free(body);
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "unterminated %c",
				open);
		}
		*close = '\0';
		if (sscanf(ipf + 1, " tos %x", &v) == 1 && v <= 255 &&
		    !strchr(ipf, ',')) {
			seg->has_tos = TRUE;
			seg->tos = v;
		} else if (sscanf(ipf + 1, " ttl %u", &v) == 1 && v <= 255) {
			seg->has_ttl = TRUE;
			seg->ttl = v;
		} else {
			char *what = g_strdup(ipf + 1);
			g_free(body);
			pd_set_error(error, pd, TCP_PDRILL_ERROR_UNSUPPORTED,
				     "IP field '%s'", what);
			g_free(what);
			return FALSE;
		}
		memmove(body, close + 1, strlen(close + 1) + 1);
		lt = strchr(body, '<');
	}
	if (lt) {
		char *gt = strrchr(lt, '>');
		if (!gt) {
			g_free(body);
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "unterminated <options>");
		}
		*gt = '\0';
		*lt = '\0';
		if (!pd_parse_opts(pd, lt + 1, seg, error)) {
			g_free(body);
			return FALSE;
		}
	}
	/* Fields are separated by any run of blanks ("ack     1"). */
	gchar **tok = g_strsplit_set(g_strstrip(body), " \t", -1);
	int n = 0;
	for (int j = 0; tok[j]; j++) {
		if (*tok[j])
			tok[n++] = tok[j];
		else
			g_free(tok[j]);
	}
	tok[n] = NULL;
	int i = 0;
	if (!tok[i]) {
		ok = FALSE;
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_SYNTAX,
			    "%s:%d: segment without flags", pd->name,
			    pd->lineno);
		goto out;
	}
	for (const char *c = tok[i]; *c; c++) {
		switch (*c) {
		case 'S': seg->flags |= TH_SYN; break;
		case 'F': seg->flags |= TH_FIN; break;
		case 'R': seg->flags |= TH_RST; break;
		case 'P': seg->flags |= TH_PUSH; break;
		case '.': seg->flags |= TH_ACK; break;
		default:
			ok = FALSE;
			g_set_error(error, TCP_PDRILL_ERROR,
				    TCP_PDRILL_ERROR_UNSUPPORTED,
				    "%s:%d: unsupported flag '%c'", pd->name,
				    pd->lineno, *c);
			goto out;
		}
	}
	for (i++; tok[i]; i++) {
		unsigned a, b, c;
		if (sscanf(tok[i], "%u:%u(%u)", &a, &b, &c) == 3) {
			/* "0:0(-92)" read as 4 GB: check before allocating. */
			if (c != b - a || c > IP_MAXPACKET - IP_HDR_LEN - 20) {
				ok = FALSE;
				g_set_error(error, TCP_PDRILL_ERROR,
					    TCP_PDRILL_ERROR_SYNTAX,
					    "%s:%d: segment '%s': the length "
					    "must be end - start, at most %d",
					    pd->name, pd->lineno, tok[i],
					    IP_MAXPACKET - IP_HDR_LEN - 20);
				goto out;
			}
			seg->start = a;
			seg->end = b;
			seg->len = c;
		} else if (strcmp(tok[i], "ack") == 0 && tok[i + 1]) {
			seg->has_ack = TRUE;
			seg->ack = (uint32_t)strtoul(tok[++i], NULL, 10);
		} else if (strcmp(tok[i], "win") == 0 && tok[i + 1]) {
			seg->has_win = TRUE;
			seg->win = (uint32_t)strtoul(tok[++i], NULL, 10);
		} else {
			ok = FALSE;
			g_set_error(error, TCP_PDRILL_ERROR,
				    TCP_PDRILL_ERROR_UNSUPPORTED,
				    "%s:%d: unsupported segment field '%s'",
				    pd->name, pd->lineno, tok[i]);
			goto out;
		}
	}
out:
	g_strfreev(tok);
	g_free(body);
	return ok;
}

/* Take apart an outbound frame. */
static void
pd_frame_seg(const sim_pkt *f, struct tcp_hdr_info *ti, uint32_t *len,
	     struct pd_seg *o)
{
	uint8_t b[ETHER_HDR_LEN + 120];
	uint32_t n = MIN(sim_pkt_len(f), (uint32_t)sizeof b);
	sim_pkt_copy_out(f, 0, n, b);
	const uint8_t *ip = b + ETHER_HDR_LEN;
	uint32_t hl = (ip[0] & 0xf) * 4;
	tcp_hdr_parse(ip + hl, ti);
	*len = wire_get16(ip + IP_OFF_LEN) - hl - ti->off;
	memset(o, 0, sizeof *o);
	o->tos = ip[IP_OFF_TOS];
	o->ttl = ip[IP_OFF_TTL];
	const uint8_t *p = ip + hl + TCP_HDR_LEN;
	int cnt = ti->off - TCP_HDR_LEN;
	while (cnt > 0 && o->nopt < 20) {
		int k = o->nopt++;
		o->kinds[k] = p[0];
		if (p[0] == TCPOPT_EOL || p[0] == TCPOPT_NOP) {
			p++;
			cnt--;
			continue;
		}
		if (cnt < 2 || p[1] < 2 || p[1] > cnt)
			break;
		if (p[0] == TCPOPT_MAXSEG)
			o->vals[k] = wire_get16(p + 2);
		else if (p[0] == TCPOPT_WINDOW)
			o->vals[k] = p[2];
		else if (p[0] == TCPOPT_TIMESTAMP) {
			o->vals[k] = wire_get32(p + 2);
			o->vals2[k] = wire_get32(p + 6);
		}
		cnt -= p[1];
		p += p[1];
	}
}

static char *
pd_flags_str(uint8_t f)
{
	return g_strdup_printf("%s%s%s%s%s", f & TH_SYN ? "S" : "",
			       f & TH_FIN ? "F" : "", f & TH_RST ? "R" : "",
			       f & TH_PUSH ? "P" : "", f & TH_ACK ? "." : "");
}

static char *
pd_describe(struct pd *pd, const struct tcp_hdr_info *ti, uint32_t len,
	    sim_time_t t)
{
	char *fl = pd_flags_str(ti->flags);
	uint32_t s = pd->have_lisn ? ti->seq - pd->lisn : ti->seq;
	char *ack = (ti->flags & TH_ACK) ?
	    g_strdup_printf(" ack %u", ti->ack - PD_REMOTE_ISN) : g_strdup("");
	char *r = g_strdup_printf("%s %u:%u(%u)%s win %u at %.6f s", fl, s,
				  s + len, len, ack, ti->win,
				  sim_time_to_s(t));
	g_free(ack);
	g_free(fl);
	return r;
}

static gboolean pd_poll_call(struct pd *pd, GError **error);

/*
 * Run the simulation to time t (at least), a batch of simultaneous
 * events at a time, giving a blocked call its chance after each.
 */
static gboolean
pd_run_to(struct pd *pd, sim_time_t t, GError **error)
{
	while (sim_now(pd->sim) < t) {
		sim_time_t next = sim_evq_next_time(pd->sim->q);
		sim_run_until(pd->sim, MIN(next, t));
		if (!pd_poll_call(pd, error))
			return FALSE;
	}
	return pd_poll_call(pd, error);
}

/*
 * Check an expected outbound segment: sent at t (t_end > t: in [t, t_end])
 * within the tolerance, or at any time if any_t.
 */
static gboolean
pd_expect(struct pd *pd, const struct pd_seg *e, sim_time_t t,
	  sim_time_t t_end, gboolean any_t, GError **error)
{
	struct pd_out *o;
	sim_time_t deadline = any_t ? sim_now(pd->sim) + 3600 * SIM_S :
				      t_end + pd->tol;

	/* Run event by event until a segment appears or the deadline. */
	while (g_queue_is_empty(&pd->out) && sim_now(pd->sim) < deadline) {
		sim_time_t next = sim_evq_next_time(pd->sim->q);
		sim_run_until(pd->sim, MIN(next, deadline));
		if (!pd_poll_call(pd, error))
			return FALSE;
	}
	o = g_queue_pop_head(&pd->out);
	if (!o) {
		char *fl = pd_flags_str(e->flags);
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: expected outbound %s %u:%u(%u) at %.6f s, "
			    "nothing sent", pd->name, pd->lineno, fl, e->start,
			    e->end, e->len, sim_time_to_s(t));
		g_free(fl);
		return FALSE;
	}
	struct tcp_hdr_info ti;
	uint32_t len;
	struct pd_seg os;
	pd_frame_seg(o->f, &ti, &len, &os);
	sim_time_t at = o->t;
	sim_pkt_unref(o->f);
	g_free(o);
	if (!pd->have_lisn && (ti.flags & TH_SYN)) {
		pd->have_lisn = TRUE;
		pd->lisn = ti.seq;
		pd->local_port = ti.sport;
	}
	pd->last_t = at;
	char *got = pd_describe(pd, &ti, len, at);
	char *why = NULL;
	uint32_t rs = pd->have_lisn ? ti.seq - pd->lisn : ti.seq;

	if (!any_t && (at < t - pd->tol || at > t_end + pd->tol))
		why = g_strdup_printf("time off by %.6f s",
				      sim_time_to_s(at < t ? at - t :
							     at - t_end));
	else if (ti.flags != e->flags)
		why = g_strdup("flags differ");
	else if (rs != e->start || len != e->len)
		why = g_strdup("sequence or length differ");
	else if (e->has_ack && ti.ack - PD_REMOTE_ISN != e->ack)
		why = g_strdup("ack differs");
	else if (e->has_win && ti.win != e->win)
		why = g_strdup("window differs");
	else if (e->has_tos && os.tos != e->tos)
		why = g_strdup_printf("IP tos 0x%x differs", os.tos);
	else if (e->has_ttl && os.ttl != e->ttl)
		why = g_strdup_printf("IP ttl %u differs", os.ttl);
	else if (!e->opts_given && ti.off != TCP_HDR_LEN)
		why = g_strdup("options sent where the script has none");
	else if (e->opts_given && !e->opts_any) {
		gboolean same = os.nopt == e->nopt;
		for (int i = 0; same && i < e->nopt; i++) {
			same = os.kinds[i] == e->kinds[i];
			if (same && (e->kinds[i] == TCPOPT_MAXSEG ||
				     e->kinds[i] == TCPOPT_WINDOW))
				same = os.vals[i] == e->vals[i];
		}
		if (!same)
			why = g_strdup("options differ");
	}
	if (why) {
		char *fl = pd_flags_str(e->flags);
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: %s: expected %s %u:%u(%u) ack %u%s at "
			    "%.6f s, got %s", pd->name, pd->lineno, why, fl,
			    e->start, e->end, e->len, e->ack,
			    e->has_ack ? "" : " (not checked)",
			    sim_time_to_s(t), got);
		g_free(fl);
		g_free(why);
		g_free(got);
		return FALSE;
	}
	if (pd->verbose)
		fprintf(stderr, "%s:%d: > %s ok\n", pd->name, pd->lineno, got);
	g_free(got);
	return TRUE;
}

static gboolean
pd_inject(struct pd *pd, const struct pd_seg *s, GError **error)
{
	uint32_t ack = 0;

	/* Relative to the host's ISN once known; absolute before (as in
	 * packetdrill, e.g. a RST answering nothing in particular). */
	if (s->has_ack)
		ack = pd->have_lisn ? pd->lisn + s->ack : s->ack;
	sim_pkt *p = sim_pkt_new();
	if (s->len) {
		uint8_t *z = g_malloc0(s->len);
		sim_pkt_append_copy(p, z, s->len);
		g_free(z);
	}
	uint16_t win = s->has_win ? (uint16_t)s->win : 65535;
	tcp_fill_hdr(p, PD_REMOTE, PD_LOCAL, pd->remote_port, pd->local_port,
		     PD_REMOTE_ISN + s->start, ack, s->flags, win, s->opt,
		     (s->optlen + 3) & ~3u);
	ip_encap_tos(p, PD_REMOTE, PD_LOCAL, 0, (uint8_t)s->tos,
		     s->has_ttl ? (uint8_t)s->ttl : 64, pd_local_mac,
		     pd_remote_mac);
	if (pd->verbose)
		fprintf(stderr, "%s:%d: < injected at %.6f s\n", pd->name,
			pd->lineno, sim_time_to_s(sim_now(pd->sim)));
	ip_stack_input(pd->st, p);
	return TRUE;
}

/*
 * "< icmp TYPE [CODE] [mtu N] [start:end(len)]": an ICMP message from the
 * remote quoting a segment the host sent (its sequence number relative
 * to the host's ISN, as packetdrill's).  Types unreachable (codes
 * net_unreachable, host_unreachable, protocol_unreachable,
 * port_unreachable, fragmentation_needed, source_route_failed) and
 * source_quench.
 */
static gboolean
pd_inject_icmp(struct pd *pd, const char *spec, GError **error)
{
	static const char *const codes[] = {
		"net_unreachable", "host_unreachable", "protocol_unreachable",
		"port_unreachable", "fragmentation_needed",
		"source_route_failed",
	};
	gchar **tok = g_strsplit_set(spec, " \t", -1);
	int type = -1, code = 0, n = 0;
	unsigned a = 0, b = 0, c = 0, mtu = 0;
	gboolean ok = TRUE;

	for (int i = 0; tok[i] && ok; i++) {
		const char *t = tok[i];
		if (!*t)
			continue;
		if (n == 0) {
			if (strcmp(t, "unreachable") == 0)
				type = ICMP_UNREACH;
			else if (strcmp(t, "source_quench") == 0)
				type = ICMP_SOURCEQUENCH;
			else
				ok = FALSE;
		} else if (t[0] == '[') {
			ok = sscanf(t, "[%u:%u(%u)]", &a, &b, &c) == 3 &&
			     c == b - a;
		} else if (strcmp(t, "mtu") == 0 && tok[i + 1]) {
			mtu = (unsigned)strtoul(tok[++i], NULL, 10);
		} else if (n == 1 && type == ICMP_UNREACH) {
			ok = FALSE;
			for (size_t k = 0; k < G_N_ELEMENTS(codes); k++) {
				if (strcmp(t, codes[k]) == 0) {
					code = (int)k;
					ok = TRUE;
				}
			}
		} else {
			ok = FALSE;
		}
		n++;
	}
	g_strfreev(tok);
	if (!ok || type < 0)
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED, "icmp '%s'", spec);

	uint8_t msg[ICMP_MINLEN + IP_HDR_LEN + 8] = { 0 };
	uint8_t *qip = msg + ICMP_MINLEN, *qth = qip + IP_HDR_LEN;
	gboolean odd = FALSE;
	msg[ICMP_OFF_TYPE] = (uint8_t)type;
	msg[ICMP_OFF_CODE] = (uint8_t)code;
	if (code == ICMP_UNREACH_NEEDFRAG && type == ICMP_UNREACH)
		wire_put16(msg + 6, (uint16_t)mtu);
	qip[IP_OFF_VHL] = 0x45;
	wire_put16(qip + IP_OFF_LEN, (uint16_t)(IP_HDR_LEN + TCP_HDR_LEN + c));
	qip[IP_OFF_TTL] = 64;
	qip[IP_OFF_P] = IPPROTO_TCP;
	wire_put32(qip + IP_OFF_SRC, PD_LOCAL);
	wire_put32(qip + IP_OFF_DST, PD_REMOTE);
	wire_put16(qip + IP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, qip, IP_HDR_LEN, &odd)));
	wire_put16(qth, pd->local_port);
	wire_put16(qth + 2, pd->remote_port);
	wire_put32(qth + 4, (pd->have_lisn ? pd->lisn : 0) + a);
	odd = FALSE;
	wire_put16(msg + ICMP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, msg, sizeof msg, &odd)));
	sim_pkt *p = sim_pkt_new();
	sim_pkt_append_copy(p, msg, sizeof msg);
	ip_encap(p, PD_REMOTE, PD_LOCAL, 0, 64, pd_local_mac, pd_remote_mac);
	uint8_t *ip = sim_pkt_hdr(p) + ETHER_HDR_LEN;
	ip[IP_OFF_P] = IPPROTO_ICMP;
	wire_put16(ip + IP_OFF_SUM, 0);
	odd = FALSE;
	wire_put16(ip + IP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, ip, IP_HDR_LEN, &odd)));
	if (pd->verbose)
		fprintf(stderr, "%s:%d: < icmp injected at %.6f s\n", pd->name,
			pd->lineno, sim_time_to_s(sim_now(pd->sim)));
	ip_stack_input(pd->st, p);
	return TRUE;
}

static const struct {
	const char *name;
	int val;
} pd_errnos[] = {
	{ "EAGAIN", EAGAIN }, { "EWOULDBLOCK", EWOULDBLOCK },
	{ "EINPROGRESS", EINPROGRESS }, { "ECONNREFUSED", ECONNREFUSED },
	{ "ECONNRESET", ECONNRESET }, { "ETIMEDOUT", ETIMEDOUT },
	{ "ENOTCONN", ENOTCONN }, { "EPIPE", EPIPE }, { "EINVAL", EINVAL },
	{ "EISCONN", EISCONN }, { "EADDRINUSE", EADDRINUSE },
	{ "EBADF", EBADF }, { "ENOPROTOOPT", ENOPROTOOPT },
	{ "ECONNABORTED", ECONNABORTED }, { "EALREADY", EALREADY },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EADDRNOTAVAIL", EADDRNOTAVAIL },
	{ "ENOBUFS", ENOBUFS }, { "EMSGSIZE", EMSGSIZE },
};

static int
pd_errno_of(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pd_errnos); i++)
		if (strcmp(pd_errnos[i].name, name) == 0)
			return pd_errnos[i].val;
	return -1;
}

static const char *
pd_errno_name(int e)
{
	for (size_t i = 0; i < G_N_ELEMENTS(pd_errnos); i++)
		if (pd_errnos[i].val == e)
			return pd_errnos[i].name;
	return "E?";
}

static gchar **
pd_split_args(const char *s)
{
	GPtrArray *a = g_ptr_array_new();
	int depth = 0;
	const char *start = s;
	for (const char *c = s;; c++) {
		if (*c == '[' || *c == '{' || *c == '(')
			depth++;
		else if (*c == ']' || *c == '}' || *c == ')')
			depth--;
		if ((*c == ',' && depth == 0) || *c == '\0') {
			g_ptr_array_add(a, g_strstrip(g_strndup(start,
								(gsize)(c - start))));
			if (!*c)
				break;
			start = c + 1;
		}
	}
	g_ptr_array_add(a, NULL);
	return (gchar **)g_ptr_array_free(a, FALSE);
}

static int pd_errno_of(const char *name);

/* The largest write or read a script may ask for (a negative or huge
 * length is a script error, not an allocation of gigabytes). */
#define PD_MAX_IO (16 * 1024 * 1024)

/* A number, "[number]" or "[ERRNO]". */
static long
pd_num(const char *s)
{
	if (s[0] == '[')
		s++;
	if (s[0] == 'E') {
		char en[32];
		size_t n = strcspn(s, "]");
		g_strlcpy(en, s, MIN(n + 1, sizeof en));
		return pd_errno_of(en);
	}
	return strtol(s, NULL, 0);
}

/*
 * The symbols a script may use in fcntl and recv/send flags, with
 * FreeBSD's values (packetdrill takes them from the host it runs on; a
 * script for a BSD stack expects "fcntl(3, F_GETFL) = 0x2").
 */
#define PD_O_RDWR 0x2
#define PD_O_NONBLOCK 0x4
#define PD_MSG_PEEK 0x2
#define PD_MSG_DONTWAIT 0x80

static const struct {
	const char *name;
	long val;
} pd_syms[] = {
	{ "O_RDONLY", 0 }, { "O_WRONLY", 0x1 }, { "O_RDWR", PD_O_RDWR },
	{ "O_NONBLOCK", PD_O_NONBLOCK }, { "MSG_OOB", 0x1 },
	{ "MSG_PEEK", PD_MSG_PEEK }, { "MSG_WAITALL", 0x40 },
	{ "MSG_DONTWAIT", PD_MSG_DONTWAIT },
};

/* An integer expression: numbers and those symbols joined by '|'. */
static gboolean
pd_expr(struct pd *pd, const char *s, long *out, GError **error)
{
	gchar **parts = g_strsplit(s, "|", -1);
	gboolean ok = TRUE;
	long v = 0;

	for (int i = 0; ok && parts[i]; i++) {
		char *p = g_strstrip(parts[i]), *end;
		long x = strtol(p, &end, 0);
		if (end != p && *end == '\0') {
			v |= x;
			continue;
		}
		ok = FALSE;
		for (size_t k = 0; k < G_N_ELEMENTS(pd_syms); k++) {
			if (strcmp(pd_syms[k].name, p) == 0) {
				v |= pd_syms[k].val;
				ok = TRUE;
			}
		}
		if (!ok)
			pd_set_error(error, pd, TCP_PDRILL_ERROR_UNSUPPORTED,
				     "constant '%s'", p);
	}
	g_strfreev(parts);
	*out = v;
	return ok;
}

static void
pd_call_free(struct pd_call *c)
{
	if (!c)
		return;
	g_free(c->name);
	g_strfreev(c->args);
	g_free(c->retstr);
	g_free(c);
}

static int
pd_new_fd(struct pd *pd, struct socket *so, gboolean nonblock)
{
	struct pd_fd *f = g_new0(struct pd_fd, 1);
	int fd = pd->next_fd++;
	f->so = so;
	f->nonblock = nonblock;
	g_hash_table_insert(pd->fds, GINT_TO_POINTER(fd), f);
	return fd;
}

/*
 * Make a system call, or retry one that blocked.  *blocked: it would
 * block on a blocking socket (nothing to report yet); otherwise *ret and
 * *err are the result as the kernel would return it.
 */
static gboolean
pd_syscall(struct pd *pd, struct pd_call *c, long *ret, int *err,
	   gboolean *blocked, GError **error)
{
	const char *name = c->name;
	gchar **args = c->args;
	int nargs = (int)g_strv_length(args);
	struct socket *so = NULL;
	long r = 0;

	static const char *const known[] = {
		"socket", "bind", "listen", "accept", "connect", "write",
		"send", "read", "recv", "close", "shutdown", "fcntl",
		"setsockopt", "getsockopt", NULL,
	};
	gboolean ok = FALSE;
	for (int i = 0; known[i]; i++)
		ok = ok || strcmp(known[i], name) == 0;
	if (!ok)
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED, "system call '%s'",
			name);
	*err = 0;
	*blocked = FALSE;
	if (strcmp(name, "socket") == 0) {
		*ret = pd_new_fd(pd, so_socket(pd->st), FALSE);
		return TRUE;
	}
	if (nargs < 1)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "%s without arguments",
			name);
	int fd = (int)pd_num(args[0]);
	struct pd_fd *f = g_hash_table_lookup(pd->fds, GINT_TO_POINTER(fd));
	if (!f) {
		*ret = -1;
		*err = EBADF;
		return TRUE;
	}
	so = f->so;
	if (strcmp(name, "bind") == 0) {
		r = so_bind(so, 0, PD_BIND_PORT);
		if (r == 0)
			pd->local_port = PD_BIND_PORT;
	} else if (strcmp(name, "listen") == 0) {
		r = so_listen(so, nargs > 1 ? (int)pd_num(args[1]) : 5);
	} else if (strcmp(name, "accept") == 0) {
		int e;
		struct socket *nso = so_accept(so, &e);
		if (nso)
			r = pd_new_fd(pd, nso, f->nonblock);
		else if (e == -EWOULDBLOCK && !f->nonblock)
			*blocked = TRUE;
		else
			r = e;
	} else if (strcmp(name, "connect") == 0) {
		if (!c->started && f->nonblock &&
		    (so->so_state & SS_ISCONNECTING)) {
			/* Lite's connect(2) before soconnect. */
			r = -EALREADY;
		} else if (!c->started) {
			pd->remote_port = PD_BIND_PORT;
			r = so_connect(so, PD_REMOTE, PD_BIND_PORT);
			pd->local_port = so->inp_lport;
			if (r == 0 && !(so->so_state & SS_ISCONNECTED)) {
				if (f->nonblock)
					r = -EINPROGRESS;
				else
					c->started = *blocked = TRUE;
			}
		} else if (so->so_error) {
			/* Lite connect(): sleep while connecting and no
			 * error, then return (and clear) so_error. */
			r = -so->so_error;
			so->so_error = 0;
		} else if (so->so_state & SS_ISCONNECTING) {
			*blocked = TRUE;
		}
	} else if (strcmp(name, "write") == 0 || strcmp(name, "send") == 0 ||
		   strcmp(name, "read") == 0 || strcmp(name, "recv") == 0) {
		gboolean out = name[0] == 'w' || strcmp(name, "send") == 0;
		long flags = 0;
		if (nargs < 3)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "%s needs 3 args",
				name);
		if (strcmp(name, "send") == 0 || strcmp(name, "recv") == 0) {
			if (nargs > 3 && !pd_expr(pd, args[3], &flags, error))
				return FALSE;
			if (flags & ~(long)(PD_MSG_DONTWAIT |
					    (out ? 0 : PD_MSG_PEEK)))
				PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
					"%s flags '%s'", name, args[3]);
		}
		gboolean nonblock = f->nonblock || (flags & PD_MSG_DONTWAIT);
		long len = pd_num(args[2]);
		if (len < 0 || len > PD_MAX_IO)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"%s length %ld outside 0..%d", name, len,
				PD_MAX_IO);
		uint8_t *z = g_malloc0((size_t)len + 1);
		if (!out) {
			r = so_recv_flags(so, z, (size_t)len,
					  (flags & PD_MSG_PEEK) ? SO_MSG_PEEK : 0);
			if (r == -EWOULDBLOCK && !nonblock)
				*blocked = TRUE;
		} else {
			/* Lite's sosend: a blocking write sleeps until all
			 * of it is in the send buffer; a non-blocking one
			 * takes what fits (or EWOULDBLOCK). */
			for (;;) {
				ssize_t n = so_send(so, z, (size_t)len - c->done);
				if (n > 0)
					c->done += (size_t)n;
				if (n >= 0 && (c->done == (size_t)len ||
					       nonblock)) {
					r = (long)c->done;
					break;
				}
				if (n == -EWOULDBLOCK && !nonblock) {
					*blocked = TRUE;
					break;
				}
				if (n < 0) {
					r = (n == -EWOULDBLOCK && c->done) ?
					    (long)c->done : n;
					break;
				}
			}
		}
		g_free(z);
	} else if (strcmp(name, "close") == 0) {
		g_hash_table_remove(pd->fds, GINT_TO_POINTER(fd));
		r = so_close(so);
	} else if (strcmp(name, "shutdown") == 0) {
		int how = nargs > 1 && strcmp(args[1], "SHUT_RD") == 0 ? SO_SHUT_RD :
			  nargs > 1 && strcmp(args[1], "SHUT_WR") == 0 ? SO_SHUT_WR :
			  nargs > 1 && strcmp(args[1], "SHUT_RDWR") == 0 ? SO_SHUT_RDWR :
			  -1;
		if (how < 0)
			PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
				"shutdown how '%s'", nargs > 1 ? args[1] : "");
		r = so_shutdown(so, how);
	} else if (strcmp(name, "fcntl") == 0) {
		long v;
		if (nargs > 1 && strcmp(args[1], "F_GETFL") == 0) {
			r = PD_O_RDWR | (f->nonblock ? PD_O_NONBLOCK : 0);
		} else if (nargs > 2 && strcmp(args[1], "F_SETFL") == 0) {
			if (!pd_expr(pd, args[2], &v, error))
				return FALSE;
			f->nonblock = (v & PD_O_NONBLOCK) != 0;
			r = 0;
		} else {
			PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
				"fcntl command '%s'", nargs > 1 ? args[1] : "");
		}
	} else if (strcmp(name, "setsockopt") == 0 ||
		   strcmp(name, "getsockopt") == 0) {
		if (nargs < 4)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "%s needs 4 args",
				name);
		const char *o = args[2];
		enum so_opt opt;
		if (strcmp(o, "SO_REUSEADDR") == 0) {
			*ret = 0;
			return TRUE;
		} else if (strcmp(o, "SO_SNDBUF") == 0) {
			opt = SOOPT_SNDBUF;
		} else if (strcmp(o, "SO_RCVBUF") == 0) {
			opt = SOOPT_RCVBUF;
		} else if (strcmp(o, "SO_KEEPALIVE") == 0) {
			opt = SOOPT_KEEPALIVE;
		} else if (strcmp(o, "TCP_NODELAY") == 0) {
			opt = SOOPT_NODELAY;
		} else if (strcmp(o, "TCP_MAXSEG") == 0) {
			opt = SOOPT_MAXSEG;
		} else if (strcmp(o, "SO_ERROR") == 0) {
			opt = SOOPT_ERROR;
		} else if (strcmp(o, "IP_TOS") == 0) {
			opt = SOOPT_IP_TOS;
		} else if (strcmp(o, "IP_TTL") == 0) {
			opt = SOOPT_IP_TTL;
		} else if (strcmp(o, "SO_LINGER") == 0 && name[0] == 's') {
			/* "{onoff=1, linger=0}": off is -1 for so_setsockopt */
			unsigned on, secs;
			if (sscanf(args[3], "{onoff=%u, linger=%u}", &on,
				   &secs) != 2 &&
			    sscanf(args[3], "{onoff = %u, linger = %u}", &on,
				   &secs) != 2)
				PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
					"SO_LINGER argument '%s'", args[3]);
			r = so_setsockopt(so, SOOPT_LINGER,
					  on ? (int)MIN(secs, 65535u) : -1);
			goto done;
		} else {
			PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
				"socket option '%s'", o);
		}
		if (name[0] == 's') {
			r = so_setsockopt(so, opt, (int)pd_num(args[3]));
		} else {
			int v = 0;
			r = so_getsockopt(so, opt, &v);
			if (r == 0 && args[3][0] == '[' && v != pd_num(args[3]))
				PD_FAIL(pd, TCP_PDRILL_ERROR_MISMATCH,
					"getsockopt %s: expected %ld, got %d", o,
					pd_num(args[3]), v);
		}
	} else {
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED, "system call '%s'",
			name);
	}
done:
	if (r < 0) {
		*err = (int)-r;
		*ret = -1;
	} else {
		*ret = r;
	}
	return TRUE;
}

/* A finished call: its result, and for "t1...t2" the time it returned. */
static gboolean
pd_check_result(struct pd *pd, const struct pd_call *c, long got,
		int got_err, GError **error)
{
	sim_time_t now = sim_now(pd->sim);

	if (got_err == EWOULDBLOCK && c->want_err == EAGAIN)
		got_err = EAGAIN;
	if (c->has_end && (now < c->t_end - pd->tol ||
			   now > c->t_end + pd->tol)) {
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: %s returned at %.6f s, expected at %.6f s",
			    pd->name, c->lineno, c->name, sim_time_to_s(now),
			    sim_time_to_s(c->t_end));
		return FALSE;
	}
	if (got != c->want ||
	    (c->want == -1 && c->want_err && got_err != c->want_err)) {
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: %s returned %ld%s%s, expected %s at %.6f s",
			    pd->name, c->lineno, c->name, got,
			    got == -1 ? " " : "",
			    got == -1 ? pd_errno_name(got_err) : "", c->retstr,
			    sim_time_to_s(now));
		return FALSE;
	}
	if (pd->verbose)
		fprintf(stderr, "%s:%d: %s = %ld ok at %.6f s\n", pd->name,
			c->lineno, c->name, got, sim_time_to_s(now));
	return TRUE;
}

/* Give a blocked call its chance: it returns, or it is too late. */
static gboolean
pd_poll_call(struct pd *pd, GError **error)
{
	struct pd_call *c = pd->pending;
	long got;
	int got_err;
	gboolean blocked, ok;

	if (!c)
		return TRUE;
	int lineno = pd->lineno;
	pd->lineno = c->lineno;
	ok = pd_syscall(pd, c, &got, &got_err, &blocked, error);
	pd->lineno = lineno;
	if (ok && blocked) {
		if (sim_now(pd->sim) <= c->t_end + pd->tol)
			return TRUE;
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: %s still blocked at %.6f s, expected to "
			    "return at %.6f s", pd->name, c->lineno, c->name,
			    sim_time_to_s(sim_now(pd->sim)),
			    sim_time_to_s(c->t_end));
		ok = FALSE;
	} else if (ok) {
		ok = pd_check_result(pd, c, got, got_err, error);
	}
	pd->pending = NULL;
	pd_call_free(c);
	return ok;
}

/* Run until the blocked call returns (or its time is past). */
static gboolean
pd_finish_call(struct pd *pd, GError **error)
{
	while (pd->pending) {
		sim_time_t lim = pd->pending->t_end + pd->tol + 1;
		sim_run_until(pd->sim, MIN(sim_evq_next_time(pd->sim->q), lim));
		if (!pd_poll_call(pd, error))
			return FALSE;
	}
	return TRUE;
}

#define PD_MAX_TIME_S 86400

/* A number of seconds: digits with at most one '.', leaving the dots of
 * "..." alone.  NULL if there is none. */
static const char *
pd_scan_secs(const char *p, sim_time_t *out)
{
	const char *st = p;
	gboolean dot = FALSE;
	char buf[40];

	while (g_ascii_isdigit(*p) || (*p == '.' && !dot && p[1] != '.')) {
		dot = dot || *p == '.';
		p++;
	}
	/* A time ends at a blank, a range or the end ("1e300" is no time). */
	if (p == st || p - st >= (long)sizeof buf ||
	    !(*p == '\0' || *p == ' ' || *p == '\t' || *p == '~' ||
	      *p == '.'))
		return NULL;
	memcpy(buf, st, (size_t)(p - st));
	buf[p - st] = '\0';
	double v = g_ascii_strtod(buf, NULL);
	/* A script spans seconds; a day bounds it and keeps the ns in range. */
	if (!(v >= 0 && v <= PD_MAX_TIME_S))
		return NULL;
	*out = (sim_time_t)(v * 1e9 + 0.5);
	return p;
}

/* When an event happens (packetdrill's event_time and a call's end). */
struct pd_when {
	gboolean any;           /* "*" */
	gboolean range;         /* "a~b", "+a~+b" */
	gboolean blocking;      /* "t1...t2" */
	sim_time_t t, t_end;
};

static const char *
pd_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static gboolean
pd_parse_when(struct pd *pd, const char *line, const char **rest,
	      struct pd_when *w, GError **error)
{
	const char *p = line;
	sim_time_t a, b, base = 0;

	memset(w, 0, sizeof *w);
	if (*p == '*') {
		w->any = TRUE;
		w->t = w->t_end = sim_now(pd->sim);
		*rest = pd_skip_blanks(p + 1);
		return TRUE;
	}
	gboolean rel = *p == '+';
	if (rel) {
		base = pd->last_t;
		p = pd_skip_blanks(p + 1);      /* "+ 0.1" as "+0.1" */
	}
	if (!(p = pd_scan_secs(p, &a)))
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "bad time in '%s'", line);
	w->t = w->t_end = base + a;
	p = pd_skip_blanks(p);
	if (*p == '~') {
		p = pd_skip_blanks(p + 1);
		if ((*p == '+') != rel)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"a time range is 'a~b' or '+a~+b'");
		if (rel)
			p = pd_skip_blanks(p + 1);
		if (!(p = pd_scan_secs(p, &b)))
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "bad time range");
		w->range = TRUE;
		w->t_end = base + b;
		if (w->t_end < w->t)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"time range is backwards");
	} else if (strncmp(p, "...", 3) == 0) {
		if (!(p = pd_scan_secs(pd_skip_blanks(p + 3), &b)))
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "bad time range");
		w->blocking = TRUE;
		w->t_end = base + b;    /* packetdrill: relative to t1's base */
		if (w->t_end < w->t)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"time range is backwards");
	}
	if (w->t_end > PD_MAX_TIME_S * SIM_S)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "time beyond a day");
	*rest = pd_skip_blanks(p);
	return TRUE;
}

/* The host under test, made at the first event (after the options). */
static void
pd_start(struct pd *pd)
{
	pd->nif.name = "pd";
	memcpy(pd->nif.mac, pd_local_mac, 6);
	pd->nif.rate = 100 * SIM_MBPS;
	pd->nif.output = pd_output;
	pd->nif.tx_ring_free = pd_ring_free;
	pd->nif.impl = pd;
	struct ip_stack_config cfg;
	ip_stack_config_init(&cfg);
	cfg.name = "local";
	cfg.addr = PD_LOCAL;
	cfg.netmask = 0;        /* the remote counts as local */
	cfg.personality = pd->personality;
	cfg.rfc1323 = pd->rfc1323;
	cfg.tick_phase = 0;
	pd->st = ip_stack_new(pd->sim, &pd->nif, &cfg);
	ip_stack_add_neighbour(pd->st, PD_REMOTE, pd_remote_mac);
}

/* "--name=value" before the first event: --mtu, --tolerance_usecs. */
static gboolean
pd_option(struct pd *pd, const char *s, GError **error)
{
	char *end;
	long v;

	if (pd->st)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
			"options come before the first event");
	if (g_str_has_prefix(s, "--mtu=")) {
		v = strtol(s + 6, &end, 10);
		if (*end || v < 68 || v > IP_MAXPACKET)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "bad '%s'", s);
		pd->nif.mtu = (uint32_t)v;
	} else if (g_str_has_prefix(s, "--tolerance_usecs=")) {
		v = strtol(s + 18, &end, 10);
		if (*end || v < 0 || v > 10 * 1000 * 1000)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "bad '%s'", s);
		pd->tol = v * SIM_US;
	} else {
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED, "option '%s'", s);
	}
	return TRUE;
}

static gboolean
pd_line(struct pd *pd, char *line, GError **error)
{
	struct pd_when w;
	const char *rest;

	if (!pd_parse_when(pd, line, &rest, &w, error))
		return FALSE;
	if (!*rest)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "no event after the time");
	if (rest[0] == '>') {
		struct pd_seg e;
		if (w.blocking)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"'t1...t2' is for system calls");
		if (!pd_parse_seg(pd, rest + 1, &e, error))
			return FALSE;
		return pd_expect(pd, &e, w.t, w.t_end, w.any, error);
	}
	if (w.any || w.range)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
			"'*' and 'a~b' times are for outbound packets only");
	if (rest[0] == '<') {
		struct pd_seg s;
		if (w.blocking)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"'t1...t2' is for system calls");
		const char *body = pd_skip_blanks(rest + 1);
		gboolean icmp = strncmp(body, "icmp", 4) == 0 &&
				(body[4] == ' ' || body[4] == '\t');
		if (!icmp && !pd_parse_seg(pd, rest + 1, &s, error))
			return FALSE;
		if (!pd_run_to(pd, w.t, error))
			return FALSE;
		pd->last_t = sim_now(pd->sim);
		if (icmp)
			return pd_inject_icmp(pd, body + 5, error) &&
			       pd_poll_call(pd, error);
		return pd_inject(pd, &s, error) && pd_poll_call(pd, error);
	}
	if (rest[0] == '`' || rest[0] == '-' || rest[0] == '%')
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED, "'%s'", rest);

	/* name(args) = ret [ERRNO (text)] */
	const char *lp = strchr(rest, '('), *eq = strrchr(rest, '=');
	if (!lp || !eq || eq < lp)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "cannot parse '%s'", rest);
	const char *rp = eq;
	while (rp > lp && *rp != ')')
		rp--;
	if (rp == lp) /* "f(= 0", "f(x = 0": no closing parenthesis */
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "cannot parse '%s'", rest);
	struct pd_call *c = g_new0(struct pd_call, 1);
	c->name = g_strstrip(g_strndup(rest, (gsize)(lp - rest)));
	char *argstr = g_strndup(lp + 1, (gsize)(rp - lp - 1));
	c->args = pd_split_args(argstr);
	g_free(argstr);
	c->retstr = g_strstrip(g_strdup(eq + 1));
	c->lineno = pd->lineno;
	c->has_end = w.blocking;
	c->t_end = w.t_end;
	/* The value: an expression up to a blank ("0x2 (flags O_RDWR)"),
	 * then for -1 the errno name. */
	char *val = g_strndup(c->retstr, strcspn(c->retstr, " \t("));
	gboolean ok = pd_expr(pd, val, &c->want, error);
	g_free(val);
	if (ok && c->want == -1) {
		char en[32] = "";
		if (sscanf(c->retstr, "-1 %31s", en) == 1) {
			c->want_err = pd_errno_of(en);
			if (c->want_err < 0) {
				pd_set_error(error, pd,
					     TCP_PDRILL_ERROR_UNSUPPORTED,
					     "errno '%s'", en);
				ok = FALSE;
			}
		}
	}
	/* A call waits for a blocked one (packetdrill runs one at a time). */
	ok = ok && pd_finish_call(pd, error) && pd_run_to(pd, w.t, error);
	long got;
	int got_err;
	gboolean blocked;
	if (ok) {
		pd->last_t = sim_now(pd->sim);
		ok = pd_syscall(pd, c, &got, &got_err, &blocked, error);
	}
	if (ok && blocked) {
		if (!w.blocking) {
			pd_set_error(error, pd, TCP_PDRILL_ERROR_MISMATCH,
				     "%s blocked at %.6f s (a blocking socket; "
				     "write 't1...t2' or use O_NONBLOCK)",
				     c->name, sim_time_to_s(sim_now(pd->sim)));
			ok = FALSE;
		} else {
			pd->pending = c;
			return TRUE;
		}
	} else if (ok) {
		ok = pd_check_result(pd, c, got, got_err, error);
	}
	pd_call_free(c);
	return ok;
}

gboolean
tcp_pdrill_run(const char *text, const char *name,
	       const struct tcp_pdrill_opts *opts, GError **error)
{
	struct tcp_pdrill_opts dflt = { .rfc1323 = -1 };
	struct pd pd = { 0 };
	gboolean ok = TRUE, in_comment = FALSE;

	if (!opts)
		opts = &dflt;
	pd.sim = sim_new(1);
	pd.name = name;
	pd.verbose = opts->verbose;
	pd.tol = opts->tolerance ? opts->tolerance : 4 * SIM_MS;
	pd.next_fd = 3;
	pd.remote_port = 49152;
	pd.fds = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	g_queue_init(&pd.out);
	pd.nif.mtu = 1500;
	pd.rfc1323 = opts->rfc1323;
	pd.personality = opts->personality;

	gchar **lines = g_strsplit(text, "\n", -1);
	for (int i = 0; ok && lines[i]; i++) {
		char *l = lines[i];
		pd.lineno = i + 1;
		/* Strip comments: // to the end, and C comments. */
		GString *clean = g_string_new(NULL);
		for (char *c = l; *c; c++) {
			if (in_comment) {
				if (c[0] == '*' && c[1] == '/') {
					in_comment = FALSE;
					c++;
				}
				continue;
			}
			if (c[0] == '/' && c[1] == '/')
				break;
			if (c[0] == '/' && c[1] == '*') {
				in_comment = TRUE;
				c++;
				continue;
			}
			g_string_append_c(clean, *c);
		}
		char *s = g_strstrip(clean->str);
		if (s[0] == '-' && s[1] == '-') {
			ok = pd_option(&pd, s, error);
		} else if (*s == '`' || *s == '%' || *s == '-') {
			g_set_error(error, TCP_PDRILL_ERROR,
				    TCP_PDRILL_ERROR_UNSUPPORTED,
				    "%s:%d: unsupported: '%s'", name, pd.lineno,
				    s);
			ok = FALSE;
		} else if (*s) {
			if (!pd.st)
				pd_start(&pd);
			ok = pd_line(&pd, s, error);
		}
		g_string_free(clean, TRUE);
	}
	g_strfreev(lines);
	/* A call still blocked must return in time, script over or not. */
	if (ok)
		ok = pd_finish_call(&pd, error);
	pd_call_free(pd.pending);

	struct pd_out *o;
	while ((o = g_queue_pop_head(&pd.out)) != NULL) {
		sim_pkt_unref(o->f);
		g_free(o);
	}
	g_hash_table_destroy(pd.fds);
	sim_free(pd.sim);
	return ok;
}

gboolean
tcp_pdrill_run_file(const char *path, const struct tcp_pdrill_opts *opts,
		    GError **error)
{
	gchar *text;
	if (!g_file_get_contents(path, &text, NULL, error))
		return FALSE;
	gboolean ok = tcp_pdrill_run(text, path, opts, error);
	g_free(text);
	return ok;
}
