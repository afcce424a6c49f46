/* A backend server answering a balancer's health probe, from its state, as
 * an Exchange 2013 Client Access server would; see include/lbsim/server.h.
 *
 *   what the probe sends   what the server answers
 *   connect                connected, unless the server is down
 *   the health page        200 while the workload is up, else 503 (Managed
 *                          Availability takes a failed workload's
 *                          /<workload>/healthcheck.htm to 503); the page
 *                          is anonymous, so a failed logon or mailbox store
 *                          does not change it
 *   a transaction          logs on (fails while authentication is down:
 *                          401), then runs the workload against its
 *                          mailbox (fails while the workload or its store
 *                          is down: 503); 200 when both worked
 *
 * The answer takes the probe's work (SERVER_PROBE_UNIT_NS per unit, times
 * the slow factor) and that work is the server's CPU: a deep check costs
 * the server what its kind says. A probe waits for no core: its work is a
 * few tens of microseconds against requests of milliseconds, so queueing
 * it would change no figure but the probe's own elapsed time (a
 * simplification: a server saturated to the point of failing its checks
 * by queueing alone is not modelled). A dead server refuses the connection
 * at once (connected 0); the verdict comes at the probe's instant.
 *
 * O(1), O(WL_COUNT) for a transaction of no workload.
 */
#include "lbsim/server.h"

#define HTTP_OK 200
#define HTTP_UNAUTHORIZED 401
#define HTTP_UNAVAILABLE 503

/* Does workload's transaction reach a working mailbox store? A
 * transaction of no particular workload (-1) needs every store. */
static int transaction_works(const struct sim_server *srv, int32_t workload)
{
	if (workload >= 0)
		return !srv->wl_down[workload] && !srv->store_down[workload];
	for (int w = 0; w < WL_COUNT; w++)
		if (srv->wl_down[w] || srv->store_down[w])
			return 0;
	return 1;
}

double server_probe_work(const struct sim_server *srv, uint32_t work_units)
{
	return srv->down ? 0 : (double)work_units * SERVER_PROBE_UNIT_NS * srv->slow;
}

struct lb_hc_reply server_probe(struct sim_server *srv, int32_t workload, enum lb_hc_probe sends,
				uint32_t work_units)
{
	struct lb_hc_reply r = {0};
	if (srv->down)
		return r;
	double work = server_probe_work(srv, work_units);
	/* The busy integral is additive: the probe's CPU joins it directly. */
	srv->busy_core_ns += work;
	r.connected = 1;
	r.elapsed_ns = (uint64_t)work;
	switch (sends) {
	case LB_HC_PROBE_CONNECT:
		break;
	case LB_HC_PROBE_PAGE:
		r.status = workload >= 0 && srv->wl_down[workload] ? HTTP_UNAVAILABLE : HTTP_OK;
		break;
	case LB_HC_PROBE_TRANSACTION:
		r.authenticated = !srv->auth_down;
		r.end_to_end_ok = r.authenticated && transaction_works(srv, workload);
		r.status = !r.authenticated ? HTTP_UNAUTHORIZED
			   : r.end_to_end_ok ? HTTP_OK : HTTP_UNAVAILABLE;
		break;
	}
	return r;
}
