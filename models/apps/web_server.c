/*
 * web_server.c - a web server: accept, read a request, work, respond.
 *
 * Every step runs on the server's executor (a Nemesis domain's
 * application thread, or a Unix process), one at a time, in the order
 * they were asked for:
 *   accept     [cost_accept] one connection off the listener (through the
 *              acceptor: a Nemesis server's flow manager installs the
 *              connection's filter first);
 *   read       [cost_read + cost_copy_byte per byte] what has arrived of
 *              the request (the header says the request's length and the
 *              response's size);
 *   work       [cost_request + cost_byte per response byte] once the
 *              request is whole;
 *   write      [cost_write per call] the response, write_size at a time,
 *              from the shared pattern buffer (referenced, not copied),
 *              waiting for the socket's write upcall when it is full;
 *   close      HTTP/1.0: the server closes once the response is written
 *              (its FIN follows the data, so the server's side goes
 *              through TIME_WAIT, as real HTTP/1.0 servers did); a
 *              persistent server reads the next request instead and
 *              closes when the client does.
 * The request bytes are checked against the pattern (corrupt_request_bytes).
 */
#include "apps.h"

#include "sim/stats.h"

#include "models/tcp_bsd/tcp_fsm.h"

#define PATTERN APP_PATTERN

enum sconn_state { S_READ, S_WORK, S_WRITE, S_DONE };

struct sconn {
	app_web_server *s;
	struct socket *so;
	enum sconn_state state;
	uint8_t hdr[WEB_REQ_HEADER];
	uint32_t got, req_len;
	uint64_t resp_size, sent;
	gboolean busy;          /* a step of ours is queued or running */
	gboolean waiting_write;
	gboolean closed;        /* so_close done: the socket is gone */
};

struct app_web_server {
	sim_t *sim;
	char *name;
	struct socket *listener;
	sim_exec *ex;
	app_acceptor acc;
	app_web_server_params p;
	sim_buf *payload;
	GHashTable *conns;        /* struct sconn * not yet freed */
	gboolean accepting;
	uint64_t accepted, requests, responses, bytes_sent, bytes_read,
		corrupt, bad_requests, resets, open;
};

void
app_web_server_params_default(app_web_server_params *p)
{
	*p = (app_web_server_params){ 0 };
	p->write_size = 8192;
}

static void conn_kick(struct sconn *c);

static void
conn_close(struct sconn *c)
{
	if (!c->closed) {
		so_close(c->so);
		c->closed = TRUE;
		c->s->open--;
	}
	c->state = S_DONE;
	if (!c->busy) {
		g_hash_table_remove(c->s->conns, c); /* frees c */
	}
}

static void
write_step(void *ctx, void *arg)
{
	struct sconn *c = ctx;
	app_web_server *s = c->s;
	c->busy = FALSE;
	if (c->state == S_DONE) {
		conn_close(c);
		return;
	}
	uint64_t left = c->resp_size - c->sent;
	uint32_t n = (uint32_t)MIN(left, (uint64_t)s->p.write_size);
	ssize_t r = n ? so_send_buf(c->so, s->payload, c->sent % PATTERN, n)
		      : 0;
	if (r > 0) {
		c->sent += (uint64_t)r;
		s->bytes_sent += (uint64_t)r;
	} else if (n && r != -EWOULDBLOCK) {
		s->resets++; /* the connection has gone */
		conn_close(c);
		return;
	}
	if (c->sent == c->resp_size) {
		s->responses++;
		if (!s->p.persistent) {
			conn_close(c);
			return;
		}
		c->state = S_READ;
		c->got = 0;
		conn_kick(c);
		return;
	}
	if (r == -EWOULDBLOCK)
		c->waiting_write = TRUE;
	else
		conn_kick(c);
}

static void
work_done(void *ctx, void *arg)
{
	struct sconn *c = ctx;
	c->busy = FALSE;
	if (c->state == S_DONE) {
		conn_close(c);
		return;
	}
	c->state = S_WRITE;
	c->sent = 0;
	conn_kick(c);
}

static uint64_t
be_get(const uint8_t *b, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

static void
read_step(void *ctx, void *arg)
{
	struct sconn *c = ctx;
	app_web_server *s = c->s;
	c->busy = FALSE;
	if (c->state == S_DONE) {
		conn_close(c);
		return;
	}
	uint32_t want = GPOINTER_TO_UINT(arg);
	uint8_t *buf = sim_scratch(s->sim, want ? want : 1);
	ssize_t r = so_recv(c->so, buf, want ? want : 1);
	if (r == 0 || (r < 0 && r != -EWOULDBLOCK)) {
		/* The client closed (between requests: a persistent client
		 * leaving) or the connection broke. */
		if (c->got > 0 || r < 0)
			s->bad_requests++;
		conn_close(c);
		return;
	}
	if (r < 0)
		return;
	s->bytes_read += (uint64_t)r;
	for (ssize_t i = 0; i < r; i++, c->got++) {
		if (c->got < WEB_REQ_HEADER)
			c->hdr[c->got] = buf[i];
		else
			s->corrupt += buf[i] != (uint8_t)(c->got % PATTERN);
	}
	if (c->got >= WEB_REQ_HEADER && c->req_len == 0) {
		c->resp_size = be_get(c->hdr, 8);
		c->req_len = (uint32_t)be_get(c->hdr + 8, 4);
		if (c->req_len < WEB_REQ_HEADER) {
			s->bad_requests++;
			conn_close(c);
			return;
		}
	}
	if (c->req_len && c->got >= c->req_len) {
		s->requests++;
		c->state = S_WORK;
		c->req_len = 0;
		c->busy = TRUE;
		sim_exec_run(s->ex,
			     s->p.cost_request +
				     s->p.cost_byte * (sim_time_t)c->resp_size,
			     work_done, c, NULL);
		return;
	}
	conn_kick(c);
}

/* Queue the connection's next step, if it has one to make now. */
static void
conn_kick(struct sconn *c)
{
	app_web_server *s = c->s;
	if (c->busy || c->state == S_DONE)
		return;
	if (c->state == S_READ) {
		int st = so_tcp_state(c->so);
		gboolean eof = st != TCPS_ESTABLISHED && st != TCPS_SYN_RECEIVED;
		uint32_t avail = so_rcv_cc(c->so);
		/* Read no further than this request (the next one, from a
		 * persistent client, waits until this one is answered). */
		uint32_t need = c->req_len ? c->req_len - c->got
			       : c->got < WEB_REQ_HEADER ? WEB_REQ_HEADER - c->got
							 : 0;
		uint32_t n = MIN(avail, need);
		if (n == 0 && !eof)
			return;
		c->busy = TRUE;
		sim_exec_run(s->ex, s->p.cost_read + s->p.cost_copy_byte * n,
			     read_step, c, GUINT_TO_POINTER(n));
	} else if (c->state == S_WRITE) {
		c->waiting_write = FALSE;
		c->busy = TRUE;
		sim_exec_run(s->ex, s->p.cost_write, write_step, c, NULL);
	}
}

static void
conn_upcall(struct socket *so, void *ctx, int events)
{
	struct sconn *c = ctx;
	if (c->state == S_WRITE && !c->waiting_write &&
	    !(events & SO_EV_CLOSED))
		return;
	if ((events & SO_EV_CLOSED) && c->state != S_READ && !c->busy) {
		c->s->resets++;
		conn_close(c);
		return;
	}
	conn_kick(c);
}

static void accept_next(app_web_server *s);

static void
accepted(void *ctx, struct socket *so)
{
	app_web_server *s = ctx;
	s->accepting = FALSE;
	if (!so)
		return;
	s->accepted++;
	s->open++;
	struct sconn *c = g_new0(struct sconn, 1);
	g_hash_table_add(s->conns, c);
	c->s = s;
	c->so = so;
	c->state = S_READ;
	so_set_upcall(so, conn_upcall, c);
	conn_kick(c);
	accept_next(s); /* another may be waiting */
}

static void
accept_step(void *ctx, void *arg)
{
	app_web_server *s = ctx;
	if (s->acc.accept) {
		s->acc.accept(s->acc.impl, s->listener, accepted, s);
	} else {
		int err = 0;
		accepted(s, so_accept(s->listener, &err));
	}
}

static void
accept_next(app_web_server *s)
{
	if (s->accepting)
		return;
	s->accepting = TRUE;
	sim_exec_run(s->ex, s->p.cost_accept, accept_step, s, NULL);
}

static void
listener_upcall(struct socket *so, void *ctx, int events)
{
	if (events & SO_EV_ACCEPT)
		accept_next(ctx);
}

static void
server_free(gpointer data)
{
	app_web_server *s = data;
	g_hash_table_destroy(s->conns); /* those open when the run ended */
	sim_buf_unref(s->payload);
	g_free(s->name);
	g_free(s);
}

app_web_server *
app_web_server_new(sim_t *sim, const char *name, struct socket *listener,
		   sim_exec *ex, const app_acceptor *acc,
		   const app_web_server_params *p)
{
	g_assert(p->write_size > 0);
	app_web_server *s = g_new0(app_web_server, 1);
	s->sim = sim;
	s->name = g_strdup(name);
	s->listener = listener;
	s->ex = ex;
	if (acc)
		s->acc = *acc;
	s->p = *p;
	s->payload = sim_buf_ref(app_pattern_buf(sim, p->write_size));
	s->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free,
					 NULL);
	so_set_upcall(listener, listener_upcall, s);
	sim_on_free(sim, server_free, s);
	return s;
}

uint64_t
app_web_server_requests(const app_web_server *s)
{
	return s->requests;
}

void
app_web_server_register_stats(app_web_server *s)
{
	char buf[256];
#define P(k) (g_snprintf(buf, sizeof buf, "servers.%s.%s", s->name, k), buf)
	sim_stats_add_u64(s->sim->stats, P("accepted"), &s->accepted);
	sim_stats_add_u64(s->sim->stats, P("requests"), &s->requests);
	sim_stats_add_u64(s->sim->stats, P("responses"), &s->responses);
	sim_stats_add_u64(s->sim->stats, P("bytes_sent"), &s->bytes_sent);
	sim_stats_add_u64(s->sim->stats, P("request_bytes"), &s->bytes_read);
	sim_stats_add_u64(s->sim->stats, P("corrupt_request_bytes"),
			  &s->corrupt);
	sim_stats_add_u64(s->sim->stats, P("bad_requests"), &s->bad_requests);
	sim_stats_add_u64(s->sim->stats, P("resets"), &s->resets);
	sim_stats_add_u64(s->sim->stats, P("open_at_end"), &s->open);
#undef P
}
