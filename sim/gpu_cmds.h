/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu commands, written once.  Everything that knows the
 * command list derives from SIM_GPU_CMDS: the device's dispatch, names,
 * feature gate and queue check (host/device.c), the command names of the
 * fault injector (host/inject.c), and the scenario language's symbols
 * and "virtio" statement (guest/scenario/, which sees this table through
 * kernelmock/km.h, the way Linux's UAPI carries <linux/virtio_gpu.h>).
 *
 * X(NAME, name, request, OK response, response struct, features, queue):
 *  - NAME: VIRTIO_GPU_CMD_NAME of <linux/virtio_gpu.h>; name: the same in
 *    lower case, for the names derived from it (host_cmd_<name>);
 *  - request: the command's fixed struct (virtio 1.2 5.7.6.8-5.7.6.10);
 *  - the response on success and its fixed struct;
 *  - the features the command needs (5.7.6.8: GET_EDID with F_EDID,
 *    RESOURCE_ASSIGN_UUID with F_RESOURCE_UUID, the blob commands with
 *    F_RESOURCE_BLOB; 5.7.6.9: "These commands are supported by the device
 *    if the VIRTIO_GPU_F_VIRGL feature flag is set"; MAP_BLOB and
 *    UNMAP_BLOB need both);
 *  - the queue (5.7.2 "Virtqueues": cursor commands on the cursorq,
 *    everything else on the controlq).
 */
#ifndef SIM_GPU_CMDS_H
#define SIM_GPU_CMDS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_gpu.h>

#define SIM_GPU_F(f) (1ull << VIRTIO_GPU_F_##f)
#define SIM_GPU_F_NONE 0ull
#define SIM_GPU_F_3D SIM_GPU_F(VIRGL)
#define SIM_GPU_F_MAP (SIM_GPU_F(RESOURCE_BLOB) | SIM_GPU_F(VIRGL))
/* The spec lists GET_CAPSET_INFO and GET_CAPSET with the 2D commands and
 * names no feature; capsets describe context types, which exist only
 * with VIRTIO_GPU_F_VIRGL (CONTEXT_INIT requires it, 5.7.3), and QEMU's
 * 2D device has no capsets (num_capsets 0, the commands ERR_UNSPEC). */
#define SIM_GPU_F_CAPSETS SIM_GPU_F(VIRGL)

#define SIM_GPU_CMDS(X)                                                      \
	/* 5.7.6.8 controlq */                                              \
	X(GET_DISPLAY_INFO, get_display_info, struct virtio_gpu_ctrl_hdr,   \
	  OK_DISPLAY_INFO, struct virtio_gpu_resp_display_info,             \
	  SIM_GPU_F_NONE, SIM_GPU_CTRLQ)                                     \
	X(RESOURCE_CREATE_2D, resource_create_2d,                           \
	  struct virtio_gpu_resource_create_2d, OK_NODATA,                  \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE, SIM_GPU_CTRLQ)        \
	X(RESOURCE_UNREF, resource_unref, struct virtio_gpu_resource_unref, \
	  OK_NODATA, struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE,            \
	  SIM_GPU_CTRLQ)                                                     \
	X(SET_SCANOUT, set_scanout, struct virtio_gpu_set_scanout,          \
	  OK_NODATA, struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE,            \
	  SIM_GPU_CTRLQ)                                                     \
	X(RESOURCE_FLUSH, resource_flush, struct virtio_gpu_resource_flush, \
	  OK_NODATA, struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE,            \
	  SIM_GPU_CTRLQ)                                                     \
	X(TRANSFER_TO_HOST_2D, transfer_to_host_2d,                         \
	  struct virtio_gpu_transfer_to_host_2d, OK_NODATA,                 \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE, SIM_GPU_CTRLQ)        \
	X(RESOURCE_ATTACH_BACKING, resource_attach_backing,                 \
	  struct virtio_gpu_resource_attach_backing, OK_NODATA,             \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE, SIM_GPU_CTRLQ)        \
	X(RESOURCE_DETACH_BACKING, resource_detach_backing,                 \
	  struct virtio_gpu_resource_detach_backing, OK_NODATA,             \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE, SIM_GPU_CTRLQ)        \
	X(GET_CAPSET_INFO, get_capset_info, struct virtio_gpu_get_capset_info,\
	  OK_CAPSET_INFO, struct virtio_gpu_resp_capset_info,               \
	  SIM_GPU_F_CAPSETS, SIM_GPU_CTRLQ)                                  \
	X(GET_CAPSET, get_capset, struct virtio_gpu_get_capset, OK_CAPSET,  \
	  struct virtio_gpu_resp_capset, SIM_GPU_F_CAPSETS, SIM_GPU_CTRLQ)  \
	X(GET_EDID, get_edid, struct virtio_gpu_cmd_get_edid, OK_EDID,      \
	  struct virtio_gpu_resp_edid, SIM_GPU_F(EDID), SIM_GPU_CTRLQ)      \
	X(RESOURCE_ASSIGN_UUID, resource_assign_uuid,                       \
	  struct virtio_gpu_resource_assign_uuid, OK_RESOURCE_UUID,         \
	  struct virtio_gpu_resp_resource_uuid, SIM_GPU_F(RESOURCE_UUID),   \
	  SIM_GPU_CTRLQ)                                                     \
	X(RESOURCE_CREATE_BLOB, resource_create_blob,                       \
	  struct virtio_gpu_resource_create_blob, OK_NODATA,                \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F(RESOURCE_BLOB),             \
	  SIM_GPU_CTRLQ)                                                     \
	X(SET_SCANOUT_BLOB, set_scanout_blob,                               \
	  struct virtio_gpu_set_scanout_blob, OK_NODATA,                    \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F(RESOURCE_BLOB),             \
	  SIM_GPU_CTRLQ)                                                     \
	/* 5.7.6.9 controlq (3d) */                                         \
	X(CTX_CREATE, ctx_create, struct virtio_gpu_ctx_create, OK_NODATA,  \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(CTX_DESTROY, ctx_destroy, struct virtio_gpu_ctx_destroy,          \
	  OK_NODATA, struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D,              \
	  SIM_GPU_CTRLQ)                                                     \
	X(CTX_ATTACH_RESOURCE, ctx_attach_resource,                         \
	  struct virtio_gpu_ctx_resource, OK_NODATA,                        \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(CTX_DETACH_RESOURCE, ctx_detach_resource,                         \
	  struct virtio_gpu_ctx_resource, OK_NODATA,                        \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(RESOURCE_CREATE_3D, resource_create_3d,                           \
	  struct virtio_gpu_resource_create_3d, OK_NODATA,                  \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(TRANSFER_TO_HOST_3D, transfer_to_host_3d,                         \
	  struct virtio_gpu_transfer_host_3d, OK_NODATA,                    \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(TRANSFER_FROM_HOST_3D, transfer_from_host_3d,                     \
	  struct virtio_gpu_transfer_host_3d, OK_NODATA,                    \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(SUBMIT_3D, submit_3d, struct virtio_gpu_cmd_submit, OK_NODATA,    \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_3D, SIM_GPU_CTRLQ)          \
	X(RESOURCE_MAP_BLOB, resource_map_blob,                             \
	  struct virtio_gpu_resource_map_blob, OK_MAP_INFO,                 \
	  struct virtio_gpu_resp_map_info, SIM_GPU_F_MAP, SIM_GPU_CTRLQ)    \
	X(RESOURCE_UNMAP_BLOB, resource_unmap_blob,                         \
	  struct virtio_gpu_resource_unmap_blob, OK_NODATA,                 \
	  struct virtio_gpu_ctrl_hdr, SIM_GPU_F_MAP, SIM_GPU_CTRLQ)         \
	/* 5.7.6.10 cursorq */                                              \
	X(UPDATE_CURSOR, update_cursor, struct virtio_gpu_update_cursor,    \
	  OK_NODATA, struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE,            \
	  SIM_GPU_CURSORQ)                                                   \
	X(MOVE_CURSOR, move_cursor, struct virtio_gpu_update_cursor,        \
	  OK_NODATA, struct virtio_gpu_ctrl_hdr, SIM_GPU_F_NONE,            \
	  SIM_GPU_CURSORQ)

enum sim_gpu_queue {
	SIM_GPU_CTRLQ = 0,
	SIM_GPU_CURSORQ = 1,
};

/* SIM_GPU_CMD_IDX_<NAME>: a command's row in sim_gpu_cmds. */
enum sim_gpu_cmd_index {
#define SIM_GPU_CMD_IDX_(N, n, req, ok, resp, feat, q) SIM_GPU_CMD_IDX_##N,
	SIM_GPU_CMDS(SIM_GPU_CMD_IDX_)
#undef SIM_GPU_CMD_IDX_
	SIM_GPU_CMD_COUNT
};

struct sim_gpu_cmd {
	uint32_t type;		/* VIRTIO_GPU_CMD_* */
	const char *name;	/* "SUBMIT_3D": the spec name without prefix */
	uint32_t req_size;	/* bytes of the fixed request struct */
	uint32_t ok_type;	/* VIRTIO_GPU_RESP_OK_* */
	uint32_t resp_size;	/* bytes of the fixed response struct */
	uint64_t features;	/* VIRTIO_GPU_F_* bits it needs, all of them */
	enum sim_gpu_queue queue;
};

extern const struct sim_gpu_cmd sim_gpu_cmds[SIM_GPU_CMD_COUNT];

/* The row of command @type, or NULL for a type the spec does not have. */
const struct sim_gpu_cmd *sim_gpu_cmd_find(uint32_t type);
/* A row's index in sim_gpu_cmds. */
static inline enum sim_gpu_cmd_index
sim_gpu_cmd_index(const struct sim_gpu_cmd *c)
{
	return (enum sim_gpu_cmd_index)(c - sim_gpu_cmds);
}
/* "SUBMIT_3D" for VIRTIO_GPU_CMD_SUBMIT_3D; "unknown" for other types. */
const char *sim_gpu_cmd_name(uint32_t type);

#endif
