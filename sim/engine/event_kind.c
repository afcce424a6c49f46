/* Names of the simulation's event kinds, for the profile. */
#include "lbsim/event_kind.h"

const char *ev_kind_name(unsigned kind)
{
	switch ((enum ev_kind)kind) {
	case EV_ARRIVAL: return "open-traffic arrival";
	case EV_SERVER_DONE: return "server completion";
	case EV_WARMUP_END: return "warm-up end";
	case EV_SERVER_UNPARK: return "long-poll hold end";
	case EV_QUEUE_TIMEOUT: return "queue timeout";
	case EV_CONN: return "connection timer";
	case EV_PRESENCE: return "user log-on/off";
	case EV_FAULT: return "fault";
	case EV_PROBE: return "health probe";
	case EV_SAMPLE: return "sampling window";
	}
	return "other";
}
