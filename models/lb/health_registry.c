/* The ordered registry of health-check kinds, from the cheapest probe that
 * sees least to the dearest that sees most. */
#include "lbsim/lb_health.h"
#include "lbsim/lb_param.h"

#include <stdio.h>
#include <string.h>

const struct lb_hc_ops *const lb_hc_registry[] = {
	&lb_hc_tcp,
	&lb_hc_http,
	&lb_hc_deep,
};

const size_t lb_hc_registry_len = sizeof lb_hc_registry / sizeof lb_hc_registry[0];

static const char *const init_names[] = {
	[LB_HC_INIT_UP] = "up",
	[LB_HC_INIT_FULLY_UP] = "fully-up",
	[LB_HC_INIT_DOWN] = "down",
	[LB_HC_INIT_FULLY_DOWN] = "fully-down",
};

#define DAY_NS 86400e9

/* HAProxy's defaults (src/check.c, doc/configuration.txt): inter 2s, rise
 * 2, fall 3; fastinter, downinter and timeout fall back to inter. Rise and
 * fall at most 100: past that a check takes minutes to react at any
 * sensible interval. */
const struct lb_param lb_hc_params_common[] = {
	{.name = "inter", .kind = LB_PARAM_DURATION, .store = LB_STORE_U64,
	 LB_PARAM_FIELD(struct lb_hc_params, inter_ns), .min = 1, .max = 30 * DAY_NS,
	 .flags = LB_PARAM_ZERO_DEFAULT, .dflt = (double)LB_HC_DEFAULT_INTER_NS,
	 .doc = "between probes while the check is steady"},
	{.name = "fastinter", .kind = LB_PARAM_DURATION, .store = LB_STORE_U64,
	 LB_PARAM_FIELD(struct lb_hc_params, fastinter_ns), .min = 1, .max = 30 * DAY_NS,
	 .flags = LB_PARAM_NO_DEFAULT, .zero = "inter",
	 .doc = "between probes while the state is changing"},
	{.name = "downinter", .kind = LB_PARAM_DURATION, .store = LB_STORE_U64,
	 LB_PARAM_FIELD(struct lb_hc_params, downinter_ns), .min = 1, .max = 30 * DAY_NS,
	 .flags = LB_PARAM_NO_DEFAULT, .zero = "inter",
	 .doc = "between probes while the server is down"},
	{.name = "timeout", .kind = LB_PARAM_DURATION, .store = LB_STORE_U64,
	 LB_PARAM_FIELD(struct lb_hc_params, timeout_ns), .min = 1, .max = 30 * DAY_NS,
	 .flags = LB_PARAM_NO_DEFAULT, .zero = "inter",
	 .doc = "a probe not answered within it fails"},
	{.name = "rise", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_hc_params, rise), .min = 1, .max = 100,
	 .flags = LB_PARAM_ZERO_DEFAULT, .dflt = LB_HC_DEFAULT_RISE, .unit = "probes",
	 .doc = "successes in a row that bring a server up"},
	{.name = "fall", .kind = LB_PARAM_WHOLE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_hc_params, fall), .min = 1, .max = 100,
	 .flags = LB_PARAM_ZERO_DEFAULT, .dflt = LB_HC_DEFAULT_FALL, .unit = "probes",
	 .doc = "failures in a row that take a server down"},
	{.name = "init", .kind = LB_PARAM_CHOICE, .store = LB_STORE_U32,
	 LB_PARAM_FIELD(struct lb_hc_params, init), .choices = init_names, .nchoices = 4,
	 .dflt = LB_HC_INIT_UP, .doc = "the state before the first probe (HAProxy init-state)"},
	LB_PARAM_END,
};

const struct lb_param lb_hc_params_request[] = {
	{.name = "path", .kind = LB_PARAM_TEXT, .store = LB_STORE_CHARS,
	 LB_PARAM_FIELD(struct lb_hc_params, path), .flags = LB_PARAM_NO_DEFAULT,
	 .zero = "the kind's page", .doc = "the page the probe asks for"},
	LB_PARAM_END,
};

static const struct lb_param *hc_table(size_t i)
{
	return lb_hc_registry[i]->params;
}

static const char *hc_name(size_t i)
{
	return lb_hc_registry[i]->name;
}

const struct lb_param_owners lb_hc_owners = {
	.n = sizeof lb_hc_registry / sizeof lb_hc_registry[0],
	.table = hc_table,
	.name = hc_name,
	.common = lb_hc_params_common,
	.applies = LB_PARAM_APPLIES "%s checks only, not %s",
};

const char *lb_hc_check(const struct lb_hc_ops *ops, const struct lb_hc_params *params,
			char *buf, size_t len, const struct lb_param **bad)
{
	return lb_param_check_owner(&lb_hc_owners, ops->name, ops->params, params, buf, len, bad);
}

const struct lb_hc_ops *lb_hc_find(const char *name)
{
	long i = lb_param_owner_index(&lb_hc_owners, name);
	return i < 0 ? NULL : lb_hc_registry[i];
}

const char *lb_hc_names(char *buf, size_t len)
{
	return lb_param_owner_names(&lb_hc_owners, buf, len);
}
