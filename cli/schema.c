/*
 * schema.c - the scenario format: every group, key, type and default.
 *
 * This table is the one place where scenario keys and their defaults are
 * defined; `nemsim check --keys` prints it, and the README's "writing a
 * scenario" section follows it.  The cross-checks at the end refuse what
 * cannot be built: contracts above 1 on a CPU or a link, a connection
 * from a host to itself, a measurement window outside the run.
 */
#include "cli.h"

#include "models/nemesis/nemesis.h"

#include "wire_topo_schema.h"

#include <string.h>

/*
 * Bounds on what a run can mean in reasonable time: every time value is
 * an int64 of nanoseconds, so a run of at most SCN_DURATION_MAX leaves
 * room for any period or delay added to it; a scheduling period below
 * SCN_PERIOD_MIN makes a scheduler pass per few microseconds of simulated
 * time per domain (a 1 ns period costs about 80 s of wall time per
 * simulated second) and is no setting the paper's systems could run.
 */
#define SCN_DURATION_MAX (10000000LL * SIM_S) /* 10^7 s, 116 days */
#define SCN_PERIOD_MIN (10 * SIM_US)

static const scn_param scenario_params[] = {
	{ "description", SCN_STRING, "", 0, NULL, 0, 0,
	  "what the scenario shows, in a sentence" },
	{ "reproduces", SCN_STRING, "", 0, NULL, 0, 0,
	  "the part of the paper it reproduces (e.g. \"Figure 5\")" },
	{ "include", SCN_STRING, NULL, 0, NULL, 0, 0,
	  "files read first (relative to this one), separated by ','" },
	{ NULL }
};

static const scn_param simulation_params[] = {
	{ "seed", SCN_INT, "1", 0, NULL, 0, INT64_MAX,
	  "scenario seed; every random stream derives from it" },
	{ "duration", SCN_TIME, NULL, SCN_REQUIRED, NULL, 0, 0,
	  "simulated time to run" },
	{ "warmup", SCN_TIME, "0", 0, NULL, 0, 0,
	  "start of the measurement window" },
	{ "measure_until", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "end of the measurement window (default: the end of the run)" },
	{ NULL }
};

static const scn_param output_params[] = {
	{ "pcap", SCN_STRING_LIST, "", 0, NULL, 0, 0,
	  "capture points: host names (their NIC) and link names (the hub)" },
	{ "interval", SCN_TIME, "100ms", 0, NULL, 0, 0,
	  "sampling interval of the time series" },
	{ "timeseq", SCN_REF_LIST, "", 0, "connection", 0, 0,
	  "connections whose time-sequence trace is written" },
	{ "cpu_series", SCN_BOOL, "false", 0, NULL, 0, 0,
	  "write the per-domain CPU share time series" },
	{ "schedule_from", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "with schedule_to: write schedule.csv, who ran on each Nemesis "
	  "CPU and what each transmit scheduler sent, between the two times "
	  "(the paper's Figure 2; keep the interval short)" },
	{ "schedule_to", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "end of the schedule trace" },
	{ NULL }
};

static const scn_param link_params[] = {
	{ "kind", SCN_ENUM, "hub", 0, "hub|duplex|switch|wan", 0, 0,
	  "shared half-duplex Ethernet through a hub, a full-duplex "
	  "point-to-point link, a store-and-forward switch (a full-duplex "
	  "port per host), or a serial WAN line between two hosts or "
	  "routers" },
	{ "rate", SCN_RATE, NULL, SCN_REQUIRED, NULL, 0, 0,
	  "bit rate: 10Mb/s or 100Mb/s (Ethernet); any rate on a wan link "
	  "(1.544Mb/s T1, 44.736Mb/s T3)" },
	{ "cable", SCN_LENGTH, "10m", 0, NULL, 0, 0,
	  "default cable length from a station to the hub" },
	{ "repeater_delay", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "hub delay from input to output port (default: by rate, see "
	  "models/ethernet)" },
	{ "phy_delay", SCN_TIME, "0s", 0, NULL, 0, 0,
	  "one-way latency of each station's PHY (a 100BASE-TX DTE pair adds "
	  "about 100 bit times to the round trip)" },
	{ "cable_ns_per_m", SCN_DOUBLE, "5.56", 0, NULL, 0, 0,
	  "cable propagation delay in ns per metre (5.56: 802.3 table 29-3; "
	  "coax about 4.33)" },
	{ "overbook", SCN_BOOL, "false", 0, NULL, 0, 0,
	  "allow transmit contracts summing above 1 on one interface" },
	{ "loss", SCN_DOUBLE, "0", 0, NULL, 0, 0,
	  "loss model: probability (0 <= loss < 1) that a frame a NIC on "
	  "this link accepts is damaged and discarded (nics.<host>.rx_lost); "
	  "on a wan link, that a packet is lost on the line" },
	CLI_TOPO_LINK_PARAMS
	{ NULL }
};

static const scn_param host_params[] = {
	{ "kind", SCN_ENUM, NULL, SCN_REQUIRED,
	  "nemesis|unix|station|router", 0, 0,
	  "a Nemesis host, a conventional Unix host, a station (a bare "
	  "NIC driven by raw-frame sources), or an IP router" },
	{ "link", SCN_REF, NULL, 0, "link", 0, 0,
	  "the link the host's NIC is attached to (required; a router has "
	  "links instead)" },
	CLI_TOPO_HOST_PARAMS
	{ "nic", SCN_ENUM, "generic", 0, "de4x5|3c509|generic", 0, 0,
	  "network card: sets the transmit ring depth (31, 1, 32)" },
	{ "tx_ring", SCN_INT, NULL, 0, NULL, 1, 4096,
	  "transmit descriptors of the NIC (default: by card)" },
	{ "cpu", SCN_ENUM, "pentium200", 0, "pentium200|ideal", 0, 0,
	  "CPU cost model (ideal: every operation is free)" },
	{ "personality", SCN_ENUM, NULL, 0,
	  "nemesis|bsd44|netbsd1|sunos41|linux20|linux22", 0, 0,
	  "TCP personality (default: nemesis on Nemesis hosts, linux22 "
	  "on Unix hosts)" },
	{ "rfc1323", SCN_ENUM, "personality", 0, "personality|on|off", 0, 0,
	  "TCP window scale and timestamps (RFC 1323): as the personality "
	  "has it, or forced on or off" },
	{ "cable", SCN_LENGTH, NULL, 0, NULL, 0, 0,
	  "cable length to the hub (default: the link's)" },
	{ "subnets_are_local", SCN_BOOL, "true", 0, NULL, 0, 0,
	  "4.4BSD's subnetsarelocal: every subnet of the host's class-based "
	  "network (nemsim's links are all in 10/8) counts as local; false: "
	  "only its own link, and the BSD-derived personalities (nemesis, "
	  "bsd44, netbsd1, sunos41) send 512-byte segments to peers behind "
	  "a router (tcp_mss)" },
	{ "driver_qos", SCN_QOS, NULL, 0, NULL, 0, 0,
	  "CPU QoS of the device driver domain (default: by NIC, from the "
	  "Nemesis release)" },
	{ "flowman_qos", SCN_QOS, NULL, 0, NULL, 0, 0,
	  "CPU QoS of the flow manager domain, which binds ports and installs "
	  "a packet filter for every connection opened or accepted (default: "
	  "the release's 2ms, 10us, true)" },
	{ "overbook", SCN_BOOL, "false", 0, NULL, 0, 0,
	  "allow CPU contracts summing above 1 on this host" },
	{ "events", SCN_ENUM, "deferred", 0, "deferred|immediate", 0, 0,
	  "Nemesis: an event one domain sends another is delivered when the "
	  "sender is next descheduled (deferred, the release on Intel) or "
	  "at once (immediate)" },
	{ "slack", SCN_ENUM, "release", 0, "release|round_robin", 0, 0,
	  "Nemesis: who gets the CPU's slack: the release's cursor over the "
	  "wait queue's heap array (release) or an equal round robin in "
	  "creation order (round_robin)" },
	{ "threads", SCN_ENUM, "fifo", 0, "fifo|round_robin", 0, 0,
	  "Nemesis: which ready thread of a domain runs at an activation: the "
	  "release's FIFO in the order threads became ready, the one that was "
	  "running going to the back (fifo), or round robin by creation order "
	  "(round_robin)" },
	{ "rx_buffers", SCN_INT, "40", 0, NULL, 1, 100000,
	  "Nemesis: receive buffers each connection posts to the driver "
	  "(40 in the release)" },
	{ "sockbuf", SCN_INT, NULL, 0, NULL, 512, 1048576,
	  "TCP socket send and receive buffer size in bytes, for hosts "
	  "whose buffers were set away from the default (default: the "
	  "personality's; InetMod 16000)" },
	{ NULL }
};

static const scn_param domain_params[] = {
	{ "host", SCN_REF, NULL, SCN_REQUIRED, "host", 0, 0,
	  "the host whose CPU runs the domain" },
	{ "cpu_qos", SCN_QOS, NULL, SCN_REQUIRED, NULL, 0, 0,
	  "Atropos QoS: period, slice, extra[, latency]" },
	{ "app", SCN_ENUM, "carnage", 0, "carnage|idle", 0, 0,
	  "what the domain runs (carnage: always busy)" },
	{ NULL }
};

static const scn_param connection_params[] = {
	{ "from", SCN_REF, NULL, SCN_REQUIRED, "host", 0, 0,
	  "the sending host" },
	{ "to", SCN_REF, NULL, SCN_REQUIRED, "host", 0, 0,
	  "the receiving host: a Unix process, or on a Nemesis host a domain "
	  "of its own, NAME_rx (see rx_cpu_qos)" },
	{ "app", SCN_ENUM, "tcp_send", 0, "tcp_send", 0, 0,
	  "the sending application" },
	{ "tx_qos", SCN_QOS, "30s, 0, true", 0, NULL, 0, 0,
	  "transmit QoS of the connection's I/O channel (default: the "
	  "Nemesis socket default, slack only)" },
	{ "rx_cpu_qos", SCN_QOS, "10ms, 0, true", 0, NULL, 0, 0,
	  "a Nemesis receiver: CPU QoS of the receiving application's domain, "
	  "NAME_rx (default: slack only)" },
	{ "cpu_qos", SCN_QOS, "10ms, 0, true", 0, NULL, 0, 0,
	  "CPU QoS of the sending application's domain (default: the "
	  "Nemesis default for ordinary programs, slack only)" },
	{ "start", SCN_TIME, "0", 0, NULL, 0, 0,
	  "when the application starts (before the end of the run)" },
	{ "active", SCN_BOOL, "true", 0, NULL, 0, 0,
	  "false: the connection is built and reported but its application "
	  "never starts (a customer switched off, e.g. in a sweep)" },
	{ "stop", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "when it stops sending (default: never)" },
	{ "bytes", SCN_INT, NULL, 0, NULL, 1, INT64_MAX,
	  "bytes to send (default: unlimited)" },
	{ "write_size", SCN_INT, "1460", 0, NULL, 1, 65536,
	  "bytes per application write" },
	{ "sink", SCN_ENUM, "read", 0, "read|rate", 0, 0,
	  "the receiver reads as data comes, or at sink_rate" },
	{ "sink_rate", SCN_RATE, NULL, 0, NULL, 0, 0,
	  "read rate when sink = rate" },
	{ NULL }
};

static const scn_param source_params[] = {
	{ "host", SCN_REF, NULL, 0, "host", 0, 0,
	  "the station (kind = station) that sends; or give link and "
	  "stations instead" },
	{ "link", SCN_REF, NULL, 0, "link", 0, 0,
	  "make `stations` stations of their own on this link, each with "
	  "this source" },
	{ "stations", SCN_INT, "1", 0, NULL, 1, 1024,
	  "how many stations to make on `link`" },
	{ "to", SCN_STRING, "broadcast", 0, NULL, 0, 0,
	  "destination host name, or broadcast" },
	{ "frame_bytes", SCN_INT, "1518", 0, NULL, 64, 1518,
	  "frame size on the wire, destination address to FCS" },
	{ "mode", SCN_ENUM, "saturate", 0, "saturate|poisson", 0, 0,
	  "always a frame queued, or Poisson arrivals at `rate`" },
	{ "rate", SCN_RATE, NULL, 0, NULL, 0, 0,
	  "offered load for mode = poisson (frame bits per second)" },
	{ "start", SCN_TIME, "0", 0, NULL, 0, 0, "when the source starts" },
	{ "host_overhead", SCN_TIME, "0", 0, NULL, 0, 0,
	  "per-frame time the sending host spends before handing each frame "
	  "to its NIC, one at a time (Boggs, Mogul & Kent 1988's hosts); "
	  "several sources may share a station" },
	{ NULL }
};

static const scn_kind kinds[] = {
	{ "scenario", FALSE, FALSE, scenario_params,
	  "what the scenario is; includes" },
	{ "simulation", FALSE, FALSE, simulation_params,
	  "seed, duration, measurement window" },
	{ "output", FALSE, FALSE, output_params,
	  "captures, traces and time series to write" },
	{ "vars", FALSE, TRUE, NULL,
	  "variables, used as ${name} in any value; swept by [sweep]" },
	{ "sweep", FALSE, TRUE, NULL,
	  "keys to vary (lists \"a; b\" or ranges \"A to B step C\"), "
	  "zip = keys varied together, columns = name=summary.path; ..." },
	{ "link", TRUE, FALSE, link_params,
	  "a link: an Ethernet segment (hub, full duplex, switch) or a serial "
	  "WAN line" },
	{ "host", TRUE, FALSE, host_params,
	  "a machine: a Nemesis or Unix host or a station, with one NIC, or "
	  "a router with an interface on each of its links" },
	{ "domain", TRUE, FALSE, domain_params,
	  "a Nemesis domain that is not a connection's application" },
	{ "connection", TRUE, FALSE, connection_params,
	  "a TCP connection with its sending application and receiver" },
	{ "source", TRUE, FALSE, source_params,
	  "a raw-frame traffic source (Ethernet-only scenarios)" },
	{ "server", TRUE, FALSE, cli_server_params,
	  "a web server: a Nemesis domain with reservations, or a Unix "
	  "process (cli/wire_web.c)" },
	{ "clients", TRUE, FALSE, cli_clients_params,
	  "a customer's clients making requests to a [server] (cli/wire_web.c)" },
	{ NULL }
};

/* ---- Cross-checks ------------------------------------------------------- */

static gboolean
check_window(const scenario *sc, GError **error)
{
	scn_group *s = scn_single(sc, "simulation");
	sim_time_t d = scn_time(s, "duration"), w = scn_time(s, "warmup");
	if (d <= 0) {
		scn_set_error(error, s, "duration", "must be positive");
		return FALSE;
	}
	if (d > SCN_DURATION_MAX) {
		scn_set_error(error, s, "duration",
			      "%s is longer than nemsim runs (at most 10000000s, "
			      "so that every time stays exact in 64-bit "
			      "nanoseconds)", scn_str(s, "duration"));
		return FALSE;
	}
	if (w >= d) {
		scn_set_error(error, s, "warmup",
			      "the measurement window starts at or after the "
			      "end of the run");
		return FALSE;
	}
	if (scn_has(s, "measure_until")) {
		sim_time_t m = scn_time(s, "measure_until");
		if (m <= w || m > d) {
			scn_set_error(error, s, "measure_until",
				      "must lie after warmup and not after "
				      "duration");
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_hosts(const scenario *sc, GError **error)
{
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	/* Keys that only a Nemesis host has: set on another host, they
	 * would be ignored. */
	static const char *const nemesis_only[] = {
		"driver_qos", "flowman_qos", "rx_buffers", "events", "slack",
		"threads", NULL
	};
	for (guint i = 0; i < hosts->len; i++) {
		scn_group *h = g_ptr_array_index(hosts, i);
		const char *kind = scn_str(h, "kind");
		for (int k = 0; nemesis_only[k]; k++) {
			const char *key = nemesis_only[k];
			if (strcmp(kind, "nemesis") != 0 && scn_is_set(h, key)) {
				scn_set_error(error, h, key,
					      "only a kind = nemesis host has "
					      "this (this host is kind = %s)",
					      kind);
				return FALSE;
			}
		}
		if (strcmp(kind, "station") == 0 &&
		    scn_is_set(h, "subnets_are_local")) {
			scn_set_error(error, h, "subnets_are_local",
				      "a station has no TCP/IP stack; only "
				      "kind = nemesis and unix hosts have this");
			return FALSE;
		}
		if (!scn_has(h, "link"))
			continue; /* a router: cli_topo_check */
		scn_group *l = scn_ref(sc, h, "link");
		if (strcmp(scn_str(h, "nic"), "3c509") == 0 &&
		    scn_rate(l, "rate") != 10 * SIM_MBPS) {
			scn_set_error(error, h, "nic",
				      "a 3c509 is a 10 Mb/s card, but [%s] runs "
				      "at %s: use nic = de4x5 (10/100 Mb/s) or "
				      "generic", scn_group_title(l),
				      scn_str(l, "rate"));
			return FALSE;
		}
		if (scn_has(h, "personality")) {
			gboolean nem = strcmp(scn_str(h, "personality"),
					      "nemesis") == 0;
			if (nem != (strcmp(kind, "nemesis") == 0)) {
				scn_set_error(error, h, "personality",
					      "the nemesis personality is for, "
					      "and only for, kind = nemesis");
				return FALSE;
			}
		}
	}
	return TRUE;
}

/*
 * Contracted shares on one resource.  Sums are exact: shares are compared
 * as fractions over the least common multiple-free form
 * sum(s_i / p_i) <= 1  <=>  sum(s_i * P / p_i) <= P  with P the product
 * would overflow, so we sum in long double, whose 64-bit mantissa holds
 * every ns-resolution ratio of the periods used here; a tolerance of
 * 1e-12 absorbs the last-bit error.
 */
struct share {
	const scn_group *g;  /* NULL: a contract the scenario does not write */
	long double share;
	const char *hidden;  /* its name then */
};

/*
 * overbook_in: the group whose `overbook` key allows it.  A share with no
 * group (g NULL) is a contract the scenario does not write: the Nemesis
 * driver's and flow manager's (named in `what_hidden`).
 */
static gboolean
check_admission(const scn_group *owner, const char *what, GArray *shares,
		const scn_group *overbook_in, GError **error)
{
	long double sum = 0;
	for (guint i = 0; i < shares->len; i++)
		sum += g_array_index(shares, struct share, i).share;
	if (sum <= 1.0L + 1e-12L || scn_bool(overbook_in, "overbook"))
		return TRUE;
	GString *parts = g_string_new(NULL);
	const struct share *last = NULL;
	for (guint i = 0; i < shares->len; i++) {
		struct share *s = &g_array_index(shares, struct share, i);
		if (s->g)
			g_string_append_printf(parts, "%s[%s] %.4g",
					       i ? ", " : "",
					       scn_group_title(s->g),
					       (double)s->share);
		else
			g_string_append_printf(parts, "%s%s %.4g",
					       i ? ", " : "", s->hidden,
					       (double)s->share);
		if (s->g && s->g != owner)
			last = s;
	}
	const scn_group *at = last ? last->g : owner;
	const char *key = !last ? "driver_qos"
			  : strcmp(what, "CPU") == 0 ? "cpu_qos" : "tx_qos";
	scn_set_error(error, at, key,
		      "contracted %s shares on [%s] sum to %.4g, above 1 "
		      "(%s); reduce a slice, or set overbook = true in [%s] "
		      "to allow it", what, scn_group_title(owner), (double)sum,
		      parts->str, scn_group_title(overbook_in));
	g_string_free(parts, TRUE);
	return FALSE;
}

static long double
share_of(const scn_qos *q)
{
	return (long double)q->slice / (long double)q->period;
}

static gboolean
check_reservations(const scenario *sc, GError **error)
{
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	g_autoptr(GPtrArray) doms = scn_instances(sc, "domain");
	g_autoptr(GPtrArray) conns = scn_instances(sc, "connection");
	/* the names of receivers' shares, alive until the check is done */
	g_autoptr(GPtrArray) rx_names = g_ptr_array_new_with_free_func(g_free);
	gboolean ok = TRUE;
	for (guint i = 0; ok && i < hosts->len; i++) {
		scn_group *h = g_ptr_array_index(hosts, i);
		GArray *cpu = g_array_new(FALSE, FALSE, sizeof(struct share));
		GArray *tx = g_array_new(FALSE, FALSE, sizeof(struct share));
		if (strcmp(scn_str(h, "kind"), "nemesis") == 0) {
			/* The driver's and flow manager's contracts count
			 * too (the model's own defaults, nem_host.c). */
			nem_host_params hp;
			scn_group *l = scn_ref(sc, h, "link");
			nem_host_params_default(&hp, scn_rate(l, "rate"),
						scn_str(h, "nic"));
			struct share s = { NULL, 0, "the driver (default)" };
			if (scn_has(h, "driver_qos")) {
				scn_qos q = scn_get_qos(h, "driver_qos");
				s = (struct share){ NULL, share_of(&q),
						    "the driver (driver_qos)" };
			} else {
				s.share = (long double)hp.driver_qos.s /
					  (long double)hp.driver_qos.p;
			}
			g_array_append_val(cpu, s);
			s = (struct share){ NULL,
					    (long double)hp.flowman_qos.s /
						    (long double)hp.flowman_qos.p,
					    "the flow manager (default)" };
			if (scn_has(h, "flowman_qos")) {
				scn_qos q = scn_get_qos(h, "flowman_qos");
				s = (struct share){ NULL, share_of(&q),
						    "the flow manager (flowman_qos)" };
			}
			g_array_append_val(cpu, s);
		}
		for (guint d = 0; d < doms->len; d++) {
			scn_group *g = g_ptr_array_index(doms, d);
			if (scn_ref(sc, g, "host") != h)
				continue;
			scn_qos q = scn_get_qos(g, "cpu_qos");
			struct share s = { g, share_of(&q), NULL };
			g_array_append_val(cpu, s);
		}
		for (guint c = 0; c < conns->len; c++) {
			scn_group *g = g_ptr_array_index(conns, c);
			if (scn_ref(sc, g, "from") != h)
				continue;
			scn_qos q = scn_get_qos(g, "cpu_qos");
			struct share s = { g, share_of(&q), NULL };
			g_array_append_val(cpu, s);
			q = scn_get_qos(g, "tx_qos");
			s.share = share_of(&q);
			g_array_append_val(tx, s);
		}
		for (guint c = 0; c < conns->len; c++) {
			scn_group *g = g_ptr_array_index(conns, c);
			if (scn_ref(sc, g, "to") != h ||
			    strcmp(scn_str(h, "kind"), "nemesis") != 0)
				continue;
			scn_qos q = scn_get_qos(g, "rx_cpu_qos");
			char *what = g_strdup_printf("[%s] rx_cpu_qos",
						     scn_group_title(g));
			struct share s = { NULL, share_of(&q), what };
			g_array_append_val(cpu, s);
			g_ptr_array_add(rx_names, what);
		}
		g_autoptr(GPtrArray) servers = scn_instances(sc, "server");
		for (guint k = 0; k < servers->len; k++) {
			scn_group *g = g_ptr_array_index(servers, k);
			if (scn_ref(sc, g, "host") != h ||
			    strcmp(scn_str(h, "kind"), "nemesis") != 0)
				continue;
			scn_qos q = scn_get_qos(g, "cpu_qos");
			struct share s = { g, share_of(&q), NULL };
			g_array_append_val(cpu, s);
			q = scn_get_qos(g, "tx_qos");
			s.share = share_of(&q);
			g_array_append_val(tx, s);
		}
		if (cpu->len)
			ok = check_admission(h, "CPU", cpu, h, error);
		if (ok && tx->len)
			ok = check_admission(h, "transmit", tx,
					     scn_ref(sc, h, "link"), error);
		g_array_free(cpu, TRUE);
		g_array_free(tx, TRUE);
	}
	return ok;
}

static gboolean
check_connections(const scenario *sc, GError **error)
{
	g_autoptr(GPtrArray) conns = scn_instances(sc, "connection");
	for (guint c = 0; c < conns->len; c++) {
		scn_group *g = g_ptr_array_index(conns, c);
		scn_group *from = scn_ref(sc, g, "from"),
			  *to = scn_ref(sc, g, "to");
		if (from == to) {
			scn_set_error(error, g, "to",
				      "a connection needs two different hosts");
			return FALSE;
		}
		if (!strcmp(scn_str(from, "kind"), "station") ||
		    !strcmp(scn_str(to, "kind"), "station")) {
			scn_set_error(error, g, "from",
				      "TCP needs nemesis or unix hosts, not "
				      "stations");
			return FALSE;
		}
		sim_time_t end = scn_time(scn_single(sc, "simulation"),
					  "duration");
		if (scn_bool(g, "active") && scn_time(g, "start") >= end) {
			scn_set_error(error, g, "start",
				      "the application starts at or after the "
				      "end of the run (duration = %s); to keep "
				      "it from starting, write active = false",
				      scn_str(scn_single(sc, "simulation"),
					      "duration"));
			return FALSE;
		}
		if (scn_has(g, "stop") &&
		    scn_time(g, "stop") <= scn_time(g, "start")) {
			scn_set_error(error, g, "stop",
				      "the application stops before it starts "
				      "(start = %s)", scn_str(g, "start"));
			return FALSE;
		}
		if (strcmp(scn_str(g, "sink"), "rate") == 0 &&
		    !scn_has(g, "sink_rate")) {
			scn_set_error(error, g, "sink",
				      "sink = rate needs sink_rate");
			return FALSE;
		}
	}
	g_autoptr(GPtrArray) srcs = scn_instances(sc, "source");
	for (guint i = 0; i < srcs->len; i++) {
		scn_group *g = g_ptr_array_index(srcs, i);
		if (strcmp(scn_str(g, "mode"), "poisson") == 0 &&
		    !scn_has(g, "rate")) {
			scn_set_error(error, g, "mode",
				      "mode = poisson needs rate");
			return FALSE;
		}
		if (scn_time(g, "start") >= scn_time(scn_single(sc, "simulation"),
						     "duration")) {
			scn_set_error(error, g, "start",
				      "the source starts at or after the end of "
				      "the run (duration = %s)",
				      scn_str(scn_single(sc, "simulation"),
					      "duration"));
			return FALSE;
		}
		if (scn_has(g, "host") == scn_has(g, "link")) {
			scn_set_error(error, g, NULL,
				      "give either host (a station) or link "
				      "(with stations = N)");
			return FALSE;
		}
		if (scn_has(g, "host") &&
		    strcmp(scn_str(scn_ref(sc, g, "host"), "kind"), "station")) {
			scn_set_error(error, g, "host",
				      "raw-frame sources run on hosts of kind "
				      "station");
			return FALSE;
		}
		const char *to = scn_str(g, "to");
		if (strcmp(to, "broadcast") != 0 && !scn_find(sc, "host", to)) {
			scn_set_error(error, g, "to",
				      "refers to [host.%s], which is not defined",
				      to);
			return FALSE;
		}
	}
	return TRUE;
}

/* No Ethernet cable is longer (and delays stay far from overflowing). */
#define SCN_CABLE_MAX_MM (100LL * 1000 * 1000) /* 100 km */

static gboolean
check_cable(scn_group *g, GError **error)
{
	if (!scn_has(g, "cable") || scn_length_mm(g, "cable") <= SCN_CABLE_MAX_MM)
		return TRUE;
	scn_set_error(error, g, "cable",
		      "%s is longer than any Ethernet cable (at most 100km)",
		      scn_str(g, "cable"));
	return FALSE;
}

static gboolean
check_links(const scenario *sc, GError **error)
{
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	for (guint i = 0; i < hosts->len; i++)
		if (!check_cable(g_ptr_array_index(hosts, i), error))
			return FALSE;
	g_autoptr(GPtrArray) links = scn_instances(sc, "link");
	for (guint i = 0; i < links->len; i++) {
		scn_group *l = g_ptr_array_index(links, i);
		if (!check_cable(l, error))
			return FALSE;
		if (scn_has(l, "repeater_delay") &&
		    scn_time(l, "repeater_delay") > SIM_MS) {
			scn_set_error(error, l, "repeater_delay",
				      "%s: a repeater delays a signal by bit "
				      "times, not by more than 1ms",
				      scn_str(l, "repeater_delay"));
			return FALSE;
		}
		double p = scn_double(l, "loss");
		if (!(p >= 0 && p < 1)) {
			scn_set_error(error, l, "loss",
				      "%s is not a probability in [0, 1)",
				      scn_str(l, "loss"));
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
check_outputs(const scenario *sc, GError **error)
{
	scn_group *o = scn_single(sc, "output");
	if (scn_time(o, "interval") <= 0) {
		scn_set_error(error, o, "interval", "must be positive");
		return FALSE;
	}
	if (scn_has(o, "schedule_from") != scn_has(o, "schedule_to")) {
		scn_set_error(error, o, scn_has(o, "schedule_from")
					? "schedule_from" : "schedule_to",
			      "give schedule_from and schedule_to together");
		return FALSE;
	}
	if (scn_has(o, "schedule_from") &&
	    (scn_time(o, "schedule_to") <= scn_time(o, "schedule_from") ||
	     scn_time(o, "schedule_from") >=
		     scn_time(scn_single(sc, "simulation"), "duration"))) {
		scn_set_error(error, o, "schedule_to",
			      "the schedule interval must end after it starts "
			      "and start before the end of the run");
		return FALSE;
	}
	g_auto(GStrv) points = scn_list(o, "pcap");
	for (int i = 0; points[i]; i++) {
		for (int j = 0; j < i; j++) {
			if (strcmp(points[i], points[j]) == 0) {
				scn_set_error(error, o, "pcap",
					      "\"%s\" is named twice (one "
					      "capture file per point: %s.pcap)",
					      points[i], points[i]);
				return FALSE;
			}
		}
		if (!scn_find(sc, "host", points[i]) &&
		    !scn_find(sc, "link", points[i])) {
			scn_set_error(error, o, "pcap",
				      "\"%s\" is neither a host nor a link",
				      points[i]);
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * One namespace.  Results are keyed by name (hosts.NAME, domains.NAME,
 * nics.NAME, ...), captures are asked for by name, and models derive
 * names: a Nemesis host H has the domains H_driver and H_flowman and a
 * TCP stack H_C for each connection C it sends (hosts.H_C.tcp.*); a
 * connection's sending domain is named after it (domains.C); a source
 * with stations = N makes stations SRC-1 ... SRC-N.  So every name, given
 * or derived, must be unique across the whole scenario.
 */
static gboolean
claim_name(GHashTable *names, const char *name, const scn_group *g,
	   const char *how, GError **error)
{
	const char *had = g_hash_table_lookup(names, name);
	if (!had) {
		g_hash_table_insert(names, g_strdup(name),
				    g_strdup_printf("%s (%s, %s)", how,
						    scn_group_title(g),
						    scn_group_where(g)));
		return TRUE;
	}
	scn_set_error(error, g, NULL,
		      "the name \"%s\" (%s) is already taken by %s; every "
		      "name in a scenario, and every name the models derive "
		      "from one, must be unique: rename one of them",
		      name, how, had);
	return FALSE;
}

static gboolean
check_names(const scenario *sc, GError **error)
{
	static const char *const named[] = { "link", "host", "domain",
					     "connection", "source", "server",
					     "clients", NULL };
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal,
						  g_free, g_free);
	gboolean ok = TRUE;
	for (int k = 0; ok && named[k]; k++) {
		g_autoptr(GPtrArray) a = scn_instances(sc, named[k]);
		for (guint i = 0; ok && i < a->len; i++) {
			scn_group *g = g_ptr_array_index(a, i);
			ok = claim_name(names, scn_group_name(g), g,
					"its own name", error);
		}
	}
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	g_autoptr(GPtrArray) conns = scn_instances(sc, "connection");
	for (guint i = 0; ok && i < hosts->len; i++) {
		scn_group *h = g_ptr_array_index(hosts, i);
		if (strcmp(scn_str(h, "kind"), "nemesis") != 0)
			continue;
		static const char *const sys[] = { "driver", "flowman", NULL };
		for (int k = 0; ok && sys[k]; k++) {
			char *n = g_strdup_printf("%s_%s", scn_group_name(h),
						  sys[k]);
			char *how = g_strdup_printf("its %s domain", sys[k]);
			ok = claim_name(names, n, h, how, error);
			g_free(how);
			g_free(n);
		}
		g_autoptr(GPtrArray) servers = scn_instances(sc, "server");
		for (guint c = 0; ok && c < conns->len + servers->len; c++) {
			scn_group *g = c < conns->len
					       ? g_ptr_array_index(conns, c)
					       : g_ptr_array_index(servers,
								   c - conns->len);
			if (scn_ref(sc, g, c < conns->len ? "from" : "host") != h)
				continue;
			char *n = g_strdup_printf("%s_%s", scn_group_name(h),
						  scn_group_name(g));
			char *how = g_strdup_printf(
				"the TCP stack of its domain on [%s]",
				scn_group_title(h));
			ok = claim_name(names, n, g, how, error);
			g_free(how);
			g_free(n);
		}
		/* A Nemesis receiver: the domain NAME_rx and its stack. */
		for (guint c = 0; ok && c < conns->len; c++) {
			scn_group *g = g_ptr_array_index(conns, c);
			if (scn_ref(sc, g, "to") != h)
				continue;
			char *n = g_strdup_printf("%s_rx", scn_group_name(g));
			ok = claim_name(names, n, g, "its receiving domain",
					error);
			g_free(n);
			n = g_strdup_printf("%s_%s_rx", scn_group_name(h),
					    scn_group_name(g));
			if (ok)
				ok = claim_name(names, n, g,
						"the TCP stack of its "
						"receiving domain", error);
			g_free(n);
		}
	}
	g_autoptr(GPtrArray) srcs = scn_instances(sc, "source");
	for (guint i = 0; ok && i < srcs->len; i++) {
		scn_group *g = g_ptr_array_index(srcs, i);
		if (!scn_has(g, "link"))
			continue;
		for (int64_t k = 1; ok && k <= scn_int(g, "stations"); k++) {
			char *n = g_strdup_printf("%s-%" G_GINT64_FORMAT,
						  scn_group_name(g), k);
			ok = claim_name(names, n, g, "one of its stations",
					error);
			g_free(n);
		}
	}
	g_hash_table_destroy(names);
	return ok;
}

static gboolean
check_period(const scn_group *g, const char *key, GError **error)
{
	if (!scn_has(g, key))
		return TRUE;
	scn_qos q = scn_get_qos(g, key);
	if (q.period >= SCN_PERIOD_MIN)
		return TRUE;
	scn_set_error(error, g, key,
		      "a period of %s is below nemsim's bound of 10us (every "
		      "period is a scheduling pass, so the run would take "
		      "about a wall-clock second per simulated millisecond); "
		      "use a period of 10us or more",
		      scn_str(g, key));
	return FALSE;
}

static gboolean
check_periods(const scenario *sc, GError **error)
{
	static const struct {
		const char *kind, *key;
	} qos[] = { { "host", "driver_qos" }, { "host", "flowman_qos" },
		    { "domain", "cpu_qos" },
		    { "connection", "cpu_qos" }, { "connection", "tx_qos" },
		    { "connection", "rx_cpu_qos" },
		    { "server", "cpu_qos" }, { "server", "tx_qos" } };
	for (guint k = 0; k < G_N_ELEMENTS(qos); k++) {
		g_autoptr(GPtrArray) a = scn_instances(sc, qos[k].kind);
		for (guint i = 0; i < a->len; i++)
			if (!check_period(g_ptr_array_index(a, i), qos[k].key,
					  error))
				return FALSE;
	}
	return TRUE;
}

static const scn_check_fn checks[] = {
	check_window, cli_topo_check, check_names, check_hosts, check_periods,
	check_reservations, check_connections, check_links, check_outputs,
	cli_check_web, NULL,
};

const scn_schema cli_schema = { kinds, checks };
