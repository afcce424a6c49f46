/* Sub-service match kinds of layer-7 virtual services: `path-prefix` and
 * `host`, and their ordered registry.
 *
 * Both compare ignoring ASCII case (Exchange virtual directories arrive as
 * /owa, /OWA or /Owa, and DNS names are case-insensitive). The rule value is
 * lower-cased once when the sub-service is added (lb_vs_add_subservice, as
 * the kind's icase flag asks), so a match folds only the request's bytes: one
 * pass over at most the value's length, no allocation, no locale (tolower()
 * would consult it, and a Turkish locale folds 'I' differently).
 *
 * path-prefix matches whole path segments (see lb_vs.h for the choice and
 * why it departs from HAProxy's plain path_beg). host ignores a ":port"
 * suffix of the Host header, since clients send one for non-default ports
 * and the rule names a host, not an endpoint.
 */
#include "lbsim/lb_vs.h"

#include <stdio.h>
#include <string.h>

static unsigned char ascii_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Contract: s is NUL-terminated, lower is lower-case and n bytes long.
 * 1 when the first n bytes of s equal lower ignoring ASCII case (s shorter
 * than n never matches: its NUL differs from every byte of lower). */
static int prefix_icase(const char *s, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)s[i]) != (unsigned char)lower[i])
			return 0;
	return 1;
}

/* Contract: s is NUL-terminated. 1 when it holds a space, a control
 * character or one of the bytes in banned. */
static int has_bad_byte(const char *s, const char *banned)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || strchr(banned, *p))
			return 1;
	return 0;
}

/* ---- path-prefix -------------------------------------------------------- */

static const char *path_prefix_check(const char *value)
{
	if (value[0] != '/')
		return "a path prefix starts with '/'";
	if (has_bad_byte(value, "?#"))
		return "a path prefix holds no space, control character, '?' or '#'";
	return NULL;
}

static int path_prefix_match(const struct lb_subservice *ss, const struct lb_request *req)
{
	const char *path = req->path;
	if (!path || !prefix_icase(path, ss->value, ss->len))
		return 0;
	if (ss->value[ss->len - 1] == '/')
		return 1;
	char next = path[ss->len];
	return next == '\0' || next == '/' || next == '?';
}

const struct lb_match_ops lb_match_path_prefix = {
	.name = "path-prefix",
	.description = "URL path begins with the value, whole segments, any case (/owa: /OWA/auth, not /owax)",
	.needs = LB_NEED_L7,
	.icase = 1,
	.check = path_prefix_check,
	.match = path_prefix_match,
};

/* ---- host --------------------------------------------------------------- */

static const char *host_check(const char *value)
{
	if (has_bad_byte(value, "/?#@"))
		return "a host holds no space, control character, '/', '?', '#' or '@'";
	if (value[0] == '[') {
		const char *close = strchr(value, ']');
		if (!close || close[1] != '\0')
			return "an IPv6 host is written [address], with nothing after ']'";
	} else if (strchr(value, ':')) {
		return "a host rule names a host, not host:port (the port of the Host header is ignored)";
	}
	return NULL;
}

/* Length of the host part of a Host header value: up to a ":port", which
 * for an IPv6 literal comes after its ']'. */
static size_t host_name_len(const char *h)
{
	if (h[0] == '[') {
		const char *close = strchr(h, ']');
		return close ? (size_t)(close - h) + 1 : strlen(h);
	}
	const char *colon = strchr(h, ':');
	return colon ? (size_t)(colon - h) : strlen(h);
}

static int host_match(const struct lb_subservice *ss, const struct lb_request *req)
{
	const char *h = req->host;
	if (!h || host_name_len(h) != ss->len)
		return 0;
	return prefix_icase(h, ss->value, ss->len);
}

const struct lb_match_ops lb_match_host = {
	.name = "host",
	.description = "Host header equals the value, any case, port ignored",
	.needs = LB_NEED_L7,
	.icase = 1,
	.check = host_check,
	.match = host_match,
};

/* ---- registry ----------------------------------------------------------- */

const struct lb_match_ops *const lb_match_registry[] = {
	&lb_match_path_prefix,
	&lb_match_host,
};

const size_t lb_match_registry_len = sizeof lb_match_registry / sizeof lb_match_registry[0];

const struct lb_match_ops *lb_match_find(const char *name)
{
	for (size_t i = 0; name && i < lb_match_registry_len; i++)
		if (strcmp(lb_match_registry[i]->name, name) == 0)
			return lb_match_registry[i];
	return NULL;
}

const char *lb_match_names(char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < lb_match_registry_len && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 lb_match_registry[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}
