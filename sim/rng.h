/*
 * rng.h - random streams.  The only source of randomness in nemsim.
 *
 * Each component (a NIC's backoff, a loss model, a traffic source) draws
 * from its own GSL stream whose seed is a hash of (scenario seed,
 * component name).  Adding a component therefore never perturbs another
 * component's stream, and a run is a pure function of the scenario seed.
 */
#pragma once

#include <glib.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>

/* The 64-bit seed of the stream for `component` under `seed`. */
uint64_t sim_rng_derive_seed(uint64_t seed, const char *component);

/* A new mt19937 stream for `component`; free with gsl_rng_free. */
gsl_rng *sim_rng_stream_new(uint64_t seed, const char *component);

/* Exponential variate with the given mean (in any unit). */
double sim_rng_exponential(gsl_rng *r, double mean);
