/* Client source addresses and NAT; see include/lbsim/source.h. */
#include "lbsim/source.h"

#include <stdlib.h>

/* Population p owns slots [p * 2^26, (p + 1) * 2^26) of a 32-bit serial
 * space (64 populations of up to 67 million devices or NAT addresses),
 * mapped to addresses by a bijection (xorshift-multiply steps are
 * invertible), so distinct slots always give distinct addresses. */
uint32_t source_address(uint32_t pop, uint32_t i)
{
	uint32_t x = (pop << 26) + (i & ((1u << 26) - 1)) + 1;
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

int source_pool_init(struct source_pool *sp, enum source_kind kind, uint32_t pop_index,
		     uint32_t naddrs, uint32_t port_budget, sim_time_t churn_mean, const struct rng *rng)
{
	*sp = (struct source_pool){.kind = kind, .pop_index = pop_index};
	if (rng)
		sp->rng = *rng;
	sp->port_budget = port_budget ? port_budget : SOURCE_DEFAULT_PORT_BUDGET;
	if (sp->port_budget > 64512u)
		sp->port_budget = 64512u;
	sp->churn_mean_s = (double)churn_mean / (double)SIM_NS_PER_S;
	if (kind == SOURCE_UNIQUE)
		return 0;
	if (naddrs == 0 || (kind == SOURCE_CGNAT && !rng))
		return -1;
	sp->naddrs = naddrs;
	sp->ports_used = calloc(naddrs, sizeof *sp->ports_used);
	sp->next_port = calloc(naddrs, sizeof *sp->next_port);
	if (!sp->ports_used || !sp->next_port) {
		source_pool_free(sp);
		return -1;
	}
	return 0;
}

void source_pool_free(struct source_pool *sp)
{
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

void source_bind(struct source_pool *sp, struct source_binding *b, uint32_t device, sim_time_t now)
{
	switch (sp->kind) {
	case SOURCE_UNIQUE:
		b->addr_index = device;
		b->next_change = SIM_TIME_NEVER;
		break;
	case SOURCE_NAT:
		b->addr_index = device % sp->naddrs;
		b->next_change = SIM_TIME_NEVER;
		break;
	case SOURCE_CGNAT:
		b->addr_index = rng_below(&sp->rng, sp->naddrs);
		b->next_change = sp->churn_mean_s > 0 ? now + churn_gap(sp) : SIM_TIME_NEVER;
		break;
	}
}

int source_open(struct source_pool *sp, struct source_binding *b, uint32_t device,
		sim_time_t now, uint32_t *addr, uint16_t *port, uint32_t *addr_index)
{
	(void)device;
	if (sp->kind == SOURCE_UNIQUE) {
		/* A device's own address: its ports are never the bottleneck. */
		*addr = source_address(sp->pop_index, b->addr_index);
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
	*addr = source_address(sp->pop_index, a);
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
