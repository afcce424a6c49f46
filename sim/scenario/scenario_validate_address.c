/* A population's address keys: address-per, sites and address-plan (the
 * prefixes, shape, list or file its addresses are drawn from; see
 * include/lbsim/address_plan.h). A mistake inside an address or prefix is
 * reported at its own column; one inside an address file at the file's
 * own line and column.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/address_plan.h"

static const char *const per_names[] = {"user", "device"};

/* address-per: who has an address of its own where the source gives
 * addresses to clients (unique, nat), for device traffic. */
static void address_per(struct scn_ctx *c, const struct scn_raw_population *rp, yaml_node_t *map,
			int src_ok, struct scn_population *p)
{
	if (!rp->address_per)
		return;
	if (src_ok && p->source == SCN_SOURCE_CGNAT) {
		scn_not_here(c, map, "address-per", "unique and nat sources; a carrier NAT binds "
			     "every device on its own");
		return;
	}
	if (rp->rate && !rp->clients) {
		scn_not_here(c, map, "address-per", "device traffic (clients); open traffic "
			     "has users, not devices");
		return;
	}
	int k = scn_pick(c, map, "address-per", rp->address_per, per_names,
			 sizeof per_names / sizeof per_names[0]);
	p->address_per_device = k == 1;
}

static void sites(struct scn_ctx *c, const struct scn_raw_population *rp, yaml_node_t *map,
		  int src_ok, struct scn_population *p)
{
	if (!rp->sites)
		return;
	if (src_ok && p->source != SCN_SOURCE_NAT) {
		scn_not_here(c, map, "sites", "nat sources only (each site behind its own "
			     "'addresses'), not %s", scn_source_kind_name(p->source));
		return;
	}
	p->sites = scn_whole32(c, map, "sites", rp->sites, 1, SCN_MAX_SITES, 0);
	if (p->sites && p->addresses &&
	    (uint64_t)p->sites * p->addresses > SCN_MAX_ADDRESSES)
		scn_report(c, scn_value_of(c, map, "sites"), "%u sites of %u addresses make "
			   "%llu NAT addresses, more than %u", p->sites, p->addresses,
			   (unsigned long long)p->sites * p->addresses, SCN_MAX_ADDRESSES);
}

static void prefixes(struct scn_ctx *c, const struct scn_raw_address_plan *rap,
		     yaml_node_t *pmap, struct addr_plan *plan)
{
	yaml_node_t *seq = scn_value_of(c, pmap, "prefixes");
	plan->prefixes = calloc(rap->prefixes_count, sizeof *plan->prefixes);
	if (!plan->prefixes) {
		scn_report(c, seq, "out of memory");
		return;
	}
	for (unsigned i = 0; i < rap->prefixes_count; i++) {
		yaml_node_t *item = scn_item_of(c, seq, i);
		const char *t = rap->prefixes[i];
		struct lb_addr_error e;
		if (yw_is_null(item) || !t) {
			scn_report(c, item, "entry %u of 'prefixes' has no value", i + 1);
			continue;
		}
		if (lb_prefix_parse(t, strlen(t), &plan->prefixes[i], &e) != 0) {
			char shown[160];
			scn_report_at(c, item, e.at, "prefix %s: %s", scn_quote(shown, sizeof shown, t),
				      e.why);
			continue;
		}
		plan->has_v6 |= plan->prefixes[i].addr.family == LB_AF_INET6;
	}
	plan->nprefixes = rap->prefixes_count;
}

static void list(struct scn_ctx *c, const struct scn_raw_address_plan *rap, yaml_node_t *pmap,
		 struct addr_plan *plan)
{
	yaml_node_t *seq = scn_value_of(c, pmap, "list");
	for (unsigned i = 0; i < rap->list_count; i++) {
		yaml_node_t *item = scn_item_of(c, seq, i);
		const char *t = rap->list[i];
		if (yw_is_null(item) || !t) {
			scn_report(c, item, "entry %u of 'list' has no value", i + 1);
			continue;
		}
		struct lb_addr a;
		double w;
		int weighted;
		const char *why;
		size_t at;
		if (scn_address_entry(t, strlen(t), &a, &w, &weighted, &why, &at) != 0) {
			char shown[160];
			scn_report_at(c, item, at, "address %s: %s", scn_quote(shown, sizeof shown, t),
				      why);
			continue;
		}
		if (addr_list_add(&plan->list, &a, w, weighted) != 0) {
			scn_report(c, item, "out of memory");
			return;
		}
	}
	if (addr_list_finish(&plan->list) != 0)
		scn_report(c, seq, "out of memory");
}

/* Gateways and sites take whole blocks: each prefix must hold one. */
static void check_blocks(struct scn_ctx *c, yaml_node_t *pmap, const struct addr_plan *plan,
			 const struct scn_population *p)
{
	uint32_t bad;
	const char *why;
	if (addr_plan_check(plan, p->addresses ? p->addresses : 1, &bad, &why) == 0)
		return;
	yaml_node_t *item = scn_item_of(c, scn_value_of(c, pmap, "prefixes"), bad);
	char text[LB_ADDR_TEXT_MAX];
	lb_addr_format(&plan->prefixes[bad].addr, text, sizeof text);
	scn_report(c, item, "prefix %s/%u %s (shape %s)", text, plan->prefixes[bad].len, why,
		   addr_shape_name(plan->shape));
}

static void plan_keys(struct scn_ctx *c, const struct scn_raw_population *rp, yaml_node_t *map,
		      int src_ok, struct scn_population *p)
{
	const struct scn_raw_address_plan *rap = rp->address_plan;
	yaml_node_t *pmap = scn_value_of(c, map, "address-plan");
	struct addr_plan *plan = calloc(1, sizeof *plan);
	if (!plan) {
		scn_report(c, pmap, "out of memory");
		return;
	}
	p->plan = plan;
	int given = (rap->prefixes != NULL) + (rap->list != NULL) + (rap->file != NULL);
	if (given != 1) {
		if (given)
			scn_report(c, pmap, "address-plan takes one of 'prefixes', 'list' and "
				   "'file', not %d of them", given);
		else
			scn_report(c, pmap, "address-plan needs 'prefixes' (CIDR to draw from), "
				   "'list' (addresses) or 'file' (an address file)");
		return;
	}
	if (rap->shape) {
		if (!rap->prefixes) {
			scn_not_here(c, pmap, "shape", "prefixes only; a list or file gives its "
				     "addresses as they are");
		} else {
			int s = scn_pick(c, pmap, "shape", rap->shape, addr_shape_names,
					 ADDR_SHAPE_COUNT);
			plan->shape = s >= 0 ? (enum addr_shape)s : ADDR_SHAPE_RANDOM;
			if (s == ADDR_SHAPE_SITE && src_ok && p->source != SCN_SOURCE_NAT)
				scn_report(c, scn_value_of(c, pmap, "shape"), "shape site needs a nat "
					   "source: a site is a NAT's addresses in a block of "
					   "their own");
		}
	}
	if (rap->prefixes) {
		unsigned before = c->reports;
		prefixes(c, rap, pmap, plan);
		if (c->reports == before && (plan->shape == ADDR_SHAPE_GATEWAY ||
					     plan->shape == ADDR_SHAPE_SITE))
			check_blocks(c, pmap, plan, p);
	} else if (rap->list) {
		list(c, rap, pmap, plan);
	} else {
		yaml_node_t *node = scn_value_of(c, pmap, "file");
		char path[1024], shown[160];
		scn_file_path(c, rap->file, path, sizeof path);
		scn_address_file(c, node, scn_quote(shown, sizeof shown, rap->file), path,
				 &plan->list);
	}
	if (!rap->prefixes)
		plan->has_v6 = plan->list.n6 > 0;
}

void scn_population_addresses(struct scn_ctx *c, const struct scn_raw_population *rp,
			      yaml_node_t *map, int src_ok, struct scn_population *p)
{
	address_per(c, rp, map, src_ok, p);
	sites(c, rp, map, src_ok, p);
	if (rp->address_plan)
		plan_keys(c, rp, map, src_ok, p);
}
