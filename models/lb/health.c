/* Health checks: the rise/fall state machine of one check, its probe
 * schedule, and the server state derived from several checks.
 *
 * The state machine is HAProxy's single counter (src/check.c,
 * set_server_check_status): health runs from 0 to rise+fall-1 and the check
 * is up when health >= rise. The one counter gives hysteresis both ways
 * without a second counter, and makes the interval choice a function of
 * health alone (srv_getinter): fully up (rise+fall-1) probes at inter, fully
 * down (0) at downinter, anything in between is a state in doubt and probes
 * at fastinter.
 *
 * A check at either end of the counter (fully up and passing, fully down
 * and failing) is steady: its next results change nothing but its
 * counters, so a run of them can be taken at once (lb_hc_repeat), which
 * is how the simulator skips the probes of servers where nothing happens.
 *
 * Everything here is O(1) per result (and per run of steady results)
 * except lb_hc_server_up and lb_hc_commit, linear in the checks handed
 * to them.
 */
#include "lbsim/lb_health.h"

#include <string.h>

int lb_hc_init(struct lb_hc *check, const struct lb_hc_ops *ops,
	       const struct lb_hc_params *params, uint32_t id, uint32_t server,
	       int32_t workload, struct lb_hc_log *log, uint64_t first_probe_ns)
{
	memset(check, 0, sizeof *check);
	if (!ops || !ops->evaluate)
		return LB_EINVAL;
	struct lb_hc_params p;
	if (params)
		p = *params;
	else
		memset(&p, 0, sizeof p);
	char why[160];
	if (lb_hc_check(ops, &p, why, sizeof why, NULL))
		return LB_EINVAL;
	lb_param_fill_defaults(lb_hc_params_common, &p);
	if (p.fastinter_ns == 0)
		p.fastinter_ns = p.inter_ns;
	if (p.downinter_ns == 0)
		p.downinter_ns = p.inter_ns;
	if (p.timeout_ns == 0)
		p.timeout_ns = p.inter_ns;
	if (p.path[0] == '\0' && ops->default_path) {
		if (strlen(ops->default_path) >= sizeof p.path)
			return LB_EINVAL;
		strcpy(p.path, ops->default_path);
	}
	if (p.expect_status == 0)
		p.expect_status = ops->default_status;

	switch (p.init) {
	case LB_HC_INIT_UP:         check->health = p.rise; break;
	case LB_HC_INIT_FULLY_UP:   check->health = p.rise + p.fall - 1; break;
	case LB_HC_INIT_DOWN:       check->health = p.rise - 1; break;
	case LB_HC_INIT_FULLY_DOWN: check->health = 0; break;
	default:                    return LB_EINVAL;
	}
	check->up = check->health >= p.rise;
	check->ops = ops;
	check->params = p;
	check->log = log;
	check->id = id;
	check->server = server;
	check->workload = workload;
	check->next_probe_ns = first_probe_ns;
	check->last_change_ns = first_probe_ns;
	return LB_OK;
}

uint64_t lb_hc_interval_ns(const struct lb_hc *check)
{
	const struct lb_hc_params *p = &check->params;
	if (check->health == p->rise + p->fall - 1)
		return p->inter_ns;
	if (!check->up && check->health == 0)
		return p->downinter_ns;
	return p->fastinter_ns;
}

uint64_t lb_hc_next_probe_ns(const struct lb_hc *check, uint64_t now_ns)
{
	return check->next_probe_ns > now_ns ? check->next_probe_ns : now_ns;
}

/* Append a transition of check id at `at` to log (may be NULL), overwriting
 * the oldest event when the ring is full. */
static void log_push(struct lb_hc_log *log, uint64_t at, uint32_t id, int up)
{
	if (!log || log->cap == 0)
		return;
	uint32_t slot;
	if (log->len < log->cap) {
		slot = (log->start + log->len) % log->cap;
		log->len++;
	} else {
		slot = log->start;
		log->start = (log->start + 1) % log->cap;
	}
	log->ev[slot] = (struct lb_hc_event){ .at_ns = at, .check_id = id, .up = (uint8_t)(up != 0) };
	log->total++;
}

int lb_hc_result(struct lb_hc *check, uint64_t now_ns, int ok)
{
	const struct lb_hc_params *p = &check->params;
	const uint32_t full = p->rise + p->fall - 1;
	int was_up = check->up;

	check->probes++;
	if (!ok) {
		check->failures++;
		if (check->health > 0) {
			check->health--;
			if (check->health < p->rise)
				check->health = 0;
		}
	} else if (check->health < full) {
		check->health++;
		if (check->health >= p->rise)
			check->health = full;
	}
	check->up = check->health >= p->rise;
	check->next_probe_ns = now_ns + lb_hc_interval_ns(check);

	if (check->up == was_up)
		return 0;
	check->transitions++;
	check->last_change_ns = now_ns;
	log_push(check->log, now_ns, check->id, check->up);
	return 1;
}

int lb_hc_reply(struct lb_hc *check, uint64_t now_ns, const struct lb_hc_reply *reply)
{
	return lb_hc_result(check, now_ns, check->ops->evaluate(check, reply) != 0);
}

int lb_hc_verdict(const struct lb_hc *check, const struct lb_hc_reply *reply)
{
	return check->ops->evaluate(check, reply) != 0;
}

int lb_hc_steady(const struct lb_hc *check, int ok)
{
	const struct lb_hc_params *p = &check->params;
	return ok ? check->health == p->rise + p->fall - 1 : check->health == 0;
}

void lb_hc_repeat(struct lb_hc *check, uint64_t n, int ok, uint64_t last_ns)
{
	if (n == 0)
		return;
	check->probes += n;
	if (!ok)
		check->failures += n;
	check->next_probe_ns = last_ns + lb_hc_interval_ns(check);
}

const char *lb_hc_path(const struct lb_hc *check)
{
	return check->params.path;
}

int lb_hc_expect_status(const struct lb_hc *check)
{
	return check->params.expect_status;
}

int lb_hc_server_up(const struct lb_hc *checks, size_t n, uint32_t server)
{
	for (size_t i = 0; i < n; i++)
		if (checks[i].server == server && !checks[i].up)
			return 0;
	return 1;
}

int lb_hc_commit(struct lb_pool *pool, const struct lb_hc *checks, size_t n,
		 struct lb_slowstart *ss, uint64_t now_ns)
{
	int changed = 0, err;
	for (uint32_t s = 0; s < pool->nservers; s++) {
		int up = lb_hc_server_up(checks, n, s);
		if (up == (pool->servers[s].healthy != 0))
			continue;
		/* Lower the weight while the server is still out of rotation,
		 * so that it never takes a full share before the ramp. A server
		 * going down stops its ramp (HAProxy's warmup task stops when
		 * the server is no longer starting). */
		if (up && ss && ss[s].duration_ns) {
			lb_slowstart_begin(&ss[s], now_ns);
			if ((err = lb_slowstart_update(&ss[s], pool, s, now_ns)) < 0)
				return err;
		} else if (!up && ss) {
			ss[s].active = 0;
		}
		if ((err = lb_server_set_healthy(pool, s, up)) < 0)
			return err;
		changed++;
	}
	return changed;
}
