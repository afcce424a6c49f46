/* Health state of the balancer core: check kinds, each check's rise/fall
 * state machine and probe schedule, the server state derived from its
 * checks, a bounded log of transitions, and slowstart.
 *
 * The core sends no probe: the caller (the simulator, or a real prober)
 * asks lb_hc_next_probe_ns when to probe, runs the probe, and reports what
 * came back (lb_hc_reply, judged by the check kind) or a verdict
 * (lb_hc_result). The core keeps HAProxy's semantics (src/check.c,
 * src/server.c):
 *
 *  - One counter per check, health in 0 .. rise+fall-1; the check is up when
 *    health >= rise. A failure decrements it and drops it to 0 once it is
 *    below rise (down); a success increments it and lifts it to rise+fall-1
 *    once it reaches rise (up). So `fall` consecutive failures take a fully
 *    up check down, `rise` consecutive successes bring a fully down check up,
 *    and one success while up (or one failure while down) restores the full
 *    margin: alternating results never change the state when rise, fall >= 2.
 *  - The next probe is due one interval after a result (HAProxy reschedules
 *    the check task at now + srv_getinter() when a check completes):
 *    `inter` while fully up, `downinter` while fully down, `fastinter` in
 *    between (a failure while up, a success while down); an unset
 *    fastinter or downinter falls back to inter.
 *  - Initial state as HAProxy's `init-state`: `up` (the default: up, but the
 *    first failure takes it down), `fully-up`, `down` (the first success
 *    brings it up), `fully-down`.
 *
 * A check belongs to a server, or to a (server, workload) pair when the
 * design probes each workload (Exchange's /<workload>/healthcheck.htm). The
 * design layer decides which checks feed which pool; lb_hc_server_up and
 * lb_hc_commit derive a server's state from the checks handed to them.
 */
#ifndef LBSIM_LB_HEALTH_H
#define LBSIM_LB_HEALTH_H

#include "lbsim/lb.h"
#include "lbsim/lb_param.h"

#include <stddef.h>
#include <stdint.h>

#define LB_HC_PATH_MAX 64
#define LB_HC_DEFAULT_INTER_NS 2000000000ULL   /* HAProxy: inter 2s */
#define LB_HC_DEFAULT_RISE 2                   /* HAProxy: rise 2 */
#define LB_HC_DEFAULT_FALL 3                   /* HAProxy: fall 3 */

/* What came back from one probe, as the prober saw it. */
struct lb_hc_reply {
	int connected;          /* the TCP handshake completed */
	uint64_t elapsed_ns;    /* probe start to reply (or to giving up) */
	int status;             /* HTTP status code; 0 when no HTTP reply */
	int authenticated;      /* deep: the probe's logon was accepted */
	int end_to_end_ok;      /* deep: the workload transaction behind it worked */
};

struct lb_hc;

/* What a probe of a kind sends, so that the prober (a real one, or the
 * simulated server) knows what to do without knowing the kind by name. */
enum lb_hc_probe {
	LB_HC_PROBE_CONNECT = 0,    /* open a TCP connection and close it */
	LB_HC_PROBE_PAGE,           /* GET the check's path, anonymously */
	LB_HC_PROBE_TRANSACTION,    /* log on and run the workload end to end */
};

struct lb_hc_ops {
	const char *name;
	const char *description;
	/* Server work per probe relative to a tcp probe (= 1): what the
	 * prober tells the server the probe costs it (the simulator's server
	 * model spends it on its CPU); see each kind's file for the basis of
	 * its figure. */
	uint32_t cost;
	enum lb_hc_probe probe;     /* what a probe of this kind sends */
	const char *default_path;   /* NULL for kinds without a request */
	int default_status;         /* expected status; 0 when not checked */
	/* The parameters of this kind beyond lb_hc_params_common, fields of
	 * struct lb_hc_params (lb_param.h); NULL: none. A parameter the kind
	 * does not declare must stay empty. */
	const struct lb_param *params;
	/* Judge a reply: 1 pass, 0 fail. Required. */
	int (*evaluate)(const struct lb_hc *check, const struct lb_hc_reply *reply);
};

enum lb_hc_init {
	LB_HC_INIT_UP = 0,      /* up; the first failure takes it down (HAProxy default) */
	LB_HC_INIT_FULLY_UP,    /* up; `fall` failures take it down */
	LB_HC_INIT_DOWN,        /* down; the first success brings it up */
	LB_HC_INIT_FULLY_DOWN,  /* down; `rise` successes bring it up */
};

/* Zero fields take the defaults noted; ranges in lb_hc_params_common and
 * each kind's table. */
struct lb_hc_params {
	uint64_t inter_ns;      /* 0: LB_HC_DEFAULT_INTER_NS */
	uint64_t fastinter_ns;  /* 0: inter */
	uint64_t downinter_ns;  /* 0: inter */
	uint64_t timeout_ns;    /* 0: inter (HAProxy bounds a check by inter) */
	uint32_t rise;          /* 0: LB_HC_DEFAULT_RISE */
	uint32_t fall;          /* 0: LB_HC_DEFAULT_FALL */
	enum lb_hc_init init;
	char path[LB_HC_PATH_MAX];  /* "": the kind's default_path */
	int expect_status;      /* 0: the kind's default_status */
};

/* One state change of one check. */
struct lb_hc_event {
	uint64_t at_ns;
	uint32_t check_id;
	uint8_t up;             /* 1: went up, 0: went down */
};

/* A bounded log of transitions shared by several checks: a ring buffer
 * keeping the latest `cap` events; older ones are overwritten and counted. */
struct lb_hc_log {
	struct lb_hc_event *ev;
	uint32_t cap;
	uint32_t start;         /* index of the oldest kept event */
	uint32_t len;           /* events kept */
	uint64_t total;         /* events ever logged */
	struct lb_mem mem;
};

struct lb_hc {
	const struct lb_hc_ops *ops;
	struct lb_hc_params params;    /* defaults filled in */
	struct lb_hc_log *log;         /* may be NULL */
	uint32_t id;
	uint32_t server;               /* owner: index within the pool */
	int32_t workload;              /* workload index, or -1 for the whole server */
	uint32_t health;               /* 0 .. rise+fall-1 */
	int up;
	uint64_t next_probe_ns;
	uint64_t last_change_ns;
	uint64_t probes;
	uint64_t failures;
	uint64_t transitions;
};

/* The parameters every kind takes: inter, fastinter, downinter, timeout,
 * rise, fall, init. */
extern const struct lb_param lb_hc_params_common[];
/* path, for the kinds that send a request (http, deep). */
extern const struct lb_param lb_hc_params_request[];

/* Check params for kind ops with the one rule every user of the core
 * shares: every parameter in its declared range, none that the kind does
 * not declare (a path given to tcp). NULL when acceptable, else a message
 * in buf; *bad (may be NULL) is the parameter at fault, or NULL. */
const char *lb_hc_check(const struct lb_hc_ops *ops, const struct lb_hc_params *params,
			char *buf, size_t len, const struct lb_param **bad);

/* The registry as owners of parameter tables (lb_param.h), the common
 * table included. */
extern const struct lb_param_owners lb_hc_owners;

/* Create a check of kind ops with params (NULL: all defaults), owned by
 * server (and workload, or -1), logging to log (may be NULL), whose first
 * probe is due at first_probe_ns (the caller spreads checks over an
 * interval as HAProxy does; the core draws no random numbers). Returns 0, or
 * LB_EINVAL on bad parameters (lb_hc_check). */
LB_MUST_CHECK int lb_hc_init(struct lb_hc *check, const struct lb_hc_ops *ops,
	       const struct lb_hc_params *params, uint32_t id, uint32_t server,
	       int32_t workload, struct lb_hc_log *log, uint64_t first_probe_ns);

/* The interval the check's current health calls for (inter, fastinter or
 * downinter, as above). */
uint64_t lb_hc_interval_ns(const struct lb_hc *check);

/* When the next probe is due: the scheduled time, or now_ns if that has
 * passed (a probe overdue is due now). */
uint64_t lb_hc_next_probe_ns(const struct lb_hc *check, uint64_t now_ns);

/* The probe's verdict is known at now_ns: ok is 1 for a pass, 0 for a
 * failure. Updates the counter, logs a transition, schedules the next probe
 * at now_ns + lb_hc_interval_ns. Returns 1 when the check changed state
 * (went up or down), else 0. */
int lb_hc_result(struct lb_hc *check, uint64_t now_ns, int ok);

/* Judge reply with the check's kind, then lb_hc_result. */
int lb_hc_reply(struct lb_hc *check, uint64_t now_ns, const struct lb_hc_reply *reply);

/* The kind's verdict on reply: 1 pass, 0 failure. Changes nothing. */
int lb_hc_verdict(const struct lb_hc *check, const struct lb_hc_reply *reply);

/* 1 when a result of verdict ok would leave the check as it is but for
 * its counters and its next probe: fully up and passing, or fully down
 * and failing. A run of such results is then known without running them
 * (lb_hc_repeat). */
int lb_hc_steady(const struct lb_hc *check, int ok);

/* n results of verdict ok on a steady check (lb_hc_steady), the last at
 * last_ns: exactly what n calls of lb_hc_result would do (the counters,
 * the next probe at last_ns + the interval), in O(1). No-op for n 0. */
void lb_hc_repeat(struct lb_hc *check, uint64_t n, int ok, uint64_t last_ns);

/* The path and status the check expects (defaults applied). */
const char *lb_hc_path(const struct lb_hc *check);
int lb_hc_expect_status(const struct lb_hc *check);

/* 1 when every check in checks[0..n) owned by server is up; a server no
 * check watches is up (HAProxy treats an unchecked server as up). O(n). */
int lb_hc_server_up(const struct lb_hc *checks, size_t n, uint32_t server);

struct lb_slowstart;

/* Derive every server's health from checks[0..n) (lb_hc_server_up) and
 * commit the changes to pool (lb_server_set_healthy). When ss is not NULL
 * (one per server), a server coming back starts its slowstart ramp at now_ns
 * and gets the ramp's first weight before it takes traffic. Returns the
 * number of servers whose state changed, or an lb_err (LB_ENOMEM: the
 * algorithm could not rebuild; that server keeps its old state). */
LB_MUST_CHECK int lb_hc_commit(struct lb_pool *pool, const struct lb_hc *checks, size_t n,
		 struct lb_slowstart *ss, uint64_t now_ns);

/* The transition log. */
/* cap >= 1; 0, LB_EINVAL (cap 0) or LB_ENOMEM. */
LB_MUST_CHECK int lb_hc_log_init(struct lb_hc_log *log, uint32_t cap);
void lb_hc_log_free(struct lb_hc_log *log);
/* The i-th oldest kept event, i < log->len; NULL otherwise. */
const struct lb_hc_event *lb_hc_log_at(const struct lb_hc_log *log, uint32_t i);
/* Events overwritten because the ring was full. */
static inline uint64_t lb_hc_log_dropped(const struct lb_hc_log *log) { return log->total - log->len; }

/* Slowstart: after a server comes back, its effective weight ramps up over
 * duration_ns (HAProxy `slowstart`, src/server.c server_recalc_eweight):
 * HAProxy computes w = (16 * elapsed + slowstart) / slowstart in whole
 * seconds (16 = BE_WEIGHT_SCALE) and eweight = uweight * w / 16, i.e. the
 * ramp starts at 1/16 of the weight and climbs in 16 equal steps, and it
 * recomputes every max(1 s, slowstart / 20) ("small 5% steps"). lbsim keeps
 * the formula at nanosecond resolution and rounds the weight up, so that a
 * server that is back never has weight 0 (a weight-1 server thus stays at 1:
 * give weights like 16 or 100 for a visible ramp). The configured weight is
 * never touched; only eweight moves. */
struct lb_slowstart {
	uint64_t duration_ns;   /* 0: slowstart off */
	uint64_t since_ns;      /* when the server came back */
	int active;
};

#define LB_SLOWSTART_STEPS 16   /* HAProxy BE_WEIGHT_SCALE */

/* The server came back at now_ns: start the ramp (no-op when off). */
void lb_slowstart_begin(struct lb_slowstart *ss, uint64_t now_ns);

/* Effective weight at now_ns of a server of configured weight weight:
 * weight itself when no ramp is active or the ramp is over. */
uint32_t lb_slowstart_eweight(const struct lb_slowstart *ss, uint32_t weight, uint64_t now_ns);

/* Apply the ramp to server of pool at now_ns (lb_server_set_eweight when
 * the figure changed); ends the ramp once it reaches the full weight.
 * Returns 1 while the ramp goes on, 0 when it is over (or off), or an
 * lb_err (LB_ENOMEM: the algorithm could not rebuild). */
LB_MUST_CHECK int lb_slowstart_update(struct lb_slowstart *ss, struct lb_pool *pool, uint32_t server,
			uint64_t now_ns);

/* When to call lb_slowstart_update next: now + max(1 s, duration / 20),
 * HAProxy's warmup cadence. */
uint64_t lb_slowstart_next_update_ns(const struct lb_slowstart *ss, uint64_t now_ns);

/* The registry of check kinds, in the order help and errors list it. */
extern const struct lb_hc_ops *const lb_hc_registry[];
extern const size_t lb_hc_registry_len;
const struct lb_hc_ops *lb_hc_find(const char *name);
const char *lb_hc_names(char *buf, size_t len);

extern const struct lb_hc_ops lb_hc_tcp;
extern const struct lb_hc_ops lb_hc_http;
extern const struct lb_hc_ops lb_hc_deep;

#endif
