/*
 * tcp_var.h - the TCP control block and TCP's statistics, after 4.4BSD
 * netinet/tcp_var.h (TCP/IP Illustrated Vol. 2, Figure 24.13).
 *
 * Field names are BSD's so that a reader with the book can follow
 * tcp_input and tcp_output; nemsim additions are grouped at the end.
 */
#pragma once

#include "tcp_bsd.h"
#include "tcp_fsm.h"
#include "tcp_seq.h"
#include "tcp_timer.h"
#include "tcp_wire.h"

struct socket;

/* One segment waiting in the reassembly queue. */
struct tcp_reass_ent {
	struct tcp_reass_ent *next;
	tcp_seq seq;
	uint32_t len;
	uint8_t flags;          /* TH_FIN */
	sim_pkt *m;             /* payload only, headers pulled */
};

/* Per-connection counters (connections.<name>.*). */
struct tcp_connstat {
	uint64_t sndpack, sndbyte, sndrexmitpack, sndrexmitbyte, sndacks;
	uint64_t rcvpack, rcvbyte, rcvduppack, rcvdupack, rcvoopack;
	uint64_t rexmttimeo, fastrexmt, persisttimeo, delack;
	uint64_t rcvd_app;      /* bytes the application read */
};

/*
 * The fields the slow tick reads and counts down come first, in one
 * 64-byte line (tcbs are allocated on that boundary).
 */
struct tcpcb {
	int t_timer[TCPT_NTIMERS];
	int t_idle;                     /* inactivity time */
	int t_rtt;                      /* round trip time */
	sim_time_t t_delack_at;         /* Linux: delayed ACK due (0: none) */
	/* end of the tick's line */
	struct socket *t_socket;
	ip_stack *t_stack;
	guint t_vidx;                   /* index in st->tcb_vec */
	struct tcp_reass_ent *t_reass;  /* out-of-order segments, by seq */
	int t_state;
	int t_rxtshift;                 /* log(2) of rexmt exp. backoff */
	int t_rxtcur;                   /* current retransmit value (ticks) */
	int t_dupacks;                  /* consecutive dup acks recd */
	uint32_t t_maxseg;              /* maximum segment size */
	int t_force;                    /* 1 if forcing out a byte */
	uint32_t t_flags;
#define TF_ACKNOW 0x0001                /* ack peer immediately */
#define TF_DELACK 0x0002                /* ack, but try to delay it */
#define TF_NODELAY 0x0004               /* don't delay packets to coalesce */
#define TF_SENTFIN 0x0010               /* have sent FIN */
#define TF_REQ_SCALE 0x0020             /* have/will request window scaling */
#define TF_RCVD_SCALE 0x0040            /* other side has requested scaling */
#define TF_REQ_TSTMP 0x0080             /* have/will request timestamps */
#define TF_RCVD_TSTMP 0x0100            /* a timestamp was received in SYN */
#define TF_QUICKACK 0x1000              /* nemsim, Linux: ack at once */

	/* send sequence variables */
	tcp_seq snd_una;                /* send unacknowledged */
	tcp_seq snd_nxt;                /* send next */
	tcp_seq snd_up;                 /* send urgent pointer */
	tcp_seq snd_wl1;                /* window update seg seq number */
	tcp_seq snd_wl2;                /* window update seg ack number */
	tcp_seq iss;                    /* initial send sequence number */
	uint32_t snd_wnd;               /* send window */
	/* receive sequence variables */
	uint32_t rcv_wnd;               /* receive window */
	tcp_seq rcv_nxt;                /* receive next */
	tcp_seq rcv_up;                 /* receive urgent pointer */
	tcp_seq irs;                    /* initial receive sequence number */
	tcp_seq rcv_adv;                /* advertised window */
	tcp_seq snd_max;                /* highest sequence number sent */
	/* congestion control */
	uint32_t snd_cwnd;              /* congestion-controlled window */
	uint32_t snd_ssthresh;          /* snd_cwnd size threshold */
	/* transmit timing (t_idle, t_rtt: at the top) */
	tcp_seq t_rtseq;                /* sequence number being timed */
	int t_srtt;                     /* smoothed round-trip time x8 */
	int t_rttvar;                   /* variance in round-trip time x4 */
	int t_rttmin;                   /* minimum rtt allowed */
	uint32_t max_sndwnd;            /* largest window peer has offered */
	int t_softerror;                /* possible error not yet reported */
	/* RFC 1323 variables */
	uint8_t snd_scale;              /* window scaling for send window */
	uint8_t rcv_scale;              /* window scaling for recv window */
	uint8_t request_r_scale;        /* pending window scaling */
	uint8_t requested_s_scale;
	uint32_t ts_recent;             /* timestamp echo data */
	uint32_t ts_recent_age;         /* when last updated */
	tcp_seq last_ack_sent;

	/* nemsim */
	/*
	 * The slow tick visits only the blocks it has something to do for
	 * (tcp_timer.c, "Lazy ticks"): the tick fields above are current as
	 * of st->slow_ticks == t_synced, and the block waits in the stack's
	 * tick queue for tick t_qkey[0] (no later than a timer runs out) and
	 * in its delack queue for time t_qkey[1] (no later than a Linux
	 * delayed ACK is due).
	 */
	uint64_t t_synced;
	uint64_t t_qkey[2];             /* keys in the tick and delack queues */
	guint t_qpos[2];                /* positions there; G_MAXUINT: out */
	gboolean t_touched;             /* in st->touched */
	struct tcpcb *t_touch_next;
	uint32_t t_segs_unacked;        /* Linux: full segments since ACK */
	sim_time_t t_last_data;         /* Linux: last data arrival */
	sim_time_t t_ato;               /* Linux: delayed-ACK estimate */
	struct tcp_connstat *cs;        /* lives with the sim once named */
	sim_tracepoint *t_tseq;         /* time-sequence trace */
	gboolean t_cs_shared;           /* cs and t_tseq registered */
};

G_STATIC_ASSERT(G_STRUCT_OFFSET(struct tcpcb, t_delack_at) +
		sizeof(sim_time_t) <= 64);

/* 4.4BSD struct tcpstat (TCP/IP Ill. 2 Figure 24.7), as 64-bit counts. */
#define TCPSTAT_FIELDS(X) \
	X(connattempt) X(accepts) X(connects) X(drops) X(conndrops) \
	X(closed) X(segstimed) X(rttupdated) X(delack) X(timeoutdrop) \
	X(rexmttimeo) X(persisttimeo) X(keeptimeo) X(keepprobe) \
	X(keepdrops) X(sndtotal) X(sndpack) X(sndbyte) X(sndrexmitpack) \
	X(sndrexmitbyte) X(sndacks) X(sndprobe) X(sndurg) X(sndwinup) \
	X(sndctrl) X(sndrst) X(rcvtotal) X(rcvpack) X(rcvbyte) \
	X(rcvbadsum) X(rcvbadoff) X(rcvshort) X(rcvduppack) X(rcvdupbyte) \
	X(rcvpartduppack) X(rcvpartdupbyte) X(rcvoopack) X(rcvoobyte) \
	X(rcvpackafterwin) X(rcvbyteafterwin) X(rcvafterclose) \
	X(rcvwinprobe) X(rcvdupack) X(rcvacktoomuch) X(rcvackpack) \
	X(rcvackbyte) X(rcvwinupd) X(pawsdrop) X(predack) X(preddat) \
	X(persistdrop) X(badsyn) X(fastrexmt) X(noport) X(listendrop) \
	X(badflags) X(sndenobufs) X(rcvreassfull)

struct tcpstat {
#define TCPSTAT_DECL(n) uint64_t tcps_##n;
	TCPSTAT_FIELDS(TCPSTAT_DECL)
#undef TCPSTAT_DECL
};

#define tcpstat_inc(st, n) ((st)->tcpstat.tcps_##n++)

/* The fields a segment's header gives tcp_input, parsed. */
struct tcp_seg {
	uint32_t src, dst;      /* IP addresses */
	struct tcp_hdr_info th;
	uint32_t len;           /* data bytes */
	/* options */
	gboolean ts_present;
	uint32_t ts_val, ts_ecr;
};

/* tcp_subr.c */
struct tcpcb *tcp_newtcpcb(struct socket *so);
struct tcpcb *tcp_close(struct tcpcb *tp);
struct tcpcb *tcp_drop(struct tcpcb *tp, int error);
void tcp_canceltimers(struct tcpcb *tp);
void tcp_respond(ip_stack *st, struct tcpcb *tp, uint32_t src, uint32_t dst,
		 uint16_t sport, uint16_t dport, tcp_seq ack, tcp_seq seq,
		 uint8_t flags);
void tcp_quench(struct tcpcb *tp);
void tcp_ctlinput(ip_stack *st, int type, int code, const uint8_t *ip);
void tcp_fill_hdr(sim_pkt *p, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport, tcp_seq seq, tcp_seq ack, uint8_t flags,
		  uint16_t win, const uint8_t *opt, uint32_t optlen);
int tcp_mss(struct tcpcb *tp, int offer);
uint32_t tcp_rcvwin(struct tcpcb *tp);
void tcp_trace_seg(struct tcpcb *tp, gboolean out, tcp_seq seq, uint32_t len,
		   uint8_t flags, tcp_seq ack, uint32_t win, gboolean rexmt);
struct tcpcb *tcp_pcblookup(ip_stack *st, uint32_t faddr, uint16_t fport,
			    uint32_t laddr, uint16_t lport, gboolean wildcard);
void tcp_stats_register(ip_stack *st);
/* tcp_output.c */
int tcp_output(struct tcpcb *tp);
void tcp_setpersist(struct tcpcb *tp);
/* tcp_input.c */
void tcp_input(ip_stack *st, sim_pkt *m, uint32_t src, uint32_t dst,
	       uint32_t iphlen, uint32_t iplen);
void tcp_xmit_timer(struct tcpcb *tp, int rtt);
/* tcp_timer.c */
struct tcpcb *tcp_timers(struct tcpcb *tp, int timer);
void tcp_linux_delack_arm(struct tcpcb *tp);
void tcp_stack_start_ticks(ip_stack *st, sim_time_t phase);
/* tcp_usrreq.c */
struct tcpcb *tcp_usrclosed(struct tcpcb *tp);
struct tcpcb *tcp_disconnect(struct tcpcb *tp);

#define TCP_REXMTVAL(tp) \
	(((tp)->t_srtt >> TCP_RTT_SHIFT) + (tp)->t_rttvar)
