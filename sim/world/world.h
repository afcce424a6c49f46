/* The simulated world of one run (private to sim/): the composition root
 * that wires the engine, the servers, the balancer façade and the clients
 * together. run.c builds it, runs it and gathers the results;
 * world_traffic.c carries a request between the clients, the balancer's
 * cores and the servers; world_events.c schedules the faults, the health
 * probes and the sampling windows. The clients (models/clients/), the
 * balancer (models/balancer/) and the servers (models/server.c) each keep
 * their own state; the world keeps what joins them and what is measured.
 */
#ifndef LBSIM_SIM_WORLD_H
#define LBSIM_SIM_WORLD_H

#include <stdint.h>

#include "lbsim/balancer.h"
#include "lbsim/clients.h"
#include "lbsim/engine.h"
#include "lbsim/histogram.h"
#include "lbsim/request.h"
#include "lbsim/run.h"
#include "lbsim/scenario.h"
#include "lbsim/server.h"
#include "lbsim/steady.h"
#include "lbsim/workload.h"

struct world;

#define SAMPLE_WINDOW_NS (10 * SIM_NS_PER_S)

struct fault_state {
	struct sim_event ev;
	const struct scn_fault *f;
	struct world *world;
	int active;
	sim_time_t began, ended;    /* when it was applied and recovered (SIM_TIME_NEVER: not) */
};

struct probe_state {
	struct sim_event ev;
	struct world *world;
	uint32_t check;
	uint32_t server;
	/* A steady check's train (world_trains.c): its probes from next,
	 * every `every` ns, each judged ok and costing its server work
	 * core-ns, are taken without events. next SIM_TIME_NEVER: no train,
	 * the check probes by events. */
	sim_time_t next, every;
	double work;
	uint8_t ok;
	uint64_t take, done;          /* scratch of world_trains_settle */
};

struct world {
	const struct scenario *scn;
	const struct scn_design *design; /* &seeded_design */
	/* The scenario's design with its selector's seed for this run
	 * (replication and design): the balancer keeps pointers into it. */
	struct scn_design seeded_design;
	struct sim_engine eng;
	struct request_pool requests;
	struct balancer bal;
	struct clients clients;
	struct client_ledger ledger;  /* what the clients sent and got back */
	struct sim_server *servers;
	uint64_t *server_conns_opened;/* per server, measured */
	struct fault_state *faults;
	struct probe_state *probes;
	/* The checks of server s: server_checks[check_first[s] .. check_first[s + 1]). */
	uint32_t *check_first, *server_checks;
	struct sim_event warmup_end;
	sim_time_t warmup_at;
	struct histogram *latency;        /* the servers', the balancer's, the workloads' (run.c) */
	struct histogram *wl_latency[WL_COUNT];
	uint64_t network[WL_COUNT];   /* requests and answers on the network between client and
				       * balancer, by workload (a count: a list would write into
				       * its neighbours, cold requests at scale) */
	struct sim_server lb;         /* the balancer's cores, when the design limits them */
	int lb_limited;
	uint64_t lb_refused;          /* requests refused: the balancer's queue was full */
	/* Waiting for a server slot (maxconn), measured requests: */
	uint64_t queued, queue_timeouts;
	double queue_wait_ns;
	int draining;                 /* taking requests off the balancer's ready list */
	/* Skip ahead (the default; 0 with RUN_EVERY_EVENT): sampling windows
	 * that end before the next event are closed together, without an
	 * event each (world_events.c, on_sample). */
	int skip_ahead;
	struct sim_event sample;
	/* Sampling: every 10 s window after warm-up feeds the peaks; with
	 * keep_series, series_every windows make one point of the series
	 * (include/lbsim/run.h: RUN_SERIES_*), so it stays bounded. */
	uint32_t windows;             /* 10 s windows closed */
	double cpu_peak, mem_peak;    /* the busiest window's CPU, the largest memory sample */
	struct cost_mem mem_split_sum; /* each part of the memory times its window's ns */
	struct cost_mem mem_split_peak; /* each part's largest sample */
	double mem_sampled_ns;        /* the windows' ns summed */
	int keep_series;
	uint32_t series_every;        /* windows per point */
	uint32_t point_windows;       /* windows in the point being gathered */
	double point_ns, point_cpu_ns, point_mem;
	uint32_t *point_requests;     /* [server]: its requests in the point */
	struct lb_sample *samples;    /* the points, in time order */
	uint32_t *window_requests;    /* [point * servers + server] */
	uint64_t *last_requests;      /* per server: its request count at the last window */
	uint32_t nsamples, samples_cap;
	/* The steady state (lbsim/steady.h): its time, and what the steady
	 * windows and requests add up to. */
	struct steady steady;
	/* The steady answers' response times: their count, sum, min and
	 * max noted as they come (hist_note), their buckets those of the
	 * measured answers (wl_latency, which hold them) less those of the
	 * measured answers that are not steady (unsteady_latency), filled
	 * in when the run is collected. */
	struct histogram *steady_latency;
	struct histogram *unsteady_latency;
	uint64_t *steady_requests;    /* per server, in steady windows */
	double *steady_busy_ns;       /* per server: core-ns busy in steady windows */
	double *last_busy_ns;         /* per server: core-ns busy at the last window */
	double steady_ns, steady_cpu_ns, steady_cpu_peak;
	int out_of_memory;
};

/* world_traffic.c */
/* Build the clients of replication rep, wired to the world. */
int world_clients_init(struct world *w, uint32_t rep);
void world_server_done(void *owner, struct sim_server *srv, struct request *req, int ok);
/* The balancer's cores have done their part of req: on to its server, or
 * (an answer on its way back) to its client. */
void world_lb_done(void *owner, struct sim_server *lb, struct request *req, int ok);
/* The balancer's hook: requests that waited for a server slot have one
 * (balancer_ready_pop): each goes to its server now. */
void world_slots_freed(void *owner);
/* Whether the look-ahead can pay for itself in a run of scn: whether what
 * it fetches can be out of the cache (world_traffic.c). */
int world_lookahead_pays(const struct scenario *scn);
/* Give the engine the world's look-ahead when it pays (above), shown only
 * the events it prefetches for. After the clients are set up. */
void world_lookahead_attach(struct world *w);
/* The engine's look-ahead (engine.h): prefetch what the handler of ev
 * will reach through it. */
void world_lookahead(struct sim_engine *eng, const struct sim_event *ev, sim_time_t at,
		     unsigned stage);

/* world_events.c */
/* rep: the replication, which decides whether the series are kept. */
int world_events_init(struct world *w, uint32_t rep);
void world_events_free(struct world *w);
void world_sampling_start(struct world *w);
/* Close a sampling window of window_ns ending at `at`: now, or later when
 * no event comes before it (nothing can change in between). */
void world_sample(struct world *w, sim_time_t at, sim_time_t window_ns);
/* Close the series' point being gathered at `at`, however many windows it
 * has (the run's end). */
void world_series_flush(struct world *w, sim_time_t at);

/* world_trains.c: steady checks' probes without events. */
/* Index the checks by server and hook the servers (after the probes are
 * set up). 0, or -1 out of memory. */
int world_trains_init(struct world *w, uint32_t nchecks);
void world_trains_free(struct world *w);
/* ps's probe just ran; its next is due at next (> now) and the verdict
 * was ok. 1 when the check is steady and its probes from next on go as a
 * train (do not schedule its event), 0 when they stay events. */
int world_train_start(struct world *w, struct probe_state *ps, sim_time_t next, int ok);
/* Does a probe at t0 + k x every (k >= 0, every > 0) fall, by end, on a
 * window's end: warmup + j x SAMPLE_WINDOW_NS (j >= 0; j = 0 is where
 * warm-up ends)? Such a check keeps its events. O(log) arithmetic. */
int world_train_meets_window(sim_time_t t0, sim_time_t every, sim_time_t warmup, sim_time_t end);
/* Take server s's train probes before until (with_until: and at until). */
void world_trains_settle(struct world *w, uint32_t s, sim_time_t until, int with_until);
void world_trains_settle_all(struct world *w, sim_time_t until, int with_until);
/* Something happens to server s now (a fault): take its trains' probes
 * before now and make their next probes events again. 0, or -1 out of
 * memory. */
int world_trains_stop(struct world *w, uint32_t s);

static inline void world_schedule(struct world *w, struct sim_event *ev, sim_time_t delay)
{
	if (sim_schedule_in(&w->eng, ev, delay) != 0) {
		w->out_of_memory = 1;
		sim_stop(&w->eng);
	}
}

#endif
