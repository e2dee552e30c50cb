/*
 * pkt.h - packets with real header bytes and zero-copy payload records.
 *
 * A packet is laid out like a Nemesis iorec: a header area, into which
 * protocol layers prepend their real header bytes (Ethernet, IPv4, TCP)
 * from the back towards the front, followed by up to SIM_PKT_MAX_REC
 * payload records.  A record references bytes of a reference-counted
 * buffer (a sim_buf, standing for an Rbuf data area) without copying
 * them, so the application's payload can sit in one place while TCP keeps
 * it for retransmission and the NIC sends it.
 *
 * Packets are reference counted too: a hub hands the same frame to every
 * port.  A holder that wants to change a shared packet clones it first
 * (header bytes copied, payload records shared).  Packets and small
 * buffers come from free lists, so the per-packet path does not call
 * malloc in steady state.
 */
#pragma once

#include "simtime.h"

#define SIM_PKT_HDR_ROOM 128 /* Ethernet 14 + IPv4 60 + TCP 60 fits */
#define SIM_PKT_MAX_REC 3

typedef struct sim_buf {
	uint32_t refs;
	uint32_t size;
	uint8_t *data;
	/* Called when the last reference goes (NULL: return to the pool). */
	void (*release)(struct sim_buf *b, void *owner);
	void *owner;
	/*
	 * Of a frozen buffer only (sim_buf_freeze), else NULL: wsum[k] is
	 * the plain sum of the big-endian 16-bit words of bytes [0, 2k), so
	 * that a checksum over any range of it costs O(1).
	 */
	uint64_t *wsum;
} sim_buf;

/* A new buffer of `size` bytes (contents undefined), one reference. */
sim_buf *sim_buf_new(uint32_t size);
/* A buffer around memory the caller owns; release() is told when free. */
sim_buf *sim_buf_wrap(uint8_t *data, uint32_t size,
		      void (*release)(sim_buf *b, void *owner), void *owner);
sim_buf *sim_buf_ref(sim_buf *b);
/*
 * The buffer's contents are final (a payload pattern that records of
 * every packet reference): its word sums are computed now, and nobody
 * may write it from here on.
 */
void sim_buf_freeze(sim_buf *b);
void sim_buf_unref(sim_buf *b);

typedef struct sim_rec {
	sim_buf *buf;
	uint32_t off, len;
} sim_rec;

typedef struct sim_pkt {
	uint32_t refs;
	uint16_t head;      /* offset of the first header byte in hdr[] */
	uint8_t nrec;
	uint8_t flags;      /* model-defined */
	uint32_t payload_len;
	uint64_t id;        /* unique per run, for traces */
	sim_time_t stamp;   /* model-defined (e.g. enqueue time) */
	void *meta;         /* model-defined, not copied by clone */
	struct sim_pkt *next; /* for intrusive queues while owned by one model */
	sim_rec rec[SIM_PKT_MAX_REC];
	uint8_t hdr[SIM_PKT_HDR_ROOM];
} sim_pkt;

/* A new empty packet (no header bytes, no payload), one reference. */
sim_pkt *sim_pkt_new(void);
sim_pkt *sim_pkt_ref(sim_pkt *p);
void sim_pkt_unref(sim_pkt *p);
/* A private copy: header bytes copied, payload records referenced. */
sim_pkt *sim_pkt_clone(const sim_pkt *p);

static inline uint32_t
sim_pkt_hdr_len(const sim_pkt *p)
{
	return SIM_PKT_HDR_ROOM - p->head;
}

static inline uint8_t *
sim_pkt_hdr(sim_pkt *p)
{
	return p->hdr + p->head;
}

static inline const uint8_t *
sim_pkt_hdr_const(const sim_pkt *p)
{
	return p->hdr + p->head;
}

static inline uint32_t
sim_pkt_len(const sim_pkt *p)
{
	return sim_pkt_hdr_len(p) + p->payload_len;
}

/* Prepend n header bytes; returns a pointer to them (uninitialised). */
uint8_t *sim_pkt_push(sim_pkt *p, uint32_t n);
/*
 * Remove n bytes from the front.  Header bytes go first; when the header
 * area is used up, bytes are taken from the front of the payload.
 */
void sim_pkt_pull(sim_pkt *p, uint32_t n);
/*
 * Make the first n bytes contiguous in the header area (moving them out
 * of the payload if needed, as m_pullup does).  FALSE if the packet is
 * shorter than n or n exceeds the header room.
 */
gboolean sim_pkt_pullup(sim_pkt *p, uint32_t n);

/* Append a payload record referencing buf[off, off+len) (takes a ref). */
void sim_pkt_append_ref(sim_pkt *p, sim_buf *buf, uint32_t off, uint32_t len);
/* Append a copy of data as payload. */
void sim_pkt_append_copy(sim_pkt *p, const void *data, uint32_t len);

/* Copy len bytes starting at byte off of the whole packet into dst. */
void sim_pkt_copy_out(const sim_pkt *p, uint32_t off, uint32_t len, void *dst);

/* Call fn for each contiguous piece of bytes off to off + len (header
 * area, then payload records), in order, with the piece's buffer and
 * its offset in it (buf NULL for header-area bytes); a range past the
 * end stops at the end. */
typedef void (*sim_pkt_piece_fn)(void *ctx, const sim_buf *buf,
				 uint32_t buf_off, const uint8_t *bytes,
				 uint32_t n);
/* Inline, so that each caller's fn (a checksum, a copy: both per packet)
 * is inlined into the walk rather than called through a pointer. */
static inline void
sim_pkt_foreach_piece(const sim_pkt *p, uint32_t off, uint32_t len,
		      sim_pkt_piece_fn fn, void *ctx)
{
	uint32_t h = sim_pkt_hdr_len(p);
	if (off < h) {
		uint32_t n = MIN(len, h - off);
		if (n)
			fn(ctx, NULL, 0, p->hdr + p->head + off, n);
		len -= n;
		off = 0;
	} else {
		off -= h;
	}
	for (int i = 0; i < p->nrec && len > 0; i++) {
		const sim_rec *r = &p->rec[i];
		if (off >= r->len) {
			off -= r->len;
			continue;
		}
		uint32_t n = MIN(len, r->len - off);
		fn(ctx, r->buf, r->off + off, r->buf->data + r->off + off, n);
		len -= n;
		off = 0;
	}
}

/* Statistics of the pools (for leak checks in tests). */
uint64_t sim_pkt_live(void);
uint64_t sim_buf_live(void);
