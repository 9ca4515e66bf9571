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

#include "guest/scenario_int.h"
#include "kernelmock/km.h"

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

static int fill_args(struct guest_run *r, struct guest_call *c)
{
	const struct guest_ioctl *d = c->is->ioctl;
	const struct guest_args *args = &c->is->args;
	int ret;

	if (d->size > sizeof(c->arg.bytes) || d->nfields > 64)
		return guest__fail(r, "internal error: %s table too large",
				   d->name);
	for (unsigned i = 0; i < d->nfields; i++) {
		const struct guest_field *f = &d->fields[i];

		if (f->flags & GUEST_FF_DEFAULT)
			guest__store(c->arg.bytes + f->offset, f->size, f->def);
	}
	for (unsigned i = 0; i < args->n; i++) {
		const struct guest_arg *a = &args->v[i];

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

static int check_conds(struct guest_run *r, const struct guest_call *c)
{
	for (unsigned i = 0; i < c->is->nconds; i++) {
		const struct guest_cond *k = &c->is->conds[i];
		bool sign = k->field->flags & GUEST_FF_SIGNED;
		char got[48];
		uint64_t v = 0;
		int ret = read_cond_field(r, c, k->field, &v);

		if (ret)
			return ret;
		if (k->has_mask)
			v &= k->mask;
		if (guest__cmp(k->cmp, v, k->value, sign))
			continue;
		guest__format_value(v, sign, got, sizeof(got));
		return guest__fail(r, "expected %s, got %s", k->text, got);
	}
	return 0;
}

static void call_cleanup(struct guest_call *c)
{
	for (unsigned i = 0; i < c->ntmp; i++)
		free(c->tmp[i]);
	free(c->caps);
}

int guest__run_ioctl(struct guest_run *r, const struct guest_ioctl_stmt *is)
{
	const struct guest_ioctl *d = is->ioctl;
	struct guest_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.is = is;
	ret = guest__obj_get(r, is->file, GUEST_OBJ_FILE, true, &c.file);
	if (!ret)
		ret = fill_args(r, &c);
	if (!ret && d->prepare)
		ret = d->prepare(r, &c);
	if (!ret) {
		c.ret = km_ioctl(c.file->u.file, d->request, c.arg.bytes);
		if (d->finish)
			ret = d->finish(r, &c);
	}
	if (!ret)
		ret = check_errno(r, &c);
	if (!ret)
		ret = check_conds(r, &c);
	call_cleanup(&c);
	return ret;
}
