/* What a logged request was: its Exchange workload (from the URI) and the
 * kind of client that sent it (from the user agent).
 *
 * Workloads are Exchange 2013's virtual directories, matched on the first
 * path segment, case-insensitively, with the paths clients actually ask
 * for below them (/owa/auth/logon.aspx, /EWS/Exchange.asmx,
 * /rpc/rpcproxy.dll, /mapi/emsmdb and /mapi/nspi,
 * /autodiscover/autodiscover.xml, /OAB/<guid>/oab.xml,
 * /Microsoft-Server-ActiveSync/default.eas); the health page of any of
 * them is a balancer's or Managed Availability's probe, not a client
 * request; /powershell (remote management), /PushNotifications and
 * anything else are not client workloads. The table is in
 * sim/logs/log_classify.c with its sources.
 */
#ifndef LBSIM_LOG_CLASSIFY_H
#define LBSIM_LOG_CLASSIFY_H

#include <stddef.h>

/* The workload of a URI path (no query): enum workload, LOG_WL_NONE or
 * LOG_WL_PROBE (log_reader.h). */
int log_uri_workload(const char *stem, size_t len);

/* A request the server holds open for a long time: ActiveSync Ping (Cmd=Ping
 * in the query, or command code 18 in a base64-encoded query), the
 * RPC_IN_DATA and RPC_OUT_DATA channels of Outlook Anywhere, MAPI's
 * NotificationWait. 1 or 0. */
int log_is_long_poll(int workload, const char *method, size_t mlen, const char *query,
		     size_t qlen);

enum log_client_kind {
	LOG_CLIENT_UNKNOWN = 0,    /* no user agent */
	LOG_CLIENT_OUTLOOK,        /* Outlook for Windows (MAPI/HTTP, Outlook Anywhere, EWS) */
	LOG_CLIENT_OUTLOOK_MAC,    /* Outlook for Mac (EWS) */
	LOG_CLIENT_OUTLOOK_MOBILE, /* Outlook for iOS and Android (ActiveSync or the cloud service) */
	LOG_CLIENT_IOS,            /* iPhone and iPad Mail (ActiveSync) */
	LOG_CLIENT_ANDROID,        /* Android mail apps (ActiveSync) */
	LOG_CLIENT_EAS_OTHER,      /* other ActiveSync devices */
	LOG_CLIENT_BROWSER,        /* a web browser (OWA, ECP) */
	LOG_CLIENT_EXCHANGE,       /* Exchange itself: probes, proxying between servers */
	LOG_CLIENT_OTHER,          /* anything else: scripts, integrations */
	LOG_CLIENT_KIND_COUNT
};

/* The kind of client from its user agent (as logged: IIS's '+' for spaces
 * is understood) and the workload it asked for (a user agent that names no
 * device on ActiveSync is LOG_CLIENT_EAS_OTHER). */
enum log_client_kind log_client_kind(const char *agent, size_t len, int workload);

const char *log_client_kind_name(enum log_client_kind k);

#endif
