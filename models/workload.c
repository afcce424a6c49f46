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

/* Client behaviour by workload. Each figure says where it comes from; a
 * figure with no document behind it says "assumption". The README's table
 * "Client defaults" repeats them with their sources.
 *
 * Documents cited:
 *   [RPCH-SESSIONS] TechNet, Exchange 2003, "HTTP Sessions Established by
 *       Outlook by Using RPC over HTTP" (bb124771): two HTTP sessions per
 *       RPC connection (one in, one out); a user averages five RPC
 *       connections (mailbox, public folders, directory): ten HTTP
 *       sessions per user.
 *   [MS-OXCMAPIHTTP] 3.2.5.5 "Responding to a NotificationWait Request
 *       Type Request": the response is not sent until a server event
 *       completes or the 5-minute maximum time limit expires.
 *   [PERF-GUY-SP1] Exchange Team Blog, "Ask The Perf Guy: Sizing Guidance
 *       Updates For Exchange 2013 SP1" (2014-04-03): MAPI/HTTP raises the
 *       rate of requests the CAS handles markedly over RPC/HTTP; CAS
 *       processor sizing goes from 1:4 to 3:8 of the Mailbox cores (+50 %).
 *   [KB905013] Microsoft KB 905013, "Enterprise firewall configuration for
 *       Exchange ActiveSync Direct Push Technology": firewall idle timeouts
 *       of at least 15 minutes; 540 s (9 min) is the server's *alert
 *       threshold* for heartbeats that are too short, not a heartbeat.
 *   [DIRECT-PUSH] TechNet (Windows Phone), "The Impact of Changing the
 *       Direct Push Settings" (cc182257): a heartbeat of 30 minutes is the
 *       recommended value. Exchange takes heartbeats of 60 to 3,540 s (59
 *       min) by default (TechNet ff360297, event 1009); [MS-ASCMD]
 *       2.2.3.88.1 leaves the range to the server.
 *   [MS-ASHTTP] 3.1.5.2.3 "HTTP Error 503": retry after Retry-After, or
 *       after a few seconds, growing to a maximum.
 *   [KB3211279] Microsoft support, "Outlook 2016 implementation of
 *       Autodiscover": refreshed hourly; after a failure, again in 5 min.
 *   [KB841273] Microsoft KB 841273, "Administering the offline address book
 *       in Outlook": Outlook in cached mode updates the OAB every 24 hours,
 *       from the day's differential files; a full download only when
 *       differentials are missing, the version changed or files are damaged.
 *   [RFC9112] HTTP/1.1, section 9.3: connections persist whatever the
 *       status of a response unless either side says "close"; a client
 *       therefore keeps a kept-alive connection after a 5xx and sends its
 *       retry on it (so a layer-4 balancer gives it the same server).
 *
 *   [MS-RPCH] Remote Procedure Call over HTTP, client, "Sending a PDU":
 *       on an error the client treats the virtual connection as closed and
 *       closes all its IN and OUT channels (RPC_IN_DATA, RPC_OUT_DATA: HTTP
 *       requests with a body of about 1 GB that carry the RPCs).
 *
 * Error reaction: every kind retries on its connection (RFC 9112), but
 * Outlook Anywhere, whose virtual connection dies with its channels
 * ([MS-RPCH]): its client reconnects. Note that IIS's own 503
 * (an application pool stopped, a full request queue) carries "Connection:
 * close", as the example of [MS-ASHTTP] 3.1.5.2.3 shows: a scenario whose
 * failure is of that kind sets on-error: reconnect.
 */
static const struct client_cfg client_defaults[WL_COUNT] = {
	/* OWA in a browser: two kept-alive connections and a request every
	 * ~20 s while the user works (assumption); browsers drop idle
	 * connections after minutes and resume TLS sessions for minutes
	 * (assumption). */
	[WL_OWA] = {.connections = 2, .think = S(20), .lifetime = S(300),
		    .tls_session = S(600), .backoff = S(2), .share = 1,
		    .request_bytes = 1500, .response_bytes = 12000},
	/* ECP: the options pages, rarely used (assumption). */
	[WL_ECP] = {.connections = 1, .think = S(600), .lifetime = S(120),
		    .tls_session = S(600), .backoff = S(2), .share = 1,
		    .request_bytes = 1500, .response_bytes = 20000},
	/* ActiveSync: one connection carrying the Ping, held for the
	 * heartbeat, 30 min [DIRECT-PUSH] (within KB905013's advice), or
	 * until a change in the mailbox ends it: mean 10 min between changes
	 * (assumption: some fifty new items a working day), then a Sync and
	 * the next Ping. Connections last about one heartbeat and mobile
	 * stacks keep TLS sessions 5 min (assumptions). Back-off 10 s,
	 * doubling with each failure in a row [MS-ASHTTP] up to 5 min
	 * (assumption). */
	[WL_EAS] = {.connections = 1, .polls = 1, .hold = S(1800), .changes = S(600),
		    .lifetime = S(1800), .tls_session = S(300), .backoff = S(10),
		    .backoff_max = S(300), .share = 1,
		    .request_bytes = 800, .response_bytes = 4000},
	/* EWS: Mac Outlook and integrations: steady, light (assumption). */
	[WL_EWS] = {.connections = 1, .think = S(60), .lifetime = S(600),
		    .tls_session = S(600), .backoff = S(5), .share = 1,
		    .request_bytes = 2000, .response_bytes = 8000},
	/* Outlook Anywhere: ten HTTP sessions per user [RPCH-SESSIONS],
	 * each carrying RPCs; one RPC per 15 s per user in all (assumption,
	 * the figure lbsim used before it had ten sessions: 150 s each).
	 * Connections and TLS sessions live an hour (assumption). */
	[WL_OA] = {.connections = 10, .think = S(150), .lifetime = S(3600),
		   .tls_session = S(3600), .backoff = S(5), .on_error = CLIENT_RECONNECT,
		   .share = 1, .request_bytes = 2000, .response_bytes = 6000},
	/* MAPI over HTTP: every call is an HTTP request, and the request rate
	 * is 1.5 times Outlook Anywhere's RPC rate at the same server CPU per
	 * request, the +50 % of [PERF-GUY-SP1]: one per 10 s per user, over
	 * two request connections (think 20 s each; two connections is an
	 * assumption). A third connection holds the NotificationWait, which
	 * the server answers at an event or after 5 min [MS-OXCMAPIHTTP]
	 * (changes as for ActiveSync, an assumption). */
	[WL_MAPI] = {.connections = 3, .polls = 1, .think = S(20), .hold = S(300),
		     .changes = S(600), .lifetime = S(3600), .tls_session = S(3600),
		     .backoff = S(5), .share = 1, .request_bytes = 2000, .response_bytes = 8000},
	/* Autodiscover: hourly, and 5 min after a failure [KB3211279]. */
	[WL_AUTODISCOVER] = {.connections = 1, .think = S(3600), .lifetime = S(30),
			     .tls_session = S(600), .backoff = S(300), .share = 1,
			     .request_bytes = 1000, .response_bytes = 4000},
	/* Offline address book: the day's differential every 24 h [KB841273],
	 * not the full file: 100 kB (assumption: a day's changes of a
	 * directory of some ten thousand entries, compressed). */
	[WL_OAB] = {.connections = 1, .think = S(86400), .lifetime = S(60),
		    .tls_session = S(600), .backoff = S(30), .share = 1,
		    .request_bytes = 800, .response_bytes = 100000},
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

const char *client_on_error_name(enum client_on_error e)
{
	return e == CLIENT_RECONNECT ? "reconnect" : "retry";
}

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
