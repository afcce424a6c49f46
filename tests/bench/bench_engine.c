/* Benchmark 1 of issue 8: the event engine in the classic "hold" model.
 *
 * n events are pending; each step pops the earliest and schedules one new
 * event at now + a random increment, so the queue size stays n. This is the
 * access pattern of a simulator in steady state, and the standard way
 * priority queues for discrete-event simulation are compared.
 *
 * Contenders, fed the SAME precomputed increments (integer ns):
 *  - engine:  the real engine (a ladder queue, sim/engine/engine.c), used as the
 *             simulator uses it: sim_run with a handler that reschedules
 *             its own event (indirect call, heap_index kept in every event
 *             for O(1) cancel);
 *  - binheap: a plain binary heap of (time, seq, ptr), written as simply as
 *             possible, inlined in the loop: no handler call, no index
 *             upkeep, no cancel. It does strictly less work, so a ratio
 *             above 1 is earned by the data structure alone.
 * Both fold the sequence of popped times into a checksum; the benchmark
 * refuses to print a ratio unless the two sequences agree.
 *
 * Two increment laws: Exp(1 s), the textbook case, and a mix shaped like
 * the lbsim world (80 % Exp(5 ms) like server completions, 20 % Exp(10 min)
 * like client think timers), which a calendar queue with one bucket width
 * would handle badly. A third table prices cancel: the engine on Exp(1 s)
 * where each step also cancels a random pending event and schedules it
 * again (the baseline heap cannot cancel, so the figure is the engine's
 * extra time per cancel + schedule, against its own run without them).
 * A fourth prices the bottom insert against the one it replaced (issue
 * 19): the hold model at small sizes, with one event far ahead, and the
 * peer benchmark's own pattern (tests/bench/peer), whose whole queue sits
 * in the bottom for 10 s at a time.
 *
 * Each measurement is the best of 3 runs (filling the queue is not timed),
 * the contenders alternating so that a change of machine load hits both.
 *
 * Usage: bench_engine [steps]   (default 5,000,000 steps, at least 5n)
 */
#include "bench_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lbsim/engine.h"
#include "lbsim/rng.h"

#define REPS 3
#define DEFAULT_STEPS 5000000ULL
#define SEED 20240601ULL

static const size_t sizes[] = {1000, 100000, 1000000};
#define NSIZES (sizeof sizes / sizeof sizes[0])

/* Order-sensitive fold of popped times (FNV-1a step on the whole word). */
static inline uint64_t mix(uint64_t h, sim_time_t t)
{
	return (h ^ t) * 0x100000001b3ULL;
}

/* ---- contender 1: the engine ------------------------------------------ */

struct hold {
	const sim_time_t *draw; /* next delay to use */
	uint64_t left;          /* steps still to run */
	uint64_t sum;
	int failed;
	/* For the cancel table: the events, and which one each step moves. */
	struct sim_event *evs;
	const uint32_t *victim;
};

static void hold_fire(struct sim_engine *eng, struct sim_event *ev)
{
	struct hold *h = ev->ctx;
	h->sum = mix(h->sum, sim_now(eng));
	if (sim_schedule(eng, ev, sim_now(eng) + *h->draw++) != 0)
		h->failed = 1;
	if (--h->left == 0 || h->failed)
		sim_stop(eng);
}

/* A hold step that also cancels a pending event and schedules it again. */
static void hold_fire_cancel(struct sim_engine *eng, struct sim_event *ev)
{
	struct hold *h = ev->ctx;
	h->sum = mix(h->sum, sim_now(eng));
	if (sim_schedule(eng, ev, sim_now(eng) + *h->draw++) != 0)
		h->failed = 1;
	struct sim_event *v = &h->evs[*h->victim++];
	sim_cancel(eng, v);
	if (sim_schedule(eng, v, sim_now(eng) + *h->draw++) != 0)
		h->failed = 1;
	if (--h->left == 0 || h->failed)
		sim_stop(eng);
}

/* Fill, then time `steps` hold steps (with a cancel each if victims).
 * Returns elapsed ns, or 0 on failure. */
static uint64_t run_engine_as(size_t n, uint64_t steps, const sim_time_t *draws,
			      struct sim_event *evs, const uint32_t *victims, int baseline,
			      uint64_t *sum)
{
	struct sim_engine eng;
	struct hold h = {.draw = draws + n, .left = steps, .sum = 0, .evs = evs, .victim = victims};
	if (sim_engine_init(&eng, n) != 0)
		return 0;
	eng.bottom_baseline = baseline;
	for (size_t i = 0; i < n; i++) {
		sim_event_init(&evs[i], victims ? hold_fire_cancel : hold_fire, &h, 0);
		if (sim_schedule(&eng, &evs[i], draws[i]) != 0)
			h.failed = 1;
	}
	uint64_t t0 = bench_now_ns();
	uint64_t ran = h.failed ? 0 : sim_run(&eng, SIM_TIME_NEVER);
	uint64_t dt = bench_now_ns() - t0;
	if (sim_pending(&eng) != n)
		h.failed = 1;
	sim_engine_free(&eng);
	if (h.failed || ran != steps)
		return 0;
	*sum = h.sum;
	return dt ? dt : 1;
}

static uint64_t run_engine(size_t n, uint64_t steps, const sim_time_t *draws,
			   struct sim_event *evs, const uint32_t *victims, uint64_t *sum)
{
	return run_engine_as(n, steps, draws, evs, victims, 0, sum);
}

/* ---- the peer benchmark's pattern ---------------------------------------- */

/* The event pattern of tests/bench/peer (issue 19): Poisson arrivals at
 * 2,240/s, each starting a job of Exp(10 ms) (an M/M/inf queue: about 22
 * jobs pending, their completions at uniformly random ranks among them),
 * and a sample every 10 s that sits at the end of the queue. The whole
 * queue lives in the bottom, so every schedule is a bottom insert: an
 * arrival near the head, a completion anywhere. */
#define MM_RATE_PER_S 2240.0
#define MM_SERVICE_S 0.010
#define MM_JOBS 1024u
#define MM_SAMPLE_NS (10 * SIM_NS_PER_S)

struct mm {
	const sim_time_t *gap, *service; /* next draws to use */
	uint64_t left, sum;
	int failed;
	struct sim_event jobs[MM_JOBS], *job_free[MM_JOBS];
	uint32_t nfree;
};

static void mm_step(struct sim_engine *eng, struct mm *m)
{
	m->sum = mix(m->sum, sim_now(eng));
	if (--m->left == 0 || m->failed)
		sim_stop(eng);
}

static void mm_job_done(struct sim_engine *eng, struct sim_event *ev)
{
	struct mm *m = ev->ctx;
	m->job_free[m->nfree++] = ev;
	mm_step(eng, m);
}

static void mm_arrive(struct sim_engine *eng, struct sim_event *ev)
{
	struct mm *m = ev->ctx;
	if (sim_schedule_in(eng, ev, *m->gap++) != 0 || m->nfree == 0 ||
	    sim_schedule_in(eng, m->job_free[--m->nfree], *m->service++) != 0)
		m->failed = 1;
	mm_step(eng, m);
}

static void mm_sample(struct sim_engine *eng, struct sim_event *ev)
{
	struct mm *m = ev->ctx;
	if (sim_schedule_in(eng, ev, MM_SAMPLE_NS) != 0)
		m->failed = 1;
	mm_step(eng, m);
}

/* Run `steps` events of the pattern (gaps and services: at least steps
 * draws each). Returns elapsed ns, or 0 on failure. */
static uint64_t run_mm(uint64_t steps, const sim_time_t *gaps, const sim_time_t *services,
		       int baseline, uint64_t *sum)
{
	struct sim_event arrival, sample;
	struct mm m = {.gap = gaps, .service = services, .left = steps};
	struct sim_engine eng;
	if (sim_engine_init(&eng, 0) != 0)
		return 0;
	eng.bottom_baseline = baseline;
	for (uint32_t i = 0; i < MM_JOBS; i++) {
		sim_event_init(&m.jobs[i], mm_job_done, &m, 0);
		m.job_free[m.nfree++] = &m.jobs[i];
	}
	sim_event_init(&arrival, mm_arrive, &m, 0);
	sim_event_init(&sample, mm_sample, &m, 0);
	if (sim_schedule(&eng, &arrival, *m.gap++) != 0 ||
	    sim_schedule(&eng, &sample, MM_SAMPLE_NS) != 0)
		m.failed = 1;
	uint64_t t0 = bench_now_ns();
	uint64_t ran = m.failed ? 0 : sim_run(&eng, SIM_TIME_NEVER);
	uint64_t dt = bench_now_ns() - t0;
	sim_engine_free(&eng);
	if (m.failed || ran != steps)
		return 0;
	*sum = m.sum;
	return dt ? dt : 1;
}

/* ---- contender 2: a textbook binary heap -------------------------------- */

struct bslot {
	sim_time_t at;
	uint64_t seq;
	void *ev;
};

static inline int bless(const struct bslot *a, const struct bslot *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static inline void bswap(struct bslot *a, struct bslot *b)
{
	struct bslot t = *a;
	*a = *b;
	*b = t;
}

static inline void bpush(struct bslot *h, size_t *n, struct bslot s)
{
	size_t i = (*n)++;
	h[i] = s;
	while (i > 0 && bless(&h[i], &h[(i - 1) / 2])) {
		bswap(&h[i], &h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
}

static inline struct bslot bpop(struct bslot *h, size_t *n)
{
	struct bslot top = h[0];
	h[0] = h[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && bless(&h[c + 1], &h[c]))
			c++;
		if (!bless(&h[c], &h[i]))
			break;
		bswap(&h[i], &h[c]);
		i = c;
	}
	return top;
}

static uint64_t run_binheap(size_t n, uint64_t steps, const sim_time_t *draws,
			    struct sim_event *evs, uint64_t *sum)
{
	struct bslot *h = malloc(n * sizeof *h);
	if (!h)
		return 0;
	size_t cnt = 0;
	uint64_t seq = 0;
	for (size_t i = 0; i < n; i++)
		bpush(h, &cnt, (struct bslot){.at = draws[i], .seq = seq++, .ev = &evs[i]});
	const sim_time_t *draw = draws + n;
	uint64_t s = 0;
	uint64_t t0 = bench_now_ns();
	for (uint64_t k = 0; k < steps; k++) {
		struct bslot top = bpop(h, &cnt);
		s = mix(s, top.at);
		bpush(h, &cnt, (struct bslot){.at = top.at + *draw++, .seq = seq++, .ev = top.ev});
	}
	uint64_t dt = bench_now_ns() - t0;
	free(h);
	*sum = s;
	return dt ? dt : 1;
}

/* ------------------------------------------------------------------------- */

/* One table row per n: engine and binheap on the same draws, best of
 * REPS; returns the ratio (binheap time / engine time), or -1 when the two
 * popped different sequences; *engine_ns gets the engine's best time. */
static double compare_row(struct bench_table *t, size_t n, uint64_t m, const sim_time_t *draws,
			  struct sim_event *evs, uint64_t *engine_ns)
{
	uint64_t best_e = UINT64_MAX, best_b = UINT64_MAX;
	uint64_t sum_e = 0, sum_b = 0;
	int ok = 1;
	for (int rep = 0; rep < REPS; rep++) {
		uint64_t se = 0, sb = 0;
		uint64_t te = run_engine(n, m, draws, evs, NULL, &se);
		uint64_t tb = run_binheap(n, m, draws, evs, &sb);
		if (!te || !tb) {
			fprintf(stderr, "bench_engine: run failed at n=%zu\n", n);
			exit(1);
		}
		if (rep > 0 && (se != sum_e || sb != sum_b))
			ok = 0; /* a contender is not even self-consistent */
		sum_e = se;
		sum_b = sb;
		best_e = te < best_e ? te : best_e;
		best_b = tb < best_b ? tb : best_b;
	}
	ok = ok && sum_e == sum_b;
	double ens = (double)best_e / (double)m, bns = (double)best_b / (double)m;
	double ratio = (double)best_b / (double)best_e;
	bench_table_cell(t, "%zu", n);
	bench_table_cell(t, "%llu", (unsigned long long)m);
	bench_table_cell(t, "%.1f", ens);
	bench_table_cell(t, "%.2f", 1e3 / ens);
	bench_table_cell(t, "%.1f", bns);
	bench_table_cell(t, "%.2f", 1e3 / bns);
	bench_table_cell(t, ok ? "%.2fx" : "(%.2fx)", ratio);
	bench_table_cell(t, "%s", ok ? "yes" : "NO");
	*engine_ns = best_e;
	return ok ? ratio : -1;
}

/* One row of the bottom-insert table: the engine with today's insert and
 * with the baseline's (binary search and memmove, before issue 19), the
 * same draws, alternating, best of REPS; the ratio baseline / today, or -1
 * when they popped different sequences. */
static double bottom_row(struct bench_table *t, const char *label, size_t n, uint64_t m,
			 const sim_time_t *draws, struct sim_event *evs)
{
	uint64_t best[2] = {UINT64_MAX, UINT64_MAX}, sum[2] = {0, 0};
	for (int rep = 0; rep < REPS; rep++)
		for (int b = 0; b < 2; b++) {
			uint64_t dt = run_engine_as(n, m, draws, evs, NULL, b, &sum[b]);
			if (!dt) {
				fprintf(stderr, "bench_engine: run failed at n=%zu\n", n);
				exit(1);
			}
			best[b] = dt < best[b] ? dt : best[b];
		}
	int ok = sum[0] == sum[1];
	double ratio = (double)best[1] / (double)best[0];
	bench_table_cell(t, "%zu%s", n, label);
	bench_table_cell(t, "%.1f", (double)best[0] / (double)m);
	bench_table_cell(t, "%.1f", (double)best[1] / (double)m);
	bench_table_cell(t, ok ? "%.2fx" : "(%.2fx)", ratio);
	bench_table_cell(t, "%s", ok ? "yes" : "NO");
	return ok ? ratio : -1;
}

/* The bottom-insert row for the peer pattern: today's insert and the
 * baseline's, alternating, best of REPS. */
static double mm_row(struct bench_table *t, uint64_t m, const sim_time_t *gaps,
		     const sim_time_t *services)
{
	uint64_t best[2] = {UINT64_MAX, UINT64_MAX}, sum[2] = {0, 0};
	for (int rep = 0; rep < REPS; rep++)
		for (int b = 0; b < 2; b++) {
			uint64_t dt = run_mm(m, gaps, services, b, &sum[b]);
			if (!dt) {
				fprintf(stderr, "bench_engine: the peer pattern's run failed\n");
				exit(1);
			}
			best[b] = dt < best[b] ? dt : best[b];
		}
	int ok = sum[0] == sum[1];
	double ratio = (double)best[1] / (double)best[0];
	bench_table_cell(t, "%s", "~24 peer");
	bench_table_cell(t, "%.1f", (double)best[0] / (double)m);
	bench_table_cell(t, "%.1f", (double)best[1] / (double)m);
	bench_table_cell(t, ok ? "%.2fx" : "(%.2fx)", ratio);
	bench_table_cell(t, "%s", ok ? "yes" : "NO");
	return ok ? ratio : -1;
}

static uint64_t steps_for(size_t n, uint64_t steps)
{
	return steps > 5 * (uint64_t)n ? steps : 5 * (uint64_t)n;
}

int main(int argc, char **argv)
{
	uint64_t steps = DEFAULT_STEPS;
	if (argc > 1) {
		char *end;
		unsigned long long v = strtoull(argv[1], &end, 10);
		if (*end || v == 0) {
			fprintf(stderr, "usage: %s [steps]\n", argv[0]);
			return 2;
		}
		steps = v;
	}
	size_t nmax = sizes[NSIZES - 1];
	uint64_t max_steps = steps_for(nmax, steps);
	/* The cancel table uses two draws per step. */
	size_t ndraws = nmax + 2 * max_steps;

	/* Arrays of draws shared by every size and both contenders, in
	 * integer ns, so ties are rare but possible (the seq breaks them the
	 * same way in both heaps): Exp(1 s), and the mixed law. */
	sim_time_t *exp1 = malloc(ndraws * sizeof *exp1);
	sim_time_t *mixed = malloc(ndraws * sizeof *mixed);
	uint32_t *victims = malloc(max_steps * sizeof *victims);
	struct sim_event *evs = malloc(nmax * sizeof *evs);
	sim_time_t *peer_gap = malloc(steps * sizeof *peer_gap);
	sim_time_t *peer_service = malloc(steps * sizeof *peer_service);
	struct rng rs, *r = &rs;
	rng_stream(r, SEED, 0, "bench/hold");
	if (!exp1 || !mixed || !victims || !evs || !peer_gap || !peer_service) {
		fprintf(stderr, "bench_engine: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < ndraws; i++)
		exp1[i] = (sim_time_t)llround(rng_exp(r) * 1e9);
	for (size_t i = 0; i < ndraws; i++) {
		double mean = rng_u01(r) < 0.8 ? 0.005 : 600.0;
		mixed[i] = (sim_time_t)llround(rng_exp(r) * mean * 1e9);
	}

	printf("engine hold model: pop the earliest of n pending events, schedule one at now + increment\n");
	bench_print_machine(stdout);
	printf("best of %d runs per figure (shared machine: interference only adds time);"
	       " steps per run = max(%llu, 5n)\n",
	       REPS, (unsigned long long)steps);
	printf("engine = ladder queue (sim/engine/engine.c); baseline = plain binary heap inlined in the"
	       " loop (no handler call, no cancel index)\n");

	static const char *const titles[] = {"pending n", "steps", "engine ns/ev",
					     "engine Mev/s", "binheap ns/ev",
					     "binheap Mev/s", "ratio", "same pops"};
	static const struct {
		const char *title;
		int mixed;
	} laws[] = {
		{"increment Exp(1 s)", 0},
		{"increment 80% Exp(5 ms) + 20% Exp(10 min), like the lbsim world", 1},
	};
	double ratio[2][NSIZES];
	uint64_t plain_ns[NSIZES];
	int status = 0;
	for (int l = 0; l < 2; l++) {
		printf("\n%s\n", laws[l].title);
		struct bench_table t;
		bench_table_begin(&t, stdout, titles, sizeof titles / sizeof titles[0], 9);
		for (size_t si = 0; si < NSIZES; si++) {
			uint64_t ens;
			ratio[l][si] = compare_row(&t, sizes[si], steps_for(sizes[si], steps),
						   laws[l].mixed ? mixed : exp1, evs, &ens);
			if (ratio[l][si] < 0)
				status = 1;
			if (!laws[l].mixed)
				plain_ns[si] = ens;
		}
	}

	/* The bottom insert (issue 19): a small queue keeps every pending
	 * event in the bottom array, so each schedule is an insert into it. */
	printf("\nbottom insert: today's (one pass from the nearer end) vs the baseline's"
	       " (binary search, memmove), increment 80%% Exp(5 ms) + 20%% Exp(10 min)\n");
	static const char *const btitles[] = {"pending n", "today ns/ev", "baseline ns/ev",
					      "ratio", "same pops"};
	static const size_t bsizes[] = {16, 64, 256, 1000, 100000};
	struct bench_table bt;
	bench_table_begin(&bt, stdout, btitles, sizeof btitles / sizeof btitles[0], 12);
	for (size_t si = 0; si < sizeof bsizes / sizeof bsizes[0]; si++)
		if (bottom_row(&bt, "", bsizes[si], steps_for(bsizes[si], steps), mixed, evs) < 0)
			status = 1;
	/* The peer benchmark's pattern: a small queue and one event far
	 * ahead (its 10 s sampling window), so the bottom holds the whole
	 * queue for long and its live slots drift against the array's end. */
	sim_time_t first = mixed[0];
	mixed[0] = 1000000ULL * SIM_NS_PER_S;
	for (size_t si = 0; si < 2; si++)
		if (bottom_row(&bt, " + far", bsizes[si] + 1, steps_for(bsizes[si], steps), mixed, evs) < 0)
			status = 1;
	mixed[0] = first;
	/* The peer pattern: the draws are taken from exp1 (Exp(1 s)) scaled
	 * to the means, steps events use at most steps of each. */
	for (size_t i = 0; i < steps; i++) {
		peer_gap[i] = (sim_time_t)llround((double)exp1[i] / MM_RATE_PER_S);
		peer_service[i] = (sim_time_t)llround((double)exp1[steps + i] * MM_SERVICE_S);
	}
	if (mm_row(&bt, steps, peer_gap, peer_service) < 0)
		status = 1;
	printf("ratio = baseline time / today's time (above 1: today's insert is faster);"
	       " + far: one more event 10^6 s ahead; ~24 peer: the peer benchmark's pattern"
	       " (Poisson arrivals at 2,240/s each starting an Exp(10 ms) job, a sample every"
	       " 10 s), ns per event\n");

	/* Cancel: the same Exp(1 s) hold, each step also moving a random
	 * pending event (cancel, then schedule at now + draw). */
	printf("\nengine, increment Exp(1 s), each step also cancels a random pending event"
	       " and schedules it again\n");
	static const char *const ctitles[] = {"pending n", "steps", "ns/step", "plain ns/step",
					      "extra ns per cancel+schedule"};
	struct bench_table ct;
	bench_table_begin(&ct, stdout, ctitles, sizeof ctitles / sizeof ctitles[0], 9);
	for (size_t si = 0; si < NSIZES; si++) {
		size_t n = sizes[si];
		uint64_t m = steps_for(n, steps);
		for (uint64_t k = 0; k < m; k++)
			victims[k] = rng_below(r, (uint32_t)n);
		uint64_t best = UINT64_MAX, sum = 0;
		for (int rep = 0; rep < REPS; rep++) {
			uint64_t dt = run_engine(n, m, exp1, evs, victims, &sum);
			if (!dt) {
				fprintf(stderr, "bench_engine: cancel run failed at n=%zu\n", n);
				return 1;
			}
			best = dt < best ? dt : best;
		}
		double ns = (double)best / (double)m, pns = (double)plain_ns[si] / (double)m;
		bench_table_cell(&ct, "%zu", n);
		bench_table_cell(&ct, "%llu", (unsigned long long)m);
		bench_table_cell(&ct, "%.1f", ns);
		bench_table_cell(&ct, "%.1f", pns);
		bench_table_cell(&ct, "%.1f", ns - pns);
	}

	printf("\nratio = binheap time / engine time (above 1: the engine is faster)\n");
	printf("targets (issue 8): ratio >= 1.0 at every n, >= 1.3 at n >= 100000\n");
	for (int l = 0; l < 2; l++)
		for (size_t si = 0; si < NSIZES; si++) {
			double need = sizes[si] >= 100000 ? 1.3 : 1.0;
			if (ratio[l][si] >= 0 && ratio[l][si] < need)
				printf("BELOW TARGET (%s) at n=%zu: ratio %.2f < %.1f\n", laws[l].title,
				       sizes[si], ratio[l][si], need);
		}
	if (status)
		printf("ERROR: engine and baseline popped different sequences; ratios are not comparable\n");
	printf("peak RSS: %.1f MiB\n", (double)bench_peak_rss_bytes() / (1024.0 * 1024.0));
	free(exp1);
	free(mixed);
	free(victims);
	free(evs);
	free(peer_gap);
	free(peer_service);
	return status;
}
