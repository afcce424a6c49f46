/* The balancer's cost model: CPU for every operation a design performs,
 * memory for what it holds.
 *
 * Every operation the simulated balancer performs is counted (struct
 * cost_counts); CPU time is the sum of counts times per-operation costs
 * (struct cost_params), so a reported CPU figure can always be traced back
 * to counts and prices. Defaults come from public figures (DESIGN.md),
 * each cited where it is set (models/cost.c); scenarios override them.
 */
#ifndef LBSIM_COST_H
#define LBSIM_COST_H

#include <stdint.h>

/* Nanoseconds of one core per operation, and bytes per held object. */
struct cost_params {
	double packet_ns;          /* l4: forward one packet (either direction) */
	double flow_setup_ns;      /* l4: new flow: schedule and insert in the connection table */
	double tcp_accept_ns;      /* l7: accept a client connection (or open one to a server) */
	double tls_full_ns;        /* l7: full TLS handshake (RSA-2048) */
	double tls_resumed_ns;     /* l7: resumed TLS handshake */
	double http_request_ns;    /* l7: parse, route and forward one request and its response */
	double crypto_byte_ns;     /* l7: encrypt or decrypt one byte (AES-GCM) */
	double persist_ns;         /* one persistence lookup (and insert on a miss) */
	double probe_ns;           /* one health-check probe */
	double flow_bytes;         /* l4: connection-table entry */
	double flow_bucket_bytes;  /* l4: per hash bucket */
	double flow_buckets;       /* l4: hash buckets (IPVS: 2^12 by default) */
	double conn_bytes;         /* l7: one client connection, TLS terminated */
	double conn_reencrypt_bytes; /* l7: the same with TLS to the server too */
	double tls_cache_entry_bytes; /* l7: TLS session cache entry */
	double tls_cache_lifetime_s;  /* l7: how long a session stays cached */
	double mtu_payload;        /* bytes of payload per packet */
};

/* Operations counted over a window. */
struct cost_counts {
	uint64_t packets;
	uint64_t flows;            /* l4 flows set up */
	uint64_t tcp_accepts;      /* l7 connections accepted or opened */
	uint64_t tls_full;
	uint64_t tls_resumed;
	uint64_t http_requests;
	uint64_t crypto_bytes;     /* bytes encrypted or decrypted */
	uint64_t persist_ops;
	uint64_t probes;
};

/* The documented defaults. */
void cost_params_default(struct cost_params *p);

/* CPU nanoseconds that counts cost at params. */
double cost_cpu_ns(const struct cost_params *p, const struct cost_counts *c);

/* Add b into a. */
void cost_counts_add(struct cost_counts *a, const struct cost_counts *b);

/* Packets of a message of bytes (at least one). */
static inline uint64_t cost_packets(const struct cost_params *p, uint64_t bytes)
{
	uint64_t mtu = (uint64_t)p->mtu_payload;
	return bytes == 0 ? 1 : (bytes + mtu - 1) / mtu;
}

#endif
