/*
 * fuzz_scenario.c - the scenario loader with arbitrary .ini text.
 *
 * The input is the text of a scenario file, optionally followed by a NUL
 * and NUL-separated --set overrides.  It is written to a private folder
 * next to a valid base (base.ini, which the text may include) and loaded
 * with the program's schema; a scenario that loads has its sweep
 * expanded and its first points loaded with their overrides, as
 * `nemsim check` does, and then its world is built and run for a few
 * milliseconds of simulated time, as `nemsim run` does.  Errors are
 * fine; crashes, assertions, leaks and hangs are not.  An error must
 * carry a message and a scenario that loaded must have no error.
 */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fuzz.h"

static const char base_ini[] =
	"[link.lan]\nrate = 10Mb/s\n"
	"[host.nem]\nkind = nemesis\nlink = lan\n"
	"[host.kay]\nkind = unix\nlink = lan\n"
	"[simulation]\nduration = 1s\n";

static char *dir, *path;

/* The private folder goes when the process ends (libFuzzer: at exit). */
static void
cleanup(void)
{
	char *b = g_build_filename(dir, "base.ini", NULL);
	g_unlink(b);
	g_unlink(path);
	g_rmdir(dir);
	g_free(b);
}

static void
setup(void)
{
	if (dir)
		return;
	GError *e = NULL;
	dir = g_dir_make_tmp("nemsim-fuzz-XXXXXX", &e);
	g_assert_no_error(e);
	char *b = g_build_filename(dir, "base.ini", NULL);
	g_file_set_contents(b, base_ini, -1, &e);
	g_assert_no_error(e);
	g_free(b);
	path = g_build_filename(dir, "s.ini", NULL);
	atexit(cleanup);
}

/* Build the world of a loaded scenario and run it briefly. */
static void
build_and_run(scenario *sc)
{
	scn_group *simg = scn_single(sc, "simulation");
	cli_world w = { 0 };
	w.sc = sc;
	w.sim = sim_new((uint64_t)scn_int(simg, "seed"));
	w.duration = scn_time(simg, "duration");
	w.sim->measure_from = scn_time(simg, "warmup");
	w.sim->measure_to = w.duration;
	w.objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	w.finishers = g_ptr_array_new_with_free_func(g_free);
	GError *e = NULL;
	if (cli_build_world(&w, &e))
		sim_run_until(w.sim, MIN(w.duration, 3 * SIM_MS));
	else
		g_assert(e && e->message && *e->message);
	g_clear_error(&e);
	g_ptr_array_free(w.finishers, TRUE);
	sim_free(w.sim);
	cli_wiring_free(&w);
	g_hash_table_destroy(w.objects);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	/* Text up to the first NUL; then the overrides. */
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	GPtrArray *ov = g_ptr_array_new_with_free_func(g_free);
	for (size_t i = tlen + 1; nul && i < size;) {
		const uint8_t *end = memchr(data + i, 0, size - i);
		size_t n = end ? (size_t)(end - data) - i : size - i;
		g_ptr_array_add(ov, g_strndup((const char *)data + i, n));
		i += n + 1;
	}
	g_ptr_array_add(ov, NULL);
	GError *e = NULL;
	if (!g_file_set_contents(path, (const char *)data, (gssize)tlen, &e))
		g_error("%s", e->message);

	scenario *sc = scn_load(path, &cli_schema,
				(const char *const *)ov->pdata, &e);
	if (!sc) {
		g_assert(e && e->message && *e->message);
		g_clear_error(&e);
		goto out;
	}
	g_assert_no_error(e);
	scn_sweep *sw = scn_sweep_expand(sc, &e);
	if (!sw) {
		g_clear_error(&e);
		build_and_run(sc);
		scn_free(sc);
		goto out;
	}
	g_assert(sw->npoints > 0);
	for (guint p = 0; p < MIN(sw->npoints, 3u); p++) {
		gchar **pov = scn_sweep_point_overrides(sw, p);
		GPtrArray *all = g_ptr_array_new();
		for (guint i = 0; i + 1 < ov->len; i++)
			g_ptr_array_add(all, ov->pdata[i]);
		for (int i = 0; pov[i]; i++)
			g_ptr_array_add(all, pov[i]);
		g_ptr_array_add(all, NULL);
		scenario *psc = scn_load(path, &cli_schema,
					 (const char *const *)all->pdata, &e);
		if (psc) {
			if (p == 0)
				build_and_run(psc);
			scn_free(psc);
		} else {
			g_assert(e && e->message && *e->message);
			g_clear_error(&e);
		}
		g_ptr_array_free(all, TRUE);
		g_strfreev(pov);
	}
	scn_sweep_free(sw);
	scn_free(sc);
out:
	g_ptr_array_free(ov, TRUE);
	return 0;
}
