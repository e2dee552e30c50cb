/*
 * trace.c - subscriptions and the name registry of trace points.
 */
#include "trace.h"

#include <string.h>

static GHashTable *
registry(sim_t *sim)
{
	if (!sim->traces) {
		sim->traces = g_hash_table_new_full(g_str_hash, g_str_equal,
						    g_free, NULL);
		sim_on_free(sim, (GDestroyNotify)g_hash_table_destroy,
			    sim->traces);
	}
	return sim->traces;
}

void
sim_trace_subscribe(sim_t *sim, sim_tracepoint *tp, sim_trace_fn fn, void *ctx)
{
	sim_trace_sub *s = g_new0(sim_trace_sub, 1);
	s->fn = fn;
	s->ctx = ctx;
	/* Append, so subscribers run in the order they subscribed. */
	sim_trace_sub **pp = &tp->subs;
	while (*pp)
		pp = &(*pp)->next;
	*pp = s;
	sim_on_free(sim, g_free, s);
}

void
sim_trace_register(sim_t *sim, const char *name, sim_tracepoint *tp,
		   sim_trace_kind kind)
{
	tp->kind = kind;
	g_hash_table_replace(registry(sim), g_strdup(name), tp);
}

sim_tracepoint *
sim_trace_find(sim_t *sim, const char *name)
{
	return g_hash_table_lookup(registry(sim), name);
}

gchar **
sim_trace_names(sim_t *sim)
{
	GList *keys = g_list_sort(g_hash_table_get_keys(registry(sim)),
				  (GCompareFunc)strcmp);
	GPtrArray *a = g_ptr_array_new();
	for (GList *l = keys; l; l = l->next)
		g_ptr_array_add(a, g_strdup(l->data));
	g_ptr_array_add(a, NULL);
	g_list_free(keys);
	return (gchar **)g_ptr_array_free(a, FALSE);
}
