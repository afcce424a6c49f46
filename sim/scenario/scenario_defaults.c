/* The defaults of the parts of a scenario that are tables rather than
 * single values: client behaviour and server CPU by workload
 * (models/workload.c holds the figures and their reasoning). */
#include "lbsim/scenario.h"

void scn_set_workload_defaults(struct scenario *scn)
{
	for (int w = 0; w < WL_COUNT; w++) {
		scn->clients[w] = *workload_default_client((enum workload)w);
		scn->servers.workloads[w] = *workload_default_server((enum workload)w);
	}
}

void scn_set_design_defaults(struct scn_design *d)
{
	cost_params_default(&d->costs);
}
