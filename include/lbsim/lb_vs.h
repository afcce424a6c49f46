/* Virtual services and sub-services of the balancer core.
 *
 * A virtual service (VIP:port) is what clients connect to. It owns one or
 * more pools, each with its own optional persistence, and routes every new
 * connection or request in two steps:
 *
 *   1. choose the pool: on layer 7, the first sub-service (content rule:
 *      URL path prefix or Host) that matches, else the default pool; on
 *      layer 4, its only pool;
 *   2. choose the server: through the pool's persistence (lb_pers_select,
 *      which redispatches when the remembered server is down) or else the
 *      pool's algorithm (lb_pick).
 *
 * What a service may look at depends on its layer, and the core enforces it
 * (DESIGN.md, "The balancer core is real code"):
 *   - configuration: a layer-4 service refuses sub-services, algorithms that
 *     need LB_NEED_L7 (uri, hdr) and persistence that does (cookie), with a
 *     message for the scenario loader (lb_vs_check_needs, which the loader
 *     may also call on its own before it builds anything);
 *   - routing: a layer-4 service hands the algorithm and persistence a copy
 *     of the request with every layer-7 field cleared, whatever the caller
 *     filled in, so that nothing below it can read what an L4 device cannot.
 *
 * Persistence belongs to a pool of the service, not to the service as a
 * whole (HAProxy's stick table per backend): a table maps keys to server
 * indices, and indices are only meaningful inside one pool. A layer-7
 * service with one sub-service per workload and cookie persistence therefore
 * holds one table per pool, and its memory counts each of them.
 *
 * Sub-service match kinds plug in through struct lb_match_ops, listed in an
 * ordered registry (models/lb/vs_rules.c), in the style of lb_sel.h and
 * lb_pers.h.
 *
 * Memory: the service's own arrays, its pools and their persistence tables
 * are all allocated through struct lb_mem; lb_vs_mem_bytes adds them up. The
 * struct lb_vs itself is the caller's, as a struct lb_pool is.
 */
#ifndef LBSIM_LB_VS_H
#define LBSIM_LB_VS_H

#include "lbsim/lb.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"

#include <stddef.h>
#include <stdint.h>

enum lb_layer {
	LB_LAYER_4 = 4,   /* sees addresses, ports, the cleartext TLS ClientHello */
	LB_LAYER_7 = 7,   /* terminates TLS and HTTP: sees everything */
};

/* Need bits (lb_sel.h's enum lb_need plus lb_pers.h's LB_NEED_TLS_HELLO)
 * each layer can satisfy. */
#define LB_LAYER4_SEES ((unsigned)(LB_NEED_SRC_ADDR | LB_NEED_TLS_HELLO))
#define LB_LAYER7_SEES ((unsigned)(LB_NEED_SRC_ADDR | LB_NEED_TLS_HELLO | LB_NEED_L7))

/* Check that a service of layer may give what something needs (`needs`:
 * need bits). what names that something for the message, as a scenario
 * writer would recognise it ("persist cookie", "balance uri"). Returns 0 when
 * it may, else LB_EINVAL with a one-line reason written into msg (NUL-terminated,
 * truncated to len; msg may be NULL when len is 0). A layer other than 4 or 7
 * and need bits no layer knows are refused too. */
LB_MUST_CHECK int lb_vs_check_needs(enum lb_layer layer, unsigned needs, const char *what,
		      char *msg, size_t len);

/* ---- sub-service match kinds -------------------------------------------- */

#define LB_SUBSERVICE_VALUE_MAX 255   /* longest rule value (a DNS name is <= 253) */

struct lb_subservice;

struct lb_match_ops {
	const char *name;
	const char *description;
	unsigned needs;          /* need bits: LB_NEED_L7 for both kinds today */
	int icase;               /* compare ignoring ASCII case: the value is stored lower-cased */
	/* Refuse a value this kind cannot match on: NULL when acceptable, else
	 * a static message. Optional. */
	const char *(*check)(const char *value);
	/* 1 when req matches the sub-service, else 0. Required. O(value
	 * length); no allocation. */
	int (*match)(const struct lb_subservice *ss, const struct lb_request *req);
};

/* The registry, in the order help and error messages list it. */
extern const struct lb_match_ops *const lb_match_registry[];
extern const size_t lb_match_registry_len;

/* Find a match kind by name; NULL when unknown. */
const struct lb_match_ops *lb_match_find(const char *name);

/* Write "a, b" (the registered names) into buf; returns buf. */
const char *lb_match_names(char *buf, size_t len);

/* path-prefix: the request's path starts with the value, ignoring ASCII
 *   case, and the prefix ends at a path segment boundary: the next character
 *   of the path is its end, '/' or '?' (or the value itself ends in '/').
 *   So /owa matches /owa, /OWA/, /owa/auth/logon.aspx and /owa?x=1, but not
 *   /owasomething. HAProxy's path_beg is a plain prefix; a segment prefix
 *   is what an Exchange virtual directory is, and it keeps /ecp from
 *   catching a future /ecpfoo. The path is taken as the client sent it: no
 *   percent-decoding or dot-segment removal (HAProxy's default too).
 * host: the Host header equals the value, ignoring ASCII case and a
 *   ":port" suffix of the header (not of an IPv6 literal's inside). */
extern const struct lb_match_ops lb_match_path_prefix;
extern const struct lb_match_ops lb_match_host;

/* A sub-service: a content rule of a layer-7 service sending what it matches
 * to one of the service's pools. */
struct lb_subservice {
	const struct lb_match_ops *match;
	uint32_t pool;           /* index into the service's pools */
	uint32_t len;            /* strlen(value) */
	uint64_t hits;           /* requests this rule matched first */
	char value[LB_SUBSERVICE_VALUE_MAX + 1];
};

/* ---- the virtual service ------------------------------------------------ */

/* One pool of a service, with its persistence (persist.ops NULL: none).
 * Allocated one by one so that a pool never moves once added: callers may
 * keep the pointer lb_vs_pool returns for the service's lifetime. */
struct lb_vs_pool {
	struct lb_pool pool;
	struct lb_persist persist;
};

enum lb_route_reason {
	LB_ROUTE_OK = 0,
	LB_ROUTE_NO_RULE,        /* layer 7: no sub-service matched and no default pool */
	LB_ROUTE_NO_SERVER,      /* the chosen pool has no usable server */
	LB_ROUTE_FULL,           /* servers are usable but at maxconn: server is the one the
				  * request must wait for (persistence, hashing), or -1 when
				  * any of the pool's may take it (the pool's queue) */
};

/* What lb_vs_route decided. */
struct lb_route {
	enum lb_route_reason reason;
	int pool;                /* index of the pool chosen, or -1 (LB_ROUTE_NO_RULE) */
	int server;              /* server index within that pool, or -1 */
	int subservice;          /* index of the sub-service that matched; -1: default pool */
	int persisted;           /* a persistence entry named the server and it was used */
	int redispatched;        /* the remembered server was unusable; the pool picked again */
	int looked_up;           /* the pool's persistence table was searched (a keyed request
				  * on a pool with persistence): an operation to charge */
};

/* Counters. Invariant (tests check it): requests = routed + no_rule + no_server
 * + full. */
struct lb_vs_stats {
	uint64_t requests;
	uint64_t routed;
	uint64_t no_rule;
	uint64_t no_server;
	uint64_t full;           /* every server that could take it at maxconn (LB_ROUTE_FULL) */
	uint64_t defaulted;      /* routed or failed through the default pool (layer 7) */
	uint64_t persisted;
	uint64_t redispatched;
};

struct lb_vs {
	char name[32];
	uint32_t vip;            /* IPv4, host byte order */
	uint16_t port;
	enum lb_layer layer;
	struct lb_vs_pool **pools;
	uint32_t npools, pools_cap;
	struct lb_subservice *subservices;  /* in match order */
	uint32_t nsubservices, subservices_cap;
	int default_pool;        /* -1: none (a layer-7 request no rule matches fails) */
	struct lb_vs_stats stats;
	struct lb_mem mem;       /* the arrays above and the struct lb_vs_pool's */
};

/* Create an empty service. name fits in 31 bytes; layer is LB_LAYER_4 or
 * LB_LAYER_7. Returns 0, or LB_EINVAL on a bad argument (*vs then owns
 * nothing). */
LB_MUST_CHECK int lb_vs_init(struct lb_vs *vs, const char *name, enum lb_layer layer,
	       uint32_t vip, uint16_t port);

/* Free the service, its pools and their persistence tables. Afterwards
 * vs->mem is kept (live is 0 when every allocation was returned; peak stays)
 * and everything else is zero. */
void lb_vs_free(struct lb_vs *vs);

/* Add a pool of nservers servers (weights as lb_pool_init) balanced by sel
 * with params. name is unique within the service, 1 to 31 bytes. Refused,
 * with a reason in msg: a layer-4 service's second pool (nothing could
 * choose it), an algorithm the layer cannot feed (lb_vs_check_needs), params
 * the algorithm rejects (lb_sel_check), bad weights, short memory. The first
 * pool of a layer-4 service becomes its default; a layer-7 service has none
 * until lb_vs_set_default. Returns the pool's index, or LB_EINVAL,
 * LB_ETOOMANY or LB_ENOMEM (nothing added). */
LB_MUST_CHECK int lb_vs_add_pool(struct lb_vs *vs, const char *name, uint32_t nservers,
		   const uint32_t *weights, const struct lb_sel_ops *sel,
		   const struct lb_sel_params *params, char *msg, size_t len);

/* The pool at index (to change server states, open and close connections),
 * or NULL when out of range. */
struct lb_pool *lb_vs_pool(struct lb_vs *vs, uint32_t index);

/* Index of the pool named name, or -1. O(pools). */
int lb_vs_pool_find(const struct lb_vs *vs, const char *name);

/* Give pool index persistence ops with params, replacing any it had (the
 * old table and its entries are dropped only once the new one exists);
 * ops NULL removes it. Refused, with a reason in msg: persistence the layer
 * cannot feed, parameters the method or the table refuses, short memory.
 * Returns 0, LB_ERANGE (no such pool), LB_EINVAL or LB_ENOMEM (the pool's
 * persistence unchanged). */
LB_MUST_CHECK int lb_vs_set_persist(struct lb_vs *vs, uint32_t pool, const struct lb_pers_ops *ops,
		      const struct lb_pers_params *params, char *msg, size_t len);

/* Append a sub-service: the requests it matches go to pool (sub-services
 * are tried in the order added; the first match wins). Refused, with a reason in msg, on a layer-4
 * service, an unknown pool, an empty or too long value or one the kind
 * refuses, short memory. Returns the sub-service's index, or LB_EINVAL,
 * LB_ERANGE (no such pool) or LB_ENOMEM. */
LB_MUST_CHECK int lb_vs_add_subservice(struct lb_vs *vs, const struct lb_match_ops *match,
			 const char *value, uint32_t pool, char *msg, size_t len);

/* Set the pool for requests no sub-service matches; -1 for none. Returns 0,
 * or LB_EINVAL when pool is out of range (or on a layer-4 service, which
 * always sends to its pool). */
LB_MUST_CHECK int lb_vs_set_default(struct lb_vs *vs, int pool);

/* Route req at now_ns (see the top of this file). On layer 4 the algorithm
 * and persistence see req with path, host, cookie and hdr_value cleared.
 * Fills *out; returns 0 when a server was chosen (out->reason LB_ROUTE_OK),
 * -1 when the request fails (out->reason says why; the caller counts it).
 * The caller opens and closes the connection on the chosen pool
 * (lb_conn_open/close). Cost: O(sub-services x value length) to choose the
 * pool, then the persistence lookup and the pick; no allocation (a table
 * store reuses its fixed entry pool). */
/* A hint, for a caller that knows a request before it must route it:
 * where lb_vs_route will look req up (the same pool choice, the same key;
 * the hint's table is NULL when its pool keeps no persistence or req gives
 * no key), for lb_pers_hint_prefetch to load at stage 0 its index slot, at
 * stage 1 (given some time after stage 0) its entry. Changes nothing,
 * counts nothing. */
void lb_vs_hint(const struct lb_vs *vs, const struct lb_request *req, struct lb_pers_hint *out);

int lb_vs_route(struct lb_vs *vs, const struct lb_request *req, uint64_t now_ns,
		struct lb_route *out);

/* "ok", "no rule matched", "no usable server"; "unknown" otherwise. */
const char *lb_route_reason_name(enum lb_route_reason reason);

/* Amortised expiry over every pool's persistence table: frees at most max
 * expired entries per table. Returns the number freed. */
uint32_t lb_vs_expire(struct lb_vs *vs, uint64_t now_ns, uint32_t max);

/* Bytes the service holds now: its own arrays, its pools' structures and
 * their persistence tables. O(pools). */
size_t lb_vs_mem_bytes(const struct lb_vs *vs);
/* The same parts, each at its own peak (a round-robin pool reallocates its
 * table when servers change state): an upper bound of the largest total. */
size_t lb_vs_mem_peak_bytes(const struct lb_vs *vs);

#endif
