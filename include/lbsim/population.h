/* A client population: users sending requests as a Poisson process.
 *
 * The superposition of U users each sending at rate r is one Poisson process
 * of rate U r whose arrivals belong to a uniformly chosen user, so a
 * population costs one pending event, not one per user.
 *
 * Streams (common random numbers: every design of a replication draws the
 * same numbers): "arrivals/<name>" for the gaps, "users/<name>" for who
 * sends, "demand/<name>" for the CPU demand of each request. Who sends
 * decides only the request's source address, which matters only where the
 * design reads it (source hashing, source-ip persistence) or a NAT maps
 * users to addresses; elsewhere (draw_users 0) it is not drawn at all and
 * every request says user 0. Each stream stands alone, so drawing users
 * or not never moves the arrivals or demands.
 */
#ifndef LBSIM_POPULATION_H
#define LBSIM_POPULATION_H

#include <stdint.h>

#include "lbsim/engine.h"
#include "lbsim/rng.h"
#include "lbsim/scenario.h"

struct population;

/* A user of pop sends a request needing demand ns of server CPU. */
typedef void (*population_request_fn)(void *owner, struct population *pop,
				      uint32_t user, sim_time_t demand);

struct population {
	uint32_t index;
	const struct scn_population *cfg;
	double mean_gap_s;           /* 1 / (users * rate) */
	double demand_mean_s;
	struct rng arrivals, users, demand;
	int draw_users;              /* 0: who sends does not matter (user 0) */
	struct sim_event ev;
	population_request_fn on_request;
	void *owner;
	uint64_t sent;
	int out_of_memory;           /* the next arrival could not be scheduled */
};

int population_init(struct population *pop, uint32_t index, const struct scn_population *cfg,
		    sim_time_t demand_mean, uint64_t seed, uint32_t rep, int draw_users,
		    population_request_fn on_request, void *owner);
void population_free(struct population *pop);

/* Schedule the first arrival. */
int population_start(struct sim_engine *eng, struct population *pop);

/* The public IPv4 address (host order) user of population index comes from. */
uint32_t population_source_addr(uint32_t index, uint32_t user);

#endif
