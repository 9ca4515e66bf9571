/* SPDX-License-Identifier: MIT */
/*
 * DRM syncobjs in scenarios: the DRM_IOCTL_SYNCOBJ_* rows (drm.h, by
 * their struct field names), the field types that name syncobjs
 * (a handle, a list of handles, a list of points, EXECBUFFER's
 * HANDLE,FLAGS,POINT entries) and what their "-> NAME" binds: a syncobj
 * (its handle on the file), a syncobj fd, or a fence for a sync_file
 * exported with EXPORT_SYNC_FILE.  Waits take timeout_ms=N, which the
 * runner turns into the absolute CLOCK_MONOTONIC timeout_nsec the kernel
 * wants (now + N ms) unless timeout_nsec is given.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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
#define TIMEOUT_MS                                                      \
	{ .name = "timeout_ms", .type = GUEST_FT_NUM, .size = 4,        \
	  .flags = GUEST_FF_PSEUDO, .max = GUEST_MAX_TIMEOUT_MS }

/* A script's list is at most this long (the kernel may be told more). */
#define MAX_LIST 65536u
#define ENTRY_SIZE sizeof(struct drm_virtgpu_execbuffer_syncobj)

static bool given(const struct guest_call *c, const char *name)
{
	const struct guest_ioctl *d = c->is->ioctl;

	for (unsigned i = 0; i < d->nfields; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return (c->given >> i) & 1;
	return false;
}

static void *arg_at(struct guest_call *c, size_t offset)
{
	return c->arg.bytes + offset;
}

/* A syncobj name gives its handle; a number passes through. */
static int resolve(struct guest_run *r, const struct guest_value *v,
		   uint64_t *out)
{
	struct guest_obj *o;
	int ret;

	if (v->kind == GUEST_VAL_INT) {
		*out = v->u;
		return 0;
	}
	ret = guest__obj_get(r, v->s, GUEST_OBJ_SYNCOBJ, false, &o);
	if (!ret)
		*out = o->u.syncobj.handle;
	return ret;
}

/* EXECBUFFER entries as 16-byte structs; prepare lays them out at the
 * script's syncobj_stride. */
static int write_entries(struct guest_run *r, const struct guest_field *f,
			 const struct guest_arg *a, uint8_t *base,
			 struct guest_call *c)
{
	unsigned n = a->nvals / 3;
	struct drm_virtgpu_execbuffer_syncobj *e = calloc(n ? n : 1,
							  sizeof(*e));
	uint64_t h = 0;
	int ret = guest__call_keep(r, c, e);

	for (unsigned i = 0; !ret && i < n; i++) {
		ret = resolve(r, &a->vals[3 * i], &h);
		e[i].handle = (uint32_t)h;
		e[i].flags = (uint32_t)a->vals[3 * i + 1].u;
		e[i].point = a->vals[3 * i + 2].u;
	}
	if (!ret)
		guest__store(base + f->offset, 8, (uintptr_t)e);
	return ret;
}

int guest__write_syncobj_field(struct guest_run *r,
			       const struct guest_field *f,
			       const struct guest_arg *a, uint8_t *base,
			       struct guest_call *c)
{
	uint64_t v = 0;
	int ret = 0;

	if (a->nvals > MAX_LIST)
		return guest__fail(r, "%s: at most %u values", f->name,
				   MAX_LIST);
	if (f->type == GUEST_FT_SYNCOBJ) {
		ret = resolve(r, &a->vals[0], &v);
		if (!ret)
			guest__store(base + f->offset, f->size, v);
		return ret;
	}
	if (f->type == GUEST_FT_SYNCOBJ_ENTRIES)
		return write_entries(r, f, a, base, c);
	/* SYNCOBJS (u32 handles) or U64S (points) */
	unsigned w = f->type == GUEST_FT_U64S ? 8 : 4;
	uint8_t *list = calloc(a->nvals, w);

	ret = guest__call_keep(r, c, list);
	for (unsigned i = 0; !ret && i < a->nvals; i++) {
		if (f->type == GUEST_FT_U64S)
			v = a->vals[i].u;
		else
			ret = resolve(r, &a->vals[i], &v);
		guest__store(list + i * w, w, v);
	}
	if (!ret)
		guest__store(base + f->offset, 8, (uintptr_t)list);
	return ret;
}

/* count_handles = the handles list's length unless given. */
static void default_count(struct guest_call *c, const char *list,
			   const char *count, size_t count_offset)
{
	const struct guest_arg *a = guest__find_arg(&c->is->args, list);

	if (a && !given(c, count))
		guest__store(arg_at(c, count_offset), 4, a->nvals);
}

static int lay_out(struct guest_run *r, struct guest_call *c,
		   const char *name, size_t ptr_off, size_t count_off,
		   uint32_t stride)
{
	const struct guest_arg *a = guest__find_arg(&c->is->args, name);
	uint64_t ptr = guest__load(arg_at(c, ptr_off), 8);
	unsigned n;
	uint8_t *buf;
	int ret;

	if (!a || !ptr)
		return 0;
	n = a->nvals / 3;
	if (!given(c, count_off == offsetof(struct drm_virtgpu_execbuffer,
					    num_in_syncobjs)
			  ? "num_in_syncobjs" : "num_out_syncobjs"))
		guest__store(arg_at(c, count_off), 4, n);
	if (stride == ENTRY_SIZE || !n)
		return 0;
	buf = calloc(1, (size_t)n * stride + ENTRY_SIZE);
	ret = guest__call_keep(r, c, buf);
	if (ret)
		return ret;
	for (unsigned i = 0; i < n; i++)
		memcpy(buf + (size_t)i * stride,
		       (const uint8_t *)(uintptr_t)ptr + i * ENTRY_SIZE,
		       stride < ENTRY_SIZE ? stride : ENTRY_SIZE);
	guest__store(arg_at(c, ptr_off), 8, (uintptr_t)buf);
	return 0;
}

/* EXECBUFFER: syncobj_stride defaults to the entry size; entries sit
 * that many bytes apart, each its first min(stride, 16) bytes. */
int guest__syncobj_entries_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_virtgpu_execbuffer *a = arg_at(c, 0);
	int ret;

	if (!given(c, "syncobj_stride") &&
	    (guest__find_arg(&c->is->args, "in_syncobjs") ||
	     guest__find_arg(&c->is->args, "out_syncobjs")))
		a->syncobj_stride = ENTRY_SIZE;
	if (a->syncobj_stride > 4096)
		return guest__fail(r, "syncobj_stride=%u: the runner lays "
				   "entries out up to 4096 bytes apart",
				   a->syncobj_stride);
	ret = lay_out(r, c, "in_syncobjs",
		      offsetof(struct drm_virtgpu_execbuffer, in_syncobjs),
		      offsetof(struct drm_virtgpu_execbuffer, num_in_syncobjs),
		      a->syncobj_stride);
	if (!ret)
		ret = lay_out(r, c, "out_syncobjs",
			      offsetof(struct drm_virtgpu_execbuffer,
				       out_syncobjs),
			      offsetof(struct drm_virtgpu_execbuffer,
				       num_out_syncobjs),
			      a->syncobj_stride);
	return ret;
}

/* ---- results ---- */

static int bind_handle(struct guest_run *r, struct guest_call *c,
		       uint32_t handle)
{
	int ret;
	struct guest_obj *o = guest__call_bind(r, c, GUEST_OBJ_SYNCOBJ, &ret);

	if (o) {
		o->u.syncobj.file = c->file;
		o->u.syncobj.handle = handle;
	}
	return ret;
}

static int create_finish(struct guest_run *r, struct guest_call *c)
{
	return bind_handle(r, c,
			   ((struct drm_syncobj_create *)arg_at(c, 0))->handle);
}

/* A syncobj fd, or a fence with EXPORT_SYNC_FILE; closed when unnamed. */
static int to_fd_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_syncobj_handle *a = arg_at(c, 0);
	bool sync_file = a->flags &
			 DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	struct guest_obj *o;
	int ret;

	if (c->ret)
		return 0;
	o = guest__call_bind(r, c,
			     sync_file ? GUEST_OBJ_FENCE : GUEST_OBJ_SYNCOBJ_FD,
			     &ret);
	if (!o) {
		if (a->fd >= 0)
			close(a->fd);
		return ret;
	}
	if (sync_file)
		o->u.fence_fd = a->fd;
	else
		o->u.syncobj_fd = a->fd;
	return 0;
}

static int to_handle_finish(struct guest_run *r, struct guest_call *c)
{
	struct drm_syncobj_handle *a = arg_at(c, 0);

	if (c->is->bind &&
	    (a->flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE))
		return guest__fail(r, "-> %s: IMPORT_SYNC_FILE makes no handle "
				   "(it fills the one given)", c->is->bind);
	return bind_handle(r, c, a->handle);
}

/* ---- prepare: counts, timeouts, QUERY's points buffer ---- */

static int64_t now_plus_ms(uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
	       (int64_t)ms * 1000000;
}

static void timeout_default(struct guest_call *c, size_t off)
{
	const struct guest_arg *ms = guest__find_arg(&c->is->args,
						     "timeout_ms");

	if (ms && !given(c, "timeout_nsec"))
		guest__store(arg_at(c, off), 8, (uint64_t)now_plus_ms(ms->vals[0].u));
}

static int wait_prepare(struct guest_run *r, struct guest_call *c)
{
	default_count(c, "handles", "count_handles",
		      offsetof(struct drm_syncobj_wait, count_handles));
	timeout_default(c, offsetof(struct drm_syncobj_wait, timeout_nsec));
	return 0;
}

static int timeline_wait_prepare(struct guest_run *r, struct guest_call *c)
{
	default_count(c, "handles", "count_handles",
		      offsetof(struct drm_syncobj_timeline_wait,
			       count_handles));
	timeout_default(c, offsetof(struct drm_syncobj_timeline_wait,
				    timeout_nsec));
	return 0;
}

static int array_prepare(struct guest_run *r, struct guest_call *c)
{
	default_count(c, "handles", "count_handles",
		      offsetof(struct drm_syncobj_array, count_handles));
	return 0;
}

static int timeline_array_prepare(struct guest_run *r, struct guest_call *c)
{
	default_count(c, "handles", "count_handles",
		      offsetof(struct drm_syncobj_timeline_array,
			       count_handles));
	return 0;
}

/* QUERY writes one u64 per handle: a runner buffer, bound by -> NAME. */
static int query_prepare(struct guest_run *r, struct guest_call *c)
{
	struct drm_syncobj_timeline_array *a = arg_at(c, 0);
	uint32_t n;

	timeline_array_prepare(r, c);
	n = a->count_handles < MAX_LIST ? a->count_handles : MAX_LIST;
	if (given(c, "points") || n == 0)
		return 0;
	c->caps = calloc(n, sizeof(uint64_t));
	if (!c->caps)
		return guest__oom(r);
	memset(c->caps, 0xa5, n * sizeof(uint64_t));
	c->caps_len = n * sizeof(uint64_t);
	a->points = (uintptr_t)c->caps;
	return 0;
}

static int query_finish(struct guest_run *r, struct guest_call *c)
{
	int ret;
	struct guest_obj *o = guest__call_bind(r, c, GUEST_OBJ_BUFFER, &ret);

	if (!o)
		return ret;
	if (!c->caps)
		return guest__fail(r, "-> %s needs the runner's points buffer "
				   "(do not give points=)", c->is->bind);
	o->u.buf.data = c->caps;
	o->u.buf.size = c->caps_len;
	c->caps = NULL;
	return 0;
}

/* ---- the table ---- */

#define SO(st, m) FIELD(st, m, GUEST_FT_SYNCOBJ)
#define SOS(st, m) FIELD(st, m, GUEST_FT_SYNCOBJS)
#define POINTS(st, m) FIELD(st, m, GUEST_FT_U64S)

static const struct guest_field create_fields[] = {
	NUM(struct drm_syncobj_create, handle),
	NUM(struct drm_syncobj_create, flags, .flags = GUEST_FF_FLAGS,
	    .syms = &guest__syncobj_create_flags),
};

static const struct guest_field destroy_fields[] = {
	SO(struct drm_syncobj_destroy, handle),
	NUM(struct drm_syncobj_destroy, pad),
};

static const struct guest_field handle_fields[] = {
	SO(struct drm_syncobj_handle, handle),
	NUM(struct drm_syncobj_handle, flags, .flags = GUEST_FF_FLAGS,
	    .syms = &guest__syncobj_fd_flags),
	FIELD(struct drm_syncobj_handle, fd, GUEST_FT_FD,
	      .flags = GUEST_FF_SIGNED),
	NUM(struct drm_syncobj_handle, pad),
};

/* The kernel's structs end with deadline_nsec (8 bytes after pad), which
 * libdrm 2.4.114's drm.h (Debian 12) does not have and 2.4.116's has. */
#define DEADLINE(st) { .name = "deadline_nsec", .type = GUEST_FT_NUM,   \
		       .offset = offsetof(st, pad) + 4, .size = 8 }

static const struct guest_field wait_fields[] = {
	SOS(struct drm_syncobj_wait, handles),
	NUM(struct drm_syncobj_wait, timeout_nsec, .flags = GUEST_FF_SIGNED),
	NUM(struct drm_syncobj_wait, count_handles),
	NUM(struct drm_syncobj_wait, flags, .flags = GUEST_FF_FLAGS,
	    .syms = &guest__syncobj_wait_flags),
	NUM(struct drm_syncobj_wait, first_signaled),
	NUM(struct drm_syncobj_wait, pad),
	DEADLINE(struct drm_syncobj_wait),
	TIMEOUT_MS,
};

static const struct guest_field timeline_wait_fields[] = {
	SOS(struct drm_syncobj_timeline_wait, handles),
	POINTS(struct drm_syncobj_timeline_wait, points),
	NUM(struct drm_syncobj_timeline_wait, timeout_nsec,
	    .flags = GUEST_FF_SIGNED),
	NUM(struct drm_syncobj_timeline_wait, count_handles),
	NUM(struct drm_syncobj_timeline_wait, flags, .flags = GUEST_FF_FLAGS,
	    .syms = &guest__syncobj_wait_flags),
	NUM(struct drm_syncobj_timeline_wait, first_signaled),
	NUM(struct drm_syncobj_timeline_wait, pad),
	DEADLINE(struct drm_syncobj_timeline_wait),
	TIMEOUT_MS,
};

static const struct guest_field array_fields[] = {
	SOS(struct drm_syncobj_array, handles),
	NUM(struct drm_syncobj_array, count_handles),
	NUM(struct drm_syncobj_array, pad),
};

static const struct guest_field timeline_array_fields[] = {
	SOS(struct drm_syncobj_timeline_array, handles),
	POINTS(struct drm_syncobj_timeline_array, points),
	NUM(struct drm_syncobj_timeline_array, count_handles),
	NUM(struct drm_syncobj_timeline_array, flags, .flags = GUEST_FF_FLAGS,
	    .syms = &guest__syncobj_query_flags),
};

static const struct guest_field transfer_fields[] = {
	SO(struct drm_syncobj_transfer, src_handle),
	SO(struct drm_syncobj_transfer, dst_handle),
	NUM(struct drm_syncobj_transfer, src_point),
	NUM(struct drm_syncobj_transfer, dst_point),
	NUM(struct drm_syncobj_transfer, flags, .flags = GUEST_FF_FLAGS,
	    .syms = &guest__syncobj_wait_flags),
	NUM(struct drm_syncobj_transfer, pad),
};

/* Named by kernelmock's ioctl tables (guest__ioctl_name). */
#define IOCTL(req, sz, flds, ...)                                   \
	{ .request = req, .size = sz, .fields = flds,                    \
	  .nfields = COUNT(flds), __VA_ARGS__ }

const struct guest_ioctl guest__syncobj_ioctls[] = {
	IOCTL(DRM_IOCTL_SYNCOBJ_CREATE,
	      sizeof(struct drm_syncobj_create), create_fields,
	      .bind = GUEST_BIND_SYNCOBJ, .finish = create_finish),
	IOCTL(DRM_IOCTL_SYNCOBJ_DESTROY,
	      sizeof(struct drm_syncobj_destroy), destroy_fields),
	IOCTL(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
	      sizeof(struct drm_syncobj_handle), handle_fields,
	      .bind = GUEST_BIND_SYNCOBJ_FD, .finish = to_fd_finish),
	IOCTL(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
	      sizeof(struct drm_syncobj_handle), handle_fields,
	      .bind = GUEST_BIND_SYNCOBJ, .finish = to_handle_finish),
	/* The request number carries the kernel's 40 / 48 bytes. */
	/* SYNCOBJ_WAIT: sized by the libdrm in use (deadline_nsec) */
	IOCTL(DRM_IOWR(0xC3, uint8_t[KM_SYNCOBJ_WAIT_SIZE]),
	      KM_SYNCOBJ_WAIT_SIZE, wait_fields, .prepare = wait_prepare),
	IOCTL(DRM_IOCTL_SYNCOBJ_RESET,
	      sizeof(struct drm_syncobj_array), array_fields,
	      .prepare = array_prepare),
	IOCTL(DRM_IOCTL_SYNCOBJ_SIGNAL,
	      sizeof(struct drm_syncobj_array), array_fields,
	      .prepare = array_prepare),
	/* SYNCOBJ_TIMELINE_WAIT, sized likewise */
	IOCTL(DRM_IOWR(0xCA, uint8_t[KM_SYNCOBJ_TIMELINE_WAIT_SIZE]),
	      KM_SYNCOBJ_TIMELINE_WAIT_SIZE, timeline_wait_fields,
	      .prepare = timeline_wait_prepare),
	IOCTL(DRM_IOCTL_SYNCOBJ_QUERY,
	      sizeof(struct drm_syncobj_timeline_array), timeline_array_fields,
	      .bind = GUEST_BIND_BUFFER, .prepare = query_prepare,
	      .finish = query_finish),
	IOCTL(DRM_IOCTL_SYNCOBJ_TRANSFER,
	      sizeof(struct drm_syncobj_transfer), transfer_fields),
	IOCTL(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
	      sizeof(struct drm_syncobj_timeline_array), timeline_array_fields,
	      .prepare = timeline_array_prepare),
};
const unsigned guest__nsyncobj_ioctls = COUNT(guest__syncobj_ioctls);
