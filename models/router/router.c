/*
 * router.c - receiving on any interface, forwarding on another.
 *
 * Call order: a frame arrives on an interface (its input upcall) ->
 * Ethernet demultiplexing (IPv4 for our address or broadcast, else
 * ips_badether) -> the IPv4 header checks of 4.4BSD ip_input, each
 * failure counted and the packet dropped -> a packet for one of our own
 * addresses, or sent to a broadcast address, is not forwarded
 * (ips_cantforward: the router runs no transport and BSD never forwards
 * link broadcasts) -> ip_forward: a TTL of 1 or less is dropped
 * (ips_ttlexpired, where BSD would send ICMP time exceeded), else the
 * TTL is decremented and the header checksum updated incrementally (RFC
 * 1624, eqn. 3) -> the route for the destination (the first whose
 * network matches; directly attached subnets first) gives the output
 * interface and next hop, whose MAC comes from the static neighbour
 * table (none: ips_noroute) -> a new Ethernet header, and out: straight
 * to the netif if it has room, else into the interface queue (ifq_max
 * packets; full: ips_odropped), drained as the netif reports frames
 * sent.
 *
 * The router forwards in zero CPU time: a named simplification (a
 * 1990s router forwarded a few 10 000 packets a second, which the links
 * modelled here do not reach with full-size packets).
 */
#include "router.h"

#include <string.h>

#define ETH_HDR 14
#define ETYPE_IP 0x0800
#define IP_HDR 20

typedef struct rt_if {
	router *rt;
	int idx;
	sim_netif *nif;
	uint32_t addr, mask;
	GArray *neigh;  /* rt_neigh */
	GQueue ifq;
	uint32_t ifq_max;
	uint64_t ifq_drops, ifq_max_seen;
} rt_if;

typedef struct rt_neigh {
	uint32_t addr;
	uint8_t mac[6];
} rt_neigh;

typedef struct rt_route {
	uint32_t net, mask, gateway;
	int ifno;
} rt_route;

struct router {
	sim_t *sim;
	char *name;
	GPtrArray *ifs;  /* rt_if * */
	GArray *routes;  /* rt_route */
	router_stats st;
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The Internet checksum of a header (RFC 1071): 0 when it is correct. */
static uint16_t
hdr_cksum(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
if_fill(rt_if *ifp)
{
	sim_pkt *f;
	while (ifp->ifq.length && ifp->nif->tx_ring_free(ifp->nif) > 0) {
		f = g_queue_pop_head(&ifp->ifq);
		if (!sim_netif_output(ifp->nif, f)) {
			ifp->rt->st.ips_odropped++;
			sim_pkt_unref(f);
		}
	}
}

static void
if_output(rt_if *ifp, sim_pkt *f)
{
	/* Without a queue of our own the netif's is the only one (and
	 * counts its own drop-tail). */
	if (!ifp->ifq_max ||
	    (!ifp->ifq.length && ifp->nif->tx_ring_free(ifp->nif) > 0)) {
		if (!sim_netif_output(ifp->nif, f)) {
			ifp->rt->st.ips_odropped++;
			sim_pkt_unref(f);
		}
		return;
	}
	if (ifp->ifq.length >= ifp->ifq_max) {
		ifp->ifq_drops++;
		ifp->rt->st.ips_odropped++;
		sim_pkt_unref(f);
		return;
	}
	g_queue_push_tail(&ifp->ifq, f);
	if (ifp->ifq.length > ifp->ifq_max_seen)
		ifp->ifq_max_seen = ifp->ifq.length;
}

static const rt_neigh *
neigh_find(const rt_if *ifp, uint32_t addr)
{
	for (guint i = 0; i < ifp->neigh->len; i++) {
		const rt_neigh *n = &g_array_index(ifp->neigh, rt_neigh, i);
		if (n->addr == addr)
			return n;
	}
	return NULL;
}

static void
rt_forward(router *rt, sim_pkt *m, uint32_t dst)
{
	uint8_t *ip = sim_pkt_hdr(m) + ETH_HDR;
	if (ip[8] <= 1) {
		rt->st.ips_ttlexpired++;
		sim_pkt_unref(m);
		return;
	}
	/* TTL - 1 and the checksum with it (RFC 1624: HC' = ~(~HC + ~m +
	 * m'), m the 16-bit word holding TTL and protocol). */
	uint16_t old = get16(ip + 8);
	ip[8]--;
	uint16_t new_ = get16(ip + 8);
	uint32_t sum = (uint16_t)~get16(ip + 10);
	sum += (uint16_t)~old;
	sum += new_;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, (uint16_t)~sum);

	const rt_route *r = NULL;
	for (guint i = 0; i < rt->routes->len; i++) {
		const rt_route *x = &g_array_index(rt->routes, rt_route, i);
		if ((dst & x->mask) == x->net) {
			r = x;
			break;
		}
	}
	rt_if *out = r ? g_ptr_array_index(rt->ifs, r->ifno) : NULL;
	const rt_neigh *n =
	    out ? neigh_find(out, r->gateway ? r->gateway : dst) : NULL;
	if (!n) {
		rt->st.ips_noroute++;
		sim_pkt_unref(m);
		return;
	}
	uint8_t *eh = sim_pkt_hdr(m);
	memcpy(eh, n->mac, 6);
	memcpy(eh + 6, out->nif->mac, 6);
	rt->st.ips_forward++;
	if_output(out, m);
}

static void
rt_input(void *upper, sim_netif *nif, sim_pkt *m)
{
	rt_if *ifp = upper;
	router *rt = ifp->rt;
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	if (m->refs > 1) {
		/* Shared (a hub's or a switch's copy): we rewrite it. */
		sim_pkt *c = sim_pkt_clone(m);
		sim_pkt_unref(m);
		m = c;
	}
	if (!sim_pkt_pullup(m, ETH_HDR)) {
		rt->st.ips_badether++;
		goto drop;
	}
	uint8_t *eh = sim_pkt_hdr(m);
	gboolean link_bcast = memcmp(eh, bcast, 6) == 0;
	if (get16(eh + 12) != ETYPE_IP ||
	    (memcmp(eh, nif->mac, 6) != 0 && !link_bcast)) {
		rt->st.ips_badether++;
		goto drop;
	}
	rt->st.ips_total++;
	uint32_t len = sim_pkt_len(m) - ETH_HDR;
	if (len < IP_HDR || !sim_pkt_pullup(m, ETH_HDR + IP_HDR)) {
		rt->st.ips_toosmall++;
		goto drop;
	}
	uint8_t *ip = sim_pkt_hdr(m) + ETH_HDR;
	if (ip[0] >> 4 != 4) {
		rt->st.ips_badvers++;
		goto drop;
	}
	uint32_t hlen = (uint32_t)(ip[0] & 0x0f) << 2;
	if (hlen < IP_HDR || hlen > len ||
	    !sim_pkt_pullup(m, ETH_HDR + hlen)) {
		rt->st.ips_badhlen++;
		goto drop;
	}
	ip = sim_pkt_hdr(m) + ETH_HDR;
	if (hdr_cksum(ip, hlen) != 0) {
		rt->st.ips_badsum++;
		goto drop;
	}
	uint32_t tot = get16(ip + 2);
	if (tot < hlen) {
		rt->st.ips_badlen++;
		goto drop;
	}
	if (len < tot) {
		rt->st.ips_tooshort++;
		goto drop;
	}
	uint32_t dst = get32(ip + 16);
	gboolean ours = FALSE;
	for (guint i = 0; i < rt->ifs->len; i++) {
		const rt_if *x = g_ptr_array_index(rt->ifs, i);
		if (dst == x->addr || dst == (x->addr | ~x->mask))
			ours = TRUE;
	}
	if (ours || link_bcast || dst == 0xffffffffu) {
		rt->st.ips_cantforward++;
		goto drop;
	}
	rt_forward(rt, m, dst);
	return;
drop:
	sim_pkt_unref(m);
}

static void
rt_tx_done(void *upper, sim_netif *nif, const sim_pkt *frame, gboolean sent)
{
	if_fill(upper);
}

static void
router_free(gpointer data)
{
	router *rt = data;
	for (guint i = 0; i < rt->ifs->len; i++) {
		rt_if *ifp = g_ptr_array_index(rt->ifs, i);
		g_queue_clear_full(&ifp->ifq, (GDestroyNotify)sim_pkt_unref);
		g_array_free(ifp->neigh, TRUE);
		g_free(ifp);
	}
	g_ptr_array_free(rt->ifs, TRUE);
	g_array_free(rt->routes, TRUE);
	g_free(rt->name);
	g_free(rt);
}

router *
router_new(sim_t *sim, const char *name)
{
	router *rt = g_new0(router, 1);
	rt->sim = sim;
	rt->name = g_strdup(name);
	rt->ifs = g_ptr_array_new();
	rt->routes = g_array_new(FALSE, FALSE, sizeof(rt_route));
	sim_on_free(sim, router_free, rt);
	return rt;
}

int
router_add_if(router *rt, sim_netif *nif, uint32_t addr, uint32_t netmask,
	      uint32_t ifq_max)
{
	rt_if *ifp = g_new0(rt_if, 1);
	ifp->rt = rt;
	ifp->idx = (int)rt->ifs->len;
	ifp->nif = nif;
	ifp->addr = addr;
	ifp->mask = netmask;
	ifp->ifq_max = ifq_max;
	ifp->neigh = g_array_new(FALSE, FALSE, sizeof(rt_neigh));
	g_queue_init(&ifp->ifq);
	nif->input = rt_input;
	nif->tx_done = rt_tx_done;
	nif->upper = ifp;
	g_ptr_array_add(rt->ifs, ifp);
	router_add_route(rt, addr & netmask, netmask, ifp->idx, 0);
	return ifp->idx;
}

void
router_add_neighbour(router *rt, int ifno, uint32_t addr, const uint8_t mac[6])
{
	rt_if *ifp = g_ptr_array_index(rt->ifs, ifno);
	rt_neigh n = {.addr = addr};
	memcpy(n.mac, mac, 6);
	g_array_append_val(ifp->neigh, n);
}

void
router_add_route(router *rt, uint32_t net, uint32_t mask, int ifno,
		 uint32_t gateway)
{
	g_assert(ifno >= 0 && (guint)ifno < rt->ifs->len);
	rt_route r = {net & mask, mask, gateway, ifno};
	g_array_append_val(rt->routes, r);
}

const router_stats *
router_get_stats(const router *rt)
{
	return &rt->st;
}

void
router_register_stats(router *rt, const char *prefix,
		      const char *const *if_names)
{
	static const struct {
		const char *name;
		size_t off;
	} c[] = {
#define C(f) {#f, G_STRUCT_OFFSET(router_stats, f)}
	    C(ips_total),     C(ips_badsum),	  C(ips_toosmall),
	    C(ips_badhlen),   C(ips_badlen),	  C(ips_tooshort),
	    C(ips_badvers),   C(ips_forward),	  C(ips_cantforward),
	    C(ips_noroute),   C(ips_ttlexpired), C(ips_odropped),
	    C(ips_badether),
#undef C
	};
	char path[256];
	for (size_t i = 0; i < G_N_ELEMENTS(c); i++) {
		/* As the hosts' IP: hosts.<h>.ip.forward for ips_forward. */
		g_snprintf(path, sizeof path, "%s.ip.%s", prefix,
			   c[i].name + strlen("ips_"));
		sim_stats_add_u64(rt->sim->stats, path,
				  G_STRUCT_MEMBER_P(&rt->st, c[i].off));
	}
	for (guint i = 0; i < rt->ifs->len; i++) {
		rt_if *ifp = g_ptr_array_index(rt->ifs, i);
		char idx[16];
		g_snprintf(idx, sizeof idx, "%u", i);
		const char *n = if_names ? if_names[i] : idx;
		g_snprintf(path, sizeof path, "%s.if.%s.ifq_drops", prefix, n);
		sim_stats_add_u64(rt->sim->stats, path, &ifp->ifq_drops);
		g_snprintf(path, sizeof path, "%s.if.%s.ifq_max", prefix, n);
		sim_stats_add_u64(rt->sim->stats, path, &ifp->ifq_max_seen);
	}
}
