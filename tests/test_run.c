/* Whole runs: conservation of requests, determinism of the CSV output,
 * common random numbers across designs, and the round-robin split. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lbsim/csv_out.h"
#include "lbsim/event_kind.h"
#include "lbsim/experiment.h"
#include "lbsim/run.h"
#include "sim_fixture.h"

/* Overloaded servers (offered 1.5x capacity) keep many requests queued at
 * the end: sent = completed + failed + in flight must still hold exactly. */
static void test_conservation_under_overload(void **state)
{
	(void)state;
	struct fixture f;
	/* 2 servers x 2 cores x 100/s = 400/s capacity; 600/s offered. */
	fixture_init(&f, 2, 2, 10000000, 600, 1.0, 60, 5, 1);
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	assert_true(res.in_flight > 1000); /* (600 - 400)/s x 65 s builds a queue */
	assert_int_equal(res.sent, res.completed + res.failed + res.in_flight);
	assert_int_equal(res.failed, 0);
	/* Servers were busy all the time. */
	assert_true(res.servers[0].busy_fraction > 0.99);
	run_result_free(&res);
}

static void test_conservation_light_load(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 2, 5000000, 2000, 0.2, 300, 30, 1);
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	assert_int_equal(res.sent, res.completed + res.failed + res.in_flight);
	/* At 25 % load few requests are in the system at the end. */
	assert_true(res.in_flight < 20);
	run_result_free(&res);
}

/* Round robin over equal servers: the measured requests differ by at most
 * one between servers, so the split is fair by every skew metric. */
static void test_roundrobin_split(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 8, 4, 5000000, 5000, 0.2, 120, 10, 1);
	struct run_result res;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &res, err, sizeof err), 0);
	uint64_t lo = UINT64_MAX, hi = 0, sum = 0;
	for (uint32_t i = 0; i < res.nservers; i++) {
		uint64_t r = res.servers[i].requests;
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
		sum += r;
	}
	assert_true(hi - lo <= 1);
	assert_int_equal(sum, res.measured);
	assert_true(res.skew.jain > 0.999999);
	assert_true(res.skew.peak_to_mean < 1.0001);
	assert_true(res.skew.chi2_p > 0.99);
	run_result_free(&res);
}

/* Common random numbers: every design of a replication sees the same
 * client traffic; another replication sees different traffic. */
static void test_common_random_numbers(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 2, 5000000, 1000, 0.5, 60, 5, 3);
	/* The designs' own time differs (an l7 makes TLS handshakes): without
	 * it, the same arrivals give the same response times. */
	for (uint32_t d = 0; d < 3; d++)
		fixture_instant_balancer(&f, d);
	f.scn.replications = 2;
	struct experiment ex = {0};
	char err[256];
	assert_int_equal(experiment_run(&ex, &f.scn, 2, NULL, err, sizeof err), 0);
	for (uint32_t d = 1; d < 3; d++) {
		assert_int_equal(experiment_run_of(&ex, d, 0)->sent, experiment_run_of(&ex, 0, 0)->sent);
		assert_int_equal(experiment_run_of(&ex, d, 1)->sent, experiment_run_of(&ex, 0, 1)->sent);
		assert_true(experiment_run_of(&ex, d, 0)->response_mean_ns ==
			    experiment_run_of(&ex, 0, 0)->response_mean_ns);
	}
	assert_int_not_equal(experiment_run_of(&ex, 0, 0)->sent, experiment_run_of(&ex, 0, 1)->sent);
	experiment_free(&ex);
}

/* balance random draws from the balancer's own stream, seeded per
 * (seed, replication, design): two designs alike but for their names see
 * the same clients (common random numbers) and pick differently, and a
 * design's picks differ between replications. Before, every design and
 * replication drew the same sequence. */
static void test_random_seeded_per_design_and_replication(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 8, 4, 5000000, 1000, 0.5, 60, 5, 2);
	for (uint32_t d = 0; d < 2; d++)
		fixture_design(&f, d, SCN_DESIGN_L4, "random");
	f.designs[0].sel_params.draws = f.designs[1].sel_params.draws = 1;
	f.scn.replications = 2;
	struct experiment ex = {0};
	char err[256];
	assert_int_equal(experiment_run(&ex, &f.scn, 2, NULL, err, sizeof err), 0);
	const struct run_result *a = experiment_run_of(&ex, 0, 0), *b = experiment_run_of(&ex, 1, 0);
	assert_int_equal(a->sent, b->sent);
	int differ = 0;
	for (uint32_t i = 0; i < a->nservers; i++)
		differ += a->servers[i].requests != b->servers[i].requests;
	assert_true(differ >= 4);
	/* The draws themselves: the share of server 1 in replication 0 and
	 * 1 of one design come from different streams. */
	const struct run_result *a1 = experiment_run_of(&ex, 0, 1);
	double s0 = (double)a->servers[0].requests / (double)a->measured;
	double s1 = (double)a1->servers[0].requests / (double)a1->measured;
	assert_true(s0 != s1);
	experiment_free(&ex);
}

/* --profile: every event of every run is counted once, under its kind,
 * and timing changes no result. */
static void test_profile_sums_every_event(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 2, 5000000, 1000, 0.5, 60, 5, 3);
	/* The designs' own time differs (an l7 makes TLS handshakes): without
	 * it, the same arrivals give the same response times. */
	for (uint32_t d = 0; d < 3; d++)
		fixture_instant_balancer(&f, d);
	f.scn.replications = 2;
	struct experiment plain = {0}, timed = {.profile = 1};
	char err[256];
	assert_int_equal(experiment_run(&plain, &f.scn, 2, NULL, err, sizeof err), 0);
	assert_int_equal(experiment_run(&timed, &f.scn, 2, NULL, err, sizeof err), 0);
	uint64_t events = 0;
	for (unsigned k = 0; k < SIM_PROFILE_KINDS; k++)
		events += timed.profile_sum.events[k];
	assert_int_equal(events, timed.events);
	assert_int_equal(timed.events, plain.events);
	assert_true(timed.profile_sum.events[EV_ARRIVAL] > 0);
	assert_true(timed.profile_sum.events[EV_SERVER_DONE] > 0);
	assert_true(timed.profile_sum.run_ns > 0);
	for (uint32_t d = 0; d < f.scn.ndesigns; d++)
		for (uint32_t r = 0; r < 2; r++) {
			const struct run_result *a = experiment_run_of(&plain, d, r);
			const struct run_result *b = experiment_run_of(&timed, d, r);
			assert_int_equal(a->sent, b->sent);
			assert_int_equal(a->completed, b->completed);
			assert_int_equal(a->traffic_checksum, b->traffic_checksum);
			assert_true(a->response_mean_ns == b->response_mean_ns);
		}
	/* No profile asked: nothing recorded. */
	assert_int_equal(plain.profile_sum.run_ns, 0);
	experiment_free(&plain);
	experiment_free(&timed);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static void run_to_dir(struct fixture *f, const char *dir, unsigned jobs)
{
	struct experiment ex = {0};
	char err[256];
	assert_int_equal(experiment_run(&ex, &f->scn, jobs, NULL, err, sizeof err), 0);
	assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
	assert_int_equal(experiment_write_csv(&ex, dir, err, sizeof err), 0);
	experiment_free(&ex);
}

static void assert_same_file(const char *a, const char *b, int same)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(la == lb && memcmp(x, y, la) == 0, same);
	free(x);
	free(y);
}

/* Same seed, same bytes, whatever the number of threads; another seed,
 * other bytes. */
static void test_determinism(void **state)
{
	(void)state;
	char base[] = "/tmp/lbsim-test-XXXXXX";
	assert_non_null(mkdtemp(base));
	char d1[300], d2[300], d3[300], p1[320], p2[320], p3[320];
	snprintf(d1, sizeof d1, "%s/a", base);
	snprintf(d2, sizeof d2, "%s/b", base);
	snprintf(d3, sizeof d3, "%s/c", base);
	struct fixture f;
	fixture_init(&f, 4, 2, 5000000, 1000, 0.5, 60, 5, 2);
	f.scn.replications = 3;
	run_to_dir(&f, d1, 1);
	run_to_dir(&f, d2, 2); /* two threads: the same bytes as one */
	f.scn.seed = 2;
	run_to_dir(&f, d3, 2);
	const char *files[] = {"summary.csv", "servers.csv"};
	for (int i = 0; i < 2; i++) {
		snprintf(p1, sizeof p1, "%s/%s", d1, files[i]);
		snprintf(p2, sizeof p2, "%s/%s", d2, files[i]);
		snprintf(p3, sizeof p3, "%s/%s", d3, files[i]);
		assert_same_file(p1, p2, 1);
		assert_same_file(p1, p3, 0);
		unlink(p1);
		unlink(p2);
		unlink(p3);
	}
	rmdir(d1);
	rmdir(d2);
	rmdir(d3);
	rmdir(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conservation_under_overload),
		cmocka_unit_test(test_conservation_light_load),
		cmocka_unit_test(test_roundrobin_split),
		cmocka_unit_test(test_common_random_numbers),
		cmocka_unit_test(test_random_seeded_per_design_and_replication),
		cmocka_unit_test(test_profile_sums_every_event),
		cmocka_unit_test(test_determinism),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
