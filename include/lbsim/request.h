/* A simulated request, and the pool that recycles them.
 *
 * Requests are allocated in slabs and recycled through a free list, so the
 * hot path (one arrival, one dispatch, one completion) never calls malloc.
 * Memory: one slab of REQUEST_SLAB requests at a time; live requests are
 * bounded by the requests in flight, which the server queues bound.
 */
#ifndef LBSIM_REQUEST_H
#define LBSIM_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/engine.h"

struct request {
	struct sim_event ev;      /* completion at the server */
	struct request *next;     /* server queue or free list */
	sim_time_t arrived;       /* at the balancer */
	sim_time_t demand;        /* CPU time the request needs on one core */
	uint32_t server;
	uint32_t population;
	uint32_t user;
	uint32_t measured;        /* arrived after warm-up: counts in statistics */
};

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

#endif
