/*
 * pkt.c - packet and buffer allocation with free lists.
 *
 * nemsim runs one simulation per process, single-threaded, so the free
 * lists are plain globals.  Packets, and buffers of up to POOL_BUF_SIZE
 * bytes (a whole Ethernet frame), come from blocks that are never given
 * back: a run that ends with frames on the wire or in a queue leaves them
 * reachable from the pool instead of leaked.  Larger buffers come from
 * malloc.  sim_pkt_live() and sim_buf_live() count what is out of the
 * pool, so tests can check that a model returns what it takes.
 */
#include "pkt.h"

#include <string.h>

#define POOL_BUF_SIZE 2048

#define BLOCK 64

static sim_pkt *pkt_free_list;
static sim_buf *buf_free_list; /* linked through ->owner */
static uint64_t pkts_live, bufs_live, next_pkt_id = 1;
static GPtrArray *blocks;      /* every block, kept for the process */

static void *
block_new(size_t size)
{
	if (!blocks)
		blocks = g_ptr_array_new();
	void *b = g_malloc(size);
	g_ptr_array_add(blocks, b);
	return b;
}

static void
refill_pkts(void)
{
	sim_pkt *b = block_new(BLOCK * sizeof(sim_pkt));
	for (int i = 0; i < BLOCK; i++) {
		b[i].next = pkt_free_list;
		pkt_free_list = &b[i];
	}
}

static void
refill_bufs(void)
{
	size_t one = sizeof(sim_buf) + POOL_BUF_SIZE;
	uint8_t *b = block_new(BLOCK * one);
	for (int i = 0; i < BLOCK; i++) {
		sim_buf *x = (sim_buf *)(b + i * one);
		x->data = (uint8_t *)(x + 1);
		x->owner = buf_free_list;
		buf_free_list = x;
	}
}

uint64_t
sim_pkt_live(void)
{
	return pkts_live;
}

uint64_t
sim_buf_live(void)
{
	return bufs_live;
}

sim_buf *
sim_buf_new(uint32_t size)
{
	sim_buf *b;
	if (size <= POOL_BUF_SIZE) {
		if (!buf_free_list)
			refill_bufs();
		b = buf_free_list;
		buf_free_list = b->owner;
	} else {
		b = g_malloc(sizeof *b + size);
		b->data = (uint8_t *)(b + 1);
	}
	b->refs = 1;
	b->size = size;
	b->release = NULL;
	b->owner = NULL;
	b->wsum = NULL;
	bufs_live++;
	return b;
}

sim_buf *
sim_buf_wrap(uint8_t *data, uint32_t size,
	     void (*release)(sim_buf *b, void *owner), void *owner)
{
	g_assert(release != NULL); /* pooled buffers are told apart by it */
	sim_buf *b = g_new(sim_buf, 1);
	b->refs = 1;
	b->size = size;
	b->data = data;
	b->release = release;
	b->owner = owner;
	b->wsum = NULL;
	bufs_live++;
	return b;
}

void
sim_buf_freeze(sim_buf *b)
{
	g_assert(b->wsum == NULL);
	uint32_t words = b->size / 2;
	b->wsum = g_new(uint64_t, words + 1);
	uint64_t s = 0;
	b->wsum[0] = 0;
	for (uint32_t k = 0; k < words; k++) {
		s += (uint32_t)b->data[2 * k] << 8 | b->data[2 * k + 1];
		b->wsum[k + 1] = s;
	}
}

sim_buf *
sim_buf_ref(sim_buf *b)
{
	b->refs++;
	return b;
}

void
sim_buf_unref(sim_buf *b)
{
	g_assert(b->refs > 0);
	if (--b->refs > 0)
		return;
	bufs_live--;
	if (b->wsum) {
		g_free(b->wsum);
		b->wsum = NULL;
	}
	if (b->release) {
		b->release(b, b->owner);
		g_free(b);
	} else if (b->size <= POOL_BUF_SIZE) {
		b->owner = buf_free_list;
		buf_free_list = b;
	} else {
		g_free(b);
	}
}

sim_pkt *
sim_pkt_new(void)
{
	if (!pkt_free_list)
		refill_pkts();
	sim_pkt *p = pkt_free_list;
	pkt_free_list = p->next;
	p->refs = 1;
	p->head = SIM_PKT_HDR_ROOM;
	p->nrec = 0;
	p->flags = 0;
	p->payload_len = 0;
	p->id = next_pkt_id++;
	p->stamp = 0;
	p->meta = NULL;
	p->next = NULL;
	pkts_live++;
	return p;
}

sim_pkt *
sim_pkt_ref(sim_pkt *p)
{
	p->refs++;
	return p;
}

void
sim_pkt_unref(sim_pkt *p)
{
	if (!p)
		return;
	g_assert(p->refs > 0);
	if (--p->refs > 0)
		return;
	for (int i = 0; i < p->nrec; i++)
		sim_buf_unref(p->rec[i].buf);
	pkts_live--;
	p->next = pkt_free_list;
	pkt_free_list = p;
}

sim_pkt *
sim_pkt_clone(const sim_pkt *p)
{
	sim_pkt *c = sim_pkt_new();
	uint64_t id = c->id;
	c->head = p->head;
	memcpy(c->hdr + c->head, p->hdr + p->head, sim_pkt_hdr_len(p));
	c->nrec = p->nrec;
	c->payload_len = p->payload_len;
	for (int i = 0; i < p->nrec; i++) {
		c->rec[i] = p->rec[i];
		sim_buf_ref(c->rec[i].buf);
	}
	c->flags = p->flags;
	c->stamp = p->stamp;
	c->id = id;
	return c;
}

uint8_t *
sim_pkt_push(sim_pkt *p, uint32_t n)
{
	g_assert(n <= p->head);
	p->head -= n;
	return p->hdr + p->head;
}

void
sim_pkt_pull(sim_pkt *p, uint32_t n)
{
	g_assert(n <= sim_pkt_len(p));
	uint32_t h = sim_pkt_hdr_len(p);
	uint32_t from_hdr = n < h ? n : h;
	p->head += from_hdr;
	n -= from_hdr;
	while (n > 0) {
		sim_rec *r = &p->rec[0];
		if (n < r->len) {
			r->off += n;
			r->len -= n;
			p->payload_len -= n;
			return;
		}
		n -= r->len;
		p->payload_len -= r->len;
		sim_buf_unref(r->buf);
		memmove(&p->rec[0], &p->rec[1], (p->nrec - 1) * sizeof(sim_rec));
		p->nrec--;
	}
}

gboolean
sim_pkt_pullup(sim_pkt *p, uint32_t n)
{
	uint32_t h = sim_pkt_hdr_len(p);
	if (n <= h)
		return TRUE;
	if (n > sim_pkt_len(p) || n > SIM_PKT_HDR_ROOM)
		return FALSE;
	/* Slide the header down to make room after it (in place: no
	 * bounce through a copy), then pull the payload's bytes in. */
	uint32_t take = n - h;
	uint8_t *dst = p->hdr + SIM_PKT_HDR_ROOM - n;
	memmove(dst, p->hdr + p->head, h);
	p->head = SIM_PKT_HDR_ROOM; /* header empty: bytes 0.. are payload */
	sim_pkt_copy_out(p, 0, take, dst + h);
	sim_pkt_pull(p, take);
	p->head = SIM_PKT_HDR_ROOM - n;
	return TRUE;
}

void
sim_pkt_append_ref(sim_pkt *p, sim_buf *buf, uint32_t off, uint32_t len)
{
	g_assert(p->nrec < SIM_PKT_MAX_REC);
	g_assert((uint64_t)off + len <= buf->size);
	p->rec[p->nrec].buf = sim_buf_ref(buf);
	p->rec[p->nrec].off = off;
	p->rec[p->nrec].len = len;
	p->nrec++;
	p->payload_len += len;
}

void
sim_pkt_append_copy(sim_pkt *p, const void *data, uint32_t len)
{
	sim_buf *b = sim_buf_new(len);
	memcpy(b->data, data, len);
	sim_pkt_append_ref(p, b, 0, len);
	sim_buf_unref(b);
}

static void
copy_piece(void *ctx, const sim_buf *buf, uint32_t buf_off,
	   const uint8_t *bytes, uint32_t n)
{
	uint8_t **d = ctx;
	memcpy(*d, bytes, n);
	*d += n;
}

void
sim_pkt_copy_out(const sim_pkt *p, uint32_t off, uint32_t len, void *dst)
{
	g_assert((uint64_t)off + len <= sim_pkt_len(p));
	/* Most copies are of header bytes (a filter's look at the
	 * headers, a destination address): one memcpy. */
	if (off + len <= sim_pkt_hdr_len(p)) {
		memcpy(dst, p->hdr + p->head + off, len);
		return;
	}
	uint8_t *d = dst;
	sim_pkt_foreach_piece(p, off, len, copy_piece, &d);
}
