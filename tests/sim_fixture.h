/* Builds scenarios in C for tests that must not depend on the YAML loader:
 * one population, one or more roundrobin designs, given servers. */
#ifndef LBSIM_TEST_SIM_FIXTURE_H
#define LBSIM_TEST_SIM_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "lbsim/scenario.h"

struct fixture {
	struct scenario scn;
	struct scn_population pop;
	struct scn_design designs[3];
};

/* servers x cores, service mean in ns, users x rate per user per second,
 * duration and warm-up in seconds, ndesigns roundrobin designs. */
static inline void fixture_init(struct fixture *f, uint32_t servers, uint32_t cores,
				sim_time_t service_ns, uint64_t users, double rate,
				double duration_s, double warmup_s, uint32_t ndesigns)
{
	memset(f, 0, sizeof *f);
	snprintf(f->scn.name, sizeof f->scn.name, "fixture");
	f->scn.duration = (sim_time_t)(duration_s * 1e9);
	f->scn.warmup = (sim_time_t)(warmup_s * 1e9);
	f->scn.seed = 1;
	f->scn.replications = 1;
	f->scn.servers.count = servers;
	f->scn.servers.cores = cores;
	f->scn.servers.service_mean = service_ns;
	snprintf(f->pop.name, sizeof f->pop.name, "clients");
	f->pop.users = users;
	f->pop.source = SCN_SOURCE_UNIQUE;
	f->pop.request_rate = rate;
	f->scn.populations = &f->pop;
	f->scn.npopulations = 1;
	for (uint32_t d = 0; d < ndesigns && d < 3; d++) {
		snprintf(f->designs[d].name, sizeof f->designs[d].name, "design%u", d + 1);
		f->designs[d].kind = (enum scn_design_kind)d;
		f->designs[d].balance = &lb_sel_roundrobin;
		scn_set_design_defaults(&f->designs[d]);
	}
	f->scn.designs = f->designs;
	f->scn.ndesigns = ndesigns;
	scn_set_workload_defaults(&f->scn);
}

/* Switch the fixture's population to client devices running the
 * workloads in mask (bits 1u << enum workload). */
static inline void fixture_devices(struct fixture *f, uint32_t mask)
{
	f->pop.request_rate = 0;
	f->pop.clients = mask;
}

/* Design d: kind, balance algorithm by name. */
static inline void fixture_design(struct fixture *f, uint32_t d, enum scn_design_kind kind,
				  const char *balance)
{
	f->designs[d].kind = kind;
	f->designs[d].balance = lb_sel_find(balance);
}

/* Design d takes no time of a request's: its operations cost no CPU and
 * its connections to the servers open at once (the fixture's population
 * has no network either), so a response time is the server's alone. */
static inline void fixture_instant_balancer(struct fixture *f, uint32_t d)
{
	struct cost_params *c = &f->designs[d].costs;
	for (int k = 0; k < COST_FIG_COUNT; k++)
		if (cost_figures[k].kind == COST_KIND_OP || cost_figures[k].kind == COST_KIND_BYTE)
			*cost_figure_ptr(c, (enum cost_figure)k) = 0;
	f->designs[d].backend_rtt = 0;
}

#endif
