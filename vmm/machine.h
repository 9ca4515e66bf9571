/* SPDX-License-Identifier: MIT */
/*
 * A simulated machine: guest RAM, one virtio transport, the virtio-gpu
 * device model (host/) plugged into it and the guest kernel driver
 * (kernelmock/) bound to it.  This is the only place that knows all
 * layers; the layers themselves only meet through guest memory and the
 * transport.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

struct km_device;
struct sim_ram;
struct sim_transport;

struct sim_machine_options {
	uint64_t ram_size;		/* bytes of guest RAM */
	bool scatter;			/* hand out guest pages scattered */
	uint64_t seed;			/* for scatter */
	uint64_t features;		/* VIRTIO_GPU_F_* bits offered */
	bool virgl;			/* enable the virgl renderer */
	bool venus;			/* enable venus */
	bool render_server;		/* venus in the render server */
	uint32_t num_scanouts;
	uint64_t hostmem_size;		/* host-visible region, 0 = none */
	const char *scanout_dir;	/* PNGs of flushed scanouts, or NULL */
	bool lockstep;			/* each guest call waits for an idle device */
	const char *inject;		/* faults to inject (host/host.h), or NULL */
	uint64_t poll_max_ns;		/* device queue polling window (host/host.h) */
};

/* The default polling window: a guest that submits again within it after
 * its last command was answered needs no kick (docs/performance.md). */
#define SIM_MACHINE_POLL_MAX_NS 128000u

/* Sensible defaults: 256 MiB RAM, virgl on, VIRGL + CONTEXT_INIT + ... */
void sim_machine_default_options(struct sim_machine_options *opts);

struct sim_machine;
/* Returns 0 or -errno with a message on stderr naming what failed. */
int sim_machine_create(const struct sim_machine_options *opts,
		       struct sim_machine **out);
void sim_machine_destroy(struct sim_machine *m);
struct km_device *sim_machine_kernel(struct sim_machine *m);
struct sim_ram *sim_machine_ram(struct sim_machine *m);
/* The transport, for what a VMM sees of it (offered and acked features). */
struct sim_transport *sim_machine_transport(struct sim_machine *m);

#endif
