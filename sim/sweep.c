/*
 * sweep.c - expanding a scenario's [sweep] into points.
 *
 * Each swept key gets a list of values, written out ("1ms; 2ms") or as an
 * inclusive range ("1.2ms to 24ms step 1.2ms").  Ranges of times and rates
 * are stepped in integers, so "1.2ms to 24ms step 1.2ms" gives exactly 20
 * values; plain numbers are stepped as doubles.  Keys form axes: each key
 * alone, or the keys named together in `zip`; the points are the
 * cartesian product of the axes, last axis fastest.
 */
#include "scenario.h"

#include <math.h>
#include <string.h>

#define RANGE_MAX 100000   /* values of one range */
#define POINTS_MAX 1000000 /* points of one sweep */

static const char *const reserved[] = { "zip", "columns", "repeat", NULL };

static gboolean
is_reserved(const char *k)
{
	return g_strv_contains(reserved, k);
}

/* Values of a range "A to B step C" of times, rates or numbers. */
static gboolean
expand_range(const char *text, GPtrArray *out, GError **error)
{
	gchar **a = g_strsplit(text, " to ", 2);
	gchar **b = a[1] ? g_strsplit(a[1], " step ", 2) : NULL;
	gboolean ok = FALSE;
	if (!b || !b[1]) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "range \"%s\" must read \"FROM to TO step STEP\"",
			    text);
		goto out;
	}
	const char *s0 = g_strstrip(a[0]), *s1 = g_strstrip(b[0]),
		   *s2 = g_strstrip(b[1]);
	int64_t x0, x1, dx;
	char buf[SIM_TIME_BUFSZ];
	if (sim_parse_time(s0, &x0, NULL) && sim_parse_time(s1, &x1, NULL) &&
	    sim_parse_time(s2, &dx, NULL) &&
	    (g_ascii_isalpha(s1[strlen(s1) - 1]) ||
	     g_ascii_isalpha(s2[strlen(s2) - 1]))) {
		if (dx <= 0 || x1 < x0)
			goto bad;
		if ((x1 - x0) / dx >= RANGE_MAX)
			goto too_many;
		for (int64_t x = x0; x <= x1; x += dx)
			g_ptr_array_add(out, g_strdup(sim_format_time(x, buf)));
	} else if (sim_parse_rate(s0, &x0, NULL) &&
		   sim_parse_rate(s1, &x1, NULL) &&
		   sim_parse_rate(s2, &dx, NULL)) {
		if (dx <= 0 || x1 < x0)
			goto bad;
		if ((x1 - x0) / dx >= RANGE_MAX)
			goto too_many;
		for (int64_t x = x0; x <= x1; x += dx)
			g_ptr_array_add(out, g_strdup(sim_format_rate(x, buf)));
	} else {
		char *e0, *e1, *e2;
		double d0 = g_ascii_strtod(s0, &e0), d1 = g_ascii_strtod(s1, &e1),
		       d2 = g_ascii_strtod(s2, &e2);
		if (*e0 || *e1 || *e2 || !*s0 || !*s1 || !*s2) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "range \"%s\": FROM, TO and STEP must be "
				    "all times, all rates or all numbers",
				    text);
			goto out;
		}
		if (!(d2 > 0) || !(d1 >= d0) || !isfinite(d1 - d0))
			goto bad;
		double steps = floor((d1 - d0) / d2 + 1e-9);
		if (!(steps < RANGE_MAX))
			goto too_many;
		long n = lround(steps);
		for (long i = 0; i <= n; i++) {
			char num[G_ASCII_DTOSTR_BUF_SIZE];
			g_ascii_formatd(num, sizeof num, "%.10g", d0 + i * d2);
			g_ptr_array_add(out, g_strdup(num));
		}
	}
	ok = TRUE;
	goto out;
too_many:
	/* Counted before expanding: "1ns to 10s step 1ns" must not hang. */
	g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
		    "range \"%s\" has more than %d values", text, RANGE_MAX);
	goto out;
bad:
	g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
		    "range \"%s\" is empty or has a step that is not positive",
		    text);
out:
	g_strfreev(a);
	g_strfreev(b);
	return ok;
}

static GPtrArray *
values_of(const scn_group *sw, const char *key, GError **error)
{
	const char *text = scn_str(sw, key);
	GPtrArray *vals = g_ptr_array_new_with_free_func(g_free);
	GError *e = NULL;
	if (strstr(text, " to ")) {
		if (!expand_range(text, vals, &e)) {
			scn_set_error(error, sw, key, "%s", e->message);
			g_error_free(e);
			g_ptr_array_free(vals, TRUE);
			return NULL;
		}
		return vals;
	}
	gchar **v = g_strsplit(text, ";", -1);
	for (int i = 0; v[i]; i++) {
		char *s = g_strstrip(v[i]);
		if (*s)
			g_ptr_array_add(vals, g_strdup(s));
	}
	g_strfreev(v);
	if (vals->len == 0) {
		scn_set_error(error, sw, key, "no values to sweep over");
		g_ptr_array_free(vals, TRUE);
		return NULL;
	}
	return vals;
}

void
scn_sweep_free(scn_sweep *sw)
{
	if (!sw)
		return;
	for (guint p = 0; p < sw->npoints; p++)
		g_strfreev(sw->values[p]);
	g_free(sw->values);
	g_strfreev(sw->keys);
	g_strfreev(sw->col_names);
	g_strfreev(sw->col_paths);
	g_free(sw);
}

scn_sweep *
scn_sweep_expand(const scenario *sc, GError **error)
{
	scn_group *g = scn_find(sc, "sweep", NULL);
	gchar **keys = g ? scn_free_keys(g) : NULL;
	GPtrArray *swept = g_ptr_array_new();
	for (int i = 0; keys && keys[i]; i++)
		if (!is_reserved(keys[i]))
			g_ptr_array_add(swept, keys[i]);
	if (swept->len == 0 && !(g && scn_has(g, "repeat"))) {
		g_ptr_array_free(swept, TRUE);
		g_strfreev(keys);
		return NULL;
	}

	scn_sweep *sw = g_new0(scn_sweep, 1);
	/* repeat = N: replications, as a last axis of N seeds. */
	GPtrArray *seeds = NULL;
	if (scn_has(g, "repeat")) {
		char *end = NULL;
		const char *t = scn_str(g, "repeat");
		gint64 n = g_ascii_strtoll(t, &end, 10);
		gboolean has_seed = FALSE;
		for (guint i = 0; i < swept->len; i++)
			has_seed |= strcmp(g_ptr_array_index(swept, i),
					   "simulation.seed") == 0;
		if (!end || *end || end == t || n < 1 || n > 10000) {
			scn_set_error(error, g, "repeat",
				      "\"%s\": give the number of replications, "
				      "1 to 10000", t);
		} else if (has_seed) {
			scn_set_error(error, g, "repeat",
				      "sweeps simulation.seed itself: sweep the "
				      "seed or repeat, not both");
		} else {
			gint64 base = scn_int(scn_single(sc, "simulation"),
					      "seed");
			seeds = g_ptr_array_new_with_free_func(g_free);
			for (gint64 k = 0; k < n; k++)
				g_ptr_array_add(seeds, g_strdup_printf(
					"%" G_GINT64_FORMAT, base + k));
			g_ptr_array_add(swept, "simulation.seed");
			sw->repeat = (guint)n;
		}
		if (!seeds) {
			g_ptr_array_free(swept, TRUE);
			g_strfreev(keys);
			g_free(sw);
			return NULL;
		}
	}
	guint nk = swept->len;
	GPtrArray **vals = g_new0(GPtrArray *, nk);
	int *axis = g_new(int, nk);
	gboolean ok = TRUE;
	scn_group *vars = scn_find(sc, "vars", NULL);

	for (guint i = 0; ok && i < nk; i++) {
		const char *k = g_ptr_array_index(swept, i);
		axis[i] = (int)i;
		if (!strchr(k, '.') && !(vars && scn_has(vars, k))) {
			scn_set_error(error, g, k,
				      "is neither a [vars] name nor group.key");
			ok = FALSE;
			break;
		}
		if (seeds && i == nk - 1) {
			vals[i] = seeds; /* repeat's axis */
			continue;
		}
		vals[i] = values_of(g, k, error);
		ok = vals[i] != NULL;
	}
	/* zip = a, b; c, d: keys of one zip share an axis. */
	gboolean *zipped = g_new0(gboolean, nk);
	if (ok && scn_has(g, "zip")) {
		gchar **zips = g_strsplit(scn_str(g, "zip"), ";", -1);
		for (int z = 0; ok && zips[z]; z++) {
			gchar **names = g_strsplit(zips[z], ",", -1);
			int first = -1;
			for (int n = 0; ok && names[n]; n++) {
				char *nm = g_strstrip(names[n]);
				if (!*nm)
					continue;
				int idx = -1;
				for (guint i = 0; i < nk; i++)
					if (strcmp(g_ptr_array_index(swept, i),
						   nm) == 0)
						idx = (int)i;
				if (idx < 0) {
					scn_set_error(error, g, "zip",
						      "%s is not a swept key", nm);
					ok = FALSE;
				} else if (zipped[idx]) {
					/* A second zip would leave its other
					 * keys on an axis nobody steps. */
					scn_set_error(error, g, "zip",
						      "%s is named twice", nm);
					ok = FALSE;
				} else {
					zipped[idx] = TRUE;
					if (first < 0) {
						first = idx;
					} else if (vals[idx]->len !=
						   vals[first]->len) {
						scn_set_error(
						    error, g, "zip",
						    "%s has %u values but %s "
						    "has %u",
						    nm, vals[idx]->len,
						    (char *)g_ptr_array_index(
							swept, first),
						    vals[first]->len);
						ok = FALSE;
					} else {
						axis[idx] = first;
					}
				}
			}
			g_strfreev(names);
		}
		g_strfreev(zips);
	}
	g_free(zipped);
	if (ok) {
		/* Points: product over axes (keys whose axis is themselves). */
		guint64 npoints = 1;
		for (guint i = 0; i < nk; i++)
			if (axis[i] == (int)i && npoints <= POINTS_MAX)
				npoints *= vals[i]->len;
		if (npoints > POINTS_MAX) {
			scn_set_error(error, g, NULL,
				      "the sweep has more than %d points",
				      POINTS_MAX);
			ok = FALSE;
		} else {
			sw->nkeys = nk;
			sw->keys = g_new0(gchar *, nk + 1);
			for (guint i = 0; i < nk; i++)
				sw->keys[i] = g_strdup(g_ptr_array_index(swept, i));
			sw->npoints = (guint)npoints;
			sw->values = g_new0(gchar **, npoints);
			for (guint p = 0; p < npoints; p++) {
				sw->values[p] = g_new0(gchar *, nk + 1);
				guint rest = p;
				guint *idx = g_new0(guint, nk);
				for (int i = (int)nk - 1; i >= 0; i--)
					if (axis[i] == i) {
						idx[i] = rest % vals[i]->len;
						rest /= vals[i]->len;
					}
				for (guint i = 0; i < nk; i++)
					sw->values[p][i] = g_strdup(
						g_ptr_array_index(vals[i],
								  idx[axis[i]]));
				g_free(idx);
			}
		}
	}
	if (ok && scn_has(g, "columns")) {
		gchar **cols = g_strsplit(scn_str(g, "columns"), ";", -1);
		GPtrArray *names = g_ptr_array_new(), *paths = g_ptr_array_new();
		for (int c = 0; ok && cols[c]; c++) {
			char *s = g_strstrip(cols[c]);
			if (!*s)
				continue;
			char *eq = strchr(s, '=');
			if (!eq) {
				scn_set_error(error, g, "columns",
					      "\"%s\" must read name=summary.path",
					      s);
				ok = FALSE;
				break;
			}
			char *name = g_strstrip(g_strndup(s, eq - s));
			char *path = g_strstrip(g_strdup(eq + 1));
			gboolean dup = FALSE;
			for (guint i = 0; i < names->len; i++)
				dup |= strcmp(names->pdata[i], name) == 0;
			for (guint i = 0; i < nk; i++)
				dup |= strcmp(sw->keys[i], name) == 0;
			dup |= strcmp(name, "point") == 0;
			if (!*name || !*path) {
				scn_set_error(error, g, "columns",
					      "\"%s\" must read name=summary.path",
					      s);
				ok = FALSE;
			} else if (dup) {
				scn_set_error(error, g, "columns",
					      "column \"%s\" is named twice in "
					      "sweep.csv", name);
				ok = FALSE;
			}
			g_ptr_array_add(names, name);
			g_ptr_array_add(paths, path);
		}
		sw->ncolumns = names->len;
		g_ptr_array_add(names, NULL);
		g_ptr_array_add(paths, NULL);
		sw->col_names = (gchar **)g_ptr_array_free(names, FALSE);
		sw->col_paths = (gchar **)g_ptr_array_free(paths, FALSE);
		g_strfreev(cols);
	}
	if (seeds && vals[nk - 1] != seeds)
		g_ptr_array_free(seeds, TRUE); /* an earlier key failed */
	for (guint i = 0; i < nk; i++)
		if (vals[i])
			g_ptr_array_free(vals[i], TRUE);
	g_free(vals);
	g_free(axis);
	g_ptr_array_free(swept, TRUE);
	g_strfreev(keys);
	if (!ok) {
		scn_sweep_free(sw);
		return NULL;
	}
	return sw;
}

gchar **
scn_sweep_point_overrides(const scn_sweep *sw, guint point)
{
	gchar **ov = g_new0(gchar *, sw->nkeys + 1);
	for (guint i = 0; i < sw->nkeys; i++) {
		const char *k = sw->keys[i];
		ov[i] = strchr(k, '.')
				? g_strdup_printf("%s=%s", k, sw->values[point][i])
				: g_strdup_printf("vars.%s=%s", k,
						  sw->values[point][i]);
	}
	return ov;
}
