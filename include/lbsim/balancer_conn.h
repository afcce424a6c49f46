/* The balancer's state of one client connection, apart from the façade
 * (lbsim/balancer.h) so that the world's connections and requests can hold
 * it without seeing the balancer. */
#ifndef LBSIM_BALANCER_CONN_H
#define LBSIM_BALANCER_CONN_H

#include <stdint.h>

/* The balancer's state of one client connection: the world keeps it in its
 * own connection (8 bytes, so that a connection stays one cache line) and
 * hands it to every event of that connection; only models/balancer/ writes it.
 * For an open-traffic request, which is a connection of its own, the world
 * keeps one in the request. */
struct bal_conn {
	int32_t server;     /* the server it is sent to: layer 4, chosen at open
			     * for the connection's life; layer 7, the request
			     * in flight's, or with BAL_CONN_BACKEND the server
			     * of its own idle backend connection; -1 none */
	int16_t pool;       /* the pool of its virtual service that chose it */
	uint8_t vs;         /* the virtual service the client reached */
	uint8_t flags;      /* BAL_CONN_* */
};
_Static_assert(sizeof(struct bal_conn) == 8, "a connection's balancer state is 8 bytes");

enum {
	BAL_CONN_OPEN = 1u << 0,    /* accepted (and, on layer 4, routed) */
	BAL_CONN_ACTIVE = 1u << 1,  /* a request in flight, from request to answer */
	BAL_CONN_WAITING = 1u << 2, /* layer 7: its request waits for a server slot
				     * (server >= 0: in that server's queue; -1: in
				     * the pool's) */
	BAL_CONN_USED = 1u << 3,    /* layer 7: a request has been sent (http-reuse safe) */
	BAL_CONN_BACKEND = 1u << 4, /* layer 7, http-reuse never: holds its own idle
				     * connection to server in pool */
};

/* A request waiting for a server slot (maxconn), as the balancer queues it:
 * the world keeps one in each request (intrusive, so queueing allocates
 * nothing); only models/balancer/ writes it. */
struct bal_wait {
	struct bal_wait *prev, *next;
	struct bal_conn *conn;      /* the connection whose request it is */
	uint64_t since_ns;          /* when it joined the queue: the oldest goes first */
	uint8_t linked;             /* in a queue now */
	double setup_ns;            /* once it has its slot: the time a new connection to
				     * its server takes to open (0 when one is reused) */
};

/* A waiting request's answer from balancer_request: it waits for a slot
 * (the world hands it to balancer_wait when it reaches the servers). */
#define BAL_WAIT (-2)

/* The server a connection (layer 4) or its request in flight (layer 7) is
 * sent to, or -1. */
static inline int32_t bal_conn_server(const struct bal_conn *c) { return c->server; }

#endif
