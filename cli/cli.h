/*
 * cli.h - the nemsim program: scenario schema, world building, commands.
 *
 * This folder is the only place where models are wired together: the
 * builders read the checked scenario and create links, hosts, domains,
 * connections and sources, connect them at their narrow interfaces (NIC,
 * CPU charge, trace points) and register their results.
 */
#pragma once

#include <stdio.h>

#include "sim/scenario.h"
#include "sim/sim.h"

/* Exit statuses of every command. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1, /* a run failed (I/O error, internal error) */
	CLI_EXIT_INPUT = 2,   /* bad scenario or command line; nothing written */
	CLI_EXIT_INTERRUPTED = 130,
};

extern const scn_schema cli_schema;

typedef struct cli_world {
	sim_t *sim;
	const scenario *sc;
	sim_time_t duration;
	GHashTable *objects;  /* "host.kay" -> model object (not owned) */
	GPtrArray *finishers; /* struct cli_finisher *, run at the end */
	const char *stage;    /* folder the outputs are written into */
	struct cli_wiring *wiring; /* the models built (wire.c) */
} cli_world;

/*
 * Something to do once the run ended, before the outputs are committed:
 * close a pcap, write a time series.  FALSE and error on I/O failure.
 */
typedef gboolean (*cli_finish_fn)(cli_world *w, void *ctx, GError **error);
typedef void (*cli_abort_fn)(void *ctx);
void cli_world_on_finish(cli_world *w, cli_finish_fn fn, cli_abort_fn abort_fn,
			 void *ctx);

/* ---- Web servers and their clients (wire_web.c) ---- */
extern const scn_param cli_server_params[], cli_clients_params[];
gboolean cli_check_web(const scenario *sc, GError **error);
/* What wire_web.c needs of a host wire.c built. */
struct cli_host_ref {
	const char *kind;         /* nemesis|unix|station */
	uint32_t addr;
	struct nem_host *nem;
	struct unix_host *ux;
	struct cpu *cpu;
};
gboolean cli_world_host(cli_world *w, const char *name,
			struct cli_host_ref *out);
gboolean cli_build_web(cli_world *w, GError **error);
gboolean cli_attach_web_outputs(cli_world *w, GError **error);

/* Build every object the scenario describes (wire.c). */
gboolean cli_build_world(cli_world *w, GError **error);
void cli_wiring_free(cli_world *w);
/*
 * Build the world of a loaded scenario and free it again, without
 * running: refuses what only the models can (run.c; check and sweep use
 * it to refuse a scenario before anything is written).  sw: a sweep
 * whose result columns must exist (may be NULL).
 */
gboolean cli_check_build(const scenario *sc, const scn_sweep *sw,
			 GError **error);
/*
 * What limited each connection: connections.NAME.limited_by,
 * .limited_reason and .account.* in summary.json (explain.c).
 */
void cli_explain_register(cli_world *w);
/* servers.NAME.account.* of web sites on Nemesis hosts (explain.c). */
void cli_explain_register_sites(cli_world *w);
/* One line per connection: its throughput and verdict (after a run). */
void cli_explain_print(cli_world *w, FILE *f);
/* Model outputs: time series, traces (wire.c). */
gboolean cli_attach_model_outputs(cli_world *w, GError **error);
/* Attach the outputs the scenario's [output] asks for. */
gboolean cli_attach_outputs(cli_world *w, GError **error);

/* Commands; each returns an exit status. */
int cli_cmd_run(int argc, char **argv);
int cli_cmd_sweep(int argc, char **argv);
int cli_cmd_merge(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_tcptest(int argc, char **argv);

/* Provenance and the output folder's rules (provenance.c). */
const char *cli_build_id(void);   /* SHA-256 of this executable */
char *cli_exe_path(void);
/*
 * Does DIR hold a finished run of the resolved scenario whose SHA-256 is
 * scenario_sha, made by this build?  If not, *why says why (g_free it).
 */
gboolean cli_run_matches(const char *dir, const char *scenario_sha,
			 char **why);
char *cli_stage_dir(const char *out);        /* DIR/.partial-HOST-PID */
void cli_clean_stale_stages(const char *out); /* of dead processes */
/* Move stage's files into out, replacing the previous run's files. */
gboolean cli_commit_outputs(const char *stage, const char *out,
			    GError **error);
void cli_remove_tree(const char *dir);
/* --set values are UTF-8 (printed error and FALSE if not). */
gboolean cli_overrides_valid(const char *cmd, gchar **sets);

/* Read a number from a summary.json that nemsim wrote. */
gboolean cli_summary_lookup(const char *json, const char *path, char **value);

/* out/NAME for scenarios/NAME.ini: where results go without --out. */
char *cli_default_out_dir(const char *scenario_path);

/* tools/NAME.py of the repository this program was built in (main.c). */
char *cli_find_tool(const char *name);

/* Print "nemsim: message" to stderr. */
void cli_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
