/* cookie (insert mode): layer 7 only.
 *
 * On a client's first request the balancer picks a server and inserts a
 * cookie in the response; the client presents it from then on. lbsim models
 * the round trip as a table entry keyed by the cookie value the client will
 * present (req->cookie, which the simulator sets per client): a miss picks
 * and stores, later requests hit. A request without the cookie, or with a
 * value longer than a key (32 bytes), is balanced and not stored.
 *
 * A real HAProxy or F5 insert cookie names the server itself and needs no
 * table at all; the table here gives cookie persistence the same expiry and
 * size semantics as the other methods (HAProxy's cookie maxidle), and its
 * memory is an upper bound on what a balancer must keep for it.
 */
#include "lbsim/lb_pers.h"

#include <string.h>

static int cookie_key(const struct lb_persist *p, const struct lb_request *req,
		      struct lb_pers_key *key)
{
	(void)p;
	if (!req->cookie)
		return -1;
	size_t n = strnlen(req->cookie, LB_PERS_KEY_MAX + 1);
	if (n == 0 || n > LB_PERS_KEY_MAX)
		return -1;
	key->len = (uint8_t)n;
	memcpy(key->bytes, req->cookie, n);
	return 0;
}

const struct lb_pers_ops lb_pers_cookie = {
	.name = "cookie",
	.description = "cookie inserted by the balancer naming the server; layer 7 only",
	.needs = LB_NEED_L7,
	.key = cookie_key,
};
