/* Scheduled happenings of a run that are not client traffic: the fault
 * timeline of the scenario and the balancer's health probes.
 *
 * A probe asks the server what its health page would answer now: a tcp
 * check sees only whether the server is up; an http check on a workload's
 * page sees that workload too (Managed Availability answers 200 only while
 * the workload is healthy). The answer goes to the balancer core's
 * rise/fall state machine, which decides when the pool stops (or starts
 * again) sending to the server.
 */
#include "world.h"

#include <stdlib.h>

enum { EV_FAULT = 20, EV_PROBE = 21 };

static void apply_fault(struct world *w, const struct scn_fault *f, int on)
{
	struct sim_server *srv = &w->servers[f->server];
	switch (f->kind) {
	case SCN_FAULT_SERVER_DOWN:
		server_set_down(&w->eng, srv, on);
		/* Layer-4 connections to a dead server are reset; their
		 * clients reconnect after their back-off. */
		if (on)
			world_cut_server(w, f->server);
		break;
	case SCN_FAULT_WORKLOAD_DOWN:
		server_set_workload_down(&w->eng, srv, f->workload, on);
		break;
	case SCN_FAULT_SLOW:
		server_set_slow(srv, on ? f->factor : 1.0);
		break;
	}
}

static void on_fault(struct sim_engine *eng, struct sim_event *ev)
{
	struct fault_state *fs = ev->ctx;
	struct world *w = fs->world;
	fs->active = !fs->active;
	if (fs->active)
		fs->began = sim_now(eng);
	else
		fs->ended = sim_now(eng);
	apply_fault(w, fs->f, fs->active);
	if (fs->active && fs->f->duration != SIM_TIME_NEVER)
		world_schedule(w, ev, fs->f->duration);
}

static void on_probe(struct sim_engine *eng, struct sim_event *ev)
{
	struct probe_state *ps = ev->ctx;
	struct world *w = ps->world;
	struct bal_check *chk = &w->bal.checks[ps->check];
	sim_time_t now = sim_now(eng);
	int ok = server_health_ok(&w->servers[chk->hc.server], chk->workload);
	balancer_probe_result(&w->bal, ps->check, now, ok);
	uint64_t next = lb_hc_next_probe_ns(&chk->hc, now);
	world_schedule(w, ev, next > now ? next - now : 1);
}

int world_events_init(struct world *w)
{
	const struct scenario *scn = w->scn;
	if (scn->nfaults) {
		w->faults = calloc(scn->nfaults, sizeof *w->faults);
		if (!w->faults)
			return -1;
	}
	for (uint32_t i = 0; i < scn->nfaults; i++) {
		struct fault_state *fs = &w->faults[i];
		fs->f = &scn->faults[i];
		fs->world = w;
		fs->began = fs->ended = SIM_TIME_NEVER;
		sim_event_init(&fs->ev, on_fault, fs, EV_FAULT);
		if (sim_schedule(&w->eng, &fs->ev, fs->f->at) != 0)
			return -1;
	}
	if (w->bal.nchecks) {
		w->probes = calloc(w->bal.nchecks, sizeof *w->probes);
		if (!w->probes)
			return -1;
	}
	for (uint32_t i = 0; i < w->bal.nchecks; i++) {
		struct probe_state *ps = &w->probes[i];
		ps->check = i;
		ps->world = w;
		sim_event_init(&ps->ev, on_probe, ps, EV_PROBE);
		if (sim_schedule(&w->eng, &ps->ev, w->bal.checks[i].hc.next_probe_ns) != 0)
			return -1;
	}
	return 0;
}

void world_events_free(struct world *w)
{
	free(w->faults);
	free(w->probes);
	w->faults = NULL;
	w->probes = NULL;
}
