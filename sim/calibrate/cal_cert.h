/* Throwaway keys and certificates for the calibration (cal_cert.c). */
#ifndef LBSIM_CAL_CERT_H
#define LBSIM_CAL_CERT_H

#include <openssl/evp.h>
#include <openssl/x509.h>

enum cal_key_kind { CAL_KEY_RSA2048, CAL_KEY_ECDSA_P256 };

/* A new key of that kind, or NULL. */
EVP_PKEY *cal_key_new(enum cal_key_kind kind);
/* "rsa2048" or "ecdsa-p256": the name in figure keys. */
const char *cal_key_name(enum cal_key_kind kind);
/* A self-signed certificate for key, valid for a day, or NULL. */
X509 *cal_cert_new(EVP_PKEY *key);
/* Certificate then key into one PEM file (HAProxy's `crt` format).
 * Returns 0 or -1. */
int cal_pem_write(const char *path, X509 *cert, EVP_PKEY *key);

#endif
