/* SPDX-License-Identifier: MIT */
/*
 * Running one "ioctl" statement: build the argument struct (zero, field
 * defaults, the script's fields, the ioctl's own prepare hook), call
 * km_ioctl, let the ioctl bind its result, then check the expectations.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

void guest__format_value(uint64_t v, bool is_signed, char *buf, size_t len)
{
	if (is_signed && (int64_t)v < 0)
		snprintf(buf, len, "%" PRId64, (int64_t)v);
	else if (v < 10)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 " (0x%" PRIx64 ")", v, v);
}

int guest__call_keep(struct guest_run *r, struct guest_call *c, void *p)
{
	if (!p)
		return guest__oom(r);
	if (c->ntmp == GUEST_CALL_MAX_TMP) {
		free(p);
		return guest__fail(r, "internal error: too many buffers");
	}
	c->tmp[c->ntmp++] = p;
	return 0;
}

/* raw= and ioctl_size=: the bytes the call starts from, the size the
 * request number carries. */
static int fill_pseudo(struct guest_run *r, struct guest_call *c)
{
	const struct guest_arg *raw = guest__find_arg(&c->is->args, "raw");
	const struct guest_arg *sz = guest__find_arg(&c->is->args,
						     "ioctl_size");

	c->ioctl_size = sz ? sz->vals[0].u : _IOC_SIZE(c->is->request);
	if (c->ioctl_size > GUEST_CALL_ARG_MAX)
		return guest__fail(r, "ioctl_size=%zu: the runner passes at "
				   "most %u bytes", c->ioctl_size,
				   GUEST_CALL_ARG_MAX);
	if (!raw)
		return 0;
	if (raw->vals[0].u > GUEST_CALL_ARG_MAX)
		return guest__fail(r, "raw= has %llu bytes; at most %u",
				   (unsigned long long)raw->vals[0].u,
				   GUEST_CALL_ARG_MAX);
	memcpy(c->arg.bytes, raw->vals[0].s, raw->vals[0].u);
	c->raw = true;
	if (!sz && !c->is->ioctl->size)
		c->ioctl_size = _IOC_SIZE(c->is->request);
	return 0;
}

static int fill_args(struct guest_run *r, struct guest_call *c)
{
	const struct guest_ioctl *d = c->is->ioctl;
	const struct guest_args *args = &c->is->args;
	int ret;

	if (d->size > sizeof(c->arg.bytes) || d->nfields > 64)
		return guest__fail(r, "internal error: %s table too large",
				   guest__ioctl_name(d));
	ret = fill_pseudo(r, c);
	if (ret)
		return ret;
	for (unsigned i = 0; i < d->nfields && !c->raw; i++) {
		const struct guest_field *f = &d->fields[i];

		if (f->flags & GUEST_FF_DEFAULT)
			guest__store(c->arg.bytes + f->offset, f->size, f->def);
	}
	for (unsigned i = 0; i < args->n; i++) {
		const struct guest_arg *a = &args->v[i];

		if (a->field->flags & GUEST_FF_PSEUDO)
			continue;
		c->given |= 1ull << (a->field - d->fields);
		if (a->field->type == GUEST_FT_CTX_PARAM)
			continue;
		ret = guest__write_field(r, a->field, a, c->arg.bytes, c);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_errno(struct guest_run *r, const struct guest_call *c)
{
	int want = c->is->expect_errno;
	char b1[32], b2[32];

	if (want == 0 && c->ret == 0)
		return 0;
	if (want == 0)
		return guest__fail(r, "expected success, got %s (%d)",
				   guest__errno_name(c->ret, b1, sizeof(b1)),
				   c->ret);
	if (c->ret == 0)
		return guest__fail(r, "expected errno %s, got success",
				   guest__errno_name(want, b1, sizeof(b1)));
	if (-c->ret != want)
		return guest__fail(r, "expected errno %s, got %s (%d)",
				   guest__errno_name(want, b1, sizeof(b1)),
				   guest__errno_name(c->ret, b2, sizeof(b2)),
				   c->ret);
	return 0;
}

/* The string a STRPTR field points to: only a runner buffer is read. */
static int read_strptr(struct guest_run *r, const struct guest_call *c,
		       const struct guest_field *f, const char **s, size_t *n)
{
	const char *buf = c->strbuf[f->param];
	uint64_t len = guest__load(c->arg.bytes + f->count_offset, 8);

	if (!buf)
		return guest__fail(r, "%s was given as a raw pointer; there is "
				   "no string to check", f->name);
	*s = buf;
	*n = len < 64 ? len : 64;
	return 0;
}

static int read_cond_field(struct guest_run *r, const struct guest_call *c,
			   const struct guest_field *f, uint64_t *v)
{
	if (f->flags & GUEST_FF_DEREF) {
		if (!c->param_default)
			return guest__fail(r, "%s was given as a raw pointer; "
					   "there is no result to check",
					   f->name);
		*v = c->param[0];
		return 0;
	}
	*v = guest__load(c->arg.bytes + f->offset, f->size);
	if ((f->flags & GUEST_FF_SIGNED) && f->size == 4)
		*v = (uint64_t)(int64_t)(int32_t)*v;
	return 0;
}

static void format_for(const struct guest_field *f, uint64_t v, char *buf,
		       size_t len)
{
	const struct guest_sym *s = NULL;

	if (f && f->syms && !(f->flags & GUEST_FF_FLAGS))
		s = guest_symtab_find_value(f->syms, v);
	if (s)
		snprintf(buf, len, "%s (0x%llx)", s->name, (unsigned long long)v);
	else
		guest__format_value(v, f && (f->flags & GUEST_FF_SIGNED), buf,
				    len);
}

int guest__check_cond(struct guest_run *r, const struct guest_cond *k,
		      uint64_t v, const char *str, size_t str_len)
{
	bool sign = k->field && (k->field->flags & GUEST_FF_SIGNED);
	char got[96];

	if (k->str) {
		size_t n = strnlen(str, str_len);
		bool eq = n == strlen(k->str) && memcmp(str, k->str, n) == 0;

		if (eq == (k->cmp == GUEST_CMP_EQ))
			return 0;
		return guest__fail(r, "expected %s, got \"%.*s\"", k->text,
				   (int)n, str);
	}
	if (k->has_mask)
		v &= k->mask;
	if (guest__cmp(k->cmp, v, k->value, sign))
		return 0;
	format_for(k->field, v, got, sizeof(got));
	return guest__fail(r, "expected %s, got %s", k->text, got);
}

static int check_conds(struct guest_run *r, const struct guest_call *c)
{
	for (unsigned i = 0; i < c->is->nconds; i++) {
		const struct guest_cond *k = &c->is->conds[i];
		const char *str = NULL;
		size_t n = 0;
		uint64_t v = 0;
		int ret;

		if (k->field->type == GUEST_FT_STRPTR)
			ret = read_strptr(r, c, k->field, &str, &n);
		else if (k->field->type == GUEST_FT_CHARS) {
			str = (const char *)c->arg.bytes + k->field->offset;
			n = k->field->size;
			ret = 0;
		} else {
			ret = read_cond_field(r, c, k->field, &v);
		}
		if (!ret)
			ret = guest__check_cond(r, k, v, str, n);
		if (ret)
			return ret;
	}
	return 0;
}

static void call_cleanup(struct guest_call *c)
{
	for (unsigned i = 0; i < c->ntmp; i++)
		free(c->tmp[i]);
	for (unsigned i = 0; i < 3; i++)
		free(c->strbuf[i]);
	free(c->caps);
}

/* The request number with the argument size the call uses. */
static unsigned long request_of(const struct guest_call *c)
{
	unsigned long req = c->is->request;
	unsigned long mask = (unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT;

	return (req & ~mask) | ((unsigned long)c->ioctl_size << _IOC_SIZESHIFT);
}

static int do_ioctl(struct guest_run *r, struct guest_call *c)
{
	const struct guest_ioctl *d = c->is->ioctl;
	struct guest_obj *fence;
	int ret;

	if (!d->on_fence) {
		c->ret = km_ioctl(c->file->u.file, request_of(c), c->arg.bytes);
		return 0;
	}
	ret = guest__obj_get(r, c->is->file, GUEST_OBJ_FENCE, true, &fence);
	if (!ret)
		c->ret = km_sync_ioctl(r->dev, fence->u.fence_fd, request_of(c),
				       c->arg.bytes);
	return ret;
}

static struct guest_obj *any_file(struct guest_run *r)
{
	for (struct guest_obj *o = r->objs; o; o = o->next) {
		if (o->kind == GUEST_OBJ_FILE && !o->dead)
			return o;
	}
	return NULL;
}

int guest__run_ioctl(struct guest_run *r, const struct guest_ioctl_stmt *is)
{
	const struct guest_ioctl *d = is->ioctl;
	struct guest_call *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return guest__oom(r);
	c->is = is;
	ret = 0;
	if (d->on_fence)	/* sync_file ioctls need no DRM file */
		c->file = any_file(r);
	else
		ret = guest__obj_get(r, is->file, GUEST_OBJ_FILE, true,
				     &c->file);
	if (!ret)
		ret = fill_args(r, c);
	if (!ret && d->prepare && !c->raw)
		ret = d->prepare(r, c);
	if (!ret)
		ret = do_ioctl(r, c);
	if (!ret && d->finish)
		ret = d->finish(r, c);
	if (!ret)
		ret = check_errno(r, c);
	if (!ret)
		ret = check_conds(r, c);
	call_cleanup(c);
	free(c);
	return ret;
}
