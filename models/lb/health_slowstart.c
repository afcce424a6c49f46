/* Slowstart: the effective weight of a server that just came back ramps
 * from 1/16 of its weight to all of it, HAProxy's server_recalc_eweight
 * (src/server.c) at nanosecond rather than second resolution:
 *
 *     step    = floor(16 * elapsed / duration) + 1      (1 .. 16)
 *     eweight = ceil(weight * step / 16)
 *
 * HAProxy keeps eweight scaled by 16 (BE_WEIGHT_SCALE) so that even weight 1
 * has steps; lb_server's eweight is in weight units, so the figure is
 * rounded up instead (never 0 for a server that is back). O(1).
 */
#include "lbsim/lb_health.h"

#define NS_PER_S 1000000000ULL

void lb_slowstart_begin(struct lb_slowstart *ss, uint64_t now_ns)
{
	if (ss->duration_ns == 0)
		return;
	ss->since_ns = now_ns;
	ss->active = 1;
}

uint32_t lb_slowstart_eweight(const struct lb_slowstart *ss, uint32_t weight, uint64_t now_ns)
{
	if (!ss->active || ss->duration_ns == 0 || weight == 0)
		return weight;
	uint64_t elapsed = now_ns > ss->since_ns ? now_ns - ss->since_ns : 0;
	if (elapsed >= ss->duration_ns)
		return weight;
	uint64_t step;
	if (elapsed <= UINT64_MAX / LB_SLOWSTART_STEPS)
		step = LB_SLOWSTART_STEPS * elapsed / ss->duration_ns + 1;
	else /* elapsed < duration, both huge: the quotient is safe this way */
		step = elapsed / (ss->duration_ns / LB_SLOWSTART_STEPS) + 1;
	if (step > LB_SLOWSTART_STEPS)
		step = LB_SLOWSTART_STEPS;
	return (uint32_t)(((uint64_t)weight * step + LB_SLOWSTART_STEPS - 1) / LB_SLOWSTART_STEPS);
}

int lb_slowstart_update(struct lb_slowstart *ss, struct lb_pool *pool, uint32_t server,
			uint64_t now_ns)
{
	if (server >= pool->nservers)
		return LB_ERANGE;
	struct lb_server *s = &pool->servers[server];
	uint32_t ew = lb_slowstart_eweight(ss, s->weight, now_ns);
	int err;
	if (ew != s->eweight && (err = lb_server_set_eweight(pool, server, ew)) < 0)
		return err;
	if (ss->active && (now_ns < ss->since_ns || now_ns - ss->since_ns < ss->duration_ns))
		return 1;
	ss->active = 0;
	return 0;
}

uint64_t lb_slowstart_next_update_ns(const struct lb_slowstart *ss, uint64_t now_ns)
{
	uint64_t step = ss->duration_ns / 20;
	return now_ns + (step > NS_PER_S ? step : NS_PER_S);
}
