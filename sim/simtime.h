/*
* simtime.h - virtual time, rates and the units they are written in.
 *
 * nemsim has one time type: signed 64-bit nanoseconds of virtual time.
 * There is no floating-point time in the core; doubles appear only in
 * results.  Rates are integer bits per second.  Parsing is exact: "3.6ms"
 * is 3600000 ns, not the nearest double, and a value that is not a whole
 * number of nanoseconds (or bits per second) is an error.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

typedef int64_t sim_time_t;   /* nanoseconds of virtual time */
typedef int64_t sim_rate_t;   /* bits per second */

#define SIM_NS ((sim_time_t)1)
#define SIM_US ((sim_time_t)1000)
#define SIM_MS ((sim_time_t)1000000)
#define SIM_S ((sim_time_t)1000000000)
#define SIM_TIME_MAX INT64_MAX

#define SIM_KBPS ((sim_rate_t)1000)
#define SIM_MBPS ((sim_rate_t)1000000)
#define SIM_GBPS ((sim_rate_t)1000000000)

/* Time to put `bytes` on a link of `rate` b/s, rounded up to the ns. */
static inline sim_time_t
sim_tx_time(int64_t bytes, sim_rate_t rate)
{
	return (bytes * 8 * SIM_S + rate - 1) / rate;
}

static inline double
sim_time_to_s(sim_time_t t)
{
	return (double)t / (double)SIM_S;
}

/*
 * Parse "2.4ms", "110us", "110µs", "3s", "500ns".  A unit is required,
 * except for the literal "0".  Negative values are refused.
 */
gboolean sim_parse_time(const char *text, sim_time_t *out, GError **error);

/* Parse "10Mb/s", "9600b/s", "1.5kb/s", "1Gb/s".  A unit is required. */
gboolean sim_parse_rate(const char *text, sim_rate_t *out, GError **error);

/* Parse a length in metres: "100m", "2.5m" -> millimetres. */
gboolean sim_parse_length_mm(const char *text, int64_t *out_mm, GError **error);

/*
 * Print a time with the largest unit that keeps it exact ("2.4ms",
 * "110us", "0").  Returns buf.  buf needs SIM_TIME_BUFSZ bytes.
 */
#define SIM_TIME_BUFSZ 32
char *sim_format_time(sim_time_t t, char *buf);
char *sim_format_rate(sim_rate_t r, char *buf);

#define SIM_ERROR (sim_error_quark())
GQuark sim_error_quark(void);

enum {
	SIM_ERROR_PARSE,   /* a value could not be read */
	SIM_ERROR_INPUT,   /* a scenario or command line is wrong */
	SIM_ERROR_IO,      /* a file could not be read or written */
};
