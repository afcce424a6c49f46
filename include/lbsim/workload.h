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

/* Client behaviour of one workload (one device of that kind). */
struct client_cfg {
	uint32_t connections;     /* kept open per device */
	sim_time_t think;         /* mean gap (exponential) from a response to the next request */
	sim_time_t hold;          /* long poll: the server parks the request this long (0: none) */
	sim_time_t lifetime;      /* mean connection lifetime (exponential); then the client reconnects */
	sim_time_t tls_session;   /* the client resumes its TLS session for this long (0: never) */
	sim_time_t backoff;       /* mean delay (exponential) before reconnecting after a cut or refusal */
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

/* Documented defaults (models/workload.c). */
const struct client_cfg *workload_default_client(enum workload w);
const struct server_workload_cfg *workload_default_server(enum workload w);

#endif
