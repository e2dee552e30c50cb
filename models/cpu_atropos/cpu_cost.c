/*
 * cpu_cost.c - the built-in cost tables and the per-CPU copy of one.
 *
 * pentium200: the 200 MHz Pentium hosts of the paper (section 5).  Values
 * marked "to be calibrated in issue 7" are placeholders: they give the
 * mechanism something plausible to charge until the calibration issue
 * fits them to Figure 7's slope and the two maxima of the perf scenarios
 * (TARGETS.md, calibration rule) and records the fit here.
 *
 * ideal: every operation costs nothing; for tests and for fakes of a CPU
 * ("a CPU that costs nothing", ARCHITECTURE.md).
 */
#include "cpu_cost.h"

static const cpu_cost_entry pentium200_entries[] = {
    /* Saving one domain's context and activating another: kernel entry,
     * scheduler pass, page-table protection switch, activation upcall.
     * Placeholder of the order of a few microseconds on a P200; to be
     * calibrated in issue 7. */
    {"domain_switch", 5 * SIM_US, "placeholder, to be calibrated in issue 7"},
    {NULL, 0, NULL},
};

static const cpu_cost_entry ideal_entries[] = {
    {"domain_switch", 0, "ideal CPU"},
    {NULL, 0, NULL},
};

static const cpu_cost_model models[] = {
    {"pentium200", "200 MHz Pentium (the paper's hosts)", pentium200_entries},
    {"ideal", "every operation costs 0 ns (tests, fakes)", ideal_entries},
};

static const char *const model_names[] = {"pentium200", "ideal", NULL};

const cpu_cost_model *
cpu_cost_model_find(const char *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(models); i++)
		if (g_strcmp0(models[i].name, name) == 0)
			return &models[i];
	return NULL;
}

const char *const *
cpu_cost_model_names(void)
{
	return model_names;
}

struct cpu_costs {
	const cpu_cost_model *model;
	GHashTable *ns; /* op -> sim_time_t* */
};

cpu_costs *
cpu_costs_new(const cpu_cost_model *m)
{
	cpu_costs *c = g_new0(cpu_costs, 1);

	c->model = m;
	c->ns = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	for (const cpu_cost_entry *e = m->entries; e->op; e++) {
		sim_time_t *v = g_new(sim_time_t, 1);

		*v = e->ns;
		g_hash_table_insert(c->ns, (gpointer)e->op, v);
	}
	return c;
}

void
cpu_costs_free(cpu_costs *c)
{
	if (!c)
		return;
	g_hash_table_destroy(c->ns);
	g_free(c);
}

const char *
cpu_costs_model_name(const cpu_costs *c)
{
	return c->model->name;
}

gboolean
cpu_costs_lookup(const cpu_costs *c, const char *op, sim_time_t *out,
		 GError **error)
{
	const sim_time_t *v = g_hash_table_lookup(c->ns, op);

	if (!v) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cost model %s has no operation '%s'",
			    c->model->name, op);
		return FALSE;
	}
	*out = *v;
	return TRUE;
}

sim_time_t
cpu_costs_get(const cpu_costs *c, const char *op)
{
	const sim_time_t *v = g_hash_table_lookup(c->ns, op);

	g_assert(v != NULL);
	return *v;
}

gboolean
cpu_costs_set(cpu_costs *c, const char *op, sim_time_t ns, GError **error)
{
	sim_time_t *v = g_hash_table_lookup(c->ns, op);

	if (!v) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cost model %s has no operation '%s'",
			    c->model->name, op);
		return FALSE;
	}
	if (ns < 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "cost of '%s' must not be negative", op);
		return FALSE;
	}
	*v = ns;
	return TRUE;
}
