/*
 * socketvar.h - sockets and socket buffers, after 4.4BSD sys/socketvar.h.
 *
 * The send buffer holds the bytes not yet acknowledged as a queue of
 * chunks referencing sim_bufs, so a segment references its payload
 * (zero-copy) and retransmission needs no copy.  The receive buffer holds
 * the received segments themselves (packets with their headers pulled),
 * as mbuf chains in BSD.  Water marks as BSD: sb_hiwat bounds sb_cc,
 * sb_lowat is the wakeup threshold.
 */
#pragma once

#include "tcp_bsd.h"

struct sb_chunk {
	struct sb_chunk *next;
	sim_buf *buf;
	uint32_t off, len;
	gboolean appendable;    /* ours: later writes may fill it */
};

struct sockbuf {
	uint32_t sb_cc;         /* bytes in buffer */
	uint32_t sb_hiwat;      /* max actual char count */
	uint32_t sb_lowat;      /* low water mark */
	/* send buffer */
	struct sb_chunk *sb_head, *sb_tail;
	/* receive buffer: packets linked through ->next */
	sim_pkt *sb_mb, *sb_mbtail;
	uint32_t sb_npkt;       /* packets in sb_mb (InetMod's to_app) */
	uint64_t *sb_held;      /* the stack's count of held segments */
};

/* so_state */
#define MCLBYTES 2048           /* 4.4BSD mbuf cluster size */

#define SS_NOFDREF 0x001        /* no file table ref any more */
#define SS_ISCONNECTED 0x002    /* socket connected to a peer */
#define SS_ISCONNECTING 0x004   /* in process of connecting to peer */
#define SS_ISDISCONNECTING 0x008 /* in process of disconnecting */
#define SS_CANTSENDMORE 0x010   /* can't send more data to peer */
#define SS_CANTRCVMORE 0x020    /* can't receive more data from peer */
#define SS_ISDISCONNECTED 0x040 /* nemsim: the connection has gone */

/* so_options */
#define SO_ACCEPTCONN 0x0002
#define SO_KEEPALIVE 0x0008
#define SO_LINGER 0x0080

struct socket {
	ip_stack *so_stack;
	int so_options;
	int so_state;
	int so_error;
	/* the inpcb part: addresses in host order */
	uint32_t inp_laddr, inp_faddr;
	uint16_t inp_lport, inp_fport;
	gboolean inp_lport_held; /* counted in the stack's lport_refs */
	uint8_t inp_tos, inp_ttl;       /* inp_ip: IP_TOS, IP_TTL */
	struct tcpcb *so_pcb;
	/* listening sockets: incomplete (q0) and complete (q) children */
	struct socket *so_head;
	GQueue so_q0, so_q;
	int so_qlimit;
	int so_linger;          /* seconds, with SO_LINGER */
	struct sockbuf so_snd, so_rcv;
	so_upcall_fn so_upcall;
	void *so_upcallctx;
	int so_upcall_events;
	sim_timer so_upcall_timer;
	tcp_rcvwin_fn so_rcvwin;
	void *so_rcvwinctx;
	char *so_name;
};

/* tcp_usrreq.c */
uint32_t sbspace(const struct sockbuf *sb);
void sb_snd_drop(struct sockbuf *sb, uint32_t len);
void sb_snd_append_copy(struct sockbuf *sb, const void *data, uint32_t len);
void sb_snd_append_buf(struct sockbuf *sb, sim_buf *b, uint32_t off,
		       uint32_t len);
void sb_snd_copy(const struct sockbuf *sb, uint32_t off, uint32_t len,
		 sim_pkt *p);
void sb_rcv_append(struct sockbuf *sb, sim_pkt *m);
void sb_flush(struct sockbuf *sb);
void sorwakeup(struct socket *so);
void sowwakeup(struct socket *so);
void so_wakeup(struct socket *so, int events);
void soisconnecting(struct socket *so);
void soisconnected(struct socket *so);
void soisdisconnecting(struct socket *so);
void soisdisconnected(struct socket *so);
void socantsendmore(struct socket *so);
void socantrcvmore(struct socket *so);
struct socket *sonewconn(struct socket *head);
void sofree(struct socket *so);
void soabort(struct socket *so);
gboolean sbreserve(struct sockbuf *sb, uint32_t cc);
