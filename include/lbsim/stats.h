/* Statistics over replications: mean and 95 % confidence interval from the
 * Student t distribution (GSL). */
#ifndef LBSIM_STATS_H
#define LBSIM_STATS_H

#include <stddef.h>

struct estimate {
	double mean;
	double ci_low, ci_high;   /* NaN with fewer than two replications */
	size_t n;
};

/* Estimate the mean of n independent values x (NaN values are skipped and
 * reduce n). */
struct estimate estimate_mean(const double *x, size_t n);

#endif
