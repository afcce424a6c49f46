/* NGINX's hashing, reproduced: for the same client and the same `server`
 * lines, the peer NGINX 1.22 picks (tests/parity/nginx/ holds pairs
 * recorded from a real NGINX by scripts/parity-nginx).
 *
 * Written from a reading of src/http/modules/ngx_http_upstream_ip_hash_module.c,
 * ngx_http_upstream_hash_module.c and src/http/ngx_http_upstream_round_robin.c
 * (release 1.22.1). Our own code; the rules:
 *
 * `ip_hash` (balance source, hash-type map-based). The key is the first
 * three octets of an IPv4 address (a whole /24 lands on one server) or
 * the sixteen bytes of an IPv6 one: hash = 89, then for each byte
 * hash = (hash x 113 + byte) mod 6271; w = hash mod the total weight of
 * *all* peers, down ones included, walks the peers in `server` order. A
 * peer that is down (or failed) is not skipped over in the walk: the hash
 * goes round again from where it stands (the same three bytes once more),
 * up to 20 tries, then the request falls back to round robin.
 *
 * `hash $key` (uri or hdr, map-based): Cache::Memcached's rule:
 * hash += (crc32([REHASH] key) >> 16) & 0x7fff with REHASH the try number
 * in decimal from the second try on; the peer walk as above.
 *
 * `hash $key consistent` (hash-type consistent; $remote_addr for source,
 * $request_uri for uri, $http_NAME for hdr). Every peer, down or not, gets
 * weight x 160 points (`ring-points` changes the 160): point j of `server
 * HOST:PORT` is crc32(HOST "\0" PORT prev) with prev the previous point's
 * hash as four little-endian bytes (0 for the first), Cache::Memcached::Fast's
 * ketama; points sorted, equal hashes kept once (the first). The key (the
 * client address as text, e.g. "192.0.2.1") goes to the first point at or
 * after crc32(key), wrapping; a down peer's point passes to the next point,
 * up to 20 tries, then round robin.
 *
 * Round robin is NGINX's smooth weighted round robin
 * (sel_hash_round_robin): its state is the pool's, so which server a
 * fallback gets depends on what came before, in lbsim as in NGINX.
 *
 * Identity: a peer is its `server` text; lbsim writes it "ADDR:PORT" from
 * the server's endpoint (default 127.0.0.1:10001, :10002, ...).
 *
 * Complexity: ip_hash and hash O(tries x n) per pick (the peer walk, as
 * NGINX); consistent build O(P log P) for P points, pick O(log P + tries).
 */
#include "lbsim/lb_hash.h"
#include "lbsim/lb_sel.h"

#include <stdio.h>
#include <string.h>

#include "sel_hash.h"

#define NGX_TRIES 20

/* The points sorted by (hash, server): since points are made server by
 * server, the first of equal hashes in that order is the first NGINX
 * made, the one its (stable) sort and de-duplication keep. */
struct ngx_tab {
	struct sel_ring_point *pt;
	uint32_t npt;       /* distinct points */
	uint32_t alloc;
};

static void tab_free(struct lb_pool *pool, struct ngx_tab *t)
{
	if (!t)
		return;
	lb_mem_free(&pool->mem, t->pt, t->alloc * sizeof *t->pt);
	lb_mem_free(&pool->mem, t, sizeof *t);
}

/* ngx_http_upstream_init_chash. */
static int build_ring(struct lb_pool *pool, struct hash_priv *hp, struct ngx_tab *t)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < pool->nservers; i++)
		total += (uint64_t)pool->servers[i].weight * hp->ring_points;
	if (total == 0)
		return 0;
	if (total > (1u << 25))
		return -1;
	t->pt = lb_mem_alloc(&pool->mem, total * sizeof *t->pt);
	if (!t->pt)
		return -1;
	t->alloc = (uint32_t)total;
	uint32_t n = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		char text[LB_ADDR_TEXT_MAX + 8];
		size_t len = lb_endpoint_format(&hp->ep[i].addr, hp->ep[i].port, text, sizeof text);
		/* HOST and PORT as NGINX splits the `server` text: PORT is the
		 * digits after the last ':'. */
		size_t colon = len;
		while (colon > 0 && text[colon - 1] >= '0' && text[colon - 1] <= '9')
			colon--;
		size_t host_len = len, port_at = len;
		if (colon > 0 && colon < len && text[colon - 1] == ':') {
			host_len = colon - 1;
			port_at = colon;
		}
		uint32_t base = lb_hash_crc32_update(~0u, text, host_len);
		base = lb_hash_crc32_update(base, "", 1);
		base = lb_hash_crc32_update(base, text + port_at, len - port_at);
		uint32_t prev = 0, points = pool->servers[i].weight * hp->ring_points;
		for (uint32_t j = 0; j < points; j++) {
			unsigned char le[4] = {(unsigned char)prev, (unsigned char)(prev >> 8),
					       (unsigned char)(prev >> 16), (unsigned char)(prev >> 24)};
			uint32_t h = ~lb_hash_crc32_update(base, le, 4);
			t->pt[n++] = (struct sel_ring_point){h, i};
			prev = h;
		}
	}
	sel_ring_points_sort(t->pt, n);
	uint32_t k = 0;
	for (uint32_t j = 1; j < n; j++)
		if (t->pt[k].hash != t->pt[j].hash)
			t->pt[++k] = t->pt[j];
	t->npt = k + 1;
	return 0;
}

static int nginx_build(struct lb_pool *pool, struct hash_priv *hp)
{
	if (hp->type != LB_HASH_CONSISTENT)
		return 0; /* ip_hash and hash keep no table: they walk the peers */
	if (hp->prof)
		return 0; /* the ring holds every peer, down or not: built once */
	struct ngx_tab *t = lb_mem_alloc(&pool->mem, sizeof *t);
	if (!t)
		return -1;
	if (build_ring(pool, hp, t) != 0) {
		tab_free(pool, t);
		return -1;
	}
	hp->prof = t;
	return 0;
}

static void nginx_free(struct lb_pool *pool, struct hash_priv *hp)
{
	tab_free(pool, hp->prof);
	hp->prof = NULL;
}

/* The peer that w (< total weight) falls on, walking the peers in order. */
static uint32_t walk_weight(const struct lb_pool *pool, uint64_t w)
{
	uint32_t p = 0;
	while (p + 1 < pool->nservers && w >= pool->servers[p].weight)
		w -= pool->servers[p++].weight;
	return p;
}

static uint64_t total_weight(const struct lb_pool *pool)
{
	uint64_t t = 0;
	for (uint32_t i = 0; i < pool->nservers; i++)
		t += pool->servers[i].weight;
	return t;
}

/* ngx_http_upstream_get_ip_hash_peer. */
static int pick_ip_hash(struct lb_pool *pool, const struct lb_addr *a)
{
	uint64_t tw = total_weight(pool);
	if (pool->nservers == 1 || tw == 0)
		return sel_hash_round_robin(pool);
	size_t len = a->family == LB_AF_INET6 ? 16 : 3;
	uint32_t hash = 89;
	for (int tries = 0;;) {
		for (size_t i = 0; i < len; i++)
			hash = (hash * 113 + a->bytes[i]) % 6271;
		uint32_t p = walk_weight(pool, hash % tw);
		if (lb_server_usable(&pool->servers[p]))
			return (int)p;
		if (++tries > NGX_TRIES)
			return sel_hash_round_robin(pool);
	}
}

/* ngx_http_upstream_get_hash_peer. */
static int pick_key_hash(struct lb_pool *pool, const char *key, size_t len)
{
	uint64_t tw = total_weight(pool);
	if (pool->nservers == 1 || tw == 0)
		return sel_hash_round_robin(pool);
	uint32_t hash = 0;
	for (unsigned rehash = 0, tries = 0;; rehash++) {
		uint32_t crc = ~0u;
		if (rehash > 0) {
			char num[16];
			int n = snprintf(num, sizeof num, "%u", rehash);
			crc = lb_hash_crc32_update(crc, num, (size_t)n);
		}
		crc = ~lb_hash_crc32_update(crc, key, len);
		hash += (crc >> 16) & 0x7fff;
		uint32_t p = walk_weight(pool, hash % tw);
		if (lb_server_usable(&pool->servers[p]))
			return (int)p;
		if (++tries > NGX_TRIES)
			return sel_hash_round_robin(pool);
	}
}

/* ngx_http_upstream_init_chash_peer and get_chash_peer. */
static int pick_chash(struct lb_pool *pool, const struct ngx_tab *t, const char *key, size_t len)
{
	if (pool->nservers == 1 || !t || t->npt == 0)
		return sel_hash_round_robin(pool);
	uint32_t at = sel_ring_points_lower_bound(t->pt, t->npt, lb_hash_crc32(key, len));
	for (uint32_t tries = 0;; at++) {
		uint32_t s = t->pt[at % t->npt].server;
		if (lb_server_usable(&pool->servers[s]))
			return (int)s;
		if (++tries > NGX_TRIES)
			return sel_hash_round_robin(pool);
	}
}

static int nginx_pick(struct lb_pool *pool, struct hash_priv *hp, const struct hash_key *key)
{
	if (key->kind == HASH_KEY_SOURCE) {
		if (hp->type != LB_HASH_CONSISTENT)
			return pick_ip_hash(pool, &key->addr);
		char text[LB_ADDR_TEXT_MAX];
		size_t len = lb_addr_format(&key->addr, text, sizeof text);
		return pick_chash(pool, hp->prof, text, len);
	}
	if (hp->type != LB_HASH_CONSISTENT)
		return pick_key_hash(pool, key->bytes, key->len);
	return pick_chash(pool, hp->prof, key->bytes, key->len);
}

static const char *nginx_check(const struct lb_sel_params *p, enum hash_key_kind key)
{
	(void)key;
	if (p->hash_type == LB_HASH_MAGLEV)
		return "NGINX has no maglev hashing (map-based: ip_hash or hash; consistent)";
	if (p->hash_function != LB_HASHFN_MURMUR || p->hash_avalanche)
		return "NGINX hashes with its own formulas: hash-function and avalanche do not "
		       "apply to profile nginx";
	return NULL;
}

const struct hash_profile_ops sel_hash_nginx = {
	.build = nginx_build,
	.free = nginx_free,
	.pick = nginx_pick,
	.check = nginx_check,
};
