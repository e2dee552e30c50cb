/*
 * router.h - an IPv4 router: several interfaces, static routes, and
 * forwarding in the manner of 4.4BSD's ip_forward (TCP/IP Illustrated
 * Vol. 2, section 8.5) and RFC 1812.
 *
 * The router owns the upward half of each interface's sim_netif (as a
 * host's IP does) and speaks IPv4 only; it has no transport protocols
 * and sends no ICMP.  Use:
 *
 *	router *rt = router_new(sim, "r");
 *	int i = router_add_if(rt, nif, addr, netmask, ifq_max);
 *	router_add_neighbour(rt, i, host_addr, host_mac);
 *	router_add_route(rt, net, mask, i, gateway);   // 0: direct
 *	router_register_stats(rt, "hosts.r");
 *
 * Directly attached subnets are routes of their own (router_add_if adds
 * them).  All objects belong to the sim and are freed by sim_free().
 */
#pragma once

#include "sim/netif.h"
#include "sim/sim.h"

typedef struct router router;

/* ipstat's forwarding half (4.4BSD netinet/ip_var.h), and what we add. */
typedef struct router_stats {
	uint64_t ips_total;       /* IP packets received */
	uint64_t ips_badsum;      /* header checksum bad */
	uint64_t ips_toosmall;    /* not enough data for a header */
	uint64_t ips_badhlen;     /* header length < 20 or beyond the data */
	uint64_t ips_badlen;      /* total length < header length */
	uint64_t ips_tooshort;    /* frame shorter than the total length */
	uint64_t ips_badvers;     /* version != 4 */
	uint64_t ips_forward;     /* packets forwarded */
	uint64_t ips_cantforward; /* for us (we have no transport) or from
				   * a broadcast: not forwarded */
	uint64_t ips_noroute;     /* no route, or no neighbour entry */
	uint64_t ips_ttlexpired;  /* TTL <= 1 (BSD: ICMP time exceeded) */
	uint64_t ips_odropped;    /* output queue full */
	uint64_t ips_badether;    /* not IPv4, or not for our address */
} router_stats;

router *router_new(sim_t *sim, const char *name);
/*
 * Attach an interface with its address; ifq_max is the interface queue
 * the router keeps in front of the netif's own (0: none, the netif's
 * queue is the only one, as on a serial link).  Returns its number.
 */
int router_add_if(router *rt, sim_netif *nif, uint32_t addr, uint32_t netmask,
		  uint32_t ifq_max);
void router_add_neighbour(router *rt, int ifno, uint32_t addr,
			  const uint8_t mac[6]);
void router_add_route(router *rt, uint32_t net, uint32_t mask, int ifno,
		      uint32_t gateway);
const router_stats *router_get_stats(const router *rt);
/* Registers <prefix>.ip.<counter> (without ips_, as the hosts' IP) and <prefix>.if.<i>.{ifq_drops,ifq_max}
 * (i the interface's number, or its name if given). */
void router_register_stats(router *rt, const char *prefix,
			   const char *const *if_names);
