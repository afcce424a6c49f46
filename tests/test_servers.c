/* Servers as a real balancer sees them (issue 16, item 3): the list form of
 * servers: with weights and cores, checked against independent truths.
 *
 *   weights     requests split in proportion to the weights: Pearson's χ²
 *               against the weight-proportional split (GSL's χ²
 *               distribution) where the picks are independent draws
 *               (balance random with one draw); within one period of the
 *               smooth weighted round robin where the picks are a
 *               schedule (roundrobin: any W consecutive picks hold w_i of
 *               server i); a χ² against the equal split must reject, so
 *               the test can fail
 *   weight 0    a server of weight 0 gets no traffic
 *   cores       a server's own cores are its own: a server of 2 cores
 *               beside servers of 1 is half as busy at the same load
 *
 * Scenarios are written as YAML and loaded by the loader, so the list form
 * is read the way a user's file is. Fixed seeds; tolerances stated where
 * used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/run.h"
#include "lbsim/scenario.h"

static struct scenario *load(const char *yaml)
{
	struct scenario *scn = NULL;
	struct scn_error err;
	if (scn_load_buffer("test.yaml", yaml, strlen(yaml), &scn, &err) != 0) {
		print_error("%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
		fail();
	}
	return scn;
}

static void run_ok(const struct scenario *scn, uint32_t d, struct run_result *res)
{
	char err[256];
	int rc = run_design(scn, d, 0, res, err, sizeof err);
	if (rc != 0)
		print_error("run_design: %s\n", err);
	assert_int_equal(rc, 0);
	for (int k = 0; k < WL_COUNT; k++) {
		const struct workload_result *wr = &res->workloads[k];
		assert_int_equal(wr->sent, wr->ok + wr->failed + wr->in_flight);
	}
}

/* Pearson's χ² p-value of counts n[0..k) against shares p[0..k). */
static double chi2_p(const uint64_t *n, const double *p, size_t k)
{
	double total = 0, x2 = 0;
	for (size_t i = 0; i < k; i++)
		total += (double)n[i];
	for (size_t i = 0; i < k; i++) {
		double e = total * p[i];
		x2 += ((double)n[i] - e) * ((double)n[i] - e) / e;
	}
	return gsl_cdf_chisq_Q(x2, (double)(k - 1));
}

static const char weighted_yaml[] =
	"name: weights\n"
	"duration: 60s\n"
	"warmup: 5s\n"
	"seed: 11\n"
	"servers:\n"
	"  service: 1ms\n"
	"  cores: 4\n"
	"  list:\n"
	"    - {weight: 1}\n"
	"    - {weight: 2}\n"
	"    - {weight: 3}\n"
	"    - {weight: 4}\n"
	"populations:\n"
	"  - {name: lan, users: 2000, rate: 0.2}\n"
	"designs:\n"
	"  - {name: random, kind: l7, balance: random, draws: 1}\n"
	"  - {name: rr, kind: l7, balance: roundrobin}\n"
	"  - {name: rr4, kind: l4, balance: roundrobin}\n";

/* balance random with one draw picks server i with probability w_i / W,
 * each pick independent: the counts are multinomial, and Pearson's
 * statistic is χ² with 3 degrees of freedom. With seed 11 the p-value
 * must exceed 0.001 (a correct sampler fails that one seed in a
 * thousand); the equal split must be rejected at p < 1e-9. */
static void weights_random_chi2(void **state)
{
	(void)state;
	struct scenario *scn = load(weighted_yaml);
	struct run_result r;
	run_ok(scn, 0, &r);
	uint64_t n[4];
	for (int i = 0; i < 4; i++)
		n[i] = r.servers[i].requests;
	const double by_weight[4] = {0.1, 0.2, 0.3, 0.4}, equal[4] = {0.25, 0.25, 0.25, 0.25};
	double p = chi2_p(n, by_weight, 4);
	print_message("random: %llu %llu %llu %llu requests, χ² p %.4g\n", (unsigned long long)n[0],
		      (unsigned long long)n[1], (unsigned long long)n[2], (unsigned long long)n[3], p);
	assert_true(n[0] + n[1] + n[2] + n[3] > 20000);
	assert_true(p > 0.001);
	assert_true(chi2_p(n, equal, 4) < 1e-9);
	/* lbsim's own chi2_p metric says the same of the same counts. */
	assert_true(fabs(r.skew.chi2_p - p) < 1e-9);
	run_result_free(&r);
	scn_free(scn);
}

/* Smooth weighted round robin: any W = 10 consecutive picks hold exactly
 * w_i picks of server i, so over the measured window (which may start
 * mid-period) each count is within one period's share of N w_i / W. */
static void weights_roundrobin_exact(void **state)
{
	(void)state;
	struct scenario *scn = load(weighted_yaml);
	for (uint32_t d = 1; d <= 2; d++) {
		struct run_result r;
		run_ok(scn, d, &r);
		uint64_t total = 0;
		for (int i = 0; i < 4; i++)
			total += d == 1 ? r.servers[i].requests : r.servers[i].connections;
		for (int i = 0; i < 4; i++) {
			double want = (double)total * (i + 1) / 10.0;
			double got = (double)(d == 1 ? r.servers[i].requests : r.servers[i].connections);
			assert_true(fabs(got - want) <= 10.0);
		}
		run_result_free(&r);
	}
	scn_free(scn);
}

/* A server of weight 0 takes no new traffic (HAProxy: "weight 0 ... will
 * not participate in load-balancing"), whatever the algorithm; the other
 * servers share the traffic by their weights. Its skew is left out. */
static void weight_zero_takes_nothing(void **state)
{
	(void)state;
	const char *algs[] = {"roundrobin", "leastconn", "random", "source", "first", "static-rr"};
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		char yaml[1024];
		snprintf(yaml, sizeof yaml,
			 "name: zero\nduration: 20s\nseed: 3\n"
			 "servers:\n  service: 1ms\n  list: [{weight: 1}, {weight: 0}, {weight: 1}]\n"
			 "populations:\n  - {name: lan, users: 500, rate: 0.5}\n"
			 "designs:\n  - {name: d, kind: l4, balance: %s}\n", algs[a]);
		struct scenario *scn = load(yaml);
		struct run_result r;
		run_ok(scn, 0, &r);
		assert_int_equal(r.servers[1].requests, 0);
		assert_true(r.servers[0].requests + r.servers[2].requests > 1000);
		run_result_free(&r);
		scn_free(scn);
	}
}

/* Cores per server: server 2 has 2 cores, the others 1; round robin sends
 * each the same requests, so server 2's busy fraction is half the others'
 * (each the offered load over its cores: 0.4 and 0.2, within 0.03 over
 * some 40,000 requests of 1 ms each). */
static void cores_per_server(void **state)
{
	(void)state;
	struct scenario *scn = load("name: cores\nduration: 100s\nseed: 5\n"
				    "servers:\n  service: 1ms\n  count: 3\n"
				    "  list: [{}, {cores: 2}]\n"
				    "populations:\n  - {name: lan, users: 1200, rate: 1}\n"
				    "designs:\n  - {name: rr, kind: l7, balance: roundrobin}\n");
	assert_int_equal(scn->servers.count, 3);
	assert_int_equal(scn_server_cores(&scn->servers, 1), 2);
	assert_int_equal(scn_server_cores(&scn->servers, 2), 1);
	assert_int_equal(scn_servers_total_cores(&scn->servers), 4);
	struct run_result r;
	run_ok(scn, 0, &r);
	assert_true(fabs(r.servers[0].busy_fraction - 0.4) < 0.03);
	assert_true(fabs(r.servers[1].busy_fraction - 0.2) < 0.03);
	assert_true(fabs(r.servers[2].busy_fraction - 0.4) < 0.03);
	run_result_free(&r);
	scn_free(scn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(weights_random_chi2),
		cmocka_unit_test(weights_roundrobin_exact),
		cmocka_unit_test(weight_zero_takes_nothing),
		cmocka_unit_test(cores_per_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
