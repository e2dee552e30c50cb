/*
 * sink.c - the receiving application: accept, read, count, verify.
 *
 * Reading as data comes: a read upcall queues a step on the app's
 * executor costing cost_read plus cost_byte per byte available; the step
 * reads everything there is (up to read_size per call, a new step per
 * call).  At a set rate: every 10 ms the app may read rate * 10 ms bytes,
 * so the receive buffer fills and the window closes when the sender is
 * faster.  Bytes are checked against the stream pattern (o mod 251).
 */
#include "apps.h"

#include "sim/stats.h"

#include <string.h>

#include "models/tcp_bsd/tcp_fsm.h"

#define PATTERN APP_PATTERN
#define RATE_TICK (10 * SIM_MS)

struct app_sink {
	sim_t *sim;
	char *name;
	char *csv_name; /* name as a CSV field, followed by ',' */
	size_t csv_name_len;
	struct socket *listener, *so;
	sim_exec *ex;
	app_sink_params p;
	gboolean running;
	gboolean eof;
	uint64_t bytes, bytes_window, corrupt, reads;
	uint64_t interval_bytes; /* for the time series */
	uint64_t port, peer_port; /* of the accepted connection (0: none) */
	gboolean accepting;       /* the acceptor is at work */
	char peer[16];            /* the sender's IPv4 address, dotted */
	int64_t allowance;       /* rate mode: bytes it may still read */
	sim_timer tick;
};

void
app_sink_params_default(app_sink_params *p)
{
	p->rate = 0;
	p->cost_read = 0;
	p->cost_byte = 0;
	p->read_size = 65536;
	p->acceptor = (app_acceptor){ NULL, NULL };
}

static void read_step(void *ctx, void *arg);

static void
schedule_read(app_sink *s)
{
	if (s->running || !s->so || s->eof)
		return;
	uint32_t avail = so_rcv_cc(s->so);
	uint32_t n = MIN(avail, s->p.read_size);
	if (s->p.rate > 0)
		n = (uint32_t)MIN((int64_t)n, MAX(s->allowance, 0));
	/* Nothing to read and not at EOF: wait for the upcall.  A read of 0
	 * bytes is still made when the peer closed (to see the EOF). */
	int st = so_tcp_state(s->so);
	gboolean peer_closed = st == TCPS_CLOSE_WAIT || st == TCPS_CLOSING ||
			       st == TCPS_LAST_ACK || st == TCPS_TIME_WAIT ||
			       st == TCPS_CLOSED;
	if (n == 0 && !peer_closed)
		return;
	if (n == 0 && s->p.rate > 0 && avail > 0)
		return;
	s->running = TRUE;
	sim_exec_run(s->ex, s->p.cost_read + s->p.cost_byte * n, read_step, s,
		     GUINT_TO_POINTER(n));
}

static void
read_step(void *ctx, void *arg)
{
	app_sink *s = ctx;
	uint32_t want = GPOINTER_TO_UINT(arg);
	s->running = FALSE;
	uint8_t *buf = sim_scratch(s->sim, want ? want : 1);
	ssize_t r = so_recv(s->so, buf, want ? want : 1);
	s->reads++;
	if (r > 0) {
		s->corrupt += app_pattern_corrupt(buf, (size_t)r, s->bytes);
		s->bytes += (uint64_t)r;
		s->interval_bytes += (uint64_t)r;
		if (sim_in_window(s->sim, sim_now(s->sim)))
			s->bytes_window += (uint64_t)r;
		s->allowance -= r;
		schedule_read(s);
	} else if (r == 0) {
		s->eof = TRUE;
		so_close(s->so);
	}
}

static void upcall(struct socket *so, void *ctx, int events);

/* The connection, accepted: read from it. */
static void
accepted(void *ctx, struct socket *so)
{
	app_sink *s = ctx;
	s->accepting = FALSE;
	if (!so || s->so)
		return;
	s->so = so;
	so_set_upcall(s->so, upcall, s);
	uint32_t la, fa;
	uint16_t lp, fp;
	so_addrs(s->so, &la, &lp, &fa, &fp);
	s->peer_port = fp;
	g_snprintf(s->peer, sizeof s->peer, "%u.%u.%u.%u", fa >> 24,
		   fa >> 16 & 255, fa >> 8 & 255, fa & 255);
}

/* Through an acceptor: data may have come while it worked. */
static void
accepted_later(void *ctx, struct socket *so)
{
	app_sink *s = ctx;
	gboolean first = so && !s->so;
	accepted(ctx, so);
	if (first && so_rcv_cc(s->so) > 0)
		schedule_read(s);
}

static void
upcall(struct socket *so, void *ctx, int events)
{
	app_sink *s = ctx;
	if (events & SO_EV_ACCEPT && !s->so && !s->accepting) {
		if (s->p.acceptor.accept) {
			s->accepting = TRUE;
			s->p.acceptor.accept(s->p.acceptor.impl, s->listener,
					     accepted_later, s);
		} else {
			int err = 0;
			struct socket *a = so_accept(s->listener, &err);
			if (a)
				accepted(s, a);
		}
	}
	if (events & (SO_EV_READ | SO_EV_CLOSED))
		schedule_read(s);
}

static void
rate_tick(void *ctx, void *arg)
{
	app_sink *s = ctx;
	/* Budget of one tick, not saved up beyond one tick's worth. */
	int64_t per = (int64_t)(s->p.rate * RATE_TICK / SIM_S / 8);
	s->allowance = MIN(s->allowance + per, per);
	schedule_read(s);
	sim_timer_arm_in(s->sim, &s->tick, RATE_TICK);
}

static void
sink_free(gpointer data)
{
	app_sink *s = data;
	g_free(s->name);
	g_free(s->csv_name);
	g_free(s);
}

app_sink *
app_sink_new(sim_t *sim, const char *name, struct socket *listener,
	     sim_exec *ex, const app_sink_params *p)
{
	app_sink *s = g_new0(app_sink, 1);
	s->sim = sim;
	s->name = g_strdup(name);
	char *f = sim_csv_field_text(name);
	s->csv_name = g_strconcat(f, ",", NULL);
	s->csv_name_len = strlen(s->csv_name);
	g_free(f);
	s->listener = listener;
	s->ex = ex;
	s->p = *p;
	so_set_upcall(listener, upcall, s);
	{
		uint32_t la, fa;
		uint16_t lp, fp;
		so_addrs(listener, &la, &lp, &fa, &fp);
		s->port = lp;
	}
	sim_timer_init(&s->tick, rate_tick, s, NULL);
	if (p->rate > 0)
		sim_timer_arm_in(sim, &s->tick, 0);
	sim_on_free(sim, sink_free, s);
	return s;
}

uint64_t
app_sink_bytes(const app_sink *s)
{
	return s->bytes;
}

uint64_t
app_sink_corrupt(const app_sink *s)
{
	return s->corrupt;
}

gboolean
app_sink_got_eof(const app_sink *s)
{
	return s->eof;
}

static double
throughput(void *ctx)
{
	app_sink *s = ctx;
	sim_t *sim = s->sim;
	double w = sim_time_to_s(MIN(sim->measure_to, sim_now(sim)) -
				 sim->measure_from);
	return w > 0 ? s->bytes_window * 8.0 / w / 1e6 : 0.0;
}

static char *
peer_addr(void *ctx)
{
	app_sink *s = ctx;
	return g_strdup(s->peer);
}

void
app_sink_register_stats(app_sink *s)
{
	char buf[256];
#define P(k) (g_snprintf(buf, sizeof buf, "connections.%s.%s", s->name, k), buf)
	sim_stats_add_fn(s->sim->stats, P("throughput_mbps"), throughput, s);
	sim_stats_add_u64(s->sim->stats, P("bytes_delivered"), &s->bytes);
	sim_stats_add_u64(s->sim->stats, P("bytes_delivered_in_window"),
			  &s->bytes_window);
	sim_stats_add_u64(s->sim->stats, P("corrupt_bytes"), &s->corrupt);
	sim_stats_add_u64(s->sim->stats, P("reads"), &s->reads);
	sim_stats_add_u64(s->sim->stats, P("receiver_port"), &s->port);
	sim_stats_add_u64(s->sim->stats, P("sender_port"), &s->peer_port);
	sim_stats_add_string_fn(s->sim->stats, P("sender_ipv4"), peer_addr, s);
#undef P
}

const char *const app_throughput_columns[] = { "time_s", "connection",
					       "throughput_mbps", NULL };

void
app_throughput_rows(void *sinks, sim_csv *csv, sim_time_t start, sim_time_t t)
{
	GPtrArray *a = sinks;
	/* A row per connection per interval (300,000 at a thousand
	 * connections over 30 s): each is put together here and written
	 * whole; the time and each name were made CSV fields once. */
	char row[64 + 3 * 64 + 64];
	size_t lw = sim_csv_double_text(sim_time_to_s(t), row);
	g_assert(lw > 0 && !strchr(row, ',') && !strchr(row, '"'));
	row[lw++] = ',';
	double secs = sim_time_to_s(t - start);
	for (guint i = 0; i < a->len; i++) {
		app_sink *s = g_ptr_array_index(a, i);
		size_t ln = s->csv_name_len, n = lw;
		g_assert(n + ln + 64 + 1 <= sizeof row);
		memcpy(row + n, s->csv_name, ln);
		n += ln;
		n += sim_csv_double_text(s->interval_bytes * 8.0 / secs / 1e6,
					 row + n);
		row[n++] = '\n';
		sim_csv_put_row(csv, row, n);
		s->interval_bytes = 0;
	}
}
