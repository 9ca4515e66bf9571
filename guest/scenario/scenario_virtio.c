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

#include "guest/common/util.h"
#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"

_Static_assert(__BYTE_ORDER == __LITTLE_ENDIAN,
	       "virtio structs are filled in host order");

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

/*
 * Each command's field list, by the command's lower-case name in the one
 * command table (sim/gpu_cmds.h); commands with one layout share a list.
 */
static const struct guest_field no_fields[] = {};
#define get_display_info_fields no_fields
#define resource_create_2d_fields create_2d
#define resource_unref_fields res_pad
#define set_scanout_fields set_scanout
#define resource_flush_fields flush
#define transfer_to_host_2d_fields xfer_2d
#define resource_attach_backing_fields attach
#define resource_detach_backing_fields res_pad
#define get_capset_info_fields capset_info
#define get_capset_fields capset
#define get_edid_fields edid
#define resource_assign_uuid_fields res_pad
#define resource_create_blob_fields create_blob
#define set_scanout_blob_fields scanout_blob
#define ctx_create_fields ctx_create
#define ctx_destroy_fields no_fields
#define ctx_attach_resource_fields res_pad
#define ctx_detach_resource_fields res_pad
#define resource_create_3d_fields create_3d
#define transfer_to_host_3d_fields xfer_3d
#define transfer_from_host_3d_fields xfer_3d
#define submit_3d_fields submit
#define resource_map_blob_fields map_blob
#define resource_unmap_blob_fields res_pad
#define update_cursor_fields cursor
#define move_cursor_fields cursor

/* The response buffer a command gets by default: its fixed response,
 * and room for the capset data that follows OK_CAPSET's header. */
#define RESP_ROOM(ok, resp)                                             \
	(sizeof(resp) + (VIRTIO_GPU_RESP_##ok == VIRTIO_GPU_RESP_OK_CAPSET \
			 ? 4096 : 0))

static const struct guest_vcmd vcmds[SIM_GPU_CMD_COUNT] = {
#define VCMD(N, n, req, ok, resp, feat, q)                              \
	[SIM_GPU_CMD_IDX_##N] = {                                       \
		#N, VIRTIO_GPU_CMD_##N, q, sizeof(req), n##_fields,     \
		COUNT(n##_fields), VIRTIO_GPU_RESP_##ok,                \
		RESP_ROOM(ok, resp)                                     \
	},
	SIM_GPU_CMDS(VCMD)
#undef VCMD
};

const struct guest_vcmd *guest__vcmd_find(const char *name, size_t len)
{
	const struct guest_sym *s = guest_symtab_find(&guest__vcmds, name, len);
	const struct sim_gpu_cmd *c = s ? sim_gpu_cmd_find((uint32_t)s->value)
				      : NULL;

	return c ? &vcmds[sim_gpu_cmd_index(c)] : NULL;
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

/* ---- config space (virtio 1.4 5.7.4) ---- */

#define CF struct sim_gpu_config
const struct guest_field guest__vconfig[] = {
	N(CF, events_read, .syms = &guest__vconfig_events,
	  .flags = GUEST_FF_FLAGS),
	N(CF, events_clear, .syms = &guest__vconfig_events,
	  .flags = GUEST_FF_FLAGS),
	N(CF, num_scanouts), N(CF, num_capsets), N(CF, blob_alignment),
};
const unsigned guest__nvconfig = COUNT(guest__vconfig);
#undef CF

/* "virtio config expect FIELD OP VALUE ...": the device's config space
 * as the driver reads it (km_raw_config); a field past the end of it (a
 * device before virtio 1.4 has no blob_alignment) fails the check. */
static int run_config(struct guest_run *r, const struct guest_virtio_stmt *vs)
{
	uint8_t cfg[sizeof(struct sim_gpu_config)] = { 0 };
	char eb[32];
	int n = km_raw_config(r->dev, cfg, sizeof(cfg));

	if (n < 0)
		return guest__fail(r, "km_raw_config failed: %s",
				   guest__errno_name(n, eb, sizeof(eb)));
	for (unsigned i = 0; i < vs->nconds; i++) {
		const struct guest_cond *k = &vs->conds[i];
		uint32_t v;

		if (k->field->offset + k->field->size > (unsigned)n)
			return guest__fail(r, "config space has %d bytes: %s "
					   "(bytes %u..%u) is not in it", n,
					   k->field->name, k->field->offset,
					   k->field->offset + k->field->size - 1);
		memcpy(&v, cfg + k->field->offset, sizeof(v));
		int ret = guest__check_cond(r, k, le32toh(v), NULL, 0);
		if (ret)
			return ret;
	}
	return 0;
}

int guest__run_virtio(struct guest_run *r, const struct guest_virtio_stmt *vs)
{
	struct vcall v = { 0 };
	char eb[32];

	if (vs->queue == GUEST_VIRTIO_CONFIG)
		return run_config(r, vs);
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
