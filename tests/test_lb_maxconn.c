/* maxconn and backup servers in the balancer core, against what HAProxy
 * does (configuration manual 5.2 "maxconn", "backup"; lb_fwlc.c, lb_fwrr.c,
 * lb_map.c skip a saturated server; get_server_rnd gives none when its
 * choice is full; a hash keeps its server, on which the request queues):
 *   - first fills server 1 to maxconn before server 2, and so on; full
 *     everywhere is LB_PICK_FULL, not -1 (which means nothing usable);
 *   - leastconn, roundrobin and static-rr pass over full servers, so no
 *     server ever holds more than its maxconn;
 *   - random gives LB_PICK_FULL when its choice is full;
 *   - source hashing keeps its server when it is full (the caller queues);
 *   - a server with requests in its own queue is full for newcomers;
 *   - backup servers: none used while an active one is usable, then only
 *     the first usable backup, and back when an active server returns.
 * The core alone (no simulator): every count here is exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "lbsim/lb.h"
#include "lbsim/lb_sel.h"

static const struct lb_request no_req;

static void pool_of(struct lb_pool *pool, const struct lb_sel_ops *sel, uint32_t n,
		    const uint32_t *weights, uint32_t maxconn)
{
	struct lb_sel_params params = {0};
	assert_int_equal(lb_pool_init(pool, "p", n, weights, sel, &params), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(lb_server_set_maxconn(pool, i, maxconn), 0);
}

static int pick_open(struct lb_pool *pool, const struct lb_request *req)
{
	int s = lb_pick(pool, req, 0);
	if (s >= 0)
		lb_conn_open(pool, (uint32_t)s);
	return s;
}

/* first: server 1 (id 0) up to maxconn, then server 2; a freed slot on
 * server 1 is taken before server 3's free ones. */
static void first_fills_in_id_order(void **state)
{
	(void)state;
	struct lb_pool pool;
	pool_of(&pool, &lb_sel_first, 3, NULL, 3);
	const int expect[] = {0, 0, 0, 1, 1, 1, 2, 2, 2, LB_PICK_FULL};
	for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++)
		assert_int_equal(pick_open(&pool, &no_req), expect[k]);
	lb_conn_close(&pool, 2);
	lb_conn_close(&pool, 0);
	assert_int_equal(pick_open(&pool, &no_req), 0);
	assert_int_equal(pick_open(&pool, &no_req), 2);
	/* Everyone down is -1, not "full". */
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(lb_server_set_healthy(&pool, i, 0), 0);
	assert_int_equal(lb_pick(&pool, &no_req, 0), -1);
	lb_pool_free(&pool);
}

/* The skipping algorithms never put more than maxconn on a server, fill
 * every slot before saying LB_PICK_FULL, and take a freed slot at once. */
static void skipping_algorithms_respect_maxconn(void **state)
{
	(void)state;
	const struct lb_sel_ops *algs[] = {&lb_sel_leastconn, &lb_sel_roundrobin,
					   &lb_sel_static_rr, &lb_sel_first};
	const uint32_t weights[] = {5, 1, 3, 1};
	for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
		struct lb_pool pool;
		pool_of(&pool, algs[a], 4, weights, 2);
		for (int k = 0; k < 8; k++)
			assert_true(pick_open(&pool, &no_req) >= 0);
		for (uint32_t i = 0; i < 4; i++)
			assert_int_equal(pool.servers[i].conns, 2);
		assert_int_equal(lb_pick(&pool, &no_req, 0), LB_PICK_FULL);
		lb_conn_close(&pool, 3);
		assert_int_equal(pick_open(&pool, &no_req), 3);
		/* A server with someone in its own queue is full for others. */
		lb_conn_close(&pool, 1);
		lb_server_queue_add(&pool, 1, +1);
		assert_true(lb_server_full(&pool.servers[1]));
		assert_int_equal(lb_pick(&pool, &no_req, 0), LB_PICK_FULL);
		lb_server_queue_add(&pool, 1, -1);
		assert_int_equal(pick_open(&pool, &no_req), 1);
		lb_pool_free(&pool);
	}
}

/* random (one draw): its choice full is LB_PICK_FULL, never another server. */
static void random_full_choice_is_none(void **state)
{
	(void)state;
	struct lb_pool pool;
	struct lb_sel_params params = {.draws = 1, .seed = 42};
	assert_int_equal(lb_pool_init(&pool, "p", 2, NULL, &lb_sel_random, &params), 0);
	assert_int_equal(lb_server_set_maxconn(&pool, 0, 1), 0);
	lb_conn_open(&pool, 0);
	int full = 0, one = 0;
	for (int k = 0; k < 200; k++) {
		int s = lb_pick(&pool, &no_req, 0);
		assert_true(s == 1 || s == LB_PICK_FULL);
		full += s == LB_PICK_FULL;
		one += s == 1;
	}
	/* Both happen: a fair coin 200 times (each side at least 50 with
	 * probability above 1 - 1e-12). */
	assert_true(full >= 50 && one >= 50);
	lb_pool_free(&pool);
}

/* source hashing keeps the server the key names, full or not: the caller
 * queues the request on it (a client keeps its server). */
static void hash_keeps_full_server(void **state)
{
	(void)state;
	struct lb_pool pool;
	pool_of(&pool, &lb_sel_source, 4, NULL, 1);
	struct lb_request req = {.src_ip = 0x0a000001};
	int s = lb_pick(&pool, &req, 0);
	assert_true(s >= 0);
	lb_conn_open(&pool, (uint32_t)s);
	assert_true(lb_server_full(&pool.servers[s]));
	assert_int_equal(lb_pick(&pool, &req, 0), s);
	lb_pool_free(&pool);
}

/* backup servers 2 and 3 (ids): unused while 0 or 1 is usable; then only
 * the first usable backup; the actives back, the backups stand by again. */
static void backup_only_when_actives_down(void **state)
{
	(void)state;
	struct lb_pool pool;
	pool_of(&pool, &lb_sel_roundrobin, 4, NULL, 0);
	assert_int_equal(lb_server_set_backup(&pool, 2, 1), 0);
	assert_int_equal(lb_server_set_backup(&pool, 3, 1), 0);
	for (int k = 0; k < 20; k++)
		assert_true(lb_pick(&pool, &no_req, 0) <= 1);
	assert_int_equal(lb_server_set_healthy(&pool, 0, 0), 0);
	for (int k = 0; k < 20; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), 1);
	assert_int_equal(lb_server_set_healthy(&pool, 1, 0), 0);
	for (int k = 0; k < 20; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), 2);
	assert_int_equal(lb_server_set_healthy(&pool, 2, 0), 0);
	for (int k = 0; k < 20; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), 3);
	assert_int_equal(lb_server_set_healthy(&pool, 0, 1), 0);
	for (int k = 0; k < 20; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), 0);
	lb_pool_free(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_fills_in_id_order),
		cmocka_unit_test(skipping_algorithms_respect_maxconn),
		cmocka_unit_test(random_full_choice_is_none),
		cmocka_unit_test(hash_keeps_full_server),
		cmocka_unit_test(backup_only_when_actives_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
