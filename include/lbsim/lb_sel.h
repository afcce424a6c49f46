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

/* What an algorithm must be able to see; a layer-4 service cannot give
 * LB_NEED_L7, and the scenario loader refuses the combination. */
enum lb_need {
	LB_NEED_NONE = 0,
	LB_NEED_SRC_ADDR = 1u << 0, /* client source address */
	LB_NEED_L7 = 1u << 1,       /* URL path, headers, cookies */
};

struct lb_sel_ops {
	const char *name;
	const char *description;
	unsigned needs;           /* enum lb_need bits */
	/* Attach per-pool state to pool->sel_priv. Called once the servers
	 * exist. Returns 0 or -1 (nothing attached then). Optional. */
	int (*init)(struct lb_pool *pool);
	/* Release pool->sel_priv. Optional. */
	void (*done)(struct lb_pool *pool);
	/* A server's weight, admin or health state changed: rebuild tables.
	 * Returns 0 or -1 (old state kept). Optional. */
	int (*servers_changed)(struct lb_pool *pool);
	/* Choose a usable server for req; -1 when none is usable. Required. */
	int (*pick)(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns);
};


/* The registry, in the order help and error messages list it. */
extern const struct lb_sel_ops *const lb_sel_registry[];
extern const size_t lb_sel_registry_len;

/* Find an algorithm by name; NULL when unknown. */
const struct lb_sel_ops *lb_sel_find(const char *name);

/* Write "a, b, c" (the registered names) into buf; returns buf. */
const char *lb_sel_names(char *buf, size_t len);

/* The algorithms. */
extern const struct lb_sel_ops lb_sel_roundrobin;

#endif
