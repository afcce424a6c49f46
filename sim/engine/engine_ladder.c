/* The ladder's amortised work: refilling the bottom from the rungs and the
 * top, splitting a bucket into a new rung, sorting a bucket into the
 * bottom, inserting into the bottom, and squeezing out tombstones. The
 * design and its complexity are in sim/engine/engine.c.
 *
 * Every loop that moves events reads its source in order and appends to
 * its destinations, so events due at the same time keep their scheduling
 * order; the one sort is stable. Each move writes the event's new
 * heap_index, so the loops prefetch the events of a chunk before moving it.
 */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

static inline void prefetch_w(const void *p)
{
#if defined(__GNUC__)
	__builtin_prefetch(p, 1);
#else
	(void)p;
#endif
}

static inline void prefetch_r(const void *p)
{
#if defined(__GNUC__)
	__builtin_prefetch(p);
#else
	(void)p;
#endif
}

static inline unsigned bit_length(uint64_t x)
{
#if defined(__GNUC__)
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0u;
#else
	unsigned n = 0;
	while (x) {
		n++;
		x >>= 1;
	}
	return n;
#endif
}

static inline void set_bot_loc(struct sim_engine *eng, uint32_t i)
{
	if (eng->bot[i].ev)
		eng->bot[i].ev->heap_index = BOT_FLAG | i;
}

/* Slots of chunk c that belong to a bucket of n slots, c being its k-th. */
static inline uint32_t chunk_fill(uint32_t n, uint32_t k)
{
	uint32_t left = n - k * CHUNK_SLOTS;
	return left < CHUNK_SLOTS ? left : CHUNK_SLOTS;
}

static void prefetch_chunk_events(const struct sim_engine *eng, uint32_t c, uint32_t fill)
{
	const struct sim_slot *s = &eng->pool[c << CHUNK_SHIFT];
	for (uint32_t i = 0; i < fill; i++)
		if (s[i].ev)
			prefetch_w(s[i].ev);
}

static inline void prefetch_chunk_slots(const struct sim_engine *eng, uint32_t c)
{
	const char *p = (const char *)&eng->pool[c << CHUNK_SHIFT];
	prefetch_w(p);
	prefetch_w(p + 64);
	prefetch_w(p + 128);
	prefetch_w(p + 192);
}

/* Reading a bucket's chunks in order while fetching ahead: each chunk's
 * slots and record as soon as its number is known (WALK_SLOTS_AHEAD chunks
 * ahead), its events WALK_EVENTS_AHEAD chunks ahead. A move writes each
 * event's heap_index, and at scale every event is a DRAM miss (about
 * 170 ns here) while a move takes a few ns: the misses overlap only when
 * they are announced several dozen moves early. (Fetching a chunk's
 * events just before its own moves, as before issue 19 item 5, left most
 * of them waiting: bucket_to_rung's time at 1,000,000 users was nearly all
 * that wait.) Use: walk_begin, then per chunk walk_ahead, read the
 * walk.fill slots of chunk walk.c, walk_next (which releases it). */
#define WALK_EVENTS_AHEAD 3u
#define WALK_SLOTS_AHEAD 5u
#define WALK_RING 8u /* > WALK_SLOTS_AHEAD, a power of two */

struct chunk_walk {
	uint32_t ring[WALK_RING]; /* chunk j of the bucket is ring[j % WALK_RING] */
	uint32_t k, known, chunks, n, fill, c;
};

/* Learn the number of the next chunk and fetch its slots and record. */
static inline void walk_discover(const struct sim_engine *eng, struct chunk_walk *w)
{
	uint32_t c = eng->meta[w->ring[(w->known - 1) % WALK_RING]].next;
	w->ring[w->known++ % WALK_RING] = c;
	prefetch_chunk_slots(eng, c);
	prefetch_r(&eng->meta[c]);
}

static inline void walk_begin(const struct sim_engine *eng, struct chunk_walk *w,
			      const struct sim_bucket *b)
{
	w->k = 0;
	w->n = b->n;
	w->chunks = (b->n + CHUNK_SLOTS - 1) / CHUNK_SLOTS;
	if (!w->chunks)
		return;
	w->ring[0] = b->head;
	w->known = 1;
	while (w->known < w->chunks && w->known <= WALK_SLOTS_AHEAD)
		walk_discover(eng, w);
	for (uint32_t j = 0; j < WALK_EVENTS_AHEAD && j < w->chunks; j++)
		prefetch_chunk_events(eng, w->ring[j % WALK_RING], chunk_fill(w->n, j));
}

static inline void walk_ahead(const struct sim_engine *eng, struct chunk_walk *w)
{
	w->c = w->ring[w->k % WALK_RING];
	w->fill = chunk_fill(w->n, w->k);
	if (w->known < w->chunks)
		walk_discover(eng, w);
	uint32_t j = w->k + WALK_EVENTS_AHEAD;
	if (j < w->chunks)
		prefetch_chunk_events(eng, w->ring[j % WALK_RING], chunk_fill(w->n, j));
}

/* Release chunk w->c, read to the end (its slots may be reused by the
 * moves that follow), and step to the next. */
static inline void walk_next(struct sim_engine *eng, struct chunk_walk *w)
{
	chunk_free(eng, w->c);
	w->k++;
}

void sim__bucket_clear(struct sim_engine *eng, struct sim_bucket *b)
{
	uint32_t chunks = (b->n + CHUNK_SLOTS - 1) / CHUNK_SLOTS;
	uint32_t c = b->head;
	for (uint32_t k = 0; k < chunks; k++) {
		uint32_t next = eng->meta[c].next;
		chunk_free(eng, c);
		c = next;
	}
	b->n = b->dead = 0;
}

void sim__bucket_compact(struct sim_engine *eng, struct sim_bucket *b)
{
	uint32_t chunks = (b->n + CHUNK_SLOTS - 1) / CHUNK_SLOTS;
	uint32_t rc = b->head, wc = b->head, w = 0;
	for (uint32_t k = 0; k < chunks; k++) {
		uint32_t fill = chunk_fill(b->n, k);
		for (uint32_t i = 0; i < fill; i++) {
			struct sim_slot s = eng->pool[(rc << CHUNK_SHIFT) | i];
			if (!s.ev)
				continue;
			if (w && (w & (CHUNK_SLOTS - 1)) == 0)
				wc = eng->meta[wc].next;
			uint32_t loc = (wc << CHUNK_SHIFT) | (w & (CHUNK_SLOTS - 1));
			eng->pool[loc] = s;
			s.ev->heap_index = loc;
			w++;
		}
		rc = eng->meta[rc].next;
	}
	/* Release the chunks past the last one written. */
	uint32_t keep = (w + CHUNK_SLOTS - 1) / CHUNK_SLOTS;
	uint32_t c = b->head, last = b->head;
	for (uint32_t k = 0; k < chunks; k++) {
		uint32_t next = eng->meta[c].next;
		if (k >= keep)
			chunk_free(eng, c);
		else
			last = c;
		c = next;
	}
	b->tail = last;
	b->n = w;
	b->dead = 0;
}

void sim__bottom_compact(struct sim_engine *eng)
{
	uint32_t w = eng->bot_head;
	for (uint32_t i = eng->bot_head; i < eng->bot_tail; i++)
		if (eng->bot[i].ev)
			eng->bot[w++] = eng->bot[i];
	uint32_t live = w - eng->bot_head;
	/* Centre the survivors so that inserts find room on both sides. */
	uint32_t h = (eng->bot_cap - live) / 2;
	memmove(&eng->bot[h], &eng->bot[eng->bot_head], live * sizeof *eng->bot);
	eng->bot_head = h;
	eng->bot_tail = h + live;
	eng->bot_dead = 0;
	for (uint32_t i = h; i < h + live; i++)
		set_bot_loc(eng, i);
}

/* ---- building a rung ------------------------------------------------------ */

/* Events per simulated ns lately: over the last window of at least
 * RATE_WINDOW events that entered the bottom (0 before the first). Only
 * sizes rungs; the order of events never depends on it. */
static double event_rate(struct sim_engine *eng)
{
	uint64_t n = eng->bottomed - eng->rate_mark_bottomed;
	if (n >= RATE_WINDOW && eng->now > eng->rate_mark_time) {
		eng->rate = (double)n / (double)(eng->now - eng->rate_mark_time);
		eng->rate_mark_bottomed = eng->bottomed;
		eng->rate_mark_time = eng->now;
	}
	return eng->rate;
}

_Static_assert(SPAWN_MIN >= (1u << OCCUPANCY_SHIFT), "a fine rung has more buckets than target");

/* Buckets for a new rung eng->nrungs over span ns holding live events:
 * one per 2^OCCUPANCY_SHIFT of them, within 2..RUNG_MAX_BUCKETS; but a
 * rung below rung 0 whose buckets would hold more than SPAWN_MIN events
 * when reached (the events due in its span at the recent rate: the live
 * ones and those scheduled into it meanwhile), and be split once more,
 * gets one per 2^OCCUPANCY_SHIFT of those, at most FINE_RUNG_MAX_BUCKETS,
 * and is a fine rung (*fine_rung = 1: its buckets are split above
 * FINE_SPAWN_MIN; engine.c, "Fine rungs"). */
static uint64_t rung_buckets(struct sim_engine *eng, uint32_t live, uint64_t span, int *fine_rung)
{
	*fine_rung = 0;
	uint64_t target = live >> OCCUPANCY_SHIFT;
	if (target < 2)
		target = 2;
	if (target > RUNG_MAX_BUCKETS)
		target = RUNG_MAX_BUCKETS;
	if (eng->nrungs == 0)
		return target;
	/* Every event due in the span passes through the rung (or a finer
	 * one made from it), the live ones included. */
	double expected = event_rate(eng) * (double)span;
	if (expected < (double)live)
		expected = (double)live;
	if (expected <= (double)target * SPAWN_MIN)
		return target;
	/* More than target: expected / 2^OCCUPANCY_SHIFT > 8 target here. */
	double fine = expected / (double)(1u << OCCUPANCY_SHIFT);
	*fine_rung = 1;
	return fine >= FINE_RUNG_MAX_BUCKETS ? FINE_RUNG_MAX_BUCKETS : (uint64_t)fine;
}

/* Set up rung eng->nrungs over [lo, hi] for live events: buckets of width
 * 2^shift (rung_buckets says how many), and chunks reserved for the
 * move. Returns the rung, or NULL when memory is short (nothing changed). */
static struct sim_rung *rung_prepare(struct sim_engine *eng, uint32_t live, sim_time_t lo,
				     sim_time_t hi)
{
	assert(eng->nrungs < SIM_MAX_RUNGS && lo <= hi);
	uint64_t span = hi - lo;
	int fine_rung;
	uint64_t target = rung_buckets(eng, live, span, &fine_rung);
	/* span / target < 2^shift, so span >> shift < target. */
	unsigned shift = bit_length(span / target);
	if (shift > 63)
		shift = 63;
	uint64_t nb = (span >> shift) + 1;
	struct sim_rung *r = &eng->rung[eng->nrungs];
	if (nb > r->cap) {
		struct sim_bucket *b = huge_realloc(r->b, (size_t)r->cap * sizeof *b, nb * sizeof *b);
		if (!b)
			return NULL;
		r->b = b;
		r->cap = (uint32_t)nb;
	}
	/* The move needs a partial chunk per bucket and one chunk of slack
	 * (source chunks are released as they are read); one more lets
	 * sim__bottom_insert put its event into the rung it just made. */
	uint64_t want = nb + 2;
	uint64_t avail = (uint64_t)eng->nfree + eng->chunk_cap - eng->nchunks;
	if (avail < want && sim__pool_grow(eng, (uint64_t)eng->chunk_cap + (want - avail)) != 0)
		return NULL;
	memset(r->b, 0, nb * sizeof *r->b);
	r->start = r->cur_start = lo;
	r->shift = shift;
	r->spawn_min = fine_rung ? FINE_SPAWN_MIN : SPAWN_MIN;
	r->nb = (uint32_t)nb;
	r->cur = 0;
	eng->nrungs++;
	return r;
}

static inline void rung_put(struct sim_engine *eng, struct sim_rung *r, uint32_t ri,
			    struct sim_slot s)
{
	uint32_t k = (uint32_t)((s.at - r->start) >> r->shift);
	assert(k < r->nb);
	/* Cannot fail: rung_prepare reserved the chunks. */
	int rc = bucket_push(eng, &r->b[k], ri << OWNER_RUNG_SHIFT | k, s.at, s.ev);
	assert(rc == 0);
	(void)rc;
}

/* Split bucket src into a new rung over [lo, hi]. 0, or -1 when memory is
 * short (src untouched). */
static int bucket_to_rung(struct sim_engine *eng, struct sim_bucket *src, sim_time_t lo,
			  sim_time_t hi)
{
	uint32_t ri = eng->nrungs;
	struct sim_rung *r = rung_prepare(eng, src->n - src->dead, lo, hi);
	if (!r)
		return -1;
	struct chunk_walk w;
	for (walk_begin(eng, &w, src); w.k < w.chunks; walk_next(eng, &w)) {
		walk_ahead(eng, &w);
		for (uint32_t i = 0; i < w.fill; i++) {
			struct sim_slot s = eng->pool[(w.c << CHUNK_SHIFT) | i];
			if (s.ev)
				rung_put(eng, r, ri, s);
		}
	}
	src->n = src->dead = 0;
	return 0;
}

/* ---- sorting into the bottom ---------------------------------------------- */

static void insertion_sort(struct sim_slot *a, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++) {
		struct sim_slot x = a[i];
		uint32_t j = i;
		while (j > 0 && a[j - 1].at > x.at) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

/* Stable: on equal times the left run wins. */
static void merge(const struct sim_slot *a, uint32_t na, const struct sim_slot *b, uint32_t nb,
		  struct sim_slot *out)
{
	uint32_t i = 0, j = 0, k = 0;
	while (i < na && j < nb)
		out[k++] = b[j].at < a[i].at ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

#define RUN 16u

/* Stable sort of a[0..n) by time: insertion sort of runs of 16, then
 * bottom-up merges through the scratch array. Falls back to insertion sort
 * alone (quadratic, but correct) if the scratch cannot grow. */
static void stable_sort(struct sim_engine *eng, struct sim_slot *a, uint32_t n)
{
	if (n <= 2 * RUN) {
		insertion_sort(a, n);
		return;
	}
	if (n > eng->scratch_cap) {
		struct sim_slot *s = realloc(eng->scratch, (size_t)n * sizeof *s);
		if (!s) {
			insertion_sort(a, n);
			return;
		}
		eng->scratch = s;
		eng->scratch_cap = n;
	}
	for (uint32_t i = 0; i < n; i += RUN)
		insertion_sort(a + i, n - i < RUN ? n - i : RUN);
	struct sim_slot *from = a, *to = eng->scratch;
	for (uint64_t w = RUN; w < n; w *= 2) {
		for (uint64_t i = 0; i < n; i += 2 * w) {
			uint32_t na = (uint32_t)(n - i < w ? n - i : w);
			uint32_t rest = (uint32_t)(n - i - na);
			uint32_t nb = rest < w ? rest : (uint32_t)w;
			merge(from + i, na, from + i + na, nb, to + i);
		}
		struct sim_slot *t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, (size_t)n * sizeof *a);
}

/* Sorting a bucket into the bottom by binning (issue 19 item 5). A bucket
 * reaches the bottom with up to SPAWN_MIN events as a rule (FINE_SPAWN_MIN
 * from a fine rung; a larger one is split into a finer rung), about 30 at
 * 100,000 users when that was 64 (60 now), in scheduling order, its
 * times spread over the bucket's width. An insertion sort of such a
 * bucket moved about n^2/4 slots and mispredicted a branch for nearly
 * every event: bucket_to_bottom was 11 % of a 100,000-user profile. Here
 * one pass counts the events per bin of the top bits of (at - min), at
 * least as many bins as events, and a second pass places each event in its
 * bin's next slot, in the order read, so ties keep their scheduling
 * order; the insertion sort that follows finds each bin in place but for
 * the few events that share a bin, and moves only those. A bucket whose
 * times pile into few bins (many at one instant) costs what the insertion
 * sort alone did, no more. */
#define BIN_SORT_MAX 256u
_Static_assert(FINE_SPAWN_MIN <= BIN_SORT_MAX, "a fine rung's buckets are binned");

static void bin_sort(const struct sim_slot *src, struct sim_slot *dst, uint32_t n,
		     sim_time_t lo, sim_time_t hi)
{
	uint32_t start[BIN_SORT_MAX];
	assert(n >= 2 && n <= BIN_SORT_MAX && lo <= hi);
	unsigned bits = bit_length(n - 1); /* 2^bits >= n bins */
	uint32_t nbins = 1u << bits;
	/* (hi - lo) >> shift < 2^bits, so every key names a bin. */
	unsigned shift = bit_length((hi - lo) >> bits);
	memset(start, 0, nbins * sizeof *start);
	for (uint32_t i = 0; i < n; i++)
		start[(src[i].at - lo) >> shift]++;
	uint32_t sum = 0;
	for (uint32_t b = 0; b < nbins; b++) {
		uint32_t c = start[b];
		start[b] = sum;
		sum += c;
	}
	for (uint32_t i = 0; i < n; i++)
		dst[start[(src[i].at - lo) >> shift]++] = src[i];
	insertion_sort(dst, n);
}

/* Move the live events of src into the empty bottom, sorted. Needs no
 * memory: the bottom's capacity covers every pending event. */
static void bucket_to_bottom(struct sim_engine *eng, struct sim_bucket *src)
{
	uint32_t live = src->n - src->dead;
	uint32_t h = BOT_SLACK;
	assert(eng->bot_head == eng->bot_tail && (uint64_t)h + live + BOT_SLACK <= eng->bot_cap);
	struct sim_slot *out = &eng->bot[h];
	/* A bucket small enough to bin is gathered on the stack and binned
	 * into the bottom; a larger one is gathered into the bottom and
	 * merge-sorted there. */
	struct sim_slot small[BIN_SORT_MAX];
	int binned = live > 2 && live <= BIN_SORT_MAX;
	struct sim_slot *gather = binned ? small : out;
	sim_time_t lo = SIM_TIME_NEVER, hi = 0;
	uint32_t w = 0;
	struct chunk_walk cw;
	for (walk_begin(eng, &cw, src); cw.k < cw.chunks; walk_next(eng, &cw)) {
		walk_ahead(eng, &cw);
		const struct sim_slot *in = &eng->pool[cw.c << CHUNK_SHIFT];
		for (uint32_t i = 0; i < cw.fill; i++) {
			if (!in[i].ev)
				continue;
			sim_time_t at = in[i].at;
			lo = at < lo ? at : lo;
			hi = at > hi ? at : hi;
			gather[w++] = in[i];
		}
	}
	assert(w == live);
	src->n = src->dead = 0;
	eng->bottomed += live;
	if (binned)
		bin_sort(small, out, live, lo, hi);
	else
		stable_sort(eng, out, live);
	for (uint32_t i = h; i < h + live; i++)
		eng->bot[i].ev->heap_index = BOT_FLAG | i;
	eng->bot_head = h;
	eng->bot_tail = h + live;
	eng->bot_dead = 0;
}

/* ---- the bottom ------------------------------------------------------------ */

/* Where the bottom's range ends: events at or after it belong to a rung or
 * the top. */
static sim_time_t bottom_end(const struct sim_engine *eng)
{
	return eng->nrungs ? eng->rung[eng->nrungs - 1].cur_start : eng->top_start;
}

/* Turn the bottom into a new, finest rung. 0, or -1 when that is not
 * possible (no rung left, no memory, or nothing to split). */
static int bottom_to_rung(struct sim_engine *eng)
{
	if (eng->nrungs == SIM_MAX_RUNGS)
		return -1;
	sim_time_t lo = eng->bot[eng->bot_head].at;
	sim_time_t end = bottom_end(eng);
	sim_time_t hi = eng->bot[eng->bot_tail - 1].at;
	/* The rung must also take what is later scheduled up to end. */
	if (end > 0 && end - 1 > hi)
		hi = end - 1;
	if (lo == hi)
		return -1;
	uint32_t ri = eng->nrungs;
	struct sim_rung *r = rung_prepare(eng, eng->bot_tail - eng->bot_head - eng->bot_dead, lo, hi);
	if (!r)
		return -1;
	for (uint32_t i = eng->bot_head; i < eng->bot_tail; i++) {
		if (i + 8 < eng->bot_tail && eng->bot[i + 8].ev)
			prefetch_w(eng->bot[i + 8].ev);
		if (eng->bot[i].ev)
			rung_put(eng, r, ri, eng->bot[i]);
	}
	eng->bot_head = eng->bot_tail = BOT_SLACK;
	eng->bot_dead = 0;
	return 0;
}

/* Which end of the bottom [h, t) an insert of at should shift from, when
 * the shift is short: the nearer end for a small bottom (one compare with
 * the middle), and for a large one an end within BOT_SHIFT_MAX slots (one
 * compare each). 1: the tail (shift right), -1: the head (shift left),
 * 0: neither is short. */
static inline int near_end(const struct sim_slot *b, uint32_t h, uint32_t t, sim_time_t at)
{
	uint32_t n = t - h;
	if (n <= 2 * BOT_SHIFT_MAX)
		return at >= b[h + n / 2].at ? 1 : -1;
	if (at >= b[t - 1 - BOT_SHIFT_MAX].at)
		return 1;
	if (at < b[h + BOT_SHIFT_MAX].at)
		return -1;
	return 0;
}

void sim__bottom_insert(struct sim_engine *eng, sim_time_t at, struct sim_event *ev)
{
	eng->bottomed++;
	for (;;) {
		uint32_t h = eng->bot_head, t = eng->bot_tail;
		struct sim_slot *b = eng->bot;
		if (h == t) {
			h = t = BOT_SLACK;
			eng->bot_dead = 0;
		}
		if (t < eng->bot_cap && (h == t || at >= b[t - 1].at)) {
			/* The common cases: an empty bottom, or the latest time. */
			b[t] = (struct sim_slot){.at = at, .ev = ev};
			ev->heap_index = BOT_FLAG | t;
			eng->bot_head = h;
			eng->bot_tail = t + 1;
			return;
		}
		if (h > 0 && at < b[h].at) {
			b[h - 1] = (struct sim_slot){.at = at, .ev = ev};
			ev->heap_index = BOT_FLAG | (h - 1);
			eng->bot_head = h - 1;
			return;
		}
		/* Inside: one pass from the nearer end that moves each slot
		 * over by one (noting its new place in its event) until the
		 * slot where at belongs, behind the events due at the same
		 * time. No search, no memmove call: the shifts are short (at
		 * most BOT_SHIFT_MAX, five on average in the hold model), and
		 * this is what every schedule into a small queue costs. The
		 * general path below (binary search, memmove) serves the rest:
		 * no room at the near end, a long shift, and the baseline that
		 * bench_engine measures this against. */
		int end = eng->bottom_baseline ? 0 : near_end(b, h, t, at);
		if (end > 0 && t < eng->bot_cap) {
			/* The moving slot stays in registers; b is a local, so
			 * the store into an event cannot make the compiler
			 * reload it. */
			uint32_t j = t;
			struct sim_slot s = b[j - 1];
			while (s.at > at) { /* stops: b[t-1-k].at <= at for the k chosen */
				b[j] = s;
				if (s.ev)
					s.ev->heap_index = BOT_FLAG | j;
				j--;
				s = b[j - 1];
			}
			b[j] = (struct sim_slot){.at = at, .ev = ev};
			ev->heap_index = BOT_FLAG | j;
			eng->bot_tail = t + 1;
			return;
		}
		if (end != 0 && !eng->bottom_baseline && (end > 0 ? t == eng->bot_cap : h == 0) &&
		    2 * (t - h) <= eng->bot_cap) {
			/* No room at that end, plenty overall: the live slots
			 * have drifted there (pops take from the head, inserts
			 * add at the tail, and a bottom can live for long: in
			 * the peer benchmark's model it holds the whole queue
			 * until the next 10 s sample). Centre them, O(live)
			 * once per (cap - live) / 2 inserts, rather than shift
			 * them all by one slot per insert. */
			sim__bottom_compact(eng);
			continue;
		}
		if (end < 0 && h > 0) {
			uint32_t j = h;
			struct sim_slot s = b[j];
			while (s.at <= at) { /* stops: at < b[h+k].at for the k chosen */
				b[j - 1] = s;
				if (s.ev)
					s.ev->heap_index = BOT_FLAG | (j - 1);
				j++;
				s = b[j];
			}
			b[j - 1] = (struct sim_slot){.at = at, .ev = ev};
			ev->heap_index = BOT_FLAG | (j - 1);
			eng->bot_head = h - 1;
			return;
		}
		/* j: the first slot due strictly after at. */
		uint32_t lo = h, hi = t;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (b[mid].at <= at)
				lo = mid + 1;
			else
				hi = mid;
		}
		uint32_t j = lo, left = j - h, right = t - j;
		int can_left = h > 0, can_right = t < eng->bot_cap;
		if ((left > BOT_SHIFT_MAX && right > BOT_SHIFT_MAX) || (!can_left && !can_right)) {
			/* Too costly or no room: split the bottom into a rung,
			 * or at least squeeze and centre it, then try again. */
			if (bottom_to_rung(eng) == 0) {
				struct sim_rung *r = &eng->rung[eng->nrungs - 1];
				if (at >= r->cur_start) {
					rung_put(eng, r, eng->nrungs - 1,
						 (struct sim_slot){.at = at, .ev = ev});
					return;
				}
				continue; /* into the now empty bottom */
			}
			if (!can_left && !can_right) {
				sim__bottom_compact(eng);
				continue;
			}
		}
		if (can_left && (left <= right || !can_right)) {
			memmove(&b[h - 1], &b[h], left * sizeof *b);
			for (uint32_t i = h - 1; i < j - 1; i++)
				set_bot_loc(eng, i);
			j--;
			eng->bot_head = h - 1;
		} else {
			memmove(&b[j + 1], &b[j], right * sizeof *b);
			for (uint32_t i = j + 1; i <= t; i++)
				set_bot_loc(eng, i);
			eng->bot_tail = t + 1;
		}
		b[j] = (struct sim_slot){.at = at, .ev = ev};
		ev->heap_index = BOT_FLAG | j;
		return;
	}
}

/* ---- refill ------------------------------------------------------------------ */

static void top_transfer(struct sim_engine *eng)
{
	struct sim_bucket *top = &eng->top;
	uint32_t live = top->n - top->dead;
	sim_time_t lo = eng->top_min, hi = eng->top_max;
	assert(live > 0 && lo <= hi);
	if (live > SPAWN_MIN && lo < hi && bucket_to_rung(eng, top, lo, hi) == 0) {
		eng->top_start = rung_bucket_start(&eng->rung[0], eng->rung[0].nb);
	} else {
		bucket_to_bottom(eng, top);
		eng->top_start = sat_add(hi, 1);
	}
	eng->top_min = SIM_TIME_NEVER;
	eng->top_max = 0;
}

/* sim_run looks at an event SIM_LOOKAHEAD_FAR and SIM_LOOKAHEAD pops
 * before it runs, so a new bottom's first events were never that far
 * ahead: they get their looks here (the kinds each stage's mask names, as
 * in sim_run), all of them before any runs, so that their misses overlap
 * (stage 1 needs stage 0's lines, which the others' stage 0 gives time to
 * come). At 1,000,000 users a bottom holds ~25
 * events and 16 % of the pops had no look at stage 0 (an instrumented
 * run); measured in the README (Performance, issue 19 item 5). */
static void lookahead_new_bottom(struct sim_engine *eng)
{
	const uint32_t h = eng->bot_head;
	const uint32_t ahead[2] = {SIM_LOOKAHEAD_FAR, SIM_LOOKAHEAD};
	for (unsigned stage = 0; stage < 2; stage++)
		for (uint32_t p = h; p < h + ahead[stage] && p < eng->bot_tail; p++)
			sim__look(eng, &eng->bot[p], stage);
}

int sim__refill(struct sim_engine *eng)
{
	int loaded = 0;
	for (;;) {
		while (eng->bot_head < eng->bot_tail && !eng->bot[eng->bot_head].ev) {
			eng->bot_head++;
			eng->bot_dead--;
		}
		if (eng->bot_head < eng->bot_tail) {
			if (loaded && eng->lookahead)
				lookahead_new_bottom(eng);
			return 1;
		}
		if (eng->count == 0)
			return 0;
		eng->bot_head = eng->bot_tail = BOT_SLACK;
		eng->bot_dead = 0;
		loaded = 1;
		if (eng->nrungs == 0) {
			top_transfer(eng);
			continue;
		}
		struct sim_rung *r = &eng->rung[eng->nrungs - 1];
		while (r->cur < r->nb && r->b[r->cur].n == r->b[r->cur].dead) {
			if (r->b[r->cur].n)
				sim__bucket_clear(eng, &r->b[r->cur]);
			r->cur++;
		}
		if (r->cur == r->nb) {
			eng->nrungs--;
			continue;
		}
		uint32_t k = r->cur++;
		sim_time_t lo = rung_bucket_start(r, k);
		r->cur_start = rung_bucket_start(r, r->cur);
		struct sim_bucket *b = &r->b[k];
		if (b->n - b->dead > r->spawn_min && r->shift > 0 && eng->nrungs < SIM_MAX_RUNGS &&
		    bucket_to_rung(eng, b, lo, sat_add(lo, ((sim_time_t)1 << r->shift) - 1)) == 0)
			continue;
		bucket_to_bottom(eng, b);
	}
}
