/* Requests that wait for a server slot: HAProxy's server and backend
 * queues, for the layer-7 design (see include/lbsim/balancer.h).
 *
 * What HAProxy does, and so what this does (HAProxy 2.6: configuration
 * manual 5.2 "maxconn", 4.2 "timeout queue"; src/backend.c
 * assign_server_and_queue, src/queue.c pendconn_add and
 * pendconn_process_next_strm):
 *   - a server takes at most maxconn requests at once; a request the
 *     balancer sends to a server that is full waits. It waits in that
 *     server's own queue when the server was named for it (persistence,
 *     or a hash that names the server), else in the backend's (the pool's)
 *     queue, which any of the pool's servers serves;
 *   - a server is full for newcomers while requests wait in its own queue
 *     (lb_server_full), so none overtakes them;
 *   - when a slot frees, the server takes the oldest request of its own
 *     queue and of its pool's queue;
 *   - a request that waits longer than `timeout queue` is answered 503 by
 *     the balancer (the world times it: balancer_wait_abandon).
 * Layer 4 has no queue here: lbsim's layer-4 designs forward packets, and a
 * forwarder past its servers' thresholds refuses the connection (IPVS's
 * upper threshold, ipvsadm -x: schedulers skip an overloaded destination
 * and report "no destination available", ip_vs_lc.c, ip_vs_sh.c);
 * traffic.c refuses there.
 *
 * Queues are intrusive lists of struct bal_wait, one per pool and one per
 * (pool, server); a request leaving a queue for a slot goes to the ready
 * list, from which the world takes it (balancer_ready_pop) when the hook it
 * set says there is one. Every operation is O(1) but the re-pick of a
 * request that joins a pool's queue (one lb_pick) and the search of a
 * queue for the request of a connection that closes while waiting (O(queue
 * length), rare).
 */
#include "balancer_internal.h"

#include <stdlib.h>

static void q_push(struct bal_queue *q, struct bal_wait *w)
{
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	q->len++;
	w->linked = 1;
}

static void q_remove(struct bal_queue *q, struct bal_wait *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->next = w->prev = NULL;
	q->len--;
	w->linked = 0;
}

/* Only the layer-7 design queues, and it has one service (vs 0): the
 * queues are its pools' (by pool index), and server s of pool p has queue
 * p * nservers + s. */
static struct bal_queue *pool_queue(struct balancer *b, int pool)
{
	return &b->queues.pool[pool];
}

static struct bal_queue *server_queue(struct balancer *b, int pool, int32_t server)
{
	return &b->queues.server[(size_t)pool * b->queues.nservers + (size_t)server];
}

int bal_queues_init(struct balancer *b, uint32_t npools, uint32_t nservers)
{
	b->queues.npools = npools;
	b->queues.nservers = nservers;
	b->queues.pool = calloc(npools, sizeof *b->queues.pool);
	b->queues.server = calloc((size_t)npools * nservers, sizeof *b->queues.server);
	return b->queues.pool && b->queues.server ? 0 : -1;
}

void bal_queues_free(struct balancer *b)
{
	free(b->queues.pool);
	free(b->queues.server);
	b->queues.pool = b->queues.server = NULL;
}

/* c's request takes a slot of server s of its pool. */
static void take_slot(struct balancer *b, struct bal_conn *c, int32_t s)
{
	c->server = s;
	c->flags &= (uint8_t)~BAL_CONN_WAITING;
	lb_conn_open(lb_vs_pool(&b->vs[c->vs], (uint32_t)c->pool), (uint32_t)s);
	bal_backend_for_waiting(b, c);
}

int32_t balancer_wait(struct balancer *b, struct bal_wait *w, struct bal_conn *c,
		      uint64_t now_ns)
{
	struct lb_pool *pool = lb_vs_pool(&b->vs[c->vs], (uint32_t)c->pool);
	*w = (struct bal_wait){.conn = c, .since_ns = now_ns};
	if (c->server >= 0) {
		/* Named for a server: wait for it, unless a slot freed since. */
		if (!lb_server_full(&pool->servers[c->server])) {
			take_slot(b, c, c->server);
			return c->server;
		}
		q_push(server_queue(b, c->pool, c->server), w);
		lb_server_queue_add(pool, (uint32_t)c->server, +1);
	} else {
		/* Between the decision and now (the balancer's cores) a slot
		 * may have freed that found no one waiting: look again. */
		int s = pool_queue(b, c->pool)->len ? LB_PICK_FULL : lb_pick(pool, NULL, now_ns);
		if (s >= 0) {
			take_slot(b, c, s);
			return s;
		}
		if (s == -1) {
			/* Every server went down meanwhile: nothing to wait for. */
			c->flags &= (uint8_t)~BAL_CONN_WAITING;
			return -1;
		}
		q_push(pool_queue(b, c->pool), w);
	}
	b->stats.queued++;
	return BAL_WAIT;
}

/* Unlink w from the queue it is in (c's pool, and c->server's queue when
 * it has one). */
static void unlink_wait(struct balancer *b, struct bal_wait *w, struct bal_conn *c)
{
	if (!w->linked)
		return;
	if (c->server >= 0) {
		q_remove(server_queue(b, c->pool, c->server), w);
		lb_server_queue_add(lb_vs_pool(&b->vs[c->vs], (uint32_t)c->pool), (uint32_t)c->server,
				    -1);
	} else {
		q_remove(pool_queue(b, c->pool), w);
	}
}

int balancer_wait_abandon(struct balancer *b, struct bal_wait *w)
{
	if (!w->linked || !w->conn)
		return 0;
	struct bal_conn *c = w->conn;
	unlink_wait(b, w, c);
	c->flags &= (uint8_t)~BAL_CONN_WAITING;
	c->server = -1;
	b->stats.queue_timeouts++;
	return 1;
}

void bal_queue_conn_closed(struct balancer *b, struct bal_conn *c)
{
	if (!(c->flags & BAL_CONN_WAITING) || c->pool < 0)
		return;
	struct bal_queue *q = c->server >= 0 ? server_queue(b, c->pool, c->server)
					     : pool_queue(b, c->pool);
	for (struct bal_wait *w = q->head; w; w = w->next) {
		if (w->conn == c) {
			unlink_wait(b, w, c);
			w->conn = NULL;
			break;
		}
	}
	c->flags &= (uint8_t)~BAL_CONN_WAITING;
	c->server = -1;
}

void bal_queue_slot_freed(struct balancer *b, int pool_index, uint32_t server)
{
	if (!b->queues.pool)
		return;
	struct bal_queue *sq = server_queue(b, pool_index, (int32_t)server);
	struct bal_queue *pq = pool_queue(b, pool_index);
	if (!sq->head && !pq->head)
		return;
	const struct lb_server *s = &lb_vs_pool(&b->vs[0], (uint32_t)pool_index)->servers[server];
	if (s->maxconn && s->conns >= s->maxconn)
		return;
	struct bal_wait *w = NULL;
	/* The oldest of the two heads; the pool's only if the server may
	 * take new traffic (a server going down serves only its own). */
	int pool_ok = pq->head && lb_server_usable(s);
	if (sq->head && (!pool_ok || sq->head->since_ns <= pq->head->since_ns))
		w = sq->head;
	else if (pool_ok)
		w = pq->head;
	if (!w)
		return;
	struct bal_conn *c = w->conn;
	unlink_wait(b, w, c);
	take_slot(b, c, (int32_t)server);
	q_push(&b->queues.ready, w);
	w->linked = 0; /* on the ready list, out of every queue */
	if (b->ready_hook)
		b->ready_hook(b->ready_owner);
}

struct bal_wait *balancer_ready_pop(struct balancer *b)
{
	struct bal_wait *w = b->queues.ready.head;
	if (!w)
		return NULL;
	w->linked = 1;
	q_remove(&b->queues.ready, w);
	return w;
}

void balancer_set_ready_hook(struct balancer *b, void (*hook)(void *owner), void *owner)
{
	b->ready_hook = hook;
	b->ready_owner = owner;
}
