/* Tables shared by the selection algorithms (private to models/lb).
 *
 * Each table holds only the servers usable when it was built, so a pick
 * never has to skip a server that is out of rotation: the algorithms rebuild
 * their table from their servers_changed hook. A build allocates the new
 * table beside the old one and leaves *out untouched on failure, so the
 * caller keeps the table in force when memory is short.
 *
 * Weights are divided by the gcd of the usable servers' effective weights
 * first: weights 2,2,2 and 1,1,1 mean the same split, and the reduction keeps
 * tables short.
 *
 *   sel_map     every usable server repeated weight times, interleaved so
 *               that each server's slots are evenly spread (stride order:
 *               the k-th slot of a server of weight w sits at virtual time
 *               (k + 1/2) / w). Length W = sum of reduced weights.
 *               Build O(W log W); lookup O(1).
 *   sel_ring    consistent-hash ring: points_per_weight x weight points per
 *               server at murmur(server id, point number), sorted, with a
 *               bucket index on the top bits of the hash (about one bucket
 *               per point) so that a lookup searches only its bucket.
 *               Build O(P log P) for P points; lookup O(1) expected,
 *               O(log P) worst case.
 *   sel_maglev  Maglev lookup table of prime size M. Build expected
 *               O(M log M) (the paper's bound); lookup O(1).
 */
#ifndef LBSIM_SEL_TAB_H
#define LBSIM_SEL_TAB_H

#include <stdint.h>

#include "lbsim/lb.h"

/* Greatest common divisor; gcd(a, 0) = a. */
uint32_t sel_gcd(uint32_t a, uint32_t b);

/* gcd of the effective weights of the usable servers; 0 when none is usable. */
uint32_t sel_weight_gcd(const struct lb_pool *pool);

struct sel_map {
	uint32_t *slot;  /* server ids */
	uint32_t len;
};

int sel_map_build(struct lb_pool *pool, struct sel_map *out);
void sel_map_free(struct lb_pool *pool, struct sel_map *map);

struct sel_ring_point {
	uint32_t hash;
	uint32_t server;
};

struct sel_ring {
	struct sel_ring_point *pt;  /* sorted by (hash, server) */
	uint32_t len;
	/* index[b] = first point with hash >= b << shift, for the 2^bits
	 * buckets b, and index[2^bits] = len. */
	uint32_t *index;
	uint32_t bits;
};

int sel_ring_build(struct lb_pool *pool, uint32_t points_per_weight, struct sel_ring *out);

/* Sort points by (hash, server): the ring's order, shared by the profiles'
 * rings (sel_hash_*.c). O(n log n). */
void sel_ring_points_sort(struct sel_ring_point *pt, uint32_t n);

/* Index of the first of pt[0..n) (sorted) with hash >= h; n when none. */
static inline uint32_t sel_ring_points_lower_bound(const struct sel_ring_point *pt, uint32_t n,
						   uint32_t h)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (pt[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
void sel_ring_free(struct lb_pool *pool, struct sel_ring *ring);

/* Index of the first point at or after h, wrapping to 0 past the last. The
 * ring must not be empty. The answer lies in h's bucket or is the first
 * point of the next non-empty one, i.e. in [index[b], index[b + 1]]. */
static inline uint32_t sel_ring_find(const struct sel_ring *ring, uint32_t h)
{
	uint32_t b = h >> (32 - ring->bits);
	uint32_t lo = ring->index[b], hi = ring->index[b + 1];
	lo += sel_ring_points_lower_bound(ring->pt + lo, hi - lo, h);
	return lo == ring->len ? 0 : lo;
}

struct sel_maglev {
	uint32_t *entry; /* server ids; NULL when no server is usable */
	uint32_t size;   /* M, a prime */
};

/* size must be a prime >= the number of usable servers. */
int sel_maglev_build(struct lb_pool *pool, uint32_t size, struct sel_maglev *out);
void sel_maglev_free(struct lb_pool *pool, struct sel_maglev *mag);

/* 1 when n is prime (trial division, O(sqrt n)). */
int sel_is_prime(uint32_t n);

/* A small PRNG for algorithms that draw at random: xoshiro256** seeded
 * through splitmix64 (Blackman and Vigna). Not GSL, not rand(): the core
 * keeps its own stream per pool, so pools never disturb each other. */
struct sel_rng {
	uint64_t s[4];
};

void sel_rng_seed(struct sel_rng *r, uint64_t seed);

static inline uint64_t sel_rng_next(struct sel_rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t result = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}

/* Uniform in [0, range), range > 0, without modulo bias (Lemire's
 * multiply-and-reject). */
static inline uint32_t sel_rng_below(struct sel_rng *r, uint32_t range)
{
	uint64_t m = (sel_rng_next(r) >> 32) * (uint64_t)range;
	uint32_t low = (uint32_t)m;
	if (low < range) {
		uint32_t threshold = (uint32_t)-range % range;
		while (low < threshold) {
			m = (sel_rng_next(r) >> 32) * (uint64_t)range;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

#endif
