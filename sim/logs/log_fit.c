/* The figures of a site from its request log; see include/lbsim/log_fit.h
 * for the estimators.
 *
 * Everything distinct that is counted (users, addresses, a user in a
 * prefix and of a workload there, a device's last request) is a key of
 * one keymap (include/lbsim/keymap.h), its kind in the key's top byte:
 * memory grows with the distinct things the log holds, never with its
 * lines. Prefixes get a slot each in an array, found through the same map.
 */
#include "log_internal.h"

#include "lbsim/keymap.h"
#include "lbsim/log_fit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Key kinds (the top byte of a key's first word). */
enum { K_USER = 1, K_ADDR, K_PREFIX, K_PREFIX_USER, K_PREFIX_WL_USER, K_DEVICE };

struct prefix {
	struct log_addr first;      /* an address of it, for its name */
	uint64_t users, addresses;
	uint64_t wl_users[WL_COUNT];
	uint32_t group;             /* set by log_fit_finish */
};

/* Polls held within FIT_CENSOR_NS of the longest so far, per workload:
 * the ones that may prove to be held for the heartbeat. */
struct near_max {
	int64_t *held;
	size_t n, cap;
};

struct log_fit {
	struct keymap seen;         /* every distinct thing counted, by kind */
	struct prefix *prefixes;
	size_t nprefixes, prefixes_cap;
	struct near_max near[WL_COUNT];
	/* Every distinct address, and its prefix's index, for the address plans. */
	struct log_addr *addrs;
	uint32_t *addr_prefix;
	size_t naddrs, addrs_cap;
	struct fit_result r;
	int have_time;
};

/* A 64-bit mix of an address, for the anonymous user behind it (never a
 * name's hash in practice: 2^-64). */
static uint64_t anonymous_user(uint64_t x)
{
	x = (x ^ 0x5bd1e9955bd1e995ULL) * 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 32);
}

/* The slot of (kind, a, b), made (value 0) when new: *fresh says which.
 * NULL when memory is short. */
static struct keymap_slot *find(struct log_fit *f, unsigned kind, uint64_t a, uint64_t b,
				int *fresh)
{
	return keymap_get(&f->seen, ((uint64_t)kind << 56) | (a & 0x00ffffffffffffffULL), b, fresh);
}

/* 1 when (kind, a, b) is new, 0 when seen before, -1 when memory is short. */
static int first_time(struct log_fit *f, unsigned kind, uint64_t a, uint64_t b)
{
	int fresh;
	return find(f, kind, a, b, &fresh) ? fresh : -1;
}

int log_fit_new(struct log_fit **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : -1;
}

static struct prefix *prefix_of(struct log_fit *f, uint32_t prefix, const struct log_addr *addr)
{
	int fresh;
	struct keymap_slot *s = find(f, K_PREFIX, prefix, 0, &fresh);
	if (!s)
		return NULL;
	if (fresh) {
		if (f->nprefixes == f->prefixes_cap) {
			size_t cap = f->prefixes_cap ? f->prefixes_cap * 2 : 256;
			struct prefix *p = realloc(f->prefixes, cap * sizeof *p);
			if (!p)
				return NULL;
			f->prefixes = p;
			f->prefixes_cap = cap;
		}
		f->prefixes[f->nprefixes] = (struct prefix){.first = *addr};
		s->v = (int64_t)f->nprefixes++;
	}
	return &f->prefixes[s->v];
}

/* A long poll held for held_ns: the longest so far, and the ones near it. */
static int poll_held(struct log_fit *f, int w, int64_t held_ns)
{
	struct fit_workload *k = &f->r.wl[w];
	struct near_max *nm = &f->near[w];
	k->polls++;
	k->held_sum_s += (double)held_ns / 1e9;
	if (held_ns > k->held_max_ns) {
		k->held_max_ns = held_ns;
		size_t kept = 0;
		for (size_t i = 0; i < nm->n; i++)
			if (nm->held[i] >= held_ns - FIT_CENSOR_NS)
				nm->held[kept++] = nm->held[i];
		nm->n = kept;
	}
	if (held_ns < k->held_max_ns - FIT_CENSOR_NS)
		return 0;
	if (nm->n == nm->cap) {
		size_t cap = nm->cap ? nm->cap * 2 : 64;
		int64_t *h = realloc(nm->held, cap * sizeof *h);
		if (!h)
			return -1;
		nm->held = h;
		nm->cap = cap;
	}
	nm->held[nm->n++] = held_ns;
	return 0;
}

/* A device's request: the gap since its last one ended is a think time. */
static int think_gap(struct log_fit *f, const struct log_record *rec, uint64_t user)
{
	int fresh;
	struct keymap_slot *s = find(f, K_DEVICE, (uint64_t)rec->workload, user, &fresh);
	if (!s)
		return -1;
	int64_t gap = rec->start_ns - s->v;
	if (!fresh && gap >= 0 && gap <= FIT_AWAY_NS) {
		f->r.wl[rec->workload].gaps++;
		f->r.wl[rec->workload].gap_sum_s += (double)gap / 1e9;
	}
	if (fresh || rec->end_ns > s->v)
		s->v = rec->end_ns;
	return 0;
}

static int keep_address(struct log_fit *f, const struct log_record *rec, const struct prefix *p)
{
	if (f->naddrs == f->addrs_cap) {
		size_t cap = f->addrs_cap ? f->addrs_cap * 2 : 1024;
		struct log_addr *a = realloc(f->addrs, cap * sizeof *a);
		if (a)
			f->addrs = a;
		uint32_t *x = a ? realloc(f->addr_prefix, cap * sizeof *x) : NULL;
		if (!x)
			return -1;
		f->addr_prefix = x;
		f->addrs_cap = cap;
	}
	f->addrs[f->naddrs] = rec->client;
	f->addr_prefix[f->naddrs++] = (uint32_t)(p - f->prefixes);
	return 0;
}

int log_fit_add(struct log_fit *f, const struct log_record *rec)
{
	if (rec->workload < 0)
		return 0;
	int w = rec->workload;
	struct fit_result *r = &f->r;
	char key[LOG_USER_KEY_MAX];
	uint32_t addr = log_addr_v4(&rec->client);
	/* A request nobody signed (an HAProxy log captures no user name but
	 * ActiveSync's) is its address's: one anonymous user per address. */
	uint64_t user = rec->user.ptr ? log_hash_bytes(key, log_user_key(&rec->user, key))
				      : anonymous_user(addr);
	uint32_t pfx = addr >> 8;
	r->requests++;
	if (!f->have_time || rec->start_ns < r->first_ns)
		r->first_ns = rec->start_ns;
	if (!f->have_time || rec->end_ns > r->last_ns)
		r->last_ns = rec->end_ns;
	f->have_time = 1;
	int taken = rec->taken_ns >= 0;
	if (rec->ping) {
		if (taken && poll_held(f, w, rec->taken_ns) != 0)
			return -1;
	} else {
		struct fit_workload *k = &r->wl[w];
		if (taken) {
			double s = (double)rec->taken_ns / 1e9;
			k->requests++;
			k->taken_sum_s += s;
			k->taken_sq_s += s * s;
		}
		if (think_gap(f, rec, user) != 0)
			return -1;
	}
	struct prefix *p = prefix_of(f, pfx, &rec->client);
	if (!p)
		return -1;
	int n;
	if ((n = first_time(f, K_USER, 0, user)) < 0)
		return -1;
	r->users += (uint64_t)n;
	if ((n = first_time(f, K_ADDR, addr, 0)) < 0 || (n && keep_address(f, rec, p) != 0))
		return -1;
	p->addresses += (uint64_t)n;
	if ((n = first_time(f, K_PREFIX_USER, pfx, user)) < 0)
		return -1;
	p->users += (uint64_t)n;
	if ((n = first_time(f, K_PREFIX_WL_USER, ((uint64_t)pfx << 8) | (unsigned)w, user)) < 0)
		return -1;
	p->wl_users[w] += (uint64_t)n;
	return 0;
}

static int is_nat(const struct prefix *p)
{
	return (double)p->users >= FIT_NAT_USERS * (double)p->addresses;
}

static void group_add(struct fit_group *g, const struct prefix *p)
{
	g->users += p->users;
	g->addresses += p->addresses;
	for (int w = 0; w < WL_COUNT; w++)
		g->wl_users[w] += p->wl_users[w];
}

/* NAT prefixes by users, most first (ties: by first address, for the
 * same file whatever the hashing). */
static int by_users(const void *x, const void *y)
{
	const struct prefix *a = *(const struct prefix *const *)x, *b = *(const struct prefix *const *)y;
	if (a->users != b->users)
		return a->users > b->users ? -1 : 1;
	return memcmp(a->first.bytes, b->first.bytes, sizeof a->first.bytes);
}

static void prefix_name(const struct prefix *p, char *buf, size_t len)
{
	struct log_addr net = p->first;
	char text[64];
	if (net.family == 4) {
		net.bytes[3] = 0;
		snprintf(buf, len, "nat %s/24", log_addr_format(&net, text, sizeof text));
	} else {
		memset(net.bytes + 8, 0, 8);
		snprintf(buf, len, "nat %s/64", log_addr_format(&net, text, sizeof text));
	}
}

static int addr_order(const void *x, const void *y)
{
	const struct log_addr *a = x, *b = y;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

/* Each group's distinct addresses and prefixes, for its address plan, in
 * address order (the same file whatever order the logs came in). */
static int group_addresses(struct log_fit *f, struct fit_result *out)
{
	for (uint32_t g = 0; g < out->ngroups; g++) {
		struct fit_group *grp = &out->groups[g];
		grp->addrs = calloc(grp->addresses + 1, sizeof *grp->addrs);
		grp->nets = calloc(f->nprefixes + 1, sizeof *grp->nets);
		if (!grp->addrs || !grp->nets)
			return -1;
	}
	for (size_t i = 0; i < f->naddrs; i++) {
		struct fit_group *grp = &out->groups[f->prefixes[f->addr_prefix[i]].group];
		grp->addrs[grp->naddrs++] = f->addrs[i];
	}
	for (size_t i = 0; i < f->nprefixes; i++) {
		struct fit_group *grp = &out->groups[f->prefixes[i].group];
		struct log_addr net = f->prefixes[i].first;
		if (net.family == 4)
			net.bytes[3] = 0;
		else
			memset(net.bytes + 8, 0, 8);
		grp->nets[grp->nnets++] = net;
	}
	for (uint32_t g = 0; g < out->ngroups; g++) {
		qsort(out->groups[g].addrs, out->groups[g].naddrs, sizeof(struct log_addr), addr_order);
		qsort(out->groups[g].nets, out->groups[g].nnets, sizeof(struct log_addr), addr_order);
	}
	return 0;
}

int log_fit_finish(struct log_fit *f, uint32_t max_groups, struct fit_result *out)
{
	*out = f->r;
	out->groups = NULL;
	for (int w = 0; w < WL_COUNT; w++) {
		struct fit_workload *k = &out->wl[w];
		uint64_t at_max = 0;
		for (size_t i = 0; i < f->near[w].n; i++)
			at_max += f->near[w].held[i] >= k->held_max_ns - FIT_CENSOR_NS;
		k->changed = k->polls - at_max;
	}
	struct prefix **nat = malloc((f->nprefixes + 1) * sizeof *nat);
	out->groups = calloc(max_groups ? max_groups : 1, sizeof *out->groups);
	if (!nat || !out->groups) {
		free(nat);
		free(out->groups);
		out->groups = NULL;
		return -1;
	}
	size_t nnat = 0;
	struct fit_group *direct = &out->groups[0];
	snprintf(direct->name, sizeof direct->name, "direct");
	for (size_t i = 0; i < f->nprefixes; i++) {
		if (is_nat(&f->prefixes[i])) {
			nat[nnat++] = &f->prefixes[i];
		} else {
			f->prefixes[i].group = 0;
			group_add(direct, &f->prefixes[i]);
		}
	}
	qsort(nat, nnat, sizeof *nat, by_users);
	out->ngroups = 1;
	for (size_t i = 0; i < nnat; i++) {
		struct fit_group *g;
		if (out->ngroups < max_groups) {
			g = &out->groups[out->ngroups++];
			prefix_name(nat[i], g->name, sizeof g->name);
		} else {
			g = &out->groups[max_groups - 1];
			snprintf(g->name, sizeof g->name, "nat other");
		}
		g->nat = 1;
		nat[i]->group = (uint32_t)(g - out->groups);
		group_add(g, nat[i]);
	}
	free(nat);
	return group_addresses(f, out);
}

void log_fit_result_free(struct fit_result *r)
{
	for (uint32_t g = 0; r->groups && g < r->ngroups; g++) {
		free(r->groups[g].addrs);
		free(r->groups[g].nets);
	}
	free(r->groups);
	r->groups = NULL;
}

void log_fit_free(struct log_fit *f)
{
	if (!f)
		return;
	for (int w = 0; w < WL_COUNT; w++)
		free(f->near[w].held);
	keymap_free(&f->seen);
	free(f->prefixes);
	free(f->addrs);
	free(f->addr_prefix);
	free(f);
}
