/* How to read a log, as a command line (--format, --on-error,
 * --client-from, --capture, --user-header) or a scenario gives it: one
 * parser for every place that takes these settings. */
#include "lbsim/log_opts.h"

#include <stdio.h>
#include <string.h>

static int pick(const char *value, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(value, names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *const format_names[] = {"auto", "iis", "haproxy"};
static const char *const on_error_names[] = {"fail", "skip"};
static const char *const client_names[] = {"auto", "c-ip", "x-forwarded-for"};

int log_opts_set(struct log_opts *o, const char *key, char *value, char *err, size_t errlen)
{
	int k;
	if (strcmp(key, "format") == 0) {
		if ((k = pick(value, format_names, 3)) < 0)
			goto bad;
		o->format = (enum log_format)k;
	} else if (strcmp(key, "on-error") == 0) {
		if ((k = pick(value, on_error_names, 2)) < 0)
			goto bad;
		o->on_error = (enum log_on_error)k;
	} else if (strcmp(key, "client-from") == 0) {
		if ((k = pick(value, client_names, 3)) < 0)
			goto bad;
		o->client_from = (enum log_client_from)k;
	} else if (strcmp(key, "capture") == 0) {
		/* Names separated by commas, in place: value is the caller's. */
		o->ncaptures = 0;
		char *save = NULL;
		for (char *t = strtok_r(value, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (o->ncaptures == LOG_MAX_CAPTURES) {
				snprintf(err, errlen, "--capture names at most %d headers",
					 LOG_MAX_CAPTURES);
				return -1;
			}
			o->captures[o->ncaptures++] = t;
		}
		if (o->ncaptures == 0)
			goto bad;
	} else if (strcmp(key, "user-header") == 0) {
		if (!*value)
			goto bad;
		o->user_header = value;
	} else {
		snprintf(err, errlen, "unknown log setting '%s'", key);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "--%s: %s", key, log_opts_help(key));
	return -1;
}

const char *log_opts_help(const char *key)
{
	if (strcmp(key, "format") == 0)
		return "auto (default: from the first line), iis or haproxy";
	if (strcmp(key, "on-error") == 0)
		return "fail (default: the first malformed line stops, exit 2) or skip (counted, "
		       "the first ten shown)";
	if (strcmp(key, "client-from") == 0)
		return "auto (default: X-Forwarded-For when a line has it, else c-ip), c-ip or "
		       "x-forwarded-for";
	if (strcmp(key, "capture") == 0)
		return "the captured request headers of an HAProxy log, in the configuration's "
		       "order, separated by commas (e.g. Host,User-Agent,X-Forwarded-For)";
	if (strcmp(key, "user-header") == 0)
		return "the captured header that names the user (default X-User)";
	return "";
}
