/*
 * explain.c - what limited each connection: an account of its time and one
 * verdict, written into summary.json with the results it rests on.
 *
 * For a connection sent from a Nemesis host the account is, over the
 * measurement window, connections.NAME.account.*:
 *   ran_contracted, ran_slack   the sending domain ran (in its slices, in
 *                               slack),
 *   waiting_runnable            it was runnable and did not run (no slice
 *                               left and no slack for it),
 *   blocked                     it waited for something (room in its
 *                               transmit channel, TCP's window, its own
 *                               pacing);
 * these four add up to 1 (the domain's time is one of them at every
 * instant); and what it shares with others: driver_waiting_runnable (the
 * host's driver domain, whose TX thread serves every channel),
 * channel_full_refusals and channel_idle_with_slice_left (its transmit
 * channel's counters).  Every connection's account has sender_cpu_busy,
 * receiver_cpu_busy and link_utilization, and it gets
 *   connections.NAME.limited_by      one verdict (the list below)
 *   connections.NAME.limited_reason  one line naming the numbers it rests on.
 *
 * The verdict is the first of these that holds, in this order:
 *   nothing         no data reached the receiver in the window
 *   loss            TCP's retransmission timer expired and at least
 *                   0.5% of the bytes were sent again (one spurious
 *                   timeout in a run is not what limits it)
 *   cpu_contract    the domain waited runnable >= 20% of the window, at
 *                   least as long as it was blocked, with x = false
 *   cpu_slack       the same with x = true: it waited for slack
 *   tx_reservation  the channel (x = false) carried >= 95% of what its
 *                   reservation allows
 *   driver_cpu      the driver domain waited runnable >= half the window
 *                   while the application found its channel full
 *   receiver_window the domain was blocked >= half the window and its
 *                   channel went idle with slice left (TCP's window closed)
 *   host_cpu        the sending host's CPU was busy >= 98% of the window
 *   receiver_cpu    a Nemesis receiver's domain NAME_rx waited runnable
 *                   >= 20% of the window (checked before host_cpu), or
 *                   the receiving host's CPU was busy >= 98%
 *   medium          the sender's link carried frames >= 80% of the window
 *   receiver_app    the receiving application reads at a set rate
 *   application     the sender had no more to send (bytes or stop set)
 *   tcp_window      none of these: TCP's window (the receiver's buffer,
 *                   the ACK clock) set the rate
 * The thresholds are named below; docs/outputs.md explains each verdict.
 * Everything here reads the models' own results through the stats
 * registry, at report time, so a verdict can be a sweep column.
 */
#include "cli.h"

#include "sim/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define WAIT_MIN 0.20     /* share waiting runnable: CPU-bound */
#define TX_FULL 0.95      /* carried / reservation: the reservation binds */
#define DRIVER_WAIT 0.50  /* driver waiting runnable: driver starved */
#define BLOCKED_MOST 0.50 /* share of the window blocked */
#define LINK_BUSY 0.80    /* link utilization: the medium */
#define CPU_BUSY 0.98     /* a host's CPU busy: saturated */
#define REXMIT_MIN 0.005  /* bytes sent again / bytes sent: loss matters */

struct conn_account {
	sim_stats *st;
	char *name, *sender, *receiver, *link;
	gboolean nemesis;          /* sent from a Nemesis domain */
	gboolean receiver_unix, sender_unix;
	gboolean receiver_nemesis;  /* received by the domain NAME_rx */
	scn_qos rx_qos;
	scn_qos cpu_qos, tx_qos;
	char *sink_rate;           /* NULL: the sink reads as data comes */
	char *app_limit;           /* "bytes = ..., stop = ..." or NULL */
};

/* The result fmt % (name, key) of the run; NAN if there is none. */
static double
result_of(const sim_stats *st, const char *fmt, const char *name,
	  const char *key)
{
	char path[512];
	g_snprintf(path, sizeof path, fmt, name, key);
	double v;
	return sim_stats_get_double(st, path, &v) ? v : NAN;
}

#define get(a, fmt, name, key) result_of((a)->st, fmt, name, key)

#define CONN(a, k) get(a, "connections.%s.%s", (a)->name, k)
#define DOM(a, k) get(a, "domains.%s.%s", (a)->name, k)
#define CHAN(a, k) get(a, "channels.%s.%s", (a)->name, k)

static double
ran_contracted(void *ctx)
{
	return DOM((struct conn_account *)ctx, "contracted_share");
}

static double
ran_slack(void *ctx)
{
	return DOM((struct conn_account *)ctx, "slack_share");
}

static double
waiting_runnable(void *ctx)
{
	return DOM((struct conn_account *)ctx, "wait_share");
}

static double
blocked(void *ctx)
{
	struct conn_account *a = ctx;
	double b = 1.0 - DOM(a, "cpu_share") - DOM(a, "wait_share");
	return b > 0 ? b : 0;
}

/* Share of the window a host's CPU was busy; NAN if unknown. */
static double
host_busy(const struct conn_account *a, const char *host, gboolean ux)
{
	if (!ux) {
		double idle = get(a, "cpus.%s.%s", host, "idle_share");
		return isnan(idle) ? NAN : 1.0 - idle;
	}
	double k = get(a, "hosts.%s.%s", host, "kernel_cpu_share");
	double u = get(a, "hosts.%s.%s", host, "user_cpu_share");
	return isnan(k) ? NAN : k + (isnan(u) ? 0 : u);
}

static double
driver_waiting(void *ctx)
{
	struct conn_account *a = ctx;
	return get(a, "domains.%s_driver.%s", a->sender, "wait_share");
}

static double
flowman_waiting(void *ctx)
{
	struct conn_account *a = ctx;
	return get(a, "domains.%s_flowman.%s", a->sender, "wait_share");
}

static double
channel_full(void *ctx)
{
	return CHAN((struct conn_account *)ctx, "full_refusals");
}

static double
channel_idle(void *ctx)
{
	return CHAN((struct conn_account *)ctx, "idle_with_slice_left");
}

static double
sender_busy(void *ctx)
{
	struct conn_account *a = ctx;
	return host_busy(a, a->sender, a->sender_unix);
}

static double
receiver_busy(void *ctx)
{
	struct conn_account *a = ctx;
	return host_busy(a, a->receiver, a->receiver_unix);
}

static double
link_util(void *ctx)
{
	struct conn_account *a = ctx;
	return get(a, "links.%s.%s", a->link, "utilization");
}

static char *
qos_text(const scn_qos *q)
{
	char p[64], s[64];
	sim_format_time(q->period, p);
	sim_format_time(q->slice, s);
	return g_strdup_printf("%s, %s, %s", p, s, q->extra ? "true" : "false");
}

static int
pct(double x)
{
	return (int)lround(100 * x);
}

/* The verdict and its reason (g_free *why). */
static const char *
verdict(const struct conn_account *a, char **why)
{
	double tput = CONN(a, "throughput_mbps");
	if (!(tput > 0)) {
		*why = g_strdup("no data reached the receiver in the window: "
				"not started or not connected, or a channel "
				"without extra time before its first deadline "
				"(1 s after it was bound)");
		return "nothing";
	}
	double rto = CONN(a, "rexmttimeo");
	double again = CONN(a, "sndrexmitbyte"), sent = CONN(a, "sndbyte");
	if (rto > 0 && sent > 0 && again >= REXMIT_MIN * sent) {
		*why = g_strdup_printf("TCP's retransmission timer expired %.0f "
				       "times (%.0f fast retransmits; %.2g%% of "
				       "the bytes sent again)", rto,
				       CONN(a, "fastrexmt"), 100 * again / sent);
		return "loss";
	}
	if (a->nemesis) {
		double wait = waiting_runnable((void *)a);
		double blk = blocked((void *)a);
		double con = ran_contracted((void *)a);
		if (wait >= WAIT_MIN && wait >= blk) {
			char *q = qos_text(&a->cpu_qos);
			if (!a->cpu_qos.extra)
				*why = g_strdup_printf(
					"domain %s waited runnable %d%% of the "
					"window with its slice used up (CPU QoS "
					"%s, ran %d%% under contract)",
					a->name, pct(wait), q, pct(con));
			else
				*why = g_strdup_printf(
					"domain %s waited runnable %d%% of the "
					"window for slack (CPU QoS %s; ran %d%% "
					"contracted, %d%% in slack)",
					a->name, pct(wait), q, pct(con),
					pct(ran_slack((void *)a)));
			g_free(q);
			return a->cpu_qos.extra ? "cpu_slack" : "cpu_contract";
		}
		double theory = CHAN(a, "theory_payload_mbps");
		if (!a->tx_qos.extra && theory > 0 && tput >= TX_FULL * theory) {
			char *q = qos_text(&a->tx_qos);
			*why = g_strdup_printf("%.3g Mb/s of the %.3g Mb/s its "
					       "transmit reservation allows (TX "
					       "QoS %s)", tput, theory, q);
			g_free(q);
			return "tx_reservation";
		}
		char drv[256];
		g_snprintf(drv, sizeof drv, "%s_driver", a->sender);
		double dwait = driver_waiting((void *)a);
		double full = channel_full((void *)a);
		if (dwait >= DRIVER_WAIT && full > 0) {
			*why = g_strdup_printf(
				"the driver domain %s waited runnable %d%% of "
				"the window while %s's channel was full %.0f "
				"times (reserve the driver: driver_qos)", drv,
				pct(dwait), a->name, full);
			return "driver_cpu";
		}
		double idle = channel_idle((void *)a);
		if (blk >= BLOCKED_MOST && idle > 0) {
			*why = g_strdup_printf(
				"domain %s was blocked %d%% of the window and "
				"its channel went idle with slice left %.0f "
				"times: TCP's window was closed (the receiver, "
				"or late ACKs)", a->name, pct(blk), idle);
			return "receiver_window";
		}
	}
	if (a->receiver_nemesis) {
		char rx[256];
		g_snprintf(rx, sizeof rx, "%s_rx", a->name);
		double wait = get(a, "domains.%s.%s", rx, "wait_share");
		if (wait >= WAIT_MIN) {
			char *q = qos_text(&a->rx_qos);
			*why = g_strdup_printf("the receiving domain %s waited "
					       "runnable %d%% of the window (its "
					       "CPU QoS %s)", rx, pct(wait), q);
			g_free(q);
			return "receiver_cpu";
		}
	}
	double b = sender_busy((void *)a);
	if (b >= CPU_BUSY) {
		*why = g_strdup_printf("the CPU of %s was busy %d%% of the "
				       "window", a->sender, pct(b));
		return "host_cpu";
	}
	b = receiver_busy((void *)a);
	if (b >= CPU_BUSY) {
		*why = g_strdup_printf("the CPU of the receiver %s was busy "
				       "%d%% of the window", a->receiver,
				       pct(b));
		return "receiver_cpu";
	}
	double u = link_util((void *)a);
	if (u >= LINK_BUSY) {
		*why = g_strdup_printf("link %s was busy %d%% of the window",
				       a->link, pct(u));
		return "medium";
	}
	if (a->sink_rate) {
		*why = g_strdup_printf("the receiving application reads at %s",
				       a->sink_rate);
		return "receiver_app";
	}
	if (a->app_limit) {
		*why = g_strdup_printf("the application had no more to send "
				       "(%s)", a->app_limit);
		return "application";
	}
	*why = g_strdup("the sender always had data and no CPU, reservation or "
			"the medium was saturated: TCP's window (the "
			"receiver's buffer, the ACK clock) set the rate");
	return "tcp_window";
}

static char *
limited_by(void *ctx)
{
	char *why = NULL;
	const char *v = verdict(ctx, &why);
	g_free(why);
	return g_strdup(v);
}

static char *
limited_reason(void *ctx)
{
	char *why = NULL;
	verdict(ctx, &why);
	return why;
}

static void
account_free(void *p)
{
	struct conn_account *a = p;
	g_free(a->name);
	g_free(a->sender);
	g_free(a->receiver);
	g_free(a->link);
	g_free(a->sink_rate);
	g_free(a->app_limit);
	g_free(a);
}

static gboolean
is_kind(const scenario *sc, const char *host, const char *kind)
{
	scn_group *h = scn_find(sc, "host", host);
	return h && strcmp(scn_str(h, "kind"), kind) == 0;
}

void
cli_explain_register(cli_world *w)
{
	GPtrArray *conns = scn_instances(w->sc, "connection");
	for (guint i = 0; i < conns->len; i++) {
		scn_group *g = g_ptr_array_index(conns, i);
		struct conn_account *a = g_new0(struct conn_account, 1);
		a->st = w->sim->stats;
		a->name = g_strdup(scn_group_name(g));
		a->sender = g_strdup(scn_str(g, "from"));
		a->receiver = g_strdup(scn_str(g, "to"));
		scn_group *h = scn_find(w->sc, "host", a->sender);
		a->link = g_strdup(h ? scn_str(h, "link") : "");
		a->nemesis = is_kind(w->sc, a->sender, "nemesis");
		a->sender_unix = is_kind(w->sc, a->sender, "unix");
		a->receiver_unix = is_kind(w->sc, a->receiver, "unix");
		a->receiver_nemesis = is_kind(w->sc, a->receiver, "nemesis");
		a->rx_qos = scn_get_qos(g, "rx_cpu_qos");
		a->cpu_qos = scn_get_qos(g, "cpu_qos");
		a->tx_qos = scn_get_qos(g, "tx_qos");
		if (strcmp(scn_str(g, "sink"), "rate") == 0) {
			char buf[64];
			a->sink_rate = g_strdup(
				sim_format_rate(scn_rate(g, "sink_rate"), buf));
		}
		GString *lim = g_string_new(NULL);
		if (scn_has(g, "bytes"))
			g_string_append_printf(lim, "bytes = %" G_GINT64_FORMAT,
					       scn_int(g, "bytes"));
		if (scn_has(g, "stop")) {
			char buf[64];
			g_string_append_printf(lim, "%sstop = %s",
					       lim->len ? ", " : "",
					       sim_format_time(scn_time(g, "stop"),
							       buf));
		}
		a->app_limit = lim->len ? g_string_free(lim, FALSE)
					: (g_string_free(lim, TRUE), NULL);
		sim_on_free(w->sim, account_free, a);
		g_hash_table_insert(w->objects,
				    g_strconcat("account.", a->name, NULL), a);

		char path[512];
#define PATH(k) (g_snprintf(path, sizeof path, "connections.%s.%s", a->name, \
			    k), path)
		sim_stats_add_string_fn(a->st, PATH("limited_by"), limited_by, a);
		sim_stats_add_string_fn(a->st, PATH("limited_reason"),
					limited_reason, a);
		if (a->nemesis) {
			sim_stats_add_fn(a->st, PATH("account.ran_contracted"),
					 ran_contracted, a);
			sim_stats_add_fn(a->st, PATH("account.ran_slack"),
					 ran_slack, a);
			sim_stats_add_fn(a->st, PATH("account.waiting_runnable"),
					 waiting_runnable, a);
			sim_stats_add_fn(a->st, PATH("account.blocked"), blocked,
					 a);
			sim_stats_add_fn(a->st,
					 PATH("account.driver_waiting_runnable"),
					 driver_waiting, a);
			sim_stats_add_fn(a->st,
					 PATH("account.channel_full_refusals"),
					 channel_full, a);
			sim_stats_add_fn(
				a->st,
				PATH("account.channel_idle_with_slice_left"),
				channel_idle, a);
		}
		sim_stats_add_fn(a->st, PATH("account.sender_cpu_busy"),
				 sender_busy, a);
		sim_stats_add_fn(a->st, PATH("account.receiver_cpu_busy"),
				 receiver_busy, a);
		sim_stats_add_fn(a->st, PATH("account.link_utilization"),
				 link_util, a);
#undef PATH
	}
	g_ptr_array_free(conns, TRUE);
	cli_explain_register_sites(w);
}

/*
 * A web site on a Nemesis host (servers.NAME.account.*): its domain (named
 * after the site) split as a sending domain's is, and the two servers
 * every site on the host shares: the driver and the flow manager (a
 * filter for every connection accepted).  The account of a connection
 * with the site as its name and its host as the sender.
 */
void
cli_explain_register_sites(cli_world *w)
{
	GPtrArray *servers = scn_instances(w->sc, "server");
	for (guint i = 0; i < servers->len; i++) {
		scn_group *g = g_ptr_array_index(servers, i);
		if (!is_kind(w->sc, scn_str(g, "host"), "nemesis"))
			continue;
		struct conn_account *a = g_new0(struct conn_account, 1);
		a->st = w->sim->stats;
		a->name = g_strdup(scn_group_name(g));
		a->sender = g_strdup(scn_str(g, "host"));
		sim_on_free(w->sim, account_free, a);
		static const struct {
			const char *key;
			sim_stats_double_fn fn;
		} items[] = {
			{ "ran_contracted", ran_contracted },
			{ "ran_slack", ran_slack },
			{ "waiting_runnable", waiting_runnable },
			{ "blocked", blocked },
			{ "driver_waiting_runnable", driver_waiting },
			{ "flowman_waiting_runnable", flowman_waiting },
		};
		for (guint k = 0; k < G_N_ELEMENTS(items); k++) {
			char path[512];
			g_snprintf(path, sizeof path, "servers.%s.account.%s",
				   a->name, items[k].key);
			sim_stats_add_fn(a->st, path, items[k].fn, a);
		}
	}
	g_ptr_array_free(servers, TRUE);
}

void
cli_explain_print(cli_world *w, FILE *f)
{
	GPtrArray *conns = scn_instances(w->sc, "connection");
	for (guint i = 0; i < conns->len; i++) {
		char *key = g_strconcat("account.",
					scn_group_name(g_ptr_array_index(conns, i)),
					NULL);
		struct conn_account *a = g_hash_table_lookup(w->objects, key);
		g_free(key);
		if (!a)
			continue;
		char *why = NULL;
		const char *v = verdict(a, &why);
		fprintf(f, "  %s: %.3g Mb/s, limited by %s: %s\n", a->name,
			CONN(a, "throughput_mbps"), v, why);
		g_free(why);
	}
	g_ptr_array_free(conns, TRUE);
	/* Each customer of a web site: what its requests got. */
	GPtrArray *clients = scn_instances(w->sc, "clients");
	for (guint i = 0; i < clients->len; i++) {
		const char *n = scn_group_name(g_ptr_array_index(clients, i));
		const sim_stats *st = w->sim->stats;
		const char *c = "clients.%s.%s";
		double done = result_of(st, c, n, "completed_in_window");
		double p50 = result_of(st, c, n, "response_time_p50_s");
		double p99 = result_of(st, c, n, "response_time_p99_s");
		double to = result_of(st, c, n, "timed_out");
		double failed = result_of(st, c, n, "failed");
		fprintf(f, "  %s: %.0f requests completed in the window, "
			"response time p50 %.3g s, p99 %.3g s; %.0f timed out, "
			"%.0f failed\n", n, done, p50, p99, to, failed);
	}
	g_ptr_array_free(clients, TRUE);
}
