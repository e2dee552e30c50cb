/*
 * wan_link.c - the serial link: two output queues, two directions of a
 * line, a loss model.
 *
 * Call order: output() on one end -> the packet joins that end's queue
 * (or is dropped, counted, if the queue holds `queue` packets) -> if the
 * line was idle it starts at once; at the end of its time on the line
 * ((IP length + framing) x 8 / rate) tx_done() goes up, the next packet
 * starts back to back, and the packet arrives at the other end `delay`
 * later unless the loss model takes it.  Two events a packet: end of
 * transmission, arrival.
 */
#include "wan.h"

#include <gsl/gsl_rng.h>
#include <string.h>

typedef struct wan_end {
	sim_netif nif;
	wan_link *wl;
	int idx;
	GQueue q;          /* packets held; the head is on the line */
	gboolean busy;
	sim_time_t tx_start;
	sim_timer tx_timer;
	GQueue arriving;   /* packets on their way to this end */
	wan_dir_stats st;  /* of the direction from this end */
	int64_t win_busy_ns;
} wan_end;

struct wan_link {
	sim_t *sim;
	char *name;
	wan_link_params p;
	wan_end end[2];
	gsl_rng *loss_rng;
	sim_tracepoint trace;
};

wan_link_params
wan_link_params_default(sim_rate_t rate)
{
	wan_link_params p = {
	    .rate = rate,
	    .delay = 0,
	    .queue = WAN_QUEUE_DEFAULT,
	    .loss = 0,
	    .overhead = WAN_PPP_OVERHEAD,
	    .mtu = 1500,
	};
	return p;
}

static uint32_t
ip_bytes(const sim_pkt *frame)
{
	return sim_pkt_len(frame) - WAN_ETH_HDR;
}

sim_time_t
wan_link_tx_time(const wan_link *wl, uint32_t ipb)
{
	return sim_tx_time(ipb + wl->p.overhead, wl->p.rate);
}

static void
start_tx(wan_end *e)
{
	wan_link *wl = e->wl;
	sim_pkt *f = g_queue_peek_head(&e->q);
	e->busy = TRUE;
	e->tx_start = sim_now(wl->sim);
	sim_timer_arm_at(wl->sim, &e->tx_timer,
			 e->tx_start + wan_link_tx_time(wl, ip_bytes(f)));
}

static void
arrive_ev(void *ctx, void *arg)
{
	wan_end *rx = ctx;
	sim_pkt *f = g_queue_pop_head(&rx->arriving);
	g_assert(f == arg);
	if (rx->nif.input)
		rx->nif.input(rx->nif.upper, &rx->nif, f);
	else
		sim_pkt_unref(f);
}

static void
tx_end(void *ctx, void *arg)
{
	wan_end *e = ctx;
	wan_link *wl = e->wl;
	wan_end *rx = &wl->end[1 - e->idx];
	sim_time_t now = sim_now(wl->sim);
	sim_pkt *f = g_queue_pop_head(&e->q);

	e->busy = FALSE;
	e->st.frames++;
	e->st.bytes += ip_bytes(f);
	if (sim_in_window(wl->sim, e->tx_start))
		e->win_busy_ns += now - e->tx_start;
	sim_trace_emit(&wl->trace, now, f);
	if (wl->loss_rng && gsl_rng_uniform(wl->loss_rng) < wl->p.loss) {
		e->st.lost++;
	} else {
		g_queue_push_tail(&rx->arriving, sim_pkt_ref(f));
		sim_at(wl->sim, now + wl->p.delay, arrive_ev, rx, f);
	}
	if (e->nif.tx_done)
		e->nif.tx_done(e->nif.upper, &e->nif, f, TRUE);
	sim_pkt_unref(f);
	if (!e->busy && e->q.length)
		start_tx(e);
}

static gboolean
end_output(sim_netif *nif, sim_pkt *frame)
{
	wan_end *e = nif->impl;
	g_assert(sim_pkt_len(frame) > WAN_ETH_HDR &&
		 ip_bytes(frame) <= e->wl->p.mtu);
	if (e->q.length >= e->wl->p.queue) {
		e->st.drops++;
		return FALSE;
	}
	g_queue_push_tail(&e->q, frame);
	if (e->q.length > e->st.max_queue)
		e->st.max_queue = e->q.length;
	if (!e->busy)
		start_tx(e);
	return TRUE;
}

static uint32_t
end_ring_free(const sim_netif *nif)
{
	const wan_end *e = nif->impl;
	return e->wl->p.queue - e->q.length;
}

static void
link_free(gpointer data)
{
	wan_link *wl = data;
	for (int i = 0; i < 2; i++) {
		g_queue_clear_full(&wl->end[i].q, (GDestroyNotify)sim_pkt_unref);
		g_queue_clear_full(&wl->end[i].arriving,
				   (GDestroyNotify)sim_pkt_unref);
		g_free((char *)wl->end[i].nif.name);
	}
	g_free(wl->name);
	g_free(wl);
}

wan_link *
wan_link_new(sim_t *sim, const char *name, const wan_link_params *p)
{
	g_assert(p->rate > 0 && p->delay >= 0 && p->queue >= 1);
	g_assert(p->loss >= 0 && p->loss < 1);
	wan_link *wl = g_new0(wan_link, 1);
	wl->sim = sim;
	wl->name = g_strdup(name);
	wl->p = *p;
	for (int i = 0; i < 2; i++) {
		wan_end *e = &wl->end[i];
		e->wl = wl;
		e->idx = i;
		g_queue_init(&e->q);
		g_queue_init(&e->arriving);
		sim_timer_init(&e->tx_timer, tx_end, e, NULL);
		e->nif.name = g_strdup_printf("%s.%d", name, i);
		e->nif.rate = p->rate;
		e->nif.mtu = p->mtu;
		e->nif.output = end_output;
		e->nif.tx_ring_free = end_ring_free;
		e->nif.impl = e;
		/* Distinct default addresses; the wiring sets its own. */
		e->nif.mac[0] = 0x02;
		e->nif.mac[1] = 0x04;
		e->nif.mac[5] = (uint8_t)(i + 1);
	}
	if (p->loss > 0) {
		char *rn = g_strdup_printf("wan.%s.loss", name);
		wl->loss_rng = sim_rng(sim, rn);
		g_free(rn);
	}
	wl->trace.kind = SIM_TRACE_FRAME;
	sim_on_free(sim, link_free, wl);
	return wl;
}

sim_netif *
wan_link_end(wan_link *wl, int end)
{
	return &wl->end[end].nif;
}

const uint8_t *
wan_link_mac(const wan_link *wl, int end)
{
	return wl->end[end].nif.mac;
}

void
wan_link_set_mac(wan_link *wl, int end, const uint8_t mac[6])
{
	memcpy(wl->end[end].nif.mac, mac, 6);
}

const wan_dir_stats *
wan_link_get_stats(const wan_link *wl, int from)
{
	return &wl->end[from].st;
}

sim_tracepoint *
wan_link_trace(wan_link *wl)
{
	return &wl->trace;
}

void
wan_link_register_trace(wan_link *wl, sim_t *sim)
{
	char *n = g_strdup_printf("%s.frames", wl->name);
	sim_trace_register(sim, n, &wl->trace, SIM_TRACE_FRAME);
	g_free(n);
}

static double
dir_util(void *ctx)
{
	wan_end *e = ctx;
	sim_t *sim = e->wl->sim;
	sim_time_t now = sim_now(sim);
	sim_time_t to = now < sim->measure_to ? now : sim->measure_to;
	sim_time_t el = to > sim->measure_from ? to - sim->measure_from : 0;
	int64_t busy = e->win_busy_ns;
	if (e->busy && sim_in_window(sim, e->tx_start))
		busy += sim_timer_expiry(sim, &e->tx_timer) - e->tx_start;
	return el ? (double)busy / (double)el : 0.0;
}

void
wan_link_register_stats(wan_link *wl, sim_t *sim, const char *prefix,
			const char *a, const char *b)
{
	char path[256];
	for (int d = 0; d < 2; d++) {
		wan_end *e = &wl->end[d];
		const char *from = d ? b : a, *to = d ? a : b;
#define ADD(field)                                                             \
	(g_snprintf(path, sizeof path, "%s.%s_to_%s.%s", prefix, from, to,     \
		    #field),                                                   \
	 sim_stats_add_u64(sim->stats, path, &e->st.field))
		ADD(frames);
		ADD(bytes);
		ADD(drops);
		ADD(lost);
		ADD(max_queue);
#undef ADD
		g_snprintf(path, sizeof path, "%s.%s_to_%s.utilization", prefix,
			   from, to);
		sim_stats_add_fn(sim->stats, path, dir_util, e);
	}
}
