/* What the files of the balancer façade share and nobody else sees: the
 * charging of operations (ledger.c keeps the books; traffic.c and checks.c
 * charge), and the walk over the design's virtual services. */
#ifndef LBSIM_BALANCER_INTERNAL_H
#define LBSIM_BALANCER_INTERNAL_H

#include "lbsim/balancer.h"

/* The work of n operations at price ns each joins the request's pending
 * work. An operation priced 0 (a model that says the balancer takes no
 * time) adds nothing: n x 0 is +0, and x + 0 is x for every x the sum
 * can hold (it starts at +0 and only grows), so skipping the add gives
 * the same bits and spares a chain of dependent adds (issue 19). */
static inline void bal_pend(struct balancer *b, double n, double ns)
{
	if (ns != 0)
		b->ledger.pending_ns += n * ns;
}

/* Charge n operations of one kind: the count goes to the current window
 * (the CPU figures), its price to the work pending for the balancer's
 * cores. field is a member of struct cost_counts, price the matching one of
 * struct cost_params. */
#define BAL_CHARGE(b, field, price_field, n)                                            \
	do {                                                                            \
		(b)->ledger.window.field += (uint64_t)(n);                              \
		(b)->ledger.charged = 1;                                                \
		bal_pend((b), (double)(n), (b)->ledger.price->price_field);             \
	} while (0)

/* n events from the network reach a proxy (a connection, a message, a
 * close): each finds its thread busy or wakes it (ledger.c counts the
 * wake-ups per window). A kernel forwarder has no thread to wake: its
 * softirq work is priced per packet. */
#define BAL_ARRIVE(b, n)                                                                \
	do {                                                                            \
		if (!(b)->kernel) {                                                     \
			(b)->ledger.window.arrivals += (uint64_t)(n);                   \
			(b)->ledger.charged = 1;                                        \
		}                                                                       \
	} while (0)

/* Count n operations that belong to no request (a probe): CPU, but no
 * work for a request to wait for. Only probes are counted so (a window
 * of nothing else is quiet: ledger.c prices it once). */
#define BAL_COUNT(b, field, n) ((b)->ledger.window.field += (uint64_t)(n))

/* ledger.c: a message of bytes passes through a proxy, to or from a
 * client at round trip rtt_ns (inbound: a request, on to the server):
 * the connection holds its buffers for the time its bytes take. */
void bal_hold_buffers(struct balancer *b, uint64_t bytes, uint64_t rtt_ns, int inbound);

/* traffic.c: what b's traffic computes once: its handshakes' flights for
 * its certificate and prices (b->handshakes), the packet memo. */
void bal_traffic_init(struct balancer *b);

/* backends.c: the connections to the servers (struct bal_backends). */
int bal_backends_init(struct bal_backends *k, uint32_t nlists, uint64_t idle_timeout_ns);
void bal_backends_free(struct bal_backends *k);
/* Take an idle connection of list at now: 1, or 0 when none is left. */
int bal_backends_take(struct bal_backends *k, uint32_t list, uint64_t now_ns);
/* One connection of list becomes idle at now (it stays counted open): 0,
 * or -1 when the list cannot grow (the caller closes it instead). */
int bal_backends_put(struct bal_backends *k, uint32_t list, uint64_t now_ns);
/* Close every connection idle for the timeout at now. */
void bal_backends_expire(struct bal_backends *k, uint64_t now_ns);
/* traffic.c: c's request, which waited, has taken a slot of c->server:
 * the connection to that server it goes over (http-reuse). */
void bal_backend_for_waiting(struct balancer *b, struct bal_conn *c);

/* queue.c: the layer-7 queues (maxconn). init: 0 or -1 (memory). A slot
 * of server in pool pool_index has freed: the oldest request waiting for
 * it takes it. c closes while its request waits: out of its queue. */
int bal_queues_init(struct balancer *b, uint32_t npools, uint32_t nservers);
void bal_queues_free(struct balancer *b);
void bal_queue_slot_freed(struct balancer *b, int pool_index, uint32_t server);
void bal_queue_conn_closed(struct balancer *b, struct bal_conn *c);

#endif
