/* Address plans: where a population's public addresses come from, drawn
 * anew in every replication.
 *
 * A source pool (source.h) has slots: one per user or device (unique), or
 * one per NAT address (nat, cgnat; with sites, one per address of each
 * site). A plan turns slot i into an address, as a pure function of
 * (plan, draw, i). The draw is the replication's: a few words taken from
 * the population's own stream ("addresses/<population>"), so every design
 * of a replication sees the same addresses (common random numbers: the
 * draw is the client's) and every replication another sample.
 *
 * What a plan draws from: prefixes (CIDR, IPv4 and IPv6), shaped as
 *   random      distinct addresses, uniform over all the prefixes' addresses
 *               (a keyed pseudo-random permutation of them: slot i and slot
 *               j never share an address while the prefixes have room)
 *   sequential  consecutive addresses from a random start, wrapping (a
 *               carrier or DHCP pool handing them out in order)
 *   gateway     the .1 host of distinct random /24s (IPv6: ::1 of /64s):
 *               branch gateways, each its own network
 *   site        each site's addresses consecutive from .1 of one random
 *               block of its own (a /24, larger when a site needs more
 *               than 254 addresses; IPv6 a /64)
 * or a list of addresses (written in the scenario or read from a file),
 * each with a weight: without weights slots take the entries in a random
 * order (distinct while there are enough), with weights every slot draws
 * an entry with probability proportional to its weight.
 *
 * More slots than the plan has addresses (or blocks) wrap: slot i takes
 * the address of slot i mod size, so devices share addresses as behind a
 * NAT. Memory: the prefixes, and for a list 4 bytes per IPv4 and 16 per
 * IPv6 entry, 8 more per entry when weighted (addr_list_bytes); nothing
 * per slot or per replication. Complexity: O(1) per address expected (a
 * permutation's cycle walk takes under 4 steps on average), O(log n) for
 * a weighted list.
 */
#ifndef LBSIM_ADDRESS_PLAN_H
#define LBSIM_ADDRESS_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/address.h"

struct rng;

enum addr_shape {
	ADDR_SHAPE_RANDOM = 0,
	ADDR_SHAPE_SEQUENTIAL,
	ADDR_SHAPE_GATEWAY,
	ADDR_SHAPE_SITE,
	ADDR_SHAPE_COUNT
};

/* The shapes' names, by enum addr_shape (for the scenario loader). */
extern const char *const addr_shape_names[ADDR_SHAPE_COUNT];
const char *addr_shape_name(enum addr_shape s);

/* A prefix larger than this many addresses (IPv6) is drawn from its first
 * 2^48 addresses or blocks, so that sums over 4096 prefixes stay exact. */
#define ADDR_PLAN_MAX_UNITS ((uint64_t)1 << 48)

/* Addresses of a list or file, IPv4 and IPv6 apart (an IPv4 entry costs 4
 * bytes, not 17). Entry k is v4[k] for k < n4, else v6[k - n4]. */
struct addr_list {
	uint32_t *v4;              /* host order */
	uint8_t (*v6)[16];
	uint64_t n4, n6, cap4, cap6;
	/* Weighted lists only (NULL: every weight 1): cumulative weights of
	 * the IPv4 entries and, apart, of the IPv6 ones. */
	double *cum4, *cum6;
};

struct addr_plan {
	enum addr_shape shape;
	struct lb_prefix *prefixes;
	uint32_t nprefixes;
	struct addr_list list;     /* used when nprefixes == 0 */
	int has_v6;                /* some address it gives may be IPv6 */
};

/* One replication's draw of a plan, for a pool of nslots slots in sites of
 * per_site (nslots when the population has no sites). */
struct addr_perm {
	uint64_t n;                /* the permutation is of [0, n) */
	unsigned half;             /* Feistel half width in bits */
	uint64_t keys[4];
};

struct addr_draw {
	const struct addr_plan *plan;
	struct addr_perm perm;     /* random, gateway, site, unweighted list */
	uint64_t offset;           /* sequential: the first unit */
	uint64_t weight_key;       /* weighted list: the per-slot draws' key */
	uint32_t per_site;
	unsigned block_bits4;      /* gateway, site: host bits of an IPv4 block */
	uint64_t *cum_units;       /* units of prefixes [0, k], per prefix */
};

/* The default plan of population index pop: random over the pop-th /6 of
 * the IPv4 space, so that populations never share an address. Fills *p
 * with one prefix stored in *one (no allocation). */
void addr_plan_default(struct addr_plan *p, struct lb_prefix *one, uint32_t pop);

/* Block host bits of an IPv4 site holding per_site addresses (from .1). */
unsigned addr_site_bits4(uint64_t per_site);

/* Can plan p give addresses to sites of per_site (shape site) or to
 * gateways? 0, or -1 with *why (a prefix too small for a block). */
int addr_plan_check(const struct addr_plan *p, uint64_t per_site, uint32_t *bad_prefix,
		    const char **why);

/* Draw replication's plan from r (a stream of the population's):
 * 0, or -1 (memory). addr_draw_free releases it. */
int addr_draw_init(struct addr_draw *d, const struct addr_plan *p, struct rng *r,
		   uint32_t per_site);
void addr_draw_free(struct addr_draw *d);

/* The address of slot i. */
void addr_draw_address(const struct addr_draw *d, uint64_t slot, struct lb_addr *out);

/* Keyed pseudo-random permutation of [0, n): a 4-round Feistel network on
 * the smallest even bit width holding n, cycle-walked back into range
 * (Black and Rogaway, "Ciphers with arbitrary finite domains", 2002). */
void addr_perm_init(struct addr_perm *pm, uint64_t n, struct rng *r);
uint64_t addr_perm_apply(const struct addr_perm *pm, uint64_t i);

/* Lists: add an entry, weight > 0 (weighted 0: no weight was written,
 * it counts 1), then finish (gives back the room grown ahead). 0, or -1
 * (memory). */
int addr_list_add(struct addr_list *l, const struct lb_addr *a, double weight, int weighted);
int addr_list_finish(struct addr_list *l);
void addr_list_free(struct addr_list *l);
uint64_t addr_list_count(const struct addr_list *l);

/* Bytes a finished list of n4 IPv4 and n6 IPv6 entries holds. */
double addr_list_bytes(uint64_t n4, uint64_t n6, int weighted);

void addr_plan_free(struct addr_plan *p);

#endif
