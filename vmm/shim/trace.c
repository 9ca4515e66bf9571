// SPDX-License-Identifier: MIT
/*
 * --trace-ioctls: one stderr line per ioctl the program makes on a device
 * node or a kernelmock sync_file, after it returned, with the request's
 * UAPI name, its arguments (results after "->") and the return value.
 * The line is built first and written with one call, so lines from
 * different threads do not interleave.  The tracer never dereferences the
 * program's pointers: it copies the argument and what it points at as
 * the kernel would, and prints <unreadable> where the kernel would have
 * answered EFAULT.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/sync_file.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "vmm/shim/shim.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

struct vmm_line {
	char buf[512];
	size_t len;
};

static void put(struct vmm_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct vmm_line *l, const char *fmt, ...)
{
	va_list ap;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len > sizeof(l->buf))
		l->len = sizeof(l->buf);
}

/*
 * Program memory is read as the kernel reads it (copy_from_user): a bad
 * pointer, which the kernel answers with EFAULT, must not crash the
 * tracer.  process_vm_readv on this very process fails with EFAULT
 * instead of faulting.
 */
int vmm_shim_user_read(void *dst, uint64_t uptr, size_t len)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)uptr,
				.iov_len = len };

	if (len == 0)
		return 0;
	if (!uptr)
		return -EFAULT;
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

static int read_user(void *dst, uint64_t uptr, size_t len)
{
	return vmm_shim_user_read(dst, uptr, len);
}

static const char *const param_names[] = {
	[VIRTGPU_PARAM_3D_FEATURES] = "3D_FEATURES",
	[VIRTGPU_PARAM_CAPSET_QUERY_FIX] = "CAPSET_QUERY_FIX",
	[VIRTGPU_PARAM_RESOURCE_BLOB] = "RESOURCE_BLOB",
	[VIRTGPU_PARAM_HOST_VISIBLE] = "HOST_VISIBLE",
	[VIRTGPU_PARAM_CROSS_DEVICE] = "CROSS_DEVICE",
	[VIRTGPU_PARAM_CONTEXT_INIT] = "CONTEXT_INIT",
	[VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs] = "SUPPORTED_CAPSET_IDs",
	[VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME] = "EXPLICIT_DEBUG_NAME",
	[VIRTGPU_PARAM_BLOB_ALIGNMENT] = "BLOB_ALIGNMENT",	/* Mesa: GUEST_VRAM */
};

static void decode_getparam(struct vmm_line *l, const void *a, int ret)
{
	const struct drm_virtgpu_getparam *g = a;
	const char *name = g->param < sizeof(param_names) /
				      sizeof(param_names[0])
			   ? param_names[g->param] : NULL;
	put(l, "param=%s", name ? name : "?");
	if (!name)
		put(l, "(%" PRIu64 ")", g->param);
	/* Linux's virtio_gpu_getparam_ioctl copies an int (4 bytes)
	 * to value, whatever the param. */
	int value;
	if (!ret && !read_user(&value, g->value, sizeof(value)))
		put(l, " -> %d", value);
	else if (!ret)
		put(l, " -> value=0x%" PRIx64 " <unreadable>", g->value);
}

static void decode_context_init(struct vmm_line *l, const void *a,
				int ret)
{
	const struct drm_virtgpu_context_init *c = a;
	struct drm_virtgpu_context_set_param p;

	put(l, "params=%u", c->num_params);
	for (uint32_t i = 0; !ret && i < c->num_params && i < 8; i++) {
		if (read_user(&p, c->ctx_set_params + i * sizeof(p),
			      sizeof(p))) {
			put(l, " <unreadable>");
			break;
		}
		put(l, " %" PRIu64 "=%" PRIu64, p.param, p.value);
	}
}

static void decode_virtgpu(struct vmm_line *l, unsigned nr, const void *a,
			   int ret)
{
	switch (nr) {
	case DRM_VIRTGPU_MAP: {
		const struct drm_virtgpu_map *m = a;
		put(l, "handle=%u -> offset=0x%" PRIx64, m->handle, m->offset);
		break;
	}
	case DRM_VIRTGPU_EXECBUFFER: {
		const struct drm_virtgpu_execbuffer *e = a;
		put(l, "flags=0x%x size=%u bos=%u fence_fd=%d ring=%u",
		    e->flags, e->size, e->num_bo_handles, e->fence_fd,
		    e->ring_idx);
		break;
	}
	case DRM_VIRTGPU_GETPARAM:
		decode_getparam(l, a, ret);
		break;
	case DRM_VIRTGPU_RESOURCE_CREATE: {
		const struct drm_virtgpu_resource_create *r = a;
		put(l, "target=%u format=%u bind=0x%x %ux%ux%u array=%u "
		    "levels=%u samples=%u flags=0x%x -> bo=%u res=%u size=%u",
		    r->target, r->format, r->bind, r->width, r->height,
		    r->depth, r->array_size, r->last_level, r->nr_samples,
		    r->flags, r->bo_handle, r->res_handle, r->size);
		break;
	}
	case DRM_VIRTGPU_RESOURCE_INFO: {
		const struct drm_virtgpu_resource_info *r = a;
		put(l, "bo=%u -> res=%u size=%u blob_mem=%u", r->bo_handle,
		    r->res_handle, r->size, r->blob_mem);
		break;
	}
	case DRM_VIRTGPU_TRANSFER_FROM_HOST:
	case DRM_VIRTGPU_TRANSFER_TO_HOST: {
		const struct drm_virtgpu_3d_transfer_to_host *t = a;
		put(l, "bo=%u box=%u,%u,%u %ux%ux%u level=%u offset=%u "
		    "stride=%u", t->bo_handle, t->box.x, t->box.y, t->box.z,
		    t->box.w, t->box.h, t->box.d, t->level, t->offset,
		    t->stride);
		break;
	}
	case DRM_VIRTGPU_WAIT: {
		const struct drm_virtgpu_3d_wait *w = a;
		put(l, "handle=%u flags=0x%x", w->handle, w->flags);
		break;
	}
	case DRM_VIRTGPU_GET_CAPS: {
		const struct drm_virtgpu_get_caps *c = a;
		put(l, "capset=%u version=%u size=%u", c->cap_set_id,
		    c->cap_set_ver, c->size);
		break;
	}
	case DRM_VIRTGPU_RESOURCE_CREATE_BLOB: {
		const struct drm_virtgpu_resource_create_blob *b = a;
		put(l, "mem=%u flags=0x%x size=%" PRIu64 " cmd_size=%u "
		    "blob_id=%" PRIu64 " -> bo=%u res=%u", b->blob_mem,
		    b->blob_flags, b->size, b->cmd_size, b->blob_id,
		    b->bo_handle, b->res_handle);
		break;
	}
	case DRM_VIRTGPU_CONTEXT_INIT:
		decode_context_init(l, a, ret);
		break;
	}
}

static void decode_generic(struct vmm_line *l, unsigned nr, const void *a,
			   int ret)
{
	switch (nr) {
	case 0x00: {
		const struct drm_version *v = a;
		put(l, "-> %d.%d.%d", v->version_major, v->version_minor,
		    v->version_patchlevel);
		/* Userspace asks for the lengths first (NULL buffers), then
		 * for the strings in buffers of exactly those lengths. */
		char name[64];
		size_t n = v->name_len < sizeof(name) ? v->name_len
						      : sizeof(name);
		if (!ret && v->name &&
		    !read_user(name, (uintptr_t)v->name, n))
			put(l, " name=%.*s", (int)n, name);
		else if (!ret && v->name)
			put(l, " name=<unreadable>");
		else
			put(l, " name_len=%zu", (size_t)v->name_len);
		break;
	}
	case 0x09: {
		const struct drm_gem_close *c = a;
		put(l, "handle=%u", c->handle);
		break;
	}
	case 0x0a: {
		const struct drm_gem_flink *f = a;
		put(l, "handle=%u -> name=%u", f->handle, f->name);
		break;
	}
	case 0x0b: {
		const struct drm_gem_open *o = a;
		put(l, "name=%u -> handle=%u size=%llu", o->name, o->handle,
		    (unsigned long long)o->size);
		break;
	}
	case 0x0c: {
		const struct drm_get_cap *c = a;
		put(l, "cap=0x%llx -> %llu", (unsigned long long)c->capability,
		    (unsigned long long)c->value);
		break;
	}
	case 0x2d:
	case 0x2e: {
		const struct drm_prime_handle *p = a;
		put(l, "handle=%u flags=0x%x fd=%d", p->handle, p->flags, p->fd);
		break;
	}
	case 0xc1:
	case 0xc2: {
		const struct drm_syncobj_handle *h = a;
		put(l, "handle=%u flags=0x%x fd=%d", h->handle, h->flags,
		    h->fd);
		break;
	}
	}
}

void vmm_shim_trace_ioctl(int fd, unsigned long request, const void *arg,
			    int ret)
{
	struct vmm_line l = { .len = 0 };
	unsigned nr = _IOC_NR(request);
	const char *name = NULL;
	/* The argument as the kernel copies it: _IOC_SIZE bytes, the rest
	 * of a larger struct zeroed (drm_ioctl does the same). */
	uint64_t copy[64] = { 0 };
	size_t size = _IOC_SIZE(request) < sizeof(copy) ? _IOC_SIZE(request)
							 : sizeof(copy);
	bool readable = arg && !read_user(copy, (uintptr_t)arg, size);

	put(&l, "[vgs %ld] ioctl(%d, ", (long)syscall(SYS_gettid), fd);
	if (arg && !readable) {
		put(&l, "0x%lx arg=%p <unreadable>", request, arg);
	} else if (request == SYNC_IOC_MERGE) {
		const struct sync_merge_data *m = (const void *)copy;
		put(&l, "SYNC_IOC_MERGE fd2=%d -> fence=%d", m->fd2, m->fence);
	} else if (request == SYNC_IOC_FILE_INFO) {
		const struct sync_file_info *i = (const void *)copy;
		put(&l, "SYNC_IOC_FILE_INFO -> status=%d fences=%u", i->status,
		    i->num_fences);
	} else if (_IOC_TYPE(request) != DRM_IOCTL_BASE) {
		put(&l, "0x%lx", request);
	} else {
		/* The names are kernelmock's ioctl tables' (km_ioctl_name):
		 * "VIRTGPU_MAP" for the driver's, "DRM_IOCTL_GEM_CLOSE" for
		 * the core's. */
		bool driver = nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END;
		name = km_ioctl_name(request);
		put(&l, "%s%s", driver ? "DRM_IOCTL_" : "",
		    name ? name : driver ? "VIRTGPU_?" : "DRM_IOCTL_?");
		if (!name)
			put(&l, "(0x%x)", driver ? nr - DRM_COMMAND_BASE : nr);
		else if (arg && driver) {
			put(&l, " ");
			decode_virtgpu(&l, nr - DRM_COMMAND_BASE, copy, ret);
		} else if (arg) {
			put(&l, " ");
			decode_generic(&l, nr, copy, ret);
		}
	}
	put(&l, ") = %d", ret < 0 ? -1 : ret);
	if (ret < 0)
		put(&l, " %s (%s)", strerrorname_np(-ret) ? strerrorname_np(-ret)
							  : "?",
		    strerror(-ret));
	if (l.len >= sizeof(l.buf))
		l.len = sizeof(l.buf) - 1;
	l.buf[l.len++] = '\n';
	if (write(STDERR_FILENO, l.buf, l.len) < 0)
		return;	/* nowhere to report it */
}
