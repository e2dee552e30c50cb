/*
 * run.c - `nemsim run`: one scenario, one seed, one output folder.
 *
 * Order: load and check the scenario (any error: exit 2, nothing
 * written); build the world; attach outputs; run to the scenario's
 * duration; finish the outputs; write summary.json and perf.json.  All
 * files are written into DIR/.partial-PID and moved into DIR only when
 * the run is complete, summary.json last, so a summary.json in DIR always
 * belongs to a finished run (provenance.c: what a run records about what
 * made it, and how it replaces the previous run in DIR).  SIGINT or
 * SIGTERM stops the run, removes the staging folder and exits 130.
 */
#include "cli.h"

#include "sim/outfile.h"
#include "sim/stats.h"
#include "nemsim_config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct finisher {
	cli_finish_fn fn;
	cli_abort_fn abort_fn;
	void *ctx;
};

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "nemsim: %s\n", msg);
	g_free(msg);
}

void
cli_world_on_finish(cli_world *w, cli_finish_fn fn, cli_abort_fn abort_fn,
		    void *ctx)
{
	struct finisher *f = g_new(struct finisher, 1);
	f->fn = fn;
	f->abort_fn = abort_fn;
	f->ctx = ctx;
	g_ptr_array_add(w->finishers, f);
}

static volatile sig_atomic_t interrupted;
static sim_t *running_sim;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (running_sim)
		running_sim->stopping = TRUE;
}

static double
wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

char *
cli_default_out_dir(const char *scenario_path)
{
	char *base = g_path_get_basename(scenario_path);
	char *dot = strrchr(base, '.');
	if (dot)
		*dot = '\0';
	char *dir = g_build_filename("out", base, NULL);
	g_free(base);
	return dir;
}

static char *
perf_json(double wall, const sim_t *sim)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double sim_s = sim_time_to_s(sim->now);
	return g_strdup_printf(
		"{\n"
		"  \"wall_s\": %.6f,\n"
		"  \"events\": %" G_GUINT64_FORMAT ",\n"
		"  \"events_in_place\": %" G_GUINT64_FORMAT ",\n"
		"  \"events_per_s\": %.0f,\n"
		"  \"simulated_s\": %.9g,\n"
		"  \"simulated_s_per_wall_s\": %.6g,\n"
		"  \"peak_rss_kib\": %ld,\n"
		"  \"build_sha256\": \"%s\"\n"
		"}\n",
		wall, sim->events, sim->events_in_place,
		wall > 0 ? sim->events / wall : 0.0, sim_s,
		wall > 0 ? sim_s / wall : 0.0, ru.ru_maxrss, cli_build_id());
}

/* A world for a loaded scenario, not yet built. */
static void
world_init(cli_world *w, const scenario *sc)
{
	scn_group *simg = scn_single(sc, "simulation");
	memset(w, 0, sizeof *w);
	w->sc = sc;
	w->sim = sim_new((uint64_t)scn_int(simg, "seed"));
	w->duration = scn_time(simg, "duration");
	w->sim->measure_from = scn_time(simg, "warmup");
	w->sim->measure_to = scn_has(simg, "measure_until")
				     ? scn_time(simg, "measure_until")
				     : w->duration;
	w->objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   NULL);
	w->finishers = g_ptr_array_new_with_free_func(g_free);
}

static void
world_free(cli_world *w)
{
	for (guint i = 0; i < w->finishers->len; i++) {
		struct finisher *f = g_ptr_array_index(w->finishers, i);
		if (f->abort_fn)
			f->abort_fn(f->ctx);
	}
	g_ptr_array_free(w->finishers, TRUE);
	sim_free(w->sim);
	cli_wiring_free(w);
	g_hash_table_destroy(w->objects);
}

/*
 * What only the models can refuse (a Nemesis receiver, three hosts on a
 * duplex link, a rate Ethernet does not have) is found by building the
 * world; `check` builds it, without running, so that it refuses what
 * `run` would.
 */
/*
 * The run's own results (sim.*): registered with the models' at build
 * time, so that check sees every path summary.json will have.
 */
static void
register_run_stats(cli_world *w, const char *path, gchar **overrides)
{
	sim_stats *st = w->sim->stats;
	scn_group *simg = scn_single(w->sc, "simulation");
	sim_stats_add_u64(st, "sim.events", &w->sim->events);
	sim_stats_set_int(st, "sim.seed", scn_int(simg, "seed"));
	sim_stats_set_double(st, "sim.simulated_s", sim_time_to_s(w->duration));
	sim_stats_set_double(st, "sim.measure_from_s",
			     sim_time_to_s(w->sim->measure_from));
	sim_stats_set_double(st, "sim.measure_to_s",
			     sim_time_to_s(w->sim->measure_to));
	char *base = g_path_get_basename(path);
	sim_stats_set_string(st, "sim.scenario", base);
	g_free(base);
	char *ov = overrides ? g_strjoinv(" ", overrides) : g_strdup("");
	sim_stats_set_string(st, "sim.overrides", ov);
	g_free(ov);
	sim_stats_set_string(st, "sim.version", NEMSIM_VERSION);
	char *sha = scn_resolved_sha256(w->sc);
	sim_stats_set_string(st, "sim.scenario_sha256", sha);
	g_free(sha);
}

/*
 * What only the models can refuse (a Nemesis receiver, three hosts on a
 * duplex link, a rate Ethernet does not have) is found by building the
 * world; `check` builds it, without running, so that it refuses what
 * `run` would.  With a sweep, its result columns must name results the
 * built world has (else they would fail only after every point ran).
 */
gboolean
cli_check_build(const scenario *sc, const scn_sweep *sw, GError **error)
{
	cli_world w;
	world_init(&w, sc);
	gboolean ok = cli_build_world(&w, error);
	if (ok)
		register_run_stats(&w, scn_path(sc), NULL);
	for (guint c = 0; ok && sw && c < sw->ncolumns; c++) {
		if (sim_stats_has(w.sim->stats, sw->col_paths[c]))
			continue;
		scn_set_error(error, scn_find(sc, "sweep", NULL), "columns",
			      "%s=%s: summary.json has no result %s (results "
			      "are written as family.name.result, e.g. "
			      "connections.NAME.throughput_mbps; see the "
			      "summary.json of a run)", sw->col_names[c],
			      sw->col_paths[c], sw->col_paths[c]);
		ok = FALSE;
	}
	world_free(&w);
	return ok;
}

/*
 * Run to the end, showing progress on a terminal once the run has taken
 * more than a second (with NEMSIM_PROGRESS=1: from the start): simulated
 * time, events per second, the estimated wall time left.  The run goes
 * in slices of 1% of the duration; events keep their order across
 * slices (each slice pops what is due up to its end), so the results are
 * the same bytes as in one go.
 */
static void
run_with_progress(cli_world *w, gboolean quiet, double t0)
{
	const char *env = g_getenv("NEMSIM_PROGRESS");
	gboolean forced = env && strcmp(env, "1") == 0;
	gboolean show = !quiet && (isatty(2) || forced);
	if (!show) {
		sim_run_until(w->sim, w->duration);
		return;
	}
	sim_time_t step = MAX(w->duration / 100, 1);
	double last = t0;
	gboolean shown = FALSE;
	for (sim_time_t t = step;; t += step) {
		sim_time_t until = MIN(t, w->duration);
		sim_run_until(w->sim, until);
		if (w->sim->stopping || interrupted || until == w->duration)
			break;
		/* On a terminal after a second, then every half second;
		 * forced, from the first slice on (so a test sees it). */
		double now = wall_now();
		if ((!forced && now - t0 < 1.0) || (shown && now - last < 0.5))
			continue;
		last = now;
		double frac = (double)until / (double)w->duration;
		fprintf(stderr,
			"\rnemsim: %.1f of %.1f s simulated (%3.0f%%), %.2f M "
			"events/s, about %.0f s left   ",
			sim_time_to_s(until), sim_time_to_s(w->duration),
			frac * 100, w->sim->events / (now - t0) / 1e6,
			(now - t0) * (1 - frac) / frac);
		fflush(stderr);
		shown = TRUE;
	}
	if (shown)
		fputc('\n', stderr);
}

/*
 * tools/NAME.py of the repository this program was built in, found above
 * it (build/nemsim -> tools/NAME.py); NULL if there is none.
 */
char *
cli_find_tool(const char *name)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *dir = g_path_get_dirname(exe ? exe : "nemsim");
	char *file = g_strconcat(name, ".py", NULL);
	char *script = NULL;
	for (int up = 0; up < 4 && !script; up++) {
		char *s = g_build_filename(dir, "tools", file, NULL);
		char *parent = g_path_get_dirname(dir);
		if (g_file_test(s, G_FILE_TEST_IS_REGULAR))
			script = s;
		else
			g_free(s);
		g_free(dir);
		dir = parent;
	}
	g_free(dir);
	g_free(file);
	g_free(exe);
	return script;
}

/*
 * What limited each connection, one line each (explain.c; the same
 * verdicts summary.json holds), after an interactive run: on a terminal,
 * or with NEMSIM_EXPLAIN=1.
 */
static void
print_verdicts(cli_world *w)
{
	const char *env = g_getenv("NEMSIM_EXPLAIN");
	if (isatty(2) || (env && strcmp(env, "1") == 0))
		cli_explain_print(w, stderr);
}

/*
 * Run a loaded scenario into out_dir.  Returns an exit status; error
 * messages are printed here.
 */
static int
run_scenario(const char *path, scenario *sc, gchar **overrides,
	     const char *out_dir, gboolean quiet)
{
	GError *err = NULL;
	cli_world w;
	world_init(&w, sc);
	/*
	 * The handlers stay in place until the staging folder is gone: a
	 * sweep passes its SIGTERM on after the terminal's SIGINT reached
	 * us, and a second signal must not kill us half-way through the
	 * cleanup, leaving a staging folder behind.
	 */
	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	int status = CLI_EXIT_OK;
	char *stage = NULL;
	if (!cli_build_world(&w, &err)) {
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (!sim_mkdir_p(out_dir, &err)) {
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	cli_clean_stale_stages(out_dir);
	stage = cli_stage_dir(out_dir);
	if (!sim_mkdir_p(stage, &err)) {
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	w.stage = stage;
	if (!cli_attach_outputs(&w, &err)) {
		status = CLI_EXIT_FAILURE;
		goto out;
	}

	sim_stats *st = w.sim->stats;
	register_run_stats(&w, path, overrides);

	running_sim = w.sim;
	double t0 = wall_now();
	if (!interrupted) /* a signal while building: do not start */
		run_with_progress(&w, quiet, t0);
	double wall = wall_now() - t0;
	running_sim = NULL;
	if (interrupted) {
		cli_error("interrupted at %.3f s of simulated time; nothing "
			  "written", sim_time_to_s(w.sim->now));
		status = CLI_EXIT_INTERRUPTED;
		goto out;
	}
	if (w.sim->failure) {
		cli_error("%s: the run failed at %.6f s of simulated time: %s; "
			  "nothing written", path, sim_time_to_s(w.sim->now),
			  w.sim->failure);
		status = CLI_EXIT_FAILURE;
		goto out;
	}

	for (guint i = 0; i < w.finishers->len; i++) {
		struct finisher *f = g_ptr_array_index(w.finishers, i);
		f->abort_fn = NULL; /* finished or failed: it cleans up itself */
		if (!f->fn(&w, f->ctx, &err)) {
			status = CLI_EXIT_FAILURE;
			/* Abort the remaining ones. */
			for (guint j = i + 1; j < w.finishers->len; j++) {
				struct finisher *g =
					g_ptr_array_index(w.finishers, j);
				if (g->abort_fn)
					g->abort_fn(g->ctx);
				g->abort_fn = NULL;
			}
			goto out;
		}
	}
	{
		char *text = scn_resolved_text(sc);
		char *rp = g_build_filename(stage, "scenario.resolved.ini", NULL);
		if (!sim_write_file_atomic(rp, text, -1, &err))
			status = CLI_EXIT_FAILURE;
		g_free(rp);
		g_free(text);
		if (status != CLI_EXIT_OK)
			goto out;
	}
	char *json = sim_stats_to_json(st);
	char *sp = g_build_filename(stage, "summary.json", NULL);
	gboolean ok = sim_write_file_atomic(sp, json, -1, &err);
	g_free(sp);
	g_free(json);
	if (ok) {
		char *perf = perf_json(wall, w.sim);
		char *pp = g_build_filename(stage, "perf.json", NULL);
		ok = sim_write_file_atomic(pp, perf, -1, &err);
		g_free(pp);
		g_free(perf);
	}
	if (ok)
		ok = cli_commit_outputs(stage, out_dir, &err);
	if (!ok) {
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	g_free(stage);
	stage = NULL;
	if (!quiet) {
		fprintf(stderr,
			"nemsim: %s: %.3g s simulated in %.3g s wall, "
			"%" G_GUINT64_FORMAT " events -> %s/summary.json\n",
			path, sim_time_to_s(w.duration), wall, w.sim->events,
			out_dir);
		print_verdicts(&w);
	}
out:
	if (err) {
		cli_error("%s", err->message);
		g_error_free(err);
	}
	world_free(&w);
	if (stage) {
		cli_remove_tree(stage);
		g_free(stage);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return status;
}

gboolean
cli_overrides_valid(const char *cmd, gchar **sets)
{
	for (int i = 0; sets && sets[i]; i++) {
		if (!g_utf8_validate(sets[i], -1, NULL)) {
			cli_error("%s: --set %s: not UTF-8 text (units such as "
				  "\"us\" are plain ASCII)", cmd, sets[i]);
			return FALSE;
		}
	}
	return TRUE;
}

/*
 * Load the scenario a run is asked for: the file with its overrides, and
 * for a file with a [sweep], the point --point names (a run of a sweep's
 * file without it would silently be its base point).
 */
static scenario *
load_run_scenario(const char *path, GPtrArray *ov, gint64 point)
{
	GError *err = NULL;
	g_ptr_array_add(ov, NULL);
	scenario *sc = scn_load(path, &cli_schema,
				(const char *const *)ov->pdata, &err);
	g_ptr_array_remove_index(ov, ov->len - 1);
	scn_sweep *sw = sc ? scn_sweep_expand(sc, &err) : NULL;
	if (!sc || err) {
		cli_error("%s", err->message);
		g_error_free(err);
		scn_sweep_free(sw);
		scn_free(sc);
		return NULL;
	}
	if (!sw && point >= 0) {
		cli_error("run: --point %" G_GINT64_FORMAT ": %s has no [sweep]",
			  point, path);
		scn_free(sc);
		return NULL;
	}
	if (!sw)
		return sc;
	scn_free(sc);
	sc = NULL;
	if (point < 0 || point >= sw->npoints) {
		if (point < 0)
			cli_error("%s: [sweep]: this scenario is a sweep of %u "
				  "points; run them all with `nemsim sweep %s`, "
				  "or one with `nemsim run %s --point N` (N from "
				  "0 to %u)", path, sw->npoints, path, path,
				  sw->npoints - 1);
		else
			cli_error("run: --point %" G_GINT64_FORMAT ": %s has "
				  "points 0 to %u", point, path, sw->npoints - 1);
		scn_sweep_free(sw);
		return NULL;
	}
	gchar **pov = scn_sweep_point_overrides(sw, (guint)point);
	for (int i = 0; pov[i]; i++)
		g_ptr_array_add(ov, g_strdup(pov[i]));
	g_strfreev(pov);
	scn_sweep_free(sw);
	g_ptr_array_add(ov, NULL);
	sc = scn_load(path, &cli_schema, (const char *const *)ov->pdata, &err);
	g_ptr_array_remove_index(ov, ov->len - 1);
	if (!sc) {
		cli_error("sweep point %" G_GINT64_FORMAT ": %s", point,
			  err->message);
		g_error_free(err);
	}
	return sc;
}

int
cli_cmd_run(int argc, char **argv)
{
	gchar **sets = NULL;
	gchar *out = NULL;
	gint64 seed = -1, point = -1;
	gboolean quiet = FALSE;
	GOptionEntry entries[] = {
		/* FILENAME: GLib leaves the bytes as they are (STRING
		 * converts from the locale's charset, which fails on "µs"
		 * under the C locale); they are checked to be UTF-8. */
		{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &sets,
		  "Override a scenario value (repeatable)", "GROUP.KEY=VALUE" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "Scenario seed (same as --set simulation.seed=N)", "N" },
		{ "point", 'p', 0, G_OPTION_ARG_INT64, &point,
		  "Run point N of the scenario's [sweep] (0 is the first)", "N" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &out,
		  "Output folder (default: out/SCENARIO)", "DIR" },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		  "Print nothing on success", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new(
		"SCENARIO.ini - run one scenario");
	g_option_context_set_summary(ctx,
		"Runs the scenario and writes DIR/summary.json, DIR/perf.json, "
		"DIR/scenario.resolved.ini\nand the traces and time series the "
		"scenario's [output] asks for.  A run\nreplaces the files of an "
		"earlier run in DIR as a whole.\nExit status: 0 done, 1 failed, "
		"2 bad input (nothing written), 130 interrupted.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	int status;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		cli_error("run: %s", err->message);
		g_error_free(err);
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (argc != 2) {
		cli_error("run: expected one scenario file (see nemsim run "
			  "--help)");
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (out && !*out) {
		cli_error("run: --out must name a folder");
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (!cli_overrides_valid("run", sets) || seed < -1 || point < -1) {
		if (seed < -1)
			cli_error("run: --seed must not be negative");
		if (point < -1)
			cli_error("run: --point must not be negative");
		status = CLI_EXIT_INPUT;
		goto out;
	}
	GPtrArray *ov = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; sets && sets[i]; i++)
		g_ptr_array_add(ov, g_strdup(sets[i]));
	if (seed >= 0)
		g_ptr_array_add(ov, g_strdup_printf("simulation.seed=%" G_GINT64_FORMAT,
						    seed));
	scenario *sc = load_run_scenario(argv[1], ov, point);
	if (!sc) {
		g_ptr_array_free(ov, TRUE);
		status = CLI_EXIT_INPUT;
		goto out;
	}
	g_ptr_array_add(ov, NULL);
	char *dir = out ? g_strdup(out) : cli_default_out_dir(argv[1]);
	status = run_scenario(argv[1], sc, (gchar **)ov->pdata, dir, quiet);
	scn_free(sc);
	g_free(dir);
	g_ptr_array_free(ov, TRUE);
out:
	g_strfreev(sets);
	g_free(out);
	g_option_context_free(ctx);
	return status;
}

int
cli_cmd_check(int argc, char **argv)
{
	gchar **sets = NULL;
	GOptionEntry entries[] = {
		{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &sets,
		  "Override a scenario value (repeatable)", "GROUP.KEY=VALUE" },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new(
		"SCENARIO.ini - check a scenario without running it");
	g_option_context_set_summary(ctx,
		"Loads and checks the scenario and, if it has a sweep, every "
		"point of it.\nExit status: 0 valid, 2 invalid.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	int status = CLI_EXIT_OK;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		cli_error("check: %s", err->message);
		g_error_free(err);
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (argc != 2) {
		cli_error("check: expected one scenario file");
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (!cli_overrides_valid("check", sets)) {
		status = CLI_EXIT_INPUT;
		goto out;
	}
	scenario *sc = scn_load(argv[1], &cli_schema,
				(const char *const *)sets, &err);
	if (!sc) {
		cli_error("%s", err->message);
		g_error_free(err);
		status = CLI_EXIT_INPUT;
		goto out;
	}
	scn_sweep *sw = scn_sweep_expand(sc, &err);
	if (!sw && err) {
		cli_error("%s", err->message);
		g_clear_error(&err);
		status = CLI_EXIT_INPUT;
	}
	if (!sw && status == CLI_EXIT_OK && !cli_check_build(sc, NULL, &err)) {
		cli_error("%s", err->message);
		g_clear_error(&err);
		status = CLI_EXIT_INPUT;
	}
	guint points = sw ? sw->npoints : 1;
	for (guint p = 0; sw && status == CLI_EXIT_OK && p < sw->npoints; p++) {
		gchar **pov = scn_sweep_point_overrides(sw, p);
		GPtrArray *all = g_ptr_array_new();
		for (int i = 0; sets && sets[i]; i++)
			g_ptr_array_add(all, sets[i]);
		for (int i = 0; pov[i]; i++)
			g_ptr_array_add(all, pov[i]);
		g_ptr_array_add(all, NULL);
		scenario *psc = scn_load(argv[1], &cli_schema,
					 (const char *const *)all->pdata, &err);
		if (psc && !cli_check_build(psc, sw, &err)) {
			scn_free(psc);
			psc = NULL;
		}
		if (!psc) {
			char *o = g_strjoinv(" ", pov);
			cli_error("sweep point %u (%s): %s", p, o, err->message);
			g_free(o);
			g_clear_error(&err);
			status = CLI_EXIT_INPUT;
		}
		scn_free(psc);
		g_ptr_array_free(all, TRUE);
		g_strfreev(pov);
	}
	if (status == CLI_EXIT_OK)
		printf("%s: valid (%u point%s)\n", argv[1], points,
		       points == 1 ? "" : "s");
	scn_sweep_free(sw);
	scn_free(sc);
out:
	g_strfreev(sets);
	g_option_context_free(ctx);
	return status;
}
