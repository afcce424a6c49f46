/* The ordered registry of health-check kinds, from the cheapest probe that
 * sees least to the dearest that sees most. */
#include "lbsim/lb_health.h"

#include <stdio.h>
#include <string.h>

const struct lb_hc_ops *const lb_hc_registry[] = {
	&lb_hc_tcp,
	&lb_hc_http,
	&lb_hc_deep,
};

const size_t lb_hc_registry_len = sizeof lb_hc_registry / sizeof lb_hc_registry[0];

const struct lb_hc_ops *lb_hc_find(const char *name)
{
	for (size_t i = 0; name && i < lb_hc_registry_len; i++)
		if (strcmp(lb_hc_registry[i]->name, name) == 0)
			return lb_hc_registry[i];
	return NULL;
}

const char *lb_hc_names(char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < lb_hc_registry_len && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 lb_hc_registry[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
