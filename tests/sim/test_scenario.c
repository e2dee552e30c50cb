/*
 * test_scenario.c - the scenario loader and sweeps, with the real schema.
 */
#include "cli/cli.h"

#include "suites.h"

#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;

static char *
write_file(const char *name, const char *text)
{
	char *p = g_build_filename(tmpdir, name, NULL);
	g_file_set_contents(p, text, -1, NULL);
	return p;
}

static void
setup(void)
{
	tmpdir = g_dir_make_tmp("nemsim-scn-XXXXXX", NULL);
	g_free(write_file("base.ini",
			  "[link.lan]\nrate = 10Mb/s\n"
			  "[host.nem]\nkind = nemesis\nlink = lan\n"
			  "[host.kay]\nkind = unix\nlink = lan\n"
			  "[simulation]\nduration = 5s\nseed = 3\n"));
}

static void
teardown(void)
{
	char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
	g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	g_free(cmd);
	g_free(tmpdir);
}

static scenario *
load(const char *text, const char *const *ov, GError **e)
{
	char *p = write_file("s.ini", text);
	scenario *sc = scn_load(p, &cli_schema, ov, e);
	g_free(p);
	return sc;
}

START_TEST(test_include_then_override_key_by_key)
{
	GError *e = NULL;
	scenario *sc = load("[scenario]\ninclude = base.ini\n"
			    "[simulation]\nduration = 7s\n", NULL, &e);
	ck_assert_msg(sc != NULL, "%s", e ? e->message : "");
	scn_group *s = scn_single(sc, "simulation");
	ck_assert_int_eq(scn_time(s, "duration"), 7 * SIM_S);
	ck_assert_int_eq(scn_int(s, "seed"), 3);   /* from the base */
	ck_assert_int_eq(scn_time(s, "warmup"), 0); /* the default */
	scn_group *l = scn_find(sc, "link", "lan");
	ck_assert_int_eq(scn_rate(l, "rate"), 10 * SIM_MBPS);
	ck_assert_str_eq(scn_str(l, "kind"), "hub");
	g_autoptr(GPtrArray) hosts = scn_instances(sc, "host");
	ck_assert_uint_eq(hosts->len, 2);
	ck_assert_str_eq(scn_group_name(g_ptr_array_index(hosts, 0)), "nem");
	scn_free(sc);
}
END_TEST

START_TEST(test_set_overrides_and_vars)
{
	const char *ov[] = { "vars.slice=2.4ms", "link.lan.rate=100Mb/s", NULL };
	GError *e = NULL;
	scenario *sc = load("[scenario]\ninclude = base.ini\n"
			    "[vars]\nslice = 1ms\n"
			    "[connection.c1]\nfrom = nem\nto = kay\n"
			    "tx_qos = 50ms, ${slice}, false\n", ov, &e);
	ck_assert_msg(sc != NULL, "%s", e ? e->message : "");
	scn_qos q = scn_get_qos(scn_find(sc, "connection", "c1"), "tx_qos");
	ck_assert_int_eq(q.period, 50 * SIM_MS);
	ck_assert_int_eq(q.slice, 2400 * SIM_US);
	ck_assert(!q.extra);
	ck_assert_int_eq(scn_rate(scn_find(sc, "link", "lan"), "rate"),
			 100 * SIM_MBPS);
	scn_free(sc);
}
END_TEST

/* Each bad input gives one message naming file:line, group and key. */
static void
expect_error(const char *text, const char *const *ov, const char *const *parts)
{
	GError *e = NULL;
	scenario *sc = load(text, ov, &e);
	ck_assert_msg(sc == NULL, "loaded a bad scenario:\n%s", text);
	ck_assert(e != NULL);
	for (int i = 0; parts[i]; i++)
		ck_assert_msg(strstr(e->message, parts[i]),
			      "\"%s\" not in \"%s\"", parts[i], e->message);
	g_error_free(e);
}

START_TEST(test_unknown_key_names_file_line_group_key)
{
	const char *parts[] = { "s.ini:4: [link.lan] speed: unknown key",
				"known keys", NULL };
	expect_error("[simulation]\nduration = 1s\n[link.lan]\nspeed = 1\n"
		     "rate = 10Mb/s\n", NULL, parts);
}
END_TEST

START_TEST(test_unknown_group)
{
	const char *parts[] = { "s.ini:3: [lnk.lan]: unknown group", NULL };
	expect_error("[simulation]\nduration = 1s\n[lnk.lan]\nrate = 1Mb/s\n",
		     NULL, parts);
}
END_TEST

START_TEST(test_bad_and_missing_units)
{
	const char *p1[] = { "[link.lan] rate:", "unknown unit \"Mbit\"", NULL };
	expect_error("[simulation]\nduration = 1s\n[link.lan]\nrate = 10Mbit\n",
		     NULL, p1);
	const char *p2[] = { "s.ini:2: [simulation] duration:", "no unit", NULL };
	expect_error("[simulation]\nduration = 10\n", NULL, p2);
}
END_TEST

START_TEST(test_missing_required_key)
{
	const char *parts[] = { "[link.lan]: missing required key rate", NULL };
	expect_error("[simulation]\nduration = 1s\n[link.lan]\nkind = hub\n",
		     NULL, parts);
}
END_TEST

START_TEST(test_slice_longer_than_period)
{
	const char *parts[] = { "[domain.d] cpu_qos:",
				"slice is longer than the period", NULL };
	expect_error("[scenario]\ninclude = base.ini\n[domain.d]\nhost = nem\n"
		     "cpu_qos = 10ms, 11ms, false\n", NULL, parts);
}
END_TEST

START_TEST(test_cpu_contracts_above_one_refused_unless_overbooked)
{
	const char *text = "[scenario]\ninclude = base.ini\n"
			   "[domain.a]\nhost = nem\ncpu_qos = 20ms, 14.4ms, false\n"
			   "[connection.c1]\nfrom = nem\nto = kay\n"
			   "cpu_qos = 10ms, 3ms, true\n";
	const char *parts[] = { "[connection.c1] cpu_qos:",
				"contracted CPU shares on [host.nem] sum to 1.045",
				"overbook", NULL };
	expect_error(text, NULL, parts);
	const char *ov[] = { "host.nem.overbook=true", NULL };
	GError *e = NULL;
	scenario *sc = load(text, ov, &e);
	ck_assert_msg(sc != NULL, "%s", e ? e->message : "");
	scn_free(sc);
}
END_TEST

START_TEST(test_transmit_contracts_above_one_refused)
{
	const char *parts[] = { "contracted transmit shares on [host.nem]", NULL };
	expect_error("[scenario]\ninclude = base.ini\n"
		     "[connection.c2]\nfrom = nem\nto = kay\n"
		     "tx_qos = 10ms, 6ms, false\n"
		     "[connection.c3]\nfrom = nem\nto = kay\n"
		     "tx_qos = 10ms, 5ms, false\n", NULL, parts);
}
END_TEST

START_TEST(test_undefined_host_reference)
{
	const char *parts[] = { "[connection.c1] to: refers to [host.garuda]",
				NULL };
	expect_error("[scenario]\ninclude = base.ini\n"
		     "[connection.c1]\nfrom = nem\nto = garuda\n", NULL, parts);
}
END_TEST

START_TEST(test_include_loop)
{
	g_free(write_file("a.ini", "[scenario]\ninclude = b.ini\n"));
	g_free(write_file("b.ini", "[scenario]\ninclude = a.ini\n"));
	const char *parts[] = { "include loop", NULL };
	expect_error("[scenario]\ninclude = a.ini\n", NULL, parts);
}
END_TEST

START_TEST(test_missing_file)
{
	GError *e = NULL;
	ck_assert_ptr_null(scn_load("/nonexistent/x.ini", &cli_schema, NULL, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "/nonexistent/x.ini"));
	g_error_free(e);
	const char *parts[] = { "s.ini:2: [scenario] include: no such file", NULL };
	expect_error("[scenario]\ninclude = nothere.ini\n", NULL, parts);
}
END_TEST

START_TEST(test_bad_override_syntax_and_undefined_var)
{
	const char *ov[] = { "simulation.duration", NULL };
	const char *p1[] = { "expected group.key=value", NULL };
	expect_error("[simulation]\nduration = 1s\n", ov, p1);
	const char *p2[] = { "[simulation] duration: ${d} is not defined", NULL };
	expect_error("[simulation]\nduration = ${d}\n", NULL, p2);
}
END_TEST

START_TEST(test_sweep_range_is_exact_and_product_order)
{
	GError *e = NULL;
	scenario *sc = load("[simulation]\nduration = 1s\n[vars]\ns = 1ms\n"
			    "[sweep]\ns = 1.2ms to 24ms step 1.2ms\n"
			    "simulation.seed = 1; 2; 3\n"
			    "columns = t=connections.c1.throughput_mbps\n",
			    NULL, &e);
	ck_assert_msg(sc != NULL, "%s", e ? e->message : "");
	scn_sweep *sw = scn_sweep_expand(sc, &e);
	ck_assert_msg(sw != NULL, "%s", e ? e->message : "");
	ck_assert_uint_eq(sw->nkeys, 2);
	ck_assert_uint_eq(sw->npoints, 60);
	ck_assert_str_eq(sw->values[0][0], "1.2ms");
	ck_assert_str_eq(sw->values[0][1], "1");
	ck_assert_str_eq(sw->values[1][1], "2"); /* last key fastest */
	ck_assert_str_eq(sw->values[59][0], "24ms");
	ck_assert_str_eq(sw->values[3 * 7][0], "9.6ms");
	ck_assert_uint_eq(sw->ncolumns, 1);
	{
		/* A range may start at a bare 0. */
		scenario *s0 = load("[simulation]\nduration = 1s\n[vars]\ns = 1ms\n"
				    "[sweep]\ns = 0 to 14.4ms step 1.6ms\n",
				    NULL, &e);
		ck_assert(s0 != NULL);
		scn_sweep *w0 = scn_sweep_expand(s0, &e);
		ck_assert_msg(w0 != NULL, "%s", e ? e->message : "");
		ck_assert_uint_eq(w0->npoints, 10);
		ck_assert_str_eq(w0->values[0][0], "0");
		ck_assert_str_eq(w0->values[9][0], "14.4ms");
		scn_sweep_free(w0);
		scn_free(s0);
	}
	ck_assert_str_eq(sw->col_paths[0], "connections.c1.throughput_mbps");
	gchar **ov = scn_sweep_point_overrides(sw, 1);
	ck_assert_str_eq(ov[0], "vars.s=1.2ms");
	ck_assert_str_eq(ov[1], "simulation.seed=2");
	g_strfreev(ov);
	scn_sweep_free(sw);
	scn_free(sc);
}
END_TEST

START_TEST(test_sweep_zip_advances_keys_together)
{
	GError *e = NULL;
	scenario *sc = load("[simulation]\nduration = 1s\n[vars]\na = 1\nb = 1\n"
			    "c = 1\n[sweep]\na = 10; 20; 30\nb = 1ms; 2ms; 3ms\n"
			    "c = x; y\nzip = a, b\n", NULL, &e);
	ck_assert(sc != NULL);
	scn_sweep *sw = scn_sweep_expand(sc, &e);
	ck_assert_msg(sw != NULL, "%s", e ? e->message : "");
	ck_assert_uint_eq(sw->npoints, 6);
	for (guint p = 0; p < 6; p++) {
		int a = atoi(sw->values[p][0]);
		ck_assert_int_eq(a / 10, atoi(sw->values[p][1]));
	}
	ck_assert_str_eq(sw->values[1][2], "y");
	scn_sweep_free(sw);
	scn_free(sc);
}
END_TEST

START_TEST(test_sweep_errors)
{
	GError *e = NULL;
	scenario *sc = load("[simulation]\nduration = 1s\n[vars]\na = 1\nb = 1\n"
			    "[sweep]\na = 1; 2\nb = 1; 2; 3\nzip = a, b\n",
			    NULL, &e);
	ck_assert(sc != NULL);
	ck_assert_ptr_null(scn_sweep_expand(sc, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "[sweep] zip: b has 3 values"));
	g_clear_error(&e);
	scn_free(sc);
	sc = load("[simulation]\nduration = 1s\n[sweep]\nnope = 1; 2\n", NULL, &e);
	ck_assert(sc != NULL);
	ck_assert_ptr_null(scn_sweep_expand(sc, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "[sweep] nope: is neither"));
	g_clear_error(&e);
	scn_free(sc);
	sc = load("[simulation]\nduration = 1s\n[vars]\na=1\n"
		  "[sweep]\na = 5ms to 1ms step 1ms\n", NULL, &e);
	ck_assert(sc != NULL);
	ck_assert_ptr_null(scn_sweep_expand(sc, &e));
	ck_assert_ptr_nonnull(strstr(e->message, "empty"));
	g_clear_error(&e);
	scn_free(sc);
}
END_TEST

START_TEST(test_summary_lookup_reads_nested_paths)
{
	const char *json = "{\n  \"a\": {\n    \"b\": 1,\n    \"c\": {\n"
			   "      \"d\": 2.5\n    }\n  },\n  \"e\": \"x\"\n}\n";
	char *v = NULL;
	ck_assert(cli_summary_lookup(json, "a.c.d", &v));
	ck_assert_str_eq(v, "2.5");
	g_free(v);
	ck_assert(cli_summary_lookup(json, "e", &v));
	ck_assert_str_eq(v, "x");
	g_free(v);
	ck_assert(!cli_summary_lookup(json, "a.d", &v));
	ck_assert(!cli_summary_lookup(json, "b", &v));
}
END_TEST

Suite *
scenario_suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *tc = tcase_create("loader");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_include_then_override_key_by_key);
	tcase_add_test(tc, test_set_overrides_and_vars);
	tcase_add_test(tc, test_unknown_key_names_file_line_group_key);
	tcase_add_test(tc, test_unknown_group);
	tcase_add_test(tc, test_bad_and_missing_units);
	tcase_add_test(tc, test_missing_required_key);
	tcase_add_test(tc, test_slice_longer_than_period);
	tcase_add_test(tc, test_cpu_contracts_above_one_refused_unless_overbooked);
	tcase_add_test(tc, test_transmit_contracts_above_one_refused);
	tcase_add_test(tc, test_undefined_host_reference);
	tcase_add_test(tc, test_include_loop);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_bad_override_syntax_and_undefined_var);
	tcase_add_test(tc, test_sweep_range_is_exact_and_product_order);
	tcase_add_test(tc, test_sweep_zip_advances_keys_together);
	tcase_add_test(tc, test_sweep_errors);
	tcase_add_test(tc, test_summary_lookup_reads_nested_paths);
	suite_add_tcase(s, tc);
	return s;
}
