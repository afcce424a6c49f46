/* Replication statistics; see include/lbsim/stats.h for the method. */
#include "lbsim/stats.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* The transform g of a range, its inverse and its derivative. */
static double to_scale(enum value_range r, double x)
{
	switch (r) {
	case RANGE_NONNEG:
		return log(x);
	case RANGE_UNIT:
		return log(x) - log1p(-x);
	case RANGE_ABOVE_ONE:
		return log(x - 1);
	default:
		return x;
	}
}

static double from_scale(enum value_range r, double y)
{
	switch (r) {
	case RANGE_NONNEG:
		return exp(y);
	case RANGE_UNIT:
		/* The logistic function, without overflow on either side. */
		return y >= 0 ? 1 / (1 + exp(-y)) : exp(y) / (1 + exp(y));
	case RANGE_ABOVE_ONE:
		return 1 + exp(y);
	default:
		return y;
	}
}

static double slope(enum value_range r, double m)
{
	switch (r) {
	case RANGE_NONNEG:
		return 1 / m;
	case RANGE_UNIT:
		return 1 / (m * (1 - m));
	case RANGE_ABOVE_ONE:
		return 1 / (m - 1);
	default:
		return 1;
	}
}

/* Is x a value of the range? strict: inside it, not on a bound (where
 * the transform is infinite). */
static int in_range(enum value_range r, double x, int strict)
{
	switch (r) {
	case RANGE_NONNEG:
		return strict ? x > 0 : x >= 0;
	case RANGE_UNIT:
		return strict ? x > 0 && x < 1 : x >= 0 && x <= 1;
	case RANGE_ABOVE_ONE:
		return strict ? x > 1 : x >= 1;
	default:
		return 1;
	}
}

static void clamp(enum value_range r, struct estimate *e)
{
	double lo = r == RANGE_ABOVE_ONE ? 1 : r == RANGE_REAL ? -INFINITY : 0;
	double hi = r == RANGE_UNIT ? 1 : INFINITY;
	e->ci_low = e->ci_low < lo ? lo : e->ci_low;
	e->ci_high = e->ci_high > hi ? hi : e->ci_high;
}

const char *value_range_method(enum value_range range)
{
	switch (range) {
	case RANGE_NONNEG:
		return "t interval on the log scale (delta method)";
	case RANGE_UNIT:
		return "t interval on the logit scale (delta method)";
	case RANGE_ABOVE_ONE:
		return "t interval on the log(x - 1) scale (delta method)";
	default:
		return "t interval";
	}
}

struct estimate estimate_mean_in(const double *x, size_t n, enum value_range range)
{
	struct estimate e = {.mean = NAN, .ci_low = NAN, .ci_high = NAN, .n = 0};
	double sum = 0;
	int inside = 1;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i])) {
			sum += x[i];
			e.n++;
			inside &= in_range(range, x[i], 0);
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
	/* Values all alike (sd 0, which is also the case of a mean on a
	 * bound: every value is on it) have a point interval; a value out of
	 * range gets the plain one; a mean on a bound with values that differ
	 * (only by rounding: values within 1 ulp of it) gets the plain one
	 * held within the range, which the true mean cannot leave. */
	if (range == RANGE_REAL || sd == 0 || !inside || !in_range(range, e.mean, 1)) {
		e.ci_low = e.mean - half;
		e.ci_high = e.mean + half;
		if (inside)
			clamp(range, &e);
		return e;
	}
	double centre = to_scale(range, e.mean);
	double h = half * slope(range, e.mean);
	e.ci_low = from_scale(range, centre - h);
	e.ci_high = from_scale(range, centre + h);
	/* Rounding in the back-transform must not move an end past the mean. */
	if (e.ci_low > e.mean)
		e.ci_low = e.mean;
	if (e.ci_high < e.mean)
		e.ci_high = e.mean;
	return e;
}

struct estimate estimate_mean(const double *x, size_t n)
{
	return estimate_mean_in(x, n, RANGE_REAL);
}
