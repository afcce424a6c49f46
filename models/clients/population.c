/* Poisson client populations; see include/lbsim/population.h. */
#include "lbsim/population.h"
#include "lbsim/event_kind.h"
#include "lbsim/rng.h"

#include <stdio.h>


static sim_time_t seconds_to_ns(double s)
{
	double ns = s * (double)SIM_NS_PER_S + 0.5;
	return ns >= (double)SIM_TIME_NEVER ? SIM_TIME_NEVER : (sim_time_t)ns;
}

static void on_arrival(struct sim_engine *eng, struct sim_event *ev)
{
	struct population *pop = ev->ctx;
	/* Who sends is drawn only where it matters (see population.h). */
	uint32_t user = pop->draw_users ? rng_below(&pop->users, pop->cfg->users) : 0;
	sim_time_t demand = seconds_to_ns(rng_exp(&pop->demand) * pop->demand_mean_s);
	pop->sent++;
	/* Schedule the next arrival first, so that the stream of arrivals does
	 * not depend on what the request does. */
	sim_time_t gap = seconds_to_ns(rng_exp(&pop->arrivals) * pop->mean_gap_s);
	if (sim_schedule_in(eng, &pop->ev, gap) != 0) {
		pop->out_of_memory = 1;
		sim_stop(eng);
	}
	pop->on_request(pop->owner, pop, user, demand);
}

static void stream(struct rng *r, uint64_t seed, uint32_t rep, const char *kind, const char *name)
{
	char full[SCN_NAME_MAX + 32];
	snprintf(full, sizeof full, "%s/%s", kind, name);
	rng_stream(r, seed, rep, full);
}

int population_init(struct population *pop, uint32_t index, const struct scn_population *cfg,
		    sim_time_t demand_mean, uint64_t seed, uint32_t rep, int draw_users,
		    population_request_fn on_request, void *owner)
{
	*pop = (struct population){.index = index, .cfg = cfg, .on_request = on_request,
				   .owner = owner, .draw_users = draw_users != 0};
	pop->mean_gap_s = 1.0 / ((double)cfg->users * cfg->request_rate);
	pop->demand_mean_s = (double)demand_mean / (double)SIM_NS_PER_S;
	stream(&pop->arrivals, seed, rep, "arrivals", cfg->name);
	stream(&pop->users, seed, rep, "users", cfg->name);
	stream(&pop->demand, seed, rep, "demand", cfg->name);
	sim_event_init(&pop->ev, on_arrival, pop, EV_ARRIVAL);
	return 0;
}

void population_free(struct population *pop)
{
	(void)pop; /* nothing allocated: the streams live in the struct */
}

int population_start(struct sim_engine *eng, struct population *pop)
{
	sim_time_t gap = seconds_to_ns(rng_exp(&pop->arrivals) * pop->mean_gap_s);
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
