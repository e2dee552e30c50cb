/*
 * test_tcp_api.c - the host-facing interface: the output hook, the
 * receive-window hook, MTU refusal, socket call errors.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"

#define MS SIM_MS

struct hook_ctx {
	int frames, refuse_from, refused;
};

static gboolean
hook_output(void *ctx, ip_stack *st, sim_pkt *f)
{
	struct hook_ctx *c = ctx;
	c->frames++;
	if (c->refuse_from && c->frames >= c->refuse_from &&
	    c->frames < c->refuse_from + 3) {
		c->refused++;
		return FALSE;   /* "channel full": caller keeps the frame */
	}
	return ip_stack_netif_output(st, f);
}

/* Every frame passes the hook; a refusal is ENOBUFS: cwnd to 1 MSS. */
START_TEST(test_output_hook_sees_frames_and_enobufs_quenches)
{
	struct harness *h = h_new(1, FALSE, NULL, 0);
	struct hook_ctx c = { .refuse_from = 30 };
	ip_stack_set_output_hook(h->st[0], hook_output, &c);
	struct h_bulk b;
	h_bulk_start(h, &b, 100000, 8192);
	ck_assert(h_bulk_run(h, &b, 120 * SIM_S));
	ck_assert_int_eq(c.frames, h_count(h, 0) + c.refused);
	ck_assert_int_eq(c.refused, 3);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_sndenobufs, 3);
	ck_assert_uint_eq(h->st[0]->ipstat.ips_odropped, 3);
	ck_assert_uint_eq(b.rcv.rcvd, 100000);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	h_free(h);
}
END_TEST

static uint32_t
fixed_window(struct tcpcb *tp, void *ctx)
{
	return *(uint32_t *)ctx;
}

/* The advertised window comes from the socket's window function. */
START_TEST(test_rcvwin_hook_sets_advertised_window)
{
	struct harness *h = h_new(2, TRUE, NULL, 0);
	uint32_t w = 3000;
	struct socket *l = so_socket(h->st[0]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	so_set_rcvwin_fn(l, fixed_window, &w);  /* inherited by children */
	h_raw_send(h, TH_SYN, 100, 0, 8192, NULL, 0, NULL, 0);
	h_run(h, 10 * MS);
	const struct h_seg *sa = h_last(h, 0);
	ck_assert_uint_eq(sa->win, 3000);
	uint32_t anxt = sa->seq + 1;
	h_raw_send(h, TH_ACK, 101, anxt, 8192, NULL, 0, NULL, 0);
	h_run(h, 10 * MS);
	/* Data beyond the 3000 bytes offered is trimmed. */
	uint8_t buf[4000] = { 0 };
	h_raw_send(h, TH_ACK, 101, anxt, 8192, buf, 3500, NULL, 0);
	h_run(h, 10 * MS);
	int e;
	struct socket *a = so_accept(l, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(so_rcv_cc(a), 3000);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_rcvbyteafterwin, 500);
	/* The hook now says 0: the ACK offers a zero window. */
	w = 0;
	h_run(h, 300 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, 101 + 3000);
	ck_assert_uint_eq(h_last(h, 0)->win, 0);
	h_free(h);
}
END_TEST

/* A segment larger than the MTU is refused and counted. */
START_TEST(test_larger_than_mtu_refused)
{
	struct harness *h = h_new(3, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h->nif[0].mtu = 576;    /* the link shrank under us */
	uint8_t buf[1460] = { 0 };
	int n = h_count(h, 0);
	ck_assert_int_eq(so_send(rc.a, buf, sizeof buf), 1460);
	ck_assert_int_eq(h_count(h, 0), n);
	ck_assert_uint_eq(h->st[0]->ipstat.ips_toolong, 1);
	h_free(h);
}
END_TEST

START_TEST(test_socket_call_errors)
{
	struct harness *h = h_new(4, TRUE, NULL, 0);
	struct socket *a = so_socket(h->st[0]), *b = so_socket(h->st[0]);
	char c;
	int err;
	ck_assert_int_eq(so_bind(a, 0, 6000), 0);
	ck_assert_int_eq(so_bind(b, 0, 6000), -EADDRINUSE);
	ck_assert_int_eq(so_bind(a, 0, 6001), -EINVAL);
	ck_assert_int_eq(so_bind(b, IP_ADDR(1, 2, 3, 4), 6002), -EADDRNOTAVAIL);
	ck_assert_int_eq(so_send(b, "x", 1), -ENOTCONN);
	ck_assert_int_eq(so_recv(b, &c, 1), -ENOTCONN);
	ck_assert_ptr_null(so_accept(b, &err));
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_int_eq(so_listen(a, 5), 0);
	ck_assert_ptr_null(so_accept(a, &err));
	ck_assert_int_eq(err, -EWOULDBLOCK);
	ck_assert_int_eq(so_connect(a, H_ADDR_B, 1), -EOPNOTSUPP);
	ck_assert_int_eq(so_connect(b, H_ADDR_B, 4000), 0);
	ck_assert_int_eq(so_connect(b, H_ADDR_B, 4000), -EISCONN);
	ck_assert_int_eq(so_send(b, "x", 1), -EWOULDBLOCK);
	ck_assert_int_eq(so_setsockopt(b, SOOPT_SNDBUF, 16384), 0);
	int v;
	ck_assert_int_eq(so_getsockopt(b, SOOPT_SNDBUF, &v), 0);
	ck_assert_int_eq(v, 16384);
	ck_assert_int_eq(so_setsockopt(b, SOOPT_RCVBUF, 1 << 30), -ENOBUFS);
	/* Closing a listener refuses further SYNs with a RST. */
	so_close(a);
	h_raw_send(h, TH_SYN, 1, 0, 8192, NULL, 0, NULL, 0);
	h_run(h, 20 * MS);
	ck_assert(h_last(h, 0)->flags & TH_RST);
	so_close(b);
	h_free(h);
}
END_TEST

/* A RST or a bare ACK to a listener: dropped / answered with a RST. */
START_TEST(test_listener_ignores_rst_resets_ack)
{
	struct harness *h = h_new(5, TRUE, NULL, 0);
	struct socket *l = so_socket(h->st[0]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	h_raw_send(h, TH_RST, 1, 0, 0, NULL, 0, NULL, 0);
	h_run(h, 20 * MS);
	ck_assert_int_eq(h_count(h, 0), 0);
	h_raw_send(h, TH_ACK, 1, 77, 8192, NULL, 0, NULL, 0);
	h_run(h, 20 * MS);
	ck_assert_int_eq(h_last(h, 0)->flags, TH_RST);
	ck_assert_uint_eq(h_last(h, 0)->seq, 77);
	ck_assert_int_eq(so_tcp_state(l), TCPS_LISTEN);
	ck_assert_int_eq(l->so_q0.length, 0);
	h_free(h);
}
END_TEST

/* Linux 2.0: a small PSH segment is ACKed after 20 ms. */
START_TEST(test_linux20_small_push_acked_after_20ms)
{
	struct harness *h = h_new(6, TRUE, &tcp_personality_linux20, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_raw_data(h, &rc, 0, 10, 0);           /* quick-ACK: at once */
	h_run(h, 100 * MS);
	rc.bnxt += 10;
	sim_time_t t = sim_now(h->sim) + h->delay;
	h_raw_data(h, &rc, 0, 10, TH_PUSH);
	h_run(h, 200 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt + 10);
	/* 20 ms, then the next 10 ms jiffy tick. */
	ck_assert_int_ge(h_last(h, 0)->t - t, 20 * MS);
	ck_assert_int_lt(h_last(h, 0)->t - t, 30 * MS);
	h_free(h);
}
END_TEST

/*
 * An output hook that hands frames synchronously to the peer stack: the
 * peer answers from inside our tcp_output.  The stacks queue such input
 * (ipintrq) until they are out of TCP; the transfer must still work.
 */
static gboolean
hook_direct(void *ctx, ip_stack *st, sim_pkt *f)
{
	ip_stack_input(ctx, f);
	return TRUE;
}

START_TEST(test_synchronous_peer_reentrancy)
{
	struct harness *h = h_new(7, FALSE, NULL, 0);
	ip_stack_set_output_hook(h->st[0], hook_direct, h->st[1]);
	ip_stack_set_output_hook(h->st[1], hook_direct, h->st[0]);
	struct h_bulk b;
	h_bulk_start(h, &b, 200000, 5000);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	ck_assert_uint_eq(b.rcv.rcvd, 200000);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	h_free(h);
}
END_TEST

/*
 * Zero-copy sends: the socket buffer references the caller's buffers;
 * a segment spanning more buffers than a packet has records is copied.
 * The receiver sees the exact byte stream.
 */
struct zc {
	struct harness *h;
	struct socket *so;
	int next, n, len;
	uint64_t off;
};

static void
zc_push(struct socket *so, void *ctx, int ev)
{
	struct zc *z = ctx;
	while (z->next < z->n) {
		sim_buf *b = sim_buf_new((uint32_t)z->len + 10);
		for (int i = 0; i < z->len; i++)
			b->data[5 + i] = h_pattern(z->off + (uint64_t)i);
		ssize_t r = so_send_buf(so, b, 5, (uint32_t)z->len);
		sim_buf_unref(b);
		if (r < z->len) {
			/* all or nothing for this test: the buffer is small */
			ck_assert_int_le(r, 0);
			return;
		}
		z->off += (uint64_t)z->len;
		z->next++;
	}
	if (z->so) {
		so_close(z->so);
		z->so = NULL;
	}
}

START_TEST(test_zero_copy_send_buf)
{
	struct harness *h = h_new(8, FALSE, NULL, 0);
	struct h_bulk b;
	h_bulk_start(h, &b, 0, 8192);   /* receiver side and connection */
	struct zc z = { .h = h, .so = b.snd.so, .n = 500, .len = 100 };
	b.snd.closed = TRUE;            /* the bulk sender stays idle */
	so_set_upcall(b.snd.so, zc_push, &z);
	h_run(h, 100 * MS);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	ck_assert_uint_eq(b.rcv.rcvd, 50000);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	/* Full segments although every write was 100 bytes. */
	int full = 0;
	for (int i = 0; i < h_count(h, 0); i++)
		full += h_sent(h, 0, i)->len == 1460;
	ck_assert_int_gt(full, 25);
	h_free(h);
	ck_assert_uint_eq(sim_buf_live(), 0);
}
END_TEST

/* SO_LINGER with 0: close sends a RST instead of a FIN. */
START_TEST(test_linger_zero_close_sends_rst)
{
	struct harness *h = h_new(9, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	ck_assert_int_eq(so_setsockopt(rc.a, SOOPT_LINGER, 0), 0);
	int v;
	so_getsockopt(rc.a, SOOPT_LINGER, &v);
	ck_assert_int_eq(v, 0);
	so_close(rc.a);
	h_run(h, 1 * MS);
	const struct h_seg *r = h_last(h, 0);
	ck_assert(r->flags & TH_RST);
	ck_assert(!(r->flags & TH_FIN));
	ck_assert_uint_eq(r->seq, rc.anxt);
	ck_assert_ptr_eq(tcp_tcb_first(h->st[0]), so_tcpcb(rc.l));
	ck_assert_ptr_null(tcp_tcb_next(h->st[0], tcp_tcb_first(h->st[0])));
	h_free(h);
}
END_TEST

/*
 * Segment demultiplexing (in_pcblookup): the newest block with both ends
 * wins (a TIME_WAIT block and a new connection with the same ends), the
 * older one takes over when it goes, and a segment for no connection
 * finds the listener only when a wildcard match is allowed.
 */
START_TEST(test_pcblookup_newest_exact_then_listener)
{
	struct harness *h = h_new(3, TRUE, NULL, 0);
	ip_stack *st = h->st[0];
	struct socket *l = so_socket(st);
	ck_assert_int_eq(so_bind(l, 0, 80), 0);
	ck_assert_int_eq(so_listen(l, 5), 0);
	struct socket *old = so_socket(st);
	ck_assert_int_eq(so_connect(old, H_ADDR_B, 1000), 0);
	uint16_t lport = old->inp_lport;
	/* A newer block given the same ends by hand (as a listener's new
	 * connection for a pair still in TIME_WAIT would be). */
	struct socket *nu = so_socket(st);
	nu->inp_laddr = H_ADDR_A;
	nu->inp_lport = lport;
	nu->inp_faddr = H_ADDR_B;
	nu->inp_fport = 1000;
	tcp_pcb_index(so_tcpcb(nu));
	ck_assert_ptr_eq(tcp_pcblookup(st, H_ADDR_B, 1000, H_ADDR_A, lport,
				       TRUE), so_tcpcb(nu));
	(void)tcp_close(so_tcpcb(nu));
	ck_assert_ptr_eq(tcp_pcblookup(st, H_ADDR_B, 1000, H_ADDR_A, lport,
				       TRUE), so_tcpcb(old));
	/* Nobody has these ends: the listener, if wildcards are allowed. */
	ck_assert_ptr_eq(tcp_pcblookup(st, H_ADDR_B, 1001, H_ADDR_A, 80, TRUE),
			 so_tcpcb(l));
	ck_assert_ptr_null(tcp_pcblookup(st, H_ADDR_B, 1001, H_ADDR_A, 80,
					 FALSE));
	ck_assert_ptr_null(tcp_pcblookup(st, H_ADDR_B, 1001, H_ADDR_A, 81,
					 TRUE));
	/* The connected block left the wildcard index when it connected;
	 * with the listener gone nothing answers on port 80. */
	so_close(l);
	ck_assert_ptr_null(tcp_pcblookup(st, H_ADDR_B, 1001, H_ADDR_A, 80,
					 TRUE));
	ck_assert_ptr_null(tcp_pcblookup(st, H_ADDR_B, 1001, H_ADDR_A, lport,
					 TRUE));
	h_free(h);
}
END_TEST

static Suite *
api_suite(void)
{
	Suite *s = suite_create("tcp_api");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_output_hook_sees_frames_and_enobufs_quenches);
	tcase_add_test(tc, test_rcvwin_hook_sets_advertised_window);
	tcase_add_test(tc, test_larger_than_mtu_refused);
	tcase_add_test(tc, test_socket_call_errors);
	tcase_add_test(tc, test_listener_ignores_rst_resets_ack);
	tcase_add_test(tc, test_linux20_small_push_acked_after_20ms);
	tcase_add_test(tc, test_synchronous_peer_reentrancy);
	tcase_add_test(tc, test_zero_copy_send_buf);
	tcase_add_test(tc, test_linger_zero_close_sends_rst);
	tcase_add_test(tc, test_pcblookup_newest_exact_then_listener);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(api_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
