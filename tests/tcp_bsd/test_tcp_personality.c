/*
 * test_tcp_personality.c - host personalities, the MSS rule, restart
 * after idle, receiver silly-window avoidance, counters and the
 * time-sequence trace.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"

#define MS SIM_MS

static int
read_n(struct socket *so, int n)
{
	uint8_t buf[65536];
	ssize_t r = so_recv(so, buf, (size_t)n);
	return (int)r;
}

START_TEST(test_personality_lookup)
{
	ck_assert_ptr_eq(tcp_personality_find("4.4bsd"), &tcp_personality_bsd44);
	ck_assert_ptr_eq(tcp_personality_find("SunOS"), &tcp_personality_sunos41);
	ck_assert_ptr_eq(tcp_personality_find("linux2.2"), &tcp_personality_linux22);
	ck_assert_ptr_null(tcp_personality_find("plan9"));
	ck_assert(!tcp_personality_sunos41.do_rfc1323);
	ck_assert_int_eq(tcp_personality_bsd44.sndbuf, 8192);
}
END_TEST

/*
 * 4.4BSD's default, subnetsarelocal: a peer on another subnet of our
 * class-A network 10 is local (MSS 1460); in_localaddr by hand for a
 * peer of another network.
 */
START_TEST(test_subnets_of_our_network_are_local)
{
	struct harness *h = h_new(1, FALSE, NULL, 0);
	h->st[0]->netmask = 0xffffffffu;        /* B is on another subnet */
	ck_assert(h->st[0]->subnetsarelocal);
	ck_assert(in_localaddr(h->st[0], h->st[0]->addr ^ 0x00010000u));
	ck_assert(!in_localaddr(h->st[0], IP_ADDR(192, 168, 0, 1)));
	h->st[0]->subnetsarelocal = FALSE;
	ck_assert(!in_localaddr(h->st[0], h->st[0]->addr ^ 0x00010000u));
	h->st[0]->subnetsarelocal = TRUE;
	struct h_bulk b;
	h_bulk_start(h, &b, 20000, 8192);
	ck_assert(h_bulk_run(h, &b, 30 * SIM_S));
	ck_assert_int_eq(h_sent(h, 0, 0)->mss, 1460);
	h_free(h);
}
END_TEST

/* 4.4BSD offers and uses 512 bytes to a peer off the local subnet
 * (with subnetsarelocal off: else any subnet of net 10 is local). */
START_TEST(test_mss_512_for_non_local_peer)
{
	struct harness *h = h_new(1, FALSE, NULL, 0);
	h->st[0]->netmask = 0xffffffffu;        /* B is not local to A */
	h->st[0]->subnetsarelocal = FALSE;
	struct h_bulk b;
	h_bulk_start(h, &b, 20000, 8192);
	ck_assert(h_bulk_run(h, &b, 30 * SIM_S));
	ck_assert_int_eq(h_sent(h, 0, 0)->mss, 512);
	ck_assert_int_eq(h_sent(h, 1, 0)->mss, 1460);
	for (int i = 0; i < h_count(h, 0); i++)
		ck_assert_uint_le(h_sent(h, 0, i)->len, 512);
	ck_assert_uint_eq(h_sent(h, 0, 3)->len, 512);
	h_free(h);
}
END_TEST

/* After an idle period of an RTO the sender slow-starts from 1 segment. */
static int
burst_after(sim_time_t idle)
{
	struct harness *h = h_new(2, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 30000, 1460);
	struct tcpcb *tp = so_tcpcb(rc.a);
	tp->snd_cwnd = 10 * 1460;       /* as if grown by earlier traffic */
	h_run(h, idle);
	int n0 = h_count(h, 0);
	uint8_t buf[8000] = { 0 };
	so_send(rc.a, buf, sizeof buf);
	int n = h_count(h, 0) - n0;
	h_free(h);
	return n;
}

START_TEST(test_restart_after_idle_slow_start)
{
	ck_assert_int_ge(burst_after(1 * MS), 5);
	ck_assert_int_eq(burst_after(10 * SIM_S), 1);
}
END_TEST

/*
 * Receiver silly-window avoidance: a small read does not advertise the
 * small opening; a read of two segments does.
 */
START_TEST(test_receiver_sws_avoidance)
{
	struct harness *h = h_new(3, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	for (int i = 0; i < 6; i++)
		h_raw_data(h, &rc, (uint32_t)i * 1460, 1460, 0);
	h_run(h, 500 * MS);
	ck_assert_uint_eq(h_last(h, 0)->win, 0);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt + 8760);
	int n = h_count(h, 0);
	ck_assert_int_eq(read_n(rc.a, 100), 100);
	h_run(h, 500 * MS);
	ck_assert_int_eq(h_count(h, 0), n);
	ck_assert_int_eq(read_n(rc.a, 3000), 3000);
	ck_assert_int_eq(h_count(h, 0), n + 1);
	ck_assert_uint_eq(h_last(h, 0)->win, 3100);
	h_free(h);
}
END_TEST

/* SunOS 4.1 delays the ACK of out-of-order data to the fast tick. */
START_TEST(test_sunos_delays_out_of_order_ack)
{
	struct harness *h = h_new(4, TRUE, &tcp_personality_sunos41, -1);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_run_until(h, 250 * MS);
	int n = h_count(h, 0);
	h_raw_data(h, &rc, 1000, 100, 0);
	h_run_until(h, 399 * MS);
	ck_assert_int_eq(h_count(h, 0), n);
	h_run_until(h, 401 * MS);
	ck_assert_int_eq(h_last(h, 0)->t, 400 * MS);
	h_free(h);
}
END_TEST

/* SunOS: no window update while data remains, unless >= 35%. */
START_TEST(test_sunos_window_update_rule)
{
	for (int sunos = 0; sunos < 2; sunos++) {
		struct tcp_personality p = sunos ? tcp_personality_sunos41 :
						   tcp_personality_bsd44;
		p.rcvbuf = 16384;               /* -> 16060 (11 x 1460) */
		struct harness *h = h_new(5, TRUE, &p, 0);
		struct h_rawconn rc;
		h_raw_connect(h, &rc, 8192, 1460);
		for (int i = 0; i < 6; i++)
			h_raw_data(h, &rc, (uint32_t)i * 1460, 1460, 0);
		h_run(h, 500 * MS);
		int n = h_count(h, 0);
		ck_assert_int_eq(read_n(rc.a, 2920), 2920);
		ck_assert_int_eq(h_count(h, 0), n + (sunos ? 0 : 1));
		n = h_count(h, 0);
		ck_assert_int_eq(read_n(rc.a, 60000), 8760 - 2920);
		ck_assert_int_eq(h_count(h, 0), n + 1);  /* empty: update */
		h_free(h);
	}
}
END_TEST

/* Linux: two full segments get an ACK at once; one waits ato. */
START_TEST(test_linux_ack_every_second_full_segment)
{
	struct harness *h = h_new(6, TRUE, &tcp_personality_linux22, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_raw_data(h, &rc, 0, 10, 0);           /* quick-ACK mode: at once */
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt + 10);
	rc.bnxt += 10;
	sim_time_t t = sim_now(h->sim);
	h_raw_data(h, &rc, 0, 1460, 0);
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt);  /* delayed */
	h_raw_data(h, &rc, 1460, 1460, 0);
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt + 2920);
	ck_assert_int_eq(h_last(h, 0)->t, t + 6 * MS + 5 * MS);
	/* A single segment: ACKed after the delayed-ACK estimate. */
	rc.bnxt += 2920;
	h_run(h, 1 * SIM_S);
	sim_time_t t1 = sim_now(h->sim) + 5 * MS;
	h_raw_data(h, &rc, 0, 1460, 0);
	h_run(h, 1 * SIM_S);
	const struct h_seg *a = h_last(h, 0);
	ck_assert_uint_eq(a->ack, rc.bnxt + 1460);
	ck_assert_int_ge(a->t - t1, 40 * MS);
	ck_assert_int_le(a->t - t1, 500 * MS);
	h_free(h);
}
END_TEST

/* Counters in summary.json and the time-sequence trace. */
static void
count_rec(void *ctx, sim_time_t t, const void *rec)
{
	const struct tcp_tseq_rec *r = rec;
	int *n = ctx;
	if (r->outbound && r->len > 0)
		n[0]++;
	else if (!r->outbound)
		n[1]++;
}

START_TEST(test_counters_and_trace_registered)
{
	struct harness *h = h_new(7, FALSE, NULL, 0);
	struct h_bulk b;
	h_bulk_start(h, &b, 30000, 8192);
	so_set_name(b.snd.so, "c1");
	int n[2] = { 0, 0 };
	sim_tracepoint *tp = sim_trace_find(h->sim, "tcp.c1.tseq");
	ck_assert_ptr_nonnull(tp);
	sim_trace_subscribe(h->sim, tp, count_rec, n);
	ck_assert(h_bulk_run(h, &b, 30 * SIM_S));
	h_run(h, 1 * SIM_S);
	double v;
	ck_assert(sim_stats_get_double(h->sim->stats, "connections.c1.sndbyte", &v));
	ck_assert_int_eq((int)v, 30000);
	ck_assert(sim_stats_get_double(h->sim->stats, "hosts.a.tcp.sndpack", &v));
	ck_assert_int_ge((int)v, 21);
	ck_assert(sim_stats_get_double(h->sim->stats, "hosts.b.ip.delivered", &v));
	ck_assert_int_gt((int)v, 0);
	ck_assert_int_ge(n[0], 21);     /* data segments out */
	ck_assert_int_gt(n[1], 5);      /* ACKs in */
	char *json = sim_stats_to_json(h->sim->stats);
	ck_assert_ptr_nonnull(strstr(json, "\"rcvbadsum\""));
	g_free(json);
	h_free(h);
}
END_TEST

/*
 * A BSD receiver whose application reads each segment as it arrives
 * ACKs every second full segment: not by an ACK policy but through the
 * window update that the second read triggers (REF §5).
 */
START_TEST(test_bsd_ack_every_second_segment_from_reads)
{
	struct harness *h = h_new(8, FALSE, NULL, 0);
	struct h_bulk b;
	h_bulk_start(h, &b, 146000, 1460);
	ck_assert(h_bulk_run(h, &b, 30 * SIM_S));
	int data = 0, acks = 0;
	for (int i = 0; i < h_count(h, 0); i++)
		data += h_sent(h, 0, i)->len == 1460;
	for (int i = 0; i < h_count(h, 1); i++) {
		const struct h_seg *s = h_sent(h, 1, i);
		acks += s->len == 0 && !(s->flags & (TH_SYN | TH_FIN));
	}
	ck_assert_int_eq(data, 100);
	ck_assert_msg(acks >= 45 && acks <= 60, "%d ACKs for %d segments",
		      acks, data);
	ck_assert_uint_le(h->st[1]->tcpstat.tcps_delack, 5);
	h_free(h);
}
END_TEST

static Suite *
pers_suite(void)
{
	Suite *s = suite_create("tcp_personality");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_personality_lookup);
	tcase_add_test(tc, test_mss_512_for_non_local_peer);
	tcase_add_test(tc, test_subnets_of_our_network_are_local);
	tcase_add_test(tc, test_restart_after_idle_slow_start);
	tcase_add_test(tc, test_receiver_sws_avoidance);
	tcase_add_test(tc, test_sunos_delays_out_of_order_ack);
	tcase_add_test(tc, test_sunos_window_update_rule);
	tcase_add_test(tc, test_linux_ack_every_second_full_segment);
	tcase_add_test(tc, test_counters_and_trace_registered);
	tcase_add_test(tc, test_bsd_ack_every_second_segment_from_reads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pers_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
