/* Selection algorithms ("balance") of the balancer core.
 *
 * Each algorithm is one file in models/lb/ ending with a designated-
 * initializer struct lb_sel_ops, listed in the ordered registry of
 * models/lb/sel_registry.c. Only the hooks an algorithm needs are set; the
 * core checks for NULL (the IPVS scheduler pattern).
 */
#ifndef LBSIM_LB_SEL_H
#define LBSIM_LB_SEL_H

#include "lbsim/lb.h"
#include "lbsim/lb_param.h"

/* What an algorithm must be able to see; a layer-4 service cannot give
 * LB_NEED_L7, and the scenario loader refuses the combination. */
enum lb_need {
	LB_NEED_NONE = 0,
	LB_NEED_SRC_ADDR = 1u << 0, /* client source address */
	LB_NEED_L7 = 1u << 1,       /* URL path, headers, cookies */
};

/* What an algorithm does with servers at maxconn (lb_server_full), as
 * HAProxy's do (src/lb_*.c, src/backend.c assign_server_and_queue). */
enum lb_when_full {
	LB_FULL_SKIP = 0,   /* passes over full servers; none left: LB_PICK_FULL
			     * (roundrobin, static-rr, leastconn, first: fwrr,
			     * map, fwlc and fas skip a saturated server) */
	LB_FULL_NONE,       /* its choice full: LB_PICK_FULL (random: "if the
			     * selected server is full, pretend we have none so
			     * that we reach the backend's queue", get_server_rnd) */
	LB_FULL_KEEP,       /* keeps its choice, full or not: the request waits
			     * on that server (hashing: the key names the server) */
};

struct lb_sel_ops {
	const char *name;
	const char *description;
	unsigned needs;           /* enum lb_need bits */
	enum lb_when_full when_full;
	/* The parameters it takes, fields of struct lb_sel_params (lb_param.h);
	 * NULL: none. A parameter it does not declare must stay 0. */
	const struct lb_param *params;
	/* Attach per-pool state to pool->sel_priv. Called once the servers
	 * exist. Returns 0 or -1 (nothing attached then). Optional. */
	int (*init)(struct lb_pool *pool);
	/* Release pool->sel_priv. Optional. */
	void (*done)(struct lb_pool *pool);
	/* A server's weight, admin or health state changed: rebuild tables.
	 * Returns 0 or -1 (old state kept). Optional. */
	int (*servers_changed)(struct lb_pool *pool);
	/* A server's connections, its queue or its maxconn changed (what a
	 * load-ordered index keys on): update it. Optional. */
	void (*server_load)(struct lb_pool *pool, uint32_t server);
	/* Choose a usable server for req; -1 when none is usable. Required. */
	int (*pick)(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns);
	/* What the parameter table cannot say: rules between parameters or
	 * against the pool (a prime maglev table at least as large as the
	 * pool). Runs after the table's own checks (lb_sel_check): NULL when
	 * acceptable, else a static message. Optional. */
	const char *(*check)(const struct lb_sel_params *params, uint32_t nservers);
};


/* The registry, in the order help and error messages list it. */
extern const struct lb_sel_ops *const lb_sel_registry[];
extern const size_t lb_sel_registry_len;

/* Find an algorithm by name; NULL when unknown. */
const struct lb_sel_ops *lb_sel_find(const char *name);

/* Find the algorithm of a `balance` value as scenarios write it: a name, or
 * "hdr(NAME)", which also copies NAME into params->hdr_name. NULL when the
 * name is unknown or the argument malformed (missing, empty, too long, or
 * given to an algorithm that takes none). */
const struct lb_sel_ops *lb_sel_parse(const char *spec, struct lb_sel_params *params);

/* Check params for ops and a pool of nservers servers, with the one rule
 * every user of the core shares: every parameter of ops in its declared
 * range (lb_param_check), no parameter that ops does not declare (a
 * `draws` given to leastconn), then ops->check. NULL when acceptable, else
 * a message in buf. *bad (may be NULL) is the parameter at fault, or NULL
 * when the fault is not one parameter's. */
const char *lb_sel_check(const struct lb_sel_ops *ops, const struct lb_sel_params *params,
			 uint32_t nservers, char *buf, size_t len, const struct lb_param **bad);

/* The registry as owners of parameter tables (lb_param.h): which
 * algorithms take a parameter (lb_param_owners_of), any algorithm's entry
 * of one (lb_param_any: the loader reads a key before it knows whether the
 * design's algorithm takes it). */
extern const struct lb_param_owners lb_sel_owners;

/* Write "a, b, c" (the registered names) into buf; returns buf. */
const char *lb_sel_names(char *buf, size_t len);

/* The algorithms, in registry order. Per-pick and rebuild costs are stated
 * in each file's header comment; none allocates during a pick.
 *   roundrobin  smooth weighted round robin (weights 5,1,1: a a b a c a a)
 *   static-rr   classic weighted round robin over a precomputed schedule
 *   leastconn   weighted least connections, ties in round robin
 *   first       the first usable server (by id) with a free slot (maxconn)
 *   source      hash of the client address   } params: hash_type,
 *   uri         hash of the URL path (L7)    } hash_function, hash_avalanche,
 *   hdr         hash of a header value (L7)  } table_size, ring_points,
 *                                                balance_factor (consistent)
 *   random      weighted random; params.draws >= 2: power of d choices on
 *               weighted least connections; params.seed seeds it */
extern const struct lb_sel_ops lb_sel_roundrobin;
extern const struct lb_sel_ops lb_sel_static_rr;
extern const struct lb_sel_ops lb_sel_leastconn;
extern const struct lb_sel_ops lb_sel_first;
extern const struct lb_sel_ops lb_sel_source;
extern const struct lb_sel_ops lb_sel_uri;
extern const struct lb_sel_ops lb_sel_hdr;
extern const struct lb_sel_ops lb_sel_random;

/* The parameter tables (shared by the hashing algorithms). */
extern const struct lb_param lb_sel_hash_params[];
extern const struct lb_param lb_sel_random_params[];

#endif
