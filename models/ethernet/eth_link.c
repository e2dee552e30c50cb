/*
 * eth_link.c - a full-duplex point-to-point link between two NICs, as a
 * switched LAN gives every station (IEEE 802.3 annex 4A, clause 4.2.3.2.2
 * without carrier sense): each direction is its own channel, there are
 * no collisions, and a NIC only keeps the interframe gap between its own
 * frames.  A frame reaches the other NIC one cable delay after its last
 * bit leaves; the link costs one event per frame (the delivery).
 */
#include "eth_var.h"

eth_link_params
eth_link_params_default(void)
{
	eth_link_params p = {
	    .cable_mm = 100 * 1000,
	    .cable_ps_per_m = 5560,
	    .phy_delay = 0,
	};
	return p;
}

static void
link_free(gpointer data)
{
	eth_link *link = data;
	g_free(link->name);
	g_free(link);
}

eth_link *
eth_link_new(sim_t *sim, const char *name, eth_nic *a, eth_nic *b,
	     const eth_link_params *p)
{
	g_assert(a != b && !a->hub && !a->link && !b->hub && !b->link);
	g_assert(a->p.rate == b->p.rate);
	eth_link *link = g_new0(eth_link, 1);
	link->sim = sim;
	link->name = g_strdup(name);
	link->p = *p;
	link->end[0] = a;
	link->end[1] = b;
	link->delay =
	    eth_cable_delay(p->cable_mm, p->cable_ps_per_m) + p->phy_delay;
	a->link = link;
	a->link_end = 0;
	b->link = link;
	b->link_end = 1;
	sim_on_free(sim, link_free, link);
	return link;
}

sim_time_t
eth_link_delay(const eth_link *link)
{
	return link->delay;
}

void
eth_link_frame_done(eth_link *link, int from, sim_pkt *frame)
{
	eth_nic *tx = link->end[from], *rx = link->end[1 - from];
	link->frames[from]++;
	link->bytes[from] += sim_pkt_len(frame);
	if (sim_in_window(link->sim, tx->tx_start))
		link->win_busy_ns[from] += tx->tx_end - tx->tx_start;
	if (!eth_nic_accepts(rx, frame)) {
		rx->st.rx_filtered++;
		return;
	}
	eth_nic_deliver_at(rx, sim_now(link->sim) + link->delay, frame);
}

static double
link_util(eth_link *link, int dir)
{
	return eth_window_share(link->sim,
				link->win_busy_ns[dir] +
					eth_nic_pending(link->end[dir]).busy_ns);
}

static double
link_util_ab(void *ctx)
{
	return link_util(ctx, 0);
}

static double
link_util_ba(void *ctx)
{
	return link_util(ctx, 1);
}

void
eth_link_register_stats(eth_link *link, sim_t *sim, const char *prefix)
{
	static const char *dir[2] = {"a_to_b", "b_to_a"};
	char path[256];
	for (int d = 0; d < 2; d++) {
		g_snprintf(path, sizeof path, "%s.%s.frames", prefix, dir[d]);
		sim_stats_add_u64(sim->stats, path, &link->frames[d]);
		g_snprintf(path, sizeof path, "%s.%s.bytes", prefix, dir[d]);
		sim_stats_add_u64(sim->stats, path, &link->bytes[d]);
		g_snprintf(path, sizeof path, "%s.%s.utilization", prefix,
			   dir[d]);
		sim_stats_add_fn(sim->stats, path,
				 d ? link_util_ba : link_util_ab, link);
	}
}
