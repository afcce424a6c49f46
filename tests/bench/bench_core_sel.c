/* Benchmark of issue 3: nanoseconds per pick of each selection algorithm of
 * the balancer core at 8, 64 and 1,024 servers, and the time to build the
 * Maglev table (M = 65537) and the consistent-hash ring.
 *
 * Setup: weights 1..4 drawn pseudo-randomly per server (a fixed seed), live
 * connection counts 0..49 likewise (what leastconn and the power of two
 * choices look at), and 4,096 precomputed pseudo-random client addresses
 * and URL paths cycled through, so that the key is not a constant the
 * branch predictor learns. The timed loop calls lb_pick only: no connection
 * opens or closes, so loads stay fixed and the figure is the pick alone.
 * `first` runs with the first half of the servers full (maxconn reached), so
 * its scan is half the pool.
 *
 * Each figure is the best of 9 runs (interference only adds time) of as
 * many picks as fit in about 30 ms (from a pilot run), at most the
 * command-line count, so the O(n) algorithms at 1,024 servers do not make
 * the run long. The baseline row is the same loop calling a pick that
 * returns a constant through the same lb_pick indirection: the fixed cost
 * every algorithm pays, measured in the same run; "ratio" is an
 * algorithm's time over it at 64 servers.
 *
 * Target (issue 3): a pick under 50 ns for the hash and round-robin family
 * at 64 servers. The last column says whether it is met.
 *
 * Usage: bench_core_sel [picks]   (at most this many picks per run;
 *                                  default 2,000,000)
 */
#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/lb.h"
#include "lbsim/lb_hash.h"
#include "lbsim/lb_sel.h"

#define REPS 9
#define NKEYS 4096
#define TARGET_NS 50.0
#define PILOT 20000u
#define RUN_NS 3e7

static const uint32_t sizes[] = {8, 64, 1024};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct algo {
	const char *label;
	const struct lb_sel_ops *ops;
	uint32_t hash_type;
	double balance_factor;
	uint32_t draws;
	int targeted;      /* hash or round-robin family: the 50 ns target applies */
};

static int const_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)pool;
	(void)now_ns;
	return (int)(req->src_ip & 1);
}

static const struct lb_sel_ops baseline_ops = {
	.name = "baseline",
	.description = "returns a constant: the loop and lb_pick's own cost",
	.pick = const_pick,
};

static const struct algo algos[] = {
	{"baseline (lb_pick + loop)", &baseline_ops, 0, 0, 0, 0},
	{"roundrobin", &lb_sel_roundrobin, 0, 0, 0, 1},
	{"static-rr", &lb_sel_static_rr, 0, 0, 0, 1},
	{"first (half full)", &lb_sel_first, 0, 0, 0, 0},
	{"leastconn", &lb_sel_leastconn, 0, 0, 0, 0},
	{"source map-based", &lb_sel_source, LB_HASH_MAP_BASED, 0, 0, 1},
	{"source consistent", &lb_sel_source, LB_HASH_CONSISTENT, 0, 0, 1},
	{"source consistent f=1.25", &lb_sel_source, LB_HASH_CONSISTENT, 1.25, 0, 0},
	{"source maglev", &lb_sel_source, LB_HASH_MAGLEV, 0, 0, 1},
	{"uri maglev", &lb_sel_uri, LB_HASH_MAGLEV, 0, 0, 1},
	{"random draws=1", &lb_sel_random, 0, 0, 1, 0},
	{"random draws=2", &lb_sel_random, 0, 0, 2, 0},
};
#define NALGOS (sizeof algos / sizeof algos[0])

struct run {
	struct lb_pool *pool;
	const struct lb_request *reqs;
	uint64_t picks;
	uint64_t sink;
};

static void run_picks(void *arg)
{
	struct run *r = arg;
	uint64_t sum = 0;
	for (uint64_t k = 0; k < r->picks; k++)
		sum += (uint64_t)lb_pick(r->pool, &r->reqs[k & (NKEYS - 1)], 0);
	r->sink += sum;
}

static int setup_pool(struct lb_pool *pool, const struct algo *a, uint32_t n)
{
	uint32_t *w = calloc(n, sizeof *w);
	if (!w)
		return -1;
	uint64_t seed = 1000 + n;
	for (uint32_t i = 0; i < n; i++)
		w[i] = 1 + (uint32_t)(splitmix(&seed) % 4);
	struct lb_sel_params p;
	memset(&p, 0, sizeof p);
	p.hash_type = a->hash_type;
	p.balance_factor = a->balance_factor;
	p.draws = a->draws;
	p.seed = 1;
	int rc = lb_pool_init(pool, "bench", n, w, a->ops, &p);
	free(w);
	if (rc != 0)
		return -1;
	/* Through the core's calls, so that an algorithm's index of the
	 * loads (leastconn's tree) hears of them. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t conns = (uint32_t)(splitmix(&seed) % 50);
		if (a->ops == &lb_sel_first) {
			lb_server_set_maxconn(pool, i, 50);
			if (i < n / 2)
				conns = 50;
		}
		while (conns--)
			lb_conn_open(pool, i);
	}
	return 0;
}

struct build {
	struct lb_pool *pool;
	int flip;
	int failed;
};

/* Toggling a server's health makes the algorithm rebuild its table; the
 * two states alternate so each run is one full rebuild. */
static void run_build(void *arg)
{
	struct build *b = arg;
	b->flip = !b->flip;
	if (lb_server_set_healthy(b->pool, 0, b->flip) != 0)
		b->failed = 1;
}

int main(int argc, char **argv)
{
	uint64_t picks = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000ULL;
	if (picks == 0)
		picks = 2000000ULL;
	static struct lb_request reqs[NKEYS];
	static char paths[NKEYS][32];
	uint64_t seed = 20240601;
	for (uint32_t k = 0; k < NKEYS; k++) {
		reqs[k].src_ip = (uint32_t)splitmix(&seed);
		snprintf(paths[k], sizeof paths[k], "/owa/item/%u?x=1", (unsigned)(splitmix(&seed) % 100000));
		reqs[k].path = paths[k];
	}

	printf("bench_core_sel: ns per pick (best of %d runs of up to %llu picks), weights 1..4, "
	       "4,096 keys\n", REPS, (unsigned long long)picks);
	bench_print_machine(stdout);
	const char *titles[] = {"algorithm                 ", "8", "64", "1024", "ratio@64",
				"bytes@1024", "<50ns@64"};
	struct bench_table t;
	bench_table_begin(&t, stdout, titles, 7, 10);
	double base64 = 0;
	uint64_t sink = 0;
	for (size_t a = 0; a < NALGOS; a++) {
		double ns[NSIZES];
		size_t bytes = 0;
		for (size_t z = 0; z < NSIZES; z++) {
			struct lb_pool pool;
			if (setup_pool(&pool, &algos[a], sizes[z]) != 0) {
				fprintf(stderr, "%s: pool of %u refused\n", algos[a].label, sizes[z]);
				return 1;
			}
			struct run r = {.pool = &pool, .reqs = reqs, .picks = PILOT};
			double pilot = (double)bench_best_of(1, run_picks, &r) / PILOT;
			r.picks = (uint64_t)(RUN_NS / (pilot > 0.1 ? pilot : 0.1));
			r.picks = r.picks < PILOT ? PILOT : r.picks > picks ? picks : r.picks;
			ns[z] = (double)bench_best_of(REPS, run_picks, &r) / (double)r.picks;
			sink += r.sink;
			bytes = lb_pool_mem_bytes(&pool);
			lb_pool_free(&pool);
		}
		if (a == 0)
			base64 = ns[1];
		bench_table_cell(&t, "%s", algos[a].label);
		for (size_t z = 0; z < NSIZES; z++)
			bench_table_cell(&t, "%.1f", ns[z]);
		bench_table_cell(&t, "%.2f", ns[1] / base64);
		bench_table_cell(&t, "%zu", bytes);
		bench_table_cell(&t, "%s", algos[a].targeted ? (ns[1] < TARGET_NS ? "met" : "MISSED") : "-");
	}

	printf("\ntable rebuild (ms, best of %d): all servers usable <-> server 0 down\n", REPS);
	const char *btitles[] = {"table                 ", "8", "64", "1024", "bytes@1024"};
	bench_table_begin(&t, stdout, btitles, 5, 10);
	const struct algo builds[] = {
		{"maglev M=65537", &lb_sel_source, LB_HASH_MAGLEV, 0, 0, 0},
		{"consistent ring 100/w", &lb_sel_source, LB_HASH_CONSISTENT, 0, 0, 0},
		{"map-based", &lb_sel_source, LB_HASH_MAP_BASED, 0, 0, 0},
		{"roundrobin period", &lb_sel_roundrobin, 0, 0, 0, 0},
	};
	for (size_t a = 0; a < sizeof builds / sizeof builds[0]; a++) {
		bench_table_cell(&t, "%s", builds[a].label);
		size_t bytes = 0;
		for (size_t z = 0; z < NSIZES; z++) {
			struct lb_pool pool;
			if (setup_pool(&pool, &builds[a], sizes[z]) != 0)
				return 1;
			struct build b = {.pool = &pool, .flip = 1};
			double ms = (double)bench_best_of(REPS, run_build, &b) / 1e6;
			if (lb_server_set_healthy(&pool, 0, 1) != 0)
				return 1;
			bytes = lb_pool_mem_bytes(&pool);
			lb_pool_free(&pool);
			if (b.failed) {
				fprintf(stderr, "%s: rebuild failed\n", builds[a].label);
				return 1;
			}
			bench_table_cell(&t, "%.3f", ms);
		}
		bench_table_cell(&t, "%zu", bytes);
	}
	printf("\ntarget: < %.0f ns per pick for the hash and round-robin family at 64 servers "
	       "(issue 3)\n(checksum %llu)\n", TARGET_NS, (unsigned long long)(sink & 0xffff));
	return 0;
}
