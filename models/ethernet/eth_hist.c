/*
 * eth_hist.c - the fixed-size log-linear histogram behind the access-delay
 * mean and percentiles.  Values below 2 * ETH_HIST_SUB are exact; above,
 * each power of two is split into ETH_HIST_SUB equal buckets and a
 * quantile is reported at its bucket's midpoint.
 */
#include "eth_var.h"

static int
hist_index(uint64_t v)
{
	if (v < 2 * ETH_HIST_SUB)
		return (int)v;
	int msb = 63 - __builtin_clzll(v);
	int shift = msb - 5; /* keep the top 6 bits: 32..63 */
	return 2 * ETH_HIST_SUB + (shift - 1) * ETH_HIST_SUB +
	       (int)((v >> shift) - ETH_HIST_SUB);
}

static double
hist_mid(int i)
{
	if (i < 2 * ETH_HIST_SUB)
		return i;
	int shift = (i - 2 * ETH_HIST_SUB) / ETH_HIST_SUB + 1;
	uint64_t top =
	    (uint64_t)((i - 2 * ETH_HIST_SUB) % ETH_HIST_SUB) + ETH_HIST_SUB;
	double lo = (double)(top << shift);
	return lo + (double)(1ull << shift) / 2.0;
}

void
eth_hist_add(eth_hist *h, int64_t v)
{
	g_assert(v >= 0);
	h->n++;
	h->sum += (double)v;
	h->b[hist_index((uint64_t)v)]++;
}

void
eth_hist_merge(eth_hist *into, const eth_hist *from)
{
	into->n += from->n;
	into->sum += from->sum;
	for (int i = 0; i < ETH_HIST_BUCKETS; i++)
		into->b[i] += from->b[i];
}

double
eth_hist_mean(const eth_hist *h)
{
	return h->n ? h->sum / (double)h->n : 0.0;
}

/* The smallest bucket value with at least q * n samples at or below it. */
double
eth_hist_quantile(const eth_hist *h, double q)
{
	if (h->n == 0)
		return 0.0;
	uint64_t need = (uint64_t)(q * (double)h->n);
	if ((double)need < q * (double)h->n)
		need++;
	if (need < 1)
		need = 1;
	uint64_t acc = 0;
	for (int i = 0; i < ETH_HIST_BUCKETS; i++) {
		acc += h->b[i];
		if (acc >= need)
			return hist_mid(i);
	}
	return hist_mid(ETH_HIST_BUCKETS - 1);
}
