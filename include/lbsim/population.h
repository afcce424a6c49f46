/* A client population: users sending requests as a Poisson process.
 *
 * The superposition of U users each sending at rate r is one Poisson process
 * of rate U r whose arrivals belong to a uniformly chosen user, so a
 * population costs one pending event, not one per user.
 *
 * Streams (common random numbers: every design of a replication draws the
 * same numbers): "arrivals/<name>" for the gaps, "users/<name>" for who
 * sends, "demand/<name>" for the CPU demand of each request.
 */
#ifndef LBSIM_POPULATION_H
#define LBSIM_POPULATION_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "lbsim/engine.h"
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
	gsl_rng *arrivals, *users, *demand;
	struct sim_event ev;
	population_request_fn on_request;
	void *owner;
	uint64_t sent;
	int out_of_memory;           /* the next arrival could not be scheduled */
};

int population_init(struct population *pop, uint32_t index, const struct scn_population *cfg,
		    sim_time_t demand_mean, uint64_t seed, uint32_t rep,
		    population_request_fn on_request, void *owner);
void population_free(struct population *pop);

/* Schedule the first arrival. */
int population_start(struct sim_engine *eng, struct population *pop);

/* The public IPv4 address (host order) user of population index comes from. */
uint32_t population_source_addr(uint32_t index, uint32_t user);

#endif
