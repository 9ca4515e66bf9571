// SPDX-License-Identifier: MIT
/*
 * The personality rows that shape more than an answer code (issue 18,
 * docs/device-answers.md sections 1.1, 1.2, 1.3 and 1.8): how much of a
 * response is written (D5, K0), what a command of a feature the device
 * never offered gets (F1-F7), and which row answers an unknown resource
 * for each command (R5*, K4).  Each still goes through HOST_FAIL, so its
 * device log line names the field, the personality, the row and the
 * answer.
 */
#include <stdio.h>
#include <string.h>

#include "host/internal.h"
#include "host/personality.h"
#include "sim/virtqueue.h"

/* Write @len bytes of @resp (header @hdr first) into @cmd's writable
 * part; the bytes written are the used length. */
static uint32_t write_out(struct host_cmd *cmd,
			  const struct virtio_gpu_ctrl_hdr *hdr,
			  const void *resp, size_t len)
{
	size_t h = len < sizeof(*hdr) ? len : sizeof(*hdr);

	sim_iov_from_buf(cmd->elem->in_iov, cmd->elem->in_num, 0, hdr, h);
	if (len > h)
		sim_iov_from_buf(cmd->elem->in_iov, cmd->elem->in_num, h,
				 (const char *)resp + h, len - h);
	return (uint32_t)len;
}

/*
 * How a response reaches the driver, 5.7.6.7: the spec names no answer
 * for a writable part too small.  QEMU copies what fits and pushes that
 * many bytes (virtio_gpu_ctrl_response, v.c:160); crosvm's encode fails
 * and it pushes 0 (Frontend::process_descriptor, mod.rs:766-769) (D5).
 * QEMU's cursorq never writes a response (virtio_gpu_handle_cursor,
 * v.c:1132); crosvm answers there like on the controlq (K0).  A cursor
 * chain without a writable part (what Linux queues) is returned with
 * nothing written by every personality.
 */
uint32_t host__write_reply(struct host_cmd *cmd,
			   const struct virtio_gpu_ctrl_hdr *hdr,
			   const void *resp, size_t len)
{
	uint64_t room = cmd->elem->in_len;
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);

	if (cmd->queue == HOST_CURSORQ) {
		if (room == 0)
			return 0;
		HOST_FAIL(cmd, K0, "%s: cursorq chain has %llu writable bytes",
			  name, (unsigned long long)room);
		if (host__answer(cmd, HOST_ROW_K0) == HOST_ANSWER_DROP)
			return 0;
	}
	if (room >= len)
		return write_out(cmd, hdr, resp, len);
	HOST_FAIL(cmd, D5, "%s: response buffer is %llu bytes, needs %zu",
		  name, (unsigned long long)room, len);
	if (host__answer(cmd, HOST_ROW_D5) != HOST_ANSWER_PARTIAL)
		return 0;
	return write_out(cmd, hdr, resp, (size_t)room);
}

/* The row of a command whose feature @bit the device never offered. */
static enum host_row never_offered_row(uint32_t type, unsigned bit)
{
	switch (bit) {
	case VIRTIO_GPU_F_VIRGL:
		return type == VIRTIO_GPU_CMD_GET_CAPSET_INFO ||
		       type == VIRTIO_GPU_CMD_GET_CAPSET ? HOST_ROW_F1
							 : HOST_ROW_F2;
	case VIRTIO_GPU_F_EDID:
		return HOST_ROW_F3;
	case VIRTIO_GPU_F_RESOURCE_BLOB:
		return type == VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB ? HOST_ROW_F4
		       : type == VIRTIO_GPU_CMD_SET_SCANOUT_BLOB ? HOST_ROW_F5
								  : HOST_ROW_F6;
	default:
		return HOST_ROW_F7;	/* RESOURCE_UUID */
	}
}

/*
 * 5.7.3: a command of a feature the device does not offer.  QEMU's 2D
 * device has no 3D, capset, map or UUID commands (ERR_UNSPEC, v.c:961)
 * and refuses blobs with ERR_INVALID_PARAMETER when `blob` is off;
 * crosvm gates nothing (Gpu::ack_features, mod.rs:1813) and runs the
 * command (F1-F7).  The missing features are taken VIRGL first, so a
 * blob map without either counts as a 3D command.  true: the command
 * stops with the row's answer.
 */
bool host__never_offered(struct host_cmd *cmd, const char *cmd_name,
			 uint64_t missing)
{
	static const unsigned order[] = {
		VIRTIO_GPU_F_VIRGL, VIRTIO_GPU_F_RESOURCE_BLOB,
		VIRTIO_GPU_F_RESOURCE_UUID, VIRTIO_GPU_F_EDID,
	};

	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(missing & (1ull << order[i])))
			continue;
		enum host_row row = never_offered_row(cmd->hdr.type, order[i]);
		if (host__fail(cmd, row, __func__, "%s: F_%s was never offered",
			       cmd_name, sim_gpu_feature_name(order[i])))
			return true;
		missing &= ~(1ull << order[i]);
	}
	/* A feature bit outside the four (none today) is refused. */
	if (missing) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_UNSPEC, "%s: not negotiated: "
			 "features 0x%llx", cmd_name,
			 (unsigned long long)missing);
		return true;
	}
	return false;
}

/* The row answering an unknown resource_id in the command being run, or
 * HOST_ROW_COUNT where every personality answers
 * ERR_INVALID_RESOURCE_ID (docs/device-answers.md R5). */
enum host_row host__unknown_resource_row(const struct host_cmd *cmd)
{
	switch (cmd->hdr.type) {
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		return HOST_ROW_R5T;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		return HOST_ROW_R5B;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		return HOST_ROW_R5L;
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE:
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE:
		return HOST_ROW_X11;	/* section 1.9's row */
	case VIRTIO_GPU_CMD_UPDATE_CURSOR:
		return HOST_ROW_K4;
	default:
		return HOST_ROW_COUNT;
	}
}
