/* The core's one error convention (lb.h): a negative enum lb_err, named by
 * lb_strerror, and the code each failure gives. A pool whose algorithm
 * cannot rebuild keeps the server's old state and says LB_ENOMEM, and
 * lb_hc_commit passes that on rather than ignoring it.
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
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "lbsim/lb_vs.h"

/* Every code has its own sentence; anything else is unknown. */
static void test_strerror(void **state)
{
	(void)state;
	const int codes[] = {LB_OK, LB_ENOMEM, LB_EINVAL, LB_ERANGE, LB_EFULL, LB_ETOOMANY};
	const size_t n = sizeof codes / sizeof codes[0];
	for (size_t i = 0; i < n; i++) {
		const char *s = lb_strerror(codes[i]);
		assert_non_null(s);
		assert_true(strlen(s) > 0);
		assert_string_not_equal(s, "unknown error");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(s, lb_strerror(codes[j]));
		assert_true(codes[i] <= 0);
	}
	assert_string_equal(lb_strerror(1), "unknown error");
	assert_string_equal(lb_strerror(-100), "unknown error");
	/* -1 stays out of memory: callers' `< 0` and `!= 0` keep their meaning. */
	assert_int_equal(LB_ENOMEM, -1);
}

static int failing_rebuild(struct lb_pool *pool)
{
	(void)pool;
	return -1;
}

/* Server changes: a server past the end, a weight out of range, a rebuild
 * that fails; the old state stays in each case. */
static void test_server_changes(void **state)
{
	(void)state;
	struct lb_pool pool;
	assert_int_equal(lb_pool_init(&pool, "p", 4, NULL, &lb_sel_roundrobin, NULL), LB_OK);
	assert_int_equal(lb_server_set_healthy(&pool, 4, 0), LB_ERANGE);
	assert_int_equal(lb_server_set_admin(&pool, 9, LB_ADMIN_DRAIN), LB_ERANGE);
	assert_int_equal(lb_server_set_weight(&pool, 0, LB_MAX_WEIGHT + 1), LB_EINVAL);
	assert_int_equal(lb_server_set_eweight(&pool, 0, LB_MAX_WEIGHT + 1), LB_EINVAL);
	assert_int_equal(pool.servers[0].weight, 1);
	lb_pool_free(&pool);

	struct lb_sel_ops broken = lb_sel_roundrobin;
	broken.servers_changed = failing_rebuild;
	assert_int_equal(lb_pool_init(&pool, "p", 4, NULL, &broken, NULL), LB_OK);
	assert_int_equal(lb_server_set_healthy(&pool, 2, 0), LB_ENOMEM);
	assert_true(pool.servers[2].healthy);

	/* lb_hc_commit passes the failure on, and the server keeps its state. */
	struct lb_hc check;
	struct lb_hc_params p = {.init = LB_HC_INIT_UP};
	assert_int_equal(lb_hc_init(&check, &lb_hc_tcp, &p, 0, 2, -1, NULL, 0), LB_OK);
	assert_int_equal(lb_hc_result(&check, 1, 0), 1); /* down at the first failure */
	assert_int_equal(lb_hc_commit(&pool, &check, 1, NULL, 1), LB_ENOMEM);
	assert_true(pool.servers[2].healthy);
	lb_pool_free(&pool);

	assert_int_equal(lb_pool_init(&pool, "p", 0, NULL, &lb_sel_roundrobin, NULL), LB_EINVAL);
}

/* Tables and services: each refusal has its code. */
static void test_tables_and_services(void **state)
{
	(void)state;
	struct lb_hc_log log;
	assert_int_equal(lb_hc_log_init(&log, 0), LB_EINVAL);

	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 1, 0, 1000, LB_PERS_FULL_REFUSE, 0), LB_OK);
	struct lb_pers_key a = {.len = 1, .bytes = {1}}, b = {.len = 1, .bytes = {2}};
	struct lb_pers_key empty = {.len = 0};
	assert_int_equal(lb_pers_table_store(&t, &a, 0, 0), 0);
	assert_int_equal(lb_pers_table_store(&t, &b, 0, 1), LB_EFULL);
	assert_int_equal(lb_pers_table_store(&t, &empty, 0, 1), LB_EINVAL);
	lb_pers_table_free(&t);

	struct lb_vs vs;
	char msg[160];
	assert_int_equal(lb_vs_init(&vs, "v", LB_LAYER_7, 1, 443), LB_OK);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 2, NULL, &lb_sel_roundrobin, NULL, msg,
					sizeof msg), 0);
	assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_path_prefix, "/owa", 3, msg,
					      sizeof msg), LB_ERANGE);
	assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_path_prefix, "", 0, msg, sizeof msg),
			 LB_EINVAL);
	assert_int_equal(lb_vs_set_default(&vs, 5), LB_EINVAL);
	lb_vs_free(&vs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_server_changes),
		cmocka_unit_test(test_tables_and_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
