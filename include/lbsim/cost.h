/* The balancer's cost model: CPU for every operation a design performs,
 * memory for what it holds.
 *
 * Every operation the simulated balancer performs is counted (struct
 * cost_counts); CPU time is the sum of counts times per-operation prices
 * (struct cost_params), so a reported CPU figure can always be traced back
 * to counts and prices. The prices come from a cost profile (a file of
 * figures, each with its source: profiles/, /work/team format note in the
 * README "Cost profiles"); every figure has one name, used alike in profile
 * files and in a design's `costs:` overrides (cost_figures[]).
 */
#ifndef LBSIM_COST_H
#define LBSIM_COST_H

#include <stddef.h>
#include <stdint.h>

/* How a design's balancer is built: what it does per packet and per byte. */
enum cost_impl {
	COST_IMPL_PROXY = 0, /* user space: accepts, holds two sockets, copies every byte */
	COST_IMPL_KERNEL_NAT, /* kernel forwarder, NAT: both directions pass through it */
	COST_IMPL_KERNEL_DR,  /* kernel forwarder, direct return: inbound only */
	COST_IMPL_COUNT
};

/* The certificate a TLS-terminating design serves. */
enum cost_cert { COST_CERT_RSA_2048 = 0, COST_CERT_ECDSA_P256, COST_CERT_COUNT };

/* The bulk cipher of its TLS connections. */
enum cost_cipher {
	COST_CIPHER_AES_256_GCM = 0,
	COST_CIPHER_AES_128_GCM,
	COST_CIPHER_CHACHA20_POLY1305,
	COST_CIPHER_COUNT
};

/* HAProxy's http-reuse: which idle backend connection a request may take. */
enum cost_reuse {
	COST_REUSE_SAFE = 0, /* the default: a connection's first request on a new one, later ones on any idle */
	COST_REUSE_NEVER,    /* a client connection's backend connections are its own */
	COST_REUSE_ALWAYS,   /* any request on any idle connection of its server */
	COST_REUSE_COUNT
};

/* The figures: CPU as ns of one core per operation or per byte, memory in
 * bytes, counts, times in seconds. X(id, name, kind, member). */
enum cost_kind {
	COST_KIND_OP,    /* ns per operation */
	COST_KIND_BYTE,  /* ns per byte */
	COST_KIND_MEM,   /* bytes */
	COST_KIND_COUNT, /* a number of things */
	COST_KIND_TIME,  /* seconds */
};
#define COST_FIGURES(X)                                                        \
	X(PACKET, "packet", COST_KIND_OP, packet_ns)                          \
	X(FLOW_SETUP, "flow-setup", COST_KIND_OP, flow_setup_ns)              \
	X(ACCEPT, "accept", COST_KIND_OP, accept_ns)                          \
	X(CONNECT, "connect", COST_KIND_OP, connect_ns)                       \
	X(HTTP_REQUEST, "http-request", COST_KIND_OP, http_request_ns)        \
	X(TLS_FULL_RSA, "tls-full-rsa-2048", COST_KIND_OP, tls_full_ns[COST_CERT_RSA_2048]) \
	X(TLS_FULL_ECDSA, "tls-full-ecdsa-p256", COST_KIND_OP, tls_full_ns[COST_CERT_ECDSA_P256]) \
	X(TLS_RESUME_12, "tls-resume-12", COST_KIND_OP, tls_resume_12_ns)     \
	X(TLS_RESUME_13, "tls-resume-13", COST_KIND_OP, tls_resume_13_ns)     \
	X(TLS_BACKEND_FULL, "tls-backend-full", COST_KIND_OP, tls_backend_full_ns) \
	X(TLS_BACKEND_RESUME, "tls-backend-resume", COST_KIND_OP, tls_backend_resume_ns) \
	X(PERSIST, "persist", COST_KIND_OP, persist_ns)                       \
	X(PROBE, "probe", COST_KIND_OP, probe_ns)                             \
	X(RELAY, "relay", COST_KIND_BYTE, relay_byte_ns)                      \
	X(RELAY_MESSAGE, "relay-message", COST_KIND_OP, relay_message_ns)     \
	X(AES_128_GCM, "aes-128-gcm", COST_KIND_BYTE, crypto_byte_ns[COST_CIPHER_AES_128_GCM]) \
	X(AES_256_GCM, "aes-256-gcm", COST_KIND_BYTE, crypto_byte_ns[COST_CIPHER_AES_256_GCM]) \
	X(CHACHA20, "chacha20-poly1305", COST_KIND_BYTE, crypto_byte_ns[COST_CIPHER_CHACHA20_POLY1305]) \
	X(TLS_RECORD, "tls-record", COST_KIND_OP, tls_record_ns)              \
	X(WAKEUP, "wakeup", COST_KIND_OP, wakeup_ns)                          \
	X(FLOW_BYTES, "flow-bytes", COST_KIND_MEM, flow_bytes)                \
	X(FLOW_BUCKET_BYTES, "flow-bucket-bytes", COST_KIND_MEM, flow_bucket_bytes) \
	X(CONN_BYTES, "conn-bytes", COST_KIND_MEM, conn_bytes)                \
	X(SOCKET_BUFFER_BYTES, "socket-buffer-bytes", COST_KIND_MEM, socket_buffer_bytes) \
	X(BUFFER_BYTES, "buffer-bytes", COST_KIND_MEM, buffer_bytes)          \
	X(TLS_STATE_BYTES, "tls-state-bytes", COST_KIND_MEM, tls_state_bytes) \
	X(TLS_BACKEND_STATE_BYTES, "tls-backend-state-bytes", COST_KIND_MEM, tls_backend_state_bytes) \
	X(TLS_BUFFER_BYTES, "tls-buffer-bytes", COST_KIND_MEM, tls_buffer_bytes) \
	X(STREAM_BYTES, "stream-bytes", COST_KIND_MEM, stream_bytes)          \
	X(TLS_CACHE_ENTRY_BYTES, "tls-cache-entry-bytes", COST_KIND_MEM, tls_cache_entry_bytes) \
	X(FLOW_BUCKETS, "flow-buckets", COST_KIND_COUNT, flow_buckets)        \
	X(TLS_CACHE_SIZE, "tls-cache-size", COST_KIND_COUNT, tls_cache_size)  \
	X(FLOW_LINGER, "flow-linger", COST_KIND_TIME, flow_linger_s)          \
	X(BACKEND_IDLE_TIMEOUT, "backend-idle-timeout", COST_KIND_TIME, backend_idle_timeout_s) \
	X(MTU, "mtu", COST_KIND_MEM, mtu_payload)

enum cost_figure {
#define COST_FIGURE_ENUM(id, name, kind, member) COST_FIG_##id,
	COST_FIGURES(COST_FIGURE_ENUM)
#undef COST_FIGURE_ENUM
	COST_FIG_COUNT
};
_Static_assert(COST_FIG_COUNT <= 64, "a profile's given figures fit one 64-bit mask");

/* One price list (see the README "Cost profiles" for every figure's
 * meaning and the sources of the shipped values). */
struct cost_params {
	double packet_ns;             /* kernel: forward one packet (either direction) */
	double flow_setup_ns;         /* kernel: schedule a new flow, insert and remove its entry */
	double accept_ns;             /* proxy: accept a client connection and close it */
	double connect_ns;            /* proxy: open a connection to a server and close it */
	double http_request_ns;       /* layer 7: parse, route, forward a request and its answer's headers */
	double tls_full_ns[COST_CERT_COUNT]; /* TLS server: full handshake by certificate key */
	double tls_resume_12_ns;      /* TLS server: TLS 1.2 session-id or ticket resumption */
	double tls_resume_13_ns;      /* TLS server: TLS 1.3 PSK resumption with (EC)DHE */
	double tls_backend_full_ns;   /* TLS client (re-encryption): full handshake to a server */
	double tls_backend_resume_ns; /* TLS client: resumed handshake to a server */
	double persist_ns;            /* one persistence lookup (and insert on a miss) */
	double probe_ns;              /* one health-check probe */
	double relay_byte_ns;         /* proxy: one byte through user space (recv + send) */
	double relay_message_ns;      /* layer-4 proxy: one message relayed (its recv and send) */
	double crypto_byte_ns[COST_CIPHER_COUNT]; /* encrypt or decrypt one byte */
	double tls_record_ns;         /* seal or open one TLS record, beyond its bytes' cipher */
	double wakeup_ns;             /* proxy: wake an idle thread (epoll_wait's return, the
				       * switch in, its caches refilled) */
	double flow_bytes;            /* kernel: one connection entry */
	double flow_bucket_bytes;     /* kernel: one hash bucket */
	double conn_bytes;            /* proxy: one TCP connection held, idle, per side */
	double socket_buffer_bytes;   /* proxy: one socket's kernel buffers while data moves */
	double buffer_bytes;          /* proxy: one data buffer; two per connection with data in flight */
	double tls_state_bytes;       /* a TLS connection held idle (record buffers released) */
	double tls_backend_state_bytes; /* re-encryption: a TLS connection to a server (the
					 * proxy its client: the server's certificate, the
					 * session, what a request in flight holds) */
	double tls_buffer_bytes;      /* a TLS connection's record buffers while data moves */
	double stream_bytes;          /* layer 7: one request's state from request to answer */
	double tls_cache_entry_bytes; /* one slot of the TLS session cache */
	double flow_buckets;          /* kernel: hash buckets */
	double tls_cache_size;        /* TLS session cache slots, allocated at start */
	double flow_linger_s;         /* kernel: an entry outlives its connection's close */
	double backend_idle_timeout_s; /* proxy: an idle backend connection is closed after */
	double mtu_payload;           /* payload bytes per packet */
};

/* What each figure is called and where it lives in struct cost_params. */
struct cost_figure_def {
	const char *name;
	enum cost_kind kind;
	size_t offset;
};
extern const struct cost_figure_def cost_figures[COST_FIG_COUNT];

static inline double *cost_figure_ptr(struct cost_params *p, enum cost_figure f)
{
	return (double *)((char *)p + cost_figures[f].offset);
}
static inline double cost_figure_get(const struct cost_params *p, enum cost_figure f)
{
	return *(const double *)((const char *)p + cost_figures[f].offset);
}

/* The figure called name, or -1. */
int cost_figure_find(const char *name, size_t len);

/* Names of the implementation kinds, certificates and ciphers, as a
 * scenario writes them (indexable by their enums). */
extern const char *const cost_impl_names[COST_IMPL_COUNT];
extern const char *const cost_cert_names[COST_CERT_COUNT];
extern const char *const cost_cipher_names[COST_CIPHER_COUNT];
extern const char *const cost_reuse_names[COST_REUSE_COUNT];

/* The figures a design built as impl (layer 7 when l7; its certificate,
 * cipher and re-encryption) reads: a bit (1 << enum cost_figure) each. */
uint64_t cost_figures_needed(enum cost_impl impl, int l7, enum cost_cert cert,
			     enum cost_cipher cipher, int reencrypt);

/* The memory a balancer holds, by what holds it (bytes). */
struct cost_mem {
	double conn_base;   /* client connections held, idle state: sockets, proxy and TLS state */
	double buffers;     /* buffers of connections moving bytes (their relay time) */
	double streams;     /* layer 7: state of requests in flight (stream, HTTP transaction) */
	double backend;     /* connections to the servers, in use or idle in the pools */
	double caches;      /* the TLS session cache, allocated whole at start */
	double tables;      /* the core's tables (persistence, Maglev), a kernel's flow table */
};
static inline double cost_mem_total(const struct cost_mem *m)
{
	return m->conn_base + m->buffers + m->streams + m->backend + m->caches + m->tables;
}

/* Operations counted over a window. */
struct cost_counts {
	uint64_t packets;          /* kernel: forwarded */
	uint64_t flows;            /* kernel: flows set up */
	uint64_t accepts;          /* proxy: client connections accepted */
	uint64_t connects;         /* proxy: connections opened to servers */
	uint64_t relay_bytes;      /* proxy: bytes moved through user space */
	uint64_t relay_messages;   /* layer-4 proxy: messages relayed (a recv and a send each) */
	uint64_t http_requests;
	uint64_t tls_full[COST_CERT_COUNT]; /* client-side full handshakes by certificate */
	uint64_t tls_resume_12;
	uint64_t tls_resume_13;
	uint64_t tls_backend_full;
	uint64_t tls_backend_resume;
	uint64_t crypto_bytes[COST_CIPHER_COUNT]; /* bytes encrypted or decrypted */
	uint64_t tls_records;      /* TLS records sealed or opened */
	uint64_t persist_ops;
	uint64_t probes;
	/* proxy: events from the network that find its thread busy or idle
	 * (a connection, a message, a close, a probe's answer: models/
	 * balancer/traffic.c), and of them those that found it idle and woke
	 * it, by the window's load (cost_wakeups; ledger.c). Arrivals are
	 * priced by nothing: their work is in the operations they bring. */
	uint64_t arrivals;
	uint64_t wakeups;
};

/* How many of figure f's operations (or bytes) c counts; 0 for a figure
 * that prices no operation (memory, counts, times). */
uint64_t cost_count_of(const struct cost_counts *c, enum cost_figure f);

/* CPU nanoseconds that counts cost at params: the sum over the figures of
 * count times price. */
double cost_cpu_ns(const struct cost_params *p, const struct cost_counts *c);

/* Wake-ups of a proxy in a window of window_ns with threads threads (>
 * 0), whose operations cost base_ns and of whose arrivals events each
 * wakes it if it finds its thread idle: arrivals x (1 - u), u its
 * threads' busy share. A wake-up is work too, so u counts it:
 *   u = (base + wakeup x W) / (threads x window),  W = arrivals x (1 - u)
 * solved for u: u = (base + wakeup x arrivals) / (threads x window +
 * wakeup x arrivals), at most 1 (a proxy busy the whole window never
 * sleeps). Returns W, not rounded. */
double cost_wakeups(double base_ns, double arrivals, double wakeup_ns, double window_ns,
		    double threads);

/* Add b into a. */
void cost_counts_add(struct cost_counts *a, const struct cost_counts *b);

/* Packets of a message of bytes (at least one). */
static inline uint64_t cost_packets(const struct cost_params *p, uint64_t bytes)
{
	uint64_t mtu = (uint64_t)p->mtu_payload;
	if (bytes == 0)
		return 1;
	/* The same quotient in 32 bits where it fits (every message but
	 * one of gigabytes): a 64-bit divide takes several times as long,
	 * and a kernel forwarder's every message pays one (issue 19). */
	if (bytes + mtu - 1 <= UINT32_MAX) /* bytes >= 1, so mtu fits too */
		return (uint32_t)(bytes + mtu - 1) / (uint32_t)mtu;
	return (bytes + mtu - 1) / mtu;
}

/* The most plaintext one TLS record carries: 2^14 bytes (RFC 8446 5.1,
 * RFC 5246 6.2.1). */
#define COST_TLS_RECORD_BYTES 16384u

/* TLS records of a message of bytes (at least one): each sender fills
 * its records (OpenSSL writes at most a record's worth per record). */
static inline uint64_t cost_tls_records(uint64_t bytes)
{
	return bytes == 0 ? 1 : (bytes + COST_TLS_RECORD_BYTES - 1) / COST_TLS_RECORD_BYTES;
}

#endif
