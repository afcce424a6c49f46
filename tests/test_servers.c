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
 *   maxconn     one server of c cores and maxconn K behind a layer-4
 *               design (no queue: a connection past K is refused) is the
 *               M/M/c/K queue: its blocking probability p_K and mean
 *               queue L_q from the closed form; behind layer 7 the
 *               requests past K wait at the balancer, so server and
 *               balancer together are M/M/c, and the mean number waiting
 *               at the balancer is sum over n > K of (n - K) p_n
 *   drain       from the moment a server is drained no new connection
 *               (layer 4) or request (layer 7) reaches it, the connections
 *               already there go on being served, nothing fails, and
 *               every request is served or failed (none lost); a
 *               persistent client keeps its drained server (HAProxy:
 *               "accepted via persistence"), but not a server in maint
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
#include "lbsim/summary.h"

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

/* The stationary distribution of the M/M/c/K queue (K = SIZE_MAX: M/M/c,
 * truncated where the terms vanish) into p[0..n): p_n proportional to
 * a^n / n! for n <= c and a^n / (c! c^(n-c)) above, a = lambda / mu. */
static void mmck(double a, unsigned c, unsigned n, double *p)
{
	double sum = 0, term = 1;
	for (unsigned k = 0; k < n; k++) {
		if (k > 0)
			term *= a / (k <= c ? k : c);
		p[k] = term;
		sum += term;
	}
	for (unsigned k = 0; k < n; k++)
		p[k] /= sum;
}

static struct scenario *single_server(const char *kind, unsigned cores, unsigned maxconn,
				      double rate_per_s)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "name: mmck\nduration: 3000s\nwarmup: 20s\nseed: 17\n"
		 "servers:\n  service: 10ms\n  cores: %u\n  list: [{maxconn: %u}]\n"
		 "populations:\n  - {name: lan, users: 1000, rate: %g, rtt: 0ms, jitter: 0ms}\n"
		 "designs:\n  - {name: d, kind: %s, balance: roundrobin%s}\n",
		 cores, maxconn, rate_per_s / 1000, kind,
		 strcmp(kind, "l7") == 0 ? ", timeout-queue: 1d, backend-rtt: 0ms" : "");
	return load(yaml);
}

/* No time on the network (rtt, jitter and backend-rtt 0): a connection
 * holds its server slot from the balancer's decision, so a round trip
 * would lengthen the time in the M/M/c/K system (README "Latency"). */

/* Layer 4, c = 2 cores, K = 4, lambda = 150/s, mu = 100/s: a connection
 * finding K on the server is refused. Blocking p_K (PASTA: the share of
 * arrivals refused) within 5 % of the closed form, and the mean queue L_q
 * = sum over n > c of (n - c) p_n within 10 %, measured by Little's law
 * from the served requests: lambda_served x W = L, less the busy cores.
 * Some 450,000 arrivals; the statistical error is about 1 % for p_K. */
static void maxconn_l4_is_mmck(void **state)
{
	(void)state;
	const unsigned c = 2, K = 4;
	const double lambda = 150, mu = 100;
	struct scenario *scn = single_server("l4", c, K, lambda);
	double p[5];
	mmck(lambda / mu, c, K + 1, p);
	double lq = 0;
	for (unsigned n = c + 1; n <= K; n++)
		lq += (n - c) * p[n];
	struct run_result r;
	run_ok(scn, 0, &r);
	double sent = (double)r.measured, failed = (double)r.measured_failed;
	double blocking = failed / sent;
	double t = (double)scn->duration / 1e9;
	double served_rate = (sent - failed) / t;
	double busy_cores = r.servers[0].busy_fraction * c;
	double lq_measured = served_rate * r.servers[0].response_mean_ns / 1e9 - busy_cores;
	print_message("M/M/2/4: blocking %.4f (closed form %.4f), Lq %.4f (closed form %.4f)\n",
		      blocking, p[K], lq_measured, lq);
	assert_true(fabs(blocking - p[K]) < 0.05 * p[K]);
	assert_true(fabs(lq_measured - lq) < 0.10 * lq);
	/* Nothing ever waits at a layer-4 balancer. */
	assert_int_equal(r.queued, 0);
	/* and summary.csv gives the mean wait no value, not 0 ms */
	assert_true(isnan(summary_metric_find("queue_wait_mean", SUMMARY_ALL)->get(&r, 0)));
	run_result_free(&r);
	scn_free(scn);
}

/* Layer 7, c = 2, K = 3, lambda = 150/s, mu = 100/s, a queue timeout of a
 * day (none reached): nothing fails, the share of requests that wait at
 * the balancer is P(N >= K) of M/M/c (PASTA) within 2 % (its statistical
 * error is about 0.5 %; a request that finds a slot freed by the time it
 * gets through the balancer did not wait and is not counted), and the mean
 * number waiting there, sum over n > K of (n - K) p_n, within 10 %
 * (measured as the summed waits over the measured time: Little's law). */
static void maxconn_l7_queue_is_mmc_overflow(void **state)
{
	(void)state;
	const unsigned c = 2, K = 3, N = 400;
	const double lambda = 150, mu = 100;
	struct scenario *scn = single_server("l7", c, K, lambda);
	double p[400];
	mmck(lambda / mu, c, N, p);
	double waits = 0, lb = 0;
	for (unsigned n = K; n < N; n++) {
		waits += p[n];
		lb += (n - K) * p[n];
	}
	struct run_result r;
	run_ok(scn, 0, &r);
	double t = (double)scn->duration / 1e9;
	double share = (double)r.queued / (double)r.measured;
	double lb_measured = r.queue_wait_ns / 1e9 / t;
	print_message("M/M/2 past K=3: waiting share %.4f (closed form %.4f), mean waiting %.4f "
		      "(closed form %.4f)\n", share, waits, lb_measured, lb);
	assert_int_equal(r.measured_failed, 0);
	assert_int_equal(r.queue_timeouts, 0);
	assert_true(fabs(share - waits) < 0.02 * waits);
	assert_true(fabs(lb_measured - lb) < 0.10 * lb);
	/* The same through summary.csv's metrics: the mean number waiting
	 * over the measured time, and the mean wait of those that waited,
	 * whose closed form is Little's law over the requests that wait:
	 * lb / (lambda P(N >= K)). */
	const struct summary_metric *len = summary_metric_find("queue_length_mean", SUMMARY_ALL);
	const struct summary_metric *wait = summary_metric_find("queue_wait_mean", SUMMARY_ALL);
	const struct summary_metric *queued = summary_metric_find("queued_requests", SUMMARY_ALL);
	assert_non_null(len);
	assert_non_null(wait);
	assert_non_null(queued);
	double wait_ms = 1e3 * lb / (lambda * waits);
	print_message("mean wait of those waiting %.3f ms (closed form %.3f)\n", wait->get(&r, 0),
		      wait_ms);
	assert_true(fabs(len->get(&r, 0) - lb) < 0.10 * lb);
	assert_true(fabs(wait->get(&r, 0) - wait_ms) < 0.10 * wait_ms);
	assert_true(queued->get(&r, 0) == (double)r.queued);
	run_result_free(&r);
	scn_free(scn);
}

/* A short queue timeout: requests that wait longer fail (503 from the
 * balancer); every request is served or failed, none lost (run_ok checks
 * sent = ok + failed + in flight), and no request waits past the timeout:
 * the summed waits are at most (queued) x timeout. */
static void queue_timeout_fails_and_loses_nothing(void **state)
{
	(void)state;
	struct scenario *scn = load("name: timeout\nduration: 200s\nseed: 4\n"
				    "servers:\n  service: 10ms\n  cores: 1\n  maxconn: 1\n"
				    "  count: 2\n"
				    "populations:\n  - {name: lan, users: 1000, rate: 0.19}\n"
				    "designs:\n  - {name: d, kind: l7, balance: leastconn, "
				    "timeout-queue: 20ms}\n");
	struct run_result r;
	run_ok(scn, 0, &r);
	print_message("queued %llu, timed out %llu, failed %llu of %llu\n",
		      (unsigned long long)r.queued, (unsigned long long)r.queue_timeouts,
		      (unsigned long long)r.measured_failed, (unsigned long long)r.measured);
	assert_true(r.queued > 1000);
	assert_true(r.queue_timeouts > 100);
	assert_true(r.queue_timeouts < r.queued);
	assert_int_equal(r.measured_failed, r.queue_timeouts);
	assert_true(r.queue_wait_ns <= (double)r.queued * 20e6 + 1);
	run_result_free(&r);
	scn_free(scn);
}

/* Device traffic on four servers; server 2 drained (or in maintenance)
 * from the end of the warm-up, so every measured figure is after it. */
static struct scenario *operator_scenario(const char *kind)
{
	char yaml[1024];
	snprintf(yaml, sizeof yaml,
		 "name: drain\nduration: 5m\nwarmup: 1m\nseed: 3\n"
		 "servers: {count: 4, cores: 4}\n"
		 "populations:\n  - {name: lan, users: 400, clients: [owa, eas, mapi]}\n"
		 "designs:\n"
		 "  - {name: l4, kind: l4, balance: leastconn}\n"
		 "  - {name: l4p, kind: l4, balance: leastconn, persist: {method: source-ip}}\n"
		 "  - {name: l7, kind: l7, balance: roundrobin}\n"
		 "faults:\n  - {at: 1m, server: 2, kind: %s}\n", kind);
	return load(yaml);
}

static void drain_takes_nothing_new(void **state)
{
	(void)state;
	struct scenario *scn = operator_scenario("drain");
	struct run_result r[3];
	for (uint32_t d = 0; d < 3; d++) {
		run_ok(scn, d, &r[d]);
		assert_int_equal(r[d].measured_failed, 0);
		for (uint32_t i = 0; i < 4; i++)
			if (i != 1)
				assert_true(r[d].servers[i].requests > 1000);
	}
	/* Layer 4: no new connection to server 2, but the connections it
	 * had carry on: it still serves requests after the drain. */
	assert_int_equal(r[0].servers[1].connections, 0);
	assert_true(r[0].servers[1].requests > 100);
	/* With persistence, its clients' new connections still go there. */
	assert_true(r[1].servers[1].connections > 0);
	/* Layer 7 chooses per request: nothing at all reaches it. */
	assert_int_equal(r[2].servers[1].requests, 0);
	for (uint32_t d = 0; d < 3; d++)
		run_result_free(&r[d]);
	scn_free(scn);
}

/* maint: as drain, and persistence sends its clients elsewhere too; the
 * connections there are not cut (HAProxy leaves them unless told). */
static void maint_takes_nothing_even_persistent(void **state)
{
	(void)state;
	struct scenario *scn = operator_scenario("maint");
	struct run_result r[3];
	for (uint32_t d = 0; d < 3; d++) {
		run_ok(scn, d, &r[d]);
		assert_int_equal(r[d].measured_failed, 0);
	}
	assert_int_equal(r[0].servers[1].connections, 0);
	assert_int_equal(r[1].servers[1].connections, 0);
	assert_true(r[1].servers[1].requests > 100);
	assert_int_equal(r[2].servers[1].requests, 0);
	for (uint32_t d = 0; d < 3; d++)
		run_result_free(&r[d]);
	scn_free(scn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(weights_random_chi2),
		cmocka_unit_test(weights_roundrobin_exact),
		cmocka_unit_test(weight_zero_takes_nothing),
		cmocka_unit_test(cores_per_server),
		cmocka_unit_test(maxconn_l4_is_mmck),
		cmocka_unit_test(maxconn_l7_queue_is_mmc_overflow),
		cmocka_unit_test(queue_timeout_fails_and_loses_nothing),
		cmocka_unit_test(drain_takes_nothing_new),
		cmocka_unit_test(maint_takes_nothing_even_persistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
