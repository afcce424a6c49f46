/* The balancer core: pools of servers and server selection.
 *
 * This is data-plane code meant to link into a real proxy unchanged: it knows
 * nothing of the simulator (no simulated clock, no event queue, no GSL) and
 * links against libc alone. Time comes in as now_ns where it matters.
 *
 * Objects:
 *   struct lb_pool    a set of servers and the selection algorithm over them
 *   struct lb_server  one backend: weight, administrative and health state,
 *                     live connection count
 *   struct lb_request what the balancer can see of one new connection or
 *                     request; which fields are filled depends on the layer
 *
 * Selection algorithms plug in through struct lb_sel_ops (see lb_sel.h) and
 * are found by name in an ordered registry.
 *
 * Memory: every allocation of the core goes through lb_mem_alloc/lb_mem_free
 * with a struct lb_mem accounting, so a pool's memory is measured from its
 * structures (lb_pool_mem_bytes), never guessed.
 *
 * Errors, one convention (libuv's): a function of the core that can fail
 * returns an int, 0 (or a count or index >= 0) on success and a negative
 * enum lb_err on failure, which lb_strerror names; it is declared
 * LB_MUST_CHECK, so a caller that drops the result does not compile
 * (-Werror). Two kinds of result are not errors and keep their own
 * meaning: a choice that found nothing (lb_pick, lb_vs_route: -1, no
 * usable server, which the caller counts) and the judging of a user's
 * parameters (lb_*_check: NULL, or a message for the user).
 */
#ifndef LBSIM_LB_H
#define LBSIM_LB_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/address.h"
#include "lbsim/lb_err.h"

/* Bytes the core has allocated, live and at the peak. */
struct lb_mem {
	size_t live;
	size_t peak;
};

void *lb_mem_alloc(struct lb_mem *mem, size_t size);     /* zeroed */
void lb_mem_free(struct lb_mem *mem, void *p, size_t size);

enum lb_admin_state {
	LB_ADMIN_UP = 0,  /* in rotation when healthy */
	LB_ADMIN_DRAIN,   /* keeps persistent sessions and live connections, gets no new ones */
	LB_ADMIN_MAINT,   /* out of rotation, health checks stopped */
	LB_ADMIN_DOWN,    /* out of rotation */
};

struct lb_server {
	uint32_t id;              /* index within the pool */
	uint32_t weight;          /* configured weight, 0..LB_MAX_WEIGHT */
	uint32_t eweight;         /* effective weight (slowstart may ramp it) */
	enum lb_admin_state admin;
	int healthy;              /* health state as last committed */
	uint32_t conns;           /* live connections (leastconn reads it) */
	uint64_t picks;           /* times selected by the pool's algorithm */
	int64_t sel_state;        /* per-server scratch of the algorithm (e.g. smooth WRR current weight) */
	uint32_t maxconn;         /* connection slots (HAProxy's server `maxconn`); 0: unlimited */
	uint32_t queued;          /* requests waiting in this server's own queue (the caller's
				   * queue: lb_server_queue_add keeps the count) */
	uint8_t backup;           /* HAProxy's `backup`: used only while no active server is */
	uint8_t standby;          /* derived, private: a backup server not in use now (an
				   * active one is usable, or an earlier backup is) */
};

#define LB_MAX_WEIGHT 256

/* What the balancer can see of a new connection or request. A layer-4
 * service fills the address fields and at most the ClientHello session id;
 * layer-7 fields are NULL there. */
struct lb_request {
	uint32_t src_ip;          /* IPv4, host byte order (an IPv6 client: see src_addr) */
	const struct lb_addr *src_addr; /* the client's address when it is IPv6; NULL: the
				   * IPv4 address src_ip. Hashing reads it whole;
				   * src_ip then holds its 32-bit fold (lb_addr_fold32). */
	uint16_t src_port;
	uint32_t dst_ip;
	uint16_t dst_port;
	const uint8_t *tls_session_id; /* cleartext ClientHello legacy_session_id, or NULL */
	uint8_t tls_session_id_len;
	const char *path;         /* layer 7: URL path, or NULL */
	const char *host;         /* layer 7: Host header, or NULL */
	const char *cookie;       /* layer 7: the persistence cookie's value, or NULL */
	const char *hdr_value;    /* layer 7: value of the header named by the pool's
				   * params.hdr_name (`hdr` balancing), or NULL */
};

struct lb_sel_ops;

struct lb_pool {
	char name[32];
	struct lb_server *servers;
	uint32_t nservers;
	const struct lb_sel_ops *sel;
	void *sel_priv;           /* the algorithm's own state, set by its init */
	struct lb_sel_params {
		uint32_t draws;       /* random: number of choices d (>= 1) */
		uint32_t table_size;  /* maglev: a prime; 0 for the default */
		uint32_t hash_type;   /* enum lb_hash_type, for hashing algorithms */
		uint32_t hash_function;
		double balance_factor;/* bounded-load hashing; 0 for off */
		uint64_t seed;        /* for algorithms that draw at random */
		uint32_t hash_avalanche; /* non-zero: mix the hash with the avalanche finalizer */
		uint32_t ring_points; /* consistent: ring points per unit of weight; 0 for the default */
		char hdr_name[64];    /* hdr: the header to hash (the caller fills req->hdr_value) */
		uint32_t profile;     /* hashing: enum lb_hash_profile, whose balancer to reproduce */
		/* hashing: how the servers are identified where a profile
		 * hashes their identity (NGINX's `server` text, IPVS's
		 * address and port): nservers entries, read during init only;
		 * NULL: 127.0.0.1 and ports from LB_DEFAULT_SERVER_PORT. */
		const struct lb_endpoint *endpoints;
	} params;
	uint64_t rr_cursor;       /* shared scratch for round-robin style cursors */
	struct lb_mem mem;
};

/* A server takes new traffic when it is administratively up, healthy and has
 * a non-zero effective weight, and, if it is a backup server, when no active
 * server does and no backup before it does (HAProxy without `option
 * allbackups`: "only the first usable backup server is used"). */
static inline int lb_server_usable(const struct lb_server *s)
{
	return s->admin == LB_ADMIN_UP && s->healthy && s->eweight > 0 && !s->standby;
}

/* A server is full when it has a maxconn and either every slot is taken or
 * requests already wait in its own queue (HAProxy's test, lb_fwlc.c:
 * `s->maxconn && (s->nbpend || s->served >= srv_dynamic_maxconn(s))`):
 * a newcomer does not overtake those waiting. */
static inline int lb_server_full(const struct lb_server *s)
{
	return s->maxconn && (s->queued || s->conns >= s->maxconn);
}

/* lb_pick's answer when every usable server is full: the request waits in
 * the pool's (backend) queue, or is refused where there is no queue. */
#define LB_PICK_FULL (-2)

/* Create a pool of nservers servers, all up, healthy, with the given weights
 * (NULL: all weight 1), using the selection algorithm sel with params
 * (NULL: defaults). Returns 0, LB_ENOMEM when memory is short, or LB_EINVAL
 * when the algorithm refuses the parameters (then *pool is left empty and
 * owns nothing). */
LB_MUST_CHECK int lb_pool_init(struct lb_pool *pool, const char *name, uint32_t nservers,
		 const uint32_t *weights, const struct lb_sel_ops *sel,
		 const struct lb_sel_params *params);
void lb_pool_free(struct lb_pool *pool);

/* Choose a server for req at now_ns. Returns the server index, -1 when no
 * server is usable (the caller fails the request and counts it), or
 * LB_PICK_FULL when servers are usable but full (lb_server_full) and the
 * algorithm does not send to a full server (lb_sel_ops.when_full). A
 * hashing algorithm returns its server full or not: the caller queues the
 * request on it (lb_server_full tells). Increments the chosen server's
 * picks; the caller calls lb_conn_open/close around the connection's life
 * so that leastconn and maxconn see it. */
int lb_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns);

/* Requests waiting in server's own queue change by delta (+1 one joins,
 * -1 one leaves): the count lb_server_full reads. */
void lb_server_queue_add(struct lb_pool *pool, uint32_t server, int delta);

/* Set a server's maxconn (0: unlimited). Returns 0, or -1 when server is
 * out of range. Nothing to rebuild: the algorithms read it at each pick. */
int lb_server_set_maxconn(struct lb_pool *pool, uint32_t server, uint32_t maxconn);

void lb_conn_open(struct lb_pool *pool, uint32_t server);
void lb_conn_close(struct lb_pool *pool, uint32_t server);

/* Change a server's weight, administrative or health state; the algorithm's
 * table (if any) is rebuilt. Returns 0, LB_ERANGE for a server past the
 * end, LB_EINVAL for a weight over LB_MAX_WEIGHT, or LB_ENOMEM when the
 * rebuild ran out of memory (the old state and table then stay in force). */
LB_MUST_CHECK int lb_server_set_weight(struct lb_pool *pool, uint32_t server, uint32_t weight);
/* Make a server a backup server (backup non-zero) or an active one. */
LB_MUST_CHECK int lb_server_set_backup(struct lb_pool *pool, uint32_t server, int backup);
LB_MUST_CHECK int lb_server_set_admin(struct lb_pool *pool, uint32_t server,
				      enum lb_admin_state admin);
LB_MUST_CHECK int lb_server_set_healthy(struct lb_pool *pool, uint32_t server, int healthy);
/* Set only the effective weight (slowstart ramps it; see lb_health.h); the
 * configured weight stays. eweight <= LB_MAX_WEIGHT. Returns as above. */
LB_MUST_CHECK int lb_server_set_eweight(struct lb_pool *pool, uint32_t server, uint32_t eweight);

/* Bytes of memory the pool's structures hold now, and at their peak. */
static inline size_t lb_pool_mem_bytes(const struct lb_pool *pool) { return pool->mem.live; }

#endif
