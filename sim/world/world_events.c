/* Scheduled happenings of a run that are not client traffic: the fault
 * timeline of the scenario, the balancer's health probes (those of a
 * steady check as a train without events: world_trains.c) and the
 * sampling windows (lazy: on_sample).
 *
 * A probe goes to the server, which answers what the check sends as a
 * real server would (models/server_probe.c); the balancer's check kind
 * judges the answer (a tcp check sees only whether the server is up, an
 * http check on a workload's page that workload too, a deep check also
 * the logon and the mailbox store) and its rise/fall state machine decides
 * when the pool stops (or starts again) sending to the server. The world
 * carries the probe and decides nothing.
 */
#include "world.h"
#include "lbsim/event_kind.h"

#include <stdlib.h>
#include <string.h>


static void apply_fault(struct world *w, const struct scn_fault *f, int on)
{
	struct sim_server *srv = &w->servers[f->server];
	switch (f->kind) {
	case SCN_FAULT_SERVER_DOWN:
		server_set_down(&w->eng, srv, on);
		/* Layer-4 connections to a dead server are reset; their
		 * clients reconnect after their back-off. */
		if (on)
			clients_cut_server(&w->clients, f->server);
		break;
	case SCN_FAULT_WORKLOAD_DOWN:
		server_set_workload_down(&w->eng, srv, f->workload, on);
		break;
	case SCN_FAULT_SLOW:
		server_set_slow(srv, on ? f->factor : 1.0);
		break;
	case SCN_FAULT_AUTH_DOWN:
		server_set_auth_down(srv, on);
		break;
	case SCN_FAULT_DRAIN:
	case SCN_FAULT_MAINT:
		/* The operator's act at the balancer, not a failure of the
		 * server: the server works on (models/balancer/admin.c). */
		if (balancer_set_admin(&w->bal, f->server,
				       !on ? LB_ADMIN_UP
					   : f->kind == SCN_FAULT_DRAIN ? LB_ADMIN_DRAIN : LB_ADMIN_MAINT,
				       sim_now(&w->eng)) != 0) {
			w->out_of_memory = 1;
			sim_stop(&w->eng);
		}
		break;
	case SCN_FAULT_STORE_DOWN:
		if (f->all_workloads) {
			for (int k = 0; k < WL_COUNT; k++)
				server_set_store_down(&w->eng, srv, (enum workload)k, on);
		} else {
			server_set_store_down(&w->eng, srv, f->workload, on);
		}
		break;
	}
}

static void on_fault(struct sim_engine *eng, struct sim_event *ev)
{
	struct fault_state *fs = ev->ctx;
	struct world *w = fs->world;
	/* What the server answers its probes changes: its checks' trains end. */
	if (world_trains_stop(w, fs->f->server) != 0) {
		w->out_of_memory = 1;
		sim_stop(eng);
		return;
	}
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
	sim_time_t now = sim_now(eng);
	uint64_t paused = balancer_check_paused(&w->bal, ps->check);
	if (paused) {
		/* In maintenance: HAProxy sends no checks; look again later. */
		world_schedule(w, ev, paused);
		return;
	}
	struct bal_probe_target t = balancer_probe_target(&w->bal, ps->check);
	/* The server's busy time takes its other checks' train probes first. */
	world_trains_settle(w, t.server, now, 0);
	struct lb_hc_reply reply = server_probe(&w->servers[t.server], t.workload, t.sends,
						t.work_units);
	if (balancer_probe_reply(&w->bal, ps->check, now, &reply) < 0) {
		/* A pool could not rebuild for the new state: out of memory. */
		w->out_of_memory = 1;
		sim_stop(eng);
		return;
	}
	uint64_t next = balancer_probe_due(&w->bal, ps->check, now);
	if (next <= now)
		next = now + 1;
	if (!world_train_start(w, ps, next, balancer_probe_verdict(&w->bal, ps->check, &reply)))
		world_schedule(w, ev, next - now);
}

/* Close the window ending at `at`: the balancer prices its operations and
 * says what it holds; the peaks take it in, and so does the series' point
 * being gathered (when the run keeps series). Everything here is read as
 * of `at`, never of the engine's clock, so that a window with no event in
 * it can be closed ahead of its end (on_sample). */
void world_sample(struct world *w, sim_time_t at, sim_time_t window_ns)
{
	if (window_ns == 0)
		return;
	/* The trains' probes before the end are in the window (none falls
	 * on it: world_trains.c). */
	world_trains_settle_all(w, at, 0);
	double cpu;
	struct cost_mem split;
	balancer_window_close(&w->bal, window_ns, at, &cpu, &split);
	double mem = cost_mem_total(&split);
	w->windows++;
	double wns = (double)window_ns;
	w->mem_sampled_ns += wns;
#define PART(f)                                                          \
	do {                                                             \
		w->mem_split_sum.f += split.f * wns;                     \
		if (split.f > w->mem_split_peak.f)                       \
			w->mem_split_peak.f = split.f;                   \
	} while (0)
	PART(conn_base);
	PART(buffers);
	PART(streams);
	PART(backend);
	PART(caches);
	PART(tables);
#undef PART
	if (cpu > w->cpu_peak)
		w->cpu_peak = cpu;
	if (mem > w->mem_peak)
		w->mem_peak = mem;
	uint32_t n = w->scn->servers.count;
	sim_time_t now = at;
	int steady = steady_between(&w->steady, now - window_ns, now);
	if (steady) {
		w->steady_ns += (double)window_ns;
		w->steady_cpu_ns += cpu * (double)window_ns;
		if (cpu > w->steady_cpu_peak)
			w->steady_cpu_peak = cpu;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_server *srv = &w->servers[i];
		uint64_t now_count = srv->requests;
		if (w->keep_series)
			w->point_requests[i] += (uint32_t)(now_count - w->last_requests[i]);
		/* Core-ns busy since the measurement began, and the window's. */
		double busy = server_busy_fraction(srv, now) * (double)(now - srv->window_start) *
			      srv->cores;
		if (steady) {
			/* At most the window's core time (server_busy_fraction
			 * says why the probes' work could exceed it). */
			double cap = (double)window_ns * srv->cores, inc = busy - w->last_busy_ns[i];
			w->steady_requests[i] += now_count - w->last_requests[i];
			w->steady_busy_ns[i] += inc < cap ? inc : cap;
		}
		w->last_busy_ns[i] = busy;
		w->last_requests[i] = now_count;
	}
	if (!w->keep_series)
		return;
	w->point_ns += (double)window_ns;
	w->point_cpu_ns += cpu * (double)window_ns;
	if (mem > w->point_mem)
		w->point_mem = mem;
	if (++w->point_windows == w->series_every)
		world_series_flush(w, at);
}

void world_series_flush(struct world *w, sim_time_t at)
{
	if (!w->keep_series || w->point_windows == 0)
		return;
	uint32_t n = w->scn->servers.count;
	if (w->nsamples == w->samples_cap) {
		/* The capacity is the most points the run can have: cannot
		 * happen, but never write past it. */
		w->out_of_memory = 1;
		sim_stop(&w->eng);
		return;
	}
	struct lb_sample *s = &w->samples[w->nsamples];
	s->t_s = (double)at / (double)SIM_NS_PER_S;
	s->window_s = w->point_ns / (double)SIM_NS_PER_S;
	s->cpu_cores = w->point_cpu_ns / w->point_ns;
	s->mem_bytes = w->point_mem;
	memcpy(&w->window_requests[(size_t)w->nsamples * n], w->point_requests,
	       n * sizeof *w->point_requests);
	memset(w->point_requests, 0, n * sizeof *w->point_requests);
	w->nsamples++;
	w->point_windows = 0;
	w->point_ns = w->point_cpu_ns = w->point_mem = 0;
}

/* A window ends now. Skipping ahead, so do the windows after it that end
 * before the next event: nothing happens in them (no request moves, no
 * fault, no check changes state; a steady check's probes are counted
 * into them by the probe trains below), so each is closed now with the
 * figures it will have at its end, and costs no event. A window ending at
 * the very instant of the next event is left to its own event, scheduled
 * now as the every-event run would have scheduled it: after that event,
 * which was pending before it, and before anything scheduled later, as
 * in the every-event run (whose window event is scheduled at the window
 * before, with nothing run in between). */
static void on_sample(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = ev->ctx;
	sim_time_t at = sim_now(eng), end = w->scn->warmup + w->scn->duration;
	world_sample(w, at, SAMPLE_WINDOW_NS);
	if (w->skip_ahead) {
		sim_time_t next = sim_next_time(eng);
		while (at + SAMPLE_WINDOW_NS <= end && at + SAMPLE_WINDOW_NS < next) {
			at += SAMPLE_WINDOW_NS;
			world_sample(w, at, SAMPLE_WINDOW_NS);
		}
	}
	/* The last window may be shorter: the run closes it (run.c). */
	if (at + SAMPLE_WINDOW_NS <= end && sim_schedule(eng, ev, at + SAMPLE_WINDOW_NS) != 0) {
		w->out_of_memory = 1;
		sim_stop(eng);
	}
}

/* Start sampling at the end of warm-up. */
void world_sampling_start(struct world *w)
{
	balancer_measure_start(&w->bal);
	/* Server counts were just reset for the measurement window. */
	for (uint32_t i = 0; i < w->scn->servers.count; i++)
		w->last_requests[i] = 0, w->last_busy_ns[i] = 0;
	sim_event_init(&w->sample, on_sample, w, EV_SAMPLE);
	if (w->scn->duration >= SAMPLE_WINDOW_NS)
		world_schedule(w, &w->sample, SAMPLE_WINDOW_NS);
}

int world_events_init(struct world *w, uint32_t rep)
{
	const struct scenario *scn = w->scn;
	uint32_t n = scn->servers.count;
	w->last_requests = calloc(n, sizeof *w->last_requests);
	w->steady_requests = calloc(n, sizeof *w->steady_requests);
	w->steady_busy_ns = calloc(n, sizeof *w->steady_busy_ns);
	w->last_busy_ns = calloc(n, sizeof *w->last_busy_ns);
	w->steady_latency = malloc(sizeof *w->steady_latency);
	w->unsteady_latency = malloc(sizeof *w->unsteady_latency);
	if (!w->last_requests || !w->steady_requests || !w->steady_busy_ns || !w->last_busy_ns ||
	    !w->steady_latency || !w->unsteady_latency)
		return -1;
	hist_init(w->steady_latency);
	hist_init(w->unsteady_latency);
	steady_init(&w->steady, scn);
	/* The series' points, allocated once: their number is known. */
	w->keep_series = run_keeps_series(rep);
	w->series_every = run_series_every(scn);
	if (w->keep_series) {
		w->samples_cap = run_series_points(scn) + 1;
		w->samples = calloc(w->samples_cap, sizeof *w->samples);
		w->window_requests = calloc((size_t)w->samples_cap * n, sizeof *w->window_requests);
		w->point_requests = calloc(n, sizeof *w->point_requests);
		if (!w->samples || !w->window_requests || !w->point_requests)
			return -1;
	}
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
	uint32_t nchecks = balancer_stats(&w->bal).health_checks;
	if (nchecks) {
		w->probes = calloc(nchecks, sizeof *w->probes);
		if (!w->probes)
			return -1;
	}
	for (uint32_t i = 0; i < nchecks; i++) {
		struct probe_state *ps = &w->probes[i];
		ps->check = i;
		ps->world = w;
		ps->server = balancer_probe_target(&w->bal, i).server;
		ps->next = SIM_TIME_NEVER;
		sim_event_init(&ps->ev, on_probe, ps, EV_PROBE);
		if (sim_schedule(&w->eng, &ps->ev, balancer_probe_due(&w->bal, i, 0)) != 0)
			return -1;
	}
	return world_trains_init(w, nchecks);
}

void world_events_free(struct world *w)
{
	world_trains_free(w);
	free(w->faults);
	free(w->probes);
	free(w->samples);
	free(w->window_requests);
	free(w->point_requests);
	free(w->last_requests);
	free(w->steady_requests);
	free(w->steady_busy_ns);
	free(w->last_busy_ns);
	free(w->steady_latency);
	free(w->unsteady_latency);
	w->steady_requests = NULL;
	w->steady_busy_ns = w->last_busy_ns = NULL;
	w->steady_latency = w->unsteady_latency = NULL;
	w->faults = NULL;
	w->probes = NULL;
	w->samples = NULL;
	w->window_requests = NULL;
	w->point_requests = NULL;
	w->last_requests = NULL;
}
