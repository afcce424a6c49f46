/* Skew metrics, latency histogram and replication statistics against values
 * computed by hand (shown in the comments). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "lbsim/histogram.h"
#include "lbsim/metrics.h"
#include "lbsim/stats.h"

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* x = 1 2 3 4: mean 2.5, max 4, population sd sqrt(1.25);
 * jain = 10^2 / (4 * 30); gini = 2*30/(4*10) - 5/4 = 0.25 (= mean absolute
 * difference 20/16 over twice the mean); chi2 = 5 / 2.5 = 2 on 3 degrees of
 * freedom, p = 0.5724067 (chi-squared table). */
static void test_skew_small_vector(void **state)
{
	(void)state;
	const double x[] = {1, 2, 3, 4};
	struct skew s;
	assert_int_equal(skew_compute(x, NULL, 4, &s), 0);
	assert_close(s.peak_to_mean, 1.6, 1e-12);
	assert_close(s.cov, sqrt(1.25) / 2.5, 1e-12);
	assert_close(s.jain, 100.0 / 120.0, 1e-12);
	assert_close(s.gini, 0.25, 1e-12);
	assert_close(s.chi2, 2.0, 1e-12);
	assert_close(s.chi2_p, 0.5724067, 1e-6);
}

/* Everything on one of n servers: jain = 1/n, gini = (n-1)/n,
 * peak_to_mean = n. */
static void test_skew_all_on_one(void **state)
{
	(void)state;
	const double x[] = {10, 0, 0, 0};
	struct skew s;
	assert_int_equal(skew_compute(x, NULL, 4, &s), 0);
	assert_close(s.jain, 0.25, 1e-12);
	assert_close(s.gini, 0.75, 1e-12);
	assert_close(s.peak_to_mean, 4.0, 1e-12);
	assert_true(s.chi2_p < 1e-5); /* chi2 = 30 on 3 df */
}

/* A weight-proportional split is perfectly fair. */
static void test_skew_weighted(void **state)
{
	(void)state;
	const double x[] = {2, 4, 6};
	const double w[] = {1, 2, 3};
	struct skew s;
	assert_int_equal(skew_compute(x, w, 3, &s), 0);
	assert_close(s.jain, 1.0, 1e-12);
	assert_close(s.cov, 0.0, 1e-12);
	assert_close(s.gini, 0.0, 1e-12);
	assert_close(s.chi2_p, 1.0, 1e-12);
	const double bad[] = {1, 0, 1};
	assert_int_equal(skew_compute(x, bad, 3, &s), -1);
}

static void test_skew_no_load(void **state)
{
	(void)state;
	const double x[] = {0, 0};
	struct skew s;
	assert_int_equal(skew_compute(x, NULL, 2, &s), 0);
	assert_true(isnan(s.jain));
	assert_int_equal(skew_compute(x, NULL, 0, &s), -1);
}

/* Values 1..100000: the exact q-quantile is ceil(q n); the histogram
 * interpolates within a bucket 1/128 wide, so it is within 1/128 of that.
 * Small values are exact. */
static void test_histogram_quantiles(void **state)
{
	(void)state;
	static struct histogram h;
	hist_init(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		hist_record(&h, v);
	assert_int_equal(h.count, 100000);
	assert_close(hist_mean(&h), 50000.5, 1e-9);
	const double qs[] = {0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		double exact = ceil(qs[i] * 100000);
		double got = (double)hist_quantile(&h, qs[i]);
		assert_true(fabs(got - exact) <= exact / 128);
	}
	assert_int_equal(hist_quantile(&h, 1.0), 100000);
	struct histogram small;
	hist_init(&small);
	for (uint64_t v = 0; v < 100; v++)
		hist_record(&small, v);
	assert_int_equal(hist_quantile(&small, 0.5), 49);
	assert_int_equal(hist_quantile(&small, 0.0), 0);
	struct histogram empty;
	hist_init(&empty);
	assert_int_equal(hist_quantile(&empty, 0.5), 0);
	hist_merge(&empty, &small);
	assert_int_equal(empty.count, 100);
	assert_int_equal(hist_quantile(&empty, 0.5), 49);
	/* The largest values do not overflow a bucket index. */
	hist_record(&empty, UINT64_MAX);
	assert_int_equal(hist_quantile(&empty, 1.0), UINT64_MAX);
}

/* A bucket counts past 2^16: its low word wraps and carries into the high
 * one. Value 7 (an exact bucket) recorded 2^16 + 1 times, then 3 samples
 * of 1000: the median is still 7, the top 3 samples are 1000, and a merge
 * of two such histograms doubles the counts across the carry. Then a
 * bucket past 2^32 (set as if 2^32 - 2 samples had been recorded: that
 * many records would take a minute) carries on into the high word's
 * upper half. */
static void test_histogram_bucket_carry(void **state)
{
	(void)state;
	static struct histogram h, twice;
	hist_init(&h);
	for (uint32_t i = 0; i < (1u << 16) + 1; i++)
		hist_record(&h, 7);
	assert_int_equal(h.bins[7], 1);
	assert_int_equal(h.bins_high[7], 1); /* 2^16 + 1 */
	assert_int_equal(hist_bucket_count(&h, 7), (1u << 16) + 1);
	for (int i = 0; i < 3; i++)
		hist_record(&h, 1000);
	const uint64_t n = (1ULL << 16) + 4;
	assert_int_equal(h.count, n);
	assert_int_equal(hist_quantile(&h, 0.5), 7);
	assert_int_equal(hist_quantile(&h, (double)(n - 3) / (double)n), 7);
	assert_true(hist_quantile(&h, 1.0) == 1000);
	hist_init(&twice);
	hist_merge(&twice, &h);
	hist_merge(&twice, &h);
	assert_int_equal(twice.bins_high[7], 2);
	assert_int_equal(twice.bins[7], 2); /* 2 (2^16 + 1) */
	assert_int_equal(hist_quantile(&twice, 0.5), 7);

	hist_init(&h);
	h.bins[7] = UINT16_MAX - 1;
	h.bins_high[7] = UINT16_MAX; /* 2^32 - 2 samples */
	h.count = UINT32_MAX - 1;
	h.min = h.max = 7;
	h.sum = 7.0 * (UINT32_MAX - 1);
	for (int i = 0; i < 3; i++)
		hist_record(&h, 7);
	assert_true(hist_bucket_count(&h, 7) == (1ULL << 32) + 1);
	for (int i = 0; i < 3; i++)
		hist_record(&h, 1000);
	const uint64_t big = (1ULL << 32) + 4;
	assert_true(h.count == big);
	assert_int_equal(hist_quantile(&h, 0.5), 7);
	assert_int_equal(hist_quantile(&h, (double)(big - 3) / (double)big), 7);
	assert_true(hist_quantile(&h, 1.0) == 1000);
}

/* An independent reference for the histogram's split counters: a plain
 * array of 64-bit counts per log-linear bucket, its index found by
 * shifting (not by the count of leading zeros), and the quantile taken
 * by the same definition (rank ceil(q n), interpolated within its
 * bucket, clamped to min and max) over that array. */
struct plain_hist {
	uint64_t bins[HIST_BUCKETS];
	uint64_t count, min, max;
	double sum;
};

static unsigned plain_bucket(uint64_t v, uint64_t *lower, uint64_t *upper)
{
	if (v < HIST_SUB) {
		*lower = *upper = v;
		return (unsigned)v;
	}
	unsigned shift = 0; /* v >> shift in [SUB, 2 SUB) */
	while ((v >> shift) >= 2 * (uint64_t)HIST_SUB)
		shift++;
	uint64_t top = v >> shift;
	*lower = top << shift;
	*upper = *lower + ((1ULL << shift) - 1);
	return (shift + 1) * HIST_SUB + (unsigned)(top - HIST_SUB);
}

static void plain_record(struct plain_hist *p, uint64_t v)
{
	uint64_t lo, up;
	p->bins[plain_bucket(v, &lo, &up)]++;
	if (p->count == 0 || v < p->min)
		p->min = v;
	if (p->count == 0 || v > p->max)
		p->max = v;
	p->count++;
	p->sum += (double)v;
}

static uint64_t plain_quantile(const struct plain_hist *p, double q, const uint64_t *lower,
			       const uint64_t *upper)
{
	if (p->count == 0)
		return 0;
	if (q <= 0)
		return p->min;
	double want = q * (double)p->count;
	uint64_t rank = (uint64_t)ceil(want);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		if (seen + p->bins[b] >= rank) {
			double v = (double)lower[b] + ((double)upper[b] - (double)lower[b]) *
							  ((double)(rank - seen) / (double)p->bins[b]);
			if (v >= (double)p->max)
				return p->max;
			if (v < (double)p->min)
				return p->min;
			return (uint64_t)v;
		}
		seen += p->bins[b];
	}
	return p->max;
}

/* Marsaglia's xorshift64 (13, 7, 17): fixed-seed draws for the
 * histogram tests. */
static uint64_t xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* Values of a latency's shape (a millisecond or so, spread over octaves
 * by a random shift) and a heap of equal ones in a few buckets, so that
 * buckets carry many times: the histogram and the reference agree on
 * every bucket's count, the count, the mean and every quantile, bit for
 * bit, also after a merge. Fixed-seed xorshift draws. */
static void test_histogram_matches_plain_array(void **state)
{
	(void)state;
	static struct histogram h, merged;
	static struct plain_hist p;
	static uint64_t lower[HIST_BUCKETS], upper[HIST_BUCKETS];
	hist_init(&h);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	for (uint32_t i = 0; i < 600000; i++) {
		x = xorshift64(x);
		uint64_t v;
		if (i % 3 == 0)
			v = 2000000 + (x >> 60); /* 16 values in one bucket: carries */
		else if (i % 1000 == 1)
			v = x; /* anywhere in 64 bits */
		else
			v = (x & 0xfffff) << (x >> 61); /* up to ~0.1 s */
		hist_record(&h, v);
		plain_record(&p, v);
	}
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		uint64_t lo, up;
		uint64_t v = b < HIST_SUB ? b : (uint64_t)(HIST_SUB + b % HIST_SUB) << (b / HIST_SUB - 1);
		assert_int_equal(plain_bucket(v, &lo, &up), b);
		lower[b] = lo;
		upper[b] = up;
		assert_true(hist_bucket_count(&h, b) == p.bins[b]);
	}
	assert_true(p.bins[plain_bucket(2000000, &(uint64_t){0}, &(uint64_t){0})] > 3 * 65536);
	assert_true(h.count == p.count && h.min == p.min && h.max == p.max);
	assert_true(hist_mean(&h) == p.sum / (double)p.count);
	for (int k = 0; k <= 1000; k++) {
		double q = k / 1000.0;
		assert_true(hist_quantile(&h, q) == plain_quantile(&p, q, lower, upper));
	}
	hist_init(&merged);
	hist_merge(&merged, &h);
	hist_merge(&merged, &h);
	for (unsigned b = 0; b < HIST_BUCKETS; b++)
		p.bins[b] *= 2;
	p.count *= 2;
	for (unsigned b = 0; b < HIST_BUCKETS; b++)
		assert_true(hist_bucket_count(&merged, b) == p.bins[b]);
	for (int k = 0; k <= 1000; k++) {
		double q = k / 1000.0;
		assert_true(hist_quantile(&merged, q) == plain_quantile(&p, q, lower, upper));
	}
}

/* A subset's histogram noted (hist_note) and its buckets taken as the
 * whole's less the rest's (hist_buckets_less) is the histogram the
 * subset records, to the bit: every bucket, count, sum (the same adds
 * in the same order), min, max and quantile. The rest holds more of a
 * shared bucket than the whole's low 16-bit word, so the difference
 * borrows from the carries; the subset's own extremes differ from the
 * whole's. Fixed-seed xorshift draws. */
static void test_histogram_noted_subset(void **state)
{
	(void)state;
	static struct histogram all, rest, noted, recorded;
	hist_init(&all);
	hist_init(&rest);
	hist_init(&noted);
	hist_init(&recorded);
	uint64_t x = 0x2545f4914f6cdd1dULL;
	for (uint32_t i = 0; i < 300000; i++) {
		x = xorshift64(x);
		uint64_t v = i % 4 == 0 ? 3000000 + (x >> 62) : 2 + ((x & 0xfffff) << (x >> 61));
		if (i == 7)
			v = 1; /* the whole's min, in the rest */
		if (i == 11)
			v = UINT64_MAX; /* the whole's max, in the rest */
		int in_rest = i % 4 == 0 ? i % 8 == 0 : (x >> 20 & 7) == 0;
		in_rest |= i == 7 || i == 11;
		hist_record(&all, v);
		if (in_rest) {
			hist_record(&rest, v);
		} else {
			hist_note(&noted, v);
			hist_record(&recorded, v);
		}
	}
	unsigned shared = 0;
	while (hist_bucket_count(&all, shared) < 65536)
		shared++; /* the bucket of 3,000,000: 75,000, half of them in the rest */
	assert_true((hist_bucket_count(&all, shared) & 0xffff) < hist_bucket_count(&rest, shared));
	assert_int_equal(hist_buckets_less(&noted, &all, &rest), 0);
	for (unsigned b = 0; b < HIST_BUCKETS; b++)
		assert_true(hist_bucket_count(&noted, b) == hist_bucket_count(&recorded, b));
	assert_true(noted.count == recorded.count && noted.min == recorded.min &&
		    noted.max == recorded.max);
	assert_true(memcmp(&noted.sum, &recorded.sum, sizeof noted.sum) == 0);
	assert_true(all.min == 1 && all.max == UINT64_MAX);
	assert_true(noted.min > 1 && noted.max < UINT64_MAX);
	for (int k = 0; k <= 1000; k++)
		assert_true(hist_quantile(&noted, k / 1000.0) == hist_quantile(&recorded, k / 1000.0));
	/* Buckets that cannot be the noted samples' are refused: the rest
	 * holding a sample the whole does not, or a noted count the
	 * difference does not add up to. */
	hist_record(&rest, 5);
	assert_int_equal(hist_buckets_less(&noted, &all, &rest), -1);
	hist_record(&all, 5);
	assert_int_equal(hist_buckets_less(&noted, &all, &rest), 0);
	hist_note(&noted, 7);
	assert_int_equal(hist_buckets_less(&noted, &all, &rest), -1);
}

/* 1 2 3 4 5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445 (t table):
 * half-width 2.776445 * sqrt(2.5) / sqrt(5) = 1.963243. */
static void test_estimate_interval(void **state)
{
	(void)state;
	const double x[] = {1, 2, 3, 4, 5};
	struct estimate e = estimate_mean(x, 5);
	assert_int_equal(e.n, 5);
	assert_close(e.mean, 3.0, 1e-12);
	assert_close(e.ci_low, 3.0 - 1.963243, 1e-6);
	assert_close(e.ci_high, 3.0 + 1.963243, 1e-6);
	struct estimate one = estimate_mean(x, 1);
	assert_close(one.mean, 1.0, 0);
	assert_true(isnan(one.ci_low));
	const double with_nan[] = {1, NAN, 3};
	struct estimate two = estimate_mean(with_nan, 3);
	assert_int_equal(two.n, 2);
	assert_close(two.mean, 2.0, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skew_small_vector),
		cmocka_unit_test(test_skew_all_on_one),
		cmocka_unit_test(test_skew_weighted),
		cmocka_unit_test(test_skew_no_load),
		cmocka_unit_test(test_histogram_quantiles),
		cmocka_unit_test(test_histogram_bucket_carry),
		cmocka_unit_test(test_histogram_matches_plain_array),
		cmocka_unit_test(test_histogram_noted_subset),
		cmocka_unit_test(test_estimate_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
