/* Probe trains: the health probes of a steady check, taken without an
 * event each (issue 19: a sparse scenario spent 98 % of its events on
 * probes and sampling windows).
 *
 * A check is steady when the answer its server gives cannot change before
 * something happens to that server (only a fault changes what a server
 * answers: server_probe reads nothing else, and a probe waits for no
 * core) and the verdict leaves the check as it is: fully up and passing,
 * or fully down and failing (lb_hc_steady). Its next probes then form a
 * train, from `next` every `every` ns, each of the same verdict and the
 * same server work, that changes nothing but sums: the server's busy
 * time, the window's probe operations, the check's counters. Those are
 * added when something reads them or changes them, as if each probe had
 * run:
 *   - the server's busy time before each change of it (the server calls
 *     its probes_settle hook) and before it is read (a window's end, the
 *     run's end);
 *   - the window's probe operations before the window closes;
 *   - all of it at warm-up's end (the measurement starts from zero) and
 *     at the run's end;
 * and a fault on the server ends its trains (world_trains_stop): the
 * probes before the fault are taken, the next one is an event again, and
 * a new train starts when the check is steady again.
 *
 * The same bits as the run with an event per probe (--every-event).
 * Counts are integers: when they go in does not matter within a window.
 * The busy time is a double: its terms go in in time order, one at a
 * time, unless they are all integers whose sum stays below 2^53, where
 * every order gives the same bits and a train's work goes in at once.
 * Events at the same nanosecond run in the order they were scheduled,
 * and a train's probes were never scheduled, so a train never starts
 * where such an order could decide something: when one of its probes
 * would fall, within the run, on a window's end (warm-up's end + k x
 * 10 s, which is also where warm-up ends) or on a fault's beginning or
 * end, the check keeps its events (for round intervals a chance of about
 * one in inter's nanoseconds: the probes' phase is drawn). What is left:
 * a probe at the very nanosecond of a request's arrival or completion, or
 * of another check's probe, on the same server, whose work is taken after
 * theirs; that can change the last bit of a busy time only where the
 * terms are not integers (no train runs on a slow server, but its work
 * stays in the sum) or the sum passes 2^53 core-ns (104 core-days in one
 * run). tests/cli_skip.sh compares the bytes on every bundled scenario
 * and every fault kind; tests/test_trains.c the meeting arithmetic.
 *
 * Cost: O(checks of the server) when one of its trains has a probe due
 * (at most once per probe interval), O(checks) per window closed.
 */
#include "world.h"

#include <stdlib.h>

/* 2^53: below it every integer is a double, and sums of them are exact. */
#define EXACT_INTEGERS 9007199254740992.0

/* Is x an integer below 2^53 (so that sums of such are exact)? A cast,
 * not floor(): this runs for every window. */
static inline int exact_integer(double x)
{
	return x >= 0 && x < EXACT_INTEGERS && x == (double)(uint64_t)x;
}

static sim_time_t gcd(sim_time_t a, sim_time_t b)
{
	while (b) {
		sim_time_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

/* a x b mod m for a, b < m < 2^62, by doubling (no 128-bit product). */
static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
	uint64_t r = 0;
	for (; b; b >>= 1) {
		if (b & 1)
			r = (r + a) % m;
		a = (a + a) % m;
	}
	return r;
}

/* The inverse of a modulo m (a and m coprime, m > 1): extended Euclid. */
static uint64_t inverse_mod(uint64_t a, uint64_t m)
{
	int64_t t = 0, nt = 1;
	uint64_t r = m, nr = a % m;
	while (nr) {
		uint64_t q = r / nr, tr = r - q * nr;
		int64_t tt = t - (int64_t)q * nt;
		r = nr, nr = tr, t = nt, nt = tt;
	}
	return t < 0 ? (uint64_t)(t + (int64_t)m) : (uint64_t)t;
}

/* k x every = warm-up - t0 (mod P) has solutions when the gcd g of every
 * and P divides the right side: then k = k0 modulo P / g, and the
 * meetings recur every lcm(every, P). */
int world_train_meets_window(sim_time_t t0, sim_time_t every, sim_time_t warmup, sim_time_t end)
{
	const uint64_t P = SAMPLE_WINDOW_NS;
	uint64_t g = gcd(every, P);
	uint64_t d = (warmup % P + P - t0 % P) % P;
	if (d % g)
		return 0;
	uint64_t m = P / g;
	uint64_t k = m == 1 ? 0 : mulmod(d / g, inverse_mod(every / g % m, m), m);
	/* The first meeting; then every lcm until one is at or after warm-up. */
	if (every && k > (SIM_TIME_NEVER - t0) / every)
		return 0;
	sim_time_t t = t0 + k * every;
	if (t < warmup) {
		sim_time_t lcm = every / g > SIM_TIME_NEVER / P ? SIM_TIME_NEVER : every / g * P;
		sim_time_t n = (warmup - t + lcm - 1) / lcm;
		if (lcm == SIM_TIME_NEVER || n > (SIM_TIME_NEVER - t) / lcm)
			return 0;
		t += n * lcm;
	}
	return t <= end;
}

/* Could a probe at t0 + k x every (k >= 0) fall on an instant where the
 * order of same-instant events decides something: a window's end within
 * the run, or a fault's beginning or end? */
static int train_meets_event(const struct world *w, sim_time_t t0, sim_time_t every)
{
	if (world_train_meets_window(t0, every, w->scn->warmup, w->scn->warmup + w->scn->duration))
		return 1;
	for (uint32_t i = 0; i < w->scn->nfaults; i++) {
		const struct scn_fault *f = &w->scn->faults[i];
		sim_time_t at[2] = {f->at, f->duration == SIM_TIME_NEVER ? SIM_TIME_NEVER
									 : f->at + f->duration};
		for (int k = 0; k < 2; k++)
			if (at[k] != SIM_TIME_NEVER && at[k] >= t0 && (at[k] - t0) % every == 0)
				return 1;
	}
	return 0;
}

static void settle_hook(void *owner, struct sim_server *srv, sim_time_t now)
{
	world_trains_settle(owner, srv->id, now, 0);
}

int world_trains_init(struct world *w, uint32_t nchecks)
{
	uint32_t n = w->scn->servers.count;
	w->check_first = calloc((size_t)n + 1, sizeof *w->check_first);
	w->server_checks = calloc(nchecks ? nchecks : 1, sizeof *w->server_checks);
	if (!w->check_first || !w->server_checks)
		return -1;
	/* The checks of server s: server_checks[check_first[s] ..
	 * check_first[s + 1]), by counting sort. */
	for (uint32_t i = 0; i < nchecks; i++)
		w->check_first[w->probes[i].server + 1]++;
	for (uint32_t s = 0; s < n; s++)
		w->check_first[s + 1] += w->check_first[s];
	uint32_t *fill = calloc(n ? n : 1, sizeof *fill);
	if (!fill)
		return -1;
	for (uint32_t i = 0; i < nchecks; i++) {
		uint32_t s = w->probes[i].server;
		w->server_checks[w->check_first[s] + fill[s]++] = i;
	}
	free(fill);
	for (uint32_t s = 0; s < n; s++)
		w->servers[s].probes_settle = settle_hook;
	return 0;
}

void world_trains_free(struct world *w)
{
	free(w->check_first);
	free(w->server_checks);
	w->check_first = w->server_checks = NULL;
}

int world_train_start(struct world *w, struct probe_state *ps, sim_time_t next, int ok)
{
	struct sim_server *srv = &w->servers[ps->server];
	if (!w->skip_ahead || srv->slow != 1.0 || !balancer_probe_steady(&w->bal, ps->check, ok))
		return 0;
	sim_time_t every = balancer_probe_interval(&w->bal, ps->check);
	if (every == 0 || train_meets_event(w, next, every))
		return 0;
	struct bal_probe_target t = balancer_probe_target(&w->bal, ps->check);
	ps->next = next;
	ps->every = every;
	ps->ok = (uint8_t)(ok != 0);
	ps->work = server_probe_work(srv, t.work_units);
	if (next < srv->probes_due)
		srv->probes_due = next;
	return 1;
}

/* Add the work of the probes each train of server s takes (ps->take) to
 * its busy time, one at a time in time order (ties: by check). */
static void work_in_order(struct world *w, uint32_t s)
{
	struct sim_server *srv = &w->servers[s];
	const uint32_t *checks = &w->server_checks[w->check_first[s]];
	uint32_t nc = w->check_first[s + 1] - w->check_first[s];
	for (uint32_t k = 0; k < nc; k++)
		w->probes[checks[k]].done = 0;
	for (;;) {
		struct probe_state *best = NULL;
		sim_time_t best_at = SIM_TIME_NEVER;
		for (uint32_t k = 0; k < nc; k++) {
			struct probe_state *ps = &w->probes[checks[k]];
			if (ps->done == ps->take)
				continue;
			sim_time_t at = ps->next + ps->done * ps->every;
			if (!best || at < best_at)
				best = ps, best_at = at;
		}
		if (!best)
			return;
		srv->busy_core_ns += best->work;
		best->done++;
	}
}

void world_trains_settle(struct world *w, uint32_t s, sim_time_t until, int with_until)
{
	struct sim_server *srv = &w->servers[s];
	if (srv->probes_due > until || (srv->probes_due == until && !with_until))
		return;
	sim_time_t last = with_until ? until : until - 1; /* until > probes_due >= 0 here */
	const uint32_t *checks = &w->server_checks[w->check_first[s]];
	uint32_t nc = w->check_first[s + 1] - w->check_first[s];
	double work = 0;
	int integers = exact_integer(srv->busy_core_ns);
	for (uint32_t k = 0; k < nc; k++) {
		struct probe_state *ps = &w->probes[checks[k]];
		ps->take = ps->next <= last ? (last - ps->next) / ps->every + 1 : 0;
		if (!ps->take || ps->work == 0)
			continue;
		work += (double)ps->take * ps->work;
		integers &= exact_integer(ps->work);
	}
	if (work > 0) {
		if (integers && srv->busy_core_ns + work <= EXACT_INTEGERS)
			srv->busy_core_ns += work;
		else
			work_in_order(w, s);
	}
	srv->probes_due = SIM_TIME_NEVER;
	for (uint32_t k = 0; k < nc; k++) {
		struct probe_state *ps = &w->probes[checks[k]];
		if (ps->take) {
			balancer_probes_repeat(&w->bal, ps->check, ps->take, ps->ok,
					       ps->next + (ps->take - 1) * ps->every);
			ps->next += ps->take * ps->every;
		}
		if (ps->next < srv->probes_due)
			srv->probes_due = ps->next;
	}
}

void world_trains_settle_all(struct world *w, sim_time_t until, int with_until)
{
	for (uint32_t s = 0; s < w->scn->servers.count; s++)
		world_trains_settle(w, s, until, with_until);
}

int world_trains_stop(struct world *w, uint32_t s)
{
	sim_time_t now = sim_now(&w->eng);
	world_trains_settle(w, s, now, 0);
	for (uint32_t k = w->check_first[s]; k < w->check_first[s + 1]; k++) {
		struct probe_state *ps = &w->probes[w->server_checks[k]];
		if (ps->next == SIM_TIME_NEVER)
			continue;
		/* The probe after the fault is an event again, at the time the
		 * check has for it. */
		if (sim_schedule(&w->eng, &ps->ev, ps->next) != 0)
			return -1;
		ps->next = SIM_TIME_NEVER;
	}
	w->servers[s].probes_due = SIM_TIME_NEVER;
	return 0;
}
