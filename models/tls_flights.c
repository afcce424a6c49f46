/* The flights of a TLS handshake; see include/lbsim/tls_flights.h.
 *
 * Which flights: the message flows of the RFCs (below, per shape). A
 * flight is one message to a relaying proxy: its sender writes it at once
 * (OpenSSL buffers a flight and flushes it whole) and waits for the other
 * side, so the proxy reads and writes it once.
 *
 * Their sizes, but for the certificate chain, were measured: OpenSSL
 * 3.0.19 (s_client) through HAProxy 2.6.12 in mode tcp to HAProxy
 * terminating TLS, on loopback, the relaying proxy's recvfrom() sizes
 * under strace (TLS 1.3 with X25519, AES-256-GCM; a 765-byte self-signed
 * RSA-2048 certificate taken out of the server's flight). An ECDSA P-256
 * signature is 184 bytes shorter than RSA-2048's 256 (DER, about 72).
 *
 * The certificate chain is an assumption: a leaf and one intermediate of
 * a public CA, about 1,300 bytes each with RSA-2048 keys and 1,000 with
 * ECDSA P-256 (a leaf with its SCTs); a self-signed leaf alone is smaller
 * (765 bytes above), a longer chain larger.
 */
#include "lbsim/tls_flights.h"

/* Bytes of the certificate chain by key (assumption, above). */
static const uint32_t chain_bytes[COST_CERT_COUNT] = {
	[COST_CERT_RSA_2048] = 2600,
	[COST_CERT_ECDSA_P256] = 2000,
};
/* Bytes a server's signature saves with an ECDSA P-256 key against RSA-2048. */
static const uint32_t ecdsa_signature_saving = 184;

static size_t put(struct tls_flight *out, size_t n, uint32_t bytes, int from_client)
{
	out[n] = (struct tls_flight){.bytes = bytes, .from_client = (uint8_t)from_client};
	return n + 1;
}

size_t tls_handshake_flights(int tls13, int resumed, enum cost_cert cert,
			     struct tls_flight out[TLS_MAX_FLIGHTS])
{
	uint32_t signed_part = cert == COST_CERT_ECDSA_P256 ? ecdsa_signature_saving : 0;
	uint32_t chain = chain_bytes[cert];
	size_t n = 0;
	if (tls13 && !resumed) {
		/* RFC 8446 figure 1: ClientHello with its key share; ServerHello,
		 * ChangeCipherSpec (middlebox compatibility, D.4) and
		 * {EncryptedExtensions, Certificate, CertificateVerify,
		 * Finished}; the client's ChangeCipherSpec and {Finished};
		 * then the server's NewSessionTickets (4.6.1; OpenSSL sends two
		 * after a full handshake, SSL_CTX_set_num_tickets). */
		n = put(out, n, 225, 1);
		n = put(out, n, 556 - signed_part + chain, 0);
		n = put(out, n, 80, 1);
		n = put(out, n, 510, 0);
	} else if (tls13) {
		/* RFC 8446 figure 3, psk_dhe_ke: ClientHello with key share and
		 * pre_shared_key (the ticket); ServerHello, ChangeCipherSpec,
		 * {EncryptedExtensions, Finished}; the client's Finished; one
		 * new ticket (OpenSSL after a resumption). */
		n = put(out, n, 496, 1);
		n = put(out, n, 241, 0);
		n = put(out, n, 80, 1);
		n = put(out, n, 255, 0);
	} else if (!resumed) {
		/* RFC 5246 7.3 figure 1 with ECDHE (RFC 8422): ClientHello;
		 * ServerHello, Certificate, ServerKeyExchange (signed),
		 * ServerHelloDone; ClientKeyExchange, ChangeCipherSpec,
		 * Finished; NewSessionTicket (RFC 5077 3.1), ChangeCipherSpec,
		 * Finished. */
		n = put(out, n, 188, 1);
		n = put(out, n, 399 - signed_part + chain, 0);
		n = put(out, n, 93, 1);
		n = put(out, n, 242, 0);
	} else {
		/* RFC 5077 3.1 figure 2 (RFC 5246 7.3 figure 2 by session id
		 * alike, without the ticket): ClientHello with the ticket;
		 * ServerHello, ChangeCipherSpec, Finished; the client's
		 * ChangeCipherSpec, Finished. */
		n = put(out, n, 396, 1);
		n = put(out, n, 141, 0);
		n = put(out, n, 51, 1);
	}
	return n;
}
