/* SPDX-License-Identifier: MIT */
/*
 * host/ private header: the device state and the prototypes shared between
 * host/ files, grouped by the file that defines them.
 *
 * Threads: everything in struct host_device is only touched from the
 * device thread, except where a field says otherwise.
 */
#ifndef HOST_INTERNAL_H
#define HOST_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <uv.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"

struct sim_ram;
struct sim_transport;
struct sim_vqdev;
struct sim_vq_elem;

#define HOST_LAYER "host"
#define HOST_NUM_QUEUES 2	/* 5.7.2: controlq (0) and cursorq (1) */
#define HOST_QUEUE_SIZE 256
#define HOST_MAX_CAPSETS 8
/* QEMU caps attach_backing at 16384 entries; a guest asking for more is
 * either broken or trying to make the device allocate without bound. */
#define HOST_MAX_MEM_ENTRIES 16384u
/* Largest SUBMIT_3D payload the device accepts (virgl streams are far
 * smaller; Mesa flushes at 256 KiB). */
#define HOST_MAX_SUBMIT_BYTES (64u << 20)

_Static_assert(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "ctrl_hdr");
_Static_assert(sizeof(struct virtio_gpu_mem_entry) == 16, "mem_entry");
_Static_assert(sizeof(struct virtio_gpu_resource_attach_backing) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resource_detach_backing) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resource_unref) == 32, "unref");
_Static_assert(sizeof(struct virtio_gpu_transfer_host_3d) == 72, "xfer3d");
_Static_assert(sizeof(struct virtio_gpu_resource_create_3d) == 72, "rc3d");
_Static_assert(sizeof(struct virtio_gpu_ctx_create) == 96, "ctx_create");
_Static_assert(sizeof(struct virtio_gpu_ctx_destroy) == 24, "ctx_destroy");
_Static_assert(sizeof(struct virtio_gpu_ctx_resource) == 32, "ctx_res");
_Static_assert(sizeof(struct virtio_gpu_cmd_submit) == 32, "submit");
_Static_assert(sizeof(struct virtio_gpu_get_capset_info) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resp_capset_info) == 40, "");
_Static_assert(sizeof(struct virtio_gpu_get_capset) == 32, "get_capset");
_Static_assert(sizeof(struct virtio_gpu_config) == 16, "config");

/* A fence timeline: the global one (context 0, no ring) or one ring of a
 * context (virtio 1.2 5.7.6.8, VIRTIO_GPU_FLAG_INFO_RING_IDX). */
struct host_timeline {
	uint32_t ctx_id;
	uint32_t ring_idx;
	bool per_context;
};

/* One command popped from a queue, from decode to reply. */
struct host_cmd {
	struct host_device *dev;
	struct sim_vq_elem *elem;
	unsigned queue;
	struct virtio_gpu_ctrl_hdr hdr;	/* host byte order */
	uint32_t error;			/* VIRTIO_GPU_RESP_ERR_* or 0 */
	bool finished;			/* handler already replied */
	/* Fenced commands wait on dev->fence_pending until the renderer
	 * signals their fence. */
	struct host_timeline timeline;
	uint64_t fence_seq;
	struct host_cmd *next;
};

struct host_resource {
	uint32_t id;
	uint32_t width, height, depth, array_size, format, target, bind;
	struct iovec *iov;		/* guest backing, NULL if none */
	unsigned iov_cnt;
	uint64_t backing_len;
};

struct host_context {
	uint32_t id;
	uint32_t capset_id;
	char debug_name[65];
};

struct host_capset {
	uint32_t id;
	uint32_t max_version;
	uint32_t max_size;
};

/* uint32 -> pointer map used for resources and contexts (table.c). */
struct host_table {
	uint32_t *keys;
	void **vals;
	uint32_t cap;		/* power of 2 */
	uint32_t count;
	uint32_t tombstones;
};

/* One signal from the renderer, queued from its thread (fence_lock). */
struct host_fence_signal {
	struct host_timeline timeline;
	uint64_t seq;
};

struct host_device {
	struct sim_ram *ram;
	struct sim_transport *transport;
	struct host_options opts;
	uint64_t acked_features;	/* copied at DRIVER_OK */

	pthread_t thread;
	uv_loop_t loop;
	uv_async_t kick;		/* a queue was notified */
	uv_async_t control;		/* reset / stop requests */
	uv_async_t fence_async;		/* renderer signalled fences */

	/* protects control_req, control_done and the condition */
	pthread_mutex_t control_lock;
	pthread_cond_t control_cond;
	enum { HOST_CTRL_NONE, HOST_CTRL_RESET, HOST_CTRL_STOP } control_req;
	bool control_done;
	int init_result;
	bool init_done;

	struct sim_vqdev *vq[HOST_NUM_QUEUES];
	bool queues_live;		/* DRIVER_OK seen, not reset */

	struct host_capset capsets[HOST_MAX_CAPSETS];
	unsigned num_capsets;

	struct host_table resources;
	struct host_table contexts;

	/* fenced commands awaiting their fence, in submission order */
	struct host_cmd *fence_pending;
	struct host_cmd **fence_pending_tail;
	uint32_t next_global_seq;
	uint64_t next_ctx_seq;

	/* protects fence_signals (written by renderer threads) */
	pthread_mutex_t fence_lock;
	struct host_fence_signal *fence_signals;
	unsigned fence_signals_len, fence_signals_cap;

	/* renderer state (virglrenderer.c) */
	void *egl_display;
	bool renderer_up;
};

/* device.c */
void host__reply(struct host_cmd *cmd, const void *resp, size_t len);
void host__reply_error(struct host_cmd *cmd, uint32_t error);
bool host__feature(const struct host_device *dev, unsigned bit);
/* Copy the command's fixed part; 0, or -EMSGSIZE after logging. */
int host__read_cmd(struct host_cmd *cmd, void *dst, size_t len,
		   const char *name);
void host__fence_retire(struct host_device *dev,
			const struct host_timeline *tl, uint64_t seq);

/* cmd_3d.c: one handler per VIRTIO_GPU_CMD_*; each sets cmd->error on a
 * guest mistake and logs the field. */
void host_cmd_get_capset_info(struct host_cmd *cmd);
void host_cmd_get_capset(struct host_cmd *cmd);
void host_cmd_ctx_create(struct host_cmd *cmd);
void host_cmd_ctx_destroy(struct host_cmd *cmd);
void host_cmd_ctx_attach_resource(struct host_cmd *cmd);
void host_cmd_ctx_detach_resource(struct host_cmd *cmd);
void host_cmd_submit_3d(struct host_cmd *cmd);
void host_cmd_transfer_to_host_3d(struct host_cmd *cmd);
void host_cmd_transfer_from_host_3d(struct host_cmd *cmd);
void host_cmd_resource_create_3d(struct host_cmd *cmd);
void host_cmd_resource_unref(struct host_cmd *cmd);
void host_cmd_resource_attach_backing(struct host_cmd *cmd);
void host_cmd_resource_detach_backing(struct host_cmd *cmd);
void host__destroy_all_objects(struct host_device *dev);

/* virglrenderer.c: the renderer backend; translates to virgl_renderer_*
 * calls and owns EGL.  Returns 0 or -errno. */
int host_vr_init(struct host_device *dev);
void host_vr_fini(struct host_device *dev);
void host_vr_query_capsets(struct host_device *dev);
void host_vr_fill_capset(uint32_t id, uint32_t version, void *buf);
int host_vr_context_create(uint32_t ctx_id, uint32_t capset_id,
			   const char *name, uint32_t nlen);
void host_vr_context_destroy(uint32_t ctx_id);
int host_vr_resource_create(struct host_resource *res, uint32_t last_level,
			    uint32_t array_size, uint32_t nr_samples,
			    uint32_t flags);
void host_vr_resource_unref(uint32_t res_id);
int host_vr_attach_iov(uint32_t res_id, struct iovec *iov, unsigned cnt);
void host_vr_detach_iov(uint32_t res_id);
void host_vr_ctx_attach(uint32_t ctx_id, uint32_t res_id);
void host_vr_ctx_detach(uint32_t ctx_id, uint32_t res_id);
int host_vr_submit(uint32_t ctx_id, void *buf, uint32_t ndw);
int host_vr_transfer(bool to_host, uint32_t res_id, uint32_t ctx_id,
		     uint32_t level, uint32_t stride, uint32_t layer_stride,
		     const struct virtio_gpu_box *box, uint64_t offset);
int host_vr_create_fence(const struct host_timeline *tl, uint64_t seq);

/* table.c */
void host_table_init(struct host_table *t);
void host_table_fini(struct host_table *t);
void *host_table_get(const struct host_table *t, uint32_t key);
int host_table_put(struct host_table *t, uint32_t key, void *val);
void *host_table_remove(struct host_table *t, uint32_t key);
/* Remove and return any one entry, or NULL when empty (for teardown). */
void *host_table_pop_any(struct host_table *t);

#endif
