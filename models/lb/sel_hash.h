/* Hashing profiles: the private interface between sel_hash.c (the `source`,
 * `uri` and `hdr` algorithms) and the files that reproduce one real
 * balancer's hashing each (sel_hash_haproxy.c, sel_hash_nginx.c,
 * sel_hash_ipvs.c). lbsim's own hashing is in sel_hash.c itself.
 *
 * A profile owns its tables (hash_priv.prof), rebuilds them when the
 * servers change and picks a server for a key. The key comes whole (the
 * client's address, or the bytes of a path or header), because what is
 * hashed differs between balancers as much as how: HAProxy folds the
 * address to 32 bits, NGINX's ip_hash reads three octets of it and its
 * `hash $remote_addr` the address as text.
 */
#ifndef LBSIM_SEL_HASH_H
#define LBSIM_SEL_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/lb.h"
#include "sel_tab.h"

enum hash_key_kind {
	HASH_KEY_SOURCE = 0, /* the client's address */
	HASH_KEY_URI,        /* a URL path, query string included */
	HASH_KEY_HDR,        /* a header's value */
};

struct hash_key {
	enum hash_key_kind kind;
	struct lb_addr addr;       /* HASH_KEY_SOURCE */
	const char *bytes;         /* URI, HDR: NULL or empty when the request has no key */
	size_t len;
};

struct hash_priv {
	uint32_t profile;          /* enum lb_hash_profile */
	uint32_t type;             /* enum lb_hash_type */
	uint32_t fn;               /* enum lb_hash_function */
	uint32_t avalanche;
	uint64_t factor_milli;     /* bounded load (lbsim): f x 1000; 0 = off */
	uint32_t ring_points;
	uint32_t maglev_size;
	uint32_t fallback;         /* round-robin cursor for keyless requests */
	/* lbsim's tables */
	struct sel_map map;
	struct sel_ring ring;
	struct sel_maglev mag;
	/* A real balancer's tables, owned by its profile file. */
	void *prof;
	/* How each server is named (nservers entries). */
	struct lb_endpoint *ep;
};

struct hash_profile_ops {
	/* Rebuild the tables from the servers' current state: 0, or -1 with
	 * the old tables kept. Called by init (hp->prof NULL) and on every
	 * change. */
	int (*build)(struct lb_pool *pool, struct hash_priv *hp);
	/* Free the tables; safe on hp->prof NULL. */
	void (*free)(struct lb_pool *pool, struct hash_priv *hp);
	/* A usable server for key (which has one), or -1 when none. */
	int (*pick)(struct lb_pool *pool, struct hash_priv *hp, const struct hash_key *key);
	/* What the profile cannot do with these parameters and algorithm
	 * (key), or NULL. */
	const char *(*check)(const struct lb_sel_params *p, enum hash_key_kind key);
};

extern const struct hash_profile_ops sel_hash_haproxy;
extern const struct hash_profile_ops sel_hash_nginx;
extern const struct hash_profile_ops sel_hash_ipvs;

/* Round robin over the usable servers (smooth weighted, NGINX's and
 * lbsim's rule, each server's lb_server.sel_state as its current weight):
 * what a balancer falls back to when hashing finds no server. -1 when none
 * is usable. */
int sel_hash_round_robin(struct lb_pool *pool);

#endif
