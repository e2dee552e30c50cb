/*
 * scenario.c - reading, merging and checking scenario files.
 *
 * See scenario.h for the order of the steps.  Values are kept as text
 * with the place they were written; the schema's parser for each type is
 * run once at load (to report errors) and again by the accessors (which
 * then cannot fail).
 */
#include "scenario.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct scn_value {
	char *text;
	char *where; /* "file:line", "--set" or "default" */
};

struct scn_group {
	const scn_kind *kind;
	char *name;   /* instance name, NULL for singletons */
	char *title;  /* "host.kay" */
	char *where;  /* where the group header was first seen */
	GHashTable *vals;     /* key -> struct scn_value */
	GPtrArray *key_order; /* keys in the order first written */
	const scenario *sc;
};

struct scenario {
	char *path;
	const scn_schema *schema;
	GPtrArray *groups;      /* in first-seen order */
	GHashTable *by_title;   /* title -> scn_group */
	guint loads;            /* files read, includes counted each time */
};

/*
 * Bounds on what one scenario may read: files including each other
 * several times grow exponentially (30 levels of "include the next file
 * twice" would be 2^30 loads), and a scenario larger than this is not one
 * a person wrote.
 */
#define SCN_MAX_LOADS 1000
#define SCN_MAX_FILE_BYTES (64 * 1024 * 1024)

static void
value_free(gpointer p)
{
	struct scn_value *v = p;
	g_free(v->text);
	g_free(v->where);
	g_free(v);
}

static void
group_free(gpointer p)
{
	scn_group *g = p;
	g_free(g->name);
	g_free(g->title);
	g_free(g->where);
	g_hash_table_destroy(g->vals);
	g_ptr_array_free(g->key_order, TRUE);
	g_free(g);
}

void
scn_free(scenario *sc)
{
	if (!sc)
		return;
	g_ptr_array_free(sc->groups, TRUE);
	g_hash_table_destroy(sc->by_title);
	g_free(sc->path);
	g_free(sc);
}

const char *
scn_path(const scenario *sc)
{
	return sc->path;
}

static struct scn_value *group_value(const scn_group *g, const char *key);
static const scn_param *find_param(const scn_kind *kind, const char *key);

/* A value as GKeyFile reads it back (g_key_file_get_string unescapes). */
static void
append_escaped(GString *out, const char *v)
{
	for (const char *p = v; *p; p++) {
		switch (*p) {
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\t': g_string_append(out, "\\t"); break;
		case '\r': g_string_append(out, "\\r"); break;
		default: g_string_append_c(out, *p);
		}
	}
}

char *
scn_resolved_text(const scenario *sc)
{
	GString *out = g_string_new(NULL);
	for (guint i = 0; i < sc->groups->len; i++) {
		const scn_group *g = g_ptr_array_index(sc->groups, i);
		if (g->kind && g->kind->free_keys)
			continue; /* [vars] are substituted, [sweep] is expanded */
		GString *keys = g_string_new(NULL);
		for (guint k = 0; k < g->key_order->len; k++) {
			const char *key = g_ptr_array_index(g->key_order, k);
			const struct scn_value *v = group_value(g, key);
			if (strcmp(v->where, "default") == 0)
				continue;
			g_string_append_printf(keys, "%s = ", key);
			const scn_param *p =
				g->kind ? find_param(g->kind, key) : NULL;
			if (p && p->type == SCN_FILE) {
				/* The file as resolved, absolute: the text
				 * runs from any folder (a sweep's inputs/). */
				char *f = scn_file(g, key);
				char *abs = g_canonicalize_filename(f, NULL);
				append_escaped(keys, abs);
				g_free(abs);
				g_free(f);
				g_string_append_c(keys, '\n');
				continue;
			}
			append_escaped(keys, v->text);
			g_string_append_c(keys, '\n');
		}
		/* A named group defines an instance even with no keys. */
		if (keys->len || (g->kind && g->kind->named))
			g_string_append_printf(out, "%s[%s]\n%s",
					       out->len ? "\n" : "", g->title,
					       keys->str);
		g_string_free(keys, TRUE);
	}
	return g_string_free(out, FALSE);
}

/*
 * The resolved text names a file (SCN_FILE) by its path only; a run
 * whose file changed is not the same run, so each such file's SHA-256
 * is hashed with the text (a file that cannot be read hashes as
 * "unreadable": the run fails on it anyway).
 */
char *
scn_resolved_sha256(const scenario *sc)
{
	char *text = scn_resolved_text(sc);
	GString *all = g_string_new(text);
	g_free(text);
	for (guint i = 0; i < sc->groups->len; i++) {
		const scn_group *g = g_ptr_array_index(sc->groups, i);
		if (!g->kind || !g->kind->params)
			continue;
		for (const scn_param *p = g->kind->params; p->key; p++) {
			const struct scn_value *v = group_value(g, p->key);
			if (p->type != SCN_FILE || !v)
				continue;
			char *path = scn_file(g, p->key), *data = NULL;
			gsize len = 0;
			char *sum = NULL;
			if (g_file_get_contents(path, &data, &len, NULL))
				sum = g_compute_checksum_for_data(
					G_CHECKSUM_SHA256, (const guchar *)data,
					len);
			g_string_append_printf(all, "\n# [%s] %s: sha256 %s\n",
					       g->title, p->key,
					       sum ? sum : "unreadable");
			g_free(sum);
			g_free(data);
			g_free(path);
		}
	}
	char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, all->str,
						  -1);
	g_string_free(all, TRUE);
	return sum;
}

static scn_group *
group_get(scenario *sc, const char *title, const char *where)
{
	scn_group *g = g_hash_table_lookup(sc->by_title, title);
	if (g)
		return g;
	g = g_new0(scn_group, 1);
	g->title = g_strdup(title);
	g->where = g_strdup(where);
	g->vals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					value_free);
	g->key_order = g_ptr_array_new_with_free_func(g_free);
	g->sc = sc;
	g_ptr_array_add(sc->groups, g);
	g_hash_table_insert(sc->by_title, g->title, g);
	return g;
}

static void
group_set(scn_group *g, const char *key, const char *text, const char *where)
{
	struct scn_value *v = g_new0(struct scn_value, 1);
	v->text = g_strdup(text);
	v->where = g_strdup(where);
	if (!g_hash_table_contains(g->vals, key))
		g_ptr_array_add(g->key_order, g_strdup(key));
	g_hash_table_replace(g->vals, g_strdup(key), v);
}

static struct scn_value *
group_value(const scn_group *g, const char *key)
{
	return g_hash_table_lookup(g->vals, key);
}

void
scn_set_error(GError **error, const scn_group *g, const char *key,
	      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	const struct scn_value *v = key ? group_value(g, key) : NULL;
	const char *where = v && strcmp(v->where, "default") != 0 ? v->where
								 : g->where;
	if (key)
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: [%s] %s: %s", where, g->title, key, msg);
	else
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT, "%s: [%s]: %s",
			    where, g->title, msg);
	g_free(msg);
}

/* ---- Reading files ------------------------------------------------------ */

/*
 * Line numbers of group headers and keys, which GKeyFile does not keep.
 * The first key written twice in one group of one file (GKeyFile would
 * keep the last silently) is reported in *dup.
 */
struct scan_dup {
	char *group, *key;
	int first, second;
};

static GHashTable *
scan_lines(const char *contents, struct scan_dup *dup)
{
	GHashTable *lines = g_hash_table_new_full(g_str_hash, g_str_equal,
						  g_free, NULL);
	gchar **v = g_strsplit(contents, "\n", -1);
	char *group = g_strdup("");
	for (int i = 0; v[i]; i++) {
		char *s = g_strstrip(v[i]);
		if (*s == '#' || *s == ';' || *s == '\0')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end) {
				g_free(group);
				group = g_strndup(s + 1, end - s - 1);
				g_hash_table_insert(lines,
						    g_strdup_printf("%s\n", group),
						    GINT_TO_POINTER(i + 1));
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			continue;
		char *key = g_strstrip(g_strndup(s, eq - s));
		char *gk = g_strdup_printf("%s\n%s", group, key);
		int first = GPOINTER_TO_INT(g_hash_table_lookup(lines, gk));
		if (first && !dup->group) {
			dup->group = g_strdup(group);
			dup->key = g_strdup(key);
			dup->first = first;
			dup->second = i + 1;
		}
		if (!first)
			g_hash_table_insert(lines, gk, GINT_TO_POINTER(i + 1));
		else
			g_free(gk);
		g_free(key);
	}
	g_free(group);
	g_strfreev(v);
	return lines;
}

static char *
where_of(const char *path, GHashTable *lines, const char *group,
	 const char *key)
{
	char *k = g_strdup_printf("%s\n%s", group, key ? key : "");
	int line = GPOINTER_TO_INT(g_hash_table_lookup(lines, k));
	g_free(k);
	return line ? g_strdup_printf("%s:%d", path, line) : g_strdup(path);
}

static gboolean load_file(scenario *sc, const char *path, GPtrArray *stack,
			  GError **error);

static gboolean
load_includes(scenario *sc, const char *path, GKeyFile *kf, GHashTable *lines,
	      GPtrArray *stack, GError **error)
{
	if (!g_key_file_has_key(kf, "scenario", "include", NULL))
		return TRUE;
	char *val = g_key_file_get_string(kf, "scenario", "include", NULL);
	gchar **files = g_strsplit_set(val ? val : "", ",;", -1);
	g_free(val);
	char *dir = g_path_get_dirname(path);
	gboolean ok = TRUE;
	for (int i = 0; ok && files[i]; i++) {
		char *f = g_strstrip(files[i]);
		if (!*f)
			continue;
		char *inc = g_path_is_absolute(f) ? g_strdup(f)
						  : g_build_filename(dir, f, NULL);
		if (!g_file_test(inc, G_FILE_TEST_EXISTS)) {
			char *w = where_of(path, lines, "scenario", "include");
			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
				    "%s: [scenario] include: no such file %s",
				    w, inc);
			g_free(w);
			ok = FALSE;
		} else if (!g_file_test(inc, G_FILE_TEST_IS_REGULAR)) {
			/* A folder, or a device or pipe that may never end
			 * (/dev/zero): only regular files are scenarios. */
			char *w = where_of(path, lines, "scenario", "include");
			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
				    "%s: [scenario] include: %s is %s", w, inc,
				    g_file_test(inc, G_FILE_TEST_IS_DIR)
					    ? "a folder, not a scenario file"
					    : "not a regular file");
			g_free(w);
			ok = FALSE;
		} else {
			ok = load_file(sc, inc, stack, error);
		}
		g_free(inc);
	}
	g_free(dir);
	g_strfreev(files);
	return ok;
}

static gboolean
load_file(scenario *sc, const char *path, GPtrArray *stack, GError **error)
{
	if (stack->len == 0 && g_file_test(path, G_FILE_TEST_EXISTS) &&
	    !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		/* A device or pipe may never end (/dev/zero, <(...)). */
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: %s, not a scenario file (a scenario is read "
			    "from a regular file: save it to one first)", path,
			    g_file_test(path, G_FILE_TEST_IS_DIR)
				    ? "a folder"
				    : "not a regular file");
		return FALSE;
	}
	char *real = realpath(path, NULL);
	if (!real) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "cannot read scenario %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	for (guint i = 0; i < stack->len; i++) {
		if (strcmp(g_ptr_array_index(stack, i), real) == 0) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
				    "%s: [scenario] include: include loop "
				    "(%s includes itself through %s)",
				    (char *)g_ptr_array_index(stack,
							      stack->len - 1),
				    real, path);
			free(real);
			return FALSE;
		}
	}
	if (++sc->loads > SCN_MAX_LOADS) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: [scenario] include: more than %d scenario "
			    "files read in all (files that include the same "
			    "file more than once multiply: include each file "
			    "once)", path, SCN_MAX_LOADS);
		free(real);
		return FALSE;
	}
	struct stat stbuf;
	if (stat(real, &stbuf) == 0 && stbuf.st_size > SCN_MAX_FILE_BYTES) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: %lld bytes; scenario files are limited to "
			    "%d MB", path, (long long)stbuf.st_size,
			    SCN_MAX_FILE_BYTES / (1024 * 1024));
		free(real);
		return FALSE;
	}
	g_ptr_array_add(stack, g_strdup(real));
	free(real);

	char *contents = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &contents, &len, &e)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
			    "cannot read scenario %s: %s", path, e->message);
		g_error_free(e);
		g_ptr_array_remove_index(stack, stack->len - 1);
		return FALSE;
	}
	const char *nul = memchr(contents, '\0', len);
	if (nul) {
		/* GKeyFile reads past it, our line scan would stop at it. */
		int line = 1;
		for (const char *c = contents; c < nul; c++)
			line += *c == '\n';
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s:%d: not a valid scenario file: it holds a NUL "
			    "byte (binary, or UTF-16?)", path, line);
		g_free(contents);
		g_ptr_array_remove_index(stack, stack->len - 1);
		return FALSE;
	}
	GKeyFile *kf = g_key_file_new();
	if (!g_key_file_load_from_data(kf, contents, len, G_KEY_FILE_NONE, &e)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s: not a valid scenario file: %s", path,
			    e->message);
		g_error_free(e);
		g_key_file_free(kf);
		g_free(contents);
		g_ptr_array_remove_index(stack, stack->len - 1);
		return FALSE;
	}
	struct scan_dup dup = { 0 };
	GHashTable *lines = scan_lines(contents, &dup);
	g_free(contents);

	gboolean ok = TRUE;
	if (dup.group) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "%s:%d: [%s] %s: given twice (lines %d and %d)",
			    path, dup.second, dup.group, dup.key, dup.first,
			    dup.second);
		ok = FALSE;
	}
	g_free(dup.group);
	g_free(dup.key);
	ok = ok && load_includes(sc, path, kf, lines, stack, error);

	gchar **groups = g_key_file_get_groups(kf, NULL);
	for (int i = 0; ok && groups[i]; i++) {
		char *gw = where_of(path, lines, groups[i], NULL);
		scn_group *g = group_get(sc, groups[i], gw);
		g_free(gw);
		gchar **keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
		for (int k = 0; keys && keys[k]; k++) {
			if (strcmp(groups[i], "scenario") == 0 &&
			    strcmp(keys[k], "include") == 0)
				continue; /* consumed above */
			char *val = g_key_file_get_string(kf, groups[i], keys[k],
							  &e);
			if (!val) {
				char *w = where_of(path, lines, groups[i],
						   keys[k]);
				g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
					    "%s: [%s] %s: %s", w, groups[i],
					    keys[k], e->message);
				g_free(w);
				g_clear_error(&e);
				ok = FALSE;
				break;
			}
			char *w = where_of(path, lines, groups[i], keys[k]);
			const char *hash = strchr(val, '#');
			if (hash && hash > val &&
			    g_ascii_isspace(hash[-1])) {
				/* GKeyFile keeps "10ms  # note" as the value:
				 * a comment after a value would be read as
				 * part of it. */
				g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
					    "%s: [%s] %s: a comment after the "
					    "value (\"%s\"); comments are whole "
					    "lines starting with #: move it to a "
					    "line of its own", w, groups[i],
					    keys[k], g_strstrip(val));
				g_free(w);
				g_free(val);
				ok = FALSE;
				break;
			}
			group_set(g, keys[k], g_strstrip(val), w);
			g_free(w);
			g_free(val);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	g_hash_table_destroy(lines);
	g_key_file_free(kf);
	g_ptr_array_remove_index(stack, stack->len - 1);
	return ok;
}

/* ---- Overrides and variables -------------------------------------------- */

static gboolean
apply_override(scenario *sc, const char *ov, GError **error)
{
	const char *eq = strchr(ov, '=');
	const char *dot = NULL;
	for (const char *p = ov; eq && p < eq; p++)
		if (*p == '.')
			dot = p;
	if (!eq || !dot || dot == ov || dot + 1 == eq) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "--set %s: expected group.key=value "
			    "(e.g. simulation.duration=60s)", ov);
		return FALSE;
	}
	char *title = g_strstrip(g_strndup(ov, dot - ov));
	char *key = g_strstrip(g_strndup(dot + 1, eq - dot - 1));
	if (strcmp(title, "scenario") == 0 && strcmp(key, "include") == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_INPUT,
			    "--set %s: [scenario] include cannot be overridden "
			    "(includes are read before overrides apply): "
			    "write the include into the scenario file", ov);
		g_free(title);
		g_free(key);
		return FALSE;
	}
	char *val = g_strstrip(g_strdup(eq + 1));
	char *where = g_strdup_printf("%s (--set %.*s)", sc->path,
				      (int)(eq - ov), ov);
	scn_group *g = group_get(sc, title, where);
	group_set(g, key, val, where);
	g_free(where);
	g_free(title);
	g_free(key);
	g_free(val);
	return TRUE;
}

/* Replace ${name} by [vars] name in every value outside [vars]. */
static gboolean
substitute_vars(scenario *sc, GError **error)
{
	scn_group *vars = g_hash_table_lookup(sc->by_title, "vars");
	for (guint i = 0; i < sc->groups->len; i++) {
		scn_group *g = g_ptr_array_index(sc->groups, i);
		if (g == vars)
			continue;
		for (guint k = 0; k < g->key_order->len; k++) {
			const char *key = g_ptr_array_index(g->key_order, k);
			struct scn_value *v = group_value(g, key);
			if (!strstr(v->text, "${"))
				continue;
			GString *out = g_string_new(NULL);
			const char *p = v->text;
			const char *s;
			while ((s = strstr(p, "${")) != NULL) {
				const char *e = strchr(s, '}');
				g_string_append_len(out, p, s - p);
				if (!e) {
					scn_set_error(error, g, key,
						      "unterminated ${ in \"%s\"",
						      v->text);
					g_string_free(out, TRUE);
					return FALSE;
				}
				char *name = g_strndup(s + 2, e - s - 2);
				struct scn_value *vv =
					vars ? group_value(vars, name) : NULL;
				if (!vv) {
					scn_set_error(error, g, key,
						      "${%s} is not defined in "
						      "[vars]", name);
					g_free(name);
					g_string_free(out, TRUE);
					return FALSE;
				}
				if (strstr(vv->text, "${")) {
					/* One level only: no loops to chase. */
					scn_set_error(error, g, key,
						      "${%s} is \"%s\" in [vars], "
						      "but [vars] values cannot "
						      "use ${...} themselves",
						      name, vv->text);
					g_free(name);
					g_string_free(out, TRUE);
					return FALSE;
				}
				g_string_append(out, vv->text);
				g_free(name);
				p = e + 1;
			}
			g_string_append(out, p);
			g_free(v->text);
			v->text = g_string_free(out, FALSE);
		}
	}
	return TRUE;
}

/* ---- Checking ----------------------------------------------------------- */

static const scn_kind *
find_kind(const scn_schema *schema, const char *name)
{
	for (const scn_kind *k = schema->kinds; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static const scn_param *
find_param(const scn_kind *kind, const char *key)
{
	for (const scn_param *p = kind->params; p && p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

static gboolean
valid_name(const char *s)
{
	if (!*s)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
			return FALSE;
	return TRUE;
}

static gboolean
parse_bool(const char *s, gboolean *out)
{
	static const char *t[] = { "true", "T", "yes", "on", "1", NULL };
	static const char *f[] = { "false", "F", "no", "off", "0", NULL };
	for (int i = 0; t[i]; i++)
		if (g_ascii_strcasecmp(s, t[i]) == 0) {
			*out = TRUE;
			return TRUE;
		}
	for (int i = 0; f[i]; i++)
		if (g_ascii_strcasecmp(s, f[i]) == 0) {
			*out = FALSE;
			return TRUE;
		}
	return FALSE;
}

gboolean
scn_parse_qos(const char *text, scn_qos *out, GError **error)
{
	gchar **f = g_strsplit(text, ",", -1);
	guint n = g_strv_length(f);
	gboolean ok = FALSE;
	memset(out, 0, sizeof *out);
	for (guint i = 0; i < n; i++)
		g_strstrip(f[i]);
	if (n != 3 && n != 4) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "QoS \"%s\" must be \"period, slice, extra\" or "
			    "\"period, slice, extra, latency\" "
			    "(e.g. \"10ms, 2ms, false\")", text);
		goto out;
	}
	if (!sim_parse_time(f[0], &out->period, error) ||
	    !sim_parse_time(f[1], &out->slice, error))
		goto out;
	if (!parse_bool(f[2], &out->extra)) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "QoS \"%s\": extra flag \"%s\" is not true or false",
			    text, f[2]);
		goto out;
	}
	if (n == 4) {
		if (!sim_parse_time(f[3], &out->latency, error))
			goto out;
		out->has_latency = TRUE;
	}
	if (out->period <= 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "QoS \"%s\": the period must be positive", text);
		goto out;
	}
	if (out->slice > out->period) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "QoS \"%s\": the slice is longer than the period",
			    text);
		goto out;
	}
	ok = TRUE;
out:
	g_strfreev(f);
	return ok;
}

static gboolean
check_value(const scenario *sc, const scn_group *g, const scn_param *p,
	    const char *text, GError **error)
{
	GError *e = NULL;
	int64_t i64;
	sim_time_t t;
	scn_qos q;
	gboolean b;
	gboolean ok = TRUE;

	switch (p->type) {
	case SCN_TIME:
		ok = sim_parse_time(text, &t, &e);
		break;
	case SCN_RATE:
		ok = sim_parse_rate(text, &i64, &e);
		break;
	case SCN_LENGTH:
		ok = sim_parse_length_mm(text, &i64, &e);
		break;
	case SCN_INT: {
		char *end;
		errno = 0;
		i64 = g_ascii_strtoll(text, &end, 10);
		if (!*text || *end || errno) {
			scn_set_error(error, g, p->key,
				      "\"%s\" is not an integer", text);
			return FALSE;
		}
		if (p->min < p->max && (i64 < p->min || i64 > p->max)) {
			scn_set_error(error, g, p->key,
				      "%" G_GINT64_FORMAT " is outside %"
				      G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
				      i64, p->min, p->max);
			return FALSE;
		}
		return TRUE;
	}
	case SCN_DOUBLE: {
		char *end;
		double d = g_ascii_strtod(text, &end);
		if (!*text || *end || !isfinite(d)) {
			scn_set_error(error, g, p->key,
				      "\"%s\" is not a number", text);
			return FALSE;
		}
		return TRUE;
	}
	case SCN_BOOL:
		if (!parse_bool(text, &b)) {
			scn_set_error(error, g, p->key,
				      "\"%s\" is not true or false", text);
			return FALSE;
		}
		return TRUE;
	case SCN_STRING:
		return TRUE;
	case SCN_STRING_LIST:
		return TRUE;
	case SCN_FILE: {
		if (!*text) {
			scn_set_error(error, g, p->key, "an empty file name");
			return FALSE;
		}
		char *path = scn_file(g, p->key);
		gboolean good = g_file_test(path, G_FILE_TEST_IS_REGULAR);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			scn_set_error(error, g, p->key, "no such file %s",
				      path);
		else if (!good)
			scn_set_error(error, g, p->key,
				      "%s is not a regular file", path);
		g_free(path);
		return good;
	}
	case SCN_ENUM: {
		gchar **words = g_strsplit(p->arg, "|", -1);
		gboolean found = g_strv_contains((const gchar *const *)words,
						 text);
		g_strfreev(words);
		if (!found) {
			scn_set_error(error, g, p->key,
				      "\"%s\" is not one of %s", text, p->arg);
			return FALSE;
		}
		return TRUE;
	}
	case SCN_QOS:
		ok = scn_parse_qos(text, &q, &e);
		break;
	case SCN_REF:
	case SCN_REF_LIST: {
		gchar **names = g_strsplit(text, ",", -1);
		guint n = 0;
		for (int i = 0; ok && names[i]; i++) {
			char *nm = g_strstrip(names[i]);
			if (!*nm && p->type == SCN_REF_LIST)
				continue;
			n++;
			char *title = g_strdup_printf("%s.%s", p->arg, nm);
			if (!g_hash_table_contains(sc->by_title, title)) {
				scn_set_error(error, g, p->key,
					      "refers to [%s], which is not "
					      "defined", title);
				ok = FALSE;
			}
			g_free(title);
		}
		if (ok && p->type == SCN_REF && n != 1) {
			scn_set_error(error, g, p->key,
				      "expected one %s name, got \"%s\"",
				      p->arg, text);
			ok = FALSE;
		}
		g_strfreev(names);
		return ok;
	}
	}
	if (!ok) {
		scn_set_error(error, g, p->key, "%s", e->message);
		g_error_free(e);
	}
	return ok;
}

static char *
known_keys(const scn_kind *k)
{
	GString *s = g_string_new(NULL);
	for (const scn_param *p = k->params; p && p->key; p++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", p->key);
	return g_string_free(s, FALSE);
}

static char *
known_kinds(const scn_schema *schema)
{
	GString *s = g_string_new(NULL);
	for (const scn_kind *k = schema->kinds; k->name; k++)
		g_string_append_printf(s, "%s[%s%s]", s->len ? ", " : "",
				       k->name, k->named ? ".NAME" : "");
	return g_string_free(s, FALSE);
}

static gboolean
check_group(scenario *sc, scn_group *g, GError **error)
{
	const scn_schema *schema = sc->schema;
	const char *dot = strchr(g->title, '.');
	char *kname = dot ? g_strndup(g->title, dot - g->title)
			  : g_strdup(g->title);
	const scn_kind *k = find_kind(schema, kname);
	g_free(kname);
	if (!k) {
		char *kk = known_kinds(schema);
		scn_set_error(error, g, NULL,
			      "unknown group (known groups: %s)", kk);
		g_free(kk);
		return FALSE;
	}
	g->kind = k;
	if (k->named) {
		if (!dot || !valid_name(dot + 1)) {
			scn_set_error(error, g, NULL,
				      "a %s group needs a name made of letters, "
				      "digits, '_' and '-': [%s.NAME]",
				      k->name, k->name);
			return FALSE;
		}
		if (strlen(dot + 1) > SCN_NAME_MAX) {
			scn_set_error(error, g, NULL,
				      "the name is %zu characters long; names "
				      "have at most %d (they become parts of "
				      "result paths, file and domain names)",
				      strlen(dot + 1), SCN_NAME_MAX);
			return FALSE;
		}
		g->name = g_strdup(dot + 1);
	} else if (dot) {
		scn_set_error(error, g, NULL,
			      "[%s] takes no name (write [%s])", k->name,
			      k->name);
		return FALSE;
	}
	if (k->free_keys)
		return TRUE;
	for (guint i = 0; i < g->key_order->len; i++) {
		const char *key = g_ptr_array_index(g->key_order, i);
		const scn_param *p = find_param(k, key);
		if (!p) {
			char *kk = known_keys(k);
			scn_set_error(error, g, key,
				      "unknown key (known keys of [%s%s]: %s)",
				      k->name, k->named ? ".NAME" : "", kk);
			g_free(kk);
			return FALSE;
		}
		if (!check_value(sc, g, p, group_value(g, key)->text, error))
			return FALSE;
	}
	for (const scn_param *p = k->params; p && p->key; p++) {
		if (g_hash_table_contains(g->vals, p->key))
			continue;
		if (p->flags & SCN_REQUIRED) {
			scn_set_error(error, g, NULL, "missing required key %s",
				      p->key);
			return FALSE;
		}
		if (p->dflt) {
			group_set(g, p->key, p->dflt, "default");
			/* Defaults are not user-visible order. */
		}
	}
	return TRUE;
}

scenario *
scn_load(const char *path, const scn_schema *schema,
	 const char *const *overrides, GError **error)
{
	scenario *sc = g_new0(scenario, 1);
	sc->path = g_strdup(path);
	sc->schema = schema;
	sc->groups = g_ptr_array_new_with_free_func(group_free);
	sc->by_title = g_hash_table_new(g_str_hash, g_str_equal);

	GPtrArray *stack = g_ptr_array_new_with_free_func(free);
	gboolean ok = load_file(sc, path, stack, error);
	g_ptr_array_free(stack, TRUE);
	for (int i = 0; ok && overrides && overrides[i]; i++)
		ok = apply_override(sc, overrides[i], error);
	if (ok)
		ok = substitute_vars(sc, error);
	/* Singletons exist even when not written, so they get defaults. */
	for (const scn_kind *k = schema->kinds; ok && k->name; k++)
		if (!k->named)
			group_get(sc, k->name, path);
	for (guint i = 0; ok && i < sc->groups->len; i++)
		ok = check_group(sc, g_ptr_array_index(sc->groups, i), error);
	for (const scn_check_fn *c = schema->checks; ok && c && *c; c++)
		ok = (*c)(sc, error);
	if (!ok) {
		scn_free(sc);
		return NULL;
	}
	return sc;
}

/* ---- Accessors ---------------------------------------------------------- */

GPtrArray *
scn_instances(const scenario *sc, const char *kind)
{
	GPtrArray *a = g_ptr_array_new();
	for (guint i = 0; i < sc->groups->len; i++) {
		scn_group *g = g_ptr_array_index(sc->groups, i);
		if (g->kind && g->kind->named && strcmp(g->kind->name, kind) == 0)
			g_ptr_array_add(a, g);
	}
	return a;
}

scn_group *
scn_find(const scenario *sc, const char *kind, const char *name)
{
	char *title = name ? g_strdup_printf("%s.%s", kind, name)
			   : g_strdup(kind);
	scn_group *g = g_hash_table_lookup(sc->by_title, title);
	g_free(title);
	return g;
}

scn_group *
scn_single(const scenario *sc, const char *kind)
{
	scn_group *g = scn_find(sc, kind, NULL);
	g_assert(g != NULL);
	return g;
}

const char *
scn_group_name(const scn_group *g)
{
	return g->name;
}

const char *
scn_group_kind(const scn_group *g)
{
	return g->kind->name;
}

const char *
scn_group_title(const scn_group *g)
{
	return g->title;
}

const char *
scn_group_where(const scn_group *g)
{
	return g->where;
}

gboolean
scn_has(const scn_group *g, const char *key)
{
	return group_value(g, key) != NULL;
}

gboolean
scn_is_set(const scn_group *g, const char *key)
{
	struct scn_value *v = group_value(g, key);
	return v && strcmp(v->where, "default") != 0;
}

const char *
scn_where(const scn_group *g, const char *key)
{
	struct scn_value *v = group_value(g, key);
	return v ? v->where : g->where;
}

char *
scn_file(const scn_group *g, const char *key)
{
	struct scn_value *v = group_value(g, key);
	g_assert(v);
	if (g_path_is_absolute(v->text))
		return g_strdup(v->text);
	/* v->where is "FILE:LINE", "FILE" or "MAIN (--set ...)". */
	char *file;
	const char *set = strstr(v->where, " (--set ");
	if (set || strcmp(v->where, "default") == 0) {
		file = g_strdup(g->sc->path);
	} else {
		file = g_strdup(v->where);
		char *colon = strrchr(file, ':');
		if (colon && colon[1] &&
		    strspn(colon + 1, "0123456789") == strlen(colon + 1))
			*colon = '\0';
	}
	char *dir = g_path_get_dirname(file);
	char *path = g_build_filename(dir, v->text, NULL);
	g_free(dir);
	g_free(file);
	return path;
}

static const char *
text_of(const scn_group *g, const char *key)
{
	struct scn_value *v = group_value(g, key);
	if (!v)
		g_error("scenario: [%s] %s read but not set (schema bug)",
			g->title, key);
	return v->text;
}

sim_time_t
scn_time(const scn_group *g, const char *key)
{
	sim_time_t t = 0;
	gboolean ok = sim_parse_time(text_of(g, key), &t, NULL);
	g_assert(ok);
	return t;
}

sim_rate_t
scn_rate(const scn_group *g, const char *key)
{
	sim_rate_t r = 0;
	gboolean ok = sim_parse_rate(text_of(g, key), &r, NULL);
	g_assert(ok);
	return r;
}

int64_t
scn_length_mm(const scn_group *g, const char *key)
{
	int64_t mm = 0;
	gboolean ok = sim_parse_length_mm(text_of(g, key), &mm, NULL);
	g_assert(ok);
	return mm;
}

int64_t
scn_int(const scn_group *g, const char *key)
{
	return g_ascii_strtoll(text_of(g, key), NULL, 10);
}

double
scn_double(const scn_group *g, const char *key)
{
	return g_ascii_strtod(text_of(g, key), NULL);
}

gboolean
scn_bool(const scn_group *g, const char *key)
{
	gboolean b = FALSE;
	gboolean ok = parse_bool(text_of(g, key), &b);
	g_assert(ok);
	return b;
}

const char *
scn_str(const scn_group *g, const char *key)
{
	return text_of(g, key);
}

scn_qos
scn_get_qos(const scn_group *g, const char *key)
{
	scn_qos q;
	gboolean ok = scn_parse_qos(text_of(g, key), &q, NULL);
	g_assert(ok);
	return q;
}

scn_group *
scn_ref(const scenario *sc, const scn_group *g, const char *key)
{
	const scn_param *p = find_param(g->kind, key);
	g_assert(p && p->type == SCN_REF);
	char *name = g_strstrip(g_strdup(text_of(g, key)));
	scn_group *r = scn_find(sc, p->arg, name);
	g_free(name);
	g_assert(r != NULL);
	return r;
}

gchar **
scn_list(const scn_group *g, const char *key)
{
	gchar **v = g_strsplit(text_of(g, key), ",", -1);
	GPtrArray *a = g_ptr_array_new();
	for (int i = 0; v[i]; i++) {
		char *s = g_strstrip(v[i]);
		if (*s)
			g_ptr_array_add(a, g_strdup(s));
	}
	g_ptr_array_add(a, NULL);
	g_strfreev(v);
	return (gchar **)g_ptr_array_free(a, FALSE);
}

gchar **
scn_free_keys(const scn_group *g)
{
	GPtrArray *a = g_ptr_array_new();
	for (guint i = 0; i < g->key_order->len; i++)
		g_ptr_array_add(a, g_strdup(g_ptr_array_index(g->key_order, i)));
	g_ptr_array_add(a, NULL);
	return (gchar **)g_ptr_array_free(a, FALSE);
}
