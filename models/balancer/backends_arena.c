/* Where the idle lists' arrays of times live (models/balancer/backends.c):
 * carved from a few large chunks, on huge pages once a chunk fills one,
 * rather than one malloc each.
 *
 * Why (issue 19 item 5): at 1,000,000 users a layer-7 design has
 * thousands of lists, and a request's answer writes a time into its
 * list's array. Each array was a small block of its own on 4 KB pages,
 * so that store was a TLB miss and a page walk as well as a cache miss
 * (bal_backends_put stalled on it, 1.6 % of a run). Carved from chunks,
 * the arrays of neighbouring lists share pages, and a 2 MB chunk is one
 * TLB entry.
 *
 * An array holds 8 << c times (size class c, as the lists grow by
 * doubling); a freed one waits on its class's free list (its first word
 * links the next) for the next array of that size. Chunks grow from 64
 * KB to 2 MB, so a small scenario keeps a small footprint; an array too
 * large for a quarter of a chunk gets a block of its own. Nothing is
 * returned to the system before bal_arena_free.
 */
#include "balancer_internal.h"

#include <stdlib.h>

#include "lbsim/huge_pages.h"

#define ARENA_FIRST_CHUNK ((size_t)64 << 10)
#define ARENA_MAX_CHUNK ((size_t)2 << 20)
#define ARENA_CHUNK_HEADER 64 /* a chunk's first line links the previous chunk */

static unsigned class_of(uint32_t cap)
{
	return (unsigned)__builtin_ctz(cap / 8);
}

static size_t bytes_of(uint32_t cap)
{
	return (size_t)cap * sizeof(uint64_t);
}

/* Is an array of cap times its own block (not carved from a chunk)? */
static int own_block(uint32_t cap)
{
	return bytes_of(cap) > ARENA_MAX_CHUNK / 4;
}

uint64_t *bal_arena_alloc(struct bal_arena *a, uint32_t cap)
{
	if (own_block(cap))
		return huge_calloc(cap, sizeof(uint64_t));
	unsigned c = class_of(cap);
	if (a->free[c]) {
		void **p = a->free[c];
		a->free[c] = *p;
		return (uint64_t *)(void *)p;
	}
	size_t bytes = bytes_of(cap);
	if (!a->chunk || a->used + bytes > a->chunk_size) {
		size_t size = a->chunk ? a->chunk_size * 2 : ARENA_FIRST_CHUNK;
		if (size > ARENA_MAX_CHUNK)
			size = ARENA_MAX_CHUNK;
		char *chunk = huge_calloc(1, size);
		if (!chunk)
			return NULL;
		*(char **)(void *)chunk = a->chunk;
		a->chunk = chunk;
		a->chunk_size = size;
		a->used = ARENA_CHUNK_HEADER;
	}
	uint64_t *p = (uint64_t *)(void *)(a->chunk + a->used);
	a->used += bytes;
	return p;
}

void bal_arena_release(struct bal_arena *a, uint64_t *p, uint32_t cap)
{
	if (!p)
		return;
	if (own_block(cap)) {
		free(p);
		return;
	}
	unsigned c = class_of(cap);
	*(void **)(void *)p = a->free[c];
	a->free[c] = p;
}

void bal_arena_free(struct bal_arena *a)
{
	while (a->chunk) {
		char *prev = *(char **)(void *)a->chunk;
		free(a->chunk);
		a->chunk = prev;
	}
	*a = (struct bal_arena){0};
}
