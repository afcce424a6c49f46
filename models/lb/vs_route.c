/* Routing through a virtual service: the request's view by layer, the pool
 * by sub-service, the server by persistence or selection.
 *
 * The layer-4 view is the request with every layer-7 field cleared: the
 * request itself when it has none, else a copy on the stack.
 * Configuration already refuses whatever needs those fields on layer 4
 * (lb_vs_check_needs), so the view is the second wall: an algorithm
 * or persistence method that reads a field it did not declare still sees
 * nothing an L4 device could not, and a simulator that fills every field of
 * every request (the same client model drives all three designs) cannot leak
 * layer-7 data into an L4 design's results.
 *
 * Cost: O(sub-services x value length) for the pool, the first match
 * winning, then lb_pers_select (O(1) expected) or lb_pick. A persistence hit
 * (and whether the table was searched at all) is read from the table's
 * counters around lb_pers_select (one load and a compare each) rather than
 * by a second lookup. Nothing is allocated.
 */
#include "lbsim/lb_vs.h"

#include <assert.h>
#include <stddef.h>

/* Contract: vs has a pool at index pool; r is the view for vs's layer.
 * Chooses the server into out; 0, or -1 (LB_ROUTE_NO_SERVER, or
 * LB_ROUTE_FULL when the server chosen, or every one, is at maxconn). */
static int route_in_pool(struct lb_vs *vs, int pool, const struct lb_request *r,
			 uint64_t now_ns, struct lb_route *out)
{
	struct lb_vs_pool *vp = vs->pools[pool];
	int s;
	if (vp->persist.ops) {
		uint64_t hits = vp->persist.table.stats.hits;
		uint64_t lookups = vp->persist.table.stats.lookups;
		int redispatched = 0;
		s = lb_pers_select(&vp->persist, &vp->pool, r, now_ns, &redispatched);
		out->redispatched = redispatched;
		out->looked_up = vp->persist.table.stats.lookups != lookups;
		out->persisted = s >= 0 && !redispatched &&
				 vp->persist.table.stats.hits != hits;
	} else {
		s = lb_pick(&vp->pool, r, now_ns);
	}
	out->server = s;
	if (s == LB_PICK_FULL || (s >= 0 && lb_server_full(&vp->pool.servers[s]))) {
		out->reason = LB_ROUTE_FULL;
		out->server = s >= 0 ? s : -1;
		out->persisted = 0;
		vs->stats.full++;
		return -1;
	}
	if (s < 0) {
		out->reason = LB_ROUTE_NO_SERVER;
		vs->stats.no_server++;
		return -1;
	}
	vs->stats.routed++;
	if (vp->persist.ops) { /* without persistence both are 0 */
		vs->stats.persisted += (uint64_t)out->persisted;
		vs->stats.redispatched += (uint64_t)out->redispatched;
	}
	return 0;
}

/* The fields only a layer-7 device reads (view_of clears them). */
static int has_l7_fields(const struct lb_request *r)
{
	return r->path || r->host || r->cookie || r->hdr_value;
}

/* The request as vs's layer sees it: req itself on layer 7, or when it
 * carries no layer-7 field (no copy: a layer-4 route per connection,
 * issue 19); else a copy in *l4view with every layer-7 field cleared. */
static const struct lb_request *view_of(const struct lb_vs *vs, const struct lb_request *req,
					struct lb_request *l4view)
{
	if (vs->layer == LB_LAYER_7 || !has_l7_fields(req))
		return req;
	*l4view = *req;
	l4view->path = NULL;
	l4view->host = NULL;
	l4view->cookie = NULL;
	l4view->hdr_value = NULL;
	assert(!has_l7_fields(l4view)); /* the two lists agree */
	return l4view;
}

/* The pool for r: the first sub-service that matches, else the default
 * pool (-1: none). *subservice is the match's index, or -1. */
static int pool_of(const struct lb_vs *vs, const struct lb_request *r, int *subservice)
{
	*subservice = -1;
	for (uint32_t i = 0; i < vs->nsubservices; i++) {
		const struct lb_subservice *ss = &vs->subservices[i];
		if (ss->match->match(ss, r)) {
			*subservice = (int)i;
			return (int)ss->pool;
		}
	}
	return vs->default_pool;
}

void lb_vs_hint(const struct lb_vs *vs, const struct lb_request *req, struct lb_pers_hint *out)
{
	*out = (struct lb_pers_hint){.table = NULL};
	struct lb_request l4view;
	const struct lb_request *r = view_of(vs, req, &l4view);
	int subservice;
	int pool = pool_of(vs, r, &subservice);
	if (pool < 0)
		return;
	const struct lb_vs_pool *vp = vs->pools[pool];
	struct lb_pers_key key;
	if (!vp->persist.ops || vp->persist.ops->key(&vp->persist, r, &key) != 0)
		return;
	lb_pers_table_hint(&vp->persist.table, &key, out);
}

int lb_vs_route(struct lb_vs *vs, const struct lb_request *req, uint64_t now_ns,
		struct lb_route *out)
{
	*out = (struct lb_route){
		.reason = LB_ROUTE_OK, .pool = -1, .server = -1, .subservice = -1,
	};
	vs->stats.requests++;

	struct lb_request l4view;
	const struct lb_request *r = view_of(vs, req, &l4view);
	int pool = pool_of(vs, r, &out->subservice);
	if (out->subservice >= 0)
		vs->subservices[out->subservice].hits++;
	if (pool < 0) {
		/* A layer-4 service without a pool has nothing to send to: that is
		 * a missing server, not a rule that failed to match. */
		out->reason = vs->layer == LB_LAYER_7 ? LB_ROUTE_NO_RULE : LB_ROUTE_NO_SERVER;
		if (out->reason == LB_ROUTE_NO_RULE)
			vs->stats.no_rule++;
		else
			vs->stats.no_server++;
		return -1;
	}
	if (out->subservice < 0 && vs->layer == LB_LAYER_7)
		vs->stats.defaulted++;
	out->pool = pool;
	return route_in_pool(vs, pool, r, now_ns, out);
}

const char *lb_route_reason_name(enum lb_route_reason reason)
{
	switch (reason) {
	case LB_ROUTE_OK:
		return "ok";
	case LB_ROUTE_NO_RULE:
		return "no rule matched";
	case LB_ROUTE_NO_SERVER:
		return "no usable server";
	case LB_ROUTE_FULL:
		return "servers at maxconn";
	}
	return "unknown";
}
