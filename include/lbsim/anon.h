/* Keyed anonymisation of logs, so that a log can leave the company without
 * breaking what lbsim reads from it.
 *
 * Addresses: Crypto-PAn (Xu, Fan, Ammar and Moon, "Prefix-preserving IP
 * address anonymization", ICNP 2002): bit i of the result is bit i of the
 * address XOR the first bit of AES_K(the first i bits of the address,
 * padded with a secret pad). Two addresses that share a k-bit prefix map
 * to two that share exactly a k-bit prefix, so a /24 stays a /24, a NAT's
 * address stays one address, and nothing else about the address can be
 * read back without the key. The same key gives the same mapping in every
 * run and every file (stable), so logs of several servers anonymised
 * apart still agree. IPv4 takes 32 AES blocks, IPv6 128 (the same
 * construction over 128 bits, as Yawning Angel's Go implementation does);
 * all the blocks of an address are encrypted in one OpenSSL call, and a
 * direct-mapped cache remembers recent IPv4 results.
 *
 * User names (and other identifiers: ActiveSync device ids, e-mail
 * addresses in URIs): HMAC-SHA-256 under the key, keeping the shape of a
 * name: "DOMAIN\user" becomes "d<12 hex>\u<16 hex>", "user@domain"
 * "u<16 hex>@d<12 hex>": users of one domain stay in one domain, and the
 * same user is the same pseudonym wherever it appears.
 *
 * Keys: one secret (a file of at least 32 bytes, e.g. from
 * `head -c 32 /dev/urandom`) is stretched with HMAC-SHA-256 into the
 * Crypto-PAn key and the name key, so that the two uses never share key
 * material. AES and HMAC are OpenSSL's (libcrypto); this library is the
 * only part of lbsim that links it.
 */
#ifndef LBSIM_ANON_H
#define LBSIM_ANON_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/log_reader.h"

#define ANON_SECRET_MIN 32u        /* bytes of a key file, at least */
#define ANON_SECRET_MAX 4096u

struct anon_keys {
	uint8_t cryptopan[32];     /* AES-128 key, then the pad's seed */
	uint8_t names[32];         /* HMAC-SHA-256 key for names */
};

/* The keys of a secret of len bytes. */
void anon_keys_derive(struct anon_keys *k, const uint8_t *secret, size_t len);

/* Read a key file (ANON_SECRET_MIN .. ANON_SECRET_MAX bytes, whatever they
 * are). Returns 0, or -1 with "path: why" in err. */
int anon_keys_load(struct anon_keys *k, const char *path, char *err, size_t errlen);

#define CRYPTOPAN_CACHE 65536u     /* IPv4 results remembered (direct-mapped) */

struct cryptopan {
	void *ctx;                 /* EVP_CIPHER_CTX, AES-128-ECB without padding */
	uint8_t pad[16];           /* AES_K(second half of the key) */
	uint32_t *cache_in;        /* CRYPTOPAN_CACHE each; cache_in[i] + 1 == 0: empty */
	uint32_t *cache_out;
	uint8_t *cache_used;
};

/* key: 32 bytes, the Crypto-PAn key (AES key, then the pad's seed).
 * Returns 0, or -1 (OpenSSL refused, or memory). */
int cryptopan_init(struct cryptopan *c, const uint8_t key[32]);
void cryptopan_free(struct cryptopan *c);

/* The anonymised IPv4 address (host order) of addr. */
uint32_t cryptopan_v4(struct cryptopan *c, uint32_t addr);
/* The same for any address (IPv4 or IPv6); out may be in. */
void cryptopan_addr(struct cryptopan *c, const struct log_addr *in, struct log_addr *out);

/* A user name's pseudonym into out (NUL-terminated; at least 64 bytes):
 * case-insensitive (a name in any case is the same user), shape kept.
 * url_encoded: the name is percent-encoded (an ActiveSync query's User=);
 * the result's separator is written as the name wrote it (%5C or \).
 * Returns the length written. */
size_t anon_name(const struct anon_keys *k, const char *name, size_t len, int url_encoded,
		 char *out, size_t outlen);

/* An opaque identifier's pseudonym (an ActiveSync DeviceId): "<prefix><16
 * hex>", case-sensitive. Returns the length written. */
size_t anon_token(const struct anon_keys *k, const char *prefix, const char *s, size_t len,
		  char *out, size_t outlen);

#endif
