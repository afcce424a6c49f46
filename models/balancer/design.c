/* The three balancer designs, built from the core's virtual services; see
 * include/lbsim/balancer.h.
 *
 * Each design is one or more struct lb_vs: l4 one layer-4 service with one
 * pool; l4-multi one layer-4 service per workload; l7 one layer-7 service
 * with a path-prefix sub-service and a pool per workload. Every pool lists
 * every server (a server runs every workload), so a pool's server index is
 * the server's number. Health checks feed exactly one (service, pool)
 * each, so a server's state in a pool is its one check's state.
 *
 * This file builds and frees a design and answers what it is made of;
 * traffic.c handles connections and requests, checks.c the probes,
 * ledger.c the counts and their price.
 */
#include "balancer_internal.h"
#include "lbsim/network.h"
#include "lbsim/lb_hash.h"

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

/* A pool of every server of scn, each with its weight (servers: list:;
 * HAProxy's `weight`, 1 unless set). */
static int add_pool(struct lb_vs *vs, const char *name, const struct scenario *scn,
		    const struct scn_design *d, char *msg, size_t len)
{
	uint32_t n = scn->servers.count;
	uint32_t *weights = NULL;
	if (scn->servers.each) {
		weights = malloc(n * sizeof *weights);
		if (!weights) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
		for (uint32_t i = 0; i < n; i++)
			weights[i] = scn_server_weight(&scn->servers, i);
	}
	int p = lb_vs_add_pool(vs, name, n, weights, d->balance, &d->sel_params, msg, len);
	free(weights);
	/* maxconn and backup (HAProxy's server keywords) set once, before
	 * any traffic: the backup election runs on each change. */
	struct lb_pool *pool = p >= 0 ? lb_vs_pool(vs, (uint32_t)p) : NULL;
	for (uint32_t i = 0; pool && i < n; i++) {
		lb_server_set_maxconn(pool, i, scn_server_maxconn(&scn->servers, i));
		if (scn_server_backup(&scn->servers, i) &&
		    lb_server_set_backup(pool, i, 1) != 0) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
	}
	if (p < 0)
		return -1;
	if (d->persist && lb_vs_set_persist(vs, (uint32_t)p, d->persist, &d->pers_params, msg, len) != 0)
		return -1;
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

/* The workloads a design gives a namespace (l4-multi: a VIP; l7: a content
 * rule and its pool), with its checks: those some population uses. A
 * workload no client asks for would cost a VIP, an external address and
 * a check per server in a real configuration for nothing, overstating the
 * very cost a layer-4 design with one namespace per workload is weighed
 * by. */
static uint32_t namespaces_of(const struct scenario *scn)
{
	return scn_workloads_used(scn);
}

static uint32_t count_bits(uint32_t mask)
{
	uint32_t n = 0;
	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* Pools of a design: one (l4), or one per namespace. */
static uint32_t pools_of(const struct scenario *scn, const struct scn_design *d)
{
	return d->kind == SCN_DESIGN_L4 ? 1 : count_bits(namespaces_of(scn));
}

uint32_t balancer_nchecks_of(const struct scenario *scn, const struct scn_design *d)
{
	return scn->servers.count * pools_of(scn, d);
}

int balancer_init(struct balancer *b, const struct scenario *scn, const struct scn_design *d,
		  double probe_phase, char *msg, size_t len)
{
	memset(b, 0, sizeof *b);
	b->kind = d->kind;
	b->per_request = d->kind == SCN_DESIGN_L7;
	b->terminates_tls = d->kind == SCN_DESIGN_L7;
	b->reencrypt = d->kind == SCN_DESIGN_L7 && d->tls_reencrypt;
	b->impl = d->kind == SCN_DESIGN_L7 ? COST_IMPL_PROXY : d->impl;
	b->kernel = b->impl != COST_IMPL_PROXY;
	b->backend_rtt_ns = (double)d->backend_rtt;
	b->threads = d->lb_cores;
	b->cert = d->cert;
	b->cipher = d->cipher;
	b->reuse = d->reuse;
	b->ledger.price = &d->costs;
	bal_traffic_init(b);
	uint32_t n = scn->servers.count;
	uint32_t used = namespaces_of(scn);
	/* l4-multi: a virtual service per workload, indexed by workload (a
	 * connection names its VIP by its workload); those of workloads no
	 * one uses stay empty and uncounted. */
	b->nvs = d->kind == SCN_DESIGN_L4_MULTI ? WL_COUNT : 1;
	uint32_t nchecks = balancer_nchecks_of(scn, d);
	b->vs = calloc(b->nvs, sizeof *b->vs);
	b->checks = calloc(nchecks, sizeof *b->checks);
	/* Layer 7: an idle list per (workload pool, server). */
	uint32_t nlists = d->kind == SCN_DESIGN_L7 ? WL_COUNT * n : 0;
	double idle_ns = d->costs.backend_idle_timeout_s * 1e9;
	if (!b->vs || !b->checks || lb_hc_log_init(&b->log, LOG_CAP) != 0 ||
	    bal_backends_init(&b->backends, nlists, idle_ns < 1 ? 1 : (uint64_t)idle_ns) != 0) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	uint64_t inter = d->check.params.inter_ns ? d->check.params.inter_ns : LB_HC_DEFAULT_INTER_NS;
	/* The first probes spread evenly over one interval, as HAProxy
	 * spreads its first checks (checks.c, start_check_task: the check's
	 * first run at start + inter x rank / checks), from an offset of
	 * probe_phase intervals: when the balancer started, relative to the
	 * run's clock. rank x inter / n is computed in two parts so that it
	 * cannot overflow (inter up to 30 days in ns, n up to 8 x 1024). */
	if (!(probe_phase >= 0 && probe_phase < 1))
		probe_phase = 0;
	uint64_t offset = (uint64_t)(probe_phase * (double)inter);
#define FIRST_PROBE(i)                                                                     \
	((offset + inter / nchecks * (uint64_t)(i) + inter % nchecks * (uint64_t)(i) / nchecks) % \
	 inter)

	if (d->kind == SCN_DESIGN_L4) {
		if (lb_vs_init(&b->vs[0], "l4", LB_LAYER_4, 0, 443) != 0 ||
		    add_pool(&b->vs[0], "all", scn, d, msg, len) < 0)
			return -1;
		b->namespaces = 1;
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
			if (!(used >> w & 1u))
				continue;
			/* The core keeps 31 bytes of a name: the workload says enough. */
			if (lb_vs_init(&b->vs[w], workload_name((enum workload)w), LB_LAYER_4, w + 1,
				       443) != 0 ||
			    add_pool(&b->vs[w], workload_name((enum workload)w), scn, d, msg, len) < 0)
				return -1;
			for (uint32_t s = 0; s < n; s++)
				if (add_check(b, d, w, 0, s, (int)w, FIRST_PROBE(b->nchecks)) != 0)
					goto bad_check;
			b->external_ips++;
			b->namespaces++;
		}
	} else {
		if (lb_vs_init(&b->vs[0], "l7", LB_LAYER_7, 0, 443) != 0 ||
		    bal_queues_init(b, WL_COUNT, n) != 0) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
		b->backend_setup_ns = (double)network_backend_round_trips(b->reencrypt) *
				      (double)d->backend_rtt;
		for (uint32_t w = 0; w < WL_COUNT; w++) {
			if (!(used >> w & 1u))
				continue;
			int p = add_pool(&b->vs[0], workload_name((enum workload)w), scn, d, msg, len);
			if (p < 0 || lb_vs_add_subservice(&b->vs[0], &lb_match_path_prefix,
							  workload_path((enum workload)w),
							  (uint32_t)p, msg, len) < 0)
				return -1;
			for (uint32_t s = 0; s < n; s++)
				if (add_check(b, d, 0, (uint32_t)p, s, (int)w, FIRST_PROBE(b->nchecks)) != 0)
					goto bad_check;
			b->namespaces++;
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
	bal_queues_free(b);
	lb_hc_log_free(&b->log);
	bal_backends_free(&b->backends);
	memset(b, 0, sizeof *b);
}

struct bal_stats balancer_stats(const struct balancer *b)
{
	struct bal_stats s = b->stats;
	s.routed = s.persisted = 0;
	s.content_rules = 0;
	for (uint32_t i = 0; i < b->nvs; i++) {
		s.routed += b->vs[i].stats.routed;
		s.persisted += b->vs[i].stats.persisted;
		s.content_rules += b->vs[i].nsubservices;
	}
	/* l4-multi: the virtual services of workloads in use (the others'
	 * slots stay empty); l4 and l7: one. */
	s.virtual_services = b->kind == SCN_DESIGN_L4_MULTI ? b->namespaces : 1;
	s.health_checks = b->nchecks;
	s.external_ips = b->external_ips;
	return s;
}

double balancer_mem_estimate(const struct scenario *scn, const struct scn_design *d)
{
	double bytes = 0;
	/* Persistence tables: one per pool, sized as the core sizes them. */
	if (d->persist) {
		double pools = pools_of(scn, d);
		bytes += pools * (double)lb_pers_table_bytes(d->pers_params.size, d->pers_params.buckets);
	}
	/* Maglev tables: one per pool, and while one is rebuilt (a server
	 * going down or up) the new beside the old (models/lb/sel_tab.h). */
	if (d->sel_params.hash_type == LB_HASH_MAGLEV) {
		double pools = pools_of(scn, d);
		double size = d->sel_params.table_size ? d->sel_params.table_size
							: LB_MAGLEV_DEFAULT_SIZE;
		bytes += pools * 2 * size * sizeof(uint32_t);
	}
	/* Health checks and their log. */
	bytes += (double)balancer_nchecks_of(scn, d) * sizeof(struct bal_check) +
		 LOG_CAP * sizeof(struct lb_hc_event);
	return bytes;
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
