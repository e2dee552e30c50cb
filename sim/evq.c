/*
 * evq.c - event queue as an implicit 4-ary min-heap of (time, seq, slot).
 *
 * Design.  Heap entries carry their sort key by value, so sifting touches
 * only the heap array (no pointer chasing); a 4-ary heap halves the depth
 * of a binary one and keeps the four children in one or two cache lines.
 * Callbacks live in a separate slot array that also records each event's
 * heap position, which makes cancel and reschedule O(log n).  Freed slots
 * are reused LIFO (warm in cache) and carry a generation counter so that
 * stale handles are detected.
 *
 * A handle is (generation << 32) | (slot index + 1); 0 is never a handle.
 * A slot is released when its event fires or is cancelled; its handle is
 * then stale and every operation on it is a no-op returning FALSE.
 */
#include "evq.h"

#include <stdlib.h>

#define ARITY 4
#define NOT_QUEUED UINT32_MAX

struct entry {
	sim_time_t t;
	uint64_t seq;
	uint32_t slot;
};

struct slot {
	sim_event_fn fn;
	void *ctx;
	void *arg;
	uint32_t pos;  /* index in heap while pending */
	uint32_t gen;  /* bumped each time the slot is given out */
	uint32_t next_free;
	uint32_t in_use;
};

struct sim_evq {
	struct entry *heap;
	uint32_t n, cap;
	struct slot *slots;
	uint32_t nslots, slots_cap;
	uint32_t free_head; /* NOT_QUEUED if empty */
	uint64_t seq;
};

static inline int
before(const struct entry *a, const struct entry *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

sim_evq *
sim_evq_new(void)
{
	sim_evq *q = g_new0(sim_evq, 1);
	q->cap = 64;
	q->heap = g_new(struct entry, q->cap);
	q->slots_cap = 64;
	q->slots = g_new0(struct slot, q->slots_cap);
	q->free_head = NOT_QUEUED;
	return q;
}

void
sim_evq_free(sim_evq *q)
{
	if (!q)
		return;
	g_free(q->heap);
	g_free(q->slots);
	g_free(q);
}

static inline void
place(sim_evq *q, uint32_t i, struct entry e)
{
	q->heap[i] = e;
	q->slots[e.slot].pos = i;
}

static void
sift_up(sim_evq *q, uint32_t i, struct entry e)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / ARITY;
		if (!before(&e, &q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, e);
}

static void
sift_down(sim_evq *q, uint32_t i, struct entry e)
{
	uint32_t n = q->n;
	for (;;) {
		uint32_t c = i * ARITY + 1;
		if (c >= n)
			break;
		uint32_t best = c;
		uint32_t end = c + ARITY < n ? c + ARITY : n;
		for (uint32_t k = c + 1; k < end; k++)
			if (before(&q->heap[k], &q->heap[best]))
				best = k;
		if (!before(&q->heap[best], &e))
			break;
		place(q, i, q->heap[best]);
		i = best;
	}
	place(q, i, e);
}

static uint32_t
slot_alloc(sim_evq *q)
{
	uint32_t s;
	if (q->free_head != NOT_QUEUED) {
		s = q->free_head;
		q->free_head = q->slots[s].next_free;
	} else {
		if (q->nslots == q->slots_cap) {
			q->slots_cap *= 2;
			q->slots = g_renew(struct slot, q->slots, q->slots_cap);
		}
		s = q->nslots++;
		q->slots[s].gen = 0;
	}
	q->slots[s].gen++;
	q->slots[s].in_use = 1;
	return s;
}

static void
slot_release(sim_evq *q, uint32_t s)
{
	q->slots[s].in_use = 0;
	q->slots[s].pos = NOT_QUEUED;
	q->slots[s].next_free = q->free_head;
	q->free_head = s;
}

static inline sim_handle_t
make_handle(const sim_evq *q, uint32_t s)
{
	return ((sim_handle_t)q->slots[s].gen << 32) | (sim_handle_t)(s + 1);
}

/* The slot named by h, or NULL if h is stale or invalid. */
static inline struct slot *
slot_of(const sim_evq *q, sim_handle_t h, uint32_t *out)
{
	uint32_t idx = (uint32_t)(h & 0xffffffffu);
	if (idx == 0 || idx > q->nslots)
		return NULL;
	struct slot *sl = &q->slots[idx - 1];
	if (!sl->in_use || sl->gen != (uint32_t)(h >> 32))
		return NULL;
	*out = idx - 1;
	return sl;
}

static void
heap_push(sim_evq *q, uint32_t s, sim_time_t t)
{
	if (q->n == q->cap) {
		q->cap *= 2;
		q->heap = g_renew(struct entry, q->heap, q->cap);
	}
	struct entry e = { .t = t, .seq = q->seq++, .slot = s };
	sift_up(q, q->n++, e);
}

static void
heap_remove_at(sim_evq *q, uint32_t i)
{
	struct entry last = q->heap[--q->n];
	if (i == q->n)
		return;
	if (i > 0 && before(&last, &q->heap[(i - 1) / ARITY]))
		sift_up(q, i, last);
	else
		sift_down(q, i, last);
}

sim_handle_t
sim_evq_schedule(sim_evq *q, sim_time_t t, sim_event_fn fn, void *ctx,
		 void *arg)
{
	g_assert(fn != NULL);
	uint32_t s = slot_alloc(q);
	q->slots[s].fn = fn;
	q->slots[s].ctx = ctx;
	q->slots[s].arg = arg;
	heap_push(q, s, t);
	return make_handle(q, s);
}

gboolean
sim_evq_cancel(sim_evq *q, sim_handle_t h)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl || sl->pos == NOT_QUEUED)
		return FALSE;
	heap_remove_at(q, sl->pos);
	slot_release(q, s);
	return TRUE;
}

gboolean
sim_evq_reschedule(sim_evq *q, sim_handle_t h, sim_time_t t)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl)
		return FALSE;
	struct entry e = q->heap[sl->pos];
	e.t = t;
	e.seq = q->seq++;
	uint32_t i = sl->pos;
	/* A new seq is larger than all others, so e can only move down
	 * unless its time moved earlier. */
	if (i > 0 && before(&e, &q->heap[(i - 1) / ARITY]))
		sift_up(q, i, e);
	else
		sift_down(q, i, e);
	return TRUE;
}

gboolean
sim_evq_is_pending(const sim_evq *q, sim_handle_t h)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	return sl && sl->pos != NOT_QUEUED;
}

sim_time_t
sim_evq_time_of(const sim_evq *q, sim_handle_t h)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl || sl->pos == NOT_QUEUED)
		return SIM_TIME_MAX;
	return q->heap[sl->pos].t;
}

size_t
sim_evq_size(const sim_evq *q)
{
	return q->n;
}

sim_time_t
sim_evq_next_time(const sim_evq *q)
{
	return q->n ? q->heap[0].t : SIM_TIME_MAX;
}

gboolean
sim_evq_pop(sim_evq *q, sim_time_t *t, sim_event_fn *fn, void **ctx,
	    void **arg)
{
	if (q->n == 0)
		return FALSE;
	struct entry top = q->heap[0];
	struct entry last = q->heap[--q->n];
	if (q->n > 0)
		sift_down(q, 0, last);
	struct slot *sl = &q->slots[top.slot];
	*t = top.t;
	*fn = sl->fn;
	*ctx = sl->ctx;
	*arg = sl->arg;
	/* Released before the handler runs: its handle is now stale, so a
	 * cancel of it from inside the handler is a harmless no-op. */
	slot_release(q, top.slot);
	return TRUE;
}
