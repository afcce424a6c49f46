/* How `lbsim check` judges a figure against an expectation's bound, and
 * `lbsim plan` against a target.
 *
 * JUDGE_MEAN: the mean over the replications (check: an interval that
 * straddles the bound is uncertain, and the mean decides).
 * JUDGE_UPPER (--strict): the 95 % interval of the mean, so that a
 * straddle fails (plan: the interval's upper end).
 * JUDGE_EVERY (--every-replication): every replication, so the worst one
 * decides. An interval says how well the replications pin down the mean;
 * a real network is one draw of its arrivals and, where a design picks
 * servers from the client's address, of the addresses its clients show,
 * and the spread between draws does not narrow with more replications
 * (README: Intervals, and the report's "Skew that depends on the address
 * draw"). With R replications the worst is roughly the R/(R+1) quantile
 * of what one network may see.
 */
#ifndef LBSIM_JUDGE_H
#define LBSIM_JUDGE_H

enum judge_mode {
	JUDGE_MEAN = 0,
	JUDGE_UPPER,
	JUDGE_EVERY,
};

/* The option that asked for m ("--strict"), or "" for the mean. */
const char *judge_option(enum judge_mode m);

#endif
