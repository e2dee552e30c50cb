/*
 * wire_topo_schema.h - the scenario keys of switches, WAN links and
 * routers (issue 15), spliced into schema.c's tables, and the checks of
 * what they may be combined with (wire_topo.c).
 */
#pragma once

#include "cli.h"

#define CLI_TOPO_LINK_PARAMS                                                   \
	{ "switch_latency", SCN_TIME, "10us", 0, NULL, 0, 0,                   \
	  "switch: time from the whole frame received to its output queue "   \
	  "(default: the order of late-1990s store-and-forward switches, "   \
	  "see docs/models.md)" },                                            \
	{ "port_queue", SCN_INT, "128", 0, NULL, 1, 100000,                    \
	  "switch: frames an output port holds, the one being sent "         \
	  "included; more are dropped (links.<l>.ports.<host>.drops)" },      \
	{ "delay", SCN_TIME, "0s", 0, NULL, 0, 0,                             \
	  "wan: one-way propagation delay (at most 10s)" },                   \
	{ "queue", SCN_INT, "50", 0, NULL, 1, 100000,                          \
	  "wan: packets each direction's output queue holds, the one on the " \
	  "line included; more are dropped (drop-tail; 50: 4.4BSD IFQ_MAXLEN)" },\
	{ "framing", SCN_INT, "8", 0, NULL, 0, 64,                             \
	  "wan: bytes of framing a packet on the line (8: PPP in HDLC-like "   \
	  "framing, RFC 1662: flag, address, control, protocol 2, FCS 2, "    \
	  "flag)" },

#define CLI_TOPO_HOST_PARAMS                                                   \
	{ "links", SCN_REF_LIST, NULL, 0, "link", 0, 0,                        \
	  "router: the links it has an interface on (two or more)" },         \
	{ "gateway", SCN_REF, NULL, 0, "host", 0, 0,                           \
	  "the router on this host's link that its traffic to other links "  \
	  "goes through (default: the only router on the link)" },

/* Refuse what switches, WAN links and routers cannot be combined with. */
gboolean cli_topo_check(const scenario *sc, GError **error);
