/* Batches of runs for sweeps and plans, spread over threads and, when
 * lbsim is built with LBSIM_MPI and started by mpirun, over MPI ranks.
 *
 * A task is one run: (scenario, design, replication). Each run is
 * deterministic from those three, so a batch gives the same numbers
 * wherever its tasks execute. What a caller keeps of a run is a fixed
 * number of doubles (its summary-level figures), written by an extract
 * hook into the task's own slot; the run itself is freed at once. With
 * MPI, rank k runs the tasks i with i % size == k, and every rank then
 * receives every slot (the doubles' bits, unchanged), so all ranks hold
 * the same results and can take the same next decision (a plan's next
 * bisection step); only rank 0 writes files.
 */
#ifndef LBSIM_MPI_BATCH_H
#define LBSIM_MPI_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lbsim/run.h"
#include "lbsim/scenario.h"

/* The processes lbsim runs as: one (rank 0 of 1) unless MPI started it. */
struct batch_comm {
	int rank, size;
	int mpi;                 /* MPI_Init was called: batch_comm_finish must be */
};

/* Join the MPI job when the environment says mpirun (or srun) started
 * this process (OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_RANK); otherwise, or
 * without LBSIM_MPI, stay a single process. Returns 0, or -1 with a
 * message (started by mpirun with several ranks but built without MPI). */
int batch_comm_init(struct batch_comm *c, char *err, size_t errlen);
void batch_comm_finish(struct batch_comm *c);

/* 1 when ok is non-zero on every rank (collective: every rank must call
 * it at the same point); ok itself when alone. */
int batch_comm_all_ok(const struct batch_comm *c, int ok);

/* Was lbsim built with MPI support? */
int batch_comm_available(void);

struct batch_task {
	const struct scenario *scn;
	uint32_t design, rep;
};

struct batch {
	const struct batch_task *tasks;
	size_t ntasks;
	size_t nvalues;          /* doubles kept per task */
	/* Write the task's nvalues figures of run r into out. */
	void (*extract)(void *ctx, const struct batch_task *t, const struct run_result *r,
			double *out);
	/* A task of this rank finished (under a lock; may be NULL). */
	void (*done)(void *ctx, size_t task, double wall_s);
	void *ctx;
};

/* Run every task of b on jobs threads of each rank (0 or 1: the calling
 * thread alone) and fill values[task * nvalues + k] on every rank.
 * Collective under MPI. Returns 0; -1 with a message when a run of this
 * rank failed; -2 when only another rank's did (that rank prints its own
 * message; err says which rank). Nothing is kept after a failure. */
int batch_run(const struct batch *b, const struct batch_comm *comm, unsigned jobs,
	      double *values, char *err, size_t errlen);

/* What b on jobs threads will hold: its largest runs side by side
 * (run_memory_estimate) and the nvalues figures kept of every task. */
void batch_memory_need(const struct batch *b, unsigned jobs, struct memory_need *m);

/* Exchange the slots after each rank ran its own: values holds this
 * rank's tasks (i % size == rank) on entry and every task on return.
 * failed: this rank's verdict; returns the rank of the first that failed,
 * or -1 when none did. Collective; a no-op when alone. */
int batch_comm_gather(const struct batch_comm *c, double *values, size_t ntasks,
		      size_t nvalues, int failed);

#endif
