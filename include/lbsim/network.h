/* The network between clients, the balancer and the servers: what a
 * request's response time owes to it.
 *
 * A population reaches the balancer over one kind of network (a LAN, a
 * branch's WAN link, a mobile carrier): a round-trip time and a jitter
 * (each round trip takes rtt plus an exponential extra of mean jitter).
 * A request costs its client one round trip (half on the way in, half on
 * the way out); a request on a new connection first pays the round trips
 * of the TCP and TLS handshakes (network_setup_round_trips). A layer-7
 * balancer, which holds its own connections to the servers, pays the
 * data-centre round trips of setting one up when it has no idle one to
 * reuse (models/balancer/backends.c).
 *
 * The figures live in models/network.c with their sources; scenarios
 * override them per population (rtt:, jitter:) and per design
 * (backend-rtt:; how long idle server connections are kept is the cost
 * profile's backend-idle-timeout).
 */
#ifndef LBSIM_NETWORK_H
#define LBSIM_NETWORK_H

#include <stdint.h>

#include "lbsim/engine.h"

enum network_kind {
	NETWORK_LAN = 0,    /* clients on the site's own LAN (the default) */
	NETWORK_WAN,        /* a branch office over a WAN link */
	NETWORK_MOBILE,     /* phones on a carrier's mobile network */
	NETWORK_COUNT
};

struct network_cfg {
	sim_time_t rtt;     /* round-trip time, client to balancer and back */
	sim_time_t jitter;  /* mean of the exponential extra each round trip takes (0: none) */
};

/* The documented figures of a kind of network. */
const struct network_cfg *network_default(enum network_kind k);
const char *network_kind_name(enum network_kind k);
/* The kind by name, or -1. */
int network_kind_of(const char *name);

/* Round trips a client waits before the first request of a new connection
 * can leave: TCP's handshake, then TLS's: tls 12 or 13 (the version),
 * resumed when the server accepts the session the client offered. */
uint32_t network_setup_round_trips(int tls, int resumed);

/* Round trips a layer-7 balancer waits to open a connection to a server:
 * TCP's, and with re-encryption a resumed TLS handshake. */
uint32_t network_backend_round_trips(int reencrypt);

/* Flights a message of bytes takes over TCP with segments of mss bytes
 * (at least 1): slow start from an initial window of 10 segments (RFC
 * 6928), doubling each round trip (RFC 5681 section 3.1); a connection
 * whose window has grown larger is not modelled. */
uint32_t network_message_flights(uint64_t bytes, uint64_t mss);

/* Default of the balancer's side (a design's backend-rtt): the round trip
 * from the balancer to a server in the same data centre (assumption). */
#define NETWORK_DEFAULT_BACKEND_RTT (200ull * 1000)             /* 0.2 ms */
/* The largest round trip or jitter a scenario may state. */
#define NETWORK_MAX_RTT (60ull * SIM_NS_PER_S)

#endif
