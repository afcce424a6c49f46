/* A population that replays a request log: each request of the log arrives
 * when it arrived there (the log's first arrival is the run's time 0),
 * from the client's address as logged (after NAT, or X-Forwarded-For),
 * for its workload, and goes the way of open traffic: a connection of its
 * own, opened and routed through the balancer, its one request, closed
 * (open.c). The log is streamed during the run (sim/logs/log_replay.c
 * puts it in arrival order through a window): one pending event per
 * population and the window's requests, never the whole log.
 *
 * Scaling by k: every request is sent k times at its time, copy c (1 ..
 * k - 1) as user c of k of the original's and from a fresh address of the
 * same shape (replay_addr.h: the host byte kept, in a fresh /24 that
 * stands for the original's /24 in copy c), so source hashing and
 * source-ip persistence see k sites shaped like the logged one.
 *
 * CPU demand: drawn per request from the workload's figure (servers:
 * workloads:), a pure function of (seed, replication, population, line,
 * copy), or with `demand: time-taken` the log's time taken; a long poll
 * (an ActiveSync Ping, MAPI's NotificationWait, an RPC channel) is held by
 * the server for its time taken and then costs its workload's demand.
 *
 * What the log cannot say and this leaves out: connection reuse (each
 * request opens a connection with a full TLS handshake, as open traffic
 * does) and cookies (a cookie-persistence design sees a new client at
 * every request).
 */
#include "clients_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "lbsim/event_kind.h"
#include "lbsim/log_replay.h"
#include "lbsim/replay_addr.h"

_Static_assert(SCN_MAX_REPLAY_SCALE <= REPLAY_MAX_COPIES, "a copy's number must fit its key");

struct replay_state {
	struct sim_event ev;
	struct clients *cl;
	uint32_t pop;
	uint32_t scale;
	struct log_replay *log;
	struct replay_req next;      /* the request ev waits for */
	int64_t origin_ns;           /* the log's first arrival: the run's time 0 */
	uint64_t base;               /* seed of the demand draws */
	uint16_t port;               /* the last source port handed out */
	struct replay_addrs addrs;   /* the copies' fresh addresses */
	char opts_buf[256];
};

static void replay_error(struct replay_state *rs, const struct log_error *err)
{
	struct clients *cl = rs->cl;
	log_error_format(err, cl->error, sizeof cl->error);
	sim_stop(cl->env.eng);
}

/* The address of copy c of addr (replay_addr.h). Returns 0, or -1 with
 * cl->error set. */
static int copy_addr(struct replay_state *rs, uint32_t addr, uint32_t c, uint32_t *out)
{
	int rc = replay_addr_copy(&rs->addrs, addr, c, out);
	if (rc == -1)
		snprintf(rs->cl->error, sizeof rs->cl->error, "out of memory scaling a replay");
	else if (rc == -2)
		snprintf(rs->cl->error, sizeof rs->cl->error,
			 "%s: scale %u needs more than %u fresh /24 networks for its copies "
			 "(the log's /24s times %u): lower the population's replay: scale:",
			 rs->cl->pops[rs->pop].cfg->replay.log, rs->scale, REPLAY_FRESH_PREFIXES,
			 rs->scale - 1);
	return rc == 0 ? 0 : -1;
}

/* Copy c of the request rs->next, sent now. */
static int send_copy(struct replay_state *rs, uint32_t c)
{
	struct clients *cl = rs->cl;
	const struct replay_req *q = &rs->next;
	const struct scn_replay *cfg = &cl->pops[rs->pop].cfg->replay;
	enum workload wl = (enum workload)q->workload;
	struct oneshot o = {.pop = rs->pop, .user = q->user * rs->scale + c, .workload = wl};
	int logged = q->taken_ns >= 0;
	if (q->long_poll && logged)
		o.hold = (sim_time_t)q->taken_ns;
	if (cfg->demand_from_log && logged && !q->long_poll)
		o.demand = (sim_time_t)q->taken_ns;
	else
		o.demand = demand_of(&cl->env.scn->servers.workloads[wl],
				     rng_hash64(rs->base, q->line, c));
	struct lb_request lr = {0};
	if (copy_addr(rs, q->addr, c, &lr.src_ip) != 0)
		return -1;
	/* Ports cycle over the ephemeral range; only hashing on them reads them. */
	rs->port = rs->port >= 65535 ? 1024 : (uint16_t)(rs->port + 1);
	lr.src_port = rs->port;
	struct client_ledger *ledger = cl->env.ledger;
	ledger->pop_sent[rs->pop]++;
	ledger->pop_hash[rs->pop] += rng_mix64((q->line * SCN_MAX_REPLAY_SCALE + c) ^
					       rng_mix64((uint64_t)o.demand));
	(void)oneshot_send(cl, &o, &lr); /* a failure is counted there */
	return 0;
}

/* The next request of the log, scheduled at its arrival; nothing at the end. */
static int schedule_next(struct replay_state *rs)
{
	struct log_error err;
	int rc = log_replay_next(rs->log, &rs->next, &err);
	if (rc < 0) {
		replay_error(rs, &err);
		return -1;
	}
	if (rc == 0)
		return 0;
	sim_time_t at = (sim_time_t)(rs->next.start_ns - rs->origin_ns);
	sim_time_t now = sim_now(rs->cl->env.eng);
	clients_schedule(rs->cl, &rs->ev, at > now ? at - now : 0);
	return 0;
}

static void on_replay(struct sim_engine *eng, struct sim_event *ev)
{
	struct replay_state *rs = ev->ctx;
	(void)eng;
	for (uint32_t c = 0; c < rs->scale; c++) {
		if (send_copy(rs, c) != 0) {
			sim_stop(rs->cl->env.eng);
			return;
		}
	}
	(void)schedule_next(rs);
}

int replay_init(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep)
{
	const struct scn_replay *cfg = &ps->cfg->replay;
	struct replay_state *rs = calloc(1, sizeof *rs);
	if (!rs)
		return -1;
	ps->replay = rs;
	rs->cl = cl;
	rs->pop = pi;
	rs->scale = cfg->scale ? cfg->scale : 1;
	rs->port = 1023;
	char stream[SCN_NAME_MAX + 16];
	snprintf(stream, sizeof stream, "replay/%s", ps->cfg->name);
	rs->base = rng_stream_seed(cl->env.scn->seed, rep, stream);
	sim_event_init(&rs->ev, on_replay, rs, EV_ARRIVAL);
	struct log_opts opts;
	struct log_error err;
	scn_replay_log_opts(cfg, &opts, rs->opts_buf, sizeof rs->opts_buf);
	if (log_replay_open(&rs->log, cfg->log, &opts, (int64_t)cfg->window, &err) != 0) {
		log_error_format(&err, cl->error, sizeof cl->error);
		return -1;
	}
	int rc = log_replay_next(rs->log, &rs->next, &err);
	if (rc < 0) {
		log_error_format(&err, cl->error, sizeof cl->error);
		return -1;
	}
	if (rc == 0)
		return 0; /* a log without client requests: nothing to send */
	rs->origin_ns = rs->next.start_ns;
	clients_schedule(cl, &rs->ev, 0);
	return cl->out_of_memory ? -1 : 0;
}

void replay_free(struct replay_state *rs)
{
	if (!rs)
		return;
	log_replay_close(rs->log);
	replay_addrs_free(&rs->addrs);
	free(rs);
}
