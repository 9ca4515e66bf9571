/* SPDX-License-Identifier: MIT */
/*
 * The scenario runner: named objects, statement dispatch, "require",
 * open/close/unmap, and the cleanup that releases everything a script
 * made, whether it passed, failed or skipped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

const char *guest__stmt_label(const struct guest_stmt *st, char *buf,
			      size_t len)
{
	static const char *const names[] = {
		[GUEST_STMT_REQUIRE_CAPSET] = "require capset",
		[GUEST_STMT_REQUIRE_PARAM] = "require param",
		[GUEST_STMT_OPEN] = "open",
		[GUEST_STMT_CLOSE] = "close",
		[GUEST_STMT_UNMAP] = "unmap",
		[GUEST_STMT_WAIT_FENCE] = "wait_fence",
		[GUEST_STMT_EXPECT_PIXELS] = "expect pixels",
		[GUEST_STMT_FILL] = "fill",
		[GUEST_STMT_REQUIRE_FEATURE] = "require feature",
		[GUEST_STMT_OPEN_PRIMARY] = "open_primary",
		[GUEST_STMT_READ] = "read",
		[GUEST_STMT_POLL] = "poll",
		[GUEST_STMT_EXPECT_STRING] = "expect string",
	};

	switch (st->kind) {
	case GUEST_STMT_IOCTL:
		snprintf(buf, len, "ioctl %s",
			 guest__ioctl_name(st->u.ioctl.ioctl));
		return buf;
	case GUEST_STMT_VIRTIO:
		snprintf(buf, len, "virtio %s", st->u.virtio.cmd
			 ? st->u.virtio.cmd->name
			 : st->u.virtio.queue == GUEST_VIRTIO_CONFIG ? "config"
								     : "raw");
		return buf;
	case GUEST_STMT_VENUS:
		snprintf(buf, len, "venus %s", guest__vn_op_name(st->u.venus.op));
		return buf;
	case GUEST_STMT_REQUIRE_STMT:
		return guest__stmt_label(st->u.inner, buf, len);
	case GUEST_STMT_KERNEL:
		return guest__stmt_label(st->u.kernel.inner, buf, len);
	case GUEST_STMT_VIRGL:
		snprintf(buf, len, "virgl %s", st->u.virgl.op->name);
		return buf;
	case GUEST_STMT_EXPECT_MEM:
		snprintf(buf, len, "expect u%u", st->u.mem.width * 8);
		return buf;
	case GUEST_STMT_REQUIRE_CAPSET:
	case GUEST_STMT_REQUIRE_PARAM:
	case GUEST_STMT_OPEN:
	case GUEST_STMT_CLOSE:
	case GUEST_STMT_UNMAP:
	case GUEST_STMT_WAIT_FENCE:
	case GUEST_STMT_EXPECT_PIXELS:
	case GUEST_STMT_FILL:
	case GUEST_STMT_REQUIRE_FEATURE:
	case GUEST_STMT_OPEN_PRIMARY:
	case GUEST_STMT_READ:
	case GUEST_STMT_POLL:
	case GUEST_STMT_EXPECT_STRING:
		break;
	}
	return names[st->kind];
}

/* Record the first failure as "path:line: label: message". */
int guest__fail(struct guest_run *r, const char *fmt, ...)
{
	char label[64];
	char *msg;
	va_list ap;

	if (r->msg)
		return GUEST_STOP;
	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	if (!msg)
		return -ENOMEM;
	if (asprintf(&r->msg, "%s:%u: %s: %s", r->st->path, r->st->line,
		     guest__stmt_label(r->st, label, sizeof(label)), msg) < 0) {
		r->msg = NULL;
		free(msg);
		return -ENOMEM;
	}
	free(msg);
	return GUEST_STOP;
}

/* Out of memory, with a location if the message itself can be made. */
int guest__oom(struct guest_run *r)
{
	return guest__fail(r, "out of memory");
}

static int skip(struct guest_run *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r->msg = vformat(fmt, ap);
	va_end(ap);
	if (!r->msg)
		return -ENOMEM;
	r->skip = true;
	return GUEST_STOP;
}

const char *guest__obj_kind_name(enum guest_obj_kind kind)
{
	switch (kind) {
	case GUEST_OBJ_FILE:
		return "file";
	case GUEST_OBJ_BO:
		return "bo";
	case GUEST_OBJ_BUFFER:
		return "buffer";
	case GUEST_OBJ_MAPPING:
		return "mapping";
	case GUEST_OBJ_STREAM:
		return "virgl stream";
	case GUEST_OBJ_FENCE:
		return "fence";
	case GUEST_OBJ_VALUE:
		return "value";
	case GUEST_OBJ_DMABUF:
		return "dma-buf";
	case GUEST_OBJ_SYNCOBJ:
		return "syncobj";
	case GUEST_OBJ_SYNCOBJ_FD:
		return "syncobj fd";
	}
	return "object";
}

struct guest_obj *guest__obj_find(struct guest_run *r, const char *name)
{
	for (struct guest_obj *o = r->objs; o; o = o->next) {
		if (strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

int guest__obj_get(struct guest_run *r, const char *name,
		   enum guest_obj_kind kind, bool live, struct guest_obj **out)
{
	struct guest_obj *o = guest__obj_find(r, name);
	const char *want = guest__obj_kind_name(kind);

	if (!o)
		return guest__fail(r, "no %s named '%s'", want, name);
	if (o->kind != kind)
		return guest__fail(r, "'%s' is a %s (line %u), not a %s", name,
				   guest__obj_kind_name(o->kind), o->line,
				   want);
	if (live && o->dead)
		return guest__fail(r, "%s '%s' (line %u) is already closed",
				   want, name, o->line);
	*out = o;
	return 0;
}

int guest__obj_new(struct guest_run *r, const char *name,
		   enum guest_obj_kind kind, struct guest_obj **out)
{
	struct guest_obj *o = guest__obj_find(r, name);

	if (o && !o->dead)
		return guest__fail(r, "name '%s' is in use by a %s (line %u)",
				   name, guest__obj_kind_name(o->kind),
				   o->line);
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->name = strdup(name);
	if (!o->name) {
		free(o);
		return -ENOMEM;
	}
	o->kind = kind;
	o->line = r->st->line;
	o->next = r->objs;
	r->objs = o;
	*out = o;
	return 0;
}

void guest__mapping_release(struct guest_obj *m)
{
	if (m->dead)
		return;
	km_munmap(m->u.map.file->u.file, m->u.map.addr, m->u.map.len);
	if (m->u.map.bo->u.bo.map == m)
		m->u.map.bo->u.bo.map = NULL;
	m->dead = true;
}

/* A file goes away with its mappings (as on exit); its bos die with it. */
static void file_release(struct guest_run *r, struct guest_obj *f)
{
	for (struct guest_obj *o = r->objs; o; o = o->next) {
		if (o->kind == GUEST_OBJ_MAPPING && o->u.map.file == f)
			guest__mapping_release(o);
		if (o->kind == GUEST_OBJ_BO && o->u.bo.file == f)
			o->dead = true;
	}
	guest__venus_release(f);
	km_close(f->u.file);
	f->dead = true;
}

static void obj_release(struct guest_run *r, struct guest_obj *o)
{
	if (o->dead)
		return;
	switch (o->kind) {
	case GUEST_OBJ_FILE:
		file_release(r, o);
		break;
	case GUEST_OBJ_MAPPING:
		guest__mapping_release(o);
		break;
	case GUEST_OBJ_FENCE:
		close(o->u.fence_fd);
		break;
	case GUEST_OBJ_DMABUF:
		close(o->u.dmabuf.fd);
		break;
	case GUEST_OBJ_SYNCOBJ_FD:
		close(o->u.syncobj_fd);
		break;
	case GUEST_OBJ_SYNCOBJ:		/* released with its file */
	case GUEST_OBJ_BO:
	case GUEST_OBJ_BUFFER:
	case GUEST_OBJ_STREAM:
	case GUEST_OBJ_VALUE:
		break;
	}
	o->dead = true;
}

static void obj_free(struct guest_obj *o)
{
	if (o->kind == GUEST_OBJ_BUFFER)
		free(o->u.buf.data);
	if (o->kind == GUEST_OBJ_STREAM)
		guest_virgl_stream_fini(&o->u.stream);
	free(o->name);
	free(o);
}

/* Mappings before files (munmap needs the file), then everything else. */
static void cleanup(struct guest_run *r)
{
	struct guest_obj *o, *next;

	for (o = r->objs; o; o = o->next) {
		if (o->kind == GUEST_OBJ_MAPPING || o->kind == GUEST_OBJ_FENCE ||
		    o->kind == GUEST_OBJ_DMABUF ||
		    o->kind == GUEST_OBJ_SYNCOBJ_FD)
			obj_release(r, o);
	}
	for (o = r->objs; o; o = o->next)
		obj_release(r, o);
	for (o = r->objs; o; o = next) {
		next = o->next;
		obj_free(o);
	}
	r->objs = NULL;
}

static int run_open(struct guest_run *r, const char *name, bool primary)
{
	struct guest_obj *o;
	struct km_file *f;
	char eb[32];
	int ret = primary ? km_open_primary(r->dev, &f) : km_open(r->dev, &f);

	if (ret)
		return guest__fail(r, "km_open failed: %s",
				   guest__errno_name(ret, eb, sizeof(eb)));
	ret = guest__obj_new(r, name, GUEST_OBJ_FILE, &o);
	if (ret) {
		km_close(f);
		return ret;
	}
	o->u.file = f;
	return 0;
}

/* "close" takes a file or a fence fd. */
static int run_close(struct guest_run *r, const char *name)
{
	struct guest_obj *o = guest__obj_find(r, name);

	if (!o)
		return guest__fail(r, "no file, fence, dma-buf or syncobj fd "
				   "named '%s'", name);
	if (o->kind != GUEST_OBJ_FILE && o->kind != GUEST_OBJ_FENCE &&
	    o->kind != GUEST_OBJ_DMABUF && o->kind != GUEST_OBJ_SYNCOBJ_FD)
		return guest__fail(r, "'%s' is a %s (line %u); close takes a "
				   "file, a fence, a dma-buf or a syncobj fd",
				   name,
				   guest__obj_kind_name(o->kind), o->line);
	if (o->dead)
		return guest__fail(r, "%s '%s' is already closed",
				   guest__obj_kind_name(o->kind), name);
	obj_release(r, o);
	return 0;
}

static int run_unmap(struct guest_run *r, const char *name)
{
	struct guest_obj *o;
	int ret = guest__obj_get(r, name, GUEST_OBJ_MAPPING, true, &o);

	if (!ret)
		guest__mapping_release(o);
	return ret;
}

/* GETPARAM on a short-lived file of its own, so a require never changes
 * the state of the script's files.  *ok = false: the run is skipped. */
static int getparam(struct guest_run *r, uint64_t param, uint32_t *value,
		    bool *ok)
{
	struct drm_virtgpu_getparam gp = { .param = param };
	const struct guest_sym *s = guest_symtab_find_value(&guest__params,
							    param);
	struct km_file *f;
	uint64_t v = 0;
	char eb[32];
	int ret = km_open(r->dev, &f);

	*ok = false;
	if (ret)
		return guest__fail(r, "km_open failed: %s",
				   guest__errno_name(ret, eb, sizeof(eb)));
	gp.value = (uintptr_t)&v;
	ret = km_ioctl(f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
	km_close(f);
	if (ret)
		return skip(r, "GETPARAM %s failed: %s",
			    s ? s->name : "?",
			    guest__errno_name(ret, eb, sizeof(eb)));
	*value = (uint32_t)v;
	*ok = true;
	return 0;
}

static int run_require(struct guest_run *r, const struct guest_stmt *st)
{
	bool capset = st->kind == GUEST_STMT_REQUIRE_CAPSET;
	uint64_t param = capset ? VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs
				: st->u.require;
	const struct guest_sym *s;
	uint32_t v;
	bool ok;
	int ret = getparam(r, param, &v, &ok);

	if (ret || !ok)
		return ret;
	if (capset) {
		s = guest_symtab_find_value(&guest__capsets, st->u.require);
		if (st->u.require < 32 && (v >> st->u.require) & 1)
			return 0;
		return skip(r, "capset %s is not offered "
			    "(SUPPORTED_CAPSET_IDs = 0x%x)",
			    s ? s->name : "?", v);
	}
	s = guest_symtab_find_value(&guest__params, st->u.require);
	return v ? 0 : skip(r, "param %s is 0", s ? s->name : "?");
}

static int run_require_feature(struct guest_run *r, uint64_t bit)
{
	const struct guest_sym *s = guest_symtab_find_value(&guest__features,
							    bit);

	if ((r->features >> bit) & 1)
		return 0;
	return skip(r, "the device does not offer VIRTIO_GPU_F_%s",
		    s ? s->name : "?");
}

static int run_stmt(struct guest_run *r, const struct guest_stmt *st);

/* require STATEMENT: its failure is the skip reason. */
static int run_require_stmt(struct guest_run *r, const struct guest_stmt *st)
{
	int ret;

	r->st = st->u.inner;
	ret = run_stmt(r, st->u.inner);
	r->st = st;
	if (ret != GUEST_STOP || r->skip)
		return ret;
	{
		char *why = r->msg;

		r->msg = NULL;
		ret = skip(r, "requirement not met: %s", why);
		free(why);
	}
	return ret;
}

static int run_stmt(struct guest_run *r, const struct guest_stmt *st)
{
	switch (st->kind) {
	case GUEST_STMT_REQUIRE_CAPSET:
	case GUEST_STMT_REQUIRE_PARAM:
		return run_require(r, st);
	case GUEST_STMT_REQUIRE_FEATURE:
		return run_require_feature(r, st->u.require);
	case GUEST_STMT_REQUIRE_STMT:
		return run_require_stmt(r, st);
	case GUEST_STMT_KERNEL: {
		int ret = 0;

		if (!guest__kernel_matches(r, st->u.kernel.versions))
			return 0;
		r->st = st->u.kernel.inner;
		ret = run_stmt(r, st->u.kernel.inner);
		r->st = st;
		return ret;
	}
	case GUEST_STMT_OPEN:
		return run_open(r, st->u.name, false);
	case GUEST_STMT_OPEN_PRIMARY:
		return run_open(r, st->u.name, true);
	case GUEST_STMT_VIRTIO:
		return guest__run_virtio(r, &st->u.virtio);
	case GUEST_STMT_READ:
		return guest__run_read(r, &st->u.read);
	case GUEST_STMT_POLL:
		return guest__run_poll(r, &st->u.poll);
	case GUEST_STMT_EXPECT_STRING:
		return guest__run_expect_string(r, &st->u.string);
	case GUEST_STMT_VENUS:
		return guest__run_venus(r, &st->u.venus);
	case GUEST_STMT_CLOSE:
		return run_close(r, st->u.name);
	case GUEST_STMT_UNMAP:
		return run_unmap(r, st->u.name);
	case GUEST_STMT_IOCTL:
		return guest__run_ioctl(r, &st->u.ioctl);
	case GUEST_STMT_VIRGL:
		return guest__run_virgl(r, &st->u.virgl);
	case GUEST_STMT_WAIT_FENCE:
		return guest__run_wait_fence(r, &st->u.wait);
	case GUEST_STMT_EXPECT_MEM:
		return guest__run_expect_mem(r, &st->u.mem);
	case GUEST_STMT_EXPECT_PIXELS:
		return guest__run_pixels(r, &st->u.pixels, false);
	case GUEST_STMT_FILL:
		return guest__run_pixels(r, &st->u.pixels, true);
	}
	return guest__fail(r, "internal error: statement kind %d",
			   (int)st->kind);
}

void guest_outcome_fini(struct guest_outcome *o)
{
	free(o->message);
	o->message = NULL;
}

int guest_script_run(const struct guest_script *script, struct km_device *dev,
		     const struct guest_run_options *opts,
		     struct guest_outcome *out)
{
	struct guest_run r = { .script = script, .dev = dev };
	int ret = 0;

	r.trace = opts ? opts->trace : NULL;
	r.features = opts ? opts->features : 0;
	for (unsigned i = 0; i < script->n && ret == 0; i++) {
		r.st = &script->stmts[i];
		if (r.trace)
			fprintf(r.trace, "# %s:%u: %s\n", r.st->path,
				r.st->line, r.st->text);
		ret = run_stmt(&r, r.st);
	}
	cleanup(&r);
	if (ret == -ENOMEM) {
		free(r.msg);
		return -ENOMEM;
	}
	if (ret && !r.msg && asprintf(&r.msg, "%s:%u: internal error %d",
				      r.st->path, r.st->line, ret) < 0)
		return -ENOMEM;
	out->kind = !ret ? GUEST_OUTCOME_PASS
			 : r.skip ? GUEST_OUTCOME_SKIP : GUEST_OUTCOME_FAIL;
	out->message = r.msg;
	return 0;
}
