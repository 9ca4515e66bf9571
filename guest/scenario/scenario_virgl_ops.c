/* SPDX-License-Identifier: MIT */
/*
 * "virgl STREAM OP ..." statements: the operations a script can append to
 * a named virgl command stream, and writing one parsed field into an
 * argument struct (shared with the ioctl runner).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guest/common/util.h"
#include "guest/scenario/scenario_int.h"

#define VF(st, m, ft, ...)                                              \
	{ .name = #m, .type = ft, .offset = offsetof(st, m),            \
	  .size = sizeof(((st *)0)->m), __VA_ARGS__ }

static const struct guest_field sub_ctx_fields[] = {
	{ .name = "id", .type = GUEST_FT_NUM, .offset = 0, .size = 4,
	  .flags = GUEST_FF_POSITIONAL | GUEST_FF_REQUIRED },
};

#define SURF struct guest_virgl_surface
static const struct guest_field surface_fields[] = {
	VF(SURF, handle, GUEST_FT_NUM, .flags = GUEST_FF_REQUIRED),
	{ .name = "res", .alias = "res_handle", .type = GUEST_FT_RES,
	  .offset = offsetof(SURF, res_handle), .size = 4,
	  .flags = GUEST_FF_REQUIRED },
	VF(SURF, format, GUEST_FT_NUM, .syms = &guest_virgl_formats,
	   .flags = GUEST_FF_REQUIRED),
	VF(SURF, level, GUEST_FT_NUM),
	VF(SURF, first_layer, GUEST_FT_NUM),
	VF(SURF, last_layer, GUEST_FT_NUM),
};
#undef SURF

#define FB struct guest_virgl_framebuffer
static const struct guest_field fb_fields[] = {
	{ .name = "cbufs", .type = GUEST_FT_U32S, .offset = offsetof(FB, cbufs),
	  .size = 4, .count = GUEST_VIRGL_MAX_CBUFS,
	  .count_offset = offsetof(FB, nr_cbufs) },
	{ .name = "zsurf", .alias = "zsurf_handle", .type = GUEST_FT_NUM,
	  .offset = offsetof(FB, zsurf_handle), .size = 4 },
};
#undef FB

#define CLR struct guest_virgl_clear
static const struct guest_field clear_fields[] = {
	VF(CLR, buffers, GUEST_FT_NUM, .syms = &guest_virgl_clear_buffers,
	   .flags = GUEST_FF_FLAGS | GUEST_FF_REQUIRED),
	{ .name = "color", .type = GUEST_FT_FLOATS,
	  .offset = offsetof(CLR, color), .size = 4, .count = 4 },
	VF(CLR, depth, GUEST_FT_DOUBLE),
	VF(CLR, stencil, GUEST_FT_NUM),
};
#undef CLR

#define PRC struct guest_virgl_pipe_resource
static const struct guest_field pipe_res_fields[] = {
	VF(PRC, target, GUEST_FT_NUM, .syms = &guest_virgl_targets),
	VF(PRC, format, GUEST_FT_NUM, .syms = &guest_virgl_formats,
	   .flags = GUEST_FF_REQUIRED),
	VF(PRC, bind, GUEST_FT_NUM, .syms = &guest_virgl_binds,
	   .flags = GUEST_FF_FLAGS),
	VF(PRC, width, GUEST_FT_NUM, .flags = GUEST_FF_REQUIRED),
	VF(PRC, height, GUEST_FT_NUM, .flags = GUEST_FF_DEFAULT, .def = 1),
	VF(PRC, depth, GUEST_FT_NUM, .flags = GUEST_FF_DEFAULT, .def = 1),
	VF(PRC, array_size, GUEST_FT_NUM, .flags = GUEST_FF_DEFAULT,
	   .def = 1),
	VF(PRC, last_level, GUEST_FT_NUM),
	VF(PRC, nr_samples, GUEST_FT_NUM),
	VF(PRC, flags, GUEST_FT_NUM, .syms = &guest_virgl_resource_flags,
	   .flags = GUEST_FF_FLAGS),
	VF(PRC, blob_id, GUEST_FT_NUM, .flags = GUEST_FF_REQUIRED),
};
#undef PRC

static const struct guest_field dwords_fields[] = {
	{ .name = "dwords", .type = GUEST_FT_DWORDS, .size = 4,
	  .flags = GUEST_FF_POSITIONAL | GUEST_FF_REQUIRED },
};

#define VOP(nm, k, flds) { nm, k, flds, COUNT(flds) }
static const struct guest_vop vops[] = {
	{ "begin", GUEST_VOP_BEGIN, NULL, 0 },
	VOP("create_sub_ctx", GUEST_VOP_CREATE_SUB_CTX, sub_ctx_fields),
	VOP("set_sub_ctx", GUEST_VOP_SET_SUB_CTX, sub_ctx_fields),
	VOP("destroy_sub_ctx", GUEST_VOP_DESTROY_SUB_CTX, sub_ctx_fields),
	VOP("create_surface", GUEST_VOP_CREATE_SURFACE, surface_fields),
	VOP("set_framebuffer_state", GUEST_VOP_SET_FRAMEBUFFER_STATE,
	    fb_fields),
	VOP("clear", GUEST_VOP_CLEAR, clear_fields),
	VOP("pipe_resource_create", GUEST_VOP_PIPE_RESOURCE_CREATE,
	    pipe_res_fields),
	VOP("dwords", GUEST_VOP_DWORDS, dwords_fields),
};

const struct guest_vop *guest__vop_find(const char *name, size_t len)
{
	for (size_t i = 0; i < COUNT(vops); i++) {
		if (strlen(vops[i].name) == len &&
		    memcmp(vops[i].name, name, len) == 0)
			return &vops[i];
	}
	return NULL;
}

/* A bo name gives its GEM handle or resource handle, a fence name its fd;
 * numbers pass through.  A closed bo still gives its old number, so a
 * script can test use-after-close. */
static int resolve_ref(struct guest_run *r, const struct guest_field *f,
		       const struct guest_value *v, struct guest_call *c,
		       uint64_t *out)
{
	struct guest_obj *o;
	int ret;

	if (v->kind == GUEST_VAL_INT) {
		*out = v->u;
		return 0;
	}
	if (f->type == GUEST_FT_FENCE) {
		ret = guest__obj_get(r, v->s, GUEST_OBJ_FENCE, true, &o);
		if (!ret)
			*out = (uint64_t)(int64_t)o->u.fence_fd;
		return ret;
	}
	if (f->type == GUEST_FT_VALUE) {
		ret = guest__obj_get(r, v->s, GUEST_OBJ_VALUE, false, &o);
		if (!ret)
			*out = o->u.value;
		return ret;
	}
	if (f->type == GUEST_FT_FD) {
		o = guest__obj_find(r, v->s);
		if (o && o->kind == GUEST_OBJ_DMABUF && !o->dead) {
			*out = (uint64_t)(int64_t)o->u.dmabuf.fd;
			return 0;
		}
		if (o && o->kind == GUEST_OBJ_SYNCOBJ_FD && !o->dead) {
			*out = (uint64_t)(int64_t)o->u.syncobj_fd;
			return 0;
		}
		ret = guest__obj_get(r, v->s, GUEST_OBJ_FENCE, true, &o);
		if (!ret)
			*out = (uint64_t)(int64_t)o->u.fence_fd;
		return ret;
	}
	ret = guest__obj_get(r, v->s, GUEST_OBJ_BO, false, &o);
	if (ret)
		return ret;
	*out = f->type == GUEST_FT_RES ? o->u.bo.res_handle : o->u.bo.handle;
	if (c && f->type == GUEST_FT_HANDLE)
		c->handle_bo = o;
	return 0;
}

int guest__resolve_value(struct guest_run *r, const struct guest_field *f,
			 const struct guest_value *v, uint64_t *out)
{
	return resolve_ref(r, f, v, NULL, out);
}

static int write_handles(struct guest_run *r, const struct guest_field *f,
			 const struct guest_arg *a, uint8_t *base,
			 struct guest_call *c)
{
	uint32_t *h = calloc(a->nvals, sizeof(*h));
	uint64_t v = 0;
	int ret = guest__call_keep(r, c, h);

	for (unsigned i = 0; !ret && i < a->nvals; i++) {
		struct guest_field as_handle = *f;

		as_handle.type = GUEST_FT_HANDLE;
		ret = resolve_ref(r, &as_handle, &a->vals[i], NULL, &v);
		h[i] = (uint32_t)v;
	}
	if (ret)
		return ret;
	c->handles = h;
	c->nhandles = a->nvals;
	guest__store(base + f->offset, 8, (uintptr_t)h);
	return 0;
}

static int write_stream(struct guest_run *r, const struct guest_field *f,
			const struct guest_arg *a, uint8_t *base,
			struct guest_call *c)
{
	if (a->vals[0].kind == GUEST_VAL_INT) {
		guest__store(base + f->offset, 8, a->vals[0].u);
		return 0;
	}
	return guest__obj_get(r, a->vals[0].s, GUEST_OBJ_STREAM, true,
			      &c->stream);
}

static void write_floats(const struct guest_field *f,
			 const struct guest_arg *a, uint8_t *base)
{
	for (unsigned i = 0; i < a->nvals; i++) {
		float v = (float)a->vals[i].f;

		memcpy(base + f->offset + i * sizeof(v), &v, sizeof(v));
	}
}

int guest__write_field(struct guest_run *r, const struct guest_field *f,
		       const struct guest_arg *a, void *basep,
		       struct guest_call *c)
{
	uint8_t *base = basep;
	uint64_t v;
	int ret;

	switch (f->type) {
	case GUEST_FT_NUM:
	case GUEST_FT_PTR:
	case GUEST_FT_STRPTR:
		guest__store(base + f->offset, f->size, a->vals[0].u);
		return 0;
	case GUEST_FT_CHARS:
		memset(base + f->offset, 0, f->size);
		memcpy(base + f->offset, a->vals[0].s, strlen(a->vals[0].s));
		return 0;
	case GUEST_FT_HANDLE:
	case GUEST_FT_RES:
	case GUEST_FT_FENCE:
	case GUEST_FT_VALUE:
	case GUEST_FT_FD:
		ret = resolve_ref(r, f, &a->vals[0], c, &v);
		if (!ret)
			guest__store(base + f->offset, f->size, v);
		return ret;
	case GUEST_FT_STREAM:
		return write_stream(r, f, a, base, c);
	case GUEST_FT_HANDLES:
		return write_handles(r, f, a, base, c);
	case GUEST_FT_BOX:
	case GUEST_FT_U32S:
		for (unsigned i = 0; i < a->nvals; i++)
			guest__store(base + f->offset + 4 * i, 4, a->vals[i].u);
		if (f->type == GUEST_FT_U32S)
			guest__store(base + f->count_offset, 4, a->nvals);
		return 0;
	case GUEST_FT_FLOATS:
		write_floats(f, a, base);
		return 0;
	case GUEST_FT_DOUBLE:
		memcpy(base + f->offset, &a->vals[0].f, sizeof(double));
		return 0;
	case GUEST_FT_DWORDS:
	case GUEST_FT_CTX_PARAM:
	case GUEST_FT_HEX:
	case GUEST_FT_ENTRIES:
		return 0;	/* the statement's own runner handles these */
	case GUEST_FT_SYNCOBJ:
	case GUEST_FT_SYNCOBJS:
	case GUEST_FT_U64S:
	case GUEST_FT_SYNCOBJ_ENTRIES:
		return guest__write_syncobj_field(r, f, a, base, c);
	}
	return guest__fail(r, "internal error: field type %d", (int)f->type);
}

static int begin_stream(struct guest_run *r, const char *name)
{
	struct guest_obj *o = guest__obj_find(r, name);

	if (o && !o->dead && o->kind == GUEST_OBJ_STREAM) {
		guest_virgl_stream_reset(&o->u.stream);
		return 0;
	}
	return guest__obj_new(r, name, GUEST_OBJ_STREAM, &o);
}

static int encode_dwords(struct guest_virgl_stream *s,
			 const struct guest_arg *a)
{
	uint32_t *dw = calloc(a->nvals, sizeof(*dw));
	int ret;

	if (!dw)
		return -ENOMEM;
	for (unsigned i = 0; i < a->nvals; i++)
		dw[i] = (uint32_t)a->vals[i].u;
	ret = guest_virgl_encode_dwords(s, dw, a->nvals);
	free(dw);
	return ret;
}

union vop_args {
	uint32_t id;
	struct guest_virgl_surface surface;
	struct guest_virgl_framebuffer fb;
	struct guest_virgl_clear clear;
	struct guest_virgl_pipe_resource res;
};

static int encode(struct guest_virgl_stream *s, const struct guest_vop *op,
		  const union vop_args *u, const struct guest_args *args)
{
	switch (op->kind) {
	case GUEST_VOP_BEGIN:
		return 0;
	case GUEST_VOP_CREATE_SUB_CTX:
		return guest_virgl_encode_create_sub_ctx(s, u->id);
	case GUEST_VOP_SET_SUB_CTX:
		return guest_virgl_encode_set_sub_ctx(s, u->id);
	case GUEST_VOP_DESTROY_SUB_CTX:
		return guest_virgl_encode_destroy_sub_ctx(s, u->id);
	case GUEST_VOP_CREATE_SURFACE:
		return guest_virgl_encode_create_surface(s, &u->surface);
	case GUEST_VOP_SET_FRAMEBUFFER_STATE:
		return guest_virgl_encode_set_framebuffer_state(s, &u->fb);
	case GUEST_VOP_CLEAR:
		return guest_virgl_encode_clear(s, &u->clear);
	case GUEST_VOP_PIPE_RESOURCE_CREATE:
		return guest_virgl_encode_pipe_resource_create(s, &u->res);
	case GUEST_VOP_DWORDS:
		return encode_dwords(s, &args->v[0]);
	}
	return -EINVAL;
}

int guest__run_virgl(struct guest_run *r, const struct guest_virgl_stmt *vs)
{
	const struct guest_vop *op = vs->op;
	struct guest_obj *s;
	union vop_args u;
	int ret;

	if (op->kind == GUEST_VOP_BEGIN)
		return begin_stream(r, vs->stream);
	ret = guest__obj_get(r, vs->stream, GUEST_OBJ_STREAM, true, &s);
	if (ret)
		return ret;
	memset(&u, 0, sizeof(u));
	for (unsigned i = 0; i < op->nfields; i++) {
		const struct guest_field *f = &op->fields[i];

		if (f->flags & GUEST_FF_DEFAULT)
			guest__store((uint8_t *)&u + f->offset, f->size, f->def);
	}
	for (unsigned i = 0; i < vs->args.n; i++) {
		ret = guest__write_field(r, vs->args.v[i].field,
					 &vs->args.v[i], &u, NULL);
		if (ret)
			return ret;
	}
	ret = encode(&s->u.stream, op, &u, &vs->args);
	if (ret == -ENOMEM)
		return guest__oom(r);
	if (ret)
		return guest__fail(r, "the encoder refused the command (%s)",
				   op->name);
	return 0;
}
