/* Event engine: a ladder queue (Tang, Goh & Thng, ACM TOMACS 15(3), 2005)
 * with exact (time, scheduling order) ordering and O(1) cancel.
 *
 * Tiers, from the far future to the next event:
 *  - top:    an unsorted bucket of the events at or after top_start;
 *  - rungs:  rung 0 splits a time range into buckets of width 2^shift ns;
 *            rung r + 1 splits the one bucket of rung r that is being
 *            consumed into finer buckets, and so on (at most 12 rungs);
 *            buckets are unsorted;
 *  - bottom: a sorted array holding the next events to run.
 * An event goes to the first tier whose range holds its time (schedule:
 * one compare per tier, one shift, one append). When the bottom runs dry,
 * the next non-empty bucket of the finest rung is sorted into it; a bucket
 * with more than SPAWN_MIN events is split into a new, finer rung instead;
 * when every rung is spent, the top is split into a new rung 0 whose bucket
 * width makes about 16 events per bucket, but never more than
 * RUNG_MAX_BUCKETS (1,024) buckets: see "Fan-out" below (a finer rung
 * may be sized by the events it will receive: "Fine rungs"). So each
 * event is appended once,
 * moved down a tier a few times (about 2 in the hold model, the rungs
 * adapting their widths to the density of events), sorted once within a
 * bucket of usually at most 128 events (binned by time, then an insertion
 * pass: engine_ladder.c, bin_sort), and popped from an array in order.
 *
 * Ordering without a sequence number: every tier keeps the events due at
 * the same instant in scheduling order. Buckets are appended to and split
 * in order, the sort into the bottom is stable, and an insert into the
 * bottom goes behind the events already due at its time; cancel leaves a
 * tombstone (ev = NULL) rather than moving another event into the hole.
 * An insert into the bottom moves the slots between it and the nearer end
 * of the array over by one, in one pass with no search (at most
 * BOT_SHIFT_MAX slots; a longer shift splits the bottom into a rung); when
 * the live slots have drifted against the end that needs room (pops take
 * from the head, inserts add at the tail, and a bottom can hold a small
 * queue for long), they are centred again in one O(live) move. Before
 * issue 19 an insert searched by bisection, called memmove, and shifted
 * the whole bottom by one slot whenever it sat against the end: in the
 * peer benchmark's model (30 pending events, all in the bottom for 10 s
 * at a time) that was 22 % of the run; bench_engine measures today's
 * insert against that one (sim_engine.bottom_baseline), in the hold model
 * and in the peer benchmark's own pattern.
 * tests/test_engine.c checks the order against a reference with many ties.
 *
 * What an insert costs now, and what did not lower it (issue 19 item 3,
 * measured on the peer pattern): each request schedules two events, both
 * into a bottom of 20-33 slots (its 10 s sample sits at the tail, so the
 * latest-time case never comes): the next arrival, near the head, and a
 * completion at a uniformly random rank. About 12 ns an insert, and the
 * profile's samples sit after the exit of the shift pass and after the
 * compare with the middle slot: mispredicted branches whose outcome is
 * the random rank itself, not the slots moved (without the heap_index
 * writes the run took 0.99 of the time). Measured and dropped, all
 * keeping the exact order: a count of the slots due after at over fixed
 * windows of 16 from each end and a fixed 16-slot move, with no branch
 * on the rank (SSE2, and AVX2: 1.3 to 1.5 times the time per event of a
 * model of the pattern, without even writing heap_index; 1.8 times
 * with it); branch-free blocks of 2 or 4 slots (1.1 and 1.65 times);
 * one loop for both directions with the direction chosen without a
 * branch (1.08 times); the common case inlined into sim_schedule, with
 * no separate head and tail checks (0.99 to 1.01 of the peer run's CPU
 * time in paired runs: noise); and keeping fewer events in the bottom
 * (splits above 8 events, 4 a bucket, so that most completions append
 * to a rung's bucket): 1.10 times the peer run's CPU time. Below about
 * 30 slots the branchy pass, about five slots on average, costs less
 * than any fixed-size work that covers the rank without a branch.
 *
 * Memory: buckets are lists of 16-slot chunks (256 bytes) from one pool
 * with a free list, so neither a schedule nor a split allocates once the
 * pool is warm, and each event's heap_index names its slot (chunk and
 * index, or position in the bottom). Cancel is O(1): it turns the slot into
 * a tombstone; a bucket that becomes more than half tombstones is compacted
 * (amortised O(1)), so no bucket holds more tombstones than max(its live
 * events, 31), and one left with only tombstones is released at once.
 * Moving an event down a tier writes its new
 * heap_index: that touches the event, and the loops that do it prefetch
 * the events ahead, so those cache misses overlap, and the events sorted
 * into the bottom are in cache when they run.
 *
 * Complexity, honestly: schedule and pop are O(1) amortised when the times
 * of pending events are spread so that a bucket of the finest useful rung
 * holds a bounded number of them (the hold model with any smooth increment
 * distribution, the world model's mix of millisecond completions and
 * hour-long timers). They are not O(1) in every case: a pile of k events at
 * one instant, or in a range the 12 rungs cannot split, is sorted into the
 * bottom as one block, O(k log k) once, after which each pop is O(1) and
 * an insert into that bottom is O(min(distance to either end)) (an insert
 * that would shift more than BOT_SHIFT_MAX slots splits the bottom into a
 * rung instead, while rungs remain). Cancel is O(1) amortised. Memory:
 * 16 bytes per pending event in chunks (plus up to a chunk per non-empty
 * bucket), and a bottom array reserved for every pending event (16 bytes
 * each, mostly untouched). A pop may grow the chunk pool or a rung's
 * bucket array (geometrically, kept for reuse); if that fails, the bucket
 * is sorted into the bottom instead, which needs no memory, so sim_run
 * never fails.
 *
 * Measured (tests/bench/bench_engine.c, hold model, ns per event, engine
 * vs a plain binary heap in the same run, best of 3; 2-core AMD EPYC VM
 * shared with other jobs, so figures move by 20-30 % from run to run):
 *
 *   pending n   Exp(1 s) increments          80 % Exp(5 ms) + 20 % Exp(10 min)
 *   10^3         38.5 vs  65.1  1.69x          19.4 vs  47.6  2.46x
 *   10^5         52.1 vs 143.3  2.75x          41.4 vs 111.9  2.70x
 *   10^6        101.5 vs 448.0  4.41x          97.1 vs 356.4  3.67x
 *
 * (The 4-ary heap this replaced ran at 0.76x, 0.80x and 0.88x.) Canceling a
 * random pending event and scheduling it again costs 24-28, 75-175 and
 * 280-370 ns at those sizes (two runs): the victim, its chunk and its
 * bucket are cache misses.
 * Whole world (the tests/sim_fixture.h Exchange fixture, 20,000 users,
 * three designs, one simulated hour, 73.6 million events; both engines
 * built in one snapshot of the tree and run alternately): 3.6-3.9 million
 * events/s with the 4-ary heap, 5.7-5.9 with the ladder, the same events
 * and results. The engine's share of the profile fell from about 37 % to
 * 27 %, and the handlers got faster too: the events they start from are
 * in cache, prefetched when their bucket was sorted into the bottom.
 *
 * Fan-out (issue 19 item 5): a rung has at most RUNG_MAX_BUCKETS buckets.
 * At 1,000,000 users the world keeps about 3.5 million events pending,
 * most of them think timers seconds ahead; a rung of one bucket per 16
 * events had 220,000 buckets, so every schedule into it (and every event
 * a split moved into it) read a bucket header and wrote a tail chunk that
 * were both DRAM misses (sim_schedule was 10 % of that run's profile, two
 * thirds of it those two instructions). With 1,024 buckets the headers
 * and tail chunks stay in the second-level cache; a bucket then holds
 * thousands of events and is split once more, into a finer rung, when it
 * is reached: one more move per event, sequential reads and appends into
 * cached tails. Whole default scenario at 1,000,000 users, 2 simulated
 * minutes: -10 % CPU time with the walk that fetches chunks ahead
 * (engine_ladder.c), paired runs against the uncapped ladder; 4,096 and
 * 256 buckets measured within the noise of 1,024. At up to 16,384 pending
 * events nothing changes.
 *
 * Fine rungs (issue 19 item 5, 2026-12-05): a rung is sized by the
 * events present when it is made, but one made from a bucket of the rung
 * above also receives every event scheduled into its span until its
 * buckets are reached. At 1,000,000 users (layer 4, 4 simulated minutes,
 * an instrumented count) a rung-0 bucket of about 1 s held 147,000
 * events when split, so rung 1 got 1,024 buckets of about 1 ms, 143
 * events each; by the time each was reached it held some 360, more than
 * SPAWN_MIN, and was split again into a rung 2: 82 million of the 99
 * million events went through that third rung. So a rung below rung 0
 * whose buckets would exceed SPAWN_MIN at the recent event rate (events
 * entering the bottom per simulated ns, over windows of at least
 * RATE_WINDOW events) gets one bucket per 16 of the events expected in
 * its span, up to FINE_RUNG_MAX_BUCKETS (4,096): there rung 2 took 10
 * million events instead of 82, and the moves between rungs fell from
 * 115 to 43 million. Rungs from the top keep the 1,024 cap: schedules
 * land anywhere in their span, while a rung below covers the next
 * second or so, where the schedules of the next milliseconds cluster.
 * At 10,000 and 100,000 users no rung's buckets would exceed SPAWN_MIN,
 * and the ladder is the same as before (counted). Measured (farm-bench,
 * CPU time, the three designs at 1M x 4 simulated minutes on two
 * threads, 5 pairs against the ladder before): 0.96x (0.94-0.98) with
 * this rule and 4,096 buckets, 0.98x (0.96-1.01) in a later set, 0.97x with
 * 8,192; 16,384 buckets were 1.12x slower than 8,192 on layer 4 (a
 * rung's headers and tail lines then outgrow this machine's 1 MB
 * second-level cache; 4,096 keep them at about 320 KB). Sizing every
 * rung by the rate, rung 0 included (8,192 buckets): 1.00x on layer 4,
 * the finer rung 0 costing what rung 2 saved; below rung 0 only but
 * without the SPAWN_MIN condition: 1.7 % slower at 10,000 users, where
 * the finer rungs replaced cheap inserts into the bottom. With 4,096
 * buckets a fine bucket still reached about 145 events, and 10 million
 * of the 99 went through a rung 2; so a fine rung's buckets are split
 * only above FINE_SPAWN_MIN (256, what bin_sort takes), and sorted into
 * the bottom below it: rung 2 took 257 events, and the three designs at
 * 1M took 0.97x the CPU time (5 pairs, 0.95-0.99) of the fine rungs
 * without it. (SPAWN_MIN 256 for every rung was noise: 1.006x.)
 *
 * Tuning: 16 events per bucket when a rung is made is the paper's order
 * of magnitude. 8 or 32 per bucket and splits above 32 or 128 were tried
 * on the bench and the world: no variant stood out of this machine's
 * run-to-run noise. Counted on the bench, an event is moved about twice
 * after its schedule (1.1 times by a split or a top transfer, 0.9 times by
 * a sort into the bottom), and 9 % of schedules go into the bottom,
 * shifting 5 slots on average. A bucket is split above 128 events
 * (SPAWN_MIN; the paper splits above 50, and this engine did above 64
 * until issue 19 item 5): once buckets were binned into the bottom
 * (engine_ladder.c, bin_sort), sorting 128 events cost less than moving
 * them into a finer rung and sorting them there. At 100,000 users (5
 * simulated minutes, three designs) the buckets of rung 1, which receives
 * more events by schedules after its split (16.1 million) than by the
 * split (12.3 million), grew past 64 and were split again into a rung 2:
 * 12.8 of the 26.3 million moves between rungs; above 128, none, with
 * 455,000 sorts into the bottom of 62 events on average instead of 1.0
 * million of 31, and 8.7 million of 38.3 million schedules into the
 * bottom instead of 6.4. Measured (paired runs, CPU time): 0.95x at
 * 100,000 users, 1.02x (0.97-1.08, within the noise) at 1,000,000.
 */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CAPACITY 1024

int sim__pool_grow(struct sim_engine *eng, uint64_t want)
{
	uint64_t cap = eng->chunk_cap ? eng->chunk_cap : 64;
	while (cap < want)
		cap *= 2;
	if (cap > MAX_CHUNKS)
		cap = MAX_CHUNKS;
	if (cap < want)
		return -1;
	struct sim_slot *p = huge_realloc(eng->pool, (size_t)eng->chunk_cap * CHUNK_SLOTS * sizeof *p,
					  cap * CHUNK_SLOTS * sizeof *p);
	if (!p)
		return -1;
	eng->pool = p;
	struct sim_chunk_meta *m = huge_realloc(eng->meta, (size_t)eng->chunk_cap * sizeof *m,
						cap * sizeof *m);
	if (!m)
		return -1; /* the larger pool is kept; chunk_cap still says what both hold */
	eng->meta = m;
	eng->chunk_cap = (uint32_t)cap;
	return 0;
}

int sim__bottom_reserve(struct sim_engine *eng, uint64_t n)
{
	uint64_t want = n + 2 * BOT_SLACK + 1;
	uint64_t cap = eng->bot_cap ? eng->bot_cap : 256;
	while (cap < want)
		cap *= 2;
	if (cap > MAX_BOT)
		cap = MAX_BOT;
	if (cap < want)
		return -1;
	/* Plain realloc: the bottom is reserved for every pending event but
	 * mostly untouched, and read in order (no TLB misses to save); a
	 * copy into huge pages would make all of it resident. */
	struct sim_slot *b = realloc(eng->bot, cap * sizeof *b);
	if (!b)
		return -1;
	eng->bot = b;
	eng->bot_cap = (uint32_t)cap;
	return 0;
}

int sim_engine_init(struct sim_engine *eng, size_t capacity_hint)
{
	size_t cap = capacity_hint ? capacity_hint : DEFAULT_CAPACITY;
	*eng = (struct sim_engine){0};
	if (cap > MAX_PENDING)
		return -1;
	eng->free_chunk = NO_CHUNK;
	eng->lookahead_kinds[0] = eng->lookahead_kinds[1] = UINT32_MAX;
	eng->top_min = SIM_TIME_NEVER;
	eng->bot_head = eng->bot_tail = BOT_SLACK;
	/* Chunks for the events plus a partial chunk per bucket of rung 0. */
	if (sim__bottom_reserve(eng, cap) != 0 ||
	    sim__pool_grow(eng, cap / CHUNK_SLOTS + cap / (CHUNK_SLOTS * 4) + 64) != 0)
		goto fail;
	return 0;
fail:
	free(eng->bot);
	free(eng->pool);
	free(eng->meta);
	*eng = (struct sim_engine){0};
	return -1;
}

static void idle_bucket(struct sim_engine *eng, const struct sim_bucket *b)
{
	uint32_t c = b->head;
	for (uint32_t i = 0; i < b->n; i++) {
		if (i && (i & (CHUNK_SLOTS - 1)) == 0)
			c = eng->meta[c].next;
		struct sim_event *ev = eng->pool[(c << CHUNK_SHIFT) | (i & (CHUNK_SLOTS - 1))].ev;
		if (ev)
			ev->heap_index = SIM_EVENT_IDLE;
	}
}

void sim_engine_free(struct sim_engine *eng)
{
	for (uint32_t i = eng->bot_head; i < eng->bot_tail; i++)
		if (eng->bot[i].ev)
			eng->bot[i].ev->heap_index = SIM_EVENT_IDLE;
	for (uint32_t r = 0; r < eng->nrungs; r++)
		for (uint32_t k = eng->rung[r].cur; k < eng->rung[r].nb; k++)
			idle_bucket(eng, &eng->rung[r].b[k]);
	idle_bucket(eng, &eng->top);
	for (uint32_t r = 0; r < SIM_MAX_RUNGS; r++)
		free(eng->rung[r].b);
	free(eng->bot);
	free(eng->pool);
	free(eng->meta);
	free(eng->scratch);
	*eng = (struct sim_engine){0};
}

void sim_event_init(struct sim_event *ev, sim_handler_fn fn, void *ctx, uint32_t kind)
{
	ev->fn = fn;
	ev->ctx = ctx;
	ev->kind = kind;
	ev->heap_index = SIM_EVENT_IDLE;
}

int sim_schedule(struct sim_engine *eng, struct sim_event *ev, sim_time_t at)
{
	assert(!sim_event_pending(ev));
	assert(at >= eng->now);
	if (eng->count >= MAX_PENDING)
		return -1;
	/* The bottom can always take every pending event, so that a pop
	 * never has to allocate (see the header comment). */
	if ((uint64_t)eng->count + 1 + 2 * BOT_SLACK + 1 > eng->bot_cap &&
	    sim__bottom_reserve(eng, (uint64_t)eng->count + 1) != 0)
		return -1;
	if (at >= eng->top_start) {
		if (bucket_push(eng, &eng->top, OWNER_TOP, at, ev) != 0)
			return -1;
		if (at < eng->top_min)
			eng->top_min = at;
		if (at > eng->top_max)
			eng->top_max = at;
	} else {
		uint32_t r = 0;
		while (r < eng->nrungs && at < eng->rung[r].cur_start)
			r++;
		if (r < eng->nrungs) {
			struct sim_rung *rg = &eng->rung[r];
			uint32_t k = (uint32_t)((at - rg->start) >> rg->shift);
			assert(k >= rg->cur && k < rg->nb);
			if (bucket_push(eng, &rg->b[k], r << OWNER_RUNG_SHIFT | k, at, ev) != 0)
				return -1;
		} else {
			sim__bottom_insert(eng, at, ev);
		}
	}
	eng->count++;
	return 0;
}

int sim_schedule_in(struct sim_engine *eng, struct sim_event *ev, sim_time_t delay)
{
	return sim_schedule(eng, ev, sat_add(eng->now, delay));
}

void sim_cancel(struct sim_engine *eng, struct sim_event *ev)
{
	uint32_t loc = ev->heap_index;
	if (loc == SIM_EVENT_IDLE)
		return;
	ev->heap_index = SIM_EVENT_IDLE;
	eng->count--;
	if (loc & BOT_FLAG) {
		uint32_t i = loc & ~BOT_FLAG;
		assert(i >= eng->bot_head && i < eng->bot_tail && eng->bot[i].ev == ev);
		eng->bot[i].ev = NULL;
		uint32_t used = eng->bot_tail - eng->bot_head;
		if (++eng->bot_dead == used) {
			eng->bot_head = eng->bot_tail = BOT_SLACK;
			eng->bot_dead = 0;
		} else if (eng->bot_dead * 2 > used && used >= 2 * CHUNK_SLOTS) {
			sim__bottom_compact(eng);
		}
		return;
	}
	assert(eng->pool[loc].ev == ev);
	eng->pool[loc].ev = NULL;
	struct sim_bucket *b = owner_bucket(eng, eng->meta[loc >> CHUNK_SHIFT].owner);
	if (++b->dead == b->n)
		sim__bucket_clear(eng, b);
	else if (b->dead * 2 > b->n && b->n >= 2 * CHUNK_SLOTS)
		sim__bucket_compact(eng, b);
}

static uint64_t clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SIM_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Run ev's handler, timing it into prof. */
static void run_profiled(struct sim_engine *eng, struct sim_event *ev, struct sim_profile *prof)
{
	uint32_t k = ev->kind < SIM_PROFILE_KINDS ? ev->kind : SIM_PROFILE_KINDS - 1;
	uint64_t t0 = clock_ns();
	ev->fn(eng, ev);
	prof->ns[k] += clock_ns() - t0;
	prof->events[k]++;
}

uint64_t sim_run(struct sim_engine *eng, sim_time_t until)
{
	uint64_t ran = 0;
	struct sim_profile *prof = eng->profile;
	uint64_t started = prof ? clock_ns() : 0;
	eng->stopped = 0;
	while (!eng->stopped) {
		uint32_t h = eng->bot_head;
		if (h == eng->bot_tail || !eng->bot[h].ev) {
			if (!sim__refill(eng))
				break;
			h = eng->bot_head;
		}
		struct sim_slot s = eng->bot[h];
		if (s.at > until)
			break;
		eng->bot_head = h + 1;
#if defined(__GNUC__)
		/* The events of a large bottom (a pile of same-time events)
		 * were not all touched by the refill; ask for one a few pops
		 * ahead. A prefetch never faults, even of NULL. */
		if (h + SIM_LOOKAHEAD_FAR + 2 < eng->bot_tail)
			__builtin_prefetch(eng->bot[h + SIM_LOOKAHEAD_FAR + 2].ev);
#endif
		if (eng->lookahead) {
			if (h + SIM_LOOKAHEAD_FAR < eng->bot_tail)
				sim__look(eng, &eng->bot[h + SIM_LOOKAHEAD_FAR], 0);
			if (h + SIM_LOOKAHEAD < eng->bot_tail)
				sim__look(eng, &eng->bot[h + SIM_LOOKAHEAD], 1);
		}
		s.ev->heap_index = SIM_EVENT_IDLE;
		eng->count--;
		eng->now = s.at;
		ran++;
		if (prof)
			run_profiled(eng, s.ev, prof);
		else
			s.ev->fn(eng, s.ev);
	}
	if (!eng->stopped && until != SIM_TIME_NEVER && eng->now < until)
		eng->now = until;
	eng->events_run += ran;
	if (prof)
		prof->run_ns += clock_ns() - started;
	return ran;
}

sim_time_t sim_next_time(struct sim_engine *eng)
{
	uint32_t h = eng->bot_head;
	if (h == eng->bot_tail || !eng->bot[h].ev) {
		if (!sim__refill(eng))
			return SIM_TIME_NEVER;
		h = eng->bot_head;
	}
	return eng->bot[h].at;
}

void sim_stop(struct sim_engine *eng)
{
	eng->stopped = 1;
}
