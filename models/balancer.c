/* The three balancer designs, built from the core's virtual services; see
 * include/lbsim/balancer.h.
 *
 * Each design is one or more struct lb_vs: l4 one layer-4 service with one
 * pool; l4-multi one layer-4 service per workload; l7 one layer-7 service
 * with a path-prefix sub-service and a pool per workload. Every pool lists
 * every server (a server runs every workload), so a pool's server index is
 * the server's number. Health checks feed exactly one (service, pool)
 * each, so a server's state in a pool is its one check's state.
 */
#include "lbsim/balancer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_CAP 4096

/* The workload whose Managed Availability page path is, or -1. */
static int workload_of_page(const char *path)
{
	for (int w = 0; w < WL_COUNT; w++)
		if (strcmp(workload_health_path((enum workload)w), path) == 0)
			return w;
	return -1;
}

static int add_pool(struct balancer *b, struct lb_vs *vs, const char *name,
		    const struct scenario *scn, const struct scn_design *d, char *msg, size_t len)
{
	int p = lb_vs_add_pool(vs, name, scn->servers.count, NULL, d->balance, &d->sel_params,
			       msg, len);
	if (p < 0)
		return -1;
	if (d->persist && lb_vs_set_persist(vs, (uint32_t)p, d->persist, &d->pers_params, msg, len) != 0)
		return -1;
	(void)b;
	return p;
}

static int add_check(struct balancer *b, const struct scn_design *d, uint32_t vs, uint32_t pool,
		     uint32_t server, int workload, uint64_t first_probe)
{
	struct bal_check *c = &b->checks[b->nchecks];
	struct lb_hc_params params = d->check.params;
	const struct lb_hc_ops *ops = d->check.kind ? d->check.kind : &lb_hc_http;
	if (ops->default_path && workload >= 0 && !params.path[0])
		snprintf(params.path, sizeof params.path, "%s", workload_health_path((enum workload)workload));
	if (!ops->default_path)
		workload = -1; /* tcp: sees only that the server is up */
	if (lb_hc_init(&c->hc, ops, &params, b->nchecks, server, workload, &b->log, first_probe) != 0)
		return -1;
	c->vs = vs;
	c->pool = pool;
	c->workload = workload;
	b->nchecks++;
	return 0;
}

int balancer_init(struct balancer *b, const struct scenario *scn, const struct scn_design *d,
		  char *msg, size_t len)
{
	memset(b, 0, sizeof *b);
	b->kind = d->kind;
	b->per_request = d->kind == SCN_DESIGN_L7;
	uint32_t n = scn->servers.count;
	b->nvs = d->kind == SCN_DESIGN_L4_MULTI ? WL_COUNT : 1;
	uint32_t nchecks = d->kind == SCN_DESIGN_L4 ? n : n * WL_COUNT;
	b->vs = calloc(b->nvs, sizeof *b->vs);
	b->checks = calloc(nchecks, sizeof *b->checks);
	if (!b->vs || !b->checks || lb_hc_log_init(&b->log, LOG_CAP) != 0) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	uint64_t inter = d->check.params.inter_ns ? d->check.params.inter_ns : LB_HC_DEFAULT_INTER_NS;
	/* Probes spread evenly over one interval, as HAProxy spreads its
	 * checks, rather than all at time zero. */
#define FIRST_PROBE(i) ((uint64_t)(i) * inter / nchecks)

	if (d->kind == SCN_DESIGN_L4) {
		if (lb_vs_init(&b->vs[0], "l4", LB_LAYER_4, 0, 443) != 0 ||
		    add_pool(b, &b->vs[0], "all", scn, d, msg, len) < 0)
			return -1;
		/* One check per server, on one page (OWA's by default): the
		 * article's l4. A page that is no workload's health page sees
		 * only whether the server is up. */
		const char *page = d->check.params.path[0] ? d->check.params.path
							   : workload_health_path(WL_OWA);
		int wl = workload_of_page(page);
		for (uint32_t s = 0; s < n; s++)
			if (add_check(b, d, 0, 0, s, wl, FIRST_PROBE(s)) != 0)
				goto bad_check;
		b->external_ips = 1;
	} else if (d->kind == SCN_DESIGN_L4_MULTI) {
		for (uint32_t w = 0; w < WL_COUNT; w++) {
			/* The core keeps 31 bytes of a name: the workload says enough. */
			if (lb_vs_init(&b->vs[w], workload_name((enum workload)w), LB_LAYER_4, w + 1,
				       443) != 0 ||
			    add_pool(b, &b->vs[w], workload_name((enum workload)w), scn, d, msg, len) < 0)
				return -1;
			for (uint32_t s = 0; s < n; s++)
				if (add_check(b, d, w, 0, s, (int)w, FIRST_PROBE(w * n + s)) != 0)
					goto bad_check;
		}
		b->external_ips = WL_COUNT;
	} else {
		if (lb_vs_init(&b->vs[0], "l7", LB_LAYER_7, 0, 443) != 0)
			return -1;
		for (uint32_t w = 0; w < WL_COUNT; w++) {
			int p = add_pool(b, &b->vs[0], workload_name((enum workload)w), scn, d, msg, len);
			if (p < 0 || lb_vs_add_subservice(&b->vs[0], &lb_match_path_prefix,
							  workload_path((enum workload)w),
							  (uint32_t)p, msg, len) < 0)
				return -1;
			for (uint32_t s = 0; s < n; s++)
				if (add_check(b, d, 0, (uint32_t)p, s, (int)w, FIRST_PROBE(w * n + s)) != 0)
					goto bad_check;
		}
		b->external_ips = 1;
	}
#undef FIRST_PROBE
	return 0;
bad_check:
	snprintf(msg, len, "design '%s': the health check's parameters are refused", d->name);
	return -1;
}

void balancer_free(struct balancer *b)
{
	for (uint32_t i = 0; b->vs && i < b->nvs; i++)
		lb_vs_free(&b->vs[i]);
	free(b->vs);
	free(b->checks);
	lb_hc_log_free(&b->log);
	memset(b, 0, sizeof *b);
}

void balancer_route(struct balancer *b, const struct lb_request *req, enum workload w,
		    uint64_t now_ns, struct bal_route *out)
{
	uint32_t v = b->kind == SCN_DESIGN_L4_MULTI ? (uint32_t)w : 0;
	struct lb_route r;
	memset(out, 0, sizeof *out);
	out->vs = (int16_t)v;
	if (lb_vs_route(&b->vs[v], req, now_ns, &r) != 0) {
		out->server = -1;
		out->pool = (int16_t)r.pool;
		out->fail = BAL_NO_SERVER;
		return;
	}
	out->server = r.server;
	out->pool = (int16_t)r.pool;
	out->persisted = (uint8_t)r.persisted;
	out->redispatched = (uint8_t)r.redispatched;
	b->redispatched += (uint64_t)r.redispatched;
	lb_conn_open(lb_vs_pool(&b->vs[v], (uint32_t)r.pool), (uint32_t)r.server);
}

void balancer_prefetch(const struct balancer *b, const struct lb_request *req, enum workload w)
{
	uint32_t v = b->kind == SCN_DESIGN_L4_MULTI ? (uint32_t)w : 0;
	lb_vs_prefetch(&b->vs[v], req);
}

void balancer_release(struct balancer *b, const struct bal_route *r)
{
	if (r->server < 0)
		return;
	lb_conn_close(lb_vs_pool(&b->vs[r->vs], (uint32_t)r->pool), (uint32_t)r->server);
}

int balancer_probe_result(struct balancer *b, uint32_t i, uint64_t now_ns, int ok)
{
	struct bal_check *c = &b->checks[i];
	if (!lb_hc_result(&c->hc, now_ns, ok))
		return 0;
	struct lb_pool *pool = lb_vs_pool(&b->vs[c->vs], c->pool);
	lb_server_set_healthy(pool, c->hc.server, c->hc.up);
	return 1;
}

size_t balancer_mem_peak_bytes(const struct balancer *b)
{
	size_t sum = 0;
	for (uint32_t i = 0; i < b->nvs; i++)
		sum += lb_vs_mem_peak_bytes(&b->vs[i]);
	return sum;
}

size_t balancer_mem_bytes(const struct balancer *b)
{
	size_t sum = 0;
	for (uint32_t i = 0; i < b->nvs; i++)
		sum += lb_vs_mem_bytes(&b->vs[i]);
	return sum;
}
