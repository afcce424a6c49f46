/* Persistence in front of selection: a persistence method and its table,
 * and lb_pers_select, which decides between the remembered server and a
 * fresh pick.
 *
 * Redispatch follows lb.h's administrative states: a remembered server keeps
 * its client while it is healthy and up or draining (drain "keeps persistent
 * sessions", as HAProxy's drain does); down, maintenance or failed checks
 * send the client through the pool's algorithm again, and the entry then
 * names the new server (HAProxy's `option redispatch` with a stick table
 * that stores on request). A remembered server at maxconn keeps its client
 * all the same: the caller queues the request on that server (HAProxy
 * queues a request with a persistent server in the server's own queue,
 * src/queue.c pendconn_add). Every path is O(1) expected beyond lb_pick.
 */
#include "lbsim/lb_pers.h"

#include <assert.h>
#include <string.h>

int lb_persist_init(struct lb_persist *p, const struct lb_pers_ops *ops,
		    const struct lb_pers_params *params)
{
	memset(p, 0, sizeof *p);
	char why[160];
	if (!ops || !ops->key || !params || lb_pers_check(ops, params, why, sizeof why, NULL))
		return LB_EINVAL;
	p->ops = ops;
	p->params = *params;
	lb_param_fill_defaults(ops->params, &p->params);
	/* A shift by 32 is undefined, hence the 64-bit intermediate. */
	p->src_mask = (uint32_t)(0xffffffff00000000ULL >> p->params.netmask);
	int err = lb_pers_table_init(&p->table, params->size, params->buckets,
				     params->expire_ns, params->full, params->seed);
	if (err < 0)
		memset(p, 0, sizeof *p);
	return err;
}

void lb_persist_free(struct lb_persist *p)
{
	lb_pers_table_free(&p->table);
	p->ops = NULL;
}

int lb_pers_select(struct lb_persist *p, struct lb_pool *pool,
		   const struct lb_request *req, uint64_t now_ns, int *redispatched)
{
	struct lb_pers_stats *st = &p->table.stats;
	struct lb_pers_key key;
	if (redispatched)
		*redispatched = 0;

	if (p->ops->key(p, req, &key) != 0) {
		st->unkeyed++;
		int s = lb_pick(pool, req, now_ns);
		if (s < 0)
			st->nosrv++;
		return s;
	}

	struct lb_pers_entry *e = lb_pers_table_find(&p->table, &key, now_ns);
	if (e) {
		if (e->server < pool->nservers && lb_pers_server_ok(&pool->servers[e->server]))
			return (int)e->server;
		int s = lb_pick(pool, req, now_ns);
		if (s < 0) {
			st->nosrv++;
			return s; /* -1, or LB_PICK_FULL: the pool's queue */
		}
		/* The entry was refreshed by the find and nothing has touched
		 * the table since, so e is still valid. */
		e->server = (uint32_t)s;
		st->redispatched++;
		if (redispatched)
			*redispatched = 1;
		return s;
	}

	int s = lb_pick(pool, req, now_ns);
	if (s < 0) {
		st->nosrv++;
		return s;
	}
	/* LB_EFULL (a table full under `full: refuse`) is not a failure of
	 * the request: the table keeps its entries and counts the refusal
	 * (stats.refused), and the client is served, only not remembered, as
	 * a real stick table does. LB_EINVAL cannot happen: key() made the
	 * key valid. */
	int stored = lb_pers_table_store(&p->table, &key, (uint32_t)s, now_ns);
	assert(stored != LB_EINVAL);
	(void)stored;
	return s;
}

uint32_t lb_pers_server_removed(struct lb_persist *p, uint32_t server)
{
	return lb_pers_table_remove_server(&p->table, server);
}

uint32_t lb_pers_expire(struct lb_persist *p, uint64_t now_ns, uint32_t max)
{
	return lb_pers_table_expire(&p->table, now_ns, max);
}
