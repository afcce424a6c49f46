/* The balancer core's one error convention (see lb.h): a function that
 * can fail returns 0 (or a count or index >= 0) on success and a negative
 * enum lb_err on failure, and is declared LB_MUST_CHECK. Its own header so
 * that every header of the core, address.h included, can use it. */
#ifndef LBSIM_LB_ERR_H
#define LBSIM_LB_ERR_H

/* What went wrong, as a negative return value. -1 stays "out of memory"
 * so that the callers' `< 0` and `!= 0` tests keep their meaning. */
enum lb_err {
	LB_OK = 0,
	LB_ENOMEM = -1,     /* memory short, or an algorithm's rebuild ran out of it */
	LB_EINVAL = -2,     /* a parameter refused: out of range, or not the kind's */
	LB_ERANGE = -3,     /* past the end: a server or pool index, an address past its prefix */
	LB_EFULL = -4,      /* a bounded table refuses a new entry (its policy when full) */
	LB_ETOOMANY = -5,   /* a fixed limit reached (pools or rules of a service) */
};

/* A sentence for err (an enum lb_err); "unknown error" for any other. */
const char *lb_strerror(int err);

/* On every function that returns an enum lb_err: its result must be read. */
#if defined(__GNUC__) || defined(__clang__)
#define LB_MUST_CHECK __attribute__((warn_unused_result))
#else
#define LB_MUST_CHECK
#endif

#endif
