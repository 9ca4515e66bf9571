// SPDX-License-Identifier: MIT
/*
 * The device's part of a trace (sim/trace.h, --trace): a span per command
 * on the device thread with the chain's flow taken there, the interrupt
 * of each answer with the flow's end, fences as async events from the
 * command's parking to its answer on one track per timeline (5.7.6.7),
 * and an instant per scanout a RESOURCE_FLUSH touched.  Called from
 * device.c behind `if (sim_trace_on())`.
 */
#include <stddef.h>

#include "host/internal.h"
#include "sim/trace.h"
#include "sim/virtqueue.h"

void host__trace_begin(struct host_trace_mark *m, unsigned queue,
		       const struct sim_vq_elem *elem)
{
	struct virtio_gpu_ctrl_hdr hdr = { 0 };
	uint32_t res_id = 0;

	m->t0 = sim_trace_now();
	m->queue = queue;
	sim_iov_to_buf(elem->out_iov, elem->out_num, 0, &hdr, sizeof(hdr));
	m->type = le32toh(hdr.type);
	m->fence_id = le64toh(hdr.fence_id);
	if (m->type == VIRTIO_GPU_CMD_RESOURCE_FLUSH)
		sim_iov_to_buf(elem->out_iov, elem->out_num,
			       offsetof(struct virtio_gpu_resource_flush,
					resource_id), &res_id, sizeof(res_id));
	m->res_id = le32toh(res_id);
	sim_trace_event(SIM_TRACE_FLOW_TAKEN, NULL, m->t0, 0, elem->trace_id,
			0, 0);
}

void host__trace_end(struct host_device *dev, const struct host_trace_mark *m)
{
	sim_trace_span(SIM_TRACE_DEVICE, sim_gpu_cmd_name(m->type), m->t0,
		       m->queue, m->fence_id);
	if (m->type != VIRTIO_GPU_CMD_RESOURCE_FLUSH)
		return;
	for (unsigned i = 0; i < dev->opts.num_scanouts; i++)
		if (m->res_id && dev->scanouts[i].resource_id == m->res_id)
			sim_trace_event(SIM_TRACE_FLUSH, NULL, sim_trace_now(),
					0, 0, i, m->res_id);
}

static void fence(struct host_cmd *cmd, enum sim_trace_kind kind)
{
	bool ring = cmd->hdr.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX;
	sim_trace_event(kind, NULL, sim_trace_now(), 0, cmd->hdr.fence_id,
			ring ? cmd->hdr.ctx_id : 0,
			ring ? (1ull << 32 | cmd->hdr.ring_idx) : 0);
}

void host__trace_parked(struct host_cmd *cmd)
{
	fence(cmd, SIM_TRACE_FENCE_BEGIN);
}

void host__trace_reply(struct host_cmd *cmd)
{
	uint64_t t0 = sim_trace_now();

	if (cmd->queue == HOST_CTRLQ && (cmd->hdr.flags & VIRTIO_GPU_FLAG_FENCE))
		fence(cmd, SIM_TRACE_FENCE_END);
	sim_trace_event(SIM_TRACE_FLOW_ANSWERED, NULL, t0, 0,
			cmd->elem->trace_id, 0, 0);
	sim_trace_span(SIM_TRACE_IRQ, NULL, t0, cmd->queue, 0);
}
