/* A layer-7 balancer's connections to its servers: how many are open, and
 * the idle ones a request may take again; see include/lbsim/balancer.h.
 *
 * A proxy that terminates the client's connection opens its own to the
 * server. Opening one costs a connect and, when re-encrypting, a TLS
 * handshake; keeping idle ones to reuse costs memory. HAProxy keeps the
 * idle connections of each server in a pool shared between client
 * connections, which `http-reuse` lets a request take (configuration
 * manual, http-reuse; models/balancer/traffic.c applies the modes), and
 * closes idle ones after `pool-purge-delay` (half of them each delay;
 * here: each one once it has been idle that long, the profile's
 * backend-idle-timeout).
 *
 * One list per (pool, server), since a server of each pool is its own
 * backend server in HAProxy's terms: an array of the times its idle
 * connections became idle, oldest first, live in [head, head + len). A
 * request takes the newest (the one most likely still open at the
 * server); expiry pops the oldest. Take, put and expiry are O(1)
 * amortised; an array grows by doubling (its memory: backends_arena.c).
 *
 * Layout (issue 19 item 5): at 1,000,000 users there are thousands of
 * lists, and what a request touched of them was a cache miss (and a
 * TLB miss) each. So the list keeps its oldest time beside its length,
 * and a take or put that expires nothing reads the list alone; and the
 * live times stay at the front of their array, not going round a ring
 * (which grew to 1,024 times in the transient of a run's start and then
 * walked a list's few live ones through all 8 KB of it, a new line every
 * eight puts): an emptied list starts again at the front, and the live
 * ones slide there once as many expired ones lie before them.
 */
#include "balancer_internal.h"

#include <stdlib.h>
#include <string.h>

#include "lbsim/huge_pages.h"

_Static_assert(sizeof(struct bal_idle_list) == 32, "a list on one cache line (backends.c)");

int bal_backends_init(struct bal_backends *k, uint32_t nlists, uint64_t idle_timeout_ns)
{
	*k = (struct bal_backends){.idle_timeout_ns = idle_timeout_ns};
	/* Aligned on a line (huge_calloc), so no 32-byte list straddles two. */
	k->lists = huge_calloc(nlists ? nlists : 1, sizeof *k->lists);
	if (!k->lists)
		return -1;
	k->nlists = nlists;
	return 0;
}

void bal_backends_free(struct bal_backends *k)
{
	for (uint32_t i = 0; k->lists && i < k->nlists; i++)
		bal_arena_release(&k->arena, k->lists[i].since, k->lists[i].cap);
	bal_arena_free(&k->arena);
	free(k->lists);
	*k = (struct bal_backends){0};
}

/* The list's connections are gone: its next ones start at the front. */
static void emptied(struct bal_idle_list *l)
{
	if (!l->len)
		l->head = 0;
}

/* Close list l's connections idle for the timeout or longer at now. */
static void expire(struct bal_backends *k, struct bal_idle_list *l, uint64_t now_ns)
{
	while (l->len && now_ns - l->oldest >= k->idle_timeout_ns) {
		l->head++;
		l->len--;
		k->idle--;
		k->open--;
		if (l->len)
			l->oldest = l->since[l->head];
	}
	emptied(l);
}

int bal_backends_take(struct bal_backends *k, uint32_t list, uint64_t now_ns)
{
	struct bal_idle_list *l = &k->lists[list];
	expire(k, l, now_ns);
	if (!l->len)
		return 0;
	l->len--;
	k->idle--;
	emptied(l);
	return 1;
}

int bal_backends_put(struct bal_backends *k, uint32_t list, uint64_t now_ns)
{
	struct bal_idle_list *l = &k->lists[list];
	expire(k, l, now_ns);
	if (l->head && l->head >= l->len) {
		/* As many expired before the live ones as there are live:
		 * slide them to the front (each expiry pays one move). */
		memmove(l->since, l->since + l->head, l->len * sizeof *l->since);
		l->head = 0;
	}
	if (l->head + l->len == l->cap) {
		uint32_t cap = l->cap ? 2 * l->cap : 8;
		uint64_t *since = bal_arena_alloc(&k->arena, cap);
		if (!since)
			return -1;
		if (l->len)
			memcpy(since, l->since + l->head, l->len * sizeof *since);
		bal_arena_release(&k->arena, l->since, l->cap);
		l->since = since;
		l->cap = cap;
		l->head = 0;
	}
	l->since[l->head + l->len] = now_ns;
	if (!l->len)
		l->oldest = now_ns;
	l->len++;
	k->idle++;
	return 0;
}

void bal_backends_expire(struct bal_backends *k, uint64_t now_ns)
{
	for (uint32_t i = 0; i < k->nlists; i++)
		expire(k, &k->lists[i], now_ns);
}
