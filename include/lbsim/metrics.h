/* Distribution-skew metrics, exactly as DESIGN.md defines them.
 *
 * x[i] is the load of server i over a window (requests, connections or
 * active sessions) and w[i] its weight (NULL: all equal). Loads are divided
 * by weight before comparing, so a fair weighted split scores as fair.
 */
#ifndef LBSIM_METRICS_H
#define LBSIM_METRICS_H

#include <stddef.h>

struct skew {
	double peak_to_mean; /* max(x/w) / mean(x/w) */
	double cov;          /* population standard deviation / mean of x/w */
	double jain;         /* (sum y)^2 / (n sum y^2), y = x/w */
	double gini;         /* Gini coefficient of y */
	double chi2;         /* Pearson statistic against the weight-proportional split */
	double chi2_p;       /* its p-value, n - 1 degrees of freedom */
};

/* Compute every skew metric over n servers. With no load at all (sum 0) the
 * split is undefined: every field is NaN. Returns 0, or -1 when n == 0 or a
 * weight is not positive. */
int skew_compute(const double *x, const double *w, size_t n, struct skew *out);

#endif
