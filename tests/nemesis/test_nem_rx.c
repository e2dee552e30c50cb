/*
 * test_nem_rx.c - the Nemesis host's receive path (models/nemesis), one
 * behaviour per test: InetMod's advertised window, drops when no buffer
 * is posted, who pays for each receive step, the flow manager's installs.
 *
 * Fixture: a Nemesis host (ideal CPU costs unless a test sets one entry)
 * with a server domain listening on port 80, and a 4.4BSD peer stack,
 * joined by a fake point-to-point wire (fixed rate, 1 us propagation,
 * one frame at a time per direction).  Every frame put on the wire is
 * parsed and logged, so a test reads the windows the Nemesis side
 * advertised straight from the TCP headers.  The expected values are
 * computed from the rule the test is about, never taken from a run.
 */
#include "models/nemesis/nemesis.h"
#include "models/tcp_bsd/tcp_bsd.h"

#include <check.h>
#include <string.h>

#define ADDR_NEM 0x0a000001u  /* 10.0.0.1 */
#define ADDR_PEER 0x0a000002u /* 10.0.0.2 */
#define MSS 1460u         /* Ethernet, no TCP options (rfc1323 off) */
#define RATE 10000000     /* the fake wire: 10 Mb/s */

struct seg {
	int from;             /* 0: Nemesis, 1: peer */
	uint8_t flags;
	uint32_t seq, ack, len, win;
	uint32_t frame_len;
};

struct fx {
	sim_t *sim;
	sim_netif nif[2];
	sim_time_t busy[2];
	GArray *log;          /* struct seg */
	cpu_t *cpu;
	nem_host *h;
	nem_domain *d;
	struct socket *listener, *conn, *peer;
	GPtrArray *accepted;
	ip_stack *pst;
	uint64_t read_bytes, read_calls;
	guint accepts_wanted;
};

/* ---- The wire -------------------------------------------------------- */

static void
parse(const sim_pkt *f, int from, struct seg *s)
{
	uint8_t b[14 + 20 + 20];
	memset(s, 0, sizeof *s);
	s->from = from;
	s->frame_len = sim_pkt_len(f);
	sim_pkt_copy_out(f, 0, sizeof b, b);
	const uint8_t *ip = b + 14, *th = b + 14 + 20;
	ck_assert_uint_eq(ip[0], 0x45); /* no IP options in these tests */
	uint32_t iplen = (ip[2] << 8) | ip[3];
	uint32_t thl = (th[12] >> 4) * 4u;
	s->seq = ((uint32_t)th[4] << 24) | (th[5] << 16) | (th[6] << 8) | th[7];
	s->ack = ((uint32_t)th[8] << 24) | (th[9] << 16) | (th[10] << 8) |
		 th[11];
	s->flags = th[13];
	s->win = (th[14] << 8) | th[15];
	s->len = iplen - 20 - thl;
}

struct delivery {
	struct fx *fx;
	int to;
	sim_pkt *f;
};

static void
deliver(void *ctx, void *arg)
{
	struct delivery *dl = ctx;
	sim_netif *n = &dl->fx->nif[dl->to];
	n->input(n->upper, n, dl->f);
	g_free(dl);
}

static void
sent(void *ctx, void *arg)
{
	struct delivery *dl = ctx;
	sim_netif *n = &dl->fx->nif[1 - dl->to];
	if (n->tx_done)
		n->tx_done(n->upper, n, dl->f, TRUE);
	sim_pkt_unref(dl->f);
	g_free(dl);
}

static gboolean
wire_output(sim_netif *nif, sim_pkt *frame)
{
	struct fx *fx = nif->impl;
	int i = nif == &fx->nif[0] ? 0 : 1;
	struct seg s;
	parse(frame, i, &s);
	g_array_append_val(fx->log, s);
	/* Preamble, FCS and gap: 24 bytes of wire time per frame. */
	sim_time_t t0 = MAX(sim_now(fx->sim), fx->busy[i]);
	sim_time_t t1 = t0 + (sim_time_t)(sim_pkt_len(frame) + 24) * 8 *
				     (SIM_S / RATE);
	fx->busy[i] = t1;
	struct delivery *done = g_new(struct delivery, 1);
	*done = (struct delivery){ fx, 1 - i, sim_pkt_ref(frame) };
	sim_at(fx->sim, t1, sent, done, NULL);
	struct delivery *dl = g_new(struct delivery, 1);
	*dl = (struct delivery){ fx, 1 - i, frame };
	sim_at(fx->sim, t1 + SIM_US, deliver, dl, NULL);
	return TRUE;
}

static uint32_t
wire_ring_free(const sim_netif *nif)
{
	return 64;
}

/* ---- The fixture ----------------------------------------------------- */

static void
peer_upcall(struct socket *so, void *ctx, int events)
{
}

static void
accepted(void *ctx, struct socket *so)
{
	struct fx *fx = ctx;
	if (!so)
		return;
	g_ptr_array_add(fx->accepted, so);
	if (!fx->conn)
		fx->conn = so;
}

static void
listener_upcall(struct socket *so, void *ctx, int events)
{
	struct fx *fx = ctx;
	if (events & SO_EV_ACCEPT)
		nem_accept(fx->d, so, accepted, fx);
}

/*
 * A fixture: rx_buffers and to_app_slots for the host; `cost_op` (if not
 * NULL) is the one operation of the ideal table that costs `cost_ns`.
 */
static struct fx *
fx_new(guint rx_buffers, guint to_app, const char *cost_op, sim_time_t cost_ns)
{
	GError *err = NULL;
	struct fx *fx = g_new0(struct fx, 1);
	fx->sim = sim_new(1);
	fx->log = g_array_new(FALSE, FALSE, sizeof(struct seg));
	fx->accepted = g_ptr_array_new();
	for (int i = 0; i < 2; i++) {
		sim_netif *n = &fx->nif[i];
		n->name = i ? "peer" : "nem";
		uint8_t mac[6] = { 2, 0, 0, 0, 0, (uint8_t)(i + 1) };
		memcpy(n->mac, mac, 6);
		n->rate = RATE;
		n->mtu = 1500;
		n->output = wire_output;
		n->tx_ring_free = wire_ring_free;
		n->impl = fx;
	}

	cpu_params cp;
	cpu_params_default(&cp);
	cp.cost_model = "ideal";
	cp.charge_domain_switch = FALSE;
	fx->cpu = cpu_new(fx->sim, "nem", &cp, &err);
	ck_assert_ptr_nonnull(fx->cpu);
	if (cost_op)
		ck_assert(cpu_costs_set(cpu_get_costs(fx->cpu), cost_op,
					cost_ns, &err));

	nem_host_params hp;
	nem_host_params_default(&hp, RATE, "de4x5");
	hp.addr = ADDR_NEM;
	hp.rfc1323 = 0;
	hp.rx_buffers = rx_buffers;
	hp.to_app_slots = to_app;
	fx->h = nem_host_new(fx->sim, "nem", fx->cpu, &fx->nif[0], &hp, &err);
	ck_assert_ptr_nonnull(fx->h);
	nem_host_add_neighbour(fx->h, ADDR_PEER, fx->nif[1].mac);
	atropos_qos q = { 10 * SIM_MS, 5 * SIM_MS, TRUE, 10 * SIM_MS };
	fx->d = nem_domain_new(fx->h, "srv", &q, &err);
	ck_assert_ptr_nonnull(fx->d);
	fx->listener = nem_listen(fx->d, "srv", &q, 80, 5, &err);
	ck_assert_ptr_nonnull(fx->listener);
	so_set_upcall(fx->listener, listener_upcall, fx);
	nem_host_register_stats(fx->h);
	cpu_register_stats(fx->cpu);

	struct ip_stack_config cfg;
	ip_stack_config_init(&cfg);
	cfg.name = "peer";
	cfg.addr = ADDR_PEER;
	cfg.personality = &tcp_personality_bsd44;
	cfg.rfc1323 = 0;
	fx->pst = ip_stack_new(fx->sim, &fx->nif[1], &cfg);
	ip_stack_add_neighbour(fx->pst, ADDR_NEM, fx->nif[0].mac);
	return fx;
}

static void
fx_free(struct fx *fx)
{
	sim_free(fx->sim);
	g_array_free(fx->log, TRUE);
	g_ptr_array_free(fx->accepted, TRUE);
	g_free(fx);
}

static void
connect_at(void *ctx, void *arg)
{
	struct fx *fx = ctx;
	fx->peer = so_socket(fx->pst);
	so_set_upcall(fx->peer, peer_upcall, fx);
	so_setsockopt(fx->peer, SOOPT_NODELAY, 1);
	so_setsockopt(fx->peer, SOOPT_SNDBUF, 65536);
	ck_assert_int_eq(so_connect(fx->peer, ADDR_NEM, 80), 0);
}

/* Byte o of the peer's stream is o mod 251. */
static uint64_t peer_off;

static void
peer_write(struct fx *fx, uint32_t n)
{
	uint8_t *b = g_malloc(n);
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)((peer_off + i) % 251);
	ck_assert_int_eq(so_send(fx->peer, b, n), (ssize_t)n);
	peer_off += n;
	g_free(b);
}

struct write_req {
	struct fx *fx;
	uint32_t n, times;
};

static void
write_at(void *ctx, void *arg)
{
	struct write_req *w = ctx;
	for (uint32_t i = 0; i < w->times; i++)
		peer_write(w->fx, w->n);
	g_free(w);
}

static void
schedule_writes(struct fx *fx, sim_time_t t, uint32_t n, uint32_t times)
{
	struct write_req *w = g_new(struct write_req, 1);
	*w = (struct write_req){ fx, n, times };
	sim_at(fx->sim, t, write_at, w, NULL);
}

/* The application's read, on its own thread (as a web server's). */
static uint64_t app_off;

struct read_req {
	struct fx *fx;
	uint32_t n;
};

static void
do_read(void *ctx, void *arg)
{
	struct read_req *r = ctx;
	uint8_t *b = g_malloc(r->n);
	ssize_t got = so_recv(r->fx->conn, b, r->n);
	if (got == -EWOULDBLOCK) {
		/* Nothing to read yet. */
		g_free(b);
		g_free(r);
		return;
	}
	ck_assert_int_gt(got, 0);
	for (ssize_t i = 0; i < got; i++)
		ck_assert_uint_eq(b[i], (app_off + (uint64_t)i) % 251);
	app_off += (uint64_t)got;
	r->fx->read_bytes += (uint64_t)got;
	r->fx->read_calls++;
	g_free(b);
	g_free(r);
}

static void
read_at(void *ctx, void *arg)
{
	struct fx *fx = ctx;
	struct read_req *r = g_new(struct read_req, 1);
	*r = (struct read_req){ fx, GPOINTER_TO_UINT(arg) };
	ck_assert_ptr_nonnull(fx->conn);
	sim_exec_run(nem_domain_app_exec(fx->d), 0, do_read, r, NULL);
}

static void
fx_start(struct fx *fx)
{
	peer_off = 0;
	app_off = 0;
	/* The flow manager installs the listener's filter at 0. */
	sim_at(fx->sim, 10 * SIM_MS, connect_at, fx, NULL);
}

static double
stat(struct fx *fx, const char *path)
{
	double v = -1;
	ck_assert_msg(sim_stats_get_double(fx->sim->stats, path, &v), "%s",
		      path);
	return v;
}

static sim_time_t
domain_ran(struct fx *fx, const char *name)
{
	cpu_sync(fx->cpu);
	cpu_domain_acct a;
	cpu_domain_get_acct(cpu_find_domain(fx->cpu, name), &a);
	ck_assert_int_eq(a.switching, 0);
	return a.contracted + a.slack;
}

/* The peer's initial sequence number: its SYN's. */
static uint32_t
peer_isn(struct fx *fx)
{
	for (guint i = 0; i < fx->log->len; i++) {
		struct seg *s = &g_array_index(fx->log, struct seg, i);
		if (s->from == 1 && (s->flags & 0x02))
			return s->seq;
	}
	ck_abort_msg("no SYN from the peer");
	return 0;
}

/* The last segment the Nemesis side sent (after the handshake). */
static struct seg *
last_nem(struct fx *fx)
{
	for (guint i = fx->log->len; i-- > 0;) {
		struct seg *s = &g_array_index(fx->log, struct seg, i);
		if (s->from == 0)
			return s;
	}
	ck_abort_msg("the Nemesis side sent nothing");
	return NULL;
}

/* ---- The advertised window ------------------------------------------- */

/*
 * Cases: posted buffers the tighter limit, then to_app; k segments the
 * peer sends while the application does not read, j it then reads.
 */
static const struct {
	guint rx_buffers, to_app, k, j;
} win_cases[] = {
	{ 8, 12, 5, 3 },
	{ 12, 6, 4, 2 },
	{ 10, 10, 7, 7 },
};

START_TEST(test_window_is_min_of_free_buffers_and_to_app_slots)
{
	guint rx = win_cases[_i].rx_buffers, ta = win_cases[_i].to_app;
	guint k = win_cases[_i].k, j = win_cases[_i].j;
	guint n = MIN(rx, ta);
	struct fx *fx = fx_new(rx, ta, NULL, 0);
	fx_start(fx);
	schedule_writes(fx, 100 * SIM_MS, k * MSS, 1);
	sim_run_until(fx->sim, 2 * SIM_S);
	ck_assert_ptr_nonnull(fx->conn);
	ck_assert_uint_eq(so_rcv_cc(fx->conn), k * MSS);

	/* Every ACK the Nemesis side sent while its application did not
	 * read: the segments held are those it acknowledged, and each
	 * takes a posted buffer and a to_app slot. */
	uint32_t isn = peer_isn(fx);
	guint acks = 0;
	for (guint i = 0; i < fx->log->len; i++) {
		struct seg *s = &g_array_index(fx->log, struct seg, i);
		if (s->from != 0 || (s->flags & 0x02) || !(s->flags & 0x10))
			continue;
		uint32_t held_bytes = s->ack - isn - 1;
		ck_assert_uint_eq(held_bytes % MSS, 0);
		guint held = held_bytes / MSS;
		ck_assert_uint_eq(s->win, (n - held) * MSS);
		acks++;
	}
	ck_assert_uint_ge(acks, 2);
	struct seg *last = last_nem(fx);
	ck_assert_uint_eq(last->ack - isn - 1, k * MSS);
	ck_assert_uint_eq(last->win, (n - k) * MSS);
	guint before = fx->log->len;

	/* The application reads j segments: as many buffers go back and
	 * as many slots free up, so the window opens by j MSS (a window
	 * update, j >= 2 MSS being 4.4BSD's threshold). */
	sim_at(fx->sim, sim_now(fx->sim), read_at, fx,
	       GUINT_TO_POINTER(j * MSS));
	sim_run_until(fx->sim, 3 * SIM_S);
	ck_assert_uint_eq(fx->read_bytes, j * MSS);
	ck_assert_uint_gt(fx->log->len, before);
	last = last_nem(fx);
	ck_assert_uint_eq(last->ack - isn - 1, k * MSS);
	ck_assert_uint_eq(last->win, (n - k + j) * MSS);
	ck_assert_uint_eq(stat(fx, "hosts.nem.rx_no_buffer"), 0);
	fx_free(fx);
}
END_TEST

/* ---- No buffer posted -------------------------------------------------- */

START_TEST(test_segment_without_buffer_dropped_counted_and_retransmitted)
{
	/* 4 posted buffers; the peer sends ten 100-byte segments back to
	 * back (TCP_NODELAY, all within its first window and 1-MSS
	 * congestion window); the application reads nothing before 1 s.
	 * The first 4 take the 4 buffers and are held; the other 6 find
	 * none: dropped by the driver, counted on the host and on the
	 * server's channel.  Once the application reads, the buffers come
	 * back and the peer's retransmission delivers the rest. */
	struct fx *fx = fx_new(4, 42, NULL, 0);
	fx_start(fx);
	schedule_writes(fx, 100 * SIM_MS, 100, 10);
	sim_run_until(fx->sim, 900 * SIM_MS);
	ck_assert_uint_eq(so_rcv_cc(fx->conn), 400);
	ck_assert_uint_eq(stat(fx, "hosts.nem.rx_no_buffer"), 6);
	ck_assert_uint_eq(stat(fx, "channels.srv.rx_no_buffer"), 6);
	for (guint t = 2; t <= 60; t++)
		sim_at(fx->sim, t * 500 * SIM_MS, read_at, fx,
		       GUINT_TO_POINTER(65536));
	sim_run_until(fx->sim, 31 * SIM_S);
	/* Every byte, in order (do_read checks each), and no more drops
	 * once the application reads. */
	ck_assert_uint_eq(fx->read_bytes, 1000);
	ck_assert_uint_eq(stat(fx, "hosts.nem.rx_no_buffer"), 6);
	/* The peer sent the dropped bytes again: some segment of its
	 * starts below the highest sequence number it had sent. */
	uint32_t isn = peer_isn(fx), high = isn + 1;
	guint rexmt = 0;
	for (guint i = 0; i < fx->log->len; i++) {
		struct seg *g = &g_array_index(fx->log, struct seg, i);
		if (g->from != 1 || g->len == 0)
			continue;
		if (g->seq < high)
			rexmt++;
		high = MAX(high, g->seq + g->len);
	}
	ck_assert_uint_eq(high, isn + 1 + 1000);
	ck_assert_uint_ge(rexmt, 1);
	fx_free(fx);
}
END_TEST

/* ---- Who pays ------------------------------------------------------------ */

/* Frames (and their bytes) one side put on the wire. */
static guint
frames_from(struct fx *fx, int from, uint64_t *bytes)
{
	guint n = 0;
	uint64_t b = 0;
	for (guint i = 0; i < fx->log->len; i++) {
		struct seg *s = &g_array_index(fx->log, struct seg, i);
		if (s->from == from) {
			n++;
			b += s->frame_len;
		}
	}
	if (bytes)
		*bytes = b;
	return n;
}

/*
 * One operation of the ideal table costs something; the run: one
 * connection, 5 full segments from the peer, read by the application
 * at 1 s.  Each domain's CPU time is that cost times how often the
 * operation ran on its behalf, counted from the frames on the wire.
 */
enum who { DRV, SRV, FM };
enum per { PER_FRAME_IN, PER_BYTE_IN, PER_FRAME_OUT, PER_INSTALL };
static const struct {
	const char *op;
	sim_time_t ns;
	enum who who;
	enum per per;
} cost_cases[] = {
	/* The driver's receive interrupt and packet filter, and its copy
	 * into the posted buffer, per frame received. */
	{ "drv_rx_intr", 7000, DRV, PER_FRAME_IN },
	{ "drv_rx_copy_byte", 3, DRV, PER_BYTE_IN },
	/* tcp_input on the receiving domain's receiver thread, and posting
	 * each buffer again (at once for an ACK, on the read for data). */
	{ "inet_tcp_input", 20000, SRV, PER_FRAME_IN },
	{ "inet_rx_post", 3000, SRV, PER_FRAME_IN },
	/* Every frame the server sends: built in its domain, sent by the
	 * driver's TX thread, its completion interrupt in the driver, its
	 * buffers reclaimed in the server's domain. */
	{ "inet_tcp_output", 30000, SRV, PER_FRAME_OUT },
	{ "inet_tx_reclaim", 2000, SRV, PER_FRAME_OUT },
	{ "drv_tx_frame", 11000, DRV, PER_FRAME_OUT },
	{ "drv_tx_done", 5000, DRV, PER_FRAME_OUT },
	/* The listener's filter and the accepted connection's. */
	{ "flowman_install", 50000, FM, PER_INSTALL },
};

START_TEST(test_each_cost_charged_to_its_domain)
{
	const char *op = cost_cases[_i].op;
	sim_time_t ns = cost_cases[_i].ns;
	struct fx *fx = fx_new(40, 42, op, ns);
	fx_start(fx);
	schedule_writes(fx, 100 * SIM_MS, 5 * MSS, 1);
	sim_at(fx->sim, SIM_S, read_at, fx, GUINT_TO_POINTER(65536));
	sim_run_until(fx->sim, 3 * SIM_S);
	ck_assert_uint_eq(fx->read_bytes, 5 * MSS);

	uint64_t bytes_in;
	guint in = frames_from(fx, 1, &bytes_in), out = frames_from(fx, 0, NULL);
	ck_assert_uint_eq(stat(fx, "hosts.nem.rx_frames"), in);
	ck_assert_uint_eq(stat(fx, "hosts.nem.rx_no_buffer"), 0);
	ck_assert_uint_eq(stat(fx, "hosts.nem.filters_installed"), 2);
	uint64_t count = 0;
	switch (cost_cases[_i].per) {
	case PER_FRAME_IN: count = in; break;
	case PER_BYTE_IN: count = bytes_in; break;
	case PER_FRAME_OUT: count = out; break;
	case PER_INSTALL: count = 2; break;
	}
	sim_time_t want[3] = { 0, 0, 0 };
	want[cost_cases[_i].who] = (sim_time_t)count * ns;
	ck_assert_msg(domain_ran(fx, "nem_driver") == want[DRV],
		      "%s: driver ran %" G_GINT64_FORMAT " ns, want %"
		      G_GINT64_FORMAT, op, domain_ran(fx, "nem_driver"),
		      want[DRV]);
	ck_assert_msg(domain_ran(fx, "srv") == want[SRV],
		      "%s: srv ran %" G_GINT64_FORMAT " ns, want %"
		      G_GINT64_FORMAT, op, domain_ran(fx, "srv"), want[SRV]);
	ck_assert_msg(domain_ran(fx, "nem_flowman") == want[FM],
		      "%s: flow manager ran %" G_GINT64_FORMAT " ns, want %"
		      G_GINT64_FORMAT, op, domain_ran(fx, "nem_flowman"),
		      want[FM]);
	fx_free(fx);
}
END_TEST

START_TEST(test_flowman_installs_once_for_listen_and_per_accept)
{
	/* Three connections to one listener: 1 + 3 filters. */
	struct fx *fx = fx_new(40, 42, "flowman_install", 100000);
	fx_start(fx);
	sim_at(fx->sim, 200 * SIM_MS, connect_at, fx, NULL);
	sim_at(fx->sim, 400 * SIM_MS, connect_at, fx, NULL);
	sim_run_until(fx->sim, 2 * SIM_S);
	ck_assert_uint_eq(fx->accepted->len, 3);
	ck_assert_uint_eq(stat(fx, "hosts.nem.filters_installed"), 4);
	ck_assert_int_eq(domain_ran(fx, "nem_flowman"), 4 * 100000);
	ck_assert_int_eq(domain_ran(fx, "srv"), 0);
	fx_free(fx);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nemesis_rx");
	TCase *tc = tcase_create("rx");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_window_is_min_of_free_buffers_and_to_app_slots,
			    0, G_N_ELEMENTS(win_cases));
	tcase_add_test(tc,
		       test_segment_without_buffer_dropped_counted_and_retransmitted);
	tcase_add_loop_test(tc, test_each_cost_charged_to_its_domain, 0,
			    G_N_ELEMENTS(cost_cases));
	tcase_add_test(tc, test_flowman_installs_once_for_listen_and_per_accept);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
