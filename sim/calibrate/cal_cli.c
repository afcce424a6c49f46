/* `lbsim calibrate`: measure what a balancer's operations cost on this
 * host and write them as a cost profile. The output file is opened (under
 * a temporary name) before anything is measured, so that a folder that
 * cannot take it is said at once, not after minutes of measuring; it is
 * renamed into place only when whole. */
#include "lbsim/calibrate.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cal_internal.h"
#include "lbsim/cli.h"
#include "lbsim/file_out.h"

static const char usage_text[] =
	"usage: lbsim calibrate [options]\n"
	"\n"
	"Measure what a load balancer's operations cost on this host and write them as a\n"
	"cost profile for lbsim's cost model (README \"Calibrating this host\").\n"
	"OpenSSL in memory: TLS handshakes by key and resumption, bulk ciphers per byte.\n"
	"When haproxy is installed: a real HAProxy on loopback, its CPU per connection,\n"
	"request, handshake and byte, its memory per idle and per busy connection. Each\n"
	"figure is the median of its repeats, with its spread; what could not be\n"
	"measured is said, with why. About three minutes (--quick: under one).\n"
	"\n"
	"options:\n"
	"  -o, --output FILE       the profile (default: calibrated-HOST.yaml; - for\n"
	"                          standard output)\n"
	"      --quick             fewer and shorter repeats: a first look, or a test\n"
	"      --no-haproxy        OpenSSL only, even when haproxy is installed\n"
	"  -q, --quiet             no progress on standard error\n"
	"  -h, --help              this help\n"
	"\n"
	"exit status: 0 written (figures that could not be measured are listed),\n"
	"1 nothing measured or the file could not be written, 2 bad usage\n";

enum { OPT_QUICK = 1, OPT_NO_HAPROXY };

int calibrate_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"quick", no_argument, NULL, OPT_QUICK},
		{"no-haproxy", no_argument, NULL, OPT_NO_HAPROXY},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct cal_run run; /* large: off the stack; one calibration at a time */
	struct cal_run *r = &run;
	memset(r, 0, sizeof *r);
	const char *outpath = NULL;
	int no_haproxy = 0, c;
	optind = 1;
	opterr = 0;
	struct lbsim_once once = {0};
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		if (lbsim_once(&once, longopts, c, optarg, "calibrate") != 0)
			return lbsim_tool_usage(usage_text, 0);
		switch (c) {
		case 'o':
			outpath = optarg;
			break;
		case OPT_QUICK:
			r->quick = 1;
			break;
		case OPT_NO_HAPROXY:
			no_haproxy = 1;
			break;
		case 'q':
			r->quiet = 1;
			break;
		case 'h':
			return lbsim_tool_usage(usage_text, 1);
		default:
			fprintf(stderr, "lbsim calibrate: unknown option '%s'\n", argv[optind - 1]);
			return lbsim_tool_usage(usage_text, 0);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "lbsim calibrate: unexpected argument '%s'\n", argv[optind]);
		return lbsim_tool_usage(usage_text, 0);
	}
	char defpath[128];
	if (!outpath) {
		struct utsname u;
		snprintf(defpath, sizeof defpath, "calibrated-%.64s.yaml",
			 uname(&u) == 0 ? u.nodename : "host");
		outpath = defpath;
	}
	struct file_out out;
	char err[512];
	if (file_out_open(&out, outpath, r->quiet ? NULL : stderr, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim calibrate: %s\n", err);
		return LBSIM_EXIT_USAGE;
	}
	/* A proxy that closes while OpenSSL writes must be an error, not a
	 * signal that kills the calibration. */
	signal(SIGPIPE, SIG_IGN);
	r->tty = isatty(STDERR_FILENO);
	r->repeats = r->quick ? 3 : 5;
	r->phase_s = r->quick ? 0.05 : 0.2;
	r->hap_phase_s = r->quick ? 0.3 : 1.2;
	r->steps = cal_tls_steps() + (no_haproxy ? 0 : cal_haproxy_steps(r));
	cal_tls_measure(r);
	if (no_haproxy)
		cal_note(r, "HAProxy not measured: --no-haproxy");
	else
		cal_haproxy_measure(r);
	cal_progress_done(r);
	size_t measured = cal_measured(r);
	if (measured == 0) {
		cal_unmeasured(r, stderr);
		fprintf(stderr, "lbsim calibrate: nothing could be measured; nothing written\n");
		file_out_abort(&out);
		return LBSIM_EXIT_FAILED;
	}
	if (cal_write(r, &out, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim calibrate: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	if (!r->quiet) {
		size_t missing = cal_unmeasured(r, stderr);
		fprintf(stderr, "calibrate: %zu figures measured, %zu not; wrote %s\n", measured,
			missing, strcmp(outpath, "-") == 0 ? "standard output" : outpath);
	}
	return LBSIM_EXIT_OK;
}
