// SPDX-License-Identifier: MIT
/*
 * The generic DRM ioctls a virtio-gpu userspace driver uses, with the
 * semantics of drivers/gpu/drm/drm_ioctl.c, drm_gem.c and drm_prime.c:
 * VERSION, GET_CAP, GEM_CLOSE, GEM_FLINK, GEM_OPEN, PRIME_HANDLE_TO_FD and
 * PRIME_FD_TO_HANDLE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"

/* virtio_gpu's struct drm_driver: DRIVER_MAJOR 0, DRIVER_MINOR 1 (fence
 * fds supported, which Mesa checks before using them). */
#define KM_DRIVER_NAME "virtio_gpu"
#define KM_DRIVER_DESC "virtio GPU"
#define KM_DRIVER_DATE "0"

/* drm_copy_field: copy what fits, report the full length. */
static int copy_field(uint64_t ubuf, size_t *ulen, const char *value)
{
	size_t len = strlen(value);
	size_t n = len < *ulen ? len : *ulen;
	*ulen = len;
	if (n && ubuf)
		return km__copy_to_user(ubuf, value, n);
	return 0;
}

static int version_ioctl(struct km_file *file, void *data)
{
	struct drm_version *v = data;
	v->version_major = 0;
	v->version_minor = 1;
	v->version_patchlevel = 0;
	int ret = copy_field((uintptr_t)v->name, &v->name_len, KM_DRIVER_NAME);
	if (!ret)
		ret = copy_field((uintptr_t)v->date, &v->date_len, KM_DRIVER_DATE);
	if (!ret)
		ret = copy_field((uintptr_t)v->desc, &v->desc_len, KM_DRIVER_DESC);
	return ret;
}

/* drm_getcap: a few caps for every driver, the rest only for KMS ones
 * (virtio-gpu is one). */
static int get_cap_ioctl(struct km_file *file, void *data)
{
	struct drm_get_cap *req = data;
	req->value = 0;
	switch (req->capability) {
	case DRM_CAP_TIMESTAMP_MONOTONIC: req->value = 1; return 0;
	case DRM_CAP_PRIME:
		req->value = DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT;
		return 0;
	/* No DRIVER_SYNCOBJ: the version we report predates it. */
	case DRM_CAP_SYNCOBJ: return 0;
	case DRM_CAP_SYNCOBJ_TIMELINE: return 0;
	case DRM_CAP_DUMB_BUFFER: req->value = 1; return 0;
	case DRM_CAP_VBLANK_HIGH_CRTC: req->value = 1; return 0;
	case DRM_CAP_DUMB_PREFERRED_DEPTH: req->value = 32; return 0;
	case DRM_CAP_DUMB_PREFER_SHADOW: return 0;
	case DRM_CAP_ASYNC_PAGE_FLIP: return 0;
	case DRM_CAP_PAGE_FLIP_TARGET: return 0;
	case DRM_CAP_CURSOR_WIDTH: req->value = 64; return 0;
	case DRM_CAP_CURSOR_HEIGHT: req->value = 64; return 0;
	case DRM_CAP_ADDFB2_MODIFIERS: return 0;
	case DRM_CAP_CRTC_IN_VBLANK_EVENT: req->value = 1; return 0;
	default: return -EINVAL;
	}
}

static int gem_close_ioctl(struct km_file *file, void *data)
{
	struct drm_gem_close *args = data;
	return km__handle_delete_locked(file, args->handle);
}

static int gem_flink_ioctl(struct km_file *file, void *data)
{
	struct drm_gem_flink *args = data;
	struct km_device *dev = file->dev;
	struct km_bo *bo = km__handle_lookup_locked(file, args->handle);
	if (!bo)
		return -ENOENT;
	if (!bo->flink_name) {
		uint32_t name;
		for (name = 1; name < dev->nflink && dev->flink[name]; name++)
			;
		if (name >= dev->nflink) {
			uint32_t n = dev->nflink ? dev->nflink * 2 : 16;
			struct km_bo **nf = realloc(dev->flink, n * sizeof(*nf));
			if (!nf)
				return -ENOMEM;
			memset(nf + dev->nflink, 0,
			       (n - dev->nflink) * sizeof(*nf));
			name = dev->nflink ? dev->nflink : 1;
			dev->flink = nf;
			dev->nflink = n;
		}
		dev->flink[name] = bo;	/* names do not hold a reference */
		bo->flink_name = name;
	}
	args->name = bo->flink_name;
	return 0;
}

void km__flink_remove_locked(struct km_device *dev, struct km_bo *bo)
{
	if (bo->flink_name && bo->flink_name < dev->nflink)
		dev->flink[bo->flink_name] = NULL;
	bo->flink_name = 0;
}

static int gem_open_ioctl(struct km_file *file, void *data)
{
	struct drm_gem_open *args = data;
	struct km_device *dev = file->dev;
	if (args->name == 0 || args->name >= dev->nflink || !dev->flink[args->name])
		return -ENOENT;
	struct km_bo *bo = dev->flink[args->name];
	uint32_t handle;
	int ret = km__handle_create_locked(file, bo, &handle);
	if (ret)
		return ret;
	km__notify_locked(dev);
	args->handle = handle;
	args->size = bo->size;
	return 0;
}

static bool reader_gone(int wfd)
{
	struct pollfd p = { .fd = wfd, .events = 0 };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

void km__prime_collect_locked(struct km_device *dev, bool all)
{
	struct km_bo **link = &dev->exported;
	while (*link) {
		struct km_bo *bo = *link;
		if (!all && !reader_gone(bo->dmabuf_wfd)) {
			link = &bo->next_exported;
			continue;
		}
		*link = bo->next_exported;
		close(bo->dmabuf_wfd);
		bo->dmabuf_wfd = -1;
		bo->next_exported = NULL;
		km__bo_put_locked(dev, bo);	/* the dma-buf's reference */
	}
}

static int prime_handle_to_fd_ioctl(struct km_file *file, void *data)
{
	struct drm_prime_handle *args = data;
	struct km_device *dev = file->dev;
	if (args->flags & ~(DRM_CLOEXEC | DRM_RDWR))
		return -EINVAL;
	struct km_bo *bo = km__handle_lookup_locked(file, args->handle);
	if (!bo)
		return -ENOENT;
	km__prime_collect_locked(dev, false);
	int p[2];
	if (bo->dmabuf_wfd < 0) {
		if (pipe2(p, O_CLOEXEC))
			return -errno;
		struct stat st;
		fstat(p[0], &st);
		bo->dmabuf_wfd = p[1];
		bo->dmabuf_ino = st.st_ino;
		km__bo_get(bo);
		bo->next_exported = dev->exported;
		dev->exported = bo;
	} else {
		/* Reopen the read end of our pipe through /proc: the same pipe,
		 * so the same dma-buf identity. */
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", bo->dmabuf_wfd);
		p[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (p[0] < 0)
			return -errno;
	}
	if (!(args->flags & DRM_CLOEXEC))
		fcntl(p[0], F_SETFD, 0);
	args->fd = p[0];
	return 0;
}

static int prime_fd_to_handle_ioctl(struct km_file *file, void *data)
{
	struct drm_prime_handle *args = data;
	struct km_device *dev = file->dev;
	struct stat st;
	if (args->fd < 0 || fstat(args->fd, &st))
		return -EBADF;
	struct km_bo *bo;
	for (bo = dev->exported; bo; bo = bo->next_exported)
		if (S_ISFIFO(st.st_mode) && bo->dmabuf_ino == st.st_ino)
			break;
	if (!bo)
		return -EINVAL;	/* dma_buf_get: not a dma-buf */
	/* drm_prime_lookup_buf_handle: one handle per object per file. */
	for (uint32_t h = 1; h < file->nhandles; h++)
		if (file->handles[h] == bo) {
			args->handle = h;
			return 0;
		}
	uint32_t handle;
	int ret = km__handle_create_locked(file, bo, &handle);
	if (ret)
		return ret;
	km__notify_locked(dev);
	args->handle = handle;
	return 0;
}

typedef int (*km_drm_fn)(struct km_file *file, void *data);

static const struct {
	km_drm_fn fn;
	size_t size;
	bool render_allow;	/* DRM_RENDER_ALLOW */
	const char *name;
} drm_ioctls[] = {
#define IOCTL(ioc, fn, type, render) \
	[_IOC_NR(ioc)] = { fn, sizeof(type), render, #ioc }
	IOCTL(DRM_IOCTL_VERSION, version_ioctl, struct drm_version, true),
	IOCTL(DRM_IOCTL_GET_CAP, get_cap_ioctl, struct drm_get_cap, true),
	IOCTL(DRM_IOCTL_GEM_CLOSE, gem_close_ioctl, struct drm_gem_close, true),
	IOCTL(DRM_IOCTL_GEM_FLINK, gem_flink_ioctl, struct drm_gem_flink, false),
	IOCTL(DRM_IOCTL_GEM_OPEN, gem_open_ioctl, struct drm_gem_open, false),
	IOCTL(DRM_IOCTL_PRIME_HANDLE_TO_FD, prime_handle_to_fd_ioctl,
	      struct drm_prime_handle, true),
	IOCTL(DRM_IOCTL_PRIME_FD_TO_HANDLE, prime_fd_to_handle_ioctl,
	      struct drm_prime_handle, true),
#undef IOCTL
};

/* "DRM_IOCTL_VERSION" for a core ioctl's _IOC_NR, or NULL (traces). */
const char *km__drm_ioctl_name(unsigned nr)
{
	return nr < sizeof(drm_ioctls) / sizeof(drm_ioctls[0])
	       ? drm_ioctls[nr].name : NULL;
}

int km__ioctl_drm(struct km_file *file, unsigned nr, void *arg, size_t usize)
{
	if (nr >= sizeof(drm_ioctls) / sizeof(drm_ioctls[0]) ||
	    !drm_ioctls[nr].fn) {
		SIM_DEBUG(SIM_DEBUG_IOCTL, KM_LAYER, "core DRM ioctl 0x%02x is "
			  "not supported (-EINVAL)", nr);
		return -EINVAL;
	}
	/* drm_ioctl_permit: render nodes get only DRM_RENDER_ALLOW ioctls. */
	if (!file->primary && !drm_ioctls[nr].render_allow)
		return -EACCES;
	size_t ksize = drm_ioctls[nr].size;
	uint8_t kdata[128] = { 0 };
	size_t in = usize < ksize ? usize : ksize;
	int ret = km__copy_from_user(kdata, (uintptr_t)arg, in);
	if (ret)
		return ret;
	SIM_DEBUG(SIM_DEBUG_IOCTL, KM_LAYER, "%s", drm_ioctls[nr].name);
	pthread_mutex_lock(&file->dev->lock);
	/* Last references that answers dropped before this call are
	 * released first (worker.c), so the call sees every earlier answer
	 * in full. */
	km__worker_flush_locked(file->dev);
	ret = drm_ioctls[nr].fn(file, kdata);
	pthread_mutex_unlock(&file->dev->lock);
	if (km__copy_to_user((uintptr_t)arg, kdata, in))
		ret = -EFAULT;
	return ret;
}
