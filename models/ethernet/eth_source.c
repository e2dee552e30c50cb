/*
 * eth_source.c - a raw-frame traffic source for Ethernet-only scenarios.
 *
 * It sits where a host's driver would, on a NIC's netif: it builds frames
 * of a fixed size (real Ethernet header: destination, the NIC's address,
 * an EtherType; zero payload shared by every frame, so no copying) and
 * either keeps the NIC's ring full (saturating: a new frame for every
 * tx_done, no events of its own) or offers them as a Poisson process at
 * a given bit rate (one event per frame; a frame that finds the ring full
 * is dropped and counted).
 *
 * Several sources on one NIC form a group: the first is the NIC's upper
 * layer and passes each transmit-done upcall to the source that made the
 * frame (frame->meta); saturating sources fill the ring in turn.  With a
 * host overhead, a source's frames go through a host stage first: one at
 * a time, host_overhead each, then to the ring (waiting for a free slot;
 * Poisson arrivals wait in the host instead of being dropped).
 */
#include "eth_var.h"

#include <string.h>

struct eth_source {
	sim_t *sim;
	char *name;
	eth_source_params p;
	eth_nic *nic;
	sim_buf *zeros;
	gsl_rng *rng;
	sim_timer tm;
	double mean_gap_ns;
	eth_source_stats st;
	/* The NIC's input upcall before we took its upper pointer. */
	void (*prev_input)(void *upper, sim_netif *nif, sim_pkt *frame);
	void *prev_upper;
	/* The group of sources on one NIC: head is the NIC's upper. */
	eth_source *head, *next;  /* next: ring of the group's members */
	eth_source *turn;         /* head only: whose turn to fill */
	/* Host stage (host_overhead > 0). */
	sim_timer host_tm;
	gboolean host_busy;       /* preparing a frame */
	uint64_t host_backlog;    /* frames waiting for the host */
	sim_pkt *ready;           /* prepared, waiting for a ring slot */
};

eth_source_params
eth_source_params_default(void)
{
	eth_source_params p = {
	    .mode = ETH_SOURCE_SATURATE,
	    .frame_bytes = ETH_MAX_FRAME,
	    .rate = 0,
	    .ethertype = 0x88b5, /* IEEE Std 802 local experimental */
	    .start = 0,
	    .stop = SIM_TIME_MAX,
	};
	memset(p.dst, 0xff, 6);
	return p;
}

static sim_pkt *
make_frame(eth_source *src)
{
	sim_pkt *p = sim_pkt_new();
	uint32_t payload = src->p.frame_bytes - ETH_FCS_BYTES - ETH_HDR_BYTES;
	if (payload)
		sim_pkt_append_ref(p, src->zeros, 0, payload);
	uint8_t *h = sim_pkt_push(p, ETH_HDR_BYTES);
	memcpy(h, src->p.dst, 6);
	memcpy(h + 6, src->nic->p.mac, 6);
	h[12] = (uint8_t)(src->p.ethertype >> 8);
	h[13] = (uint8_t)src->p.ethertype;
	p->meta = src; /* whose transmit-done it is */
	return p;
}

static gboolean
offer(eth_source *src)
{
	sim_pkt *f = make_frame(src);
	src->st.offered++;
	if (sim_netif_output(eth_nic_netif(src->nic), f)) {
		src->st.queued++;
		return TRUE;
	}
	sim_pkt_unref(f);
	src->st.dropped++;
	return FALSE;
}

static gboolean
is_active(const eth_source *src)
{
	sim_time_t now = sim_now(src->sim);
	return now >= src->p.start && now < src->p.stop;
}

static gboolean
ring_free(const eth_source *src)
{
	sim_netif *nif = eth_nic_netif(src->nic);
	return nif->tx_ring_free(nif) > 0;
}

/* ---- Host stage (host_overhead > 0) ---- */

static void host_next(eth_source *src);

/* Hand the prepared frame to the ring if it has room. */
static void
host_hand_over(eth_source *src)
{
	if (!src->ready || !ring_free(src))
		return;
	sim_pkt *f = src->ready;
	src->ready = NULL;
	if (sim_netif_output(eth_nic_netif(src->nic), f))
		src->st.queued++;
	else {
		sim_pkt_unref(f);
		src->st.dropped++;
	}
	host_next(src);
}

static void
host_done(void *ctx, void *arg)
{
	eth_source *src = ctx;
	src->host_busy = FALSE;
	src->ready = make_frame(src);
	src->st.offered++;
	host_hand_over(src);
}

/* Start preparing the next frame, if one is waiting and the host is free. */
static void
host_next(eth_source *src)
{
	if (src->host_busy || src->ready || !is_active(src))
		return;
	if (src->p.mode == ETH_SOURCE_POISSON) {
		if (src->host_backlog == 0)
			return;
		src->host_backlog--;
	}
	src->host_busy = TRUE;
	sim_timer_arm_in(src->sim, &src->host_tm, src->p.host_overhead);
}

/* ---- Filling the ring ---- */

static void
fill(eth_source *src)
{
	if (src->p.host_overhead > 0) {
		host_hand_over(src);
		host_next(src);
		return;
	}
	while (is_active(src) && ring_free(src))
		offer(src);
}

static guint
group_size(const eth_source *head)
{
	guint n = 1;
	for (const eth_source *s = head->next; s != head; s = s->next)
		n++;
	return n;
}

/* One frame of a member toward the ring, if it has one. */
static void
member_offer(eth_source *s)
{
	if (s->p.host_overhead > 0) {
		host_hand_over(s);
		host_next(s);
	} else if (s->p.mode == ETH_SOURCE_SATURATE && is_active(s)) {
		offer(s);
	}
}

/*
 * Slots came free: the group's members take them one frame each in turn
 * (one member alone: exactly the single source's fill).
 */
static void
fill_group(eth_source *head)
{
	if (head->next == head) {
		if (head->p.mode == ETH_SOURCE_SATURATE ||
		    head->p.host_overhead > 0)
			fill(head);
		return;
	}
	/* Until the ring is full or no member has a frame for it; the turn
	 * passes on with every member asked, so one free slot at a time
	 * still goes round. */
	guint idle = 0;
	while (ring_free(head)) {
		eth_source *s = head->turn;
		uint64_t before = s->st.queued;
		member_offer(s);
		head->turn = s->next;
		if (s->st.queued != before)
			idle = 0;
		else if (++idle == group_size(head))
			return;
	}
}

static void
src_tx_done(void *upper, sim_netif *nif, const sim_pkt *frame, gboolean sent)
{
	eth_source *head = upper;
	eth_source *src = frame->meta;
	g_assert(src && src->head == head);
	if (sent)
		src->st.sent++;
	else
		src->st.failed++;
	fill_group(head);
}

/* Received frames go to whoever had the NIC's input before us. */
static void
src_input(void *upper, sim_netif *nif, sim_pkt *frame)
{
	eth_source *src = upper;
	if (src->prev_input)
		src->prev_input(src->prev_upper, nif, frame);
	else
		sim_pkt_unref(frame);
}

static void
src_timer(void *ctx, void *arg)
{
	eth_source *src = ctx;
	if (!is_active(src))
		return;
	if (src->p.mode == ETH_SOURCE_SATURATE) {
		if (src->head->next == src->head)
			fill(src);
		else
			fill_group(src->head);
		return;
	}
	if (src->p.host_overhead > 0) {
		src->host_backlog++;
		host_next(src);
	} else {
		offer(src);
	}
	/* +1: two arrivals never share an instant (and no zero gap). */
	sim_time_t gap =
	    (sim_time_t)sim_rng_exponential(src->rng, src->mean_gap_ns) + 1;
	if (src->p.stop == SIM_TIME_MAX ||
	    sim_now(src->sim) + gap < src->p.stop)
		sim_timer_arm_in(src->sim, &src->tm, gap);
}

static void
src_free(gpointer data)
{
	eth_source *src = data;
	sim_buf_unref(src->zeros);
	if (src->ready)
		sim_pkt_unref(src->ready);
	g_free(src->name);
	g_free(src);
}

eth_source *
eth_source_new(sim_t *sim, const char *name, eth_nic *nic,
	       const eth_source_params *p)
{
	g_assert(p->frame_bytes >= ETH_HDR_BYTES + ETH_FCS_BYTES &&
		 p->frame_bytes <= ETH_MAX_FRAME);
	g_assert(p->mode == ETH_SOURCE_SATURATE || p->rate > 0);
	eth_source *src = g_new0(eth_source, 1);
	src->sim = sim;
	src->name = g_strdup(name);
	src->p = *p;
	src->nic = nic;
	src->zeros = sim_buf_new(ETH_MAX_FRAME);
	memset(src->zeros->data, 0, ETH_MAX_FRAME);
	char *rname = g_strdup_printf("eth.source.%s", name);
	src->rng = sim_rng(sim, rname);
	g_free(rname);
	src->mean_gap_ns =
	    p->rate ? (double)p->frame_bytes * 8.0 * 1e9 / (double)p->rate
		    : 0.0;
	sim_netif *nif = eth_nic_netif(nic);
	if (nif->tx_done == src_tx_done) {
		/* The NIC carries a source already: join its group. */
		eth_source *head = nif->upper;
		src->head = head;
		src->next = head->next;
		head->next = src;
	} else {
		src->prev_input = nif->input;
		src->prev_upper = nif->upper;
		nif->input = src_input;
		nif->tx_done = src_tx_done;
		nif->upper = src;
		src->head = src->next = src->turn = src;
	}
	sim_timer_init(&src->tm, src_timer, src, NULL);
	sim_timer_init(&src->host_tm, host_done, src, NULL);
	sim_timer_arm_at(sim, &src->tm,
			 p->start > sim_now(sim) ? p->start : sim_now(sim));
	sim_on_free(sim, src_free, src);
	return src;
}

const eth_source_stats *
eth_source_get_stats(const eth_source *src)
{
	return &src->st;
}

void
eth_source_register_stats(eth_source *src, sim_t *sim, const char *prefix)
{
	static const struct {
		const char *name;
		size_t off;
	} u64s[] = {
	    {"offered", G_STRUCT_OFFSET(eth_source_stats, offered)},
	    {"queued", G_STRUCT_OFFSET(eth_source_stats, queued)},
	    {"dropped", G_STRUCT_OFFSET(eth_source_stats, dropped)},
	    {"sent", G_STRUCT_OFFSET(eth_source_stats, sent)},
	    {"failed", G_STRUCT_OFFSET(eth_source_stats, failed)},
	};
	char path[256];
	for (size_t i = 0; i < G_N_ELEMENTS(u64s); i++) {
		g_snprintf(path, sizeof path, "%s.%s", prefix, u64s[i].name);
		sim_stats_add_u64(sim->stats, path,
				  G_STRUCT_MEMBER_P(&src->st, u64s[i].off));
	}
}
