/* SPDX-License-Identifier: MIT */
/*
 * A simulated machine: guest RAM, one virtio transport, the virtio-gpu
 * device model (host/) plugged into it and the guest kernel driver
 * (kernelmock/) bound to it.  This is the only place that knows all
 * layers; the layers themselves only meet through guest memory and the
 * transport.
 */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct host_device;
struct km_device;
struct sim_ram;
struct sim_transport;

struct vmm_machine_options {
	uint64_t ram_size;		/* bytes of guest RAM */
	bool scatter;			/* hand out guest pages scattered */
	uint64_t seed;			/* for scatter */
	/* Whose device (enum host_vmm): a set, bit i for personality i,
	 * like kernels below; vmm is the machine's one, which
	 * vmm_devopts_finish sets from the set. */
	uint64_t vmms;
	uint32_t vmm;
	uint64_t features;		/* VIRTIO_GPU_F_* bits offered */
	bool features_given;		/* else the VMM's (vmm_devopts_finish) */
	uint32_t blob_alignment;	/* config field (virtio 1.4) */
	bool virgl;			/* enable the virgl renderer */
	bool venus;			/* enable venus */
	bool render_server;		/* venus in the render server */
	uint32_t num_scanouts;
	uint64_t hostmem_size;		/* host-visible region, 0 = none */
	bool hostmem_given;		/* else the VMM's (vmm_devopts_finish) */
	char scanout_dir[PATH_MAX];	/* PNGs of flushed scanouts, or "" */
	bool lockstep;			/* each guest call waits for an idle device */
	char inject[4096];		/* faults to inject (host/host.h), or "" */
	uint64_t poll_max_ns;		/* device queue polling window (host/host.h) */
	bool follow_cpu;		/* thread placement (host/host.h) */
	uint32_t max_contexts;		/* host limits (host/host.h) */
	uint32_t max_resources;
	uint64_t max_renderer_bytes;
	/* The guest kernel's Linux version: a set of rows of kernelmock's
	 * version table (km_kversion_at), bit i for row i.  A machine is
	 * one version (vmm_machine_create refuses a set of several; an
	 * empty set is kernelmock's default);
	 * `run` runs a script once per bit (vmm/devopts.h, per-run
	 * options). */
	uint64_t kernels;
	char record[PATH_MAX];		/* capture file (docs/capture.md), or "" */
	char trace[PATH_MAX];		/* trace-event JSON file, or "" */
};

/* Every option at its default, from the device option table
 * (vmm/devopts.c: 256M of RAM, virgl on, the qemu personality and its
 * VIRGL + EDID + CONTEXT_INIT, ...). */
void vmm_machine_default_options(struct vmm_machine_options *opts);

struct vmm_machine;
/* Returns 0 or -errno with a message on stderr naming what failed. */
int vmm_machine_create(const struct vmm_machine_options *opts,
		       struct vmm_machine **out);
void vmm_machine_destroy(struct vmm_machine *m);
struct km_device *vmm_machine_kernel(struct vmm_machine *m);
struct sim_ram *vmm_machine_ram(struct vmm_machine *m);
/* The transport, for what a VMM sees of it (offered and acked features). */
struct sim_transport *vmm_machine_transport(struct vmm_machine *m);
/* The device, for its conformance report (vmm/conformance.c). */
struct host_device *vmm_machine_host(struct vmm_machine *m);
/* The personality it was made with (enum host_vmm). */
unsigned vmm_machine_vmm(const struct vmm_machine *m);
/* The host stack the device runs on: "virglrenderer 1.1.0" and the GL
 * driver's GL_VERSION, GL_RENDERER (NULL when not known). */
const char *vmm_machine_renderer_version(void);
const char *vmm_machine_gl_version(struct vmm_machine *m);

#endif
