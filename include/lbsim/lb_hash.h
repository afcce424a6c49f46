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
	LB_HASHFN_WT6,        /* HAProxy's wt6 */
	LB_HASHFN_CRC32,      /* CRC-32 (IEEE 802.3, reflected, as zlib and NGINX) */
	LB_HASHFN_COUNT
};

/* Whose hashing a pool reproduces (params.profile). lbsim's own is the
 * default; the others pick, for the same client and servers, the very
 * server the real program picks (tests/parity/ holds the evidence):
 *
 *   profile   source, map-based      source, consistent        maglev
 *   lbsim     hash mod weight map    ring, successor point     Maglev (NSDI 2016)
 *   haproxy   address mod its map    chash: 16 points/weight,  -
 *             (lb_map.c order)       nearest point (lb_chash.c)
 *   nginx     ip_hash (3 octets,     hash $remote_addr         -
 *             89/113/6271)           consistent (160/weight)
 *   ipvs      sh (256 buckets)       -                         mh (4093 slots)
 *
 * HAProxy also hashes uri and hdr with its hash functions (sdbm by
 * default, djb2, wt6, crc32; avalanche = full_hash), NGINX hashes them as
 * `hash $request_uri` / `hash $http_NAME` (consistent or not). IPVS is a
 * layer-4 balancer: source only. */
enum lb_hash_profile {
	LB_PROFILE_LBSIM = 0,
	LB_PROFILE_HAPROXY,
	LB_PROFILE_NGINX,
	LB_PROFILE_IPVS,
	LB_PROFILE_COUNT
};

/* Servers without declared endpoints are 127.0.0.1:(LB_DEFAULT_SERVER_PORT
 * + index), the addresses the parity scripts give their backends. */
#define LB_DEFAULT_SERVER_PORT 10001u

/* Server i's endpoint when none is declared (the rule above): the one
 * place it is written, for the core and the scenario reader alike. */
struct lb_endpoint lb_default_endpoint(uint32_t i);

/* Ring points per unit of weight, by profile: HAProxy's BE_WEIGHT_SCALE
 * (16), NGINX's 160. */
#define LB_HAPROXY_RING_POINTS 16u
#define LB_NGINX_RING_POINTS 160u
/* IPVS mh's table sizes (ip_vs_mh.c primes[]) and its default, 4093
 * (CONFIG_IP_VS_MH_TAB_INDEX 12). */
#define LB_IPVS_MH_DEFAULT_SIZE 4093u
int lb_ipvs_mh_size_ok(uint32_t size);

extern const char *const lb_hash_profiles[LB_PROFILE_COUNT];
int lb_hash_profile_find(const char *name);
const char *lb_hash_profile_name(uint32_t profile);
const char *lb_hash_profile_names(char *buf, size_t len);
/* The hash function a profile uses when none is given: murmur for lbsim,
 * sdbm for HAProxy (others ignore it). */
uint32_t lb_hash_profile_default_function(uint32_t profile);
/* Ring points per weight when params.ring_points is 0. */
uint32_t lb_hash_profile_ring_points(uint32_t profile);

/* Maglev's default table size: a prime, comfortably above 100 x the servers
 * of any pool up to 655 servers (the paper's rule of thumb M >> N). */
#define LB_MAGLEV_DEFAULT_SIZE 65537u
/* Ring points per unit of (gcd-reduced) weight when params.ring_points is 0. */
#define LB_RING_DEFAULT_POINTS 100u

uint32_t lb_hash_sdbm(const void *key, size_t len);
uint32_t lb_hash_djb2(const void *key, size_t len);
uint32_t lb_hash_murmur3(const void *key, size_t len, uint32_t seed);
uint32_t lb_hash_none(const void *key, size_t len);
uint32_t lb_hash_wt6(const void *key, size_t len);
uint32_t lb_hash_crc32(const void *key, size_t len);
/* CRC-32 over several pieces: start from ~0u, update with each piece, and
 * take ~ of the result (NGINX's ngx_crc32_init/update/final). */
uint32_t lb_hash_crc32_update(uint32_t state, const void *key, size_t len);
/* MurmurHash3's fmix32: a bijection of 32-bit words with full avalanche. */
uint32_t lb_hash_avalanche(uint32_t h);
/* HAProxy's full_hash (one of Bob Jenkins' integer hashes, then a multiply
 * by 3221225473): the avalanche of `hash-type ... avalanche` and the
 * placement of its consistent-hash ring points. Also a bijection. */
uint32_t lb_hash_full(uint32_t h);

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
