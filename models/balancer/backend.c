/* A layer-7 balancer's connections to its servers, and their reuse.
 *
 * A proxy that terminates the client's connection forwards each request
 * on a connection of its own to the chosen server. HAProxy (http-reuse
 * safe, its default since 2.0) keeps a connection to a server idle after
 * its response and hands it to the next request for that server, from
 * any client; an idle connection unused for pool-purge-delay (5 s by
 * default) is closed. (HAProxy closes half of the idle connections at
 * each such delay; closing each after the delay is the simpler rule kept
 * here.) A request that finds no idle connection waits for a new one:
 * the TCP handshake to the server, and with re-encryption a resumed TLS
 * handshake (network_backend_round_trips), at the design's backend round
 * trip each.
 *
 * HAProxy keeps idle connections per server of each backend: here per
 * (pool, server), a pool being one workload's backend. Each is a stack of
 * the times its connections went idle, newest on top, so that the most
 * recently used connection is reused first and, as the times only grow
 * up the stack, an expired top means every connection below it expired
 * too. Complexity: O(1) per request (amortised over the growth of a
 * stack); memory: one 8-byte time per idle connection, at most the most
 * requests ever in flight to a server at once.
 *
 * What setting a connection up costs in CPU is the cost model's to count
 * (models/cost.c); this file counts the connections opened and reused
 * (struct bal_stats) and the time requests waited for them.
 */
#include "balancer_internal.h"
#include "lbsim/network.h"

#include <stdlib.h>

struct bal_idle {
	uint64_t *since;    /* when each idle connection's last response passed */
	uint32_t len, cap;
};

int balancer_backend_init(struct balancer *b, uint32_t npools, uint32_t nservers,
			  const struct scn_design *d)
{
	b->backend_nservers = nservers;
	b->backend_rtt_ns = d->backend_rtt;
	b->backend_idle_ns = d->backend_idle;
	b->backend_round_trips = network_backend_round_trips(d->tls_reencrypt);
	b->idle = calloc((size_t)npools * nservers, sizeof *b->idle);
	b->backend_npools = npools;
	return b->idle ? 0 : -1;
}

void balancer_backend_free(struct balancer *b)
{
	for (size_t i = 0; b->idle && i < (size_t)b->backend_npools * b->backend_nservers; i++)
		free(b->idle[i].since);
	free(b->idle);
	b->idle = NULL;
}

static struct bal_idle *idle_of(struct balancer *b, const struct bal_conn *c)
{
	return &b->idle[(size_t)c->pool * b->backend_nservers + (uint32_t)c->server];
}

void balancer_backend_take(struct balancer *b, const struct bal_conn *c, uint64_t now_ns)
{
	struct bal_idle *p = idle_of(b, c);
	if (p->len > 0) {
		uint64_t since = p->since[--p->len];
		if (now_ns - since <= b->backend_idle_ns) {
			b->stats.backend_reused++;
			return;
		}
		p->len = 0; /* the newest expired: every older one did too */
	}
	b->stats.backend_opens++;
	b->pending_wait_ns += (double)b->backend_round_trips * (double)b->backend_rtt_ns;
}

void balancer_backend_put(struct balancer *b, const struct bal_conn *c, uint64_t now_ns)
{
	if (b->backend_idle_ns == 0)
		return; /* never reused: the connection closes */
	struct bal_idle *p = idle_of(b, c);
	if (p->len == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 4;
		uint64_t *grown = cap > p->cap ? realloc(p->since, cap * sizeof *grown) : NULL;
		if (!grown)
			return; /* no room to keep it idle: it closes, and the next request opens one */
		p->since = grown;
		p->cap = cap;
	}
	p->since[p->len++] = now_ns;
}

double balancer_take_wait_ns(struct balancer *b)
{
	double ns = b->pending_wait_ns;
	b->pending_wait_ns = 0;
	return ns;
}
