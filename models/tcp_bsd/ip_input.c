/*
 * ip_input.c - receiving frames: Ethernet demultiplexing and IPv4 input.
 *
 * ip_stack_input() takes a whole Ethernet frame from the netif.  Frames
 * that are not IPv4 or not addressed to us are counted and dropped.  The
 * IPv4 header is checked as 4.4BSD ip_input does (length, version,
 * header length, checksum, total length against the frame; link padding
 * beyond the total length is trimmed); every failure is counted in
 * ipstat and the packet dropped.  There is no reassembly and no
 * forwarding: fragments and datagrams for other hosts are counted and
 * dropped.  Good TCP datagrams go to tcp_input, ICMP messages to
 * icmp_input (errors about our segments to tcp_ctlinput).
 */
#include <string.h>

#include "ip_var.h"

static const uint8_t ether_bcast[ETHER_ADDR_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static void ip_input(ip_stack *st, sim_pkt *m);

void
ip_stack_enter(ip_stack *st)
{
	st->depth++;
}

/* Leave an entry point; the outermost exit runs the queued input. */
void
ip_stack_exit(ip_stack *st)
{
	sim_pkt *m;

	g_assert(st->depth > 0);
	if (st->depth > 1) {
		st->depth--;
		return;
	}
	while ((m = sim_ptrq_pop_head(&st->ipintrq)) != NULL)
		ip_input(st, m);
	tcp_tick_requeue_touched(st);
	st->depth--;
}

void
ip_stack_input(ip_stack *st, sim_pkt *m)
{
	if (st->depth > 0) {
		sim_ptrq_push_tail(&st->ipintrq, m);
		return;
	}
	ip_stack_enter(st);
	ip_input(st, m);
	ip_stack_exit(st);
}

/*
 * ICMP input as 4.4BSD's icmp_input does it for the messages TCP cares
 * about (TCPIP2 ch. 11): destination unreachable (codes 0-5) and source
 * quench go to tcp_ctlinput with the quoted IP header; every other type
 * is counted and dropped (no echo, no redirects, no timestamps).
 */
static void
icmp_input(ip_stack *st, sim_pkt *m, uint32_t hlen, uint32_t len)
{
	uint32_t icmplen = len - hlen;
	gboolean odd = FALSE;
	uint8_t *icp;

	st->icmpstat.icps_total++;
	sim_pkt_pull(m, hlen);
	if (icmplen < ICMP_MINLEN || !sim_pkt_pullup(m, ICMP_MINLEN)) {
		st->icmpstat.icps_tooshort++;
		goto drop;
	}
	if (!sim_pkt_pullup(m, icmplen) ||
	    in_cksum_fold(in_cksum_add(0, sim_pkt_hdr(m), icmplen, &odd)) != 0) {
		st->icmpstat.icps_checksum++;
		goto drop;
	}
	icp = sim_pkt_hdr(m);
	switch (icp[ICMP_OFF_TYPE]) {
	case ICMP_UNREACH:
		if (icp[ICMP_OFF_CODE] > ICMP_UNREACH_SRCFAIL) {
			st->icmpstat.icps_badcode++;
			goto drop;
		}
		break;
	case ICMP_SOURCEQUENCH:
		if (icp[ICMP_OFF_CODE] != 0) {
			st->icmpstat.icps_badcode++;
			goto drop;
		}
		break;
	default:
		st->icmpstat.icps_ignored++;
		goto drop;
	}
	/* The quoted datagram: a whole IP header and 8 bytes of TCP. */
	const uint8_t *qip = icp + ICMP_MINLEN;
	uint32_t qhl = icmplen >= ICMP_ADVLENMIN ?
	    (uint32_t)(qip[IP_OFF_VHL] & 0x0f) << 2 : 0;
	if (qhl < IP_HDR_LEN || icmplen < ICMP_MINLEN + qhl + 8 ||
	    qip[IP_OFF_P] != IPPROTO_TCP) {
		st->icmpstat.icps_badlen++;
		goto drop;
	}
	if (icp[ICMP_OFF_TYPE] == ICMP_UNREACH)
		st->icmpstat.icps_unreach++;
	else
		st->icmpstat.icps_quench++;
	tcp_ctlinput(st, icp[ICMP_OFF_TYPE], icp[ICMP_OFF_CODE], qip);
drop:
	sim_pkt_unref(m);
}

static void
ip_input(ip_stack *st, sim_pkt *m)
{
	uint8_t *eh, *ip;
	uint32_t hlen, len, src, dst;
	uint16_t off;
	gboolean odd = FALSE;

	if (m->refs > 1) {
		/* Shared (a hub's copy): we trim it, so take our own. */
		sim_pkt *c = sim_pkt_clone(m);
		sim_pkt_unref(m);
		m = c;
	}
	if (!sim_pkt_pullup(m, ETHER_HDR_LEN)) {
		st->ipstat.ips_badether++;
		goto drop;
	}
	eh = sim_pkt_hdr(m);
	if (wire_get16(eh + ETH_OFF_TYPE) != ETHERTYPE_IP ||
	    (memcmp(eh + ETH_OFF_DST, st->nif->mac, ETHER_ADDR_LEN) != 0 &&
	     memcmp(eh + ETH_OFF_DST, ether_bcast, ETHER_ADDR_LEN) != 0)) {
		st->ipstat.ips_badether++;
		goto drop;
	}
	sim_pkt_pull(m, ETHER_HDR_LEN);

	st->ipstat.ips_total++;
	if (sim_pkt_len(m) < IP_HDR_LEN || !sim_pkt_pullup(m, IP_HDR_LEN)) {
		st->ipstat.ips_toosmall++;
		goto drop;
	}
	ip = sim_pkt_hdr(m);
	if (ip[IP_OFF_VHL] >> 4 != IPVERSION) {
		st->ipstat.ips_badvers++;
		goto drop;
	}
	hlen = (ip[IP_OFF_VHL] & 0x0f) << 2;
	if (hlen < IP_HDR_LEN) {
		st->ipstat.ips_badhlen++;
		goto drop;
	}
	if (hlen > sim_pkt_len(m) || !sim_pkt_pullup(m, hlen)) {
		st->ipstat.ips_badhlen++;
		goto drop;
	}
	ip = sim_pkt_hdr(m);
	if (in_cksum_fold(in_cksum_add(0, ip, hlen, &odd)) != 0) {
		st->ipstat.ips_badsum++;
		goto drop;
	}
	len = wire_get16(ip + IP_OFF_LEN);
	if (len < hlen) {
		st->ipstat.ips_badlen++;
		goto drop;
	}
	if (sim_pkt_len(m) < len) {
		st->ipstat.ips_tooshort++;
		goto drop;
	}
	if (sim_pkt_len(m) > len)
		pkt_trim_tail(m, sim_pkt_len(m) - len);

	src = wire_get32(ip + IP_OFF_SRC);
	dst = wire_get32(ip + IP_OFF_DST);
	if (dst != st->addr) {
		st->ipstat.ips_cantforward++;
		goto drop;
	}
	off = wire_get16(ip + IP_OFF_OFF);
	if (off & (IP_MF | IP_OFFMASK)) {
		st->ipstat.ips_fragdropped++;
		goto drop;
	}
	if (ip[IP_OFF_P] == IPPROTO_ICMP) {
		st->ipstat.ips_delivered++;
		icmp_input(st, m, hlen, len);
		return;
	}
	if (ip[IP_OFF_P] != IPPROTO_TCP) {
		st->ipstat.ips_noproto++;
		goto drop;
	}
	st->ipstat.ips_delivered++;
	tcp_input(st, m, src, dst, hlen, len);
	return;
drop:
	sim_pkt_unref(m);
}
