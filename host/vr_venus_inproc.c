// SPDX-License-Identifier: MIT
/*
 * Where venus runs, virglrenderer before 1.0 (meson picks this file or
 * vr_venus_server.c by the version pkg-config found): in the process
 * (VIRGL_RENDERER_VENUS) or in the render server (with
 * VIRGL_RENDERER_RENDER_SERVER); both work.
 */
#include "host/host.h"
#include "host/internal.h"

bool host_venus_needs_render_server(void)
{
	return false;
}

int host__vr_venus_check(const struct host_options *opts)
{
	return 0;
}
