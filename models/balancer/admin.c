/* The operator's hand on the balancer: drain a server, put it in
 * maintenance, make it ready again (HAProxy's `set server <b>/<s> state
 * drain|maint|ready`, management guide section 9.3); see
 * include/lbsim/balancer.h.
 *
 * What each state does, as HAProxy documents it and so as the core does
 * (lb.h enum lb_admin_state, lb_pers.h lb_pers_server_ok):
 *   drain  "will not accept any new connections other than those that are
 *          accepted via persistence": no new connection or session is
 *          chosen for it; a client whose persistence entry names it keeps
 *          going there; connections and requests on it finish;
 *   maint  "disables any traffic to the server as well as any health
 *          checks": nothing new goes to it, persistent clients are sent
 *          elsewhere (redispatch), its checks stop (balancer_check_paused);
 *          HAProxy leaves established connections alone unless told to
 *          (`shutdown sessions server`, or `on-marked-down
 *          shutdown-sessions` for a check's verdict), so they finish;
 *   ready  back in rotation with the health its checks last gave.
 * Every pool of the design has the server (each lists every server), so
 * the state goes to each. Layer-7 requests waiting in the pools' queues
 * (maxconn) are offered the server's free slots when it is ready again.
 */
#include "balancer_internal.h"

int balancer_set_admin(struct balancer *b, uint32_t server, enum lb_admin_state state,
		       uint64_t now_ns)
{
	(void)now_ns;
	for (uint32_t v = 0; v < b->nvs; v++) {
		for (uint32_t p = 0; p < b->vs[v].npools; p++) {
			struct lb_pool *pool = lb_vs_pool(&b->vs[v], p);
			if (server >= pool->nservers)
				continue;
			if (lb_server_set_admin(pool, server, state) != 0)
				return -1;
			/* Free slots of a server back in rotation go to the
			 * requests waiting in the pool's queue (only maxconn
			 * makes a queue; each call fills one slot, or none). */
			uint32_t slots = pool->servers[server].maxconn;
			for (uint32_t k = 0; b->per_request && state == LB_ADMIN_UP && k < slots; k++)
				bal_queue_slot_freed(b, (int)p, server);
		}
	}
	return 0;
}

uint64_t balancer_check_paused(const struct balancer *b, uint32_t i)
{
	const struct bal_check *c = &b->checks[i];
	const struct lb_pool *pool = lb_vs_pool(&b->vs[c->vs], c->pool);
	if (pool->servers[c->hc.server].admin != LB_ADMIN_MAINT)
		return 0;
	return c->hc.params.inter_ns ? c->hc.params.inter_ns : LB_HC_DEFAULT_INTER_NS;
}
