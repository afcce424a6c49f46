/* The balancer façade: the one door between the simulated world and the
 * balancer core (models/lb/).
 *
 * The world tells the balancer what happens on the wire, event by event,
 * and gets decisions back; the balancer decides what a real one decides
 * (which server, whether a health check passes) and counts the operations it
 * performed for them (struct cost_counts), which it prices itself. The world
 * knows no price, no design kind for costing and no core structure.
 *
 *   event (world -> balancer)            decision / effect
 *   balancer_conn_open(hello)            layer 4: the server, or none (the
 *                                        connection is refused); layer 7:
 *                                        accepted, TLS terminated
 *   balancer_request(seen, bytes, rtt)   the server of the request (layer 7
 *                                        chooses now, layer 4 answers the
 *                                        connection's), or none; the
 *                                        connection has a request in flight
 *   balancer_response(bytes, rtt)        the answer passed back; the
 *                                        connection is idle again
 *   balancer_conn_close()                every resource of the connection
 *                                        released
 *   balancer_probe_reply(reply)          the server's answer to a probe,
 *                                        judged by the check's kind; the
 *                                        server's state in its pool
 *                                        (models/balancer/checks.c)
 *
 * The designs (what the balancer is built of, models/balancer/design.c):
 *   l4        one layer-4 VIP for every workload; one pool of all servers;
 *             one health check per server on one page (default
 *             /owa/healthcheck.htm): a failed workload that is not the
 *             checked one keeps receiving traffic
 *   l4-multi  one layer-4 VIP per workload, each with its own pool of all
 *             servers and a check per (server, workload) on that
 *             workload's page
 *   l7        one VIP terminating TLS; a sub-service per workload chosen by
 *             URL path, each with its own pool and per-(server, workload)
 *             checks; servers are chosen per request
 * l4-multi and l7 give a namespace (VIP, content rule) and checks only to
 * the workloads some population uses (scn_workloads_used).
 *
 * A layer-4 design chooses a server when a connection opens and keeps it
 * for the connection's life; a layer-7 design chooses per request.
 *
 * Connections to the servers (models/balancer/backends.c): layer 7 forwards
 * each request on a connection of its own to the server, reused as
 * http-reuse allows, opened (a round trip or two to the server, at the
 * design's backend-rtt) when not; the time a request waits for that is
 * balancer_take_wait_ns.
 *
 * Cost accounting (models/balancer/ledger.c): every event charges the
 * operations the design performed for it, counted per window and priced at
 * the design's figures (struct cost_params, models/cost.c): CPU for the
 * windows and the measurement, and the work each request brings to the
 * balancer's cores when the design has a number of them
 * (balancer_take_work_ns). Memory is measured from the core's structures
 * plus what the design holds, priced per object and split by what holds
 * it (struct cost_mem): a base per connection held, buffers only while
 * bytes move (a message's relay time, from its size and the round trip
 * it travels at), a layer-7 request's stream state from request to
 * answer, connections to the servers (layer 7, pooled by http-reuse),
 * the TLS session cache, tables. How the design is built (implementation
 * kernel-nat, kernel-dr or proxy; its certificate, cipher and reuse mode)
 * decides which operations an event costs (models/balancer/traffic.c).
 */
#ifndef LBSIM_BALANCER_H
#define LBSIM_BALANCER_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/balancer_conn.h"
#include "lbsim/cost.h"
#include "lbsim/lb.h"
#include "lbsim/lb_health.h"
#include "lbsim/lb_vs.h"
#include "lbsim/scenario.h"
#include "lbsim/tls_flights.h"
#include "lbsim/workload.h"

/* The TLS versions a client may speak. */
enum bal_tls_version {
	BAL_TLS_12 = 12,
	BAL_TLS_13 = 13,
};

/* What the balancer sees of a new connection: the first packets and the
 * ClientHello, and what the client offers to resume. */
struct bal_hello {
	const struct lb_request *seen;  /* addresses, ports, ClientHello session id */
	enum workload workload;         /* the VIP it connects to (l4-multi has one per workload) */
	enum bal_tls_version tls;
	uint8_t resumable;              /* the client holds a live session it offers to resume */
	/* Layer 4, where the servers terminate TLS: 1 + the server whose own
	 * session cache holds that session (the one the client last
	 * reached); a connection routed elsewhere makes a full handshake.
	 * 0: not known, the offer is taken wherever it lands. */
	uint32_t session_home;
};

/* One health check of the design and what it watches. */
struct bal_check {
	struct lb_hc hc;
	uint32_t vs;        /* the virtual service and pool whose server state it feeds */
	uint32_t pool;
	int workload;       /* the page it asks for: -1 tcp (server only) */
};

/* The design's own operation counts and the figures they are priced at,
 * over the current window and the measurement (models/balancer/ledger.c). */
struct bal_ledger {
	const struct cost_params *price;
	struct cost_counts window;      /* since the last window closed */
	struct cost_counts measured;    /* every closed window since the measurement began */
	double pending_ns;              /* work not yet handed to the balancer's cores */
	double moving_ns;               /* connection-ns of buffers held, this window (relay time) */
	uint64_t window_closes;         /* kernel: flows closed in the window (their entries linger) */
	double wake_carry;              /* proxy: the wake-ups' fraction not yet counted (ledger.c) */
	/* Quiet windows (no operation but probes: charged 0) of as many
	 * probes as quiet_probes cost quiet_ns (when quiet_priced): pricing
	 * is the costliest part of closing a window, and a sparse run closes
	 * mostly quiet ones. */
	uint8_t charged, quiet_priced;
	uint64_t quiet_probes;
	double quiet_ns;
};

/* The idle connections to one server of one pool, oldest first (the
 * times they became idle, since[head .. head + len);
 * models/balancer/backends.c). 32 bytes, so
 * that a list never straddles two cache lines. */
struct bal_idle_list {
	uint64_t *since;
	uint64_t oldest;                /* since[head] while len > 0: a request's take and put
					 * ask only whether the oldest has expired, and at scale
					 * the array is a cache miss each (issue 19 item 5) */
	uint32_t head, len, cap;
	uint8_t has_session;            /* re-encryption: a TLS session to resume */
};

/* A layer-7 balancer's connections to its servers. */
struct bal_backends {
	struct bal_idle_list *lists;    /* pool * servers + server */
	uint32_t nlists;
	uint64_t open;                  /* connections to servers open: in use or idle */
	uint64_t idle;                  /* of which idle in the lists */
	uint64_t idle_timeout_ns;
	uint64_t clock_ns;              /* the latest event's time: a request that waited for
					 * a slot gets its connection then (queue.c) */
};

/* A queue of waiting requests (models/balancer/queue.c). */
struct bal_queue {
	struct bal_wait *head, *tail;
	uint64_t len;
};

/* What the balancer did, whole run. */
struct bal_stats {
	uint64_t conns_open;            /* client connections open now */
	uint64_t conns_active;          /* of which with a request in flight */
	uint64_t tls_full, tls_resumed; /* client handshakes, as the balancer saw them */
	uint64_t routed, persisted;     /* routing decisions, and those persistence made */
	uint64_t redispatched;          /* a persisted server was down: chosen anew */
	uint64_t queued;                /* requests that waited for a server slot (maxconn) */
	uint64_t queue_timeouts;        /* of which left after `timeout queue`: failed (503) */
	uint32_t virtual_services, content_rules, health_checks, external_ips;
};

/* A TLS handshake's flights as one design sees them, by TLS version and
 * resumption (tls_flights.h for its certificate): computed once when the
 * design is built, where each connection recomputed them (issue 19). */
struct bal_handshake {
	uint8_t n;                      /* flights */
	uint8_t from[2];                /* [from_client]: flights that side sends */
	uint32_t bytes[TLS_MAX_FLIGHTS];
	uint64_t packets[TLS_MAX_FLIGHTS]; /* kernel forwarder: packets of flight i through
					    * it (direct return: the client's ACKs of a
					    * server's) */
	uint64_t bytes_total, packets_total; /* over the flights: counted at once */
};

/* A kernel forwarder's packets of the last message of a size seen each
 * way (a design's requests and answers are mostly of one size each):
 * the division by the MTU is done once per size, not per message. */
struct bal_packets_memo {
	uint64_t bytes, packets;
};

struct balancer {
	enum scn_design_kind kind;
	int per_request;    /* l7: route each request */
	int terminates_tls; /* l7: the balancer does the handshakes and the bulk crypto */
	int reencrypt;      /* l7: TLS again to the servers */
	enum cost_impl impl;         /* l7: always COST_IMPL_PROXY */
	int kernel;         /* a kernel forwarder (impl kernel-nat or kernel-dr): no
			     * thread to wake, its work priced per packet; asked
			     * several times a request, so kept, not derived */
	enum cost_cert cert;
	enum cost_cipher cipher;
	enum cost_reuse reuse;
	struct bal_backends backends; /* l7: connections to the servers */
	uint32_t nvs;
	struct lb_vs *vs;               /* l4, l7: 1; l4-multi: one per workload */
	struct bal_check *checks;
	uint32_t nchecks;
	struct lb_hc_log log;
	uint32_t external_ips;          /* VIPs that need a public address */
	uint32_t namespaces;            /* workloads given a VIP (l4-multi) or content rule (l7); l4: 1 */
	struct bal_ledger ledger;
	struct bal_stats stats;         /* the counters; routed and persisted are read from the core */
	/* l7: the time opening a connection to a server takes (its round
	 * trips at the design's backend-rtt), and the time requests waited
	 * for such, not yet taken (balancer_take_wait_ns). */
	double backend_setup_ns;
	double pending_wait_ns;
	/* The round trip from the balancer to a server (the design's
	 * backend-rtt): a request's bytes are held until the server has
	 * acknowledged them (ledger.c). */
	double backend_rtt_ns;
	/* A proxy's threads, whose idle share decides how many arrivals
	 * wake it (the design's lb-cores; 0: as many as its work needs,
	 * ledger.c). */
	uint32_t threads;
	struct bal_handshake handshakes[2][2]; /* [TLS 1.3][resumed] */
	struct bal_packets_memo packets_memo[2]; /* [inbound] */
	/* Layer 7 with maxconn: the pools' queues, their servers' queues,
	 * and the requests that have just left them for a slot. */
	struct {
		struct bal_queue *pool;     /* [pool] */
		struct bal_queue *server;   /* [pool * nservers + server] */
		uint32_t npools, nservers;
		struct bal_queue ready;
	} queues;
	void (*ready_hook)(void *owner);
	void *ready_owner;
};

/* ---- the design ---------------------------------------------------------- */

/* Build design d for scn's servers. Its checks' first probes spread
 * evenly over one interval as HAProxy spreads them, starting probe_phase
 * (in [0, 1), else 0) of an interval into the run: check i first probes at
 * (probe_phase + i / checks) x inter, modulo inter. The world draws the
 * phase (the balancer draws no random numbers). Returns 0, or -1 with a
 * message in msg (the loader has checked what it can; what remains is
 * memory). */
LB_MUST_CHECK int balancer_init(struct balancer *b, const struct scenario *scn, const struct scn_design *d,
		  double probe_phase, char *msg, size_t len);
void balancer_free(struct balancer *b);

/* Bytes design d of scn will hold at most in its core structures
 * (persistence tables, checks and their log), before it is built: for the
 * run's memory estimate. */
double balancer_mem_estimate(const struct scenario *scn, const struct scn_design *d);

/* How many health checks design d of scn has (before it is built). */
uint32_t balancer_nchecks_of(const struct scenario *scn, const struct scn_design *d);

/* 1 when the design chooses a server per request (layer 7), 0 per
 * connection (layer 4). */
static inline int balancer_routes_per_request(const struct balancer *b) { return b->per_request; }

/* ---- traffic ------------------------------------------------------------- */

/* A client opens connection c at now. Layer 4 routes it (the server is then
 * bal_conn_server(c)); layer 7 accepts it and terminates its TLS. Returns 0
 * when the connection is open, -1 when the balancer refuses it (layer 4: no
 * usable server; c is then not open). */
int balancer_conn_open(struct balancer *b, struct bal_conn *c, const struct bal_hello *hello,
		       uint64_t now_ns);

/* A request of bytes on open connection c at now, from a client at round
 * trip rtt_ns (its buffers are held while its bytes pass: ledger.c); seen
 * is the request as the client sends it (layer 7 reads its path and
 * cookie, layer 4 nothing more than at open). Returns the server it goes to, or -1 when the
 * balancer has none (layer 7: no usable server in the request's pool); the
 * request then fails at the balancer, its work is counted but waits for no
 * core, and c stays idle. Otherwise c has data in flight until
 * balancer_response. */
int32_t balancer_request(struct balancer *b, struct bal_conn *c, const struct lb_request *seen,
			 uint64_t bytes, uint64_t rtt_ns, uint64_t now_ns);

/* The answer to c's request in flight passed back through the balancer at
 * now: bytes of it (a failure's answer too), to a client at round trip
 * rtt_ns. c is idle again; layer 7
 * releases the request's server. A response on a connection with no
 * request in flight (closed and reopened since) is counted and otherwise
 * ignored. */
void balancer_response(struct balancer *b, struct bal_conn *c, uint64_t bytes, uint64_t rtt_ns,
		       uint64_t now_ns);

/* c closes at now (either side); no-op when it is not open. */
void balancer_conn_close(struct balancer *b, struct bal_conn *c, uint64_t now_ns);

/* ---- waiting for a server slot (layer 7, maxconn) --------------------------
 *
 * balancer_request answers BAL_WAIT when every server that could take the
 * request is at maxconn (models/balancer/queue.c says what HAProxy does and
 * so what this does). The world hands the request to balancer_wait when it
 * reaches the servers (after the balancer's cores, if any): it takes a
 * slot if one has freed meanwhile (the server, >= 0), fails when no server
 * is usable any more (-1), or joins its queue (BAL_WAIT: w is linked). A
 * slot that frees later takes the oldest waiting request and puts it on
 * the ready list, and the hook set here is called: the world then takes
 * each with balancer_ready_pop (its connection's server is set: it goes
 * there). balancer_wait_abandon takes a request out after `timeout
 * queue` (1 when it was waiting; its connection's request then fails at
 * the balancer: the world calls balancer_response with the 503). */
int32_t balancer_wait(struct balancer *b, struct bal_wait *w, struct bal_conn *c,
		      uint64_t now_ns);
int balancer_wait_abandon(struct balancer *b, struct bal_wait *w);
struct bal_wait *balancer_ready_pop(struct balancer *b);
void balancer_set_ready_hook(struct balancer *b, void (*hook)(void *owner), void *owner);

/* The work (ns of one core) the balancer has been charged since the last
 * call: the demand that waits for the balancer's cores when the design has
 * a number of them (the world takes it as a request goes in, and again as
 * its answer comes back). */
double balancer_take_work_ns(struct balancer *b);

/* The time (ns) requests have waited since the last call for the
 * balancer to open connections to their servers (layer 7, when no idle
 * connection could be reused; 0 on layer 4): the world takes it as a
 * request goes in, beside its work (balancer_take_work_ns). */
double balancer_take_wait_ns(struct balancer *b);

/* A hint before balancer_request(b, c, seen, ...): where it will look
 * seen up in a persistence table (lb_vs_hint), for lb_pers_hint_prefetch
 * to load at stage 0 the index slot, at stage 1 the entry. Changes nothing. */
void balancer_hint(const struct balancer *b, const struct bal_conn *c,
		   const struct lb_request *seen, struct lb_pers_hint *out);

/* ---- health checks ------------------------------------------------------- */

/* What check i's probe asks of which server: the server, the workload
 * whose page or transaction it asks for (-1: the server alone, as a tcp
 * check or a page of no workload), what it sends, and the server work it
 * costs in units of a tcp probe (the kind's lb_hc_ops.cost). The world has
 * the server answer it as a real one would and hands the answer back to
 * balancer_probe_reply; the check's kind judges it. */
struct bal_probe_target {
	uint32_t server;
	int32_t workload;
	enum lb_hc_probe sends;
	uint32_t work_units;
};
struct bal_probe_target balancer_probe_target(const struct balancer *b, uint32_t i);

/* When check i probes next, at or after now. */
uint64_t balancer_probe_due(const struct balancer *b, uint32_t i, uint64_t now_ns);

/* The server answered check i's probe with reply at now. Counts the probe,
 * has the check's kind judge the reply (lb_hc_reply: a tcp check asks
 * only for the connection, http for the status too, deep also for the
 * logon and the transaction behind it), feeds the check's rise/fall state
 * and commits a change of the server's state to its pool. Returns 1 when
 * the server's state changed, 0 when not, -1 when the pool could not take
 * the change (its algorithm ran out of memory rebuilding; the server keeps
 * its old state there): the run cannot go on truthfully. */
LB_MUST_CHECK int balancer_probe_reply(struct balancer *b, uint32_t i, uint64_t now_ns,
			 const struct lb_hc_reply *reply);

/* Probes that change nothing (the simulator's skipping ahead,
 * sim/world/world_trains.c). balancer_probe_verdict: how check i's kind
 * judges reply (changes nothing). balancer_probe_steady: 1 when a probe
 * of that verdict would leave check i as it is (fully up and passing,
 * fully down and failing: lb_hc_steady). balancer_probe_interval: the
 * time to its next probe as it stands. balancer_probes_repeat: n such
 * probes, the last at last_ns, counted exactly as n calls of
 * balancer_probe_reply would count them (the window's probe operations,
 * the check's counters and next probe), in O(1). */
int balancer_probe_verdict(const struct balancer *b, uint32_t i, const struct lb_hc_reply *reply);
int balancer_probe_steady(const struct balancer *b, uint32_t i, int ok);
uint64_t balancer_probe_interval(const struct balancer *b, uint32_t i);
void balancer_probes_repeat(struct balancer *b, uint32_t i, uint64_t n, int ok, uint64_t last_ns);

/* The health transitions kept (the latest LB_HC log capacity), oldest
 * first: i < balancer_transitions(b). */
struct bal_transition {
	uint64_t at_ns;
	uint32_t server;
	int32_t workload;   /* the checked page's workload; -1 the server alone */
	int up;
};
uint32_t balancer_transitions(const struct balancer *b);
struct bal_transition balancer_transition(const struct balancer *b, uint32_t i);

/* ---- the operator --------------------------------------------------------- */

/* Set server's administrative state in every pool of the design at now
 * (models/balancer/admin.c: drain, maint, ready as HAProxy has them).
 * Returns 0, or -1 when a pool could not rebuild (out of memory). */
int balancer_set_admin(struct balancer *b, uint32_t server, enum lb_admin_state state,
		       uint64_t now_ns);

/* 0 when check i probes as usual; while its server is in maintenance
 * (HAProxy sends no checks then), the ns until it should look again. */
uint64_t balancer_check_paused(const struct balancer *b, uint32_t i);

/* ---- measurement --------------------------------------------------------- */

/* The measurement begins now: the current window starts empty. */
void balancer_measure_start(struct balancer *b);

/* Close the current window of window_ns (> 0) at now: its CPU in cores
 * and the memory the balancer holds now, in bytes, by what holds it; its
 * counts join the measured. */
void balancer_window_close(struct balancer *b, uint64_t window_ns, uint64_t now_ns,
			   double *cpu_cores, struct cost_mem *mem);

/* Operations of the closed windows since the measurement began, and their
 * price in ns of one core. */
const struct cost_counts *balancer_measured_ops(const struct balancer *b);
double balancer_measured_cpu_ns(const struct balancer *b);

/* The counters (stats.routed and .persisted summed from the core's virtual
 * services). */
struct bal_stats balancer_stats(const struct balancer *b);

/* Bytes the balancer's core structures hold (pools, tables). */
size_t balancer_mem_bytes(const struct balancer *b);
/* The same, each structure at its peak (lb_vs_mem_peak_bytes). */
size_t balancer_mem_peak_bytes(const struct balancer *b);

#endif
