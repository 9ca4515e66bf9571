// SPDX-License-Identifier: MIT
/*
 * The DRM_IOCTL_VIRTGPU_* handlers and their table (Linux
 * virtgpu_ioctl.c's role); EXECBUFFER is in submit.c and
 * RESOURCE_CREATE_BLOB in blob.c.  Argument checks and errno values follow
 * drivers/gpu/drm/virtio/virtgpu_ioctl.c; each handler gets a kernel copy of
 * the argument struct (ioctl() in device.c copies in and out).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"
#include "sim/trace.h"
#include "sim/ram.h"

static int map_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_map *args = data;
	struct km_device *dev = file->dev;
	struct km_bo *bo = km__handle_lookup_locked(file, args->handle);
	if (!bo)
		return -ENOENT;
	if (!bo->map_offset) {
		bo->map_offset = dev->next_map_offset;
		dev->next_map_offset += bo->size;
	}
	args->offset = bo->map_offset;
	return 0;
}

static int getparam_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_getparam *param = data;
	struct km_device *dev = file->dev;
	int value;

	/* A param newer than the version is unknown to it. */
	if (param->param > dev->kv->last_param)
		return -EINVAL;
	switch (param->param) {
	case VIRTGPU_PARAM_3D_FEATURES: value = dev->has_virgl_3d; break;
	case VIRTGPU_PARAM_CAPSET_QUERY_FIX: value = 1; break;
	case VIRTGPU_PARAM_RESOURCE_BLOB: value = dev->has_resource_blob; break;
	case VIRTGPU_PARAM_HOST_VISIBLE: value = dev->has_host_visible; break;
	case VIRTGPU_PARAM_CROSS_DEVICE: value = dev->has_resource_uuid; break;
	case VIRTGPU_PARAM_CONTEXT_INIT: value = dev->has_context_init; break;
	case VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs:
		value = (int)dev->capset_id_mask;
		break;
	case VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME:
		value = dev->has_context_init;
		break;
	case VIRTGPU_PARAM_BLOB_ALIGNMENT:
		/* 6bd7e82e: only when the feature was negotiated */
		if (!dev->has_blob_alignment)
			return -ENOENT;
		value = (int)dev->blob_alignment;
		break;
	default:
		return -EINVAL;
	}
	/* The kernel writes sizeof(int) bytes, not the u64 the field implies. */
	return km__copy_to_user(param->value, &value, sizeof(int));
}

static int resource_create_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_resource_create *rc = data;
	struct km_device *dev = file->dev;

	/* virtio_gpu_resource_create_ioctl: without 3D the object is a 2D
	 * resource, and only what a 2D resource can be is accepted; no
	 * context is made for it. */
	if (!dev->has_virgl_3d) {
		if (rc->depth > 1 || rc->nr_samples > 1 || rc->last_level > 1 ||
		    rc->target != 2 || rc->array_size > 1)
			return -EINVAL;
	} else {
		km__create_context_locked(file);
	}
	/* "allocate a single page size object" for size 0 */
	uint64_t size = rc->size ? rc->size : SIM_PAGE_SIZE;
	struct km_bo *bo;
	int ret = km__bo_create_locked(dev, size, true, &bo);
	if (ret)
		return ret;
	struct km_fence *fence = km__fence_alloc(0, 0, false);
	if (!fence) {
		km__bo_free_locked(dev, bo);
		return -ENOMEM;
	}
	ret = dev->has_virgl_3d ? km_cmd_resource_create_3d(dev, bo, rc, fence)
				: km_cmd_resource_create_2d(dev, bo, rc, fence);
	if (ret) {
		km__fence_put(fence);
		km__bo_free_locked(dev, bo);
		return ret;
	}
	km__bo_set_fence_locked(bo, fence);
	km__fence_put(fence);
	ret = km_cmd_resource_attach_backing(dev, bo);
	uint32_t handle = 0;
	if (ret == 0)
		ret = km__handle_create_locked(file, bo, &handle);
	km__bo_put_locked(dev, bo);	/* the handle holds it now */
	km__notify_locked(dev);
	if (ret)
		return ret;
	rc->res_handle = bo->res_id;
	rc->bo_handle = handle;
	return 0;
}

static int resource_info_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_resource_info *ri = data;
	struct km_bo *bo = km__handle_lookup_locked(file, ri->bo_handle);
	if (!bo)
		return -ENOENT;
	ri->size = (uint32_t)bo->size;
	ri->res_handle = bo->res_id;
	/* virtio_gpu_resource_info_ioctl writes blob_mem for blobs only;
	 * for a classic resource the caller's value comes back. */
	if (bo->host3d_blob || bo->guest_blob)
		ri->blob_mem = bo->blob_mem;
	return 0;
}

static int transfer_ioctl(struct km_file *file, void *data, bool to_host)
{
	struct drm_virtgpu_3d_transfer_to_host *args = data;
	struct km_device *dev = file->dev;

	if (!dev->has_virgl_3d && !to_host)
		return -ENOSYS;
	/* virtio_gpu_transfer_from_host_ioctl creates the file's context
	 * before it looks the handle up (so a bad handle still creates it);
	 * the to_host ioctl after, and only with 3D. */
	if (!to_host)
		km__create_context_locked(file);
	struct km_bo *bo = km__handle_lookup_locked(file, args->bo_handle);
	if (!bo)
		return -ENOENT;
	/* Guest-only blobs have no host storage to transfer to or from
	 * (virtio_gpu_transfer_*_ioctl). */
	if (bo->guest_blob && !bo->host3d_blob)
		return -EINVAL;
	if (!dev->has_virgl_3d) {
		/* A 2D resource: the box's x, y, w, h and the offset become
		 * TRANSFER_TO_HOST_2D; z, d, level and the strides are not
		 * looked at, and nothing is fenced. */
		int ret = km_cmd_transfer_to_host_2d(dev, bo, args);
		if (ret == 0)
			km__notify_locked(dev);
		return ret;
	}
	km__create_context_locked(file);
	/* Only host3d blobs take a guest stride; classic resources use the
	 * host's own layout. */
	if (!bo->host3d_blob && (args->stride || args->layer_stride))
		return -EINVAL;
	struct km_fence *fence = km__fence_alloc(0, 0, false);
	if (!fence)
		return -ENOMEM;
	int ret = km_cmd_transfer_3d(dev, to_host, file->ctx_id, bo, args,
				     fence);
	if (ret == 0) {
		km__bo_set_fence_locked(bo, fence);
		km__notify_locked(dev);
	}
	km__fence_put(fence);
	return ret;
}

static int transfer_from_host_ioctl(struct km_file *file, void *data)
{
	return transfer_ioctl(file, data, false);
}

static int transfer_to_host_ioctl(struct km_file *file, void *data)
{
	return transfer_ioctl(file, data, true);
}

static int wait_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_3d_wait *args = data;
	struct km_bo *bo = km__handle_lookup_locked(file, args->handle);
	if (!bo)
		return -ENOENT;
	struct km_fence *f = bo->last_fence;
	if (!f || f->signaled)
		return 0;
	if (args->flags & VIRTGPU_WAIT_NOWAIT)
		return -EBUSY;
	km__bo_get(bo);
	km__fence_get(f);
	int ret = km__fence_wait_locked(file->dev, f, KM_WAIT_TIMEOUT_MS);
	km__fence_put(f);
	km__bo_put_locked(file->dev, bo);
	/* dma_resv_wait_timeout returning 0 (timed out) becomes -EBUSY. */
	return ret ? -EBUSY : 0;
}

static struct km_capset_cache *capset_cache_find(struct km_device *dev,
						 uint32_t id, uint32_t ver)
{
	for (struct km_capset_cache *c = dev->capset_cache; c; c = c->next)
		if (c->id == id && c->version == ver)
			return c;
	return NULL;
}

static int get_caps_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_get_caps *args = data;
	struct km_device *dev = file->dev;
	const struct km_capset *cs = NULL;

	if (dev->num_capsets == 0)
		return -ENOSYS;
	if (args->size == 0)	/* "don't allow userspace to pass 0" */
		return -EINVAL;
	for (unsigned i = 0; i < dev->num_capsets && !cs; i++)
		if (dev->capsets[i].id == args->cap_set_id &&
		    dev->capsets[i].max_version >= args->cap_set_ver)
			cs = &dev->capsets[i];
	if (!cs)
		return -EINVAL;
	uint32_t size = args->size < cs->max_size ? args->size : cs->max_size;

	struct km_capset_cache *ent = capset_cache_find(dev, cs->id,
							args->cap_set_ver);
	if (!ent) {
		ent = calloc(1, sizeof(*ent));
		if (!ent || !(ent->data = calloc(1, cs->max_size))) {
			free(ent);
			return -ENOMEM;
		}
		ent->id = cs->id;
		ent->version = args->cap_set_ver;
		ent->size = cs->max_size;
		ent->next = dev->capset_cache;
		dev->capset_cache = ent;
		int ret = km_cmd_get_capset(dev, ent);
		if (ret)
			return ret;
		km__notify_locked(dev);
	}
	int64_t deadline = km__deadline(KM_CAPSET_TIMEOUT_MS);
	while (!ent->valid && !ent->failed)
		if (km__cond_timedwait_locked(dev, deadline))
			return -EBUSY;
	/* The kernel only marks an entry valid on OK_CAPSET, so an error
	 * answer ends in its 5 s timeout and -EBUSY; we answer at once. */
	if (!ent->valid)
		return -EBUSY;
	return km__copy_to_user(args->addr, ent->data, size);
}

/* One CONTEXT_INIT parameter (virtio_gpu_context_init_ioctl's switch). */
static int apply_context_param(struct km_file *file, uint64_t param,
			       uint64_t value)
{
	struct km_device *dev = file->dev;

	switch (param) {
	case VIRTGPU_CONTEXT_PARAM_CAPSET_ID:
		if (value > KM_MAX_CAPSET_ID ||
		    !(dev->capset_id_mask & (1ull << value)) ||
		    (file->context_init & VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK))
			return -EINVAL;
		file->context_init |= (uint32_t)value;
		return 0;
	case VIRTGPU_CONTEXT_PARAM_NUM_RINGS:
		if (file->base_fence_ctx || value > KM_MAX_RINGS)
			return -EINVAL;
		file->base_fence_ctx = dev->next_fence_ctx;
		dev->next_fence_ctx += value ? value : 1;
		file->num_rings = (uint32_t)value;
		return 0;
	case VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK:
		if (file->ring_idx_mask)
			return -EINVAL;
		file->ring_idx_mask = value;
		return 0;
	case VIRTGPU_CONTEXT_PARAM_DEBUG_NAME: {
		if (!dev->kv->context_debug_name)
			return -EINVAL;	/* before 6.8: an unknown param */
		if (file->explicit_debug_name)
			return -EINVAL;
		char name[KM_DEBUG_NAME_MAX] = { 0 };
		/* strncpy_from_user: bytes up to the NUL or the limit */
		for (size_t n = 0; n < sizeof(name) - 1; n++) {
			if (km__copy_from_user(&name[n], value + n, 1))
				return -EFAULT;
			if (!name[n])
				break;
		}
		memcpy(file->debug_name, name, sizeof(name));
		file->explicit_debug_name = true;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

static int context_init_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_context_init *args = data;
	struct km_device *dev = file->dev;
	struct drm_virtgpu_context_set_param params[4];

	if (!dev->has_context_init || !dev->has_virgl_3d)
		return -EINVAL;
	/* Number of unique parameters supported at this time: 3, 4 since
	 * DEBUG_NAME (6.8, 7add8012). */
	if (args->num_params > dev->kv->max_context_params)
		return -EINVAL;
	int ret = km__copy_from_user(params, args->ctx_set_params,
				     args->num_params * sizeof(params[0]));
	if (ret)
		return ret;
	/* Held until the context is queued, as vfpriv->context_lock: a
	 * first call on another thread cannot create a default one
	 * meanwhile, nor this one a second. */
	km__context_lock_locked(file);
	if (file->context_created) {
		ret = -EEXIST;
		goto out_unlock;
	}
	/* As in the kernel, parameters applied before a bad one stay set. */
	for (uint32_t i = 0; i < args->num_params; i++) {
		uint64_t param = params[i].param, value = params[i].value;
		/* Before 6.8 (e4178256) both went through 32-bit locals. */
		if (!dev->kv->context_param_64bit) {
			param = (uint32_t)param;
			value = (uint32_t)value;
		}
		ret = apply_context_param(file, param, value);
		if (ret)
			goto out_unlock;
	}
	if (file->ring_idx_mask) {
		uint64_t valid = file->num_rings >= 64 ? ~0ull
				 : (1ull << file->num_rings) - 1;
		if (file->ring_idx_mask & ~valid) {
			ret = -EINVAL;
			goto out_unlock;
		}
	}
	km__create_context_ctxlocked(file);
	km__notify_locked(dev);
out_unlock:
	km__context_unlock_locked(file);
	return ret;
}

static const struct {
	km_ioctl_fn fn;
	size_t size;		/* 0: the version's (EXECBUFFER) */
	unsigned dir;		/* _IOC_DIR of the driver's request */
	const char *name;
} virtgpu_ioctls[] = {
#define IOCTL(nr, fn, type) \
	[DRM_VIRTGPU_##nr] = { fn, sizeof(type), \
			       _IOC_DIR(DRM_IOCTL_VIRTGPU_##nr), "VIRTGPU_" #nr }
	IOCTL(MAP, map_ioctl, struct drm_virtgpu_map),
	/* The struct grew from 40 to 64 bytes with syncobjs (6.6,
	 * 7cb8d1ab): an older driver copies 40 bytes and neither reads nor
	 * changes the syncobj fields of a 64-byte struct. */
	[DRM_VIRTGPU_EXECBUFFER] = { km__execbuffer_ioctl, 0,
				     _IOC_DIR(DRM_IOCTL_VIRTGPU_EXECBUFFER),
				     "VIRTGPU_EXECBUFFER" },
	IOCTL(GETPARAM, getparam_ioctl, struct drm_virtgpu_getparam),
	IOCTL(RESOURCE_CREATE, resource_create_ioctl,
	      struct drm_virtgpu_resource_create),
	IOCTL(RESOURCE_INFO, resource_info_ioctl,
	      struct drm_virtgpu_resource_info),
	IOCTL(TRANSFER_FROM_HOST, transfer_from_host_ioctl,
	      struct drm_virtgpu_3d_transfer_from_host),
	IOCTL(TRANSFER_TO_HOST, transfer_to_host_ioctl,
	      struct drm_virtgpu_3d_transfer_to_host),
	IOCTL(WAIT, wait_ioctl, struct drm_virtgpu_3d_wait),
	IOCTL(GET_CAPS, get_caps_ioctl, struct drm_virtgpu_get_caps),
	IOCTL(RESOURCE_CREATE_BLOB, km__resource_create_blob_ioctl,
	      struct drm_virtgpu_resource_create_blob),
	IOCTL(CONTEXT_INIT, context_init_ioctl, struct drm_virtgpu_context_init),
#undef IOCTL
};

const char *km__ioctl_virtgpu_name(unsigned nr)
{
	return nr < sizeof(virtgpu_ioctls) / sizeof(virtgpu_ioctls[0])
		       ? virtgpu_ioctls[nr].name : NULL;
}

/* An ioctl's span in a trace (sim/trace.h), named from the table. */
void km__trace_ioctl(unsigned nr, size_t size, int ret, uint64_t t0)
{
	sim_trace_span(SIM_TRACE_IOCTL, km_ioctl_name(DRM_IO(nr)), t0, nr,
		       (uint64_t)size << 32 | (uint32_t)ret);
}

/* drm_ioctl() for the driver's ioctls (km__ioctl_call has its copies). */
int km__ioctl_virtgpu(struct km_file *file, unsigned nr, unsigned dir,
		      void *arg, size_t usize)
{
	if (nr >= sizeof(virtgpu_ioctls) / sizeof(virtgpu_ioctls[0]) ||
	    !virtgpu_ioctls[nr].fn)
		return -EINVAL;
	size_t ksize = virtgpu_ioctls[nr].size;
	if (!ksize)
		ksize = file->dev->kv->execbuffer_size;
	SIM_DEBUG(SIM_DEBUG_IOCTL, KM_LAYER, "%s (size %zu)",
		  virtgpu_ioctls[nr].name, usize);
	return km__ioctl_call(file, virtgpu_ioctls[nr].fn,
			      virtgpu_ioctls[nr].dir, ksize, dir, usize, arg);
}
