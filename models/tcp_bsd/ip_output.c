/*
 * ip_output.c - IPv4 output and the link below it.
 *
 * ip_output() is called by TCP with a segment (TCP header and payload)
 * and prepends the IPv4 header (no options; DF clear, as 4.4BSD sends
 * TCP) with the host's TTL, a fresh ID and the header checksum, then the
 * Ethernet header from the static neighbour table.  The frame goes to the
 * output hook: by default straight to the netif, on a Nemesis host into
 * the domain's transmit I/O channel.  There is no fragmentation: TCP never
 * builds a segment larger than the MTU, and anything that is is refused
 * and counted (ips_toolong, EMSGSIZE).
 */
#include <string.h>

#include "ip_var.h"

gboolean
ip_stack_netif_output(ip_stack *st, sim_pkt *frame)
{
	return sim_netif_output(st->nif, frame);
}

static gboolean
default_output_hook(void *ctx, ip_stack *st, sim_pkt *frame)
{
	return ip_stack_netif_output(st, frame);
}

void
ip_stack_set_output_hook(ip_stack *st, ip_output_hook_fn fn, void *ctx)
{
	st->output_hook = fn ? fn : default_output_hook;
	st->output_ctx = ctx;
}

static const uint8_t *
ip_neighbour_lookup(const ip_stack *st, uint32_t addr)
{
	for (guint i = 0; i < st->neighbours->len; i++) {
		const struct ip_neighbour *n =
		    &g_array_index(st->neighbours, struct ip_neighbour, i);
		if (n->addr == addr)
			return n->mac;
	}
	return NULL;
}

void
ip_stack_add_neighbour(ip_stack *st, uint32_t addr, const uint8_t *mac)
{
	struct ip_neighbour n = { .addr = addr };
	memcpy(n.mac, mac, ETHER_ADDR_LEN);
	g_array_append_val(st->neighbours, n);
}

/*
 * Is addr local (4.4BSD in_localaddr)?  With subnetsarelocal, any subnet
 * of our network is: the network's mask is the class's (in_ifinit:
 * ia_netmask = IN_CLASSx_NET, narrowed by a shorter subnet mask);
 * without, only our own subnet.
 */
gboolean
in_localaddr(const ip_stack *st, uint32_t addr)
{
	uint32_t mask = st->netmask;
	if (st->subnetsarelocal) {
		uint32_t net = !(st->addr & 0x80000000u)   ? 0xff000000u /* A */
			       : !(st->addr & 0x40000000u) ? 0xffff0000u /* B */
			       : !(st->addr & 0x20000000u) ? 0xffffff00u /* C */
							   : 0xffffffffu;
		mask &= net;
	}
	return (addr & mask) == (st->addr & mask);
}

/*
 * Put an IPv4 header (20 bytes: no options, not a fragment, protocol TCP,
 * checksum filled in) in front of the segment in p, and, if dst_mac is
 * not NULL, an Ethernet II header.  ip_output uses it, and so do the
 * packetdrill runner and the tests that inject hand-made segments.
 */
void
ip_encap(sim_pkt *p, uint32_t src, uint32_t dst, uint16_t id, uint8_t ttl,
	 const uint8_t *dst_mac, const uint8_t *src_mac)
{
	ip_encap_tos(p, src, dst, id, 0, ttl, dst_mac, src_mac);
}

/* ip_encap with a type of service (IP_TOS). */
void
ip_encap_tos(sim_pkt *p, uint32_t src, uint32_t dst, uint16_t id,
	     uint8_t tos, uint8_t ttl, const uint8_t *dst_mac,
	     const uint8_t *src_mac)
{
	uint32_t len = sim_pkt_len(p) + IP_HDR_LEN;
	uint8_t *ip = sim_pkt_push(p, IP_HDR_LEN);

	ip[IP_OFF_VHL] = IPVERSION << 4 | IP_HDR_LEN >> 2;
	ip[IP_OFF_TOS] = tos;
	wire_put16(ip + IP_OFF_LEN, (uint16_t)len);
	wire_put16(ip + IP_OFF_ID, id);
	wire_put16(ip + IP_OFF_OFF, 0);
	ip[IP_OFF_TTL] = ttl;
	ip[IP_OFF_P] = IPPROTO_TCP;
	wire_put16(ip + IP_OFF_SUM, 0);
	wire_put32(ip + IP_OFF_SRC, src);
	wire_put32(ip + IP_OFF_DST, dst);
	gboolean odd = FALSE;
	wire_put16(ip + IP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, ip, IP_HDR_LEN, &odd)));
	if (!dst_mac)
		return;
	uint8_t *eh = sim_pkt_push(p, ETHER_HDR_LEN);
	memcpy(eh + ETH_OFF_DST, dst_mac, ETHER_ADDR_LEN);
	memcpy(eh + ETH_OFF_SRC, src_mac, ETHER_ADDR_LEN);
	wire_put16(eh + ETH_OFF_TYPE, ETHERTYPE_IP);
}

/*
 * Send the transport segment p (its reference is consumed) from src to
 * dst.  Returns 0, or a positive errno: EHOSTUNREACH (no neighbour),
 * EMSGSIZE (larger than the MTU), ENOBUFS (the hook refused it).
 */
int
ip_output(ip_stack *st, sim_pkt *p, uint32_t src, uint32_t dst)
{
	return ip_output_tos(st, p, src, dst, 0, IP_DEFTTL);
}

/* ip_output with the socket's IP_TOS and IP_TTL (Lite's inp_ip). */
int
ip_output_tos(ip_stack *st, sim_pkt *p, uint32_t src, uint32_t dst,
	      uint8_t tos, uint8_t ttl)
{
	uint32_t len = sim_pkt_len(p) + IP_HDR_LEN;
	const uint8_t *mac;

	if (len > st->nif->mtu) {
		st->ipstat.ips_toolong++;
		sim_pkt_unref(p);
		return EMSGSIZE;
	}
	mac = ip_neighbour_lookup(st, dst);
	if (!mac) {
		st->ipstat.ips_noroute++;
		sim_pkt_unref(p);
		return EHOSTUNREACH;
	}
	ip_encap_tos(p, src, dst, st->ip_id++, tos, ttl, mac, st->nif->mac);

	st->ipstat.ips_localout++;
	if (!st->output_hook(st->output_ctx, st, p)) {
		st->ipstat.ips_odropped++;
		sim_pkt_unref(p);
		return ENOBUFS;
	}
	return 0;
}
