/* The simulated world of one run (private to sim/): engine, servers,
 * balancer, client populations, devices and their connections, faults and
 * health probes. See run.c for setup and results, world_clients.c for the
 * client state machine, world_events.c for faults and health probes.
 */
#ifndef LBSIM_SIM_WORLD_H
#define LBSIM_SIM_WORLD_H

#include <stdint.h>

#include "lbsim/balancer.h"
#include "lbsim/engine.h"
#include "lbsim/histogram.h"
#include "lbsim/population.h"
#include "lbsim/request.h"
#include "lbsim/run.h"
#include "lbsim/scenario.h"
#include "lbsim/server.h"
#include "lbsim/source.h"
#include "lbsim/workload.h"

enum conn_state {
	CONN_DOWN = 0,  /* not connected; its timer reconnects */
	CONN_IDLE,      /* connected; its timer sends the next request */
	CONN_BUSY,      /* a request is outstanding */
};

struct device;

/* A client connection: what a request's cycle reads and writes, in one
 * cache line. At 100,000 users of the default scenario the connections and
 * devices take ~45 MB, far past the caches, so each line a request touches
 * costs a DRAM miss;
 * the cycle (timer fires, request sent, answer back, think timer set) needs
 * only this line and, to send, its device. Fields used on connection open
 * and close only live apart in struct conn_link. */
struct conn {
	_Alignas(64) struct sim_event ev; /* think, retry or reconnect timer */
	struct device *dev;
	sim_time_t ends_at;         /* the client closes it at its next request after this */
	uint64_t seq;               /* draws made for this connection: the counter of its random numbers */
	struct bal_conn lb;         /* the balancer's state of it: where it is sent (layer 4) */
	uint32_t src_addr;
	uint16_t src_port;
	/* Small numbers packed into the line's last two bytes: a device has at
	 * most 64 connections and a scenario at most 64 populations
	 * (static asserts in world_clients.c). */
	unsigned index : 6;         /* among its device's connections */
	unsigned state : 2;         /* enum conn_state */
	unsigned pop : 6;           /* its device's population */
	unsigned offline : 1;       /* copy of its device's: the user logged off */
	unsigned linked : 1;        /* on a server's connection list */
};
_Static_assert(sizeof(struct conn) == 64, "a connection should fill one cache line");

/* The cold part of a connection, in an array parallel to the connections:
 * its place on its server's list (layer 4) and its NAT address. */
struct conn_link {
	struct conn *prev, *next;
	uint32_t addr_index;
};

struct world;

#define SAMPLE_WINDOW_NS (10 * SIM_NS_PER_S)

/* A client device: what sending a request reads, in one cache line (see
 * struct conn for why). Its log-on/off event lives apart, in
 * pop_state.presence. */
struct device {
	_Alignas(64) uint32_t id;   /* within its population: its index there */
	uint32_t user;
	uint16_t pop;
	uint8_t workload;
	uint8_t tls13;
	uint8_t offline;            /* its user is logged off: no traffic */
	struct source_binding src;
	uint64_t tls_id;            /* the session id it offers (0: none yet) */
	sim_time_t tls_expires;
	int32_t home;               /* the server of its last request: its session's home (-1: none) */
	uint32_t nconns;
	struct conn *conns;
};
_Static_assert(sizeof(struct device) == 64, "a device should fill one cache line");

/* Per-workload ledger: every request is sent once and ends ok or failed,
 * or is still in flight. */
struct wl_counts {
	uint64_t sent, ok, failed, misrouted;
	uint64_t measured_sent, measured_failed, measured_misrouted;
};

/* Per-population streams (common random numbers: the names, not the
 * design, decide the numbers). */
struct pop_state {
	const struct scn_population *cfg;
	struct source_pool source;
	struct population open;     /* open traffic generator, when cfg->request_rate > 0 */
	uint64_t base;              /* seed of the counter-based draws of its devices */
	struct device *devices;     /* 64-byte aligned */
	struct sim_event *presence; /* presence[i]: devices[i] logs on or off (with a profile) */
	struct conn *conns;         /* 64-byte aligned */
	struct conn_link *links;    /* links[i] belongs to conns[i] */
	uint64_t ndevices;
	int source_ready, open_ready;
	uint32_t kinds[WL_COUNT];   /* the workloads its devices run, in order */
	uint32_t nkinds;
};

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
	struct sim_server *servers;
	struct conn **server_conns;   /* per server: its layer-4 connections */
	uint64_t *server_conns_opened;/* per server, measured */
	struct pop_state *pops;
	struct fault_state *faults;
	struct probe_state *probes;
	struct sim_event warmup_end;
	sim_time_t warmup_at;
	struct wl_counts wl[WL_COUNT];
	struct histogram *wl_latency[WL_COUNT];
	uint64_t nat_refused, connect_failed, affinity_breaks, server_changes;
	uint64_t conns_opened;
	uint64_t traffic_hash;        /* order-free checksum of the requests sent (common random numbers) */
	struct sim_server lb;         /* the balancer's cores, when the design limits them */
	int lb_limited;
	uint64_t lb_refused;          /* requests refused: the balancer's queue was full */
	struct sim_event sample;
	/* Sampling: every 10 s window after warm-up feeds the peaks; with
	 * keep_series, series_every windows make one point of the series
	 * (include/lbsim/run.h: RUN_SERIES_*), so it stays bounded. */
	uint32_t windows;             /* 10 s windows closed */
	double cpu_peak, mem_peak;    /* the busiest window's CPU, the largest memory sample */
	int keep_series;
	uint32_t series_every;        /* windows per point */
	uint32_t point_windows;       /* windows in the point being gathered */
	double point_ns, point_cpu_ns, point_mem;
	uint32_t *point_requests;     /* [server]: its requests in the point */
	struct lb_sample *samples;    /* the points, in time order */
	uint32_t *window_requests;    /* [point * servers + server] */
	uint64_t *last_requests;      /* per server: its request count at the last window */
	uint32_t nsamples, samples_cap;
	int out_of_memory;
};

/* world_clients.c */
int world_clients_init(struct world *w, uint32_t rep);
void world_clients_free(struct world *w);
void world_server_done(void *owner, struct sim_server *srv, struct request *req, int ok);
/* The balancer's cores have done their part of req: on to its server. */
void world_lb_done(void *owner, struct sim_server *lb, struct request *req, int ok);
/* The engine's look-ahead (engine.h): prefetch what the handler of ev
 * will reach through it. */
void world_lookahead(struct sim_engine *eng, const struct sim_event *ev);
/* Cut every layer-4 connection to server s (it failed). */
void world_cut_server(struct world *w, uint32_t s);

/* world_events.c */
/* rep: the replication, which decides whether the series are kept. */
int world_events_init(struct world *w, uint32_t rep);
void world_events_free(struct world *w);
void world_sampling_start(struct world *w);
/* Close a sampling window of window_ns ending now. */
void world_sample(struct world *w, sim_time_t window_ns);
/* Close the series' point being gathered, however many windows it has
 * (the run's end). */
void world_series_flush(struct world *w);

static inline void world_schedule(struct world *w, struct sim_event *ev, sim_time_t delay)
{
	if (sim_schedule_in(&w->eng, ev, delay) != 0) {
		w->out_of_memory = 1;
		sim_stop(&w->eng);
	}
}

static inline sim_time_t seconds_ns(double s)
{
	double ns = s * (double)SIM_NS_PER_S + 0.5;
	return ns >= 1.8e19 ? SIM_TIME_NEVER : (sim_time_t)ns;
}

#endif
