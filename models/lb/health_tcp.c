/* tcp: connect and close. It sees only that something accepts connections
 * on the port: a server whose ActiveSync is broken while IIS still listens
 * passes (the l4 design's blind spot the simulator measures).
 *
 * Cost 1 is the unit: one connection accepted and closed, about 12 us of a
 * core (~83,000 TCP connections/s per core, HAProxy manual; DESIGN.md). */
#include "lbsim/lb_health.h"

static int tcp_evaluate(const struct lb_hc *check, const struct lb_hc_reply *r)
{
	/* A reply at exactly the timeout is too late: the timer has fired. */
	return r->connected && r->elapsed_ns < check->params.timeout_ns;
}

const struct lb_hc_ops lb_hc_tcp = {
	.name = "tcp",
	.description = "TCP connect; sees only that the server accepts connections",
	.cost = 1,
	.probe = LB_HC_PROBE_CONNECT,
	.default_path = NULL,
	.default_status = 0,
	.evaluate = tcp_evaluate,
};
