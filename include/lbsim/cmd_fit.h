/* `lbsim fit` (sim/cli/cmd_fit.c): a scenario from request logs. */
#ifndef LBSIM_CMD_FIT_H
#define LBSIM_CMD_FIT_H

int cmd_fit(int argc, char **argv);

#endif
