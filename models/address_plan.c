/* Address plans drawn per replication; see include/lbsim/address_plan.h.
 *
 * A plan's prefixes are cut into units: single addresses (random,
 * sequential) or blocks (gateway: a /24 or IPv6 /64 each; site: a block
 * big enough for one site). The units of all prefixes are numbered one
 * after the other (cum_units), so one number in [0, total) names a unit
 * anywhere; a draw maps slots to unit numbers (a keyed permutation, or an
 * offset), then the unit to its address.
 */
#include "lbsim/address_plan.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/rng.h"

const char *const addr_shape_names[ADDR_SHAPE_COUNT] = {"random", "sequential", "gateway",
							 "site"};

const char *addr_shape_name(enum addr_shape s)
{
	return (unsigned)s < ADDR_SHAPE_COUNT ? addr_shape_names[s] : "?";
}

void addr_plan_default(struct addr_plan *p, struct lb_prefix *one, uint32_t pop)
{
	/* 64 populations, 2^26 addresses each: the space the fixed addresses
	 * of old used, so populations still never collide. */
	*one = (struct lb_prefix){.addr = lb_addr_v4((pop & 63u) << 26), .len = 6};
	*p = (struct addr_plan){.shape = ADDR_SHAPE_RANDOM, .prefixes = one, .nprefixes = 1};
}

unsigned addr_site_bits4(uint64_t per_site)
{
	unsigned b = 8;
	while (b < 32 && ((uint64_t)1 << b) < per_site + 2)
		b++;
	return b;
}

static unsigned host_bits(const struct lb_prefix *p)
{
	return (p->addr.family == LB_AF_INET6 ? 128u : 32u) - p->len;
}

/* Host bits of one unit of prefix p: 0 for single addresses. */
static unsigned unit_bits(enum addr_shape shape, const struct lb_prefix *p, unsigned block_bits4)
{
	if (shape == ADDR_SHAPE_RANDOM || shape == ADDR_SHAPE_SEQUENTIAL)
		return 0;
	return p->addr.family == LB_AF_INET6 ? 64u : block_bits4;
}

/* Units of prefix p (0 when a unit does not fit), at most 2^48. */
static uint64_t prefix_units(const struct lb_prefix *p, unsigned ubits)
{
	unsigned host = host_bits(p);
	if (host < ubits)
		return 0;
	unsigned left = host - ubits;
	return left >= 48 ? ADDR_PLAN_MAX_UNITS : (uint64_t)1 << left;
}

int addr_plan_check(const struct addr_plan *p, uint64_t per_site, uint32_t *bad_prefix,
		    const char **why)
{
	unsigned b4 = p->shape == ADDR_SHAPE_SITE ? addr_site_bits4(per_site) : 8u;
	for (uint32_t i = 0; i < p->nprefixes; i++) {
		const struct lb_prefix *x = &p->prefixes[i];
		if (prefix_units(x, unit_bits(p->shape, x, b4)))
			continue;
		*bad_prefix = i;
		if (x->addr.family == LB_AF_INET6)
			*why = "holds no /64, which every gateway or site takes";
		else if (p->shape == ADDR_SHAPE_GATEWAY || b4 == 8)
			*why = "holds no /24, which every gateway or site takes";
		else
			*why = "is smaller than the block one site's addresses need";
		return -1;
	}
	if (p->shape == ADDR_SHAPE_SITE && per_site > ((uint64_t)1 << 63) - 2) {
		*bad_prefix = 0;
		*why = "cannot hold a site this large";
		return -1;
	}
	return 0;
}

/* ---- keyed permutation ---------------------------------------------------- */

void addr_perm_init(struct addr_perm *pm, uint64_t n, struct rng *r)
{
	unsigned bits = 0;
	while (bits < 64 && ((uint64_t)1 << bits) < n)
		bits++;
	pm->n = n;
	pm->half = (bits + 1) / 2;
	for (int k = 0; k < 4; k++)
		pm->keys[k] = rng_next(r);
}

static uint64_t feistel(const struct addr_perm *pm, uint64_t x)
{
	uint64_t mask = pm->half >= 64 ? UINT64_MAX : ((uint64_t)1 << pm->half) - 1;
	uint64_t lo = x & mask, hi = x >> pm->half;
	for (int k = 0; k < 4; k++) {
		uint64_t t = lo;
		lo = hi ^ (rng_mix64(pm->keys[k] ^ lo) & mask);
		hi = t;
	}
	return (hi << pm->half) | lo;
}

uint64_t addr_perm_apply(const struct addr_perm *pm, uint64_t i)
{
	/* The domain 2^(2 half) is under 4n, so a walk takes fewer than 4
	 * steps on average; it ends because a permutation's cycle through i
	 * comes back to i < n. */
	uint64_t x = i;
	do
		x = feistel(pm, x);
	while (x >= pm->n);
	return x;
}

/* ---- draws ---------------------------------------------------------------- */

int addr_draw_init(struct addr_draw *d, const struct addr_plan *p, struct rng *r,
		   uint32_t per_site)
{
	*d = (struct addr_draw){.plan = p, .per_site = per_site ? per_site : 1};
	d->block_bits4 = p->shape == ADDR_SHAPE_SITE ? addr_site_bits4(d->per_site) : 8u;
	uint64_t total;
	if (p->nprefixes) {
		d->cum_units = malloc(p->nprefixes * sizeof *d->cum_units);
		if (!d->cum_units)
			return -1;
		total = 0;
		for (uint32_t i = 0; i < p->nprefixes; i++) {
			const struct lb_prefix *x = &p->prefixes[i];
			total += prefix_units(x, unit_bits(p->shape, x, d->block_bits4));
			d->cum_units[i] = total;
		}
	} else {
		total = addr_list_count(&p->list);
	}
	if (total == 0)
		total = 1; /* refused at load; never a division by zero */
	addr_perm_init(&d->perm, total, r);
	d->offset = rng_next(r) % total;
	d->weight_key = rng_next(r);
	return 0;
}

void addr_draw_free(struct addr_draw *d)
{
	free(d->cum_units);
	d->cum_units = NULL;
}

/* The first index whose cumulative value exceeds x (cum increasing). */
static uint64_t upper_bound(const double *cum, uint64_t n, double x)
{
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo < n ? lo : n - 1;
}

static uint64_t upper_bound_u64(const uint64_t *cum, uint64_t n, uint64_t x)
{
	uint64_t lo = 0, hi = n;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void list_entry(const struct addr_list *l, uint64_t k, struct lb_addr *out)
{
	if (k < l->n4) {
		*out = lb_addr_v4(l->v4[k]);
		return;
	}
	*out = (struct lb_addr){.family = LB_AF_INET6};
	memcpy(out->bytes, l->v6[k - l->n4], 16);
}

/* Entry of a weighted list for slot: drawn with probability in proportion
 * to its weight, independently for every slot. */
static uint64_t weighted_entry(const struct addr_draw *d, const struct addr_list *l, uint64_t slot)
{
	double w4 = l->n4 ? l->cum4[l->n4 - 1] : 0, w6 = l->n6 ? l->cum6[l->n6 - 1] : 0;
	double x = rng_bits_u01(rng_hash64(d->weight_key, slot, 0)) * (w4 + w6);
	if (x < w4 || !l->n6)
		return upper_bound(l->cum4, l->n4, x);
	return l->n4 + upper_bound(l->cum6, l->n6, x - w4);
}

/* Host number host of block unit of prefix x, whose blocks have ubits
 * host bits. */
static void block_address(const struct lb_prefix *x, unsigned ubits, uint64_t unit,
			  uint64_t host, struct lb_addr *out)
{
	if (x->addr.family != LB_AF_INET6) {
		/* unit and host are drawn within the prefix: always in range. */
		int in_range = lb_prefix_nth(x, (unit << ubits) + host, out);
		assert(in_range == LB_OK);
		(void)in_range;
		return;
	}
	/* IPv6: the unit numbers /64s (bits 64 and up), the host the
	 * interface identifier. */
	*out = x->addr;
	uint64_t net = 0;
	for (int b = 0; b < 8; b++)
		net = net << 8 | out->bytes[b];
	net += unit;
	for (int b = 7; b >= 0; b--, net >>= 8)
		out->bytes[b] = (uint8_t)net;
	for (int b = 15; b >= 8; b--, host >>= 8)
		out->bytes[b] = (uint8_t)host;
}

void addr_draw_address(const struct addr_draw *d, uint64_t slot, struct lb_addr *out)
{
	const struct addr_plan *p = d->plan;
	uint64_t n = d->perm.n;
	if (!p->nprefixes) {
		uint64_t k = p->list.cum4 || p->list.cum6 ? weighted_entry(d, &p->list, slot)
							   : addr_perm_apply(&d->perm, slot % n);
		list_entry(&p->list, k, out);
		return;
	}
	uint64_t unit, host = 0;
	switch (p->shape) {
	case ADDR_SHAPE_SEQUENTIAL:
		unit = (d->offset + slot % n) % n;
		break;
	case ADDR_SHAPE_GATEWAY:
		unit = addr_perm_apply(&d->perm, slot % n);
		host = 1;
		break;
	case ADDR_SHAPE_SITE:
		unit = addr_perm_apply(&d->perm, (slot / d->per_site) % n);
		host = 1 + slot % d->per_site;
		break;
	default:
		unit = addr_perm_apply(&d->perm, slot % n);
		break;
	}
	uint32_t i = (uint32_t)upper_bound_u64(d->cum_units, p->nprefixes, unit);
	const struct lb_prefix *x = &p->prefixes[i];
	uint64_t local = unit - (i ? d->cum_units[i - 1] : 0);
	unsigned ubits = unit_bits(p->shape, x, d->block_bits4);
	if (ubits == 0) {
		/* local counts within the prefix's units: always in range. */
		int in_range = lb_prefix_nth(x, local, out);
		assert(in_range == LB_OK);
		(void)in_range;
	} else {
		block_address(x, ubits, local, host, out);
	}
}

/* ---- lists ---------------------------------------------------------------- */

static int grow(void **v, uint64_t *cap, uint64_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	uint64_t c = *cap ? *cap * 2 : 1024;
	void *n = realloc(*v, c * size);
	if (!n)
		return -1;
	*v = n;
	*cap = c;
	return 0;
}

/* The first weight written turns the list weighted: the entries before it
 * weighed 1 each. */
static int start_weights(struct addr_list *l)
{
	l->cum4 = malloc((l->cap4 ? l->cap4 : 1) * sizeof *l->cum4);
	l->cum6 = malloc((l->cap6 ? l->cap6 : 1) * sizeof *l->cum6);
	if (!l->cum4 || !l->cum6)
		return -1;
	for (uint64_t i = 0; i < l->n4; i++)
		l->cum4[i] = (double)(i + 1);
	for (uint64_t i = 0; i < l->n6; i++)
		l->cum6[i] = (double)(i + 1);
	return 0;
}

int addr_list_add(struct addr_list *l, const struct lb_addr *a, double weight, int weighted)
{
	if (weighted && !l->cum4 && start_weights(l) != 0)
		return -1;
	if (!weighted)
		weight = 1;
	if (a->family == LB_AF_INET6) {
		uint64_t cap = l->cap6;
		if (grow((void **)&l->v6, &l->cap6, l->n6 + 1, sizeof *l->v6) != 0)
			return -1;
		if (l->cum6 && cap != l->cap6 &&
		    grow((void **)&l->cum6, &cap, l->cap6, sizeof *l->cum6) != 0)
			return -1;
		memcpy(l->v6[l->n6], a->bytes, 16);
		if (l->cum6)
			l->cum6[l->n6] = (l->n6 ? l->cum6[l->n6 - 1] : 0) + weight;
		l->n6++;
		return 0;
	}
	uint64_t cap = l->cap4;
	if (grow((void **)&l->v4, &l->cap4, l->n4 + 1, sizeof *l->v4) != 0)
		return -1;
	if (l->cum4 && cap != l->cap4 && grow((void **)&l->cum4, &cap, l->cap4, sizeof *l->cum4) != 0)
		return -1;
	l->v4[l->n4] = lb_addr_v4_value(a);
	if (l->cum4)
		l->cum4[l->n4] = (l->n4 ? l->cum4[l->n4 - 1] : 0) + weight;
	l->n4++;
	return 0;
}

/* Shrink v to n entries of size bytes (a failed shrink keeps it as is). */
static void shrink(void **v, uint64_t *cap, uint64_t n, size_t size)
{
	if (!*v || n == *cap)
		return;
	if (n == 0) {
		free(*v);
		*v = NULL;
		*cap = 0;
		return;
	}
	void *s = realloc(*v, n * size);
	if (s) {
		*v = s;
		*cap = n;
	}
}

int addr_list_finish(struct addr_list *l)
{
	uint64_t c4 = l->cap4, c6 = l->cap6;
	shrink((void **)&l->v4, &l->cap4, l->n4, sizeof *l->v4);
	shrink((void **)&l->v6, &l->cap6, l->n6, sizeof *l->v6);
	if (l->cum4) {
		shrink((void **)&l->cum4, &c4, l->n4, sizeof *l->cum4);
		shrink((void **)&l->cum6, &c6, l->n6, sizeof *l->cum6);
		/* Kept non-NULL while weighted, even for a family left empty. */
		if (!l->cum4)
			l->cum4 = malloc(sizeof *l->cum4);
		if (!l->cum6)
			l->cum6 = malloc(sizeof *l->cum6);
		if (!l->cum4 || !l->cum6)
			return -1;
	}
	return 0;
}

void addr_list_free(struct addr_list *l)
{
	free(l->v4);
	free(l->v6);
	free(l->cum4);
	free(l->cum6);
	*l = (struct addr_list){0};
}

uint64_t addr_list_count(const struct addr_list *l)
{
	return l->n4 + l->n6;
}

double addr_list_bytes(uint64_t n4, uint64_t n6, int weighted)
{
	double per4 = 4 + (weighted ? sizeof(double) : 0), per6 = 16 + (weighted ? sizeof(double) : 0);
	return (double)n4 * per4 + (double)n6 * per6;
}

void addr_plan_free(struct addr_plan *p)
{
	free(p->prefixes);
	addr_list_free(&p->list);
	*p = (struct addr_plan){0};
}
