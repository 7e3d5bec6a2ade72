/* SPDX-License-Identifier: MIT */
/*
 * The command table's entry points. Each gets argv with argv[0] = the command
 * name and returns the process exit status.
 */
#ifndef SB_CMDS_H
#define SB_CMDS_H

#include <stdbool.h>

extern int sb_main_argc;
extern char **sb_main_argv;

int sb_cmd_run(int argc, char **argv);
int sb_cmd_list(int argc, char **argv);
int sb_cmd_doctor(int argc, char **argv);
int sb_cmd_probe(int argc, char **argv);
int sb_cmd_version(int argc, char **argv);
int sb_cmd_vm(int argc, char **argv);
int sb_cmd_vm_ab(int argc, char **argv); /* `vm ab` */
int sb_cmd_compare(int argc, char **argv);
int sb_cmd_gate(int argc, char **argv);
int sb_cmd_plot(int argc, char **argv);
int sb_cmd_stress(int argc, char **argv);
/*
 * `vm --stress`: check the stress options meant for the guest (argv[0] =
 * "stress"); the options the lab sets itself are refused. Gives the host's
 * estimate of the seconds they take and whether a case needs an xfs disk.
 * 0 or SB_EXIT_USAGE after a one-line error.
 */
int sb_stress_vm_args(int argc, char **argv, double *est_s, bool *need_xfs);

#endif
