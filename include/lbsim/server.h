/* A backend server: C cores serving requests first-come first-served, with
 * per-workload health, faults, and long-poll parking.
 *
 * A request that finds a free core starts at once and holds it for its
 * demand; otherwise it waits in the server's FIFO queue. This is the M/G/c
 * queue when arrivals are Poisson (M/M/c with exponential demand), which the
 * tests check against the closed forms. A long-poll request (hold > 0) is
 * first parked, using no CPU, then queued for its demand.
 *
 * Faults: the whole server down (every request on it fails at once, new
 * ones are refused), one workload down (its requests fail, the others are
 * served: the partial failure of the reference article), slow (demand of
 * new requests multiplied by k: the grey failure health checks miss),
 * authentication down (every logon fails, so every new request does,
 * while the anonymous health pages still answer 200) and a workload's
 * mailbox store down (its requests fail behind a health page that still
 * answers 200). The last two are what only a deep check sees.
 *
 * Probes (models/server_probe.c): the server answers a health probe as a
 * real one would, from its state, and spends the probe's work on its CPU.
 *
 * Complexity: arrival and completion O(1) plus one event schedule; a fault
 * walks the requests on the server once.
 */
#ifndef LBSIM_SERVER_H
#define LBSIM_SERVER_H

#include <stdint.h>

#include "lbsim/engine.h"
#include "lbsim/histogram.h"
#include "lbsim/lb_health.h"
#include "lbsim/request.h"
#include "lbsim/workload.h"

struct sim_server;

/* Server work of the cheapest probe (a tcp probe: one connection accepted
 * and closed), in ns of one core: 1/83,000 s, the HAProxy manual's TCP
 * connections per second of one core. An assumption for a Windows server
 * accepting a connection, of the right order; the other kinds cost
 * multiples of it (lb_hc_ops.cost). */
#define SERVER_PROBE_UNIT_NS 12048

/* A request has left the server: served (ok) or failed; the callee owns req. */
typedef void (*server_done_fn)(void *owner, struct sim_server *srv, struct request *req, int ok);

struct sim_server {
	uint32_t id;
	uint32_t cores;
	uint32_t busy;               /* cores in use */
	struct request_list queue;   /* waiting for a core */
	/* Requests on a core (busy of them) and parked long polls are not
	 * linked: joining or leaving a list writes into the neighbouring
	 * requests, cold lines at scale (issue 19 item 5). Each is stamped
	 * with its order (joins); a fault finds them in the request pool. */
	uint64_t parked;             /* long polls being held */
	uint64_t joins;              /* requests parked or started so far */
	const struct request_pool *pool; /* where they live: walked at a fault */
	server_done_fn done;
	void *owner;
	int out_of_memory;           /* an event could not be scheduled: the run is void */
	/* State. */
	int down;                    /* whole server failed */
	uint8_t wl_down[WL_COUNT];   /* workload failed on this server */
	double slow;                 /* demand multiplier (1 normal) */
	uint8_t auth_down;           /* logons fail (a directory the server cannot reach) */
	uint8_t store_down[WL_COUNT]; /* the mailbox store behind the workload fails */
	/* Measurement window (reset at the end of warm-up). */
	sim_time_t window_start;
	sim_time_t busy_since;       /* time of the last change of busy */
	double busy_core_ns;         /* integral of busy cores over the window */
	uint64_t requests;           /* measured requests that reached the server */
	uint64_t wl_requests[WL_COUNT]; /* the same by workload (a pool of l4-multi and l7) */
	int64_t sessions;            /* active sessions now (the world decides what one is) */
	sim_time_t sessions_since;
	double session_ns;           /* integral of sessions over the window */
	struct histogram *latency;   /* response times of measured requests (the owner's) */
	/* Probes whose work the owner adds later (a steady check's probes,
	 * taken without events: sim/world/world_trains.c): the earliest
	 * not yet added (SIM_TIME_NEVER: none), and the owner's hook that
	 * adds those before now. The busy time is a sum, and its terms must
	 * go in in time order to give the same bits: so before any change
	 * of the busy time at now the server calls the hook when a probe
	 * before now is still out (a probe at now itself is taken as coming
	 * after the event at hand). */
	sim_time_t probes_due;
	void (*probes_settle)(void *owner, struct sim_server *srv, sim_time_t now);
};

/* latency: the histogram of the server's response times, the caller's
 * (a run keeps its servers' together, on huge pages: sim/world/run.c);
 * server_init clears it. pool: the pool every request sent to the
 * server comes from (NULL: the server never holds one). */
int server_init(struct sim_server *srv, uint32_t id, uint32_t cores, struct histogram *latency,
		const struct request_pool *pool, server_done_fn done, void *owner);
void server_free(struct sim_server *srv);

/* A request arrives at the server at the engine's current time. A server
 * that is down, or whose workload is down, fails it at once (done with ok
 * 0; the caller sees req->misrouted for a workload failure). */
void server_arrive(struct sim_engine *eng, struct sim_server *srv, struct request *req);

/* ev, a server's completion (EV_SERVER_DONE) due at `at`, will run soon:
 * prefetch what it writes (the engine's look-ahead). Reads and prefetches
 * only. */
void server_lookahead_done(const struct sim_event *ev, sim_time_t at);

/* Faults and recovery, at the engine's current time. */
void server_set_down(struct sim_engine *eng, struct sim_server *srv, int down);
void server_set_workload_down(struct sim_engine *eng, struct sim_server *srv,
			      enum workload w, int down);
static inline void server_set_slow(struct sim_server *srv, double factor) { srv->slow = factor; }

/* Can a request of workload w be served here, as far as the server's
 * faults go (down aside)? Not when the workload, the logon or the
 * workload's mailbox store has failed. */
static inline int server_workload_works(const struct sim_server *srv, enum workload w)
{
	return !srv->wl_down[w] && !srv->auth_down && !srv->store_down[w];
}

/* Logons fail from now (down 1) or work again (0). Requests already on
 * the server have logged on and finish; new ones fail. */
static inline void server_set_auth_down(struct sim_server *srv, int down)
{
	srv->auth_down = down != 0;
}

/* The mailbox store behind workload w fails (down 1) or is back (0): its
 * requests on the server fail, as new ones will. */
void server_set_store_down(struct sim_engine *eng, struct sim_server *srv, enum workload w,
			   int down);

/* A health probe reaches the server at now: sends is what it asks
 * (connect, the page of workload, or a logged-on transaction of
 * workload; workload -1: the server alone), work_units its server work in
 * tcp probes (SERVER_PROBE_UNIT_NS each, times the slow factor), which the
 * server's busy time takes in. The answer is what a real server would give
 * (models/server_probe.c); the balancer's check kind judges it. */
struct lb_hc_reply server_probe(struct sim_server *srv, int32_t workload, enum lb_hc_probe sends,
				uint32_t work_units);

/* The core-ns of work a probe of work_units would add to the server's
 * busy time now (what server_probe adds): 0 while the server is down. */
double server_probe_work(const struct sim_server *srv, uint32_t work_units);

/* The span from since to now (since <= now) in ns, as a double: the
 * same value as (double)(now - since), converted as a signed integer
 * (a span of a run is far below 2^63 ns, 292 years), one instruction
 * where an unsigned 64-bit one takes a branch and several (twice a
 * request for each integral of a server, issue 19). */
static inline double server_span_ns(sim_time_t now, sim_time_t since)
{
	return (double)(int64_t)(now - since);
}

/* Active sessions on the server change by delta at now. */
static inline void server_sessions_add(struct sim_server *srv, sim_time_t now, int delta)
{
	srv->session_ns += (double)srv->sessions * server_span_ns(now, srv->sessions_since);
	srv->sessions_since = now;
	srv->sessions += delta;
}

/* Time-average of active sessions from the window start to now. */
double server_mean_sessions(const struct sim_server *srv, sim_time_t now);

/* Start a new measurement window at now (end of warm-up). */
void server_reset_window(struct sim_server *srv, sim_time_t now);

/* Mean fraction of the cores busy from the window start to now. */
double server_busy_fraction(const struct sim_server *srv, sim_time_t now);

/* Requests on the server now (parked, queued and in service). */
static inline uint64_t server_in_system(const struct sim_server *srv)
{
	return srv->parked + srv->queue.len + srv->busy;
}

#endif
