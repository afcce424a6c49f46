/* Throwaway keys and self-signed certificates, made at run time with
 * OpenSSL: nothing secret is shipped, and nothing made here outlives the
 * run (the PEM files go into a private temporary folder). */
#include "cal_cert.h"

#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

EVP_PKEY *cal_key_new(enum cal_key_kind kind)
{
	if (kind == CAL_KEY_RSA2048)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

const char *cal_key_name(enum cal_key_kind kind)
{
	return kind == CAL_KEY_RSA2048 ? "rsa2048" : "ecdsa-p256";
}

X509 *cal_cert_new(EVP_PKEY *key)
{
	X509 *x = X509_new();
	if (!x)
		return NULL;
	X509_NAME *name = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), 86400) ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				       (const unsigned char *)"lbsim-calibrate", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, key) != 1 ||
	    X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int cal_pem_write(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	int ok = PEM_write_X509(fp, cert) == 1 &&
		 PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) == 1;
	if (fclose(fp) != 0)
		ok = 0;
	return ok ? 0 : -1;
}
