/* http: GET a path and expect a status, by default Exchange 2013's Managed
 * Availability page /owa/healthcheck.htm answering 200. Managed Availability
 * serves one such page per workload (/<workload>/healthcheck.htm) and stops
 * answering 200 when its own probes find that workload broken, so an http
 * check per (server, workload) sees a workload fail while the server lives.
 *
 * Cost 2: a connection (1) plus one small request, ~6 us of a core
 * (~160,000 requests/s per core, HAProxy manual), rounded up. Over TLS a full
 * handshake dominates (~1,300/s per core, ~770 us, about 64 units): the cost
 * model adds it when checks use TLS. */
#include "lbsim/lb_health.h"

static int http_evaluate(const struct lb_hc *check, const struct lb_hc_reply *r)
{
	return r->connected && r->elapsed_ns < check->params.timeout_ns &&
	       r->status == check->params.expect_status;
}

const struct lb_hc_ops lb_hc_http = {
	.name = "http",
	.description = "HTTP GET of a path, expecting a status (default /owa/healthcheck.htm, 200)",
	.cost = 2,
	.probe = LB_HC_PROBE_PAGE,
	.default_path = "/owa/healthcheck.htm",
	.default_status = 200,
	.params = lb_hc_params_request,
	.evaluate = http_evaluate,
};
