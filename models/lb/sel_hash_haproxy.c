/* HAProxy 2.x's hashing, reproduced: for the same client and the same
 * servers, the server HAProxy 2.6 picks (tests/parity/haproxy/ holds
 * pairs recorded from a real HAProxy by scripts/parity-haproxy).
 *
 * Written from a reading of HAProxy's src/backend.c (get_server_sh,
 * get_server_uh, get_server_hh, gen_hash), src/lb_map.c
 * (recalc_server_map, map_get_server_hash), src/lb_chash.c
 * (chash_init_server_tree, chash_get_server_hash) and src/cfgparse-listen.c
 * (hash-type). Our own code; the rules:
 *
 * The key. `balance source` does not run the hash function: it XORs the
 * address's 32-bit words (network order), so an IPv4 client's hash is its
 * address as a number, and an IPv6 one the XOR of its four words; then
 * full_hash when the avalanche modifier is on. `uri` and `hdr` run the hash
 * function (sdbm by default, djb2, wt6, crc32) over the URI up to '?' or
 * the header value, then full_hash when asked. `hash-type consistent` with
 * no function named means sdbm *and* avalanche; the scenario loader sets
 * that (lb_hash_profile_default_function and the avalanche flag).
 *
 * map-based. The servers' configured weights are divided by their gcd
 * (over every server, up or down, taken once as HAProxy does at start-up);
 * a table of tot = sum of the usable servers' reduced weights is filled
 * slot by slot: every usable server, in declaration order, adds its weight
 * to a score; the first with the largest (score + tot) / tot wins the slot
 * and loses tot. The key picks table[hash % tot]. Weights 3,1: a a b a.
 *
 * consistent. A usable server of weight w has w x 16 points (BE_WEIGHT_SCALE;
 * the `ring-points` key changes the 16) at full_hash(puid x 4096 + j), puid
 * its id from 1; the weights are not reduced. The key goes to the *nearest*
 * point, looking both ways around the ring (the earlier one on a tie), not
 * the next one as in Karger's ring. A server out of rotation has no points.
 *
 * Identity: HAProxy numbers servers 1..N in declaration order unless the
 * configuration gives `id`; the parity configurations do not, so puid is
 * the server's index + 1.
 *
 * Complexity: map build O(tot x n), pick O(1); ring build O(P log P) for P
 * points, pick O(log P) (binary search).
 */
#include "lbsim/lb_hash.h"
#include "lbsim/lb_sel.h"

#include <string.h>

#include "sel_hash.h"

/* HAProxy's SRV_EWGHT_RANGE: the stride between two servers' point keys. */
#define EWGHT_RANGE 4096u

struct haproxy_tab {
	uint32_t *map;              /* map-based: server per slot */
	uint32_t map_len;
	struct sel_ring_point *pt;  /* consistent: sorted by (hash, server) */
	uint32_t npt;
};

static void tab_free(struct lb_pool *pool, struct haproxy_tab *t)
{
	if (!t)
		return;
	lb_mem_free(&pool->mem, t->map, t->map_len * sizeof *t->map);
	lb_mem_free(&pool->mem, t->pt, t->npt * sizeof *t->pt);
	lb_mem_free(&pool->mem, t, sizeof *t);
}

/* recalc_server_map: see the file's comment. */
static int build_map(struct lb_pool *pool, struct haproxy_tab *t)
{
	uint32_t g = 0;
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (pool->servers[i].weight)
			g = sel_gcd(pool->servers[i].weight, g);
	if (g == 0)
		g = 1;
	uint32_t tot = 0;
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			tot += (pool->servers[i].weight + g - 1) / g;
	if (tot == 0)
		return 0;
	int64_t *score = lb_mem_alloc(&pool->mem, pool->nservers * sizeof *score);
	t->map = lb_mem_alloc(&pool->mem, tot * sizeof *t->map);
	if (!score || !t->map) {
		lb_mem_free(&pool->mem, score, pool->nservers * sizeof *score);
		return -1;
	}
	t->map_len = tot;
	for (uint32_t o = 0; o < tot; o++) {
		int64_t max = 0;
		int32_t best = -1;
		for (uint32_t i = 0; i < pool->nservers; i++) {
			if (!lb_server_usable(&pool->servers[i]))
				continue;
			if (tot == 1) {
				best = (int32_t)i;
				break;
			}
			score[i] += (pool->servers[i].weight + g - 1) / g;
			/* C division truncates toward zero, as HAProxy's int
			 * arithmetic does for a negative score. */
			int64_t v = (score[i] + (int64_t)tot) / (int64_t)tot;
			if (best < 0 || v > max) {
				max = v;
				best = (int32_t)i;
			}
		}
		t->map[o] = (uint32_t)best;
		if (tot > 1)
			score[best] -= tot;
	}
	lb_mem_free(&pool->mem, score, pool->nservers * sizeof *score);
	return 0;
}

/* chash_init_server_tree: see the file's comment. */
static int build_ring(struct lb_pool *pool, struct hash_priv *hp, struct haproxy_tab *t)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			total += (uint64_t)pool->servers[i].eweight * hp->ring_points;
	if (total == 0)
		return 0;
	if (total > (1u << 25))
		return -1;
	t->pt = lb_mem_alloc(&pool->mem, total * sizeof *t->pt);
	if (!t->pt)
		return -1;
	t->npt = (uint32_t)total;
	uint32_t n = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		const struct lb_server *s = &pool->servers[i];
		if (!lb_server_usable(s))
			continue;
		uint32_t puid = i + 1, points = s->eweight * hp->ring_points;
		for (uint32_t j = 0; j < points; j++)
			t->pt[n++] = (struct sel_ring_point){lb_hash_full(puid * EWGHT_RANGE + j), i};
	}
	sel_ring_points_sort(t->pt, t->npt);
	return 0;
}

static int haproxy_build(struct lb_pool *pool, struct hash_priv *hp)
{
	struct haproxy_tab *t = lb_mem_alloc(&pool->mem, sizeof *t);
	if (!t)
		return -1;
	int rc = hp->type == LB_HASH_CONSISTENT ? build_ring(pool, hp, t) : build_map(pool, t);
	if (rc != 0) {
		tab_free(pool, t);
		return -1;
	}
	tab_free(pool, hp->prof);
	hp->prof = t;
	return 0;
}

static void haproxy_free(struct lb_pool *pool, struct hash_priv *hp)
{
	tab_free(pool, hp->prof);
	hp->prof = NULL;
}

/* chash_get_server_hash: the nearest point, the previous one on a tie;
 * distances are taken modulo 2^32, around the ring. */
static int ring_nearest(const struct haproxy_tab *t, uint32_t h)
{
	uint32_t lo = sel_ring_points_lower_bound(t->pt, t->npt, h);
	uint32_t next = lo == t->npt ? 0 : lo;
	uint32_t prev = next == 0 ? t->npt - 1 : next - 1;
	uint32_t dp = h - t->pt[prev].hash, dn = t->pt[next].hash - h;
	return (int)(dp <= dn ? t->pt[prev].server : t->pt[next].server);
}

static int haproxy_pick(struct lb_pool *pool, struct hash_priv *hp, const struct hash_key *key)
{
	const struct haproxy_tab *t = hp->prof;
	uint32_t h;
	if (key->kind == HASH_KEY_SOURCE) {
		h = lb_addr_fold32(&key->addr);
	} else {
		size_t len = key->kind == HASH_KEY_URI ? strcspn(key->bytes, "?") : key->len;
		if (len > key->len)
			len = key->len;
		h = lb_hash_key(hp->fn, 0, key->bytes, len);
	}
	if (hp->avalanche)
		h = lb_hash_full(h);
	int s;
	if (hp->type == LB_HASH_CONSISTENT) {
		if (!t || t->npt == 0)
			return -1;
		s = ring_nearest(t, h);
	} else {
		if (!t || t->map_len == 0)
			return -1;
		s = (int)t->map[h % t->map_len];
	}
	/* The tables hold usable servers only; a server changed behind the
	 * pool's back falls back to round robin rather than get traffic. */
	return lb_server_usable(&pool->servers[s]) ? s : sel_hash_round_robin(pool);
}

static const char *haproxy_check(const struct lb_sel_params *p, enum hash_key_kind key)
{
	(void)key;
	if (p->hash_type == LB_HASH_MAGLEV)
		return "HAProxy has no maglev hash-type (map-based or consistent)";
	/* murmur, the zero value, stands for HAProxy's default (sdbm). */
	if (p->hash_function == LB_HASHFN_NONE)
		return "HAProxy's hash functions are sdbm, djb2, wt6 and crc32";
	return NULL;
}

const struct hash_profile_ops sel_hash_haproxy = {
	.build = haproxy_build,
	.free = haproxy_free,
	.pick = haproxy_pick,
	.check = haproxy_check,
};
