/* The weight map: every usable server repeated (reduced) weight times, in
 * stride order, so that consecutive slots belong to different servers as far
 * as the weights allow. It serves map-based hashing (hash mod W), static-rr
 * (a cursor walking it) and weighted random draws (a uniform slot).
 *
 * Stride order: the k-th of a server's w slots gets the virtual time
 * (2k + 1) / 2w; slots are sorted by that time (compared by cross-
 * multiplication, exact in 64 bits), ties by server id. Weights 3,1 give
 * a(1/6) a(3/6) b(1/2) a(5/6) = a a b a: each server's slots evenly spaced
 * over the period.
 *
 * Build: O(W log W) time for W = sum of reduced weights (<= 256 x servers),
 * 12 W bytes of scratch; the map itself is 4 W bytes.
 */
#include "sel_tab.h"

#include <stdlib.h>

uint32_t sel_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

uint32_t sel_weight_gcd(const struct lb_pool *pool)
{
	uint32_t g = 0;
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			g = sel_gcd(pool->servers[i].eweight, g);
	return g;
}

struct stride {
	uint32_t num; /* 2k + 1 */
	uint32_t den; /* 2w */
	uint32_t server;
};

/* qsort order of slots: virtual time, then server id. */
static int stride_cmp(const void *pa, const void *pb)
{
	const struct stride *a = pa, *b = pb;
	uint64_t l = (uint64_t)a->num * b->den, r = (uint64_t)b->num * a->den;
	if (l != r)
		return l < r ? -1 : 1;
	return a->server < b->server ? -1 : a->server > b->server;
}

int sel_map_build(struct lb_pool *pool, struct sel_map *out)
{
	uint32_t g = sel_weight_gcd(pool);
	uint32_t len = 0;
	for (uint32_t i = 0; g && i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			len += pool->servers[i].eweight / g;
	struct sel_map map = {.slot = NULL, .len = len};
	if (len == 0) {
		sel_map_free(pool, out);
		return 0;
	}
	struct stride *tmp = lb_mem_alloc(&pool->mem, len * sizeof *tmp);
	if (!tmp)
		return -1;
	map.slot = lb_mem_alloc(&pool->mem, len * sizeof *map.slot);
	if (!map.slot) {
		lb_mem_free(&pool->mem, tmp, len * sizeof *tmp);
		return -1;
	}
	uint32_t n = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		const struct lb_server *s = &pool->servers[i];
		if (!lb_server_usable(s))
			continue;
		uint32_t w = s->eweight / g;
		for (uint32_t k = 0; k < w; k++)
			tmp[n++] = (struct stride){.num = 2 * k + 1, .den = 2 * w, .server = i};
	}
	qsort(tmp, len, sizeof *tmp, stride_cmp);
	for (uint32_t k = 0; k < len; k++)
		map.slot[k] = tmp[k].server;
	lb_mem_free(&pool->mem, tmp, len * sizeof *tmp);
	sel_map_free(pool, out);
	*out = map;
	return 0;
}

void sel_map_free(struct lb_pool *pool, struct sel_map *map)
{
	lb_mem_free(&pool->mem, map->slot, map->len * sizeof *map->slot);
	map->slot = NULL;
	map->len = 0;
}
