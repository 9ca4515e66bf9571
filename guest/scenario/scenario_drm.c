/* SPDX-License-Identifier: MIT */
/*
 * The generic DRM ioctls a scenario can issue next to the virtio-gpu ones
 * (drm.h: VERSION, GET_CAP, GEM_FLINK, GEM_OPEN, PRIME_HANDLE_TO_FD,
 * PRIME_FD_TO_HANDLE), the sync_file ioctls on fence fds
 * (<linux/sync_file.h>: SYNC_IOC_MERGE, SYNC_IOC_FILE_INFO), the entry for
 * a raw request number, and the runner options every ioctl takes
 * (ioctl_size=, raw=).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "guest/common/util.h"
#include "guest/scenario/scenario_int.h"
#include "kernelmock/virtgpu_drm.h"

#define MEMBER_SIZE(st, m) sizeof(((st *)0)->m)
#define FIELD(st, m, ft, ...)                                           \
	{ .name = #m, .type = ft, .offset = offsetof(st, m),            \
	  .size = MEMBER_SIZE(st, m), __VA_ARGS__ }
#define NUM(st, m, ...) FIELD(st, m, GUEST_FT_NUM, __VA_ARGS__)

/* Runner buffers for VERSION's strings, and the most sync_fence_info
 * entries the runner allocates for FILE_INFO. */
#define VERSION_BUF 64u
#define MAX_FENCE_INFOS 4096u

static bool given(const struct guest_call *c, const char *name)
{
	const struct guest_ioctl *d = c->is->ioctl;

	for (unsigned i = 0; i < d->nfields; i++) {
		if (strcmp(d->fields[i].name, name) == 0)
			return (c->given >> i) & 1;
	}
	return false;
}

struct guest_obj *guest__call_bind(struct guest_run *r, struct guest_call *c,
				   enum guest_obj_kind kind, int *ret)
{
	struct guest_obj *o = NULL;

	*ret = 0;
	if (c->ret || !c->is->bind)
		return NULL;
	*ret = guest__obj_new(r, c->is->bind, kind, &o);
	return *ret ? NULL : o;
}

/* ---- VERSION ---- */

static int version_prepare(struct guest_run *r, struct guest_call *c)
{
	static const char *const names[] = { "name", "date", "desc" };
	struct drm_version *v = (struct drm_version *)c->arg.bytes;
	char **ptrs[] = { &v->name, &v->date, &v->desc };
	size_t *lens[] = { &v->name_len, &v->date_len, &v->desc_len };

	for (unsigned i = 0; i < 3; i++) {
		char lenname[16];

		if (given(c, names[i]))
			continue;
		c->strbuf[i] = calloc(1, VERSION_BUF);
		if (!c->strbuf[i])
			return guest__oom(r);
		*ptrs[i] = c->strbuf[i];
		snprintf(lenname, sizeof(lenname), "%s_len", names[i]);
		if (!given(c, lenname))
			*lens[i] = VERSION_BUF;
	}
	return 0;
}

#define VER struct drm_version
static const struct guest_field version_fields[] = {
	NUM(VER, version_major, .flags = GUEST_FF_SIGNED),
	NUM(VER, version_minor, .flags = GUEST_FF_SIGNED),
	NUM(VER, version_patchlevel, .flags = GUEST_FF_SIGNED),
	NUM(VER, name_len),
	FIELD(VER, name, GUEST_FT_STRPTR, .param = 0,
	      .count_offset = offsetof(VER, name_len)),
	NUM(VER, date_len),
	FIELD(VER, date, GUEST_FT_STRPTR, .param = 1,
	      .count_offset = offsetof(VER, date_len)),
	NUM(VER, desc_len),
	FIELD(VER, desc, GUEST_FT_STRPTR, .param = 2,
	      .count_offset = offsetof(VER, desc_len)),
};
#undef VER

/* ---- GET_CAP ---- */

static const struct guest_field get_cap_fields[] = {
	NUM(struct drm_get_cap, capability, .syms = &guest__drm_caps,
	    .flags = GUEST_FF_REQUIRED),
	NUM(struct drm_get_cap, value),
};

/* ---- GEM_FLINK, GEM_OPEN ---- */

static int flink_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_gem_flink *a = (struct drm_gem_flink *)c->arg.bytes;
	int ret;
	struct guest_obj *o = guest__call_bind(r, c, GUEST_OBJ_VALUE, &ret);

	if (o)
		o->u.value = a->name;
	return ret;
}

static const struct guest_field flink_fields[] = {
	FIELD(struct drm_gem_flink, handle, GUEST_FT_HANDLE),
	NUM(struct drm_gem_flink, name),
};

/* A handle that another path made (GEM_OPEN, PRIME_FD_TO_HANDLE): the
 * resource handle is what the bo it came from has, when known. */
static int bind_imported_bo(struct guest_run *r, struct guest_call *c,
			    uint32_t handle, uint64_t size,
			    const struct guest_obj *from)
{
	int ret;
	struct guest_obj *o = guest__call_bind(r, c, GUEST_OBJ_BO, &ret);

	if (!o)
		return ret;
	o->u.bo.file = c->file;
	o->u.bo.handle = handle;
	o->u.bo.size = size;
	if (from) {
		o->u.bo.res_handle = from->u.bo.res_handle;
		o->u.bo.width = from->u.bo.width;
		o->u.bo.height = from->u.bo.height;
		o->u.bo.stride = from->u.bo.stride;
		o->u.bo.bpp = from->u.bo.bpp;
		if (!size)
			o->u.bo.size = from->u.bo.size;
	}
	return 0;
}

static int gem_open_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_gem_open *a = (struct drm_gem_open *)c->arg.bytes;

	return bind_imported_bo(r, c, a->handle, a->size, NULL);
}

static const struct guest_field gem_open_fields[] = {
	FIELD(struct drm_gem_open, name, GUEST_FT_VALUE),
	NUM(struct drm_gem_open, handle),
	NUM(struct drm_gem_open, size),
};

/* ---- PRIME ---- */

static int handle_to_fd_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_prime_handle *a = (struct drm_prime_handle *)c->arg.bytes;
	int ret;
	struct guest_obj *o;

	if (c->ret)
		return 0;
	o = guest__call_bind(r, c, GUEST_OBJ_DMABUF, &ret);
	if (!o) {
		if (a->fd >= 0)
			close(a->fd);
		return ret;
	}
	o->u.dmabuf.fd = a->fd;
	o->u.dmabuf.bo = c->handle_bo;
	return 0;
}

/* The bo a dma-buf came from, when the script named the dma-buf. */
static const struct guest_obj *exported_bo(struct guest_run *r,
					   const struct guest_call *c)
{
	const struct guest_arg *fd = guest__find_arg(&c->is->args, "fd");
	struct guest_obj *o;

	if (!fd || fd->vals[0].kind != GUEST_VAL_NAME)
		return NULL;
	o = guest__obj_find(r, fd->vals[0].s);
	return o && o->kind == GUEST_OBJ_DMABUF ? o->u.dmabuf.bo : NULL;
}

static int fd_to_handle_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_prime_handle *a = (struct drm_prime_handle *)c->arg.bytes;

	return bind_imported_bo(r, c, a->handle, 0, exported_bo(r, c));
}

static const struct guest_field prime_fields[] = {
	FIELD(struct drm_prime_handle, handle, GUEST_FT_HANDLE),
	NUM(struct drm_prime_handle, flags, .syms = &guest__prime_flags,
	    .flags = GUEST_FF_FLAGS),
	FIELD(struct drm_prime_handle, fd, GUEST_FT_FD,
	      .flags = GUEST_FF_SIGNED),
};

/* ---- sync_file ---- */

static int merge_finish(struct guest_run *r, struct guest_call *c)
{
	struct sync_merge_data *a = (struct sync_merge_data *)c->arg.bytes;
	int ret;
	struct guest_obj *o;

	if (c->ret)
		return 0;
	o = guest__call_bind(r, c, GUEST_OBJ_FENCE, &ret);
	if (!o) {
		if (a->fence >= 0)
			close(a->fence);
		return ret;
	}
	o->u.fence_fd = a->fence;
	return 0;
}

static const struct guest_field merge_fields[] = {
	FIELD(struct sync_merge_data, name, GUEST_FT_CHARS),
	FIELD(struct sync_merge_data, fd2, GUEST_FT_FD,
	      .flags = GUEST_FF_SIGNED | GUEST_FF_REQUIRED),
	NUM(struct sync_merge_data, fence, .flags = GUEST_FF_SIGNED),
	NUM(struct sync_merge_data, flags),
	NUM(struct sync_merge_data, pad),
};

static int info_prepare(struct guest_run *r, struct guest_call *c)
{
	struct sync_file_info *a = (struct sync_file_info *)c->arg.bytes;
	size_t n = a->num_fences < MAX_FENCE_INFOS ? a->num_fences
						   : MAX_FENCE_INFOS;

	if (given(c, "sync_fence_info") || n == 0)
		return 0;
	c->caps = calloc(n, sizeof(struct sync_fence_info));
	if (!c->caps)
		return guest__oom(r);
	c->caps_len = n * sizeof(struct sync_fence_info);
	a->sync_fence_info = (uintptr_t)c->caps;
	return 0;
}

static int info_finish(struct guest_run *r, struct guest_call *c)
{
	int ret;
	struct guest_obj *o = guest__call_bind(r, c, GUEST_OBJ_BUFFER, &ret);

	if (!o)
		return ret;
	if (!c->caps)
		return guest__fail(r, "-> %s needs num_fences= (the runner "
				   "then provides the sync_fence_info array)",
				   c->is->bind);
	o->u.buf.data = c->caps;
	o->u.buf.size = c->caps_len;
	c->caps = NULL;
	return 0;
}

static const struct guest_field info_fields[] = {
	FIELD(struct sync_file_info, name, GUEST_FT_CHARS),
	NUM(struct sync_file_info, status, .flags = GUEST_FF_SIGNED),
	NUM(struct sync_file_info, flags),
	NUM(struct sync_file_info, num_fences),
	NUM(struct sync_file_info, pad),
	FIELD(struct sync_file_info, sync_fence_info, GUEST_FT_PTR),
};

/* ---- the table ---- */

/* DRM rows are named by kernelmock's ioctl tables (guest__ioctl_name);
 * sync_file's ioctls are not DRM's and carry their own (SYNC_IOCTL). */
#define IOCTL(req, st, flds, ...)                                   \
	{ .request = req, .size = sizeof(st),                           \
	  .fields = flds, .nfields = COUNT(flds), __VA_ARGS__ }
#define SYNC_IOCTL(nm, req, st, flds, ...)                              \
	IOCTL(req, st, flds, .name = nm, __VA_ARGS__)

const struct guest_ioctl guest__drm_ioctls[] = {
	IOCTL(DRM_IOCTL_VERSION, struct drm_version,
	      version_fields, .prepare = version_prepare),
	IOCTL(DRM_IOCTL_GET_CAP, struct drm_get_cap,
	      get_cap_fields),
	IOCTL(DRM_IOCTL_GEM_FLINK, struct drm_gem_flink,
	      flink_fields, .bind = GUEST_BIND_VALUE, .finish = flink_finish),
	IOCTL(DRM_IOCTL_GEM_OPEN, struct drm_gem_open,
	      gem_open_fields, .bind = GUEST_BIND_BO,
	      .finish = gem_open_finish),
	IOCTL(DRM_IOCTL_PRIME_HANDLE_TO_FD,
	      struct drm_prime_handle, prime_fields,
	      .bind = GUEST_BIND_DMABUF, .finish = handle_to_fd_finish),
	IOCTL(DRM_IOCTL_PRIME_FD_TO_HANDLE,
	      struct drm_prime_handle, prime_fields, .bind = GUEST_BIND_BO,
	      .finish = fd_to_handle_finish),
	SYNC_IOCTL("SYNC_IOC_MERGE", SYNC_IOC_MERGE, struct sync_merge_data,
	      merge_fields, .on_fence = true, .bind = GUEST_BIND_FENCE,
	      .finish = merge_finish),
	SYNC_IOCTL("SYNC_IOC_FILE_INFO", SYNC_IOC_FILE_INFO, struct sync_file_info,
	      info_fields, .on_fence = true, .bind = GUEST_BIND_BUFFER,
	      .prepare = info_prepare, .finish = info_finish),
};
const unsigned guest__ndrm_ioctls = COUNT(guest__drm_ioctls);

/* "ioctl F 0xc0106443 raw=..." : no fields, the request as written. */
const struct guest_ioctl guest__raw_ioctl = {
	.name = "raw request", .size = 0, .fields = NULL, .nfields = 0,
};

const struct guest_field guest__ioctl_pseudo[] = {
	{ .name = "ioctl_size", .type = GUEST_FT_NUM, .size = 2,
	  .flags = GUEST_FF_PSEUDO },
	{ .name = "raw", .type = GUEST_FT_HEX, .flags = GUEST_FF_PSEUDO },
};
const unsigned guest__nioctl_pseudo = COUNT(guest__ioctl_pseudo);
