/* first: the first usable server, in id order, that has a free connection
 * slot (HAProxy's `first`).
 *
 * A server's slots are its maxconn (struct lb_server; 0 means unlimited, and
 * then `first` sends everything to the lowest usable id, which is what
 * HAProxy does without maxconn). The point of the algorithm is to fill few
 * servers fully so that the others can be powered down; weights play no part
 * beyond a zero weight taking a server out of rotation. When every usable
 * server is full the pick returns LB_PICK_FULL: the caller queues the
 * request in the pool's queue (layer 7, as HAProxy does) or refuses it
 * (layer 4). A server with requests in its own queue is full too
 * (lb_server_full).
 *
 * Complexity: pick O(n) in the worst case (scans past full servers); no
 * table, nothing to rebuild.
 */
#include "lbsim/lb_sel.h"

/* pick hook: lowest usable id with conns < maxconn (or no maxconn). */
static int first_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)req;
	(void)now_ns;
	int full = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		const struct lb_server *s = &pool->servers[i];
		if (lb_server_usable(s)) {
			if (!lb_server_full(s))
				return (int)i;
			full = 1;
		}
	}
	return full ? LB_PICK_FULL : -1;
}

const struct lb_sel_ops lb_sel_first = {
	.name = "first",
	.description = "first usable server by id with a free slot (maxconn); fills servers in turn",
	.needs = LB_NEED_NONE,
	.pick = first_pick,
};
