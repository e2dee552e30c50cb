/*
 * scenario.h - scenario files: loading, strict checking, overrides, sweeps.
 *
 * A scenario is a GKeyFile .ini.  Each group is either a singleton
 * ("[simulation]") or a named instance of a kind ("[host.kay]",
 * "[connection.c1]").  What keys a kind has, their types, defaults and
 * help are given by a schema (scn_kind tables) that the program passes to
 * the loader, so this file knows nothing about models.
 *
 * Loading does, in order:
 *   1. read the file and, depth first, the files named by
 *      [scenario] include (relative to the including file); later files
 *      override earlier ones key by key; include loops are errors;
 *   2. apply --set group.key=value overrides;
 *   3. substitute ${var} from [vars] (themselves overridable);
 *   4. check every group and key against the schema: unknown group or
 *      key, bad value or unit, missing required key, bad reference;
 *   5. run the kinds' cross-checks (admission of reservations, ...).
 * Any failure is one GError naming the file, the group and the key, with
 * the line where the key was written.  The accessors below then cannot
 * fail: every value they read has been checked.
 */
#pragma once

#include "simtime.h"

/* The longest name of a named group ([connection.NAME] ...): names become
 * parts of result paths, trace and file names and derived domain names
 * (HOST_NAME, NAME_rx), which the models build in fixed buffers. */
#define SCN_NAME_MAX 64

typedef enum {
	SCN_TIME,     /* "2.4ms" */
	SCN_RATE,     /* "10Mb/s" */
	SCN_LENGTH,   /* "100m" (stored in mm) */
	SCN_INT,      /* signed 64-bit integer, optional bounds */
	SCN_DOUBLE,
	SCN_BOOL,     /* true/false */
	SCN_STRING,
	SCN_ENUM,     /* one of the '|'-separated words in `arg` */
	SCN_QOS,      /* "period, slice, extra[, latency]" */
	SCN_REF,      /* the name of an instance of kind `arg` */
	SCN_REF_LIST, /* comma-separated names of instances of kind `arg` */
	SCN_STRING_LIST, /* comma-separated words */
	SCN_FILE,     /* a file's path, relative to the scenario file that
		       * names it (scn_file); the resolved text names it by
		       * its absolute path, and its content is part of the
		       * scenario's SHA-256 (scn_resolved_sha256) */
} scn_type;

enum {
	SCN_REQUIRED = 1 << 0, /* must be given (dflt is ignored) */
};

typedef struct scn_param {
	const char *key;
	scn_type type;
	const char *dflt; /* default as text; NULL: absent unless given */
	unsigned flags;
	const char *arg;  /* enum words, or referenced kind */
	int64_t min, max; /* bounds for SCN_INT when min < max */
	const char *help;
} scn_param;

typedef struct scenario scenario;
typedef struct scn_group scn_group;

/* A cross-check over the whole scenario, run after the per-key checks. */
typedef gboolean (*scn_check_fn)(const scenario *sc, GError **error);

typedef struct scn_kind {
	const char *name;     /* "host" */
	gboolean named;       /* [host.NAME] (TRUE) or [simulation] (FALSE) */
	gboolean free_keys;   /* any key allowed, values kept as text */
	const scn_param *params; /* terminated by a NULL key */
	const char *help;
} scn_kind;

typedef struct scn_schema {
	const scn_kind *kinds; /* terminated by a NULL name */
	const scn_check_fn *checks; /* terminated by NULL */
} scn_schema;

typedef struct scn_qos {
	sim_time_t period, slice, latency;
	gboolean extra;
	gboolean has_latency;
} scn_qos;

/*
 * Load and check a scenario.  overrides: NULL-terminated "group.key=value"
 * strings (may be NULL).
 */
scenario *scn_load(const char *path, const scn_schema *schema,
		   const char *const *overrides, GError **error);
void scn_free(scenario *sc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(scenario, scn_free)

const char *scn_path(const scenario *sc);
/*
 * The scenario as one self-contained file: includes merged, overrides and
 * ${vars} applied, defaults left out, [vars] and [sweep] dropped (a
 * resolved scenario is one point of a sweep).  Loading the text gives the
 * same scenario, and resolving that gives the same text, so the text (or
 * its SHA-256, scn_resolved_sha256) identifies what a run was made from.
 */
char *scn_resolved_text(const scenario *sc);
char *scn_resolved_sha256(const scenario *sc);

/* The instances of a kind, in the order they were first written. */
GPtrArray *scn_instances(const scenario *sc, const char *kind);
/* A group by kind and name (name NULL for singletons); NULL if absent. */
scn_group *scn_find(const scenario *sc, const char *kind, const char *name);
/* A singleton group; it exists (with defaults) even if not written. */
scn_group *scn_single(const scenario *sc, const char *kind);

const char *scn_group_name(const scn_group *g);   /* "kay" */
const char *scn_group_kind(const scn_group *g);   /* "host" */
const char *scn_group_title(const scn_group *g);  /* "host.kay" */
const char *scn_group_where(const scn_group *g);  /* "file:line" of its header */

/* Is the key set (given or defaulted)? */
gboolean scn_has(const scn_group *g, const char *key);
/* Was the key written (in a file or with --set), not defaulted? */
gboolean scn_is_set(const scn_group *g, const char *key);
/* Where a key was written: "file:line" or "--set", for messages. */
const char *scn_where(const scn_group *g, const char *key);

sim_time_t scn_time(const scn_group *g, const char *key);
/*
 * An SCN_FILE value as a path to open: as written if absolute, else
 * relative to the folder of the scenario file it was written in (an
 * include's own folder, as includes are); a value given by --set or a
 * sweep is relative to the main scenario file's folder.  g_free it.
 */
char *scn_file(const scn_group *g, const char *key);
sim_rate_t scn_rate(const scn_group *g, const char *key);
int64_t scn_length_mm(const scn_group *g, const char *key);
int64_t scn_int(const scn_group *g, const char *key);
double scn_double(const scn_group *g, const char *key);
gboolean scn_bool(const scn_group *g, const char *key);
const char *scn_str(const scn_group *g, const char *key);
scn_qos scn_get_qos(const scn_group *g, const char *key);
/* A referenced group (SCN_REF). */
scn_group *scn_ref(const scenario *sc, const scn_group *g, const char *key);
/* Words of a list value; free with g_strfreev. */
gchar **scn_list(const scn_group *g, const char *key);

/* Keys of a free-keys group ([vars], [sweep]) in file order. */
gchar **scn_free_keys(const scn_group *g);

/* Parse a QoS text; exposed for tests and the sweep expander. */
gboolean scn_parse_qos(const char *text, scn_qos *out, GError **error);

/* An error about one key, in the house format. */
void scn_set_error(GError **error, const scn_group *g, const char *key,
		   const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/*
 * Sweeps.  [sweep] holds keys to vary: a [vars] name or "group.key"
 * (an override), each with a list ("1ms; 2ms; 5ms") or a range
 * ("1.2ms to 24ms step 1.2ms", inclusive).  Keys vary as a cartesian
 * product in the order written, the last fastest, except those named
 * together in `zip = a, b`, which advance in lockstep.  `columns =
 * name=summary.path; ...` chooses the results copied into sweep.csv.
 * `repeat = N` runs every setting with N seeds (the scenario's seed and
 * the N - 1 after it), as a last, fastest axis simulation.seed.
 */
typedef struct scn_sweep {
	guint nkeys;
	gchar **keys;        /* swept keys in column order */
	guint npoints;
	gchar ***values;     /* values[point][key] */
	guint ncolumns;
	gchar **col_names;   /* result columns */
	gchar **col_paths;   /* summary.json paths */
	guint repeat;        /* [sweep] repeat = N: the last key is
				simulation.seed, N seeds per setting
				(contiguous points); 0 without */
} scn_sweep;

/* The sweep of a loaded scenario (NULL and no error if it has none). */
scn_sweep *scn_sweep_expand(const scenario *sc, GError **error);
void scn_sweep_free(scn_sweep *sw);
/* The --set overrides ("group.key=value") of one point. */
gchar **scn_sweep_point_overrides(const scn_sweep *sw, guint point);
