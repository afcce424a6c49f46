/* Statistics over replications: the mean and its 95 % confidence
 * interval (Student t quantiles from GSL), built so that the interval
 * stays within the values the metric can take.
 *
 * A plain t interval, mean ± t s/√n, can leave a metric's range when the
 * replications are few and the values skewed or near a bound: a p-value
 * interval below 0, a peak-to-mean ratio below 1, a failed-request count
 * below 0. For a bounded metric the interval is built on a scale where
 * the range is the whole real line (the delta method): with g the
 * transform (log x for values >= 0, logit x for values in [0, 1],
 * log(x - 1) for values >= 1), the interval is
 *     g⁻¹( g(m) ± t · s · g'(m) / √n ),
 * m and s the mean and standard deviation of the replications' values.
 * It is centred on the mean itself (which is what summary.csv reports,
 * and which therefore always lies inside its interval), needs no
 * transform of single values (a replication at the bound, such as a
 * p-value of 0, is fine), widens towards the open side where the values
 * are skewed, and tends to the t interval when s is small. Over skewed
 * distributions at 3 to 30 replications it covers the mean more often
 * than the plain t interval does (tests/test_stats.c measures it on
 * known distributions). */
#ifndef LBSIM_STATS_H
#define LBSIM_STATS_H

#include <stddef.h>

/* The values a metric can take, which decide the scale of its interval. */
enum value_range {
	RANGE_REAL = 0,           /* any: the plain t interval (differences) */
	RANGE_NONNEG,             /* >= 0: counts, times, bytes, cores (log scale) */
	RANGE_UNIT,               /* [0, 1]: fractions, shares, indices, p-values (logit) */
	RANGE_ABOVE_ONE,          /* >= 1: peak-to-mean ratios (log(x - 1) scale) */
};

struct estimate {
	double mean;
	double ci_low, ci_high;   /* NaN with fewer than two replications */
	size_t n;
};

/* Estimate the mean of n independent values x of the given range (NaN
 * values are skipped and reduce n). When a value lies outside the range
 * (the range was declared wrong), the plain t interval is used. */
struct estimate estimate_mean_in(const double *x, size_t n, enum value_range range);

/* The same for values of any sign: the plain t interval. */
struct estimate estimate_mean(const double *x, size_t n);

/* "t interval on the log scale", ...: how an interval of the range is
 * built, for documents. */
const char *value_range_method(enum value_range range);

#endif
