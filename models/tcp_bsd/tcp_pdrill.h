/*
 * tcp_pdrill.h - run a packetdrill-style script against our TCP.
 *
 * The script drives one simulated host (192.168.0.1, the stack under
 * test) with system calls and injected inbound segments ("<") from a
 * remote peer (192.0.2.1) that exists only in the script, and checks the
 * segments the host sends (">") against the expected ones, at the
 * expected times within a tolerance.  Sequence numbers are relative, as
 * in packetdrill: inbound to the remote's ISN, outbound to the host's.
 *
 * The first mismatch ends the run with TCP_PDRILL_ERROR_MISMATCH, a
 * construct we do not implement with TCP_PDRILL_ERROR_UNSUPPORTED:
 * nothing is skipped silently.
 */
#pragma once

#include "tcp_bsd.h"

#define TCP_PDRILL_ERROR (tcp_pdrill_error_quark())
GQuark tcp_pdrill_error_quark(void);

enum {
	TCP_PDRILL_ERROR_SYNTAX,
	TCP_PDRILL_ERROR_UNSUPPORTED,
	TCP_PDRILL_ERROR_MISMATCH,
};

struct tcp_pdrill_opts {
	const struct tcp_personality *personality; /* NULL: 4.4BSD */
	int rfc1323;                    /* -1: personality */
	sim_time_t tolerance;           /* 0: 4 ms */
	gboolean verbose;               /* print each event to stderr */
};

gboolean tcp_pdrill_run(const char *text, const char *name,
			const struct tcp_pdrill_opts *opts, GError **error);
gboolean tcp_pdrill_run_file(const char *path,
			     const struct tcp_pdrill_opts *opts,
			     GError **error);
