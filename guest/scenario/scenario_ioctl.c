/* SPDX-License-Identifier: MIT */
/*
 * The ioctls a scenario can issue: one table entry per DRM_IOCTL_VIRTGPU_*
 * (plus DRM_IOCTL_GEM_CLOSE) listing the argument struct's fields by their
 * UAPI names, and the hooks that give the runner's defaults (pointers to
 * buffers it owns, sizes) and bind results to names.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/common/util.h"
#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

#define MEMBER_SIZE(st, m) sizeof(((st *)0)->m)
#define FIELD(st, m, ft, ...)                                           \
	{ .name = #m, .type = ft, .offset = offsetof(st, m),            \
	  .size = MEMBER_SIZE(st, m), __VA_ARGS__ }
#define NUM(st, m, ...) FIELD(st, m, GUEST_FT_NUM, __VA_ARGS__)
#define CTX_PARAM(nm, id, ...)                                          \
	{ .name = nm, .type = GUEST_FT_CTX_PARAM, .param = id,          \
	  .flags = GUEST_FF_REPEAT, __VA_ARGS__ }

/* Pointers the runner makes are clamped so a huge size in a script cannot
 * make the runner itself allocate gigabytes; the kernel still sees the
 * size the script wrote. */
#define MAX_RUNNER_BUFFER (16u << 20)
#define MAX_PAD_ENTRIES 65536u
#define GETPARAM_POISON 0xa5a5a5a5u
#define GETPARAM_CANARY 0x5a5a5a5au

/* Pages the kernel hands out when RESOURCE_CREATE asks for 0 bytes:
 * virtio_gpu_resource_create_ioctl, "allocate a single page size object". */
#define KERNEL_PAGE_SIZE 4096u

static bool given(const struct guest_call *c, const char *name)
{
	const struct guest_ioctl *d = c->is->ioctl;

	for (unsigned i = 0; i < d->nfields; i++) {
		if (strcmp(d->fields[i].name, name) == 0)
			return (c->given >> i) & 1;
	}
	return false;
}

static void *arg_at(struct guest_call *c, size_t offset)
{
	return c->arg.bytes + offset;
}

/* ---- GETPARAM ---- */

static int getparam_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_getparam *a = arg_at(c, 0);

	if (given(c, "value"))
		return 0;
	/* The kernel writes an int (copy_to_user of sizeof(int)); the
	 * canary after it catches a kernel that writes more. */
	c->param[0] = GETPARAM_POISON;
	c->param[1] = GETPARAM_CANARY;
	c->param_default = true;
	a->value = (uintptr_t)c->param;
	return 0;
}

static int getparam_finish(struct guest_run *r, struct guest_call *c)
{
	if (c->ret == 0 && c->param_default && c->param[1] != GETPARAM_CANARY)
		return guest__fail(r, "the kernel wrote past the int that "
				   "value points to (got 0x%08x after it)",
				   c->param[1]);
	return 0;
}

static const struct guest_field getparam_fields[] = {
	NUM(struct drm_virtgpu_getparam, param, .syms = &guest__params,
	    .flags = GUEST_FF_REQUIRED),
	FIELD(struct drm_virtgpu_getparam, value, GUEST_FT_PTR,
	      .flags = GUEST_FF_DEREF),
};

/* ---- GET_CAPS ---- */

static int get_caps_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_get_caps *a = arg_at(c, 0);
	size_t len = a->size < MAX_RUNNER_BUFFER ? a->size : MAX_RUNNER_BUFFER;

	if (given(c, "addr"))
		return 0;
	/* Poisoned, so a script can see how many bytes the kernel wrote. */
	c->caps = malloc(len ? len : 1);
	if (!c->caps)
		return guest__oom(r);
	memset(c->caps, 0xa5, len ? len : 1);
	c->caps_len = len;
	a->addr = (uintptr_t)c->caps;
	return 0;
}

static int get_caps_finish(struct guest_run *r, struct guest_call *c)
{
	struct guest_obj *o;
	int ret;

	if (c->ret || !c->is->bind)
		return 0;
	if (!c->caps)
		return guest__fail(r, "-> %s needs a buffer the runner owns; "
				   "leave addr unset", c->is->bind);
	ret = guest__obj_new(r, c->is->bind, GUEST_OBJ_BUFFER, &o);
	if (ret)
		return ret;
	o->u.buf.data = c->caps;
	o->u.buf.size = c->caps_len;
	c->caps = NULL;
	return 0;
}

static const struct guest_field get_caps_fields[] = {
	NUM(struct drm_virtgpu_get_caps, cap_set_id, .syms = &guest__capsets),
	NUM(struct drm_virtgpu_get_caps, cap_set_ver),
	FIELD(struct drm_virtgpu_get_caps, addr, GUEST_FT_PTR),
	NUM(struct drm_virtgpu_get_caps, size),
	NUM(struct drm_virtgpu_get_caps, pad),
};

/* ---- RESOURCE_CREATE ---- */

static const struct guest_field resource_create_fields[] = {
	NUM(struct drm_virtgpu_resource_create, target,
	    .syms = &guest_virgl_targets),
	NUM(struct drm_virtgpu_resource_create, format,
	    .syms = &guest_virgl_formats, .flags = GUEST_FF_REQUIRED),
	NUM(struct drm_virtgpu_resource_create, bind,
	    .syms = &guest_virgl_binds, .flags = GUEST_FF_FLAGS),
	NUM(struct drm_virtgpu_resource_create, width,
	    .flags = GUEST_FF_REQUIRED),
	NUM(struct drm_virtgpu_resource_create, height,
	    .flags = GUEST_FF_REQUIRED),
	NUM(struct drm_virtgpu_resource_create, depth,
	    .flags = GUEST_FF_DEFAULT, .def = 1),
	NUM(struct drm_virtgpu_resource_create, array_size,
	    .flags = GUEST_FF_DEFAULT, .def = 1),
	NUM(struct drm_virtgpu_resource_create, last_level),
	NUM(struct drm_virtgpu_resource_create, nr_samples),
	NUM(struct drm_virtgpu_resource_create, flags,
	    .syms = &guest_virgl_resource_flags, .flags = GUEST_FF_FLAGS),
	NUM(struct drm_virtgpu_resource_create, bo_handle),
	NUM(struct drm_virtgpu_resource_create, res_handle),
	NUM(struct drm_virtgpu_resource_create, size),
	NUM(struct drm_virtgpu_resource_create, stride),
};

static const struct guest_arg *find_arg(const struct guest_args *args,
					const char *name)
{
	for (unsigned i = 0; i < args->n; i++) {
		if (strcmp(args->v[i].field->name, name) == 0)
			return &args->v[i];
	}
	return NULL;
}

/* The default size needs a format whose pixel size is known. */
static const struct guest_arg *resource_create_check(
	const struct guest_args *args, const char **expected)
{
	const struct guest_arg *format = find_arg(args, "format");

	if (!format || (find_arg(args, "size") && find_arg(args, "stride")))
		return NULL;
	if (guest_virgl_format_bpp((uint32_t)format->vals[0].u))
		return NULL;
	*expected = "a format with a known pixel size (or give size= and "
		    "stride=)";
	return format;
}

static int resource_create_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_resource_create *a = arg_at(c, 0);
	uint64_t bpp = guest_virgl_format_bpp(a->format), size;

	size = (uint64_t)a->width * a->height;
	size *= (uint64_t)a->depth * a->array_size;
	if (!given(c, "size")) {
		if (size > UINT32_MAX / (bpp ? bpp : 1))
			return guest__fail(r, "the default size width*height*"
					   "depth*array_size*bpp does not fit "
					   "the 32-bit size field; give size=");
		a->size = (uint32_t)(size * bpp);
	}
	if (!given(c, "stride")) {
		if ((uint64_t)a->width * bpp > UINT32_MAX)
			return guest__fail(r, "the default stride width*bpp "
					   "does not fit 32 bits; give stride=");
		a->stride = (uint32_t)(a->width * bpp);
	}
	return 0;
}

static int bind_bo(struct guest_run *r, struct guest_call *c, uint32_t handle,
		   uint32_t res_handle, uint64_t size, struct guest_obj **out)
{
	struct guest_obj *o;
	int ret;

	*out = NULL;
	if (c->ret || !c->is->bind)
		return 0;
	ret = guest__obj_new(r, c->is->bind, GUEST_OBJ_BO, &o);
	if (ret)
		return ret;
	o->u.bo.file = c->file;
	o->u.bo.handle = handle;
	o->u.bo.res_handle = res_handle;
	o->u.bo.size = size;
	*out = o;
	return 0;
}

static int resource_create_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_resource_create *a = arg_at(c, 0);
	uint64_t size = a->size ? a->size : KERNEL_PAGE_SIZE;
	struct guest_obj *o;
	int ret = bind_bo(r, c, a->bo_handle, a->res_handle, size, &o);

	if (ret || !o)
		return ret;
	o->u.bo.width = a->width;
	o->u.bo.height = a->height;
	o->u.bo.bpp = guest_virgl_format_bpp(a->format);
	o->u.bo.stride = a->stride;
	return 0;
}

/* ---- RESOURCE_INFO, TRANSFER_*, WAIT, MAP, GEM_CLOSE ---- */

static const struct guest_field resource_info_fields[] = {
	FIELD(struct drm_virtgpu_resource_info, bo_handle, GUEST_FT_HANDLE,
	      .alias = "handle"),
	NUM(struct drm_virtgpu_resource_info, res_handle),
	NUM(struct drm_virtgpu_resource_info, size),
	NUM(struct drm_virtgpu_resource_info, blob_mem,
	    .syms = &guest__blob_mems),
};

/* TRANSFER_TO_HOST and TRANSFER_FROM_HOST share one layout. */
#define XFER struct drm_virtgpu_3d_transfer_to_host
_Static_assert(sizeof(XFER) == sizeof(struct drm_virtgpu_3d_transfer_from_host)
	       && offsetof(XFER, layer_stride) ==
	       offsetof(struct drm_virtgpu_3d_transfer_from_host, layer_stride),
	       "transfer layouts differ");
static const struct guest_field transfer_fields[] = {
	FIELD(XFER, bo_handle, GUEST_FT_HANDLE, .alias = "handle"),
	{ .name = "box", .type = GUEST_FT_BOX, .offset = offsetof(XFER, box),
	  .size = 4, .count = 6 },
	NUM(XFER, level),
	NUM(XFER, offset),
	NUM(XFER, stride),
	NUM(XFER, layer_stride),
};
#undef XFER

static const struct guest_field wait_fields[] = {
	FIELD(struct drm_virtgpu_3d_wait, handle, GUEST_FT_HANDLE),
	NUM(struct drm_virtgpu_3d_wait, flags, .syms = &guest__wait_flags,
	    .flags = GUEST_FF_FLAGS),
};

static int map_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_map *a = arg_at(c, 0);
	struct guest_obj *bo = c->handle_bo, *o;
	void *addr;
	char eb[32];
	int ret;

	if (c->ret || !c->is->bind)
		return 0;
	if (!bo)
		return guest__fail(r, "-> %s needs handle=<bo name>, to know "
				   "how many bytes to mmap", c->is->bind);
	ret = km_mmap(c->file->u.file, a->offset, bo->u.bo.size, &addr);
	if (c->is->expect_mmap_errno) {
		/* expect mmap_errno=NAME: nothing is bound. */
		if (ret == -c->is->expect_mmap_errno)
			return 0;
		if (!ret)
			km_munmap(c->file->u.file, addr, bo->u.bo.size);
		char want[32];
		return guest__fail(r, "mmap of %llu bytes at offset 0x%llx: "
				   "expected %s, got %s",
				   (unsigned long long)bo->u.bo.size,
				   (unsigned long long)a->offset,
				   guest__errno_name(-c->is->expect_mmap_errno,
						     want, sizeof(want)),
				   ret ? guest__errno_name(ret, eb, sizeof(eb))
				       : "success");
	}
	if (ret)
		return guest__fail(r, "mmap of %llu bytes at offset 0x%llx "
				   "failed: %s",
				   (unsigned long long)bo->u.bo.size,
				   (unsigned long long)a->offset,
				   guest__errno_name(ret, eb, sizeof(eb)));
	ret = guest__obj_new(r, c->is->bind, GUEST_OBJ_MAPPING, &o);
	if (ret) {
		km_munmap(c->file->u.file, addr, bo->u.bo.size);
		return ret;
	}
	o->u.map.file = c->file;
	o->u.map.bo = bo;
	o->u.map.addr = addr;
	o->u.map.len = bo->u.bo.size;
	bo->u.bo.map = o;
	return 0;
}

static const struct guest_field map_fields[] = {
	FIELD(struct drm_virtgpu_map, handle, GUEST_FT_HANDLE),
	NUM(struct drm_virtgpu_map, pad),
	NUM(struct drm_virtgpu_map, offset),
};

static int gem_close_finish(struct guest_run *r, struct guest_call *c)
{
	if (c->ret == 0 && c->handle_bo)
		c->handle_bo->dead = true;
	return 0;
}

static const struct guest_field gem_close_fields[] = {
	FIELD(struct drm_gem_close, handle, GUEST_FT_HANDLE),
	NUM(struct drm_gem_close, pad),
};

/* ---- EXECBUFFER and RESOURCE_CREATE_BLOB (command streams) ---- */

/* Point @ptr at a copy of the named stream, zero-padded up to the size
 * the script claims, so the kernel never reads past the runner's buffer. */
static int stream_pointer(struct guest_run *r, struct guest_call *c,
			  uint64_t *ptr, uint32_t *size, bool size_given)
{
	size_t bytes, alloc;
	uint8_t *buf;
	int ret;

	if (!c->stream)
		return 0;
	bytes = guest_virgl_stream_bytes(&c->stream->u.stream);
	if (bytes > UINT32_MAX)
		return guest__fail(r, "stream '%s' has %zu bytes, more than "
				   "the 32-bit size field holds",
				   c->stream->name, bytes);
	alloc = size_given && *size > bytes ? *size : bytes;
	if (alloc > MAX_RUNNER_BUFFER && alloc > bytes)
		alloc = bytes > MAX_RUNNER_BUFFER ? bytes : MAX_RUNNER_BUFFER;
	buf = calloc(alloc ? alloc : 1, 1);
	ret = guest__call_keep(r, c, buf);
	if (ret)
		return ret;
	if (bytes)
		memcpy(buf, c->stream->u.stream.dw, bytes);
	*ptr = (uintptr_t)buf;
	if (!size_given)
		*size = (uint32_t)bytes;
	return 0;
}

static int execbuffer_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_execbuffer *a = arg_at(c, 0);
	uint32_t n = a->num_bo_handles;
	uint32_t *pad;
	int ret;

	ret = stream_pointer(r, c, &a->command, &a->size, given(c, "size"));
	if (!ret)
		ret = guest__syncobj_entries_prepare(r, c);
	if (ret)
		return ret;
	if (!given(c, "num_bo_handles")) {
		a->num_bo_handles = c->nhandles;
		return 0;
	}
	if (!c->handles || n <= c->nhandles || n > MAX_PAD_ENTRIES)
		return 0;
	pad = calloc(n, sizeof(*pad));
	ret = guest__call_keep(r, c, pad);
	if (ret)
		return ret;
	memcpy(pad, c->handles, c->nhandles * sizeof(*pad));
	a->bo_handles = (uintptr_t)pad;
	return 0;
}

static int execbuffer_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_execbuffer *a = arg_at(c, 0);
	bool out = a->flags & VIRTGPU_EXECBUF_FENCE_FD_OUT;
	struct guest_obj *o;
	int ret;

	if (c->ret)
		return 0;
	if (c->is->bind && !out)
		return guest__fail(r, "-> %s needs flags=FENCE_FD_OUT; there "
				   "is no out fence", c->is->bind);
	if (!out || a->fence_fd < 0) {
		if (c->is->bind)
			return guest__fail(r, "FENCE_FD_OUT gave fence_fd %d",
					   a->fence_fd);
		return 0;
	}
	if (!c->is->bind) {
		close(a->fence_fd);
		return 0;
	}
	ret = guest__obj_new(r, c->is->bind, GUEST_OBJ_FENCE, &o);
	if (ret) {
		close(a->fence_fd);
		return ret;
	}
	o->u.fence_fd = a->fence_fd;
	return 0;
}

static const struct guest_field execbuffer_fields[] = {
	NUM(struct drm_virtgpu_execbuffer, flags,
	    .syms = &guest__execbuf_flags, .flags = GUEST_FF_FLAGS),
	NUM(struct drm_virtgpu_execbuffer, size),
	FIELD(struct drm_virtgpu_execbuffer, command, GUEST_FT_STREAM),
	FIELD(struct drm_virtgpu_execbuffer, bo_handles, GUEST_FT_HANDLES),
	NUM(struct drm_virtgpu_execbuffer, num_bo_handles),
	FIELD(struct drm_virtgpu_execbuffer, fence_fd, GUEST_FT_FENCE,
	      .flags = GUEST_FF_SIGNED | GUEST_FF_DEFAULT, .def = UINT64_MAX),
	NUM(struct drm_virtgpu_execbuffer, ring_idx),
	NUM(struct drm_virtgpu_execbuffer, syncobj_stride),
	NUM(struct drm_virtgpu_execbuffer, num_in_syncobjs),
	NUM(struct drm_virtgpu_execbuffer, num_out_syncobjs),
	FIELD(struct drm_virtgpu_execbuffer, in_syncobjs,
	      GUEST_FT_SYNCOBJ_ENTRIES, .syms = &guest__execbuf_syncobj_flags),
	FIELD(struct drm_virtgpu_execbuffer, out_syncobjs,
	      GUEST_FT_SYNCOBJ_ENTRIES, .syms = &guest__execbuf_syncobj_flags),
};

static int blob_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_resource_create_blob *a = arg_at(c, 0);

	return stream_pointer(r, c, &a->cmd, &a->cmd_size,
			      given(c, "cmd_size"));
}

static int blob_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_resource_create_blob *a = arg_at(c, 0);
	struct guest_obj *o;

	return bind_bo(r, c, a->bo_handle, a->res_handle, a->size, &o);
}

static const struct guest_field blob_fields[] = {
	NUM(struct drm_virtgpu_resource_create_blob, blob_mem,
	    .syms = &guest__blob_mems),
	NUM(struct drm_virtgpu_resource_create_blob, blob_flags,
	    .syms = &guest__blob_flags, .flags = GUEST_FF_FLAGS),
	NUM(struct drm_virtgpu_resource_create_blob, bo_handle),
	NUM(struct drm_virtgpu_resource_create_blob, res_handle),
	NUM(struct drm_virtgpu_resource_create_blob, size),
	NUM(struct drm_virtgpu_resource_create_blob, pad),
	NUM(struct drm_virtgpu_resource_create_blob, cmd_size),
	FIELD(struct drm_virtgpu_resource_create_blob, cmd, GUEST_FT_STREAM),
	NUM(struct drm_virtgpu_resource_create_blob, blob_id),
};

/* ---- CONTEXT_INIT ---- */

static void ctx_param_entry(const struct guest_arg *a,
			    struct drm_virtgpu_context_set_param *p)
{
	const struct guest_field *f = a->field;

	if (f->param == 0) {
		p->param = a->vals[0].u;
		p->value = a->vals[1].u;
	} else if (a->vals[0].kind == GUEST_VAL_STRING) {
		p->param = f->param;
		p->value = (uintptr_t)a->vals[0].s;
	} else {
		p->param = f->param;
		p->value = a->vals[0].u;
	}
}

static int context_init_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_context_init *a = arg_at(c, 0);
	const struct guest_args *args = &c->is->args;
	struct drm_virtgpu_context_set_param *params;
	unsigned n = 0, alloc, i;
	int ret;

	for (i = 0; i < args->n; i++)
		n += args->v[i].field->type == GUEST_FT_CTX_PARAM;
	alloc = n;
	if (given(c, "num_params") && a->num_params > n &&
	    a->num_params <= MAX_PAD_ENTRIES)
		alloc = a->num_params;
	if (!given(c, "num_params"))
		a->num_params = n;
	if (alloc == 0 || given(c, "ctx_set_params"))
		return 0;
	params = calloc(alloc, sizeof(*params));
	ret = guest__call_keep(r, c, params);
	if (ret)
		return ret;
	for (i = 0, n = 0; i < args->n; i++) {
		if (args->v[i].field->type == GUEST_FT_CTX_PARAM)
			ctx_param_entry(&args->v[i], &params[n++]);
	}
	a->ctx_set_params = (uintptr_t)params;
	return 0;
}

static const struct guest_field context_init_fields[] = {
	NUM(struct drm_virtgpu_context_init, num_params),
	NUM(struct drm_virtgpu_context_init, pad),
	FIELD(struct drm_virtgpu_context_init, ctx_set_params, GUEST_FT_PTR),
	CTX_PARAM("CAPSET_ID", VIRTGPU_CONTEXT_PARAM_CAPSET_ID,
		  .syms = &guest__capsets),
	CTX_PARAM("NUM_RINGS", VIRTGPU_CONTEXT_PARAM_NUM_RINGS),
	CTX_PARAM("POLL_RINGS_MASK", VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK),
	CTX_PARAM("DEBUG_NAME", VIRTGPU_CONTEXT_PARAM_DEBUG_NAME),
	CTX_PARAM("param", 0, .syms = &guest__ctx_params),
};

/* ---- the table ---- */

/* Named by kernelmock's ioctl tables (guest__ioctl_name). */
#define IOCTL(req, st, flds, ...)                                   \
	{ .request = req, .size = sizeof(st),                           \
	  .fields = flds, .nfields = COUNT(flds), __VA_ARGS__ }

static const struct guest_ioctl ioctls[] = {
	IOCTL(DRM_IOCTL_VIRTGPU_MAP, struct drm_virtgpu_map,
	      map_fields, .bind = GUEST_BIND_MAPPING, .finish = map_finish),
	IOCTL(DRM_IOCTL_VIRTGPU_EXECBUFFER,
	      struct drm_virtgpu_execbuffer, execbuffer_fields,
	      .bind = GUEST_BIND_FENCE, .prepare = execbuffer_prepare,
	      .finish = execbuffer_finish),
	IOCTL(DRM_IOCTL_VIRTGPU_GETPARAM,
	      struct drm_virtgpu_getparam, getparam_fields,
	      .prepare = getparam_prepare, .finish = getparam_finish),
	IOCTL(DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
	      struct drm_virtgpu_resource_create, resource_create_fields,
	      .bind = GUEST_BIND_BO, .check = resource_create_check,
	      .prepare = resource_create_prepare,
	      .finish = resource_create_finish),
	IOCTL(DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
	      struct drm_virtgpu_resource_info, resource_info_fields),
	IOCTL(DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
	      struct drm_virtgpu_3d_transfer_from_host, transfer_fields),
	IOCTL(DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST,
	      struct drm_virtgpu_3d_transfer_to_host, transfer_fields),
	IOCTL(DRM_IOCTL_VIRTGPU_WAIT, struct drm_virtgpu_3d_wait,
	      wait_fields),
	IOCTL(DRM_IOCTL_VIRTGPU_GET_CAPS,
	      struct drm_virtgpu_get_caps, get_caps_fields,
	      .bind = GUEST_BIND_BUFFER, .prepare = get_caps_prepare,
	      .finish = get_caps_finish),
	IOCTL(DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB,
	      struct drm_virtgpu_resource_create_blob, blob_fields,
	      .bind = GUEST_BIND_BO, .prepare = blob_prepare,
	      .finish = blob_finish),
	IOCTL(DRM_IOCTL_VIRTGPU_CONTEXT_INIT,
	      struct drm_virtgpu_context_init, context_init_fields,
	      .prepare = context_init_prepare),
	IOCTL(DRM_IOCTL_GEM_CLOSE, struct drm_gem_close,
	      gem_close_fields, .finish = gem_close_finish),
};
static const unsigned nioctls = COUNT(ioctls);

/* A DRM ioctl's name is the one kernelmock's ioctl tables give
 * (km_ioctl_name: "VIRTGPU_MAP", "DRM_IOCTL_GEM_CLOSE", as Linux's
 * DRM_IOCTL_DEF_DRV and DRM_IOCTL_DEF name them) without the prefix a
 * script leaves out ("MAP", "GEM_CLOSE"); only the sync_file ioctls,
 * which are not DRM's, carry their own. */
const char *guest__ioctl_name(const struct guest_ioctl *d)
{
	const char *n = d->name ? d->name : km_ioctl_name(d->request);

	if (!n)
		return "?";
	if (strncmp(n, "VIRTGPU_", 8) == 0)
		return n + 8;
	return strncmp(n, "DRM_IOCTL_", 10) == 0 ? n + 10 : n;
}

static const struct {
	const struct guest_ioctl *v;
	const unsigned *n;
} tables[] = {
	{ ioctls, &nioctls },
	{ guest__drm_ioctls, &guest__ndrm_ioctls },
	{ guest__syncobj_ioctls, &guest__nsyncobj_ioctls },
};

const struct guest_ioctl *guest__ioctl_find(const char *name, size_t len)
{
	for (size_t t = 0; t < COUNT(tables); t++) {
		for (unsigned i = 0; i < *tables[t].n; i++) {
			const char *n = guest__ioctl_name(&tables[t].v[i]);

			if (strlen(n) == len && memcmp(n, name, len) == 0)
				return &tables[t].v[i];
		}
	}
	return NULL;
}

/* "GETPARAM, GET_CAPS, ..." for an error message; truncated to @len. */
const char *guest__ioctl_names(char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t t = 0; t < COUNT(tables); t++) {
		for (unsigned i = 0; i < *tables[t].n && at < len; i++) {
			int w = snprintf(buf + at, len - at, "%s%s",
					 at ? ", " : "",
					 guest__ioctl_name(&tables[t].v[i]));
			at += w > 0 ? (size_t)w : 0;
		}
	}
	return buf;
}

const struct guest_field *guest__field_find(const struct guest_field *fields,
					    unsigned n, const char *name,
					    size_t len)
{
	for (unsigned i = 0; i < n; i++) {
		const struct guest_field *f = &fields[i];

		if ((strlen(f->name) == len && !memcmp(f->name, name, len)) ||
		    (f->alias && strlen(f->alias) == len &&
		     !memcmp(f->alias, name, len)))
			return f;
	}
	return NULL;
}
