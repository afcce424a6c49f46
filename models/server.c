/* Backend server: FCFS over C cores; see include/lbsim/server.h. */
#include "lbsim/server.h"

#include <stdlib.h>

enum { EV_SERVER_DONE = 2 };

static void account_busy(struct sim_server *srv, sim_time_t now)
{
	srv->busy_core_ns += (double)srv->busy * (double)(now - srv->busy_since);
	srv->busy_since = now;
}

static void start(struct sim_engine *eng, struct sim_server *srv, struct request *req);

static void on_done(struct sim_engine *eng, struct sim_event *ev)
{
	struct sim_server *srv = ev->ctx;
	struct request *req = (struct request *)((char *)ev - offsetof(struct request, ev));
	sim_time_t now = sim_now(eng);
	account_busy(srv, now);
	srv->busy--;
	if (req->measured)
		hist_record(srv->latency, now - req->arrived);
	if (srv->queue_head) {
		struct request *next = srv->queue_head;
		srv->queue_head = next->next;
		if (!srv->queue_head)
			srv->queue_tail = NULL;
		srv->queued--;
		start(eng, srv, next);
	}
	srv->done(srv->owner, srv, req);
}

static void start(struct sim_engine *eng, struct sim_server *srv, struct request *req)
{
	srv->busy++;
	req->next = NULL;
	sim_event_init(&req->ev, on_done, srv, EV_SERVER_DONE);
	/* The heap only fails to grow when memory is exhausted: stop the run,
	 * which then reports the failure instead of a result. */
	if (sim_schedule_in(eng, &req->ev, req->demand) != 0) {
		srv->out_of_memory = 1;
		sim_stop(eng);
	}
}

int server_init(struct sim_server *srv, uint32_t id, uint32_t cores,
		server_done_fn done, void *owner)
{
	*srv = (struct sim_server){.id = id, .cores = cores, .done = done, .owner = owner};
	srv->latency = malloc(sizeof *srv->latency);
	if (!srv->latency)
		return -1;
	hist_init(srv->latency);
	return 0;
}

void server_free(struct sim_server *srv)
{
	free(srv->latency);
	srv->latency = NULL;
}

int server_arrive(struct sim_engine *eng, struct sim_server *srv, struct request *req)
{
	sim_time_t now = sim_now(eng);
	account_busy(srv, now);
	if (req->measured)
		srv->requests++;
	if (srv->busy < srv->cores) {
		start(eng, srv, req);
		return 0;
	}
	req->next = NULL;
	if (srv->queue_tail)
		srv->queue_tail->next = req;
	else
		srv->queue_head = req;
	srv->queue_tail = req;
	srv->queued++;
	return 0;
}

void server_reset_window(struct sim_server *srv, sim_time_t now)
{
	srv->window_start = now;
	srv->busy_since = now;
	srv->busy_core_ns = 0;
	srv->requests = 0;
	hist_init(srv->latency);
}

double server_busy_fraction(const struct sim_server *srv, sim_time_t now)
{
	double span = (double)(now - srv->window_start) * srv->cores;
	if (span <= 0)
		return 0;
	double busy = srv->busy_core_ns + (double)srv->busy * (double)(now - srv->busy_since);
	return busy / span;
}
