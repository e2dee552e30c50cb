/*
 * eth_nic.c - the NIC: transmit descriptor ring, address filter, and the
 * CSMA/CD MAC of IEEE 802.3 clause 4 (half duplex on a hub port) or the
 * plain full-duplex MAC (on a point-to-point link).
 *
 * Call order: the driver calls output() -> the frame goes on the ring ->
 * if the MAC was idle it starts on the head frame: deference, transmit,
 * maybe collide, jam, back off and retry -> at the end of a successful
 * transmission (or the 16th collision) tx_done() upward, and the MAC
 * moves to the next frame.  Receiving is driven by the hub or the link,
 * which schedule eth_nic_deliver_at() for the time the last bit of a good
 * frame reaches this NIC.
 *
 * Design of the half-duplex transmit path
 * ---------------------------------------
 * The MAC follows the Pascal of clause 4.2.8 (processes Deference,
 * TransmitLinkMgmt, BackOff) but does not run the Deference process as a
 * process: that would cost events on every carrier edge of every port.
 * Instead the hub keeps a short log of recent signals, from which the
 * carrier at any port at any time is a pure function (eth_hub.c), and a
 * MAC with a frame to send asks the hub "given what is on the wire, when
 * does my deference process release me?" (eth_hub_release_time()).  It
 * sleeps until that time and asks again on waking: signals that started
 * meanwhile can only move the answer later, so the second answer is
 * either "now" (start transmitting) or a new time to sleep until.  The
 * one thing that can move the answer earlier, a transmission cut short
 * by a collision, makes the hub re-ask every deferring MAC at once
 * (eth_nic_reevaluate()), which re-arms a timer but executes no event.
 *
 * While transmitting, the MAC has at most two pending events: the end of
 * its transmission and, if another signal will reach its port before
 * that, the moment it detects the collision.  The hub computes that
 * moment when either signal starts.  On a collision the MAC finishes the
 * preamble if it has not yet, sends the 32-bit jam (4.2.3.2.4) and
 * stops; its signal is truncated in the hub's log.  After the n-th
 * collision of a frame it waits r slot times, r uniform in
 * [0, 2^min(n, 10) - 1] (truncated binary exponential backoff,
 * 4.2.3.2.5), then defers again; the 16th collision drops the frame
 * (excessive collisions) and the count restarts at zero with the next
 * frame, as it also does after every success: that reset is what gives
 * the capture effect.  A collision later than one slot time after the
 * end of the preamble is a late collision (4.2.3.2.4): counted, and
 * handled like any other (jam, back off, retry).
 *
 * Events per frame: a frame that gets through without contention costs
 * two MAC events (start, if it had to wait, and end) plus one delivery
 * event per receiving NIC; each collision adds at most three per
 * colliding station (detection, end of jam, end of backoff); a station
 * deferring to another's frame costs one event (its release).
 */
#include "eth_var.h"

#include <string.h>

static void nic_wake(void *ctx, void *arg);
static void nic_collide(void *ctx, void *arg);
static void mac_try(eth_nic *nic);

void
eth_mac_from_index(uint8_t mac[6], uint32_t n)
{
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0;
	mac[2] = 0;
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

eth_nic_params
eth_nic_params_default(sim_rate_t rate)
{
	eth_nic_params p = {
	    .rate = rate,
	    .ring_depth = 31, /* de4x5 driver's TX ring */
	    .promiscuous = FALSE,
	    .all_multicast = TRUE,
	    .attempt_limit = ETH_ATTEMPT_LIMIT,
	    .backoff_limit = ETH_BACKOFF_LIMIT,
	};
	eth_mac_from_index(p.mac, 1);
	return p;
}

sim_time_t
eth_window_elapsed(const sim_t *sim)
{
	sim_time_t end =
	    sim_now(sim) < sim->measure_to ? sim_now(sim) : sim->measure_to;
	return end > sim->measure_from ? end - sim->measure_from : 0;
}

/* ---- the ring ----------------------------------------------------- */

static sim_pkt *
ring_head(const eth_nic *nic)
{
	return nic->ring_count ? nic->ring[nic->ring_head] : NULL;
}

static sim_pkt *
ring_pop(eth_nic *nic)
{
	sim_pkt *p = nic->ring[nic->ring_head];
	nic->ring[nic->ring_head] = NULL;
	nic->ring_head = (nic->ring_head + 1) % nic->p.ring_depth;
	nic->ring_count--;
	return p;
}

static gboolean
nic_output(sim_netif *nif, sim_pkt *frame)
{
	eth_nic *nic = nif->impl;
	g_assert(sim_pkt_len(frame) >= ETH_HDR_BYTES &&
		 sim_pkt_len(frame) + ETH_FCS_BYTES <= ETH_MAX_FRAME);
	g_assert(nic->hub || nic->link); /* attach before sending */
	if (nic->ring_count == nic->p.ring_depth)
		return FALSE;
	uint32_t tail = (nic->ring_head + nic->ring_count) % nic->p.ring_depth;
	nic->ring[tail] = frame;
	nic->ring_count++;
	if (nic->state == ETH_MAC_IDLE) {
		nic->head_since = sim_now(nic->sim);
		nic->attempts = 0;
		mac_try(nic);
	}
	return TRUE;
}

static uint32_t
nic_tx_ring_free(const sim_netif *nif)
{
	const eth_nic *nic = nif->impl;
	return nic->p.ring_depth - nic->ring_count;
}

uint32_t
eth_nic_ring_used(const eth_nic *nic)
{
	return nic->ring_count;
}

/* ---- transmit ----------------------------------------------------- */

static sim_time_t
wire_time(const eth_nic *nic, const sim_pkt *frame)
{
	return sim_tx_time(eth_wire_bytes(sim_pkt_len(frame)), nic->p.rate);
}

static void
start_tx(eth_nic *nic)
{
	sim_t *sim = nic->sim;
	sim_pkt *frame = ring_head(nic);
	sim_time_t now = sim_now(sim);

	nic->state = ETH_MAC_TX;
	nic->tx_start = now;
	nic->tx_end = now + wire_time(nic, frame);
	nic->collided = FALSE;
	nic->st.attempts++;
	sim_timer_arm_at(sim, &nic->wake, nic->tx_end);
	if (nic->hub)
		nic->sig_seq =
		    eth_hub_signal_start(nic->hub, nic->port, nic->tx_end);
}

/*
 * The head frame is ready to go (new at the head, or its backoff is
 * over): run the deference rule and either start now or sleep until the
 * release time.
 */
static void
mac_try(eth_nic *nic)
{
	sim_time_t now = sim_now(nic->sim), w;

	if (nic->link) {
		/* Full duplex: only our own interframe gap (4.2.3.2.2). */
		w = nic->last_own_end + nic->ifg_ns;
	} else {
		w = eth_hub_release_time(nic->hub, nic->port);
	}
	if (w <= now) {
		start_tx(nic);
		return;
	}
	/* A deferral is waiting for someone else's carrier (what NICs
	 * report, and what 30.3.1.1.9 means by "the medium was busy"), not
	 * the gap after our own previous frame. */
	if (nic->hub && nic->attempts == 0 && nic->state == ETH_MAC_IDLE &&
	    w > nic->last_own_end + nic->ifg_ns)
		nic->st.deferrals++;
	nic->state = ETH_MAC_DEFER;
	if (nic->hub)
		eth_hub_waiter_add(nic->hub, nic);
	sim_timer_arm_at(nic->sim, &nic->wake, w);
}

void
eth_nic_reevaluate(eth_nic *nic)
{
	g_assert(nic->state == ETH_MAC_DEFER);
	sim_time_t w = eth_hub_release_time(nic->hub, nic->port);
	if (w < sim_now(nic->sim))
		w = sim_now(nic->sim);
	sim_timer_arm_at(nic->sim, &nic->wake, w);
}

void
eth_nic_collision_at(eth_nic *nic, sim_time_t t)
{
	g_assert(nic->state == ETH_MAC_TX);
	if (nic->collided || t >= nic->tx_end)
		return;
	if (sim_timer_is_armed(nic->sim, &nic->coll) &&
	    sim_timer_expiry(nic->sim, &nic->coll) <= t)
		return;
	sim_timer_arm_at(nic->sim, &nic->coll, t);
}

/* Collision detected: finish the preamble, jam, stop. */
static void
nic_collide(void *ctx, void *arg)
{
	eth_nic *nic = ctx;
	sim_time_t now = sim_now(nic->sim);

	g_assert(nic->state == ETH_MAC_TX && !nic->collided);
	nic->collided = TRUE;
	nic->st.collisions++;
	if (sim_in_window(nic->sim, nic->tx_start))
		nic->win_collisions++;
	/* lateCollision: after the first slotTime of the frame proper. */
	if (now - (nic->tx_start + nic->preamble_ns) > nic->slot_ns)
		nic->st.late_collisions++;
	sim_time_t jam_from = now > nic->tx_start + nic->preamble_ns
				  ? now
				  : nic->tx_start + nic->preamble_ns;
	sim_time_t end = jam_from + nic->jam_ns;
	if (end < nic->tx_end) {
		nic->tx_end = end;
		sim_timer_arm_at(nic->sim, &nic->wake, end);
		eth_hub_signal_truncate(nic->hub, nic->sig_seq, end);
	}
}

/* Hand the head frame back upward and move on to the next one. */
static void
finish_frame(eth_nic *nic, gboolean sent)
{
	sim_pkt *frame = ring_pop(nic);
	nic->state = ETH_MAC_IDLE;
	nic->attempts = 0;
	if (nic->nif.tx_done)
		nic->nif.tx_done(nic->nif.upper, &nic->nif, frame, sent);
	sim_pkt_unref(frame);
	/* tx_done may have queued a frame (and started the MAC already). */
	if (nic->state == ETH_MAC_IDLE && nic->ring_count) {
		nic->head_since = sim_now(nic->sim);
		mac_try(nic);
	}
}

static void
tx_end(eth_nic *nic)
{
	sim_t *sim = nic->sim;
	sim_time_t now = sim_now(sim);
	sim_pkt *frame = ring_head(nic);

	nic->st.tx_busy_ns += now - nic->tx_start;
	if (nic->hub)
		eth_hub_txer_remove(nic->hub, nic);
	sim_timer_cancel(sim, &nic->coll);
	nic->last_own_end = now;

	if (!nic->collided) {
		uint32_t len = sim_pkt_len(frame);
		nic->st.frames_sent++;
		nic->st.bytes_sent += len;
		if (sim_in_window(sim, nic->tx_start)) {
			nic->win_frames++;
			nic->win_bytes += len;
			nic->win_busy_ns += now - nic->tx_start;
			eth_hist_add(nic->delay,
				     nic->tx_start - nic->head_since);
		}
		sim_trace_emit(&nic->trace, now, frame);
		if (nic->hub)
			eth_hub_frame_done(nic->hub, nic->port, nic->sig_seq,
					   frame);
		else
			eth_link_frame_done(nic->link, nic->link_end, frame);
		finish_frame(nic, TRUE);
		return;
	}

	/* Collided: the n-th collision of this frame. */
	nic->attempts++;
	if (nic->attempts >= nic->p.attempt_limit) {
		nic->st.excessive_collisions++;
		finish_frame(nic, FALSE);
		return;
	}
	uint32_t k = nic->attempts < nic->p.backoff_limit
			 ? nic->attempts
			 : nic->p.backoff_limit;
	uint64_t r = gsl_rng_uniform_int(nic->rng, 1ul << k);
	sim_time_t wait = (sim_time_t)r * nic->slot_ns;
	nic->st.backoff_ns += wait;
	if (wait == 0) {
		nic->state = ETH_MAC_BACKOFF;
		mac_try(nic);
		return;
	}
	nic->state = ETH_MAC_BACKOFF;
	sim_timer_arm_at(sim, &nic->wake, now + wait);
}

static void
nic_wake(void *ctx, void *arg)
{
	eth_nic *nic = ctx;
	sim_time_t w;

	switch (nic->state) {
	case ETH_MAC_TX:
		tx_end(nic);
		break;
	case ETH_MAC_BACKOFF:
		mac_try(nic);
		break;
	case ETH_MAC_DEFER:
		if (nic->link) {
			start_tx(nic);
			break;
		}
		w = eth_hub_release_time(nic->hub, nic->port);
		if (w <= sim_now(nic->sim)) {
			eth_hub_waiter_remove(nic->hub, nic);
			start_tx(nic);
		} else {
			sim_timer_arm_at(nic->sim, &nic->wake, w);
		}
		break;
	case ETH_MAC_IDLE:
		g_assert_not_reached();
	}
}

/* ---- receive ------------------------------------------------------ */

gboolean
eth_nic_accepts(const eth_nic *nic, const sim_pkt *frame)
{
	const uint8_t *dst = sim_pkt_hdr_const(frame);
	uint8_t d[6];
	if (sim_pkt_hdr_len(frame) < 6) {
		sim_pkt_copy_out(frame, 0, 6, d);
		dst = d;
	}
	if (nic->p.promiscuous)
		return TRUE;
	if (dst[0] & 1) /* group address: broadcast or multicast */
		return nic->p.all_multicast ||
		       memcmp(dst, "\xff\xff\xff\xff\xff\xff", 6) == 0;
	return memcmp(dst, nic->p.mac, 6) == 0;
}

static void
deliver_ev(void *ctx, void *arg)
{
	eth_nic *nic = ctx;
	sim_pkt *frame = nic->rxq[nic->rxq_head];
	g_assert(nic->rxq_count && frame == arg);
	nic->rxq[nic->rxq_head] = NULL;
	nic->rxq_head = (nic->rxq_head + 1) & (nic->rxq_cap - 1);
	nic->rxq_count--;
	if (nic->loss_rng && gsl_rng_uniform(nic->loss_rng) < nic->p.rx_loss) {
		nic->st.rx_lost++;
		sim_pkt_unref(frame);
		return;
	}
	nic->st.frames_received++;
	nic->st.bytes_received += sim_pkt_len(frame);
	sim_trace_emit(&nic->trace, sim_now(nic->sim), frame);
	if (nic->nif.input)
		nic->nif.input(nic->nif.upper, &nic->nif, frame);
	else
		sim_pkt_unref(frame);
}

void
eth_nic_deliver_at(eth_nic *nic, sim_time_t t, sim_pkt *frame)
{
	if (nic->rxq_count == nic->rxq_cap) {
		uint32_t cap = nic->rxq_cap ? 2 * nic->rxq_cap : 8;
		sim_pkt **q = g_new0(sim_pkt *, cap);
		for (uint32_t i = 0; i < nic->rxq_count; i++)
			q[i] =
			    nic->rxq[(nic->rxq_head + i) & (nic->rxq_cap - 1)];
		g_free(nic->rxq);
		nic->rxq = q;
		nic->rxq_cap = cap;
		nic->rxq_head = 0;
	}
	nic->rxq[(nic->rxq_head + nic->rxq_count) & (nic->rxq_cap - 1)] =
	    sim_pkt_ref(frame);
	nic->rxq_count++;
	sim_at(nic->sim, t, deliver_ev, nic, frame);
}

/* ---- construction and statistics ---------------------------------- */

static void
nic_free(gpointer data)
{
	eth_nic *nic = data;
	while (nic->ring_count)
		sim_pkt_unref(ring_pop(nic));
	for (uint32_t i = 0; i < nic->rxq_count; i++)
		sim_pkt_unref(
		    nic->rxq[(nic->rxq_head + i) & (nic->rxq_cap - 1)]);
	g_free(nic->rxq);
	g_free(nic->ring);
	g_free(nic->delay);
	g_free(nic->name);
	g_free(nic);
}

eth_nic *
eth_nic_new(sim_t *sim, const char *name, const eth_nic_params *p)
{
	g_assert(p->rate > 0 && p->ring_depth > 0);
	g_assert(p->attempt_limit > 0 && p->backoff_limit < 31);
	g_assert(p->rx_loss >= 0 && p->rx_loss < 1);
	eth_nic *nic = g_new0(eth_nic, 1);
	nic->sim = sim;
	nic->name = g_strdup(name);
	nic->p = *p;
	nic->slot_ns = eth_bit_time(ETH_SLOT_BITS, p->rate);
	nic->ifg_ns = eth_bit_time(ETH_IFG_BITS, p->rate);
	nic->ifg1_ns = eth_bit_time(ETH_IFG_PART1_BITS, p->rate);
	nic->jam_ns = eth_bit_time(ETH_JAM_BITS, p->rate);
	nic->preamble_ns = sim_tx_time(ETH_PREAMBLE_BYTES, p->rate);
	nic->ring = g_new0(sim_pkt *, p->ring_depth);
	nic->state = ETH_MAC_IDLE;
	nic->port = -1;
	nic->waiter_idx = -1;
	nic->txer_idx = -1;
	nic->last_own_end = -SIM_S; /* long ago: the first frame goes at once */
	sim_timer_init(&nic->wake, nic_wake, nic, NULL);
	sim_timer_init(&nic->coll, nic_collide, nic, NULL);
	char *rname = g_strdup_printf("eth.nic.%s", name);
	nic->rng = sim_rng(sim, rname);
	g_free(rname);
	if (p->rx_loss > 0) {
		rname = g_strdup_printf("eth.nic.%s.loss", name);
		nic->loss_rng = sim_rng(sim, rname);
		g_free(rname);
	}
	nic->delay = g_new0(eth_hist, 1);
	nic->trace.kind = SIM_TRACE_FRAME;

	nic->nif.name = nic->name;
	memcpy(nic->nif.mac, p->mac, 6);
	nic->nif.rate = p->rate;
	nic->nif.mtu = ETH_MAX_FRAME - ETH_HDR_BYTES - ETH_FCS_BYTES;
	nic->nif.output = nic_output;
	nic->nif.tx_ring_free = nic_tx_ring_free;
	nic->nif.impl = nic;
	sim_on_free(sim, nic_free, nic);
	return nic;
}

sim_netif *
eth_nic_netif(eth_nic *nic)
{
	return &nic->nif;
}

const char *
eth_nic_name(const eth_nic *nic)
{
	return nic->name;
}

const eth_nic_stats *
eth_nic_get_stats(const eth_nic *nic)
{
	return &nic->st;
}

void
eth_nic_set_promiscuous(eth_nic *nic, gboolean on)
{
	nic->p.promiscuous = on;
}

double
eth_nic_access_delay_mean_us(const eth_nic *nic)
{
	return eth_hist_mean(nic->delay) / 1e3;
}

double
eth_nic_access_delay_quantile_us(const eth_nic *nic, double q)
{
	return eth_hist_quantile(nic->delay, q) / 1e3;
}

eth_pending
eth_nic_pending(const eth_nic *nic)
{
	eth_pending p = {0, 0, 0};
	sim_time_t now = sim_now(nic->sim);
	if (nic->state == ETH_MAC_TX && !nic->collided && now < nic->tx_end &&
	    sim_in_window(nic->sim, nic->tx_start)) {
		p.frames = 1;
		p.bytes = sim_pkt_len(ring_head(nic));
		p.busy_ns = nic->tx_end - nic->tx_start;
	}
	return p;
}

uint64_t
eth_nic_window_bytes(const eth_nic *nic)
{
	return nic->win_bytes + eth_nic_pending(nic).bytes;
}

sim_tracepoint *
eth_nic_trace(eth_nic *nic)
{
	return &nic->trace;
}

void
eth_nic_register_trace(eth_nic *nic, sim_t *sim)
{
	char *n = g_strdup_printf("%s.frames", nic->name);
	sim_trace_register(sim, n, &nic->trace, SIM_TRACE_FRAME);
	g_free(n);
}

static double
nic_utilization(void *ctx)
{
	eth_nic *nic = ctx;
	return eth_window_share(nic->sim,
				nic->win_busy_ns + eth_nic_pending(nic).busy_ns);
}

static double
nic_frames_per_s(void *ctx)
{
	eth_nic *nic = ctx;
	return eth_window_rate(nic->sim,
			       nic->win_frames + eth_nic_pending(nic).frames);
}

static double
nic_collisions_per_frame(void *ctx)
{
	eth_nic *nic = ctx;
	return eth_ratio(nic->win_collisions, nic->win_frames);
}

static double
nic_delay_mean(void *ctx)
{
	return eth_nic_access_delay_mean_us(ctx);
}

static double
nic_delay_p99(void *ctx)
{
	return eth_nic_access_delay_quantile_us(ctx, 0.99);
}

void
eth_nic_register_stats(eth_nic *nic, sim_t *sim, const char *prefix)
{
	static const struct {
		const char *name;
		size_t off;
	} u64s[] = {
	    {"frames_sent", G_STRUCT_OFFSET(eth_nic_stats, frames_sent)},
	    {"bytes_sent", G_STRUCT_OFFSET(eth_nic_stats, bytes_sent)},
	    {"frames_received",
	     G_STRUCT_OFFSET(eth_nic_stats, frames_received)},
	    {"bytes_received", G_STRUCT_OFFSET(eth_nic_stats, bytes_received)},
	    {"attempts", G_STRUCT_OFFSET(eth_nic_stats, attempts)},
	    {"collisions", G_STRUCT_OFFSET(eth_nic_stats, collisions)},
	    {"late_collisions",
	     G_STRUCT_OFFSET(eth_nic_stats, late_collisions)},
	    {"deferrals", G_STRUCT_OFFSET(eth_nic_stats, deferrals)},
	    {"excessive_collisions",
	     G_STRUCT_OFFSET(eth_nic_stats, excessive_collisions)},
	    {"rx_fragments", G_STRUCT_OFFSET(eth_nic_stats, rx_fragments)},
	    {"rx_filtered", G_STRUCT_OFFSET(eth_nic_stats, rx_filtered)},
	    {"rx_lost", G_STRUCT_OFFSET(eth_nic_stats, rx_lost)},
	};
	char path[256];
	for (size_t i = 0; i < G_N_ELEMENTS(u64s); i++) {
		g_snprintf(path, sizeof path, "%s.%s", prefix, u64s[i].name);
		sim_stats_add_u64(sim->stats, path,
				  G_STRUCT_MEMBER_P(&nic->st, u64s[i].off));
	}
	g_snprintf(path, sizeof path, "%s.backoff_ns", prefix);
	sim_stats_add_i64(sim->stats, path, &nic->st.backoff_ns);
	g_snprintf(path, sizeof path, "%s.utilization", prefix);
	sim_stats_add_fn(sim->stats, path, nic_utilization, nic);
	g_snprintf(path, sizeof path, "%s.frames_per_s", prefix);
	sim_stats_add_fn(sim->stats, path, nic_frames_per_s, nic);
	g_snprintf(path, sizeof path, "%s.collisions_per_frame", prefix);
	sim_stats_add_fn(sim->stats, path, nic_collisions_per_frame, nic);
	g_snprintf(path, sizeof path, "%s.access_delay_mean_us", prefix);
	sim_stats_add_fn(sim->stats, path, nic_delay_mean, nic);
	g_snprintf(path, sizeof path, "%s.access_delay_p99_us", prefix);
	sim_stats_add_fn(sim->stats, path, nic_delay_p99, nic);
}
