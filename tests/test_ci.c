/* Confidence intervals over replications: they shrink as replications
 * grow, and they cover the true value about 95 % of the time.
 *
 * The true value is the M/M/1 mean response time 1 / (mu - lambda) = 20 ms
 * (lambda 50/s, mean demand 10 ms). Each replication's mean is an average
 * of ~20,000 correlated response times: close to normal, so the Student t
 * interval over 10 replications should cover 20 ms in 95 % of experiments.
 * Over 100 seeded experiments the count of covering intervals is
 * Binomial(100, 0.95): mean 95, sd 2.2; below 88 has probability < 0.1 %,
 * so the test accepts 88 to 100. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "lbsim/experiment.h"
#include "lbsim/summary.h"
#include "sim_fixture.h"

static struct estimate response_estimate(struct fixture *f, uint32_t reps, uint64_t seed)
{
	struct experiment ex = {0};
	char err[256];
	f->scn.replications = reps;
	f->scn.seed = seed;
	assert_int_equal(experiment_run(&ex, &f->scn, 2, NULL, err, sizeof err), 0);
	double *buf = calloc(reps, sizeof *buf);
	struct estimate e = summary_estimate(&ex, 0, summary_metric_find("response_mean", SUMMARY_ALL),
					     0, buf);
	free(buf);
	experiment_free(&ex);
	return e;
}

static void test_interval_shrinks(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 1, 1, 10000000, 1000, 0.05, 200, 20, 1);
	double prev = INFINITY;
	const uint32_t reps[] = {4, 16, 64};
	double first = 0;
	for (size_t i = 0; i < 3; i++) {
		struct estimate e = response_estimate(&f, reps[i], 7);
		double half = (e.ci_high - e.ci_low) / 2;
		print_message("%u replications: %.4f ms +- %.4f\n", reps[i], e.mean, half);
		assert_true(half < prev);
		prev = half;
		if (i == 0)
			first = half;
	}
	/* 16 times the replications: the half-width falls by about 4 (sqrt
	 * 16) times the ratio of t quantiles (3.18 / 2.00); we ask for 3. */
	assert_true(prev < first / 3);
}

static void test_interval_coverage(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 1, 1, 10000000, 1000, 0.05, 400, 40, 1);
	const double truth = 20.0; /* ms */
	int covered = 0;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct estimate e = response_estimate(&f, 10, seed);
		covered += e.ci_low <= truth && truth <= e.ci_high;
	}
	print_message("%d of 100 intervals cover the true mean\n", covered);
	assert_true(covered >= 88);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_shrinks),
		cmocka_unit_test(test_interval_coverage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
