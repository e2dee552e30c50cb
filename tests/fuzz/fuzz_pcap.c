/*
 * fuzz_pcap.c - the pcap writer, round trip.
 *
 * The input is a snap length (2 bytes, little-endian; 0 is the writer's
 * default) and a list of frames, each
 *
 *	dt:4 (ns since the previous frame, little-endian)  split:1
 *	len:2 (little-endian, capped at 4000)  bytes:len
 *
 * built as a packet of two pieces (a pushed header of `split` bytes in
 * front of appended data, as the models build frames).  The frames are
 * written with sim_pcap_write, the file is read back by the small reader
 * below, written from pcap-savefile(5) and not from the writer, and every
 * header field and byte is compared with what was written.
 */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/pcap.h"
#include "fuzz.h"

struct frame {
	sim_time_t t;
	uint32_t len;
	const uint8_t *bytes;
};

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static char *path, *dir;

static void
cleanup(void)
{
	g_unlink(path);
	g_rmdir(dir);
}

/* Read the file back and compare it with the frames written. */
static void
check_file(const char *file, uint32_t snaplen, const struct frame *fr,
	   guint n)
{
	gchar *d = NULL;
	gsize len = 0;
	GError *e = NULL;
	g_assert_true(g_file_get_contents(file, &d, &len, &e));
	const uint8_t *p = (const uint8_t *)d;
	g_assert_cmpuint(len, >=, 24);
	g_assert_cmphex(le32(p), ==, 0xa1b23c4du);
	g_assert_cmpuint(le16(p + 4), ==, 2);
	g_assert_cmpuint(le16(p + 6), ==, 4);
	g_assert_cmpuint(le32(p + 16), ==, snaplen ? snaplen : 65535);
	g_assert_cmpuint(le32(p + 20), ==, 1);
	uint32_t snap = le32(p + 16);
	gsize off = 24;
	for (guint i = 0; i < n; i++) {
		g_assert_cmpuint(off + 16, <=, len);
		uint32_t sec = le32(p + off), nsec = le32(p + off + 4);
		uint32_t cap = le32(p + off + 8), orig = le32(p + off + 12);
		off += 16;
		g_assert_cmpint((sim_time_t)sec * SIM_S + nsec, ==, fr[i].t);
		g_assert_cmpuint(nsec, <, 1000000000u);
		g_assert_cmpuint(orig, ==, fr[i].len);
		g_assert_cmpuint(cap, ==, MIN(fr[i].len, snap));
		g_assert_cmpuint(off + cap, <=, len);
		g_assert_true(memcmp(p + off, fr[i].bytes, cap) == 0);
		off += cap;
	}
	g_assert_cmpuint(off, ==, len);
	g_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path) {
		GError *e = NULL;
		dir = g_dir_make_tmp("nemsim-fuzz-XXXXXX", &e);
		g_assert_no_error(e);
		path = g_build_filename(dir, "f.pcap", NULL);
		atexit(cleanup);
	}
	if (size < 2)
		return 0;
	uint32_t snaplen = le16(data);
	GError *e = NULL;
	sim_pcap *pc = sim_pcap_open(path, snaplen, &e);
	g_assert_no_error(e);
	GArray *frames = g_array_new(FALSE, FALSE, sizeof(struct frame));
	sim_time_t t = 0;
	size_t i = 2;
	while (i + 7 <= size) {
		uint32_t dt = le32(data + i);
		uint32_t split = data[i + 4] % (SIM_PKT_HDR_ROOM + 1);
		uint32_t len = MIN((uint32_t)le16(data + i + 5), 4000u);
		i += 7;
		len = MIN(len, (uint32_t)(size - i));
		split = MIN(split, len);
		struct frame f = { t += dt, len, data + i };
		sim_pkt *p = sim_pkt_new();
		if (len > split)
			sim_pkt_append_copy(p, data + i + split, len - split);
		if (split)
			memcpy(sim_pkt_push(p, split), data + i, split);
		g_assert_cmpuint(sim_pkt_len(p), ==, len);
		sim_pcap_write(pc, f.t, p);
		sim_pkt_unref(p);
		g_array_append_val(frames, f);
		i += len;
	}
	g_assert_cmpuint(sim_pcap_count(pc), ==, frames->len);
	g_assert_true(sim_pcap_close(pc, &e));
	check_file(path, snaplen, (struct frame *)frames->data, frames->len);
	g_array_free(frames, TRUE);
	g_unlink(path);
	return 0;
}
