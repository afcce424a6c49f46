/* Backend server: FCFS over C cores with faults; see include/lbsim/server.h. */
#include "lbsim/server.h"
#include "lbsim/event_kind.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static struct request *req_of(struct sim_event *ev)
{
	return (struct request *)((char *)ev - offsetof(struct request, ev));
}

static void account_busy(struct sim_server *srv, sim_time_t now)
{
	/* Probes taken without events go in first, in their time order. */
	if (now > srv->probes_due)
		srv->probes_settle(srv->owner, srv, now);
	srv->busy_core_ns += (double)srv->busy * server_span_ns(now, srv->busy_since);
	srv->busy_since = now;
}

static void schedule(struct sim_engine *eng, struct sim_server *srv, struct request *req,
		     sim_handler_fn fn, uint32_t kind, sim_time_t delay)
{
	sim_event_init(&req->ev, fn, srv, kind);
	/* The heap only fails to grow when memory is exhausted: stop the run,
	 * which then reports the failure instead of a result. */
	if (sim_schedule_in(eng, &req->ev, delay) != 0) {
		srv->out_of_memory = 1;
		sim_stop(eng);
	}
}

static void on_done(struct sim_engine *eng, struct sim_event *ev);

/* Memory ran out: the run stops and reports the failure. */
static void out_of_memory(struct sim_engine *eng, struct sim_server *srv)
{
	srv->out_of_memory = 1;
	sim_stop(eng);
}

static void start(struct sim_engine *eng, struct sim_server *srv, struct request *req)
{
	srv->busy++;
	req->where = REQ_SERVING;
	req->joined = srv->joins++;
	schedule(eng, srv, req, on_done, EV_SERVER_DONE, req->demand);
}

static void enqueue(struct sim_engine *eng, struct sim_server *srv, struct request *req)
{
	if (srv->busy < srv->cores) {
		start(eng, srv, req);
	} else {
		req->where = REQ_QUEUED;
		rlist_push(&srv->queue, req);
	}
}

static void finish(struct sim_server *srv, struct request *req, int ok)
{
	req->where = REQ_NOWHERE;
	srv->done(srv->owner, srv, req, ok);
}

static void on_done(struct sim_engine *eng, struct sim_event *ev)
{
	struct sim_server *srv = ev->ctx;
	struct request *req = req_of(ev);
	sim_time_t now = sim_now(eng);
	account_busy(srv, now);
	srv->busy--;
	if (req->measured)
		hist_record(srv->latency, request_response_ns(req, now));
	struct request *next = rlist_pop(&srv->queue);
	if (next)
		start(eng, srv, next);
	finish(srv, req, 1);
}

void server_lookahead_done(const struct sim_event *ev, sim_time_t at)
{
	const struct sim_server *srv = ev->ctx;
	const struct request *req =
		(const struct request *)(const void *)((const char *)ev - offsetof(struct request, ev));
	if (req->measured)
		hist_prefetch(srv->latency, request_response_ns(req, at));
}

static void on_unpark(struct sim_engine *eng, struct sim_event *ev)
{
	struct sim_server *srv = ev->ctx;
	struct request *req = req_of(ev);
	srv->parked--;
	enqueue(eng, srv, req);
}

int server_init(struct sim_server *srv, uint32_t id, uint32_t cores, struct histogram *latency,
		const struct request_pool *pool, server_done_fn done, void *owner)
{
	*srv = (struct sim_server){.id = id, .cores = cores, .done = done, .owner = owner, .slow = 1.0,
				   .probes_due = SIM_TIME_NEVER, .latency = latency,
				   .pool = pool};
	hist_init(srv->latency);
	return 0;
}

void server_free(struct sim_server *srv)
{
	srv->latency = NULL;
}

void server_arrive(struct sim_engine *eng, struct sim_server *srv, struct request *req)
{
	sim_time_t now = sim_now(eng);
	account_busy(srv, now);
	if (req->measured) {
		srv->requests++;
		srv->wl_requests[req->workload]++;
	}
	if (srv->down) {
		finish(srv, req, 0);
		return;
	}
	if (!server_workload_works(srv, req->workload)) {
		req->misrouted = 1;
		finish(srv, req, 0);
		return;
	}
	if (srv->slow != 1.0)
		req->demand = (sim_time_t)((double)req->demand * srv->slow);
	if (req->hold > 0) {
		req->where = REQ_PARKED;
		req->joined = srv->joins++;
		srv->parked++;
		schedule(eng, srv, req, on_unpark, EV_SERVER_UNPARK, req->hold);
		return;
	}
	enqueue(eng, srv, req);
}

/* The parked and in-service requests of a server that a fault fails
 * (all when w < 0), as the pool walk finds them. */
struct doomed_walk {
	const struct sim_server *srv;
	int w;
	struct request **out;   /* room for the server's parked and busy */
	size_t n;
};

static void doomed_visit(struct request *r, void *ctx)
{
	struct doomed_walk *d = ctx;
	if ((r->where != REQ_PARKED && r->where != REQ_SERVING) || r->ev.ctx != d->srv ||
	    (d->w >= 0 && r->workload != d->w))
		return;
	d->out[d->n++] = r;
}

/* Parked ones first, then in service, each in the order they joined. */
static int by_place_then_joining(const void *a, const void *b)
{
	const struct request *x = *(struct request *const *)a, *y = *(struct request *const *)b;
	int px = x->where == REQ_SERVING, py = y->where == REQ_SERVING;
	if (px != py)
		return px - py;
	return (x->joined > y->joined) - (x->joined < y->joined);
}

/* Fail every request on the server that matches (all when w < 0): they
 * were sent while the server was healthy, so they are failed, not
 * misrouted. The order is the one the server's lists had: parked, then
 * queued, then in service, each in the order they joined. They are all
 * taken off the server first, so that the done callback, which may send
 * new requests to this very server, never sees it mid-walk. */
static void fail_matching(struct sim_engine *eng, struct sim_server *srv, int w)
{
	account_busy(srv, sim_now(eng));
	/* A server holding a parked or busy request has the pool it came from. */
	assert(srv->pool || (srv->parked == 0 && srv->busy == 0));
	size_t queued = 0;
	for (struct request *r = srv->queue.head; r; r = r->next)
		queued += w < 0 || r->workload == w;
	/* Its counts bound what the walk can find: one walk of the pool (a
	 * million requests at scale), and none when nothing is parked or on
	 * a core. */
	size_t room = (size_t)srv->parked + srv->busy;
	struct request **doomed = malloc((room + queued + 1) * sizeof *doomed);
	if (!doomed) {
		out_of_memory(eng, srv);
		return;
	}
	struct doomed_walk d = {.srv = srv, .w = w, .out = doomed};
	if (room)
		request_pool_each(srv->pool, doomed_visit, &d);
	assert(d.n <= room);
	size_t held = d.n;
	qsort(doomed, held, sizeof *doomed, by_place_then_joining);
	size_t parked = 0;
	while (parked < held && doomed[parked]->where == REQ_PARKED)
		parked++;
	/* Between the parked and the in-service ones: the queued, in order. */
	memmove(doomed + parked + queued, doomed + parked, (held - parked) * sizeof *doomed);
	size_t k = parked;
	struct request *r = srv->queue.head;
	while (r) {
		struct request *next = r->next;
		if (w < 0 || r->workload == w) {
			rlist_remove(&srv->queue, r);
			doomed[k++] = r;
		}
		r = next;
	}
	for (size_t i = 0; i < held + queued; i++) {
		sim_cancel(eng, &doomed[i]->ev);
		if (doomed[i]->where == REQ_SERVING)
			srv->busy--;
		else if (doomed[i]->where == REQ_PARKED)
			srv->parked--;
		doomed[i]->where = REQ_NOWHERE;
	}
	/* Cores freed by failed requests go to the queue's survivors. */
	while (srv->busy < srv->cores && srv->queue.head)
		start(eng, srv, rlist_pop(&srv->queue));
	for (size_t i = 0; i < held + queued; i++)
		finish(srv, doomed[i], 0);
	free(doomed);
}

void server_set_down(struct sim_engine *eng, struct sim_server *srv, int down)
{
	srv->down = down != 0;
	if (srv->down)
		fail_matching(eng, srv, -1);
}

void server_set_workload_down(struct sim_engine *eng, struct sim_server *srv,
			      enum workload w, int down)
{
	srv->wl_down[w] = down != 0;
	if (down)
		fail_matching(eng, srv, (int)w);
}

void server_set_store_down(struct sim_engine *eng, struct sim_server *srv, enum workload w,
			   int down)
{
	srv->store_down[w] = down != 0;
	if (down)
		fail_matching(eng, srv, (int)w);
}

void server_reset_window(struct sim_server *srv, sim_time_t now)
{
	srv->window_start = now;
	srv->busy_since = now;
	srv->busy_core_ns = 0;
	srv->session_ns = 0;
	srv->sessions_since = now;
	srv->requests = 0;
	for (int w = 0; w < WL_COUNT; w++)
		srv->wl_requests[w] = 0;
	hist_init(srv->latency);
}

double server_busy_fraction(const struct sim_server *srv, sim_time_t now)
{
	double span = (double)(now - srv->window_start) * srv->cores;
	if (span <= 0)
		return 0;
	double busy = srv->busy_core_ns + (double)srv->busy * (double)(now - srv->busy_since);
	/* A health probe's work is added to the busy time without taking a
	 * core (models/server_probe.c): on a server whose cores are all busy
	 * it would count time beyond them (1.000003 with 4 cores checked
	 * every 2 s). There the probe would wait for a core; its microseconds
	 * are not modelled as queueing, so the cores' time bounds it. */
	return busy < span ? busy / span : 1;
}

double server_mean_sessions(const struct sim_server *srv, sim_time_t now)
{
	double span = (double)(now - srv->window_start);
	if (span <= 0)
		return 0;
	return (srv->session_ns + (double)srv->sessions * (double)(now - srv->sessions_since)) / span;
}
