// SPDX-License-Identifier: MIT
/*
 * Where venus runs, virglrenderer 1.0 and later (meson picks this file or
 * vr_venus_inproc.c by the version pkg-config found): only in the render
 * server.  1.0 removed the in-process venus renderer (its capset reports
 * the released protocol, wire_format_version 1, from the render server),
 * so a device asked for venus without the render server is refused with
 * the version named; `virtgpu-sim --venus` asks for the render server
 * itself (vmm/machine.c).
 */
#include <errno.h>

#include "host/host.h"
#include "host/internal.h"
#include "sim/log.h"

bool host_venus_needs_render_server(void)
{
	return true;
}

int host__vr_venus_check(const struct host_options *opts)
{
	if (!opts->venus || opts->render_server)
		return 0;
	SIM_ERROR(HOST_LAYER, "virglrenderer %s runs venus only in its render "
		  "server (in-process venus was removed in 1.0): enable the "
		  "render server with venus", HOST_VIRGLRENDERER_VERSION);
	return -ENOTSUP;
}
