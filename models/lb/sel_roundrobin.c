/* roundrobin: smooth weighted round robin (the NGINX algorithm).
 *
 * Each pick adds every usable server's effective weight to its current
 * weight, picks the server with the largest current weight (the lowest index
 * on a tie) and subtracts the total from it. Weights 5,1,1 give
 * a a b a c a a: the heavy server's turns are spread out instead of bunched,
 * and over any window of W = sum of weights picks each server gets exactly
 * its weight.
 *
 * The sequence is periodic: after W picks every current weight is back to
 * zero (each server gained W w_i and gave back w_i W). So a change of
 * weights or states (servers_changed) computes one period into a table, and
 * a pick is a cursor step: O(1). Scaling all weights leaves the sequence
 * unchanged, so weights are divided by their gcd first.
 *
 * Computing a period costs O(W n) for n usable servers; when that exceeds
 * RR_TABLE_BUDGET steps (e.g. 1,024 servers of mixed weights up to 256), or
 * the table cannot be allocated, the pool runs the same recurrence online
 * over a dense array of the usable servers instead: O(n) per pick, same
 * sequence. Either way a change restarts the sequence from all-zero current
 * weights, so a server leaving rotation keeps no credit and one coming back
 * does not burst.
 *
 * Complexity: pick O(1) (table) or O(n) (online); rebuild O(W n) up to the
 * budget, else O(n). Memory: 16 bytes per server plus 4 W bytes of table.
 */
#include "lbsim/lb_sel.h"

#include "sel_tab.h"

#define RR_TABLE_BUDGET (1u << 22)

struct rr_priv {
	/* the usable servers, dense, in id order */
	uint32_t n;
	uint32_t *id;
	uint32_t *w;        /* reduced weights */
	int64_t *cur;       /* current weights */
	int64_t total;
	/* one period, when computed */
	uint32_t *seq;
	uint32_t len;
	uint32_t pos;
	uint32_t cap;       /* servers the dense arrays can hold */
};

/* One step of the recurrence over the dense arrays: the index chosen. */
static uint32_t rr_step(struct rr_priv *p)
{
	uint32_t best = 0;
	for (uint32_t j = 0; j < p->n; j++) {
		p->cur[j] += p->w[j];
		if (p->cur[j] > p->cur[best])
			best = j;
	}
	p->cur[best] -= p->total;
	return best;
}

/* Drop the precomputed period, if any. */
static void rr_free_seq(struct lb_pool *pool, struct rr_priv *p)
{
	lb_mem_free(&pool->mem, p->seq, p->len * sizeof *p->seq);
	p->seq = NULL;
	p->len = 0;
	p->pos = 0;
}

/* servers_changed hook: reload the dense arrays with the usable servers,
 * reset the current weights and compute a period when within budget.
 * Never fails: without memory for a table, picks run the recurrence. */
static int rr_changed(struct lb_pool *pool)
{
	struct rr_priv *p = pool->sel_priv;
	uint32_t g = sel_weight_gcd(pool);
	p->n = 0;
	p->total = 0;
	for (uint32_t i = 0; g && i < pool->nservers; i++) {
		const struct lb_server *s = &pool->servers[i];
		if (!lb_server_usable(s))
			continue;
		p->id[p->n] = i;
		p->w[p->n] = s->eweight / g;
		p->cur[p->n] = 0;
		p->total += p->w[p->n];
		p->n++;
	}
	rr_free_seq(pool, p);
	if (p->n == 0 || (uint64_t)p->total * p->n > RR_TABLE_BUDGET)
		return 0;
	uint32_t len = (uint32_t)p->total;
	uint32_t *seq = lb_mem_alloc(&pool->mem, len * sizeof *seq);
	if (!seq)
		return 0; /* the online recurrence gives the same sequence */
	for (uint32_t k = 0; k < len; k++)
		seq[k] = p->id[rr_step(p)];
	/* A whole period brings every current weight back to zero. */
	p->seq = seq;
	p->len = len;
	return 0;
}

/* done hook: free everything; safe to call twice. */
static void rr_done(struct lb_pool *pool)
{
	struct rr_priv *p = pool->sel_priv;
	if (!p)
		return;
	rr_free_seq(pool, p);
	lb_mem_free(&pool->mem, p->id, p->cap * sizeof *p->id);
	lb_mem_free(&pool->mem, p->w, p->cap * sizeof *p->w);
	lb_mem_free(&pool->mem, p->cur, p->cap * sizeof *p->cur);
	lb_mem_free(&pool->mem, p, sizeof *p);
	pool->sel_priv = NULL;
}

/* init hook: dense arrays sized for every server of the pool; 0 or -1. */
static int rr_init(struct lb_pool *pool)
{
	struct rr_priv *p = lb_mem_alloc(&pool->mem, sizeof *p);
	if (!p)
		return -1;
	pool->sel_priv = p;
	p->cap = pool->nservers;
	p->id = lb_mem_alloc(&pool->mem, p->cap * sizeof *p->id);
	p->w = lb_mem_alloc(&pool->mem, p->cap * sizeof *p->w);
	p->cur = lb_mem_alloc(&pool->mem, p->cap * sizeof *p->cur);
	if (!p->id || !p->w || !p->cur) {
		rr_done(pool);
		return -1;
	}
	return rr_changed(pool);
}

/* pick hook: the next step of the period, or of the online recurrence. */
static int rr_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	struct rr_priv *p = pool->sel_priv;
	if (p->seq) {
		/* The loop only goes round when a server was changed behind the
		 * pool's back (not through lb_server_set_*): skip it then. */
		for (uint32_t step = 0; step < p->len; step++) {
			uint32_t s = p->seq[p->pos];
			if (++p->pos == p->len)
				p->pos = 0;
			if (lb_server_usable(&pool->servers[s]))
				return (int)s;
		}
		return -1;
	}
	if (p->n == 0)
		return -1;
	return (int)p->id[rr_step(p)];
}

const struct lb_sel_ops lb_sel_roundrobin = {
	.name = "roundrobin",
	.description = "smooth weighted round robin; weights may change at run time",
	.needs = LB_NEED_NONE,
	.init = rr_init,
	.done = rr_done,
	.servers_changed = rr_changed,
	.pick = rr_pick,
};
