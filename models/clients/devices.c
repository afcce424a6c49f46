/* Client devices and their connections: the closed-loop traffic the
 * balancer sees.
 *
 * Every user of a population runs one device per client kind (workload) it
 * uses, or, with a device mix (client_cfg.share below 1), those its own
 * draw gives it; every device keeps `connections` connections. A request
 * connection cycles: send a request, wait for the response, think, send
 * again. A poll connection (the first `polls` of a device's) cycles
 * without pause: a long poll that the server holds until a change or the
 * heartbeat (`hold`), then, after a change, the sync that fetches it, then
 * the next poll (ActiveSync's Ping and Sync, MAPI/HTTP's NotificationWait
 * and Execute). After its lifetime the client closes a connection at its
 * next request and opens a new one (new source port, perhaps a new NAT
 * address, a resumed or a full TLS handshake).
 *
 * A failed request is retried after a back-off, on the same connection
 * (on-error: retry, the default of HTTP clients: the connection stays open
 * whatever the status, so over layer 4 the retry meets the same server) or
 * on a new one (on-error: reconnect, or reconnect-after failures in a
 * row). A connection cut because its server failed reconnects after a
 * back-off, which is how a reconnect storm forms.
 *
 * Common random numbers: every draw of a device (think time, demand,
 * lifetime, start phase, TLS 1.3 or not, the kinds a user runs, when a
 * change ends a poll) is a pure function of the device, the connection
 * and the connection's request number (rng_hash_u01), so request k of a
 * connection is the same in every design.
 *
 * Memory: one struct device (64 bytes, one cache line) and its home (2
 * bytes, apart: a request reads it and nothing else of the device) per
 * user and kind the population lists (a kind the user does not run keeps
 * its slot, with no connection, so that a device's kind follows from its
 * place), one struct conn (one 64-byte cache line, see clients_internal.h)
 * and one struct conn_link (32 bytes: three pointers and an index, padded)
 * per connection, allocated once per run; requests come from the world's
 * slab pool. Complexity: O(1) per request and per connection event.
 */
#include "clients_internal.h"
#include "lbsim/event_kind.h"
#include "lbsim/huge_pages.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* The number of c's device in its population (ps), without reading the
 * device (a cache miss at scale): its id is its place in the array. */
static uint32_t conn_device(const struct pop_state *ps, const struct conn *c)
{
	uint32_t device = (uint32_t)(c->dev - ps->devices);
	assert(device == c->dev->id);
	return device;
}

/* The key of c's draws of kind what, the same as device_key for c's
 * device. */
static uint64_t conn_key(const struct clients *cl, const struct conn *c, enum draw what)
{
	return draw_key(c->pop, conn_device(&cl->pops[c->pop], c), c->index, what);
}

/* An exponential draw of c's with the given mean (0: always 0). */
static sim_time_t conn_exp(const struct clients *cl, const struct conn *c, enum draw what,
			   uint64_t k, sim_time_t mean)
{
	if (mean == 0)
		return 0;
	double e = rng_hash_exp(cl->pops[c->pop].base, conn_key(cl, c, what), k);
	return seconds_ns(e * (double)mean / (double)SIM_NS_PER_S);
}

/* CPU demand of one request from its draw's 64 bits: exponential (cv 1,
 * the ziggurat), constant (cv 0), or gamma with shape 1/cv^2 (GSL's
 * quantile of the uniform, to keep the draw a pure function of the bits). */
sim_time_t demand_of(const struct server_workload_cfg *cfg, uint64_t bits)
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

static struct conn_link *conn_link(const struct clients *cl, const struct conn *c)
{
	struct pop_state *ps = &cl->pops[c->pop];
	return &ps->links[c - ps->conns];
}

static void link_conn(struct clients *cl, struct conn *c)
{
	uint32_t s = (uint32_t)bal_conn_server(&c->lb);
	struct conn_link *l = conn_link(cl, c);
	l->conn = c;
	l->prev = NULL;
	l->next = cl->server_conns[s];
	if (l->next)
		l->next->prev = l;
	cl->server_conns[s] = l;
	c->linked = 1;
	cl->env.bound(cl->env.owner, s, 1);
}

static void unlink_conn(struct clients *cl, struct conn *c)
{
	if (!c->linked)
		return;
	struct conn_link *l = conn_link(cl, c);
	uint32_t s = (uint32_t)bal_conn_server(&c->lb);
	if (l->prev)
		l->prev->next = l->next;
	else
		cl->server_conns[s] = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->prev = l->next = NULL;
	c->linked = 0;
	cl->env.bound(cl->env.owner, s, -1);
}

/* What the balancer sees of a request of device d on connection c: a
 * layer-4 design reads only the addresses, ports and the ClientHello's
 * session id; the layer-7 fields are filled for l7 to read. */
struct seen {
	struct lb_request req;
	struct lb_addr addr;        /* an IPv6 client's whole address */
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

/* The request of connection c, whose device is number device of its
 * population, runs workload wl and offers TLS session tls_id. */
static void fill_seen(const struct clients *cl, struct seen *s, const struct conn *c,
		      uint32_t device, enum workload wl, uint64_t tls_id)
{
	fill_seen_of(s, c, c->pop, device, wl, tls_id);
	/* The connection keeps 32 bits of its address (the fold, for an IPv6
	 * one); hashing wants an IPv6 address whole. */
	const struct source_pool *sp = &cl->pops[c->pop].source;
	if (sp->has_v6) {
		source_address_of(sp, conn_link(cl, c)->addr_index, &s->addr);
		if (s->addr.family == LB_AF_INET6)
			s->req.src_addr = &s->addr;
	}
}

static void send_request(struct clients *cl, struct conn *c, uint32_t setup_rtts);

void conn_close(struct clients *cl, struct conn *c)
{
	struct pop_state *ps = &cl->pops[c->pop];
	unlink_conn(cl, c);
	balancer_conn_close(cl->env.bal, &c->lb, sim_now(cl->env.eng));
	source_close(&ps->source, conn_link(cl, c)->addr_index);
	c->state = CONN_DOWN;
}

/* The workload of device number device of ps, from its place in its
 * population (as devices_alloc lays devices out), not from the device: an
 * answer to a connection reads only the connection, and at scale the
 * device is a cache miss. */
static enum workload device_workload(const struct pop_state *ps, uint32_t device)
{
	return (enum workload)ps->kinds[device_place(ps, device)];
}

static enum workload conn_workload(const struct clients *cl, const struct conn *c)
{
	const struct pop_state *ps = &cl->pops[c->pop];
	enum workload wl = device_workload(ps, conn_device(ps, c));
	assert(wl == c->dev->workload);
	return wl;
}

static const struct client_cfg *conn_client(const struct clients *cl, const struct conn *c)
{
	return pop_client(cl, c->pop, conn_workload(cl, c));
}

/* c tries again after a back-off (from `after` on: the time its answer
 * still travels): its mean doubles with each failure in a row
 * (c->errors), up to backoff_max. */
static void back_off_after(struct clients *cl, struct conn *c, sim_time_t after)
{
	const struct client_cfg *cc = conn_client(cl, c);
	sim_time_t mean = cc->backoff;
	if (cc->backoff_max > mean && c->errors > 1) {
		double grown = (double)mean * ldexp(1.0, c->errors > 41 ? 40 : (int)c->errors - 1);
		mean = grown < (double)cc->backoff_max ? (sim_time_t)grown : cc->backoff_max;
	}
	clients_schedule(cl, &c->ev, after + conn_exp(cl, c, DRAW_BACKOFF, c->seq++, mean));
}

static void back_off(struct clients *cl, struct conn *c)
{
	back_off_after(cl, c, 0);
}

/* A request of c failed: the client backs off, then tries again as its
 * kind reacts to errors: on the same connection (retry: over layer 4 the
 * same server, which may well fail it again), or on a new one (reconnect,
 * or at every reconnect_after failures in a row), which a layer-4
 * balancer balances anew. Over layer 7 either way reaches the balancer,
 * which balances every request. The failures in a row count across
 * reconnections, until a request succeeds. */
static void request_failed(struct clients *cl, struct conn *c, sim_time_t after)
{
	const struct client_cfg *cc = conn_client(cl, c);
	c->errors++;
	if (cc->on_error == CLIENT_RECONNECT ||
	    (cc->reconnect_after && c->errors % cc->reconnect_after == 0))
		conn_close(cl, c);
	else
		c->state = CONN_IDLE;
	back_off_after(cl, c, after);
}

/* Open connection c now and send its first request: a poll, or (next is
 * CONN_SYNC) the sync its last poll asked for before the connection
 * expired. */
static void open_and_send(struct clients *cl, struct conn *c, enum conn_state next)
{
	struct device *d = c->dev;
	struct pop_state *ps = &cl->pops[d->pop];
	const struct client_cfg *cc = conn_client(cl, c);
	struct client_ledger *ledger = cl->env.ledger;
	sim_time_t now = sim_now(cl->env.eng);
	uint32_t ci = c->index;
	struct conn_link *link = conn_link(cl, c);
	if (source_open(&ps->source, &d->src, now, &c->src_addr, &c->src_port,
			&link->addr_index) != 0) {
		ledger->nat_refused++;
		c->state = CONN_DOWN;
		c->errors++; /* a failed attempt: the back-off grows */
		back_off(cl, c);
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
	fill_seen(cl, &s, c, d->id, (enum workload)d->workload, d->tls_id);
	int32_t home = ps->homes[d->id];
	struct bal_hello hello = {.seen = &s.req, .workload = (enum workload)d->workload,
				  .tls = d->tls13 ? BAL_TLS_13 : BAL_TLS_12, .resumable = (uint8_t)live,
				  .session_home = home >= 0 ? (uint32_t)home + 1 : 0};
	/* Layer 4 routes the connection itself: no server, or one that is
	 * down (the balancer has not noticed yet), and the client's connect
	 * fails; it tries a new connection after its back-off. */
	int open = balancer_conn_open(cl->env.bal, &c->lb, &hello, now) == 0;
	if (open && !balancer_routes_per_request(cl->env.bal) &&
	    !cl->env.reachable(cl->env.owner, (uint32_t)bal_conn_server(&c->lb))) {
		balancer_conn_close(cl->env.bal, &c->lb, now);
		open = 0;
	}
	if (!open) {
		ledger->connect_failed++;
		source_close(&ps->source, link->addr_index);
		c->state = CONN_DOWN;
		c->errors++;
		back_off(cl, c);
		return;
	}
	/* The session resumes where it is kept: at a layer-7 balancer, which
	 * terminates every connection, or (layer 4) at the server the device
	 * last reached, whose own cache holds it; another server knows
	 * nothing of it and makes a full handshake. */
	int resumed = live && !d->tls13;
	if (!balancer_routes_per_request(cl->env.bal)) {
		resumed = resumed && home == bal_conn_server(&c->lb);
		link_conn(cl, c);
		cl->env.opened(cl->env.owner, (uint32_t)bal_conn_server(&c->lb));
	}
	ledger->conns_opened++;
	c->ends_at = now + conn_exp(cl, c, DRAW_LIFE, c->seq, cc->lifetime);
	c->state = next;
	send_request(cl, c, network_setup_round_trips(d->tls13 ? 13 : 12, resumed));
}

void conn_open(struct clients *cl, struct conn *c)
{
	open_and_send(cl, c, CONN_IDLE);
}

/* The Exp(1) draw of the jitter of c's request k (none without jitter). */
static double pop_client_jitter(const struct clients *cl, const struct conn *c, uint64_t k)
{
	if (!cl->pops[c->pop].cfg->net.jitter)
		return 0;
	return rng_hash_exp(cl->pops[c->pop].base, conn_key(cl, c, DRAW_NETWORK), k);
}

/* How long the server holds a poll: until the next change the client is
 * told of (exponential, mean `changes`), at most the heartbeat. */
static sim_time_t poll_hold(const struct clients *cl, const struct conn *c, uint64_t k,
			    const struct client_cfg *cc)
{
	if (!cc->changes)
		return cc->hold;
	sim_time_t change = conn_exp(cl, c, DRAW_CHANGE, k, cc->changes);
	return change < cc->hold ? change : cc->hold;
}

/* Send c's next request now; setup_rtts: the round trips of the
 * handshakes it waits for first (the first request of a new connection),
 * else 0. */
static void send_request(struct clients *cl, struct conn *c, uint32_t setup_rtts)
{
	/* Everything here comes from the connection and its device's number,
	 * not the device (at scale its line is one miss more per request),
	 * but for the TLS session id where the design reads one
	 * (requests_carry_tls_id: ssl-session-id persistence). */
	struct pop_state *ps = &cl->pops[c->pop];
	uint32_t pop = c->pop;
	uint32_t device = conn_device(ps, c);
	enum workload wl = device_workload(ps, device);
	uint32_t ci = c->index;
	const struct scenario *scn = cl->env.scn;
	struct client_ledger *ledger = cl->env.ledger;
	sim_time_t now = sim_now(cl->env.eng);
	struct request *req = request_get(cl->env.requests);
	if (!req) {
		cl->out_of_memory = 1;
		sim_stop(cl->env.eng);
		return;
	}
	const struct client_cfg *cc = pop_client(cl, pop, wl);
	uint64_t k = c->seq++;
	req->conn = c;
	req->sent = req->arrived = now;
	req->setup_rtts = (uint8_t)setup_rtts;
	req->answer_delay = 0;
	req->rtt = pop_round_trip(cl, pop, pop_client_jitter(cl, c, k));
	req->demand = demand_of(&scn->servers.workloads[wl],
				rng_hash64(ps->base, draw_key(pop, device, ci, DRAW_DEMAND), k));
	/* A poll connection's request is a poll, held, unless it is the
	 * sync that follows a change. */
	req->hold = ci < cc->polls && c->state != CONN_SYNC ? poll_hold(cl, c, k, cc) : 0;
	req->population = pop;
	req->user = device_user(ps, device); /* as devices_alloc numbers them */
	req->workload = wl;
	req->measured = (uint8_t)measuring(cl);
	req->steady = (uint8_t)steady_at(cl->env.steady, now);
	req->misrouted = 0;
	req->session = 0;
	struct wl_counts *cnt = &ledger->wl[wl];
	cnt->sent++;
	ledger->pop_sent[pop]++;
	ledger->pop_hash[pop] +=
		rng_mix64(draw_key(pop, device, ci, 0) ^ rng_mix64(k ^ rng_mix64(req->demand)));
	cnt->measured_sent += req->measured;
	c->state = CONN_BUSY;
	req->conn_seq = (uint32_t)c->seq;

	/* Only a layer-7 balancer reads the request itself. */
	struct seen s;
	const struct lb_request *seen = NULL;
	if (balancer_routes_per_request(cl->env.bal)) {
		fill_seen(cl, &s, c, device, wl, cl->requests_carry_tls_id ? c->dev->tls_id : 0);
		seen = &s.req;
	}
	int32_t server = balancer_request(cl->env.bal, &c->lb, seen, cc->request_bytes, req->rtt,
					  now);
	if (server == BAL_WAIT) {
		/* Every server that could take it is at maxconn: it waits at
		 * the balancer, and its server is known only when a slot
		 * frees (so no home server is judged for it). */
		req->server = REQ_SERVER_WAITING;
		cl->env.dispatch(cl->env.owner, req);
		return;
	}
	if (server < 0) {
		client_ledger_failed(ledger, req);
		request_put(cl->env.requests, req);
		request_failed(cl, c, 0);
		return;
	}
	req->server = (uint32_t)server;
	/* A device whose request lands on another server than its last one
	 * has moved; where the backend needs affinity (Exchange 2010: the
	 * session lives on one server) that costs a re-authentication. */
	int16_t *home = &ps->homes[device];
	if (*home >= 0 && *home != server) {
		ledger->server_changes++;
		if (scn->servers.affinity_required) {
			ledger->affinity_breaks++;
			req->demand += scn->servers.affinity_penalty;
		}
	}
	*home = (int16_t)server;
	cl->env.dispatch(cl->env.owner, req);
}

static void on_conn_timer(struct sim_engine *eng, struct sim_event *ev)
{
	struct conn *c = conn_of(ev);
	struct clients *cl = ((struct pop_state *)ev->ctx)->clients;
	if (c->offline) {
		if (c->state != CONN_DOWN)
			conn_close(cl, c);
		return;
	}
	if (c->state == CONN_DOWN) {
		conn_open(cl, c);
	} else if (sim_now(eng) >= c->ends_at) {
		enum conn_state next = c->state == CONN_SYNC ? CONN_SYNC : CONN_IDLE;
		conn_close(cl, c);
		open_and_send(cl, c, next);
	} else {
		send_request(cl, c, 0);
	}
}

/* Is req its connection's request in flight? Not when the connection was
 * cut while req waited for the balancer and has moved on since: the
 * connection's draw counter then differs from the one req was sent with. */
static int current(const struct request *req)
{
	const struct conn *c = req->conn;
	return c->state == CONN_BUSY && (uint32_t)c->seq == req->conn_seq;
}

struct bal_conn *clients_request_conn(struct request *req, struct bal_conn *blank)
{
	if (!req->conn)
		return &req->lb;
	if (current(req))
		return &req->conn->lb;
	*blank = (struct bal_conn){.server = -1, .pool = -1};
	return blank;
}

void device_answered(struct clients *cl, struct request *req, int ok)
{
	struct conn *c = req->conn;
	if (!current(req))
		return; /* stale: its connection has moved on */
	if (c->offline) {
		conn_close(cl, c); /* its user logged off while it waited */
	} else if (ok) {
		c->errors = 0;
		/* The request's workload is its connection's (send_request
		 * took it from there): conn_client would find it again
		 * through a division by the population's kinds. */
		assert(req->workload == conn_workload(cl, c));
		const struct client_cfg *cc = pop_client(cl, c->pop, (enum workload)req->workload);
		if (c->index < cc->polls) {
			/* A poll that a change ended is followed by its sync;
			 * the sync, or a poll the heartbeat ended, by the next
			 * poll: each at once. */
			int changed = req->hold && req->hold < cc->hold;
			c->state = changed ? CONN_SYNC : CONN_IDLE;
			clients_schedule(cl, &c->ev, req->answer_delay);
		} else {
			c->state = CONN_IDLE;
			clients_schedule(cl, &c->ev, req->answer_delay +
							     conn_exp(cl, c, DRAW_THINK, c->seq, cc->think));
		}
	} else {
		request_failed(cl, c, req->answer_delay);
	}
}

void clients_cut_server(struct clients *cl, uint32_t s)
{
	struct conn_link *l;
	while ((l = cl->server_conns[s])) {
		struct conn *c = l->conn;
		sim_cancel(cl->env.eng, &c->ev);
		conn_close(cl, c);
		back_off(cl, c);
	}
}

/* Where the balancer will look c's next request up (what the connection
 * alone tells: the device's number and workload follow from its place in
 * its population; the TLS session id would need the device, so
 * ssl-session-id persistence gets no hint). */
static void route_hint(const struct clients *cl, const struct conn *c, struct lb_pers_hint *out)
{
	const struct pop_state *ps = &cl->pops[c->pop];
	uint32_t device = conn_device(ps, c);
	struct seen s;
	fill_seen_of(&s, c, c->pop, device, device_workload(ps, device), 0);
	balancer_hint(cl->env.bal, &c->lb, &s.req, out);
}

_Static_assert(CLIENTS_ROUTE_HINTS > SIM_LOOKAHEAD_FAR,
	       "the route hints must outlive the stage 0 calls between an event's two stages");

/* A layer-7 request with persistence reads a table slot that is a cache
 * miss at scale: announce it, only when c's timer will send a request.
 * The hint worked out at stage 0 is kept for stage 1: building the
 * request's cookie, choosing its pool and hashing its key again cost as
 * much as the rest of a layer-7 look-ahead (issue 19 item 5). */
static void prefetch_route(struct clients *cl, const struct conn *c, unsigned stage)
{
	if ((c->state != CONN_IDLE && c->state != CONN_SYNC) || c->offline)
		return;
	struct lb_pers_hint hint;
	const struct lb_pers_hint *h = NULL;
	if (stage == 0) {
		struct clients_route_hint *kept =
			&cl->route_hints[cl->route_hint_next++ % CLIENTS_ROUTE_HINTS];
		kept->conn = c;
		route_hint(cl, c, &kept->hint);
		h = &kept->hint;
	} else {
		for (uint32_t k = 1; k <= CLIENTS_ROUTE_HINTS && !h; k++) { /* newest first */
			struct clients_route_hint *kept =
				&cl->route_hints[(cl->route_hint_next - k) % CLIENTS_ROUTE_HINTS];
			if (kept->conn == c)
				h = &kept->hint;
		}
		if (!h) {
			route_hint(cl, c, &hint);
			h = &hint;
		}
	}
	lb_pers_hint_prefetch(h, stage);
}

/* Only a layer-7 route with persistence reads what hangs off a line
 * fetched at stage 0 (the entry behind its index slot). */
int clients_lookahead_near(const struct clients *cl)
{
	return balancer_routes_per_request(cl->env.bal) && cl->env.design->persist;
}

void clients_lookahead(struct clients *cl, const struct sim_event *ev, sim_time_t at,
		       unsigned stage)
{
#if defined(__GNUC__) || defined(__clang__)
	if (ev->kind != EV_CONN)
		return;
	/* on_conn_timer reads the connection (the engine prefetched it);
	 * to send, its device's home (at stage 0, the earlier), and to open
	 * (after closing, when its lifetime is over), the device itself and
	 * the connection's link (its NAT address and its place on its
	 * server's list: reading it when closing was 2 % of a 100,000-user
	 * layer-4 run); the layer-7 route reads a persistence slot, then the
	 * entry it names (one stage each: the second needs the first in
	 * cache). */
	const struct conn *c = conn_of(ev);
	if (stage == 0) {
		const struct pop_state *ps = &cl->pops[c->pop];
		int opens = c->state == CONN_DOWN || at >= c->ends_at;
		if (opens)
			__builtin_prefetch(&ps->links[c - ps->conns]);
		if (opens || cl->requests_carry_tls_id)
			__builtin_prefetch(c->dev);
		__builtin_prefetch(&ps->homes[c->dev - ps->devices]);
	}
	if (clients_lookahead_near(cl))
		prefetch_route(cl, c, stage);
#else
	(void)cl;
	(void)ev;
	(void)at;
	(void)stage;
#endif
}

/* The connections of device i of population pi: its kind's, when its user
 * runs that kind (the device mix: a draw of the user's per kind, below the
 * kind's share), else none. */
static uint32_t device_conns(const struct pop_state *ps, uint32_t pi, uint64_t i)
{
	enum workload w = (enum workload)ps->kinds[i % ps->nkinds];
	const struct client_cfg *cc = &ps->cfg->client[w];
	if (cc->share < 1 &&
	    !(rng_hash_u01(ps->base, draw_key(pi, (uint32_t)(i / ps->nkinds), w, DRAW_MIX), 0) <
	      cc->share))
		return 0;
	return cc->connections;
}

int devices_alloc(struct clients *cl, struct pop_state *ps, uint32_t pi, uint32_t rep)
{
	const struct scn_population *cfg = ps->cfg;
	const struct scenario *scn = cl->env.scn;
	char name[SCN_NAME_MAX + 32];
	snprintf(name, sizeof name, "devices/%s", cfg->name);
	ps->base = rng_stream_seed(scn->seed, rep, name);
	for (uint32_t k = 0; k < WL_COUNT; k++)
		if (cfg->clients & (1u << k))
			ps->kinds[ps->nkinds++] = k;
	ps->kinds_recip = ps->nkinds ? ((1ull << 32) + ps->nkinds - 1) / ps->nkinds : 0;
	ps->ndevices = cfg->users * ps->nkinds;
	uint64_t nconns = 0;
	for (uint64_t i = 0; i < ps->ndevices; i++)
		nconns += device_conns(ps, pi, i);
	ps->devices = huge_calloc(ps->ndevices, sizeof *ps->devices);
	ps->homes = huge_calloc(ps->ndevices, sizeof *ps->homes);
	ps->conns = huge_calloc(nconns, sizeof *ps->conns);
	ps->links = huge_calloc(nconns, sizeof *ps->links);
	if (cfg->nprofile)
		ps->presence = calloc(ps->ndevices, sizeof *ps->presence);
	if (!ps->devices || !ps->homes || (nconns && (!ps->conns || !ps->links)) ||
	    (cfg->nprofile && !ps->presence))
		return -1;
	struct conn *next = ps->conns;
	for (uint64_t i = 0; i < ps->ndevices; i++) {
		struct device *d = &ps->devices[i];
		d->id = (uint32_t)i;
		d->user = (uint32_t)(i / ps->nkinds);
		d->pop = (uint16_t)pi;
		d->workload = (uint8_t)ps->kinds[i % ps->nkinds];
		ps->homes[i] = -1;
		d->tls13 = draw_u01(cl, d, 0, DRAW_TLS13, 0) < cfg->tls13;
		/* A user's devices share the user's address unless the
		 * population says each has its own (address-per: device). */
		source_bind(&ps->source, &d->src, d->user,
			    ps->source.per_user > 1 ? (uint32_t)(i % ps->nkinds) : 0, 0);
		d->conns = next;
		d->nconns = device_conns(ps, pi, i);
		next += d->nconns;
	}
	return 0;
}

/* The mean time a poll is held: E[min(hold, Exp(changes))]. */
static double mean_poll(const struct client_cfg *cc)
{
	double hold = (double)cc->hold, changes = (double)cc->changes;
	return cc->changes ? changes * -expm1(-hold / changes) : hold;
}

int device_start(struct clients *cl, struct pop_state *ps, struct device *d)
{
	const struct scn_population *cfg = ps->cfg;
	const struct client_cfg *cc = &cfg->client[d->workload];
	sim_time_t logon = cfg->logon ? (sim_time_t)(draw_u01(cl, d, 0, DRAW_PHASE, 1) *
						     (double)cfg->logon) : 0;
	for (uint32_t j = 0; j < d->nconns; j++) {
		struct conn *c = &d->conns[j];
		c->dev = d;
		c->pop = d->pop & 63u;
		c->index = j & 63u;
		c->offline = d->offline;
		c->lb = (struct bal_conn){.server = -1, .pool = -1};
		c->state = CONN_DOWN;
		sim_event_init(&c->ev, on_conn_timer, ps, EV_CONN);
		if (d->offline)
			continue; /* its user is not logged on yet */
		/* Already logged on (logon 0): each connection starts at a
		 * random point of its mean cycle, so the run starts with
		 * requests at their steady rate rather than with a burst. */
		sim_time_t at = logon;
		if (!cfg->logon)
			at = (sim_time_t)(draw_u01(cl, d, j, DRAW_PHASE, 0) *
					  (j < cc->polls ? mean_poll(cc) : (double)cc->think));
		if (sim_schedule(cl->env.eng, &c->ev, at) != 0)
			return -1;
	}
	return 0;
}
