/* Closed forms of the M/M/c queue, for the planner's analytic reference
 * (lbsim plan, column erlang_size): Poisson arrivals at lambda per
 * second, c identical servers (a server's cores), exponential service of
 * mean s seconds, first come first served, unlimited queue. Every
 * function needs lambda s < c (a stable queue) and returns NaN otherwise.
 *
 * A request's response time T is its wait W plus its service S. W is 0
 * with probability 1 - C (C the Erlang C probability of waiting) and
 * otherwise exponential with rate theta = c/s - lambda, independent of S,
 * so P(T > t) = (1 - C) e^(-t/s) + C (theta e^(-t/s) - e^(-theta t)/s)
 * / (theta - 1/s). Quantiles are found on it with GSL's Brent solver.
 */
#ifndef LBSIM_QUEUEING_H
#define LBSIM_QUEUEING_H

/* Erlang C: the probability that an arrival waits, offered load a =
 * lambda s Erlangs on c servers. Computed through the Erlang B
 * recursion, stable for any c. */
double erlang_c(unsigned c, double a);

/* Mean response time (wait + service) in seconds. */
double mmc_response_mean(unsigned c, double lambda, double s);

/* P(T > t): the share of requests slower than t seconds. */
double mmc_response_tail(unsigned c, double lambda, double s, double t);

/* The q-quantile of the response time (0 < q < 1) in seconds. */
double mmc_response_quantile(unsigned c, double lambda, double s, double q);

#endif
