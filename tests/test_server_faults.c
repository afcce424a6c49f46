/* A fault on a server fails exactly the requests on it that it matches,
 * and in the order the server's lists had: parked long polls, then the
 * queue, then those on a core, each in the order they joined. Since issue
 * 19 the server keeps no list of its parked and in-service requests and
 * finds them by walking the request pool (models/server.c), so the walk
 * must also pass over what is not on this server: requests already
 * answered and back in the pool's free list, and requests on another
 * server drawn from the same pool. And the cores the failed requests free
 * go to the queue's survivors at once.
 *
 * Each case is built by hand, and the expected order is written out from
 * the arrivals, not computed by the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lbsim/engine.h"
#include "lbsim/histogram.h"
#include "lbsim/request.h"
#include "lbsim/server.h"
#include "lbsim/workload.h"

#define MS 1000000LL

/* What the servers said, in order: which request (its user field), from
 * which server, answered or failed, when. */
struct said {
	uint32_t user, server;
	int ok;
	sim_time_t at;
};

struct rig {
	struct sim_engine eng;
	struct request_pool pool;
	struct sim_server a, b;
	struct said log[64];
	int n;
};

static struct histogram latency_a, latency_b;

static void record(void *owner, struct sim_server *srv, struct request *req, int ok)
{
	struct rig *r = owner;
	assert_true(r->n < 64);
	r->log[r->n++] = (struct said){req->user, srv->id, ok, sim_now(&r->eng)};
	request_put(&r->pool, req);
}

/* A request for server srv, of workload w, held (a long poll) hold ms,
 * then demand ms of one core; not measured, so no histogram is touched. */
static void send(struct rig *r, struct sim_server *srv, uint32_t user, enum workload w,
		 sim_time_t hold_ms, sim_time_t demand_ms)
{
	struct request *req = request_get(&r->pool);
	assert_non_null(req);
	req->user = user;
	req->workload = (uint8_t)w;
	req->hold = hold_ms * MS;
	req->demand = demand_ms * MS;
	req->sent = req->arrived = sim_now(&r->eng);
	req->measured = 0;
	req->misrouted = 0;
	server_arrive(&r->eng, srv, req);
}

static void rig_init(struct rig *r)
{
	r->n = 0;
	assert_int_equal(sim_engine_init(&r->eng, 0), 0);
	request_pool_init(&r->pool);
	assert_int_equal(server_init(&r->a, 0, 2, &latency_a, &r->pool, record, r), 0);
	assert_int_equal(server_init(&r->b, 1, 1, &latency_b, &r->pool, record, r), 0);
}

static void rig_free(struct rig *r)
{
	server_free(&r->a);
	server_free(&r->b);
	request_pool_free(&r->pool);
	sim_engine_free(&r->eng);
}

/* Log entries first.. of r are users' failures on server a (id 0) at at,
 * in that order. */
static void expect_failed(const struct rig *r, uint32_t first, const uint32_t *users, uint32_t n,
			  sim_time_t at)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct said *e = &r->log[first + i];
		assert_int_equal(e->user, users[i]);
		assert_int_equal(e->server, 0);
		assert_false(e->ok);
		assert_true(e->at == at);
	}
}

/* Server a (2 cores) at time 0: 1 and 2 take the cores, 3, 4 and 8 are
 * parked, 5, 6 and 7 queue; server b (1 core) serves 9. At 10 ms 1 is
 * answered (back to the pool) and 5 takes its core; at 11 ms long poll 10
 * is parked in 1's old place, the first the pool walk meets. At 12 ms
 * EAS fails on a: its parked requests in joining order (3, 8, 10: the
 * walk's order would put 10 first), its queued one (7), its requests on a
 * core in joining order (2, then 5, which started last); neither 1
 * (answered, in the free list), nor b's 9, nor a's OWA requests. 6 takes
 * a freed core at once. */
static void test_workload_fault_order(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	send(&r, &r.a, 1, WL_OWA, 0, 10);
	send(&r, &r.a, 2, WL_EAS, 0, 100);
	send(&r, &r.a, 3, WL_EAS, 50, 1);
	send(&r, &r.a, 4, WL_OWA, 80, 1);
	send(&r, &r.a, 5, WL_EAS, 0, 5);
	send(&r, &r.a, 6, WL_OWA, 0, 5);
	send(&r, &r.a, 7, WL_EAS, 0, 5);
	send(&r, &r.a, 8, WL_EAS, 30, 1);
	send(&r, &r.b, 9, WL_EAS, 0, 100);
	assert_int_equal(r.a.busy, 2);
	assert_int_equal(r.a.parked, 3);

	sim_run(&r.eng, 11 * MS);
	assert_int_equal(r.n, 1);
	assert_true(r.log[0].user == 1 && r.log[0].ok && r.log[0].at == 10 * MS);
	struct request *slot_of_1 = r.pool.free;
	send(&r, &r.a, 10, WL_EAS, 30, 1);
	assert_true(slot_of_1->user == 10); /* 1's place, reused */
	sim_run(&r.eng, 12 * MS);

	server_set_workload_down(&r.eng, &r.a, WL_EAS, 1);
	const uint32_t failed[] = {3, 8, 10, 7, 2, 5};
	assert_int_equal(r.n, 1 + 6);
	expect_failed(&r, 1, failed, 6, 12 * MS);
	/* Left on a: 6 on a core (taken at the fault), 4 parked. */
	assert_int_equal(r.a.busy, 1);
	assert_int_equal(r.a.parked, 1);
	assert_null(r.a.queue.head);

	/* The rest runs out: 6 at 12 + 5 ms, 4 unparked at 80 and served by
	 * 81, b's 9 at 100; every request answered or failed once. */
	sim_run(&r.eng, 200 * MS);
	assert_int_equal(r.n, 10);
	const struct said after[] = {{6, 0, 1, 17 * MS}, {4, 0, 1, 81 * MS}, {9, 1, 1, 100 * MS}};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r.log[7 + i].user, after[i].user);
		assert_int_equal(r.log[7 + i].server, after[i].server);
		assert_true(r.log[7 + i].ok && r.log[7 + i].at == after[i].at);
	}
	assert_int_equal(r.pool.live, 0);
	assert_int_equal(r.a.busy, 0);
	assert_int_equal(r.a.parked, 0);
	rig_free(&r);
}

/* The whole server down fails everything on it, every workload, in the
 * same order (parked, queued, on a core), and a second fault with nothing
 * left fails nothing: requests in the free list are never visited twice. */
static void test_server_down_then_again(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	send(&r, &r.a, 1, WL_OWA, 0, 10);
	send(&r, &r.a, 2, WL_EAS, 20, 1);
	send(&r, &r.a, 3, WL_MAPI, 0, 10);
	send(&r, &r.a, 4, WL_EWS, 0, 10);
	send(&r, &r.a, 5, WL_OWA, 5, 1);
	send(&r, &r.b, 6, WL_OWA, 0, 10);
	sim_run(&r.eng, 1 * MS);
	server_set_down(&r.eng, &r.a, 1);
	const uint32_t failed[] = {2, 5, 4, 1, 3};
	assert_int_equal(r.n, 5);
	expect_failed(&r, 0, failed, 5, 1 * MS);
	assert_int_equal(r.a.busy, 0);
	assert_int_equal(r.a.parked, 0);
	server_set_down(&r.eng, &r.a, 0);
	server_set_down(&r.eng, &r.a, 1);
	assert_int_equal(r.n, 5);
	sim_run(&r.eng, 50 * MS);
	assert_int_equal(r.n, 6);
	assert_true(r.log[5].user == 6 && r.log[5].ok && r.log[5].at == 10 * MS);
	assert_int_equal(r.pool.live, 0);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workload_fault_order),
		cmocka_unit_test(test_server_down_then_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
