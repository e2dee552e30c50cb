/*
 * lan.h - a fixture for the Ethernet tests: N stations and a passive sink
 * on one hub, each station with a raw-frame source addressed to the sink,
 * and a log of every successful transmission (who, when it ended).
 */
#pragma once

#include "eth.h"
#include "eth_var.h"

#define LAN_MAX 72

typedef struct lan_tx {
	int station;
	sim_time_t end;
} lan_tx;

typedef struct lan {
	sim_t *sim;
	eth_hub *hub;
	int n;
	eth_nic *nic[LAN_MAX];
	eth_source *src[LAN_MAX];
	eth_nic *sink;
	GArray *log;	     /* lan_tx, successful frames in order */
	uint64_t stop_after; /* sim_stop() after this many (0: never) */
} lan;

typedef struct lan_opts {
	uint64_t seed;
	int stations;
	uint32_t frame_bytes; /* with FCS */
	sim_rate_t rate;
	int64_t cable_mm;
	int64_t cable_mm_of[LAN_MAX]; /* station i's cable, if not 0 */
	gboolean sources;      /* attach saturating sources */
	const char *twin_name; /* if set, every station gets this name */
} lan_opts;

lan_opts lan_opts_default(void);
lan *lan_new(const lan_opts *o);
void lan_free(lan *l);
/* Wire time of one frame of `frame_bytes` (with FCS), preamble included. */
sim_time_t lan_wire(const lan *l, uint32_t frame_bytes);
