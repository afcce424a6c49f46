/* An experiment: every design of a scenario, each over every replication,
 * on common random numbers (replication r of every design draws the same
 * client traffic). Results are kept per (design, replication) in a fixed
 * order, so the output does not depend on the order runs finish in.
 */
#ifndef LBSIM_EXPERIMENT_H
#define LBSIM_EXPERIMENT_H

#include <stddef.h>
#include <stdio.h>

#include "lbsim/engine.h"
#include "lbsim/run.h"
#include "lbsim/scenario.h"

struct experiment {
	const struct scenario *scn;
	struct run_result *runs;     /* [design * replications + rep] */
	double wall_s;               /* wall-clock time the runs took */
	uint64_t events;             /* engine events over all runs */
	/* Set profile before experiment_run to time every event handler
	 * (lbsim --profile); the figures of all runs are summed into
	 * profile_sum. Off, it costs one predictable branch per event. */
	int profile;
	struct sim_profile profile_sum;
	/* Set before experiment_run to run every probe and sampling window
	 * as its own event (RUN_EVERY_EVENT, lbsim --every-event). */
	int every_event;
	/* Set before experiment_run to hold no more runs than threads (see
	 * experiment_in_flight): lbsim sets it when the spare run would not
	 * fit its memory limit. */
	int no_spare;
};

static inline const struct run_result *
experiment_run_of(const struct experiment *ex, uint32_t design, uint32_t rep)
{
	return &ex->runs[(size_t)design * ex->scn->replications + rep];
}

/* Run everything on jobs threads (0 or 1: the calling thread alone); the
 * results are the same whatever jobs is. Runs are taken heaviest design
 * first, and in slices (run_slice): with more runs than threads, one run
 * more than threads is held started, and after each slice a thread goes
 * on with the started run that has the most CPU time left, so the last
 * runs end together rather than one after another. progress (may be NULL, and should
 * be a terminal) gets a live progress line, rewritten in place. Returns 0, or -1 with a message (nothing partial
 * is kept). */
int experiment_run(struct experiment *ex, const struct scenario *scn, unsigned jobs,
		   FILE *progress, char *err, size_t errlen);
void experiment_free(struct experiment *ex);

/* Runs experiment_run holds started at once, on jobs threads, for nruns
 * runs: one per thread, and with spare (and two threads or more) one
 * more while more runs than threads are left (struct experiment.no_spare
 * is !spare). */
size_t experiment_in_flight(unsigned jobs, size_t nruns, int spare);

/* What experiment_run on jobs threads will hold: the biggest runs side by
 * side (experiment_in_flight, with or without the spare) and every run's
 * result, kept until experiment_free. */
void experiment_memory_need(const struct scenario *scn, unsigned jobs, int spare,
			    struct memory_need *m);

/* Write the CSV results (summary.csv, runs.csv, servers.csv, ...) into
 * dir, each whole or not at all; when any file fails, none of the new
 * files replaces an old one. */
int experiment_write_csv(const struct experiment *ex, const char *dir, char *err, size_t errlen);

/* The name of the i-th file experiment_write_csv writes, NULL past the
 * last. */
const char *experiment_csv_name(size_t i);

#endif
