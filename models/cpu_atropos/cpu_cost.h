/*
 * cpu_cost.h - per-CPU cost models: named tables of per-operation CPU
 * costs in nanoseconds.
 *
 * Every piece of work that a model charges to a domain takes its cost
 * from the cost table of the CPU it runs on, never from a constant in the
 * model ("CPU charging", ARCHITECTURE.md).  A table is chosen by name
 * (cpu.cost_model = pentium200) and copied into each CPU, so a scenario
 * can override single entries (cpu_cost_set) without touching the table.
 * Later issues add entries (tcp_output, ip_output, packet filter, copies)
 * and calibrate them under the calibration rule of TARGETS.md; the table
 * lives in cpu_cost.c with a note of what each value was fitted to.
 */
#pragma once

#include <glib.h>

#include "sim/simtime.h"

typedef struct cpu_cost_entry {
	const char *op;	  /* "domain_switch" */
	sim_time_t ns;	  /* CPU time per operation */
	const char *note; /* where the value comes from */
} cpu_cost_entry;

typedef struct cpu_cost_model {
	const char *name; /* "pentium200" */
	const char *note;
	const cpu_cost_entry *entries; /* terminated by op == NULL */
} cpu_cost_model;

/* The built-in tables, by name; NULL if unknown. */
const cpu_cost_model *cpu_cost_model_find(const char *name);
/* Names of the built-in tables, NULL-terminated (for error messages). */
const char *const *cpu_cost_model_names(void);

/* A CPU's own mutable copy of a table. */
typedef struct cpu_costs cpu_costs;

cpu_costs *cpu_costs_new(const cpu_cost_model *m);
void cpu_costs_free(cpu_costs *c);
const char *cpu_costs_model_name(const cpu_costs *c);
/* Look up an operation; FALSE with a GError naming it if unknown. */
gboolean cpu_costs_lookup(const cpu_costs *c, const char *op, sim_time_t *out,
			  GError **error);
/* The cost of an operation that must exist (programmer error if not). */
sim_time_t cpu_costs_get(const cpu_costs *c, const char *op);
/* Where op's cost lives (op must exist): stable for the table's life and
 * follows cpu_costs_set, for a hot path that should not hash the name. */
const sim_time_t *cpu_costs_ref(const cpu_costs *c, const char *op);
/* Override an entry; unknown operations are refused (typos fail loudly). */
gboolean cpu_costs_set(cpu_costs *c, const char *op, sim_time_t ns,
		       GError **error);
