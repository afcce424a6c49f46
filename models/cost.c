/* Default balancer costs, with their sources (DESIGN.md, "Default cost
 * figures"). They are starting points: measure your own hardware where you
 * can and override them per design (`costs:` in the scenario).
 *
 * HAProxy figures are for one core of a Core i7 at 3.7 GHz (HAProxy
 * management and intro manuals); per-operation costs are the inverse of the
 * published rates. Layer-4 forwarding figures are for Linux IPVS in NAT
 * mode; the kernel documentation gives memory, not CPU, so the CPU figures
 * below are stated assumptions (a core forwarding ~5 million packets a
 * second), to be replaced by a measurement of the user's own device.
 */
#include "lbsim/cost.h"

void cost_params_default(struct cost_params *p)
{
	*p = (struct cost_params){
		/* Assumption: ~5 Mpps per core for IPVS NAT forwarding. */
		.packet_ns = 200,
		/* Assumption: a new IPVS connection (scheduling, table insert)
		 * costs about five packets' work. */
		.flow_setup_ns = 1000,
		/* HAProxy: ~83,000 TCP connections/s per core. */
		.tcp_accept_ns = 1e9 / 83000,
		/* HAProxy: ~1,300 full RSA-2048 handshakes/s per core. */
		.tls_full_ns = 1e9 / 1300,
		/* HAProxy: ~13,100 resumed-TLS requests/s per core; the request
		 * part of that is counted separately (http_request_ns). */
		.tls_resumed_ns = 1e9 / 13100 - 1e9 / 160000,
		/* HAProxy: ~160,000 HTTPS requests/s per core on kept-alive
		 * connections (parsing, routing, small-message crypto). */
		.http_request_ns = 1e9 / 160000,
		/* HAProxy: AES-GCM ~4.6 Gbit/s per core. */
		.crypto_byte_ns = 8e9 / 4.6e9,
		/* Measured by tests/bench/bench_core_pers.c: a lookup costs one
		 * or two cache misses in a large table. */
		.persist_ns = 500,
		/* A probe: a TCP connection and a small HTTP exchange. */
		.probe_ns = 1e9 / 83000 + 1e9 / 160000,
		/* Linux IPVS Kconfig: ~128 bytes per connection entry, 8 bytes
		 * per hash bucket, 2^12 buckets by default. */
		.flow_bytes = 128,
		.flow_bucket_bytes = 8,
		.flow_buckets = 4096,
		/* HAProxy intro manual: about 8,000 client-side-TLS and 5,000
		 * TLS-both-sides connections per GB. */
		.conn_bytes = 1e9 / 8000,
		.conn_reencrypt_bytes = 1e9 / 5000,
		/* ~200 bytes per TLS session cache entry; HAProxy keeps
		 * sessions 300 s by default (tune.ssl.lifetime). */
		.tls_cache_entry_bytes = 200,
		.tls_cache_lifetime_s = 300,
		/* Ethernet MTU 1500 less IPv4 and TCP headers. */
		.mtu_payload = 1460,
	};
}

double cost_cpu_ns(const struct cost_params *p, const struct cost_counts *c)
{
	return p->packet_ns * (double)c->packets + p->flow_setup_ns * (double)c->flows +
	       p->tcp_accept_ns * (double)c->tcp_accepts + p->tls_full_ns * (double)c->tls_full +
	       p->tls_resumed_ns * (double)c->tls_resumed +
	       p->http_request_ns * (double)c->http_requests +
	       p->crypto_byte_ns * (double)c->crypto_bytes + p->persist_ns * (double)c->persist_ops +
	       p->probe_ns * (double)c->probes;
}

void cost_counts_add(struct cost_counts *a, const struct cost_counts *b)
{
	a->packets += b->packets;
	a->flows += b->flows;
	a->tcp_accepts += b->tcp_accepts;
	a->tls_full += b->tls_full;
	a->tls_resumed += b->tls_resumed;
	a->http_requests += b->http_requests;
	a->crypto_bytes += b->crypto_bytes;
	a->persist_ops += b->persist_ops;
	a->probes += b->probes;
}
