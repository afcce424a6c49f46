/* Whole-scenario benchmark (issue 8, benchmark 2): the default Exchange
 * scenario scaled to 10k, 100k and 1M users, one simulated hour, all of its
 * designs, one replication, on every core. Prints wall time, CPU time,
 * simulated requests per wall second, events per second and peak resident
 * memory, and the cost per request and per event relative to the 10k run
 * (the baseline measured in the same run): flat means cost grows linearly.
 * The cost is CPU time (of every thread) per request and per event: on a
 * shared machine wall time x threads would also count the time other jobs
 * held the cores, and move with their load (issue 19 item 5).
 *
 * The whole enterprise is scaled, not the users alone: the servers, the
 * NAT and CGNAT address pools and the persistence tables grow with the
 * users, so every size has the default scenario's load per server, per
 * address and per table entry. (Users alone would
 * saturate the 8 servers at 100k users and exhaust the branch NAT's ports
 * at 1M, and the benchmark would time a retry storm, not an enterprise.)
 *
 * usage: bench_scenario [MAX_USERS]   (default 1000000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "bench_util.h"
#include "lbsim/experiment.h"
#include "lbsim/params.h"
#include "lbsim/scenario.h"

/* base x factor, rounded, within 1..max. */
static uint32_t scaled(uint32_t base, double factor, uint32_t max)
{
	double v = (double)base * factor + 0.5;
	return v < 1 ? 1 : v > (double)max ? max : (uint32_t)v;
}

/* text: digits only, at least 10,000 (the smallest size run). */
static int parse_max_users(const char *text, unsigned long long *out)
{
	char *end;
	if (text[0] < '0' || text[0] > '9')
		return 0;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end || v < 10000)
		return 0;
	*out = v;
	return 1;
}

int main(int argc, char **argv)
{
	gsl_set_error_handler_off();
	/* The sizes run are 10k, 100k, 1M up to MAX_USERS: a word that is not
	 * a whole number of at least 10,000 would run none, silently. */
	unsigned long long max_users = 1000000;
	if (argc > 2 || (argc == 2 && !parse_max_users(argv[1], &max_users))) {
		fprintf(stderr, "usage: bench_scenario [MAX_USERS]   (a whole number from 10000; "
				"default 1000000: runs 10k, 100k and 1M users)\n");
		return 2;
	}
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
	printf("%10s %8s %12s %10s %10s %14s %10s %12s %14s %14s %10s\n", "users", "servers",
	       "requests", "wall s", "CPU s", "req/s (wall)", "Mevents/s", "peak RSS MB",
	       "ns/req vs 10k", "ns/event vs 10k", "CPU ns/ev");
	double base_ns_per_req = 0, base_ns_per_event = 0;
	const uint32_t base_servers = scn->servers.count;
	uint32_t base_addresses[SCN_MAX_POPULATIONS];
	for (uint32_t i = 0; i < scn->npopulations; i++)
		base_addresses[i] = scn->populations[i].addresses;
	uint32_t base_pers[SCN_MAX_DESIGNS];
	for (uint32_t d = 0; d < scn->ndesigns; d++)
		base_pers[d] = scn->designs[d].pers_params.size;
	const uint64_t scenario_users = base_users;
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
		double factor = (double)total / (double)scenario_users;
		scn->servers.count = scaled(base_servers, factor, SCN_MAX_SERVERS);
		/* Persistence tables keep their size per user (the default
		 * l7 table holds 100,000 cookies for 14,000 users). */
		for (uint32_t d = 0; d < scn->ndesigns; d++)
			if (scn->designs[d].persist)
				scn->designs[d].pers_params.size =
					scaled(base_pers[d], factor, SCN_MAX_PERSIST_SIZE);
		for (uint32_t i = 0; i < scn->npopulations; i++)
			if (scn->populations[i].source != SCN_SOURCE_UNIQUE)
				scn->populations[i].addresses =
					scaled(base_addresses[i], factor, SCN_MAX_ADDRESSES);
		char msg0[512];
		if (params_check(scn, msg0, sizeof msg0) != 0) {
			fprintf(stderr, "bench_scenario: %s\n", msg0);
			scn_free(scn);
			return 1;
		}
		scn->duration = 3600ULL * SIM_NS_PER_S;
		scn->warmup = 0;
		scn->replications = 1;
		struct experiment ex = {0};
		char msg[512];
		uint64_t cpu0 = bench_cpu_ns();
		if (experiment_run(&ex, scn, jobs, NULL, msg, sizeof msg) != 0) {
			fprintf(stderr, "bench_scenario: %s\n", msg);
			scn_free(scn);
			return 1;
		}
		uint64_t requests = 0;
		for (uint32_t d = 0; d < scn->ndesigns; d++)
			requests += experiment_run_of(&ex, d, 0)->sent;
		double cpu_ns = (double)(bench_cpu_ns() - cpu0);
		double ns_per_req = cpu_ns / (double)requests;
		double ns_per_event = cpu_ns / (double)ex.events;
		if (k == 0) {
			base_ns_per_req = ns_per_req;
			base_ns_per_event = ns_per_event;
		}
		printf("%10llu %8u %12llu %10.2f %10.2f %14.0f %10.2f %12.1f %14.2f %14.2f %10.1f\n",
		       (unsigned long long)total, scn->servers.count, (unsigned long long)requests,
		       ex.wall_s, cpu_ns / 1e9, (double)requests / ex.wall_s,
		       (double)ex.events / ex.wall_s / 1e6, (double)bench_peak_rss_bytes() / 1e6,
		       ns_per_req / base_ns_per_req, ns_per_event / base_ns_per_event, ns_per_event);
		fflush(stdout);
		experiment_free(&ex);
	}
	printf("targets: 100,000 users, 1 h, 3 designs in <= 60 s wall on 2 cores, < 2 GiB (issue 8); "
	       "<= 25 s, 1,000,000 users <= 5 min and 8 GB, cost per event 10k to 1M <= 1.5x (issue 19)\n");
	scn_free(scn);
	return 0;
}
