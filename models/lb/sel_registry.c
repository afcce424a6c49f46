/* The ordered registry of selection algorithms. The order is the one help
 * text and "unknown balance" messages list: the round-robin family, then
 * load-aware, then hashing, then random. */
#include "lbsim/lb_sel.h"
#include "lbsim/lb_param.h"

#include <stdio.h>
#include <string.h>

const struct lb_sel_ops *const lb_sel_registry[] = {
	&lb_sel_roundrobin,
	&lb_sel_static_rr,
	&lb_sel_leastconn,
	&lb_sel_first,
	&lb_sel_source,
	&lb_sel_uri,
	&lb_sel_hdr,
	&lb_sel_random,
};

const size_t lb_sel_registry_len = sizeof lb_sel_registry / sizeof lb_sel_registry[0];

/* Only `hdr` takes an argument today; when a second one does, the argument
 * should become a field of struct lb_sel_ops. */
const struct lb_sel_ops *lb_sel_parse(const char *spec, struct lb_sel_params *params)
{
	if (!spec)
		return NULL;
	const char *open = strchr(spec, '(');
	if (!open) {
		const struct lb_sel_ops *ops = lb_sel_find(spec);
		return ops == &lb_sel_hdr ? NULL : ops;
	}
	size_t namelen = (size_t)(open - spec);
	size_t arglen = strlen(open + 1);
	if (namelen != strlen(lb_sel_hdr.name) || strncmp(spec, lb_sel_hdr.name, namelen) != 0)
		return NULL;
	if (arglen < 2 || open[arglen] != ')' || arglen - 1 >= sizeof params->hdr_name)
		return NULL;
	if (memchr(open + 1, '(', arglen - 1) || memchr(open + 1, ')', arglen - 1))
		return NULL;
	memcpy(params->hdr_name, open + 1, arglen - 1);
	params->hdr_name[arglen - 1] = '\0';
	return &lb_sel_hdr;
}

static const struct lb_param *sel_table(size_t i)
{
	return lb_sel_registry[i]->params;
}

static const char *sel_name(size_t i)
{
	return lb_sel_registry[i]->name;
}

const struct lb_param_owners lb_sel_owners = {
	.n = sizeof lb_sel_registry / sizeof lb_sel_registry[0],
	.table = sel_table,
	.name = sel_name,
	.applies = LB_PARAM_APPLIES "balance %s only, not %s",
};

const struct lb_sel_ops *lb_sel_find(const char *name)
{
	long i = lb_param_owner_index(&lb_sel_owners, name);
	return i < 0 ? NULL : lb_sel_registry[i];
}

const char *lb_sel_check(const struct lb_sel_ops *ops, const struct lb_sel_params *params,
			 uint32_t nservers, char *buf, size_t len, const struct lb_param **bad)
{
	if (bad)
		*bad = NULL;
	if (!ops)
		return NULL;
	if (lb_param_check_owner(&lb_sel_owners, ops->name, ops->params, params, buf, len, bad))
		return buf;
	const char *why = ops->check ? ops->check(params, nservers) : NULL;
	if (why)
		snprintf(buf, len, "%s", why);
	return why ? buf : NULL;
}

const char *lb_sel_names(char *buf, size_t len)
{
	return lb_param_owner_names(&lb_sel_owners, buf, len);
}
