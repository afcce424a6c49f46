/* Scenario files: loading, validation, and the validated scenario.
 *
 * A scenario is a YAML file (see scenarios/ and the README for the schema).
 * scn_load() reads it with libcyaml, converts units, checks every value, and
 * either returns a complete, valid struct scenario or an error that names the
 * file, line and column of the mistake. Nothing is simulated or written
 * before a scenario has loaded cleanly.
 */
#ifndef LBSIM_SCENARIO_H
#define LBSIM_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "lbsim/cost.h"
#include "lbsim/engine.h"
#include "lbsim/lb_health.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "lbsim/network.h"
#include "lbsim/log_reader.h"
#include "lbsim/workload.h"

struct addr_plan;

#define SCN_NAME_MAX 64

/* Limits beyond which a scenario is refused before anything runs. */
#define SCN_MAX_SERVERS 4096u
#define SCN_MAX_CORES 1024u
#define SCN_MAX_USERS 10000000ull          /* ten million users */
#define SCN_MAX_DURATION (30ull * 86400 * SIM_NS_PER_S) /* thirty days */
#define SCN_MAX_REPLICATIONS 1000u
#define SCN_MAX_POPULATIONS 64u
#define SCN_MAX_CONNECTIONS 64u            /* per device (a client kind's connections) */
#define SCN_MAX_DESIGNS 16u
#define SCN_MAX_FAULTS 256u
#define SCN_MAX_EXPECTS 256u
#define SCN_MAX_ADDRESSES 1000000u         /* public addresses of one NAT population */
#define SCN_MAX_PORTS 64512u               /* ports per NAT address (1024 .. 65535) */
#define SCN_MAX_PERSIST_SIZE 100000000u    /* persistence table entries */
#define SCN_MAX_PLAN_LIST 4096u            /* prefixes or addresses written in a scenario */
#define SCN_MAX_SITES 1000000u             /* sites of one population */
#define SCN_MAX_FILE_ADDRESSES 100000000ull /* addresses of one address file */

/* Defaults of keys a scenario file may leave out. They are assumptions to
 * replace with measurements, chosen to be plausible rather than cited:
 * a carrier NAT binding that outlives a few connections (churn), a
 * re-authentication a few times a request's own CPU (affinity penalty),
 * a persistence table sized for a large site and entries that outlive a
 * user's pause (HAProxy examples use 30 min), a balancer queue that
 * refuses only a balancer that has clearly fallen behind. */
#define SCN_DEFAULT_CHURN (30ull * 60 * SIM_NS_PER_S)          /* cgnat: 30 min */
#define SCN_DEFAULT_AFFINITY_PENALTY (30ull * 1000000)         /* 30 ms of CPU */
#define SCN_DEFAULT_PERSIST_SIZE 100000u
#define SCN_DEFAULT_PERSIST_EXPIRE (30ull * 60 * SIM_NS_PER_S) /* 30 min */
#define SCN_DEFAULT_LB_QUEUE 10000u        /* requests waiting for balancer cores */
#define SCN_MAX_LB_QUEUE 100000000u

enum scn_design_kind {
	SCN_DESIGN_L4 = 0,   /* one VIP for every workload */
	SCN_DESIGN_L4_MULTI, /* one VIP per workload */
	SCN_DESIGN_L7,       /* TLS terminated, content switching */
};

/* The same values as enum source_kind (models/source.h). */
enum scn_source_kind {
	SCN_SOURCE_UNIQUE = 0, /* one public address per user (or device: address-per) */
	SCN_SOURCE_NAT,        /* every device behind one of `addresses` addresses */
	SCN_SOURCE_CGNAT,      /* carrier NAT pool of `addresses`, device address churns */
};

/* One server as the balancer and the world see it: an entry of
 * `servers: list:` (HAProxy's `server` line). */
struct scn_server {
	uint32_t weight;           /* 0 .. LB_MAX_WEIGHT, default 1 (HAProxy's default
				    * weight); 0: no new traffic but persistent ones */
	uint32_t cores;            /* its own cores; 0: servers.cores */
	uint32_t maxconn;          /* its own maxconn; SCN_MAXCONN_UNSET: servers.maxconn */
	uint8_t backup;            /* HAProxy's `backup`: used only while no active server is */
};

#define SCN_DEFAULT_WEIGHT 1u
#define SCN_MAXCONN_UNSET UINT32_MAX
#define SCN_MAX_MAXCONN 1000000u
/* How long a request may wait for a server slot (HAProxy's `timeout
 * queue`), unless the design says: HAProxy takes `timeout connect` when
 * `timeout queue` is not set, and lbsim's exported configurations set
 * `timeout connect 5s` (sim/haproxy/hap_export.c). */
#define SCN_DEFAULT_QUEUE_TIMEOUT (5ull * SIM_NS_PER_S)

struct scn_servers {
	uint32_t count;
	uint32_t cores;            /* per server, unless the server's entry says */
	/* The servers one by one (`list:`): SCN_MAX_SERVERS entries, the
	 * listed first and the rest with the defaults, so that --set
	 * servers.count (and plan) can grow the pool past the list; NULL: no
	 * list, every server with the defaults. listed: entries the file
	 * gives. */
	struct scn_server *each;
	uint32_t listed;
	uint32_t maxconn;          /* every server's, unless its entry says (HAProxy's
				    * `default-server maxconn`); 0: unlimited */
	sim_time_t service_mean;   /* open traffic (`rate`): mean CPU demand of one request */
	/* Device traffic: CPU per request by workload (defaults from
	 * models/workload.c, overridden by `servers: workloads:`). */
	struct server_workload_cfg workloads[WL_COUNT];
	int affinity_required;     /* Exchange 2010: a request away from its session's home server re-authenticates */
	sim_time_t affinity_penalty; /* extra CPU of that re-authentication */
	/* How the balancer names each server (`address:`, consecutive
	 * addresses from the first, one port): SCN_MAX_SERVERS entries, so
	 * that --set servers.count can grow the pool; NULL: the core's
	 * default, 127.0.0.1:10001, :10002, ... (the parity scripts'). */
	struct lb_endpoint *endpoints;
};

/* Server i's weight and cores, whether or not the file lists it. */
static inline uint32_t scn_server_weight(const struct scn_servers *s, uint32_t i)
{
	return s->each ? s->each[i].weight : SCN_DEFAULT_WEIGHT;
}

/* Server i's maxconn (0: unlimited) and whether it is a backup server. */
static inline uint32_t scn_server_maxconn(const struct scn_servers *s, uint32_t i)
{
	return s->each && s->each[i].maxconn != SCN_MAXCONN_UNSET ? s->each[i].maxconn
								  : s->maxconn;
}

static inline int scn_server_backup(const struct scn_servers *s, uint32_t i)
{
	return s->each && s->each[i].backup;
}

static inline uint32_t scn_server_cores(const struct scn_servers *s, uint32_t i)
{
	return s->each && s->each[i].cores ? s->each[i].cores : s->cores;
}

/* Cores of the first count servers together. */
uint64_t scn_servers_total_cores(const struct scn_servers *s);

/* 1 when every server has servers.cores (no entry of the list gives its
 * own), so that "N servers of C cores" describes them. */
int scn_servers_uniform_cores(const struct scn_servers *s);

/* 1 when two of the first count servers have one endpoint (addresses
 * given: servers: address: or list: address:), with *first < *later the
 * lowest such pair; 0 when none do or no address is given; -1 out of
 * memory. The loader checks the scenario's own count; a plan that grows
 * servers.count checks the counts it may reach. */
int scn_servers_shared_endpoint(const struct scn_servers *s, uint32_t count, uint32_t *first,
				uint32_t *later);

/* "8 servers of 4 cores each", or when their cores differ "3 servers of
 * 4 to 16 cores, 24 in all": for reports. Returns buf. */
const char *scn_servers_words(const struct scn_servers *s, char *buf, size_t len);

/* A point of a population's daily profile: from `at` on, `share` of its
 * users are logged on (straight lines between points, flat after the
 * last). */
struct scn_profile_point {
	sim_time_t at;
	double share;
};

#define SCN_MAX_PROFILE 48u

/* Replay (issue 18): a population whose requests are a request log's,
 * arriving as recorded (models/clients/replay.c); log[0] == '\0': not a
 * replay population. */
#define SCN_MAX_REPLAY_SCALE 1000u
#define SCN_DEFAULT_REPLAY_WINDOW (3600ull * SIM_NS_PER_S) /* 1 h: see scenario_validate_replay.c */
struct scn_replay {
	char log[512];             /* the log's path, relative ones from the scenario's folder */
	char written[256];         /* the log as the file names it (for messages and reports) */
	uint32_t scale;            /* k: each user's requests k times, clones on fresh addresses */
	int demand_from_log;       /* CPU demand = time taken (a long poll's: the workload's) */
	sim_time_t window;         /* the longest time taken that keeps arrival order */
	enum log_format format;
	enum log_on_error on_error;
	enum log_client_from client_from;
	char capture[256];         /* HAProxy: the captured request headers' names, comma-separated */
	char user_header[64];      /* HAProxy: the captured header that names the user ("": X-User) */
	unsigned line, column;     /* where the file names the log, for a log that cannot be read */
	/* Bytes a run's replay of the log holds at its largest (its window
	 * and user names), as lbsim's read of the log before any run
	 * measured it (cli.c, check_replays); 0 until then. The memory
	 * estimate counts it for every run at once. */
	double held_bytes;
};

struct scn_population {
	char name[SCN_NAME_MAX];
	uint64_t users;
	enum scn_source_kind source;
	uint32_t addresses;        /* nat, cgnat: public addresses */
	sim_time_t churn;          /* cgnat: mean time a device keeps its address */
	uint32_t port_budget;      /* ports per NAT address (0: 64,512) */
	/* Where its addresses come from, drawn per replication (NULL: the
	 * default plan, random over its own /6; owned by the scenario). */
	struct addr_plan *plan;
	uint32_t sites;            /* nat: sites, each behind its own `addresses` (0: one) */
	int address_per_device;    /* unique, nat: each device has its own address
				    * (default: a user's devices share one) */
	/* Open traffic: requests per second per user (Poisson), each on its
	 * own connection; 0 when the population runs client devices. */
	double request_rate;
	enum workload open_workload; /* the workload open requests ask for */
	/* Device traffic: a bit (1u << enum workload) per client kind each
	 * user runs; 0 for open traffic. */
	uint32_t clients;
	double tls13;              /* share of devices that send a fresh session id on every connection */
	/* Device traffic: how its devices of each kind behave: the
	 * scenario's `clients:` (models/workload.c's defaults, overridden),
	 * overridden again by the population's `client-settings:`. */
	struct client_cfg client[WL_COUNT];
	sim_time_t logon;          /* users log on uniformly over [0, logon] (0: all at the start) */
	/* A profile of logged-on users over time (nprofile 0: everyone, all
	 * the time): a user is on while share(t) exceeds its own fixed draw. */
	struct scn_profile_point profile[SCN_MAX_PROFILE];
	uint32_t nprofile;
	/* The network its users reach the balancer over (`network:`, default
	 * lan) and its figures, models/network.c's for the kind or the
	 * population's own `rtt:` and `jitter:`. */
	enum network_kind network;
	struct network_cfg net;
	/* Replay keys (issue 18), one block: */
	struct scn_replay replay;
};

/* A health check as a design configures it. */
struct scn_check {
	const struct lb_hc_ops *kind;  /* tcp, http, deep */
	struct lb_hc_params params;    /* path "" = per workload (l4-multi, l7) or /owa/healthcheck.htm (l4) */
};

/* Where a design's cost figures come from (a cost profile, lbsim/cost_profile.h). */
struct scn_cost_source {
	char name[64];             /* the profile's name */
	char as_written[512];      /* the scenario's cost-profile value; empty: the default */
	char where[512];           /* the file read, or "built in, profiles/NAME.yaml" */
	char kind[16];             /* published, measured, assumed, mixed */
	char source[512];          /* its provenance */
};

struct scn_design {
	char name[SCN_NAME_MAX];
	enum scn_design_kind kind;
	const struct lb_sel_ops *balance;
	struct lb_sel_params sel_params;
	const struct lb_pers_ops *persist;   /* NULL: no persistence */
	struct lb_pers_params pers_params;
	struct scn_check check;
	int tls_reencrypt;         /* l7: TLS again from the balancer to the servers */
	enum cost_impl impl;       /* how the balancer is built (l7: always a proxy) */
	enum cost_cert cert;       /* l7: the certificate key it serves */
	enum cost_cipher cipher;   /* l7: the bulk cipher of its TLS connections */
	enum cost_reuse reuse;     /* l7: http-reuse, which idle backend connection a request takes */
	struct cost_params costs;  /* per-operation CPU and per-object memory (lbsim/cost.h) */
	struct scn_cost_source cost_source; /* the profile the figures come from */
	uint64_t costs_overridden; /* 1 << enum cost_figure for each figure `costs:` set */
	uint32_t lb_cores;         /* balancer cores; 0: unlimited (CPU is counted, never waited for) */
	uint32_t lb_queue;         /* requests that may wait for a balancer core; more are refused */
	sim_time_t queue_timeout;  /* l7: longest wait for a server slot (HAProxy's `timeout
				    * queue`); 0: SCN_DEFAULT_QUEUE_TIMEOUT */
	/* l7: the round trip from the balancer to a server, paid to open a
	 * connection to it (how long an idle one is kept for reuse is the
	 * cost profile's backend-idle-timeout). */
	sim_time_t backend_rtt;
};

enum scn_fault_kind {
	SCN_FAULT_SERVER_DOWN = 0, /* the whole server fails */
	SCN_FAULT_WORKLOAD_DOWN,   /* one workload fails; the server answers the rest */
	SCN_FAULT_SLOW,            /* service times multiplied by `factor` */
	SCN_FAULT_AUTH_DOWN,       /* logons fail; the anonymous health pages still answer 200 */
	SCN_FAULT_STORE_DOWN,      /* a workload's (or every) mailbox store fails; pages answer 200 */
	SCN_FAULT_DRAIN,           /* the operator drains the server at the balancer: no new
				    * connection or session, those there finish */
	SCN_FAULT_MAINT,           /* the operator puts it in maintenance: no traffic, no
				    * health checks; connections there finish */
};

struct scn_fault {
	sim_time_t at;             /* from the start of the run (warm-up included) */
	sim_time_t duration;       /* then it recovers; SIM_TIME_NEVER: it does not */
	uint32_t server;           /* index from 0 (the file counts from 1) */
	enum scn_fault_kind kind;
	enum workload workload;    /* SCN_FAULT_WORKLOAD_DOWN, SCN_FAULT_STORE_DOWN */
	int all_workloads;         /* SCN_FAULT_STORE_DOWN without a workload: every store */
	double factor;             /* SCN_FAULT_SLOW */
};

/* The one workload fault f breaks, or -1 when it takes the whole server
 * (down, slow, auth-down, store-down of every store). */
static inline int scn_fault_workload(const struct scn_fault *f)
{
	int one = f->kind == SCN_FAULT_WORKLOAD_DOWN ||
		  (f->kind == SCN_FAULT_STORE_DOWN && !f->all_workloads);
	return one ? (int)f->workload : -1;
}

/* An expectation on a result, for `lbsim check` (the CI gate). */
struct scn_expect {
	uint32_t design;           /* index into designs */
	char metric[48];           /* a summary metric (sim/runs/summary.c) */
	int scope;                 /* enum summary_scope */
	int arg;                   /* the workload or fault index of a scoped metric */
	char scope_name[32];       /* "all", a workload's name, or "fault<N>" */
	int has_min, has_max;
	double min, max;
	unsigned line, column;     /* where the file states it */
};

struct scenario {
	char name[128];
	sim_time_t duration;       /* measured part of the run, after warmup */
	sim_time_t warmup;         /* discarded start of the run */
	uint64_t seed;
	uint32_t replications;
	struct scn_servers servers;
	struct scn_population *populations;
	uint32_t npopulations;
	struct scn_design *designs;
	uint32_t ndesigns;
	/* Client behaviour by workload (defaults from models/workload.c,
	 * overridden by `clients:`): what every population starts from (each
	 * population's own table, scn_population.client, is what runs). */
	struct client_cfg clients[WL_COUNT];
	struct scn_fault *faults;
	uint32_t nfaults;
	struct scn_expect *expects;
	uint32_t nexpects;
	char path[512];            /* the file it was loaded from */
	/* The text it was loaded from, NUL-terminated: `--set` and sweeps
	 * edit it and load it again (params.h); a results folder keeps it. */
	char *source;
	size_t source_len;
};

/* A load error. line and column count from 1; 0 when no position applies
 * (a missing file, an unreadable one). */
struct scn_error {
	char file[512];
	unsigned line;
	unsigned column;
	/* Room for the longest list of valid names a message gives (the
	 * summary metrics, about 520 bytes). */
	char message[1024];
};

/* Load and validate path. Returns 0 and a scenario to free with scn_free(),
 * or -1 with *err filled. */
int scn_load(const char *path, struct scenario **out, struct scn_error *err);

/* The same from a buffer (for tests and fuzzing); name stands for the file
 * in error messages. */
int scn_load_buffer(const char *name, const char *data, size_t len,
		    struct scenario **out, struct scn_error *err);

/* The same, with the files the scenario names by a relative path (cost
 * profiles, address files) read from files_dir (NULL: the scenario
 * file's folder): a results folder keeps the scenario's bytes, and those
 * files stay where the scenario was (provenance.csv, scenario_dir). */
int scn_load_in(const char *path, const char *files_dir, struct scenario **out,
		struct scn_error *err);
int scn_load_buffer_in(const char *name, const char *files_dir, const char *data, size_t len,
		       struct scenario **out, struct scn_error *err);

void scn_free(struct scenario *scn);
/* Free what scn holds, not scn itself (a scenario moved into an array). */
void scn_clear(struct scenario *scn);

/* Fill scn->clients, every population's client table and
 * scn->servers.workloads with the documented defaults
 * (models/workload.c); the loader then applies the file's overrides. */
void scn_set_workload_defaults(struct scenario *scn);

/* The workloads some population of scn asks for: a bit (1u << enum
 * workload) each; a kind that no user runs (share 0) is not asked for. */
uint32_t scn_workloads_used(const struct scenario *scn);

/* 1 when population p replays a log. */
static inline int scn_is_replay(const struct scn_population *p)
{
	return p->replay.log[0] != '\0';
}

/* The reader options of a replay population's log (captures point into
 * the copy of its capture list in buf, which must outlive o). */
void scn_replay_log_opts(const struct scn_replay *r, struct log_opts *o, char *buf, size_t len);

/* 1 when design d picks servers from the client's address (source
 * hashing, source-ip persistence): its skew then depends on which
 * addresses the clients were drawn. */
int scn_design_reads_source(const struct scn_design *d);

/* 1 when design d reads the TLS ClientHello's session id (ssl-session-id
 * persistence). */
int scn_design_reads_tls_hello(const struct scn_design *d);

/* Fill a design's defaults that are tables (its cost figures). */
void scn_set_design_defaults(struct scn_design *d);

/* Print "file:line:column: message" (or "file: message") and a newline. */
void scn_error_print(FILE *fp, const struct scn_error *err);

/* Parse a duration with a unit: "250ms", "5s", "10m", "2h", also "us", "ns",
 * "d", and decimals such as "1.5s". Returns 0, or -1 with a reason in why. */
int scn_parse_duration(const char *text, sim_time_t *out, const char **why);

const char *scn_design_kind_name(enum scn_design_kind kind);
const char *scn_source_kind_name(enum scn_source_kind kind);

#endif
