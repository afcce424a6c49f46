/* A request's journey between the clients (models/clients/), the
 * balancer's cores and the servers: the world's side of the path
 *
 *   client -> source (NAT) -> balancer façade -> core (route)   [clients]
 *          -> network (handshakes, half a round trip)           [here]
 *          -> balancer: its cores (lb-cores) or its time, and a
 *             connection to the server (layer 7) -> server      [here]
 *          -> balancer's cores or time on the way back
 *          -> network (half a round trip) -> client             [here]
 *
 * and the hooks the clients call (dispatch, a connection opened or bound
 * to a server). What is measured of the trip is kept here: answers and
 * their response times per workload, connections and active sessions per
 * server.
 */
#include "world.h"
#include "lbsim/event_kind.h"

#include <stddef.h>

static struct world *world_of(struct sim_engine *eng)
{
	return (struct world *)(void *)((char *)eng - offsetof(struct world, eng));
}

static int measuring(const struct world *w)
{
	return sim_now(&w->eng) >= w->warmup_at;
}

/* A session, for the active-session skew, is a layer-4 connection bound to
 * a server; where the balancer chooses per request (layer 7, and open
 * traffic's one-request connections) it is a request on the server. */
static int request_is_session(const struct world *w, const struct request *req)
{
	return balancer_routes_per_request(&w->bal) || !req->conn;
}

static void arrive(struct world *w, struct sim_server *srv, struct request *req)
{
	req->session = (uint8_t)request_is_session(w, req);
	if (req->session)
		server_sessions_add(srv, sim_now(&w->eng), 1);
	server_arrive(&w->eng, srv, req);
}

/* The client has req's answer: ok, or a failure. */
static void deliver(struct world *w, struct request *req, int ok)
{
	sim_time_t now = sim_now(&w->eng);
	/* Steady: sent and answered (at its client) in steady time. */
	req->steady = req->steady && steady_at(&w->steady, now + req->answer_delay);
	if (ok) {
		w->ledger.wl[req->workload].ok++;
		uint64_t response = (uint64_t)request_client_response_ns(req, now);
		/* A measured answer's bucket is counted in its workload's
		 * histogram, and again in the unsteady one unless it is
		 * steady, which the steady histogram only notes (see
		 * world.h): nested so, the steady buckets that collect
		 * derives (measured less unsteady) are exactly its noted
		 * answers'. Every steady answer is measured (sent in steady
		 * time is sent after the warm-up). */
		if (req->measured) {
			hist_record(w->wl_latency[req->workload], response);
			if (req->steady)
				hist_note(w->steady_latency, response);
			else
				hist_record(w->unsteady_latency, response);
		}
		if (req->steady)
			w->ledger.steady_sent++;
	} else {
		client_ledger_failed(&w->ledger, req);
	}
	clients_answered(&w->clients, req, ok);
	request_put(&w->requests, req);
}

/* req's answer (ok or a failure) leaves the balancer now: after extra (the
 * balancer's own time for it, where it has no cores to wait for) and
 * the second half of req's round trip, its client has it. The answer is
 * counted now, and its client, told how long it still travels, acts
 * that much later: the response time and the client's next request are
 * exactly as if it were handed over on arrival, without an event of its
 * own (one fewer per request; what differs is only that a run's end
 * counts it answered while it is still on the wire). */
static void answer_travels(struct world *w, struct request *req, int ok, sim_time_t extra)
{
	req->answer_delay = extra + (req->rtt - req->rtt / 2);
	deliver(w, req, ok);
}

/* The balancer's answer to a request that waited, or that it could not
 * queue: failed at the balancer (503), its work counted but waiting for no
 * core (as a refusal by a full balancer queue). */
static void fail_at_balancer(struct world *w, struct request *req)
{
	struct bal_conn blank;
	balancer_response(&w->bal, clients_request_conn(req, &blank), 0, req->rtt,
				  sim_now(&w->eng));
	(void)balancer_take_work_ns(&w->bal);
	answer_travels(w, req, 0, 0);
}

static struct request *req_of_wait(struct bal_wait *wt)
{
	return (struct request *)(void *)((char *)wt - offsetof(struct request, wait));
}

static struct request *req_of_event(struct sim_event *ev)
{
	return (struct request *)(void *)((char *)ev - offsetof(struct request, ev));
}

static void on_backend_open(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = world_of(eng);
	struct request *req = req_of_event(ev);
	w->network[req->workload]--;
	arrive(w, &w->servers[req->server], req);
}

/* req, which waited, has a slot of server s: on to it once the balancer
 * has opened a connection to it when it had to (req->wait.setup_ns,
 * layer 7's backend set-up; counted on the network meanwhile, so that a
 * run's end counts it in flight). */
static void slot_taken(struct world *w, struct request *req, uint32_t s)
{
	req->server = s;
	if (!req->conn && measuring(w))
		w->server_conns_opened[s]++;
	sim_time_t setup = (sim_time_t)(req->wait.setup_ns + 0.5);
	if (setup == 0) {
		arrive(w, &w->servers[s], req);
		return;
	}
	w->network[req->workload]++;
	sim_event_init(&req->ev, on_backend_open, w, EV_NETWORK);
	world_schedule(w, &req->ev, setup);
}

/* req waited `timeout queue` for a slot: the balancer answers 503. */
static void on_queue_timeout(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = ev->ctx;
	struct request *req = req_of_event(ev);
	balancer_wait_abandon(&w->bal, &req->wait);
	if (req->measured) {
		w->queue_timeouts++;
		w->queue_wait_ns += (double)(sim_now(eng) - req->wait.since_ns);
	}
	fail_at_balancer(w, req);
}

/* req reaches the servers: to its server, or, when it waits for a slot
 * (REQ_SERVER_WAITING), into the balancer's queue with `timeout queue`. */
static void to_server(struct world *w, struct request *req)
{
	if (req->server != REQ_SERVER_WAITING) {
		arrive(w, &w->servers[req->server], req);
		return;
	}
	struct bal_conn blank;
	struct bal_conn *c = clients_request_conn(req, &blank);
	if (!(c->flags & BAL_CONN_WAITING)) {
		/* Its connection closed while it went through the cores. */
		fail_at_balancer(w, req);
		return;
	}
	int32_t s = balancer_wait(&w->bal, &req->wait, c, sim_now(&w->eng));
	if (s == -1) {
		fail_at_balancer(w, req);
		return;
	}
	if (s >= 0) {
		/* A slot freed while it went through the balancer: it never
		 * waited, and is not counted as queued (HAProxy's qcur). */
		slot_taken(w, req, (uint32_t)s);
		return;
	}
	if (req->measured)
		w->queued++;
	sim_time_t timeout = w->design->queue_timeout ? w->design->queue_timeout
						      : SCN_DEFAULT_QUEUE_TIMEOUT;
	sim_event_init(&req->ev, on_queue_timeout, w, EV_QUEUE_TIMEOUT);
	if (sim_schedule_in(&w->eng, &req->ev, timeout) != 0) {
		w->out_of_memory = 1;
		sim_stop(&w->eng);
	}
}

void world_slots_freed(void *owner)
{
	struct world *w = owner;
	/* A request sent on may fail at once (a server down) and free a slot
	 * again: that request joins the list, and this loop takes it. */
	if (w->draining)
		return;
	w->draining = 1;
	struct bal_wait *wt;
	while ((wt = balancer_ready_pop(&w->bal))) {
		struct request *req = req_of_wait(wt);
		sim_time_t now = sim_now(&w->eng);
		sim_cancel(&w->eng, &req->ev);
		if (req->measured)
			w->queue_wait_ns += (double)(now - wt->since_ns);
		slot_taken(w, req, (uint32_t)bal_conn_server(wt->conn));
	}
	w->draining = 0;
}

/* req reaches the balancer now, with lb_ns of its work: on to its server,
 * through the balancer's cores when the design limits them (the work is
 * its demand there, and a full balancer queue refuses it: the balancer
 * answers the refusal itself, no server, nothing queued). */
static void reach_balancer(struct world *w, struct request *req, sim_time_t lb_ns)
{
	req->arrived = sim_now(&w->eng);
	if (!w->lb_limited) {
		to_server(w, req);
		return;
	}
	if (w->lb.queue.len >= w->design->lb_queue) {
		w->lb_refused++;
		struct bal_conn blank;
		balancer_response(&w->bal, clients_request_conn(req, &blank), 0, req->rtt,
				  sim_now(&w->eng));
		(void)balancer_take_work_ns(&w->bal);
		answer_travels(w, req, 0, 0);
		return;
	}
	req->returning = 0;
	req->backend_demand = req->demand;
	req->backend_hold = req->hold;
	req->demand = lb_ns;
	req->hold = 0;
	server_arrive(&w->eng, &w->lb, req);
}

static void on_request_arrived(struct sim_engine *eng, struct sim_event *ev)
{
	struct world *w = world_of(eng);
	struct request *req = req_of_event(ev);
	w->network[req->workload]--;
	reach_balancer(w, req, req->lb_work);
}

/* The client has sent req (the balancer has chosen its server and counted
 * its work): it travels to the balancer, the handshakes of a new
 * connection first (req->setup_rtts round trips), then half a round trip;
 * where the balancer has no cores to wait for, its work is time spent
 * there, as is the time it waits for a connection to its server (layer
 * 7). The balancer decided at the moment it was sent: a health state
 * changing during the milliseconds of the trip is not seen by it. */
static void dispatch(void *owner, struct request *req)
{
	struct world *w = owner;
	sim_time_t lb_ns = (sim_time_t)(balancer_take_work_ns(&w->bal) + 0.5);
	sim_time_t wait_ns = (sim_time_t)(balancer_take_wait_ns(&w->bal) + 0.5);
	sim_time_t delay = (sim_time_t)req->setup_rtts * req->rtt + req->rtt / 2 + wait_ns +
			   (w->lb_limited ? 0 : lb_ns);
	if (delay == 0) {
		reach_balancer(w, req, lb_ns);
		return;
	}
	req->lb_work = lb_ns;
	w->network[req->workload]++;
	sim_event_init(&req->ev, on_request_arrived, w, EV_NETWORK);
	world_schedule(w, &req->ev, delay);
}

void world_lb_done(void *owner, struct sim_server *lb, struct request *req, int ok)
{
	struct world *w = owner;
	(void)lb;
	(void)ok; /* the balancer itself never fails */
	if (req->returning) {
		req->hold = req->backend_hold;
		answer_travels(w, req, req->ok, 0);
		return;
	}
	req->demand = req->backend_demand;
	req->hold = req->backend_hold;
	to_server(w, req);
}

/* The server is done with req: its answer (a failure's too) passes back
 * through the balancer, waiting for a balancer core on the way when the
 * design has a number of them, then reaches the client. */
void world_server_done(void *owner, struct sim_server *srv, struct request *req, int ok)
{
	struct world *w = owner;
	sim_time_t now = sim_now(&w->eng);
	if (req->session) {
		req->session = 0;
		server_sessions_add(srv, now, -1);
	}
	struct bal_conn blank;
	balancer_response(&w->bal, clients_request_conn(req, &blank),
			  w->scn->populations[req->population].client[req->workload].response_bytes,
			  req->rtt, now);
	sim_time_t lb_ns = (sim_time_t)(balancer_take_work_ns(&w->bal) + 0.5);
	if (w->lb_limited && lb_ns > 0) {
		req->returning = 1;
		req->ok = (uint8_t)ok;
		/* The hold the client asked for is kept: its response time
		 * leaves it out, and its client reads it. */
		req->backend_hold = req->hold;
		req->demand = lb_ns;
		req->hold = 0;
		server_arrive(&w->eng, &w->lb, req);
		return;
	}
	answer_travels(w, req, ok, w->lb_limited ? 0 : lb_ns);
}

static void conn_opened(void *owner, uint32_t server)
{
	struct world *w = owner;
	if (measuring(w))
		w->server_conns_opened[server]++;
}

static void conn_bound(void *owner, uint32_t server, int delta)
{
	struct world *w = owner;
	server_sessions_add(&w->servers[server], sim_now(&w->eng), delta);
}

static int server_reachable(void *owner, uint32_t server)
{
	const struct world *w = owner;
	return !w->servers[server].down;
}

int world_clients_init(struct world *w, uint32_t rep)
{
	struct clients_env env = {
		.eng = &w->eng,
		.scn = w->scn,
		.design = w->design,
		.bal = &w->bal,
		.requests = &w->requests,
		.ledger = &w->ledger,
		.measure_from = w->warmup_at,
		.steady = &w->steady,
		.owner = w,
		.dispatch = dispatch,
		.opened = conn_opened,
		.bound = conn_bound,
		.reachable = server_reachable,
	};
	return clients_init(&w->clients, &env, rep);
}

/* What the look-ahead fetches: the devices and connections of device
 * traffic (with the persistence slot a layer-7 request will look up) and
 * the latency buckets a completion will count in, its server's and its
 * workload's. Where these are few they stay in the cache, and fetching
 * them again is work for nothing: in the peer benchmark (open traffic,
 * 8 servers) the look-ahead was 7 % of the run (issue 19). It runs when
 * they may not fit half a second-level cache of 1 MB (this machine's per
 * core; an assumption for others): the clients' own estimate of their
 * memory, and 4 KB a latency histogram (16 octaves of 2-byte buckets, a
 * factor of 65,536 from the shortest latency to the longest, the part a
 * run records into). A prefetch changes no result. */
#define LOOKAHEAD_HIST_HOT_BYTES (16.0 * HIST_SUB * sizeof(uint16_t))
#define LOOKAHEAD_CACHE_BYTES (512.0 * 1024)

int world_lookahead_pays(const struct scenario *scn)
{
	double histograms = (double)scn->servers.count + 1 + WL_COUNT;
	return clients_mem_estimate(scn) + histograms * LOOKAHEAD_HIST_HOT_BYTES >
	       LOOKAHEAD_CACHE_BYTES;
}

/* A connection's timer and a completion have lines to fetch (below); a
 * request reaching the balancer, a third of the events, has none, and
 * at stage 1 only a layer-7 route's persistence entry is left. Shown
 * nothing else, the look-ahead is called twice per request instead of
 * six times (issue 19 item 5; paired runs, CPU time, load average 3-6):
 * the default scenario scaled to 100,000 users, 10 simulated minutes,
 * one design at a time, 0.93x (l4, 7 pairs, 0.88-0.98), 0.93x (l4-multi,
 * 5 pairs), 0.98x (l7); at 1,000,000 users, l4, 2 minutes, 0.97x. */
void world_lookahead_attach(struct world *w)
{
	if (!world_lookahead_pays(w->scn))
		return;
	w->eng.lookahead = world_lookahead;
	w->eng.lookahead_kinds[0] = SIM_LOOKAHEAD_KIND(EV_CONN) | SIM_LOOKAHEAD_KIND(EV_SERVER_DONE);
	w->eng.lookahead_kinds[1] = clients_lookahead_near(&w->clients) ? SIM_LOOKAHEAD_KIND(EV_CONN)
									 : 0;
}

void world_lookahead(struct sim_engine *eng, const struct sim_event *ev, sim_time_t at,
		     unsigned stage)
{
#if defined(__GNUC__) || defined(__clang__)
	if (ev->kind == EV_CONN) {
		clients_lookahead(&world_of(eng)->clients, ev, at, stage);
	} else if (ev->kind == EV_SERVER_DONE && stage == 0) {
		/* world_server_done reads the request (the event) and its
		 * connection (NULL for open traffic, and a prefetch of NULL
		 * never faults); the server's on_done counts its response
		 * time. */
		const struct request *req =
			(const struct request *)(const void *)((const char *)ev - offsetof(struct request, ev));
		__builtin_prefetch(req->conn);
		server_lookahead_done(ev, at);
		/* deliver then counts the client's response time: its bucket
		 * as if the balancer took no time on the way back (beside the
		 * round trip its time is small, so mostly the same line). */
		const struct world *w = world_of(eng);
		sim_time_t client = request_client_response_after(req, at, req->rtt - req->rtt / 2);
		if (req->measured)
			hist_prefetch(w->wl_latency[req->workload], client);
	}
#else
	(void)eng;
	(void)ev;
	(void)at;
	(void)stage;
#endif
}
