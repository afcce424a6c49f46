/* Client source addresses and NAT; see include/lbsim/source.h. */
#include "lbsim/source.h"

#include <stdlib.h>

int source_pool_init(struct source_pool *sp, const struct source_cfg *cfg,
		     struct rng *addr_stream, const struct rng *cgnat)
{
	*sp = (struct source_pool){.kind = cfg->kind};
	if (cgnat)
		sp->rng = *cgnat;
	sp->port_budget = cfg->port_budget ? cfg->port_budget : SOURCE_DEFAULT_PORT_BUDGET;
	if (sp->port_budget > 64512u)
		sp->port_budget = 64512u;
	sp->churn_mean_s = (double)cfg->churn_mean / (double)SIM_NS_PER_S;
	sp->per_user = cfg->per_user ? cfg->per_user : 1;
	sp->sites = cfg->kind == SOURCE_NAT && cfg->sites > 1 ? cfg->sites : 1;
	sp->pop_index = cfg->pop_index;
	struct addr_plan fallback;
	struct lb_prefix one;
	const struct addr_plan *plan = cfg->plan;
	if (!plan) {
		addr_plan_default(&fallback, &one, cfg->pop_index);
		plan = &fallback;
	}
	sp->addresses_read = !cfg->addresses_unread;
	sp->has_v6 = plan->has_v6 && sp->addresses_read;
	/* A site is the whole population unless it has sites: its slots are
	 * its users (or devices), or its NAT addresses. */
	uint64_t per_site = cfg->kind == SOURCE_UNIQUE ? cfg->users * sp->per_user : cfg->naddrs;
	if (per_site == 0 || per_site > UINT32_MAX ||
	    (cfg->kind != SOURCE_UNIQUE && (uint64_t)cfg->naddrs * sp->sites > UINT32_MAX))
		return -1;
	sp->per_site = (uint32_t)per_site;
	if (addr_draw_init(&sp->draw, plan, addr_stream, sp->per_site) != 0)
		return -1;
	sp->draw_ready = 1;
	if (plan == &fallback)
		sp->draw.plan = NULL; /* rebuilt where used: nothing in sp points into sp */
	if (cfg->kind == SOURCE_UNIQUE)
		return 0;
	if (cfg->naddrs == 0 || (cfg->kind == SOURCE_CGNAT && !cgnat)) {
		source_pool_free(sp);
		return -1;
	}
	sp->naddrs = cfg->naddrs * sp->sites;
	sp->ports_used = calloc(sp->naddrs, sizeof *sp->ports_used);
	sp->next_port = calloc(sp->naddrs, sizeof *sp->next_port);
	if (!sp->ports_used || !sp->next_port) {
		source_pool_free(sp);
		return -1;
	}
	return 0;
}

void source_pool_free(struct source_pool *sp)
{
	if (sp->draw_ready)
		addr_draw_free(&sp->draw);
	sp->draw_ready = 0;
	free(sp->ports_used);
	free(sp->next_port);
	sp->ports_used = NULL;
	sp->next_port = NULL;
}

static sim_time_t churn_gap(struct source_pool *sp)
{
	double s = rng_exp(&sp->rng) * sp->churn_mean_s;
	double ns = s * (double)SIM_NS_PER_S;
	return ns >= 1e18 ? (sim_time_t)1e18 : (sim_time_t)ns;
}

void source_bind(struct source_pool *sp, struct source_binding *b, uint64_t user, uint32_t sub,
		 sim_time_t now)
{
	uint64_t key = user * sp->per_user + sub;
	switch (sp->kind) {
	case SOURCE_UNIQUE:
		b->addr_index = (uint32_t)key;
		b->next_change = SIM_TIME_NEVER;
		break;
	case SOURCE_NAT:
		if (sp->sites > 1) {
			/* Users are dealt to sites in turn; within its site a
			 * user (or device) keeps one of the site's addresses. */
			uint64_t site = user % sp->sites;
			uint64_t local = (user / sp->sites) * sp->per_user + sub;
			b->addr_index = (uint32_t)(site * sp->per_site + local % sp->per_site);
		} else {
			b->addr_index = (uint32_t)(key % sp->naddrs);
		}
		b->next_change = SIM_TIME_NEVER;
		break;
	case SOURCE_CGNAT:
		b->addr_index = rng_below(&sp->rng, sp->naddrs);
		b->next_change = sp->churn_mean_s > 0 ? now + churn_gap(sp) : SIM_TIME_NEVER;
		break;
	}
}

void source_address_of(const struct source_pool *sp, uint32_t addr_index, struct lb_addr *out)
{
	if (sp->draw.plan) {
		addr_draw_address(&sp->draw, addr_index, out);
		return;
	}
	struct addr_plan fallback;
	struct lb_prefix one;
	addr_plan_default(&fallback, &one, sp->pop_index);
	struct addr_draw d = sp->draw;
	d.plan = &fallback;
	addr_draw_address(&d, addr_index, out);
}

static uint32_t address32(const struct source_pool *sp, uint32_t addr_index)
{
	if (!sp->addresses_read)
		return 0;
	struct lb_addr a;
	source_address_of(sp, addr_index, &a);
	return lb_addr_fold32(&a);
}

int source_open(struct source_pool *sp, struct source_binding *b, sim_time_t now,
		uint32_t *addr, uint16_t *port, uint32_t *addr_index)
{
	if (sp->kind == SOURCE_UNIQUE) {
		/* A device's own address: its ports are never the bottleneck. */
		*addr = address32(sp, b->addr_index);
		*port = (uint16_t)(1024 + (sp->opened % 64512u));
		*addr_index = b->addr_index;
		sp->opened++;
		return 0;
	}
	if (sp->kind == SOURCE_CGNAT && now >= b->next_change) {
		/* The carrier moved the device; the next change is memoryless. */
		uint32_t fresh = rng_below(&sp->rng, sp->naddrs);
		if (fresh != b->addr_index)
			sp->changes++;
		b->addr_index = fresh;
		b->next_change = now + churn_gap(sp);
	}
	uint32_t a = b->addr_index;
	if (sp->ports_used[a] >= sp->port_budget) {
		sp->refused++;
		return -1;
	}
	sp->ports_used[a]++;
	*addr = address32(sp, a);
	*port = (uint16_t)(1024 + sp->next_port[a] % 64512u);
	sp->next_port[a] = (uint16_t)((sp->next_port[a] + 1) % 64512u);
	*addr_index = a;
	sp->opened++;
	return 0;
}

void source_close(struct source_pool *sp, uint32_t addr_index)
{
	if (sp->kind != SOURCE_UNIQUE && sp->ports_used[addr_index] > 0)
		sp->ports_used[addr_index]--;
}
