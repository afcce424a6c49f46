/* The ordered registry of persistence methods. The order is the one help
 * text and "unknown persistence" messages list: from what a layer-4 device
 * can see to what only a layer-7 proxy can. */
#include "lbsim/lb_pers.h"
#include "lbsim/lb_param.h"

#include <stdio.h>
#include <string.h>

const struct lb_pers_ops *const lb_pers_registry[] = {
	&lb_pers_source_ip,
	&lb_pers_ssl_session_id,
	&lb_pers_cookie,
};

const size_t lb_pers_registry_len = sizeof lb_pers_registry / sizeof lb_pers_registry[0];

static const char *const full_names[] = {
	[LB_PERS_FULL_LRU] = "lru",
	[LB_PERS_FULL_REFUSE] = "refuse",
};

/* Defaults are assumptions to replace with measurements: a table sized
 * for a large site, and entries that outlive a user's pause (HAProxy's
 * stick-table examples use 30 minutes; IPVS's -p is 300 s, F5's
 * source_addr 180 s). */
const struct lb_param lb_pers_params_common[] = {
	{.name = "size", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_pers_params, size), .min = 1, .max = LB_PERS_MAX_SIZE,
	 .dflt = 100000, .unit = "entries", .doc = "entries the table holds at most"},
	{.name = "expire", .kind = LB_PARAM_DURATION, .store = LB_STORE_U64,
	 LB_PARAM_FIELD(struct lb_pers_params, expire_ns), .min = 1, .max = 30 * 86400e9,
	 .dflt = 30 * 60e9, .zero = "entries never expire",
	 .doc = "an entry is forgotten this long after its last use"},
	{.name = "full", .kind = LB_PARAM_CHOICE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_pers_params, full), .choices = full_names, .nchoices = 2,
	 .dflt = LB_PERS_FULL_LRU,
	 .doc = "when the table is full: lru (evict the least recently used) or refuse"},
	LB_PARAM_END,
};

static const struct lb_param *pers_table(size_t i)
{
	return lb_pers_registry[i]->params;
}

static const char *pers_name(size_t i)
{
	return lb_pers_registry[i]->name;
}

const struct lb_param_owners lb_pers_owners = {
	.n = sizeof lb_pers_registry / sizeof lb_pers_registry[0],
	.table = pers_table,
	.name = pers_name,
	.common = lb_pers_params_common,
	.applies = LB_PARAM_APPLIES "%s persistence only, not %s",
};

const char *lb_pers_check(const struct lb_pers_ops *ops, const struct lb_pers_params *params,
			  char *buf, size_t len, const struct lb_param **bad)
{
	if (lb_param_check_owner(&lb_pers_owners, ops->name, ops->params, params, buf, len, bad))
		return buf;
	if (params->buckets & (params->buckets - 1)) {
		snprintf(buf, len, "buckets must be a power of two (or 0 to size them from size)");
		return buf;
	}
	return NULL;
}

const struct lb_pers_ops *lb_pers_find(const char *name)
{
	long i = lb_param_owner_index(&lb_pers_owners, name);
	return i < 0 ? NULL : lb_pers_registry[i];
}

const char *lb_pers_names(char *buf, size_t len)
{
	return lb_param_owner_names(&lb_pers_owners, buf, len);
}
