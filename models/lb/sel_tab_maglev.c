/* The Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, section 3.4, Pseudocode 1).
 *
 * Each usable server i has a permutation of the M slots (M prime):
 *   offset = h1(i) mod M, skip = h2(i) mod (M - 1) + 1,
 *   permutation[j] = (offset + j * skip) mod M,
 * a full permutation because skip is in [1, M-1] and M is prime. Servers
 * take turns; on its turn a server claims the next slot of its permutation
 * that is still empty. h1 and h2 are murmur3 of the server id under two
 * seeds (the paper hashes the backend's name; the id plays that role here,
 * and stays stable when other servers come and go).
 *
 * Weights: a server of reduced weight w takes w consecutive turns per round
 * (as Linux IPVS's ip_vs_mh does). Every complete round gives each server
 * exactly w slots and the table fills during some round, so a server ends
 * with r*w + x slots, 0 <= x <= w, r the number of complete rounds: within
 * w of M w / W. With equal weights the counts differ by at most one.
 *
 * Disruption: the table is built from scratch, so removing a server also
 * moves a few slots between other servers (its permutation no longer blocks
 * theirs); the paper calls this near-minimal and trades it for the even
 * split. tests/test_lb_sel_hash.c measures it.
 *
 * Build: each server's cursor only moves forward; the paper bounds the
 * expected total work by O(M log M) and the worst case by O(M^2). Memory:
 * 4 M bytes of table plus 16 bytes per usable server of scratch.
 * Lookup: O(1), entry[h mod M].
 */
#include "sel_tab.h"

#include "lbsim/lb_hash.h"

#define SEL_MAGLEV_SEED_OFFSET 0x6f666673u /* "offs" */
#define SEL_MAGLEV_SEED_SKIP 0x736b6970u   /* "skip" */
#define EMPTY UINT32_MAX

int sel_is_prime(uint32_t n)
{
	if (n < 2)
		return 0;
	if (n % 2 == 0)
		return n == 2;
	for (uint32_t d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}

struct perm {
	uint32_t server;
	uint32_t cur;   /* the next slot of its permutation to try */
	uint32_t skip;
	uint32_t turns; /* reduced weight */
};

int sel_maglev_build(struct lb_pool *pool, uint32_t size, struct sel_maglev *out)
{
	uint32_t g = sel_weight_gcd(pool);
	uint32_t nusable = 0;
	for (uint32_t i = 0; g && i < pool->nservers; i++)
		nusable += lb_server_usable(&pool->servers[i]) != 0;
	struct sel_maglev mag = {.entry = NULL, .size = size};
	if (nusable == 0) {
		sel_maglev_free(pool, out);
		*out = mag;
		return 0;
	}
	if (size < nusable || !sel_is_prime(size))
		return -1;
	struct perm *perm = lb_mem_alloc(&pool->mem, nusable * sizeof *perm);
	if (!perm)
		return -1;
	mag.entry = lb_mem_alloc(&pool->mem, (size_t)size * sizeof *mag.entry);
	if (!mag.entry) {
		lb_mem_free(&pool->mem, perm, nusable * sizeof *perm);
		return -1;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		const struct lb_server *s = &pool->servers[i];
		if (!lb_server_usable(s))
			continue;
		unsigned char key[4] = {(unsigned char)i, (unsigned char)(i >> 8),
					(unsigned char)(i >> 16), (unsigned char)(i >> 24)};
		perm[n++] = (struct perm){
			.server = i,
			.cur = lb_hash_murmur3(key, sizeof key, SEL_MAGLEV_SEED_OFFSET) % size,
			.skip = lb_hash_murmur3(key, sizeof key, SEL_MAGLEV_SEED_SKIP) % (size - 1) + 1,
			.turns = s->eweight / g,
		};
	}
	for (uint32_t k = 0; k < size; k++)
		mag.entry[k] = EMPTY;
	uint32_t filled = 0;
	while (filled < size) {
		for (uint32_t i = 0; i < nusable && filled < size; i++) {
			struct perm *p = &perm[i];
			for (uint32_t t = 0; t < p->turns && filled < size; t++) {
				while (mag.entry[p->cur] != EMPTY) {
					p->cur += p->skip;
					if (p->cur >= size)
						p->cur -= size;
				}
				mag.entry[p->cur] = p->server;
				filled++;
			}
		}
	}
	lb_mem_free(&pool->mem, perm, nusable * sizeof *perm);
	sel_maglev_free(pool, out);
	*out = mag;
	return 0;
}

void sel_maglev_free(struct lb_pool *pool, struct sel_maglev *mag)
{
	if (mag->entry)
		lb_mem_free(&pool->mem, mag->entry, (size_t)mag->size * sizeof *mag->entry);
	mag->entry = NULL;
}
