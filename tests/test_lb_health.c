/* Tests of health state: HAProxy's rise/fall counter, the probe schedule
 * (inter, fastinter, downinter) and the exact times at which a server is
 * marked down or up, the transition log, flapping, check kinds, the server
 * state derived from several checks, and slowstart.
 *
 * Probe results here arrive at the probe's own time (zero latency), so the
 * expected times are sums of intervals that each test computes from the
 * schedule rules (lb_health.h), not copied from a run.
 *
 * Links the core and cmocka only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lbsim/lb.h"
#include "lbsim/lb_health.h"
#include "lbsim/lb_sel.h"

#define S 1000000000ULL
#define MS 1000000ULL

/* The first probe time at or after t on a grid t0 + k * step. */
static uint64_t grid_at_or_after(uint64_t t0, uint64_t step, uint64_t t)
{
	if (t <= t0)
		return t0;
	return t0 + (t - t0 + step - 1) / step * step;
}

/* Probe c, whose server answers ok before `flip` and the opposite from
 * `flip` on, until the check changes state; returns the time of the change
 * (and fails the test after too many probes). */
static uint64_t probe_until_change(struct lb_hc *c, uint64_t from, uint64_t flip, int ok_before)
{
	uint64_t t = from;
	for (int i = 0; i < 1000; i++) {
		t = lb_hc_next_probe_ns(c, t);
		int ok = t < flip ? ok_before : !ok_before;
		if (lb_hc_result(c, t, ok))
			return t;
	}
	fail_msg("the check never changed state");
	return 0;
}

/* inter 2 s, fall 3, no fastinter: probes at 0, 2, 4, ...; the server fails
 * at 5.3 s; the probe at 6 s is the first to fail, and the third failure,
 * two inters later, marks it down at 10 s. With fastinter 500 ms the
 * failures after the first come 500 ms apart: down at 7 s. Then the check
 * probes at downinter. */
static void test_fall_timing(void **state)
{
	(void)state;
	const uint64_t inter = 2 * S, t_fail = 5300 * MS;
	const uint32_t fall = 3;
	const uint64_t fastinters[] = { 0, 500 * MS };
	for (size_t k = 0; k < 2; k++) {
		struct lb_hc_params p = { .inter_ns = inter, .fastinter_ns = fastinters[k],
					  .downinter_ns = 5 * S, .rise = 2, .fall = fall,
					  .init = LB_HC_INIT_FULLY_UP };
		struct lb_hc c;
		assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 1, 0, -1, NULL, 0), 0);
		assert_true(c.up);
		uint64_t first_fail = grid_at_or_after(0, inter, t_fail);   /* 6 s */
		uint64_t step = fastinters[k] ? fastinters[k] : inter;
		uint64_t want = first_fail + (fall - 1) * step;           /* 10 s or 7 s */
		assert_int_equal(want, k == 0 ? 10 * S : 7 * S);
		assert_int_equal(probe_until_change(&c, 0, t_fail, 1), want);
		assert_false(c.up);
		assert_int_equal(c.health, 0);
		assert_int_equal(lb_hc_next_probe_ns(&c, want), want + 5 * S); /* downinter */
		assert_int_equal(c.failures, fall);
	}

	/* A failure exactly at a probe time is seen by that probe. */
	struct lb_hc_params p = { .inter_ns = inter, .fall = fall, .init = LB_HC_INIT_FULLY_UP };
	struct lb_hc c;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 1, 0, -1, NULL, 0), 0);
	assert_int_equal(probe_until_change(&c, 0, 6 * S, 1), 6 * S + 2 * inter);
}

/* The HAProxy default init state (up, first failure takes it down) behaves
 * like fully-up once one probe has passed. */
static void test_fall_timing_default_init(void **state)
{
	(void)state;
	struct lb_hc_params p = { .inter_ns = 2 * S, .fall = 3 };
	struct lb_hc c;
	assert_int_equal(lb_hc_init(&c, &lb_hc_http, &p, 1, 0, -1, NULL, 0), 0);
	assert_true(c.up);
	assert_int_equal(c.health, c.params.rise);
	assert_int_equal(lb_hc_result(&c, 0, 1), 0);
	assert_int_equal(c.health, c.params.rise + c.params.fall - 1);
	assert_int_equal(probe_until_change(&c, 0, 5300 * MS, 1), 10 * S);
}

/* Rise: fully down, rise 2, downinter 5 s, fastinter 1 s; the server heals at
 * 12.5 s. Probes at 0, 5, 10, 15: the first success at 15 s, the second one
 * fastinter later marks it up at 16 s, then it probes at inter. Without
 * fastinter and downinter: probes every 2 s, first success at 14 s, up at
 * 16 s. */
static void test_rise_timing(void **state)
{
	(void)state;
	const uint64_t t_heal = 12500 * MS;
	const uint32_t rise = 2;
	{
		struct lb_hc_params p = { .inter_ns = 2 * S, .fastinter_ns = 1 * S,
					  .downinter_ns = 5 * S, .rise = rise, .fall = 3,
					  .init = LB_HC_INIT_FULLY_DOWN };
		struct lb_hc c;
		assert_int_equal(lb_hc_init(&c, &lb_hc_http, &p, 2, 0, -1, NULL, 0), 0);
		assert_false(c.up);
		uint64_t want = grid_at_or_after(0, 5 * S, t_heal) + (rise - 1) * 1 * S;
		assert_int_equal(want, 16 * S);
		assert_int_equal(probe_until_change(&c, 0, t_heal, 0), want);
		assert_true(c.up);
		assert_int_equal(lb_hc_next_probe_ns(&c, want), want + 2 * S);
	}
	{
		struct lb_hc_params p = { .inter_ns = 2 * S, .rise = rise, .fall = 3,
					  .init = LB_HC_INIT_FULLY_DOWN };
		struct lb_hc c;
		assert_int_equal(lb_hc_init(&c, &lb_hc_http, &p, 2, 0, -1, NULL, 0), 0);
		uint64_t want = grid_at_or_after(0, 2 * S, t_heal) + (rise - 1) * 2 * S;
		assert_int_equal(want, 16 * S);
		assert_int_equal(probe_until_change(&c, 0, t_heal, 0), want);
	}
}

/* Interval by health: full -> inter, 0 while down -> downinter, in
 * between -> fastinter; a success while partly failed restores full. */
static void test_interval_by_health(void **state)
{
	(void)state;
	struct lb_hc_params p = { .inter_ns = 10, .fastinter_ns = 3, .downinter_ns = 50,
				  .rise = 2, .fall = 3, .init = LB_HC_INIT_FULLY_UP };
	struct lb_hc c;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 100), 0);
	assert_int_equal(lb_hc_next_probe_ns(&c, 0), 100);    /* first probe as given */
	assert_int_equal(lb_hc_next_probe_ns(&c, 150), 150);  /* overdue: due now */
	assert_int_equal(lb_hc_interval_ns(&c), 10);
	lb_hc_result(&c, 100, 0);
	assert_int_equal(c.health, 3);
	assert_int_equal(lb_hc_interval_ns(&c), 3);
	assert_int_equal(lb_hc_next_probe_ns(&c, 100), 103);
	lb_hc_result(&c, 103, 1);
	assert_int_equal(c.health, 4);
	assert_int_equal(lb_hc_interval_ns(&c), 10);
	lb_hc_result(&c, 113, 0);
	lb_hc_result(&c, 116, 0);
	lb_hc_result(&c, 119, 0);
	assert_false(c.up);
	assert_int_equal(lb_hc_interval_ns(&c), 50);
	lb_hc_result(&c, 169, 1);
	assert_int_equal(c.health, 1);
	assert_int_equal(lb_hc_interval_ns(&c), 3);
	lb_hc_result(&c, 172, 0);                            /* back to 0 */
	assert_int_equal(c.health, 0);
	assert_int_equal(lb_hc_interval_ns(&c), 50);
}

static void test_init_states(void **state)
{
	(void)state;
	struct lb_hc c;
	struct lb_hc_params p = { .rise = 3, .fall = 3 };

	p.init = LB_HC_INIT_UP;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
	assert_true(c.up);
	assert_int_equal(lb_hc_result(&c, 1, 0), 1);          /* first failure: down */

	p.init = LB_HC_INIT_DOWN;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
	assert_false(c.up);
	assert_int_equal(lb_hc_result(&c, 1, 1), 1);          /* first success: up */

	p.init = LB_HC_INIT_FULLY_DOWN;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
	assert_int_equal(lb_hc_result(&c, 1, 1), 0);
	assert_int_equal(lb_hc_result(&c, 2, 1), 0);
	assert_int_equal(lb_hc_result(&c, 3, 1), 1);          /* rise-th success */

	p.init = LB_HC_INIT_FULLY_UP;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
	assert_int_equal(lb_hc_result(&c, 1, 0), 0);
	assert_int_equal(lb_hc_result(&c, 2, 0), 0);
	assert_int_equal(lb_hc_result(&c, 3, 0), 1);          /* fall-th failure */

	p.init = (enum lb_hc_init)9;
	assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), LB_EINVAL);
}

/* Alternating results never change the state when rise, fall >= 2, from
 * either settled state and whichever result comes first. With rise or fall
 * 1 they do (so the loop below is able to see a change). */
static void test_flapping(void **state)
{
	(void)state;
	for (uint32_t rise = 1; rise <= 4; rise++) {
		for (uint32_t fall = 1; fall <= 4; fall++) {
			for (int init = 0; init < 2; init++) {
				for (int first_ok = 0; first_ok < 2; first_ok++) {
					struct lb_hc_params p = {
						.rise = rise, .fall = fall,
						.init = init ? LB_HC_INIT_FULLY_DOWN : LB_HC_INIT_FULLY_UP,
					};
					struct lb_hc c;
					assert_int_equal(lb_hc_init(&c, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
					int up0 = c.up;
					uint64_t changes = 0;
					for (int i = 0; i < 1000; i++)
						changes += (uint64_t)lb_hc_result(&c, (uint64_t)i,
										  (i % 2 == 0) == first_ok);
					if (rise >= 2 && fall >= 2) {
						assert_int_equal(changes, 0);
						assert_int_equal(c.up, up0);
					} else if (rise == 1 && fall == 1) {
						assert_true(changes >= 999);
					}
				}
			}
		}
	}
}

/* A steady check (fully up and passing, fully down and failing) takes a
 * run of n results in one lb_hc_repeat exactly as n calls of lb_hc_result
 * leave it, every field the same; and a check that is not steady for a
 * verdict is really changed by one result of it (its health moves), so
 * steadiness is never claimed where a result would matter, nor missed.
 * Every rise and fall from 1 to 4, from every state a walk of mixed
 * results reaches, with inter, fastinter and downinter all different. */
static void test_steady_repeat(void **state)
{
	(void)state;
	uint64_t steady_seen = 0, unsteady_seen = 0;
	for (uint32_t rise = 1; rise <= 4; rise++) {
		for (uint32_t fall = 1; fall <= 4; fall++) {
			struct lb_hc_params p = {.rise = rise, .fall = fall, .inter_ns = 2 * S,
						 .fastinter_ns = 500 * MS, .downinter_ns = 7 * S};
			struct lb_hc c;
			assert_int_equal(lb_hc_init(&c, &lb_hc_http, &p, 0, 0, 0, NULL, 0), 0);
			uint64_t t = 0;
			for (int step = 0; step < 200; step++) {
				for (int ok = 0; ok < 2; ok++) {
					struct lb_hc one = c, many = c;
					if (!lb_hc_steady(&c, ok)) {
						unsteady_seen++;
						lb_hc_result(&one, t, ok);
						assert_int_not_equal(one.health, c.health);
						continue;
					}
					steady_seen++;
					uint64_t n = 1 + (uint64_t)step % 7, at = t;
					for (uint64_t k = 0; k < n; k++) {
						assert_int_equal(lb_hc_result(&one, at, ok), 0);
						if (k + 1 < n)
							at = lb_hc_next_probe_ns(&one, at);
					}
					lb_hc_repeat(&many, n, ok, at);
					assert_int_equal(one.health, many.health);
					assert_int_equal(one.up, many.up);
					assert_int_equal(one.next_probe_ns, many.next_probe_ns);
					assert_int_equal(one.last_change_ns, many.last_change_ns);
					assert_int_equal(one.probes, many.probes);
					assert_int_equal(one.failures, many.failures);
					assert_int_equal(one.transitions, many.transitions);
				}
				/* Walk on: mostly runs of one verdict, so both ends are
				 * reached and left. */
				int ok = (step / 5) % 2;
				lb_hc_result(&c, t, ok);
				t = lb_hc_next_probe_ns(&c, t);
			}
		}
	}
	assert_true(steady_seen > 1000);
	assert_true(unsteady_seen > 1000);
}

/* Transitions land in the log with their time, direction and check id; a
 * full ring keeps the latest ones and counts the rest. */
static void test_transition_log(void **state)
{
	(void)state;
	struct lb_hc_log log;
	assert_int_equal(lb_hc_log_init(&log, 3), 0);
	assert_int_equal(log.mem.live, 3 * sizeof(struct lb_hc_event));
	struct lb_hc_params p = { .rise = 1, .fall = 1, .init = LB_HC_INIT_FULLY_UP };
	struct lb_hc a, b;
	assert_int_equal(lb_hc_init(&a, &lb_hc_tcp, &p, 7, 0, -1, &log, 0), 0);
	assert_int_equal(lb_hc_init(&b, &lb_hc_tcp, &p, 8, 1, 2, &log, 0), 0);
	assert_int_equal(lb_hc_result(&a, 100, 0), 1);
	assert_int_equal(lb_hc_result(&b, 150, 1), 0);  /* no change, no event */
	assert_int_equal(lb_hc_result(&b, 200, 0), 1);
	assert_int_equal(lb_hc_result(&a, 300, 1), 1);
	assert_int_equal(log.len, 3);
	const struct lb_hc_event want[] = {
		{ 100, 7, 0 }, { 200, 8, 0 }, { 300, 7, 1 },
	};
	for (uint32_t i = 0; i < 3; i++) {
		const struct lb_hc_event *e = lb_hc_log_at(&log, i);
		assert_non_null(e);
		assert_int_equal(e->at_ns, want[i].at_ns);
		assert_int_equal(e->check_id, want[i].check_id);
		assert_int_equal(e->up, want[i].up);
	}
	assert_null(lb_hc_log_at(&log, 3));
	assert_int_equal(lb_hc_result(&b, 400, 1), 1);  /* overwrites the oldest */
	assert_int_equal(log.len, 3);
	assert_int_equal(lb_hc_log_dropped(&log), 1);
	assert_int_equal(lb_hc_log_at(&log, 0)->at_ns, 200);
	assert_int_equal(lb_hc_log_at(&log, 2)->at_ns, 400);
	assert_int_equal(lb_hc_log_at(&log, 2)->up, 1);
	assert_int_equal(a.transitions, 2);
	assert_int_equal(a.last_change_ns, 300);
	lb_hc_log_free(&log);
	assert_int_equal(log.mem.live, 0);
}

/* Each kind judges what it can see: tcp only the connection, http the
 * status, deep the logon and the transaction too; a reply at exactly the
 * timeout is late. */
static void test_kinds(void **state)
{
	(void)state;
	struct lb_hc t, h, d;
	struct lb_hc_params p = { .timeout_ns = 1000 };
	assert_int_equal(lb_hc_init(&t, &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
	assert_int_equal(lb_hc_init(&h, &lb_hc_http, &p, 1, 0, 0, NULL, 0), 0);
	assert_int_equal(lb_hc_init(&d, &lb_hc_deep, &p, 2, 0, 0, NULL, 0), 0);

	struct lb_hc_reply broken_page = { .connected = 1, .elapsed_ns = 10, .status = 503 };
	assert_int_equal(lb_hc_tcp.evaluate(&t, &broken_page), 1);
	assert_int_equal(lb_hc_http.evaluate(&h, &broken_page), 0);
	struct lb_hc_reply page_ok = { .connected = 1, .elapsed_ns = 999, .status = 200 };
	assert_int_equal(lb_hc_http.evaluate(&h, &page_ok), 1);
	assert_int_equal(lb_hc_deep.evaluate(&d, &page_ok), 0);     /* no logon */
	struct lb_hc_reply e2e = page_ok;
	e2e.authenticated = 1;
	assert_int_equal(lb_hc_deep.evaluate(&d, &e2e), 0);         /* store broken */
	e2e.end_to_end_ok = 1;
	assert_int_equal(lb_hc_deep.evaluate(&d, &e2e), 1);
	e2e.elapsed_ns = 1000;
	assert_int_equal(lb_hc_deep.evaluate(&d, &e2e), 0);
	struct lb_hc_reply refused = { .connected = 0 };
	assert_int_equal(lb_hc_tcp.evaluate(&t, &refused), 0);
	struct lb_hc_reply late = { .connected = 1, .elapsed_ns = 1000 };
	assert_int_equal(lb_hc_tcp.evaluate(&t, &late), 0);

	/* lb_hc_reply feeds the verdict to the state machine. */
	assert_int_equal(lb_hc_reply(&h, 5, &broken_page), 1);      /* default init: falls at once */
	assert_int_equal(h.probes, 1);
	assert_int_equal(h.failures, 1);

	/* Defaults and paths. */
	assert_string_equal(lb_hc_path(&h), "/owa/healthcheck.htm");
	assert_int_equal(lb_hc_expect_status(&h), 200);
	assert_string_equal(lb_hc_path(&t), "");
	struct lb_hc_params eas = { .expect_status = 204 };
	strcpy(eas.path, "/Microsoft-Server-ActiveSync/healthcheck.htm");
	assert_int_equal(lb_hc_init(&h, &lb_hc_http, &eas, 1, 0, 2, NULL, 0), 0);
	assert_string_equal(lb_hc_path(&h), "/Microsoft-Server-ActiveSync/healthcheck.htm");
	assert_int_equal(lb_hc_expect_status(&h), 204);
	assert_int_equal(h.params.inter_ns, 2 * S);
	assert_int_equal(h.params.fastinter_ns, 2 * S);
	assert_int_equal(h.params.downinter_ns, 2 * S);
	assert_int_equal(h.params.timeout_ns, 2 * S);
	assert_int_equal(h.params.rise, 2);
	assert_int_equal(h.params.fall, 3);
	assert_int_equal(h.workload, 2);

	assert_true(lb_hc_tcp.cost < lb_hc_http.cost);
	assert_true(lb_hc_http.cost < lb_hc_deep.cost);

	char buf[64];
	assert_string_equal(lb_hc_names(buf, sizeof buf), "tcp, http, deep");
	assert_ptr_equal(lb_hc_find("deep"), &lb_hc_deep);
	assert_null(lb_hc_find("icmp"));
}

/* A server is up only when all of the checks handed in that it owns are
 * up; a server without checks is up. Commit pushes that into the pool, and
 * the algorithm stops picking the server. With every server out, lb_pick
 * returns -1. */
static void test_server_state_and_commit(void **state)
{
	(void)state;
	struct lb_pool pool;
	assert_int_equal(lb_pool_init(&pool, "cas", 3, NULL, lb_sel_find("roundrobin"), NULL), 0);
	struct lb_hc_params p = { .rise = 1, .fall = 1, .init = LB_HC_INIT_FULLY_UP };
	struct lb_hc checks[3];
	assert_int_equal(lb_hc_init(&checks[0], &lb_hc_http, &p, 0, 0, 0, NULL, 0), 0); /* srv 0, owa */
	assert_int_equal(lb_hc_init(&checks[1], &lb_hc_http, &p, 1, 0, 1, NULL, 0), 0); /* srv 0, eas */
	assert_int_equal(lb_hc_init(&checks[2], &lb_hc_http, &p, 2, 1, 0, NULL, 0), 0); /* srv 1, owa */

	assert_int_equal(lb_hc_commit(&pool, checks, 3, NULL, 0), 0);
	lb_hc_result(&checks[1], 10, 0);  /* eas broken on server 0 */
	assert_int_equal(lb_hc_server_up(checks, 3, 0), 0);
	assert_int_equal(lb_hc_server_up(checks, 3, 1), 1);
	assert_int_equal(lb_hc_server_up(checks, 3, 2), 1);
	/* A pool that only the owa check feeds still has server 0. */
	assert_int_equal(lb_hc_server_up(checks, 1, 0), 1);

	assert_int_equal(lb_hc_commit(&pool, checks, 3, NULL, 10), 1);
	assert_int_equal(pool.servers[0].healthy, 0);
	assert_int_equal(lb_hc_commit(&pool, checks, 3, NULL, 11), 0);
	struct lb_request req = { 0 };
	for (int i = 0; i < 30; i++)
		assert_int_not_equal(lb_pick(&pool, &req, 12), 0);

	lb_hc_result(&checks[2], 20, 0);
	assert_int_equal(lb_hc_commit(&pool, checks, 3, NULL, 20), 1);
	assert_int_equal(lb_server_set_admin(&pool, 2, LB_ADMIN_DOWN), 0);
	assert_int_equal(lb_pick(&pool, &req, 21), -1);

	lb_hc_result(&checks[1], 30, 1);
	assert_int_equal(lb_hc_commit(&pool, checks, 3, NULL, 30), 1);
	assert_int_equal(lb_pick(&pool, &req, 31), 0);
	lb_pool_free(&pool);
}

/* HAProxy's ramp, computed here as HAProxy computes it, in whole seconds:
 * w = (16 * elapsed + slowstart) / slowstart, eweight = ceil(weight * w / 16),
 * full weight once elapsed >= slowstart. */
static uint32_t haproxy_eweight(uint32_t weight, uint64_t elapsed_s, uint64_t slowstart_s)
{
	if (elapsed_s >= slowstart_s)
		return weight;
	uint64_t w = (16 * elapsed_s + slowstart_s) / slowstart_s;
	return (uint32_t)((weight * w + 15) / 16);
}

static void test_slowstart_formula(void **state)
{
	(void)state;
	const uint32_t weights[] = { 1, 7, 16, 100, 256 };
	const uint64_t durations[] = { 10, 20, 60 };
	for (size_t wi = 0; wi < 5; wi++) {
		for (size_t di = 0; di < 3; di++) {
			struct lb_slowstart ss = { .duration_ns = durations[di] * S };
			lb_slowstart_begin(&ss, 1000 * S);
			uint32_t prev = 0;
			for (uint64_t e = 0; e <= durations[di] + 2; e++) {
				uint32_t got = lb_slowstart_eweight(&ss, weights[wi], 1000 * S + e * S);
				assert_int_equal(got, haproxy_eweight(weights[wi], e, durations[di]));
				assert_true(got >= 1 && got >= prev && got <= weights[wi]);
				prev = got;
			}
		}
	}
	/* The ramp starts at 1/16 of the weight, rounded up. */
	struct lb_slowstart ss = { .duration_ns = 16 * S };
	lb_slowstart_begin(&ss, 0);
	assert_int_equal(lb_slowstart_eweight(&ss, 100, 0), 7);
	assert_int_equal(lb_slowstart_eweight(&ss, 100, 1 * S), 13);
	assert_int_equal(lb_slowstart_eweight(&ss, 100, 15 * S), 100);
	/* Off, or not begun: the weight. */
	struct lb_slowstart off = { 0 };
	lb_slowstart_begin(&off, 0);
	assert_int_equal(lb_slowstart_eweight(&off, 100, 0), 100);
	struct lb_slowstart idle = { .duration_ns = 10 * S };
	assert_int_equal(lb_slowstart_eweight(&idle, 100, 0), 100);
	/* Update cadence: max(1 s, slowstart / 20). */
	struct lb_slowstart big = { .duration_ns = 100 * S }, small = { .duration_ns = 10 * S };
	assert_int_equal(lb_slowstart_next_update_ns(&big, 0), 5 * S);
	assert_int_equal(lb_slowstart_next_update_ns(&small, 0), 1 * S);
}

/* A server coming back through lb_hc_commit starts at the ramp's first
 * weight, and the smooth round robin gives it exactly that share of a window
 * (W = sum of effective weights picks give each server its eweight). */
static void test_slowstart_commit(void **state)
{
	(void)state;
	struct lb_pool pool;
	const uint32_t w[2] = { 16, 16 };
	assert_int_equal(lb_pool_init(&pool, "p", 2, w, lb_sel_find("roundrobin"), NULL), 0);
	struct lb_hc_params p = { .rise = 1, .fall = 1, .init = LB_HC_INIT_FULLY_UP };
	struct lb_hc checks[2];
	assert_int_equal(lb_hc_init(&checks[0], &lb_hc_tcp, &p, 0, 0, -1, NULL, 0), 0);
	assert_int_equal(lb_hc_init(&checks[1], &lb_hc_tcp, &p, 1, 1, -1, NULL, 0), 0);
	struct lb_slowstart ss[2] = { { .duration_ns = 32 * S }, { .duration_ns = 32 * S } };

	lb_hc_result(&checks[0], 0, 0);
	assert_int_equal(lb_hc_commit(&pool, checks, 2, ss, 0), 1);
	assert_false(ss[0].active);                 /* going down starts nothing */
	lb_hc_result(&checks[0], 100 * S, 1);
	assert_int_equal(lb_hc_commit(&pool, checks, 2, ss, 100 * S), 1);
	assert_true(ss[0].active);
	assert_int_equal(pool.servers[0].eweight, 1);   /* ceil(16 / 16) */
	assert_int_equal(pool.servers[0].weight, 16);   /* configured weight untouched */

	struct lb_request req = { 0 };
	int got0 = 0;
	for (int i = 0; i < 17; i++)
		got0 += lb_pick(&pool, &req, 100 * S) == 0;
	assert_int_equal(got0, 1);

	/* Halfway: step 9 of 16. */
	assert_int_equal(lb_slowstart_update(&ss[0], &pool, 0, 116 * S), 1);
	assert_int_equal(pool.servers[0].eweight, 9);
	assert_int_equal(lb_slowstart_update(&ss[0], &pool, 0, 132 * S), 0);
	assert_int_equal(pool.servers[0].eweight, 16);
	assert_false(ss[0].active);

	/* Down in the middle of a ramp stops it; back up starts a new one. */
	lb_hc_result(&checks[1], 200 * S, 0);
	assert_int_equal(lb_hc_commit(&pool, checks, 2, ss, 200 * S), 1);
	lb_hc_result(&checks[1], 210 * S, 1);
	assert_int_equal(lb_hc_commit(&pool, checks, 2, ss, 210 * S), 1);
	assert_true(ss[1].active);
	assert_int_equal(pool.servers[1].eweight, 1);
	lb_hc_result(&checks[1], 220 * S, 0);
	assert_int_equal(lb_hc_commit(&pool, checks, 2, ss, 220 * S), 1);
	assert_false(ss[1].active);
	lb_hc_result(&checks[1], 300 * S, 1);
	assert_int_equal(lb_hc_commit(&pool, checks, 2, ss, 300 * S), 1);
	assert_int_equal(ss[1].since_ns, 300 * S);
	assert_int_equal(pool.servers[1].eweight, 1);
	lb_pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fall_timing),
		cmocka_unit_test(test_fall_timing_default_init),
		cmocka_unit_test(test_rise_timing),
		cmocka_unit_test(test_interval_by_health),
		cmocka_unit_test(test_init_states),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_transition_log),
		cmocka_unit_test(test_steady_repeat),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_server_state_and_commit),
		cmocka_unit_test(test_slowstart_formula),
		cmocka_unit_test(test_slowstart_commit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
