/* The sparse benchmark (issue 19 item 4): a scenario where little
 * happens, run skipping ahead (the default) and with every probe and
 * sampling window its own event (--every-event, as before issue 19), in
 * the same run; and its answer against the exact one.
 *
 * The model (tests/bench/sparse/sparse.yaml): one server of 4 cores,
 * Poisson arrivals at 0.35 per minute, first come first served,
 * exponential service of mean 10 minutes: an M/M/4 queue at 87.5 % load,
 * 30 simulated days per replication after 2 days of warm-up, 200
 * replications; the balancer's check probes the server every 2 s and the
 * run samples every 10 s. Every event run probe by probe and window by
 * window: about 98 % of them are probes and windows.
 *
 * Speed: wall seconds of all replications on JOBS threads
 * (experiment_run, as `lbsim run -j JOBS` does), the process's CPU
 * seconds (which a machine shared with other jobs does not inflate as it
 * does the wall time), events per replication, and the ratios
 * every-event / skipping. The target (issue 19): 200 replications of 30
 * days in under 10 s, skipping ahead.
 *
 * Exactness: both ways must give the same results, bit for bit (every
 * replication's mean response time, requests, balancer CPU and server
 * busy time are compared), and the mean wait over the replications
 * (response time less the 10 minute mean service; independent
 * replications, 95 % t interval) must contain the exact M/M/4 mean wait,
 * Erlang C (tests/queue_exact.h). The exit status is 1 when either
 * fails (or a run does), never because of a time.
 *
 * usage: bench_sparse [REPLICATIONS [DAYS [JOBS]]]   (default 200 30 2)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "bench_util.h"
#include "lbsim/experiment.h"
#include "lbsim/run.h"
#include "lbsim/scenario.h"
#include "lbsim/stats.h"
#include "queue_exact.h"

#define CORES 4
#define LAMBDA_PER_S (0.35 / 60)
#define SERVICE_S 600.0

struct way {
	const char *name;
	int every_event;
	struct experiment ex;
	double wall_s, cpu_s;
};

/* CPU seconds of this process (all its threads) so far: beside the wall
 * time, the figure a loaded machine does not inflate. */
static double cpu_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_way(struct way *w, const struct scenario *scn, unsigned jobs)
{
	char err[512];
	w->ex = (struct experiment){.every_event = w->every_event};
	uint64_t t0 = bench_now_ns();
	double c0 = cpu_now_s();
	if (experiment_run(&w->ex, scn, jobs, NULL, err, sizeof err) != 0) {
		fprintf(stderr, "bench_sparse: %s: %s\n", w->name, err);
		return -1;
	}
	w->wall_s = (double)(bench_now_ns() - t0) / 1e9;
	w->cpu_s = cpu_now_s() - c0;
	return 0;
}

/* Do the two ways agree on every replication, bit for bit? */
static int same_results(const struct experiment *a, const struct experiment *b, uint32_t reps)
{
	for (uint32_t r = 0; r < reps; r++) {
		const struct run_result *x = experiment_run_of(a, 0, r), *y = experiment_run_of(b, 0, r);
		if (x->sent != y->sent || x->completed != y->completed ||
		    memcmp(&x->response_mean_ns, &y->response_mean_ns, sizeof x->response_mean_ns) ||
		    memcmp(&x->lb_cpu_ns, &y->lb_cpu_ns, sizeof x->lb_cpu_ns) ||
		    memcmp(&x->lb_cpu_cores_peak, &y->lb_cpu_cores_peak, sizeof x->lb_cpu_cores_peak) ||
		    x->ops.probes != y->ops.probes ||
		    memcmp(&x->servers[0].busy_fraction, &y->servers[0].busy_fraction,
			   sizeof x->servers[0].busy_fraction)) {
			fprintf(stderr, "bench_sparse: replication %u differs between the ways\n", r);
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	long reps = argc > 1 ? atol(argv[1]) : 200;
	double days = argc > 2 ? atof(argv[2]) : 30;
	long jobs = argc > 3 ? atol(argv[3]) : 2;
	if (reps < 2 || reps > 100000 || !(days > 0 && days <= 30) || jobs < 1 || jobs > 256) {
		fprintf(stderr, "usage: bench_sparse [REPLICATIONS (2..100000) [DAYS (0..30] [JOBS]]]\n");
		return 2;
	}
	const char *path = LBSIM_SOURCE_DIR "/tests/bench/sparse/sparse.yaml";
	struct scenario *scn;
	struct scn_error err;
	if (scn_load(path, &scn, &err) != 0) {
		scn_error_print(stderr, &err);
		return 1;
	}
	scn->replications = (uint32_t)reps;
	scn->duration = (sim_time_t)(days * 86400e9);

	printf("bench_sparse: M/M/4 (one server of 4 cores), Poisson 0.35/min, exponential 10 min"
	       " service (87.5 %% load), checked every 2 s, sampled every 10 s; %ld replications"
	       " of %g days after %g days of warm-up, %ld threads\n",
	       reps, days, (double)scn->warmup / 86400e9, jobs);
	bench_print_machine(stdout);
	struct way way[2] = {{.name = "skipping ahead", .every_event = 0},
			     {.name = "every event", .every_event = 1}};
	for (int k = 0; k < 2; k++) {
		if (run_way(&way[k], scn, (unsigned)jobs) != 0)
			return 1;
		printf("%s: %.2f s\n", way[k].name, way[k].wall_s);
		fflush(stdout);
	}

	static const char *const titles[] = {"way", "wall s", "CPU s", "events/replication",
					     "M events/CPU s"};
	struct bench_table tab;
	bench_table_begin(&tab, stdout, titles, sizeof titles / sizeof titles[0], 18);
	for (int k = 0; k < 2; k++) {
		double events = (double)way[k].ex.events;
		bench_table_cell(&tab, "%s", way[k].name);
		bench_table_cell(&tab, "%.2f", way[k].wall_s);
		bench_table_cell(&tab, "%.2f", way[k].cpu_s);
		bench_table_cell(&tab, "%.0f", events / (double)reps);
		bench_table_cell(&tab, "%.2f", events / way[k].cpu_s / 1e6);
	}
	printf("ratio every event / skipping ahead: %.1fx the wall time, %.1fx the CPU time, %.1fx"
	       " the events\n",
	       way[1].wall_s / way[0].wall_s, way[1].cpu_s / way[0].cpu_s,
	       (double)way[1].ex.events / (double)way[0].ex.events);
	printf("target (issue 19): 200 replications of 30 days in under 10 s: %s (%.2f s%s)\n",
	       way[0].wall_s < 10 ? "met" : "NOT MET", way[0].wall_s,
	       reps == 200 && days == 30 ? "" : ", at this size");

	int status = 0;
	if (!same_results(&way[0].ex, &way[1].ex, (uint32_t)reps))
		status = 1;
	printf("the two ways' results: %s\n", status ? "DIFFER" : "the same, bit for bit");

	/* The mean wait against Erlang C. */
	double exact_wait = mmc_response(CORES, LAMBDA_PER_S, 1 / SERVICE_S) - SERVICE_S;
	double *wait = malloc((size_t)reps * sizeof *wait);
	if (!wait)
		return 1;
	for (long r = 0; r < reps; r++)
		wait[r] = experiment_run_of(&way[0].ex, 0, (uint32_t)r)->response_mean_ns / 1e9 -
			  SERVICE_S;
	struct estimate e = estimate_mean(wait, (size_t)reps);
	int inside = e.ci_low <= exact_wait && exact_wait <= e.ci_high;
	printf("mean wait: %.2f s, 95 %% interval [%.2f, %.2f] over the replications; exact"
	       " (Erlang C) %.2f s: %s\n",
	       e.mean, e.ci_low, e.ci_high, exact_wait, inside ? "agrees" : "OUTSIDE");
	if (!inside)
		status = 1;
	free(wait);
	experiment_free(&way[0].ex);
	experiment_free(&way[1].ex);
	scn_free(scn);
	return status;
}
