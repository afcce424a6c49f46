/* Benchmark of issue 3: persistence table lookup and insert, and bytes per
 * entry, at 1,000, 100,000 and 1,000,000 live entries.
 *
 * For each size N and two key shapes (4-byte source-ip keys, 32-byte TLS
 * session ids), a table of capacity N is filled with N random keys, then:
 *  - fill:    storing the N keys into the empty table (timed once);
 *  - hit:     lookups of keys in the table, in random order, one call per
 *             key (each refreshes its entry and makes it the most recently
 *             used);
 *  - batch:   the same hits through lb_pers_table_lookup_batch, BATCH keys
 *             a call, as a data plane handling a vector of packets would:
 *             the misses of neighbouring keys overlap;
 *  - miss:    lookups of random keys that are not in the table;
 *  - insert:  storing new keys into the full table, each evicting the least
 *             recently used entry (the steady state of a busy table);
 *  - select:  lb_pers_select end to end on source-ip hits (key extraction,
 *             lookup, server check), 8 servers in round robin.
 * The keys of each pass are precomputed and laid out in the order they are
 * used, so reading them streams from memory and the figure is the table's,
 * as in a proxy where the key sits in the packet just parsed.
 *
 * Baselines, measured in the same run:
 *  - the same operations at 1,000 entries, where the whole table sits in
 *    cache: the ratio at 1,000,000 shows what memory costs;
 *  - a pointer chase through a working set of the table's size, one
 *    dependent cache-line load per step, in memory allocated as the table's
 *    is (2 MiB-aligned, advised as transparent huge pages): what one cache
 *    miss costs on this machine at that size. A cold lookup is a short chain
 *    of dependent loads (index slot, then entry), so "hit / chase" says how
 *    many misses a lookup costs, a figure that survives a noisy, shared
 *    machine better than nanoseconds do.
 * Each figure is the best of 3 passes (interference only adds time). The
 * issue's target, a lookup under 100 ns at 1,000,000 entries, is checked on
 * single hits and misses and on batched hits, and reported as met or not
 * met; it never fails the run.
 *
 * Usage: bench_core_pers [lookups per pass]   (default 1,000,000)
 */
/* madvise(MADV_HUGEPAGE) for the chase, as the table does: not POSIX. */
#define _DEFAULT_SOURCE 1

#include "bench_util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lbsim/lb.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"

#define REPS 3
#define BATCH 32                    /* keys per lb_pers_table_lookup_batch call */
#define HUGE_PAGE (2u << 20)
#define SEED 20240603ULL
#define TARGET_NS 100.0
#define EXPIRE_NS (3600ULL * 1000000000ULL) /* an hour: nothing expires, the check still runs */

static const uint32_t sizes[] = { 1000, 100000, 1000000 };
#define NSIZES (sizeof sizes / sizeof sizes[0])

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Random key of len bytes. Key sets drawn from one stream never repeat in
 * practice (2^32 / 2^256 spaces; 4-byte collisions are checked by the hit
 * count below). */
static void random_key(uint64_t *rng, uint8_t len, struct lb_pers_key *k)
{
	k->len = len;
	for (uint8_t i = 0; i < len; i += 8) {
		uint64_t w = splitmix(rng);
		memcpy(k->bytes + i, &w, (size_t)(len - i < 8 ? len - i : 8));
	}
}

struct pass {
	struct lb_pers_table *t;
	const struct lb_pers_key *keys;
	size_t n;
	uint64_t now;
	uint64_t found;   /* lookups that hit (or stores that were new) */
	uint64_t sum;     /* servers folded in, so nothing is optimised away */
};

static void run_lookups(void *arg)
{
	struct pass *p = arg;
	uint64_t found = 0, sum = 0;
	for (size_t i = 0; i < p->n; i++) {
		int s = lb_pers_table_lookup(p->t, &p->keys[i], p->now++);
		found += s >= 0;
		sum += (uint64_t)s;
	}
	p->found = found;
	p->sum += sum;
}

static void run_batches(void *arg)
{
	struct pass *p = arg;
	uint64_t found = 0, sum = 0;
	int servers[BATCH];
	for (size_t i = 0; i < p->n; i += BATCH) {
		size_t g = p->n - i < BATCH ? p->n - i : BATCH;
		lb_pers_table_lookup_batch(p->t, &p->keys[i], g, p->now++, servers);
		for (size_t k = 0; k < g; k++) {
			found += servers[k] >= 0;
			sum += (uint64_t)servers[k];
		}
	}
	p->found = found;
	p->sum += sum;
}

static void run_stores(void *arg)
{
	struct pass *p = arg;
	uint64_t found = 0;
	for (size_t i = 0; i < p->n; i++)
		found += lb_pers_table_store(p->t, &p->keys[i], (uint32_t)(i & 7), p->now++) == 0;
	p->found = found;
}

struct select_pass {
	struct lb_persist *per;
	struct lb_pool *pool;
	const struct lb_request *reqs;
	size_t n;
	uint64_t now;
	uint64_t sum;
};

static void run_selects(void *arg)
{
	struct select_pass *p = arg;
	uint64_t sum = 0;
	for (size_t i = 0; i < p->n; i++)
		sum += (uint64_t)lb_pers_select(p->per, p->pool, &p->reqs[i], p->now++, NULL);
	p->sum += sum;
}

/* One 64-byte line per node, linked in one random cycle (Sattolo's
 * shuffle), so each step is a load that depends on the previous one and
 * lands on a line the prefetchers cannot guess. */
struct chase_node {
	uint32_t next;
	uint8_t pad[60];
};

struct chase {
	const struct chase_node *nodes;
	size_t steps;
	uint32_t at;
};

static void run_chase(void *arg)
{
	struct chase *c = arg;
	uint32_t at = c->at;
	for (size_t i = 0; i < c->steps; i++)
		at = c->nodes[at].next;
	c->at = at;
}

/* ns per dependent load in a working set of `bytes`. */
static double chase_ns(size_t bytes, size_t steps, uint64_t *rng)
{
	size_t n = bytes / sizeof(struct chase_node);
	if (n < 2)
		n = 2;
	/* As the table allocates its arrays: on huge pages where the kernel
	 * gives them, so that the chase costs what a table miss costs. */
	void *mem = NULL;
	if (posix_memalign(&mem, HUGE_PAGE, n * sizeof(struct chase_node)) != 0)
		return 0;
#ifdef MADV_HUGEPAGE
	(void)madvise(mem, n * sizeof(struct chase_node), MADV_HUGEPAGE);
#endif
	struct chase_node *nodes = mem;
	for (size_t i = 0; i < n; i++)
		nodes[i].next = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = splitmix(rng) % i;
		uint32_t tmp = nodes[i].next;
		nodes[i].next = nodes[j].next;
		nodes[j].next = tmp;
	}
	struct chase c = { .nodes = nodes, .steps = steps, .at = 0 };
	uint64_t best = bench_best_of(REPS, run_chase, &c);
	free(nodes);
	return (double)best / (double)steps + (c.at == UINT32_MAX); /* keep the chase */
}

static double per_op(uint64_t ns, size_t n)
{
	return (double)ns / (double)n;
}

int main(int argc, char **argv)
{
	size_t m = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	if (m < 1000)
		m = 1000;
	bench_print_machine(stdout);
	printf("persistence table: open-addressed index over %zu-byte entries, exact LRU by a use "
	       "log; best of %d passes, %zu operations per pass, batches of %d\n",
	       sizeof(struct lb_pers_entry), REPS, m, BATCH);

	const uint32_t nmax = sizes[NSIZES - 1];
	struct lb_pers_key *stored = malloc(sizeof *stored * nmax);
	struct lb_pers_key *stream = malloc(sizeof *stream * m);
	struct lb_request *reqs = malloc(sizeof *reqs * m);
	uint32_t *addrs = malloc(sizeof *addrs * nmax);
	if (!stored || !stream || !reqs || !addrs) {
		fprintf(stderr, "bench_core_pers: out of memory\n");
		return 1;
	}

	static const char *const titles[] = { "key", "entries", "fill ns", "hit ns", "batch hit ns",
					      "miss ns", "insert ns", "select ns", "chase ns",
					      "hit/chase", "bytes/entry" };
	struct bench_table tab;
	bench_table_begin(&tab, stdout, titles, 11, 9);

	double hit_ns[2][NSIZES], batch_ns[2][NSIZES], miss_ns[2][NSIZES], ins_ns[2][NSIZES];
	double chase[2][NSIZES];
	int bad = 0;
	uint64_t sink = 0;
	const uint8_t lens[2] = { 4, 32 };
	for (int kl = 0; kl < 2; kl++) {
		for (size_t si = 0; si < NSIZES; si++) {
			uint32_t n = sizes[si];
			uint64_t rng = SEED ^ ((uint64_t)kl << 40) ^ n;
			struct lb_pers_table t;
			if (lb_pers_table_init(&t, n, 0, EXPIRE_NS, LB_PERS_FULL_LRU, SEED) != 0) {
				fprintf(stderr, "bench_core_pers: table of %u entries refused\n", n);
				return 1;
			}
			for (uint32_t i = 0; i < n; i++)
				random_key(&rng, lens[kl], &stored[i]);

			struct pass p = { .t = &t, .keys = stored, .n = n, .now = 1 };
			uint64_t t0 = bench_now_ns();
			run_stores(&p);
			double fill = per_op(bench_now_ns() - t0, n);
			/* 4-byte keys may collide by chance (birthday: ~116 of
			 * 10^6 pairs in 2^32); those are updates, not misses. */
			uint64_t distinct = p.found;

			/* Hits: random order over the stored keys. */
			for (size_t i = 0; i < m; i++)
				stream[i] = stored[splitmix(&rng) % n];
			p.keys = stream;
			p.n = m;
			uint64_t best = bench_best_of(REPS, run_lookups, &p);
			hit_ns[kl][si] = per_op(best, m);
			if (p.found != m)
				bad = 1;
			sink += p.sum;
			best = bench_best_of(REPS, run_batches, &p);
			batch_ns[kl][si] = per_op(best, m);
			if (p.found != m)
				bad = 1;
			sink += p.sum;

			/* Misses: keys never stored. */
			for (size_t i = 0; i < m; i++)
				random_key(&rng, lens[kl], &stream[i]);
			best = bench_best_of(REPS, run_lookups, &p);
			miss_ns[kl][si] = per_op(best, m);
			if (lens[kl] == 32 && p.found != 0)
				bad = 1;
			sink += p.sum;

			/* Inserts into the full table, each evicting the LRU
			 * entry; a fresh key set per pass (the previous pass's
			 * keys are in the table now). */
			uint64_t ins_best = UINT64_MAX;
			for (int r = 0; r < REPS; r++) {
				for (size_t i = 0; i < m; i++)
					random_key(&rng, lens[kl], &stream[i]);
				t0 = bench_now_ns();
				run_stores(&p);
				uint64_t dt = bench_now_ns() - t0;
				if (dt < ins_best)
					ins_best = dt;
			}
			ins_ns[kl][si] = per_op(ins_best, m);
			if (t.count != n)
				bad = 1;
			double bytes_per_entry = (double)t.mem.live / n;
			size_t table_bytes = t.mem.live;
			lb_pers_table_free(&t);
			chase[kl][si] = chase_ns(table_bytes, m, &rng);

			/* End to end on source-ip hits. */
			char select_cell[32] = "-";
			if (lens[kl] == 4) {
				struct lb_pool pool;
				struct lb_persist per;
				struct lb_pers_params prm = { .size = n, .expire_ns = EXPIRE_NS, .seed = SEED };
				if (lb_pool_init(&pool, "bench", 8, NULL, lb_sel_find("roundrobin"), NULL) != 0 ||
				    lb_persist_init(&per, &lb_pers_source_ip, &prm) != 0) {
					fprintf(stderr, "bench_core_pers: pool or persistence refused\n");
					return 1;
				}
				struct select_pass sp = { .per = &per, .pool = &pool, .now = 1 };
				for (uint32_t i = 0; i < n; i++) {
					addrs[i] = (uint32_t)splitmix(&rng);
					struct lb_request rq = { .src_ip = addrs[i] };
					sink += (uint64_t)lb_pers_select(&per, &pool, &rq, sp.now++, NULL);
				}
				for (size_t i = 0; i < m; i++)
					reqs[i] = (struct lb_request){ .src_ip = addrs[splitmix(&rng) % n] };
				sp.reqs = reqs;
				sp.n = m;
				uint64_t hits0 = per.table.stats.hits;
				best = bench_best_of(REPS, run_selects, &sp);
				if (per.table.stats.hits - hits0 != (uint64_t)REPS * m)
					bad = 1;
				snprintf(select_cell, sizeof select_cell, "%.1f", per_op(best, m));
				sink += sp.sum;
				lb_persist_free(&per);
				lb_pool_free(&pool);
			}

			bench_table_cell(&tab, "%u B", lens[kl]);
			bench_table_cell(&tab, "%u", n);
			bench_table_cell(&tab, "%.1f", fill);
			bench_table_cell(&tab, "%.1f", hit_ns[kl][si]);
			bench_table_cell(&tab, "%.1f", batch_ns[kl][si]);
			bench_table_cell(&tab, "%.1f", miss_ns[kl][si]);
			bench_table_cell(&tab, "%.1f", ins_ns[kl][si]);
			bench_table_cell(&tab, "%s", select_cell);
			bench_table_cell(&tab, "%.1f", chase[kl][si]);
			bench_table_cell(&tab, "%.2f", hit_ns[kl][si] / chase[kl][si]);
			bench_table_cell(&tab, "%.1f", bytes_per_entry);
			if (distinct + 1000 < n)
				bad = 1;
		}
	}

	if (bad) {
		fprintf(stderr, "bench_core_pers: a pass did not do what it measures "
			"(hits missed, misses hit, or the table lost entries)\n");
		return 1;
	}
	printf("\nbytes per entry = (%zu x entries + 16 x buckets + 8 x entries) / entries "
	       "(entry, two index slots a bucket, two use-log records an entry); buckets = next "
	       "power of two >= entries\n", sizeof(struct lb_pers_entry));
	printf("baseline: 1,000 entries (cache-resident). At 1,000,000 entries:\n");
	for (int kl = 0; kl < 2; kl++)
		printf("  %2u-byte keys: hit x%.1f, batch hit x%.1f, miss x%.1f, insert x%.1f of the "
		       "baseline\n", lens[kl], hit_ns[kl][NSIZES - 1] / hit_ns[kl][0],
		       batch_ns[kl][NSIZES - 1] / batch_ns[kl][0],
		       miss_ns[kl][NSIZES - 1] / miss_ns[kl][0],
		       ins_ns[kl][NSIZES - 1] / ins_ns[kl][0]);
	printf("chase: one dependent cache-line load in a working set the size of the table\n");
	for (int kl = 0; kl < 2; kl++) {
		double h = hit_ns[kl][NSIZES - 1], ms = miss_ns[kl][NSIZES - 1];
		double bh = batch_ns[kl][NSIZES - 1];
		printf("target (issue 3): lookup < %.0f ns at 1,000,000 entries, %u-byte keys:\n"
		       "  single: hit %.1f ns %s, miss %.1f ns %s (one miss costs %.1f ns here; "
		       "a hit depends on two)\n"
		       "  batched (%d a call): hit %.1f ns %s\n", TARGET_NS, lens[kl],
		       h, h < TARGET_NS ? "met" : "NOT met", ms, ms < TARGET_NS ? "met" : "NOT met",
		       chase[kl][NSIZES - 1], BATCH, bh, bh < TARGET_NS ? "met" : "NOT met");
	}
	printf("(checksum %llu)\n", (unsigned long long)sink);
	free(stored);
	free(stream);
	free(reqs);
	free(addrs);
	return 0;
}
