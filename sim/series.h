/*
 * series.h - time series sampled at a fixed interval into a CSV file.
 *
 * A series owns one CSV file and one periodic event.  At every multiple of
 * the interval it calls the sample function, which appends rows (long
 * format: time first, then e.g. a connection name and a value).  Models
 * expose what to sample (counters, accumulated time); the wiring in
 * cli/ creates the series, so models never open files.
 */
#pragma once

#include "csv.h"
#include "sim.h"

typedef struct sim_series sim_series;

/* Append the rows for the interval that ends at t (start = t - interval). */
typedef void (*sim_series_fn)(void *ctx, sim_csv *csv, sim_time_t start,
			      sim_time_t t);

sim_series *sim_series_new(sim_t *sim, const char *path,
			   const char *const *columns, sim_time_t interval,
			   sim_series_fn fn, void *ctx, GError **error);
/* Close the file (rename into place); frees the series. */
gboolean sim_series_finish(sim_series *s, GError **error);
void sim_series_abort(sim_series *s);
uint64_t sim_series_rows(const sim_series *s);
