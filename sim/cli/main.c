/* lbsim: a discrete-event simulator and capacity planner for load-balancer
 * designs. Everything lives in the engine library; see sim/cli/cli.c. */
#include "lbsim/cli.h"

int main(int argc, char **argv)
{
	return lbsim_main(argc, argv);
}
