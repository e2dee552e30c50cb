/*
 * apps.h - the applications of the paper, on any host.
 *
 *   tcp_send  writes data as fast as the socket takes it (MTU-sized
 *             writes by default), from payload buffers it owns (Rbufs:
 *             TCP references them, it does not copy);
 *   sink      accepts a connection and reads whatever arrives, as fast
 *             as it comes or at a set rate; it measures the throughput
 *             (application payload delivered in the measurement window)
 *             and checks every byte of the stream.
 * (carnage, the CPU hog, is in models/cpu_atropos.)
 *
 * An application runs its steps on an executor (sim/exec.h) that charges
 * them to its host's CPU: a Nemesis domain's thread or a Unix process.
 * The byte at stream offset o is o mod 251, so the sink can verify the
 * stream end to end.
 */
#pragma once

#include "sim/exec.h"
#include "sim/series.h"

#include "models/tcp_bsd/tcp_bsd.h"

typedef struct app_tcp_send app_tcp_send;
typedef struct app_sink app_sink;

typedef struct app_tcp_send_params {
	uint32_t write_size;   /* bytes per write; default 1460 */
	int64_t bytes;         /* total to send; < 0: unlimited */
	sim_time_t start;      /* first write (connect first if needed) */
	sim_time_t stop;       /* no writes after; SIM_TIME_MAX: never */
	sim_time_t cost_write; /* CPU per write call (the app's loop) */
	gboolean close_when_done;
} app_tcp_send_params;

void app_tcp_send_params_default(app_tcp_send_params *p);

/*
 * so is a socket that is connected or connecting (the sender starts
 * writing once it is connected).  The app takes over its upcall.
 */
app_tcp_send *app_tcp_send_new(sim_t *sim, const char *name, struct socket *so,
			       sim_exec *ex, const app_tcp_send_params *p);
uint64_t app_tcp_send_bytes_written(const app_tcp_send *a);

typedef struct app_sink_params {
	sim_rate_t rate;       /* 0: read as data comes */
	sim_time_t cost_read;  /* CPU per read call */
	sim_time_t cost_byte;  /* CPU per byte copied out */
	uint32_t read_size;    /* largest read; default 65536 */
} app_sink_params;

void app_sink_params_default(app_sink_params *p);

/* A sink on a listening socket: it accepts one connection. */
app_sink *app_sink_new(sim_t *sim, const char *name, struct socket *listener,
		       sim_exec *ex, const app_sink_params *p);
/* connections.<name>.{throughput_mbps,bytes_delivered,corrupt_bytes,...} */
void app_sink_register_stats(app_sink *s);
uint64_t app_sink_bytes(const app_sink *s);
uint64_t app_sink_corrupt(const app_sink *s);
gboolean app_sink_got_eof(const app_sink *s);

/*
 * The throughput time series of several sinks into one CSV (long
 * format: time_s, connection, throughput_mbps), for sim_series_new.
 */
extern const char *const app_throughput_columns[];
void app_throughput_rows(void *sinks_ptrarray, sim_csv *csv, sim_time_t start,
			 sim_time_t t);
