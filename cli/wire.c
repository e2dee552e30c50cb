/*
 * wire.c - building the models from a checked scenario: the only place
 * where models are wired together.
 *
 * Phases, in order:
 *   links        a hub per [link] of kind hub; duplex links wait for
 *                their two hosts
 *   hosts        a NIC per host (ring depth by card), attached to its
 *                hub or duplex link; a Unix kernel or a Nemesis host
 *                (CPU under Atropos, driver, flow manager) on top
 *   neighbours   every IP host learns the others on its link (static
 *                neighbour tables instead of ARP)
 *   domains      carnage and idle domains on Nemesis CPUs
 *   connections  a sender (tcp_send in its own Nemesis domain with its
 *                transmit channel, or a Unix process) and a sink on the
 *                receiving Unix host
 *   sources      raw-frame sources on stations (or on stations of their
 *                own: link + stations = N)
 *   stats        every model registers its results
 * Host i (in scenario order, stations of sources included) gets MAC
 * 02:00:00 followed by i+1 in three bytes and IPv4 address 10.L.0.0 + i + 1
 * on the /16 subnet of its link, L the link's place among the links
 * (10.0.0.1, ..., 10.0.0.255, 10.0.1.0, ... when there is one link); a
 * router takes an i for each of its interfaces (wire_topo.c); connection
 * i goes to port 5001 + i.
 */
#include "cli.h"

#include "sim/series.h"
#include "sim/trace.h"

#include "models/apps/apps.h"
#include "models/cpu_atropos/cpu_atropos.h"
#include "models/ethernet/eth.h"
#include "models/nemesis/nemesis.h"
#include "models/tx_atropos/tx_atropos.h"
#include "models/unix/unix.h"

#include "wire_var.h"

#include <string.h>

static void
wlink_free(gpointer p)
{
	struct wlink *l = p;
	if (l->ports)
		g_array_free(l->ports, TRUE);
	g_free(l);
}

void
cli_wiring_free(cli_world *w)
{
	struct cli_wiring *wr = w->wiring;
	if (!wr)
		return;
	g_hash_table_destroy(wr->links);
	g_hash_table_destroy(wr->hosts);
	g_ptr_array_free(wr->host_order, TRUE);
	g_ptr_array_free(wr->cpus, TRUE);
	g_ptr_array_free(wr->sinks, TRUE);
	g_hash_table_destroy(wr->senders);
	g_free(wr);
	w->wiring = NULL;
}

static char *
path(const char *fmt, const char *name, const char *suffix)
{
	return g_strdup_printf(fmt, name, suffix ? suffix : "");
}

/* ---- Links ---------------------------------------------------------------- */

static gboolean
build_links(cli_world *w, GError **error)
{
	g_autoptr(GPtrArray) links = scn_instances(w->sc, "link");
	for (guint i = 0; i < links->len; i++) {
		scn_group *g = g_ptr_array_index(links, i);
		struct wlink *l = g_new0(struct wlink, 1);
		l->g = g;
		l->name = scn_group_name(g);
		l->rate = scn_rate(g, "rate");
		l->is_hub = strcmp(scn_str(g, "kind"), "hub") == 0;
		l->no = i;
		if (cli_topo_is_topo_link(g)) { /* switch, wan: wire_topo.c */
			g_hash_table_insert(w->wiring->links, (gpointer)l->name, l);
			if (!cli_topo_build_link(w, l, error))
				return FALSE;
			continue;
		}
		if (l->rate != 10 * SIM_MBPS && l->rate != 100 * SIM_MBPS) {
			scn_set_error(error, g, "rate",
				      "Ethernet runs at 10Mb/s or 100Mb/s");
			g_free(l);
			return FALSE;
		}
		double nspm = scn_double(g, "cable_ns_per_m");
		if (!(nspm > 0 && nspm < 1000)) {
			scn_set_error(error, g, "cable_ns_per_m",
				      "cable delay must be above 0 and below "
				      "1000 ns per metre");
			g_free(l);
			return FALSE;
		}
		if (l->is_hub) {
			eth_hub_params hp = eth_hub_params_default(l->rate);
			if (scn_has(g, "repeater_delay"))
				hp.repeater_delay = scn_time(g, "repeater_delay");
			char *n = path("hub.%s%s", l->name, NULL);
			l->hub = eth_hub_new(w->sim, n, &hp);
			g_free(n);
			eth_hub_register_trace(l->hub, w->sim);
		}
		g_hash_table_insert(w->wiring->links, (gpointer)l->name, l);
	}
	return TRUE;
}

/* ---- Hosts ---------------------------------------------------------------- */

static guint
ring_depth(const char *nic)
{
	if (strcmp(nic, "de4x5") == 0)
		return 31; /* de4x5 transmit descriptors (REFERENCE.md §2) */
	/*
	 * The 3c509 has no descriptor ring but a 2 KB transmit FIFO, and its
	 * drivers hand it the next frame as soon as 1536 bytes of the FIFO
	 * are free (Linux 2.x drivers/net/3c509.c, TX_FREE threshold), that
	 * is while the previous frame is still going out: one frame on the
	 * wire and one waiting, so frames leave back to back.  REFERENCE.md
	 * §2 counts "1" descriptor (one frame handed over at a time); with
	 * one the card would idle between frames for the driver's turnaround
	 * and the hub contention of Figure 5 could not arise.
	 */
	if (strcmp(nic, "3c509") == 0)
		return 2;
	return 32;
}

static int
rfc1323_of(scn_group *g)
{
	const char *v = scn_str(g, "rfc1323");
	return strcmp(v, "on") == 0 ? 1 : strcmp(v, "off") == 0 ? 0 : -1;
}

static const struct tcp_personality *
personality(const char *name)
{
	static const struct {
		const char *key;
		const struct tcp_personality *p;
	} map[] = {
		{ "bsd44", &tcp_personality_bsd44 },
		{ "netbsd1", &tcp_personality_netbsd1 },
		{ "sunos41", &tcp_personality_sunos41 },
		{ "linux20", &tcp_personality_linux20 },
		{ "linux22", &tcp_personality_linux22 },
	};
	for (guint i = 0; i < G_N_ELEMENTS(map); i++)
		if (strcmp(map[i].key, name) == 0)
			return map[i].p;
	return NULL;
}

/* A NIC named nic.<name> on link l. */
eth_nic *
cli_wire_attach_nic(cli_world *w, struct wlink *l, const char *name, guint ring,
	   int64_t cable_mm, guint index, uint8_t mac[6], GError **error,
	   scn_group *g)
{
	eth_nic_params np = eth_nic_params_default(l->rate);
	np.ring_depth = ring;
	np.rx_loss = scn_double(l->g, "loss");
	eth_mac_from_index(np.mac, index + 1);
	memcpy(mac, np.mac, 6);
	char *n = path("nic.%s%s", name, NULL);
	eth_nic *nic = eth_nic_new(w->sim, n, &np);
	g_free(n);
	eth_nic_register_trace(nic, w->sim);
	int64_t ps_per_m = (int64_t)(scn_double(l->g, "cable_ns_per_m") * 1000 +
				     0.5);
	sim_time_t phy = scn_time(l->g, "phy_delay");
	if (l->sw) {
		cli_topo_attach_switch(w, l, nic, name, cable_mm, ps_per_m, phy);
	} else if (l->is_hub) {
		eth_port_params pp = eth_port_params_default();
		pp.cable_mm = cable_mm;
		pp.cable_ps_per_m = ps_per_m;
		pp.phy_delay = phy;
		struct wport wp = { eth_hub_attach(l->hub, nic, &pp), g };
		if (!l->ports)
			l->ports = g_array_new(FALSE, FALSE, sizeof wp);
		g_array_append_val(l->ports, wp);
	} else {
		if (l->nends == 2) {
			scn_set_error(error, g, "link",
				      "[link.%s] is a duplex link, which joins "
				      "exactly two hosts", l->name);
			return NULL;
		}
		l->duplex_end[l->nends++] = nic;
		if (l->nends == 2) {
			eth_link_params lp = eth_link_params_default();
			lp.cable_mm = cable_mm;
			lp.cable_ps_per_m = ps_per_m;
			lp.phy_delay = 2 * phy; /* the PHYs at both ends */
			char *ln = path("link.%s%s", l->name, NULL);
			eth_link *el = eth_link_new(w->sim, ln, l->duplex_end[0],
						    l->duplex_end[1], &lp);
			g_free(ln);
			char *lp_ = path("links.%s%s", l->name, NULL);
			eth_link_register_stats(el, w->sim, lp_);
			g_free(lp_);
		}
	}
	char *sp = path("nics.%s%s", name, NULL);
	eth_nic_register_stats(nic, w->sim, sp);
	g_free(sp);
	return nic;
}

static gboolean
build_hosts(cli_world *w, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	g_autoptr(GPtrArray) hosts = scn_instances(w->sc, "host");
	for (guint i = 0; i < hosts->len; i++) {
		scn_group *g = g_ptr_array_index(hosts, i);
		struct whost *h = g_new0(struct whost, 1);
		g_ptr_array_add(wr->host_order, h);
		h->g = g;
		h->name = scn_group_name(g);
		h->kind = scn_str(g, "kind");
		if (cli_topo_is_router(g)) {
			if (!cli_topo_build_router(w, h, error))
				return FALSE;
			g_hash_table_insert(wr->hosts, (gpointer)h->name, h);
			continue;
		}
		h->link = g_hash_table_lookup(wr->links,
					      scn_group_name(scn_ref(w->sc, g, "link")));
		guint index = wr->next_index++;
		if (index + 1 >= 65535) {
			scn_set_error(error, g, NULL,
				      "host %u: the hosts of a scenario share "
				      "the subnet 10.0.0.0/16, which has 65534 "
				      "addresses", index + 1);
			return FALSE;
		}
		/* 10.0.0.0/16: host i is 10.0.((i+1) >> 8).((i+1) & 255),
		 * every host on-link for every other (the /16 netmask of
		 * ip_stack_config_init), whatever its place in the file. */
		h->addr = cli_topo_addr(h->link, index);
		int64_t cable = scn_has(g, "cable") ? scn_length_mm(g, "cable")
						    : scn_length_mm(h->link->g, "cable");
		guint ring = scn_has(g, "tx_ring") ? (guint)scn_int(g, "tx_ring")
						   : ring_depth(scn_str(g, "nic"));
		if (h->link->wan) {
			h->nif = cli_topo_wan_attach(w, h->link, h->name, index,
						     h->mac);
		} else {
			h->nic = cli_wire_attach_nic(w, h->link, h->name, ring,
						     cable, index, h->mac, error,
						     g);
			if (!h->nic)
				return FALSE;
			h->nif = eth_nic_netif(h->nic);
		}
		g_hash_table_insert(wr->hosts, (gpointer)h->name, h);

		const char *pers = scn_has(g, "personality")
					   ? scn_str(g, "personality")
					   : NULL;
		if (strcmp(h->kind, "unix") == 0) {
			unix_host_params up;
			unix_host_params_default(&up);
			up.cost_model = scn_str(g, "cpu");
			up.addr = h->addr;
			up.rfc1323 = rfc1323_of(g);
			up.subnetsarelocal = scn_bool(g, "subnets_are_local");
			if (pers)
				up.personality = personality(pers);
			if (scn_has(g, "sockbuf")) {
				/* The personality with its default buffer
				 * sizes replaced (the stack keeps a copy). */
				struct tcp_personality *pc =
					g_new(struct tcp_personality, 1);
				*pc = *up.personality;
				pc->sndbuf = pc->rcvbuf =
					(uint32_t)scn_int(g, "sockbuf");
				sim_on_free(w->sim, g_free, pc);
				up.personality = pc;
			}
			h->ux = unix_host_new(w->sim, h->name, h->nif, &up, error);
			if (!h->ux)
				return FALSE;
			unix_host_register_stats(h->ux);
		} else if (strcmp(h->kind, "nemesis") == 0) {
			cpu_params cp;
			cpu_params_default(&cp);
			cp.cost_model = scn_str(g, "cpu");
			cp.allow_overbook = scn_bool(g, "overbook");
			cp.defer_events =
				strcmp(scn_str(g, "events"), "deferred") == 0;
			cp.slack_order =
				strcmp(scn_str(g, "slack"), "round_robin") == 0
					? CPU_SLACK_ROUND_ROBIN
					: CPU_SLACK_RELEASE;
			cp.thread_order =
				strcmp(scn_str(g, "threads"), "round_robin") == 0
					? CPU_THREADS_ROUND_ROBIN
					: CPU_THREADS_FIFO;
			h->cpu = cpu_new(w->sim, h->name, &cp, error);
			if (!h->cpu)
				return FALSE;
			g_ptr_array_add(wr->cpus, h->cpu);
			nem_host_params hp;
			nem_host_params_default(&hp, h->link->rate,
						scn_str(g, "nic"));
			hp.addr = h->addr;
			hp.rx_buffers = (guint)scn_int(g, "rx_buffers");
			hp.rfc1323 = rfc1323_of(g);
			hp.subnetsarelocal = scn_bool(g, "subnets_are_local");
			if (scn_has(g, "sockbuf"))
				hp.sockbuf = (guint)scn_int(g, "sockbuf");
			if (scn_has(g, "driver_qos")) {
				scn_qos q = scn_get_qos(g, "driver_qos");
				hp.driver_qos = (atropos_qos){
					q.period, q.slice, q.extra,
					q.has_latency ? q.latency : q.period
				};
			}
			if (scn_has(g, "flowman_qos")) {
				scn_qos q = scn_get_qos(g, "flowman_qos");
				hp.flowman_qos = (atropos_qos){
					q.period, q.slice, q.extra,
					q.has_latency ? q.latency : q.period
				};
			}
			h->nem = nem_host_new(w->sim, h->name, h->cpu, h->nif,
					      &hp, error);
			if (!h->nem)
				return FALSE;
		}
	}
	/* Every duplex link must have found its two ends. */
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, wr->links);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct wlink *l = v;
		if (!l->is_hub && !l->sw && !l->wan && l->nends != 2) {
			scn_set_error(error, l->g, "kind",
				      "a duplex link needs exactly two hosts; "
				      "%u refer to it", l->nends);
			return FALSE;
		}
	}
	/* Static neighbour tables. */
	for (guint i = 0; i < wr->host_order->len; i++) {
		struct whost *a = g_ptr_array_index(wr->host_order, i);
		for (guint j = 0; j < wr->host_order->len; j++) {
			struct whost *b = g_ptr_array_index(wr->host_order, j);
			if (a == b || a->link != b->link)
				continue;
			if (a->ux)
				unix_host_add_neighbour(a->ux, b->addr, b->mac);
			if (a->nem)
				nem_host_add_neighbour(a->nem, b->addr, b->mac);
		}
	}
	/* Routers, and hosts' routes through them. */
	return cli_topo_routes(w, error);
}

static void
nem_acceptor(void *impl, struct socket *listener, app_accepted_fn done,
	     void *ctx)
{
	nem_accept(impl, listener, done, ctx);
}

app_acceptor
cli_nem_acceptor(nem_domain *d)
{
	return (app_acceptor){ nem_acceptor, d };
}

void
cli_nem_read_costs(cpu_t *cpu, sim_time_t *per_read, sim_time_t *per_byte)
{
	*per_read = cpu_cost(cpu, "inet_app_read");
	*per_byte = cpu_cost(cpu, "drv_rx_copy_byte");
}

static struct whost *
host_of(cli_world *w, scn_group *g, const char *key)
{
	return g_hash_table_lookup(w->wiring->hosts,
				   scn_group_name(scn_ref(w->sc, g, key)));
}

static atropos_qos
to_atropos(const scn_qos *q)
{
	/* Latency hint: as given, else the period (the release's habit). */
	return (atropos_qos){ q->period, q->slice, q->extra,
			      q->has_latency ? q->latency : q->period };
}

/* ---- Domains -------------------------------------------------------------- */

static gboolean
build_domains(cli_world *w, GError **error)
{
	g_autoptr(GPtrArray) doms = scn_instances(w->sc, "domain");
	for (guint i = 0; i < doms->len; i++) {
		scn_group *g = g_ptr_array_index(doms, i);
		struct whost *h = host_of(w, g, "host");
		if (!h->cpu) {
			scn_set_error(error, g, "host",
				      "domains run on Nemesis hosts; [host.%s] "
				      "is a %s host", h->name, h->kind);
			return FALSE;
		}
		scn_qos sq = scn_get_qos(g, "cpu_qos");
		atropos_qos q = to_atropos(&sq);
		cpu_domain *d;
		if (strcmp(scn_str(g, "app"), "carnage") == 0)
			d = cpu_carnage_new(h->cpu, scn_group_name(g), &q, 0,
					    error);
		else
			d = cpu_domain_new(h->cpu, scn_group_name(g), &q, error);
		if (!d) {
			GError *e = *error;
			*error = NULL;
			scn_set_error(error, g, "cpu_qos", "%s", e->message);
			g_error_free(e);
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- Connections ---------------------------------------------------------- */

struct unix_connect {
	sim_t *sim;
	const char *name;
	struct socket *so;
	uint32_t addr;
	uint16_t port;
	sim_exec *ex;
};

static void
unix_connect_step(void *ctx, void *arg)
{
	struct unix_connect *uc = ctx;
	int e = so_connect(uc->so, uc->addr, uc->port);
	if (e != 0)
		sim_fail(uc->sim, "[connection.%s] could not connect: %s",
			 uc->name, g_strerror(-e));
}

static void
unix_connect_at(void *ctx, void *arg)
{
	struct unix_connect *uc = ctx;
	sim_exec_run(uc->ex, 0, unix_connect_step, uc, NULL);
}


static gboolean
build_connections(cli_world *w, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	g_autoptr(GPtrArray) conns = scn_instances(w->sc, "connection");
	for (guint i = 0; i < conns->len; i++) {
		scn_group *g = g_ptr_array_index(conns, i);
		const char *name = scn_group_name(g);
		struct whost *from = host_of(w, g, "from");
		struct whost *to = host_of(w, g, "to");
		uint16_t port = (uint16_t)(5001 + i);
		/* The receiver: a listening socket and a sink, a Unix process
		 * or, on a Nemesis host, a domain of its own (NAME_rx) whose
		 * InetMod receives into the buffers it posted. */
		if (5001 + (guint64)i > 65535) {
			scn_set_error(error, g, NULL,
				      "connection %u of the scenario: receivers "
				      "listen on port 5001 + its index, and TCP "
				      "ports end at 65535 (at most 60535 "
				      "connections)", i + 1);
			return FALSE;
		}
		app_sink_params skp;
		app_sink_params_default(&skp);
		if (strcmp(scn_str(g, "sink"), "rate") == 0)
			skp.rate = scn_rate(g, "sink_rate");
		struct socket *lso;
		sim_exec *rex;
		if (to->nem) {
			scn_qos rq = scn_get_qos(g, "rx_cpu_qos");
			atropos_qos rx_q = to_atropos(&rq);
			atropos_qos ack_q = { 30 * SIM_S, 0, TRUE, 30 * SIM_S };
			char *rname = g_strconcat(name, "_rx", NULL);
			nem_domain *rd = nem_domain_new(to->nem, rname, &rx_q,
							error);
			lso = rd ? nem_listen_up(rd, rname, &ack_q, port, 5,
					       error)
				 : NULL;
			sim_on_free(w->sim, g_free, rname);
			if (!lso)
				return FALSE;
			rex = nem_domain_app_exec(rd);
			skp.acceptor = cli_nem_acceptor(rd);
			cli_nem_read_costs(to->cpu, &skp.cost_read,
					   &skp.cost_byte);
		} else {
			if (scn_is_set(g, "rx_cpu_qos")) {
				scn_set_error(error, g, "rx_cpu_qos",
					      "the receiving domain's QoS is for "
					      "a Nemesis receiver; [host.%s] is a "
					      "%s host", to->name, to->kind);
				return FALSE;
			}
			ip_stack *rst = unix_host_stack(to->ux);
			lso = so_socket(rst);
			int e = so_bind(lso, to->addr, port);
			if (e == 0)
				e = so_listen(lso, 5);
			if (e != 0) {
				scn_set_error(error, g, "to",
					      "[host.%s] cannot listen on port "
					      "%u: %s", to->name, port,
					      g_strerror(-e));
				return FALSE;
			}
			rex = unix_host_user_exec(to->ux);
			skp.cost_read = unix_host_cost(to->ux, "app_read");
			skp.cost_byte = unix_host_cost(to->ux,
						       "unix_copy_byte");
		}
		app_sink *sink = app_sink_new(w->sim, name, lso, rex, &skp);
		app_sink_register_stats(sink);
		g_ptr_array_add(wr->sinks, sink);

		/*
		 * The sender's local port: a BSD stack's ephemeral ports are
		 * 1024-4999 (4.4BSD in_pcbbind), a Nemesis host's flow
		 * manager hands out 1024 upwards: past that the connection
		 * could never open.
		 */
		guint nfrom = GPOINTER_TO_UINT(
			g_hash_table_lookup(wr->senders, from->name)) + 1;
		g_hash_table_insert(wr->senders, (gpointer)from->name,
				    GUINT_TO_POINTER(nfrom));
		guint max_from = from->nem ? 65535 - 1024 + 1 : 4999 - 1024 + 1;
		if (nfrom > max_from) {
			scn_set_error(error, g, "from",
				      "this is connection %u from [host.%s], "
				      "whose %s has %u local ports for "
				      "connections (%s): spread the "
				      "connections over more hosts", nfrom,
				      from->name,
				      from->nem ? "flow manager" : "BSD stack",
				      max_from,
				      from->nem ? "1024-65535"
						: "ephemeral ports 1024-4999, "
						  "4.4BSD in_pcbbind");
			return FALSE;
		}

		/* The sender. */
		app_tcp_send_params ap;
		app_tcp_send_params_default(&ap);
		ap.write_size = (uint32_t)scn_int(g, "write_size");
		ap.start = scn_time(g, "start");
		if (!scn_bool(g, "active"))
			ap.start = w->duration + SIM_S; /* after the end */
		if (scn_has(g, "stop"))
			ap.stop = scn_time(g, "stop");
		if (scn_has(g, "bytes"))
			ap.bytes = scn_int(g, "bytes");
		struct socket *so;
		sim_exec *ex;
		if (from->nem) {
			scn_qos cq = scn_get_qos(g, "cpu_qos"),
				tq = scn_get_qos(g, "tx_qos");
			atropos_qos cpu_q = to_atropos(&cq), tx_q = to_atropos(&tq);
			nem_domain *d = nem_domain_new(from->nem, name, &cpu_q,
						       error);
			if (!d)
				return FALSE;
			so = nem_connect(d, name, &tx_q, to->addr, port, ap.start,
					 error);
			if (!so)
				return FALSE;
			ex = nem_domain_app_exec(d);
			ap.cost_write = cpu_cost(from->cpu, "app_write");
		} else if (from->ux) {
			if (scn_is_set(g, "tx_qos") || scn_is_set(g, "cpu_qos")) {
				scn_set_error(error, g,
					      !scn_is_set(g, "tx_qos") ? "cpu_qos"
								      : "tx_qos",
					      "reservations apply to Nemesis "
					      "senders only; [host.%s] is a Unix "
					      "host", from->name);
				return FALSE;
			}
			ip_stack *sst = unix_host_stack(from->ux);
			so = so_socket(sst);
			so_set_name(so, name);
			ex = unix_host_user_exec(from->ux);
			struct unix_connect *uc = g_new0(struct unix_connect, 1);
			uc->sim = w->sim;
			uc->name = name;
			uc->so = so;
			uc->addr = to->addr;
			uc->port = port;
			uc->ex = ex;
			sim_on_free(w->sim, g_free, uc);
			sim_at(w->sim, ap.start, unix_connect_at, uc, NULL);
			ap.cost_write = unix_host_cost(from->ux, "app_write");
		} else {
			g_assert_not_reached(); /* stations refused by schema */
		}
		app_tcp_send_new(w->sim, name, so, ex, &ap);
	}
	return TRUE;
}

gboolean
cli_world_host(cli_world *w, const char *name, struct cli_host_ref *out)
{
	struct whost *h = g_hash_table_lookup(w->wiring->hosts, name);
	if (!h)
		return FALSE;
	*out = (struct cli_host_ref){ h->kind, h->addr, h->nem, h->ux, h->cpu };
	return TRUE;
}

/* ---- Raw-frame sources ---------------------------------------------------- */

static gboolean
build_sources(cli_world *w, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	g_autoptr(GPtrArray) srcs = scn_instances(w->sc, "source");
	for (guint i = 0; i < srcs->len; i++) {
		scn_group *g = g_ptr_array_index(srcs, i);
		eth_source_params sp = eth_source_params_default();
		sp.mode = strcmp(scn_str(g, "mode"), "poisson") == 0
				  ? ETH_SOURCE_POISSON
				  : ETH_SOURCE_SATURATE;
		sp.frame_bytes = (uint32_t)scn_int(g, "frame_bytes");
		if (scn_has(g, "rate"))
			sp.rate = scn_rate(g, "rate");
		sp.start = scn_time(g, "start");
		sp.host_overhead = scn_time(g, "host_overhead");
		const char *to = scn_str(g, "to");
		if (strcmp(to, "broadcast") == 0) {
			memset(sp.dst, 0xff, 6);
		} else {
			struct whost *d = g_hash_table_lookup(wr->hosts, to);
			memcpy(sp.dst, d->mac, 6);
		}
		if (scn_has(g, "host")) {
			struct whost *h = host_of(w, g, "host");
			char *sn = path("sources.%s%s", scn_group_name(g), NULL);
			eth_source *s = eth_source_new(w->sim, scn_group_name(g),
						       h->nic, &sp);
			eth_source_register_stats(s, w->sim, sn);
			g_free(sn);
			continue;
		}
		struct wlink *l = g_hash_table_lookup(
			wr->links, scn_group_name(scn_ref(w->sc, g, "link")));
		int64_t n = scn_int(g, "stations");
		if (!l->is_hub && !l->sw && n > 2) {
			scn_set_error(error, g, "stations",
				      "a duplex link joins two stations");
			return FALSE;
		}
		for (int64_t k = 1; k <= n; k++) {
			char *sname = g_strdup_printf("%s-%" G_GINT64_FORMAT,
						      scn_group_name(g), k);
			uint8_t mac[6];
			eth_nic *nic = cli_wire_attach_nic(w, l, sname, ring_depth("generic"),
						  scn_length_mm(l->g, "cable"),
						  wr->next_index++, mac, error, g);
			if (!nic) {
				g_free(sname);
				return FALSE;
			}
			char *sn = path("sources.%s%s", sname, NULL);
			eth_source *s = eth_source_new(w->sim, sname, nic, &sp);
			eth_source_register_stats(s, w->sim, sn);
			g_free(sn);
			g_free(sname);
		}
	}
	return TRUE;
}

/* ---- Network diameter ---------------------------------------------------- */

/*
 * 802.3 detects a collision only while the sender is still sending its
 * first slot (512 bit times): the round trip between any two stations
 * must stay within it (4.4.2, the network's maximum span; 29.3 for
 * 100BASE-T).  Beyond, a station can finish a frame before another's
 * signal reaches it, the collision goes undetected and both frames are
 * lost without a retransmission: refused rather than run.  Path delays
 * add up (cable, repeater, cable), so the worst pair is found from the
 * station farthest from any one port.
 */
static gboolean
check_diameter(cli_world *w, struct wlink *l, GError **error)
{
	if (!l->hub || !l->ports || l->ports->len < 2)
		return TRUE;
	GArray *ps = l->ports;
	const struct wport *ref = &g_array_index(ps, struct wport, 0);
	const struct wport *a = &g_array_index(ps, struct wport, 1), *b = ref;
	for (guint i = 1; i < ps->len; i++) {
		const struct wport *x = &g_array_index(ps, struct wport, i);
		if (eth_hub_path_delay(l->hub, x->port, ref->port) >
		    eth_hub_path_delay(l->hub, a->port, ref->port))
			a = x;
	}
	for (guint i = 0; i < ps->len; i++) {
		const struct wport *x = &g_array_index(ps, struct wport, i);
		if (x != a && eth_hub_path_delay(l->hub, a->port, x->port) >
				      eth_hub_path_delay(l->hub, a->port, b->port))
			b = x;
	}
	sim_time_t rt = eth_hub_path_delay(l->hub, a->port, b->port) +
			eth_hub_path_delay(l->hub, b->port, a->port);
	sim_time_t slot = (sim_time_t)ETH_SLOT_BITS * SIM_S / l->rate;
	if (rt <= slot)
		return TRUE;
	scn_set_error(error, a->g, scn_has(a->g, "cable") ? "cable" : NULL,
		      "the round trip between [%s] and [%s] through the hub of "
		      "[link.%s] is %.0f bit times, above the 512 bit times "
		      "(one slot) within which 802.3 must detect a collision; "
		      "shorten the cables (key cable in [host.NAME], or in "
		      "[link.%s] for every station)",
		      scn_group_title(a->g), scn_group_title(b->g), l->name,
		      (double)rt * (double)l->rate / (double)SIM_S, l->name);
	return FALSE;
}

static gboolean
check_diameters(cli_world *w, GError **error)
{
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, w->wiring->links);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (!check_diameter(w, v, error))
			return FALSE;
	return TRUE;
}

/* ---- Stats ---------------------------------------------------------------- */

static gboolean
register_stats(cli_world *w, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, wr->links);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct wlink *l = v;
		if (l->hub) {
			char *p = path("links.%s%s", l->name, NULL);
			eth_hub_register_stats(l->hub, w->sim, p);
			g_free(p);
		}
	}
	for (guint i = 0; i < wr->host_order->len; i++) {
		struct whost *h = g_ptr_array_index(wr->host_order, i);
		/* Who is who in a capture (a router's interfaces: its own
		 * results, wire_topo.c). */
		if (cli_topo_is_router(h->g))
			continue;
		char *p = path("hosts.%s%s", h->name, ".ipv4");
		char txt[32];
		g_snprintf(txt, sizeof txt, "%u.%u.%u.%u", h->addr >> 24,
			   h->addr >> 16 & 255, h->addr >> 8 & 255,
			   h->addr & 255);
		sim_stats_set_string(w->sim->stats, p, txt);
		g_free(p);
		p = path("hosts.%s%s", h->name, ".mac");
		g_snprintf(txt, sizeof txt, "%02x:%02x:%02x:%02x:%02x:%02x",
			   h->mac[0], h->mac[1], h->mac[2], h->mac[3],
			   h->mac[4], h->mac[5]);
		sim_stats_set_string(w->sim->stats, p, txt);
		g_free(p);
		if (h->nem) {
			cpu_register_stats(h->cpu);
			nem_host_register_stats(h->nem);
		}
	}
	cli_topo_register_stats(w);
	cli_explain_register(w);
	return TRUE;
}

gboolean
cli_build_world(cli_world *w, GError **error)
{
	struct cli_wiring *wr = g_new0(struct cli_wiring, 1);
	wr->links = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					  wlink_free);
	wr->hosts = g_hash_table_new(g_str_hash, g_str_equal);
	wr->host_order = g_ptr_array_new_with_free_func(g_free);
	wr->cpus = g_ptr_array_new();
	wr->sinks = g_ptr_array_new();
	wr->senders = g_hash_table_new(g_str_hash, g_str_equal);
	w->wiring = wr;
	return build_links(w, error) && build_hosts(w, error) &&
	       build_domains(w, error) && build_connections(w, error) &&
	       cli_build_web(w, error) && build_sources(w, error) &&
	       check_diameters(w, error) &&
	       register_stats(w, error);
}

/* ---- Outputs of the models ------------------------------------------------ */

static gboolean
finish_series(cli_world *w, void *ctx, GError **error)
{
	return sim_series_finish(ctx, error);
}

static void
abort_series(void *ctx)
{
	sim_series_abort(ctx);
}

struct tseq_writer {
	sim_csv *csv;
};

static const char *const tseq_columns[] = {
	"time_s", "direction", "seq", "len", "ack", "win", "flags", "rexmt", NULL
};

static void
tseq_record(void *ctx, sim_time_t t, const void *rec)
{
	struct tseq_writer *tw = ctx;
	const struct tcp_tseq_rec *r = rec;
	sim_csv_double(tw->csv, sim_time_to_s(t));
	sim_csv_str(tw->csv, r->outbound ? "out" : "in");
	sim_csv_int(tw->csv, r->seq);
	sim_csv_int(tw->csv, r->len);
	sim_csv_int(tw->csv, r->ack);
	sim_csv_int(tw->csv, r->win);
	sim_csv_int(tw->csv, r->flags);
	sim_csv_int(tw->csv, r->rexmt);
	sim_csv_end_row(tw->csv);
}

static gboolean
finish_tseq(cli_world *w, void *ctx, GError **error)
{
	struct tseq_writer *tw = ctx;
	gboolean ok = sim_csv_close(tw->csv, error);
	g_free(tw);
	return ok;
}

static void
abort_tseq(void *ctx)
{
	struct tseq_writer *tw = ctx;
	sim_csv_abort(tw->csv);
	g_free(tw);
}

/*
 * The schedule between [output] schedule_from and schedule_to, in the
 * manner of the paper's Figure 2: who ran on each Nemesis CPU (and
 * whether under contract or in slack, or idle), and what each transmit
 * scheduler handed to the card (the channel, the link time it was
 * charged, contracted or slack).  One row per interval, clipped to the
 * window; nothing is traced without the keys.
 */
struct sched_writer {
	sim_csv *csv;
	sim_time_t from, to;
};

static const char *const sched_columns[] = {
	"start_ns", "end_ns", "resource", "who", "kind", NULL
};

static void
sched_row(struct sched_writer *sw, sim_time_t a, sim_time_t b,
	  const char *res_kind, const char *res, const char *who,
	  const char *kind)
{
	a = MAX(a, sw->from);
	b = MIN(b, sw->to);
	if (b <= a)
		return;
	char *r = g_strdup_printf("%s.%s", res_kind, res);
	sim_csv_int(sw->csv, a); /* exact: runs last microseconds */
	sim_csv_int(sw->csv, b);
	sim_csv_str(sw->csv, r);
	sim_csv_str(sw->csv, who);
	sim_csv_str(sw->csv, kind);
	sim_csv_end_row(sw->csv);
	g_free(r);
}

static void
sched_cpu_record(void *ctx, sim_time_t t, const void *rec)
{
	const cpu_run_rec *r = rec;
	sched_row(ctx, r->start, r->end, "cpu", r->cpu, r->domain,
		  r->kind == CPU_RUN_CONTRACTED ? "contracted"
		  : r->kind == CPU_RUN_SLACK    ? "slack"
						: "idle");
}

struct sched_tx_ctx {
	struct sched_writer *sw;
	char *host;
};

static void
sched_tx_record(void *ctx, sim_time_t t, const void *rec)
{
	struct sched_tx_ctx *c = ctx;
	const tx_send_rec *r = rec;
	sched_row(c->sw, t, t + r->charge, "tx", c->host,
		  tx_channel_name(r->ch), r->in_slack ? "slack" : "contracted");
}

static gboolean
finish_sched(cli_world *w, void *ctx, GError **error)
{
	struct sched_writer *sw = ctx;
	gboolean ok = sim_csv_close(sw->csv, error);
	g_free(sw);
	return ok;
}

static void
abort_sched(void *ctx)
{
	struct sched_writer *sw = ctx;
	sim_csv_abort(sw->csv);
	g_free(sw);
}

static void
sched_tx_free(gpointer p)
{
	struct sched_tx_ctx *c = p;
	g_free(c->host);
	g_free(c);
}

static gboolean
attach_schedule(cli_world *w, scn_group *o, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	char *p = g_build_filename(w->stage, "schedule.csv", NULL);
	struct sched_writer *sw = g_new0(struct sched_writer, 1);
	sw->from = scn_time(o, "schedule_from");
	sw->to = scn_time(o, "schedule_to");
	sw->csv = sim_csv_open(p, sched_columns, error);
	g_free(p);
	if (!sw->csv) {
		g_free(sw);
		return FALSE;
	}
	for (guint i = 0; i < wr->cpus->len; i++)
		sim_trace_subscribe(w->sim, cpu_runs_tracepoint(
						    g_ptr_array_index(wr->cpus, i)),
				    sched_cpu_record, sw);
	for (guint i = 0; i < wr->host_order->len; i++) {
		struct whost *h = g_ptr_array_index(wr->host_order, i);
		if (!h->nem)
			continue;
		char *n = g_strdup_printf("tx.%s.sends", h->name);
		sim_tracepoint *tp = sim_trace_find(w->sim, n);
		g_free(n);
		if (!tp)
			continue;
		struct sched_tx_ctx *c = g_new0(struct sched_tx_ctx, 1);
		c->sw = sw;
		c->host = g_strdup(h->name);
		sim_on_free(w->sim, sched_tx_free, c);
		sim_trace_subscribe(w->sim, tp, sched_tx_record, c);
	}
	cli_world_on_finish(w, finish_sched, abort_sched, sw);
	return TRUE;
}

gboolean
cli_attach_model_outputs(cli_world *w, GError **error)
{
	struct cli_wiring *wr = w->wiring;
	scn_group *o = scn_single(w->sc, "output");
	sim_time_t interval = scn_time(o, "interval");
	if (interval <= 0) {
		scn_set_error(error, o, "interval", "must be positive");
		return FALSE;
	}
	if (wr->sinks->len > 0) {
		char *p = g_build_filename(w->stage, "throughput.csv", NULL);
		sim_series *s = sim_series_new(w->sim, p, app_throughput_columns,
					       interval, app_throughput_rows,
					       wr->sinks, error);
		g_free(p);
		if (!s)
			return FALSE;
		cli_world_on_finish(w, finish_series, abort_series, s);
	}
	if (scn_bool(o, "cpu_series")) {
		for (guint i = 0; i < wr->cpus->len; i++) {
			cpu_t *cpu = g_ptr_array_index(wr->cpus, i);
			char *f = g_strdup_printf("cpu_%s.csv", cpu_name(cpu));
			char *p = g_build_filename(w->stage, f, NULL);
			sim_series *s = sim_series_new(
				w->sim, p, cpu_share_series_columns, interval,
				cpu_share_series_rows, cpu, error);
			g_free(p);
			g_free(f);
			if (!s)
				return FALSE;
			cli_world_on_finish(w, finish_series, abort_series, s);
		}
	}
	if (scn_has(o, "schedule_from") && !attach_schedule(w, o, error))
		return FALSE;
	if (!cli_attach_web_outputs(w, error))
		return FALSE;
	g_auto(GStrv) ts = scn_list(o, "timeseq");
	for (int i = 0; ts[i]; i++) {
		char *tpn = g_strdup_printf("tcp.%s.tseq", ts[i]);
		sim_tracepoint *tp = sim_trace_find(w->sim, tpn);
		g_free(tpn);
		if (!tp) {
			scn_set_error(error, o, "timeseq",
				      "connection %s has no sequence trace", ts[i]);
			return FALSE;
		}
		char *f = g_strdup_printf("timeseq_%s.csv", ts[i]);
		char *p = g_build_filename(w->stage, f, NULL);
		struct tseq_writer *tw = g_new0(struct tseq_writer, 1);
		tw->csv = sim_csv_open(p, tseq_columns, error);
		g_free(p);
		g_free(f);
		if (!tw->csv) {
			g_free(tw);
			return FALSE;
		}
		sim_trace_subscribe(w->sim, tp, tseq_record, tw);
		cli_world_on_finish(w, finish_tseq, abort_tseq, tw);
	}
	return TRUE;
}
