/* random: weighted random choice, and the power of d choices.
 *
 * draws = 1: a server with probability proportional to its weight (a
 * uniform slot of the weight map of sel_tab.h). draws = d >= 2: d such
 * weighted draws, with replacement, and the one with the least
 * (conns + 1) / eweight wins, the earlier draw on a tie (Azar, Broder,
 * Karlin and Upfal 1994; Mitzenmacher 1996). With n balls into n bins the
 * fullest bin holds about ln n / ln ln n balls with one draw and
 * ln ln n / ln d + O(1) with d: the second draw is nearly all the benefit
 * of leastconn at the cost of two looks instead of n.
 *
 * Randomness comes from the pool's own xoshiro256** stream seeded from
 * params.seed, never rand() or GSL: the core links libc alone, and two pools
 * never share a stream (replications run side by side in one process).
 *
 * Complexity: pick O(d); rebuild O(W log W) (the weight map).
 */
#include "lbsim/lb_sel.h"

#include "sel_tab.h"

struct random_priv {
	struct sel_rng rng;
	struct sel_map map;
	uint32_t draws;
};

/* Advance *x and return its next splitmix64 output (for seeding). */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void sel_rng_seed(struct sel_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

/* draws: 2 by default, the choice that gives nearly all the benefit; at
 * most 64, a generous cap: the fullest bin shrinks only as 1 / ln d while
 * every draw costs a look. */
const struct lb_param lb_sel_random_params[] = {
	{.name = "draws", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, draws), .min = 1, .max = 64,
	 .flags = LB_PARAM_ZERO_DEFAULT, .dflt = 2, .unit = "choices",
	 .doc = "servers drawn per pick, the least loaded of them wins (1: plain weighted random)"},
	LB_PARAM_END,
};

/* servers_changed hook: rebuild the weight map; -1 keeps the old one. */
static int random_changed(struct lb_pool *pool)
{
	struct random_priv *p = pool->sel_priv;
	return sel_map_build(pool, &p->map);
}

/* done hook: free the map and the state; safe to call twice. */
static void random_done(struct lb_pool *pool)
{
	struct random_priv *p = pool->sel_priv;
	if (!p)
		return;
	sel_map_free(pool, &p->map);
	lb_mem_free(&pool->mem, p, sizeof *p);
	pool->sel_priv = NULL;
}

/* init hook: seed the stream, build the map; 0 or -1. */
static int random_init(struct lb_pool *pool)
{
	struct random_priv *p = lb_mem_alloc(&pool->mem, sizeof *p);
	if (!p)
		return -1;
	/* The pools of one balancer share params.seed; their names tell
	 * their streams apart (FNV-1a), so two pools never draw alike. */
	uint64_t seed = pool->params.seed;
	for (const unsigned char *c = (const unsigned char *)pool->name; *c; c++)
		seed = (seed ^ *c) * 0x100000001b3ULL;
	sel_rng_seed(&p->rng, seed);
	p->draws = pool->params.draws;   /* default filled by lb_pool_init */
	pool->sel_priv = p;
	if (random_changed(pool) != 0) {
		random_done(pool);
		return -1;
	}
	return 0;
}

/* pick hook: d weighted draws, the least loaded relative to weight wins. */
static int random_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	struct random_priv *p = pool->sel_priv;
	if (p->map.len == 0)
		return -1;
	const struct lb_server *best = NULL;
	for (uint32_t d = 0; d < p->draws; d++) {
		const struct lb_server *s = &pool->servers[p->map.slot[sel_rng_below(&p->rng, p->map.len)]];
		if (!lb_server_usable(s))
			continue; /* changed behind the pool's back; rare */
		if (!best || ((uint64_t)s->conns + 1) * best->eweight <
				     ((uint64_t)best->conns + 1) * s->eweight)
			best = s;
	}
	return best ? (int)best->id : -1;
}

const struct lb_sel_ops lb_sel_random = {
	.name = "random",
	.description = "weighted random; draws d >= 2: the least loaded of d (power of d choices)",
	.needs = LB_NEED_NONE,
	.params = lb_sel_random_params,
	.init = random_init,
	.done = random_done,
	.servers_changed = random_changed,
	.when_full = LB_FULL_NONE,
	.pick = random_pick,
};
