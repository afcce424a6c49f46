/* The roster of populations, and the clients room's front door: building
 * and freeing every population, and the calls the world makes into the
 * room; see include/lbsim/clients.h. devices.c holds the closed-loop
 * devices, presence.c their log-on profile, open.c the open traffic,
 * population.c its Poisson generator, replay.c the replayed logs.
 */
#include "clients_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Population pi's devices: laid out, then each started after its user's
 * presence says whether it is logged on (so the events of a device are
 * scheduled together: its presence, then its connections). */
static int devices_init(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep)
{
	if (devices_alloc(cl, ps, pi, rep) != 0)
		return -1;
	for (uint64_t i = 0; i < ps->ndevices; i++) {
		struct device *d = &ps->devices[i];
		if (ps->cfg->nprofile && d->nconns && presence_init(cl, ps, d, i) != 0)
			return -1;
		if (device_start(cl, ps, d) != 0)
			return -1;
	}
	return 0;
}

/* Keys a user has in its population's address pool: one per device when
 * each device has its own address, else one. */
static uint32_t pop_devices_per_user(const struct scn_population *cfg)
{
	if (!cfg->address_per_device)
		return 1;
	uint32_t n = 0;
	for (int w = 0; w < WL_COUNT; w++)
		n += (cfg->clients >> w) & 1u;
	return n ? n : 1;
}

static void pop_stream(const struct scenario *scn, struct rng *r, uint32_t rep, const char *kind,
		       const char *name)
{
	char full[SCN_NAME_MAX + 32];
	snprintf(full, sizeof full, "%s/%s", kind, name);
	rng_stream(r, scn->seed, rep, full);
}

int clients_init(struct clients *cl, const struct clients_env *env, uint32_t rep)
{
	const struct scenario *scn = env->scn;
	*cl = (struct clients){.env = *env};
	cl->server_conns = calloc(scn->servers.count, sizeof *cl->server_conns);
	cl->pops = calloc(scn->npopulations, sizeof *cl->pops);
	if (!cl->server_conns || !cl->pops)
		return -1;
	cl->npops = scn->npopulations;
	cl->requests_carry_tls_id = scn_design_reads_tls_hello(env->design);
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		struct pop_state *ps = &cl->pops[i];
		const struct scn_population *cfg = &scn->populations[i];
		ps->cfg = cfg;
		ps->clients = cl;
		if (scn_is_replay(cfg)) {
			/* Its addresses are the log's: no pool to draw from. */
			if (replay_init(cl, ps, i, rep) != 0)
				return -1;
			continue;
		}
		struct rng src, addrs;
		pop_stream(scn, &src, rep, "source", cfg->name);
		pop_stream(scn, &addrs, rep, "addresses", cfg->name);
		struct source_cfg sc = {
			.kind = (enum source_kind)cfg->source, .pop_index = i,
			.naddrs = cfg->addresses, .sites = cfg->sites,
			.port_budget = cfg->port_budget, .churn_mean = cfg->churn,
			.users = cfg->users, .per_user = pop_devices_per_user(cfg),
			.plan = cfg->plan,
			.addresses_unread = !scn_design_reads_source(cl->env.design),
		};
		if (source_pool_init(&ps->source, &sc, &addrs,
				     cfg->source == SCN_SOURCE_CGNAT ? &src : NULL) != 0)
			return -1;
		ps->source_ready = 1;
		if (cfg->request_rate > 0) {
			if (open_init(cl, ps, i, rep) != 0)
				return -1;
		} else if (devices_init(cl, ps, i, rep) != 0) {
			return -1;
		}
	}
	return 0;
}

void clients_free(struct clients *cl)
{
	for (uint32_t i = 0; cl->pops && i < cl->npops; i++) {
		struct pop_state *ps = &cl->pops[i];
		if (ps->open_ready)
			population_free(&ps->open);
		if (ps->source_ready)
			source_pool_free(&ps->source);
		replay_free(ps->replay);
		free(ps->devices);
		free(ps->homes);
		free(ps->presence);
		free(ps->conns);
		free(ps->links);
	}
	free(cl->pops);
	free(cl->server_conns);
	cl->pops = NULL;
	cl->server_conns = NULL;
	cl->npops = 0;
}

void clients_answered(struct clients *cl, struct request *req, int ok)
{
	if (req->conn)
		device_answered(cl, req, ok);
	else
		open_answered(cl, req);
}

int clients_failed(const struct clients *cl)
{
	int failed = cl->out_of_memory || cl->error[0];
	for (uint32_t i = 0; i < cl->npops; i++)
		failed |= cl->pops[i].open.out_of_memory;
	return failed;
}

double clients_mem_estimate(const struct scenario *scn)
{
	double bytes = (double)scn->servers.count * sizeof(struct conn *);
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		const struct scn_population *p = &scn->populations[i];
		double conns = 0, kinds = 0;
		for (int w = 0; w < WL_COUNT; w++)
			if (p->clients & (1u << w)) {
				kinds++;
				conns += p->client[w].connections; /* at most: share 1 */
			}
		double device = sizeof(struct device) + sizeof(int16_t) +
				(p->nprofile ? sizeof(struct sim_event) : 0);
		bytes += (double)p->users * (kinds * device + conns * (sizeof(struct conn) + sizeof(struct conn_link)));
		/* A request and an event slot per connection in flight. */
		bytes += (double)p->users * conns * (sizeof(struct request) + sizeof(struct sim_heap_slot));
		if (p->source != SCN_SOURCE_UNIQUE)
			bytes += (double)p->addresses * 8;
		if (scn_is_replay(p))
			bytes += p->replay.held_bytes;
	}
	return bytes;
}
