/*
 * rng.c - deriving independent streams from (seed, component name).
 *
 * The name is hashed with 64-bit FNV-1a, combined with the seed and mixed
 * with SplitMix64's finaliser (Steele, Lea & Flood, OOPSLA 2014), whose
 * avalanche makes neighbouring seeds and similar names give unrelated
 * streams.  GSL's mt19937 takes the low 32 bits of its seed, so we fold
 * the high half in.
 */
#include "rng.h"

#include <math.h>

static uint64_t
splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t
sim_rng_derive_seed(uint64_t seed, const char *component)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a offset basis */
	for (const unsigned char *p = (const unsigned char *)component; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL; /* FNV-1a prime */
	}
	return splitmix64_mix(splitmix64_mix(seed + 0x9e3779b97f4a7c15ULL) ^ h);
}

gsl_rng *
sim_rng_stream_new(uint64_t seed, const char *component)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	uint64_t s = sim_rng_derive_seed(seed, component);
	unsigned long s32 = (unsigned long)((s ^ (s >> 32)) & 0xffffffffu);
	/* mt19937 treats seed 0 as its default seed 4357; avoid the alias. */
	gsl_rng_set(r, s32 ? s32 : 1);
	return r;
}

double
sim_rng_exponential(gsl_rng *r, double mean)
{
	/* gsl_rng_uniform_pos is in (0,1), so the log is finite. */
	return -mean * log(gsl_rng_uniform_pos(r));
}
