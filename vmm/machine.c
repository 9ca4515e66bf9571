// SPDX-License-Identifier: MIT
/*
 * Assembles one simulated machine: guest RAM, the transport, the device
 * (host/) and the guest kernel driver (kernelmock/), and takes it apart in
 * the reverse order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"
#include "kernelmock/km.h"
#include "sim/hostmem.h"
#include "vmm/devopts.h"
#include "vmm/machine.h"
#include "sim/capture.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "vmm/record.h"

struct vmm_machine {
	struct sim_ram *ram;
	struct sim_transport *transport;
	struct sim_hostmem *hostmem;
	struct host_device *host;
	struct km_device *kernel;
	struct sim_capture *capture;	/* --record, or NULL */
	struct vmm_machine_options opts;	/* as created */
};

void vmm_machine_default_options(struct vmm_machine_options *opts)
{
	vmm_devopts_defaults(opts);
}

/* Several kernel versions or personalities are several runs (`run`),
 * never one machine: a per-run set holds at most one here. */
static int one_of(uint64_t set, const char *what)
{
	if (!(set & (set - 1)))
		return 0;
	fprintf(stderr, "virtgpu-sim: a machine %s, not %d (only run takes "
		"a list)\n", what, __builtin_popcountll(set));
	return -EINVAL;
}

/* The kernel version row of @o's one-element set, or NULL for the
 * default. */
static const struct km_kversion *kversion_of(const struct vmm_machine_options *o)
{
	return o->kernels ? km_kversion_at((unsigned)__builtin_ctzll(o->kernels))
			  : NULL;
}

/* The host-visible region (--hostmem), if any. */
static int make_hostmem(struct vmm_machine *m,
			const struct vmm_machine_options *opts)
{
	int ret = opts->hostmem_size
		? sim_hostmem_create(opts->hostmem_size, &m->hostmem) : 0;

	if (ret)
		fprintf(stderr, "virtgpu-sim: host-visible region of %llu "
			"bytes: %s\n", (unsigned long long)opts->hostmem_size,
			strerror(-ret));
	return ret;
}

int vmm_machine_create(const struct vmm_machine_options *opts,
		       struct vmm_machine **out)
{
	if (one_of(opts->kernels, "runs one kernel version") ||
	    one_of(opts->vmms, "is one VMM's device"))
		return -EINVAL;
	struct vmm_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->opts = *opts;
	int ret = sim_ram_create(opts->ram_size,
				 opts->scatter ? SIM_RAM_SCATTER : 0,
				 opts->seed, &m->ram);
	if (ret) {
		fprintf(stderr, "virtgpu-sim: cannot create %llu bytes of guest "
			"RAM: %s\n", (unsigned long long)opts->ram_size,
			strerror(-ret));
		goto err_free;
	}
	ret = sim_transport_create(&m->transport);
	if (ret)
		goto err_ram;
	sim_transport_set_lockstep(m->transport, opts->lockstep);
	if ((ret = make_hostmem(m, opts)))
		goto err_transport;
	if ((ret = vmm_trace_open(opts)))
		goto err_transport;
	if (opts->record[0] && (ret = vmm_record_open(opts, &m->capture)))
		goto err_transport;
	struct host_options hopts = {
		.vmm = opts->vmm,
		.features = opts->features,
		.virgl = opts->virgl,
		.venus = opts->venus,
		/* virglrenderer >= 1.0 runs venus only in its render server. */
		.render_server = opts->render_server ||
				 (opts->venus && host_venus_needs_render_server()),
		.num_scanouts = opts->num_scanouts,
		.hostmem = m->hostmem,
		.scanout_dir = opts->scanout_dir[0] ? opts->scanout_dir : NULL,
		.inject = opts->inject[0] ? opts->inject : NULL,
		.max_contexts = opts->max_contexts,
		.blob_alignment = opts->blob_alignment,
		.max_resources = opts->max_resources,
		.max_renderer_bytes = opts->max_renderer_bytes,
		.poll_max_ns = opts->poll_max_ns,
		.follow_guest_cpu = opts->follow_cpu,
		.record = m->capture,
	};
	ret = host_device_create(m->ram, m->transport, &hopts, &m->host);
	if (ret) {
		fprintf(stderr, "virtgpu-sim: the virtio-gpu device did not "
			"start: %s\n", strerror(-ret));
		goto err_transport;
	}
	ret = km_device_create(m->ram, m->transport, kversion_of(opts),
			       &m->kernel);
	if (ret) {
		fprintf(stderr, "virtgpu-sim: the guest driver did not bind: "
			"%s\n", strerror(-ret));
		goto err_host;
	}
	*out = m;
	return 0;

err_host:
	host_device_destroy(m->host);
err_transport:
	sim_capture_close(m->capture);
	vmm_trace_close(&m->opts);
	sim_hostmem_destroy(m->hostmem);
	sim_transport_destroy(m->transport);
err_ram:
	sim_ram_destroy(m->ram);
err_free:
	free(m);
	return ret;
}

void vmm_machine_destroy(struct vmm_machine *m)
{
	if (!m)
		return;
	km_device_destroy(m->kernel);
	host_device_destroy(m->host);
	sim_capture_close(m->capture);
	vmm_trace_close(&m->opts);
	sim_hostmem_destroy(m->hostmem);
	sim_transport_destroy(m->transport);
	sim_ram_destroy(m->ram);
	free(m);
}

struct km_device *vmm_machine_kernel(struct vmm_machine *m)
{
	return m->kernel;
}

struct sim_ram *vmm_machine_ram(struct vmm_machine *m)
{
	return m->ram;
}

struct sim_transport *vmm_machine_transport(struct vmm_machine *m)
{
	return m->transport;
}

struct host_device *vmm_machine_host(struct vmm_machine *m)
{
	return m->host;
}

unsigned vmm_machine_vmm(const struct vmm_machine *m)
{
	return m->opts.vmm;
}

const char *vmm_machine_renderer_version(void)
{
	return host_renderer_version();
}

const char *vmm_machine_gl_version(struct vmm_machine *m)
{
	return host_device_gl_version(m->host);
}
