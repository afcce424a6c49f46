/* Poisson client populations; see include/lbsim/population.h. */
#include "lbsim/population.h"
#include "lbsim/event_kind.h"
#include "lbsim/rng.h"

#include <stdio.h>

#include <gsl/gsl_randist.h>


static sim_time_t seconds_to_ns(double s)
{
	double ns = s * (double)SIM_NS_PER_S + 0.5;
	return ns >= (double)SIM_TIME_NEVER ? SIM_TIME_NEVER : (sim_time_t)ns;
}

static void on_arrival(struct sim_engine *eng, struct sim_event *ev)
{
	struct population *pop = ev->ctx;
	uint32_t user = (uint32_t)gsl_rng_uniform_int(pop->users, (unsigned long)pop->cfg->users);
	sim_time_t demand = seconds_to_ns(gsl_ran_exponential(pop->demand, pop->demand_mean_s));
	pop->sent++;
	/* Schedule the next arrival first, so that the stream of arrivals does
	 * not depend on what the request does. */
	sim_time_t gap = seconds_to_ns(gsl_ran_exponential(pop->arrivals, pop->mean_gap_s));
	if (sim_schedule_in(eng, &pop->ev, gap) != 0) {
		pop->out_of_memory = 1;
		sim_stop(eng);
	}
	pop->on_request(pop->owner, pop, user, demand);
}

static gsl_rng *stream(uint64_t seed, uint32_t rep, const char *kind, const char *name)
{
	char full[SCN_NAME_MAX + 32];
	snprintf(full, sizeof full, "%s/%s", kind, name);
	return rng_stream(seed, rep, full);
}

int population_init(struct population *pop, uint32_t index, const struct scn_population *cfg,
		    sim_time_t demand_mean, uint64_t seed, uint32_t rep,
		    population_request_fn on_request, void *owner)
{
	*pop = (struct population){.index = index, .cfg = cfg, .on_request = on_request, .owner = owner};
	pop->mean_gap_s = 1.0 / ((double)cfg->users * cfg->request_rate);
	pop->demand_mean_s = (double)demand_mean / (double)SIM_NS_PER_S;
	pop->arrivals = stream(seed, rep, "arrivals", cfg->name);
	pop->users = stream(seed, rep, "users", cfg->name);
	pop->demand = stream(seed, rep, "demand", cfg->name);
	if (!pop->arrivals || !pop->users || !pop->demand) {
		population_free(pop);
		return -1;
	}
	sim_event_init(&pop->ev, on_arrival, pop, EV_ARRIVAL);
	return 0;
}

void population_free(struct population *pop)
{
	gsl_rng_free(pop->arrivals);
	gsl_rng_free(pop->users);
	gsl_rng_free(pop->demand);
	pop->arrivals = pop->users = pop->demand = NULL;
}

int population_start(struct sim_engine *eng, struct population *pop)
{
	sim_time_t gap = seconds_to_ns(gsl_ran_exponential(pop->arrivals, pop->mean_gap_s));
	return sim_schedule_in(eng, &pop->ev, gap);
}

/* A bijection on 32 bits (xorshift-multiply steps are invertible), applied
 * to a per-population serial number: every device gets a distinct address,
 * scattered over the address space as home users' addresses are. */
uint32_t population_source_addr(uint32_t index, uint32_t user)
{
	uint32_t x = (uint32_t)((uint64_t)index * SCN_MAX_USERS + user + 1);
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}
