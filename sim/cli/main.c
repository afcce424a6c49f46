/* lbsim: a discrete-event simulator and capacity planner for load-balancer
 * designs. Everything lives in the engine library (see sim/cli/cli.c) but
 * `anonymise`, which needs OpenSSL and so lives in its own library,
 * linked into this program alone. */
#include "lbsim/anon_cli.h"
#include "lbsim/cli.h"

int main(int argc, char **argv)
{
	static const struct lbsim_tool tools[] = {
		{"anonymise", "rewrite logs with addresses and names anonymised under a key",
		 anon_main},
	};
	return lbsim_main_with(argc, argv, tools, sizeof tools / sizeof tools[0]);
}
