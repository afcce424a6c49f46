/* What a request log says about a site's clients, for `lbsim fit`: the
 * figures a scenario needs, estimated from the log's requests as they
 * stream past (nothing is kept per line).
 *
 * Estimators (each the plain one for the model lbsim runs; the README's
 * "Fitting a scenario" says the same):
 * - CPU demand per workload: the mean and coefficient of variation of
 *   time taken over the workload's requests that are no long poll (time
 *   taken includes waiting and sending the answer: an upper bound);
 * - think time per workload: the mean gap from the end of a device's
 *   request to the start of its next (a device: one user's requests of
 *   one workload, long polls apart), gaps over FIT_AWAY_NS left out as
 *   the user away;
 * - long polls: the heartbeat (hold) is the longest time a poll was held;
 *   a poll held less than the heartbeat (by over FIT_CENSOR_NS) ended with
 *   a change, and the mean time until a change is the censored
 *   exponential's maximum-likelihood estimate, total time held / polls a
 *   change ended;
 * - sources: addresses grouped by prefix (an IPv4 /24, an IPv6 /64): a
 *   prefix whose addresses carry on average FIT_NAT_USERS or more users
 *   each is a NAT (its addresses counted), the others are users with
 *   addresses of their own; the users of a group (per workload too) are
 *   the distinct user names seen from it. A request without a user name
 *   is its address's anonymous user: a log without names (HAProxy's,
 *   but for ActiveSync's User=) cannot tell a NAT from users of their own.
 */
#ifndef LBSIM_LOG_FIT_H
#define LBSIM_LOG_FIT_H

#include <stdint.h>

#include "lbsim/log_reader.h"
#include "lbsim/workload.h"

#define FIT_AWAY_NS (4ll * 3600 * 1000000000)  /* a gap over 4 h: the user was away */
#define FIT_CENSOR_NS (1000000000ll)           /* held within 1 s of the heartbeat: no change */
#define FIT_NAT_USERS 2.0                      /* users per address that make a prefix a NAT */

struct fit_workload {
	uint64_t requests;          /* that are no long poll */
	double taken_sum_s, taken_sq_s;
	uint64_t gaps;              /* think-time gaps counted */
	double gap_sum_s;
	uint64_t polls;             /* long polls */
	double held_sum_s;
	int64_t held_max_ns;
	uint64_t changed;           /* polls held less than the heartbeat (set by log_fit_finish) */
};

/* A group of addresses: one NAT prefix, or every address of its own. */
struct fit_group {
	char name[64];              /* "direct", or "nat 198.51.100.0/24" */
	int nat;
	uint64_t users;             /* distinct users seen from it */
	uint64_t addresses;         /* distinct addresses */
	uint64_t wl_users[WL_COUNT];/* of them, users of each workload */
	struct log_addr *addrs;     /* its distinct addresses (naddrs), in address order */
	uint32_t naddrs;
	struct log_addr *nets;      /* its prefixes (/24, /64) with the host part zero */
	uint32_t nnets;
};

struct fit_result {
	uint64_t requests;          /* client requests read */
	uint64_t users;             /* distinct users */
	int64_t first_ns, last_ns;  /* the first arrival, the last end */
	struct fit_workload wl[WL_COUNT];
	struct fit_group *groups;   /* groups[0] is the direct one (maybe empty) */
	uint32_t ngroups;
};

struct log_fit;

int log_fit_new(struct log_fit **out);
/* One record (a client request: workload >= 0). Returns 0, or -1 when
 * memory is short. */
int log_fit_add(struct log_fit *f, const struct log_record *rec);
/* The figures, at most max_groups groups (the NAT prefixes with the
 * fewest users merged into one "nat other" group beyond that). Returns
 * 0, or -1 when memory is short; free with log_fit_result_free. */
int log_fit_finish(struct log_fit *f, uint32_t max_groups, struct fit_result *out);
void log_fit_result_free(struct fit_result *r);
void log_fit_free(struct log_fit *f);

#endif
