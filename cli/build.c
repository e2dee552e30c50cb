/*
 * build.c - the outputs a scenario asks for.
 *
 * The models are built in wire.c; this file attaches the generic
 * outputs (pcap captures) and then the models' own (time series, traces).
 */
#include "cli.h"

#include "sim/pcap.h"
#include "sim/trace.h"

#include <string.h>

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
	return cli_attach_model_outputs(w, error);
}
