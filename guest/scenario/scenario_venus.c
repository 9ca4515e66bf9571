/* SPDX-License-Identifier: MIT */
/*
 * "venus FILE OP [field=value ...] [expect ...]": Vulkan over a venus
 * context through the venus encoder and its flows (guest/venus/venus.h).  A
 * file gets one venus session ("venus gpu session"), which makes its
 * context a venus one with a mapped blob_id 0 reply stream; later
 * operations create the instance and device and run a GPU fill that is
 * read back through a mapped memory blob.  Conditions check what the
 * flow reports (the physical device's properties, the fill's result).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guest/common/util.h"
#include "guest/scenario/scenario_int.h"
#include "guest/venus/venus.h"

#define F(st, m, nm, ...)                                               \
	{ .name = nm, .type = GUEST_FT_NUM, .offset = offsetof(st, m),  \
	  .size = sizeof(((st *)0)->m), __VA_ARGS__ }

/* Arguments and results of every operation, in one place. */
struct vn_args {
	uint32_t reply_size;
	uint32_t api_version;
	struct guest_vn_fill_params fill;
};

union vn_result {
	struct guest_vn_instance_info instance;
	struct guest_vn_fill_result fill;
};

static const struct guest_field session_args[] = {
	F(struct vn_args, reply_size, "reply_size"),
};
static const struct guest_field instance_args[] = {
	F(struct vn_args, api_version, "api_version"),
};
static const struct guest_field fill_args[] = {
	F(struct vn_args, fill.size, "size"),
	F(struct vn_args, fill.pattern, "pattern"),
};

#define II struct guest_vn_instance_info
static const struct guest_field instance_results[] = {
	F(II, physical_device_count, "physical_device_count"),
	F(II, props.apiVersion, "apiVersion"),
	F(II, props.driverVersion, "driverVersion"),
	F(II, props.vendorID, "vendorID"),
	F(II, props.deviceID, "deviceID"),
	F(II, props.deviceType, "deviceType"),
	{ .name = "deviceName", .type = GUEST_FT_CHARS,
	  .offset = offsetof(II, props.deviceName),
	  .size = VK_MAX_PHYSICAL_DEVICE_NAME_SIZE },
	F(II, memory.memoryTypeCount, "memoryTypeCount"),
	F(II, memory.memoryHeapCount, "memoryHeapCount"),
	F(II, host_visible_type, "host_visible_type"),
	F(II, queue_family, "queue_family"),
};
#undef II
#define FR struct guest_vn_fill_result
static const struct guest_field fill_results[] = {
	F(FR, mapped, "mapped"),
	F(FR, memory_res_id, "memory_res_id"),
	F(FR, checked, "checked"),
	F(FR, mismatch_offset, "mismatch_offset"),
	F(FR, mismatch_value, "mismatch_value"),
};
#undef FR

enum vn_op_kind { VN_SESSION, VN_INSTANCE, VN_DEVICE, VN_FILL,
		  VN_DESTROY_DEVICE, VN_DESTROY_INSTANCE };

struct guest_vn_op {
	const char *name;
	enum vn_op_kind kind;
	const struct guest_field *args, *results;
	unsigned nargs, nresults;
};

#define OP(nm, k, a, r) { nm, k, a, r, COUNT(a), COUNT(r) }
static const struct guest_vn_op ops[] = {
	{ "session", VN_SESSION, session_args, NULL, COUNT(session_args), 0 },
	OP("instance", VN_INSTANCE, instance_args, instance_results),
	{ "device", VN_DEVICE, NULL, NULL, 0, 0 },
	OP("fill", VN_FILL, fill_args, fill_results),
	{ "destroy_device", VN_DESTROY_DEVICE, NULL, NULL, 0, 0 },
	{ "destroy_instance", VN_DESTROY_INSTANCE, NULL, NULL, 0, 0 },
};

int guest__parse_venus(struct guest_parser *p, struct guest_stmt *st)
{
	struct guest_venus_stmt *vs = &st->u.venus;
	const struct guest_tok *t;
	int ret;

	st->kind = GUEST_STMT_VENUS;
	p->pos++;
	ret = guest__take_ident(p, "a file name", &vs->file);
	if (ret)
		return ret;
	t = guest__cur(p);
	for (size_t i = 0; i < COUNT(ops) && !vs->op; i++) {
		if (guest__tok_is(t, ops[i].name))
			vs->op = &ops[i];
	}
	if (!vs->op)
		return guest__perr(p, t, "a venus operation (session, instance, "
				   "device, fill, destroy_device, "
				   "destroy_instance)");
	p->pos++;
	ret = guest__parse_args(p, vs->op->name, vs->op->args, vs->op->nargs,
				NULL, 0, &vs->args);
	if (!ret && guest__tok_is(guest__cur(p), "expect")) {
		p->pos++;
		if (guest__cur(p)->kind == GUEST_TOK_EOL)
			return guest__perr(p, guest__cur(p), "a condition "
					   "(errno=NAME or FIELD OP VALUE)");
		while (!ret && guest__cur(p)->kind != GUEST_TOK_EOL) {
			if (guest__tok_is(guest__cur(p), "errno"))
				ret = guest__parse_errno(p, NULL,
							 &vs->expect_errno);
			else
				ret = guest__parse_field_cond(
					p, vs->op->name, vs->op->results,
					vs->op->nresults, NULL, 0, &vs->conds,
					&vs->nconds);
		}
	}
	return ret ? ret : guest__end_of_line(p, "a field=value, 'expect' or "
					      "end of line");
}

static int run_op(struct guest_obj *f, const struct guest_vn_op *op,
		  const struct vn_args *a, union vn_result *res, char *err,
		  size_t errlen)
{
	struct guest_vn_session_options so = {
		.reply_size = a->reply_size, .error = err, .error_size = errlen,
	};

	switch (op->kind) {
	case VN_SESSION:
		if (f->vn)
			return -EEXIST;
		return guest_vn_session_create(f->u.file, &so, &f->vn);
	case VN_INSTANCE:
		return guest_vn_instance_create(f->vn, a->api_version,
						&res->instance);
	case VN_DEVICE:
		return guest_vn_device_create(f->vn);
	case VN_FILL:
		return guest_vn_fill_test(f->vn, &a->fill, &res->fill);
	case VN_DESTROY_DEVICE:
		return guest_vn_device_destroy(f->vn);
	case VN_DESTROY_INSTANCE:
		return guest_vn_instance_destroy(f->vn);
	}
	return -EINVAL;
}

static int check(struct guest_run *r, const struct guest_venus_stmt *vs,
		 int ret, const char *why, const union vn_result *res)
{
	char eb[32], want[32];

	if (vs->expect_errno && ret == -vs->expect_errno)
		return 0;
	if (vs->expect_errno)
		return guest__fail(r, "expected errno %s, got %s%s%s",
				   guest__errno_name(vs->expect_errno, want,
						     sizeof(want)),
				   ret ? guest__errno_name(ret, eb, sizeof(eb))
				       : "success", *why ? ": " : "", why);
	if (ret)
		return guest__fail(r, "%s: %s", guest__errno_name(ret, eb,
							      sizeof(eb)),
				   *why ? why : "(no message)");
	for (unsigned i = 0; i < vs->nconds; i++) {
		const struct guest_cond *k = &vs->conds[i];
		const uint8_t *base = (const uint8_t *)res + k->field->offset;
		int cret = k->field->type == GUEST_FT_CHARS
			? guest__check_cond(r, k, 0, (const char *)base,
					    k->field->size)
			: guest__check_cond(r, k, guest__load(base,
							      k->field->size),
					    NULL, 0);

		if (cret)
			return cret;
	}
	return 0;
}

int guest__run_venus(struct guest_run *r, const struct guest_venus_stmt *vs)
{
	struct vn_args a;
	union vn_result res;
	char err[256] = "";
	struct guest_obj *f;
	int ret = guest__obj_get(r, vs->file, GUEST_OBJ_FILE, true, &f);

	if (ret)
		return ret;
	if (!f->vn && vs->op->kind != VN_SESSION)
		return guest__fail(r, "file '%s' has no venus session; start "
				   "one with 'venus %s session'", vs->file,
				   vs->file);
	memset(&a, 0, sizeof(a));
	memset(&res, 0, sizeof(res));
	for (unsigned i = 0; i < vs->args.n; i++) {
		ret = guest__write_field(r, vs->args.v[i].field, &vs->args.v[i],
					 &a, NULL);
		if (ret)
			return ret;
	}
	ret = run_op(f, vs->op, &a, &res, err, sizeof(err));
	if (ret == -EEXIST && vs->op->kind == VN_SESSION && f->vn)
		snprintf(err, sizeof(err), "file '%s' has a venus session "
			 "already", vs->file);
	else if (f->vn && !err[0])
		snprintf(err, sizeof(err), "%s", guest_vn_session_error(f->vn));
	return check(r, vs, ret, err, &res);
}

const char *guest__vn_op_name(const struct guest_vn_op *op)
{
	return op->name;
}

void guest__venus_release(struct guest_obj *file)
{
	guest_vn_session_destroy(file->vn);
	file->vn = NULL;
}
