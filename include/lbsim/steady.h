/* The steady state of a run: its measured time outside the fault windows
 * and the recovery after each, so that a CI gate can judge a metric over
 * steady state alone (`scope: steady`), however much of the measured time
 * a fault takes (issue 15: a gate on `all` flaps when --duration changes
 * the fault's share of the measured time).
 *
 * A fault excludes [at, at + for + recovery), or from `at` to the end when
 * it never recovers. The recovery (steady_recovery_ns) is the time the
 * system needs to settle after the fault ends: the slowest design's checks
 * bringing the server back (rise x downinter, or inter), plus the longest
 * mean back-off of the clients (retrying or reconnecting). Every design of
 * a scenario is judged over the same steady time.
 */
#ifndef LBSIM_STEADY_H
#define LBSIM_STEADY_H

#include <stdint.h>

#include "lbsim/scenario.h"

struct steady_span {
	sim_time_t from, to;       /* excluded: from <= t < to */
};

struct steady {
	sim_time_t begin, end;     /* the measured time: warm-up's end to the run's */
	struct steady_span spans[SCN_MAX_FAULTS];
	uint32_t nspans;
};

/* The steady time of scn. */
void steady_init(struct steady *s, const struct scenario *scn);

/* After a fault ends, the time before the system is steady again. */
sim_time_t steady_recovery_ns(const struct scenario *scn);

/* 1 when t is steady: measured and in no excluded span. */
int steady_at(const struct steady *s, sim_time_t t);

/* 1 when all of [from, to) is steady. */
int steady_between(const struct steady *s, sim_time_t from, sim_time_t to);

#endif
