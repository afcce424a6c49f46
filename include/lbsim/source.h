/* Where a client's connections come from: its public source address and
 * port, as the balancer sees them.
 *
 *   unique  every user (or, with address-per: device, every device) has
 *           its own address (home users; most mobiles on IPv6-less
 *           carriers are NOT this: see cgnat)
 *   nat     every device of the population leaves through one of N
 *           addresses, always the same one for a given user or device (a
 *           corporate or branch-office NAT with paired pooling); with
 *           sites, each site has N addresses of its own and its users
 *           leave through them
 *   cgnat   a carrier-grade NAT pool of N addresses; a device keeps its
 *           address for an exponential time of mean `churn`, then gets
 *           another from the pool on its next connection
 *
 * A NAT address has a budget of ports (64,512 by default: 1024..65535);
 * a connection that finds its address's ports all in use is refused by the
 * NAT and counted, as a real NAT drops the SYN.
 *
 * Which address a slot has is the replication's draw of the population's
 * address plan (address_plan.h).
 *
 * Memory: 8 bytes per NAT address; nothing per device but the binding the
 * caller keeps. Complexity: O(1) per connection (expected; a weighted
 * address list O(log n)).
 */
#ifndef LBSIM_SOURCE_H
#define LBSIM_SOURCE_H

#include <stdint.h>

#include "lbsim/address_plan.h"
#include "lbsim/engine.h"
#include "lbsim/rng.h"

enum source_kind {
	SOURCE_UNIQUE = 0,
	SOURCE_NAT,
	SOURCE_CGNAT,
};

#define SOURCE_DEFAULT_PORT_BUDGET 64512u

/* A device's current address in its pool; kept by the caller. */
struct source_binding {
	uint32_t addr_index;        /* the slot of the pool whose address it uses */
	sim_time_t next_change;     /* cgnat: when the device's address may change */
};

/* How a population's pool is made. */
struct source_cfg {
	enum source_kind kind;
	uint32_t pop_index;         /* for the default plan: populations never collide */
	uint32_t naddrs;            /* nat, cgnat: addresses (per site with sites) */
	uint32_t sites;             /* nat: sites, each behind its own naddrs (0: one) */
	uint32_t port_budget;       /* 0: default */
	sim_time_t churn_mean;      /* cgnat */
	uint64_t users;
	uint32_t per_user;          /* keys per user: its devices when each has its own
				     * address (address-per: device), else 1 */
	const struct addr_plan *plan; /* NULL: the default plan (address_plan.h) */
	int addresses_unread;       /* nothing reads the addresses (a design that balances
				     * and persists on no source address): source_open
				     * gives 0 and source_address_of is not asked; drawing
				     * one through the plan's permutation was about a
				     * sixth of a request of open traffic (issue 19) */
};

struct source_pool {
	enum source_kind kind;
	uint32_t naddrs;            /* nat, cgnat: addresses in the pool (all sites) */
	uint32_t per_site, sites;   /* nat with sites: addresses per site, sites */
	uint32_t per_user;
	uint32_t port_budget;
	uint32_t *ports_used;       /* per address */
	uint16_t *next_port;        /* per address: the next port to hand out */
	double churn_mean_s;        /* cgnat */
	struct rng rng;             /* cgnat: address choices and change times */
	uint32_t pop_index;
	struct addr_draw draw;      /* this replication's addresses (plan NULL: the
				     * default plan of pop_index) */
	int draw_ready;
	int has_v6;                 /* some slot's address may be IPv6 (and is read) */
	int addresses_read;         /* 0: source_open gives address 0 (source_cfg) */
	uint64_t opened;            /* connections given an address */
	uint64_t refused;           /* connections refused: no port left */
	uint64_t changes;           /* cgnat: address changes */
};

/* Build the pool of cfg for one replication: its addresses drawn from
 * addr_stream (the population's "addresses/<name>" stream: the same in
 * every design), cgnat choices from cgnat (copied; may be NULL unless
 * cgnat). Returns 0 or -1 (memory, or a cgnat without a stream). */
int source_pool_init(struct source_pool *sp, const struct source_cfg *cfg,
		     struct rng *addr_stream, const struct rng *cgnat);
void source_pool_free(struct source_pool *sp);

/* Set up a new binding at now for the device number sub (0 .. per_user-1)
 * of user (its first address). */
void source_bind(struct source_pool *sp, struct source_binding *b, uint64_t user, uint32_t sub,
		 sim_time_t now);

/* Open a connection with binding b at now: fills the source address (IPv4
 * in host order; an IPv6 address folded, lb_addr_fold32, see
 * source_address_of; 0 where the addresses are unread), the port and
 * the slot. Returns 0, or -1 when the
 * NAT address has no port left (the connection is refused; counted). */
int source_open(struct source_pool *sp, struct source_binding *b, sim_time_t now,
		uint32_t *addr, uint16_t *port, uint32_t *addr_index);

/* The connection that source_open gave addr_index has closed. */
void source_close(struct source_pool *sp, uint32_t addr_index);

/* The whole address of slot addr_index in this replication. */
void source_address_of(const struct source_pool *sp, uint32_t addr_index, struct lb_addr *out);

#endif
