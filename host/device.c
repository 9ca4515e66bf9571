// SPDX-License-Identifier: MIT
/*
 * The virtio-gpu device core: the device thread and its libuv loop, the
 * transport hooks, queue processing, the one dispatch switch and the one
 * reply point.  Command semantics live in the cmd_*.c, resource.c,
 * display.c and blob.c files; fences in fence.c; renderer calls in
 * virglrenderer.c.
 *
 * Spec references are to virtio 1.2, section 5.7 "GPU Device".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/hostmem.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/trace.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

bool host__feature(const struct host_device *dev, unsigned bit)
{
	return (dev->acked_features >> bit) & 1;
}

int host__read_cmd(struct host_cmd *cmd, void *dst, size_t len,
		   const char *name)
{
	if (cmd->elem->out_len < len) {
		/* Before the header is read, no personality applies. */
		if (!cmd->seq) {
			HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				 "%s: command is %llu bytes, needs %zu", name,
				 (unsigned long long)cmd->elem->out_len, len);
			return -EMSGSIZE;
		}
		HOST_FAIL(cmd, D2, "%s: command is %llu bytes, needs %zu",
			  name, (unsigned long long)cmd->elem->out_len, len);
		return -EMSGSIZE;
	}
	sim_iov_to_buf(cmd->elem->out_iov, cmd->elem->out_num, 0, dst, len);
	return 0;
}

int host__read_req(struct host_cmd *cmd, void *dst, size_t len)
{
	return host__read_cmd(cmd, dst, len, sim_gpu_cmd_name(cmd->hdr.type));
}

/*
 * The one place a reply is written.  5.7.6.7 "Device Operation: Request
 * header": a fenced response carries the request's fence flag and
 * fence_id back, so the driver can signal the fence from the response
 * alone; the other header fields are the personality's (row N6).
 *
 * The cursorq is special: Linux queues cursor commands without any
 * device-writable buffer (it never reads an answer), and QEMU returns
 * them with nothing written.  A cursor chain without a writable part is
 * therefore normal and returned silently; one with a writable part (a
 * conformance script asking) gets the header.
 */
void host__reply(struct host_cmd *cmd, const void *resp, size_t len)
{
	if (cmd->parked) {
		/* Keep the first response; fence.c sends it later. */
		if (cmd->resp)
			return;
		cmd->resp = malloc(len);
		if (!cmd->resp) {
			SIM_ERROR(HOST_LAYER, "out of memory keeping a response");
			cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
			return;
		}
		memcpy(cmd->resp, resp, len);
		cmd->resp_len = len;
		return;
	}
	struct virtio_gpu_ctrl_hdr hdr;
	memcpy(&hdr, resp, sizeof(hdr));	/* type is already little endian */
	host__resp_hdr(cmd, &hdr);	/* the personality's fields (N6) */

	uint32_t written = host__write_reply(cmd, &hdr, resp, len);
	if (cmd->dev->rec)
		host__rec_response(cmd, &hdr, resp, len, written);
	if (sim_trace_on())
		host__trace_reply(cmd);
	SIM_DEBUG(SIM_DEBUG_CMD, HOST_LAYER, "reply %s -> 0x%x fence %llu",
		  sim_gpu_cmd_name(cmd->hdr.type), le32toh(hdr.type),
		  (unsigned long long)cmd->hdr.fence_id);
	sim_vqdev_push(cmd->dev->vq[cmd->queue], cmd->elem, written);
	cmd->elem = NULL;
	cmd->finished = true;
	if (sim_vqdev_should_interrupt(cmd->dev->vq[cmd->queue])) {
		if (cmd->dev->rec)
			host__rec_interrupt(cmd->dev, SIM_ISR_QUEUE);
		sim_transport_interrupt(cmd->dev->transport, SIM_ISR_QUEUE);
	}
}

void host__reply_error(struct host_cmd *cmd, uint32_t error)
{
	struct virtio_gpu_ctrl_hdr hdr = { .type = htole32(error) };
	host__reply(cmd, &hdr, sizeof(hdr));
}

/*
 * The feature gate and the queue check, from the one command table
 * (sim/gpu_cmds.h, which cites the spec for each command's feature and
 * queue).  The spec names no response for an unsupported command; like
 * QEMU the device answers VIRTIO_GPU_RESP_ERR_UNSPEC.
 */
static void feature_list(uint64_t bits, char *list, size_t len)
{
	for (unsigned b = 0; b < 64; b++)
		if (bits & (1ull << b))
			snprintf(list + strlen(list), len - strlen(list),
				 " F_%s", sim_gpu_feature_name(b));
}

static bool gate(struct host_cmd *cmd, const struct sim_gpu_cmd *c)
{
	uint64_t missing = c->features & ~cmd->dev->acked_features;

	if ((c->queue == SIM_GPU_CURSORQ) != (cmd->queue == HOST_CURSORQ) &&
	    HOST_FAIL(cmd, D3, "%s (0x%x) arrived on the %s; it belongs on "
		      "the %s", c->name, cmd->hdr.type,
		      cmd->queue ? "cursorq" : "controlq",
		      cmd->queue ? "controlq" : "cursorq"))
		return false;
	/* QEMU and crosvm gate by what the device offers, never by what
	 * was negotiated (docs/device-answers.md F0). */
	if (missing && !(missing & ~cmd->dev->opts.features)) {
		char list[96] = "";
		feature_list(missing, list, sizeof(list));
		if (HOST_FAIL(cmd, F0, "%s: offered, not negotiated:%s",
			      c->name, list))
			return false;
		missing = 0;
	}
	if (missing && host__never_offered(cmd, c->name, missing))
		return false;
	if ((cmd->hdr.flags & ~(uint32_t)(VIRTIO_GPU_FLAG_FENCE |
					  VIRTIO_GPU_FLAG_INFO_RING_IDX)) &&
	    HOST_FAIL(cmd, D4, "%s: hdr.flags 0x%x has undefined bits",
		      c->name, cmd->hdr.flags))
		return false;
	return host__fence_check(cmd);
}

/* The one dispatch: exactly one handler per command, host_cmd_<name>,
 * indexed by the command's row in the table. */
static void (*const handlers[SIM_GPU_CMD_COUNT])(struct host_cmd *) = {
#define HANDLER(N, n, req, ok, resp, feat, q)                            \
	[SIM_GPU_CMD_IDX_##N] = host_cmd_##n,
	SIM_GPU_CMDS(HANDLER)
#undef HANDLER
};

/* A type the spec does not have passes the gate as a controlq command
 * that needs nothing, so that its queue, flags and fence are checked
 * like any other before it is refused. */
static const struct sim_gpu_cmd unknown_cmd = {
	.name = "unknown",
	.queue = SIM_GPU_CTRLQ,
};

static void dispatch(struct host_cmd *cmd, const struct sim_gpu_cmd *c)
{
	if (c) {
		handlers[sim_gpu_cmd_index(c)](cmd);
		return;
	}
	/* Not a command of the spec: the guest sent garbage. */
	HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_UNSPEC,
		 "hdr.type 0x%x is not a virtio-gpu command", cmd->hdr.type);
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
	if (dev->rec)
		host__rec_chain(cmd);

	struct virtio_gpu_ctrl_hdr raw;
	if (host__read_cmd(cmd, &raw, sizeof(raw), "ctrl_hdr") == 0) {
		cmd->seq = ++dev->cmd_seq;
		cmd->hdr.type = le32toh(raw.type);
		cmd->hdr.flags = le32toh(raw.flags);
		cmd->hdr.fence_id = le64toh(raw.fence_id);
		cmd->hdr.ctx_id = le32toh(raw.ctx_id);
		cmd->hdr.ring_idx = raw.ring_idx;
		SIM_DEBUG(SIM_DEBUG_CMD, HOST_LAYER, "vq %u %s flags 0x%x fence "
			  "%llu ctx %u ring %u", queue,
			  sim_gpu_cmd_name(cmd->hdr.type), cmd->hdr.flags,
			  (unsigned long long)cmd->hdr.fence_id,
			  cmd->hdr.ctx_id, cmd->hdr.ring_idx);
		const struct sim_gpu_cmd *c = sim_gpu_cmd_find(cmd->hdr.type);
		if (gate(cmd, c ? c : &unknown_cmd)) {
			/* 5.7.6.5 "Command lifecycle and fencing": a fenced
			 * command is answered once its processing is
			 * complete.  Cursor commands complete when handled:
			 * nothing of theirs reaches the renderer. */
			cmd->parked = (cmd->hdr.flags & VIRTIO_GPU_FLAG_FENCE) &&
				      queue == HOST_CTRLQ;
			/* An injected cmd= fault answers instead of the
			 * handler (host/inject.c). */
			if (!host__inject_cmd(cmd))
				dispatch(cmd, c);
			if (dev->rec)
				host__rec_after(cmd);
		}
	}
	if (cmd->parked && host__fenced_answer_at_once(cmd)) {
		/* row N4: the answer goes out now, with no fence */
		cmd->parked = false;
		if (cmd->resp && !cmd->error)
			host__reply(cmd, cmd->resp, cmd->resp_len);
		free(cmd->resp);
		cmd->resp = NULL;
	}
	if (cmd->parked) {
		if (!cmd->resp || cmd->error) {
			struct virtio_gpu_ctrl_hdr hdr = {
				.type = htole32(cmd->error ? cmd->error
						: VIRTIO_GPU_RESP_OK_NODATA),
			};
			free(cmd->resp);
			cmd->resp = NULL;
			host__reply(cmd, &hdr, sizeof(hdr));
		}
		if (!cmd->resp) {	/* out of memory: answer at once */
			cmd->parked = false;
			host__reply_error(cmd, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
			free(cmd);
			return;
		}
		if (sim_trace_on())
			host__trace_parked(cmd);
		host__fence_cmd(cmd);	/* owns cmd from here */
		return;
	}
	if (!cmd->finished)
		host__reply_error(cmd, cmd->error ? cmd->error
				  : VIRTIO_GPU_RESP_OK_NODATA);
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

/* Pop and process what queue @q holds; returns the chains taken. */
static unsigned drain_queue(struct host_device *dev, unsigned q)
{
	unsigned taken = 0;

	if (!dev->vq[q] && attach_queue(dev, q))
		return 0;
	for (;; taken++) {
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
		struct host_trace_mark mark = { 0 };
		if (sim_trace_on())
			host__trace_begin(&mark, q, elem);
		process_cmd(dev, q, elem);
		if (mark.t0)
			host__trace_end(dev, &mark);
	}
	return taken;
}

/*
 * Lockstep (sim/transport.h): the kicks counted before the last drain are
 * finished once no command they brought waits for a fence any more.
 */
void host__report_idle(struct host_device *dev)
{
	if (!dev->fence_pending)
		sim_transport_device_idle(dev->transport, dev->kicks_drained);
}

void host__queues_up(struct host_device *dev)
{
	if (dev->queues_live ||
	    !(sim_transport_get_status(dev->transport) & 4 /* DRIVER_OK */))
		return;
	pthread_mutex_lock(&dev->state_lock);
	dev->acked_features = sim_transport_acked_features(dev->transport);
	dev->queues_live = true;
	if (dev->rec)
		host__rec_features(dev);
	/* A queue the driver did not set up is attached when it is first
	 * drained, and drains nothing until then. */
	for (unsigned q = 0; q < HOST_NUM_QUEUES; q++)
		if (!dev->vq[q])
			attach_queue(dev, q);
	pthread_mutex_unlock(&dev->state_lock);
}

unsigned host__drain_queues(struct host_device *dev)
{
	unsigned taken = 0;

	pthread_mutex_lock(&dev->state_lock);
	dev->kicks_drained = sim_transport_kicks(dev->transport);
	if (dev->queues_live)
		for (unsigned q = 0; q < HOST_NUM_QUEUES; q++)
			taken += drain_queue(dev, q);
	host__report_idle(dev);
	pthread_mutex_unlock(&dev->state_lock);
	return taken;
}

static void kick_cb(uv_async_t *handle)
{
	struct host_device *dev = handle->data;

	/* Commands may make the renderer start threads: not while pinned
	 * (host/placement.c); host__poll_stop pins again before we sleep. */
	host__placement_work(dev);
	host__poll_kicked(dev);
}

static void fence_async_cb(uv_async_t *handle)
{
	struct host_device *dev = handle->data;
	pthread_mutex_lock(&dev->state_lock);
	host__fence_drain_signals(dev);
	host__report_idle(dev);
	host__poll_reopen_locked(dev);
	pthread_mutex_unlock(&dev->state_lock);
}

/* Reset (2.1.2, status 0): drop every object and every queued command. */
static void device_reset(struct host_device *dev)
{
	host__poll_stop(dev, false);
	host__fence_drop_all(dev);
	host__inject_reset(dev);
	host__destroy_all_objects(dev);
	host__scanouts_init(dev);
	for (unsigned q = 0; q < HOST_NUM_QUEUES; q++) {
		sim_vqdev_destroy(dev->vq[q]);
		dev->vq[q] = NULL;
	}
	dev->queues_live = false;
	dev->acked_features = 0;
	/* Whatever was kicked before the reset is over. */
	dev->kicks_drained = sim_transport_kicks(dev->transport);
	host__report_idle(dev);
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

	pthread_mutex_lock(&dev->state_lock);
	device_reset(dev);
	if (req == HOST_CTRL_STOP) {
		/* Renderer threads may still signal until virgl_renderer_cleanup
		 * has joined them: from now on they must not touch the handle. */
		pthread_mutex_lock(&dev->fence_lock);
		dev->fence_closed = true;
		pthread_mutex_unlock(&dev->fence_lock);
		host__inject_stop(dev);
		uv_close((uv_handle_t *)&dev->kick, close_handle_cb);
		uv_close((uv_handle_t *)&dev->control, close_handle_cb);
		uv_close((uv_handle_t *)&dev->fence_async, close_handle_cb);
		uv_close((uv_handle_t *)&dev->poll_idle, close_handle_cb);
	}
	pthread_mutex_unlock(&dev->state_lock);
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
	if (dev->rec)
		host__rec_notify(dev, queue);
	uv_async_send(&dev->kick);
}

/* 5.7.4: events_clear is write-to-clear for events_read. */
static void config_write_hook(void *opaque, void *config, uint32_t offset,
			      uint32_t len)
{
	struct virtio_gpu_config *cfg = config;
	struct host_device *dev = opaque;

	if (offset < sizeof(cfg->events_read))
		host__violation(dev, NULL, HOST_RULE_EVENTS_READ,
				"%u bytes at config offset %u (events_read)",
				len, offset);
	uint32_t clear = le32toh(cfg->events_clear);
	cfg->events_read = htole32(le32toh(cfg->events_read) & ~clear);
	cfg->events_clear = 0;
}

static void status_hook(void *opaque, uint8_t old, uint8_t status)
{
	struct host_device *dev = opaque;
	if (dev->rec)
		host__rec_status(dev, old, status);
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
	uv_idle_init(&dev->loop, &dev->poll_idle);
	dev->kick.data = dev->control.data = dev->fence_async.data = dev;
	dev->poll_idle.data = dev;
	if (sim_trace_on())
		sim_trace_event(SIM_TRACE_THREAD, "virtio-gpu device", 0, 0, 0, 0, 0);

	ret = host__inject_start(dev);
	if (ret)
		SIM_ERROR(HOST_LAYER, "fault injection timer: %s", uv_strerror(ret));
	else
		ret = host_vr_init(dev);
	if (ret == 0)
		host_vr_query_capsets(dev);
	if (ret == 0 && dev->rec)
		host__rec_renderer(dev);
	report_init(dev, ret);
	if (ret == 0) {
		uv_run(&dev->loop, UV_RUN_DEFAULT);
		host__placement_fini(dev);
	}
	else {
		dev->fence_closed = true;
		host__inject_stop(dev);
		uv_close((uv_handle_t *)&dev->kick, close_handle_cb);
		uv_close((uv_handle_t *)&dev->control, close_handle_cb);
		uv_close((uv_handle_t *)&dev->fence_async, close_handle_cb);
		uv_close((uv_handle_t *)&dev->poll_idle, close_handle_cb);
		uv_run(&dev->loop, UV_RUN_DEFAULT);
	}
	host_vr_fini(dev);
	/* Signals queued by the renderer during cleanup have nobody to wake. */
	free(dev->fence_signals);
	dev->fence_signals = NULL;
	uv_loop_close(&dev->loop);
	return NULL;
}

static int check_options(const struct host_options *opts)
{
	char why[120];
	if (opts->vmm >= HOST_VMM_COUNT || host_vmm_check_table(why, sizeof(why))) {
		SIM_ERROR(HOST_LAYER, "personality %u: %s", opts->vmm,
			  opts->vmm >= HOST_VMM_COUNT ? "none such" : why);
		return -EINVAL;
	}
	if (!opts->virgl && !opts->venus) {
		SIM_ERROR(HOST_LAYER, "no renderer enabled (need virgl or venus)");
		return -EINVAL;
	}
	if (opts->render_server && !opts->venus) {
		SIM_ERROR(HOST_LAYER, "the render server only hosts venus");
		return -EINVAL;
	}
	int vret = host__vr_venus_check(opts);
	if (vret)
		return vret;
	if (opts->num_scanouts < 1 || opts->num_scanouts > VIRTIO_GPU_MAX_SCANOUTS) {
		SIM_ERROR(HOST_LAYER, "num_scanouts %u outside 1..%u",
			  opts->num_scanouts, VIRTIO_GPU_MAX_SCANOUTS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		uint32_t w = opts->modes[i].width, h = opts->modes[i].height;
		if ((w || h) && !host__edid_mode_ok(w, h)) {
			SIM_ERROR(HOST_LAYER, "scanout %u mode %ux%u: an EDID "
				  "detailed timing cannot describe it (sides "
				  "1..4095, pixel clock at 60 Hz up to 655.35 "
				  "MHz); both 0 means 1024x768", i, w, h);
			return -EINVAL;
		}
	}
	uint64_t extra = opts->features & ~host_vmm_offerable_features(opts->vmm);
	if (extra) {
		char list[96] = "";
		feature_list(extra, list, sizeof(list));
		SIM_ERROR(HOST_LAYER, "the %s device cannot offer%s (docs/"
			  "device-answers.md, section 2)",
			  host_vmm_name(opts->vmm), list);
		return -EINVAL;
	}
	/* crosvm's bit 5 is not BLOB_ALIGNMENT (host__bit5_is_...). */
	bool align_bit = opts->vmm != HOST_VMM_CROSVM;
	if (align_bit && opts->features & (1ull << SIM_GPU_F_BLOB_ALIGNMENT) &&
	    (!(opts->features & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB)) ||
	     !opts->blob_alignment ||
	     (opts->blob_alignment & (opts->blob_alignment - 1)))) {
		/* virtio 1.4 5.7.3: BLOB_ALIGNMENT "requires
		 * VIRTIO_GPU_F_RESOURCE_BLOB"; 5.7.4: a power of two. */
		SIM_ERROR(HOST_LAYER, "VIRTIO_GPU_F_BLOB_ALIGNMENT offered "
			  "without VIRTIO_GPU_F_RESOURCE_BLOB or with "
			  "blob_alignment %u, not a power of two",
			  opts->blob_alignment);
		return -EINVAL;
	}
	if (opts->features & (1ull << VIRTIO_GPU_F_CONTEXT_INIT) &&
	    !(opts->features & (1ull << VIRTIO_GPU_F_VIRGL))) {
		/* 5.7.3 "Feature bits": CONTEXT_INIT "Requires
		 * VIRTIO_GPU_F_VIRGL". */
		SIM_ERROR(HOST_LAYER, "VIRTIO_GPU_F_CONTEXT_INIT offered "
			  "without VIRTIO_GPU_F_VIRGL");
		return -EINVAL;
	}
	if (opts->poll_max_ns > HOST_POLL_LIMIT_NS) {
		/* Beyond that, a window is a busy loop, not a wait. */
		SIM_ERROR(HOST_LAYER, "poll_max_ns %llu above %u",
			  (unsigned long long)opts->poll_max_ns,
			  HOST_POLL_LIMIT_NS);
		return -EINVAL;
	}
	return 0;
}

static void free_device(struct host_device *dev)
{
	pthread_mutex_destroy(&dev->state_lock);
	pthread_mutex_destroy(&dev->viol_lock);
	pthread_mutex_destroy(&dev->notify_lock);
	pthread_cond_destroy(&dev->fence_cond);
	pthread_mutex_destroy(&dev->fence_lock);
	pthread_cond_destroy(&dev->control_cond);
	pthread_mutex_destroy(&dev->control_lock);
	host_table_fini(&dev->resources);
	host_table_fini(&dev->contexts);
	host__vr_region_release(dev);
	host__inject_free(dev->inject);
	host__rec_free(dev->rec);
	free((char *)dev->opts.scanout_dir);
	free(dev);
}

/*
 * Creating a device is a transient struct and flat steps with one cleanup
 * (Linux's virtgpu_submit.c): allocate and parse the options, start the
 * device thread (which brings the renderer up), plug into the transport.
 * A step that fails leaves the cleanup to undo exactly what was done.
 */
struct host_setup {
	struct host_device *dev;
	bool thread_live;		/* the device thread runs */
};

static int setup_alloc(struct host_setup *su, struct sim_ram *ram,
		       struct sim_transport *t, const struct host_options *opts)
{
	struct host_device *dev = calloc(1, sizeof(*dev));

	if (!dev)
		return -ENOMEM;
	su->dev = dev;
	dev->ram = ram;
	dev->transport = t;
	dev->opts = *opts;
	dev->opts.scanout_dir = NULL;
	dev->opts.inject = NULL;	/* parsed into dev->inject below */
	if (RUNNING_ON_VALGRIND)
		dev->opts.poll_max_ns = 0;
	host__placement_init(dev);
	dev->fence_pending_tail = &dev->fence_pending;
	host_table_init(&dev->resources);
	host_table_init(&dev->contexts);
	host__scanouts_init(dev);
	pthread_mutex_init(&dev->state_lock, NULL);
	pthread_mutex_init(&dev->viol_lock, NULL);
	pthread_mutex_init(&dev->notify_lock, NULL);
	pthread_mutex_init(&dev->control_lock, NULL);
	pthread_cond_init(&dev->control_cond, NULL);
	pthread_mutex_init(&dev->fence_lock, NULL);
	pthread_cond_init(&dev->fence_cond, NULL);
	int ret = host__inject_parse(opts->inject, &dev->inject);
	if (ret)
		return ret;
	if (opts->record && (ret = host__rec_create(dev)))
		return ret;
	if (opts->scanout_dir) {
		dev->opts.scanout_dir = strdup(opts->scanout_dir);
		if (!dev->opts.scanout_dir)
			return -ENOMEM;
	}
	return 0;
}

/* The device thread owns the renderer: wait until it is up (or failed). */
static int setup_thread(struct host_setup *su)
{
	struct host_device *dev = su->dev;
	int ret = pthread_create(&dev->thread, NULL, device_thread, dev);

	if (ret)
		return -ret;
	su->thread_live = true;
	pthread_mutex_lock(&dev->control_lock);
	while (!dev->init_done)
		pthread_cond_wait(&dev->control_cond, &dev->control_lock);
	pthread_mutex_unlock(&dev->control_lock);
	return dev->init_result;
}

static int setup_plug(struct host_setup *su, const struct host_options *opts)
{
	struct host_device *dev = su->dev;
	bool align = opts->features & (1ull << SIM_GPU_F_BLOB_ALIGNMENT) &&
		     host__bit5_is_blob_alignment(dev);
	/* Capsets describe 3D context types: none without VIRGL
	 * (SIM_GPU_F_CAPSETS). */
	bool virgl = opts->features & (1ull << VIRTIO_GPU_F_VIRGL);
	struct sim_gpu_config cfg = {
		.num_scanouts = htole32(host__config_num_scanouts(dev)),
		.num_capsets = htole32(virgl ? dev->num_capsets : 0),
		.blob_alignment = htole32(align ? opts->blob_alignment : 0),
	};
	/* 5.7.5 "Device Initialization": the host-visible memory region is
	 * the shared memory region with shmid VIRTIO_GPU_SHM_ID_HOST_VISIBLE. */
	struct sim_device_info info = {
		.device_id = 16,
		.features = opts->features | (1ull << 32 /* VERSION_1 */),
		.num_queues = HOST_NUM_QUEUES,
		.queue_max_size = host__queue_size(dev, HOST_CTRLQ),
		.queue_sizes = { host__queue_size(dev, HOST_CTRLQ),
				 host__queue_size(dev, HOST_CURSORQ) },
		.shm = opts->hostmem,
		.shm_id = SIM_SHM_ID_HOST_VISIBLE,
		.config = &cfg,
		/* A device of the spec before 1.4 has four fields. */
		.config_len = align ? sizeof(cfg)
				    : sizeof(struct virtio_gpu_config),
	};
	if (dev->rec)
		host__rec_config(dev, &cfg, info.config_len, info.features);
	int ret = sim_transport_plug_device(dev->transport, &info, &device_ops,
					    dev);

	if (ret)
		SIM_ERROR(HOST_LAYER, "plugging into the transport failed: %s",
			  strerror(-ret));
	return ret;
}

int host_device_create(struct sim_ram *ram, struct sim_transport *t,
		       const struct host_options *opts,
		       struct host_device **out)
{
	struct host_setup su = { 0 };
	int ret;

	ret = check_options(opts);
	if (ret)
		goto cleanup;
	ret = setup_alloc(&su, ram, t, opts);
	if (ret)
		goto cleanup;
	ret = setup_thread(&su);
	if (ret)
		goto cleanup;
	ret = setup_plug(&su, opts);
	if (ret)
		goto cleanup;
	*out = su.dev;
	su.dev = NULL;		/* the caller's now */
cleanup:
	if (su.dev && su.thread_live) {
		/* A thread whose renderer failed has ended on its own. */
		if (!su.dev->init_result)
			control_request(su.dev, HOST_CTRL_STOP);
		pthread_join(su.dev->thread, NULL);
	}
	if (su.dev)
		free_device(su.dev);
	return ret;
}

void host_device_destroy(struct host_device *dev)
{
	if (!dev)
		return;
	control_request(dev, HOST_CTRL_STOP);
	pthread_join(dev->thread, NULL);
	free_device(dev);
}
