/* Persistence ("stickiness") of the balancer core.
 *
 * A persistence method (source-ip, ssl-session-id, cookie) turns what the
 * balancer sees of a request into a key of at most 32 bytes; a bounded table
 * maps each key to the server that served it. lb_pers_select() joins the two
 * to selection: a known key goes back to its server while that server may
 * take persistent traffic, otherwise the pool's algorithm picks (lb_pick) and
 * the table learns the answer.
 *
 * Methods plug in through struct lb_pers_ops, listed in the ordered registry
 * of models/lb/pers_registry.c: the selection pattern of lb_sel.h, and IPVS's
 * separation of persistence (struct ip_vs_pe) from scheduling.
 *
 * The table (models/lb/pers_table.c) is what a production balancer would
 * use: a chained hash table with a fixed power-of-two number of buckets and a
 * fixed pool of entries, both allocated once at creation, with an intrusive
 * least-recently-used list. Every operation is O(1) expected except
 * lb_pers_table_remove_server (O(size)); memory never grows after creation
 * and is measured from the structures (struct lb_mem).
 *
 * Time: `expire` counts from an entry's last use (HAProxy stick-table
 * `expire`: time since last access). An entry last used at t is valid for
 * now < t + expire and gone at now >= t + expire. Time must not go
 * backwards; a now_ns older than the latest one seen is taken as the latest.
 */
#ifndef LBSIM_LB_PERS_H
#define LBSIM_LB_PERS_H

#include "lbsim/lb.h"
#include "lbsim/lb_sel.h"

#include <stddef.h>
#include <stdint.h>

/* What a method must see beyond lb_sel.h's bits: the cleartext TLS
 * ClientHello (its legacy session id). A layer-4 service can give it, since
 * the ClientHello travels in clear; it is kept in a high bit so that it stays
 * clear of the bits lb_sel.h hands out (the lead may move it into
 * enum lb_need). */
enum { LB_NEED_TLS_HELLO = 1u << 7 };
_Static_assert((LB_NEED_TLS_HELLO & (LB_NEED_SRC_ADDR | LB_NEED_L7)) == 0,
	       "LB_NEED_TLS_HELLO collides with an lb_sel.h need bit");

#define LB_PERS_KEY_MAX 32        /* a TLS session id is at most 32 bytes */
#define LB_PERS_NIL UINT32_MAX    /* "no entry" in the index links below */

/* A key: len bytes of bytes[]; the bytes past len are ignored (they need not
 * be zero: the table reads whole words and masks them off). */
struct lb_pers_key {
	uint8_t len;                      /* 1..LB_PERS_KEY_MAX */
	uint8_t bytes[LB_PERS_KEY_MAX];
};

/* One table entry: 64 bytes, one cache line (the pool is line-aligned).
 * Links are 32-bit indices into the entry pool, not pointers: half the size,
 * and the pool could be moved or shared as it is. */
struct lb_pers_entry {
	uint64_t last_use_ns;
	uint32_t hash;        /* full hash, compared before the key bytes */
	uint32_t server;
	uint32_t chain;       /* next entry of the same bucket, or of the free list */
	uint32_t lru_prev;    /* more recently used neighbour */
	uint32_t lru_next;    /* less recently used neighbour */
	uint8_t key_len;      /* 0: the entry is free */
	uint8_t key[LB_PERS_KEY_MAX];
};

/* What to do with a new key when every entry holds a live one. */
enum lb_pers_full {
	LB_PERS_FULL_LRU = 0,  /* evict the least recently used entry */
	LB_PERS_FULL_REFUSE,   /* store nothing; the request is balanced normally */
};

/* Counters. Invariants (tests check them):
 *   lookups = hits + misses
 *   live entries = inserts - expired - evicted - removed */
struct lb_pers_stats {
	uint64_t lookups;
	uint64_t hits;
	uint64_t misses;       /* including lookups that found an expired entry */
	uint64_t inserts;      /* new entries stored */
	uint64_t updates;      /* stores onto a live key (server changed or confirmed) */
	uint64_t expired;      /* entries freed because they expired */
	uint64_t evicted;      /* live entries pushed out by LB_PERS_FULL_LRU */
	uint64_t refused;      /* stores refused by LB_PERS_FULL_REFUSE */
	uint64_t removed;      /* entries removed with their server */
	uint64_t redispatched; /* lb_pers_select: persisted server unusable, re-picked */
	uint64_t unkeyed;      /* lb_pers_select: request carried no usable key */
	uint64_t nosrv;        /* lb_pers_select: no usable server, request failed */
};

struct lb_pers_table {
	struct lb_pers_entry *entries;   /* capacity entries, 64-byte aligned */
	void *entries_raw;               /* the allocation entries lives in */
	size_t entries_bytes;
	uint32_t *buckets;               /* nbuckets heads of chains */
	uint32_t capacity;
	uint32_t nbuckets;               /* a power of two */
	uint32_t count;                  /* entries in use (live or not yet reclaimed) */
	uint32_t free_head;
	uint32_t lru_head;               /* most recently used */
	uint32_t lru_tail;               /* least recently used */
	enum lb_pers_full full;
	uint64_t expire_ns;              /* 0: entries never expire */
	uint64_t clock_ns;               /* latest now_ns seen */
	uint64_t seed;                   /* hash seed (a secret in production) */
	struct lb_pers_stats stats;
	struct lb_mem mem;
};

/* ---- the table ---------------------------------------------------------- */

/* Bytes a table of capacity entries and nbuckets buckets allocates: the
 * entry pool (plus 63 bytes to align it on a cache line) and the buckets. */
size_t lb_pers_table_bytes(uint32_t capacity, uint32_t nbuckets);

/* Create a table of capacity entries (1..2^31) and nbuckets buckets (a power
 * of two; 0: the smallest power of two >= capacity, load factor <= 1).
 * Returns 0, or -1 on bad arguments or short memory (*t then owns nothing). */
int lb_pers_table_init(struct lb_pers_table *t, uint32_t capacity, uint32_t nbuckets,
		       uint64_t expire_ns, enum lb_pers_full full, uint64_t seed);
void lb_pers_table_free(struct lb_pers_table *t);

/* Find key at now_ns. A live entry is refreshed (last use = now, front of the
 * LRU list) and returned: the pointer is valid until the next call that may
 * change the table. An expired entry is freed and reported as a miss. */
struct lb_pers_entry *lb_pers_table_find(struct lb_pers_table *t,
					 const struct lb_pers_key *key, uint64_t now_ns);

/* lb_pers_table_find returning the server, or -1 on a miss. */
int lb_pers_table_lookup(struct lb_pers_table *t, const struct lb_pers_key *key,
			 uint64_t now_ns);

/* Map key to server at now_ns. Returns 0 when a new entry was stored, 1 when
 * a live entry for key was updated, -1 when nothing was stored (table full
 * under LB_PERS_FULL_REFUSE, or a key of length 0 or > LB_PERS_KEY_MAX).
 * Reclaims up to two expired entries first (amortised expiry), and when full
 * reuses an expired entry before it evicts a live one. */
int lb_pers_table_store(struct lb_pers_table *t, const struct lb_pers_key *key,
			uint32_t server, uint64_t now_ns);

/* Remove every entry of server (it was deleted from the pool). O(capacity).
 * Returns the number removed. */
uint32_t lb_pers_table_remove_server(struct lb_pers_table *t, uint32_t server);

/* Free at most max expired entries at now_ns, oldest first. The LRU list is
 * also the expiry queue (one `expire` for the whole table, so least recently
 * used = soonest to expire): the sweep stops at the first live entry and
 * costs O(entries freed + 1). Returns the number freed. */
uint32_t lb_pers_table_expire(struct lb_pers_table *t, uint64_t now_ns, uint32_t max);

/* Entries in use: live ones plus expired ones not yet reclaimed (sweep first
 * with lb_pers_table_expire for the live figure). */
static inline uint32_t lb_pers_table_count(const struct lb_pers_table *t) { return t->count; }

/* ---- methods ------------------------------------------------------------ */

struct lb_pers_params {
	uint32_t size;           /* maximum entries, >= 1 */
	uint32_t buckets;        /* a power of two; 0: chosen from size */
	uint64_t expire_ns;      /* since last use; 0: never */
	enum lb_pers_full full;
	uint8_t netmask;         /* source-ip: prefix length 1..32; 0 means 32 (IPVS default) */
	uint64_t seed;           /* hash seed */
};

struct lb_persist;

struct lb_pers_ops {
	const char *name;
	const char *description;
	unsigned needs;          /* enum lb_need bits and LB_NEED_TLS_HELLO */
	/* Refuse parameters this method cannot use: 0 or -1. Optional. */
	int (*check_params)(const struct lb_pers_params *params);
	/* Write req's key into *key: 0, or -1 when req carries nothing this
	 * method can stick on (the request is then balanced and not stored).
	 * Required. */
	int (*key)(const struct lb_persist *p, const struct lb_request *req,
		   struct lb_pers_key *key);
};

/* A persistence method with its table: one per virtual service or pool. */
struct lb_persist {
	const struct lb_pers_ops *ops;
	struct lb_pers_params params;
	uint32_t src_mask;       /* source-ip: netmask as a host-order mask */
	struct lb_pers_table table;
};

/* Create p for ops with params. Returns 0, or -1 when the parameters are
 * refused or memory is short (p then owns nothing). */
int lb_persist_init(struct lb_persist *p, const struct lb_pers_ops *ops,
		    const struct lb_pers_params *params);
void lb_persist_free(struct lb_persist *p);

/* A server may keep persistent clients while it is healthy and up or
 * draining: LB_ADMIN_DRAIN "keeps persistent sessions" (lb.h, and HAProxy's
 * drain, which takes no new clients but honours persistence), and a zero
 * weight stops new clients only (HAProxy: weight 0 still accepts persistent
 * connections). Down, maintenance and failed health checks redispatch. */
static inline int lb_pers_server_ok(const struct lb_server *s)
{
	return s->healthy && (s->admin == LB_ADMIN_UP || s->admin == LB_ADMIN_DRAIN);
}

/* Choose a server for req at now_ns, with persistence:
 *  - a known key whose server may keep it (lb_pers_server_ok): that server,
 *    entry refreshed;
 *  - a known key whose server is down, in maintenance or failing its checks:
 *    redispatch: lb_pick, the entry now names the new server,
 *    stats.redispatched and *redispatched set;
 *  - an unknown key: lb_pick and store (which may evict or be refused);
 *  - no key (e.g. no session id): lb_pick, nothing stored, stats.unkeyed.
 * Returns the server index, or -1 when no server is usable (stats.nosrv; the
 * caller fails the request and counts it; a known entry is kept, so the
 * client returns to its server if that one comes back). redispatched may be
 * NULL. */
int lb_pers_select(struct lb_persist *p, struct lb_pool *pool,
		   const struct lb_request *req, uint64_t now_ns, int *redispatched);

/* The server was deleted from the pool: forget its clients. O(size). */
uint32_t lb_pers_server_removed(struct lb_persist *p, uint32_t server);

/* Amortised expiry: free at most max expired entries (see
 * lb_pers_table_expire). */
uint32_t lb_pers_expire(struct lb_persist *p, uint64_t now_ns, uint32_t max);

/* Bytes the table holds, measured from its allocations. */
static inline size_t lb_pers_mem_bytes(const struct lb_persist *p) { return p->table.mem.live; }

/* The registry, in the order help and error messages list it. */
extern const struct lb_pers_ops *const lb_pers_registry[];
extern const size_t lb_pers_registry_len;

/* Find a method by name; NULL when unknown. */
const struct lb_pers_ops *lb_pers_find(const char *name);

/* Write "a, b, c" (the registered names) into buf; returns buf. */
const char *lb_pers_names(char *buf, size_t len);

/* The methods. */
extern const struct lb_pers_ops lb_pers_source_ip;
extern const struct lb_pers_ops lb_pers_ssl_session_id;
extern const struct lb_pers_ops lb_pers_cookie;

#endif
