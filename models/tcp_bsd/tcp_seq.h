/*
 * tcp_seq.h - sequence number arithmetic modulo 2^32 (RFC 793 §3.3) and
 * the initialisation of a connection's send and receive sequence space,
 * as in 4.4BSD's tcp_seq.h.
 */
#pragma once

#include <stdint.h>

typedef uint32_t tcp_seq;

#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

/* Timestamps compare the same way (RFC 1323 §4.2.1). */
#define TSTMP_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define TSTMP_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

#define tcp_rcvseqinit(tp) \
	((tp)->rcv_adv = (tp)->rcv_nxt = (tp)->irs + 1)
#define tcp_sendseqinit(tp) \
	((tp)->snd_una = (tp)->snd_nxt = (tp)->snd_max = (tp)->snd_up = \
	     (tp)->iss)

/*
 * The initial send sequence grows by TCP_ISSINCR per second (4.4BSD:
 * 125 * 1024 per second, half of it per slow tick and half per new
 * connection).
 */
#define TCP_ISSINCR (125 * 1024)
