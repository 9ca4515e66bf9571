/* SPDX-License-Identifier: MIT */
/*
 * The scenario (.vgs) parser: good lines become the right statements with
 * the right values; bad lines give exactly
 * "file:line:column: error: expected <form>, got '<token>'".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest/common/util.h"
#include "guest/scenario/scenario_int.h"
#include "kernelmock/virtgpu_drm.h"


static struct guest_script *parse_ok(const char *text)
{
	struct guest_script *s = NULL;
	char *err = NULL;
	int ret = guest_script_parse("t.vgs", text, strlen(text), &s, &err);

	if (ret)
		fail_msg("parse of \"%s\" failed: %s", text, err);
	assert_null(err);
	return s;
}

static const struct guest_stmt *only_stmt(const struct guest_script *s,
					  enum guest_stmt_kind kind)
{
	assert_int_equal(guest_script_length(s), 1);
	assert_int_equal(s->stmts[0].kind, kind);
	return &s->stmts[0];
}

static const struct guest_arg *arg(const struct guest_args *args,
				   const char *name)
{
	for (unsigned i = 0; i < args->n; i++) {
		if (strcmp(args->v[i].field->name, name) == 0)
			return &args->v[i];
	}
	fail_msg("no argument %s", name);
	return NULL;
}

static uint64_t arg_int(const struct guest_args *args, const char *name)
{
	const struct guest_arg *a = arg(args, name);

	assert_int_equal(a->nvals, 1);
	assert_int_equal(a->vals[0].kind, GUEST_VAL_INT);
	return a->vals[0].u;
}

static void test_scenario_parse_getparam(void **state)
{
	struct guest_script *s =
		parse_ok("ioctl gpu GETPARAM param=3D_FEATURES expect value=1");
	const struct guest_ioctl_stmt *is =
		&only_stmt(s, GUEST_STMT_IOCTL)->u.ioctl;

	(void)state;
	assert_string_equal(is->file, "gpu");
	assert_string_equal(guest__ioctl_name(is->ioctl), "GETPARAM");
	assert_int_equal(is->ioctl->request, DRM_IOCTL_VIRTGPU_GETPARAM);
	assert_int_equal(is->args.n, 1);
	assert_int_equal(arg_int(&is->args, "param"), VIRTGPU_PARAM_3D_FEATURES);
	assert_int_equal(is->expect_errno, 0);
	assert_int_equal(is->nconds, 1);
	assert_string_equal(is->conds[0].field->name, "value");
	assert_int_equal(is->conds[0].cmp, GUEST_CMP_EQ);
	assert_int_equal(is->conds[0].value, 1);
	assert_string_equal(is->conds[0].text, "value == 1");
	assert_null(is->bind);
	guest_script_destroy(s);
}

static void test_scenario_parse_errno_and_mask(void **state)
{
	struct guest_script *s = parse_ok(
		"ioctl gpu GETPARAM param=99 expect errno=EINVAL\n"
		"ioctl gpu GETPARAM param=supported_capset_ids "
		"expect value & 0x6 == 0x6\n");
	const struct guest_ioctl_stmt *a = &s->stmts[0].u.ioctl;
	const struct guest_ioctl_stmt *b = &s->stmts[1].u.ioctl;

	(void)state;
	assert_int_equal(guest_script_length(s), 2);
	assert_int_equal(arg_int(&a->args, "param"), 99);
	assert_int_equal(a->expect_errno, EINVAL);
	assert_int_equal(a->nconds, 0);
	assert_int_equal(arg_int(&b->args, "param"),
			 VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs);
	assert_true(b->conds[0].has_mask);
	assert_int_equal(b->conds[0].mask, 6);
	assert_int_equal(b->conds[0].value, 6);
	assert_string_equal(b->conds[0].text, "value & 0x6 == 0x6");
	assert_int_equal(s->stmts[1].line, 2);
	guest_script_destroy(s);
}

static void test_scenario_parse_resource_create(void **state)
{
	struct guest_script *s = parse_ok(
		"ioctl gpu RESOURCE_CREATE target=PIPE_TEXTURE_2D "
		"format=B8G8R8A8_UNORM bind=RENDER_TARGET|SAMPLER_VIEW "
		"width=64 height=0x40 -> bo rt expect res_handle!=0");
	const struct guest_ioctl_stmt *is =
		&only_stmt(s, GUEST_STMT_IOCTL)->u.ioctl;

	(void)state;
	assert_int_equal(arg_int(&is->args, "target"), 2);
	assert_int_equal(arg_int(&is->args, "format"), 1);
	assert_int_equal(arg_int(&is->args, "bind"), 2 | 8);
	assert_int_equal(arg_int(&is->args, "width"), 64);
	assert_int_equal(arg_int(&is->args, "height"), 64);
	assert_string_equal(arg(&is->args, "bind")->text,
			    "RENDER_TARGET|SAMPLER_VIEW");
	assert_string_equal(is->bind, "rt");
	assert_int_equal(is->conds[0].cmp, GUEST_CMP_NE);
	assert_string_equal(is->conds[0].text, "res_handle != 0");
	guest_script_destroy(s);
}

static void test_scenario_parse_caps_and_memory(void **state)
{
	struct guest_script *s = parse_ok(
		"ioctl gpu GET_CAPS cap_set_id=VIRGL2 cap_set_ver=2 size=1376 "
		"-> caps\n"
		"expect u32 caps[0] == 2\n"
		"expect u8 caps[1376] & 0xf0 != 0x10\n");
	const struct guest_mem_stmt *m = &s->stmts[1].u.mem;
	const struct guest_mem_stmt *b = &s->stmts[2].u.mem;

	(void)state;
	assert_int_equal(guest_script_length(s), 3);
	assert_int_equal(arg_int(&s->stmts[0].u.ioctl.args, "cap_set_id"), 2);
	assert_string_equal(s->stmts[0].u.ioctl.bind, "caps");
	assert_int_equal(s->stmts[1].kind, GUEST_STMT_EXPECT_MEM);
	assert_string_equal(m->buf, "caps");
	assert_int_equal(m->width, 4);
	assert_int_equal(m->index, 0);
	assert_int_equal(m->cond.value, 2);
	assert_string_equal(m->cond.text, "caps[0] == 2");
	assert_int_equal(b->width, 1);
	assert_int_equal(b->index, 1376);
	assert_true(b->cond.has_mask);
	assert_int_equal(b->cond.mask, 0xf0);
	assert_int_equal(b->cond.cmp, GUEST_CMP_NE);
	guest_script_destroy(s);
}

static void test_scenario_parse_context_init(void **state)
{
	struct guest_script *s = parse_ok(
		"ioctl gpu CONTEXT_INIT CAPSET_ID=VIRGL2 NUM_RINGS=2 "
		"DEBUG_NAME=\"a \\\"b\\\"\" param=0x99,7 CAPSET_ID=4");
	const struct guest_args *args =
		&only_stmt(s, GUEST_STMT_IOCTL)->u.ioctl.args;

	(void)state;
	assert_int_equal(args->n, 5);
	assert_int_equal(args->v[0].field->param,
			 VIRTGPU_CONTEXT_PARAM_CAPSET_ID);
	assert_int_equal(args->v[0].vals[0].u, VIRTGPU_DRM_CAPSET_VIRGL2);
	assert_int_equal(args->v[1].vals[0].u, 2);
	assert_int_equal(args->v[2].vals[0].kind, GUEST_VAL_STRING);
	assert_string_equal(args->v[2].vals[0].s, "a \"b\"");
	assert_int_equal(args->v[3].field->param, 0);
	assert_int_equal(args->v[3].nvals, 2);
	assert_int_equal(args->v[3].vals[0].u, 0x99);
	assert_int_equal(args->v[3].vals[1].u, 7);
	assert_int_equal(args->v[4].vals[0].u, 4);	/* given twice: allowed */
	guest_script_destroy(s);
}

static void test_scenario_parse_virgl(void **state)
{
	struct guest_script *s = parse_ok(
		"virgl s begin\n"
		"virgl s create_sub_ctx 1\n"
		"virgl s create_surface handle=10 res=rt format=B8G8R8A8_UNORM\n"
		"virgl s set_framebuffer_state cbufs=10,11 zsurf=12\n"
		"virgl s clear buffers=COLOR0|DEPTH color=1.0,0.2,0,1 depth=1.0\n"
		"virgl s dwords 0x1d 2,3\n");
	const struct guest_virgl_stmt *v = &s->stmts[0].u.virgl;
	const struct guest_arg *a;

	(void)state;
	assert_int_equal(guest_script_length(s), 6);
	assert_int_equal(s->stmts[0].kind, GUEST_STMT_VIRGL);
	assert_string_equal(v->stream, "s");
	assert_int_equal(v->op->kind, GUEST_VOP_BEGIN);
	assert_int_equal(arg_int(&s->stmts[1].u.virgl.args, "id"), 1);
	a = arg(&s->stmts[2].u.virgl.args, "res");
	assert_int_equal(a->vals[0].kind, GUEST_VAL_NAME);
	assert_string_equal(a->vals[0].s, "rt");
	a = arg(&s->stmts[3].u.virgl.args, "cbufs");
	assert_int_equal(a->nvals, 2);
	assert_int_equal(a->vals[1].u, 11);
	assert_int_equal(arg_int(&s->stmts[4].u.virgl.args, "buffers"), 5);
	a = arg(&s->stmts[4].u.virgl.args, "color");
	assert_int_equal(a->nvals, 4);
	assert_true(a->vals[1].f == 0.2 && a->vals[2].f == 0.0);
	a = arg(&s->stmts[5].u.virgl.args, "dwords");
	assert_int_equal(a->nvals, 3);
	assert_int_equal(a->vals[0].u, 0x1d);
	assert_int_equal(a->vals[2].u, 3);
	guest_script_destroy(s);
}

static void test_scenario_parse_execbuffer(void **state)
{
	struct guest_script *s = parse_ok(
		"ioctl gpu EXECBUFFER command=s bo_handles=rt,5 "
		"flags=FENCE_FD_OUT|VIRTGPU_EXECBUF_FENCE_FD_IN fence_fd=-1 "
		"-> fence f expect fence_fd >= 0");
	const struct guest_ioctl_stmt *is =
		&only_stmt(s, GUEST_STMT_IOCTL)->u.ioctl;
	const struct guest_arg *h = arg(&is->args, "bo_handles");

	(void)state;
	assert_int_equal(arg(&is->args, "command")->vals[0].kind,
			 GUEST_VAL_NAME);
	assert_int_equal(h->nvals, 2);
	assert_int_equal(h->vals[0].kind, GUEST_VAL_NAME);
	assert_int_equal(h->vals[1].kind, GUEST_VAL_INT);
	assert_int_equal(h->vals[1].u, 5);
	assert_int_equal(arg_int(&is->args, "flags"), 3);
	assert_int_equal(arg_int(&is->args, "fence_fd"), UINT64_MAX);
	assert_string_equal(is->bind, "f");
	assert_int_equal(is->conds[0].cmp, GUEST_CMP_GE);
	guest_script_destroy(s);
}

static void test_scenario_parse_wait_pixels_fill(void **state)
{
	struct guest_script *s = parse_ok(
		"wait_fence f timeout_ms=50 expect timeout\n"
		"expect pixels rt rect=0,0,64,64 stride=256 == 0xffff3300 "
		"tolerance=2\n"
		"fill m 0xff00ff00 rect=1,2,3,4\n"
		"wait_fence g\n");
	const struct guest_pixels_stmt *px = &s->stmts[1].u.pixels;
	const struct guest_pixels_stmt *fl = &s->stmts[2].u.pixels;

	(void)state;
	assert_int_equal(s->stmts[0].kind, GUEST_STMT_WAIT_FENCE);
	assert_int_equal(s->stmts[0].u.wait.timeout_ms, 50);
	assert_true(s->stmts[0].u.wait.expect_timeout);
	assert_int_equal(s->stmts[1].kind, GUEST_STMT_EXPECT_PIXELS);
	assert_string_equal(px->target, "rt");
	assert_true(px->has_rect && px->has_stride);
	assert_int_equal(px->rect[2], 64);
	assert_int_equal(px->stride, 256);
	assert_int_equal(px->value, 0xffff3300);
	assert_int_equal(px->tolerance, 2);
	assert_int_equal(s->stmts[2].kind, GUEST_STMT_FILL);
	assert_int_equal(fl->value, 0xff00ff00);
	assert_int_equal(fl->rect[0], 1);
	assert_int_equal(fl->rect[3], 4);
	assert_false(fl->has_stride);
	assert_int_equal(s->stmts[3].u.wait.timeout_ms, 10000);
	assert_false(s->stmts[3].u.wait.expect_timeout);
	guest_script_destroy(s);
}

static void test_scenario_parse_lines_and_comments(void **state)
{
	struct guest_script *s = parse_ok(
		"# a comment\n"
		"\n"
		"\topen gpu   # trailing comment\r\n"
		"require capset VIRGL2\n"
		"require param RESOURCE_BLOB\n"
		"close gpu");	/* no final newline */

	(void)state;
	assert_int_equal(guest_script_length(s), 4);
	assert_int_equal(s->stmts[0].kind, GUEST_STMT_OPEN);
	assert_int_equal(s->stmts[0].line, 3);
	assert_string_equal(s->stmts[0].text, "open gpu");
	assert_string_equal(s->stmts[0].u.name, "gpu");
	assert_int_equal(s->stmts[1].kind, GUEST_STMT_REQUIRE_CAPSET);
	assert_int_equal(s->stmts[1].u.require, VIRTGPU_DRM_CAPSET_VIRGL2);
	assert_int_equal(s->stmts[2].kind, GUEST_STMT_REQUIRE_PARAM);
	assert_int_equal(s->stmts[2].u.require, VIRTGPU_PARAM_RESOURCE_BLOB);
	assert_int_equal(s->stmts[3].kind, GUEST_STMT_CLOSE);
	assert_int_equal(s->stmts[3].line, 6);
	guest_script_destroy(s);
}

struct bad_case {
	const char *desc;
	const char *text;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "unknown statement", "frobnicate gpu",
	  "t.vgs:1:1: error: expected a statement (device, require, open, "
	  "open_primary, close, unmap, ioctl, virgl, virtio, venus, "
	  "wait_fence, poll, read, expect, fill, kernel, set, include, "
	  "repeat), got 'frobnicate'" },
	{ "unknown kernel version", "kernel 6.1,5.4 open gpu",
	  "t.vgs:1:8: error: expected a kernel version (6.1, 6.6, 6.8, 6.12, "
	  "6.14, 7.2), not '5.4', got '6.1'" },
	{ "unknown ioctl", "ioctl gpu FROB",
	  "t.vgs:1:11: error: expected an ioctl (MAP, EXECBUFFER, GETPARAM, "
	  "RESOURCE_CREATE, RESOURCE_INFO, TRANSFER_FROM_HOST, "
	  "TRANSFER_TO_HOST, WAIT, GET_CAPS, RESOURCE_CREATE_BLOB, "
	  "CONTEXT_INIT, GEM_CLOSE, VERSION, GET_CAP, GEM_FLINK, GEM_OPEN, "
	  "PRIME_HANDLE_TO_FD, PRIME_FD_TO_HANDLE, SYNC_IOC_MERGE, "
	  "SYNC_IOC_FILE_INFO, SYNCOBJ_CREATE, SYNCOBJ_DESTROY, "
	  "SYNCOBJ_HANDLE_TO_FD, SYNCOBJ_FD_TO_HANDLE, SYNCOBJ_WAIT, "
	  "SYNCOBJ_RESET, SYNCOBJ_SIGNAL, SYNCOBJ_TIMELINE_WAIT, "
	  "SYNCOBJ_QUERY, SYNCOBJ_TRANSFER, SYNCOBJ_TIMELINE_SIGNAL) or a "
	  "request number, got 'FROB'" },
	{ "syncobj entries not in triples",
	  "ioctl gpu EXECBUFFER out_syncobjs=a,0,0,b",
	  "t.vgs:1:42: error: expected HANDLE,FLAGS,POINT triples for "
	  "out_syncobjs, got end of line" },
	{ "syncobj wait timeout_ms too long",
	  "ioctl gpu SYNCOBJ_WAIT handles=a timeout_ms=600001",
	  "t.vgs:1:45: error: expected a value from 0 to 600000 for "
	  "timeout_ms, got '600001'" },
	{ "unknown param name", "ioctl gpu GETPARAM param=FOO",
	  "t.vgs:1:26: error: expected a number or a GETPARAM param "
	  "(3D_FEATURES, CAPSET_QUERY_FIX, RESOURCE_BLOB, HOST_VISIBLE, "
	  "CROSS_DEVICE, CONTEXT_INIT, SUPPORTED_CAPSET_IDs, "
	  "EXPLICIT_DEBUG_NAME, BLOB_ALIGNMENT), got 'FOO'" },
	{ "unknown field", "ioctl gpu GETPARAM prm=1",
	  "t.vgs:1:20: error: expected a GETPARAM field (param, value, "
	  "ioctl_size, raw), got 'prm'" },
	{ "unknown format",
	  "ioctl gpu RESOURCE_CREATE format=RGBA width=1 height=1",
	  "t.vgs:1:34: error: expected a number or a virgl format name "
	  "(B8G8R8A8_UNORM, R8G8B8A8_UNORM, ...), got 'RGBA'" },
	{ "missing required field",
	  "ioctl gpu RESOURCE_CREATE format=1 width=64",
	  "t.vgs:1:44: error: expected height= (required by RESOURCE_CREATE), "
	  "got end of line" },
	{ "format without a known pixel size",
	  "ioctl gpu RESOURCE_CREATE format=DXT1_RGB width=4 height=4",
	  "t.vgs:1:34: error: expected a format with a known pixel size (or "
	  "give size= and stride=), got 'DXT1_RGB'" },
	{ "field given twice",
	  "ioctl gpu RESOURCE_CREATE format=1 width=1 width=2 height=1",
	  "t.vgs:1:44: error: expected each field at most once, got 'width'" },
	{ "value too wide for the field",
	  "ioctl gpu RESOURCE_CREATE format=1 width=0x100000000 height=1",
	  "t.vgs:1:42: error: expected a value that fits the 32-bit field "
	  "width, got '0x100000000'" },
	{ "negative value for an unsigned field",
	  "ioctl gpu WAIT handle=1 flags=-1",
	  "t.vgs:1:31: error: expected a value that fits the 32-bit field "
	  "flags, got '-1'" },
	{ "short box",
	  "ioctl gpu TRANSFER_FROM_HOST bo_handle=1 box=0,0,0,64,64",
	  "t.vgs:1:57: error: expected 6 comma-separated values for box, "
	  "got end of line" },
	{ "too many colour buffers",
	  "virgl s set_framebuffer_state cbufs=1,2,3,4,5,6,7,8,9",
	  "t.vgs:1:52: error: expected at most 8 values for cbufs, got ','" },
	{ "unknown flag",
	  "ioctl gpu EXECBUFFER flags=FENCE_FD_OUT|BOGUS",
	  "t.vgs:1:41: error: expected a number or an EXECBUFFER flag "
	  "(FENCE_FD_IN, FENCE_FD_OUT, RING_IDX), got 'BOGUS'" },
	{ "naming the result of an ioctl that has none",
	  "ioctl gpu WAIT handle=1 -> x",
	  "t.vgs:1:25: error: expected 'expect' or end of line (WAIT gives "
	  "nothing to name), got '->'" },
	{ "wrong result kind", "ioctl gpu GET_CAPS size=4 -> fence c",
	  "t.vgs:1:30: error: expected 'buffer' (what GET_CAPS gives) or a "
	  "name, got 'fence'" },
	{ "errno on a named result",
	  "ioctl gpu RESOURCE_CREATE format=1 width=1 height=1 -> rt "
	  "expect errno=EINVAL",
	  "t.vgs:1:66: error: expected no errno condition on a call whose "
	  "result is named ('-> rt'), got 'errno'" },
	{ "unknown errno", "ioctl gpu GETPARAM param=1 expect errno=EWHAT",
	  "t.vgs:1:41: error: expected an errno name (EINVAL, ENOENT, ...), "
	  "got 'EWHAT'" },
	{ "condition on an unknown field",
	  "ioctl gpu WAIT handle=1 expect nothing=0",
	  "t.vgs:1:32: error: expected errno or a WAIT field to check (handle, "
	  "flags), got 'nothing'" },
	{ "condition without a comparison",
	  "ioctl gpu WAIT handle=1 expect flags 0",
	  "t.vgs:1:38: error: expected a comparison (==, !=, <, <=, >, >=), "
	  "got '0'" },
	{ "empty expect", "ioctl gpu WAIT handle=1 expect",
	  "t.vgs:1:31: error: expected a condition (errno=NAME or FIELD OP "
	  "VALUE), got end of line" },
	{ "unterminated string", "ioctl gpu CONTEXT_INIT DEBUG_NAME=\"abc",
	  "t.vgs:1:39: error: expected a closing '\"', got end of line" },
	{ "stray character", "ioctl gpu GETPARAM param=1 @",
	  "t.vgs:1:28: error: expected a name, a number, a string or an "
	  "operator, got '@'" },
	{ "lone dollar", "ioctl gpu GETPARAM param=1 $",
	  "t.vgs:1:28: error: expected $NAME, ${NAME} or $(EXPR), got '$'" },
	{ "lone bang", "ioctl gpu WAIT handle=1 expect flags ! 0",
	  "t.vgs:1:38: error: expected '!=', got '!'" },
	{ "unknown memory width", "expect u24 caps[0] == 2",
	  "t.vgs:1:8: error: expected u8, u16, u32, u64, string or pixels, got "
	  "'u24'" },
	{ "missing index", "expect u32 caps == 2",
	  "t.vgs:1:17: error: expected '[' and an element index, got '=='" },
	{ "empty rect", "expect pixels rt rect=0,0,0,4 == 1",
	  "t.vgs:1:27: error: expected a width and height above 0, got '0'" },
	{ "pixels without a value", "expect pixels rt rect=0,0,1,1",
	  "t.vgs:1:30: error: expected '==' and the expected pixel value, "
	  "got end of line" },
	{ "tolerance out of range", "expect pixels m == 1 tolerance=256",
	  "t.vgs:1:32: error: expected a tolerance from 0 to 255, got '256'" },
	{ "unknown virgl operation", "virgl s frob",
	  "t.vgs:1:9: error: expected a virgl operation (begin, "
	  "create_sub_ctx, set_sub_ctx, destroy_sub_ctx, create_surface, "
	  "set_framebuffer_state, clear, pipe_resource_create, dwords), "
	  "got 'frob'" },
	{ "colour is not a number", "virgl s clear buffers=COLOR0 color=1,x,0,1",
	  "t.vgs:1:38: error: expected a number such as 1.0 or 0.25, got 'x'" },
	{ "wait_fence expectation", "wait_fence f expect maybe",
	  "t.vgs:1:21: error: expected 'signaled' or 'timeout', got 'maybe'" },
	{ "extra word", "open gpu extra",
	  "t.vgs:1:10: error: expected end of line, got 'extra'" },
	{ "name that is not an identifier", "open 9gpu",
	  "t.vgs:1:6: error: expected a name for the file, got '9gpu'" },
	{ "require what", "require frob VIRGL",
	  "t.vgs:1:9: error: expected 'capset', 'param', 'feature' or a "
	  "statement, got 'frob'" },
	{ "capset out of range", "require capset 99",
	  "t.vgs:1:16: error: expected a capset (VIRGL, VIRGL2, "
	  "GFXSTREAM_VULKAN, VENUS, CROSS_DOMAIN, DRM), got '99'" },
	{ "generic context param needs a value",
	  "ioctl gpu CONTEXT_INIT param=5",
	  "t.vgs:1:31: error: expected ',' and the value (param=ID,VALUE), "
	  "got end of line" },
	{ "field then garbage", "ioctl gpu WAIT handle=1 flags",
	  "t.vgs:1:25: error: expected a field=value, '->', 'expect' or end "
	  "of line, got 'flags'" },
	{ "undefined variable", "open gpu$N",
	  "t.vgs:1:9: error: expected a variable defined with 'set' or a "
	  "repeat index, got '$N'" },
	{ "error in a substituted value points at the $",
	  "set F = RGBA\nopen gpu\nioctl gpu RESOURCE_CREATE format=$F "
	  "width=1 height=1",
	  "t.vgs:3:34: error: expected a number or a virgl format name "
	  "(B8G8R8A8_UNORM, R8G8B8A8_UNORM, ...), got 'RGBA'" },
	{ "division by zero", "open g$(1 / 0)",
	  "t.vgs:1:13: error: expected a divisor other than 0 in $(...), got "
	  "'0'" },
	{ "unknown variable in an expression", "open g$(i + 1)",
	  "t.vgs:1:9: error: expected a variable defined with 'set' or a "
	  "repeat index in $(...), got 'i'" },
	{ "repeat without end", "repeat 2\nopen f",
	  "t.vgs:1:1: error: expected a matching 'end' for this repeat (none "
	  "before the end of the file), got 'repeat'" },
	{ "end without repeat", "end",
	  "t.vgs:1:1: error: expected a statement ('end' without a 'repeat'), "
	  "got 'end'" },
	{ "repeat count", "repeat many\nend",
	  "t.vgs:1:8: error: expected a repeat count from 0 to 100000, got "
	  "'many'" },
	{ "set without =", "set X 3",
	  "t.vgs:1:7: error: expected '=' (set NAME = VALUE), got '3'" },
	{ "device after a statement", "open gpu\ndevice venus",
	  "t.vgs:2:1: error: expected 'device' only before every other "
	  "statement, in the script itself (not in an included file), got "
	  "'device'" },
	/* What a device option means is checked above the guest, by the
	 * device option table (tests/test_vmm_options.c). */
	{ "device option not a word", "device =3",
	  "t.vgs:1:8: error: expected a device option (KEY or KEY=VALUE, "
	  "docs/scenarios.md), got '='" },
	{ "device option without value", "device ram=",
	  "t.vgs:1:12: error: expected a value after '=', got end of line" },
	{ "mmap_errno on another ioctl",
	  "ioctl gpu GETPARAM param=3D_FEATURES expect mmap_errno=EINVAL",
	  "t.vgs:1:45: error: expected mmap_errno only after MAP ... -> NAME "
	  "(the mmap it names), got 'mmap_errno'" },
	{ "virtio queue", "virtio fastq GET_DISPLAY_INFO",
	  "t.vgs:1:8: error: expected a queue (ctrl or cursor), or config, got "
	  "'fastq'" },
	{ "virtio response field of another response",
	  "virtio ctrl GET_CAPSET_INFO expect resp=OK_EDID capset_id=1",
	  "t.vgs:1:49: error: expected a virtio response field to check "
	  "(resp, flags, fence_id, ctx_id, ring_idx, written, size, padding), "
	  "got 'capset_id'" },
	{ "virtio raw needs bytes", "virtio ctrl raw=1",
	  "t.vgs:1:17: error: expected a \"hex string\" of bytes, e.g. "
	  "\"0300 0000 0000 0000\", got '1'" },
	{ "odd hex", "ioctl gpu GETPARAM raw=\"010\"",
	  "t.vgs:1:24: error: expected an even number of hex digits, got "
	  "'\"010\"'" },
	{ "string field takes a string", "ioctl gpu VERSION expect name == 3",
	  "t.vgs:1:34: error: expected a \"string\" to compare name with, got "
	  "'3'" },
	{ "venus operation", "venus gpu warp",
	  "t.vgs:1:11: error: expected a venus operation (session, instance, "
	  "device, fill, destroy_device, destroy_instance), got 'warp'" },
	{ "read condition", "read gpu expect frames=1",
	  "t.vgs:1:17: error: expected a read condition (errno=NAME, events=N, "
	  "type=NAME, bytes=N), got 'frames'" },
};

/* Every case is checked and every mismatch printed before failing. */
static void test_scenario_parse_errors(void **state)
{
	unsigned wrong = 0;

	(void)state;
	for (size_t i = 0; i < COUNT(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct guest_script *s = NULL;
		char *err = NULL;
		int ret = guest_script_parse("t.vgs", c->text, strlen(c->text),
					     &s, &err);

		if (ret != -EINVAL || !err || strcmp(err, c->msg) != 0) {
			print_error("%s: \"%s\"\n  gave %d \"%s\"\n"
				    "  expected \"%s\"\n", c->desc, c->text,
				    ret, err ? err : "(none)", c->msg);
			wrong++;
		}
		guest_script_destroy(s);
		free(err);
	}
	assert_int_equal(wrong, 0);
}

/* The first error wins and names its own line; nothing parsed before it
 * leaks (checked under valgrind). */
static void test_scenario_parse_error_line(void **state)
{
	const char *text = "open gpu\n"
			   "ioctl gpu GETPARAM param=1\n"
			   "ioctl gpu GETPARAM param=\n"
			   "frob\n";
	struct guest_script *s = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(guest_script_parse("t.vgs", text, strlen(text), &s,
					    &err),
			 -EINVAL);
	assert_string_equal(err, "t.vgs:3:26: error: expected a number or a "
			    "GETPARAM param (3D_FEATURES, CAPSET_QUERY_FIX, "
			    "RESOURCE_BLOB, HOST_VISIBLE, CROSS_DEVICE, "
			    "CONTEXT_INIT, SUPPORTED_CAPSET_IDs, "
			    "EXPLICIT_DEBUG_NAME, BLOB_ALIGNMENT), got end of line");
	free(err);
}

static void test_scenario_parse_load_missing(void **state)
{
	struct guest_script *s = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(guest_script_load("/nonexistent/x.vgs", &s, &err),
			 -ENOENT);
	assert_string_equal(err, "/nonexistent/x.vgs: cannot read: No such "
			    "file or directory");
	free(err);
}


/* set, $, $(...) and repeat unroll when the script is read. */
static void test_scenario_parse_set_repeat(void **state)
{
	const char *text = "set W = 16\n"
			   "repeat 3 as i\n"
			   "repeat 2 as j\n"
			   "open f${i}_$j\n"
			   "end\n"
			   "end\n"
			   "ioctl f2_1 RESOURCE_CREATE format=R8_UNORM width=$W "
			   "height=$(W * 2 + 1) -> b\n";
	struct guest_script *s = parse_ok(text);
	const struct guest_stmt *last;

	(void)state;
	assert_int_equal(guest_script_length(s), 7);
	assert_string_equal(s->stmts[0].u.name, "f0_0");
	assert_string_equal(s->stmts[5].u.name, "f2_1");
	assert_int_equal(s->stmts[5].line, 4);
	last = &s->stmts[6];
	assert_int_equal(last->line, 7);
	assert_int_equal(arg_int(&last->u.ioctl.args, "width"), 16);
	assert_int_equal(arg_int(&last->u.ioctl.args, "height"), 33);
	guest_script_destroy(s);
}

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* include is relative to the including file; statements keep their own
 * file and line; a cycle is refused where it closes. */
static void test_scenario_parse_include(void **state)
{
	char dir[] = "/tmp/vgs-include-XXXXXX";
	char *top, *sub, *lib, *a, *b, *err = NULL;
	struct guest_script *s = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&sub, "%s/lib", dir) > 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	lib = write_file(sub, "setup.vgi", "set N = 7\nopen gpu\n");
	top = write_file(dir, "top.vgs", "include lib/setup.vgi\n"
			 "ioctl gpu GETPARAM param=$N\n");
	assert_int_equal(guest_script_load(top, &s, &err), 0);
	assert_int_equal(guest_script_length(s), 2);
	assert_string_equal(s->stmts[0].path, lib);
	assert_int_equal(s->stmts[0].line, 2);
	assert_string_equal(s->stmts[1].path, top);
	assert_int_equal(arg_int(&s->stmts[1].u.ioctl.args, "param"), 7);
	guest_script_destroy(s);

	a = write_file(dir, "a.vgs", "include b.vgs\n");
	b = write_file(dir, "b.vgs", "open x\ninclude \"a.vgs\"\n");
	assert_int_equal(guest_script_load(a, &s, &err), -EINVAL);
	assert_non_null(strstr(err, "b.vgs:2:9: error: expected a file that "
			       "does not include itself (include cycle"));
	free(err);
	unlink(a);
	unlink(b);
	unlink(top);
	unlink(lib);
	rmdir(sub);
	rmdir(dir);
	free(a);
	free(b);
	free(top);
	free(lib);
	free(sub);
}

static void test_scenario_parse_device(void **state)
{
	struct guest_script *s = parse_ok(
		"# comment first is fine\n"
		"device features=virgl,resource_blob hostmem=64M ram=1G venus "
		"scanouts=2 lockstep\n"
		"open gpu\n");
	const struct guest_device_line *d = guest_script_device(s);
	char *needs = guest_script_needs(s);
	static const struct {
		const char *key, *value, *where;
	} want[] = {
		{ "features", "virgl,resource_blob", "t.vgs:2:17" },
		{ "hostmem", "64M", "t.vgs:2:45" },
		{ "ram", "1G", "t.vgs:2:53" },
		{ "venus", NULL, "t.vgs:2:56" },
		{ "scanouts", "2", "t.vgs:2:71" },
		{ "lockstep", NULL, "t.vgs:2:73" },
	};

	(void)state;
	assert_int_equal(d->n, 6);
	for (unsigned i = 0; i < 6; i++) {
		assert_string_equal(d->opts[i].key, want[i].key);
		if (want[i].value)
			assert_string_equal(d->opts[i].value, want[i].value);
		else
			assert_null(d->opts[i].value);
		assert_string_equal(d->opts[i].where, want[i].where);
	}
	assert_string_equal(needs, "device features=virgl,resource_blob "
			    "hostmem=64M ram=1G venus scanouts=2 lockstep");
	free(needs);
	guest_script_destroy(s);
}

static void test_scenario_parse_virtio(void **state)
{
	struct guest_script *s = parse_ok(
		"virtio ctrl GET_CAPSET_INFO capset_index=0 expect "
		"resp=OK_CAPSET_INFO capset_id=VIRGL capset_max_size=308");
	const struct guest_virtio_stmt *vs =
		&only_stmt(s, GUEST_STMT_VIRTIO)->u.virtio;

	(void)state;
	assert_int_equal(vs->queue, 0);
	assert_string_equal(vs->cmd->name, "GET_CAPSET_INFO");
	assert_int_equal(arg_int(&vs->args, "capset_index"), 0);
	assert_int_equal(vs->nconds, 3);
	assert_string_equal(vs->conds[0].text, "resp == OK_CAPSET_INFO");
	assert_int_equal(vs->conds[1].value, 1);
	assert_int_equal(vs->conds[2].value, 308);
	guest_script_destroy(s);

	s = parse_ok("virtio cursor raw=\"0301 0000\" resp_size=24 -> r "
		     "expect written=24");
	vs = &only_stmt(s, GUEST_STMT_VIRTIO)->u.virtio;
	assert_int_equal(vs->queue, 1);
	assert_null(vs->cmd);
	assert_int_equal(arg(&vs->args, "raw")->vals[0].u, 4);
	assert_string_equal(vs->bind, "r");
	guest_script_destroy(s);
}

static void test_scenario_parse_markdown(void **state)
{
	char path[] = "/tmp/vgs-md-XXXXXX";
	const char *md = "# Title\n\n```vgs\nopen gpu\n```\n\ntext\n"
			 "```\nnot a script\n```\n```vgs\nopen a\nopen b\n```\n";
	char **texts, **names;
	unsigned *lines;
	int fd = mkstemp(path), n;
	struct guest_script *s;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, md, strlen(md)), (ssize_t)strlen(md));
	close(fd);
	n = guest_markdown_blocks(path, &texts, &names, &lines);
	assert_int_equal(n, 2);
	assert_int_equal(lines[0], 4);
	assert_int_equal(lines[1], 12);
	s = parse_ok(texts[1]);
	assert_int_equal(guest_script_length(s), 2);
	assert_int_equal(s->stmts[1].line, 13);
	guest_script_destroy(s);
	for (int i = 0; i < n; i++) {
		free(texts[i]);
		free(names[i]);
	}
	free(texts);
	free(names);
	free(lines);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_parse_getparam),
		cmocka_unit_test(test_scenario_parse_errno_and_mask),
		cmocka_unit_test(test_scenario_parse_resource_create),
		cmocka_unit_test(test_scenario_parse_caps_and_memory),
		cmocka_unit_test(test_scenario_parse_context_init),
		cmocka_unit_test(test_scenario_parse_virgl),
		cmocka_unit_test(test_scenario_parse_execbuffer),
		cmocka_unit_test(test_scenario_parse_wait_pixels_fill),
		cmocka_unit_test(test_scenario_parse_lines_and_comments),
		cmocka_unit_test(test_scenario_parse_errors),
		cmocka_unit_test(test_scenario_parse_error_line),
		cmocka_unit_test(test_scenario_parse_load_missing),
		cmocka_unit_test(test_scenario_parse_set_repeat),
		cmocka_unit_test(test_scenario_parse_include),
		cmocka_unit_test(test_scenario_parse_device),
		cmocka_unit_test(test_scenario_parse_virtio),
		cmocka_unit_test(test_scenario_parse_markdown),
	};

	return cmocka_run_group_tests_name("scenario_parse", tests, NULL, NULL);
}
