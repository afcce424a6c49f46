/* Tests of virtual services: sub-service routing (the Exchange 2013 layout,
 * checked case by case and against a naive reference matcher written here),
 * layer enforcement at configuration and at route time, persistence through
 * a service with redispatch, and memory accounting.
 *
 * Links the core and cmocka only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/lb.h"
#include "lbsim/lb_hash.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "lbsim/lb_vs.h"

#define MS 1000000ULL

static void assert_stats_balance(const struct lb_vs *vs)
{
	const struct lb_vs_stats *s = &vs->stats;
	assert_int_equal(s->requests, s->routed + s->no_rule + s->no_server + s->full);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* A fixed-seed LCG (Knuth's MMIX constants): the test's own randomness. */
static uint32_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static struct lb_pers_params pers_params(uint32_t size, uint64_t expire_ns)
{
	struct lb_pers_params p;
	memset(&p, 0, sizeof p);
	p.size = size;
	p.expire_ns = expire_ns;
	p.full = LB_PERS_FULL_LRU;
	p.seed = 7;
	return p;
}

/* ---- layer-7 sub-services: the Exchange layout -------------------------- */

enum { POOL_A, POOL_B, POOL_C, POOL_D };

/* Rules in this order: /owa -> A, /Microsoft-Server-ActiveSync -> B,
 * /ecp -> A, host autodiscover.example.com -> C; pool D may be the default. */
static const struct {
	const char *kind, *value;
	int pool;
} exchange_rules[] = {
	{"path-prefix", "/owa", POOL_A},
	{"path-prefix", "/Microsoft-Server-ActiveSync", POOL_B},
	{"path-prefix", "/ecp", POOL_A},
	{"host", "autodiscover.example.com", POOL_C},
};
#define NRULES (sizeof exchange_rules / sizeof exchange_rules[0])

static void exchange_vs(struct lb_vs *vs, int with_default)
{
	char msg[256];
	assert_int_equal(lb_vs_init(vs, "mail", LB_LAYER_7, 0x0a000001, 443), 0);
	static const char *const names[] = {"A", "B", "C", "D"};
	for (int i = 0; i < 4; i++)
		assert_int_equal(lb_vs_add_pool(vs, names[i], (uint32_t)(2 + i), NULL,
						lb_sel_find("roundrobin"), NULL, msg, sizeof msg), i);
	for (size_t i = 0; i < NRULES; i++) {
		int r = lb_vs_add_subservice(vs, lb_match_find(exchange_rules[i].kind),
					     exchange_rules[i].value,
					     (uint32_t)exchange_rules[i].pool, msg, sizeof msg);
		if (r != (int)i)
			fail_msg("rule %zu refused: %s", i, msg);
	}
	if (with_default)
		assert_int_equal(lb_vs_set_default(vs, POOL_D), 0);
}

/* Expected rule index (-1: none) for each case, from the documented
 * semantics: path-prefix = case-insensitive prefix ending at '\0', '/' or
 * '?'; host = case-insensitive equality, port of the header ignored; first
 * rule in order wins. */
static const struct {
	const char *path, *host;
	int rule;
} exchange_cases[] = {
	{"/owa", NULL, 0},
	{"/OWA", NULL, 0},
	{"/owa/", NULL, 0},
	{"/Owa/auth/logon.aspx?url=https%3a%2f%2fmail%2fowa", NULL, 0},
	{"/owa?bO=1", NULL, 0},
	{"/owax", NULL, -1},
	{"/owasomething/x", NULL, -1},
	{"/ow", NULL, -1},
	{"/", NULL, -1},
	{"", NULL, -1},
	{NULL, NULL, -1},
	{"//owa", NULL, -1},
	{"owa", NULL, -1},
	{"/microsoft-server-activesync?Cmd=Ping&User=alice&DeviceType=iPhone", NULL, 1},
	{"/Microsoft-Server-ActiveSync/default.eas", NULL, 1},
	{"/MICROSOFT-SERVER-ACTIVESYNC", NULL, 1},
	{"/Microsoft-Server-ActiveSyncX", NULL, -1},
	{"/Microsoft-Server-Active", NULL, -1},
	{"/ecp/", NULL, 2},
	{"/ECP", NULL, 2},
	{"/ecp?x", NULL, 2},
	{"/ecpfoo", NULL, -1},
	{"/ews/exchange.asmx", NULL, -1},
	{"/owa", "autodiscover.example.com", 0},       /* rule order: /owa first */
	{"/ecp", "autodiscover.example.com", 2},       /* /ecp precedes the host rule */
	{"/autodiscover/autodiscover.xml", "autodiscover.example.com", 3},
	{"/rpc/rpcproxy.dll", "AutoDiscover.Example.COM", 3},
	{NULL, "autodiscover.example.com:443", 3},
	{"/ews", "autodiscover.example.com.evil.net", -1},
	{"/ews", "autodiscover.example.co", -1},
	{"/ews", "xautodiscover.example.com", -1},
	{"/ews", "", -1},
	{"/ews", "mail.example.com", -1},
};

static void route_exchange_cases(int with_default)
{
	struct lb_vs vs;
	exchange_vs(&vs, with_default);
	uint64_t unmatched = 0;
	for (size_t i = 0; i < sizeof exchange_cases / sizeof exchange_cases[0]; i++) {
		struct lb_request req = {.src_ip = 0xc0a80001 + (uint32_t)i,
					 .path = exchange_cases[i].path,
					 .host = exchange_cases[i].host};
		struct lb_route rt;
		int rule = exchange_cases[i].rule;
		int rc = lb_vs_route(&vs, &req, i * MS, &rt);
		if (rt.subservice != rule)
			fail_msg("case %zu (path %s, host %s): rule %d, want %d", i,
				 exchange_cases[i].path ? exchange_cases[i].path : "(null)",
				 exchange_cases[i].host ? exchange_cases[i].host : "(null)",
				 rt.subservice, rule);
		if (rule >= 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(rt.pool, exchange_rules[rule].pool);
		} else if (with_default) {
			assert_int_equal(rc, 0);
			assert_int_equal(rt.pool, POOL_D);
			unmatched++;
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(rt.reason, LB_ROUTE_NO_RULE);
			assert_string_equal(lb_route_reason_name(rt.reason), "no rule matched");
			assert_int_equal(rt.pool, -1);
			assert_int_equal(rt.server, -1);
			unmatched++;
		}
		if (rc == 0) {
			assert_int_equal(rt.reason, LB_ROUTE_OK);
			assert_true(rt.server >= 0 &&
				    (uint32_t)rt.server < lb_vs_pool(&vs, (uint32_t)rt.pool)->nservers);
		}
	}
	assert_int_equal(with_default ? vs.stats.defaulted : vs.stats.no_rule, unmatched);
	assert_stats_balance(&vs);
	lb_vs_free(&vs);
}

/* lb_vs_hint and its prefetches are a hint only: a service that is told of every request
 * before routing it (both stages) routes exactly as one that is not, with the same
 * counters in the service, its rules and its persistence tables. */
static void test_prefetch_changes_nothing(void **state)
{
	(void)state;
	struct lb_vs told, plain;
	char msg[256];
	exchange_vs(&told, 1);
	exchange_vs(&plain, 1);
	struct lb_pers_params pp = {.size = 16, .expire_ns = 1000};
	for (uint32_t p = 0; p < 4; p++) {
		assert_int_equal(lb_vs_set_persist(&told, p, &lb_pers_cookie, &pp, msg, sizeof msg), 0);
		assert_int_equal(lb_vs_set_persist(&plain, p, &lb_pers_cookie, &pp, msg, sizeof msg), 0);
	}
	static const char *const paths[] = {"/owa", "/Microsoft-Server-ActiveSync", "/ecp/x",
					    "/other", NULL};
	char cookie[16];
	for (uint32_t i = 0; i < 2000; i++) {
		snprintf(cookie, sizeof cookie, "c%u", (i * 7u) % 40u);
		struct lb_request req = {.src_ip = i, .path = paths[i % 5],
					 .host = i % 11 == 0 ? "autodiscover.example.com" : NULL,
					 .cookie = i % 13 == 0 ? NULL : cookie};
		uint64_t now = (uint64_t)i * 10;
		struct lb_pers_hint h;
		lb_vs_hint(&told, &req, &h);
		lb_pers_hint_prefetch(&h, 0);
		lb_pers_hint_prefetch(&h, 1);
		struct lb_route a, b;
		int ra = lb_vs_route(&told, &req, now, &a);
		int rb = lb_vs_route(&plain, &req, now, &b);
		assert_int_equal(ra, rb);
		assert_memory_equal(&a, &b, sizeof a);
	}
	assert_memory_equal(&told.stats, &plain.stats, sizeof told.stats);
	for (uint32_t i = 0; i < told.nsubservices; i++)
		assert_int_equal(told.subservices[i].hits, plain.subservices[i].hits);
	for (uint32_t p = 0; p < 4; p++)
		assert_memory_equal(&told.pools[p]->persist.table.stats,
				    &plain.pools[p]->persist.table.stats,
				    sizeof told.pools[p]->persist.table.stats);
	assert_true(told.stats.persisted > 0);
	lb_vs_free(&told);
	lb_vs_free(&plain);
}

/* lb_vs_hint names the index slot lb_vs_route reads: after a request was
 * routed with persistence, the hint for it points into that pool's table
 * and at a slot whose hash tag is the hint's, naming an entry that holds
 * the key's hash and the server the route chose; a request that gives no
 * key, or goes to a pool without persistence, gets no table. */
static void test_hint_names_the_lookup(void **state)
{
	(void)state;
	struct lb_vs vs;
	char msg[256];
	exchange_vs(&vs, 1);
	struct lb_pers_params pp = {.size = 64, .expire_ns = 1000000};
	for (uint32_t p = 0; p < 3; p++) /* pool D keeps none */
		assert_int_equal(lb_vs_set_persist(&vs, p, &lb_pers_cookie, &pp, msg, sizeof msg), 0);
	static const char *const paths[] = {"/owa", "/Microsoft-Server-ActiveSync", "/ecp/x",
					    "/other"};
	uint32_t checked = 0;
	for (uint32_t i = 0; i < 400; i++) {
		char cookie[16];
		snprintf(cookie, sizeof cookie, "c%u", i % 50u);
		struct lb_request req = {.src_ip = i, .path = paths[i % 4],
					 .cookie = i % 9 == 0 ? NULL : cookie};
		struct lb_route rt;
		if (lb_vs_route(&vs, &req, i, &rt) != 0)
			continue;
		struct lb_pers_hint h;
		lb_vs_hint(&vs, &req, &h);
		const struct lb_pers_table *t = &vs.pools[rt.pool]->persist.table;
		if (!req.cookie || rt.pool == POOL_D) {
			assert_null(h.table);
			continue;
		}
		assert_ptr_equal(h.table, t);
		int found = 0;
		for (uint32_t s = h.hash & t->slot_mask; t->index[s]; s = (s + 1) & t->slot_mask) {
			uint64_t v = t->index[s];
			if ((uint32_t)(v >> 32) != h.hash)
				continue;
			const struct lb_pers_entry *e = &t->entries[(uint32_t)v - 1];
			assert_int_equal(e->hash, h.hash);
			assert_int_equal(e->server, (uint32_t)rt.server);
			found = 1;
		}
		assert_true(found);
		checked++;
	}
	assert_true(checked > 200);
	lb_vs_free(&vs);
}

static void test_exchange_rules_with_default(void **state)
{
	(void)state;
	route_exchange_cases(1);
}

static void test_exchange_rules_without_default(void **state)
{
	(void)state;
	route_exchange_cases(0);
}

/* The reference: lower-case both sides with <ctype.h> (the "C" locale) and
 * compare with strncmp/strcmp, rule by rule. A different implementation of
 * the same specification. */
static int reference_rule(const char *path, const char *host)
{
	char lp[256] = "", lh[256] = "";
	for (size_t i = 0; path && path[i] && i < sizeof lp - 1; i++)
		lp[i] = (char)tolower((unsigned char)path[i]);
	for (size_t i = 0; host && host[i] && host[i] != ':' && i < sizeof lh - 1; i++)
		lh[i] = (char)tolower((unsigned char)host[i]);
	for (size_t r = 0; r < NRULES; r++) {
		char v[64];
		size_t n = strlen(exchange_rules[r].value);
		for (size_t i = 0; i <= n; i++)
			v[i] = (char)tolower((unsigned char)exchange_rules[r].value[i]);
		if (strcmp(exchange_rules[r].kind, "host") == 0) {
			if (host && strcmp(lh, v) == 0)
				return (int)r;
		} else if (path && strncmp(lp, v, n) == 0 &&
			   (lp[n] == '\0' || lp[n] == '/' || lp[n] == '?')) {
			return (int)r;
		}
	}
	return -1;
}

/* 20,000 paths and hosts assembled from pieces that sit on both sides of
 * every boundary, with random case, against the reference. */
static void test_rules_against_reference(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"/owa", "/ecp", "/microsoft-server-activesync", "/ews", "/", "x", "/auth",
		"?a=1", "/owa/", "sync", "/Microsoft-Server-Active", "/ec", "?", "/mapi",
	};
	static const char *const hosts[] = {
		NULL, "", "autodiscover.example.com", "autodiscover.example.com:443",
		"mail.example.com", "autodiscover.example.comx", "autodiscover.example",
	};
	struct lb_vs vs;
	exchange_vs(&vs, 1);
	uint64_t seed = 42;
	uint64_t matched[NRULES + 1] = {0};
	for (int iter = 0; iter < 20000; iter++) {
		char path[200] = "", host[64] = "";
		int npieces = 1 + (int)(lcg(&seed) % 4);
		for (int k = 0; k < npieces; k++)
			strcat(path, pieces[lcg(&seed) % (sizeof pieces / sizeof pieces[0])]);
		const char *h = hosts[lcg(&seed) % (sizeof hosts / sizeof hosts[0])];
		if (h)
			strcpy(host, h);
		for (char *p = path; *p; p++)
			if (lcg(&seed) & 1)
				*p = (char)toupper((unsigned char)*p);
		for (char *p = host; *p; p++)
			if (lcg(&seed) & 1)
				*p = (char)toupper((unsigned char)*p);
		int no_path = (lcg(&seed) % 10) == 0;
		struct lb_request req = {.src_ip = lcg(&seed), .path = no_path ? NULL : path,
					 .host = h ? host : NULL};
		int want = reference_rule(req.path, req.host);
		struct lb_route rt;
		assert_int_equal(lb_vs_route(&vs, &req, (uint64_t)iter * MS, &rt), 0);
		if (rt.subservice != want)
			fail_msg("path %s host %s: rule %d, reference %d", req.path ? path : "(null)",
				 req.host ? host : "(null)", rt.subservice, want);
		assert_int_equal(rt.pool, want >= 0 ? exchange_rules[want].pool : POOL_D);
		matched[want + 1]++;
	}
	/* Every rule and the default must have been exercised, or the
	 * comparison proves little. */
	for (size_t r = 0; r <= NRULES; r++)
		assert_true(matched[r] > 100);
	for (size_t r = 0; r < NRULES; r++)
		assert_int_equal(vs.subservices[r].hits, matched[r + 1]);
	assert_int_equal(vs.stats.defaulted, matched[0]);
	lb_vs_free(&vs);
}

/* Values each kind refuses, pool and name errors, and IPv6 literal hosts. */
static void test_subservice_validation(void **state)
{
	(void)state;
	char msg[256];
	char names[64];
	assert_string_equal(lb_match_names(names, sizeof names), "path-prefix, host");
	assert_null(lb_match_find("path_beg"));

	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "v", LB_LAYER_7, 1, 443), 0);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 2, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), 0);
	const struct lb_match_ops *pp = &lb_match_path_prefix, *host = &lb_match_host;

	assert_int_equal(lb_vs_add_subservice(&vs, NULL, "/owa", 0, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "path-prefix, host");
	assert_int_equal(lb_vs_add_subservice(&vs, pp, "owa", 0, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "starts with '/'");
	assert_int_equal(lb_vs_add_subservice(&vs, pp, "/owa?x=1", 0, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_add_subservice(&vs, pp, "/o wa", 0, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_add_subservice(&vs, pp, "", 0, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_add_subservice(&vs, pp, NULL, 0, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_add_subservice(&vs, pp, "/owa", 1, msg, sizeof msg), LB_ERANGE);
	assert_contains(msg, "no pool 1");
	char longv[LB_SUBSERVICE_VALUE_MAX + 2];
	memset(longv, 'a', sizeof longv - 1);
	longv[0] = '/';
	longv[sizeof longv - 1] = '\0';
	assert_int_equal(lb_vs_add_subservice(&vs, pp, longv, 0, msg, sizeof msg), LB_EINVAL);
	longv[LB_SUBSERVICE_VALUE_MAX] = '\0'; /* exactly the maximum: accepted */
	assert_int_equal(lb_vs_add_subservice(&vs, pp, longv, 0, msg, sizeof msg), 0);

	assert_int_equal(lb_vs_add_subservice(&vs, host, "a/b", 0, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_add_subservice(&vs, host, "mail.example.com:443", 0, msg,
					      sizeof msg), LB_EINVAL);
	assert_contains(msg, "not host:port");
	assert_int_equal(lb_vs_add_subservice(&vs, host, "[::1", 0, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(vs.nsubservices, 1); /* only the one of maximum length */

	/* An IPv6 literal: its inner colons are not a port. */
	assert_int_equal(lb_vs_add_subservice(&vs, host, "[::1]", 0, msg, sizeof msg), 1);
	struct lb_route rt;
	struct lb_request req = {.host = "[::1]:8443"};
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	assert_int_equal(rt.subservice, 1);
	req.host = "[::1]";
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	assert_int_equal(rt.subservice, 1);
	req.host = "[::2]";
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), -1);
	assert_int_equal(rt.reason, LB_ROUTE_NO_RULE);

	/* A prefix ending in '/' is a plain prefix: the boundary is in it. */
	assert_int_equal(lb_vs_add_subservice(&vs, pp, "/OAB/", 0, msg, sizeof msg), 2);
	req.host = NULL;
	req.path = "/oab/1234/oab.xml";
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	assert_int_equal(rt.subservice, 2);
	req.path = "/oab";          /* shorter than the rule: no match */
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), -1);

	/* Defaults: out of range refused, -1 accepted. */
	assert_int_equal(lb_vs_set_default(&vs, 1), LB_EINVAL);
	assert_int_equal(lb_vs_set_default(&vs, -2), LB_EINVAL);
	assert_int_equal(lb_vs_set_default(&vs, 0), 0);
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	assert_int_equal(rt.subservice, -1);
	assert_int_equal(lb_vs_set_default(&vs, -1), 0);
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), -1);
	assert_stats_balance(&vs);
	lb_vs_free(&vs);
}

/* Pool-level refusals that do not depend on the layer. */
static void test_pool_validation(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "a name far too long for the field!", LB_LAYER_7, 1, 80), LB_EINVAL);
	assert_int_equal(lb_vs_init(&vs, "v", (enum lb_layer)5, 1, 80), LB_EINVAL);
	assert_int_equal(lb_vs_init(&vs, "v", LB_LAYER_7, 1, 80), 0);

	assert_int_equal(lb_vs_add_pool(&vs, "p", 2, NULL, NULL, NULL, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "roundrobin, static-rr");
	assert_int_equal(lb_vs_add_pool(&vs, "", 2, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 0, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), LB_EINVAL);
	assert_contains(msg, "no server");
	const uint32_t heavy[] = {1, LB_MAX_WEIGHT + 1};
	assert_int_equal(lb_vs_add_pool(&vs, "p", 2, heavy, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), LB_EINVAL);
	assert_contains(msg, "weight");
	struct lb_sel_params bad;
	memset(&bad, 0, sizeof bad);
	bad.hash_type = LB_HASH_MAGLEV;
	bad.table_size = 100; /* not a prime */
	assert_int_equal(lb_vs_add_pool(&vs, "p", 2, NULL, &lb_sel_source, &bad, msg,
					 sizeof msg), LB_EINVAL);
	assert_contains(msg, "balance source: maglev table size must be a prime");
	assert_int_equal(vs.npools, 0);
	assert_int_equal(vs.mem.live, 0);

	assert_int_equal(lb_vs_add_pool(&vs, "p", 2, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), 0);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 3, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), LB_EINVAL);
	assert_contains(msg, "already defined");
	assert_int_equal(lb_vs_add_pool(&vs, "q", 3, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), 1);
	assert_int_equal(lb_vs_pool_find(&vs, "q"), 1);
	assert_int_equal(lb_vs_pool_find(&vs, "r"), -1);
	assert_null(lb_vs_pool(&vs, 2));
	assert_int_equal(lb_vs_pool(&vs, 1)->nservers, 3);

	/* No default on layer 7 until one is set. */
	struct lb_route rt;
	struct lb_request req = {.path = "/"};
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), -1);
	assert_int_equal(rt.reason, LB_ROUTE_NO_RULE);

	struct lb_pers_params pp = pers_params(0, 0);
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_source_ip, &pp, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "size");
	pp = pers_params(16, 0);
	pp.buckets = 12;
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_source_ip, &pp, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "power of two");
	pp = pers_params(16, 0);
	pp.netmask = 33;
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_source_ip, &pp, msg, sizeof msg), LB_EINVAL);
	assert_int_equal(lb_vs_set_persist(&vs, 2, &lb_pers_source_ip, &pp, msg, sizeof msg), LB_ERANGE);
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_source_ip, NULL, msg, sizeof msg), LB_EINVAL);
	assert_null(vs.pools[0]->persist.ops);
	lb_vs_free(&vs);
	assert_int_equal(vs.mem.live, 0);
}

/* ---- layer enforcement -------------------------------------------------- */

/* lb_vs_check_needs over both registries, against the lists of what a
 * layer-4 device can and cannot feed, written out here. */
static void test_check_needs_registries(void **state)
{
	(void)state;
	static const char *const l4_sel_ok[] = {"roundrobin", "static-rr", "leastconn",
						"first", "source", "random"};
	static const char *const l4_sel_refused[] = {"uri", "hdr"};
	static const char *const l4_pers_ok[] = {"source-ip", "ssl-session-id"};
	char msg[256];
	size_t nsel = 0;
	for (size_t i = 0; i < sizeof l4_sel_ok / sizeof l4_sel_ok[0]; i++, nsel++) {
		const struct lb_sel_ops *ops = lb_sel_find(l4_sel_ok[i]);
		assert_non_null(ops);
		assert_int_equal(lb_vs_check_needs(LB_LAYER_4, ops->needs, ops->name, msg, sizeof msg), 0);
		assert_int_equal(lb_vs_check_needs(LB_LAYER_7, ops->needs, ops->name, msg, sizeof msg), 0);
	}
	for (size_t i = 0; i < sizeof l4_sel_refused / sizeof l4_sel_refused[0]; i++, nsel++) {
		const struct lb_sel_ops *ops = lb_sel_find(l4_sel_refused[i]);
		assert_non_null(ops);
		assert_int_equal(lb_vs_check_needs(LB_LAYER_4, ops->needs, "balance x", msg,
						   sizeof msg), LB_EINVAL);
		assert_contains(msg, "balance x needs layer 7");
		assert_int_equal(lb_vs_check_needs(LB_LAYER_7, ops->needs, ops->name, msg, sizeof msg), 0);
	}
	assert_int_equal(nsel, lb_sel_registry_len); /* a new algorithm must be classified here */

	for (size_t i = 0; i < sizeof l4_pers_ok / sizeof l4_pers_ok[0]; i++) {
		const struct lb_pers_ops *ops = lb_pers_find(l4_pers_ok[i]);
		assert_int_equal(lb_vs_check_needs(LB_LAYER_4, ops->needs, ops->name, msg, sizeof msg), 0);
	}
	assert_int_equal(lb_vs_check_needs(LB_LAYER_4, lb_pers_cookie.needs, "cookie persistence",
					   msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "cookie persistence needs layer 7");
	assert_contains(msg, "cookies");
	assert_int_equal(lb_vs_check_needs(LB_LAYER_7, lb_pers_cookie.needs, "c", msg, sizeof msg), 0);
	assert_int_equal(lb_pers_registry_len, 3);

	/* Bits no layer gives, and a layer that does not exist. */
	assert_int_equal(lb_vs_check_needs(LB_LAYER_7, 1u << 20, "x", msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "no virtual service");
	assert_int_equal(lb_vs_check_needs((enum lb_layer)3, 0, "x", msg, sizeof msg), LB_EINVAL);
	/* Truncation keeps the terminator; no buffer at all is allowed. */
	char tiny[8];
	assert_int_equal(lb_vs_check_needs(LB_LAYER_4, LB_NEED_L7, "cookie persistence", tiny,
					   sizeof tiny), LB_EINVAL);
	assert_int_equal(strlen(tiny), sizeof tiny - 1);
	assert_int_equal(lb_vs_check_needs(LB_LAYER_4, LB_NEED_L7, "x", NULL, 0), LB_EINVAL);
}

/* A layer-4 service refuses each layer-7 feature with its message, and stays
 * as it was; it accepts what an L4 device can do. */
static void test_l4_refuses_l7(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "l4", LB_LAYER_4, 0x0a000001, 443), 0);

	assert_int_equal(lb_vs_add_pool(&vs, "p", 4, NULL, &lb_sel_uri, NULL, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "balance uri needs layer 7: a layer-4 virtual service cannot read");
	struct lb_sel_params hp;
	memset(&hp, 0, sizeof hp);
	const struct lb_sel_ops *hdr = lb_sel_parse("hdr(X-User)", &hp);
	assert_ptr_equal(hdr, &lb_sel_hdr);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 4, NULL, hdr, &hp, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "balance hdr(X-User) needs layer 7");
	assert_int_equal(vs.npools, 0);
	assert_int_equal(lb_vs_mem_bytes(&vs), 0);

	assert_int_equal(lb_vs_add_pool(&vs, "p", 4, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), 0);
	size_t mem = lb_vs_mem_bytes(&vs);

	assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_path_prefix, "/owa", 0, msg,
					      sizeof msg), LB_EINVAL);
	assert_contains(msg, "sub-service path-prefix /owa needs layer 7");
	assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_host, "autodiscover.example.com", 0,
					      msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "needs layer 7");
	assert_int_equal(vs.nsubservices, 0);

	struct lb_pers_params pp = pers_params(64, 0);
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_cookie, &pp, msg, sizeof msg), LB_EINVAL);
	assert_contains(msg, "persist cookie needs layer 7");
	assert_contains(msg, "cookies");
	assert_null(vs.pools[0]->persist.ops);

	assert_int_equal(lb_vs_add_pool(&vs, "q", 4, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), LB_EINVAL);
	assert_contains(msg, "one pool");
	assert_int_equal(lb_vs_set_default(&vs, -1), LB_EINVAL);
	assert_int_equal(vs.default_pool, 0);
	assert_int_equal(lb_vs_mem_bytes(&vs), mem); /* nothing refused was kept */

	/* What an L4 device can do. */
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_ssl_session_id, &pp, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_source_ip, &pp, msg, sizeof msg), 0);
	assert_ptr_equal(vs.pools[0]->persist.ops, &lb_pers_source_ip);
	lb_vs_free(&vs);

	static const char *const algos[] = {"source", "roundrobin", "leastconn"};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(lb_vs_init(&vs, "l4", LB_LAYER_4, 0x0a000001, 443), 0);
		assert_int_equal(lb_vs_add_pool(&vs, "p", 4, NULL, lb_sel_find(algos[i]), NULL,
						 msg, sizeof msg), 0);
		struct lb_route rt;
		struct lb_request req = {.src_ip = 0x0a010203};
		assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
		assert_int_equal(rt.pool, 0);
		assert_int_equal(rt.subservice, -1);
		lb_vs_free(&vs);
	}
}

/* A spy algorithm that declares no need (so layer 4 accepts it) yet looks
 * at every field: the misbehaving plug-in the route-time wall is for. It
 * counts what it saw in a struct the test hangs on pool->sel_priv, and
 * answers round robin. */
struct spy {
	unsigned picks, path, host, cookie, hdr, tls;
};

static int spy_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)now_ns;
	struct spy *sp = pool->sel_priv;
	sp->picks++;
	sp->path += req->path != NULL;
	sp->host += req->host != NULL;
	sp->cookie += req->cookie != NULL;
	sp->hdr += req->hdr_value != NULL;
	sp->tls += req->tls_session_id != NULL;
	return (int)(pool->rr_cursor++ % pool->nservers);
}

static const struct lb_sel_ops spy_sel = {
	.name = "spy",
	.description = "records what it is shown",
	.needs = LB_NEED_NONE,
	.pick = spy_pick,
};

/* A persistence method that claims to need only the address but keys on
 * the cookie when it sees one. */
static int cookie_if_seen_key(const struct lb_persist *p, const struct lb_request *req,
			      struct lb_pers_key *key)
{
	(void)p;
	memset(key, 0, sizeof *key);
	if (req->cookie) {
		key->len = (uint8_t)strnlen(req->cookie, LB_PERS_KEY_MAX);
		memcpy(key->bytes, req->cookie, key->len);
	} else {
		key->len = 4;
		memcpy(key->bytes, &req->src_ip, 4);
	}
	return 0;
}

static const struct lb_pers_ops sneaky_pers = {
	.name = "sneaky",
	.description = "keys on the cookie if it can see one",
	.needs = LB_NEED_SRC_ADDR,
	.key = cookie_if_seen_key,
};

static void spy_run(enum lb_layer layer, struct spy *sp)
{
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "spy", layer, 1, 443), 0);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 3, NULL, &spy_sel, NULL, msg, sizeof msg), 0);
	if (layer == LB_LAYER_7)
		assert_int_equal(lb_vs_set_default(&vs, 0), 0);
	memset(sp, 0, sizeof *sp);
	lb_vs_pool(&vs, 0)->sel_priv = sp;
	static const uint8_t sid[4] = {1, 2, 3, 4};
	struct lb_request req = {.src_ip = 0x0a000001, .tls_session_id = sid,
				 .tls_session_id_len = 4, .path = "/owa", .host = "mail",
				 .cookie = "SRV1", .hdr_value = "alice"};
	struct lb_route rt;
	for (int i = 0; i < 10; i++)
		assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	lb_vs_pool(&vs, 0)->sel_priv = NULL;
	lb_vs_free(&vs);
}

static void test_l4_hides_l7_fields_from_plugins(void **state)
{
	(void)state;
	struct spy sp;
	spy_run(LB_LAYER_7, &sp); /* the spy does see them when allowed */
	assert_int_equal(sp.picks, 10);
	assert_int_equal(sp.path + sp.host + sp.cookie + sp.hdr, 40);
	assert_int_equal(sp.tls, 10);
	spy_run(LB_LAYER_4, &sp);
	assert_int_equal(sp.picks, 10);
	assert_int_equal(sp.path + sp.host + sp.cookie + sp.hdr, 0);
	assert_int_equal(sp.tls, 10); /* the ClientHello is cleartext: L4 sees it */

	/* The sneaky method: one client sending a different cookie each time.
	 * If the cookie reached it, every request would be a new key and round
	 * robin would spread them over 3 servers; on layer 4 it sees only the
	 * address, so all land on one server and all but the first hit. */
	for (int layer = 4; layer <= 7; layer += 3) {
		char msg[256];
		struct lb_vs vs;
		assert_int_equal(lb_vs_init(&vs, "s", (enum lb_layer)layer, 1, 443), 0);
		assert_int_equal(lb_vs_add_pool(&vs, "p", 3, NULL, &lb_sel_roundrobin, NULL, msg,
						 sizeof msg), 0);
		if (layer == 7)
			assert_int_equal(lb_vs_set_default(&vs, 0), 0);
		struct lb_pers_params pp = pers_params(64, 0);
		assert_int_equal(lb_vs_set_persist(&vs, 0, &sneaky_pers, &pp, msg, sizeof msg), 0);
		unsigned seen[3] = {0}, persisted = 0;
		for (int i = 0; i < 30; i++) {
			char cookie[16];
			snprintf(cookie, sizeof cookie, "c%d", i);
			struct lb_request req = {.src_ip = 0x0a000009, .cookie = cookie};
			struct lb_route rt;
			assert_int_equal(lb_vs_route(&vs, &req, (uint64_t)i * MS, &rt), 0);
			seen[rt.server]++;
			persisted += (unsigned)rt.persisted;
		}
		if (layer == 4) {
			assert_true(seen[0] == 30 || seen[1] == 30 || seen[2] == 30);
			assert_int_equal(persisted, 29);
		} else {
			/* Smooth WRR over equal weights: exactly 10 each. */
			assert_int_equal(seen[0], 10);
			assert_int_equal(seen[1], 10);
			assert_int_equal(seen[2], 10);
			assert_int_equal(persisted, 0);
		}
		lb_vs_free(&vs);
	}
}

/* Two identical layer-4 services, one fed requests full of layer-7 fields
 * and one fed the same requests without them, must route identically:
 * with `source` hashing and with source-ip persistence over round robin. */
static void test_l4_routes_same_without_l7_fields(void **state)
{
	(void)state;
	char msg[256];
	for (int variant = 0; variant < 2; variant++) {
		struct lb_vs full, bare;
		struct lb_vs *both[2] = {&full, &bare};
		for (int k = 0; k < 2; k++) {
			assert_int_equal(lb_vs_init(both[k], "l4", LB_LAYER_4, 1, 443), 0);
			const struct lb_sel_ops *sel = variant ? &lb_sel_roundrobin : &lb_sel_source;
			assert_int_equal(lb_vs_add_pool(both[k], "p", 8, NULL, sel, NULL, msg,
							 sizeof msg), 0);
			if (variant) {
				struct lb_pers_params pp = pers_params(4096, 0);
				pp.netmask = 24;
				assert_int_equal(lb_vs_set_persist(both[k], 0, &lb_pers_source_ip,
								   &pp, msg, sizeof msg), 0);
			}
		}
		uint64_t seed = 7;
		unsigned used[8] = {0};
		for (int i = 0; i < 5000; i++) {
			/* 1,000 clients in 50 /24s, visiting in random order. */
			uint32_t c = lcg(&seed) % 1000;
			uint32_t ip = 0x0a000000 | ((c % 50) << 8) | (c / 50);
			char cookie[16], path[32];
			snprintf(cookie, sizeof cookie, "s%u", lcg(&seed));
			snprintf(path, sizeof path, "/owa/%u", lcg(&seed));
			struct lb_request rf = {.src_ip = ip, .src_port = (uint16_t)i,
						.path = path, .host = "mail", .cookie = cookie,
						.hdr_value = cookie};
			struct lb_request rb = {.src_ip = ip, .src_port = (uint16_t)i};
			struct lb_route a, b;
			assert_int_equal(lb_vs_route(&full, &rf, (uint64_t)i * MS, &a), 0);
			assert_int_equal(lb_vs_route(&bare, &rb, (uint64_t)i * MS, &b), 0);
			assert_int_equal(a.server, b.server);
			assert_int_equal(a.persisted, b.persisted);
			used[a.server]++;
		}
		/* Not a degenerate run: traffic reached several servers. */
		unsigned nused = 0;
		for (int s = 0; s < 8; s++)
			nused += used[s] > 0;
		assert_true(nused >= 4);
		if (variant) /* 50 /24s -> 50 keys: all but 50 requests hit */
			assert_int_equal(full.stats.persisted, 5000 - 50);
		lb_vs_free(&full);
		lb_vs_free(&bare);
	}
}

/* ---- persistence through a service -------------------------------------- */

static void test_persistence_redispatch(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs, plain;
	struct lb_pers_params pp = pers_params(1024, 3600ULL * 1000 * MS);
	for (int k = 0; k < 2; k++) {
		struct lb_vs *v = k ? &plain : &vs;
		assert_int_equal(lb_vs_init(v, "l4", LB_LAYER_4, 1, 443), 0);
		assert_int_equal(lb_vs_add_pool(v, "cas", 4, NULL, &lb_sel_roundrobin, NULL, msg,
						 sizeof msg), 0);
	}
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_source_ip, &pp, msg, sizeof msg), 0);
	struct lb_pool *pool = lb_vs_pool(&vs, 0);
	const struct lb_pers_stats *ps = &vs.pools[0]->persist.table.stats;

	const struct lb_request x = {.src_ip = 0xc0a80101};
	uint64_t now = 0;
	struct lb_route rt;
	int home = -1;
	unsigned plain_servers = 0;
	for (int i = 0; i < 1000; i++) {
		/* Another client in between moves round robin on. */
		struct lb_request other = {.src_ip = 0x0b000000 + (uint32_t)i};
		assert_int_equal(lb_vs_route(&vs, &other, now, &rt), 0);
		assert_int_equal(lb_vs_route(&plain, &other, now, &rt), 0);
		assert_int_equal(lb_vs_route(&plain, &x, now, &rt), 0);
		plain_servers |= 1u << rt.server;
		assert_int_equal(lb_vs_route(&vs, &x, now, &rt), 0);
		if (home < 0)
			home = rt.server;
		assert_int_equal(rt.server, home);
		assert_int_equal(rt.persisted, i > 0);
		assert_int_equal(rt.redispatched, 0);
		now += MS;
	}
	/* Without persistence the same client would have moved. */
	assert_true(__builtin_popcount(plain_servers) > 1);

	assert_int_equal(lb_server_set_admin(pool, (uint32_t)home, LB_ADMIN_DOWN), 0);
	assert_int_equal(lb_vs_route(&vs, &x, now, &rt), 0);
	assert_int_equal(rt.redispatched, 1);
	assert_int_equal(rt.persisted, 0);
	assert_true(rt.server != home);
	int second = rt.server;
	assert_int_equal(vs.stats.redispatched, 1);
	assert_int_equal(ps->redispatched, 1);
	for (int i = 0; i < 1000; i++) {
		now += MS;
		assert_int_equal(lb_vs_route(&vs, &x, now, &rt), 0);
		assert_int_equal(rt.server, second);
		assert_int_equal(rt.persisted, 1);
		assert_int_equal(rt.redispatched, 0);
	}
	assert_int_equal(vs.stats.redispatched, 1);

	/* The old home comes back: the entry names the new one, so it stays. */
	assert_int_equal(lb_server_set_admin(pool, (uint32_t)home, LB_ADMIN_UP), 0);
	assert_int_equal(lb_vs_route(&vs, &x, now, &rt), 0);
	assert_int_equal(rt.server, second);

	/* Every server down: the request fails, counted, never lost. */
	for (uint32_t s = 0; s < pool->nservers; s++)
		assert_int_equal(lb_server_set_healthy(pool, s, 0), 0);
	assert_int_equal(lb_vs_route(&vs, &x, now, &rt), -1);
	assert_int_equal(rt.reason, LB_ROUTE_NO_SERVER);
	assert_string_equal(lb_route_reason_name(rt.reason), "no usable server");
	assert_int_equal(rt.pool, 0);
	assert_int_equal(rt.server, -1);
	assert_int_equal(rt.persisted, 0);
	assert_int_equal(vs.stats.no_server, 1);
	assert_int_equal(ps->nosrv, 1);
	assert_int_equal(vs.stats.requests, 1000 + 1000 + 1 + 1000 + 1 + 1);
	assert_stats_balance(&vs);
	assert_int_equal(vs.stats.persisted, 999 + 1000 + 1);
	lb_vs_free(&vs);
	lb_vs_free(&plain);
}

/* ssl-session-id on layer 4: the same session id keeps its server; a new id
 * is a new client (TLS 1.3's random legacy ids break persistence). */
static void test_l4_ssl_session_id(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "l4", LB_LAYER_4, 1, 443), 0);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 5, NULL, &lb_sel_roundrobin, NULL, msg,
					 sizeof msg), 0);
	struct lb_pers_params pp = pers_params(256, 0);
	assert_int_equal(lb_vs_set_persist(&vs, 0, &lb_pers_ssl_session_id, &pp, msg, sizeof msg), 0);
	uint8_t sid[32];
	memset(sid, 0xab, sizeof sid);
	struct lb_request req = {.src_ip = 1, .tls_session_id = sid, .tls_session_id_len = 32};
	struct lb_route rt;
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	int home = rt.server;
	for (int i = 0; i < 100; i++) {
		req.src_ip = (uint32_t)i; /* NAT may change the address: the id decides */
		assert_int_equal(lb_vs_route(&vs, &req, (uint64_t)i, &rt), 0);
		assert_int_equal(rt.server, home);
		assert_int_equal(rt.persisted, 1);
	}
	sid[0] ^= 1; /* a new id: a miss, balanced anew */
	assert_int_equal(lb_vs_route(&vs, &req, 200, &rt), 0);
	assert_int_equal(rt.persisted, 0);
	lb_vs_free(&vs);
}

/* hdr balancing on layer 7 sees the header value the caller filled. */
static void test_l7_passes_fields(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "l7", LB_LAYER_7, 1, 443), 0);
	struct lb_sel_params hp;
	memset(&hp, 0, sizeof hp);
	const struct lb_sel_ops *hdr = lb_sel_parse("hdr(X-User)", &hp);
	assert_int_equal(lb_vs_add_pool(&vs, "p", 16, NULL, hdr, &hp, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_set_default(&vs, 0), 0);
	/* The same value always lands on one server; 64 values reach several
	 * (a hash ignoring the value would send them all to round robin, which
	 * would not keep a value on one server). */
	unsigned used = 0;
	for (int u = 0; u < 64; u++) {
		char user[16];
		snprintf(user, sizeof user, "user%d", u);
		struct lb_request req = {.hdr_value = user};
		struct lb_route rt;
		assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
		int first = rt.server;
		used |= 1u << first;
		for (int k = 0; k < 5; k++) {
			assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
			assert_int_equal(rt.server, first);
		}
	}
	assert_true(__builtin_popcount(used) >= 8);
	lb_vs_free(&vs);
}

/* ---- memory ------------------------------------------------------------- */

/* The service's own bytes, from the sizes of its arrays and pool slots. */
static size_t own_bytes(const struct lb_vs *vs)
{
	return vs->pools_cap * sizeof *vs->pools + vs->npools * sizeof(struct lb_vs_pool) +
	       vs->subservices_cap * sizeof *vs->subservices;
}

static void test_memory(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "mem", LB_LAYER_7, 1, 443), 0);
	assert_int_equal(lb_vs_mem_bytes(&vs), 0);

	/* Each pool adds exactly what the same pool costs standing alone, plus
	 * the service's own bookkeeping. */
	struct lb_sel_params mp;
	memset(&mp, 0, sizeof mp);
	mp.hash_type = LB_HASH_MAGLEV;
	const struct {
		const char *name;
		const struct lb_sel_ops *sel;
		const struct lb_sel_params *params;
		uint32_t n;
	} pools[] = {
		{"rr", &lb_sel_roundrobin, NULL, 8},
		{"maglev", &lb_sel_source, &mp, 64},
		{"lc", &lb_sel_leastconn, NULL, 3},
		{"srr", &lb_sel_static_rr, NULL, 5},
		{"rnd", &lb_sel_random, NULL, 7},
	};
	size_t parts = 0;
	for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
		struct lb_pool alone;
		assert_int_equal(lb_pool_init(&alone, pools[i].name, pools[i].n, NULL, pools[i].sel,
					      pools[i].params), 0);
		size_t before = lb_vs_mem_bytes(&vs), own_before = vs.mem.live;
		assert_int_equal(lb_vs_add_pool(&vs, pools[i].name, pools[i].n, NULL, pools[i].sel,
						 pools[i].params, msg, sizeof msg), (int)i);
		assert_int_equal(lb_vs_mem_bytes(&vs) - before,
				 lb_pool_mem_bytes(&alone) + (vs.mem.live - own_before));
		assert_true(lb_pool_mem_bytes(&alone) >= pools[i].n * sizeof(struct lb_server));
		parts += lb_pool_mem_bytes(&alone);
		lb_pool_free(&alone);
		assert_int_equal(vs.mem.live, own_bytes(&vs));
	}
	assert_int_equal(lb_vs_mem_bytes(&vs), vs.mem.live + parts);

	/* Persistence adds exactly its table (capacity x 72 + buckets x 16). */
	size_t before = lb_vs_mem_bytes(&vs);
	struct lb_pers_params pp = pers_params(1000, 0);
	assert_int_equal(lb_vs_set_persist(&vs, 1, &lb_pers_source_ip, &pp, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_mem_bytes(&vs) - before, lb_pers_table_bytes(1000, 1024));
	assert_int_equal(lb_pers_table_bytes(1000, 1024), 1000 * 64 + 1024 * 16 + 1000 * 8);
	pp = pers_params(100, 0);
	assert_int_equal(lb_vs_set_persist(&vs, 1, &lb_pers_cookie, &pp, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_mem_bytes(&vs) - before, lb_pers_table_bytes(100, 128));
	assert_int_equal(lb_vs_set_persist(&vs, 2, &lb_pers_source_ip, &pp, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_mem_bytes(&vs) - before, 2 * lb_pers_table_bytes(100, 128));
	assert_int_equal(lb_vs_set_persist(&vs, 2, NULL, NULL, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_mem_bytes(&vs) - before, lb_pers_table_bytes(100, 128));

	/* Sub-services: the array doubles (4, 8, 16 ...). */
	for (int i = 0; i < 9; i++) {
		char v[16];
		snprintf(v, sizeof v, "/w%d", i);
		assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_path_prefix, v,
						      (uint32_t)(i % 5), msg, sizeof msg), i);
	}
	assert_int_equal(vs.subservices_cap, 16);
	assert_int_equal(vs.mem.live, own_bytes(&vs));
	assert_int_equal(lb_vs_mem_bytes(&vs),
			 vs.mem.live + parts + lb_pers_table_bytes(100, 128));

	/* Routing allocates nothing: no live or peak figure moves, even while
	 * the persistence table fills (its entries come from a fixed pool). */
	assert_int_equal(lb_vs_set_default(&vs, 1), 0);
	size_t total = lb_vs_mem_bytes(&vs), own_peak = vs.mem.peak;
	size_t pool_peak[5];
	for (uint32_t i = 0; i < 5; i++)
		pool_peak[i] = lb_vs_pool(&vs, i)->mem.peak;
	size_t table_peak = vs.pools[1]->persist.table.mem.peak;
	uint64_t seed = 3;
	for (int i = 0; i < 10000; i++) {
		char path[16], cookie[16];
		snprintf(path, sizeof path, "/w%u/x", lcg(&seed) % 12);
		snprintf(cookie, sizeof cookie, "k%u", lcg(&seed) % 300);
		struct lb_request req = {.src_ip = lcg(&seed), .path = path, .cookie = cookie};
		struct lb_route rt;
		assert_int_equal(lb_vs_route(&vs, &req, (uint64_t)i * MS, &rt), 0);
	}
	assert_int_equal(lb_vs_mem_bytes(&vs), total);
	assert_int_equal(vs.mem.peak, own_peak);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(lb_vs_pool(&vs, i)->mem.peak, pool_peak[i]);
	assert_int_equal(vs.pools[1]->persist.table.mem.peak, table_peak);
	assert_int_equal(lb_pers_table_count(&vs.pools[1]->persist.table), 100); /* full */
	assert_stats_balance(&vs);

	lb_vs_free(&vs);
	assert_int_equal(vs.mem.live, 0);
	assert_true(vs.mem.peak >= own_peak);
	assert_int_equal(lb_vs_mem_bytes(&vs), 0);
}

/* lb_vs_expire sweeps every pool's table. */
static void test_expire(void **state)
{
	(void)state;
	char msg[256];
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "l7", LB_LAYER_7, 1, 443), 0);
	for (int i = 0; i < 2; i++) {
		char name[8];
		snprintf(name, sizeof name, "p%d", i);
		assert_int_equal(lb_vs_add_pool(&vs, name, 2, NULL, &lb_sel_roundrobin, NULL, msg,
						 sizeof msg), i);
		struct lb_pers_params pp = pers_params(64, 1000 * MS);
		assert_int_equal(lb_vs_set_persist(&vs, (uint32_t)i, &lb_pers_source_ip, &pp, msg,
						   sizeof msg), 0);
	}
	assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_path_prefix, "/a", 0, msg, sizeof msg), 0);
	assert_int_equal(lb_vs_add_subservice(&vs, &lb_match_path_prefix, "/b", 1, msg, sizeof msg), 1);
	for (uint32_t c = 0; c < 10; c++) {
		struct lb_request req = {.src_ip = c, .path = c < 4 ? "/a" : "/b"};
		struct lb_route rt;
		assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), 0);
	}
	assert_int_equal(lb_vs_expire(&vs, 1000 * MS - 1, 100), 0); /* last valid instant */
	assert_int_equal(lb_vs_expire(&vs, 1000 * MS, 100), 10);
	assert_int_equal(lb_pers_table_count(&vs.pools[0]->persist.table), 0);
	assert_int_equal(lb_pers_table_count(&vs.pools[1]->persist.table), 0);
	lb_vs_free(&vs);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(lb_route_reason_name(LB_ROUTE_OK), "ok");
	assert_string_equal(lb_route_reason_name(LB_ROUTE_NO_RULE), "no rule matched");
	assert_string_equal(lb_route_reason_name(LB_ROUTE_NO_SERVER), "no usable server");
	assert_string_equal(lb_route_reason_name((enum lb_route_reason)99), "unknown");

	/* A layer-4 service with no pool has no server, not a missing rule. */
	struct lb_vs vs;
	assert_int_equal(lb_vs_init(&vs, "empty", LB_LAYER_4, 1, 80), 0);
	struct lb_request req = {.src_ip = 1};
	struct lb_route rt;
	assert_int_equal(lb_vs_route(&vs, &req, 0, &rt), -1);
	assert_int_equal(rt.reason, LB_ROUTE_NO_SERVER);
	assert_stats_balance(&vs);
	lb_vs_free(&vs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange_rules_with_default),
		cmocka_unit_test(test_prefetch_changes_nothing),
		cmocka_unit_test(test_hint_names_the_lookup),
		cmocka_unit_test(test_exchange_rules_without_default),
		cmocka_unit_test(test_rules_against_reference),
		cmocka_unit_test(test_subservice_validation),
		cmocka_unit_test(test_pool_validation),
		cmocka_unit_test(test_check_needs_registries),
		cmocka_unit_test(test_l4_refuses_l7),
		cmocka_unit_test(test_l4_hides_l7_fields_from_plugins),
		cmocka_unit_test(test_l4_routes_same_without_l7_fields),
		cmocka_unit_test(test_persistence_redispatch),
		cmocka_unit_test(test_l4_ssl_session_id),
		cmocka_unit_test(test_l7_passes_fields),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
