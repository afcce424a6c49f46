/* Hash functions and hash types of the balancer core's hashing algorithms
 * (`source`, `uri`, `hdr(name)`).
 *
 * A hashing algorithm turns a key (the client address, a URL path, a header
 * value) into a 32-bit hash with a hash function, optionally passed through
 * the avalanche finalizer, then maps the hash to a server with a hash type:
 *
 *   map-based   hash mod the length of the weight map (each usable server
 *               appears weight times): even, but most keys move when the
 *               set of servers changes;
 *   consistent  a ring of virtual nodes (points per unit of weight); only
 *               the keys of a removed server move; optional bounded load;
 *   maglev      the Maglev lookup table of prime size (65537 by default):
 *               near-minimal disruption and near-perfect balance, O(1) pick.
 *
 * Why the function matters as much as the type: real client addresses are
 * not random. Plain byte hashes (sdbm, djb2) are nearly linear in the last
 * bytes, so clients with sequential host parts get consecutive hashes. Under
 * a small modulus (map-based) consecutive hashes cycle through the servers
 * and spread well; on a ring they all fall into the same arc and land on one
 * server. murmur (MurmurHash3 x86_32) and the avalanche finalizer (its fmix32
 * step, a bijection on 32 bits where each input bit flips each output bit
 * with probability close to 1/2) break that locality. tests/test_lb_sel_hash.c
 * shows both effects.
 *
 * The zero value of each enum is the default a zeroed struct lb_sel_params
 * gets: map-based (as in HAProxy) and murmur. HAProxy's documented default
 * function is sdbm, and its `source` uses the raw address as the hash (our
 * `none`) unless `avalanche` is given; both are fine under map-based and
 * poor on a ring for clustered clients. A zeroed lbsim pool should be sound
 * for every hash type and key, so the default is murmur; sdbm, djb2 and
 * none are there to be chosen explicitly (and to reproduce HAProxy).
 */
#ifndef LBSIM_LB_HASH_H
#define LBSIM_LB_HASH_H

#include <stddef.h>
#include <stdint.h>

enum lb_hash_type {
	LB_HASH_MAP_BASED = 0,
	LB_HASH_CONSISTENT,
	LB_HASH_MAGLEV,
	LB_HASH_TYPE_COUNT
};

enum lb_hash_function {
	LB_HASHFN_MURMUR = 0, /* MurmurHash3 x86_32, seed 0 */
	LB_HASHFN_SDBM,       /* h = c + (h << 6) + (h << 16) - h */
	LB_HASHFN_DJB2,       /* h = h * 33 + c, from 5381 */
	LB_HASHFN_NONE,       /* the key is the hash: its first 4 bytes, big-endian */
	LB_HASHFN_COUNT
};

/* Maglev's default table size: a prime, comfortably above 100 x the servers
 * of any pool up to 655 servers (the paper's rule of thumb M >> N). */
#define LB_MAGLEV_DEFAULT_SIZE 65537u
/* Ring points per unit of (gcd-reduced) weight when params.ring_points is 0. */
#define LB_RING_DEFAULT_POINTS 100u

uint32_t lb_hash_sdbm(const void *key, size_t len);
uint32_t lb_hash_djb2(const void *key, size_t len);
uint32_t lb_hash_murmur3(const void *key, size_t len, uint32_t seed);
uint32_t lb_hash_none(const void *key, size_t len);
/* MurmurHash3's fmix32: a bijection of 32-bit words with full avalanche. */
uint32_t lb_hash_avalanche(uint32_t h);

/* Hash key with function fn (enum lb_hash_function), then the avalanche
 * finalizer when avalanche is non-zero. fn must be valid. */
uint32_t lb_hash_key(uint32_t fn, uint32_t avalanche, const void *key, size_t len);

/* The names, indexed by enum lb_hash_type and enum lb_hash_function. */
extern const char *const lb_hash_types[LB_HASH_TYPE_COUNT];
extern const char *const lb_hash_functions[LB_HASHFN_COUNT];

/* Name lookups for the scenario loader: the enum value, or -1 when unknown
 * (then list the valid names with the *_names functions). */
int lb_hash_type_find(const char *name);
int lb_hash_function_find(const char *name);
const char *lb_hash_type_name(uint32_t type);       /* "?" when out of range */
const char *lb_hash_function_name(uint32_t fn);
/* Write "a, b, c" into buf (truncated to len); returns buf. */
const char *lb_hash_type_names(char *buf, size_t len);
const char *lb_hash_function_names(char *buf, size_t len);

#endif
