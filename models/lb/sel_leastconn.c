/* leastconn: weighted least connections.
 *
 * The pick minimises (conns + 1) / eweight: the load the server would carry
 * relative to its weight once it takes this connection (HAProxy's fwlc key).
 * The +1 lets a heavier server win among idle ones, and with connections
 * that never close it fills servers exactly in proportion to their weights
 * (after k W picks each server holds k w_i: a server one connection past its
 * share could only have been picked while another was below its share).
 * Ratios are compared by cross-multiplying in 64 bits, never in floating
 * point, so equal ratios are equal.
 *
 * Ties go round robin: the scan starts at a cursor one past the last server
 * chosen and keeps the first strict minimum it meets, so servers that stay
 * equal are taken in turn (with no connection open at all, picks cycle
 * 0, 1, ..., n-1).
 *
 * A server at maxconn (lb_server_full) is passed over, as HAProxy's fwlc
 * skips a saturated server; with none left the pick is LB_PICK_FULL.
 *
 * Complexity: pick O(n) over the pool's servers; nothing to rebuild. (A tree
 * keyed on the ratio, as HAProxy's, would make it O(log n) at the price of
 * an update on every connection open and close.)
 */
#include "lbsim/lb_sel.h"

/* Scan servers [from, to) for a load below (*bc1) / (*bw), keeping the first
 * strict minimum; *best is its index or stays. Locals, not pointers, hold
 * the best ratio so the loop carries no reload through memory. */
static void scan(const struct lb_server *sv, uint32_t from, uint32_t to, int64_t *best,
		 uint64_t *bc1, uint64_t *bw)
{
	for (uint32_t i = from; i < to; i++) {
		const struct lb_server *s = &sv[i];
		if (!lb_server_usable(s) || lb_server_full(s))
			continue;
		uint64_t c1 = (uint64_t)s->conns + 1;
		if (*best < 0 || c1 * *bw < *bc1 * s->eweight) {
			*best = i;
			*bc1 = c1;
			*bw = s->eweight;
		}
	}
}

/* Is some server usable (full or not)? Only asked when none had a slot. */
static int any_usable(const struct lb_pool *pool)
{
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			return 1;
	return 0;
}

/* pick hook: argmin of (conns + 1) / eweight over usable servers, scanning
 * from the rotating cursor round to it; -1 when none is usable. */
static int lc_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	uint32_t n = pool->nservers;
	uint32_t start = (uint32_t)(pool->rr_cursor % n);
	int64_t best = -1;
	uint64_t bc1 = 0, bw = 0;
	scan(pool->servers, start, n, &best, &bc1, &bw);
	scan(pool->servers, 0, start, &best, &bc1, &bw);
	if (best < 0)
		return any_usable(pool) ? LB_PICK_FULL : -1;
	pool->rr_cursor = (uint64_t)best + 1;
	return (int)best;
}

const struct lb_sel_ops lb_sel_leastconn = {
	.name = "leastconn",
	.description = "weighted least connections; ties in round robin",
	.needs = LB_NEED_NONE,
	.pick = lc_pick,
};
