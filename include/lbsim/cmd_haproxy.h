/* `lbsim import-haproxy` and `lbsim export-haproxy` (sim/cli/cmd_haproxy.c). */
#ifndef LBSIM_CMD_HAPROXY_H
#define LBSIM_CMD_HAPROXY_H

int cmd_import_haproxy(int argc, char **argv);
int cmd_export_haproxy(int argc, char **argv);

#endif
