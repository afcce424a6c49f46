/* The lbsim command line. Exit status: 0 success, 1 the run failed,
 * 2 bad usage or bad input (nothing simulated, nothing written). */
#ifndef LBSIM_CLI_H
#define LBSIM_CLI_H

enum { LBSIM_EXIT_OK = 0, LBSIM_EXIT_FAILED = 1, LBSIM_EXIT_USAGE = 2 };

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

int lbsim_main(int argc, char **argv);

/* A command that reads its own options (argv[0] is its name): the log and
 * configuration tools, whose options are not the simulation's. */
struct lbsim_tool {
	const char *name;
	const char *summary;       /* one line for lbsim --help */
	int (*main)(int argc, char **argv);
};

/* lbsim_main with more tools than the engine's own (the program adds
 * `anonymise`, which needs OpenSSL: see CMakeLists.txt). */
int lbsim_main_with(int argc, char **argv, const struct lbsim_tool *tools, size_t ntools);

/* Shared by the tools: a --help text and the exit status for bad usage. */
int lbsim_tool_usage(const char *usage, int help);

/* The options of one value a command was given (zero it before its
 * getopt loop), so that one given twice is refused: the later would drop
 * the earlier silently. */
struct lbsim_once {
	int given[32];
	unsigned n;
};
/* For getopt code c of longopts, its value arg: 0, or -1 after saying on
 * stderr ("lbsim CMD: --NAME is given twice") that c takes a value and
 * was given before. Flags and unknown codes may repeat. */
int lbsim_once(struct lbsim_once *once, const struct option *longopts, int c, const char *arg,
	       const char *cmd);
/* Write text to path ("-": standard output) whole or not at all
 * (sim/cli/cli_write.c); the reason on stderr; note (may be NULL) hears of
 * a stale temporary removed. Returns an exit status. */
int cli_write_whole(const char *path, const char *text, size_t len, FILE *note);

#endif
