/* source-ip: stick on the client's address masked to a prefix (IPVS
 * persistence netmask, HAProxy `stick on src` with a mask).
 *
 * The key is the masked address in network byte order (4 bytes), so that
 * every client of one /24 (netmask 24) shares one entry and one server: the
 * right unit when a site's clients leave through several NAT addresses of one
 * range, and the wrong one when thousands of users sit behind one address
 * (they all land on one server: the skew the simulator measures). The
 * default /32 is IPVS's.
 */
#include "lbsim/lb_pers.h"

/* netmask: /32 by default, as IPVS. */
static const struct lb_param source_ip_params[] = {
	{.name = "netmask", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U8,
	 LB_PARAM_FIELD(struct lb_pers_params, netmask), .min = 1, .max = 32,
	 .flags = LB_PARAM_ZERO_DEFAULT, .dflt = 32, .unit = "bits",
	 .doc = "prefix of the client address that makes the key: clients of one /24 share a server"},
	LB_PARAM_END,
};

static int source_ip_key(const struct lb_persist *p, const struct lb_request *req,
			 struct lb_pers_key *key)
{
	uint32_t a = req->src_ip & p->src_mask;
	key->len = 4;
	key->bytes[0] = (uint8_t)(a >> 24);
	key->bytes[1] = (uint8_t)(a >> 16);
	key->bytes[2] = (uint8_t)(a >> 8);
	key->bytes[3] = (uint8_t)a;
	return 0;
}

const struct lb_pers_ops lb_pers_source_ip = {
	.name = "source-ip",
	.description = "client address masked to a prefix (netmask, default /32); layer 4 or 7",
	.needs = LB_NEED_SRC_ADDR,
	.params = source_ip_params,
	.key = source_ip_key,
};
