/* The steady time of a run; see include/lbsim/steady.h. At most
 * SCN_MAX_FAULTS spans, each looked at once per question: a request's
 * question is O(faults), and scenarios have a handful. */
#include "lbsim/steady.h"

sim_time_t steady_recovery_ns(const struct scenario *scn)
{
	sim_time_t checks = 0, backoff = 0;
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const struct lb_hc_params *p = &scn->designs[d].check.params;
		sim_time_t inter = p->downinter_ns ? p->downinter_ns
			       : p->inter_ns    ? p->inter_ns
						: LB_HC_DEFAULT_INTER_NS;
		sim_time_t t = (sim_time_t)(p->rise ? p->rise : LB_HC_DEFAULT_RISE) * inter;
		if (t > checks)
			checks = t;
	}
	uint32_t used = scn_workloads_used(scn);
	for (uint32_t i = 0; i < scn->npopulations; i++)
		for (int w = 0; w < WL_COUNT; w++)
			if ((used >> w & 1u) && scn->populations[i].client[w].backoff > backoff)
				backoff = scn->populations[i].client[w].backoff;
	return checks + backoff;
}

void steady_init(struct steady *s, const struct scenario *scn)
{
	s->begin = scn->warmup;
	s->end = scn->warmup + scn->duration;
	s->nspans = 0;
	sim_time_t recovery = steady_recovery_ns(scn);
	for (uint32_t f = 0; f < scn->nfaults && s->nspans < SCN_MAX_FAULTS; f++) {
		const struct scn_fault *x = &scn->faults[f];
		sim_time_t to = x->duration == SIM_TIME_NEVER || x->duration + recovery < x->duration ||
						x->at + x->duration + recovery < x->at
					? SIM_TIME_NEVER
					: x->at + x->duration + recovery;
		s->spans[s->nspans++] = (struct steady_span){x->at, to};
	}
}

int steady_between(const struct steady *s, sim_time_t from, sim_time_t to)
{
	if (from < s->begin || to > s->end || from >= to)
		return 0;
	for (uint32_t i = 0; i < s->nspans; i++)
		if (from < s->spans[i].to && s->spans[i].from < to)
			return 0;
	return 1;
}

int steady_at(const struct steady *s, sim_time_t t)
{
	/* steady_between(s, t, t + 1), asked for every request twice: t <
	 * end keeps t + 1 from overflowing, and a span meets [t, t + 1)
	 * when it holds t. */
	if (t < s->begin || t >= s->end)
		return 0;
	for (uint32_t i = 0; i < s->nspans; i++)
		if (s->spans[i].from <= t && t < s->spans[i].to)
			return 0;
	return 1;
}
