/*
 * test_tcp_input.c - tcp_input's slow path: reassembly, RST in every
 * state, bad input, fast retransmit and recovery, header prediction.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"

#define MS SIM_MS

static int
read_all(struct socket *so, uint8_t *buf, int max)
{
	int n = 0;
	for (;;) {
		ssize_t r = so_recv(so, buf + n, (size_t)(max - n));
		if (r <= 0)
			return n;
		n += (int)r;
	}
}

/* Out-of-order and overlapping segments are put together exactly. */
START_TEST(test_reassembly_out_of_order_overlapping)
{
	struct harness *h = h_new(1, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_raw_data(h, &rc, 1000, 1000, 0);
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt);
	h_raw_data(h, &rc, 500, 1000, 0);       /* overlaps the next */
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt);
	h_raw_data(h, &rc, 1900, 600, 0);       /* overlaps the previous */
	h_run(h, 6 * MS);
	h_raw_data(h, &rc, 1200, 300, 0);       /* entirely duplicate */
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_rcvduppack, 1);
	ck_assert_uint_eq(so_rcv_cc(rc.a), 0);
	h_raw_data(h, &rc, 0, 700, 0);          /* fills the hole */
	h_run(h, 6 * MS);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt + 2500);
	ck_assert_uint_eq(so_rcv_cc(rc.a), 2500);
	uint8_t buf[4000];
	ck_assert_int_eq(read_all(rc.a, buf, sizeof buf), 2500);
	for (int i = 0; i < 2500; i++)
		ck_assert_int_eq(buf[i], h_pattern((uint64_t)i));
	ck_assert_uint_eq(so_tcpcb(rc.a)->t_reass == NULL, 1);
	h_free(h);
}
END_TEST

/* A FIN that arrives before the data it follows waits in the queue. */
START_TEST(test_reassembly_fin_before_data)
{
	struct harness *h = h_new(2, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	h_raw_data(h, &rc, 500, 500, TH_FIN);
	h_run(h, 6 * MS);
	ck_assert_int_eq(so_tcp_state(rc.a), TCPS_ESTABLISHED);
	h_raw_data(h, &rc, 0, 500, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(so_tcp_state(rc.a), TCPS_CLOSE_WAIT);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt + 1001);
	uint8_t buf[2000];
	ck_assert_int_eq(read_all(rc.a, buf, sizeof buf), 1000);
	ck_assert_int_eq(so_recv(rc.a, buf, 10), 0);
	h_free(h);
}
END_TEST

/* RST ------------------------------------------------------------------ */

static void
send_rst(struct harness *h, struct h_rawconn *rc)
{
	h_raw_send(h, TH_RST, rc->bnxt, 0, 0, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
}

START_TEST(test_rst_in_syn_sent_refuses)
{
	struct harness *h = h_new(3, TRUE, NULL, 0);
	struct socket *a = so_socket(h->st[0]);
	so_bind(a, 0, H_PORT_STACK);
	so_connect(a, H_ADDR_B, H_PORT_RAW);
	h_run(h, 6 * MS);
	const struct h_seg syn = *h_sent(h, 0, 0); /* the log may move */
	/* A RST without an acceptable ACK is ignored. */
	h_raw_send(h, TH_RST, 0, 0, 0, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(so_tcp_state(a), TCPS_SYN_SENT);
	h_raw_send(h, TH_RST | TH_ACK, 0, syn.seq + 1, 0, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(so_tcp_state(a), -1);
	ck_assert_int_eq(a->so_error, ECONNREFUSED);
	so_close(a);
	h_free(h);
}
END_TEST

START_TEST(test_rst_in_syn_received_aborts_child)
{
	struct harness *h = h_new(4, TRUE, NULL, 0);
	struct socket *l = so_socket(h->st[0]);
	so_bind(l, 0, H_PORT_STACK);
	so_listen(l, 5);
	h_raw_send(h, TH_SYN, 5000, 0, 8192, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(l->so_q0.length, 1);
	h_raw_send(h, TH_RST, 5001, 0, 0, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(l->so_q0.length, 0);
	ck_assert_ptr_eq(tcp_tcb_first(h->st[0]), so_tcpcb(l));
	ck_assert_ptr_null(tcp_tcb_next(h->st[0], tcp_tcb_first(h->st[0])));
	so_close(l);
	h_free(h);
}
END_TEST

START_TEST(test_rst_in_established_resets)
{
	struct harness *h = h_new(5, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	/* Outside the window: ignored (and not answered with a RST). */
	h_raw_send(h, TH_RST, rc.bnxt + 100000, 0, 0, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(so_tcp_state(rc.a), TCPS_ESTABLISHED);
	send_rst(h, &rc);
	ck_assert_int_eq(so_tcp_state(rc.a), -1);
	ck_assert_int_eq(rc.a->so_error, ECONNRESET);
	int err;
	ck_assert_int_eq(so_getsockopt(rc.a, SOOPT_ERROR, &err), 0);
	ck_assert_int_eq(err, ECONNRESET);
	ck_assert_int_eq(so_send(rc.a, "x", 1), -EPIPE);
	h_free(h);
}
END_TEST

/* Bring A's connection into a closing state, then RST it. */
static void
rst_in_state(int target)
{
	struct harness *h = h_new(6, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	switch (target) {
	case TCPS_CLOSE_WAIT:
		h_raw_send(h, TH_FIN | TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0,
			   NULL, 0);
		rc.bnxt++;
		break;
	case TCPS_FIN_WAIT_1:
		so_shutdown(rc.a, SO_SHUT_WR);
		break;
	case TCPS_FIN_WAIT_2:
		so_shutdown(rc.a, SO_SHUT_WR);
		h_raw_send(h, TH_ACK, rc.bnxt, rc.anxt + 1, 8192, NULL, 0, NULL,
			   0);
		break;
	case TCPS_CLOSING:
		so_shutdown(rc.a, SO_SHUT_WR);
		h_raw_send(h, TH_FIN | TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0,
			   NULL, 0);
		rc.bnxt++;
		break;
	case TCPS_LAST_ACK:
		h_raw_send(h, TH_FIN | TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0,
			   NULL, 0);
		rc.bnxt++;
		h_run(h, 6 * MS);
		so_shutdown(rc.a, SO_SHUT_WR);
		break;
	case TCPS_TIME_WAIT:
		so_shutdown(rc.a, SO_SHUT_WR);
		h_raw_send(h, TH_FIN | TH_ACK, rc.bnxt, rc.anxt + 1, 8192, NULL,
			   0, NULL, 0);
		rc.bnxt++;
		break;
	}
	h_run(h, 6 * MS);
	ck_assert_msg(so_tcp_state(rc.a) == target, "state %d, wanted %d",
		      so_tcp_state(rc.a), target);
	send_rst(h, &rc);
	ck_assert_int_eq(so_tcp_state(rc.a), -1);
	h_free(h);
}

START_TEST(test_rst_in_closing_states)
{
	rst_in_state(TCPS_CLOSE_WAIT);
	rst_in_state(TCPS_FIN_WAIT_1);
	rst_in_state(TCPS_FIN_WAIT_2);
	rst_in_state(TCPS_CLOSING);
	rst_in_state(TCPS_LAST_ACK);
	rst_in_state(TCPS_TIME_WAIT);
}
END_TEST

/* A segment for no connection is answered with a RST. */
START_TEST(test_segment_to_closed_port_gets_rst)
{
	struct harness *h = h_new(7, TRUE, NULL, 0);
	h_raw_send(h, TH_SYN, 777, 0, 8192, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	const struct h_seg *r = h_last(h, 0);
	ck_assert_int_eq(r->flags, TH_RST | TH_ACK);
	ck_assert_uint_eq(r->ack, 778);
	ck_assert_uint_eq(r->seq, 0);
	/* An ACK gets a RST with seq = its ack. */
	h_raw_send(h, TH_ACK, 777, 4242, 8192, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	r = h_last(h, 0);
	ck_assert_int_eq(r->flags, TH_RST);
	ck_assert_uint_eq(r->seq, 4242);
	/* A RST is never answered. */
	int n = h_count(h, 0);
	h_raw_send(h, TH_RST, 777, 0, 0, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(h_count(h, 0), n);
	ck_assert_uint_eq(h->st[0]->tcpstat.tcps_noport, 3);
	h_free(h);
}
END_TEST

/* Bad input ------------------------------------------------------------ */

static void
fix_tcp_cksum(uint8_t *f, uint32_t len)
{
	uint8_t *ip = f + ETHER_HDR_LEN;
	uint32_t hl = (ip[0] & 0xf) * 4;
	uint32_t tlen = wire_get16(ip + IP_OFF_LEN) - hl;
	uint8_t *th = ip + hl;
	gboolean odd = FALSE;
	wire_put16(th + TCP_OFF_SUM, 0);
	uint32_t sum = in_pseudo(wire_get32(ip + IP_OFF_SRC),
				 wire_get32(ip + IP_OFF_DST), IPPROTO_TCP, tlen);
	sum = in_cksum_add(sum, th, tlen, &odd);
	wire_put16(th + TCP_OFF_SUM, in_cksum_fold(sum));
}

static void
fix_ip_cksum(uint8_t *f)
{
	uint8_t *ip = f + ETHER_HDR_LEN;
	gboolean odd = FALSE;
	wire_put16(ip + IP_OFF_SUM, 0);
	wire_put16(ip + IP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, ip, (ip[0] & 0xf) * 4, &odd)));
}

/* Turn a TCP frame into an ICMP message of the given type and code
 * quoting it; returns the new frame length. */
static uint32_t
make_icmp(uint8_t *f, uint32_t n, uint8_t type, uint8_t code)
{
	uint8_t *ip = f + ETHER_HDR_LEN, quote[IP_HDR_LEN + 8];
	uint8_t *icp = ip + IP_HDR_LEN;
	gboolean odd = FALSE;
	/* The quoted datagram: the frame's IP header with the addresses
	 * swapped (a segment we sent) and its first 8 TCP bytes, ports
	 * swapped too. */
	memcpy(quote, ip, sizeof quote);
	memcpy(quote + IP_OFF_SRC, ip + IP_OFF_DST, 4);
	memcpy(quote + IP_OFF_DST, ip + IP_OFF_SRC, 4);
	memcpy(quote + IP_HDR_LEN, ip + IP_HDR_LEN + 2, 2);
	memcpy(quote + IP_HDR_LEN + 2, ip + IP_HDR_LEN, 2);
	memset(icp, 0, ICMP_MINLEN);
	icp[ICMP_OFF_TYPE] = type;
	icp[ICMP_OFF_CODE] = code;
	memcpy(icp + ICMP_MINLEN, quote, sizeof quote);
	wire_put16(icp + ICMP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, icp, ICMP_ADVLENMIN, &odd)));
	ip[IP_OFF_P] = IPPROTO_ICMP;
	wire_put16(ip + IP_OFF_LEN, IP_HDR_LEN + ICMP_ADVLENMIN);
	fix_ip_cksum(f);
	(void)n;
	return ETHER_HDR_LEN + IP_HDR_LEN + ICMP_ADVLENMIN;
}

/* ICMP input: bad messages and types TCP does not use are counted and
 * dropped; unreachable and quench reach the connection. */
START_TEST(test_icmp_input_counted)
{
	struct harness *h = h_new(8, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	struct icmpstat *ics = &h->st[0]->icmpstat;
	uint8_t f[2000];
	uint32_t n;
	int sent = h_count(h, 0);

	/* An echo request: ignored (we never answer). */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	n = make_icmp(f, n, 8, 0);
	h_raw_frame(h, f, n);
	/* A bad checksum. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	n = make_icmp(f, n, ICMP_UNREACH, ICMP_UNREACH_PORT);
	f[n - 1] ^= 0x55;
	h_raw_frame(h, f, n);
	/* Unreachable with a code beyond 5. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	n = make_icmp(f, n, ICMP_UNREACH, 13);
	h_raw_frame(h, f, n);
	/* Too short for a quoted header. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	n = make_icmp(f, n, ICMP_SOURCEQUENCH, 0);
	h_raw_frame(h, f, n - 4);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(ics->icps_ignored, 1);
	ck_assert_uint_eq(ics->icps_checksum, 1);
	ck_assert_uint_eq(ics->icps_badcode, 1);
	ck_assert_uint_eq(ics->icps_unreach + ics->icps_quench, 0);
	/* Port unreachable: a soft error, the connection lives. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	n = make_icmp(f, n, ICMP_UNREACH, ICMP_UNREACH_PORT);
	h_raw_frame(h, f, n);
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	n = make_icmp(f, n, ICMP_SOURCEQUENCH, 0);
	h_raw_frame(h, f, n);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(ics->icps_unreach, 1);
	ck_assert_uint_eq(ics->icps_quench, 1);
	ck_assert_int_eq(so_tcpcb(rc.a)->t_softerror, ECONNREFUSED);
	ck_assert_uint_eq(so_tcpcb(rc.a)->snd_cwnd, so_tcpcb(rc.a)->t_maxseg);
	ck_assert_int_eq(so_tcp_state(rc.a), TCPS_ESTABLISHED);
	/* Nothing was answered. */
	ck_assert_int_eq(h_count(h, 0), sent);
	h_free(h);
}
END_TEST

START_TEST(test_bad_input_counted_and_dropped)
{
	struct harness *h = h_new(8, TRUE, NULL, 0);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	struct ipstat *ips = &h->st[0]->ipstat;
	struct tcpstat *tcs = &h->st[0]->tcpstat;
	uint8_t f[2000], data[100];
	memset(data, 'x', sizeof data);
	uint32_t n;
	int sent = h_count(h, 0);

	/* Bad TCP checksum. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, data, 100);
	f[n - 1] ^= 0x55;
	h_raw_frame(h, f, n);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(tcs->tcps_rcvbadsum, 1);
	/* Bad IP checksum. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, data, 100);
	f[ETHER_HDR_LEN + IP_OFF_TTL] ^= 1;
	h_raw_frame(h, f, n);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(ips->ips_badsum, 1);
	/* TCP header length below 20 and beyond the segment. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	f[ETHER_HDR_LEN + IP_HDR_LEN + TCP_OFF_OFF] = 4 << 4;
	fix_tcp_cksum(f, n);
	h_raw_frame(h, f, n);
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	f[ETHER_HDR_LEN + IP_HDR_LEN + TCP_OFF_OFF] = 15 << 4;
	fix_tcp_cksum(f, n);
	h_raw_frame(h, f, n);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(tcs->tcps_rcvbadoff, 2);
	/* IP header length, version, total length, truncation. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	f[ETHER_HDR_LEN] = 0x44;
	fix_ip_cksum(f);
	h_raw_frame(h, f, n);
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	f[ETHER_HDR_LEN] = 0x65;
	h_raw_frame(h, f, n);
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, data, 100);
	h_raw_frame(h, f, n - 10);
	h_raw_frame(h, f, ETHER_HDR_LEN + 10);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(ips->ips_badhlen, 1);
	ck_assert_uint_eq(ips->ips_badvers, 1);
	ck_assert_uint_eq(ips->ips_tooshort, 1);
	ck_assert_uint_eq(ips->ips_toosmall, 1);
	/* Not IP, and a fragment. */
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	f[12] = 0x86;
	f[13] = 0xdd;
	h_raw_frame(h, f, n);
	n = h_build_frame(h, f, TH_ACK, rc.bnxt, rc.anxt, 8192, NULL, 0);
	wire_put16(f + ETHER_HDR_LEN + IP_OFF_OFF, IP_MF);
	fix_ip_cksum(f);
	h_raw_frame(h, f, n);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(ips->ips_badether, 1);
	ck_assert_uint_eq(ips->ips_fragdropped, 1);
	/* SYN|RST: odd flags, dropped (SYN|FIN is processed, as Lite). */
	n = h_build_frame(h, f, TH_SYN | TH_RST, rc.bnxt, 0, 8192, NULL, 0);
	h_raw_frame(h, f, n);
	h_run(h, 1 * MS);
	ck_assert_uint_eq(tcs->tcps_badflags, 1);
	/* None of it was answered, and no data was taken. */
	ck_assert_int_eq(h_count(h, 0), sent);
	ck_assert_uint_eq(so_rcv_cc(rc.a), 0);
	ck_assert_int_eq(so_tcp_state(rc.a), TCPS_ESTABLISHED);

	/* Beyond the window: dropped, answered with an ACK. */
	h_raw_send(h, TH_ACK, rc.bnxt + 50000, rc.anxt, 8192, data, 100, NULL,
		   0);
	h_run(h, 6 * MS);
	ck_assert_uint_eq(tcs->tcps_rcvpackafterwin, 1);
	ck_assert_int_eq(h_count(h, 0), sent + 1);
	ck_assert_uint_eq(h_last(h, 0)->ack, rc.bnxt);
	ck_assert_uint_eq(so_rcv_cc(rc.a), 0);
	/* An ACK for data never sent: dropped after an ACK. */
	h_raw_send(h, TH_ACK, rc.bnxt, rc.anxt + 5000, 8192, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_uint_eq(tcs->tcps_rcvacktoomuch, 1);
	/* A SYN in the window resets the connection. */
	h_raw_send(h, TH_SYN, rc.bnxt, 0, 8192, NULL, 0, NULL, 0);
	h_run(h, 6 * MS);
	ck_assert_int_eq(so_tcp_state(rc.a), -1);
	ck_assert(h_last(h, 0)->flags & TH_RST);
	h_free(h);
}
END_TEST

/* Random bytes and mutated segments: counted, never a crash. */
START_TEST(test_fuzz_never_crashes)
{
	struct harness *h = h_new(9, TRUE, NULL, 1);
	struct h_rawconn rc;
	h_raw_connect(h, &rc, 8192, 1460);
	gsl_rng *r = sim_rng(h->sim, "test.fuzz");
	uint8_t f[1600];
	for (int i = 0; i < 20000; i++) {
		uint8_t data[64];
		uint32_t dl = (uint32_t)gsl_rng_uniform_int(r, 64);
		for (uint32_t k = 0; k < dl; k++)
			data[k] = (uint8_t)gsl_rng_get(r);
		uint32_t seq = (i & 1) ? rc.bnxt + (uint32_t)gsl_rng_uniform_int(r, 20000) - 10000
				       : (uint32_t)gsl_rng_get(r);
		uint32_t ack = (i & 2) ? rc.anxt + (uint32_t)gsl_rng_uniform_int(r, 200) - 100
				       : (uint32_t)gsl_rng_get(r);
		uint32_t n = h_build_frame(h, f, (uint8_t)gsl_rng_uniform_int(r, 64),
					   seq, ack, (uint16_t)gsl_rng_get(r),
					   data, dl);
		switch (gsl_rng_uniform_int(r, 4)) {
		case 0: /* valid checksums, random options area */
			if (n > 60) {
				f[ETHER_HDR_LEN + IP_HDR_LEN + TCP_OFF_OFF] =
				    (uint8_t)((5 + gsl_rng_uniform_int(r, 11)) << 4);
				fix_tcp_cksum(f, n);
			}
			break;
		case 1: /* flip random bytes */
			for (int k = 0; k < 3; k++)
				f[gsl_rng_uniform_int(r, n)] ^= (uint8_t)gsl_rng_get(r);
			break;
		case 2: /* flip bytes, then make the checksums right */
			for (int k = 0; k < 2; k++)
				f[ETHER_HDR_LEN + gsl_rng_uniform_int(r, n - ETHER_HDR_LEN)] ^=
				    (uint8_t)gsl_rng_get(r);
			if ((f[ETHER_HDR_LEN] & 0xf) >= 5 &&
			    ETHER_HDR_LEN + (f[ETHER_HDR_LEN] & 0xf) * 4u +
				    TCP_HDR_LEN <= n &&
			    wire_get16(f + ETHER_HDR_LEN + IP_OFF_LEN) + ETHER_HDR_LEN <= (int)n &&
			    wire_get16(f + ETHER_HDR_LEN + IP_OFF_LEN) >=
				(f[ETHER_HDR_LEN] & 0xf) * 4u + TCP_HDR_LEN) {
				fix_ip_cksum(f);
				fix_tcp_cksum(f, n);
			}
			break;
		default:
			n = (uint32_t)gsl_rng_uniform_int(r, n + 1);
			break;
		}
		h_raw_frame(h, f, n);
		if (i % 100 == 0)
			h_run(h, 10 * MS);
	}
	h_run(h, 300 * SIM_S);
	/* The frames did reach the stack and most were refused. */
	struct ipstat *ips = &h->st[0]->ipstat;
	struct tcpstat *tcs = &h->st[0]->tcpstat;
	uint64_t refused = ips->ips_badsum + ips->ips_badhlen +
	    ips->ips_badvers + ips->ips_tooshort + ips->ips_toosmall +
	    ips->ips_badlen + ips->ips_badether + ips->ips_cantforward +
	    ips->ips_noproto + ips->ips_fragdropped + tcs->tcps_rcvbadsum +
	    tcs->tcps_rcvbadoff + tcs->tcps_rcvshort;
	if (g_getenv("TCP_BSD_VERBOSE"))
		fprintf(stderr, "fuzz: ip total %llu refused %llu tcp %llu\n",
			(unsigned long long)ips->ips_total,
			(unsigned long long)refused,
			(unsigned long long)tcs->tcps_rcvtotal);
	ck_assert_uint_gt(refused, 8000);
	ck_assert_uint_gt(tcs->tcps_rcvtotal, 5000);
	h_free(h);
	ck_assert_uint_eq(sim_pkt_live(), 0);
}
END_TEST

/* Fast retransmit and recovery ----------------------------------------- */

struct fr_ctx {
	struct harness *h;
	int data_seen;
	uint32_t dropped_seq;
	int drop_nth;
	/* state of the sender after each frame it received */
	int n;
	uint32_t cwnd[4096], ssthresh[4096];
	int dupacks[4096];
	int rexmt_dupacks;
	uint32_t rexmt_cwnd;
};

static gboolean
fr_drop(void *ctx, const struct h_seg *s, int nth)
{
	struct fr_ctx *c = ctx;
	if (s->from != 0 || s->len == 0)
		return FALSE;
	if (s->seq == c->dropped_seq && c->data_seen > c->drop_nth) {
		struct tcpcb *tp = tcp_tcb_first(c->h->st[0]);
		c->rexmt_dupacks = tp->t_dupacks;
		c->rexmt_cwnd = tp->snd_cwnd;
	}
	if (++c->data_seen == c->drop_nth) {
		c->dropped_seq = s->seq;
		return TRUE;
	}
	return FALSE;
}

static void
fr_after(void *ctx, int to)
{
	struct fr_ctx *c = ctx;
	struct tcpcb *tp = tcp_tcb_first(c->h->st[0]);
	if (to != 0 || !tp || c->n >= 4096)
		return;
	c->cwnd[c->n] = tp->snd_cwnd;
	c->ssthresh[c->n] = tp->snd_ssthresh;
	c->dupacks[c->n] = tp->t_dupacks;
	c->n++;
}

START_TEST(test_fast_retransmit_and_recovery)
{
	struct tcp_personality p = tcp_personality_netbsd1; /* no mss/8 */
	p.sndbuf = p.rcvbuf = 32 * 1024;
	struct harness *h = h_new(10, FALSE, &p, 0);
	struct fr_ctx c = { .h = h, .drop_nth = 20 };
	h->drop = fr_drop;
	h->drop_ctx = &c;
	h->after_deliver = fr_after;
	h->after_ctx = &c;
	struct h_bulk b;
	h_bulk_start(h, &b, 100000, 8192);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	ck_assert_uint_eq(b.rcv.rcvd, 100000);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	struct tcpstat *ts = &h->st[0]->tcpstat;
	ck_assert_uint_eq(ts->tcps_fastrexmt, 1);
	ck_assert_uint_eq(ts->tcps_rexmttimeo, 0);
	ck_assert_uint_eq(ts->tcps_sndrexmitpack, 1);
	/* The retransmission went on the third duplicate ACK, cwnd 1 MSS. */
	ck_assert_int_eq(c.rexmt_dupacks, 3);
	ck_assert_uint_eq(c.rexmt_cwnd, 1460);
	/* Inflation: ssthresh + 3 MSS, then + 1 MSS per further dup ACK. */
	int i, seen3 = 0, seen4 = 0;
	for (i = 0; i < c.n; i++) {
		if (c.dupacks[i] >= 3) {
			ck_assert_uint_eq(c.cwnd[i],
					  c.ssthresh[i] + 1460u * (uint32_t)c.dupacks[i]);
			seen3 += c.dupacks[i] == 3;
			seen4 += c.dupacks[i] == 4;
		} else if (seen3) {
			break;
		}
	}
	ck_assert_int_eq(seen3, 1);
	ck_assert_int_ge(seen4, 1);
	/*
	 * Deflation on the new ACK: cwnd = ssthresh, then the ACK's own
	 * increment, a whole segment since cwnd is not above ssthresh.
	 */
	ck_assert_int_lt(i, c.n);
	ck_assert_int_eq(c.dupacks[i], 0);
	uint32_t st = c.ssthresh[i];
	ck_assert_uint_eq(c.cwnd[i], st + 1460u);
	/* The next ACK is in congestion avoidance: mss*mss/cwnd. */
	ck_assert_uint_eq(c.cwnd[i + 1], st + 1460u + 1460u * 1460u / (st + 1460u));
	h_free(h);
}
END_TEST

/* Header prediction takes the bulk of a clean one-way transfer. */
START_TEST(test_header_prediction_fast_paths)
{
	struct harness *h = h_new(11, FALSE, NULL, 0);
	struct h_bulk b;
	h_bulk_start(h, &b, 200000, 8192);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	ck_assert_uint_gt(h->st[1]->tcpstat.tcps_preddat, 100);
	ck_assert_uint_gt(h->st[0]->tcpstat.tcps_predack, 10);
	h_free(h);
}
END_TEST

/* RFC 1323: options negotiated and window scaled when both ask. */
START_TEST(test_rfc1323_negotiation)
{
	struct tcp_personality p = tcp_personality_bsd44;
	p.sndbuf = p.rcvbuf = 200 * 1024;
	struct harness *h = h_new(12, FALSE, &p, 1);
	struct h_bulk b;
	h_bulk_start(h, &b, 500000, 8192);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	const struct h_seg *syn = h_sent(h, 0, 0), *sa = h_sent(h, 1, 0);
	ck_assert_int_eq(syn->wscale, 2);       /* 200K needs shift 2 */
	ck_assert_int_eq(sa->wscale, 2);
	ck_assert(syn->ts && sa->ts);
	ck_assert_uint_eq(sa->ts_ecr, syn->ts_val);
	const struct h_seg *d = h_sent(h, 0, 3);
	ck_assert(d->ts);
	ck_assert_uint_eq(d->len, 1448);        /* 1460 - 12 */
	/* The advertised window is scaled: 200K >> 2 fits in 16 bits. */
	ck_assert_uint_gt(h_sent(h, 1, 2)->win, 40000);
	ck_assert_uint_eq(b.rcv.mismatches, 0);
	h_free(h);
	/* Off: no options but MSS. */
	h = h_new(12, FALSE, &p, 0);
	h_bulk_start(h, &b, 1000, 8192);
	ck_assert(h_bulk_run(h, &b, 60 * SIM_S));
	ck_assert_int_eq(h_sent(h, 0, 0)->wscale, -1);
	ck_assert(!h_sent(h, 0, 0)->ts);
	h_free(h);
}
END_TEST

/* RFC 1071's definition, a 16-bit word at a time, for comparison. */
static uint16_t
ref_cksum(const uint8_t *p, uint32_t len)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The checksum of a run summed in random pieces (odd lengths, odd
 * starts, any alignment) equals the definition's; all-zero and all-ones
 * data included. */
START_TEST(test_checksum_in_pieces_matches_definition)
{
	GRand *r = g_rand_new_with_seed(7);
	uint8_t buf[3000 + 8];
	for (int trial = 0; trial < 3000; trial++) {
		uint32_t len = (uint32_t)g_rand_int_range(r, 0, 3000);
		uint32_t shift = (uint32_t)g_rand_int_range(r, 0, 8);
		uint8_t *p = buf + shift;
		int fill = trial % 3;
		for (uint32_t k = 0; k < len; k++)
			p[k] = fill == 0 ? 0 : fill == 1 ? 0xff
					 : (uint8_t)g_rand_int(r);
		uint32_t sum = 0, at = 0;
		gboolean odd = FALSE;
		while (at < len) {
			uint32_t n = (uint32_t)g_rand_int_range(r, 1, 200);
			n = MIN(n, len - at);
			sum = in_cksum_add(sum, p + at, n, &odd);
			at += n;
		}
		ck_assert_uint_eq(in_cksum_fold(sum), ref_cksum(p, len));
	}
	g_rand_free(r);
}
END_TEST

/* In one piece: runs up to 64 KB at every alignment and odd length,
 * random data and the carry-heaviest (all ones), equal the definition's;
 * the wide sums' folding is exercised at every length mod 32. */
START_TEST(test_checksum_of_long_runs_matches_definition)
{
	enum { MAX = 65535 };
	GRand *r = g_rand_new_with_seed(11);
	uint8_t *buf = g_malloc(MAX + 16);
	for (int trial = 0; trial < 600; trial++) {
		uint32_t len = trial < 64 ? (uint32_t)trial
			     : (uint32_t)g_rand_int_range(r, 0, MAX + 1);
		uint32_t shift = (uint32_t)trial % 16;
		uint8_t *p = buf + shift;
		gboolean ones = trial % 4 == 1;
		for (uint32_t k = 0; k < len; k++)
			p[k] = ones ? 0xff : (uint8_t)g_rand_int(r);
		gboolean odd = FALSE;
		uint32_t sum = in_cksum_add(0, p, len, &odd);
		ck_assert_uint_eq(in_cksum_fold(sum), ref_cksum(p, len));
		/* Started at an odd offset of a running sum. */
		odd = FALSE;
		sum = in_cksum_add(0, p, len > 0 ? 1 : 0, &odd);
		if (len > 1)
			sum = in_cksum_add(sum, p + 1, len - 1, &odd);
		ck_assert_uint_eq(in_cksum_fold(sum), ref_cksum(p, len));
	}
	g_free(buf);
	g_rand_free(r);
}
END_TEST

/* A packet's sum over payload records of a frozen buffer (taken from its
 * word sums) equals the definition's over the same bytes: header bytes of
 * odd and even lengths, records at odd and even offsets of the buffer,
 * any range of the packet. */
START_TEST(test_checksum_of_frozen_payload_matches_definition)
{
	GRand *r = g_rand_new_with_seed(13);
	sim_buf *pat = sim_buf_new(9001);
	for (uint32_t i = 0; i < pat->size; i++)
		pat->data[i] = (uint8_t)g_rand_int(r);
	sim_buf_freeze(pat);
	uint8_t flat[SIM_PKT_HDR_ROOM + 3 * 9001];
	for (int trial = 0; trial < 3000; trial++) {
		sim_pkt *p = sim_pkt_new();
		uint32_t h = (uint32_t)g_rand_int_range(r, 0, 61);
		uint8_t *hd = sim_pkt_push(p, h);
		for (uint32_t k = 0; k < h; k++)
			hd[k] = trial % 5 == 0 ? 0xff : (uint8_t)g_rand_int(r);
		int nrec = g_rand_int_range(r, 0, SIM_PKT_MAX_REC + 1);
		for (int k = 0; k < nrec; k++) {
			uint32_t off = (uint32_t)g_rand_int_range(r, 0, 9001);
			uint32_t len = (uint32_t)g_rand_int_range(r, 0,
								  9001 - off + 1);
			if (len > 0)
				sim_pkt_append_ref(p, pat, off, len);
		}
		uint32_t total = sim_pkt_len(p);
		uint32_t from = total ? (uint32_t)g_rand_int_range(r, 0, total + 1)
				      : 0;
		uint32_t n = total - from > 0
				     ? (uint32_t)g_rand_int_range(r, 0,
							     total - from + 1)
				     : 0;
		sim_pkt_copy_out(p, from, n, flat);
		uint32_t sum = in_cksum_pkt(0, p, from, n);
		ck_assert_uint_eq(in_cksum_fold(sum), ref_cksum(flat, n));
		sim_pkt_unref(p);
	}
	sim_buf_unref(pat);
	g_rand_free(r);
}
END_TEST

static Suite *
input_suite(void)
{
	Suite *s = suite_create("tcp_input");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_checksum_in_pieces_matches_definition);
	tcase_add_test(tc, test_checksum_of_long_runs_matches_definition);
	tcase_add_test(tc, test_checksum_of_frozen_payload_matches_definition);
	tcase_add_test(tc, test_reassembly_out_of_order_overlapping);
	tcase_add_test(tc, test_reassembly_fin_before_data);
	tcase_add_test(tc, test_rst_in_syn_sent_refuses);
	tcase_add_test(tc, test_rst_in_syn_received_aborts_child);
	tcase_add_test(tc, test_rst_in_established_resets);
	tcase_add_test(tc, test_rst_in_closing_states);
	tcase_add_test(tc, test_segment_to_closed_port_gets_rst);
	tcase_add_test(tc, test_bad_input_counted_and_dropped);
	tcase_add_test(tc, test_fuzz_never_crashes);
	tcase_add_test(tc, test_fast_retransmit_and_recovery);
	tcase_add_test(tc, test_header_prediction_fast_paths);
	tcase_add_test(tc, test_rfc1323_negotiation);
	tcase_add_test(tc, test_icmp_input_counted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(input_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
