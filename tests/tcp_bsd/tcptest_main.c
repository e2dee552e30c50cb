/*
 * tcptest_main.c - `tcptest SCRIPT.pkt [--personality NAME]
 * [--tolerance-usecs N] [--rfc1323 0|1] [-v]`: run a packetdrill-style
 * script against the BSD TCP (tcp_pdrill.h).  Exit 0 if it passes, 1 on
 * a mismatch, 2 on bad usage, syntax or an unsupported construct.
 * (The same runner is meant to back `nemsim tcptest` once the CLI in
 * sim/cli wires it.)
 */
#include <stdio.h>
#include <stdlib.h>

#include "tcp_pdrill.h"

int
main(int argc, char **argv)
{
	gchar *pers = NULL;
	gint tol_us = 4000, rfc1323 = -1;
	gboolean verbose = FALSE;
	GOptionEntry entries[] = {
		{ "personality", 'p', 0, G_OPTION_ARG_STRING, &pers,
		  "host personality (4.4bsd, netbsd, sunos, linux2.0, linux2.2)",
		  "NAME" },
		{ "tolerance-usecs", 't', 0, G_OPTION_ARG_INT, &tol_us,
		  "timing tolerance (default 4000)", "N" },
		{ "rfc1323", 0, 0, G_OPTION_ARG_INT, &rfc1323,
		  "RFC 1323 options: 0 off, 1 on (default: personality)", "N" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		  "print every event", NULL },
		{ NULL },
	};
	GError *error = NULL;
	GOptionContext *ctx = g_option_context_new("SCRIPT.pkt");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2) {
		fprintf(stderr, "tcptest: %s\n",
			error ? error->message : "one script expected");
		g_clear_error(&error);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	struct tcp_pdrill_opts o = {
		.rfc1323 = rfc1323,
		.tolerance = (sim_time_t)tol_us * SIM_US,
		.verbose = verbose,
	};
	if (pers) {
		o.personality = tcp_personality_find(pers);
		if (!o.personality) {
			fprintf(stderr, "tcptest: unknown personality '%s'\n",
				pers);
			return 2;
		}
	}
	if (!tcp_pdrill_run_file(argv[1], &o, &error)) {
		gboolean mismatch = error->domain == TCP_PDRILL_ERROR &&
		    error->code == TCP_PDRILL_ERROR_MISMATCH;
		fprintf(stderr, "%s%s\n",
			error->domain == TCP_PDRILL_ERROR &&
				error->code == TCP_PDRILL_ERROR_UNSUPPORTED ?
			    "unsupported: " : "",
			error->message);
		g_error_free(error);
		g_free(pers);
		return mismatch ? 1 : 2;
	}
	printf("%s: pass\n", argv[1]);
	g_free(pers);
	return 0;
}
