/* The lbsim command line. Exit status: 0 success, 1 the run failed,
 * 2 bad usage or bad input (nothing simulated, nothing written). */
#ifndef LBSIM_CLI_H
#define LBSIM_CLI_H

enum { LBSIM_EXIT_OK = 0, LBSIM_EXIT_FAILED = 1, LBSIM_EXIT_USAGE = 2 };

int lbsim_main(int argc, char **argv);

#endif
