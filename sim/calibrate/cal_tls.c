/* What TLS costs one core of this host, measured with OpenSSL in memory:
 * client and server joined by a BIO pair in one thread, no sockets, so
 * the figures are the cryptography and TLS state machine alone (a proxy
 * adds its own work on top: cal_hapbench.c measures a real one).
 *
 * Each side's calls are timed apart with the thread's CPU clock, so one
 * loop of handshakes gives the server's price (what a terminating
 * balancer pays per client) and the client's (what a re-encrypting
 * balancer pays per backend connection it opens). SSL_new and SSL_free
 * of the server's object are part of its price: a proxy makes one per
 * connection. TLS 1.3 session tickets are read by the client after the
 * handshake (OpenSSL sends two by default), and making them is part of
 * the server's handshake, as on the wire.
 *
 * Bulk ciphers: a 16 kB record (TLS's largest) sealed then opened with
 * the AEAD directly (EVP), so the figure is per byte encrypted or
 * decrypted, without record framing; 13 bytes of additional data as TLS
 * 1.2 has them.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "cal_cert.h"
#include "cal_internal.h"

struct hs_totals {
	double server_ns, client_ns;
	long n, reused, failed;
};

/* One turn of one side's handshake, its CPU added to *ns. Returns 0 (and
 * *done once it has finished), or -1 when it failed. */
static int handshake_step(SSL *ssl, int *done, double *ns)
{
	if (*done)
		return 0;
	double t0 = cal_thread_cpu_ns();
	int r = SSL_do_handshake(ssl);
	*ns += cal_thread_cpu_ns() - t0;
	if (r == 1) {
		*done = 1;
		return 0;
	}
	int e = SSL_get_error(ssl, r);
	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* One handshake over a BIO pair, resuming session when it is not NULL;
 * *next gets the session the client can resume next (when next is not
 * NULL). Returns 0, or -1 when the handshake failed. */
static int handshake_once(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *session,
			  SSL_SESSION **next, struct hs_totals *t)
{
	double t0 = cal_thread_cpu_ns();
	SSL *s = SSL_new(sctx);
	t->server_ns += cal_thread_cpu_ns() - t0;
	t0 = cal_thread_cpu_ns();
	SSL *c = SSL_new(cctx);
	BIO *bc = NULL, *bs = NULL;
	int rc = -1;
	if (!s || !c || BIO_new_bio_pair(&bc, 0, &bs, 0) != 1)
		goto out;
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	if (session)
		SSL_set_session(c, session);
	t->client_ns += cal_thread_cpu_ns() - t0;
	int cdone = 0, sdone = 0;
	for (int round = 0; round < 16 && !(cdone && sdone); round++)
		if (handshake_step(c, &cdone, &t->client_ns) != 0 ||
		    handshake_step(s, &sdone, &t->server_ns) != 0)
			goto out;
	if (!cdone || !sdone)
		goto out;
	/* TLS 1.3: the tickets come after the handshake; a read takes them
	 * (and finds no data). */
	char byte;
	t0 = cal_thread_cpu_ns();
	(void)SSL_read(c, &byte, 1);
	t->client_ns += cal_thread_cpu_ns() - t0;
	t->reused += SSL_session_reused(c) ? 1 : 0;
	if (next)
		*next = SSL_get1_session(c);
	/* Freed without a shutdown, OpenSSL would take the session for a
	 * broken one and forbid its resumption. */
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	rc = 0;
out:
	ERR_clear_error();
	t0 = cal_thread_cpu_ns();
	SSL_free(s);
	t->server_ns += cal_thread_cpu_ns() - t0;
	SSL_free(c);
	if (rc == 0)
		t->n++;
	else
		t->failed++;
	return rc;
}

static SSL_CTX *server_ctx(X509 *cert, EVP_PKEY *key, int version, int tickets)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	static const unsigned char sid_ctx[] = "lbsim-calibrate";
	if (!ctx || SSL_CTX_set_min_proto_version(ctx, version) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, version) != 1 ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	if (!tickets)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

static SSL_CTX *client_ctx(int version, int tickets)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_set_min_proto_version(ctx, version) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, version) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* A balancer re-encrypting to its servers commonly does not verify
	 * them (HAProxy `verify none`); the signature in the handshake is
	 * checked either way. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (!tickets)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	return ctx;
}

/* One kind of handshake, measured: its server figure and, when
 * client_key is set, its client figure. */
struct hs_kind {
	const char *server_key;
	const char *server_what;
	const char *client_key;    /* NULL: the client side is not a figure */
	const char *client_what;
	enum cal_key_kind cert;
	int version;               /* TLS1_2_VERSION or TLS1_3_VERSION */
	int tickets;
	int resume;
};

static const struct hs_kind hs_kinds[] = {
	{"tls13-full-rsa2048", "TLS 1.3 full handshake, RSA-2048 certificate, X25519, server side",
	 "tls13-full-client", "TLS 1.3 full handshake, client side (a re-encrypting proxy to its "
	 "server), RSA-2048 server certificate not verified", CAL_KEY_RSA2048, TLS1_3_VERSION, 1, 0},
	{"tls13-full-ecdsa-p256", "TLS 1.3 full handshake, ECDSA P-256 certificate, X25519, server "
	 "side", NULL, NULL, CAL_KEY_ECDSA_P256, TLS1_3_VERSION, 1, 0},
	{"tls12-full-rsa2048", "TLS 1.2 full handshake, RSA-2048 certificate, ECDHE X25519, server "
	 "side", NULL, NULL, CAL_KEY_RSA2048, TLS1_2_VERSION, 1, 0},
	{"tls12-full-ecdsa-p256", "TLS 1.2 full handshake, ECDSA P-256 certificate, ECDHE X25519, "
	 "server side", NULL, NULL, CAL_KEY_ECDSA_P256, TLS1_2_VERSION, 1, 0},
	{"tls12-resumed-session-id", "TLS 1.2 abbreviated handshake by session id (server cache), "
	 "server side", NULL, NULL, CAL_KEY_RSA2048, TLS1_2_VERSION, 0, 1},
	{"tls12-resumed-ticket", "TLS 1.2 abbreviated handshake by session ticket, server side",
	 NULL, NULL, CAL_KEY_RSA2048, TLS1_2_VERSION, 1, 1},
	{"tls13-resumed-psk", "TLS 1.3 PSK resumption with X25519 (psk_dhe_ke), server side",
	 "tls13-resumed-client", "TLS 1.3 PSK resumption with X25519, client side (a re-encrypting "
	 "proxy reusing its server session)", CAL_KEY_RSA2048, TLS1_3_VERSION, 1, 1},
};

/* Handshakes of one kind for budget_s of wall time. */
static int measure_kind(const struct hs_kind *k, X509 *cert, EVP_PKEY *key, double budget_s,
			struct hs_totals *t, char *why, size_t whylen)
{
	SSL_CTX *s = server_ctx(cert, key, k->version, k->tickets);
	SSL_CTX *c = client_ctx(k->version, k->tickets);
	SSL_SESSION *session = NULL;
	int rc = -1;
	memset(t, 0, sizeof *t);
	if (!s || !c) {
		snprintf(why, whylen, "OpenSSL refused the TLS settings");
		goto out;
	}
	/* The first handshake of a resumption run is a full one that gives
	 * the session; it is not counted. */
	if (k->resume) {
		struct hs_totals first = {0};
		if (handshake_once(s, c, NULL, &session, &first) != 0 || !session) {
			snprintf(why, whylen, "the first, full handshake failed");
			goto out;
		}
	}
	double end = cal_wall_s() + budget_s;
	while (cal_wall_s() < end && t->failed == 0)
		handshake_once(s, c, session, NULL, t);
	if (t->failed || t->n == 0) {
		const char *reason = ERR_reason_error_string(ERR_peek_last_error());
		snprintf(why, whylen, "a handshake failed (%s)", reason ? reason : "no reason given");
		goto out;
	}
	if (k->resume && t->reused != t->n) {
		snprintf(why, whylen, "the server resumed %ld of %ld sessions", t->reused, t->n);
		goto out;
	}
	rc = 0;
out:
	SSL_SESSION_free(session);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
	return rc;
}

/* Nanoseconds per byte sealed or opened with an AEAD, for budget_s of
 * CPU. Returns -1 when OpenSSL has no such cipher or it failed. */
static double aead_ns_per_byte(const char *name, double budget_s)
{
	enum { RECORD = 16384, AAD = 13 };
	static unsigned char in[RECORD], out[RECORD], back[RECORD];
	unsigned char key[32] = {1}, iv[12] = {2}, aad[AAD] = {3}, tag[16];
	EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	double result = -1, bytes = 0;
	int len;
	if (!cipher || !ctx)
		goto out;
	double start = cal_thread_cpu_ns(), spent = 0;
	while (spent < budget_s * 1e9) {
		iv[0]++;
		if (EVP_EncryptInit_ex2(ctx, cipher, key, iv, NULL) != 1 ||
		    EVP_EncryptUpdate(ctx, NULL, &len, aad, AAD) != 1 ||
		    EVP_EncryptUpdate(ctx, out, &len, in, RECORD) != 1 ||
		    EVP_EncryptFinal_ex(ctx, out + len, &len) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
			goto out;
		if (EVP_DecryptInit_ex2(ctx, cipher, key, iv, NULL) != 1 ||
		    EVP_DecryptUpdate(ctx, NULL, &len, aad, AAD) != 1 ||
		    EVP_DecryptUpdate(ctx, back, &len, out, RECORD) != 1 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1 ||
		    EVP_DecryptFinal_ex(ctx, back + len, &len) != 1)
			goto out;
		bytes += 2.0 * RECORD;
		spent = cal_thread_cpu_ns() - start;
	}
	result = spent / bytes;
out:
	ERR_clear_error();
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(cipher);
	return result;
}

static const struct {
	const char *key, *cipher, *what;
} aeads[] = {
	{"aes-128-gcm", "AES-128-GCM", "AES-128-GCM, per byte sealed or opened, 16 kB records"},
	{"aes-256-gcm", "AES-256-GCM", "AES-256-GCM, per byte sealed or opened, 16 kB records"},
	{"chacha20-poly1305", "ChaCha20-Poly1305",
	 "ChaCha20-Poly1305, per byte sealed or opened, 16 kB records"},
};

int cal_tls_steps(void)
{
	return 1 + (int)(sizeof hs_kinds / sizeof hs_kinds[0]) + (int)(sizeof aeads / sizeof aeads[0]);
}

void cal_tls_measure(struct cal_run *r)
{
	EVP_PKEY *keys[2] = {NULL, NULL};
	X509 *certs[2] = {NULL, NULL};
	cal_progress(r, "OpenSSL: making RSA-2048 and ECDSA P-256 keys");
	for (int k = 0; k < 2; k++) {
		keys[k] = cal_key_new((enum cal_key_kind)k);
		certs[k] = keys[k] ? cal_cert_new(keys[k]) : NULL;
	}
	for (size_t i = 0; i < sizeof hs_kinds / sizeof hs_kinds[0]; i++) {
		const struct hs_kind *k = &hs_kinds[i];
		cal_progress(r, "OpenSSL: %s", k->server_key);
		struct cal_figure *fs = cal_figure_add(r, k->server_key, "ns", k->server_what);
		struct cal_figure *fc =
			k->client_key ? cal_figure_add(r, k->client_key, "ns", k->client_what) : NULL;
		if (!fs || (k->client_key && !fc))
			continue;
		if (!certs[k->cert]) {
			cal_figure_missing(fs, "OpenSSL could not make a %s key", cal_key_name(k->cert));
			if (fc)
				cal_figure_missing(fc, "%s", fs->missing);
			continue;
		}
		for (int rep = 0; rep < r->repeats; rep++) {
			struct hs_totals t;
			char why[160];
			if (measure_kind(k, certs[k->cert], keys[k->cert], r->phase_s, &t, why,
					 sizeof why) != 0) {
				cal_figure_missing(fs, "%s", why);
				if (fc)
					cal_figure_missing(fc, "%s", why);
				break;
			}
			fs->value[fs->repeats++] = t.server_ns / (double)t.n;
			if (fc)
				fc->value[fc->repeats++] = t.client_ns / (double)t.n;
		}
	}
	for (size_t i = 0; i < sizeof aeads / sizeof aeads[0]; i++) {
		cal_progress(r, "OpenSSL: %s", aeads[i].key);
		struct cal_figure *f = cal_figure_add(r, aeads[i].key, "ns/byte", aeads[i].what);
		if (!f)
			continue;
		for (int rep = 0; rep < r->repeats; rep++) {
			double v = aead_ns_per_byte(aeads[i].cipher, r->phase_s);
			if (v < 0) {
				cal_figure_missing(f, "OpenSSL has no usable %s", aeads[i].cipher);
				break;
			}
			f->value[f->repeats++] = v;
		}
	}
	for (int k = 0; k < 2; k++) {
		X509_free(certs[k]);
		EVP_PKEY_free(keys[k]);
	}
}
