/* Whole-scenario benchmark (issue 8, benchmark 2): the default Exchange
 * scenario scaled to 10k, 100k and 1M users, one simulated hour, all of its
 * designs, one replication, on every core. Prints wall time, simulated
 * requests per wall second, events per second and peak resident memory,
 * and the cost per request relative to the 10k run (the baseline measured
 * in the same run): flat means cost grows linearly with the requests.
 *
 * usage: bench_scenario [MAX_USERS]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "bench_util.h"
#include "lbsim/experiment.h"
#include "lbsim/scenario.h"

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	unsigned long long max_users = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	const char *path = LBSIM_SOURCE_DIR "/scenarios/exchange2013.yaml";
	struct scenario *scn;
	struct scn_error err;
	if (scn_load(path, &scn, &err) != 0) {
		scn_error_print(stderr, &err);
		return 1;
	}
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = cores > 0 ? (unsigned)cores : 1;
	uint64_t base_users = 0;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		base_users += scn->populations[i].users;

	printf("bench_scenario: %s scaled, 1 h simulated, %u designs, 1 replication, %u threads\n",
	       scn->name, scn->ndesigns, jobs);
	bench_print_machine(stdout);
	printf("%10s %12s %10s %14s %12s %12s %14s\n", "users", "requests", "wall s",
	       "req/s (wall)", "Mevents/s", "peak RSS MB", "ns/req vs 10k");
	double base_ns_per_req = 0;
	static const uint64_t sizes[] = {10000, 100000, 1000000};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		if (sizes[k] > max_users)
			break;
		uint64_t total = 0;
		for (uint32_t i = 0; i < scn->npopulations; i++) {
			struct scn_population *p = &scn->populations[i];
			p->users = p->users * sizes[k] / base_users;
			if (p->users == 0)
				p->users = 1;
			total += p->users;
		}
		base_users = total;
		scn->duration = 3600ULL * SIM_NS_PER_S;
		scn->warmup = 0;
		scn->replications = 1;
		struct experiment ex = {0};
		char msg[512];
		if (experiment_run(&ex, scn, jobs, NULL, msg, sizeof msg) != 0) {
			fprintf(stderr, "bench_scenario: %s\n", msg);
			scn_free(scn);
			return 1;
		}
		uint64_t requests = 0;
		for (uint32_t d = 0; d < scn->ndesigns; d++)
			requests += experiment_run_of(&ex, d, 0)->sent;
		/* CPU-time cost per request: wall time times threads. */
		double ns_per_req = ex.wall_s * 1e9 * jobs / (double)requests;
		if (k == 0)
			base_ns_per_req = ns_per_req;
		printf("%10llu %12llu %10.2f %14.0f %12.2f %12.1f %14.2f\n",
		       (unsigned long long)total, (unsigned long long)requests, ex.wall_s,
		       (double)requests / ex.wall_s, (double)ex.events / ex.wall_s / 1e6,
		       (double)bench_peak_rss_bytes() / 1e6, ns_per_req / base_ns_per_req);
		fflush(stdout);
		experiment_free(&ex);
	}
	printf("target (issue 8): 100,000 users, 1 h, 3 designs in <= 60 s wall on 2 cores, < 2 GiB\n");
	scn_free(scn);
	return 0;
}
