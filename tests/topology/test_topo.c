/*
 * test_topo.c - the switch (models/ethernet/eth_switch.c), the serial WAN
 * link (models/wan) and the router (models/router).  One behaviour per
 * test; every expected time and count is worked out here by hand from
 * the frame sizes, rates and delays, not taken from a run.
 */
#include "models/ethernet/eth.h"
#include "models/router/router.h"
#include "models/wan/wan.h"

#include <check.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------ */

static sim_pkt *
frame_to(const uint8_t dst[6], const uint8_t src[6], uint32_t len)
{
	sim_pkt *p = sim_pkt_new();
	uint8_t *buf = g_malloc0(len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	sim_pkt_append_copy(p, buf, len);
	g_free(buf);
	return p;
}

typedef struct rxlog {
	sim_t *sim;
	GArray *t;
} rxlog;

static void
rx_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	rxlog *r = upper;
	sim_time_t now = sim_now(r->sim);
	g_array_append_val(r->t, now);
	sim_pkt_unref(frame);
}

static rxlog *
rxlog_on(sim_t *sim, sim_netif *nif)
{
	rxlog *r = g_new0(rxlog, 1);
	r->sim = sim;
	r->t = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
	nif->input = rx_input;
	nif->upper = r;
	return r;
}

static void
rxlog_free(rxlog *r)
{
	g_array_free(r->t, TRUE);
	g_free(r);
}

/* A 10 Mb/s switch with n stations (MAC 02:00:00:00:00:0i+1), 100 m
 * cables, no PHY delay. */
static eth_switch *
make_switch(sim_t *sim, int n, eth_nic **nic, uint32_t ring,
	    const eth_switch_params *sp)
{
	eth_switch *sw = eth_switch_new(sim, "sw", sp);
	for (int i = 0; i < n; i++) {
		eth_nic_params np = eth_nic_params_default(10 * SIM_MBPS);
		np.ring_depth = ring;
		eth_mac_from_index(np.mac, (uint32_t)i + 1);
		char name[16];
		g_snprintf(name, sizeof name, "s%d", i);
		nic[i] = eth_nic_new(sim, name, &np);
		eth_link_params lp = eth_link_params_default();
		eth_switch_attach(sw, nic[i], name, &lp);
	}
	return sw;
}

/* Frame of 1514 bytes (1518 with FCS) at 10 Mb/s: 8 + 1518 bytes on the
 * wire = 12208 bit times = 1220.8 us; with the 96-bit gap 1230.4 us. */
#define SER_1518 1220800
#define GAP_10 9600
/* 100 m at 5.56 ns/m. */
#define CABLE_100M 556

/* ---- switch ------------------------------------------------------- */

/*
 * A single frame from one station to another: received whole at the
 * switch (serialisation + cable), forwarded after the latency, sent
 * again (serialisation + cable).
 */
START_TEST(test_switch_store_and_forward_delay_exact)
{
	sim_t *sim = sim_new(1);
	eth_nic *nic[3];
	eth_switch_params sp = eth_switch_params_default(10 * SIM_MBPS);
	sp.latency = 7 * SIM_US;
	make_switch(sim, 3, nic, 32, &sp);
	rxlog *r = rxlog_on(sim, eth_nic_netif(nic[2]));
	rxlog *other = rxlog_on(sim, eth_nic_netif(nic[1]));
	uint8_t dst[6];
	eth_mac_from_index(dst, 3);
	ck_assert(sim_netif_output(eth_nic_netif(nic[0]),
				   frame_to(dst, eth_nic_netif(nic[0])->mac,
					    1514)));
	sim_run_until(sim, SIM_S);
	ck_assert_uint_eq(r->t->len, 1);
	ck_assert_int_eq(g_array_index(r->t, sim_time_t, 0),
			 2 * SER_1518 + 7000 + 2 * CABLE_100M);
	/* Unicast to a known port goes there only. */
	ck_assert_uint_eq(other->t->len, 0);
	ck_assert_uint_eq(eth_nic_get_stats(nic[1])->rx_filtered, 0);
	rxlog_free(r);
	rxlog_free(other);
	sim_free(sim);
}
END_TEST

struct burst {
	eth_nic *nic;
	uint8_t dst[6];
	int n;
};

static void
burst_ev(void *ctx, void *arg)
{
	struct burst *b = ctx;
	for (int i = 0; i < b->n; i++)
		ck_assert(sim_netif_output(
		    eth_nic_netif(b->nic),
		    frame_to(b->dst, eth_nic_netif(b->nic)->mac, 1514)));
}

/*
 * Two pairs through one switch, both saturated: each receiver gets a
 * frame every 1230.4 us (the full rate of its port), nobody collides.
 */
START_TEST(test_switch_two_pairs_both_at_full_rate)
{
	sim_t *sim = sim_new(1);
	eth_nic *nic[4];
	eth_switch_params sp = eth_switch_params_default(10 * SIM_MBPS);
	make_switch(sim, 4, nic, 64, &sp);
	rxlog *r2 = rxlog_on(sim, eth_nic_netif(nic[2]));
	rxlog *r3 = rxlog_on(sim, eth_nic_netif(nic[3]));
	struct burst b0 = {nic[0], {0}, 50}, b1 = {nic[1], {0}, 50};
	eth_mac_from_index(b0.dst, 3);
	eth_mac_from_index(b1.dst, 4);
	sim_at(sim, 0, burst_ev, &b0, NULL);
	sim_at(sim, 0, burst_ev, &b1, NULL);
	sim_run_until(sim, SIM_S);
	rxlog *rs[2] = {r2, r3};
	for (int k = 0; k < 2; k++) {
		ck_assert_uint_eq(rs[k]->t->len, 50);
		for (guint i = 1; i < rs[k]->t->len; i++)
			ck_assert_int_eq(g_array_index(rs[k]->t, sim_time_t, i) -
					     g_array_index(rs[k]->t, sim_time_t,
							   i - 1),
					 SER_1518 + GAP_10);
	}
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(eth_nic_get_stats(nic[i])->collisions, 0);
	rxlog_free(r2);
	rxlog_free(r3);
	sim_free(sim);
}
END_TEST

/*
 * Two stations send n frames each to a third at the same time: the
 * output port gets two frames per 1230.4 us and sends one.  At the k-th
 * pair's arrival (k = 0, 1, ...), k frames have left the port (the port
 * is busy from the first), so it holds accepted - k; each of the pair is
 * taken if that is below the limit Q.  Worked out here, then compared.
 */
START_TEST(test_switch_output_queue_drops_past_limit_exactly)
{
	const int n = 40;
	const uint32_t Q = 8;
	sim_t *sim = sim_new(1);
	eth_nic *nic[3];
	eth_switch_params sp = eth_switch_params_default(10 * SIM_MBPS);
	sp.port_queue = Q;
	eth_switch *sw = make_switch(sim, 3, nic, 64, &sp);
	rxlog *r = rxlog_on(sim, eth_nic_netif(nic[2]));
	struct burst b0 = {nic[0], {0}, n}, b1 = {nic[1], {0}, n};
	eth_mac_from_index(b0.dst, 3);
	eth_mac_from_index(b1.dst, 3);
	sim_at(sim, 0, burst_ev, &b0, NULL);
	sim_at(sim, 0, burst_ev, &b1, NULL);
	sim_run_until(sim, 2 * SIM_S);

	uint64_t accepted = 0, drops = 0, maxq = 0;
	for (int k = 0; k < n; k++) {
		for (int j = 0; j < 2; j++) {
			uint64_t held = accepted - (uint64_t)k;
			if (held >= Q) {
				drops++;
			} else {
				accepted++;
				if (held + 1 > maxq)
					maxq = held + 1;
			}
		}
	}
	ck_assert_uint_gt(drops, 0);
	eth_switch_port_stats ps = eth_switch_get_port_stats(sw, 2);
	ck_assert_uint_eq(ps.drops, drops);
	ck_assert_uint_eq(eth_switch_get_stats(sw)->drops, drops);
	ck_assert_uint_eq(ps.max_queue, maxq);
	ck_assert_uint_eq(r->t->len, accepted);
	ck_assert_uint_eq(ps.frames_out, accepted);
	ck_assert_uint_eq(2 * (uint64_t)n, accepted + drops);
	rxlog_free(r);
	sim_free(sim);
}
END_TEST

/* A broadcast reaches every station but its sender, once each. */
START_TEST(test_switch_floods_broadcast_to_other_ports)
{
	sim_t *sim = sim_new(1);
	eth_nic *nic[4];
	eth_switch_params sp = eth_switch_params_default(10 * SIM_MBPS);
	eth_switch *sw = make_switch(sim, 4, nic, 8, &sp);
	rxlog *r[4];
	for (int i = 0; i < 4; i++)
		r[i] = rxlog_on(sim, eth_nic_netif(nic[i]));
	static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	ck_assert(sim_netif_output(eth_nic_netif(nic[1]),
				   frame_to(bc, eth_nic_netif(nic[1])->mac, 60)));
	sim_run_until(sim, SIM_S);
	for (int i = 0; i < 4; i++) {
		ck_assert_uint_eq(r[i]->t->len, i == 1 ? 0 : 1);
		rxlog_free(r[i]);
	}
	ck_assert_uint_eq(eth_switch_get_stats(sw)->flooded, 1);
	sim_free(sim);
}
END_TEST

/* ---- WAN ---------------------------------------------------------- */

/* A 1500-byte IP packet in a 14-byte Ethernet envelope, to end 1. */
static sim_pkt *
ip_frame(const uint8_t *dst_mac, uint32_t ip_len)
{
	static const uint8_t src[6] = {2, 0, 0, 0, 0, 9};
	sim_pkt *p = frame_to(dst_mac, src, 14 + ip_len);
	return p;
}

/*
 * T1 (1.544 Mb/s), 10 ms: a 1500-byte packet takes (1500 + 8) x 8 bits
 * / 1.544 Mb/s = 7813471.5 ns (rounded up: 7813472) on the line, and
 * arrives 10 ms after its last bit.
 */
START_TEST(test_wan_delay_is_serialisation_plus_propagation)
{
	sim_t *sim = sim_new(1);
	wan_link_params p = wan_link_params_default(1544000);
	p.delay = 10 * SIM_MS;
	wan_link *wl = wan_link_new(sim, "w", &p);
	rxlog *r = rxlog_on(sim, wan_link_end(wl, 1));
	ck_assert(sim_netif_output(wan_link_end(wl, 0),
				   ip_frame(wan_link_mac(wl, 1), 1500)));
	sim_run_until(sim, SIM_S);
	ck_assert_uint_eq(r->t->len, 1);
	ck_assert_int_eq(g_array_index(r->t, sim_time_t, 0),
			 7813472 + 10000000);
	ck_assert_uint_eq(wan_link_get_stats(wl, 0)->bytes, 1500);
	rxlog_free(r);
	sim_free(sim);
}
END_TEST

/* Queue of 5: of 12 packets offered at once 5 are taken, 7 refused and
 * counted; the 5 arrive back to back, one line time apart. */
START_TEST(test_wan_queue_is_drop_tail_and_counted)
{
	sim_t *sim = sim_new(1);
	wan_link_params p = wan_link_params_default(2000000);
	p.queue = 5;
	wan_link *wl = wan_link_new(sim, "w", &p);
	rxlog *r = rxlog_on(sim, wan_link_end(wl, 1));
	int taken = 0;
	for (int i = 0; i < 12; i++) {
		sim_pkt *f = ip_frame(wan_link_mac(wl, 1), 992);
		if (sim_netif_output(wan_link_end(wl, 0), f))
			taken++;
		else
			sim_pkt_unref(f);
	}
	sim_run_until(sim, SIM_S);
	ck_assert_int_eq(taken, 5);
	ck_assert_uint_eq(wan_link_get_stats(wl, 0)->drops, 7);
	ck_assert_uint_eq(wan_link_get_stats(wl, 0)->max_queue, 5);
	ck_assert_uint_eq(r->t->len, 5);
	/* (992 + 8) x 8 / 2 Mb/s = 4 ms each. */
	for (guint i = 0; i < r->t->len; i++)
		ck_assert_int_eq(g_array_index(r->t, sim_time_t, i),
				 (sim_time_t)(i + 1) * 4 * SIM_MS);
	rxlog_free(r);
	sim_free(sim);
}
END_TEST

/* ---- router ------------------------------------------------------- */

/* A recording netif: what the router sends out of it. */
typedef struct fakeif {
	sim_netif nif;
	GPtrArray *out;
} fakeif;

static gboolean
fake_output(sim_netif *nif, sim_pkt *frame)
{
	fakeif *f = nif->impl;
	g_ptr_array_add(f->out, frame);
	return TRUE;
}

static uint32_t
fake_free(const sim_netif *nif)
{
	return 100;
}

static void
fake_init(fakeif *f, uint8_t last)
{
	memset(f, 0, sizeof *f);
	f->nif.output = fake_output;
	f->nif.tx_ring_free = fake_free;
	f->nif.impl = f;
	f->nif.mtu = 1500;
	uint8_t mac[6] = {2, 0, 0, 0, 1, last};
	memcpy(f->nif.mac, mac, 6);
	f->out = g_ptr_array_new_with_free_func((GDestroyNotify)sim_pkt_unref);
}

/* RFC 1071 over a header, written out independently of router.c. */
static uint16_t
sum16(const uint8_t *p, int n)
{
	uint32_t s = 0;
	for (int i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4 packet src -> dst with this TTL, to the router's MAC. */
static sim_pkt *
ipv4(const uint8_t *to_mac, uint32_t src, uint32_t dst, uint8_t ttl,
     gboolean good_sum)
{
	uint8_t b[14 + 40] = {0};
	memcpy(b, to_mac, 6);
	b[6] = 2;
	b[11] = 0x77;
	b[12] = 0x08;
	uint8_t *ip = b + 14;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = ttl;
	ip[9] = 6;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	uint16_t c = sum16(ip, 20);
	if (!good_sum)
		c ^= 1;
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	sim_pkt *p = sim_pkt_new();
	sim_pkt_append_copy(p, b, sizeof b);
	return p;
}

#define A_NET 0x0a000000u /* 10.0/16 */
#define B_NET 0x0a010000u /* 10.1/16 */
#define C_NET 0x0a020000u /* 10.2/16, behind another router on B */

START_TEST(test_router_forwards_decrements_ttl_and_counts_expiry)
{
	sim_t *sim = sim_new(1);
	fakeif a, b;
	fake_init(&a, 1);
	fake_init(&b, 2);
	router *rt = router_new(sim, "r");
	int ia = router_add_if(rt, &a.nif, A_NET + 1, 0xffff0000u, 50);
	int ib = router_add_if(rt, &b.nif, B_NET + 1, 0xffff0000u, 50);
	(void)ia;
	const uint8_t hb[6] = {2, 0, 0, 0, 2, 5}, r2[6] = {2, 0, 0, 0, 2, 9};
	router_add_neighbour(rt, ib, B_NET + 5, hb);
	router_add_neighbour(rt, ib, B_NET + 9, r2);
	router_add_route(rt, C_NET, 0xffff0000u, ib, B_NET + 9);

	/* TTL 64 to a host on B: out on B to its MAC, TTL 63, checksum
	 * still right. */
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, B_NET + 5, 64, TRUE));
	ck_assert_uint_eq(b.out->len, 1);
	sim_pkt *f = g_ptr_array_index(b.out, 0);
	uint8_t hdr[34];
	sim_pkt_copy_out(f, 0, sizeof hdr, hdr);
	ck_assert_mem_eq(hdr, hb, 6);
	ck_assert_mem_eq(hdr + 6, b.nif.mac, 6);
	ck_assert_uint_eq(hdr[14 + 8], 63);
	ck_assert_uint_eq(sum16(hdr + 14, 20), 0);
	/* To C: through the next router. */
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, C_NET + 3, 2, TRUE));
	ck_assert_uint_eq(b.out->len, 2);
	sim_pkt_copy_out(g_ptr_array_index(b.out, 1), 0, 6, hdr);
	ck_assert_mem_eq(hdr, r2, 6);
	/* TTL 1 and 0: dropped, counted. */
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, B_NET + 5, 1, TRUE));
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, B_NET + 5, 0, TRUE));
	/* Bad checksum; unknown subnet; for the router itself. */
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, B_NET + 5, 64, FALSE));
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, 0x0a090001u, 64, TRUE));
	a.nif.input(a.nif.upper, &a.nif,
		    ipv4(a.nif.mac, A_NET + 7, B_NET + 1, 64, TRUE));
	ck_assert_uint_eq(b.out->len, 2);
	ck_assert_uint_eq(a.out->len, 0);
	const router_stats *st = router_get_stats(rt);
	ck_assert_uint_eq(st->ips_total, 7);
	ck_assert_uint_eq(st->ips_forward, 2);
	ck_assert_uint_eq(st->ips_ttlexpired, 2);
	ck_assert_uint_eq(st->ips_badsum, 1);
	ck_assert_uint_eq(st->ips_noroute, 1);
	ck_assert_uint_eq(st->ips_cantforward, 1);
	g_ptr_array_free(a.out, TRUE);
	g_ptr_array_free(b.out, TRUE);
	sim_free(sim);
}
END_TEST

static Suite *
topo_suite(void)
{
	Suite *s = suite_create("topology");
	TCase *tc = tcase_create("switch");
	tcase_add_test(tc, test_switch_store_and_forward_delay_exact);
	tcase_add_test(tc, test_switch_two_pairs_both_at_full_rate);
	tcase_add_test(tc, test_switch_output_queue_drops_past_limit_exactly);
	tcase_add_test(tc, test_switch_floods_broadcast_to_other_ports);
	suite_add_tcase(s, tc);
	tc = tcase_create("wan");
	tcase_add_test(tc, test_wan_delay_is_serialisation_plus_propagation);
	tcase_add_test(tc, test_wan_queue_is_drop_tail_and_counted);
	suite_add_tcase(s, tc);
	tc = tcase_create("router");
	tcase_add_test(tc, test_router_forwards_decrements_ttl_and_counts_expiry);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(topo_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
