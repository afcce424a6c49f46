/* Network figures and handshake round trips, with their sources; see
 * include/lbsim/network.h. The README's "Latency" section repeats them.
 *
 * Round-trip times are starting points, to be replaced by a ping from the
 * user's own sites: what has no document behind it says "assumption".
 * Handshake round trips follow the protocols' specifications exactly.
 */
#include "lbsim/network.h"

#include <string.h>

#define MS (1000ull * 1000)
#define US 1000ull

static const struct {
	const char *name;
	struct network_cfg cfg;
} kinds[NETWORK_COUNT] = {
	/* A switched campus LAN: round trips well under a millisecond
	 * (assumption: 0.5 ms, jitter 0.1 ms, a few switch and router hops
	 * and the hosts' own stacks). */
	[NETWORK_LAN] = {"lan", {500 * US, 100 * US}},
	/* A branch office over a carrier's WAN: Verizon publishes its
	 * backbone's monthly mean round trips (about 38 ms within North
	 * America, 14 ms within Europe, "IP Latency Statistics"); with the
	 * branch's access links, some 40 ms (assumption from those figures),
	 * jitter 5 ms (assumption). */
	[NETWORK_WAN] = {"wan", {40 * MS, 5 * MS}},
	/* Phones on a 4G carrier network: OpenSignal's network reports put
	 * 4G round trips at a few tens of milliseconds and 3G's above 100 ms;
	 * 60 ms with a jitter of 20 ms (assumption in that range; a radio
	 * waking from idle adds more, not modelled). */
	[NETWORK_MOBILE] = {"mobile", {60 * MS, 20 * MS}},
};

const struct network_cfg *network_default(enum network_kind k)
{
	return &kinds[k < NETWORK_COUNT ? k : NETWORK_LAN].cfg;
}

const char *network_kind_name(enum network_kind k)
{
	return k < NETWORK_COUNT ? kinds[k].name : "?";
}

int network_kind_of(const char *name)
{
	for (int k = 0; k < NETWORK_COUNT; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return k;
	return -1;
}

uint32_t network_setup_round_trips(int tls, int resumed)
{
	/* TCP: SYN, SYN-ACK; the client's ACK carries its first data
	 * (RFC 9293 section 3.5): one round trip. */
	uint32_t tcp = 1;
	/* TLS 1.3: ClientHello, ServerHello..Finished, one round trip, full
	 * or resumed with a PSK (RFC 8446 section 2); its 0-RTT early data is
	 * off by default in HAProxy (allow-0rtt) and not offered by IIS.
	 * TLS 1.2: a full handshake takes two round trips, an abbreviated
	 * one (session id or ticket) one (RFC 5246 section 7.3, RFC 5077). */
	uint32_t tls_rtts = tls == 13 ? 1 : resumed ? 1 : 2;
	return tcp + tls_rtts;
}

uint32_t network_backend_round_trips(int reencrypt)
{
	/* TCP, then with re-encryption a resumed TLS handshake: HAProxy keeps
	 * the last TLS session of each server and offers it again (its
	 * default; no-ssl-reuse turns it off). One round trip either way
	 * for TLS 1.2 abbreviated and TLS 1.3. */
	return 1u + (reencrypt ? 1u : 0u);
}

uint32_t network_message_flights(uint64_t bytes, uint64_t mss)
{
	/* RFC 6928: IW = min(10 * MSS, max(2 * MSS, 14600)); 10 segments for
	 * every MSS up to 1460. Each round trip's window doubles (slow
	 * start, RFC 5681 section 3.1, one ACK per segment). */
	enum { INITIAL_WINDOW = 10 };
	uint64_t segments = mss ? (bytes + mss - 1) / mss : 1;
	uint32_t flights = 1;
	for (uint64_t window = INITIAL_WINDOW, sent = INITIAL_WINDOW; sent < segments; flights++) {
		window *= 2;
		sent += window;
	}
	return flights;
}
