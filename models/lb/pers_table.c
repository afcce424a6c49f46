/* The persistence table: a bounded hash table with LRU order and expiry.
 *
 * Layout. Two arrays allocated once at creation and never resized:
 *   buckets[nbuckets]    uint32_t index of the first entry of each chain
 *   entries[capacity]    64-byte entries (one cache line each, the pool is
 *                        aligned on 64 bytes), holding the key, the server,
 *                        the last use, the chain link and the LRU links.
 * Links are 32-bit indices (LB_PERS_NIL for none). A free entry has
 * key_len 0 and sits on a free list threaded through its chain field.
 * Memory is therefore capacity * 64 + 63 + nbuckets * 4 bytes, whatever the
 * traffic: the figure the balancer cost model charges.
 *
 * Order. A doubly linked list runs through every entry in use, most
 * recently used first. Each hit moves its entry to the front, so the tail is
 * the least recently used entry: the one LB_PERS_FULL_LRU evicts. Because
 * the whole table has one `expire` and time does not go backwards, the same
 * list is sorted by last use, so it is also the expiry queue: expired
 * entries gather at the tail, and reclaiming them never scans a live entry.
 * (HAProxy's stick tables keep a separate expiry tree because their entries
 * may carry different expiry dates; with one date the list suffices.)
 *
 * Cost per operation, with load factor a = entries / buckets (<= 1 when
 * buckets are chosen from the capacity): lookup O(1 + a) expected; store the
 * same plus at most three tail reclaims; the expiry sweep O(entries freed);
 * remove by server O(capacity), a rare administrative event.
 *
 * In cache misses, which is what a lookup costs once the table outgrows the
 * caches: a hit reads the bucket, then the entry (1.5 entries on average at
 * load factor 1, since chains are Poisson), two dependent misses. It then
 * writes the LRU links of its two neighbours; those are stores, mostly off
 * the lookup's critical path, the price of exact LRU order (memcached moves
 * an item at most once a minute instead; the tests hold this table to exact
 * LRU). A layout with entries inline in an open-addressed array would save
 * the bucket miss at about twice the memory per entry.
 */
#include "lbsim/lb_pers.h"

#include <string.h>

#define ALIGN 64u
#define SWEEP_ON_STORE 2u

_Static_assert(sizeof(struct lb_pers_entry) == 64, "a table entry should fill one cache line");

size_t lb_pers_table_bytes(uint32_t capacity, uint32_t nbuckets)
{
	return (size_t)capacity * sizeof(struct lb_pers_entry) + (ALIGN - 1) +
	       (size_t)nbuckets * sizeof(uint32_t);
}

/* 64-bit finalizer of MurmurHash3 (fmix64): every input bit reaches every
 * output bit, so chains stay short even for keys that differ in few bits
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

/* Entry e, last used at last_use_ns, is dead at now from last_use + expire
 * on (the boundary instant included). */
static inline int entry_expired(const struct lb_pers_table *t,
				const struct lb_pers_entry *e, uint64_t now)
{
	/* now >= last_use always (see advance()), so no underflow. */
	return t->expire_ns != 0 && now - e->last_use_ns >= t->expire_ns;
}

/* The table's clock: time never goes backwards inside the table, so that the
 * LRU list stays sorted by last use. */
static inline uint64_t advance(struct lb_pers_table *t, uint64_t now)
{
	if (now < t->clock_ns)
		return t->clock_ns;
	t->clock_ns = now;
	return now;
}

/* Take entry i (in use) out of the LRU list, fixing both neighbours. */
static inline void lru_unlink(struct lb_pers_table *t, uint32_t i)
{
	struct lb_pers_entry *e = &t->entries[i];
	if (e->lru_prev != LB_PERS_NIL)
		t->entries[e->lru_prev].lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next != LB_PERS_NIL)
		t->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
}

/* Put entry i (not on the list) at the most recently used end. */
static inline void lru_push_front(struct lb_pers_table *t, uint32_t i)
{
	struct lb_pers_entry *e = &t->entries[i];
	e->lru_prev = LB_PERS_NIL;
	e->lru_next = t->lru_head;
	if (t->lru_head != LB_PERS_NIL)
		t->entries[t->lru_head].lru_prev = i;
	else
		t->lru_tail = i;
	t->lru_head = i;
}

/* Entry i was just used: move it to the front (free if it is there). */
static inline void lru_touch(struct lb_pers_table *t, uint32_t i)
{
	if (t->lru_head == i)
		return;
	lru_unlink(t, i);
	lru_push_front(t, i);
}

/* Remove entry i from its chain; the chains are short (load factor <= 1),
 * so walking from the bucket head costs about one entry. */
static void chain_unlink(struct lb_pers_table *t, uint32_t i)
{
	uint32_t *link = &t->buckets[t->entries[i].hash & (t->nbuckets - 1)];
	while (*link != i)
		link = &t->entries[*link].chain;
	*link = t->entries[i].chain;
}

/* Return entry i, already out of its chain and the LRU list, to the free
 * list. */
static void entry_release(struct lb_pers_table *t, uint32_t i)
{
	struct lb_pers_entry *e = &t->entries[i];
	e->key_len = 0;
	e->chain = t->free_head;
	t->free_head = i;
	t->count--;
}

/* Take entry i out of the table entirely (chain, LRU list) and free it. */
static void entry_drop(struct lb_pers_table *t, uint32_t i)
{
	chain_unlink(t, i);
	lru_unlink(t, i);
	entry_release(t, i);
}

int lb_pers_table_init(struct lb_pers_table *t, uint32_t capacity, uint32_t nbuckets,
		       uint64_t expire_ns, enum lb_pers_full full, uint64_t seed)
{
	memset(t, 0, sizeof *t);
	if (capacity == 0 || capacity > (1u << 31))
		return -1;
#if SIZE_MAX <= UINT32_MAX
	/* A 32-bit size_t cannot describe a pool of 2^31 entries. */
	if (capacity > (SIZE_MAX - ALIGN) / sizeof(struct lb_pers_entry))
		return -1;
#endif
	if (full != LB_PERS_FULL_LRU && full != LB_PERS_FULL_REFUSE)
		return -1;
	if (nbuckets == 0) {
		nbuckets = 1;
		while (nbuckets < capacity)
			nbuckets <<= 1;
	}
	if (nbuckets & (nbuckets - 1))
		return -1;

	t->entries_bytes = (size_t)capacity * sizeof(struct lb_pers_entry) + (ALIGN - 1);
	t->entries_raw = lb_mem_alloc(&t->mem, t->entries_bytes);
	if (!t->entries_raw)
		goto fail;
	t->buckets = lb_mem_alloc(&t->mem, (size_t)nbuckets * sizeof *t->buckets);
	if (!t->buckets)
		goto fail;

	uintptr_t raw = (uintptr_t)t->entries_raw;
	t->entries = (struct lb_pers_entry *)((raw + (ALIGN - 1)) & ~(uintptr_t)(ALIGN - 1));
	for (uint32_t b = 0; b < nbuckets; b++)
		t->buckets[b] = LB_PERS_NIL;
	/* Free list in index order, so runs are reproducible entry for entry. */
	for (uint32_t i = 0; i < capacity; i++)
		t->entries[i].chain = i + 1 < capacity ? i + 1 : LB_PERS_NIL;
	t->free_head = 0;
	t->lru_head = t->lru_tail = LB_PERS_NIL;
	t->capacity = capacity;
	t->nbuckets = nbuckets;
	t->expire_ns = expire_ns;
	t->full = full;
	t->seed = seed;
	return 0;

fail:
	lb_mem_free(&t->mem, t->entries_raw, t->entries_bytes);
	memset(t, 0, sizeof *t);
	return -1;
}

void lb_pers_table_free(struct lb_pers_table *t)
{
	lb_mem_free(&t->mem, t->buckets, (size_t)t->nbuckets * sizeof *t->buckets);
	lb_mem_free(&t->mem, t->entries_raw, t->entries_bytes);
	struct lb_mem mem = t->mem;
	memset(t, 0, sizeof *t);
	t->mem = mem; /* live is back to 0; peak stays readable */
}

/* Find key in its chain. On return *linkp points at the link that holds the
 * entry (for unlinking); LB_PERS_NIL when absent. */
static uint32_t chain_find(struct lb_pers_table *t, const struct lb_pers_key *key,
			   uint32_t h, uint32_t **linkp)
{
	uint32_t *link = &t->buckets[h & (t->nbuckets - 1)];
	for (uint32_t i = *link; i != LB_PERS_NIL; i = *link) {
		struct lb_pers_entry *e = &t->entries[i];
		if (e->hash == h && key_equal(e, key)) {
			*linkp = link;
			return i;
		}
		link = &e->chain;
	}
	*linkp = link;
	return LB_PERS_NIL;
}

struct lb_pers_entry *lb_pers_table_find(struct lb_pers_table *t,
					 const struct lb_pers_key *key, uint64_t now_ns)
{
	t->stats.lookups++;
	if (!key_valid(key)) {
		t->stats.misses++;
		return NULL;
	}
	uint64_t now = advance(t, now_ns);
	uint32_t *link;
	uint32_t i = chain_find(t, key, key_hash(t->seed, key), &link);
	if (i == LB_PERS_NIL) {
		t->stats.misses++;
		return NULL;
	}
	struct lb_pers_entry *e = &t->entries[i];
	if (entry_expired(t, e, now)) {
		*link = e->chain;
		lru_unlink(t, i);
		entry_release(t, i);
		t->stats.expired++;
		t->stats.misses++;
		return NULL;
	}
	e->last_use_ns = now;
	lru_touch(t, i);
	t->stats.hits++;
	return e;
}

int lb_pers_table_lookup(struct lb_pers_table *t, const struct lb_pers_key *key,
			 uint64_t now_ns)
{
	const struct lb_pers_entry *e = lb_pers_table_find(t, key, now_ns);
	return e ? (int)e->server : -1;
}

uint32_t lb_pers_table_expire(struct lb_pers_table *t, uint64_t now_ns, uint32_t max)
{
	uint64_t now = advance(t, now_ns);
	uint32_t n = 0;
	while (n < max && t->lru_tail != LB_PERS_NIL &&
	       entry_expired(t, &t->entries[t->lru_tail], now)) {
		entry_drop(t, t->lru_tail);
		t->stats.expired++;
		n++;
	}
	return n;
}

int lb_pers_table_store(struct lb_pers_table *t, const struct lb_pers_key *key,
			uint32_t server, uint64_t now_ns)
{
	if (!key_valid(key))
		return -1;
	uint64_t now = advance(t, now_ns);
	uint32_t h = key_hash(t->seed, key);
	uint32_t *link;
	uint32_t i = chain_find(t, key, h, &link);
	if (i != LB_PERS_NIL) {
		struct lb_pers_entry *e = &t->entries[i];
		int live = !entry_expired(t, e, now);
		if (live) {
			t->stats.updates++;
		} else {
			/* The old entry is dead: account for it as expired and
			 * reuse its slot for the new mapping. */
			t->stats.expired++;
			t->stats.inserts++;
		}
		e->server = server;
		e->last_use_ns = now;
		lru_touch(t, i);
		return live ? 1 : 0;
	}

	/* Amortised expiry: each store reclaims a little, so expired entries
	 * do not linger in the count while the table is far from full. The
	 * sweep and the eviction below may rewrite key's chain, so `link` is
	 * dead from here on: the new entry goes at the chain head. */
	(void)lb_pers_table_expire(t, now, SWEEP_ON_STORE);

	if (t->free_head == LB_PERS_NIL) {
		uint32_t victim = t->lru_tail; /* table full: the tail exists */
		if (entry_expired(t, &t->entries[victim], now)) {
			t->stats.expired++;
		} else if (t->full == LB_PERS_FULL_REFUSE) {
			t->stats.refused++;
			return -1;
		} else {
			t->stats.evicted++;
		}
		entry_drop(t, victim);
	}

	i = t->free_head;
	struct lb_pers_entry *e = &t->entries[i];
	t->free_head = e->chain;
	t->count++;
	e->hash = h;
	e->server = server;
	e->last_use_ns = now;
	key_copy(e, key);
	uint32_t *head = &t->buckets[h & (t->nbuckets - 1)];
	e->chain = *head;
	*head = i;
	lru_push_front(t, i);
	t->stats.inserts++;
	return 0;
}

uint32_t lb_pers_table_remove_server(struct lb_pers_table *t, uint32_t server)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < t->capacity && t->count > 0; i++) {
		if (t->entries[i].key_len == 0 || t->entries[i].server != server)
			continue;
		entry_drop(t, i);
		n++;
	}
	t->stats.removed += n;
	return n;
}
