/* The server model against queueing theory. One server behind the balancer
 * with Poisson arrivals and exponential demand is an M/M/c queue, whose mean
 * response time has a closed form (Erlang C), computed here independently
 * of the simulator.
 *
 * Tolerances: each case simulates about 10^6 requests. The standard error
 * of a mean response time from a correlated M/M/c sample path is about
 * sqrt(tau/N) of W, with tau (the integrated autocorrelation) below 100 at
 * these loads, i.e. 1 % of W; we allow 3 % (three standard errors). p99
 * adds the histogram's 0.8 % bucket resolution: 5 %.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "lbsim/run.h"
#include "sim_fixture.h"

/* Erlang C: probability that an arrival waits, c servers, offered load a =
 * lambda / mu (in Erlangs), a < c. */
static double erlang_c(unsigned c, double a)
{
	double term = 1, sum = 1; /* a^k / k! for k = 0 */
	for (unsigned k = 1; k < c; k++) {
		term *= a / k;
		sum += term;
	}
	double last = term * a / c; /* a^c / c! */
	double rho = a / c;
	double top = last / (1 - rho);
	return top / (sum + top);
}

/* Mean response time of M/M/c in seconds. */
static double mmc_response(unsigned c, double lambda, double mu)
{
	double a = lambda / mu;
	return erlang_c(c, a) / (c * mu - lambda) + 1 / mu;
}

static void check_mmc(unsigned cores, double service_s, double lambda, double duration_s)
{
	struct fixture f;
	/* 1000 users at lambda/1000 each: the superposition is Poisson(lambda). */
	fixture_init(&f, 1, cores, (sim_time_t)(service_s * 1e9), 1000, lambda / 1000,
		     duration_s, duration_s / 50, 1);
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	double want = mmc_response(cores, lambda, 1 / service_s);
	double got = res.response_mean_ns / 1e9;
	print_message("M/M/%u rho %.2f: W %.6f s, closed form %.6f s (%+.2f %%), %llu requests\n",
		      cores, lambda * service_s / cores, got, want, 100 * (got / want - 1),
		      (unsigned long long)res.measured);
	assert_true(res.measured > 500000);
	assert_true(fabs(got / want - 1) < 0.03);
	if (cores == 1) {
		/* M/M/1 response time is exponential with rate mu - lambda. */
		double p99 = log(100.0) / (1 / service_s - lambda);
		double got99 = (double)res.response_p99_ns / 1e9;
		print_message("M/M/1 p99 %.6f s, closed form %.6f s\n", got99, p99);
		assert_true(fabs(got99 / p99 - 1) < 0.05);
	}
	/* Busy fraction is the utilisation rho. */
	assert_true(fabs(res.servers[0].busy_fraction - lambda * service_s / cores) < 0.01);
	run_result_free(&res);
}

static void test_mm1_half_load(void **state)
{
	(void)state;
	check_mmc(1, 0.010, 50, 24000);
}

static void test_mm1_high_load(void **state)
{
	(void)state;
	check_mmc(1, 0.010, 80, 15000);
}

static void test_mmc_four_cores(void **state)
{
	(void)state;
	check_mmc(4, 0.010, 300, 4000);
}

static void test_mmc_eight_cores(void **state)
{
	(void)state;
	check_mmc(8, 0.020, 360, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm1_half_load),
		cmocka_unit_test(test_mm1_high_load),
		cmocka_unit_test(test_mmc_four_cores),
		cmocka_unit_test(test_mmc_eight_cores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
