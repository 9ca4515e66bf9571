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
#include "vmm/devopts.h"
#include "vmm/info.h"
#include "vmm/machine.h"
#include "sim/transport.h"

#define EXIT_USAGE 2

static void vmm_info_usage(FILE *out)
{
	char feats[128];

	{
		struct vmm_machine_options d;
		vmm_machine_default_options(&d);
		vmm_format_features(d.features, feats, sizeof(feats));
	}
	fprintf(out,
		"Usage: virtgpu-sim info [OPTIONS]\n"
		"\n"
		"Print what the simulated virtio-gpu device offers, as its "
		"guest learns it:\nthe negotiated features, GETPARAM values, "
		"scanouts and EDIDs, and every\ncapset decoded (virgl caps, "
		"venus caps).  The device options are those of\n`run`:\n"
		"\n"
		"  --features=LIST    exactly the device features to offer, "
		"comma-separated:\n"
		"                     virgl, edid, resource_uuid, "
		"resource_blob,\n"
		"                     context_init, or none (default %s)\n"
		"  --no-virgl         do not enable the virgl (GL) renderer\n"
		"  --venus            enable the venus (Vulkan) renderer\n"
		"  --render-server    run venus in virglrenderer's render "
		"server\n"
		"                     (implies --venus)\n"
		"  --ram=SIZE         guest RAM; SIZE takes a K, M or G "
		"suffix\n"
		"  --hostmem=SIZE     size of the host-visible memory region "
		"(0 = none)\n"
		"  --scanouts=N       number of scanouts, 1..16 (default 1)\n"
		"  --json             print JSON instead of text\n"
		"  -h, --help         show this help\n"
		"\n"
		"Example: virtgpu-sim info --venus --features=virgl,edid,"
		"context_init\n", feats);
}

static int vmm_info_parse_size(const char *opt, const char *s, bool zero_ok,
			       uint64_t *out)
{
	if (vmm_parse_size(s, zero_ok, out))
		return vmm_usage_error("info", "%s: invalid value '%s' (expected "
					    "a size in bytes%s, with an "
					    "optional K, M or G suffix)", opt,
					    s, zero_ok ? "" : " above 0");
	return 0;
}

static int vmm_info_parse_features(const char *list, uint64_t *out)
{
	const char *bad;
	size_t bad_len;

	if (vmm_parse_features(list, out, &bad, &bad_len))
		return vmm_usage_error("info", "unknown feature '%.*s' in "
					    "--features (known: "
					    VMM_FEATURE_NAMES ")",
					    (int)bad_len, bad);
	return 0;
}

static int vmm_info_parse_scanouts(const char *s, uint32_t *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || n < 1 || n > 16)
		return vmm_usage_error("info", "--scanouts: invalid value '%s' "
					    "(expected a number from 1 to 16)",
					    s);
	*out = (uint32_t)n;
	return 0;
}

enum {
	VMM_INFO_FEATURES = 256,
	VMM_INFO_NO_VIRGL,
	VMM_INFO_VENUS,
	VMM_INFO_RENDER_SERVER,
	VMM_INFO_RAM,
	VMM_INFO_HOSTMEM,
	VMM_INFO_SCANOUTS,
	VMM_INFO_JSON,
};

static const struct option vmm_info_options[] = {
	{ "features", required_argument, NULL, VMM_INFO_FEATURES },
	{ "no-virgl", no_argument, NULL, VMM_INFO_NO_VIRGL },
	{ "venus", no_argument, NULL, VMM_INFO_VENUS },
	{ "render-server", no_argument, NULL, VMM_INFO_RENDER_SERVER },
	{ "ram", required_argument, NULL, VMM_INFO_RAM },
	{ "hostmem", required_argument, NULL, VMM_INFO_HOSTMEM },
	{ "scanouts", required_argument, NULL, VMM_INFO_SCANOUTS },
	{ "json", no_argument, NULL, VMM_INFO_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One option; 1 = help printed, stop. */
static int vmm_info_apply(struct vmm_machine_options *o,
			  struct guest_info_options *io, int c,
			  const char *arg)
{
	switch (c) {
	case VMM_INFO_FEATURES:
		return vmm_info_parse_features(arg, &o->features);
	case VMM_INFO_NO_VIRGL:
		o->virgl = false;
		return 0;
	case VMM_INFO_VENUS:
		o->venus = true;
		return 0;
	case VMM_INFO_RENDER_SERVER:
		o->render_server = true;
		o->venus = true;	/* the render server serves venus */
		return 0;
	case VMM_INFO_RAM:
		return vmm_info_parse_size("--ram", arg, false, &o->ram_size);
	case VMM_INFO_HOSTMEM:
		return vmm_info_parse_size("--hostmem", arg, true,
					   &o->hostmem_size);
	case VMM_INFO_SCANOUTS:
		return vmm_info_parse_scanouts(arg, &o->num_scanouts);
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
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", vmm_info_options,
				NULL)) != -1) {
		if (c == '?')
			return vmm_usage_error("info", "unknown option '%s'",
						    argv[optind - 1]);
		if (c == ':')
			return vmm_usage_error("info", "option '%s' needs a value",
						    argv[optind - 1]);
		ret = vmm_info_apply(o, io, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return vmm_usage_error("info", "unexpected argument '%s'",
					    argv[optind]);
	return 0;
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
	ret = guest_info_print(vmm_machine_kernel(m), stdout, &io);
	vmm_machine_destroy(m);
	if (ret) {
		fprintf(stderr, "virtgpu-sim info: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
