/* deep: an authenticated request that exercises the workload end to end
 * (log on, open the mailbox, read), as a synthetic transaction would. It
 * sees failures the health page misses (authentication, the mailbox store
 * behind the front end) and costs the server the most.
 *
 * Cost 20 is an assumption, not a measurement: a logon (a directory lookup)
 * and a mailbox read are each several times a static page. The figure only
 * orders the kinds for the cost model; replace it with a measured one. */
#include "lbsim/lb_health.h"

static int deep_evaluate(const struct lb_hc *check, const struct lb_hc_reply *r)
{
	return r->connected && r->elapsed_ns < check->params.timeout_ns &&
	       r->status == check->params.expect_status && r->authenticated &&
	       r->end_to_end_ok;
}

const struct lb_hc_ops lb_hc_deep = {
	.name = "deep",
	.description = "authenticated end-to-end request; sees workload failures, costs the server most",
	.cost = 20,
	.probe = LB_HC_PROBE_TRANSACTION,
	.default_path = "/owa/",
	.default_status = 200,
	.params = lb_hc_params_request,
	.evaluate = deep_evaluate,
};
