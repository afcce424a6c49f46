/* URI stems to Exchange workloads, user agents to client kinds; see
 * include/lbsim/log_classify.h.
 *
 * The virtual directories are those Exchange 2013 creates on the Client
 * Access role's Default Web Site (Get-OwaVirtualDirectory,
 * Get-EcpVirtualDirectory, Get-ActiveSyncVirtualDirectory,
 * Get-WebServicesVirtualDirectory, Get-OutlookAnywhere (/rpc),
 * Get-MapiVirtualDirectory, Get-AutodiscoverVirtualDirectory,
 * Get-OabVirtualDirectory). Below each, the paths clients ask for:
 *   /owa/, /owa/auth/logon.aspx, /owa/service.svc, /owa/ev.owa2, /owa/<build>/
 *   /ecp/, /ecp/DDI/DDIService.svc, /ecp/?rfr=owa
 *   /Microsoft-Server-ActiveSync/default.eas (and /Proxy between servers)
 *   /EWS/Exchange.asmx, /EWS/Services.wsdl, /EWS/mrsproxy.svc
 *   /rpc/rpcproxy.dll (RPC_IN_DATA and RPC_OUT_DATA)
 *   /mapi/emsmdb/, /mapi/nspi/
 *   /Autodiscover/Autodiscover.xml, /autodiscover/autodiscover.svc,
 *   /autodiscover/autodiscover.json
 *   /OAB/<guid>/oab.xml and its .lzx files
 * Exchange's Managed Availability serves /<vdir>/healthcheck.htm on each,
 * which balancers probe: such a request is a probe, whoever sent it.
 * Not client workloads: /powershell (remote management), /PushNotifications
 * (server-to-server), /, /favicon.ico, anything else.
 *
 * Matching is on whole path segments ("/owa" and "/owa/x" are OWA,
 * "/owanot" is not), case-insensitively (IIS paths are).
 *
 * User agents (as mobile devices and clients send them; IIS logs spaces
 * as '+'): "Outlook-iOS/2.0", "Outlook-Android/2.0" (Outlook mobile, before
 * the platform tests: they also name iOS or Android); "Apple-iPhone9C1/
 * 1602.92", "iOS/16.1 (20B82) dataaccessd/1.0" (iOS Mail);
 * "Android/13-EAS-2.0", "Android-Mail/2023...", "SAMSUNG-SM-G991B/101.13"
 * (Android); "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook
 * 16.0...)", "MSRPC" (Outlook Anywhere's RPC channel); "MacOutlook/16.x";
 * "Mozilla/5.0 ..." (browsers); "AMProbe/...", "Exchange/15.0..."
 * (Exchange's own probes and proxying).
 */
#include "lbsim/log_classify.h"

#include <string.h>

#include "lbsim/log_reader.h"
#include "lbsim/workload.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive: does s[0 .. len) start with the lower-case word w? */
static int starts_with(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != w[i])
			return 0;
	return 1;
}

/* Case-insensitive search for the lower-case word w in s[0 .. len). */
static int contains(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	if (n == 0)
		return 1;
	for (size_t i = 0; i + n <= len; i++) {
		if (lower(s[i]) != w[0])
			continue;
		size_t k = 1;
		while (k < n && lower(s[i + k]) == w[k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

static const struct {
	const char *vdir;      /* lower case, without the leading '/' */
	int workload;
} vdirs[] = {
	{"owa", WL_OWA},
	{"ecp", WL_ECP},
	{"microsoft-server-activesync", WL_EAS},
	{"ews", WL_EWS},
	{"rpc", WL_OA},
	{"mapi", WL_MAPI},
	{"autodiscover", WL_AUTODISCOVER},
	{"oab", WL_OAB},
};

int log_uri_workload(const char *stem, size_t len)
{
	if (len < 2 || stem[0] != '/')
		return LOG_WL_NONE;
	const char *seg = stem + 1;
	size_t rest = len - 1;
	size_t seglen = 0;
	while (seglen < rest && seg[seglen] != '/')
		seglen++;
	for (size_t i = 0; i < sizeof vdirs / sizeof vdirs[0]; i++) {
		size_t n = strlen(vdirs[i].vdir);
		if (seglen != n || !starts_with(seg, seglen, vdirs[i].vdir))
			continue;
		/* /<vdir>/healthcheck.htm, exactly: the probe's page. */
		const char *tail = seg + seglen;
		size_t tlen = rest - seglen;
		if (tlen == 16 && starts_with(tail, tlen, "/healthcheck.htm"))
			return LOG_WL_PROBE;
		return vdirs[i].workload;
	}
	return LOG_WL_NONE;
}

/* The value of the first byte of a base64 quartet's decoding, and the
 * second: EAS base64 queries start with the protocol version, then the
 * command code (MS-ASHTTP 2.2.1.1.1.1). -1 when not base64. */
static int b64(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

#define EAS_COMMAND_PING 18    /* MS-ASHTTP 2.2.1.1.1.1.2, command codes */

/* An ActiveSync query that asks for Ping: "Cmd=Ping" as a parameter, or a
 * base64 query whose second byte is command code 18. */
static int eas_ping(const char *q, size_t len)
{
	if (len > 0 && q[0] == '?') {
		q++;
		len--;
	}
	for (size_t i = 0; i + 8 <= len; i++) {
		if ((i == 0 || q[i - 1] == '&') && starts_with(q + i, len - i, "cmd=ping") &&
		    (i + 8 == len || q[i + 8] == '&'))
			return 1;
	}
	if (len >= 4 && !memchr(q, '=', len < 16 ? len : 16)) {
		int a = b64(q[0]), b = b64(q[1]), c = b64(q[2]);
		if (a >= 0 && b >= 0 && c >= 0) {
			int second = ((b & 0x0f) << 4) | (c >> 2);
			return second == EAS_COMMAND_PING;
		}
	}
	return 0;
}

int log_is_long_poll(int workload, const char *method, size_t mlen, const char *query,
		     size_t qlen)
{
	switch (workload) {
	case WL_EAS:
		return query && eas_ping(query, qlen);
	case WL_OA:
		return method && (starts_with(method, mlen, "rpc_in_data") ||
				  starts_with(method, mlen, "rpc_out_data"));
	case WL_MAPI:
		return query && contains(query, qlen, "notificationwait");
	default:
		return 0;
	}
}

static const char *const kind_names[LOG_CLIENT_KIND_COUNT] = {
	[LOG_CLIENT_UNKNOWN] = "unknown",
	[LOG_CLIENT_OUTLOOK] = "outlook",
	[LOG_CLIENT_OUTLOOK_MAC] = "outlook-mac",
	[LOG_CLIENT_OUTLOOK_MOBILE] = "outlook-mobile",
	[LOG_CLIENT_IOS] = "ios",
	[LOG_CLIENT_ANDROID] = "android",
	[LOG_CLIENT_EAS_OTHER] = "eas-other",
	[LOG_CLIENT_BROWSER] = "browser",
	[LOG_CLIENT_EXCHANGE] = "exchange",
	[LOG_CLIENT_OTHER] = "other",
};

const char *log_client_kind_name(enum log_client_kind k)
{
	return (unsigned)k < LOG_CLIENT_KIND_COUNT ? kind_names[k] : "?";
}

/* First match wins: the more specific names come first (Outlook mobile
 * names its platform too; Outlook for Windows embeds "Mozilla" in the
 * agent of its browser controls). */
static const struct {
	const char *word;      /* lower case; IIS's '+' stands for a space, so no spaces here */
	int at_start;          /* only at the start of the agent */
	enum log_client_kind kind;
} agents[] = {
	{"outlook-ios", 0, LOG_CLIENT_OUTLOOK_MOBILE},
	{"outlook-android", 0, LOG_CLIENT_OUTLOOK_MOBILE},
	{"amprobe", 0, LOG_CLIENT_EXCHANGE},
	{"msexchange", 0, LOG_CLIENT_EXCHANGE},
	{"exchange/", 1, LOG_CLIENT_EXCHANGE},
	{"macoutlook", 0, LOG_CLIENT_OUTLOOK_MAC},
	{"microsoft outlook", 0, LOG_CLIENT_OUTLOOK},
	{"microsoft+outlook", 0, LOG_CLIENT_OUTLOOK},
	{"microsoft office", 0, LOG_CLIENT_OUTLOOK},
	{"microsoft+office", 0, LOG_CLIENT_OUTLOOK},
	{"msrpc", 1, LOG_CLIENT_OUTLOOK},
	{"apple-", 1, LOG_CLIENT_IOS},
	{"ios/", 1, LOG_CLIENT_IOS},
	{"dataaccessd", 0, LOG_CLIENT_IOS},
	{"android", 0, LOG_CLIENT_ANDROID},
	{"samsung-", 1, LOG_CLIENT_ANDROID},
	{"mozilla/", 1, LOG_CLIENT_BROWSER},
	{"opera/", 1, LOG_CLIENT_BROWSER},
};

enum log_client_kind log_client_kind(const char *agent, size_t len, int workload)
{
	if (!agent || len == 0)
		return LOG_CLIENT_UNKNOWN;
	for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
		int hit = agents[i].at_start ? starts_with(agent, len, agents[i].word)
					     : contains(agent, len, agents[i].word);
		if (hit)
			return agents[i].kind;
	}
	return workload == WL_EAS ? LOG_CLIENT_EAS_OTHER : LOG_CLIENT_OTHER;
}
