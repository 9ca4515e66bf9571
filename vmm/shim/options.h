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
/* Comma-separated feature names (below) or "none": exactly the features
 * the device offers. */
#define VMM_SHIM_ENV_FEATURES "VGS_SHIM_FEATURES"
/* "0" or "1": the virgl renderer, venus, venus in the render server. */
#define VMM_SHIM_ENV_VIRGL "VGS_SHIM_VIRGL"
#define VMM_SHIM_ENV_VENUS "VGS_SHIM_VENUS"
#define VMM_SHIM_ENV_RENDER_SERVER "VGS_SHIM_RENDER_SERVER"
/* Sizes in bytes, with an optional K, M or G suffix. */
#define VMM_SHIM_ENV_RAM "VGS_SHIM_RAM"
#define VMM_SHIM_ENV_HOSTMEM "VGS_SHIM_HOSTMEM"
/* "0" or "1": guest pages handed out scattered (seeded), lockstep (each
 * guest call waits until the device is idle). */
#define VMM_SHIM_ENV_SCATTER "VGS_SHIM_SCATTER"
#define VMM_SHIM_ENV_SEED "VGS_SHIM_SEED"
#define VMM_SHIM_ENV_LOCKSTEP "VGS_SHIM_LOCKSTEP"
/* The device's queue polling window in ns (host/host.h poll_max_ns). */
#define VMM_SHIM_ENV_POLL_MAX_NS "VGS_SHIM_POLL_MAX_NS"
/* "1": log every ioctl on the render node, decoded, to stderr. */
#define VMM_SHIM_ENV_TRACE "VGS_SHIM_TRACE_IOCTLS"
/* "INODE:PATH" of the status memfd every process of the run reports to:
 * PATH is /proc/PID/fd/N of `virtgpu-sim exec`, which waits for the
 * program and reads it (an fd number alone would not survive programs
 * that close inherited fds). */
#define VMM_SHIM_ENV_STATUS "VGS_SHIM_STATUS"
/* "1": the shim does nothing in this process (everything passes through). */
#define VMM_SHIM_ENV_DISABLE "VGS_SHIM_DISABLE"

/* Bytes of the status memfd: one flag byte each, set to 1. */
enum vmm_shim_status_byte {
	VMM_SHIM_STATUS_OPENED = 0,	/* a render node was opened */
	VMM_SHIM_STATUS_VIRGL = 1,	/* the virgl winsys read a capset */
	VMM_SHIM_STATUS_SIZE = 2,
};

#endif
