/*
 * tcp_usrreq.c - the socket layer over TCP: sockets, socket buffers and
 * the user requests (4.4BSD uipc_socket.c, uipc_socket2.c and
 * tcp_usrreq.c, TCP/IP Illustrated Vol. 2 chapters 15-16 and 30).
 *
 * The application is simulated, so nothing blocks: a call that would
 * block returns -EWOULDBLOCK and the application waits for its upcall.
 * Upcalls (what sorwakeup/sowwakeup would wake) are delivered through a
 * zero-delay event, never from inside the protocol code, so an
 * application may close its socket from the upcall.
 *
 * A send is cut into pieces of MCLBYTES (2048), with tcp_output called
 * after each, because 4.4BSD sosend hands TCP one mbuf cluster per
 * PRU_SEND; the segments a large write produces depend on it.  A receive
 * calls tcp_output afterwards (PRU_RCVD), which may send a window update.
 */
#include <string.h>

#include "ip_var.h"
#include "socketvar.h"

#define SB_BLK 2048             /* send buffer storage blocks */
#define SB_MAX (256 * 1024)     /* 4.4BSD sb_max */
#define SOMAXCONN 5             /* 4.4BSD sys/socket.h */

/* Socket buffers ------------------------------------------------------ */

uint32_t
sbspace(const struct sockbuf *sb)
{
	return sb->sb_hiwat > sb->sb_cc ? sb->sb_hiwat - sb->sb_cc : 0;
}

gboolean
sbreserve(struct sockbuf *sb, uint32_t cc)
{
	if (cc == 0 || cc > SB_MAX)
		return FALSE;
	sb->sb_hiwat = cc;
	if (sb->sb_lowat > sb->sb_hiwat)
		sb->sb_lowat = sb->sb_hiwat;
	return TRUE;
}

/*
 * Chunks come and go once per segment sent: freed ones wait on a free
 * list for the next (one simulation per process, single-threaded, as the
 * packet pools of sim/pkt.c; the list keeps them reachable at exit).
 */
static struct sb_chunk *sb_chunk_free_list;

static void
sb_chunk_release(struct sb_chunk *c)
{
	c->next = sb_chunk_free_list;
	sb_chunk_free_list = c;
}

static struct sb_chunk *
sb_new_chunk(struct sockbuf *sb, sim_buf *b, uint32_t off, uint32_t len,
	     gboolean appendable)
{
	struct sb_chunk *c = sb_chunk_free_list;
	if (c)
		sb_chunk_free_list = c->next;
	else
		c = g_new(struct sb_chunk, 1);
	c->next = NULL;
	c->buf = b;
	c->off = off;
	c->len = len;
	c->appendable = appendable;
	if (sb->sb_tail)
		sb->sb_tail->next = c;
	else
		sb->sb_head = c;
	sb->sb_tail = c;
	return c;
}

/*
 * Append a copy of data.  Bytes go into the free tail of the last block
 * when it is ours: blocks are only ever written beyond the bytes already
 * there, so packets referencing earlier bytes are not disturbed.
 */
void
sb_snd_append_copy(struct sockbuf *sb, const void *data, uint32_t len)
{
	const uint8_t *d = data;

	while (len > 0) {
		struct sb_chunk *c = sb->sb_tail;
		if (!c || !c->appendable || c->off + c->len == c->buf->size)
			c = sb_new_chunk(sb, sim_buf_new(SB_BLK), 0, 0, TRUE);
		uint32_t n = MIN(len, c->buf->size - (c->off + c->len));
		memcpy(c->buf->data + c->off + c->len, d, n);
		c->len += n;
		sb->sb_cc += n;
		d += n;
		len -= n;
	}
}

void
sb_snd_append_buf(struct sockbuf *sb, sim_buf *b, uint32_t off, uint32_t len)
{
	if (len == 0)
		return;
	sb_new_chunk(sb, sim_buf_ref(b), off, len, FALSE);
	sb->sb_cc += len;
}

/* Drop len acknowledged bytes from the front (sbdrop). */
void
sb_snd_drop(struct sockbuf *sb, uint32_t len)
{
	g_assert(len <= sb->sb_cc);
	sb->sb_cc -= len;
	while (len > 0) {
		struct sb_chunk *c = sb->sb_head;
		if (len < c->len) {
			c->off += len;
			c->len -= len;
			return;
		}
		len -= c->len;
		sb->sb_head = c->next;
		if (!sb->sb_head)
			sb->sb_tail = NULL;
		sim_buf_unref(c->buf);
		sb_chunk_release(c);
	}
	/* An emptied last block is kept: further writes fill it. */
}

/*
 * Attach bytes [off, off+len) of the send buffer to p as payload
 * records (m_copy).  A segment spanning more blocks than a packet has
 * records is copied into one fresh buffer instead.
 */
void
sb_snd_copy(const struct sockbuf *sb, uint32_t off, uint32_t len, sim_pkt *p)
{
	const struct sb_chunk *c = sb->sb_head, *first;
	uint32_t o = off, nrec = 0, left = len;

	g_assert((uint64_t)off + len <= sb->sb_cc);
	while (o >= c->len) {
		o -= c->len;
		c = c->next;
	}
	first = c;
	for (uint32_t co = o; left > 0; c = c->next, co = 0) {
		left -= MIN(left, c->len - co);
		nrec++;
	}
	left = len;
	if (nrec + p->nrec <= SIM_PKT_MAX_REC) {
		for (c = first; left > 0; c = c->next, o = 0) {
			uint32_t n = MIN(left, c->len - o);
			sim_pkt_append_ref(p, c->buf, c->off + o, n);
			left -= n;
		}
	} else {
		sim_buf *b = sim_buf_new(len);
		uint8_t *d = b->data;
		for (c = first; left > 0; c = c->next, o = 0) {
			uint32_t n = MIN(left, c->len - o);
			memcpy(d, c->buf->data + c->off + o, n);
			d += n;
			left -= n;
		}
		sim_pkt_append_ref(p, b, 0, len);
		sim_buf_unref(b);
	}
}

/* Append a received segment (payload only) to a receive buffer. */
void
sb_rcv_append(struct sockbuf *sb, sim_pkt *m)
{
	uint32_t len = sim_pkt_len(m);

	if (len == 0) {
		sim_pkt_unref(m);
		return;
	}
	m->next = NULL;
	if (sb->sb_mbtail)
		sb->sb_mbtail->next = m;
	else
		sb->sb_mb = m;
	sb->sb_mbtail = m;
	sb->sb_cc += len;
	sb->sb_npkt++;
	if (sb->sb_held)
		(*sb->sb_held)++;
}

void
sb_flush(struct sockbuf *sb)
{
	while (sb->sb_mb) {
		sim_pkt *m = sb->sb_mb;
		sb->sb_mb = m->next;
		sim_pkt_unref(m);
	}
	if (sb->sb_held)
		*sb->sb_held -= sb->sb_npkt;
	sb->sb_npkt = 0;
	sb->sb_mbtail = NULL;
	if (sb->sb_head)
		sb_snd_drop(sb, sb->sb_cc);
	while (sb->sb_head) {
		struct sb_chunk *c = sb->sb_head;
		sb->sb_head = c->next;
		sim_buf_unref(c->buf);
		sb_chunk_release(c);
	}
	sb->sb_tail = NULL;
	sb->sb_cc = 0;
}

/* Wakeups -------------------------------------------------------------- */

static void
so_upcall_fire(void *ctx, void *arg)
{
	struct socket *so = ctx;
	int ev = so->so_upcall_events;

	so->so_upcall_events = 0;
	if (so->so_upcall && ev)
		so->so_upcall(so, so->so_upcallctx, ev);
}

void
so_wakeup(struct socket *so, int events)
{
	sim_t *sim = so->so_stack->sim;

	if (!so->so_upcall || so->so_stack->freeing)
		return;
	so->so_upcall_events |= events;
	if (!sim_timer_is_armed(sim, &so->so_upcall_timer))
		sim_timer_arm_in(sim, &so->so_upcall_timer, 0);
}

void
sorwakeup(struct socket *so)
{
	if (so->so_rcv.sb_cc >= so->so_rcv.sb_lowat ||
	    (so->so_state & SS_CANTRCVMORE))
		so_wakeup(so, SO_EV_READ);
}

void
sowwakeup(struct socket *so)
{
	if (sbspace(&so->so_snd) >= so->so_snd.sb_lowat ||
	    (so->so_state & SS_CANTSENDMORE))
		so_wakeup(so, SO_EV_WRITE);
}

void
soisconnecting(struct socket *so)
{
	so->so_state &= ~(SS_ISCONNECTED | SS_ISDISCONNECTING);
	so->so_state |= SS_ISCONNECTING;
}

void
soisconnected(struct socket *so)
{
	struct socket *head = so->so_head;

	so->so_state &= ~(SS_ISCONNECTING | SS_ISDISCONNECTING);
	so->so_state |= SS_ISCONNECTED;
	if (head && g_queue_remove(&head->so_q0, so)) {
		g_queue_push_tail(&head->so_q, so);
		so_wakeup(head, SO_EV_ACCEPT | SO_EV_READ);
	} else {
		so_wakeup(so, SO_EV_CONNECTED | SO_EV_WRITE);
	}
}

void
soisdisconnecting(struct socket *so)
{
	so->so_state &= ~SS_ISCONNECTING;
	so->so_state |= SS_ISDISCONNECTING | SS_CANTRCVMORE | SS_CANTSENDMORE;
	so_wakeup(so, SO_EV_READ | SO_EV_WRITE);
}

void
soisdisconnected(struct socket *so)
{
	so->so_state &= ~(SS_ISCONNECTING | SS_ISCONNECTED |
			  SS_ISDISCONNECTING);
	so->so_state |= SS_CANTRCVMORE | SS_CANTSENDMORE | SS_ISDISCONNECTED;
	so_wakeup(so, SO_EV_READ | SO_EV_WRITE | SO_EV_CLOSED);
}

void
socantsendmore(struct socket *so)
{
	so->so_state |= SS_CANTSENDMORE;
	so_wakeup(so, SO_EV_WRITE);
}

void
socantrcvmore(struct socket *so)
{
	so->so_state |= SS_CANTRCVMORE;
	so_wakeup(so, SO_EV_READ);
}

/* Sockets -------------------------------------------------------------- */

static struct socket *
so_alloc(ip_stack *st)
{
	struct socket *so = g_new0(struct socket, 1);

	so->so_stack = st;
	g_queue_init(&so->so_q0);
	g_queue_init(&so->so_q);
	sim_timer_init(&so->so_upcall_timer, so_upcall_fire, so, NULL);
	so->so_rcvwin = tcp_rcvwin_sockbuf;
	so->so_rcv.sb_held = &st->rcv_held;
	so->inp_ttl = IP_DEFTTL;        /* tcp_attach: ip_defttl, tos 0 */
	g_hash_table_add(st->sockets, so);
	return so;
}

/* A socket with a TCP control block (socreate + tcp_attach). */
struct socket *
so_socket(ip_stack *st)
{
	struct socket *so = so_alloc(st);

	(void)sbreserve(&so->so_snd, st->pers.sndbuf);
	(void)sbreserve(&so->so_rcv, st->pers.rcvbuf);
	so->so_snd.sb_lowat = MIN(MCLBYTES, so->so_snd.sb_hiwat);
	so->so_rcv.sb_lowat = 1;
	(void)tcp_newtcpcb(so);
	return so;
}

/*
 * A connection for a listener: a new socket on head's incomplete queue,
 * not referenced by the user (SS_NOFDREF) until accepted.
 */
struct socket *
sonewconn(struct socket *head)
{
	struct socket *so;

	if (head->so_q0.length + head->so_q.length >
	    (guint)(3 * head->so_qlimit / 2))
		return NULL;
	so = so_alloc(head->so_stack);
	so->so_options = head->so_options & ~SO_ACCEPTCONN;
	so->so_state = head->so_state | SS_NOFDREF;
	so->so_state &= ~(SS_ISCONNECTED | SS_ISCONNECTING);
	(void)sbreserve(&so->so_snd, head->so_snd.sb_hiwat);
	(void)sbreserve(&so->so_rcv, head->so_rcv.sb_hiwat);
	so->so_snd.sb_lowat = head->so_snd.sb_lowat;
	so->so_rcv.sb_lowat = head->so_rcv.sb_lowat;
	so->so_rcvwin = head->so_rcvwin;
	so->so_rcvwinctx = head->so_rcvwinctx;
	(void)tcp_newtcpcb(so);        /* t_flags (NODELAY) not inherited */
	so->so_head = head;
	g_queue_push_tail(&head->so_q0, so);
	return so;
}

/* Free a socket nobody holds whose connection has gone. */
void
sofree(struct socket *so)
{
	if (so->so_pcb || !(so->so_state & SS_NOFDREF))
		return;
	if (so->so_head) {
		if (!g_queue_remove(&so->so_head->so_q0, so))
			g_queue_remove(&so->so_head->so_q, so);
		so->so_head = NULL;
	}
	sim_timer_cancel(so->so_stack->sim, &so->so_upcall_timer);
	sb_flush(&so->so_snd);
	sb_flush(&so->so_rcv);
	g_free(so->so_name);
	g_hash_table_remove(so->so_stack->sockets, so);
	g_free(so);
}

void
soabort(struct socket *so)
{
	if (so->so_pcb) {
		tcp_tick_touch(so->so_pcb);
		(void)tcp_drop(so->so_pcb, ECONNABORTED);
	} else {
		sofree(so);
	}
}

/* An ephemeral port in [1024, 5000), as 4.4BSD in_pcbbind. */
static uint16_t
ephemeral_port(ip_stack *st)
{
	for (int i = 0; i < 5000; i++) {
		if (++st->lastport < 1024 || st->lastport >= 5000)
			st->lastport = 1024;
		if (!tcp_lport_in_use(st, st->lastport))
			return st->lastport;
	}
	return 0;
}

int
so_bind(struct socket *so, uint32_t addr, uint16_t port)
{
	ip_stack *st = so->so_stack;

	if (so->inp_lport || !so->so_pcb)
		return -EINVAL;
	if (addr != 0 && addr != st->addr)
		return -EADDRNOTAVAIL;
	if (port == 0) {
		port = ephemeral_port(st);
		if (port == 0)
			return -EADDRINUSE;
	} else if (tcp_lport_in_use(st, port)) {
		return -EADDRINUSE;
	}
	so->inp_laddr = addr;
	so->inp_lport = port;
	tcp_lport_hold(so);
	tcp_pcb_index(so->so_pcb);
	return 0;
}

int
so_listen(struct socket *so, int backlog)
{
	struct tcpcb *tp = so->so_pcb;
	int error;

	if (!tp || tp->t_state != TCPS_CLOSED)
		return -EINVAL;
	if (so->inp_lport == 0 && (error = so_bind(so, 0, 0)) != 0)
		return error;
	tp->t_state = TCPS_LISTEN;
	so->so_options |= SO_ACCEPTCONN;
	so->so_qlimit = MIN(MAX(backlog, 0), SOMAXCONN);
	return 0;
}

struct socket *
so_accept(struct socket *so, int *error)
{
	struct socket *c;

	if (!(so->so_options & SO_ACCEPTCONN)) {
		*error = -EINVAL;
		return NULL;
	}
	c = g_queue_pop_head(&so->so_q);
	if (!c) {
		*error = -EWOULDBLOCK;
		return NULL;
	}
	c->so_head = NULL;
	c->so_state &= ~SS_NOFDREF;
	*error = 0;
	return c;
}

static int
so_connect_entered(struct socket *so, uint32_t addr, uint16_t port)
{
	ip_stack *st = so->so_stack;
	struct tcpcb *tp = so->so_pcb;
	int error;

	if (so->so_options & SO_ACCEPTCONN)
		return -EOPNOTSUPP;
	if (so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING))
		return -EISCONN;
	if (!tp || tp->t_state != TCPS_CLOSED)
		return -EINVAL;
	tcp_tick_touch(tp);
	if (addr == 0 || port == 0)
		return -EADDRNOTAVAIL;
	if (so->inp_lport == 0 && (error = so_bind(so, 0, 0)) != 0)
		return error;
	for (struct tcpcb *o = tcp_tcb_first(st); o; o = tcp_tcb_next(st, o)) {
		struct socket *os = o->t_socket;
		if (o != tp && os->inp_lport == so->inp_lport &&
		    os->inp_faddr == addr && os->inp_fport == port)
			return -EADDRINUSE;
	}
	tcp_pcb_unindex(tp); /* from bound to connected */
	so->inp_laddr = st->addr;
	so->inp_faddr = addr;
	so->inp_fport = port;
	tcp_pcb_index(tp);
	while (tp->request_r_scale < TCP_MAX_WINSHIFT &&
	       ((uint32_t)TCP_MAXWIN << tp->request_r_scale) <
		   so->so_rcv.sb_hiwat)
		tp->request_r_scale++;
	soisconnecting(so);
	tcpstat_inc(st, connattempt);
	tp->t_state = TCPS_SYN_SENT;
	tp->t_timer[TCPT_KEEP] = st->tv_keep_init;
	tp->iss = st->tcp_iss;
	st->tcp_iss += TCP_ISSINCR / 2;
	tcp_sendseqinit(tp);
	error = tcp_output(tp);
	return error ? -error : 0;
}

static int
so_take_error(struct socket *so)
{
	int e = so->so_error;
	so->so_error = 0;
	return e;
}

/*
 * Append data and let TCP send, MCLBYTES at a time (see the top of the
 * file).  data NULL with b set: reference b instead of copying.
 */
static ssize_t
so_send_entered(struct socket *so, const uint8_t *data, sim_buf *b,
		uint32_t boff, size_t len)
{
	struct tcpcb *tp = so->so_pcb;
	uint32_t space;
	size_t done = 0;

	if (tp)
		tcp_tick_touch(tp);
	if (so->so_state & SS_CANTSENDMORE)
		return -EPIPE;
	if (so->so_error)
		return -so_take_error(so);
	if (!(so->so_state & SS_ISCONNECTED))
		return (so->so_state & SS_ISCONNECTING) ? -EWOULDBLOCK :
							  -ENOTCONN;
	space = sbspace(&so->so_snd);
	if (space < len && space < so->so_snd.sb_lowat)
		return -EWOULDBLOCK;
	while (done < len && sbspace(&so->so_snd) > 0) {
		uint32_t n = (uint32_t)MIN(len - done, (size_t)MCLBYTES);
		n = MIN(n, sbspace(&so->so_snd));
		if (b)
			sb_snd_append_buf(&so->so_snd, b, boff + (uint32_t)done,
					  n);
		else
			sb_snd_append_copy(&so->so_snd, data + done, n);
		done += n;
		(void)tcp_output(tp);
		if (!so->so_pcb)
			break;
	}
	return (ssize_t)done;
}

static ssize_t
so_send_common(struct socket *so, const uint8_t *data, sim_buf *b,
	       uint32_t boff, size_t len)
{
	ip_stack *st = so->so_stack;
	ip_stack_enter(st);
	ssize_t r = so_send_entered(so, data, b, boff, len);
	ip_stack_exit(st);
	return r;
}

ssize_t
so_send(struct socket *so, const void *data, size_t len)
{
	return so_send_common(so, data, NULL, 0, len);
}

ssize_t
so_send_buf(struct socket *so, sim_buf *b, uint32_t off, uint32_t len)
{
	return so_send_common(so, NULL, b, off, len);
}

/*
 * soreceive for a stream socket, without blocking.  SO_MSG_PEEK copies
 * the data out and leaves it in the buffer (no PRU_RCVD: the window does
 * not move), as Lite's soreceive does with MSG_PEEK.
 */
static ssize_t
so_recv_entered(struct socket *so, void *buf, size_t len, int flags)
{
	struct sockbuf *sb = &so->so_rcv;
	uint8_t *d = buf;
	size_t done = 0;

	if (so->so_pcb)
		tcp_tick_touch(so->so_pcb);
	if (sb->sb_cc == 0) {
		if (so->so_error)
			return -so_take_error(so);
		if (so->so_state & SS_CANTRCVMORE)
			return 0;
		if (!(so->so_state & (SS_ISCONNECTED | SS_ISCONNECTING)))
			return -ENOTCONN;
		return -EWOULDBLOCK;
	}
	if (flags & SO_MSG_PEEK) {
		for (sim_pkt *m = sb->sb_mb; m && done < len; m = m->next) {
			uint32_t n = (uint32_t)MIN(len - done,
						   (size_t)sim_pkt_len(m));
			sim_pkt_copy_out(m, 0, n, d + done);
			done += n;
		}
		return (ssize_t)done;
	}
	uint32_t freed = 0;
	while (done < len && sb->sb_mb) {
		sim_pkt *m = sb->sb_mb;
		uint32_t n = (uint32_t)MIN(len - done, (size_t)sim_pkt_len(m));
		sim_pkt_copy_out(m, 0, n, d + done);
		done += n;
		sb->sb_cc -= n;
		if (n == sim_pkt_len(m)) {
			sb->sb_mb = m->next;
			if (!sb->sb_mb)
				sb->sb_mbtail = NULL;
			sim_pkt_unref(m);
			freed++;
		} else {
			sim_pkt_pull(m, n);
		}
	}
	sb->sb_npkt -= freed;
	*sb->sb_held -= freed;
	if (freed && so->so_stack->rcvd_hook)
		so->so_stack->rcvd_hook(so->so_stack->rcvd_ctx, so, freed);
	if (so->so_pcb) {
		so->so_pcb->cs->rcvd_app += done;
		/* PRU_RCVD: the window may have opened enough to say so. */
		(void)tcp_output(so->so_pcb);
	}
	return (ssize_t)done;
}

/* A user close (or shutdown for writing): 4.4BSD tcp_usrclosed. */
struct tcpcb *
tcp_usrclosed(struct tcpcb *tp)
{
	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		tp->t_state = TCPS_CLOSED;
		tp = tcp_close(tp);
		break;
	case TCPS_SYN_RECEIVED:
	case TCPS_ESTABLISHED:
		tp->t_state = TCPS_FIN_WAIT_1;
		break;
	case TCPS_CLOSE_WAIT:
		tp->t_state = TCPS_LAST_ACK;
		break;
	}
	if (tp && tp->t_state >= TCPS_FIN_WAIT_2)
		soisdisconnected(tp->t_socket);
	return tp;
}

/*
 * Initiate a disconnect: an unsynchronised connection just goes, an
 * established one sends its FIN after the data (4.4BSD tcp_disconnect).
 */
struct tcpcb *
tcp_disconnect(struct tcpcb *tp)
{
	struct socket *so = tp->t_socket;

	if (tp->t_state < TCPS_ESTABLISHED) {
		tp = tcp_close(tp);
	} else if ((so->so_options & SO_LINGER) && so->so_linger == 0) {
		/* Abortive close: RST, unsent data discarded. */
		tp = tcp_drop(tp, 0);
	} else {
		soisdisconnecting(so);
		sb_flush(&so->so_rcv);
		tp = tcp_usrclosed(tp);
		if (tp)
			(void)tcp_output(tp);
	}
	return tp;
}

static int
so_shutdown_entered(struct socket *so, int how)
{
	struct tcpcb *tp = so->so_pcb;

	if (how < SO_SHUT_RD || how > SO_SHUT_RDWR)
		return -EINVAL;
	if (tp)
		tcp_tick_touch(tp);
	if (how != SO_SHUT_WR) {
		socantrcvmore(so);
		sb_flush(&so->so_rcv);
	}
	if (how != SO_SHUT_RD) {
		if (!tp)
			return -ENOTCONN;
		socantsendmore(so);
		tp = tcp_usrclosed(tp);
		if (tp)
			(void)tcp_output(tp);
	}
	return 0;
}

static int
so_close_entered(struct socket *so)
{
	struct socket *c;

	so->so_upcall = NULL;
	sim_timer_cancel(so->so_stack->sim, &so->so_upcall_timer);
	if (so->so_pcb)
		tcp_tick_touch(so->so_pcb);
	if (so->so_options & SO_ACCEPTCONN) {
		while ((c = g_queue_peek_head(&so->so_q0)) != NULL)
			soabort(c);
		while ((c = g_queue_peek_head(&so->so_q)) != NULL)
			soabort(c);
	}
	so->so_state |= SS_NOFDREF;
	if (so->so_pcb)
		(void)tcp_disconnect(so->so_pcb); /* may free so */
	else
		sofree(so);
	return 0;
}

int
so_setsockopt(struct socket *so, enum so_opt opt, int val)
{
	struct tcpcb *tp = so->so_pcb;

	switch (opt) {
	case SOOPT_SNDBUF:
		return val > 0 && sbreserve(&so->so_snd, (uint32_t)val) ?
			   0 : -ENOBUFS;
	case SOOPT_RCVBUF:
		return val > 0 && sbreserve(&so->so_rcv, (uint32_t)val) ?
			   0 : -ENOBUFS;
	case SOOPT_SNDLOWAT:
		so->so_snd.sb_lowat = MIN((uint32_t)MAX(val, 1),
					  so->so_snd.sb_hiwat);
		return 0;
	case SOOPT_RCVLOWAT:
		so->so_rcv.sb_lowat = MIN((uint32_t)MAX(val, 1),
					  so->so_rcv.sb_hiwat);
		return 0;
	case SOOPT_KEEPALIVE:
		if (val)
			so->so_options |= SO_KEEPALIVE;
		else
			so->so_options &= ~SO_KEEPALIVE;
		return 0;
	case SOOPT_LINGER:
		/*
		 * Only linger 0 changes anything here: close never blocks,
		 * so a positive linger time behaves as a non-blocking
		 * socket's does in BSD (close returns at once).
		 */
		if (val < 0) {
			so->so_options &= ~SO_LINGER;
		} else {
			so->so_options |= SO_LINGER;
			so->so_linger = val;
		}
		return 0;
	case SOOPT_NODELAY:
		if (!tp)
			return -ECONNRESET;
		if (val)
			tp->t_flags |= TF_NODELAY;
		else
			tp->t_flags &= ~TF_NODELAY;
		return 0;
	case SOOPT_IP_TOS:
	case SOOPT_IP_TTL:
		/* Lite's ip_ctloutput: any value of a byte. */
		if (val < 0 || val > 255)
			return -EINVAL;
		if (opt == SOOPT_IP_TOS)
			so->inp_tos = (uint8_t)val;
		else
			so->inp_ttl = (uint8_t)val;
		return 0;
	case SOOPT_MAXSEG:
		/* Lite's tcp_ctloutput: only lower t_maxseg (TCPIP2
		 * p. 1023); tcp_mss may raise it again with the peer's
		 * offer. */
		if (!tp)
			return -ECONNRESET;
		if (val <= 0 || (uint32_t)val > tp->t_maxseg)
			return -EINVAL;
		tp->t_maxseg = (uint32_t)val;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int
so_getsockopt(struct socket *so, enum so_opt opt, int *val)
{
	struct tcpcb *tp = so->so_pcb;

	switch (opt) {
	case SOOPT_SNDBUF:
		*val = (int)so->so_snd.sb_hiwat;
		return 0;
	case SOOPT_RCVBUF:
		*val = (int)so->so_rcv.sb_hiwat;
		return 0;
	case SOOPT_SNDLOWAT:
		*val = (int)so->so_snd.sb_lowat;
		return 0;
	case SOOPT_RCVLOWAT:
		*val = (int)so->so_rcv.sb_lowat;
		return 0;
	case SOOPT_KEEPALIVE:
		*val = (so->so_options & SO_KEEPALIVE) != 0;
		return 0;
	case SOOPT_LINGER:
		*val = (so->so_options & SO_LINGER) ? so->so_linger : -1;
		return 0;
	case SOOPT_NODELAY:
		if (!tp)
			return -ECONNRESET;
		*val = (tp->t_flags & TF_NODELAY) != 0;
		return 0;
	case SOOPT_MAXSEG:
		if (!tp)
			return -ECONNRESET;
		*val = (int)tp->t_maxseg;
		return 0;
	case SOOPT_ERROR:
		*val = so_take_error(so);
		return 0;
	case SOOPT_IP_TOS:
		*val = so->inp_tos;
		return 0;
	case SOOPT_IP_TTL:
		*val = so->inp_ttl;
		return 0;
	}
	return -ENOPROTOOPT;
}

void
so_set_upcall(struct socket *so, so_upcall_fn fn, void *ctx)
{
	so->so_upcall = fn;
	so->so_upcallctx = ctx;
}

void
so_set_rcvwin_fn(struct socket *so, tcp_rcvwin_fn fn, void *ctx)
{
	so->so_rcvwin = fn ? fn : tcp_rcvwin_sockbuf;
	so->so_rcvwinctx = ctx;
}

int
so_tcp_state(const struct socket *so)
{
	return so->so_pcb ? so->so_pcb->t_state : -1;
}

uint32_t
so_rcv_cc(const struct socket *so)
{
	return so->so_rcv.sb_cc;
}

uint32_t
so_rcv_npkt(const struct socket *so)
{
	return so->so_rcv.sb_npkt;
}

uint16_t
so_local_port(const struct socket *so)
{
	return so->inp_lport;
}

struct socket *
tcp_socket(struct tcpcb *tp)
{
	return tp->t_socket;
}

void
ip_stack_set_rcvd_hook(ip_stack *st, ip_rcvd_hook_fn fn, void *ctx)
{
	st->rcvd_hook = fn;
	st->rcvd_ctx = ctx;
}

uint64_t
ip_stack_rcv_held(const ip_stack *st)
{
	return st->rcv_held;
}

uint32_t
so_snd_cc(const struct socket *so)
{
	return so->so_snd.sb_cc;
}

uint32_t
so_snd_space(const struct socket *so)
{
	return sbspace(&so->so_snd);
}

void
so_addrs(const struct socket *so, uint32_t *laddr, uint16_t *lport,
	 uint32_t *faddr, uint16_t *fport)
{
	*laddr = so->inp_laddr;
	*lport = so->inp_lport;
	*faddr = so->inp_faddr;
	*fport = so->inp_fport;
}

struct tcpcb *
so_tcpcb(struct socket *so)
{
	if (so->so_pcb) /* current for whoever looks at it */
		tcp_tick_sync(so->so_pcb);
	return so->so_pcb;
}

int
so_connect(struct socket *so, uint32_t addr, uint16_t port)
{
	ip_stack *st = so->so_stack;
	ip_stack_enter(st);
	int r = so_connect_entered(so, addr, port);
	ip_stack_exit(st);
	return r;
}

ssize_t
so_recv(struct socket *so, void *buf, size_t len)
{
	return so_recv_flags(so, buf, len, 0);
}

ssize_t
so_recv_flags(struct socket *so, void *buf, size_t len, int flags)
{
	ip_stack *st = so->so_stack;
	ip_stack_enter(st);
	ssize_t r = so_recv_entered(so, buf, len, flags);
	ip_stack_exit(st);
	return r;
}

int
so_shutdown(struct socket *so, int how)
{
	ip_stack *st = so->so_stack;
	ip_stack_enter(st);
	int r = so_shutdown_entered(so, how);
	ip_stack_exit(st);
	return r;
}

int
so_close(struct socket *so)
{
	ip_stack *st = so->so_stack;
	ip_stack_enter(st);
	int r = so_close_entered(so);
	ip_stack_exit(st);
	return r;
}
