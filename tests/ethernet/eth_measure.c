/*
 * eth_measure.c - prints, for saturating stations on a 10 Mb/s hub, the
 * utilisation against the Metcalfe-Boggs efficiency, collisions per frame,
 * access delay, fairness and the events executed per good frame.  A
 * measurement aid for the issue note, not a test.
 *
 *	eth_measure [seconds]
 */
#include "lan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double
metcalfe_boggs(int q, uint32_t frame_bytes, sim_rate_t rate)
{
	double pc = frame_bytes * 8.0 / (double)rate;
	double t = ETH_SLOT_BITS / (double)rate;
	double a = q > 1 ? pow(1.0 - 1.0 / q, q - 1) : 1.0;
	return pc / (pc + (1 - a) / a * t);
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 5.0;
	static const int qs[] = {1, 2, 4, 8, 16, 24, 32, 64};
	static const uint32_t sizes[] = {64, 512, 1518};
	printf("%5s %6s %8s %8s %9s %8s %10s %10s %6s %9s %6s %9s\n", "bytes",
	       "Q", "util", "M-B", "frames/s", "coll/fr", "delay_us", "p99_us",
	       "jain", "ev/frame", "drops", "ns/event");
	for (size_t z = 0; z < G_N_ELEMENTS(sizes); z++) {
		for (size_t i = 0; i < G_N_ELEMENTS(qs); i++) {
			lan_opts o = lan_opts_default();
			o.stations = qs[i];
			o.frame_bytes = sizes[z];
			o.seed = 1;
			lan *l = lan_new(&o);
			l->sim->measure_from = 100 * SIM_MS;
			sim_time_t end = (sim_time_t)(secs * SIM_S);
			gint64 t0 = g_get_monotonic_time();
			sim_run_until(l->sim, end);
			double wall = (g_get_monotonic_time() - t0) / 1e6;
			eth_hist *h = g_new0(eth_hist, 1);
			double drops = 0;
			for (int k = 0; k < l->n; k++)
				drops += (double)eth_nic_get_stats(l->nic[k])
					     ->excessive_collisions;
			for (int k = 0; k < l->n; k++)
				eth_hist_merge(h, l->nic[k]->delay);
			const eth_hub_stats *hs = eth_hub_get_stats(l->hub);
			double el = sim_time_to_s(eth_window_elapsed(l->sim));
			printf("%5u %6d %8.4f %8.4f %9.1f %8.3f %10.1f %10.1f "
			       "%6.3f %9.2f %6.0f %9.1f\n",
			       sizes[z], qs[i], eth_hub_utilization(l->hub),
			       metcalfe_boggs(qs[i], sizes[z], 10 * SIM_MBPS),
			       l->hub->win_frames / el,
			       (double)l->hub->win_collisions /
				   (double)l->hub->win_frames,
			       eth_hist_mean(h) / 1e3,
			       eth_hist_quantile(h, 0.99) / 1e3,
			       eth_hub_jain_fairness(l->hub),
			       (double)l->sim->events / (double)hs->frames,
			       drops, wall * 1e9 / (double)l->sim->events);
			g_free(h);
			lan_free(l);
		}
	}
	return 0;
}
