/* Where a client's connections come from: its public source address and
 * port, as the balancer sees them.
 *
 *   unique  every device has its own address (home users, most mobiles on
 *           IPv6-less carriers are NOT this: see cgnat)
 *   nat     every device of the population leaves through one of N
 *           addresses, always the same one for a given device (a corporate
 *           or branch-office NAT with paired pooling)
 *   cgnat   a carrier-grade NAT pool of N addresses; a device keeps its
 *           address for an exponential time of mean `churn`, then gets
 *           another from the pool on its next connection
 *
 * A NAT address has a budget of ports (64,512 by default: 1024..65535);
 * a connection that finds its address's ports all in use is refused by the
 * NAT and counted, as a real NAT drops the SYN.
 *
 * Memory: 8 bytes per NAT address; nothing per device but the binding the
 * caller keeps. Complexity: O(1) per connection.
 */
#ifndef LBSIM_SOURCE_H
#define LBSIM_SOURCE_H

#include <stdint.h>

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
	uint32_t addr_index;
	sim_time_t next_change;     /* cgnat: when the device's address may change */
};

struct source_pool {
	enum source_kind kind;
	uint32_t pop_index;
	uint32_t naddrs;            /* nat, cgnat: addresses in the pool */
	uint32_t port_budget;
	uint32_t *ports_used;       /* per address */
	uint16_t *next_port;        /* per address: the next port to hand out */
	double churn_mean_s;        /* cgnat */
	struct rng rng;             /* cgnat: address choices and change times */
	uint64_t opened;            /* connections given an address */
	uint64_t refused;           /* connections refused: no port left */
	uint64_t changes;           /* cgnat: address changes */
};

/* kind, the population's index (addresses of different populations never
 * collide), pool size (ignored for unique), port budget (0: default),
 * cgnat churn mean, and the stream for cgnat choices (copied; may be NULL
 * unless cgnat). Returns 0 or -1 (memory). */
int source_pool_init(struct source_pool *sp, enum source_kind kind, uint32_t pop_index,
		     uint32_t naddrs, uint32_t port_budget, sim_time_t churn_mean,
		     const struct rng *rng);
void source_pool_free(struct source_pool *sp);

/* Set up a new device's binding at now (its first address). */
void source_bind(struct source_pool *sp, struct source_binding *b, uint32_t device, sim_time_t now);

/* Open a connection for device (with binding b) at now: fills the source
 * address (host order) and port. Returns 0, or -1 when the NAT address has
 * no port left (the connection is refused; counted). */
int source_open(struct source_pool *sp, struct source_binding *b, uint32_t device,
		sim_time_t now, uint32_t *addr, uint16_t *port, uint32_t *addr_index);

/* The connection that source_open gave addr_index has closed. */
void source_close(struct source_pool *sp, uint32_t addr_index);

/* The public address of slot i of population pop's space: distinct for
 * every (pop, i), scattered over the address space. */
uint32_t source_address(uint32_t pop, uint32_t i);

#endif
