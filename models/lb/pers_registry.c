/* The ordered registry of persistence methods. The order is the one help
 * text and "unknown persistence" messages list: from what a layer-4 device
 * can see to what only a layer-7 proxy can. */
#include "lbsim/lb_pers.h"

#include <stdio.h>
#include <string.h>

const struct lb_pers_ops *const lb_pers_registry[] = {
	&lb_pers_source_ip,
	&lb_pers_ssl_session_id,
	&lb_pers_cookie,
};

const size_t lb_pers_registry_len = sizeof lb_pers_registry / sizeof lb_pers_registry[0];

const struct lb_pers_ops *lb_pers_find(const char *name)
{
	for (size_t i = 0; name && i < lb_pers_registry_len; i++)
		if (strcmp(lb_pers_registry[i]->name, name) == 0)
			return lb_pers_registry[i];
	return NULL;
}

const char *lb_pers_names(char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < lb_pers_registry_len && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 lb_pers_registry[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
