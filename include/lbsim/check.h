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
 * such as detect_s of a fault never detected) fails a bound.
 */
#ifndef LBSIM_CHECK_H
#define LBSIM_CHECK_H

#include <stdio.h>

#include "lbsim/experiment.h"

enum check_verdict { CHECK_PASS = 0, CHECK_FAIL, CHECK_UNCERTAIN_PASS, CHECK_UNCERTAIN_FAIL };

/* Print one line per expectation to out. Returns the number of
 * expectations that failed (an uncertain one counts as failed when strict,
 * or when its mean is outside the bound). */
unsigned check_expectations(const struct experiment *ex, int strict, FILE *out);

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
			const struct check_tolerance *tol, size_t ntol, double default_rel, FILE *out);

#endif
