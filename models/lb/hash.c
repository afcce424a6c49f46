/* Hash functions of the balancer core and their names.
 *
 * All functions read the key byte by byte (murmur assembles its 4-byte
 * blocks little-endian explicitly), so a hash does not depend on the host's
 * byte order or on the key's alignment: the same scenario balances the same
 * way on every machine. Each is O(len) and allocates nothing.
 */
#include "lbsim/lb_hash.h"

#include <stdio.h>
#include <string.h>

uint32_t lb_hash_sdbm(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 0;
	for (size_t i = 0; i < len; i++)
		h = p[i] + (h << 6) + (h << 16) - h;
	return h;
}

uint32_t lb_hash_djb2(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 5381;
	for (size_t i = 0; i < len; i++)
		h = h * 33 + p[i];
	return h;
}

static inline uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

uint32_t lb_hash_avalanche(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* MurmurHash3_x86_32 (Austin Appleby, public domain), byte-order neutral. */
uint32_t lb_hash_murmur3(const void *key, size_t len, uint32_t seed)
{
	const unsigned char *p = key;
	const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
	uint32_t h = seed;
	size_t nblocks = len / 4;
	for (size_t i = 0; i < nblocks; i++, p += 4) {
		uint32_t k = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
			     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		k *= c1;
		k = rotl32(k, 15);
		k *= c2;
		h ^= k;
		h = rotl32(h, 13);
		h = h * 5 + 0xe6546b64u;
	}
	uint32_t k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)p[2] << 16;
		/* fall through */
	case 2:
		k ^= (uint32_t)p[1] << 8;
		/* fall through */
	case 1:
		k ^= p[0];
		k *= c1;
		k = rotl32(k, 15);
		k *= c2;
		h ^= k;
	}
	h ^= (uint32_t)len;
	return lb_hash_avalanche(h);
}

/* HAProxy's wt6 (src/hash.c): two 32-bit lanes rotated by amounts the
 * input itself chooses. */
uint32_t lb_hash_wt6(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h0 = 0xa53c965au, h1 = 0x5ca6953au, step0 = 6, step1 = 18;
	for (size_t i = 0; i < len; i++) {
		uint32_t t = p[i];
		h0 = ~(h0 ^ t);
		h1 = ~(h1 + t);
		t = (h1 << step0) | (h1 >> ((32 - step0) & 31));
		h1 = (h0 << step1) | (h0 >> ((32 - step1) & 31));
		h0 = t;
		t = ((h0 >> 16) ^ h1) & 0xffff;
		step0 = t & 0x1f;
		step1 = t >> 11;
	}
	return h0 ^ h1;
}

/* CRC-32, polynomial 0xedb88320 reflected, init and final xor ~0: the CRC of
 * Ethernet, zlib, HAProxy's hash_crc32 and NGINX's ngx_crc32_long. Bitwise:
 * the keys are short and the core keeps no table in the cache for it. */
uint32_t lb_hash_crc32_update(uint32_t h, const void *key, size_t len)
{
	const unsigned char *p = key;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		for (int bit = 0; bit < 8; bit++)
			h = (h >> 1) ^ ((h & 1) ? 0xedb88320u : 0);
	}
	return h;
}

uint32_t lb_hash_crc32(const void *key, size_t len)
{
	return ~lb_hash_crc32_update(~0u, key, len);
}

uint32_t lb_hash_full(uint32_t a)
{
	a = (a + 0x7ed55d16u) + (a << 12);
	a = (a ^ 0xc761c23cu) ^ (a >> 19);
	a = (a + 0x165667b1u) + (a << 5);
	a = (a + 0xd3a2646cu) ^ (a << 9);
	a = (a + 0xfd7046c5u) + (a << 3);
	a = (a ^ 0xb55a4f09u) ^ (a >> 16);
	return a * 3221225473u;
}

uint32_t lb_hash_none(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 0;
	for (size_t i = 0; i < len && i < 4; i++)
		h = h << 8 | p[i];
	return h;
}

uint32_t lb_hash_key(uint32_t fn, uint32_t avalanche, const void *key, size_t len)
{
	uint32_t h;
	switch (fn) {
	case LB_HASHFN_SDBM:
		h = lb_hash_sdbm(key, len);
		break;
	case LB_HASHFN_DJB2:
		h = lb_hash_djb2(key, len);
		break;
	case LB_HASHFN_NONE:
		h = lb_hash_none(key, len);
		break;
	case LB_HASHFN_WT6:
		h = lb_hash_wt6(key, len);
		break;
	case LB_HASHFN_CRC32:
		h = lb_hash_crc32(key, len);
		break;
	default:
		h = lb_hash_murmur3(key, len, 0);
		break;
	}
	return avalanche ? lb_hash_avalanche(h) : h;
}

/* ---- names, in the order help and error messages list them ------------- */

const char *const lb_hash_types[LB_HASH_TYPE_COUNT] = {
	[LB_HASH_MAP_BASED] = "map-based",
	[LB_HASH_CONSISTENT] = "consistent",
	[LB_HASH_MAGLEV] = "maglev",
};

const char *const lb_hash_functions[LB_HASHFN_COUNT] = {
	[LB_HASHFN_MURMUR] = "murmur",
	[LB_HASHFN_SDBM] = "sdbm",
	[LB_HASHFN_DJB2] = "djb2",
	[LB_HASHFN_NONE] = "none",
	[LB_HASHFN_WT6] = "wt6",
	[LB_HASHFN_CRC32] = "crc32",
};

/* Index of name in names[0..n), or -1. */
static int find(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* names joined by ", " into buf (truncated to len); returns buf. */
static const char *join(const char *const *names, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

int lb_hash_type_find(const char *name)
{
	return find(lb_hash_types, LB_HASH_TYPE_COUNT, name);
}

int lb_hash_function_find(const char *name)
{
	return find(lb_hash_functions, LB_HASHFN_COUNT, name);
}

const char *lb_hash_type_name(uint32_t type)
{
	return type < LB_HASH_TYPE_COUNT ? lb_hash_types[type] : "?";
}

const char *lb_hash_function_name(uint32_t fn)
{
	return fn < LB_HASHFN_COUNT ? lb_hash_functions[fn] : "?";
}

const char *lb_hash_type_names(char *buf, size_t len)
{
	return join(lb_hash_types, LB_HASH_TYPE_COUNT, buf, len);
}

const char *lb_hash_function_names(char *buf, size_t len)
{
	return join(lb_hash_functions, LB_HASHFN_COUNT, buf, len);
}

/* ---- profiles ------------------------------------------------------------ */

const char *const lb_hash_profiles[LB_PROFILE_COUNT] = {
	[LB_PROFILE_LBSIM] = "lbsim",
	[LB_PROFILE_HAPROXY] = "haproxy",
	[LB_PROFILE_NGINX] = "nginx",
	[LB_PROFILE_IPVS] = "ipvs",
};

int lb_hash_profile_find(const char *name)
{
	return find(lb_hash_profiles, LB_PROFILE_COUNT, name);
}

const char *lb_hash_profile_name(uint32_t profile)
{
	return profile < LB_PROFILE_COUNT ? lb_hash_profiles[profile] : "?";
}

const char *lb_hash_profile_names(char *buf, size_t len)
{
	return join(lb_hash_profiles, LB_PROFILE_COUNT, buf, len);
}

uint32_t lb_hash_profile_default_function(uint32_t profile)
{
	/* HAProxy: "The default function is sdbm" (configuration.txt,
	 * hash-type). */
	return profile == LB_PROFILE_HAPROXY ? LB_HASHFN_SDBM : LB_HASHFN_MURMUR;
}

uint32_t lb_hash_profile_ring_points(uint32_t profile)
{
	switch (profile) {
	case LB_PROFILE_HAPROXY:
		return LB_HAPROXY_RING_POINTS;
	case LB_PROFILE_NGINX:
		return LB_NGINX_RING_POINTS;
	default:
		return LB_RING_DEFAULT_POINTS;
	}
}
