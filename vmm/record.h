/* SPDX-License-Identifier: MIT */
/*
 * Captures from the VMM's side (docs/capture.md): opening one for a
 * machine (--record), and the `decode` and `replay` commands that read
 * them.
 */
#ifndef VMM_RECORD_H
#define VMM_RECORD_H

#include <stddef.h>
#include <stdint.h>

struct sim_capture;
struct vmm_machine_options;

/* Create @opts->record and write what the VMM knows of the machine
 * (RAM, host-visible region, kernel, VMM personality) as INFO records;
 * 0 or -errno with a message. */
int vmm_record_open(const struct vmm_machine_options *opts,
		    struct sim_capture **out);

/* The shim's variable of --record (vmm/devopts.c). */
#define VMM_RECORD_ENV "VGS_SHIM_RECORD"
/* The shim's variable of --trace. */
#define VMM_TRACE_ENV "VGS_SHIM_TRACE"
/* Start the process's trace into @opts->trace (sim/trace.h), with the
 * same rule as captures for a second process of an exec run (FILE.PID);
 * 0 or -errno with a message.  vmm_trace_close writes it. */
int vmm_trace_open(const struct vmm_machine_options *opts);
void vmm_trace_close(const struct vmm_machine_options *opts);

/* exec, before the program starts: remove an old capture, so that the
 * program's first machine can create it exclusively. */
void vmm_record_prepare(const struct vmm_machine_options *opts);

/* Read all of @path into a buffer: 0, or -errno with a message. */
int vmm_capture_load(const char *path, uint8_t **buf, size_t *len);

/* `virtgpu-sim decode [OPTIONS] FILE` and `virtgpu-sim replay [OPTIONS]
 * FILE`; @argv[0] is the command name.  Exit status: 0, 1 (a corrupt
 * capture, a divergence), 2 (usage). */
int vmm_cmd_decode(int argc, char **argv);
int vmm_cmd_replay(int argc, char **argv);

#endif
