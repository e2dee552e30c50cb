/*
 * evq.c - the event queue: a small heap of the near future in front of a
 * timing wheel and a heap of the far future.
 *
 * Order.  Events are ordered by (time, insertion sequence number).  Every
 * pending event has a 16-byte entry: its time (sign bit flipped, so that
 * unsigned order is signed order) and one 64-bit word holding the sequence
 * number above the slot index.  Sequence numbers are unique, so comparing
 * (time, word) compares (time, seq).  Where an entry is kept never changes
 * the order, so the outputs are the same whatever the structure.
 *
 * Structure.  Time is cut into buckets of 2^BUCKET_SHIFT ns (about 1 ms).
 * `base` is a bucket number: every pending event in bucket base or earlier
 * is in the near heap, a 4-ary min-heap; events of the next WHEEL_SIZE - 1
 * buckets wait unsorted in the wheel, one array per bucket, with a bitmap
 * of the buckets that hold any; later ones wait in the far heap.  The near
 * heap is never empty while anything is pending: when it empties, base
 * moves to the next bucket that holds events, and they move into the near
 * heap (and the far heap's events that came within the wheel's reach move
 * into the wheel).  Each event moves at most twice.
 *
 * Why.  A simulation keeps many long timers pending (every TCP stack's
 * ticks, every domain's periods) while most events are scheduled a few
 * microseconds ahead and run at once.  In one heap each of those short
 * events climbs to the top past all the long ones and the pop that runs it
 * sifts a leaf back down through them: a thousand connections' ticks made
 * the heap ~2,000 deep and cost ~40 ns per event.  Here the long timers
 * wait in the wheel at O(1) (a timer that is re-armed or cancelled before
 * it is due never touches a heap) and the near heap holds only the current
 * millisecond (Varghese & Lauck, "Hashed and hierarchical timing wheels",
 * SOSP 1987; Brown's calendar queue, CACM 1988, for the bucket idea).
 *
 * Handles.  Callbacks live in a slot array that also records where each
 * event's entry is (which structure, which index), which makes cancel and
 * reschedule O(log n) at worst.  Freed slots are reused LIFO (warm in
 * cache) and carry a generation counter so that stale handles are
 * detected.  A handle is (generation << 32) | (slot index + 1); 0 is never
 * a handle.  A slot is released when its event fires or is cancelled; its
 * handle is then stale and every operation on it is a no-op returning
 * FALSE.
 *
 * The same-time lane.  Many events are scheduled for the very instant
 * being simulated (deferred socket upcalls, a transmit queue's space
 * callback, a CPU's kick): about one in six in a bulk transfer.  Such an
 * event would go through the near heap only to come straight out again.
 * Instead, an event scheduled for the time of the last event popped
 * (`cur`) goes to the lane, a FIFO of events that all have one time,
 * lane_t.  Its entries are appended with ever larger sequence numbers,
 * so the FIFO is in (time, seq) order, and its head is its earliest
 * entry; pop compares that head with the near heap's top by (time, seq)
 * and takes the earlier, exactly the event one heap holding both would
 * give.  No rule about which event may go where is needed for that: an
 * event goes to the lane when the lane is empty and it is for `cur`, or
 * when the lane holds events of its time; otherwise it goes where it
 * always did.  (In practice every heap event at lane_t was scheduled
 * before time reached lane_t and so sorts before every lane entry; the
 * comparison does not rely on it.)  A cancelled or moved lane entry is
 * marked dead in place and skipped, so the head is always live; handles
 * work the same wherever the event waits.
 *
 * Sequence numbers have SEQ_BITS bits (10^12 events, a day of wall time at
 * full speed); when they run out the pending events are renumbered in
 * their order, which keeps every order and so every outcome.
 */
#include "evq.h"

#include <stdlib.h>
#include <string.h>

#define ARITY 4
#define SLOT_BITS 24
#define SEQ_BITS (64 - SLOT_BITS)
#define MAX_SLOTS (1u << SLOT_BITS)
#define SLOT_MASK ((uint64_t)MAX_SLOTS - 1)
#define BUCKET_SHIFT 20 /* 1.05 ms */
#define WHEEL_SIZE 1024 /* buckets: the wheel reaches 1.07 s ahead */
#define WHEEL_MASK (WHEEL_SIZE - 1)
#define WORD_BITS 64
#define WHEEL_WORDS (WHEEL_SIZE / WORD_BITS)

struct entry {
	uint64_t t;   /* time, sign bit flipped: unsigned order = signed */
	uint64_t key; /* seq << SLOT_BITS | slot */
};

/* Where a slot's entry is; pos is its index there. */
enum loc { LOC_FREE, LOC_NEAR, LOC_WHEEL, LOC_FAR, LOC_LANE };

/* A lane cell whose event was cancelled or moved: no key is this big
 * (keys are seq << SLOT_BITS | slot with seq < 2^SEQ_BITS). */
#define LANE_DEAD UINT64_MAX

struct slot {
	sim_event_fn fn;
	void *ctx;
	void *arg;
	uint32_t pos;       /* lane: a position, taken modulo the lane's size */
	uint32_t gen;       /* bumped each time the slot is given out */
	uint32_t next_free; /* free list link while LOC_FREE */
	uint16_t loc;
	uint16_t bucket;    /* wheel index while LOC_WHEEL */
};

struct heap {
	struct entry *e;
	uint32_t n, cap;
	uint16_t loc;
};

struct bucket {
	struct entry *e;
	uint32_t n, cap;
};

/* The same-time lane: keys of events at time t, in a ring. */
struct lane {
	uint64_t *key;
	uint32_t head, tail; /* positions; cells [head, tail) modulo cap */
	uint32_t cap;        /* a power of two */
	uint32_t live;       /* cells not LANE_DEAD; the head is live */
	uint64_t t;          /* the lane's time (encoded) while live > 0 */
};

struct sim_evq {
	struct heap near, far;
	struct lane lane;
	uint64_t cur; /* the time of the last event popped (encoded) */
	struct bucket wheel[WHEEL_SIZE];
	uint64_t busy[WHEEL_WORDS]; /* bit set: that bucket holds events */
	uint32_t in_wheel;
	uint64_t base; /* the near heap holds every event of bucket <= base */
	struct slot *slots;
	uint32_t nslots, slots_cap;
	uint32_t free_head; /* UINT32_MAX if none */
	uint64_t seq;
};

static inline uint64_t
enc_time(sim_time_t t)
{
	return (uint64_t)t ^ ((uint64_t)1 << 63);
}

static inline sim_time_t
dec_time(uint64_t u)
{
	return (sim_time_t)(u ^ ((uint64_t)1 << 63));
}

static inline uint64_t
bucket_of(uint64_t t)
{
	return t >> BUCKET_SHIFT;
}


static inline uint32_t
slot_index(const struct entry *e)
{
	return (uint32_t)(e->key & SLOT_MASK);
}

/* ---- the two heaps ---- */

/* The arrays are passed, not q and h: stores through them could alias
 * q->slots and h->e (-fno-strict-aliasing), which were then reloaded at
 * every step of a sift. */
static inline void
place(struct entry *a, struct slot *slots, uint32_t i, uint64_t t,
      uint64_t key)
{
	a[i].t = t;
	a[i].key = key;
	slots[key & SLOT_MASK].pos = i;
}

/* (t, key) before entry b?  Scalars, not a struct by value: the compiler
 * then keeps them in registers (a 16-byte struct went through the stack
 * and stalled on store forwarding). */
static inline int
key_lt(uint64_t t, uint64_t key, const struct entry *b)
{
	return t < b->t || (t == b->t && key < b->key);
}

static inline int
lt(const struct entry *a, const struct entry *b)
{
	return key_lt(a->t, a->key, b);
}

/* Room for one more entry in an array of n. */
static void
reserve(struct entry **e, uint32_t n, uint32_t *cap, uint32_t first)
{
	if (n == *cap) {
		*cap = *cap ? *cap * 2 : first;
		*e = g_renew(struct entry, *e, *cap);
	}
}

static inline void
sift_up(sim_evq *q, struct heap *h, uint32_t i, uint64_t t, uint64_t key)
{
	struct entry *a = h->e;
	struct slot *slots = q->slots;
	while (i > 0) {
		uint32_t parent = (i - 1) / ARITY;
		if (!key_lt(t, key, &a[parent]))
			break;
		place(a, slots, i, a[parent].t, a[parent].key);
		i = parent;
	}
	place(a, slots, i, t, key);
}

/* Move (t, key) down from index i, whose entry is gone.  The best child
 * is kept in registers while the others are compared with it. */
static inline void
sift_down(sim_evq *q, struct heap *h, uint32_t i, uint64_t t, uint64_t key)
{
	struct entry *a = h->e;
	struct slot *slots = q->slots;
	uint32_t n = h->n;
	for (;;) {
		uint32_t c = i * ARITY + 1;
		if (c >= n)
			break;
		uint32_t best = c;
		uint64_t bt = a[c].t, bk = a[c].key;
		uint32_t end = c + ARITY < n ? c + ARITY : n;
		for (uint32_t k = c + 1; k < end; k++)
			if (key_lt(a[k].t, a[k].key, &(struct entry){ bt, bk })) {
				best = k;
				bt = a[k].t;
				bk = a[k].key;
			}
		if (!key_lt(bt, bk, &(struct entry){ t, key }))
			break;
		place(a, slots, i, bt, bk);
		i = best;
	}
	place(a, slots, i, t, key);
}

static void
heap_push(sim_evq *q, struct heap *h, const struct entry *e)
{
	reserve(&h->e, h->n, &h->cap, 64);
	q->slots[slot_index(e)].loc = h->loc;
	sift_up(q, h, h->n++, e->t, e->key);
}

/* Put (t, key) at index i (whose entry is gone) and restore the heap. */
static void
heap_fix(sim_evq *q, struct heap *h, uint32_t i, uint64_t t, uint64_t key)
{
	if (i > 0 && key_lt(t, key, &h->e[(i - 1) / ARITY]))
		sift_up(q, h, i, t, key);
	else
		sift_down(q, h, i, t, key);
}

static void
heap_remove_at(sim_evq *q, struct heap *h, uint32_t i)
{
	uint32_t last = --h->n;
	if (i < last)
		heap_fix(q, h, i, h->e[last].t, h->e[last].key);
}

/* ---- the wheel ---- */

static void
wheel_add(sim_evq *q, uint32_t b, const struct entry *e)
{
	struct bucket *bk = &q->wheel[b];
	reserve(&bk->e, bk->n, &bk->cap, 8);
	struct slot *sl = &q->slots[slot_index(e)];
	sl->loc = LOC_WHEEL;
	sl->bucket = (uint16_t)b;
	sl->pos = bk->n;
	bk->e[bk->n++] = *e;
	q->busy[b / WORD_BITS] |= (uint64_t)1 << (b % WORD_BITS);
	q->in_wheel++;
}

static void
wheel_remove(sim_evq *q, uint32_t b, uint32_t i)
{
	struct bucket *bk = &q->wheel[b];
	if (i != --bk->n) {
		bk->e[i] = bk->e[bk->n];
		q->slots[slot_index(&bk->e[i])].pos = i;
	}
	if (bk->n == 0)
		q->busy[b / WORD_BITS] &= ~((uint64_t)1 << (b % WORD_BITS));
	q->in_wheel--;
}

/*
 * How many buckets after base the first busy one is (1..WHEEL_SIZE - 1);
 * the wheel must not be empty.  Bucket base + d lives at index
 * (base + d) & WHEEL_MASK.
 */
static uint32_t
wheel_next(const sim_evq *q)
{
	uint32_t first = (uint32_t)((q->base + 1) & WHEEL_MASK);
	uint32_t w = first / WORD_BITS, off = first % WORD_BITS;
	uint64_t m = q->busy[w] >> off; /* the rest of the first word */
	if (m)
		return (uint32_t)__builtin_ctzll(m) + 1;
	uint32_t d = WORD_BITS - off; /* distance of the next word's bit 0 */
	for (uint32_t k = 1; k < WHEEL_WORDS; k++, d += WORD_BITS) {
		m = q->busy[(w + k) % WHEEL_WORDS];
		if (m)
			return d + (uint32_t)__builtin_ctzll(m) + 1;
	}
	m = q->busy[w] & (((uint64_t)1 << off) - 1); /* wrapped round */
	g_assert(m != 0);
	return d + (uint32_t)__builtin_ctzll(m) + 1;
}

/* File e where the invariant wants it, given base. */
static void
file_entry(sim_evq *q, const struct entry *e)
{
	uint64_t b = bucket_of(e->t);
	if (b <= q->base)
		heap_push(q, &q->near, e);
	else if (b - q->base < WHEEL_SIZE)
		wheel_add(q, (uint32_t)(b & WHEEL_MASK), e);
	else
		heap_push(q, &q->far, e);
}

/*
 * The near heap is empty: move base to the next bucket holding events and
 * bring them in, with the far events that came within the wheel's reach.
 */
static void
advance(sim_evq *q)
{
	if (q->in_wheel)
		q->base += wheel_next(q);
	else if (q->far.n)
		q->base = bucket_of(q->far.e[0].t);
	else
		return; /* nothing pending */
	uint32_t b = (uint32_t)(q->base & WHEEL_MASK);
	struct bucket *bk = &q->wheel[b];
	for (uint32_t i = 0; i < bk->n; i++)
		heap_push(q, &q->near, &bk->e[i]);
	q->in_wheel -= bk->n;
	bk->n = 0;
	q->busy[b / WORD_BITS] &= ~((uint64_t)1 << (b % WORD_BITS));
	while (q->far.n && bucket_of(q->far.e[0].t) - q->base < WHEEL_SIZE) {
		struct entry e = q->far.e[0];
		heap_remove_at(q, &q->far, 0);
		file_entry(q, &e);
	}
}

/* ---- the same-time lane ---- */

/* Does an event at t (encoded) go to the lane? */
static inline gboolean
lane_takes(const sim_evq *q, uint64_t t)
{
	return q->lane.live ? t == q->lane.t : t == q->cur;
}

static void
lane_grow(sim_evq *q)
{
	struct lane *l = &q->lane;
	uint32_t ncap = l->cap ? l->cap * 2 : 64, n = 0;
	uint64_t *k = g_new(uint64_t, ncap);
	/* Live cells only, renumbered from 0: each slot learns its cell. */
	for (uint32_t p = l->head; p != l->tail; p++) {
		uint64_t key = l->key[p & (l->cap - 1)];
		if (key == LANE_DEAD)
			continue;
		q->slots[key & SLOT_MASK].pos = n;
		k[n++] = key;
	}
	g_free(l->key);
	l->key = k;
	l->cap = ncap;
	l->head = 0;
	l->tail = n;
}

/* Append (t, key), whose slot is sl, to lane l, which has room for it.
 * The pieces are passed, not q: see place(). */
static inline void
lane_append(struct lane *l, struct slot *sl, uint64_t t, uint64_t key)
{
	if (l->live == 0) {
		l->head = l->tail = 0;
		l->t = t;
	}
	sl->loc = LOC_LANE;
	sl->pos = l->tail;
	l->key[l->tail++ & (l->cap - 1)] = key;
	l->live++;
}

static inline void
lane_push(sim_evq *q, const struct entry *e)
{
	struct lane *l = &q->lane;
	/* An empty lane restarts at cell 0 (lane_append). */
	uint32_t used = l->live ? l->tail - l->head : 0;
	if (used == l->cap)
		lane_grow(q);
	lane_append(l, &q->slots[slot_index(e)], e->t, e->key);
}

/* Keep the head live: step over dead cells. */
static inline void
lane_skip_dead(struct lane *l)
{
	while (l->head != l->tail && l->key[l->head & (l->cap - 1)] == LANE_DEAD)
		l->head++;
}

static void
lane_remove(sim_evq *q, uint32_t pos)
{
	struct lane *l = &q->lane;
	l->key[pos & (l->cap - 1)] = LANE_DEAD;
	l->live--;
	if (pos == l->head)
		lane_skip_dead(l);
}

/* ---- slots ---- */

/* Give out sl, the slot at the head of the free list. */
static inline void
slot_take_free(sim_evq *q, struct slot *sl)
{
	q->free_head = sl->next_free;
	sl->gen++;
}

static uint32_t
slot_alloc(sim_evq *q)
{
	uint32_t s = q->free_head;
	if (s != UINT32_MAX) {
		slot_take_free(q, &q->slots[s]);
		return s;
	}
	if (q->nslots == MAX_SLOTS)
		g_error("event queue: more than %u events pending", MAX_SLOTS);
	if (q->nslots == q->slots_cap) {
		q->slots_cap *= 2;
		q->slots = g_renew(struct slot, q->slots, q->slots_cap);
	}
	s = q->nslots++;
	q->slots[s].gen = 1;
	return s;
}

static void
slot_release(sim_evq *q, uint32_t s)
{
	q->slots[s].loc = LOC_FREE;
	q->slots[s].next_free = q->free_head;
	q->free_head = s;
}

static inline sim_handle_t
make_handle(const struct slot *sl, uint32_t s)
{
	return ((sim_handle_t)sl->gen << 32) | (sim_handle_t)(s + 1);
}

/* The pending event named by h, or NULL if h is stale or invalid. */
static inline struct slot *
slot_of(const sim_evq *q, sim_handle_t h, uint32_t *out)
{
	uint32_t idx = (uint32_t)(h & 0xffffffffu);
	if (idx == 0 || idx > q->nslots)
		return NULL;
	struct slot *sl = &q->slots[idx - 1];
	if (sl->loc == LOC_FREE || sl->gen != (uint32_t)(h >> 32))
		return NULL;
	*out = idx - 1;
	return sl;
}

/* Where a pending event's key is (its time: time_of). */
static uint64_t *
key_of(sim_evq *q, const struct slot *sl)
{
	switch (sl->loc) {
	case LOC_NEAR:
		return &q->near.e[sl->pos].key;
	case LOC_FAR:
		return &q->far.e[sl->pos].key;
	case LOC_LANE:
		return &q->lane.key[sl->pos & (q->lane.cap - 1)];
	default:
		return &q->wheel[sl->bucket].e[sl->pos].key;
	}
}

static struct entry *
entry_of(sim_evq *q, const struct slot *sl)
{
	switch (sl->loc) {
	case LOC_NEAR:
		return &q->near.e[sl->pos];
	case LOC_FAR:
		return &q->far.e[sl->pos];
	default:
		return &q->wheel[sl->bucket].e[sl->pos];
	}
}

/* Take the pending event of slot sl out of wherever it is. */
static void
unfile(sim_evq *q, struct slot *sl)
{
	switch (sl->loc) {
	case LOC_NEAR:
		heap_remove_at(q, &q->near, sl->pos);
		break;
	case LOC_FAR:
		heap_remove_at(q, &q->far, sl->pos);
		break;
	case LOC_LANE:
		lane_remove(q, sl->pos);
		break;
	default:
		wheel_remove(q, sl->bucket, sl->pos);
	}
}

/* ---- sequence numbers ---- */

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return lt(x, y) ? -1 : lt(y, x);
}

/*
 * Sequence numbers ran out: renumber the pending events 0..n-1 in their
 * (time, seq) order.  Every structure keeps its order (the mapping is
 * monotone) and events scheduled later still sort after every pending one.
 */
static void
renumber(sim_evq *q)
{
	GArray *all = g_array_new(FALSE, FALSE, sizeof(struct entry));
	g_array_append_vals(all, q->near.e, q->near.n);
	g_array_append_vals(all, q->far.e, q->far.n);
	for (uint32_t b = 0; b < WHEEL_SIZE; b++)
		g_array_append_vals(all, q->wheel[b].e, q->wheel[b].n);
	for (uint32_t p = q->lane.head; p != q->lane.tail; p++) {
		uint64_t key = q->lane.key[p & (q->lane.cap - 1)];
		if (key != LANE_DEAD)
			g_array_append_val(all, ((struct entry){ q->lane.t, key }));
	}
	qsort(all->data, all->len, sizeof(struct entry), cmp_entry);
	for (guint r = 0; r < all->len; r++) {
		uint32_t s = slot_index(&g_array_index(all, struct entry, r));
		*key_of(q, &q->slots[s]) = (uint64_t)r << SLOT_BITS | s;
	}
	q->seq = all->len;
	g_array_free(all, TRUE);
}

static inline struct entry
new_entry(sim_evq *q, sim_time_t t, uint32_t s)
{
	if (G_UNLIKELY(q->seq >> SEQ_BITS))
		renumber(q);
	return (struct entry){ enc_time(t), q->seq++ << SLOT_BITS | s };
}

void
sim_evq_test_set_seq(sim_evq *q, uint64_t seq)
{
	q->seq = seq;
}

/* ---- the API ---- */

sim_evq *
sim_evq_new(void)
{
	sim_evq *q = g_new0(sim_evq, 1);
	q->near.loc = LOC_NEAR;
	q->far.loc = LOC_FAR;
	q->slots_cap = 64;
	q->slots = g_new0(struct slot, q->slots_cap);
	q->free_head = UINT32_MAX;
	q->base = bucket_of(enc_time(0));
	q->cur = enc_time(0);
	return q;
}

void
sim_evq_free(sim_evq *q)
{
	if (!q)
		return;
	g_free(q->near.e);
	g_free(q->far.e);
	g_free(q->lane.key);
	for (uint32_t b = 0; b < WHEEL_SIZE; b++)
		g_free(q->wheel[b].e);
	g_free(q->slots);
	g_free(q);
}

/* sim_evq_schedule in every case (a new slot, sequence numbers run out,
 * a lane or heap to grow, an event beyond the near heap's buckets). */
static G_GNUC_NO_INLINE sim_handle_t
schedule_any(sim_evq *q, sim_time_t t, sim_event_fn fn, void *ctx,
	     void *arg)
{
	uint32_t s = slot_alloc(q);
	struct slot *sl = &q->slots[s];
	sl->fn = fn;
	sl->ctx = ctx;
	sl->arg = arg;
	struct entry e = new_entry(q, t, s);
	if (lane_takes(q, e.t)) {
		lane_push(q, &e);
		return make_handle(sl, s);
	}
	file_entry(q, &e);
	if (q->near.n == 0)
		advance(q);
	return make_handle(sl, s);
}

sim_handle_t
sim_evq_schedule(sim_evq *q, sim_time_t t, sim_event_fn fn, void *ctx,
		 void *arg)
{
	g_assert(fn != NULL);
	uint64_t et = enc_time(t);
	uint32_t s = q->free_head;
	struct lane *l = &q->lane;
	gboolean to_lane = lane_takes(q, et);
	/* The common case is done here with no call, so with no registers
	 * to save: a free slot, a sequence number, and room in the lane or
	 * (an event of the near heap's buckets) in the near heap.  The
	 * rest goes to schedule_any, the same steps in general. */
	if (G_UNLIKELY(s == UINT32_MAX || (q->seq >> SEQ_BITS) != 0 ||
		       (to_lane ? l->tail - l->head == l->cap
				: bucket_of(et) > q->base ||
				  q->near.n == q->near.cap)))
		return schedule_any(q, t, fn, ctx, arg);
	struct slot *sl = &q->slots[s];
	slot_take_free(q, sl);
	sl->fn = fn;
	sl->ctx = ctx;
	sl->arg = arg;
	struct entry e = { et, q->seq++ << SLOT_BITS | s };
	if (to_lane) {
		lane_append(l, sl, e.t, e.key);
	} else {
		/* heap_push without its room check, onto the near heap,
		 * which is then not empty, so no advance. */
		sl->loc = LOC_NEAR;
		sift_up(q, &q->near, q->near.n++, e.t, e.key);
	}
	return make_handle(sl, s);
}

gboolean
sim_evq_cancel(sim_evq *q, sim_handle_t h)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl)
		return FALSE;
	unfile(q, sl);
	slot_release(q, s);
	if (q->near.n == 0)
		advance(q);
	return TRUE;
}

/* Move slot sl's pending event to t (sim_evq_reschedule's work).  Out of
 * line: sim_evq_arm's common case is an event that is no longer pending. */
static G_GNUC_NO_INLINE void
move(sim_evq *q, struct slot *sl, uint32_t s, sim_time_t t)
{
	struct entry e = new_entry(q, t, s);
	if (lane_takes(q, e.t)) {
		unfile(q, sl);
		lane_push(q, &e);
		if (q->near.n == 0)
			advance(q);
		return;
	}
	if (sl->loc == LOC_NEAR && bucket_of(e.t) <= q->base) {
		/* Re-key in place: one sift. */
		heap_fix(q, &q->near, sl->pos, e.t, e.key);
		return;
	}
	unfile(q, sl);
	file_entry(q, &e);
	if (q->near.n == 0)
		advance(q);
}

gboolean
sim_evq_reschedule(sim_evq *q, sim_handle_t h, sim_time_t t)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl)
		return FALSE;
	move(q, sl, s, t);
	return TRUE;
}

sim_handle_t
sim_evq_arm(sim_evq *q, sim_handle_t h, sim_time_t t, sim_event_fn fn,
	    void *ctx, void *arg)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl)
		return sim_evq_schedule(q, t, fn, ctx, arg);
	move(q, sl, s, t);
	return h;
}

gboolean
sim_evq_is_pending(const sim_evq *q, sim_handle_t h)
{
	uint32_t s;
	return slot_of(q, h, &s) != NULL;
}

sim_time_t
sim_evq_time_of(const sim_evq *q, sim_handle_t h)
{
	uint32_t s;
	struct slot *sl = slot_of(q, h, &s);
	if (!sl)
		return SIM_TIME_MAX;
	if (sl->loc == LOC_LANE)
		return dec_time(q->lane.t);
	return dec_time(entry_of((sim_evq *)q, sl)->t);
}

size_t
sim_evq_size(const sim_evq *q)
{
	return (size_t)q->near.n + q->in_wheel + q->far.n + q->lane.live;
}

sim_time_t
sim_evq_next_time(const sim_evq *q)
{
	uint64_t t = q->near.n ? q->near.e[0].t : UINT64_MAX;
	if (q->lane.live && q->lane.t < t)
		t = q->lane.t;
	return t == UINT64_MAX ? SIM_TIME_MAX : dec_time(t);
}

gboolean
sim_evq_advance(sim_evq *q, sim_time_t t)
{
	uint64_t et = enc_time(t);
	/* Not before the earliest pending event (sim_evq_next_time's test,
	 * without its SIM_TIME_MAX for an empty queue)? */
	if ((q->near.n && et >= q->near.e[0].t) ||
	    (q->lane.live && et >= q->lane.t))
		return FALSE;
	/* Every pending event is later than t, so the lane (at the time
	 * of the last pop, or later) is empty. */
	g_assert(q->lane.live == 0 && et >= q->cur);
	q->cur = et;
	return TRUE;
}

gboolean
sim_evq_pop(sim_evq *q, sim_time_t *t, sim_event_fn *fn, void **ctx,
	    void **arg)
{
	return sim_evq_pop_until(q, SIM_TIME_MAX, t, fn, ctx, arg);
}

gboolean
sim_evq_pop_until(sim_evq *q, sim_time_t until, sim_time_t *t,
		  sim_event_fn *fn, void **ctx, void **arg)
{
	struct entry top;
	struct lane *l = &q->lane;
	if (l->live && (q->near.n == 0 ||
			!lt(&q->near.e[0], &(struct entry){ l->t, l->key[l->head & (l->cap - 1)] }))) {
		/* The lane's head is the earliest event. */
		if (l->t > enc_time(until))
			return FALSE;
		top.t = l->t;
		top.key = l->key[l->head++ & (l->cap - 1)];
		l->live--;
		lane_skip_dead(l);
	} else {
		if (q->near.n == 0 || q->near.e[0].t > enc_time(until))
			return FALSE;
		top = q->near.e[0];
		/* heap_remove_at(0) without its sift-up test: the root has
		 * no parent. */
		uint32_t last = --q->near.n;
		if (last)
			sift_down(q, &q->near, 0, q->near.e[last].t,
				  q->near.e[last].key);
		else
			advance(q);
	}
	q->cur = top.t;
	uint32_t s = slot_index(&top);
	struct slot *sl = &q->slots[s];
	*t = dec_time(top.t);
	*fn = sl->fn;
	*ctx = sl->ctx;
	*arg = sl->arg;
	/* Released before the handler runs: its handle is now stale, so a
	 * cancel of it from inside the handler is a harmless no-op. */
	slot_release(q, s);
	return TRUE;
}
