/*
 * tcp_bsd.h - public interface of the BSD-derived TCP/IP model.
 *
 * A host ("stack") owns one IPv4 address on one sim_netif, a static
 * neighbour table instead of ARP, and a 4.4BSD-shaped TCP whose timers
 * run on the stack's own fast (200 ms) and slow (500 ms) ticks.  Hosts
 * differ by personality (4.4BSD/NetBSD, SunOS 4.1, Linux 2.0/2.2).
 *
 * Use:
 *	st = ip_stack_new(sim, nif, &cfg);   // cfg.addr, cfg.personality
 *	ip_stack_add_neighbour(st, peer_addr, peer_mac);
 *	so = so_socket(st); so_connect(so, peer_addr, 5001);
 *	so_set_upcall(so, fn, ctx);          // told of read/write/connect
 *	so_send(so, data, n); so_recv(so, buf, n); so_close(so);
 *
 * The stack sets nif->input/upper itself.  Entry points a host model can
 * wrap to charge CPU time: ip_stack_input() (a received frame), the so_*
 * calls, tcp_slowtimo()/tcp_fasttimo() (when cfg.external_ticks is set
 * the host drives the ticks), and the output hook, which receives every
 * frame built by ip_output before it reaches the netif.  The receive
 * window a connection advertises comes from a per-socket function
 * (so_set_rcvwin_fn), by default the free space of the receive buffer.
 *
 * Calls return 0 or a byte count on success and a negative errno value
 * (-EWOULDBLOCK, -ENOTCONN, ...) on failure.  Nothing blocks: a caller
 * that got -EWOULDBLOCK waits for the upcall.
 */
#pragma once

#include <errno.h>
#include <sys/types.h>

#include "sim/sim.h"
#include "sim/netif.h"
#include "sim/trace.h"

typedef struct ip_stack ip_stack;
struct socket;
struct tcpcb;

/* Delayed-ACK policies of the hosts in the paper (REFERENCE.md §6). */
enum tcp_ack_policy {
	TCP_ACK_BSD,    /* delay in-order data to the fast tick, OOO at once */
	TCP_ACK_SUNOS,  /* delay all data to the fast tick, OOO included */
	TCP_ACK_LINUX,  /* ACK every 2nd full segment, quick-ACK, else ato */
};

/* When a read makes tcp_output send a window update. */
enum tcp_wupdate_rule {
	TCP_WUPD_BSD,   /* advance >= 2 MSS or >= half the buffer */
	TCP_WUPD_SUNOS, /* buffer empty and advance >= 2 MSS, or >= 35% */
};

/*
 * What tcp_input does with a segment that lies wholly left of rcv_nxt
 * (an old duplicate; a RST or SYN one to the left), TCPIP2 pp. 959-960.
 */
enum tcp_olddup_rule {
	/* 4.4BSD-Lite (TCPIP2 Fig. 28.24): todrop >= len -> dropafterack
	 * (a RST is just dropped; nothing else is processed), except a
	 * FIN that is the only thing left of the window (ACK it, go on)
	 * and a SYN|ACK one left of rcv_nxt (go on, no forced ACK). */
	TCP_OLDDUP_LITE,
	/* TCPIP2 p. 960's correction, in 4.4BSD-Lite2: ACK at once but
	 * keep processing the segment for its RST or ACK. */
	TCP_OLDDUP_LITE2,
	/* 4.3BSD-Tahoe: todrop > len, or == len without FIN ->
	 * dropafterack; the FIN special case is absent. */
	TCP_OLDDUP_TAHOE,
};

/* What an ICMP error does to a connection (tcp_notify). */
enum tcp_icmp_rule {
	TCP_ICMP_LITE,  /* 4.4BSD: soft errors, hard late in SYN_SENT */
	TCP_ICMP_43BSD, /* 4.3BSD in_pcbnotify: so_error every time */
	TCP_ICMP_LINUX, /* Linux 2.x: fatal before ESTABLISHED */
};

struct tcp_personality {
	const char *name;
	sim_time_t slowtick, fasttick;  /* fasttick 0: no fast tick */
	sim_time_t msl;
	sim_time_t rexmt_min, rexmt_max;
	sim_time_t rtt_dflt;            /* initial RTO is twice this */
	sim_time_t persist_min, persist_max;
	sim_time_t keep_init, keep_idle, keep_intvl;
	int keepcnt;
	int maxrxtshift;                /* retransmissions before drop */
	int mssdflt;                    /* MSS without an option / non-local */
	gboolean mss_local_only;        /* clamp non-local peers to mssdflt */
	uint32_t sndbuf, rcvbuf;        /* default socket buffer sizes */
	enum tcp_ack_policy ack_policy;
	sim_time_t delack_min, delack_max; /* Linux ato bounds */
	gboolean delack_psh_min;        /* Linux 2.0: small PSH -> delack_min */
	enum tcp_wupdate_rule wupdate;
	gboolean ca_mss8;               /* CA adds mss/8 (4.4BSD-Lite) */
	gboolean do_rfc1323;            /* window scale and timestamps */
	enum tcp_olddup_rule olddup;    /* a segment left of the window */
	enum tcp_icmp_rule icmp;        /* ICMP errors into TCP */
};

extern const struct tcp_personality tcp_personality_bsd44;
extern const struct tcp_personality tcp_personality_netbsd1;
extern const struct tcp_personality tcp_personality_sunos41;
extern const struct tcp_personality tcp_personality_linux20;
extern const struct tcp_personality tcp_personality_linux22;
/* By name ("4.4bsd", "netbsd", "sunos", "linux2.0", "linux2.2"). */
const struct tcp_personality *tcp_personality_find(const char *name);

struct ip_stack_config {
	const char *name;               /* for stats and traces */
	uint32_t addr, netmask;         /* host byte order */
	/*
	 * 4.4BSD's subnetsarelocal (netinet/in.c, SUBNETSARELOCAL, 1 by
	 * default): in_localaddr counts every subnet of our class-based
	 * network as local (10.x.y.z: all of 10/8), not only our own
	 * subnet; tcp_mss clamps non-local peers to 512.
	 */
	gboolean subnetsarelocal;
	const struct tcp_personality *personality; /* NULL: 4.4BSD */
	int rfc1323;                    /* -1 personality, 0 off, 1 on */
	/*
	 * Phase of the ticks: the first slow tick is at tick_phase mod
	 * slowtick (fast: mod fasttick).  Negative: drawn from the stack's
	 * random stream, as a real host's boot time would be.
	 */
	sim_time_t tick_phase;
	uint32_t iss;                   /* first ISS (4.4BSD starts at 1) */
	gboolean external_ticks;        /* host calls tcp_*timo itself */
};

void ip_stack_config_init(struct ip_stack_config *cfg);

ip_stack *ip_stack_new(sim_t *sim, sim_netif *nif,
		       const struct ip_stack_config *cfg);
void ip_stack_add_neighbour(ip_stack *st, uint32_t addr, const uint8_t *mac);

/*
 * The output hook sees every frame ip_output built (a whole Ethernet
 * frame, one reference the hook takes over).  It returns FALSE if the
 * frame could not be queued (then it must not keep it): tcp_output
 * treats that as ENOBUFS.  The default hands the frame to the netif.
 */
typedef gboolean (*ip_output_hook_fn)(void *ctx, ip_stack *st, sim_pkt *frame);
void ip_stack_set_output_hook(ip_stack *st, ip_output_hook_fn fn, void *ctx);
gboolean ip_stack_netif_output(ip_stack *st, sim_pkt *frame);

/*
 * The read hook: called inside a read (so_recv) that freed `packets`
 * received segments from so's receive buffer, before TCP decides on a
 * window update (PRU_RCVD).  A host whose receive buffers are its own
 * (Nemesis InetMod) returns them to the driver here.
 */
typedef void (*ip_rcvd_hook_fn)(void *ctx, struct socket *so,
				uint32_t packets);
void ip_stack_set_rcvd_hook(ip_stack *st, ip_rcvd_hook_fn fn, void *ctx);
/* Received segments held in receive buffers and reassembly queues. */
uint64_t ip_stack_rcv_held(const ip_stack *st);

/* A frame from the link (the netif input upcall calls this). */
void ip_stack_input(ip_stack *st, sim_pkt *frame);
/* The ticks, for hosts that set external_ticks. */
void tcp_slowtimo(ip_stack *st);
void tcp_fasttimo(ip_stack *st);

sim_t *ip_stack_sim(const ip_stack *st);
const struct tcp_personality *ip_stack_personality(const ip_stack *st);

/* Socket layer (tcp_usrreq.c). */
enum {
	SO_EV_READ = 1,         /* data or EOF to read */
	SO_EV_WRITE = 2,        /* send buffer space above the low mark */
	SO_EV_CONNECTED = 4,    /* connect completed */
	SO_EV_ACCEPT = 8,       /* a listener has a connection to accept */
	SO_EV_CLOSED = 16,      /* connection gone (so_error says why) */
};
typedef void (*so_upcall_fn)(struct socket *so, void *ctx, int events);

enum so_opt {
	SOOPT_SNDBUF,
	SOOPT_RCVBUF,
	SOOPT_SNDLOWAT,
	SOOPT_RCVLOWAT,
	SOOPT_KEEPALIVE,
	SOOPT_NODELAY,          /* TCP_NODELAY */
	SOOPT_MAXSEG,           /* TCP_MAXSEG (set: only lower it) */
	SOOPT_ERROR,            /* SO_ERROR (get, clears) */
	SOOPT_LINGER,           /* SO_LINGER: -1 off, else seconds (0: RST) */
	SOOPT_IP_TOS,           /* IP_TOS of the segments tcp_output sends */
	SOOPT_IP_TTL,           /* IP_TTL of the same */
};

#define SO_SHUT_RD 0
#define SO_SHUT_WR 1
#define SO_SHUT_RDWR 2

struct socket *so_socket(ip_stack *st);
int so_bind(struct socket *so, uint32_t addr, uint16_t port);
int so_listen(struct socket *so, int backlog);
struct socket *so_accept(struct socket *so, int *error);
int so_connect(struct socket *so, uint32_t addr, uint16_t port);
ssize_t so_send(struct socket *so, const void *data, size_t len);
/* Zero-copy send: the buffer is referenced, not copied. */
ssize_t so_send_buf(struct socket *so, sim_buf *b, uint32_t off, uint32_t len);
ssize_t so_recv(struct socket *so, void *buf, size_t len);
/* recv(2) flags: SO_MSG_PEEK reads without consuming (as MSG_PEEK). */
#define SO_MSG_PEEK 0x2
ssize_t so_recv_flags(struct socket *so, void *buf, size_t len, int flags);
int so_shutdown(struct socket *so, int how);
int so_close(struct socket *so);
int so_setsockopt(struct socket *so, enum so_opt opt, int val);
int so_getsockopt(struct socket *so, enum so_opt opt, int *val);
void so_set_upcall(struct socket *so, so_upcall_fn fn, void *ctx);

/* Introspection. */
int so_tcp_state(const struct socket *so);     /* TCPS_*, or -1 */
uint32_t so_rcv_cc(const struct socket *so);   /* bytes to read */
uint32_t so_rcv_npkt(const struct socket *so); /* segments holding them */
uint16_t so_local_port(const struct socket *so);
struct socket *tcp_socket(struct tcpcb *tp);
uint32_t so_snd_cc(const struct socket *so);   /* bytes not yet acked */
uint32_t so_snd_space(const struct socket *so);
/* Local and foreign address and port (host byte order; 0 if unbound). */
void so_addrs(const struct socket *so, uint32_t *laddr, uint16_t *lport,
	      uint32_t *faddr, uint16_t *fport);
struct tcpcb *so_tcpcb(struct socket *so);
/*
 * Name the connection: registers its counters as
 * "connections.<name>.*" and its time-sequence trace point as
 * "tcp.<name>.tseq" (records: struct tcp_tseq_rec).
 */
void so_set_name(struct socket *so, const char *name);

/* The receive-window rule (Nemesis InetMod supplies its own). */
typedef uint32_t (*tcp_rcvwin_fn)(struct tcpcb *tp, void *ctx);
void so_set_rcvwin_fn(struct socket *so, tcp_rcvwin_fn fn, void *ctx);
uint32_t tcp_rcvwin_sockbuf(struct tcpcb *tp, void *ctx);

/* One record of the time-sequence trace (a segment sent or received). */
struct tcp_tseq_rec {
	sim_time_t t;
	gboolean outbound;
	uint32_t seq, len;      /* data (SYN/FIN count as one) */
	uint32_t ack;           /* highest ACK seen / sent */
	uint32_t win;           /* offered window, unscaled bytes */
	uint8_t flags;
	gboolean rexmt;         /* outbound data below snd_max */
};
