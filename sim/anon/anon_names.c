/* Keys and name pseudonyms (HMAC-SHA-256, OpenSSL); see
 * include/lbsim/anon.h. */
#include "lbsim/anon.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static void hmac(const uint8_t *key, size_t klen, const void *data, size_t len, uint8_t out[32])
{
	unsigned n = 32;
	if (!HMAC(EVP_sha256(), key, (int)klen, data, len, out, &n))
		memset(out, 0, 32);
}

void anon_keys_derive(struct anon_keys *k, const uint8_t *secret, size_t len)
{
	static const char addr_label[] = "lbsim anonymise: crypto-pan key";
	static const char name_label[] = "lbsim anonymise: name key";
	hmac(secret, len, addr_label, sizeof addr_label - 1, k->cryptopan);
	hmac(secret, len, name_label, sizeof name_label - 1, k->names);
}

int anon_keys_load(struct anon_keys *k, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot open the key file: %s", path, strerror(errno));
		return -1;
	}
	uint8_t secret[ANON_SECRET_MAX + 1];
	size_t n = fread(secret, 1, sizeof secret, fp);
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		snprintf(err, errlen, "%s: cannot read the key file", path);
		return -1;
	}
	if (n < ANON_SECRET_MIN || n > ANON_SECRET_MAX) {
		snprintf(err, errlen, "%s: a key file holds %u to %u bytes of secret (make one with "
			 "'head -c 32 /dev/urandom > FILE'), this one %s%zu", path, ANON_SECRET_MIN,
			 ANON_SECRET_MAX, n > ANON_SECRET_MAX ? "more than " : "", n > ANON_SECRET_MAX
			 ? (size_t)ANON_SECRET_MAX : n);
		return -1;
	}
	anon_keys_derive(k, secret, n);
	memset(secret, 0, sizeof secret);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decoding (when asked) and ASCII lower case, into buf. */
static size_t normalise(const char *s, size_t len, int url_encoded, char *buf, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n < cap; i++) {
		char c = s[i];
		if (url_encoded && c == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		buf[n++] = c;
	}
	return n;
}

/* "<prefix><hex of HMAC(label || part)>", digits hex digits. */
static size_t pseudonym(const struct anon_keys *k, const char *label, const char *part,
			size_t len, char prefix, unsigned digits, char *out, size_t cap)
{
	uint8_t msg[600], mac[32];
	size_t ll = strlen(label);
	if (len > sizeof msg - ll)
		len = sizeof msg - ll;
	memcpy(msg, label, ll);
	memcpy(msg + ll, part, len);
	hmac(k->names, sizeof k->names, msg, ll + len, mac);
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (n + 1 < cap)
		out[n++] = prefix;
	for (unsigned i = 0; i < digits && n + 1 < cap; i++)
		out[n++] = hex[(mac[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	out[n] = '\0';
	return n;
}

size_t anon_name(const struct anon_keys *k, const char *name, size_t len, int url_encoded,
		 char *out, size_t outlen)
{
	char buf[512];
	size_t n = normalise(name, len, url_encoded, buf, sizeof buf);
	/* The separator is written as the name wrote it: "%5C" or "\\". */
	int sep_encoded = url_encoded && !memchr(name, '\\', len) && !memchr(name, '@', len);
	const char *bs = memchr(buf, '\\', n), *at = memchr(buf, '@', n);
	if (outlen == 0)
		return 0;
	if (!bs && !at)
		return pseudonym(k, "user:", buf, n, 'u', 16, out, outlen);
	/* DOMAIN\user (domain first) or user@domain (user first). */
	const char *sep = bs ? bs : at;
	size_t left = (size_t)(sep - buf);
	const char *dom = bs ? buf : sep + 1, *usr = bs ? sep + 1 : buf;
	size_t dlen = bs ? left : n - left - 1, ulen = bs ? n - left - 1 : left;
	char user[64], domain[64];
	pseudonym(k, "domain:", dom, dlen, 'd', 12, domain, sizeof domain);
	pseudonym(k, "user:", usr, ulen, 'u', 16, user, sizeof user);
	const char *mark = bs ? (sep_encoded ? "%5C" : "\\") : (sep_encoded ? "%40" : "@");
	int w = snprintf(out, outlen, "%s%s%s", bs ? domain : user, mark, bs ? user : domain);
	return w < 0 ? 0 : (size_t)w < outlen ? (size_t)w : outlen - 1;
}

size_t anon_token(const struct anon_keys *k, const char *prefix, const char *s, size_t len,
		  char *out, size_t outlen)
{
	char body[40];
	pseudonym(k, "token:", s, len, 'x', 16, body, sizeof body);
	int n = snprintf(out, outlen, "%s%s", prefix, body + 1);
	return n < 0 ? 0 : (size_t)n < outlen ? (size_t)n : outlen - 1;
}
