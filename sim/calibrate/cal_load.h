/* The load client of the calibration (cal_load.c): HTTP/1.1 keep-alive
 * connections over loopback, plain or TLS (OpenSSL), driven by one epoll
 * loop in the calling thread. Two uses:
 *   load_run   a closed loop for a while: `concurrency` connections at a
 *              time, each sending `requests` requests one after another
 *              and then closing, a new one opened in its place; TLS
 *              sessions resumed or not; at once, or after a think time
 *              (a light load, as lbsim's keep-alive clients make it).
 *   load_hold  n connections opened and left idle after their requests
 *              (what an idle kept-alive client costs a proxy), then one
 *              more request on each that is never read (what a request in
 *              flight costs), then closed.
 */
#ifndef LBSIM_CAL_LOAD_H
#define LBSIM_CAL_LOAD_H

#include <netinet/in.h>
#include <stddef.h>

#define LOAD_REQUEST_MAX 4096

struct load_spec {
	struct sockaddr_in addr;   /* where to connect */
	int tls;                   /* 0: plain HTTP; 1: TLS */
	int tls_version;           /* TLS1_2_VERSION or TLS1_3_VERSION */
	int resume;                /* resume the last session on every new connection */
	int tickets;               /* TLS 1.2 resumption by ticket (1) or session id (0) */
	int requests;              /* requests per connection (>= 0 for load_hold) */
	int concurrency;           /* connections at a time (load_run) */
	double duration_s;         /* load_run: stop opening connections after this */
	const char *path;          /* request path, e.g. "/" */
	int expect_close;          /* after the requests, wait for the proxy to close */
	int request_bytes;         /* a request's size, padded with a header (0: as small
				    * as it comes, about 40 B; at most LOAD_REQUEST_MAX) */
	double think_s;            /* load_run: a client's mean wait (exponential) after an
				    * answer before its next request, and after a
				    * connection's last before it connects again (0: at
				    * once) */
};

struct load_result {
	long conns;                /* connections that completed every request */
	long requests;             /* answers read whole */
	long full, resumed;        /* TLS handshakes of each kind */
	long errors;               /* connections that failed */
	double elapsed_s;
	char error[200];           /* the first error */
};

/* Returns 0 when every connection succeeded, -1 otherwise (res->error). */
int load_run(const struct load_spec *s, struct load_result *res);

struct load_hold;
/* Open n connections, each sending s->requests requests; returns once all
 * are idle, or NULL with err. */
struct load_hold *load_hold_open(const struct load_spec *s, int n, char *err, size_t errlen);
/* Send one request for path on every held connection and do not read the
 * answers; returns after settle_s once every request is written. Returns
 * 0, or -1 with err (also when an answer came: the request was not held). */
int load_hold_send(struct load_hold *h, const char *path, double settle_s, char *err,
		   size_t errlen);
void load_hold_close(struct load_hold *h);

#endif
