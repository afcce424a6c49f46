/* Checking and converting what prices a design: how its balancer is built
 * (implementation, and for l7 its certificate, cipher and http-reuse), the
 * cost profile its figures come from (cost-profile, the design's or the
 * scenario's), and the figures `costs:` overrides.
 *
 * A profile is read whole before the design uses it, and must give every
 * figure the design's implementation reads (cost_figures_needed): a run
 * whose prices are partly zero would report a balancer cheaper than any
 * real one, so a missing figure is refused at the cost-profile key with
 * the names of what is missing. A profile file that cannot be read or is
 * malformed is refused at the same key, the message carrying the
 * profile's own file:line:column.
 */
/* realpath (POSIX.1-2008) */
#define _XOPEN_SOURCE 700

#include "scenario_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/cost_profile.h"
#include "lbsim/lb_hash.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_COST_AMOUNT 1e12     /* bytes or slots: a terabyte per object is absurd already */
#define MAX_MTU 65535u

/* The defaults a reviewer expects for an Exchange design (README "Balancer
 * implementations"): l4 and l4-multi as the user-space full proxies
 * Exchange sites run (KEMP, F5 virtual editions, HAProxy mode tcp), unless
 * the design reproduces IPVS's hashing, which only a kernel forwarder
 * has; l7 always a proxy. */
static enum cost_impl default_impl(const struct scn_design *d)
{
	if (d->kind != SCN_DESIGN_L7 && d->sel_params.profile == LB_PROFILE_IPVS)
		return COST_IMPL_KERNEL_NAT;
	return COST_IMPL_PROXY;
}

void scn_set_design_defaults(struct scn_design *d)
{
	d->impl = default_impl(d);
	d->cert = COST_CERT_RSA_2048;
	d->cipher = COST_CIPHER_AES_256_GCM;
	d->reuse = COST_REUSE_SAFE;
	d->costs_overridden = 0;
	struct cost_profile prof;
	const char *name = cost_profile_default_name(d->impl);
	memset(&d->costs, 0, sizeof d->costs);
	memset(&d->cost_source, 0, sizeof d->cost_source);
	/* The shipped profiles are read by tests/test_cost_profile.c: they
	 * parse, and each covers the implementations it is the default of. */
	if (cost_profile_builtin(name, &prof) == 0) {
		d->costs = prof.p;
		snprintf(d->cost_source.name, sizeof d->cost_source.name, "%s", prof.name);
		snprintf(d->cost_source.where, sizeof d->cost_source.where, "%s", prof.where);
		snprintf(d->cost_source.kind, sizeof d->cost_source.kind, "%s", prof.kind);
		snprintf(d->cost_source.source, sizeof d->cost_source.source, "%s", prof.source);
	}
}

/* "file" when text names a file (a '/' or a .yaml/.yml ending), else a
 * built-in profile's name. */
static int names_file(const char *text)
{
	size_t n = strlen(text);
	return strchr(text, '/') || (n > 5 && strcmp(text + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(text + n - 4, ".yml") == 0);
}

/* Read the profile text names into *prof: 0, or -1 (reported at node). */
static int load_profile(struct scn_ctx *c, yaml_node_t *node, const char *text,
			struct cost_profile *prof)
{
	char shown[160];
	scn_quote(shown, sizeof shown, text);
	if (!names_file(text)) {
		if (cost_profile_builtin(text, prof) == 0)
			return 0;
		const char *names[16];
		size_t n = cost_profile_builtin_count();
		n = n < COUNT_OF(names) ? n : COUNT_OF(names);
		for (size_t i = 0; i < n; i++)
			names[i] = cost_profile_builtin_name(i);
		scn_unknown_name(c, node, "cost-profile", text, strlen(text), names, n);
		return -1;
	}
	char path[512];
	scn_file_path(c, text, path, sizeof path);
	struct scn_error perr;
	if (cost_profile_load(path, prof, &perr) == 0) {
		/* Kept absolute: a scenario written elsewhere (a results
		 * folder) names the same file. */
		char *real = realpath(path, NULL);
		if (real)
			snprintf(prof->where, sizeof prof->where, "%s", real);
		free(real);
		return 0;
	}
	if (perr.line)
		scn_report(c, node, "cost-profile %s: %s:%u:%u: %s", shown, perr.file, perr.line,
			   perr.column, perr.message);
	else
		scn_report(c, node, "cost-profile %s: %s: %s", shown, perr.file, perr.message);
	return -1;
}

/* The figures of needed that prof does not give, named in buf. */
static int missing_figures(const struct cost_profile *prof, uint64_t needed, char *buf,
			   size_t len)
{
	size_t used = 0;
	int n = 0;
	buf[0] = '\0';
	for (int f = 0; f < COST_FIG_COUNT; f++)
		if ((needed >> f & 1) && !(prof->given >> f & 1) && used < len) {
			int w = snprintf(buf + used, len - used, "%s%s", n ? ", " : "",
					 cost_figures[f].name);
			used += w > 0 ? (size_t)w : 0;
			n++;
		}
	return n;
}

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

/* costs: each figure given overrides the profile's; a figure the design
 * does not read is refused (it would change nothing). */
static void overrides(struct scn_ctx *c, yaml_node_t *dmap, const struct scn_raw_costs *rc,
		      uint64_t needed, struct scn_design *d)
{
	yaml_node_t *map = scn_value_of(c, dmap, "costs");
	for (int f = 0; f < COST_FIG_COUNT; f++) {
		const char *text = rc->v[f], *key = cost_figures[f].name;
		double *field = cost_figure_ptr(&d->costs, (enum cost_figure)f);
		unsigned before = c->reports;
		if (!text)
			continue;
		if (!(needed >> f & 1)) {
			scn_not_here(c, map, key, "designs that read it: a kind %s design built as "
				     "%s%s does not (README \"Cost profiles\")",
				     scn_design_kind_name(d->kind),
				     cost_impl_names[d->kind == SCN_DESIGN_L7 ? 0 : d->impl],
				     d->kind == SCN_DESIGN_L7 ? " with its certificate, cipher and "
								"reencrypt" : "");
			continue;
		}
		switch (cost_figures[f].kind) {
		case COST_KIND_OP:
		case COST_KIND_BYTE:
			cost_ns(c, map, key, text, field);
			break;
		case COST_KIND_TIME: {
			sim_time_t t = scn_duration(c, map, key, text, 1);
			if (c->reports == before)
				*field = (double)t / (double)SIM_NS_PER_S;
			break;
		}
		case COST_KIND_MEM:
		case COST_KIND_COUNT:
			if (f == COST_FIG_MTU) {
				uint64_t v;
				if (scn_whole(c, map, key, text, 1, MAX_MTU, &v) == 0)
					*field = (double)v;
			} else {
				scn_number(c, map, key, text, 0, 0, MAX_COST_AMOUNT, NULL, field);
			}
			break;
		}
		if (c->reports == before)
			d->costs_overridden |= UINT64_C(1) << f;
	}
}

/* key of map (text, may be NULL) among names, l7 designs only. */
static int l7_choice(struct scn_ctx *c, yaml_node_t *map, const struct scn_design *d,
		     int kind_ok, const char *key, const char *text, const char *const *names,
		     size_t n, int dflt)
{
	if (!text)
		return dflt;
	if (kind_ok && d->kind != SCN_DESIGN_L7) {
		scn_not_here(c, map, key, "kind l7 only: a kind %s design does not terminate TLS "
			     "or speak HTTP", scn_design_kind_name(d->kind));
		return dflt;
	}
	int k = scn_pick(c, map, key, text, names, n);
	return k >= 0 ? k : dflt;
}

void scn_design_costs(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		      const struct scn_raw_design *rd, yaml_node_t *map, int kind_ok,
		      struct scn_design *d)
{
	scn_set_design_defaults(d);
	if (rd->implementation) {
		int k = scn_pick(c, map, "implementation", rd->implementation, cost_impl_names,
				 COST_IMPL_COUNT);
		if (k > 0 && kind_ok && d->kind == SCN_DESIGN_L7)
			scn_report(c, scn_value_of(c, map, "implementation"),
				   "implementation %s: a kind l7 design terminates TLS and reads "
				   "HTTP, which only a proxy does", cost_impl_names[k]);
		else if (k >= 0)
			d->impl = (enum cost_impl)k;
	}
	d->cert = (enum cost_cert)l7_choice(c, map, d, kind_ok, "certificate", rd->certificate,
					    cost_cert_names, COST_CERT_COUNT, COST_CERT_RSA_2048);
	d->cipher = (enum cost_cipher)l7_choice(c, map, d, kind_ok, "cipher", rd->cipher,
						cost_cipher_names, COST_CIPHER_COUNT,
						COST_CIPHER_AES_256_GCM);
	d->reuse = (enum cost_reuse)l7_choice(c, map, d, kind_ok, "http-reuse", rd->http_reuse,
					      cost_reuse_names, COST_REUSE_COUNT, COST_REUSE_SAFE);

	/* The design's profile, else the scenario's, else the default of its
	 * implementation. */
	const char *text = rd->cost_profile ? rd->cost_profile : raw->cost_profile;
	yaml_node_t *node = rd->cost_profile ? scn_value_of(c, map, "cost-profile")
					     : raw->cost_profile ? scn_value_of(c, root, "cost-profile")
								 : map;
	struct cost_profile prof;
	if (text) {
		if (!scn_has_value(c, node, "cost-profile") || load_profile(c, node, text, &prof) != 0)
			return;
	} else if (cost_profile_builtin(cost_profile_default_name(d->impl), &prof) != 0) {
		scn_report(c, map, "the built-in cost profile '%s' is missing",
			   cost_profile_default_name(d->impl));
		return;
	}
	int l7 = d->kind == SCN_DESIGN_L7;
	uint64_t needed = cost_figures_needed(l7 ? COST_IMPL_PROXY : d->impl, l7, d->cert, d->cipher,
					      l7 && d->tls_reencrypt);
	/* What costs: gives need not come from the profile. */
	uint64_t given_here = 0;
	for (int f = 0; rd->costs && f < COST_FIG_COUNT; f++)
		if (rd->costs->v[f])
			given_here |= UINT64_C(1) << f;
	char missing[1024];
	int n = missing_figures(&prof, needed & ~given_here, missing, sizeof missing);
	if (n) {
		scn_report(c, node, "cost profile '%s' (%s) gives no %s, which design '%s' (%s, "
			   "implementation %s) needs", prof.name, prof.where, missing, d->name,
			   scn_design_kind_name(d->kind), cost_impl_names[l7 ? 0 : d->impl]);
		return;
	}
	d->costs = prof.p;
	snprintf(d->cost_source.name, sizeof d->cost_source.name, "%s", prof.name);
	snprintf(d->cost_source.as_written, sizeof d->cost_source.as_written, "%s",
		 text ? text : "");
	snprintf(d->cost_source.where, sizeof d->cost_source.where, "%s", prof.where);
	snprintf(d->cost_source.kind, sizeof d->cost_source.kind, "%s", prof.kind);
	snprintf(d->cost_source.source, sizeof d->cost_source.source, "%s", prof.source);
	if (rd->costs)
		overrides(c, map, rd->costs, needed, d);
}
