/*
 * in_cksum.c - the Internet checksum (RFC 1071): the ones' complement of
 * the ones' complement sum of 16-bit words, over header bytes and the
 * payload records of a sim_pkt, which may split words at odd offsets.
 */
#include "ip_var.h"

#include <string.h>

/* a + b with the carry out added back in (ones' complement addition). */
static inline uint64_t
add_ec(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s + (s < b);
}

/*
 * The ones' complement sum of the 16-bit words of an even-length run,
 * folded to 16 bits and returned in network order.  RFC 1071 §2: the sum
 * does not depend on byte order up to a final swap, and can be taken in
 * wider words with the carries added back in (end-around carry) and
 * folded at the end.  Here the words are 64 bits wide, read in the
 * host's order and added with end-around carry (an add and an
 * add-with-carry each) into four sums, so that four chains overlap.
 */
static uint32_t
sum_words(const uint8_t *p, uint32_t len)
{
	uint64_t s = 0, w0, w1, w2, w3;

	if (len >= 32) {
		/* Long runs in four chains; headers (20 to 32 bytes, most
		 * calls) skip their set-up and merge. */
		uint64_t s1 = 0, s2 = 0, s3 = 0;
		do {
			memcpy(&w0, p, 8);
			memcpy(&w1, p + 8, 8);
			memcpy(&w2, p + 16, 8);
			memcpy(&w3, p + 24, 8);
			s = add_ec(s, w0);
			s1 = add_ec(s1, w1);
			s2 = add_ec(s2, w2);
			s3 = add_ec(s3, w3);
			p += 32;
			len -= 32;
		} while (len >= 32);
		s = add_ec(add_ec(s, s1), add_ec(s2, s3));
	}
	/* Under 32 bytes left: each bit of len says whether a piece of
	 * that size is there, with no loop.  A 16-bit word adds the same
	 * to the folded sum at any 16-bit position of a 64-bit word (2^16
	 * = 1 modulo 2^16 - 1). */
	if (len & 16) {
		memcpy(&w0, p, 8);
		memcpy(&w1, p + 8, 8);
		s = add_ec(add_ec(s, w0), w1);
		p += 16;
	}
	if (len & 8) {
		memcpy(&w0, p, 8);
		s = add_ec(s, w0);
		p += 8;
	}
	if (len & 4) {
		uint32_t h;
		memcpy(&h, p, 4);
		s = add_ec(s, h);
		p += 4;
	}
	if (len & 2) {
		uint16_t h;
		memcpy(&h, p, 2);
		s = add_ec(s, h);
	}

	/* Fold 64 -> 32 -> 16 bits, end-around carries each time. */
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return g_ntohs((uint16_t)s);
}

/*
 * Add len bytes to a 32-bit running sum.  *odd says whether the sum so
 * far ended in the middle of a 16-bit word; a byte that starts there is
 * the low half of that word.
 */
uint32_t
in_cksum_add(uint32_t sum, const uint8_t *p, uint32_t len, gboolean *odd)
{
	uint64_t s = sum;

	if (len > 0 && *odd) {
		s += *p++;
		len--;
		*odd = FALSE;
	}
	s += sum_words(p, len & ~1u);
	if (len & 1) {
		s += (uint32_t)p[len - 1] << 8;
		*odd = TRUE;
	}
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

struct pkt_sum {
	uint32_t sum;
	gboolean odd;
};

/*
 * The sum of bytes [a, a + n) of a frozen buffer, each byte in the half
 * of a 16-bit word that its place in the buffer gives it (high at even
 * offsets): the whole words between from the table, a byte at either
 * end by itself.  Folded to 16 bits; 0 only when every byte is 0.
 */
static uint32_t
frozen_sum(const sim_buf *b, uint32_t a, uint32_t n)
{
	uint32_t e = a + n;
	uint32_t ka = (a + 1) / 2, kb = e / 2;
	uint64_t s = kb > ka ? b->wsum[kb] - b->wsum[ka] : 0;
	if ((a & 1) && n > 0)
		s += b->data[a];
	if ((e & 1) && n > 0)
		s += (uint32_t)b->data[e - 1] << 8;
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/*
 * A piece of a packet.  From a frozen buffer (the shared payload pattern)
 * its sum comes from the buffer's word sums in O(1): when the piece
 * starts at the same parity in the packet's byte stream as in the
 * buffer, each byte has the same half of a word in both and the sums are
 * equal; otherwise every byte changes halves and the sum is byte-swapped
 * (RFC 1071 §2(B)).  Either way the folded checksum is the same as
 * reading the bytes.
 */
static void
sum_piece(void *ctx, const sim_buf *b, uint32_t boff, const uint8_t *bytes,
	  uint32_t n)
{
	struct pkt_sum *ps = ctx;
	if (!b || !b->wsum) {
		if (!ps->odd && !(n & 1)) {
			/* in_cksum_add's case for whole words (a header),
			 * without the call: one fold brings a 32-bit sum
			 * plus a 16-bit one back under 2^32. */
			uint64_t s = (uint64_t)ps->sum + sum_words(bytes, n);
			ps->sum = (uint32_t)((s & 0xffffffffu) + (s >> 32));
			return;
		}
		ps->sum = in_cksum_add(ps->sum, bytes, n, &ps->odd);
		return;
	}
	uint32_t x = frozen_sum(b, boff, n);
	if ((boff & 1) != (ps->odd ? 1u : 0u))
		x = (x & 0xff) << 8 | x >> 8;
	uint64_t s = (uint64_t)ps->sum + x;
	ps->sum = (uint32_t)((s & 0xffffffffu) + (s >> 32));
	if (n & 1)
		ps->odd = !ps->odd;
}

/* Sum len bytes of a packet starting at byte off. */
uint32_t
in_cksum_pkt(uint32_t sum, const sim_pkt *p, uint32_t off, uint32_t len)
{
	struct pkt_sum ps = { sum, FALSE };
	sim_pkt_foreach_piece(p, off, len, sum_piece, &ps);
	return ps.sum;
}

/* Fold a 32-bit sum to 16 bits and complement it. */
uint16_t
in_cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The sum of the TCP/UDP pseudo header (RFC 793 §3.1). */
uint32_t
in_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len)
{
	uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) +
	    (dst & 0xffff) + proto + len;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/*
 * Remove n bytes from the end of a packet (m_adj with a negative count):
 * trailing link padding, or data beyond the receive window.
 */
void
pkt_trim_tail(sim_pkt *p, uint32_t n)
{
	g_assert(n <= sim_pkt_len(p));
	while (n > 0 && p->nrec > 0) {
		sim_rec *r = &p->rec[p->nrec - 1];
		if (n < r->len) {
			r->len -= n;
			p->payload_len -= n;
			return;
		}
		n -= r->len;
		p->payload_len -= r->len;
		sim_buf_unref(r->buf);
		p->nrec--;
	}
	if (n > 0) {
		/* The rest is header-area bytes: slide them back. */
		uint32_t h = sim_pkt_hdr_len(p) - n;
		memmove(p->hdr + p->head + n, p->hdr + p->head, h);
		p->head += n;
	}
}
