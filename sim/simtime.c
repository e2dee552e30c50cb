/*
 * simtime.c - exact parsing and printing of times, rates and lengths.
 *
 * A quantity is a decimal number followed by a unit.  The number is read
 * as an integer mantissa and a count of fractional digits, then scaled by
 * the unit in integer arithmetic, so no value is ever rounded silently.
 */
#include "simtime.h"

#include <string.h>

G_DEFINE_QUARK(sim-error-quark, sim_error)

struct unit {
	const char *name;
	int64_t scale;
};

static const struct unit time_units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 }, /* µs, MICRO SIGN */
	{ "\xce\xbcs", 1000 }, /* μs, GREEK SMALL LETTER MU */
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ NULL, 0 },
};

static const struct unit rate_units[] = {
	{ "b/s", 1 },
	{ "bps", 1 },
	{ "kb/s", 1000 },
	{ "Kb/s", 1000 },
	{ "Mb/s", 1000000 },
	{ "Gb/s", 1000000000 },
	{ NULL, 0 },
};

static const struct unit length_units[] = {
	{ "mm", 1 },
	{ "cm", 10 },
	{ "m", 1000 },
	{ "km", 1000000 },
	{ NULL, 0 },
};

/*
 * Read "<digits>[.<digits>]<unit>" and return mantissa * unit / 10^frac,
 * which must be an integer.
 */
static gboolean
parse_quantity(const char *text, const struct unit *units, const char *what,
	       gboolean unit_optional_for_zero, int64_t *out, GError **error)
{
	const char *p = text;
	int64_t mant = 0;
	int frac = 0, ndigits = 0;
	gboolean seen_point = FALSE;

	while (g_ascii_isspace(*p))
		p++;
	if (*p == '-') {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s \"%s\" is negative", what, text);
		return FALSE;
	}
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p == '.' && !seen_point) {
			seen_point = TRUE;
			continue;
		}
		if (!g_ascii_isdigit(*p))
			break;
		if (mant > (INT64_MAX - 9) / 10) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s \"%s\" is too large", what, text);
			return FALSE;
		}
		mant = mant * 10 + (*p - '0');
		ndigits++;
		if (seen_point)
			frac++;
	}
	if (ndigits == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s \"%s\" does not start with a number", what, text);
		return FALSE;
	}
	const char *unit = p;
	while (g_ascii_isspace(*unit))
		unit++;
	size_t ulen = strlen(unit);
	while (ulen > 0 && g_ascii_isspace(unit[ulen - 1]))
		ulen--;

	int64_t scale = 0;
	if (ulen == 0) {
		if (!(unit_optional_for_zero && mant == 0)) {
			g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
				    "%s \"%s\" has no unit", what, text);
			return FALSE;
		}
		scale = 1;
	} else {
		for (const struct unit *u = units; u->name; u++) {
			if (strlen(u->name) == ulen &&
			    strncmp(u->name, unit, ulen) == 0) {
				scale = u->scale;
				break;
			}
		}
	}
	if (scale == 0) {
		GString *known = g_string_new(NULL);
		for (const struct unit *u = units; u->name; u++)
			if ((unsigned char)u->name[0] < 0x80)
				g_string_append_printf(known, "%s%s",
						       known->len ? ", " : "",
						       u->name);
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s \"%s\" has an unknown unit \"%.*s\" (use %s)",
			    what, text, (int)ulen, unit, known->str);
		g_string_free(known, TRUE);
		return FALSE;
	}
	if (mant != 0 && mant > INT64_MAX / scale) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s \"%s\" is too large", what, text);
		return FALSE;
	}
	int64_t v = mant * scale;
	int64_t div = 1;
	for (int i = 0; i < frac; i++)
		div *= 10;
	if (v % div != 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "%s \"%s\" is finer than the smallest unit", what,
			    text);
		return FALSE;
	}
	*out = v / div;
	return TRUE;
}

gboolean
sim_parse_time(const char *text, sim_time_t *out, GError **error)
{
	return parse_quantity(text, time_units, "time", TRUE, out, error);
}

gboolean
sim_parse_rate(const char *text, sim_rate_t *out, GError **error)
{
	if (!parse_quantity(text, rate_units, "rate", FALSE, out, error))
		return FALSE;
	if (*out == 0) {
		g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE,
			    "rate \"%s\" is zero", text);
		return FALSE;
	}
	return TRUE;
}

gboolean
sim_parse_length_mm(const char *text, int64_t *out_mm, GError **error)
{
	return parse_quantity(text, length_units, "length", TRUE, out_mm,
			      error);
}

static char *
format_scaled(int64_t v, const struct unit *units, int nunits, char *buf)
{
	if (v == 0) {
		g_strlcpy(buf, "0", SIM_TIME_BUFSZ);
		return buf;
	}
	const char *sign = v < 0 ? "-" : "";
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	/* Largest unit in which the value has at most three decimals. */
	for (int i = nunits - 1; i >= 0; i--) {
		uint64_t sc = (uint64_t)units[i].scale;
		if (a < sc && i > 0)
			continue;
		uint64_t whole = a / sc, rem = a % sc;
		if (rem == 0) {
			g_snprintf(buf, SIM_TIME_BUFSZ, "%s%" G_GUINT64_FORMAT "%s",
				   sign, whole, units[i].name);
			return buf;
		}
		if (sc >= 1000 && rem % (sc / 1000) == 0) {
			char frac[8];
			g_snprintf(frac, sizeof frac, "%03" G_GUINT64_FORMAT,
				   rem / (sc / 1000));
			for (int k = 2; k > 0 && frac[k] == '0'; k--)
				frac[k] = '\0';
			g_snprintf(buf, SIM_TIME_BUFSZ,
				   "%s%" G_GUINT64_FORMAT ".%s%s", sign, whole,
				   frac, units[i].name);
			return buf;
		}
	}
	g_snprintf(buf, SIM_TIME_BUFSZ, "%s%" G_GUINT64_FORMAT "%s", sign, a,
		   units[0].name);
	return buf;
}

char *
sim_format_time(sim_time_t t, char *buf)
{
	static const struct unit u[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }
	};
	return format_scaled(t, u, 4, buf);
}

char *
sim_format_rate(sim_rate_t r, char *buf)
{
	static const struct unit u[] = { { "b/s", 1 },
					 { "kb/s", 1000 },
					 { "Mb/s", 1000000 },
					 { "Gb/s", 1000000000 } };
	return format_scaled(r, u, 4, buf);
}
