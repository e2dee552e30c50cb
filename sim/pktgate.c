/*
 * pktgate.c - in-order release of packets whose costs finish out of order.
 */
#include "pktgate.h"

struct sim_pktgate_entry {
	sim_pkt *p;
	gboolean done;
	sim_pktgate_entry *next;
};

void
sim_pktgate_init(sim_pktgate *g)
{
	g->head = g->tail = g->free = NULL;
}

void
sim_pktgate_clear(sim_pktgate *g)
{
	sim_pktgate_entry *e;
	while ((e = g->head) != NULL) {
		g->head = e->next;
		sim_pkt_unref(e->p);
		g_free(e);
	}
	g->tail = NULL;
	while ((e = g->free) != NULL) {
		g->free = e->next;
		g_free(e);
	}
}

sim_pktgate_entry *
sim_pktgate_enter(sim_pktgate *g, sim_pkt *p)
{
	sim_pktgate_entry *e = g->free;
	if (e)
		g->free = e->next;
	else
		e = g_new(sim_pktgate_entry, 1);
	e->p = p;
	e->done = FALSE;
	e->next = NULL;
	if (g->tail)
		g->tail->next = e;
	else
		g->head = e;
	g->tail = e;
	return e;
}

void
sim_pktgate_done(sim_pktgate *g, sim_pktgate_entry *e,
		 void (*release)(void *ctx, sim_pkt *p), void *ctx)
{
	e->done = TRUE;
	sim_pktgate_entry *h;
	while ((h = g->head) != NULL && h->done) {
		g->head = h->next;
		if (!g->head)
			g->tail = NULL;
		sim_pkt *p = h->p;
		h->next = g->free;
		g->free = h;
		release(ctx, p);
	}
}
