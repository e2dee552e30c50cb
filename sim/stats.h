/*
 * stats.h - the registry of named results that becomes summary.json.
 *
 * Models keep their counters in their own structs (incrementing a field is
 * the cheapest thing there is) and register them here once, by a dotted
 * path such as "links.lan.collisions".  The registry reads them when the
 * run ends.  Derived values (a throughput over the measurement window, a
 * CPU share) are registered as functions.  Paths sort the JSON output, so
 * summary.json is byte-identical for the same run.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

typedef struct sim_stats sim_stats;

sim_stats *sim_stats_new(void);
void sim_stats_free(sim_stats *st);

/* A live counter, read at report time. */
void sim_stats_add_u64(sim_stats *st, const char *path, const uint64_t *p);
void sim_stats_add_i64(sim_stats *st, const char *path, const int64_t *p);
/* A value computed at report time. */
typedef double (*sim_stats_double_fn)(void *ctx);
void sim_stats_add_fn(sim_stats *st, const char *path, sim_stats_double_fn fn,
		      void *ctx);
/* A string computed at report time (g_malloc'ed; the registry frees it). */
typedef char *(*sim_stats_string_fn)(void *ctx);
void sim_stats_add_string_fn(sim_stats *st, const char *path,
			     sim_stats_string_fn fn, void *ctx);
/* Fixed values. */
void sim_stats_set_double(sim_stats *st, const char *path, double v);
void sim_stats_set_int(sim_stats *st, const char *path, int64_t v);
void sim_stats_set_string(sim_stats *st, const char *path, const char *v);

gboolean sim_stats_has(const sim_stats *st, const char *path);
/* The current value of a numeric entry. */
gboolean sim_stats_get_double(const sim_stats *st, const char *path,
			      double *out);

/*
 * Nested JSON of every entry, keys sorted, doubles with 9 significant
 * digits (deterministic across runs and machines with IEEE doubles).
 */
char *sim_stats_to_json(const sim_stats *st);

/* Format a double the way summary.json does (also used by CSV writers). */
void sim_stats_format_double(double v, char *buf, size_t len);
/* Append s to out as a JSON string (quotes and escapes). */
void sim_json_append_string(GString *out, const char *s);
