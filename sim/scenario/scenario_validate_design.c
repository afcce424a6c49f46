/* Checking and converting the designs of a scenario: kind, selection
 * algorithm and its parameters, persistence, health check, re-encryption
 * and balancer cost overrides.
 *
 * Whatever the balancer core can judge, it judges: the algorithm's own
 * check (lb_sel_check: prime maglev tables, bounded load only on a ring)
 * and what a layer can see (lb_vs_check_needs: cookie persistence needs
 * layer 7), so the scenario refuses exactly what the core would refuse
 * when the design is built, in the core's words, at the key that asked
 * for it. The loader adds what the core cannot know: which keys apply to
 * which algorithm, method, check kind and design kind (a key that does
 * not apply is refused, never ignored).
 *
 * Cost: linear in the size of the designs.
 */
#include "scenario_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/lb_hash.h"
#include "lbsim/lb_vs.h"

#define MAX_DRAWS 16u
#define MAX_BALANCE_FACTOR 100.0
#define MAX_TABLE_SIZE (1u << 24)
#define MAX_NETMASK 32u
#define MAX_RISE_FALL 100u
#define MAX_COST_AMOUNT 1e12     /* bytes or buckets: a terabyte per object is absurd already */
#define MAX_MTU 65535u
#define MAX_RING_POINTS 1000u

static const char *const design_kind_names[] = {
	[SCN_DESIGN_L4] = "l4",
	[SCN_DESIGN_L4_MULTI] = "l4-multi",
	[SCN_DESIGN_L7] = "l7",
};

static const char *const pers_full_names[] = {
	[LB_PERS_FULL_LRU] = "lru",
	[LB_PERS_FULL_REFUSE] = "refuse",
};

static const char *const hc_init_names[] = {
	[LB_HC_INIT_UP] = "up",
	[LB_HC_INIT_FULLY_UP] = "fully-up",
	[LB_HC_INIT_DOWN] = "down",
	[LB_HC_INIT_FULLY_DOWN] = "fully-down",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *scn_design_kind_name(enum scn_design_kind kind)
{
	return (size_t)kind < COUNT_OF(design_kind_names) ? design_kind_names[kind] : "unknown";
}

/* What one design's checks need to know about it. */
struct design_ctx {
	struct scn_ctx *c;
	const struct scn_raw_design *rd;
	yaml_node_t *map;
	enum scn_design_kind kind;
	int kind_ok;               /* kind was understood */
	uint32_t nservers;
	struct scn_design *d;
};

/* Why lb_sel_parse() refused text: an unknown name, or an argument where
 * none is taken, or a missing or malformed one (only hdr takes one). */
static void bad_balance(struct scn_ctx *c, const yaml_node_t *node, const char *text)
{
	char base[64], shown[160];
	size_t len = strcspn(text, "(");
	const struct lb_sel_ops *ops = NULL;
	if (len < sizeof base) {
		memcpy(base, text, len);
		base[len] = '\0';
		ops = lb_sel_find(base);
	}
	scn_quote(shown, sizeof shown, text);
	if (ops == &lb_sel_hdr) {
		scn_report(c, node, "balance %s needs a header name in parentheses, "
			   "as in hdr(Host)", shown);
	} else if (ops) {
		scn_report(c, node, "balance %s: '%s' takes no argument", shown, ops->name);
	} else {
		const char *names[64];
		size_t n = lb_sel_registry_len < COUNT_OF(names) ? lb_sel_registry_len
								 : COUNT_OF(names);
		for (size_t i = 0; i < n; i++)
			names[i] = lb_sel_registry[i]->name;
		scn_unknown_name(c, node, "balance", text, len, names, n);
	}
}

/* The algorithm of a design and the header of hdr(NAME); NULL when the
 * balance is wrong (reported). */
static const struct lb_sel_ops *balance(struct design_ctx *x)
{
	struct scn_ctx *c = x->c;
	const struct lb_sel_ops *ops;
	struct lb_sel_params *params = &x->d->sel_params;

	memset(params, 0, sizeof *params);
	if (!x->rd->balance) {
		ops = lb_sel_find("roundrobin");
		if (!ops)
			scn_report(c, x->map, "this build has no default balance 'roundrobin'");
		return ops;
	}
	yaml_node_t *node = scn_value_of(c, x->map, "balance");
	if (!scn_has_value(c, node, "balance"))
		return NULL;
	ops = lb_sel_parse(x->rd->balance, params);
	if (!ops) {
		bad_balance(c, node, x->rd->balance);
		return NULL;
	}
	if ((ops->needs & LB_NEED_L7) && x->kind_ok && x->kind != SCN_DESIGN_L7)
		scn_report(c, node, "balance '%s' needs layer-7 data; a kind %s design sees "
			   "only addresses and ports", ops->name, scn_design_kind_name(x->kind));
	return ops;
}

/* The algorithms that take hash-type, hash-function and avalanche. */
static int is_hashing(const struct lb_sel_ops *ops)
{
	return ops == &lb_sel_source || ops == &lb_sel_uri || ops == &lb_sel_hdr;
}

/* NGINX and IPVS have no choice of hash function or avalanche. */
static int own_formulas(uint32_t profile)
{
	return profile == LB_PROFILE_NGINX || profile == LB_PROFILE_IPVS;
}

/* profile: whose hashing the design reproduces (lb_hash.h). */
static void profile_key(struct design_ctx *x, const struct lb_sel_ops *ops, int hashing)
{
	struct scn_ctx *c = x->c;
	const char *names[LB_PROFILE_COUNT];
	for (uint32_t i = 0; i < LB_PROFILE_COUNT; i++)
		names[i] = lb_hash_profile_name(i);
	if (ops && !hashing) {
		scn_not_here(c, x->map, "profile", "hashing algorithms (source, uri, hdr), not %s: "
			     "the others are lbsim's own", ops->name);
		return;
	}
	int k = scn_pick(c, x->map, "profile", x->rd->profile, names, LB_PROFILE_COUNT);
	if (k < 0)
		return;
	x->d->sel_params.profile = (uint32_t)k;
	if (k == LB_PROFILE_IPVS && x->kind_ok && x->kind == SCN_DESIGN_L7)
		scn_report(c, scn_value_of(c, x->map, "profile"), "profile ipvs is a layer-4 "
			   "balancer; a kind l7 design terminates TLS, which takes a proxy "
			   "(haproxy or nginx)");
}

/* Report at node what the algorithm's own check says of the parameters
 * so far, prefixed by prefix. 0 when it accepts them. */
static int sel_check(struct design_ctx *x, const struct lb_sel_ops *ops,
		     const yaml_node_t *node, const char *prefix)
{
	const char *why = lb_sel_check(ops, &x->d->sel_params, x->nservers);
	if (!why)
		return 0;
	scn_report(x->c, node, "%s%s", prefix, why);
	return -1;
}

/* The parameters of the algorithm ops (NULL when the balance was wrong:
 * the values are still checked, not whether they apply). The algorithm's
 * check runs as each group of keys is added, so that what it refuses is
 * placed at the key that brought it in. */
static void sel_keys(struct design_ctx *x, const struct lb_sel_ops *ops)
{
	struct scn_ctx *c = x->c;
	const struct scn_raw_design *rd = x->rd;
	struct lb_sel_params *params = &x->d->sel_params;
	int hashing = ops && is_hashing(ops);
	int type = -1;
	char shown[160];

	if (rd->profile)
		profile_key(x, ops, hashing);
	if (rd->hash_type) {
		const char *names[LB_HASH_TYPE_COUNT];
		for (uint32_t i = 0; i < LB_HASH_TYPE_COUNT; i++)
			names[i] = lb_hash_type_name(i);
		if (ops && !hashing)
			scn_not_here(c, x->map, "hash-type", "hashing algorithms (source, uri, "
				     "hdr), not %s", ops->name);
		else if ((type = scn_pick(c, x->map, "hash-type", rd->hash_type, names,
					  LB_HASH_TYPE_COUNT)) >= 0)
			params->hash_type = (uint32_t)type;
	} else {
		type = (int)params->hash_type;
	}
	if (rd->hash_function) {
		const char *names[LB_HASHFN_COUNT];
		for (uint32_t i = 0; i < LB_HASHFN_COUNT; i++)
			names[i] = lb_hash_function_name(i);
		int fn;
		if (ops && !hashing)
			scn_not_here(c, x->map, "hash-function", "hashing algorithms (source, uri, "
				     "hdr), not %s", ops->name);
		else if (own_formulas(params->profile))
			scn_not_here(c, x->map, "hash-function", "profiles lbsim and haproxy: %s "
				     "hashes with its own formulas",
				     lb_hash_profile_name(params->profile));
		else if ((fn = scn_pick(c, x->map, "hash-function", rd->hash_function, names,
					LB_HASHFN_COUNT)) >= 0)
			params->hash_function = (uint32_t)fn;
	}
	if (rd->avalanche) {
		int on;
		if (ops && !hashing)
			scn_not_here(c, x->map, "avalanche", "hashing algorithms (source, uri, "
				     "hdr), not %s", ops->name);
		else if (own_formulas(params->profile))
			scn_not_here(c, x->map, "avalanche", "profiles lbsim and haproxy: %s "
				     "hashes with its own formulas",
				     lb_hash_profile_name(params->profile));
		else if (scn_bool(c, x->map, "avalanche", rd->avalanche, &on) == 0)
			params->hash_avalanche = (uint32_t)on;
	}
	/* Each balancer's default function; HAProxy's `hash-type
	 * consistent` without a function also means avalanche. */
	if (!rd->hash_function)
		params->hash_function = lb_hash_profile_default_function(params->profile);
	if (params->profile == LB_PROFILE_HAPROXY && !rd->hash_function && !rd->avalanche &&
	    params->hash_type == LB_HASH_CONSISTENT)
		params->hash_avalanche = 1;
	if (ops && rd->balance) {
		char prefix[200];
		snprintf(prefix, sizeof prefix, "balance %s: ",
			 scn_quote(shown, sizeof shown, rd->balance));
		if (sel_check(x, ops, scn_value_of(c, x->map, "balance"), prefix) != 0)
			return;
	}

	if (rd->table_size) {
		uint64_t size;
		if (ops && !hashing)
			scn_not_here(c, x->map, "table-size", "hash-type maglev, with a hashing "
				     "algorithm (source, uri, hdr), not %s", ops->name);
		else if (hashing && type >= 0 && type != LB_HASH_MAGLEV)
			scn_not_here(c, x->map, "table-size", "hash-type maglev, not %s",
				     lb_hash_type_name((uint32_t)type));
		else if (scn_whole(c, x->map, "table-size", rd->table_size, 1, MAX_TABLE_SIZE,
				   &size) == 0) {
			params->table_size = (uint32_t)size;
			if (ops && sel_check(x, ops, scn_value_of(c, x->map, "table-size"), "") != 0)
				return;
		}
	}
	if (rd->ring_points) {
		if (ops && !hashing)
			scn_not_here(c, x->map, "ring-points", "hash-type consistent, with a hashing "
				     "algorithm (source, uri, hdr), not %s", ops->name);
		else if (hashing && type >= 0 && type != LB_HASH_CONSISTENT)
			scn_not_here(c, x->map, "ring-points", "hash-type consistent, not %s",
				     lb_hash_type_name((uint32_t)type));
		else if ((params->ring_points = scn_whole32(c, x->map, "ring-points", rd->ring_points,
							    1, MAX_RING_POINTS, 0)) != 0 && ops &&
			 sel_check(x, ops, scn_value_of(c, x->map, "ring-points"), "") != 0)
			return;
	}
	if (rd->hash_balance_factor) {
		double f;
		if (ops && !hashing)
			scn_not_here(c, x->map, "hash-balance-factor", "hash-type consistent, with "
				     "a hashing algorithm (source, uri, hdr), not %s", ops->name);
		else if (scn_number(c, x->map, "hash-balance-factor", rd->hash_balance_factor, 1, 1,
				    MAX_BALANCE_FACTOR, NULL, &f) == 0) {
			params->balance_factor = f;
			if (ops && sel_check(x, ops, scn_value_of(c, x->map, "hash-balance-factor"),
					     "") != 0)
				return;
		}
	}
	if (rd->draws) {
		if (ops && ops != &lb_sel_random)
			scn_not_here(c, x->map, "draws", "balance random only, not %s", ops->name);
		else
			params->draws = scn_whole32(c, x->map, "draws", rd->draws, 1, MAX_DRAWS, 0);
		if (ops && params->draws)
			sel_check(x, ops, scn_value_of(c, x->map, "draws"), "");
	}
}

/* persist: the method (NULL when absent or wrong) and its table's
 * parameters, defaults filled in. The layer check is the core's. */
static const struct lb_pers_ops *persist(struct design_ctx *x)
{
	struct scn_ctx *c = x->c;
	const struct scn_raw_persist *rp = x->rd->persist;
	struct lb_pers_params *params = &x->d->pers_params;
	const struct lb_pers_ops *ops = NULL;
	const char *names[32];
	char msg[256];

	if (!rp)
		return NULL;
	yaml_node_t *map = scn_value_of(c, x->map, "persist");
	size_t n = lb_pers_registry_len < COUNT_OF(names) ? lb_pers_registry_len : COUNT_OF(names);
	for (size_t i = 0; i < n; i++)
		names[i] = lb_pers_registry[i]->name;
	int k = scn_pick(c, map, "method", rp->method, names, n);
	if (k >= 0) {
		ops = lb_pers_registry[k];
		char what[64];
		snprintf(what, sizeof what, "persist %s", ops->name);
		enum lb_layer layer = x->kind == SCN_DESIGN_L7 ? LB_LAYER_7 : LB_LAYER_4;
		if (x->kind_ok && lb_vs_check_needs(layer, ops->needs, what, msg, sizeof msg) != 0)
			scn_report(c, scn_value_of(c, map, "method"), "%s", msg);
	}

	params->size = SCN_DEFAULT_PERSIST_SIZE;
	params->expire_ns = SCN_DEFAULT_PERSIST_EXPIRE;
	params->full = LB_PERS_FULL_LRU;
	if (rp->netmask) {
		if (ops && ops != &lb_pers_source_ip)
			scn_not_here(c, map, "netmask", "source-ip persistence only, not %s",
				     ops->name);
		else
			params->netmask = (uint8_t)scn_whole32(c, map, "netmask", rp->netmask, 1,
							       MAX_NETMASK, 0);
	}
	params->size = scn_whole32(c, map, "size", rp->size, 1, SCN_MAX_PERSIST_SIZE,
				   SCN_DEFAULT_PERSIST_SIZE);
	if (rp->expire) {
		unsigned before = c->reports;
		params->expire_ns = scn_duration(c, map, "expire", rp->expire, 1);
		char shown[160];
		/* The core reads 0 as "never"; a file says so with a long
		 * duration, so that a slip ("0m" for "10m") is not taken as
		 * a table that never forgets. */
		if (c->reports == before && params->expire_ns == 0)
			scn_report(c, scn_value_of(c, map, "expire"), "'expire' must be more "
				   "than 0 (for entries that practically never expire, give a "
				   "long duration such as 30d), got %s",
				   scn_quote(shown, sizeof shown, rp->expire));
	}
	if (rp->full) {
		int f = scn_pick(c, map, "full", rp->full, pers_full_names, COUNT_OF(pers_full_names));
		if (f >= 0)
			params->full = (enum lb_pers_full)f;
	}
	if (ops && ops->check_params && ops->check_params(params) != 0)
		scn_report(c, map, "persist %s refuses these parameters", ops->name);
	return ops;
}

/* check: path, given; kind is the check kind, or NULL when it was wrong. */
static void check_path(struct design_ctx *x, yaml_node_t *map, const struct lb_hc_ops *kind)
{
	struct scn_ctx *c = x->c;
	const char *path = x->rd->check->path;
	char shown[160];
	if (kind && !kind->default_path) {
		scn_not_here(c, map, "path", "http and deep checks; a %s check only connects",
			     kind->name);
		return;
	}
	if (x->kind_ok && x->kind != SCN_DESIGN_L4) {
		scn_not_here(c, map, "path", "kind l4 only: a kind %s design checks each "
			     "workload's own page (/<workload>/healthcheck.htm)",
			     scn_design_kind_name(x->kind));
		return;
	}
	yaml_node_t *node = scn_value_of(c, map, "path");
	if (!scn_has_value(c, node, "path"))
		return;
	size_t len = strlen(path);
	int bad = node->type == YAML_SCALAR_NODE && node->data.scalar.length != len;
	for (size_t i = 0; i < len; i++)
		bad |= (unsigned char)path[i] <= 0x20 || path[i] == 0x7f;
	if (path[0] != '/')
		scn_report(c, node, "'path' must start with '/', got %s",
			   scn_quote(shown, sizeof shown, path));
	else if (len >= LB_HC_PATH_MAX)
		scn_report(c, node, "'path' is too long: %zu bytes, at most %d", len,
			   LB_HC_PATH_MAX - 1);
	else if (bad)
		scn_report(c, node, "'path' must not contain spaces or control characters");
	else
		memcpy(x->d->check.params.path, path, len + 1);
}

/* check: the kind (http when absent) and its parameters; a parameter
 * not given stays 0, which the core reads as its default. */
static void check(struct design_ctx *x)
{
	struct scn_ctx *c = x->c;
	const struct scn_raw_check *rc = x->rd->check;
	struct scn_check *out = &x->d->check;
	const struct lb_hc_ops *kind = &lb_hc_http;
	const char *names[32];

	out->kind = kind;
	if (!rc)
		return;
	yaml_node_t *map = scn_value_of(c, x->map, "check");
	if (rc->kind) {
		size_t n = lb_hc_registry_len < COUNT_OF(names) ? lb_hc_registry_len : COUNT_OF(names);
		for (size_t i = 0; i < n; i++)
			names[i] = lb_hc_registry[i]->name;
		int k = scn_pick(c, map, "kind", rc->kind, names, n);
		kind = k >= 0 ? lb_hc_registry[k] : NULL;
		out->kind = kind ? kind : &lb_hc_http;
	}
	if (rc->path)
		check_path(x, map, kind);
	struct lb_hc_params *p = &out->params;
	if (rc->inter)
		p->inter_ns = scn_duration(c, map, "inter", rc->inter, 0);
	if (rc->fastinter)
		p->fastinter_ns = scn_duration(c, map, "fastinter", rc->fastinter, 0);
	if (rc->downinter)
		p->downinter_ns = scn_duration(c, map, "downinter", rc->downinter, 0);
	if (rc->timeout)
		p->timeout_ns = scn_duration(c, map, "timeout", rc->timeout, 0);
	p->rise = scn_whole32(c, map, "rise", rc->rise, 1, MAX_RISE_FALL, 0);
	p->fall = scn_whole32(c, map, "fall", rc->fall, 1, MAX_RISE_FALL, 0);
	if (rc->init) {
		int i = scn_pick(c, map, "init", rc->init, hc_init_names, COUNT_OF(hc_init_names));
		if (i >= 0)
			p->init = (enum lb_hc_init)i;
	}
}

/* How each key of costs: is read and which field of struct cost_params it
 * sets. */
static const struct {
	const char *key;
	enum scn_cost_how how;
	size_t offset;
} cost_keys[SCN_COSTKEY_COUNT] = {
#define COST_KEY(id, key, how, member) \
	[SCN_COSTKEY_##id] = { key, how, offsetof(struct cost_params, member) },
	SCN_COST_KEYS(COST_KEY)
#undef COST_KEY
};

/* A duration into double nanoseconds, >= 0 and at most 30 days. */
static void cost_ns(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
		    double *out)
{
	yaml_node_t *node = scn_value_of(c, map, key);
	const char *why;
	char shown[160];
	double ns;
	if (!scn_has_value(c, node, key))
		return;
	scn_quote(shown, sizeof shown, text);
	if (scn_parse_duration_ns(text, &ns, &why) < 0)
		scn_report(c, node, "%s %s %s", key, shown, why);
	else if (!(ns <= (double)SCN_MAX_DURATION))
		scn_report(c, node, "'%s' must be at most 30d, got %s", key, shown);
	else
		*out = ns;
}

/* costs: each key given overrides its field of the defaults, which the
 * caller has filled in. */
static void costs(struct design_ctx *x)
{
	struct scn_ctx *c = x->c;
	const struct scn_raw_costs *rc = x->rd->costs;
	if (!rc)
		return;
	yaml_node_t *map = scn_value_of(c, x->map, "costs");
	for (int i = 0; i < SCN_COSTKEY_COUNT; i++) {
		const char *text = rc->v[i], *key = cost_keys[i].key;
		double *field = (double *)((char *)&x->d->costs + cost_keys[i].offset);
		if (!text)
			continue;
		switch (cost_keys[i].how) {
		case SCN_COST_NS:
			cost_ns(c, map, key, text, field);
			break;
		case SCN_COST_SECONDS: {
			unsigned before = c->reports;
			sim_time_t t = scn_duration(c, map, key, text, 1);
			if (c->reports == before)
				*field = (double)t / (double)SIM_NS_PER_S;
			break;
		}
		case SCN_COST_AMOUNT:
			scn_number(c, map, key, text, 0, 0, MAX_COST_AMOUNT, NULL, field);
			break;
		case SCN_COST_MTU: {
			uint64_t v;
			if (scn_whole(c, map, key, text, 1, MAX_MTU, &v) == 0)
				*field = (double)v;
			break;
		}
		}
	}
}

void scn_designs(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		 struct scenario *scn)
{
	yaml_node_t *seq = scn_value_of(c, root, "designs");
	for (unsigned i = 0; i < raw->designs_count; i++) {
		struct design_ctx x = {
			.c = c,
			.rd = &raw->designs[i],
			.map = scn_item_of(c, seq, i),
			.nservers = scn->servers.count,
			.d = &scn->designs[i],
		};
		struct scn_design *d = x.d;
		scn_name(c, x.map, x.rd->name, SCN_NAME_MAX - 1, d->name);
		int k = scn_pick(c, x.map, "kind", x.rd->kind, design_kind_names,
				 COUNT_OF(design_kind_names));
		x.kind_ok = k >= 0;
		x.kind = d->kind = k >= 0 ? (enum scn_design_kind)k : SCN_DESIGN_L4;
		d->balance = balance(&x);
		sel_keys(&x, d->balance);
		d->sel_params.endpoints = scn->servers.endpoints;
		d->persist = persist(&x);
		check(&x);
		if (x.rd->reencrypt) {
			int on;
			if (x.kind_ok && x.kind != SCN_DESIGN_L7)
				scn_not_here(c, x.map, "reencrypt", "kind l7 only: a kind %s design "
					     "does not terminate TLS", scn_design_kind_name(x.kind));
			else if (scn_bool(c, x.map, "reencrypt", x.rd->reencrypt, &on) == 0)
				d->tls_reencrypt = on;
		}
		if (x.rd->lb_cores) {
			d->lb_cores = scn_whole32(c, x.map, "lb-cores", x.rd->lb_cores, 1,
						  SCN_MAX_CORES, 0);
			d->lb_queue = SCN_DEFAULT_LB_QUEUE;
		}
		if (x.rd->lb_queue) {
			if (!x.rd->lb_cores)
				scn_not_here(c, x.map, "lb-queue", "a balancer with lb-cores only "
					     "(without, the balancer never makes requests wait)");
			else
				d->lb_queue = scn_whole32(c, x.map, "lb-queue", x.rd->lb_queue, 1,
							  SCN_MAX_LB_QUEUE, SCN_DEFAULT_LB_QUEUE);
		}
		scn_set_design_defaults(d);
		costs(&x);
	}
	scn->ndesigns = raw->designs_count;
}
