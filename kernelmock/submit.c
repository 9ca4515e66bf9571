// SPDX-License-Identifier: MIT
/*
 * DRM_IOCTL_VIRTGPU_EXECBUFFER (Linux virtgpu_submit.c's role): the
 * argument checks, the in-fence wait, the bo list and command copy-in, the
 * out-fence sync_file and SUBMIT_3D.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernelmock/km_internal.h"

/*
 * VIRTGPU_EXECBUF_FENCE_FD_IN: wait for the sync_file's fences, except
 * those on the submit's own timeline, which the device orders anyway
 * (virtio_gpu_do_fence_wait).  Like dma_fence_wait, no time limit.
 */
static int wait_in_fence_locked(struct km_device *dev, int fd,
				uint64_t timeline)
{
	struct km_sync_file *sf = km__sync_file_lookup_locked(dev, fd);
	if (!sf)
		return -EINVAL;	/* sync_file_get_fence: not a sync_file */
	for (unsigned i = 0; i < sf->nfences; i++) {
		struct km_fence *f = sf->fences[i];
		if (f->timeline == timeline)
			continue;
		km__fence_get(f);
		while (!f->signaled)
			pthread_cond_wait(&dev->cond, &dev->lock);
		km__fence_put(f);
	}
	return 0;
}

int km__execbuffer_ioctl(struct km_file *file, void *data)
{
	struct drm_virtgpu_execbuffer *exbuf = data;
	struct km_device *dev = file->dev;
	uint64_t timeline = 0;
	uint32_t ring_idx = 0;
	int ret;

	if (!dev->has_virgl_3d)
		return -ENOSYS;
	if (exbuf->flags & ~VIRTGPU_EXECBUF_FLAGS)
		return -EINVAL;
	int in_fence_fd = exbuf->fence_fd;
	exbuf->fence_fd = -1;
	if (exbuf->flags & VIRTGPU_EXECBUF_RING_IDX) {
		/* virtgpu_submit.c: the ring must exist in this context. */
		if (exbuf->ring_idx >= file->num_rings || !file->base_fence_ctx)
			return -EINVAL;
		timeline = file->base_fence_ctx + exbuf->ring_idx;
		ring_idx = exbuf->ring_idx;
	}
	km__create_context_locked(file);

	if (exbuf->flags & VIRTGPU_EXECBUF_FENCE_FD_IN) {
		ret = wait_in_fence_locked(dev, in_fence_fd, timeline);
		if (ret)
			return ret;
	}

	uint32_t *handles = NULL;
	struct km_bo **bos = NULL;
	void *cmds = NULL;
	struct km_fence *fence = NULL;
	int out_fd = -1;
	uint32_t nbo = exbuf->num_bo_handles;

	/* kvmalloc_array and vmemdup_user refuse more than INT_MAX bytes
	 * (-ENOMEM) before touching user memory; without this a hostile
	 * size made us allocate up to 32 GiB (found by fuzzing). */
	if ((uint64_t)nbo * sizeof(struct km_bo *) > INT_MAX ||
	    exbuf->size > INT_MAX)
		return -ENOMEM;
	if (nbo) {
		handles = calloc(nbo, sizeof(*handles));
		bos = calloc(nbo, sizeof(*bos));
		if (!handles || !bos) {
			ret = -ENOMEM;
			goto out;
		}
		ret = km__copy_from_user(handles, exbuf->bo_handles,
					 (size_t)nbo * sizeof(*handles));
		if (ret)
			goto out;
		for (uint32_t i = 0; i < nbo; i++) {
			bos[i] = km__handle_lookup_locked(file, handles[i]);
			if (!bos[i]) {
				ret = -ENOENT;
				goto out;
			}
		}
	}
	cmds = malloc(exbuf->size ? exbuf->size : 1);
	if (!cmds) {
		ret = -ENOMEM;
		goto out;
	}
	ret = km__copy_from_user(cmds, exbuf->command, exbuf->size);
	if (ret)
		goto out;
	fence = km__fence_alloc(timeline, ring_idx, timeline != 0);
	if (!fence) {
		ret = -ENOMEM;
		goto out;
	}
	/* A ring in POLL_RINGS_MASK reports its fences as DRM events. */
	if ((exbuf->flags & VIRTGPU_EXECBUF_RING_IDX) &&
	    (file->ring_idx_mask & (1ull << ring_idx)))
		fence->event_file = file;
	if (exbuf->flags & VIRTGPU_EXECBUF_FENCE_FD_OUT) {
		out_fd = km__sync_file_create_locked(dev, &fence, 1, "virtgpu");
		if (out_fd < 0) {
			ret = out_fd;
			goto out;
		}
	}
	ret = km_cmd_submit_3d(dev, file->ctx_id, cmds, exbuf->size, fence,
			       bos, nbo);
	if (ret) {
		if (out_fd >= 0)
			close(out_fd);
		goto out;
	}
	for (uint32_t i = 0; i < nbo; i++)
		km__bo_set_fence_locked(bos[i], fence);
	exbuf->fence_fd = out_fd;
	km__notify_locked(dev);
out:
	km__fence_put(fence);
	free(cmds);
	free(bos);
	free(handles);
	return ret;
}
