/* SPDX-License-Identifier: MIT */
/*
 * `virtgpu-sim exec [OPTIONS] [--] PROGRAM [ARGS...]`: run an unmodified
 * program with the preload shim (guest/shim/), so that Mesa's
 * virtio_gpu_dri.so renders through kernelmock, the virtqueues and
 * virglrenderer inside the program's own process.  docs/realdriver.md.
 */
#ifndef SIM_CLI_EXEC_H
#define SIM_CLI_EXEC_H

/*
 * @argv[0] is the command name ("exec"), as getopt expects.  Replaces the
 * process with PROGRAM on success, so it returns only on failure: 2 for a
 * usage error, 1 when the shim cannot be found, 126/127 when PROGRAM
 * cannot be run (as a shell reports it).  PROGRAM's exit status is the
 * command's; the shim makes it 3 when the program did not render through
 * virgl (unless --no-check).
 */
int sim_cli_exec(int argc, char **argv);

#endif
