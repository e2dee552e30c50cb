/*
 * test_eth_loss.c - the Ethernet loss model (eth_nic_params.rx_loss).
 *
 * One station saturates a 10 Mb/s hub with frames to a sink NIC; the
 * sink loses a fraction of what it accepts.  Every frame sent is either
 * received or counted lost; the fraction lost is near the probability;
 * the sender cannot tell (loss is at the receiver, after the wire); and
 * loss 0 is the run without a loss model.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "eth.h"

struct run {
	eth_nic_stats tx, rx;
};

static struct run
run_lan(double loss, uint64_t seed)
{
	sim_t *sim = sim_new(seed);
	eth_hub_params hp = eth_hub_params_default(10 * SIM_MBPS);
	eth_hub *hub = eth_hub_new(sim, "lan", &hp);
	eth_nic_params np = eth_nic_params_default(10 * SIM_MBPS);
	eth_mac_from_index(np.mac, 1);
	eth_nic *a = eth_nic_new(sim, "a", &np);
	eth_mac_from_index(np.mac, 2);
	np.rx_loss = loss;
	eth_nic *b = eth_nic_new(sim, "b", &np);
	eth_port_params pp = eth_port_params_default();
	eth_hub_attach(hub, a, &pp);
	eth_hub_attach(hub, b, &pp);
	eth_source_params sp = eth_source_params_default();
	eth_mac_from_index(sp.dst, 2);
	eth_source_new(sim, "s", a, &sp);
	sim_run_until(sim, 2 * SIM_S);
	struct run r = { *eth_nic_get_stats(a), *eth_nic_get_stats(b) };
	sim_free(sim);
	return r;
}

START_TEST(test_every_frame_is_received_or_lost)
{
	struct run r = run_lan(0.1, 1);
	ck_assert_uint_gt(r.tx.frames_sent, 1000);
	/* At most one frame still on its way at the end. */
	uint64_t seen = r.rx.frames_received + r.rx.rx_lost;
	ck_assert_uint_le(seen, r.tx.frames_sent);
	ck_assert_uint_ge(seen + 1, r.tx.frames_sent);
}
END_TEST

START_TEST(test_lost_fraction_is_near_the_probability)
{
	struct run r = run_lan(0.1, 2);
	double n = (double)(r.rx.frames_received + r.rx.rx_lost);
	double f = r.rx.rx_lost / n;
	double sd = sqrt(0.1 * 0.9 / n);
	ck_assert_double_le(fabs(f - 0.1), 4 * sd);
}
END_TEST

START_TEST(test_loss_zero_is_no_loss_model)
{
	struct run a = run_lan(0, 3), b = run_lan(0.5, 3);
	ck_assert_uint_eq(a.rx.rx_lost, 0);
	/* The sender's MAC draws from its own stream, which the receiver's
	 * loss stream does not touch: it sends exactly the same frames. */
	ck_assert_int_eq(memcmp(&a.tx, &b.tx, sizeof a.tx), 0);
	ck_assert_uint_gt(b.rx.rx_lost, 0);
}
END_TEST

START_TEST(test_loss_is_reproducible)
{
	struct run a = run_lan(0.3, 4), b = run_lan(0.3, 4);
	ck_assert_int_eq(memcmp(&a.rx, &b.rx, sizeof a.rx), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("eth_loss");
	TCase *tc = tcase_create("loss");
	tcase_add_test(tc, test_every_frame_is_received_or_lost);
	tcase_add_test(tc, test_lost_fraction_is_near_the_probability);
	tcase_add_test(tc, test_loss_zero_is_no_loss_model);
	tcase_add_test(tc, test_loss_is_reproducible);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
