/* What the files of the clients room share and nobody else sees: a
 * device, its connections and its population's state, and the
 * counter-based draws they make. devices.c runs the connections, presence.c
 * logs users on and off, open.c turns open traffic into one-request
 * connections, roster.c builds and frees it all (and is the door the world uses).
 */
#ifndef LBSIM_CLIENTS_INTERNAL_H
#define LBSIM_CLIENTS_INTERNAL_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "lbsim/clients.h"
#include "lbsim/population.h"
#include "lbsim/rng.h"
#include "lbsim/source.h"

enum conn_state {
	CONN_DOWN = 0,  /* not connected; its timer reconnects */
	CONN_IDLE,      /* connected; its timer sends the next request (on a
			 * poll connection: the next poll) */
	CONN_BUSY,      /* a request is outstanding */
	CONN_SYNC,      /* a poll connection whose poll a change ended: connected,
			 * its timer sends the sync that follows */
};

struct device;

/* A client connection: what a request's cycle reads and writes, in one
 * cache line. At 100,000 users of the default scenario the connections and
 * devices take ~45 MB, far past the caches, so each line a request touches
 * costs a DRAM miss; the cycle (timer fires, request sent, answer back,
 * think timer set) needs only this line and, to send, its device's home
 * (pop_state.homes; the device itself only where the design reads TLS
 * session ids, clients.requests_carry_tls_id). Fields
 * used on connection open and close only live apart in struct conn_link.
 * Its timer's ctx is its population's state (the connection itself is the
 * event's container). */
struct conn {
	_Alignas(64) struct sim_event ev; /* think, retry or reconnect timer */
	struct device *dev;
	sim_time_t ends_at;         /* the client closes it at its next request after this */
	uint32_t seq;               /* draws made for this connection: the counter of its random
				     * numbers (2^32 draws: a request a second for 136 years) */
	uint32_t errors;            /* failed requests in a row on it (client_cfg.reconnect_after) */
	struct bal_conn lb;         /* the balancer's state of it: where it is sent (layer 4) */
	uint32_t src_addr;
	uint16_t src_port;
	/* Small numbers packed into the line's last two bytes: a device has at
	 * most 64 connections and a scenario at most 64 populations. */
	unsigned index : 6;         /* among its device's connections */
	unsigned state : 2;         /* enum conn_state */
	unsigned pop : 6;           /* its device's population */
	unsigned offline : 1;       /* copy of its device's: the user logged off */
	unsigned linked : 1;        /* on a server's connection list */
};
_Static_assert(sizeof(struct conn) == 64, "a connection should fill one cache line");
_Static_assert(SCN_MAX_POPULATIONS <= 64, "struct conn.pop holds 0..63");
_Static_assert(SCN_MAX_CONNECTIONS <= 64, "struct conn.index holds 0..63");

/* The cold part of a connection, in an array parallel to the connections:
 * its place on its server's list (layer 4) and its NAT address. The list
 * links the links, not the connections, so that opening or closing a
 * connection touches its neighbours' links alone: finding a neighbour
 * connection's link would read that connection (its population), one
 * cache miss more per neighbour at scale. */
struct conn_link {
	struct conn_link *prev, *next;
	struct conn *conn;          /* whose link it is (while linked) */
	uint32_t addr_index;
};

/* A client device: what opening a connection reads, in one cache line
 * (see struct conn for why). A request needs only its home server, which
 * lives apart in pop_state.homes (2 bytes a device, not a line: at a
 * million users the devices take 130 MB, their homes 4 MB). Its
 * log-on/off event lives apart, in pop_state.presence. */
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
	uint32_t nconns;
	struct conn *conns;
};
_Static_assert(sizeof(struct device) == 64, "a device should fill one cache line");
_Static_assert(SCN_MAX_SERVERS <= INT16_MAX, "pop_state.homes holds a server in 16 bits");

/* Per-population state (common random numbers: the names, not the
 * design, decide the numbers). */
struct pop_state {
	const struct scn_population *cfg;
	struct clients *clients;    /* for the handlers of its events */
	struct source_pool source;
	struct population open;     /* open traffic generator, when cfg->request_rate > 0 */
	uint64_t base;              /* seed of the counter-based draws of its devices */
	struct device *devices;     /* 64-byte aligned */
	int16_t *homes;             /* homes[i]: the server of device i's last request, its
				     * session's home (-1: none) */
	struct sim_event *presence; /* presence[i]: devices[i] logs on or off (with a profile) */
	struct conn *conns;         /* 64-byte aligned */
	struct conn_link *links;    /* links[i] belongs to conns[i] */
	uint64_t ndevices;
	int source_ready, open_ready;
	uint32_t kinds[WL_COUNT];   /* the workloads its devices run, in order */
	uint32_t nkinds;
	uint64_t kinds_recip;       /* ceil(2^32 / nkinds): device_user's multiplier */
	uint64_t open_sent;         /* open traffic: requests so far, the counter of their draws */
	struct replay_state *replay; /* a replayed log (replay.c), or NULL */
};

/* The user of device number device of ps (device = user * nkinds + the
 * place of its kind), by a multiply rather than a division (a request
 * took one, 1-2 % of a 100,000-user run): with r = ceil(2^32 / nkinds)
 * = 2^32 / nkinds + e (0 <= e < 1), device * r / 2^32 exceeds
 * device / nkinds by device * e / 2^32, below 1/8 for device < 2^29,
 * so below the 1/nkinds (nkinds <= 8) at least that the fraction of
 * device / nkinds lacks to the next whole number: the quotient is exact. */
_Static_assert(SCN_MAX_USERS * WL_COUNT < (1ull << 29), "device_user: device < 2^29");
static inline uint32_t device_user(const struct pop_state *ps, uint32_t device)
{
	uint32_t user = (uint32_t)(((uint64_t)device * ps->kinds_recip) >> 32);
	assert(user == device / ps->nkinds);
	return user;
}

/* The place of device number device's kind in ps->kinds. */
static inline uint32_t device_place(const struct pop_state *ps, uint32_t device)
{
	return device - device_user(ps, device) * ps->nkinds;
}

/* Stream tags for counter-based draws (new tags go last: a tag's value
 * is part of its draws). */
enum draw { DRAW_THINK = 1, DRAW_DEMAND, DRAW_LIFE, DRAW_PHASE, DRAW_TLS13, DRAW_BACKOFF,
	    DRAW_PRESENCE, DRAW_MIX, DRAW_CHANGE, DRAW_NETWORK };

static inline uint64_t draw_key(uint32_t pop, uint32_t device, uint32_t conn, enum draw what)
{
	return ((uint64_t)pop << 56) ^ ((uint64_t)device << 16) ^ ((uint64_t)conn << 4) ^ what;
}

static inline uint64_t device_key(const struct device *d, uint32_t conn, enum draw what)
{
	return draw_key(d->pop, d->id, conn, what);
}

/* A uniform draw of device d's, for connection conn (0 for the device's
 * own), kind what, number k. */
static inline double draw_u01(const struct clients *cl, const struct device *d, uint32_t conn,
			      enum draw what, uint64_t k)
{
	return rng_hash_u01(cl->pops[d->pop].base, device_key(d, conn, what), k);
}

/* How devices of kind w of population pop behave (the scenario's
 * clients: with the population's client-settings: over them). */
static inline const struct client_cfg *pop_client(const struct clients *cl, uint32_t pop,
						  enum workload w)
{
	return &cl->pops[pop].cfg->client[w];
}

/* A request's round trip on population pop's network: its rtt plus an
 * exponential extra of mean jitter, from a draw e of Exp(1). */
static inline sim_time_t pop_round_trip(const struct clients *cl, uint32_t pop, double e)
{
	const struct network_cfg *n = &cl->pops[pop].cfg->net;
	return n->rtt + (sim_time_t)(e * (double)n->jitter + 0.5);
}

static inline sim_time_t seconds_ns(double s)
{
	double ns = s * (double)SIM_NS_PER_S + 0.5;
	return ns >= 1.8e19 ? SIM_TIME_NEVER : (sim_time_t)ns;
}

static inline int measuring(const struct clients *cl)
{
	return sim_now(cl->env.eng) >= cl->env.measure_from;
}

/* Schedule ev delay from now; when the engine cannot, the run is void. */
static inline void clients_schedule(struct clients *cl, struct sim_event *ev, sim_time_t delay)
{
	if (sim_schedule_in(cl->env.eng, ev, delay) != 0) {
		cl->out_of_memory = 1;
		sim_stop(cl->env.eng);
	}
}

/* The connection whose timer ev is. */
static inline struct conn *conn_of(const struct sim_event *ev)
{
	return (struct conn *)(void *)((char *)ev - offsetof(struct conn, ev));
}

/* devices.c: lay out population pi's devices and connections (nothing
 * scheduled), then start each device: its connections' timers, unless its
 * user is logged off. */
int devices_alloc(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep);
int device_start(struct clients *cl, struct pop_state *ps, struct device *d);
void conn_open(struct clients *cl, struct conn *c);
void conn_close(struct clients *cl, struct conn *c);
void device_answered(struct clients *cl, struct request *req, int ok);

/* presence.c: a device whose population has a profile starts logged on or
 * off as the profile says at time 0, and logs on and off at the
 * profile's crossings of its user's level (schedules presence[i]). */
int presence_init(struct clients *cl, struct pop_state *ps, struct device *d, uint64_t i);

/* CPU demand of one request of a workload from its draw's 64 bits
 * (devices.c; replay.c draws the same way). */
sim_time_t demand_of(const struct server_workload_cfg *cfg, uint64_t bits);

/* open.c */
int open_init(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep);
void open_answered(struct clients *cl, struct request *req);

/* A request on a connection of its own (open traffic, replay). */
struct oneshot {
	uint32_t pop, user, addr_index;
	enum workload workload;
	sim_time_t demand, hold;
};
/* Counted sent, opened through the balancer and dispatched; lr holds the
 * source address and port. 0, or -1 when it failed at once (counted). */
int oneshot_send(struct clients *cl, const struct oneshot *o, struct lb_request *lr);

/* replay.c: population pi replays its log; the first request scheduled.
 * -1 with cl->error set when the log cannot be read, or memory is short. */
int replay_init(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep);
void replay_free(struct replay_state *rs);

#endif
