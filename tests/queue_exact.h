/* Exact mean waiting and response times of the queues that lbsim's tests
 * and benchmarks check the simulator against, computed independently of
 * it (header-only, libm alone; lbsim's own M/M/c closed forms for the
 * planner, include/lbsim/queueing.h, are computed another way, by the
 * Erlang B recursion).
 *
 *   M/M/c     Erlang C, by the direct sum.
 *   GI/M/c    c servers of rate mu, FCFS, renewal arrivals with
 *             Laplace-Stieltjes transform A*(s) (here Erlang-k: a server
 *             that gets every k-th of a Poisson stream, as round robin over
 *             k servers gives). The textbook embedded-chain solution (Gross,
 *             Shortle, Thompson and Harris, Fundamentals of Queueing Theory,
 *             4th ed., section 6.3; Takacs 1962): sigma is the root in (0, 1)
 *             of sigma = A*(c mu (1 - sigma)); an arrival finds n >= c with
 *             probability C sigma^(n-c); the c probabilities below c follow
 *             from the chain's balance equations, solved downwards from
 *             q_{c-1} = C / sigma (the equation for state c). The transition
 *             probabilities are integrals of A against exponentials, so for
 *             Erlang arrivals they are sums of A* at multiples of mu:
 *               p_ij (i + 1 <= c) = C(i+1, j) sum_l C(i+1-j, l) (-1)^l A*((j+l) mu)
 *             and the geometric states' share of state j < c sums to
 *               S_j = c mu C(c, j) sum_l C(c-j, l) (-1)^l
 *                     (A*((j+l) mu) - sigma) / (c mu (1 - sigma) - (j+l) mu).
 *             Then P(wait) = C / (1 - sigma) and
 *             Wq = C / (c mu (1 - sigma)^2), with the q's normalised.
 * With k = 1 (Poisson arrivals) GI/M/c is M/M/c: tests/test_queueing.c
 * checks that the two agree.
 */
#ifndef LBSIM_TEST_QUEUE_EXACT_H
#define LBSIM_TEST_QUEUE_EXACT_H

#include <math.h>

/* Erlang C: probability that an arrival waits, c servers, offered load a =
 * lambda / mu (in Erlangs), a < c. */
static inline double erlang_c_by_sum(unsigned c, double a)
{
	double term = 1, sum = 1; /* a^k / k! for k = 0 */
	for (unsigned k = 1; k < c; k++) {
		term *= a / k;
		sum += term;
	}
	double last = term * a / c; /* a^c / c! */
	double rho = a / c;
	double top = last / (1 - rho);
	return top / (sum + top);
}

/* Mean response time (wait + service) of M/M/c, in the unit of 1/mu. */
static inline double mmc_response(unsigned c, double lambda, double mu)
{
	double a = lambda / mu;
	return erlang_c_by_sum(c, a) / (c * mu - lambda) + 1 / mu;
}

/* LST of an Erlang-k interarrival time of phase rate theta (mean k / theta). */
static inline double erlang_lst(unsigned k, double theta, double s)
{
	return pow(theta / (theta + s), (double)k);
}

static inline double binomial(unsigned n, unsigned r)
{
	double b = 1;
	for (unsigned i = 1; i <= r; i++)
		b = b * (n - r + i) / i;
	return b;
}

/* Mean response time of E_k/M/c: Erlang-k arrivals of phase rate theta
 * (arrival rate theta / k), c servers of rate mu, FCFS; c <= 64. Returns
 * NaN when unstable (theta / k >= c mu). */
static inline double ekmc_response(unsigned k, double theta, unsigned c, double mu)
{
	if (theta / k >= c * mu || c == 0 || c > 64)
		return NAN;
	/* sigma: g(s) = A*(c mu (1 - s)) - s is positive below the root and
	 * negative between it and 1. */
	double lo = 0, hi = 1 - 1e-15;
	for (int it = 0; it < 200; it++) {
		double mid = (lo + hi) / 2;
		if (erlang_lst(k, theta, c * mu * (1 - mid)) - mid > 0)
			lo = mid;
		else
			hi = mid;
	}
	const double sigma = (lo + hi) / 2;
	/* q[j], j < c, with C = 1. */
	double q[64];
	q[c - 1] = 1 / sigma;
	for (unsigned j = c - 1; j >= 1; j--) {
		/* Balance of state j: q_j = sum_{i=j-1}^{c-1} q_i p_ij + S_j. */
		double rest = 0;
		for (unsigned i = j; i <= c - 1; i++) {
			double p = 0;
			for (unsigned l = 0; l <= i + 1 - j; l++)
				p += (l & 1 ? -1 : 1) * binomial(i + 1 - j, l) *
				     erlang_lst(k, theta, (j + l) * mu);
			rest += q[i] * binomial(i + 1, j) * p;
		}
		double s_j = 0;
		for (unsigned l = 0; l <= c - j; l++) {
			double b = (j + l) * mu, a = c * mu * (1 - sigma);
			/* (A*(b) - A*(a)) / (a - b), A*(a) = sigma; where a and b
			 * (nearly) meet, the limit -A*'((a + b) / 2), exact to
			 * O((a - b)^2): for Erlang-k, A*'(s) = -k A*(s) / (theta + s). */
			double diff;
			if (fabs(a - b) <= 1e-6 * (a + b)) {
				double m = (a + b) / 2;
				diff = k * erlang_lst(k, theta, m) / (theta + m);
			} else {
				diff = (erlang_lst(k, theta, b) - sigma) / (a - b);
			}
			s_j += (l & 1 ? -1 : 1) * binomial(c - j, l) * diff;
		}
		s_j *= c * mu * binomial(c, j);
		/* p_{j-1, j}: from j - 1 (j after the arrival), all j stay. */
		double p_up = erlang_lst(k, theta, j * mu);
		q[j - 1] = (q[j] - rest - s_j) / p_up;
	}
	double total = 1 / (1 - sigma);
	for (unsigned j = 0; j < c; j++)
		total += q[j];
	double wq = 1 / (total * c * mu * (1 - sigma) * (1 - sigma));
	return wq + 1 / mu;
}

#endif
