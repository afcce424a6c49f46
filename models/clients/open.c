/* Open traffic: a population's users send requests as a Poisson stream
 * (models/clients/population.c), each on a connection of its own from the
 * population's source model, opened, used once and closed (a replayed
 * log's requests, replay.c, go the same way). The balancer
 * sees a new connection with a full TLS handshake and one request: layer
 * 4 routes it at open, layer 7 at its request. The connection's balancer
 * state lives in the request (struct request.lb), as no device keeps it.
 */
#include "clients_internal.h"

#include <stdio.h>
/* A request on a connection of its own, from lr's source (open traffic and
 * replay): a new connection with a full handshake and its one request,
 * counted sent, then on to its server. Returns 0, or -1 when it failed
 * here (counted failed; the caller releases its source address). */
int oneshot_send(struct clients *cl, const struct oneshot *o, struct lb_request *lr)
{
	struct client_ledger *ledger = cl->env.ledger;
	sim_time_t now = sim_now(cl->env.eng);
	struct wl_counts *cnt = &ledger->wl[o->workload];
	int measured = measuring(cl);
	uint64_t steady = (uint64_t)steady_at(cl->env.steady, now);
	lr->dst_port = 443;
	/* Its path is read only where requests are routed one by one
	 * (layer 7); without it layer 4 routes lr as it is, not a copy
	 * with its layer-7 fields cleared (models/lb/vs_route.c). */
	lr->path = balancer_routes_per_request(cl->env.bal) ? workload_path(o->workload) : NULL;
	struct request *req = request_get(cl->env.requests);
	if (!req) {
		cl->out_of_memory = 1;
		sim_stop(cl->env.eng);
		return -1;
	}
	cnt->sent++;
	cnt->measured_sent += (uint64_t)measured;
	/* Its connection's handshakes first: TCP and a full TLS 1.2 one, each
	 * round trip over the population's network (README "Latency"). */
	struct pop_state *ps = &cl->pops[o->pop];
	double e = ps->cfg->net.jitter
			   ? rng_hash_exp(ps->base, draw_key(o->pop, o->user, 0, DRAW_NETWORK),
					  ps->open_sent)
			   : 0;
	ps->open_sent++;
	/* Field by field, as devices.c sends, not a compound literal: that
	 * zeroed the whole request first (a `rep stos` of 224 bytes, some
	 * 6 % of a request of the peer benchmark, issue 19). What is not
	 * set here is set before it is read: the event when scheduled,
	 * lb by balancer_conn_open, wait by balancer_wait, lb_work,
	 * answer_delay, joined and the backend_ pair on the way. */
	req->conn = NULL;
	req->sent = req->arrived = now;
	req->demand = o->demand;
	req->hold = o->hold;
	req->rtt = pop_round_trip(cl, o->pop, e);
	req->answer_delay = 0;
	req->population = o->pop;
	req->user = o->user;
	req->src_addr_index = o->addr_index;
	req->conn_seq = 0;
	req->workload = (uint8_t)o->workload;
	req->measured = (uint8_t)measured;
	req->steady = (uint8_t)steady;
	req->misrouted = 0;
	req->session = 0;
	req->returning = 0;
	req->setup_rtts = (uint8_t)network_setup_round_trips(12, 0);
	struct bal_hello hello = {.seen = lr, .workload = o->workload, .tls = BAL_TLS_12,
				  .resumable = 0};
	int32_t server = -1;
	if (balancer_conn_open(cl->env.bal, &req->lb, &hello, now) == 0) {
		ledger->conns_opened++;
		server = balancer_request(cl->env.bal, &req->lb, lr,
					  cl->pops[o->pop].cfg->client[o->workload].request_bytes,
					  req->rtt, now);
		if (server == BAL_WAIT) {
			/* It waits for a server slot at the balancer (maxconn);
			 * the world counts its connection when it has one. */
			req->server = REQ_SERVER_WAITING;
			cl->env.dispatch(cl->env.owner, req);
			return 0;
		}
		if (server < 0)
			balancer_conn_close(cl->env.bal, &req->lb, now);
	}
	if (server < 0) {
		cnt->failed++;
		cnt->measured_failed += (uint64_t)measured;
		ledger->steady_sent += steady;
		ledger->steady_failed += steady;
		request_put(cl->env.requests, req);
		return -1;
	}
	req->server = (uint32_t)server;
	cl->env.opened(cl->env.owner, (uint32_t)server);
	cl->env.dispatch(cl->env.owner, req);
	return 0;
}

static void on_open_request(void *owner, struct population *pop, uint32_t user, sim_time_t demand)
{
	struct clients *cl = owner;
	struct pop_state *ps = &cl->pops[pop->index];
	struct client_ledger *ledger = cl->env.ledger;
	sim_time_t now = sim_now(cl->env.eng);
	struct oneshot o = {.pop = pop->index, .user = user, .workload = ps->cfg->open_workload,
			    .demand = demand};
	struct source_binding b;
	struct lb_request lr = {0};
	source_bind(&ps->source, &b, user, 0, now);
	if (source_open(&ps->source, &b, now, &lr.src_ip, &lr.src_port, &o.addr_index) != 0) {
		/* Refused by the NAT: sent and failed at once. */
		struct wl_counts *cnt = &ledger->wl[o.workload];
		int measured = measuring(cl);
		uint64_t steady = (uint64_t)steady_at(cl->env.steady, now);
		ledger->nat_refused++;
		cnt->sent++;
		cnt->measured_sent += (uint64_t)measured;
		cnt->failed++;
		cnt->measured_failed += (uint64_t)measured;
		ledger->steady_sent += steady;
		ledger->steady_failed += steady;
		return;
	}
	struct lb_addr whole;
	if (ps->source.has_v6) {
		source_address_of(&ps->source, o.addr_index, &whole);
		if (whole.family == LB_AF_INET6)
			lr.src_addr = &whole;
	}
	if (oneshot_send(cl, &o, &lr) != 0)
		source_close(&ps->source, o.addr_index);
}

void open_answered(struct clients *cl, struct request *req)
{
	struct pop_state *ps = &cl->pops[req->population];
	balancer_conn_close(cl->env.bal, &req->lb, sim_now(cl->env.eng));
	if (!ps->replay) /* a replayed request's address is the log's, from no pool */
		source_close(&ps->source, req->src_addr_index);
}

int open_init(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep)
{
	const struct scn_population *cfg = ps->cfg;
	const struct scenario *scn = cl->env.scn;
	/* A user is its address (unique) or picks one (nat); a carrier NAT
	 * draws addresses of its own. */
	int users_matter = cfg->source == SCN_SOURCE_NAT ||
			   (cfg->source == SCN_SOURCE_UNIQUE && scn_design_reads_source(cl->env.design));
	char name[SCN_NAME_MAX + 32];
	snprintf(name, sizeof name, "network/%s", cfg->name);
	ps->base = rng_stream_seed(scn->seed, rep, name);
	if (population_init(&ps->open, pi, cfg, scn->servers.service_mean, scn->seed, rep,
			    users_matter, on_open_request, cl) != 0)
		return -1;
	ps->open_ready = 1;
	return population_start(cl->env.eng, &ps->open);
}
