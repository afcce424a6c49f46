/* lbsim-hapload: the measuring half of scripts/validate-haproxy. It runs
 * the HAProxy of lbsim calibrate (cal_hap.c: a backend HAProxy and the
 * HAProxy measured, on loopback, one thread each) under the validation's
 * workload and prints what the proxy spent, as CSV on standard output:
 *
 *   cpu,MODE,TLS,K,median,min,max,ns/conn    the proxy's CPU per client
 *       connection that sent K requests (each --request-bytes, answered
 *       with HAP_BIG_BYTES), TLS 1.3 full or resumed
 *   wakeups,MODE,TLS,K,median,min,max,per-conn    its voluntary context
 *       switches per connection: how often it slept and was woken
 *   busy,MODE,TLS,K,median,min,max,cores    its CPU time over the phase's
 *       wall time: the load that decides how often it sleeps
 *   mem,MODE,idle|active,N,median,min,max,B/conn    its resident memory per
 *       connection with N held idle, then with a request of each in flight
 *       (at a server that never answers; an answer is an error)
 *
 * --memory-only skips the CPU rows (a short check that requests are held,
 * tests/cli_hapload.sh).
 *
 * The clients: --clients connections at a time, each waiting --think
 * milliseconds before each request and before connecting again (a
 * light load, as lbsim's keep-alive clients with a think time make it),
 * or none (a closed loop as fast as the host goes).
 *
 * MODE: passthrough (mode tcp; the backend terminates TLS), terminate
 * (mode http, TLS terminated, plain to the server, http-reuse safe),
 * reencrypt (the same with TLS to the server). A resumed phase's cost is
 * taken back to all-resumed with the full phase of the same mode and K
 * (HAProxy answers some offered tickets with a full handshake; see
 * cal_hapbench.c). Progress on standard error.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "../cal_hap.h"
#include "../cal_internal.h"

static const char usage_text[] =
	"usage: lbsim-hapload [options]\n"
	"  --requests K        requests per connection (default 10; 1 is run too)\n"
	"  --request-bytes Q   size of a request (default 1500)\n"
	"  --seconds S         load per phase and repeat (default 2)\n"
	"  --repeats R         repeats, 1 to 16 (default 3)\n"
	"  --conns N           connections held for the memory figures (default 1000)\n"
	"  --clients N         connections at a time for the CPU figures (default 16)\n"
	"  --think MS          a client's wait before each request and connection, in\n"
	"                      milliseconds (default 0: as fast as it goes)\n"
	"  --memory-only       only the memory rows\n";

static const struct {
	const char *name;
	enum hap_front front;
} modes[] = {
	{"passthrough", HF_TCP_TLS},
	{"terminate", HF_TERM_RSA},
	{"reencrypt", HF_REENC},
};
enum { NMODES = sizeof modes / sizeof modes[0] };

/* Held connections: the request left in flight, per mode. */
static const struct {
	enum hap_front front;
	int requests;
	const char *held;
} held_modes[NMODES] = {
	{HF_TCP_HELD, 0, "/"},
	{HF_TERM_RSA, 1, "/held"},
	{HF_REENC, 1, "/held"},
};

static void print_row(const char *kind, const char *mode, const char *what, int n,
		      struct cal_figure *f, const char *unit)
{
	double med, lo, hi;
	cal_figure_summary(f, &med, &lo, &hi);
	printf("%s,%s,%s,%d,%.4g,%.4g,%.4g,%s\n", kind, mode, what, n, med, lo, hi, unit);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"requests", required_argument, NULL, 'k'},
		{"request-bytes", required_argument, NULL, 'b'},
		{"seconds", required_argument, NULL, 's'},
		{"repeats", required_argument, NULL, 'r'},
		{"conns", required_argument, NULL, 'n'},
		{"clients", required_argument, NULL, 'c'},
		{"think", required_argument, NULL, 't'},
		{"memory-only", no_argument, NULL, 'm'},
		{NULL, 0, NULL, 0},
	};
	int k = 10, qbytes = 1500, repeats = 3, conns = 1000, clients = CAL_HAP_CONCURRENCY, c;
	double seconds = 2, think_ms = 0;
	int memory_only = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': k = atoi(optarg); break;
		case 'b': qbytes = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'r': repeats = atoi(optarg); break;
		case 'n': conns = atoi(optarg); break;
		case 'c': clients = atoi(optarg); break;
		case 't': think_ms = atof(optarg); break;
		case 'm': memory_only = 1; break;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc || k < 2 || qbytes < 0 || qbytes > 4000 || !(seconds > 0) ||
	    repeats < 1 || repeats > CAL_MAX_REPEATS || conns < 1 || clients < 1 ||
	    clients > 1000 || !(think_ms >= 0 && think_ms <= 60000)) {
		fputs(usage_text, stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct hap_env e;
	char err[256];
	if (hap_env_init(&e, err, sizeof err) != 0 || hap_proxy_start(&e, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim-hapload: %s\n", err);
		return 1;
	}
	/* cost[mode][resumed][k is K] over the repeats, and the proxy's
	 * wake-ups and busy share alike */
	static struct cal_figure cpu[NMODES][2][2], wake[NMODES][2][2], busy[NMODES][2][2];
	const int ks[2] = {1, k};
	int rc = 0;
	for (int rep = 0; rep < repeats && rc == 0 && !memory_only; rep++) {
		for (int m = 0; m < NMODES && rc == 0; m++) {
			double cost[2][2], share[2][2], wakes[2][2], load[2][2];
			for (int res = 0; res < 2 && rc == 0; res++)
				for (int ki = 0; ki < 2 && rc == 0; ki++) {
					fprintf(stderr, "hapload: repeat %d of %d: %s, TLS 1.3 %s, %d "
							"request(s) a connection\n",
						rep + 1, repeats, modes[m].name, res ? "resumed" : "full",
						ks[ki]);
					const struct cal_phase p = {modes[m].name, modes[m].front, 1,
								    TLS1_3_VERSION, res, ks[ki], "/big",
								    0, qbytes, clients,
								    think_ms / 1e3};
					struct cal_phase_result pr;
					if (cal_hap_run_phase(&e, &p, seconds, &pr, err, sizeof err) !=
					    0) {
						fprintf(stderr, "lbsim-hapload: %s\n", err);
						rc = 1;
						break;
					}
					cost[res][ki] = pr.cpu_ns;
					share[res][ki] = pr.full_share;
					wakes[res][ki] = pr.wakeups;
					load[res][ki] = pr.busy;
				}
			if (rc)
				break;
			for (int ki = 0; ki < 2; ki++) {
				double s = share[1][ki];
				double resumed = (cost[1][ki] - s * cost[0][ki]) / (1 - s);
				double woke = (wakes[1][ki] - s * wakes[0][ki]) / (1 - s);
				struct cal_figure *f0 = &cpu[m][0][ki], *f1 = &cpu[m][1][ki];
				f0->value[f0->repeats++] = cost[0][ki];
				f1->value[f1->repeats++] = resumed;
				f0 = &wake[m][0][ki], f1 = &wake[m][1][ki];
				f0->value[f0->repeats++] = wakes[0][ki];
				f1->value[f1->repeats++] = woke;
				f0 = &busy[m][0][ki], f1 = &busy[m][1][ki];
				f0->value[f0->repeats++] = load[0][ki];
				f1->value[f1->repeats++] = load[1][ki];
			}
		}
	}
	hap_proxy_stop(&e);
	if (rc == 0)
		printf("kind,mode,what,n,median,min,max,unit\n");
	if (rc == 0 && !memory_only) {
		for (int m = 0; m < NMODES; m++)
			for (int res = 0; res < 2; res++)
				for (int ki = 0; ki < 2; ki++) {
					const char *tls = res ? "resumed" : "full";
					print_row("cpu", modes[m].name, tls, ks[ki], &cpu[m][res][ki],
						  "ns/conn");
					print_row("wakeups", modes[m].name, tls, ks[ki],
						  &wake[m][res][ki], "per-conn");
					print_row("busy", modes[m].name, tls, ks[ki], &busy[m][res][ki],
						  "cores");
				}
	}
	for (int m = 0; m < NMODES && rc == 0; m++) {
		struct cal_figure idle = {.repeats = 0}, active = {.repeats = 0};
		for (int rep = 0; rep < repeats && rc == 0; rep++) {
			fprintf(stderr, "hapload: repeat %d of %d: %s, memory, %d connections\n",
				rep + 1, repeats, modes[m].name, conns);
			double i, a;
			if (cal_hap_mem(&e, held_modes[m].front, held_modes[m].requests,
					held_modes[m].held, conns, &i, &a, err, sizeof err) != 0) {
				fprintf(stderr, "lbsim-hapload: %s: %s\n", modes[m].name, err);
				rc = 1;
				break;
			}
			idle.value[idle.repeats++] = i;
			active.value[active.repeats++] = a;
		}
		if (rc == 0) {
			print_row("mem", modes[m].name, "idle", conns, &idle, "B/conn");
			print_row("mem", modes[m].name, "active", conns, &active, "B/conn");
		}
	}
	printf("# haproxy %s\n", e.version);
	hap_env_free(&e);
	return rc;
}
