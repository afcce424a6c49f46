/* Address lists: one entry "ADDRESS [WEIGHT]" of a scenario's `list:`, or
 * one line of an address file, read the same way.
 *
 * An address file is read streamed, a line at a time into a fixed buffer,
 * so that a file of tens of millions of addresses costs the list it
 * becomes (4 bytes an IPv4 address, 16 an IPv6 one, 8 more each when
 * weighted: addr_list_bytes) and nothing more; a line longer than the
 * buffer, a NUL byte or a file with no address is refused with the file's
 * own name, line and column, as a scenario's own mistakes are.
 *
 * Grammar of a line: blanks (space, tab) around; an address (IPv4 or
 * IPv6, lb_addr_parse); optionally a blank or a comma and a weight (a
 * number > 0 in decimal, at most 1e15: how often the address is seen);
 * "#" starts a comment; blank lines and comment lines are skipped; CRLF
 * line ends are read as LF.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/address_plan.h"

#define LINE_MAX_BYTES 256
#define WEIGHT_MAX 1e15

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A weight: digits with at most one '.', and an optional exponent; 0, or
 * -1 with *why. */
static int parse_weight(const char *t, size_t len, double *out, const char **why)
{
	char buf[64];
	size_t i = 0, digits = 0;
	while (i < len && t[i] >= '0' && t[i] <= '9')
		i++, digits++;
	if (i < len && t[i] == '.')
		for (i++; i < len && t[i] >= '0' && t[i] <= '9'; i++)
			digits++;
	if (digits && i < len && (t[i] == 'e' || t[i] == 'E')) {
		size_t e = i + 1;
		if (e < len && (t[e] == '+' || t[e] == '-'))
			e++;
		size_t d = e;
		while (e < len && t[e] >= '0' && t[e] <= '9')
			e++;
		if (e > d)
			i = e;
	}
	if (!digits || i != len || len >= sizeof buf) {
		*why = "a weight is a number > 0 such as 3 or 0.5";
		return -1;
	}
	memcpy(buf, t, len);
	buf[len] = '\0';
	double w = strtod(buf, NULL);
	if (!(w > 0) || w > WEIGHT_MAX) {
		*why = "a weight is a number > 0 and at most 1e15";
		return -1;
	}
	*out = w;
	return 0;
}

int scn_address_entry(const char *text, size_t len, struct lb_addr *addr, double *weight,
		      int *weighted, const char **why, size_t *at)
{
	size_t i = 0;
	while (i < len && is_blank(text[i]))
		i++;
	size_t start = i;
	while (i < len && !is_blank(text[i]) && text[i] != ',')
		i++;
	struct lb_addr_error e;
	if (i == start) {
		*why = "expected an address";
		*at = start;
		return -1;
	}
	if (lb_addr_parse(text + start, i - start, addr, &e) != 0) {
		*why = e.why;
		*at = start + e.at;
		return -1;
	}
	while (i < len && is_blank(text[i]))
		i++;
	int comma = i < len && text[i] == ',';
	if (comma)
		for (i++; i < len && is_blank(text[i]);)
			i++;
	*weighted = 0;
	*weight = 1;
	if (i == len && !comma)
		return 0;
	size_t wstart = i;
	while (i < len && !is_blank(text[i]))
		i++;
	if (parse_weight(text + wstart, i - wstart, weight, why) != 0) {
		*at = wstart;
		return -1;
	}
	while (i < len && is_blank(text[i]))
		i++;
	if (i != len) {
		*why = "one address and at most one weight on a line";
		*at = i;
		return -1;
	}
	*weighted = 1;
	return 0;
}

/* Read one line of f into buf (without its end): its length, -1 at the end
 * of the file, -2 when longer than the buffer, -3 at a NUL byte (*nul
 * gets its place). */
static long read_line(FILE *f, char *buf, size_t n, size_t *nul)
{
	size_t len = 0;
	int ch;
	while ((ch = getc_unlocked(f)) != EOF && ch != '\n') {
		if (ch == '\0' && nul) {
			*nul = len;
			return -3;
		}
		if (len + 1 >= n)
			return -2;
		buf[len++] = (char)ch;
	}
	if (ch == EOF && len == 0)
		return -1;
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	return (long)len;
}

int scn_address_file(struct scn_ctx *c, const yaml_node_t *node, const char *shown,
		     const char *path, struct addr_list *list)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		scn_report(c, node, "cannot read address file %s: %s", shown, strerror(errno));
		return -1;
	}
	char buf[LINE_MAX_BYTES];
	unsigned line = 0;
	int rc = 0;
	for (;;) {
		size_t nul = 0;
		long len = read_line(f, buf, sizeof buf, &nul);
		line++;
		if (len == -1)
			break;
		if (len == -2 || len == -3) {
			if (len == -2)
				scn_report_in_file(c, node, path, line, LINE_MAX_BYTES,
						   "line longer than %d bytes: one address and "
						   "its weight per line", LINE_MAX_BYTES - 1);
			else
				scn_report_in_file(c, node, path, line, (unsigned)nul + 1,
						   "a NUL byte: not a text file of addresses");
			rc = -1;
			break;
		}
		char *hash = memchr(buf, '#', (size_t)len);
		size_t used = hash ? (size_t)(hash - buf) : (size_t)len;
		size_t k = 0;
		while (k < used && is_blank(buf[k]))
			k++;
		if (k == used)
			continue;
		struct lb_addr a;
		double w;
		int weighted;
		const char *why;
		size_t at;
		if (scn_address_entry(buf, used, &a, &w, &weighted, &why, &at) != 0) {
			scn_report_in_file(c, node, path, line, (unsigned)at + 1, "%s", why);
			rc = -1;
			break;
		}
		if (addr_list_count(list) >= SCN_MAX_FILE_ADDRESSES) {
			scn_report_in_file(c, node, path, line, 1, "more than %llu addresses",
					   (unsigned long long)SCN_MAX_FILE_ADDRESSES);
			rc = -1;
			break;
		}
		if (addr_list_add(list, &a, w, weighted) != 0) {
			scn_report_in_file(c, node, path, line, 1, "out of memory reading addresses");
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		scn_report(c, node, "cannot read address file %s: %s", shown, strerror(errno));
		rc = -1;
	}
	fclose(f);
	if (rc == 0 && addr_list_count(list) == 0) {
		scn_report_in_file(c, node, path, line > 1 ? line - 1 : 1, 1,
				   "no address in the file");
		rc = -1;
	}
	if (rc == 0 && addr_list_finish(list) != 0) {
		scn_report(c, node, "out of memory reading address file %s", shown);
		rc = -1;
	}
	return rc;
}
