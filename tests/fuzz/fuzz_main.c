/*
 * fuzz_main.c - run a fuzz target on files, without libFuzzer.
 *
 * fuzz_x_replay FILE|DIR...  runs every file (a folder: every file in
 * it) once; no argument: stdin.  A crash, failed assertion or sanitizer
 * report ends the program as it would under libFuzzer.  Under AFL++ this
 * is the harness: afl-fuzz -i seeds -o out -- build-afl/tests/fuzz/X @@.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	gchar *data = NULL;
	gsize n = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &data, &n, &e)) {
		fprintf(stderr, "%s\n", e->message);
		g_error_free(e);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, n);
	g_free(data);
	return 0;
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_path(const char *path, unsigned *count)
{
	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		(*count)++;
		return run_file(path);
	}
	GDir *d = g_dir_open(path, 0, NULL);
	if (!d)
		return 1;
	/* Sorted, so that a failure is reproducible in the same order. */
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	while ((name = g_dir_read_name(d)))
		g_ptr_array_add(names, g_build_filename(path, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(names, by_name);
	int rc = 0;
	for (guint i = 0; i < names->len; i++)
		rc |= run_path(names->pdata[i], count);
	g_ptr_array_free(names, TRUE);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		GString *s = g_string_new(NULL);
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
			g_string_append_len(s, buf, (gssize)n);
		LLVMFuzzerTestOneInput((const uint8_t *)s->str, s->len);
		g_string_free(s, TRUE);
		return 0;
	}
	unsigned count = 0;
	int rc = 0;
	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], &count);
	printf("%u inputs run\n", count);
	return rc;
}
