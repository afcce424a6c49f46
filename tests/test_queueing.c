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

#include "lbsim/cost.h"
#include "lbsim/queueing.h"
#include "lbsim/run.h"
#include "queue_exact.h"
#include "sim_fixture.h"

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
	/* The planner's closed forms (sim/stats/queueing.c) against the
	 * independent formula above, and its p99 against the simulation. */
	assert_true(fabs(mmc_response_mean(cores, lambda, service_s) / want - 1) < 1e-9);
	double p99_closed = mmc_response_quantile(cores, lambda, service_s, 0.99);
	print_message("M/M/%u p99 %.6f s, closed form %.6f s\n", cores,
		      (double)res.response_p99_ns / 1e9, p99_closed);
	assert_true(fabs((double)res.response_p99_ns / 1e9 / p99_closed - 1) < 0.05);
	if (cores == 1) {
		/* M/M/1 response time is exponential with rate mu - lambda. */
		double p99 = log(100.0) / (1 / service_s - lambda);
		double got99 = (double)res.response_p99_ns / 1e9;
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

/* The balancer as a queue: with a number of cores, every request waits for
 * the balancer's CPU before its server, and its answer waits again on the
 * way back. Open traffic to an l7 design with empty answers costs each
 * request the same balancer work D (accept, full TLS handshake, HTTP, the
 * request's relay and crypto, and a new connection to the server, the
 * connection's first request under http-reuse safe: all constant) and its answer none, so one balancer core
 * is an M/D/1 queue: mean wait rho D / (2 (1 - rho)) (Pollaczek-Khinchine).
 * Servers with many cores add their mean demand S and no wait. Same
 * tolerance as above. */
static void test_balancer_md1(void **state)
{
	(void)state;
	struct fixture f;
	const double lambda = 1000, s = 0.001;
	fixture_init(&f, 1, 1000, (sim_time_t)(s * 1e9), 1000, lambda / 1000, 1000, 20, 1);
	f.designs[0].kind = SCN_DESIGN_L7;
	f.designs[0].lb_cores = 1;
	f.designs[0].lb_queue = 1000000;
	f.pop.client[WL_OWA].response_bytes = 0;
	/* A TLS record has its price even empty (the answer's one record):
	 * priced at zero here, so that the answer carries no work. */
	f.designs[0].costs.tls_record_ns = 0;
	const struct cost_params *p = &f.designs[0].costs;
	const struct client_cfg *c = &f.pop.client[WL_OWA];
	const double byte_ns = p->relay_byte_ns + p->crypto_byte_ns[COST_CIPHER_AES_256_GCM];
	double d = (p->accept_ns + p->tls_full_ns[COST_CERT_RSA_2048] + p->http_request_ns +
		    p->connect_ns + byte_ns * c->request_bytes) / 1e9;
	double rho = lambda * d;
	/* Each request opens its connection to the server: a TCP round trip
	 * at backend-rtt, a constant delay that leaves the queue as it is
	 * (Poisson arrivals shifted by a constant are Poisson). */
	double setup = (double)f.designs[0].backend_rtt / 1e9;
	double want = rho * d / (2 * (1 - rho)) + d + s + setup;
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	double got = res.response_mean_ns / 1e9;
	print_message("balancer M/D/1 rho %.3f: W %.6f s, closed form %.6f s (%+.2f %%); busy %.3f\n",
		      rho, got, want, 100 * (got / want - 1), res.lb_busy);
	assert_true(fabs(got / want - 1) < 0.03);
	assert_true(fabs(res.lb_busy - rho) < 0.01);
	assert_int_equal(res.lb_refused, 0);
	run_result_free(&res);
}

/* Answers pass back through the balancer's cores too: with the default
 * answer size, the cores are busy rho = lambda (D + D_answer), the
 * utilisation law (whatever the order of service), and a request takes
 * longer than with empty answers. */
static void test_balancer_answers_wait(void **state)
{
	(void)state;
	struct fixture f;
	const double lambda = 600;
	fixture_init(&f, 1, 1000, 1000000, 1000, lambda / 1000, 1000, 20, 1);
	f.designs[0].kind = SCN_DESIGN_L7;
	f.designs[0].lb_cores = 1;
	f.designs[0].lb_queue = 1000000;
	const struct cost_params *p = &f.designs[0].costs;
	const struct client_cfg *c = &f.pop.client[WL_OWA];
	const double byte_ns = p->relay_byte_ns + p->crypto_byte_ns[COST_CIPHER_AES_256_GCM];
	double d = (p->accept_ns + p->tls_full_ns[COST_CERT_RSA_2048] + p->http_request_ns +
		    p->connect_ns + byte_ns * c->request_bytes) / 1e9;
	double d_answer = byte_ns * c->response_bytes / 1e9;
	double rho = lambda * (d + d_answer);
	struct run_result res, empty;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	f.pop.client[WL_OWA].response_bytes = 0;
	/* A TLS record has its price even empty (the answer's one record):
	 * priced at zero here, so that the answer carries no work. */
	f.designs[0].costs.tls_record_ns = 0;
	assert_int_equal(run_design(&f.scn, 0, 0, &empty, err, sizeof err), 0);
	print_message("balancer busy %.4f, utilisation law %.4f; mean response %.6f s, "
		      "%.6f s with empty answers\n", res.lb_busy, rho, res.response_mean_ns / 1e9,
		      empty.response_mean_ns / 1e9);
	assert_true(fabs(res.lb_busy - rho) < 0.01);
	assert_true(res.response_mean_ns > empty.response_mean_ns + 0.9 * d_answer * 1e9);
	run_result_free(&res);
	run_result_free(&empty);
}

/* Past its queue limit the balancer refuses, and every refusal is counted
 * as a failed request: offered 1.5 times its capacity, it refuses about a
 * third of the requests, and conservation still holds. */
static void test_balancer_refuses(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 1, 1000, 1000000, 1000, 1.85, 200, 10, 1);
	f.designs[0].kind = SCN_DESIGN_L7;
	f.designs[0].lb_cores = 1;
	f.designs[0].lb_queue = 50;
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	assert_int_equal(res.sent, res.completed + res.failed + res.in_flight);
	double share = (double)res.lb_refused / (double)res.sent;
	print_message("refused %llu of %llu (%.3f)\n", (unsigned long long)res.lb_refused,
		      (unsigned long long)res.sent, share);
	/* Capacity 1/D ~ 1233/s of 1850/s offered: 1 - 1233/1850 = 0.33 */
	assert_true(share > 0.28 && share < 0.38);
	assert_int_equal(res.failed, res.lb_refused);
	run_result_free(&res);
}

/* The GI/M/c solver of tests/queue_exact.h (which the peer benchmark
 * checks lbsim's round robin against) on cases with other closed forms:
 * Poisson arrivals (Erlang-1) give Erlang C for any c; one server gives
 * GI/M/1, whose wait is sigma / (mu (1 - sigma)) with sigma the root of
 * sigma = A*(mu (1 - sigma)) (for E2/M/1 at lambda 80, mu 100 that root is
 * 0.73985295, from (160 / (260 - 100 s))^2 = s). And a
 * simulated server that gets every 8th request of a Poisson stream (round
 * robin over 8 servers) matches E8/M/4 within the test's 3 %. */
static void test_gimc_solver(void **state)
{
	(void)state;
	for (unsigned c = 1; c <= 8; c++)
		for (double rho = 0.1; rho < 0.95; rho += 0.2) {
			double lambda = rho * c * 100;
			double want = mmc_response(c, lambda, 100), got = ekmc_response(1, lambda, c, 100);
			if (!(fabs(got / want - 1) < 1e-9))
				fail_msg("M/M/%u at rho %.1f: GI/M/c %.12f, Erlang C %.12f", c, rho, got, want);
		}
	/* E2/M/1: (160 / (160 + 100 (1 - s)))^2 = s, solved by bisection here. */
	double lo = 0, hi = 1 - 1e-12;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2, a = 160 / (260 - 100 * mid);
		if (a * a - mid > 0)
			lo = mid;
		else
			hi = mid;
	}
	double sigma = lo, want = sigma / (100 * (1 - sigma)) + 0.01;
	print_message("E2/M/1: sigma %.9f, W %.9f s, solver %.9f s\n", sigma, want,
		      ekmc_response(2, 160, 1, 100));
	assert_true(fabs(ekmc_response(2, 160, 1, 100) / want - 1) < 1e-9);
	assert_true(isnan(ekmc_response(8, 3200, 4, 100))); /* lambda 400 = c mu: unstable */
}

static void test_round_robin_is_e8_m_4(void **state)
{
	(void)state;
	struct fixture f;
	/* 8 servers of 4 cores, 10 ms, Poisson 2,240/s: 70 % load. */
	fixture_init(&f, 8, 4, 10 * 1000000, 1000, 2.24, 400, 10, 1);
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	double want = ekmc_response(8, 2240, 4, 100), mm4 = mmc_response(4, 280, 100);
	double got = res.response_mean_ns / 1e9;
	print_message("round robin over 8 M/M/4-like servers: W %.6f s, E8/M/4 %.6f s (%+.2f %%),"
		      " M/M/4 would be %.6f s\n",
		      got, want, 100 * (got / want - 1), mm4);
	assert_true(fabs(got / want - 1) < 0.03);
	/* The check can tell: Poisson per server would be 20 % more. */
	assert_true(fabs(got / mm4 - 1) > 0.1);
	run_result_free(&res);
}

/* Known values: Erlang C of one server is its utilisation; of two at
 * a = 1 Erlang, 1/3 (a^2/2 * 2 / (1 + 1 + 1) ); the M/M/1 response is
 * exponential, so its quantiles are -ln(1 - q) / (mu - lambda); the
 * tail starts at 1; an unstable queue has no answer. Large c: the
 * recursion stays finite where factorials would overflow. */
static void test_closed_forms(void **state)
{
	(void)state;
	assert_true(fabs(erlang_c(1, 0.7) - 0.7) < 1e-12);
	assert_true(fabs(erlang_c(2, 1.0) - 1.0 / 3) < 1e-12);
	assert_true(fabs(mmc_response_quantile(1, 50, 0.01, 0.99) - log(100.0) / 50) < 1e-8);
	assert_true(fabs(mmc_response_quantile(1, 50, 0.01, 0.5) - log(2.0) / 50) < 1e-8);
	assert_true(fabs(mmc_response_tail(4, 300, 0.01, 0) - 1) < 1e-12);
	/* theta == mu: c mu - lambda = mu (c = 2, lambda = mu). */
	double t = mmc_response_quantile(2, 100, 0.01, 0.99);
	assert_true(fabs(mmc_response_tail(2, 100, 0.01, t) - 0.01) < 1e-9);
	assert_true(isnan(erlang_c(4, 4.0)));
	assert_true(isnan(mmc_response_mean(2, 300, 0.01)));
	double big = erlang_c(1000, 950);
	assert_true(big > 0 && big < 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gimc_solver),
		cmocka_unit_test(test_round_robin_is_e8_m_4),
		cmocka_unit_test(test_closed_forms),
		cmocka_unit_test(test_mm1_half_load),
		cmocka_unit_test(test_mm1_high_load),
		cmocka_unit_test(test_mmc_four_cores),
		cmocka_unit_test(test_mmc_eight_cores),
		cmocka_unit_test(test_balancer_md1),
		cmocka_unit_test(test_balancer_answers_wait),
		cmocka_unit_test(test_balancer_refuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
