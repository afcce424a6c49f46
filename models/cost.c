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
	need |= BIT(ACCEPT) | BIT(CONNECT) | BIT(RELAY) | BIT(WAKEUP) | BIT(CONN_BYTES) |
		BIT(SOCKET_BUFFER_BYTES) | BIT(BUFFER_BYTES);
	if (!l7)
		return need | BIT(RELAY_MESSAGE);
	static const enum cost_figure full[COST_CERT_COUNT] = {COST_FIG_TLS_FULL_RSA,
							       COST_FIG_TLS_FULL_ECDSA};
	static const enum cost_figure bulk[COST_CIPHER_COUNT] = {
		COST_FIG_AES_256_GCM, COST_FIG_AES_128_GCM, COST_FIG_CHACHA20};
	need |= BIT(HTTP_REQUEST) | BIT(TLS_RECORD) | BIT(BACKEND_IDLE_TIMEOUT) | BIT(TLS_STATE_BYTES) |
		BIT(STREAM_BYTES) |
		BIT(TLS_BUFFER_BYTES) | BIT(TLS_CACHE_ENTRY_BYTES) | BIT(TLS_CACHE_SIZE) |
		BIT(TLS_RESUME_12) | BIT(TLS_RESUME_13) | UINT64_C(1) << full[cert] |
		UINT64_C(1) << bulk[cipher];
	if (reencrypt)
		need |= BIT(TLS_BACKEND_FULL) | BIT(TLS_BACKEND_RESUME) | BIT(TLS_BACKEND_STATE_BYTES);
	return need;
}

uint64_t cost_count_of(const struct cost_counts *c, enum cost_figure f)
{
	switch (f) {
	case COST_FIG_PACKET: return c->packets;
	case COST_FIG_FLOW_SETUP: return c->flows;
	case COST_FIG_ACCEPT: return c->accepts;
	case COST_FIG_CONNECT: return c->connects;
	case COST_FIG_HTTP_REQUEST: return c->http_requests;
	case COST_FIG_TLS_FULL_RSA: return c->tls_full[COST_CERT_RSA_2048];
	case COST_FIG_TLS_FULL_ECDSA: return c->tls_full[COST_CERT_ECDSA_P256];
	case COST_FIG_TLS_RESUME_12: return c->tls_resume_12;
	case COST_FIG_TLS_RESUME_13: return c->tls_resume_13;
	case COST_FIG_TLS_BACKEND_FULL: return c->tls_backend_full;
	case COST_FIG_TLS_BACKEND_RESUME: return c->tls_backend_resume;
	case COST_FIG_PERSIST: return c->persist_ops;
	case COST_FIG_PROBE: return c->probes;
	case COST_FIG_RELAY: return c->relay_bytes;
	case COST_FIG_RELAY_MESSAGE: return c->relay_messages;
	case COST_FIG_AES_128_GCM: return c->crypto_bytes[COST_CIPHER_AES_128_GCM];
	case COST_FIG_AES_256_GCM: return c->crypto_bytes[COST_CIPHER_AES_256_GCM];
	case COST_FIG_CHACHA20: return c->crypto_bytes[COST_CIPHER_CHACHA20_POLY1305];
	case COST_FIG_TLS_RECORD: return c->tls_records;
	case COST_FIG_WAKEUP: return c->wakeups;
	default: return 0;
	}
}

double cost_cpu_ns(const struct cost_params *p, const struct cost_counts *c)
{
	double ns = 0;
	for (int f = 0; f < COST_FIG_COUNT; f++)
		if (cost_figures[f].kind == COST_KIND_OP || cost_figures[f].kind == COST_KIND_BYTE)
			ns += cost_figure_get(p, (enum cost_figure)f) *
			      (double)cost_count_of(c, (enum cost_figure)f);
	return ns;
}

void cost_counts_add(struct cost_counts *a, const struct cost_counts *b)
{
	a->packets += b->packets;
	a->flows += b->flows;
	a->accepts += b->accepts;
	a->connects += b->connects;
	a->relay_bytes += b->relay_bytes;
	a->relay_messages += b->relay_messages;
	a->http_requests += b->http_requests;
	for (int k = 0; k < COST_CERT_COUNT; k++)
		a->tls_full[k] += b->tls_full[k];
	a->tls_resume_12 += b->tls_resume_12;
	a->tls_resume_13 += b->tls_resume_13;
	a->tls_backend_full += b->tls_backend_full;
	a->tls_backend_resume += b->tls_backend_resume;
	for (int k = 0; k < COST_CIPHER_COUNT; k++)
		a->crypto_bytes[k] += b->crypto_bytes[k];
	a->tls_records += b->tls_records;
	a->persist_ops += b->persist_ops;
	a->probes += b->probes;
	a->arrivals += b->arrivals;
	a->wakeups += b->wakeups;
}

double cost_wakeups(double base_ns, double arrivals, double wakeup_ns, double window_ns,
		    double threads)
{
	double capacity = threads * window_ns;
	if (arrivals <= 0 || base_ns >= capacity)
		return 0;
	double u = (base_ns + wakeup_ns * arrivals) / (capacity + wakeup_ns * arrivals);
	return arrivals * (1 - u);
}
