/*
 * atropos_core.h - the part of Atropos that the CPU scheduler and the
 * transmit scheduler share: QoS (p, s, x, l), deadlines and remaining
 * time, EDF queues, the refill with debt carried, the slack ring, and the
 * admission sum.
 *
 * What is here is mechanism only.  Each user states its own policy in its
 * own file, in the order it applies the rules:
 *
 *   CPU (cpu_atropos.c, REFERENCE.md §1)     TX (tx_atropos, REFERENCE §2)
 *   ---------------------------------------  ------------------------------
 *   creation: r = s, d 1 ns after the run    channel starts idle, d = bind
 *     queue's head (now + p if empty)          + 1 s, r = 0
 *   charge time run in contracted time       charge frame time to r
 *     (atropos_charge)                         (atropos_charge)
 *   refill wait entries with d <= now        same (atropos_refill) but
 *     ATROPOS_REFILL_DROP_LEFTOVER             ATROPOS_REFILL_ADD
 *   blocked queue, long/short block,         idle channels: no queue, the
 *     latency hint, "unblocked" entries        "arrival at idle" rule
 *   EDF head of run (atropos_run_head)       same, EDF over runnable,
 *     ties: ATROPOS_TIES_HEAP (release)        afresh per frame, ties
 *     or FIFO (round_robin)                    ATROPOS_TIES_NEWEST
 *   slack: the release's cursor over the     a ring of x = true clients,
 *     wait heap array                          20 ms quantum kept across
 *     (atropos_slack_pick_heap), or a ring     picks, decremented by
 *     (atropos_slack_pick); 1 ms quantum       charges; pause when no one
 *     granted per pick                         else may take a turn
 *
 * How tx_atropos should use it: embed an atropos_client in each channel
 * (owner = the channel), keep one atropos_sched per driver; on every pick
 * call atropos_refill(s, now, ATROPOS_REFILL_ADD, NULL, cb, ctx), then
 * atropos_run_head() (and, if that channel has no packet, make it idle with
 * atropos_remove() and look again), then the slack ring with a predicate
 * "waiting, x, has a packet"; charge with atropos_charge(); the earliest
 * refill for its block timer is atropos_next_refill().  Idle channels are
 * simply on no queue (ATROPOS_Q_NONE); the arrival-at-idle rule sets d and r
 * and calls atropos_enqueue_by_remain().
 *
 * Queues are binary heaps keyed by (time, insertion sequence), so every
 * run is deterministic.  Which of two equal deadlines goes first is the
 * user's policy (atropos_sched.ties): the transmit side puts a newcomer
 * ahead of the entries already queued with its deadline, as the release's
 * sorted list insertion in qosentry.c does (it stops at the first entry
 * whose deadline is not earlier); the CPU side either keeps first come
 * first served (ATROPOS_TIES_FIFO) or lays its heaps out exactly as the
 * kernel's priority queues do (ATROPOS_TIES_HEAP: no sequence number; an
 * entry sifted up stops below an equal parent, one sifted down passes
 * equal children and takes the right one of two equal children), which
 * matters because the release's slack cursor walks the heap array
 * (atropos_slack_pick_heap).  With distinct keys the three agree.
 */
#pragma once

#include <glib.h>

#include "sim/simtime.h"

/* The reservation: slice s in every period p; x: wants slack; l: latency. */
typedef struct atropos_qos {
	sim_time_t p; /* period */
	sim_time_t s; /* slice guaranteed in every period, 0 <= s <= p */
	gboolean x;   /* may use unallocated time (slack) */
	sim_time_t l; /* latency hint: deadline after a long block */
} atropos_qos;

/* Check 0 < p, 0 <= s <= p, l >= 0.  `what` names the owner in messages. */
gboolean atropos_qos_check(const atropos_qos *q, const char *what,
			   GError **error);

/* Which queue a client is on. */
typedef enum {
	ATROPOS_Q_NONE = 0, /* on no queue (TX: idle; CPU: being created) */
	ATROPOS_Q_RUN,	    /* r > 0, eligible for contracted time, by d */
	ATROPOS_Q_WAIT,	    /* waiting for its next period, by d */
	ATROPOS_Q_OTHER, /* on a user-owned queue (CPU: blocked, unblocked) */
} atropos_qstate;

typedef struct atropos_queue atropos_queue;

typedef struct atropos_client {
	atropos_qos qos;
	sim_time_t d; /* current deadline (end of current period) */
	sim_time_t r; /* remaining contracted time; < 0 is debt */
	/* queue membership (owned by atropos_core.c) */
	atropos_queue *q;
	sim_time_t key; /* heap key: d, or a user key (timeout) */
	uint64_t seq;	/* tie-break: insertion order */
	guint qidx;
	atropos_qstate qstate;
	guint ring_idx; /* index in the slack ring, G_MAXUINT if none */
	void *owner;	/* the domain or the channel */
	/* counters the core keeps */
	uint64_t refills; /* periods started by atropos_refill */
} atropos_client;

/* A heap entry: the client's (key, seq) kept by value, so a sift reads
 * only the heap array, not every client it compares (with thousands of
 * domains each client is a cache miss). */
typedef struct atropos_qent {
	sim_time_t key;
	uint64_t seq;
	atropos_client *c;
} atropos_qent;

/* A heap of clients keyed by (key, seq). */
struct atropos_queue {
	atropos_qent *v;
	guint n, cap;
	atropos_qstate tag; /* what membership in this queue means */
	gboolean heap_ties; /* ATROPOS_TIES_HEAP's sift rules */
};

/* Order among equal keys. */
typedef enum {
	ATROPOS_TIES_FIFO = 0, /* the one queued first goes first */
	ATROPOS_TIES_NEWEST,   /* the one queued last goes first (qosentry) */
	ATROPOS_TIES_HEAP,     /* the kernel's pqueues: layout decides */
} atropos_ties;

typedef struct atropos_sched {
	atropos_queue run;  /* by deadline */
	atropos_queue wait; /* by deadline */
	GPtrArray *ring;    /* x = true clients, in order of joining */
	guint ring_next;    /* where the next slack search starts */
	/* Bit i set: ring client i is on the wait queue (the only ones the
	 * slack search asks about; O(ring/64) words, not O(ring) clients). */
	guint64 *waitbits;
	guint waitwords;
	uint64_t seq;
	atropos_ties ties; /* atropos_sched_set_ties, before use */
	guint cursor;	   /* atropos_slack_pick_heap: 1-based, 0 at start */
} atropos_sched;

void atropos_sched_init(atropos_sched *s);
void atropos_sched_clear(atropos_sched *s);
/* The tie policy of s's queues (and of a user queue, if not NULL). */
void atropos_sched_set_ties(atropos_sched *s, atropos_ties ties);
void atropos_queue_set_ties(atropos_queue *q, atropos_ties ties);

/* A queue owned by the user (CPU: blocked, unblocked). */
void atropos_queue_init(atropos_queue *q, atropos_qstate tag);
void atropos_queue_clear(atropos_queue *q);
static inline atropos_client *
atropos_queue_head(const atropos_queue *q)
{
	return q->n ? q->v[0].c : NULL;
}
static inline guint
atropos_queue_len(const atropos_queue *q)
{
	return q->n;
}

/* Attach a client: qos copied, on no queue, joins the slack ring if x. */
void atropos_client_init(atropos_sched *s, atropos_client *c,
			 const atropos_qos *q, void *owner);
/* Detach: off every queue and out of the ring. */
void atropos_client_fini(atropos_sched *s, atropos_client *c);

/* Queue operations.  A client is on at most one queue. */
void atropos_enqueue(atropos_sched *s, atropos_queue *q, atropos_client *c,
		     sim_time_t key);
void atropos_remove(atropos_sched *s, atropos_client *c);
/* Move a queued client to a new key (keeps its queue). */
void atropos_requeue_key(atropos_sched *s, atropos_client *c, sim_time_t key);
/* Onto run (keyed by d) if r > 0, else onto wait (keyed by d). */
void atropos_enqueue_by_remain(atropos_sched *s, atropos_client *c);

static inline atropos_client *
atropos_run_head(const atropos_sched *s)
{
	return atropos_queue_head(&s->run);
}

/*
 * Charge `used` of contracted time: r -= used.  A client on run whose r
 * drops to <= 0 moves to wait, keeping its deadline.  Returns TRUE if it
 * moved.  (Time used as slack is never charged; callers only account it.)
 */
gboolean atropos_charge(atropos_sched *s, atropos_client *c, sim_time_t used);

/* How a refill treats what is left of the old period's allocation. */
typedef enum {
	/* CPU (Nemesis kernel): r = s if r > 0, else r + s.  Positive
	 * leftover is dropped ("can't be trusted"), debt is carried. */
	ATROPOS_REFILL_DROP_LEFTOVER,
	/* TX (qosentry): r += s, debt carried, no clamp. */
	ATROPOS_REFILL_ADD,
} atropos_refill_rule;

/* Called for each client refilled, before its new r and d are set. */
typedef void (*atropos_refill_fn)(void *ctx, atropos_client *c, sim_time_t now);

/*
 * Start new periods: every client on wait (and on `extra`, if not NULL,
 * a user queue keyed by deadline such as the CPU's unblocked queue) whose
 * d <= now, in deadline order, gets r per `rule` and d += p, then goes to
 * run if r > 0, else back to wait.  A client overdue by several periods
 * passes through again in the same call, paying its debt one slice per
 * period, until it is runnable or its deadline is in the future.  Returns
 * the number of refills.
 */
guint atropos_refill(atropos_sched *s, sim_time_t now, atropos_refill_rule rule,
		     atropos_queue *extra, atropos_refill_fn fn, void *ctx);

/* Earliest deadline on wait (and extra), or SIM_TIME_MAX. */
sim_time_t atropos_next_refill(const atropos_sched *s,
			       const atropos_queue *extra);

/*
 * Slack: the next x = true client after the previous pick, cyclically,
 * that is on the wait queue and for which eligible(ctx, c) holds; NULL if
 * none.  Only clients on the wait queue are asked (a bitmap finds them),
 * so a search costs O(ring / 64) however many clients are blocked.  The
 * ring position advances past the client returned.
 */
typedef gboolean (*atropos_eligible_fn)(void *ctx, const atropos_client *c);
atropos_client *atropos_slack_pick(atropos_sched *s, atropos_eligible_fn fn,
				   void *ctx);

/*
 * Slack the release's way (atropos.c, its "next_optm"): a cursor over the
 * wait queue's heap array.  Before each probe the cursor moves one entry
 * on (wrapping from the last to the first); the first entry probed that
 * fn accepts is returned, after at most one probe per entry.  Which
 * client comes next thus depends on the heap's layout, not on an order of
 * clients, and shifts as refills move entries around.
 */
atropos_client *atropos_slack_pick_heap(atropos_sched *s,
					atropos_eligible_fn fn, void *ctx);
/* The i-th entry (0-based) of the wait queue's heap array. */
static inline atropos_client *
atropos_wait_nth(const atropos_sched *s, guint i)
{
	return s->wait.v[i].c;
}

/*
 * Admission: the utilisation sum(s/p) of a set of reservations, kept as
 * an exact fraction so that 0.5 + 0.5 is exactly 1.
 */
typedef struct atropos_util {
	__int128 num, den; /* den > 0; falls back to `approx` on overflow */
	double approx;
	gboolean exact;
} atropos_util;

void atropos_util_init(atropos_util *u);
void atropos_util_add(atropos_util *u, const atropos_qos *q);
/* Is the sum strictly greater than 1? */
gboolean atropos_util_exceeds_one(const atropos_util *u);
double atropos_util_value(const atropos_util *u);
