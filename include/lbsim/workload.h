/* Exchange 2013 workloads (the virtual directories of a Client Access
 * server) and the clients that use them.
 *
 * A workload is what a layer-7 balancer routes on (its URL path) and what
 * Managed Availability checks one by one (/<workload>/healthcheck.htm).
 * A client kind is the device software that talks to one workload: how many
 * connections it keeps, how often it asks, how long the server holds its
 * requests, how long its connections and TLS sessions live. The defaults
 * live in models/workload.c with their reasoning; scenarios override them.
 */
#ifndef LBSIM_WORKLOAD_H
#define LBSIM_WORKLOAD_H

#include <stdint.h>

#include "lbsim/engine.h"

enum workload {
	WL_OWA = 0,       /* Outlook on the web, browser */
	WL_ECP,           /* Exchange control panel (options), browser */
	WL_EAS,           /* ActiveSync, phones: long-poll "ping" */
	WL_EWS,           /* Exchange Web Services: Mac Outlook, apps */
	WL_OA,            /* Outlook Anywhere (RPC over HTTP), older Outlook */
	WL_MAPI,          /* MAPI over HTTP, Outlook 2013 SP1 and later */
	WL_AUTODISCOVER,  /* client configuration lookups */
	WL_OAB,           /* offline address book downloads */
	WL_COUNT
};

/* What a client does after a failed request (an error answer, or no
 * server at the balancer): its reaction decides whether a layer-4 client
 * keeps hitting the server that failed it. */
enum client_on_error {
	CLIENT_RETRY = 0,    /* keep the connection and send again on it after the back-off
			      * (HTTP/1.1 keeps a connection open after any status, RFC 9112
			      * section 9.3) */
	CLIENT_RECONNECT,    /* close the connection and open a new one after the back-off */
};

/* Client behaviour of one workload (one device of that kind). A device
 * keeps `connections` connections; the first `polls` of them carry a long
 * poll each (ActiveSync's Ping, MAPI/HTTP's NotificationWait): a request
 * the server holds until something changes or the heartbeat runs out,
 * then a sync request after a change, then the next poll, each sent at
 * once. The other connections are request connections: a request, the
 * answer, a think time, the next request. */
struct client_cfg {
	uint32_t connections;     /* kept open per device */
	uint32_t polls;           /* of them, carrying a long poll (0 .. connections) */
	sim_time_t think;         /* request connections: mean gap (exponential) from an answer
				   * to the next request */
	sim_time_t hold;          /* long poll: the longest the server holds it (the heartbeat) */
	sim_time_t changes;       /* long poll: mean time (exponential) until a change ends it
				   * early, then a sync follows (0: none; held for `hold`) */
	sim_time_t lifetime;      /* mean connection lifetime (exponential); then the client reconnects */
	sim_time_t tls_session;   /* the client resumes its TLS session for this long (0: never) */
	sim_time_t backoff;       /* mean delay (exponential) before a retry or a reconnection */
	sim_time_t backoff_max;   /* the mean doubles with each failure in a row, up to this
				   * (0, or at most backoff: it stays at backoff) */
	enum client_on_error on_error;
	uint32_t reconnect_after; /* with CLIENT_RETRY: reconnect after this many failures in a
				   * row on one connection (0: never) */
	double share;             /* of a population's users, the share that run this kind
				   * (the device mix), 0 .. 1 */
	uint32_t request_bytes;
	uint32_t response_bytes;
};

/* Server side: CPU one request of the workload needs on one core. */
struct server_workload_cfg {
	sim_time_t demand;        /* mean */
	double demand_cv;         /* coefficient of variation: 1 exponential, 0 constant, else gamma */
};

const char *workload_name(enum workload w);
/* The URL path prefix that identifies the workload, e.g. /owa. */
const char *workload_path(enum workload w);
/* The Managed Availability health page, e.g. /owa/healthcheck.htm. */
const char *workload_health_path(enum workload w);
/* The workload by name, or -1. */
int workload_find(const char *name);
/* "owa, ecp, ..." into buf. */
const char *workload_names(char *buf, size_t len);
/* "retry" or "reconnect". */
const char *client_on_error_name(enum client_on_error e);

/* Documented defaults (models/workload.c). */
const struct client_cfg *workload_default_client(enum workload w);
const struct server_workload_cfg *workload_default_server(enum workload w);

#endif
