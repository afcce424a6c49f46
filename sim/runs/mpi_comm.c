/* The MPI side of batches (include/lbsim/mpi_batch.h): joining the job,
 * agreeing on success, and exchanging results between ranks. Built with
 * MPI only under -DLBSIM_MPI=ON (LBSIM_WITH_MPI); otherwise these are the
 * single-process versions, and a run under mpirun with several ranks is
 * refused rather than run N times over.
 *
 * Only the main thread calls MPI (MPI_THREAD_FUNNELED): worker threads
 * simulate, the main thread exchanges once they have joined. Results
 * travel as bytes (MPI_BYTE), so a double reaches rank 0 with the same
 * bits it left with, NaN payloads and signed zeros included: the gathered
 * CSV is byte-identical to a single-process run. One exchange per batch:
 * a count and an all-gather of every rank's slots, O(ntasks * nvalues)
 * bytes to every rank.
 */
#include "lbsim/mpi_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LBSIM_WITH_MPI
#include <limits.h>
#include <mpi.h>
#endif

/* Did a launcher start several of us? Returns the world size it says, or
 * 0 when no launcher variable is set. */
static long launcher_size(void)
{
	static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strtol(v, NULL, 10);
	}
	/* PMIx launchers (srun --mpi=pmix) may set only the rank. */
	return getenv("PMIX_RANK") || getenv("PMI_RANK") ? 1 : 0;
}

#ifdef LBSIM_WITH_MPI

int batch_comm_available(void)
{
	return 1;
}

int batch_comm_init(struct batch_comm *c, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	*c = (struct batch_comm){.rank = 0, .size = 1};
	/* Without a launcher, stay a plain process: MPI_Init as a singleton
	 * would start OpenMPI's runtime for nothing. */
	if (launcher_size() == 0)
		return 0;
	int ready = 0, provided;
	MPI_Initialized(&ready);
	if (!ready && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
		snprintf(err, errlen, "MPI_Init failed");
		return -1;
	}
	c->mpi = !ready;
	MPI_Comm_rank(MPI_COMM_WORLD, &c->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &c->size);
	return 0;
}

void batch_comm_finish(struct batch_comm *c)
{
	if (c->mpi)
		MPI_Finalize();
	c->mpi = 0;
}

int batch_comm_all_ok(const struct batch_comm *c, int ok)
{
	if (!c || c->size <= 1)
		return ok;
	int mine = ok ? 1 : 0, all = 0;
	MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	return all;
}

int batch_comm_gather(const struct batch_comm *c, double *values, size_t ntasks,
		      size_t nvalues, int failed)
{
	if (!c || c->size <= 1)
		return failed ? 0 : -1;
	int mine = failed ? c->rank : INT_MAX, first = INT_MAX;
	MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (first != INT_MAX)
		return first;
	size_t size = (size_t)c->size, slot = nvalues * sizeof(double);
	int *counts = calloc(size, sizeof *counts), *displs = calloc(size, sizeof *displs);
	unsigned char *all = malloc(ntasks * slot + 1), *own = malloc(ntasks * slot / size + slot + 1);
	if (!counts || !displs || !all || !own || ntasks * slot > INT_MAX) {
		/* Every rank sizes the same buffers, so every rank fails here
		 * alike; say so without a collective that could hang. */
		fprintf(stderr, "lbsim: MPI rank %d: cannot exchange %zu results (out of memory "
			"or more than 2 GiB)\n", c->rank, ntasks);
		MPI_Abort(MPI_COMM_WORLD, 1);
		exit(1);
	}
	size_t off = 0;
	for (size_t k = 0; k < size; k++) {
		size_t n = ntasks > k ? (ntasks - k + size - 1) / size : 0;
		counts[k] = (int)(n * slot);
		displs[k] = (int)off;
		off += n * slot;
	}
	size_t n = 0;
	for (size_t i = (size_t)c->rank; i < ntasks; i += size)
		memcpy(own + n++ * slot, values + i * nvalues, slot);
	MPI_Allgatherv(own, counts[c->rank], MPI_BYTE, all, counts, displs, MPI_BYTE,
		       MPI_COMM_WORLD);
	for (size_t k = 0; k < size; k++) {
		size_t j = 0;
		for (size_t i = k; i < ntasks; i += size)
			memcpy(values + i * nvalues, all + (size_t)displs[k] + j++ * slot, slot);
	}
	free(counts);
	free(displs);
	free(all);
	free(own);
	return -1;
}

#else /* no MPI */

int batch_comm_available(void)
{
	return 0;
}

int batch_comm_init(struct batch_comm *c, char *err, size_t errlen)
{
	*c = (struct batch_comm){.rank = 0, .size = 1};
	if (launcher_size() > 1) {
		snprintf(err, errlen, "started by mpirun with %ld ranks, but this lbsim was built "
			 "without MPI: every rank would run the whole job; rebuild with "
			 "cmake -DLBSIM_MPI=ON (see README, Running on a cluster)", launcher_size());
		return -1;
	}
	return 0;
}

void batch_comm_finish(struct batch_comm *c)
{
	(void)c;
}

int batch_comm_all_ok(const struct batch_comm *c, int ok)
{
	(void)c;
	return ok;
}

int batch_comm_gather(const struct batch_comm *c, double *values, size_t ntasks,
		      size_t nvalues, int failed)
{
	(void)c, (void)values, (void)ntasks, (void)nvalues;
	return failed ? 0 : -1;
}

#endif
