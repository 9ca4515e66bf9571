// SPDX-License-Identifier: MIT
/*
 * Fence timelines, virtio 1.2 5.7.6.7 "Device Operation: Request header"
 * and 5.7.6.5 "Device Operation: Command lifecycle and fencing".
 *
 * A fenced controlq command is parked here with its response already
 * built (OK, payload or error) and answered once it is complete.  Its
 * timeline is the ring ring_idx of context ctx_id when the driver set
 * VIRTIO_GPU_FLAG_INFO_RING_IDX, else the device-global one.  Completion
 * comes from the renderer: each parked command asks for a renderer fence
 * with our own sequence number, and the renderer's signal for sequence N
 * completes every command of that timeline up to N (its fences merge).
 *
 * Why even errors wait: Linux signals every fence up to the fence_id of
 * any fenced response it receives, so answering a later command early
 * would signal earlier fences whose work is still running.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "host/internal.h"
#include "sim/log.h"
#include "sim/virtqueue.h"

bool host__fence_check(struct host_cmd *cmd)
{
	struct host_device *dev = cmd->dev;
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);

	if (!(cmd->hdr.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX))
		return true;
	/* 5.7.6.7: "If VIRTIO_GPU_F_CONTEXT_INIT is supported, then the
	 * driver MAY set VIRTIO_GPU_FLAG_INFO_RING_IDX". */
	if (!host__feature(dev, VIRTIO_GPU_F_CONTEXT_INIT)) {
		if (HOST_FAIL(cmd, F8, "%s: hdr.flags has FLAG_INFO_RING_IDX "
			      "without VIRTIO_GPU_F_CONTEXT_INIT", name))
			return false;
		/* QEMU's 2D device never looks at the flag (row F8). */
		if (host__answer(cmd, HOST_ROW_F8) == HOST_ANSWER_IGNORE) {
			cmd->hdr.flags &=
				~(uint32_t)VIRTIO_GPU_FLAG_INFO_RING_IDX;
			return true;
		}
	}
	/* 5.7.6.7: "The minimum value is 0 and maximum value is 63". */
	if (cmd->hdr.ring_idx >= HOST_MAX_RINGS) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 "%s: hdr.ring_idx %u > 63", name, cmd->hdr.ring_idx);
		return false;
	}
	struct host_context *ctx = host_table_get(&dev->contexts,
						  cmd->hdr.ctx_id);
	if (!ctx) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
			 "%s: ring fence on hdr.ctx_id %u, which does not "
			 "exist", name, cmd->hdr.ctx_id);
		return false;
	}
	/* The renderer decides how many rings a context type has: virgl
	 * contexts in virglrenderer 0.10.4 refuse every ring but 0. */
	if (cmd->hdr.ring_idx >= ctx->num_rings) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 "%s: hdr.ring_idx %u, but context %u (capset %u) has "
			 "%u ring(s)", name, cmd->hdr.ring_idx, ctx->id,
			 ctx->capset_id, ctx->num_rings);
		return false;
	}
	return true;
}

static bool same_timeline(const struct host_timeline *a,
			  const struct host_timeline *b)
{
	return a->per_context == b->per_context && a->ctx_id == b->ctx_id &&
	       a->ring_idx == b->ring_idx;
}

static void answer(struct host_cmd *cmd)
{
	cmd->parked = false;
	host__reply(cmd, cmd->resp, cmd->resp_len);
	free(cmd->resp);
	free(cmd);
}

/*
 * Answer the commands of @tl that are complete, in submission order.  A
 * command without a renderer fence completes once nothing submitted
 * before it on the timeline is still pending.
 */
static void flush_timeline(struct host_device *dev,
			   const struct host_timeline *tl)
{
	struct host_cmd **link = &dev->fence_pending;
	bool blocked = false;

	while (*link) {
		struct host_cmd *cmd = *link;
		if (!same_timeline(&cmd->timeline, tl)) {
			link = &cmd->next;
			continue;
		}
		if (cmd->signalled || (!cmd->has_fence && !blocked)) {
			*link = cmd->next;
			answer(cmd);
			continue;
		}
		blocked = true;
		link = &cmd->next;
	}
	dev->fence_pending_tail = link;	/* *link is NULL: the tail */
}

/*
 * The renderer would not fence the command (a venus ring no queue was
 * bound to, a context it already gave up on): the command is answered
 * after the earlier ones of its timeline, with ERR_UNSPEC unless it had
 * already failed with an error of its own.
 */
static void fence_refused(struct host_cmd *cmd, int ret)
{
	struct virtio_gpu_ctrl_hdr *hdr = cmd->resp;
	SIM_ERROR(HOST_LAYER, "%s: the renderer refused fence %llu on ctx %u "
		  "ring %u: %s", sim_gpu_cmd_name(cmd->hdr.type),
		  (unsigned long long)cmd->hdr.fence_id, cmd->timeline.ctx_id,
		  cmd->timeline.ring_idx, strerror(-ret));
	if (le32toh(hdr->type) < VIRTIO_GPU_RESP_ERR_UNSPEC) {
		hdr->type = htole32(VIRTIO_GPU_RESP_ERR_UNSPEC);
		cmd->resp_len = sizeof(*hdr);
	}
}

void host__fence_cmd(struct host_cmd *cmd)
{
	struct host_device *dev = cmd->dev;
	bool ring = cmd->hdr.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX;

	cmd->timeline = (struct host_timeline){
		.ctx_id = ring ? cmd->hdr.ctx_id : 0,
		.ring_idx = ring ? cmd->hdr.ring_idx : 0,
		.per_context = ring,
	};
	cmd->fence_seq = ring ? ++dev->next_ctx_seq : ++dev->next_global_seq;
	cmd->fence_path = true;
	/* Did the guest wait for its earlier fences before this one? */
	host__placement_fenced(dev, dev->fence_pending != NULL);
	cmd->next = NULL;
	*dev->fence_pending_tail = cmd;
	dev->fence_pending_tail = &cmd->next;

	if (!ring && !dev->has_vrend) {
		/* 0.10.4 keeps its device-wide timeline in the virgl renderer
		 * (ctx0 fences); without it there is nothing to wait for: the
		 * command was handed to the renderer, which is all "complete"
		 * can mean here (docs/architecture.md, renderer section). */
		cmd->has_fence = false;
	} else {
		int ret = host_vr_create_fence(&cmd->timeline, cmd->fence_seq);
		cmd->has_fence = ret == 0;
		if (ret)
			fence_refused(cmd, ret);
	}
	SIM_DEBUG(SIM_DEBUG_FENCE, HOST_LAYER, "fence %llu -> seq %llu ctx %u "
		  "ring %u%s", (unsigned long long)cmd->hdr.fence_id,
		  (unsigned long long)cmd->fence_seq, cmd->timeline.ctx_id,
		  cmd->timeline.ring_idx, cmd->has_fence ? "" : " (no fence)");
	if (!cmd->has_fence)
		flush_timeline(dev, &cmd->timeline);
}

/*
 * The renderer signalled sequence @seq of @tl: every command of @tl with
 * a sequence up to @seq is complete.  5.7.6.7: "when the command
 * associated with fence_id is complete, the device MUST send a response
 * for all outstanding commands with a sequence number less than or equal
 * to fence_id on the same synchronization timeline" -- so commands whose
 * fence_id is at most the largest completed one complete too, even when
 * the driver submitted them later.
 */
void host__fence_retire(struct host_device *dev,
			const struct host_timeline *tl, uint64_t seq)
{
	uint64_t max_id = 0;
	bool any = false;

	for (struct host_cmd *c = dev->fence_pending; c; c = c->next) {
		if (same_timeline(&c->timeline, tl) && c->has_fence &&
		    c->fence_seq <= seq) {
			c->signalled = true;
			any = true;
			if (c->hdr.fence_id > max_id)
				max_id = c->hdr.fence_id;
		}
	}
	if (!any)
		return;
	for (struct host_cmd *c = dev->fence_pending; c; c = c->next)
		if (same_timeline(&c->timeline, tl) && c->hdr.fence_id <= max_id)
			c->signalled = true;
	flush_timeline(dev, tl);
}

static bool context_fence_pending(const struct host_device *dev,
				   uint32_t ctx_id)
{
	for (const struct host_cmd *c = dev->fence_pending; c; c = c->next)
		if (c->timeline.per_context && c->timeline.ctx_id == ctx_id &&
		    c->has_fence && !c->signalled)
			return true;
	return false;
}

/*
 * virglrenderer 0.10.4 frees a context's fences when the context is
 * destroyed while its sync thread may still be waiting on one of them: a
 * use after free that crashed the device about once in 40 runs.  So the
 * device lets the renderer finish a context's outstanding fences first.
 * Runs on the device thread, which otherwise processes signals from the
 * loop: here it takes them straight from the queue.
 */
int host__fence_wait_context(struct host_device *dev, uint32_t ctx_id,
			     int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	/* Completions a fence= fault holds back came from the renderer
	 * already: nothing to wait for (host/inject.c). */
	host__inject_release_context(dev, ctx_id);
	while (context_fence_pending(dev, ctx_id)) {
		int ret = 0;
		pthread_mutex_lock(&dev->fence_lock);
		while (!dev->fence_signals_len && ret != ETIMEDOUT)
			ret = pthread_cond_timedwait(&dev->fence_cond,
						     &dev->fence_lock, &deadline);
		pthread_mutex_unlock(&dev->fence_lock);
		host__fence_drain_signals(dev);
		host__inject_release_context(dev, ctx_id);
		if (ret == ETIMEDOUT && context_fence_pending(dev, ctx_id)) {
			SIM_ERROR(HOST_LAYER, "context %u: fences still pending "
				  "after %d ms; destroying it anyway", ctx_id,
				  timeout_ms);
			return -ETIME;
		}
	}
	return 0;
}

void host__fence_retire_context(struct host_device *dev, uint32_t ctx_id)
{
	for (uint32_t ring = 0; ring < HOST_MAX_RINGS; ring++) {
		struct host_timeline tl = {
			.ctx_id = ctx_id, .ring_idx = ring, .per_context = true
		};
		for (struct host_cmd *c = dev->fence_pending; c; c = c->next)
			if (same_timeline(&c->timeline, &tl))
				c->signalled = true;
		flush_timeline(dev, &tl);
	}
}

void host__fence_drop_all(struct host_device *dev)
{
	while (dev->fence_pending) {
		struct host_cmd *cmd = dev->fence_pending;
		dev->fence_pending = cmd->next;
		sim_vqdev_elem_free(cmd->elem);
		free(cmd->resp);
		free(cmd);
	}
	dev->fence_pending_tail = &dev->fence_pending;
}

void host__fence_drain_signals(struct host_device *dev)
{
	struct host_fence_signal *sigs;
	unsigned n;

	pthread_mutex_lock(&dev->fence_lock);
	sigs = dev->fence_signals;
	n = dev->fence_signals_len;
	dev->fence_signals = NULL;
	dev->fence_signals_len = dev->fence_signals_cap = 0;
	pthread_mutex_unlock(&dev->fence_lock);

	for (unsigned i = 0; i < n; i++)
		/* fence= faults may hold a completion back (host/inject.c). */
		if (!host__inject_hold_signal(dev, &sigs[i]))
			host__fence_retire(dev, &sigs[i].timeline, sigs[i].seq);
	free(sigs);
}

/*
 * The renderer's fence thread answers the command itself instead of
 * waking the device thread to do it: one thread hand-off less per fenced
 * command (docs/performance.md).  Only when the device thread is idle --
 * a busy one drains the queue after its current command, woken by
 * fence_async -- and only without fence= faults, whose timer belongs to
 * the device thread's loop.  Answering means writing the used ring and
 * raising the interrupt, so the guest's interrupt handler then runs on
 * this thread, as it would on whichever CPU took the interrupt.
 */
bool host__fence_try_retire(struct host_device *dev)
{
	if (host__inject_holds_fences(dev))
		return false;
	if (pthread_mutex_trylock(&dev->state_lock))
		return false;
	/* fence_closed is set under state_lock too: once the device is
	 * stopping, nothing is left to answer and nobody to wake. */
	pthread_mutex_lock(&dev->fence_lock);
	bool closed = dev->fence_closed;
	pthread_mutex_unlock(&dev->fence_lock);
	bool reopen = false;
	if (!closed) {
		host__fence_drain_signals(dev);
		host__report_idle(dev);
		reopen = host__poll_reopen_wanted_locked(dev);
	}
	pthread_mutex_unlock(&dev->state_lock);
	/* The device thread opens its poll window again (host/poll.c):
	 * woken after the guest's answer went out, off the guest's path. */
	if (reopen)
		uv_async_send(&dev->fence_async);
	return true;
}
