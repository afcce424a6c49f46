/* A backend server: C cores serving requests first-come first-served.
 *
 * A request that finds a free core starts at once and holds it for its
 * demand; otherwise it waits in the server's FIFO queue. This is the M/G/c
 * queue when arrivals are Poisson (M/M/c with exponential demand), which the
 * tests check against the closed forms.
 *
 * Complexity: arrival and completion O(1) plus one event schedule.
 */
#ifndef LBSIM_SERVER_H
#define LBSIM_SERVER_H

#include <stdint.h>

#include "lbsim/engine.h"
#include "lbsim/histogram.h"
#include "lbsim/request.h"

struct sim_server;

/* Called when a request has finished on the server; the callee owns req. */
typedef void (*server_done_fn)(void *owner, struct sim_server *srv, struct request *req);

struct sim_server {
	uint32_t id;
	uint32_t cores;
	uint32_t busy;               /* cores in use */
	struct request *queue_head, *queue_tail;
	uint64_t queued;
	server_done_fn done;
	void *owner;
	int out_of_memory;           /* an event could not be scheduled: the run is void */
	/* Measurement window (reset at the end of warm-up). */
	sim_time_t window_start;
	sim_time_t busy_since;       /* time of the last change of busy */
	double busy_core_ns;         /* integral of busy cores over the window */
	uint64_t requests;           /* measured requests dispatched here */
	struct histogram *latency;   /* response times of measured requests */
};

int server_init(struct sim_server *srv, uint32_t id, uint32_t cores,
		server_done_fn done, void *owner);
void server_free(struct sim_server *srv);

/* A request arrives at the server at the engine's current time. */
int server_arrive(struct sim_engine *eng, struct sim_server *srv, struct request *req);

/* Start a new measurement window at now (end of warm-up). */
void server_reset_window(struct sim_server *srv, sim_time_t now);

/* Mean fraction of the cores busy from the window start to now. */
double server_busy_fraction(const struct sim_server *srv, sim_time_t now);

/* Requests on the server now (in service and queued). */
static inline uint64_t server_in_system(const struct sim_server *srv)
{
	return srv->busy + srv->queued;
}

#endif
