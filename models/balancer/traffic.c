/* Connections and requests through the balancer: the routing decisions and
 * the operations each event costs; see include/lbsim/balancer.h.
 *
 * What a design does for each event, and so what it is charged:
 *
 *   event            layer 4 (a forwarder in NAT mode)   layer 7 (a TLS-terminating proxy)
 *   connection open  route it; set up a flow; SYN,       accept; the TLS handshake (full,
 *                    SYN-ACK, ACK and later FIN, ACK     or resumed when the client offers
 *                    through the box (5 packets); a      a live TLS 1.2 session)
 *                    persistence lookup if the pool
 *                    has persistence
 *   request          its packets                         parse and route it (a persistence
 *                                                        lookup if its pool has one);
 *                                                        decrypt it, and encrypt it again
 *                                                        when re-encrypting
 *   response         its packets                         its bytes' crypto, twice when
 *                                                        re-encrypting
 *   close            nothing counted (the FIN packets    nothing counted
 *                    were counted at open)
 *
 * A persistence lookup is charged when the core searched a table
 * (struct lb_route.looked_up), so a request that carries no key (no TLS
 * session id for ssl-session-id) costs none. TLS 1.3 clients are priced as
 * full handshakes: the legacy session id they send is new every time, and
 * the PSK resumption they may do instead is priced as a full handshake
 * until the cost model prices it apart.
 *
 * The state of a connection lives in the caller's struct bal_conn (8 bytes):
 * where it is sent, and whether it is open and has data in flight. The
 * balancer keeps only the counts (conns_open, conns_active). Every event is
 * O(1) beyond the core's routing.
 */
#include "balancer_internal.h"

#include <assert.h>

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

int balancer_conn_open(struct balancer *b, struct bal_conn *c, const struct bal_hello *hello,
		       uint64_t now_ns)
{
	*c = (struct bal_conn){
		.server = -1,
		.pool = -1,
		.vs = (uint8_t)(b->kind == SCN_DESIGN_L4_MULTI ? hello->workload : 0),
	};
	int full = hello->tls == BAL_TLS_13 || !hello->resumable;
	if (b->per_request) {
		BAL_CHARGE(b, tcp_accepts, tcp_accept_ns, 1);
		if (full)
			BAL_CHARGE(b, tls_full, tls_full_ns, 1);
		else
			BAL_CHARGE(b, tls_resumed, tls_resumed_ns, 1);
	} else {
		/* Layer 4 has no queue: a connection that only a full
		 * server could take is refused (IPVS past a server's upper
		 * threshold; models/balancer/queue.c). */
		int looked_up;
		if (route(b, c, hello->seen, now_ns, &looked_up) != 0) {
			c->server = -1;
			return -1;
		}
		BAL_CHARGE(b, flows, flow_setup_ns, 1);
		BAL_CHARGE(b, packets, packet_ns, 5);
		if (looked_up)
			BAL_CHARGE(b, persist_ops, persist_ns, 1);
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

/* Bytes encrypted or decrypted for a message of bytes: once on the
 * client's side, once more on the server's when re-encrypting. */
static uint64_t crypto_bytes(const struct balancer *b, uint64_t bytes)
{
	return bytes * (b->reencrypt ? 2 : 1);
}

int32_t balancer_request(struct balancer *b, struct bal_conn *c, const struct lb_request *seen,
			 uint64_t bytes, uint64_t now_ns)
{
	assert(c->flags & BAL_CONN_OPEN);
	if (b->per_request) {
		double before = b->ledger.pending_ns;
		BAL_CHARGE(b, http_requests, http_request_ns, 1);
		BAL_CHARGE(b, crypto_bytes, crypto_byte_ns, crypto_bytes(b, bytes));
		int looked_up;
		int rc = route(b, c, seen, now_ns, &looked_up);
		if (looked_up)
			BAL_CHARGE(b, persist_ops, persist_ns, 1);
		if (rc == BAL_WAIT) {
			c->flags |= BAL_CONN_WAITING;
			if (!(c->flags & BAL_CONN_ACTIVE)) {
				c->flags |= BAL_CONN_ACTIVE;
				b->stats.conns_active++;
			}
			return BAL_WAIT;
		}
		if (rc != 0) {
			/* The balancer answers the failure itself, at once:
			 * its work is counted but waits for no core. */
			b->ledger.pending_ns = before;
			return -1;
		}
	} else {
		BAL_CHARGE(b, packets, packet_ns, cost_packets(b->ledger.price, bytes));
	}
	if (!(c->flags & BAL_CONN_ACTIVE)) {
		c->flags |= BAL_CONN_ACTIVE;
		b->stats.conns_active++;
	}
	return c->server;
}

void balancer_response(struct balancer *b, struct bal_conn *c, uint64_t bytes, uint64_t now_ns)
{
	(void)now_ns;
	if (b->terminates_tls)
		BAL_CHARGE(b, crypto_bytes, crypto_byte_ns, crypto_bytes(b, bytes));
	else
		BAL_CHARGE(b, packets, packet_ns, cost_packets(b->ledger.price, bytes));
	if (!(c->flags & BAL_CONN_ACTIVE))
		return;
	c->flags &= (uint8_t)~BAL_CONN_ACTIVE;
	b->stats.conns_active--;
	/* The layer-7 request's connection to its server ends with it. */
	if (b->per_request)
		unroute(b, c);
}

void balancer_conn_close(struct balancer *b, struct bal_conn *c, uint64_t now_ns)
{
	(void)now_ns;
	if (!(c->flags & BAL_CONN_OPEN))
		return;
	if (c->flags & BAL_CONN_ACTIVE)
		b->stats.conns_active--;
	bal_queue_conn_closed(b, c);
	unroute(b, c);
	c->flags = 0;
	b->stats.conns_open--;
}

double balancer_take_work_ns(struct balancer *b)
{
	double ns = b->ledger.pending_ns;
	b->ledger.pending_ns = 0;
	return ns;
}

void balancer_prefetch(const struct balancer *b, const struct bal_conn *c,
		       const struct lb_request *seen)
{
	lb_vs_prefetch(&b->vs[c->vs], seen);
}
