/* The catalogue of summary metrics (sim/runs/summary.c): the figures lbsim
 * reports per design, by scope: the whole design, one workload, one
 * fault, the steady state. */
#ifndef LBSIM_SUMMARY_H
#define LBSIM_SUMMARY_H

#include <stddef.h>

#include "lbsim/csv_out.h"
#include "lbsim/experiment.h"
#include "lbsim/stats.h"

enum summary_scope {
	SUMMARY_ALL = 0,     /* scope "all" */
	SUMMARY_WORKLOAD,    /* scope: a workload's name */
	SUMMARY_FAULT,       /* scope: "fault<N>" */
	SUMMARY_STEADY,      /* scope "steady": measured time outside faults and their
			      * recovery (lbsim/steady.h) */
};

struct summary_metric {
	const char *name;
	const char *unit;
	/* The metric in one run; arg is the workload or fault index. */
	double (*get)(const struct run_result *r, int arg);
	/* The values it can take: its interval stays within them
	 * (include/lbsim/stats.h). */
	enum value_range range;
};

extern const struct summary_metric summary_design_metrics[];
extern const struct summary_metric summary_workload_metrics[];
extern const struct summary_metric summary_fault_metrics[];
extern const struct summary_metric summary_steady_metrics[];
extern const size_t summary_design_metrics_len, summary_workload_metrics_len,
	summary_fault_metrics_len, summary_steady_metrics_len;

/* The metric of that scope by name, or NULL. */
const struct summary_metric *summary_metric_find(const char *name, enum summary_scope scope);
/* "a, b, c": the names of a scope, for messages. */
const char *summary_metric_names(char *buf, size_t len, enum summary_scope scope);

/* Mean and interval of metric m of design over the replications, within
 * the metric's range; buf has room for one value per replication. */
struct estimate summary_estimate(const struct experiment *ex, uint32_t design,
				 const struct summary_metric *m, int arg, double *buf);

/* summary.csv's columns; sweep.csv has the same after its parameters. */
#define SUMMARY_NCOLUMNS 8
extern const char *const summary_columns[SUMMARY_NCOLUMNS];

/* An estimate as the last four columns of a result row: mean, ci95_low,
 * ci95_high, replications (summary.csv, sweep.csv, differences.csv). */
void summary_write_estimate(struct csv_out *c, const struct estimate *e);

/* The row of metric m of design in scope, ended: summary_columns' order. */
void summary_write_row(struct csv_out *c, const char *design, const struct summary_metric *m,
		       const char *scope, const struct estimate *e);

/* Does some population of scn ask for workload w? */
int summary_workload_used(const struct scenario *scn, int w);

/* One figure summary.csv reports: metric m in a scope. */
struct summary_item {
	const struct summary_metric *m;
	enum summary_scope kind;
	const char *scope;           /* "all", a workload's name, "fault3" */
	int arg;                     /* the workload or fault index for m->get */
	size_t index;                /* m's place in its scope's table */
};

/* Call visit for every figure of scn in summary.csv's order: the design
 * metrics, then each workload some population uses, then (with faults)
 * the steady state, then each fault.
 * summary.csv, runs.csv, sweep.csv and check --baseline list the same. */
void summary_for_each(const struct scenario *scn,
		      void (*visit)(void *ctx, const struct summary_item *it), void *ctx);

#endif
