/* Skew metrics, latency histogram and replication statistics against values
 * computed by hand (shown in the comments). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

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

/* A bucket counts past 2^32: its low word wraps and carries into the high
 * one. Recording 4 billion samples would take a minute, so the test starts
 * a bucket (value 7, exact) just below the wrap as if 2^32 - 2 samples of
 * 7 had been recorded, then records 3 more and 3 samples of 1000: the
 * median is still 7, the top 3 samples of 2^32 + 4 are 1000, and a merge
 * of two such histograms doubles the counts across the carry. */
static void test_histogram_bucket_carry(void **state)
{
	(void)state;
	static struct histogram h, twice;
	hist_init(&h);
	h.bins[7] = UINT32_MAX - 1;
	h.count = UINT32_MAX - 1;
	h.min = h.max = 7;
	h.sum = 7.0 * (UINT32_MAX - 1);
	for (int i = 0; i < 3; i++)
		hist_record(&h, 7);
	assert_int_equal(h.bins[7], 1);
	assert_int_equal(h.bins_high[7], 1); /* 2^32 + 1 */
	for (int i = 0; i < 3; i++)
		hist_record(&h, 1000);
	const uint64_t n = (1ULL << 32) + 4;
	assert_int_equal(h.count, n);
	assert_int_equal(hist_quantile(&h, 0.5), 7);
	assert_int_equal(hist_quantile(&h, (double)(n - 3) / (double)n), 7);
	assert_true(hist_quantile(&h, 1.0) == 1000);
	hist_init(&twice);
	hist_merge(&twice, &h);
	hist_merge(&twice, &h);
	assert_int_equal(twice.bins_high[7], 2);
	assert_int_equal(twice.bins[7], 2); /* 2 (2^32 + 1) */
	assert_int_equal(hist_quantile(&twice, 0.5), 7);
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
		cmocka_unit_test(test_estimate_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
