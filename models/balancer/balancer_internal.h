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

/* queue.c: the layer-7 queues (maxconn). init: 0 or -1 (memory). A slot
 * of server in pool pool_index has freed: the oldest request waiting for
 * it takes it. c closes while its request waits: out of its queue. */
int bal_queues_init(struct balancer *b, uint32_t npools, uint32_t nservers);
void bal_queues_free(struct balancer *b);
void bal_queue_slot_freed(struct balancer *b, int pool_index, uint32_t server);
void bal_queue_conn_closed(struct balancer *b, struct bal_conn *c);

#endif
