/* Runs every (design, replication) of a scenario on a few threads; see
 * include/lbsim/experiment.h. Each run owns all of its state (engine,
 * streams, balancer core), so runs share nothing but the read-only
 * scenario and the index of the next run to take. */
#include "lbsim/experiment.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct worker_pool {
	struct experiment *ex;
	FILE *progress;
	pthread_mutex_t lock;     /* guards next, failed, err, progress */
	size_t next, nruns;
	int failed;
	char err[512];
};

/* Take runs by index until none is left; each result goes to its own slot,
 * so the output never depends on which thread ran what, or when. */
static void *worker(void *arg)
{
	struct worker_pool *wp = arg;
	const struct scenario *scn = wp->ex->scn;
	for (;;) {
		pthread_mutex_lock(&wp->lock);
		size_t i = wp->next++;
		int stop = wp->failed || i >= wp->nruns;
		pthread_mutex_unlock(&wp->lock);
		if (stop)
			return NULL;
		uint32_t d = (uint32_t)(i / scn->replications);
		uint32_t r = (uint32_t)(i % scn->replications);
		char err[512];
		double t1 = wall_now();
		int rc = run_design(scn, d, r, &wp->ex->runs[i], err, sizeof err);
		pthread_mutex_lock(&wp->lock);
		if (rc != 0 && !wp->failed) {
			wp->failed = 1;
			snprintf(wp->err, sizeof wp->err, "%s", err);
		}
		if (rc == 0 && wp->progress)
			fprintf(wp->progress,
				"lbsim: design %s, replication %u/%u: %llu requests, %.2f s\n",
				scn->designs[d].name, r + 1, scn->replications,
				(unsigned long long)wp->ex->runs[i].sent, wall_now() - t1);
		pthread_mutex_unlock(&wp->lock);
	}
}

int experiment_run(struct experiment *ex, const struct scenario *scn, unsigned jobs,
		   FILE *progress, char *err, size_t errlen)
{
	ex->scn = scn;
	ex->events = 0;
	size_t nruns = (size_t)scn->ndesigns * scn->replications;
	ex->runs = calloc(nruns, sizeof *ex->runs);
	if (!ex->runs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct worker_pool wp = {.ex = ex, .progress = progress, .nruns = nruns};
	pthread_mutex_init(&wp.lock, NULL);
	if (jobs == 0)
		jobs = 1;
	if (jobs > nruns)
		jobs = (unsigned)nruns;
	pthread_t *threads = calloc(jobs, sizeof *threads);
	unsigned started = 0;
	double t0 = wall_now();
	/* The calling thread works too; extra threads only when asked. */
	for (unsigned j = 1; threads && j < jobs; j++)
		if (pthread_create(&threads[started], NULL, worker, &wp) == 0)
			started++;
	worker(&wp);
	for (unsigned j = 0; j < started; j++)
		pthread_join(threads[j], NULL);
	free(threads);
	pthread_mutex_destroy(&wp.lock);
	ex->wall_s = wall_now() - t0;
	if (wp.failed) {
		snprintf(err, errlen, "%s", wp.err);
		experiment_free(ex);
		return -1;
	}
	for (size_t i = 0; i < nruns; i++)
		ex->events += ex->runs[i].events;
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
