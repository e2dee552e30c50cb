/*
 * trace.h - trace points that models expose and writers subscribe to.
 *
 * A model embeds a sim_tracepoint per kind of thing it can report (a frame
 * leaving a NIC, a segment sent by TCP) and calls sim_trace_emit() at that
 * place.  With no subscriber the cost is one load and a predictable branch,
 * so hot paths may trace unconditionally.  Points are registered by name
 * ("nic.nemesis.frames") so the scenario's [output] section can attach
 * writers (pcap, CSV) to them without knowing the model.
 */
#pragma once

#include "sim.h"

typedef void (*sim_trace_fn)(void *ctx, sim_time_t t, const void *rec);

typedef struct sim_trace_sub {
	sim_trace_fn fn;
	void *ctx;
	struct sim_trace_sub *next;
} sim_trace_sub;

/* What a trace point's records are, so a writer can check it fits. */
typedef enum {
	SIM_TRACE_FRAME,   /* rec is a const sim_pkt * holding a whole frame */
	SIM_TRACE_RECORD,  /* rec is a model-specific struct */
} sim_trace_kind;

typedef struct sim_tracepoint {
	sim_trace_sub *subs;
	sim_trace_kind kind;
} sim_tracepoint;

static inline gboolean
sim_trace_is_on(const sim_tracepoint *tp)
{
	return tp->subs != NULL;
}

static inline void
sim_trace_emit(const sim_tracepoint *tp, sim_time_t t, const void *rec)
{
	for (const sim_trace_sub *s = tp->subs; s; s = s->next)
		s->fn(s->ctx, t, rec);
}

/* Subscribe; the subscription lives until sim_free(). */
void sim_trace_subscribe(sim_t *sim, sim_tracepoint *tp, sim_trace_fn fn,
			 void *ctx);

/* Name a trace point so that writers can find it. */
void sim_trace_register(sim_t *sim, const char *name, sim_tracepoint *tp,
			sim_trace_kind kind);
sim_tracepoint *sim_trace_find(sim_t *sim, const char *name);
/* Registered names, sorted (for error messages); free with g_strfreev. */
gchar **sim_trace_names(sim_t *sim);
