/*
 * ptrq.c - the ring's growth (the rest is inline in ptrq.h).
 */
#include "ptrq.h"

void
sim_ptrq_grow(sim_ptrq *q)
{
	uint32_t cap = q->cap ? q->cap * 2 : 8;
	void **v = g_new(void *, cap);
	for (uint32_t i = 0; i < q->n; i++)
		v[i] = q->v[(q->head + i) & (q->cap - 1)];
	g_free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = 0;
}
