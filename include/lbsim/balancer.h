/* A balancer design (l4, l4-multi, l7) built from the core's virtual
 * services, pools, persistence and health checks: what the simulated world
 * hands each connection and request to.
 *
 *   l4        one layer-4 VIP for every workload; one pool of all servers;
 *             one health check per server on one page (default
 *             /owa/healthcheck.htm): a failed workload that is not the
 *             checked one keeps receiving traffic
 *   l4-multi  one layer-4 VIP per workload, each with its own pool of all
 *             servers and a check per (server, workload) on that
 *             workload's page
 *   l7        one VIP terminating TLS; a sub-service per workload chosen by
 *             URL path, each with its own pool and per-(server, workload)
 *             checks; servers are chosen per request
 *
 * A layer-4 design chooses a server when a connection opens and keeps it
 * for the connection's life; a layer-7 design chooses per request.
 */
#ifndef LBSIM_BALANCER_H
#define LBSIM_BALANCER_H

#include <stdint.h>

#include "lbsim/lb.h"
#include "lbsim/lb_health.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_vs.h"
#include "lbsim/scenario.h"
#include "lbsim/workload.h"

enum bal_fail {
	BAL_OK = 0,
	BAL_NO_SERVER,     /* every server of the pool is down */
};

struct bal_route {
	int32_t server;     /* -1 on failure */
	int16_t vs;         /* which virtual service took it */
	int16_t pool;       /* which of its pools chose the server */
	uint8_t persisted;  /* a persistence entry decided */
	uint8_t redispatched; /* the persisted server was down: chosen anew */
	enum bal_fail fail;
};

/* One health check of the design and what it watches. */
struct bal_check {
	struct lb_hc hc;
	uint32_t vs;        /* the virtual service and pool whose server state it feeds */
	uint32_t pool;
	int workload;       /* the page it asks for: -1 tcp (server only) */
};

struct balancer {
	enum scn_design_kind kind;
	int per_request;    /* l7: route each request */
	uint32_t nvs;
	struct lb_vs *vs;               /* l4, l7: 1; l4-multi: one per workload */
	struct bal_check *checks;
	uint32_t nchecks;
	struct lb_hc_log log;
	uint32_t external_ips;          /* VIPs that need a public address */
	uint64_t redispatched;
};

/* Build design d for scn's servers. Returns 0, or -1 with a message in
 * msg (the loader has checked what it can; what remains is memory). */
int balancer_init(struct balancer *b, const struct scenario *scn, const struct scn_design *d,
		  char *msg, size_t len);
void balancer_free(struct balancer *b);

/* Route a new connection (layer 4) or a request (layer 7) for workload w. */
void balancer_route(struct balancer *b, const struct lb_request *req, enum workload w,
		    uint64_t now_ns, struct bal_route *out);

/* The connection routed by r has closed (layer 4), or the request has
 * finished (layer 7). */
/* A hint before balancer_route(b, req, w, ...): start loading the
 * persistence slot it will read (lb_vs_prefetch). Changes nothing. */
void balancer_prefetch(const struct balancer *b, const struct lb_request *req, enum workload w);
void balancer_release(struct balancer *b, const struct bal_route *r);

/* A probe of check i returned ok at now; returns 1 when a server's state in
 * a pool changed. */
int balancer_probe_result(struct balancer *b, uint32_t i, uint64_t now_ns, int ok);

/* Bytes the balancer's structures hold (pools, tables). */
size_t balancer_mem_bytes(const struct balancer *b);
/* The same, each structure at its peak (lb_vs_mem_peak_bytes). */
size_t balancer_mem_peak_bytes(const struct balancer *b);

#endif
