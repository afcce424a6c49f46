/* experiment_run's scheduler of run slices; see include/lbsim/run_sched.h. */
#include "lbsim/run_sched.h"

#include <math.h>

/* The CPU time a started run still needs, at the rate its slices so far
 * took per simulated nanosecond; without a slice yet, more than any. */
static double cpu_left(const struct run_sched *s, const struct sched_run *r)
{
	if (r->reached == 0)
		return HUGE_VAL;
	return r->cpu_s * (double)(s->end - r->reached) / (double)r->reached;
}

size_t sched_take(struct run_sched *s, size_t mine, int *fresh)
{
	*fresh = 0;
	if (mine != SCHED_NONE)
		s->run[mine].busy = 0;
	if (s->stopped)
		return SCHED_NONE;
	if (s->next < s->nruns && s->in_flight < s->max_in_flight) {
		size_t i = s->order[s->next++];
		s->in_flight++;
		s->run[i].started = s->run[i].busy = 1;
		*fresh = 1;
		return i;
	}
	size_t best = SCHED_NONE;
	double most = -1;
	if (mine != SCHED_NONE && !s->run[mine].over) {
		best = mine;
		most = cpu_left(s, &s->run[mine]);
	}
	for (size_t i = 0; i < s->nruns; i++) {
		const struct sched_run *r = &s->run[i];
		if (!r->started || r->over || r->busy)
			continue;
		double left = cpu_left(s, r);
		if (left > most) {
			most = left;
			best = i;
		}
	}
	if (best != SCHED_NONE)
		s->run[best].busy = 1;
	return best;
}

void sched_slice_done(struct run_sched *s, size_t i, double cpu_s, uint64_t reached, int over)
{
	struct sched_run *r = &s->run[i];
	r->cpu_s += cpu_s;
	r->reached = reached;
	r->busy = 0;
	if (over && !r->over) {
		r->over = 1;
		s->in_flight--;
	}
}

void sched_start_failed(struct run_sched *s, size_t i)
{
	sched_slice_done(s, i, 0, s->run[i].reached, 1);
}

uint64_t sched_step(const struct run_sched *s, size_t i)
{
	const struct sched_run *r = &s->run[i];
	uint64_t longest = s->end / SCHED_SLICES_MIN, shortest = s->end / SCHED_SLICES_MAX;
	if (longest == 0)
		return 1;
	if (r->reached == 0 || r->cpu_s <= 0)
		return longest;
	double step = SCHED_SLICE_CPU_S * (double)r->reached / r->cpu_s;
	if (step >= (double)longest)
		return longest;
	if (step <= (double)shortest)
		return shortest ? shortest : 1;
	return (uint64_t)step;
}
