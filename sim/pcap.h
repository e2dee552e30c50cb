/*
 * pcap.h - the classic libpcap file format, link type Ethernet (or raw
 * IP, for serial links).
 *
 * Format facts (pcap-savefile(5), IETF draft-ietf-opsawg-pcap): a 24-byte
 * global header (magic 0xa1b23c4d for nanosecond timestamps, version 2.4,
 * snaplen, link type 1 = LINKTYPE_ETHERNET) then per packet a 16-byte
 * record header (seconds, nanoseconds, captured length, original length)
 * and the frame bytes from destination address up to, not including, the
 * FCS, as capture on a real NIC gives them.
 */
#pragma once

#include "outfile.h"
#include "pkt.h"
#include "trace.h"

#define SIM_PCAP_MAGIC_NS 0xa1b23c4du
#define SIM_PCAP_LINKTYPE_ETHERNET 1
#define SIM_PCAP_LINKTYPE_RAW 101 /* raw IPv4/IPv6, no link header */

typedef struct sim_pcap sim_pcap;

sim_pcap *sim_pcap_open(const char *path, uint32_t snaplen, GError **error);
/* Another link type; the first `skip` bytes of every frame written are
 * left out (LINKTYPE_RAW from frames that carry an Ethernet header). */
sim_pcap *sim_pcap_open_linktype(const char *path, uint32_t snaplen,
				 uint32_t linktype, uint32_t skip,
				 GError **error);
void sim_pcap_write(sim_pcap *pc, sim_time_t t, const sim_pkt *frame);
gboolean sim_pcap_close(sim_pcap *pc, GError **error);
void sim_pcap_abort(sim_pcap *pc);
uint64_t sim_pcap_count(const sim_pcap *pc);

/* A sim_trace_fn writing SIM_TRACE_FRAME records to ctx (a sim_pcap). */
void sim_pcap_trace_fn(void *ctx, sim_time_t t, const void *rec);
