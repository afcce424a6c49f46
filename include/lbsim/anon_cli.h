/* `lbsim anonymise` (sim/anon/anon_cli.c): in the lbsim_anon library, the
 * only one that links OpenSSL. */
#ifndef LBSIM_ANON_CLI_H
#define LBSIM_ANON_CLI_H

int anon_main(int argc, char **argv);

#endif
