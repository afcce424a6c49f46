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
 * Ties go round robin: the pick is the first strict minimum met scanning
 * from a cursor one past the last server chosen, round the pool, so
 * servers that stay equal are taken in turn (with no connection open at
 * all, picks cycle 0, 1, ..., n-1).
 *
 * A server at maxconn (lb_server_full) is passed over, as HAProxy's fwlc
 * skips a saturated server; with none left the pick is LB_PICK_FULL.
 *
 * The index: a tournament tree (a segment tree over server ids) whose node
 * holds the leftmost least-loaded eligible server (usable, not full) of its
 * range of ids. The scan from the cursor is then two range queries,
 * [cursor, n) and [0, cursor): the first's winner stands unless the
 * second's is strictly less loaded, exactly as the scan would keep its
 * first strict minimum. HAProxy keeps its servers in an ebtree keyed on the
 * load for the same reason (lb_fwlc.c).
 *
 * Complexity: pick O(log n); a connection opened or closed, a queue or
 * maxconn changed, O(log n) (the server_load hook); a state change
 * rebuilds the tree, O(n). The scan it replaced was O(n) per pick: at
 * 571 servers (1,000,000 users in the scaled default scenario) it was
 * the largest single cost of a layer-4 design's connection (issue 19
 * item 5). Memory: 8 bytes per server (two nodes per leaf, rounded up to
 * a power of two), the simulator's index rather than balancer state: it
 * is not counted in the pool's memory (lb_mem), which stays what the
 * scan needed, so the balancer's memory figures do not move with it.
 */
#include "lbsim/lb_sel.h"

#include <stdlib.h>

#define LC_NONE UINT32_MAX

struct lc_tree {
	uint32_t leaves;      /* a power of two >= nservers */
	uint32_t node[];      /* [2 leaves): node k covers its leaves; 1 is the root */
};

static int eligible(const struct lb_server *s)
{
	return lb_server_usable(s) && !lb_server_full(s);
}

/* Is server a strictly less loaded than server b? */
static int lighter(const struct lb_server *sv, uint32_t a, uint32_t b)
{
	return ((uint64_t)sv[a].conns + 1) * sv[b].eweight <
	       ((uint64_t)sv[b].conns + 1) * sv[a].eweight;
}

/* The winner of left then right (ids in that order): left unless right
 * is strictly lighter. */
static uint32_t match(const struct lb_server *sv, uint32_t left, uint32_t right)
{
	if (left == LC_NONE)
		return right;
	if (right == LC_NONE)
		return left;
	return lighter(sv, right, left) ? right : left;
}

static uint32_t leaf_of(const struct lb_pool *pool, uint32_t i)
{
	return i < pool->nservers && eligible(&pool->servers[i]) ? i : LC_NONE;
}

static void rebuild(struct lb_pool *pool)
{
	struct lc_tree *t = pool->sel_priv;
	for (uint32_t i = 0; i < t->leaves; i++)
		t->node[t->leaves + i] = leaf_of(pool, i);
	for (uint32_t k = t->leaves; k-- > 1;)
		t->node[k] = match(pool->servers, t->node[2 * k], t->node[2 * k + 1]);
}

static int lc_init(struct lb_pool *pool)
{
	uint32_t leaves = 1;
	while (leaves < pool->nservers)
		leaves *= 2;
	struct lc_tree *t = malloc(sizeof *t + 2 * (size_t)leaves * sizeof t->node[0]);
	if (!t)
		return -1;
	t->leaves = leaves;
	t->node[0] = LC_NONE;
	pool->sel_priv = t;
	rebuild(pool);
	return 0;
}

static void lc_done(struct lb_pool *pool)
{
	free(pool->sel_priv);
	pool->sel_priv = NULL;
}

static int lc_servers_changed(struct lb_pool *pool)
{
	rebuild(pool);
	return 0;
}

/* server's load or room changed: its leaf and the matches above it. */
static void lc_server_load(struct lb_pool *pool, uint32_t server)
{
	struct lc_tree *t = pool->sel_priv;
	uint32_t k = t->leaves + server;
	t->node[k] = leaf_of(pool, server);
	for (k /= 2; k >= 1; k /= 2)
		t->node[k] = match(pool->servers, t->node[2 * k], t->node[2 * k + 1]);
}

/* The leftmost lightest eligible server with an id in [lo, hi), or
 * LC_NONE: the nodes covering the range, left ones in order and right
 * ones in reverse, so that ties keep the smallest id. */
static uint32_t query(const struct lb_pool *pool, uint32_t lo, uint32_t hi)
{
	const struct lc_tree *t = pool->sel_priv;
	uint32_t left = LC_NONE, right = LC_NONE;
	for (uint32_t l = lo + t->leaves, r = hi + t->leaves; l < r; l /= 2, r /= 2) {
		if (l & 1)
			left = match(pool->servers, left, t->node[l++]);
		if (r & 1)
			right = match(pool->servers, t->node[--r], right);
	}
	return match(pool->servers, left, right);
}

/* Is some server usable (full or not)? Only asked when none had a slot. */
static int any_usable(const struct lb_pool *pool)
{
	for (uint32_t i = 0; i < pool->nservers; i++)
		if (lb_server_usable(&pool->servers[i]))
			return 1;
	return 0;
}

/* pick hook: argmin of (conns + 1) / eweight over eligible servers, the
 * first met from the rotating cursor round to it; -1 when none is
 * usable. */
static int lc_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	uint32_t n = pool->nservers;
	uint32_t start = (uint32_t)(pool->rr_cursor % n);
	uint32_t best = query(pool, start, n);
	uint32_t wrapped = query(pool, 0, start);
	if (best == LC_NONE || (wrapped != LC_NONE && lighter(pool->servers, wrapped, best)))
		best = wrapped;
	if (best == LC_NONE)
		return any_usable(pool) ? LB_PICK_FULL : -1;
	pool->rr_cursor = (uint64_t)best + 1;
	return (int)best;
}

const struct lb_sel_ops lb_sel_leastconn = {
	.name = "leastconn",
	.description = "weighted least connections; ties in round robin",
	.needs = LB_NEED_NONE,
	.init = lc_init,
	.done = lc_done,
	.servers_changed = lc_servers_changed,
	.server_load = lc_server_load,
	.pick = lc_pick,
};
