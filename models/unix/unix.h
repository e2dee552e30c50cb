/*
 * unix.h - a conventional Unix host of 1999 (Linux 2.x, SunOS 4.1,
 * NetBSD 1.x): a kernel TCP/IP on the NIC, protocol processing on
 * interrupt ahead of user processes, socket buffers, and the user
 * processes' system calls.
 *
 * The CPU has two levels.  Kernel work (receive interrupts with ip_input
 * and tcp_input, transmit-complete interrupts, the TCP ticks) runs first
 * and preempts user work; user work (an application's loop and its
 * system calls, including the tcp_output they trigger) runs when the
 * kernel has nothing to do, first come first served.  Every step is
 * charged from the host's cost table (models/cpu_atropos/cpu_cost.c).
 *
 * Frames that find the NIC's descriptor ring full wait in the interface
 * queue (if_snd, at most IFQ_MAXLEN = 50 frames as in 4.4BSD's if.h);
 * beyond that they are dropped and counted, and TCP recovers them.
 *
 * Wiring (cli/):
 *	unix_host *h = unix_host_new(sim, "kay", nif, &params, &error);
 *	unix_host_add_neighbour(h, addr, mac);
 *	ip_stack *st = unix_host_stack(h);      // sockets for the apps
 *	sim_exec *user = unix_host_user_exec(h); // the apps' CPU
 *	unix_host_register_stats(h);            // hosts.<name>.*
 */
#pragma once

#include "sim/exec.h"
#include "sim/netif.h"
#include "sim/sim.h"

#include "models/cpu_atropos/cpu_cost.h"
#include "models/tcp_bsd/tcp_bsd.h"

typedef struct unix_host unix_host;

typedef struct unix_host_params {
	const char *cost_model;       /* default "pentium200" */
	const struct tcp_personality *personality; /* default Linux 2.2 */
	int rfc1323;                  /* -1 personality, 0 off, 1 on */
	gboolean subnetsarelocal;     /* 4.4BSD's; TRUE by default */
	uint32_t addr;                /* host byte order */
	guint ifq_maxlen;             /* default 50 (4.4BSD IFQ_MAXLEN) */
} unix_host_params;

void unix_host_params_default(unix_host_params *p);

unix_host *unix_host_new(sim_t *sim, const char *name, sim_netif *nif,
			 const unix_host_params *p, GError **error);
void unix_host_add_neighbour(unix_host *h, uint32_t addr, const uint8_t *mac);
ip_stack *unix_host_stack(unix_host *h);
/* The executor of user processes (applications and their calls). */
sim_exec *unix_host_user_exec(unix_host *h);
void unix_host_register_stats(unix_host *h);
/* The cost of an operation in the host's cost table (must exist). */
sim_time_t unix_host_cost(const unix_host *h, const char *op);

/* The two-level CPU, on its own (tests use it). */
typedef struct unix_cpu unix_cpu;
unix_cpu *unix_cpu_new(sim_t *sim);
sim_exec *unix_cpu_kernel(unix_cpu *c);
sim_exec *unix_cpu_user(unix_cpu *c);
/* Busy time at each level and idle time, up to now. */
void unix_cpu_times(unix_cpu *c, sim_time_t *kernel, sim_time_t *user,
		    sim_time_t *idle);
