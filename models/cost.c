/* The cost model's figures and their arithmetic; see include/lbsim/cost.h.
 *
 * No figure is set here: every price comes from a cost profile (the
 * shipped ones in profiles/, each figure with its source, read by
 * sim/scenario/cost_profile.c), so that one file holds a number and the
 * reason for it. This file names the figures, says which ones a design
 * reads, and multiplies counts by prices.
 */
#include "lbsim/cost.h"

#include <string.h>

const struct cost_figure_def cost_figures[COST_FIG_COUNT] = {
#define COST_FIGURE_DEF(id, nm, kd, member) \
	[COST_FIG_##id] = {.name = nm, .kind = kd, .offset = offsetof(struct cost_params, member)},
	COST_FIGURES(COST_FIGURE_DEF)
#undef COST_FIGURE_DEF
};

const char *const cost_impl_names[COST_IMPL_COUNT] = {"proxy", "kernel-nat", "kernel-dr"};
const char *const cost_cert_names[COST_CERT_COUNT] = {"rsa-2048", "ecdsa-p256"};
const char *const cost_cipher_names[COST_CIPHER_COUNT] = {"aes-256-gcm", "aes-128-gcm",
							  "chacha20-poly1305"};
const char *const cost_reuse_names[COST_REUSE_COUNT] = {"safe", "never", "always"};

int cost_figure_find(const char *name, size_t len)
{
	for (int i = 0; i < COST_FIG_COUNT; i++)
		if (strlen(cost_figures[i].name) == len && memcmp(cost_figures[i].name, name, len) == 0)
			return i;
	return -1;
}

#define BIT(f) (UINT64_C(1) << COST_FIG_##f)

uint64_t cost_figures_needed(enum cost_impl impl, int l7, enum cost_cert cert,
			     enum cost_cipher cipher, int reencrypt)
{
	uint64_t need = BIT(PERSIST) | BIT(PROBE) | BIT(MTU);
	if (impl != COST_IMPL_PROXY && !l7)
		return need | BIT(PACKET) | BIT(FLOW_SETUP) | BIT(FLOW_BYTES) |
		       BIT(FLOW_BUCKET_BYTES) | BIT(FLOW_BUCKETS) | BIT(FLOW_LINGER);
	need |= BIT(ACCEPT) | BIT(CONNECT) | BIT(RELAY) | BIT(CONN_BYTES) |
		BIT(SOCKET_BUFFER_BYTES) | BIT(BUFFER_BYTES);
	if (!l7)
		return need;
	static const enum cost_figure full[COST_CERT_COUNT] = {COST_FIG_TLS_FULL_RSA,
							       COST_FIG_TLS_FULL_ECDSA};
	static const enum cost_figure bulk[COST_CIPHER_COUNT] = {
		COST_FIG_AES_256_GCM, COST_FIG_AES_128_GCM, COST_FIG_CHACHA20};
	need |= BIT(HTTP_REQUEST) | BIT(BACKEND_IDLE_TIMEOUT) | BIT(TLS_STATE_BYTES) |
		BIT(TLS_BUFFER_BYTES) | BIT(TLS_CACHE_ENTRY_BYTES) | BIT(TLS_CACHE_SIZE) |
		BIT(TLS_RESUME_12) | BIT(TLS_RESUME_13) | UINT64_C(1) << full[cert] |
		UINT64_C(1) << bulk[cipher];
	if (reencrypt)
		need |= BIT(TLS_BACKEND_FULL) | BIT(TLS_BACKEND_RESUME);
	return need;
}

double cost_cpu_ns(const struct cost_params *p, const struct cost_counts *c)
{
	double ns = p->packet_ns * (double)c->packets + p->flow_setup_ns * (double)c->flows +
		    p->accept_ns * (double)c->accepts + p->connect_ns * (double)c->connects +
		    p->relay_byte_ns * (double)c->relay_bytes +
		    p->http_request_ns * (double)c->http_requests +
		    p->tls_resume_12_ns * (double)c->tls_resume_12 +
		    p->tls_resume_13_ns * (double)c->tls_resume_13 +
		    p->tls_backend_full_ns * (double)c->tls_backend_full +
		    p->tls_backend_resume_ns * (double)c->tls_backend_resume +
		    p->persist_ns * (double)c->persist_ops + p->probe_ns * (double)c->probes;
	for (int k = 0; k < COST_CERT_COUNT; k++)
		ns += p->tls_full_ns[k] * (double)c->tls_full[k];
	for (int k = 0; k < COST_CIPHER_COUNT; k++)
		ns += p->crypto_byte_ns[k] * (double)c->crypto_bytes[k];
	return ns;
}

void cost_counts_add(struct cost_counts *a, const struct cost_counts *b)
{
	a->packets += b->packets;
	a->flows += b->flows;
	a->accepts += b->accepts;
	a->connects += b->connects;
	a->relay_bytes += b->relay_bytes;
	a->http_requests += b->http_requests;
	for (int k = 0; k < COST_CERT_COUNT; k++)
		a->tls_full[k] += b->tls_full[k];
	a->tls_resume_12 += b->tls_resume_12;
	a->tls_resume_13 += b->tls_resume_13;
	a->tls_backend_full += b->tls_backend_full;
	a->tls_backend_resume += b->tls_backend_resume;
	for (int k = 0; k < COST_CIPHER_COUNT; k++)
		a->crypto_bytes[k] += b->crypto_bytes[k];
	a->persist_ops += b->persist_ops;
	a->probes += b->probes;
}
