/* The transition log: a ring buffer of the latest state changes of a set of
 * checks. Bounded memory (cap events, allocated once), O(1) per event; when
 * it is full the oldest event is overwritten and only counted, so a long run
 * with a flapping server cannot grow the balancer's memory. */
#include "lbsim/lb_health.h"

#include <string.h>

int lb_hc_log_init(struct lb_hc_log *log, uint32_t cap)
{
	memset(log, 0, sizeof *log);
	if (cap == 0)
		return LB_EINVAL;
	log->ev = lb_mem_alloc(&log->mem, (size_t)cap * sizeof *log->ev);
	if (!log->ev)
		return LB_ENOMEM;
	log->cap = cap;
	return 0;
}

void lb_hc_log_free(struct lb_hc_log *log)
{
	lb_mem_free(&log->mem, log->ev, (size_t)log->cap * sizeof *log->ev);
	log->ev = NULL;
	log->cap = log->len = log->start = 0;
}

const struct lb_hc_event *lb_hc_log_at(const struct lb_hc_log *log, uint32_t i)
{
	if (i >= log->len)
		return NULL;
	return &log->ev[(log->start + i) % log->cap];
}
