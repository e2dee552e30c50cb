/*
 * csv.h - CSV result files (time series, sweep tables), written atomically.
 *
 * Numbers are printed the way summary.json prints them, so CSV and JSON
 * agree digit for digit and files are byte-identical between runs.
 */
#pragma once

#include "outfile.h"

typedef struct sim_csv sim_csv;

/* Open path and write the header; columns is a NULL-terminated list. */
sim_csv *sim_csv_open(const char *path, const char *const *columns,
		      GError **error);
/* Append one field to the current row (quoted if it needs it). */
void sim_csv_str(sim_csv *c, const char *s);
void sim_csv_double(sim_csv *c, double v);
void sim_csv_int(sim_csv *c, int64_t v);
/* End the current row; asserts it had as many fields as the header. */
void sim_csv_end_row(sim_csv *c);
/* s as a field: quoted if it needs it (newly allocated). */
char *sim_csv_field_text(const char *s);
/* A double as sim_csv_double writes it, into buf (at least 64 bytes);
 * returns its length. */
size_t sim_csv_double_text(double v, char *buf);
/* A whole row already in CSV form (fields as sim_csv_field_text makes
 * them, separated by ',', ending with '\n'): for writers of many rows. */
void sim_csv_put_row(sim_csv *c, const char *row, size_t len);
gboolean sim_csv_close(sim_csv *c, GError **error);
void sim_csv_abort(sim_csv *c);
