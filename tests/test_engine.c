/* The event engine against independent truth.
 *
 * The truth is computed here without the engine: a qsort of (time,
 * scheduling index) for batches of events, and a naive reference engine (a
 * linear scan for the smallest (time, seq)) for models whose handlers
 * schedule and cancel at random. Random inputs come from GSL generators with
 * fixed seeds, so every run checks the same cases; times are drawn from
 * small ranges on purpose so that many events share an instant and the
 * tie-break by scheduling order is exercised, not just the time order.
 *
 * Inside the engine (a ladder queue, sim/engine/engine.c), sim_engine_check
 * verifies its invariants after cancels and along random runs (every
 * pending event sits at the slot its heap_index names, which is what makes
 * cancel O(1); tiers ordered; tombstones bounded). The white-box tests near
 * the end build ladders of known shape and read where events sit through
 * the encoding in sim/engine/engine_internal.h: cancels in every tier, events on
 * every bucket edge, a pile at one instant, the bottom split into a rung,
 * tombstones, and times at the end of time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "lbsim/engine.h"
#include "lbsim/rng.h"

/* For the white-box tests of the ladder: how heap_index and chunk owners
 * name an event's tier. */
#include "../sim/engine/engine_internal.h"

/* ---- a trace of handler runs ------------------------------------------- */

struct trace {
	uint32_t *id;
	sim_time_t *at;
	size_t n, cap;
};

static void trace_push(struct trace *tr, uint32_t id, sim_time_t at)
{
	if (tr->n == tr->cap) {
		tr->cap = tr->cap ? 2 * tr->cap : 1024;
		tr->id = realloc(tr->id, tr->cap * sizeof *tr->id);
		tr->at = realloc(tr->at, tr->cap * sizeof *tr->at);
		assert_non_null(tr->id);
		assert_non_null(tr->at);
	}
	tr->id[tr->n] = id;
	tr->at[tr->n] = at;
	tr->n++;
}

static void trace_free(struct trace *tr)
{
	free(tr->id);
	free(tr->at);
	*tr = (struct trace){0};
}

/* A test event: records itself, then runs an optional action. */
struct tev;
typedef void (*tev_action)(struct sim_engine *eng, struct tev *t);

struct tev {
	struct sim_event ev;
	uint32_t id;
	struct trace *tr;
	struct sim_engine *owner; /* the engine that must run it, if set */
	tev_action action;
	void *arg;
};

static void tev_fire(struct sim_engine *eng, struct sim_event *ev)
{
	struct tev *t = ev->ctx;
	/* The header promises the event is no longer pending in its handler. */
	assert_false(sim_event_pending(ev));
	if (t->owner)
		assert_ptr_equal(eng, t->owner);
	trace_push(t->tr, t->id, sim_now(eng));
	if (t->action)
		t->action(eng, t);
}

static struct tev *tevs_new(size_t n, struct trace *tr)
{
	struct tev *t = calloc(n, sizeof *t);
	assert_non_null(t);
	for (size_t i = 0; i < n; i++) {
		t[i].id = (uint32_t)i;
		t[i].tr = tr;
		sim_event_init(&t[i].ev, tev_fire, &t[i], 0);
	}
	return t;
}

/* ---- the independent reference for batches: qsort on (time, order) ----- */

struct ref {
	sim_time_t at;
	uint64_t order; /* when it was (last) scheduled: the tie-break */
	uint32_t id;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* The trace must be exactly the reference, sorted, event by event. */
static void check_trace(const struct trace *tr, struct ref *ref, size_t n)
{
	qsort(ref, n, sizeof *ref, ref_cmp);
	assert_int_equal(tr->n, n);
	for (size_t i = 0; i < n; i++) {
		if (tr->id[i] != ref[i].id || tr->at[i] != ref[i].at)
			fail_msg("position %zu: ran event %u at %llu, expected %u at %llu", i,
				 tr->id[i], (unsigned long long)tr->at[i], ref[i].id,
				 (unsigned long long)ref[i].at);
	}
}

/* The engine's own invariants: every pending event sits where its
 * heap_index says, the tiers are ordered, the counts agree. */
static void check_index(const struct sim_engine *eng)
{
	assert_int_equal(sim_engine_check(eng), 0);
}

static gsl_rng *test_rng(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	assert_non_null(r);
	gsl_rng_set(r, seed);
	return r;
}

/* ---- ordering ------------------------------------------------------------ */

/* 100,000 events over 5,000 instants (about 20 per instant), scheduled in
 * random time order: they run in (time, scheduling order). */
static void test_order_100k(void **state)
{
	(void)state;
	enum { N = 100000, SPAN = 5000 };
	gsl_rng *r = test_rng(1);
	struct trace tr = {0};
	struct tev *t = tevs_new(N, &tr);
	struct ref *ref = malloc(N * sizeof *ref);
	assert_non_null(ref);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	sim_time_t tmax = 0;
	for (uint32_t i = 0; i < N; i++) {
		sim_time_t at = gsl_rng_uniform_int(r, SPAN);
		tmax = at > tmax ? at : tmax;
		assert_int_equal(sim_schedule(&eng, &t[i].ev, at), 0);
		ref[i] = (struct ref){.at = at, .order = i, .id = i};
	}
	assert_int_equal(sim_pending(&eng), N);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), N);
	check_trace(&tr, ref, N);
	assert_int_equal(sim_pending(&eng), 0);
	assert_int_equal(eng.events_run, N);
	assert_int_equal(sim_now(&eng), tmax);
	for (uint32_t i = 0; i < N; i++)
		assert_false(sim_event_pending(&t[i].ev));
	sim_engine_free(&eng);
	free(ref);
	free(t);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* ---- ties ----------------------------------------------------------------- */

/* Scripted actions for the tie test: each event schedules another at the
 * current instant (by absolute time or by a zero delay) or itself again. */
static void act_schedule_arg_now(struct sim_engine *eng, struct tev *t)
{
	assert_int_equal(sim_schedule(eng, &((struct tev *)t->arg)->ev, sim_now(eng)), 0);
}

static void act_schedule_arg_in0(struct sim_engine *eng, struct tev *t)
{
	assert_int_equal(sim_schedule_in(eng, &((struct tev *)t->arg)->ev, 0), 0);
}

static void act_self_once(struct sim_engine *eng, struct tev *t)
{
	t->action = NULL;
	assert_int_equal(sim_schedule_in(eng, &t->ev, 0), 0);
}

static void test_ties_same_instant(void **state)
{
	(void)state;
	enum { A, B, C, D, E, F, G, X, NEV };
	struct trace tr = {0};
	struct tev *t = tevs_new(NEV, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	t[A].action = act_schedule_arg_now;
	t[A].arg = &t[D];
	t[B].action = act_schedule_arg_in0;
	t[B].arg = &t[E];
	t[C].action = act_self_once;
	t[D].action = act_schedule_arg_now;
	t[D].arg = &t[F];
	/* Scheduling order: G@11, A@10, X@5, B@10, C@10. While the instant 10 is
	 * being run, A adds D, B adds E, C adds itself, D adds F, each behind
	 * what is already pending for that instant. */
	assert_int_equal(sim_schedule(&eng, &t[G].ev, 11), 0);
	assert_int_equal(sim_schedule(&eng, &t[A].ev, 10), 0);
	assert_int_equal(sim_schedule(&eng, &t[X].ev, 5), 0);
	assert_int_equal(sim_schedule(&eng, &t[B].ev, 10), 0);
	assert_int_equal(sim_schedule(&eng, &t[C].ev, 10), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 9);
	static const uint32_t want_id[] = {X, A, B, C, D, E, C, F, G};
	static const sim_time_t want_at[] = {5, 10, 10, 10, 10, 10, 10, 10, 11};
	assert_int_equal(tr.n, 9);
	for (size_t i = 0; i < 9; i++) {
		assert_int_equal(tr.id[i], want_id[i]);
		assert_int_equal(tr.at[i], want_at[i]);
	}
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* ---- cancel ----------------------------------------------------------------- */

enum pick { PICK_TOP, PICK_LAST, PICK_MIDDLE };

/* The pending event that is the earliest, the latest or the median in
 * (time, scheduling order), found by sorting the reference. */
static uint32_t pick_pending(const sim_time_t *at, const int *canceled, const int *ran, uint32_t n,
			     enum pick pick)
{
	struct ref *live = malloc(n * sizeof *live);
	assert_non_null(live);
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!canceled[i] && !ran[i])
			live[m++] = (struct ref){.at = at[i], .order = i, .id = i};
	assert_true(m > 0);
	qsort(live, m, sizeof *live, ref_cmp);
	uint32_t id = live[pick == PICK_TOP ? 0 : pick == PICK_LAST ? m - 1 : m / 2].id;
	free(live);
	return id;
}

/* Cancel, 200 times, the earliest, the latest or the median pending event
 * (in the ladder: the bottom's first, the top's or last rung's, and one in
 * between), running a few events between cancels so that the ladder's
 * tiers fill and drain; then run the rest: exactly the others run, in
 * order. */
static void cancel_by_position(enum pick pick)
{
	enum { N = 2000, SPAN = 300000, CANCELS = 200 };
	gsl_rng *r = test_rng(2 + pick);
	struct trace tr = {0};
	struct tev *t = tevs_new(N, &tr);
	sim_time_t at[N];
	int canceled[N] = {0}, ran[N] = {0};
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	for (uint32_t i = 0; i < N; i++) {
		/* Ties: times are multiples of 100. */
		at[i] = 100 * gsl_rng_uniform_int(r, SPAN / 100);
		assert_int_equal(sim_schedule(&eng, &t[i].ev, at[i]), 0);
	}
	for (int k = 0; k < CANCELS; k++) {
		uint32_t n = (uint32_t)sim_pending(&eng);
		uint32_t id = pick_pending(at, canceled, ran, N, pick);
		struct tev *victim = &t[id];
		assert_true(sim_event_pending(&victim->ev));
		sim_cancel(&eng, &victim->ev);
		canceled[id] = 1;
		assert_false(sim_event_pending(&victim->ev));
		assert_int_equal(sim_pending(&eng), n - 1);
		check_index(&eng);
		/* Now and then, run the events due within 200 ns of the
		 * earliest (a few: times are about 150 apart). */
		if (k % 4 == 3) {
			size_t before = tr.n;
			sim_run(&eng, at[pick_pending(at, canceled, ran, N, PICK_TOP)] + 200);
			for (size_t j = before; j < tr.n; j++)
				ran[tr.id[j]] = 1;
			check_index(&eng);
		}
	}
	struct ref ref[N];
	size_t m = 0, already = tr.n;
	for (uint32_t i = 0; i < N; i++)
		if (!canceled[i])
			ref[m++] = (struct ref){.at = at[i], .order = i, .id = i};
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER) + already, m);
	check_trace(&tr, ref, m);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
	gsl_rng_free(r);
}

static void test_cancel_top(void **state)
{
	(void)state;
	cancel_by_position(PICK_TOP);
}

static void test_cancel_last(void **state)
{
	(void)state;
	cancel_by_position(PICK_LAST);
}

static void test_cancel_middle(void **state)
{
	(void)state;
	cancel_by_position(PICK_MIDDLE);
}

/* Property: over 200 random cases, cancel a random subset in random order,
 * re-schedule some of the canceled events at new times, and run: the
 * events still pending run in (time, last scheduling) order, and the
 * others never run. */
static void test_cancel_random_subsets(void **state)
{
	(void)state;
	enum { ROUNDS = 200, NMAX = 3000 };
	gsl_rng *r = test_rng(7);
	struct trace tr = {0};
	struct tev *t = tevs_new(NMAX, &tr);
	sim_time_t *at = malloc(NMAX * sizeof *at);
	uint64_t *order = malloc(NMAX * sizeof *order);
	int *live = malloc(NMAX * sizeof *live);
	size_t *perm = malloc(NMAX * sizeof *perm);
	struct ref *ref = malloc(NMAX * sizeof *ref);
	assert_true(at && order && live && perm && ref);
	for (int round = 0; round < ROUNDS; round++) {
		uint32_t n = 1 + (uint32_t)gsl_rng_uniform_int(r, NMAX);
		sim_time_t span = 1 + gsl_rng_uniform_int(r, n); /* ties galore when small */
		double p_cancel = gsl_rng_uniform(r);
		struct sim_engine eng;
		assert_int_equal(sim_engine_init(&eng, 16), 0);
		uint64_t seq = 0;
		for (uint32_t i = 0; i < n; i++) {
			at[i] = gsl_rng_uniform_int(r, span);
			order[i] = seq++;
			live[i] = 1;
			assert_int_equal(sim_schedule(&eng, &t[i].ev, at[i]), 0);
			perm[i] = i;
		}
		gsl_ran_shuffle(r, perm, n, sizeof *perm);
		uint32_t ncancel = 0;
		for (uint32_t k = 0; k < n; k++) {
			if (gsl_rng_uniform(r) >= p_cancel)
				continue;
			size_t i = perm[k];
			sim_cancel(&eng, &t[i].ev);
			live[i] = 0;
			ncancel++;
			assert_int_equal(sim_pending(&eng), n - ncancel);
			if (n <= 200 || ncancel % 64 == 0)
				check_index(&eng);
		}
		check_index(&eng);
		/* Bring back about a third of the canceled ones at new times. */
		for (uint32_t k = 0; k < n; k++) {
			size_t i = perm[k];
			if (live[i] || gsl_rng_uniform_int(r, 3) != 0)
				continue;
			at[i] = gsl_rng_uniform_int(r, span);
			order[i] = seq++;
			live[i] = 1;
			assert_int_equal(sim_schedule(&eng, &t[i].ev, at[i]), 0);
		}
		check_index(&eng);
		size_t m = 0;
		for (uint32_t i = 0; i < n; i++)
			if (live[i])
				ref[m++] = (struct ref){.at = at[i], .order = order[i], .id = i};
		tr.n = 0;
		assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), m);
		check_trace(&tr, ref, m);
		for (uint32_t i = 0; i < n; i++)
			assert_false(sim_event_pending(&t[i].ev));
		sim_engine_free(&eng);
	}
	free(at);
	free(order);
	free(live);
	free(perm);
	free(ref);
	free(t);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* Cancel of an event that is not pending changes nothing: never scheduled,
 * already run, or already canceled. */
static void test_cancel_not_pending(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct tev *t = tevs_new(4, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	assert_int_equal(sim_schedule(&eng, &t[0].ev, 10), 0);
	assert_int_equal(sim_schedule(&eng, &t[1].ev, 20), 0);
	assert_int_equal(sim_schedule(&eng, &t[2].ev, 30), 0);
	sim_cancel(&eng, &t[3].ev); /* never scheduled */
	assert_int_equal(sim_pending(&eng), 3);
	check_index(&eng);
	sim_cancel(&eng, &t[1].ev);
	sim_cancel(&eng, &t[1].ev); /* twice */
	assert_int_equal(sim_pending(&eng), 2);
	check_index(&eng);
	assert_int_equal(sim_run(&eng, 15), 1); /* t0 has run */
	sim_cancel(&eng, &t[0].ev);
	assert_int_equal(sim_pending(&eng), 1);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 1);
	assert_int_equal(tr.n, 2);
	assert_int_equal(tr.id[0], 0);
	assert_int_equal(tr.id[1], 2);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* A canceled event can be scheduled again; it runs once, at its new time,
 * and behind the events already pending for that instant. */
static void test_cancel_then_reschedule(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct tev *t = tevs_new(3, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	assert_int_equal(sim_schedule(&eng, &t[0].ev, 10), 0);
	assert_int_equal(sim_schedule(&eng, &t[1].ev, 50), 0);
	assert_int_equal(sim_schedule(&eng, &t[2].ev, 50), 0);
	sim_cancel(&eng, &t[0].ev);
	assert_int_equal(sim_schedule(&eng, &t[0].ev, 50), 0);
	sim_cancel(&eng, &t[1].ev);
	assert_int_equal(sim_schedule(&eng, &t[1].ev, 40), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 3);
	static const uint32_t want_id[] = {1, 2, 0};
	static const sim_time_t want_at[] = {40, 50, 50};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tr.id[i], want_id[i]);
		assert_int_equal(tr.at[i], want_at[i]);
	}
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* Handlers that cancel: another event due at the same instant, a later
 * one, themselves (not pending: no-op) before scheduling themselves again,
 * and an event they just scheduled. */
static void act_cancel_script(struct sim_engine *eng, struct tev *t)
{
	struct tev *all = t->arg; /* the array, t == &all[0] */
	t->action = NULL;
	sim_cancel(eng, &all[1].ev); /* pending at the same instant */
	sim_cancel(eng, &all[2].ev); /* pending later */
	sim_cancel(eng, &t->ev);     /* itself: not pending */
	assert_int_equal(sim_schedule(eng, &t->ev, 15), 0);
	assert_int_equal(sim_schedule(eng, &all[3].ev, 12), 0);
	sim_cancel(eng, &all[3].ev);
	check_index(eng);
}

static void test_cancel_from_handler(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct tev *t = tevs_new(5, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	t[0].action = act_cancel_script;
	t[0].arg = t;
	assert_int_equal(sim_schedule(&eng, &t[0].ev, 10), 0);
	assert_int_equal(sim_schedule(&eng, &t[1].ev, 10), 0);
	assert_int_equal(sim_schedule(&eng, &t[2].ev, 20), 0);
	assert_int_equal(sim_schedule(&eng, &t[4].ev, 30), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 3);
	static const uint32_t want_id[] = {0, 0, 4};
	static const sim_time_t want_at[] = {10, 15, 30};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(tr.id[i], want_id[i]);
		assert_int_equal(tr.at[i], want_at[i]);
	}
	for (size_t i = 0; i < 5; i++)
		assert_false(sim_event_pending(&t[i].ev));
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* ---- handlers that schedule and cancel at random, against references -----

 * A model of K events whose handlers, driven by one random stream, schedule
 * idle events (many of them at the current instant), cancel events, and
 * move pending ones. It runs once on the engine and once on a reference;
 * as both consume the stream in handler order, any difference in order or
 * in what is pending makes the runs diverge. Two references: a linear scan
 * for the smallest (time, seq) (obviously right, O(K) per event), and a
 * textbook binary heap on (time, seq) with lazy deletion, for large K. */

struct mdl;
struct mdl_ops {
	int (*pending)(struct mdl *m, uint32_t id);
	void (*schedule)(struct mdl *m, uint32_t id, sim_time_t at);
	void (*cancel)(struct mdl *m, uint32_t id);
};

/* How a model draws: its size, its budget of handler runs, the delay law
 * and how often the engine run checks the engine's invariants. */
struct mdl_cfg {
	uint32_t k;
	uint64_t budget;
	sim_time_t (*delay)(gsl_rng *r, sim_time_t now);
	uint64_t check_every; /* 0: never */
	uint64_t peek_every;  /* engine run: every so many handlers ask
			       * sim_next_time before and after their work;
			       * 0: never */
};

/* Reference state: time, scheduling sequence and pending flag per event;
 * the heap (when used) holds (time, seq, id) entries, stale ones skipped. */
struct rh_ent {
	sim_time_t at;
	uint64_t seq;
	uint32_t id;
};

struct naive {
	sim_time_t now;
	uint64_t seq;
	sim_time_t *at;
	uint64_t *sq;
	int *pend;
	struct rh_ent *heap; /* NULL: linear scan */
	size_t nheap, capheap;
};

struct mdl {
	const struct mdl_ops *ops;
	const struct mdl_cfg *cfg;
	gsl_rng *r;
	uint64_t budget;
	uint64_t effective_cancels;
	uint64_t same_instant;
	uint64_t checks;
	uint32_t max_rungs;
	uint32_t max_buckets;      /* the most buckets rung 0 had */
	uint32_t max_fine_buckets; /* the most buckets a rung below it had */
	struct trace tr;
	struct sim_engine *eng; /* engine run */
	/* The engine run's answers to sim_next_time after the handler of
	 * step peek_step[i]: the next step's time, checked after the run. */
	size_t *peek_step;
	sim_time_t *peek_at;
	size_t npeeks, peek_cap;
	struct tev *tevs;
	struct naive *nv; /* reference run */
};

/* A third at the current instant, the rest 1..100 ns ahead. */
static sim_time_t delay_small(gsl_rng *r, sim_time_t now)
{
	(void)now;
	return gsl_rng_uniform_int(r, 3) == 0 ? 0 : 1 + gsl_rng_uniform_int(r, 100);
}

static uint64_t draw_u64(gsl_rng *r)
{
	/* mt19937 gives 32 bits per draw. */
	uint64_t hi = gsl_rng_get(r), lo = gsl_rng_get(r);
	return hi << 32 | lo;
}

/* Every scale at once: a quarter at the current instant, a quarter within
 * 1 us, a quarter log-uniform up to 2^62 ns, a fifth within 1 s, and the
 * rest at or just before the end of time (SIM_TIME_NEVER): the ladder
 * gets rungs over wildly different spans, buckets that reach past the end
 * of time, and piles of equal times. */
static sim_time_t delay_wide(gsl_rng *r, sim_time_t now)
{
	unsigned u = (unsigned)gsl_rng_uniform_int(r, 32);
	if (u < 8)
		return 0;
	if (u < 16)
		return 1 + gsl_rng_uniform_int(r, 1000);
	if (u < 24)
		return draw_u64(r) >> (1 + gsl_rng_uniform_int(r, 63));
	if (u < 30)
		return gsl_rng_uniform_int(r, 1000000000);
	sim_time_t to_end = SIM_TIME_NEVER - now;
	if (u == 30)
		return to_end;
	sim_time_t back = gsl_rng_uniform_int(r, 1000);
	return to_end > back ? to_end - back : 0;
}

static sim_time_t at_after(sim_time_t now, sim_time_t d)
{
	return d > SIM_TIME_NEVER - now ? SIM_TIME_NEVER : now + d;
}

static void mdl_fire(struct mdl *m, uint32_t id, sim_time_t now)
{
	trace_push(&m->tr, id, now);
	if (m->budget == 0)
		return;
	m->budget--;
	/* 2.5 actions on average, 60 % of them scheduling an idle event and 20 %
	 * canceling: the pending set grows until about a quarter of the K events
	 * are pending, so the run lives until the budget is spent. */
	unsigned actions = 1 + (unsigned)gsl_rng_uniform_int(m->r, 4);
	for (unsigned a = 0; a < actions; a++) {
		unsigned what = (unsigned)gsl_rng_uniform_int(m->r, 10);
		uint32_t j = (uint32_t)gsl_rng_uniform_int(m->r, m->cfg->k);
		int pending = m->ops->pending(m, j);
		if (what < 6) {
			if (!pending) {
				sim_time_t d = m->cfg->delay(m->r, now);
				m->same_instant += d == 0;
				m->ops->schedule(m, j, at_after(now, d));
			}
		} else if (what < 8) {
			m->effective_cancels += pending != 0;
			m->ops->cancel(m, j);
		} else if (pending) {
			m->ops->cancel(m, j);
			m->ops->schedule(m, j, at_after(now, m->cfg->delay(m->r, now)));
		}
	}
}

static int eng_pending(struct mdl *m, uint32_t id)
{
	return sim_event_pending(&m->tevs[id].ev);
}

static void eng_schedule(struct mdl *m, uint32_t id, sim_time_t at)
{
	assert_int_equal(sim_schedule(m->eng, &m->tevs[id].ev, at), 0);
}

static void eng_cancel(struct mdl *m, uint32_t id)
{
	sim_cancel(m->eng, &m->tevs[id].ev);
}

static const struct mdl_ops eng_ops = {
	.pending = eng_pending,
	.schedule = eng_schedule,
	.cancel = eng_cancel,
};

static int rh_before(const struct rh_ent *a, const struct rh_ent *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void rh_push(struct naive *nv, struct rh_ent e)
{
	if (nv->nheap == nv->capheap) {
		nv->capheap = nv->capheap ? 2 * nv->capheap : 1024;
		nv->heap = realloc(nv->heap, nv->capheap * sizeof *nv->heap);
		assert_non_null(nv->heap);
	}
	size_t i = nv->nheap++;
	while (i > 0 && rh_before(&e, &nv->heap[(i - 1) / 2])) {
		nv->heap[i] = nv->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	nv->heap[i] = e;
}

static struct rh_ent rh_pop(struct naive *nv)
{
	struct rh_ent top = nv->heap[0], last = nv->heap[--nv->nheap];
	size_t i = 0, n = nv->nheap;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && rh_before(&nv->heap[c + 1], &nv->heap[c]))
			c++;
		if (!rh_before(&nv->heap[c], &last))
			break;
		nv->heap[i] = nv->heap[c];
		i = c;
	}
	if (n > 0)
		nv->heap[i] = last;
	return top;
}

static int nv_pending(struct mdl *m, uint32_t id)
{
	return m->nv->pend[id];
}

static void nv_schedule(struct mdl *m, uint32_t id, sim_time_t at)
{
	struct naive *nv = m->nv;
	nv->at[id] = at;
	nv->sq[id] = nv->seq++;
	nv->pend[id] = 1;
	if (nv->capheap)
		rh_push(nv, (struct rh_ent){.at = at, .seq = nv->sq[id], .id = id});
}

static void nv_cancel(struct mdl *m, uint32_t id)
{
	m->nv->pend[id] = 0;
}

static const struct mdl_ops nv_ops = {
	.pending = nv_pending,
	.schedule = nv_schedule,
	.cancel = nv_cancel,
};

/* The reference's next event: -1 when none is pending. */
static int64_t nv_next(struct naive *nv, uint32_t k)
{
	if (nv->capheap) {
		while (nv->nheap > 0) {
			struct rh_ent e = rh_pop(nv);
			if (nv->pend[e.id] && nv->sq[e.id] == e.seq)
				return e.id;
		}
		return -1;
	}
	int64_t best = -1;
	for (uint32_t j = 0; j < k; j++)
		if (nv->pend[j] && (best < 0 || nv->at[j] < nv->at[best] ||
				    (nv->at[j] == nv->at[best] && nv->sq[j] < nv->sq[best])))
			best = j;
	return best;
}

static void mdl_engine_fire(struct sim_engine *eng, struct sim_event *ev)
{
	struct tev *t = ev->ctx;
	struct mdl *m = t->arg;
	if (eng->nrungs > m->max_rungs)
		m->max_rungs = eng->nrungs;
	for (uint32_t r = 0; r < eng->nrungs; r++) {
		uint32_t *most = r ? &m->max_fine_buckets : &m->max_buckets;
		if (eng->rung[r].nb > *most)
			*most = eng->rung[r].nb;
	}
	if (m->cfg->check_every && m->tr.n % m->cfg->check_every == 0) {
		assert_int_equal(sim_engine_check(eng), 0);
		m->checks++;
	}
	int peek = m->cfg->peek_every && m->tr.n % m->cfg->peek_every == 0;
	/* Asking first may refill the bottom before the handler schedules:
	 * the order must not notice. */
	if (peek)
		assert_true(sim_next_time(eng) >= sim_now(eng));
	mdl_fire(m, t->id, sim_now(eng));
	if (!peek)
		return;
	if (m->npeeks == m->peek_cap) {
		m->peek_cap = m->peek_cap ? 2 * m->peek_cap : 1024;
		m->peek_step = realloc(m->peek_step, m->peek_cap * sizeof *m->peek_step);
		m->peek_at = realloc(m->peek_at, m->peek_cap * sizeof *m->peek_at);
		assert_true(m->peek_step && m->peek_at);
	}
	m->peek_step[m->npeeks] = m->tr.n - 1;
	m->peek_at[m->npeeks++] = sim_next_time(eng);
}

static void mdl_start(struct mdl *m, const struct mdl_cfg *cfg, unsigned long seed)
{
	m->cfg = cfg;
	m->r = test_rng(seed);
	m->budget = cfg->budget;
	for (uint32_t j = 0; j < cfg->k; j += 5)
		m->ops->schedule(m, j, gsl_rng_uniform_int(m->r, 50));
}

/* Run the model on the engine and on the reference (the heap one if
 * use_heap) and compare the traces step by step. */
static void mdl_compare(const struct mdl_cfg *cfg, unsigned long seed, int use_heap,
			int baseline, struct mdl *stats)
{
	/* The engine run (with the bottom insert of today, or the baseline's). */
	struct mdl a = {.ops = &eng_ops};
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 8), 0);
	eng.bottom_baseline = baseline;
	a.eng = &eng;
	a.tevs = tevs_new(cfg->k, &a.tr);
	for (uint32_t j = 0; j < cfg->k; j++) {
		sim_event_init(&a.tevs[j].ev, mdl_engine_fire, &a.tevs[j], 0);
		a.tevs[j].arg = &a;
	}
	mdl_start(&a, cfg, seed);
	sim_run(&eng, SIM_TIME_NEVER);
	assert_int_equal(sim_pending(&eng), 0);
	assert_int_equal(sim_engine_check(&eng), 0);

	/* The reference run. */
	struct mdl b = {.ops = &nv_ops};
	struct naive nv = {0};
	nv.at = calloc(cfg->k, sizeof *nv.at);
	nv.sq = calloc(cfg->k, sizeof *nv.sq);
	nv.pend = calloc(cfg->k, sizeof *nv.pend);
	assert_true(nv.at && nv.sq && nv.pend);
	if (use_heap) {
		nv.capheap = 1024;
		nv.heap = malloc(nv.capheap * sizeof *nv.heap);
		assert_non_null(nv.heap);
	}
	b.nv = &nv;
	mdl_start(&b, cfg, seed);
	for (;;) {
		int64_t best = nv_next(&nv, cfg->k);
		if (best < 0)
			break;
		nv.pend[best] = 0;
		nv.now = nv.at[best];
		mdl_fire(&b, (uint32_t)best, nv.now);
	}

	assert_int_equal(a.tr.n, b.tr.n);
	for (size_t i = 0; i < a.tr.n; i++)
		if (a.tr.id[i] != b.tr.id[i] || a.tr.at[i] != b.tr.at[i])
			fail_msg("step %zu: engine ran %u at %llu, reference %u at %llu", i,
				 a.tr.id[i], (unsigned long long)a.tr.at[i], b.tr.id[i],
				 (unsigned long long)b.tr.at[i]);
	assert_int_equal(sim_now(&eng), nv.now);
	/* Each answer of sim_next_time was the time of the step that came next. */
	for (size_t i = 0; i < a.npeeks; i++) {
		size_t next = a.peek_step[i] + 1;
		sim_time_t want = next < a.tr.n ? a.tr.at[next] : SIM_TIME_NEVER;
		if (a.peek_at[i] != want)
			fail_msg("after step %zu: sim_next_time said %llu, the next step ran at %llu",
				 a.peek_step[i], (unsigned long long)a.peek_at[i],
				 (unsigned long long)want);
	}
	free(a.peek_step);
	free(a.peek_at);
	a.peek_step = NULL;
	a.peek_at = NULL;
	*stats = a;
	stats->tr.n = a.tr.n;
	/* Keep the engine trace's times for the caller's statistics. */
	stats->tr.at = a.tr.at;
	stats->tr.id = a.tr.id;
	sim_engine_free(&eng);
	free(a.tevs);
	free(nv.at);
	free(nv.sq);
	free(nv.pend);
	free(nv.heap);
	trace_free(&b.tr);
	gsl_rng_free(a.r);
	gsl_rng_free(b.r);
}

static void test_handlers_random_vs_naive(void **state)
{
	(void)state;
	static const struct mdl_cfg cfg = {.k = 500, .budget = 200000, .delay = delay_small,
					   .check_every = 997, .peek_every = 3};
	for (int baseline = 0; baseline < 2; baseline++) {
		struct mdl a;
		mdl_compare(&cfg, 11, 0, baseline, &a);
		print_message("random handlers%s: %zu events run, %llu effective cancels, "
			      "%llu scheduled for the current instant\n",
			      baseline ? " (baseline bottom insert)" : "", a.tr.n,
			      (unsigned long long)a.effective_cancels,
			      (unsigned long long)a.same_instant);
		/* The model must really have exercised what it claims to. */
		assert_true(a.tr.n > cfg.budget);
		assert_true(a.effective_cancels > 1000);
		assert_true(a.same_instant > 1000);
		assert_true(a.checks > 100);
		trace_free(&a.tr);
	}
}

/* A small queue, as the peer benchmark's model keeps (a few dozen events,
 * each rescheduled 1 ns to 10 us ahead, ties at the current instant, now
 * and then one far ahead, which keeps the bottom alive for long): every
 * schedule lands inside the bottom array, so this exercises the bottom
 * insert's shifts from either end and its recentring, against the
 * obviously right reference, with today's insert and the baseline's. */
static sim_time_t delay_spread(gsl_rng *r, sim_time_t now)
{
	(void)now;
	unsigned u = (unsigned)gsl_rng_uniform_int(r, 10000);
	if (u == 0) /* far ahead: keeps the bottom alive, so its slots drift to an end */
		return 1000000000000ULL;
	return u < 10000 / 8 ? 0 : 1 + gsl_rng_uniform_int(r, 10000);
}

static void test_handlers_small_queue_vs_naive(void **state)
{
	(void)state;
	static const struct mdl_cfg cfg = {.k = 64, .budget = 200000, .delay = delay_spread,
					   .check_every = 101, .peek_every = 7};
	for (int baseline = 0; baseline < 2; baseline++) {
		struct mdl a;
		mdl_compare(&cfg, 13, 0, baseline, &a);
		print_message("small queue%s: %zu events run, %llu effective cancels\n",
			      baseline ? " (baseline bottom insert)" : "", a.tr.n,
			      (unsigned long long)a.effective_cancels);
		assert_true(a.tr.n > cfg.budget);
		assert_true(a.effective_cancels > 1000);
		assert_true(a.checks > 100);
		trace_free(&a.tr);
	}
}

/* The same with 20,000 events and times at every scale up to the end of
 * time, against the heap reference: deep ladders, spent rungs, buckets
 * reaching past SIM_TIME_NEVER, piles at SIM_TIME_NEVER itself. */
static void test_handlers_wide_vs_heap(void **state)
{
	(void)state;
	static const struct mdl_cfg cfg = {.k = 20000, .budget = 300000, .delay = delay_wide,
					   .check_every = 4999, .peek_every = 5};
	struct mdl a;
	mdl_compare(&cfg, 12, 1, 0, &a);
	uint64_t at_end = 0, near_end = 0;
	for (size_t i = 0; i < a.tr.n; i++) {
		at_end += a.tr.at[i] == SIM_TIME_NEVER;
		near_end += a.tr.at[i] < SIM_TIME_NEVER && a.tr.at[i] >= SIM_TIME_NEVER - 1000;
	}
	print_message("wide handlers: %zu events run, %llu effective cancels, %llu same instant, "
		      "%llu at and %llu just before the end of time, up to %u rungs\n",
		      a.tr.n, (unsigned long long)a.effective_cancels,
		      (unsigned long long)a.same_instant, (unsigned long long)at_end,
		      (unsigned long long)near_end, a.max_rungs);
	assert_true(a.tr.n > cfg.budget);
	assert_true(a.effective_cancels > 10000);
	assert_true(a.same_instant > 10000);
	assert_true(at_end > 100);
	assert_true(near_end > 100);
	assert_true(a.max_rungs >= 3);
	assert_true(a.checks > 50);
	trace_free(&a.tr);
}

/* Shaped like the world at scale: two thirds milliseconds ahead (network
 * transits, server completions), a third tens of seconds (think times),
 * a few ties at the current instant. */
static sim_time_t delay_world(gsl_rng *r, sim_time_t now)
{
	(void)now;
	unsigned u = (unsigned)gsl_rng_uniform_int(r, 30);
	if (u == 0)
		return 0;
	if (u < 20)
		return (sim_time_t)(gsl_ran_exponential(r, 5e6)) + 1;
	return (sim_time_t)(gsl_ran_exponential(r, 30e9)) + 1;
}

/* Enough pending events (about 50,000) that a rung made from the top
 * would want more than RUNG_MAX_BUCKETS buckets: it gets that many, so
 * its buckets hold a hundred or more events and are split again into a
 * finer rung (the capped fan-out of issue 19 item 5); and events enough
 * arriving into that finer rung's span (two thirds of them milliseconds
 * ahead) that it is sized by the events expected, not the live ones,
 * up to FINE_RUNG_MAX_BUCKETS ("Fine rungs", sim/engine/engine.c).
 * Against the heap. */
static void test_handlers_capped_rungs_vs_heap(void **state)
{
	(void)state;
	static const struct mdl_cfg cfg = {.k = 200000, .budget = 600000, .delay = delay_world,
					   .check_every = 19997, .peek_every = 11};
	struct mdl a;
	mdl_compare(&cfg, 14, 1, 0, &a);
	print_message("world-shaped handlers: %zu events run, %llu effective cancels, "
		      "up to %u rungs, up to %u buckets in rung 0 and %u below it\n",
		      a.tr.n, (unsigned long long)a.effective_cancels, a.max_rungs,
		      a.max_buckets, a.max_fine_buckets);
	assert_true(a.tr.n > cfg.budget);
	assert_true(a.effective_cancels > 10000);
	/* A rung has more than half of the buckets it wants (its width is
	 * a power of two): uncapped, rung 0 would have had over 1,500. */
	assert_true(a.max_buckets > RUNG_MAX_BUCKETS / 2 && a.max_buckets <= RUNG_MAX_BUCKETS);
	assert_true(a.max_fine_buckets > RUNG_MAX_BUCKETS &&
		    a.max_fine_buckets <= FINE_RUNG_MAX_BUCKETS);
	assert_true(a.max_rungs >= 2);
	assert_true(a.checks > 20);
	trace_free(&a.tr);
}

/* Buckets that reach the bottom binned (engine_ladder.c, bin_sort): a
 * third of the events at the current instant, a third on a grid of 1 us
 * steps (ties between different schedules at the same future instant,
 * several per bin), a third anywhere in the next millisecond (bins that
 * share events of different times, which the insertion pass after the
 * binning must put in order). Against the heap, with cancels. */
static sim_time_t delay_clustered(gsl_rng *r, sim_time_t now)
{
	(void)now;
	unsigned u = (unsigned)gsl_rng_uniform_int(r, 3);
	if (u == 0)
		return 0;
	if (u == 1)
		return 1000 * (1 + gsl_rng_uniform_int(r, 64));
	return 1 + gsl_rng_uniform_int(r, 1000000);
}

static void test_handlers_binned_buckets_vs_heap(void **state)
{
	(void)state;
	static const struct mdl_cfg cfg = {.k = 5000, .budget = 300000, .delay = delay_clustered,
					   .check_every = 4999, .peek_every = 13};
	struct mdl a;
	mdl_compare(&cfg, 15, 1, 0, &a);
	uint64_t ties = 0;
	for (size_t i = 1; i < a.tr.n; i++)
		ties += a.tr.at[i] == a.tr.at[i - 1];
	print_message("clustered handlers: %zu events run, %llu effective cancels, "
		      "%llu run at the time of the one before, up to %u rungs\n",
		      a.tr.n, (unsigned long long)a.effective_cancels, (unsigned long long)ties,
		      a.max_rungs);
	assert_true(a.tr.n > cfg.budget);
	assert_true(a.effective_cancels > 10000);
	assert_true(ties > 50000);
	assert_true(a.max_rungs >= 1);
	assert_true(a.checks > 50);
	trace_free(&a.tr);
}

/* ---- sim_run bounds, stop, empty ------------------------------------------- */

static void test_run_until(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct tev *t = tevs_new(4, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(sim_schedule(&eng, &t[i].ev, 10 * (i + 1)), 0);
	assert_int_equal(sim_run(&eng, 25), 2);
	assert_int_equal(sim_now(&eng), 25);
	assert_int_equal(sim_pending(&eng), 2);
	assert_true(sim_event_pending(&t[2].ev));
	assert_true(sim_event_pending(&t[3].ev));
	assert_int_equal(sim_run(&eng, 25), 0); /* nothing new is due */
	assert_int_equal(sim_run(&eng, 20), 0); /* time never goes back */
	assert_int_equal(sim_now(&eng), 25);
	assert_int_equal(sim_run(&eng, 30), 1); /* an event at until runs */
	assert_int_equal(sim_now(&eng), 30);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 1);
	assert_int_equal(sim_now(&eng), 40); /* emptied: stays at the last event */
	assert_int_equal(tr.n, 4);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(tr.at[i], 10 * (i + 1));
	assert_int_equal(eng.events_run, 4);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

static void act_stop(struct sim_engine *eng, struct tev *t)
{
	(void)t;
	sim_stop(eng);
}

static void test_stop_from_handler(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct tev *t = tevs_new(4, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	t[1].action = act_stop;
	t[2].action = act_stop;
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(sim_schedule(&eng, &t[i].ev, 10 * (i + 1)), 0);
	assert_int_equal(sim_run(&eng, 35), 2);
	assert_int_equal(sim_now(&eng), 20); /* stopped: not moved on to until */
	assert_int_equal(sim_pending(&eng), 2);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 1); /* the stop flag was reset */
	assert_int_equal(sim_now(&eng), 30);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 1);
	assert_int_equal(tr.n, 4);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

static void test_run_empty(void **state)
{
	(void)state;
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 0);
	assert_int_equal(sim_now(&eng), 0);
	assert_int_equal(sim_run(&eng, 100), 0);
	assert_int_equal(sim_now(&eng), 100);
	assert_int_equal(sim_pending(&eng), 0);
	sim_engine_free(&eng);
}

/* The profile counts every event under its kind (kinds past the table fold
 * into the last row), across calls of sim_run, and its handler times never
 * exceed the time spent in sim_run. The order of events does not change. */
static void test_profile_counts(void **state)
{
	(void)state;
	struct trace tr = {0};
	enum { N = 1000 };
	struct tev *t = tevs_new(N, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	struct sim_profile prof = {0};
	eng.profile = &prof;
	uint32_t kinds[] = {2, 10, 31, 40, 1000};
	for (uint32_t i = 0; i < N; i++) {
		t[i].ev.kind = kinds[i % 5];
		assert_int_equal(sim_schedule(&eng, &t[i].ev, 1000 - i), 0);
	}
	assert_int_equal(sim_run(&eng, 500), 500);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), N - 500);
	assert_int_equal(prof.events[2], N / 5);
	assert_int_equal(prof.events[10], N / 5);
	assert_int_equal(prof.events[SIM_PROFILE_KINDS - 1], 3 * N / 5);
	uint64_t events = 0, ns = 0;
	for (unsigned k = 0; k < SIM_PROFILE_KINDS; k++) {
		events += prof.events[k];
		ns += prof.ns[k];
	}
	assert_int_equal(events, N);
	assert_true(ns <= prof.run_ns);
	for (uint32_t i = 0; i < N; i++) /* latest time first: the schedule's reverse */
		assert_int_equal(tr.id[i], N - 1 - i);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* The look-ahead is told of events that are about to run, never of a
 * canceled one, each while it is still pending and with the time it is
 * due; it cannot change the order. */
static uint64_t lookahead_calls, lookahead_bad;

/* When the test below schedules event i: many ties. */
static sim_time_t due_of(uint32_t i)
{
	return (sim_time_t)((i * 7919u) % 1000u);
}

static void count_lookahead(struct sim_engine *eng, const struct sim_event *ev, sim_time_t at,
			    unsigned stage)
{
	lookahead_calls++;
	if (!ev || !sim_event_pending(ev) || at < sim_now(eng) || stage > 1 || at != due_of(((const struct tev *)(const void *)ev)->id))
		lookahead_bad++;
}

static void test_lookahead_sees_pending_events(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct trace plain = {0}, ahead = {0};
	struct tev *a = tevs_new(N, &plain), *b = tevs_new(N, &ahead);
	struct sim_engine e1, e2;
	assert_int_equal(sim_engine_init(&e1, 0), 0);
	assert_int_equal(sim_engine_init(&e2, 0), 0);
	e2.lookahead = count_lookahead;
	lookahead_calls = lookahead_bad = 0;
	for (uint32_t i = 0; i < N; i++) {
		sim_time_t at = due_of(i);
		assert_int_equal(sim_schedule(&e1, &a[i].ev, at), 0);
		assert_int_equal(sim_schedule(&e2, &b[i].ev, at), 0);
	}
	for (uint32_t i = 0; i < N; i += 3) { /* tombstones among them */
		sim_cancel(&e1, &a[i].ev);
		sim_cancel(&e2, &b[i].ev);
	}
	sim_run(&e1, SIM_TIME_NEVER);
	sim_run(&e2, SIM_TIME_NEVER);
	assert_int_equal(plain.n, ahead.n);
	for (size_t i = 0; i < plain.n; i++)
		assert_int_equal(plain.id[i], ahead.id[i]);
	assert_true(lookahead_calls > 0);
	assert_int_equal(lookahead_bad, 0);
	sim_engine_free(&e1);
	sim_engine_free(&e2);
	free(a);
	free(b);
	trace_free(&plain);
	trace_free(&ahead);
}

/* The look-ahead is shown, at each stage, only the kinds its mask names
 * (kinds from 31 on share bit 31), and the order is unchanged. */
static uint64_t seen_kind[2][64];

static void note_kind(struct sim_engine *eng, const struct sim_event *ev, sim_time_t at,
		      unsigned stage)
{
	(void)eng;
	(void)at;
	seen_kind[stage][ev->kind]++;
}

static void test_lookahead_kinds(void **state)
{
	(void)state;
	enum { N = 3000 };
	static const uint32_t kinds[] = {2, 6, 10, 40};
	struct trace tr = {0};
	struct tev *a = tevs_new(N, &tr);
	struct sim_engine e;
	assert_int_equal(sim_engine_init(&e, 0), 0);
	assert_int_equal(e.lookahead_kinds[0], UINT32_MAX);
	assert_int_equal(e.lookahead_kinds[1], UINT32_MAX);
	e.lookahead = note_kind;
	e.lookahead_kinds[0] = SIM_LOOKAHEAD_KIND(2) | SIM_LOOKAHEAD_KIND(10) | SIM_LOOKAHEAD_KIND(33);
	e.lookahead_kinds[1] = SIM_LOOKAHEAD_KIND(10);
	memset(seen_kind, 0, sizeof seen_kind);
	for (uint32_t i = 0; i < N; i++) {
		a[i].ev.kind = kinds[i % 4];
		assert_int_equal(sim_schedule(&e, &a[i].ev, due_of(i)), 0);
	}
	sim_run(&e, SIM_TIME_NEVER);
	assert_int_equal(tr.n, N);
	assert_true(seen_kind[0][2] > 0 && seen_kind[0][10] > 0 && seen_kind[0][40] > 0);
	assert_int_equal(seen_kind[0][6], 0);
	assert_true(seen_kind[1][10] > 0);
	assert_int_equal(seen_kind[1][2] + seen_kind[1][6] + seen_kind[1][40], 0);
	sim_engine_free(&e);
	free(a);
	trace_free(&tr);
}

/* Every event is shown to each stage once, the first ones of each bottom
 * too (when the bottom is loaded: they were never that far ahead), when
 * nothing is scheduled while the queue runs. */
static void test_lookahead_every_event(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct trace tr = {0};
	struct tev *a = tevs_new(N, &tr);
	struct sim_engine e;
	assert_int_equal(sim_engine_init(&e, 0), 0);
	e.lookahead = note_kind;
	memset(seen_kind, 0, sizeof seen_kind);
	for (uint32_t i = 0; i < N; i++) {
		a[i].ev.kind = 3;
		assert_int_equal(sim_schedule(&e, &a[i].ev, due_of(i)), 0);
	}
	sim_run(&e, SIM_TIME_NEVER);
	assert_int_equal(tr.n, N);
	assert_int_equal(seen_kind[0][3], N);
	assert_int_equal(seen_kind[1][3], N);
	sim_engine_free(&e);
	free(a);
	trace_free(&tr);
}

/* A delay that would wrap past the end of time saturates at NEVER. */
static void test_schedule_in_saturates(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct tev *t = tevs_new(1, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	sim_run(&eng, 100);
	assert_int_equal(sim_schedule_in(&eng, &t[0].ev, UINT64_MAX - 50), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER - 1), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), 1);
	assert_int_equal(tr.at[0], SIM_TIME_NEVER);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* ---- growth, two engines, release ----------------------------------------- */

static void test_growth(void **state)
{
	(void)state;
	enum { N = 10000 };
	gsl_rng *r = test_rng(3);
	struct trace tr = {0};
	struct tev *t = tevs_new(N, &tr);
	struct ref *ref = malloc(N * sizeof *ref);
	assert_non_null(ref);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 4), 0);
	for (uint32_t i = 0; i < N; i++) {
		sim_time_t at = gsl_rng_uniform_int(r, 1000);
		assert_int_equal(sim_schedule(&eng, &t[i].ev, at), 0);
		ref[i] = (struct ref){.at = at, .order = i, .id = i};
	}
	assert_int_equal(sim_pending(&eng), N);
	check_index(&eng);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), N);
	check_trace(&tr, ref, N);
	sim_engine_free(&eng);
	free(ref);
	free(t);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* Two engines fed and run alternately: each runs its own events, in its own
 * order, with its own clock. */
static void test_two_engines_interleaved(void **state)
{
	(void)state;
	enum { N = 5000 };
	gsl_rng *r = test_rng(4);
	struct sim_engine eng[2];
	struct trace tr[2] = {{0}, {0}};
	struct tev *t[2];
	struct ref *ref[2];
	size_t nref[2] = {0, 0};
	for (int e = 0; e < 2; e++) {
		assert_int_equal(sim_engine_init(&eng[e], 0), 0);
		t[e] = tevs_new(N, &tr[e]);
		ref[e] = malloc(N * sizeof *ref[e]);
		assert_non_null(ref[e]);
		for (uint32_t i = 0; i < N; i++)
			t[e][i].owner = &eng[e];
	}
	for (uint32_t i = 0; i < N; i++) {
		for (int e = 0; e < 2; e++) {
			sim_time_t at = gsl_rng_uniform_int(r, 2000);
			assert_int_equal(sim_schedule(&eng[e], &t[e][i].ev, at), 0);
			ref[e][nref[e]++] = (struct ref){.at = at, .order = i, .id = i};
		}
	}
	/* Engine 0 advances in steps of 7, engine 1 in steps of 13. */
	for (sim_time_t k = 1; k * 7 < 2100; k++) {
		sim_run(&eng[0], k * 7);
		assert_int_equal(sim_now(&eng[0]), k * 7);
		sim_run(&eng[1], k * 13);
		assert_int_equal(sim_now(&eng[1]), k * 13);
	}
	for (int e = 0; e < 2; e++) {
		assert_int_equal(sim_pending(&eng[e]), 0);
		check_trace(&tr[e], ref[e], nref[e]);
		sim_engine_free(&eng[e]);
		free(t[e]);
		free(ref[e]);
		trace_free(&tr[e]);
	}
	gsl_rng_free(r);
}

/* Freeing an engine with events pending leaves them idle, ready for
 * another engine. */
static void test_free_with_pending(void **state)
{
	(void)state;
	enum { N = 100 };
	struct trace tr = {0};
	struct tev *t = tevs_new(N, &tr);
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(sim_schedule(&eng, &t[i].ev, i), 0);
	assert_int_equal(sim_run(&eng, 29), 30);
	sim_engine_free(&eng);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(t[i].ev.heap_index, SIM_EVENT_IDLE);
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	for (uint32_t i = 30; i < N; i++)
		assert_int_equal(sim_schedule(&eng, &t[i].ev, i), 0);
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), N - 30);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(tr.id[i], i);
	sim_engine_free(&eng);
	free(t);
	trace_free(&tr);
}

/* ---- the ladder's own cases (white-box) -------------------------------------

 * These build ladders of known shape, look at where events sit through the
 * documented encoding (sim/engine/engine_internal.h), and check the order against
 * the qsort reference. A book records every scheduling so that the
 * reference knows what must run and in which order. */

struct book {
	struct sim_engine *eng;
	struct tev *t;
	sim_time_t *at;
	uint64_t *order;
	int *live;
	uint64_t seq;
	uint32_t n;
};

static void book_init(struct book *bk, struct sim_engine *eng, struct trace *tr, uint32_t n)
{
	bk->eng = eng;
	bk->n = n;
	bk->seq = 0;
	bk->t = tevs_new(n, tr);
	bk->at = calloc(n, sizeof *bk->at);
	bk->order = calloc(n, sizeof *bk->order);
	bk->live = calloc(n, sizeof *bk->live);
	assert_true(bk->at && bk->order && bk->live);
	for (uint32_t i = 0; i < n; i++)
		bk->t[i].arg = bk;
}

static void book_schedule(struct book *bk, uint32_t id, sim_time_t at)
{
	assert_int_equal(sim_schedule(bk->eng, &bk->t[id].ev, at), 0);
	bk->at[id] = at;
	bk->order[id] = bk->seq++;
	bk->live[id] = 1;
}

static void book_cancel(struct book *bk, uint32_t id)
{
	assert_true(sim_event_pending(&bk->t[id].ev));
	sim_cancel(bk->eng, &bk->t[id].ev);
	assert_false(sim_event_pending(&bk->t[id].ev));
	bk->live[id] = 0;
}

/* Run what is left; the whole trace must be the live events in (time,
 * last scheduling) order. Frees the book. */
static void book_finish(struct book *bk, struct trace *tr)
{
	sim_run(bk->eng, SIM_TIME_NEVER);
	assert_int_equal(sim_pending(bk->eng), 0);
	check_index(bk->eng);
	struct ref *ref = malloc(bk->n * sizeof *ref);
	assert_non_null(ref);
	size_t m = 0;
	for (uint32_t i = 0; i < bk->n; i++)
		if (bk->live[i])
			ref[m++] = (struct ref){.at = bk->at[i], .order = bk->order[i], .id = i};
	check_trace(tr, ref, m);
	free(ref);
	free(bk->t);
	free(bk->at);
	free(bk->order);
	free(bk->live);
}

enum tier { TIER_BOTTOM, TIER_TOP, TIER_RUNG0 /* + rung index */ };

static unsigned tier_of(const struct sim_engine *eng, const struct sim_event *ev)
{
	uint32_t loc = ev->heap_index;
	assert_int_not_equal(loc, SIM_EVENT_IDLE);
	if (loc & BOT_FLAG)
		return TIER_BOTTOM;
	uint32_t owner = eng->meta[loc >> CHUNK_SHIFT].owner;
	if (owner == OWNER_TOP)
		return TIER_TOP;
	return TIER_RUNG0 + (owner >> OWNER_RUNG_SHIFT);
}

/* A ladder of several rungs: 20,000 events spread over 2^30 ns and 5,000
 * packed into 4,096 ns in the middle (their bucket of rung 0 must be split,
 * and split again), run up to the middle of the pack, then 1,000 events
 * beyond the rungs, into the top. Uses ids [0, 26000). */
enum { LADDER_EVENTS = 26000 };
#define PACK_AT (1ULL << 29)

static void build_ladder(struct book *bk, gsl_rng *r)
{
	for (uint32_t i = 0; i < 20000; i++)
		book_schedule(bk, i, gsl_rng_uniform_int(r, 1UL << 30));
	for (uint32_t i = 20000; i < 25000; i++)
		book_schedule(bk, i, PACK_AT + gsl_rng_uniform_int(r, 4096));
	sim_run(bk->eng, PACK_AT + 2048);
	check_index(bk->eng);
	for (uint32_t i = 25000; i < 26000; i++)
		book_schedule(bk, i, (1ULL << 31) + gsl_rng_uniform_int(r, 1UL << 20));
	check_index(bk->eng);
	assert_true(bk->eng->nrungs >= 2);
}

/* sim_engine_check is what most tests here lean on, so it must see damage:
 * corrupt a built ladder in four ways, one at a time, and undo each. (A
 * sorted bottom with one event cannot be put out of order, hence an event
 * moved past the bottom's end instead.) */
static void test_check_sees_damage(void **state)
{
	(void)state;
	gsl_rng *r = test_rng(26);
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, LADDER_EVENTS);
	build_ladder(&bk, r);
	assert_int_equal(sim_engine_check(&eng), 0);

	/* An event that names another's place. */
	struct sim_event *a = NULL, *b = NULL;
	for (uint32_t i = 0; i < LADDER_EVENTS && !b; i++)
		if (sim_event_pending(&bk.t[i].ev)) {
			if (!a)
				a = &bk.t[i].ev;
			else
				b = &bk.t[i].ev;
		}
	assert_non_null(b);
	uint32_t saved = a->heap_index;
	a->heap_index = b->heap_index;
	assert_int_not_equal(sim_engine_check(&eng), 0);
	a->heap_index = saved;

	/* An event in the bottom that belongs to the finest rung. */
	uint32_t h = eng.bot_head;
	assert_true(eng.bot_tail > h);
	sim_time_t first = eng.bot[h].at;
	eng.bot[h].at = eng.rung[eng.nrungs - 1].cur_start;
	assert_int_not_equal(sim_engine_check(&eng), 0);
	eng.bot[h].at = first;

	/* An event in the wrong bucket of rung 0. */
	struct sim_rung *r0 = &eng.rung[0];
	uint32_t k = r0->cur;
	while (r0->b[k].n == 0)
		k++;
	struct sim_slot *slot = &eng.pool[r0->b[k].head << CHUNK_SHIFT];
	sim_time_t at = slot->at;
	slot->at += (sim_time_t)1 << r0->shift;
	assert_int_not_equal(sim_engine_check(&eng), 0);
	slot->at = at;

	/* A pending count that disagrees. */
	eng.count++;
	assert_int_not_equal(sim_engine_check(&eng), 0);
	eng.count--;

	assert_int_equal(sim_engine_check(&eng), 0);
	book_finish(&bk, &tr);
	sim_engine_free(&eng);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* Cancel a fifth of the events of every tier (the bottom, each rung, the
 * top), bring half of them back at new times, and run: the others run in
 * order, the canceled ones never. */
static void test_cancel_every_tier(void **state)
{
	(void)state;
	gsl_rng *r = test_rng(21);
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, LADDER_EVENTS);
	build_ladder(&bk, r);
	unsigned seen[TIER_RUNG0 + SIM_MAX_RUNGS] = {0}, canceled[TIER_RUNG0 + SIM_MAX_RUNGS] = {0};
	uint32_t *victims = malloc(LADDER_EVENTS * sizeof *victims);
	assert_non_null(victims);
	uint32_t nv = 0;
	for (uint32_t i = 0; i < LADDER_EVENTS; i++) {
		if (!sim_event_pending(&bk.t[i].ev))
			continue;
		unsigned tier = tier_of(&eng, &bk.t[i].ev);
		if (seen[tier]++ % 5 == 0) {
			book_cancel(&bk, i);
			canceled[tier]++;
			victims[nv++] = i;
		}
	}
	check_index(&eng);
	print_message("ladder: %u rungs; canceled %u of %u in the bottom, %u of %u in the top",
		      eng.nrungs, canceled[TIER_BOTTOM], seen[TIER_BOTTOM], canceled[TIER_TOP],
		      seen[TIER_TOP]);
	for (uint32_t k = 0; k < eng.nrungs; k++)
		print_message(", %u of %u in rung %u", canceled[TIER_RUNG0 + k],
			      seen[TIER_RUNG0 + k], k);
	print_message("\n");
	assert_true(canceled[TIER_BOTTOM] > 0);
	assert_true(canceled[TIER_TOP] > 0);
	/* Every rung that holds events had some canceled. */
	unsigned rungs_hit = 0;
	for (uint32_t k = 0; k < eng.nrungs; k++) {
		assert_true(seen[TIER_RUNG0 + k] == 0 || canceled[TIER_RUNG0 + k] > 0);
		rungs_hit += canceled[TIER_RUNG0 + k] > 0;
	}
	assert_true(rungs_hit >= 2);
	for (uint32_t k = 0; k < nv; k += 2)
		book_schedule(&bk, victims[k], sim_now(&eng) + gsl_rng_uniform_int(r, 1UL << 31));
	check_index(&eng);
	book_finish(&bk, &tr);
	sim_engine_free(&eng);
	free(victims);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* Events on every boundary the ladder routes by: both sides of the edges of
 * the next buckets of every rung, of each rung's current bucket, of the
 * top, and the current instant. They run in (time, scheduling) order. */
static void test_bucket_edges(void **state)
{
	(void)state;
	enum { EXTRA = 4000 };
	gsl_rng *r = test_rng(22);
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, LADDER_EVENTS + EXTRA);
	build_ladder(&bk, r);
	uint32_t id = LADDER_EVENTS;
	sim_time_t edges[256];
	unsigned ne = 0;
	edges[ne++] = sim_now(&eng);
	edges[ne++] = eng.top_start;
	for (uint32_t k = 0; k < eng.nrungs; k++) {
		const struct sim_rung *rg = &eng.rung[k];
		edges[ne++] = rg->cur_start;
		for (uint32_t b = rg->cur + 1; b < rg->nb && b <= rg->cur + 8; b++)
			edges[ne++] = rg->start + ((sim_time_t)b << rg->shift);
	}
	assert_true(ne <= 256);
	/* Twice over, so that each time is also a tie with itself. */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned e = 0; e < ne; e++)
			for (int d = -1; d <= 1; d++) {
				sim_time_t at = edges[e] + (sim_time_t)(int64_t)d;
				if (at < sim_now(&eng))
					continue;
				assert_true(id < LADDER_EVENTS + EXTRA);
				book_schedule(&bk, id++, at);
			}
	check_index(&eng);
	print_message("bucket edges: %u edges, %u events on them\n", ne, id - LADDER_EVENTS);
	book_finish(&bk, &tr);
	sim_engine_free(&eng);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* 100,000 events at one instant (a bucket no rung can split: it goes to
 * the bottom whole), with neighbours just before and after. The first of
 * them schedules 1,000 more at the same instant and 1,000 just after, and
 * cancels two thirds of the pile (the bottom is compacted). */
enum { PILE = 100000, PILE_T = 1000 };

static void act_pile(struct sim_engine *eng, struct tev *t)
{
	struct book *bk = t->arg;
	uint32_t id = PILE + 200;
	for (uint32_t k = 0; k < 1000; k++) {
		assert_int_equal(sim_schedule_in(eng, &bk->t[id].ev, 0), 0);
		bk->at[id] = PILE_T;
		bk->order[id] = bk->seq++;
		bk->live[id++] = 1;
	}
	for (uint32_t k = 0; k < 1000; k++)
		book_schedule(bk, id++, PILE_T + 1 + k % 3);
	for (uint32_t i = 101; i < 100 + PILE; i++)
		if (i % 3 != 0)
			book_cancel(bk, i);
	check_index(eng);
}

static void test_same_instant_pile(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, PILE + 2200);
	for (uint32_t i = 0; i < 100; i++)
		book_schedule(&bk, i, PILE_T - 1);
	for (uint32_t i = 100; i < 100 + PILE; i++)
		book_schedule(&bk, i, PILE_T);
	for (uint32_t i = 100 + PILE; i < 200 + PILE; i++)
		book_schedule(&bk, i, PILE_T + 1);
	bk.t[100].action = act_pile;
	assert_int_equal(sim_run(&eng, PILE_T - 1), 100);
	check_index(&eng);
	book_finish(&bk, &tr);
	sim_engine_free(&eng);
	trace_free(&tr);
}

/* Ten events, one of them far ahead, go from the top straight to the
 * bottom; then 5,000 events at random times before the far one are
 * scheduled by the first to run: they land in the bottom, and once inserts
 * would shift too much the bottom must be split into a rung. */
static uint32_t spill_rungs;

static void act_spill(struct sim_engine *eng, struct tev *t)
{
	struct book *bk = t->arg;
	gsl_rng *r = test_rng(23);
	for (uint32_t id = 10; id < 5010; id++)
		book_schedule(bk, id, 2 + gsl_rng_uniform_int(r, 1000000000) * 1000);
	gsl_rng_free(r);
	check_index(eng);
	spill_rungs = eng->nrungs;
}

static void test_bottom_spill(void **state)
{
	(void)state;
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, 5010);
	for (uint32_t i = 0; i < 9; i++)
		book_schedule(&bk, i, 1 + i);
	book_schedule(&bk, 9, 1000000000000ULL);
	bk.t[0].action = act_spill;
	spill_rungs = 0;
	assert_int_equal(sim_run(&eng, 1), 1);
	assert_true(spill_rungs >= 1);
	book_finish(&bk, &tr);
	sim_engine_free(&eng);
	trace_free(&tr);
}

/* Canceling most events leaves no bucket with more tombstones than
 * max(live events, 31) (sim_engine_check verifies it), and a bucket left
 * with only tombstones is released, so the chunks in use shrink with the
 * live events: in the top, then in the rungs after a transfer. */
static void test_tombstones_bounded(void **state)
{
	(void)state;
	enum { N = 10000, KEEP = 10 };
	gsl_rng *r = test_rng(24);
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	size_t perm[N];
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, N);
	for (int phase = 0; phase < 2; phase++) {
		sim_time_t base = (sim_time_t)(1 + 2 * phase) * 1000000000;
		for (uint32_t i = 0; i < N; i++) {
			if (!sim_event_pending(&bk.t[i].ev))
				book_schedule(&bk, i, base + gsl_rng_uniform_int(r, 1000000000));
			perm[i] = i;
		}
		if (phase == 1) {
			/* The survivors of phase 0 run; then the first of the
			 * new events, for which the top is split into rung 0. */
			assert_int_equal(sim_run(&eng, base - 1), KEEP);
			sim_time_t first = SIM_TIME_NEVER;
			for (uint32_t i = 0; i < N; i++)
				if (sim_event_pending(&bk.t[i].ev) && bk.at[i] < first)
					first = bk.at[i];
			assert_true(sim_run(&eng, first) >= 1);
			assert_true(eng.nrungs >= 1);
		}
		gsl_ran_shuffle(r, perm, N, sizeof *perm);
		uint32_t canceled = 0;
		for (uint32_t k = 0; k < N && sim_pending(&eng) > KEEP; k++) {
			if (!sim_event_pending(&bk.t[perm[k]].ev))
				continue;
			book_cancel(&bk, (uint32_t)perm[k]);
			if (++canceled % 250 == 0)
				check_index(&eng);
		}
		check_index(&eng);
		uint32_t in_use = eng.nchunks - eng.nfree;
		print_message("tombstones, phase %d: %u chunks in use for %zu events\n", phase, in_use,
			      sim_pending(&eng));
		/* At most two chunks per bucket holding a live event. */
		assert_true(in_use <= 2 * KEEP);
	}
	book_finish(&bk, &tr);
	sim_engine_free(&eng);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* Times at and near the end of time: bucket ends saturate there, and
 * events at SIM_TIME_NEVER itself always enter the top. */
static void test_times_near_never(void **state)
{
	(void)state;
	enum { N = 1200 };
	static const sim_time_t fixed[] = {
		SIM_TIME_NEVER, SIM_TIME_NEVER - 1, 0, SIM_TIME_NEVER, SIM_TIME_NEVER - 2,
		SIM_TIME_NEVER - (1ULL << 63), 1ULL << 63, 5, SIM_TIME_NEVER - 1, SIM_TIME_NEVER,
	};
	enum { NFIXED = sizeof fixed / sizeof fixed[0] };
	gsl_rng *r = test_rng(25);
	struct trace tr = {0};
	struct sim_engine eng;
	struct book bk;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	book_init(&bk, &eng, &tr, N);
	uint32_t id = 0;
	for (; id < NFIXED; id++)
		book_schedule(&bk, id, fixed[id]);
	for (; id < 500; id++)
		book_schedule(&bk, id, draw_u64(r));
	for (; id < 1100; id++)
		book_schedule(&bk, id, SIM_TIME_NEVER - gsl_rng_uniform_int(r, 2000));
	for (uint32_t i = 0; i < id; i += 7)
		book_cancel(&bk, i);
	check_index(&eng);
	sim_run(&eng, SIM_TIME_NEVER - 1);
	assert_int_equal(sim_now(&eng), SIM_TIME_NEVER - 1);
	size_t at_never = 0;
	for (uint32_t i = 0; i < id; i++)
		at_never += bk.live[i] && bk.at[i] == SIM_TIME_NEVER;
	assert_true(at_never > 0);
	assert_int_equal(sim_pending(&eng), at_never);
	check_index(&eng);
	/* More at the end of time: by a delay of 1, and by a delay that
	 * saturates. */
	for (; id < N; id++) {
		sim_time_t delay = id % 2 ? 1 : UINT64_MAX - id;
		assert_int_equal(sim_schedule_in(&eng, &bk.t[id].ev, delay), 0);
		bk.at[id] = SIM_TIME_NEVER;
		bk.order[id] = bk.seq++;
		bk.live[id] = 1;
	}
	check_index(&eng);
	book_finish(&bk, &tr);
	assert_int_equal(sim_now(&eng), SIM_TIME_NEVER);
	sim_engine_free(&eng);
	trace_free(&tr);
	gsl_rng_free(r);
}

/* ---- determinism: an M/M/1 queue driven by the engine --------------------- */

enum { MM1_ARRIVAL = 1, MM1_DEPARTURE = 2 };

struct mm1 {
	struct sim_engine eng;
	struct rng arrivals, service;
	struct sim_event arrival, departure;
	uint32_t queue;
	uint64_t hash, events;
};

static sim_time_t exp_ns(struct rng *r, double mean_s)
{
	return (sim_time_t)llround(rng_exp(r) * mean_s * 1e9);
}

static void mm1_note(struct mm1 *q, uint32_t kind)
{
	/* FNV-1a over (time, kind): any change of order or timing shows. */
	uint64_t words[2] = {sim_now(&q->eng), kind};
	for (int w = 0; w < 2; w++)
		for (int b = 0; b < 8; b++) {
			q->hash ^= (words[w] >> (8 * b)) & 0xff;
			q->hash *= 0x100000001b3ULL;
		}
	q->events++;
}

static void mm1_arrival(struct sim_engine *eng, struct sim_event *ev)
{
	struct mm1 *q = ev->ctx;
	mm1_note(q, ev->kind);
	if (++q->queue == 1)
		assert_int_equal(sim_schedule_in(eng, &q->departure, exp_ns(&q->service, 1.0)), 0);
	assert_int_equal(sim_schedule_in(eng, ev, exp_ns(&q->arrivals, 1 / 0.9)), 0);
}

static void mm1_departure(struct sim_engine *eng, struct sim_event *ev)
{
	struct mm1 *q = ev->ctx;
	mm1_note(q, ev->kind);
	if (--q->queue > 0)
		assert_int_equal(sim_schedule_in(eng, ev, exp_ns(&q->service, 1.0)), 0);
}

/* Simulate 20,000 s of an M/M/1 queue at load 0.9; return the trace hash. */
static uint64_t mm1_trace(uint64_t seed, uint64_t *events)
{
	struct mm1 q = {.hash = 0xcbf29ce484222325ULL};
	assert_int_equal(sim_engine_init(&q.eng, 0), 0);
	rng_stream(&q.arrivals, seed, 0, "arrivals");
	rng_stream(&q.service, seed, 0, "service");
	sim_event_init(&q.arrival, mm1_arrival, &q, MM1_ARRIVAL);
	sim_event_init(&q.departure, mm1_departure, &q, MM1_DEPARTURE);
	assert_int_equal(sim_schedule_in(&q.eng, &q.arrival, exp_ns(&q.arrivals, 1 / 0.9)), 0);
	sim_run(&q.eng, 20000 * SIM_NS_PER_S);
	*events = q.events;
	sim_engine_free(&q.eng);
	return q.hash;
}

static void test_determinism_mm1(void **state)
{
	(void)state;
	uint64_t n1, n2, n3;
	uint64_t h1 = mm1_trace(42, &n1);
	uint64_t h2 = mm1_trace(42, &n2);
	uint64_t h3 = mm1_trace(43, &n3);
	/* About 0.9 arrivals/s and as many departures over 20,000 s. */
	assert_true(n1 > 30000);
	assert_int_equal(n1, n2);
	assert_int_equal(h1, h2);
	assert_int_not_equal(h1, h3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_100k),
		cmocka_unit_test(test_ties_same_instant),
		cmocka_unit_test(test_cancel_top),
		cmocka_unit_test(test_cancel_last),
		cmocka_unit_test(test_cancel_middle),
		cmocka_unit_test(test_cancel_random_subsets),
		cmocka_unit_test(test_cancel_not_pending),
		cmocka_unit_test(test_cancel_then_reschedule),
		cmocka_unit_test(test_cancel_from_handler),
		cmocka_unit_test(test_handlers_random_vs_naive),
		cmocka_unit_test(test_handlers_small_queue_vs_naive),
		cmocka_unit_test(test_handlers_wide_vs_heap),
		cmocka_unit_test(test_handlers_capped_rungs_vs_heap),
		cmocka_unit_test(test_handlers_binned_buckets_vs_heap),
		cmocka_unit_test(test_run_until),
		cmocka_unit_test(test_stop_from_handler),
		cmocka_unit_test(test_run_empty),
		cmocka_unit_test(test_profile_counts),
		cmocka_unit_test(test_lookahead_sees_pending_events),
		cmocka_unit_test(test_lookahead_kinds),
		cmocka_unit_test(test_lookahead_every_event),
		cmocka_unit_test(test_schedule_in_saturates),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_two_engines_interleaved),
		cmocka_unit_test(test_free_with_pending),
		cmocka_unit_test(test_check_sees_damage),
		cmocka_unit_test(test_cancel_every_tier),
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_same_instant_pile),
		cmocka_unit_test(test_bottom_spill),
		cmocka_unit_test(test_tombstones_bounded),
		cmocka_unit_test(test_times_near_never),
		cmocka_unit_test(test_determinism_mm1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
