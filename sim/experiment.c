/* Runs every (design, replication) of a scenario; see
 * include/lbsim/experiment.h. Serial for now: each run owns its state, so
 * spreading them over threads only changes this loop. */
#include "lbsim/experiment.h"

#include <stdlib.h>
#include <time.h>

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int experiment_run(struct experiment *ex, const struct scenario *scn, FILE *progress,
		   char *err, size_t errlen)
{
	ex->scn = scn;
	ex->events = 0;
	size_t nruns = (size_t)scn->ndesigns * scn->replications;
	ex->runs = calloc(nruns, sizeof *ex->runs);
	if (!ex->runs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	double t0 = wall_now();
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (uint32_t r = 0; r < scn->replications; r++) {
			struct run_result *res = &ex->runs[(size_t)d * scn->replications + r];
			double t1 = wall_now();
			if (run_design(scn, d, r, res, err, errlen) != 0) {
				experiment_free(ex);
				return -1;
			}
			ex->events += res->events;
			if (progress)
				fprintf(progress,
					"lbsim: design %s, replication %u/%u: %llu requests, "
					"%.2f s\n",
					scn->designs[d].name, r + 1, scn->replications,
					(unsigned long long)res->sent, wall_now() - t1);
		}
	}
	ex->wall_s = wall_now() - t0;
	return 0;
}

void experiment_free(struct experiment *ex)
{
	if (ex->runs && ex->scn) {
		size_t nruns = (size_t)ex->scn->ndesigns * ex->scn->replications;
		for (size_t i = 0; i < nruns; i++)
			run_result_free(&ex->runs[i]);
	}
	free(ex->runs);
	ex->runs = NULL;
}
