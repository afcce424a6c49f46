/* One run: wires the client populations, the balancer core and the servers
 * together on one event engine; see include/lbsim/run.h.
 *
 * Flow of a request: a population's arrival hands it here (on_request); we
 * show the balancer what a layer-4 device sees of the connection, the core
 * picks a server (or none: the request fails, counted), the server queues
 * and serves it, and on completion (on_done) the connection closes in the
 * core and the request returns to the pool.
 */
#include "lbsim/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/lb.h"
#include "lbsim/population.h"
#include "lbsim/request.h"
#include "lbsim/server.h"

enum { EV_WARMUP_END = 3 };

struct world {
	const struct scenario *scn;
	struct sim_engine eng;
	struct request_pool requests;
	struct lb_pool pool;
	struct sim_server *servers;
	struct population *pops;
	struct sim_event warmup_end;
	sim_time_t warmup_at;
	uint64_t sent, completed, failed, measured;
	int out_of_memory;
};

static void on_done(void *owner, struct sim_server *srv, struct request *req)
{
	struct world *w = owner;
	w->completed++;
	lb_conn_close(&w->pool, srv->id);
	request_put(&w->requests, req);
}

static void on_request(void *owner, struct population *pop, uint32_t user, sim_time_t demand)
{
	struct world *w = owner;
	w->sent++;
	sim_time_t now = sim_now(&w->eng);
	int measured = now >= w->warmup_at;
	w->measured += (uint64_t)measured;
	struct lb_request lr = {
		.src_ip = population_source_addr(pop->index, user),
		.src_port = (uint16_t)(1024 + (w->sent % 64512)),
	};
	int s = lb_pick(&w->pool, &lr, now);
	if (s < 0) {
		w->failed++;
		return;
	}
	struct request *req = request_get(&w->requests);
	if (!req) {
		w->out_of_memory = 1;
		w->failed++;
		sim_stop(&w->eng);
		return;
	}
	req->arrived = now;
	req->demand = demand;
	req->server = (uint32_t)s;
	req->population = pop->index;
	req->user = user;
	req->measured = (uint32_t)measured;
	lb_conn_open(&w->pool, (uint32_t)s);
	server_arrive(&w->eng, &w->servers[s], req);
}

static void on_warmup_end(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = ev->ctx;
	for (uint32_t i = 0; i < w->scn->servers.count; i++)
		server_reset_window(&w->servers[i], sim_now(eng));
}

static void world_free(struct world *w)
{
	/* The engine first: it marks the pending events, which live in the
	 * populations and requests freed below, as idle. */
	sim_engine_free(&w->eng);
	for (uint32_t i = 0; w->pops && i < w->scn->npopulations; i++)
		population_free(&w->pops[i]);
	free(w->pops);
	for (uint32_t i = 0; w->servers && i < w->scn->servers.count; i++)
		server_free(&w->servers[i]);
	free(w->servers);
	if (w->pool.sel)
		lb_pool_free(&w->pool);
	request_pool_free(&w->requests);
}

static int world_init(struct world *w, const struct scenario *scn, uint32_t d, uint32_t rep)
{
	const struct scn_design *design = &scn->designs[d];
	memset(w, 0, sizeof *w);
	w->scn = scn;
	w->warmup_at = scn->warmup;
	request_pool_init(&w->requests);
	if (sim_engine_init(&w->eng, 0) != 0)
		return -1;
	if (lb_pool_init(&w->pool, design->name, scn->servers.count, NULL, design->balance, NULL) != 0)
		return -1;
	w->servers = calloc(scn->servers.count, sizeof *w->servers);
	w->pops = calloc(scn->npopulations, sizeof *w->pops);
	if (!w->servers || !w->pops)
		return -1;
	for (uint32_t i = 0; i < scn->servers.count; i++)
		if (server_init(&w->servers[i], i, scn->servers.cores, on_done, w) != 0)
			return -1;
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		if (population_init(&w->pops[i], i, &scn->populations[i], scn->servers.service_mean,
				    scn->seed, rep, on_request, w) != 0)
			return -1;
		if (population_start(&w->eng, &w->pops[i]) != 0)
			return -1;
	}
	sim_event_init(&w->warmup_end, on_warmup_end, w, EV_WARMUP_END);
	return sim_schedule(&w->eng, &w->warmup_end, scn->warmup);
}

static int collect(struct world *w, struct run_result *out, char *err, size_t errlen)
{
	const struct scenario *scn = w->scn;
	sim_time_t end = sim_now(&w->eng);
	uint32_t n = scn->servers.count;
	uint64_t in_system = 0;
	for (uint32_t i = 0; i < n; i++)
		in_system += server_in_system(&w->servers[i]);

	out->sent = w->sent;
	out->completed = w->completed;
	out->failed = w->failed;
	out->in_flight = in_system;
	out->events = w->eng.events_run;
	/* Conservation: every request sent is answered, failed, or still on a
	 * server. Counted independently (the clients, the completions, the
	 * queues), so a lost or duplicated request shows here. */
	if (out->sent != out->completed + out->failed + out->in_flight ||
	    w->requests.live != in_system) {
		snprintf(err, errlen,
			 "internal error: requests not conserved (sent %llu, completed %llu, "
			 "failed %llu, in flight %llu, live %zu)",
			 (unsigned long long)out->sent, (unsigned long long)out->completed,
			 (unsigned long long)out->failed, (unsigned long long)out->in_flight,
			 w->requests.live);
		return -1;
	}

	out->window_s = (double)(end - scn->warmup) / (double)SIM_NS_PER_S;
	out->measured = w->measured;
	out->nservers = n;
	out->servers = calloc(n, sizeof *out->servers);
	double *load = calloc(n, sizeof *load);
	struct histogram *all = malloc(sizeof *all);
	if (!out->servers || !load || !all) {
		free(load);
		free(all);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	hist_init(all);
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_server *srv = &w->servers[i];
		struct server_result *sr = &out->servers[i];
		sr->requests = srv->requests;
		sr->busy_fraction = server_busy_fraction(srv, end);
		sr->response_mean_ns = hist_mean(srv->latency);
		sr->response_p99_ns = hist_quantile(srv->latency, 0.99);
		load[i] = (double)srv->requests;
		hist_merge(all, srv->latency);
	}
	skew_compute(load, NULL, n, &out->skew);
	out->response_mean_ns = hist_mean(all);
	out->response_p50_ns = hist_quantile(all, 0.50);
	out->response_p95_ns = hist_quantile(all, 0.95);
	out->response_p99_ns = hist_quantile(all, 0.99);
	free(load);
	free(all);
	return 0;
}

int run_design(const struct scenario *scn, uint32_t d, uint32_t rep,
	       struct run_result *out, char *err, size_t errlen)
{
	struct world *w = malloc(sizeof *w);
	memset(out, 0, sizeof *out);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = -1;
	if (world_init(w, scn, d, rep) != 0) {
		snprintf(err, errlen, "out of memory setting up design '%s'", scn->designs[d].name);
		goto out;
	}
	sim_run(&w->eng, scn->warmup + scn->duration);
	for (uint32_t i = 0; i < scn->servers.count; i++)
		w->out_of_memory |= w->servers[i].out_of_memory;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		w->out_of_memory |= w->pops[i].out_of_memory;
	if (w->out_of_memory) {
		snprintf(err, errlen, "out of memory during design '%s'", scn->designs[d].name);
		goto out;
	}
	rc = collect(w, out, err, errlen);
out:
	world_free(w);
	free(w);
	if (rc != 0)
		run_result_free(out);
	return rc;
}

void run_result_free(struct run_result *res)
{
	free(res->servers);
	res->servers = NULL;
}
