// SPDX-License-Identifier: MIT
/*
 * A HOST3D blob's window, virglrenderer before 1.3 (meson picks this file
 * or vr_map_fixed.c by whether the library has
 * virgl_renderer_resource_map_fixed): the renderer maps the blob wherever
 * it likes (virgl_renderer_resource_map) and the host-visible region's
 * window points there, as QEMU did before virglrenderer 1.3
 * (virtio_gpu_virgl_map_resource_blob).
 */
#include "host/internal.h"

int host__vr_map_window(struct host_device *dev, struct host_resource *res,
			uint64_t offset, uint64_t len, void **ptr,
			uint64_t *size, uint32_t *map_info)
{
	(void)dev;
	(void)offset;
	(void)len;
	return host_vr_map(res->id, ptr, size, map_info);
}

void host__vr_unmap_window(struct host_device *dev, struct host_resource *res)
{
	(void)dev;
	host_vr_unmap(res->id);
}

void host__vr_region_release(struct host_device *dev)
{
	(void)dev;
}

int64_t host_device_fixed_maps(struct host_device *dev)
{
	(void)dev;
	return -1;
}
