/* Random streams and variates: reproducible, separated by (seed,
 * replication, name), and drawn from the distributions they claim.
 *
 * The structural properties (same inputs, same numbers; another input,
 * other numbers; a stream's numbers do not depend on which other streams
 * exist) are exact, and so are the generator's reference outputs and its
 * jump, which is checked against the 256x256 transition matrix over GF(2)
 * raised to 2^128 by squaring. The statistical ones are tests against the
 * exact distribution functions (GSL's): Kolmogorov-Smirnov and chi-square
 * with 10^6 to 10^7 draws, the tails beyond the ziggurat's base strip
 * apart. With fixed seeds the outcome is the same on every run; each
 * bound is stated where it is checked (a p-value above 10^-4 for a
 * correct generator, which these seeds give, while a layer drawn with the
 * wrong weight or a wrong wedge test shows as p ~ 0 at these sizes).
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

#include <gsl/gsl_cdf.h>

#include "lbsim/rng.h"

enum { SEQ = 1000 };

/* The first SEQ raw outputs of stream (seed, rep, name). */
static void stream_seq(uint64_t seed, uint32_t rep, const char *name, uint64_t *out)
{
	struct rng r;
	rng_stream(&r, seed, rep, name);
	for (size_t i = 0; i < SEQ; i++)
		out[i] = rng_next(&r);
}

/* How many of the SEQ positions agree: two unrelated 64-bit sequences agree
 * at a position with probability 2^-64, so more than 1 is a seeding bug. */
static size_t agreements(const uint64_t *a, const uint64_t *b)
{
	size_t k = 0;
	for (size_t i = 0; i < SEQ; i++)
		k += a[i] == b[i];
	return k;
}

static void test_same_inputs_same_sequence(void **state)
{
	(void)state;
	uint64_t a[SEQ], b[SEQ];
	stream_seq(7, 3, "arrivals/lan", a);
	stream_seq(7, 3, "arrivals/lan", b);
	assert_memory_equal(a, b, sizeof a);
}

static void test_other_inputs_other_sequence(void **state)
{
	(void)state;
	uint64_t base[SEQ], other[SEQ];
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
	uint64_t alone[SEQ], crowded[SEQ];
	stream_seq(11, 0, "demand/server-3", alone);

	struct rng before[5], r, after;
	char name[32];
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "extra/%d", i);
		rng_stream(&before[i], 11, 0, name);
	}
	rng_stream(&r, 11, 0, "demand/server-3");
	rng_stream(&after, 11, 0, "demand/server-4");
	for (size_t i = 0; i < SEQ; i++) {
		for (int k = 0; k < 5; k++)
			(void)rng_next(&before[k]);
		crowded[i] = rng_next(&r);
		(void)rng_next(&after);
	}
	assert_memory_equal(alone, crowded, sizeof alone);
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
static double correlation(struct rng *a, struct rng *b, size_t n)
{
	struct corr c = {0};
	for (size_t i = 0; i < n; i++) {
		double x = rng_u01(a);
		corr_add(&c, x, rng_u01(b));
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
		struct rng a, b;
		rng_stream(&a, pairs[p].seed_a, pairs[p].rep_a, pairs[p].name_a);
		rng_stream(&b, pairs[p].seed_b, pairs[p].rep_b, pairs[p].name_b);
		double rho = correlation(&a, &b, N);
		print_message("corr(%s/%u/%llu, %s/%u/%llu) = %+.5f (tolerance %.4f)\n",
			      pairs[p].name_a, pairs[p].rep_a, (unsigned long long)pairs[p].seed_a,
			      pairs[p].name_b, pairs[p].rep_b, (unsigned long long)pairs[p].seed_b,
			      rho, tol);
		assert_true(fabs(rho) < tol);
	}
	/* The check can fail: a stream against itself gives correlation 1. */
	struct rng a, a2;
	rng_stream(&a, 1, 0, "a");
	rng_stream(&a2, 1, 0, "a");
	assert_true(correlation(&a, &a2, 1000) > 0.999);
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

/* xoshiro256++'s reference outputs from state {1, 2, 3, 4} (the first two
 * worked by hand: rotl(1 + 4, 23) + 1 = 41943041, and so on). */
static void test_xoshiro_reference(void **state)
{
	(void)state;
	static const uint64_t want[10] = {
		41943041ULL, 58720359ULL, 3588806011781223ULL, 3591011842654386ULL,
		9228616714210784205ULL, 9973669472204895162ULL, 14011001112246962877ULL,
		12406186145184390807ULL, 15849039046786891736ULL, 10450023813501588000ULL,
	};
	struct rng r = {{1, 2, 3, 4}};
	for (int i = 0; i < 10; i++)
		assert_int_equal(rng_next(&r), want[i]);
}

/* A 256-bit vector; the state's bit 64 w + b is bit b of s[w]. */
struct bits256 {
	uint64_t w[4];
};

/* The generator's step is linear over GF(2): column j of its matrix is
 * the step applied to the unit state e_j. (a o b)(e_j) is the xor of the
 * columns of a picked by the bits of b(e_j). */
static void compose(struct bits256 *out, const struct bits256 *a, const struct bits256 *b)
{
	for (int j = 0; j < 256; j++) {
		struct bits256 acc = {{0}};
		for (int k = 0; k < 256; k++)
			if (b[j].w[k >> 6] >> (k & 63) & 1)
				for (int w = 0; w < 4; w++)
					acc.w[w] ^= a[k].w[w];
		out[j] = acc;
	}
}

/* rng_jump against the matrix of the step raised to 2^128 by 128
 * squarings, applied to a random state: exact, and independent of the
 * published jump constants it checks. */
static void test_jump_is_two_to_the_128_steps(void **state)
{
	(void)state;
	struct bits256 *m = malloc(256 * sizeof *m), *t = malloc(256 * sizeof *t);
	assert_non_null(m);
	assert_non_null(t);
	for (int j = 0; j < 256; j++) {
		struct rng e = {{0}};
		e.s[j >> 6] = (uint64_t)1 << (j & 63);
		(void)rng_next(&e);
		memcpy(m[j].w, e.s, sizeof e.s);
	}
	for (int k = 0; k < 128; k++) {
		compose(t, m, m);
		memcpy(m, t, 256 * sizeof *m);
	}
	struct rng r;
	rng_seed(&r, 12345);
	struct bits256 want = {{0}};
	for (int j = 0; j < 256; j++)
		if (r.s[j >> 6] >> (j & 63) & 1)
			for (int w = 0; w < 4; w++)
				want.w[w] ^= m[j].w[w];
	rng_jump(&r);
	assert_memory_equal(r.s, want.w, sizeof r.s);
	free(m);
	free(t);
}

/* Replication rep of a stream is the stream jumped rep times. */
static void test_replications_are_jumps(void **state)
{
	(void)state;
	struct rng a, b;
	rng_stream(&a, 9, 0, "arrivals/x");
	rng_jump(&a);
	rng_jump(&a);
	rng_stream(&b, 9, 2, "arrivals/x");
	assert_memory_equal(a.s, b.s, sizeof a.s);
}

/* The tables: every layer has the area v (to 1e-12 relative), the edges
 * fall from the base strip to 0, f is the density at the edges, and r is
 * the published value (Marsaglia and Tsang 2000 for the exponential;
 * 3.6541528853610088 for the 256-layer normal, as in numpy). */
static void check_tables(const struct rng_zig *z, double r_published, double (*f)(double))
{
	assert_true(fabs(z->r / r_published - 1) < 1e-13);
	assert_true(z->x[1] == z->r);
	assert_true(z->x[RNG_ZIG_LAYERS] == 0 && z->f[RNG_ZIG_LAYERS] == 1);
	assert_true(fabs(z->x[0] * z->f[1] / z->v - 1) < 1e-12);
	for (int i = 0; i < RNG_ZIG_LAYERS; i++) {
		assert_true(z->x[i + 1] < z->x[i]);
		assert_true(fabs(z->f[i] - f(z->x[i])) <= 1e-15);
	}
	for (int i = 1; i < RNG_ZIG_LAYERS; i++)
		assert_true(fabs(z->x[i] * (z->f[i + 1] - z->f[i]) / z->v - 1) < 1e-12);
}

static double exp_density(double x) { return exp(-x); }
static double normal_density(double x) { return exp(-x * x / 2); }

static void test_ziggurat_tables(void **state)
{
	(void)state;
	check_tables(&rng_zig_exp, 7.69711747013104972, exp_density);
	check_tables(&rng_zig_normal, 3.6541528853610088, normal_density);
}

/* Kolmogorov's limiting distribution: P(sqrt(n) D > lambda). */
static double ks_pvalue(double lambda)
{
	if (lambda < 0.2)
		return 1;
	double p = 0;
	for (int k = 1; k <= 100; k++)
		p += (k & 1 ? 2 : -2) * exp(-2.0 * k * k * lambda * lambda);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return a < b ? -1 : a > b;
}

/* Kolmogorov-Smirnov p-value of the n samples x (sorted here) against cdf. */
static double ks_test(double *x, size_t n, double (*cdf)(double))
{
	qsort(x, n, sizeof *x, cmp_double);
	double d = 0;
	for (size_t i = 0; i < n; i++) {
		double f = cdf(x[i]);
		double lo = f - (double)i / (double)n, hi = (double)(i + 1) / (double)n - f;
		d = fmax(d, fmax(lo, hi));
	}
	return ks_pvalue(sqrt((double)n) * d);
}

/* Chi-square p-value of n samples x (sorted) in bins of equal probability
 * under cdf: bins - 1 degrees of freedom. */
static double chi2_equiprobable(const double *x, size_t n, double (*cdf)(double), unsigned bins)
{
	unsigned *count = calloc(bins, sizeof *count);
	assert_non_null(count);
	for (size_t i = 0; i < n; i++) {
		unsigned b = (unsigned)(cdf(x[i]) * bins);
		count[b < bins ? b : bins - 1]++;
	}
	double e = (double)n / bins, chi2 = 0;
	for (unsigned b = 0; b < bins; b++)
		chi2 += (count[b] - e) * (count[b] - e) / e;
	free(count);
	return gsl_cdf_chisq_Q(chi2, bins - 1);
}

static double exp_cdf(double x) { return x <= 0 ? 0 : -expm1(-x); }
static double normal_cdf(double x) { return gsl_cdf_ugaussian_P(x); }

enum { NDRAWS = 4000000, BINS = 2000 };

/* Exp(1) from a stream and from counter-based draws: KS and chi-square
 * (2000 bins) over 4 * 10^6 draws, each p > 1e-4; the mean within 4
 * standard errors (1/sqrt(n)). */
static void test_exponential_distribution(void **state)
{
	(void)state;
	double *x = malloc(NDRAWS * sizeof *x);
	assert_non_null(x);
	for (int source = 0; source < 2; source++) {
		struct rng r;
		rng_stream(&r, 2024, 0, "demand/app");
		uint64_t base = rng_stream_seed(2024, 0, "think/app");
		double sum = 0;
		for (size_t i = 0; i < NDRAWS; i++) {
			x[i] = source ? rng_hash_exp(base, 3 + (i & 7), i >> 3) : rng_exp(&r);
			assert_true(x[i] >= 0);
			sum += x[i];
		}
		double mean = sum / NDRAWS;
		double p_ks = ks_test(x, NDRAWS, exp_cdf);
		double p_chi = chi2_equiprobable(x, NDRAWS, exp_cdf, BINS);
		print_message("Exp(1) %s: mean %.5f, KS p %.4f, chi2 p %.4f, max %.2f\n",
			      source ? "hashed" : "stream", mean, p_ks, p_chi, x[NDRAWS - 1]);
		assert_true(fabs(mean - 1) < 4 / sqrt((double)NDRAWS));
		assert_true(p_ks > 1e-4);
		assert_true(p_chi > 1e-4);
	}
	free(x);
}

static void test_normal_distribution(void **state)
{
	(void)state;
	double *x = malloc(NDRAWS * sizeof *x);
	assert_non_null(x);
	struct rng r;
	rng_stream(&r, 77, 0, "normal");
	double sum = 0, sum2 = 0;
	for (size_t i = 0; i < NDRAWS; i++) {
		x[i] = rng_normal(&r);
		sum += x[i];
		sum2 += x[i] * x[i];
	}
	double mean = sum / NDRAWS, var = sum2 / NDRAWS - mean * mean;
	double p_ks = ks_test(x, NDRAWS, normal_cdf);
	double p_chi = chi2_equiprobable(x, NDRAWS, normal_cdf, BINS);
	print_message("N(0,1): mean %+.5f, variance %.5f, KS p %.4f, chi2 p %.4f\n", mean, var,
		      p_ks, p_chi);
	/* sd of the mean 1/sqrt(n), of the variance sqrt(2/n): 4 of each. */
	assert_true(fabs(mean) < 4 / sqrt((double)NDRAWS));
	assert_true(fabs(var - 1) < 4 * sqrt(2.0 / NDRAWS));
	assert_true(p_ks > 1e-4);
	assert_true(p_chi > 1e-4);
	free(x);
}

/* The tails, drawn by their own code paths (beyond r: the exponential's
 * r + Exp(1), the normal's Marsaglia 1964 method): the count beyond r is
 * binomial (within 4 sd of n p), and what lies beyond follows the
 * conditional law (KS p > 1e-4). 2 * 10^7 draws give about 9,000
 * exponential and 5,200 normal values past r. */
static double exp_tail_cdf(double t) { return exp_cdf(t); }
static double normal_tail_cdf(double t)
{
	double r = rng_zig_normal.r;
	return 1 - gsl_cdf_ugaussian_Q(r + t) / gsl_cdf_ugaussian_Q(r);
}

static void check_tail(int normal)
{
	enum { N = 20000000, CAP = 20000 };
	double *t = malloc(CAP * sizeof *t);
	assert_non_null(t);
	struct rng r;
	rng_stream(&r, 5, 0, normal ? "normal-tail" : "exp-tail");
	const double edge = normal ? rng_zig_normal.r : rng_zig_exp.r;
	size_t beyond = 0, negative = 0;
	for (size_t i = 0; i < N; i++) {
		double x = normal ? rng_normal(&r) : rng_exp(&r);
		if (fabs(x) > edge) {
			assert_true(beyond < CAP);
			t[beyond++] = fabs(x) - edge;
			negative += x < 0;
		}
	}
	double p = normal ? 2 * gsl_cdf_ugaussian_Q(edge) : exp(-edge);
	double expect = N * p, sd = sqrt(N * p * (1 - p));
	double p_ks = ks_test(t, beyond, normal ? normal_tail_cdf : exp_tail_cdf);
	print_message("%s tail beyond %.4f: %zu draws (expected %.0f +- %.0f), KS p %.4f%s\n",
		      normal ? "normal" : "exponential", edge, beyond, expect, sd, p_ks,
		      normal ? "" : "");
	assert_true(fabs((double)beyond - expect) < 4 * sd);
	assert_true(p_ks > 1e-4);
	if (normal) /* both sides: binomial(beyond, 1/2) within 4 sd */
		assert_true(fabs((double)negative - beyond / 2.0) < 4 * sqrt(beyond / 4.0));
	free(t);
}

static void test_tails(void **state)
{
	(void)state;
	check_tail(0);
	check_tail(1);
}

/* rng_below: every value of [0, n) equally likely (chi-square p > 1e-4
 * for n = 7 and for n = 3 * 2^30, bucketed), never n or more. */
static void test_below_uniform(void **state)
{
	(void)state;
	enum { N = 1000000, K = 7 };
	struct rng r;
	rng_stream(&r, 3, 0, "below");
	unsigned count[K] = {0}, big[16] = {0};
	const uint32_t n_big = 3u << 30;
	for (int i = 0; i < N; i++) {
		uint32_t v = rng_below(&r, K);
		assert_true(v < K);
		count[v]++;
		uint32_t w = rng_below(&r, n_big);
		assert_true(w < n_big);
		big[(uint64_t)w * 16 / n_big]++;
	}
	double chi = 0, chi_big = 0;
	for (int k = 0; k < K; k++)
		chi += (count[k] - N / (double)K) * (count[k] - N / (double)K) / (N / (double)K);
	for (int k = 0; k < 16; k++)
		chi_big += (big[k] - N / 16.0) * (big[k] - N / 16.0) / (N / 16.0);
	print_message("below 7: chi2 p %.4f; below 3*2^30: chi2 p %.4f\n",
		      gsl_cdf_chisq_Q(chi, K - 1), gsl_cdf_chisq_Q(chi_big, 15));
	assert_true(gsl_cdf_chisq_Q(chi, K - 1) > 1e-4);
	assert_true(gsl_cdf_chisq_Q(chi_big, 15) > 1e-4);
	assert_int_equal(rng_below(&r, 1), 0);
}

/* A counter-based exponential is a pure function of its inputs, also on
 * its rare paths: find inputs that take the slow path and check that two
 * calls agree. */
static void test_hash_exp_pure(void **state)
{
	(void)state;
	uint64_t base = rng_stream_seed(1, 0, "x");
	int slow = 0;
	for (uint64_t b = 0; b < 100000; b++) {
		uint64_t bits = rng_hash64(base, 5, b);
		unsigned i = (unsigned)(bits & 0xff);
		double fast = (double)(bits >> 11) * (1.0 / 9007199254740992.0) * rng_zig_exp.x[i];
		if (fast < rng_zig_exp.x[i + 1])
			continue;
		slow++;
		assert_true(rng_hash_exp(base, 5, b) == rng_hash_exp(base, 5, b));
	}
	/* The slow path's probability: layer i (1/256) past x[i+1]/x[i]. */
	double p = 0;
	for (int i = 0; i < RNG_ZIG_LAYERS; i++)
		p += (1 - rng_zig_exp.x[i + 1] / rng_zig_exp.x[i]) / RNG_ZIG_LAYERS;
	print_message("%d of 100000 hashed draws took the slow path (expected %.0f)\n", slow,
		      1e5 * p);
	assert_true(fabs(slow - 1e5 * p) < 4 * sqrt(1e5 * p));
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
		cmocka_unit_test(test_hash_u01),
		cmocka_unit_test(test_xoshiro_reference),
		cmocka_unit_test(test_jump_is_two_to_the_128_steps),
		cmocka_unit_test(test_replications_are_jumps),
		cmocka_unit_test(test_ziggurat_tables),
		cmocka_unit_test(test_exponential_distribution),
		cmocka_unit_test(test_normal_distribution),
		cmocka_unit_test(test_tails),
		cmocka_unit_test(test_below_uniform),
		cmocka_unit_test(test_hash_exp_pure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
