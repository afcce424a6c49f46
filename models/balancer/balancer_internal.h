/* What the files of the balancer façade share and nobody else sees: the
 * charging of operations (ledger.c keeps the books; traffic.c and checks.c
 * charge), and the walk over the design's virtual services. */
#ifndef LBSIM_BALANCER_INTERNAL_H
#define LBSIM_BALANCER_INTERNAL_H

#include "lbsim/balancer.h"

/* Charge n operations of one kind: the count goes to the current window
 * (the CPU figures), its price to the work pending for the balancer's
 * cores. field is a member of struct cost_counts, price the matching one of
 * struct cost_params. */
#define BAL_CHARGE(b, field, price_field, n)                                            \
	do {                                                                            \
		(b)->ledger.window.field += (uint64_t)(n);                              \
		(b)->ledger.pending_ns += (double)(n) * (b)->ledger.price->price_field; \
	} while (0)

/* Count n operations that belong to no request (a probe): CPU, but no
 * work for a request to wait for. */
#define BAL_COUNT(b, field, n) ((b)->ledger.window.field += (uint64_t)(n))

/* backend.c: a layer-7 design's connections to its servers. init: for
 * npools pools of nservers servers each (0, or -1 out of memory). take:
 * the request on c (routed: c->pool, c->server) gets a connection to its
 * server, idle or new (its set-up time then waits in pending_wait_ns).
 * put: c's response passed, its server connection goes idle. */
int balancer_backend_init(struct balancer *b, uint32_t npools, uint32_t nservers,
			  const struct scn_design *d);
void balancer_backend_free(struct balancer *b);
void balancer_backend_take(struct balancer *b, const struct bal_conn *c, uint64_t now_ns);
void balancer_backend_put(struct balancer *b, const struct bal_conn *c, uint64_t now_ns);

#endif
