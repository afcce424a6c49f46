/* The defaults of the parts of a scenario that are tables rather than
 * single values: client behaviour and server CPU by workload
 * (models/workload.c holds the figures and their reasoning). */
#include "lbsim/scenario.h"

void scn_set_workload_defaults(struct scenario *scn)
{
	for (int w = 0; w < WL_COUNT; w++) {
		scn->clients[w] = *workload_default_client((enum workload)w);
		scn->servers.workloads[w] = *workload_default_server((enum workload)w);
		for (uint32_t i = 0; i < scn->npopulations; i++)
			scn->populations[i].client[w] = scn->clients[w];
	}
}

uint32_t scn_workloads_used(const struct scenario *scn)
{
	uint32_t used = 0;
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		const struct scn_population *p = &scn->populations[i];
		if (scn_is_replay(p)) {
			used |= (1u << WL_COUNT) - 1; /* a log may hold any of them */
			continue;
		}
		if (p->request_rate > 0) {
			used |= 1u << p->open_workload;
			continue;
		}
		for (int w = 0; w < WL_COUNT; w++)
			if ((p->clients >> w) & 1u && p->client[w].share > 0)
				used |= 1u << w;
	}
	return used;
}

/* What design d's selection and persistence read of a request (need bits). */
static unsigned design_needs(const struct scn_design *d)
{
	unsigned needs = d->balance ? d->balance->needs : 0;
	if (d->persist)
		needs |= d->persist->needs;
	return needs;
}

int scn_design_reads_source(const struct scn_design *d)
{
	return (design_needs(d) & LB_NEED_SRC_ADDR) != 0;
}

int scn_design_reads_tls_hello(const struct scn_design *d)
{
	return (design_needs(d) & LB_NEED_TLS_HELLO) != 0;
}
