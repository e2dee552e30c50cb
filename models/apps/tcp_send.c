/*
 * tcp_send.c - the paper's tcp_send: write as fast as allowed.
 *
 * Loop: each iteration is a step on the application's executor costing
 * cost_write; it writes write_size bytes (referencing the app's payload
 * buffer, no copy).  When the socket's send buffer is full the app waits
 * for the socket's write upcall and resumes with a new step.
 */
#include "apps.h"

#include <string.h>

#define PATTERN APP_PATTERN

struct app_tcp_send {
	sim_t *sim;
	char *name;
	struct socket *so;
	sim_exec *ex;
	app_tcp_send_params p;
	sim_buf *payload;      /* pattern: byte i is i mod 251 (shared) */
	uint64_t written;
	gboolean running;      /* a step is queued or running */
	gboolean waiting;      /* waits for the write upcall */
	gboolean done;
	sim_timer start;
};

void
app_tcp_send_params_default(app_tcp_send_params *p)
{
	p->write_size = 1460;
	p->bytes = -1;
	p->start = 0;
	p->stop = SIM_TIME_MAX;
	p->cost_write = 0;
	p->close_when_done = FALSE;
}

static void step(void *ctx, void *arg);

static void
schedule_step(app_tcp_send *a)
{
	if (a->running || a->done)
		return;
	a->running = TRUE;
	a->waiting = FALSE;
	sim_exec_run(a->ex, a->p.cost_write, step, a, NULL);
}

static void
finish(app_tcp_send *a)
{
	a->done = TRUE;
	if (a->p.close_when_done)
		so_close(a->so);
}

static void
step(void *ctx, void *arg)
{
	app_tcp_send *a = ctx;
	a->running = FALSE;
	if (a->done)
		return;
	if (sim_now(a->sim) >= a->p.stop) {
		finish(a);
		return;
	}
	uint32_t n = a->p.write_size;
	if (a->p.bytes >= 0 && (uint64_t)a->p.bytes - a->written < n)
		n = (uint32_t)((uint64_t)a->p.bytes - a->written);
	if (n == 0) {
		finish(a);
		return;
	}
	ssize_t r = so_send_buf(a->so, a->payload, a->written % PATTERN, n);
	if (r > 0) {
		a->written += (uint64_t)r;
		schedule_step(a);
	} else if (r == -EWOULDBLOCK || r == -ENOTCONN || r == 0) {
		a->waiting = TRUE; /* resumes on the write upcall */
	} else {
		a->done = TRUE; /* connection gone: nothing more to do */
	}
}

static void
upcall(struct socket *so, void *ctx, int events)
{
	app_tcp_send *a = ctx;
	if ((events & (SO_EV_WRITE | SO_EV_CONNECTED)) && a->waiting &&
	    sim_now(a->sim) >= a->p.start)
		schedule_step(a);
	if (events & SO_EV_CLOSED)
		a->done = TRUE;
}

static void
start(void *ctx, void *arg)
{
	app_tcp_send *a = ctx;
	schedule_step(a);
}

static void
app_free(gpointer data)
{
	app_tcp_send *a = data;
	sim_buf_unref(a->payload);
	g_free(a->name);
	g_free(a);
}

/* The pattern for writes of n bytes at any stream offset: byte i is
 * i mod 251, n + 251 bytes, shared by every tcp_send of the run (the
 * segments reference it, nobody writes it). */
static gpointer
payload_new(gpointer n)
{
	uint32_t size = GPOINTER_TO_UINT(n) + PATTERN;
	sim_buf *b = sim_buf_new(size);
	for (uint32_t i = 0; i < size; i++)
		b->data[i] = (uint8_t)(i % PATTERN);
	sim_buf_freeze(b); /* checksums of its ranges in O(1) */
	return b;
}

static void
payload_free(gpointer b)
{
	sim_buf_unref(b);
}

/*
 * The pattern repeats every 251 bytes, so a table of 251 + CHUNK bytes
 * lets memcmp check CHUNK bytes at a time; only a chunk that differs is
 * looked at byte by byte.
 */
#define CHUNK 4096
static uint8_t pattern_table[PATTERN + CHUNK];

uint64_t
app_pattern_corrupt(const uint8_t *buf, size_t n, uint64_t off)
{
	if (pattern_table[1] == 0)
		for (size_t i = 0; i < sizeof pattern_table; i++)
			pattern_table[i] = (uint8_t)(i % PATTERN);
	uint64_t bad = 0;
	for (size_t done = 0; done < n;) {
		size_t len = MIN(n - done, (size_t)CHUNK);
		const uint8_t *want = pattern_table + (off + done) % PATTERN;
		if (memcmp(buf + done, want, len) != 0)
			for (size_t i = 0; i < len; i++)
				bad += buf[done + i] != want[i];
		done += len;
	}
	return bad;
}

sim_buf *
app_pattern_buf(sim_t *sim, uint32_t n)
{
	char key[48];
	g_snprintf(key, sizeof key, "tcp_send.payload.%u", n);
	return sim_shared(sim, key, payload_new, GUINT_TO_POINTER(n),
			  payload_free);
}

app_tcp_send *
app_tcp_send_new(sim_t *sim, const char *name, struct socket *so, sim_exec *ex,
		 const app_tcp_send_params *p)
{
	g_assert(p->write_size > 0);
	app_tcp_send *a = g_new0(app_tcp_send, 1);
	a->sim = sim;
	a->name = g_strdup(name);
	a->so = so;
	a->ex = ex;
	a->p = *p;
	a->payload = sim_buf_ref(app_pattern_buf(sim, p->write_size));
	so_set_upcall(so, upcall, a);
	sim_timer_init(&a->start, start, a, NULL);
	sim_timer_arm_at(sim, &a->start, MAX(p->start, sim_now(sim)));
	sim_on_free(sim, app_free, a);
	return a;
}

uint64_t
app_tcp_send_bytes_written(const app_tcp_send *a)
{
	return a->written;
}
