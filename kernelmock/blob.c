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
	/* 7.2 (47248e0d): with VIRTIO_GPU_F_BLOB_ALIGNMENT the size must
	 * be a multiple of the device's blob_alignment (virtio 1.4
	 * 5.7.6.8); the driver refuses, it does not round up.  IS_ALIGNED
	 * masks, so a power of two is assumed (the spec's promise). */
	if (dev->has_blob_alignment &&
	    (rc->size & ((uint64_t)dev->blob_alignment - 1)))
		return -EINVAL;
	/* The object needs a size; Linux rejects 0 when creating it. */
	if (rc->size == 0)
		return -EINVAL;
	return 0;
}

/*
 * One RESOURCE_CREATE_BLOB, in the shape of virtgpu_submit.c: a transient
 * struct that flat steps fill in and one cleanup.  The object's creation
 * reference is always dropped there: once a handle holds the object
 * (complete), or to destroy it on failure, through RESOURCE_UNREF once the
 * device knows it (on_device), freed directly before.
 */
struct km_blob_create {
	struct drm_virtgpu_resource_create_blob *rc;
	struct km_file *file;
	struct km_device *dev;
	bool guest_blob, host3d_blob;
	bool mappable_host;	/* a host-visible window is needed */
	struct km_bo *bo;	/* the creation reference, or NULL */
	bool on_device;		/* RESOURCE_CREATE_BLOB was queued */
	uint32_t handle;
};

/* verify_blob and what needs the device's host-visible region. */
static int blob_init(struct km_blob_create *c, struct km_file *file,
		     struct drm_virtgpu_resource_create_blob *rc)
{
	*c = (struct km_blob_create){ .rc = rc, .file = file,
				      .dev = file->dev };
	int ret = verify_blob(c->dev, rc, &c->guest_blob, &c->host3d_blob);
	if (ret)
		return ret;
	c->mappable_host = c->host3d_blob && !c->guest_blob &&
			   (rc->blob_flags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE);
	if (c->mappable_host && !c->dev->host_visible)
		return -EINVAL;	/* virtio_gpu_vram_map: no host-visible region */
	return 0;
}

/* The optional command stream runs first, in the same kick, so that a
 * HOST3D blob can name what it created (blob_id). */
static int blob_submit_inline(struct km_blob_create *c)
{
	if (!c->rc->cmd_size)
		return 0;
	void *cmds = malloc(c->rc->cmd_size);
	if (!cmds)
		return -ENOMEM;
	int ret = km__copy_from_user(cmds, c->rc->cmd, c->rc->cmd_size);
	if (!ret)
		ret = km_cmd_submit_3d(c->dev, c->file->ctx_id, cmds,
				       c->rc->cmd_size, NULL, NULL, 0);
	free(cmds);
	return ret;
}

static int blob_create_object(struct km_blob_create *c)
{
	int ret = km__bo_create_locked(c->dev, c->rc->size, c->guest_blob,
				       &c->bo);
	if (ret)
		return ret;
	c->bo->blob_mem = c->rc->blob_mem;
	c->bo->blob_flags = c->rc->blob_flags;
	c->bo->guest_blob = c->guest_blob;
	c->bo->host3d_blob = c->host3d_blob;
	ret = km_cmd_resource_create_blob(c->dev,
					  c->host3d_blob ? c->file->ctx_id : 0,
					  c->bo, c->rc->blob_id);
	if (ret)
		return ret;
	c->on_device = true;
	return 0;
}

/* virtio_gpu_vram_map: a window of the host-visible region, then
 * RESOURCE_MAP_BLOB; mmap waits for its answer. */
static int blob_map(struct km_blob_create *c)
{
	struct km_bo *bo = c->bo;
	if (!c->mappable_host)
		return 0;
	int ret = hv_alloc_locked(c->dev, bo->size, &bo->hv_offset);
	if (ret)
		return ret;
	bo->map_state = KM_MAP_PENDING;
	ret = km_cmd_resource_map_blob(c->dev, bo, bo->hv_offset);
	if (ret) {
		hv_free_locked(c->dev, bo->hv_offset);
		bo->map_state = KM_MAP_NONE;
	}
	return ret;
}

static int blob_assign_uuid(struct km_blob_create *c)
{
	if (!(c->rc->blob_flags & VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE))
		return 0;
	return km_cmd_resource_assign_uuid(c->dev, c->bo);
}

static void blob_complete(struct km_blob_create *c)
{
	c->rc->res_handle = c->bo->res_id;
	c->rc->bo_handle = c->handle;
}

static void blob_cleanup(struct km_blob_create *c)
{
	if (!c->bo)
		return;
	if (!c->on_device) {
		km__bo_free_locked(c->dev, c->bo);
		return;
	}
	/* The handle holds it now; or, on failure, the device knows the
	 * resource: unref it through the usual path. */
	km__bo_put_locked(c->dev, c->bo);
	km__notify_locked(c->dev);
}

int km__resource_create_blob_ioctl(struct km_file *file, void *data)
{
	struct km_blob_create c;
	int ret = blob_init(&c, file, data);
	if (ret)
		return ret;
	if (c.dev->has_virgl_3d)
		km__create_context_locked(file);
	ret = blob_submit_inline(&c);
	if (ret)
		goto cleanup;
	ret = blob_create_object(&c);
	if (ret)
		goto cleanup;
	ret = blob_map(&c);
	if (ret)
		goto cleanup;
	ret = blob_assign_uuid(&c);
	if (ret)
		goto cleanup;
	ret = km__handle_create_locked(file, c.bo, &c.handle);
	if (ret)
		goto cleanup;
	blob_complete(&c);
cleanup:
	blob_cleanup(&c);
	return ret;
}
