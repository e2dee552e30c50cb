/*
 * test_units.c - units, random streams, packets, statistics, pcap.
 */
#include "sim/idmap.h"
#include "sim/pcap.h"
#include "sim/pkt.h"
#include "sim/pktgate.h"
#include "sim/rng.h"
#include "sim/series.h"
#include "sim/sim.h"
#include "sim/stats.h"

#include "suites.h"

#include <check.h>
#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

START_TEST(test_time_parsing_is_exact)
{
	sim_time_t t;
	ck_assert(sim_parse_time("3.6ms", &t, NULL));
	ck_assert_int_eq(t, 3600000);
	ck_assert(sim_parse_time("110us", &t, NULL));
	ck_assert_int_eq(t, 110000);
	ck_assert(sim_parse_time("110\xc2\xb5s", &t, NULL));
	ck_assert_int_eq(t, 110000);
	ck_assert(sim_parse_time("110 \xce\xbcs", &t, NULL));
	ck_assert_int_eq(t, 110000);
	ck_assert(sim_parse_time("2s", &t, NULL));
	ck_assert_int_eq(t, 2 * SIM_S);
	ck_assert(sim_parse_time("0", &t, NULL));
	ck_assert_int_eq(t, 0);
	ck_assert(sim_parse_time("0.000000001s", &t, NULL));
	ck_assert_int_eq(t, 1);
}
END_TEST

START_TEST(test_time_parsing_rejects_bad_input)
{
	sim_time_t t;
	GError *e = NULL;
	ck_assert(!sim_parse_time("10", &t, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "no unit"));
	g_clear_error(&e);
	ck_assert(!sim_parse_time("10 fortnights", &t, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "unknown unit"));
	g_clear_error(&e);
	ck_assert(!sim_parse_time("-1ms", &t, &e));
	g_clear_error(&e);
	ck_assert(!sim_parse_time("1.5ns", &t, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "finer"));
	g_clear_error(&e);
	ck_assert(!sim_parse_time("ms", &t, &e));
	g_clear_error(&e);
	ck_assert(!sim_parse_time("99999999999999999999s", &t, &e));
	g_clear_error(&e);
}
END_TEST

START_TEST(test_rate_parsing_and_tx_time)
{
	sim_rate_t r;
	ck_assert(sim_parse_rate("10Mb/s", &r, NULL));
	ck_assert_int_eq(r, 10000000);
	ck_assert(sim_parse_rate("5.6Mb/s", &r, NULL));
	ck_assert_int_eq(r, 5600000);
	ck_assert(sim_parse_rate("1.5kb/s", &r, NULL));
	ck_assert_int_eq(r, 1500);
	ck_assert(!sim_parse_rate("10", &r, NULL));
	ck_assert(!sim_parse_rate("0Mb/s", &r, NULL));
	ck_assert(!sim_parse_rate("10MB", &r, NULL));
	/* REFERENCE.md §2: 800 ns/byte at 10 Mb/s, 80 at 100 Mb/s. */
	ck_assert_int_eq(sim_tx_time(1514, 10 * SIM_MBPS), 1514 * 800);
	ck_assert_int_eq(sim_tx_time(1514, 100 * SIM_MBPS), 1514 * 80);
}
END_TEST

START_TEST(test_time_formatting_round_trips)
{
	static const sim_time_t v[] = { 0, 1, 999, 1000, 110000, 1200000,
					3600000, 2 * SIM_S, 1500 * SIM_MS,
					123456789 };
	char buf[SIM_TIME_BUFSZ];
	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		sim_time_t back;
		ck_assert(sim_parse_time(sim_format_time(v[i], buf), &back, NULL));
		ck_assert_int_eq(back, v[i]);
	}
	ck_assert_str_eq(sim_format_time(2400000, buf), "2.4ms");
	ck_assert_str_eq(sim_format_rate(5600000, buf), "5.6Mb/s");
}
END_TEST

START_TEST(test_rng_streams_are_reproducible_and_independent)
{
	gsl_rng *a1 = sim_rng_stream_new(7, "nic.a");
	gsl_rng *a2 = sim_rng_stream_new(7, "nic.a");
	gsl_rng *b = sim_rng_stream_new(7, "nic.b");
	gsl_rng *a_other_seed = sim_rng_stream_new(8, "nic.a");
	int same_b = 0, same_seed = 0;
	for (int i = 0; i < 1000; i++) {
		unsigned long x = gsl_rng_get(a1);
		ck_assert_uint_eq(x, gsl_rng_get(a2));
		same_b += x == gsl_rng_get(b);
		same_seed += x == gsl_rng_get(a_other_seed);
	}
	ck_assert_int_lt(same_b, 3);
	ck_assert_int_lt(same_seed, 3);
	gsl_rng_free(a1);
	gsl_rng_free(a2);
	gsl_rng_free(b);
	gsl_rng_free(a_other_seed);
}
END_TEST

/* A stream the caller owns (one-shot draws at set-up) is the same stream
 * as the one the simulation keeps: freeing it early changes no draw. */
START_TEST(test_rng_owned_is_the_kept_stream)
{
	sim_t *sim = sim_new(11);
	gsl_rng *kept = sim_rng(sim, "tcp.h1.ticks");
	gsl_rng *owned = sim_rng_owned(sim, "tcp.h1.ticks");
	gsl_rng *other = sim_rng_owned(sim, "tcp.h2.ticks");
	int same_other = 0;
	for (int i = 0; i < 100; i++) {
		unsigned long x = gsl_rng_get(kept);
		ck_assert_uint_eq(x, gsl_rng_get(owned));
		same_other += x == gsl_rng_get(other);
	}
	ck_assert_int_lt(same_other, 3);
	gsl_rng_free(owned);
	gsl_rng_free(other);
	sim_free(sim);
}
END_TEST

START_TEST(test_rng_streams_are_uncorrelated)
{
	/* Correlation of uniform draws of two streams named alike. */
	gsl_rng *a = sim_rng_stream_new(1, "port1");
	gsl_rng *b = sim_rng_stream_new(1, "port2");
	const int n = 100000;
	double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
	for (int i = 0; i < n; i++) {
		double x = gsl_rng_uniform(a), y = gsl_rng_uniform(b);
		sa += x;
		sb += y;
		sab += x * y;
		saa += x * x;
		sbb += y * y;
	}
	double cov = sab / n - (sa / n) * (sb / n);
	double r = cov / sqrt((saa / n - (sa / n) * (sa / n)) *
			      (sbb / n - (sb / n) * (sb / n)));
	/* 5 sigma for n = 1e5 is about 0.016. */
	ck_assert_double_lt(fabs(r), 0.016);
	gsl_rng_free(a);
	gsl_rng_free(b);
}
END_TEST

START_TEST(test_packet_headers_and_payload_records)
{
	uint64_t live = sim_pkt_live(), blive = sim_buf_live();
	sim_buf *pay = sim_buf_new(1000);
	for (int i = 0; i < 1000; i++)
		pay->data[i] = (uint8_t)i;
	sim_pkt *p = sim_pkt_new();
	sim_pkt_append_ref(p, pay, 100, 500);
	uint8_t *tcp = sim_pkt_push(p, 20);
	memset(tcp, 0xaa, 20);
	uint8_t *ip = sim_pkt_push(p, 20);
	memset(ip, 0xbb, 20);
	ck_assert_uint_eq(sim_pkt_len(p), 540);
	uint8_t out[540];
	sim_pkt_copy_out(p, 0, 540, out);
	ck_assert_uint_eq(out[0], 0xbb);
	ck_assert_uint_eq(out[20], 0xaa);
	ck_assert_uint_eq(out[40], 100);
	ck_assert_uint_eq(out[539], (uint8_t)599);

	/* The clone shares the payload and has its own header. */
	sim_pkt *c = sim_pkt_clone(p);
	ck_assert_uint_eq(pay->refs, 3);
	sim_pkt_hdr(c)[0] = 0x11;
	ck_assert_uint_eq(sim_pkt_hdr(p)[0], 0xbb);

	/* Pull past the header into the payload, then pull up. */
	sim_pkt_pull(c, 45);
	ck_assert_uint_eq(sim_pkt_len(c), 495);
	ck_assert(sim_pkt_pullup(c, 10));
	ck_assert_uint_eq(sim_pkt_hdr(c)[0], 105);
	ck_assert_uint_eq(sim_pkt_hdr(c)[9], 114);
	ck_assert_uint_eq(sim_pkt_len(c), 495);
	ck_assert(!sim_pkt_pullup(c, 496));

	/* With header bytes already there: they slide down and the
	 * payload's first bytes follow them. */
	memset(sim_pkt_push(c, 4), 0xcc, 4);
	ck_assert(sim_pkt_pullup(c, 30));
	ck_assert_uint_eq(sim_pkt_hdr_len(c), 30);
	ck_assert_uint_eq(sim_pkt_len(c), 499);
	ck_assert_uint_eq(sim_pkt_hdr(c)[3], 0xcc);
	ck_assert_uint_eq(sim_pkt_hdr(c)[4], 105);
	ck_assert_uint_eq(sim_pkt_hdr(c)[13], 114);
	ck_assert_uint_eq(sim_pkt_hdr(c)[14], 115);
	ck_assert_uint_eq(sim_pkt_hdr(c)[29], 130);
	/* A copy from the header area alone, then one across into the
	 * payload. */
	sim_pkt_copy_out(c, 2, 20, out);
	ck_assert_uint_eq(out[0], 0xcc);
	ck_assert_uint_eq(out[2], 105);
	ck_assert_uint_eq(out[19], 122);
	sim_pkt_copy_out(c, 28, 10, out);
	ck_assert_uint_eq(out[0], 129);
	ck_assert_uint_eq(out[9], 138);

	sim_buf_unref(pay);
	sim_pkt_unref(c);
	sim_pkt_unref(p);
	ck_assert_uint_eq(sim_pkt_live(), live);
	ck_assert_uint_eq(sim_buf_live(), blive);
}
END_TEST

static double
half(void *ctx)
{
	return *(double *)ctx / 2;
}

START_TEST(test_stats_json_is_nested_sorted_and_live)
{
	sim_stats *st = sim_stats_new();
	uint64_t frames = 0;
	double x = 3;
	sim_stats_add_u64(st, "links.lan.frames", &frames);
	sim_stats_add_fn(st, "connections.c1.throughput_mbps", half, &x);
	sim_stats_set_string(st, "sim.scenario", "a\"b");
	sim_stats_set_int(st, "links.lan-2.frames", 4);
	sim_stats_set_double(st, "links.lan.utilization", 0.125);
	frames = 42; /* read at report time */
	char *j = sim_stats_to_json(st);
	const char *want =
		"{\n"
		"  \"connections\": {\n"
		"    \"c1\": {\n"
		"      \"throughput_mbps\": 1.5\n"
		"    }\n"
		"  },\n"
		"  \"links\": {\n"
		"    \"lan\": {\n"
		"      \"frames\": 42,\n"
		"      \"utilization\": 0.125\n"
		"    },\n"
		"    \"lan-2\": {\n"
		"      \"frames\": 4\n"
		"    }\n"
		"  },\n"
		"  \"sim\": {\n"
		"    \"scenario\": \"a\\\"b\"\n"
		"  }\n"
		"}\n";
	ck_assert_str_eq(j, want);
	double d;
	ck_assert(sim_stats_get_double(st, "links.lan.frames", &d));
	ck_assert_double_eq(d, 42);
	ck_assert(!sim_stats_get_double(st, "links.lan.nope", &d));
	g_free(j);
	sim_stats_free(st);
}
END_TEST

/* The writer formats integers and escapes strings itself (no printf per
 * value) and compares path components by length and bytes: a component
 * that is a prefix of the next ("b" and "bc") or differs only in its last
 * byte ("ab", "ac") must open a new object, and the extreme integers and
 * every escape must come out as printf and JSON have them. */
START_TEST(test_stats_json_numbers_escapes_and_prefixes)
{
	sim_stats *st = sim_stats_new();
	uint64_t big = UINT64_MAX;
	int64_t small = INT64_MIN;
	sim_stats_add_u64(st, "n.u64max", &big);
	sim_stats_add_i64(st, "n.i64min", &small);
	sim_stats_set_int(st, "n.minus", -7);
	sim_stats_set_int(st, "n.zero", 0);
	sim_stats_set_string(st, "s.esc", "q\"b\\c\x01\x1f\tz\x7f\xc3\xa9");
	sim_stats_set_int(st, "a.b.c", 1);
	sim_stats_set_int(st, "a.bc", 2);
	sim_stats_set_int(st, "x.ab.k", 3);
	sim_stats_set_int(st, "x.ac.k", 4);
	char *j = sim_stats_to_json(st);
	char *want = g_strdup_printf(
		"{\n"
		"  \"a\": {\n"
		"    \"b\": {\n"
		"      \"c\": 1\n"
		"    },\n"
		"    \"bc\": 2\n"
		"  },\n"
		"  \"n\": {\n"
		"    \"i64min\": %" G_GINT64_FORMAT ",\n"
		"    \"minus\": -7,\n"
		"    \"u64max\": %" G_GUINT64_FORMAT ",\n"
		"    \"zero\": 0\n"
		"  },\n"
		"  \"s\": {\n"
		"    \"esc\": \"q\\\"b\\\\c\\u0001\\u001f\\u0009z\x7f\xc3\xa9\"\n"
		"  },\n"
		"  \"x\": {\n"
		"    \"ab\": {\n"
		"      \"k\": 3\n"
		"    },\n"
		"    \"ac\": {\n"
		"      \"k\": 4\n"
		"    }\n"
		"  }\n"
		"}\n",
		(gint64)INT64_MIN, (guint64)UINT64_MAX);
	ck_assert_str_eq(j, want);
	g_free(want);
	g_free(j);
	sim_stats_free(st);
}
END_TEST

/* Two results under one path are a bug in whoever registered the second:
 * the run stops instead of writing one of them. */
START_TEST(test_stats_path_registered_twice_aborts)
{
	sim_stats *st = sim_stats_new();
	uint64_t frames = 0;
	sim_stats_add_u64(st, "links.lan.frames", &frames);
	sim_stats_set_int(st, "links.lan.frames", 4);
	g_free(sim_stats_to_json(st)); /* found at the first read */
}
END_TEST

/* The same when the first was registered before a read (sorted) and the
 * second after it (merged in at the next read). */
START_TEST(test_stats_path_registered_twice_across_a_read_aborts)
{
	sim_stats *st = sim_stats_new();
	sim_stats_set_int(st, "links.lan.frames", 1);
	sim_stats_set_int(st, "links.lan.util", 2);
	ck_assert(sim_stats_has(st, "links.lan.util"));
	sim_stats_set_int(st, "a.b", 3);
	sim_stats_set_int(st, "links.lan.frames", 4);
	sim_stats_has(st, "a.b");
}
END_TEST

/* Lookups sort what was registered so far; later registrations, in or
 * out of order, are merged in: every path is found and the JSON is in
 * path order whatever the order of registration and reads. */
START_TEST(test_stats_lookups_between_registrations)
{
	sim_stats *st = sim_stats_new();
	double d;
	sim_stats_set_int(st, "m.x", 1);
	sim_stats_set_int(st, "c.x", 2);
	ck_assert(sim_stats_get_double(st, "m.x", &d) && d == 1);
	sim_stats_set_int(st, "z.x", 3); /* after everything */
	sim_stats_set_int(st, "a.x", 4); /* before everything */
	sim_stats_set_int(st, "d.x", 5); /* in between */
	ck_assert(!sim_stats_has(st, "b.x"));
	for (int i = 0; i < 200; i++) { /* a long tail, reversed */
		char path[32];
		g_snprintf(path, sizeof path, "t.k%03d", 199 - i);
		sim_stats_set_int(st, path, i);
	}
	ck_assert(sim_stats_get_double(st, "a.x", &d) && d == 4);
	ck_assert(sim_stats_get_double(st, "c.x", &d) && d == 2);
	ck_assert(sim_stats_get_double(st, "d.x", &d) && d == 5);
	ck_assert(sim_stats_get_double(st, "z.x", &d) && d == 3);
	ck_assert(sim_stats_get_double(st, "t.k000", &d) && d == 199);
	ck_assert(sim_stats_get_double(st, "t.k199", &d) && d == 0);
	ck_assert(!sim_stats_has(st, "t.k200"));
	char *j = sim_stats_to_json(st);
	const char *a = strstr(j, "\"a\""), *c = strstr(j, "\"c\""),
		   *dd = strstr(j, "\"d\""), *m = strstr(j, "\"m\""),
		   *t = strstr(j, "\"t\""), *k0 = strstr(j, "\"k000\""),
		   *k1 = strstr(j, "\"k199\""), *z = strstr(j, "\"z\"");
	ck_assert(a && c && dd && m && t && k0 && k1 && z);
	ck_assert(a < c && c < dd && dd < m && m < t && t < k0 && k0 < k1 &&
		  k1 < z);
	g_free(j);
	sim_stats_free(st);
}
END_TEST

/* Numbers in summary.json and the CSVs are printf's "%.9g", whichever
 * way they are made (a fast path does most of them): random magnitudes,
 * decimals with up to 12 places, powers of ten one ulp off, ties in the
 * tenth digit, signs. */
START_TEST(test_number_format_is_printf_g9)
{
	GRand *r = g_rand_new_with_seed(3);
	for (int i = 0; i < 100000; i++) {
		double v;
		switch (i % 5) {
		case 0:
			v = pow(10, g_rand_double_range(r, -6, 10));
			break;
		case 1:
			v = g_rand_int_range(r, 0, 2000000000) /
			    pow(10, g_rand_int_range(r, 0, 12));
			break;
		case 2:
			v = pow(10, g_rand_int_range(r, -5, 10)) *
			    (1 + g_rand_int_range(r, -3, 4) * DBL_EPSILON);
			break;
		case 3:
			v = (g_rand_int_range(r, 100000000, 1000000000) + 0.5) /
			    pow(10, g_rand_int_range(r, 0, 14));
			break;
		default:
			v = g_rand_double_range(r, -1e9, 1e9);
		}
		if (g_rand_boolean(r))
			v = -v;
		char got[64], want[64];
		sim_stats_format_double(v, got, sizeof got);
		if (fabs(v) >= 1e9 && v == floor(v))
			snprintf(want, sizeof want, "%.0f", v); /* exact */
		else
			snprintf(want, sizeof want, "%.9g", v == 0 ? 0.0 : v);
		ck_assert_msg(strcmp(got, want) == 0, "%.17g: %s, printf %s", v,
			      got, want);
	}
	g_rand_free(r);
}
END_TEST

/* Counters of nanoseconds above 10^9 stay exact, so that they add up. */
START_TEST(test_whole_numbers_above_1e9_stay_exact)
{
	char buf[64];
	sim_stats_format_double(10000000001.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "10000000001");
	sim_stats_format_double(-1234567890123.0, buf, sizeof buf);
	ck_assert_str_eq(buf, "-1234567890123");
	sim_stats_format_double(1e9 + 0.5, buf, sizeof buf);
	ck_assert_str_eq(buf, "1e+09");        /* not whole: %.9g */
	sim_stats_format_double(1e300, buf, sizeof buf);
	ck_assert_str_eq(buf, "1e+300");       /* beyond 2^53: %.9g */
}
END_TEST

START_TEST(test_pcap_file_is_read_back_by_tshark)
{
	/* The install step installs tshark; never silently pass. */
	char *tshark = g_find_program_in_path("tshark");
	ck_assert_msg(tshark != NULL,
		      "tshark is not installed (run tools/install-deps.sh)");
	g_free(tshark);
	char *dir = g_dir_make_tmp("nemsim-pcap-XXXXXX", NULL);
	char *path = g_build_filename(dir, "t.pcap", NULL);
	sim_pcap *pc = sim_pcap_open(path, 0, NULL);
	ck_assert_ptr_nonnull(pc);
	/* An Ethernet frame carrying a minimal IPv4/UDP packet with a
	 * correct header checksum. */
	static const uint8_t ip[28] = {
		0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1,
		10, 0, 0, 2, 0x04, 0xd2, 0x16, 0x2e, 0, 8, 0, 0,
	};
	uint8_t iph[28];
	memcpy(iph, ip, sizeof iph);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (iph[i] << 8) | iph[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	iph[10] = (uint8_t)(~sum >> 8);
	iph[11] = (uint8_t)~sum;
	for (int k = 0; k < 3; k++) {
		sim_pkt *p = sim_pkt_new();
		sim_pkt_append_copy(p, iph, sizeof iph);
		uint8_t *eth = sim_pkt_push(p, 14);
		static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2,
						  2, 0, 0, 0, 0, 1 };
		memcpy(eth, macs, 12);
		eth[12] = 0x08;
		eth[13] = 0x00;
		sim_pcap_write(pc, 1500000000 + k * 1234567, p);
		sim_pkt_unref(p);
	}
	ck_assert(sim_pcap_close(pc, NULL));
	char *cmd = g_strdup_printf(
		"tshark -n -r '%s' -o ip.check_checksum:TRUE -T fields "
		"-e frame.time_epoch -e ip.src -e ip.checksum.status -e udp.dstport",
		path);
	char *out = NULL, *errout = NULL;
	int status;
	ck_assert(g_spawn_command_line_sync(cmd, &out, &errout, &status, NULL));
	ck_assert_msg(status == 0, "tshark failed: %s", errout);
	gchar **lines = g_strsplit(g_strstrip(out), "\n", -1);
	ck_assert_uint_eq(g_strv_length(lines), 3);
	/* ip.checksum.status 1 is "Good" in Wireshark's checksum enum. */
	ck_assert_msg(g_str_has_prefix(lines[0], "1.500000000\t10.0.0.1\t1\t5678"),
		      "unexpected: %s", lines[0]);
	ck_assert(g_str_has_prefix(lines[2], "1.502469134\t"));
	g_strfreev(lines);
	g_free(out);
	g_free(errout);
	g_free(cmd);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}
END_TEST

static void
sample_count(void *ctx, sim_csv *csv, sim_time_t start, sim_time_t t)
{
	int *n = ctx;
	sim_csv_double(csv, sim_time_to_s(t));
	sim_csv_int(csv, (t - start) / SIM_MS);
	sim_csv_int(csv, ++*n);
	sim_csv_end_row(csv);
}

/* The text of the one file `path` in the temporary folder `dir`; both go,
 * with the two strings. */
static char *
take_file(char *dir, char *path)
{
	char *text = NULL;
	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	return text;
}

START_TEST(test_series_samples_every_interval_into_csv)
{
	char *dir = g_dir_make_tmp("nemsim-series-XXXXXX", NULL);
	char *path = g_build_filename(dir, "s.csv", NULL);
	sim_t *sim = sim_new(1);
	int n = 0;
	const char *cols[] = { "time_s", "width_ms", "n", NULL };
	sim_series *se = sim_series_new(sim, path, cols, 250 * SIM_MS,
					sample_count, &n, NULL);
	ck_assert_ptr_nonnull(se);
	sim_run_until(sim, 1 * SIM_S);
	/* Not there before it is finished. */
	ck_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
	ck_assert(sim_series_finish(se, NULL));
	char *text = take_file(dir, path);
	ck_assert_str_eq(text, "time_s,width_ms,n\n0.25,250,1\n0.5,250,2\n"
			       "0.75,250,3\n1,250,4\n");
	g_free(text);
	sim_free(sim);
}
END_TEST

/* sim_idmap against GHashTable: random sets, replaces and removes over a
 * small key space (long probe runs, removals inside them). */
START_TEST(test_idmap_matches_a_hash_table)
{
	sim_idmap *m = sim_idmap_new();
	GHashTable *ref = g_hash_table_new(g_int64_hash, g_int64_equal);
	GRand *r = g_rand_new_with_seed(7);
	static gint64 keys[512];
	for (int i = 0; i < 512; i++) /* clustered: collide in the low bits */
		keys[i] = (gint64)i << 40 | (i % 3);
	for (int step = 0; step < 200000; step++) {
		gint64 *k = &keys[g_rand_int_range(r, 0, 512)];
		int op = g_rand_int_range(r, 0, 3);
		if (op == 0) {
			gpointer v = GINT_TO_POINTER(step + 1);
			sim_idmap_set(m, (uint64_t)*k, v);
			g_hash_table_insert(ref, k, v);
		} else if (op == 1) {
			gboolean had = g_hash_table_remove(ref, k);
			if (sim_idmap_remove(m, (uint64_t)*k) != had)
				ck_abort_msg("remove disagrees at step %d", step);
		} else if (sim_idmap_get(m, (uint64_t)*k) !=
			   g_hash_table_lookup(ref, k)) {
			ck_abort_msg("get disagrees at step %d", step);
		}
		if (sim_idmap_size(m) != g_hash_table_size(ref))
			ck_abort_msg("size disagrees at step %d", step);
	}
	for (int i = 0; i < 512; i++) /* and every key at the end */
		ck_assert_ptr_eq(sim_idmap_get(m, (uint64_t)keys[i]),
				 g_hash_table_lookup(ref, &keys[i]));
	g_rand_free(r);
	g_hash_table_destroy(ref);
	sim_idmap_free(m);
}
END_TEST

/* RFC 4180: a field with a comma, quote or line break is quoted, and a
 * quote inside doubled; others go as they are. */
START_TEST(test_csv_quotes_only_what_needs_it)
{
	char *dir = g_dir_make_tmp("nemsim-csv-XXXXXX", NULL);
	char *path = g_build_filename(dir, "q.csv", NULL);
	const char *cols[] = { "name", "x", NULL };
	sim_csv *c = sim_csv_open(path, cols, NULL);
	ck_assert_ptr_nonnull(c);
	static const char *names[] = { "k1", "a,b", "say \"hi\"", "two\nlines",
				       "cr\r", "" };
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		sim_csv_str(c, names[i]);
		sim_csv_double(c, 0.5 * i);
		sim_csv_end_row(c);
	}
	ck_assert(sim_csv_close(c, NULL));
	char *text = take_file(dir, path);
	ck_assert_str_eq(text, "name,x\nk1,0\n\"a,b\",0.5\n"
			       "\"say \"\"hi\"\"\",1\n\"two\nlines\",1.5\n"
			       "\"cr\r\",2\n,2.5\n");
	g_free(text);
}
END_TEST

static void
gate_release(void *ctx, sim_pkt *p)
{
	GArray *out = ctx;
	uint64_t id = p->id;
	g_array_append_val(out, id);
	sim_pkt_unref(p);
}

START_TEST(test_pktgate_releases_in_build_order)
{
	sim_pktgate g;
	sim_pktgate_init(&g);
	GArray *out = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	sim_pkt *p[4];
	sim_pktgate_entry *e[4];
	for (int i = 0; i < 4; i++) {
		p[i] = sim_pkt_new();
		e[i] = sim_pktgate_enter(&g, p[i]);
	}
	uint64_t id[4] = { p[0]->id, p[1]->id, p[2]->id, p[3]->id };
	sim_pktgate_done(&g, e[2], gate_release, out); /* waits for 0, 1 */
	ck_assert_uint_eq(out->len, 0);
	sim_pktgate_done(&g, e[0], gate_release, out); /* 0 goes */
	ck_assert_uint_eq(out->len, 1);
	sim_pktgate_done(&g, e[1], gate_release, out); /* 1 and 2 go */
	ck_assert_uint_eq(out->len, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(g_array_index(out, uint64_t, i), id[i]);
	sim_pktgate_clear(&g); /* 3 is dropped, not leaked */
	g_array_free(out, TRUE);
}
END_TEST

Suite *
units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_time_parsing_is_exact);
	tcase_add_test(tc, test_time_parsing_rejects_bad_input);
	tcase_add_test(tc, test_rate_parsing_and_tx_time);
	tcase_add_test(tc, test_time_formatting_round_trips);
	tcase_add_test(tc, test_rng_streams_are_reproducible_and_independent);
	tcase_add_test(tc, test_rng_streams_are_uncorrelated);
	tcase_add_test(tc, test_rng_owned_is_the_kept_stream);
	tcase_add_test(tc, test_packet_headers_and_payload_records);
	tcase_add_test(tc, test_stats_json_is_nested_sorted_and_live);
	tcase_add_test(tc, test_stats_json_numbers_escapes_and_prefixes);
	tcase_add_test_raise_signal(tc, test_stats_path_registered_twice_aborts,
				    SIGABRT);
	tcase_add_test_raise_signal(
		tc, test_stats_path_registered_twice_across_a_read_aborts,
		SIGABRT);
	tcase_add_test(tc, test_stats_lookups_between_registrations);
	tcase_add_test(tc, test_number_format_is_printf_g9);
	tcase_add_test(tc, test_whole_numbers_above_1e9_stay_exact);
	tcase_add_test(tc, test_pcap_file_is_read_back_by_tshark);
	tcase_add_test(tc, test_series_samples_every_interval_into_csv);
	tcase_add_test(tc, test_csv_quotes_only_what_needs_it);
	tcase_add_test(tc, test_idmap_matches_a_hash_table);
	tcase_add_test(tc, test_pktgate_releases_in_build_order);
	suite_add_tcase(s, tc);
	return s;
}
