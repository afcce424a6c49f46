/* The flights of a TLS handshake as a device between client and server
 * sees them pass: a layer-4 proxy relays each one (a message: a recv and
 * a send, and its bytes), a kernel forwarder forwards its packets. A
 * TLS-terminating balancer is an end of the handshake instead: its price
 * (tls-full-*, tls-resume-*) already holds the messages' own I/O.
 *
 * The shapes are the message flows of RFC 8446 section 2 (TLS 1.3: full,
 * figure 1; PSK resumption with (EC)DHE, figure 3) and RFC 5246 section
 * 7.3 with RFC 5077 section 3.1 (TLS 1.2: full, and abbreviated by session
 * ticket); the sizes are models/tls_flights.c's, each with its source.
 */
#ifndef LBSIM_TLS_FLIGHTS_H
#define LBSIM_TLS_FLIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/cost.h"

/* The most flights of any handshake shape. */
#define TLS_MAX_FLIGHTS 4

/* One flight: what one side writes before it waits for the other. */
struct tls_flight {
	uint32_t bytes;      /* on the wire: records with their headers */
	uint8_t from_client; /* 1: client to server (inbound at the balancer) */
};

/* The flights of a handshake: TLS 1.3 (tls13) or 1.2, full or resumed,
 * the server's certificate key (full handshakes); written into out,
 * returns how many. */
size_t tls_handshake_flights(int tls13, int resumed, enum cost_cert cert,
			     struct tls_flight out[TLS_MAX_FLIGHTS]);

#endif
