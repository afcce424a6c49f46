/* The kinds of simulation events (struct sim_event.kind): one list for the
 * whole simulator, so that `lbsim run --profile` can name where the time
 * went. The engine itself only counts them (SIM_PROFILE_KINDS). */
#ifndef LBSIM_EVENT_KIND_H
#define LBSIM_EVENT_KIND_H

enum ev_kind {
	EV_ARRIVAL = 1,       /* open traffic: the next request arrives (models/population.c) */
	EV_SERVER_DONE = 2,   /* a server or the balancer's cores finish a request (models/server.c) */
	EV_WARMUP_END = 3,    /* the measurement window opens (sim/world/run.c) */
	EV_SERVER_UNPARK = 4, /* a long-poll request's hold ends: it joins the queue */
	EV_QUEUE_TIMEOUT = 5, /* a request waited `timeout queue` for a server slot (sim/world) */
	EV_CONN = 10,         /* a connection's timer: think, retry or reconnect (models/clients/devices.c) */
	EV_PRESENCE = 11,     /* a user logs on or off (the population's daily profile) */
	EV_FAULT = 20,        /* a fault begins or ends (sim/world/world_events.c) */
	EV_PROBE = 21,        /* a health check probes a server */
	EV_SAMPLE = 22,       /* a 10 s sampling window closes */
};

/* A short name for kind ("connection timer"); "other" for unknown kinds. */
const char *ev_kind_name(unsigned kind);

#endif
