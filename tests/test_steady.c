/* The steady state (lbsim/steady.h, scope "steady"): the measured time
 * outside each fault and its recovery, against figures derived by hand.
 *
 * The scenario: 4 servers that never queue, one layer-7 round-robin design
 * (it chooses a server per request, so the requests of steady time split
 * evenly), OWA browsers; warm-up 60 s, 600 s measured (60 .. 660 s);
 * server 3 is down from 200 s for 100 s. The recovery is the design's rise
 * x inter (2 x 2 s, HAProxy's defaults) plus the longest mean back-off of
 * the clients (OWA's 2 s): 6 s, so [200 s, 306 s) is not steady, and the
 * 10-s windows from 60 s that touch it, [200, 210) .. [300, 310), are
 * eleven: 60 - 11 = 49 steady windows, 490 s. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "lbsim/run.h"
#include "lbsim/steady.h"
#include "lbsim/summary.h"
#include "sim_fixture.h"

#define SEC(x) ((sim_time_t)((x) * 1e9))

static void setup(struct fixture *f, struct scn_fault *fault)
{
	fixture_init(f, 4, 1000, 0, 1000, 0, 600, 60, 1);
	fixture_devices(f, 1u << WL_OWA);
	fixture_design(f, 0, SCN_DESIGN_L7, "roundrobin");
	*fault = (struct scn_fault){.at = SEC(200), .duration = SEC(100), .server = 2,
				    .kind = SCN_FAULT_SERVER_DOWN};
	f->scn.faults = fault;
	f->scn.nfaults = 1;
}

static void test_steady_time(void **state)
{
	(void)state;
	struct fixture f;
	struct scn_fault fault;
	setup(&f, &fault);
	assert_int_equal(steady_recovery_ns(&f.scn), SEC(6));
	struct steady s;
	steady_init(&s, &f.scn);
	assert_true(steady_at(&s, SEC(199.999)));
	assert_false(steady_at(&s, SEC(200)));
	assert_false(steady_at(&s, SEC(305.999)));
	assert_true(steady_at(&s, SEC(306)));
	assert_false(steady_at(&s, SEC(59)));   /* warm-up */
	assert_false(steady_at(&s, SEC(660))); /* after the run */
	assert_true(steady_between(&s, SEC(190), SEC(200)));
	assert_false(steady_between(&s, SEC(300), SEC(310)));
	assert_true(steady_between(&s, SEC(310), SEC(320)));
}

/* steady_at(t) is steady_between(t, t + 1), written out for speed (it is
 * asked twice a request): the same answer at every edge of the measured
 * time and of the excluded span, and at the end of time. */
static void test_steady_at_is_one_nanosecond_between(void **state)
{
	(void)state;
	struct fixture f;
	struct scn_fault fault;
	setup(&f, &fault);
	struct steady s;
	steady_init(&s, &f.scn);
	const sim_time_t edges[] = {0, s.begin, s.end, s.spans[0].from, s.spans[0].to,
				    SIM_TIME_NEVER - 2};
	for (size_t e = 0; e < sizeof edges / sizeof *edges; e++)
		for (sim_time_t d = 0; d < 5; d++) {
			sim_time_t t = edges[e] + d >= 2 ? edges[e] + d - 2 : 0;
			assert_int_equal(steady_at(&s, t), steady_between(&s, t, t + 1));
		}
	assert_false(steady_at(&s, SIM_TIME_NEVER));
	/* A fault that never recovers: its span runs to the end of time. */
	fault.duration = SIM_TIME_NEVER;
	steady_init(&s, &f.scn);
	assert_true(s.spans[0].to == SIM_TIME_NEVER);
	for (sim_time_t t = SEC(199); t < SEC(201); t += SEC(0.25))
		assert_int_equal(steady_at(&s, t), steady_between(&s, t, t + 1));
}

/* Over steady time nothing fails and round robin is even; over all the
 * measured time the fault's failures count and the down server's missing
 * share shows. */
static void test_steady_leaves_the_fault_out(void **state)
{
	(void)state;
	struct fixture f;
	struct scn_fault fault;
	setup(&f, &fault);
	struct run_result r;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 0, &r, err, sizeof err), 0);
	print_message("steady %.1f s: %llu requests, %llu failed (all: %llu failed); peak_to_mean "
		      "steady %.4f, all %.4f\n",
		      r.steady.window_s, (unsigned long long)r.steady.sent,
		      (unsigned long long)r.steady.failed, (unsigned long long)r.measured_failed,
		      r.steady.skew.peak_to_mean, r.skew.peak_to_mean);
	assert_true(fabs(r.steady.window_s - 490) < 1e-9);
	assert_true(r.measured_failed > 0);
	assert_int_equal(r.steady.failed, 0);
	/* The steady answers' response times (their buckets derived at the
	 * end: world.h): servers that never queue answer steady and
	 * unsteady requests alike, so the steady quantiles are the whole's
	 * within sampling, and ordered. */
	print_message("response p50/p95/p99 ms: steady %.3f %.3f %.3f, all %.3f %.3f %.3f\n",
		      (double)r.steady.response_p50_ns / 1e6, (double)r.steady.response_p95_ns / 1e6,
		      (double)r.steady.response_p99_ns / 1e6, (double)r.response_p50_ns / 1e6,
		      (double)r.response_p95_ns / 1e6, (double)r.response_p99_ns / 1e6);
	assert_true(r.steady.response_p50_ns > 0);
	assert_true(r.steady.response_p50_ns <= r.steady.response_p95_ns &&
		    r.steady.response_p95_ns <= r.steady.response_p99_ns);
	assert_true(fabs((double)r.steady.response_p50_ns / (double)r.response_p50_ns - 1) < 0.03);
	assert_true(fabs((double)r.steady.response_p95_ns / (double)r.response_p95_ns - 1) < 0.05);
	assert_true(fabs(r.steady.response_mean_ns / r.response_mean_ns - 1) < 0.03);
	/* Requests in steady time: about 490/600 of the measured ones (the
	 * rate is even over time: closed loop, no queueing). */
	double share = (double)r.steady.sent / (double)r.measured;
	assert_true(fabs(share / (490.0 / 600) - 1) < 0.03);
	/* All: the down server lost 100 of 600 s, the others took its share
	 * meanwhile: peak (1 + 1/3 x 100/600) / mean 1, about 1.056. Steady:
	 * round robin over 4, within sampling. */
	assert_true(r.skew.peak_to_mean > 1.04);
	assert_true(r.steady.skew.peak_to_mean < 1.01);
	/* The metric catalogue reads the same. */
	const struct summary_metric *m = summary_metric_find("failed_requests", SUMMARY_STEADY);
	assert_non_null(m);
	assert_true(m->get(&r, 0) == 0);
	assert_null(summary_metric_find("external_ips", SUMMARY_STEADY));
	run_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_time),
		cmocka_unit_test(test_steady_at_is_one_nanosecond_between),
		cmocka_unit_test(test_steady_leaves_the_fault_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
