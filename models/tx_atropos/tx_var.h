/*
 * tx_var.h - internals of the transmit scheduler and the TX thread.
 */
#pragma once

#include "tx_atropos.h"

#include "sim/trace.h"

struct tx_channel {
	atropos_client ac; /* d, r, queue membership (atropos_core) */
	tx_sched *ts;
	char *name;
	sim_pkt *head, *tail; /* FIFO through pkt->next */
	guint queued;
	guint slots_used;  /* in the client's FIFO to the driver */
	guint outstanding; /* slots taken by the driver, not yet returned */
	guint returned;	   /* slots on the return FIFO, not yet reclaimed */
	gboolean idle;
	void (*space_fn)(void *ctx);
	void *space_ctx;
	void (*return_fn)(void *ctx);
	void *return_ctx;
	tx_channel_stats st;
};

struct tx_sched {
	sim_t *sim;
	char *name;
	tx_sched_params p;
	atropos_sched as;
	GPtrArray *channels;
	tx_channel *slack_holder; /* holds the slack turn */
	sim_time_t slack_left;    /* of the holder's quantum */
	gboolean paused;          /* after a slack turn with no one else */
	sim_time_t pause_until;   /* the earliest deadline (or 20 s) */
	uint64_t pauses;
	tx_driver *drv;
	sim_tracepoint sends;
};

/* A packet arrived somewhere: wake the TX thread if it sleeps. */
void tx_driver_kick(tx_driver *drv);
