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
 * use: a fixed pool of entries that never move, an open-addressed index of
 * 64-bit slots over it, and an exact least-recently-used order kept as a log
 * of uses (so that a hit writes nothing but its own entry and the log's
 * tail), all allocated once at creation. Every operation is O(1) expected
 * (the log's compaction amortised) except lb_pers_table_remove_server
 * (O(size)); memory never grows after creation and is measured from the
 * structures (struct lb_mem). The file's opening comment explains the
 * layout and why, from measurements.
 *
 * Time: `expire` counts from an entry's last use (HAProxy stick-table
 * `expire`: time since last access). An entry last used at t is valid for
 * now < t + expire and gone at now >= t + expire. Time must not go
 * backwards; a now_ns older than the latest one seen is taken as the latest.
 */
#ifndef LBSIM_LB_PERS_H
#define LBSIM_LB_PERS_H

#include "lbsim/lb.h"
#include "lbsim/lb_param.h"
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
#define LB_PERS_NIL UINT32_MAX    /* "no entry" in the free list */

/* A key: len bytes of bytes[]; the bytes past len are ignored (they need not
 * be zero: the table reads whole words and masks them off). */
struct lb_pers_key {
	uint8_t len;                      /* 1..LB_PERS_KEY_MAX */
	uint8_t bytes[LB_PERS_KEY_MAX];
};

/* One table entry: 64 bytes, one cache line (the pool is line-aligned), so
 * a lookup reads one line of entries. Entries never move: an index into the
 * pool, and a pointer returned by lb_pers_table_find, name the same entry
 * until it is freed. */
struct lb_pers_entry {
	uint8_t key[LB_PERS_KEY_MAX];  /* zero past key_len (compared word by word) */
	uint64_t last_use_ns;
	uint32_t hash;        /* the key's hash: its index slot and tag */
	uint32_t server;
	uint32_t ring_pos;    /* position of this entry's latest record in the use log */
	uint32_t next_free;   /* free list link, while the entry is free */
	uint8_t key_len;      /* 0: the entry is free */
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
	uint64_t *index;                 /* 2 x nbuckets slots: hash << 32 | (entry + 1); 0 empty */
	uint32_t *ring;                  /* the use log: entry indices, oldest use first */
	uint32_t capacity;
	uint32_t nbuckets;               /* a power of two >= capacity; 2 index slots each */
	uint32_t slot_mask;              /* index slots - 1 */
	uint32_t count;                  /* entries in use (live or not yet reclaimed) */
	uint32_t free_head;              /* entries released, last first (LB_PERS_NIL: none) */
	uint32_t fresh;                  /* entries [fresh, capacity) never used: untouched */
	uint64_t ring_size;              /* 2 x capacity records */
	uint64_t ring_head;              /* oldest record not yet consumed */
	uint64_t ring_tail;              /* where the next record goes */
	uint64_t compactions;            /* times the use log was compacted */
	enum lb_pers_full full;
	uint64_t expire_ns;              /* 0: entries never expire */
	uint64_t clock_ns;               /* latest now_ns seen */
	uint64_t seed;                   /* hash seed (a secret in production) */
	struct lb_pers_stats stats;
	struct lb_mem mem;
};

/* ---- the table ---------------------------------------------------------- */

/* Bytes a table made by lb_pers_table_init(capacity, nbuckets) allocates:
 * 64 per entry, 16 per bucket (two 8-byte index slots) and 8 per entry for
 * the use log (two 4-byte records). nbuckets as lb_pers_table_init takes it. */
size_t lb_pers_table_bytes(uint32_t capacity, uint32_t nbuckets);

/* Create a table of capacity entries (1..2^31) and nbuckets buckets of two
 * index slots each: a power of two; 0 or fewer than capacity: the smallest
 * power of two >= capacity, so the index is at most half full (an
 * open-addressed index must hold every entry, and probes stay short only
 * well below full). Returns 0, LB_EINVAL on bad arguments or LB_ENOMEM on
 * short memory (*t then owns nothing). */
LB_MUST_CHECK int lb_pers_table_init(struct lb_pers_table *t, uint32_t capacity, uint32_t nbuckets,
		       uint64_t expire_ns, enum lb_pers_full full, uint64_t seed);
void lb_pers_table_free(struct lb_pers_table *t);

/* Find key at now_ns. A live entry is refreshed (last use = now, most
 * recently used) and returned: the pointer is valid until the next call that
 * may change the table. An expired entry is freed and reported as a miss. */
struct lb_pers_entry *lb_pers_table_find(struct lb_pers_table *t,
					 const struct lb_pers_key *key, uint64_t now_ns);

/* lb_pers_table_find returning the server, or -1 on a miss. */
int lb_pers_table_lookup(struct lb_pers_table *t, const struct lb_pers_key *key,
			 uint64_t now_ns);

/* n lookups at one instant: servers[k] = lb_pers_table_lookup(t, &keys[k],
 * now_ns), run in order, so results, statistics and the order left behind
 * are exactly those of the n calls (a key may repeat). Faster on a large
 * table: the memory reads of keys a few places ahead are started early
 * (prefetched) so that their cache misses overlap instead of following one
 * another, as a data plane processing a vector of packets would. */
void lb_pers_table_lookup_batch(struct lb_pers_table *t, const struct lb_pers_key *keys,
				size_t n, uint64_t now_ns, int *servers);

/* A hint, no effect on results, for a caller that knows a key before it
 * must look it up: where the lookup will read, the key's hash computed
 * once for both steps (on a layer-7 route the key and its hash cost as
 * much as a step's cache miss at small scale). Step 0 starts loading the
 * key's index slot; step 1, some time later, reads the index slots (in
 * cache by now) and starts loading the entry a lookup will compare, the
 * lookup's second dependent miss. */
struct lb_pers_hint {
	const struct lb_pers_table *table; /* NULL: nothing to fetch (no table, or an invalid key) */
	uint32_t hash;
};
void lb_pers_table_hint(const struct lb_pers_table *t, const struct lb_pers_key *key,
			struct lb_pers_hint *out);
/* Step 0 (the index slot) or 1 (the entry) of the hint h. No effect on results. */
void lb_pers_hint_prefetch(const struct lb_pers_hint *h, unsigned stage);

/* Map key to server at now_ns. Returns 0 when a new entry was stored, 1 when
 * a live entry for key was updated; nothing is stored on LB_EFULL (table
 * full under LB_PERS_FULL_REFUSE) or LB_EINVAL (a key of length 0 or >
 * LB_PERS_KEY_MAX).
 * Reclaims up to two expired entries first (amortised expiry), and when full
 * reuses an expired entry before it evicts a live one. */
LB_MUST_CHECK int lb_pers_table_store(struct lb_pers_table *t, const struct lb_pers_key *key,
			uint32_t server, uint64_t now_ns);

/* Remove every entry of server (it was deleted from the pool). O(capacity).
 * Returns the number removed. */
uint32_t lb_pers_table_remove_server(struct lb_pers_table *t, uint32_t server);

/* Free at most max expired entries at now_ns, oldest first. The LRU order is
 * also the expiry queue (one `expire` for the whole table, so least recently
 * used = soonest to expire): the sweep stops at the first live entry and
 * costs O(entries freed + 1), amortised. Returns the number freed. */
uint32_t lb_pers_table_expire(struct lb_pers_table *t, uint64_t now_ns, uint32_t max);

/* Entries in use: live ones plus expired ones not yet reclaimed (sweep first
 * with lb_pers_table_expire for the live figure). */
static inline uint32_t lb_pers_table_count(const struct lb_pers_table *t) { return t->count; }

/* ---- methods ------------------------------------------------------------ */

/* The largest table a method may ask for: allocated whole when the
 * balancer starts, 10^8 entries are 8.9 GB (88.8 bytes each). */
#define LB_PERS_MAX_SIZE 100000000u

/* Ranges and defaults: lb_pers_params_common (every method) and each
 * method's own table (lb_pers_ops.params). */
struct lb_pers_params {
	uint32_t size;           /* maximum entries */
	uint32_t buckets;        /* a power of two; 0: chosen from size */
	uint64_t expire_ns;      /* since last use; 0: never */
	enum lb_pers_full full;
	uint8_t netmask;         /* source-ip: prefix length; 0 means 32 (IPVS default) */
	uint64_t seed;           /* hash seed */
};

/* The parameters every method takes: size, expire, full. */
extern const struct lb_param lb_pers_params_common[];

struct lb_persist;

struct lb_pers_ops {
	const char *name;
	const char *description;
	unsigned needs;          /* enum lb_need bits and LB_NEED_TLS_HELLO */
	/* The parameters of this method beyond lb_pers_params_common, fields
	 * of struct lb_pers_params (lb_param.h); NULL: none. A parameter no
	 * table of the method declares must stay 0. */
	const struct lb_param *params;
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

/* Check params for ops with the one rule every user of the core shares:
 * the common parameters and the method's own in their declared ranges, no
 * parameter the method does not declare (a netmask given to cookie), and
 * buckets a power of two. NULL when acceptable, else a message in buf;
 * *bad (may be NULL) is the parameter at fault, or NULL. */
const char *lb_pers_check(const struct lb_pers_ops *ops, const struct lb_pers_params *params,
			  char *buf, size_t len, const struct lb_param **bad);

/* The registry as owners of parameter tables (lb_param.h), the common
 * table included. */
extern const struct lb_param_owners lb_pers_owners;

/* Create p for ops with params. Returns 0, LB_EINVAL when the parameters
 * are refused (lb_pers_check) or LB_ENOMEM when memory is short (p then
 * owns nothing). */
LB_MUST_CHECK int lb_persist_init(struct lb_persist *p, const struct lb_pers_ops *ops,
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
