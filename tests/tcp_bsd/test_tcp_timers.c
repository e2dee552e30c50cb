/*
 * test_tcp_timers.c - ACK timing, retransmission timeouts, persist,
 * keepalive and Nagle, with a raw peer or two stacks over the fake link.
 * The stacks' ticks have phase 0: fast ticks at k*200 ms, slow ticks at
 * k*500 ms.  The link delay is 5 ms.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"

#define MS SIM_MS

/* In-order data is ACKed on the next 200 ms fast tick, not before. */
START_TEST(test_delayed_ack_on_fast_tick)
{
	struct harness *h = h_new(1, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_run_until(h, 250 * MS);
	int before = h_count(h, 0);
	h_raw_data(h, &rc, 0, 100, TH_PUSH);   /* arrives at 255 ms */
	h_run_until(h, 399 * MS);
	ck_assert_int_eq(h_count(h, 0), before);        /* no ACK yet */
	h_run_until(h, 401 * MS);
	ck_assert_int_eq(h_count(h, 0), before + 1);
	const struct h_seg *ack = h_last(h, 0);
	ck_assert_int_eq(ack->t, 400 * MS);
	ck_assert_uint_eq(ack->ack, rc.bnxt + 100);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_delack, 1);
	h_free(h);
}
END_TEST

/* Out-of-order data is ACKed at once with the old ACK (a dup ACK). */
START_TEST(test_out_of_order_acked_at_once)
{
	struct harness *h = h_new(2, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_run_until(h, 250 * MS);
	h_raw_data(h, &rc, 1000, 100, 0);      /* a hole of 1000 bytes */
	h_run_until(h, 256 * MS);
	const struct h_seg *ack = h_last(h, 0);
	ck_assert_int_eq(ack->t, 255 * MS);
	ck_assert_uint_eq(ack->ack, rc.bnxt);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_rcvoopack, 1);
	h_free(h);
}
END_TEST

/*
 * Two full segments read by the application at once: the read opens the
 * window by 2 MSS and tcp_output sends the ACK as a window update,
 * before the fast tick.
 */
START_TEST(test_ack_by_window_update_on_read)
{
	struct harness *h = h_new(3, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_run_until(h, 220 * MS);
	h_raw_data(h, &rc, 0, 1460, 0);
	h_raw_data(h, &rc, 1460, 1460, 0);
	h_run_until(h, 230 * MS);
	int before = h_count(h, 0);
	char buf[4000];
	ck_assert_int_eq(so_recv(rc.a, buf, sizeof buf), 2920);
	ck_assert_int_eq(h_count(h, 0), before + 1);
	const struct h_seg *ack = h_last(h, 0);
	ck_assert_int_eq(ack->t, 230 * MS);
	ck_assert_uint_eq(ack->ack, rc.bnxt + 2920);
	h_free(h);
}
END_TEST

/* ... and without the read the ACK waits for the tick. */
START_TEST(test_no_read_ack_waits_for_tick)
{
	struct harness *h = h_new(3, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_run_until(h, 220 * MS);
	h_raw_data(h, &rc, 0, 1460, 0);
	h_raw_data(h, &rc, 1460, 1460, 0);
	h_run_until(h, 230 * MS);
	int before = h_count(h, 0);
	h_run_until(h, 399 * MS);
	ck_assert_int_eq(h_count(h, 0), before);
	h_run_until(h, 401 * MS);
	ck_assert_int_eq(h_last(h, 0)->t, 400 * MS);
	h_free(h);
}
END_TEST

/*
 * Initial RTO: a SYN to a silent peer is retransmitted after 6 s (12
 * slow ticks), then 24 s later (rttvar 3 s x4, backoff 2), and the
 * connection-establishment timer gives up at 75 s.
 */
START_TEST(test_syn_initial_rto_and_establishment_timeout)
{
	struct harness *h = h_new(4, TRUE, NULL, 0);
	struct socket *a = so_socket(h->st[0]);
	h_run_until(h, 100 * MS);
	ck_assert_int_eq(so_connect(a, H_ADDR_B, 4000), 0);
	h_run_until(h, 200 * SIM_S);
	ck_assert_int_ge(h_count(h, 0), 3);
	const struct h_seg *s0 = h_sent(h, 0, 0), *s1 = h_sent(h, 0, 1),
			   *s2 = h_sent(h, 0, 2);
	ck_assert_int_eq(s1->flags, TH_SYN);
	/* 12 ticks: between 5.5 and 6 s after the SYN (tick phase). */
	ck_assert_int_eq(s1->t, 6000 * MS);
	ck_assert_int_eq(s2->t - s1->t, 24 * SIM_S);
	ck_assert_uint_eq(s1->seq, s0->seq);
	ck_assert_int_eq(so_tcp_state(a), -1);
	ck_assert_int_eq(a->so_error, ETIMEDOUT);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_keepdrops, 1);
	/* Dropped at 75 s of the KEEP timer (150 ticks). */
	ck_assert_int_eq(h_count(h, 0), 3);
	so_close(a);
	h_free(h);
}
END_TEST

/*
 * Data never acknowledged: retransmissions back off through
 * tcp_backoff[] (RTO 1.5 s after one RTT sample of one tick), capped at
 * 64 s, and after 12 retransmissions the connection is dropped with a
 * RST and ETIMEDOUT.
 */
START_TEST(test_rto_backoff_and_drop)
{
	struct harness *h = h_new(5, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	struct tcpcb *tp = so_tcpcb(rc.a);
	ck_assert_int_eq(tp->t_rxtcur, 3);      /* (8>>3) + 2 ticks */
	h_run_until(h, 1100 * MS);
	ck_assert_int_eq(so_send(rc.a, "x", 1), 1);
	int first = h_count(h, 0) - 1;
	h_run_until(h, 2000 * SIM_S);
	/* 1 original + 12 retransmissions + RST. */
	int n = h_count(h, 0) - first;
	ck_assert_int_eq(n, 1 + 12 + 1);
	sim_time_t expect[12] = { 0 };
	int backoff[] = { 1, 2, 4, 8, 16, 32, 64, 64, 64, 64, 64, 64, 64 };
	for (int k = 1; k < 12; k++) {
		int t = 3 * backoff[k];
		expect[k] = (t > 128 ? 128 : t) * 500 * MS;
	}
	const struct h_seg *prev = h_sent(h, 0, first);
	for (int k = 1; k <= 12; k++) {
		const struct h_seg *s = h_sent(h, 0, first + k);
		ck_assert_uint_eq(s->seq, prev->seq);
		ck_assert_uint_eq(s->len, 1);
		if (k == 1) {
			/* 3 ticks from 1.1 s: the ticks at 1.5, 2.0, 2.5 s. */
			ck_assert_int_eq(s->t, 2500 * MS);
		} else {
			ck_assert_msg(s->t - prev->t == expect[k - 1],
				      "retransmission %d after %lld ms, not %lld",
				      k, (long long)((s->t - prev->t) / MS),
				      (long long)(expect[k - 1] / MS));
		}
		prev = s;
	}
	const struct h_seg *rst = h_sent(h, 0, first + 13);
	ck_assert(rst->flags & TH_RST);
	ck_assert_int_eq(rst->t - prev->t, 64 * SIM_S);
	ck_assert_int_eq(rc.a->so_error, ETIMEDOUT);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_rexmttimeo, 12);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_timeoutdrop, 1);
	so_close(rc.a);
	so_close(rc.l);
	h_free(h);
}
END_TEST

/* Data segments from A are lost (the retransmissions too). */
static gboolean
drop_a_data(void *ctx, const struct h_seg *s, int nth)
{
	return s->from == 0 && s->len > 0;
}

/*
 * Timers that expire on the same slow tick fire in the stack's list order,
 * newest connection first (4.4BSD walks its inpcb list from the head),
 * also after a connection in the middle has closed.
 */
START_TEST(test_same_tick_timeouts_fire_newest_connection_first)
{
	struct harness *h = h_new(9, FALSE, NULL, -1);
	struct socket *l = so_socket(h->st[1]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	struct socket *c[4];
	uint16_t port[4];
	for (int i = 0; i < 4; i++) {
		c[i] = so_socket(h->st[0]);
		so_connect(c[i], H_ADDR_B, H_PORT_STACK);
		port[i] = c[i]->inp_lport;
	}
	h_run(h, 50 * MS); /* all four the same RTT, the same RTO */
	ck_assert_int_eq(so_tcp_state(c[2]), TCPS_ESTABLISHED);
	/* The middle of the list goes (RST, control block freed). */
	ck_assert_ptr_null(tcp_drop(so_tcpcb(c[1]), ECONNABORTED));
	h_run(h, 20 * MS);
	h->drop = drop_a_data;
	int first = h_count(h, 0);
	for (int i = 0; i < 4; i++)
		if (i != 1)
			ck_assert_int_eq(so_send(c[i], "x", 1), 1);
	h_run(h, 3 * SIM_S); /* one RTO (3 ticks), same tick for all */
	uint16_t order[3];
	int n = 0;
	for (int k = first; k < h_count(h, 0) && n < 3; k++) {
		const struct h_seg *sg = h_sent(h, 0, k);
		if (sg->len == 1 && k >= first + 3)
			order[n++] = sg->sport;
	}
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(order[0], port[3]);
	ck_assert_uint_eq(order[1], port[2]);
	ck_assert_uint_eq(order[2], port[0]);
	ck_assert_int_eq(h_sent(h, 0, first + 3)->t, h_sent(h, 0, first + 5)->t);
	h_free(h);
}
END_TEST

/*
 * Zero window: the data waits; persist probes of one byte go out with
 * backoff (5 s minimum, 60 s maximum); when the window opens the data
 * follows at once.
 */
START_TEST(test_zero_window_persist)
{
	struct harness *h = h_new(6, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 0, 1460);         /* the ACK offers 0 */
	h_run_until(h, 1100 * MS);
	int first = h_count(h, 0);
	ck_assert_int_eq(so_send(rc.a, "0123456789", 10), 10);
	ck_assert_int_eq(h_count(h, 0), first);  /* nothing sent */
	struct tcpcb *tp = so_tcpcb(rc.a);
	ck_assert_int_eq(tp->t_timer[TCPT_PERSIST], 10);
	h_run_until(h, 200 * SIM_S);
	int probes = h_count(h, 0) - first;
	ck_assert_int_ge(probes, 6);
	/* srtt 1 tick: t = 2 ticks x backoff, clamped to [10, 120] ticks. */
	int expect[] = { 10, 10, 10, 16, 32, 64, 120, 120 };
	const struct h_seg *prev = NULL;
	for (int k = 0; k < probes && k < 8; k++) {
		const struct h_seg *s = h_sent(h, 0, first + k);
		ck_assert_uint_eq(s->len, 1);
		ck_assert_uint_eq(s->seq, rc.anxt);
		if (prev)
			ck_assert_msg(s->t - prev->t == expect[k] * 500 * MS,
				      "probe %d after %lld ms", k,
				      (long long)((s->t - prev->t) / MS));
		prev = s;
	}
	ck_assert_uint_ge(h->st[0]->tcpstat.tcps_persisttimeo, 6);
	/* Open the window: the whole 10 bytes go at once. */
	int n = h_count(h, 0);
	h_raw_send(h, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0, NULL, 0);
	h_run(h, 2 * h->delay);
	ck_assert_int_ge(h_count(h, 0), n + 1);
	const struct h_seg *d = h_sent(h, 0, n);
	ck_assert_uint_eq(d->seq, rc.anxt);
	ck_assert_uint_eq(d->len, 10);
	ck_assert_int_eq(tp->t_timer[TCPT_PERSIST], 0);
	h_free(h);
}
END_TEST

/* Keepalive: probes after 2 h idle, every 75 s, drop after 8 more. */
START_TEST(test_keepalive_probes_and_drop)
{
	struct harness *h = h_new(7, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	so_setsockopt(rc.a, SOOPT_KEEPALIVE, 1);
	sim_time_t t0 = sim_now(h->sim);
	int first = h_count(h, 0);
	h_run_until(h, t0 + 2 * 3600 * SIM_S + 20 * 75 * SIM_S);
	const struct h_seg *p0 = h_sent(h, 0, first);
	ck_assert_ptr_nonnull(p0);
	ck_assert_int_ge(p0->t - t0, 2 * 3600 * SIM_S - 500 * MS);
	ck_assert_int_le(p0->t - t0, 2 * 3600 * SIM_S);
	ck_assert_uint_eq(p0->seq, rc.anxt - 1);        /* snd_una - 1 */
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_keepprobe, 9);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_keepdrops, 1);
	ck_assert_int_eq(rc.a->so_error, ETIMEDOUT);
	h_free(h);
}
END_TEST

/*
 * FIN_WAIT_2 after a close does not last for ever: the 2MSL timer is
 * set to tcp_maxidle (8 x 75 s) and re-armed by keepintvl while the
 * connection is idle less than that, so it ends 675 s after the peer
 * was last heard from (the "10 minutes plus 75 s" of 4.4BSD).
 */
START_TEST(test_fin_wait_2_timeout)
{
	struct harness *h = h_new(9, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_run_until(h, 1000 * MS);
	so_close(rc.a);
	h_run(h, 1 * MS);
	h_raw_send(h, TH_ACK, rc.bnxt, rc.anxt + 1, 8192, NULL, 0, NULL, 0);
	h_run(h, 10 * MS);      /* ACK of our FIN arrived at 1.006 s */
	struct tcpcb *tp = tcp_tcb_first(h->st[0]);
	ck_assert_ptr_nonnull(tp);
	while (tp && tp->t_socket->so_options & SO_ACCEPTCONN)
		tp = tcp_tcb_next(h->st[0], tp);
	ck_assert_int_eq(tp->t_state, TCPS_FIN_WAIT_2);
	tcp_tick_sync(tp); /* the slow tick visits it lazily */
	ck_assert_int_eq(tp->t_timer[TCPT_2MSL], 1200);
	h_run_until(h, 674 * SIM_S);
	int n = 0;
	for (struct tcpcb *t = tcp_tcb_first(h->st[0]); t; t = tcp_tcb_next(h->st[0], t))
		n += t->t_state == TCPS_FIN_WAIT_2;
	ck_assert_int_eq(n, 1);
	h_run_until(h, 677 * SIM_S);
	n = 0;
	for (struct tcpcb *t = tcp_tcb_first(h->st[0]); t; t = tcp_tcb_next(h->st[0], t))
		n += t->t_state == TCPS_FIN_WAIT_2;
	ck_assert_int_eq(n, 0);
	h_free(h);
}
END_TEST

/* Nagle: small writes wait while data is outstanding. */
static int
count_data(struct harness *h, int from)
{
	int n = 0;
	for (int i = 0; i < h_count(h, from); i++)
		n += h_sent(h, from, i)->len > 0;
	return n;
}

static void
nagle_run(gboolean nodelay, int *segs_before_ack)
{
	struct harness *h = h_new(8, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	if (nodelay)
		so_setsockopt(rc.a, SOOPT_NODELAY, 1);
	h_run_until(h, 1000 * MS);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(so_send(rc.a, "ab", 2), 2);
		h_run(h, 1 * MS);
	}
	*segs_before_ack = count_data(h, 0);
	/* The ACK of the first byte releases the rest in one segment. */
	h_raw_send(h, TH_ACK, rc.bnxt, rc.anxt + 2, 8192, NULL, 0, NULL, 0);
	h_run(h, 2 * h->delay);
	if (!nodelay) {
		ck_assert_int_eq(count_data(h, 0), 2);
		ck_assert_uint_eq(h_last(h, 0)->len, 8);
	}
	h_free(h);
}

START_TEST(test_nagle_small_writes_coalesce)
{
	int n;
	nagle_run(FALSE, &n);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(test_nodelay_small_writes_go_at_once)
{
	int n;
	nagle_run(TRUE, &n);
	ck_assert_int_eq(n, 5);
}
END_TEST

static Suite *
timers_suite(void)
{
	Suite *s = suite_create("tcp_timers");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_delayed_ack_on_fast_tick);
	tcase_add_test(tc, test_out_of_order_acked_at_once);
	tcase_add_test(tc, test_ack_by_window_update_on_read);
	tcase_add_test(tc, test_no_read_ack_waits_for_tick);
	tcase_add_test(tc, test_syn_initial_rto_and_establishment_timeout);
	tcase_add_test(tc, test_rto_backoff_and_drop);
	tcase_add_test(tc,
		       test_same_tick_timeouts_fire_newest_connection_first);
	tcase_add_test(tc, test_zero_window_persist);
	tcase_add_test(tc, test_keepalive_probes_and_drop);
	tcase_add_test(tc, test_fin_wait_2_timeout);
	tcase_add_test(tc, test_nagle_small_writes_coalesce);
	tcase_add_test(tc, test_nodelay_small_writes_go_at_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(timers_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
