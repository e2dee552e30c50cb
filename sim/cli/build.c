/*
 * build.c - building the world from a checked scenario.
 *
 * Builders run in dependency order: links, hosts (with their NICs, CPUs
 * and driver domains), domains, connections, sources.  Each model's
 * wiring lives in its own wire_*.c file of this folder; a kind whose model
 * is not built yet is refused with a clear message rather than ignored.
 */
#include "cli.h"

#include "sim/pcap.h"
#include "sim/trace.h"

#include <string.h>

typedef gboolean (*build_fn)(cli_world *w, scn_group *g, GError **error);

struct builder {
	const char *kind;
	build_fn fn;           /* NULL: not available in this version */
	const char *missing;   /* why not, for the message */
};

static const struct builder builders[] = {
	{ "link", NULL, "the Ethernet model (models/ethernet, issue 3)" },
	{ "host", NULL, "the host models (issues 3-6)" },
	{ "domain", NULL, "the CPU model (models/cpu_atropos, issue 4)" },
	{ "connection", NULL, "the TCP model and the Nemesis host (issues 5, 6)" },
	{ "source", NULL, "the Ethernet model (models/ethernet, issue 3)" },
	{ NULL }
};

gboolean
cli_build_world(cli_world *w, GError **error)
{
	for (const struct builder *b = builders; b->kind; b++) {
		g_autoptr(GPtrArray) gs = scn_instances(w->sc, b->kind);
		for (guint i = 0; i < gs->len; i++) {
			scn_group *g = g_ptr_array_index(gs, i);
			if (!b->fn) {
				scn_set_error(error, g, NULL,
					      "this version of nemsim cannot "
					      "build a %s yet: it needs %s",
					      b->kind, b->missing);
				return FALSE;
			}
			if (!b->fn(w, g, error))
				return FALSE;
		}
	}
	return TRUE;
}

/* ---- Outputs ------------------------------------------------------------ */

static gboolean
finish_pcap(cli_world *w, void *ctx, GError **error)
{
	return sim_pcap_close(ctx, error);
}

static void
abort_pcap(void *ctx)
{
	sim_pcap_abort(ctx);
}

/*
 * Capture points: a host name captures at its NIC (trace point
 * "nic.HOST.frames"), a link name at the hub ("hub.LINK.frames").
 */
static gboolean
attach_pcap(cli_world *w, const char *point, GError **error)
{
	gboolean is_host = scn_find(w->sc, "host", point) != NULL;
	char *name = g_strdup_printf(is_host ? "nic.%s.frames" : "hub.%s.frames",
				     point);
	sim_tracepoint *tp = sim_trace_find(w->sim, name);
	if (!tp || tp->kind != SIM_TRACE_FRAME) {
		scn_group *o = scn_single(w->sc, "output");
		scn_set_error(error, o, "pcap",
			      "cannot capture at \"%s\": its model has no "
			      "frame trace point %s", point, name);
		g_free(name);
		return FALSE;
	}
	g_free(name);
	char *file = g_strdup_printf("%s/%s.pcap", w->stage, point);
	sim_pcap *pc = sim_pcap_open(file, 0, error);
	g_free(file);
	if (!pc)
		return FALSE;
	sim_trace_subscribe(w->sim, tp, sim_pcap_trace_fn, pc);
	cli_world_on_finish(w, finish_pcap, abort_pcap, pc);
	return TRUE;
}

gboolean
cli_attach_outputs(cli_world *w, GError **error)
{
	scn_group *o = scn_single(w->sc, "output");
	g_auto(GStrv) points = scn_list(o, "pcap");
	for (int i = 0; points[i]; i++)
		if (!attach_pcap(w, points[i], error))
			return FALSE;
	return TRUE;
}
