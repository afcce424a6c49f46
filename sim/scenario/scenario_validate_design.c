/* Checking and converting the designs of a scenario: kind, selection
 * algorithm and its parameters, persistence, health check, re-encryption
 * and balancer cost overrides.
 *
 * Whatever the balancer core can judge, it judges: every algorithm,
 * persistence method and check kind declares its parameters with their
 * ranges and defaults once, in the core (lb_param.h), and the keys are
 * read with those tables (scenario_param.c); the algorithm's own check
 * (lb_sel_check: prime maglev tables) and what a layer can see
 * (lb_vs_check_needs: cookie persistence needs layer 7) are the core's
 * too. So the scenario refuses exactly what the core would refuse when
 * the design is built, at the key that asked for it. The loader adds what
 * only a scenario knows: which keys apply to which design kind (a check
 * path on l4 only); a key that does not apply is refused, never ignored.
 *
 * Cost: linear in the size of the designs.
 */
#include "scenario_internal.h"

#include "lbsim/lb_hash.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/lb_vs.h"


static const char *const design_kind_names[] = {
	[SCN_DESIGN_L4] = "l4",
	[SCN_DESIGN_L4_MULTI] = "l4-multi",
	[SCN_DESIGN_L7] = "l7",
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

/* What a profile adds to the keys the core's table read: HAProxy has no
 * murmur (the zero value stands for its default, sdbm), and its `hash-type
 * consistent` without a function means avalanche too (cfgparse-listen.c);
 * IPVS is a layer-4 balancer. */
static void profile_rules(struct design_ctx *x)
{
	struct scn_ctx *c = x->c;
	struct lb_sel_params *p = &x->d->sel_params;
	if (p->profile == LB_PROFILE_HAPROXY) {
		if (x->rd->hash_function && p->hash_function == LB_HASHFN_MURMUR)
			scn_report(c, scn_value_of(c, x->map, "hash-function"), "HAProxy's hash "
				   "functions are sdbm (its default), djb2, wt6 and crc32");
		if (!x->rd->hash_function) {
			p->hash_function = lb_hash_profile_default_function(p->profile);
			if (!x->rd->avalanche && p->hash_type == LB_HASH_CONSISTENT)
				p->hash_avalanche = 1;
		}
	}
	if (p->profile == LB_PROFILE_IPVS && x->kind_ok && x->kind == SCN_DESIGN_L7)
		scn_report(c, scn_value_of(c, x->map, "profile"), "profile ipvs is a layer-4 "
			   "balancer; a kind l7 design terminates TLS, which takes a proxy "
			   "(haproxy or nginx)");
}

/* The algorithm's own check, as the core runs it (scn_param_owner.check). */
static const char *sel_check(void *ctx, char *buf, size_t len)
{
	struct design_ctx *x = ctx;
	return lb_sel_check(x->d->balance, &x->d->sel_params, x->nservers, buf, len, NULL);
}

/* The parameters of the algorithm ops (NULL when the balance was wrong:
 * the values are still checked, not whether they apply), with the core's
 * tables; the algorithm's check runs as each key comes in, so that what
 * it refuses is placed at the key that brought it in, and once more at
 * the balance for what no key brought (a default maglev table smaller
 * than the pool). */
static void sel_keys(struct design_ctx *x, const struct lb_sel_ops *ops)
{
	struct scn_ctx *c = x->c;
	const struct scn_param_owner owner = {
		.own = ops ? ops->params : NULL,
		.chosen = ops != NULL,
		.name = ops ? ops->name : "",
		.owners = &lb_sel_owners,
		.check = sel_check,
		.ctx = x,
	};
	if (scn_param_keys(c, x->map, scn_schema_fields("design"), &owner, &x->d->sel_params) != 0 ||
	    !ops)
		return;
	profile_rules(x);
	char buf[256], shown[160];
	if (sel_check(x, buf, sizeof buf))
		scn_report(c, x->rd->balance ? scn_value_of(c, x->map, "balance") : x->map,
			   "balance %s: %s", scn_quote(shown, sizeof shown, x->rd->balance ?
						       x->rd->balance : ops->name), buf);
}

/* persist: the method (NULL when absent or wrong) and its table's
 * parameters, defaults filled in, read with the core's tables. The layer
 * check is the core's. */
static const struct lb_pers_ops *persist(struct design_ctx *x)
{
	struct scn_ctx *c = x->c;
	const struct scn_raw_persist *rp = x->rd->persist;
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
	const struct scn_param_owner owner = {
		.common = lb_pers_params_common,
		.own = ops ? ops->params : NULL,
		.chosen = ops != NULL,
		.name = ops ? ops->name : "",
		.owners = &lb_pers_owners,
	};
	scn_param_keys(c, map, scn_schema_fields("persist"), &owner, &x->d->pers_params);
	return ops;
}

/* check: path, given; reads it into the check's parameters (the
 * scn_param_owner.text hook of a check). */
static int check_path(struct scn_ctx *c, yaml_node_t *map, const struct lb_param *param,
		      void *base, void *ctx)
{
	struct design_ctx *x = ctx;
	const char *path = scn_text_of(c, map, "path");
	char shown[160];
	if (x->kind_ok && x->kind != SCN_DESIGN_L4) {
		scn_not_here(c, map, "path", "kind l4 only: a kind %s design checks each "
			     "workload's own page (/<workload>/healthcheck.htm)",
			     scn_design_kind_name(x->kind));
		return -1;
	}
	yaml_node_t *node = scn_value_of(c, map, "path");
	if (!scn_has_value(c, node, "path"))
		return -1;
	size_t len = strlen(path);
	int bad = node->type == YAML_SCALAR_NODE && node->data.scalar.length != len;
	for (size_t i = 0; i < len; i++)
		bad |= (unsigned char)path[i] <= 0x20 || path[i] == 0x7f;
	if (path[0] != '/')
		scn_report(c, node, "'path' must start with '/', got %s",
			   scn_quote(shown, sizeof shown, path));
	else if (len >= param->size)
		scn_report(c, node, "'path' is too long: %zu bytes, at most %zu", len,
			   param->size - 1);
	else if (bad)
		scn_report(c, node, "'path' must not contain spaces or control characters");
	else {
		memcpy((char *)base + param->offset, path, len + 1);
		return 0;
	}
	return -1;
}

/* check: the kind (http when absent) and its parameters, read with the
 * core's tables; a parameter not given stays 0, which the core reads as
 * its default. */
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
	const struct scn_param_owner owner = {
		.common = lb_hc_params_common,
		.own = kind ? kind->params : NULL,
		.chosen = kind != NULL,
		.name = kind ? kind->name : "",
		.owners = &lb_hc_owners,
		.text = check_path,
		.ctx = x,
	};
	scn_param_keys(c, map, scn_schema_fields("check"), &owner, &out->params);
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
		/* 0 is the default, written out: no core limit. */
		if (x.rd->lb_cores) {
			d->lb_cores = scn_whole32(c, x.map, "lb-cores", x.rd->lb_cores, 0,
						  SCN_MAX_CORES, 0);
			d->lb_queue = d->lb_cores ? SCN_DEFAULT_LB_QUEUE : 0;
		}
		if (x.rd->lb_queue) {
			if (!d->lb_cores)
				scn_not_here(c, x.map, "lb-queue", "a balancer with lb-cores only "
					     "(without, the balancer never makes requests wait)");
			else
				d->lb_queue = scn_whole32(c, x.map, "lb-queue", x.rd->lb_queue, 1,
							  SCN_MAX_LB_QUEUE, SCN_DEFAULT_LB_QUEUE);
		}
		if (x.rd->timeout_queue) {
			if (x.kind_ok && x.kind != SCN_DESIGN_L7)
				scn_not_here(c, x.map, "timeout-queue", "kind l7 only: a kind %s "
					     "design has no queue (a connection past maxconn is "
					     "refused)", scn_design_kind_name(x.kind));
			else
				d->queue_timeout = scn_duration(c, x.map, "timeout-queue",
								x.rd->timeout_queue, 0);
		}
		scn_design_costs(c, raw, root, x.rd, x.map, x.kind_ok, d);
	}
	scn->ndesigns = raw->designs_count;
}
