/*
 * stats.c - a map from dotted paths to values, printed as JSON.
 *
 * Registration appends to an array (a scenario of 10,000 connections
 * registers about a million paths) in memory taken from large blocks
 * (a malloc and a free per entry were a fifth of set-up and tear-down).
 * The array is sorted by path when it is first read (a lookup or the
 * JSON); entries registered after that are sorted and merged in at the
 * next read.  Lookups are binary searches.  A path registered twice is a
 * bug in the model that did it (two objects with one name, or a result
 * written over another): the sort finds the two side by side and aborts
 * with the path instead of writing one result or the other.  (A hash
 * index found it at the second registration, but cost a sixth of a large
 * scenario's set-up and a sixth of its registry's memory.)
 */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_U64, K_I64, K_FN, K_DOUBLE, K_INT, K_STRING, K_STRFN };

struct value {
	enum kind kind;
	union {
		const uint64_t *u64;
		const int64_t *i64;
		struct {
			sim_stats_double_fn fn;
			void *ctx;
		} f;
		struct {
			sim_stats_string_fn fn;
			void *ctx;
		} sf;
		double d;
		int64_t i;
		char *s;
	};
	char path[]; /* the key (see SEP), in the same allocation */
};

/*
 * Paths are kept with SEP for '.': SEP sorts below every printable
 * character, so plain strcmp orders them component by component ("a.b.c"
 * next to "a.b.d", never "a.b-x" in between) and each JSON object is
 * emitted in one piece.
 */
#define SEP '\1'

/* path with SEP for '.', into buf of n = strlen(path) + 1 bytes. */
static void
path_key(char *buf, const char *path, size_t n)
{
	g_assert(memchr(path, SEP, n) == NULL);
	memcpy(buf, path, n);
	for (char *q = buf; (q = memchr(q, '.', n - (size_t)(q - buf)));)
		*q++ = SEP;
}

struct sim_stats {
	GPtrArray *order;  /* every value; [0, nsorted) sorted by path */
	guint nsorted;
	GPtrArray *blocks; /* the memory of values, paths and strings */
	char *at, *end;	   /* free part of the newest block */
};

enum { BLOCK = 256 * 1024 };

/* n bytes, 8-aligned, that live as long as st. */
static void *
st_alloc(sim_stats *st, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if ((size_t)(st->end - st->at) < n) {
		size_t len = MAX(n, (size_t)BLOCK);
		st->at = g_malloc(len);
		st->end = st->at + len;
		g_ptr_array_add(st->blocks, st->at);
	}
	void *p = st->at;
	st->at += n;
	return p;
}

static int
value_cmp(const void *a, const void *b)
{
	const struct value *const *x = a, *const *y = b;
	return strcmp((*x)->path, (*y)->path);
}

sim_stats *
sim_stats_new(void)
{
	sim_stats *st = g_new0(sim_stats, 1);
	st->order = g_ptr_array_new();
	st->blocks = g_ptr_array_new_with_free_func(g_free);
	return st;
}

void
sim_stats_free(sim_stats *st)
{
	if (!st)
		return;
	g_ptr_array_free(st->order, TRUE);
	g_ptr_array_free(st->blocks, TRUE);
	g_free(st);
}

static struct value *
add(sim_stats *st, const char *path, enum kind kind)
{
	g_assert(path && *path && path[0] != '.');
	size_t n = strlen(path) + 1;
	struct value *v = st_alloc(st, sizeof *v + n);
	path_key(v->path, path, n);
	v->kind = kind;
	/* Registered in order (common: one object's results in a row)
	 * keeps the array sorted as it grows. */
	guint len = st->order->len;
	if (st->nsorted == len &&
	    (len == 0 ||
	     strcmp(((struct value *)st->order->pdata[len - 1])->path,
		    v->path) < 0))
		st->nsorted = len + 1;
	g_ptr_array_add(st->order, v);
	return v;
}

/* Sort what was registered since the last read and merge it in; a path
 * found twice aborts (see the top of the file). */
static void
ensure_sorted(const sim_stats *cst)
{
	sim_stats *st = (sim_stats *)cst; /* the order is a cache */
	guint n = st->order->len, k = st->nsorted;
	struct value **v = (struct value **)st->order->pdata;

	if (k == n)
		return;
	qsort(v + k, n - k, sizeof *v, value_cmp);
	if (k > 0 && strcmp(v[k - 1]->path, v[k]->path) >= 0) {
		struct value **m = g_new(struct value *, n);
		guint i = 0, j = k, o = 0;
		while (i < k && j < n)
			m[o++] = strcmp(v[i]->path, v[j]->path) <= 0 ? v[i++]
								      : v[j++];
		while (i < k)
			m[o++] = v[i++];
		while (j < n)
			m[o++] = v[j++];
		memcpy(v, m, n * sizeof *v);
		g_free(m);
	}
	for (guint i = k ? k - 1 : 0; i + 1 < n; i++) {
		if (strcmp(v[i]->path, v[i + 1]->path) != 0)
			continue;
		char *p = g_strdup(v[i]->path);
		for (char *q = p; (q = strchr(q, SEP)); q++)
			*q = '.';
		fprintf(stderr, "nemsim: internal error: summary path \"%s\" "
			"registered twice\n", p);
		abort();
	}
	st->nsorted = n;
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
sim_stats_add_string_fn(sim_stats *st, const char *path,
			sim_stats_string_fn fn, void *ctx)
{
	struct value *v = add(st, path, K_STRFN);
	v->sf.fn = fn;
	v->sf.ctx = ctx;
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
	size_t n = strlen(s) + 1;
	char *copy = st_alloc(st, n);
	memcpy(copy, s, n);
	add(st, path, K_STRING)->s = copy;
}

static struct value *
lookup(const sim_stats *st, const char *path)
{
	size_t n = strlen(path) + 1;
	char buf[256];
	char *key = n <= sizeof buf ? buf : g_malloc(n);
	path_key(key, path, n);
	ensure_sorted(st);
	struct value **v = (struct value **)st->order->pdata, *found = NULL;
	guint lo = 0, hi = st->order->len;
	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid]->path, key);
		if (c == 0) {
			found = v[mid];
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (key != buf)
		g_free(key);
	return found;
}

gboolean
sim_stats_has(const sim_stats *st, const char *path)
{
	return lookup(st, path) != NULL;
}

gboolean
sim_stats_get_double(const sim_stats *st, const char *path, double *out)
{
	struct value *v = lookup(st, path);
	if (!v)
		return FALSE;
	switch (v->kind) {
	case K_U64: *out = (double)*v->u64; return TRUE;
	case K_I64: *out = (double)*v->i64; return TRUE;
	case K_FN: *out = v->f.fn(v->f.ctx); return TRUE;
	case K_DOUBLE: *out = v->d; return TRUE;
	case K_INT: *out = (double)v->i; return TRUE;
	case K_STRING: return FALSE;
	case K_STRFN: return FALSE;
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

/* s[0, n) as a JSON string: runs of plain bytes are appended whole. */
static void
json_append_n(GString *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	g_string_append_c(out, '"');
	while (p < end) {
		const unsigned char *run = p;
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			g_string_append_len(out, (const char *)run, p - run);
		if (p == end)
			break;
		if (*p == '"' || *p == '\\') {
			char esc[2] = { '\\', (char)*p };
			g_string_append_len(out, esc, 2);
		} else {
			char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4],
					hex[*p & 15] };
			g_string_append_len(out, esc, 6);
		}
		p++;
	}
	g_string_append_c(out, '"');
}

void
sim_json_append_string(GString *out, const char *s)
{
	json_append_n(out, s, strlen(s));
}

/* A whole number in decimal, as printf's "%" PRIu64 / PRId64. */
static void
append_u64(GString *out, uint64_t u, gboolean negative)
{
	char buf[24], *o = buf + sizeof buf;

	do {
		*--o = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (negative)
		*--o = '-';
	g_string_append_len(out, o, buf + sizeof buf - o);
}

static void
append_i64(GString *out, int64_t i)
{
	/* The magnitude in unsigned arithmetic: INT64_MIN has no positive. */
	append_u64(out, i < 0 ? -(uint64_t)i : (uint64_t)i, i < 0);
}

static void
json_value(GString *out, const struct value *v)
{
	char buf[64];
	switch (v->kind) {
	case K_U64:
		append_u64(out, *v->u64, FALSE);
		break;
	case K_I64:
		append_i64(out, *v->i64);
		break;
	case K_INT:
		append_i64(out, v->i);
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
		sim_json_append_string(out, v->s);
		break;
	case K_STRFN: {
		char *t = v->sf.fn(v->sf.ctx);
		sim_json_append_string(out, t);
		g_free(t);
		break;
	}
	}
}

/*
 * The writer walks the paths in order and keeps the objects of the last
 * path open: each component is a (pointer, length) into that path, which
 * lives as long as the registry, so nothing is split or copied per key.
 */
enum { MAX_DEPTH = 64 };

struct emit {
	GString *out;
	const char *open[MAX_DEPTH]; /* components of the open objects */
	size_t open_len[MAX_DEPTH];
	guint nopen;
	gboolean first[MAX_DEPTH];
};

static void
indent(GString *out, guint depth)
{
	static const char spaces[] = "                                ";

	for (size_t n = 2 * (size_t)depth; n > 0;) {
		size_t k = MIN(n, sizeof spaces - 1);
		g_string_append_len(out, spaces, k);
		n -= k;
	}
}

static void
emit_one(struct emit *e, const char *key, const struct value *val)
{
	const char *comp[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	guint np = 0;

	for (const char *p = key;;) {
		const char *q = strchr(p, SEP);
		g_assert(np < MAX_DEPTH);
		comp[np] = p;
		len[np] = q ? (size_t)(q - p) : strlen(p);
		np++;
		if (!q)
			break;
		p = q + 1;
	}

	/* Common prefix with the open objects (all but the leaf). */
	guint common = 0;
	while (common < e->nopen && common < np - 1 &&
	       e->open_len[common] == len[common] &&
	       memcmp(e->open[common], comp[common], len[common]) == 0)
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
		json_append_n(e->out, comp[i], len[i]);
		g_string_append_len(e->out, ": {", 3);
		e->first[i + 1] = TRUE;
		e->open[i] = comp[i];
		e->open_len[i] = len[i];
		e->nopen = i + 1;
	}
	g_string_append(e->out, e->first[np - 1] ? "\n" : ",\n");
	e->first[np - 1] = FALSE;
	indent(e->out, np);
	json_append_n(e->out, comp[np - 1], len[np - 1]);
	g_string_append_len(e->out, ": ", 2);
	json_value(e->out, val);
}

char *
sim_stats_to_json(const sim_stats *st)
{
	struct emit e = { 0 };
	e.out = g_string_new("{");
	e.first[0] = TRUE;
	/* In path order.  A value's function may look other paths up; the
	 * order is complete before the first is called. */
	ensure_sorted(st);
	guint n = st->order->len;
	struct value **v = (struct value **)st->order->pdata;
	for (guint i = 0; i < n; i++)
		emit_one(&e, v[i]->path, v[i]);
	while (e.nopen > 0) {
		g_string_append_c(e.out, '\n');
		indent(e.out, e.nopen);
		g_string_append_c(e.out, '}');
		e.nopen--;
	}
	g_string_append(e.out, "\n}\n");
	return g_string_free(e.out, FALSE);
}
