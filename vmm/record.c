// SPDX-License-Identifier: MIT
/*
 * A machine's capture (--record, docs/capture.md): the VMM opens it and
 * writes what only the VMM knows (guest RAM, the host-visible region,
 * lockstep, the guest kernel and the VMM personality it plays); the
 * device (host/record.c) adds features, config space, capsets, the
 * renderer and then the traffic.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/host.h"
#include "kernelmock/km.h"
#include "sim/capture.h"
#include "sim/trace.h"
#include "vmm/machine.h"
#include "vmm/record.h"

#ifndef VIRTGPU_SIM_VERSION
#define VIRTGPU_SIM_VERSION "unknown"
#endif

int vmm_record_open(const struct vmm_machine_options *opts,
		    struct sim_capture **out)
{
	char buf[PATH_MAX + 32];
	/* Under exec every process of the program that opens the node makes
	 * a machine of its own: the first takes FILE (exec removed it), any
	 * later one FILE.PID, so that none writes over another's records. */
	bool shim = getenv(VMM_RECORD_ENV) != NULL;
	int ret = sim_capture_open(opts->record, shim, out);

	if (ret == -EEXIST) {
		snprintf(buf, sizeof(buf), "%s.%d", opts->record, (int)getpid());
		fprintf(stderr, "virtgpu-sim: %s is another process's capture; "
			"this one records into %s\n", opts->record, buf);
		ret = sim_capture_open(buf, false, out);
	}
	if (ret) {
		fprintf(stderr, "virtgpu-sim: cannot create the capture %s: "
			"%s\n", opts->record, strerror(-ret));
		return ret;
	}
	sim_capture_info(*out, "virtgpu_sim", VIRTGPU_SIM_VERSION);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)opts->ram_size);
	sim_capture_info(*out, "ram_size", buf);
	snprintf(buf, sizeof(buf), "%llu",
		 (unsigned long long)opts->hostmem_size);
	sim_capture_info(*out, "hostmem_size", buf);
	sim_capture_info(*out, "lockstep", opts->lockstep ? "1" : "0");
	/* Injected faults are part of the device a replay rebuilds. */
	sim_capture_info(*out, "inject", opts->inject);
	/* The guest kernel's version and whose device answers: replay
	 * plays the same personality unless told otherwise (--vmm). */
	const struct km_kversion *kv = opts->kernels
		? km_kversion_at((unsigned)__builtin_ctzll(opts->kernels))
		: km_kversion_default();
	sim_capture_info(*out, "kernel", kv ? kv->name : "unknown");
	sim_capture_info(*out, "vmm", host_vmm_name((enum host_vmm)opts->vmm));
	return 0;
}

static void remove_old(const char *path)
{
	if (path[0] && unlink(path) && errno != ENOENT)
		fprintf(stderr, "virtgpu-sim exec: cannot remove the old %s: "
			"%s\n", path, strerror(errno));
}

void vmm_record_prepare(const struct vmm_machine_options *opts)
{
	remove_old(opts->record);
	remove_old(opts->trace);
}

int vmm_trace_open(const struct vmm_machine_options *opts)
{
	char buf[PATH_MAX + 32];
	const char *path = opts->trace;
	int ret;

	if (!path[0])
		return 0;
	/* As for captures: under exec, a later process takes FILE.PID. */
	if (getenv(VMM_TRACE_ENV) && access(path, F_OK) == 0) {
		snprintf(buf, sizeof(buf), "%s.%d", path, (int)getpid());
		fprintf(stderr, "virtgpu-sim: %s is another process's trace; "
			"this one writes %s\n", path, buf);
		path = buf;
	}
	ret = sim_trace_open(path);
	if (ret)
		fprintf(stderr, "virtgpu-sim: cannot trace into %s: %s\n",
			path, strerror(-ret));
	return ret;
}

void vmm_trace_close(const struct vmm_machine_options *opts)
{
	if (opts->trace[0])
		sim_trace_close();
}

int vmm_capture_load(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *b = NULL;
	size_t n = 0, cap = 0;

	if (!f) {
		int ret = -errno;
		fprintf(stderr, "virtgpu-sim: %s: %s\n", path, strerror(errno));
		return ret;
	}
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1u << 20;
			uint8_t *nb = realloc(b, nc);
			if (!nb) {
				free(b);
				fclose(f);
				fprintf(stderr, "virtgpu-sim: %s: out of memory\n",
					path);
				return -ENOMEM;
			}
			b = nb;
			cap = nc;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(b);
		fprintf(stderr, "virtgpu-sim: %s: read error\n", path);
		return -EIO;
	}
	*buf = b;
	*len = n;
	return 0;
}
