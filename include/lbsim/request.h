/* A simulated request, and the pool that recycles them.
 *
 * Requests are allocated in slabs and recycled through a free list, so the
 * hot path (one arrival, one dispatch, one completion) never calls malloc.
 * Complexity: get and put O(1) (a LIFO free list, so a request just put
 * back, still in cache, is the next one handed out); a new slab only when
 * every request is in flight. Memory: one slab of REQUEST_SLAB requests at a time; live requests are
 * bounded by the requests in flight.
 */
#ifndef LBSIM_REQUEST_H
#define LBSIM_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/balancer_conn.h"
#include "lbsim/engine.h"

struct conn;

enum request_where {
	REQ_NOWHERE = 0,
	REQ_PARKED,       /* long poll held by the server, no CPU */
	REQ_QUEUED,       /* waiting for a core */
	REQ_SERVING,      /* on a core */
};

struct request {
	struct sim_event ev;      /* hold timer, then completion at the server */
	struct request *next;     /* a server's queue, or the free list */
	struct request *prev;
	struct conn *conn;        /* the client connection, or NULL (open traffic) */
	sim_time_t sent;          /* by its client: its response time runs from here */
	sim_time_t arrived;       /* at the balancer (after its handshakes and half its round trip) */
	sim_time_t rtt;           /* its round trip between client and balancer (jitter drawn) */
	sim_time_t lb_work;       /* the balancer's work for it, carried while it travels there */
	sim_time_t answer_delay;  /* once answered: the time its answer still takes to reach the
				   * client (the balancer's time, half a round trip) */
	sim_time_t demand;        /* CPU time the request needs on one core */
	sim_time_t hold;          /* long poll: parked this long before service */
	sim_time_t backend_demand, backend_hold; /* kept while the balancer's cores work on it */
	uint32_t server;
	uint32_t population;
	uint32_t user;
	uint32_t src_addr_index;  /* open traffic: the NAT address to release */
	uint32_t conn_seq;        /* device traffic: its connection's draw counter just after
				   * it was sent; changed since, the connection has moved on */
	uint64_t joined;          /* parked or in service: the server's count of requests
				   * parked or started before it (their order, models/server.c) */
	struct bal_conn lb;       /* open traffic: the balancer's state of the request's own connection */
	struct bal_wait wait;     /* layer 7: its place in the balancer's queue (maxconn) */
	uint8_t workload;         /* enum workload */
	uint8_t where;            /* enum request_where */
	uint8_t measured;         /* arrived after warm-up: counts in statistics */
	uint8_t misrouted;        /* sent to a server whose workload was down */
	uint8_t session;          /* counted as an active session on its server */
	uint8_t returning;        /* its answer waits for the balancer's cores on the way back */
	uint8_t ok;               /* while returning: whether the server answered it */
	uint8_t steady;           /* sent in steady time (lbsim/steady.h), and, once answered,
				   * answered in it */
	uint8_t setup_rtts;       /* round trips of the handshakes it waited for: the first
				   * request of a new connection (lbsim/network.h) */
};

/* req->server of a request that waits for a server slot at the balancer:
 * its server is chosen when a slot frees (balancer_wait). */
#define REQ_SERVER_WAITING UINT32_MAX

#define REQUEST_SLAB 4096

struct request_slab;

struct request_pool {
	struct request *free;
	struct request_slab *slabs;
	size_t live;
	size_t allocated;
};

void request_pool_init(struct request_pool *rp);
void request_pool_free(struct request_pool *rp);
/* A request with undefined contents except an idle event, or NULL when memory is short. */
struct request *request_get(struct request_pool *rp);
void request_put(struct request_pool *rp, struct request *req);
/* Call fn on every request of the pool, live or free (a free one is
 * REQ_NOWHERE), slab by slab: O(requests allocated), for rare walks (a
 * fault, the end of a run). */
void request_pool_each(const struct request_pool *rp, void (*fn)(struct request *req, void *ctx),
		       void *ctx);

/* The response time of a request answered at now, as the servers see it:
 * from its arrival at the balancer to its answer, less the long-poll hold, which the client asked
 * for (an ActiveSync ping held for 9 minutes is not 9 minutes of delay). */
static inline sim_time_t request_response_ns(const struct request *req, sim_time_t now)
{
	sim_time_t t = now - req->arrived;
	return t > req->hold ? t - req->hold : 0;
}

/* The response time its client sees, for a request whose answer left the
 * balancer at now and reaches its client answer_delay later: from the
 * moment the client sent it (a new connection's
 * handshakes, the network both ways, the balancer's time and the
 * server's), less the long-poll hold. */
static inline sim_time_t request_client_response_after(const struct request *req, sim_time_t now,
							sim_time_t answer_delay)
{
	sim_time_t t = now + answer_delay - req->sent;
	return t > req->hold ? t - req->hold : 0;
}

static inline sim_time_t request_client_response_ns(const struct request *req, sim_time_t now)
{
	return request_client_response_after(req, now, req->answer_delay);
}

/* An intrusive doubly linked list of requests (FIFO). */
struct request_list {
	struct request *head, *tail;
	uint64_t len;
};

static inline void rlist_push(struct request_list *l, struct request *r)
{
	r->next = NULL;
	r->prev = l->tail;
	if (l->tail)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
	l->len++;
}

static inline void rlist_remove(struct request_list *l, struct request *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->next = r->prev = NULL;
	l->len--;
}

static inline struct request *rlist_pop(struct request_list *l)
{
	struct request *r = l->head;
	if (r)
		rlist_remove(l, r);
	return r;
}

#endif
