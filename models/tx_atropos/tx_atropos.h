/*
 * tx_atropos.h - the transmit scheduler of the Nemesis network driver.
 *
 * Applications reserve link time per I/O channel with the same (p, s, x)
 * tuple as CPU time (the paper, section 2; REFERENCE.md §2).  The driver's
 * TX thread loops: wait for a free NIC descriptor, ask the scheduler for
 * the next channel, take one packet from it, charge the channel the
 * frame's transmission time and hand the frame to the NIC.
 *
 * Two parts:
 *   tx_sched   the policy: channels, refill with debt carried, EDF taken
 *              afresh for every frame, slack in round robin with a quantum,
 *              the idle-channel rule.  Pure: no events, no CPU.
 *   tx_driver  the TX thread around it: descriptor ring, blocking, the
 *              wake-up at the next refill, and the CPU cost of each step
 *              charged through an executor (the driver domain's thread on
 *              a modelled CPU, or an immediate one in tests).
 *
 * Wiring (cli/ does it):
 *	tx_sched_params sp; tx_sched_params_default(&sp, rate);
 *	tx_sched *ts = tx_sched_new(sim, "nemesis", &sp);
 *	tx_channel *ch = tx_channel_new(ts, "c1", &qos);
 *	tx_driver *drv = tx_driver_new(sim, ts, nif, exec, cost);
 *	tx_channel_send(ch, frame)  -> FALSE when the channel is full
 *	tx_sched_register_stats(ts, sim)  -> channels.<name>.*
 */
#pragma once

#include "sim/exec.h"
#include "sim/netif.h"
#include "sim/sim.h"

#include "models/cpu_atropos/atropos_core.h"

typedef struct tx_sched tx_sched;
typedef struct tx_channel tx_channel;
typedef struct tx_driver tx_driver;

typedef struct tx_sched_params {
	/* Link rate; a frame of n bytes (Ethernet header + payload, no
	 * preamble, gap or CRC) is charged n * 8 / rate (qosentry). */
	sim_rate_t rate;
	/* Slack turn of an x = true channel: 20 ms in the release. */
	sim_time_t slack_quantum;
	/* Channel depth in slots, in each direction (the client's FIFO to
	 * the driver and the return FIFO back): 32 in the release.  A packet
	 * takes TX_PACKET_SLOTS of them. */
	guint channel_slots;
	/* A channel's first deadline after it is bound, with r = 0 until
	 * then (qosentry: 1 s).  Before it the channel can send only in
	 * slack; its first period starts at bind time + first_deadline. */
	sim_time_t first_deadline;
} tx_sched_params;

/* Slots one packet takes: the transmit protocol's 3 records (header,
 * data, trailer) plus the record header the IO code adds (netif.c:
 * "a depth of 32 = 8 packets of 3 recs + 1 rec header"). */
#define TX_PACKET_SLOTS 4

void tx_sched_params_default(tx_sched_params *p, sim_rate_t rate);

tx_sched *tx_sched_new(sim_t *sim, const char *name, const tx_sched_params *p);

/* A channel starts idle with d = now + first_deadline and r = 0.  Its
 * QoS must satisfy atropos_qos_check(). */
tx_channel *tx_channel_new(tx_sched *ts, const char *name,
			   const atropos_qos *qos);
const char *tx_channel_name(const tx_channel *ch);

/*
 * Queue a frame on a channel (the channel takes the reference).  FALSE if
 * the channel has no free slots: the caller keeps the frame (and should
 * block or count a drop).  An arrival at an idle channel applies the
 * idle-channel rule.
 */
gboolean tx_channel_send(tx_channel *ch, sim_pkt *frame);
/* Free slots of the client's FIFO to the driver. */
guint tx_channel_free_slots(const tx_channel *ch);
/* Slots a frame takes in a channel (TX_PACKET_SLOTS). */
guint tx_frame_slots(const sim_pkt *frame);

/* Called when a channel gets room again (for a sender that blocked). */
void tx_channel_on_space(tx_channel *ch, void (*fn)(void *ctx), void *ctx);

/*
 * The transmit-buffer life cycle (netif.c).  The driver takes a packet
 * off the client's FIFO (its slots there are free at once) but keeps its
 * buffers until the card has sent it; then it puts them on the return
 * FIFO, where they stay until the client reclaims them.  Before it takes
 * another packet from a channel, the driver checks that the return FIFO
 * could take what it holds of that channel plus one more packet; if not
 * it suspends the channel (makes it idle, as if found empty).  A
 * reclaim re-activates a suspended channel that still has packets (an
 * arrival at an idle channel, with the idle-channel rule).
 *
 * tx_channel_on_return: fn is called for every packet whose buffers come
 * back (the client reclaims later with tx_channel_reclaim).  Without it
 * the buffers are reclaimed at once, as by a client that is always
 * ready.
 */
void tx_channel_on_return(tx_channel *ch, void (*fn)(void *ctx), void *ctx);
/* The client takes n packets' buffers off the return FIFO. */
void tx_channel_reclaim(tx_channel *ch, guint packets);
/* Packets whose buffers are on the return FIFO, not yet reclaimed. */
guint tx_channel_returned(const tx_channel *ch);
/* The card has sent (or dropped) the oldest packet the driver handed it
 * from this channel: its buffers go to the return FIFO. */
void tx_channel_frame_done(tx_channel *ch);

/*
 * The scheduler's decision at `now`: refill, then EDF over runnable
 * channels with packets (afresh for every frame), else slack.
 * Returns the frame to send (the caller owns the reference) and its
 * channel, already charged; NULL if nothing may be sent now, with
 * *wake_at the earliest time that could change without an arrival.
 */
sim_pkt *tx_sched_next(tx_sched *ts, sim_time_t now, tx_channel **from,
		       sim_time_t *wake_at);

/* Register channels.<name>.{frames,bytes,contracted_ms,...}. */
void tx_sched_register_stats(tx_sched *ts, sim_t *sim);

/* Counters of one channel. */
typedef struct tx_channel_stats {
	uint64_t frames, bytes;           /* handed to the NIC */
	uint64_t frames_window, bytes_window; /* inside the measurement window */
	sim_time_t contracted_time;       /* charged to r */
	sim_time_t slack_time;            /* sent in slack (accounted only) */
	uint64_t full_refusals;           /* sends refused: channel full */
	uint64_t idle_entries;            /* found empty, made idle */
	uint64_t idle_with_slice_left;    /* ... while r > 0 */
	sim_time_t slice_forfeited;       /* r > 0 dropped by the idle rule */
	uint64_t idle_arrivals_before_d;  /* arrivals that got r = 0 until d */
	uint64_t suspensions;	/* made idle: return FIFO could not take
				 * what the driver holds plus a packet */
	uint64_t reclaimed;	/* packets' buffers reclaimed by the client */
	uint64_t slack_idled;	/* made idle: found empty, waiting, by the
				 * slack search */
} tx_channel_stats;

const tx_channel_stats *tx_channel_get_stats(const tx_channel *ch);

/*
 * The TX thread, running its iterations on `exec` (the driver domain's
 * TX thread on a modelled CPU, or sim_exec_immediate).  per_frame_cost is
 * the CPU cost of one loop iteration that sends a frame.
 */
tx_driver *tx_driver_new(sim_t *sim, tx_sched *ts, sim_netif *nif,
			 sim_exec *exec, sim_time_t per_frame_cost);
/* Tell the TX thread a descriptor became free (from the NIC's tx_done):
 * the card is done with the oldest frame handed to it, whose buffers go
 * back to its channel (tx_channel_frame_done). */
void tx_driver_ring_space(tx_driver *drv);

/* Trace point "tx.<sched>.sends": one tx_send_rec per frame handed over. */
typedef struct tx_send_rec {
	const tx_channel *ch;
	const sim_pkt *frame;
	sim_time_t charge;
	gboolean in_slack;
} tx_send_rec;
