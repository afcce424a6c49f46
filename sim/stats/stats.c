/* Replication statistics; see include/lbsim/stats.h. The interval is
 * mean ± t(0.975, n-1) s / sqrt(n), s the sample standard deviation. */
#include "lbsim/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

struct estimate estimate_mean(const double *x, size_t n)
{
	struct estimate e = {.mean = NAN, .ci_low = NAN, .ci_high = NAN, .n = 0};
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i])) {
			sum += x[i];
			e.n++;
		}
	if (e.n == 0)
		return e;
	e.mean = sum / (double)e.n;
	if (e.n < 2)
		return e;
	double ss = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i]))
			ss += (x[i] - e.mean) * (x[i] - e.mean);
	double sd = sqrt(ss / (double)(e.n - 1));
	double half = gsl_cdf_tdist_Pinv(0.975, (double)(e.n - 1)) * sd / sqrt((double)e.n);
	e.ci_low = e.mean - half;
	e.ci_high = e.mean + half;
	return e;
}
