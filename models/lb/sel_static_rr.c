/* static-rr: classic weighted round robin over a precomputed schedule.
 *
 * The schedule is the weight map of sel_tab.h (each usable server repeated
 * reduced-weight times, in stride order) and a cursor walks it. Every window
 * of W consecutive picks (W = sum of reduced weights) holds each server
 * exactly its weight, since any W consecutive slots of a cyclic schedule are
 * one whole period. Unlike roundrobin the schedule is fixed between changes:
 * cheaper per pick (O(1), one load), and a change rebuilds it.
 *
 * Complexity: pick O(1); rebuild O(W log W) with W <= 256 x servers.
 * After a rebuild the cursor keeps its position modulo the new length.
 */
#include "lbsim/lb_sel.h"

#include "sel_tab.h"

struct srr_priv {
	struct sel_map map;
	uint32_t pos;
};

/* servers_changed hook: rebuild the schedule; -1 keeps the old one. */
static int srr_changed(struct lb_pool *pool)
{
	struct srr_priv *p = pool->sel_priv;
	if (sel_map_build(pool, &p->map) != 0)
		return -1;
	p->pos = p->map.len ? p->pos % p->map.len : 0;
	return 0;
}

/* done hook: free the schedule; safe to call twice. */
static void srr_done(struct lb_pool *pool)
{
	struct srr_priv *p = pool->sel_priv;
	if (!p)
		return;
	sel_map_free(pool, &p->map);
	lb_mem_free(&pool->mem, p, sizeof *p);
	pool->sel_priv = NULL;
}

/* init hook: attach the private state and build the schedule; 0 or -1. */
static int srr_init(struct lb_pool *pool)
{
	struct srr_priv *p = lb_mem_alloc(&pool->mem, sizeof *p);
	if (!p)
		return -1;
	pool->sel_priv = p;
	if (srr_changed(pool) != 0) {
		srr_done(pool);
		return -1;
	}
	return 0;
}

/* pick hook: the next slot of the schedule. */
static int srr_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	struct srr_priv *p = pool->sel_priv;
	/* A server changed behind the pool's back would be skipped here, at
	 * the cost of at most one lap of the schedule. */
	for (uint32_t step = 0; step < p->map.len; step++) {
		uint32_t s = p->map.slot[p->pos];
		if (++p->pos == p->map.len)
			p->pos = 0;
		if (lb_server_usable(&pool->servers[s]))
			return (int)s;
	}
	return -1;
}

const struct lb_sel_ops lb_sel_static_rr = {
	.name = "static-rr",
	.description = "weighted round robin over a precomputed schedule; O(1) pick",
	.needs = LB_NEED_NONE,
	.init = srr_init,
	.done = srr_done,
	.servers_changed = srr_changed,
	.pick = srr_pick,
};
