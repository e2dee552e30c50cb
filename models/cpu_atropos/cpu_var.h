/*
 * cpu_var.h - internals shared by cpu_atropos.c (the CPU: Atropos policy,
 * dispatch and accounting) and cpu_domain.c (what happens inside a
 * domain: notifications, timeouts, threads and their work).
 */
#pragma once

#include "cpu_atropos.h"

typedef struct cpu_work {
	struct cpu_work *next;
	sim_time_t left; /* CPU time still to deliver */
	cpu_work_fn fn;
	void *ctx, *arg;
	sim_time_t at;	    /* timeouts: when due */
	uint64_t id;	    /* timeouts: for cancel */
	gboolean nopreempt; /* runs to completion once started */
} cpu_work;

typedef struct cpu_workq {
	cpu_work *head, *tail;
	guint n;
} cpu_workq;

struct cpu_thread {
	cpu_domain *dom;
	char *name;
	guint idx;	  /* in dom->threads */
	cpu_workq work;	  /* head may be in progress */
	gboolean blocked; /* blocked on an event */
	gboolean counted; /* ready, as counted in dom->ready/ready_mask
			   * (and, threads = fifo, on dom's ready FIFO) */
	cpu_thread *rq_prev, *rq_next; /* the domain's ready FIFO */
	sim_exec exec;	  /* "charge this work to my domain" */
};

struct cpu_domain {
	cpu_t *cpu;
	char *name;
	atropos_client ac; /* d, r, queue; owner = this domain */
	gboolean blocked;  /* on cpu->blocked */
	gboolean woken;	   /* on cpu->woken, unblocked at the next pass */
	gboolean unblocked; /* slack = release: on wait, woken from a short
			     * block with r > 0 */

	/* inside the domain */
	cpu_workq notes;    /* pending notification handlers */
	cpu_workq timeouts; /* sorted by (at, id) */
	uint64_t next_timeout_id;
	GPtrArray *threads;
	cpu_thread *cur_thread;	 /* the ULS's current thread */
	cpu_work *cur;		 /* the item being run, or NULL */
	guint ready;		 /* threads unblocked with work queued: kept
				  * here so that "has work?" reads only the
				  * domain, not every thread */
	guint32 ready_mask;	 /* bit i: thread i of the first 32 ready,
				  * so the ULS finds its next thread
				  * without reading the others */
	guint cur_idx;		 /* cur_thread->idx */
	cpu_thread *rq_head, *rq_tail; /* threads = fifo: ready threads in
					* the order they became ready */
	gboolean cur_is_handler; /* cur is a notification/timeout handler */

	/* accounting */
	cpu_domain_acct acct;
	sim_time_t win_contracted, win_slack;
	sim_time_t runnable, win_runnable; /* not blocked (closed part) */
	sim_time_t runnable_since;	   /* start of the open part */
	sim_time_t missed_d; /* deadline already counted as missed */
	sim_time_t sample_prev_c, sample_prev_s;
};

struct cpu {
	sim_t *sim;
	char *name;
	cpu_params params;
	cpu_costs *costs;
	const sim_time_t *c_switch; /* costs' domain_switch (cpu_costs_ref) */
	sim_time_t created;

	/* Atropos state: run and wait in `at`; the CPU's own queues. */
	atropos_sched at;
	atropos_queue blocked;	 /* keyed by the earliest timeout */
	atropos_queue unblocked; /* round_robin: short-block wake-ups with
				  * r > 0, by d (release: on wait, marked) */
	guint n_unblocked;	 /* domains with d->unblocked set */
	GPtrArray *woken;	 /* domains woken since the last pass */
	GPtrArray *domains;
	GHashTable *domain_by_name; /* name -> domain (set-up lookups) */
	atropos_util util;

	/* what the CPU is doing */
	cpu_domain *cur; /* NULL: idle */
	cpu_run_kind kind;
	cpu_domain *last;	/* last domain that ran (switch cost) */
	sim_time_t run_start;	/* start of this run (charging, traces) */
	sim_time_t acct_from;	/* accounted up to here */
	sim_time_t synced_at;	/* cpu_sync() closed every domain here */
	sim_time_t switch_end;	/* domain switch overhead ends here */
	sim_time_t progress_at; /* work delivered up to here */
	sim_time_t point;	/* next scheduling point */
	sim_timer tm;
	gboolean in_dispatch, need_resched;
	cpu_domain *completing; /* whose work item's callback is running */

	/* accounting */
	cpu_acct acct;
	sim_time_t win_idle;
	sim_time_t sample_prev_idle;

	/* observation */
	char *runs_name;
	sim_tracepoint runs_tp;

	cpu_work *free_work; /* recycled work items */
};

/* cpu_atropos.c */
void cpu_domain_wake(cpu_domain *d);
void cpu_blocked_key_changed(cpu_domain *d);
cpu_work *cpu_work_alloc(cpu_t *cpu);
void cpu_work_release(cpu_t *cpu, cpu_work *w);

/* cpu_domain.c */
gboolean cpu_dom_has_work(const cpu_domain *d, sim_time_t now);
/* Choose what to run next; activation: the CPU was just handed over. */
gboolean cpu_dom_pick(cpu_domain *d, sim_time_t now, gboolean activation);
/* The current item has been delivered in full: run its effects. */
void cpu_dom_complete(cpu_domain *d);
sim_time_t cpu_dom_next_timeout(const cpu_domain *d);
void cpu_dom_free(cpu_domain *d);
