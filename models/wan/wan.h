/*
 * wan.h - a point-to-point serial WAN link (a leased line: T1, E1, T3)
 * between two interfaces, as a router's serial port sees it.
 *
 * Each end is a sim_netif (sim/netif.h) that the layer above uses as it
 * uses an Ethernet NIC: it hands output() whole Ethernet frames built
 * from its static neighbour table, whose entry for the peer is the other
 * end's address (wan_link_mac()).  On the line only the IP datagram
 * travels, in a PPP/HDLC frame of `overhead` bytes more; the Ethernet
 * header rides along unseen so that the receiving IP finds the frame it
 * expects.  Each direction has a drop-tail output queue of `queue`
 * packets (the one on the line included), sends them back to back at
 * `rate`, and delivers each one `delay` after its last bit left; a
 * packet is lost on the line with probability `loss`, drawn from the
 * stream "wan.<name>.loss".
 *
 *	wan_link_params p = wan_link_params_default(1544000);
 *	wan_link *wl = wan_link_new(sim, "wan.w", &p);
 *	sim_netif *a = wan_link_end(wl, 0), *b = wan_link_end(wl, 1);
 *	wan_link_register_stats(wl, sim, "links.w", "r1", "r2");
 *	wan_link_register_trace(wl, sim);     // "wan.w.frames": raw IP
 *
 * All objects belong to the sim and are freed by sim_free().
 */
#pragma once

#include "sim/netif.h"
#include "sim/sim.h"
#include "sim/trace.h"

/*
 * PPP in HDLC-like framing (RFC 1662): flag 1, address 1, control 1,
 * protocol 2, FCS 2 bytes, and one flag between frames (a shared
 * closing/opening flag): 8 bytes a packet, bit stuffing not counted.
 */
#define WAN_PPP_OVERHEAD 8
#define WAN_ETH_HDR 14 /* the Ethernet header the hosts' IP puts on */
#define WAN_QUEUE_DEFAULT 50 /* IFQ_MAXLEN of 4.4BSD net/if.h */

typedef struct wan_link wan_link;

typedef struct wan_link_params {
	sim_rate_t rate;    /* line rate in b/s */
	sim_time_t delay;   /* one-way propagation */
	uint32_t queue;     /* packets a direction holds, incl. on the line */
	double loss;        /* probability a packet is lost on the line */
	uint32_t overhead;  /* framing bytes a packet: WAN_PPP_OVERHEAD */
	uint32_t mtu;       /* 1500 (PPP's default MRU, RFC 1661) */
} wan_link_params;

wan_link_params wan_link_params_default(sim_rate_t rate);

typedef struct wan_dir_stats {
	uint64_t frames, bytes; /* packets sent on the line, IP bytes */
	uint64_t drops;         /* refused: output queue full */
	uint64_t lost;          /* lost on the line (loss model) */
	uint64_t max_queue;     /* most packets held at once */
} wan_dir_stats;

wan_link *wan_link_new(sim_t *sim, const char *name, const wan_link_params *p);
/* End 0 or 1; its MAC is what the other side's neighbour table needs. */
sim_netif *wan_link_end(wan_link *wl, int end);
const uint8_t *wan_link_mac(const wan_link *wl, int end);
void wan_link_set_mac(wan_link *wl, int end, const uint8_t mac[6]);
const wan_dir_stats *wan_link_get_stats(const wan_link *wl, int from);
/* Time on the line of a packet of ip_bytes (framing added). */
sim_time_t wan_link_tx_time(const wan_link *wl, uint32_t ip_bytes);
/*
 * Registers <prefix>.<a>_to_<b>.{frames,bytes,drops,lost,max_queue,
 * utilization} and the other direction; a, b name the ends.
 */
void wan_link_register_stats(wan_link *wl, sim_t *sim, const char *prefix,
			     const char *a, const char *b);
/* "<name>.frames": every packet as it is put on the line (stamped at its
 * last bit), the Ethernet header included: capture with
 * SIM_PCAP_LINKTYPE_RAW and skip WAN_ETH_HDR bytes. */
sim_tracepoint *wan_link_trace(wan_link *wl);
void wan_link_register_trace(wan_link *wl, sim_t *sim);
