// SPDX-License-Identifier: MIT
/*
 * The virtio-gpu command table (sim/gpu_cmds.h) and feature bits
 * (sim/gpu_config.h), expanded once.
 */
#include "sim/gpu_cmds.h"
#include "sim/gpu_config.h"

const struct sim_gpu_cmd sim_gpu_cmds[SIM_GPU_CMD_COUNT] = {
#define ROW(N, n, req, ok, resp, feat, q)                                \
	[SIM_GPU_CMD_IDX_##N] = {                                        \
		.type = VIRTIO_GPU_CMD_##N,                              \
		.name = #N,                                              \
		.req_size = sizeof(req),                                 \
		.ok_type = VIRTIO_GPU_RESP_##ok,                         \
		.resp_size = sizeof(resp),                               \
		.features = (feat),                                      \
		.queue = (q),                                            \
	},
	SIM_GPU_CMDS(ROW)
#undef ROW
};

const struct sim_gpu_cmd *sim_gpu_cmd_find(uint32_t type)
{
	/* A switch the compiler turns into a jump table: the device looks
	 * every command up on its hot path. */
	switch (type) {
#define CASE(N, n, req, ok, resp, feat, q)                               \
	case VIRTIO_GPU_CMD_##N: return &sim_gpu_cmds[SIM_GPU_CMD_IDX_##N];
	SIM_GPU_CMDS(CASE)
#undef CASE
	default:
		return NULL;
	}
}

const char *sim_gpu_cmd_name(uint32_t type)
{
	const struct sim_gpu_cmd *c = sim_gpu_cmd_find(type);
	return c ? c->name : "unknown";
}

const char *sim_gpu_feature_name(unsigned bit)
{
	switch (bit) {
#define NAME(N, n, b) case b: return #N;
	SIM_GPU_FEATURES(NAME)
#undef NAME
	default:
		return NULL;
	}
}
