/* lbsim: a discrete-event simulator and capacity planner for load-balancer
 * designs. Everything lives in the engine library (see sim/cli/cli.c) but
 * `anonymise` and `calibrate`, which need OpenSSL and so live in libraries
 * of their own, linked into this program alone. */
#include "lbsim/anon_cli.h"
#include "lbsim/calibrate.h"
#include "lbsim/cli.h"

int main(int argc, char **argv)
{
	static const struct lbsim_tool tools[] = {
		{"anonymise", "rewrite logs with addresses and names anonymised under a key",
		 anon_main},
		{"calibrate", "measure this host's TLS and a real HAProxy: a cost profile",
		 calibrate_main},
	};
	return lbsim_main_with(argc, argv, tools, sizeof tools / sizeof tools[0]);
}
