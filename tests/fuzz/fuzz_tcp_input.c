/*
 * fuzz_tcp_input.c - arbitrary frames into ip_input/tcp_input.
 *
 * The stack under test (side A of the tcp_bsd test harness, tests/tcp_bsd/
 * tcp_harness.h) has a listening socket and, unless the first input byte
 * says otherwise, one connection established with the raw peer B.  The
 * rest of the input is a list of records, each delivered to A after
 * advancing the clock:
 *
 *	ctl:1  dt:1  len:2 (little-endian, capped at 1600)  bytes:len
 *
 * ctl & 3 says how much of the frame the fuzzer builds, so that inputs
 * reach past the checksum tests without the fuzzer having to find them:
 *	0  bytes are a whole Ethernet frame, delivered as they are;
 *	1  bytes are an IP packet: an Ethernet header is put in front;
 *	2  as 1, and the IP header's addresses, lengths and checksum and the
 *	   TCP checksum are fixed up (everything else stays arbitrary);
 *	3  bytes are seq delta:4 ack delta:4 flags:1 win:2 optlen:1 opt data:
 *	   a well-formed segment of the connection (or, with ctl & 0x20, of
 *	   a new one to the listener), seq and ack relative to what each
 *	   side sent last.
 * ctl & 0x04: the application reads what it can afterwards; & 0x08: it
 * writes 1000 bytes; & 0x10: it closes (with ctl & 0x40: shuts down only
 * the writing side).  dt is milliseconds to run first (255: 30 s, so that
 * timers fire).  After the last record the simulation runs two more
 * minutes, then everything is freed (the sanitizers check the teardown).
 */
#include <string.h>

#include "tcp_harness.h"
#include "tcp_wire.h"
#include "fuzz.h"

#define MAXREC 1600

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static void
deliver(struct harness *h, const uint8_t *ip, uint32_t len)
{
	uint8_t f[ETHER_HDR_LEN + MAXREC + 64];
	memcpy(f + ETH_OFF_DST, mac_a, 6);
	memcpy(f + ETH_OFF_SRC, mac_b, 6);
	wire_put16(f + ETH_OFF_TYPE, ETHERTYPE_IP);
	memcpy(f + ETHER_HDR_LEN, ip, len);
	h_raw_frame(h, f, ETHER_HDR_LEN + len);
}

/* Fix addresses, lengths and checksums of an arbitrary IP packet. */
static void
fixup(uint8_t *ip, uint32_t len)
{
	if (len < IP_HDR_LEN)
		return;
	uint32_t hlen = (uint32_t)(ip[IP_OFF_VHL] & 0x0f) * 4;
	if (hlen < IP_HDR_LEN || hlen > len)
		hlen = IP_HDR_LEN;
	ip[IP_OFF_VHL] = (uint8_t)(IPVERSION << 4 | hlen / 4);
	wire_put16(ip + IP_OFF_LEN, (uint16_t)len);
	ip[IP_OFF_P] = IPPROTO_TCP;
	wire_put32(ip + IP_OFF_SRC, H_ADDR_B);
	wire_put32(ip + IP_OFF_DST, H_ADDR_A);
	wire_put16(ip + IP_OFF_SUM, 0);
	gboolean odd = FALSE;
	wire_put16(ip + IP_OFF_SUM,
		   in_cksum_fold(in_cksum_add(0, ip, hlen, &odd)));
	uint8_t *th = ip + hlen;
	uint32_t tlen = len - hlen;
	if (tlen < TCP_OFF_SUM + 2)
		return;
	wire_put16(th + TCP_OFF_SUM, 0);
	uint32_t sum = in_pseudo(H_ADDR_B, H_ADDR_A, IPPROTO_TCP, tlen);
	odd = FALSE;
	sum = in_cksum_add(sum, th, tlen, &odd);
	wire_put16(th + TCP_OFF_SUM, in_cksum_fold(sum));
}

/* A well-formed segment from B built from a few fuzzed fields. */
static void
segment(struct harness *h, struct h_rawconn *rc, gboolean fresh,
	const uint8_t *b, uint32_t len)
{
	uint8_t rec[12] = { 0 };
	memcpy(rec, b, MIN(len, sizeof rec));
	uint32_t used = MIN(len, sizeof rec);
	uint32_t optlen = MIN((uint32_t)(rec[11] & 0x3f), 40u);
	optlen = MIN(optlen, len - used);
	const uint8_t *opt = b + used;
	used += optlen;
	optlen &= ~3u; /* tcp_fill_hdr wants whole words */
	sim_pkt *p = sim_pkt_new();
	if (len > used)
		sim_pkt_append_copy(p, b + used, len - used);
	uint32_t seq = rc->bnxt + wire_get32(rec);
	uint32_t ack = rc->anxt + wire_get32(rec + 4);
	tcp_fill_hdr(p, H_ADDR_B, H_ADDR_A, fresh ? H_PORT_RAW + 1 : H_PORT_RAW,
		     H_PORT_STACK, seq, ack, rec[8], wire_get16(rec + 9), opt,
		     optlen);
	ip_encap(p, H_ADDR_B, H_ADDR_A, 0, 64, NULL, NULL);
	uint8_t buf[IP_HDR_LEN + 60 + MAXREC];
	uint32_t n = sim_pkt_len(p);
	g_assert(n <= sizeof buf);
	sim_pkt_copy_out(p, 0, n, buf);
	sim_pkt_unref(p);
	deliver(h, buf, n);
	if (!fresh && len > used)
		rc->bnxt = seq + (len - used);
}

/* The newest sequence number A sent, so that deltas stay near it. */
static void
track(struct harness *h, struct h_rawconn *rc)
{
	const struct h_seg *s = h_last(h, 0);
	if (s && s->dport == H_PORT_RAW)
		rc->anxt = s->seq + s->len + !!(s->flags & (TH_SYN | TH_FIN));
}

static struct socket *
sock_of(struct h_rawconn *rc)
{
	return rc->a ? rc->a : NULL;
}

/*
 * A listener on A and, if `connect`, a connection from B accepted on it
 * (h_raw_connect does the same, but asserts with Check, which works only
 * inside a Check test).
 */
static void
raw_connect(struct harness *h, struct h_rawconn *rc, gboolean connect)
{
	static const uint8_t opt[4] = { TCPOPT_MAXSEG, 4, 1460 >> 8,
					1460 & 0xff };
	int err;

	memset(rc, 0, sizeof *rc);
	rc->l = so_socket(h->st[0]);
	g_assert_cmpint(so_bind(rc->l, 0, H_PORT_STACK), ==, 0);
	g_assert_cmpint(so_listen(rc->l, 5), ==, 0);
	rc->bnxt = 100000;
	rc->bwin = 8192;
	if (!connect)
		return;
	h_raw_send(h, TH_SYN, rc->bnxt, 0, rc->bwin, NULL, 0, opt, 4);
	rc->bnxt++;
	h_run(h, 2 * h->delay);
	const struct h_seg *sa = h_last(h, 0);
	g_assert_nonnull(sa);
	g_assert_cmpint(sa->flags, ==, TH_SYN | TH_ACK);
	rc->anxt = sa->seq + 1;
	h_raw_send(h, TH_ACK, rc->bnxt, rc->anxt, rc->bwin, NULL, 0, NULL, 0);
	h_run(h, h->delay + 1);
	rc->a = so_accept(rc->l, &err);
	g_assert_nonnull(rc->a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const struct tcp_personality *pers[4] = {
		&tcp_personality_bsd44, &tcp_personality_sunos41,
		&tcp_personality_linux20, &tcp_personality_linux22,
	};
	uint8_t mode = data[0];
	struct harness *h = h_new(1, TRUE, pers[mode & 3], mode & 4 ? 1 : 0);
	struct h_rawconn rc;
	raw_connect(h, &rc, !(mode & 8));
	size_t i = 1;
	uint8_t scratch[MAXREC];
	char rbuf[4096];
	static const char wbuf[1000];
	while (i + 4 <= size) {
		uint8_t ctl = data[i], dt = data[i + 1];
		uint32_t len = (uint32_t)data[i + 2] | (uint32_t)data[i + 3] << 8;
		i += 4;
		len = MIN(len, MAXREC);
		len = MIN(len, (uint32_t)(size - i));
		const uint8_t *b = data + i;
		i += len;
		h_run(h, dt == 255 ? 30 * SIM_S : dt * SIM_MS);
		track(h, &rc);
		switch (ctl & 3) {
		case 0:
			h_raw_frame(h, b, len);
			break;
		case 1:
			deliver(h, b, len);
			break;
		case 2:
			memcpy(scratch, b, len);
			fixup(scratch, len);
			deliver(h, scratch, len);
			break;
		case 3:
			segment(h, &rc, (ctl & 0x20) != 0, b, len);
			break;
		}
		h_run(h, 1);
		if (!rc.a && rc.l) {
			int err;
			rc.a = so_accept(rc.l, &err);
		}
		struct socket *so = sock_of(&rc);
		if (so && (ctl & 0x04))
			while (so_recv(so, rbuf, sizeof rbuf) > 0)
				;
		if (so && (ctl & 0x08))
			so_send(so, wbuf, sizeof wbuf);
		if (so && (ctl & 0x10)) {
			if (ctl & 0x40) {
				so_shutdown(so, SO_SHUT_WR);
			} else {
				so_close(so);
				rc.a = NULL;
			}
		}
	}
	h_run(h, 120 * SIM_S);
	h_free(h);
	return 0;
}
