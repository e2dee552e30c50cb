/*
 * tcp_personality.c - the hosts of the paper as parameter sets, and the
 * creation of a host (stack) with one of them.
 *
 * Every value cites where it comes from.  "TCPIP2" is TCP/IP Illustrated
 * Vol. 2 (Wright & Stevens, 1995), which prints 4.4BSD-Lite's netinet;
 * "REF" is shared/design/REFERENCE.md.  Values marked UNVERIFIED are
 * our best knowledge without the original source at hand and must be
 * checked before they are relied on for a result.
 */
#include <string.h>

#include "ip_var.h"
#include "socketvar.h"

/* 4.4BSD-Lite, the reference behaviour (REF §5). */
const struct tcp_personality tcp_personality_bsd44 = {
	.name = "4.4bsd",
	.slowtick = 500 * SIM_MS,       /* PR_SLOWHZ 2 (TCPIP2 §25.1) */
	.fasttick = 200 * SIM_MS,       /* PR_FASTHZ 5 (TCPIP2 §25.1) */
	.msl = 30 * SIM_S,              /* TCPTV_MSL (TCPIP2 Fig. 25.3) */
	.rexmt_min = 1 * SIM_S,         /* TCPTV_MIN */
	.rexmt_max = 64 * SIM_S,        /* TCPTV_REXMTMAX */
	.rtt_dflt = 3 * SIM_S,          /* TCPTV_SRTTDFLT: first RTO 6 s */
	.persist_min = 5 * SIM_S,       /* TCPTV_PERSMIN */
	.persist_max = 60 * SIM_S,      /* TCPTV_PERSMAX */
	.keep_init = 75 * SIM_S,        /* TCPTV_KEEP_INIT */
	.keep_idle = 2 * 3600 * SIM_S,  /* TCPTV_KEEP_IDLE */
	.keep_intvl = 75 * SIM_S,       /* TCPTV_KEEPINTVL */
	.keepcnt = 8,                   /* TCPTV_KEEPCNT */
	.maxrxtshift = 12,              /* TCP_MAXRXTSHIFT */
	.mssdflt = 512,                 /* tcp_mssdflt = TCP_MSS */
	.mss_local_only = TRUE,         /* tcp_mss: !in_localaddr -> 512 */
	.sndbuf = 8192,                 /* tcp_sendspace = 1024*8 */
	.rcvbuf = 8192,                 /* tcp_recvspace = 1024*8 */
	.ack_policy = TCP_ACK_BSD,      /* TCPIP2 §28.11 (TCP_REASS) */
	.wupdate = TCP_WUPD_BSD,        /* tcp_output (TCPIP2 Fig. 26.9) */
	.ca_mss8 = TRUE,                /* Lite tcp_input: incr += incr/8 */
	.do_rfc1323 = TRUE,             /* tcp_do_rfc1323 = 1 in Lite */
	.olddup = TCP_OLDDUP_LITE,      /* tcp_input, TCPIP2 Fig. 28.24 */
	.icmp = TCP_ICMP_LITE,          /* tcp_notify, TCPIP2 p. 879 */
};

/*
 * NetBSD 1.x: 4.4BSD rules (REF §6).  NetBSD 1.2/1.3 took in
 * 4.4BSD-Lite2, which dropped the mss/8 term (REF §5).  Buffer sizes:
 * the 4.4BSD 8192.  UNVERIFIED: NetBSD's tcp_usrreq.c rev. 1.65 (2001,
 * NetBSD 1.5) has TCP_SENDSPACE = TCP_RECVSPACE = 1024*16; when 1.x
 * moved from Lite's 8K to 16K we could not establish.
 */
const struct tcp_personality tcp_personality_netbsd1 = {
	.name = "netbsd",
	.slowtick = 500 * SIM_MS,
	.fasttick = 200 * SIM_MS,
	.msl = 30 * SIM_S,
	.rexmt_min = 1 * SIM_S,
	.rexmt_max = 64 * SIM_S,
	.rtt_dflt = 3 * SIM_S,
	.persist_min = 5 * SIM_S,
	.persist_max = 60 * SIM_S,
	.keep_init = 75 * SIM_S,
	.keep_idle = 2 * 3600 * SIM_S,
	.keep_intvl = 75 * SIM_S,
	.keepcnt = 8,
	.maxrxtshift = 12,
	.mssdflt = 512,
	.mss_local_only = TRUE,
	.sndbuf = 8192,
	.rcvbuf = 8192,
	.ack_policy = TCP_ACK_BSD,
	.wupdate = TCP_WUPD_BSD,
	.ca_mss8 = FALSE,               /* Lite2 (REF §5) */
	.do_rfc1323 = TRUE,             /* tcp_do_rfc1323 = 1 */
	/* Lite2's tcp_input has TCPIP2 p. 960's correction (as FreeBSD
	 * 2.x, "Following if statement from Stevens, vol. 2, p. 960").
	 * UNVERIFIED against the NetBSD 1.x sources themselves. */
	.olddup = TCP_OLDDUP_LITE2,
	.icmp = TCP_ICMP_LITE,          /* Lite2 kept Lite's tcp_notify */
};

/*
 * SunOS 4.1.x: a 4.3BSD-derived kernel with BSD's ticks and timer
 * values; the ACK and window-update rules of REF §6; no RFC 1323
 * (REF §6); congestion avoidance without mss/8 (REF §6).  Socket
 * buffers 4096 bytes: 4.3BSD's tcp_sendspace/tcp_recvspace (1024*4 in
 * tcp_usrreq.c), from which SunOS 4's TCP descends; SunOS 4.1.3 offers
 * "win 4096" on its SYNs and "under SunOS, the tcp_sendspace and
 * tcp_recvspace buffer sizes are both set to a wimpy 4K", raised by
 * editing /usr/kvm/sys/netinet/in_proto.c (sun-managers summary,
 * 4 Apr 1995, sunmanagers.org/1995/0638.html).  Sites commonly raised
 * them to 16K (same summary; sunmanagers.org/1997/0405.html reports
 * SunOS 4.1.3_U1 hosts "running with default 16K buffers"): a scenario
 * sets that with the host key sockbuf.
 */
const struct tcp_personality tcp_personality_sunos41 = {
	.name = "sunos",
	.slowtick = 500 * SIM_MS,
	.fasttick = 200 * SIM_MS,
	.msl = 30 * SIM_S,
	.rexmt_min = 1 * SIM_S,
	.rexmt_max = 64 * SIM_S,
	.rtt_dflt = 3 * SIM_S,
	.persist_min = 5 * SIM_S,
	.persist_max = 60 * SIM_S,
	.keep_init = 75 * SIM_S,
	.keep_idle = 2 * 3600 * SIM_S,
	.keep_intvl = 75 * SIM_S,
	.keepcnt = 8,
	.maxrxtshift = 12,
	.mssdflt = 512,
	.mss_local_only = TRUE,
	.sndbuf = 4096,
	.rcvbuf = 4096,
	.ack_policy = TCP_ACK_SUNOS,
	.wupdate = TCP_WUPD_SUNOS,
	.ca_mss8 = FALSE,
	.do_rfc1323 = FALSE,
	/* 4.3BSD-Tahoe's tcp_input, from which SunOS 4's descends:
	 * a whole duplicate -> dropafterack, with no FIN special case;
	 * TCP_COMPAT_42's "keep a RST at rcv_nxt - 1" assumed off
	 * (UNVERIFIED for SunOS 4.1). */
	.olddup = TCP_OLDDUP_TAHOE,
	/* 4.3BSD-Tahoe's in_pcbnotify sets so_error for any error
	 * (t_softerror came with Reno); UNVERIFIED for SunOS 4.1. */
	.icmp = TCP_ICMP_43BSD,
};

/*
 * Linux 2.0: jiffies of 10 ms (HZ = 100 on i386) drive the timers;
 * delayed ACK at most 0.5 s, 20 ms (HZ/50) after a small segment, an
 * ACK at once after two full segments (REF §6); no RFC 1323 options
 * in 2.0.  Buffers: include/linux/skbuff.h of 2.0 has SK_WMEM_MAX =
 * SK_RMEM_MAX = 32767 (65535 with CONFIG_SKB_LARGE); that the default
 * equals the maximum is UNVERIFIED, and Linux charges sk_buff overhead
 * against it, which we do not.  MSS default 536 (RFC 1122).
 */
const struct tcp_personality tcp_personality_linux20 = {
	.name = "linux2.0",
	.slowtick = 10 * SIM_MS,        /* one jiffy, HZ = 100 */
	.fasttick = 0,                  /* per-connection delack timer */
	.msl = 30 * SIM_S,              /* TCP_TIMEWAIT_LEN 60 s = 2 MSL */
	.rexmt_min = 200 * SIM_MS,      /* REF §6: minimum RTO 200 ms */
	.rexmt_max = 120 * SIM_S,       /* TCP_RTO_MAX (UNVERIFIED for 2.0) */
	.rtt_dflt = 1500 * SIM_MS,      /* initial RTO 3 s (REF §6) */
	.persist_min = 200 * SIM_MS,    /* probes back off with the RTO */
	.persist_max = 120 * SIM_S,
	.keep_init = 75 * SIM_S,
	.keep_idle = 2 * 3600 * SIM_S,  /* TCP_KEEPALIVE_TIME */
	.keep_intvl = 75 * SIM_S,
	.keepcnt = 9,                   /* TCP_KEEPALIVE_PROBES */
	.maxrxtshift = 15,              /* TCP_RETR2 */
	.mssdflt = 536,                 /* RFC 1122 default */
	.mss_local_only = FALSE,
	.sndbuf = 32767,
	.rcvbuf = 32767,
	.ack_policy = TCP_ACK_LINUX,
	.delack_min = 20 * SIM_MS,      /* HZ/50 (REF §6) */
	.delack_max = 500 * SIM_MS,     /* REF §6 */
	.delack_psh_min = TRUE,         /* 20 ms after a small PSH segment */
	.wupdate = TCP_WUPD_BSD,
	.ca_mss8 = FALSE,
	.do_rfc1323 = FALSE,
	/* tcp_sequence() rejects a segment wholly left of rcv_wup;
	 * tcp_rcv_state_process ACKs it unless it is a RST and goes no
	 * further: Lite's outcome for these cases (REF §6; UNVERIFIED
	 * for 2.0 in detail). */
	.olddup = TCP_OLDDUP_LITE,
	/* tcp_err: an error in SYN_SENT closes the socket (UNVERIFIED
	 * for 2.0 in detail). */
	.icmp = TCP_ICMP_LINUX,
};

/*
 * Linux 2.2: as 2.0 with RFC 1323 on (sysctl tcp_timestamps and
 * tcp_window_scaling default 1), minimum RTO 200 ms, initial RTO 3 s,
 * adaptive delayed ACK up to 0.5 s (REF §6).  Buffers: 2.2's
 * skbuff.h has SK_WMEM_MAX = SK_RMEM_MAX = 65535 (default = maximum
 * UNVERIFIED).  RTO bounds, TCP_TIMEOUT_INIT and the keepalive values
 * are those of include/net/tcp.h (seen in 2.4's; UNVERIFIED for 2.2).
 */
const struct tcp_personality tcp_personality_linux22 = {
	.name = "linux2.2",
	.slowtick = 10 * SIM_MS,
	.fasttick = 0,
	.msl = 30 * SIM_S,
	.rexmt_min = 200 * SIM_MS,      /* TCP_RTO_MIN = HZ/5 */
	.rexmt_max = 120 * SIM_S,       /* TCP_RTO_MAX = 120*HZ */
	.rtt_dflt = 1500 * SIM_MS,      /* TCP_TIMEOUT_INIT = 3*HZ */
	.persist_min = 200 * SIM_MS,
	.persist_max = 120 * SIM_S,
	.keep_init = 75 * SIM_S,
	.keep_idle = 2 * 3600 * SIM_S,
	.keep_intvl = 75 * SIM_S,
	.keepcnt = 9,
	.maxrxtshift = 15,
	.mssdflt = 536,
	.mss_local_only = FALSE,
	.sndbuf = 65535,
	.rcvbuf = 65535,
	.ack_policy = TCP_ACK_LINUX,
	.delack_min = 40 * SIM_MS,      /* TCP_ATO_MIN HZ/25 (UNVERIFIED) */
	.delack_max = 500 * SIM_MS,     /* TCP_DELACK_MAX HZ/2 */
	.wupdate = TCP_WUPD_BSD,
	.ca_mss8 = FALSE,
	.do_rfc1323 = TRUE,
	.olddup = TCP_OLDDUP_LITE,      /* as linux2.0 (tcp_sequence) */
	.icmp = TCP_ICMP_LINUX,         /* tcp_v4_err: fatal in SYN_* */
};

const struct tcp_personality *
tcp_personality_find(const char *name)
{
	static const struct tcp_personality *const all[] = {
		&tcp_personality_bsd44, &tcp_personality_netbsd1,
		&tcp_personality_sunos41, &tcp_personality_linux20,
		&tcp_personality_linux22,
	};
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
		if (g_ascii_strcasecmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void
ip_stack_config_init(struct ip_stack_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->name = "host";
	/* nemsim puts every host of a scenario on 10.0.0.0/16 (cli/wire.c),
	 * so that a host's place in the file (past 254 hosts) cannot make
	 * its peers off-link (and its MSS 512, tcp_mss). */
	cfg->netmask = IP_ADDR(255, 255, 0, 0);
	cfg->subnetsarelocal = TRUE;    /* 4.4BSD netinet/in.c */
	cfg->rfc1323 = -1;
	cfg->tick_phase = -1;
	cfg->iss = 1;                   /* 4.4BSD tcp_init: tcp_iss = 1 */
}

static void
netif_input_upcall(void *upper, sim_netif *nif, sim_pkt *frame)
{
	ip_stack_input(upper, frame);
}

static int
ticks_of(const ip_stack *st, sim_time_t t)
{
	return (int)((t + st->pers.slowtick - 1) / st->pers.slowtick);
}

static void
ip_stack_free(gpointer data)
{
	ip_stack *st = data;

	st->freeing = TRUE;
	struct tcpcb *tp;
	while ((tp = tcp_tcb_first(st)) != NULL) {
		struct socket *so = tp->t_socket;
		so->so_state |= SS_NOFDREF;
		so->so_upcall = NULL;
		(void)tcp_close(tp);
	}
	/* Sockets the user still held (their connections are gone). */
	GList *left = g_hash_table_get_keys(st->sockets);
	for (GList *l = left; l; l = l->next) {
		struct socket *so = l->data;
		so->so_state |= SS_NOFDREF;
		so->so_head = NULL;
		sofree(so);
	}
	g_list_free(left);
	g_hash_table_destroy(st->sockets);
	sim_idmap_free(st->pcb_exact);
	sim_idmap_free(st->pcb_wild);
	sim_idmap_free(st->lport_refs);
	g_ptr_array_free(st->tcb_vec, TRUE);
	g_ptr_array_free(st->tick_due, TRUE);
	g_free(st->tickq[0].a);
	g_free(st->tickq[1].a);
	sim_pkt *m;
	while ((m = sim_ptrq_pop_head(&st->ipintrq)) != NULL)
		sim_pkt_unref(m);
	sim_ptrq_clear(&st->ipintrq);
	g_array_free(st->neighbours, TRUE);
	g_free(st->name);
	g_free(st);
}

ip_stack *
ip_stack_new(sim_t *sim, sim_netif *nif, const struct ip_stack_config *cfg)
{
	ip_stack *st = g_new0(ip_stack, 1);
	const struct tcp_personality *p = cfg->personality;

	st->sim = sim;
	st->nif = nif;
	st->name = g_strdup(cfg->name);
	st->addr = cfg->addr;
	st->netmask = cfg->netmask;
	st->subnetsarelocal = cfg->subnetsarelocal;
	st->pers = p ? *p : tcp_personality_bsd44;
	if (cfg->rfc1323 >= 0)
		st->pers.do_rfc1323 = cfg->rfc1323 != 0;
	st->sockets = g_hash_table_new(NULL, NULL);
	st->pcb_exact = sim_idmap_new();
	st->pcb_wild = sim_idmap_new();
	st->lport_refs = sim_idmap_new();
	st->tcb_vec = g_ptr_array_new();
	st->tick_due = g_ptr_array_new();
	st->check_ticks = g_getenv("NEMSIM_CHECK_TICKS") != NULL;
	sim_ptrq_init(&st->ipintrq);
	st->neighbours = g_array_new(FALSE, FALSE, sizeof(struct ip_neighbour));
	ip_stack_set_output_hook(st, NULL, NULL);
	st->tcp_iss = cfg->iss;
	st->lastport = 1023;

	st->tv_msl = ticks_of(st, st->pers.msl);
	st->tv_min = ticks_of(st, st->pers.rexmt_min);
	st->tv_rexmtmax = ticks_of(st, st->pers.rexmt_max);
	st->tv_srttdflt = ticks_of(st, st->pers.rtt_dflt);
	st->tv_persmin = ticks_of(st, st->pers.persist_min);
	st->tv_persmax = ticks_of(st, st->pers.persist_max);
	st->tv_keep_init = ticks_of(st, st->pers.keep_init);
	st->tv_keep_idle = ticks_of(st, st->pers.keep_idle);
	st->tv_keepintvl = ticks_of(st, st->pers.keep_intvl);
	st->tv_maxidle = st->pers.keepcnt * st->tv_keepintvl;
	st->maxrxtshift = MIN(st->pers.maxrxtshift, TCP_MAXRXTSHIFT_MAX);

	nif->input = netif_input_upcall;
	nif->upper = st;

	tcp_stats_register(st);
	if (!cfg->external_ticks) {
		sim_time_t phase = cfg->tick_phase;
		if (phase < 0) {
			char comp[256];
			g_snprintf(comp, sizeof comp, "tcp.%s.ticks", st->name);
			gsl_rng *r = sim_rng_owned(sim, comp);
			phase = (sim_time_t)gsl_rng_uniform_int(
			    r, (unsigned long)st->pers.slowtick);
			gsl_rng_free(r);
		}
		tcp_stack_start_ticks(st, phase);
	}
	sim_on_free(sim, ip_stack_free, st);
	return st;
}

sim_t *
ip_stack_sim(const ip_stack *st)
{
	return st->sim;
}

const struct tcp_personality *
ip_stack_personality(const ip_stack *st)
{
	return &st->pers;
}
