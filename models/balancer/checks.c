/* Health checks of a design: what each check watches, when it probes, and
 * what a probe's result does to the pools; see include/lbsim/balancer.h.
 *
 * The world has the server answer each probe as a real server would
 * (connected, status, time taken, logon accepted, transaction done) and
 * the check's kind judges that answer in the core (lb_hc_reply), so a tcp,
 * an http and a deep check of the same server can disagree: that is the
 * difference between the designs' checks the runs measure. The verdict
 * feeds the check's rise/fall state machine; when the check changes
 * state, the server's state in the one pool the check feeds is committed
 * to that pool's algorithm
 * (lb_server_set_healthy, which rebuilds tables). A commit that fails
 * leaves the server's old state in the pool and is reported to the caller:
 * the pool and the check then disagree, and a run that goes on would report
 * figures of a balancer that does not exist.
 *
 * Every probe costs the balancer one probe operation, counted in the
 * window's CPU but in no request's work. O(1) per probe plus the pool's
 * rebuild on a change; a run of probes that change nothing is counted at
 * once (balancer_probes_repeat), in O(1).
 */
#include "balancer_internal.h"

struct bal_probe_target balancer_probe_target(const struct balancer *b, uint32_t i)
{
	const struct bal_check *c = &b->checks[i];
	return (struct bal_probe_target){.server = c->hc.server, .workload = c->workload,
					 .sends = c->hc.ops->probe, .work_units = c->hc.ops->cost};
}

uint64_t balancer_probe_due(const struct balancer *b, uint32_t i, uint64_t now_ns)
{
	return lb_hc_next_probe_ns(&b->checks[i].hc, now_ns);
}

int balancer_probe_reply(struct balancer *b, uint32_t i, uint64_t now_ns,
			 const struct lb_hc_reply *reply)
{
	struct bal_check *c = &b->checks[i];
	BAL_COUNT(b, probes, 1);
	if (!lb_hc_reply(&c->hc, now_ns, reply))
		return 0;
	struct lb_pool *pool = lb_vs_pool(&b->vs[c->vs], c->pool);
	if (!pool || lb_server_set_healthy(pool, c->hc.server, c->hc.up) != 0)
		return -1;
	return 1;
}

int balancer_probe_verdict(const struct balancer *b, uint32_t i, const struct lb_hc_reply *reply)
{
	return lb_hc_verdict(&b->checks[i].hc, reply);
}

int balancer_probe_steady(const struct balancer *b, uint32_t i, int ok)
{
	return lb_hc_steady(&b->checks[i].hc, ok);
}

uint64_t balancer_probe_interval(const struct balancer *b, uint32_t i)
{
	return lb_hc_interval_ns(&b->checks[i].hc);
}

void balancer_probes_repeat(struct balancer *b, uint32_t i, uint64_t n, int ok, uint64_t last_ns)
{
	BAL_COUNT(b, probes, n);
	lb_hc_repeat(&b->checks[i].hc, n, ok, last_ns);
}

uint32_t balancer_transitions(const struct balancer *b)
{
	return b->log.len;
}

struct bal_transition balancer_transition(const struct balancer *b, uint32_t i)
{
	const struct lb_hc_event *e = lb_hc_log_at(&b->log, i);
	if (!e)
		return (struct bal_transition){.workload = -1};
	const struct bal_check *c = &b->checks[e->check_id];
	return (struct bal_transition){.at_ns = e->at_ns, .server = c->hc.server,
				       .workload = c->workload, .up = e->up};
}
