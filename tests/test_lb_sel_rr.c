/* Tests of the round-robin family and the load-aware algorithms of the
 * balancer core: roundrobin (smooth WRR), static-rr, first, leastconn, and
 * the selection registry.
 *
 * Truths used: the published smooth WRR sequence (weights 5,1,1 give
 * a a b a c a a, from NGINX's change that introduced it); the recurrence
 * that defines smooth WRR, written out here in ten lines as a reference;
 * exact shares over every window of one period; leastconn's exact
 * proportional fill (proved in models/lb/sel_leastconn.c's header) and a
 * brute-force argmin of (conns + 1) / weight in exact rationals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lbsim/lb.h"
#include "lbsim/lb_sel.h"

static const struct lb_request no_req;

/* A small deterministic generator for test inputs (splitmix64). */
static uint64_t t_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ---- reference smooth WRR: the definition, O(n) per pick -------------- */

#define REF_MAX 1024

struct ref_wrr {
	uint32_t n;
	int64_t w[REF_MAX];
	int64_t cur[REF_MAX];
};

static void ref_init(struct ref_wrr *r, const struct lb_pool *pool)
{
	r->n = pool->nservers;
	for (uint32_t i = 0; i < r->n; i++) {
		r->w[i] = lb_server_usable(&pool->servers[i]) ? pool->servers[i].eweight : 0;
		r->cur[i] = 0;
	}
}

static int ref_pick(struct ref_wrr *r)
{
	int best = -1;
	int64_t total = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->w[i] == 0)
			continue;
		r->cur[i] += r->w[i];
		total += r->w[i];
		if (best < 0 || r->cur[i] > r->cur[best])
			best = (int)i;
	}
	if (best >= 0)
		r->cur[best] -= total;
	return best;
}

static void pool_up(struct lb_pool *pool, const struct lb_sel_ops *ops, uint32_t n,
		    const uint32_t *weights)
{
	assert_int_equal(lb_pool_init(pool, "t", n, weights, ops, NULL), 0);
}

/* ---- roundrobin --------------------------------------------------------- */

static void test_rr_551_sequence(void **state)
{
	(void)state;
	struct lb_pool pool;
	const uint32_t w[] = {5, 1, 1};
	pool_up(&pool, &lb_sel_roundrobin, 3, w);
	const char expect[] = "aabacaa" "aabacaa";
	for (size_t k = 0; k < sizeof expect - 1; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), expect[k] - 'a');
	assert_int_equal(pool.servers[0].picks, 10);
	lb_pool_free(&pool);
}

/* Over every window of W consecutive picks (not only aligned ones) each
 * server gets exactly its weight: the sequence has period W and each
 * period holds w_i picks of server i. Checked over 3 periods for several
 * random weight vectors, and against the reference recurrence. */
static void test_rr_windows_exact(void **state)
{
	(void)state;
	uint64_t seed = 11;
	for (int trial = 0; trial < 20; trial++) {
		uint32_t n = 2 + (uint32_t)(t_rand(&seed) % 7);
		uint32_t w[8];
		uint32_t total = 0;
		for (uint32_t i = 0; i < n; i++) {
			w[i] = 1 + (uint32_t)(t_rand(&seed) % 12);
			total += w[i];
		}
		struct lb_pool pool;
		pool_up(&pool, &lb_sel_roundrobin, n, w);
		struct ref_wrr ref;
		ref_init(&ref, &pool);
		uint32_t seq[3 * 8 * 12];
		for (uint32_t k = 0; k < 3 * total; k++) {
			int s = lb_pick(&pool, &no_req, 0);
			assert_int_equal(s, ref_pick(&ref));
			seq[k] = (uint32_t)s;
		}
		for (uint32_t start = 0; start + total <= 3 * total; start++) {
			uint32_t count[8] = {0};
			for (uint32_t k = start; k < start + total; k++)
				count[seq[k]]++;
			for (uint32_t i = 0; i < n; i++)
				assert_int_equal(count[i], w[i]);
		}
		lb_pool_free(&pool);
	}
}

/* A weight change restarts the smooth sequence with the new weights: the
 * picks after it are the reference recurrence started from zero. */
static void test_rr_weight_change(void **state)
{
	(void)state;
	struct lb_pool pool;
	const uint32_t w[] = {5, 1, 1};
	pool_up(&pool, &lb_sel_roundrobin, 3, w);
	for (int k = 0; k < 4; k++)
		lb_pick(&pool, &no_req, 0);
	assert_int_equal(lb_server_set_weight(&pool, 1, 3), 0);
	struct ref_wrr ref;
	ref_init(&ref, &pool);
	uint32_t count[3] = {0};
	for (int k = 0; k < 2 * 9; k++) {
		int s = lb_pick(&pool, &no_req, 0);
		assert_int_equal(s, ref_pick(&ref));
		count[s]++;
	}
	assert_int_equal(count[0], 10);
	assert_int_equal(count[1], 6);
	assert_int_equal(count[2], 2);
	/* Weight 0 takes a server out of rotation. */
	assert_int_equal(lb_server_set_weight(&pool, 0, 0), 0);
	for (int k = 0; k < 8; k++)
		assert_int_not_equal(lb_pick(&pool, &no_req, 0), 0);
	lb_pool_free(&pool);
}

/* A server going down mid-sequence never appears again; the others follow
 * the smooth sequence of the remaining weights; when it comes back the
 * original sequence starts over. */
static void test_rr_server_down(void **state)
{
	(void)state;
	struct lb_pool pool;
	const uint32_t w[] = {5, 1, 1};
	pool_up(&pool, &lb_sel_roundrobin, 3, w);
	assert_int_equal(lb_pick(&pool, &no_req, 0), 0);
	assert_int_equal(lb_pick(&pool, &no_req, 0), 0);
	assert_int_equal(lb_server_set_healthy(&pool, 2, 0), 0);
	struct ref_wrr ref;
	ref_init(&ref, &pool);
	for (int k = 0; k < 12; k++) {
		int s = lb_pick(&pool, &no_req, 0);
		assert_int_not_equal(s, 2);
		assert_int_equal(s, ref_pick(&ref));
	}
	assert_int_equal(lb_server_set_admin(&pool, 0, LB_ADMIN_DRAIN), 0);
	for (int k = 0; k < 5; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), 1);
	assert_int_equal(lb_server_set_admin(&pool, 1, LB_ADMIN_MAINT), 0);
	assert_int_equal(lb_pick(&pool, &no_req, 0), -1);
	assert_int_equal(lb_server_set_admin(&pool, 0, LB_ADMIN_UP), 0);
	assert_int_equal(lb_server_set_admin(&pool, 1, LB_ADMIN_UP), 0);
	assert_int_equal(lb_server_set_healthy(&pool, 2, 1), 0);
	const char expect[] = "aabacaa";
	for (size_t k = 0; k < sizeof expect - 1; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), expect[k] - 'a');
	lb_pool_free(&pool);
}

/* A large pool of mixed weights is past the table budget and runs the
 * recurrence online; a small one uses the table. Both must be the
 * reference sequence. */
static void test_rr_large_pool_matches_reference(void **state)
{
	(void)state;
	static uint32_t w[REF_MAX];
	static struct ref_wrr ref;
	uint64_t seed = 5;
	for (uint32_t i = 0; i < REF_MAX; i++)
		w[i] = 1 + (uint32_t)(t_rand(&seed) % LB_MAX_WEIGHT);
	const uint32_t sizes[] = {1024, 64};
	for (size_t t = 0; t < 2; t++) {
		struct lb_pool pool;
		pool_up(&pool, &lb_sel_roundrobin, sizes[t], w);
		assert_int_equal(lb_server_set_healthy(&pool, 3, 0), 0);
		ref_init(&ref, &pool);
		for (int k = 0; k < 4000; k++)
			assert_int_equal(lb_pick(&pool, &no_req, 0), ref_pick(&ref));
		lb_pool_free(&pool);
	}
}

/* ---- static-rr ------------------------------------------------------------ */

static void check_windows(const uint32_t *seq, uint32_t len, const uint32_t *w, uint32_t n,
			  uint32_t period)
{
	for (uint32_t start = 0; start + period <= len; start++) {
		uint32_t count[16] = {0};
		for (uint32_t k = start; k < start + period; k++)
			count[seq[k]]++;
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(count[i], w[i]);
	}
}

static void test_static_rr_shares(void **state)
{
	(void)state;
	struct lb_pool pool;
	uint32_t w[] = {4, 2, 1, 1};
	pool_up(&pool, &lb_sel_static_rr, 4, w);
	uint32_t seq[64];
	for (uint32_t k = 0; k < 32; k++)
		seq[k] = (uint32_t)lb_pick(&pool, &no_req, 0);
	check_windows(seq, 32, w, 4, 8);
	/* Server 0 down: the schedule shrinks to weights 2,1,1 (period 4). */
	assert_int_equal(lb_server_set_admin(&pool, 0, LB_ADMIN_DOWN), 0);
	w[0] = 0;
	for (uint32_t k = 0; k < 32; k++)
		seq[k] = (uint32_t)lb_pick(&pool, &no_req, 0);
	check_windows(seq, 32, w, 4, 4);
	/* Weights 6,3 reduce to 2,1: period 3 with one fewer server. */
	assert_int_equal(lb_server_set_weight(&pool, 1, 6), 0);
	assert_int_equal(lb_server_set_weight(&pool, 2, 3), 0);
	assert_int_equal(lb_server_set_weight(&pool, 3, 0), 0);
	for (uint32_t k = 0; k < 30; k++)
		seq[k] = (uint32_t)lb_pick(&pool, &no_req, 0);
	const uint32_t wr[] = {0, 2, 1, 0};
	check_windows(seq, 30, wr, 4, 3);
	lb_pool_free(&pool);
}

/* ---- first ------------------------------------------------------------- */

static int pick_open(struct lb_pool *pool)
{
	int s = lb_pick(pool, &no_req, 0);
	if (s >= 0)
		lb_conn_open(pool, (uint32_t)s);
	return s;
}

static void test_first_fills_in_order(void **state)
{
	(void)state;
	struct lb_pool pool;
	pool_up(&pool, &lb_sel_first, 3, NULL);
	for (uint32_t i = 0; i < 3; i++)
		pool.servers[i].maxconn = 2;
	const int expect[] = {0, 0, 1, 1, 2, 2, LB_PICK_FULL};
	for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++)
		assert_int_equal(pick_open(&pool), expect[k]);
	lb_conn_close(&pool, 1);
	assert_int_equal(pick_open(&pool), 1);
	/* Server 0 down: its free slots do not count. */
	lb_conn_close(&pool, 0);
	lb_conn_close(&pool, 2);
	assert_int_equal(lb_server_set_healthy(&pool, 0, 0), 0);
	assert_int_equal(pick_open(&pool), 2);
	/* maxconn 0 is unlimited: everything goes to the lowest usable id. */
	pool.servers[1].maxconn = 0;
	for (int k = 0; k < 10; k++)
		assert_int_equal(pick_open(&pool), 1);
	lb_pool_free(&pool);
}

/* ---- leastconn --------------------------------------------------------- */

/* With connections that never close, after k W picks each server holds
 * exactly k w_i (see sel_leastconn.c for the argument). */
static void test_leastconn_proportional_fill(void **state)
{
	(void)state;
	struct lb_pool pool;
	const uint32_t w[] = {1, 2, 3, 4, 7};
	const uint32_t W = 17;
	pool_up(&pool, &lb_sel_leastconn, 5, w);
	for (uint32_t k = 1; k <= 20; k++) {
		for (uint32_t j = 0; j < W; j++)
			assert_true(pick_open(&pool) >= 0);
		for (uint32_t i = 0; i < 5; i++)
			assert_int_equal(pool.servers[i].conns, k * w[i]);
	}
	lb_pool_free(&pool);
}

/* The pick is always an argmin of (conns + 1) / weight, found here by brute
 * force in exact rationals, over random loads, weights and states. */
static void test_leastconn_picks_least_loaded(void **state)
{
	(void)state;
	uint64_t seed = 99;
	for (int trial = 0; trial < 2000; trial++) {
		uint32_t n = 1 + (uint32_t)(t_rand(&seed) % 12);
		uint32_t w[12];
		for (uint32_t i = 0; i < n; i++)
			w[i] = 1 + (uint32_t)(t_rand(&seed) % 5);
		struct lb_pool pool;
		pool_up(&pool, &lb_sel_leastconn, n, w);
		for (uint32_t i = 0; i < n; i++) {
			for (uint32_t c = (uint32_t)(t_rand(&seed) % 6); c > 0; c--)
				lb_conn_open(&pool, i);
			if (t_rand(&seed) % 5 == 0)
				assert_int_equal(lb_server_set_admin(&pool, i, LB_ADMIN_DRAIN), 0);
		}
		int s = lb_pick(&pool, &no_req, 0);
		int any = 0;
		for (uint32_t i = 0; i < n; i++)
			any |= lb_server_usable(&pool.servers[i]);
		if (!any) {
			assert_int_equal(s, -1);
		} else {
			assert_true(s >= 0 && lb_server_usable(&pool.servers[s]));
			for (uint32_t i = 0; i < n; i++) {
				if (!lb_server_usable(&pool.servers[i]))
					continue;
				/* (c_s+1)/w_s <= (c_i+1)/w_i */
				assert_true((uint64_t)(pool.servers[s].conns + 1) * w[i] <=
					    (uint64_t)(pool.servers[i].conns + 1) * w[s]);
			}
		}
		lb_pool_free(&pool);
	}
}

/* Ties rotate: with no connection open every pick is a tie among all, so
 * the picks cycle; among equals on a subset, the subset is cycled. */
static void test_leastconn_tie_rotation(void **state)
{
	(void)state;
	struct lb_pool pool;
	pool_up(&pool, &lb_sel_leastconn, 4, NULL);
	for (int k = 0; k < 12; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), k % 4);
	lb_conn_open(&pool, 0);
	lb_conn_open(&pool, 2);
	for (int k = 0; k < 8; k++)
		assert_int_equal(lb_pick(&pool, &no_req, 0), k % 2 ? 3 : 1);
	/* Weighted tie: weight 2 with 1 connection equals weight 1 with 0
	 * ((1+1)/2 = (0+1)/1), so servers 0 and 1 alternate. */
	lb_pool_free(&pool);
	const uint32_t w[] = {2, 1};
	pool_up(&pool, &lb_sel_leastconn, 2, w);
	lb_conn_open(&pool, 0);
	int a = lb_pick(&pool, &no_req, 0), b = lb_pick(&pool, &no_req, 0);
	assert_int_not_equal(a, b);
	lb_pool_free(&pool);
}

/* The scan the tree replaced (sel_leastconn.c before issue 19 item 5),
 * as the reference: from the cursor round the pool, the first strict
 * minimum of (conns + 1) / eweight among usable servers with room. */
static int scan_reference(const struct lb_pool *pool, uint64_t cursor)
{
	uint32_t n = pool->nservers;
	int best = -1;
	int any = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = (uint32_t)((cursor + k) % n);
		const struct lb_server *s = &pool->servers[i];
		any |= lb_server_usable(s);
		if (!lb_server_usable(s) || lb_server_full(s))
			continue;
		if (best < 0 || ((uint64_t)s->conns + 1) * pool->servers[best].eweight <
					((uint64_t)pool->servers[best].conns + 1) * s->eweight)
			best = (int)i;
	}
	return best >= 0 ? best : any ? LB_PICK_FULL : -1;
}

/* The tree picks exactly what the scan would, pick after pick, while
 * connections open and close, servers fill (maxconn, queues), change
 * weight and go down and up: random operations on pools of 1 to 70
 * servers (leaves past the pool's end, a tree of 128), fixed seed. */
static void test_leastconn_matches_scan(void **state)
{
	(void)state;
	uint64_t seed = 2024;
	for (int trial = 0; trial < 60; trial++) {
		uint32_t n = 1 + (uint32_t)(t_rand(&seed) % 70);
		uint32_t w[70];
		for (uint32_t i = 0; i < n; i++)
			w[i] = 1 + (uint32_t)(t_rand(&seed) % 4);
		struct lb_pool pool;
		pool_up(&pool, &lb_sel_leastconn, n, trial % 2 ? w : NULL);
		for (int op = 0; op < 3000; op++) {
			uint32_t i = (uint32_t)(t_rand(&seed) % n);
			switch (t_rand(&seed) % 16) {
			case 0:
				if (pool.servers[i].conns)
					lb_conn_close(&pool, i);
				break;
			case 1:
				assert_int_equal(lb_server_set_maxconn(&pool, i, (uint32_t)(t_rand(&seed) % 4)), 0);
				break;
			case 2:
				lb_server_queue_add(&pool, i, pool.servers[i].queued ? -1 : 1);
				break;
			case 3:
				assert_int_equal(lb_server_set_healthy(&pool, i, !pool.servers[i].healthy), 0);
				break;
			case 4:
				assert_int_equal(lb_server_set_weight(&pool, i, (uint32_t)(t_rand(&seed) % 5)), 0);
				break;
			default: {
				int want = scan_reference(&pool, pool.rr_cursor);
				int got = lb_pick(&pool, &no_req, 0);
				assert_int_equal(got, want);
				if (got >= 0)
					lb_conn_open(&pool, (uint32_t)got);
				break;
			}
			}
		}
		lb_pool_free(&pool);
	}
}

/* ---- registry ------------------------------------------------------------ */

static void test_registry(void **state)
{
	(void)state;
	const char *names[] = {"roundrobin", "static-rr", "leastconn", "first",
			       "source", "uri", "hdr", "random"};
	char buf[256];
	lb_sel_names(buf, sizeof buf);
	assert_int_equal(lb_sel_registry_len, sizeof names / sizeof names[0]);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const struct lb_sel_ops *ops = lb_sel_find(names[i]);
		assert_non_null(ops);
		assert_ptr_equal(lb_sel_registry[i], ops);
		assert_non_null(ops->pick);
		assert_non_null(strstr(buf, names[i]));
	}
	assert_null(lb_sel_find("wlc"));
	assert_null(lb_sel_find(NULL));
	/* What each algorithm needs to see: the loader refuses L7 on l4. */
	assert_int_equal(lb_sel_find("uri")->needs & LB_NEED_L7, LB_NEED_L7);
	assert_int_equal(lb_sel_find("hdr")->needs & LB_NEED_L7, LB_NEED_L7);
	assert_int_equal(lb_sel_find("source")->needs, LB_NEED_SRC_ADDR);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(lb_sel_find(names[i])->needs, LB_NEED_NONE);
	assert_int_equal(lb_sel_find("random")->needs, LB_NEED_NONE);
}

static void test_parse_balance(void **state)
{
	char why[256];
	(void)state;
	struct lb_sel_params p;
	memset(&p, 0, sizeof p);
	assert_ptr_equal(lb_sel_parse("leastconn", &p), &lb_sel_leastconn);
	assert_ptr_equal(lb_sel_parse("hdr(X-User)", &p), &lb_sel_hdr);
	assert_string_equal(p.hdr_name, "X-User");
	assert_null(lb_sel_parse("hdr", &p));
	assert_null(lb_sel_parse("hdr()", &p));
	assert_null(lb_sel_parse("hdr(X", &p));
	assert_null(lb_sel_parse("hdr(a)b)", &p));
	assert_null(lb_sel_parse("uri(x)", &p));
	assert_null(lb_sel_parse("nope", &p));
	char longname[100];
	memset(longname, 'x', sizeof longname);
	memcpy(longname, "hdr(", 4);
	longname[98] = ')';
	longname[99] = '\0';
	assert_null(lb_sel_parse(longname, &p));
	/* hdr without a name is refused by its check and by pool creation. */
	memset(&p, 0, sizeof p);
	assert_non_null(lb_sel_check(&lb_sel_hdr, &p, 4, why, sizeof why, NULL));
	struct lb_pool pool;
	assert_int_equal(lb_pool_init(&pool, "t", 4, NULL, &lb_sel_hdr, &p), LB_EINVAL);
	assert_null(lb_sel_check(&lb_sel_leastconn, &p, 4, why, sizeof why, NULL));
}

/* Every algorithm returns -1 when no server is usable, and gives its memory
 * back: after its done hook the pool accounts exactly what a pool with no
 * algorithm state (`first`) does. */
static void test_all_down_and_memory(void **state)
{
	(void)state;
	struct lb_request req = {.src_ip = 0x0a000001, .path = "/owa", .hdr_value = "u1"};
	struct lb_sel_params p;
	memset(&p, 0, sizeof p);
	strcpy(p.hdr_name, "X-User");
	struct lb_pool pool;
	assert_int_equal(lb_pool_init(&pool, "t", 5, NULL, &lb_sel_first, &p), 0);
	size_t bare = pool.mem.live;
	lb_pool_free(&pool);
	for (size_t a = 0; a < lb_sel_registry_len; a++) {
		for (uint32_t type = 0; type < 3; type++) {
			/* hash-type only where the algorithm takes it. */
			const struct lb_param *ht = lb_param_find(lb_sel_registry[a]->params,
								  "hash-type", 9);
			p.hash_type = ht ? type : 0;
			assert_int_equal(lb_pool_init(&pool, "t", 5, NULL, lb_sel_registry[a], &p), 0);
			assert_true(lb_pick(&pool, &req, 0) >= 0);
			for (uint32_t i = 0; i < 5; i++)
				assert_int_equal(lb_server_set_healthy(&pool, i, 0), 0);
			assert_int_equal(lb_pick(&pool, &req, 0), -1);
			assert_int_equal(lb_server_set_healthy(&pool, 4, 1), 0);
			assert_int_equal(lb_pick(&pool, &req, 0), 4);
			assert_true(pool.mem.live >= bare);
			if (pool.sel->done)
				pool.sel->done(&pool); /* done hooks are idempotent */
			assert_int_equal(pool.mem.live, bare);
			lb_pool_free(&pool);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rr_551_sequence),
		cmocka_unit_test(test_rr_windows_exact),
		cmocka_unit_test(test_rr_weight_change),
		cmocka_unit_test(test_rr_server_down),
		cmocka_unit_test(test_rr_large_pool_matches_reference),
		cmocka_unit_test(test_static_rr_shares),
		cmocka_unit_test(test_first_fills_in_order),
		cmocka_unit_test(test_leastconn_proportional_fill),
		cmocka_unit_test(test_leastconn_picks_least_loaded),
		cmocka_unit_test(test_leastconn_tie_rotation),
		cmocka_unit_test(test_leastconn_matches_scan),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_parse_balance),
		cmocka_unit_test(test_all_down_and_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
