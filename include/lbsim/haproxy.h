/* HAProxy configurations in and out.
 *
 * In: hap_cfg_parse reads haproxy.cfg into sections and words, as HAProxy's
 * own tokenizer does (spaces between words, '#' comments, double and
 * single quotes, backslash escapes); hap_import turns its frontends and
 * backends into lbsim designs: a mode http frontend terminating TLS (`bind
 * ... ssl crt`) is an l7 design whose `use_backend ... if { path_beg ... }`
 * rules are its sub-services; one mode tcp frontend is an l4 design; mode
 * tcp frontends with a backend per workload together are one l4-multi
 * design. From the backends come `balance`, `hash-type`,
 * `hash-balance-factor`, `cookie ... insert`, `stick-table` with `stick on
 * src` (source-ip, `ipmask()` for a netmask, `nopurge` for refusing when
 * full) or the SSL session id recipe (`payload_lv(43,1)`), `option httpchk`
 * and `http-check send/expect` (an Authorization header makes it a deep
 * check), `timeout check`, the servers' `check inter fastinter downinter
 * rise fall init-state` (on `server` or `default-server` lines), `ssl` on
 * server lines (re-encryption), the number of servers; from `global`,
 * `nbthread` (the balancer's cores). `defaults` sections apply to the
 * proxies after them. Every line lbsim does not model is listed with its
 * line number and why, never silently dropped.
 *
 * Out: hap_export writes one design of a scenario as a configuration
 * HAProxy 2.6 accepts (tests run `haproxy -c` on every export), which
 * hap_import reads back into the same design. A design HAProxy cannot
 * express (maglev, hash functions it does not have) is refused with the
 * reason; what HAProxy does not configure (lbsim's cost figures, the
 * balancer queue, a cookie table's size) is listed as a note.
 */
#ifndef LBSIM_HAPROXY_H
#define LBSIM_HAPROXY_H

#include <stddef.h>
#include <stdio.h>

#include "lbsim/address.h"
#include "lbsim/scenario.h"

struct hap_word {
	char *s;
	unsigned column;           /* from 1 */
};

struct hap_line {
	unsigned line;             /* from 1 */
	unsigned n;
	struct hap_word *w;
	int section;               /* index of its section */
	int used;                  /* modelled by an import */
	char why[200];             /* why it is not (set by the import; "" for "not modelled") */
};

struct hap_section {
	const char *kind;          /* "global", "defaults", "frontend", "backend", "listen", ... */
	char name[128];            /* "" when none */
	unsigned line;
	unsigned first, count;     /* its directive lines: lines[first .. first + count) */
	int header;                /* index of the section's own line */
};

struct hap_cfg {
	char path[512];
	struct hap_line *lines;    /* every non-blank line, section lines included */
	unsigned nlines;
	struct hap_section *secs;
	unsigned nsecs;
};

struct hap_error {
	char file[512];
	unsigned line, column;     /* 0 when no position applies */
	char message[512];
};

void hap_error_print(FILE *fp, const struct hap_error *err);

/* Read a configuration. Returns 0, or -1 with *err (an unreadable file, a
 * quote that does not close, a directive outside any section). */
int hap_cfg_parse(const char *path, struct hap_cfg **out, struct hap_error *err);
int hap_cfg_parse_buffer(const char *name, const char *text, size_t len, struct hap_cfg **out,
			 struct hap_error *err);
void hap_cfg_free(struct hap_cfg *cfg);

#define HAP_MAX_FROM 64

/* What a `server` line (after the `default-server` lines before it) says
 * of the server itself, as lbsim's servers: list: keeps it. */
struct hap_server {
	uint32_t weight;           /* `weight`, 1 unless set */
	uint32_t maxconn;          /* `maxconn`, 0 (no limit) unless set */
	uint8_t backup;            /* `backup` */
	/* Its address and port as lbsim writes them ("10.0.1.11:443",
	 * "[2001:db8::7]:443"), or "" when the line gives a name or no port. */
	char address[LB_ADDR_TEXT_MAX + 8];
};

struct hap_import {
	struct scn_design designs[SCN_MAX_DESIGNS];
	char from[SCN_MAX_DESIGNS][HAP_MAX_FROM * 2]; /* the frontends each design came from */
	unsigned ndesigns;
	uint32_t servers;          /* servers of the largest pool */
	/* The servers of the design's first backend that lists any, one by
	 * one (lbsim's servers are one set for every design; a backend
	 * whose servers differ is noted). */
	struct hap_server each[SCN_MAX_SERVERS];
	uint32_t neach;
};

/* Import cfg's designs. Lines modelled are marked used; the others get a
 * reason in why (or keep "" for not modelled at all). Returns 0, or -1
 * with *err (a value lbsim needs that does not read, no frontend). */
int hap_import(struct hap_cfg *cfg, struct hap_import *out, struct hap_error *err);

/* The lines not modelled, "file:line: directive: why", one a line. Returns
 * how many. */
unsigned hap_print_unmodelled(FILE *fp, const struct hap_cfg *cfg, const char *prefix);

struct hap_export_opts {
	const char *crt;           /* the certificate bind ... ssl crt names (l7) */
	const char *server_base;   /* the first server's address (192.0.2.1); the next ones follow */
	unsigned haproxy_minor;    /* target version x 10: 26 (Debian 12's 2.6) or more */
	int nearest;               /* write what HAProxy can do that comes nearest, noting each
				    * substitution, instead of refusing */
};

/* Write design d of scn as a configuration. Returns 0, or -1 with a reason
 * in err (a design HAProxy cannot express). Notes (settings HAProxy does
 * not configure) go to notes, one a line, when notes is not NULL. */
int hap_export(FILE *fp, const struct scenario *scn, uint32_t d,
	       const struct hap_export_opts *o, FILE *notes, char *err, size_t errlen);

/* Compare two designs on what a configuration can express; 0 when the
 * same, else -1 with the first difference in why. */
int hap_design_compare(const struct scn_design *a, const struct scn_design *b, char *why,
		       size_t len);

#endif
