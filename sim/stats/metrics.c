/* Skew metrics. Gini uses the sorted form G = 2 sum(i y_(i)) / (n sum y)
 * - (n + 1) / n with y ascending and i from 1, which is exact for a finite
 * population (0 when all equal, (n - 1)/n when one server has everything).
 * The chi-squared p-value comes from GSL. */
#include "lbsim/metrics.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

int skew_compute(const double *x, const double *w, size_t n, struct skew *out)
{
	if (n == 0)
		return -1;
	double *y = malloc(n * sizeof *y);
	if (!y)
		return -1;
	double sum_y = 0, sum_y2 = 0, max_y = 0, sum_x = 0, sum_w = 0;
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		if (!(wi > 0)) {
			free(y);
			return -1;
		}
		y[i] = x[i] / wi;
		sum_y += y[i];
		sum_y2 += y[i] * y[i];
		if (y[i] > max_y)
			max_y = y[i];
		sum_x += x[i];
		sum_w += wi;
	}
	if (!(sum_y > 0)) {
		free(y);
		out->peak_to_mean = out->cov = out->jain = out->gini = NAN;
		out->chi2 = out->chi2_p = NAN;
		return 0;
	}
	double dn = (double)n;
	double mean = sum_y / dn;
	double var = sum_y2 / dn - mean * mean;
	out->peak_to_mean = max_y / mean;
	out->cov = sqrt(var > 0 ? var : 0) / mean;
	out->jain = sum_y * sum_y / (dn * sum_y2);

	gsl_sort(y, 1, n);
	double ranked = 0;
	for (size_t i = 0; i < n; i++)
		ranked += (double)(i + 1) * y[i];
	out->gini = 2.0 * ranked / (dn * sum_y) - (dn + 1.0) / dn;
	free(y);

	double chi2 = 0;
	for (size_t i = 0; i < n; i++) {
		double expect = sum_x * (w ? w[i] : 1.0) / sum_w;
		double d = x[i] - expect;
		chi2 += d * d / expect;
	}
	out->chi2 = chi2;
	out->chi2_p = n > 1 ? gsl_cdf_chisq_Q(chi2, dn - 1.0) : 1.0;
	return 0;
}
