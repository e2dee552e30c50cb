/*
 * test_tcp_basic.c - handshakes, data, close and byte-stream integrity
 * between two real stacks over the fake link.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcp_harness.h"

START_TEST(test_handshake_active_passive)
{
	struct harness *h = h_new(1, FALSE, NULL, -1);
	struct h_bulk b;
	h_bulk_start(h, &b, 0, 1000);
	h_run(h, 1 * SIM_S);
	const struct h_seg *syn = h_sent(h, 0, 0);
	const struct h_seg *synack = h_sent(h, 1, 0);
	const struct h_seg *ack = h_sent(h, 0, 1);
	ck_assert_ptr_nonnull(syn);
	ck_assert_int_eq(syn->flags, TH_SYN);
	ck_assert_int_eq(syn->mss, 1460);
	ck_assert_int_eq(synack->flags, TH_SYN | TH_ACK);
	ck_assert_uint_eq(synack->ack, syn->seq + 1);
	ck_assert_int_eq(ack->flags & (TH_SYN | TH_ACK), TH_ACK);
	ck_assert_uint_eq(ack->ack, synack->seq + 1);
	ck_assert_uint_eq(ack->seq, syn->seq + 1);
	ck_assert(b.snd.connected);
	ck_assert(b.rcv.connected);
	h_free(h);
}
END_TEST

START_TEST(test_bulk_data_one_way)
{
	struct harness *h = h_new(2, FALSE, NULL, 0);
	struct h_bulk b;
	h_bulk_start(h, &b, 200000, 4096);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	ck_assert_uint_eq(b.rcv.rcvd, 200000);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	/* Full-sized segments: MSS 1460 on the local subnet. */
	int full = 0;
	for (int i = 0; i < h_count(h, 0); i++)
		full += h_sent(h, 0, i)->len == 1460;
	ck_assert_int_gt(full, 100);
	h_free(h);
}
END_TEST

/* Both ends write and read at once. */
struct duplex {
	struct socket *so;
	uint64_t sent, rcvd, total, bad;
	gboolean eof;
};

static void
duplex_io(struct duplex *d)
{
	uint8_t buf[3000];
	while (d->sent < d->total) {
		uint32_t n = (uint32_t)MIN((uint64_t)sizeof buf, d->total - d->sent);
		for (uint32_t i = 0; i < n; i++)
			buf[i] = h_pattern(d->sent + i + 7);
		ssize_t r = so_send(d->so, buf, n);
		if (r <= 0)
			break;
		d->sent += (uint64_t)r;
	}
	for (;;) {
		ssize_t r = so_recv(d->so, buf, sizeof buf);
		if (r <= 0) {
			if (r == 0)
				d->eof = TRUE;
			break;
		}
		for (ssize_t i = 0; i < r; i++)
			d->bad += buf[i] != h_pattern(d->rcvd + i + 7);
		d->rcvd += (uint64_t)r;
	}
	if (d->sent == d->total && d->so->so_state & SS_ISCONNECTED &&
	    !(d->so->so_state & SS_CANTSENDMORE))
		so_shutdown(d->so, SO_SHUT_WR);
}

static void
duplex_upcall(struct socket *so, void *ctx, int ev)
{
	duplex_io(ctx);
}

static void
duplex_accept(struct socket *so, void *ctx, int ev)
{
	struct duplex *d = ctx;
	int err;
	struct socket *c = so_accept(so, &err);
	if (c) {
		d->so = c;
		so_set_upcall(c, duplex_upcall, d);
		duplex_io(d);
	}
}

START_TEST(test_data_both_ways)
{
	struct harness *h = h_new(3, FALSE, NULL, -1);
	struct duplex da = { .total = 50000 }, db = { .total = 70000 };
	struct socket *l = so_socket(h->st[1]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	so_set_upcall(l, duplex_accept, &db);
	da.so = so_socket(h->st[0]);
	so_set_upcall(da.so, duplex_upcall, &da);
	so_connect(da.so, H_ADDR_B, H_PORT_STACK);
	h_run(h, 30 * SIM_S);
	ck_assert(da.eof && db.eof);
	ck_assert_uint_eq(da.rcvd, 70000);
	ck_assert_uint_eq(db.rcvd, 50000);
	ck_assert_uint_eq(da.bad + db.bad, 0);
	/* Both half-closed: A closed first, so it went through TIME_WAIT? */
	so_close(da.so);
	so_close(db.so);
	so_close(l);
	h_free(h);
}
END_TEST

/*
 * Orderly close: the active closer passes FIN_WAIT_1, FIN_WAIT_2 and
 * TIME_WAIT, the passive one CLOSE_WAIT and LAST_ACK; TIME_WAIT lasts
 * 2 MSL = 60 s (on the 500 ms tick).
 */
START_TEST(test_close_states_and_time_wait)
{
	struct harness *h = h_new(4, FALSE, NULL, -1);
	struct socket *l = so_socket(h->st[1]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	struct socket *a = so_socket(h->st[0]);
	so_connect(a, H_ADDR_B, H_PORT_STACK);
	h_run(h, 1 * SIM_S);
	int err;
	struct socket *b = so_accept(l, &err);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(so_tcp_state(a), TCPS_ESTABLISHED);
	ck_assert_int_eq(so_tcp_state(b), TCPS_ESTABLISHED);
	so_shutdown(a, SO_SHUT_WR);
	ck_assert_int_eq(so_tcp_state(a), TCPS_FIN_WAIT_1);
	h_run(h, 20 * SIM_MS);  /* FIN there and ACK back (5 ms each way) */
	ck_assert_int_eq(so_tcp_state(b), TCPS_CLOSE_WAIT);
	ck_assert_int_eq(so_tcp_state(a), TCPS_FIN_WAIT_2);
	ck_assert_int_eq(so_recv(b, &err, 1), 0); /* EOF */
	so_shutdown(b, SO_SHUT_WR);
	ck_assert_int_eq(so_tcp_state(b), TCPS_LAST_ACK);
	h_run(h, 7 * SIM_MS);
	ck_assert_int_eq(so_tcp_state(a), TCPS_TIME_WAIT);
	sim_time_t tw_start = sim_now(h->sim);
	h_run(h, 10 * SIM_MS);
	ck_assert_int_eq(so_tcp_state(b), -1);  /* LAST_ACK -> closed */
	struct tcpcb *tp = so_tcpcb(a);
	ck_assert_int_eq(tp->t_timer[TCPT_2MSL], 120);
	h_run_until(h, tw_start + 59 * SIM_S);
	ck_assert_int_eq(so_tcp_state(a), TCPS_TIME_WAIT);
	h_run_until(h, tw_start + 61 * SIM_S);
	ck_assert_int_eq(so_tcp_state(a), -1);
	so_close(a);
	so_close(b);
	so_close(l);
	h_free(h);
}
END_TEST

/* Both close at once: FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both. */
START_TEST(test_simultaneous_close_closing)
{
	struct harness *h = h_new(5, FALSE, NULL, -1);
	struct socket *l = so_socket(h->st[1]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	struct socket *a = so_socket(h->st[0]);
	so_connect(a, H_ADDR_B, H_PORT_STACK);
	h_run(h, 1 * SIM_S);
	int err;
	struct socket *b = so_accept(l, &err);
	so_shutdown(a, SO_SHUT_WR);
	so_shutdown(b, SO_SHUT_WR);
	ck_assert_int_eq(so_tcp_state(a), TCPS_FIN_WAIT_1);
	ck_assert_int_eq(so_tcp_state(b), TCPS_FIN_WAIT_1);
	h_run(h, 6 * SIM_MS);   /* the FINs crossed */
	ck_assert_int_eq(so_tcp_state(a), TCPS_CLOSING);
	ck_assert_int_eq(so_tcp_state(b), TCPS_CLOSING);
	h_run(h, 6 * SIM_MS);
	ck_assert_int_eq(so_tcp_state(a), TCPS_TIME_WAIT);
	ck_assert_int_eq(so_tcp_state(b), TCPS_TIME_WAIT);
	so_close(a);
	so_close(b);
	so_close(l);
	h_free(h);
}
END_TEST

/* Both connect to each other: the SYNs cross. */
START_TEST(test_simultaneous_open)
{
	struct harness *h = h_new(6, FALSE, NULL, -1);
	struct socket *a = so_socket(h->st[0]);
	struct socket *b = so_socket(h->st[1]);
	so_bind(a, 0, 7000);
	so_bind(b, 0, 7001);
	so_connect(a, H_ADDR_B, 7001);
	so_connect(b, H_ADDR_A, 7000);
	h_run(h, 3 * SIM_MS);
	ck_assert_int_eq(so_tcp_state(a), TCPS_SYN_SENT);
	h_run(h, 3 * SIM_MS);   /* SYNs arrived: SYN_RCVD, SYN|ACK out */
	ck_assert_int_eq(so_tcp_state(a), TCPS_SYN_RECEIVED);
	ck_assert_int_eq(so_tcp_state(b), TCPS_SYN_RECEIVED);
	h_run(h, 10 * SIM_MS);
	ck_assert_int_eq(so_tcp_state(a), TCPS_ESTABLISHED);
	ck_assert_int_eq(so_tcp_state(b), TCPS_ESTABLISHED);
	/* The SYN|ACKs carry the ISS again. */
	const struct h_seg *s0 = h_sent(h, 0, 0), *s1 = h_sent(h, 0, 1);
	ck_assert_int_eq(s1->flags, TH_SYN | TH_ACK);
	ck_assert_uint_eq(s1->seq, s0->seq);
	ck_assert_int_eq(so_send(a, "hello", 5), 5);
	h_run(h, 50 * SIM_MS);
	char buf[8];
	ck_assert_int_eq(so_recv(b, buf, sizeof buf), 5);
	ck_assert(memcmp(buf, "hello", 5) == 0);
	so_close(a);
	so_close(b);
	h_free(h);
}
END_TEST

/* Write a pcap of a transfer with loss and check it with tshark. */
START_TEST(test_pcap_tshark_clean)
{
	struct harness *h = h_new(7, FALSE, NULL, -1);
	GError *e = NULL;
	char path[] = "/tmp/tcp_bsd_test_XXXXXX.pcap";
	int fd = g_mkstemp(path);
	close(fd);
	h->pcap = sim_pcap_open(path, 65535, &e);
	ck_assert_ptr_nonnull(h->pcap);
	h->loss = 0.02;
	struct h_bulk b;
	h_bulk_start(h, &b, 100000, 3000);
	ck_assert(h_bulk_run(h, &b, 120 * SIM_S));
	h_run(h, 70 * SIM_S);
	ck_assert(sim_pcap_close(h->pcap, &e));
	h->pcap = NULL;
	g_autofree char *tshark = g_find_program_in_path("tshark");
	if (tshark) {
		char *cmd = g_strdup_printf(
		    "tshark -r %s -o tcp.check_checksum:TRUE "
		    "-o ip.check_checksum:TRUE -Y "
		    "'_ws.malformed || _ws.expert.severity >= error || "
		    "tcp.checksum.status == 2 || ip.checksum.status == 2' "
		    "2>/dev/null | wc -l", path);
		char *out = NULL;
		int status;
		g_autofree char *sh = g_strdup_printf("sh -c \"%s\"", cmd);
		ck_assert(g_spawn_command_line_sync(sh, &out, NULL, &status,
						    NULL));
		(void)status;
		/* Errors other than checksums (retransmissions are warnings). */
		ck_assert_msg(atoi(out) == 0, "tshark found problems: %s", out);
		g_free(out);
		g_free(cmd);
	}
	if (g_getenv("TCP_BSD_KEEP_PCAP"))
		fprintf(stderr, "pcap kept: %s\n", path);
	else
		unlink(path);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	h_free(h);
}
END_TEST

/*
 * Byte-stream integrity over a bad link, many seeds.  Returns FALSE if
 * the connection could not be opened at all (every SYN or SYN|ACK lost
 * until the 75 s establishment timer gave up, which a 10% loss rate
 * makes happen about once in a thousand runs); that is TCP working.
 */
static const struct tcp_personality *const integrity_pers[] = {
	&tcp_personality_bsd44, &tcp_personality_netbsd1,
	&tcp_personality_sunos41, &tcp_personality_linux20,
	&tcp_personality_linux22,
};

static gboolean
integrity_run(uint64_t seed, gboolean rfc1323, uint64_t nbytes)
{
	/* Every fourth run with large buffers: window scaling under loss. */
	struct tcp_personality p = *integrity_pers[(seed / 2) % 5];
	if (seed % 4 == 3)
		p.sndbuf = p.rcvbuf = 128 * 1024;
	struct harness *h = h_new(seed, FALSE, &p, rfc1323);
	gsl_rng *r = sim_rng(h->sim, "test.params");
	h->loss = gsl_rng_uniform(r) * 0.1;
	h->dup = gsl_rng_uniform(r) * 0.05;
	h->reorder = gsl_rng_uniform(r) * 0.2;
	h->st[0]->tcp_iss = (uint32_t)gsl_rng_get(r); /* wraparound too */
	h->st[1]->tcp_iss = (uint32_t)gsl_rng_get(r);
	struct h_bulk b;
	h_bulk_start(h, &b, nbytes, 1 + (uint32_t)gsl_rng_uniform_int(r, 6000));
	gboolean done = h_bulk_run(h, &b, 3600 * SIM_S);
	if (!done && !b.rcv.connected && b.rcv.rcvd == 0 &&
	    b.snd.last_error == EPIPE) {
		h_free(h);
		ck_assert_uint_eq(sim_pkt_live(), 0);
		return FALSE;
	}
	ck_assert_msg(done, "seed %llu: no EOF (rcvd %llu of %llu)",
		      (unsigned long long)seed,
		      (unsigned long long)b.rcv.rcvd,
		      (unsigned long long)nbytes);
	ck_assert_msg(b.rcv.rcvd == nbytes && b.rcv.mismatches == 0,
		      "seed %llu: rcvd %llu mismatches %llu",
		      (unsigned long long)seed,
		      (unsigned long long)b.rcv.rcvd,
		      (unsigned long long)b.rcv.mismatches);
	if (g_getenv("TCP_BSD_VERBOSE"))
		fprintf(stderr, "seed %llu: %llu bytes, %.1f s, loss %.3f dup %.3f "
			"reorder %.3f: rexmt %llu timeouts %llu fastrexmt %llu "
			"dupacks %llu oopack %llu duppack %llu\n",
			(unsigned long long)seed, (unsigned long long)nbytes,
			sim_time_to_s(sim_now(h->sim)), h->loss, h->dup, h->reorder,
			(unsigned long long)h->st[0]->tcpstat.tcps_sndrexmitpack,
			(unsigned long long)h->st[0]->tcpstat.tcps_rexmttimeo,
			(unsigned long long)h->st[0]->tcpstat.tcps_fastrexmt,
			(unsigned long long)h->st[0]->tcpstat.tcps_rcvdupack,
			(unsigned long long)h->st[1]->tcpstat.tcps_rcvoopack,
			(unsigned long long)h->st[1]->tcpstat.tcps_rcvduppack);
	h_free(h);
	ck_assert_uint_eq(sim_pkt_live(), 0);
	return TRUE;
}

START_TEST(test_integrity_lossy_link)
{
	const char *env = g_getenv("TCP_BSD_SEEDS");
	int n = env ? atoi(env) : 500;
	int failed_open = 0;
	for (int s = 0; s < n; s++)
		failed_open += !integrity_run(1000 + (uint64_t)s, s & 1,
					      30000 + (s % 7) * 9000);
	if (g_getenv("TCP_BSD_VERBOSE"))
		fprintf(stderr, "%d runs, %d could not open\n", n, failed_open);
	ck_assert_int_le(failed_open * 100, n);
}
END_TEST

static Suite *
basic_suite(void)
{
	Suite *s = suite_create("tcp_basic");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_handshake_active_passive);
	tcase_add_test(tc, test_bulk_data_one_way);
	tcase_add_test(tc, test_data_both_ways);
	tcase_add_test(tc, test_close_states_and_time_wait);
	tcase_add_test(tc, test_simultaneous_close_closing);
	tcase_add_test(tc, test_simultaneous_open);
	tcase_add_test(tc, test_pcap_tshark_clean);
	tcase_add_test(tc, test_integrity_lossy_link);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(basic_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
