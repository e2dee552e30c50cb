/*
 * wire_var.h - the wiring's internals, shared by wire.c (one segment:
 * hubs, duplex links, hosts, connections, sources), wire_topo.c
 * (switches, WAN links, routers and the routes through them) and
 * wire_web.c (web servers and their clients).
 */
#pragma once

#include "cli.h"

#include "models/apps/apps.h"
#include "models/cpu_atropos/cpu_atropos.h"
#include "models/ethernet/eth.h"
#include "models/nemesis/nemesis.h"
#include "models/router/router.h"
#include "models/unix/unix.h"
#include "models/wan/wan.h"

struct wlink {
	scn_group *g;
	const char *name;
	gboolean is_hub;
	sim_rate_t rate;
	eth_hub *hub;
	eth_nic *duplex_end[2];
	guint nends;
	GArray *ports;     /* struct wport: who is on each hub port */
	guint no;          /* place in the scenario: subnet 10.<no>/16 */
	eth_switch *sw;    /* kind = switch */
	wan_link *wan;     /* kind = wan */
	guint nwan;        /* WAN ends attached so far */
	const char *wan_end[2]; /* who is on them */
};

struct wport {
	int port;
	scn_group *g;      /* the host's or source's group */
};

struct whost {
	scn_group *g;
	const char *name;
	const char *kind;
	struct wlink *link;
	eth_nic *nic;
	sim_netif *nif;
	uint8_t mac[6];
	uint32_t addr;
	cpu_t *cpu;
	nem_host *nem;
	unix_host *ux;
	router *rt;        /* kind = router */
	GArray *rifs;      /* struct rif: its interfaces (wire_topo.c) */
};

struct cli_wiring {
	GHashTable *links, *hosts; /* name -> struct wlink / whost */
	GPtrArray *host_order;     /* struct whost *, in scenario order */
	GPtrArray *cpus;           /* cpu_t * of Nemesis hosts */
	GPtrArray *sinks;          /* app_sink * */
	GHashTable *senders;       /* host name -> connections sent so far */
	guint next_index;
};


/* wire.c */
eth_nic *cli_wire_attach_nic(cli_world *w, struct wlink *l, const char *name,
			     guint ring, int64_t cable_mm, guint index,
			     uint8_t mac[6], GError **error, scn_group *g);

/* wire_topo.c */
/*
 * An application reading in Nemesis domain d (a bulk receiver, a web
 * server): its connections come through the flow manager (nem_accept),
 * and a read costs InetMod's call plus the copy out of the receive
 * buffer (the driver's memcpy, same CPU) per byte (wire.c).
 */
app_acceptor cli_nem_acceptor(nem_domain *d);
void cli_nem_read_costs(cpu_t *cpu, sim_time_t *per_read,
			sim_time_t *per_byte);

gboolean cli_topo_is_topo_link(scn_group *g);
gboolean cli_topo_build_link(cli_world *w, struct wlink *l, GError **error);
void cli_topo_attach_switch(cli_world *w, struct wlink *l, eth_nic *nic,
			    const char *name, int64_t cable_mm,
			    int64_t ps_per_m, sim_time_t phy);
sim_netif *cli_topo_wan_attach(cli_world *w, struct wlink *l,
			       const char *name, guint index, uint8_t mac[6]);
uint32_t cli_topo_addr(const struct wlink *l, guint index);
gboolean cli_topo_is_router(scn_group *g);
gboolean cli_topo_build_router(cli_world *w, struct whost *h, GError **error);
gboolean cli_topo_routes(cli_world *w, GError **error);
void cli_topo_register_stats(cli_world *w);
gboolean cli_topo_check(const scenario *sc, GError **error);
