/* The clients of one run: every population's users, as client devices that
 * keep connections and send request after request (closed loop), or as
 * open traffic (a Poisson stream of one-request connections); their public
 * addresses (models/source.c) and what the balancer sees of them. The room
 * is models/clients/.
 *
 * A request's path starts here: a device's connection timer fires, the
 * client takes a source address and port (NAT), opens its connection
 * through the balancer façade (balancer_conn_open: layer 4 routes it here)
 * and sends its request (balancer_request: layer 7 routes it here); the
 * request then goes to the world (clients_env.dispatch), which hands it to
 * its server, through the balancer's cores when the design has a number of
 * them. The answer comes back through the world, which counts it and hands
 * it to clients_answered: the client thinks and sends again, retries after
 * a back-off, or closes its connection.
 *
 * The clients know the balancer only through its façade
 * (lbsim/balancer.h) and the servers not at all: what they need of the
 * rest of the world is struct clients_env, which the composition root
 * (sim/world/) fills.
 */
#ifndef LBSIM_CLIENTS_H
#define LBSIM_CLIENTS_H

#include <stdint.h>

#include "lbsim/balancer.h"
#include "lbsim/engine.h"
#include "lbsim/request.h"
#include "lbsim/scenario.h"
#include "lbsim/steady.h"
#include "lbsim/workload.h"

/* Per-workload ledger: every request is sent once and ends ok or failed,
 * or is still in flight. */
struct wl_counts {
	uint64_t sent, ok, failed, misrouted;
	uint64_t measured_sent, measured_failed, measured_misrouted;
};

/* What the clients saw, whole run: written by the clients (requests sent,
 * connections) and by the world (answers), read by the world's results. */
struct client_ledger {
	struct wl_counts wl[WL_COUNT];
	uint64_t nat_refused;       /* connections a NAT refused: no port left */
	uint64_t connect_failed;    /* layer-4 connections the balancer had no server for, or sent
				     * to a server that was down */
	uint64_t conns_opened;
	uint64_t affinity_breaks, server_changes;
	/* Requests sent and answered within steady time (lbsim/steady.h),
	 * and of them the failed and misrouted. */
	uint64_t steady_sent, steady_failed, steady_misrouted;
	/* Per population: device requests sent, and their order-free
	 * checksum (of device, connection, request number and demand). */
	uint64_t pop_sent[SCN_MAX_POPULATIONS], pop_hash[SCN_MAX_POPULATIONS];
};

/* Count req as failed (and misrouted when its server's workload was down). */
static inline void client_ledger_failed(struct client_ledger *l, const struct request *req)
{
	struct wl_counts *k = &l->wl[req->workload];
	k->failed++;
	if (req->misrouted)
		k->misrouted++;
	if (req->measured) {
		k->measured_failed++;
		if (req->misrouted)
			k->measured_misrouted++;
	}
	if (req->steady) {
		l->steady_sent++;
		l->steady_failed++;
		l->steady_misrouted += req->misrouted;
	}
}

/* What the clients need of the rest of the world. */
struct clients_env {
	struct sim_engine *eng;
	const struct scenario *scn;
	const struct scn_design *design;    /* read for what the balancer looks at, never for costs */
	struct balancer *bal;
	struct request_pool *requests;
	struct client_ledger *ledger;
	sim_time_t measure_from;            /* requests sent from then on are measured */
	const struct steady *steady;        /* the run's steady time (requests sent in it are marked) */
	void *owner;                        /* handed to the hooks */
	/* req (req->server chosen) goes on toward its server. */
	void (*dispatch)(void *owner, struct request *req);
	/* A connection to server opened (layer 4, or an open-traffic request's
	 * own connection). */
	void (*opened)(void *owner, uint32_t server);
	/* A device's layer-4 connection was bound to server (delta +1) or left
	 * it (-1): an active session there. */
	void (*bound)(void *owner, uint32_t server, int delta);
	/* 1 when a TCP connection to server can be set up now (it is up): a
	 * layer-4 balancer that sends a new connection to a dead server it
	 * has not yet noticed leaves the client's connect unanswered. */
	int (*reachable)(void *owner, uint32_t server);
};

struct pop_state;
struct conn;
struct conn_link;

/* What the look-ahead's stage 0 worked out for a connection's layer-7
 * route, kept for its stage 1 SIM_LOOKAHEAD_FAR - SIM_LOOKAHEAD pops later
 * (clients_lookahead). */
struct clients_route_hint {
	const struct conn *conn;    /* NULL: unused */
	struct lb_pers_hint hint;
};
/* More than the events whose stage 0 can come between an event's two
 * stages (SIM_LOOKAHEAD_FAR - SIM_LOOKAHEAD, or a new bottom's first
 * SIM_LOOKAHEAD_FAR); one that was overwritten is worked out again. */
#define CLIENTS_ROUTE_HINTS 8

struct clients {
	struct clients_env env;
	struct pop_state *pops;
	uint32_t npops;
	struct conn_link **server_conns;    /* per server: its layer-4 connections, to cut */
	/* A layer-7 request carries its device's TLS session id only where the
	 * design reads it (ssl-session-id persistence): nothing else looks at
	 * it, and fetching it costs the device's cache line per request. */
	int requests_carry_tls_id;
	int out_of_memory;                  /* an event could not be scheduled: the run is void */
	/* Why the clients stopped the run when it was not memory (a replayed
	 * log that cannot be read on: "file:line: what"); "" otherwise. */
	char error[1200];
	/* The look-ahead's own memory (a ring, newest at route_hint_next - 1):
	 * results never depend on it. */
	struct clients_route_hint route_hints[CLIENTS_ROUTE_HINTS];
	uint32_t route_hint_next;
};

/* Build every population of env->scn for replication rep and schedule its
 * first events. Returns 0, or -1 when memory is short (clients_free still
 * frees what was built). */
int clients_init(struct clients *cl, const struct clients_env *env, uint32_t rep);
void clients_free(struct clients *cl);

/* The answer to req (ok, or a failure) has reached its client, and the
 * world has counted it: a device thinks and sends again, retries after a
 * back-off or closes; an open-traffic connection closes. The caller still
 * owns req. */
void clients_answered(struct clients *cl, struct request *req, int ok);

/* The balancer's state of req's connection: its device connection's, or
 * (open traffic) its own; a stale request, whose connection has closed and
 * moved on since it was sent, gets *blank (cleared), so that its answer is
 * counted without touching the connection's new life. */
struct bal_conn *clients_request_conn(struct request *req, struct bal_conn *blank);

/* Server s failed: every layer-4 connection to it is reset, and its client
 * reconnects after a back-off. */
void clients_cut_server(struct clients *cl, uint32_t s);

/* The engine's look-ahead (engine.h, its stage 0 or 1) for a client event
 * (a connection's timer) due at at: prefetch what its handler will reach
 * (at tells a request from an open or a close: the connection closes at
 * its next request after ends_at, and only those read the device).
 * Changes nothing. */
void clients_lookahead(struct clients *cl, const struct sim_event *ev, sim_time_t at,
		       unsigned stage);
/* Whether clients_lookahead does anything at stage 1 (the layer-7 route's
 * persistence entry); at stage 0 it always may. */
int clients_lookahead_near(const struct clients *cl);

/* 1 when the clients could not go on (memory, or cl->error). */
int clients_failed(const struct clients *cl);

/* Bytes the clients of scn will hold at most (devices, connections, a
 * request and an event slot per connection in flight, NAT address pools). */
double clients_mem_estimate(const struct scenario *scn);

#endif
