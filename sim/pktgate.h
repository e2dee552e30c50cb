/*
 * pktgate.h - release packets in the order they were made.
 *
 * A host charges the CPU cost of sending a segment after TCP has built
 * it, on whichever thread built it; two threads (a receiver thread
 * sending on an ACK, the application thread sending on a write) can
 * finish those costs in the other order.  Real code pushes each packet
 * to the interface at the end of the call that built it, so per
 * interface queue the order of building is kept.  A gate keeps it here:
 * a packet enters the gate when built, is marked done when its cost has
 * been spent, and leaves (in build order) once every packet built before
 * it has left.
 */
#pragma once

#include "pkt.h"

typedef struct sim_pktgate_entry sim_pktgate_entry;

typedef struct sim_pktgate {
	/* In build order, linked through ->next; left entries are kept on
	 * a free list for the next packets (one per packet otherwise). */
	sim_pktgate_entry *head, *tail, *free;
} sim_pktgate;

void sim_pktgate_init(sim_pktgate *g);
/* Drop every packet still in the gate. */
void sim_pktgate_clear(sim_pktgate *g);
/* A packet was built: returns its place in the gate. */
sim_pktgate_entry *sim_pktgate_enter(sim_pktgate *g, sim_pkt *p);
/* Its cost is spent: release it and every done packet behind it. */
void sim_pktgate_done(sim_pktgate *g, sim_pktgate_entry *e,
		      void (*release)(void *ctx, sim_pkt *p), void *ctx);
