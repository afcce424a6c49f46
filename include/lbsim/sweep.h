/* `lbsim sweep`: a grid over scenario values (--set KEY=a,b,c ...), each
 * point simulated with every design and replication, into one tidy
 * sweep.csv: the swept keys as columns, then the columns of summary.csv
 * (design, metric, scope, unit, mean, ci95_low, ci95_high, replications),
 * each row the same bytes as `lbsim run` of that point writes in its
 * summary.csv. Plots draw headline metrics against the first swept key,
 * one line per design.
 *
 * The grid is the cartesian product of the axes, the first axis varying
 * slowest. Runs of every point go into one batch (include/lbsim/mpi_batch.h),
 * so -j threads and MPI ranks share out points and replications alike;
 * the figures do not depend on how.
 */
#ifndef LBSIM_SWEEP_H
#define LBSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lbsim/mpi_batch.h"
#include "lbsim/params.h"
#include "lbsim/scenario.h"

#define SWEEP_MAX_POINTS 10000u

struct sweep {
	const struct scenario *base;
	const struct param_axis *axes;
	uint32_t naxes;
	uint32_t npoints;
	struct scenario *points;     /* [npoints]: the base with the point's values */
	uint32_t *choice;            /* [point * naxes + axis]: index of the axis's value */
	struct batch_task *tasks;    /* point, design, replication order */
	size_t ntasks;
	size_t *first_task;          /* [npoints + 1] */
	size_t nvalues;              /* figures per run (the summary catalogue) */
	double *values;              /* [task * nvalues + k] */
	/* Progress (sweep_run). */
	FILE *progress;
	size_t *left;                /* this rank's runs of each point not yet done */
	double *point_wall;          /* seconds of runs per point */
	const struct batch_comm *comm;
	double wall_s;
};

/* Build the grid: every point's scenario, the file with its values
 * (params_point) and the common options (may be NULL). Returns 0, or -1
 * with a message naming the point (nothing runs). */
int sweep_prepare(struct sweep *sw, const struct scenario *base, const struct param_axis *axes,
		  uint32_t naxes, const struct params_common *common, char *err, size_t errlen);

/* Simulate every point on jobs threads per rank; progress (may be NULL)
 * gets a line per point. Returns 0; -1 or -2 as batch_run. */
int sweep_run(struct sweep *sw, const struct batch_comm *comm, unsigned jobs, FILE *progress,
	      char *err, size_t errlen);

/* Write dir/sweep.csv whole or not at all. Returns 0, or -1 with a message. */
int sweep_write_csv(const struct sweep *sw, const char *dir, char *err, size_t errlen);

/* Draw sweep_<metric>.png and .svg for each headline metric. Returns 0; 1
 * when gnuplot is missing; -1 on another failure (message in err). */
int sweep_plot(const struct sweep *sw, const char *dir, const char *shown, FILE *log, char *err,
	       size_t errlen);

/* The i-th metric sweep_plot draws (sweep_<metric>.png and .svg), NULL
 * past the last. */
const char *sweep_plot_metric(size_t i);

void sweep_free(struct sweep *sw);

/* "servers.count=4, users=1000": the point's values, for messages. */
const char *sweep_point_name(const struct sweep *sw, uint32_t point, char *buf, size_t len);

#endif
