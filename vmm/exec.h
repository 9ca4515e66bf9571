/* SPDX-License-Identifier: MIT */
/*
 * `virtgpu-sim exec [OPTIONS] [--] PROGRAM [ARGS...]`: run an unmodified
 * program with the preload shim (vmm/shim/), so that Mesa's
 * virtio_gpu_dri.so renders through kernelmock, the virtqueues and
 * virglrenderer inside the program's own process.  docs/realdriver.md.
 */
#ifndef VMM_EXEC_H
#define VMM_EXEC_H

/*
 * @argv[0] is the command name ("exec"), as getopt expects.  Runs PROGRAM
 * as a child and returns the exit status for the command: PROGRAM's own
 * (if PROGRAM dies of a signal, the caller dies of the same signal); 3
 * when no process of the run rendered through virgl (unless --no-check);
 * 2 for a usage error; 1 when the shim cannot be found or the command
 * failed; 126/127 when PROGRAM cannot be run (as a shell reports it).
 */
int vmm_cmd_exec(int argc, char **argv);

#endif
