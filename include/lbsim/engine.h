/* lbsim event engine: simulated time in integer nanoseconds and a pending-event
 * set ordered by (time, scheduling order).
 *
 * Events are intrusive: the caller embeds a struct sim_event in its own object
 * (a request, a connection, a timer of a model) and keeps it alive while the
 * event is pending. The engine never allocates per event: its arrays grow
 * geometrically and are kept for reuse.
 *
 * Ordering: an event scheduled for time t runs after every event with a
 * smaller time, and after every event for the same t that was scheduled
 * before it, so runs are reproducible. (There is no stored sequence number:
 * every tier of the engine keeps same-time events in scheduling order.)
 *
 * All state is in struct sim_engine: two engines can run side by side in one
 * process (one per replication and design, on different threads).
 */
#ifndef LBSIM_ENGINE_H
#define LBSIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_time_t; /* nanoseconds since the start of the run */

#define SIM_TIME_NEVER UINT64_MAX
#define SIM_NS_PER_S 1000000000ULL

struct sim_engine;
struct sim_event;

/* Called when the event's time comes; ev is no longer pending at that point,
 * so the handler may schedule it again. */
typedef void (*sim_handler_fn)(struct sim_engine *eng, struct sim_event *ev);

/* Optional look-ahead (struct sim_engine.lookahead): called with an event
 * and the time it is due, twice before it runs: stage 0 SIM_LOOKAHEAD_FAR
 * pops ahead, stage 1 SIM_LOOKAHEAD pops ahead, so that its owner can
 * prefetch what the handler will reach through it (a connection's device,
 * a request's connection, the histogram bucket a completion will count in,
 * which depends on the time), and at stage 1 what hangs off lines that
 * stage 0 fetched (a persistence entry behind its index slot). At scale
 * those are cache misses that would otherwise stall the handler one after
 * another; announced early, they overlap with the events in between. It
 * must only read and prefetch: results never depend on it. A newly
 * loaded bottom's first events get their stages when it is loaded (they
 * were never that far ahead); an event inserted near the head may miss
 * either stage. */
typedef void (*sim_lookahead_fn)(struct sim_engine *eng, const struct sim_event *ev,
				 sim_time_t at, unsigned stage);
/* Stage 0 six pops ahead, not four (issue 19 item 5, 2026-12-05): the
 * layer-7 look-ahead's stage 1 read of the persistence slot that stage 0
 * fetched still waited on it two pops later (a tenth of world_lookahead's
 * samples at 1,000,000 users). Paired runs, same bytes: 1M users x 10
 * minutes, one thread, 0.96-0.97x the CPU time at layer 7 (8 pairs) and
 * 0.97x at layer 4 (4 pairs), and the three designs on two threads 0.985x
 * (4 pairs); 10k users x 1 hour, three designs, 1.008x (8 pairs). Stage 1
 * one pop ahead instead of two: 1.03x at layer 7 (README, Performance). */
#define SIM_LOOKAHEAD 2
#define SIM_LOOKAHEAD_FAR 6

/* The look-ahead sees only the events whose kind its stage's mask names
 * (struct sim_engine.lookahead_kinds: bit k for kind k; kinds at or above
 * 31 share bit 31): a call per event and stage costs a few ns even when
 * it prefetches nothing, which was 7 % of a 100,000-user layer-4 run
 * (issue 19 item 5). sim_engine_init names every kind at both stages. */
#define SIM_LOOKAHEAD_KIND(k) (1u << ((k) < 31u ? (k) : 31u))

struct sim_event {
	sim_handler_fn fn;
	void *ctx;            /* for the handler: the owning object */
	uint32_t heap_index;  /* where the engine keeps it (private encoding, see
			       * sim/engine/engine.c); SIM_EVENT_IDLE when not pending */
	uint32_t kind;        /* handler kind, for profiling and tracing only */
};

#define SIM_EVENT_IDLE UINT32_MAX

/* Where a run's time went, per event kind (sim_event.kind; kinds at or
 * above SIM_PROFILE_KINDS count as SIM_PROFILE_KINDS - 1). Filled by sim_run
 * when sim_engine.profile points at one; sums over calls. */
#define SIM_PROFILE_KINDS 32
struct sim_profile {
	uint64_t events[SIM_PROFILE_KINDS];  /* events run */
	uint64_t ns[SIM_PROFILE_KINDS];      /* wall time inside their handlers */
	uint64_t run_ns;                     /* wall time inside sim_run: handlers + the engine */
};

/* The engine's internals, public only so that an engine can live by value
 * inside its owner; sim/engine/engine.c explains the design (a ladder queue). */

/* A pending event and its time: what every tier of the ladder stores, so
 * that sorting and splitting never chase the event pointer. ev is NULL in a
 * slot whose event was canceled (a tombstone, skipped when met). */
struct sim_slot {
	sim_time_t at;
	struct sim_event *ev;
};

/* What the engine may use per pending event, for memory estimates
 * (sim/world/run.c): a slot in a chunk, and one in the bottom array, which is
 * reserved for every pending event though mostly left untouched. The name
 * is that of the binary heap's slot that this engine replaced. */
struct sim_heap_slot {
	struct sim_slot chunk_slot, bottom_slot;
};

/* A bucket: a list of fixed-size chunks from the engine's chunk pool, filled
 * in arrival order. n counts the slots written, dead the tombstones among
 * them. */
struct sim_bucket {
	uint32_t head, tail; /* first and last chunk (valid when n > 0) */
	uint32_t n, dead;
};

/* A rung: nb buckets of width 2^shift ns from start. Buckets before cur are
 * spent; cur_start is where bucket cur begins. */
struct sim_rung {
	sim_time_t start, cur_start;
	struct sim_bucket *b;
	uint32_t nb, cap, cur;
	uint32_t shift;
	uint32_t spawn_min; /* a bucket reached with more live events is split
			     * into a finer rung rather than sorted */
};

/* Chunk bookkeeping: the next chunk of its list (or of the free list), and
 * the bucket that holds it (so that cancel can count its tombstone). */
struct sim_chunk_meta {
	uint32_t next, owner;
};

#define SIM_MAX_RUNGS 12

struct sim_engine {
	sim_time_t now;
	uint64_t events_run;
	uint32_t count; /* pending events */
	int stopped;
	struct sim_profile *profile; /* NULL (the default): no timing at all */
	sim_lookahead_fn lookahead;  /* NULL (the default): none */
	uint32_t lookahead_kinds[2]; /* per stage (0 far, 1 near): the kinds it is shown */
	int bottom_baseline;         /* 0 (the default); 1: insert into the bottom by binary
				      * search and memmove, as before issue 19, for
				      * bench_engine to measure against */
	/* Bottom: the next events to run, sorted, bot[bot_head..bot_tail). */
	struct sim_slot *bot;
	uint32_t bot_head, bot_tail, bot_cap, bot_dead;
	uint32_t nrungs;
	struct sim_rung rung[SIM_MAX_RUNGS];
	/* Top: unsorted events at or after top_start. */
	struct sim_bucket top;
	sim_time_t top_start, top_min, top_max;
	/* Chunk pool: chunk c is the 16 slots from pool[16 * c]. */
	struct sim_slot *pool;
	struct sim_chunk_meta *meta;
	uint32_t nchunks, chunk_cap; /* chunks carved out, allocated */
	uint32_t free_chunk, nfree;  /* free list of released chunks */
	/* Scratch for merge-sorting a large bucket into the bottom. */
	struct sim_slot *scratch;
	uint32_t scratch_cap;
	/* The rate of events, for sizing a rung by the events it will
	 * receive (engine_ladder.c, rung_buckets): events that entered the
	 * bottom so far, and the rate over the last window of them. */
	uint64_t bottomed;
	uint64_t rate_mark_bottomed;
	sim_time_t rate_mark_time;
	double rate; /* events per simulated ns; 0 until a window is complete */
};

/* Initialise an engine at time 0 with room for capacity_hint pending events
 * (0 for a default). Returns 0, or -1 when memory is short. */
int sim_engine_init(struct sim_engine *eng, size_t capacity_hint);
void sim_engine_free(struct sim_engine *eng);

/* Prepare an event for use; it is not pending until scheduled. */
void sim_event_init(struct sim_event *ev, sim_handler_fn fn, void *ctx, uint32_t kind);

/* Schedule ev (not pending) at absolute time at >= now. O(1) amortised for
 * the usual spreads of times (see sim/engine/engine.c for the worst case).
 * Returns 0, or -1 when memory is short (ev is then not pending). */
int sim_schedule(struct sim_engine *eng, struct sim_event *ev, sim_time_t at);

/* Schedule ev after delay from now (saturating at SIM_TIME_NEVER). */
int sim_schedule_in(struct sim_engine *eng, struct sim_event *ev, sim_time_t delay);

/* Remove a pending event; a no-op for an event that is not pending. O(1)
 * amortised. The event is idle on return: it may be scheduled again or freed. */
void sim_cancel(struct sim_engine *eng, struct sim_event *ev);

static inline int sim_event_pending(const struct sim_event *ev)
{
	return ev->heap_index != SIM_EVENT_IDLE;
}

/* Run events in order until none is left, or the next is later than until
 * (then now becomes until), or a handler calls sim_stop(). Returns the
 * number of events run by this call. With eng->profile set, each handler is
 * timed (two clock reads per event); without, the cost is one predictable
 * branch per event. */
uint64_t sim_run(struct sim_engine *eng, sim_time_t until);

/* The time of the next pending event, which may be now; SIM_TIME_NEVER
 * when none is pending. A handler may ask (the lazy sampling windows of
 * sim/world/world_events.c do): it may sort the next bucket into the
 * bottom, as sim_run would before its next pop, and changes neither the
 * order nor the times of events. O(1) amortised, like a pop. */
sim_time_t sim_next_time(struct sim_engine *eng);

/* Make sim_run return after the current handler. */
void sim_stop(struct sim_engine *eng);

static inline sim_time_t sim_now(const struct sim_engine *eng) { return eng->now; }
static inline size_t sim_pending(const struct sim_engine *eng) { return eng->count; }

/* For tests: check the engine's internal invariants (every pending event
 * where its heap_index says, tiers ordered, counts right). Returns 0 when
 * they hold, otherwise a positive code naming the first that does not.
 * O(n); touches every pending event. */
int sim_engine_check(const struct sim_engine *eng);

#endif
