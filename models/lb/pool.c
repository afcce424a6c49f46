/* Pools and servers of the balancer core: creation, state changes that the
 * selection algorithm must hear of, and the pick entry point.
 *
 * A state change is applied to the server first and then committed to the
 * algorithm through its servers_changed hook (HAProxy's two-phase update):
 * when the hook fails, the server's previous state is restored so that the
 * algorithm's tables and the servers never disagree.
 */
#include "lbsim/lb.h"
#include "lbsim/lb_sel.h"

#include <stdlib.h>
#include <string.h>

void *lb_mem_alloc(struct lb_mem *mem, size_t size)
{
	void *p = calloc(1, size ? size : 1);
	if (p) {
		mem->live += size;
		if (mem->live > mem->peak)
			mem->peak = mem->live;
	}
	return p;
}

void lb_mem_free(struct lb_mem *mem, void *p, size_t size)
{
	if (!p)
		return;
	mem->live -= size;
	free(p);
}

int lb_pool_init(struct lb_pool *pool, const char *name, uint32_t nservers,
		 const uint32_t *weights, const struct lb_sel_ops *sel,
		 const struct lb_sel_params *params)
{
	memset(pool, 0, sizeof *pool);
	if (!sel || !sel->pick || nservers == 0)
		return LB_EINVAL;
	for (uint32_t i = 0; weights && i < nservers; i++)
		if (weights[i] > LB_MAX_WEIGHT)
			return LB_EINVAL;
	if (params)
		pool->params = *params;
	char why[160];
	if (lb_sel_check(sel, &pool->params, nservers, why, sizeof why, NULL)) {
		memset(pool, 0, sizeof *pool);
		return LB_EINVAL;
	}
	/* The algorithm reads its parameters with the defaults in place. */
	lb_param_fill_defaults(sel->params, &pool->params);
	strncpy(pool->name, name ? name : "", sizeof pool->name - 1);
	pool->servers = lb_mem_alloc(&pool->mem, nservers * sizeof *pool->servers);
	if (!pool->servers) {
		memset(pool, 0, sizeof *pool);
		return LB_ENOMEM;
	}
	pool->nservers = nservers;
	for (uint32_t i = 0; i < nservers; i++) {
		struct lb_server *s = &pool->servers[i];
		s->id = i;
		s->weight = weights ? weights[i] : 1;
		s->eweight = s->weight;
		s->admin = LB_ADMIN_UP;
		s->healthy = 1;
	}
	pool->sel = sel;
	if (sel->init && sel->init(pool) != 0) {
		lb_mem_free(&pool->mem, pool->servers, nservers * sizeof *pool->servers);
		memset(pool, 0, sizeof *pool);
		return LB_ENOMEM;
	}
	return LB_OK;
}

void lb_pool_free(struct lb_pool *pool)
{
	if (pool->sel && pool->sel->done)
		pool->sel->done(pool);
	lb_mem_free(&pool->mem, pool->servers, pool->nservers * sizeof *pool->servers);
	memset(pool, 0, sizeof *pool);
}

/* The pick, then maxconn: an algorithm that skips full servers is asked
 * again (a round robin steps on; at most one lap of the pool), one whose
 * choice stands or falls whole (random) gives LB_PICK_FULL, a hashing one
 * keeps its server for the caller to queue on. first and leastconn skip
 * full servers in their own scan, so they never come back full.
 * Cost: one pick when no server is full; with maxconn reached, at most n
 * picks and one O(n) scan. */
int lb_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	int i = pool->sel->pick(pool, req, now_ns);
	if (i >= 0 && lb_server_full(&pool->servers[i])) {
		if (pool->sel->when_full == LB_FULL_SKIP) {
			for (uint32_t tries = 1; i >= 0 && lb_server_full(&pool->servers[i]) &&
						 tries < pool->nservers; tries++)
				i = pool->sel->pick(pool, req, now_ns);
			/* A heavy full server can fill more than a lap of n
			 * picks of a weighted schedule: then the first server
			 * with a slot, by id, rather than an unbounded walk. */
			if (i >= 0 && lb_server_full(&pool->servers[i])) {
				i = LB_PICK_FULL;
				for (uint32_t k = 0; k < pool->nservers && i < 0; k++)
					if (lb_server_usable(&pool->servers[k]) &&
					    !lb_server_full(&pool->servers[k]))
						i = (int)k;
			}
		} else if (pool->sel->when_full == LB_FULL_NONE) {
			i = LB_PICK_FULL;
		}
	}
	if (i >= 0)
		pool->servers[i].picks++;
	return i;
}

/* The algorithm hears that server's load or room changed. */
static void load_changed(struct lb_pool *pool, uint32_t server)
{
	if (pool->sel->server_load)
		pool->sel->server_load(pool, server);
}

void lb_server_queue_add(struct lb_pool *pool, uint32_t server, int delta)
{
	struct lb_server *s = &pool->servers[server];
	if (delta < 0 && s->queued < (uint32_t)-delta)
		s->queued = 0;
	else
		s->queued = (uint32_t)((int64_t)s->queued + delta);
	load_changed(pool, server);
}

int lb_server_set_maxconn(struct lb_pool *pool, uint32_t server, uint32_t maxconn)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	pool->servers[server].maxconn = maxconn;
	load_changed(pool, server);
	return LB_OK;
}

void lb_conn_open(struct lb_pool *pool, uint32_t server)
{
	pool->servers[server].conns++;
	load_changed(pool, server);
}

void lb_conn_close(struct lb_pool *pool, uint32_t server)
{
	if (pool->servers[server].conns > 0)
		pool->servers[server].conns--;
	load_changed(pool, server);
}

/* Which backup server stands in: none while an active server is usable,
 * else the first usable backup by id (HAProxy's default; `option
 * allbackups` would use them all). O(n), on state changes only. */
static void elect_backup(struct lb_pool *pool)
{
	int active = 0, chosen = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		struct lb_server *s = &pool->servers[i];
		s->standby = 0;
		active |= !s->backup && lb_server_usable(s);
	}
	for (uint32_t i = 0; i < pool->nservers; i++) {
		struct lb_server *s = &pool->servers[i];
		if (!s->backup)
			continue;
		if (active || chosen || !lb_server_usable(s))
			s->standby = 1;
		else
			chosen = 1;
	}
}

static int commit(struct lb_pool *pool, struct lb_server *s, struct lb_server before)
{
	elect_backup(pool);
	if (!pool->sel->servers_changed || pool->sel->servers_changed(pool) == 0)
		return LB_OK;
	*s = before;
	elect_backup(pool);
	return LB_ENOMEM;
}

int lb_server_set_backup(struct lb_pool *pool, uint32_t server, int backup)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	struct lb_server *s = &pool->servers[server];
	struct lb_server before = *s;
	s->backup = backup != 0;
	return commit(pool, s, before);
}

int lb_server_set_weight(struct lb_pool *pool, uint32_t server, uint32_t weight)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	if (weight > LB_MAX_WEIGHT)
		return LB_EINVAL;
	struct lb_server *s = &pool->servers[server];
	struct lb_server before = *s;
	s->weight = weight;
	s->eweight = weight;
	return commit(pool, s, before);
}

int lb_server_set_admin(struct lb_pool *pool, uint32_t server, enum lb_admin_state admin)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	struct lb_server *s = &pool->servers[server];
	struct lb_server before = *s;
	s->admin = admin;
	return commit(pool, s, before);
}

int lb_server_set_healthy(struct lb_pool *pool, uint32_t server, int healthy)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	struct lb_server *s = &pool->servers[server];
	struct lb_server before = *s;
	s->healthy = healthy != 0;
	return commit(pool, s, before);
}

int lb_server_set_eweight(struct lb_pool *pool, uint32_t server, uint32_t eweight)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	if (eweight > LB_MAX_WEIGHT)
		return LB_EINVAL;
	struct lb_server *s = &pool->servers[server];
	struct lb_server before = *s;
	s->eweight = eweight;
	return commit(pool, s, before);
}
