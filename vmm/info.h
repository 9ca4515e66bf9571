/* SPDX-License-Identifier: MIT */
/*
 * `virtgpu-sim info [OPTIONS]`: build a machine with the device options of
 * `run`, ask its device what it offers the way a guest would
 * (guest/info/info.h) and print the answers, then take the machine apart.
 */
#ifndef VMM_INFO_H
#define VMM_INFO_H

/*
 * @argv[0] is the command name ("info"), as getopt expects.  Returns the
 * exit status: 0 when printed, 1 when the machine could not be built or
 * the device could not be asked, 2 for a usage error.
 */
int vmm_cmd_info(int argc, char **argv);

#endif
