/* The consistent-hash ring (Karger et al. 1997, with virtual nodes).
 *
 * A server of reduced weight w owns points_per_weight x w points at
 * murmur3(server id, point number); a key goes to the owner of the first
 * point at or after its hash (wrapping). A point depends only on its server's
 * id and number, never on the other servers, so when a server leaves only the
 * keys on its arcs move, and when its weight grows it only gains points.
 *
 * Balance: a server's share of the ring is a sum of k arcs of a random
 * circle cut into P pieces, so its relative spread is about 1/sqrt(k) for k
 * points (10% at the default 100): consistent hashing buys its low
 * disruption with a visibly less even split than map-based or Maglev.
 *
 * Lookup: a plain binary search over P points costs log2 P dependent,
 * unpredictable comparisons and cache misses once the ring outgrows the L1
 * cache (bench_core_sel at 64 servers: about 120 ns a pick, against 18 ns
 * with the index below). So the ring carries a bucket index:
 * 2^bits >= P buckets on the top bits of the hash, each holding the first
 * point at or after its start. A lookup reads its bucket's bounds and
 * searches the few points between them: O(1) expected since the points are
 * murmur hashes (about one per bucket), O(log P) at worst.
 *
 * Build: O(P log P) time; 8 P bytes of points plus 4 (2^bits + 1) bytes of
 * index (4 to 8 bytes per point), for P = sum of points; refused (-1)
 * beyond SEL_RING_MAX_POINTS.
 */
#include "sel_tab.h"

#include <stdlib.h>

#include "lbsim/lb_hash.h"

#define SEL_RING_SEED 0x72696e67u            /* "ring" */
#define SEL_RING_MAX_POINTS (1u << 25)         /* 256 MiB of points */
#define SEL_RING_MAX_BITS 24                   /* 64 MiB of index */

/* Bytes of a bucket index of 2^bits buckets (plus the end sentinel). */
static size_t index_bytes(uint32_t bits)
{
	return ((size_t)1 << bits) * sizeof(uint32_t) + sizeof(uint32_t);
}

/* qsort order of points: hash, then server id (so ties are stable). */
static int point_cmp(const void *pa, const void *pb)
{
	const struct sel_ring_point *a = pa, *b = pb;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->server < b->server ? -1 : a->server > b->server;
}

void sel_ring_points_sort(struct sel_ring_point *pt, uint32_t n)
{
	qsort(pt, n, sizeof *pt, point_cmp);
}

/* Position of point k of server: depends on nothing else. */
static uint32_t point_hash(uint32_t server, uint32_t k)
{
	unsigned char key[8] = {
		(unsigned char)server, (unsigned char)(server >> 8),
		(unsigned char)(server >> 16), (unsigned char)(server >> 24),
		(unsigned char)k, (unsigned char)(k >> 8),
		(unsigned char)(k >> 16), (unsigned char)(k >> 24),
	};
	return lb_hash_murmur3(key, sizeof key, SEL_RING_SEED);
}

int sel_ring_build(struct lb_pool *pool, uint32_t points_per_weight, struct sel_ring *out)
{
	uint32_t g = sel_weight_gcd(pool);
	uint64_t total = 0;
	for (uint32_t i = 0; g && i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			total += (uint64_t)points_per_weight * (pool->servers[i].eweight / g);
	if (total > SEL_RING_MAX_POINTS)
		return -1;
	struct sel_ring ring = {.pt = NULL, .len = (uint32_t)total};
	if (ring.len) {
		ring.bits = 1;
		while (ring.bits < SEL_RING_MAX_BITS && (1u << ring.bits) < ring.len)
			ring.bits++;
		ring.pt = lb_mem_alloc(&pool->mem, ring.len * sizeof *ring.pt);
		ring.index = lb_mem_alloc(&pool->mem, index_bytes(ring.bits));
		if (!ring.pt || !ring.index) {
			sel_ring_free(pool, &ring);
			return -1;
		}
		uint32_t n = 0;
		for (uint32_t i = 0; i < pool->nservers; i++) {
			const struct lb_server *s = &pool->servers[i];
			if (!lb_server_usable(s))
				continue;
			uint32_t points = points_per_weight * (s->eweight / g);
			for (uint32_t k = 0; k < points; k++)
				ring.pt[n++] = (struct sel_ring_point){point_hash(i, k), i};
		}
		sel_ring_points_sort(ring.pt, ring.len);
		uint32_t nb = 1u << ring.bits, shift = 32 - ring.bits, k = 0;
		for (uint32_t b = 0; b < nb; b++) {
			while (k < ring.len && ring.pt[k].hash >> shift < b)
				k++;
			ring.index[b] = k;
		}
		ring.index[nb] = ring.len;
	}
	sel_ring_free(pool, out);
	*out = ring;
	return 0;
}

void sel_ring_free(struct lb_pool *pool, struct sel_ring *ring)
{
	lb_mem_free(&pool->mem, ring->pt, ring->len * sizeof *ring->pt);
	if (ring->index)
		lb_mem_free(&pool->mem, ring->index, index_bytes(ring->bits));
	ring->pt = NULL;
	ring->index = NULL;
	ring->len = 0;
	ring->bits = 0;
}
