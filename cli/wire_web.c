/*
 * wire_web.c - web servers and their customers' clients: the [server]
 * and [clients] groups, their cross-checks, their wiring and their
 * outputs (servers.<name>.*, clients.<name>.*, responses.csv).
 *
 * A server on a Nemesis host is a domain of its own (cpu_qos) whose
 * listener the flow manager binds; its connections share its transmit
 * channel (tx_qos) and receive channel (models/nemesis).  A server on a
 * Unix host is a user process.  Clients run on Unix hosts: each
 * [clients] group is one customer's population, with its own random
 * streams (clients.<name>.arrivals, .sizes).
 */
#include "wire_var.h"

#include "sim/csv.h"

#include "models/apps/apps.h"
#include "models/cpu_atropos/cpu_atropos.h"
#include "models/nemesis/nemesis.h"
#include "models/unix/unix.h"

#include <errno.h>
#include <math.h>
#include <string.h>

const scn_param cli_server_params[] = {
	{ "host", SCN_REF, NULL, SCN_REQUIRED, "host", 0, 0,
	  "the host the server runs on (nemesis: a domain of its own; unix: "
	  "a user process)" },
	{ "port", SCN_INT, "80", 0, NULL, 1, 65535,
	  "TCP port it listens on" },
	{ "cpu_qos", SCN_QOS, "10ms, 0, true", 0, NULL, 0, 0,
	  "Nemesis: CPU QoS of the server's domain (default: slack only)" },
	{ "tx_qos", SCN_QOS, "30s, 0, true", 0, NULL, 0, 0,
	  "Nemesis: transmit QoS of the server's I/O channel, which all its "
	  "connections share (default: slack only)" },
	{ "cost_request", SCN_TIME, "0", 0, NULL, 0, 0,
	  "CPU time the server spends on each request (its own work: "
	  "parsing, finding the file), on its thread" },
	{ "cost_byte", SCN_TIME, "0", 0, NULL, 0, 0,
	  "CPU time per response byte (e.g. reading the file), on its thread" },
	{ "persistent", SCN_BOOL, "false", 0, NULL, 0, 0,
	  "keep connections open after a response (its clients must be "
	  "persistent too); false: HTTP/1.0, the server closes first" },
	{ "write_size", SCN_INT, "8192", 0, NULL, 1, 65536,
	  "largest write of the response, bytes" },
	{ NULL }
};

const scn_param cli_clients_params[] = {
	{ "host", SCN_REF, NULL, SCN_REQUIRED, "host", 0, 0,
	  "the Unix host the clients run on (one process)" },
	{ "server", SCN_REF, NULL, SCN_REQUIRED, "server", 0, 0,
	  "the [server] they ask" },
	{ "rate", SCN_DOUBLE, NULL, 0, NULL, 0, 0,
	  "requests per second, Poisson arrivals (open loop); this or "
	  "`trace`" },
	{ "trace", SCN_FILE, NULL, 0, NULL, 0, 0,
	  "arrivals and response sizes from a CSV file (path relative to "
	  "the scenario file), one request a row: `time_s,size_bytes`, "
	  "times from the start of the run in ascending order, sizes at "
	  "least 1 byte; an optional first line `time_s,size_bytes`, `#` "
	  "comments and blank lines skipped.  Instead of rate and sizes" },
	{ "sizes", SCN_ENUM, "fixed", 0, "fixed|exponential|surge", 0, 0,
	  "response sizes: all `size`; exponential with mean `size`; or "
	  "SURGE's (Barford & Crovella 1998: lognormal body, Pareto tail)" },
	{ "size", SCN_INT, "10000", 0, NULL, 1, 1000000000000LL,
	  "response bytes (fixed), or their mean (exponential)" },
	{ "size_max", SCN_INT, "10000000", 0, NULL, 1, 1000000000000LL,
	  "surge: largest response, bytes (the Pareto tail is cut here)" },
	{ "request_size", SCN_INT, "300", 0, NULL, 12, 65536,
	  "request bytes (an HTTP/1.0 GET with its headers is about 300)" },
	{ "timeout", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "a request without its whole response this long after it was "
	  "issued is counted as timed out and its connection aborted "
	  "(default: none)" },
	{ "start", SCN_TIME, "0", 0, NULL, 0, 0, "first possible arrival" },
	{ "stop", SCN_TIME, NULL, 0, NULL, 0, 0,
	  "no arrivals from then on (default: the end of the run)" },
	{ "persistent", SCN_BOOL, "false", 0, NULL, 0, 0,
	  "one connection, requests queued on it one at a time (the server "
	  "must be persistent); false: HTTP/1.0, a connection per request" },
	{ NULL }
};

/* ---- Traces ---------------------------------------------------------------- */

/* A [clients] trace, parsed: n requests, times ascending. */
struct web_trace {
	sim_time_t *t;
	uint64_t *size;
	guint n;
};

static void
web_trace_free(gpointer p)
{
	struct web_trace *tr = p;
	g_free(tr->t);
	g_free(tr->size);
	g_free(tr);
}

/*
 * Read g's trace strictly: every row two fields, a time in seconds
 * (finite, >= 0, not before the row above) and a size in bytes (an
 * integer >= 1).  Errors name the trace file and line.
 */
static struct web_trace *
web_trace_read(const scn_group *g, GError **error)
{
	char *path = scn_file(g, "trace");
	char *data = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &data, &len, &e)) {
		scn_set_error(error, g, "trace", "cannot read %s: %s", path,
			      e->message);
		g_error_free(e);
		g_free(path);
		return NULL;
	}
	struct web_trace *tr = g_new0(struct web_trace, 1);
	GArray *ts = g_array_new(FALSE, FALSE, sizeof(sim_time_t));
	GArray *sz = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	gchar **lines = g_strsplit(data, "\n", -1);
	gboolean ok = TRUE;
	if (memchr(data, '\0', len)) {
		scn_set_error(error, g, "trace", "%s: not a text file", path);
		ok = FALSE;
	}
	for (guint i = 0; ok && lines[i]; i++) {
		char *line = g_strstrip(lines[i]);
		guint lineno = i + 1;
		if (!*line || line[0] == '#')
			continue;
		if (ts->len == 0 && strcmp(line, "time_s,size_bytes") == 0)
			continue;
		gchar **f = g_strsplit(line, ",", -1);
		double t = 0;
		int64_t size = 0;
		const char *why = NULL;
		if (g_strv_length(f) != 2) {
			why = "expected two fields, time_s,size_bytes";
		} else {
			char *a = g_strstrip(f[0]), *b = g_strstrip(f[1]), *end;
			t = g_ascii_strtod(a, &end);
			if (!*a || *end || !isfinite(t))
				why = "the time is not a number of seconds";
			else if (t < 0)
				why = "a negative time";
			else if (t > 1e6)
				why = "a time beyond 1000000 s";
			if (!why) {
				errno = 0;
				size = g_ascii_strtoll(b, &end, 10);
				if (!*b || *end || errno)
					why = "the size is not an integer "
					      "number of bytes";
				else if (size < 0)
					why = "a negative size";
				else if (size < 1 || size > 1000000000000LL)
					why = "a size outside 1..1000000000000 "
					      "bytes";
			}
		}
		g_strfreev(f);
		sim_time_t tn = (sim_time_t)llround(t * 1e9);
		if (!why && ts->len &&
		    tn < g_array_index(ts, sim_time_t, ts->len - 1))
			why = "times out of order (each row's time must not "
			      "be before the row above's)";
		if (why) {
			scn_set_error(error, g, "trace", "%s:%u: %s: \"%s\"",
				      path, lineno, why, line);
			ok = FALSE;
			break;
		}
		uint64_t su = (uint64_t)size;
		g_array_append_val(ts, tn);
		g_array_append_val(sz, su);
	}
	if (ok && ts->len == 0) {
		scn_set_error(error, g, "trace", "%s: no requests in the trace",
			      path);
		ok = FALSE;
	}
	g_strfreev(lines);
	g_free(data);
	g_free(path);
	tr->n = ts->len;
	tr->t = (sim_time_t *)g_array_free(ts, FALSE);
	tr->size = (uint64_t *)g_array_free(sz, FALSE);
	if (!ok) {
		web_trace_free(tr);
		return NULL;
	}
	return tr;
}

gboolean
cli_check_web(const scenario *sc, GError **error)
{
	sim_time_t end = scn_time(scn_single(sc, "simulation"), "duration");
	g_autoptr(GPtrArray) servers = scn_instances(sc, "server");
	for (guint i = 0; i < servers->len; i++) {
		scn_group *g = g_ptr_array_index(servers, i);
		scn_group *h = scn_ref(sc, g, "host");
		const char *kind = scn_str(h, "kind");
		if (strcmp(kind, "station") == 0) {
			scn_set_error(error, g, "host",
				      "a server needs a TCP host (nemesis or "
				      "unix); [%s] is a station",
				      scn_group_title(h));
			return FALSE;
		}
		if (strcmp(kind, "unix") == 0) {
			static const char *const nem_only[] = { "cpu_qos",
								"tx_qos", NULL };
			for (int k = 0; nem_only[k]; k++)
				if (scn_is_set(g, nem_only[k])) {
					scn_set_error(error, g, nem_only[k],
						      "reservations apply to "
						      "servers on Nemesis hosts; "
						      "[%s] is a Unix host",
						      scn_group_title(h));
					return FALSE;
				}
		}
		for (guint j = 0; j < i; j++) {
			scn_group *o = g_ptr_array_index(servers, j);
			if (scn_ref(sc, o, "host") == h &&
			    scn_int(o, "port") == scn_int(g, "port")) {
				scn_set_error(error, g, "port",
					      "[%s] already listens on port %s "
					      "of [%s]", scn_group_title(o),
					      scn_str(g, "port"),
					      scn_group_title(h));
				return FALSE;
			}
		}
	}
	g_autoptr(GPtrArray) cls = scn_instances(sc, "clients");
	for (guint i = 0; i < cls->len; i++) {
		scn_group *g = g_ptr_array_index(cls, i);
		scn_group *h = scn_ref(sc, g, "host");
		scn_group *s = scn_ref(sc, g, "server");
		scn_group *sh = scn_ref(sc, s, "host");
		if (strcmp(scn_str(h, "kind"), "unix") != 0) {
			scn_set_error(error, g, "host",
				      "clients run on Unix hosts; [%s] is kind "
				      "= %s", scn_group_title(h),
				      scn_str(h, "kind"));
			return FALSE;
		}
		if (h == sh) {
			scn_set_error(error, g, "host",
				      "the clients and [%s] are both on [%s]; "
				      "put them on different hosts",
				      scn_group_title(s), scn_group_title(h));
			return FALSE;
		}
		if (scn_has(g, "trace")) {
			static const char *const poisson[] = {
				"rate", "sizes", "size", "size_max", NULL
			};
			for (int k = 0; poisson[k]; k++)
				if (scn_is_set(g, poisson[k])) {
					scn_set_error(error, g, poisson[k],
						      "the trace gives the "
						      "arrivals and the sizes: "
						      "%s cannot be set with "
						      "trace", poisson[k]);
					return FALSE;
				}
			struct web_trace *tr = web_trace_read(g, error);
			if (!tr)
				return FALSE;
			web_trace_free(tr);
		} else if (!scn_has(g, "rate")) {
			scn_set_error(error, g, NULL,
				      "the clients need their arrivals: a rate "
				      "(Poisson) or a trace");
			return FALSE;
		}
		double rate = scn_has(g, "rate") ? scn_double(g, "rate") : 1;
		if (!(rate > 0) || rate > 1e6) {
			scn_set_error(error, g, "rate",
				      "%s: requests per second must be above 0 "
				      "and at most 1000000", scn_str(g, "rate"));
			return FALSE;
		}
		if (scn_bool(g, "persistent") != scn_bool(s, "persistent")) {
			scn_set_error(error, g, "persistent",
				      "persistent = %s, but [%s] has "
				      "persistent = %s: they must agree",
				      scn_str(g, "persistent"),
				      scn_group_title(s),
				      scn_str(s, "persistent"));
			return FALSE;
		}
		if (scn_time(g, "start") >= end) {
			scn_set_error(error, g, "start",
				      "the clients start at or after the end "
				      "of the run");
			return FALSE;
		}
		if (scn_has(g, "stop") &&
		    scn_time(g, "stop") <= scn_time(g, "start")) {
			scn_set_error(error, g, "stop",
				      "the clients stop before they start "
				      "(start = %s)", scn_str(g, "start"));
			return FALSE;
		}
		if (scn_has(g, "timeout") && scn_time(g, "timeout") <= 0) {
			scn_set_error(error, g, "timeout", "must be positive");
			return FALSE;
		}
		if (scn_int(g, "size_max") < 1 ||
		    (strcmp(scn_str(g, "sizes"), "surge") != 0 &&
		     scn_is_set(g, "size_max"))) {
			scn_set_error(error, g, "size_max",
				      "only sizes = surge has a size_max");
			return FALSE;
		}
	}
	return TRUE;
}

/* ---- Building ------------------------------------------------------------ */

struct web_wiring {
	GPtrArray *clients;     /* app_web_clients * */
	sim_csv *csv;
};

static gboolean
build_server(cli_world *w, scn_group *g, GHashTable *by_name, GError **error)
{
	const char *name = scn_group_name(g);
	struct cli_host_ref h;
	cli_world_host(w, scn_group_name(scn_ref(w->sc, g, "host")), &h);
	uint16_t port = (uint16_t)scn_int(g, "port");
	app_web_server_params p;
	app_web_server_params_default(&p);
	p.cost_request = scn_time(g, "cost_request");
	p.cost_byte = scn_time(g, "cost_byte");
	p.persistent = scn_bool(g, "persistent");
	p.write_size = (uint32_t)scn_int(g, "write_size");
	struct socket *lso;
	sim_exec *ex;
	app_acceptor acc = { NULL, NULL };
	if (h.nem) {
		scn_qos cq = scn_get_qos(g, "cpu_qos"), tq = scn_get_qos(g, "tx_qos");
		atropos_qos cpu_q = { cq.period, cq.slice, cq.extra,
				      cq.has_latency ? cq.latency : cq.period };
		atropos_qos tx_q = { tq.period, tq.slice, tq.extra,
				     tq.has_latency ? tq.latency : tq.period };
		nem_domain *d = nem_domain_new(h.nem, name, &cpu_q, error);
		if (!d)
			return FALSE;
		lso = nem_listen_up(d, name, &tx_q, port, 5, error);
		if (!lso) {
			GError *e = *error;
			*error = NULL;
			scn_set_error(error, g, "port", "%s", e->message);
			g_error_free(e);
			return FALSE;
		}
		ex = nem_domain_app_exec(d);
		acc = cli_nem_acceptor(d);
		cli_nem_read_costs(h.cpu, &p.cost_read, &p.cost_copy_byte);
		p.cost_write = cpu_cost(h.cpu, "app_write");
		p.cost_accept = 0; /* the flow manager's install is charged */
	} else {
		ip_stack *st = unix_host_stack(h.ux);
		lso = so_socket(st);
		int e = so_bind(lso, h.addr, port);
		if (e == 0)
			e = so_listen(lso, 5);
		if (e != 0) {
			scn_set_error(error, g, "port",
				      "[host.%s] cannot listen on port %u: %s "
				      "(a [connection]'s receiver listens on "
				      "5001 + its index)",
				      scn_group_name(scn_ref(w->sc, g, "host")),
				      port, g_strerror(-e));
			return FALSE;
		}
		ex = unix_host_user_exec(h.ux);
		/* System calls: accept and read as the read call's cost. */
		p.cost_accept = unix_host_cost(h.ux, "app_read");
		p.cost_read = unix_host_cost(h.ux, "app_read");
		p.cost_copy_byte = unix_host_cost(h.ux, "unix_copy_byte");
		p.cost_write = unix_host_cost(h.ux, "app_write");
	}
	app_web_server *s = app_web_server_new(w->sim, name, lso, ex,
					       acc.accept ? &acc : NULL, &p);
	app_web_server_register_stats(s);
	g_hash_table_insert(by_name, (gpointer)name,
			    GUINT_TO_POINTER(((guint)h.addr << 0)));
	return TRUE;
}

static void
web_wiring_free(gpointer p)
{
	struct web_wiring *ww = p;
	g_ptr_array_free(ww->clients, TRUE);
	g_free(ww);
}

static struct web_wiring *
web_wiring(cli_world *w)
{
	struct web_wiring *ww = g_hash_table_lookup(w->objects, "web");
	if (!ww) {
		ww = g_new0(struct web_wiring, 1);
		ww->clients = g_ptr_array_new();
		g_hash_table_insert(w->objects, g_strdup("web"), ww);
		sim_on_free(w->sim, web_wiring_free, ww);
	}
	return ww;
}

gboolean
cli_build_web(cli_world *w, GError **error)
{
	g_autoptr(GPtrArray) servers = scn_instances(w->sc, "server");
	g_autoptr(GPtrArray) cls = scn_instances(w->sc, "clients");
	if (servers->len == 0)
		return TRUE;
	struct web_wiring *ww = web_wiring(w);
	g_autoptr(GHashTable) by_name = g_hash_table_new(g_str_hash,
							 g_str_equal);
	for (guint i = 0; i < servers->len; i++)
		if (!build_server(w, g_ptr_array_index(servers, i), by_name,
				  error))
			return FALSE;
	for (guint i = 0; i < cls->len; i++) {
		scn_group *g = g_ptr_array_index(cls, i);
		scn_group *sg = scn_ref(w->sc, g, "server");
		struct cli_host_ref h, sh;
		cli_world_host(w, scn_group_name(scn_ref(w->sc, g, "host")), &h);
		cli_world_host(w, scn_group_name(scn_ref(w->sc, sg, "host")),
			       &sh);
		app_web_clients_params p;
		app_web_clients_params_default(&p);
		p.server_addr = sh.addr;
		p.server_port = (uint16_t)scn_int(sg, "port");
		const char *sz = scn_str(g, "sizes");
		p.sizes = strcmp(sz, "exponential") == 0 ? APP_WEB_EXPONENTIAL
			  : strcmp(sz, "surge") == 0     ? APP_WEB_SURGE
							 : APP_WEB_FIXED;
		if (scn_has(g, "trace")) {
			struct web_trace *tr = web_trace_read(g, error);
			if (!tr)
				return FALSE;
			sim_on_free(w->sim, web_trace_free, tr);
			p.trace_t = tr->t;
			p.trace_size = tr->size;
			p.trace_n = tr->n;
			p.sizes = APP_WEB_TRACE;
		} else {
			p.rate = scn_double(g, "rate");
		}
		p.size = (uint64_t)scn_int(g, "size");
		p.size_max = (uint64_t)scn_int(g, "size_max");
		p.request_size = (uint32_t)scn_int(g, "request_size");
		p.timeout = scn_has(g, "timeout") ? scn_time(g, "timeout") : 0;
		p.start = scn_time(g, "start");
		p.stop = scn_has(g, "stop") ? scn_time(g, "stop") : SIM_TIME_MAX;
		p.persistent = scn_bool(g, "persistent");
		/* System calls of a Unix process (cpu_cost.c). */
		p.cost_connect = unix_host_cost(h.ux, "app_write");
		p.cost_write = unix_host_cost(h.ux, "app_write");
		p.cost_read = unix_host_cost(h.ux, "app_read");
		p.cost_copy_byte = unix_host_cost(h.ux, "unix_copy_byte");
		app_web_clients *c = app_web_clients_new(
			w->sim, scn_group_name(g), unix_host_stack(h.ux),
			unix_host_user_exec(h.ux), &p);
		app_web_clients_register_stats(c);
		g_ptr_array_add(ww->clients, c);
	}
	return TRUE;
}

/* ---- responses.csv ------------------------------------------------------- */

static const char *const response_columns[] = {
	"customer", "start_s", "response_time_s", "bytes", "outcome", NULL
};

static void
response_row(void *ctx, const app_web_record *r)
{
	sim_csv *csv = ctx;
	sim_csv_str(csv, r->customer);
	sim_csv_double(csv, sim_time_to_s(r->start));
	sim_csv_double(csv, sim_time_to_s(r->time));
	sim_csv_int(csv, (int64_t)r->bytes);
	sim_csv_str(csv, r->outcome);
	sim_csv_end_row(csv);
}

static gboolean
finish_responses(cli_world *w, void *ctx, GError **error)
{
	struct web_wiring *ww = ctx;
	for (guint i = 0; i < ww->clients->len; i++)
		app_web_clients_flush(g_ptr_array_index(ww->clients, i));
	return sim_csv_close(ww->csv, error);
}

static void
abort_responses(void *ctx)
{
	struct web_wiring *ww = ctx;
	sim_csv_abort(ww->csv);
}

gboolean
cli_attach_web_outputs(cli_world *w, GError **error)
{
	struct web_wiring *ww = g_hash_table_lookup(w->objects, "web");
	if (!ww || ww->clients->len == 0)
		return TRUE;
	char *path = g_build_filename(w->stage, "responses.csv", NULL);
	ww->csv = sim_csv_open(path, response_columns, error);
	g_free(path);
	if (!ww->csv)
		return FALSE;
	for (guint i = 0; i < ww->clients->len; i++)
		app_web_clients_on_record(g_ptr_array_index(ww->clients, i),
					  response_row, ww->csv);
	cli_world_on_finish(w, finish_responses, abort_responses, ww);
	return TRUE;
}
