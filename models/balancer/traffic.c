/* Connections and requests through the balancer: the routing decisions and
 * the operations each event costs; see include/lbsim/balancer.h.
 *
 * What a design does for each event, and so what it is charged, by how it
 * is built (struct scn_design.impl; README "Balancer implementations"):
 *
 *   event       kernel-nat / kernel-dr      proxy (layer 4)        proxy (layer 7, TLS terminated)
 *   open        route; a flow; the          route; accept the      accept; the client's TLS
 *               handshake's and close's     client, connect to     handshake: full (by certificate
 *               packets: 7 through a NAT    the server; relay the  key) or resumed (TLS 1.2 or
 *               box, the client's 4 for DR; TLS handshake's        1.3 PSK)
 *               the TLS handshake's         flights (messages
 *               flights' packets (DR: the   and bytes)
 *               client's, and its ACKs)
 *   request     its packets                 relay it: a message    parse and route it; relay and
 *                                           and its bytes          decrypt it (its records and
 *                                                                  bytes); a connection to the
 *                                                                  server (below); encrypt again
 *                                                                  when re-encrypting
 *   response    NAT: its packets; DR: the   relay it likewise      relay and encrypt it (decrypt
 *               client's ACKs (one every                           first when re-encrypting)
 *               second segment)
 *   close       the flow's entry lingers    nothing more           http-reuse never: its own
 *                                                                  backend connection closes
 *
 * Connections to the servers (layer 7): http-reuse `never` keeps one per
 * client connection, reused while the next request goes to the same
 * server and replaced when it does not; `safe` (HAProxy's default) sends
 * a client connection's first request over a new connection and later
 * ones over any idle connection to the chosen server; `always` lets every
 * request take an idle one. A connection becomes idle when its response
 * has passed (models/balancer/backends.c keeps them). Each new connection
 * costs a connect and, when re-encrypting, a TLS handshake as a client:
 * full the first time to a server, resumed after (HAProxy keeps the
 * server's session unless no-ssl-reuse).
 *
 * Arrivals (BAL_ARRIVE): every message that reaches a proxy, finding
 * its thread busy or waking it (ledger.c counts the wake-ups): at a
 * layer-4 proxy every message it relays (the handshake's flights, the
 * requests, the answers), at a layer-7 proxy the client's handshake
 * flights, a request, an answer, a re-encrypted server's handshake
 * flights. The TCP events around them (a connection accepted, a connect
 * completed, a FIN) are not counted: each comes with or just before a
 * message (the client's first flight follows its handshake's ACK at
 * once), and a health check's probe is one (its answer; ledger.c). A
 * kernel forwarder has none.
 *
 * A persistence lookup is charged when the core searched a table
 * (struct lb_route.looked_up), so a request that carries no key (no TLS
 * session id for ssl-session-id) costs none.
 *
 * The state of a connection lives in the caller's struct bal_conn (8 bytes):
 * where it is sent, and whether it is open and has data in flight. The
 * balancer keeps only the counts (conns_open, conns_active) and the
 * backend pools. Every event is O(1) beyond the core's routing.
 */
#include "balancer_internal.h"
#include "lbsim/network.h"
#include "lbsim/tls_flights.h"

#include <assert.h>

/* TCP packets of a connection's handshake and close through a NAT
 * forwarder (SYN, SYN-ACK, ACK; FIN, ACK, FIN, ACK), and those a
 * direct-return forwarder sees, the client's only (SYN, ACK, FIN, ACK). */
enum { PACKETS_NAT_CONN = 7, PACKETS_DR_CONN = 4 };

static struct lb_pool *pool_of(struct balancer *b, const struct bal_conn *c)
{
	return lb_vs_pool(&b->vs[c->vs], (uint32_t)c->pool);
}

/* Route seen through c's virtual service; on success c is sent to the
 * chosen server, which counts one more connection in its pool (leastconn
 * and maxconn read it). Returns 0, -1 (no usable server) or BAL_WAIT
 * (servers at maxconn: c's pool, and its server when one was named, are
 * set for balancer_wait). */
static int route(struct balancer *b, struct bal_conn *c, const struct lb_request *seen,
		 uint64_t now_ns, int *looked_up)
{
	struct lb_route r;
	int rc = lb_vs_route(&b->vs[c->vs], seen, now_ns, &r);
	*looked_up = r.looked_up;
	if (rc != 0 && r.reason == LB_ROUTE_FULL) {
		c->server = r.server;
		c->pool = (int16_t)r.pool;
		return BAL_WAIT;
	}
	if (rc != 0)
		return -1;
	c->server = r.server;
	c->pool = (int16_t)r.pool;
	b->stats.redispatched += (uint64_t)r.redispatched;
	lb_conn_open(pool_of(b, c), (uint32_t)r.server);
	return 0;
}

/* Release c's server in its pool; on layer 7 the slot goes to the oldest
 * request waiting for it (queue.c). */
static void unroute(struct balancer *b, struct bal_conn *c)
{
	if (c->server < 0 || (c->flags & BAL_CONN_WAITING))
		return;
	uint32_t server = (uint32_t)c->server;
	lb_conn_close(pool_of(b, c), server);
	c->server = -1;
	if (b->per_request)
		bal_queue_slot_freed(b, c->pool, server);
}

/* Packets of a message of bytes through a kernel forwarder, either way. */
static uint64_t kernel_packets(const struct balancer *b, uint64_t bytes, int inbound)
{
	uint64_t packets = cost_packets(b->ledger.price, bytes);
	/* Direct return: the answer goes around the box; only the client's
	 * ACKs come through, one every second full segment (RFC 1122
	 * 4.2.3.2, RFC 5681 4.2). */
	if (!inbound && b->impl == COST_IMPL_KERNEL_DR)
		packets = (packets + 1) / 2;
	return packets;
}

/* A message of bytes through the balancer, either way, outside layer 7's
 * own work; packets: kernel_packets of it (read by a kernel forwarder
 * only). pass_handshake does the same for a handshake's flights, its
 * counts at once: a charge added here must be added there. */
static void forward_counted(struct balancer *b, uint64_t bytes, uint64_t packets)
{
	if (!b->kernel) {
		BAL_ARRIVE(b, 1);
		BAL_CHARGE(b, relay_messages, relay_message_ns, 1);
		BAL_CHARGE(b, relay_bytes, relay_byte_ns, bytes);
		return;
	}
	BAL_CHARGE(b, packets, packet_ns, packets);
}

/* kernel_packets through the memo of the last size seen that way: a
 * division per message was some 3 % of the peer benchmark (issue 19). */
static uint64_t kernel_packets_memo(struct balancer *b, uint64_t bytes, int inbound)
{
	struct bal_packets_memo *m = &b->packets_memo[inbound != 0];
	if (bytes != m->bytes) {
		m->bytes = bytes;
		m->packets = kernel_packets(b, bytes, inbound);
	}
	return m->packets;
}

static void forward(struct balancer *b, uint64_t bytes, int inbound)
{
	forward_counted(b, bytes, b->kernel ? kernel_packets_memo(b, bytes, inbound) : 0);
}

void bal_traffic_init(struct balancer *b)
{
	for (int inbound = 0; inbound < 2; inbound++)
		b->packets_memo[inbound] = (struct bal_packets_memo){
			.bytes = 0, .packets = b->kernel ? kernel_packets(b, 0, inbound) : 0};
	for (int tls13 = 0; tls13 < 2; tls13++)
		for (int resumed = 0; resumed < 2; resumed++) {
			struct bal_handshake *h = &b->handshakes[tls13][resumed];
			struct tls_flight flights[TLS_MAX_FLIGHTS];
			size_t n = tls_handshake_flights(tls13, resumed, b->cert, flights);
			*h = (struct bal_handshake){.n = (uint8_t)n};
			for (size_t i = 0; i < n; i++) {
				h->from[flights[i].from_client != 0]++;
				h->bytes[i] = flights[i].bytes;
				h->bytes_total += flights[i].bytes;
				if (b->kernel)
					h->packets[i] = kernel_packets(b, flights[i].bytes,
								       flights[i].from_client);
				h->packets_total += h->packets[i];
			}
		}
}

/* The client's TLS handshake passing a layer-4 design, which is no end
 * of it: each flight is a message (a proxy relays it with its bytes, a
 * kernel forwarder forwards its packets; lbsim/tls_flights.h), resumed
 * only where the server it reaches holds the session. The
 * servers' certificate is taken as the design's (rsa-2048 unless said). */
static void pass_handshake(struct balancer *b, const struct bal_hello *hello, int resumed)
{
	const struct bal_handshake *h = &b->handshakes[hello->tls == BAL_TLS_13][resumed != 0];
	const struct cost_params *p = b->ledger.price;
	if (h->n == 0)
		return;
	/* What forward_counted does flight by flight, its counts at once
	 * (integers: the same sums); the work is added flight by flight,
	 * in order, so that its sum has the same bits, and only where an
	 * operation has a price (a kernel forwarder priced 0 adds none). */
	b->ledger.charged = 1;
	if (b->kernel) {
		b->ledger.window.packets += h->packets_total;
		if (p->packet_ns != 0)
			for (size_t i = 0; i < h->n; i++)
				bal_pend(b, (double)h->packets[i], p->packet_ns);
		return;
	}
	BAL_ARRIVE(b, h->n);
	b->ledger.window.relay_messages += h->n;
	b->ledger.window.relay_bytes += h->bytes_total;
	if (p->relay_message_ns != 0 || p->relay_byte_ns != 0)
		for (size_t i = 0; i < h->n; i++) {
			bal_pend(b, 1, p->relay_message_ns);
			bal_pend(b, (double)h->bytes[i], p->relay_byte_ns);
		}
}

/* The flights of a handshake one side sends (from_client: the client's):
 * at a proxy that is an end of the handshake, each is an arrival. */
static uint64_t flights_from(const struct balancer *b, int tls13, int resumed, int from_client)
{
	return b->handshakes[tls13 != 0][resumed != 0].from[from_client];
}

int balancer_conn_open(struct balancer *b, struct bal_conn *c, const struct bal_hello *hello,
		       uint64_t now_ns)
{
	*c = (struct bal_conn){
		.server = -1,
		.pool = -1,
		.vs = (uint8_t)(b->kind == SCN_DESIGN_L4_MULTI ? hello->workload : 0),
	};
	int full = !hello->resumable;
	if (b->per_request) {
		/* The client's flights of its handshake arrive. */
		BAL_ARRIVE(b, flights_from(b, hello->tls == BAL_TLS_13, !full, 1));
		BAL_CHARGE(b, accepts, accept_ns, 1);
		if (full)
			BAL_CHARGE(b, tls_full[b->cert], tls_full_ns[b->cert], 1);
		else if (hello->tls == BAL_TLS_13)
			BAL_CHARGE(b, tls_resume_13, tls_resume_13_ns, 1);
		else
			BAL_CHARGE(b, tls_resume_12, tls_resume_12_ns, 1);
	} else {
		/* Layer 4 has no queue: a connection that only a full
		 * server could take is refused (IPVS past a server's upper
		 * threshold; models/balancer/queue.c). */
		int looked_up;
		if (route(b, c, hello->seen, now_ns, &looked_up) != 0) {
			c->server = -1;
			return -1;
		}
		if (b->kernel) {
			BAL_CHARGE(b, flows, flow_setup_ns, 1);
			BAL_CHARGE(b, packets, packet_ns,
				   b->impl == COST_IMPL_KERNEL_NAT ? PACKETS_NAT_CONN : PACKETS_DR_CONN);
		} else {
			BAL_CHARGE(b, accepts, accept_ns, 1);
			BAL_CHARGE(b, connects, connect_ns, 1);
		}
		if (looked_up)
			BAL_CHARGE(b, persist_ops, persist_ns, 1);
		/* The server terminates TLS and resumes only a session its
		 * own cache holds (Windows' Schannel cache is per server):
		 * a client sent to another server makes a full handshake,
		 * which the balancer sees pass. */
		if (!full && hello->session_home &&
		    hello->session_home != (uint32_t)c->server + 1)
			full = 1;
		pass_handshake(b, hello, !full);
	}
	/* Layer 4 does no handshake of its own but sees it pass in clear. */
	if (full)
		b->stats.tls_full++;
	else
		b->stats.tls_resumed++;
	c->flags = BAL_CONN_OPEN;
	b->stats.conns_open++;
	return 0;
}

/* The idle list of server s in pool p. */
static uint32_t list_of(const struct balancer *b, uint32_t pool, uint32_t server)
{
	return pool * (b->backends.nlists / WL_COUNT) + server;
}

/* Open a new connection to c's server for its request. */
static void backend_new(struct balancer *b, const struct bal_conn *c)
{
	b->backends.open++;
	/* The request waits for it: TCP's round trip, and TLS's when
	 * re-encrypting (lbsim/network.h). */
	b->pending_wait_ns += b->backend_setup_ns;
	BAL_CHARGE(b, connects, connect_ns, 1);
	if (!b->reencrypt)
		return;
	struct bal_idle_list *l = &b->backends.lists[list_of(b, (uint32_t)c->pool, (uint32_t)c->server)];
	/* The server's flights arrive (TLS 1.3, as HAProxy speaks it to a
	 * server that can). */
	BAL_ARRIVE(b, flights_from(b, 1, l->has_session, 0));
	if (l->has_session) {
		BAL_CHARGE(b, tls_backend_resume, tls_backend_resume_ns, 1);
	} else {
		BAL_CHARGE(b, tls_backend_full, tls_backend_full_ns, 1);
		l->has_session = 1;
	}
}

/* The connection to the server that c's request (just routed) goes over,
 * by http-reuse; own_server/own_pool: c's own idle connection (never
 * mode), or -1. */
static void backend_for_request(struct balancer *b, struct bal_conn *c, int32_t own_server,
				int16_t own_pool, uint64_t now_ns)
{
	uint32_t list = list_of(b, (uint32_t)c->pool, (uint32_t)c->server);
	switch (b->reuse) {
	case COST_REUSE_NEVER:
		if (own_server == c->server && own_pool == c->pool)
			return; /* its own connection, to the same server */
		if (own_server >= 0)
			b->backends.open--; /* replaced: to another server */
		backend_new(b, c);
		return;
	case COST_REUSE_SAFE:
		if (!(c->flags & BAL_CONN_USED) || !bal_backends_take(&b->backends, list, now_ns))
			backend_new(b, c);
		return;
	case COST_REUSE_ALWAYS:
	case COST_REUSE_COUNT:
		if (!bal_backends_take(&b->backends, list, now_ns))
			backend_new(b, c);
		return;
	}
}

/* A message of bytes through a TLS-terminating balancer, either way: its
 * records sealed or opened and their bytes encrypted or decrypted, once on
 * the client's side and once more on the server's when re-encrypting. A
 * record's own work (its framing and tag, the SSL_read or SSL_write call
 * and the reads around it) is priced apart from its bytes' cipher, so
 * that small messages cost what they do. */
static void tls_crypt(struct balancer *b, uint64_t bytes)
{
	uint64_t sides = b->reencrypt ? 2 : 1;
	BAL_CHARGE(b, crypto_bytes[b->cipher], crypto_byte_ns[b->cipher], bytes * sides);
	BAL_CHARGE(b, tls_records, tls_record_ns, cost_tls_records(bytes) * sides);
}

int32_t balancer_request(struct balancer *b, struct bal_conn *c, const struct lb_request *seen,
			 uint64_t bytes, uint64_t rtt_ns, uint64_t now_ns)
{
	assert(c->flags & BAL_CONN_OPEN);
	bal_hold_buffers(b, bytes, rtt_ns, 1);
	if (b->per_request) {
		double before = b->ledger.pending_ns;
		BAL_ARRIVE(b, 1);
		BAL_CHARGE(b, http_requests, http_request_ns, 1);
		BAL_CHARGE(b, relay_bytes, relay_byte_ns, bytes);
		tls_crypt(b, bytes);
		int32_t own_server = c->flags & BAL_CONN_BACKEND ? c->server : -1;
		int16_t own_pool = c->pool;
		int looked_up;
		int rc = route(b, c, seen, now_ns, &looked_up);
		if (looked_up)
			BAL_CHARGE(b, persist_ops, persist_ns, 1);
		if (rc == BAL_WAIT) {
			/* It waits for a slot; its own connection (never) is
			 * not kept for it meanwhile. */
			if (own_server >= 0)
				b->backends.open--;
			c->flags = (uint8_t)((c->flags | BAL_CONN_WAITING) & ~BAL_CONN_BACKEND);
			b->backends.clock_ns = now_ns;
			if (!(c->flags & BAL_CONN_ACTIVE)) {
				c->flags |= BAL_CONN_ACTIVE;
				b->stats.conns_active++;
			}
			return BAL_WAIT;
		}
		if (rc != 0) {
			/* The balancer answers the failure itself, at once:
			 * its work is counted but waits for no core. Its own
			 * backend connection (never) stays as it was. */
			c->server = own_server;
			c->pool = own_pool;
			b->ledger.pending_ns = before;
			return -1;
		}
		backend_for_request(b, c, own_server, own_pool, now_ns);
		c->flags = (uint8_t)((c->flags | BAL_CONN_USED) & ~BAL_CONN_BACKEND);
	} else {
		forward(b, bytes, 1);
	}
	if (!(c->flags & BAL_CONN_ACTIVE)) {
		c->flags |= BAL_CONN_ACTIVE;
		b->stats.conns_active++;
	}
	return c->server;
}

/* c's request has its answer: its connection to the server is idle now,
 * c's own (never) or in its server's pool; its server's count in the
 * pool is released either way. */
static void request_done(struct balancer *b, struct bal_conn *c, uint64_t now_ns)
{
	b->backends.clock_ns = now_ns;
	if (c->server < 0 || (c->flags & BAL_CONN_WAITING))
		return; /* it never had a server: no connection to it either */
	uint32_t server = (uint32_t)c->server;
	if (b->reuse == COST_REUSE_NEVER) {
		c->flags |= BAL_CONN_BACKEND;
	} else {
		uint32_t list = list_of(b, (uint32_t)c->pool, server);
		if (bal_backends_put(&b->backends, list, now_ns) != 0)
			b->backends.open--; /* no room to keep it: closed */
		c->server = -1;
	}
	/* The slot goes to the oldest request waiting for it (queue.c). */
	lb_conn_close(pool_of(b, c), server);
	bal_queue_slot_freed(b, c->pool, server);
}

void bal_backend_for_waiting(struct balancer *b, struct bal_conn *c)
{
	if (!b->per_request)
		return;
	/* Marked used only now: http-reuse safe sends a connection's first
	 * request over a new connection, also when it waited for its slot. */
	backend_for_request(b, c, -1, -1, b->backends.clock_ns);
	c->flags |= BAL_CONN_USED;
}

void balancer_response(struct balancer *b, struct bal_conn *c, uint64_t bytes, uint64_t rtt_ns,
		       uint64_t now_ns)
{
	bal_hold_buffers(b, bytes, rtt_ns, 0);
	if (b->per_request) {
		BAL_ARRIVE(b, 1);
		BAL_CHARGE(b, relay_bytes, relay_byte_ns, bytes);
		tls_crypt(b, bytes);
	} else {
		forward(b, bytes, 0);
	}
	if (!(c->flags & BAL_CONN_ACTIVE))
		return;
	c->flags &= (uint8_t)~BAL_CONN_ACTIVE;
	b->stats.conns_active--;
	if (b->per_request)
		request_done(b, c, now_ns);
}

void balancer_conn_close(struct balancer *b, struct bal_conn *c, uint64_t now_ns)
{
	(void)now_ns;
	if (!(c->flags & BAL_CONN_OPEN))
		return;
	if (c->flags & BAL_CONN_ACTIVE)
		b->stats.conns_active--;
	if (b->per_request) {
		/* A request in flight loses its connection to the server (one
		 * still waiting for a slot has none); never: so does the
		 * client's own idle one. */
		int in_flight = (c->flags & BAL_CONN_ACTIVE) && !(c->flags & BAL_CONN_WAITING);
		if (in_flight || (c->flags & BAL_CONN_BACKEND))
			b->backends.open--;
		bal_queue_conn_closed(b, c);
		if (in_flight)
			unroute(b, c);
	} else {
		unroute(b, c);
		if (b->kernel)
			b->ledger.window_closes++;
	}
	c->flags = 0;
	b->stats.conns_open--;
}

double balancer_take_work_ns(struct balancer *b)
{
	double ns = b->ledger.pending_ns;
	b->ledger.pending_ns = 0;
	return ns;
}

double balancer_take_wait_ns(struct balancer *b)
{
	double ns = b->pending_wait_ns;
	b->pending_wait_ns = 0;
	return ns;
}

void balancer_hint(const struct balancer *b, const struct bal_conn *c,
		   const struct lb_request *seen, struct lb_pers_hint *out)
{
	lb_vs_hint(&b->vs[c->vs], seen, out);
}
