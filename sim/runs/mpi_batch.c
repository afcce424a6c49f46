/* Running a batch of runs on the threads of this process; see
 * include/lbsim/mpi_batch.h. The exchange between MPI ranks is in
 * sim/runs/mpi_comm.c.
 *
 * Threads take this rank's tasks by index from a shared counter (the
 * pattern of sim/runs/experiment.c), run each, let the extract hook write its
 * figures into the task's own slot, and free the run at once, so memory
 * holds at most `jobs` runs whatever the batch's size, and the numbers
 * never depend on which thread ran what, or when.
 */
#include "lbsim/mpi_batch.h"
#include "lbsim/request.h"
#include "lbsim/run.h"
#include "lbsim/threads.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct batch_pool {
	const struct batch *b;
	double *values;
	size_t next;              /* next task index of this rank to take */
	size_t stride, first;     /* this rank's tasks: first, first + stride, ... */
	pthread_mutex_t lock;     /* guards next, failed, err, the done hook */
	int failed;
	char err[512];
};

/* A thread: take this rank's tasks until none is left or one failed. */
static void *batch_worker(void *arg)
{
	struct batch_pool *bp = arg;
	const struct batch *b = bp->b;
	for (;;) {
		pthread_mutex_lock(&bp->lock);
		size_t i = bp->first + bp->next++ * bp->stride;
		int stop = bp->failed || i >= b->ntasks;
		pthread_mutex_unlock(&bp->lock);
		if (stop)
			return NULL;
		const struct batch_task *t = &b->tasks[i];
		struct run_result res;
		char err[512];
		double t0 = wall_now();
		int rc = run_design(t->scn, t->design, t->rep, &res, err, sizeof err);
		if (rc == 0) {
			b->extract(b->ctx, t, &res, &bp->values[i * b->nvalues]);
			run_result_free(&res);
		}
		pthread_mutex_lock(&bp->lock);
		if (rc != 0 && !bp->failed) {
			bp->failed = 1;
			snprintf(bp->err, sizeof bp->err, "%s", err);
		}
		if (rc == 0 && b->done)
			b->done(b->ctx, i, wall_now() - t0);
		pthread_mutex_unlock(&bp->lock);
	}
}

int batch_run(const struct batch *b, const struct batch_comm *comm, unsigned jobs,
	      double *values, char *err, size_t errlen)
{
	struct batch_comm alone = {.rank = 0, .size = 1};
	if (!comm)
		comm = &alone;
	struct batch_pool bp = {
		.b = b,
		.values = values,
		.stride = (size_t)comm->size,
		.first = (size_t)comm->rank,
	};
	memset(values, 0, b->ntasks * b->nvalues * sizeof *values);
	size_t mine = b->ntasks > bp.first ? (b->ntasks - bp.first + bp.stride - 1) / bp.stride : 0;
	if (jobs == 0)
		jobs = 1;
	if (jobs > mine)
		jobs = mine ? (unsigned)mine : 1;
	pthread_mutex_init(&bp.lock, NULL);
	pthread_t *threads = calloc(jobs, sizeof *threads);
	unsigned started = 0;
	/* The calling thread works too; extra threads only when asked. */
	for (unsigned j = 1; threads && j < jobs; j++)
		if (lbsim_thread_create(&threads[started], batch_worker, &bp) == 0)
			started++;
	batch_worker(&bp);
	for (unsigned j = 0; j < started; j++)
		pthread_join(threads[j], NULL);
	free(threads);
	pthread_mutex_destroy(&bp.lock);
	int bad = batch_comm_gather(comm, values, b->ntasks, b->nvalues, bp.failed);
	if (bad < 0)
		return 0;
	if (bp.failed) {
		snprintf(err, errlen, "%s", bp.err);
		return -1;
	}
	snprintf(err, errlen, "a run failed on MPI rank %d (its message is above)", bad);
	return -2;
}

void batch_memory_need(const struct batch *b, unsigned jobs, struct memory_need *m)
{
	*m = (struct memory_need){0};
	/* The biggest run of each (scenario, design) is what matters; runs
	 * of one scenario and design differ only by replication. */
	double biggest = 0;
	const struct scenario *last = NULL;
	uint32_t last_design = UINT32_MAX;
	for (size_t i = 0; i < b->ntasks; i++) {
		const struct batch_task *t = &b->tasks[i];
		if (t->scn == last && t->design == last_design)
			continue;
		last = t->scn;
		last_design = t->design;
		double need = (double)run_memory_estimate(t->scn, t->design);
		if (need > biggest) {
			biggest = need;
			m->queued = run_overload(t->scn, &m->offered, &m->capacity) *
				    sizeof(struct request);
		}
	}
	size_t side_by_side = jobs < b->ntasks ? jobs : b->ntasks;
	m->per_run = biggest;
	m->side_by_side = side_by_side ? (unsigned)side_by_side : 1;
	m->kept = (double)b->ntasks * (double)b->nvalues * sizeof(double);
	m->total = m->per_run * m->side_by_side + m->kept;
}
