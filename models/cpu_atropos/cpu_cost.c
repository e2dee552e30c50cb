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
     * Placeholder of the order of a few microseconds on a P200. */
    {"domain_switch", 5 * SIM_US, "placeholder, to be calibrated in issue 7"},

    /* ---- Nemesis driver domain ----
     * Receive interrupt, descriptor handling and the packet filter's
     * demultiplexing for one frame; then the copy into the posted receive
     * buffer at about 100 MB/s (a P200's memcpy of uncached data). */
    {"drv_rx_intr", 15 * SIM_US, "estimate, to be calibrated in issue 7"},
    {"drv_rx_copy_byte", 10, "100 MB/s copy; estimate"},
    /* Transmit-complete interrupt: reclaim one descriptor. */
    {"drv_tx_done", 5 * SIM_US, "estimate, to be calibrated in issue 7"},
    /* One TX thread iteration: transmit scheduler pass, dequeue the
     * iorec, set up the descriptor. */
    {"drv_tx_frame", 20 * SIM_US, "estimate, to be calibrated in issue 7"},
    /* Flow manager: allocate a port and install a packet filter. */
    {"flowman_install", 100 * SIM_US, "estimate (once per connection)"},

    /* ---- InetMod (in the application's domain) ----
     * Figure 7's slope says tcp_send needs about 10% of the CPU for
     * 10 Mb/s, i.e. about 117 us per 1460-byte segment for the
     * application's write, tcp_output/ip_output with the checksum, and
     * half an ACK's tcp_input: the split below starts from that. */
    {"inet_tcp_output", 70 * SIM_US,
     "estimate from Figure 7's slope; to be fitted in issue 7"},
    {"inet_tcp_input", 40 * SIM_US,
     "estimate from Figure 7's slope; to be fitted in issue 7"},
    {"inet_rx_post", 5 * SIM_US, "estimate: post one receive buffer"},
    {"inet_timer_tick", 5 * SIM_US, "estimate: one TCP tick, few conns"},
    {"app_write", 15 * SIM_US,
     "tcp_send: get a payload buffer, call send; estimate"},

    /* ---- A Unix kernel (Linux 2.x, SunOS, NetBSD) on the same CPU ----
     * Receive interrupt with ip_input and tcp_input for one frame, plus
     * the copy into kernel buffers; one segment through tcp_output,
     * ip_output and the driver; the read system call and its copy out. */
    {"unix_rx_frame", 30 * SIM_US, "estimate, to be calibrated in issue 7"},
    {"unix_copy_byte", 10, "100 MB/s copy; estimate"},
    {"unix_tx_segment", 50 * SIM_US, "estimate, to be calibrated in issue 7"},
    {"unix_tx_done", 5 * SIM_US, "estimate"},
    {"unix_timer_tick", 2 * SIM_US, "estimate"},
    {"app_read", 10 * SIM_US, "sink: one read system call; estimate"},
    {NULL, 0, NULL},
};

static const cpu_cost_entry ideal_entries[] = {
    {"domain_switch", 0, "ideal CPU"},
    {"drv_rx_intr", 0, "ideal CPU"},
    {"drv_rx_copy_byte", 0, "ideal CPU"},
    {"drv_tx_done", 0, "ideal CPU"},
    {"drv_tx_frame", 0, "ideal CPU"},
    {"flowman_install", 0, "ideal CPU"},
    {"inet_tcp_output", 0, "ideal CPU"},
    {"inet_tcp_input", 0, "ideal CPU"},
    {"inet_rx_post", 0, "ideal CPU"},
    {"inet_timer_tick", 0, "ideal CPU"},
    {"app_write", 0, "ideal CPU"},
    {"unix_rx_frame", 0, "ideal CPU"},
    {"unix_copy_byte", 0, "ideal CPU"},
    {"unix_tx_segment", 0, "ideal CPU"},
    {"unix_tx_done", 0, "ideal CPU"},
    {"unix_timer_tick", 0, "ideal CPU"},
    {"app_read", 0, "ideal CPU"},
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
