/* Client devices and their connections: the traffic the balancer sees.
 *
 * Every user of a population runs one device per client kind (workload) it
 * uses; every device keeps `connections` connections. A connection cycles:
 * send a request, wait for the response, think, send again; after its
 * lifetime the client closes it at its next request and opens a new one
 * (new source port, perhaps a new NAT address, a resumed or a full TLS
 * handshake). A failed request is retried after a back-off; a connection
 * cut because its server failed reconnects after a back-off, which is how a
 * reconnect storm forms.
 *
 * Common random numbers: every draw of a device (think time, demand,
 * lifetime, start phase, TLS 1.3 or not) is a pure function of the
 * device, the connection and the connection's request number
 * (rng_hash_u01), so request k of a connection is the same in every design.
 *
 * Memory: one struct device (64 bytes, one cache line) per device, one struct conn (one
 * 64-byte cache line, see world.h) and one struct conn_link (24 bytes) per
 * connection, allocated once per run; requests come from the slab pool.
 * Complexity: O(1) per request and per connection event.
 */
#include "world.h"
#include "lbsim/event_kind.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "lbsim/rng.h"


/* Stream tags for counter-based draws. */
enum draw { DRAW_THINK = 1, DRAW_DEMAND, DRAW_LIFE, DRAW_PHASE, DRAW_TLS13, DRAW_BACKOFF,
	    DRAW_PRESENCE };

static uint64_t draw_key(uint32_t pop, uint32_t device, uint32_t conn, enum draw what)
{
	return ((uint64_t)pop << 56) ^ ((uint64_t)device << 16) ^ ((uint64_t)conn << 4) ^ what;
}

static uint64_t device_key(const struct device *d, uint32_t conn, enum draw what)
{
	return draw_key(d->pop, d->id, conn, what);
}

static double draw_u01(const struct world *w, const struct device *d, uint32_t conn,
		       enum draw what, uint64_t k)
{
	return rng_hash_u01(w->pops[d->pop].base, device_key(d, conn, what), k);
}

/* struct conn packs these in 6-bit fields. */
_Static_assert(SCN_MAX_POPULATIONS <= 64, "struct conn.pop holds 0..63");
_Static_assert(SCN_MAX_CONNECTIONS <= 64, "struct conn.index holds 0..63");

/* The key of c's draws of kind what, the same as device_key for c's
 * device, without reading the device (a cache miss at scale): its id is
 * its place in its population's array. */
static uint64_t conn_key(const struct world *w, const struct conn *c, enum draw what)
{
	const struct pop_state *ps = &w->pops[c->pop];
	uint32_t device = (uint32_t)(c->dev - ps->devices);
	assert(device == c->dev->id); /* a device's id is its index */
	return draw_key(c->pop, device, c->index, what);
}

/* An exponential draw of c's with the given mean (0: always 0). */
static sim_time_t conn_exp(const struct world *w, const struct conn *c, enum draw what,
			   uint64_t k, sim_time_t mean)
{
	if (mean == 0)
		return 0;
	double e = rng_hash_exp(w->pops[c->pop].base, conn_key(w, c, what), k);
	return seconds_ns(e * (double)mean / (double)SIM_NS_PER_S);
}

/* CPU demand of one request from its draw's 64 bits: exponential (cv 1,
 * the ziggurat), constant (cv 0), or gamma with shape 1/cv^2 (GSL's
 * quantile of the uniform, to keep the draw a pure function of the bits). */
static sim_time_t demand_of(const struct server_workload_cfg *cfg, uint64_t bits)
{
	double mean = (double)cfg->demand;
	double ns;
	if (cfg->demand_cv == 1.0)
		ns = rng_exp_bits(bits, NULL) * mean;
	else if (cfg->demand_cv <= 0)
		ns = mean;
	else {
		double shape = 1.0 / (cfg->demand_cv * cfg->demand_cv);
		ns = gsl_cdf_gamma_Pinv(rng_bits_u01(bits), shape, mean / shape);
	}
	return ns >= 1.8e19 ? SIM_TIME_NEVER : (sim_time_t)(ns + 0.5);
}

static struct conn_link *conn_link(struct world *w, const struct conn *c)
{
	struct pop_state *ps = &w->pops[c->pop];
	return &ps->links[c - ps->conns];
}

static struct world *world_of(struct sim_engine *eng)
{
	return (struct world *)(void *)((char *)eng - offsetof(struct world, eng));
}

static int measuring(const struct world *w)
{
	return sim_now(&w->eng) >= w->warmup_at;
}

static void link_conn(struct world *w, struct conn *c)
{
	uint32_t s = (uint32_t)bal_conn_server(&c->lb);
	struct conn_link *l = conn_link(w, c);
	l->prev = NULL;
	l->next = w->server_conns[s];
	if (l->next)
		conn_link(w, l->next)->prev = c;
	w->server_conns[s] = c;
	c->linked = 1;
	server_sessions_add(&w->servers[s], sim_now(&w->eng), 1);
}

static void unlink_conn(struct world *w, struct conn *c)
{
	if (!c->linked)
		return;
	struct conn_link *l = conn_link(w, c);
	uint32_t s = (uint32_t)bal_conn_server(&c->lb);
	if (l->prev)
		conn_link(w, l->prev)->next = l->next;
	else
		w->server_conns[s] = l->next;
	if (l->next)
		conn_link(w, l->next)->prev = l->prev;
	l->prev = l->next = NULL;
	c->linked = 0;
	server_sessions_add(&w->servers[s], sim_now(&w->eng), -1);
}

/* What the balancer sees of a request of device d on connection c: a
 * layer-4 design reads only the addresses, ports and the ClientHello's
 * session id; the layer-7 fields are filled for l7 to read. */
struct seen {
	struct lb_request req;
	uint8_t tls_id[8];
	char cookie[24];
};

/* The request of connection c from device number id of population pop,
 * running workload wl, offering TLS session tls_id (0: none). */
static void fill_seen_of(struct seen *s, const struct conn *c, uint32_t pop, uint32_t id,
			 enum workload wl, uint64_t tls_id)
{
	memset(&s->req, 0, sizeof s->req);
	s->req.src_ip = c->src_addr;
	s->req.src_port = c->src_port;
	s->req.dst_port = 443;
	if (tls_id) {
		memcpy(s->tls_id, &tls_id, sizeof s->tls_id);
		s->req.tls_session_id = s->tls_id;
		s->req.tls_session_id_len = sizeof s->tls_id;
	}
	s->req.path = workload_path(wl);
	/* The balancer's insert cookie, as the browser sends it back: one per
	 * device session, written as hex "pop.device" (no printf: this runs
	 * for every request). */
	char *p = s->cookie;
	for (int shift = 12; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(pop >> shift) & 15];
	*p++ = '.';
	for (int shift = 28; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(id >> shift) & 15];
	*p = '\0';
	s->req.cookie = s->cookie;
}

static void fill_seen(struct seen *s, const struct device *d, const struct conn *c)
{
	fill_seen_of(s, c, d->pop, d->id, (enum workload)d->workload, d->tls_id);
}

static void send_request(struct world *w, struct conn *c);

static void conn_close(struct world *w, struct conn *c)
{
	struct pop_state *ps = &w->pops[c->pop];
	unlink_conn(w, c);
	balancer_conn_close(&w->bal, &c->lb, sim_now(&w->eng));
	source_close(&ps->source, conn_link(w, c)->addr_index);
	c->state = CONN_DOWN;
}

/* A request of c failed: the client backs off, then tries again. Over
 * layer 4 it also drops the connection (clients treat an error as a broken
 * connection), so its next attempt is balanced anew; over layer 7 its
 * connection to the balancer stays. */
static void retry_later(struct world *w, struct conn *c)
{
	if (balancer_routes_per_request(&w->bal))
		c->state = CONN_IDLE;
	else
		conn_close(w, c);
	world_schedule(w, &c->ev, conn_exp(w, c, DRAW_BACKOFF, c->seq++,
					   w->scn->clients[c->dev->workload].backoff));
}

/* Open connection c now and send its first request. */
static void conn_open(struct world *w, struct conn *c)
{
	struct device *d = c->dev;
	struct pop_state *ps = &w->pops[d->pop];
	const struct client_cfg *cc = &w->scn->clients[d->workload];
	sim_time_t now = sim_now(&w->eng);
	uint32_t ci = c->index;
	struct conn_link *link = conn_link(w, c);
	if (source_open(&ps->source, &d->src, d->id, now, &c->src_addr, &c->src_port,
			&link->addr_index) != 0) {
		w->nat_refused++;
		c->state = CONN_DOWN;
		world_schedule(w, &c->ev, conn_exp(w, c, DRAW_BACKOFF, c->seq++, cc->backoff));
		return;
	}
	/* TLS: the client offers to resume while its session lives. A TLS
	 * 1.3 client sends a fresh legacy session id every time (it resumes
	 * with a ticket, if at all), so SSL-session-id persistence sees a new
	 * id on each connection. */
	int live = d->tls_id != 0 && cc->tls_session != 0 && now < d->tls_expires;
	if (!live || d->tls13)
		d->tls_id = ((uint64_t)(d->pop + 1) << 48) ^ ((uint64_t)d->id << 20) ^ (c->seq + 1) ^
			    ((uint64_t)ci << 40);
	if (!live)
		d->tls_expires = now + cc->tls_session;
	struct seen s;
	fill_seen(&s, d, c);
	struct bal_hello hello = {.seen = &s.req, .workload = (enum workload)d->workload,
				  .tls = d->tls13 ? BAL_TLS_13 : BAL_TLS_12, .resumable = (uint8_t)live};
	if (balancer_conn_open(&w->bal, &c->lb, &hello, now) != 0) {
		w->connect_failed++;
		source_close(&ps->source, link->addr_index);
		c->state = CONN_DOWN;
		world_schedule(w, &c->ev, conn_exp(w, c, DRAW_BACKOFF, c->seq++, cc->backoff));
		return;
	}
	if (!balancer_routes_per_request(&w->bal)) {
		link_conn(w, c);
		if (measuring(w))
			w->server_conns_opened[bal_conn_server(&c->lb)]++;
	}
	w->conns_opened++;
	c->ends_at = now + conn_exp(w, c, DRAW_LIFE, c->seq, cc->lifetime);
	c->state = CONN_IDLE;
	send_request(w, c);
}

static void fail_request(struct world *w, struct request *req)
{
	struct wl_counts *k = &w->wl[req->workload];
	k->failed++;
	if (req->misrouted)
		k->misrouted++;
	if (req->measured) {
		k->measured_failed++;
		if (req->misrouted)
			k->measured_misrouted++;
	}
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

/* Hand req to its server, through the balancer's cores when the design
 * limits them: the balancer's work for it (everything charged since the
 * last request) is its demand there, and a full balancer queue refuses it. */
static void deliver(struct world *w, struct request *req, int ok);

/* The balancer's connection state of req: its device connection's, or
 * (open traffic) its own; a stale request, whose connection has closed
 * and moved on since it was sent, gets a blank one, so that its answer
 * is counted without touching the connection's new life. */
static struct bal_conn *request_lb(struct request *req, struct bal_conn *blank)
{
	if (!req->conn)
		return &req->lb;
	const struct conn *c = req->conn;
	if (c->state == CONN_BUSY && (uint32_t)c->seq == req->conn_seq)
		return &req->conn->lb;
	*blank = (struct bal_conn){.server = -1, .pool = -1};
	return blank;
}

/* Hand req to its server, through the balancer's cores when the design
 * limits them: the balancer's work for it (everything charged since the
 * last request) is its demand there, and a full balancer queue refuses it
 * (the balancer answers the refusal itself: no server, nothing queued). */
static void dispatch(struct world *w, struct request *req)
{
	double lb_ns = balancer_take_work_ns(&w->bal);
	struct sim_server *target = &w->servers[req->server];
	if (!w->lb_limited) {
		arrive(w, target, req);
		return;
	}
	if (w->lb.queue.len >= w->design->lb_queue) {
		w->lb_refused++;
		struct bal_conn blank;
		balancer_response(&w->bal, request_lb(req, &blank), 0, sim_now(&w->eng));
		(void)balancer_take_work_ns(&w->bal);
		deliver(w, req, 0);
		return;
	}
	req->returning = 0;
	req->backend_demand = req->demand;
	req->backend_hold = req->hold;
	req->demand = (sim_time_t)(lb_ns + 0.5);
	req->hold = 0;
	server_arrive(&w->eng, &w->lb, req);
}

void world_lb_done(void *owner, struct sim_server *lb, struct request *req, int ok)
{
	struct world *w = owner;
	(void)lb;
	(void)ok; /* the balancer itself never fails */
	if (req->returning) {
		deliver(w, req, req->ok);
		return;
	}
	req->demand = req->backend_demand;
	req->hold = req->backend_hold;
	arrive(w, &w->servers[req->server], req);
}

static void send_request(struct world *w, struct conn *c)
{
	struct device *d = c->dev;
	uint32_t ci = c->index;
	sim_time_t now = sim_now(&w->eng);
	struct request *req = request_get(&w->requests);
	if (!req) {
		w->out_of_memory = 1;
		sim_stop(&w->eng);
		return;
	}
	uint64_t k = c->seq++;
	req->conn = c;
	req->arrived = now;
	req->demand = demand_of(&w->scn->servers.workloads[d->workload],
				rng_hash64(w->pops[d->pop].base, device_key(d, ci, DRAW_DEMAND), k));
	req->hold = w->scn->clients[d->workload].hold;
	req->population = d->pop;
	req->user = d->user;
	req->workload = d->workload;
	req->measured = (uint8_t)measuring(w);
	req->misrouted = 0;
	req->session = 0;
	req->where = REQ_NOWHERE;
	struct wl_counts *cnt = &w->wl[d->workload];
	cnt->sent++;
	w->traffic_hash += rng_mix64(device_key(d, ci, 0) ^ rng_mix64(k ^ rng_mix64(req->demand)));
	cnt->measured_sent += req->measured;
	c->state = CONN_BUSY;
	req->conn_seq = (uint32_t)c->seq;

	/* Only a layer-7 balancer reads the request itself. */
	struct seen s;
	const struct lb_request *seen = NULL;
	if (balancer_routes_per_request(&w->bal)) {
		fill_seen(&s, d, c);
		seen = &s.req;
	}
	int32_t server = balancer_request(&w->bal, &c->lb, seen,
					  w->scn->clients[d->workload].request_bytes, now);
	if (server < 0) {
		fail_request(w, req);
		request_put(&w->requests, req);
		retry_later(w, c);
		return;
	}
	req->server = (uint32_t)server;
	/* A device whose request lands on another server than its last one
	 * has moved; where the backend needs affinity (Exchange 2010: the
	 * session lives on one server) that costs a re-authentication. */
	if (d->home >= 0 && d->home != server) {
		w->server_changes++;
		if (w->scn->servers.affinity_required) {
			w->affinity_breaks++;
			req->demand += w->scn->servers.affinity_penalty;
		}
	}
	d->home = server;
	dispatch(w, req);
}

static void on_conn_timer(struct sim_engine *eng, struct sim_event *ev)
{
	struct conn *c = ev->ctx;
	struct world *w = world_of(eng);
	if (c->offline) {
		if (c->state != CONN_DOWN)
			conn_close(w, c);
		return;
	}
	if (c->state == CONN_DOWN) {
		conn_open(w, c);
	} else if (sim_now(&w->eng) >= c->ends_at) {
		conn_close(w, c);
		conn_open(w, c);
	} else {
		send_request(w, c);
	}
}

/* Open traffic: each request is its own connection from the population's
 * source model, routed as a layer-4 or layer-7 balancer routes it. */
static void on_open_request(void *owner, struct population *pop, uint32_t user, sim_time_t demand)
{
	struct world *w = owner;
	struct pop_state *ps = &w->pops[pop->index];
	sim_time_t now = sim_now(&w->eng);
	enum workload wl = ps->cfg->open_workload;
	struct wl_counts *cnt = &w->wl[wl];
	int measured = measuring(w);
	cnt->sent++;
	cnt->measured_sent += (uint64_t)measured;
	struct source_binding b;
	struct lb_request lr = {0};
	uint32_t addr_index;
	source_bind(&ps->source, &b, user, now);
	if (source_open(&ps->source, &b, user, now, &lr.src_ip, &lr.src_port, &addr_index) != 0) {
		w->nat_refused++;
		cnt->failed++;
		cnt->measured_failed += (uint64_t)measured;
		return;
	}
	lr.dst_port = 443;
	lr.path = workload_path(wl);
	struct request *req = request_get(&w->requests);
	if (!req) {
		w->out_of_memory = 1;
		sim_stop(&w->eng);
		return;
	}
	*req = (struct request){.arrived = now, .demand = demand, .population = pop->index,
				.user = user, .src_addr_index = addr_index, .workload = (uint8_t)wl,
				.measured = (uint8_t)measured};
	req->ev.heap_index = SIM_EVENT_IDLE;
	/* A new connection with a full handshake, and its one request. */
	struct bal_hello hello = {.seen = &lr, .workload = wl, .tls = BAL_TLS_12, .resumable = 0};
	int32_t server = -1;
	if (balancer_conn_open(&w->bal, &req->lb, &hello, now) == 0) {
		w->conns_opened++;
		server = balancer_request(&w->bal, &req->lb, &lr, w->scn->clients[wl].request_bytes, now);
		if (server < 0)
			balancer_conn_close(&w->bal, &req->lb, now);
	}
	if (server < 0) {
		source_close(&ps->source, addr_index);
		cnt->failed++;
		cnt->measured_failed += (uint64_t)measured;
		request_put(&w->requests, req);
		return;
	}
	req->server = (uint32_t)server;
	if (measured)
		w->server_conns_opened[server]++;
	dispatch(w, req);
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
	balancer_response(&w->bal, request_lb(req, &blank),
			  w->scn->clients[req->workload].response_bytes, now);
	double lb_ns = balancer_take_work_ns(&w->bal);
	if (w->lb_limited && lb_ns > 0) {
		req->returning = 1;
		req->ok = (uint8_t)ok;
		req->demand = (sim_time_t)(lb_ns + 0.5);
		req->hold = 0;
		server_arrive(&w->eng, &w->lb, req);
		return;
	}
	deliver(w, req, ok);
}

/* The client has req's answer: ok, or a failure. */
static void deliver(struct world *w, struct request *req, int ok)
{
	sim_time_t now = sim_now(&w->eng);
	struct wl_counts *cnt = &w->wl[req->workload];
	if (ok) {
		cnt->ok++;
		if (req->measured)
			hist_record(w->wl_latency[req->workload], request_response_ns(req, now));
	} else {
		fail_request(w, req);
	}
	struct conn *c = req->conn;
	if (!c) {
		balancer_conn_close(&w->bal, &req->lb, now);
		source_close(&w->pops[req->population].source, req->src_addr_index);
	} else if (c->state != CONN_BUSY || (uint32_t)c->seq != req->conn_seq) {
		/* Stale: its connection was cut while it waited for the
		 * balancer, and has moved on. */
	} else if (c->offline) {
		conn_close(w, c); /* its user logged off while it waited */
	} else if (ok) {
		c->state = CONN_IDLE;
		const struct client_cfg *cc = &w->scn->clients[req->workload];
		world_schedule(w, &c->ev, conn_exp(w, c, DRAW_THINK, c->seq, cc->think));
	} else {
		retry_later(w, c);
	}
	request_put(&w->requests, req);
}

/* A layer-7 request with persistence reads a table slot that is a cache
 * miss at scale: announce it from what the connection alone tells (the
 * device's number and workload follow from its place in its population;
 * the TLS session id would need the device, so ssl-session-id persistence
 * gets no hint). Only when c's timer will send a request. */
static void prefetch_route(struct world *w, const struct conn *c)
{
	if (c->state != CONN_IDLE || c->offline)
		return;
	const struct pop_state *ps = &w->pops[c->pop];
	uint32_t device = (uint32_t)(c->dev - ps->devices);
	enum workload wl = (enum workload)ps->kinds[device % ps->nkinds];
	assert(wl == c->dev->workload); /* as init_devices lays devices out */
	struct seen s;
	fill_seen_of(&s, c, c->pop, device, wl, 0);
	balancer_prefetch(&w->bal, &c->lb, &s.req);
}

void world_lookahead(struct sim_engine *eng, const struct sim_event *ev)
{
#if defined(__GNUC__) || defined(__clang__)
	if (ev->kind == EV_CONN) {
		/* on_conn_timer reads the connection (the engine prefetched it)
		 * and, to send, its device. */
		const struct conn *c = ev->ctx;
		__builtin_prefetch(c->dev);
		struct world *w = world_of(eng);
		if (balancer_routes_per_request(&w->bal) && w->design->persist)
			prefetch_route(w, c);
	} else if (ev->kind == EV_SERVER_DONE) {
		/* world_server_done reads the request (the event) and its
		 * connection; NULL for open traffic, and a prefetch of NULL
		 * never faults. */
		const struct request *req =
			(const struct request *)(const void *)((const char *)ev - offsetof(struct request, ev));
		__builtin_prefetch(req->conn);
	}
#else
	(void)eng;
	(void)ev;
#endif
}

void world_cut_server(struct world *w, uint32_t s)
{
	struct conn *c;
	while ((c = w->server_conns[s])) {
		sim_cancel(&w->eng, &c->ev);
		conn_close(w, c);
		const struct client_cfg *cc = &w->scn->clients[c->dev->workload];
		world_schedule(w, &c->ev, conn_exp(w, c, DRAW_BACKOFF, c->seq++, cc->backoff));
	}
}

static void pop_stream(const struct world *w, struct rng *r, uint32_t rep, const char *kind,
		       const char *name)
{
	char full[SCN_NAME_MAX + 32];
	snprintf(full, sizeof full, "%s/%s", kind, name);
	rng_stream(r, w->scn->seed, rep, full);
}

/* Does the design read a request's source address (source hashing,
 * source-ip persistence)? Only then does an open-traffic request's user
 * matter where every user has an address of its own. */
static int design_reads_source(const struct scn_design *d)
{
	unsigned needs = d->balance ? d->balance->needs : 0;
	if (d->persist)
		needs |= d->persist->needs;
	return (needs & LB_NEED_SRC_ADDR) != 0;
}

/* The population's share of logged-on users at t: straight lines between
 * the profile's points, flat before the first and after the last. */
static double profile_share(const struct scn_population *p, sim_time_t t)
{
	if (t <= p->profile[0].at)
		return p->profile[0].share;
	for (uint32_t k = 1; k < p->nprofile; k++)
		if (t <= p->profile[k].at) {
			const struct scn_profile_point *a = &p->profile[k - 1], *b = &p->profile[k];
			return a->share + (b->share - a->share) * (double)(t - a->at) /
						  (double)(b->at - a->at);
		}
	return p->profile[p->nprofile - 1].share;
}

/* The first time after now where the profile crosses level: the user with
 * that level logs on or off there; SIM_TIME_NEVER when it never does. */
static sim_time_t profile_crossing(const struct scn_population *p, double level, sim_time_t now)
{
	for (uint32_t k = 1; k < p->nprofile; k++) {
		const struct scn_profile_point *a = &p->profile[k - 1], *b = &p->profile[k];
		if (b->at <= now || a->share == b->share)
			continue;
		double lo = a->share < b->share ? a->share : b->share;
		double hi = a->share < b->share ? b->share : a->share;
		if (level < lo || level > hi)
			continue;
		double tc = (double)a->at + (level - a->share) / (b->share - a->share) *
						    (double)(b->at - a->at);
		/* Just past the crossing, where the comparison has flipped. */
		sim_time_t t = (sim_time_t)tc + 1;
		if (t > now)
			return t;
	}
	return SIM_TIME_NEVER;
}

/* The user's own fixed level: logged on while the profile is above it. */
static double presence_level(const struct world *w, const struct device *d)
{
	struct device user = *d;
	user.id = d->user; /* one draw per user, shared by its devices */
	return draw_u01(w, &user, 0, DRAW_PRESENCE, 0);
}

static void on_presence(struct sim_engine *eng, struct sim_event *ev)
{
	struct device *d = ev->ctx;
	struct world *w = world_of(eng);
	const struct scn_population *p = w->pops[d->pop].cfg;
	sim_time_t now = sim_now(eng);
	double level = presence_level(w, d);
	int on = profile_share(p, now) > level;
	if (on && d->offline) {
		/* Logging on opens every connection at once. */
		d->offline = 0;
		for (uint32_t j = 0; j < d->nconns; j++) {
			struct conn *c = &d->conns[j];
			c->offline = 0;
			if (c->state == CONN_DOWN && !sim_event_pending(&c->ev))
				conn_open(w, c);
		}
	} else if (!on && !d->offline) {
		/* Logging off closes the idle connections now and the busy ones
		 * when their answer comes. */
		d->offline = 1;
		for (uint32_t j = 0; j < d->nconns; j++) {
			struct conn *c = &d->conns[j];
			c->offline = 1;
			if (c->state == CONN_BUSY)
				continue;
			sim_cancel(eng, &c->ev);
			if (c->state != CONN_DOWN)
				conn_close(w, c);
		}
	}
	sim_time_t next = profile_crossing(p, level, now);
	if (next != SIM_TIME_NEVER)
		world_schedule(w, ev, next - now);
}

/* n zeroed objects of size bytes (a multiple of 64), starting on a cache
 * line, so that each object fills its own lines. */
static void *line_alloc(uint64_t n, size_t size)
{
	if (n == 0 || n > SIZE_MAX / size)
		return NULL;
	size_t bytes = (size_t)n * size;
	void *p = aligned_alloc(64, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

static int init_devices(struct world *w, struct pop_state *ps, uint32_t pi, uint32_t rep)
{
	const struct scn_population *cfg = ps->cfg;
	char name[SCN_NAME_MAX + 32];
	snprintf(name, sizeof name, "devices/%s", cfg->name);
	ps->base = rng_stream_seed(w->scn->seed, rep, name);
	for (uint32_t k = 0; k < WL_COUNT; k++)
		if (cfg->clients & (1u << k))
			ps->kinds[ps->nkinds++] = k;
	ps->ndevices = cfg->users * ps->nkinds;
	uint64_t nconns = 0;
	for (uint32_t k = 0; k < ps->nkinds; k++)
		nconns += cfg->users * w->scn->clients[ps->kinds[k]].connections;
	ps->devices = line_alloc(ps->ndevices, sizeof *ps->devices);
	ps->conns = line_alloc(nconns, sizeof *ps->conns);
	ps->links = calloc(nconns, sizeof *ps->links);
	if (cfg->nprofile)
		ps->presence = calloc(ps->ndevices, sizeof *ps->presence);
	if (!ps->devices || (nconns && (!ps->conns || !ps->links)) ||
	    (cfg->nprofile && !ps->presence))
		return -1;
	struct conn *next = ps->conns;
	for (uint64_t i = 0; i < ps->ndevices; i++) {
		struct device *d = &ps->devices[i];
		d->id = (uint32_t)i;
		d->user = (uint32_t)(i / ps->nkinds);
		d->pop = (uint16_t)pi;
		d->workload = (uint8_t)ps->kinds[i % ps->nkinds];
		d->home = -1;
		d->tls13 = draw_u01(w, d, 0, DRAW_TLS13, 0) < cfg->tls13;
		/* A user's devices share the user's address where the source
		 * model gives one per device: the user's phone and desktop
		 * behind the same NAT look alike. */
		source_bind(&ps->source, &d->src, d->user, 0);
		const struct client_cfg *cc = &w->scn->clients[d->workload];
		d->conns = next;
		next += cc->connections;
		d->nconns = cc->connections;
		sim_time_t logon = cfg->logon ? (sim_time_t)(draw_u01(w, d, 0, DRAW_PHASE, 1) *
							     (double)cfg->logon) : 0;
		if (cfg->nprofile) {
			double level = presence_level(w, d);
			d->offline = !(profile_share(cfg, 0) > level);
			struct sim_event *presence = &ps->presence[i];
			sim_event_init(presence, on_presence, d, EV_PRESENCE);
			sim_time_t change = profile_crossing(cfg, level, 0);
			if (change != SIM_TIME_NEVER && sim_schedule(&w->eng, presence, change) != 0)
				return -1;
		}
		for (uint32_t j = 0; j < cc->connections; j++) {
			struct conn *c = &d->conns[j];
			c->dev = d;
			c->pop = pi & 63u;
			c->index = j & 63u;
			c->offline = d->offline;
			c->lb = (struct bal_conn){.server = -1, .pool = -1};
			c->state = CONN_DOWN;
			sim_event_init(&c->ev, on_conn_timer, c, EV_CONN);
			if (d->offline)
				continue; /* its user is not logged on yet */
			/* Already logged on (logon 0): each connection is found
			 * at a random point of its request cycle, so the run
			 * starts in steady state rather than with a burst. */
			sim_time_t at = logon;
			if (!cfg->logon)
				at = (sim_time_t)(draw_u01(w, d, j, DRAW_PHASE, 0) *
						  (double)(cc->think + cc->hold));
			if (sim_schedule(&w->eng, &c->ev, at) != 0)
				return -1;
		}
	}
	return 0;
}

int world_clients_init(struct world *w, uint32_t rep)
{
	const struct scenario *scn = w->scn;
	w->pops = calloc(scn->npopulations, sizeof *w->pops);
	if (!w->pops)
		return -1;
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		struct pop_state *ps = &w->pops[i];
		const struct scn_population *cfg = &scn->populations[i];
		ps->cfg = cfg;
		struct rng src;
		pop_stream(w, &src, rep, "source", cfg->name);
		if (source_pool_init(&ps->source, (enum source_kind)cfg->source, i, cfg->addresses,
				     cfg->port_budget, cfg->churn,
				     cfg->source == SCN_SOURCE_CGNAT ? &src : NULL) != 0)
			return -1;
		ps->source_ready = 1;
		if (cfg->request_rate > 0) {
			/* A user is its address (unique) or picks one (nat);
			 * a carrier NAT draws addresses of its own. */
			int users_matter = cfg->source == SCN_SOURCE_NAT ||
					   (cfg->source == SCN_SOURCE_UNIQUE && design_reads_source(w->design));
			if (population_init(&ps->open, i, cfg, scn->servers.service_mean, scn->seed, rep,
					    users_matter, on_open_request, w) != 0)
				return -1;
			ps->open_ready = 1;
			if (population_start(&w->eng, &ps->open) != 0)
				return -1;
		} else if (init_devices(w, ps, i, rep) != 0) {
			return -1;
		}
	}
	return 0;
}

void world_clients_free(struct world *w)
{
	for (uint32_t i = 0; w->pops && i < w->scn->npopulations; i++) {
		struct pop_state *ps = &w->pops[i];
		if (ps->open_ready)
			population_free(&ps->open);
		if (ps->source_ready)
			source_pool_free(&ps->source);
		free(ps->devices);
		free(ps->presence);
		free(ps->conns);
		free(ps->links);
	}
	free(w->pops);
	w->pops = NULL;
}
