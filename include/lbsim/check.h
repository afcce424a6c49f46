/* `lbsim check`: judge an experiment's results against the scenario's
 * `expect:` list.
 *
 * How an interval is judged: an expectation PASSes when the whole 95 %
 * confidence interval of the metric's mean lies within the bound, FAILs
 * when the whole interval lies outside it, and when the interval straddles
 * the bound the mean decides, and the line says the verdict is uncertain
 * (with --strict, a straddle fails). A gate that must not flap therefore
 * wants bounds away from the expected value, or more replications to
 * narrow the interval. A metric with no value (NaN in every replication,
 * such as detect_s of a fault never detected) fails a bound. With
 * --every-replication (JUDGE_EVERY, include/lbsim/judge.h) each
 * replication's value must lie within the bound, and a replication with
 * no value fails it.
 */
#ifndef LBSIM_CHECK_H
#define LBSIM_CHECK_H

#include <stdio.h>

#include "lbsim/experiment.h"
#include "lbsim/judge.h"
#include "lbsim/stats.h"

enum check_verdict { CHECK_PASS = 0, CHECK_FAIL, CHECK_UNCERTAIN_PASS, CHECK_UNCERTAIN_FAIL };

/* One judged line of a check: an expectation of the scenario, or a figure
 * compared with the baseline. */
struct check_line {
	int baseline;                /* 0: an expectation; 1: a baseline figure */
	const char *design, *metric, *unit;
	char scope[32];
	struct estimate now;         /* this run's mean and interval */
	int failed;                  /* counts as a failure (or a change) */
	const struct scn_expect *expect;  /* expectation: its bound and line */
	enum check_verdict verdict;
	double then_mean, then_lo, then_hi;  /* baseline: the stored figure */
	double tolerance;            /* baseline: the relative change allowed */
	double rep_min, rep_max;     /* --every-replication: the replications' range */
	unsigned rep_missing;        /* --every-replication: replications with no value */
	char text[512];              /* the line as printed */
};

/* What a check judged, line by line, for --junit and --json. */
struct check_report {
	struct check_line *lines;
	size_t n, cap;
	int oom;                     /* a line could not be kept */
	enum judge_mode mode;        /* how the expectations were judged */
	const char *baseline_path;   /* NULL: no baseline */
	unsigned expect_failed, compared, changed;
};

void check_report_free(struct check_report *r);

/* Print one line per expectation to out (and keep it in rep, which may
 * be NULL). Returns the number of expectations that failed (an uncertain
 * one counts as failed with JUDGE_UPPER, or when its mean is outside the
 * bound; with JUDGE_EVERY, one replication outside fails it). */
unsigned check_expectations(const struct experiment *ex, enum judge_mode mode, FILE *out,
			    struct check_report *rep);

/* A tolerance for one metric: a relative change (0.05 = 5 %). */
struct check_tolerance {
	char metric[48];
	double rel;
};

struct summary_table;

/* A baseline fails closed: before anything runs, the baseline (read by
 * summary_csv_read, which refuses damaged files) must hold exactly the
 * figures scn's run will report, every (design, metric, scope) of
 * summary.csv. Returns 0, or -1 with "path[:line]: what is wrong". */
int check_baseline_match(const struct scenario *scn, struct summary_table *base, const char *path,
			 char *err, size_t errlen);

/* Compare the experiment's summary with a stored one (a summary.csv of an
 * earlier run, checked by check_baseline_match): a figure has changed
 * when it moved by more than its tolerance (relative to the stored value;
 * absolute when that is 0) AND the two 95 % intervals do not overlap, so
 * noise alone never trips the gate. Every figure is compared, faults'
 * too. Prints one line per changed figure and a closing count; returns
 * the number changed. */
unsigned check_baseline(const struct experiment *ex, const struct summary_table *base,
			const struct check_tolerance *tol, size_t ntol, double default_rel, FILE *out,
			struct check_report *rep);

/* Can a report be written at path (its folder exists and takes a new
 * file)? Asked before simulating; removes stale temporaries of path
 * (file_out.h), saying so on note (may be NULL). Returns 0, or -1 with a
 * message. */
int check_report_path_ok(const char *path, FILE *note, char *err, size_t errlen);

/* JUnit XML as GitLab, Jenkins and GitHub read it: a test suite for the
 * expectations (one test case each, the measured interval in the failure
 * message) and one for the baseline (one test case per figure compared).
 * Written whole or not at all. Returns 0, or -1 with a message. */
int check_write_junit(const struct check_report *r, const struct scenario *scn,
		      const char *path, char *err, size_t errlen);

/* The same as one JSON document (include/lbsim/check.h's fields, NaN as
 * null). Returns 0, or -1 with a message. */
int check_write_json(const struct check_report *r, const struct scenario *scn,
		     const char *path, char *err, size_t errlen);

#endif
