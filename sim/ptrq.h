/*
 * ptrq.h - a FIFO of pointers in a ring that grows: what a GQueue is used
 * for on the hot path (a host's IP input queue, the frames on a card,
 * the packets waiting at a gate) without a list node allocated and freed
 * per element.  Zero-initialised is empty; sim_ptrq_clear frees the ring.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

typedef struct sim_ptrq {
	void **v;
	uint32_t head, n, cap; /* cap: 0 or a power of two */
} sim_ptrq;

static inline void
sim_ptrq_init(sim_ptrq *q)
{
	q->v = NULL;
	q->head = q->n = q->cap = 0;
}

static inline void
sim_ptrq_clear(sim_ptrq *q)
{
	g_free(q->v);
	sim_ptrq_init(q);
}

static inline guint
sim_ptrq_len(const sim_ptrq *q)
{
	return q->n;
}

void sim_ptrq_grow(sim_ptrq *q);

static inline void
sim_ptrq_push_tail(sim_ptrq *q, void *p)
{
	if (q->n == q->cap)
		sim_ptrq_grow(q);
	q->v[(q->head + q->n++) & (q->cap - 1)] = p;
}

/* The oldest element, or NULL if empty. */
static inline void *
sim_ptrq_peek_head(const sim_ptrq *q)
{
	return q->n ? q->v[q->head] : NULL;
}

static inline void *
sim_ptrq_pop_head(sim_ptrq *q)
{
	if (!q->n)
		return NULL;
	void *p = q->v[q->head];
	q->head = (q->head + 1) & (q->cap - 1);
	q->n--;
	return p;
}
