// SPDX-License-Identifier: MIT
/*
 * What `virtgpu-sim decode` prints of a command and a response: each
 * request struct's fields by the names <linux/virtio_gpu.h> (and virtio
 * 1.2 5.7.6) give them, indexed by the command's row in the one command
 * table (sim/gpu_cmds.h), and SUBMIT_3D streams decoded to virgl
 * (guest/virgl/virgl_cmds.h) or venus (decode_venus.c) command names.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "guest/virgl/virgl_cmds.h"
#include "sim/capture.h"
#include "sim/gpu_cmds.h"
#include "sim/units.h"
#include "vmm/decode.h"

struct field {
	const char *name;
	size_t offset, size;
};

#define F(s, m) { #m, offsetof(struct s, m), sizeof(((struct s *)0)->m) }
#define RECT(s) F(s, r.x), F(s, r.y), F(s, r.width), F(s, r.height)
#define BOX(s) F(s, box.x), F(s, box.y), F(s, box.z), F(s, box.w), \
	F(s, box.h), F(s, box.d)

static const struct field f_rc2d[] = {
	F(virtio_gpu_resource_create_2d, resource_id),
	F(virtio_gpu_resource_create_2d, format),
	F(virtio_gpu_resource_create_2d, width),
	F(virtio_gpu_resource_create_2d, height), { 0 } };
static const struct field f_unref[] = {
	F(virtio_gpu_resource_unref, resource_id), { 0 } };
static const struct field f_set_scanout[] = {
	RECT(virtio_gpu_set_scanout), F(virtio_gpu_set_scanout, scanout_id),
	F(virtio_gpu_set_scanout, resource_id), { 0 } };
static const struct field f_flush[] = {
	RECT(virtio_gpu_resource_flush),
	F(virtio_gpu_resource_flush, resource_id), { 0 } };
static const struct field f_xfer2d[] = {
	RECT(virtio_gpu_transfer_to_host_2d),
	F(virtio_gpu_transfer_to_host_2d, offset),
	F(virtio_gpu_transfer_to_host_2d, resource_id), { 0 } };
static const struct field f_attach[] = {
	F(virtio_gpu_resource_attach_backing, resource_id),
	F(virtio_gpu_resource_attach_backing, nr_entries), { 0 } };
static const struct field f_detach[] = {
	F(virtio_gpu_resource_detach_backing, resource_id), { 0 } };
static const struct field f_capset_info[] = {
	F(virtio_gpu_get_capset_info, capset_index), { 0 } };
static const struct field f_capset[] = {
	F(virtio_gpu_get_capset, capset_id),
	F(virtio_gpu_get_capset, capset_version), { 0 } };
static const struct field f_edid[] = {
	F(virtio_gpu_cmd_get_edid, scanout), { 0 } };
static const struct field f_uuid[] = {
	F(virtio_gpu_resource_assign_uuid, resource_id), { 0 } };
static const struct field f_blob[] = {
	F(virtio_gpu_resource_create_blob, resource_id),
	F(virtio_gpu_resource_create_blob, blob_mem),
	F(virtio_gpu_resource_create_blob, blob_flags),
	F(virtio_gpu_resource_create_blob, nr_entries),
	F(virtio_gpu_resource_create_blob, blob_id),
	F(virtio_gpu_resource_create_blob, size), { 0 } };
static const struct field f_scanout_blob[] = {
	RECT(virtio_gpu_set_scanout_blob),
	F(virtio_gpu_set_scanout_blob, scanout_id),
	F(virtio_gpu_set_scanout_blob, resource_id),
	F(virtio_gpu_set_scanout_blob, width),
	F(virtio_gpu_set_scanout_blob, height),
	F(virtio_gpu_set_scanout_blob, format),
	F(virtio_gpu_set_scanout_blob, strides[0]),
	F(virtio_gpu_set_scanout_blob, offsets[0]), { 0 } };
static const struct field f_ctx_create[] = {
	F(virtio_gpu_ctx_create, nlen),
	F(virtio_gpu_ctx_create, context_init), { 0 } };
static const struct field f_ctx_res[] = {
	F(virtio_gpu_ctx_resource, resource_id), { 0 } };
static const struct field f_rc3d[] = {
	F(virtio_gpu_resource_create_3d, resource_id),
	F(virtio_gpu_resource_create_3d, target),
	F(virtio_gpu_resource_create_3d, format),
	F(virtio_gpu_resource_create_3d, bind),
	F(virtio_gpu_resource_create_3d, width),
	F(virtio_gpu_resource_create_3d, height),
	F(virtio_gpu_resource_create_3d, depth),
	F(virtio_gpu_resource_create_3d, array_size),
	F(virtio_gpu_resource_create_3d, last_level),
	F(virtio_gpu_resource_create_3d, nr_samples),
	F(virtio_gpu_resource_create_3d, flags), { 0 } };
static const struct field f_xfer3d[] = {
	BOX(virtio_gpu_transfer_host_3d),
	F(virtio_gpu_transfer_host_3d, offset),
	F(virtio_gpu_transfer_host_3d, resource_id),
	F(virtio_gpu_transfer_host_3d, level),
	F(virtio_gpu_transfer_host_3d, stride),
	F(virtio_gpu_transfer_host_3d, layer_stride), { 0 } };
static const struct field f_submit[] = {
	F(virtio_gpu_cmd_submit, size), { 0 } };
static const struct field f_map[] = {
	F(virtio_gpu_resource_map_blob, resource_id),
	F(virtio_gpu_resource_map_blob, offset), { 0 } };
static const struct field f_unmap[] = {
	F(virtio_gpu_resource_unmap_blob, resource_id), { 0 } };
static const struct field f_cursor[] = {
	F(virtio_gpu_update_cursor, pos.scanout_id),
	F(virtio_gpu_update_cursor, pos.x), F(virtio_gpu_update_cursor, pos.y),
	F(virtio_gpu_update_cursor, resource_id),
	F(virtio_gpu_update_cursor, hot_x),
	F(virtio_gpu_update_cursor, hot_y), { 0 } };

/* Each command's fields, by its row of the command table. */
static const struct field *const cmd_fields[SIM_GPU_CMD_COUNT] = {
	[SIM_GPU_CMD_IDX_RESOURCE_CREATE_2D] = f_rc2d,
	[SIM_GPU_CMD_IDX_RESOURCE_UNREF] = f_unref,
	[SIM_GPU_CMD_IDX_SET_SCANOUT] = f_set_scanout,
	[SIM_GPU_CMD_IDX_RESOURCE_FLUSH] = f_flush,
	[SIM_GPU_CMD_IDX_TRANSFER_TO_HOST_2D] = f_xfer2d,
	[SIM_GPU_CMD_IDX_RESOURCE_ATTACH_BACKING] = f_attach,
	[SIM_GPU_CMD_IDX_RESOURCE_DETACH_BACKING] = f_detach,
	[SIM_GPU_CMD_IDX_GET_CAPSET_INFO] = f_capset_info,
	[SIM_GPU_CMD_IDX_GET_CAPSET] = f_capset,
	[SIM_GPU_CMD_IDX_GET_EDID] = f_edid,
	[SIM_GPU_CMD_IDX_RESOURCE_ASSIGN_UUID] = f_uuid,
	[SIM_GPU_CMD_IDX_RESOURCE_CREATE_BLOB] = f_blob,
	[SIM_GPU_CMD_IDX_SET_SCANOUT_BLOB] = f_scanout_blob,
	[SIM_GPU_CMD_IDX_CTX_CREATE] = f_ctx_create,
	[SIM_GPU_CMD_IDX_CTX_ATTACH_RESOURCE] = f_ctx_res,
	[SIM_GPU_CMD_IDX_CTX_DETACH_RESOURCE] = f_ctx_res,
	[SIM_GPU_CMD_IDX_RESOURCE_CREATE_3D] = f_rc3d,
	[SIM_GPU_CMD_IDX_TRANSFER_TO_HOST_3D] = f_xfer3d,
	[SIM_GPU_CMD_IDX_TRANSFER_FROM_HOST_3D] = f_xfer3d,
	[SIM_GPU_CMD_IDX_SUBMIT_3D] = f_submit,
	[SIM_GPU_CMD_IDX_RESOURCE_MAP_BLOB] = f_map,
	[SIM_GPU_CMD_IDX_RESOURCE_UNMAP_BLOB] = f_unmap,
	[SIM_GPU_CMD_IDX_UPDATE_CURSOR] = f_cursor,
	[SIM_GPU_CMD_IDX_MOVE_CURSOR] = f_cursor,
};

static uint64_t load(const uint8_t *p, size_t size)
{
	switch (size) {
	case 1: return p[0];
	case 2: return sim_capture_le16(p);
	case 4: return sim_capture_le32(p);
	default: return sim_capture_le64(p);
	}
}

/* 5.7.6.7 "Device Operation: Request header": the header's fields. */
static void put_hdr(struct vmm_decode_out *o, const uint8_t *p, size_t len)
{
	if (len < sizeof(struct virtio_gpu_ctrl_hdr))
		return;
	uint32_t flags = sim_capture_le32(p + 4);
	vmm_decode_put_x(o, "hdr.flags", flags);
	vmm_decode_put_u(o, "hdr.fence_id", sim_capture_le64(p + 8));
	vmm_decode_put_u(o, "hdr.ctx_id", sim_capture_le32(p + 16));
	vmm_decode_put_u(o, "hdr.ring_idx", p[20]);
}

void vmm_decode_request(struct vmm_decode_out *o, const uint8_t *p,
			size_t len)
{
	if (len < sizeof(struct virtio_gpu_ctrl_hdr)) {
		vmm_decode_put_s(o, "hdr.type", "(short)");
		return;
	}
	uint32_t type = sim_capture_le32(p);
	const struct sim_gpu_cmd *c = sim_gpu_cmd_find(type);
	vmm_decode_put_s(o, "hdr.type", c ? c->name : "unknown");
	put_hdr(o, p, len);
	const struct field *f = c ? cmd_fields[sim_gpu_cmd_index(c)] : NULL;
	for (; f && f->name; f++)
		if (f->offset + f->size <= len) {
			uint64_t v = load(p + f->offset, f->size);
			vmm_decode_put_u(o, f->name, v);
			if (!strcmp(f->name, "resource_id"))
				o->resource = (uint32_t)v;
		}
	if (c && type == VIRTIO_GPU_CMD_CTX_CREATE &&
	    len >= sizeof(struct virtio_gpu_ctx_create)) {
		uint32_t n = sim_capture_le32(p + offsetof(struct virtio_gpu_ctx_create, nlen));
		char name[65];
		if (n > 64)
			n = 64;
		memcpy(name, p + offsetof(struct virtio_gpu_ctx_create, debug_name), n);
		name[n] = 0;
		vmm_decode_put_s(o, "debug_name", name);
	}
}

const char *vmm_decode_resp_name(uint32_t type)
{
	switch (type) {
#define R(n) case VIRTIO_GPU_RESP_##n: return #n;
	R(OK_NODATA) R(OK_DISPLAY_INFO) R(OK_CAPSET_INFO) R(OK_CAPSET)
	R(OK_EDID) R(OK_RESOURCE_UUID) R(OK_MAP_INFO) R(ERR_UNSPEC)
	R(ERR_OUT_OF_MEMORY) R(ERR_INVALID_SCANOUT_ID)
	R(ERR_INVALID_RESOURCE_ID) R(ERR_INVALID_CONTEXT_ID)
	R(ERR_INVALID_PARAMETER)
#undef R
	default: return "unknown";
	}
}

void vmm_decode_response(struct vmm_decode_out *o, const uint8_t *p,
			 size_t len)
{
	if (len < sizeof(struct virtio_gpu_ctrl_hdr))
		return;
	uint32_t type = sim_capture_le32(p);
	vmm_decode_put_s(o, "hdr.type", vmm_decode_resp_name(type));
	put_hdr(o, p, len);
	if (type == VIRTIO_GPU_RESP_OK_CAPSET_INFO &&
	    len >= sizeof(struct virtio_gpu_resp_capset_info)) {
		vmm_decode_put_u(o, "capset_id", sim_capture_le32(p + 24));
		vmm_decode_put_u(o, "capset_max_version",
				 sim_capture_le32(p + 28));
		vmm_decode_put_u(o, "capset_max_size", sim_capture_le32(p + 32));
	} else if (type == VIRTIO_GPU_RESP_OK_MAP_INFO &&
		   len >= sizeof(struct virtio_gpu_resp_map_info)) {
		vmm_decode_put_x(o, "map_info", sim_capture_le32(p + 24));
	} else if (type == VIRTIO_GPU_RESP_OK_DISPLAY_INFO &&
		   len >= sizeof(struct virtio_gpu_resp_display_info)) {
		vmm_decode_put_u(o, "pmodes[0].r.width", sim_capture_le32(p + 32));
		vmm_decode_put_u(o, "pmodes[0].r.height", sim_capture_le32(p + 36));
		vmm_decode_put_u(o, "pmodes[0].enabled", sim_capture_le32(p + 40));
	}
}

/*
 * Where virgl commands carry resource handles: payload dword @first, then
 * every @stride dwords (0: once), by virgl_protocol.h's layouts
 * (VIRGL_OBJ_SURFACE_RES_HANDLE, VIRGL_SET_VERTEX_BUFFER_HANDLE(x),
 * VIRGL_CMD_BLIT_DST/SRC_RES_HANDLE, VIRGL_COPY_TRANSFER3D_SRC_RES_HANDLE,
 * ...).  @obj: for CREATE_OBJECT, the
 * object type; otherwise GUEST_VIRGL_OBJECT_NULL.
 */
static const struct {
	uint8_t op, obj, first, stride;
} virgl_res_at[] = {
	{ GUEST_VIRGL_CCMD_CREATE_OBJECT, GUEST_VIRGL_OBJECT_SURFACE, 1, 0 },
	{ GUEST_VIRGL_CCMD_CREATE_OBJECT, GUEST_VIRGL_OBJECT_MSAA_SURFACE, 1, 0 },
	{ GUEST_VIRGL_CCMD_CREATE_OBJECT, GUEST_VIRGL_OBJECT_SAMPLER_VIEW, 1, 0 },
	{ GUEST_VIRGL_CCMD_CREATE_OBJECT, GUEST_VIRGL_OBJECT_STREAMOUT_TARGET, 1, 0 },
	{ GUEST_VIRGL_CCMD_CREATE_OBJECT, GUEST_VIRGL_OBJECT_QUERY, 3, 0 },
	{ GUEST_VIRGL_CCMD_SET_VERTEX_BUFFERS, 0, 2, 3 },
	{ GUEST_VIRGL_CCMD_SET_INDEX_BUFFER, 0, 0, 0 },
	{ GUEST_VIRGL_CCMD_SET_UNIFORM_BUFFER, 0, 4, 0 },
	{ GUEST_VIRGL_CCMD_RESOURCE_INLINE_WRITE, 0, 0, 0 },
	{ GUEST_VIRGL_CCMD_RESOURCE_COPY_REGION, 0, 0, 5 },
	{ GUEST_VIRGL_CCMD_BLIT, 0, 3, 9 },
	{ GUEST_VIRGL_CCMD_SET_SHADER_BUFFERS, 0, 4, 3 },
	{ GUEST_VIRGL_CCMD_SET_SHADER_IMAGES, 0, 6, 5 },
	{ GUEST_VIRGL_CCMD_TRANSFER3D, 0, 0, 0 },
	{ GUEST_VIRGL_CCMD_COPY_TRANSFER3D, 0, 0, 11 },
	{ GUEST_VIRGL_CCMD_CLEAR_TEXTURE, 0, 0, 0 },
};

/* The resource handles of the command at dword @i (payload of @n dwords):
 * printed as resource=, and noted when one is --resource's. */
static void virgl_resources(struct vmm_decode_out *o, const uint8_t *p,
			    size_t ndw, size_t i, uint32_t op, uint32_t obj,
			    uint32_t n)
{
	for (size_t k = 0; k < SIM_COUNT(virgl_res_at); k++) {
		if (virgl_res_at[k].op != op ||
		    (op == GUEST_VIRGL_CCMD_CREATE_OBJECT &&
		     virgl_res_at[k].obj != obj))
			continue;
		for (uint32_t at = virgl_res_at[k].first; at < n && i + 1 + at < ndw;
		     at += virgl_res_at[k].stride) {
			uint32_t res = sim_capture_le32(p + 4 * (i + 1 + at));
			vmm_decode_put_u(o, "resource", res);
			if (res && res == o->want_res)
				o->res_seen = true;
			if (!virgl_res_at[k].stride)
				break;
		}
	}
}

/*
 * A virgl stream (guest/virgl/virgl_enc.h): dwords, each command a header
 * (length << 16) | (object type << 8) | opcode and length payload dwords.
 * Object commands carry their handle first.
 */
static void decode_virgl(struct vmm_decode_out *o, const uint8_t *p,
			 size_t len)
{
	size_t ndw = len / 4, i = 0;

	while (i < ndw) {
		uint32_t h = sim_capture_le32(p + 4 * i);
		uint32_t op = h & 0xff, obj = (h >> 8) & 0xff, n = h >> 16;
		const char *name = guest_virgl_ccmd_name(op);
		char buf[48];
		if (!name) {
			snprintf(buf, sizeof(buf), "opcode_%u", op);
			name = buf;
		}
		vmm_decode_sub_begin(o);
		vmm_decode_put_s(o, "virgl", name);
		if (op == GUEST_VIRGL_CCMD_CREATE_OBJECT ||
		    op == GUEST_VIRGL_CCMD_BIND_OBJECT ||
		    op == GUEST_VIRGL_CCMD_DESTROY_OBJECT) {
			const char *on = guest_virgl_object_name(obj);
			vmm_decode_put_s(o, "object", on ? on : "unknown");
			if (n >= 1 && i + 1 < ndw)
				vmm_decode_put_u(o, "handle",
						 sim_capture_le32(p + 4 * (i + 1)));
		}
		virgl_resources(o, p, ndw, i, op, obj, n);
		vmm_decode_put_u(o, "length", n);
		vmm_decode_sub_end(o);
		if (i + 1 + n > ndw) {
			vmm_decode_sub_begin(o);
			vmm_decode_put_s(o, "virgl", "(truncated command)");
			vmm_decode_sub_end(o);
		}
		i += 1 + (size_t)n;
	}
}

void vmm_decode_stream(struct vmm_decode_out *o, const uint8_t *p,
		       size_t len, bool venus)
{
	if (venus)
		vmm_decode_venus(o, p, len);
	else
		decode_virgl(o, p, len);
}
