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
 * The only look inside the engine is the documented heap_index of each
 * pending event: after cancels, every pending event must still sit at the
 * slot it claims (that is what makes cancel O(log n)).
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

/* Every pending event sits at the slot its heap_index names. */
static void check_index(const struct sim_engine *eng)
{
	for (uint32_t i = 0; i < eng->count; i++)
		assert_int_equal(eng->heap[i].ev->heap_index, i);
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

/* Cancel, 200 times, the event at the top, the last or the middle slot of
 * the heap (each refills the hole from a different place), then run the
 * rest: exactly the others run, in order. */
static void cancel_by_position(enum pick pick)
{
	enum { N = 2000, SPAN = 300, CANCELS = 200 };
	gsl_rng *r = test_rng(2 + pick);
	struct trace tr = {0};
	struct tev *t = tevs_new(N, &tr);
	sim_time_t at[N];
	int canceled[N] = {0};
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	for (uint32_t i = 0; i < N; i++) {
		at[i] = gsl_rng_uniform_int(r, SPAN);
		assert_int_equal(sim_schedule(&eng, &t[i].ev, at[i]), 0);
	}
	for (int k = 0; k < CANCELS; k++) {
		uint32_t n = (uint32_t)sim_pending(&eng);
		uint32_t slot = pick == PICK_TOP ? 0 : pick == PICK_LAST ? n - 1 : n / 2;
		struct tev *victim = eng.heap[slot].ev->ctx;
		if (pick == PICK_TOP) {
			/* The top is the earliest pending event by the reference too. */
			for (uint32_t i = 0; i < N; i++)
				if (!canceled[i] && (at[i] < at[victim->id] ||
						     (at[i] == at[victim->id] && i < victim->id)))
					fail_msg("top slot holds %u, but %u is earlier", victim->id, i);
		}
		sim_cancel(&eng, &victim->ev);
		canceled[victim->id] = 1;
		assert_false(sim_event_pending(&victim->ev));
		assert_int_equal(sim_pending(&eng), n - 1);
		check_index(&eng);
	}
	struct ref ref[N];
	size_t m = 0;
	for (uint32_t i = 0; i < N; i++)
		if (!canceled[i])
			ref[m++] = (struct ref){.at = at[i], .order = i, .id = i};
	assert_int_equal(sim_run(&eng, SIM_TIME_NEVER), m);
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

/* ---- handlers that schedule and cancel at random, against a naive engine --

 * A model of K events whose handlers, driven by one random stream, schedule
 * idle events (a third of them at the current instant), cancel events, and
 * move pending ones. It runs once on the engine and once on a reference
 * that finds the next event by a linear scan for the smallest (time, seq);
 * as both consume the stream in handler order, any difference in order or
 * in what is pending makes the runs diverge. */

struct mdl;
struct mdl_ops {
	int (*pending)(struct mdl *m, uint32_t id);
	void (*schedule)(struct mdl *m, uint32_t id, sim_time_t at);
	void (*cancel)(struct mdl *m, uint32_t id);
};

enum { MDL_K = 500, MDL_BUDGET = 200000 };

struct naive {
	sim_time_t now;
	uint64_t seq;
	sim_time_t at[MDL_K];
	uint64_t sq[MDL_K];
	int pend[MDL_K];
};

struct mdl {
	const struct mdl_ops *ops;
	gsl_rng *r;
	uint64_t budget;
	uint64_t effective_cancels;
	uint64_t same_instant;
	struct trace tr;
	struct sim_engine *eng; /* engine run */
	struct tev *tevs;
	struct naive *nv; /* reference run */
};

static sim_time_t mdl_delay(struct mdl *m)
{
	return gsl_rng_uniform_int(m->r, 3) == 0 ? 0 : 1 + gsl_rng_uniform_int(m->r, 100);
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
		uint32_t j = (uint32_t)gsl_rng_uniform_int(m->r, MDL_K);
		int pending = m->ops->pending(m, j);
		if (what < 6) {
			if (!pending) {
				sim_time_t d = mdl_delay(m);
				m->same_instant += d == 0;
				m->ops->schedule(m, j, now + d);
			}
		} else if (what < 8) {
			m->effective_cancels += pending != 0;
			m->ops->cancel(m, j);
		} else if (pending) {
			m->ops->cancel(m, j);
			m->ops->schedule(m, j, now + mdl_delay(m));
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

static int nv_pending(struct mdl *m, uint32_t id)
{
	return m->nv->pend[id];
}

static void nv_schedule(struct mdl *m, uint32_t id, sim_time_t at)
{
	m->nv->at[id] = at;
	m->nv->sq[id] = m->nv->seq++;
	m->nv->pend[id] = 1;
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

static void mdl_engine_fire(struct sim_engine *eng, struct sim_event *ev)
{
	struct tev *t = ev->ctx;
	mdl_fire(t->arg, t->id, sim_now(eng));
}

static void mdl_start(struct mdl *m, unsigned long seed)
{
	m->r = test_rng(seed);
	m->budget = MDL_BUDGET;
	for (uint32_t j = 0; j < MDL_K; j += 5)
		m->ops->schedule(m, j, gsl_rng_uniform_int(m->r, 50));
}

static void test_handlers_random_vs_naive(void **state)
{
	(void)state;
	/* The engine run. */
	struct mdl a = {.ops = &eng_ops};
	struct sim_engine eng;
	assert_int_equal(sim_engine_init(&eng, 8), 0);
	a.eng = &eng;
	a.tevs = tevs_new(MDL_K, &a.tr);
	for (uint32_t j = 0; j < MDL_K; j++) {
		sim_event_init(&a.tevs[j].ev, mdl_engine_fire, &a.tevs[j], 0);
		a.tevs[j].arg = &a;
	}
	mdl_start(&a, 11);
	sim_run(&eng, SIM_TIME_NEVER);

	/* The reference run. */
	struct mdl b = {.ops = &nv_ops};
	b.nv = calloc(1, sizeof *b.nv);
	assert_non_null(b.nv);
	mdl_start(&b, 11);
	for (;;) {
		int best = -1;
		for (int j = 0; j < MDL_K; j++)
			if (b.nv->pend[j] && (best < 0 || b.nv->at[j] < b.nv->at[best] ||
					      (b.nv->at[j] == b.nv->at[best] &&
					       b.nv->sq[j] < b.nv->sq[best])))
				best = j;
		if (best < 0)
			break;
		b.nv->pend[best] = 0;
		b.nv->now = b.nv->at[best];
		mdl_fire(&b, (uint32_t)best, b.nv->now);
	}

	print_message("random handlers: %zu events run, %llu effective cancels, "
		      "%llu scheduled for the current instant\n",
		      a.tr.n, (unsigned long long)a.effective_cancels,
		      (unsigned long long)a.same_instant);
	/* The model must really have exercised what it claims to. */
	assert_true(a.tr.n > MDL_BUDGET);
	assert_true(a.effective_cancels > 1000);
	assert_true(a.same_instant > 1000);
	assert_int_equal(a.tr.n, b.tr.n);
	for (size_t i = 0; i < a.tr.n; i++)
		if (a.tr.id[i] != b.tr.id[i] || a.tr.at[i] != b.tr.at[i])
			fail_msg("step %zu: engine ran %u at %llu, reference %u at %llu", i,
				 a.tr.id[i], (unsigned long long)a.tr.at[i], b.tr.id[i],
				 (unsigned long long)b.tr.at[i]);
	assert_int_equal(sim_now(&eng), b.nv->now);
	sim_engine_free(&eng);
	free(a.tevs);
	free(b.nv);
	trace_free(&a.tr);
	trace_free(&b.tr);
	gsl_rng_free(a.r);
	gsl_rng_free(b.r);
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

/* ---- determinism: an M/M/1 queue driven by the engine --------------------- */

enum { MM1_ARRIVAL = 1, MM1_DEPARTURE = 2 };

struct mm1 {
	struct sim_engine eng;
	gsl_rng *arrivals, *service;
	struct sim_event arrival, departure;
	uint32_t queue;
	uint64_t hash, events;
};

static sim_time_t exp_ns(gsl_rng *r, double mean_s)
{
	return (sim_time_t)llround(gsl_ran_exponential(r, mean_s) * 1e9);
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
		assert_int_equal(sim_schedule_in(eng, &q->departure, exp_ns(q->service, 1.0)), 0);
	assert_int_equal(sim_schedule_in(eng, ev, exp_ns(q->arrivals, 1 / 0.9)), 0);
}

static void mm1_departure(struct sim_engine *eng, struct sim_event *ev)
{
	struct mm1 *q = ev->ctx;
	mm1_note(q, ev->kind);
	if (--q->queue > 0)
		assert_int_equal(sim_schedule_in(eng, ev, exp_ns(q->service, 1.0)), 0);
}

/* Simulate 20,000 s of an M/M/1 queue at load 0.9; return the trace hash. */
static uint64_t mm1_trace(uint64_t seed, uint64_t *events)
{
	struct mm1 q = {.hash = 0xcbf29ce484222325ULL};
	assert_int_equal(sim_engine_init(&q.eng, 0), 0);
	q.arrivals = rng_stream(seed, 0, "arrivals");
	q.service = rng_stream(seed, 0, "service");
	assert_non_null(q.arrivals);
	assert_non_null(q.service);
	sim_event_init(&q.arrival, mm1_arrival, &q, MM1_ARRIVAL);
	sim_event_init(&q.departure, mm1_departure, &q, MM1_DEPARTURE);
	assert_int_equal(sim_schedule_in(&q.eng, &q.arrival, exp_ns(q.arrivals, 1 / 0.9)), 0);
	sim_run(&q.eng, 20000 * SIM_NS_PER_S);
	*events = q.events;
	sim_engine_free(&q.eng);
	gsl_rng_free(q.arrivals);
	gsl_rng_free(q.service);
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
		cmocka_unit_test(test_run_until),
		cmocka_unit_test(test_stop_from_handler),
		cmocka_unit_test(test_run_empty),
		cmocka_unit_test(test_schedule_in_saturates),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_two_engines_interleaved),
		cmocka_unit_test(test_free_with_pending),
		cmocka_unit_test(test_determinism_mm1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
