/* Linux IPVS's source-hashing schedulers, reproduced: `sh` (balance
 * source, hash-type map-based) and `mh` (hash-type maglev), as a 64-bit
 * x86 kernel runs them.
 *
 * IPVS cannot be run here (loading and configuring the kernel module needs
 * a kernel this sandbox does not give), so unlike the HAProxy and NGINX
 * profiles there is no recorded reference: this file is a faithful reading
 * of net/netfilter/ipvs/ip_vs_sh.c, ip_vs_mh.c, ip_vs_ctl.c and
 * lib/siphash.c, and tests/parity/ipvs/ holds tables computed from that
 * reading by an independent script (scripts/parity-ipvs, in Python).
 *
 * The destination list. ip_vs_ctl.c adds a destination with list_add_rcu
 * at the *head* of the service's list, so the schedulers see the servers
 * newest first: servers added 1, 2, ..., N are walked N, ..., 2, 1. A
 * server out of rotation is taken out of the list (keepalived's default on
 * a failed check: ipvsadm -d), and when it comes back it is added again, at
 * the head. So lbsim keeps each server's addition number and walks the
 * usable servers from the most recent; at the start they were added in
 * declaration order.
 *
 * sh. A table of 256 buckets filled round the list, each server taking
 * `weight` consecutive buckets per turn; a client goes to bucket
 * (addr x 2654435761) mod 256 (addr: the IPv4 address as a number, or the
 * XOR of an IPv6 address's four words; the sh-port flag, which adds the
 * source port, is not modelled).
 *
 * mh. A Maglev table of M = 4093 slots (one of ip_vs_mh.c's primes with
 * `table-size`). Server i's permutation: offset = hsiphash(v, K1) mod M,
 * skip = hsiphash(v, K2) mod (M - 1) + 1, with v = port + address (as
 * numbers, 32-bit) and K1, K2 the fixed keys (2654435761, 2654435761) and
 * (2654446892, 2654446892); on 64-bit kernels hsiphash is SipHash-1-3 over
 * the four bytes of v. Turns per round: (weight / gcd) >> shift, at least
 * 1, with shift = max(0, bits of (max weight / gcd) - 6). A client goes to
 * slot hsiphash(addr, K1) mod M.
 *
 * Complexity: sh build O(256 + n), pick O(1); mh build expected
 * O(M log M), pick O(1).
 */
#include "lbsim/lb_hash.h"
#include "lbsim/lb_sel.h"

#include <string.h>

#include "sel_hash.h"

#define SH_BUCKETS 256u
#define GOLDEN 2654435761u

static const uint32_t mh_primes[] = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};

int lb_ipvs_mh_size_ok(uint32_t size)
{
	for (size_t i = 0; i < sizeof mh_primes / sizeof mh_primes[0]; i++)
		if (mh_primes[i] == size)
			return 1;
	return 0;
}

struct ipvs_tab {
	uint64_t *added;       /* per server: its addition number; 0 while out of the list */
	uint64_t counter;
	uint32_t *order;       /* scratch: usable servers, newest first */
	uint32_t *slot;        /* sh: 256 buckets; mh: M slots; server ids */
	uint32_t nslots;       /* 0 while no server is usable */
	uint32_t alloc;        /* slots allocated */
};

static inline uint64_t rol64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

#define SIPROUND                                                              \
	do {                                                                  \
		v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32);   \
		v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;                       \
		v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;                       \
		v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32);   \
	} while (0)

/* lib/siphash.c's hsiphash on 64-bit kernels (SipHash-1-3) of the four
 * bytes of v as the CPU stores them (little-endian on x86), key (k, k). */
static uint32_t hsiphash_u32(uint32_t v, uint64_t k)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k, v1 = 0x646f72616e646f6dULL ^ k;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k, v3 = 0x7465646279746573ULL ^ k;
	uint64_t b = ((uint64_t)4 << 56) | v;
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (uint32_t)((v0 ^ v1) ^ (v2 ^ v3));
}

#define MH_K1 2654435761ULL
#define MH_K2 2654446892ULL

static void tab_free(struct lb_pool *pool, struct ipvs_tab *t)
{
	if (!t)
		return;
	lb_mem_free(&pool->mem, t->added, pool->nservers * sizeof *t->added);
	lb_mem_free(&pool->mem, t->order, pool->nservers * sizeof *t->order);
	lb_mem_free(&pool->mem, t->slot, t->alloc * sizeof *t->slot);
	lb_mem_free(&pool->mem, t, sizeof *t);
}

/* The usable servers into t->order, newest addition first; their count. */
static uint32_t dest_list(const struct lb_pool *pool, struct ipvs_tab *t)
{
	for (uint32_t i = 0; i < pool->nservers; i++) {
		int usable = lb_server_usable(&pool->servers[i]);
		if (!usable)
			t->added[i] = 0;          /* ipvsadm -d */
		else if (t->added[i] == 0)
			t->added[i] = ++t->counter; /* ipvsadm -a: at the head */
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		if (!t->added[i])
			continue;
		/* Insertion sort by addition number, descending: lists are
		 * short and rebuilt only when a server changes. */
		uint32_t k = n++;
		while (k > 0 && t->added[t->order[k - 1]] < t->added[i]) {
			t->order[k] = t->order[k - 1];
			k--;
		}
		t->order[k] = i;
	}
	return n;
}

/* ip_vs_sh_reassign. */
static void fill_sh(const struct lb_pool *pool, struct ipvs_tab *t, uint32_t n)
{
	uint32_t p = 0, count = 0;
	for (uint32_t b = 0; b < SH_BUCKETS; b++) {
		uint32_t s = t->order[p];
		t->slot[b] = s;
		if (++count >= pool->servers[s].weight) {
			p = (p + 1) % n;
			count = 0;
		}
	}
}

struct mh_setup {
	uint32_t perm;
	uint32_t skip;
	uint32_t turns;
};

/* ip_vs_mh_permutate and ip_vs_mh_populate. */
static int fill_mh(struct lb_pool *pool, struct hash_priv *hp, struct ipvs_tab *t, uint32_t n)
{
	uint32_t m = t->nslots, g = 0, maxw = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t w = pool->servers[t->order[k]].weight;
		g = sel_gcd(w, g);
		if (w > maxw)
			maxw = w;
	}
	int shift = 0;
	for (uint32_t mw = maxw / g; mw; mw >>= 1)
		shift++;            /* fls(max weight / gcd) */
	shift -= 6;               /* IP_VS_MH_TAB_BITS */
	if (shift < 0)
		shift = 0;
	struct mh_setup *ds = lb_mem_alloc(&pool->mem, n * sizeof *ds);
	uint8_t *taken = lb_mem_alloc(&pool->mem, m);
	if (!ds || !taken) {
		lb_mem_free(&pool->mem, ds, n * sizeof *ds);
		lb_mem_free(&pool->mem, taken, m);
		return -1;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct lb_endpoint *e = &hp->ep[t->order[k]];
		uint32_t v = e->port + lb_addr_fold32(&e->addr);
		uint32_t w = pool->servers[t->order[k]].weight;
		ds[k].perm = hsiphash_u32(v, MH_K1) % m;
		ds[k].skip = hsiphash_u32(v, MH_K2) % (m - 1) + 1;
		ds[k].turns = (w / g) >> shift;
		if (ds[k].turns == 0)
			ds[k].turns = w != 0;
	}
	uint32_t filled = 0;
	while (filled < m) {
		for (uint32_t k = 0; k < n && filled < m; k++) {
			for (uint32_t turn = 0; turn < ds[k].turns && filled < m; turn++) {
				while (taken[ds[k].perm]) {
					ds[k].perm += ds[k].skip;
					if (ds[k].perm >= m)
						ds[k].perm -= m;
				}
				taken[ds[k].perm] = 1;
				t->slot[ds[k].perm] = t->order[k];
				filled++;
			}
		}
	}
	lb_mem_free(&pool->mem, ds, n * sizeof *ds);
	lb_mem_free(&pool->mem, taken, m);
	return 0;
}

static int ipvs_build(struct lb_pool *pool, struct hash_priv *hp)
{
	struct ipvs_tab *t = hp->prof;
	if (!t) {
		uint32_t alloc = hp->type == LB_HASH_MAGLEV ? hp->maglev_size : SH_BUCKETS;
		t = lb_mem_alloc(&pool->mem, sizeof *t);
		if (!t)
			return -1;
		t->alloc = alloc;
		t->added = lb_mem_alloc(&pool->mem, pool->nservers * sizeof *t->added);
		t->order = lb_mem_alloc(&pool->mem, pool->nservers * sizeof *t->order);
		t->slot = lb_mem_alloc(&pool->mem, alloc * sizeof *t->slot);
		if (!t->added || !t->order || !t->slot) {
			tab_free(pool, t);
			return -1;
		}
		hp->prof = t;
	}
	/* The table is rebuilt in place: on failure (memory for mh's
	 * scratch) it is marked empty rather than left half filled. */
	uint32_t n = dest_list(pool, t);
	t->nslots = 0;
	if (n == 0)
		return 0;
	if (hp->type == LB_HASH_MAGLEV) {
		t->nslots = t->alloc;
		if (fill_mh(pool, hp, t, n) != 0) {
			t->nslots = 0;
			return -1;
		}
	} else {
		t->nslots = SH_BUCKETS;
		fill_sh(pool, t, n);
	}
	return 0;
}

static void ipvs_free(struct lb_pool *pool, struct hash_priv *hp)
{
	tab_free(pool, hp->prof);
	hp->prof = NULL;
}

static int ipvs_pick(struct lb_pool *pool, struct hash_priv *hp, const struct hash_key *key)
{
	const struct ipvs_tab *t = hp->prof;
	if (!t || t->nslots == 0)
		return -1;
	uint32_t a = lb_addr_fold32(&key->addr);
	uint32_t s = hp->type == LB_HASH_MAGLEV ? t->slot[hsiphash_u32(a, MH_K1) % t->nslots]
						: t->slot[(a * GOLDEN) & (SH_BUCKETS - 1)];
	/* Without the sh-fallback flag IPVS drops a connection whose
	 * server is unavailable; its table holds usable servers only. */
	return lb_server_usable(&pool->servers[s]) ? (int)s : -1;
}

static const char *ipvs_check(const struct lb_sel_params *p, enum hash_key_kind key)
{
	if (key != HASH_KEY_SOURCE)
		return "IPVS is a layer-4 balancer: profile ipvs hashes the source address only";
	if (p->hash_type == LB_HASH_CONSISTENT)
		return "IPVS has no consistent-hash ring: hash-type map-based (sh) or maglev (mh)";
	if (p->hash_type == LB_HASH_MAGLEV && p->table_size && !lb_ipvs_mh_size_ok(p->table_size))
		return "IPVS mh table sizes are 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, "
		       "65521 or 131071";
	if (p->hash_function != LB_HASHFN_MURMUR || p->hash_avalanche)
		return "IPVS hashes with its own formulas: hash-function and avalanche do not "
		       "apply to profile ipvs";
	if (p->ring_points)
		return "IPVS has no ring: ring-points does not apply to profile ipvs";
	return NULL;
}

const struct hash_profile_ops sel_hash_ipvs = {
	.build = ipvs_build,
	.free = ipvs_free,
	.pick = ipvs_pick,
	.check = ipvs_check,
};
