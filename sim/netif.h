/*
 * netif.h - where IP (or a driver) meets a network interface.
 *
 * As lwIP's struct netif, the only coupling between the link layer and
 * the layers above is this struct of function pointers.  The link model
 * (models/ethernet) fills the downward half; whoever owns the interface
 * (a host's driver, a test) fills the upward half.  A test can stand in a
 * fake NIC that records frames, and a TCP can run over a fake link.
 *
 * Frames are whole Ethernet frames from the destination address to the
 * end of the payload: no preamble, no padding, no FCS (the MAC adds those
 * on the wire and strips them on receipt, as real NICs do for the host).
 */
#pragma once

#include "pkt.h"

typedef struct sim_netif sim_netif;

struct sim_netif {
	const char *name;
	uint8_t mac[6];
	sim_rate_t rate;   /* link rate in b/s */
	uint32_t mtu;      /* largest IP packet: 1500 on Ethernet */

	/* Downward, provided by the link model. */

	/*
	 * Put a frame on the transmit descriptor ring.  On success the NIC
	 * takes the reference the caller passed and returns TRUE; if the
	 * ring is full it returns FALSE and the caller keeps the frame.
	 */
	gboolean (*output)(sim_netif *nif, sim_pkt *frame);
	/* Free transmit descriptors now. */
	uint32_t (*tx_ring_free)(const sim_netif *nif);
	void *impl;

	/* Upward, provided by the interface's owner (may be NULL). */

	/* A frame for this host was received; the callee owns the reference. */
	void (*input)(void *upper, sim_netif *nif, sim_pkt *frame);
	/*
	 * A frame left the ring (sent, or dropped after 16 collisions:
	 * `sent` says which); a descriptor is free again.  The NIC keeps its
	 * own reference and drops it after the call.
	 */
	void (*tx_done)(void *upper, sim_netif *nif, const sim_pkt *frame,
			gboolean sent);
	void *upper;
};

static inline gboolean
sim_netif_output(sim_netif *nif, sim_pkt *frame)
{
	return nif->output(nif, frame);
}
