/*
 * pktgate.c - in-order release of packets whose costs finish out of order.
 */
#include "pktgate.h"

struct sim_pktgate_entry {
	sim_pkt *p;
	gboolean done;
};

void
sim_pktgate_init(sim_pktgate *g)
{
	g_queue_init(&g->q);
}

void
sim_pktgate_clear(sim_pktgate *g)
{
	sim_pktgate_entry *e;
	while ((e = g_queue_pop_head(&g->q)) != NULL) {
		sim_pkt_unref(e->p);
		g_free(e);
	}
}

sim_pktgate_entry *
sim_pktgate_enter(sim_pktgate *g, sim_pkt *p)
{
	sim_pktgate_entry *e = g_new(sim_pktgate_entry, 1);
	e->p = p;
	e->done = FALSE;
	g_queue_push_tail(&g->q, e);
	return e;
}

void
sim_pktgate_done(sim_pktgate *g, sim_pktgate_entry *e,
		 void (*release)(void *ctx, sim_pkt *p), void *ctx)
{
	e->done = TRUE;
	sim_pktgate_entry *h;
	while ((h = g_queue_peek_head(&g->q)) != NULL && h->done) {
		g_queue_pop_head(&g->q);
		sim_pkt *p = h->p;
		g_free(h);
		release(ctx, p);
	}
}
