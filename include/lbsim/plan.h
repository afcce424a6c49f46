/* `lbsim plan`: capacity planning. For every design and population size,
 * the smallest number of servers (or cores per server) that meets the
 * targets, the balancer cores that keep its CPU under a busy fraction,
 * and its memory; how that grows with the users; and, when a target
 * cannot be met, why.
 *
 * The search needs few simulations because the server-side figures are
 * monotone in capacity: bracket by doubling from a first guess (the
 * scenario's size scaled by users), bisect, and cache every evaluation
 * by size. A server busy target also gives a lower bound without
 * simulating: the servers' work is conserved, so a size whose mean busy
 * fraction would exceed the target fails whatever the skew. Every
 * (users, design) search advances one evaluation per round, all rounds'
 * runs in one batch (include/lbsim/mpi_batch.h), so threads and MPI ranks
 * share them and every rank takes the same next step.
 */
#ifndef LBSIM_PLAN_H
#define LBSIM_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lbsim/judge.h"
#include "lbsim/mpi_batch.h"
#include "lbsim/scenario.h"
#include "lbsim/workload.h"

#define PLAN_MAX_LEVELS 32        /* --users values */
#define PLAN_MAX_LATENCY 16       /* --max-p99 and --max-mean options */
#define PLAN_MAX_EVALS 64         /* evaluations of one search */

enum plan_size_key {
	PLAN_SIZE_SERVERS = 0,    /* servers.count */
	PLAN_SIZE_CORES,          /* servers.cores (one server's cores) */
};

/* A response-time target: p99 or mean, of every request or of a workload. */
struct plan_latency {
	int p99;                  /* 1: response_p99; 0: response_mean */
	int workload;             /* enum workload, or -1 for every request */
	double ms;
};

struct plan_opts {
	double max_lb_cpu;        /* balancer busy fraction (0, 1]; 0: no target */
	double max_server_busy;   /* busiest server's busy fraction; 0: no target */
	double max_failed;        /* share of measured requests; < 0: no target */
	struct plan_latency latency[PLAN_MAX_LATENCY];
	unsigned nlatency;
	uint64_t users[PLAN_MAX_LEVELS];  /* population totals; none: the scenario's */
	unsigned nusers;
	enum plan_size_key size_key;
	uint32_t max_size;        /* 0: the loader's limit for the key */
	uint32_t spare;           /* N+1 planning: servers down while the targets must hold */
	enum judge_mode judge;    /* the mean, the 95 % interval's upper end, or every replication */
};

/* Defaults: no targets, servers.count. */
void plan_opts_init(struct plan_opts *o);

/* Read one command-line option into o: name is the long option without
 * dashes ("max-p99", "users", "size-by", ...). Returns 0, or -1 with a
 * message. */
int plan_opts_parse(struct plan_opts *o, const char *name, const char *value, char *err,
		    size_t errlen);

struct memory_need;

/* What plan_run on jobs threads will hold at most: its biggest run (at
 * the largest users level, at the first size its search tries and at the
 * largest it may reach) side by side, and the figures it keeps. */
void plan_memory_need(const struct scenario *scn, const struct plan_opts *o, unsigned jobs,
		      struct memory_need *m);

/* Check o against scn (a workload target needs traffic of that
 * workload; there must be a target). Returns 0, or -1 with a message. */
int plan_opts_check(const struct plan_opts *o, const struct scenario *scn, char *err,
		    size_t errlen);

/* A figure of a plan row: mean over replications and its 95 % interval
 * (NaN with one replication). */
struct plan_figure {
	double mean, lo, hi;
};

/* The answer for one (users, design). Figures are at the chosen size (or,
 * when not met, at the largest size evaluated). */
struct plan_row {
	uint64_t users;
	uint32_t design;
	int met;
	uint32_t servers, cores;        /* servers (spare ones included) and cores per server */
	uint32_t spare;                 /* of the servers, down while the figures were measured */
	uint32_t lb_cores;              /* 0: unlimited (no --max-lb-cpu and none configured) */
	struct plan_figure lb_cpu_cores, lb_cpu_cores_peak, lb_mem_bytes;
	struct plan_figure server_busy_max, response_p99_ms, failed_share;
	/* The busiest server's busy fraction in the worst replication: a
	 * network is one draw, and where a design picks servers from the
	 * client's address the draws differ more than the interval says. */
	double server_busy_max_worst;
	/* The M/M/c reference (include/lbsim/queueing.h), where the scenario
	 * is open Poisson traffic with exponential demand and no faults: the
	 * smallest size meeting the server targets if every server got an
	 * independent Poisson share; its busy fraction and p99 at the
	 * planned size. NaN where it does not apply (why_no_reference). */
	double erlang_size, erlang_busy, erlang_p99_ms;
	const char *why_no_reference;
	unsigned evaluations;           /* sizes (and balancer sizes) simulated */
	unsigned simulations;           /* runs: evaluations x replications */
	char why[768];
};

struct plan {
	struct plan_row *rows;          /* users level, then design */
	size_t nrows;
	const struct scenario *scn;
	struct plan_opts opts;
	unsigned simulations, rounds;
	double wall_s;
};

/* Plan scn against o on jobs threads per rank; progress (may be NULL)
 * gets a line per evaluation. Returns 0 (targets met or not: see the
 * rows); -1 or -2 as batch_run, or -1 for bad input, with a message. */
int plan_run(struct plan *pl, const struct scenario *scn, const struct plan_opts *o,
	     const struct batch_comm *comm, unsigned jobs, FILE *progress, char *err,
	     size_t errlen);

/* What "servers" means in the plan (include/lbsim/model_notes.h), with
 * the spare servers: the scope line plan prints and plan.csv's folder
 * keeps. */
void plan_scope(const struct plan *pl, char *buf, size_t len);

/* The targets as they were given ("--max-p99 owa=200 --spare 1"), for
 * provenance. */
void plan_targets_text(const struct plan_opts *o, char *buf, size_t len);

/* Write dir/plan.csv whole or not at all. */
int plan_write_csv(const struct plan *pl, const char *dir, char *err, size_t errlen);

/* Draw plan.png and plan.svg (servers, balancer cores and memory against
 * users per design). Returns 0; 1 when gnuplot is missing; -1 otherwise. */
int plan_plot(const struct plan *pl, const char *dir, const char *shown, FILE *log, char *err,
	      size_t errlen);

void plan_free(struct plan *pl);

#endif
