/*
 * nemesis.h - the Nemesis host of the paper, end to end (section 3).
 *
 * Domains on one CPU under Atropos (models/cpu_atropos):
 *   - the device driver domain: receive interrupts and the packet filter
 *     (demultiplexing each frame to its connection's receive channel and
 *     copying it into a receive buffer the domain posted, or dropping it
 *     when there is none), transmit-complete interrupts, and the TX
 *     thread that serves the transmit channels under the transmit
 *     scheduler (models/tx_atropos);
 *   - the flow manager: allocates ports and installs packet filters;
 *   - application domains, each running InetMod: its own BSD TCP
 *     (models/tcp_bsd) with, per connection, a receiver thread (tcp_input
 *     on arriving packets) and a transmit I/O channel with its own
 *     (p, s, x) reservation; a timer thread per domain for the TCP ticks;
 *     and the application's own thread.
 * Every step is charged to the domain it runs in, from the CPU's cost
 * table.  A frame built by TCP costs inet_tcp_output on the thread that
 * ran tcp_output and then enters its connection's channel; when the
 * channel is full it waits and the application thread blocks.
 *
 * InetMod's window: the window a connection advertises is at most the
 * free posted receive buffers and free to_app slots, in segments (paper,
 * "Supplying the Device Driver with Empty Receive Buffers").  A received
 * segment holds its buffer until the application reads it.
 *
 * Wiring (cli/):
 *	nem_host_params hp; nem_host_params_default(&hp, rate, "de4x5");
 *	nem_host *h = nem_host_new(sim, "nemesis", cpu, nif, &hp, &err);
 *	nem_host_add_neighbour(h, peer_addr, peer_mac);
 *	nem_domain *d = nem_domain_new(h, "c1", &cpu_qos, &err);
 *	struct socket *so = nem_connect(d, "c1", &tx_qos, peer, port, start,
 *					&err);
 *	app_tcp_send_new(sim, "c1", so, nem_domain_app_exec(d), &ap);
 *	nem_host_register_stats(h);
 */
#pragma once

#include "sim/exec.h"
#include "sim/netif.h"

#include "models/cpu_atropos/cpu_atropos.h"
#include "models/tcp_bsd/tcp_bsd.h"
#include "models/tx_atropos/tx_atropos.h"

typedef struct nem_host nem_host;
typedef struct nem_domain nem_domain;

typedef struct nem_host_params {
	uint32_t addr;              /* host byte order */
	atropos_qos driver_qos;     /* the driver domain's CPU QoS */
	atropos_qos flowman_qos;    /* the flow manager's */
	guint rx_buffers;           /* posted per connection: 40 (release) */
	guint to_app_slots;         /* to_app FIFO per connection */
	uint32_t sockbuf;           /* InetMod socket buffers: 16000 */
	int rfc1323;                /* -1 as 4.4BSD-Lite (on), 0 off, 1 on */
	gboolean subnetsarelocal;   /* 4.4BSD's; TRUE by default */
	tx_sched_params tx;         /* the transmit scheduler */
} nem_host_params;

/*
 * Defaults of the 1999 release (the Nemesis 1999 source release's driver
 * and flow manager QoS); the driver QoS by card: "3c509" (20 ms, 200 us,
 * x, l 20 ms), any other (the de4x5's: 10 ms, 200 us, x, l 10 ms).
 */
void nem_host_params_default(nem_host_params *p, sim_rate_t rate,
			     const char *nic);

nem_host *nem_host_new(sim_t *sim, const char *name, cpu_t *cpu,
		       sim_netif *nif, const nem_host_params *p, GError **error);
void nem_host_add_neighbour(nem_host *h, uint32_t addr, const uint8_t *mac);

nem_domain *nem_domain_new(nem_host *h, const char *name,
			   const atropos_qos *cpu_qos, GError **error);
cpu_domain *nem_domain_cpu(nem_domain *d);
/* The application's thread, for the app's steps. */
sim_exec *nem_domain_app_exec(nem_domain *d);

/*
 * Open a TCP connection from domain d at `start`: the flow manager
 * allocates a port and installs the filter, then the application thread
 * connects.  The connection's transmit channel gets tx_qos.
 */
struct socket *nem_connect(nem_domain *d, const char *name,
			   const atropos_qos *tx_qos, uint32_t peer,
			   uint16_t peer_port, sim_time_t start, GError **error);

/*
 * A server in domain d (the paper's ServerSocket): the flow manager binds
 * `port` and installs its filter; the server's receive channel (posted
 * buffers, receiver thread) and transmit channel (tx_qos) serve every
 * connection it accepts.  Returns the listening socket; its upcall says
 * SO_EV_ACCEPT when a connection is ready.
 */
struct socket *nem_listen(nem_domain *d, const char *name,
			  const atropos_qos *tx_qos, uint16_t port, int backlog,
			  GError **error);
/*
 * The same for a server that was up before the run began (a scenario's
 * receivers and web servers): its filter is there at time 0, and the
 * flow manager's work for it is not part of the run.  Accepts still go
 * through the flow manager, at its cost.
 */
struct socket *nem_listen_up(nem_domain *d, const char *name,
			     const atropos_qos *tx_qos, uint16_t port,
			     int backlog, GError **error);
/*
 * Accept the next connection of a listener: the flow manager installs
 * its filter, then done(ctx, so) runs on the application's thread (so
 * NULL at once when none is waiting).
 */
typedef void (*nem_accepted_fn)(void *ctx, struct socket *so);
void nem_accept(nem_domain *d, struct socket *listener, nem_accepted_fn done,
		void *ctx);

tx_sched *nem_host_tx_sched(nem_host *h);
/* hosts.<name>.*, channels.<conn or server>.* */
void nem_host_register_stats(nem_host *h);
