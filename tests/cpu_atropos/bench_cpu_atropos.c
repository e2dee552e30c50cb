/*
 * bench_cpu_atropos.c - scheduler events per simulated second: three
 * contracted domains (Table 1's CPU contracts) plus carnage taking the
 * slack, for 60 simulated seconds.  Prints the shares against the
 * contracts and the event rates.  A benchmark, not a test: it asserts
 * nothing about wall time.
 *
 *   build-cpu/tests/cpu_atropos/bench_cpu_atropos [seconds] [chunk_us]
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_atropos.h"

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 60.0;
	sim_time_t chunk = (argc > 2 ? atoll(argv[2]) : 10000) * SIM_US;
	sim_time_t end = (sim_time_t)(secs * SIM_S);
	sim_t *sim = sim_new(1);
	cpu_params p;
	GError *err = NULL;
	struct {
		const char *name;
		atropos_qos q;
		cpu_domain *d;
	} dom[] = {
	    {"s1", {10 * SIM_MS, 1 * SIM_MS, FALSE, 10 * SIM_MS}},
	    {"s2", {20 * SIM_MS, 2 * SIM_MS, FALSE, 20 * SIM_MS}},
	    {"s3", {20 * SIM_MS, 1 * SIM_MS, FALSE, 20 * SIM_MS}},
	    {"carnage", {10 * SIM_MS, 0, TRUE, 10 * SIM_MS}},
	};
	cpu_t *cpu;
	cpu_acct ca;
	gint64 t0, t1;

	cpu_params_default(&p);
	cpu = cpu_new(sim, "nemesis", &p, &err);
	g_assert_no_error(err);
	for (guint i = 0; i < G_N_ELEMENTS(dom); i++) {
		dom[i].d =
		    cpu_carnage_new(cpu, dom[i].name, &dom[i].q, chunk, &err);
		g_assert_no_error(err);
	}
	sim->measure_from = 1 * SIM_S;
	sim->measure_to = end;
	t0 = g_get_monotonic_time();
	sim_run_until(sim, end);
	t1 = g_get_monotonic_time();
	cpu_get_acct(cpu, &ca);

	printf("cost model %s, domain switch %lld ns, slack quantum %lld ns, "
	       "work chunk %lld ns\n",
	       p.cost_model, (long long)cpu_cost(cpu, "domain_switch"),
	       (long long)p.slack_quantum, (long long)chunk);
	printf("%-8s %10s %10s %10s %10s %8s\n", "domain", "contract", "share",
	       "contracted", "slack", "missed");
	for (guint i = 0; i < G_N_ELEMENTS(dom); i++) {
		cpu_domain_acct a;

		cpu_domain_get_acct(dom[i].d, &a);
		printf("%-8s %10.4f %10.6f %10.6f %10.6f %8llu\n", dom[i].name,
		       (double)dom[i].q.s / dom[i].q.p,
		       cpu_domain_share(dom[i].d),
		       cpu_domain_contracted_share(dom[i].d),
		       cpu_domain_slack_share(dom[i].d),
		       (unsigned long long)a.deadlines_missed);
	}
	printf("idle     %10s %10.6f\n", "", cpu_idle_share(cpu));
	printf("simulated %.1f s: %llu sim events (%.0f /s), CPU timer events "
	       "%.0f /s, scheduler passes %.0f /s, domain switches %.0f /s\n",
	       secs, (unsigned long long)sim->events, sim->events / secs,
	       ca.timer_events / secs, ca.decisions / secs, ca.switches / secs);
	printf("wall %.3f s (%.0f ns per event)\n", (t1 - t0) / 1e6,
	       (t1 - t0) * 1e3 / (double)sim->events);
	sim_free(sim);
	return 0;
}
