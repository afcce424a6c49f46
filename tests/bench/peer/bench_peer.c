/* The peer benchmark (issue 19): lbsim against ns-3 on one exactly
 * specified model, and lbsim's answers against the exact ones.
 *
 * The model (tests/bench/peer/peer.yaml; peer_ns3.cc is the same for
 * ns-3): Poisson arrivals at 2,240 per second for one simulated hour
 * (about 8.06 million requests), sent by round robin or uniformly at
 * random to 8 servers of 4 cores each, first come first served,
 * exponential service of mean 10 ms: 70 % load.
 *
 * Speed: requests per wall second of lbsim (run_design in this process,
 * one thread) and of ns-3 (the child program, one thread: its own clock
 * around Simulator::Run, as lbsim's is around run_design, which also
 * builds and tears down the world), with ns-3's own random variables and
 * with a fast inline generator. The contenders take turns (lbsim, ns-3,
 * ns-3 inline, for each balance, then again), so that a change in the
 * machine's load hits them alike; each ratio is taken within one turn,
 * and the table gives the median and the range over turns.
 *
 * Exactness: turn r runs replication r, so the turns are independent
 * replications; the mean response time over them, with its 95 % t
 * interval, must contain the exact value: Erlang C for random (each
 * server an M/M/4 at lambda / 8), and for round robin the E8/M/4 queue
 * (each server gets every 8th arrival: Erlang-8 gaps), solved as GI/M/c
 * (tests/queue_exact.h). ns-3's means are shown beside them. The exit
 * status is 1 when lbsim misses an exact value (or a run fails), never
 * because of a time.
 *
 * usage: bench_peer [TURNS [SECONDS]]   (default 5 turns of 3600 s)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "bench_util.h"
#include "lbsim/run.h"
#include "lbsim/scenario.h"
#include "lbsim/stats.h"
#include "queue_exact.h"

#define MAX_TURNS 20
#define LAMBDA 2240.0
#define SERVERS 8
#define CORES 4
#define MU 100.0 /* 1 / 10 ms */

enum { LBSIM = 0, NS3, NS3_INLINE, CONTENDERS };
static const char *const contender_name[CONTENDERS] = {"lbsim", "ns-3", "ns-3 inline rng"};

struct sample {
	double requests, wall_s, mean_ms;
	int ok;
};

/* One run of the ns-3 program; ok 0 when it is missing or failed. */
static struct sample run_ns3(const char *policy, const char *gen, double seconds, unsigned run)
{
	struct sample s = {0};
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "'%s' %s %s %.0f %u", PEER_NS3_PROGRAM, policy, gen, seconds, run);
	FILE *p = popen(cmd, "r");
	if (!p)
		return s;
	unsigned long long req = 0, done = 0;
	int got = fscanf(p, "requests=%llu completed=%llu wall_s=%lf mean_ms=%lf", &req, &done,
			 &s.wall_s, &s.mean_ms);
	int status = pclose(p);
	s.requests = (double)req;
	s.ok = got == 4 && status == 0 && s.wall_s > 0;
	return s;
}

static struct sample run_lbsim(const struct scenario *scn, uint32_t d, uint32_t rep)
{
	struct sample s = {0};
	struct run_result res;
	char err[256];
	uint64_t t0 = bench_now_ns();
	if (run_design(scn, d, rep, &res, err, sizeof err) != 0) {
		fprintf(stderr, "bench_peer: %s\n", err);
		return s;
	}
	s.wall_s = (double)(bench_now_ns() - t0) / 1e9;
	s.requests = (double)res.sent;
	s.mean_ms = res.response_mean_ns / 1e6;
	s.ok = 1;
	run_result_free(&res);
	return s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median, min and max of n values (sorted in place). */
static void spread(double *v, size_t n, double *med, double *lo, double *hi)
{
	qsort(v, n, sizeof *v, cmp_double);
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*lo = v[0];
	*hi = v[n - 1];
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	unsigned turns = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
	double seconds = argc > 2 ? atof(argv[2]) : 3600;
	if (turns < 2 || turns > MAX_TURNS || !(seconds >= 1)) {
		fprintf(stderr, "usage: bench_peer [TURNS (2..%d) [SECONDS (>= 1)]]\n", MAX_TURNS);
		return 2;
	}
	const char *path = LBSIM_SOURCE_DIR "/tests/bench/peer/peer.yaml";
	struct scenario *scn;
	struct scn_error err;
	if (scn_load(path, &scn, &err) != 0) {
		scn_error_print(stderr, &err);
		return 1;
	}
	scn->duration = (sim_time_t)(seconds * 1e9);
	int have_ns3 = PEER_NS3_PROGRAM[0] != '\0';

	/* The exact answers, and the solver's own check: with Poisson
	 * arrivals (Erlang-1) the GI/M/c solution must be Erlang C. */
	const double exact[2] = {
		1e3 * ekmc_response(SERVERS, LAMBDA, CORES, MU),     /* round robin: E8/M/4 */
		1e3 * mmc_response(CORES, LAMBDA / SERVERS, MU),      /* random: M/M/4 */
	};
	double poisson = 1e3 * ekmc_response(1, LAMBDA / SERVERS, CORES, MU);
	if (fabs(poisson / exact[1] - 1) > 1e-9) {
		fprintf(stderr, "bench_peer: GI/M/c with Poisson arrivals gives %.9f ms, Erlang C %.9f\n",
			poisson, exact[1]);
		return 1;
	}

	printf("bench_peer: Poisson %.0f/s over %d servers x %d cores, exponential 10 ms service"
	       " (70 %% load), %.0f s simulated, %u turns\n",
	       LAMBDA, SERVERS, CORES, seconds, turns);
	bench_print_machine(stdout);
	printf("one thread each; lbsim in process (run_design), ns-3 3.37 (Debian libns3-dev) as a"
	       " child: %s\n", have_ns3 ? PEER_NS3_PROGRAM : "not built (scripts/setup --bench)");

	static const char *const design_name[2] = {"roundrobin", "random"};
	static const char *const policy[2] = {"rr", "random"};
	struct sample s[2][CONTENDERS][MAX_TURNS] = {{{{0}}}};
	for (unsigned t = 0; t < turns; t++)
		for (uint32_t d = 0; d < 2; d++) {
			s[d][LBSIM][t] = run_lbsim(scn, d, t);
			if (have_ns3) {
				s[d][NS3][t] = run_ns3(policy[d], "ns3", seconds, t + 1);
				s[d][NS3_INLINE][t] = run_ns3(policy[d], "inline", seconds, t + 1);
			}
			printf("turn %u %-10s", t + 1, design_name[d]);
			for (int c = 0; c < CONTENDERS; c++)
				if (s[d][c][t].ok)
					printf("  %s %.2f s", contender_name[c], s[d][c][t].wall_s);
			printf("\n");
			fflush(stdout);
			if (!s[d][LBSIM][t].ok)
				return 1;
		}

	int status = 0;
	printf("\nspeed: requests per wall second, median [min, max] over turns; ratio = lbsim / peer,"
	       " taken within each turn\n");
	static const char *const titles[] = {"balance", "contender", "Mreq/s", "min", "max",
					     "lbsim ratio", "min", "max"};
	struct bench_table tab;
	bench_table_begin(&tab, stdout, titles, sizeof titles / sizeof titles[0], 8);
	double median_ratio[2][CONTENDERS] = {{0}};
	for (uint32_t d = 0; d < 2; d++)
		for (int c = 0; c < CONTENDERS; c++) {
			double rate[MAX_TURNS], ratio[MAX_TURNS];
			unsigned n = 0;
			for (unsigned t = 0; t < turns; t++) {
				const struct sample *x = &s[d][c][t], *l = &s[d][LBSIM][t];
				if (!x->ok)
					continue;
				rate[n] = x->requests / x->wall_s;
				ratio[n] = (l->requests / l->wall_s) / rate[n];
				n++;
			}
			if (n == 0)
				continue;
			double med, lo, hi, rmed, rlo, rhi;
			spread(rate, n, &med, &lo, &hi);
			spread(ratio, n, &rmed, &rlo, &rhi);
			median_ratio[d][c] = rmed;
			bench_table_cell(&tab, "%s", design_name[d]);
			bench_table_cell(&tab, "%s", contender_name[c]);
			bench_table_cell(&tab, "%.3f", med / 1e6);
			bench_table_cell(&tab, "%.3f", lo / 1e6);
			bench_table_cell(&tab, "%.3f", hi / 1e6);
			if (c == LBSIM) {
				for (int k = 0; k < 3; k++)
					bench_table_cell(&tab, "%s", "");
			} else {
				bench_table_cell(&tab, "%.2fx", rmed);
				bench_table_cell(&tab, "%.2f", rlo);
				bench_table_cell(&tab, "%.2f", rhi);
			}
		}
	if (have_ns3)
		for (uint32_t d = 0; d < 2; d++)
			printf("targets (issue 19), %s: >= 2.5x ns-3 (%s: %.2fx), >= 2x ns-3 inline (%s:"
			       " %.2fx)\n",
			       design_name[d], median_ratio[d][NS3] >= 2.5 ? "met" : "NOT MET",
			       median_ratio[d][NS3], median_ratio[d][NS3_INLINE] >= 2.0 ? "met" : "NOT MET",
			       median_ratio[d][NS3_INLINE]);

	printf("\nmean response time (ms) over the turns (independent replications), 95 %% t"
	       " interval, against the exact value\n");
	static const char *const mtitles[] = {"balance", "exact", "contender", "mean", "ci95 low",
					      "ci95 high", "verdict"};
	bench_table_begin(&tab, stdout, mtitles, sizeof mtitles / sizeof mtitles[0], 10);
	for (uint32_t d = 0; d < 2; d++)
		for (int c = 0; c < CONTENDERS; c++) {
			double m[MAX_TURNS];
			unsigned n = 0;
			for (unsigned t = 0; t < turns; t++)
				if (s[d][c][t].ok)
					m[n++] = s[d][c][t].mean_ms;
			if (n < 2)
				continue;
			struct estimate e = estimate_mean(m, n);
			int inside = e.ci_low <= exact[d] && exact[d] <= e.ci_high;
			if (c == LBSIM && !inside)
				status = 1;
			bench_table_cell(&tab, "%s", design_name[d]);
			bench_table_cell(&tab, "%.6f", exact[d]);
			bench_table_cell(&tab, "%s", contender_name[c]);
			bench_table_cell(&tab, "%.6f", e.mean);
			bench_table_cell(&tab, "%.6f", e.ci_low);
			bench_table_cell(&tab, "%.6f", e.ci_high);
			bench_table_cell(&tab, "%s", inside ? "agrees" : "OUTSIDE");
		}
	printf("exact: round robin E8/M/4 (GI/M/c, Erlang-8 gaps), random M/M/4 (Erlang C);"
	       " %s\n", status ? "lbsim MISSES an exact value" : "lbsim agrees with both");
	scn_free(scn);
	return status;
}
