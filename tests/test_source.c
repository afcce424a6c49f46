/* Client source models: how many distinct addresses a population shows the
 * balancer, the NAT port budget, and the carrier-grade NAT churn rate. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/rng.h"
#include "lbsim/source.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static size_t distinct(uint32_t *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_u32);
	size_t d = n ? 1 : 0;
	for (size_t i = 1; i < n; i++)
		d += v[i] != v[i - 1];
	return d;
}

/* A pool of kind for population pop, replication rep of seed 1. */
static int pool(struct source_pool *sp, enum source_kind kind, uint32_t pop, uint32_t naddrs,
		uint32_t budget, sim_time_t churn, const struct rng *cgnat, uint64_t users)
{
	struct rng addrs;
	rng_stream(&addrs, 1, 0, "addresses/test");
	struct source_cfg cfg = {.kind = kind, .pop_index = pop, .naddrs = naddrs,
				 .port_budget = budget, .churn_mean = churn, .users = users};
	return source_pool_init(sp, &cfg, &addrs, cgnat);
}

static uint32_t slot_address(const struct source_pool *sp, uint32_t slot)
{
	struct lb_addr a;
	source_address_of(sp, slot, &a);
	return lb_addr_v4_value(&a);
}

/* One connection per device; returns the number of distinct addresses. */
static size_t addresses_seen(struct source_pool *sp, uint32_t devices)
{
	uint32_t *addrs = calloc(devices, sizeof *addrs);
	struct source_binding b;
	for (uint32_t d = 0; d < devices; d++) {
		uint16_t port;
		uint32_t idx;
		source_bind(sp, &b, d, 0, 0);
		assert_int_equal(source_open(sp, &b, 0, &addrs[d], &port, &idx), 0);
		assert_true(port >= 1024);
	}
	size_t n = distinct(addrs, devices);
	free(addrs);
	return n;
}

static void test_unique_one_address_per_device(void **state)
{
	(void)state;
	struct source_pool sp;
	assert_int_equal(pool(&sp, SOURCE_UNIQUE, 0, 0, 0, 0, NULL, 100000), 0);
	assert_int_equal(addresses_seen(&sp, 100000), 100000);
	source_pool_free(&sp);
}

static void test_nat_exactly_n_addresses(void **state)
{
	(void)state;
	struct source_pool sp;
	assert_int_equal(pool(&sp, SOURCE_NAT, 1, 3, 0, 0, NULL, 3000), 0);
	assert_int_equal(addresses_seen(&sp, 3000), 3);
	source_pool_free(&sp);
	assert_int_equal(pool(&sp, SOURCE_NAT, 2, 1, 0, 0, NULL, 500), 0);
	assert_int_equal(addresses_seen(&sp, 500), 1);
	source_pool_free(&sp);
}

/* Populations never share addresses: the default plan draws each from
 * its own /6. */
static void test_populations_disjoint(void **state)
{
	(void)state;
	uint32_t v[2 * 1000];
	struct source_pool a, b;
	assert_int_equal(pool(&a, SOURCE_UNIQUE, 0, 0, 0, 0, NULL, 1000), 0);
	assert_int_equal(pool(&b, SOURCE_UNIQUE, 1, 0, 0, 0, NULL, 1000), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		v[i] = slot_address(&a, i);
		v[1000 + i] = slot_address(&b, i);
		assert_int_equal(v[i] >> 26, 0);
		assert_int_equal(v[1000 + i] >> 26, 1);
	}
	assert_int_equal(distinct(v, 2000), 2000);
	source_pool_free(&a);
	source_pool_free(&b);
}

/* Sites: users are dealt to sites in turn, and each site leaves through
 * its own addresses: 5 sites of 2 addresses, 100 users. */
static void test_sites_own_addresses(void **state)
{
	(void)state;
	struct source_pool sp;
	struct rng addrs;
	rng_stream(&addrs, 1, 0, "addresses/test");
	struct source_cfg cfg = {.kind = SOURCE_NAT, .naddrs = 2, .sites = 5, .users = 100};
	assert_int_equal(source_pool_init(&sp, &cfg, &addrs, NULL), 0);
	assert_int_equal(sp.naddrs, 10);
	uint32_t used[10] = {0};
	for (uint32_t u = 0; u < 100; u++) {
		struct source_binding b;
		source_bind(&sp, &b, u, 0, 0);
		assert_int_equal(b.addr_index / 2, u % 5);
		used[b.addr_index]++;
	}
	for (int i = 0; i < 10; i++)
		assert_int_equal(used[i], 10);
	source_pool_free(&sp);
}

/* address-per: a user's devices share its address, or have their own. */
static void test_address_per_device(void **state)
{
	(void)state;
	struct source_pool sp;
	struct rng addrs;
	rng_stream(&addrs, 1, 0, "addresses/test");
	struct source_cfg cfg = {.kind = SOURCE_UNIQUE, .users = 10, .per_user = 3};
	assert_int_equal(source_pool_init(&sp, &cfg, &addrs, NULL), 0);
	uint32_t v[30];
	for (uint32_t u = 0; u < 10; u++)
		for (uint32_t k = 0; k < 3; k++) {
			struct source_binding b;
			source_bind(&sp, &b, u, k, 0);
			v[u * 3 + k] = slot_address(&sp, b.addr_index);
		}
	assert_int_equal(distinct(v, 30), 30);
	source_pool_free(&sp);
}

/* The port budget: the 11th connection through an address with 10 ports
 * is refused and counted; closing one frees a port. */
static void test_port_budget(void **state)
{
	(void)state;
	struct source_pool sp;
	assert_int_equal(pool(&sp, SOURCE_NAT, 0, 1, 10, 0, NULL, 1), 0);
	struct source_binding b;
	source_bind(&sp, &b, 0, 0, 0);
	uint32_t addr, idx;
	uint16_t port, ports[10];
	for (int i = 0; i < 10; i++) {
		assert_int_equal(source_open(&sp, &b, 0, &addr, &ports[i], &idx), 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(ports[i], ports[j]);
	}
	assert_int_equal(source_open(&sp, &b, 0, &addr, &port, &idx), -1);
	assert_int_equal(sp.refused, 1);
	source_close(&sp, idx);
	assert_int_equal(source_open(&sp, &b, 0, &addr, &port, &idx), 0);
	source_pool_free(&sp);
	/* The default budget is 64,512 ports (1024..65535). */
	assert_int_equal(pool(&sp, SOURCE_NAT, 0, 1, 0, 0, NULL, 1), 0);
	assert_int_equal(sp.port_budget, 64512);
	source_pool_free(&sp);
}

/* CGNAT: addresses stay within the pool, and a device's address changes
 * as a Poisson process of mean `churn` (10 min), seen at its next
 * connection (every minute here). A connection sees a new address when at
 * least one change fell in the minute before it: probability
 * 1 - exp(-1/10); and the new address differs from the old with
 * probability 1 - 1/pool. Expected changes over 1,000 devices x 600
 * connections: 600,000 (1 - e^-0.1)(1 - 1/200) = 56,813; the count is a
 * sum of independent Bernoulli trials, sd < sqrt(56,813) = 238: we allow
 * 4 sd either side. */
static void test_cgnat_churn_rate_and_pool(void **state)
{
	(void)state;
	struct source_pool sp;
	const uint32_t npool = 200, devices = 1000;
	struct rng r;
	rng_stream(&r, 7, 0, "source/test");
	assert_int_equal(pool(&sp, SOURCE_CGNAT, 3, npool, 0, 600 * SIM_NS_PER_S, &r, devices), 0);
	struct source_binding *b = calloc(devices, sizeof *b);
	uint32_t pool_addrs[200];
	for (uint32_t i = 0; i < npool; i++)
		pool_addrs[i] = slot_address(&sp, i);
	qsort(pool_addrs, npool, sizeof pool_addrs[0], cmp_u32);
	for (uint32_t d = 0; d < devices; d++)
		source_bind(&sp, &b[d], d, 0, 0);
	for (sim_time_t t = 60 * SIM_NS_PER_S; t <= 36000 * SIM_NS_PER_S; t += 60 * SIM_NS_PER_S) {
		for (uint32_t d = 0; d < devices; d++) {
			uint32_t addr, idx;
			uint16_t port;
			assert_int_equal(source_open(&sp, &b[d], t, &addr, &port, &idx), 0);
			assert_non_null(bsearch(&addr, pool_addrs, npool, sizeof addr, cmp_u32));
			source_close(&sp, idx);
		}
	}
	double expect = 600000.0 * (1 - exp(-0.1)) * (1 - 1.0 / npool);
	print_message("cgnat changes %llu, expected about %.0f\n", (unsigned long long)sp.changes, expect);
	assert_true((double)sp.changes > expect - 4 * sqrt(expect));
	assert_true((double)sp.changes < expect + 4 * sqrt(expect));
	free(b);
	source_pool_free(&sp);
}

/* A pool whose addresses nobody reads (a design that does not balance on
 * them) gives address 0 and otherwise the same as one that does: the
 * same slots, ports, refusals and carrier moves, connection by
 * connection, for every kind (the addresses are drawn from no stream
 * the rest uses). */
static void test_unread_addresses_change_nothing_else(void **state)
{
	(void)state;
	for (int kind = SOURCE_UNIQUE; kind <= SOURCE_CGNAT; kind++) {
		struct source_pool sp[2];
		for (int unread = 0; unread < 2; unread++) {
			struct rng addrs, moves;
			rng_stream(&addrs, 1, 0, "addresses/test");
			rng_stream(&moves, 7, 0, "source/test");
			struct source_cfg cfg = {.kind = (enum source_kind)kind, .naddrs = 7,
						 .port_budget = 3, .churn_mean = 60 * SIM_NS_PER_S,
						 .users = 50, .addresses_unread = unread};
			assert_int_equal(source_pool_init(&sp[unread], &cfg, &addrs,
							  kind == SOURCE_CGNAT ? &moves : NULL), 0);
		}
		assert_int_equal(sp[0].addresses_read, 1);
		assert_int_equal(sp[1].addresses_read, 0);
		struct source_binding b[2][50];
		int nonzero = 0;
		for (uint32_t u = 0; u < 50; u++)
			for (int k = 0; k < 2; k++)
				source_bind(&sp[k], &b[k][u], u, 0, 0);
		for (sim_time_t t = 0; t < 600 * SIM_NS_PER_S; t += 10 * SIM_NS_PER_S)
			for (uint32_t u = 0; u < 50; u++) {
				uint32_t addr[2], idx[2];
				uint16_t port[2];
				int rc[2];
				for (int k = 0; k < 2; k++)
					rc[k] = source_open(&sp[k], &b[k][u], t, &addr[k], &port[k], &idx[k]);
				assert_int_equal(rc[0], rc[1]);
				if (rc[0] != 0)
					continue;
				assert_int_equal(idx[0], idx[1]);
				assert_int_equal(port[0], port[1]);
				assert_int_equal(addr[1], 0);
				nonzero += addr[0] != 0;
				if (u % 3) /* keep some open: the budget refuses */
					for (int k = 0; k < 2; k++)
						source_close(&sp[k], idx[k]);
			}
		assert_true(nonzero > 0);
		assert_int_equal(sp[0].opened, sp[1].opened);
		assert_int_equal(sp[0].refused, sp[1].refused);
		assert_int_equal(sp[0].changes, sp[1].changes);
		source_pool_free(&sp[0]);
		source_pool_free(&sp[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_one_address_per_device),
		cmocka_unit_test(test_nat_exactly_n_addresses),
		cmocka_unit_test(test_populations_disjoint),
		cmocka_unit_test(test_sites_own_addresses),
		cmocka_unit_test(test_address_per_device),
		cmocka_unit_test(test_port_budget),
		cmocka_unit_test(test_cgnat_churn_rate_and_pool),
		cmocka_unit_test(test_unread_addresses_change_nothing_else),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
