/* The URI-to-workload table (every Exchange 2013 virtual directory and
 * the paths clients ask for below it, case-insensitive, whole segments;
 * health pages as probes; what is no client workload), long polls, and
 * user agents to client kinds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lbsim/log_classify.h"
#include "lbsim/log_reader.h"
#include "lbsim/workload.h"

static int wl(const char *stem)
{
	return log_uri_workload(stem, strlen(stem));
}

static void test_uri_table(void **state)
{
	(void)state;
	static const struct {
		const char *stem;
		int workload;
	} cases[] = {
		{"/owa", WL_OWA},
		{"/owa/", WL_OWA},
		{"/OWA/auth/logon.aspx", WL_OWA},
		{"/owa/service.svc", WL_OWA},
		{"/owa/15.0.1497.2/scripts/boot.js", WL_OWA},
		{"/ecp/", WL_ECP},
		{"/ECP/DDI/DDIService.svc/GetList", WL_ECP},
		{"/Microsoft-Server-ActiveSync", WL_EAS},
		{"/Microsoft-Server-ActiveSync/default.eas", WL_EAS},
		{"/microsoft-server-activesync/Proxy/default.eas", WL_EAS},
		{"/EWS/Exchange.asmx", WL_EWS},
		{"/ews/exchange.asmx/wssecurity", WL_EWS},
		{"/EWS/mrsproxy.svc", WL_EWS},
		{"/rpc/rpcproxy.dll", WL_OA},
		{"/RPC/RpcProxy.dll", WL_OA},
		{"/mapi/emsmdb/", WL_MAPI},
		{"/mapi/nspi/", WL_MAPI},
		{"/MAPI/emsmdb", WL_MAPI},
		{"/Autodiscover/Autodiscover.xml", WL_AUTODISCOVER},
		{"/autodiscover/autodiscover.svc", WL_AUTODISCOVER},
		{"/autodiscover/autodiscover.json", WL_AUTODISCOVER},
		{"/OAB/3f5c2bd0-7c55-4f9a-8d51-2b1a7b5e0c11/oab.xml", WL_OAB},
		{"/oab/3f5c2bd0-7c55-4f9a-8d51-2b1a7b5e0c11/a1.lzx", WL_OAB},
		/* Health pages: a probe, whichever directory. */
		{"/owa/healthcheck.htm", LOG_WL_PROBE},
		{"/Microsoft-Server-ActiveSync/HealthCheck.htm", LOG_WL_PROBE},
		{"/mapi/healthcheck.htm", LOG_WL_PROBE},
		{"/OAB/healthcheck.htm", LOG_WL_PROBE},
		/* Below a directory, a page of that name is the workload's. */
		{"/owa/x/healthcheck.htm", WL_OWA},
		/* Not client workloads. */
		{"/powershell", LOG_WL_NONE},
		{"/PowerShell/", LOG_WL_NONE},
		{"/PushNotifications/", LOG_WL_NONE},
		{"/", LOG_WL_NONE},
		{"/favicon.ico", LOG_WL_NONE},
		{"/owanot", LOG_WL_NONE},
		{"/ews2/exchange.asmx", LOG_WL_NONE},
		{"/rpcwithcert/rpcproxy.dll", LOG_WL_NONE},
		{"owa/", LOG_WL_NONE},
		{"", LOG_WL_NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (wl(cases[i].stem) != cases[i].workload)
			fail_msg("%s: got %d, want %d", cases[i].stem, wl(cases[i].stem),
				 cases[i].workload);
	/* Every workload's own path and health page, from workload.c. */
	for (int w = 0; w < WL_COUNT; w++) {
		assert_int_equal(wl(workload_path((enum workload)w)), w);
		assert_int_equal(wl(workload_health_path((enum workload)w)), LOG_WL_PROBE);
	}
}

static int lp(int workload, const char *method, const char *query)
{
	return log_is_long_poll(workload, method, method ? strlen(method) : 0, query,
				query ? strlen(query) : 0);
}

static void test_long_polls(void **state)
{
	(void)state;
	assert_true(lp(WL_EAS, "POST", "Cmd=Ping&User=x&DeviceId=y"));
	assert_true(lp(WL_EAS, "POST", "User=x&cmd=ping&DeviceId=y"));
	assert_true(lp(WL_EAS, "POST", "?Cmd=Ping"));
	assert_false(lp(WL_EAS, "POST", "Cmd=Sync&User=x"));
	assert_false(lp(WL_EAS, "POST", "Cmd=PingX&User=x"));
	assert_false(lp(WL_EAS, "POST", "XCmd=Ping"));
	assert_false(lp(WL_EAS, "POST", NULL));
	/* Base64 queries (MS-ASHTTP 2.2.1.1.1.1): version 141 (0x8d), command
	 * 18 (Ping): bytes 8d 12 .. -> "jRI"; command 0 (Sync) -> "jQA". */
	assert_true(lp(WL_EAS, "POST", "jRIJBBAAAAAA"));
	assert_false(lp(WL_EAS, "POST", "jQAJBBAAAAAA"));
	assert_true(lp(WL_OA, "RPC_IN_DATA", NULL));
	assert_true(lp(WL_OA, "RPC_OUT_DATA", NULL));
	assert_false(lp(WL_OA, "POST", NULL));
	assert_true(lp(WL_MAPI, "POST", "MailboxId=a&RequestType=NotificationWait"));
	assert_false(lp(WL_MAPI, "POST", "MailboxId=a&RequestType=Execute"));
	assert_false(lp(WL_OWA, "POST", "Cmd=Ping"));
}

static enum log_client_kind kind(const char *agent, int workload)
{
	return log_client_kind(agent, agent ? strlen(agent) : 0, workload);
}

static void test_user_agents(void **state)
{
	(void)state;
	static const struct {
		const char *agent;
		int workload;
		enum log_client_kind kind;
	} cases[] = {
		{"Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16130; Pro)", WL_MAPI,
		 LOG_CLIENT_OUTLOOK},
		{"Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.16130;+Pro)", WL_MAPI,
		 LOG_CLIENT_OUTLOOK},
		{"MSRPC", WL_OA, LOG_CLIENT_OUTLOOK},
		{"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; Microsoft Outlook 16.0.5)", WL_OWA,
		 LOG_CLIENT_OUTLOOK},
		{"MacOutlook/16.80.23121017 (Intelx64 Mac OS X 14.2.1 (Build 23C71))", WL_EWS,
		 LOG_CLIENT_OUTLOOK_MAC},
		{"Outlook-iOS/2.0", WL_EAS, LOG_CLIENT_OUTLOOK_MOBILE},
		{"Outlook-Android/2.0", WL_EAS, LOG_CLIENT_OUTLOOK_MOBILE},
		{"Apple-iPhone14C2/2104.110", WL_EAS, LOG_CLIENT_IOS},
		{"Apple-iPad13C1/2104.110", WL_EAS, LOG_CLIENT_IOS},
		{"iOS/17.2.1 (21C66) dataaccessd/1.0", WL_EAS, LOG_CLIENT_IOS},
		{"Android/13-EAS-2.0", WL_EAS, LOG_CLIENT_ANDROID},
		{"Android-Mail/2023.12.03.588413004.Release", WL_EAS, LOG_CLIENT_ANDROID},
		{"SAMSUNG-SM-G991B/101.1301", WL_EAS, LOG_CLIENT_ANDROID},
		{"TouchDown(MSRPC)/8.5.00074", WL_EAS, LOG_CLIENT_EAS_OTHER},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0", WL_OWA,
		 LOG_CLIENT_BROWSER},
		{"Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_15_7)+Safari/605.1.15", WL_ECP,
		 LOG_CLIENT_BROWSER},
		{"AMProbe/Local/ClientAccess", WL_OWA, LOG_CLIENT_EXCHANGE},
		{"Exchange/15.00.1497.002", WL_EWS, LOG_CLIENT_EXCHANGE},
		{"curl/8.4.0", WL_EWS, LOG_CLIENT_OTHER},
		{NULL, WL_OWA, LOG_CLIENT_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum log_client_kind k = kind(cases[i].agent, cases[i].workload);
		if (k != cases[i].kind)
			fail_msg("%s: got %s, want %s", cases[i].agent ? cases[i].agent : "(none)",
				 log_client_kind_name(k), log_client_kind_name(cases[i].kind));
	}
	for (int k = 0; k < LOG_CLIENT_KIND_COUNT; k++)
		assert_string_not_equal(log_client_kind_name((enum log_client_kind)k), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_table),
		cmocka_unit_test(test_long_polls),
		cmocka_unit_test(test_user_agents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
