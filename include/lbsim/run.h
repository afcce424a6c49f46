/* One simulation run: one design of a scenario, one replication.
 *
 * run_design() builds the world (engine, servers, balancer design, client
 * populations, faults, health probes), simulates warm-up + duration, and
 * fills a struct run_result. Each run owns all of its state, so runs of
 * different designs and replications can execute side by side on
 * different threads.
 */
#ifndef LBSIM_RUN_H
#define LBSIM_RUN_H

#include <stdatomic.h>
#include <stdint.h>

#include "lbsim/cost.h"
#include "lbsim/engine.h"
#include "lbsim/histogram.h"
#include "lbsim/metrics.h"
#include "lbsim/scenario.h"
#include "lbsim/workload.h"

/* Points of the response-time distribution kept per run (latency.csv,
 * the CDF plot): q = 0.01 .. 0.99 by 0.01, then 0.995 and 0.999. */
#define RUN_CDF_POINTS 101
double run_cdf_q(unsigned i);

struct server_result {
	uint64_t requests;        /* measured requests sent to the server */
	uint64_t connections;     /* measured connections opened to it */
	uint64_t wl_requests[WL_COUNT]; /* measured requests by workload (its pools) */
	double sessions;          /* time-average of its active sessions */
	double busy_fraction;     /* mean fraction of its cores busy */
	double response_mean_ns;
	uint64_t response_p99_ns;
};

struct workload_result {
	/* Whole run, warm-up included: the conservation ledger. */
	uint64_t sent, ok, failed, in_flight;
	/* Measurement window. */
	uint64_t measured_sent, measured_failed, measured_misrouted;
	double response_mean_ns;
	uint64_t response_p50_ns, response_p95_ns, response_p99_ns;
	struct skew skew;         /* of the workload's requests over servers: its pool's skew */
};

/* A point of a run's time series: one or more 10 s windows. */
struct lb_sample {
	double t_s;               /* end of the point's time, from the start of the run */
	double window_s;          /* the time it covers (10 s, or more in a long run) */
	double cpu_cores;         /* the balancer's mean CPU over it */
	double mem_bytes;         /* the largest of its 10 s memory samples */
};

/* The time series a run keeps (timeseries.csv, the load plot) are bounded
 * whatever the run's length and replications. Every 10 s window still
 * feeds the peak figures (lb_cpu_cores_peak, lb_mem_bytes); the series
 * has at most run_series_points() points, each covering
 * run_series_every() consecutive windows, and only the first
 * RUN_SERIES_REPLICATIONS replications keep series and events at all.
 * Points: RUN_SERIES_BUDGET / (servers + 2) (a value per server and
 * two balancer figures per point), held between RUN_SERIES_MIN_POINTS
 * and RUN_SERIES_MAX_POINTS. */
#define RUN_SERIES_REPLICATIONS 3u
#define RUN_SERIES_BUDGET 120000u
#define RUN_SERIES_MIN_POINTS 30u
#define RUN_SERIES_MAX_POINTS 1000u

/* The most points a series of scn may have. */
uint32_t run_series_points(const struct scenario *scn);
/* The 10 s windows each point covers (the last point may cover fewer). */
uint32_t run_series_every(const struct scenario *scn);
/* Does replication rep keep its series and events? */
int run_keeps_series(uint32_t rep);

enum run_event_kind {
	RUN_EVENT_FAULT_BEGIN = 0,
	RUN_EVENT_FAULT_END,
	RUN_EVENT_CHECK_DOWN,     /* the balancer took a server out of a pool */
	RUN_EVENT_CHECK_UP,       /* and put it back */
};

struct run_event {
	double t_s;
	enum run_event_kind kind;
	int32_t server;           /* from 0 */
	int32_t workload;         /* -1: the whole server */
	int32_t fault;            /* fault index for fault events, else -1 */
};

struct fault_result {
	double began_s, ended_s;  /* when it was applied and recovered; NaN: not */
	double detect_s;          /* fault start to the balancer marking it down; NaN: never */
};

/* The steady state of a run (lbsim/steady.h): the steady 10-s windows
 * of the measurement, and the requests sent and answered within steady
 * time. */
struct steady_result {
	double window_s;          /* steady time (0: none, and no value) */
	uint64_t sent, failed, misrouted;
	double response_mean_ns;
	uint64_t response_p50_ns, response_p95_ns, response_p99_ns;
	struct skew skew;         /* of requests over servers */
	double busy_mean, busy_max;
	double lb_cpu_cores_mean, lb_cpu_cores_peak;
};

struct run_result {
	/* Whole run, warm-up included: the conservation ledger. */
	uint64_t sent;            /* requests the clients sent */
	uint64_t completed;       /* answered by a server */
	uint64_t failed;          /* no usable server, refused, or failed on the server */
	uint64_t in_flight;       /* still on a server or the network at the end */
	uint64_t events;          /* events the engine ran */
	/* Measurement window (after warm-up). */
	double window_s;
	uint64_t measured;        /* requests sent in the window */
	uint64_t measured_failed, measured_misrouted;
	double response_mean_ns;
	uint64_t response_p50_ns, response_p95_ns, response_p99_ns;
	uint64_t response_cdf_ns[RUN_CDF_POINTS]; /* at run_cdf_q(i) */
	struct skew skew;         /* of requests over servers */
	struct skew skew_conns;   /* of connections over servers */
	struct skew skew_sessions; /* of active sessions (time-averaged) over servers */
	/* Clients and balancer. */
	uint64_t connections, nat_refused, connect_failed;
	uint64_t tls_full, tls_resumed, affinity_breaks, server_changes, redispatched;
	uint64_t lb_table_bytes;  /* the core's structures (pools, persistence tables) at their peak */
	/* Balancer cost over the measurement window. */
	struct cost_counts ops;   /* operations performed */
	double lb_cpu_ns;         /* their price: CPU time of one core */
	double lb_cpu_cores_mean; /* lb_cpu_ns / measured time */
	double lb_cpu_cores_peak; /* the busiest 10 s window */
	double lb_mem_bytes_peak; /* the largest of the windows' memory */
	struct cost_mem lb_mem_mean; /* by what holds it: the mean over the windows (time-weighted) */
	struct cost_mem lb_mem_peak; /* each part's largest window */
	uint64_t lb_refused;      /* requests refused by a full balancer queue (lb cores set) */
	/* Measured requests that waited for a server slot (layer 7, maxconn),
	 * those of them that gave up after `timeout queue` (failed), and the
	 * time they waited, summed: over the measured time it is the mean
	 * number waiting (Little's law). */
	uint64_t queued, queue_timeouts;
	double queue_wait_ns;
	uint64_t routed, persisted; /* balancer decisions, and those a persistence entry made */
	int has_persistence;
	double lb_busy;           /* share of the balancer's cores busy; NaN when unlimited */
	uint32_t nsamples;        /* 0 past the first RUN_SERIES_REPLICATIONS replications */
	struct lb_sample *samples; /* the series' points (see run_series_every) */
	uint32_t *window_requests; /* [sample * nservers + server]: requests in each point */
	uint32_t nhappenings;      /* faults and health transitions, in time order (the first
				    * RUN_SERIES_REPLICATIONS replications only) */
	struct run_event *happenings;
	uint32_t external_ips;
	/* What an operator configures on the balancer for this design. */
	uint32_t virtual_services, content_rules, health_checks;
	uint64_t traffic_checksum; /* order-free checksum of the device requests sent */
	/* The same by population, and the device requests each sent (whole
	 * run). */
	uint64_t pop_checksum[SCN_MAX_POPULATIONS], pop_sent[SCN_MAX_POPULATIONS];
	uint32_t nservers;
	struct server_result *servers;
	struct workload_result workloads[WL_COUNT];
	uint32_t nfaults;
	struct fault_result *faults;
	struct steady_result steady;
};

/* How far a run has got, for a progress line: written by the run's thread,
 * read by another. */
struct run_progress {
	_Atomic uint64_t sim_ns;   /* simulated time reached */
	_Atomic uint64_t events;   /* events run so far */
	struct sim_profile *profile; /* set by the caller: the run times its handlers here */
};

/* Run design number d of scn, replication rep. Returns 0, or -1 with a
 * message in err (out of memory, or a broken invariant: a run that loses a
 * request is a bug and is never reported as a result). */
int run_design(const struct scenario *scn, uint32_t d, uint32_t rep,
	       struct run_result *out, char *err, size_t errlen);

/* How a run is carried out, never what it computes (flags of
 * run_design_watched). By default a run skips ahead: health probes that
 * cannot change anything and sampling windows with nothing new in them
 * cost no event each (sim/world/world_events.c). RUN_EVERY_EVENT runs each
 * probe and window as its own event instead: the same results, byte for
 * byte, and slower (lbsim --every-event; the check of the skipping). */
#define RUN_EVERY_EVENT 1u

/* The same, publishing its progress in *progress (may be NULL), carried
 * out as flags say (0: the default): run_start, run_slice until it says
 * the run is over, run_finish. */
int run_design_watched(const struct scenario *scn, uint32_t d, uint32_t rep,
		       struct run_result *out, char *err, size_t errlen,
		       struct run_progress *progress, unsigned flags);

/* A run in slices, by default of 1/RUN_SLICES of its simulated length, so
 * that it can publish its progress between them, and so that
 * experiment.c can pause it and go on with it later, on any thread (a
 * run owns all of its state). The events and their order are exactly
 * those of one uninterrupted run: only when the slices run, never what
 * they compute, depends on how they are taken. */
#define RUN_SLICES 200u
struct run_state;

/* Set up design d, replication rep (as run_design_watched). 0 and *rs, or
 * -1 with a message in err. */
int run_start(const struct scenario *scn, uint32_t d, uint32_t rep,
	      struct run_progress *progress, unsigned flags, struct run_state **rs,
	      char *err, size_t errlen);

/* Run the next slice, step ns of simulated time (0: 1/RUN_SLICES of the
 * run): 1 when the run is over (its end reached, or it failed:
 * run_finish says why), 0 while slices are left. */
int run_slice(struct run_state *rs, sim_time_t step);

/* The simulated time the run has reached. */
sim_time_t run_reached(const struct run_state *rs);

/* Gather the results of a run that is over and free it: as
 * run_design_watched returns. */
int run_finish(struct run_state *rs, struct run_result *out, char *err, size_t errlen);

/* Free a run without results (another one failed); NULL is a no-op. */
void run_abandon(struct run_state *rs);
void run_result_free(struct run_result *res);

/* Bytes one run of design d will hold at its largest, estimated from the
 * sizes of its structures (devices, connections, requests in flight, event
 * slots, persistence tables), so a scenario too large for the machine is
 * refused before it starts rather than killed by the kernel. */
size_t run_memory_estimate(const struct scenario *scn, uint32_t d);

/* What a command will hold at its peak, to refuse it up front rather than
 * be killed by the kernel halfway (lbsim --memory-limit). */
struct memory_need {
	double per_run;           /* the biggest run (run_memory_estimate) */
	unsigned side_by_side;    /* runs at once */
	double kept;              /* results kept until they are written */
	double queued;            /* of per_run: requests waiting on overloaded servers */
	double offered, capacity; /* the open traffic's cores of work, and the servers' */
	double total;             /* per_run x side_by_side + kept */
};

/* The most health transitions a run keeps (the balancer's transition
 * log, models/balancer/design.c). */
#define RUN_MAX_TRANSITIONS 4096u

/* Bytes the result of replication rep keeps once the run is over (the
 * experiment holds every run's until it writes the CSV): struct
 * run_result, its servers and faults, and for the first replications
 * their series and events. */
size_t run_result_estimate(const struct scenario *scn, uint32_t rep);

/* Open traffic against the servers' capacity. *offered: the cores of work
 * it brings (requests per second x mean service time); *capacity: the
 * servers' cores at the worst moment of the run (faults down or slow).
 * Returns how many requests can be waiting at the end (an upper bound:
 * whatever arrives beyond the capacity of the moment piles up), 0 when
 * the servers keep up: a queue without a bound, which the memory estimate
 * counts and the command line warns about. */
double run_overload(const struct scenario *scn, double *offered, double *capacity);

#endif
