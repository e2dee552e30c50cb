/*
 * eth.h - the Ethernet model: NICs with a CSMA/CD MAC, the hub (a
 * repeater), the full-duplex point-to-point link, and a raw-frame traffic
 * source for Ethernet-only scenarios.
 *
 * The NIC is a sim_netif (sim/netif.h): the layer above hands it frames
 * (destination address .. payload, no preamble, padding or FCS) with
 * output(), and hears back through input() and tx_done().  Below, a NIC
 * is attached either to a port of a hub (half duplex: carrier sense,
 * deferral, collisions, jam, truncated binary exponential backoff, as
 * IEEE 802.3 clause 4 specifies) or to one end of a full-duplex link
 * (no carrier sense, no collisions; only the interframe gap between its
 * own frames, clause 4.2.3.2.2 / annex 4A).
 *
 * Wiring N stations through a hub (what the scenario loader does):
 *
 *	eth_hub_params hp = eth_hub_params_default(10 * SIM_MBPS);
 *	eth_hub *hub = eth_hub_new(sim, "lan", &hp);
 *	for (i = 0; i < n; i++) {
 *		eth_nic_params np = eth_nic_params_default(10 * SIM_MBPS);
 *		eth_mac_from_index(np.mac, i + 1);   // 02:00:00:00:00:01 ...
 *		nic[i] = eth_nic_new(sim, name_i, &np);
 *		eth_port_params pp = eth_port_params_default();
 *		pp.cable_mm = 100 * 1000;            // optional
 *		eth_hub_attach(hub, nic[i], &pp);
 *		eth_nic_register_stats(nic[i], sim, "links.lan.nic.<name_i>");
 *	}
 *	eth_hub_register_stats(hub, sim, "links.lan");
 *	eth_hub_register_trace(hub, sim);            // "lan.frames" (pcap)
 *	// raw traffic (instead of a host's IP stack on that NIC):
 *	eth_source_params sp = eth_source_params_default();
 *	sp.frame_bytes = 1518; sp.mode = ETH_SOURCE_SATURATE;
 *	memcpy(sp.dst, <mac of the sink>, 6);
 *	src = eth_source_new(sim, name_i, nic[i], &sp);
 *	eth_source_register_stats(src, sim, "sources.<name_i>");
 *
 * For ethernet_capacity.ini: n stations with saturating sources, all
 * addressed to one extra passive NIC on the hub (a sink: no source, no
 * input upcall needed).  Broadcast would work too but costs a delivery
 * event per station per frame.  The sweep.csv columns are the hub's
 * <prefix>.utilization, .frames_per_s, .collisions_per_frame,
 * .access_delay_mean_us, .access_delay_p99_us and .jain_fairness; they
 * are taken over the measurement window (sim->measure_from..measure_to),
 * so give the sweep a warm-up of ~100 ms.
 *
 * A host's driver instead takes eth_nic_netif(nic) and fills its upward
 * half (input, tx_done, upper).  For a switched LAN, connect two NICs
 * with eth_link_new() instead of a hub.  Attach every NIC before it
 * sends.  Trace points (SIM_TRACE_FRAME, for pcap) are registered as
 * "<nic name>.frames" (frames sent and received by the NIC; promiscuous
 * mode makes it see every good frame) and "<hub name>.frames" (every
 * good frame the hub repeats, stamped when it has crossed the hub); see
 * eth_nic_register_trace() and eth_hub_register_trace().  NIC names
 * must be unique: they name the trace points and the random streams.
 *
 * All objects belong to the sim and are freed by sim_free().
 */
#pragma once

#include "sim/netif.h"
#include "sim/sim.h"
#include "sim/trace.h"

/*
 * IEEE 802.3 constants (clause 4.4.2, "MAC parameters", for 10 and
 * 100 Mb/s; clause 4.2.3.2.1 for the split of the gap).  Times are in bit
 * times so that one set of numbers serves every rate.
 */
#define ETH_SLOT_BITS 512     /* slotTime, 4.4.2 */
#define ETH_IFG_BITS 96	      /* interFrameGap, 4.4.2 */
#define ETH_IFG_PART1_BITS 64 /* first two thirds, 4.2.3.2.1 */
#define ETH_JAM_BITS 32	      /* jamSize, 4.4.2 */
#define ETH_PREAMBLE_BYTES 8  /* 7 preamble + 1 SFD, 4.2.5 / 4.2.6 */
#define ETH_FCS_BYTES 4	      /* 3.2.9 */
#define ETH_HDR_BYTES 14      /* destination, source, length/type, 3.1.1 */
#define ETH_MIN_FRAME 64      /* minFrameSize incl. FCS, 4.4.2 */
#define ETH_MAX_FRAME 1518    /* maxUntaggedFrameSize incl. FCS, 4.4.2 */
#define ETH_ATTEMPT_LIMIT 16  /* attemptLimit, 4.4.2 */
#define ETH_BACKOFF_LIMIT 10  /* backoffLimit, 4.4.2 */

/* Bytes a frame (as handed to output(): no FCS) occupies on the wire. */
static inline uint32_t
eth_wire_bytes(uint32_t frame_len)
{
	uint32_t f = frame_len + ETH_FCS_BYTES;
	if (f < ETH_MIN_FRAME)
		f = ETH_MIN_FRAME; /* padded, 4.2.3.3 */
	return ETH_PREAMBLE_BYTES + f;
}

/* Duration of `bits` bit times at `rate`. */
static inline sim_time_t
eth_bit_time(int64_t bits, sim_rate_t rate)
{
	return (bits * SIM_S + rate - 1) / rate;
}

/* A locally administered unicast address 02:00:00:xx:xx:xx from n. */
void eth_mac_from_index(uint8_t mac[6], uint32_t n);

typedef struct eth_nic eth_nic;
typedef struct eth_hub eth_hub;
typedef struct eth_link eth_link;
typedef struct eth_source eth_source;
typedef struct eth_switch eth_switch;

/* ---- NIC ---------------------------------------------------------- */

typedef struct eth_nic_params {
	sim_rate_t rate;	/* 10 Mb/s */
	uint32_t ring_depth;	/* TX descriptors: 31 (de4x5); 3c509: 1 */
	uint8_t mac[6];		/* 02:00:00:00:00:01 */
	gboolean promiscuous;	/* accept every frame (capture); FALSE */
	gboolean all_multicast; /* accept every group address; TRUE */
	uint32_t attempt_limit; /* ETH_ATTEMPT_LIMIT (16) */
	uint32_t backoff_limit; /* ETH_BACKOFF_LIMIT (10) */
	/*
	 * Loss model (0: none): the probability that a good frame this NIC
	 * accepted arrives damaged (a bad FCS from bit errors on its cable)
	 * and is discarded.  Drawn per frame from the NIC's own stream
	 * "eth.nic.<name>.loss", so turning loss on perturbs no other
	 * stream; counted in rx_lost, and the frame is neither delivered
	 * nor traced.
	 */
	double rx_loss;
} eth_nic_params;

eth_nic_params eth_nic_params_default(sim_rate_t rate);

/* Counters (totals over the run). */
typedef struct eth_nic_stats {
	uint64_t frames_sent, bytes_sent; /* successful, frame bytes */
	uint64_t frames_received, bytes_received;
	uint64_t attempts;	  /* transmission starts */
	uint64_t collisions;	  /* attempts that collided */
	uint64_t late_collisions; /* ... after the first slot of the frame */
	uint64_t deferrals;	  /* frames whose first attempt waited */
	uint64_t excessive_collisions; /* frames dropped after 16 attempts */
	uint64_t rx_fragments; /* collision fragments seen and discarded */
	uint64_t rx_filtered;  /* good frames not for this address */
	uint64_t rx_lost;      /* frames for us discarded by the loss model */
	int64_t backoff_ns;    /* time spent in backoff */
	int64_t tx_busy_ns;    /* time on the wire, all attempts */
} eth_nic_stats;

eth_nic *eth_nic_new(sim_t *sim, const char *name, const eth_nic_params *p);
sim_netif *eth_nic_netif(eth_nic *nic);
const char *eth_nic_name(const eth_nic *nic);
const eth_nic_stats *eth_nic_get_stats(const eth_nic *nic);
void eth_nic_set_promiscuous(eth_nic *nic, gboolean on);
/* Frames waiting on the ring (including the one being sent). */
uint32_t eth_nic_ring_used(const eth_nic *nic);
/* Access delay (head of queue to start of the successful attempt), over
 * the frames sent successfully in the window: a frame dropped after 16
 * attempts has no successful attempt and is left out (it is counted in
 * .excessive_collisions), so under overload the delay is understated. */
double eth_nic_access_delay_mean_us(const eth_nic *nic);
double eth_nic_access_delay_quantile_us(const eth_nic *nic, double q);
/* Successful frame bytes of the frames that started in the measurement
 * window (one still on the wire included, eth_nic_pending). */
uint64_t eth_nic_window_bytes(const eth_nic *nic);

/*
 * Registers <prefix>.frames_sent, .bytes_sent, .frames_received,
 * .bytes_received, .attempts, .collisions, .late_collisions, .deferrals,
 * .excessive_collisions, .rx_fragments, .rx_filtered, .rx_lost,
 * .backoff_ns and the derived
 * .utilization (this NIC's successful frames, preamble to FCS, over the
 * measurement window), .frames_per_s, .collisions_per_frame,
 * .access_delay_mean_us, .access_delay_p99_us.
 */
void eth_nic_register_stats(eth_nic *nic, sim_t *sim, const char *prefix);
/* Trace point "<name>.frames": frames sent (at the end of a successful
 * transmission) and received (at delivery) by this NIC. */
sim_tracepoint *eth_nic_trace(eth_nic *nic);
void eth_nic_register_trace(eth_nic *nic, sim_t *sim);

/* ---- hub ---------------------------------------------------------- */

typedef struct eth_hub_params {
	sim_rate_t rate;	   /* 10 Mb/s */
	sim_time_t repeater_delay; /* input to every output */
} eth_hub_params;

/*
 * Defaults: repeater delay 46 bit times at 100 Mb/s (half the 92 bit-time
 * round-trip allowance of a class II repeater in the path delay budget of
 * clause 29.3) and 8 bit times at 10 Mb/s (an assumption of the order of
 * a clause 9 repeater's start-of-packet delay; not looked up exactly --
 * set it in the scenario if it matters).
 */
eth_hub_params eth_hub_params_default(sim_rate_t rate);

typedef struct eth_port_params {
	int64_t cable_mm;	/* 100 m: the twisted-pair segment limit
				 * of 10BASE-T and 100BASE-TX */
	int64_t cable_ps_per_m; /* 5560 ps/m: 1.112 bit times per metre
				 * round trip at 100 Mb/s, table 29-3 */
	sim_time_t phy_delay;	/* station PHY latency, one way; 0 */
} eth_port_params;

eth_port_params eth_port_params_default(void);

typedef struct eth_hub_stats {
	uint64_t frames, bytes; /* good frames repeated */
	uint64_t collisions;	/* collision episodes seen at the hub */
	uint64_t fragments;	/* truncated (jammed) signals repeated */
	uint64_t lost_undetected; /* frames their senders finished without
				   * seeing a collision, garbled at the hub
				   * (round trip above 512 bit times) */
	uint64_t signals;	/* every transmission start */
} eth_hub_stats;

eth_hub *eth_hub_new(sim_t *sim, const char *name, const eth_hub_params *p);
/* Attach a NIC to a new port; returns the port number. */
int eth_hub_attach(eth_hub *hub, eth_nic *nic, const eth_port_params *pp);
const eth_hub_stats *eth_hub_get_stats(const eth_hub *hub);
/* One-way delay from a station's transmitter to another's receiver. */
sim_time_t eth_hub_path_delay(const eth_hub *hub, int from, int to);
double eth_hub_utilization(const eth_hub *hub);
double eth_hub_jain_fairness(const eth_hub *hub);

/*
 * Registers <prefix>.frames, .bytes, .collisions, .fragments,
 * .lost_undetected (frames lost to collisions their senders never
 * detected: a network whose round trip exceeds 512 bit times), .signals,
 * the sums over its stations .deferrals, .excessive_collisions,
 * .late_collisions, .backoff_ns, and the derived .utilization (fraction
 * of the measurement window carrying good frames, preamble to FCS),
 * .frames_per_s, .collisions_per_frame (episodes per good frame),
 * .access_delay_mean_us and .access_delay_p99_us (over all its
 * stations' frames), .jain_fairness (of good bytes sent, over the ports
 * whose NIC attempted to send).
 */
void eth_hub_register_stats(eth_hub *hub, sim_t *sim, const char *prefix);
sim_tracepoint *eth_hub_trace(eth_hub *hub);
void eth_hub_register_trace(eth_hub *hub, sim_t *sim);

/* One-way delay of a cable (rounded to the ns). */
sim_time_t eth_cable_delay(int64_t cable_mm, int64_t ps_per_m);

/* ---- full-duplex point-to-point link ------------------------------ */

typedef struct eth_link_params {
	int64_t cable_mm;	/* 100 m */
	int64_t cable_ps_per_m; /* 5560 ps/m */
	sim_time_t phy_delay;	/* 0 */
} eth_link_params;

eth_link_params eth_link_params_default(void);
eth_link *eth_link_new(sim_t *sim, const char *name, eth_nic *a, eth_nic *b,
		       const eth_link_params *p);
sim_time_t eth_link_delay(const eth_link *link);
/* Registers <prefix>.a_to_b.{frames,bytes,utilization} and b_to_a. */
void eth_link_register_stats(eth_link *link, sim_t *sim, const char *prefix);

/* ---- store-and-forward switch (eth_switch.c) ---------------------- */

/*
 * Defaults, both assumptions of the order of a late-1990s 10/100
 * workgroup switch (UNVERIFIED, from memory of data sheets such as
 * Cisco's Catalyst 2900 XL: "under 10 us" 100-to-100 Mb/s latency and
 * 4 MB of packet memory shared by 24 ports, about 170 KB or 110
 * full-size frames a port).  Set them in the scenario if they matter.
 */
#define ETH_SWITCH_LATENCY_DEFAULT (10 * SIM_US)
#define ETH_SWITCH_PORT_QUEUE_DEFAULT 128 /* frames */

typedef struct eth_switch_params {
	sim_rate_t rate;       /* every port's rate */
	sim_time_t latency;    /* whole frame received -> output queue */
	uint32_t port_queue;   /* frames an output port holds, the one on
				* the wire included; more are dropped */
} eth_switch_params;

eth_switch_params eth_switch_params_default(sim_rate_t rate);

typedef struct eth_switch_stats {
	uint64_t frames, bytes; /* received whole from the stations */
	uint64_t forwarded;	/* unicast to a known port */
	uint64_t flooded;	/* broadcast, multicast, unknown unicast */
	uint64_t filtered;	/* unicast for the port it came in on */
	uint64_t drops;		/* output queue full, all ports */
} eth_switch_stats;

typedef struct eth_switch_port_stats {
	uint64_t frames_in, bytes_in;	/* from the station */
	uint64_t frames_out, bytes_out; /* to the station */
	uint64_t drops;			/* output queue full */
	uint64_t max_queue;		/* most frames held at once */
} eth_switch_port_stats;

eth_switch *eth_switch_new(sim_t *sim, const char *name,
			   const eth_switch_params *p);
/*
 * Give nic a port of its own (the NIC must be unattached and run at the
 * switch's rate), joined by a full-duplex cable with lp's delays; its
 * MAC goes into the filtering database.  Returns the port number.
 */
int eth_switch_attach(eth_switch *sw, eth_nic *nic, const char *port_name,
		      const eth_link_params *lp);
const eth_switch_stats *eth_switch_get_stats(const eth_switch *sw);
eth_switch_port_stats eth_switch_get_port_stats(const eth_switch *sw,
						int port);
/* One-way delay of a port's cable (cable and both PHYs). */
sim_time_t eth_switch_cable_delay(const eth_switch *sw, int port);
/*
 * Registers <prefix>.frames, .bytes, .forwarded, .flooded, .filtered,
 * .drops and for each port <prefix>.ports.<port name>.frames_in,
 * .bytes_in, .frames_out, .bytes_out, .drops, .max_queue and the derived
 * .utilization_out (switch to station) and .utilization_in (station to
 * switch), busy shares of the measurement window.
 */
void eth_switch_register_stats(eth_switch *sw, sim_t *sim, const char *prefix);
/* Trace point "<name>.frames": every frame as it enters the switch
 * (whole, at its arrival at the port). */
sim_tracepoint *eth_switch_trace(eth_switch *sw);
void eth_switch_register_trace(eth_switch *sw, sim_t *sim);

/* ---- raw-frame traffic source ------------------------------------- */

typedef enum {
	ETH_SOURCE_SATURATE, /* keep the NIC's ring full */
	ETH_SOURCE_POISSON,  /* frames arrive as a Poisson process */
} eth_source_mode;

typedef struct eth_source_params {
	eth_source_mode mode; /* saturate */
	uint32_t frame_bytes; /* on the wire incl. FCS: 64..1518; 1518 */
	sim_rate_t rate;      /* Poisson: offered frame bits per second */
	uint8_t dst[6];	      /* broadcast */
	uint16_t ethertype;   /* 0x88b5 (IEEE local experimental) */
	sim_time_t start;     /* 0 */
	sim_time_t stop;      /* SIM_TIME_MAX */
	/*
	 * Per-frame host overhead (0): the time the sending host spends on
	 * each frame before it hands it to the NIC, one frame at a time
	 * (frames wait in the host meanwhile), as the hosts of Boggs, Mogul
	 * & Kent's 1988 Ethernet measurements, whose per-packet cost kept a
	 * host below the wire's rate with small frames.
	 */
	sim_time_t host_overhead;
} eth_source_params;

typedef struct eth_source_stats {
	uint64_t offered; /* frames generated */
	uint64_t queued;  /* ... accepted by the ring */
	uint64_t dropped; /* ... refused: ring full (Poisson only) */
	uint64_t sent;	  /* tx_done with sent */
	uint64_t failed;  /* tx_done without (16 collisions) */
} eth_source_stats;

eth_source_params eth_source_params_default(void);
/*
 * Takes over the NIC's tx_done upcall and its upper pointer; received
 * frames are passed on to the input upcall (and upper) the NIC had when
 * the source was made, so set those first.  Several sources may share a
 * NIC (a station with a mix of traffic): each counts its own frames, and
 * saturating ones take the ring's free slots in turn.
 */
eth_source *eth_source_new(sim_t *sim, const char *name, eth_nic *nic,
			   const eth_source_params *p);
const eth_source_stats *eth_source_get_stats(const eth_source *src);
void eth_source_register_stats(eth_source *src, sim_t *sim, const char *prefix);
