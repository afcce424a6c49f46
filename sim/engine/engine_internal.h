/* Private to sim/engine*.c: constants, the encoding of an event's place,
 * and the small helpers that both the hot paths (engine.c) and the
 * amortised ones (engine_ladder.c) use. sim/engine/engine.c explains the design.
 */
#ifndef LBSIM_ENGINE_INTERNAL_H
#define LBSIM_ENGINE_INTERNAL_H

#include "lbsim/engine.h"
#include "lbsim/huge_pages.h"

#include <assert.h>
#include <stdint.h>

/* Chunks of 16 slots: 256 bytes, four cache lines. */
#define CHUNK_SHIFT 4u
#define CHUNK_SLOTS (1u << CHUNK_SHIFT)
#define NO_CHUNK UINT32_MAX

/* heap_index of a pending event: with BOT_FLAG, its position in the bottom
 * array; without, its slot in the chunk pool (chunk << CHUNK_SHIFT | i).
 * Both stay below SIM_EVENT_IDLE. */
#define BOT_FLAG 0x80000000u
#define MAX_CHUNKS ((BOT_FLAG >> CHUNK_SHIFT) - 1u)
#define MAX_BOT (BOT_FLAG - 2u)

/* Owner of a chunk: the top, or bucket b of rung r (r << 28 | b). */
#define OWNER_TOP UINT32_MAX
#define OWNER_RUNG_SHIFT 28u
#define OWNER_BUCKET_MASK ((1u << OWNER_RUNG_SHIFT) - 1u)

/* Tuning (tests/bench/bench_engine.c and bench_scenario measured them; see
 * engine.c): a new rung gets one bucket per OCCUPANCY events, at most
 * RUNG_MAX_BUCKETS (so that its headers and tail chunks stay in cache at
 * scale), or, for a rung below rung 0 whose buckets would otherwise
 * receive more than SPAWN_MIN events by the time they are reached, one
 * per OCCUPANCY of the events expected by then, at most
 * FINE_RUNG_MAX_BUCKETS (engine.c, "Fine rungs"; RATE_WINDOW is the
 * fewest events the rate is measured over); a bucket with more than
 * SPAWN_MIN events (FINE_SPAWN_MIN in a fine rung) is split into a finer
 * rung rather than sorted; the
 * bottom keeps BOT_SLACK free slots on each side when refilled, and an
 * insert that would shift more than BOT_SHIFT_MAX slots on either side
 * turns the bottom into a rung instead. */
#define OCCUPANCY_SHIFT 4u
#define RUNG_MAX_BUCKETS 1024u
#define FINE_RUNG_MAX_BUCKETS 4096u
#define RATE_WINDOW 4096u
#define SPAWN_MIN 128u
#define FINE_SPAWN_MIN 256u
#define BOT_SLACK 32u
#define BOT_SHIFT_MAX 64u

/* The most pending events: the bottom must be able to hold them all. */
#define MAX_PENDING (MAX_BOT - 2u * BOT_SLACK - 1u)

/* Show slot's event to the look-ahead at stage when there is one and its
 * kind is in that stage's mask (sim_run, and a new bottom's first events
 * in sim__refill). */
static inline void sim__look(struct sim_engine *eng, const struct sim_slot *slot, unsigned stage)
{
	const struct sim_event *ev = slot->ev;
	if (ev && (eng->lookahead_kinds[stage] & SIM_LOOKAHEAD_KIND(ev->kind)))
		eng->lookahead(eng, ev, slot->at, stage);
}

static inline sim_time_t sat_add(sim_time_t a, sim_time_t b)
{
	return a > SIM_TIME_NEVER - b ? SIM_TIME_NEVER : a + b;
}

/* Start of bucket k of a rung (k <= nb), saturating at SIM_TIME_NEVER:
 * bucket nb - 1 may reach past the end of time. */
static inline sim_time_t rung_bucket_start(const struct sim_rung *r, uint32_t k)
{
	if (k == 0)
		return r->start;
	return sat_add(r->start + ((sim_time_t)(k - 1) << r->shift), (sim_time_t)1 << r->shift);
}

static inline struct sim_bucket *owner_bucket(struct sim_engine *eng, uint32_t owner)
{
	if (owner == OWNER_TOP)
		return &eng->top;
	return &eng->rung[owner >> OWNER_RUNG_SHIFT].b[owner & OWNER_BUCKET_MASK];
}

/* Grow the chunk pool to at least want chunks. 0, or -1 when memory is short. */
int sim__pool_grow(struct sim_engine *eng, uint64_t want);

static inline uint32_t chunk_alloc(struct sim_engine *eng)
{
	uint32_t c = eng->free_chunk;
	if (c != NO_CHUNK) {
		eng->free_chunk = eng->meta[c].next;
		eng->nfree--;
		return c;
	}
	if (eng->nchunks == eng->chunk_cap && sim__pool_grow(eng, (uint64_t)eng->nchunks + 1) != 0)
		return NO_CHUNK;
	return eng->nchunks++;
}

static inline void chunk_free(struct sim_engine *eng, uint32_t c)
{
	eng->meta[c].next = eng->free_chunk;
	eng->free_chunk = c;
	eng->nfree++;
}

/* Append (at, ev) to bucket b (held by owner) and record the slot in ev.
 * 0, or -1 when a chunk is needed and memory is short. */
static inline int bucket_push(struct sim_engine *eng, struct sim_bucket *b, uint32_t owner,
			      sim_time_t at, struct sim_event *ev)
{
	uint32_t i = b->n & (CHUNK_SLOTS - 1u);
	if (i == 0) {
		uint32_t c = chunk_alloc(eng);
		if (c == NO_CHUNK)
			return -1;
		eng->meta[c] = (struct sim_chunk_meta){.next = NO_CHUNK, .owner = owner};
		if (b->n == 0)
			b->head = c;
		else
			eng->meta[b->tail].next = c;
		b->tail = c;
	}
	uint32_t loc = (b->tail << CHUNK_SHIFT) | i;
	eng->pool[loc] = (struct sim_slot){.at = at, .ev = ev};
	ev->heap_index = loc;
	b->n++;
	return 0;
}

/* Release every chunk of b and leave it empty. */
void sim__bucket_clear(struct sim_engine *eng, struct sim_bucket *b);

/* Squeeze the tombstones out of b, keeping the order of the rest. */
void sim__bucket_compact(struct sim_engine *eng, struct sim_bucket *b);

/* Squeeze the tombstones out of the bottom and centre it in its array. */
void sim__bottom_compact(struct sim_engine *eng);

/* Insert (at, ev) into the bottom, behind the events due at the same time.
 * Never fails: the bottom's capacity is reserved at schedule time. */
void sim__bottom_insert(struct sim_engine *eng, sim_time_t at, struct sim_event *ev);

/* Grow the bottom array so that it can hold n events and its slack. */
int sim__bottom_reserve(struct sim_engine *eng, uint64_t n);

/* Make the bottom start with a pending event; 0 when none is pending. */
int sim__refill(struct sim_engine *eng);

#endif
