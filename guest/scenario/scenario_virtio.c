/* SPDX-License-Identifier: MIT */
/*
 * "virtio ctrl|cursor COMMAND field=value ... expect resp=NAME field=value"
 * and "virtio ctrl raw=\"HEX\"": virtio-gpu commands written by their
 * <linux/virtio_gpu.h> struct field names, or as raw bytes, sent as one
 * device-readable buffer on a queue through km_raw_command (the
 * conformance back door; nothing checks or fixes the bytes), and the
 * response decoded by its type.
 *
 * virtio is little-endian (virtio 1.2 5.7.6 "Device Operation": "All
 * fields are little endian"); this runs on little-endian hosts only, so
 * the structs are filled in host order.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"

_Static_assert(__BYTE_ORDER == __LITTLE_ENDIAN,
	       "virtio structs are filled in host order");

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MSZ(st, m) sizeof(((st *)0)->m)
#define F(st, m, ft, ...)                                               \
	{ .name = #m, .type = ft, .offset = offsetof(st, m),            \
	  .size = MSZ(st, m), __VA_ARGS__ }
#define N(st, m, ...) F(st, m, GUEST_FT_NUM, __VA_ARGS__)
#define RES(st) F(st, resource_id, GUEST_FT_RES)
#define PAD(st) N(st, padding)
#define RECT(st)                                                        \
	{ .name = "r", .type = GUEST_FT_BOX, .offset = offsetof(st, r), \
	  .size = 4, .count = 4 }
#define HDR sizeof(struct virtio_gpu_ctrl_hdr)
#define MAX_CMD_BYTES (16u << 20)
#define DEFAULT_TIMEOUT_MS 10000

/* ---- commands (5.7.6.8 controlq, 5.7.6.9 3d, 5.7.6.10 cursorq) ---- */

#define ST struct virtio_gpu_resource_create_2d
static const struct guest_field create_2d[] = {
	RES(ST), N(ST, format, .syms = &guest__vformats), N(ST, width),
	N(ST, height),
};
#undef ST
#define ST struct virtio_gpu_resource_unref
static const struct guest_field res_pad[] = { RES(ST), PAD(ST) };
#undef ST
#define ST struct virtio_gpu_set_scanout
static const struct guest_field set_scanout[] = {
	RECT(ST), N(ST, scanout_id), RES(ST),
};
#undef ST
#define ST struct virtio_gpu_resource_flush
static const struct guest_field flush[] = { RECT(ST), RES(ST), PAD(ST) };
#undef ST
#define ST struct virtio_gpu_transfer_to_host_2d
static const struct guest_field xfer_2d[] = {
	RECT(ST), N(ST, offset), RES(ST), PAD(ST),
};
#undef ST
#define ENTRIES(st)                                                     \
	{ .name = "entries", .type = GUEST_FT_ENTRIES, .offset = sizeof(st) }
#define ST struct virtio_gpu_resource_attach_backing
static const struct guest_field attach[] = {
	RES(ST), N(ST, nr_entries), ENTRIES(ST),
};
#undef ST
#define ST struct virtio_gpu_get_capset_info
static const struct guest_field capset_info[] = {
	N(ST, capset_index), PAD(ST),
};
#undef ST
#define ST struct virtio_gpu_get_capset
static const struct guest_field capset[] = {
	N(ST, capset_id, .syms = &guest__capsets), N(ST, capset_version),
};
#undef ST
#define ST struct virtio_gpu_cmd_get_edid
static const struct guest_field edid[] = { N(ST, scanout), PAD(ST) };
#undef ST
#define ST struct virtio_gpu_resource_create_blob
static const struct guest_field create_blob[] = {
	RES(ST), N(ST, blob_mem, .syms = &guest__vblob_mems),
	N(ST, blob_flags, .syms = &guest__vblob_flags, .flags = GUEST_FF_FLAGS),
	N(ST, nr_entries), N(ST, blob_id), N(ST, size), ENTRIES(ST),
};
#undef ST
#define ST struct virtio_gpu_set_scanout_blob
static const struct guest_field scanout_blob[] = {
	RECT(ST), N(ST, scanout_id), RES(ST), N(ST, width), N(ST, height),
	N(ST, format, .syms = &guest__vformats), PAD(ST),
	{ .name = "strides", .type = GUEST_FT_BOX,
	  .offset = offsetof(ST, strides), .size = 4, .count = 4 },
	{ .name = "offsets", .type = GUEST_FT_BOX,
	  .offset = offsetof(ST, offsets), .size = 4, .count = 4 },
};
#undef ST
#define ST struct virtio_gpu_ctx_create
static const struct guest_field ctx_create[] = {
	N(ST, nlen), N(ST, context_init), F(ST, debug_name, GUEST_FT_CHARS),
};
#undef ST
#define ST struct virtio_gpu_resource_create_3d
static const struct guest_field create_3d[] = {
	RES(ST), N(ST, target, .syms = &guest_virgl_targets),
	N(ST, format, .syms = &guest_virgl_formats),
	N(ST, bind, .syms = &guest_virgl_binds, .flags = GUEST_FF_FLAGS),
	N(ST, width), N(ST, height), N(ST, depth), N(ST, array_size),
	N(ST, last_level), N(ST, nr_samples),
	N(ST, flags, .syms = &guest_virgl_resource_flags,
	  .flags = GUEST_FF_FLAGS),
	PAD(ST),
};
#undef ST
#define ST struct virtio_gpu_transfer_host_3d
static const struct guest_field xfer_3d[] = {
	{ .name = "box", .type = GUEST_FT_BOX, .offset = offsetof(ST, box),
	  .size = 4, .count = 6 },
	N(ST, offset), RES(ST), N(ST, level), N(ST, stride),
	N(ST, layer_stride),
};
#undef ST
#define ST struct virtio_gpu_cmd_submit
static const struct guest_field submit[] = {
	N(ST, size), PAD(ST),
	{ .name = "data", .type = GUEST_FT_STREAM, .offset = sizeof(ST) },
};
#undef ST
#define ST struct virtio_gpu_resource_map_blob
static const struct guest_field map_blob[] = {
	RES(ST), PAD(ST), N(ST, offset),
};
#undef ST
#define ST struct virtio_gpu_update_cursor
static const struct guest_field cursor[] = {
	{ .name = "pos.scanout_id", .type = GUEST_FT_NUM, .size = 4,
	  .offset = offsetof(ST, pos) + 0 },
	{ .name = "pos.x", .type = GUEST_FT_NUM, .size = 4,
	  .offset = offsetof(ST, pos) + 4 },
	{ .name = "pos.y", .type = GUEST_FT_NUM, .size = 4,
	  .offset = offsetof(ST, pos) + 8 },
	{ .name = "pos.padding", .type = GUEST_FT_NUM, .size = 4,
	  .offset = offsetof(ST, pos) + 12 },
	RES(ST), N(ST, hot_x), N(ST, hot_y), PAD(ST),
};
#undef ST

#define CMD(nm, q, st, flds, okr, rs)                                   \
	{ #nm, VIRTIO_GPU_CMD_##nm, q, sizeof(st), flds, COUNT(flds),   \
	  VIRTIO_GPU_RESP_##okr, rs }
#define CMD0(nm, okr, rs)                                               \
	{ #nm, VIRTIO_GPU_CMD_##nm, 0, HDR, NULL, 0,                    \
	  VIRTIO_GPU_RESP_##okr, rs }

static const struct guest_vcmd vcmds[] = {
	CMD0(GET_DISPLAY_INFO, OK_DISPLAY_INFO,
	     sizeof(struct virtio_gpu_resp_display_info)),
	CMD(RESOURCE_CREATE_2D, 0, struct virtio_gpu_resource_create_2d,
	    create_2d, OK_NODATA, HDR),
	CMD(RESOURCE_UNREF, 0, struct virtio_gpu_resource_unref, res_pad,
	    OK_NODATA, HDR),
	CMD(SET_SCANOUT, 0, struct virtio_gpu_set_scanout, set_scanout,
	    OK_NODATA, HDR),
	CMD(RESOURCE_FLUSH, 0, struct virtio_gpu_resource_flush, flush,
	    OK_NODATA, HDR),
	CMD(TRANSFER_TO_HOST_2D, 0, struct virtio_gpu_transfer_to_host_2d,
	    xfer_2d, OK_NODATA, HDR),
	CMD(RESOURCE_ATTACH_BACKING, 0,
	    struct virtio_gpu_resource_attach_backing, attach, OK_NODATA, HDR),
	CMD(RESOURCE_DETACH_BACKING, 0,
	    struct virtio_gpu_resource_detach_backing, res_pad, OK_NODATA, HDR),
	CMD(GET_CAPSET_INFO, 0, struct virtio_gpu_get_capset_info,
	    capset_info, OK_CAPSET_INFO,
	    sizeof(struct virtio_gpu_resp_capset_info)),
	CMD(GET_CAPSET, 0, struct virtio_gpu_get_capset, capset, OK_CAPSET,
	    HDR + 4096),
	CMD(GET_EDID, 0, struct virtio_gpu_cmd_get_edid, edid, OK_EDID,
	    sizeof(struct virtio_gpu_resp_edid)),
	CMD(RESOURCE_ASSIGN_UUID, 0, struct virtio_gpu_resource_assign_uuid,
	    res_pad, OK_RESOURCE_UUID,
	    sizeof(struct virtio_gpu_resp_resource_uuid)),
	CMD(RESOURCE_CREATE_BLOB, 0, struct virtio_gpu_resource_create_blob,
	    create_blob, OK_NODATA, HDR),
	CMD(SET_SCANOUT_BLOB, 0, struct virtio_gpu_set_scanout_blob,
	    scanout_blob, OK_NODATA, HDR),
	CMD(CTX_CREATE, 0, struct virtio_gpu_ctx_create, ctx_create,
	    OK_NODATA, HDR),
	CMD0(CTX_DESTROY, OK_NODATA, HDR),
	CMD(CTX_ATTACH_RESOURCE, 0, struct virtio_gpu_ctx_resource, res_pad,
	    OK_NODATA, HDR),
	CMD(CTX_DETACH_RESOURCE, 0, struct virtio_gpu_ctx_resource, res_pad,
	    OK_NODATA, HDR),
	CMD(RESOURCE_CREATE_3D, 0, struct virtio_gpu_resource_create_3d,
	    create_3d, OK_NODATA, HDR),
	CMD(TRANSFER_TO_HOST_3D, 0, struct virtio_gpu_transfer_host_3d,
	    xfer_3d, OK_NODATA, HDR),
	CMD(TRANSFER_FROM_HOST_3D, 0, struct virtio_gpu_transfer_host_3d,
	    xfer_3d, OK_NODATA, HDR),
	CMD(SUBMIT_3D, 0, struct virtio_gpu_cmd_submit, submit, OK_NODATA,
	    HDR),
	CMD(RESOURCE_MAP_BLOB, 0, struct virtio_gpu_resource_map_blob,
	    map_blob, OK_MAP_INFO, sizeof(struct virtio_gpu_resp_map_info)),
	CMD(RESOURCE_UNMAP_BLOB, 0, struct virtio_gpu_resource_unmap_blob,
	    res_pad, OK_NODATA, HDR),
	CMD(UPDATE_CURSOR, 1, struct virtio_gpu_update_cursor, cursor,
	    OK_NODATA, HDR),
	CMD(MOVE_CURSOR, 1, struct virtio_gpu_update_cursor, cursor,
	    OK_NODATA, HDR),
};

const struct guest_vcmd *guest__vcmd_find(const char *name, size_t len)
{
	const struct guest_sym *s = guest_symtab_find(&guest__vcmds, name, len);

	for (size_t i = 0; s && i < COUNT(vcmds); i++) {
		if (vcmds[i].type == s->value)
			return &vcmds[i];
	}
	return NULL;
}

/* Fields every command has (the header) and the runner's options. */
#define H struct virtio_gpu_ctrl_hdr
const struct guest_field guest__virtio_pseudo[] = {
	N(H, type, .syms = &guest__vcmds),
	N(H, flags, .syms = &guest__vflags, .flags = GUEST_FF_FLAGS),
	N(H, fence_id),
	N(H, ctx_id),
	N(H, ring_idx),
	{ .name = "cmd_size", .type = GUEST_FT_NUM, .size = 4,
	  .flags = GUEST_FF_PSEUDO },
	{ .name = "resp_size", .type = GUEST_FT_NUM, .size = 4,
	  .flags = GUEST_FF_PSEUDO },
	/* bounded so that it stays a positive int for km_raw_command */
	{ .name = "timeout_ms", .type = GUEST_FT_NUM, .size = 4,
	  .flags = GUEST_FF_PSEUDO, .max = GUEST_MAX_TIMEOUT_MS },
	{ .name = "raw", .type = GUEST_FT_HEX, .flags = GUEST_FF_PSEUDO },
};
const unsigned guest__nvirtio_pseudo = COUNT(guest__virtio_pseudo);

/* What every response has; "resp" is hdr.type, "written" the bytes the
 * device wrote. */
const struct guest_field guest__vresp_hdr[] = {
	{ .name = "resp", .type = GUEST_FT_NUM, .offset = 0, .size = 4,
	  .syms = &guest__vresps },
	N(H, flags, .syms = &guest__vflags, .flags = GUEST_FF_FLAGS),
	N(H, fence_id),
	N(H, ctx_id),
	N(H, ring_idx),
	{ .name = "written", .type = GUEST_FT_NUM, .size = 4,
	  .flags = GUEST_FF_WRITTEN },
};
const unsigned guest__nvresp_hdr = COUNT(guest__vresp_hdr);
#undef H

/* ---- responses ---- */

#define PM(n, fld, off)                                                 \
	{ .name = "pmodes." #n "." fld, .type = GUEST_FT_NUM, .size = 4,\
	  .offset = offsetof(struct virtio_gpu_resp_display_info, pmodes) \
		    + (n) * sizeof(struct virtio_gpu_display_one) + (off) }
#define PMODE(n)                                                        \
	PM(n, "r.x", 0), PM(n, "r.y", 4), PM(n, "r.width", 8),          \
	PM(n, "r.height", 12), PM(n, "enabled", 16), PM(n, "flags", 20)
static const struct guest_field display_info[] = {
	PMODE(0), PMODE(1), PMODE(2),  PMODE(3),  PMODE(4),  PMODE(5),
	PMODE(6), PMODE(7), PMODE(8),  PMODE(9),  PMODE(10), PMODE(11),
	PMODE(12), PMODE(13), PMODE(14), PMODE(15),
};
#define ST struct virtio_gpu_resp_capset_info
static const struct guest_field r_capset_info[] = {
	N(ST, capset_id, .syms = &guest__capsets), N(ST, capset_max_version),
	N(ST, capset_max_size),
};
#undef ST
#define ST struct virtio_gpu_resp_edid
static const struct guest_field r_edid[] = { N(ST, size), PAD(ST) };
#undef ST
#define ST struct virtio_gpu_resp_map_info
static const struct guest_field r_map_info[] = { N(ST, map_info), PAD(ST) };
#undef ST

#define RESP(nm, flds) { #nm, VIRTIO_GPU_RESP_##nm, flds, COUNT(flds) }
#define RESP0(nm) { #nm, VIRTIO_GPU_RESP_##nm, NULL, 0 }
static const struct guest_vresp vresps[] = {
	RESP0(OK_NODATA),
	RESP(OK_DISPLAY_INFO, display_info),
	RESP(OK_CAPSET_INFO, r_capset_info),
	RESP0(OK_CAPSET),
	RESP(OK_EDID, r_edid),
	RESP0(OK_RESOURCE_UUID),
	RESP(OK_MAP_INFO, r_map_info),
};

const struct guest_vresp *guest__vresp_find(uint32_t type)
{
	for (size_t i = 0; i < COUNT(vresps); i++) {
		if (vresps[i].type == type)
			return &vresps[i];
	}
	return NULL;
}

/* ---- running ---- */

struct vcall {
	uint8_t *cmd;
	size_t cmd_len;		/* bytes sent */
	uint8_t *resp;
	size_t resp_len;
	int timeout_ms;
	bool has_resp_cond;
};

static uint64_t pseudo(const struct guest_virtio_stmt *vs, const char *name,
		       uint64_t def, bool *given)
{
	const struct guest_arg *a = guest__find_arg(&vs->args, name);

	if (given)
		*given = a != NULL;
	return a ? a->vals[0].u : def;
}

static size_t nr_entries_offset(uint32_t type)
{
	if (type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB)
		return offsetof(struct virtio_gpu_resource_create_blob,
				nr_entries);
	return offsetof(struct virtio_gpu_resource_attach_backing, nr_entries);
}

/* The fixed struct, then mem entries or the SUBMIT_3D stream. */
static int build_cmd(struct guest_run *r, const struct guest_virtio_stmt *vs,
		     struct vcall *v)
{
	const struct guest_vcmd *cmd = vs->cmd;
	const struct guest_arg *raw = guest__find_arg(&vs->args, "raw");
	const struct guest_arg *ent = guest__find_arg(&vs->args, "entries");
	const struct guest_arg *data = guest__find_arg(&vs->args, "data");
	struct guest_obj *stream = NULL;
	size_t base = cmd ? cmd->size : raw->vals[0].u, tail = 0, total;
	bool has_size;
	int ret;

	if (data && data->vals[0].kind != GUEST_VAL_NAME)
		return guest__fail(r, "data= takes a virgl stream name");
	if (data) {
		ret = guest__obj_get(r, data->vals[0].s, GUEST_OBJ_STREAM, true,
				     &stream);
		if (ret)
			return ret;
		tail = guest_virgl_stream_bytes(&stream->u.stream);
	}
	if (ent)
		tail = (size_t)ent->nvals / 2 * sizeof(struct virtio_gpu_mem_entry);
	total = base + tail;
	v->cmd_len = pseudo(vs, "cmd_size", total, &has_size);
	if (v->cmd_len > MAX_CMD_BYTES || total > MAX_CMD_BYTES)
		return guest__fail(r, "a command of more than %u bytes",
				   MAX_CMD_BYTES);
	if (v->cmd_len == 0)
		return guest__fail(r, "cmd_size=0: a command needs at least "
				   "one byte");
	v->cmd = calloc(1, total > v->cmd_len ? total : v->cmd_len);
	if (!v->cmd)
		return guest__oom(r);
	if (raw)
		memcpy(v->cmd, raw->vals[0].s, base);
	else
		guest__store(v->cmd, 4, cmd->type);
	if (stream)
		memcpy(v->cmd + base, stream->u.stream.dw, tail);
	for (unsigned i = 0; ent && i < ent->nvals; i += 2) {
		struct virtio_gpu_mem_entry e = {
			.addr = ent->vals[i].u, .length = (uint32_t)ent->vals[i + 1].u,
		};

		memcpy(v->cmd + base + i / 2 * sizeof(e), &e, sizeof(e));
	}
	/* Counts the script left out follow what it wrote. */
	if (cmd && ent && !guest__find_arg(&vs->args, "nr_entries"))
		guest__store(v->cmd + nr_entries_offset(cmd->type), 4,
			     ent->nvals / 2);
	if (cmd && stream && !guest__find_arg(&vs->args, "size"))
		guest__store(v->cmd + offsetof(struct virtio_gpu_cmd_submit, size),
			     4, tail);
	return 0;
}

static int write_fields(struct guest_run *r, const struct guest_virtio_stmt *vs,
			struct vcall *v)
{
	for (unsigned i = 0; i < vs->args.n; i++) {
		const struct guest_arg *a = &vs->args.v[i];
		const struct guest_field *f = a->field;
		int ret;

		if ((f->flags & GUEST_FF_PSEUDO) || f->type == GUEST_FT_ENTRIES ||
		    f->type == GUEST_FT_STREAM)
			continue;
		if (f->type == GUEST_FT_CHARS) {
			strncpy((char *)v->cmd + f->offset, a->vals[0].s, f->size);
			if (vs->cmd && vs->cmd->type == VIRTIO_GPU_CMD_CTX_CREATE &&
			    !guest__find_arg(&vs->args, "nlen"))
				guest__store(v->cmd + offsetof(
					struct virtio_gpu_ctx_create, nlen), 4,
					strlen(a->vals[0].s));
			continue;
		}
		ret = guest__write_field(r, f, a, v->cmd, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

static int read_field(struct guest_run *r, const struct vcall *v,
		      size_t written, const struct guest_field *f, uint64_t *out)
{
	if (f->flags & GUEST_FF_WRITTEN) {
		*out = written;
		return 0;
	}
	if (f->offset + f->size > written)
		return guest__fail(r, "the device wrote %zu bytes; %s is at "
				   "bytes %u..%u of the response", written,
				   f->name, f->offset, f->offset + f->size - 1);
	*out = guest__load(v->resp + f->offset, f->size);
	return 0;
}

static int check(struct guest_run *r, const struct guest_virtio_stmt *vs,
		 const struct vcall *v, size_t written)
{
	for (unsigned i = 0; i < vs->nconds; i++) {
		const struct guest_cond *k = &vs->conds[i];
		uint64_t val = 0;
		int ret = read_field(r, v, written, k->field, &val);

		if (!ret)
			ret = guest__check_cond(r, k, val, NULL, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* Without a resp= or written= condition a named command must answer
 * its OK type. */
static int check_ok(struct guest_run *r, const struct guest_virtio_stmt *vs,
		    const struct vcall *v, size_t written)
{
	struct guest_cond k = {
		.field = &guest__vresp_hdr[0], .cmp = GUEST_CMP_EQ,
	};
	const struct guest_sym *s;
	char text[64];
	uint64_t val = 0;
	int ret;

	for (unsigned i = 0; i < vs->nconds; i++) {
		const struct guest_field *f = vs->conds[i].field;

		if (f == &guest__vresp_hdr[0] || (f->flags & GUEST_FF_WRITTEN))
			return 0;
	}
	if (!vs->cmd)
		return 0;
	s = guest_symtab_find_value(&guest__vresps, vs->cmd->ok);
	snprintf(text, sizeof(text), "resp == %s", s ? s->name : "OK");
	k.value = vs->cmd->ok;
	k.text = text;
	ret = read_field(r, v, written, k.field, &val);
	return ret ? ret : guest__check_cond(r, &k, val, NULL, 0);
}

static int bind_payload(struct guest_run *r, const struct guest_virtio_stmt *vs,
			const struct vcall *v, size_t written)
{
	size_t n = written > HDR ? written - HDR : 0;
	struct guest_obj *o;
	int ret = guest__obj_new(r, vs->bind, GUEST_OBJ_BUFFER, &o);

	if (ret)
		return ret;
	o->u.buf.data = malloc(n ? n : 1);
	if (!o->u.buf.data)
		return guest__oom(r);
	memcpy(o->u.buf.data, v->resp + HDR, n);
	o->u.buf.size = n;
	return 0;
}

int guest__run_virtio(struct guest_run *r, const struct guest_virtio_stmt *vs)
{
	struct vcall v = { 0 };
	char eb[32];
	int ret = build_cmd(r, vs, &v);

	if (!ret)
		ret = write_fields(r, vs, &v);
	if (ret)
		goto out;
	v.resp_len = pseudo(vs, "resp_size", vs->cmd ? vs->cmd->resp_size
							: HDR + 4096, NULL);
	v.timeout_ms = (int)pseudo(vs, "timeout_ms", DEFAULT_TIMEOUT_MS, NULL);
	if (v.resp_len == 0 || v.resp_len > MAX_CMD_BYTES) {
		ret = guest__fail(r, "resp_size=%zu: from 1 to %u bytes",
				  v.resp_len, MAX_CMD_BYTES);
		goto out;
	}
	v.resp = calloc(1, v.resp_len > HDR ? v.resp_len : HDR);
	if (!v.resp) {
		ret = guest__oom(r);
		goto out;
	}
	ret = km_raw_command(r->dev, vs->queue, v.cmd, v.cmd_len, v.resp,
			     v.resp_len, v.timeout_ms);
	if (ret == -ETIME) {
		ret = guest__fail(r, "the device did not answer within %d ms",
				  v.timeout_ms);
	} else if (ret < 0) {
		ret = guest__fail(r, "km_raw_command failed: %s",
				  guest__errno_name(ret, eb, sizeof(eb)));
	} else {
		size_t written = (size_t)ret;

		ret = check_ok(r, vs, &v, written);
		if (!ret)
			ret = check(r, vs, &v, written);
		if (!ret && vs->bind)
			ret = bind_payload(r, vs, &v, written);
	}
out:
	free(v.cmd);
	free(v.resp);
	return ret;
}
