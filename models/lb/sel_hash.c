/* Hashing algorithms: `source` (client address), `uri` (URL path) and
 * `hdr(name)` (a request header's value).
 *
 * A pick hashes the key (lb_hash_key: the pool's hash function, then the
 * avalanche finalizer if asked) and maps the hash through the table of the
 * pool's hash type (sel_tab.h):
 *
 *   type        pick                         rebuild (servers_changed)
 *   map-based   O(1): map[h mod W]           O(W log W), W = sum of weights
 *   consistent  O(1) expected (bucket index) O(P log P), P = points
 *               O(log P) worst; bounded load
 *               adds O(n) + the walk
 *   maglev      O(1): entry[h mod M]         expected O(M log M)
 * plus O(key length) to hash. Nothing is allocated during a pick.
 *
 * Keys: the client address is hashed as its 4 bytes in network order (so
 * hash function `none` gives the address itself); a URL path up to its '?'
 * (the query string does not choose the server, as in HAProxy); the header
 * value as given by the caller in req->hdr_value. A request without its key
 * (no path, no header, an empty value) is balanced round robin over the
 * table's slots, as HAProxy does, rather than failed.
 *
 * Bounded load (hash-balance-factor, consistent only; Mirrokni, Thorup and
 * Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA 2018): with
 * C live connections on usable servers and total weight W, server s may take
 * the new connection only while conns_s < ceil(f (C + 1) w_s / W); the pick
 * walks the ring from the key's point to the first server under its bound.
 * Since the bounds add up to at least f (C + 1) > C, some server is always
 * under its bound (f >= 1), and the server chosen holds at most
 * ceil(f x its weighted share of the new total C + 1) afterwards. The
 * eligibility test compares conns_s x 1000 W with f_milli (C + 1) w_s in 64
 * bits: exact for the factors accepted (above 1, at most 100), f rounded
 * to 1/1000.
 * Summing C costs O(n) per pick; a connection hook keeping C up to date
 * would remove it (not needed by any target so far).
 *
 * Profiles (params.profile, lb_hash.h): lbsim's own hashing is this file;
 * a profile that reproduces a real balancer (HAProxy, NGINX, IPVS) lives in
 * its own file behind struct hash_profile_ops (sel_hash.h), and this file
 * only extracts the key and dispatches. An IPv6 client (req->src_addr) is
 * hashed whole by every profile; lbsim hashes its 16 bytes.
 */
#include "lbsim/lb_hash.h"
#include "lbsim/lb_sel.h"

#include <string.h>

#include "sel_hash.h"

/* The parameters of the hashing algorithms. The limits: a maglev table
 * of at most 2^24 entries (64 MiB of entries, well past any pool: the
 * paper's M >> N needs 100 x N); a bounded-load factor above 1 (at 1 every
 * server is capped at the mean, which forces most picks off their key) and
 * at most 100 (beyond, the bound never binds); ring points per unit of
 * weight at most 1000 (memory grows with points x total weight). */
const struct lb_param lb_sel_hash_params[] = {
	/* First: the profile decides what the other keys may be, so that a
	 * key the profile refuses is the one reported. */
	{.name = "profile", .kind = LB_PARAM_CHOICE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, profile), .choices = lb_hash_profiles,
	 .nchoices = LB_PROFILE_COUNT, .dflt = LB_PROFILE_LBSIM,
	 .doc = "whose hashing to reproduce, server for server: lbsim, haproxy, nginx or "
		"ipvs (layer 4)"},
	{.name = "hash-type", .kind = LB_PARAM_CHOICE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, hash_type), .choices = lb_hash_types,
	 .nchoices = LB_HASH_TYPE_COUNT, .dflt = LB_HASH_MAP_BASED,
	 .doc = "how a hash maps to a server: map-based (modulo over the weights), "
		"consistent (a ring) or maglev (a lookup table of prime size)"},
	{.name = "hash-function", .kind = LB_PARAM_CHOICE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, hash_function), .choices = lb_hash_functions,
	 .nchoices = LB_HASHFN_COUNT, .dflt = LB_HASHFN_MURMUR,
	 .doc = "the hash of the key: murmur, sdbm, djb2, none (the key itself), wt6 or "
		"crc32 (profile haproxy: sdbm by default)"},
	{.name = "avalanche", .kind = LB_PARAM_BOOL, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, hash_avalanche), .dflt = 0,
	 .doc = "pass the hash through the avalanche finalizer"},
	{.name = "hash-balance-factor", .kind = LB_PARAM_NUMBER, .store = LB_STORE_F64,
	 LB_PARAM_FIELD(struct lb_sel_params, balance_factor), .min = 1, .max = 100,
	 .flags = LB_PARAM_MIN_OPEN | LB_PARAM_NO_DEFAULT, .zero = "off", .when = "hash-type",
	 .when_is = LB_HASH_CONSISTENT,
	 .doc = "bounded load: no server above this factor times its share"},
	{.name = "table-size", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, table_size), .min = 1, .max = 1u << 24,
	 .flags = LB_PARAM_NO_DEFAULT, .dflt = LB_MAGLEV_DEFAULT_SIZE, .unit = "entries",
	 .zero = "the profile's (65537; ipvs 4093)",
	 .when = "hash-type", .when_is = LB_HASH_MAGLEV,
	 .doc = "entries of the maglev table, a prime at least the servers' count"},
	{.name = "ring-points", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_sel_params, ring_points), .min = 1, .max = 1000,
	 .flags = LB_PARAM_NO_DEFAULT, .dflt = LB_RING_DEFAULT_POINTS,
	 .zero = "the profile's (lbsim 100, haproxy 16, nginx 160)",
	 .unit = "points per unit of weight", .when = "hash-type", .when_is = LB_HASH_CONSISTENT,
	 .doc = "points of each server on the ring, per unit of its weight"},
	LB_PARAM_END,
};

/* The profile's own file; NULL for lbsim's (this file). */
static const struct hash_profile_ops *profile_ops(uint32_t profile)
{
	switch (profile) {
	case LB_PROFILE_HAPROXY:
		return &sel_hash_haproxy;
	case LB_PROFILE_NGINX:
		return &sel_hash_nginx;
	case LB_PROFILE_IPVS:
		return &sel_hash_ipvs;
	default:
		return NULL;
	}
}

/* What is wrong with p for a pool of nservers servers hashing key, or NULL. */
static const char *check_for(const struct lb_sel_params *p, uint32_t nservers,
			     enum hash_key_kind key)
{
	/* Ranges are the parameter table's (lb_sel_hash_params). */
	if (p->profile >= LB_PROFILE_COUNT)
		return "unknown profile (valid: lbsim, haproxy, nginx, ipvs)";
	const struct hash_profile_ops *prof = profile_ops(p->profile);
	if (prof) {
		if (p->balance_factor != 0.0)
			return "hash-balance-factor is lbsim's own bounded load; no profile but "
			       "lbsim has it";
		return prof->check(p, key);
	}
	if (p->table_size && !sel_is_prime(p->table_size))
		return "maglev table size must be a prime";
	if (p->hash_type == LB_HASH_MAGLEV &&
	    (p->table_size ? p->table_size : LB_MAGLEV_DEFAULT_SIZE) < nservers)
		return "maglev table size must be at least the number of servers";
	return NULL;
}

/* check hooks: NULL, or what is wrong with p for a pool of nservers. */
static const char *source_check(const struct lb_sel_params *p, uint32_t nservers)
{
	return check_for(p, nservers, HASH_KEY_SOURCE);
}

static const char *uri_check(const struct lb_sel_params *p, uint32_t nservers)
{
	return check_for(p, nservers, HASH_KEY_URI);
}

static const char *hdr_check(const struct lb_sel_params *p, uint32_t nservers)
{
	if (p->hdr_name[0] == '\0')
		return "hdr balancing needs a header name: hdr(name)";
	return check_for(p, nservers, HASH_KEY_HDR);
}

/* servers_changed hook: rebuild the active table from the usable servers.
 * Returns 0, or -1 with the old table still in force. */
static int hash_rebuild(struct lb_pool *pool)
{
	struct hash_priv *hp = pool->sel_priv;
	const struct hash_profile_ops *prof = profile_ops(hp->profile);
	if (prof)
		return prof->build(pool, hp);
	switch (hp->type) {
	case LB_HASH_CONSISTENT:
		return sel_ring_build(pool, hp->ring_points, &hp->ring);
	case LB_HASH_MAGLEV:
		return sel_maglev_build(pool, hp->maglev_size, &hp->mag);
	default:
		return sel_map_build(pool, &hp->map);
	}
}

/* done hook: free the tables and the private state; safe to call twice. */
static void hash_done(struct lb_pool *pool)
{
	struct hash_priv *hp = pool->sel_priv;
	if (!hp)
		return;
	const struct hash_profile_ops *prof = profile_ops(hp->profile);
	if (prof)
		prof->free(pool, hp);
	sel_map_free(pool, &hp->map);
	sel_ring_free(pool, &hp->ring);
	sel_maglev_free(pool, &hp->mag);
	lb_mem_free(&pool->mem, hp->ep, pool->nservers * sizeof *hp->ep);
	lb_mem_free(&pool->mem, hp, sizeof *hp);
	pool->sel_priv = NULL;
}

/* init hook: validate the params, attach the private state and build the
 * table. Returns 0, or -1 with nothing attached. */
static int hash_init(struct lb_pool *pool)
{
	const struct lb_sel_params *p = &pool->params;
	struct hash_priv *hp = lb_mem_alloc(&pool->mem, sizeof *hp);
	if (!hp)
		return -1;
	hp->profile = p->profile;
	hp->type = p->hash_type;
	hp->fn = p->hash_function;
	/* HAProxy has no murmur: the zero value means its default, sdbm. */
	if (hp->profile == LB_PROFILE_HAPROXY && hp->fn == LB_HASHFN_MURMUR)
		hp->fn = LB_HASHFN_SDBM;
	hp->avalanche = p->hash_avalanche != 0;
	/* Rounded to 1/1000 so the bound is integer arithmetic; the +0.5
	 * rounds instead of truncating 1.25 stored as 1.2499999. */
	hp->factor_milli = p->balance_factor != 0.0 ? (uint64_t)(p->balance_factor * 1000.0 + 0.5) : 0;
	hp->ring_points = p->ring_points ? p->ring_points : lb_hash_profile_ring_points(p->profile);
	hp->maglev_size = p->table_size ? p->table_size
			  : p->profile == LB_PROFILE_IPVS ? LB_IPVS_MH_DEFAULT_SIZE
							  : LB_MAGLEV_DEFAULT_SIZE;
	pool->sel_priv = hp;
	hp->ep = lb_mem_alloc(&pool->mem, pool->nservers * sizeof *hp->ep);
	if (!hp->ep) {
		hash_done(pool);
		return -1;
	}
	for (uint32_t i = 0; i < pool->nservers; i++) {
		hp->ep[i] = p->endpoints ? p->endpoints[i] : lb_default_endpoint(i);
	}
	if (hash_rebuild(pool) != 0) {
		hash_done(pool);
		return -1;
	}
	return 0;
}

/* The server at slot k of the active table, and the table's length. */
static uint32_t table_len(const struct hash_priv *hp)
{
	switch (hp->type) {
	case LB_HASH_CONSISTENT:
		return hp->ring.len;
	case LB_HASH_MAGLEV:
		return hp->mag.entry ? hp->mag.size : 0;
	default:
		return hp->map.len;
	}
}

static uint32_t table_slot(const struct hash_priv *hp, uint32_t k)
{
	switch (hp->type) {
	case LB_HASH_CONSISTENT:
		return hp->ring.pt[k].server;
	case LB_HASH_MAGLEV:
		return hp->mag.entry[k];
	default:
		return hp->map.slot[k];
	}
}

/* Tables hold only usable servers, but a caller may have changed a server
 * without going through lb_server_set_*; then walk on rather than send
 * traffic to a server out of rotation. O(table) in that case only. */
static int walk_usable(const struct lb_pool *pool, const struct hash_priv *hp, uint32_t k)
{
	uint32_t len = table_len(hp);
	for (uint32_t step = 0; step < len; step++) {
		uint32_t s = table_slot(hp, k);
		if (lb_server_usable(&pool->servers[s]))
			return (int)s;
		if (++k == len)
			k = 0;
	}
	return -1;
}

/* The first server under its bounded-load cap walking the ring from point
 * k; -1 only if the ring holds no usable server. */
static int pick_bounded(const struct lb_pool *pool, const struct hash_priv *hp, uint32_t k)
{
	uint64_t conns = 0, weight = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		const struct lb_server *s = &pool->servers[i];
		if (lb_server_usable(s)) {
			conns += s->conns;
			weight += s->eweight;
		}
	}
	uint64_t budget = hp->factor_milli * (conns + 1);
	for (uint32_t step = 0; step < hp->ring.len; step++) {
		const struct lb_server *s = &pool->servers[hp->ring.pt[k].server];
		if (lb_server_usable(s) && (uint64_t)s->conns * 1000 * weight < budget * s->eweight)
			return (int)s->id;
		if (++k == hp->ring.len)
			k = 0;
	}
	return -1; /* unreachable while every usable server is on the ring */
}

/* lbsim's pick: map key (len bytes; NULL or empty: keyless) to a usable
 * server through the pool's table; -1 when none is usable. */
static int pick_lbsim(struct lb_pool *pool, struct hash_priv *hp, const void *key, size_t len)
{
	uint32_t n = table_len(hp);
	if (n == 0)
		return -1;
	uint32_t k;
	if (!key || len == 0) {
		k = hp->fallback++ % n;
	} else {
		uint32_t h = lb_hash_key(hp->fn, hp->avalanche, key, len);
		switch (hp->type) {
		case LB_HASH_CONSISTENT:
			k = sel_ring_find(&hp->ring, h);
			if (hp->factor_milli)
				return pick_bounded(pool, hp, k);
			break;
		default:
			k = h % n;
			break;
		}
	}
	uint32_t s = table_slot(hp, k);
	if (lb_server_usable(&pool->servers[s]))
		return (int)s;
	return walk_usable(pool, hp, k);
}

int sel_hash_round_robin(struct lb_pool *pool)
{
	struct lb_server *best = NULL;
	int64_t total = 0;
	for (uint32_t i = 0; i < pool->nservers; i++) {
		struct lb_server *s = &pool->servers[i];
		if (!lb_server_usable(s))
			continue;
		s->sel_state += s->eweight;
		total += s->eweight;
		if (!best || s->sel_state > best->sel_state)
			best = s;
	}
	if (!best)
		return -1;
	best->sel_state -= total;
	return (int)best->id;
}

/* Pick for key through the pool's profile. */
static int pick_key(struct lb_pool *pool, const struct hash_key *key)
{
	struct hash_priv *hp = pool->sel_priv;
	const struct hash_profile_ops *prof = profile_ops(hp->profile);
	if (!prof) {
		if (key->kind == HASH_KEY_SOURCE) {
			size_t len = key->addr.family == LB_AF_INET6 ? 16 : 4;
			return pick_lbsim(pool, hp, key->addr.bytes, len);
		}
		/* lbsim (as HAProxy) hashes a URL path up to its '?'. */
		size_t len = key->kind == HASH_KEY_URI ? strcspn(key->bytes ? key->bytes : "", "?")
						       : key->len;
		return pick_lbsim(pool, hp, key->bytes, key->bytes ? len : 0);
	}
	/* A request without its key is balanced round robin, as HAProxy and
	 * NGINX do, rather than failed. */
	if (key->kind != HASH_KEY_SOURCE && (!key->bytes || key->len == 0))
		return sel_hash_round_robin(pool);
	return prof->pick(pool, hp, key);
}

/* pick hooks: extract the key of each algorithm from req. */
static int source_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)now_ns;
	struct hash_key key = {.kind = HASH_KEY_SOURCE};
	key.addr = req->src_addr ? *req->src_addr : lb_addr_v4(req->src_ip);
	return pick_key(pool, &key);
}

static int uri_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)now_ns;
	struct hash_key key = {.kind = HASH_KEY_URI, .bytes = req->path,
			       .len = req->path ? strlen(req->path) : 0};
	return pick_key(pool, &key);
}

static int hdr_pick(struct lb_pool *pool, const struct lb_request *req, uint64_t now_ns)
{
	(void)now_ns;
	struct hash_key key = {.kind = HASH_KEY_HDR, .bytes = req->hdr_value,
			       .len = req->hdr_value ? strlen(req->hdr_value) : 0};
	return pick_key(pool, &key);
}

const struct lb_sel_ops lb_sel_source = {
	.name = "source",
	.description = "hash of the client address (hash-type, hash-function)",
	.needs = LB_NEED_SRC_ADDR,
	.params = lb_sel_hash_params,
	.init = hash_init,
	.done = hash_done,
	.servers_changed = hash_rebuild,
	.when_full = LB_FULL_KEEP,
	.pick = source_pick,
	.check = source_check,
};

const struct lb_sel_ops lb_sel_uri = {
	.name = "uri",
	.description = "hash of the URL path up to '?' (layer 7)",
	.needs = LB_NEED_L7,
	.params = lb_sel_hash_params,
	.init = hash_init,
	.done = hash_done,
	.servers_changed = hash_rebuild,
	.when_full = LB_FULL_KEEP,
	.pick = uri_pick,
	.check = uri_check,
};

const struct lb_sel_ops lb_sel_hdr = {
	.name = "hdr",
	.description = "hdr(name): hash of a request header's value (layer 7)",
	.needs = LB_NEED_L7,
	.params = lb_sel_hash_params,
	.init = hash_init,
	.done = hash_done,
	.servers_changed = hash_rebuild,
	.when_full = LB_FULL_KEEP,
	.pick = hdr_pick,
	.check = hdr_check,
};

struct lb_endpoint lb_default_endpoint(uint32_t i)
{
	struct lb_endpoint e = {.addr = lb_addr_v4(0x7f000001u),
				.port = (uint16_t)(LB_DEFAULT_SERVER_PORT + i)};
	return e;
}
