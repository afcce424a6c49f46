/* ssl-session-id: stick on the legacy session id of the cleartext TLS
 * ClientHello, which a layer-4 device can read without terminating TLS.
 *
 * A request without a session id (none offered, or length 0: a client
 * starting a full handshake) is balanced and not stored. A client that offers
 * a new id is a new key and loses its server. That is exactly how this
 * method breaks with TLS 1.3, whose clients send a random legacy id on every
 * connection and resume with tickets instead (RFC 8446, 4.1.2): persistence
 * then never hits, which the simulator shows rather than hides.
 */
#include "lbsim/lb_pers.h"

#include <string.h>

static int ssl_session_key(const struct lb_persist *p, const struct lb_request *req,
			   struct lb_pers_key *key)
{
	(void)p;
	/* TLS caps the legacy session id at 32 bytes; a longer one is a
	 * malformed hello and is not trusted as a key. */
	if (!req->tls_session_id || req->tls_session_id_len == 0 ||
	    req->tls_session_id_len > LB_PERS_KEY_MAX)
		return -1;
	key->len = req->tls_session_id_len;
	memcpy(key->bytes, req->tls_session_id, key->len);
	return 0;
}

const struct lb_pers_ops lb_pers_ssl_session_id = {
	.name = "ssl-session-id",
	.description = "TLS session id from the cleartext ClientHello; layer 4 or 7 (breaks with TLS 1.3)",
	.needs = LB_NEED_TLS_HELLO,
	.key = ssl_session_key,
};
