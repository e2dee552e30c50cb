/*
 * eth_switch.c - a store-and-forward Ethernet switch (an IEEE 802.1D
 * bridge with a static filtering database, no spanning tree, no
 * learning).
 *
 * Every attached station gets a port of its own, joined to it by a
 * full-duplex link (eth_link.c): no carrier sense, no collisions, each
 * direction serialising frames at the link rate with the preamble, SFD
 * and the 96-bit interframe gap of the duplex link.  The switch side of
 * each port is an eth_nic in promiscuous mode, so the timing on the
 * cable is exactly that of the duplex link and the port's output queue is
 * that NIC's transmit ring (port_queue frames, the one on the wire
 * included).
 *
 * Call order: a station's frame arrives whole at its port (the last bit
 * one cable delay after it left) -> port_input(): counted, traced
 * ("<name>.frames", the capture point of the switch), and looked up in
 * the filtering database, which the scenario loader fills with the MAC
 * of every attached NIC -> after the forwarding latency, fwd_ev() offers
 * it to the output port of the destination (broadcast, multicast and
 * unknown unicast: every port but the one it came in on) -> drop-tail if
 * that port already holds port_queue frames.  A unicast frame whose
 * destination sits on the port it arrived on is filtered (802.1D 7.7.1),
 * as a frame on a shared segment behind a bridge port would be.
 *
 * A single frame therefore takes 2 x serialisation + latency + the two
 * cables' delays from one station to another (test_eth.c checks it).
 * Frames waiting out the latency are held in a FIFO (the latency is the
 * same for all, so the events fire in that order) so that they are
 * released if the run ends first.
 */
#include "eth_var.h"

#include <string.h>

eth_switch_params
eth_switch_params_default(sim_rate_t rate)
{
	eth_switch_params p = {
	    .rate = rate,
	    .latency = ETH_SWITCH_LATENCY_DEFAULT,
	    .port_queue = ETH_SWITCH_PORT_QUEUE_DEFAULT,
	};
	return p;
}

typedef struct sw_fwd {
	sim_pkt *frame;
	int out;
} sw_fwd;

static void
switch_free(gpointer data)
{
	eth_switch *sw = data;
	sw_fwd *f;
	while ((f = g_queue_pop_head(&sw->inflight)) != NULL) {
		sim_pkt_unref(f->frame);
		g_free(f);
	}
	for (guint i = 0; i < sw->ports->len; i++) {
		eth_swport *p = g_ptr_array_index(sw->ports, i);
		g_free(p->name);
		g_free(p);
	}
	g_ptr_array_free(sw->ports, TRUE);
	g_free(sw->name);
	g_free(sw);
}

eth_switch *
eth_switch_new(sim_t *sim, const char *name, const eth_switch_params *p)
{
	g_assert(p->rate > 0 && p->latency >= 0 && p->port_queue >= 1);
	eth_switch *sw = g_new0(eth_switch, 1);
	sw->sim = sim;
	sw->name = g_strdup(name);
	sw->p = *p;
	sw->ports = g_ptr_array_new();
	g_queue_init(&sw->inflight);
	sw->trace.kind = SIM_TRACE_FRAME;
	sim_on_free(sim, switch_free, sw);
	return sw;
}

static void
sw_offer(eth_switch *sw, int out, sim_pkt *frame)
{
	eth_swport *op = g_ptr_array_index(sw->ports, out);
	if (eth_nic_ring_used(op->pnic) >= sw->p.port_queue) {
		op->drops++;
		sw->st.drops++;
		sim_pkt_unref(frame);
		return;
	}
	gboolean ok = sim_netif_output(eth_nic_netif(op->pnic), frame);
	g_assert(ok); /* the ring holds port_queue frames */
	uint32_t q = eth_nic_ring_used(op->pnic);
	if (q > op->max_queue)
		op->max_queue = q;
}

static void
fwd_ev(void *ctx, void *arg)
{
	eth_switch *sw = ctx;
	sw_fwd *f = g_queue_pop_head(&sw->inflight);
	g_assert(f && f == arg);
	sw_offer(sw, f->out, f->frame);
	g_free(f);
}

static void
sw_forward_later(eth_switch *sw, int out, sim_pkt *frame)
{
	sw_fwd *f = g_new(sw_fwd, 1);
	f->frame = frame;
	f->out = out;
	g_queue_push_tail(&sw->inflight, f);
	sim_at(sw->sim, sim_now(sw->sim) + sw->p.latency, fwd_ev, sw, f);
}

/* The filtering database: the port whose station has this MAC, or -1. */
static int
sw_lookup(const eth_switch *sw, const uint8_t *dst)
{
	for (guint i = 0; i < sw->ports->len; i++) {
		const eth_swport *p = g_ptr_array_index(sw->ports, i);
		if (memcmp(p->mac, dst, 6) == 0)
			return (int)i;
	}
	return -1;
}

static void
port_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	eth_swport *in = upper;
	eth_switch *sw = in->sw;
	uint8_t dst[6];

	in->frames_in++;
	in->bytes_in += sim_pkt_len(frame);
	sw->st.frames++;
	sw->st.bytes += sim_pkt_len(frame);
	sim_trace_emit(&sw->trace, sim_now(sw->sim), frame);
	sim_pkt_copy_out(frame, 0, 6, dst);
	int out = (dst[0] & 1) ? -1 : sw_lookup(sw, dst);
	if (out == in->idx) {
		sw->st.filtered++;
		sim_pkt_unref(frame);
		return;
	}
	if (out >= 0) {
		sw->st.forwarded++;
		sw_forward_later(sw, out, frame);
		return;
	}
	sw->st.flooded++;
	for (guint i = 0; i < sw->ports->len; i++)
		if ((int)i != in->idx)
			sw_forward_later(sw, (int)i, sim_pkt_ref(frame));
	sim_pkt_unref(frame);
}

int
eth_switch_attach(eth_switch *sw, eth_nic *nic, const char *port_name,
		  const eth_link_params *lp)
{
	g_assert(nic->p.rate == sw->p.rate);
	eth_swport *p = g_new0(eth_swport, 1);
	p->sw = sw;
	p->idx = (int)sw->ports->len;
	p->name = g_strdup(port_name);
	memcpy(p->mac, nic->p.mac, 6);
	p->host = nic;

	eth_nic_params np = eth_nic_params_default(sw->p.rate);
	np.ring_depth = sw->p.port_queue;
	np.promiscuous = TRUE;
	/* The port's own address: locally administered, 0x03 in the
	 * second byte so it meets no station's (eth_mac_from_index). */
	eth_mac_from_index(np.mac, (uint32_t)p->idx + 1);
	np.mac[1] = 0x03;
	char *n = g_strdup_printf("%s.port.%s", sw->name, port_name);
	p->pnic = eth_nic_new(sw->sim, n, &np);
	sim_netif *pn = eth_nic_netif(p->pnic);
	pn->input = port_input;
	pn->upper = p;
	char *ln = g_strdup_printf("%s.cable.%s", sw->name, port_name);
	eth_link_new(sw->sim, ln, nic, p->pnic, lp);
	g_free(ln);
	g_free(n);
	g_ptr_array_add(sw->ports, p);
	return p->idx;
}

const eth_switch_stats *
eth_switch_get_stats(const eth_switch *sw)
{
	return &sw->st;
}

eth_switch_port_stats
eth_switch_get_port_stats(const eth_switch *sw, int port)
{
	const eth_swport *p = g_ptr_array_index(sw->ports, port);
	const eth_nic_stats *ns = eth_nic_get_stats(p->pnic);
	eth_switch_port_stats s = {
	    .frames_in = p->frames_in,
	    .bytes_in = p->bytes_in,
	    .frames_out = ns->frames_sent,
	    .bytes_out = ns->bytes_sent,
	    .drops = p->drops,
	    .max_queue = p->max_queue,
	};
	return s;
}

sim_time_t
eth_switch_cable_delay(const eth_switch *sw, int port)
{
	const eth_swport *p = g_ptr_array_index(sw->ports, port);
	return eth_link_delay(p->pnic->link);
}

sim_tracepoint *
eth_switch_trace(eth_switch *sw)
{
	return &sw->trace;
}

void
eth_switch_register_trace(eth_switch *sw, sim_t *sim)
{
	char *n = g_strdup_printf("%s.frames", sw->name);
	sim_trace_register(sim, n, &sw->trace, SIM_TRACE_FRAME);
	g_free(n);
}

/* Busy share of the window of one direction of a port's cable. */
static double
port_util_out(void *ctx)
{
	eth_swport *p = ctx;
	return eth_window_share(p->sw->sim, p->pnic->win_busy_ns +
						eth_nic_pending(p->pnic).busy_ns);
}

static double
port_util_in(void *ctx)
{
	eth_swport *p = ctx;
	return eth_window_share(p->sw->sim, p->host->win_busy_ns +
						eth_nic_pending(p->host).busy_ns);
}

void
eth_switch_register_stats(eth_switch *sw, sim_t *sim, const char *prefix)
{
	char path[256];
#define ADD(field)                                                             \
	(g_snprintf(path, sizeof path, "%s.%s", prefix, #field),               \
	 sim_stats_add_u64(sim->stats, path, &sw->st.field))
	ADD(frames);
	ADD(bytes);
	ADD(forwarded);
	ADD(flooded);
	ADD(filtered);
	ADD(drops);
#undef ADD
	for (guint i = 0; i < sw->ports->len; i++) {
		eth_swport *p = g_ptr_array_index(sw->ports, i);
		eth_nic_stats *ns = &p->pnic->st;
#define PORT(leaf, ptr)                                                        \
	(g_snprintf(path, sizeof path, "%s.ports.%s.%s", prefix, p->name,      \
		    leaf),                                                     \
	 sim_stats_add_u64(sim->stats, path, ptr))
		PORT("frames_in", &p->frames_in);
		PORT("bytes_in", &p->bytes_in);
		PORT("frames_out", &ns->frames_sent);
		PORT("bytes_out", &ns->bytes_sent);
		PORT("drops", &p->drops);
		PORT("max_queue", &p->max_queue);
#undef PORT
		g_snprintf(path, sizeof path, "%s.ports.%s.utilization_out",
			   prefix, p->name);
		sim_stats_add_fn(sim->stats, path, port_util_out, p);
		g_snprintf(path, sizeof path, "%s.ports.%s.utilization_in",
			   prefix, p->name);
		sim_stats_add_fn(sim->stats, path, port_util_in, p);
	}
}
