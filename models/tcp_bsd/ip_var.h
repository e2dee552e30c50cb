/*
 * ip_var.h - the host (stack) and IP's internals: counters in the manner
 * of 4.4BSD ipstat, the neighbour table, the list of PCBs and the
 * per-stack TCP globals (tcp_iss, tcp_now, timer values in ticks).
 */
#pragma once

#include "sim/idmap.h"
#include "sim/ptrq.h"
#include "tcp_bsd.h"
#include "tcp_var.h"

/* ICMP input, as far as TCP needs it (4.4BSD icmpstat's input half). */
struct icmpstat {
	uint64_t icps_total;            /* ICMP messages received */
	uint64_t icps_tooshort;         /* shorter than ICMP_MINLEN */
	uint64_t icps_checksum;         /* bad checksum */
	uint64_t icps_badcode;          /* unknown code for the type */
	uint64_t icps_badlen;           /* error without a whole IP header */
	uint64_t icps_unreach;          /* destination unreachable, to TCP */
	uint64_t icps_quench;           /* source quench, to TCP */
	uint64_t icps_ignored;          /* other types (no echo, redirect) */
};

struct ipstat {
	uint64_t ips_total;             /* total packets received */
	uint64_t ips_badsum;            /* checksum bad */
	uint64_t ips_tooshort;          /* packet too short */
	uint64_t ips_toosmall;          /* not enough data for a header */
	uint64_t ips_badhlen;           /* ip header length < data size */
	uint64_t ips_badlen;            /* ip length < ip header length */
	uint64_t ips_badvers;           /* ip version != 4 */
	uint64_t ips_fragdropped;       /* fragments dropped: no reassembly */
	uint64_t ips_cantforward;       /* not for us, and we do not forward */
	uint64_t ips_noproto;           /* unknown or unsupported protocol */
	uint64_t ips_delivered;         /* datagrams delivered to upper level */
	uint64_t ips_localout;          /* total ip packets generated here */
	uint64_t ips_noroute;           /* no neighbour entry for destination */
	uint64_t ips_toolong;           /* larger than the MTU: refused */
	uint64_t ips_odropped;          /* output hook/netif refused: ENOBUFS */
	uint64_t ips_badether;          /* wrong ethertype or destination */
};

struct ip_neighbour {
	uint32_t addr;
	uint8_t mac[ETHER_ADDR_LEN];
};

struct ip_stack {
	sim_t *sim;
	sim_netif *nif;
	char *name;
	uint32_t addr, netmask;
	gboolean subnetsarelocal;       /* see struct ip_stack_config */
	struct tcp_personality pers;    /* a copy: rfc1323 override applied */
	GArray *neighbours;             /* struct ip_neighbour */
	ip_output_hook_fn output_hook;
	void *output_ctx;
	uint16_t ip_id;

	/* TCP globals of 4.4BSD, one set per host. */
	/*
	 * All control blocks, oldest first (tp->t_vidx).  Walked backwards it
	 * is 4.4BSD's inpcb list, newest first (tcp_tcb_first/next).
	 */
	GPtrArray *tcb_vec;
	/*
	 * Exact-match index (faddr, fport, lport) -> the newest tcpcb with
	 * those ends, for every block that has a foreign end (4.4BSD keeps
	 * a one-entry cache, tcp_last_inpcb, in front of a list walk; a host
	 * with thousands of connections needs them all).  Filled when a
	 * block gets its foreign end, updated when one goes.
	 */
	sim_idmap *pcb_exact;
	sim_idmap *pcb_wild;            /* lport -> newest listener/bound */
	sim_idmap *lport_refs;          /* lport -> blocks using it (count) */
	tcp_seq tcp_iss;
	uint32_t tcp_now;               /* slow ticks, for timestamps */
	/* Lazy ticks (tcp_timer.c): slow ticks done, the blocks waiting for
	 * a tick or a delayed-ACK time, and the blocks entered since the
	 * outermost entry point began (re-queued when it returns). */
	uint64_t slow_ticks;
	struct tcp_tickq {
		struct tcpcb **a;
		guint n, cap;
	} tickq[2];
	struct tcpcb *touched;          /* list through t_touch_next */
	GPtrArray *tick_due;            /* tcp_slowtimo's work list */
	gboolean delack_maybe;          /* a TF_DELACK set since fast tick */
	gboolean check_ticks;           /* NEMSIM_CHECK_TICKS: verify */
	uint16_t lastport;
	/* Personality timer values in slow ticks (4.4BSD TCPTV_*). */
	int tv_msl, tv_min, tv_rexmtmax, tv_srttdflt, tv_persmin, tv_persmax;
	int tv_keep_init, tv_keep_idle, tv_keepintvl, tv_maxidle;
	int maxrxtshift;
	sim_timer slow_timer, fast_timer;
	gboolean freeing;
	GHashTable *sockets;            /* every live struct socket */
	/*
	 * Received segments the stack holds: in receive buffers and in
	 * reassembly queues (each one a receive buffer a Nemesis domain
	 * posted, until the application reads it).
	 */
	uint64_t rcv_held;
	ip_rcvd_hook_fn rcvd_hook;      /* told of packets a read freed */
	void *rcvd_ctx;
	/*
	 * Re-entrancy guard.  BSD never runs tcp_input inside tcp_output:
	 * received packets wait in ipintrq for the software interrupt.  If
	 * a frame arrives while this stack is busy (an output hook that
	 * delivers synchronously to a peer that answers at once), it waits
	 * here and is processed when the outermost entry point returns.
	 */
	int depth;
	sim_ptrq ipintrq;

	struct ipstat ipstat;
	struct icmpstat icmpstat;
	struct tcpstat tcpstat;
};

/* The stack's control blocks in 4.4BSD's list order, newest first.  A
 * walk that may close tp takes the next block first (closing tp leaves
 * the blocks after it in place). */
static inline struct tcpcb *
tcp_tcb_first(const ip_stack *st)
{
	guint n = st->tcb_vec->len;
	return n ? st->tcb_vec->pdata[n - 1] : NULL;
}

static inline struct tcpcb *
tcp_tcb_next(const ip_stack *st, const struct tcpcb *tp)
{
	return tp->t_vidx ? st->tcb_vec->pdata[tp->t_vidx - 1] : NULL;
}

/* ip_input.c / ip_output.c / in_cksum.c */
int ip_output(ip_stack *st, sim_pkt *p, uint32_t src, uint32_t dst);
int ip_output_tos(ip_stack *st, sim_pkt *p, uint32_t src, uint32_t dst,
		  uint8_t tos, uint8_t ttl);
void ip_encap(sim_pkt *p, uint32_t src, uint32_t dst, uint16_t id,
	      uint8_t ttl, const uint8_t *dst_mac, const uint8_t *src_mac);
void ip_encap_tos(sim_pkt *p, uint32_t src, uint32_t dst, uint16_t id,
		  uint8_t tos, uint8_t ttl, const uint8_t *dst_mac,
		  const uint8_t *src_mac);
gboolean in_localaddr(const ip_stack *st, uint32_t addr);
uint32_t in_cksum_add(uint32_t sum, const uint8_t *p, uint32_t len,
		      gboolean *odd);
uint32_t in_cksum_pkt(uint32_t sum, const sim_pkt *p, uint32_t off,
		      uint32_t len);
uint16_t in_cksum_fold(uint32_t sum);
uint32_t in_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len);
void pkt_trim_tail(sim_pkt *p, uint32_t n);
void ip_stack_enter(ip_stack *st);
void ip_stack_exit(ip_stack *st);

/* tcp_subr.c: the exact-match index */
void tcp_pcb_index(struct tcpcb *tp);
void tcp_pcb_unindex(struct tcpcb *tp);
/* tcp_subr.c: local ports in use (in_pcbbind's check) */
void tcp_lport_hold(struct socket *so);
void tcp_lport_release(struct socket *so);
gboolean tcp_lport_in_use(const ip_stack *st, uint16_t lport);

/* tcp_timer.c: lazy ticks */
void tcp_tick_sync(struct tcpcb *tp);
void tcp_tick_touch(struct tcpcb *tp);
void tcp_tick_requeue_touched(ip_stack *st);
void tcp_tick_forget(struct tcpcb *tp);
