/* One run: sets up the world (world.h), runs it, checks that no request was
 * lost, and gathers the results; see include/lbsim/run.h. */
#include "lbsim/run.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"
#include "lbsim/event_kind.h"
#include "lbsim/huge_pages.h"
#include "lbsim/rng.h"


double run_cdf_q(unsigned i)
{
	return i < 99 ? (double)(i + 1) / 100.0 : i == 99 ? 0.995 : 0.999;
}

static void on_warmup_end(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = ev->ctx;
	/* Warm-up's probes are counted before the measurement starts from
	 * zero (warm-up's end is never a train's instant: world_trains.c). */
	world_trains_settle_all(w, sim_now(eng), 0);
	for (uint32_t i = 0; i < w->scn->servers.count; i++)
		server_reset_window(&w->servers[i], sim_now(eng));
	world_sampling_start(w);
}

static void world_free(struct world *w)
{
	/* The engine first: it marks the pending events, which live in the
	 * structures freed below, as idle. */
	sim_engine_free(&w->eng);
	world_events_free(w);
	clients_free(&w->clients);
	for (uint32_t i = 0; w->servers && i < w->scn->servers.count; i++)
		server_free(&w->servers[i]);
	server_free(&w->lb);
	free(w->servers);
	free(w->server_conns_opened);
	free(w->latency);
	balancer_free(&w->bal);
	request_pool_free(&w->requests);
}

static int world_init(struct world *w, const struct scenario *scn, uint32_t d, uint32_t rep,
		      unsigned flags, char *err, size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->skip_ahead = !(flags & RUN_EVERY_EVENT);
	w->scn = scn;
	w->seeded_design = scn->designs[d];
	w->design = &w->seeded_design;
	w->warmup_at = scn->warmup;
	request_pool_init(&w->requests);
	uint32_t n = scn->servers.count;
	snprintf(err, errlen, "out of memory setting up design '%s'", w->design->name);
	if (sim_engine_init(&w->eng, 0) != 0)
		return -1;
	/* The core's own random draws (balance random) are the balancer's,
	 * not the clients': seeded per (seed, replication, design), so that
	 * replications differ and designs do not share a sequence. */
	char stream[SCN_NAME_MAX + 16];
	snprintf(stream, sizeof stream, "balance/%s", w->design->name);
	w->seeded_design.sel_params.seed = rng_stream_seed(scn->seed, rep, stream);
	/* When the balancer started its checks, relative to the run: a
	 * uniform phase within one interval, drawn per (seed, replication,
	 * design). A real balancer starts at a moment unrelated to the
	 * failure, so the time from a fault to the first probe that sees it
	 * is uniform over an interval; one fixed phase would give every
	 * replication the same detection time and its interval no width. */
	struct rng phase;
	snprintf(stream, sizeof stream, "checks/%s", w->design->name);
	rng_stream(&phase, scn->seed, rep, stream);
	double probe_phase = rng_u01(&phase);
	if (balancer_init(&w->bal, scn, w->design, probe_phase, err, errlen) != 0)
		return -1;
	balancer_set_ready_hook(&w->bal, world_slots_freed, w);
	w->servers = calloc(n, sizeof *w->servers);
	w->server_conns_opened = calloc(n, sizeof *w->server_conns_opened);
	if (!w->servers || !w->server_conns_opened)
		return -1;
	/* The latency histograms, the servers' (and the balancer's cores')
	 * then the workloads', in one block on huge pages: a completion
	 * counts in its server's, and at scale those are hundreds, each a
	 * TLB miss on small pages (issue 19 item 5). */
	w->latency = huge_calloc(n + 1 + WL_COUNT, sizeof *w->latency);
	if (!w->latency)
		return -1;
	for (int k = 0; k < WL_COUNT; k++) {
		w->wl_latency[k] = &w->latency[n + 1 + k];
		hist_init(w->wl_latency[k]);
	}
	for (uint32_t i = 0; i < n; i++)
		if (server_init(&w->servers[i], i, scn_server_cores(&scn->servers, i), &w->latency[i],
				&w->requests, world_server_done, w) != 0)
			return -1;
	if (w->design->lb_cores) {
		if (server_init(&w->lb, n, w->design->lb_cores, &w->latency[n], &w->requests, world_lb_done,
				w) != 0)
			return -1;
		w->lb_limited = 1;
	}
	if (world_clients_init(w, rep) != 0 || world_events_init(w, rep) != 0) {
		if (w->clients.error[0])
			snprintf(err, errlen, "%s", w->clients.error);
		return -1;
	}
	world_lookahead_attach(w);
	sim_event_init(&w->warmup_end, on_warmup_end, w, EV_WARMUP_END);
	return sim_schedule(&w->eng, &w->warmup_end, scn->warmup);
}

/* When did the balancer first mark down what fault f broke? A check
 * notices when it watches f's server and, for a fault of one workload,
 * that workload (a tcp check, or another workload's page, never does);
 * whether its kind can see the fault at all (a deep check sees a failed
 * logon, an http check does not) the check decided when it judged the
 * server's answers. */
static double detect_seconds(const struct world *w, const struct scn_fault *f)
{
	if (f->kind == SCN_FAULT_SLOW || f->kind == SCN_FAULT_DRAIN || f->kind == SCN_FAULT_MAINT)
		return NAN; /* grey failure, or the operator's own act: no check is to see it */
	uint32_t n = balancer_transitions(&w->bal);
	for (uint32_t i = 0; i < n; i++) {
		struct bal_transition e = balancer_transition(&w->bal, i);
		if (e.up || e.at_ns < f->at)
			continue;
		if (f->duration != SIM_TIME_NEVER && e.at_ns > f->at + f->duration)
			continue;
		if (e.server != f->server)
			continue;
		int wl = scn_fault_workload(f);
		if (wl >= 0 && e.workload != wl)
			continue;
		return (double)(e.at_ns - f->at) / (double)SIM_NS_PER_S;
	}
	return NAN;
}

static int event_before(const void *a, const void *b)
{
	const struct run_event *x = a, *y = b;
	if (x->t_s != y->t_s)
		return x->t_s < y->t_s ? -1 : 1;
	/* Same instant: faults before what the checks saw, then by server. */
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (x->server > y->server) - (x->server < y->server);
}

/* Faults and the balancer's health transitions, in time order. The
 * transition log keeps the latest LOG_CAP events of a run: a run that
 * flaps more than that reports the latest ones. */
static int collect_events(const struct world *w, struct run_result *out)
{
	if (!w->keep_series)
		return 0; /* events.csv keeps the first replications' only */
	uint32_t transitions = balancer_transitions(&w->bal);
	size_t cap = (size_t)transitions + 2 * w->scn->nfaults;
	out->happenings = cap ? calloc(cap, sizeof *out->happenings) : NULL;
	if (cap && !out->happenings)
		return -1;
	uint32_t n = 0;
	for (uint32_t f = 0; f < w->scn->nfaults; f++) {
		const struct fault_state *fs = &w->faults[f];
		const struct scn_fault *cfg = fs->f;
		int32_t wl = scn_fault_workload(cfg);
		if (fs->began != SIM_TIME_NEVER)
			out->happenings[n++] = (struct run_event){(double)fs->began / 1e9, RUN_EVENT_FAULT_BEGIN,
							      (int32_t)cfg->server, wl, (int32_t)f};
		if (fs->ended != SIM_TIME_NEVER)
			out->happenings[n++] = (struct run_event){(double)fs->ended / 1e9, RUN_EVENT_FAULT_END,
							      (int32_t)cfg->server, wl, (int32_t)f};
	}
	for (uint32_t i = 0; i < transitions; i++) {
		struct bal_transition e = balancer_transition(&w->bal, i);
		out->happenings[n++] = (struct run_event){(double)e.at_ns / 1e9,
						      e.up ? RUN_EVENT_CHECK_UP : RUN_EVENT_CHECK_DOWN,
						      (int32_t)e.server, e.workload, -1};
	}
	out->nhappenings = n;
	if (n)
		qsort(out->happenings, n, sizeof *out->happenings, event_before);
	return 0;
}

static void tail_of(const struct histogram *h, double *mean, uint64_t *p50, uint64_t *p95,
		    uint64_t *p99)
{
	*mean = hist_mean(h);
	*p50 = hist_quantile(h, 0.50);
	*p95 = hist_quantile(h, 0.95);
	*p99 = hist_quantile(h, 0.99);
}

/* The skew of x over the servers (n of them) as DESIGN.md defines it:
 * over the servers in rotation, each load divided by its weight, the
 * χ² test against the weight-proportional split. A server of weight 0
 * (servers: list:) is out of rotation and left out. x is overwritten;
 * scratch holds n weights. Without a list every weight is 1. */
static void skew_by_weight(const struct scn_servers *s, double *x, double *scratch, uint32_t n,
			   struct skew *out)
{
	if (!s->each) {
		skew_compute(x, NULL, n, out);
		return;
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t wt = scn_server_weight(s, i);
		if (wt == 0)
			continue;
		x[k] = x[i];
		scratch[k++] = wt;
	}
	skew_compute(x, scratch, k, out);
}

/* The steady state's figures: the steady windows' requests per server
 * (their skew), busy time and balancer CPU, and the requests sent and
 * answered in steady time. load, scratch: room for a value per server
 * each. */
static void steady_of(const struct world *w, double *load, double *scratch,
		      struct steady_result *s)
{
	uint32_t n = w->scn->servers.count;
	s->window_s = w->steady_ns / (double)SIM_NS_PER_S;
	s->sent = w->ledger.steady_sent;
	s->failed = w->ledger.steady_failed;
	s->misrouted = w->ledger.steady_misrouted;
	tail_of(w->steady_latency, &s->response_mean_ns, &s->response_p50_ns, &s->response_p95_ns,
		&s->response_p99_ns);
	double sum = 0;
	s->busy_max = 0;
	for (uint32_t i = 0; i < n; i++) {
		double busy = w->steady_ns > 0
				      ? w->steady_busy_ns[i] / (w->steady_ns * w->servers[i].cores)
				      : 0;
		sum += busy;
		s->busy_max = busy > s->busy_max ? busy : s->busy_max;
		load[i] = (double)w->steady_requests[i];
	}
	s->busy_mean = n ? sum / n : 0;
	skew_by_weight(&w->scn->servers, load, scratch, n, &s->skew);
	s->lb_cpu_cores_mean = w->steady_ns > 0 ? w->steady_cpu_ns / w->steady_ns : 0;
	s->lb_cpu_cores_peak = w->steady_cpu_peak;
}

/* A request parked or in service, on a server or the balancer's cores:
 * counted in flight by workload. */
static void count_held(struct request *r, void *ctx)
{
	uint64_t *in_flight = ctx;
	if (r->where == REQ_PARKED || r->where == REQ_SERVING)
		in_flight[r->workload]++;
}

static int collect(struct world *w, struct run_result *out, char *err, size_t errlen)
{
	const struct scenario *scn = w->scn;
	sim_time_t end = sim_now(&w->eng);
	uint32_t n = scn->servers.count;
	uint64_t in_flight[WL_COUNT] = {0};
	/* The trains' probes up to the end, which ran with an event each. */
	world_trains_settle_all(w, end, 1);
	uint64_t in_system = 0;
	/* The balancer's queue, when it has one, holds requests in flight too. */
	for (uint32_t i = 0; i < n + (uint32_t)w->lb_limited; i++) {
		const struct sim_server *srv = i < n ? &w->servers[i] : &w->lb;
		for (const struct request *r = srv->queue.head; r; r = r->next)
			in_flight[r->workload]++;
		in_system += server_in_system(srv);
	}
	/* Their parked and in-service ones, which no list links. */
	request_pool_each(&w->requests, count_held, in_flight);
	/* So do the network's, between client and balancer either way. */
	for (int k = 0; k < WL_COUNT; k++) {
		in_flight[k] += w->network[k];
		in_system += w->network[k];
	}
	/* And the balancer's queues for a server slot (layer 7, maxconn). */
	const struct bal_queue *queues[] = {w->bal.queues.pool, w->bal.queues.server};
	const uint32_t nqueues[] = {w->bal.queues.npools,
				    w->bal.queues.npools * w->bal.queues.nservers};
	for (int k = 0; k < 2; k++)
		for (uint32_t i = 0; queues[k] && i < nqueues[k]; i++)
			for (const struct bal_wait *wt = queues[k][i].head; wt; wt = wt->next) {
				const struct request *r = (const struct request *)(const void *)(
					(const char *)wt - offsetof(struct request, wait));
				in_flight[r->workload]++;
				in_system++;
			}
	/* Conservation: every request sent is answered, failed, or still on a
	 * server, per workload. Counted independently (the clients, the
	 * server callbacks, the servers' lists), so a lost or duplicated
	 * request shows here. */
	for (int k = 0; k < WL_COUNT; k++) {
		const struct wl_counts *c = &w->ledger.wl[k];
		if (c->sent != c->ok + c->failed + in_flight[k]) {
			snprintf(err, errlen,
				 "internal error: %s requests not conserved (sent %llu, ok %llu, "
				 "failed %llu, in flight %llu)",
				 workload_name((enum workload)k), (unsigned long long)c->sent,
				 (unsigned long long)c->ok, (unsigned long long)c->failed,
				 (unsigned long long)in_flight[k]);
			return -1;
		}
		struct workload_result *wr = &out->workloads[k];
		wr->sent = c->sent;
		wr->ok = c->ok;
		wr->failed = c->failed;
		wr->in_flight = in_flight[k];
		wr->measured_sent = c->measured_sent;
		wr->measured_failed = c->measured_failed;
		wr->measured_misrouted = c->measured_misrouted;
		tail_of(w->wl_latency[k], &wr->response_mean_ns, &wr->response_p50_ns,
			&wr->response_p95_ns, &wr->response_p99_ns);
		out->sent += c->sent;
		out->completed += c->ok;
		out->failed += c->failed;
		out->measured += c->measured_sent;
		out->measured_failed += c->measured_failed;
		out->measured_misrouted += c->measured_misrouted;
	}
	out->in_flight = in_system;
	if (w->requests.live != in_system) {
		snprintf(err, errlen, "internal error: %zu requests allocated, %llu on servers",
			 w->requests.live, (unsigned long long)in_system);
		return -1;
	}
	out->events = w->eng.events_run;
	out->window_s = (double)(end - scn->warmup) / (double)SIM_NS_PER_S;
	struct bal_stats bs = balancer_stats(&w->bal);
	out->connections = w->ledger.conns_opened;
	out->nat_refused = w->ledger.nat_refused;
	out->connect_failed = w->ledger.connect_failed;
	out->tls_full = bs.tls_full;
	out->tls_resumed = bs.tls_resumed;
	out->affinity_breaks = w->ledger.affinity_breaks;
	out->server_changes = w->ledger.server_changes;
	out->redispatched = bs.redispatched;
	out->external_ips = bs.external_ips;
	out->lb_refused = w->lb_refused;
	out->queued = w->queued;
	out->queue_timeouts = w->queue_timeouts;
	out->queue_wait_ns = w->queue_wait_ns;
	out->lb_busy = w->lb_limited ? server_busy_fraction(&w->lb, end) : NAN;
	out->virtual_services = bs.virtual_services;
	out->has_persistence = w->design->persist != NULL;
	out->routed = bs.routed;
	out->persisted = bs.persisted;
	out->health_checks = bs.health_checks;
	out->content_rules = bs.content_rules;
	/* Close the last, possibly short, sampling window, and the series'
	 * last point. */
	sim_time_t measured = end - scn->warmup;
	world_sample(w, end, measured % SAMPLE_WINDOW_NS ? measured % SAMPLE_WINDOW_NS
							  : (w->windows ? 0 : measured));
	world_series_flush(w, end);
	out->ops = *balancer_measured_ops(&w->bal);
	out->lb_cpu_ns = balancer_measured_cpu_ns(&w->bal);
	out->lb_cpu_cores_peak = w->cpu_peak;
	out->lb_mem_bytes_peak = w->mem_peak;
	out->lb_mem_peak = w->mem_split_peak;
	if (w->mem_sampled_ns > 0) {
		const struct cost_mem *s = &w->mem_split_sum;
		double t = w->mem_sampled_ns;
		out->lb_mem_mean = (struct cost_mem){.conn_base = s->conn_base / t,
						     .buffers = s->buffers / t,
						     .streams = s->streams / t,
						     .backend = s->backend / t,
						     .caches = s->caches / t,
						     .tables = s->tables / t};
	}
	out->lb_cpu_cores_mean = measured ? out->lb_cpu_ns / (double)measured : 0;
	out->nsamples = w->nsamples;
	out->samples = w->samples;
	out->window_requests = w->window_requests;
	w->samples = NULL;
	w->window_requests = NULL;
	if (collect_events(w, out) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t p = 0; p < scn->npopulations; p++) {
		out->pop_sent[p] = w->ledger.pop_sent[p];
		out->pop_checksum[p] = w->ledger.pop_hash[p];
		out->traffic_checksum += w->ledger.pop_hash[p];
	}
	out->lb_table_bytes = balancer_mem_peak_bytes(&w->bal);

	out->nservers = n;
	out->servers = calloc(n, sizeof *out->servers);
	out->nfaults = scn->nfaults;
	out->faults = scn->nfaults ? calloc(scn->nfaults, sizeof *out->faults) : NULL;
	double *load = calloc(n, sizeof *load), *conns = calloc(n, sizeof *conns);
	double *sessions = calloc(n, sizeof *sessions), *weights = calloc(n, sizeof *weights);
	struct histogram *all = malloc(sizeof *all);
	if (!out->servers || (scn->nfaults && !out->faults) || !load || !conns || !sessions ||
	    !weights || !all) {
		free(weights);
		free(load);
		free(conns);
		free(sessions);
		free(all);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t f = 0; f < scn->nfaults; f++) {
		const struct fault_state *fs = &w->faults[f];
		out->faults[f].detect_s = detect_seconds(w, &scn->faults[f]);
		out->faults[f].began_s = fs->began == SIM_TIME_NEVER ? NAN :
					 (double)fs->began / (double)SIM_NS_PER_S;
		out->faults[f].ended_s = fs->ended == SIM_TIME_NEVER ? NAN :
					 (double)fs->ended / (double)SIM_NS_PER_S;
	}
	hist_init(all);
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_server *srv = &w->servers[i];
		struct server_result *sr = &out->servers[i];
		sr->requests = srv->requests;
		sr->connections = w->server_conns_opened[i];
		memcpy(sr->wl_requests, srv->wl_requests, sizeof sr->wl_requests);
		sr->busy_fraction = server_busy_fraction(srv, end);
		sr->response_mean_ns = hist_mean(srv->latency);
		sr->response_p99_ns = hist_quantile(srv->latency, 0.99);
		load[i] = (double)srv->requests;
		conns[i] = (double)sr->connections;
		sr->sessions = server_mean_sessions(srv, end);
		sessions[i] = sr->sessions;
	}
	/* The clients' view: from sending to the answer's arrival, which with
	 * balancer cores includes the answer's wait on its way back (a
	 * server's own figures end when it answers). */
	for (int k = 0; k < WL_COUNT; k++)
		hist_merge(all, w->wl_latency[k]);
	/* The steady answers' buckets: the measured answers' less the
	 * unsteady ones' (world.h). */
	int steady_ok = hist_buckets_less(w->steady_latency, all, w->unsteady_latency) == 0;
	skew_by_weight(&scn->servers, load, weights, n, &out->skew);
	for (int k = 0; k < WL_COUNT; k++) {
		for (uint32_t i = 0; i < n; i++)
			load[i] = (double)w->servers[i].wl_requests[k];
		skew_by_weight(&scn->servers, load, weights, n, &out->workloads[k].skew);
	}
	skew_by_weight(&scn->servers, conns, weights, n, &out->skew_conns);
	skew_by_weight(&scn->servers, sessions, weights, n, &out->skew_sessions);
	tail_of(all, &out->response_mean_ns, &out->response_p50_ns, &out->response_p95_ns,
		&out->response_p99_ns);
	for (unsigned i = 0; i < RUN_CDF_POINTS; i++)
		out->response_cdf_ns[i] = hist_quantile(all, run_cdf_q(i));
	if (steady_ok)
		steady_of(w, load, weights, &out->steady);
	free(load);
	free(conns);
	free(sessions);
	free(weights);
	free(all);
	if (!steady_ok) {
		snprintf(err, errlen, "internal error: the steady answers' response times are not "
				      "among the measured answers'");
		return -1;
	}
	return 0;
}

int run_design(const struct scenario *scn, uint32_t d, uint32_t rep,
	       struct run_result *out, char *err, size_t errlen)
{
	return run_design_watched(scn, d, rep, out, err, errlen, NULL, 0);
}

static int world_failed(const struct world *w)
{
	int failed = w->out_of_memory;
	for (uint32_t i = 0; i < w->scn->servers.count; i++)
		failed |= w->servers[i].out_of_memory;
	return failed | clients_failed(&w->clients);
}

/* A run taken in slices: its world, and who watches. */
struct run_state {
	struct world w;
	struct run_progress *progress;
};

static sim_time_t run_end(const struct world *w)
{
	return w->scn->warmup + w->scn->duration;
}

int run_start(const struct scenario *scn, uint32_t d, uint32_t rep,
	      struct run_progress *progress, unsigned flags, struct run_state **out,
	      char *err, size_t errlen)
{
	*out = NULL;
	struct run_state *rs = malloc(sizeof *rs);
	if (!rs) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rs->progress = progress;
	if (world_init(&rs->w, scn, d, rep, flags, err, errlen) != 0) {
		run_abandon(rs);
		return -1;
	}
	if (progress)
		rs->w.eng.profile = progress->profile;
	*out = rs;
	return 0;
}

int run_slice(struct run_state *rs, sim_time_t step)
{
	struct world *w = &rs->w;
	sim_time_t now = sim_now(&w->eng), end = run_end(w);
	if (step == 0)
		step = end / RUN_SLICES ? end / RUN_SLICES : 1;
	sim_run(&w->eng, end - now > step ? now + step : end);
	if (rs->progress) {
		rs->progress->sim_ns = sim_now(&w->eng);
		rs->progress->events = w->eng.events_run;
	}
	/* A handler stops the engine only when memory ran out. */
	return world_failed(w) || sim_now(&w->eng) >= end;
}

sim_time_t run_reached(const struct run_state *rs)
{
	return sim_now(&rs->w.eng);
}

void run_abandon(struct run_state *rs)
{
	if (!rs)
		return;
	world_free(&rs->w);
	free(rs);
}

int run_finish(struct run_state *rs, struct run_result *out, char *err, size_t errlen)
{
	struct world *w = &rs->w;
	int rc = -1;
	memset(out, 0, sizeof *out);
	w->out_of_memory = world_failed(w);
	if (w->clients.error[0])
		snprintf(err, errlen, "%s", w->clients.error);
	else if (w->out_of_memory)
		snprintf(err, errlen, "out of memory during design '%s'", w->design->name);
	else if (sim_now(&w->eng) < run_end(w))
		snprintf(err, errlen, "internal error: design '%s' finished before its end",
			 w->design->name);
	else
		rc = collect(w, out, err, errlen);
	run_abandon(rs);
	if (rc != 0)
		run_result_free(out);
	return rc;
}

int run_design_watched(const struct scenario *scn, uint32_t d, uint32_t rep,
		       struct run_result *out, char *err, size_t errlen,
		       struct run_progress *progress, unsigned flags)
{
	struct run_state *rs;
	memset(out, 0, sizeof *out);
	if (run_start(scn, d, rep, progress, flags, &rs, err, errlen) != 0)
		return -1;
	while (!run_slice(rs, 0))
		;
	return run_finish(rs, out, err, errlen);
}

void run_result_free(struct run_result *res)
{
	free(res->servers);
	free(res->faults);
	free(res->samples);
	free(res->window_requests);
	free(res->happenings);
	res->window_requests = NULL;
	res->happenings = NULL;
	res->servers = NULL;
	res->faults = NULL;
	res->samples = NULL;
}

uint32_t run_series_points(const struct scenario *scn)
{
	uint32_t p = RUN_SERIES_BUDGET / (scn->servers.count + 2);
	return p < RUN_SERIES_MIN_POINTS ? RUN_SERIES_MIN_POINTS
	       : p > RUN_SERIES_MAX_POINTS ? RUN_SERIES_MAX_POINTS : p;
}

uint32_t run_series_every(const struct scenario *scn)
{
	uint64_t windows = (scn->duration + SAMPLE_WINDOW_NS - 1) / SAMPLE_WINDOW_NS;
	uint64_t points = run_series_points(scn);
	uint64_t every = (windows + points - 1) / points;
	return every ? (uint32_t)every : 1;
}

int run_keeps_series(uint32_t rep)
{
	return rep < RUN_SERIES_REPLICATIONS;
}

/* The servers' capacity in cores at time t (faults: down servers give
 * none, slow ones 1/factor of theirs). */
static double capacity_at(const struct scenario *scn, sim_time_t t)
{
	double cores = (double)scn_servers_total_cores(&scn->servers);
	for (uint32_t f = 0; f < scn->nfaults; f++) {
		const struct scn_fault *ft = &scn->faults[f];
		int on = t >= ft->at && (ft->duration == SIM_TIME_NEVER || t < ft->at + ft->duration);
		if (!on)
			continue;
		double own = scn_server_cores(&scn->servers, ft->server);
		/* Drained or in maintenance, the server soon takes no traffic. */
		if (ft->kind == SCN_FAULT_SERVER_DOWN || ft->kind == SCN_FAULT_DRAIN ||
		    ft->kind == SCN_FAULT_MAINT)
			cores -= own;
		else if (ft->kind == SCN_FAULT_SLOW && ft->factor > 1)
			cores -= own * (1 - 1 / ft->factor);
	}
	return cores > 0 ? cores : 0;
}

double run_overload(const struct scenario *scn, double *offered, double *capacity)
{
	double rate = 0; /* open-traffic requests per second */
	for (uint32_t i = 0; i < scn->npopulations; i++)
		rate += (double)scn->populations[i].users * scn->populations[i].request_rate;
	double service_s = (double)scn->servers.service_mean / 1e9;
	*offered = rate * service_s;
	*capacity = capacity_at(scn, 0);
	if (rate == 0 || service_s <= 0)
		return 0;
	/* Piecewise over the fault boundaries: what arrives beyond what the
	 * capacity of the moment serves piles up (and is never taken off
	 * again here: an upper bound). */
	sim_time_t end = scn->warmup + scn->duration, t = 0;
	double piled = 0;
	while (t < end) {
		sim_time_t next = end;
		for (uint32_t f = 0; f < scn->nfaults; f++) {
			const struct scn_fault *ft = &scn->faults[f];
			if (ft->at > t && ft->at < next)
				next = ft->at;
			if (ft->duration != SIM_TIME_NEVER && ft->at + ft->duration > t &&
			    ft->at + ft->duration < next)
				next = ft->at + ft->duration;
		}
		double cap = capacity_at(scn, t);
		if (cap < *capacity)
			*capacity = cap;
		double excess = rate - cap / service_s;
		if (excess > 0)
			piled += excess * (double)(next - t) / 1e9;
		t = next;
	}
	return piled;
}

size_t run_result_estimate(const struct scenario *scn, uint32_t rep)
{
	double bytes = sizeof(struct run_result) +
		       (double)scn->servers.count * sizeof(struct server_result) +
		       (double)scn->nfaults * sizeof(struct fault_result);
	if (run_keeps_series(rep))
		bytes += ((double)scn->servers.count * sizeof(uint32_t) + sizeof(struct lb_sample)) *
			 (run_series_points(scn) + 1.0) +
			 (RUN_MAX_TRANSITIONS + 2.0 * scn->nfaults) * sizeof(struct run_event);
	return (size_t)bytes;
}

size_t run_memory_estimate(const struct scenario *scn, uint32_t d)
{
	const struct scn_design *design = &scn->designs[d];
	double bytes = sizeof(struct world);
	double servers = scn->servers.count;
	/* Per server: its latency histogram, lists and the time series. */
	bytes += servers * (sizeof(struct sim_server) + sizeof(struct histogram) + 64);
	bytes += (servers * 4 + sizeof(struct lb_sample)) * (run_series_points(scn) + 1.0);
	bytes += clients_mem_estimate(scn);
	bytes += balancer_mem_estimate(scn, design);
	/* Open traffic beyond the servers' capacity waits on them: a request
	 * and its event slot each, for the whole run. */
	double offered, capacity;
	bytes += run_overload(scn, &offered, &capacity) *
		 (sizeof(struct request) + sizeof(struct sim_heap_slot));
	/* The result it fills as it ends. */
	bytes += (double)run_result_estimate(scn, 0);
	return bytes > 1.8e19 ? SIZE_MAX : (size_t)bytes;
}
