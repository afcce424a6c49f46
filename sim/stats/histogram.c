/* See include/lbsim/histogram.h for the layout. Bucket index of v >= SUB:
 * with e = index of v's highest set bit, the sub-bucket is the SUB_BITS bits
 * below it; bucket = (e - SUB_BITS + 1) * SUB + sub. Quantiles interpolate
 * linearly inside their bucket. */
#include "lbsim/histogram.h"

#include <assert.h>
#include <string.h>

static unsigned bucket_of(uint64_t v)
{
	if (v < HIST_SUB)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = e - HIST_SUB_BITS;
	unsigned sub = (unsigned)((v >> shift) & (HIST_SUB - 1));
	return (shift + 1) * HIST_SUB + sub;
}

/* The smallest value that falls in bucket b. */
static uint64_t bucket_lower(unsigned b)
{
	if (b < HIST_SUB)
		return b;
	unsigned shift = b / HIST_SUB - 1;
	return (uint64_t)(HIST_SUB + b % HIST_SUB) << shift;
}

/* The largest value that falls in bucket b. */
static uint64_t bucket_upper(unsigned b)
{
	if (b < HIST_SUB)
		return b;
	unsigned shift = b / HIST_SUB - 1;
	uint64_t sub = b % HIST_SUB;
	uint64_t low = (HIST_SUB + sub) << shift;
	return low + ((1ull << shift) - 1);
}

void hist_init(struct histogram *h)
{
	memset(h, 0, sizeof *h);
	h->min = UINT64_MAX;
}

/* Bucket b's count: its low word, and the carries of the low word into
 * the cold high word (see histogram.h). */
uint64_t hist_bucket_count(const struct histogram *h, unsigned b)
{
	return (uint64_t)h->bins_high[b] << HIST_LOW_BITS | h->bins[b];
}

static void bin_add(struct histogram *h, unsigned b, uint64_t n)
{
	uint64_t v = hist_bucket_count(h, b) + n;
	h->bins[b] = (uint16_t)v;
	h->bins_high[b] = (uint32_t)(v >> HIST_LOW_BITS);
}

void hist_note(struct histogram *h, uint64_t value)
{
	h->count++;
	h->sum += (double)value;
	if (value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
}

void hist_record(struct histogram *h, uint64_t value)
{
	unsigned b = bucket_of(value);
	if (++h->bins[b] == 0)
		h->bins_high[b]++; /* the 2^16th sample of the bucket: carry */
	hist_note(h, value);
}

void hist_buckets_less(struct histogram *h, const struct histogram *all,
		       const struct histogram *part)
{
	uint64_t total = 0;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		uint64_t n = hist_bucket_count(all, b) - hist_bucket_count(part, b);
		h->bins[b] = (uint16_t)n;
		h->bins_high[b] = (uint32_t)(n >> HIST_LOW_BITS);
		total += n;
	}
	assert(total == h->count); /* h noted exactly all's samples but part's */
	(void)total;
}

void hist_prefetch(const struct histogram *h, uint64_t value)
{
#if defined(__GNUC__) || defined(__clang__)
	__builtin_prefetch(h, 1);
	__builtin_prefetch(&h->bins[bucket_of(value)], 1);
#else
	(void)h;
	(void)value;
#endif
}

void hist_merge(struct histogram *dst, const struct histogram *src)
{
	for (unsigned b = 0; b < HIST_BUCKETS; b++)
		bin_add(dst, b, hist_bucket_count(src, b));
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

double hist_mean(const struct histogram *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}

uint64_t hist_quantile(const struct histogram *h, double q)
{
	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	/* rank of the quantile sample, 1-based: ceil(q * count) */
	double want = q * (double)h->count;
	uint64_t rank = (uint64_t)want;
	if ((double)rank < want)
		rank++;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		uint64_t n = hist_bucket_count(h, b);
		if (seen + n >= rank) {
			/* Interpolate within the bucket, as if its samples were
			 * spread evenly over it: without this every quantile of a
			 * run would sit on a bucket edge, and replications would
			 * agree to the bit on a figure they only know to 0.8 %. */
			double lo = (double)bucket_lower(b), up = (double)bucket_upper(b);
			double frac = (double)(rank - seen) / (double)n;
			double v = lo + (up - lo) * frac;
			if (v >= (double)h->max)
				return h->max;
			if (v < (double)h->min)
				return h->min;
			return (uint64_t)v;
		}
		seen += n;
	}
	return h->max;
}
