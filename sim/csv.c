/*
 * csv.c - a small RFC 4180 CSV writer.
 *
 * Time series write a row per connection per interval (300,000 rows for
 * a thousand connections over 30 s), so the fields go out with the
 * unlocked stdio calls (a run is one thread) and the quoting test is a
 * plain loop over what are short names.
 */
#define _GNU_SOURCE /* fputs_unlocked */
#include "csv.h"

#include "stats.h"

#include <string.h>

struct sim_csv {
	sim_outfile *f;
	guint ncols, field;
};

sim_csv *
sim_csv_open(const char *path, const char *const *columns, GError **error)
{
	sim_outfile *f = sim_outfile_open(path, error);
	if (!f)
		return NULL;
	sim_csv *c = g_new0(sim_csv, 1);
	c->f = f;
	for (guint i = 0; columns[i]; i++)
		sim_csv_str(c, columns[i]);
	c->ncols = c->field;
	sim_csv_end_row(c);
	return c;
}

static void
sep(sim_csv *c)
{
	if (c->field++ > 0)
		fputc_unlocked(',', c->f->fp);
}

static gboolean
needs_quotes(const char *s)
{
	for (; *s; s++)
		if (*s == ',' || *s == '"' || *s == '\n' || *s == '\r')
			return TRUE;
	return FALSE;
}

void
sim_csv_str(sim_csv *c, const char *s)
{
	sep(c);
	if (needs_quotes(s)) { /* rare: names have no commas or quotes */
		char *q = sim_csv_field_text(s);
		fputs_unlocked(q, c->f->fp);
		g_free(q);
	} else {
		fputs_unlocked(s, c->f->fp);
	}
}

char *
sim_csv_field_text(const char *s)
{
	if (!needs_quotes(s))
		return g_strdup(s);
	GString *q = g_string_new("\"");
	for (; *s; s++) {
		if (*s == '"')
			g_string_append_c(q, '"');
		g_string_append_c(q, *s);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

size_t
sim_csv_double_text(double v, char *buf)
{
	sim_stats_format_double(v, buf, 64);
	if (strcmp(buf, "null") == 0) /* not finite: an empty field */
		buf[0] = '\0';
	return strlen(buf);
}

void
sim_csv_double(sim_csv *c, double v)
{
	char buf[64];
	sim_csv_double_text(v, buf);
	sep(c);
	fputs_unlocked(buf, c->f->fp);
}

void
sim_csv_put_row(sim_csv *c, const char *row, size_t len)
{
	g_assert(c->field == 0 && len > 0 && row[len - 1] == '\n');
	fwrite_unlocked(row, 1, len, c->f->fp);
}

void
sim_csv_int(sim_csv *c, int64_t v)
{
	sep(c);
	fprintf(c->f->fp, "%" G_GINT64_FORMAT, v);
}

void
sim_csv_end_row(sim_csv *c)
{
	g_assert(c->ncols == 0 || c->field == c->ncols);
	fputc_unlocked('\n', c->f->fp);
	c->field = 0;
}

gboolean
sim_csv_close(sim_csv *c, GError **error)
{
	gboolean ok = sim_outfile_commit(c->f, error);
	g_free(c);
	return ok;
}

void
sim_csv_abort(sim_csv *c)
{
	if (!c)
		return;
	sim_outfile_abort(c->f);
	g_free(c);
}
