/*
 * atropos_core.c - EDF queues, refill with debt, slack ring, admission sum:
 * the mechanism shared by the CPU (cpu_atropos.c) and transmit
 * (tx_atropos) schedulers.  See atropos_core.h for which rule belongs to
 * which side.
 *
 * The queues are binary heaps of (key, seq, client) entries; each client
 * remembers its index so it can be removed or re-keyed in O(log n).
 * Ordering is by (key, seq); seq grows with every insertion for FIFO ties
 * and shrinks for newest-first ties, so the heap's comparison is the same
 * for both.
 */
#include "atropos_core.h"

#include <string.h>

gboolean
atropos_qos_check(const atropos_qos *q, const char *what, GError **error)
{
	if (q->p <= 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: period must be positive", what);
		return FALSE;
	}
	if (q->s < 0 || q->s > q->p) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: slice must be between 0 and the period "
			    "(slice %" G_GINT64_FORMAT
			    " ns, period %" G_GINT64_FORMAT " ns)",
			    what, (gint64)q->s, (gint64)q->p);
		return FALSE;
	}
	if (q->l < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: latency hint must not be negative", what);
		return FALSE;
	}
	return TRUE;
}

/* ---- heaps ---- */

static inline gboolean
before(const atropos_qent *a, const atropos_qent *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return a->seq < b->seq;
}

static inline void
put(atropos_queue *q, guint i, atropos_qent e)
{
	q->v[i] = e;
	e.c->qidx = i;
}

static void
sift_up(atropos_queue *q, guint i)
{
	atropos_qent e = q->v[i];

	while (i > 0) {
		guint parent = (i - 1) / 2;

		if (!before(&e, &q->v[parent]))
			break;
		put(q, i, q->v[parent]);
		i = parent;
	}
	put(q, i, e);
}

static void
sift_down(atropos_queue *q, guint i)
{
	atropos_qent e = q->v[i];

	for (;;) {
		guint l = 2 * i + 1, best;

		if (l >= q->n)
			break;
		best = l;
		if (q->heap_ties) {
			/* The kernel's pqueue: the right child when the two
			 * are equal, and on down past an equal child. */
			if (l + 1 < q->n && !before(&q->v[l], &q->v[l + 1]))
				best = l + 1;
			if (before(&e, &q->v[best]))
				break;
		} else {
			if (l + 1 < q->n && before(&q->v[l + 1], &q->v[l]))
				best = l + 1;
			if (!before(&q->v[best], &e))
				break;
		}
		put(q, i, q->v[best]);
		i = best;
	}
	put(q, i, e);
}

/* Restore the heap at i after its entry changed or was replaced. */
static void
sift(atropos_queue *q, guint i)
{
	if (i > 0 && before(&q->v[i], &q->v[(i - 1) / 2]))
		sift_up(q, i);
	else
		sift_down(q, i);
}

void
atropos_queue_init(atropos_queue *q, atropos_qstate tag)
{
	memset(q, 0, sizeof(*q));
	q->tag = tag;
}

void
atropos_queue_clear(atropos_queue *q)
{
	g_free(q->v);
	q->v = NULL;
	q->n = q->cap = 0;
}

/* ---- the ring's wait bitmap ---- */

static inline void
waitbit_set(atropos_sched *s, guint i, gboolean on)
{
	guint64 m = G_GUINT64_CONSTANT(1) << (i % 64);

	if (on)
		s->waitbits[i / 64] |= m;
	else
		s->waitbits[i / 64] &= ~m;
}

/* Room for the ring's bits, and every bit recomputed (ring changed). */
static void
waitbits_rebuild(atropos_sched *s)
{
	guint words = (s->ring->len + 63) / 64;

	if (words > s->waitwords) {
		s->waitbits = g_renew(guint64, s->waitbits, words);
		s->waitwords = words;
	}
	memset(s->waitbits, 0, s->waitwords * sizeof(guint64));
	for (guint i = 0; i < s->ring->len; i++) {
		atropos_client *c = s->ring->pdata[i];
		if (c->q == &s->wait)
			waitbit_set(s, i, TRUE);
	}
}

/* The sequence number of an insertion now: later ones sort after (FIFO)
 * or before (newest first) the earlier ones with the same key. */
static inline uint64_t
next_seq(atropos_sched *s)
{
	++s->seq;
	switch (s->ties) {
	case ATROPOS_TIES_NEWEST:
		return G_MAXUINT64 - s->seq;
	case ATROPOS_TIES_HEAP:
		return 0; /* only the keys and the layout decide */
	case ATROPOS_TIES_FIFO:
		break;
	}
	return s->seq;
}

void
atropos_queue_set_ties(atropos_queue *q, atropos_ties ties)
{
	g_assert(q->n == 0);
	q->heap_ties = ties == ATROPOS_TIES_HEAP;
}

void
atropos_sched_set_ties(atropos_sched *s, atropos_ties ties)
{
	s->ties = ties;
	atropos_queue_set_ties(&s->run, ties);
	atropos_queue_set_ties(&s->wait, ties);
}

void
atropos_enqueue(atropos_sched *s, atropos_queue *q, atropos_client *c,
		sim_time_t key)
{
	g_assert(c->q == NULL);
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 8;
		q->v = g_renew(atropos_qent, q->v, q->cap);
	}
	c->key = key;
	c->seq = next_seq(s);
	c->q = q;
	c->qstate = q->tag;
	guint i = q->n++;
	put(q, i, (atropos_qent){ c->key, c->seq, c });
	sift_up(q, i);
	if (q == &s->wait && c->ring_idx != G_MAXUINT)
		waitbit_set(s, c->ring_idx, TRUE);
}

void
atropos_remove(atropos_sched *s, atropos_client *c)
{
	atropos_queue *q = c->q;
	guint i;

	if (q == NULL)
		return;
	if (q == &s->wait && c->ring_idx != G_MAXUINT)
		waitbit_set(s, c->ring_idx, FALSE);
	i = c->qidx;
	g_assert(i < q->n && q->v[i].c == c);
	q->n--;
	if (i != q->n) {
		put(q, i, q->v[q->n]);
		sift(q, i);
	}
	c->q = NULL;
	c->qstate = ATROPOS_Q_NONE;
}

/* In place: the same (key, seq) order as leaving the queue and joining
 * it again, with one sift instead of two. */
void
atropos_requeue_key(atropos_sched *s, atropos_client *c, sim_time_t key)
{
	atropos_queue *q = c->q;
	guint i = c->qidx;

	g_assert(q != NULL);
	c->key = key;
	c->seq = next_seq(s);
	q->v[i].key = key;
	q->v[i].seq = c->seq;
	sift(q, i);
}

void
atropos_enqueue_by_remain(atropos_sched *s, atropos_client *c)
{
	atropos_enqueue(s, c->r > 0 ? &s->run : &s->wait, c, c->d);
}

/* ---- scheduler state ---- */

void
atropos_sched_init(atropos_sched *s)
{
	memset(s, 0, sizeof(*s));
	atropos_queue_init(&s->run, ATROPOS_Q_RUN);
	atropos_queue_init(&s->wait, ATROPOS_Q_WAIT);
	s->ring = g_ptr_array_new();
}

void
atropos_sched_clear(atropos_sched *s)
{
	atropos_queue_clear(&s->run);
	atropos_queue_clear(&s->wait);
	if (s->ring)
		g_ptr_array_free(s->ring, TRUE);
	s->ring = NULL;
	g_free(s->waitbits);
	s->waitbits = NULL;
	s->waitwords = 0;
}

void
atropos_client_init(atropos_sched *s, atropos_client *c, const atropos_qos *q,
		    void *owner)
{
	memset(c, 0, sizeof(*c));
	c->qos = *q;
	c->owner = owner;
	c->ring_idx = G_MAXUINT;
	if (q->x) {
		c->ring_idx = s->ring->len;
		g_ptr_array_add(s->ring, c);
		if ((s->ring->len + 63) / 64 > s->waitwords) {
			/* The others keep their bits; c is in no queue.
			 * Room for twice as many (a rebuild every 64
			 * clients was quadratic in set-up). */
			guint words = 2 * s->waitwords + 1;
			s->waitbits = g_renew(guint64, s->waitbits, words);
			memset(s->waitbits + s->waitwords, 0,
			       (words - s->waitwords) * sizeof(guint64));
			s->waitwords = words;
		}
	}
}

void
atropos_client_fini(atropos_sched *s, atropos_client *c)
{
	atropos_remove(s, c);
	if (c->ring_idx != G_MAXUINT) {
		/* Keep the ring order of the others: remove in place. */
		g_ptr_array_remove_index(s->ring, c->ring_idx);
		for (guint i = c->ring_idx; i < s->ring->len; i++)
			((atropos_client *)s->ring->pdata[i])->ring_idx = i;
		if (s->ring_next > c->ring_idx)
			s->ring_next--;
		c->ring_idx = G_MAXUINT;
		waitbits_rebuild(s);
	}
}

gboolean
atropos_charge(atropos_sched *s, atropos_client *c, sim_time_t used)
{
	g_assert(used >= 0);
	c->r -= used;
	if (c->r <= 0 && c->qstate == ATROPOS_Q_RUN) {
		atropos_remove(s, c);
		atropos_enqueue(s, &s->wait, c, c->d);
		return TRUE;
	}
	return FALSE;
}

guint
atropos_refill(atropos_sched *s, sim_time_t now, atropos_refill_rule rule,
	       atropos_queue *extra, atropos_refill_fn fn, void *ctx)
{
	guint n = 0;

	for (;;) {
		atropos_client *w = atropos_queue_head(&s->wait);
		atropos_client *e = extra ? atropos_queue_head(extra) : NULL;
		atropos_client *c;

		/* Merge the two queues in deadline order. */
		if (w && w->key <= now &&
		    (!e || e->key > now ||
		     !before(&extra->v[0], &s->wait.v[0])))
			c = w;
		else if (e && e->key <= now)
			c = e;
		else
			break;

		if (fn)
			fn(ctx, c, now);
		switch (rule) {
		case ATROPOS_REFILL_DROP_LEFTOVER:
			c->r = c->r > 0 ? c->qos.s : c->r + c->qos.s;
			break;
		case ATROPOS_REFILL_ADD:
			c->r += c->qos.s;
			break;
		}
		c->d += c->qos.p;
		c->refills++;
		n++;
		if (c->q == &s->wait && c->r <= 0 &&
		    s->ties != ATROPOS_TIES_HEAP) {
			atropos_requeue_key(s, c, c->d); /* back on wait */
		} else {
			/* (The kernel takes the head off and inserts it
			 * again, which lays the heap out differently.) */
			atropos_remove(s, c);
			atropos_enqueue_by_remain(s, c);
		}
	}
	return n;
}

sim_time_t
atropos_next_refill(const atropos_sched *s, const atropos_queue *extra)
{
	sim_time_t t = SIM_TIME_MAX;
	const atropos_client *c = atropos_queue_head(&s->wait);

	if (c)
		t = c->key;
	if (extra && (c = atropos_queue_head(extra)) && c->key < t)
		t = c->key;
	return t;
}

/* The first ring client in [from, to) on the wait queue that fn accepts. */
static atropos_client *
pick_in(atropos_sched *s, guint from, guint to, atropos_eligible_fn fn,
	void *ctx)
{
	guint i = from;

	while (i < to) {
		guint w = i / 64;
		guint64 bits = s->waitbits[w] >> (i % 64);

		if (!bits) {
			i = (w + 1) * 64;
			continue;
		}
		i += (guint)__builtin_ctzll(bits);
		if (i >= to)
			break;
		atropos_client *c = s->ring->pdata[i];
		if (fn(ctx, c)) {
			s->ring_next = (i + 1) % s->ring->len;
			return c;
		}
		i++;
	}
	return NULL;
}

atropos_client *
atropos_slack_pick(atropos_sched *s, atropos_eligible_fn fn, void *ctx)
{
	guint n = s->ring->len;
	atropos_client *c;

	if (n == 0)
		return NULL;
	if ((c = pick_in(s, s->ring_next, n, fn, ctx)))
		return c;
	return pick_in(s, 0, MIN(s->ring_next, n), fn, ctx);
}

atropos_client *
atropos_slack_pick_heap(atropos_sched *s, atropos_eligible_fn fn, void *ctx)
{
	guint n = s->wait.n;

	for (guint i = 0; i < n; i++) {
		if (++s->cursor > n)
			s->cursor = 1;
		atropos_client *c = s->wait.v[s->cursor - 1].c;
		if (fn(ctx, c))
			return c;
	}
	return NULL;
}

/* ---- admission ---- */

void
atropos_util_init(atropos_util *u)
{
	u->num = 0;
	u->den = 1;
	u->approx = 0.0;
	u->exact = TRUE;
}

static __int128
gcd128(__int128 a, __int128 b)
{
	while (b) {
		__int128 t = a % b;
		a = b;
		b = t;
	}
	return a < 0 ? -a : a;
}

void
atropos_util_add(atropos_util *u, const atropos_qos *q)
{
	u->approx += (double)q->s / (double)q->p;
	if (!u->exact || q->s == 0)
		return;
	/* num/den + s/p, reduced; periods are < 2^63 so the products of
	 * two reduced terms fit in 128 bits unless many unrelated periods
	 * pile up, in which case the double is good enough. */
	__int128 g = gcd128(u->den, q->p);
	__int128 lcm_part = q->p / g;
	const __int128 lim = (__int128)1 << 100;

	if (u->den > lim / lcm_part || u->num > lim / lcm_part) {
		u->exact = FALSE;
		return;
	}
	__int128 den = u->den * lcm_part;
	__int128 num = u->num * lcm_part + (__int128)q->s * (u->den / g);
	__int128 r = gcd128(num, den);

	if (r > 1) {
		num /= r;
		den /= r;
	}
	u->num = num;
	u->den = den;
}

gboolean
atropos_util_exceeds_one(const atropos_util *u)
{
	if (u->exact)
		return u->num > u->den;
	return u->approx > 1.0 + 1e-12;
}

double
atropos_util_value(const atropos_util *u)
{
	return u->approx;
}
