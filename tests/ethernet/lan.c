/*
 * lan.c - the test fixture of lan.h.
 */
#include "lan.h"

#include <string.h>

lan_opts
lan_opts_default(void)
{
	lan_opts o = {
	    .seed = 1,
	    .stations = 2,
	    .frame_bytes = ETH_MAX_FRAME,
	    .rate = 10 * SIM_MBPS,
	    .cable_mm = 25 * 1000,
	    .sources = TRUE,
	};
	return o;
}

struct tap {
	lan *l;
	int station;
};

static void
on_frame(void *ctx, sim_time_t t, const void *rec)
{
	struct tap *tap = ctx;
	lan *l = tap->l;
	lan_tx x = {tap->station, t};
	/* The NIC's trace carries what it sends and what it receives;
	 * stations only send (everything is addressed to the sink). */
	g_array_append_val(l->log, x);
	if (l->stop_after && l->log->len >= l->stop_after)
		sim_stop(l->sim);
}

lan *
lan_new(const lan_opts *o)
{
	lan *l = g_new0(lan, 1);
	l->sim = sim_new(o->seed);
	l->n = o->stations;
	l->log = g_array_new(FALSE, FALSE, sizeof(lan_tx));
	g_assert(l->n < LAN_MAX);

	eth_hub_params hp = eth_hub_params_default(o->rate);
	l->hub = eth_hub_new(l->sim, "lan", &hp);
	eth_port_params pp = eth_port_params_default();
	pp.cable_mm = o->cable_mm;

	eth_nic_params sp = eth_nic_params_default(o->rate);
	eth_mac_from_index(sp.mac, 1000);
	l->sink = eth_nic_new(l->sim, "sink", &sp);

	for (int i = 0; i < l->n; i++) {
		eth_nic_params np = eth_nic_params_default(o->rate);
		eth_mac_from_index(np.mac, (uint32_t)i + 1);
		char name[32];
		g_snprintf(name, sizeof name, "st%d", i);
		l->nic[i] = eth_nic_new(
		    l->sim, o->twin_name ? o->twin_name : name, &np);
		eth_port_params ppi = pp;
		if (o->cable_mm_of[i])
			ppi.cable_mm = o->cable_mm_of[i];
		eth_hub_attach(l->hub, l->nic[i], &ppi);
		struct tap *tap = g_new(struct tap, 1);
		tap->l = l;
		tap->station = i;
		sim_on_free(l->sim, g_free, tap);
		sim_trace_subscribe(l->sim, eth_nic_trace(l->nic[i]), on_frame,
				    tap);
		if (o->sources) {
			eth_source_params src = eth_source_params_default();
			src.frame_bytes = o->frame_bytes;
			memcpy(src.dst, sp.mac, 6);
			l->src[i] =
			    eth_source_new(l->sim, name, l->nic[i], &src);
		}
	}
	eth_hub_attach(l->hub, l->sink, &pp);
	return l;
}

void
lan_free(lan *l)
{
	sim_free(l->sim);
	g_array_free(l->log, TRUE);
	g_free(l);
}

sim_time_t
lan_wire(const lan *l, uint32_t frame_bytes)
{
	return sim_tx_time(ETH_PREAMBLE_BYTES + frame_bytes, l->hub->p.rate);
}
