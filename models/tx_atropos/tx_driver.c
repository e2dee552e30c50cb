/*
 * tx_driver.c - the driver domain's TX thread.
 *
 * The loop of the release's TX thread, one iteration per frame:
 *   1. if the NIC has no free transmit descriptor, block until tx_done;
 *   2. ask the scheduler (tx_sched_next) for a frame; if none may go,
 *      sleep until the earliest refill or a packet's arrival;
 *   3. spend the iteration's CPU time (on the driver domain, through the
 *      executor), then hand the frame to the NIC.
 * The scheduling decision (and the charge) is taken inside the thread's
 * turn on the CPU, as the release's TX thread calls the scheduler when it
 * runs: an arrival or a free descriptor only wakes the thread (a
 * zero-cost step on the executor), and the decision is made when that
 * step runs, so packets that arrive while the driver domain waits for
 * the CPU are in the choice.  The frame reaches the NIC when the CPU has
 * delivered the iteration's cost, so a starved driver domain delays the
 * wire.
 */
#include "tx_var.h"

#include "sim/ptrq.h"

enum drv_state {
	DRV_IDLE,        /* nothing to send: waits for a refill or arrival */
	DRV_RING_FULL,   /* waits for a descriptor */
	DRV_WOKEN,       /* woken: waits for its turn on the CPU to decide */
	DRV_BUSY,        /* an iteration is running on the CPU */
};

struct tx_driver {
	sim_t *sim;
	tx_sched *ts;
	sim_netif *nif;
	sim_exec *exec;
	sim_time_t per_frame_cost;
	enum drv_state state;
	sim_timer wake;
	sim_pkt *in_flight;
	tx_channel *in_flight_ch;
	sim_ptrq on_card; /* tx_channel * of each frame on the NIC, in order */
	uint64_t ring_full_blocks, idle_sleeps, frames;
};

static void step(tx_driver *drv);

static void
iteration_done(void *arg, void *unused)
{
	tx_driver *drv = arg;
	sim_pkt *frame = drv->in_flight;
	drv->in_flight = NULL;
	drv->frames++;
	sim_ptrq_push_tail(&drv->on_card, drv->in_flight_ch);
	gboolean taken = sim_netif_output(drv->nif, frame);
	/* The ring had room when the iteration started and only this
	 * thread fills it. */
	g_assert(taken);
	drv->state = DRV_IDLE;
	step(drv);
}

static void decide(void *arg, void *unused);

/* Wake the thread: it decides when it gets the CPU. */
static void
step(tx_driver *drv)
{
	if (drv->state == DRV_BUSY || drv->state == DRV_WOKEN)
		return;
	if (drv->nif->tx_ring_free(drv->nif) == 0) {
		if (drv->state != DRV_RING_FULL)
			drv->ring_full_blocks++;
		drv->state = DRV_RING_FULL;
		return;
	}
	drv->state = DRV_WOKEN;
	sim_timer_cancel(drv->sim, &drv->wake);
	sim_exec_run(drv->exec, 0, decide, drv, NULL);
}

/* The thread's turn: ask the scheduler, then spend the iteration. */
static void
decide(void *arg, void *unused)
{
	tx_driver *drv = arg;
	tx_channel *ch;
	sim_time_t wake_at;
	sim_time_t now = sim_now(drv->sim);
	sim_pkt *frame = tx_sched_next(drv->ts, now, &ch, &wake_at);
	/* Only this thread fills the ring: it still has room. */
	if (!frame) {
		drv->state = DRV_IDLE;
		drv->idle_sleeps++;
		if (wake_at != SIM_TIME_MAX)
			sim_timer_arm_at(drv->sim, &drv->wake, MAX(wake_at, now));
		else
			sim_timer_cancel(drv->sim, &drv->wake);
		return;
	}
	sim_timer_cancel(drv->sim, &drv->wake);
	drv->state = DRV_BUSY;
	drv->in_flight = frame;
	drv->in_flight_ch = ch;
	sim_exec_run(drv->exec, drv->per_frame_cost, iteration_done, drv, NULL);
}

static void
wake_fired(void *ctx, void *arg)
{
	tx_driver *drv = ctx;
	if (drv->state == DRV_IDLE)
		step(drv);
}

void
tx_driver_kick(tx_driver *drv)
{
	if (drv->state == DRV_IDLE)
		step(drv);
}

void
tx_driver_ring_space(tx_driver *drv)
{
	/* The card is done with its oldest frame: the buffers go back. */
	tx_channel *ch = sim_ptrq_pop_head(&drv->on_card);
	if (ch)
		tx_channel_frame_done(ch);
	if (drv->state == DRV_RING_FULL) {
		drv->state = DRV_IDLE;
		step(drv);
	}
}

static void
driver_free(gpointer data)
{
	tx_driver *drv = data;
	sim_pkt_unref(drv->in_flight);
	sim_ptrq_clear(&drv->on_card);
	g_free(drv);
}

tx_driver *
tx_driver_new(sim_t *sim, tx_sched *ts, sim_netif *nif, sim_exec *exec,
	      sim_time_t per_frame_cost)
{
	g_assert(ts->drv == NULL);
	tx_driver *drv = g_new0(tx_driver, 1);
	drv->sim = sim;
	drv->ts = ts;
	drv->nif = nif;
	drv->exec = exec;
	drv->per_frame_cost = per_frame_cost;
	drv->state = DRV_IDLE;
	sim_timer_init(&drv->wake, wake_fired, drv, NULL);
	sim_ptrq_init(&drv->on_card);
	ts->drv = drv;
	sim_on_free(sim, driver_free, drv);
	return drv;
}
