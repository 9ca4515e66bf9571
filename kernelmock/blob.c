// SPDX-License-Identifier: MIT
/*
 * Blob resources (Linux virtgpu_ioctl.c's create_blob, virtgpu_vram.c):
 * DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB with its argument checks, the
 * optional inline command stream (submitted first, in the same kick), guest
 * blobs backed by guest pages, host3d blobs backed by host memory, and the
 * host-visible region ranges MAPPABLE host3d blobs are mapped into
 * (drm_mm's role: first fit).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmock/km_internal.h"
#include "sim/hostmem.h"
#include "sim/log.h"

#define BLOB_FLAG_MASK                                                 \
	(VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE | \
	 VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE)

/* First fit in the host-visible region; -ENOSPC when nothing fits. */
static int hv_alloc_locked(struct km_device *dev, uint64_t size,
			   uint64_t *start)
{
	uint64_t region = sim_hostmem_size(dev->host_visible);
	uint64_t at = 0;
	struct km_hv_range **link = &dev->hv_used;
	while (*link && (*link)->start - at < size) {
		at = (*link)->start + (*link)->size;
		link = &(*link)->next;
	}
	if (at > region || region - at < size)
		return -ENOSPC;
	struct km_hv_range *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->start = at;
	r->size = size;
	r->next = *link;
	*link = r;
	*start = at;
	return 0;
}

static void hv_free_locked(struct km_device *dev, uint64_t start)
{
	for (struct km_hv_range **link = &dev->hv_used; *link;
	     link = &(*link)->next)
		if ((*link)->start == start) {
			struct km_hv_range *r = *link;
			*link = r->next;
			free(r);
			return;
		}
}

/* The range returns to the allocator once the device has unmapped it. */
static void unmap_done_cb(struct km_device *dev, struct km_vbuf *vbuf)
{
	hv_free_locked(dev, (uint64_t)(uintptr_t)vbuf->cb_data);
}

void km__blob_release_locked(struct km_device *dev, struct km_bo *bo)
{
	/* After the teardown reset nothing is mapped on the device any more
	 * and nothing can be queued: the range is simply free. */
	if (bo->map_state == KM_MAP_ERR ||
	    (bo->map_state == KM_MAP_OK && dev->unplugged)) {
		hv_free_locked(dev, bo->hv_offset);
	} else if (bo->map_state == KM_MAP_OK) {
		int ret = km_cmd_resource_unmap_blob(
			dev, bo, unmap_done_cb, (void *)(uintptr_t)bo->hv_offset);
		if (ret)
			SIM_ERROR(KM_LAYER, "UNMAP_BLOB of %u could not be queued "
				  "(%d); its host-visible range stays reserved",
				  bo->res_id, ret);
	}
	bo->map_state = KM_MAP_NONE;
}

int km__blob_wait_mapped_locked(struct km_device *dev, struct km_bo *bo)
{
	/* virtio_gpu_vram_mmap waits for the MAP_BLOB answer. */
	int64_t deadline = km__deadline(KM_WAIT_TIMEOUT_MS);
	while (bo->map_state == KM_MAP_PENDING)
		if (km__cond_timedwait_locked(dev, deadline))
			return -EBUSY;
	return bo->map_state == KM_MAP_OK ? 0 : -EINVAL;
}

/* verify_blob(): the argument rules of the Linux driver. */
static int verify_blob(struct km_device *dev,
		       const struct drm_virtgpu_resource_create_blob *rc,
		       bool *guest_blob, bool *host3d_blob)
{
	if (!dev->has_resource_blob)
		return -EINVAL;
	if (rc->blob_flags & ~BLOB_FLAG_MASK)
		return -EINVAL;
	/* CROSS_DEVICE needs RESOURCE_UUID to name the resource. */
	if ((rc->blob_flags & VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE) &&
	    !dev->has_resource_uuid)
		return -EINVAL;
	*guest_blob = *host3d_blob = false;
	switch (rc->blob_mem) {
	case VIRTGPU_BLOB_MEM_GUEST:
		*guest_blob = true;
		break;
	case VIRTGPU_BLOB_MEM_HOST3D_GUEST:
		*guest_blob = true;
		*host3d_blob = true;
		break;
	case VIRTGPU_BLOB_MEM_HOST3D:
		*host3d_blob = true;
		break;
	default:
		return -EINVAL;
	}
	if (*host3d_blob) {
		if (!dev->has_virgl_3d)
			return -EINVAL;
		if (rc->cmd_size % 4)	/* must be dword aligned */
			return -EINVAL;
	} else if (rc->blob_id || rc->cmd_size) {
		return -EINVAL;
	}
	/* The object needs a size; Linux rejects 0 when creating it. */
	if (rc->size == 0)
		return -EINVAL;
	return 0;
}

int km__resource_create_blob_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_resource_create_blob *rc = data;
	struct km_device *dev = file->dev;
	bool guest_blob, host3d_blob;
	int ret = verify_blob(dev, rc, &guest_blob, &host3d_blob);
	if (ret)
		return ret;
	bool mappable_host = host3d_blob && !guest_blob &&
			     (rc->blob_flags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE);
	if (mappable_host && !dev->host_visible)
		return -EINVAL;	/* virtio_gpu_vram_map: no host-visible region */
	if (dev->has_virgl_3d)
		km__create_context_locked(file);

	if (rc->cmd_size) {
		void *cmds = malloc(rc->cmd_size);
		if (!cmds)
			return -ENOMEM;
		ret = km__copy_from_user(cmds, rc->cmd, rc->cmd_size);
		if (!ret)
			ret = km_cmd_submit_3d(dev, file->ctx_id, cmds,
					       rc->cmd_size, NULL, NULL, 0);
		free(cmds);
		if (ret)
			return ret;
	}

	struct km_bo *bo;
	ret = km__bo_create_locked(dev, rc->size, guest_blob, &bo);
	if (ret)
		return ret;
	bo->blob_mem = rc->blob_mem;
	bo->blob_flags = rc->blob_flags;
	bo->guest_blob = guest_blob;
	bo->host3d_blob = host3d_blob;
	ret = km_cmd_resource_create_blob(dev, host3d_blob ? file->ctx_id : 0,
					  bo, rc->blob_id);
	if (ret)
		goto err_free;
	if (mappable_host) {
		ret = hv_alloc_locked(dev, bo->size, &bo->hv_offset);
		if (ret)
			goto err_put;
		bo->map_state = KM_MAP_PENDING;
		ret = km_cmd_resource_map_blob(dev, bo, bo->hv_offset);
		if (ret) {
			hv_free_locked(dev, bo->hv_offset);
			bo->map_state = KM_MAP_NONE;
			goto err_put;
		}
	}
	if (rc->blob_flags & VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE) {
		ret = km_cmd_resource_assign_uuid(dev, bo);
		if (ret)
			goto err_put;
	}
	uint32_t handle;
	ret = km__handle_create_locked(file, bo, &handle);
	km__bo_put_locked(dev, bo);	/* the handle owns it now */
	km__notify_locked(dev);
	if (ret)
		return ret;
	rc->res_handle = bo->res_id;
	rc->bo_handle = handle;
	return 0;

err_free:
	km__bo_free_locked(dev, bo);
	return ret;
err_put:
	/* The device knows the resource: unref it through the usual path. */
	km__bo_put_locked(dev, bo);
	km__notify_locked(dev);
	return ret;
}
