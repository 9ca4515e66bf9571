// SPDX-License-Identifier: MIT
/*
 * The virtio-gpu device core: the device thread and its libuv loop, the
 * transport hooks, queue processing, the one dispatch switch, the one reply
 * point and fence retirement.  Command semantics live in cmd_*.c; renderer
 * calls in virglrenderer.c.
 *
 * Spec references are to virtio 1.2, section 5.7 "GPU Device".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

bool host__feature(const struct host_device *dev, unsigned bit)
{
	return (dev->acked_features >> bit) & 1;
}

static const char *cmd_name(uint32_t type)
{
	switch (type) {
#define N(x) case VIRTIO_GPU_CMD_##x: return #x
	N(GET_DISPLAY_INFO); N(RESOURCE_CREATE_2D); N(RESOURCE_UNREF);
	N(SET_SCANOUT); N(RESOURCE_FLUSH); N(TRANSFER_TO_HOST_2D);
	N(RESOURCE_ATTACH_BACKING); N(RESOURCE_DETACH_BACKING);
	N(GET_CAPSET_INFO); N(GET_CAPSET); N(GET_EDID);
	N(RESOURCE_ASSIGN_UUID); N(RESOURCE_CREATE_BLOB); N(SET_SCANOUT_BLOB);
	N(CTX_CREATE); N(CTX_DESTROY); N(CTX_ATTACH_RESOURCE);
	N(CTX_DETACH_RESOURCE); N(RESOURCE_CREATE_3D); N(TRANSFER_TO_HOST_3D);
	N(TRANSFER_FROM_HOST_3D); N(SUBMIT_3D); N(RESOURCE_MAP_BLOB);
	N(RESOURCE_UNMAP_BLOB); N(UPDATE_CURSOR); N(MOVE_CURSOR);
#undef N
	default: return "unknown";
	}
}

int host__read_cmd(struct host_cmd *cmd, void *dst, size_t len,
		   const char *name)
{
	if (cmd->elem->out_len < len) {
		SIM_GUEST_ERROR(HOST_LAYER, "%s: command is %llu bytes, needs %zu",
				name, (unsigned long long)cmd->elem->out_len, len);
		cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
		return -EMSGSIZE;
	}
	sim_iov_to_buf(cmd->elem->out_iov, cmd->elem->out_num, 0, dst, len);
	return 0;
}

/*
 * The one place a reply is written.  5.7.6.7: the response header carries
 * the request's fence flag, fence_id, ctx_id and ring_idx back, so the
 * driver can signal the fence from the response alone.
 */
void host__reply(struct host_cmd *cmd, const void *resp, size_t len)
{
	struct virtio_gpu_ctrl_hdr hdr;
	memcpy(&hdr, resp, sizeof(hdr));	/* type is already little endian */
	hdr.flags = htole32(cmd->hdr.flags & (VIRTIO_GPU_FLAG_FENCE |
					      VIRTIO_GPU_FLAG_INFO_RING_IDX));
	hdr.fence_id = htole64(cmd->hdr.fence_id);
	hdr.ctx_id = htole32(cmd->hdr.ctx_id);
	hdr.ring_idx = cmd->hdr.ring_idx;
	memset(hdr.padding, 0, sizeof(hdr.padding));

	uint32_t written = 0;
	if (cmd->elem->in_len < len) {
		SIM_GUEST_ERROR(HOST_LAYER, "%s: response buffer is %llu bytes, "
				"needs %zu; nothing written",
				cmd_name(cmd->hdr.type),
				(unsigned long long)cmd->elem->in_len, len);
	} else {
		sim_iov_from_buf(cmd->elem->in_iov, cmd->elem->in_num, 0,
				 &hdr, sizeof(hdr));
		if (len > sizeof(hdr))
			sim_iov_from_buf(cmd->elem->in_iov, cmd->elem->in_num,
					 sizeof(hdr), (const char *)resp + sizeof(hdr),
					 len - sizeof(hdr));
		written = (uint32_t)len;
	}
	SIM_DEBUG(SIM_DEBUG_CMD, HOST_LAYER, "reply %s -> 0x%x fence %llu",
		  cmd_name(cmd->hdr.type), le32toh(hdr.type),
		  (unsigned long long)cmd->hdr.fence_id);
	sim_vqdev_push(cmd->dev->vq[cmd->queue], cmd->elem, written);
	cmd->elem = NULL;
	cmd->finished = true;
	if (sim_vqdev_should_interrupt(cmd->dev->vq[cmd->queue]))
		sim_transport_interrupt(cmd->dev->transport, SIM_ISR_QUEUE);
}

void host__reply_error(struct host_cmd *cmd, uint32_t error)
{
	struct virtio_gpu_ctrl_hdr hdr = { .type = htole32(error) };
	host__reply(cmd, &hdr, sizeof(hdr));
}

static void reply_nodata(struct host_cmd *cmd)
{
	host__reply_error(cmd, VIRTIO_GPU_RESP_OK_NODATA);
}

/* 5.7.6.8: 3D commands need VIRTIO_GPU_F_VIRGL. */
static bool needs_virgl(uint32_t type)
{
	return type >= VIRTIO_GPU_CMD_CTX_CREATE &&
	       type <= VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB;
}

static void dispatch_ctrl(struct host_cmd *cmd)
{
	uint32_t type = cmd->hdr.type;

	if (needs_virgl(type) && !host__feature(cmd->dev, VIRTIO_GPU_F_VIRGL)) {
		SIM_GUEST_ERROR(HOST_LAYER, "%s: VIRTIO_GPU_F_VIRGL not negotiated",
				cmd_name(type));
		cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		return;
	}
	switch (type) {
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO: host_cmd_get_capset_info(cmd); break;
	case VIRTIO_GPU_CMD_GET_CAPSET: host_cmd_get_capset(cmd); break;
	case VIRTIO_GPU_CMD_CTX_CREATE: host_cmd_ctx_create(cmd); break;
	case VIRTIO_GPU_CMD_CTX_DESTROY: host_cmd_ctx_destroy(cmd); break;
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE:
		host_cmd_ctx_attach_resource(cmd); break;
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE:
		host_cmd_ctx_detach_resource(cmd); break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D:
		host_cmd_resource_create_3d(cmd); break;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF: host_cmd_resource_unref(cmd); break;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		host_cmd_resource_attach_backing(cmd); break;
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		host_cmd_resource_detach_backing(cmd); break;
	case VIRTIO_GPU_CMD_SUBMIT_3D: host_cmd_submit_3d(cmd); break;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
		host_cmd_transfer_to_host_3d(cmd); break;
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		host_cmd_transfer_from_host_3d(cmd); break;
	default:
		/* Known commands that this device does not implement yet are
		 * refused loudly, never acknowledged. */
		SIM_GUEST_ERROR(HOST_LAYER, "%s (0x%x): not supported by this "
				"device", cmd_name(type), type);
		cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		break;
	}
}

static void fence_pending_add(struct host_device *dev, struct host_cmd *cmd)
{
	cmd->next = NULL;
	*dev->fence_pending_tail = cmd;
	dev->fence_pending_tail = &cmd->next;
}

/*
 * A fenced command is answered once the renderer signals its fence
 * (5.7.6.7: the device signals a fence by answering the request that
 * carried it).  Timeline: the context ring named by ring_idx with
 * FLAG_INFO_RING_IDX, else the device-global one.
 */
static void fence_cmd(struct host_cmd *cmd)
{
	struct host_device *dev = cmd->dev;
	bool ring = cmd->hdr.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX;

	if (ring && !host__feature(dev, VIRTIO_GPU_F_CONTEXT_INIT)) {
		SIM_GUEST_ERROR(HOST_LAYER, "%s: FLAG_INFO_RING_IDX without "
				"VIRTIO_GPU_F_CONTEXT_INIT", cmd_name(cmd->hdr.type));
		host__reply_error(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		return;
	}
	if (ring && cmd->hdr.ring_idx >= 64) {
		SIM_GUEST_ERROR(HOST_LAYER, "%s: ring_idx %u >= 64",
				cmd_name(cmd->hdr.type), cmd->hdr.ring_idx);
		host__reply_error(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		return;
	}
	if (ring && !host_table_get(&dev->contexts, cmd->hdr.ctx_id)) {
		SIM_GUEST_ERROR(HOST_LAYER, "%s: ring fence on unknown context %u",
				cmd_name(cmd->hdr.type), cmd->hdr.ctx_id);
		host__reply_error(cmd, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID);
		return;
	}
	cmd->timeline = (struct host_timeline){
		.ctx_id = ring ? cmd->hdr.ctx_id : 0,
		.ring_idx = ring ? cmd->hdr.ring_idx : 0,
		.per_context = ring,
	};
	cmd->fence_seq = ring ? ++dev->next_ctx_seq : ++dev->next_global_seq;
	int ret = host_vr_create_fence(&cmd->timeline, cmd->fence_seq);
	if (ret) {
		SIM_ERROR(HOST_LAYER, "%s: renderer refused fence %llu on ctx %u "
			  "ring %u: %s", cmd_name(cmd->hdr.type),
			  (unsigned long long)cmd->hdr.fence_id,
			  cmd->timeline.ctx_id, cmd->timeline.ring_idx,
			  strerror(-ret));
		host__reply_error(cmd, VIRTIO_GPU_RESP_ERR_UNSPEC);
		return;
	}
	SIM_DEBUG(SIM_DEBUG_FENCE, HOST_LAYER, "fence %llu -> seq %llu ctx %u ring %u",
		  (unsigned long long)cmd->hdr.fence_id,
		  (unsigned long long)cmd->fence_seq, cmd->timeline.ctx_id,
		  cmd->timeline.ring_idx);
	fence_pending_add(dev, cmd);
}

static bool same_timeline(const struct host_timeline *a,
			  const struct host_timeline *b)
{
	return a->per_context == b->per_context && a->ctx_id == b->ctx_id &&
	       a->ring_idx == b->ring_idx;
}

/*
 * 5.7.6.8: signalling a fence completes every earlier fence of the same
 * timeline; the renderer may merge signals, so answer every pending
 * command of @tl whose sequence is at or below @seq.
 */
void host__fence_retire(struct host_device *dev,
			const struct host_timeline *tl, uint64_t seq)
{
	struct host_cmd **link = &dev->fence_pending;
	while (*link) {
		struct host_cmd *cmd = *link;
		if (same_timeline(&cmd->timeline, tl) && cmd->fence_seq <= seq) {
			*link = cmd->next;
			reply_nodata(cmd);
			free(cmd);
			continue;
		}
		link = &cmd->next;
	}
	dev->fence_pending_tail = link;
}

static void process_cmd(struct host_device *dev, unsigned queue,
			struct sim_vq_elem *elem)
{
	struct host_cmd *cmd = calloc(1, sizeof(*cmd));
	if (!cmd) {
		SIM_ERROR(HOST_LAYER, "out of memory for a command");
		sim_vqdev_push(dev->vq[queue], elem, 0);
		return;
	}
	cmd->dev = dev;
	cmd->elem = elem;
	cmd->queue = queue;

	struct virtio_gpu_ctrl_hdr raw;
	if (host__read_cmd(cmd, &raw, sizeof(raw), "ctrl_hdr") == 0) {
		cmd->hdr.type = le32toh(raw.type);
		cmd->hdr.flags = le32toh(raw.flags);
		cmd->hdr.fence_id = le64toh(raw.fence_id);
		cmd->hdr.ctx_id = le32toh(raw.ctx_id);
		cmd->hdr.ring_idx = raw.ring_idx;
		SIM_DEBUG(SIM_DEBUG_CMD, HOST_LAYER, "vq %u %s flags 0x%x fence %llu "
			  "ctx %u ring %u", queue, cmd_name(cmd->hdr.type),
			  cmd->hdr.flags, (unsigned long long)cmd->hdr.fence_id,
			  cmd->hdr.ctx_id, cmd->hdr.ring_idx);
		if (queue == 0) {
			dispatch_ctrl(cmd);
		} else {
			SIM_GUEST_ERROR(HOST_LAYER, "cursorq %s: cursor commands "
					"are not supported by this device",
					cmd_name(cmd->hdr.type));
			cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		}
	}
	if (cmd->finished) {
		free(cmd);
		return;
	}
	if (cmd->error) {
		host__reply_error(cmd, cmd->error);
		free(cmd);
		return;
	}
	if (cmd->hdr.flags & VIRTIO_GPU_FLAG_FENCE) {
		fence_cmd(cmd);
		if (cmd->finished)
			free(cmd);
		return;
	}
	reply_nodata(cmd);
	free(cmd);
}

static int attach_queue(struct host_device *dev, unsigned q)
{
	uint16_t size;
	uint64_t desc, avail, used;
	int ret = sim_transport_get_queue(dev->transport, q, &size, &desc,
					  &avail, &used);
	if (ret)
		return ret;
	return sim_vqdev_create(dev->ram, size, desc, avail, used, &dev->vq[q]);
}

static void drain_queue(struct host_device *dev, unsigned q)
{
	if (!dev->vq[q] && attach_queue(dev, q))
		return;
	for (;;) {
		struct sim_vq_elem *elem;
		const char *why = NULL;
		int ret = sim_vqdev_pop(dev->vq[q], &elem, &why);
		if (ret == -EAGAIN)
			break;
		if (ret == -EIO) {
			/* 2.1.2: the ring itself is inconsistent (avail idx
			 * jumped); only a reset recovers it. */
			SIM_GUEST_ERROR(HOST_LAYER, "vq %u is broken; device "
					"needs reset", q);
			sim_transport_needs_reset(dev->transport);
			break;
		}
		if (ret == -ENOMEM) {
			SIM_ERROR(HOST_LAYER, "vq %u: out of memory popping a chain", q);
			break;
		}
		if (ret) {
			SIM_GUEST_ERROR(HOST_LAYER, "vq %u: malformed chain: %s",
					q, why ? why : "?");
			sim_transport_interrupt(dev->transport, SIM_ISR_QUEUE);
			continue;
		}
		process_cmd(dev, q, elem);
	}
}

static void kick_cb(uv_async_t *handle)
{
	struct host_device *dev = handle->data;
	if (!dev->queues_live) {
		if (!(sim_transport_get_status(dev->transport) & 4 /* DRIVER_OK */))
			return;
		dev->acked_features = sim_transport_acked_features(dev->transport);
		dev->queues_live = true;
	}
	for (unsigned q = 0; q < HOST_NUM_QUEUES; q++)
		drain_queue(dev, q);
}

static void fence_async_cb(uv_async_t *handle)
{
	struct host_device *dev = handle->data;
	struct host_fence_signal *sigs;
	unsigned n;

	pthread_mutex_lock(&dev->fence_lock);
	sigs = dev->fence_signals;
	n = dev->fence_signals_len;
	dev->fence_signals = NULL;
	dev->fence_signals_len = dev->fence_signals_cap = 0;
	pthread_mutex_unlock(&dev->fence_lock);

	for (unsigned i = 0; i < n; i++)
		host__fence_retire(dev, &sigs[i].timeline, sigs[i].seq);
	free(sigs);
}

/* Reset (2.1.2, status 0): drop every object and every queued command. */
static void device_reset(struct host_device *dev)
{
	while (dev->fence_pending) {
		struct host_cmd *cmd = dev->fence_pending;
		dev->fence_pending = cmd->next;
		sim_vqdev_elem_free(cmd->elem);
		free(cmd);
	}
	dev->fence_pending_tail = &dev->fence_pending;
	host__destroy_all_objects(dev);
	for (unsigned q = 0; q < HOST_NUM_QUEUES; q++) {
		sim_vqdev_destroy(dev->vq[q]);
		dev->vq[q] = NULL;
	}
	dev->queues_live = false;
	dev->acked_features = 0;
}

static void close_handle_cb(uv_handle_t *h) { (void)h; }

static void control_cb(uv_async_t *handle)
{
	struct host_device *dev = handle->data;

	pthread_mutex_lock(&dev->control_lock);
	int req = dev->control_req;
	pthread_mutex_unlock(&dev->control_lock);
	if (req == HOST_CTRL_NONE)
		return;

	device_reset(dev);
	if (req == HOST_CTRL_STOP) {
		uv_close((uv_handle_t *)&dev->kick, close_handle_cb);
		uv_close((uv_handle_t *)&dev->control, close_handle_cb);
		uv_close((uv_handle_t *)&dev->fence_async, close_handle_cb);
	}
	pthread_mutex_lock(&dev->control_lock);
	dev->control_req = HOST_CTRL_NONE;
	dev->control_done = true;
	pthread_cond_broadcast(&dev->control_cond);
	pthread_mutex_unlock(&dev->control_lock);
}

/* Ask the device thread to reset or stop and wait until it has. */
static void control_request(struct host_device *dev, int req)
{
	pthread_mutex_lock(&dev->control_lock);
	dev->control_req = req;
	dev->control_done = false;
	uv_async_send(&dev->control);
	while (!dev->control_done)
		pthread_cond_wait(&dev->control_cond, &dev->control_lock);
	pthread_mutex_unlock(&dev->control_lock);
}

/* --- transport hooks (driver threads) --- */

static void notify_hook(void *opaque, unsigned queue)
{
	struct host_device *dev = opaque;
	uv_async_send(&dev->kick);
}

/* 5.7.4: events_clear is write-to-clear for events_read. */
static void config_write_hook(void *opaque, void *config, uint32_t offset,
			      uint32_t len)
{
	struct virtio_gpu_config *cfg = config;
	uint32_t clear = le32toh(cfg->events_clear);
	cfg->events_read = htole32(le32toh(cfg->events_read) & ~clear);
	cfg->events_clear = 0;
}

static void status_hook(void *opaque, uint8_t old, uint8_t status)
{
	struct host_device *dev = opaque;
	if (status == 0 && old != 0)
		control_request(dev, HOST_CTRL_RESET);
	else if (status & 4 /* DRIVER_OK */)
		uv_async_send(&dev->kick);
}

static const struct sim_device_ops device_ops = {
	.notify = notify_hook,
	.config_write = config_write_hook,
	.status_changed = status_hook,
};

static void report_init(struct host_device *dev, int result)
{
	pthread_mutex_lock(&dev->control_lock);
	dev->init_result = result;
	dev->init_done = true;
	pthread_cond_broadcast(&dev->control_cond);
	pthread_mutex_unlock(&dev->control_lock);
}

static void *device_thread(void *arg)
{
	struct host_device *dev = arg;
	int ret = uv_loop_init(&dev->loop);
	if (ret) {
		SIM_ERROR(HOST_LAYER, "uv_loop_init: %s", uv_strerror(ret));
		report_init(dev, ret);
		return NULL;
	}
	uv_async_init(&dev->loop, &dev->kick, kick_cb);
	uv_async_init(&dev->loop, &dev->control, control_cb);
	uv_async_init(&dev->loop, &dev->fence_async, fence_async_cb);
	dev->kick.data = dev->control.data = dev->fence_async.data = dev;

	ret = host_vr_init(dev);
	if (ret == 0)
		host_vr_query_capsets(dev);
	report_init(dev, ret);
	if (ret == 0)
		uv_run(&dev->loop, UV_RUN_DEFAULT);
	else {
		uv_close((uv_handle_t *)&dev->kick, close_handle_cb);
		uv_close((uv_handle_t *)&dev->control, close_handle_cb);
		uv_close((uv_handle_t *)&dev->fence_async, close_handle_cb);
		uv_run(&dev->loop, UV_RUN_DEFAULT);
	}
	host_vr_fini(dev);
	/* Signals queued by the renderer during cleanup have nobody to wake. */
	free(dev->fence_signals);
	dev->fence_signals = NULL;
	uv_loop_close(&dev->loop);
	return NULL;
}

int host_device_create(struct sim_ram *ram, struct sim_transport *t,
		       const struct host_options *opts,
		       struct host_device **out)
{
	if (!opts->virgl && !opts->venus) {
		SIM_ERROR(HOST_LAYER, "no renderer enabled (need virgl or venus)");
		return -EINVAL;
	}
	if (opts->render_server && !opts->venus) {
		SIM_ERROR(HOST_LAYER, "the render server only hosts venus");
		return -EINVAL;
	}
	if (opts->num_scanouts < 1 || opts->num_scanouts > VIRTIO_GPU_MAX_SCANOUTS) {
		SIM_ERROR(HOST_LAYER, "num_scanouts %u outside 1..%u",
			  opts->num_scanouts, VIRTIO_GPU_MAX_SCANOUTS);
		return -EINVAL;
	}
	struct host_device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->ram = ram;
	dev->transport = t;
	dev->opts = *opts;
	dev->fence_pending_tail = &dev->fence_pending;
	host_table_init(&dev->resources);
	host_table_init(&dev->contexts);
	pthread_mutex_init(&dev->control_lock, NULL);
	pthread_cond_init(&dev->control_cond, NULL);
	pthread_mutex_init(&dev->fence_lock, NULL);

	int ret = pthread_create(&dev->thread, NULL, device_thread, dev);
	if (ret) {
		ret = -ret;
		goto err_free;
	}
	pthread_mutex_lock(&dev->control_lock);
	while (!dev->init_done)
		pthread_cond_wait(&dev->control_cond, &dev->control_lock);
	pthread_mutex_unlock(&dev->control_lock);
	ret = dev->init_result;
	if (ret)
		goto err_join;

	struct virtio_gpu_config cfg = {
		.num_scanouts = htole32(opts->num_scanouts),
		.num_capsets = htole32(dev->num_capsets),
	};
	struct sim_device_info info = {
		.device_id = 16,
		.features = opts->features | (1ull << 32 /* VERSION_1 */),
		.num_queues = HOST_NUM_QUEUES,
		.queue_max_size = HOST_QUEUE_SIZE,
		.config = &cfg,
		.config_len = sizeof(cfg),
	};
	ret = sim_transport_plug_device(t, &info, &device_ops, dev);
	if (ret) {
		SIM_ERROR(HOST_LAYER, "plugging into the transport failed: %s",
			  strerror(-ret));
		control_request(dev, HOST_CTRL_STOP);
		goto err_join;
	}
	*out = dev;
	return 0;

err_join:
	pthread_join(dev->thread, NULL);
err_free:
	pthread_mutex_destroy(&dev->fence_lock);
	pthread_cond_destroy(&dev->control_cond);
	pthread_mutex_destroy(&dev->control_lock);
	host_table_fini(&dev->resources);
	host_table_fini(&dev->contexts);
	free(dev);
	return ret;
}

void host_device_destroy(struct host_device *dev)
{
	if (!dev)
		return;
	control_request(dev, HOST_CTRL_STOP);
	pthread_join(dev->thread, NULL);
	pthread_mutex_destroy(&dev->fence_lock);
	pthread_cond_destroy(&dev->control_cond);
	pthread_mutex_destroy(&dev->control_lock);
	host_table_fini(&dev->resources);
	host_table_fini(&dev->contexts);
	free(dev);
}
