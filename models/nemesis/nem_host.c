/*
 * nem_host.c - the Nemesis host: driver domain, flow manager, InetMod.
 *
 * The path of a data segment (ARCHITECTURE.md, "the flow of one data
 * segment"):
 *   app thread: so_send -> tcp_output -> ip_output -> output hook ->
 *     [inet_tcp_output on the app thread] -> the connection's transmit
 *     channel (full: wait, block the app thread)
 *   driver TX thread: [drv_tx_frame] pick by the transmit scheduler,
 *     charge the channel, hand the frame to the NIC ring
 * and of an ACK:
 *   NIC receive interrupt -> driver domain [drv_rx_intr + drv_rx_copy_byte
 *     per byte]: packet filter by TCP port; no receive buffer posted:
 *     drop; else into the connection's receive channel
 *   receiver thread [inet_tcp_input]: tcp_input (which may call
 *     tcp_output: new segments cost inet_tcp_output on this thread), then
 *     [inet_rx_post] the buffer is posted again
 *   NIC transmit-complete interrupt -> driver domain [drv_tx_done]: the TX
 *     thread may go on.
 *
 * and of data (section 3, "Supplying the Device Driver with Empty
 * Receive Buffers"): as an ACK, but a segment whose data TCP keeps (in
 * the socket's receive buffer, which is the to_app FIFO, or in the
 * reassembly queue) keeps its receive buffer until the application reads
 * it; a buffer TCP did not keep is posted again at once [inet_rx_post on
 * the receiver thread].  The application's read [its own cost, e.g.
 * inet_app_read + drv_rx_copy_byte per byte, charged by the app] takes
 * segments off to_app; the buffers they held go back to the driver
 * [inet_rx_post each, on the application's thread].
 *
 * A server (nem_listen, nem_accept; the paper's ServerSocket): the flow
 * manager binds the port and installs the listener's filter
 * [flowman_install]; every accepted connection gets its filter from the
 * flow manager too [flowman_install] before the application sees it.
 *
 * Deviations, on purpose: one timer thread per domain drives the
 * domain's TCP ticks (BSD's ticks are per stack; the release has a timer
 * thread per connection, which only changes who is charged when a domain
 * has several connections).  A server's accepted connections share the
 * server's I/O channels: one receive channel (its posted buffers and its
 * receiver thread) and one transmit channel with the server's tx_qos.
 * The release gives each connection channels of its own; but a channel
 * is held at r = 0 for its first second (qosentry's first deadline,
 * models/tx_atropos), so the per-request connections of HTTP/1.0 would
 * never see their reservation, and a reservation per connection would
 * multiply a customer's contract by its open connections.  A read
 * returns its buffers to the driver at once and charges their posting
 * to the application's thread just after (so the window update of that
 * read already sees them; the order is off by inet_rx_post per buffer).
 */
#include "nemesis.h"

#include "sim/idmap.h"
#include "sim/pktgate.h"
#include "sim/stats.h"

#include <arpa/inet.h>
#include <string.h>

struct nem_conn;

struct nem_host {
	sim_t *sim;
	char *name;
	GHashTable *accepts;    /* struct nem_accept_req * in progress */
	cpu_t *cpu;
	sim_netif *nif;
	nem_host_params p;
	cpu_domain *drv, *fm;
	cpu_thread *drv_tx;
	tx_sched *ts;
	tx_driver *txd;
	sim_idmap *filters;     /* local port -> struct nem_conn */
	GArray *neighbours;     /* struct neighbour */
	GPtrArray *domains;
	uint16_t next_port;
	/* costs, from the CPU's table */
	sim_time_t c_rx_intr, c_rx_byte, c_tx_done, c_tx_frame, c_fm_install,
		c_tcp_input, c_tcp_output, c_rx_post, c_tick, c_reclaim;
	/* counters */
	uint64_t rx_frames, rx_not_tcp, rx_no_filter, rx_no_buffer;
	uint64_t filters_installed;
};

struct neighbour {
	uint32_t addr;
	uint8_t mac[6];
};

struct nem_domain {
	nem_host *h;
	char *name;
	cpu_domain *cd;
	cpu_thread *app_t, *timer_t;
	sim_exec_tracked app, timer;
	sim_exec *current;      /* who runs TCP code right now */
	sim_netif vnif;         /* InetMod's view of the interface */
	ip_stack *st;
	sim_timer fast, slow;
	GPtrArray *conns;
};

/*
 * A connection's I/O channels (an active open's), or a server's, shared
 * by its listener and every connection it accepted (is_server).
 */
struct nem_conn {
	nem_domain *d;
	char *name;
	gboolean is_server;
	struct socket *so;      /* the connection, or the listener */
	uint16_t port;
	uint32_t peer;
	uint16_t peer_port;
	tx_channel *ch;
	cpu_thread *rx_t;
	sim_exec_tracked rx;
	guint rx_free;          /* posted receive buffers not yet used */
	uint64_t rx_no_buffer;  /* frames dropped: no buffer posted */
	sim_pktgate gate;       /* frames whose output cost is being spent */
	sim_pkt *pend_head, *pend_tail; /* frames waiting for channel space */
	gboolean app_blocked;
	uint64_t tx_waits;      /* frames that found the channel full */
};

void
nem_host_params_default(nem_host_params *p, sim_rate_t rate, const char *nic)
{
	memset(p, 0, sizeof *p);
	/* Driver QoS of the release: 3c509 (20 ms, 200 us, x, l = 20 ms);
	 * de4x5 (10 ms, 200 us, x, l = 10 ms), also for other cards. */
	if (nic && strcmp(nic, "3c509") == 0)
		p->driver_qos = (atropos_qos){ 20 * SIM_MS, 200 * SIM_US, TRUE,
					       20 * SIM_MS };
	else
		p->driver_qos = (atropos_qos){ 10 * SIM_MS, 200 * SIM_US, TRUE,
					       10 * SIM_MS };
	/* Flow manager: (2 ms, 10 us, x, l = 2 ms). */
	p->flowman_qos = (atropos_qos){ 2 * SIM_MS, 10 * SIM_US, TRUE,
					2 * SIM_MS };
	p->rx_buffers = 40;     /* TCP's posted receive buffers (release) */
	/* The receive I/O channel is 128 slots deep (release); a packet
	 * takes a header and a data record plus a header slot, so at most
	 * 42 packets queue for the application. */
	p->to_app_slots = 42;
	p->sockbuf = 16000;     /* InetMod's socket buffers (release) */
	p->rfc1323 = -1;
	p->subnetsarelocal = TRUE;
	tx_sched_params_default(&p->tx, rate);
}

/* ---- Transmit ------------------------------------------------------------ */

static void
channel_space(void *ctx)
{
	struct nem_conn *c = ctx;
	while (c->pend_head) {
		sim_pkt *f = c->pend_head;
		sim_pkt *next = f->next;
		if (!tx_channel_send(c->ch, f))
			return;
		c->pend_head = next;
		if (!next)
			c->pend_tail = NULL;
	}
	if (c->app_blocked) {
		c->app_blocked = FALSE;
		cpu_thread_unblock(c->d->app_t);
	}
}

/*
 * Transmit buffers come back (section 3, "Reclaiming used transmit
 * buffers").  The driver puts a packet's buffers on the channel's return
 * FIFO once the card has sent it; that is an event to the application's
 * domain, and InetMod reclaims them in a notification handler, i.e. when
 * the domain next runs and the reclaim cannot block - not synchronously
 * after ip_output (the naive scheme the paper found slow).  Its cost is
 * charged to the application's domain.  The payload stays in the socket
 * buffer until it is acknowledged (so_snd keeps it), as the paper says.
 */
static void
reclaim_one(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	tx_channel_reclaim(c->ch, 1);
}

static void
buffers_returned(void *ctx)
{
	struct nem_conn *c = ctx;
	cpu_domain_notify(c->d->cd, c->d->h->c_reclaim, reclaim_one, c, NULL);
}

/* The frame's turn has come (its cost and its predecessors' are spent). */
static void
frame_to_channel(void *ctx, sim_pkt *f)
{
	struct nem_conn *c = ctx;
	if (!c->pend_head && tx_channel_send(c->ch, f))
		return;
	c->tx_waits++;
	f->next = NULL;
	if (c->pend_tail)
		c->pend_tail->next = f;
	else
		c->pend_head = f;
	c->pend_tail = f;
	/* The application thread blocks until the channel has room. */
	if (!c->app_blocked) {
		c->app_blocked = TRUE;
		cpu_thread_block(c->d->app_t);
	}
}

/* TCP source port of an Ethernet/IPv4/TCP frame, or -1. */
static int
frame_port(const sim_pkt *f, gboolean dst)
{
	uint8_t h[14 + 60 + 4];
	uint32_t len = sim_pkt_len(f);
	if (len < 14 + 20 + 4)
		return -1;
	sim_pkt_copy_out(f, 0, 14 + 20, h);
	if (h[12] != 0x08 || h[13] != 0x00 || (h[14] >> 4) != 4 || h[23] != 6)
		return -1;
	uint32_t ihl = (h[14] & 0x0f) * 4u;
	if (ihl < 20 || len < 14 + ihl + 4)
		return -1;
	uint8_t ports[4];
	sim_pkt_copy_out(f, 14 + ihl, 4, ports);
	return dst ? (ports[2] << 8) | ports[3] : (ports[0] << 8) | ports[1];
}

/* The output cost has been spent on the thread that built the frame. */
static void
output_cost_spent(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	sim_pktgate_done(&c->gate, arg, frame_to_channel, c);
}

static gboolean
output_hook(void *ctx, ip_stack *st, sim_pkt *frame)
{
	nem_domain *d = ctx;
	int port = frame_port(frame, FALSE);
	struct nem_conn *c = port < 0 ? NULL
			     : sim_idmap_get(d->h->filters, (uint64_t)port);
	if (!c || c->d != d) {
		/* A segment for no connection of ours (an RST for a stray
		 * segment): InetMod has no channel for it. */
		sim_pkt_unref(frame);
		return FALSE;
	}
	/* Outside a step of ours TCP runs from a timer of its own: that is
	 * the domain's timer thread's work. */
	sim_exec *ex = d->current ? d->current : &d->timer.ex;
	sim_exec_run(ex, d->h->c_tcp_output, output_cost_spent, c,
		     sim_pktgate_enter(&c->gate, frame));
	return TRUE;
}

static gboolean
vnif_output(sim_netif *nif, sim_pkt *frame)
{
	/* Never called: the output hook takes every frame. */
	g_assert_not_reached();
	return FALSE;
}

static uint32_t
vnif_ring_free(const sim_netif *nif)
{
	return 1;
}

/* ---- Receive ------------------------------------------------------------- */

static void
buffers_posted(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	c->rx_free += GPOINTER_TO_UINT(arg);
}

/*
 * The receiver thread: tcp_input on the frame.  The stack's count of
 * held segments tells whether TCP kept this frame's data (+1), let it go
 * (0: an ACK, a duplicate, a SYN), or released others with it (a reset
 * flushing a receive buffer): the buffers not held go back to the driver.
 */
static void
receiver_input(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	int64_t before = (int64_t)ip_stack_rcv_held(c->d->st);
	ip_stack_input(c->d->st, arg);
	int64_t kept = (int64_t)ip_stack_rcv_held(c->d->st) - before;
	if (kept >= 1)
		return;
	guint n = (guint)(1 - kept);
	sim_exec_run(&c->rx.ex, c->d->h->c_rx_post * n, buffers_posted, c,
		     GUINT_TO_POINTER(n));
}

/*
 * A read took `packets` segments off to_app: their buffers go back to
 * the driver now, and posting them is the reading thread's work.
 */
static void
nothing(void *ctx, void *arg)
{
}

static void
read_freed(void *ctx, struct socket *so, uint32_t packets)
{
	nem_domain *d = ctx;
	struct nem_conn *c = sim_idmap_get(d->h->filters, so_local_port(so));
	if (!c || c->d != d)
		return; /* not a flow of ours (cannot happen) */
	c->rx_free += packets;
	sim_exec *ex = d->current ? d->current : &d->app.ex;
	sim_exec_run(ex, d->h->c_rx_post * packets, nothing, NULL, NULL);
}

/* Packet filter, in the driver domain, after the interrupt's cost. */
static void
packet_filter(void *ctx, void *arg)
{
	nem_host *h = ctx;
	sim_pkt *f = arg;
	int port = frame_port(f, TRUE);
	if (port < 0) {
		h->rx_not_tcp++;
		sim_pkt_unref(f);
		return;
	}
	struct nem_conn *c = sim_idmap_get(h->filters, (uint64_t)port);
	if (!c) {
		h->rx_no_filter++;
		sim_pkt_unref(f);
		return;
	}
	if (c->rx_free == 0) {
		h->rx_no_buffer++;
		c->rx_no_buffer++;
		sim_pkt_unref(f);
		return;
	}
	c->rx_free--;
	sim_exec_run(&c->rx.ex, h->c_tcp_input, receiver_input, c, f);
}

static void
nic_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	nem_host *h = upper;
	h->rx_frames++;
	cpu_domain_notify(h->drv,
			  h->c_rx_intr + h->c_rx_byte * sim_pkt_len(frame),
			  packet_filter, h, frame);
}

static void
ring_space(void *ctx, void *arg)
{
	nem_host *h = ctx;
	tx_driver_ring_space(h->txd);
}

static void
nic_tx_done(void *upper, sim_netif *nif, const sim_pkt *frame, gboolean sent)
{
	nem_host *h = upper;
	cpu_domain_notify(h->drv, h->c_tx_done, ring_space, h, NULL);
}

/*
 * InetMod's window: free posted buffers (of the connection's receive
 * channel) and free slots of the connection's to_app FIFO (a segment a
 * slot), in segments, and never above the socket buffer's space.
 */
static uint32_t
inetmod_rcvwin(struct tcpcb *tp, void *ctx)
{
	struct nem_conn *c = ctx;
	struct socket *so = tcp_socket(tp);
	uint32_t sb = tcp_rcvwin_sockbuf(tp, NULL);
	int mss = 0;
	so_getsockopt(so, SOOPT_MAXSEG, &mss);
	if (mss <= 0)
		return sb;
	guint queued = so_rcv_npkt(so);
	guint to_app_free = c->d->h->p.to_app_slots > queued
				    ? c->d->h->p.to_app_slots - queued
				    : 0;
	uint64_t segs = MIN(c->rx_free, to_app_free);
	return (uint32_t)MIN((uint64_t)sb, segs * (uint64_t)mss);
}

/* ---- Timers -------------------------------------------------------------- */

static void
fast_step(void *ctx, void *arg)
{
	tcp_fasttimo(((nem_domain *)ctx)->st);
}

static void
slow_step(void *ctx, void *arg)
{
	tcp_slowtimo(((nem_domain *)ctx)->st);
}

static void
fast_tick(void *ctx, void *arg)
{
	nem_domain *d = ctx;
	sim_exec_run(&d->timer.ex, d->h->c_tick, fast_step, d, NULL);
	sim_timer_arm_in(d->h->sim, &d->fast,
			 ip_stack_personality(d->st)->fasttick);
}

static void
slow_tick(void *ctx, void *arg)
{
	nem_domain *d = ctx;
	sim_exec_run(&d->timer.ex, d->h->c_tick, slow_step, d, NULL);
	sim_timer_arm_in(d->h->sim, &d->slow,
			 ip_stack_personality(d->st)->slowtick);
}

/* ---- Construction -------------------------------------------------------- */

static void
host_free(gpointer data)
{
	nem_host *h = data;
	for (guint i = 0; i < h->domains->len; i++) {
		nem_domain *d = g_ptr_array_index(h->domains, i);
		for (guint k = 0; k < d->conns->len; k++) {
			struct nem_conn *c = g_ptr_array_index(d->conns, k);
			sim_pktgate_clear(&c->gate);
			for (sim_pkt *f = c->pend_head, *n; f; f = n) {
				n = f->next;
				sim_pkt_unref(f);
			}
			g_free(c->name);
			g_free(c);
		}
		g_ptr_array_free(d->conns, TRUE);
		g_free(d->name);
		g_free(d);
	}
	g_ptr_array_free(h->domains, TRUE);
	sim_idmap_free(h->filters);
	g_hash_table_destroy(h->accepts); /* those the run's end cut off */
	g_array_free(h->neighbours, TRUE);
	g_free(h->name);
	g_free(h);
}

nem_host *
nem_host_new(sim_t *sim, const char *name, cpu_t *cpu, sim_netif *nif,
	     const nem_host_params *p, GError **error)
{
	nem_host *h = g_new0(nem_host, 1);
	h->sim = sim;
	h->name = g_strdup(name);
	h->cpu = cpu;
	h->nif = nif;
	h->p = *p;
	h->filters = sim_idmap_new();
	h->accepts = g_hash_table_new_full(g_direct_hash, g_direct_equal,
					   g_free, NULL);
	h->neighbours = g_array_new(FALSE, FALSE, sizeof(struct neighbour));
	h->domains = g_ptr_array_new();
	h->next_port = 1024; /* first ephemeral port, as 4.4BSD */
	sim_on_free(sim, host_free, h);

	struct {
		const char *op;
		sim_time_t *v;
	} ops[] = {
		{ "drv_rx_intr", &h->c_rx_intr },
		{ "drv_rx_copy_byte", &h->c_rx_byte },
		{ "drv_tx_done", &h->c_tx_done },
		{ "drv_tx_frame", &h->c_tx_frame },
		{ "flowman_install", &h->c_fm_install },
		{ "inet_tcp_input", &h->c_tcp_input },
		{ "inet_tcp_output", &h->c_tcp_output },
		{ "inet_rx_post", &h->c_rx_post },
		{ "inet_timer_tick", &h->c_tick },
		{ "inet_tx_reclaim", &h->c_reclaim },
	};
	for (guint i = 0; i < G_N_ELEMENTS(ops); i++)
		if (!cpu_costs_lookup(cpu_get_costs(cpu), ops[i].op, ops[i].v,
				      error))
			return NULL;

	char *dn = g_strdup_printf("%s_driver", name);
	h->drv = cpu_domain_new(cpu, dn, &p->driver_qos, error);
	g_free(dn);
	if (!h->drv)
		return NULL;
	char *fn = g_strdup_printf("%s_flowman", name);
	h->fm = cpu_domain_new(cpu, fn, &p->flowman_qos, error);
	g_free(fn);
	if (!h->fm)
		return NULL;
	h->drv_tx = cpu_thread_new(h->drv, "tx");
	h->ts = tx_sched_new(sim, name, &p->tx);
	h->txd = tx_driver_new(sim, h->ts, nif, cpu_thread_executor(h->drv_tx),
			       h->c_tx_frame);
	nif->input = nic_input;
	nif->tx_done = nic_tx_done;
	nif->upper = h;
	return h;
}

void
nem_host_add_neighbour(nem_host *h, uint32_t addr, const uint8_t *mac)
{
	struct neighbour n = { .addr = addr };
	memcpy(n.mac, mac, 6);
	g_array_append_val(h->neighbours, n);
	for (guint i = 0; i < h->domains->len; i++) {
		nem_domain *d = g_ptr_array_index(h->domains, i);
		ip_stack_add_neighbour(d->st, addr, mac);
	}
}

nem_domain *
nem_domain_new(nem_host *h, const char *name, const atropos_qos *cpu_qos,
	       GError **error)
{
	cpu_domain *cd = cpu_domain_new(h->cpu, name, cpu_qos, error);
	if (!cd)
		return NULL;
	nem_domain *d = g_new0(nem_domain, 1);
	d->h = h;
	d->name = g_strdup(name);
	d->cd = cd;
	d->conns = g_ptr_array_new();
	g_ptr_array_add(h->domains, d);
	d->app_t = cpu_thread_new(cd, "app");
	d->timer_t = cpu_thread_new(cd, "timer");
	sim_exec_tracked_init(&d->app, cpu_thread_executor(d->app_t),
			      &d->current);
	sim_exec_tracked_init(&d->timer, cpu_thread_executor(d->timer_t),
			      &d->current);

	d->vnif.name = d->name;
	memcpy(d->vnif.mac, h->nif->mac, 6);
	d->vnif.rate = h->nif->rate;
	d->vnif.mtu = h->nif->mtu;
	d->vnif.output = vnif_output;
	d->vnif.tx_ring_free = vnif_ring_free;
	struct ip_stack_config cfg;
	ip_stack_config_init(&cfg);
	/* Its counters appear as hosts.<host>_<domain>.tcp.* */
	char *stack_name = g_strdup_printf("%s_%s", h->name, d->name);
	cfg.name = stack_name;
	cfg.addr = h->p.addr;
	cfg.personality = &tcp_personality_bsd44; /* InetMod is 4.4BSD */
	cfg.rfc1323 = h->p.rfc1323;
	cfg.subnetsarelocal = h->p.subnetsarelocal;
	cfg.external_ticks = TRUE;
	d->st = ip_stack_new(h->sim, &d->vnif, &cfg);
	g_free(stack_name);
	ip_stack_set_output_hook(d->st, output_hook, d);
	ip_stack_set_rcvd_hook(d->st, read_freed, d);
	for (guint i = 0; i < h->neighbours->len; i++) {
		struct neighbour *n =
			&g_array_index(h->neighbours, struct neighbour, i);
		ip_stack_add_neighbour(d->st, n->addr, n->mac);
	}
	/* The domain's ticks start at a random phase (its start time). */
	gsl_rng *r = sim_rng_owned(h->sim, d->name);
	const struct tcp_personality *pers = ip_stack_personality(d->st);
	sim_timer_init(&d->slow, slow_tick, d, NULL);
	sim_timer_arm_in(h->sim, &d->slow,
			 (sim_time_t)gsl_rng_uniform_int(
				 r, (unsigned long)pers->slowtick));
	sim_timer_init(&d->fast, fast_tick, d, NULL);
	if (pers->fasttick > 0)
		sim_timer_arm_in(h->sim, &d->fast,
				 (sim_time_t)gsl_rng_uniform_int(
					 r, (unsigned long)pers->fasttick));
	gsl_rng_free(r);
	return d;
}

cpu_domain *
nem_domain_cpu(nem_domain *d)
{
	return d->cd;
}

sim_exec *
nem_domain_app_exec(nem_domain *d)
{
	return &d->app.ex;
}

tx_sched *
nem_host_tx_sched(nem_host *h)
{
	return h->ts;
}

static void
do_connect(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	int e = so_connect(c->so, c->peer, c->peer_port);
	if (e != 0)
		sim_fail(c->d->h->sim, "[connection.%s] could not connect: %s",
			 c->name, g_strerror(-e));
}

/* The flow manager installed the filter: the app thread connects. */
static void
filter_installed(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	nem_host *h = c->d->h;
	sim_idmap_set(h->filters, (uint64_t)c->port, c);
	h->filters_installed++;
	if (!c->is_server)
		sim_exec_run(&c->d->app.ex, 0, do_connect, c, NULL);
}

static void
open_at_start(void *ctx, void *arg)
{
	struct nem_conn *c = ctx;
	cpu_domain_notify(c->d->h->fm, c->d->h->c_fm_install, filter_installed,
			  c, NULL);
}

/* A flow's I/O channels: receive buffers posted, a receiver thread, a
 * transmit channel with tx_qos. */
static struct nem_conn *
conn_new(nem_domain *d, const char *name, const atropos_qos *tx_qos)
{
	nem_host *h = d->h;
	struct nem_conn *c = g_new0(struct nem_conn, 1);
	c->d = d;
	c->name = g_strdup(name);
	c->rx_free = h->p.rx_buffers;
	sim_pktgate_init(&c->gate);
	g_ptr_array_add(d->conns, c);
	c->rx_t = cpu_thread_new(d->cd, "receiver");
	sim_exec_tracked_init(&c->rx, cpu_thread_executor(c->rx_t), &d->current);
	c->ch = tx_channel_new(h->ts, name, tx_qos);
	tx_channel_on_space(c->ch, channel_space, c);
	tx_channel_on_return(c->ch, buffers_returned, c);
	return c;
}

static struct socket *
listen_common(nem_domain *d, const char *name, const atropos_qos *tx_qos,
	      uint16_t port, int backlog, gboolean up, GError **error);

struct socket *
nem_listen(nem_domain *d, const char *name, const atropos_qos *tx_qos,
	   uint16_t port, int backlog, GError **error)
{
	return listen_common(d, name, tx_qos, port, backlog, FALSE, error);
}

struct socket *
nem_listen_up(nem_domain *d, const char *name, const atropos_qos *tx_qos,
	      uint16_t port, int backlog, GError **error)
{
	return listen_common(d, name, tx_qos, port, backlog, TRUE, error);
}

static struct socket *
listen_common(nem_domain *d, const char *name, const atropos_qos *tx_qos,
	      uint16_t port, int backlog, gboolean up, GError **error)
{
	nem_host *h = d->h;
	if (!atropos_qos_check(tx_qos, name, error))
		return NULL;
	struct socket *so = so_socket(d->st);
	so_setsockopt(so, SOOPT_SNDBUF, (int)h->p.sockbuf);
	so_setsockopt(so, SOOPT_RCVBUF, (int)h->p.sockbuf);
	int e = so_bind(so, h->p.addr, port);
	if (e == 0 && sim_idmap_get(h->filters, port))
		e = -EADDRINUSE;
	if (e == 0)
		e = so_listen(so, backlog);
	if (e != 0) {
		so_close(so);
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: the flow manager cannot bind port %u: %s",
			    name, port, g_strerror(-e));
		return NULL;
	}
	struct nem_conn *c = conn_new(d, name, tx_qos);
	c->is_server = TRUE;
	c->so = so;
	c->port = port;
	/* Accepted connections inherit the window rule and its channel. */
	so_set_rcvwin_fn(so, inetmod_rcvwin, c);
	if (up)
		filter_installed(c, NULL); /* before the run, at no cost */
	else
		sim_at(h->sim, sim_now(h->sim), open_at_start, c, NULL);
	return so;
}

struct nem_accept_req {
	nem_domain *d;
	struct socket *so;
	nem_accepted_fn done;
	void *ctx;
};

static void
accept_done(void *ctx, void *arg)
{
	struct nem_accept_req *r = ctx;
	nem_host *h = r->d->h;
	r->done(r->ctx, r->so);
	g_hash_table_remove(h->accepts, r); /* frees r */
}

static void
accept_installed(void *ctx, void *arg)
{
	struct nem_accept_req *r = ctx;
	r->d->h->filters_installed++;
	sim_exec_run(&r->d->app.ex, 0, accept_done, r, NULL);
}

void
nem_accept(nem_domain *d, struct socket *listener, nem_accepted_fn done,
	   void *ctx)
{
	int err = 0;
	struct socket *so = so_accept(listener, &err);
	if (!so) {
		done(ctx, NULL);
		return;
	}
	struct nem_accept_req *r = g_new(struct nem_accept_req, 1);
	*r = (struct nem_accept_req){ d, so, done, ctx };
	g_hash_table_add(d->h->accepts, r);
	cpu_domain_notify(d->h->fm, d->h->c_fm_install, accept_installed, r,
			  NULL);
}

struct socket *
nem_connect(nem_domain *d, const char *name, const atropos_qos *tx_qos,
	    uint32_t peer, uint16_t peer_port, sim_time_t start, GError **error)
{
	nem_host *h = d->h;
	if (!atropos_qos_check(tx_qos, name, error))
		return NULL;
	struct nem_conn *c = conn_new(d, name, tx_qos);
	c->peer = peer;
	c->peer_port = peer_port;
	c->port = h->next_port++;

	c->so = so_socket(d->st);
	so_setsockopt(c->so, SOOPT_SNDBUF, (int)h->p.sockbuf);
	so_setsockopt(c->so, SOOPT_RCVBUF, (int)h->p.sockbuf);
	int e = so_bind(c->so, h->p.addr, c->port);
	if (e != 0) {
		/* The port is the flow manager's next: only a clash with
		 * another bind could fail it (the builder bounds the count). */
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: the flow manager cannot bind port %u: %s",
			    name, c->port, g_strerror(-e));
		return NULL;
	}
	so_set_rcvwin_fn(c->so, inetmod_rcvwin, c);
	so_set_name(c->so, name);
	sim_at(h->sim, MAX(start, sim_now(h->sim)), open_at_start, c, NULL);
	return c->so;
}

void
nem_host_register_stats(nem_host *h)
{
	char buf[256];
#define P(k) (g_snprintf(buf, sizeof buf, "hosts.%s.%s", h->name, k), buf)
	sim_stats_add_u64(h->sim->stats, P("rx_frames"), &h->rx_frames);
	sim_stats_add_u64(h->sim->stats, P("rx_not_tcp"), &h->rx_not_tcp);
	sim_stats_add_u64(h->sim->stats, P("rx_no_filter"), &h->rx_no_filter);
	sim_stats_add_u64(h->sim->stats, P("rx_no_buffer"), &h->rx_no_buffer);
	sim_stats_add_u64(h->sim->stats, P("filters_installed"),
			  &h->filters_installed);
#undef P
	for (guint i = 0; i < h->domains->len; i++) {
		nem_domain *d = g_ptr_array_index(h->domains, i);
		for (guint k = 0; k < d->conns->len; k++) {
			struct nem_conn *c = g_ptr_array_index(d->conns, k);
			g_snprintf(buf, sizeof buf, "channels.%s.tx_waits",
				   c->name);
			sim_stats_add_u64(h->sim->stats, buf, &c->tx_waits);
			g_snprintf(buf, sizeof buf, "channels.%s.rx_no_buffer",
				   c->name);
			sim_stats_add_u64(h->sim->stats, buf,
					  &c->rx_no_buffer);
		}
	}
	tx_sched_register_stats(h->ts, h->sim);
}
