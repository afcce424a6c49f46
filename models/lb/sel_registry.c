/* The ordered registry of selection algorithms. The order is the one help
 * text and "unknown balance" messages list. */
#include "lbsim/lb_sel.h"

#include <stdio.h>
#include <string.h>

const struct lb_sel_ops *const lb_sel_registry[] = {
	&lb_sel_roundrobin,
};

const size_t lb_sel_registry_len = sizeof lb_sel_registry / sizeof lb_sel_registry[0];

const struct lb_sel_ops *lb_sel_find(const char *name)
{
	for (size_t i = 0; name && i < lb_sel_registry_len; i++)
		if (strcmp(lb_sel_registry[i]->name, name) == 0)
			return lb_sel_registry[i];
	return NULL;
}

const char *lb_sel_names(char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < lb_sel_registry_len && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 lb_sel_registry[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
