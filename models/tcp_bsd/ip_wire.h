/*
 * ip_wire.h - wire formats of Ethernet II and IPv4 (RFC 791), nothing else.
 *
 * Headers are read and written field by field in network byte order
 * through the accessors below, never by overlaying a C struct on the
 * bytes, so alignment and padding cannot matter.  Offsets are those of
 * RFC 791 Figure 4 and IEEE 802.3 clause 3.
 */
#pragma once

#include <stdint.h>

#define ETHER_ADDR_LEN 6
#define ETHER_HDR_LEN 14        /* dst 6, src 6, type 2 */
#define ETHERTYPE_IP 0x0800

#define ETH_OFF_DST 0
#define ETH_OFF_SRC 6
#define ETH_OFF_TYPE 12

#define IPVERSION 4
#define IP_HDR_LEN 20           /* without options */
#define IP_MAXHDR_LEN 60
#define IP_MAXPACKET 65535
#define IP_DEFTTL 64            /* RFC 1340; 4.4BSD ip_defttl = IPDEFTTL */
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define IPPROTO_TCP 6
#define IPPROTO_ICMP 1

/* ICMP (RFC 792): type, code, checksum, 4 unused bytes, then for an
 * error the offending datagram's IP header and first 8 data bytes. */
#define ICMP_MINLEN 8
#define ICMP_ADVLENMIN (ICMP_MINLEN + IP_HDR_LEN + 8)
#define ICMP_OFF_TYPE 0
#define ICMP_OFF_CODE 1
#define ICMP_OFF_SUM 2
#define ICMP_UNREACH 3
#define ICMP_UNREACH_NET 0
#define ICMP_UNREACH_HOST 1
#define ICMP_UNREACH_PROTOCOL 2
#define ICMP_UNREACH_PORT 3
#define ICMP_UNREACH_NEEDFRAG 4
#define ICMP_UNREACH_SRCFAIL 5
#define ICMP_SOURCEQUENCH 4

#define IP_OFF_VHL 0            /* version << 4 | header length in words */
#define IP_OFF_TOS 1
#define IP_OFF_LEN 2
#define IP_OFF_ID 4
#define IP_OFF_OFF 6            /* flags and fragment offset */
#define IP_OFF_TTL 8
#define IP_OFF_P 9
#define IP_OFF_SUM 10
#define IP_OFF_SRC 12
#define IP_OFF_DST 16

static inline uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void
wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* An IPv4 address in host byte order from four dotted-quad parts. */
#define IP_ADDR(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
