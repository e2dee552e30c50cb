/*
 * cpu_atropos.h - modelled CPUs that run Nemesis domains under Atropos.
 *
 * A CPU (one per host) runs domains.  A domain has a reservation
 * (p, s, x, l) and one or more threads; threads do work: a CPU cost in
 * nanoseconds and a callback.  The callback runs at the virtual time at
 * which the CPU has delivered the work's last nanosecond to the domain,
 * so its effects (a packet into a channel, an event to another domain)
 * happen neither earlier nor for free.  Work advances only while Atropos
 * gives the domain the CPU; preemption splits it across slices.
 *
 * Inside a domain, on every activation (each time Atropos hands it the
 * CPU) and every time a thread finishes a piece of work, the domain runs
 * its pending notification handlers, then its due timeouts, then the
 * user-level thread scheduler (round robin over ready threads at an
 * activation; the same thread goes on while it has work between
 * activations).  A thread blocks on an event with cpu_thread_block() and
 * is woken by cpu_thread_unblock(); a thread with no work waits for work.
 * A domain with nothing to do blocks; a notification, a timeout or new
 * work wakes it.
 *
 * Wiring a CPU (the scenario loader is the only place that does this):
 *
 *	cpu_params cp;
 *	cpu_params_default(&cp);               // pentium200, 1 ms slack
 *	cp.allow_overbook = ...;               // [cpu] overbook = true
 *	cpu_t *cpu = cpu_new(sim, "nemesis", &cp, &error);
 *
 *	atropos_qos q = { .p = 10 * SIM_MS, .s = 2 * SIM_MS, .x = TRUE,
 *			  .l = 10 * SIM_MS };
 *	cpu_domain *d = cpu_domain_new(cpu, "tcp_send", &q, &error);
 *	cpu_thread *t = cpu_thread_new(d, "app");
 *	cpu_thread_submit(t, cost, done_fn, ctx, arg);   // work
 *	sim_exec *ex = cpu_thread_executor(t);           // for TCP etc.
 *	cpu_domain_notify(d, cost, handler, ctx, arg);   // event from outside
 *
 *	cpu_domain *c = cpu_carnage_new(cpu, "carnage", &q2, 0, &error);
 *	cpu_register_stats(cpu);    // domains.<name>.cpu_share etc.
 *	sim_series_new(sim, path, cpu_share_series_columns, 100 * SIM_MS,
 *		       cpu_share_series_rows, cpu, &error);  // CSV series
 *
 * cpu_domain_new() refuses a reservation that takes the CPU's sum(s/p)
 * over 1 unless cp.allow_overbook is set.  Everything is freed by
 * sim_free().  Trace points (sim_trace_find by name):
 *   "cpu.<cpu>.runs"    cpu_run_rec, one per run interval (incl. idle):
 *                       the scheduling trace (who ran when, and as what).
 */
#pragma once

#include "sim/csv.h"
#include "sim/exec.h"
#include "sim/sim.h"
#include "sim/trace.h"

#include "atropos_core.h"
#include "cpu_cost.h"

typedef struct cpu cpu_t;
typedef struct cpu_domain cpu_domain;
typedef struct cpu_thread cpu_thread;

typedef void (*cpu_work_fn)(void *ctx, void *arg);

typedef struct cpu_params {
	/* Name of the cost table (cpu_cost.c).  Default "pentium200". */
	const char *cost_model;
	/* Slack handed to an x = true domain per pick.  Default 1 ms, the
	 * 1999 release's value (the JSAC'96 paper used 122 us). */
	sim_time_t slack_quantum;
	/* Charge the cost table's domain_switch to the incoming domain
	 * whenever the CPU changes domain.  Default TRUE. */
	gboolean charge_domain_switch;
	/* Accept contracts with sum(s/p) > 1.  Default FALSE: the QoS
	 * manager of the release keeps the sum below 1. */
	gboolean allow_overbook;
	/* Deferred event delivery.  An event one domain sends another (work
	 * handed to a thread of another domain, a thread of another domain
	 * unblocked) reaches the receiver when the sender is next
	 * descheduled - it blocks, its grant ends, or an interrupt's
	 * wake-up preempts it - not at once.  This is the 1999 release on
	 * Intel: Events$Advance appends the event to the sender's DCB
	 * (outevs) without a system call, and ksched_scheduler sends the
	 * queued events when it deschedules that domain.  Events from
	 * outside the CPU (interrupts, timers) still wake at once.
	 * Default TRUE; FALSE delivers every event at once (a kernel with
	 * a send system call). */
	gboolean defer_events;
	/* How slack is handed out (REFERENCE.md §1).
	 * CPU_SLACK_RELEASE (default): the 1999 release's kernel.  A cursor
	 * walks the wait queue's heap array (laid out as the kernel's
	 * pqueues lay it out) and gives the quantum to the next entry with
	 * x = true; domains woken from a short block with time left sit on
	 * the wait queue marked "unblocked" and are found by scanning that
	 * array from its start.
	 * CPU_SLACK_ROUND_ROBIN: the simplification of earlier versions:
	 * x = true domains in an equal round robin in creation order, and
	 * "unblocked" domains on their own queue, earliest deadline first.
	 * Scenario key: host/cpu `slack = release | round_robin`. */
	int slack_order;
	/* Which ready thread of a domain runs at an activation (the
	 * user-level thread scheduler, REFERENCE.md §3).
	 * CPU_THREADS_FIFO (default): the 1999 release's threads package:
	 * ready threads wait in a FIFO in the order they became ready; at
	 * each activation the thread that was running, if still ready,
	 * goes to the back and the front one runs.
	 * CPU_THREADS_ROUND_ROBIN: the simplification of earlier versions:
	 * round robin by creation index, starting after the thread that
	 * ran last.
	 * Between activations both let the running thread go on while it
	 * has work.  Scenario key: host/cpu `threads = fifo | round_robin`. */
	int thread_order;
} cpu_params;

enum { CPU_SLACK_RELEASE = 0, CPU_SLACK_ROUND_ROBIN = 1 };
enum { CPU_THREADS_FIFO = 0, CPU_THREADS_ROUND_ROBIN = 1 };

void cpu_params_default(cpu_params *p);

/*
 * The release's default QoS for an ordinary program: p = 10 ms, s = 0,
 * x = true (slack only), l = 10 ms.  Other release defaults, for the
 * loader: de4x5 driver (10 ms, 200 us, x, l = 10 ms); 3c509 driver
 * (20 ms, 200 us, x, l = 20 ms); flow manager (2 ms, 10 us, x, l = 2 ms).
 */
void cpu_qos_default(atropos_qos *q);

cpu_t *cpu_new(sim_t *sim, const char *name, const cpu_params *p,
	       GError **error);
const char *cpu_name(const cpu_t *cpu);
sim_t *cpu_sim(const cpu_t *cpu);
cpu_costs *cpu_get_costs(cpu_t *cpu);
/* Shortcut: the cost of an operation in this CPU's table (must exist). */
sim_time_t cpu_cost(const cpu_t *cpu, const char *op);

/*
 * A domain, admitted against the CPU's other contracts.  qos->l = 0 means
 * "latency hint = period".  Domain names must be unique in a scenario
 * (they name the stats paths domains.<name>.*).
 */
cpu_domain *cpu_domain_new(cpu_t *cpu, const char *name, const atropos_qos *qos,
			   GError **error);
const char *cpu_domain_name(const cpu_domain *d);
cpu_t *cpu_domain_cpu(const cpu_domain *d);
const atropos_qos *cpu_domain_qos(const cpu_domain *d);
cpu_domain *cpu_find_domain(const cpu_t *cpu, const char *name);

cpu_thread *cpu_thread_new(cpu_domain *d, const char *name);
cpu_domain *cpu_thread_domain(const cpu_thread *t);

/*
 * Queue work on a thread: `cost` ns of CPU, then fn(ctx, arg).  Work on a
 * thread runs in submission order.  Wakes the domain if it was blocked.
 */
void cpu_thread_submit(cpu_thread *t, sim_time_t cost, cpu_work_fn fn,
		       void *ctx, void *arg);
/*
 * Work that cannot be preempted once started (interrupts off: a trusted
 * domain's critical section).  Scheduling points that fall inside it are
 * taken when it ends; a contracted domain thereby overruns its slice and
 * carries the overrun as debt into its next period.
 */
void cpu_thread_submit_nopreempt(cpu_thread *t, sim_time_t cost, cpu_work_fn fn,
				 void *ctx, void *arg);
/*
 * The thread as an executor (sim/exec.h): sim_exec_run(ex, cost, fn, ctx,
 * arg) is cpu_thread_submit(t, cost, fn, ctx, arg).  This is what models
 * such as TCP are given, so that they can run on a fake CPU in tests.
 */
sim_exec *cpu_thread_executor(cpu_thread *t);
/* Block the thread on an event: its work waits until unblocked. */
void cpu_thread_block(cpu_thread *t);
void cpu_thread_unblock(cpu_thread *t);
gboolean cpu_thread_is_blocked(const cpu_thread *t);
/* Work items queued on the thread (including one in progress). */
guint cpu_thread_backlog(const cpu_thread *t);

/*
 * An event for the domain (a packet, another domain's notification, an
 * interrupt): its handler costs `cost` ns and runs before any thread at
 * the domain's next activation.  A blocked domain wakes (a scheduling
 * point).
 */
void cpu_domain_notify(cpu_domain *d, sim_time_t cost, cpu_work_fn fn,
		       void *ctx, void *arg);

/*
 * A timeout: at time `at` (or later, at the domain's next activation or
 * work boundary) the handler costs `cost` ns and runs after the pending
 * notifications.  A blocked domain sleeps until its earliest timeout.
 * Returns an id for cpu_domain_timeout_cancel (FALSE if already run).
 */
uint64_t cpu_domain_timeout_at(cpu_domain *d, sim_time_t at, sim_time_t cost,
			       cpu_work_fn fn, void *ctx, void *arg);
gboolean cpu_domain_timeout_cancel(cpu_domain *d, uint64_t id);

/* ---- the carnage application ---- */

/*
 * A domain with one thread that always has work and uses all the CPU it
 * gets.  `chunk` is the size of each work item (0: 10 ms); it only sets
 * how often a completion event happens, not what carnage gets.
 */
cpu_domain *cpu_carnage_new(cpu_t *cpu, const char *name,
			    const atropos_qos *qos, sim_time_t chunk,
			    GError **error);

/* ---- accounting ---- */

typedef struct cpu_domain_acct {
	sim_time_t contracted; /* run in contracted time (incl. switches) */
	sim_time_t slack;      /* run as slack (incl. switches) */
	sim_time_t waiting;    /* runnable (not blocked) but not running */
	sim_time_t switching;  /* part of run time spent on domain switches */
	uint64_t deadlines_missed;
	uint64_t activations;
	uint64_t wakeups; /* blocked -> runnable */
	uint64_t long_blocks, short_blocks;
	uint64_t work_done; /* work items completed */
} cpu_domain_acct;

typedef struct cpu_acct {
	sim_time_t idle;
	uint64_t decisions;    /* scheduler passes */
	uint64_t timer_events; /* sim events run by this CPU */
	uint64_t deferred_events; /* wake-ups held until the sender's deschedule */
	uint64_t switches;     /* domain switches */
} cpu_acct;

/* Bring the accounting up to now (harmless, idempotent at one time). */
void cpu_sync(cpu_t *cpu);
/* Whole-run totals since creation (after cpu_sync). */
void cpu_domain_get_acct(cpu_domain *d, cpu_domain_acct *out);
void cpu_get_acct(cpu_t *cpu, cpu_acct *out);
/* Shares over the measurement window (up to now). */
double cpu_domain_share(cpu_domain *d);
double cpu_domain_contracted_share(cpu_domain *d);
double cpu_domain_slack_share(cpu_domain *d);
double cpu_idle_share(cpu_t *cpu);

/*
 * Register into sim->stats:
 *   domains.<d>.{cpu_share,contracted_share,slack_share,wait_share,
 *     contracted_ns,slack_ns,wait_ns,switch_ns,deadlines_missed,
 *     activations,wakeups,long_blocks,short_blocks,work_done}
 *   cpus.<cpu>.{idle_share,idle_ns,decisions,events,switches,
 *               deferred_events}
 * Call once, after the domains are made.
 */
void cpu_register_stats(cpu_t *cpu);

/* ---- traces ---- */

typedef enum {
	CPU_RUN_IDLE,
	CPU_RUN_CONTRACTED,
	CPU_RUN_SLACK,
} cpu_run_kind;

const char *cpu_run_kind_name(cpu_run_kind k);

/* "cpu.<cpu>.runs": the domain ran (or the CPU idled) in [start, end). */
typedef struct cpu_run_rec {
	const char *cpu;
	const char *domain; /* "idle" for idle */
	sim_time_t start, end;
	cpu_run_kind kind;
} cpu_run_rec;

sim_tracepoint *cpu_runs_tracepoint(cpu_t *cpu);

/*
 * For a CSV writer subscribed to "cpu.<cpu>.runs": the columns
 * (start_ns, end_ns, cpu, domain, kind; times exact) and one row per
 * record.
 */
extern const char *const cpu_runs_csv_columns[];
void cpu_run_rec_to_csv(sim_csv *csv, const cpu_run_rec *rec);

/*
 * The CPU-share time series, for sim_series (sim/series.h): pass
 * cpu_share_series_columns and cpu_share_series_rows with ctx = the CPU.
 * Each sample appends one row per domain and one for "idle":
 *   time_s, cpu, domain, share, contracted_share, slack_share
 * over the interval [start, t).  Rows are written in the CPU's domain
 * creation order, so files are byte-identical between runs.
 */
extern const char *const cpu_share_series_columns[];
void cpu_share_series_rows(void *cpu, sim_csv *csv, sim_time_t start,
			   sim_time_t t);
