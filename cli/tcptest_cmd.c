/*
 * tcptest_cmd.c - `nemsim tcptest SCRIPT.pkt`: run a packetdrill-style
 * script against the BSD TCP (models/tcp_bsd/tcp_pdrill.h).
 *
 * Exit status: 0 the script passed; 1 TCP did not do what the script
 * expects (the first mismatch is printed); 2 bad usage, a syntax error or
 * a construct the runner does not support (reported, never skipped).
 */
#include "cli.h"

#include "models/tcp_bsd/tcp_pdrill.h"

#include <stdio.h>

int
cli_cmd_tcptest(int argc, char **argv)
{
	gchar *pers = NULL;
	gint tol_us = 4000, rfc1323 = -1;
	gboolean verbose = FALSE;
	GOptionEntry entries[] = {
		{ "personality", 'p', 0, G_OPTION_ARG_STRING, &pers,
		  "Host personality: 4.4bsd, netbsd, sunos, linux2.0, "
		  "linux2.2; several separated by commas run the script "
		  "under each in turn", "NAME[,NAME...]" },
		{ "tolerance-usecs", 't', 0, G_OPTION_ARG_INT, &tol_us,
		  "Timing tolerance in microseconds (default 4000)", "N" },
		{ "rfc1323", 0, 0, G_OPTION_ARG_INT, &rfc1323,
		  "RFC 1323 options: 0 off, 1 on (default: the personality's)",
		  "N" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		  "Print every event", NULL },
		{ NULL }
	};
	GOptionContext *ctx = g_option_context_new(
		"SCRIPT.pkt - run a packetdrill-style script against the TCP");
	g_option_context_set_summary(ctx,
		"Exit status: 0 pass, 1 mismatch, 2 bad usage, syntax or an "
		"unsupported construct.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *err = NULL;
	int status = CLI_EXIT_OK;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		cli_error("tcptest: %s", err->message);
		status = CLI_EXIT_INPUT;
		goto out;
	}
	if (argc != 2) {
		cli_error("tcptest: expected one script");
		status = CLI_EXIT_INPUT;
		goto out;
	}
	gchar **names = g_strsplit(pers ? pers : "4.4bsd", ",", -1);
	for (int i = 0; names[i] && status == CLI_EXIT_OK; i++) {
		struct tcp_pdrill_opts o = {
			.rfc1323 = rfc1323,
			.tolerance = (sim_time_t)tol_us * SIM_US,
			.verbose = verbose,
		};
		if (!(o.personality = tcp_personality_find(names[i]))) {
			cli_error("tcptest: unknown personality \"%s\"",
				  names[i]);
			status = CLI_EXIT_INPUT;
			break;
		}
		if (!tcp_pdrill_run_file(argv[1], &o, &err)) {
			gboolean mismatch = err->domain == TCP_PDRILL_ERROR &&
					    err->code == TCP_PDRILL_ERROR_MISMATCH;
			gboolean unsupported =
				err->domain == TCP_PDRILL_ERROR &&
				err->code == TCP_PDRILL_ERROR_UNSUPPORTED;
			cli_error("%s%s (%s)", unsupported ? "unsupported: " : "",
				  err->message, names[i]);
			status = mismatch ? CLI_EXIT_FAILURE : CLI_EXIT_INPUT;
		}
	}
	g_strfreev(names);
	if (status != CLI_EXIT_OK)
		goto out;
	printf("%s: pass\n", argv[1]);
out:
	g_clear_error(&err);
	g_free(pers);
	g_option_context_free(ctx);
	return status;
}
