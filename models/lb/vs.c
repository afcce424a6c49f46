/* Virtual services: creation, pools, persistence per pool, sub-services,
 * default pool, expiry and memory. Routing is in vs_route.c, match kinds in
 * vs_rules.c.
 *
 * Layout: the service holds an array of pointers to struct lb_vs_pool, each
 * allocated on its own, so that a pool (and its algorithm's state, and the
 * pointer callers keep from lb_vs_pool) never moves when the array grows;
 * and an array of sub-services in match order, by value, since a route scans
 * them in order and nothing points into them. Both arrays double when full
 * (amortised O(1) per addition). All of it is allocated through vs->mem, the
 * pools and tables through their own struct lb_mem; lb_vs_mem_bytes adds the
 * three up.
 *
 * Every configuration call validates everything before it allocates, and
 * allocates before it changes the service, so a refused call leaves the
 * service as it was (HAProxy's parser does the same with its proxies). The
 * layer check comes first of all, since it is the error a scenario writer is
 * most likely to make and the one whose message teaches the most.
 *
 * Configuration is O(pools + sub-services) per call at worst (the duplicate
 * pool name scan); it happens once, at load time.
 */
#include "lbsim/lb_vs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void vs_msg(char *msg, size_t len, const char *fmt, ...);

/* Contract: msg holds len bytes (msg may be NULL when len is 0). Writes the
 * formatted reason, NUL-terminated and truncated to fit. */
static void vs_msg(char *msg, size_t len, const char *fmt, ...)
{
	if (!msg || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

int lb_vs_check_needs(enum lb_layer layer, unsigned needs, const char *what,
		      char *msg, size_t len)
{
	if (!what)
		what = "this";
	if (layer != LB_LAYER_4 && layer != LB_LAYER_7) {
		vs_msg(msg, len, "%s: layer %d is not a virtual service layer (4 or 7)",
		       what, (int)layer);
		return LB_EINVAL;
	}
	if (needs & ~LB_LAYER7_SEES) {
		vs_msg(msg, len, "%s needs something no virtual service can see "
		       "(need bits 0x%x)", what, needs & ~LB_LAYER7_SEES);
		return LB_EINVAL;
	}
	if (layer == LB_LAYER_4 && (needs & ~LB_LAYER4_SEES)) {
		vs_msg(msg, len, "%s needs layer 7: a layer-4 virtual service cannot read "
		       "the URL, headers or cookies (it sees addresses, ports and the "
		       "cleartext TLS ClientHello)", what);
		return LB_EINVAL;
	}
	return 0;
}

int lb_vs_init(struct lb_vs *vs, const char *name, enum lb_layer layer,
	       uint32_t vip, uint16_t port)
{
	memset(vs, 0, sizeof *vs);
	if (!name)
		name = "";
	if (strlen(name) >= sizeof vs->name)
		return LB_EINVAL;
	if (layer != LB_LAYER_4 && layer != LB_LAYER_7)
		return LB_EINVAL;
	memcpy(vs->name, name, strlen(name) + 1);
	vs->layer = layer;
	vs->vip = vip;
	vs->port = port;
	vs->default_pool = -1;
	return 0;
}

static void pool_slot_free(struct lb_vs *vs, struct lb_vs_pool *vp)
{
	if (vp->persist.ops)
		lb_persist_free(&vp->persist);
	if (vp->pool.sel)
		lb_pool_free(&vp->pool);
	lb_mem_free(&vs->mem, vp, sizeof *vp);
}

void lb_vs_free(struct lb_vs *vs)
{
	for (uint32_t i = 0; i < vs->npools; i++)
		pool_slot_free(vs, vs->pools[i]);
	lb_mem_free(&vs->mem, vs->pools, vs->pools_cap * sizeof *vs->pools);
	lb_mem_free(&vs->mem, vs->subservices,
		    vs->subservices_cap * sizeof *vs->subservices);
	struct lb_mem mem = vs->mem;
	memset(vs, 0, sizeof *vs);
	vs->mem = mem;
	vs->default_pool = -1;
}

/* Contract: *arr holds *cap elements of elem bytes, n of them used, all
 * accounted in mem. Makes room for one more: 0, or -1 when memory is short
 * (then *arr and *cap are unchanged). */
static int grow(struct lb_mem *mem, void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	if (*cap > UINT32_MAX / 2)
		return LB_ETOOMANY;
	uint32_t ncap = *cap ? *cap * 2 : 4;
	void *p = lb_mem_alloc(mem, (size_t)ncap * elem);
	if (!p)
		return LB_ENOMEM;
	if (*arr)
		memcpy(p, *arr, (size_t)n * elem);
	lb_mem_free(mem, *arr, (size_t)*cap * elem);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* "balance NAME" or "balance hdr(HEADER)", as a scenario writes it. */
static void balance_what(char *buf, size_t len, const struct lb_sel_ops *sel,
			 const struct lb_sel_params *params)
{
	if (sel == &lb_sel_hdr && params && params->hdr_name[0])
		snprintf(buf, len, "balance %s(%s)", sel->name, params->hdr_name);
	else
		snprintf(buf, len, "balance %s", sel->name);
}

int lb_vs_add_pool(struct lb_vs *vs, const char *name, uint32_t nservers,
		   const uint32_t *weights, const struct lb_sel_ops *sel,
		   const struct lb_sel_params *params, char *msg, size_t len)
{
	char what[96];
	if (!sel) {
		char names[256];
		vs_msg(msg, len, "unknown balance algorithm; valid: %s",
		       lb_sel_names(names, sizeof names));
		return LB_EINVAL;
	}
	balance_what(what, sizeof what, sel, params);
	if (lb_vs_check_needs(vs->layer, sel->needs, what, msg, len) != 0)
		return LB_EINVAL;
	if (vs->layer == LB_LAYER_4 && vs->npools > 0) {
		vs_msg(msg, len, "a layer-4 virtual service sends to one pool: without "
		       "sub-services nothing could choose pool %s", name ? name : "");
		return LB_EINVAL;
	}
	if (!name || !name[0] || strlen(name) >= sizeof vs->pools[0]->pool.name) {
		vs_msg(msg, len, "a pool name is 1 to %zu characters",
		       sizeof vs->pools[0]->pool.name - 1);
		return LB_EINVAL;
	}
	if (lb_vs_pool_find(vs, name) >= 0) {
		vs_msg(msg, len, "pool %s is already defined in this virtual service", name);
		return LB_EINVAL;
	}
	if (nservers == 0) {
		vs_msg(msg, len, "pool %s has no server", name);
		return LB_EINVAL;
	}
	for (uint32_t i = 0; weights && i < nservers; i++) {
		if (weights[i] > LB_MAX_WEIGHT) {
			vs_msg(msg, len, "pool %s: server %u has weight %u, above the maximum %d",
			       name, i, weights[i], LB_MAX_WEIGHT);
			return LB_EINVAL;
		}
	}
	struct lb_sel_params defaults;
	memset(&defaults, 0, sizeof defaults);
	char buf[200];
	const char *why = lb_sel_check(sel, params ? params : &defaults, nservers, buf, sizeof buf,
				       NULL);
	if (why) {
		vs_msg(msg, len, "pool %s: %s: %s", name, what, why);
		return LB_EINVAL;
	}

	void *arr = vs->pools;
	if (grow(&vs->mem, &arr, &vs->pools_cap, vs->npools, sizeof *vs->pools) != 0)
		goto nomem;
	vs->pools = arr;
	struct lb_vs_pool *vp = lb_mem_alloc(&vs->mem, sizeof *vp);
	if (!vp)
		goto nomem;
	if (lb_pool_init(&vp->pool, name, nservers, weights, sel, params) != 0) {
		lb_mem_free(&vs->mem, vp, sizeof *vp);
		goto nomem;
	}
	vs->pools[vs->npools] = vp;
	if (vs->layer == LB_LAYER_4)
		vs->default_pool = 0;
	return (int)vs->npools++;

nomem:
	vs_msg(msg, len, "pool %s: out of memory", name);
	return LB_ENOMEM;
}

struct lb_pool *lb_vs_pool(struct lb_vs *vs, uint32_t index)
{
	return index < vs->npools ? &vs->pools[index]->pool : NULL;
}

int lb_vs_pool_find(const struct lb_vs *vs, const char *name)
{
	for (uint32_t i = 0; name && i < vs->npools; i++)
		if (strcmp(vs->pools[i]->pool.name, name) == 0)
			return (int)i;
	return -1;
}

int lb_vs_set_persist(struct lb_vs *vs, uint32_t pool, const struct lb_pers_ops *ops,
		      const struct lb_pers_params *params, char *msg, size_t len)
{
	if (pool >= vs->npools) {
		vs_msg(msg, len, "persistence for pool %u: the service has %u pools",
		       pool, vs->npools);
		return LB_ERANGE;
	}
	struct lb_vs_pool *vp = vs->pools[pool];
	if (!ops) {
		if (vp->persist.ops)
			lb_persist_free(&vp->persist);
		memset(&vp->persist, 0, sizeof vp->persist);
		return 0;
	}
	char what[64];
	snprintf(what, sizeof what, "persist %s", ops->name);
	if (lb_vs_check_needs(vs->layer, ops->needs, what, msg, len) != 0)
		return LB_EINVAL;
	if (!params) {
		vs_msg(msg, len, "%s: no parameters (size, expire) given", what);
		return LB_EINVAL;
	}
	char buf[200];
	const char *why = lb_pers_check(ops, params, buf, sizeof buf, NULL);
	if (why) {
		vs_msg(msg, len, "%s: %s", what, why);
		return LB_EINVAL;
	}
	struct lb_persist fresh;
	if (lb_persist_init(&fresh, ops, params) != 0) {
		vs_msg(msg, len, "%s: out of memory for a table of %u entries", what,
		       params->size);
		return LB_ENOMEM;
	}
	if (vp->persist.ops)
		lb_persist_free(&vp->persist);
	/* Moving a struct lb_persist is safe: its table points to heap blocks,
	 * never into itself, and frees through its own (moved) lb_mem. */
	vp->persist = fresh;
	return 0;
}

int lb_vs_add_subservice(struct lb_vs *vs, const struct lb_match_ops *match,
			 const char *value, uint32_t pool, char *msg, size_t len)
{
	if (!match || !match->match) {
		char names[128];
		vs_msg(msg, len, "unknown sub-service match; valid: %s",
		       lb_match_names(names, sizeof names));
		return LB_EINVAL;
	}
	char what[96];
	snprintf(what, sizeof what, "sub-service %s %.40s", match->name, value ? value : "");
	if (lb_vs_check_needs(vs->layer, match->needs, what, msg, len) != 0)
		return LB_EINVAL;
	if (vs->layer != LB_LAYER_7) {
		vs_msg(msg, len, "%s: only a layer-7 virtual service has sub-services", what);
		return LB_EINVAL;
	}
	if (pool >= vs->npools) {
		vs_msg(msg, len, "%s: no pool %u (the service has %u)", what, pool, vs->npools);
		return LB_ERANGE;
	}
	size_t n = value ? strlen(value) : 0;
	if (n == 0 || n > LB_SUBSERVICE_VALUE_MAX) {
		vs_msg(msg, len, "%s: the value is 1 to %d characters", what,
		       LB_SUBSERVICE_VALUE_MAX);
		return LB_EINVAL;
	}
	const char *why = match->check ? match->check(value) : NULL;
	if (why) {
		vs_msg(msg, len, "%s: %s", what, why);
		return LB_EINVAL;
	}
	void *arr = vs->subservices;
	if (grow(&vs->mem, &arr, &vs->subservices_cap, vs->nsubservices,
		 sizeof *vs->subservices) != 0) {
		vs_msg(msg, len, "%s: out of memory", what);
		return LB_ENOMEM;
	}
	vs->subservices = arr;
	struct lb_subservice *ss = &vs->subservices[vs->nsubservices];
	memset(ss, 0, sizeof *ss);
	ss->match = match;
	ss->pool = pool;
	ss->len = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		char c = value[i];
		ss->value[i] = (match->icase && c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
	}
	return (int)vs->nsubservices++;
}

int lb_vs_set_default(struct lb_vs *vs, int pool)
{
	if (vs->layer != LB_LAYER_7 || pool < -1 || (pool >= 0 && (uint32_t)pool >= vs->npools))
		return LB_EINVAL;
	vs->default_pool = pool;
	return 0;
}

uint32_t lb_vs_expire(struct lb_vs *vs, uint64_t now_ns, uint32_t max)
{
	uint32_t freed = 0;
	for (uint32_t i = 0; i < vs->npools; i++)
		if (vs->pools[i]->persist.ops)
			freed += lb_pers_expire(&vs->pools[i]->persist, now_ns, max);
	return freed;
}

size_t lb_vs_mem_peak_bytes(const struct lb_vs *vs)
{
	size_t bytes = vs->mem.peak;
	for (uint32_t i = 0; i < vs->npools; i++) {
		const struct lb_vs_pool *vp = vs->pools[i];
		bytes += vp->pool.mem.peak;
		if (vp->persist.ops)
			bytes += vp->persist.table.mem.peak;
	}
	return bytes;
}

size_t lb_vs_mem_bytes(const struct lb_vs *vs)
{
	size_t bytes = vs->mem.live;
	for (uint32_t i = 0; i < vs->npools; i++) {
		const struct lb_vs_pool *vp = vs->pools[i];
		bytes += lb_pool_mem_bytes(&vp->pool);
		if (vp->persist.ops)
			bytes += lb_pers_mem_bytes(&vp->persist);
	}
	return bytes;
}
