/* `lbsim anonymise`: rewrite logs with their addresses and names
 * anonymised under a key (anon_log.h says what changes). Every output is
 * written under a temporary name and renamed only when every log has been
 * read without error: a malformed line (under --on-error fail) or an
 * unreadable log leaves nothing behind. */
#include "lbsim/anon_cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "anon_log.h"
#include "lbsim/cli.h"
#include "lbsim/file_out.h"
#include "lbsim/log_opts.h"

static const char usage_text[] =
	"usage: lbsim anonymise --key FILE [options] LOG...\n"
	"\n"
	"Rewrite IIS W3C or HAProxy httplog logs with every client and server address\n"
	"anonymised prefix-preservingly (Crypto-PAn: a /24 stays a /24, a NAT address one\n"
	"address) and every user name, ActiveSync device id and e-mail address replaced\n"
	"by a keyed pseudonym. The same key gives the same mapping in every file and run.\n"
	"Cookies and referers become '-'; user agents, host names, times, URI paths and\n"
	"statuses are kept, so the result reads in lbsim exactly as the original.\n"
	"\n"
	"options:\n"
	"  -k, --key FILE          the secret, 32 to 4096 bytes (head -c 32 /dev/urandom)\n"
	"  -o, --output PATH       with one log: the result (default: standard output);\n"
	"                          with several: a folder, each result under its log's name\n"
	"                          (a name ending in .gz is written gzip-compressed)\n"
	"      --format F          auto (default), iis or haproxy\n"
	"      --on-error E        fail (default: exit 2, nothing written) or skip (the line\n"
	"                          is dropped, never copied, and counted)\n"
	"      --capture H1,H2     HAProxy: the captured request headers, in order\n"
	"      --user-header H     HAProxy: the captured header naming the user (X-User)\n"
	"  -q, --quiet             no summary on standard error\n"
	"  -h, --help              this help\n"
	"\n"
	"exit status: 0 done, 1 a write failed, 2 bad usage or a log that cannot be read\n";

struct output {
	struct file_out f;
	void *gz;                  /* gzFile writing into f */
	char path[4096];
};

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && strcmp(s + n - t, tail) == 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Open one output (a file, or standard output) with a zlib stream over it:
 * compressing when the name ends in .gz, transparent otherwise. */
static int output_open(struct output *o, const char *path, FILE *note, char *err,
		       size_t errlen)
{
	memset(o, 0, sizeof *o);
	snprintf(o->path, sizeof o->path, "%s", path);
	if (file_out_open(&o->f, path, note, err, errlen) != 0)
		return -1;
	fflush(o->f.fp);
	int fd = dup(fileno(o->f.fp));
	o->gz = fd >= 0 ? gzdopen(fd, ends_with(path, ".gz") ? "wb6" : "wbT") : NULL;
	if (!o->gz) {
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		file_out_abort(&o->f);
		return -1;
	}
	return 0;
}

static int output_close(struct output *o, int keep, char *err, size_t errlen)
{
	int rc = 0;
	if (o->gz && gzclose(o->gz) != Z_OK && keep) {
		snprintf(err, errlen, "%s: write failed", o->path);
		rc = -1;
	}
	o->gz = NULL;
	if (keep && rc == 0)
		return file_out_commit(&o->f, err, errlen);
	file_out_abort(&o->f);
	return rc;
}

int anon_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"format", required_argument, NULL, 1},
		{"on-error", required_argument, NULL, 2},
		{"capture", required_argument, NULL, 3},
		{"user-header", required_argument, NULL, 4},
		{NULL, 0, NULL, 0},
	};
	static const char *const log_keys[] = {NULL, "format", "on-error", "capture", "user-header"};
	struct log_opts lo = {0};
	const char *key = NULL, *outpath = NULL;
	int quiet = 0, c;
	char err[1024];
	optind = 1;
	opterr = 0;
	struct lbsim_once once = {0};
	while ((c = getopt_long(argc, argv, "k:o:qh", longopts, NULL)) != -1) {
		if (lbsim_once(&once, longopts, c, optarg, "anonymise") != 0)
			return lbsim_tool_usage(usage_text, 0);
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return lbsim_tool_usage(usage_text, 1);
		case 1: case 2: case 3: case 4:
			if (log_opts_set(&lo, log_keys[c], optarg, err, sizeof err) != 0) {
				fprintf(stderr, "lbsim anonymise: %s\n", err);
				return LBSIM_EXIT_USAGE;
			}
			break;
		default:
			fprintf(stderr, "lbsim anonymise: %s '%s'\n",
				optopt ? "option needs a value or is unknown:" : "unknown option",
				argv[optind - 1]);
			return lbsim_tool_usage(usage_text, 0);
		}
	}
	int nlogs = argc - optind;
	if (!key || nlogs < 1) {
		fprintf(stderr, "lbsim anonymise: %s\n", !key ? "--key FILE is required" : "no log given");
		return lbsim_tool_usage(usage_text, 0);
	}
	int folder = nlogs > 1 || (outpath && (ends_with(outpath, "/") || is_dir(outpath)));
	if (folder && !outpath) {
		fprintf(stderr, "lbsim anonymise: several logs need -o FOLDER\n");
		return LBSIM_EXIT_USAGE;
	}
	if (folder && output_dir_prepare(outpath, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_USAGE;
	}
	struct anon_keys keys;
	if (anon_keys_load(&keys, key, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_USAGE;
	}
	struct cryptopan cp;
	if (cryptopan_init(&cp, keys.cryptopan) != 0) {
		fprintf(stderr, "lbsim: OpenSSL could not set up AES-128\n");
		return LBSIM_EXIT_FAILED;
	}
	struct output *outs = calloc((size_t)nlogs, sizeof *outs);
	int rc = outs ? LBSIM_EXIT_OK : LBSIM_EXIT_FAILED;
	int opened = 0;
	struct anon_counts total = {0};
	for (int i = 0; outs && i < nlogs && rc == LBSIM_EXIT_OK; i++) {
		const char *in = argv[optind + i];
		char path[4096];
		if (folder) {
			const char *base = strrchr(in, '/');
			snprintf(path, sizeof path, "%s/%s", outpath, base ? base + 1 : in);
		} else {
			snprintf(path, sizeof path, "%s", outpath ? outpath : "-");
		}
		if (output_open(&outs[i], path, quiet ? NULL : stderr, err, sizeof err) != 0) {
			fprintf(stderr, "lbsim: %s\n", err);
			rc = LBSIM_EXIT_USAGE;
			break;
		}
		opened = i + 1;
		struct anon_counts n = {0};
		struct log_error lerr;
		if (anon_log_rewrite(&keys, &cp, in, outs[i].gz, &lo, &n, &lerr,
				     quiet ? NULL : stderr) != 0) {
			log_error_print(stderr, &lerr);
			rc = lerr.line || strstr(lerr.message, "cannot open") ? LBSIM_EXIT_USAGE
									    : LBSIM_EXIT_FAILED;
			break;
		}
		total.lines_in += n.lines_in;
		total.lines_out += n.lines_out;
		total.records += n.records;
		total.dropped += n.dropped;
		total.addresses += n.addresses;
		total.names += n.names;
	}
	for (int i = 0; i < opened; i++) {
		if (output_close(&outs[i], rc == LBSIM_EXIT_OK, err, sizeof err) != 0) {
			fprintf(stderr, "lbsim: %s\n", err);
			rc = LBSIM_EXIT_FAILED;
		}
	}
	free(outs);
	cryptopan_free(&cp);
	memset(&keys, 0, sizeof keys);
	if (rc == LBSIM_EXIT_OK && !quiet)
		fprintf(stderr, "lbsim anonymise: %d log(s), %" PRIu64 " lines, %" PRIu64
			" requests: %" PRIu64 " addresses and %" PRIu64 " names rewritten, %" PRIu64
			" malformed lines dropped\n", nlogs, total.lines_in, total.records,
			total.addresses, total.names, total.dropped);
	return rc;
}
