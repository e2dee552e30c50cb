/*
 * main.c - `nemsim COMMAND ...`: the table of subcommands.
 */
#include "cli.h"

#include "nemsim_config.h"
#include "models/nemesis/nemesis.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int cmd_keys(int argc, char **argv);
static int cmd_plot(int argc, char **argv);
static int cmd_explain(int argc, char **argv);

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "run", cli_cmd_run, "run one scenario" },
	{ "sweep", cli_cmd_sweep, "run every point of a scenario's sweep in parallel" },
	{ "merge", cli_cmd_merge, "assemble sweep.csv from points run elsewhere" },
	{ "check", cli_cmd_check, "check a scenario without running it" },
	{ "keys", cmd_keys, "list every scenario group and key with its default" },
	{ "tcptest", cli_cmd_tcptest, "run a packetdrill-style script against the TCP" },
	{ "plot", cmd_plot, "draw what a run or sweep folder contains (PNG)" },
	{ "explain", cmd_explain, "what limited each connection of a finished run" },
	{ NULL }
};

static void
usage(FILE *fp)
{
	fprintf(fp, "Usage: nemsim COMMAND [OPTION...] SCENARIO.ini\n\n"
		    "nemsim simulates TCP over Nemesis' CPU and transmit "
		    "schedulers on shared Ethernet.\n\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(fp, "  %-8s %s\n", c->name, c->help);
	fprintf(fp, "\n`nemsim COMMAND --help` describes each; "
		    "`nemsim --version` prints the version.\n");
}

static const char *
type_name(scn_type t)
{
	switch (t) {
	case SCN_TIME: return "time";
	case SCN_RATE: return "rate";
	case SCN_LENGTH: return "length";
	case SCN_INT: return "integer";
	case SCN_DOUBLE: return "number";
	case SCN_BOOL: return "bool";
	case SCN_STRING: return "text";
	case SCN_ENUM: return "one of";
	case SCN_QOS: return "QoS";
	case SCN_REF: return "name of";
	case SCN_REF_LIST: return "names of";
	case SCN_STRING_LIST: return "list";
	case SCN_FILE: return "file";
	}
	return "?";
}

static void
print_qos(const char *what, const atropos_qos *q)
{
	char p[SIM_TIME_BUFSZ], sl[SIM_TIME_BUFSZ], l[SIM_TIME_BUFSZ];
	printf("  * %s: %s, %s, %s, %s\n", what,
	       sim_format_time(q->p, p), sim_format_time(q->s, sl),
	       q->x ? "true" : "false", sim_format_time(q->l, l));
}

/* The contracts a Nemesis host has that no group of the scenario writes. */
static void
print_system_domains(void)
{
	nem_host_params hp;
	printf("  * Every kind = nemesis host also runs two domains of its "
	       "own, whose CPU contracts count in its admission (defaults of "
	       "the Nemesis 1999 source release):\n");
	nem_host_params_default(&hp, 100 * SIM_MBPS, "de4x5");
	print_qos("NAME_driver, nic de4x5 or generic (driver_qos)",
		  &hp.driver_qos);
	nem_host_params_default(&hp, 10 * SIM_MBPS, "3c509");
	print_qos("NAME_driver, nic 3c509 (driver_qos)", &hp.driver_qos);
	print_qos("NAME_flowman, the flow manager (flowman_qos)",
		  &hp.flowman_qos);
}

static int
cmd_keys(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage:\n  nemsim keys - list every scenario group and "
		       "key with its default\n");
		return CLI_EXIT_OK;
	}
	if (argc > 1) {
		cli_error("keys: unexpected argument \"%s\" (keys takes none)",
			  argv[1]);
		return CLI_EXIT_INPUT;
	}
	for (const scn_kind *k = cli_schema.kinds; k->name; k++) {
		printf("[%s%s]  %s\n", k->name, k->named ? ".NAME" : "", k->help);
		for (const scn_param *p = k->params; p && p->key; p++) {
			printf("  %-15s %s%s%s", p->key, type_name(p->type),
			       p->arg ? " " : "", p->arg ? p->arg : "");
			if (p->flags & SCN_REQUIRED)
				printf(", required");
			else if (p->dflt)
				printf(", default \"%s\"", p->dflt);
			printf("\n  %-15s   %s\n", "", p->help);
		}
		if (strcmp(k->name, "host") == 0)
			print_system_domains();
		printf("\n");
	}
	return CLI_EXIT_OK;
}

/*
 * `nemsim plot DIR`, `nemsim explain DIR`: thin commands over the
 * repository's tools/plot.py and tools/explain.py (python/nemsim),
 * run by Debian's python3.
 */
static int
exec_tool(const char *name, int argc, char **argv)
{
	char *script = cli_find_tool(name);
	if (!script) {
		cli_error("%s: no tools/%s.py above this program (nemsim %s "
			  "runs from the repository it was built in)", name,
			  name, name);
		return CLI_EXIT_FAILURE;
	}
	char **args = g_new0(char *, argc + 2);
	args[0] = "python3";
	args[1] = script;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execv("/usr/bin/python3", args);
	cli_error("%s: cannot run /usr/bin/python3: %s", name,
		  g_strerror(errno));
	g_free(args);
	g_free(script);
	return CLI_EXIT_FAILURE;
}

static int
cmd_plot(int argc, char **argv)
{
	return exec_tool("plot", argc, argv);
}

static int
cmd_explain(int argc, char **argv)
{
	return exec_tool("explain", argc, argv);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("nemsim %s\n", NEMSIM_VERSION);
		return CLI_EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(argv[1], c->name) == 0) {
			/* The subcommand sees "nemsim-run ARGS". */
			char *name = g_strdup_printf("nemsim %s", c->name);
			char *saved = argv[1];
			argv[1] = name;
			g_set_prgname(name);
			int st = c->fn(argc - 1, argv + 1);
			argv[1] = saved;
			g_free(name);
			return st;
		}
	}
	fprintf(stderr, "nemsim: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_INPUT;
}
