/* The calibration's load client: HTTP/1.1 keep-alive connections, plain
 * or TLS, over non-blocking sockets and one edge-triggered epoll loop.
 *
 * Each connection is a small state machine (connect, TLS handshake, send
 * a request, read its answer, again until its requests are done, then
 * close or stay idle). It reads an answer by its Content-Length, which is
 * all HAProxy's `http-request return` sends; anything else (another
 * status, a closed connection, no Content-Length) is an error, because a
 * calibration built on failed requests would be wrong without saying so.
 *
 * Sessions: with `resume`, every new connection offers a ticket the
 * server gave an earlier one (OpenSSL's new-session callback keeps them):
 * a ticket not offered before when there is one (a TLS 1.3 server may
 * accept each ticket once: HAProxy keeps its TLS 1.3 sessions in its own
 * cache and answers a ticket offered twice with a full handshake; it
 * gives two tickets a connection, so they do not run out), else the
 * newest. The result counts what the server did (SSL_session_reused).
 *
 * Closing: a plain close() without TLS close_notify, as many clients do;
 * the client side's TIME_WAIT sockets are reused on loopback
 * (net.ipv4.tcp_tw_reuse = 2, Linux's default), so short connections do
 * not run out of ports.
 */
#include "cal_load.h"

#include <errno.h>
#include <math.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cal_internal.h"

enum conn_state {
	CS_FREE,
	CS_CONNECTING,
	CS_HANDSHAKE,
	CS_NEXT,                   /* decide: another request, idle, or close */
	CS_SEND,
	CS_READ,
	CS_DRAIN,                  /* requests done, waiting for the proxy to close */
	CS_IDLE,                   /* held: requests done, connection open */
	CS_THINK,                  /* waiting until due to send its next request */
	CS_PARKED,                 /* held: a request sent, its answer never read */
};

struct conn {
	int fd;
	SSL *ssl;
	enum conn_state state;
	int done;                  /* answers read */
	int limit;                 /* requests to send in all */
	int park;                  /* after sending, park instead of reading */
	const char *path;
	char req[LOAD_REQUEST_MAX + 1];
	size_t reqlen, reqoff;
	char head[4096];
	size_t headlen;
	long body_left;            /* -1 while the headers are incomplete */
	double due;                /* think time: when its next request goes (CS_THINK), or
				    * when its slot opens the next connection (CS_FREE) */
};

/* Tickets kept for connections to come. */
#define TICKETS_MAX 512

struct loader {
	const struct load_spec *s;
	SSL_CTX *ctx;
	SSL_SESSION *session;      /* the newest ticket's session, or NULL */
	SSL_SESSION *fresh[TICKETS_MAX]; /* tickets not offered yet, newest last */
	int nfresh;
	int ep;
	struct conn *conns;
	int nconns;
	int hold;                  /* connections stay open after their requests */
	uint64_t rng;              /* think times: xorshift64*, a fixed seed */
	struct load_result res;
};

static void fail_msg(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_msg(struct loader *l, const char *fmt, ...)
{
	l->res.errors++;
	if (l->res.error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->res.error, sizeof l->res.error, fmt, ap);
	va_end(ap);
}

/* OpenSSL gives the client each new session (a ticket, or a TLS 1.2
 * session id): keep it for a connection to come. Returns 1: the reference
 * is ours. */
static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct loader *l = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (!SSL_SESSION_is_resumable(sess)) {
		SSL_SESSION_free(sess);
		return 1;
	}
	SSL_SESSION_up_ref(sess);
	SSL_SESSION_free(l->session);
	l->session = sess;
	if (l->nfresh == TICKETS_MAX) {
		SSL_SESSION_free(l->fresh[0]);
		memmove(l->fresh, l->fresh + 1, (TICKETS_MAX - 1) * sizeof l->fresh[0]);
		l->nfresh--;
	}
	l->fresh[l->nfresh++] = sess;
	return 1;
}

static int loader_init(struct loader *l, const struct load_spec *s, int nconns, int hold,
		       char *err, size_t errlen)
{
	memset(l, 0, sizeof *l);
	l->s = s;
	l->rng = 0x9E3779B97F4A7C15ULL;
	l->hold = hold;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->conns = calloc((size_t)nconns, sizeof *l->conns);
	l->nconns = nconns;
	if (l->ep < 0 || !l->conns) {
		snprintf(err, errlen, "no memory or no epoll for %d connections", nconns);
		goto fail;
	}
	for (int i = 0; i < nconns; i++)
		l->conns[i].fd = -1;
	if (s->tls) {
		l->ctx = SSL_CTX_new(TLS_client_method());
		if (!l->ctx || SSL_CTX_set_min_proto_version(l->ctx, s->tls_version) != 1 ||
		    SSL_CTX_set_max_proto_version(l->ctx, s->tls_version) != 1) {
			snprintf(err, errlen, "OpenSSL refused a client context");
			goto fail;
		}
		/* The certificates are throwaway ones made for the run. */
		SSL_CTX_set_verify(l->ctx, SSL_VERIFY_NONE, NULL);
		SSL_CTX_set_session_cache_mode(l->ctx, SSL_SESS_CACHE_CLIENT |
							       SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_set_app_data(l->ctx, l);
		SSL_CTX_sess_set_new_cb(l->ctx, on_new_session);
		if (!s->tickets && s->tls_version == TLS1_2_VERSION)
			SSL_CTX_set_options(l->ctx, SSL_OP_NO_TICKET);
	}
	return 0;
fail:
	if (l->ep >= 0)
		close(l->ep);
	free(l->conns);
	SSL_CTX_free(l->ctx);
	return -1;
}

static void conn_close(struct conn *c, int finished)
{
	if (c->ssl) {
		/* A connection that finished closes without close_notify, as
		 * many clients do; OpenSSL is told it ended well, else it would
		 * forbid resuming its session. */
		if (finished)
			SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CS_FREE;
	ERR_clear_error();
}

static void loader_free(struct loader *l)
{
	for (int i = 0; i < l->nconns; i++)
		if (l->conns[i].state != CS_FREE)
			conn_close(&l->conns[i], 0);
	SSL_SESSION_free(l->session);
	for (int i = 0; i < l->nfresh; i++)
		SSL_SESSION_free(l->fresh[i]);
	SSL_CTX_free(l->ctx);
	free(l->conns);
	close(l->ep);
}

static int conn_open(struct loader *l, struct conn *c, int limit)
{
	memset(c, 0, sizeof *c);
	c->limit = limit;
	c->path = l->s->path;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail_msg(l, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (const struct sockaddr *)&l->s->addr, sizeof l->s->addr) != 0 &&
	    errno != EINPROGRESS) {
		fail_msg(l, "connect: %s", strerror(errno));
		goto fail;
	}
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				 .data.ptr = c};
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		fail_msg(l, "epoll: %s", strerror(errno));
		goto fail;
	}
	if (l->ctx) {
		c->ssl = SSL_new(l->ctx);
		if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
			fail_msg(l, "OpenSSL: no connection object");
			goto fail;
		}
		SSL_set_connect_state(c->ssl);
		if (l->s->resume && l->nfresh > 0) {
			SSL_SESSION *sess = l->fresh[--l->nfresh];
			SSL_set_session(c->ssl, sess);
			SSL_SESSION_free(sess);
		} else if (l->s->resume && l->session) {
			SSL_set_session(c->ssl, l->session);
		}
	}
	c->state = CS_CONNECTING;
	return 0;
fail:
	conn_close(c, 0);
	return -1;
}

/* Bytes moved (> 0), 0 when the socket would block, -1 on an error or
 * the peer's close. */
static long io_write(struct conn *c, const char *buf, size_t n)
{
	if (c->ssl) {
		int r = SSL_write(c->ssl, buf, (int)n);
		if (r > 0)
			return r;
		int e = SSL_get_error(c->ssl, r);
		return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
	}
	ssize_t r = send(c->fd, buf, n, MSG_NOSIGNAL);
	if (r >= 0)
		return (long)r;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
}

static long io_read(struct conn *c, char *buf, size_t n)
{
	if (c->ssl) {
		int r = SSL_read(c->ssl, buf, (int)n);
		if (r > 0)
			return r;
		int e = SSL_get_error(c->ssl, r);
		return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
	}
	ssize_t r = recv(c->fd, buf, n, 0);
	if (r > 0)
		return (long)r;
	return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
}

/* A GET of path, padded to bytes with an X-Pad header when bytes is more
 * than the bare request. Returns its length. */
static size_t build_request(char *buf, size_t size, const char *path, int bytes)
{
	int n = snprintf(buf, size, "GET %s HTTP/1.1\r\nHost: calibrate\r\n", path);
	/* "X-Pad: " + value + "\r\n" and the closing "\r\n": 11 bytes. */
	int pad = bytes - n - 11;
	if (pad > 0 && (size_t)(n + 11 + pad) < size) {
		n += snprintf(buf + n, size - (size_t)n, "X-Pad: ");
		memset(buf + n, 'p', (size_t)pad);
		n += pad;
		n += snprintf(buf + n, size - (size_t)n, "\r\n");
	}
	n += snprintf(buf + n, size - (size_t)n, "\r\n");
	return (size_t)n;
}

/* The headers are in c->head[0..end): check the status, take the length. */
static int parse_head(struct loader *l, struct conn *c, size_t end)
{
	c->head[end] = '\0';
	if (strncmp(c->head, "HTTP/1.1 200 ", 13) != 0) {
		char *eol = strstr(c->head, "\r\n");
		if (eol)
			*eol = '\0';
		fail_msg(l, "answer '%.80s', not 200", c->head);
		return -1;
	}
	for (char *p = strstr(c->head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "content-length:", 15) == 0) {
			c->body_left = strtol(p + 17, NULL, 10);
			return 0;
		}
	}
	fail_msg(l, "an answer without Content-Length");
	return -1;
}

/* Move c as far as it can go without blocking. */
/* A think time: exponential of mean think_s, as lbsim's clients draw
 * theirs (models/clients/devices.c), so that the clients drift apart as
 * independent users do; a fixed think time would keep them in step and
 * send their requests in bursts, which a proxy serves in one wake-up. */
static double think_draw(struct loader *l)
{
	l->rng ^= l->rng >> 12;
	l->rng ^= l->rng << 25;
	l->rng ^= l->rng >> 27;
	double u = (double)((l->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
	return -l->s->think_s * log(1 - u);
}

/* c's next request, built and on its way. */
static void send_next(struct loader *l, struct conn *c)
{
	c->reqlen = build_request(c->req, sizeof c->req, c->path, l->s->request_bytes);
	c->reqoff = 0;
	c->state = CS_SEND;
}

static void conn_step(struct loader *l, struct conn *c, uint32_t events)
{
	for (;;) {
		switch (c->state) {
		case CS_FREE:
			return;
		case CS_CONNECTING: {
			if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
				return;
			int err = 0;
			socklen_t len = sizeof err;
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
			if (err == ECONNRESET && l->s->expect_close && c->limit == 0) {
				/* Refused as soon as accepted: what was awaited. */
				l->res.conns++;
				conn_close(c, 0);
				return;
			}
			if (err) {
				fail_msg(l, "connect: %s", strerror(err));
				conn_close(c, 0);
				return;
			}
			c->state = c->ssl ? CS_HANDSHAKE : CS_NEXT;
			break;
		}
		case CS_HANDSHAKE: {
			int r = SSL_do_handshake(c->ssl);
			if (r == 1) {
				if (SSL_session_reused(c->ssl))
					l->res.resumed++;
				else
					l->res.full++;
				c->state = CS_NEXT;
				break;
			}
			int e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return;
			unsigned long code = ERR_peek_last_error();
			fail_msg(l, "TLS handshake failed: %s",
				 code ? ERR_reason_error_string(code) : "connection closed");
			conn_close(c, 0);
			return;
		}
		case CS_NEXT:
			if (c->done < c->limit && c->done > 0 && l->s->think_s > 0) {
				c->due = cal_wall_s() + think_draw(l);
				c->state = CS_THINK;
				return;
			}
			if (c->done < c->limit) {
				send_next(l, c);
			} else if (l->hold) {
				c->state = CS_IDLE;
			} else if (l->s->expect_close) {
				c->state = CS_DRAIN;
			} else {
				l->res.conns++;
				conn_close(c, 1);
				/* its client thinks before it connects again */
				c->due = cal_wall_s() + (l->s->think_s > 0 ? think_draw(l) : 0);
				return;
			}
			break;
		case CS_SEND: {
			long n = io_write(c, c->req + c->reqoff, c->reqlen - c->reqoff);
			if (n < 0) {
				fail_msg(l, "the proxy closed the connection while sending");
				conn_close(c, 0);
				return;
			}
			if (n == 0)
				return;
			c->reqoff += (size_t)n;
			if (c->reqoff < c->reqlen)
				break;
			c->headlen = 0;
			c->body_left = -1;
			c->state = c->park ? CS_PARKED : CS_READ;
			break;
		}
		case CS_READ: {
			char scratch[16384];
			long n;
			if (c->body_left < 0)
				n = io_read(c, c->head + c->headlen, sizeof c->head - 1 - c->headlen);
			else
				n = io_read(c, scratch, sizeof scratch);
			if (n < 0) {
				fail_msg(l, "the proxy closed the connection before answering");
				conn_close(c, 0);
				return;
			}
			if (n == 0)
				return;
			if (c->body_left < 0) {
				c->headlen += (size_t)n;
				c->head[c->headlen] = '\0';
				char *end = strstr(c->head, "\r\n\r\n");
				if (!end) {
					if (c->headlen >= sizeof c->head - 1) {
						fail_msg(l, "answer headers longer than %zu bytes",
							 sizeof c->head);
						conn_close(c, 0);
						return;
					}
					break;
				}
				size_t hend = (size_t)(end - c->head);
				size_t extra = c->headlen - hend - 4;
				if (parse_head(l, c, hend) != 0) {
					conn_close(c, 0);
					return;
				}
				c->body_left -= (long)extra;
			} else {
				c->body_left -= n;
			}
			if (c->body_left <= 0) {
				c->done++;
				l->res.requests++;
				c->state = CS_NEXT;
			}
			break;
		}
		case CS_DRAIN: {
			/* A close or a reset is the answer awaited; data is not. */
			char byte;
			ssize_t n = recv(c->fd, &byte, 1, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n > 0) {
				fail_msg(l, "data where the proxy should have closed");
				conn_close(c, 0);
				return;
			}
			l->res.conns++;
			conn_close(c, 0);
			return;
		}
		case CS_IDLE:
		case CS_PARKED:
		case CS_THINK:
			if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
				fail_msg(l, "the proxy closed a held connection");
				conn_close(c, 0);
			}
			return;
		}
	}
}

/* One pass of the event loop. Returns the number of events, 0 on a
 * timeout, -1 when epoll failed. */
static int loop_once(struct loader *l, int timeout_ms)
{
	struct epoll_event ev[256];
	int n = epoll_wait(l->ep, ev, 256, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++)
		conn_step(l, ev[i].data.ptr, ev[i].events);
	return n;
}

static int count_state(const struct loader *l, enum conn_state st)
{
	int n = 0;
	for (int i = 0; i < l->nconns; i++)
		n += l->conns[i].state == st;
	return n;
}

/* Seconds without a single event after which the peer is taken as stuck. */
#define LOAD_STALL_S 10.0

int load_run(const struct load_spec *s, struct load_result *res)
{
	struct loader l;
	memset(res, 0, sizeof *res);
	if (loader_init(&l, s, s->concurrency, 0, res->error, sizeof res->error) != 0) {
		res->errors = 1;
		return -1;
	}
	double start = cal_wall_s(), deadline = start + s->duration_s, last = start;
	/* Resuming: one connection first, to have a session to resume. */
	int wait_session = s->tls && s->resume;
	for (int i = 0; i < (wait_session ? 1 : l.nconns); i++)
		conn_open(&l, &l.conns[i], s->requests);
	for (;;) {
		/* With think time, wake for the next request due. */
		int timeout_ms = 200;
		if (s->think_s > 0) {
			double now = cal_wall_s();
			for (int i = 0; i < l.nconns; i++) {
				const struct conn *c = &l.conns[i];
				if (c->state != CS_THINK && c->state != CS_FREE)
					continue;
				double ms = (c->due - now) * 1e3;
				int wait = ms <= 0 ? 0 : (int)ms + 1;
				if (wait < timeout_ms)
					timeout_ms = wait;
			}
		}
		int n = loop_once(&l, timeout_ms);
		double now = cal_wall_s();
		if (n < 0 || (n == 0 && now - last > LOAD_STALL_S)) {
			fail_msg(&l, n < 0 ? "epoll failed" : "no answer for %.0f s", LOAD_STALL_S);
			break;
		}
		/* busy: connections open; waiting: free slots that will open
		 * one (a client thinking before it connects again) */
		int busy = 0, waiting = 0, thinking = 0;
		for (int i = 0; i < l.nconns; i++) {
			struct conn *c = &l.conns[i];
			if (c->state == CS_THINK && now >= c->due) {
				send_next(&l, c);
				conn_step(&l, c, 0);
			}
			int may_open = c->state == CS_FREE && now < deadline && l.res.errors == 0;
			if (may_open && now >= c->due && (!wait_session || l.session))
				conn_open(&l, c, s->requests);
			busy += c->state != CS_FREE;
			waiting += c->state == CS_FREE && may_open;
			thinking += c->state == CS_THINK;
		}
		/* Thinking is not stalling. */
		if (n > 0 || thinking || waiting)
			last = now;
		if ((busy == 0 && waiting == 0) || l.res.errors)
			break;
	}
	l.res.elapsed_s = cal_wall_s() - start;
	*res = l.res;
	loader_free(&l);
	return res->errors ? -1 : 0;
}

struct load_hold {
	struct loader l;
};

/* Connections being opened at a time: below the proxy's listen backlog. */
#define HOLD_BATCH 128
/* Held requests are sent HOLD_BATCH at a time, this long apart: time for
 * the proxy to open (and, re-encrypting, to shake hands on) as many
 * server connections on loopback (about 1 ms each). */
#define HOLD_SETTLE_S 0.3

struct load_hold *load_hold_open(const struct load_spec *s, int n, char *err, size_t errlen)
{
	struct load_hold *h = calloc(1, sizeof *h);
	if (!h) {
		snprintf(err, errlen, "no memory");
		return NULL;
	}
	if (loader_init(&h->l, s, n, 1, err, errlen) != 0) {
		free(h);
		return NULL;
	}
	struct loader *l = &h->l;
	int opened = 0;
	double last = cal_wall_s();
	for (;;) {
		int idle = count_state(l, CS_IDLE);
		while (opened < n && opened - idle < HOLD_BATCH && l->res.errors == 0)
			conn_open(l, &l->conns[opened++], s->requests);
		if (l->res.errors || idle == n)
			break;
		int got = loop_once(l, 200);
		double now = cal_wall_s();
		if (got < 0 || (got == 0 && now - last > LOAD_STALL_S)) {
			fail_msg(l, got < 0 ? "epoll failed" : "no answer for %.0f s", LOAD_STALL_S);
			break;
		}
		if (got > 0)
			last = now;
	}
	if (l->res.errors) {
		snprintf(err, errlen, "%d of %d connections held: %s", count_state(l, CS_IDLE), n,
			 l->res.error);
		load_hold_close(h);
		return NULL;
	}
	return h;
}

/* Bytes the kernel holds unread on a connection's socket; -1 if unknown. */
static long unread_bytes(const struct conn *c)
{
	int n;
	return ioctl(c->fd, FIONREAD, &n) == 0 ? n : -1;
}

int load_hold_send(struct load_hold *h, const char *path, double settle_s, char *err,
		   size_t errlen)
{
	struct loader *l = &h->l;
	/* What each socket held unread before its request (TLS 1.3 session
	 * tickets a passthrough connection never read): more after the
	 * settle means the server answered, and the request is not held. */
	long *before = calloc((size_t)l->nconns, sizeof *before);
	if (!before) {
		snprintf(err, errlen, "no memory");
		return -1;
	}
	for (int i = 0; i < l->nconns; i++)
		before[i] = unread_bytes(&l->conns[i]);
	/* A batch at a time, as the connections were opened, each given
	 * HOLD_SETTLE_S to reach the server: a request that opens a server
	 * connection makes a TLS handshake when re-encrypting, and hundreds
	 * at once leave their transient memory (OpenSSL's handshake buffers)
	 * resident in malloc's heap between the long-lived objects, which a
	 * proxy opening its server connections as requests come does not
	 * show (a re-encrypting connection measured 30 to 51 kB all at once,
	 * 25 to 27 kB a batch at a time). */
	for (int i = 0; i < l->nconns; i++) {
		struct conn *c = &l->conns[i];
		c->path = path;
		c->park = 1;
		c->limit = c->done + 1;
		c->state = CS_NEXT;
		conn_step(l, c, EPOLLOUT);
		if ((i + 1) % HOLD_BATCH == 0 && i + 1 < l->nconns) {
			double batch_end = cal_wall_s() + HOLD_SETTLE_S;
			while (cal_wall_s() < batch_end && l->res.errors == 0)
				if (loop_once(l, 20) < 0)
					fail_msg(l, "epoll failed");
		}
	}
	double end = cal_wall_s() + settle_s;
	while (cal_wall_s() < end && l->res.errors == 0)
		if (loop_once(l, 50) < 0)
			fail_msg(l, "epoll failed");
	int parked = count_state(l, CS_PARKED);
	int answered = 0;
	for (int i = 0; i < l->nconns; i++) {
		long now = unread_bytes(&l->conns[i]);
		answered += before[i] >= 0 && now > before[i];
	}
	free(before);
	if (l->res.errors || parked != l->nconns) {
		snprintf(err, errlen, "%d of %d requests in flight: %s", parked, l->nconns,
			 l->res.error[0] ? l->res.error : "the rest were still being written");
		return -1;
	}
	if (answered > 0) {
		snprintf(err, errlen,
			 "%d of %d held requests were answered: the server does not hold them",
			 answered, l->nconns);
		return -1;
	}
	return 0;
}

void load_hold_close(struct load_hold *h)
{
	if (!h)
		return;
	loader_free(&h->l);
	free(h);
}
