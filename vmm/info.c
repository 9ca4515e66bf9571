// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim info`: the options of `run` that shape the device, one
 * machine built from them, guest_info_print on its guest driver, and the
 * machine taken apart again.  The transport's offered and acked feature
 * bits are what a VMM would see; everything else is asked through the
 * guest driver (guest/info/info.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "guest/info/info.h"
#include "host/host.h"
#include "sim/gpu_config.h"
#include "vmm/devopts.h"
#include "vmm/info.h"
#include "vmm/machine.h"
#include "sim/transport.h"

#define EXIT_USAGE 2

static void vmm_info_usage(FILE *out)
{
	fprintf(out,
		"Usage: virtgpu-sim info [OPTIONS]\n"
		"\n"
		"Print what the simulated virtio-gpu device offers, as its "
		"guest learns it:\nthe negotiated features, GETPARAM values, "
		"scanouts and EDIDs, and every\ncapset decoded (virgl caps, "
		"venus caps).\n"
		"\n"
		"Options:\n"
		"  --json              print JSON instead of text\n"
		"  -h, --help          show this help\n"
		"Device options (those of run and exec):\n");
	vmm_devopts_usage(out, NULL);
	fprintf(out,
		"\n"
		"Example: virtgpu-sim info --venus --features=virgl,edid,"
		"context_init\n");
}

enum {
	VMM_INFO_JSON = 256,
};

static const struct option vmm_info_options[] = {
	{ "json", no_argument, NULL, VMM_INFO_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One of info's own options; 1 = help printed, stop. */
static int vmm_info_apply(void *ctx, int c, const char *arg)
{
	struct guest_info_options *io = ctx;

	switch (c) {
	case VMM_INFO_JSON:
		io->json = true;
		return 0;
	case 'h':
		vmm_info_usage(stdout);
		return 1;
	}
	return -EINVAL;
}

/* 0 to go on, 1 to exit successfully (help), -EINVAL after a usage
 * message. */
static int vmm_info_parse(int argc, char **argv,
			  struct vmm_machine_options *o,
			  struct guest_info_options *io)
{
	int ret = vmm_cli_parse("info", argc, argv, vmm_info_options, ":h",
				vmm_info_apply, io, o);

	if (ret <= 0)
		return ret == 0 ? 1 : ret;
	if (ret < argc)
		return vmm_usage_error("info", "unexpected argument '%s'",
				       argv[ret]);
	return 0;
}

/* What --vmm chose, as the transport shows it (issue 18). */
static void vmm_info_personality(const struct vmm_machine_options *o,
				 struct sim_transport *t)
{
	printf("\nVMM personality (--vmm)\n=======================\n");
	printf("    %-36.36s= %s\n", "name", host_vmm_name(o->vmm));
	printf("    %-36.36s= %s\n", "follows", host_vmm_models(o->vmm));
	printf("    %-36.36s= %u\n", "controlq size",
	       sim_transport_queue_size_of(t, 0));
	printf("    %-36.36s= %u\n", "cursorq size",
	       sim_transport_queue_size_of(t, 1));
	printf("    %-36.36s= %u bytes\n", "config space",
	       sim_transport_config_size(t));
	if (o->vmm == HOST_VMM_CROSVM &&
	    (o->features & (1ull << SIM_GPU_F_BLOB_ALIGNMENT)))
		printf("    %-36.36s= crosvm's VIRTIO_GPU_F_FENCE_PASSING, not "
		       "virtio 1.4's BLOB_ALIGNMENT (no blob_alignment "
		       "field)\n", "feature bit 5");
}

int vmm_cmd_info(int argc, char **argv)
{
	struct vmm_machine_options o;
	struct guest_info_options io = { 0 };
	struct vmm_machine *m;
	int ret;

	vmm_machine_default_options(&o);
	ret = vmm_info_parse(argc, argv, &o, &io);
	if (ret)
		return ret > 0 ? EXIT_SUCCESS : EXIT_USAGE;
	ret = vmm_machine_create(&o, &m);
	if (ret) {
		fprintf(stderr, "virtgpu-sim info: could not create the "
			"machine: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	io.have_transport = true;
	io.offered = sim_transport_offered_features(vmm_machine_transport(m));
	io.acked = sim_transport_acked_features(vmm_machine_transport(m));
	io.host_virglrenderer = vmm_machine_renderer_version();
	io.host_gl = vmm_machine_gl_version(m);
	ret = guest_info_print(vmm_machine_kernel(m), stdout, &io);
	if (!ret && !io.json)
		vmm_info_personality(&o, vmm_machine_transport(m));
	vmm_machine_destroy(m);
	if (ret) {
		fprintf(stderr, "virtgpu-sim info: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
