/* SPDX-License-Identifier: MIT */
/*
 * host: the virtio-gpu device model.  It plugs into a sim_transport, reads
 * commands from the virtqueues in guest RAM on its own thread (a libuv
 * loop that owns virglrenderer for its whole life) and answers them in
 * guest RAM.  It never looks at guest kernel state.
 */
#ifndef HOST_H
#define HOST_H

#include <stdbool.h>
#include <stdint.h>

struct sim_ram;
struct sim_hostmem;
struct sim_transport;
struct host_device;

struct host_options {
	uint64_t features;	/* VIRTIO_GPU_F_* bits to offer */
	bool virgl;		/* virgl renderer (capsets VIRGL, VIRGL2) */
	bool venus;		/* venus renderer (capset VENUS) */
	bool render_server;	/* venus in virglrenderer's render server */
	uint32_t num_scanouts;	/* 1..16 */
	/* The host-visible region blobs are mapped into (shmid 1), or NULL
	 * for none; owned by the caller, outlives the device. */
	struct sim_hostmem *hostmem;
	/* Directory that RESOURCE_FLUSH and cursor updates write PNGs to, or
	 * NULL for none. */
	const char *scanout_dir;
};

/*
 * Start the device thread, bring up EGL and virglrenderer on it and plug
 * the device into @t.  Returns 0, -EINVAL for bad options, or the error of
 * the renderer's initialisation (with a message naming the step).
 */
int host_device_create(struct sim_ram *ram, struct sim_transport *t,
		       const struct host_options *opts,
		       struct host_device **out);
/* Stop the thread after tearing down every context and resource. */
void host_device_destroy(struct host_device *dev);

#endif
