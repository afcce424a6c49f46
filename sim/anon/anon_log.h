/* Rewriting a log with its identities anonymised (private to sim/anon/).
 *
 * What changes, by format (everything else is copied as it is, so that the
 * result reads exactly as the original in lbsim: the same workloads,
 * clients' kinds, times, NAT structure):
 *   W3C      c-ip, s-ip, X-Forwarded-For (and its other names): every
 *            address, prefix-preserving; cs-username: a pseudonym;
 *            cs-uri-query: User= a pseudonym, DeviceId= a token, any value
 *            holding an e-mail address a pseudonym; cs-uri-stem and cs-uri:
 *            a path segment holding an e-mail address a pseudonym;
 *            cs(Cookie) and cs(Referer): '-'.
 *   httplog  the client address (its port kept); the captured cookies:
 *            '-'; captured X-Forwarded-For and user headers (--capture);
 *            the request URI as cs-uri-stem and cs-uri-query above.
 * Host names (cs-host, the syslog host, a captured Host) and user agents
 * are kept: they name the company's servers and the clients' software, not
 * people. A line that cannot be parsed is never copied through (it could
 * hold anything): it fails the run or is dropped and counted.
 */
#ifndef LBSIM_ANON_LOG_H
#define LBSIM_ANON_LOG_H

#include <stdint.h>

#include "lbsim/anon.h"
#include "lbsim/log_reader.h"

struct anon_counts {
	uint64_t lines_in, lines_out, records, dropped;
	uint64_t addresses, names;     /* values rewritten */
};

/* Anonymise the log at in_path into the already open zlib stream out
 * (a gzFile, compressing or not). Returns 0, or -1 with *err filled (a
 * malformed line under LOG_ON_ERROR_FAIL, a read or write error). */
int anon_log_rewrite(const struct anon_keys *keys, struct cryptopan *cp, const char *in_path,
		     void *out, const struct log_opts *opts, struct anon_counts *counts,
		     struct log_error *err, FILE *messages);

#endif
