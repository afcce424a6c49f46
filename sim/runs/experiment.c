/* Runs every (design, replication) of a scenario on a few threads; see
 * include/lbsim/experiment.h. Each run owns all of its state (engine,
 * streams, balancer core), so runs share nothing but the read-only
 * scenario and the scheduler of their slices (run_sched.h), and a run can
 * go on with its next slice on any thread. */
#include "lbsim/experiment.h"
#include "lbsim/request.h"
#include "lbsim/run_sched.h"
#include "lbsim/threads.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct worker_pool {
	struct experiment *ex;
	struct run_progress *progress; /* per run, read by the progress line */
	pthread_mutex_t lock;     /* guards sched (sched.stopped: a run failed) and err */
	struct run_sched sched;
	struct run_state **rs;    /* per run: its state while started (its thread's alone) */
	_Atomic size_t finished;
	_Atomic int done;
	char err[512];
};

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Under the lock: the first failure is the one reported, and nothing
 * more is taken. */
static void note_failure(struct worker_pool *wp, const char *err)
{
	if (!wp->sched.stopped)
		snprintf(wp->err, sizeof wp->err, "%s", err);
	wp->sched.stopped = 1;
}

/* The run this thread goes on with (mine: the one it just ran a slice of,
 * or SCHED_NONE), and the simulated length of that run's next slice, in
 * the one critical section. Call with wp->lock held. */
static size_t take_next(struct worker_pool *wp, size_t mine, int *fresh, uint64_t *step)
{
	size_t i = sched_take(&wp->sched, mine, fresh);
	*step = i != SCHED_NONE ? sched_step(&wp->sched, i) : 0;
	return i;
}

/* Take slices of runs as the scheduler says (run_sched.h) until it has
 * none for this thread. A run may go on from one thread to another
 * between its slices (the lock orders them), and each result goes to its
 * own slot, so the output never depends on which thread ran what, or
 * when. A run left paused when another failed is freed by
 * experiment_run. */
static void *worker(void *arg)
{
	struct worker_pool *wp = arg;
	const struct scenario *scn = wp->ex->scn;
	int fresh;
	uint64_t step;
	pthread_mutex_lock(&wp->lock);
	size_t i = take_next(wp, SCHED_NONE, &fresh, &step);
	pthread_mutex_unlock(&wp->lock);
	while (i != SCHED_NONE) {
		char err[512];
		if (fresh && run_start(scn, (uint32_t)(i / scn->replications),
				       (uint32_t)(i % scn->replications),
				       wp->progress ? &wp->progress[i] : NULL,
				       wp->ex->every_event ? RUN_EVERY_EVENT : 0, &wp->rs[i], err,
				       sizeof err) != 0) {
			pthread_mutex_lock(&wp->lock);
			note_failure(wp, err);
			sched_start_failed(&wp->sched, i);
			i = take_next(wp, SCHED_NONE, &fresh, &step);
			pthread_mutex_unlock(&wp->lock);
			continue;
		}
		double cpu0 = thread_cpu_s();
		int over = run_slice(wp->rs[i], step);
		double cpu = thread_cpu_s() - cpu0;
		sim_time_t reached = run_reached(wp->rs[i]);
		int rc = 0;
		if (over) {
			rc = run_finish(wp->rs[i], &wp->ex->runs[i], err, sizeof err);
			wp->rs[i] = NULL;
			wp->finished++;
		}
		pthread_mutex_lock(&wp->lock);
		if (rc != 0)
			note_failure(wp, err);
		sched_slice_done(&wp->sched, i, cpu, reached, over);
		i = take_next(wp, over ? SCHED_NONE : i, &fresh, &step);
		pthread_mutex_unlock(&wp->lock);
	}
	return NULL;
}

/* What a run of the design costs relative to the others, for the order in
 * which the threads take runs. Measured on the default scenario at 100,000
 * users, 8 servers (1 h, one thread each): l4 25 s, l4-multi 32 s, l7 54 s; layer 7
 * balances every request, and persistence adds a table lookup to each. */
static unsigned design_weight(const struct scn_design *d)
{
	unsigned w = d->kind == SCN_DESIGN_L7 ? 4 : d->kind == SCN_DESIGN_L4_MULTI ? 3 : 2;
	return w + (d->persist ? 1 : 0);
}

struct run_order {
	unsigned weight;
	size_t run;
};

static int heavier_first(const void *a, const void *b)
{
	const struct run_order *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return (x->run > y->run) - (x->run < y->run);
}

/* Longest expected runs first (LPT): the order in which runs start
 * (run_sched.h then evens out the end by their measured cost). The
 * results do not depend on the order: each run fills its own slot. Ties
 * keep index order. */
static int order_runs(const struct scenario *scn, size_t *order, size_t nruns)
{
	struct run_order *o = malloc(nruns * sizeof *o);
	if (!o)
		return -1;
	for (size_t i = 0; i < nruns; i++)
		o[i] = (struct run_order){design_weight(&scn->designs[i / scn->replications]), i};
	qsort(o, nruns, sizeof *o, heavier_first);
	for (size_t i = 0; i < nruns; i++)
		order[i] = o[i].run;
	free(o);
	return 0;
}

static void format_duration(char *buf, size_t len, double s)
{
	if (s < 90)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 5400)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
}

struct reporter {
	struct worker_pool *wp;
	FILE *out;
	double t0;
	double total_ns;        /* simulated time of all runs together */
};

/* The progress line: simulated time done over all runs, events per second
 * and the time left at the rate so far, rewritten in place twice a second. */
static void *report_progress(void *arg)
{
	struct reporter *rp = arg;
	struct worker_pool *wp = rp->wp;
	const struct timespec half = {0, 500000000};
	while (!wp->done) {
		nanosleep(&half, NULL);
		double sim = 0, events = 0;
		for (size_t i = 0; i < wp->sched.nruns; i++) {
			sim += (double)wp->progress[i].sim_ns;
			events += (double)wp->progress[i].events;
		}
		double elapsed = wall_now() - rp->t0;
		double frac = rp->total_ns > 0 ? sim / rp->total_ns : 0;
		char left[32] = "?";
		if (frac > 0.005)
			format_duration(left, sizeof left, elapsed * (1 - frac) / frac);
		fprintf(rp->out, "\rlbsim: %3.0f %%, %zu of %zu runs done, %.2f M events/s, about %s left\033[K",
			100 * frac, (size_t)wp->finished, wp->sched.nruns,
			elapsed > 0 ? events / elapsed / 1e6 : 0.0, left);
		fflush(rp->out);
	}
	fprintf(rp->out, "\r\033[K");
	fflush(rp->out);
	return NULL;
}

void experiment_memory_need(const struct scenario *scn, unsigned jobs, int spare,
			    struct memory_need *m)
{
	*m = (struct memory_need){0};
	m->queued = run_overload(scn, &m->offered, &m->capacity) * sizeof(struct request);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		double b = (double)run_memory_estimate(scn, d);
		if (b > m->per_run)
			m->per_run = b;
		for (uint32_t r = 0; r < scn->replications; r++)
			m->kept += (double)run_result_estimate(scn, r);
	}
	size_t runs = (size_t)scn->ndesigns * scn->replications;
	m->side_by_side = (unsigned)experiment_in_flight(jobs, runs, spare);
	m->total = m->per_run * m->side_by_side + m->kept;
}

size_t experiment_in_flight(unsigned jobs, size_t nruns, int spare)
{
	/* One thread has no other to even out with: a spare run would only
	 * hold memory. */
	size_t n = jobs <= 1 ? 1 : (size_t)jobs + (spare ? 1 : 0);
	return n < nruns ? n : nruns ? nruns : 1;
}

int experiment_run(struct experiment *ex, const struct scenario *scn, unsigned jobs,
		   FILE *progress, char *err, size_t errlen)
{
	ex->scn = scn;
	ex->events = 0;
	size_t nruns = (size_t)scn->ndesigns * scn->replications;
	ex->runs = calloc(nruns, sizeof *ex->runs);
	if (!ex->runs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (jobs == 0)
		jobs = 1;
	if (jobs > nruns)
		jobs = (unsigned)nruns;
	struct worker_pool wp = {.ex = ex};
	size_t *order = malloc(nruns * sizeof *order);
	struct sched_run *sr = calloc(nruns, sizeof *sr);
	wp.rs = calloc(nruns, sizeof *wp.rs);
	if (!order || !sr || !wp.rs || order_runs(scn, order, nruns) != 0) {
		snprintf(err, errlen, "out of memory");
		free(order);
		free(sr);
		free(wp.rs);
		free(ex->runs);
		ex->runs = NULL;
		return -1;
	}
	wp.sched = (struct run_sched){.run = sr, .order = order, .nruns = nruns,
				      .end = scn->warmup + scn->duration,
				      .max_in_flight = experiment_in_flight(jobs, nruns,
									    !ex->no_spare)};
	pthread_mutex_init(&wp.lock, NULL);
	struct reporter rp = {.wp = &wp, .out = progress, .t0 = wall_now(),
			      .total_ns = (double)nruns * (double)(scn->warmup + scn->duration)};
	pthread_t reporter;
	int reporting = 0;
	/* Each run times into its own profile (no sharing between threads);
	 * they are summed at the end. */
	struct sim_profile *profiles = NULL;
	ex->profile_sum = (struct sim_profile){0};
	if (progress || ex->profile)
		wp.progress = calloc(nruns, sizeof *wp.progress);
	if (ex->profile && wp.progress) {
		profiles = calloc(nruns, sizeof *profiles);
		for (size_t i = 0; profiles && i < nruns; i++)
			wp.progress[i].profile = &profiles[i];
	}
	if (progress && wp.progress)
		reporting = lbsim_thread_create(&reporter, report_progress, &rp) == 0;
	pthread_t *threads = calloc(jobs, sizeof *threads);
	unsigned started = 0;
	double t0 = wall_now();
	/* The calling thread works too; extra threads only when asked. */
	for (unsigned j = 1; threads && j < jobs; j++)
		if (lbsim_thread_create(&threads[started], worker, &wp) == 0)
			started++;
	worker(&wp);
	for (unsigned j = 0; j < started; j++)
		pthread_join(threads[j], NULL);
	free(threads);
	/* Runs left paused when one failed. */
	for (size_t i = 0; i < nruns; i++)
		run_abandon(wp.rs[i]);
	free(wp.rs);
	free(sr);
	free(order);
	wp.done = 1;
	if (reporting)
		pthread_join(reporter, NULL);
	for (size_t i = 0; profiles && i < nruns; i++) {
		struct sim_profile *sum = &ex->profile_sum, *one = &profiles[i];
		for (unsigned k = 0; k < SIM_PROFILE_KINDS; k++) {
			sum->events[k] += one->events[k];
			sum->ns[k] += one->ns[k];
		}
		sum->run_ns += one->run_ns;
	}
	free(profiles);
	free(wp.progress);
	pthread_mutex_destroy(&wp.lock);
	ex->wall_s = wall_now() - t0;
	if (wp.sched.stopped) {
		snprintf(err, errlen, "%s", wp.err);
		experiment_free(ex);
		return -1;
	}
	for (size_t i = 0; i < nruns; i++)
		ex->events += ex->runs[i].events;
	return 0;
}

void experiment_free(struct experiment *ex)
{
	if (ex->runs && ex->scn) {
		size_t nruns = (size_t)ex->scn->ndesigns * ex->scn->replications;
		for (size_t i = 0; i < nruns; i++)
			run_result_free(&ex->runs[i]);
	}
	free(ex->runs);
	ex->runs = NULL;
}
