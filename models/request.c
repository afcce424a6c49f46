/* Slab allocator for requests; see include/lbsim/request.h. */
#include "lbsim/request.h"

#include <stdlib.h>

struct request_slab {
	struct request_slab *next;
	struct request reqs[REQUEST_SLAB];
};

void request_pool_init(struct request_pool *rp)
{
	*rp = (struct request_pool){0};
}

void request_pool_free(struct request_pool *rp)
{
	while (rp->slabs) {
		struct request_slab *next = rp->slabs->next;
		free(rp->slabs);
		rp->slabs = next;
	}
	*rp = (struct request_pool){0};
}

struct request *request_get(struct request_pool *rp)
{
	if (!rp->free) {
		struct request_slab *slab = malloc(sizeof *slab);
		if (!slab)
			return NULL;
		slab->next = rp->slabs;
		rp->slabs = slab;
		for (size_t i = REQUEST_SLAB; i-- > 0;) {
			slab->reqs[i].where = REQ_NOWHERE;
			slab->reqs[i].next = rp->free;
			rp->free = &slab->reqs[i];
		}
		rp->allocated += REQUEST_SLAB;
	}
	struct request *req = rp->free;
	rp->free = req->next;
	req->next = NULL;
	req->ev.heap_index = SIM_EVENT_IDLE;
	req->where = REQ_NOWHERE;
	rp->live++;
	return req;
}

void request_put(struct request_pool *rp, struct request *req)
{
	req->next = rp->free;
	rp->free = req;
	rp->live--;
}

void request_pool_each(const struct request_pool *rp, void (*fn)(struct request *req, void *ctx),
		       void *ctx)
{
	for (struct request_slab *slab = rp->slabs; slab; slab = slab->next)
		for (size_t i = 0; i < REQUEST_SLAB; i++)
			fn(&slab->reqs[i], ctx);
}
