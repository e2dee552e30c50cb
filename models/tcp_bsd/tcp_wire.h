/*
 * tcp_wire.h - the TCP header and options on the wire (RFC 793 §3.1,
 * RFC 1323 for window scale and timestamps).
 */
#pragma once

#include "ip_wire.h"

#define TCP_HDR_LEN 20          /* without options */
#define TCP_MAXOLEN 40          /* data offset is 4 bits of words */

#define TCP_OFF_SPORT 0
#define TCP_OFF_DPORT 2
#define TCP_OFF_SEQ 4
#define TCP_OFF_ACK 8
#define TCP_OFF_OFF 12          /* data offset << 4 */
#define TCP_OFF_FLAGS 13
#define TCP_OFF_WIN 14
#define TCP_OFF_SUM 16
#define TCP_OFF_URP 18

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PUSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MAXSEG 2
#define TCPOLEN_MAXSEG 4
#define TCPOPT_WINDOW 3
#define TCPOLEN_WINDOW 3
#define TCPOPT_SACK_PERMITTED 4 /* recognised and ignored */
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_TIMESTAMP 10
/* NOP NOP TS: the layout of RFC 1323 Appendix A, as 4.4BSD sends it. */
#define TCPOLEN_TSTAMP_APPA (TCPOLEN_TIMESTAMP + 2)

#define TCP_MAXWIN 65535        /* largest unscaled window */
#define TCP_MAX_WINSHIFT 14     /* RFC 1323 §2.3 */

/* A TCP header taken apart (host byte order). */
struct tcp_hdr_info {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off;            /* header length in bytes */
	uint8_t flags;
	uint16_t win;
	uint16_t sum;
	uint16_t urp;
};

static inline void
tcp_hdr_parse(const uint8_t *th, struct tcp_hdr_info *ti)
{
	ti->sport = wire_get16(th + TCP_OFF_SPORT);
	ti->dport = wire_get16(th + TCP_OFF_DPORT);
	ti->seq = wire_get32(th + TCP_OFF_SEQ);
	ti->ack = wire_get32(th + TCP_OFF_ACK);
	ti->off = (th[TCP_OFF_OFF] >> 4) * 4;
	ti->flags = th[TCP_OFF_FLAGS];
	ti->win = wire_get16(th + TCP_OFF_WIN);
	ti->sum = wire_get16(th + TCP_OFF_SUM);
	ti->urp = wire_get16(th + TCP_OFF_URP);
}
