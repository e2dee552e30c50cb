/*
 * tcp_pdrill.c - a packetdrill-style script runner for the BSD TCP.
 *
 * Supported (packetdrill syntax): times "0.1", "+0.1", "+.1", "*" (any
 * time, outbound only) and "t1...t2" for a blocking call that returns at
 * t2; system calls socket, bind, listen, accept, connect, write, send,
 * read, recv, close, shutdown, setsockopt, getsockopt (SO_SNDBUF,
 * SO_RCVBUF, SO_KEEPALIVE, SO_ERROR, SO_REUSEADDR (a no-op), TCP_NODELAY,
 * TCP_MAXSEG) and fcntl (a no-op: our sockets never block), with "= N"
 * or "= -1 ERRNO (text)"; segments "< flags start:end(len) ack N win N
 * <options>" and the same with ">", flags S F R P . (U, E, W are
 * unsupported), options mss, nop, eol, wscale, sackOK, TS val N ecr N
 * and "<...>" to ignore the options of an expected segment; comments.
 *
 * Semantics.  A relative time is relative to the actual time of the
 * previous event.  Before an inbound segment or a call at time t the
 * simulation runs to t; any segment the host sent meanwhile that was not
 * expected is a mismatch.  An expected segment must be sent within the
 * tolerance of its time.  A blocking call (t1...t2) is made at t2.  The
 * host's ticks have phase 0; the remote is on the local subnet (so
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

struct pd {
	sim_t *sim;
	sim_netif nif;
	ip_stack *st;
	GQueue out;             /* struct pd_out *: segments the host sent */
	GHashTable *fds;        /* fd -> struct socket * */
	int next_fd;
	gboolean have_lisn;     /* local ISN learned */
	uint32_t lisn;
	uint16_t local_port, remote_port;
	sim_time_t last_t, tol;
	int lineno;
	const char *name;
	gboolean verbose;
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
	uint32_t ack, win;
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
	gchar **tok = g_strsplit_set(g_strstrip(body), " \t", -1);
	int i = 0;
	while (tok[i] && !*tok[i])
		i++;
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
		if (!*tok[i])
			continue;
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

static gboolean
pd_no_unexpected(struct pd *pd, GError **error)
{
	struct pd_out *o = g_queue_peek_head(&pd->out);
	if (o) {
		struct tcp_hdr_info ti;
		uint32_t len;
		struct pd_seg os;
		pd_frame_seg(o->f, &ti, &len, &os);
		if (!pd->have_lisn && (ti.flags & TH_SYN)) {
			pd->have_lisn = TRUE;
			pd->lisn = ti.seq;
		}
		char *d = pd_describe(pd, &ti, len, o->t);
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: unexpected outbound segment: %s", pd->name,
			    pd->lineno, d);
		g_free(d);
		return FALSE;
	}
	return TRUE;
}

static void
pd_run_to(struct pd *pd, sim_time_t t)
{
	if (t > sim_now(pd->sim))
		sim_run_until(pd->sim, t);
}

/* Check an expected outbound segment (time t, or any time if any_t). */
static gboolean
pd_expect(struct pd *pd, const struct pd_seg *e, sim_time_t t,
	  gboolean any_t, GError **error)
{
	struct pd_out *o;
	sim_time_t deadline = any_t ? sim_now(pd->sim) + 3600 * SIM_S :
				      t + pd->tol;

	/* Run event by event until a segment appears or the deadline. */
	while (g_queue_is_empty(&pd->out) && sim_now(pd->sim) < deadline) {
		sim_time_t next = sim_evq_next_time(pd->sim->q);
		if (next > deadline) {
			sim_run_until(pd->sim, deadline);
			break;
		}
		sim_run_until(pd->sim, next);
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

	if (!any_t && (at < t - pd->tol || at > t + pd->tol))
		why = g_strdup_printf("time off by %.6f s",
				      sim_time_to_s(at - t));
	else if (ti.flags != e->flags)
		why = g_strdup("flags differ");
	else if (rs != e->start || len != e->len)
		why = g_strdup("sequence or length differ");
	else if (e->has_ack && ti.ack - PD_REMOTE_ISN != e->ack)
		why = g_strdup("ack differs");
	else if (e->has_win && ti.win != e->win)
		why = g_strdup("window differs");
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

	if (s->has_ack) {
		if (!pd->have_lisn)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"inbound ack before the host's ISN is known");
		ack = pd->lisn + s->ack;
	}
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
	ip_encap(p, PD_REMOTE, PD_LOCAL, 0, 64, pd_local_mac, pd_remote_mac);
	if (pd->verbose)
		fprintf(stderr, "%s:%d: < injected at %.6f s\n", pd->name,
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

/* Run a system call; *ret is the result as the kernel would return it. */
static gboolean
pd_syscall(struct pd *pd, const char *name, gchar **args, long *ret,
	   int *err, GError **error)
{
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
	if (strcmp(name, "socket") == 0) {
		so = so_socket(pd->st);
		int fd = pd->next_fd++;
		g_hash_table_insert(pd->fds, GINT_TO_POINTER(fd), so);
		*ret = fd;
		return TRUE;
	}
	if (nargs < 1)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "%s without arguments",
			name);
	so = g_hash_table_lookup(pd->fds, GINT_TO_POINTER((int)pd_num(args[0])));
	if (!so) {
		*ret = -1;
		*err = EBADF;
		return TRUE;
	}
	if (strcmp(name, "bind") == 0) {
		r = so_bind(so, 0, PD_BIND_PORT);
		if (r == 0)
			pd->local_port = PD_BIND_PORT;
	} else if (strcmp(name, "listen") == 0) {
		r = so_listen(so, nargs > 1 ? (int)pd_num(args[1]) : 5);
	} else if (strcmp(name, "accept") == 0) {
		int e;
		struct socket *c = so_accept(so, &e);
		if (c) {
			int fd = pd->next_fd++;
			g_hash_table_insert(pd->fds, GINT_TO_POINTER(fd), c);
			r = fd;
		} else {
			r = e;
		}
	} else if (strcmp(name, "connect") == 0) {
		pd->remote_port = PD_BIND_PORT;
		r = so_connect(so, PD_REMOTE, PD_BIND_PORT);
		pd->local_port = so->inp_lport;
		if (r == 0 && !(so->so_state & SS_ISCONNECTED))
			r = -EINPROGRESS;
	} else if (strcmp(name, "write") == 0 || strcmp(name, "send") == 0 ||
		   strcmp(name, "read") == 0 || strcmp(name, "recv") == 0) {
		gboolean out = name[0] == 'w' || strcmp(name, "send") == 0;
		if (nargs < 3)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "%s needs 3 args",
				name);
		long len = pd_num(args[2]);
		if (len < 0 || len > PD_MAX_IO)
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
				"%s length %ld outside 0..%d", name, len,
				PD_MAX_IO);
		uint8_t *z = g_malloc0((size_t)len + 1);
		r = out ? so_send(so, z, (size_t)len)
			: so_recv(so, z, (size_t)len);
		g_free(z);
	} else if (strcmp(name, "close") == 0) {
		g_hash_table_remove(pd->fds, GINT_TO_POINTER((int)pd_num(args[0])));
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
		r = 0;  /* our sockets never block; nothing to set */
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
		} else if (strcmp(o, "SO_LINGER") == 0) {
			PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
				"SO_LINGER's struct argument");
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
	if (r < 0) {
		*err = (int)-r;
		*ret = -1;
	} else {
		*ret = r;
	}
	return TRUE;
}

#define PD_MAX_TIME_S 86400

static gboolean
pd_parse_time(const char *s, sim_time_t base, sim_time_t *out)
{
	gboolean rel = s[0] == '+';
	char *end;
	double v = g_ascii_strtod(rel ? s + 1 : s, &end);
	if (end == (rel ? s + 1 : s) || *end)
		return FALSE;
	/* A script spans seconds; a day bounds it and keeps the ns in range. */
	if (!(v >= -PD_MAX_TIME_S && v <= PD_MAX_TIME_S))
		return FALSE;
	sim_time_t t = (sim_time_t)(v * 1e9 + (v >= 0 ? 0.5 : -0.5));
	*out = rel ? base + t : t;
	return *out <= PD_MAX_TIME_S * SIM_S;
}

static gboolean
pd_line(struct pd *pd, char *line, GError **error)
{
	char *sp = line;
	while (*sp && !g_ascii_isspace(*sp))
		sp++;
	if (!*sp)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "no event after the time");
	*sp = '\0';
	char *rest = g_strstrip(sp + 1);
	char *ts = line;
	gboolean any_t = FALSE;
	sim_time_t t = 0, t2 = -1;

	if (strcmp(ts, "*") == 0) {
		any_t = TRUE;
		t = sim_now(pd->sim);
	} else {
		char *dots = strstr(ts, "...");
		if (dots) {
			*dots = '\0';
			if (!pd_parse_time(ts, pd->last_t, &t) ||
			    !pd_parse_time(dots + 3, t, &t2))
				PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX,
					"bad time range");
		} else if (!pd_parse_time(ts, pd->last_t, &t)) {
			PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "bad time '%s'", ts);
		}
	}

	if (rest[0] == '>') {
		struct pd_seg e;
		if (!pd_parse_seg(pd, rest + 1, &e, error))
			return FALSE;
		return pd_expect(pd, &e, t, any_t, error);
	}
	if (any_t)
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED,
			"'*' time for an input or a call");
	if (t2 >= 0)
		t = t2;
	if (t < sim_now(pd->sim))
		t = sim_now(pd->sim);
	pd_run_to(pd, t);
	if (!pd_no_unexpected(pd, error))
		return FALSE;
	pd->last_t = t;
	if (rest[0] == '<') {
		struct pd_seg s;
		if (!pd_parse_seg(pd, rest + 1, &s, error))
			return FALSE;
		return pd_inject(pd, &s, error);
	}
	if (rest[0] == '`' || rest[0] == '-' || rest[0] == '%')
		PD_FAIL(pd, TCP_PDRILL_ERROR_UNSUPPORTED, "'%s'", rest);

	/* name(args) = ret [ERRNO (text)] */
	char *lp = strchr(rest, '('), *eq = strrchr(rest, '=');
	if (!lp || !eq || eq < lp)
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "cannot parse '%s'", rest);
	char *rp = eq;
	while (rp > lp && *rp != ')')
		rp--;
	if (rp == lp) /* "f(= 0", "f(x = 0": no closing parenthesis */
		PD_FAIL(pd, TCP_PDRILL_ERROR_SYNTAX, "cannot parse '%s'", rest);
	char *name = g_strstrip(g_strndup(rest, (gsize)(lp - rest)));
	char *argstr = g_strndup(lp + 1, (gsize)(rp - lp - 1));
	gchar **args = pd_split_args(argstr);
	char *retstr = g_strstrip(g_strdup(eq + 1));
	long want = strtol(retstr, NULL, 0);
	int want_err = 0;
	if (want == -1) {
		char en[32] = "";
		if (sscanf(retstr, "-1 %31s", en) == 1) {
			want_err = pd_errno_of(en);
			if (want_err < 0) {
				g_set_error(error, TCP_PDRILL_ERROR,
					    TCP_PDRILL_ERROR_UNSUPPORTED,
					    "%s:%d: errno '%s'", pd->name,
					    pd->lineno, en);
				goto fail;
			}
		}
	}
	long got;
	int got_err;
	if (!pd_syscall(pd, name, args, &got, &got_err, error))
		goto fail;
	if (got_err == EWOULDBLOCK && want_err == EAGAIN)
		got_err = EAGAIN;
	if (got != want || (want == -1 && want_err && got_err != want_err)) {
		g_set_error(error, TCP_PDRILL_ERROR, TCP_PDRILL_ERROR_MISMATCH,
			    "%s:%d: %s returned %ld%s%s, expected %s at %.6f s",
			    pd->name, pd->lineno, name, got,
			    got == -1 ? " " : "",
			    got == -1 ? pd_errno_name(got_err) : "", retstr,
			    sim_time_to_s(sim_now(pd->sim)));
		goto fail;
	}
	if (pd->verbose)
		fprintf(stderr, "%s:%d: %s = %ld ok\n", pd->name, pd->lineno,
			name, got);
	g_free(name);
	g_free(argstr);
	g_strfreev(args);
	g_free(retstr);
	return TRUE;
fail:
	g_free(name);
	g_free(argstr);
	g_strfreev(args);
	g_free(retstr);
	return FALSE;
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
	pd.fds = g_hash_table_new(NULL, NULL);
	g_queue_init(&pd.out);
	pd.nif.name = "pd";
	memcpy(pd.nif.mac, pd_local_mac, 6);
	pd.nif.rate = 100 * SIM_MBPS;
	pd.nif.mtu = 1500;
	pd.nif.output = pd_output;
	pd.nif.tx_ring_free = pd_ring_free;
	pd.nif.impl = &pd;
	struct ip_stack_config cfg;
	ip_stack_config_init(&cfg);
	cfg.name = "local";
	cfg.addr = PD_LOCAL;
	cfg.netmask = 0;        /* the remote counts as local */
	cfg.personality = opts->personality;
	cfg.rfc1323 = opts->rfc1323;
	cfg.tick_phase = 0;
	pd.st = ip_stack_new(pd.sim, &pd.nif, &cfg);
	ip_stack_add_neighbour(pd.st, PD_REMOTE, pd_remote_mac);

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
		if (*s == '`' || *s == '%' || *s == '-') {
			g_set_error(error, TCP_PDRILL_ERROR,
				    TCP_PDRILL_ERROR_UNSUPPORTED,
				    "%s:%d: unsupported: '%s'", name, pd.lineno,
				    s);
			ok = FALSE;
		} else if (*s) {
			ok = pd_line(&pd, s, error);
		}
		g_string_free(clean, TRUE);
	}
	g_strfreev(lines);

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
