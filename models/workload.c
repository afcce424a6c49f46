/* Exchange 2013 workloads and their default client and server figures.
 *
 * The figures are starting points, not measurements: each line says where
 * it comes from or what it assumes, and every one can be overridden in a
 * scenario (`clients:` and `servers: workloads:`). Replace them with your
 * own IIS logs where you can: requests per user per hour by virtual
 * directory and the CPU per request of your CAS servers.
 *
 * Server CPU per request: Exchange 2013 Client Access is a stateless proxy
 * in front of the Mailbox role (Microsoft's 2013 architecture posts), so a
 * request costs it milliseconds: TLS, authentication and proxying. We take
 * 2-8 ms by workload, heavier for OWA/ECP (page rendering, more
 * authentication work) and OAB (large file transfer).
 */
#include "lbsim/workload.h"

#include <stdio.h>
#include <string.h>

#define MS(x) ((sim_time_t)(x) * 1000000ull)
#define S(x) ((sim_time_t)(x) * SIM_NS_PER_S)

static const char *const names[WL_COUNT] = {
	"owa", "ecp", "eas", "ews", "oa", "mapi", "autodiscover", "oab",
};

/* Exchange 2013 virtual directories (IIS default web site). */
static const char *const paths[WL_COUNT] = {
	"/owa", "/ecp", "/Microsoft-Server-ActiveSync", "/EWS", "/rpc", "/mapi",
	"/Autodiscover", "/OAB",
};

static const char *const health_paths[WL_COUNT] = {
	"/owa/healthcheck.htm", "/ecp/healthcheck.htm",
	"/Microsoft-Server-ActiveSync/healthcheck.htm", "/EWS/healthcheck.htm",
	"/rpc/healthcheck.htm", "/mapi/healthcheck.htm",
	"/Autodiscover/healthcheck.htm", "/OAB/healthcheck.htm",
};

static const struct client_cfg client_defaults[WL_COUNT] = {
	/* OWA in a browser: a couple of kept-alive connections, a request every
	 * ~20 s while the user works (polling for notifications, reading);
	 * browsers drop idle connections after minutes and resume TLS sessions
	 * for minutes (Chrome, Firefox: session cache minutes to hours). */
	[WL_OWA] = {.connections = 2, .think = S(20), .lifetime = S(300),
		    .tls_session = S(600), .backoff = S(2),
		    .request_bytes = 1500, .response_bytes = 12000},
	/* ECP: the options pages, rarely used. */
	[WL_ECP] = {.connections = 1, .think = S(600), .lifetime = S(120),
		    .tls_session = S(600), .backoff = S(2),
		    .request_bytes = 1500, .response_bytes = 20000},
	/* ActiveSync: one connection that carries a "ping" the server holds
	 * for the heartbeat interval (devices negotiate 8-59 min; carriers'
	 * NAT idle timers push it down, we take 9 min), then a quick sync.
	 * Mobile stacks often renegotiate TLS on every reconnect: sessions
	 * are kept 5 min. */
	[WL_EAS] = {.connections = 1, .think = S(1), .hold = S(540),
		    .lifetime = S(540), .tls_session = S(300), .backoff = S(10),
		    .request_bytes = 800, .response_bytes = 4000},
	/* EWS: Mac Outlook and integrations: steady, light. */
	[WL_EWS] = {.connections = 1, .think = S(60), .lifetime = S(600),
		    .tls_session = S(600), .backoff = S(5),
		    .request_bytes = 2000, .response_bytes = 8000},
	/* Outlook Anywhere: RPC_IN_DATA and RPC_OUT_DATA, two long-lived
	 * connections per Outlook; a request every ~30 s each. */
	[WL_OA] = {.connections = 2, .think = S(30), .lifetime = S(3600),
		   .tls_session = S(3600), .backoff = S(5),
		   .request_bytes = 2000, .response_bytes = 6000},
	/* MAPI over HTTP: emsmdb and nsp endpoints, a hanging notification
	 * and regular sync: ~one request per 30 s per connection. */
	[WL_MAPI] = {.connections = 2, .think = S(30), .lifetime = S(3600),
		     .tls_session = S(3600), .backoff = S(5),
		     .request_bytes = 2000, .response_bytes = 8000},
	/* Autodiscover: at start-up and then hourly per client. */
	[WL_AUTODISCOVER] = {.connections = 1, .think = S(3600), .lifetime = S(30),
			     .tls_session = S(600), .backoff = S(5),
			     .request_bytes = 1000, .response_bytes = 4000},
	/* Offline address book: a daily download of a few megabytes. */
	[WL_OAB] = {.connections = 1, .think = S(86400), .lifetime = S(60),
		    .tls_session = S(600), .backoff = S(30),
		    .request_bytes = 800, .response_bytes = 5000000},
};

static const struct server_workload_cfg server_defaults[WL_COUNT] = {
	[WL_OWA] = {.demand = MS(8), .demand_cv = 1},
	[WL_ECP] = {.demand = MS(8), .demand_cv = 1},
	[WL_EAS] = {.demand = MS(4), .demand_cv = 1},
	[WL_EWS] = {.demand = MS(4), .demand_cv = 1},
	[WL_OA] = {.demand = MS(3), .demand_cv = 1},
	[WL_MAPI] = {.demand = MS(3), .demand_cv = 1},
	[WL_AUTODISCOVER] = {.demand = MS(2), .demand_cv = 1},
	[WL_OAB] = {.demand = MS(40), .demand_cv = 1},
};

const char *workload_name(enum workload w)
{
	return (unsigned)w < WL_COUNT ? names[w] : "?";
}

const char *workload_path(enum workload w)
{
	return (unsigned)w < WL_COUNT ? paths[w] : "/";
}

const char *workload_health_path(enum workload w)
{
	return (unsigned)w < WL_COUNT ? health_paths[w] : "/";
}

int workload_find(const char *name)
{
	for (int w = 0; name && w < WL_COUNT; w++)
		if (strcmp(names[w], name) == 0)
			return w;
	return -1;
}

const char *workload_names(char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (int w = 0; w < WL_COUNT && used < len; w++) {
		int n = snprintf(buf + used, len - used, "%s%s", w ? ", " : "", names[w]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

const struct client_cfg *workload_default_client(enum workload w)
{
	return &client_defaults[w];
}

const struct server_workload_cfg *workload_default_server(enum workload w)
{
	return &server_defaults[w];
}
