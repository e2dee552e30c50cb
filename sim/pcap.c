/*
 * pcap.c - writing Ethernet frames to a nanosecond pcap file.
 */
#include "pcap.h"

#include <string.h>

struct sim_pcap {
	sim_outfile *f;
	uint32_t snaplen;
	uint32_t skip; /* bytes of each frame left out (LINKTYPE_RAW) */
	uint64_t count;
};

static void
put32(uint8_t *p, uint32_t v)
{
	/* Written in host order, as pcap readers detect it from the magic;
	 * we fix little-endian for byte-identical files on every machine. */
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

sim_pcap *
sim_pcap_open(const char *path, uint32_t snaplen, GError **error)
{
	return sim_pcap_open_linktype(path, snaplen, SIM_PCAP_LINKTYPE_ETHERNET,
				      0, error);
}

sim_pcap *
sim_pcap_open_linktype(const char *path, uint32_t snaplen, uint32_t linktype,
		       uint32_t skip, GError **error)
{
	sim_outfile *f = sim_outfile_open(path, error);
	if (!f)
		return NULL;
	sim_pcap *pc = g_new0(sim_pcap, 1);
	pc->f = f;
	pc->snaplen = snaplen ? snaplen : 65535;
	pc->skip = skip;
	uint8_t h[24];
	put32(h, SIM_PCAP_MAGIC_NS);
	put16(h + 4, 2);
	put16(h + 6, 4);
	put32(h + 8, 0);  /* thiszone */
	put32(h + 12, 0); /* sigfigs */
	put32(h + 16, pc->snaplen);
	put32(h + 20, linktype);
	fwrite(h, 1, sizeof h, f->fp);
	return pc;
}

void
sim_pcap_write(sim_pcap *pc, sim_time_t t, const sim_pkt *frame)
{
	uint8_t buf[16 + 65536];
	g_assert(sim_pkt_len(frame) >= pc->skip);
	uint32_t len = sim_pkt_len(frame) - pc->skip;
	uint32_t caplen = MIN(len, pc->snaplen);
	caplen = MIN(caplen, 65536u);
	g_assert(t >= 0);
	put32(buf, (uint32_t)(t / SIM_S));
	put32(buf + 4, (uint32_t)(t % SIM_S));
	put32(buf + 8, caplen);
	put32(buf + 12, len);
	sim_pkt_copy_out(frame, pc->skip, caplen, buf + 16);
	fwrite(buf, 1, 16 + caplen, pc->f->fp);
	pc->count++;
}

uint64_t
sim_pcap_count(const sim_pcap *pc)
{
	return pc->count;
}

gboolean
sim_pcap_close(sim_pcap *pc, GError **error)
{
	gboolean ok = sim_outfile_commit(pc->f, error);
	g_free(pc);
	return ok;
}

void
sim_pcap_abort(sim_pcap *pc)
{
	if (!pc)
		return;
	sim_outfile_abort(pc->f);
	g_free(pc);
}

void
sim_pcap_trace_fn(void *ctx, sim_time_t t, const void *rec)
{
	sim_pcap_write(ctx, t, rec);
}
