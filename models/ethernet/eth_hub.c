/*
 * eth_hub.c - the hub (a repeater, IEEE 802.3 clause 9 / 27) and the
 * signal-level model of the shared medium behind it.
 *
 * Every station's transmission is a signal that starts at the station,
 * reaches the hub after the station's cable delay d_i, leaves the hub on
 * every other port after the repeater delay r, and reaches station j
 * after d_j more.  So station j senses station i's signal over
 * [s_i + D_ij, e_i + D_ij), D_ij = d_i + r + d_j, and its own over
 * [s_j, e_j).  Carrier at a port is on while any signal is present
 * there; each port sees the others' signals at its own times, so two
 * stations far apart can both find the medium idle and start (a
 * collision), and a station near the sender hears it first.  The hub's
 * output to a port is the OR of its other inputs; where inputs overlap at
 * the hub, what it repeats is garbage, so no receiver takes the frame.
 *
 * Design: the log instead of carrier events
 * -----------------------------------------
 * The hub does not schedule "carrier on" and "carrier off" events at
 * every port: with N stations that would cost 2(N-1) events per frame.
 * It keeps a log of the signals of the last few frame times, with their
 * start and (planned, then possibly truncated) end at the sender.  Since
 * every path delay is fixed, the carrier at any port at any time is a
 * pure function of the log, and the log is complete for every time up to
 * now: a signal started later cannot reach any port before it starts.
 * The MAC asks eth_hub_release_time(), which replays the deference
 * process of clause 4.2.8 over what that port senses.  Events happen
 * only where a station acts: it starts, detects a collision, ends, or a
 * good frame reaches a NIC that accepts it.
 *
 * The deference rule replayed (4.2.3.2.1, 4.2.8): carrier at the port is
 * a sequence of busy periods.  Every time carrier drops, at o, the
 * interframe gap starts.  If carrier returns before o + 64 bit times
 * (the first two thirds), the gap restarts when that busy period ends;
 * if it returns later, the station is released anyway at o + 96 (the
 * last third ignores carrier, which is what makes deferring stations
 * collide).  After a busy period that contained the station's own
 * transmission the full gap is timed without the restart
 * (wasTransmitting in 4.2.8).  Once released, a station may start at any
 * time until carrier next appears.  A signal is sensed only after its
 * first bit has arrived: one arriving at the very instant a station
 * decides does not stop it (carrier sense is not instantaneous), so two
 * stations whose slot boundaries are exactly one path delay apart still
 * collide, as they would on a real wire.  This relies on every busy period
 * lasting longer than the last third of the gap, which holds because the
 * shortest signal, preamble and jam, is 96 bit times.
 */
#include "eth_var.h"

#include <string.h>

/* ---- the signal log ------------------------------------------------ */

static eth_sig *
log_at(const eth_hub *hub, uint32_t i)
{
	return &hub->log[(hub->log_first + i) & (hub->log_cap - 1)];
}

static eth_sig *
log_find(eth_hub *hub, uint64_t seq)
{
	g_assert(seq >= hub->first_seq &&
		 seq - hub->first_seq < hub->log_count);
	return log_at(hub, (uint32_t)(seq - hub->first_seq));
}

/*
 * The log is in order of start time, and no signal lasts longer than
 * max_len, so every signal that can still be heard anywhere at or after
 * time t started at or after t - max_len - (longest path).  The first
 * such entry, by binary search.
 */
static uint32_t
log_first_audible(const eth_hub *hub, sim_time_t t)
{
	sim_time_t s_min =
	    t - hub->max_len - 2 * hub->dmax - hub->p.repeater_delay;
	uint32_t lo = 0, hi = hub->log_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (log_at(hub, mid)->s < s_min)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
set_horizon(eth_hub *hub)
{
	/* Keep a finished signal while it can still matter: to a frame
	 * that overlapped it, or to a gap timed from it. */
	hub->horizon = hub->max_len +
		       2 * (2 * hub->dmax + hub->p.repeater_delay) +
		       eth_bit_time(2 * ETH_SLOT_BITS, hub->p.rate);
}

static void
log_prune(eth_hub *hub)
{
	sim_time_t now = sim_now(hub->sim);
	while (hub->log_count && log_at(hub, 0)->e + hub->horizon < now) {
		hub->log_first = (hub->log_first + 1) & (hub->log_cap - 1);
		hub->log_count--;
		hub->first_seq++;
	}
}

static eth_sig *
log_append(eth_hub *hub)
{
	if (hub->log_count == hub->log_cap) {
		uint32_t cap = hub->log_cap * 2;
		eth_sig *n = g_new(eth_sig, cap);
		for (uint32_t i = 0; i < hub->log_count; i++)
			n[i] = *log_at(hub, i);
		g_free(hub->log);
		hub->log = n;
		hub->log_cap = cap;
		hub->log_first = 0;
	}
	eth_sig *s = log_at(hub, hub->log_count);
	hub->log_count++;
	memset(s, 0, sizeof *s);
	s->seq = hub->first_seq + hub->log_count - 1;
	return s;
}

static inline eth_port *
port_at(const eth_hub *hub, int i)
{
	return &g_array_index(hub->ports, eth_port, i);
}

sim_time_t
eth_hub_path_delay(const eth_hub *hub, int from, int to)
{
	if (from == to)
		return 0;
	return port_at(hub, from)->d + hub->p.repeater_delay +
	       port_at(hub, to)->d;
}

/* ---- deference ----------------------------------------------------- */

typedef struct {
	sim_time_t a, b;
	gboolean own;
} span;

/*
 * The first time >= now at which the deference process of `port`
 * releases it, given the signals known now (see the design comment).
 */
sim_time_t
eth_hub_release_time(eth_hub *hub, int port)
{
	sim_time_t t = sim_now(hub->sim);
	eth_nic *nic = port_at(hub, port)->nic;
	sim_time_t ifg = nic->ifg_ns, ifg1 = nic->ifg1_ns;
	span stack_iv[64], *iv = stack_iv;
	uint32_t n = 0;

	log_prune(hub);
	if (hub->log_count > G_N_ELEMENTS(stack_iv))
		iv = g_new(span, hub->log_count);

	/*
	 * What the port senses: every signal still in the log (the log keeps
	 * what can still matter, log_prune).  No signal is left out on its
	 * own account, even one over long before t - ifg: it may belong to a
	 * busy period that lasts until later, and a station's own jam, which
	 * ends before the fragments of the others reach it, is what marks
	 * that period as its own transmission (wasTransmitting, 4.2.8).
	 * Busy periods over before t - ifg are skipped after the merge.
	 */
	for (uint32_t i = 0; i < hub->log_count; i++) {
		const eth_sig *s = log_at(hub, i);
		sim_time_t off = eth_hub_path_delay(hub, s->port, port);
		span x = {s->s + off, s->e + off, s->port == port};
		/* Insertion sort by start: the log is nearly in order. */
		uint32_t k = n++;
		while (k > 0 && iv[k - 1].a > x.a) {
			iv[k] = iv[k - 1];
			k--;
		}
		iv[k] = x;
	}
	/* Merge into busy periods, in place. */
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (m && iv[i].a <= iv[m - 1].b) {
			if (iv[i].b > iv[m - 1].b)
				iv[m - 1].b = iv[i].b;
			iv[m - 1].own |= iv[i].own;
		} else {
			iv[m++] = iv[i];
		}
	}
	/* k: the first busy period not over by t; k - 1 the one before. */
	uint32_t k = 0;
	while (k < m && iv[k].b <= t)
		k++;
	for (;;) {
		const span *prev = k ? &iv[k - 1] : NULL;
		if (k < m && iv[k].a < t) {
			/* Carrier is on at t. */
			if (prev && t <= prev->b + ifg &&
			    (iv[k].a >= prev->b + ifg1 || prev->own)) {
				/* It came in the last third: released. */
				t = prev->b + ifg;
				break;
			}
			t = iv[k].b; /* wait for it to drop */
			k++;
			continue;
		}
		/* Carrier is off at t. */
		if (!prev || t >= prev->b + ifg)
			break;
		if (k < m && iv[k].a < prev->b + ifg1 && !prev->own) {
			/* Carrier in the first two thirds: start over when
			 * it drops again. */
			t = iv[k].b;
			k++;
			continue;
		}
		t = prev->b + ifg;
		break;
	}
	if (iv != stack_iv)
		g_free(iv);
	return t;
}

void
eth_hub_waiter_add(eth_hub *hub, eth_nic *nic)
{
	g_assert(nic->waiter_idx < 0);
	nic->waiter_idx = (int)hub->waiters->len;
	g_ptr_array_add(hub->waiters, nic);
}

static void
ptr_remove(GPtrArray *a, int *idx, size_t field_off)
{
	guint i = (guint)*idx;
	g_ptr_array_remove_index_fast(a, i);
	if (i < a->len) {
		eth_nic *moved = g_ptr_array_index(a, i);
		*(int *)((char *)moved + field_off) = (int)i;
	}
	*idx = -1;
}

void
eth_hub_waiter_remove(eth_hub *hub, eth_nic *nic)
{
	g_assert(nic->waiter_idx >= 0);
	ptr_remove(hub->waiters, &nic->waiter_idx,
		   G_STRUCT_OFFSET(eth_nic, waiter_idx));
}

void
eth_hub_txer_remove(eth_hub *hub, eth_nic *nic)
{
	g_assert(nic->txer_idx >= 0);
	ptr_remove(hub->txers, &nic->txer_idx,
		   G_STRUCT_OFFSET(eth_nic, txer_idx));
}

/* ---- signals ------------------------------------------------------- */

static gboolean
hub_overlap(const eth_hub *hub, const eth_sig *x, const eth_sig *y)
{
	sim_time_t dx = port_at(hub, x->port)->d, dy = port_at(hub, y->port)->d;
	return x->s + dx < y->e + dy && y->s + dy < x->e + dx;
}

uint64_t
eth_hub_signal_start(eth_hub *hub, int port, sim_time_t end)
{
	sim_t *sim = hub->sim;
	sim_time_t now = sim_now(sim);
	eth_nic *nic = port_at(hub, port)->nic;
	sim_time_t det = SIM_TIME_MAX;

	log_prune(hub);
	hub->st.signals++;
	eth_sig me = {.port = port, .s = now, .e = end};

	if (end - now > hub->max_len) {
		hub->max_len = end - now;
		set_horizon(hub);
	}

	/* Will anything already on the wire reach us while we send? */
	gboolean overl = FALSE, prior = FALSE;
	for (uint32_t i = log_first_audible(hub, now); i < hub->log_count;
	     i++) {
		eth_sig *s = log_at(hub, i);
		sim_time_t off = eth_hub_path_delay(hub, s->port, port);
		sim_time_t a = s->s + off, b = s->e + off;
		if (b > now && a < end) {
			sim_time_t d = a > now ? a : now;
			if (d < det)
				det = d;
		}
		if (hub_overlap(hub, s, &me)) {
			overl = TRUE;
			prior |= s->hub_coll;
			s->hub_coll = TRUE;
		}
	}
	if (overl) {
		me.hub_coll = TRUE;
		if (!prior) {
			hub->st.collisions++;
			if (sim_in_window(sim, now))
				hub->win_collisions++;
		}
	}
	/* Will we reach the others who are sending? */
	for (guint i = 0; i < hub->txers->len; i++) {
		eth_nic *k = g_ptr_array_index(hub->txers, i);
		sim_time_t a = now + eth_hub_path_delay(hub, port, k->port);
		if (a < k->tx_end)
			eth_nic_collision_at(k, a);
	}
	eth_sig *s = log_append(hub);
	uint64_t seq = s->seq;
	me.seq = seq;
	*s = me;
	nic->txer_idx = (int)hub->txers->len;
	g_ptr_array_add(hub->txers, nic);
	if (det != SIM_TIME_MAX)
		eth_nic_collision_at(nic, det);
	return seq;
}

void
eth_hub_signal_truncate(eth_hub *hub, uint64_t seq, sim_time_t e)
{
	eth_sig *s = log_find(hub, seq);
	g_assert(e <= s->e);
	s->e = e;
	if (!s->truncated) {
		s->truncated = TRUE;
		hub->st.fragments++;
		/* Every other station sees the fragment and discards it. */
		for (guint j = 0; j < hub->ports->len; j++)
			if ((int)j != s->port)
				port_at(hub, (int)j)->nic->st.rx_fragments++;
	}
	/* An earlier end can only bring deferring stations' release
	 * earlier: let them recompute (timers move, no event runs). */
	for (guint i = 0; i < hub->waiters->len; i++)
		eth_nic_reevaluate(g_ptr_array_index(hub->waiters, i));
}

void
eth_hub_frame_done(eth_hub *hub, int port, uint64_t seq, sim_pkt *frame)
{
	sim_t *sim = hub->sim;
	eth_sig *me = log_find(hub, seq);

	/*
	 * The sender saw no collision; check that nothing overlapped it at
	 * the hub either.  Every signal that could have is in the log: one
	 * starting later would have had to start while this one's carrier
	 * was at its port, beyond the committed part of its gap.
	 */
	for (uint32_t i = log_first_audible(hub, me->s); i < hub->log_count;
	     i++) {
		const eth_sig *s = log_at(hub, i);
		if (s->seq != seq && hub_overlap(hub, s, me)) {
			hub->st.fragments++;
			hub->st.lost_undetected++;
			return;
		}
	}
	uint32_t len = sim_pkt_len(frame);
	hub->st.frames++;
	hub->st.bytes += len;
	if (sim_in_window(sim, me->s)) {
		hub->win_frames++;
		hub->win_bytes += len;
		hub->win_busy_ns += me->e - me->s;
	}
	sim_time_t at_hub = me->e + port_at(hub, port)->d;
	sim_trace_emit(&hub->trace, at_hub, frame);
	for (guint j = 0; j < hub->ports->len; j++) {
		if ((int)j == port)
			continue;
		eth_nic *rx = port_at(hub, (int)j)->nic;
		if (!eth_nic_accepts(rx, frame)) {
			rx->st.rx_filtered++;
			continue;
		}
		eth_nic_deliver_at(
		    rx, me->e + eth_hub_path_delay(hub, port, (int)j), frame);
	}
}

/* ---- construction -------------------------------------------------- */

eth_hub_params
eth_hub_params_default(sim_rate_t rate)
{
	eth_hub_params p = {.rate = rate};
	p.repeater_delay = eth_bit_time(rate >= 100 * SIM_MBPS ? 46 : 8, rate);
	return p;
}

eth_port_params
eth_port_params_default(void)
{
	eth_port_params p = {
	    .cable_mm = 100 * 1000,
	    .cable_ps_per_m = 5560,
	    .phy_delay = 0,
	};
	return p;
}

sim_time_t
eth_cable_delay(int64_t cable_mm, int64_t ps_per_m)
{
	/* mm * ps/m = 1e-6 ns */
	return (cable_mm * ps_per_m + 500000) / 1000000;
}

static void
hub_free(gpointer data)
{
	eth_hub *hub = data;
	g_array_free(hub->ports, TRUE);
	g_ptr_array_free(hub->waiters, TRUE);
	g_ptr_array_free(hub->txers, TRUE);
	g_free(hub->log);
	g_free(hub->name);
	g_free(hub);
}

eth_hub *
eth_hub_new(sim_t *sim, const char *name, const eth_hub_params *p)
{
	g_assert(p->rate > 0 && p->repeater_delay >= 0);
	eth_hub *hub = g_new0(eth_hub, 1);
	hub->sim = sim;
	hub->name = g_strdup(name);
	hub->p = *p;
	hub->ports = g_array_new(FALSE, TRUE, sizeof(eth_port));
	hub->waiters = g_ptr_array_new();
	hub->txers = g_ptr_array_new();
	hub->log_cap = 64;
	hub->log = g_new(eth_sig, hub->log_cap);
	hub->trace.kind = SIM_TRACE_FRAME;
	sim_on_free(sim, hub_free, hub);
	return hub;
}

int
eth_hub_attach(eth_hub *hub, eth_nic *nic, const eth_port_params *pp)
{
	g_assert(!nic->hub && !nic->link);
	g_assert(nic->p.rate == hub->p.rate);
	eth_port port = {
	    .nic = nic,
	    .d = eth_cable_delay(pp->cable_mm, pp->cable_ps_per_m) +
		 pp->phy_delay,
	};
	g_array_append_val(hub->ports, port);
	nic->hub = hub;
	nic->port = (int)hub->ports->len - 1;
	if (port.d > hub->dmax)
		hub->dmax = port.d;
	set_horizon(hub);
	return nic->port;
}

/* ---- statistics ---------------------------------------------------- */

const eth_hub_stats *
eth_hub_get_stats(const eth_hub *hub)
{
	return &hub->st;
}

/* Frames on the wire now that started in the window (eth_nic_pending). */
static eth_pending
hub_pending(const eth_hub *hub)
{
	eth_pending p = {0, 0, 0};
	for (guint i = 0; i < hub->txers->len; i++) {
		eth_pending q = eth_nic_pending(g_ptr_array_index(hub->txers, i));
		p.frames += q.frames;
		p.bytes += q.bytes;
		p.busy_ns += q.busy_ns;
	}
	return p;
}

double
eth_hub_utilization(const eth_hub *hub)
{
	return eth_window_share(hub->sim,
				hub->win_busy_ns + hub_pending(hub).busy_ns);
}

double
eth_hub_jain_fairness(const eth_hub *hub)
{
	double sum = 0, sq = 0;
	guint n = 0;
	for (guint j = 0; j < hub->ports->len; j++) {
		const eth_nic *nic = port_at(hub, (int)j)->nic;
		if (nic->st.attempts == 0)
			continue;
		double x = (double)eth_nic_window_bytes(nic);
		sum += x;
		sq += x * x;
		n++;
	}
	return sq > 0 ? sum * sum / ((double)n * sq) : 0.0;
}

static double
hub_util_fn(void *ctx)
{
	return eth_hub_utilization(ctx);
}

static double
hub_jain_fn(void *ctx)
{
	return eth_hub_jain_fairness(ctx);
}

static double
hub_fps_fn(void *ctx)
{
	eth_hub *hub = ctx;
	return eth_window_rate(hub->sim,
			       hub->win_frames + hub_pending(hub).frames);
}

static double
hub_cpf_fn(void *ctx)
{
	eth_hub *hub = ctx;
	return eth_ratio(hub->win_collisions, hub->win_frames);
}

static eth_hist *
hub_delay_hist(const eth_hub *hub)
{
	eth_hist *h = g_new0(eth_hist, 1);
	for (guint j = 0; j < hub->ports->len; j++)
		eth_hist_merge(h, port_at(hub, (int)j)->nic->delay);
	return h;
}

static double
hub_delay_mean_fn(void *ctx)
{
	eth_hist *h = hub_delay_hist(ctx);
	double v = eth_hist_mean(h) / 1e3;
	g_free(h);
	return v;
}

static double
hub_delay_p99_fn(void *ctx)
{
	eth_hist *h = hub_delay_hist(ctx);
	double v = eth_hist_quantile(h, 0.99) / 1e3;
	g_free(h);
	return v;
}

#define HUB_SUM_FN(field)                                                      \
	static double hub_sum_##field(void *ctx)                               \
	{                                                                      \
		eth_hub *hub = ctx;                                            \
		double v = 0;                                                  \
		for (guint j = 0; j < hub->ports->len; j++)                    \
			v += (double)port_at(hub, (int)j)->nic->st.field;      \
		return v;                                                      \
	}
HUB_SUM_FN(deferrals)
HUB_SUM_FN(excessive_collisions)
HUB_SUM_FN(late_collisions)
HUB_SUM_FN(backoff_ns)

void
eth_hub_register_stats(eth_hub *hub, sim_t *sim, const char *prefix)
{
	static const struct {
		const char *name;
		size_t off;
	} u64s[] = {
	    {"frames", G_STRUCT_OFFSET(eth_hub_stats, frames)},
	    {"bytes", G_STRUCT_OFFSET(eth_hub_stats, bytes)},
	    {"collisions", G_STRUCT_OFFSET(eth_hub_stats, collisions)},
	    {"fragments", G_STRUCT_OFFSET(eth_hub_stats, fragments)},
	    {"lost_undetected",
	     G_STRUCT_OFFSET(eth_hub_stats, lost_undetected)},
	    {"signals", G_STRUCT_OFFSET(eth_hub_stats, signals)},
	};
	static const struct {
		const char *name;
		sim_stats_double_fn fn;
	} fns[] = {
	    {"utilization", hub_util_fn},
	    {"frames_per_s", hub_fps_fn},
	    {"collisions_per_frame", hub_cpf_fn},
	    {"access_delay_mean_us", hub_delay_mean_fn},
	    {"access_delay_p99_us", hub_delay_p99_fn},
	    {"jain_fairness", hub_jain_fn},
	    {"deferrals", hub_sum_deferrals},
	    {"excessive_collisions", hub_sum_excessive_collisions},
	    {"late_collisions", hub_sum_late_collisions},
	    {"backoff_ns", hub_sum_backoff_ns},
	};
	char path[256];
	for (size_t i = 0; i < G_N_ELEMENTS(u64s); i++) {
		g_snprintf(path, sizeof path, "%s.%s", prefix, u64s[i].name);
		sim_stats_add_u64(sim->stats, path,
				  G_STRUCT_MEMBER_P(&hub->st, u64s[i].off));
	}
	for (size_t i = 0; i < G_N_ELEMENTS(fns); i++) {
		g_snprintf(path, sizeof path, "%s.%s", prefix, fns[i].name);
		sim_stats_add_fn(sim->stats, path, fns[i].fn, hub);
	}
}

sim_tracepoint *
eth_hub_trace(eth_hub *hub)
{
	return &hub->trace;
}

void
eth_hub_register_trace(eth_hub *hub, sim_t *sim)
{
	char *n = g_strdup_printf("%s.frames", hub->name);
	sim_trace_register(sim, n, &hub->trace, SIM_TRACE_FRAME);
	g_free(n);
}
