/* The --profile table; see include/lbsim/profile.h. */
#include "lbsim/profile.h"

#include <inttypes.h>

#include "lbsim/event_kind.h"

static double percent(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0.0;
}

void profile_print(FILE *out, const struct sim_profile *p, size_t runs)
{
	uint64_t events = 0, handler_ns = 0;
	for (unsigned k = 0; k < SIM_PROFILE_KINDS; k++) {
		events += p->events[k];
		handler_ns += p->ns[k];
	}
	if (p->run_ns == 0) {
		fprintf(out, "lbsim: no profile was recorded (out of memory)\n");
		return;
	}
	double total = (double)p->run_ns;
	fprintf(out, "lbsim: profile of %zu run(s): %" PRIu64 " events, %.2f s in the event loops "
		"(each thread's wall time, summed)\n", runs, events, total / 1e9);
	fprintf(out, "  %-22s %14s %9s %11s %8s\n", "event kind", "events", "% events", "ns/event",
		"% time");
	/* Heaviest first: a selection over at most SIM_PROFILE_KINDS rows. */
	int shown[SIM_PROFILE_KINDS] = {0};
	for (;;) {
		int best = -1;
		for (unsigned k = 0; k < SIM_PROFILE_KINDS; k++)
			if (!shown[k] && p->events[k] && (best < 0 || p->ns[k] > p->ns[best]))
				best = (int)k;
		if (best < 0)
			break;
		shown[best] = 1;
		fprintf(out, "  %-22s %14" PRIu64 " %8.1f%% %11.1f %7.1f%%\n", ev_kind_name((unsigned)best),
			p->events[best], percent((double)p->events[best], (double)events),
			(double)p->ns[best] / (double)p->events[best], percent((double)p->ns[best], total));
	}
	double engine_ns = p->run_ns > handler_ns ? (double)(p->run_ns - handler_ns) : 0.0;
	fprintf(out, "  %-22s %14s %9s %11.1f %7.1f%%\n", "engine (event queue)", "-", "-",
		events ? engine_ns / (double)events : 0.0, percent(engine_ns, total));
	fprintf(out, "  (a handler's time includes the events it schedules and the two clock reads\n"
		     "   that time it; the event queue's row is popping and refilling alone)\n");
}
