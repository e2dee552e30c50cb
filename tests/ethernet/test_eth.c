/*
 * test_eth.c - the Ethernet model: CSMA/CD on a hub, the full-duplex
 * link, the NIC's ring and address filter.  One behaviour per test; the
 * statistical tests use many seeds and bounds of several standard
 * deviations, so they fail for a wrong model, not by bad luck.
 */
#include "lan.h"
#include "sim/pcap.h"

#include <glib/gstdio.h>

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------- */

static sim_pkt *
frame_to(const uint8_t dst[6], const uint8_t src[6], uint32_t bytes)
{
	sim_pkt *p = sim_pkt_new();
	uint32_t payload = bytes - ETH_FCS_BYTES - ETH_HDR_BYTES;
	uint8_t *zeros = g_malloc0(payload);
	sim_pkt_append_copy(p, zeros, payload);
	g_free(zeros);
	uint8_t *h = sim_pkt_push(p, ETH_HDR_BYTES);
	memcpy(h, dst, 6);
	memcpy(h + 6, src, 6);
	h[12] = 0x88;
	h[13] = 0xb5;
	return p;
}

struct out_ev {
	eth_nic *nic;
	sim_pkt *frame;
};

static void
output_ev(void *ctx, void *arg)
{
	struct out_ev *e = ctx;
	ck_assert(sim_netif_output(eth_nic_netif(e->nic), e->frame));
	g_free(e);
}

/* Queue `frame` on `nic` at time t. */
static void
output_at(sim_t *sim, sim_time_t t, eth_nic *nic, sim_pkt *frame)
{
	struct out_ev *e = g_new(struct out_ev, 1);
	e->nic = nic;
	e->frame = frame;
	sim_at(sim, t, output_ev, e, NULL);
}

struct rx_log {
	GArray *t;
	GPtrArray *frames;
};

static void
rx_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	struct rx_log *r = upper;
	sim_time_t now = 0;
	(void)nif;
	g_array_append_val(r->t, now);
	g_ptr_array_add(r->frames, frame);
}

/* ---- one station ----------------------------------------------------- */

/*
 * Alone on the hub, a saturating station sends back to back: one frame
 * every (preamble + frame + 96 bit times), from t = 0, exactly.
 */
static void
check_line_rate(uint32_t frame_bytes, sim_rate_t rate)
{
	lan_opts o = lan_opts_default();
	o.stations = 1;
	o.frame_bytes = frame_bytes;
	o.rate = rate;
	lan *l = lan_new(&o);
	sim_time_t wire = lan_wire(l, frame_bytes);
	sim_time_t period = wire + eth_bit_time(ETH_IFG_BITS, rate);
	sim_time_t T = 100 * SIM_MS;

	sim_run_until(l->sim, T);
	/* Frame k ends at k * period + wire. */
	uint64_t expect = (uint64_t)((T - wire) / period) + 1;
	const eth_nic_stats *st = eth_nic_get_stats(l->nic[0]);
	ck_assert_uint_eq(st->frames_sent, expect);
	/* The hot path: three events per frame (release, end of frame,
	 * delivery to the sink), one more for the source's start. */
	ck_assert_uint_le(l->sim->events, 3 * expect + 4);
	ck_assert_uint_eq(st->collisions, 0);
	ck_assert_uint_eq(l->log->len, expect);
	for (guint k = 0; k < l->log->len; k++)
		ck_assert_int_eq(g_array_index(l->log, lan_tx, k).end,
				 (sim_time_t)k * period + wire);
	/* The sink got all but those still in flight at T. */
	const eth_nic_stats *sk = eth_nic_get_stats(l->sink);
	ck_assert_uint_ge(sk->frames_received + 1, expect);
	ck_assert_uint_eq(sk->bytes_received,
			  sk->frames_received * (frame_bytes - ETH_FCS_BYTES));
	/* Utilisation is the line-rate bound (preamble + frame) / period,
	 * up to the partial period at the end of the window (a frame that
	 * started in the window counts whole). */
	double bound = (double)wire / (double)period;
	double u = eth_hub_utilization(l->hub);
	ck_assert_double_le(u, bound + (double)wire / (double)T + 1e-12);
	ck_assert_double_ge(u, bound - (double)period / (double)T);
	lan_free(l);
}

START_TEST(test_one_station_sends_at_line_rate_bound)
{
	check_line_rate(ETH_MAX_FRAME, 10 * SIM_MBPS);
	check_line_rate(ETH_MIN_FRAME, 10 * SIM_MBPS);
	check_line_rate(512, 100 * SIM_MBPS);
	/* 1518 B at 10 Mb/s: 12304 bits per 1538 bytes -> 812.7 frames/s. */
	ck_assert_int_eq(
	    sim_tx_time(ETH_PREAMBLE_BYTES + ETH_MAX_FRAME, 10 * SIM_MBPS) +
		eth_bit_time(ETH_IFG_BITS, 10 * SIM_MBPS),
	    1230400);
}
END_TEST

START_TEST(test_short_frames_are_padded_on_the_wire)
{
	ck_assert_uint_eq(eth_wire_bytes(14), 72);
	ck_assert_uint_eq(eth_wire_bytes(60), 72);
	ck_assert_uint_eq(eth_wire_bytes(61), 73);
	ck_assert_uint_eq(eth_wire_bytes(1514), 1526);
}
END_TEST

/* ---- two stations: backoff odds and capture -------------------------- */

/*
 * Two saturating stations collide at t = 0.  Keep the runs in which that
 * first collision resolved at once (one station, W, got through after one
 * collision).  Then W's next frame (first attempt) meets L's waiting
 * frame (second attempt): W draws r in {0,1}, L in {0..3}, so W wins with
 * odds 5/8, they collide again with 2/8, L wins with 1/8.
 */
START_TEST(test_second_round_odds_are_5_2_1_eighths)
{
	int trials = 0, w_wins = 0, ties = 0, l_wins = 0;
	for (uint64_t seed = 1; trials < 8000; seed++) {
		lan_opts o = lan_opts_default();
		o.seed = seed;
		o.frame_bytes = ETH_MIN_FRAME;
		lan *l = lan_new(&o);
		l->stop_after = 1;
		sim_run(l->sim);
		int w = g_array_index(l->log, lan_tx, 0).station, lo = 1 - w;
		const eth_nic_stats *sw = eth_nic_get_stats(l->nic[w]);
		const eth_nic_stats *sl = eth_nic_get_stats(l->nic[lo]);
		if (sw->collisions != 1 || sl->collisions != 1) {
			lan_free(l);
			continue;
		}
		trials++;
		l->stop_after = 2;
		sim_run(l->sim);
		int second = g_array_index(l->log, lan_tx, 1).station;
		ck_assert_uint_ge(sw->collisions, 2); /* the second round */
		if (sw->collisions > 2)
			ties++;
		else if (second == w)
			w_wins++;
		else
			l_wins++;
		lan_free(l);
	}
	double n = trials;
	double pw = w_wins / n, pt = ties / n, pl = l_wins / n;
	fprintf(stderr, "second round over %d runs: W %.4f tie %.4f L %.4f\n",
		trials, pw, pt, pl);
	/* 4.5 standard deviations of a binomial proportion. */
#define WITHIN(p, q) (fabs((p) - (q)) <= 4.5 * sqrt((q) * (1 - (q)) / n))
	ck_assert_msg(WITHIN(pw, 5.0 / 8), "W wins %.4f, expected 0.625", pw);
	ck_assert_msg(WITHIN(pt, 2.0 / 8), "ties %.4f, expected 0.25", pt);
	ck_assert_msg(WITHIN(pl, 1.0 / 8), "L wins %.4f, expected 0.125", pl);
#undef WITHIN
}
END_TEST

/*
 * Capture: the winner's attempt count restarts at zero with every frame
 * while the loser's grows, so one station sends long runs.  With fair
 * alternation runs would be 1 long, with fair coin flips 2 on average.
 */
START_TEST(test_capture_effect_gives_long_runs)
{
	double mean_sum = 0;
	guint longest = 0;
	int seeds = 5;
	for (int s = 1; s <= seeds; s++) {
		lan_opts o = lan_opts_default();
		o.seed = (uint64_t)s;
		o.frame_bytes = ETH_MAX_FRAME;
		lan *l = lan_new(&o);
		sim_run_until(l->sim, 2 * SIM_S);
		guint runs = 0, cur = 0;
		int last = -1;
		for (guint k = 0; k < l->log->len; k++) {
			int st = g_array_index(l->log, lan_tx, k).station;
			if (st != last) {
				runs++;
				cur = 0;
				last = st;
			}
			if (++cur > longest)
				longest = cur;
		}
		ck_assert_uint_gt(l->log->len, 1000);
		mean_sum += (double)l->log->len / runs;
		lan_free(l);
	}
	double mean = mean_sum / seeds;
	fprintf(stderr, "capture: mean run %.2f frames, longest %u\n", mean,
		longest);
	ck_assert_msg(mean >= 20.0, "mean run length %.2f", mean);
	ck_assert_msg(longest >= 100, "longest run %u", longest);
}
END_TEST

/* ---- deferral ------------------------------------------------------- */

/*
 * B gets a frame while A's frame is passing its port: B waits for the
 * carrier to drop there, then the full gap, and starts at
 * (end of A's carrier at B) + 96 bit times.
 */
START_TEST(test_frame_queued_during_reception_starts_after_gap)
{
	lan_opts o = lan_opts_default();
	o.stations = 2;
	o.sources = FALSE;
	lan *l = lan_new(&o);
	eth_nic *a = l->nic[0], *b = l->nic[1];
	sim_time_t wire = lan_wire(l, ETH_MAX_FRAME);
	sim_time_t ifg = eth_bit_time(ETH_IFG_BITS, 10 * SIM_MBPS);

	output_at(l->sim, 0, a,
		  frame_to(l->sink->p.mac, a->p.mac, ETH_MAX_FRAME));
	output_at(l->sim, 500 * SIM_US, b,
		  frame_to(l->sink->p.mac, b->p.mac, ETH_MAX_FRAME));
	sim_run(l->sim);

	sim_time_t carrier_off_at_b = wire + eth_hub_path_delay(l->hub, 0, 1);
	ck_assert_uint_eq(l->log->len, 2);
	lan_tx tb = g_array_index(l->log, lan_tx, 1);
	ck_assert_int_eq(tb.station, 1);
	ck_assert_int_eq(tb.end - wire, carrier_off_at_b + ifg);
	ck_assert_uint_eq(eth_nic_get_stats(b)->deferrals, 1);
	ck_assert_uint_eq(eth_nic_get_stats(a)->deferrals, 0);
	ck_assert_uint_eq(eth_nic_get_stats(b)->collisions, 0);
	/* The path delay really is the cables and the repeater. */
	ck_assert_int_eq(eth_hub_path_delay(l->hub, 0, 1),
			 2 * eth_cable_delay(25000, 5560) +
			     l->hub->p.repeater_delay);
	lan_free(l);
}
END_TEST

/*
 * The deference replay itself, on a hand-made signal log: carrier that
 * returns in the first two thirds of the gap restarts it; carrier in the
 * last third does not hold a waiting station back; after the station's
 * own transmission the whole gap is timed without restart.  (On a single
 * hub the first case cannot arise from stations that obey the rules --
 * everything reaches a port at least 96 bit times after it went quiet --
 * so the log is written directly.)
 */
static void
put_sig(eth_hub *hub, int port, sim_time_t s, sim_time_t e)
{
	g_assert(hub->log_count < hub->log_cap);
	eth_sig *x =
	    &hub->log[(hub->log_first + hub->log_count) & (hub->log_cap - 1)];
	memset(x, 0, sizeof *x);
	x->seq = hub->first_seq + hub->log_count;
	x->port = port;
	x->s = s;
	x->e = e;
	hub->log_count++;
	/* What eth_hub_signal_start() keeps up to date. */
	if (e - s > hub->max_len)
		hub->max_len = e - s;
	hub->horizon = hub->max_len + 10 * SIM_MS;
}

static void
noop(void *ctx, void *arg)
{
}

static sim_time_t
release_at(lan *l, int port, sim_time_t t)
{
	sim_at(l->sim, t, noop, NULL, NULL);
	sim_run_until(l->sim, t);
	return eth_hub_release_time(l->hub, port);
}

START_TEST(test_gap_first_two_thirds_restart_last_third_commits)
{
	lan_opts o = lan_opts_default();
	o.stations = 3;
	o.sources = FALSE;
	sim_time_t bt = eth_bit_time(1, 10 * SIM_MBPS), ifg = 96 * bt;
	for (int v = 0; v < 6; v++) {
		lan *l = lan_new(&o);
		sim_time_t dab = eth_hub_path_delay(l->hub, 0, 1);
		sim_time_t dcb = eth_hub_path_delay(l->hub, 2, 1);
		sim_time_t off = 1000 * SIM_US + dab; /* A's end at B */
		put_sig(l->hub, 0, 0, 1000 * SIM_US);
		switch (v) {
		case 0: /* during A's frame: wait for the drop + gap */
			ck_assert_int_eq(release_at(l, 1, 500 * SIM_US),
					 off + ifg);
			break;
		case 1: /* C reaches B 40 bit times after the drop: restart */
			put_sig(l->hub, 2, off + 40 * bt - dcb,
				off + 40 * bt - dcb + 200 * SIM_US);
			ck_assert_int_eq(release_at(l, 1, 500 * SIM_US),
					 off + 40 * bt + 200 * SIM_US + ifg);
			break;
		case 2: /* ... 80 bit times after: released at off + 96 */
			put_sig(l->hub, 2, off + 80 * bt - dcb,
				off + 80 * bt - dcb + 200 * SIM_US);
			ck_assert_int_eq(release_at(l, 1, 500 * SIM_US),
					 off + ifg);
			/* asked again after that instant: wait for C */
			ck_assert_int_eq(release_at(l, 1, off + ifg + 1),
					 off + 80 * bt + 200 * SIM_US + ifg);
			break;
		case 3: /* asked in the quiet gap, then long after it */
			ck_assert_int_eq(release_at(l, 1, off + 10 * bt),
					 off + ifg);
			ck_assert_int_eq(release_at(l, 1, off + 500 * bt),
					 off + 500 * bt);
			break;
		case 4: /* own frame, then carrier 40 bit times later: no
			 * restart (wasTransmitting) */
			put_sig(l->hub, 1, 2000 * SIM_US, 2100 * SIM_US);
			put_sig(l->hub, 2, 2100 * SIM_US + 40 * bt - dcb,
				2300 * SIM_US);
			ck_assert_int_eq(release_at(l, 1, 2100 * SIM_US),
					 2100 * SIM_US + ifg);
			break;
		case 5: /* a station that never heard anything goes at once */
			ck_assert_int_eq(release_at(l, 1, 0), 0);
			break;
		}
		lan_free(l);
	}
}
END_TEST

/*
 * 802.3 4.2.8: after a busy period that contained the station's own
 * transmission, the whole gap is timed without restart (wasTransmitting).
 * Three stations on unequal cables, B (500 m) in the middle: B and A
 * (25 m) collide at 0; B's own jam ends at 96 bit times, A's fragment
 * reaches B later, so B's busy period ends at E = 96 bit times + the A-B
 * path.  C (1500 m), which has heard nothing yet, started at a time that
 * makes its carrier reach B 10 bit times into B's gap.  Asked at the end
 * of its gap, B is released then: its own jam, though over before the
 * others' fragments, still marks the busy period as its own.
 */
START_TEST(test_own_jam_keeps_gap_without_restart_unequal_cables)
{
	lan_opts o = lan_opts_default();
	o.stations = 3;
	o.sources = FALSE;
	o.cable_mm_of[0] = 25 * 1000;   /* A */
	o.cable_mm_of[1] = 500 * 1000;  /* B */
	o.cable_mm_of[2] = 1500 * 1000; /* C */
	lan *l = lan_new(&o);
	sim_time_t bt = eth_bit_time(1, 10 * SIM_MBPS), ifg = 96 * bt;
	sim_time_t pab = eth_hub_path_delay(l->hub, 0, 1);
	sim_time_t pac = eth_hub_path_delay(l->hub, 0, 2);
	sim_time_t pcb = eth_hub_path_delay(l->hub, 2, 1);
	sim_time_t e = 96 * bt + pab; /* B's busy period ends */
	sim_time_t sc = e + 10 * bt - pcb; /* C starts */
	/* C starts before anything reaches it: a legal start. */
	ck_assert_int_ge(sc, 0);
	ck_assert_int_lt(sc, pac);
	ck_assert_int_lt(pab, 64 * bt);
	put_sig(l->hub, 1, 0, 96 * bt);			/* B: preamble, jam */
	put_sig(l->hub, 0, 0, 96 * bt);			/* A: preamble, jam */
	put_sig(l->hub, 2, sc, pac + 32 * bt);		/* C: until A's jam */
	/* Asked inside the gap (C's carrier already on) and at its end. */
	ck_assert_int_eq(release_at(l, 1, e + 10 * bt + 1), e + ifg);
	ck_assert_int_eq(release_at(l, 1, e + ifg), e + ifg);
	lan_free(l);
}
END_TEST

/*
 * A frame cut short by a collision releases the stations deferring to
 * it early: A and C collide at t = 0 with full-size frames; B, queued
 * while the fragments pass, starts 96 bit times after the last fragment
 * has left its port, not after the frames as they were planned.
 */
START_TEST(test_truncated_frames_release_deferring_stations)
{
	lan_opts o = lan_opts_default();
	o.stations = 3;
	o.sources = FALSE;
	lan *l = lan_new(&o);
	eth_nic *a = l->nic[0], *b = l->nic[1], *c = l->nic[2];
	sim_time_t bt = eth_bit_time(1, 10 * SIM_MBPS);
	output_at(l->sim, 0, a,
		  frame_to(l->sink->p.mac, a->p.mac, ETH_MAX_FRAME));
	output_at(l->sim, 0, c,
		  frame_to(l->sink->p.mac, c->p.mac, ETH_MAX_FRAME));
	output_at(l->sim, 5 * SIM_US, b,
		  frame_to(l->sink->p.mac, b->p.mac, ETH_MAX_FRAME));
	/* Equal cables: each hears the other at D; the preamble (64 bit
	 * times) is longer than D, so each jams from 64 to 96 bit times. */
	sim_time_t d = eth_hub_path_delay(l->hub, 0, 2);
	ck_assert_int_lt(d, 64 * bt);
	sim_time_t frag_end_at_b = 96 * bt + eth_hub_path_delay(l->hub, 0, 1);
	sim_time_t expect = frag_end_at_b + 96 * bt;
	sim_run_until(l->sim, expect);
	ck_assert_uint_eq(eth_nic_get_stats(a)->collisions, 1);
	ck_assert_uint_eq(eth_nic_get_stats(c)->collisions, 1);
	ck_assert_int_eq(b->state, ETH_MAC_TX);
	ck_assert_int_eq(b->tx_start, expect);
	ck_assert_uint_eq(eth_nic_get_stats(b)->deferrals, 1);
	lan_free(l);
}
END_TEST

/* ---- 16 collisions ----------------------------------------------------- */

struct done_log {
	int calls, sent, failed;
	uint64_t coll_at_fail[4];
	eth_nic *nic;
};

static void
count_done(void *upper, sim_netif *nif, const sim_pkt *frame, gboolean sent)
{
	struct done_log *d = upper;
	d->calls++;
	if (sent) {
		d->sent++;
	} else {
		if (d->failed < 4)
			d->coll_at_fail[d->failed] =
			    eth_nic_get_stats(d->nic)->collisions;
		d->failed++;
	}
}

/*
 * Two stations with the same name draw the same backoffs from identical
 * random streams and, on equal cables, collide on every attempt.  The
 * 16th collision drops the frame (tx_done with sent = FALSE, counted as
 * excessive); the next frame starts counting from zero again, so it too
 * gets exactly 16 attempts.
 */
START_TEST(test_sixteenth_collision_drops_and_counts)
{
	lan_opts o = lan_opts_default();
	o.stations = 2;
	o.sources = FALSE;
	o.frame_bytes = 100;
	o.twin_name = "twin";
	lan *l = lan_new(&o);
	struct done_log d[2] = {{.nic = l->nic[0]}, {.nic = l->nic[1]}};
	for (int i = 0; i < 2; i++) {
		sim_netif *nif = eth_nic_netif(l->nic[i]);
		nif->tx_done = count_done;
		nif->upper = &d[i];
		for (int k = 0; k < 2; k++)
			ck_assert(sim_netif_output(
			    nif,
			    frame_to(l->sink->p.mac, l->nic[i]->p.mac, 100)));
	}
	sim_run(l->sim);
	for (int i = 0; i < 2; i++) {
		const eth_nic_stats *st = eth_nic_get_stats(l->nic[i]);
		ck_assert_int_eq(d[i].failed, 2);
		ck_assert_int_eq(d[i].sent, 0);
		ck_assert_uint_eq(d[i].coll_at_fail[0], 16);
		ck_assert_uint_eq(d[i].coll_at_fail[1], 32);
		ck_assert_uint_eq(st->excessive_collisions, 2);
		ck_assert_uint_eq(st->attempts, 32);
		ck_assert_uint_eq(st->frames_sent, 0);
		ck_assert_uint_eq(st->late_collisions, 0);
		ck_assert_int_gt(st->backoff_ns, 0);
	}
	/* Nothing but fragments reached the sink. */
	ck_assert_uint_eq(eth_nic_get_stats(l->sink)->frames_received, 0);
	ck_assert_uint_eq(eth_nic_get_stats(l->sink)->rx_fragments, 64);
	ck_assert_uint_eq(eth_hub_get_stats(l->hub)->collisions, 32);
	ck_assert_uint_eq(eth_hub_get_stats(l->hub)->frames, 0);
	lan_free(l);
}
END_TEST

/* ---- utilisation -------------------------------------------------------- */

/* Metcalfe and Boggs (1976): E = (P/C) / (P/C + W T), A = (1-1/Q)^(Q-1),
 * W = (1-A)/A, with P/C the frame time and T the slot time. */
static double
metcalfe_boggs(int q, uint32_t frame_bytes, sim_rate_t rate)
{
	double pc = frame_bytes * 8.0 / (double)rate;
	double t = ETH_SLOT_BITS / (double)rate;
	double a = pow(1.0 - 1.0 / q, q - 1);
	double w = (1 - a) / a;
	return pc / (pc + w * t);
}

START_TEST(test_utilisation_between_metcalfe_boggs_and_line_rate)
{
	static const int qs[] = {2, 3, 5, 8, 12, 16, 24};
	ck_assert(fabs(metcalfe_boggs(2, 1518, 10 * SIM_MBPS) - 0.960) < 5e-4);
	ck_assert(fabs(metcalfe_boggs(24, 1518, 10 * SIM_MBPS) - 0.935) < 5e-4);
	double bound = (double)(ETH_PREAMBLE_BYTES + ETH_MAX_FRAME) /
		       (ETH_PREAMBLE_BYTES + ETH_MAX_FRAME + ETH_IFG_BITS / 8);
	for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
		lan_opts o = lan_opts_default();
		o.seed = 42 + i;
		o.stations = qs[i];
		lan *l = lan_new(&o);
		l->sim->measure_from = 100 * SIM_MS;
		sim_run_until(l->sim, 2 * SIM_S);
		double u = eth_hub_utilization(l->hub);
		double e = metcalfe_boggs(qs[i], ETH_MAX_FRAME, 10 * SIM_MBPS);
		fprintf(stderr, "Q=%2d utilisation %.4f M-B %.4f bound %.4f\n",
			qs[i], u, e, bound);
		ck_assert_msg(u >= e && u <= bound,
			      "Q=%d: utilisation %.4f not in [%.4f, %.4f]",
			      qs[i], u, e, bound);
		/* Everybody sent something (capture is not starvation). */
		ck_assert_double_gt(eth_hub_jain_fairness(l->hub), 0.0);
		lan_free(l);
	}
}
END_TEST

/* ---- determinism -------------------------------------------------------- */

static GArray *
run_log(uint64_t seed, int64_t *backoff)
{
	lan_opts o = lan_opts_default();
	o.seed = seed;
	o.stations = 4;
	o.frame_bytes = 512;
	lan *l = lan_new(&o);
	sim_run_until(l->sim, 200 * SIM_MS);
	GArray *log = l->log;
	l->log = g_array_new(FALSE, FALSE, sizeof(lan_tx));
	*backoff = 0;
	for (int i = 0; i < l->n; i++)
		*backoff =
		    *backoff * 31 + eth_nic_get_stats(l->nic[i])->backoff_ns;
	lan_free(l);
	return log;
}

static gboolean
same_log(const GArray *x, const GArray *y)
{
	if (x->len != y->len)
		return FALSE;
	for (guint k = 0; k < x->len; k++) {
		lan_tx a = g_array_index(x, lan_tx, k);
		lan_tx b = g_array_index(y, lan_tx, k);
		if (a.station != b.station || a.end != b.end)
			return FALSE;
	}
	return TRUE;
}

START_TEST(test_same_seed_same_run_other_seed_other_backoffs)
{
	int64_t b1, b2, b3;
	GArray *r1 = run_log(7, &b1), *r2 = run_log(7, &b2),
	       *r3 = run_log(8, &b3);
	ck_assert_uint_gt(r1->len, 100);
	ck_assert_uint_eq(r1->len, r2->len);
	ck_assert(same_log(r1, r2));
	ck_assert_int_eq(b1, b2);
	ck_assert_int_ne(b1, b3);
	ck_assert(!same_log(r1, r3));
	g_array_free(r1, TRUE);
	g_array_free(r2, TRUE);
	g_array_free(r3, TRUE);
}
END_TEST

/* ---- full duplex ----------------------------------------------------------
 */

struct fd_rx {
	GArray *t;
};

static void
fd_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	struct fd_rx *r = upper;
	(void)nif;
	sim_time_t t = sim_now(((eth_nic *)nif->impl)->sim);
	g_array_append_val(r->t, t);
	sim_pkt_unref(frame);
}

/*
 * On a full-duplex link both stations send at the line-rate bound at the
 * same time: no carrier sense, no collisions; each frame arrives one
 * cable delay after its last bit left.
 */
START_TEST(test_full_duplex_link_both_ways_at_line_rate)
{
	sim_t *sim = sim_new(3);
	eth_nic_params pa = eth_nic_params_default(100 * SIM_MBPS);
	eth_nic_params pb = eth_nic_params_default(100 * SIM_MBPS);
	eth_mac_from_index(pb.mac, 2);
	eth_nic *a = eth_nic_new(sim, "a", &pa),
		*b = eth_nic_new(sim, "b", &pb);
	eth_link_params lp = eth_link_params_default();
	eth_link *link = eth_link_new(sim, "wire", a, b, &lp);
	struct fd_rx ra = {g_array_new(FALSE, FALSE, sizeof(sim_time_t))};
	struct fd_rx rb = {g_array_new(FALSE, FALSE, sizeof(sim_time_t))};
	eth_nic_netif(a)->input = fd_input;
	eth_nic_netif(a)->upper = &ra;
	eth_nic_netif(b)->input = fd_input;
	eth_nic_netif(b)->upper = &rb;
	eth_source_params sp = eth_source_params_default();
	memcpy(sp.dst, pb.mac, 6);
	eth_source_new(sim, "a", a, &sp);
	memcpy(sp.dst, pa.mac, 6);
	eth_source_new(sim, "b", b, &sp);

	sim_time_t T = 10 * SIM_MS;
	sim_run_until(sim, T);
	sim_time_t wire =
	    sim_tx_time(ETH_PREAMBLE_BYTES + ETH_MAX_FRAME, 100 * SIM_MBPS);
	sim_time_t period = wire + eth_bit_time(ETH_IFG_BITS, 100 * SIM_MBPS);
	uint64_t expect = (uint64_t)((T - wire) / period) + 1;
	ck_assert_uint_eq(eth_nic_get_stats(a)->frames_sent, expect);
	ck_assert_uint_eq(eth_nic_get_stats(b)->frames_sent, expect);
	ck_assert_uint_eq(eth_nic_get_stats(a)->collisions, 0);
	ck_assert_uint_eq(eth_nic_get_stats(a)->deferrals, 0);
	ck_assert_uint_gt(rb.t->len, 0);
	for (guint k = 0; k < rb.t->len; k++)
		ck_assert_int_eq(g_array_index(rb.t, sim_time_t, k),
				 (sim_time_t)k * period + wire +
				     eth_link_delay(link));
	ck_assert_uint_eq(ra.t->len, rb.t->len);
	ck_assert_int_eq(eth_link_delay(link), 556);
	g_array_free(ra.t, TRUE);
	g_array_free(rb.t, TRUE);
	sim_free(sim);
}
END_TEST

/* ---- NIC: ring and filter ---------------------------------------------------
 */

START_TEST(test_ring_refuses_when_full)
{
	lan_opts o = lan_opts_default();
	o.stations = 1;
	o.sources = FALSE;
	lan *l = lan_new(&o);
	eth_nic *n = l->nic[0];
	sim_netif *nif = eth_nic_netif(n);
	ck_assert_uint_eq(nif->tx_ring_free(nif), 31);
	for (int k = 0; k < 31; k++)
		ck_assert(sim_netif_output(
		    nif, frame_to(l->sink->p.mac, n->p.mac, 64)));
	sim_pkt *extra = frame_to(l->sink->p.mac, n->p.mac, 64);
	ck_assert(!sim_netif_output(nif, extra));
	ck_assert_uint_eq(nif->tx_ring_free(nif), 0);
	sim_pkt_unref(extra);
	sim_run(l->sim);
	ck_assert_uint_eq(nif->tx_ring_free(nif), 31);
	ck_assert_uint_eq(eth_nic_get_stats(n)->frames_sent, 31);
	ck_assert_uint_eq(eth_nic_get_stats(l->sink)->frames_received, 31);
	lan_free(l);
}
END_TEST

START_TEST(test_filter_unicast_broadcast_promiscuous)
{
	lan_opts o = lan_opts_default();
	o.stations = 3;
	o.sources = FALSE;
	lan *l = lan_new(&o);
	eth_nic *a = l->nic[0], *b = l->nic[1], *c = l->nic[2];
	struct rx_log rb = {
	    g_array_new(FALSE, FALSE, sizeof(sim_time_t)),
	    g_ptr_array_new_with_free_func((GDestroyNotify)sim_pkt_unref)};
	eth_nic_netif(b)->input = rx_input;
	eth_nic_netif(b)->upper = &rb;
	eth_nic_set_promiscuous(c, TRUE);
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	ck_assert(sim_netif_output(eth_nic_netif(a),
				   frame_to(b->p.mac, a->p.mac, 200)));
	ck_assert(
	    sim_netif_output(eth_nic_netif(a), frame_to(bcast, a->p.mac, 200)));
	sim_run(l->sim);
	ck_assert_uint_eq(rb.frames->len, 2);
	ck_assert_uint_eq(sim_pkt_len(g_ptr_array_index(rb.frames, 0)), 196);
	ck_assert_uint_eq(eth_nic_get_stats(c)->frames_received, 2);
	ck_assert_uint_eq(eth_nic_get_stats(l->sink)->frames_received, 1);
	ck_assert_uint_eq(eth_nic_get_stats(l->sink)->rx_filtered, 1);
	ck_assert_uint_eq(eth_nic_get_stats(a)->frames_received, 0);
	g_array_free(rb.t, TRUE);
	g_ptr_array_free(rb.frames, TRUE);
	lan_free(l);
	ck_assert_uint_eq(sim_pkt_live(), 0);
}
END_TEST

/* ---- late collisions ---------------------------------------------------- */

/*
 * With a station far beyond the round-trip budget (a PHY delay of 400 bit
 * times), a collision can reach it after the first slot of its frame: a
 * late collision, counted at that station only, after which the frame is
 * still retried.
 */
START_TEST(test_late_collision_is_counted_and_retried)
{
	sim_t *sim = sim_new(5);
	sim_time_t bt = eth_bit_time(1, 10 * SIM_MBPS);
	eth_hub_params hp = eth_hub_params_default(10 * SIM_MBPS);
	eth_hub *hub = eth_hub_new(sim, "lan", &hp);
	eth_nic_params pa = eth_nic_params_default(10 * SIM_MBPS);
	eth_nic_params pb = eth_nic_params_default(10 * SIM_MBPS);
	eth_nic_params ps = eth_nic_params_default(10 * SIM_MBPS);
	eth_mac_from_index(pb.mac, 2);
	eth_mac_from_index(ps.mac, 3);
	eth_nic *a = eth_nic_new(sim, "far", &pa);
	eth_nic *b = eth_nic_new(sim, "near", &pb);
	eth_nic *sink = eth_nic_new(sim, "sink", &ps);
	eth_port_params pp = eth_port_params_default();
	eth_port_params far = pp;
	far.phy_delay = 400 * bt;
	eth_hub_attach(hub, a, &far);
	eth_hub_attach(hub, b, &pp);
	eth_hub_attach(hub, sink, &pp);
	sim_time_t dab = eth_hub_path_delay(hub, 0, 1);
	output_at(sim, 0, a, frame_to(ps.mac, pa.mac, ETH_MAX_FRAME));
	output_at(sim, dab - 1 * SIM_US, b, frame_to(ps.mac, pb.mac, 200));
	sim_run_until(sim, 2 * dab);
	ck_assert_uint_eq(eth_nic_get_stats(a)->collisions, 1);
	ck_assert_uint_eq(eth_nic_get_stats(a)->late_collisions, 1);
	ck_assert_uint_eq(eth_nic_get_stats(b)->collisions, 1);
	ck_assert_uint_eq(eth_nic_get_stats(b)->late_collisions, 0);
	sim_run(sim);
	ck_assert_uint_eq(eth_nic_get_stats(a)->frames_sent, 1);
	ck_assert_uint_eq(eth_nic_get_stats(b)->frames_sent, 1);
	ck_assert_uint_eq(eth_nic_get_stats(sink)->frames_received, 2);
	sim_free(sim);
}
END_TEST

/*
 * A round trip longer than a short frame: two stations on 6 km cables
 * (path delay about 675 bit times) send 64-byte frames (576 bit times
 * with the preamble) at the same instant.  Each has finished before the
 * other's signal reaches it, so neither sees a collision, but the frames
 * overlap at the hub and both are lost: counted as lost_undetected.
 */
START_TEST(test_frames_lost_to_undetected_collisions_are_counted)
{
	sim_t *sim = sim_new(5);
	eth_hub_params hp = eth_hub_params_default(10 * SIM_MBPS);
	eth_hub *hub = eth_hub_new(sim, "lan", &hp);
	eth_nic_params pa = eth_nic_params_default(10 * SIM_MBPS);
	eth_nic_params pb = eth_nic_params_default(10 * SIM_MBPS);
	eth_nic_params ps = eth_nic_params_default(10 * SIM_MBPS);
	eth_mac_from_index(pb.mac, 2);
	eth_mac_from_index(ps.mac, 3);
	eth_nic *a = eth_nic_new(sim, "a", &pa);
	eth_nic *b = eth_nic_new(sim, "b", &pb);
	eth_nic *sink = eth_nic_new(sim, "sink", &ps);
	eth_port_params far = eth_port_params_default();
	far.cable_mm = 6000 * 1000;
	eth_port_params near = eth_port_params_default();
	eth_hub_attach(hub, a, &far);
	eth_hub_attach(hub, b, &far);
	eth_hub_attach(hub, sink, &near);
	ck_assert_int_gt(eth_hub_path_delay(hub, 0, 1),
			 eth_bit_time(576, 10 * SIM_MBPS));
	output_at(sim, 0, a, frame_to(ps.mac, pa.mac, ETH_MIN_FRAME));
	output_at(sim, 0, b, frame_to(ps.mac, pb.mac, ETH_MIN_FRAME));
	sim_run(sim);
	ck_assert_uint_eq(eth_nic_get_stats(a)->collisions, 0);
	ck_assert_uint_eq(eth_nic_get_stats(b)->collisions, 0);
	ck_assert_uint_eq(eth_nic_get_stats(sink)->frames_received, 0);
	ck_assert_uint_eq(eth_hub_get_stats(hub)->lost_undetected, 2);
	ck_assert_uint_eq(eth_hub_get_stats(hub)->frames, 0);
	sim_free(sim);
}
END_TEST

/* The station PHY delay is part of every path: one way each end. */
START_TEST(test_phy_delay_adds_to_every_path)
{
	sim_t *sim = sim_new(1);
	eth_hub_params hp = eth_hub_params_default(100 * SIM_MBPS);
	eth_hub *hub = eth_hub_new(sim, "lan", &hp);
	eth_nic_params pa = eth_nic_params_default(100 * SIM_MBPS);
	eth_nic_params pb = eth_nic_params_default(100 * SIM_MBPS);
	eth_mac_from_index(pb.mac, 2);
	eth_nic *a = eth_nic_new(sim, "a", &pa);
	eth_nic *b = eth_nic_new(sim, "b", &pb);
	eth_port_params pp = eth_port_params_default();
	pp.phy_delay = 250; /* 25 bit times at 100 Mb/s */
	eth_hub_attach(hub, a, &pp);
	eth_hub_attach(hub, b, &pp);
	sim_time_t cable = eth_cable_delay(pp.cable_mm, pp.cable_ps_per_m);
	ck_assert_int_eq(eth_hub_path_delay(hub, 0, 1),
			 2 * cable + 2 * 250 + hp.repeater_delay);
	/* And in the timing: b receives a's frame one path delay after its
	 * last bit left a. */
	output_at(sim, 0, a, frame_to(pb.mac, pa.mac, ETH_MIN_FRAME));
	sim_run(sim);
	ck_assert_uint_eq(eth_nic_get_stats(b)->frames_received, 1);
	sim_free(sim);
}
END_TEST

/*
 * The window statistics count what started in the window: one station
 * alone, saturating, run to 10.5 frame periods.  Eleven frames started,
 * ten ended; the eleventh, still on the wire, counts too.
 */
START_TEST(test_window_counts_frames_started_in_it)
{
	lan_opts o = lan_opts_default();
	o.stations = 1;
	lan *l = lan_new(&o);
	eth_hub_register_stats(l->hub, l->sim, "links.lan");
	eth_nic_register_stats(l->nic[0], l->sim, "st0");
	sim_time_t frame = lan_wire(l, ETH_MAX_FRAME);
	sim_time_t period = frame + eth_bit_time(96, 10 * SIM_MBPS);
	sim_time_t end = 10 * period + period / 2;
	l->sim->measure_from = 0;
	l->sim->measure_to = end;
	sim_run_until(l->sim, end);
	ck_assert_uint_eq(eth_nic_get_stats(l->nic[0])->frames_sent, 10);
	double fps, util, hfps;
	ck_assert(sim_stats_get_double(l->sim->stats, "st0.frames_per_s", &fps));
	ck_assert(sim_stats_get_double(l->sim->stats, "st0.utilization", &util));
	ck_assert(sim_stats_get_double(l->sim->stats, "links.lan.frames_per_s",
				       &hfps));
	ck_assert_double_eq_tol(fps * sim_time_to_s(end), 11.0, 1e-9);
	ck_assert_double_eq_tol(hfps * sim_time_to_s(end), 11.0, 1e-9);
	ck_assert_double_eq_tol(util, 11.0 * frame / end, 1e-9);
	ck_assert_uint_eq(eth_nic_window_bytes(l->nic[0]),
			  11 * (ETH_MAX_FRAME - ETH_FCS_BYTES));
	lan_free(l);
}
END_TEST

/* ---- trace points ---------------------------------------------------------
 */

struct trace_count {
	int n;
	sim_time_t last;
};

static void
count_trace(void *ctx, sim_time_t t, const void *rec)
{
	struct trace_count *c = ctx;
	const sim_pkt *f = rec;
	ck_assert_uint_ge(sim_pkt_len(f), ETH_HDR_BYTES);
	ck_assert_int_ge(t, c->last);
	c->last = t;
	c->n++;
}

/*
 * The hub's trace point, found by name as the pcap writer finds it, sees
 * every good frame once, stamped when its last bit has crossed the hub;
 * a NIC's trace point sees what it sends and what it receives.
 */
START_TEST(test_trace_points_see_every_good_frame)
{
	lan_opts o = lan_opts_default();
	o.stations = 3;
	o.frame_bytes = 256;
	lan *l = lan_new(&o);
	eth_hub_register_trace(l->hub, l->sim);
	eth_nic_register_trace(l->sink, l->sim);
	sim_tracepoint *hub_tp = sim_trace_find(l->sim, "lan.frames");
	sim_tracepoint *sink_tp = sim_trace_find(l->sim, "sink.frames");
	ck_assert_ptr_eq(hub_tp, eth_hub_trace(l->hub));
	ck_assert_ptr_nonnull(sink_tp);
	struct trace_count ch = {0}, cs = {0};
	sim_trace_subscribe(l->sim, hub_tp, count_trace, &ch);
	sim_trace_subscribe(l->sim, sink_tp, count_trace, &cs);
	sim_run_until(l->sim, 50 * SIM_MS);
	ck_assert_int_gt(ch.n, 100);
	ck_assert_uint_eq((uint64_t)ch.n, eth_hub_get_stats(l->hub)->frames);
	ck_assert_uint_eq((uint64_t)cs.n,
			  eth_nic_get_stats(l->sink)->frames_received);
	ck_assert_int_le(ch.n - cs.n, 1); /* one may be in flight */
	lan_free(l);
}
END_TEST

/* The pcap writer of sim/ can hang off the hub's trace point. */
START_TEST(test_hub_trace_feeds_pcap_writer)
{
	lan_opts o = lan_opts_default();
	o.stations = 2;
	o.frame_bytes = 100;
	lan *l = lan_new(&o);
	GError *err = NULL;
	char *dir = g_dir_make_tmp("eth-pcap-XXXXXX", &err);
	ck_assert_ptr_nonnull(dir);
	char *path = g_build_filename(dir, "lan.pcap", NULL);
	sim_pcap *pc = sim_pcap_open(path, 65535, &err);
	ck_assert_ptr_nonnull(pc);
	eth_hub_register_trace(l->hub, l->sim);
	sim_trace_subscribe(l->sim, sim_trace_find(l->sim, "lan.frames"),
			    sim_pcap_trace_fn, pc);
	sim_run_until(l->sim, 5 * SIM_MS);
	ck_assert_uint_eq(sim_pcap_count(pc),
			  eth_hub_get_stats(l->hub)->frames);
	ck_assert_uint_gt(sim_pcap_count(pc), 10);
	ck_assert(sim_pcap_close(pc, &err));
	gsize len;
	char *data;
	ck_assert(g_file_get_contents(path, &data, &len, NULL));
	/* 24-byte header, then 16 + 96 bytes per frame (no FCS). */
	ck_assert_uint_eq(len,
			  24 + (16 + 96) * eth_hub_get_stats(l->hub)->frames);
	g_free(data);
	g_unlink(path);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
	lan_free(l);
}
END_TEST

/* ---- Poisson source ---------------------------------------------------------
 */

START_TEST(test_poisson_source_offers_its_rate)
{
	lan_opts o = lan_opts_default();
	o.stations = 1;
	o.sources = FALSE;
	lan *l = lan_new(&o);
	eth_source_params sp = eth_source_params_default();
	sp.mode = ETH_SOURCE_POISSON;
	sp.rate = 2 * SIM_MBPS;
	memcpy(sp.dst, l->sink->p.mac, 6);
	eth_source *src = eth_source_new(l->sim, "p", l->nic[0], &sp);
	sim_run_until(l->sim, 10 * SIM_S);
	double expect = 10.0 * 2e6 / (ETH_MAX_FRAME * 8.0); /* 1647 */
	const eth_source_stats *st = eth_source_get_stats(src);
	ck_assert_msg(fabs((double)st->offered - expect) <= 5 * sqrt(expect),
		      "offered %lu, expected %.0f", (unsigned long)st->offered,
		      expect);
	ck_assert_uint_eq(st->dropped, 0);
	ck_assert_uint_ge(st->sent + 1, st->queued);
	/* Alone and lightly loaded: a frame rarely waits. */
	ck_assert_double_lt(eth_nic_access_delay_mean_us(l->nic[0]), 300.0);
	lan_free(l);
}
END_TEST

/* ---- statistics registry ------------------------------------------------ */

/* The paths the scenario's sweep reads exist and hold the model's values. */
START_TEST(test_stats_registered_under_prefix)
{
	lan_opts o = lan_opts_default();
	o.stations = 4;
	lan *l = lan_new(&o);
	eth_hub_register_stats(l->hub, l->sim, "links.lan");
	eth_nic_register_stats(l->nic[0], l->sim, "links.lan.nic.st0");
	eth_source_register_stats(l->src[0], l->sim, "sources.st0");
	sim_run_until(l->sim, 300 * SIM_MS);
	static const char *paths[] = {
	    "links.lan.frames",
	    "links.lan.collisions",
	    "links.lan.utilization",
	    "links.lan.frames_per_s",
	    "links.lan.collisions_per_frame",
	    "links.lan.access_delay_mean_us",
	    "links.lan.access_delay_p99_us",
	    "links.lan.jain_fairness",
	    "links.lan.excessive_collisions",
	    "links.lan.deferrals",
	    "links.lan.nic.st0.frames_sent",
	    "links.lan.nic.st0.backoff_ns",
	    "links.lan.nic.st0.utilization",
	    "sources.st0.sent",
	};
	double v;
	for (size_t i = 0; i < G_N_ELEMENTS(paths); i++)
		ck_assert_msg(sim_stats_get_double(l->sim->stats, paths[i], &v),
			      "%s missing", paths[i]);
	ck_assert(sim_stats_get_double(l->sim->stats, "links.lan.frames", &v));
	ck_assert_double_eq(v, (double)eth_hub_get_stats(l->hub)->frames);
	ck_assert(
	    sim_stats_get_double(l->sim->stats, "links.lan.utilization", &v));
	ck_assert_double_eq(v, eth_hub_utilization(l->hub));
	ck_assert(
	    sim_stats_get_double(l->sim->stats, "links.lan.frames_per_s", &v));
	/* Frames that started in the window: those done and at most one
	 * still on the wire. */
	ck_assert_double_ge(v, eth_hub_get_stats(l->hub)->frames / 0.3 - 1e-6);
	ck_assert_double_le(v,
			    (eth_hub_get_stats(l->hub)->frames + 1) / 0.3 + 1e-6);
	ck_assert(
	    sim_stats_get_double(l->sim->stats, "links.lan.jain_fairness", &v));
	ck_assert(v > 0.25 && v <= 1.0);
	char *json = sim_stats_to_json(l->sim->stats);
	ck_assert_ptr_nonnull(strstr(json, "\"access_delay_p99_us\""));
	g_free(json);
	lan_free(l);
}
END_TEST

/* ---- the suite ---------------------------------------------------------- */

static Suite *
eth_suite(void)
{
	Suite *s = suite_create("ethernet");
	TCase *tc = tcase_create("mac");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_one_station_sends_at_line_rate_bound);
	tcase_add_test(tc, test_short_frames_are_padded_on_the_wire);
	tcase_add_test(tc, test_frame_queued_during_reception_starts_after_gap);
	tcase_add_test(tc,
		       test_gap_first_two_thirds_restart_last_third_commits);
	tcase_add_test(tc,
		       test_own_jam_keeps_gap_without_restart_unequal_cables);
	tcase_add_test(tc, test_truncated_frames_release_deferring_stations);
	tcase_add_test(tc, test_sixteenth_collision_drops_and_counts);
	tcase_add_test(tc, test_ring_refuses_when_full);
	tcase_add_test(tc, test_filter_unicast_broadcast_promiscuous);
	tcase_add_test(tc, test_full_duplex_link_both_ways_at_line_rate);
	tcase_add_test(tc, test_late_collision_is_counted_and_retried);
	tcase_add_test(tc, test_frames_lost_to_undetected_collisions_are_counted);
	tcase_add_test(tc, test_phy_delay_adds_to_every_path);
	tcase_add_test(tc, test_window_counts_frames_started_in_it);
	tcase_add_test(tc, test_trace_points_see_every_good_frame);
	tcase_add_test(tc, test_hub_trace_feeds_pcap_writer);
	tcase_add_test(tc, test_poisson_source_offers_its_rate);
	tcase_add_test(tc, test_stats_registered_under_prefix);
	suite_add_tcase(s, tc);
	TCase *st = tcase_create("statistics");
	tcase_set_timeout(st, 120);
	tcase_add_test(st, test_second_round_odds_are_5_2_1_eighths);
	tcase_add_test(st, test_capture_effect_gives_long_runs);
	tcase_add_test(st,
		       test_utilisation_between_metcalfe_boggs_and_line_rate);
	tcase_add_test(st, test_same_seed_same_run_other_seed_other_backoffs);
	suite_add_tcase(s, st);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(eth_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
