/* Which run a thread takes next, when runs are taken in slices
 * (run_slice) and may go on from one thread to another between them:
 * experiment_run's scheduler, kept apart from the threads so that it can
 * be tested on a virtual clock (tests/test_run_sched.c).
 *
 * The policy: start a run not yet started (in the given order, heaviest
 * design first) while fewer than max_in_flight are started; otherwise go on
 * with the started run, not running, that has the most CPU time left at
 * the rate of its slices so far (the run just sliced on a tie). Longest
 * remaining first is the optimal preemptive schedule on identical
 * threads (it ends at the larger of the longest run and the total over
 * the threads, within a slice), where taking whole runs ends when the
 * busiest thread's runs do: three runs on two threads, one thread runs
 * two of them.
 *
 * Not thread-safe: the caller holds a lock around every call.
 */
#ifndef LBSIM_RUN_SCHED_H
#define LBSIM_RUN_SCHED_H

#include <stddef.h>
#include <stdint.h>

struct sched_run {
	int started, busy, over;
	double cpu_s;           /* thread CPU time its slices took */
	uint64_t reached;       /* simulated time reached */
};

struct run_sched {
	struct sched_run *run;  /* nruns, zeroed */
	const size_t *order;    /* the runs in the order to start them */
	size_t nruns, next;     /* next: how many of order were started */
	size_t in_flight, max_in_flight;
	uint64_t end;           /* simulated time every run ends at */
	int stopped;            /* take nothing more (a run failed) */
};

#define SCHED_NONE SIZE_MAX

/* The run to take, having just run a slice of mine (SCHED_NONE: none, or
 * it is over); marks it busy, and started (*fresh = 1) when it was not.
 * SCHED_NONE when there is nothing to take: what is left is running on
 * other threads, and never more runs than threads. */
size_t sched_take(struct run_sched *s, size_t mine, int *fresh);

/* A slice of run i took cpu_s and reached simulated time reached; over:
 * the run is done (or failed). Clears busy. */
void sched_slice_done(struct run_sched *s, size_t i, double cpu_s, uint64_t reached, int over);

/* Run i could not start: it is over without a slice. */
void sched_start_failed(struct run_sched *s, size_t i);

/* The simulated length of run i's next slice: about SCHED_SLICE_CPU_S of
 * CPU time at the rate of its slices so far, and from 1/SCHED_SLICES_MAX
 * to 1/SCHED_SLICES_MIN of the run. The runs in flight end within about a
 * slice of each other (the last one's), so a long run takes short
 * slices: 0.1 s rather than the 1.5 s that 1/200 of a 1,000,000-user
 * layer-7 hour takes; a short run keeps 1/200 (every slice costs a few
 * microseconds: two clock reads, the lock). */
#define SCHED_SLICE_CPU_S 0.1
#define SCHED_SLICES_MIN 200u
#define SCHED_SLICES_MAX 4000u
uint64_t sched_step(const struct run_sched *s, size_t i);

#endif
