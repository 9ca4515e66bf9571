// SPDX-License-Identifier: MIT
/*
 * The DRM_IOCTL_SYNCOBJ_* handlers, with the argument checks, their order
 * and the errno values of drivers/gpu/drm/drm_syncobj.c as of Linux 6.12
 * (docs/kernel-versions.md, section "DRM syncobjs", has the table and what
 * other versions do differently).  Each refuses with -EOPNOTSUPP first
 * when the driver lacks DRIVER_SYNCOBJ (or DRIVER_SYNCOBJ_TIMELINE, which
 * virtio-gpu has with it since 6.6, 7cb8d1ab8cbd): dev->has_syncobj.
 * drm.c's table dispatches here with dev->lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernelmock/km_internal.h"

/*
 * kmalloc_array / kcalloc fail (-ENOMEM) above KMALLOC_MAX_SIZE, 4 MiB on
 * x86-64 (MAX_ORDER 10); the wait entries (struct syncobj_wait_entry) are
 * 64 bytes there, so a wait on more than 65536 syncobjs fails so too.
 */
#define KM_KMALLOC_MAX (4u << 20)
#define KM_WAIT_ENTRY_SIZE 64u

static bool kmalloc_ok(uint64_t n, uint64_t size)
{
	return n * size <= KM_KMALLOC_MAX;
}

/* drm_syncobj_array_find: copy the handles, take a reference on each. */
static int array_find(struct km_file *file, uint64_t uhandles, uint32_t count,
		      struct km_syncobj ***out)
{
	uint32_t *handles;
	struct km_syncobj **so;
	int ret;

	if (!kmalloc_ok(count, sizeof(*handles)))
		return -ENOMEM;
	handles = malloc((size_t)count * sizeof(*handles));
	if (!handles)
		return -ENOMEM;
	ret = km__copy_from_user(handles, uhandles, count * sizeof(*handles));
	if (ret)
		goto out;
	so = kmalloc_ok(count, sizeof(*so)) ? calloc(count, sizeof(*so))
					    : NULL;
	if (!so) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < count; i++) {
		so[i] = km__syncobj_find_locked(file, handles[i]);
		if (!so[i]) {
			while (i-- > 0)
				km__syncobj_put_locked(file->dev, so[i]);
			free(so);
			ret = -ENOENT;
			goto out;
		}
	}
	*out = so;
out:
	free(handles);
	return ret;
}

static void array_free(struct km_device *dev, struct km_syncobj **so,
		       uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		km__syncobj_put_locked(dev, so[i]);
	free(so);
}

/* The u64 points array; a NULL pointer means all zero. */
static int copy_points(uint64_t upoints, uint32_t count, uint64_t **out)
{
	uint64_t *p;

	if (!kmalloc_ok(count, sizeof(*p)))
		return -ENOMEM;
	p = calloc(count ? count : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (upoints && km__copy_from_user(p, upoints, count * sizeof(*p))) {
		free(p);
		return -EFAULT;
	}
	*out = p;
	return 0;
}

int km__syncobj_create_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_create *args = data;
	struct km_syncobj *so;
	int ret;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->flags & ~DRM_SYNCOBJ_CREATE_SIGNALED)
		return -EINVAL;
	ret = km__syncobj_create_locked(file->dev,
					args->flags & DRM_SYNCOBJ_CREATE_SIGNALED,
					&so);
	if (ret)
		return ret;
	ret = km__syncobj_handle_create_locked(file, so, &args->handle);
	km__syncobj_put_locked(file->dev, so);
	return ret;
}

int km__syncobj_destroy_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_destroy *args = data;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->pad)
		return -EINVAL;
	return km__syncobj_handle_delete_locked(file, args->handle);
}

struct collect {
	struct km_fence **f;
	unsigned n, cap;
	bool unsignaled_only;
	int err;
};

static void collect_fn(struct km_fence *f, void *data)
{
	struct collect *c = data;

	if ((c->unsignaled_only && f->signaled) || c->err)
		return;
	for (unsigned i = 0; i < c->n; i++)
		if (c->f[i] == f)
			return;
	if (c->n == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 4;
		struct km_fence **nf = realloc(c->f, cap * sizeof(*nf));
		if (!nf) {
			c->err = -ENOMEM;
			return;
		}
		c->f = nf;
		c->cap = cap;
	}
	c->f[c->n++] = f;
}

/*
 * dma_fence_unwrap_merge's view of @c: the fences still pending along the
 * chain, or, when all have signalled, the newest link's own (so that a
 * sync_file or point made from it has a fence, as the stub the kernel
 * uses then).  Not referenced; free c->f.
 */
static int unwrap(struct km_chain *c, struct collect *out)
{
	*out = (struct collect){ .unsignaled_only = true };
	km__chain_for_each_fence(c, collect_fn, out);
	if (!out->err && out->n == 0) {
		out->unsignaled_only = false;
		for (unsigned i = 0; i < c->nfences; i++)
			collect_fn(c->fences[i], out);
	}
	if (out->err)
		free(out->f);
	return out->err;
}

/* drm_syncobj_export_sync_file: the syncobj's fence now, in a sync_file
 * that later resets or signals of the syncobj do not change. */
static int export_sync_file(struct km_file *file, uint32_t handle, int *fd)
{
	struct km_chain *c;
	struct collect all;
	int ret = km__syncobj_find_fence_locked(file, handle, 0, 0, &c);

	if (ret)
		return ret;
	ret = unwrap(c, &all);
	km__chain_put(c);
	if (ret)
		return ret;
	ret = km__sync_file_create_locked(file->dev, all.f, all.n, "virtgpu");
	free(all.f);
	if (ret < 0)
		return -EINVAL;	/* sync_file_create failed */
	*fd = ret;
	return 0;
}

int km__syncobj_handle_to_fd_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_handle *args = data;
	struct km_syncobj *so;
	int fd;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->pad)
		return -EINVAL;
	if (args->flags != 0 &&
	    args->flags != DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
		return -EINVAL;
	if (args->flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
		return export_sync_file(file, args->handle, &args->fd);
	so = km__syncobj_find_locked(file, args->handle);
	if (!so)
		return -EINVAL;	/* drm_syncobj_handle_to_fd */
	fd = km__syncobj_fd_create_locked(file->dev, so);
	km__syncobj_put_locked(file->dev, so);
	if (fd < 0)
		return fd;
	args->fd = fd;
	return 0;
}

/* drm_syncobj_import_sync_file_fence: the sync_file's fence replaces the
 * syncobj's. */
static int import_sync_file(struct km_file *file, int fd, uint32_t handle)
{
	struct km_device *dev = file->dev;
	struct km_sync_file *sf = km__sync_file_lookup_locked(dev, fd);
	struct km_syncobj *so;
	struct km_chain *c;

	if (!sf)
		return -EINVAL;	/* sync_file_get_fence */
	so = km__syncobj_find_locked(file, handle);
	if (!so)
		return -ENOENT;
	c = km__chain_alloc();
	if (!c || km__chain_set_fences(c, sf->fences, sf->nfences)) {
		km__chain_put(c);
		km__syncobj_put_locked(dev, so);
		return -ENOMEM;
	}
	c->context = ++dev->next_chain_ctx;
	km__syncobj_replace_chain_locked(dev, so, c);
	km__chain_put(c);
	km__syncobj_put_locked(dev, so);
	return 0;
}

int km__syncobj_fd_to_handle_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_handle *args = data;
	struct km_syncobj *so;
	int ret;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->pad)
		return -EINVAL;
	if (args->flags != 0 &&
	    args->flags != DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE)
		return -EINVAL;
	if (args->flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE)
		return import_sync_file(file, args->fd, args->handle);
	/* drm_syncobj_fd_to_handle: not a syncobj file -> -EINVAL; every
	 * import makes a new handle (no de-duplication, unlike PRIME). */
	so = km__syncobj_fd_lookup_locked(file->dev, args->fd);
	if (!so)
		return -EINVAL;
	ret = km__syncobj_handle_create_locked(file, so, &args->handle);
	km__syncobj_put_locked(file->dev, so);
	return ret;
}

/* drm_syncobj_wait_ioctl / drm_syncobj_timeline_wait_ioctl after their
 * own checks: lookup, points, entries, then the wait. */
static int array_wait(struct km_file *file, uint64_t uhandles,
		      uint64_t upoints, bool timeline, uint32_t count,
		      uint32_t flags, int64_t timeout_nsec, uint32_t *first)
{
	struct km_syncobj **so;
	uint64_t *points = NULL;
	uint32_t idx = ~0u;
	int ret = array_find(file, uhandles, count, &so);

	if (ret)
		return ret;
	ret = copy_points(timeline ? upoints : 0, count, &points);
	if (!ret && !kmalloc_ok(count, KM_WAIT_ENTRY_SIZE))
		ret = -ENOMEM;
	if (!ret)
		ret = km__syncobj_array_wait_locked(file->dev, so, points,
						    count, flags, timeout_nsec,
						    &idx);
	if (!ret)
		*first = idx;
	free(points);
	array_free(file->dev, so, count);
	return ret;
}

/* Since 6.7 (the deadline patch) a wait on no syncobj succeeds, so that
 * userspace can probe for WAIT_DEADLINE; 6.6 answered -EINVAL. */
int km__syncobj_wait_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_wait *args = data;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->flags & ~(DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE))
		return -EINVAL;
	if (args->count_handles == 0)
		return 0;
	return array_wait(file, args->handles, 0, false, args->count_handles,
			  args->flags, args->timeout_nsec,
			  &args->first_signaled);
}

int km__syncobj_timeline_wait_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_timeline_wait *args = data;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->flags & ~(DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
			    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE |
			    DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE))
		return -EINVAL;
	if (args->count_handles == 0)
		return 0;
	return array_wait(file, args->handles, args->points, true,
			  args->count_handles, args->flags, args->timeout_nsec,
			  &args->first_signaled);
}

/* RESET and SIGNAL: drm_syncobj_reset_ioctl / drm_syncobj_signal_ioctl. */
static int reset_or_signal(struct km_file *file, void *data, bool signal)
{
	struct drm_syncobj_array *args = data;
	struct km_syncobj **so;
	int ret;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->pad != 0 || args->count_handles == 0)
		return -EINVAL;
	ret = array_find(file, args->handles, args->count_handles, &so);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < args->count_handles && !ret; i++) {
		if (signal)
			ret = km__syncobj_signal_locked(file->dev, so[i]);
		else
			km__syncobj_replace_fence_locked(file->dev, so[i],
							 NULL);
	}
	array_free(file->dev, so, args->count_handles);
	return ret;
}

int km__syncobj_reset_ioctl(struct km_file *file, void *data)
{
	return reset_or_signal(file, data, false);
}

int km__syncobj_signal_ioctl(struct km_file *file, void *data)
{
	return reset_or_signal(file, data, true);
}

/* --- timelines (DRIVER_SYNCOBJ_TIMELINE) --- */

int km__syncobj_timeline_signal_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_timeline_array *args = data;
	struct km_device *dev = file->dev;
	struct km_syncobj **so;
	struct km_chain **links = NULL;
	uint64_t *points = NULL;
	uint32_t n = args->count_handles, i;
	int ret;

	if (!dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->flags != 0 || n == 0)
		return -EINVAL;
	ret = array_find(file, args->handles, n, &so);
	if (ret)
		return ret;
	ret = copy_points(args->points, n, &points);
	if (ret)
		goto out;
	/* Every link (a stub fence in it) first, so that nothing is
	 * signalled unless all can be. */
	links = kmalloc_ok(n, sizeof(*links)) ? calloc(n, sizeof(*links))
					      : NULL;
	for (i = 0; links && i < n; i++)
		if (!(links[i] = km__chain_stub_locked(dev)))
			break;
	if (!links || i < n) {
		while (links && i-- > 0)
			km__chain_put(links[i]);
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		km__syncobj_add_chain_locked(dev, so[i], links[i], points[i]);
out:
	free(links);
	free(points);
	array_free(dev, so, n);
	return ret;
}

/*
 * What QUERY reports for one syncobj (drm_syncobj_query_ioctl): 0 without
 * a timeline; with LAST_SUBMITTED the newest point; else the point up to
 * which everything has signalled: walking the newest context's links
 * (those whose own fences still wait, dma_fence_chain_walk dropping the
 * rest), the oldest one's point if it has signalled, else the point
 * before it.
 */
static uint64_t query_point(struct km_syncobj *so, bool last_submitted)
{
	struct km_chain *head = so->fence, *last, *it;

	if (!head || !head->is_chain)
		return 0;
	if (last_submitted)
		return head->seqno;
	last = head;
	for (it = head; it; it = it->is_chain ? km__chain_walk(it) : NULL) {
		if (it->context != head->context || !it->is_chain)
			break;
		last = it;
	}
	return km__chain_signaled(last) ? last->seqno : last->prev_seqno;
}

int km__syncobj_query_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_timeline_array *args = data;
	struct km_syncobj **so;
	int ret;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->flags & ~DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED)
		return -EINVAL;
	if (args->count_handles == 0)
		return -EINVAL;
	ret = array_find(file, args->handles, args->count_handles, &so);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < args->count_handles && !ret; i++) {
		uint64_t point = query_point(so[i], args->flags &
				     DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED);
		/* Written one by one: a fault leaves the earlier ones. */
		ret = km__copy_to_user(args->points + i * sizeof(point),
				       &point, sizeof(point));
	}
	array_free(file->dev, so, args->count_handles);
	return ret;
}

/* drm_syncobj_transfer_to_timeline: the source point's fences, merged
 * (dma_fence_unwrap_merge), become point dst_point of the destination. */
static int transfer_to_timeline(struct km_file *file,
				struct drm_syncobj_transfer *args)
{
	struct km_device *dev = file->dev;
	struct km_syncobj *dst = km__syncobj_find_locked(file, args->dst_handle);
	struct km_chain *src, *link;
	struct collect merged;
	int ret;

	if (!dst)
		return -ENOENT;
	ret = km__syncobj_find_fence_locked(file, args->src_handle,
					    args->src_point, args->flags, &src);
	if (ret)
		goto out;
	ret = unwrap(src, &merged);
	km__chain_put(src);
	if (ret)
		goto out;
	link = km__chain_alloc();
	if (!link || km__chain_set_fences(link, merged.f, merged.n)) {
		km__chain_put(link);
		ret = -ENOMEM;
	} else {
		km__syncobj_add_chain_locked(dev, dst, link, args->dst_point);
	}
	free(merged.f);
out:
	km__syncobj_put_locked(dev, dst);
	return ret;
}

/* drm_syncobj_transfer_to_binary: the source point's fence (a chain link
 * stays one) replaces the destination's. */
static int transfer_to_binary(struct km_file *file,
			      struct drm_syncobj_transfer *args)
{
	struct km_device *dev = file->dev;
	struct km_syncobj *dst = km__syncobj_find_locked(file, args->dst_handle);
	struct km_chain *src;
	int ret;

	if (!dst)
		return -ENOENT;
	ret = km__syncobj_find_fence_locked(file, args->src_handle,
					    args->src_point, args->flags, &src);
	if (!ret) {
		km__syncobj_replace_chain_locked(dev, dst, src);
		km__chain_put(src);
	}
	km__syncobj_put_locked(dev, dst);
	return ret;
}

/* flags are not checked: only WAIT_FOR_SUBMIT means anything (to
 * drm_syncobj_find_fence). */
int km__syncobj_transfer_ioctl(struct km_file *file, void *data)
{
	struct drm_syncobj_transfer *args = data;

	if (!file->dev->has_syncobj)
		return -EOPNOTSUPP;
	if (args->pad)
		return -EINVAL;
	if (args->dst_point)
		return transfer_to_timeline(file, args);
	return transfer_to_binary(file, args);
}
