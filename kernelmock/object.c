// SPDX-License-Identifier: MIT
/*
 * GEM objects and handles (Linux virtgpu_object.c and virtgpu_gem.c's
 * roles).  An object owns guest pages and a host resource id; handles in a
 * file, mappings and in-flight commands each hold a reference.  The last
 * reference sends RESOURCE_UNREF and the pages are released when the
 * device has answered it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"
#include "sim/ram.h"

int km__bo_create_locked(struct km_device *dev, uint64_t size,
			 bool guest_pages, struct km_bo **out)
{
	struct km_bo *bo = calloc(1, sizeof(*bo));
	if (!bo)
		return -ENOMEM;
	bo->size = (size + SIM_PAGE_SIZE - 1) & ~(uint64_t)(SIM_PAGE_SIZE - 1);
	if (bo->size < size) {	/* rounding wrapped */
		free(bo);
		return -EINVAL;
	}
	if (guest_pages) {
		bo->npages = bo->size / SIM_PAGE_SIZE;
		/* More pages than guest RAM has can never be allocated: say
		 * so before asking the host for an array that size (a blob
		 * of 2^60 bytes made a 2^51-byte calloc; found by fuzzing). */
		if (bo->npages > sim_ram_size(dev->ram) / SIM_PAGE_SIZE) {
			SIM_GUEST_ERROR(KM_LAYER, "guest RAM too small: an "
					"object of %llu bytes needs more than "
					"all %llu bytes of guest RAM (ENOMEM; "
					"--ram sets its size)",
					(unsigned long long)bo->size,
					(unsigned long long)
					sim_ram_size(dev->ram));
			free(bo);
			return -ENOMEM;
		}
		bo->pages = calloc(bo->npages, sizeof(*bo->pages));
		if (!bo->pages) {
			free(bo);
			return -ENOMEM;
		}
		int ret = sim_ram_alloc_pages(dev->ram, bo->npages, bo->pages);
		if (ret == -ENOMEM)
			SIM_GUEST_ERROR(KM_LAYER, "guest RAM exhausted: an "
					"object of %llu bytes asked for %llu "
					"pages, %llu of %llu are free (ENOMEM; "
					"--ram sets its size)",
					(unsigned long long)bo->size,
					(unsigned long long)bo->npages,
					(unsigned long long)
					sim_ram_free_pages(dev->ram),
					(unsigned long long)
					(sim_ram_size(dev->ram) /
					 SIM_PAGE_SIZE));
		if (ret) {
			free(bo->pages);
			free(bo);
			return ret;
		}
	}
	bo->refcount = 1;
	bo->dmabuf_wfd = -1;
	/* Linux hands out resource ids from an IDA starting at 1. */
	bo->res_id = ++dev->next_res_id;
	dev->stats.objects++;
	*out = bo;
	return 0;
}

void km__bo_get(struct km_bo *bo)
{
	bo->refcount++;
}

void km__bo_free_locked(struct km_device *dev, struct km_bo *bo)
{
	if (bo->npages)
		sim_ram_release_pages(dev->ram, bo->pages, bo->npages);
	km__fence_put(bo->last_fence);
	free(bo->pages);
	free(bo);
	dev->stats.objects--;
}

void km__bo_put_locked(struct km_device *dev, struct km_bo *bo)
{
	if (--bo->refcount)
		return;
	km__flink_remove_locked(dev, bo);
	km__blob_release_locked(dev, bo);
	if (dev->unplugged) {
		/* The device was reset: it no longer knows the resource. */
		km__bo_free_locked(dev, bo);
		return;
	}
	int ret = km_cmd_resource_unref(dev, bo);
	if (ret) {
		/* Without the unref the host may still reach these pages:
		 * keep them out of the allocator rather than reuse them. */
		SIM_ERROR(KM_LAYER, "RESOURCE_UNREF of %u could not be queued "
			  "(%d); its pages stay reserved", bo->res_id, ret);
		km__fence_put(bo->last_fence);
		free(bo->pages);
		free(bo);
		dev->stats.objects--;
		return;
	}
	km__notify_locked(dev);
}

void km__bo_set_fence_locked(struct km_bo *bo, struct km_fence *f)
{
	km__fence_get(f);
	km__fence_put(bo->last_fence);
	bo->last_fence = f;
}

/*
 * Linux's vfpriv->context_lock is a mutex held while CTX_CREATE is queued,
 * which may sleep for queue room.  Here every sleep drops dev->lock, so
 * the per-file lock is a flag under dev->lock that waiters sleep on: a
 * pthread mutex held across such a sleep would deadlock against a thread
 * holding dev->lock and waiting for it.
 */
void km__context_lock_locked(struct km_file *file)
{
	struct km_device *dev = file->dev;
	while (file->context_locked)
		pthread_cond_wait(&dev->cond, &dev->lock);
	file->context_locked = true;
}

void km__context_unlock_locked(struct km_file *file)
{
	file->context_locked = false;
	pthread_cond_broadcast(&file->dev->cond);
}

/* virtio_gpu_create_context_locked: named after the task unless
 * CONTEXT_INIT gave a name.  Marked created only once queued, which is
 * why the context lock must be held across the queueing. */
void km__create_context_ctxlocked(struct km_file *file)
{
	if (file->context_created)
		return;
	const char *name = file->explicit_debug_name
				   ? file->debug_name
				   : program_invocation_short_name;
	int ret = km_cmd_context_create(file->dev, file->ctx_id,
					file->context_init, name);
	if (ret)
		SIM_ERROR(KM_LAYER, "CTX_CREATE for ctx %u could not be queued: %d",
			  file->ctx_id, ret);
	file->context_created = true;
}

/* Linux virtio_gpu_create_context: the first ioctl that needs a context
 * creates the default one, unless CONTEXT_INIT did.  Several threads may
 * make that first call at once: one creates, the others wait for it. */
void km__create_context_locked(struct km_file *file)
{
	if (file->context_created)
		return;
	km__context_lock_locked(file);
	km__create_context_ctxlocked(file);
	km__context_unlock_locked(file);
}

/*
 * virtio_gpu_gem_object_open (virtgpu_gem.c), per version: until 6.14 a
 * new handle creates the file's default context (so a CONTEXT_INIT after
 * a PRIME import is -EEXIST); since 086b9f27 (6.14) only when the device
 * has no CONTEXT_INIT, and the resource is attached to the context even
 * if it was never created, until 7cf6dd46 (6.15) attaches only to a
 * created one.
 */
static void gem_object_open_locked(struct km_file *file, struct km_bo *bo)
{
	struct km_device *dev = file->dev;

	if (!dev->has_virgl_3d)
		return;
	if (dev->kv->gem_open_creates_context || !dev->has_context_init)
		km__create_context_locked(file);
	if (file->context_created || dev->kv->gem_attach_uncreated)
		km_cmd_ctx_resource(dev, file->ctx_id, bo, true);
}

/* drm_gem_handle_create + virtio_gpu_gem_object_open: the new handle's
 * resource is attached to the file's context. */
int km__handle_create_locked(struct km_file *file, struct km_bo *bo,
			     uint32_t *handle)
{
	uint32_t h;
	for (h = 1; h < file->nhandles; h++)
		if (!file->handles[h])
			break;
	if (h >= file->nhandles) {
		uint32_t n = file->nhandles ? file->nhandles * 2 : 16;
		struct km_bo **nh = realloc(file->handles, n * sizeof(*nh));
		if (!nh)
			return -ENOMEM;
		memset(nh + file->nhandles, 0,
		       (n - file->nhandles) * sizeof(*nh));
		file->handles = nh;
		h = file->nhandles ? file->nhandles : 1;
		file->nhandles = n;
	}
	km__bo_get(bo);
	file->handles[h] = bo;
	gem_object_open_locked(file, bo);
	*handle = h;
	return 0;
}

struct km_bo *km__handle_lookup_locked(struct km_file *file, uint32_t handle)
{
	if (handle == 0 || handle >= file->nhandles)
		return NULL;
	return file->handles[handle];
}

/* GEM_CLOSE: detach from the context, drop the handle's reference. */
int km__handle_delete_locked(struct km_file *file, uint32_t handle)
{
	struct km_bo *bo = km__handle_lookup_locked(file, handle);
	if (!bo)
		return -EINVAL;	/* drm_gem_handle_delete returns -EINVAL */
	file->handles[handle] = NULL;
	/* virtio_gpu_gem_object_close: detaches from a context never
	 * created only where gem_object_open attached to one (6.14). */
	if (file->dev->has_virgl_3d &&
	    (file->context_created || file->dev->kv->gem_attach_uncreated))
		km_cmd_ctx_resource(file->dev, file->ctx_id, bo, false);
	km__bo_put_locked(file->dev, bo);
	km__notify_locked(file->dev);
	return 0;
}
