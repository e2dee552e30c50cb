/*
 * web_client.c - a customer's clients: open-loop requests to a web server.
 *
 * Arrivals are open loop: a Poisson process at `rate` between start and
 * stop, or the times of a trace; an arrival issues a request whatever
 * the earlier ones are doing.  HTTP/1.0 (persistent = false): every
 * request opens its own connection at its arrival [cost_connect], writes
 * the request once connected [cost_write], reads the response [cost_read
 * + cost_copy_byte per byte] until the server closes, then closes.
 * Persistent: one connection for the population, requests queued on it
 * and sent one at a time, each once the previous response is whole; a
 * broken connection is opened again for the requests still queued.
 *
 * Outcomes.  Every issued request ends as exactly one of: completed (the
 * whole response, every byte as asked for, then the server's close for
 * HTTP/1.0); failed (no local port: 4.4BSD in_pcbbind found no free
 * ephemeral port in 1024-4999, the connect fails with EADDRINUSE; reset:
 * the connection was refused, reset or timed out by TCP; short: the
 * server closed before the whole response); timed_out (no response
 * within `timeout` of the arrival: the connection is aborted with a
 * RST, linger 0); or outstanding when the run ends.  So issued =
 * completed + failed + timed_out + outstanding, always.
 *
 * Response time: from the arrival (HTTP/1.0: the connect's start) to the
 * read that took the response's last byte.  The statistics over response
 * times (mean, p50, p90, p99) take the requests that completed inside
 * the measurement window (their last byte read in it), so a warm-up's
 * transient stays out, as with throughputs.
 *
 * Sizes: fixed; exponential with mean `size`; SURGE (Barford & Crovella,
 * "Generating Representative Web Workloads for Network and Server
 * Performance Evaluation", ACM SIGMETRICS 1998, pp. 151-160): a
 * lognormal body (mu 9.357, sigma 1.318, of ln bytes) below k = 133 KB
 * and a Pareto tail (alpha 1.1, from k) holding 7% of the files (the
 * body's cut at about its 93% point), cut at size_max.
 */
#include "apps.h"

#include "sim/stats.h"

#include "models/tcp_bsd/tcp_fsm.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#define PATTERN APP_PATTERN

/* SURGE's file sizes (see the top of the file). */
#define SURGE_MU 9.357
#define SURGE_SIGMA 1.318
#define SURGE_K 133000.0
#define SURGE_ALPHA 1.1
#define SURGE_TAIL 0.07

struct web_req {
	app_web_clients *c;
	struct wconn *conn;     /* its connection, once it has one */
	sim_time_t start;
	uint64_t size, got;
	sim_time_t last_byte;
	sim_timer timeout;
	gboolean finished;
};

/* A client connection: one request's (HTTP/1.0) or the population's. */
struct wconn {
	app_web_clients *c;
	struct socket *so;
	struct web_req *req;    /* the request it serves now */
	uint32_t req_sent;
	gboolean busy, connected, closed, eof;
};

struct app_web_clients {
	sim_t *sim;
	char *name;
	ip_stack *st;
	sim_exec *ex;
	app_web_clients_params p;
	gsl_rng *r_arr, *r_size;
	sim_timer arrival;
	guint trace_next;
	GQueue queue;           /* persistent: requests waiting to be sent */
	struct wconn *pconn;    /* persistent: the connection */
	GHashTable *live;       /* struct web_req * not yet finished */
	GHashTable *conns;      /* struct wconn * not yet freed */
	app_web_counts n;
	uint64_t bytes_window, completed_window;
	GArray *times;          /* response times (s) completed in window */
	gboolean sorted;
	app_web_record_fn rec_fn;
	void *rec_ctx;
};

void
app_web_clients_params_default(app_web_clients_params *p)
{
	*p = (app_web_clients_params){ 0 };
	p->rate = 1;
	p->sizes = APP_WEB_FIXED;
	p->size = 10000;
	p->size_max = 10000000;
	p->request_size = 300;
	p->stop = SIM_TIME_MAX;
}

uint64_t
app_web_surge_size(gsl_rng *r, uint64_t size_max)
{
	double x;
	if (gsl_rng_uniform(r) < SURGE_TAIL) {
		x = gsl_ran_pareto(r, SURGE_ALPHA, SURGE_K);
	} else {
		do
			x = gsl_ran_lognormal(r, SURGE_MU, SURGE_SIGMA);
		while (x >= SURGE_K);
	}
	uint64_t n = (uint64_t)ceil(x);
	return MAX(MIN(n, size_max), 1);
}

static uint64_t
draw_size(app_web_clients *c)
{
	switch (c->p.sizes) {
	case APP_WEB_FIXED:
		return c->p.size;
	case APP_WEB_EXPONENTIAL:
		return MAX((uint64_t)ceil(sim_rng_exponential(
				   c->r_size, (double)c->p.size)),
			   1);
	case APP_WEB_SURGE:
		return app_web_surge_size(c->r_size, c->p.size_max);
	case APP_WEB_TRACE:
		break;
	}
	g_assert_not_reached();
	return 0;
}

/* ---- Outcomes ------------------------------------------------------------ */

static void
record(app_web_clients *c, struct web_req *q, const char *outcome,
       sim_time_t t)
{
	if (!c->rec_fn)
		return;
	app_web_record r = { c->name, q->start, t - q->start, q->got, outcome };
	c->rec_fn(c->rec_ctx, &r);
}

static void
req_free(struct web_req *q)
{
	sim_timer_cancel(q->c->sim, &q->timeout);
	g_free(q);
}

/* The request ends; the counters say how. */
static void
req_finish(struct web_req *q, uint64_t *counter, const char *outcome)
{
	app_web_clients *c = q->c;
	sim_t *sim = c->sim;
	g_assert(!q->finished);
	q->finished = TRUE;
	(*counter)++;
	c->n.outstanding--;
	sim_time_t t = counter == &c->n.completed ? q->last_byte : sim_now(sim);
	if (counter == &c->n.completed && sim_in_window(sim, q->last_byte)) {
		double rt = sim_time_to_s(q->last_byte - q->start);
		g_array_append_val(c->times, rt);
		c->sorted = FALSE;
		c->completed_window++;
	}
	record(c, q, outcome, t);
	g_hash_table_remove(c->live, q);
	if (q->conn && q->conn->req == q)
		q->conn->req = NULL;
	req_free(q);
}

/* ---- Connections --------------------------------------------------------- */

static void conn_kick(struct wconn *w);
static void pconn_next(app_web_clients *c);

static void
conn_drop(struct wconn *w, gboolean abort)
{
	if (!w->closed) {
		if (abort)
			so_setsockopt(w->so, SOOPT_LINGER, 0);
		so_close(w->so);
		w->closed = TRUE;
	}
	if (w->c->pconn == w)
		w->c->pconn = NULL;
	if (!w->busy) {
		g_hash_table_remove(w->c->conns, w); /* frees w */
	}
}

/* The connection has broken (or ended early): its request fails. */
static void
conn_broken(struct wconn *w, gboolean short_response)
{
	app_web_clients *c = w->c;
	struct web_req *q = w->req;
	if (q)
		req_finish(q, short_response ? &c->n.failed_short
					     : &c->n.failed_reset, "failed");
	if (q)
		c->n.failed++;
	conn_drop(w, FALSE);
	if (c->p.persistent)
		pconn_next(c);
}


static void
be_put(uint8_t *b, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static void
write_step(void *ctx, void *arg)
{
	struct wconn *w = ctx;
	w->busy = FALSE;
	if (w->closed) {
		conn_drop(w, FALSE);
		return;
	}
	struct web_req *q = w->req;
	if (!q)
		return;
	uint32_t len = w->c->p.request_size;
	uint8_t *b = sim_scratch(w->c->sim, len);
	be_put(b, q->size, 8);
	be_put(b + 8, len, 4);
	for (uint32_t i = WEB_REQ_HEADER; i < len; i++)
		b[i] = (uint8_t)(i % PATTERN);
	ssize_t r = so_send(w->so, b + w->req_sent, len - w->req_sent);
	if (r > 0)
		w->req_sent += (uint32_t)r;
	else if (r != -EWOULDBLOCK && r != -ENOTCONN) {
		conn_broken(w, FALSE);
		return;
	}
	conn_kick(w);
}

static void
read_step(void *ctx, void *arg)
{
	struct wconn *w = ctx;
	app_web_clients *c = w->c;
	w->busy = FALSE;
	if (w->closed) {
		conn_drop(w, FALSE);
		return;
	}
	uint32_t want = GPOINTER_TO_UINT(arg);
	uint8_t *buf = sim_scratch(c->sim, want ? want : 1);
	ssize_t r = so_recv(w->so, buf, want ? want : 1);
	struct web_req *q = w->req;
	if (r > 0) {
		if (!q) { /* bytes nobody asked for */
			c->n.corrupt += (uint64_t)r;
			conn_kick(w);
			return;
		}
		c->n.corrupt += app_pattern_corrupt(buf, (size_t)r, q->got);
		q->got += (uint64_t)r;
		c->n.bytes += (uint64_t)r;
		if (sim_in_window(c->sim, sim_now(c->sim)))
			c->bytes_window += (uint64_t)r;
		if (q->got > q->size)
			c->n.corrupt += q->got - q->size;
		if (q->got >= q->size) {
			q->last_byte = sim_now(c->sim);
			if (c->p.persistent) {
				req_finish(q, &c->n.completed, "completed");
				w->req_sent = 0;
				pconn_next(c);
				return;
			}
		}
		conn_kick(w);
		return;
	}
	if (r == -EWOULDBLOCK)
		return;
	if (r == 0 && !c->p.persistent && q && q->got == q->size) {
		/* HTTP/1.0: the server's close ends the response. */
		req_finish(q, &c->n.completed, "completed");
		conn_drop(w, FALSE);
		return;
	}
	conn_broken(w, r == 0);
}

static void
conn_kick(struct wconn *w)
{
	app_web_clients *c = w->c;
	if (w->busy || w->closed || !w->connected)
		return;
	if (w->req && w->req_sent < c->p.request_size) {
		w->busy = TRUE;
		sim_exec_run(c->ex, c->p.cost_write, write_step, w, NULL);
		return;
	}
	uint32_t avail = so_rcv_cc(w->so);
	int st = so_tcp_state(w->so);
	gboolean eof = st != TCPS_ESTABLISHED;
	if (avail == 0 && !eof)
		return;
	uint32_t n = MIN(avail, 65536u);
	w->busy = TRUE;
	sim_exec_run(c->ex, c->p.cost_read + c->p.cost_copy_byte * n, read_step,
		     w, GUINT_TO_POINTER(n));
}

static void
conn_upcall(struct socket *so, void *ctx, int events)
{
	struct wconn *w = ctx;
	if (events & SO_EV_CONNECTED)
		w->connected = TRUE;
	if ((events & SO_EV_CLOSED) && !w->connected) {
		/* Refused, or the connect timed out. */
		if (!w->busy)
			conn_broken(w, FALSE);
		return;
	}
	conn_kick(w);
}

static void
connect_step(void *ctx, void *arg)
{
	struct wconn *w = ctx;
	app_web_clients *c = w->c;
	w->busy = FALSE;
	if (w->closed) { /* its request timed out before it connected */
		conn_drop(w, FALSE);
		return;
	}
	w->so = so_socket(c->st);
	so_set_upcall(w->so, conn_upcall, w);
	int e = so_connect(w->so, c->p.server_addr, c->p.server_port);
	if (e == 0)
		return;
	struct web_req *q = w->req;
	so_close(w->so);
	w->closed = TRUE;
	if (q) {
		c->n.failed++;
		req_finish(q, e == -EADDRINUSE ? &c->n.failed_no_port
					      : &c->n.failed_reset,
			   "failed");
	}
	conn_drop(w, FALSE);
	if (c->p.persistent)
		pconn_next(c);
}

static struct wconn *
conn_open(app_web_clients *c, struct web_req *q)
{
	struct wconn *w = g_new0(struct wconn, 1);
	g_hash_table_add(c->conns, w);
	w->c = c;
	w->req = q;
	w->busy = TRUE;
	w->closed = FALSE;
	if (q)
		q->conn = w;
	/* The socket is made in the step: a request that times out before
	 * it ran never had one. */
	w->so = NULL;
	sim_exec_run(c->ex, c->p.cost_connect, connect_step, w, NULL);
	return w;
}

/* Persistent: the next queued request goes on the connection. */
static void
pconn_next(app_web_clients *c)
{
	if (c->pconn && c->pconn->req)
		return;
	struct web_req *q = g_queue_pop_head(&c->queue);
	if (!q)
		return;
	if (!c->pconn) {
		c->pconn = conn_open(c, q);
		return;
	}
	c->pconn->req = q;
	c->pconn->req_sent = 0;
	q->conn = c->pconn;
	conn_kick(c->pconn);
}

/* ---- Arrivals and timeouts ----------------------------------------------- */

static void
timed_out(void *ctx, void *arg)
{
	struct web_req *q = ctx;
	app_web_clients *c = q->c;
	struct wconn *w = q->conn;
	if (!w) /* still queued (persistent) */
		g_queue_remove(&c->queue, q);
	req_finish(q, &c->n.timed_out, "timed_out");
	if (w) {
		/* Abort the connection: a RST, as with SO_LINGER 0. */
		if (!w->closed && w->so)
			so_setsockopt(w->so, SOOPT_LINGER, 0);
		if (w->so) {
			conn_drop(w, TRUE);
		} else {
			w->closed = TRUE; /* the connect step will drop it */
			if (c->pconn == w)
				c->pconn = NULL;
		}
		if (c->p.persistent)
			pconn_next(c);
	}
}

static void
issue(app_web_clients *c, uint64_t size)
{
	struct web_req *q = g_new0(struct web_req, 1);
	q->c = c;
	q->start = sim_now(c->sim);
	q->size = size;
	c->n.issued++;
	c->n.outstanding++;
	g_hash_table_add(c->live, q);
	sim_timer_init(&q->timeout, timed_out, q, NULL);
	if (c->p.timeout > 0)
		sim_timer_arm_in(c->sim, &q->timeout, c->p.timeout);
	if (c->p.persistent) {
		g_queue_push_tail(&c->queue, q);
		pconn_next(c);
	} else {
		conn_open(c, q);
	}
}

static void
arrive(void *ctx, void *arg)
{
	app_web_clients *c = ctx;
	sim_t *sim = c->sim;
	if (c->p.trace_t) {
		uint64_t size = c->p.trace_size[c->trace_next++];
		issue(c, c->p.sizes == APP_WEB_TRACE ? size : draw_size(c));
		if (c->trace_next < c->p.trace_n &&
		    c->p.trace_t[c->trace_next] < c->p.stop)
			sim_timer_arm_at(sim, &c->arrival,
					 c->p.trace_t[c->trace_next]);
		return;
	}
	issue(c, draw_size(c));
	sim_time_t gap = (sim_time_t)(sim_rng_exponential(c->r_arr,
							  1.0 / c->p.rate) *
				      SIM_S);
	sim_time_t next = sim_now(sim) + MAX(gap, 1);
	if (next < c->p.stop)
		sim_timer_arm_at(sim, &c->arrival, next);
}

/* ---- Construction and results -------------------------------------------- */

static void
clients_free(gpointer data)
{
	app_web_clients *c = data;
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, c->live);
	while (g_hash_table_iter_next(&it, &k, NULL))
		req_free(k);
	g_hash_table_destroy(c->live);
	/* Connections still open when the run ended (their sockets go
	 * with their stacks). */
	g_hash_table_destroy(c->conns);
	g_queue_clear(&c->queue);
	g_array_free(c->times, TRUE);
	gsl_rng_free(c->r_arr);
	gsl_rng_free(c->r_size);
	g_free(c->name);
	g_free(c);
}

app_web_clients *
app_web_clients_new(sim_t *sim, const char *name, ip_stack *st, sim_exec *ex,
		    const app_web_clients_params *p)
{
	g_assert(p->request_size >= WEB_REQ_HEADER);
	g_assert(p->trace_t || p->rate > 0);
	app_web_clients *c = g_new0(app_web_clients, 1);
	c->sim = sim;
	c->name = g_strdup(name);
	c->st = st;
	c->ex = ex;
	c->p = *p;
	char *n = g_strdup_printf("clients.%s.arrivals", name);
	c->r_arr = sim_rng_stream_new(sim->seed, n);
	g_free(n);
	n = g_strdup_printf("clients.%s.sizes", name);
	c->r_size = sim_rng_stream_new(sim->seed, n);
	g_free(n);
	c->live = g_hash_table_new(g_direct_hash, g_direct_equal);
	c->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free,
					 NULL);
	c->times = g_array_new(FALSE, FALSE, sizeof(double));
	g_queue_init(&c->queue);
	sim_timer_init(&c->arrival, arrive, c, NULL);
	if (p->trace_t) {
		while (c->trace_next < p->trace_n &&
		       p->trace_t[c->trace_next] < p->start)
			c->trace_next++;
		if (c->trace_next < p->trace_n &&
		    p->trace_t[c->trace_next] < p->stop)
			sim_timer_arm_at(sim, &c->arrival,
					 p->trace_t[c->trace_next]);
	} else if (p->start < p->stop) {
		/* The first arrival one exponential gap after start. */
		sim_time_t gap = (sim_time_t)(sim_rng_exponential(
						      c->r_arr, 1.0 / p->rate) *
					      SIM_S);
		if (p->start + gap < p->stop)
			sim_timer_arm_at(sim, &c->arrival, p->start + gap);
	}
	sim_on_free(sim, clients_free, c);
	return c;
}

void
app_web_clients_on_record(app_web_clients *c, app_web_record_fn fn, void *ctx)
{
	c->rec_fn = fn;
	c->rec_ctx = ctx;
}

static gint
cmp_req(gconstpointer a, gconstpointer b)
{
	const struct web_req *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start ? 1 : 0;
}

void
app_web_clients_flush(app_web_clients *c)
{
	/* In order of arrival, so the rows are the same every run. */
	GList *l = g_list_sort(g_hash_table_get_keys(c->live), cmp_req);
	for (GList *i = l; i; i = i->next)
		record(c, i->data, "outstanding", sim_now(c->sim));
	g_list_free(l);
}

void
app_web_clients_counts(const app_web_clients *c, app_web_counts *out)
{
	*out = c->n;
	g_assert(c->n.issued == c->n.completed + c->n.failed +
					c->n.timed_out + c->n.outstanding);
	g_assert(c->n.failed == c->n.failed_no_port + c->n.failed_reset +
					c->n.failed_short);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

/* The q-quantile of the window's response times (nearest rank). */
static double
quantile(app_web_clients *c, double q)
{
	if (c->times->len == 0)
		return 0;
	if (!c->sorted) {
		qsort(c->times->data, c->times->len, sizeof(double),
		      cmp_double);
		c->sorted = TRUE;
	}
	guint rank = (guint)ceil(q * c->times->len);
	return g_array_index(c->times, double, MAX(rank, 1) - 1);
}

static double
p50(void *ctx)
{
	return quantile(ctx, 0.50);
}

static double
p90(void *ctx)
{
	return quantile(ctx, 0.90);
}

static double
p99(void *ctx)
{
	return quantile(ctx, 0.99);
}

static double
mean(void *ctx)
{
	app_web_clients *c = ctx;
	double s = 0;
	for (guint i = 0; i < c->times->len; i++)
		s += g_array_index(c->times, double, i);
	return c->times->len ? s / c->times->len : 0;
}

static double
throughput(void *ctx)
{
	app_web_clients *c = ctx;
	sim_t *sim = c->sim;
	double w = sim_time_to_s(MIN(sim->measure_to, sim_now(sim)) -
				 sim->measure_from);
	return w > 0 ? c->bytes_window * 8.0 / w / 1e6 : 0.0;
}

/* Checked when the summary is written: every request is counted once. */
static double
balance(void *ctx)
{
	app_web_counts n;
	app_web_clients_counts(ctx, &n);
	return (double)(n.issued - n.completed - n.failed - n.timed_out -
			n.outstanding);
}

void
app_web_clients_register_stats(app_web_clients *c)
{
	char buf[256];
	sim_stats *st = c->sim->stats;
#define P(k) (g_snprintf(buf, sizeof buf, "clients.%s.%s", c->name, k), buf)
	sim_stats_add_u64(st, P("issued"), &c->n.issued);
	sim_stats_add_u64(st, P("completed"), &c->n.completed);
	sim_stats_add_u64(st, P("failed"), &c->n.failed);
	sim_stats_add_u64(st, P("failed_no_port"), &c->n.failed_no_port);
	sim_stats_add_u64(st, P("failed_reset"), &c->n.failed_reset);
	sim_stats_add_u64(st, P("failed_short"), &c->n.failed_short);
	sim_stats_add_u64(st, P("timed_out"), &c->n.timed_out);
	sim_stats_add_u64(st, P("outstanding"), &c->n.outstanding);
	sim_stats_add_fn(st, P("unaccounted"), balance, c);
	sim_stats_add_u64(st, P("completed_in_window"), &c->completed_window);
	sim_stats_add_u64(st, P("bytes_received"), &c->n.bytes);
	sim_stats_add_u64(st, P("bytes_received_in_window"), &c->bytes_window);
	sim_stats_add_u64(st, P("corrupt_bytes"), &c->n.corrupt);
	sim_stats_add_fn(st, P("throughput_mbps"), throughput, c);
	sim_stats_add_fn(st, P("response_time_mean_s"), mean, c);
	sim_stats_add_fn(st, P("response_time_p50_s"), p50, c);
	sim_stats_add_fn(st, P("response_time_p90_s"), p90, c);
	sim_stats_add_fn(st, P("response_time_p99_s"), p99, c);
#undef P
}
