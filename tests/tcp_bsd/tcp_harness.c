/*
 * tcp_harness.c - the fake link and raw peer used by the tcp_bsd tests.
 */
#include <string.h>

#include "tcp_harness.h"

static const uint8_t mac_of[2][6] = {
	{ 0x02, 0, 0, 0, 0, 0x01 },
	{ 0x02, 0, 0, 0, 0, 0x02 },
};

static void
h_parse(const sim_pkt *f, struct h_seg *s)
{
	uint8_t b[ETHER_HDR_LEN + 60 + 60];
	uint32_t n = MIN(sim_pkt_len(f), (uint32_t)sizeof b);
	sim_pkt_copy_out(f, 0, n, b);
	const uint8_t *ip = b + ETHER_HDR_LEN;
	uint32_t hl = (ip[0] & 0xf) * 4;
	uint32_t iplen = wire_get16(ip + IP_OFF_LEN);
	const uint8_t *th = ip + hl;
	struct tcp_hdr_info ti;
	tcp_hdr_parse(th, &ti);
	s->flags = ti.flags;
	s->seq = ti.seq;
	s->ack = ti.ack;
	s->win = ti.win;
	s->sport = ti.sport;
	s->dport = ti.dport;
	s->len = iplen - hl - ti.off;
	s->mss = s->wscale = -1;
	s->ts = FALSE;
	const uint8_t *o = th + TCP_HDR_LEN;
	int cnt = ti.off - TCP_HDR_LEN;
	while (cnt > 0) {
		if (o[0] == TCPOPT_EOL)
			break;
		if (o[0] == TCPOPT_NOP) {
			o++;
			cnt--;
			continue;
		}
		if (cnt < 2 || o[1] < 2 || o[1] > cnt)
			break;
		if (o[0] == TCPOPT_MAXSEG)
			s->mss = wire_get16(o + 2);
		else if (o[0] == TCPOPT_WINDOW)
			s->wscale = o[2];
		else if (o[0] == TCPOPT_TIMESTAMP) {
			s->ts = TRUE;
			s->ts_val = wire_get32(o + 2);
			s->ts_ecr = wire_get32(o + 6);
		}
		cnt -= o[1];
		o += o[1];
	}
}

struct delivery {
	struct harness *h;
	int to;
	sim_pkt *f;
};

static void
deliver(void *ctx, void *arg)
{
	struct delivery *d = ctx;
	struct harness *h = d->h;
	sim_netif *nif = &h->nif[d->to];

	g_hash_table_remove(h->inflight, d);
	if (h->st[d->to]) {
		nif->input(nif->upper, nif, d->f);
		if (h->after_deliver)
			h->after_deliver(h->after_ctx, d->to);
	} else
		g_ptr_array_add(h->raw_rx, d->f);
	g_free(d);
}

static void
h_schedule(struct harness *h, int to, sim_pkt *f, sim_time_t dt)
{
	struct delivery *d = g_new(struct delivery, 1);
	d->h = h;
	d->to = to;
	d->f = f;
	g_hash_table_add(h->inflight, d);
	sim_after(h->sim, dt, deliver, d, NULL);
}

static sim_time_t
h_extra_delay(struct harness *h)
{
	if (h->reorder > 0 && gsl_rng_uniform(h->rng) < h->reorder)
		return (sim_time_t)gsl_rng_uniform_int(
		    h->rng, (unsigned long)h->reorder_max);
	return 0;
}

/* A frame put on the link by side `from`. */
static gboolean
link_output(sim_netif *nif, sim_pkt *f)
{
	struct harness *h = nif->impl;
	int from = nif == &h->nif[0] ? 0 : 1;
	struct h_seg s;

	h_parse(f, &s);
	s.t = sim_now(h->sim);
	s.from = from;
	s.dropped = FALSE;
	if (h->pcap)
		sim_pcap_write(h->pcap, s.t, f);
	int nth = h_count(h, from);
	if ((h->drop && h->drop(h->drop_ctx, &s, nth)) ||
	    (h->loss > 0 && gsl_rng_uniform(h->rng) < h->loss))
		s.dropped = TRUE;
	g_array_append_val(h->log, s);
	h->nseg++;
	if (s.dropped) {
		sim_pkt_unref(f);
		return TRUE;
	}
	if (h->dup > 0 && gsl_rng_uniform(h->rng) < h->dup)
		h_schedule(h, 1 - from, sim_pkt_clone(f),
			   h->delay + h_extra_delay(h));
	h_schedule(h, 1 - from, f, h->delay + h_extra_delay(h));
	return TRUE;
}

static uint32_t
link_ring_free(const sim_netif *nif)
{
	return 64;
}

struct harness *
h_new(uint64_t seed, gboolean raw_b, const struct tcp_personality *pers,
      int rfc1323)
{
	struct harness *h = g_new0(struct harness, 1);

	h->sim = sim_new(seed);
	h->delay = 5 * SIM_MS;
	h->reorder_max = 20 * SIM_MS;
	h->rng = sim_rng(h->sim, "test.link");
	h->inflight = g_hash_table_new(NULL, NULL);
	h->log = g_array_new(FALSE, FALSE, sizeof(struct h_seg));
	h->raw_rx = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sim_pkt_unref);
	for (int i = 0; i < 2; i++) {
		sim_netif *n = &h->nif[i];
		n->name = i ? "b" : "a";
		memcpy(n->mac, mac_of[i], 6);
		n->rate = 10 * SIM_MBPS;
		n->mtu = 1500;
		n->output = link_output;
		n->tx_ring_free = link_ring_free;
		n->impl = h;
		if (i == 1 && raw_b)
			continue;
		struct ip_stack_config cfg;
		ip_stack_config_init(&cfg);
		cfg.name = i ? "b" : "a";
		cfg.addr = i ? H_ADDR_B : H_ADDR_A;
		cfg.personality = pers;
		cfg.rfc1323 = rfc1323;
		cfg.tick_phase = 0;
		h->st[i] = ip_stack_new(h->sim, n, &cfg);
		ip_stack_add_neighbour(h->st[i], i ? H_ADDR_A : H_ADDR_B,
				       mac_of[1 - i]);
	}
	return h;
}

void
h_free(struct harness *h)
{
	if (h->pcap) {
		GError *e = NULL;
		sim_pcap_close(h->pcap, &e);
		g_clear_error(&e);
	}
	sim_free(h->sim);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, h->inflight);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		sim_pkt_unref(((struct delivery *)k)->f);
		g_free(k);
	}
	g_hash_table_destroy(h->inflight);
	g_ptr_array_free(h->raw_rx, TRUE);
	g_array_free(h->log, TRUE);
	g_free(h);
}

void
h_run(struct harness *h, sim_time_t dt)
{
	sim_run_until(h->sim, sim_now(h->sim) + dt);
}

void
h_run_until(struct harness *h, sim_time_t t)
{
	sim_run_until(h->sim, t);
}

uint32_t
h_build_frame(struct harness *h, uint8_t *out, uint8_t flags, uint32_t seq,
	      uint32_t ack, uint16_t win, const void *data, uint32_t len)
{
	sim_pkt *p = sim_pkt_new();
	if (len)
		sim_pkt_append_copy(p, data, len);
	tcp_fill_hdr(p, H_ADDR_B, H_ADDR_A, H_PORT_RAW, H_PORT_STACK, seq, ack,
		     flags, win, NULL, 0);
	ip_encap(p, H_ADDR_B, H_ADDR_A, 0, 64, mac_of[0], mac_of[1]);
	uint32_t n = sim_pkt_len(p);
	sim_pkt_copy_out(p, 0, n, out);
	sim_pkt_unref(p);
	return n;
}

void
h_raw_frame(struct harness *h, const uint8_t *bytes, uint32_t len)
{
	sim_pkt *p = sim_pkt_new();
	sim_pkt_append_copy(p, bytes, len);
	h_schedule(h, 0, p, 0);
}

void
h_raw_send(struct harness *h, uint8_t flags, uint32_t seq, uint32_t ack,
	   uint16_t win, const void *data, uint32_t len, const uint8_t *opt,
	   uint32_t optlen)
{
	sim_pkt *p = sim_pkt_new();
	if (len)
		sim_pkt_append_copy(p, data, len);
	tcp_fill_hdr(p, H_ADDR_B, H_ADDR_A, H_PORT_RAW, H_PORT_STACK, seq, ack,
		     flags, win, opt, optlen);
	ip_encap(p, H_ADDR_B, H_ADDR_A, 0, 64, mac_of[0], mac_of[1]);
	/* Log it as sent by B and put it on the link. */
	link_output(&h->nif[1], p);
}

const struct h_seg *
h_sent(struct harness *h, int from, int n)
{
	for (guint i = 0; i < h->log->len; i++) {
		const struct h_seg *s = &g_array_index(h->log, struct h_seg, i);
		if (s->from == from && n-- == 0)
			return s;
	}
	return NULL;
}

int
h_count(struct harness *h, int from)
{
	int n = 0;
	for (guint i = 0; i < h->log->len; i++)
		n += g_array_index(h->log, struct h_seg, i).from == from;
	return n;
}

int
h_count_flags(struct harness *h, int from, uint8_t flags)
{
	int n = 0;
	for (guint i = 0; i < h->log->len; i++) {
		const struct h_seg *s = &g_array_index(h->log, struct h_seg, i);
		n += s->from == from && (s->flags & flags) == flags;
	}
	return n;
}

const struct h_seg *
h_last(struct harness *h, int from)
{
	for (guint i = h->log->len; i > 0; i--) {
		const struct h_seg *s =
		    &g_array_index(h->log, struct h_seg, i - 1);
		if (s->from == from)
			return s;
	}
	return NULL;
}

void
h_dump(struct harness *h)
{
	for (guint i = 0; i < h->log->len; i++) {
		const struct h_seg *s = &g_array_index(h->log, struct h_seg, i);
		fprintf(stderr,
			"%10.6f %c %s%s%s%s%s seq %u ack %u len %u win %u%s\n",
			sim_time_to_s(s->t), s->from ? 'B' : 'A',
			s->flags & TH_SYN ? "S" : "",
			s->flags & TH_FIN ? "F" : "",
			s->flags & TH_RST ? "R" : "",
			s->flags & TH_PUSH ? "P" : "",
			s->flags & TH_ACK ? "." : "", s->seq, s->ack, s->len,
			s->win, s->dropped ? " DROPPED" : "");
	}
}

static void
app_send_more(struct h_app *a)
{
	uint8_t buf[8192];

	while (a->sent < a->total && !a->closed) {
		uint32_t n = (uint32_t)MIN((uint64_t)MIN(a->chunk, sizeof buf),
					   a->total - a->sent);
		for (uint32_t i = 0; i < n; i++)
			buf[i] = h_pattern(a->sent + i);
		ssize_t r = so_send(a->so, buf, n);
		if (r == -EWOULDBLOCK)
			return;
		if (r < 0) {
			a->last_error = (int)-r;
			return;
		}
		a->sent += (uint64_t)r;
	}
	if (a->sent == a->total && !a->closed) {
		a->closed = TRUE;
		so_close(a->so);
		a->so = NULL;
	}
}

static void
snd_upcall(struct socket *so, void *ctx, int ev)
{
	struct h_app *a = ctx;
	if (ev & SO_EV_CONNECTED)
		a->connected = TRUE;
	if ((ev & SO_EV_CLOSED) && !a->closed && so->so_error)
		a->last_error = so->so_error;
	app_send_more(a);
}

static void
app_read(struct h_app *a)
{
	uint8_t buf[8192];

	while (!a->eof && a->so) {
		ssize_t r = so_recv(a->so, buf, MIN(a->chunk, sizeof buf));
		if (r == -EWOULDBLOCK)
			return;
		if (r < 0) {
			a->last_error = (int)-r;
			return;
		}
		if (r == 0) {
			a->eof = TRUE;
			so_close(a->so);
			a->so = NULL;
			return;
		}
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != h_pattern(a->rcvd + (uint64_t)i))
				a->mismatches++;
		a->rcvd += (uint64_t)r;
	}
}

static void
rcv_upcall(struct socket *so, void *ctx, int ev)
{
	app_read(ctx);
}

static void
lsn_upcall(struct socket *so, void *ctx, int ev)
{
	struct h_app *a = ctx;
	int err;
	if (a->so)
		return;
	struct socket *c = so_accept(so, &err);
	if (!c)
		return;
	a->so = c;
	a->connected = TRUE;
	so_set_upcall(c, rcv_upcall, a);
	so_close(so);
	a->lso = NULL;
	app_read(a);
}

void
h_bulk_start(struct harness *h, struct h_bulk *b, uint64_t nbytes,
	     uint32_t chunk)
{
	memset(b, 0, sizeof *b);
	b->snd.h = b->rcv.h = h;
	b->snd.total = nbytes;
	b->snd.chunk = b->rcv.chunk = chunk;
	b->rcv.lso = so_socket(h->st[1]);
	ck_assert_int_eq(so_bind(b->rcv.lso, 0, H_PORT_STACK), 0);
	ck_assert_int_eq(so_listen(b->rcv.lso, 5), 0);
	so_set_upcall(b->rcv.lso, lsn_upcall, &b->rcv);
	b->snd.so = so_socket(h->st[0]);
	so_set_upcall(b->snd.so, snd_upcall, &b->snd);
	ck_assert_int_eq(so_connect(b->snd.so, H_ADDR_B, H_PORT_STACK), 0);
}

gboolean
h_bulk_run(struct harness *h, struct h_bulk *b, sim_time_t limit)
{
	sim_time_t end = sim_now(h->sim) + limit;
	while (!b->rcv.eof && sim_now(h->sim) < end)
		h_run(h, 100 * SIM_MS);
	return b->rcv.eof;
}

void
h_raw_connect(struct harness *h, struct h_rawconn *rc, uint16_t win, int mss)
{
	uint8_t opt[4] = { TCPOPT_MAXSEG, 4, (uint8_t)(mss >> 8),
			   (uint8_t)mss };
	int err;

	memset(rc, 0, sizeof *rc);
	rc->l = so_socket(h->st[0]);
	ck_assert_int_eq(so_bind(rc->l, 0, H_PORT_STACK), 0);
	ck_assert_int_eq(so_listen(rc->l, 5), 0);
	rc->bnxt = 100000;
	rc->bwin = win;
	h_raw_send(h, TH_SYN, rc->bnxt, 0, win, NULL, 0, opt, 4);
	rc->bnxt++;
	h_run(h, 2 * h->delay);
	const struct h_seg *sa = h_last(h, 0);
	ck_assert_ptr_nonnull(sa);
	ck_assert_int_eq(sa->flags, TH_SYN | TH_ACK);
	rc->anxt = sa->seq + 1;
	h_raw_send(h, TH_ACK, rc->bnxt, rc->anxt, win, NULL, 0, NULL, 0);
	h_run(h, h->delay + 1);
	rc->a = so_accept(rc->l, &err);
	ck_assert_ptr_nonnull(rc->a);
}

void
h_raw_data(struct harness *h, struct h_rawconn *rc, uint32_t seqoff,
	   uint32_t len, uint8_t extra_flags)
{
	uint8_t *buf = g_malloc(len + 1);
	uint32_t base = rc->bnxt + seqoff;
	for (uint32_t i = 0; i < len; i++)
		buf[i] = h_pattern(base + i - 100001);
	h_raw_send(h, TH_ACK | extra_flags, base, rc->anxt, rc->bwin, buf, len,
		   NULL, 0);
	g_free(buf);
}
