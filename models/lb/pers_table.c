/* The persistence table: a bounded hash table with exact LRU order and
 * expiry, built for lookups at a million entries and more.
 *
 * Why this shape. Once the table outgrows the caches a lookup costs what its
 * dependent cache misses cost: on the machine of issue 3 one miss (a load
 * whose address comes from the previous load) takes 170-210 ns, while
 * independent loads overlap and cost about 15 ns each. The earlier chained
 * table paid a bucket miss, 1.5 entries, and on every hit read and wrote the
 * two LRU neighbours of the entry (random lines again). So this table
 *  - reads one index line and then only the entry whose tag matches: two
 *    dependent misses, the least an index over fixed entries can do;
 *  - writes, on a hit, nothing but that entry and the tail of a sequential
 *    log (in cache), yet keeps exact LRU order;
 *  - lets a caller with several keys overlap their misses
 *    (lb_pers_table_lookup_batch), which is where a data plane processing
 *    packet vectors gets its throughput: no layout makes one lookup cheaper
 *    than the misses it depends on.
 *
 * Layout. Three arrays, mapped once at creation and never resized (large
 * ones on 2 MiB boundaries and advised as transparent huge pages, which cuts
 * the TLB misses that a random access pays on top of the cache miss), and
 * resident only where used:
 *   entries[capacity]   64-byte entries, one cache line each: key, server,
 *                       last use, hash, log position. They never move; a
 *                       free entry has key_len 0 and sits on a free list,
 *                       or has never been used (index fresh and above).
 *   index[2 x nbuckets] 64-bit slots, hash << 32 | (entry + 1), 0 = empty;
 *                       open addressing with linear probing from slot
 *                       hash & mask, at most half full. A probe compares the
 *                       32-bit tag in the slot and reads an entry only when
 *                       it matches (a false match costs one extra entry; with
 *                       2^21 slots and 11 tag bits beyond the slot number it
 *                       happens in well under 0.1% of lookups). Removal
 *                       shifts the rest of the cluster back (no tombstones,
 *                       so probes never lengthen with churn); slots move,
 *                       entries do not. The home slot of any slot is read
 *                       from its tag, so the shift touches only the index.
 *   ring[2 x capacity]  the use log: each insert and each use appends the
 *                       entry's number; the entry remembers where its latest
 *                       record is (ring_pos). A record is valid iff its entry
 *                       is in use and entry.ring_pos is the record's position.
 * Memory: 64 x capacity + 16 x nbuckets + 8 x capacity bytes, whatever the
 * traffic: about 89 bytes per entry at 1,000,000 (the cost model reads it
 * from struct lb_mem).
 *
 * Order. Uses happen in time order and each appends a record, so the valid
 * records, read from the head, are the entries in use from least to most
 * recently used: exact LRU without touching neighbours ("lazy promotion").
 * Eviction and the expiry sweep take the first valid record from the head,
 * discarding stale ones (each record is discarded at most once). Because the
 * table has one `expire` and time does not go backwards, this order is also
 * the order of expiry: expired entries gather at the head, and reclaiming
 * them never scans a live entry. When the log is full it is compacted in
 * place: the valid records (at most capacity) move to the front in the same
 * order, and their entries learn their new positions. A compaction costs
 * O(log size) and leaves at least capacity free records, so it is amortised
 * O(1) per use (two entry reads per use at most, independent ones that
 * overlap, prefetched).
 *
 * Why positions and not use counters ("stamps"): a record could carry the
 * entry and a 32-bit use count, valid while the entry's count matches. But a
 * record may stay valid for any number of uses of other entries, and once
 * the counter wrapped, a stale record could match a later use of its entry
 * and put it back in the wrong place. A position is unique in the log while
 * the record lives, is reset by each compaction, and never exceeds the log
 * size (<= 2^32), so it cannot wrap; and the record shrinks to the entry's
 * number, 4 bytes.
 *
 * Cost per operation: lookup O(1) expected (probe length ~1.5 at half full);
 * a batch of n lookups O(n); store the same plus at most three head
 * reclaims; the expiry sweep O(entries freed) amortised; compaction
 * amortised O(1); remove by server O(capacity), a rare administrative event.
 * Measured at 1,000,000 entries (bench_core_pers, README): a single hit
 * costs one to two misses' time, as the two dependent misses allow; in
 * batches, the misses overlap and a hit costs well under one miss.
 */
/* madvise, MADV_HUGEPAGE and MAP_ANONYMOUS are not POSIX; glibc declares
 * them with _DEFAULT_SOURCE. They live in libc, so the core still needs
 * nothing else. */
#define _DEFAULT_SOURCE 1

#include "lbsim/lb_pers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_PAGE (2u << 20) /* a transparent huge page on x86-64 and arm64/4K */
#define SWEEP_ON_STORE 2u
#define RING_PER_ENTRY 2u    /* log records per entry: a compaction frees >= half the log */
#define BATCH_AHEAD 8u       /* keys between prefetching a key's entry and its lookup */
#define BATCH_WINDOW 32u     /* > 2 x BATCH_AHEAD: hashes kept in flight */
#define COMPACT_AHEAD 32u    /* records between prefetching an entry and checking it */
#define BATCH_CACHED (256u << 10) /* entries + index up to this fit a core's L2: no prefetch */

_Static_assert(sizeof(struct lb_pers_entry) == 64, "a table entry should fill one cache line");
_Static_assert((BATCH_WINDOW & (BATCH_WINDOW - 1)) == 0 && BATCH_WINDOW > 2 * BATCH_AHEAD,
	       "the batch window is a power of two holding both prefetch stages");

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch((p), 0, 3)
#define PREFETCH_W(p) __builtin_prefetch((p), 1, 3)
#else
#define PREFETCH(p) ((void)(p))
#define PREFETCH_W(p) ((void)(p))
#endif

/* ---- sizes and memory ---------------------------------------------------- */

/* Buckets as lb_pers_table_init uses them: fewer than capacity are raised,
 * since the index must hold every entry with room to spare. */
static uint32_t buckets_for(uint32_t capacity, uint32_t nbuckets)
{
	uint32_t min = 1;
	while (min < capacity)
		min <<= 1;
	return nbuckets > min ? nbuckets : min;
}

static size_t entries_bytes(uint32_t capacity) { return (size_t)capacity * sizeof(struct lb_pers_entry); }
static size_t index_bytes(uint32_t nbuckets) { return (size_t)nbuckets * 2 * sizeof(uint64_t); }
static size_t ring_bytes(uint32_t capacity) { return (size_t)capacity * RING_PER_ENTRY * sizeof(uint32_t); }

size_t lb_pers_table_bytes(uint32_t capacity, uint32_t nbuckets)
{
	return entries_bytes(capacity) + index_bytes(buckets_for(capacity, nbuckets)) +
	       ring_bytes(capacity);
}

/* Zeroed memory, accounted in mem, mapped from the kernel (mmap and
 * munmap are libc): it stays unresident until used, so a table sized for a
 * million users that sees a thousand costs what it holds (the l7 design
 * has a table per workload, most of them idle: at 1,000,000 users their
 * memset made gigabytes resident, issue 19 item 5). An array of a huge
 * page or more is aligned on one and advised as huge pages (THP in
 * "madvise" mode only backs advised ranges): a random access then misses
 * the TLB far less often. Smaller ones are page-aligned, so every entry
 * fills one cache line. */
static size_t map_bytes(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (size ? size + page - 1 : page) / page * page;
}

static void *big_alloc(struct lb_mem *mem, size_t size)
{
	size_t len = map_bytes(size);
	size_t slack = len >= HUGE_PAGE ? HUGE_PAGE : 0;
	if (len + slack < len)
		return NULL;
	char *raw = mmap(NULL, len + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	char *p = raw;
	if (slack) {
		/* Keep the huge-page-aligned len bytes; give back the rest. */
		p = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
		if (p > raw)
			(void)munmap(raw, (size_t)(p - raw));
		if (raw + len + slack > p + len)
			(void)munmap(p + len, (size_t)(raw + len + slack - (p + len)));
#ifdef MADV_HUGEPAGE
		(void)madvise(p, len, MADV_HUGEPAGE); /* advice: failure is harmless */
#endif
	}
	mem->live += size;
	if (mem->live > mem->peak)
		mem->peak = mem->live;
	return p;
}

/* Give back what big_alloc(mem, size) returned (NULL: nothing). */
static void big_free(struct lb_mem *mem, void *p, size_t size)
{
	if (!p)
		return;
	(void)munmap(p, map_bytes(size));
	mem->live -= size;
}

/* ---- keys ---------------------------------------------------------------- */

/* 64-bit finalizer of MurmurHash3 (fmix64): every input bit reaches every
 * output bit, so probes stay short even for keys that differ in few bits
 * (neighbouring /24 networks, counters in cookie values). */
static inline uint64_t fmix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The key's 8-byte word at off with the bytes past len cleared. Reading a
 * whole word is safe: keys and entries keep their bytes in 32-byte buffers,
 * and off + 8 <= 32. Whole-word loads matter: a variable-length memcpy of
 * the tail compiles to byte stores and a word reload that stalls on store
 * forwarding, which cost more than the rest of a cached lookup. */
static inline uint64_t key_word(const uint8_t *bytes, unsigned off, unsigned len)
{
	uint64_t w;
	memcpy(&w, bytes + off, 8);
	if (off + 8 > len) {
		unsigned drop = 8 * (off + 8 - len); /* 8..56 bits past the key */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w &= ~0ULL << drop;
#else
		w &= ~0ULL >> drop;
#endif
	}
	return w;
}

/* Hash of a key of 1..32 bytes: 8-byte words folded by multiply-rotate, then
 * finalized. Seeded so that a production table can use a secret seed against
 * chosen-key flooding. */
static uint32_t key_hash(uint64_t seed, const struct lb_pers_key *key)
{
	uint64_t h = seed ^ ((uint64_t)key->len * 0x9e3779b97f4a7c15ULL);
	for (unsigned off = 0; off < key->len; off += 8) {
		uint64_t w = key_word(key->bytes, off, key->len) * 0x87c37b91114253d5ULL;
		h ^= (w << 31) | (w >> 33);
		h = ((h << 27) | (h >> 37)) * 5 + 0x52dce729;
	}
	return (uint32_t)fmix64(h);
}

/* Stored keys are zero past their length, so only the lookup side needs
 * masking. */
static inline int key_equal(const struct lb_pers_entry *e, const struct lb_pers_key *key)
{
	if (e->key_len != key->len)
		return 0;
	for (unsigned off = 0; off < key->len; off += 8) {
		uint64_t a;
		memcpy(&a, e->key + off, 8);
		if (a != key_word(key->bytes, off, key->len))
			return 0;
	}
	return 1;
}

/* Store key in e, zero-padded to the full 32 bytes (key_equal relies on it). */
static inline void key_copy(struct lb_pers_entry *e, const struct lb_pers_key *key)
{
	e->key_len = key->len;
	for (unsigned off = 0; off < LB_PERS_KEY_MAX; off += 8) {
		uint64_t w = off < key->len ? key_word(key->bytes, off, key->len) : 0;
		memcpy(e->key + off, &w, 8);
	}
}

/* Keys of 1..LB_PERS_KEY_MAX bytes; length 0 marks a free entry. */
static inline int key_valid(const struct lb_pers_key *key)
{
	return key && key->len > 0 && key->len <= LB_PERS_KEY_MAX;
}

/* ---- time ---------------------------------------------------------------- */

/* Entry e, last used at last_use_ns, is dead at now from last_use + expire
 * on (the boundary instant included). */
static inline int entry_expired(const struct lb_pers_table *t,
				const struct lb_pers_entry *e, uint64_t now)
{
	/* now >= last_use always (see advance()), so no underflow. */
	return t->expire_ns != 0 && now - e->last_use_ns >= t->expire_ns;
}

/* The table's clock: time never goes backwards inside the table, so that the
 * use log stays sorted by last use. */
static inline uint64_t advance(struct lb_pers_table *t, uint64_t now)
{
	if (now < t->clock_ns)
		return t->clock_ns;
	t->clock_ns = now;
	return now;
}

/* ---- the index ----------------------------------------------------------- */

static inline uint64_t slot_make(uint32_t hash, uint32_t i)
{
	return (uint64_t)hash << 32 | (i + 1);
}

static inline uint32_t slot_hash(uint64_t slot) { return (uint32_t)(slot >> 32); }
static inline uint32_t slot_entry(uint64_t slot) { return (uint32_t)slot - 1; }

/* The entry holding key (hash h), LB_PERS_NIL when absent; *slotp receives
 * its slot. Ends at the first empty slot: the index is never full, and
 * removal leaves no hole inside a cluster. */
static inline uint32_t index_find(const struct lb_pers_table *t, const struct lb_pers_key *key,
				  uint32_t h, uint32_t *slotp)
{
	for (uint32_t s = h & t->slot_mask;; s = (s + 1) & t->slot_mask) {
		uint64_t v = t->index[s];
		if (v == 0)
			return LB_PERS_NIL;
		if (slot_hash(v) == h && key_equal(&t->entries[slot_entry(v)], key)) {
			*slotp = s;
			return slot_entry(v);
		}
	}
}

/* Put entry i (hash h, not in the index) in the first empty slot of its
 * probe sequence. */
static void index_insert(struct lb_pers_table *t, uint32_t h, uint32_t i)
{
	uint32_t s = h & t->slot_mask;
	while (t->index[s] != 0)
		s = (s + 1) & t->slot_mask;
	t->index[s] = slot_make(h, i);
}

/* Empty slot hole by backward shift: each later slot s of the cluster whose
 * home does not lie in (hole, s] moves into the hole, which then moves on to
 * s, so every remaining key stays reachable from its home with no gap. */
static void index_delete_at(struct lb_pers_table *t, uint32_t hole)
{
	const uint32_t mask = t->slot_mask;
	for (uint32_t s = (hole + 1) & mask; t->index[s] != 0; s = (s + 1) & mask) {
		uint32_t home = slot_hash(t->index[s]) & mask;
		if (((s - home) & mask) >= ((s - hole) & mask)) {
			t->index[hole] = t->index[s];
			hole = s;
		}
	}
	t->index[hole] = 0;
}

/* Take entry i out of the index (for callers that do not know its slot). */
static void index_delete(struct lb_pers_table *t, uint32_t i)
{
	uint32_t s = t->entries[i].hash & t->slot_mask;
	while (t->index[s] != slot_make(t->entries[i].hash, i))
		s = (s + 1) & t->slot_mask;
	index_delete_at(t, s);
}

/* ---- the use log --------------------------------------------------------- */

static inline int record_valid(const struct lb_pers_table *t, uint64_t pos)
{
	const struct lb_pers_entry *e = &t->entries[t->ring[pos]];
	return e->key_len != 0 && e->ring_pos == (uint32_t)pos;
}

/* Keep the valid records, in order, at the front of the log, and tell their
 * entries where they went. Reading each record's entry is a random access,
 * but they are independent: prefetching a few ahead overlaps them. */
static void ring_compact(struct lb_pers_table *t)
{
	uint64_t k = 0;
	for (uint64_t p = t->ring_head; p < t->ring_tail; p++) {
		if (p + COMPACT_AHEAD < t->ring_tail)
			PREFETCH_W(&t->entries[t->ring[p + COMPACT_AHEAD]]);
		if (!record_valid(t, p))
			continue;
		uint32_t i = t->ring[p];
		t->ring[k] = i;
		t->entries[i].ring_pos = (uint32_t)k;
		k++;
	}
	t->ring_head = 0;
	t->ring_tail = k;
	t->compactions++;
}

/* Entry i (in use) was just inserted or used: it becomes the most recently
 * used. Nothing to do when the last record is already its own (a key used
 * twice in a row, or an entry freed and at once reused): that record is at
 * the most recent end and becomes valid again as it is. */
static inline void ring_touch(struct lb_pers_table *t, uint32_t i)
{
	struct lb_pers_entry *e = &t->entries[i];
	if (t->ring_tail > t->ring_head && t->ring[t->ring_tail - 1] == i &&
	    e->ring_pos == t->ring_tail - 1)
		return;
	if (t->ring_tail == t->ring_size)
		ring_compact(t); /* leaves >= ring_size - capacity free records */
	e->ring_pos = (uint32_t)t->ring_tail;
	t->ring[t->ring_tail++] = i;
}

/* The least recently used entry in use, LB_PERS_NIL when none; discards the
 * stale records in front of it. */
static uint32_t ring_oldest(struct lb_pers_table *t)
{
	while (t->ring_head < t->ring_tail) {
		if (record_valid(t, t->ring_head))
			return t->ring[t->ring_head];
		t->ring_head++;
	}
	return LB_PERS_NIL;
}

/* ---- entries ------------------------------------------------------------- */

/* Return entry i, out of the index, to the free list. Its log record turns
 * stale by itself (key_len 0). */
static void entry_release(struct lb_pers_table *t, uint32_t i)
{
	struct lb_pers_entry *e = &t->entries[i];
	e->key_len = 0;
	e->next_free = t->free_head;
	t->free_head = i;
	t->count--;
}

/* Free the oldest entry in use, the one ring_oldest just returned. */
static void entry_drop_oldest(struct lb_pers_table *t, uint32_t i)
{
	t->ring_head++;
	index_delete(t, i);
	entry_release(t, i);
}

/* Entry i was found for a use at now: refresh it. */
static inline void entry_use(struct lb_pers_table *t, uint32_t i, uint64_t now)
{
	t->entries[i].last_use_ns = now;
	ring_touch(t, i);
}

/* ---- creation -------------------------------------------------------------- */

int lb_pers_table_init(struct lb_pers_table *t, uint32_t capacity, uint32_t nbuckets,
		       uint64_t expire_ns, enum lb_pers_full full, uint64_t seed)
{
	memset(t, 0, sizeof *t);
	if (capacity == 0 || capacity > (1u << 31))
		return LB_EINVAL;
#if SIZE_MAX <= UINT32_MAX
	/* A 32-bit size_t cannot describe a pool of 2^31 entries. */
	if (capacity > SIZE_MAX / sizeof(struct lb_pers_entry) ||
	    buckets_for(capacity, nbuckets) > SIZE_MAX / 16)
		return LB_ENOMEM;
#endif
	if (full != LB_PERS_FULL_LRU && full != LB_PERS_FULL_REFUSE)
		return LB_EINVAL;
	if (nbuckets & (nbuckets - 1))
		return LB_EINVAL;
	nbuckets = buckets_for(capacity, nbuckets);

	t->capacity = capacity;
	t->nbuckets = nbuckets;
	t->entries = big_alloc(&t->mem, entries_bytes(capacity));
	t->index = big_alloc(&t->mem, index_bytes(nbuckets));
	t->ring = big_alloc(&t->mem, ring_bytes(capacity));
	if (!t->entries || !t->index || !t->ring) {
		lb_pers_table_free(t);
		memset(t, 0, sizeof *t);
		return LB_ENOMEM;
	}
	/* 2 x nbuckets <= 2^32 slots, so the mask fits in 32 bits. */
	t->slot_mask = (uint32_t)((uint64_t)nbuckets * 2 - 1);
	t->ring_size = (uint64_t)capacity * RING_PER_ENTRY;
	/* Entries are taken from those released, the last first, then from
	 * the untouched ones in index order (the order a free list of all of
	 * them in index order would give, without writing to every entry at
	 * creation), so runs are reproducible entry for entry. */
	t->free_head = LB_PERS_NIL;
	t->fresh = 0;
	t->expire_ns = expire_ns;
	t->full = full;
	t->seed = seed;
	return 0;
}

void lb_pers_table_free(struct lb_pers_table *t)
{
	big_free(&t->mem, t->ring, ring_bytes(t->capacity));
	big_free(&t->mem, t->index, index_bytes(t->nbuckets));
	big_free(&t->mem, t->entries, entries_bytes(t->capacity));
	struct lb_mem mem = t->mem;
	memset(t, 0, sizeof *t);
	t->mem = mem; /* live is back to 0; peak stays readable */
}

/* ---- lookups ------------------------------------------------------------- */

/* lb_pers_table_find with the key's hash h already computed (any value when
 * the key is invalid). */
static struct lb_pers_entry *find_hashed(struct lb_pers_table *t, const struct lb_pers_key *key,
					 uint32_t h, uint64_t now_ns)
{
	t->stats.lookups++;
	if (!key_valid(key)) {
		t->stats.misses++;
		return NULL;
	}
	uint64_t now = advance(t, now_ns);
	uint32_t s;
	uint32_t i = index_find(t, key, h, &s);
	if (i == LB_PERS_NIL) {
		t->stats.misses++;
		return NULL;
	}
	struct lb_pers_entry *e = &t->entries[i];
	if (entry_expired(t, e, now)) {
		index_delete_at(t, s);
		entry_release(t, i);
		t->stats.expired++;
		t->stats.misses++;
		return NULL;
	}
	entry_use(t, i, now);
	t->stats.hits++;
	return e;
}

struct lb_pers_entry *lb_pers_table_find(struct lb_pers_table *t,
					 const struct lb_pers_key *key, uint64_t now_ns)
{
	return find_hashed(t, key, key_valid(key) ? key_hash(t->seed, key) : 0, now_ns);
}

int lb_pers_table_lookup(struct lb_pers_table *t, const struct lb_pers_key *key,
			 uint64_t now_ns)
{
	const struct lb_pers_entry *e = lb_pers_table_find(t, key, now_ns);
	return e ? (int)e->server : -1;
}

/* Start loading the entry the index names for hash h, reading the index
 * slot (prefetched earlier, so in cache by now if all went well). Only the
 * first tag match is taken: a false match means a miss later, nothing
 * worse. */
static inline void prefetch_entry(const struct lb_pers_table *t, uint32_t h)
{
	for (uint32_t s = h & t->slot_mask;; s = (s + 1) & t->slot_mask) {
		uint64_t v = t->index[s];
		if (v == 0)
			return;
		if (slot_hash(v) == h) {
			PREFETCH_W(&t->entries[slot_entry(v)]);
			return;
		}
	}
}

void lb_pers_table_hint(const struct lb_pers_table *t, const struct lb_pers_key *key,
			struct lb_pers_hint *out)
{
	int ok = key_valid(key);
	*out = (struct lb_pers_hint){.table = ok ? t : NULL, .hash = ok ? key_hash(t->seed, key) : 0};
}

void lb_pers_hint_prefetch(const struct lb_pers_hint *h, unsigned stage)
{
	if (!h->table)
		return;
	if (stage == 0)
		PREFETCH(&h->table->index[h->hash & h->table->slot_mask]);
	else
		prefetch_entry(h->table, h->hash);
}

/* A software pipeline over the keys: key k + 2A is hashed and its index line
 * requested, key k + A's index slot is read and its entry requested, and key
 * k is looked up for real, by the sequential code, so the results are those
 * of n lookups in order whatever the prefetches found (an earlier lookup of
 * the batch may have changed the index since). Hashes wait in a small
 * window; an invalid key gets no prefetch. */
void lb_pers_table_lookup_batch(struct lb_pers_table *t, const struct lb_pers_key *keys,
				size_t n, uint64_t now_ns, int *servers)
{
	const size_t A = BATCH_AHEAD, W = BATCH_WINDOW;
	if (entries_bytes(t->capacity) + index_bytes(t->nbuckets) <= BATCH_CACHED) {
		/* Nothing to overlap: the prefetch stages would only add work. */
		for (size_t k = 0; k < n; k++)
			servers[k] = lb_pers_table_lookup(t, &keys[k], now_ns);
		return;
	}
	uint32_t hash[BATCH_WINDOW];
	for (size_t k = 0; k < n + 2 * A; k++) {
		size_t far = k, near = k - A, cur = k - 2 * A; /* wrap below 0: skipped */
		if (far < n) {
			int ok = key_valid(&keys[far]);
			hash[far & (W - 1)] = ok ? key_hash(t->seed, &keys[far]) : 0;
			if (ok)
				PREFETCH(&t->index[hash[far & (W - 1)] & t->slot_mask]);
		}
		if (k >= A && near < n && key_valid(&keys[near]))
			prefetch_entry(t, hash[near & (W - 1)]);
		if (k < 2 * A || cur >= n)
			continue;
		const struct lb_pers_entry *e = find_hashed(t, &keys[cur], hash[cur & (W - 1)], now_ns);
		servers[cur] = e ? (int)e->server : -1;
	}
}

/* ---- changes ------------------------------------------------------------- */

uint32_t lb_pers_table_expire(struct lb_pers_table *t, uint64_t now_ns, uint32_t max)
{
	uint64_t now = advance(t, now_ns);
	uint32_t n = 0;
	while (n < max) {
		uint32_t i = ring_oldest(t);
		if (i == LB_PERS_NIL || !entry_expired(t, &t->entries[i], now))
			break;
		entry_drop_oldest(t, i);
		t->stats.expired++;
		n++;
	}
	return n;
}

/* The table is full: free the least recently used entry, counted as expired
 * when it is, else as evicted. Returns 0, or LB_EFULL when
 * LB_PERS_FULL_REFUSE keeps a live one. */
static int make_room(struct lb_pers_table *t, uint64_t now)
{
	uint32_t victim = ring_oldest(t); /* the table is full: it exists */
	if (entry_expired(t, &t->entries[victim], now)) {
		t->stats.expired++;
	} else if (t->full == LB_PERS_FULL_REFUSE) {
		t->stats.refused++;
		return LB_EFULL;
	} else {
		t->stats.evicted++;
	}
	entry_drop_oldest(t, victim);
	return 0;
}

int lb_pers_table_store(struct lb_pers_table *t, const struct lb_pers_key *key,
			uint32_t server, uint64_t now_ns)
{
	if (!key_valid(key))
		return LB_EINVAL;
	uint64_t now = advance(t, now_ns);
	uint32_t h = key_hash(t->seed, key);
	/* A new key will look at the least recently used entry (to sweep it
	 * or evict it): start loading it now, alongside the index probe, rather
	 * than after it. */
	if (t->ring_head < t->ring_tail)
		PREFETCH_W(&t->entries[t->ring[t->ring_head]]);
	uint32_t s;
	uint32_t i = index_find(t, key, h, &s);
	if (i != LB_PERS_NIL) {
		struct lb_pers_entry *e = &t->entries[i];
		int live = !entry_expired(t, e, now);
		if (live) {
			t->stats.updates++;
		} else {
			/* The old entry is dead: account for it as expired and
			 * reuse it for the new mapping. */
			t->stats.expired++;
			t->stats.inserts++;
		}
		e->server = server;
		entry_use(t, i, now);
		return live ? 1 : 0;
	}

	/* Amortised expiry: each store reclaims a little, so expired entries
	 * do not linger in the count while the table is far from full. */
	(void)lb_pers_table_expire(t, now, SWEEP_ON_STORE);
	int err;
	if (t->free_head == LB_PERS_NIL && t->fresh == t->capacity &&
	    (err = make_room(t, now)) < 0)
		return err;

	struct lb_pers_entry *e;
	if (t->free_head != LB_PERS_NIL) {
		i = t->free_head;
		e = &t->entries[i];
		t->free_head = e->next_free;
	} else {
		i = t->fresh++;
		e = &t->entries[i];
	}
	t->count++;
	e->hash = h;
	e->server = server;
	key_copy(e, key);
	index_insert(t, h, i);
	entry_use(t, i, now);
	t->stats.inserts++;
	return 0;
}

uint32_t lb_pers_table_remove_server(struct lb_pers_table *t, uint32_t server)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < t->fresh && t->count > 0; i++) { /* the rest never used */
		if (t->entries[i].key_len == 0 || t->entries[i].server != server)
			continue;
		index_delete(t, i);
		entry_release(t, i);
		n++;
	}
	t->stats.removed += n;
	return n;
}
