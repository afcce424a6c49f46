/* Random streams: reproducible, separated by (seed, replication, name), and
 * statistically usable.
 *
 * The structural properties (same inputs, same numbers; another input,
 * other numbers; a stream's numbers do not depend on which other streams
 * exist) are exact. The statistical ones are crude screens, not a test
 * suite for MT19937: they catch a seeding mistake such as two streams
 * sharing a seed or a shifted copy, which would give correlation near 1.
 * Tolerances are in standard errors of the statistic, stated at each check;
 * with fixed seeds the outcome is the same on every run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "lbsim/rng.h"

enum { SEQ = 1000 };

static void draw(gsl_rng *r, unsigned long *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = gsl_rng_get(r);
}

/* The first SEQ raw outputs of stream (seed, rep, name). */
static void stream_seq(uint64_t seed, uint32_t rep, const char *name, unsigned long *out)
{
	gsl_rng *r = rng_stream(seed, rep, name);
	assert_non_null(r);
	draw(r, out, SEQ);
	gsl_rng_free(r);
}

/* How many of the SEQ positions agree: two unrelated 32-bit sequences agree
 * at a position with probability 2^-32, so more than 1 is a seeding bug. */
static size_t agreements(const unsigned long *a, const unsigned long *b)
{
	size_t k = 0;
	for (size_t i = 0; i < SEQ; i++)
		k += a[i] == b[i];
	return k;
}

static void test_same_inputs_same_sequence(void **state)
{
	(void)state;
	unsigned long a[SEQ], b[SEQ];
	stream_seq(7, 3, "arrivals/lan", a);
	stream_seq(7, 3, "arrivals/lan", b);
	assert_memory_equal(a, b, sizeof a);
}

static void test_other_inputs_other_sequence(void **state)
{
	(void)state;
	unsigned long base[SEQ], other[SEQ];
	stream_seq(7, 3, "arrivals/lan", base);
	stream_seq(7, 3, "arrivals/wan", other); /* name */
	assert_true(agreements(base, other) <= 1);
	stream_seq(7, 3, "arrivals/la", other); /* prefix of the name */
	assert_true(agreements(base, other) <= 1);
	stream_seq(7, 4, "arrivals/lan", other); /* next replication */
	assert_true(agreements(base, other) <= 1);
	stream_seq(7, 2, "arrivals/lan", other); /* previous replication */
	assert_true(agreements(base, other) <= 1);
	stream_seq(8, 3, "arrivals/lan", other); /* seed */
	assert_true(agreements(base, other) <= 1);
	/* Swapping seed and replication must not alias either. */
	stream_seq(3, 7, "arrivals/lan", other);
	assert_true(agreements(base, other) <= 1);
}

/* Creating and using other streams before and between the draws of a stream
 * does not move its numbers: streams share no state and no counter. */
static void test_extra_streams_do_not_shift(void **state)
{
	(void)state;
	unsigned long alone[SEQ], crowded[SEQ];
	stream_seq(11, 0, "demand/server-3", alone);

	gsl_rng *before[5];
	char name[32];
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "extra/%d", i);
		before[i] = rng_stream(11, 0, name);
		assert_non_null(before[i]);
	}
	gsl_rng *r = rng_stream(11, 0, "demand/server-3");
	gsl_rng *after = rng_stream(11, 0, "demand/server-4");
	assert_non_null(r);
	assert_non_null(after);
	for (size_t i = 0; i < SEQ; i++) {
		for (int k = 0; k < 5; k++)
			(void)gsl_rng_get(before[k]);
		crowded[i] = gsl_rng_get(r);
		(void)gsl_rng_get(after);
	}
	assert_memory_equal(alone, crowded, sizeof alone);
	for (int i = 0; i < 5; i++)
		gsl_rng_free(before[i]);
	gsl_rng_free(r);
	gsl_rng_free(after);
}

/* rng_stream_seed is a pure function of the name's characters (not of where
 * the string lives) and of seed and rep. */
static void test_seed_is_pure(void **state)
{
	(void)state;
	char copy[] = "service/web-1";
	uint64_t s1 = rng_stream_seed(99, 5, "service/web-1");
	uint64_t s2 = rng_stream_seed(99, 5, "service/web-1");
	uint64_t s3 = rng_stream_seed(99, 5, copy);
	assert_int_equal(s1, s2);
	assert_int_equal(s1, s3);
	assert_int_not_equal(s1, rng_stream_seed(99, 6, copy));
	assert_int_not_equal(s1, rng_stream_seed(100, 5, copy));
	copy[0] = 'S';
	assert_int_not_equal(s1, rng_stream_seed(99, 5, copy));
	/* The empty name is a name like any other. */
	assert_int_equal(rng_stream_seed(1, 0, ""), rng_stream_seed(1, 0, ""));
	assert_int_not_equal(rng_stream_seed(1, 0, ""), rng_stream_seed(1, 0, "a"));
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

/* The 64-bit stream seeds of 10,000 similar names in 8 replications and 2
 * scenario seeds are all distinct. For a good 64-bit hash the chance of any
 * collision among these 160,000 is about 160000^2 / 2^65 < 1e-9, so a
 * duplicate means the mixing is broken (e.g. rep and name cancelling). */
static void test_seeds_distinct(void **state)
{
	(void)state;
	enum { NAMES = 10000, REPS = 8, SEEDS = 2, N = NAMES * REPS * SEEDS };
	uint64_t *s = malloc(N * sizeof *s);
	assert_non_null(s);
	size_t k = 0;
	char name[32];
	for (int seed = 0; seed < SEEDS; seed++)
		for (uint32_t rep = 0; rep < REPS; rep++)
			for (int i = 0; i < NAMES; i++) {
				snprintf(name, sizeof name, "server/%d", i);
				s[k++] = rng_stream_seed((uint64_t)seed, rep, name);
			}
	qsort(s, N, sizeof *s, cmp_u64);
	for (size_t i = 1; i < N; i++)
		assert_int_not_equal(s[i], s[i - 1]);
	free(s);
}

/* Running sums for the sample correlation of pairs (x, y). */
struct corr {
	double n, sx, sy, sxx, syy, sxy;
};

static void corr_add(struct corr *c, double x, double y)
{
	c->n += 1;
	c->sx += x;
	c->sy += y;
	c->sxx += x * x;
	c->syy += y * y;
	c->sxy += x * y;
}

static double corr_value(const struct corr *c)
{
	double mx = c->sx / c->n, my = c->sy / c->n;
	double cov = c->sxy / c->n - mx * my;
	return cov / sqrt((c->sxx / c->n - mx * mx) * (c->syy / c->n - my * my));
}

/* Sample correlation of n pairs (x_i from a, y_i from b) of U(0,1). */
static double correlation(gsl_rng *a, gsl_rng *b, size_t n)
{
	struct corr c = {0};
	for (size_t i = 0; i < n; i++) {
		double x = gsl_rng_uniform(a);
		corr_add(&c, x, gsl_rng_uniform(b));
	}
	return corr_value(&c);
}

/* For independent streams the sample correlation of n pairs is about
 * N(0, 1/n); we allow 4 standard errors, 4/sqrt(n) = 0.0126 for n = 10^5
 * (a false alarm has probability 6e-5, and the seeds are fixed anyway).
 * Checked for two names, two replications and two scenario seeds. */
static void test_streams_uncorrelated(void **state)
{
	(void)state;
	enum { N = 100000 };
	const double tol = 4 / sqrt((double)N);
	static const struct {
		uint64_t seed_a, seed_b;
		uint32_t rep_a, rep_b;
		const char *name_a, *name_b;
	} pairs[] = {
		{1, 1, 0, 0, "a", "b"},
		{1, 1, 0, 1, "a", "a"},
		{1, 2, 0, 0, "a", "a"},
	};
	for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
		gsl_rng *a = rng_stream(pairs[p].seed_a, pairs[p].rep_a, pairs[p].name_a);
		gsl_rng *b = rng_stream(pairs[p].seed_b, pairs[p].rep_b, pairs[p].name_b);
		assert_non_null(a);
		assert_non_null(b);
		double rho = correlation(a, b, N);
		print_message("corr(%s/%u/%llu, %s/%u/%llu) = %+.5f (tolerance %.4f)\n",
			      pairs[p].name_a, pairs[p].rep_a, (unsigned long long)pairs[p].seed_a,
			      pairs[p].name_b, pairs[p].rep_b, (unsigned long long)pairs[p].seed_b,
			      rho, tol);
		assert_true(fabs(rho) < tol);
		gsl_rng_free(a);
		gsl_rng_free(b);
	}
	/* The check can fail: a stream against itself gives correlation 1. */
	gsl_rng *a = rng_stream(1, 0, "a");
	gsl_rng *a2 = rng_stream(1, 0, "a");
	assert_true(correlation(a, a2, 1000) > 0.999);
	gsl_rng_free(a);
	gsl_rng_free(a2);
}

/* Exp(1) has mean 1 and variance 1, so the mean of n = 10^5 draws has
 * standard error 1/sqrt(n) = 0.00316; we allow 4 of them (0.0126). U(0,1)
 * likewise: standard error sqrt(1/12/n) = 0.00091, 4 of them. */
static void test_distribution_means(void **state)
{
	(void)state;
	enum { N = 100000 };
	gsl_rng *r = rng_stream(2024, 0, "demand/app");
	assert_non_null(r);
	double sum = 0;
	for (int i = 0; i < N; i++)
		sum += gsl_ran_exponential(r, 1.0);
	double mean_exp = sum / N;
	sum = 0;
	for (int i = 0; i < N; i++)
		sum += gsl_rng_uniform(r);
	double mean_u = sum / N;
	print_message("Exp(1) mean %.5f, U(0,1) mean %.5f over %d draws each\n", mean_exp,
		      mean_u, N);
	assert_true(fabs(mean_exp - 1.0) < 4 / sqrt((double)N));
	assert_true(fabs(mean_u - 0.5) < 4 * sqrt(1.0 / 12 / N));
	gsl_rng_free(r);
}

/* Counter-based draws: a pure function of (base, a, b), strictly inside
 * (0, 1), uniform (mean within 4 standard errors, sqrt(1/12/n)), and with
 * no visible correlation between neighbouring counters (b and b + 1, a and
 * a + 1: within 4/sqrt(n), as above), which is how the world uses them. */
static void test_hash_u01(void **state)
{
	(void)state;
	enum { N = 100000 };
	uint64_t base = rng_stream_seed(5, 0, "think/lan");
	assert_true(rng_hash_u01(base, 3, 4) == rng_hash_u01(base, 3, 4));
	assert_true(rng_hash_u01(base, 3, 4) != rng_hash_u01(base, 4, 3));
	assert_true(rng_hash_u01(base, 3, 4) != rng_hash_u01(base + 1, 3, 4));
	double sum = 0;
	struct corr in_b = {0}, in_a = {0};
	for (uint64_t i = 0; i < N; i++) {
		double u = rng_hash_u01(base, 7, i);
		assert_true(u > 0 && u < 1);
		sum += u;
		corr_add(&in_b, u, rng_hash_u01(base, 7, i + 1));
		corr_add(&in_a, rng_hash_u01(base, i, 0), rng_hash_u01(base, i + 1, 0));
	}
	double n = N, rho_b = corr_value(&in_b), rho_a = corr_value(&in_a);
	print_message("hash u01: mean %.5f, lag-1 correlation in b %+.5f, in a %+.5f\n",
		      sum / n, rho_b, rho_a);
	assert_true(fabs(sum / n - 0.5) < 4 * sqrt(1.0 / 12 / n));
	assert_true(fabs(rho_b) < 4 / sqrt(n));
	assert_true(fabs(rho_a) < 4 / sqrt(n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_inputs_same_sequence),
		cmocka_unit_test(test_other_inputs_other_sequence),
		cmocka_unit_test(test_extra_streams_do_not_shift),
		cmocka_unit_test(test_seed_is_pure),
		cmocka_unit_test(test_seeds_distinct),
		cmocka_unit_test(test_streams_uncorrelated),
		cmocka_unit_test(test_distribution_means),
		cmocka_unit_test(test_hash_u01),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
