/* `lbsim import-haproxy` and `lbsim export-haproxy`: designs from an
 * HAProxy configuration, and a design as one (include/lbsim/haproxy.h).
 *
 * Both write their result whole or not at all, to -o FILE or standard
 * output. import writes a complete scenario, checked by loading it before
 * it is written, with every directive it did not model listed in its
 * comments and on standard error.
 */
#include "lbsim/cmd_haproxy.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/cli.h"
#include "lbsim/file_out.h"
#include "lbsim/haproxy.h"
#include "lbsim/scenario_write.h"

static const char import_usage[] =
	"usage: lbsim import-haproxy [options] HAPROXY.CFG\n"
	"\n"
	"Write the designs an HAProxy configuration describes as a scenario: each mode\n"
	"http frontend terminating TLS an l7 design (its path_beg rules the sub-services),\n"
	"a mode tcp frontend an l4 design, mode tcp frontends with a backend per workload\n"
	"one l4-multi design; balance, hash-type, cookie insert, stick-table with stick on\n"
	"src or the TLS session id, option httpchk and http-check, check inter fastinter\n"
	"downinter rise fall, a server's weight maxconn backup, timeout queue, ssl to the\n"
	"servers, nbthread. Every directive not modelled is listed with its line (in the\n"
	"scenario's comments and on standard error). The population is a placeholder:\n"
	"take yours from `lbsim fit`.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE   the scenario (default: standard output)\n"
	"      --name TEXT     the scenario's name (default: from the file's)\n"
	"  -q, --quiet         do not list what is not modelled on standard error\n"
	"  -h, --help          this help\n"
	"\n"
	"exit status: 0 written, 1 a write failed, 2 bad usage or a configuration that\n"
	"cannot be read (file:line:column: what is wrong; nothing written)\n";

static const char export_usage[] =
	"usage: lbsim export-haproxy [options] SCENARIO.yaml\n"
	"\n"
	"Write a design of a scenario as an HAProxy configuration (HAProxy 2.6 or later)\n"
	"that `lbsim import-haproxy` reads back into the same design. A design HAProxy\n"
	"cannot run as simulated (hash-type maglev, hash functions HAProxy lacks) is\n"
	"refused with the reason; what HAProxy does not configure is listed.\n"
	"\n"
	"options:\n"
	"  -d, --design NAME     the design (required when the scenario has several)\n"
	"  -o, --output FILE     the configuration (default: standard output)\n"
	"      --crt PATH        the certificate an l7 design's bind names\n"
	"                        (default /etc/haproxy/certs/exchange.pem)\n"
	"      --server-base IP  placeholder addresses from IP, the next ones following\n"
	"                        (default: the scenario's server addresses, else\n"
	"                        192.0.2.1, a documentation address)\n"
	"      --haproxy X.Y     the HAProxy it is for (default 2.6; 3.1 allows init-state)\n"
	"      --nearest         write what HAProxy can do that comes nearest to a design it\n"
	"                        cannot express (each change listed) instead of refusing\n"
	"  -q, --quiet           do not list notes on standard error\n"
	"  -h, --help            this help\n"
	"\n"
	"exit status: 0 written, 1 a write failed, 2 bad usage, a bad scenario or a\n"
	"design HAProxy cannot express (nothing written)\n";

/* The scenario of an import, into fp. */
/* servers: a count when every server has the defaults (and no address
 * of its own), else the list of
 * the servers one by one (the count beside it when the largest pool has
 * more servers than the first backend listed). */
static void write_servers(FILE *fp, const struct hap_import *im)
{
	int plain = 1;
	for (uint32_t i = 0; i < im->neach; i++)
		plain &= im->each[i].weight == SCN_DEFAULT_WEIGHT && !im->each[i].maxconn &&
			 !im->each[i].backup && !im->each[i].address[0];
	if (plain) {
		fprintf(fp, "servers: { count: %u }\n", im->servers);
		return;
	}
	fprintf(fp, "servers:\n");
	if (im->servers > im->neach)
		fprintf(fp, "  count: %u\n", im->servers);
	fprintf(fp, "  list:\n");
	for (uint32_t i = 0; i < im->neach; i++) {
		const struct hap_server *s = &im->each[i];
		char keys[160] = "";
		int n = 0;
		if (s->weight != SCN_DEFAULT_WEIGHT)
			n += snprintf(keys + n, sizeof keys - (size_t)n, ", weight: %u", s->weight);
		if (s->maxconn)
			n += snprintf(keys + n, sizeof keys - (size_t)n, ", maxconn: %u", s->maxconn);
		if (s->backup)
			n += snprintf(keys + n, sizeof keys - (size_t)n, ", backup: true");
		/* Quoted: an IPv6 address's '[' would open a YAML sequence. */
		if (s->address[0])
			snprintf(keys + n, sizeof keys - (size_t)n, ", address: \"%s\"", s->address);
		fprintf(fp, keys[0] ? "    - { %s }\n" : "    - {}\n", keys + 2);
	}
}

static void write_scenario(FILE *fp, const struct hap_cfg *cfg, const struct hap_import *im,
			   const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s", cfg->path);
	for (char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?'; /* one comment line, whatever the path holds */
	fprintf(fp, "# Designs imported by lbsim import-haproxy from %s.\n", path);
	fputs("# The population below is a placeholder: put your own there (lbsim fit\n"
	      "# writes them from your logs).\n", fp);
	FILE *mem = NULL;
	char *text = NULL;
	size_t len = 0;
	mem = open_memstream(&text, &len);
	unsigned n = mem ? hap_print_unmodelled(mem, cfg, "") : 0;
	if (mem)
		fclose(mem);
	if (n) {
		fprintf(fp, "#\n# Lines not modelled, or read with a caveat (%u; each says why):\n", n);
		for (char *line = text, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			fprintf(fp, "#   %s\n", line);
		}
	}
	free(text);
	fputs("name: ", fp);
	scn_write_string(fp, name);
	fprintf(fp, "\nduration: 1h\nwarmup: 5m\nreplications: 3\n");
	write_servers(fp, im);
	fprintf(fp, "populations:\n"
		"  - { name: users, users: 1000, clients: [owa, eas, mapi, ews, autodiscover, oab] }\n"
		"designs:\n");
	for (unsigned i = 0; i < im->ndesigns; i++) {
		fprintf(fp, "  # from %s\n", im->from[i]);
		scn_write_design(fp, &im->designs[i], "  ");
	}
}

int cmd_import_haproxy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"name", required_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "-", *name = NULL;
	int quiet = 0, c;
	optind = 1;
	opterr = 0;
	struct lbsim_once once = {0};
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		if (lbsim_once(&once, longopts, c, optarg, "import-haproxy") != 0)
			return lbsim_tool_usage(import_usage, 0);
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return lbsim_tool_usage(import_usage, 1);
		default:
			fprintf(stderr, "lbsim import-haproxy: bad option '%s'\n", argv[optind - 1]);
			return lbsim_tool_usage(import_usage, 0);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "lbsim import-haproxy: give one configuration file\n");
		return lbsim_tool_usage(import_usage, 0);
	}
	const char *path = argv[optind];
	struct hap_cfg *cfg;
	struct hap_error err;
	if (hap_cfg_parse(path, &cfg, &err) != 0) {
		hap_error_print(stderr, &err);
		return LBSIM_EXIT_USAGE;
	}
	struct hap_import *im = malloc(sizeof *im);
	if (!im || hap_import(cfg, im, &err) != 0) {
		if (im)
			hap_error_print(stderr, &err);
		else
			fprintf(stderr, "lbsim: out of memory\n");
		free(im);
		hap_cfg_free(cfg);
		return im ? LBSIM_EXIT_USAGE : LBSIM_EXIT_FAILED;
	}
	char defname[128];
	const char *base = strrchr(path, '/');
	snprintf(defname, sizeof defname, "Imported from %.100s", base ? base + 1 : path);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc = LBSIM_EXIT_FAILED;
	if (mem) {
		write_scenario(mem, cfg, im, name ? name : defname);
		fclose(mem);
		/* What is written must load: check it as the loader will. */
		struct scenario *scn;
		struct scn_error serr;
		if (scn_load_buffer(out, text, len, &scn, &serr) != 0) {
			fputs("lbsim: the imported scenario does not load (please report):\n", stderr);
			scn_error_print(stderr, &serr);
		} else {
			scn_free(scn);
			rc = cli_write_whole(out, text, len, quiet ? NULL : stderr);
		}
	}
	if (rc == LBSIM_EXIT_OK && !quiet) {
		fprintf(stderr, "lbsim import-haproxy: %u design(s), %u server(s) per pool\n",
			im->ndesigns, im->servers);
		if (hap_print_unmodelled(stderr, cfg, "  ") > 0)
			fputs("(lines not modelled, or read with a caveat: each says why)\n", stderr);
	}
	free(text);
	free(im);
	hap_cfg_free(cfg);
	return rc;
}

int cmd_export_haproxy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"design", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"crt", required_argument, NULL, 'c'},
		{"server-base", required_argument, NULL, 'b'},
		{"haproxy", required_argument, NULL, 'v'},
		{"nearest", no_argument, NULL, 'N'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = "-", *design = NULL;
	struct hap_export_opts o = {0};
	int quiet = 0, c;
	optind = 1;
	opterr = 0;
	struct lbsim_once once = {0};
	while ((c = getopt_long(argc, argv, "d:o:qh", longopts, NULL)) != -1) {
		if (lbsim_once(&once, longopts, c, optarg, "export-haproxy") != 0)
			return lbsim_tool_usage(export_usage, 0);
		switch (c) {
		case 'd':
			design = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'c':
			o.crt = optarg;
			break;
		case 'b':
			o.server_base = optarg;
			break;
		case 'v': {
			unsigned major, minor;
			char extra;
			if (sscanf(optarg, "%u.%u%c", &major, &minor, &extra) != 2 || major < 2 ||
			    major > 9 || minor > 9 || (major == 2 && minor < 6)) {
				fprintf(stderr, "lbsim export-haproxy: --haproxy takes a version from 2.6 "
					"on, such as 2.6 or 3.1, got '%s'\n", optarg);
				return LBSIM_EXIT_USAGE;
			}
			o.haproxy_minor = major * 10 + minor;
			break;
		}
		case 'N':
			o.nearest = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return lbsim_tool_usage(export_usage, 1);
		default:
			fprintf(stderr, "lbsim export-haproxy: bad option '%s'\n", argv[optind - 1]);
			return lbsim_tool_usage(export_usage, 0);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "lbsim export-haproxy: give one scenario file\n");
		return lbsim_tool_usage(export_usage, 0);
	}
	struct scenario *scn;
	struct scn_error serr;
	if (scn_load(argv[optind], &scn, &serr) != 0) {
		scn_error_print(stderr, &serr);
		return LBSIM_EXIT_USAGE;
	}
	int d = -1;
	for (uint32_t i = 0; i < scn->ndesigns; i++)
		if (design ? strcmp(scn->designs[i].name, design) == 0 : scn->ndesigns == 1)
			d = (int)i;
	if (d < 0) {
		fprintf(stderr, "lbsim export-haproxy: %s; the scenario's designs:",
			design ? "no design of that name" : "name the design with --design");
		for (uint32_t i = 0; i < scn->ndesigns; i++)
			fprintf(stderr, "%s %s", i ? "," : "", scn->designs[i].name);
		fputc('\n', stderr);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	char *text = NULL, *notes = NULL, err[512];
	size_t len = 0, nlen = 0;
	FILE *mem = open_memstream(&text, &len), *nmem = open_memstream(&notes, &nlen);
	int rc = LBSIM_EXIT_FAILED;
	if (mem && nmem) {
		int ok = hap_export(mem, scn, (uint32_t)d, &o, nmem, err, sizeof err) == 0;
		fclose(mem);
		fclose(nmem);
		mem = nmem = NULL;
		if (!ok) {
			fprintf(stderr, "lbsim export-haproxy: %s\n", err);
			rc = LBSIM_EXIT_USAGE;
		} else {
			rc = cli_write_whole(out, text, len, quiet ? NULL : stderr);
			if (rc == LBSIM_EXIT_OK && !quiet && nlen)
				fprintf(stderr, "lbsim export-haproxy: notes:\n%s", notes);
		}
	}
	if (mem)
		fclose(mem);
	if (nmem)
		fclose(nmem);
	free(text);
	free(notes);
	scn_free(scn);
	return rc;
}
