/*
 * tcp_timer.h - the four slow-tick timers of a connection and the values
 * that do not depend on the host's personality.
 *
 * As in 4.4BSD, each connection has TCPT_NTIMERS counters in slow ticks;
 * the stack's slow tick (500 ms for BSD hosts) decrements them all and
 * calls tcp_timers() for each that reaches zero.  The delayed ACK is a
 * flag examined by the fast tick (200 ms), not a timer of its own.
 * Personality-dependent values (RTO bounds, MSL, keepalive) are kept in
 * ticks in struct ip_stack, converted once from the personality's
 * nanoseconds.
 */
#pragma once

#define TCPT_NTIMERS 4
#define TCPT_REXMT 0            /* retransmit */
#define TCPT_PERSIST 1          /* retransmit persistence */
#define TCPT_KEEP 2             /* keep alive */
#define TCPT_2MSL 3             /* 2*msl quiet time timer */

/* The backoff multipliers of 4.4BSD tcp_backoff[] (TCP/IP Ill. 2 §25.9). */
#define TCP_MAXRXTSHIFT_MAX 31

/* Retransmit threshold for fast retransmit: three duplicate ACKs. */
#define TCP_REXMTTHRESH 3

/* RTT estimator scaling (4.4BSD tcp_var.h): srtt x8, rttvar x4. */
#define TCP_RTT_SHIFT 3
#define TCP_RTTVAR_SHIFT 2

extern const int tcp_backoff[TCP_MAXRXTSHIFT_MAX + 1];

/* Force a time value into [tvmin, tvmax]. */
#define TCPT_RANGESET(tv, value, tvmin, tvmax) \
	do { \
		(tv) = (value); \
		if ((tv) < (tvmin)) \
			(tv) = (tvmin); \
		else if ((tv) > (tvmax)) \
			(tv) = (tvmax); \
	} while (0)

extern const char *const tcp_timernames[TCPT_NTIMERS];
