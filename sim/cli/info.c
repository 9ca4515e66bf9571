// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim info`: the options of `run` that shape the device, one
 * machine built from them, guest_info_print on its guest driver, and the
 * machine taken apart again.  The transport's offered and acked feature
 * bits are what a VMM would see; everything else is asked through the
 * guest driver (guest/info.c).
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

#include "guest/info.h"
#include "sim/cli/info.h"
#include "sim/machine.h"
#include "sim/transport.h"

#define EXIT_USAGE 2

static const struct {
	const char *name;
	unsigned bit;
} sim_info_features[] = {
	{ "virgl", VIRTIO_GPU_F_VIRGL },
	{ "edid", VIRTIO_GPU_F_EDID },
	{ "resource_uuid", VIRTIO_GPU_F_RESOURCE_UUID },
	{ "resource_blob", VIRTIO_GPU_F_RESOURCE_BLOB },
	{ "context_init", VIRTIO_GPU_F_CONTEXT_INIT },
};
#define SIM_INFO_NFEATURES \
	(sizeof(sim_info_features) / sizeof(sim_info_features[0]))

/* The default features as --features writes them. */
static void sim_info_default_features(char *buf, size_t len)
{
	struct sim_machine_options d;
	size_t o = 0;

	sim_machine_default_options(&d);
	buf[0] = '\0';
	for (size_t i = 0; i < SIM_INFO_NFEATURES && o < len; i++)
		if (d.features & (1ull << sim_info_features[i].bit))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? "," : "",
					      sim_info_features[i].name);
	if (!o)
		snprintf(buf, len, "none");
}

static void sim_info_usage(FILE *out)
{
	char feats[128];

	sim_info_default_features(feats, sizeof(feats));
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

static int sim_info_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static int sim_info_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "virtgpu-sim info: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n");
	sim_info_usage(stderr);
	return -EINVAL;
}

/* Decimal bytes with an optional K, M or G (binary) suffix. */
static int sim_info_parse_size(const char *opt, const char *s, bool zero_ok,
			       uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s)
		goto bad;
	if (*p) {
		const char *units = "KMG", *u = strchr(units, *p);

		if (!u || p[1])
			goto bad;
		mult = 1ull << (10 * (u - units + 1));
	}
	if ((!v && !zero_ok) || v > UINT64_MAX / mult)
		goto bad;
	*out = v * mult;
	return 0;
bad:
	return sim_info_usage_error("%s: invalid value '%s' (expected a size "
				    "in bytes%s, with an optional K, M or G "
				    "suffix)", opt, s,
				    zero_ok ? "" : " above 0");
}

static int sim_info_parse_features(const char *list, uint64_t *out)
{
	uint64_t f = 0;

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ","), i;
		bool none = len == 4 && strncmp(p, "none", 4) == 0;

		for (i = 0; !none && i < SIM_INFO_NFEATURES; i++)
			if (strlen(sim_info_features[i].name) == len &&
			    strncmp(sim_info_features[i].name, p, len) == 0)
				break;
		if (!none && i == SIM_INFO_NFEATURES)
			return sim_info_usage_error(
				"unknown feature '%.*s' in --features (known: "
				"virgl, edid, resource_uuid, resource_blob, "
				"context_init, none)", (int)len, p);
		if (!none)
			f |= 1ull << sim_info_features[i].bit;
		p += len;
		if (*p)
			p++;
	}
	*out = f;
	return 0;
}

static int sim_info_parse_scanouts(const char *s, uint32_t *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || n < 1 || n > 16)
		return sim_info_usage_error("--scanouts: invalid value '%s' "
					    "(expected a number from 1 to 16)",
					    s);
	*out = (uint32_t)n;
	return 0;
}

enum {
	SIM_INFO_FEATURES = 256,
	SIM_INFO_NO_VIRGL,
	SIM_INFO_VENUS,
	SIM_INFO_RENDER_SERVER,
	SIM_INFO_RAM,
	SIM_INFO_HOSTMEM,
	SIM_INFO_SCANOUTS,
	SIM_INFO_JSON,
};

static const struct option sim_info_options[] = {
	{ "features", required_argument, NULL, SIM_INFO_FEATURES },
	{ "no-virgl", no_argument, NULL, SIM_INFO_NO_VIRGL },
	{ "venus", no_argument, NULL, SIM_INFO_VENUS },
	{ "render-server", no_argument, NULL, SIM_INFO_RENDER_SERVER },
	{ "ram", required_argument, NULL, SIM_INFO_RAM },
	{ "hostmem", required_argument, NULL, SIM_INFO_HOSTMEM },
	{ "scanouts", required_argument, NULL, SIM_INFO_SCANOUTS },
	{ "json", no_argument, NULL, SIM_INFO_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One option; 1 = help printed, stop. */
static int sim_info_apply(struct sim_machine_options *o,
			  struct guest_info_options *io, int c,
			  const char *arg)
{
	switch (c) {
	case SIM_INFO_FEATURES:
		return sim_info_parse_features(arg, &o->features);
	case SIM_INFO_NO_VIRGL:
		o->virgl = false;
		return 0;
	case SIM_INFO_VENUS:
		o->venus = true;
		return 0;
	case SIM_INFO_RENDER_SERVER:
		o->render_server = true;
		o->venus = true;	/* the render server serves venus */
		return 0;
	case SIM_INFO_RAM:
		return sim_info_parse_size("--ram", arg, false, &o->ram_size);
	case SIM_INFO_HOSTMEM:
		return sim_info_parse_size("--hostmem", arg, true,
					   &o->hostmem_size);
	case SIM_INFO_SCANOUTS:
		return sim_info_parse_scanouts(arg, &o->num_scanouts);
	case SIM_INFO_JSON:
		io->json = true;
		return 0;
	case 'h':
		sim_info_usage(stdout);
		return 1;
	}
	return -EINVAL;
}

/* 0 to go on, 1 to exit successfully (help), -EINVAL after a usage
 * message. */
static int sim_info_parse(int argc, char **argv,
			  struct sim_machine_options *o,
			  struct guest_info_options *io)
{
	int c, ret;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", sim_info_options,
				NULL)) != -1) {
		if (c == '?')
			return sim_info_usage_error("unknown option '%s'",
						    argv[optind - 1]);
		if (c == ':')
			return sim_info_usage_error("option '%s' needs a value",
						    argv[optind - 1]);
		ret = sim_info_apply(o, io, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc)
		return sim_info_usage_error("unexpected argument '%s'",
					    argv[optind]);
	return 0;
}

int sim_cli_info(int argc, char **argv)
{
	struct sim_machine_options o;
	struct guest_info_options io = { 0 };
	struct sim_machine *m;
	int ret;

	sim_machine_default_options(&o);
	ret = sim_info_parse(argc, argv, &o, &io);
	if (ret)
		return ret > 0 ? EXIT_SUCCESS : EXIT_USAGE;
	ret = sim_machine_create(&o, &m);
	if (ret) {
		fprintf(stderr, "virtgpu-sim info: could not create the "
			"machine: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	io.have_transport = true;
	io.offered = sim_transport_offered_features(sim_machine_transport(m));
	io.acked = sim_transport_acked_features(sim_machine_transport(m));
	ret = guest_info_print(sim_machine_kernel(m), stdout, &io);
	sim_machine_destroy(m);
	if (ret) {
		fprintf(stderr, "virtgpu-sim info: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
