/* Address plans drawn per replication (models/address_plan.c): the
 * skew of source hashing varies between replications as another draw of
 * the same network would make it, and its mean over replications is the
 * balls-into-bins expectation; the shapes give the addresses they
 * promise; the draw is a pure function of (seed, replication, name). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/address_plan.h"
#include "lbsim/lb.h"
#include "lbsim/lb_sel.h"
#include "lbsim/rng.h"
#include "lbsim/source.h"

static struct lb_addr addr(const char *text)
{
	struct lb_addr a;
	assert_int_equal(lb_addr_parse(text, strlen(text), &a, NULL), 0);
	return a;
}

static struct lb_prefix prefix(const char *text)
{
	struct lb_prefix p;
	assert_int_equal(lb_prefix_parse(text, strlen(text), &p, NULL), 0);
	return p;
}

/* The draw of plan p in replication rep of seed 11 for per_site. */
static void draw(struct addr_draw *d, const struct addr_plan *p, uint32_t rep, uint32_t per_site)
{
	struct rng r;
	rng_stream(&r, 11, rep, "addresses/office");
	assert_int_equal(addr_draw_init(d, p, &r, per_site), 0);
}

/* ---- balls into bins -------------------------------------------------------- */

#define NAT 4
#define SERVERS 8

/* The exact law of max/mean when NAT balls fall independently and
 * uniformly into SERVERS bins: every one of the 8^4 placements, equally
 * likely. */
static void exact_max_over_mean(double *mean, double *var)
{
	double s = 0, s2 = 0, n = 0;
	for (uint32_t code = 0; code < SERVERS * SERVERS * SERVERS * SERVERS; code++) {
		uint32_t count[SERVERS] = {0}, c = code, max = 0;
		for (int b = 0; b < NAT; b++, c /= SERVERS)
			count[c % SERVERS]++;
		for (int k = 0; k < SERVERS; k++)
			max = count[k] > max ? count[k] : max;
		double ratio = max / ((double)NAT / SERVERS);
		s += ratio;
		s2 += ratio * ratio;
		n++;
	}
	*mean = s / n;
	*var = s2 / n - *mean * *mean;
}

/* Four NAT addresses of the default plan hashed over 8 servers by the
 * core's `balance source` (lbsim's murmur, map-based), one replication
 * after another: max/mean takes several values, and its mean over
 * 20,000 replications is within 4 standard errors (of the exact law's own
 * variance) of the exact expectation, 3.2969: P(max = 1, 2, 3, 4) =
 * (1680, 2184, 224, 8) / 4096, so E[max] = 6752 / 4096 balls and
 * max/mean = 2 max. */
static void test_four_nat_addresses_balls_into_bins(void **state)
{
	(void)state;
	const uint32_t reps = 20000;
	struct lb_pool pool;
	assert_int_equal(lb_pool_init(&pool, "p", SERVERS, NULL, lb_sel_find("source"), NULL), 0);
	struct addr_plan plan;
	struct lb_prefix one;
	addr_plan_default(&plan, &one, 0);
	double sum = 0;
	int seen[SERVERS + 1] = {0};
	/* Replication rep's stream is replication 0's jumped rep times
	 * (rng.h): jump once per replication rather than rep times. */
	struct rng stream;
	rng_stream(&stream, 11, 0, "addresses/office");
	for (uint32_t rep = 0; rep < reps; rep++, rng_jump(&stream)) {
		struct addr_draw d;
		struct rng r = stream;
		assert_int_equal(addr_draw_init(&d, &plan, &r, NAT), 0);
		uint32_t count[SERVERS] = {0}, max = 0;
		for (uint32_t slot = 0; slot < NAT; slot++) {
			struct lb_addr a;
			addr_draw_address(&d, slot, &a);
			struct lb_request req = {.src_ip = lb_addr_v4_value(&a), .dst_port = 443};
			int s = lb_pick(&pool, &req, 0);
			assert_true(s >= 0 && s < SERVERS);
			count[s]++;
		}
		addr_draw_free(&d);
		for (int k = 0; k < SERVERS; k++)
			max = count[k] > max ? count[k] : max;
		seen[max]++;
		sum += max / ((double)NAT / SERVERS);
	}
	lb_pool_free(&pool);
	double exact, var;
	exact_max_over_mean(&exact, &var);
	double got = sum / reps, tol = 4 * sqrt(var / reps);
	print_message("max/mean over %u replications: %.4f, exact %.4f (+- %.4f); max 1..4 seen "
		      "%d %d %d %d times\n", reps, got, exact, tol, seen[1], seen[2], seen[3], seen[4]);
	assert_true(fabs(exact - 13504.0 / 4096) < 1e-12); /* by hand: a check of the enumeration */
	assert_true(fabs(got - exact) < tol);
	/* It varies: each of 2, 4 and 6 is seen (8, all on one, has
	 * probability 1/512: about 39 times). */
	assert_true(seen[1] > 0 && seen[2] > 0 && seen[3] > 0 && seen[4] > 0);
}

/* Different replications draw different addresses; the same replication
 * the same ones; a different population (stream name) others again. */
static void test_replications_differ(void **state)
{
	(void)state;
	struct addr_plan plan;
	struct lb_prefix one;
	addr_plan_default(&plan, &one, 5);
	struct addr_draw a, b, again;
	draw(&a, &plan, 0, 1000);
	draw(&b, &plan, 1, 1000);
	draw(&again, &plan, 0, 1000);
	uint32_t same = 0;
	for (uint32_t slot = 0; slot < 1000; slot++) {
		struct lb_addr x, y, z;
		addr_draw_address(&a, slot, &x);
		addr_draw_address(&b, slot, &y);
		addr_draw_address(&again, slot, &z);
		assert_true(lb_addr_equal(&x, &z));
		same += lb_addr_equal(&x, &y);
		/* Population 5's own /6: 20.0.0.0/6. */
		assert_int_equal(lb_addr_v4_value(&x) >> 26, 5);
	}
	/* Two draws of 1000 from 2^26 addresses: expected 0.015 alike. */
	assert_true(same <= 2);
	addr_draw_free(&a);
	addr_draw_free(&b);
	addr_draw_free(&again);
}

/* ---- shapes ----------------------------------------------------------------- */

static int cmp_addr(const void *x, const void *y)
{
	return memcmp(((const struct lb_addr *)x)->bytes, ((const struct lb_addr *)y)->bytes, 16);
}

/* random: n slots of a /22 (1024 addresses) are distinct and inside it;
 * 1024 slots use every address once; slot 1024 wraps to slot 0's. */
static void test_random_distinct_within(void **state)
{
	(void)state;
	struct lb_prefix p = prefix("198.51.100.0/22");
	struct addr_plan plan = {.shape = ADDR_SHAPE_RANDOM, .prefixes = &p, .nprefixes = 1};
	struct addr_draw d;
	draw(&d, &plan, 3, 1);
	struct lb_addr all[1024], wrap;
	for (uint32_t i = 0; i < 1024; i++) {
		addr_draw_address(&d, i, &all[i]);
		assert_int_equal(lb_addr_v4_value(&all[i]) >> 10, 0xc6336400u >> 10);
	}
	addr_draw_address(&d, 1024, &wrap);
	assert_true(lb_addr_equal(&wrap, &all[0]));
	qsort(all, 1024, sizeof all[0], cmp_addr);
	for (uint32_t i = 0; i < 1024; i++)
		assert_int_equal(lb_addr_v4_value(&all[i]), 0xc6336400u + i);
	addr_draw_free(&d);
}

/* sequential: consecutive from some start, across two prefixes. */
static void test_sequential(void **state)
{
	(void)state;
	struct lb_prefix p[2] = {prefix("10.0.0.0/30"), prefix("10.9.0.0/30")};
	struct addr_plan plan = {.shape = ADDR_SHAPE_SEQUENTIAL, .prefixes = p, .nprefixes = 2};
	struct addr_draw d;
	draw(&d, &plan, 0, 1);
	const uint32_t order[8] = {0x0a000000, 0x0a000001, 0x0a000002, 0x0a000003,
				   0x0a090000, 0x0a090001, 0x0a090002, 0x0a090003};
	struct lb_addr first;
	addr_draw_address(&d, 0, &first);
	uint32_t start = 0;
	while (order[start] != lb_addr_v4_value(&first))
		start++;
	for (uint32_t i = 0; i < 16; i++) {
		struct lb_addr a;
		addr_draw_address(&d, i, &a);
		assert_int_equal(lb_addr_v4_value(&a), order[(start + i) % 8]);
	}
	addr_draw_free(&d);
}

/* gateway: the .1 of distinct /24s of a /16; IPv6: ::1 of /64s. */
static void test_gateway(void **state)
{
	(void)state;
	struct lb_prefix p = prefix("172.16.0.0/16");
	struct addr_plan plan = {.shape = ADDR_SHAPE_GATEWAY, .prefixes = &p, .nprefixes = 1};
	struct addr_draw d;
	draw(&d, &plan, 0, 1);
	struct lb_addr all[256];
	for (uint32_t i = 0; i < 256; i++) {
		addr_draw_address(&d, i, &all[i]);
		uint32_t v = lb_addr_v4_value(&all[i]);
		assert_int_equal(v & 0xff, 1);
		assert_int_equal(v >> 16, 0xac10);
	}
	qsort(all, 256, sizeof all[0], cmp_addr);
	for (uint32_t i = 1; i < 256; i++)
		assert_false(lb_addr_equal(&all[i], &all[i - 1]));
	addr_draw_free(&d);

	struct lb_prefix p6 = prefix("2001:db8::/48");
	plan = (struct addr_plan){.shape = ADDR_SHAPE_GATEWAY, .prefixes = &p6, .nprefixes = 1,
				  .has_v6 = 1};
	draw(&d, &plan, 0, 1);
	struct lb_addr a;
	addr_draw_address(&d, 7, &a);
	char text[LB_ADDR_TEXT_MAX];
	lb_addr_format(&a, text, sizeof text);
	assert_int_equal(a.family, LB_AF_INET6);
	assert_memory_equal(a.bytes, p6.addr.bytes, 6);   /* inside the /48 */
	assert_int_equal(a.bytes[15], 1);                  /* ::1 of its /64 */
	for (int b = 8; b < 15; b++)
		assert_int_equal(a.bytes[b], 0);
	addr_draw_free(&d);
}

/* site: sites of 3 addresses each, .1 .2 .3 of a /24 of their own. */
static void test_site(void **state)
{
	(void)state;
	struct lb_prefix p = prefix("10.20.0.0/16");
	struct addr_plan plan = {.shape = ADDR_SHAPE_SITE, .prefixes = &p, .nprefixes = 1};
	struct addr_draw d;
	draw(&d, &plan, 0, 3);
	uint32_t nets[50];
	for (uint32_t site = 0; site < 50; site++) {
		for (uint32_t k = 0; k < 3; k++) {
			struct lb_addr a;
			addr_draw_address(&d, site * 3 + k, &a);
			uint32_t v = lb_addr_v4_value(&a);
			assert_int_equal(v & 0xff, k + 1);
			if (k == 0)
				nets[site] = v >> 8;
			assert_int_equal(v >> 8, nets[site]);
		}
		for (uint32_t o = 0; o < site; o++)
			assert_int_not_equal(nets[o], nets[site]);
	}
	addr_draw_free(&d);
	/* 300 addresses a site need a /23: .1 .. .300 in one block. */
	assert_int_equal(addr_site_bits4(300), 9);
	assert_int_equal(addr_site_bits4(254), 8);
	uint32_t bad;
	const char *why;
	struct lb_prefix small = prefix("10.0.0.0/25");
	plan.prefixes = &small;
	assert_int_equal(addr_plan_check(&plan, 3, &bad, &why), -1);
}

/* A weighted list: entries drawn in proportion to their weights (1 and 3,
 * IPv4 and IPv6 mixed): over 40,000 slots the heavier is drawn 3/4 of the
 * time, within 4 binomial standard deviations. An unweighted list of 3
 * gives its entries in a random order, every one once per 3 slots. */
static void test_lists(void **state)
{
	(void)state;
	struct addr_plan plan = {0};
	struct lb_addr a = addr("192.0.2.7"), b = addr("2001:db8::9");
	assert_int_equal(addr_list_add(&plan.list, &a, 1, 1), 0);
	assert_int_equal(addr_list_add(&plan.list, &b, 3, 1), 0);
	assert_int_equal(addr_list_finish(&plan.list), 0);
	plan.has_v6 = 1;
	struct addr_draw d;
	draw(&d, &plan, 0, 1);
	const uint32_t n = 40000;
	uint32_t heavy = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct lb_addr x;
		addr_draw_address(&d, i, &x);
		assert_true(lb_addr_equal(&x, &a) || lb_addr_equal(&x, &b));
		heavy += lb_addr_equal(&x, &b);
	}
	double sd = sqrt(n * 0.75 * 0.25);
	assert_true(fabs(heavy - 0.75 * n) < 4 * sd);
	addr_draw_free(&d);
	addr_plan_free(&plan);

	struct addr_plan three = {0};
	const char *texts[3] = {"203.0.113.1", "203.0.113.2", "203.0.113.3"};
	for (int i = 0; i < 3; i++) {
		struct lb_addr x = addr(texts[i]);
		assert_int_equal(addr_list_add(&three.list, &x, 1, 0), 0);
	}
	assert_int_equal(addr_list_finish(&three.list), 0);
	assert_null(three.list.cum4);
	draw(&d, &three, 2, 1);
	uint32_t seen = 0;
	for (uint32_t i = 0; i < 3; i++) {
		struct lb_addr x, y;
		addr_draw_address(&d, i, &x);
		addr_draw_address(&d, i + 3, &y);
		assert_true(lb_addr_equal(&x, &y));
		seen |= 1u << (lb_addr_v4_value(&x) & 3);
	}
	assert_int_equal(seen, 0xe);
	addr_draw_free(&d);
	addr_plan_free(&three);
}

/* The permutation is one: every i of [0, n) maps to a distinct value of
 * [0, n), for sizes around powers of two. */
static void test_permutation_is_bijective(void **state)
{
	(void)state;
	const uint64_t sizes[] = {1, 2, 3, 4, 5, 255, 256, 257, 1000, 4096, 5000};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct rng r;
		rng_stream(&r, 1, (uint32_t)k, "perm");
		struct addr_perm pm;
		addr_perm_init(&pm, sizes[k], &r);
		uint8_t *hit = calloc(sizes[k], 1);
		for (uint64_t i = 0; i < sizes[k]; i++) {
			uint64_t v = addr_perm_apply(&pm, i);
			assert_true(v < sizes[k]);
			assert_int_equal(hit[v], 0);
			hit[v] = 1;
		}
		free(hit);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_nat_addresses_balls_into_bins),
		cmocka_unit_test(test_replications_differ),
		cmocka_unit_test(test_random_distinct_within),
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_gateway),
		cmocka_unit_test(test_site),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_permutation_is_bijective),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
