/*
 * outfile.h - output files that appear whole or not at all.
 *
 * Every result file is written under a temporary name in its final folder
 * and renamed into place when complete, so an interrupted run never leaves
 * a half file that looks like a result.  The output folder of a run is
 * itself staged: sim_outdir_begin() writes into DIR/.partial-XXXX and
 * sim_outdir_commit() moves the finished files into DIR.
 */
#pragma once

#include <stdio.h>

#include <glib.h>

typedef struct sim_outfile {
	FILE *fp;
	char *path;     /* final name */
	char *tmp_path; /* name while writing */
} sim_outfile;

/* Open path for writing (as path.tmp-PID); NULL and error on failure. */
sim_outfile *sim_outfile_open(const char *path, GError **error);
/* Flush, fsync-free close and rename into place. */
gboolean sim_outfile_commit(sim_outfile *f, GError **error);
/* Close and delete the temporary file (the result is abandoned). */
void sim_outfile_abort(sim_outfile *f);

/* Write a whole file atomically. */
gboolean sim_write_file_atomic(const char *path, const char *contents,
			       gssize len, GError **error);

/* mkdir -p. */
gboolean sim_mkdir_p(const char *dir, GError **error);
