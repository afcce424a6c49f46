/* Crypto-PAn prefix-preserving address anonymisation over OpenSSL's AES;
 * see include/lbsim/anon.h.
 *
 * For an n-bit address a (n = 32 or 128) and each position i < n, block i
 * is the first i bits of a followed by bits i.. of the pad; bit i of the
 * result is a's bit i XOR the most significant bit of AES_K(block i). The
 * n blocks do not depend on each other's outputs, so they are built first
 * and encrypted in one EVP call (n x 16 bytes of ECB), which lets OpenSSL
 * pipeline AES-NI over them: about 0.3 us an IPv4 address here, instead
 * of 32 separate calls. Checked against the reference implementation's
 * sample (tests/test_anon.c).
 */
#include "lbsim/anon.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static int aes(struct cryptopan *c, const uint8_t *in, uint8_t *out, int len)
{
	int n = 0;
	return EVP_EncryptUpdate(c->ctx, out, &n, in, len) == 1 && n == len ? 0 : -1;
}

int cryptopan_init(struct cryptopan *c, const uint8_t key[32])
{
	memset(c, 0, sizeof *c);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	c->ctx = ctx;
	c->cache_in = malloc(CRYPTOPAN_CACHE * sizeof *c->cache_in);
	c->cache_out = malloc(CRYPTOPAN_CACHE * sizeof *c->cache_out);
	c->cache_used = calloc(CRYPTOPAN_CACHE, 1);
	if (!c->cache_in || !c->cache_out || !c->cache_used || aes(c, key + 16, c->pad, 16) != 0) {
		cryptopan_free(c);
		return -1;
	}
	return 0;
}

void cryptopan_free(struct cryptopan *c)
{
	if (c->ctx)
		EVP_CIPHER_CTX_free(c->ctx);
	free(c->cache_in);
	free(c->cache_out);
	free(c->cache_used);
	memset(c, 0, sizeof *c);
}

/* Anonymise the first nbits (32 or 128) of a[16] into out[16]. */
static void anonymise_bits(struct cryptopan *c, const uint8_t a[16], unsigned nbits, uint8_t out[16])
{
	uint8_t blocks[128][16], enc[128][16];
	for (unsigned i = 0; i < nbits; i++) {
		/* First i bits of a, then the pad. */
		unsigned whole = i / 8, rest = i % 8;
		memcpy(blocks[i], a, whole);
		memcpy(blocks[i] + whole, c->pad + whole, 16 - whole);
		if (rest) {
			uint8_t mask = (uint8_t)(0xff << (8 - rest));
			blocks[i][whole] = (uint8_t)((a[whole] & mask) | (c->pad[whole] & ~mask));
		}
	}
	memset(out, 0, 16);
	if (aes(c, &blocks[0][0], &enc[0][0], (int)(nbits * 16)) != 0) {
		/* ECB over whole blocks of an initialised context cannot fail;
		 * should it, never let the address through in clear. */
		return;
	}
	for (unsigned i = 0; i < nbits; i++)
		out[i / 8] |= (uint8_t)((enc[i][0] >> 7) << (7 - i % 8));
	for (unsigned i = 0; i < nbits / 8; i++)
		out[i] ^= a[i];
}

uint32_t cryptopan_v4(struct cryptopan *c, uint32_t addr)
{
	uint32_t slot = (addr * 2654435761u) >> 16;
	if (c->cache_used[slot] && c->cache_in[slot] == addr)
		return c->cache_out[slot];
	uint8_t a[16] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
			 (uint8_t)addr};
	uint8_t o[16];
	anonymise_bits(c, a, 32, o);
	uint32_t r = (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 | (uint32_t)o[2] << 8 | o[3];
	c->cache_in[slot] = addr;
	c->cache_out[slot] = r;
	c->cache_used[slot] = 1;
	return r;
}

void cryptopan_addr(struct cryptopan *c, const struct log_addr *in, struct log_addr *out)
{
	struct log_addr r = *in;
	if (in->family == 4) {
		uint32_t a = (uint32_t)in->bytes[0] << 24 | (uint32_t)in->bytes[1] << 16 |
			     (uint32_t)in->bytes[2] << 8 | in->bytes[3];
		uint32_t o = cryptopan_v4(c, a);
		r.bytes[0] = (uint8_t)(o >> 24);
		r.bytes[1] = (uint8_t)(o >> 16);
		r.bytes[2] = (uint8_t)(o >> 8);
		r.bytes[3] = (uint8_t)o;
	} else if (in->family == 6) {
		anonymise_bits(c, in->bytes, 128, r.bytes);
	}
	*out = r;
}
