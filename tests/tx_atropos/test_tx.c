/*
 * test_tx.c - the transmit scheduler and the TX thread, over a fake NIC
 * that sends one frame at a time at line rate (preamble, FCS and gap
 * included) with a descriptor ring of chosen depth.
 */
#include "models/tx_atropos/tx_atropos.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- Fake NIC ------------------------------------------------------------ */

struct fake_nic {
	sim_netif nif;
	sim_t *sim;
	guint ring_depth, in_ring;
	sim_pkt *ring[64];
	guint head;
	gboolean busy;
	tx_driver *drv;
	GArray *starts;   /* sim_time_t: when each frame started on the wire */
	GArray *owners;   /* tx_channel * of each frame (via pkt->meta) */
};

static sim_time_t
wire_time(const sim_pkt *f, sim_rate_t rate)
{
	/* preamble + SFD 8, FCS 4, interframe gap 12 bytes */
	return sim_tx_time(sim_pkt_len(f) + 8 + 4 + 12, rate);
}

static void nic_start(struct fake_nic *n);

static void
nic_done(void *ctx, void *arg)
{
	struct fake_nic *n = ctx;
	sim_pkt *f = n->ring[n->head];
	n->head = (n->head + 1) % 64;
	n->in_ring--;
	n->busy = FALSE;
	sim_pkt_unref(f);
	if (n->drv)
		tx_driver_ring_space(n->drv);
	nic_start(n);
}

static void
nic_start(struct fake_nic *n)
{
	if (n->busy || n->in_ring == 0)
		return;
	sim_pkt *f = n->ring[n->head];
	sim_time_t now = sim_now(n->sim);
	g_array_append_val(n->starts, now);
	g_array_append_val(n->owners, f->meta);
	n->busy = TRUE;
	sim_after(n->sim, wire_time(f, n->nif.rate), nic_done, n, NULL);
}

static gboolean
nic_output(sim_netif *nif, sim_pkt *frame)
{
	struct fake_nic *n = nif->impl;
	if (n->in_ring == n->ring_depth)
		return FALSE;
	n->ring[(n->head + n->in_ring) % 64] = frame;
	n->in_ring++;
	nic_start(n);
	return TRUE;
}

static uint32_t
nic_free(const sim_netif *nif)
{
	const struct fake_nic *n = nif->impl;
	return n->ring_depth - n->in_ring;
}

static struct fake_nic *
fake_nic_new(sim_t *sim, sim_rate_t rate, guint depth)
{
	struct fake_nic *n = g_new0(struct fake_nic, 1);
	n->sim = sim;
	n->ring_depth = depth;
	n->nif.rate = rate;
	n->nif.mtu = 1500;
	n->nif.output = nic_output;
	n->nif.tx_ring_free = nic_free;
	n->nif.impl = n;
	n->starts = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
	n->owners = g_array_new(FALSE, FALSE, sizeof(void *));
	return n;
}

static void
fake_nic_free(struct fake_nic *n)
{
	for (guint i = 0; i < n->in_ring; i++)
		sim_pkt_unref(n->ring[(n->head + i) % 64]);
	g_array_free(n->starts, TRUE);
	g_array_free(n->owners, TRUE);
	g_free(n);
}


/* ---- A backlogged sender that keeps its channel full ---------------------- */

struct sender {
	sim_t *sim;
	tx_channel *ch;
	guint frame_len;
	uint64_t sent;
};

static sim_pkt *
make_frame(struct sender *s)
{
	sim_pkt *p = sim_pkt_new();
	uint8_t *h = sim_pkt_push(p, 54); /* Ethernet + IPv4 + TCP */
	memset(h, 0, 54);
	static uint8_t payload[1460];
	sim_pkt_append_copy(p, payload, s->frame_len - 54);
	p->meta = s->ch;
	return p;
}

static void
fill(void *ctx)
{
	struct sender *s = ctx;
	for (;;) {
		sim_pkt *p = make_frame(s);
		if (!tx_channel_send(s->ch, p)) {
			sim_pkt_unref(p);
			return;
		}
		s->sent++;
	}
}

struct world {
	sim_t *sim;
	tx_sched *ts;
	struct fake_nic *nic;
	tx_driver *drv;
};

static struct world
world_new(sim_rate_t rate, guint ring)
{
	struct world w;
	w.sim = sim_new(1);
	tx_sched_params p;
	tx_sched_params_default(&p, rate);
	w.ts = tx_sched_new(w.sim, "nem", &p);
	w.nic = fake_nic_new(w.sim, rate, ring);
	w.drv = tx_driver_new(w.sim, w.ts, &w.nic->nif, &sim_exec_immediate, 0);
	w.nic->drv = w.drv;
	return w;
}

static void
world_free(struct world *w)
{
	sim_free(w->sim);
	fake_nic_free(w->nic);
}

static struct sender *
backlogged(struct world *w, const char *name, sim_time_t p, sim_time_t s,
	   gboolean x, guint frame_len)
{
	atropos_qos q = { .p = p, .s = s, .x = x, .l = 0 };
	struct sender *snd = g_new0(struct sender, 1);
	snd->sim = w->sim;
	snd->ch = tx_channel_new(w->ts, name, &q);
	snd->frame_len = frame_len;
	tx_channel_on_space(snd->ch, fill, snd);
	sim_on_free(w->sim, g_free, snd);
	fill(snd);
	return snd;
}

/*
 * A channel bound at 0 has its first deadline at 1 s with nothing to
 * spend before (qosentry); a backlogged x = false channel starts its
 * periods there.  Tests of the periodic pattern count from B1.
 */
#define B1 SIM_S

/* Tests of other rules start at T0, after a new channel's first
 * deadline. */
#define T0 (2 * SIM_S)

/* Frames of channel ch started in [B1 + k p, B1 + (k+1) p). */
static guint *
per_period(struct fake_nic *n, tx_channel *ch, sim_time_t p, guint periods)
{
	guint *c = g_new0(guint, periods);
	for (guint i = 0; i < n->starts->len; i++) {
		if (g_array_index(n->owners, void *, i) != ch)
			continue;
		sim_time_t t = g_array_index(n->starts, sim_time_t, i) - B1;
		ck_assert_int_ge(t, 0); /* nothing before the first deadline */
		if (t / p < periods)
			c[t / p]++;
	}
	return c;
}

/*
 * The reference: a backlogged channel with debt carried sends, in each
 * period, frames while r > 0, each charged c; r refills by s.
 */
static guint
reference_frames(sim_time_t *r, sim_time_t s, sim_time_t c)
{
	guint n = 0;
	while (*r > 0) {
		*r -= c;
		n++;
	}
	*r += s;
	return n;
}

START_TEST(test_figure4_two_frames_per_period_at_period_start)
{
	/* Figure 4: TX (50 ms, 2.4 ms, F), 10 Mb/s, MTU frames. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *s = backlogged(&w, "c1", 50 * SIM_MS, 2400 * SIM_US,
				      FALSE, 1514);
	const guint periods = 200;
	sim_run_until(w.sim, B1 + periods * 50 * SIM_MS);
	guint *c = per_period(w.nic, s->ch, 50 * SIM_MS, periods);
	sim_time_t charge = 1514 * 800, r = 2400 * SIM_US;
	guint two = 0;
	for (guint k = 0; k < periods; k++) {
		guint want = reference_frames(&r, 2400 * SIM_US, charge);
		ck_assert_msg(c[k] == want, "period %u: %u frames, want %u", k,
			      c[k], want);
		two += c[k] == 2;
	}
	ck_assert_uint_ge(two, periods * 95 / 100);
	/* Each period's first frame starts at the period's start: the
	 * sending is clocked by the period, not by ACKs. */
	sim_time_t last_period = -1;
	for (guint i = 0; i < w.nic->starts->len; i++) {
		sim_time_t t = g_array_index(w.nic->starts, sim_time_t, i) - B1;
		if (t / (50 * SIM_MS) != last_period)
			ck_assert_int_eq(t % (50 * SIM_MS), 0);
		last_period = t / (50 * SIM_MS);
	}
	g_free(c);
	world_free(&w);
}
END_TEST

START_TEST(test_slice_3ms_alternates_two_and_three_frames)
{
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *s = backlogged(&w, "c1", 50 * SIM_MS, 3 * SIM_MS, FALSE,
				      1514);
	const guint periods = 100;
	sim_run_until(w.sim, B1 + periods * 50 * SIM_MS);
	guint *c = per_period(w.nic, s->ch, 50 * SIM_MS, periods);
	guint n2 = 0, n3 = 0;
	for (guint k = 0; k < periods; k++) {
		ck_assert(c[k] == 2 || c[k] == 3);
		n2 += c[k] == 2;
		n3 += c[k] == 3;
	}
	/* Average s / charge = 3 / 1.2112 = 2.477 frames per period. */
	double avg = (2.0 * n2 + 3.0 * n3) / periods;
	ck_assert_double_eq_tol(avg, 3.0 / 1.2112, 0.02);
	ck_assert_uint_gt(n2, 30);
	ck_assert_uint_gt(n3, 30);
	g_free(c);
	world_free(&w);
}
END_TEST

START_TEST(test_110us_per_ms_gives_11_frames_in_12_periods)
{
	/* Table 1's s1: TX (1 ms, 110 us, F) at 100 Mb/s, 121.12 us frames. */
	struct world w = world_new(100 * SIM_MBPS, 31);
	struct sender *s = backlogged(&w, "s1", SIM_MS, 110 * SIM_US, FALSE,
				      1514);
	const guint periods = 1200;
	sim_run_until(w.sim, B1 + periods * SIM_MS);
	guint *c = per_period(w.nic, s->ch, SIM_MS, periods);
	guint total = 0;
	sim_time_t r = 110 * SIM_US;
	for (guint k = 0; k < periods; k++) {
		ck_assert_uint_le(c[k], 1);
		guint want = reference_frames(&r, 110 * SIM_US, 1514 * 80);
		ck_assert_uint_eq(c[k], want);
		total += c[k];
	}
	/* 110 / 121.12 of the periods: 1089 or 1090 of 1200 (11 in 12). */
	ck_assert_uint_ge(total, 1089);
	ck_assert_uint_le(total, 1090);
	g_free(c);
	world_free(&w);
}
END_TEST

START_TEST(test_extra_flag_gets_guarantee_plus_unused_time)
{
	/* c1 (10 ms, 1.2 ms, T) and c3 (10 ms, 6 ms, F), both backlogged. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *x = backlogged(&w, "x", 10 * SIM_MS, 1200 * SIM_US,
				      TRUE, 1514);
	struct sender *f = backlogged(&w, "f", 10 * SIM_MS, 6 * SIM_MS, FALSE,
				      1514);
	const guint periods = 500;
	sim_run_until(w.sim, B1 + periods * 10 * SIM_MS);
	const tx_channel_stats *sx = tx_channel_get_stats(x->ch);
	const tx_channel_stats *sf = tx_channel_get_stats(f->ch);
	/* f never exceeds its reservation (plus the one-frame overrun that
	 * debt pays back): on average s / charge frames per period. */
	ck_assert_int_eq(sf->slack_time, 0);
	double f_per = (double)sf->frames / periods;
	ck_assert_double_le(f_per, 6.0 / 1.2112 + 0.01);
	ck_assert_double_ge(f_per, 6.0 / 1.2112 - 0.05);
	/* x gets the rest of the link: the wire is never idle. */
	ck_assert_int_gt(sx->slack_time, 0);
	guint after = 0;
	for (guint i = 0; i < w.nic->starts->len; i++)
		after += g_array_index(w.nic->starts, sim_time_t, i) >= B1;
	double busy = after * 1538.0 * 800;
	ck_assert_double_ge(busy / (periods * 10.0 * SIM_MS), 0.99);
	/* Per period, f sends at most ceil(6 / 1.2112) = 5 frames. */
	guint *c = per_period(w.nic, f->ch, 10 * SIM_MS, periods);
	for (guint k = 0; k < periods; k++)
		ck_assert_uint_le(c[k], 5);
	g_free(c);
	world_free(&w);
}
END_TEST

START_TEST(test_x_false_channel_never_exceeds_reservation_alone)
{
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *f = backlogged(&w, "f", 200 * SIM_MS, 9600 * SIM_US,
				      FALSE, 1514);
	sim_run_until(w.sim, B1 + 100 * 200 * SIM_MS);
	guint *c = per_period(w.nic, f->ch, 200 * SIM_MS, 100);
	for (guint k = 0; k < 100; k++)
		ck_assert_uint_le(c[k], 8);
	ck_assert_int_eq(tx_channel_get_stats(f->ch)->slack_time, 0);
	g_free(c);
	world_free(&w);
}
END_TEST

static void
send_one(void *ctx, void *arg)
{
	struct sender *s = ctx;
	sim_pkt *p = make_frame(s);
	ck_assert(tx_channel_send(s->ch, p));
}

START_TEST(test_idle_channel_arrival_before_deadline_waits_for_deadline)
{
	struct world w = world_new(10 * SIM_MBPS, 1);
	atropos_qos q = { .p = 50 * SIM_MS, .s = 6 * SIM_MS, .x = FALSE };
	struct sender s = { w.sim, tx_channel_new(w.ts, "c", &q), 1514, 0 };
	/* One frame at T0: new period, r = 6 ms - 1.2112 ms left. */
	sim_at(w.sim, T0, send_one, &s, NULL);
	/* The channel is found empty and goes idle with slice left; a frame
	 * arriving at 10 ms (before d = 50 ms) gets r = 0 until d. */
	sim_at(w.sim, T0 + 10 * SIM_MS, send_one, &s, NULL);
	/* After d, an arrival starts a new period at once. */
	sim_at(w.sim, T0 + 120 * SIM_MS, send_one, &s, NULL);
	sim_run_until(w.sim, T0 + SIM_S);
	ck_assert_uint_eq(w.nic->starts->len, 3);
	ck_assert_int_eq(g_array_index(w.nic->starts, sim_time_t, 0), T0);
	ck_assert_int_eq(g_array_index(w.nic->starts, sim_time_t, 1),
			 T0 + 50 * SIM_MS);
	ck_assert_int_eq(g_array_index(w.nic->starts, sim_time_t, 2),
			 T0 + 120 * SIM_MS);
	const tx_channel_stats *st = tx_channel_get_stats(s.ch);
	ck_assert_uint_eq(st->idle_arrivals_before_d, 1);
	ck_assert_uint_ge(st->idle_with_slice_left, 1);
	ck_assert_int_eq(st->slice_forfeited >= 6 * SIM_MS - 1514 * 800, 1);
	world_free(&w);
}
END_TEST

START_TEST(test_idle_channel_with_extra_sends_in_slack_before_deadline)
{
	struct world w = world_new(10 * SIM_MBPS, 1);
	atropos_qos q = { .p = 50 * SIM_MS, .s = 6 * SIM_MS, .x = TRUE };
	struct sender s = { w.sim, tx_channel_new(w.ts, "c", &q), 1514, 0 };
	sim_at(w.sim, T0, send_one, &s, NULL);
	sim_at(w.sim, T0 + 10 * SIM_MS, send_one, &s, NULL);
	sim_run_until(w.sim, T0 + SIM_S);
	ck_assert_uint_eq(w.nic->starts->len, 2);
	ck_assert_int_eq(g_array_index(w.nic->starts, sim_time_t, 1),
			 T0 + 10 * SIM_MS);
	ck_assert_int_eq(tx_channel_get_stats(s.ch)->slack_time, 1514 * 800);
	world_free(&w);
}
END_TEST

START_TEST(test_tx_thread_blocks_on_full_ring_and_link_stays_busy)
{
	/* 3c509: one descriptor.  A big reservation: the wire is the limit,
	 * frames go back to back at line rate. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *s = backlogged(&w, "c", 10 * SIM_MS, 10 * SIM_MS, TRUE,
				      1514);
	/* From its first deadline on (before it, slack turns and pauses). */
	sim_run_until(w.sim, B1 + SIM_S);
	GArray *st = w.nic->starts;
	guint first = 0;
	while (g_array_index(st, sim_time_t, first) < B1)
		first++;
	ck_assert_int_eq(g_array_index(st, sim_time_t, first), B1);
	ck_assert_uint_gt(st->len - first, 800);
	for (guint i = first + 1; i < st->len; i++)
		ck_assert_int_eq(g_array_index(st, sim_time_t, i) -
					 g_array_index(st, sim_time_t, i - 1),
				 1538 * 800);
	ck_assert_uint_eq(tx_channel_get_stats(s->ch)->frames, st->len);
	world_free(&w);
}
END_TEST

START_TEST(test_channel_depth_counts_slots)
{
	struct world w = world_new(10 * SIM_MBPS, 1);
	atropos_qos q = { .p = 50 * SIM_MS, .s = 0, .x = FALSE };
	struct sender s = { w.sim, tx_channel_new(w.ts, "c", &q), 1514, 0 };
	/* Three records (header, data, trailer) + the record header = 4
	 * slots; 32 slots hold 8 packets (netif.c). */
	guint n = 0;
	for (;;) {
		sim_pkt *p = make_frame(&s);
		ck_assert_uint_eq(tx_frame_slots(p), 4);
		if (!tx_channel_send(s.ch, p)) {
			sim_pkt_unref(p);
			break;
		}
		n++;
	}
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(tx_channel_get_stats(s.ch)->full_refusals, 1);
	world_free(&w);
}
END_TEST

/* Owner of the first frame that started on the wire at or after t. */
static void *
first_owner_from(struct fake_nic *n, sim_time_t t, sim_time_t *start)
{
	for (guint i = 0; i < n->starts->len; i++) {
		sim_time_t s = g_array_index(n->starts, sim_time_t, i);
		if (s >= t) {
			*start = s;
			return g_array_index(n->owners, void *, i);
		}
	}
	return NULL;
}


static void
start_backlog(void *ctx, void *arg)
{
	fill(ctx);
}

static struct sender *
backlogged_from(struct world *w, const char *name, sim_time_t p, sim_time_t s,
		gboolean x, guint frame_len, sim_time_t from)
{
	atropos_qos q = { .p = p, .s = s, .x = x, .l = 0 };
	struct sender *snd = g_new0(struct sender, 1);
	snd->sim = w->sim;
	snd->ch = tx_channel_new(w->ts, name, &q);
	snd->frame_len = frame_len;
	tx_channel_on_space(snd->ch, fill, snd);
	sim_on_free(w->sim, g_free, snd);
	sim_at(w->sim, from, start_backlog, snd, NULL);
	return snd;
}

START_TEST(test_refilled_earlier_deadline_gets_the_next_frame)
{
	/* long: (100 ms, 50 ms, F), deadline T0 + 100 ms, enough slice for
	 * about 40 frames.  short: (10 ms, 1.2 ms, F), one frame per
	 * period.  At T0 + 10 ms short is refilled with deadline T0 + 20 ms,
	 * earlier than long's: EDF is taken again before every frame, so the
	 * very next frame is short's, not the rest of long's slice. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *l = backlogged_from(&w, "long", 100 * SIM_MS,
					   50 * SIM_MS, FALSE, 1514, T0);
	struct sender *s = backlogged_from(&w, "short", 10 * SIM_MS,
					   1200 * SIM_US, FALSE, 1514, T0);
	sim_run_until(w.sim, T0 + 100 * SIM_MS);
	for (guint k = 1; k < 9; k++) {
		sim_time_t start;
		void *o = first_owner_from(w.nic, T0 + k * 10 * SIM_MS, &start);
		ck_assert_msg(o == s->ch, "period %u: next frame from %s", k,
			      o == l->ch ? "long" : "?");
		/* One frame time at most after the refill (the frame on the
		 * wire finishes first; one descriptor). */
		ck_assert_int_le(start - (T0 + k * 10 * SIM_MS), 1538 * 800);
	}
	world_free(&w);
}
END_TEST

static void
send_one_at(void *ctx, void *arg)
{
	struct sender *s = ctx;
	sim_pkt *p = make_frame(s);
	ck_assert(tx_channel_send(s->ch, p));
}

START_TEST(test_equal_deadlines_newcomer_goes_first)
{
	/* busy holds the wire from T0; a and then b get a packet at the same
	 * instant T0 + 100 us, so both start a period with the same
	 * deadline.  When the wire frees, b (the newcomer) goes first. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	atropos_qos q = { .p = 10 * SIM_MS, .s = 5 * SIM_MS, .x = FALSE };
	struct sender busy = { w.sim, tx_channel_new(w.ts, "busy", &q), 1514, 0 };
	struct sender a = { w.sim, tx_channel_new(w.ts, "a", &q), 1514, 0 };
	struct sender b = { w.sim, tx_channel_new(w.ts, "b", &q), 1514, 0 };
	sim_at(w.sim, T0, send_one_at, &busy, NULL);
	sim_at(w.sim, T0 + 100 * SIM_US, send_one_at, &a, NULL);
	sim_at(w.sim, T0 + 100 * SIM_US, send_one_at, &b, NULL);
	sim_run_until(w.sim, T0 + 10 * SIM_MS);
	ck_assert_uint_eq(w.nic->starts->len, 3);
	ck_assert_ptr_eq(g_array_index(w.nic->owners, void *, 0), busy.ch);
	ck_assert_ptr_eq(g_array_index(w.nic->owners, void *, 1), b.ch);
	ck_assert_ptr_eq(g_array_index(w.nic->owners, void *, 2), a.ch);
	world_free(&w);
}
END_TEST

/* A client that reclaims its transmitted buffers only when told to. */
static guint returns_seen;

static void
count_return(void *ctx)
{
	returns_seen++;
}

START_TEST(test_buffers_held_until_sent_and_channel_suspended)
{
	/* A backlogged channel with a large reservation whose client does
	 * not reclaim.  Each packet's buffers come back only once the card
	 * has sent it; with 8 packets' buffers (32 slots) on the return
	 * FIFO the driver must not take another packet: it suspends the
	 * channel.  A reclaim makes it go on. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *s = backlogged_from(&w, "c", 10 * SIM_MS, 10 * SIM_MS,
					   TRUE, 1514, T0);
	tx_channel_on_return(s->ch, count_return, NULL);
	returns_seen = 0;
	sim_run_until(w.sim, T0 + 100 * SIM_MS);
	const tx_channel_stats *st = tx_channel_get_stats(s->ch);
	ck_assert_uint_eq(w.nic->starts->len, 8);
	ck_assert_uint_eq(returns_seen, 8);
	ck_assert_uint_eq(tx_channel_returned(s->ch), 8);
	ck_assert_uint_eq(st->suspensions, 1);
	/* The 8th frame ends at T0 + 8 wire times: its buffers come back
	 * then, not when the driver took it (one frame time earlier). */
	/* Two packets reclaimed: the channel is active again and sends
	 * two more before it is suspended again. */
	tx_channel_reclaim(s->ch, 2);
	sim_run_until(w.sim, T0 + 200 * SIM_MS);
	ck_assert_uint_eq(w.nic->starts->len, 10);
	ck_assert_uint_eq(st->suspensions, 2);
	ck_assert_uint_eq(st->reclaimed, 2);
	world_free(&w);
}
END_TEST

static void
send_two_at(void *ctx, void *arg)
{
	struct sender *s = ctx;
	ck_assert(tx_channel_send(s->ch, make_frame(s)));
	ck_assert(tx_channel_send(s->ch, make_frame(s)));
}

START_TEST(test_buffers_return_when_the_card_has_sent_the_frame)
{
	/* Two descriptors: the driver hands the card two frames at once;
	 * the first one's buffers come back when it has been sent (one
	 * wire time), the second's a wire time later. */
	struct world w = world_new(10 * SIM_MBPS, 2);
	atropos_qos q = { .p = 10 * SIM_MS, .s = 10 * SIM_MS, .x = TRUE };
	struct sender a = { w.sim, tx_channel_new(w.ts, "a", &q), 1514, 0 };
	tx_channel_on_return(a.ch, count_return, NULL);
	returns_seen = 0;
	sim_at(w.sim, T0, send_two_at, &a, NULL);
	sim_time_t wire = 1538 * 800;
	sim_run_until(w.sim, T0 + wire - 1);
	ck_assert_uint_eq(returns_seen, 0);
	ck_assert_uint_eq(tx_channel_free_slots(a.ch), 32);
	sim_run_until(w.sim, T0 + wire);
	ck_assert_uint_eq(returns_seen, 1);
	sim_run_until(w.sim, T0 + 2 * wire);
	ck_assert_uint_eq(returns_seen, 2);
	ck_assert_uint_eq(tx_channel_returned(a.ch), 2);
	world_free(&w);
}
END_TEST

/* An executor whose steps each wait `lag` for the CPU, in order. */
struct lag_exec {
	sim_exec ex;
	sim_t *sim;
	sim_time_t lag, busy_until;
};

static void
lag_run(sim_exec *ex, sim_time_t cost, sim_event_fn fn, void *ctx, void *arg)
{
	struct lag_exec *l = ex->impl;
	sim_time_t t = MAX(sim_now(l->sim), l->busy_until) + l->lag + cost;
	l->busy_until = t;
	sim_at(l->sim, t, fn, ctx, arg);
}

START_TEST(test_decision_taken_in_the_tx_threads_turn)
{
	/* The driver domain gets the CPU 50 us after it is woken.  lo's
	 * packet wakes the TX thread at T0; hi's (earlier deadline) arrives
	 * 20 us later, while the thread still waits for the CPU: the choice
	 * is made when the thread runs, so hi's frame goes first. */
	sim_t *sim = sim_new(1);
	tx_sched_params p;
	tx_sched_params_default(&p, 10 * SIM_MBPS);
	tx_sched *ts = tx_sched_new(sim, "nem", &p);
	struct fake_nic *nic = fake_nic_new(sim, 10 * SIM_MBPS, 1);
	struct lag_exec le = { { lag_run, &le }, sim, 50 * SIM_US, 0 };
	tx_driver *drv = tx_driver_new(sim, ts, &nic->nif, &le.ex, 0);
	nic->drv = drv;
	atropos_qos ql = { .p = 100 * SIM_MS, .s = 50 * SIM_MS, .x = FALSE };
	atropos_qos qh = { .p = 10 * SIM_MS, .s = 5 * SIM_MS, .x = FALSE };
	struct sender lo = { sim, tx_channel_new(ts, "lo", &ql), 1514, 0 };
	struct sender hi = { sim, tx_channel_new(ts, "hi", &qh), 1514, 0 };
	sim_at(sim, T0, send_one_at, &lo, NULL);
	sim_at(sim, T0 + 20 * SIM_US, send_one_at, &hi, NULL);
	sim_run_until(sim, T0 + 10 * SIM_MS);
	ck_assert_uint_eq(nic->starts->len, 2);
	ck_assert_ptr_eq(g_array_index(nic->owners, void *, 0), hi.ch);
	/* Decided at T0 + 50 us; the iteration waits its turn again. */
	ck_assert_int_eq(g_array_index(nic->starts, sim_time_t, 0),
			 T0 + 100 * SIM_US);
	ck_assert_ptr_eq(g_array_index(nic->owners, void *, 1), lo.ch);
	sim_free(sim);
	fake_nic_free(nic);
}
END_TEST

START_TEST(test_new_channel_waits_for_first_deadline_one_second_after_bind)
{
	/* Bound at 100 ms: d = 1.1 s, r = 0.  An x = false channel's packet
	 * at 100 ms waits for that deadline; an x = true channel's goes at
	 * once in slack. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	sim_run_until(w.sim, 100 * SIM_MS);
	atropos_qos qf = { .p = 50 * SIM_MS, .s = 6 * SIM_MS, .x = FALSE };
	atropos_qos qx = { .p = 50 * SIM_MS, .s = 6 * SIM_MS, .x = TRUE };
	struct sender f = { w.sim, tx_channel_new(w.ts, "f", &qf), 1514, 0 };
	struct sender x = { w.sim, tx_channel_new(w.ts, "x", &qx), 1514, 0 };
	sim_at(w.sim, 100 * SIM_MS, send_one, &f, NULL);
	sim_at(w.sim, 100 * SIM_MS, send_one, &x, NULL);
	sim_run_until(w.sim, 2 * SIM_S);
	ck_assert_uint_eq(w.nic->starts->len, 2);
	ck_assert_ptr_eq(g_array_index(w.nic->owners, void *, 0), x.ch);
	ck_assert_int_eq(g_array_index(w.nic->starts, sim_time_t, 0),
			 100 * SIM_MS);
	ck_assert_ptr_eq(g_array_index(w.nic->owners, void *, 1), f.ch);
	ck_assert_int_eq(g_array_index(w.nic->starts, sim_time_t, 1),
			 1100 * SIM_MS);
	ck_assert_uint_eq(tx_channel_get_stats(f.ch)->idle_arrivals_before_d,
			  1);
	world_free(&w);
}
END_TEST

START_TEST(test_slack_search_makes_empty_waiting_channel_idle)
{
	/* d (10 ms, 100 us, x) sends one frame at T0 and owes 1.11 ms; y
	 * (10 ms, 0, x) is backlogged, so the slack search runs before every
	 * frame and finds d waiting and empty: d becomes idle, its debt is
	 * dropped.  d's next packet, at T0 + 50 ms (after its deadline),
	 * starts a new period at once and goes in contracted time; had d
	 * stayed waiting with its debt, it would have gone in slack. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	atropos_qos q = { .p = 10 * SIM_MS, .s = 100 * SIM_US, .x = TRUE };
	struct sender d = { w.sim, tx_channel_new(w.ts, "d", &q), 1514, 0 };
	backlogged_from(&w, "y", 10 * SIM_MS, 0, TRUE, 1514, T0 + 1);
	sim_at(w.sim, T0, send_one_at, &d, NULL);
	sim_at(w.sim, T0 + 50 * SIM_MS, send_one_at, &d, NULL);
	sim_run_until(w.sim, T0 + 100 * SIM_MS);
	const tx_channel_stats *st = tx_channel_get_stats(d.ch);
	ck_assert_uint_eq(st->frames, 2);
	ck_assert_uint_eq(st->slack_idled, 2); /* after each of its frames */
	ck_assert_int_eq(st->slack_time, 0);
	ck_assert_int_eq(st->contracted_time, 2 * 1514 * 800);
	world_free(&w);
}
END_TEST

START_TEST(test_single_slack_channel_pauses_after_its_turn)
{
	/* The only x = true channel, slack only (100 ms, 0, x), backlogged
	 * from T0 (its deadline then T0 + 100 ms).  Its 20 ms slack turn is
	 * used up by the 17th frame (17 x 1.2112 ms charged); the search,
	 * which starts after the holder and ends before it, finds no one
	 * else, so the TX thread blocks until the next event or deadline:
	 * no packet arrives (the channel is full), so the 18th frame goes
	 * at the deadline, T0 + 100 ms, with a new turn. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	struct sender *x = backlogged_from(&w, "x", 100 * SIM_MS, 0, TRUE,
					   1514, T0);
	sim_run_until(w.sim, T0 + 150 * SIM_MS);
	GArray *st = w.nic->starts;
	for (guint i = 0; i < 17; i++)
		ck_assert_int_eq(g_array_index(st, sim_time_t, i),
				 T0 + (sim_time_t)i * 1538 * 800);
	ck_assert_int_eq(g_array_index(st, sim_time_t, 17), T0 + 100 * SIM_MS);
	ck_assert_uint_eq(tx_channel_get_stats(x->ch)->frames, 17 + 17);
	world_free(&w);
}
END_TEST

START_TEST(test_two_slack_channels_take_turns_without_pause)
{
	/* Two backlogged slack-only channels: the turn passes from one to
	 * the other and the wire never idles. */
	struct world w = world_new(10 * SIM_MBPS, 1);
	backlogged_from(&w, "x", 100 * SIM_MS, 0, TRUE, 1514, T0);
	backlogged_from(&w, "y", 100 * SIM_MS, 0, TRUE, 1514, T0);
	sim_run_until(w.sim, T0 + 150 * SIM_MS);
	GArray *st = w.nic->starts;
	ck_assert_uint_ge(st->len, 121);
	for (guint i = 1; i < st->len; i++)
		ck_assert_int_eq(g_array_index(st, sim_time_t, i) -
					 g_array_index(st, sim_time_t, i - 1),
				 1538 * 800);
	world_free(&w);
}
END_TEST

static Suite *
tx_suite(void)
{
	Suite *s = suite_create("tx_atropos");
	TCase *tc = tcase_create("sched");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_figure4_two_frames_per_period_at_period_start);
	tcase_add_test(tc, test_slice_3ms_alternates_two_and_three_frames);
	tcase_add_test(tc, test_110us_per_ms_gives_11_frames_in_12_periods);
	tcase_add_test(tc, test_extra_flag_gets_guarantee_plus_unused_time);
	tcase_add_test(tc, test_x_false_channel_never_exceeds_reservation_alone);
	tcase_add_test(tc, test_idle_channel_arrival_before_deadline_waits_for_deadline);
	tcase_add_test(tc, test_idle_channel_with_extra_sends_in_slack_before_deadline);
	tcase_add_test(tc, test_tx_thread_blocks_on_full_ring_and_link_stays_busy);
	tcase_add_test(tc, test_channel_depth_counts_slots);
	tcase_add_test(tc, test_refilled_earlier_deadline_gets_the_next_frame);
	tcase_add_test(tc, test_equal_deadlines_newcomer_goes_first);
	tcase_add_test(tc, test_buffers_held_until_sent_and_channel_suspended);
	tcase_add_test(tc, test_buffers_return_when_the_card_has_sent_the_frame);
	tcase_add_test(tc, test_decision_taken_in_the_tx_threads_turn);
	tcase_add_test(tc,
		       test_new_channel_waits_for_first_deadline_one_second_after_bind);
	tcase_add_test(tc, test_slack_search_makes_empty_waiting_channel_idle);
	tcase_add_test(tc, test_single_slack_channel_pauses_after_its_turn);
	tcase_add_test(tc, test_two_slack_channels_take_turns_without_pause);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tx_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
