/*
 * unix_host.c - the kernel of a conventional Unix host around tcp_bsd.
 *
 * Receive: the NIC's upcall is an interrupt; the kernel level runs the
 * driver, ip_input and tcp_input for the frame (cost unix_rx_frame plus
 * unix_copy_byte per byte moved into an mbuf chain).  Transmit: every
 * frame TCP builds costs unix_tx_segment on whatever was running when it
 * was built (the receive interrupt for ACK-clocked sends and ACKs, the
 * process's system call for a send), then enters the NIC ring or, if the
 * ring is full, the interface queue.  Transmit-complete interrupts
 * (unix_tx_done) move queued frames onto the ring.  The TCP ticks run at
 * kernel level (unix_timer_tick each).
 */
#include "unix.h"

#include "sim/pktgate.h"
#include "sim/stats.h"

struct unix_host {
	sim_t *sim;
	char *name;
	sim_netif *nif;
	unix_cpu *cpu;
	cpu_costs *costs;
	ip_stack *st;
	sim_exec_tracked kernel, user;
	sim_exec *current;      /* executor running TCP code right now */
	sim_pktgate gate;       /* frames whose output cost is being spent */
	sim_timer fast, slow;
	sim_time_t c_rx, c_byte, c_tx, c_txdone, c_tick;
	/* interface queue (if_snd) */
	sim_pkt *ifq_head, *ifq_tail;
	guint ifq_len, ifq_max;
	uint64_t rx_frames, tx_frames, ifq_drops, ifq_max_seen;
};

void
unix_host_params_default(unix_host_params *p)
{
	p->cost_model = "pentium200";
	p->personality = &tcp_personality_linux22;
	p->rfc1323 = -1;
	p->subnetsarelocal = TRUE;
	p->addr = 0;
	p->ifq_maxlen = 50; /* IFQ_MAXLEN, 4.4BSD net/if.h */
}

static void
nic_fill(unix_host *h)
{
	while (h->ifq_head && h->nif->tx_ring_free(h->nif) > 0) {
		sim_pkt *f = h->ifq_head;
		h->ifq_head = f->next;
		if (!h->ifq_head)
			h->ifq_tail = NULL;
		h->ifq_len--;
		f->next = NULL;
		gboolean ok = sim_netif_output(h->nif, f);
		g_assert(ok);
		h->tx_frames++;
	}
}

/* The frame's turn has come: to the ring or the interface queue. */
static void
frame_out(void *ctx, sim_pkt *f)
{
	unix_host *h = ctx;
	if (h->ifq_len >= h->ifq_max) {
		h->ifq_drops++;
		sim_pkt_unref(f);
		return;
	}
	f->next = NULL;
	if (h->ifq_tail)
		h->ifq_tail->next = f;
	else
		h->ifq_head = f;
	h->ifq_tail = f;
	h->ifq_len++;
	if (h->ifq_len > h->ifq_max_seen)
		h->ifq_max_seen = h->ifq_len;
	nic_fill(h);
}

static void
output_cost_spent(void *ctx, void *arg)
{
	unix_host *h = ctx;
	sim_pktgate_done(&h->gate, arg, frame_out, h);
}

static gboolean
output_hook(void *ctx, ip_stack *st, sim_pkt *frame)
{
	unix_host *h = ctx;
	/* Outside a step of ours TCP runs from its own per-connection timer
	 * (Linux's delayed ACK): a timer interrupt, kernel level. */
	sim_exec *ex = h->current ? h->current : &h->kernel.ex;
	sim_exec_run(ex, h->c_tx, output_cost_spent, h,
		     sim_pktgate_enter(&h->gate, frame));
	return TRUE;
}

static void
rx_step(void *ctx, void *arg)
{
	unix_host *h = ctx;
	ip_stack_input(h->st, arg);
}

static void
nic_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	unix_host *h = upper;
	h->rx_frames++;
	sim_exec_run(&h->kernel.ex, h->c_rx + h->c_byte * sim_pkt_len(frame),
		     rx_step, h, frame);
}

static void
txdone_step(void *ctx, void *arg)
{
	nic_fill(ctx);
}

static void
nic_tx_done(void *upper, sim_netif *nif, const sim_pkt *frame, gboolean sent)
{
	unix_host *h = upper;
	sim_exec_run(&h->kernel.ex, h->c_txdone, txdone_step, h, NULL);
}

static void
fast_step(void *ctx, void *arg)
{
	tcp_fasttimo(((unix_host *)ctx)->st);
}

static void
slow_step(void *ctx, void *arg)
{
	tcp_slowtimo(((unix_host *)ctx)->st);
}

static void
fast_tick(void *ctx, void *arg)
{
	unix_host *h = ctx;
	const struct tcp_personality *p = ip_stack_personality(h->st);
	sim_exec_run(&h->kernel.ex, h->c_tick, fast_step, h, NULL);
	sim_timer_arm_in(h->sim, &h->fast, p->fasttick);
}

static void
slow_tick(void *ctx, void *arg)
{
	unix_host *h = ctx;
	const struct tcp_personality *p = ip_stack_personality(h->st);
	sim_exec_run(&h->kernel.ex, h->c_tick, slow_step, h, NULL);
	sim_timer_arm_in(h->sim, &h->slow, p->slowtick);
}

static void
host_free(gpointer data)
{
	unix_host *h = data;
	sim_pktgate_clear(&h->gate);
	for (sim_pkt *f = h->ifq_head, *n; f; f = n) {
		n = f->next;
		sim_pkt_unref(f);
	}
	cpu_costs_free(h->costs);
	g_free(h->name);
	g_free(h);
}

unix_host *
unix_host_new(sim_t *sim, const char *name, sim_netif *nif,
	      const unix_host_params *p, GError **error)
{
	const cpu_cost_model *m = cpu_cost_model_find(p->cost_model);
	if (!m) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "host %s: unknown cost model \"%s\"", name,
			    p->cost_model);
		return NULL;
	}
	unix_host *h = g_new0(unix_host, 1);
	h->sim = sim;
	h->name = g_strdup(name);
	h->nif = nif;
	h->costs = cpu_costs_new(m);
	h->ifq_max = p->ifq_maxlen;
	sim_pktgate_init(&h->gate);
	sim_on_free(sim, host_free, h);
	struct {
		const char *op;
		sim_time_t *v;
	} ops[] = {
		{ "unix_rx_frame", &h->c_rx },
		{ "unix_copy_byte", &h->c_byte },
		{ "unix_tx_segment", &h->c_tx },
		{ "unix_tx_done", &h->c_txdone },
		{ "unix_timer_tick", &h->c_tick },
	};
	for (guint i = 0; i < G_N_ELEMENTS(ops); i++)
		if (!cpu_costs_lookup(h->costs, ops[i].op, ops[i].v, error))
			return NULL;

	h->cpu = unix_cpu_new(sim);
	sim_exec_tracked_init(&h->kernel, unix_cpu_kernel(h->cpu), &h->current);
	sim_exec_tracked_init(&h->user, unix_cpu_user(h->cpu), &h->current);

	struct ip_stack_config cfg;
	ip_stack_config_init(&cfg);
	cfg.name = name;
	cfg.addr = p->addr;
	cfg.personality = p->personality;
	cfg.rfc1323 = p->rfc1323;
	cfg.subnetsarelocal = p->subnetsarelocal;
	cfg.external_ticks = TRUE;
	h->st = ip_stack_new(sim, nif, &cfg);
	ip_stack_set_output_hook(h->st, output_hook, h);
	/* The stack set the netif's upcalls to itself; the kernel's
	 * interrupt handlers go in front of it. */
	nif->input = nic_input;
	nif->tx_done = nic_tx_done;
	nif->upper = h;

	/* The ticks start at a random phase, as a host's boot time would
	 * set them (the first tick of each within one period). */
	gsl_rng *r = sim_rng_owned(sim, name);
	const struct tcp_personality *pers = ip_stack_personality(h->st);
	sim_timer_init(&h->slow, slow_tick, h, NULL);
	sim_timer_arm_at(sim, &h->slow,
			 sim_now(sim) + (sim_time_t)gsl_rng_uniform_int(
						r, (unsigned long)pers->slowtick));
	sim_timer_init(&h->fast, fast_tick, h, NULL);
	if (pers->fasttick > 0)
		sim_timer_arm_at(sim, &h->fast,
				 sim_now(sim) +
					 (sim_time_t)gsl_rng_uniform_int(
						 r, (unsigned long)pers->fasttick));
	gsl_rng_free(r);
	return h;
}

void
unix_host_add_neighbour(unix_host *h, uint32_t addr, const uint8_t *mac)
{
	ip_stack_add_neighbour(h->st, addr, mac);
}

ip_stack *
unix_host_stack(unix_host *h)
{
	return h->st;
}

sim_exec *
unix_host_user_exec(unix_host *h)
{
	return &h->user.ex;
}

sim_time_t
unix_host_cost(const unix_host *h, const char *op)
{
	return cpu_costs_get(h->costs, op);
}

static double
share(unix_host *h, int which)
{
	sim_time_t k, u, i;
	unix_cpu_times(h->cpu, &k, &u, &i);
	sim_time_t tot = k + u + i;
	sim_time_t v = which == 0 ? k : which == 1 ? u : i;
	return tot > 0 ? (double)v / tot : 0.0;
}

static double
kernel_share(void *ctx)
{
	return share(ctx, 0);
}

static double
user_share(void *ctx)
{
	return share(ctx, 1);
}

void
unix_host_register_stats(unix_host *h)
{
	char buf[256];
#define P(k) (g_snprintf(buf, sizeof buf, "hosts.%s.%s", h->name, k), buf)
	sim_stats_add_u64(h->sim->stats, P("rx_frames"), &h->rx_frames);
	sim_stats_add_u64(h->sim->stats, P("tx_frames"), &h->tx_frames);
	sim_stats_add_u64(h->sim->stats, P("ifq_drops"), &h->ifq_drops);
	sim_stats_add_u64(h->sim->stats, P("ifq_max"), &h->ifq_max_seen);
	sim_stats_add_fn(h->sim->stats, P("kernel_cpu_share"), kernel_share, h);
	sim_stats_add_fn(h->sim->stats, P("user_cpu_share"), user_share, h);
#undef P
}
