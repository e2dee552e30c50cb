/*
 * tcp_harness.h - a fake link and helpers for the tcp_bsd tests.
 *
 * Two netifs, A and B, joined by a link with a fixed delay and optional
 * loss, duplication and reordering (extra random delay), all drawn from
 * a sim_rng stream.  Each side is either a real stack or "raw": frames
 * arriving at a raw side are only recorded, and the test injects
 * segments from it with h_raw_send (packetdrill-style).  Every frame
 * put on the link is parsed and logged (h->log), and may be written to
 * a pcap file.  A drop filter lets a test lose chosen frames.
 */
#pragma once

#include <check.h>

#include "sim/pcap.h"
#include "tcp_bsd.h"
#include "tcp_var.h"
#include "socketvar.h"
#include "ip_var.h"

#define H_ADDR_A IP_ADDR(10, 0, 0, 1)
#define H_ADDR_B IP_ADDR(10, 0, 0, 2)

/* One segment seen on the link, parsed. */
struct h_seg {
	sim_time_t t;
	int from;               /* 0: A, 1: B */
	uint8_t flags;
	uint32_t seq, ack, len;
	uint32_t win;           /* raw header field */
	uint16_t sport, dport;
	int mss, wscale;        /* -1 if absent */
	gboolean ts;
	uint32_t ts_val, ts_ecr;
	gboolean dropped;       /* lost on the link */
};

typedef gboolean (*h_drop_fn)(void *ctx, const struct h_seg *s, int nth);

struct harness {
	sim_t *sim;
	sim_netif nif[2];
	ip_stack *st[2];        /* NULL for a raw side */
	sim_time_t delay;
	double loss, dup, reorder;
	sim_time_t reorder_max;
	gsl_rng *rng;
	GArray *log;            /* struct h_seg */
	GPtrArray *raw_rx;      /* sim_pkt * delivered to a raw side */
	h_drop_fn drop;
	void *drop_ctx;
	sim_pcap *pcap;
	int nseg;
	GHashTable *inflight;   /* struct delivery * */
	/* Called after each frame was handed to side `to`'s stack. */
	void (*after_deliver)(void *ctx, int to);
	void *after_ctx;
};

/*
 * A harness; raw_b: side B has no stack.  Stacks use personality pers
 * (NULL: 4.4BSD), tick phase 0, RFC 1323 as given (-1: personality).
 */
struct harness *h_new(uint64_t seed, gboolean raw_b,
		      const struct tcp_personality *pers, int rfc1323);
void h_free(struct harness *h);
void h_run(struct harness *h, sim_time_t dt);
void h_run_until(struct harness *h, sim_time_t t);

/* Build and deliver a segment from raw side B to A (after h->delay). */
void h_raw_send(struct harness *h, uint8_t flags, uint32_t seq, uint32_t ack,
		uint16_t win, const void *data, uint32_t len,
		const uint8_t *opt, uint32_t optlen);
/* Deliver arbitrary frame bytes to A (for malformed input). */
void h_raw_frame(struct harness *h, const uint8_t *bytes, uint32_t len);
/* Frame bytes of a valid segment from B to A (to corrupt in a test). */
uint32_t h_build_frame(struct harness *h, uint8_t *out, uint8_t flags,
		       uint32_t seq, uint32_t ack, uint16_t win,
		       const void *data, uint32_t len);

/*
 * The n-th segment sent by side `from` (0-based), or NULL.  The pointer
 * is valid until the link logs the next segment.
 */
const struct h_seg *h_sent(struct harness *h, int from, int n);
int h_count(struct harness *h, int from);
/* Segments from side `from` with all `flags` set. */
int h_count_flags(struct harness *h, int from, uint8_t flags);
const struct h_seg *h_last(struct harness *h, int from);
void h_dump(struct harness *h);

/* Byte-stream pattern for integrity checks. */
static inline uint8_t
h_pattern(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13 ^ i >> 7);
}

/* Port of the raw peer and of the stack under test. */
#define H_PORT_RAW 4000
#define H_PORT_STACK 5001

/* A bulk-transfer application pair (A sends nbytes to B, then closes). */
struct h_app {
	struct harness *h;
	struct socket *so, *lso;
	uint64_t total, sent, rcvd;
	uint32_t chunk;         /* write/read size */
	gboolean eof, closed, connected;
	uint64_t mismatches;
	int last_error;
};

struct h_bulk {
	struct h_app snd, rcv;
};

/* Set up listener on B, connect from A; data flows when run. */
void h_bulk_start(struct harness *h, struct h_bulk *b, uint64_t nbytes,
		  uint32_t chunk);
/* Run until the receiver saw EOF (or limit); TRUE if it did. */
gboolean h_bulk_run(struct harness *h, struct h_bulk *b, sim_time_t limit);

/*
 * A connection between the raw peer B (active) and a listener on A
 * (passive).  After h_raw_connect, A's accepted socket is rc->a, and
 * rc->bnxt / rc->anxt are the next sequence numbers of each side.
 */
struct h_rawconn {
	struct socket *l, *a;
	uint32_t bnxt, anxt;
	uint16_t bwin;
};
void h_raw_connect(struct harness *h, struct h_rawconn *rc, uint16_t win,
		   int mss);
/* Send data from B at rc->bnxt (advancing it), ACKing rc->anxt. */
void h_raw_data(struct harness *h, struct h_rawconn *rc, uint32_t seqoff,
		uint32_t len, uint8_t extra_flags);
