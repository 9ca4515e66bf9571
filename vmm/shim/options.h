/* SPDX-License-Identifier: MIT */
/*
 * The contract between `virtgpu-sim exec` (vmm/exec.c) and the preload
 * shim (vmm/shim/): the environment variables that carry the machine's
 * options into the program's process, and the device feature names.
 * docs/realdriver.md documents every variable for people who set them by
 * hand (gdb, valgrind).
 */
#ifndef VMM_SHIM_OPTIONS_H
#define VMM_SHIM_OPTIONS_H

/* Path of the shim library; overrides the search next to the executable. */
#define VMM_SHIM_ENV_PATH "VGS_SHIM"
/* The device options' variables (VGS_SHIM_RAM, VGS_SHIM_FEATURES, ...)
 * are in the device option table, vmm/devopts.c. */
/* "1": log every ioctl on the render node, decoded, to stderr. */
#define VMM_SHIM_ENV_TRACE "VGS_SHIM_TRACE_IOCTLS"
/* "INODE:PATH" of the status memfd every process of the run reports to:
 * PATH is /proc/PID/fd/N of `virtgpu-sim exec`, which waits for the
 * program and reads it (an fd number alone would not survive programs
 * that close inherited fds). */
#define VMM_SHIM_ENV_STATUS "VGS_SHIM_STATUS"
/* FILE: when the machine stops, write its conformance report there
 * (vmm/conformance.h; `exec --conformance=FILE`). */
#define VMM_SHIM_ENV_CONFORMANCE "VGS_SHIM_CONFORMANCE"
/* "1": the shim does nothing in this process (everything passes through). */
#define VMM_SHIM_ENV_DISABLE "VGS_SHIM_DISABLE"

/* Bytes of the status memfd: one flag byte each, set to 1. */
enum vmm_shim_status_byte {
	VMM_SHIM_STATUS_OPENED = 0,	/* a render node was opened */
	VMM_SHIM_STATUS_VIRGL = 1,	/* the virgl winsys read a capset */
	VMM_SHIM_STATUS_MUST = 2,	/* the driver broke a MUST rule */
	VMM_SHIM_STATUS_SIZE = 3,
};

#endif
