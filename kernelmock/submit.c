// SPDX-License-Identifier: MIT
/*
 * DRM_IOCTL_VIRTGPU_EXECBUFFER (Linux virtgpu_submit.c's role): the
 * argument checks, the in-fence wait, the bo list and command copy-in, the
 * out-fence sync_file and SUBMIT_3D.
 *
 * As in virtgpu_submit.c, one submission is a transient struct km_submit
 * that flat steps fill in; one cleanup releases whatever a step left, and
 * complete() first clears what has changed hands (the out-fence fd,
 * handed to the program).  Linux's reservation-lock step has no
 * counterpart: dev->lock is held across the whole ioctl (ioctl.c).
 *
 * The order of the steps is the version's (dev->kv): since 6.5
 * (e4812ab8, virtgpu_submit.c) the bo lookup, the command copy and the
 * out-fence come before the in-fence wait, and fence_fd is written only
 * on success with FENCE_FD_OUT; before, virtio_gpu_execbuffer_ioctl set
 * fence_fd to -1 once the flags and ring were checked (so a failure
 * returns -1 in it; 8f20660f in 6.2 stopped that) and waited for the
 * in-fence first.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernelmock/km_internal.h"

struct km_submit {
	struct drm_virtgpu_execbuffer *exbuf;
	struct km_file *file;
	struct km_device *dev;
	uint64_t timeline;	/* 0 = device-global, else the ring's */
	uint32_t ring_idx;
	int in_fence_fd;
	uint32_t *handles;	/* copied from the program */
	struct km_bo **bos;	/* looked up; the file's handles own them */
	uint32_t nbo;
	void *cmds;		/* copied from the program */
	struct km_fence *fence;	/* ours until put in cleanup */
	int out_fd;		/* sync_file fd, -1; the program's once complete */
	struct km_submit_syncobjs syncobjs;	/* submit_syncobj.c */
};

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

/* virtio_gpu_init_submit and the checks before it; nothing to clean up
 * when it fails. */
static int submit_init(struct km_submit *submit, struct km_file *file,
		       struct drm_virtgpu_execbuffer *exbuf)
{
	struct km_device *dev = file->dev;

	*submit = (struct km_submit){
		.exbuf = exbuf, .file = file, .dev = dev,
		.nbo = exbuf->num_bo_handles, .out_fd = -1,
	};
	if (!dev->has_virgl_3d)
		return -ENOSYS;
	if (exbuf->flags & ~VIRTGPU_EXECBUF_FLAGS)
		return -EINVAL;
	submit->in_fence_fd = exbuf->fence_fd;
	if (exbuf->flags & VIRTGPU_EXECBUF_RING_IDX) {
		/* virtgpu_submit.c: the ring must exist in this context. */
		if (exbuf->ring_idx >= file->num_rings || !file->base_fence_ctx)
			return -EINVAL;
		submit->timeline = file->base_fence_ctx + exbuf->ring_idx;
		submit->ring_idx = exbuf->ring_idx;
	}
	if (!dev->kv->submit_order_v65)
		exbuf->fence_fd = -1;
	return 0;
}

static int submit_wait_in_fence(struct km_submit *submit)
{
	if (!(submit->exbuf->flags & VIRTGPU_EXECBUF_FENCE_FD_IN))
		return 0;
	return wait_in_fence_locked(submit->dev, submit->in_fence_fd,
				    submit->timeline);
}

/* Before 6.5 the in-fence is waited for first ... */
static int submit_wait_in_fence_v61(struct km_submit *submit)
{
	if (submit->dev->kv->submit_order_v65)
		return 0;
	return submit_wait_in_fence(submit);
}

/* ... since, virtio_gpu_wait_in_fence comes after virtio_gpu_init_submit
 * (and, 6.6, after the syncobj steps). */
static int submit_wait_in_fence_v65(struct km_submit *submit)
{
	if (!submit->dev->kv->submit_order_v65)
		return 0;
	return submit_wait_in_fence(submit);
}

/* virtio_gpu_init_submit_buflist: handles copied in, then looked up. */
static int submit_parse_bos(struct km_submit *submit)
{
	uint32_t nbo = submit->nbo;

	/* kvmalloc_array and vmemdup_user refuse more than INT_MAX bytes
	 * (-ENOMEM) before touching user memory; without this a hostile
	 * size made us allocate up to 32 GiB (found by fuzzing). */
	if ((uint64_t)nbo * sizeof(struct km_bo *) > INT_MAX ||
	    submit->exbuf->size > INT_MAX)
		return -ENOMEM;
	if (!nbo)
		return 0;
	submit->handles = calloc(nbo, sizeof(*submit->handles));
	submit->bos = calloc(nbo, sizeof(*submit->bos));
	if (!submit->handles || !submit->bos)
		return -ENOMEM;
	int ret = km__copy_from_user(submit->handles, submit->exbuf->bo_handles,
				     (size_t)nbo * sizeof(*submit->handles));
	if (ret)
		return ret;
	for (uint32_t i = 0; i < nbo; i++) {
		submit->bos[i] = km__handle_lookup_locked(submit->file,
							  submit->handles[i]);
		if (!submit->bos[i])
			return -ENOENT;
	}
	return 0;
}

/* vmemdup_user of the command stream. */
static int submit_copy_cmds(struct km_submit *submit)
{
	uint32_t size = submit->exbuf->size;

	submit->cmds = malloc(size ? size : 1);
	if (!submit->cmds)
		return -ENOMEM;
	return km__copy_from_user(submit->cmds, submit->exbuf->command, size);
}

/* The out fence, its DRM event and its sync_file fd (not yet the
 * program's: cleanup closes it unless complete() handed it over). */
static int submit_create_fence(struct km_submit *submit)
{
	struct drm_virtgpu_execbuffer *exbuf = submit->exbuf;
	/* Before 6.6 (70d1ace5) ring_idx 0 had its event without RING_IDX
	 * too, its fence on the global timeline. */
	bool ring = (exbuf->flags & VIRTGPU_EXECBUF_RING_IDX) ||
		    !submit->dev->kv->ring_event_needs_flag;

	submit->fence = km__fence_alloc(submit->timeline, submit->ring_idx,
					submit->timeline != 0);
	if (!submit->fence)
		return -ENOMEM;
	/* A ring in POLL_RINGS_MASK reports its fences as DRM events. */
	if (ring && (submit->file->ring_idx_mask & (1ull << submit->ring_idx)))
		submit->fence->event_file = submit->file;
	if (!(exbuf->flags & VIRTGPU_EXECBUF_FENCE_FD_OUT))
		return 0;
	int fd = km__sync_file_create_locked(submit->dev, &submit->fence, 1,
					     "virtgpu");
	if (fd < 0)
		return fd;
	submit->out_fd = fd;
	return 0;
}

static int submit_queue(struct km_submit *submit)
{
	return km_cmd_submit_3d(submit->dev, submit->file->ctx_id,
				submit->cmds, submit->exbuf->size,
				submit->fence, submit->bos, submit->nbo);
}

/* Queued: the objects carry the fence, the program gets the fd. */
static void submit_complete(struct km_submit *submit)
{
	for (uint32_t i = 0; i < submit->nbo; i++)
		km__bo_set_fence_locked(submit->bos[i], submit->fence);
	/* virtio_gpu_install_out_fence_fd: only a FENCE_FD_OUT call has a
	 * fd to write (in 6.1, fence_fd already holds -1 otherwise). */
	if (submit->out_fd >= 0)
		submit->exbuf->fence_fd = submit->out_fd;
	submit->out_fd = -1;	/* the program's now */
	km__submit_process_post_deps(submit->dev, &submit->syncobjs,
				     submit->fence);
	/* The submitter may wait for this fence next, on this CPU. */
	km__note_guest_submit(submit->dev);
	km__notify_locked(submit->dev);
}

static void submit_cleanup(struct km_submit *submit)
{
	km__submit_syncobjs_cleanup(submit->dev, &submit->syncobjs);
	if (submit->out_fd >= 0)
		close(submit->out_fd);
	km__fence_put(submit->fence);
	free(submit->cmds);
	free(submit->bos);
	free(submit->handles);
}

int km__execbuffer_ioctl(struct km_file *file, void *data)
{
	struct km_submit submit;
	int ret = submit_init(&submit, file, data);
	if (ret)
		return ret;
	km__create_context_locked(file);
	ret = submit_wait_in_fence_v61(&submit);
	if (ret)
		goto cleanup;
	ret = submit_parse_bos(&submit);
	if (ret)
		goto cleanup;
	ret = submit_copy_cmds(&submit);
	if (ret)
		goto cleanup;
	ret = submit_create_fence(&submit);
	if (ret)
		goto cleanup;
	ret = km__submit_parse_post_deps(file, data, &submit.syncobjs);
	if (ret)
		goto cleanup;
	ret = km__submit_parse_deps(file, data, submit.timeline,
				    &submit.syncobjs);
	if (ret)
		goto cleanup;
	ret = submit_wait_in_fence_v65(&submit);
	if (ret)
		goto cleanup;
	ret = submit_queue(&submit);
	if (ret)
		goto cleanup;
	submit_complete(&submit);
cleanup:
	submit_cleanup(&submit);
	return ret;
}
