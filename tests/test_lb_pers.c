/* Tests of persistence: the bounded table (expiry at the boundary, LRU
 * order, refusal, removal, memory), the three methods, redispatch, and a
 * randomized comparison with a naive model (an array scanned linearly, exact
 * LRU by a touch counter) over 100,000 operations, with lookups one at a
 * time and in batches. The table's own machinery gets tests of its own:
 * removal from the open-addressed index (backward shift) on clusters built
 * on purpose, compaction of the use log, and batches against single
 * lookups, state for state.
 *
 * Links the core and cmocka only: persistence needs no simulator.
 */
/* mincore is not POSIX; glibc declares it with _DEFAULT_SOURCE. */
#define _DEFAULT_SOURCE 1

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lbsim/lb.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"

static struct lb_pers_key mk(const char *s)
{
	struct lb_pers_key k;
	memset(&k, 0, sizeof k);
	k.len = (uint8_t)strlen(s);
	memcpy(k.bytes, s, k.len);
	return k;
}

static void assert_invariants(const struct lb_pers_table *t)
{
	const struct lb_pers_stats *s = &t->stats;
	assert_int_equal(s->lookups, s->hits + s->misses);
	assert_int_equal(t->count, s->inserts - s->expired - s->evicted - s->removed);
	assert_true(t->count <= t->capacity);
}

/* ---- the table ---------------------------------------------------------- */

/* An entry used at t is valid for now < t + expire and gone at now >= t +
 * expire. Two keys stored at the same instant probe the two sides (a hit
 * refreshes, so one key cannot probe both). */
static void test_expire_boundary(void **state)
{
	(void)state;
	const uint64_t E = 1000, t0 = 5000;
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 8, 0, E, LB_PERS_FULL_LRU, 1), 0);
	struct lb_pers_key a = mk("A"), b = mk("B"), c = mk("C");
	assert_int_equal(lb_pers_table_store(&t, &a, 1, t0), 0);
	assert_int_equal(lb_pers_table_store(&t, &b, 2, t0), 0);

	assert_int_equal(lb_pers_table_lookup(&t, &a, t0 + E - 1), 1); /* last valid instant */
	assert_int_equal(lb_pers_table_lookup(&t, &b, t0 + E), -1);    /* first expired instant */
	assert_int_equal(t.stats.expired, 1);
	assert_int_equal(lb_pers_table_count(&t), 1);

	/* The hit at t0+E-1 restarted A's clock. */
	uint64_t ta = t0 + E - 1;
	assert_int_equal(lb_pers_table_lookup(&t, &a, ta + E - 1), 1);
	ta += E - 1;
	assert_int_equal(lb_pers_table_lookup(&t, &a, ta + E), -1);

	/* The sweep honours the same boundary. */
	uint64_t tc = ta + E + 10;
	assert_int_equal(lb_pers_table_store(&t, &c, 3, tc), 0);
	assert_int_equal(lb_pers_table_expire(&t, tc + E - 1, 100), 0);
	assert_int_equal(lb_pers_table_count(&t), 1);
	assert_int_equal(lb_pers_table_expire(&t, tc + E, 100), 1);
	assert_int_equal(lb_pers_table_count(&t), 0);

	/* Storing onto an expired key is a new entry, not an update. */
	assert_int_equal(lb_pers_table_store(&t, &a, 4, tc + E), 0);
	assert_int_equal(lb_pers_table_store(&t, &a, 5, tc + 3 * E), 0);
	assert_int_equal(lb_pers_table_store(&t, &a, 6, tc + 3 * E + 1), 1);
	assert_int_equal(lb_pers_table_lookup(&t, &a, tc + 3 * E + 2), 6);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

/* Insert A B C in a table of 3, touch A, insert D: B (least recently used)
 * goes. Then touch A, C, D in that order and insert E: A goes. */
static void test_lru_order(void **state)
{
	(void)state;
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 3, 0, 0, LB_PERS_FULL_LRU, 7), 0);
	struct lb_pers_key a = mk("A"), b = mk("B"), c = mk("C"), d = mk("D"), e = mk("E");
	assert_int_equal(lb_pers_table_store(&t, &a, 0, 1), 0);
	assert_int_equal(lb_pers_table_store(&t, &b, 1, 2), 0);
	assert_int_equal(lb_pers_table_store(&t, &c, 2, 3), 0);
	assert_int_equal(lb_pers_table_lookup(&t, &a, 4), 0);
	assert_int_equal(lb_pers_table_store(&t, &d, 3, 5), 0);
	assert_int_equal(t.stats.evicted, 1);
	assert_int_equal(lb_pers_table_lookup(&t, &b, 6), -1);
	assert_int_equal(lb_pers_table_lookup(&t, &a, 7), 0);
	assert_int_equal(lb_pers_table_lookup(&t, &c, 8), 2);
	assert_int_equal(lb_pers_table_lookup(&t, &d, 9), 3);
	assert_int_equal(lb_pers_table_store(&t, &e, 4, 10), 0);
	assert_int_equal(t.stats.evicted, 2);
	assert_int_equal(lb_pers_table_lookup(&t, &a, 11), -1);
	assert_int_equal(lb_pers_table_lookup(&t, &c, 12), 2);
	assert_int_equal(lb_pers_table_lookup(&t, &d, 13), 3);
	assert_int_equal(lb_pers_table_lookup(&t, &e, 14), 4);
	assert_int_equal(lb_pers_table_count(&t), 3);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

/* A full table under `refuse` stores nothing new but still updates known
 * keys, and reuses an expired entry rather than refusing. */
static void test_refuse_when_full(void **state)
{
	(void)state;
	const uint64_t E = 100;
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 3, 0, E, LB_PERS_FULL_REFUSE, 3), 0);
	struct lb_pers_key a = mk("A"), b = mk("B"), c = mk("C"), d = mk("D");
	assert_int_equal(lb_pers_table_store(&t, &a, 0, 1), 0);
	assert_int_equal(lb_pers_table_store(&t, &b, 1, 1), 0);
	assert_int_equal(lb_pers_table_store(&t, &c, 2, 1), 0);
	assert_int_equal(lb_pers_table_store(&t, &d, 3, 2), LB_EFULL);
	assert_int_equal(t.stats.refused, 1);
	assert_int_equal(t.stats.evicted, 0);
	assert_int_equal(lb_pers_table_lookup(&t, &d, 3), -1);
	assert_int_equal(lb_pers_table_store(&t, &a, 9, 3), 1); /* update while full */
	assert_int_equal(lb_pers_table_lookup(&t, &a, 3), 9);
	assert_int_equal(lb_pers_table_lookup(&t, &b, 3), 1);
	assert_int_equal(lb_pers_table_lookup(&t, &c, 3), 2);
	/* All three were last used at 3: at 3 + E they are dead and D fits. */
	assert_int_equal(lb_pers_table_store(&t, &d, 3, 3 + E), 0);
	assert_int_equal(t.stats.refused, 1);
	assert_int_equal(lb_pers_table_lookup(&t, &d, 3 + E), 3);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

static void test_remove_server(void **state)
{
	(void)state;
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 64, 16, 0, LB_PERS_FULL_LRU, 5), 0);
	char name[8];
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof name, "k%d", i);
		struct lb_pers_key k = mk(name);
		assert_int_equal(lb_pers_table_store(&t, &k, (uint32_t)(i % 3), 1), 0);
	}
	assert_int_equal(lb_pers_table_remove_server(&t, 1), 10);
	assert_int_equal(lb_pers_table_count(&t), 20);
	assert_int_equal(t.stats.removed, 10);
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof name, "k%d", i);
		struct lb_pers_key k = mk(name);
		assert_int_equal(lb_pers_table_lookup(&t, &k, 2), i % 3 == 1 ? -1 : i % 3);
	}
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

/* Bytes come from the structures: capacity entries of sizeof(struct
 * lb_pers_entry), two 8-byte index slots per bucket and two 4-byte log
 * records per entry; they do not grow with traffic and return to zero when
 * freed. */
static void test_memory_accounting(void **state)
{
	(void)state;
	const uint32_t cap = 1000, nb = 1024; /* smallest power of two >= 1000 */
	const size_t expect = cap * sizeof(struct lb_pers_entry) + nb * 2 * sizeof(uint64_t) +
			      cap * 2 * sizeof(uint32_t);
	assert_int_equal(sizeof(struct lb_pers_entry), 64);
	assert_int_equal(lb_pers_table_bytes(cap, nb), expect);

	struct lb_persist p;
	struct lb_pers_params prm = { .size = cap, .expire_ns = 0 };
	assert_int_equal(lb_persist_init(&p, &lb_pers_source_ip, &prm), 0);
	assert_int_equal(p.table.nbuckets, nb);
	assert_int_equal(lb_pers_mem_bytes(&p), expect);
	assert_int_equal(((uintptr_t)p.table.entries) % 64, 0);

	/* Fill past capacity: memory stays put. */
	struct lb_pool pool;
	assert_int_equal(lb_pool_init(&pool, "p", 4, NULL, lb_sel_find("roundrobin"), NULL), 0);
	struct lb_request req = { 0 };
	for (uint32_t i = 0; i < 3 * cap; i++) {
		req.src_ip = 0x0a000000u + i;
		assert_true(lb_pers_select(&p, &pool, &req, i, NULL) >= 0);
	}
	assert_int_equal(lb_pers_table_count(&p.table), cap);
	assert_int_equal(lb_pers_mem_bytes(&p), expect);
	assert_int_equal(p.table.stats.evicted, 2 * cap);

	lb_persist_free(&p);
	assert_int_equal(p.table.mem.live, 0);
	assert_int_equal(p.table.mem.peak, expect);
	lb_pool_free(&pool);

	/* Explicit bucket count: a power of two or refused; fewer buckets
	 * than entries are raised (the index must hold every entry), more
	 * are kept. */
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 100, 48, 0, LB_PERS_FULL_LRU, 0), LB_EINVAL);
	assert_int_equal(lb_pers_table_init(&t, 0, 0, 0, LB_PERS_FULL_LRU, 0), LB_EINVAL);
	assert_int_equal(lb_pers_table_init(&t, 100, 32, 0, LB_PERS_FULL_LRU, 0), 0);
	assert_int_equal(t.nbuckets, 128);
	assert_int_equal(t.mem.live, lb_pers_table_bytes(100, 32));
	assert_int_equal(lb_pers_table_bytes(100, 32), lb_pers_table_bytes(100, 128));
	lb_pers_table_free(&t);
	assert_int_equal(t.mem.live, 0);
	assert_int_equal(lb_pers_table_init(&t, 100, 512, 0, LB_PERS_FULL_LRU, 0), 0);
	assert_int_equal(t.nbuckets, 512);
	assert_int_equal(t.mem.live, lb_pers_table_bytes(100, 512));
	lb_pers_table_free(&t);

	/* A table whose arrays reach a huge page (2 MiB) gets them on huge
	 * page boundaries, and is still measured to the byte. */
	assert_int_equal(lb_pers_table_init(&t, 1u << 17, 0, 0, LB_PERS_FULL_LRU, 0), 0);
	assert_int_equal(t.mem.live, lb_pers_table_bytes(1u << 17, 0));
	assert_int_equal(t.mem.live, (size_t)(1u << 17) * (64 + 16 + 8));
	assert_int_equal(((uintptr_t)t.entries) % (2u << 20), 0);
	assert_int_equal(((uintptr_t)t.index) % (2u << 20), 0);
	lb_pers_table_free(&t);
	assert_int_equal(t.mem.live, 0);
}

/* Bytes past a key's length do not take part: a key written over junk
 * finds the one stored from a clean buffer, for every length and both ways
 * round. */
static void test_key_bytes_past_len(void **state)
{
	(void)state;
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, 64, 0, 0, LB_PERS_FULL_LRU, 13), 0);
	for (uint8_t len = 1; len <= LB_PERS_KEY_MAX; len++) {
		struct lb_pers_key clean, dirty;
		memset(&clean, 0, sizeof clean);
		memset(&dirty, 0xa5, sizeof dirty);
		clean.len = dirty.len = len;
		for (uint8_t i = 0; i < len; i++)
			clean.bytes[i] = dirty.bytes[i] = (uint8_t)(len * 7 + i);
		const struct lb_pers_key *store = len % 2 ? &clean : &dirty;
		const struct lb_pers_key *probe = len % 2 ? &dirty : &clean;
		assert_int_equal(lb_pers_table_store(&t, store, len, 1), 0);
		assert_int_equal(lb_pers_table_lookup(&t, probe, 2), len);
		/* One byte shorter is another key. */
		struct lb_pers_key shorter = *probe;
		if (len > 1) {
			shorter.len = (uint8_t)(len - 1);
			assert_int_equal(lb_pers_table_lookup(&t, &shorter, 2), -1);
		}
	}
	assert_int_equal(lb_pers_table_count(&t), LB_PERS_KEY_MAX);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

/* ---- methods and lb_pers_select ------------------------------------------ */

struct fixture {
	struct lb_pool pool;
	struct lb_persist p;
};

static void fixture_init(struct fixture *f, uint32_t nservers,
			 const struct lb_pers_ops *ops, uint8_t netmask)
{
	const struct lb_sel_ops *rr = lb_sel_find("roundrobin");
	assert_non_null(rr);
	assert_int_equal(lb_pool_init(&f->pool, "p", nservers, NULL, rr, NULL), 0);
	struct lb_pers_params prm = { .size = 256, .expire_ns = 0, .netmask = netmask, .seed = 11 };
	assert_int_equal(lb_persist_init(&f->p, ops, &prm), 0);
}

static void fixture_free(struct fixture *f)
{
	assert_invariants(&f->p.table);
	lb_persist_free(&f->p);
	lb_pool_free(&f->pool);
}

/* A persisted client stays on a draining server (drain keeps persistent
 * sessions) and on a server whose weight is 0, and is redispatched when its
 * server is down, in maintenance or failing its checks; the entry then names
 * the new server. */
static void test_redispatch_down_not_drain(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, &lb_pers_source_ip, 32);
	struct lb_request req = { .src_ip = 0xc0a80001u };
	int r = -1;
	int s0 = lb_pers_select(&f.p, &f.pool, &req, 10, &r);
	assert_true(s0 >= 0);
	assert_int_equal(r, 0);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 11, &r), s0);
	assert_int_equal(f.p.table.stats.hits, 1);

	assert_int_equal(lb_server_set_admin(&f.pool, (uint32_t)s0, LB_ADMIN_DRAIN), 0);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 12, &r), s0);
	assert_int_equal(r, 0);
	assert_int_equal(f.p.table.stats.redispatched, 0);
	/* ...while a new client does not go there. */
	for (uint32_t i = 0; i < 20; i++) {
		struct lb_request other = { .src_ip = 0x0b000000u + i };
		assert_int_not_equal(lb_pers_select(&f.p, &f.pool, &other, 12, NULL), s0);
	}
	assert_int_equal(lb_server_set_admin(&f.pool, (uint32_t)s0, LB_ADMIN_UP), 0);
	assert_int_equal(lb_server_set_weight(&f.pool, (uint32_t)s0, 0), 0);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 13, &r), s0);
	assert_int_equal(r, 0);
	assert_int_equal(lb_server_set_weight(&f.pool, (uint32_t)s0, 1), 0);

	assert_int_equal(lb_server_set_admin(&f.pool, (uint32_t)s0, LB_ADMIN_DOWN), 0);
	int s1 = lb_pers_select(&f.p, &f.pool, &req, 14, &r);
	assert_true(s1 >= 0);
	assert_int_not_equal(s1, s0);
	assert_int_equal(r, 1);
	assert_int_equal(f.p.table.stats.redispatched, 1);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 15, &r), s1);
	assert_int_equal(r, 0);
	/* s0 comes back: the client stays where it was sent. */
	assert_int_equal(lb_server_set_admin(&f.pool, (uint32_t)s0, LB_ADMIN_UP), 0);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 16, &r), s1);

	assert_int_equal(lb_server_set_healthy(&f.pool, (uint32_t)s1, 0), 0);
	int s2 = lb_pers_select(&f.p, &f.pool, &req, 17, &r);
	assert_true(s2 >= 0 && s2 != s1);
	assert_int_equal(r, 1);
	assert_int_equal(lb_server_set_admin(&f.pool, (uint32_t)s2, LB_ADMIN_MAINT), 0);
	int s3 = lb_pers_select(&f.p, &f.pool, &req, 18, &r);
	assert_true(s3 >= 0 && s3 != s2 && s3 != s1);
	assert_int_equal(r, 1);
	assert_int_equal(f.p.table.stats.redispatched, 3);
	fixture_free(&f);
}

/* No usable server: lb_pick and lb_pers_select return -1, nothing new is
 * stored, and a known client keeps its entry and returns to its server. */
static void test_all_servers_down(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 3, &lb_pers_source_ip, 32);
	struct lb_request known = { .src_ip = 0x01020304u };
	int home = lb_pers_select(&f.p, &f.pool, &known, 1, NULL);
	assert_true(home >= 0);
	for (uint32_t s = 0; s < 3; s++)
		assert_int_equal(lb_server_set_healthy(&f.pool, s, 0), 0);

	struct lb_request fresh = { .src_ip = 0x05060708u };
	assert_int_equal(lb_pick(&f.pool, &fresh, 2), -1);
	int r = -1;
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &fresh, 2, &r), -1);
	assert_int_equal(r, 0);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &known, 3, &r), -1);
	assert_int_equal(r, 0);
	assert_int_equal(f.p.table.stats.nosrv, 2);
	assert_int_equal(f.p.table.stats.redispatched, 0);
	assert_int_equal(lb_pers_table_count(&f.p.table), 1);

	for (uint32_t s = 0; s < 3; s++)
		assert_int_equal(lb_server_set_healthy(&f.pool, s, 1), 0);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &known, 4, &r), home);
	assert_int_equal(r, 0);
	fixture_free(&f);
}

/* /24: two addresses of one network share a key and a server; the next
 * network is another key. /32 (the default) keeps them apart. */
static void test_source_ip_netmask(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, &lb_pers_source_ip, 24);
	struct lb_request a = { .src_ip = 0x0a010203u };   /* 10.1.2.3 */
	struct lb_request b = { .src_ip = 0x0a0102c8u };   /* 10.1.2.200 */
	struct lb_request c = { .src_ip = 0x0a010303u };   /* 10.1.3.3 */
	struct lb_pers_key ka, kb, kc;
	assert_int_equal(f.p.ops->key(&f.p, &a, &ka), 0);
	assert_int_equal(f.p.ops->key(&f.p, &b, &kb), 0);
	assert_int_equal(f.p.ops->key(&f.p, &c, &kc), 0);
	assert_int_equal(ka.len, 4);
	assert_memory_equal(ka.bytes, kb.bytes, 4);
	assert_memory_not_equal(ka.bytes, kc.bytes, 4);
	const uint8_t net[4] = { 10, 1, 2, 0 };
	assert_memory_equal(ka.bytes, net, 4);

	int sa = lb_pers_select(&f.p, &f.pool, &a, 1, NULL);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &b, 2, NULL), sa);
	assert_int_equal(f.p.table.stats.hits, 1);
	(void)lb_pers_select(&f.p, &f.pool, &c, 3, NULL);
	assert_int_equal(f.p.table.stats.misses, 2);
	assert_int_equal(lb_pers_table_count(&f.p.table), 2);
	fixture_free(&f);

	fixture_init(&f, 4, &lb_pers_source_ip, 0); /* 0: the /32 default */
	assert_int_equal(f.p.params.netmask, 32);
	assert_int_equal(f.p.ops->key(&f.p, &a, &ka), 0);
	assert_int_equal(f.p.ops->key(&f.p, &b, &kb), 0);
	assert_memory_not_equal(ka.bytes, kb.bytes, 4);
	fixture_free(&f);

	struct lb_persist bad;
	struct lb_pers_params prm = { .size = 4, .netmask = 33 };
	assert_int_equal(lb_persist_init(&bad, &lb_pers_source_ip, &prm), LB_EINVAL);
}

/* Every client behind one address lands on one server. */
static void test_one_source_one_server(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 8, &lb_pers_source_ip, 32);
	struct lb_request nat = { .src_ip = 0xcb007107u };
	int first = lb_pers_select(&f.p, &f.pool, &nat, 0, NULL);
	for (uint32_t i = 1; i < 1000; i++) {
		nat.src_port = (uint16_t)(1024 + i);
		assert_int_equal(lb_pers_select(&f.p, &f.pool, &nat, i, NULL), first);
	}
	assert_int_equal(f.p.table.stats.hits, 999);
	fixture_free(&f);
}

/* Same session id: same server. A new id is a new lookup (a miss); no id,
 * or an empty or over-long one, is balanced and not stored. */
static void test_ssl_session_id(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, &lb_pers_ssl_session_id, 0);
	uint8_t id1[32], id2[32], id33[33];
	for (int i = 0; i < 32; i++) {
		id1[i] = (uint8_t)i;
		id2[i] = (uint8_t)(i + 1);
	}
	memset(id33, 7, sizeof id33);
	struct lb_request req = { .tls_session_id = id1, .tls_session_id_len = 32 };
	int s = lb_pers_select(&f.p, &f.pool, &req, 1, NULL);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 2, NULL), s);
	assert_int_equal(f.p.table.stats.hits, 1);
	assert_int_equal(f.p.table.stats.misses, 1);

	req.tls_session_id = id2;
	(void)lb_pers_select(&f.p, &f.pool, &req, 3, NULL);
	assert_int_equal(f.p.table.stats.misses, 2);
	assert_int_equal(lb_pers_table_count(&f.p.table), 2);

	req.tls_session_id = NULL;
	assert_true(lb_pers_select(&f.p, &f.pool, &req, 4, NULL) >= 0);
	req.tls_session_id = id1;
	req.tls_session_id_len = 0;
	assert_true(lb_pers_select(&f.p, &f.pool, &req, 5, NULL) >= 0);
	req.tls_session_id = id33;
	req.tls_session_id_len = 33;
	assert_true(lb_pers_select(&f.p, &f.pool, &req, 6, NULL) >= 0);
	assert_int_equal(f.p.table.stats.unkeyed, 3);
	assert_int_equal(f.p.table.stats.lookups, 3);
	assert_int_equal(lb_pers_table_count(&f.p.table), 2);

	/* A shorter id that is a prefix of a stored one is another key. */
	req.tls_session_id = id1;
	req.tls_session_id_len = 16;
	(void)lb_pers_select(&f.p, &f.pool, &req, 7, NULL);
	assert_int_equal(f.p.table.stats.misses, 3);
	fixture_free(&f);
}

static void test_cookie(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, &lb_pers_cookie, 0);
	assert_int_equal(lb_pers_cookie.needs, LB_NEED_L7);
	struct lb_request req = { .cookie = "client-000042" };
	int s = lb_pers_select(&f.p, &f.pool, &req, 1, NULL);
	assert_int_equal(lb_pers_select(&f.p, &f.pool, &req, 2, NULL), s);
	assert_int_equal(f.p.table.stats.hits, 1);
	req.cookie = NULL;
	(void)lb_pers_select(&f.p, &f.pool, &req, 3, NULL);
	req.cookie = "";
	(void)lb_pers_select(&f.p, &f.pool, &req, 4, NULL);
	req.cookie = "0123456789abcdef0123456789abcdefX"; /* 33 bytes */
	(void)lb_pers_select(&f.p, &f.pool, &req, 5, NULL);
	assert_int_equal(f.p.table.stats.unkeyed, 3);
	req.cookie = "0123456789abcdef0123456789abcdef";  /* 32 bytes: fits */
	(void)lb_pers_select(&f.p, &f.pool, &req, 6, NULL);
	assert_int_equal(lb_pers_table_count(&f.p.table), 2);
	fixture_free(&f);
}

static void test_registry(void **state)
{
	(void)state;
	char buf[128];
	assert_string_equal(lb_pers_names(buf, sizeof buf), "source-ip, ssl-session-id, cookie");
	assert_ptr_equal(lb_pers_find("source-ip"), &lb_pers_source_ip);
	assert_ptr_equal(lb_pers_find("ssl-session-id"), &lb_pers_ssl_session_id);
	assert_ptr_equal(lb_pers_find("cookie"), &lb_pers_cookie);
	assert_null(lb_pers_find("source"));
	assert_null(lb_pers_find(NULL));
	/* What each needs: an L4 service offers the address and the hello. */
	const unsigned l4 = LB_NEED_SRC_ADDR | LB_NEED_TLS_HELLO;
	assert_int_equal(lb_pers_source_ip.needs & ~l4, 0);
	assert_int_equal(lb_pers_ssl_session_id.needs & ~l4, 0);
	assert_int_not_equal(lb_pers_cookie.needs & ~l4, 0);
	for (size_t i = 0; i < lb_pers_registry_len; i++) {
		assert_non_null(lb_pers_registry[i]->key);
		assert_non_null(lb_pers_registry[i]->description);
	}
}

/* ---- randomized comparison with a naive model ---------------------------- */

#define PCAP 64
#define PKEYS 200
#define PSERVERS 8
#define POPS 100000

struct model_ent {
	int used;
	struct lb_pers_key key;
	uint32_t server;
	uint64_t last;
	uint64_t seq; /* LRU order: a touch counter, so ties in time cannot blur it */
};

struct model {
	struct model_ent e[PCAP];
	int cap;      /* entries in use: 1..PCAP */
	uint64_t seq;
	uint64_t expire;
	enum lb_pers_full full;
	uint64_t hits, misses, evicted, refused;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int key_eq(const struct lb_pers_key *a, const struct lb_pers_key *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static int m_expired(const struct model *m, int i, uint64_t now)
{
	return m->expire && now - m->e[i].last >= m->expire;
}

static int m_find(const struct model *m, const struct lb_pers_key *k)
{
	for (int i = 0; i < m->cap; i++)
		if (m->e[i].used && key_eq(&m->e[i].key, k))
			return i;
	return -1;
}

static int m_lookup(struct model *m, const struct lb_pers_key *k, uint64_t now)
{
	int i = m_find(m, k);
	if (i < 0 || m_expired(m, i, now)) {
		if (i >= 0)
			m->e[i].used = 0;
		m->misses++;
		return -1;
	}
	m->e[i].last = now;
	m->e[i].seq = ++m->seq;
	m->hits++;
	return (int)m->e[i].server;
}

static int m_store(struct model *m, const struct lb_pers_key *k, uint32_t server, uint64_t now)
{
	int i = m_find(m, k);
	int ret = 0;
	if (i >= 0) {
		ret = m_expired(m, i, now) ? 0 : 1;
	} else {
		for (int j = 0; j < m->cap && i < 0; j++)
			if (!m->e[j].used)
				i = j;
		if (i < 0) {
			int lru = 0;
			for (int j = 1; j < m->cap; j++)
				if (m->e[j].seq < m->e[lru].seq)
					lru = j;
			if (!m_expired(m, lru, now)) {
				if (m->full == LB_PERS_FULL_REFUSE) {
					m->refused++;
					return LB_EFULL;
				}
				m->evicted++;
			}
			i = lru;
		}
		m->e[i].used = 1;
		m->e[i].key = *k;
	}
	m->e[i].server = server;
	m->e[i].last = now;
	m->e[i].seq = ++m->seq;
	return ret;
}

static uint32_t m_live(const struct model *m, uint64_t now)
{
	uint32_t n = 0;
	for (int i = 0; i < m->cap; i++)
		n += m->e[i].used && !m_expired(m, i, now);
	return n;
}

/* Live entries of the real table, read from its entry pool directly. */
static uint32_t t_live(const struct lb_pers_table *t, uint64_t now)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < t->capacity; i++) {
		const struct lb_pers_entry *e = &t->entries[i];
		n += e->key_len != 0 && !(t->expire_ns && now - e->last_use_ns >= t->expire_ns);
	}
	return n;
}

/* Every slot of the open-addressed index is reachable from its home slot
 * (no empty slot between), names an entry in use whose hash it carries, and
 * there are exactly count such slots: the invariant that backward-shift
 * removal must keep for lookups to stay correct. */
static void assert_index_sound(const struct lb_pers_table *t)
{
	uint32_t used = 0;
	for (uint32_t s = 0; s <= t->slot_mask; s++) {
		uint64_t v = t->index[s];
		if (v == 0)
			continue;
		used++;
		uint32_t h = (uint32_t)(v >> 32), i = (uint32_t)v - 1;
		assert_true(i < t->capacity);
		assert_int_not_equal(t->entries[i].key_len, 0);
		assert_int_equal(t->entries[i].hash, h);
		for (uint32_t p = h & t->slot_mask; p != s; p = (p + 1) & t->slot_mask)
			assert_int_not_equal(t->index[p], 0);
	}
	assert_int_equal(used, t->count);
}

static void draw_key(uint64_t *rng, struct lb_pers_key *k)
{
	memset(k, 0, sizeof *k);
	k->len = (uint8_t)(1 + xorshift(rng) % LB_PERS_KEY_MAX);
	for (int b = 0; b < k->len; b++)
		k->bytes[b] = (uint8_t)xorshift(rng);
}

/* n distinct random keys of 1..32 bytes; every 17th is the one before it
 * less its last byte, so that keys differing in length only meet. */
static void make_keys(uint64_t *rng, struct lb_pers_key *keys, int n)
{
	for (int i = 0; i < n; i++) {
		draw_key(rng, &keys[i]);
		if (i > 0 && i % 17 == 0 && keys[i - 1].len > 1) {
			keys[i] = keys[i - 1];
			keys[i].len--;
		}
	}
	/* Distinct keys (duplicates would make the model ambiguous): draw a
	 * duplicate again and check it again from the start (bumping a byte
	 * could cycle among 1-byte keys, of which there are only 256). */
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < i; j++) {
			if (key_eq(&keys[i], &keys[j])) {
				draw_key(rng, &keys[i]);
				j = -1;
			}
		}
	}
}

#define BATCH_MAX 24

/* Up to BATCH_MAX lookups at one instant, as lb_pers_table_lookup_batch
 * takes them: random keys, now and then the previous key again (a key twice
 * in one batch) or an empty key (invalid, a miss). */
static size_t make_batch(uint64_t *rng, const struct lb_pers_key *keys, int nkeys,
			 struct lb_pers_key *batch)
{
	size_t n = 1 + xorshift(rng) % BATCH_MAX;
	for (size_t k = 0; k < n; k++) {
		uint64_t r = xorshift(rng);
		if (k > 0 && r % 8 == 0)
			batch[k] = batch[k - 1];
		else if (r % 53 == 1)
			memset(&batch[k], 0, sizeof batch[k]);
		else
			batch[k] = keys[(r >> 16) % (uint64_t)nkeys];
	}
	return n;
}

/* The model and the table side by side over POPS random operations (45%
 * lookups, 43% stores, 2% server removals, 10% sweeps), with time jumping
 * now and then past every entry's expiry. batched: each lookup operation is
 * a batch of lookups through lb_pers_table_lookup_batch, held to the
 * model's sequential answers. */
static void property_run(enum lb_pers_full full, int batched)
{
	static struct model m;
	memset(&m, 0, sizeof m);
	const uint64_t E = 3000;
	m.cap = PCAP;
	m.expire = E;
	m.full = full;
	/* One at a time: the fewest buckets the table takes (one per entry,
	 * two slots each), so that the index is half full at capacity,
	 * clusters form and removal shifts them often. Batched: 2^14 buckets,
	 * 256 KiB of index, past the size under which a batch skips its
	 * prefetching and runs single lookups (the prefetching path is the
	 * one to hold to the model). */
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, PCAP, batched ? 1u << 14 : 1, E, full, 99), 0);
	assert_int_equal(t.nbuckets, batched ? 1u << 14 : PCAP);

	uint64_t rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)full ^ ((uint64_t)batched << 8);
	static struct lb_pers_key keys[PKEYS];
	make_keys(&rng, keys, PKEYS);

	uint64_t now = 1;
	uint64_t n_hit = 0, n_evict = 0;
	for (int op = 0; op < POPS; op++) {
		uint64_t r = xorshift(&rng);
		now += (r >> 8) % 40;                 /* mean step 19.5: ~150 ops per expire */
		if ((r >> 20) % 1000 == 0)
			now += 2 * E;                     /* everything expires now and then */
		const struct lb_pers_key *k = &keys[(r >> 32) % PKEYS];
		unsigned kind = (unsigned)(r % 100);
		if (kind < 45 && batched) {
			struct lb_pers_key batch[BATCH_MAX];
			int got[BATCH_MAX];
			size_t n = make_batch(&rng, keys, PKEYS, batch);
			lb_pers_table_lookup_batch(&t, batch, n, now, got);
			for (size_t b = 0; b < n; b++) {
				int want = m_lookup(&m, &batch[b], now);
				assert_int_equal(got[b], want);
				n_hit += want >= 0;
			}
		} else if (kind < 45) {
			int want = m_lookup(&m, k, now);
			assert_int_equal(lb_pers_table_lookup(&t, k, now), want);
			n_hit += want >= 0;
		} else if (kind < 88) {
			uint32_t s = (uint32_t)((r >> 40) % PSERVERS);
			assert_int_equal(lb_pers_table_store(&t, k, s, now), m_store(&m, k, s, now));
		} else if (kind < 90) {
			uint32_t s = (uint32_t)((r >> 40) % PSERVERS);
			(void)lb_pers_table_remove_server(&t, s);
			for (int i = 0; i < PCAP; i++)
				if (m.e[i].used && m.e[i].server == s)
					m.e[i].used = 0;
		} else {
			(void)lb_pers_table_expire(&t, now, (uint32_t)((r >> 40) % 5));
		}
		if (op % 97 == 0) {
			assert_int_equal(t_live(&t, now), m_live(&m, now));
			assert_invariants(&t);
			assert_index_sound(&t);
		}
	}
	n_evict = t.stats.evicted;
	assert_int_equal(t.stats.hits, m.hits);
	assert_int_equal(t.stats.misses, m.misses);
	assert_int_equal(t.stats.evicted, m.evicted);
	assert_int_equal(t.stats.refused, m.refused);
	(void)lb_pers_table_expire(&t, now, UINT32_MAX);
	assert_int_equal(lb_pers_table_count(&t), m_live(&m, now));
	assert_invariants(&t);
	assert_index_sound(&t);
	/* The run must have exercised what it claims to test. */
	assert_true(n_hit > 1000);
	assert_true(t.stats.expired > 1000);
	assert_true(t.compactions > 100);
	if (full == LB_PERS_FULL_LRU)
		assert_true(n_evict > 100);
	else
		assert_true(t.stats.refused > 100);
	lb_pers_table_free(&t);
}

static void test_property_lru(void **state)
{
	(void)state;
	property_run(LB_PERS_FULL_LRU, 0);
}

static void test_property_refuse(void **state)
{
	(void)state;
	property_run(LB_PERS_FULL_REFUSE, 0);
}

static void test_property_lru_batched(void **state)
{
	(void)state;
	property_run(LB_PERS_FULL_LRU, 1);
}

static void test_property_refuse_batched(void **state)
{
	(void)state;
	property_run(LB_PERS_FULL_REFUSE, 1);
}

/* ---- the table's machinery ------------------------------------------------ */

/* Two tables fed the same operations, one looking up in batches and the
 * other one key at a time, end in the same state: same answers, same
 * counters, the same entries, index and use log, byte for byte; and then
 * evict in the same order. Includes repeated and invalid keys within a
 * batch, expiring entries, and prefetch hints (both steps), which change nothing.
 * 4096 entries: 320 KiB of entries and index, so batches take their
 * prefetching path. */
static void test_batch_equals_sequential(void **state)
{
	(void)state;
	enum { CAP = 4096, NKEYS = 8000, ROUNDS = 60000 };
	const uint64_t E = 80000;
	struct lb_pers_table a, b;
	assert_int_equal(lb_pers_table_init(&a, CAP, 0, E, LB_PERS_FULL_LRU, 5), 0);
	assert_int_equal(lb_pers_table_init(&b, CAP, 0, E, LB_PERS_FULL_LRU, 5), 0);
	uint64_t rng = 0x5eed;
	static struct lb_pers_key keys[NKEYS];
	make_keys(&rng, keys, NKEYS);

	uint64_t now = 1, hits = 0;
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t r = xorshift(&rng);
		now += r % 6;
		if ((r >> 20) % 6000 == 0)
			now += E; /* a pause: much of the table expires */
		const struct lb_pers_key *k = &keys[(r >> 8) % NKEYS];
		if ((r >> 32) % 2 == 0) {
			uint32_t s = (uint32_t)((r >> 40) % PSERVERS);
			assert_int_equal(lb_pers_table_store(&a, k, s, now),
					 lb_pers_table_store(&b, k, s, now));
			continue;
		}
		struct lb_pers_key batch[BATCH_MAX];
		int got[BATCH_MAX];
		size_t n = make_batch(&rng, keys, NKEYS, batch);
		struct lb_pers_hint h0, hn;
		lb_pers_table_hint(&a, &batch[0], &h0);
		lb_pers_table_hint(&a, &batch[n - 1], &hn);
		lb_pers_hint_prefetch(&h0, 0);
		lb_pers_hint_prefetch(&hn, 1);
		lb_pers_table_lookup_batch(&a, batch, n, now, got);
		for (size_t i = 0; i < n; i++) {
			int want = lb_pers_table_lookup(&b, &batch[i], now);
			assert_int_equal(got[i], want);
			hits += want >= 0;
		}
	}
	assert_true(hits > 10000);
	assert_true(a.stats.expired > 1000 && a.stats.evicted > 300 && a.compactions > 10);
	assert_memory_equal(&a.stats, &b.stats, sizeof a.stats);
	assert_memory_equal(a.entries, b.entries, CAP * sizeof *a.entries);
	assert_memory_equal(a.index, b.index, (a.slot_mask + 1) * sizeof *a.index);
	assert_int_equal(a.ring_head, b.ring_head);
	assert_int_equal(a.ring_tail, b.ring_tail);
	assert_memory_equal(a.ring, b.ring, a.ring_tail * sizeof *a.ring);

	/* What each table evicts next: fresh keys push the old ones out in
	 * least-recently-used order; after each store both lack the same
	 * keys. */
	static struct lb_pers_key fresh[CAP];
	make_keys(&rng, fresh, CAP); /* a few may be old keys: stored as updates, alike */
	for (int f = 0; f < CAP; f++) {
		assert_int_equal(lb_pers_table_store(&a, &fresh[f], 0, now),
				 lb_pers_table_store(&b, &fresh[f], 0, now));
		assert_memory_equal(a.entries, b.entries, CAP * sizeof *a.entries);
	}
	assert_memory_equal(&a.stats, &b.stats, sizeof a.stats);
	lb_pers_table_free(&a);
	lb_pers_table_free(&b);
}

/* The use log is compacted many times while few entries are evicted, and
 * the order stays exact: after 20,000 hits on a full table of 8, each new
 * key evicts the model's least recently used key, one after another. */
static void test_ring_compaction_keeps_lru(void **state)
{
	(void)state;
	enum { CAP = 8, NKEYS = 24 };
	static struct model m;
	memset(&m, 0, sizeof m);
	m.cap = CAP;
	m.full = LB_PERS_FULL_LRU;
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, CAP, 0, 0, LB_PERS_FULL_LRU, 21), 0);
	uint64_t rng = 77;
	static struct lb_pers_key keys[NKEYS];
	make_keys(&rng, keys, NKEYS);

	uint64_t now = 1;
	for (int i = 0; i < CAP; i++, now++)
		assert_int_equal(lb_pers_table_store(&t, &keys[i], (uint32_t)i, now),
				 m_store(&m, &keys[i], (uint32_t)i, now));
	for (int i = 0; i < 20000; i++, now++) {
		/* Skewed towards the first keys, so that records go stale at
		 * different rates. */
		uint64_t r = xorshift(&rng);
		const struct lb_pers_key *k = &keys[(r % CAP) & (r >> 8) % CAP];
		assert_int_equal(lb_pers_table_lookup(&t, k, now), m_lookup(&m, k, now));
		assert_true(t.ring_tail <= t.ring_size);
	}
	assert_true(t.compactions > 1000);
	assert_int_equal(t.stats.evicted, 0);

	for (int i = CAP; i < NKEYS; i++, now++) {
		int victim = -1;
		uint64_t oldest = UINT64_MAX;
		for (int j = 0; j < CAP; j++)
			if (m.e[j].used && m.e[j].seq < oldest) {
				oldest = m.e[j].seq;
				victim = j;
			}
		struct lb_pers_key gone = m.e[victim].key;
		assert_int_equal(lb_pers_table_store(&t, &keys[i], (uint32_t)i, now),
				 m_store(&m, &keys[i], (uint32_t)i, now));
		/* A miss changes no order, so probing the victim is safe. */
		assert_int_equal(lb_pers_table_lookup(&t, &gone, now), -1);
		m.misses++;
		assert_int_equal(t.stats.evicted, (uint64_t)(i - CAP + 1));
	}
	assert_int_equal(t.stats.hits, m.hits);
	assert_int_equal(t.stats.misses, m.misses);
	/* Every record position names an entry's latest use, within the log:
	 * positions restart at each compaction, so they never wrap. */
	for (uint32_t i = 0; i < CAP; i++)
		assert_true(t.entries[i].ring_pos < t.ring_tail);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

/* The slot key k lands in when it is alone in an empty table like t: its
 * home slot. */
static uint32_t home_slot(const struct lb_pers_table *like, const struct lb_pers_key *k)
{
	struct lb_pers_table probe;
	assert_int_equal(lb_pers_table_init(&probe, like->capacity, like->nbuckets, 0,
					    LB_PERS_FULL_LRU, like->seed), 0);
	assert_int_equal(lb_pers_table_store(&probe, k, 0, 1), 0);
	uint32_t s = 0;
	while (probe.index[s] == 0)
		s++;
	lb_pers_table_free(&probe);
	return s;
}

/* Backward-shift removal on clusters built on purpose: in a 16-slot index,
 * keys whose home slots are 14, 14, 14, 15, 15, 0 and 1 form one cluster
 * that wraps around the end. Each key has its own server, so
 * lb_pers_table_remove_server takes out exactly one; in 300 random orders of
 * removal and re-insertion (and expiry of the older half), every key still
 * stored is found and the index stays sound. */
static void test_backward_shift(void **state)
{
	(void)state;
	enum { CAP = 8, NCAND = 400, NPICK = 7 };
	const uint32_t want_home[NPICK] = { 14, 14, 14, 15, 15, 0, 1 };
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, CAP, 0, 0, LB_PERS_FULL_LRU, 3), 0);
	assert_int_equal(t.slot_mask, 15);

	uint64_t rng = 1234;
	static struct lb_pers_key cand[NCAND];
	make_keys(&rng, cand, NCAND);
	struct lb_pers_key pick[NPICK];
	int taken[NCAND] = { 0 };
	for (int p = 0; p < NPICK; p++) {
		int c = 0;
		while (c < NCAND && (taken[c] || home_slot(&t, &cand[c]) != want_home[p]))
			c++;
		assert_true(c < NCAND); /* 400 keys over 16 homes: ~25 a home */
		taken[c] = 1;
		pick[p] = cand[c];
	}

	int in[NPICK] = { 0 };
	uint64_t now = 1;
	for (int round = 0; round < 300; round++) {
		for (int p = 0; p < NPICK; p++)
			if (!in[p]) {
				assert_int_equal(lb_pers_table_store(&t, &pick[p], (uint32_t)p, now), 0);
				in[p] = 1;
			}
		assert_index_sound(&t);
		int removes = 1 + (int)(xorshift(&rng) % NPICK);
		for (int r = 0; r < removes; r++) {
			int p = (int)(xorshift(&rng) % NPICK);
			assert_int_equal(lb_pers_table_remove_server(&t, (uint32_t)p), (uint32_t)in[p]);
			in[p] = 0;
			assert_index_sound(&t);
			for (int q = 0; q < NPICK; q++)
				assert_int_equal(lb_pers_table_lookup(&t, &pick[q], now),
						 in[q] ? q : -1);
		}
		now++;
	}
	assert_invariants(&t);
	lb_pers_table_free(&t);

	/* The same cluster emptied by expiry: keys stored at different times
	 * leave oldest first, through the sweep and through lookups that find
	 * them dead. */
	const uint64_t E = 100;
	assert_int_equal(lb_pers_table_init(&t, CAP, 0, E, LB_PERS_FULL_LRU, 3), 0);
	for (int p = 0; p < NPICK; p++)
		assert_int_equal(lb_pers_table_store(&t, &pick[p], (uint32_t)p, 1000 + 10 * (uint64_t)p), 0);
	assert_int_equal(lb_pers_table_expire(&t, 1000 + E + 25, 100), 3); /* stored at +0, +10, +20 */
	assert_index_sound(&t);
	/* At +E+35, the key stored at +30 is dead and found so by a lookup. */
	assert_int_equal(lb_pers_table_lookup(&t, &pick[3], 1000 + E + 35), -1);
	assert_index_sound(&t);
	for (int p = 0; p < NPICK; p++)
		assert_int_equal(lb_pers_table_lookup(&t, &pick[p], 1000 + E + 35), p >= 4 ? p : -1);
	assert_index_sound(&t);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

/* Bytes of [p, p + len) resident in memory (mincore, page by page). */
static size_t resident_bytes(const void *p, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)p / page * page;
	size_t pages = ((uintptr_t)p + len - lo + page - 1) / page;
	unsigned char *vec = malloc(pages);
	assert_non_null(vec);
	assert_int_equal(mincore((void *)lo, pages * page, vec), 0);
	size_t n = 0;
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n * page;
}

/* A table costs the memory it uses, not the memory it is sized for: a
 * table of 2^20 entries (64 MiB of them) that holds 1,000 keeps its
 * unused entries unresident (at 1,000,000 users the l7 design's idle
 * tables held gigabytes; issue 19 item 5), yet is measured at its full
 * size, and hands out entries in index order, then the last released
 * first, as a free list of all of them in order did. */
static void test_untouched_until_used(void **state)
{
	(void)state;
	enum { CAP = 1u << 20, USED = 1000 };
	struct lb_pers_table t;
	assert_int_equal(lb_pers_table_init(&t, CAP, 0, 0, LB_PERS_FULL_LRU, 7), 0);
	assert_int_equal(t.mem.live, lb_pers_table_bytes(CAP, 0));
	const size_t entries = (size_t)CAP * sizeof *t.entries;
	assert_true(resident_bytes(t.entries, entries) == 0);
	char name[16];
	for (uint32_t i = 0; i < USED; i++) {
		snprintf(name, sizeof name, "k%u", i);
		struct lb_pers_key k = mk(name);
		assert_int_equal(lb_pers_table_store(&t, &k, i % 4, 1), 0);
		assert_memory_equal(t.entries[i].key, k.bytes, k.len);
	}
	/* 64 KB of entries in use: at most one huge page (2 MiB) and a page
	 * on either side resident, of 64 MiB. */
	assert_true(resident_bytes(t.entries, entries) <= (2u << 20) + 2 * 4096);
	/* Server 1's entries go back to be reused, the last released first. */
	assert_int_equal(lb_pers_table_remove_server(&t, 1), USED / 4);
	struct lb_pers_key k = mk("again");
	assert_int_equal(lb_pers_table_store(&t, &k, 0, 2), 0);
	assert_memory_equal(t.entries[USED - 3].key, k.bytes, k.len);
	assert_index_sound(&t);
	assert_invariants(&t);
	lb_pers_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expire_boundary),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_refuse_when_full),
		cmocka_unit_test(test_remove_server),
		cmocka_unit_test(test_memory_accounting),
		cmocka_unit_test(test_key_bytes_past_len),
		cmocka_unit_test(test_redispatch_down_not_drain),
		cmocka_unit_test(test_all_servers_down),
		cmocka_unit_test(test_source_ip_netmask),
		cmocka_unit_test(test_one_source_one_server),
		cmocka_unit_test(test_ssl_session_id),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_property_lru),
		cmocka_unit_test(test_property_refuse),
		cmocka_unit_test(test_property_lru_batched),
		cmocka_unit_test(test_property_refuse_batched),
		cmocka_unit_test(test_batch_equals_sequential),
		cmocka_unit_test(test_ring_compaction_keeps_lru),
		cmocka_unit_test(test_backward_shift),
		cmocka_unit_test(test_untouched_until_used),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
