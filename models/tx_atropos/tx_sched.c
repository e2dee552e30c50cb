/*
 * tx_sched.c - the transmit scheduler's policy (REFERENCE.md §2).
 *
 * Design.  Each channel embeds an atropos_client; the shared Atropos core
 * keeps the run and wait queues, the refill and the slack ring.  What is
 * particular to the transmit side is stated here, in the order the TX
 * thread applies it on every pick:
 *
 *  1. Refill every waiting channel whose deadline has passed: r += s,
 *     d += p; debt is carried and a positive leftover is kept (qosentry
 *     adds, it does not clamp).  Idle channels are on no queue and get no
 *     refills.
 *  2. EDF over the run queue, afresh for every frame: the channel served
 *     last stays on the run queue where it was, and the earliest deadline
 *     is taken again before each packet (qosentry), so a channel refilled
 *     meanwhile with an earlier deadline gets the very next frame.  Equal
 *     deadlines: a newcomer goes ahead of the channels already queued with
 *     that deadline (the release's sorted insert stops at the first entry
 *     that is not earlier).  The only eligibility test is r > 0 at
 *     selection: a frame longer than the remaining slice is still sent
 *     whole, and r goes negative (debt for the next period).
 *  3. A channel found empty at the head of the run queue becomes idle:
 *     off every queue, its remaining allocation forfeited.  So does one
 *     whose return FIFO could not take what the driver holds of it plus
 *     one more packet (suspended; see tx_channel_on_return).
 *  4. Otherwise slack: x = true channels that are waiting (r <= 0) and
 *     have packets, in round robin; the channel holding the turn keeps it
 *     for a quantum (20 ms in the release) decremented by its charges.
 *     A waiting channel the search finds empty is made idle (qosentry),
 *     so it gets no more refills and its debt is dropped.  When the
 *     holder's quantum has run out and no other channel may have slack,
 *     the release does not give the holder another turn at once: the
 *     search starts after the holder and ends before it, so the TX
 *     thread blocks until the next event (a packet on any channel) or
 *     the earliest deadline (20 s if none), and the holder starts a new
 *     turn then.  With a single x = true channel this pause follows every
 *     slack turn (counted as tx.<name>.slack_pauses).
 *     Time sent in slack is only accounted, never taken from r.
 *  5. Otherwise nothing: the TX thread sleeps until the earliest deadline
 *     on the wait queue, or until a packet arrives.
 *
 * A new channel is idle with d = bind time + 1 s and r = 0 (qosentry), so
 * until then it sends only in slack.
 *
 * The idle-channel rule: a packet arriving at an idle channel after its
 * deadline starts a new period at once (r = s, d = now + p).  Arriving
 * before its deadline, the channel gets r = 0 until d: the rest of the
 * period's allocation (and any debt) is dropped, so until d it can send
 * only in slack.  This matters whenever TCP's window closes in the middle
 * of a period, as for c3 in the paper's Figure 5.
 */
#include "tx_var.h"

#include "sim/stats.h"

#include <string.h>

static void wake_idle(tx_sched *ts, tx_channel *ch);

void
tx_sched_params_default(tx_sched_params *p, sim_rate_t rate)
{
	p->rate = rate;
	p->slack_quantum = 20 * SIM_MS; /* qosentry's slack turn */
	p->channel_slots = 32;          /* netif I/O channel depth */
	p->first_deadline = SIM_S;      /* qosentry: a new channel's d */
}

static void
sched_free(gpointer data)
{
	tx_sched *ts = data;
	for (guint i = 0; i < ts->channels->len; i++) {
		tx_channel *ch = g_ptr_array_index(ts->channels, i);
		for (sim_pkt *p = ch->head, *n; p; p = n) {
			n = p->next;
			sim_pkt_unref(p);
		}
		/* No atropos_client_fini: the scheduler goes below. */
		g_free(ch->name);
		g_free(ch);
	}
	g_ptr_array_free(ts->channels, TRUE);
	atropos_sched_clear(&ts->as);
	g_free(ts->name);
	g_free(ts);
}

tx_sched *
tx_sched_new(sim_t *sim, const char *name, const tx_sched_params *p)
{
	g_assert(p->rate > 0 && p->slack_quantum > 0 && p->channel_slots > 0 &&
		 p->first_deadline >= 0);
	tx_sched *ts = g_new0(tx_sched, 1);
	ts->sim = sim;
	ts->name = g_strdup(name);
	ts->p = *p;
	atropos_sched_init(&ts->as);
	atropos_sched_set_ties(&ts->as, ATROPOS_TIES_NEWEST);
	ts->channels = g_ptr_array_new();
	char *tp = g_strdup_printf("tx.%s.sends", name);
	sim_trace_register(sim, tp, &ts->sends, SIM_TRACE_RECORD);
	g_free(tp);
	sim_on_free(sim, sched_free, ts);
	return ts;
}

tx_channel *
tx_channel_new(tx_sched *ts, const char *name, const atropos_qos *qos)
{
	g_assert(atropos_qos_check(qos, name, NULL));
	tx_channel *ch = g_new0(tx_channel, 1);
	ch->ts = ts;
	ch->name = g_strdup(name);
	ch->idle = TRUE;
	atropos_client_init(&ts->as, &ch->ac, qos, ch);
	/* As the release binds a channel: its first deadline 1 s away and
	 * nothing to spend until then, so a packet before it finds the
	 * channel idle before its deadline (r = 0 until d). */
	ch->ac.d = sim_now(ts->sim) + ts->p.first_deadline;
	ch->ac.r = 0;
	g_ptr_array_add(ts->channels, ch);
	return ch;
}

const char *
tx_channel_name(const tx_channel *ch)
{
	return ch->name;
}

const tx_channel_stats *
tx_channel_get_stats(const tx_channel *ch)
{
	return &ch->st;
}

guint
tx_frame_slots(const sim_pkt *frame)
{
	/* Every transmit packet is 3 records and a record header, however
	 * its bytes are laid out. */
	(void)frame;
	return TX_PACKET_SLOTS;
}

guint
tx_channel_free_slots(const tx_channel *ch)
{
	return ch->ts->p.channel_slots - ch->slots_used;
}

void
tx_channel_on_space(tx_channel *ch, void (*fn)(void *ctx), void *ctx)
{
	ch->space_fn = fn;
	ch->space_ctx = ctx;
}

gboolean
tx_channel_send(tx_channel *ch, sim_pkt *frame)
{
	tx_sched *ts = ch->ts;
	guint slots = tx_frame_slots(frame);
	if (slots > tx_channel_free_slots(ch)) {
		ch->st.full_refusals++;
		return FALSE;
	}
	frame->next = NULL;
	if (ch->tail)
		ch->tail->next = frame;
	else
		ch->head = frame;
	ch->tail = frame;
	ch->slots_used += slots;
	ch->queued++;

	if (ch->idle)
		wake_idle(ts, ch); /* the idle-channel rule */
	ts->paused = FALSE; /* an event: the TX thread wakes */
	if (ts->drv)
		tx_driver_kick(ts->drv);
	return TRUE;
}

static sim_pkt *
dequeue(tx_channel *ch)
{
	sim_pkt *p = ch->head;
	ch->head = p->next;
	if (!ch->head)
		ch->tail = NULL;
	p->next = NULL;
	ch->slots_used -= tx_frame_slots(p);
	ch->outstanding += tx_frame_slots(p);
	ch->queued--;
	return p;
}

/* Could the return FIFO take what the driver holds plus one packet? */
static gboolean
may_take_packet(const tx_channel *ch)
{
	return ch->ts->p.channel_slots - ch->returned >=
	       ch->outstanding + TX_PACKET_SLOTS;
}

void
tx_channel_on_return(tx_channel *ch, void (*fn)(void *ctx), void *ctx)
{
	ch->return_fn = fn;
	ch->return_ctx = ctx;
}

guint
tx_channel_returned(const tx_channel *ch)
{
	return ch->returned / TX_PACKET_SLOTS;
}

static void
make_idle(tx_sched *ts, tx_channel *ch)
{
	if (ch->ac.r > 0) {
		ch->st.idle_with_slice_left++;
		ch->st.slice_forfeited += ch->ac.r;
	}
	ch->st.idle_entries++;
	atropos_remove(&ts->as, &ch->ac);
	ch->idle = TRUE;
	if (ts->slack_holder == ch)
		ts->slack_holder = NULL;
}

/* An arrival, or a reclaim, at an idle channel that has packets. */
static void
wake_idle(tx_sched *ts, tx_channel *ch)
{
	sim_time_t now = sim_now(ts->sim);
	ch->idle = FALSE;
	if (now > ch->ac.d) {
		ch->ac.r = ch->ac.qos.s;
		ch->ac.d = now + ch->ac.qos.p;
	} else {
		ch->ac.r = 0;
		ch->st.idle_arrivals_before_d++;
	}
	atropos_enqueue_by_remain(&ts->as, &ch->ac);
}

void
tx_channel_reclaim(tx_channel *ch, guint packets)
{
	tx_sched *ts = ch->ts;
	g_assert(packets * TX_PACKET_SLOTS <= ch->returned);
	ch->returned -= packets * TX_PACKET_SLOTS;
	ch->st.reclaimed += packets;
	if (ch->idle && ch->queued > 0 && packets > 0) {
		wake_idle(ts, ch);
		ts->paused = FALSE;
		if (ts->drv)
			tx_driver_kick(ts->drv);
	}
}

void
tx_channel_frame_done(tx_channel *ch)
{
	g_assert(ch->outstanding >= TX_PACKET_SLOTS);
	ch->outstanding -= TX_PACKET_SLOTS;
	ch->returned += TX_PACKET_SLOTS;
	if (ch->return_fn)
		ch->return_fn(ch->return_ctx);
	else
		tx_channel_reclaim(ch, 1);
}

/* Suspended: the return FIFO could not take another packet's buffers. */
static void
suspend(tx_sched *ts, tx_channel *ch)
{
	ch->st.suspensions++;
	make_idle(ts, ch);
}

static gboolean
slack_eligible(void *ctx, const atropos_client *c)
{
	tx_sched *ts = ctx;
	tx_channel *ch = c->owner;
	if (c->qstate != ATROPOS_Q_WAIT)
		return FALSE;
	if (ch->queued == 0) {
		/* qosentry's slack search makes a waiting channel it finds
		 * empty idle: no more refills, its debt dropped when a
		 * packet comes (the idle-channel rule). */
		ch->st.slack_idled++;
		make_idle(ts, ch);
		return FALSE;
	}
	if (!may_take_packet(ch)) {
		suspend(ts, ch);
		return FALSE;
	}
	return TRUE;
}

static void
space_cb(void *ctx, void *arg)
{
	tx_channel *ch = ctx;
	if (ch->space_fn)
		ch->space_fn(ch->space_ctx);
}

sim_pkt *
tx_sched_next(tx_sched *ts, sim_time_t now, tx_channel **from,
	      sim_time_t *wake_at)
{
	atropos_refill(&ts->as, now, ATROPOS_REFILL_ADD, NULL, NULL, NULL);

	tx_channel *ch = NULL;
	gboolean slack = FALSE;

	/* 2., 3. EDF before every frame; channels found empty become idle. */
	while (!ch) {
		atropos_client *h = atropos_run_head(&ts->as);
		if (!h)
			break;
		tx_channel *c = h->owner;
		if (c->queued == 0)
			make_idle(ts, c);
		else if (!may_take_packet(c))
			suspend(ts, c);
		else
			ch = c;
	}
	/* 4. Slack, unless paused after a turn. */
	if (!ch && ts->paused && now >= ts->pause_until)
		ts->paused = FALSE;
	if (!ch && !ts->paused) {
		tx_channel *sh = ts->slack_holder;
		if (sh && ts->slack_left > 0 && slack_eligible(ts, &sh->ac)) {
			ch = sh;
		} else {
			atropos_client *c =
				atropos_slack_pick(&ts->as, slack_eligible, ts);
			if (c && c->owner == sh && ts->slack_left <= 0) {
				/* The turn is over and no one else may go:
				 * block until an event or a deadline; the
				 * holder's next turn starts afresh. */
				ts->paused = TRUE;
				ts->pauses++;
				ts->pause_until =
					MIN(atropos_next_refill(&ts->as, NULL),
					    now + 20 * SIM_S);
				ts->slack_left = ts->p.slack_quantum;
			} else if (c) {
				ch = c->owner;
				ts->slack_holder = ch;
				ts->slack_left = ts->p.slack_quantum;
			}
		}
		slack = ch != NULL;
	}
	if (!ch) {
		*wake_at = ts->paused ? ts->pause_until
				      : atropos_next_refill(&ts->as, NULL);
		return NULL;
	}

	sim_pkt *frame = dequeue(ch);
	sim_time_t cost = sim_tx_time(sim_pkt_len(frame), ts->p.rate);
	if (slack) {
		ts->slack_left -= cost;
		ch->st.slack_time += cost;
	} else {
		ch->st.contracted_time += cost;
		atropos_charge(&ts->as, &ch->ac, cost);
	}
	ch->st.frames++;
	ch->st.bytes += sim_pkt_len(frame);
	if (sim_in_window(ts->sim, now)) {
		ch->st.frames_window++;
		ch->st.bytes_window += sim_pkt_len(frame);
	}
	if (sim_trace_is_on(&ts->sends)) {
		tx_send_rec rec = { ch, frame, cost, slack };
		sim_trace_emit(&ts->sends, now, &rec);
	}
	if (ch->space_fn)
		sim_after(ts->sim, 0, space_cb, ch, NULL);
	*from = ch;
	*wake_at = now;
	return frame;
}

/* ---- Statistics ---------------------------------------------------------- */

static double
tx_mbps(void *ctx)
{
	tx_channel *ch = ctx;
	sim_t *sim = ch->ts->sim;
	double w = sim_time_to_s(MIN(sim->measure_to, sim_now(sim)) -
				 sim->measure_from);
	return w > 0 ? ch->st.bytes_window * 8.0 / w / 1e6 : 0.0;
}

static double
ms_of(sim_time_t t)
{
	return (double)t / SIM_MS;
}

static double
contracted_ms(void *ctx)
{
	return ms_of(((tx_channel *)ctx)->st.contracted_time);
}

static double
slack_ms(void *ctx)
{
	return ms_of(((tx_channel *)ctx)->st.slack_time);
}

static double
forfeited_ms(void *ctx)
{
	return ms_of(((tx_channel *)ctx)->st.slice_forfeited);
}

/*
 * What the reservation carries as TCP payload if the channel is always
 * backlogged with MTU-sized frames: s/p of the link in frame time, each
 * 1514-byte frame (Ethernet header + 1500) carrying 1460 bytes.  The
 * paper's "theory" for the 200 ms sweep (s / 1.2 ms packets per period).
 */
static double
theory_payload_mbps(void *ctx)
{
	tx_channel *ch = ctx;
	double share = (double)ch->ac.qos.s / (double)ch->ac.qos.p;
	return share * (double)ch->ts->p.rate * 1460.0 / 1514.0 / 1e6;
}

void
tx_sched_register_stats(tx_sched *ts, sim_t *sim)
{
	char *sp = g_strdup_printf("tx.%s.slack_pauses", ts->name);
	sim_stats_add_u64(sim->stats, sp, &ts->pauses);
	g_free(sp);
	for (guint i = 0; i < ts->channels->len; i++) {
		tx_channel *ch = g_ptr_array_index(ts->channels, i);
		char *p = g_strdup_printf("channels.%s", ch->name);
		char buf[256];
#define PATH(k) (g_snprintf(buf, sizeof buf, "%s.%s", p, k), buf)
		sim_stats_add_u64(sim->stats, PATH("frames"), &ch->st.frames);
		sim_stats_add_u64(sim->stats, PATH("bytes"), &ch->st.bytes);
		sim_stats_add_fn(sim->stats, PATH("tx_mbps"), tx_mbps, ch);
		sim_stats_add_fn(sim->stats, PATH("theory_payload_mbps"),
				 theory_payload_mbps, ch);
		sim_stats_add_fn(sim->stats, PATH("contracted_ms"),
				 contracted_ms, ch);
		sim_stats_add_fn(sim->stats, PATH("slack_ms"), slack_ms, ch);
		sim_stats_add_u64(sim->stats, PATH("periods"), &ch->ac.refills);
		sim_stats_add_u64(sim->stats, PATH("full_refusals"),
				  &ch->st.full_refusals);
		sim_stats_add_u64(sim->stats, PATH("idle_entries"),
				  &ch->st.idle_entries);
		sim_stats_add_u64(sim->stats, PATH("idle_with_slice_left"),
				  &ch->st.idle_with_slice_left);
		sim_stats_add_fn(sim->stats, PATH("slice_forfeited_ms"),
				 forfeited_ms, ch);
		sim_stats_add_u64(sim->stats, PATH("idle_arrivals_before_deadline"),
				  &ch->st.idle_arrivals_before_d);
		sim_stats_add_u64(sim->stats, PATH("suspensions"),
				  &ch->st.suspensions);
		sim_stats_add_u64(sim->stats, PATH("slack_idled"),
				  &ch->st.slack_idled);
		sim_stats_add_u64(sim->stats, PATH("reclaimed"),
				  &ch->st.reclaimed);
#undef PATH
		g_free(p);
	}
}
