/* Real HAProxy processes on loopback for the calibration (cal_hap.c):
 * a backend (a second HAProxy answering every request itself with
 * `http-request return`, plainly or over TLS, at once or held) and the
 * proxy under test, whose frontends are the balancer modes measured. */
#ifndef LBSIM_CAL_HAP_H
#define LBSIM_CAL_HAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a client connects: each a frontend of the proxy under test. */
enum hap_front {
	HF_TCP,            /* mode tcp to the backend's plain HTTP (/big: a large answer) */
	HF_ACCEPT,         /* mode tcp, every connection refused once accepted */
	HF_TCP_HELD,       /* mode tcp to the backend's held TLS (passthrough) */
	HF_TCP_TLS,        /* mode tcp to the backend's TLS, answered (passthrough) */
	HF_HTTP,           /* mode http, plain both sides */
	HF_TERM_RSA,       /* TLS terminated (RSA-2048), plain to the server; /held holds */
	HF_TERM_EC,        /* TLS terminated (ECDSA P-256), plain to the server */
	HF_TERM_NEVER,     /* as HF_TERM_RSA, http-reuse never */
	HF_REENC,          /* TLS terminated, TLS again to the server; /held holds */
	HF_REENC_NEVER,    /* as HF_REENC, http-reuse never */
	HF_REENC_FULL,     /* as HF_REENC_NEVER, no-ssl-reuse: full server handshakes */
	HF_TERM_LOCAL,     /* TLS terminated, answered by the proxy itself; /held holds */
	HF_COUNT
};

/* The backend's own listeners. */
enum hap_back { HB_PLAIN, HB_TLS, HB_HELD, HB_HELD_TLS, HB_COUNT };

/* The body of the backend's answer to /big: within one buffer (HAProxy's
 * `http-request return` answers fit in tune.bufsize less maxrewrite). */
#define HAP_BIG_BYTES 12000

struct hap_env {
	char dir[128];             /* private temporary folder */
	char version[64];          /* "2.6.12-1+deb12u4" */
	long bufsize;              /* its default tune.bufsize (haproxy -vv), 0 if unknown */
	uint16_t front[HF_COUNT];
	uint16_t back[HB_COUNT];
	pid_t backend;             /* the answering HAProxy */
	pid_t proxy;               /* the HAProxy measured, or 0 */
};

/* One phase of load on the proxy under test: a frontend, and what each
 * connection does there. */
struct cal_phase {
	const char *name;
	enum hap_front front;
	int tls, version, resume;  /* version: TLS1_2_VERSION or TLS1_3_VERSION */
	int requests;              /* per connection */
	const char *path;          /* "/" answers 2 B, "/big" HAP_BIG_BYTES */
	int expect_close;          /* the proxy closes each connection at once */
	int request_bytes;         /* 0: bare requests */
	int concurrency;           /* connections at a time; 0: CAL_HAP_CONCURRENCY */
	double think_s;            /* a client's wait before each request and connection
				    * (load_spec.think_s); 0: at once, as fast as it goes */
};

/* Connections at a time of a phase that does not say. */
#define CAL_HAP_CONCURRENCY 16

/* What the proxy spent over a phase, per connection completed. */
struct cal_phase_result {
	double cpu_ns;             /* its CPU time */
	double wakeups;            /* its voluntary context switches: sleeps ended by an event */
	double busy;               /* its CPU time over the phase's wall time (cores) */
	double full_share;         /* the share of TLS handshakes that were full */
};

/* Run p for seconds: what the proxy spent. Returns 0, or -1 with err (a
 * failed request or handshake; a resumption phase where over half were
 * full; /proc unreadable). */
int cal_hap_run_phase(const struct hap_env *e, const struct cal_phase *p, double seconds,
		      struct cal_phase_result *res, char *err, size_t errlen);

/* A fresh proxy's resident memory per connection with n connections on
 * front held idle (after `requests` requests each), then with one more
 * request each (held_path) kept in flight at the server: the growth from
 * n / 2 to n connections, so that what does not grow with them drops
 * out. Returns 0 or -1 (err). */
int cal_hap_mem(struct hap_env *e, enum hap_front front, int requests, const char *held_path,
		int n, double *idle, double *active, char *err, size_t errlen);

/* Find haproxy, make certificates and configurations, start the backend.
 * Returns 0, or -1 with err (haproxy missing, or would not start). */
int hap_env_init(struct hap_env *e, char *err, size_t errlen);
/* Start (or restart) the proxy under test, fresh. Returns 0 or -1. */
int hap_proxy_start(struct hap_env *e, char *err, size_t errlen);
void hap_proxy_stop(struct hap_env *e);
/* Stop both, remove every file. */
void hap_env_free(struct hap_env *e);

#endif
