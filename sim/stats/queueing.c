/* M/M/c closed forms; see include/lbsim/queueing.h. */
#include "lbsim/queueing.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

double erlang_c(unsigned c, double a)
{
	if (c == 0 || !(a >= 0) || a >= c)
		return NAN;
	/* B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1: no factorials, no
	 * overflow at a thousand cores. */
	double b = 1;
	for (unsigned k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	return c * b / (c - a * (1 - b));
}

double mmc_response_mean(unsigned c, double lambda, double s)
{
	double wait = erlang_c(c, lambda * s);
	return isnan(wait) ? NAN : wait / (c / s - lambda) + s;
}

double mmc_response_tail(unsigned c, double lambda, double s, double t)
{
	double wait = erlang_c(c, lambda * s);
	if (isnan(wait))
		return NAN;
	double mu = 1 / s, theta = c * mu - lambda;
	double served = exp(-mu * t);
	/* W + S with W ~ Exp(theta), S ~ Exp(mu); theta == mu is its limit,
	 * a gamma(2, mu) tail. */
	double both = fabs(theta - mu) < 1e-12 * mu
			      ? (1 + mu * t) * served
			      : (theta * served - mu * exp(-theta * t)) / (theta - mu);
	return (1 - wait) * served + wait * both;
}

struct tail_at {
	unsigned c;
	double lambda, s, p;
};

static double tail_minus_p(double t, void *arg)
{
	const struct tail_at *x = arg;
	return mmc_response_tail(x->c, x->lambda, x->s, t) - x->p;
}

double mmc_response_quantile(unsigned c, double lambda, double s, double q)
{
	if (!(q > 0 && q < 1) || isnan(erlang_c(c, lambda * s)))
		return NAN;
	struct tail_at x = {c, lambda, s, 1 - q};
	/* Bracket: the tail falls from 1 at t = 0; double until below p. */
	double hi = s;
	while (tail_minus_p(hi, &x) > 0 && hi < 1e12 * s)
		hi *= 2;
	gsl_function f = {tail_minus_p, &x};
	gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
	if (!solver)
		return NAN;
	double root = NAN;
	if (gsl_root_fsolver_set(solver, &f, 0, hi) == GSL_SUCCESS) {
		for (int i = 0; i < 200; i++) {
			if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
				break;
			double lo = gsl_root_fsolver_x_lower(solver), up = gsl_root_fsolver_x_upper(solver);
			root = gsl_root_fsolver_root(solver);
			if (gsl_root_test_interval(lo, up, 0, 1e-10) == GSL_SUCCESS)
				break;
		}
	}
	gsl_root_fsolver_free(solver);
	return root;
}
