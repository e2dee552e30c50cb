/*
 * eth_var.h - internals of the Ethernet model, shared by its files.
 *
 * Not for other models: they use eth.h.  The hub and the NIC's MAC are
 * tightly coupled (the MAC asks the hub what its port senses), so their
 * structs live here.
 */
#pragma once

#include "eth.h"

#include <gsl/gsl_rng.h>

/* ---- access-delay histogram (eth_hist.c) -------------------------- */

/*
 * A log-linear histogram of non-negative nanosecond values: exact below
 * 64 ns, then 32 buckets per power of two (relative error under 1.6% at
 * the bucket midpoint).  Fixed size, so memory does not grow with the
 * simulated duration.
 */
#define ETH_HIST_SUB 32
#define ETH_HIST_BUCKETS (2 * ETH_HIST_SUB + 58 * ETH_HIST_SUB)

typedef struct eth_hist {
	uint64_t n;
	double sum;
	uint64_t b[ETH_HIST_BUCKETS];
} eth_hist;

void eth_hist_add(eth_hist *h, int64_t v);
void eth_hist_merge(eth_hist *into, const eth_hist *from);
double eth_hist_mean(const eth_hist *h);
double eth_hist_quantile(const eth_hist *h, double q);

/* ---- NIC ---------------------------------------------------------- */

typedef enum {
	ETH_MAC_IDLE,	 /* nothing to send */
	ETH_MAC_DEFER,	 /* head frame waits for the deference process */
	ETH_MAC_BACKOFF, /* waiting r slot times after a collision */
	ETH_MAC_TX,	 /* transmitting (or jamming after a collision) */
} eth_mac_state;

struct eth_nic {
	sim_netif nif;
	sim_t *sim;
	char *name;
	eth_nic_params p;

	/* Derived times. */
	sim_time_t slot_ns, ifg_ns, ifg1_ns, jam_ns, preamble_ns;

	/* The transmit descriptor ring (a circular array). */
	sim_pkt **ring;
	uint32_t ring_head, ring_count;

	/* MAC transmit state. */
	eth_mac_state state;
	uint32_t attempts;     /* collisions of the head frame so far */
	sim_time_t head_since; /* when the head frame reached the head */
	sim_time_t tx_start, tx_end;
	gboolean collided;
	uint64_t sig_seq;	 /* our signal in the hub's log */
	sim_time_t last_own_end; /* full duplex: end of our last frame */
	sim_timer wake;		 /* deference / backoff / end of transmission */
	sim_timer coll;		 /* collision detection while transmitting */
	gsl_rng *rng;
	gsl_rng *loss_rng; /* NULL without a loss model */

	/* Attachment: one of hub or link. */
	eth_hub *hub;
	int port;
	int waiter_idx; /* in hub->waiters, or -1 */
	int txer_idx;	/* in hub->txers, or -1 */
	eth_link *link;
	int link_end; /* 0: a, 1: b */

	/* Frames on their way to us (delivery events pending), FIFO. */
	sim_pkt **rxq;
	uint32_t rxq_cap, rxq_head, rxq_count;

	eth_nic_stats st;
	/* Measurement-window accumulators. */
	uint64_t win_frames, win_bytes, win_collisions;
	int64_t win_busy_ns;
	eth_hist *delay;

	sim_tracepoint trace;
};

gboolean eth_nic_accepts(const eth_nic *nic, const sim_pkt *frame);
/*
 * Schedule delivery of a good frame to this NIC at time t (takes a new
 * reference).  Frames reach a port in the order they are scheduled, so
 * the NIC keeps them in a FIFO and can release them if the run ends with
 * some still in flight.
 */
void eth_nic_deliver_at(eth_nic *nic, sim_time_t t, sim_pkt *frame);
/* The hub tells a transmitting NIC that another signal reaches it at t. */
void eth_nic_collision_at(eth_nic *nic, sim_time_t t);
/* The hub tells a deferring NIC to recompute its release time. */
void eth_nic_reevaluate(eth_nic *nic);
/*
 * The window statistics count a frame by its start: one that started in
 * the window counts, wherever it ends.  A frame still on the wire (no
 * collision seen so far) when the statistics are read - at the end of the
 * run, whose last frames would otherwise be left out - is added here:
 * 1 frame, its bytes and its planned time on the wire, or nothing.
 */
typedef struct eth_pending {
	uint64_t frames, bytes;
	sim_time_t busy_ns;
} eth_pending;
eth_pending eth_nic_pending(const eth_nic *nic);

/* Window-clipped duration of the measurement window so far. */
sim_time_t eth_window_elapsed(const sim_t *sim);

/* Over the measurement window so far: busy_ns as a share of it, and
 * n per second of it (0 before the window opens). */
static inline double
eth_window_share(const sim_t *sim, sim_time_t busy_ns)
{
	sim_time_t el = eth_window_elapsed(sim);
	return el ? (double)busy_ns / (double)el : 0.0;
}

static inline double
eth_window_rate(const sim_t *sim, uint64_t n)
{
	sim_time_t el = eth_window_elapsed(sim);
	return el ? (double)n / sim_time_to_s(el) : 0.0;
}

/* a / b, 0 when b is 0. */
static inline double
eth_ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* ---- hub ---------------------------------------------------------- */

/*
 * One transmission (a frame, or a fragment cut short by a collision) as
 * its station puts it on its cable: from the first preamble bit at s to
 * the last bit at e, both at the station.  Every port sees it shifted by
 * the path delay from the sender to that port.
 */
typedef struct eth_sig {
	uint64_t seq;
	int port;
	sim_time_t s, e;
	gboolean truncated;
	gboolean hub_coll; /* overlapped another signal at the hub */
} eth_sig;

typedef struct eth_port {
	eth_nic *nic;
	sim_time_t d; /* station <-> hub, one way */
} eth_port;

struct eth_hub {
	sim_t *sim;
	char *name;
	eth_hub_params p;
	GArray *ports; /* eth_port */
	sim_time_t dmax;
	sim_time_t horizon; /* how long a finished signal is kept */
	sim_time_t max_len; /* longest signal seen (start to planned end) */

	/* The signal log: a ring of recent signals in order of start. */
	eth_sig *log;
	uint32_t log_cap, log_first, log_count;
	uint64_t next_seq; /* seq of log[log_first] is first_seq */
	uint64_t first_seq;

	GPtrArray *waiters; /* NICs in ETH_MAC_DEFER */
	GPtrArray *txers;   /* NICs in ETH_MAC_TX */

	eth_hub_stats st;
	uint64_t win_frames, win_bytes, win_collisions;
	int64_t win_busy_ns;

	sim_tracepoint trace;
};

/* Earliest time >= now at which port may start, on what it knows now. */
sim_time_t eth_hub_release_time(eth_hub *hub, int port);
/* A NIC starts transmitting [now, end): returns the signal's seq. */
uint64_t eth_hub_signal_start(eth_hub *hub, int port, sim_time_t end);
/* The NIC cut its signal short (collision): it now ends at e. */
void eth_hub_signal_truncate(eth_hub *hub, uint64_t seq, sim_time_t e);
/* A transmission ended without a collision: repeat the frame. */
void eth_hub_frame_done(eth_hub *hub, int port, uint64_t seq, sim_pkt *frame);
void eth_hub_waiter_add(eth_hub *hub, eth_nic *nic);
void eth_hub_waiter_remove(eth_hub *hub, eth_nic *nic);
void eth_hub_txer_remove(eth_hub *hub, eth_nic *nic);

/* ---- link --------------------------------------------------------- */

struct eth_link {
	sim_t *sim;
	char *name;
	eth_link_params p;
	eth_nic *end[2];
	sim_time_t delay;
	uint64_t frames[2], bytes[2];
	int64_t win_busy_ns[2];
};

void eth_link_frame_done(eth_link *link, int from, sim_pkt *frame);

/* ---- switch ------------------------------------------------------- */

typedef struct eth_swport {
	eth_switch *sw;
	int idx;
	char *name;
	uint8_t mac[6]; /* the station's: the filtering database */
	eth_nic *host;	/* the station's NIC */
	eth_nic *pnic;	/* the switch's side: its ring is the queue */
	uint64_t frames_in, bytes_in, drops, max_queue;
} eth_swport;

struct eth_switch {
	sim_t *sim;
	char *name;
	eth_switch_params p;
	GPtrArray *ports; /* eth_swport * */
	GQueue inflight;  /* sw_fwd *, waiting out the latency */
	eth_switch_stats st;
	sim_tracepoint trace;
};
