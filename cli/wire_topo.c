/*
 * wire_topo.c - wiring beyond one segment: switches, WAN links, routers
 * and the static routes through them (issue 15).
 *
 * wire.c calls in at four places: building a [link] of kind switch or
 * wan (cli_topo_build_link), attaching a NIC to a switch or a host to a
 * WAN end, building a [host] of kind router (cli_topo_build_router), and
 * after the neighbour tables of each segment (cli_topo_routes).
 *
 * Addressing: every link is an IP subnet of its own, 10.L.0.0/16, L the
 * link's place among the [link] groups of the scenario; a host or a
 * router interface with index i (its place in the scenario, as its MAC)
 * gets 10.L.0.0 + i + 1.  With one link this is 10.0.0.0 + i + 1, the
 * addressing nemsim always had.  Hosts keep IP's /16 netmask, so a peer
 * on another link is off-subnet, but on the same network 10: local to a
 * BSD stack unless subnets_are_local = false (in_localaddr, ip_output.c).
 *
 * Routes: instead of ARP and a routing table, every host's neighbour
 * table gets an entry for each host on every link its gateway can reach,
 * with the gateway's MAC (a host route through the gateway, which is
 * what the IP layer's lookup by destination needs).  Each router gets a
 * route per subnet it is not on, through the first router on a shortest
 * path (breadth first over links and routers, in scenario order, so the
 * choice is the same every run), and neighbour entries for everyone on
 * its links.
 */
#include "wire_var.h"

#include <string.h>

#define TOPO_NETMASK 0xffff0000u

struct rif {
	struct wlink *link;
	int ifno;
	uint32_t addr;
	uint8_t mac[6];
};

/* ---- Links ----------------------------------------------------------- */

gboolean
cli_topo_is_topo_link(scn_group *g)
{
	const char *k = scn_str(g, "kind");
	return strcmp(k, "switch") == 0 || strcmp(k, "wan") == 0;
}

gboolean
cli_topo_build_link(cli_world *w, struct wlink *l, GError **error)
{
	scn_group *g = l->g;
	if (strcmp(scn_str(g, "kind"), "wan") == 0) {
		wan_link_params p = wan_link_params_default(l->rate);
		p.delay = scn_time(g, "delay");
		p.queue = (uint32_t)scn_int(g, "queue");
		p.loss = scn_double(g, "loss");
		p.overhead = (uint32_t)scn_int(g, "framing");
		char *n = g_strdup_printf("wan.%s", l->name);
		l->wan = wan_link_new(w->sim, n, &p);
		g_free(n);
		wan_link_register_trace(l->wan, w->sim);
		return TRUE;
	}
	if (l->rate != 10 * SIM_MBPS && l->rate != 100 * SIM_MBPS) {
		scn_set_error(error, g, "rate",
			      "Ethernet runs at 10Mb/s or 100Mb/s");
		return FALSE;
	}
	double nspm = scn_double(g, "cable_ns_per_m");
	if (!(nspm > 0 && nspm < 1000)) {
		scn_set_error(error, g, "cable_ns_per_m",
			      "cable delay must be above 0 and below 1000 ns "
			      "per metre");
		return FALSE;
	}
	eth_switch_params sp = eth_switch_params_default(l->rate);
	sp.latency = scn_time(g, "switch_latency");
	sp.port_queue = (uint32_t)scn_int(g, "port_queue");
	char *n = g_strdup_printf("switch.%s", l->name);
	l->sw = eth_switch_new(w->sim, n, &sp);
	g_free(n);
	eth_switch_register_trace(l->sw, w->sim);
	return TRUE;
}

void
cli_topo_attach_switch(cli_world *w, struct wlink *l, eth_nic *nic,
		       const char *name, int64_t cable_mm, int64_t ps_per_m,
		       sim_time_t phy)
{
	eth_link_params lp = eth_link_params_default();
	lp.cable_mm = cable_mm;
	lp.cable_ps_per_m = ps_per_m;
	lp.phy_delay = 2 * phy; /* the station's PHY and the port's */
	eth_switch_attach(l->sw, nic, name, &lp);
}

sim_netif *
cli_topo_wan_attach(cli_world *w, struct wlink *l, const char *name,
		    guint index, uint8_t mac[6])
{
	g_assert(l->nwan < 2); /* cli_topo_check counts the ends */
	int end = (int)l->nwan++;
	eth_mac_from_index(mac, index + 1);
	wan_link_set_mac(l->wan, end, mac);
	l->wan_end[end] = name;
	return wan_link_end(l->wan, end);
}

uint32_t
cli_topo_addr(const struct wlink *l, guint index)
{
	return 0x0a000000u + ((uint32_t)l->no << 16) + index + 1;
}

/* ---- Routers --------------------------------------------------------- */

gboolean
cli_topo_is_router(scn_group *g)
{
	return strcmp(scn_str(g, "kind"), "router") == 0;
}

static void
free_rifs(gpointer p)
{
	g_array_free(p, TRUE);
}

static GArray *
rifs_of(const struct whost *h)
{
	return h->rifs;
}

gboolean
cli_topo_build_router(cli_world *w, struct whost *h, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	h->rt = router_new(w->sim, h->name);
	h->rifs = g_array_new(FALSE, FALSE, sizeof(struct rif));
	sim_on_free(w->sim, free_rifs, h->rifs);
	g_auto(GStrv) names = scn_list(h->g, "links");
	for (int i = 0; names[i]; i++) {
		struct wlink *l = g_hash_table_lookup(wr->links, names[i]);
		guint index = wr->next_index++;
		if (index + 1 >= 65535) {
			scn_set_error(error, h->g, "links",
				      "interface %u: a link's subnet /16 has "
				      "65534 addresses", index + 1);
			return FALSE;
		}
		struct rif ri = { l, 0, cli_topo_addr(l, index), { 0 } };
		char *ifname = g_strdup_printf("%s-%s", h->name, l->name);
		sim_netif *nif;
		uint32_t ifq;
		if (l->wan) {
			nif = cli_topo_wan_attach(w, l, h->name, index, ri.mac);
			ifq = 0; /* the line's queue is the only one */
		} else {
			eth_nic *nic = cli_wire_attach_nic(
				w, l, ifname, 32, scn_length_mm(l->g, "cable"),
				index, ri.mac, error, h->g);
			if (!nic) {
				g_free(ifname);
				return FALSE;
			}
			nif = eth_nic_netif(nic);
			ifq = 50; /* IFQ_MAXLEN, 4.4BSD net/if.h */
		}
		g_free(ifname);
		ri.ifno = router_add_if(h->rt, nif, ri.addr, TOPO_NETMASK, ifq);
		g_array_append_val(h->rifs, ri);
		if (i == 0) {
			h->addr = ri.addr;
			memcpy(h->mac, ri.mac, 6);
		}
	}
	return TRUE;
}

static const struct rif *
rif_on(const struct whost *r, const struct wlink *l)
{
	GArray *a = rifs_of(r);
	for (guint i = 0; i < a->len; i++)
		if (g_array_index(a, struct rif, i).link == l)
			return &g_array_index(a, struct rif, i);
	return NULL;
}

/*
 * Breadth first from the links in `start` over routers: for every link
 * reached, the link of `start` it was reached through (first) and the
 * router that link leads to (via, NULL for the start links themselves).
 */
struct reach {
	struct wlink *first;
	struct whost *via;
};

static GHashTable *
reach_from(cli_world *w, GPtrArray *start)
{
	struct cli_wiring *wr = w->wiring;
	GHashTable *seen = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	GQueue q = G_QUEUE_INIT;
	for (guint i = 0; i < start->len; i++) {
		struct reach *r = g_new0(struct reach, 1);
		r->first = g_ptr_array_index(start, i);
		g_hash_table_insert(seen, r->first, r);
		g_queue_push_tail(&q, r->first);
	}
	struct wlink *l;
	while ((l = g_queue_pop_head(&q)) != NULL) {
		struct reach *rl = g_hash_table_lookup(seen, l);
		for (guint i = 0; i < wr->host_order->len; i++) {
			struct whost *r = g_ptr_array_index(wr->host_order, i);
			if (!r->rt || !rif_on(r, l))
				continue;
			GArray *a = rifs_of(r);
			for (guint k = 0; k < a->len; k++) {
				struct wlink *l2 =
					g_array_index(a, struct rif, k).link;
				if (g_hash_table_contains(seen, l2))
					continue;
				struct reach *r2 = g_new0(struct reach, 1);
				r2->first = rl->first;
				r2->via = rl->via ? rl->via : r;
				g_hash_table_insert(seen, l2, r2);
				g_queue_push_tail(&q, l2);
			}
		}
	}
	return seen;
}

static struct whost *
gateway_of(cli_world *w, const struct whost *h)
{
	struct cli_wiring *wr = w->wiring;
	if (scn_has(h->g, "gateway"))
		return g_hash_table_lookup(
			wr->hosts, scn_group_name(scn_ref(w->sc, h->g, "gateway")));
	struct whost *only = NULL;
	for (guint i = 0; i < wr->host_order->len; i++) {
		struct whost *r = g_ptr_array_index(wr->host_order, i);
		if (r->rt && rif_on(r, h->link)) {
			if (only)
				return NULL; /* ambiguous: cli_topo_check */
			only = r;
		}
	}
	return only;
}

static void
add_neighbour(struct whost *a, uint32_t addr, const uint8_t *mac)
{
	if (a->ux)
		unix_host_add_neighbour(a->ux, addr, mac);
	if (a->nem)
		nem_host_add_neighbour(a->nem, addr, mac);
}

gboolean
cli_topo_routes(cli_world *w, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	GPtrArray *hs = wr->host_order;
	for (guint i = 0; i < hs->len; i++) {
		struct whost *r = g_ptr_array_index(hs, i);
		if (!r->rt)
			continue;
		GArray *a = rifs_of(r);
		g_autoptr(GPtrArray) start = g_ptr_array_new();
		for (guint k = 0; k < a->len; k++) {
			const struct rif *ri = &g_array_index(a, struct rif, k);
			g_ptr_array_add(start, ri->link);
			/* Everyone on this link is a neighbour. */
			for (guint j = 0; j < hs->len; j++) {
				struct whost *b = g_ptr_array_index(hs, j);
				if (b == r)
					continue;
				if (b->rt) {
					const struct rif *o = rif_on(b, ri->link);
					if (o)
						router_add_neighbour(r->rt, ri->ifno,
								     o->addr, o->mac);
				} else if (b->link == ri->link) {
					router_add_neighbour(r->rt, ri->ifno,
							     b->addr, b->mac);
				}
			}
		}
		GHashTable *seen = reach_from(w, start);
		GHashTableIter it;
		gpointer k, v;
		/* Subnets do not overlap: the order routes are added in
		 * does not matter. */
		g_hash_table_iter_init(&it, seen);
		GPtrArray *far = g_ptr_array_new();
		while (g_hash_table_iter_next(&it, &k, &v))
			if (((struct reach *)v)->via)
				g_ptr_array_add(far, k);
		for (guint n = 0; n < far->len; n++) {
			struct wlink *d = g_ptr_array_index(far, n);
			struct reach *re = g_hash_table_lookup(seen, d);
			const struct rif *out = rif_on(r, re->first);
			const struct rif *gw = rif_on(re->via, re->first);
			router_add_route(r->rt, cli_topo_addr(d, 0) & TOPO_NETMASK,
					 TOPO_NETMASK, out->ifno, gw->addr);
		}
		g_ptr_array_free(far, TRUE);
		g_hash_table_destroy(seen);
	}
	/* Hosts: everyone their gateway can reach, through the gateway. */
	for (guint i = 0; i < hs->len; i++) {
		struct whost *a = g_ptr_array_index(hs, i);
		if (!a->ux && !a->nem)
			continue;
		struct whost *gw = gateway_of(w, a);
		if (!gw)
			continue;
		const struct rif *gi = rif_on(gw, a->link);
		g_autoptr(GPtrArray) start = g_ptr_array_new();
		g_ptr_array_add(start, a->link);
		GHashTable *seen = reach_from(w, start);
		for (guint j = 0; j < hs->len; j++) {
			struct whost *b = g_ptr_array_index(hs, j);
			if ((b->ux || b->nem) && b->link != a->link &&
			    g_hash_table_contains(seen, b->link))
				add_neighbour(a, b->addr, gi->mac);
		}
		g_hash_table_destroy(seen);
	}
	return TRUE;
}

void
cli_topo_register_stats(cli_world *w)
{
	struct cli_wiring *wr = w->wiring;
	/* Links in scenario order: the registry's order is the output's. */
	g_autoptr(GPtrArray) links = scn_instances(w->sc, "link");
	for (guint i = 0; i < links->len; i++) {
		struct wlink *l = g_hash_table_lookup(
			wr->links, scn_group_name(g_ptr_array_index(links, i)));
		char *p = g_strdup_printf("links.%s", l->name);
		if (l->sw)
			eth_switch_register_stats(l->sw, w->sim, p);
		if (l->wan)
			wan_link_register_stats(l->wan, w->sim, p, l->wan_end[0],
						l->wan_end[1]);
		g_free(p);
	}
	for (guint i = 0; i < wr->host_order->len; i++) {
		struct whost *h = g_ptr_array_index(wr->host_order, i);
		if (!h->rt)
			continue;
		GArray *a = rifs_of(h);
		const char **names = g_new0(const char *, a->len + 1);
		for (guint k = 0; k < a->len; k++)
			names[k] = g_array_index(a, struct rif, k).link->name;
		char *p = g_strdup_printf("hosts.%s", h->name);
		router_register_stats(h->rt, p, names);
		g_free(p);
		g_free(names);
	}
}

/* ---- Checks ---------------------------------------------------------- */


static gboolean
is_kind(const scn_group *g, const char *kind)
{
	return strcmp(scn_str(g, "kind"), kind) == 0;
}

/* Does router r have an interface on link l? */
static gboolean
router_on(const scenario *sc, scn_group *r, scn_group *l)
{
	g_auto(GStrv) names = scn_list(r, "links");
	for (int i = 0; names[i]; i++)
		if (scn_find(sc, "link", names[i]) == l)
			return TRUE;
	return FALSE;
}

/* The routers on link l, in scenario order. */
static GPtrArray *
routers_on(const scenario *sc, scn_group *l)
{
	GPtrArray *out = g_ptr_array_new();
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	for (guint i = 0; i < hosts->len; i++) {
		scn_group *h = g_ptr_array_index(hosts, i);
		if (is_kind(h, "router") && router_on(sc, h, l))
			g_ptr_array_add(out, h);
	}
	return out;
}

/* Can a packet get from link a to link b through routers? */
static gboolean
links_joined(const scenario *sc, scn_group *a, scn_group *b)
{
	GHashTable *seen = g_hash_table_new(NULL, NULL);
	GQueue q = G_QUEUE_INIT;
	g_hash_table_add(seen, a);
	g_queue_push_tail(&q, a);
	scn_group *l;
	while ((l = g_queue_pop_head(&q)) != NULL) {
		g_autoptr(GPtrArray) rs = routers_on(sc, l);
		for (guint i = 0; i < rs->len; i++) {
			g_auto(GStrv) names =
				scn_list(g_ptr_array_index(rs, i), "links");
			for (int k = 0; names[k]; k++) {
				scn_group *l2 = scn_find(sc, "link", names[k]);
				if (g_hash_table_add(seen, l2))
					g_queue_push_tail(&q, l2);
			}
		}
	}
	gboolean ok = g_hash_table_contains(seen, b);
	g_hash_table_destroy(seen);
	return ok;
}

/* Host h (not a router) needs a gateway: is there one, unambiguous? */
static gboolean
check_gateway(const scenario *sc, scn_group *h, scn_group *conn,
	      GError **error)
{
	if (scn_has(h, "gateway"))
		return TRUE; /* checked with the host */
	scn_group *l = scn_ref(sc, h, "link");
	g_autoptr(GPtrArray) rs = routers_on(sc, l);
	if (rs->len == 1)
		return TRUE;
	if (rs->len == 0) {
		scn_set_error(error, conn, "to",
			      "[%s] and the other end are on different links, "
			      "and [%s] has no router for [%s] to send "
			      "through (a [host.NAME] with kind = router and "
			      "links = %s, ...)",
			      scn_group_title(h), scn_group_title(l),
			      scn_group_title(h), scn_group_name(l));
		return FALSE;
	}
	scn_set_error(error, h, "link",
		      "[%s] has routers [%s] and [%s] (at least), and "
		      "[%s] talks to another link: say which it sends "
		      "through with gateway = NAME",
		      scn_group_title(l),
		      scn_group_title(g_ptr_array_index(rs, 0)),
		      scn_group_title(g_ptr_array_index(rs, 1)),
		      scn_group_title(h));
	return FALSE;
}

static gboolean
check_topo_links(const scenario *sc, GError **error)
{
	static const char *const wan_only[] = { "delay", "queue", "framing",
						NULL };
	static const char *const switch_only[] = { "switch_latency",
						   "port_queue", NULL };
	static const char *const not_wan[] = { "cable", "repeater_delay",
					       "phy_delay", "cable_ns_per_m",
					       "overbook", NULL };
	g_autoptr(GPtrArray) links = scn_instances(sc, "link");
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	g_autoptr(GPtrArray) srcs = scn_instances(sc, "source");
	for (guint i = 0; i < links->len; i++) {
		scn_group *l = g_ptr_array_index(links, i);
		if (i == 256) {
			scn_set_error(error, l, NULL,
				      "a link is the subnet 10.L.0.0/16, L its "
				      "place among the links: at most 256 links");
			return FALSE;
		}
		const char *kind = scn_str(l, "kind");
		gboolean wan = is_kind(l, "wan"), sw = is_kind(l, "switch");
		for (int k = 0; wan_only[k]; k++)
			if (!wan && scn_is_set(l, wan_only[k])) {
				scn_set_error(error, l, wan_only[k],
					      "only a kind = wan link has this "
					      "(this link is kind = %s)", kind);
				return FALSE;
			}
		for (int k = 0; switch_only[k]; k++)
			if (!sw && scn_is_set(l, switch_only[k])) {
				scn_set_error(error, l, switch_only[k],
					      "only a kind = switch link has "
					      "this (this link is kind = %s)",
					      kind);
				return FALSE;
			}
		if (sw && scn_is_set(l, "repeater_delay")) {
			scn_set_error(error, l, "repeater_delay",
				      "a switch has no repeater: its delay is "
				      "switch_latency");
			return FALSE;
		}
		if (sw && scn_time(l, "switch_latency") > SIM_MS) {
			scn_set_error(error, l, "switch_latency",
				      "%s: a switch forwards a frame within "
				      "microseconds, not more than 1ms",
				      scn_str(l, "switch_latency"));
			return FALSE;
		}
		/* Who is attached: hosts, routers, stations of sources. */
		guint n = 0;
		for (guint h = 0; h < hosts->len; h++) {
			scn_group *g = g_ptr_array_index(hosts, h);
			gboolean on = is_kind(g, "router")
					      ? scn_has(g, "links") &&
							router_on(sc, g, l)
					      : scn_has(g, "link") &&
							scn_ref(sc, g, "link") == l;
			if (!on)
				continue;
			n++;
			if (wan && (is_kind(g, "nemesis") ||
				    is_kind(g, "station"))) {
				scn_set_error(error, g, "link",
					      "[%s] is a serial WAN line; only "
					      "unix hosts and routers attach to "
					      "one (the %s model drives an "
					      "Ethernet card)",
					      scn_group_title(l),
					      scn_str(g, "kind"));
				return FALSE;
			}
		}
		for (guint s = 0; wan && s < srcs->len; s++) {
			scn_group *g = g_ptr_array_index(srcs, s);
			if (scn_has(g, "link") && scn_ref(sc, g, "link") == l) {
				scn_set_error(error, g, "link",
					      "raw-frame sources send Ethernet "
					      "frames; [%s] is a serial WAN line",
					      scn_group_title(l));
				return FALSE;
			}
		}
		if (!wan)
			continue;
		for (int k = 0; not_wan[k]; k++)
			if (scn_is_set(l, not_wan[k])) {
				scn_set_error(error, l, not_wan[k],
					      "a kind = wan link has no %s (it "
					      "is a serial line: rate, delay, "
					      "queue, loss, framing)",
					      not_wan[k]);
				return FALSE;
			}
		if (n != 2) {
			scn_set_error(error, l, "kind",
				      "a wan link joins exactly two hosts or "
				      "routers; %u attach to it", n);
			return FALSE;
		}
		if (scn_rate(l, "rate") <= 0 ||
		    scn_rate(l, "rate") > 10000 * SIM_MBPS) {
			scn_set_error(error, l, "rate",
				      "%s: a wan line runs above 0 and at most "
				      "10Gb/s", scn_str(l, "rate"));
			return FALSE;
		}
		if (scn_time(l, "delay") > 10 * SIM_S) {
			scn_set_error(error, l, "delay",
				      "%s: a one-way delay above 10s is beyond "
				      "any line nemsim models",
				      scn_str(l, "delay"));
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_topo_hosts(const scenario *sc, GError **error)
{
	static const char *const not_router[] = {
		"nic", "tx_ring", "cpu", "personality", "rfc1323", "cable",
		"driver_qos", "overbook", "events", "slack", "rx_buffers",
		"sockbuf", "gateway", "subnets_are_local", NULL
	};
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	for (guint i = 0; i < hosts->len; i++) {
		scn_group *h = g_ptr_array_index(hosts, i);
		if (!is_kind(h, "router")) {
			if (scn_has(h, "links")) {
				scn_set_error(error, h, "links",
					      "only a kind = router host has "
					      "several links; this host has one "
					      "NIC (key link)");
				return FALSE;
			}
			if (!scn_has(h, "link")) {
				scn_set_error(error, h, NULL,
					      "missing required key link");
				return FALSE;
			}
			if (scn_has(h, "gateway")) {
				scn_group *r = scn_ref(sc, h, "gateway");
				scn_group *l = scn_ref(sc, h, "link");
				if (!is_kind(r, "router") || !router_on(sc, r, l)) {
					scn_set_error(error, h, "gateway",
						      "[%s] is not a router "
						      "on [%s], this host's "
						      "link",
						      scn_group_title(r),
						      scn_group_title(l));
					return FALSE;
				}
			}
			continue;
		}
		if (scn_has(h, "link")) {
			scn_set_error(error, h, "link",
				      "a router has an interface on each of "
				      "its links: write links = a, b");
			return FALSE;
		}
		if (!scn_has(h, "links")) {
			scn_set_error(error, h, NULL,
				      "a router needs links = a, b (the links "
				      "it joins)");
			return FALSE;
		}
		for (int k = 0; not_router[k]; k++)
			if (scn_is_set(h, not_router[k])) {
				scn_set_error(error, h, not_router[k],
					      "a router has no %s (it forwards "
					      "IP in zero CPU time, with a "
					      "generic NIC on each Ethernet "
					      "link)", not_router[k]);
				return FALSE;
			}
		g_auto(GStrv) names = scn_list(h, "links");
		guint n = g_strv_length(names);
		if (n < 2) {
			scn_set_error(error, h, "links",
				      "a router joins two or more links");
			return FALSE;
		}
		for (guint a = 0; a < n; a++)
			for (guint b = 0; b < a; b++)
				if (scn_find(sc, "link", names[a]) ==
				    scn_find(sc, "link", names[b])) {
					scn_set_error(error, h, "links",
						      "[link.%s] is named "
						      "twice", names[a]);
					return FALSE;
				}
		/* Its interfaces' NICs are named ROUTER-LINK. */
		static const char *const kinds[] = { "link", "host", "domain",
						     "connection", "source",
						     NULL };
		for (guint a = 0; a < n; a++) {
			char *ifn = g_strdup_printf("%s-%s", scn_group_name(h),
						    names[a]);
			for (int k = 0; kinds[k]; k++)
				if (scn_find(sc, kinds[k], ifn)) {
					scn_set_error(error, h, "links",
						      "the interface on "
						      "[link.%s] is named "
						      "\"%s\", which [%s.%s] "
						      "already is: rename "
						      "one", names[a], ifn,
						      kinds[k], ifn);
					g_free(ifn);
					return FALSE;
				}
			g_free(ifn);
		}
	}
	return TRUE;
}

/*
 * Two hosts that talk TCP (g's from_key and to_key, in the group g that
 * makes them talk): neither a router, and on links routers join.
 */
static gboolean
check_talkers(const scenario *sc, scn_group *g, scn_group *from,
	      scn_group *to, const char *from_key, const char *to_key,
	      GError **error)
{
	if (is_kind(from, "router") || is_kind(to, "router")) {
		scn_set_error(error, g,
			      is_kind(from, "router") ? from_key : to_key,
			      "TCP runs on nemesis and unix hosts; a "
			      "router only forwards");
		return FALSE;
	}
	if (!scn_has(from, "link") || !scn_has(to, "link"))
		return TRUE; /* stations, refused later */
	scn_group *lf = scn_ref(sc, from, "link"),
		  *lt = scn_ref(sc, to, "link");
	if (lf == lt)
		return TRUE;
	if (!links_joined(sc, lf, lt)) {
		scn_set_error(error, g, to_key,
			      "[%s] (on [%s]) and [%s] (on [%s]) are "
			      "on links no chain of routers joins",
			      scn_group_title(from),
			      scn_group_title(lf), scn_group_title(to),
			      scn_group_title(lt));
		return FALSE;
	}
	return check_gateway(sc, from, g, error) &&
	       check_gateway(sc, to, g, error);
}

static gboolean
check_topo_uses(const scenario *sc, GError **error)
{
	g_autoptr(GPtrArray) conns = scn_instances(sc, "connection");
	for (guint c = 0; c < conns->len; c++) {
		scn_group *g = g_ptr_array_index(conns, c);
		if (!check_talkers(sc, g, scn_ref(sc, g, "from"),
				   scn_ref(sc, g, "to"), "from", "to", error))
			return FALSE;
	}
	/* A customer's clients and the host of the server they ask. */
	g_autoptr(GPtrArray) clients = scn_instances(sc, "clients");
	for (guint c = 0; c < clients->len; c++) {
		scn_group *g = g_ptr_array_index(clients, c);
		scn_group *s = scn_ref(sc, g, "server");
		if (!s)
			continue; /* refused with the clients */
		if (!check_talkers(sc, g, scn_ref(sc, g, "host"),
				   scn_ref(sc, s, "host"), "host", "server",
				   error))
			return FALSE;
	}
	scn_group *o = scn_single(sc, "output");
	g_auto(GStrv) points = scn_list(o, "pcap");
	for (int i = 0; points[i]; i++) {
		scn_group *h = scn_find(sc, "host", points[i]);
		if (h && is_kind(h, "router")) {
			scn_set_error(error, o, "pcap",
				      "[%s] has an interface on each of its "
				      "links: capture at a link instead",
				      scn_group_title(h));
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
cli_topo_check(const scenario *sc, GError **error)
{
	return check_topo_hosts(sc, error) && check_topo_links(sc, error) &&
	       check_topo_uses(sc, error);
}
