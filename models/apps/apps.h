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
 *   web_server (web_server.c) answers requests on a listening socket;
 *   web_clients (web_client.c) is a customer's population of clients
 *             making requests to a web server, open loop.
 * (carnage, the CPU hog, is in models/cpu_atropos.)
 *
 * An application runs its steps on an executor (sim/exec.h) that charges
 * them to its host's CPU: a Nemesis domain's thread or a Unix process.
 * The byte at stream offset o is o mod 251, so the sink can verify the
 * stream end to end.
 */
#pragma once

#include "sim/exec.h"
#include "sim/rng.h"
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

/*
 * How an application takes a connection off a listening socket: NULL
 * accept is the socket layer's so_accept; a Nemesis domain's goes through
 * the flow manager (nem_accept), and done runs on the application's
 * thread once the connection's filter is installed.
 */
typedef void (*app_accepted_fn)(void *ctx, struct socket *so);
typedef struct app_acceptor {
	void (*accept)(void *impl, struct socket *listener,
		       app_accepted_fn done, void *ctx);
	void *impl;
} app_acceptor;

typedef struct app_sink_params {
	sim_rate_t rate;       /* 0: read as data comes */
	sim_time_t cost_read;  /* CPU per read call */
	sim_time_t cost_byte;  /* CPU per byte copied out */
	uint32_t read_size;    /* largest read; default 65536 */
	app_acceptor acceptor; /* default: so_accept */
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

/* The stream's pattern: the byte at offset o is o mod APP_PATTERN. */
#define APP_PATTERN 251
/* The pattern buffer (byte i is i mod 251), at least n + 251 bytes,
 * shared by every app of the run (tcp_send.c). */
sim_buf *app_pattern_buf(sim_t *sim, uint32_t n);
/* Bytes of buf (the stream from offset off, n bytes) that differ from
 * the pattern (tcp_send.c). */
uint64_t app_pattern_corrupt(const uint8_t *buf, size_t n, uint64_t off);

/* ---- Web: request/response (web_server.c, web_client.c) ------------------
 *
 * The request: WEB_REQ_HEADER bytes, the response size (8 bytes) and the
 * request's own length (4 bytes), big-endian, then pattern bytes (byte o
 * of the request is o mod 251) to the request's length.  The response:
 * exactly the bytes asked for, byte o of it o mod 251.  Both ends check
 * every byte.
 */
#define WEB_REQ_HEADER 12

/*
 * How a server takes a connection off its listener: done(ctx, so) runs
 * on the server's executor when the application may use it (NULL: none
 * waiting).  A Nemesis server goes through the flow manager (nem_accept);
 * NULL accept: so_accept at once (a Unix process).
 */

typedef struct app_web_server app_web_server;

typedef struct app_web_server_params {
	sim_time_t cost_request;  /* the application's work per request */
	sim_time_t cost_byte;     /* ... per response byte */
	sim_time_t cost_accept;   /* the accept call */
	sim_time_t cost_read;     /* a read call */
	sim_time_t cost_copy_byte; /* per byte read */
	sim_time_t cost_write;    /* a write call */
	uint32_t write_size;      /* largest write; default 8192 */
	gboolean persistent;      /* keep the connection after a response */
} app_web_server_params;

void app_web_server_params_default(app_web_server_params *p);
app_web_server *app_web_server_new(sim_t *sim, const char *name,
				   struct socket *listener, sim_exec *ex,
				   const app_acceptor *acc,
				   const app_web_server_params *p);
/* servers.<name>.* */
void app_web_server_register_stats(app_web_server *s);
uint64_t app_web_server_requests(const app_web_server *s);

typedef struct app_web_clients app_web_clients;

enum app_web_sizes {
	APP_WEB_FIXED,        /* size */
	APP_WEB_EXPONENTIAL,  /* mean size */
	APP_WEB_SURGE,        /* lognormal body, Pareto tail (SURGE) */
	APP_WEB_TRACE,        /* from the trace */
};

typedef struct app_web_clients_params {
	uint32_t server_addr;
	uint16_t server_port;
	double rate;              /* requests per second (Poisson) */
	enum app_web_sizes sizes;
	uint64_t size;            /* fixed size, or the exponential's mean */
	uint64_t size_max;        /* SURGE's sizes are cut here */
	uint32_t request_size;    /* bytes, >= WEB_REQ_HEADER */
	sim_time_t timeout;       /* 0: none */
	sim_time_t start, stop;   /* arrivals in [start, stop) */
	gboolean persistent;      /* one connection, requests queued on it */
	/* A trace (sizes = APP_WEB_TRACE or arrivals from it): n arrival
	 * times (ascending) and response sizes; NULL: Poisson. */
	const sim_time_t *trace_t;
	const uint64_t *trace_size;
	guint trace_n;
	sim_time_t cost_connect, cost_write, cost_read, cost_copy_byte;
} app_web_clients_params;

void app_web_clients_params_default(app_web_clients_params *p);
/* A population on stack st, running on ex; random streams from
 * "clients.<name>.arrivals" and ".sizes". */
app_web_clients *app_web_clients_new(sim_t *sim, const char *name,
				     ip_stack *st, sim_exec *ex,
				     const app_web_clients_params *p);
/* clients.<name>.* */
void app_web_clients_register_stats(app_web_clients *c);

/* One finished (or, at the end, outstanding) request. */
typedef struct app_web_record {
	const char *customer;
	sim_time_t start, time;  /* time: response time, or until the end */
	uint64_t bytes;          /* response bytes received */
	const char *outcome;     /* completed|failed|timed_out|outstanding */
} app_web_record;
typedef void (*app_web_record_fn)(void *ctx, const app_web_record *r);
void app_web_clients_on_record(app_web_clients *c, app_web_record_fn fn,
			       void *ctx);
/* Report every request still outstanding (at the end of the run). */
void app_web_clients_flush(app_web_clients *c);

typedef struct app_web_counts {
	uint64_t issued, completed, failed, timed_out, outstanding;
	uint64_t failed_no_port, failed_reset, failed_short;
	uint64_t bytes, corrupt;
} app_web_counts;
void app_web_clients_counts(const app_web_clients *c, app_web_counts *out);
/* SURGE's response size (Barford & Crovella 1998), for tests. */
uint64_t app_web_surge_size(gsl_rng *r, uint64_t size_max);
