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
#include "lbsim/event_kind.h"

#include <stdlib.h>


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
	/* Probes cost balancer CPU but belong to no client request. */
	w->ops_window.probes++;
	balancer_probe_result(&w->bal, ps->check, now, ok);
	uint64_t next = lb_hc_next_probe_ns(&chk->hc, now);
	world_schedule(w, ev, next > now ? next - now : 1);
}

/* Memory the balancer holds now: what its core structures measure
 * (pools, persistence tables) plus, priced per object, its connection
 * table (l4) or its proxied connections and TLS session cache (l7). The
 * cache holds the sessions created within its lifetime: by Little's law,
 * the full-handshake rate of the window times the lifetime. */
static double lb_memory_now(const struct world *w, double window_s)
{
	const struct cost_params *p = &w->design->costs;
	double bytes = (double)balancer_mem_bytes(&w->bal);
	double conns = (double)w->lb_conns_open;
	if (w->bal.per_request) {
		bytes += conns * (w->design->tls_reencrypt ? p->conn_reencrypt_bytes : p->conn_bytes);
		double rate = window_s > 0 ? (double)w->ops_window.tls_full / window_s : 0;
		bytes += rate * p->tls_cache_lifetime_s * p->tls_cache_entry_bytes;
	} else {
		bytes += conns * p->flow_bytes + p->flow_buckets * p->flow_bucket_bytes;
	}
	return bytes;
}

/* Close the current window: price its operations, note CPU and memory. */
void world_sample(struct world *w, sim_time_t window_ns)
{
	if (window_ns == 0)
		return;
	double window_s = (double)window_ns / (double)SIM_NS_PER_S;
	uint32_t n = w->scn->servers.count;
	if (w->nsamples == w->samples_cap) {
		uint32_t cap = w->samples_cap ? w->samples_cap * 2 : 64;
		struct lb_sample *grown = realloc(w->samples, cap * sizeof *grown);
		if (grown)
			w->samples = grown;
		uint32_t *loads = realloc(w->window_requests, (size_t)cap * n * sizeof *loads);
		if (loads)
			w->window_requests = loads;
		if (!grown || !loads) {
			w->out_of_memory = 1;
			sim_stop(&w->eng);
			return;
		}
		w->samples_cap = cap;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t now_count = w->servers[i].requests;
		w->window_requests[(size_t)w->nsamples * n + i] = (uint32_t)(now_count - w->last_requests[i]);
		w->last_requests[i] = now_count;
	}
	struct lb_sample *s = &w->samples[w->nsamples++];
	s->t_s = (double)sim_now(&w->eng) / (double)SIM_NS_PER_S;
	s->cpu_cores = cost_cpu_ns(&w->design->costs, &w->ops_window) / (double)window_ns;
	s->mem_bytes = lb_memory_now(w, window_s);
	cost_counts_add(&w->ops_measured, &w->ops_window);
	w->ops_window = (struct cost_counts){0};
}

static void on_sample(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = ev->ctx;
	world_sample(w, SAMPLE_WINDOW_NS);
	/* The last window may be shorter: the run closes it (run.c). */
	if (sim_now(eng) + SAMPLE_WINDOW_NS <= w->scn->warmup + w->scn->duration)
		world_schedule(w, ev, SAMPLE_WINDOW_NS);
}

/* Start sampling at the end of warm-up. */
void world_sampling_start(struct world *w)
{
	w->ops_window = (struct cost_counts){0};
	/* Server counts were just reset for the measurement window. */
	for (uint32_t i = 0; i < w->scn->servers.count; i++)
		w->last_requests[i] = 0;
	sim_event_init(&w->sample, on_sample, w, EV_SAMPLE);
	if (w->scn->duration >= SAMPLE_WINDOW_NS)
		world_schedule(w, &w->sample, SAMPLE_WINDOW_NS);
}

int world_events_init(struct world *w)
{
	const struct scenario *scn = w->scn;
	w->last_requests = calloc(scn->servers.count, sizeof *w->last_requests);
	if (!w->last_requests)
		return -1;
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
	free(w->samples);
	free(w->window_requests);
	free(w->last_requests);
	w->faults = NULL;
	w->probes = NULL;
	w->samples = NULL;
	w->window_requests = NULL;
	w->last_requests = NULL;
}
