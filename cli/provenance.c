/*
 * provenance.c - what made a run's outputs, and the output folder's rules.
 *
 * A run records what made it inside its own outputs, written with the
 * result and never before it:
 *   summary.json  sim.scenario_sha256: SHA-256 of the resolved scenario
 *                 (scn_resolved_text: includes merged, overrides and
 *                 ${vars} applied) and of the content of every file
 *                 it names (a [clients] trace: scn_resolved_sha256),
 *                 so the summary names exactly the scenario it is a
 *                 result of; sim.seed, sim.version;
 *   scenario.resolved.ini  that resolved scenario itself: run it again
 *                 with `nemsim run` to get the same summary.json;
 *   perf.json     build_sha256: SHA-256 of the nemsim executable (it is
 *                 machine-dependent, so it stays out of summary.json).
 * `sweep` and `merge` trust a point only when all of these match.
 *
 * The output folder: a run stages its files in DIR/.partial-HOST-PID and
 * moves them into DIR when complete, summary.json last.  The previous
 * run's files (listed in DIR/.nemsim-outputs) are removed first, so DIR
 * never mixes two runs' files: a run into an existing folder replaces
 * the previous run as a whole.  Staging folders left by runs that were
 * killed (SIGKILL, power loss) are removed by the next run into DIR when
 * their process is gone (same host) .
 */
#include "cli.h"

#include "sim/outfile.h"

#include <errno.h>
#include <glib/gstdio.h>
#ifdef NEMSIM_HAVE_LIBCRYPTO
#include <openssl/sha.h>
#endif
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define MANIFEST ".nemsim-outputs"

/* The SHA-256 of data in lower-case hex, as GChecksum gives it. */
static char *
sha256_hex(const char *data, gsize len)
{
#ifdef NEMSIM_HAVE_LIBCRYPTO
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *hex = g_malloc(2 * SHA256_DIGEST_LENGTH + 1);
	SHA256((const unsigned char *)data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
#else
	return g_compute_checksum_for_data(G_CHECKSUM_SHA256,
					   (const guchar *)data, len);
#endif
}

const char *
cli_build_id(void)
{
	static char *id;
	if (!id) {
		char *exe = g_file_read_link("/proc/self/exe", NULL);
		char *data = NULL;
		gsize len = 0;
		if (exe && g_file_get_contents(exe, &data, &len, NULL))
			id = sha256_hex(data, len);
		else
			id = g_strdup("unknown");
		g_free(data);
		g_free(exe);
	}
	return id;
}

char *
cli_exe_path(void)
{
	char *p = g_file_read_link("/proc/self/exe", NULL);
	return p ? p : g_strdup("nemsim");
}

static char *
read_text(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL);
	char *text = NULL;
	if (!g_file_get_contents(p, &text, NULL, NULL))
		text = NULL;
	g_free(p);
	return text;
}

gboolean
cli_run_matches(const char *dir, const char *scenario_sha, char **why)
{
	char *summary = read_text(dir, "summary.json");
	char *perf = read_text(dir, "perf.json");
	char *sha = NULL, *build = NULL;
	gboolean ok = FALSE;
	if (!summary)
		*why = g_strdup("not run (no summary.json)");
	else if (!cli_summary_lookup(summary, "sim.scenario_sha256", &sha))
		*why = g_strdup("made by an older nemsim that did not record "
				"its scenario");
	else if (strcmp(sha, scenario_sha) != 0)
		*why = g_strdup("made from another scenario or other overrides");
	else if (!perf || !cli_summary_lookup(perf, "build_sha256", &build) ||
		 strcmp(build, cli_build_id()) != 0)
		*why = g_strdup("made by another build of nemsim");
	else
		ok = TRUE;
	if (ok)
		*why = NULL;
	g_free(sha);
	g_free(build);
	g_free(summary);
	g_free(perf);
	return ok;
}

/* ---- The output folder ---------------------------------------------------- */

void
cli_remove_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	if (d) {
		const char *n;
		while ((n = g_dir_read_name(d)) != NULL) {
			char *p = g_build_filename(dir, n, NULL);
			if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
				cli_remove_tree(p);
			else
				g_unlink(p);
			g_free(p);
		}
		g_dir_close(d);
	}
	g_rmdir(dir);
}

static const char *
host_name(void)
{
	static char name[256];
	if (!name[0] && (gethostname(name, sizeof name - 1) != 0 || !name[0]))
		strcpy(name, "localhost");
	return name;
}

char *
cli_stage_dir(const char *out)
{
	return g_strdup_printf("%s/.partial-%s-%d", out, host_name(),
			       (int)getpid());
}

/*
 * Is ".partial-HOST-PID" (or the older ".partial-PID") a staging folder of
 * a process of this host that no longer runs?
 */
static gboolean
is_stale_stage(const char *name)
{
	if (!g_str_has_prefix(name, ".partial-"))
		return FALSE;
	const char *rest = name + strlen(".partial-");
	const char *dash = strrchr(rest, '-');
	const char *pid_text = rest;
	if (dash) {
		if ((size_t)(dash - rest) != strlen(host_name()) ||
		    strncmp(rest, host_name(), dash - rest) != 0)
			return FALSE; /* another machine's: cannot tell */
		pid_text = dash + 1;
	}
	char *end = NULL;
	gint64 pid = g_ascii_strtoll(pid_text, &end, 10);
	if (!end || *end || pid <= 0 || pid == getpid())
		return FALSE;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void
cli_clean_stale_stages(const char *out)
{
	GDir *d = g_dir_open(out, 0, NULL);
	if (!d)
		return;
	GPtrArray *stale = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)) != NULL)
		if (is_stale_stage(n))
			g_ptr_array_add(stale, g_build_filename(out, n, NULL));
	g_dir_close(d);
	for (guint i = 0; i < stale->len; i++)
		cli_remove_tree(g_ptr_array_index(stale, i));
	g_ptr_array_free(stale, TRUE);
}

static gboolean
move_output(const char *stage, const char *out, const char *name,
	    GError **error)
{
	char *from = g_build_filename(stage, name, NULL);
	char *to = g_build_filename(out, name, NULL);
	gboolean ok = g_rename(from, to) == 0;
	if (!ok)
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "cannot move %s to %s: %s", from, to,
			    g_strerror(errno));
	g_free(from);
	g_free(to);
	return ok;
}

/* A name a manifest may list: a plain file name of this folder. */
static gboolean
is_plain_name(const char *n)
{
	return *n && !strchr(n, '/') && strcmp(n, ".") && strcmp(n, "..") &&
	       strcmp(n, MANIFEST);
}

gboolean
cli_commit_outputs(const char *stage, const char *out, GError **error)
{
	/* No summary.json while the folder changes: not a finished run. */
	char *old = g_build_filename(out, "summary.json", NULL);
	g_unlink(old);
	g_free(old);
	/* The previous run's files go, so the folder holds one run. */
	char *prev = read_text(out, MANIFEST);
	if (prev) {
		gchar **names = g_strsplit(prev, "\n", -1);
		for (int i = 0; names[i]; i++) {
			if (!is_plain_name(names[i]))
				continue;
			char *p = g_build_filename(out, names[i], NULL);
			g_unlink(p);
			g_free(p);
		}
		g_strfreev(names);
		g_free(prev);
	}
	GDir *d = g_dir_open(stage, 0, error);
	if (!d)
		return FALSE;
	GString *manifest = g_string_new(NULL);
	gboolean ok = TRUE;
	const char *n;
	while (ok && (n = g_dir_read_name(d)) != NULL) {
		g_string_append_printf(manifest, "%s\n", n);
		if (strcmp(n, "summary.json") != 0)
			ok = move_output(stage, out, n, error);
	}
	g_dir_close(d);
	if (ok) {
		char *mp = g_build_filename(out, MANIFEST, NULL);
		ok = sim_write_file_atomic(mp, manifest->str, -1, error);
		g_free(mp);
	}
	if (ok)
		ok = move_output(stage, out, "summary.json", error);
	g_string_free(manifest, TRUE);
	cli_remove_tree(stage);
	return ok;
}
