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
 * "nic.HOST.frames"), a link name at the hub ("hub.LINK.frames"), at the
 * switch, every frame as it enters ("switch.LINK.frames"), or on a WAN
 * line ("wan.LINK.frames", raw IP: LINKTYPE_RAW without the Ethernet
 * header the hosts' IP puts on).
 */
static gboolean
attach_pcap(cli_world *w, const char *point, GError **error)
{
	gboolean is_host = scn_find(w->sc, "host", point) != NULL;
	static const char *const link_fmts[] = { "hub.%s.frames",
						 "switch.%s.frames",
						 "wan.%s.frames" };
	char *name = NULL;
	sim_tracepoint *tp = NULL;
	guint k = 0;
	if (is_host) {
		name = g_strdup_printf("nic.%s.frames", point);
		tp = sim_trace_find(w->sim, name);
	} else {
		for (k = 0; k < G_N_ELEMENTS(link_fmts) && !tp; k++) {
			g_free(name);
			name = g_strdup_printf(link_fmts[k], point);
			tp = sim_trace_find(w->sim, name);
		}
	}
	if (!tp || tp->kind != SIM_TRACE_FRAME) {
		scn_group *o = scn_single(w->sc, "output");
		scn_set_error(error, o, "pcap",
			      "cannot capture at \"%s\": its model has no "
			      "frame trace point %s", point, name);
		g_free(name);
		return FALSE;
	}
	gboolean raw = g_str_has_prefix(name, "wan.");
	g_free(name);
	char *file = g_strdup_printf("%s/%s.pcap", w->stage, point);
	sim_pcap *pc = raw ? sim_pcap_open_linktype(file, 0,
						    SIM_PCAP_LINKTYPE_RAW, 14,
						    error)
			   : sim_pcap_open(file, 0, error);
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
