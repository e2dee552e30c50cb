/*
 * stats.c - a sorted map from dotted paths to values, printed as JSON.
 */
#include "stats.h"

#include <math.h>
#include <string.h>

enum kind { K_U64, K_I64, K_FN, K_DOUBLE, K_INT, K_STRING };

struct value {
	enum kind kind;
	union {
		const uint64_t *u64;
		const int64_t *i64;
		struct {
			sim_stats_double_fn fn;
			void *ctx;
		} f;
		double d;
		int64_t i;
		char *s;
	};
};

struct sim_stats {
	GTree *tree; /* path -> struct value */
};

static void
value_free(gpointer p)
{
	struct value *v = p;
	if (v->kind == K_STRING)
		g_free(v->s);
	g_free(v);
}

/*
 * Order paths component by component ("a.b.c" next to "a.b.d", never
 * "a.b-x" in between), so that each JSON object is emitted in one piece.
 */
static int
path_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const unsigned char *p = a, *q = b;
	(void)unused;
	for (;;) {
		unsigned char c = *p == '.' ? 1 : *p, d = *q == '.' ? 1 : *q;
		if (c != d)
			return c < d ? -1 : 1;
		if (c == 0)
			return 0;
		p++;
		q++;
	}
}

sim_stats *
sim_stats_new(void)
{
	sim_stats *st = g_new0(sim_stats, 1);
	st->tree = g_tree_new_full(path_cmp, NULL, g_free, value_free);
	return st;
}

void
sim_stats_free(sim_stats *st)
{
	if (!st)
		return;
	g_tree_destroy(st->tree);
	g_free(st);
}

static struct value *
add(sim_stats *st, const char *path, enum kind kind)
{
	g_assert(path && *path && path[0] != '.');
	struct value *v = g_new0(struct value, 1);
	v->kind = kind;
	g_tree_replace(st->tree, g_strdup(path), v);
	return v;
}

void
sim_stats_add_u64(sim_stats *st, const char *path, const uint64_t *p)
{
	add(st, path, K_U64)->u64 = p;
}

void
sim_stats_add_i64(sim_stats *st, const char *path, const int64_t *p)
{
	add(st, path, K_I64)->i64 = p;
}

void
sim_stats_add_fn(sim_stats *st, const char *path, sim_stats_double_fn fn,
		 void *ctx)
{
	struct value *v = add(st, path, K_FN);
	v->f.fn = fn;
	v->f.ctx = ctx;
}

void
sim_stats_set_double(sim_stats *st, const char *path, double d)
{
	add(st, path, K_DOUBLE)->d = d;
}

void
sim_stats_set_int(sim_stats *st, const char *path, int64_t i)
{
	add(st, path, K_INT)->i = i;
}

void
sim_stats_set_string(sim_stats *st, const char *path, const char *s)
{
	add(st, path, K_STRING)->s = g_strdup(s);
}

gboolean
sim_stats_has(const sim_stats *st, const char *path)
{
	return g_tree_lookup(st->tree, path) != NULL;
}

gboolean
sim_stats_get_double(const sim_stats *st, const char *path, double *out)
{
	struct value *v = g_tree_lookup(st->tree, path);
	if (!v)
		return FALSE;
	switch (v->kind) {
	case K_U64: *out = (double)*v->u64; return TRUE;
	case K_I64: *out = (double)*v->i64; return TRUE;
	case K_FN: *out = v->f.fn(v->f.ctx); return TRUE;
	case K_DOUBLE: *out = v->d; return TRUE;
	case K_INT: *out = (double)v->i; return TRUE;
	case K_STRING: return FALSE;
	}
	return FALSE;
}

/*
 * printf's "%.9g" for 1e-4 <= |v| < 1e9 (fixed notation), without
 * printf: the nine significant digits are v scaled by a power of ten and
 * rounded.  The scaling costs at most one rounding (powers of ten up to
 * 1e22 are exact doubles), an error far below 1e-5 of a unit in the
 * ninth digit, so the result is printf's whenever the scaled value is
 * not within 1e-5 of a rounding tie; then, and outside the range, FALSE
 * (the caller asks printf).  An exponent misjudged at a power of ten
 * (1.0 / 10^k is rounded) shows as fewer or more than nine digits and
 * also falls back.  Tested against printf over millions of
 * values (tests/sim/test_units.c).
 */
static gboolean
format_g9_fast(double v, char *buf, size_t len)
{
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14,
	};
	double a = fabs(v);
	if (!(a >= 1e-4 && a < 1e9) || len < 24)
		return FALSE;
	int e = 0; /* decimal exponent of the first digit */
	if (a >= 1) {
		while (e < 8 && a >= p10[e + 1])
			e++;
	} else {
		while (e > -4 && a < 1.0 / p10[-e])
			e--;
	}
	int k = 8 - e; /* 0 .. 12: scale to nine digits */
	double scaled = a * p10[k];
	double r = floor(scaled + 0.5);
	double frac = scaled - floor(scaled);
	if (fabs(frac - 0.5) < 1e-5 || r < 1e8 || r >= 1e9)
		return FALSE;
	char dig[10];
	uint32_t n = (uint32_t)r;
	for (int i = 8; i >= 0; i--) {
		dig[i] = (char)('0' + n % 10);
		n /= 10;
	}
	/* Drop trailing zeros: they never show in %g. */
	int nd = 9;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	char *o = buf;
	if (v < 0)
		*o++ = '-';
	if (e >= 0) {
		int intd = e + 1; /* digits before the point */
		for (int i = 0; i < intd; i++)
			*o++ = i < nd ? dig[i] : '0';
		if (nd > intd) {
			*o++ = '.';
			for (int i = intd; i < nd; i++)
				*o++ = dig[i];
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (int i = 0; i < -e - 1; i++)
			*o++ = '0';
		for (int i = 0; i < nd; i++)
			*o++ = dig[i];
	}
	*o = '\0';
	return TRUE;
}

void
sim_stats_format_double(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		g_strlcpy(buf, "null", len);
		return;
	}
	if (v == 0) {
		g_strlcpy(buf, "0", len); /* no "-0" */
		return;
	}
	/* A whole number of 10^9 or more (counters of nanoseconds) stays
	 * exact, so that sums of them still add up in the JSON; up to 2^53
	 * every integer is exact in a double. */
	if (fabs(v) >= 1e9 && fabs(v) <= 9007199254740992.0 && v == floor(v)) {
		g_snprintf(buf, len, "%.0f", v);
		return;
	}
	if (!format_g9_fast(v, buf, len))
		g_snprintf(buf, len, "%.9g", v);
}

static void
json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

static void
json_value(GString *out, const struct value *v)
{
	char buf[64];
	switch (v->kind) {
	case K_U64:
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, *v->u64);
		break;
	case K_I64:
		g_string_append_printf(out, "%" G_GINT64_FORMAT, *v->i64);
		break;
	case K_INT:
		g_string_append_printf(out, "%" G_GINT64_FORMAT, v->i);
		break;
	case K_FN:
		sim_stats_format_double(v->f.fn(v->f.ctx), buf, sizeof buf);
		g_string_append(out, buf);
		break;
	case K_DOUBLE:
		sim_stats_format_double(v->d, buf, sizeof buf);
		g_string_append(out, buf);
		break;
	case K_STRING:
		json_string(out, v->s);
		break;
	}
}

struct emit {
	GString *out;
	gchar **open; /* components of the currently open object path */
	guint nopen;
	gboolean first[64];
};

static void
indent(GString *out, guint depth)
{
	for (guint i = 0; i < depth; i++)
		g_string_append(out, "  ");
}

static gboolean
emit_one(gpointer key, gpointer val, gpointer data)
{
	struct emit *e = data;
	gchar **parts = g_strsplit(key, ".", -1);
	guint np = g_strv_length(parts);
	g_assert(np < G_N_ELEMENTS(e->first));

	/* Common prefix with the open objects (all but the leaf). */
	guint common = 0;
	while (common < e->nopen && common < np - 1 &&
	       strcmp(e->open[common], parts[common]) == 0)
		common++;
	/* Close objects that are no longer open. */
	while (e->nopen > common) {
		g_string_append_c(e->out, '\n');
		indent(e->out, e->nopen);
		g_string_append_c(e->out, '}');
		e->nopen--;
	}
	/* Open new objects down to the leaf's parent. */
	for (guint i = common; i < np - 1; i++) {
		g_string_append(e->out, e->first[i] ? "\n" : ",\n");
		e->first[i] = FALSE;
		indent(e->out, i + 1);
		json_string(e->out, parts[i]);
		g_string_append(e->out, ": {");
		e->first[i + 1] = TRUE;
		g_free(e->open[i]);
		e->open[i] = g_strdup(parts[i]);
		e->nopen = i + 1;
	}
	g_string_append(e->out, e->first[np - 1] ? "\n" : ",\n");
	e->first[np - 1] = FALSE;
	indent(e->out, np);
	json_string(e->out, parts[np - 1]);
	g_string_append(e->out, ": ");
	json_value(e->out, val);
	g_strfreev(parts);
	return FALSE;
}

char *
sim_stats_to_json(const sim_stats *st)
{
	struct emit e = { 0 };
	e.out = g_string_new("{");
	e.open = g_new0(gchar *, G_N_ELEMENTS(e.first));
	e.first[0] = TRUE;
	g_tree_foreach(st->tree, emit_one, &e);
	while (e.nopen > 0) {
		g_string_append_c(e.out, '\n');
		indent(e.out, e.nopen);
		g_string_append_c(e.out, '}');
		e.nopen--;
	}
	g_string_append(e.out, "\n}\n");
	for (guint i = 0; i < G_N_ELEMENTS(e.first); i++)
		g_free(e.open[i]);
	g_free(e.open);
	return g_string_free(e.out, FALSE);
}
