/* roundrobin: smooth weighted round robin (the NGINX algorithm).
 *
 * Each pick adds every usable server's effective weight to its current
 * weight, picks the server with the largest current weight (the lowest index
 * on a tie) and subtracts the total from it. Weights 5,1,1 give
 * a a b a c a a: the heavy server's turns are spread out instead of bunched,
 * and over any window of W = sum of weights picks each server gets exactly
 * its weight. Weight changes take effect on the next pick (dynamic weights):
 * nothing is precomputed.
 *
 * Complexity: O(n) per pick over the pool's servers. That is the price of
 * exact smoothness with dynamic weights; for pools of hundreds of servers a
 * precomputed schedule would be O(1) (see tests/bench for the figures).
 */
#include "lbsim/lb_sel.h"

static int rr_servers_changed(struct lb_pool *pool)
{
	/* A server that leaves rotation forgets its credit, so it does not
	 * burst when it comes back. */
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (!lb_server_usable(&pool->servers[i]))
			pool->servers[i].sel_state = 0;
	return 0;
}

static int rr_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	struct lb_server *best = NULL;
	int64_t total = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		struct lb_server *s = &pool->servers[i];
		if (!lb_server_usable(s))
			continue;
		s->sel_state += s->eweight;
		total += s->eweight;
		if (!best || s->sel_state > best->sel_state)
			best = s;
	}
	if (!best)
		return -1;
	best->sel_state -= total;
	return (int)best->id;
}

const struct lb_sel_ops lb_sel_roundrobin = {
	.name = "roundrobin",
	.description = "smooth weighted round robin; weights may change at run time",
	.needs = LB_NEED_NONE,
	.servers_changed = rr_servers_changed,
	.pick = rr_pick,
};
