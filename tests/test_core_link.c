/* Links the balancer core alone: no cmocka, no GSL, no libm, no engine.
 * If the core ever calls into the simulator or a library beyond libc, this
 * program stops linking and the build fails. It also checks a real result:
 * smooth weighted round robin over weights 5,1,1 gives a a b a c a a. */
#include <stdio.h>
#include <string.h>

#include "lbsim/lb.h"
#include "lbsim/lb_sel.h"
#include "lbsim/lb_vs.h"

int main(void)
{
	static const uint32_t weights[] = {5, 1, 1};
	struct lb_pool pool;
	if (lb_pool_init(&pool, "link", 3, weights, lb_sel_find("roundrobin"), NULL) != 0) {
		fputs("lb_pool_init failed\n", stderr);
		return 1;
	}
	char seq[8] = {0};
	struct lb_request req = {0};
	for (int i = 0; i < 7; i++)
		seq[i] = (char)('a' + lb_pick(&pool, &req, 0));
	lb_pool_free(&pool);
	/* Also pull in the virtual-service layer (routing, persistence). */
	struct lb_vs vs;
	char msg[128];
	struct lb_route route;
	req.src_ip = 0x0a000001;
	if (lb_vs_init(&vs, "link", LB_LAYER_4, 0, 443) != 0 ||
	    lb_vs_add_pool(&vs, "all", 3, weights, lb_sel_find("source"), NULL, msg, sizeof msg) < 0 ||
	    lb_vs_set_persist(&vs, 0, lb_pers_find("source-ip"),
			      &(struct lb_pers_params){.size = 16}, msg, sizeof msg) != 0 ||
	    lb_vs_route(&vs, &req, 0, &route) != 0) {
		fputs("virtual service failed\n", stderr);
		return 1;
	}
	lb_vs_free(&vs);
	if (strcmp(seq, "aabacaa") != 0) {
		fprintf(stderr, "smooth WRR gave %s, want aabacaa\n", seq);
		return 1;
	}
	puts("core links with libc alone; smooth WRR 5,1,1 = aabacaa");
	return 0;
}
