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

struct km_device;
struct sim_ram;
struct sim_transport;

struct vmm_machine_options {
	uint64_t ram_size;		/* bytes of guest RAM */
	bool scatter;			/* hand out guest pages scattered */
	uint64_t seed;			/* for scatter */
	uint64_t features;		/* VIRTIO_GPU_F_* bits offered */
	uint32_t blob_alignment;	/* config field (virtio 1.4) */
	bool virgl;			/* enable the virgl renderer */
	bool venus;			/* enable venus */
	bool render_server;		/* venus in the render server */
	uint32_t num_scanouts;
	uint64_t hostmem_size;		/* host-visible region, 0 = none */
	char scanout_dir[PATH_MAX];	/* PNGs of flushed scanouts, or "" */
	bool lockstep;			/* each guest call waits for an idle device */
	char inject[4096];		/* faults to inject (host/host.h), or "" */
	uint64_t poll_max_ns;		/* device queue polling window (host/host.h) */
	uint32_t max_contexts;		/* host limits (host/host.h) */
	uint32_t max_resources;
	uint64_t max_renderer_bytes;
};

/* Every option at its default, from the device option table
 * (vmm/devopts.c: 256M of RAM, virgl on, VIRGL + CONTEXT_INIT, ...). */
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
/* The host stack the device runs on: "virglrenderer 1.1.0" and the GL
 * driver's GL_VERSION, GL_RENDERER (NULL when not known). */
const char *vmm_machine_renderer_version(void);
const char *vmm_machine_gl_version(struct vmm_machine *m);

#endif
