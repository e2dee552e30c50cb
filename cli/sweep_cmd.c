/*
 * sweep_cmd.c - `nemsim sweep` and `nemsim merge`.
 *
 * A sweep resolves every point of the scenario's [sweep] (the scenario
 * with the point's overrides, includes merged and ${vars} applied) into
 * DIR/inputs/NNNN.ini, runs each as a separate `nemsim run` process (at
 * most --jobs at a time) into DIR/points/NNNN/, then merges the points'
 * summary.json files into DIR/sweep.csv.
 *
 * A point is done when DIR/points/NNNN/ holds a finished run whose
 * recorded scenario hash is that of the point's resolved scenario and
 * whose build is this one (provenance.c).  The record is written by the
 * run with its result, never before it, so an interrupted or failed
 * sweep, an edited scenario or other --set values can never make an old
 * result pass for a new one: the same command resumes exactly what is
 * missing.  --emit-commands prints the same runs as shell commands (for
 * GNU parallel or a Slurm array); they need only DIR (shared between the
 * machines, at the same path) and the same nemsim build, and resume the
 * same way.  `merge` refuses (exit 2, naming the points) unless every
 * point matches, and replaces DIR/sweep.csv only with a complete new one.
 */
#include "cli.h"

#include "sim/csv.h"
#include "sim/outfile.h"
#include "sim/stats.h"
#include "nemsim_config.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct sweep_opts {
	gchar **sets;
	gchar *out;
	gint jobs;
	gboolean emit;
	gboolean quiet;
};

/* Find "a.b.c" in a summary.json written by sim_stats_to_json. */
gboolean
cli_summary_lookup(const char *json, const char *path, char **value)
{
	gchar **want = g_strsplit(path, ".", -1);
	guint nwant = g_strv_length(want);
	gchar **lines = g_strsplit(json, "\n", -1);
	GPtrArray *stack = g_ptr_array_new_with_free_func(g_free);
	gboolean found = FALSE;
	for (int i = 0; lines[i] && !found; i++) {
		char *s = g_strstrip(lines[i]);
		if (*s == '}') {
			if (stack->len)
				g_ptr_array_remove_index(stack, stack->len - 1);
			continue;
		}
		if (*s != '"')
			continue;
		char *q = strstr(s + 1, "\": ");
		if (!q)
			continue;
		char *key = g_strndup(s + 1, q - s - 1);
		char *val = q + 3;
		if (strcmp(val, "{") == 0) {
			g_ptr_array_add(stack, key);
			continue;
		}
		if (stack->len + 1 == nwant && strcmp(key, want[nwant - 1]) == 0) {
			gboolean match = TRUE;
			for (guint k = 0; k < stack->len; k++)
				match = match && strcmp(g_ptr_array_index(stack, k),
							want[k]) == 0;
			if (match) {
				size_t n = strlen(val);
				if (n && val[n - 1] == ',')
					n--;
				if (n >= 2 && val[0] == '"')
					*value = g_strndup(val + 1, n - 2);
				else
					*value = g_strndup(val, n);
				found = TRUE;
			}
		}
		g_free(key);
	}
	g_ptr_array_free(stack, TRUE);
	g_strfreev(lines);
	g_strfreev(want);
	return found;
}

static char *
point_dir(const char *out, guint p)
{
	return g_strdup_printf("%s/points/%04u", out, p);
}

static char *
input_path(const char *out, guint p)
{
	return g_strdup_printf("%s/inputs/%04u.ini", out, p);
}

/* A sweep and what each of its points is made from. */
struct sweep_plan {
	scn_sweep *sw;
	gchar **text;   /* [point]: the resolved scenario */
	gchar **sha;    /* [point]: its SHA-256 */
	gchar **label;  /* [point]: "key=value ..." for messages */
};

static void
plan_free(struct sweep_plan *pl)
{
	if (!pl)
		return;
	g_strfreev(pl->text);
	g_strfreev(pl->sha);
	g_strfreev(pl->label);
	scn_sweep_free(pl->sw);
	g_free(pl);
}

static GPtrArray *
point_overrides(const struct sweep_opts *o, const scn_sweep *sw, guint p)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; o->sets && o->sets[i]; i++)
		g_ptr_array_add(a, g_strdup(o->sets[i]));
	gchar **pov = scn_sweep_point_overrides(sw, p);
	for (int i = 0; pov[i]; i++)
		g_ptr_array_add(a, g_strdup(pov[i]));
	g_strfreev(pov);
	return a;
}

static GPtrArray *
run_argv(const char *exe, const char *input, const char *dir)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(a, g_strdup(exe));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(input));
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("--out"));
	g_ptr_array_add(a, g_strdup(dir));
	g_ptr_array_add(a, NULL);
	return a;
}

static void
progress(guint done, guint total, guint failed)
{
	if (!isatty(2))
		return;
	const int width = 40;
	int fill = total ? (int)((guint64)done * width / total) : width;
	fprintf(stderr, "\r[%.*s%*s] %u/%u points%s", fill,
		"========================================", width - fill, "",
		done, total, failed ? " (some failed)" : "");
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static volatile sig_atomic_t sweep_interrupted;
/*
 * The running workers, one slot per job (0: free).  A SIGINT from the
 * terminal reaches the whole process group, but a SIGTERM sent to the
 * sweep alone (kill PID, a batch system) would not: the handler passes
 * it on, so that workers stop, remove their staging folders and leave
 * only finished points behind.
 */
static volatile pid_t *sweep_workers;
static guint sweep_nworkers;

/* SIGTERM to every running worker (async-signal-safe: kill only). */
static void
stop_workers(void)
{
	for (guint i = 0; sweep_workers && i < sweep_nworkers; i++)
		if (sweep_workers[i] > 0)
			kill(sweep_workers[i], SIGTERM);
}

static void
on_sweep_signal(int sig)
{
	(void)sig;
	sweep_interrupted = 1;
	stop_workers();
}

static void
workers_set(pid_t old, pid_t new)
{
	for (guint i = 0; i < sweep_nworkers; i++)
		if (sweep_workers[i] == old) {
			sweep_workers[i] = new;
			return;
		}
}

/*
 * The kind of quantity a swept key's values are, so that sweep.csv can
 * carry them in SI base units beside the text: times (-> _s), rates
 * (-> _bps) or lengths (-> _m); NULL for anything else (plain numbers,
 * names, QoS triples).  At least one value must carry a unit ("0" alone
 * is a number).
 */
static const char *
si_suffix(const scn_sweep *sw, guint k)
{
	static const char *const suffix[] = { "_s", "_bps", "_m" };
	for (int kind = 0; kind < 3; kind++) {
		gboolean all = TRUE, unit = FALSE;
		for (guint p = 0; all && p < sw->npoints; p++) {
			const char *v = sw->values[p][k];
			sim_time_t t;
			sim_rate_t r;
			int64_t mm;
			all = kind == 0   ? sim_parse_time(v, &t, NULL)
			      : kind == 1 ? sim_parse_rate(v, &r, NULL)
					  : sim_parse_length_mm(v, &mm, NULL);
			for (const char *c = v; *c; c++)
				unit = unit || g_ascii_isalpha(*c) ||
				       (unsigned char)*c >= 0x80;
		}
		if (all && unit)
			return suffix[kind];
	}
	return NULL;
}

/* A swept value in SI base units (its kind found by si_suffix). */
static void
csv_si_value(sim_csv *csv, const char *suffix, const char *v)
{
	char buf[64];
	if (strcmp(suffix, "_s") == 0) {
		sim_time_t t = 0;
		sim_parse_time(v, &t, NULL);
		sim_stats_format_double(sim_time_to_s(t), buf, sizeof buf);
		sim_csv_str(csv, buf);
	} else if (strcmp(suffix, "_bps") == 0) {
		sim_rate_t r = 0;
		sim_parse_rate(v, &r, NULL);
		sim_csv_int(csv, (int64_t)r);
	} else {
		int64_t mm = 0;
		sim_parse_length_mm(v, &mm, NULL);
		sim_stats_format_double((double)mm / 1000.0, buf, sizeof buf);
		sim_csv_str(csv, buf);
	}
}

/*
 * DIR/sweep_stats.csv for a sweep with repeat = N: one row per setting
 * of the other swept keys (its N seeds are N contiguous points), then
 * n and, per result column, the mean, the sample standard deviation and
 * the half-width of the 95% confidence interval of the mean (Student's
 * t with n - 1 degrees of freedom); empty where a column is not a
 * number or n < 2.
 */
static int
write_stats(const scn_sweep *sw, const char **si, const double *num,
	    const char *out)
{
	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	guint nkeys = sw->nkeys - 1; /* the last is the seed */
	for (guint k = 0; k < nkeys; k++) {
		g_ptr_array_add(cols, g_strdup(sw->keys[k]));
		if (si[k])
			g_ptr_array_add(cols, g_strconcat(sw->keys[k], si[k],
							  NULL));
	}
	g_ptr_array_add(cols, g_strdup("n"));
	for (guint c = 0; c < sw->ncolumns; c++) {
		g_ptr_array_add(cols, g_strconcat(sw->col_names[c], "_mean", NULL));
		g_ptr_array_add(cols, g_strconcat(sw->col_names[c], "_sd", NULL));
		g_ptr_array_add(cols, g_strconcat(sw->col_names[c], "_ci95", NULL));
	}
	g_ptr_array_add(cols, NULL);
	char *path = g_build_filename(out, "sweep_stats.csv", NULL);
	GError *err = NULL;
	sim_csv *csv = sim_csv_open(path, (const char *const *)cols->pdata, &err);
	guint n = sw->repeat;
	double t = n > 1 ? gsl_cdf_tdist_Pinv(0.975, n - 1) : NAN;
	for (guint g0 = 0; csv && g0 < sw->npoints; g0 += n) {
		for (guint k = 0; k < nkeys; k++) {
			sim_csv_str(csv, sw->values[g0][k]);
			if (si[k])
				csv_si_value(csv, si[k], sw->values[g0][k]);
		}
		sim_csv_int(csv, n);
		for (guint c = 0; c < sw->ncolumns; c++) {
			double sum = 0, ss = 0;
			gboolean numeric = TRUE;
			for (guint i = 0; i < n; i++) {
				double x = num[(gsize)(g0 + i) * sw->ncolumns + c];
				numeric = numeric && !isnan(x);
				sum += x;
			}
			double mean = sum / n;
			for (guint i = 0; numeric && i < n; i++) {
				double d = num[(gsize)(g0 + i) * sw->ncolumns + c] -
					   mean;
				ss += d * d;
			}
			double sd = n > 1 ? sqrt(ss / (n - 1)) : NAN;
			double ci = t * sd / sqrt((double)n);
			char buf[64];
			double vs[3] = { mean, sd, ci };
			for (int j = 0; j < 3; j++) {
				if (numeric && !isnan(vs[j])) {
					sim_stats_format_double(vs[j], buf,
								sizeof buf);
					sim_csv_str(csv, buf);
				} else {
					sim_csv_str(csv, "");
				}
			}
		}
		sim_csv_end_row(csv);
	}
	int status = CLI_EXIT_OK;
	if (!csv || !sim_csv_close(csv, &err)) {
		cli_error("%s", err->message);
		g_clear_error(&err);
		status = CLI_EXIT_FAILURE;
	}
	g_free(path);
	g_ptr_array_free(cols, TRUE);
	return status;
}

/*
 * Write DIR/sweep.json (the swept keys and result columns) and
 * DIR/sweep.csv from the points' summaries, if every point is a
 * finished run of its resolved scenario by this build; else exit 2 and
 * the old sweep.csv (if any) stays as it was.
 */
static int
merge(const char *scenario_path, const struct sweep_plan *pl, const char *out)
{
	const scn_sweep *sw = pl->sw;
	guint bad = 0;
	for (guint p = 0; p < sw->npoints; p++) {
		char *dir = point_dir(out, p);
		char *why = NULL;
		if (!cli_run_matches(dir, pl->sha[p], &why)) {
			if (bad < 10)
				cli_error("merge: point %u (%s): %s: %s", p,
					  pl->label[p], dir, why);
			bad++;
		}
		g_free(why);
		g_free(dir);
	}
	if (bad) {
		cli_error("merge: %u of %u points are not finished runs of this "
			  "sweep%s; run `nemsim sweep %s` with the same --set "
			  "options and --out (or the commands of "
			  "--emit-commands); sweep.csv not written",
			  bad, sw->npoints, bad > 10 ? " (10 shown)" : "",
			  scenario_path);
		return CLI_EXIT_INPUT;
	}
	/* sweep.json: what sweep.csv's columns are, for programs. */
	GString *js = g_string_new("{\n  \"scenario\": ");
	sim_json_append_string(js, scenario_path);
	g_string_append(js, ",\n  \"points\": ");
	g_string_append_printf(js, "%u,\n  \"repeat\": %u,\n  \"keys\": [",
			       sw->npoints, sw->repeat);
	for (guint k = 0; k < sw->nkeys; k++) {
		g_string_append(js, k ? ", " : "");
		sim_json_append_string(js, sw->keys[k]);
	}
	g_string_append(js, "],\n  \"si_columns\": {");
	const char **si = g_new0(const char *, sw->nkeys + 1);
	gboolean first = TRUE;
	for (guint k = 0; k < sw->nkeys; k++) {
		si[k] = si_suffix(sw, k);
		if (!si[k])
			continue;
		g_string_append(js, first ? "" : ", ");
		first = FALSE;
		sim_json_append_string(js, sw->keys[k]);
		g_string_append(js, ": ");
		char *col = g_strconcat(sw->keys[k], si[k], NULL);
		sim_json_append_string(js, col);
		g_free(col);
	}
	g_string_append(js, "},\n  \"columns\": {");
	for (guint c = 0; c < sw->ncolumns; c++) {
		g_string_append(js, c ? ",\n    " : "\n    ");
		sim_json_append_string(js, sw->col_names[c]);
		g_string_append(js, ": ");
		sim_json_append_string(js, sw->col_paths[c]);
	}
	g_string_append(js, sw->ncolumns ? "\n  }\n}\n" : "}\n}\n");
	char *jpath = g_build_filename(out, "sweep.json", NULL);
	GError *jerr = NULL;
	if (!sim_write_file_atomic(jpath, js->str, -1, &jerr)) {
		cli_error("%s", jerr->message);
		g_error_free(jerr);
		g_free(jpath);
		g_string_free(js, TRUE);
		g_free(si);
		return CLI_EXIT_FAILURE;
	}
	g_free(jpath);
	g_string_free(js, TRUE);

	GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(cols, g_strdup("point"));
	for (guint k = 0; k < sw->nkeys; k++) {
		g_ptr_array_add(cols, g_strdup(sw->keys[k]));
		if (si[k])
			g_ptr_array_add(cols, g_strconcat(sw->keys[k], si[k],
							  NULL));
	}
	for (guint c = 0; c < sw->ncolumns; c++)
		g_ptr_array_add(cols, g_strdup(sw->col_names[c]));
	g_ptr_array_add(cols, NULL);
	char *path = g_build_filename(out, "sweep.csv", NULL);
	GError *err = NULL;
	int status = CLI_EXIT_OK;
	sim_csv *csv = sim_csv_open(path, (const char *const *)cols->pdata, &err);
	/* The columns' values as numbers (NAN: not one), for the stats. */
	double *num = g_new(double, (gsize)sw->npoints * sw->ncolumns + 1);
	for (guint p = 0; csv && status == CLI_EXIT_OK && p < sw->npoints; p++) {
		char *dir = point_dir(out, p);
		char *sp = g_build_filename(dir, "summary.json", NULL);
		char *json = NULL;
		if (!g_file_get_contents(sp, &json, NULL, &err)) {
			cli_error("merge: %s", err->message);
			g_clear_error(&err);
			status = CLI_EXIT_FAILURE;
		}
		sim_csv_int(csv, p);
		for (guint k = 0; k < sw->nkeys; k++) {
			sim_csv_str(csv, sw->values[p][k]);
			if (si[k])
				csv_si_value(csv, si[k], sw->values[p][k]);
		}
		for (guint c = 0; json && c < sw->ncolumns; c++) {
			char *v = NULL;
			if (!cli_summary_lookup(json, sw->col_paths[c], &v)) {
				/* check refuses such columns; an old build's
				 * summary would be refused above */
				cli_error("merge: %s: [sweep] columns: %s: "
					  "summary.json of point %u has no %s",
					  scenario_path, sw->col_names[c], p,
					  sw->col_paths[c]);
				status = CLI_EXIT_INPUT;
				v = g_strdup("");
			}
			sim_csv_str(csv, strcmp(v, "null") ? v : "");
			char *end = NULL;
			double x = g_ascii_strtod(v, &end);
			num[(gsize)p * sw->ncolumns + c] =
				end && end != v && !*end ? x : NAN;
			g_free(v);
		}
		g_free(json);
		g_free(sp);
		g_free(dir);
		sim_csv_end_row(csv);
	}
	if (!csv) {
		cli_error("%s", err->message);
		g_clear_error(&err);
		status = CLI_EXIT_FAILURE;
	} else if (status != CLI_EXIT_OK) {
		sim_csv_abort(csv);
	} else if (!sim_csv_close(csv, &err)) {
		cli_error("%s", err->message);
		g_clear_error(&err);
		status = CLI_EXIT_FAILURE;
	}
	if (status == CLI_EXIT_OK && sw->repeat)
		status = write_stats(sw, si, num, out);
	g_free(num);
	g_free(path);
	g_ptr_array_free(cols, TRUE);
	g_free(si);
	return status;
}

static gboolean
parse_sweep_args(const char *cmd, int *argc, char ***argv,
		 struct sweep_opts *o, gboolean is_merge)
{
	GOptionEntry entries[] = {
		{ "set", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->sets,
		  "Override a scenario value in every point (repeatable)",
		  "GROUP.KEY=VALUE" },
		{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &o->out,
		  "Output folder (default: out/SCENARIO)", "DIR" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs,
		  "Points run at once (default: the number of cores)", "N" },
		{ "emit-commands", 0, 0, G_OPTION_ARG_NONE, &o->emit,
		  "Print one shell command per point that is not done, "
		  "and run nothing", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
		  "No progress display", NULL },
		{ NULL }
	};
	if (is_merge) {
		entries[2].long_name = NULL; /* only --set and --out */
	}
	GOptionContext *ctx = g_option_context_new(
		is_merge ? "SCENARIO.ini - assemble DIR/sweep.csv from the points"
			 : "SCENARIO.ini - run every point of the scenario's sweep");
	g_option_context_set_summary(ctx,
		is_merge ? "Reads DIR/points/NNNN/summary.json of every point "
			   "and writes DIR/sweep.csv.\nUse the same --set "
			   "options as the sweep.  Refuses (exit 2) unless every "
			   "point is a\nfinished run of its scenario by this "
			   "build."
			 : "Resolves each point into DIR/inputs/NNNN.ini, runs "
			   "it as `nemsim run` into\nDIR/points/NNNN/ (skipping "
			   "points already done from the same scenario\nand "
			   "build) and writes DIR/sweep.csv: one row per point "
			   "with the swept\nvalues and the [sweep] columns.  "
			   "Exit status: 0 done, 1 a point failed,\n2 bad "
			   "input, 130 interrupted (rerun to resume).");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	gboolean ok = g_option_context_parse(ctx, argc, argv, &err);
	if (!ok) {
		cli_error("%s: %s", cmd, err->message);
		g_error_free(err);
	} else if (*argc != 2) {
		cli_error("%s: expected one scenario file", cmd);
		ok = FALSE;
	} else if (o->jobs < 0) {
		cli_error("%s: --jobs must be positive", cmd);
		ok = FALSE;
	} else if (o->out && !*o->out) {
		cli_error("%s: --out must name a folder", cmd);
		ok = FALSE;
	} else {
		ok = cli_overrides_valid(cmd, o->sets);
	}
	g_option_context_free(ctx);
	return ok;
}

/* Load the scenario and its sweep; check and resolve every point. */
static struct sweep_plan *
load_sweep(const char *path, const struct sweep_opts *o)
{
	GError *err = NULL;
	scenario *sc = scn_load(path, &cli_schema,
				(const char *const *)o->sets, &err);
	if (!sc) {
		cli_error("%s", err->message);
		g_error_free(err);
		return NULL;
	}
	scn_sweep *sw = scn_sweep_expand(sc, &err);
	scn_free(sc);
	if (!sw) {
		if (err) {
			cli_error("%s", err->message);
			g_error_free(err);
		} else {
			cli_error("%s: [sweep]: the scenario has no swept keys; "
				  "use nemsim run", path);
		}
		return NULL;
	}
	struct sweep_plan *pl = g_new0(struct sweep_plan, 1);
	pl->sw = sw;
	pl->text = g_new0(gchar *, sw->npoints + 1);
	pl->sha = g_new0(gchar *, sw->npoints + 1);
	pl->label = g_new0(gchar *, sw->npoints + 1);
	for (guint p = 0; p < sw->npoints; p++) {
		GPtrArray *ov = point_overrides(o, sw, p);
		gchar **pov = scn_sweep_point_overrides(sw, p);
		pl->label[p] = g_strjoinv(" ", pov);
		g_strfreev(pov);
		g_ptr_array_add(ov, NULL);
		scenario *psc = scn_load(path, &cli_schema,
					 (const char *const *)ov->pdata, &err);
		g_ptr_array_free(ov, TRUE);
		if (psc && !cli_check_build(psc, sw, &err)) {
			scn_free(psc);
			psc = NULL;
		}
		if (!psc) {
			cli_error("sweep point %u (%s): %s", p, pl->label[p],
				  err->message);
			g_error_free(err);
			plan_free(pl);
			return NULL;
		}
		pl->text[p] = scn_resolved_text(psc);
		pl->sha[p] = scn_resolved_sha256(psc);
		scn_free(psc);
	}
	return pl;
}

/* DIR/inputs/NNNN.ini: the point's resolved scenario (kept if unchanged). */
static gboolean
write_input(const char *scenario_path, const struct sweep_plan *pl, guint p,
	    const char *input, GError **error)
{
	char *text = g_strdup_printf(
		"# Point %u of %s (%s), resolved by nemsim %s:\n"
		"# includes merged, overrides and variables applied.\n\n%s",
		p, scenario_path, pl->label[p], NEMSIM_VERSION, pl->text[p]);
	char *have = NULL;
	gboolean ok = TRUE;
	if (!g_file_get_contents(input, &have, NULL, NULL) ||
	    strcmp(have, text) != 0) {
		char *dir = g_path_get_dirname(input);
		ok = sim_mkdir_p(dir, error) &&
		     sim_write_file_atomic(input, text, -1, error);
		g_free(dir);
	}
	g_free(have);
	g_free(text);
	return ok;
}

int
cli_cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	int status = CLI_EXIT_OK;
	struct sweep_plan *pl = NULL;
	char *out = NULL, *exe = NULL, *abs_out = NULL;
	GArray *todo = NULL;
	if (!parse_sweep_args("sweep", &argc, &argv, &o, FALSE)) {
		status = CLI_EXIT_INPUT;
		goto done;
	}
	const char *path = argv[1];
	pl = load_sweep(path, &o);
	if (!pl) {
		status = CLI_EXIT_INPUT;
		goto done;
	}
	const scn_sweep *sw = pl->sw;
	out = o.out ? g_strdup(o.out) : cli_default_out_dir(path);
	guint jobs = o.jobs > 0 ? (guint)o.jobs : g_get_num_processors();
	exe = cli_exe_path();
	abs_out = g_canonicalize_filename(out, NULL);

	/* Points still to run, with their resolved inputs written. */
	todo = g_array_new(FALSE, FALSE, sizeof(guint));
	GError *err = NULL;
	for (guint p = 0; p < sw->npoints && status == CLI_EXIT_OK; p++) {
		char *dir = point_dir(abs_out, p);
		char *input = input_path(abs_out, p);
		char *why = NULL;
		if (!cli_run_matches(dir, pl->sha[p], &why)) {
			g_array_append_val(todo, p);
			if (!write_input(path, pl, p, input, &err)) {
				cli_error("%s", err->message);
				g_clear_error(&err);
				status = CLI_EXIT_FAILURE;
			} else if (o.emit) {
				GPtrArray *a = run_argv(exe, input, dir);
				for (guint i = 0; i + 1 < a->len; i++) {
					char *q = g_shell_quote(
						g_ptr_array_index(a, i));
					printf("%s%s", i ? " " : "", q);
					g_free(q);
				}
				printf("\n");
				g_ptr_array_free(a, TRUE);
			}
		}
		g_free(why);
		g_free(input);
		g_free(dir);
	}
	if (o.emit || status != CLI_EXIT_OK)
		goto done;

	struct sigaction sa = { 0 }, old_int, old_term;
	sa.sa_handler = on_sweep_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	GHashTable *running = g_hash_table_new(NULL, NULL); /* pid -> point+1 */
	sweep_nworkers = jobs;
	sweep_workers = g_new0(pid_t, jobs);
	gboolean forwarded = FALSE;
	guint next = 0, finished = sw->npoints - todo->len, failed = 0;
	if (!o.quiet)
		progress(finished, sw->npoints, failed);
	while ((next < todo->len && !sweep_interrupted) ||
	       g_hash_table_size(running) > 0) {
		while (!sweep_interrupted && next < todo->len &&
		       g_hash_table_size(running) < jobs) {
			guint p = g_array_index(todo, guint, next++);
			char *dir = point_dir(abs_out, p);
			char *input = input_path(abs_out, p);
			GPtrArray *a = run_argv(exe, input, dir);
			GPid pid;
			if (!g_spawn_async(NULL, (gchar **)a->pdata, NULL,
					   G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
					   &pid, &err)) {
				cli_error("cannot start point %u: %s", p,
					  err->message);
				g_clear_error(&err);
				failed++;
			} else {
				g_hash_table_insert(running,
						    GINT_TO_POINTER(pid),
						    GUINT_TO_POINTER(p + 1));
				workers_set(0, pid);
			}
			g_ptr_array_free(a, TRUE);
			g_free(input);
			g_free(dir);
		}
		if (g_hash_table_size(running) == 0)
			break;
		if (sweep_interrupted && !forwarded) {
			/* A worker started just before the signal. */
			stop_workers();
			forwarded = TRUE;
		}
		int ws;
		pid_t pid = waitpid(-1, &ws, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		gpointer v = g_hash_table_lookup(running, GINT_TO_POINTER(pid));
		if (!v)
			continue;
		g_hash_table_remove(running, GINT_TO_POINTER(pid));
		workers_set(pid, 0);
		guint p = GPOINTER_TO_UINT(v) - 1;
		if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
			finished++;
		} else if (!sweep_interrupted) {
			failed++;
			cli_error("point %u (%s) failed (exit status %d); see "
				  "above", p, pl->label[p],
				  WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
		}
		if (!o.quiet)
			progress(finished, sw->npoints, failed);
	}
	g_hash_table_destroy(running);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	g_free((pid_t *)sweep_workers);
	sweep_workers = NULL;
	char *csv = g_build_filename(out, "sweep.csv", NULL);
	if (sweep_interrupted) {
		if (isatty(2))
			fputc('\n', stderr);
		cli_error("interrupted: %u of %u points done; run the same "
			  "command again to resume (no new sweep.csv written)",
			  finished, sw->npoints);
		status = CLI_EXIT_INTERRUPTED;
	} else if (failed) {
		cli_error("%u of %u points failed; no new sweep.csv written",
			  failed, sw->npoints);
		status = CLI_EXIT_FAILURE;
	} else {
		status = merge(path, pl, out);
		if (status == CLI_EXIT_OK && !o.quiet)
			fprintf(stderr, "nemsim: %u points -> %s\n",
				sw->npoints, csv);
	}
	g_free(csv);
done:
	if (todo)
		g_array_free(todo, TRUE);
	g_free(abs_out);
	plan_free(pl);
	g_free(out);
	g_free(exe);
	g_strfreev(o.sets);
	g_free(o.out);
	return status;
}

int
cli_cmd_merge(int argc, char **argv)
{
	struct sweep_opts o = { 0 };
	int status;
	if (!parse_sweep_args("merge", &argc, &argv, &o, TRUE)) {
		status = CLI_EXIT_INPUT;
		goto done;
	}
	struct sweep_plan *pl = load_sweep(argv[1], &o);
	if (!pl) {
		status = CLI_EXIT_INPUT;
		goto done;
	}
	char *out = o.out ? g_strdup(o.out) : cli_default_out_dir(argv[1]);
	status = merge(argv[1], pl, out);
	g_free(out);
	plan_free(pl);
done:
	g_strfreev(o.sets);
	g_free(o.out);
	return status;
}
