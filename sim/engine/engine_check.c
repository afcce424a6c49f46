/* sim_engine_check: the ladder's invariants, spelled out for the tests.
 * Each failed check returns its own code so that a failing test says which.
 *
 * The invariants (sim/engine/engine.c explains why they give the right order):
 *  - every live slot's event names that slot in its heap_index;
 *  - the bottom is sorted, starts at or after now, and ends before the
 *    finest rung's current bucket (or top_start);
 *  - every event in bucket k of a rung maps to k, and no bucket before cur
 *    holds anything; rung r's events are before rung r - 1's current bucket
 *    (or top_start); the top's are at or after top_start, within
 *    [top_min, top_max]. SIM_TIME_NEVER is exempt from the upper bounds:
 *    bucket ends saturate there;
 *  - tombstone counts, the pending count and the chunk accounting agree, and
 *    no bucket holds more tombstones than max(live events, 31).
 */
#include "engine_internal.h"

/* Walk bucket b (held by owner); add its live events to *live and its
 * chunks to *chunks. 0, or a code. */
static int check_bucket(const struct sim_engine *eng, const struct sim_bucket *b, uint32_t owner,
			const struct sim_rung *r, uint32_t k, sim_time_t lo, sim_time_t end,
			uint64_t *live, uint64_t *chunks)
{
	if (b->dead > b->n)
		return 20;
	/* Compaction on cancel (sim_cancel) keeps the tombstones of a bucket
	 * to at most its live events, or under two chunks' worth. */
	if (b->dead > b->n - b->dead && b->dead >= 2 * CHUNK_SLOTS)
		return 28;
	uint32_t nchunks = (b->n + CHUNK_SLOTS - 1) / CHUNK_SLOTS;
	uint32_t c = b->head, dead = 0;
	for (uint32_t j = 0; j < nchunks; j++) {
		if (c >= eng->nchunks)
			return 21;
		if (eng->meta[c].owner != owner)
			return 22;
		if (j + 1 == nchunks && c != b->tail)
			return 23;
		uint32_t fill = b->n - j * CHUNK_SLOTS < CHUNK_SLOTS ? b->n - j * CHUNK_SLOTS : CHUNK_SLOTS;
		for (uint32_t i = 0; i < fill; i++) {
			uint32_t loc = (c << CHUNK_SHIFT) | i;
			const struct sim_slot *s = &eng->pool[loc];
			if (!s->ev) {
				dead++;
				continue;
			}
			if (s->ev->heap_index != loc)
				return 24;
			if (s->at < lo || (s->at >= end && s->at != SIM_TIME_NEVER))
				return 25;
			if (r && (s->at - r->start) >> r->shift != k)
				return 26;
		}
		c = eng->meta[c].next;
	}
	if (dead != b->dead)
		return 27;
	*live += b->n - dead;
	*chunks += nchunks;
	return 0;
}

int sim_engine_check(const struct sim_engine *eng)
{
	uint64_t live = 0, chunks = 0;
	int rc;

	/* Bottom. */
	if (eng->bot_head > eng->bot_tail || eng->bot_tail > eng->bot_cap)
		return 1;
	sim_time_t bend = eng->nrungs ? eng->rung[eng->nrungs - 1].cur_start : eng->top_start;
	uint32_t dead = 0;
	for (uint32_t i = eng->bot_head; i < eng->bot_tail; i++) {
		const struct sim_slot *s = &eng->bot[i];
		if (i > eng->bot_head && s->at < s[-1].at)
			return 2;
		if (s->at < eng->now)
			return 3;
		if (s->at >= bend && s->at != SIM_TIME_NEVER)
			return 4;
		if (!s->ev)
			dead++;
		else if (s->ev->heap_index != (BOT_FLAG | i))
			return 5;
	}
	if (dead != eng->bot_dead)
		return 6;
	live += eng->bot_tail - eng->bot_head - dead;

	/* Rungs. */
	if (eng->nrungs > SIM_MAX_RUNGS)
		return 10;
	for (uint32_t ri = 0; ri < eng->nrungs; ri++) {
		const struct sim_rung *r = &eng->rung[ri];
		sim_time_t end = ri ? eng->rung[ri - 1].cur_start : eng->top_start;
		if (r->cur > r->nb || r->nb > r->cap)
			return 11;
		if (r->cur_start != rung_bucket_start(r, r->cur))
			return 12;
		for (uint32_t k = 0; k < r->nb; k++) {
			if (k < r->cur) {
				if (r->b[k].n)
					return 13;
				continue;
			}
			rc = check_bucket(eng, &r->b[k], ri << OWNER_RUNG_SHIFT | k, r, k,
					  r->cur_start, end, &live, &chunks);
			if (rc)
				return rc;
		}
	}

	/* Top. */
	uint64_t top_live = 0;
	rc = check_bucket(eng, &eng->top, OWNER_TOP, NULL, 0, eng->top_start, SIM_TIME_NEVER,
			  &top_live, &chunks);
	if (rc)
		return rc;
	if (top_live) {
		/* Walk again for the bounds, which only hold for live events
		 * scheduled since the last transfer (all of them are). */
		uint64_t dummy_live = 0, dummy_chunks = 0;
		rc = check_bucket(eng, &eng->top, OWNER_TOP, NULL, 0, eng->top_min,
				  eng->top_max == SIM_TIME_NEVER ? SIM_TIME_NEVER : eng->top_max + 1,
				  &dummy_live, &dummy_chunks);
		if (rc)
			return 30;
	}
	live += top_live;

	if (live != eng->count)
		return 40;

	/* Chunks: every chunk carved out is in a bucket or on the free list. */
	uint64_t nfree = 0;
	for (uint32_t c = eng->free_chunk; c != NO_CHUNK; c = eng->meta[c].next) {
		if (c >= eng->nchunks || ++nfree > eng->nchunks)
			return 41;
	}
	if (nfree != eng->nfree || chunks + nfree != eng->nchunks)
		return 42;
	return 0;
}
