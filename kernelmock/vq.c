// SPDX-License-Identifier: MIT
/*
 * The driver side of the virtqueues (Linux virtgpu_vq.c's role): vbufs in
 * guest memory, queueing with fence emission in ring order, kicks, and the
 * interrupt handler that takes answers off the used ring.
 */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

int km__vbuf_alloc(struct km_device *dev, size_t cmd_len, size_t data_len,
		   size_t resp_len, struct km_vbuf **out)
{
	struct km_vbuf *vbuf = calloc(1, sizeof(*vbuf));
	if (!vbuf)
		return -ENOMEM;
	size_t total = cmd_len + data_len + resp_len;
	size_t alloc = (total + SIM_PAGE_SIZE - 1) & ~(size_t)(SIM_PAGE_SIZE - 1);
	int ret = sim_ram_alloc_contig(dev->ram, alloc, &vbuf->gpa);
	if (ret) {
		free(vbuf);
		return ret;
	}
	vbuf->buf = sim_ram_translate(dev->ram, vbuf->gpa, alloc);
	vbuf->alloc_size = alloc;
	vbuf->cmd_len = cmd_len;
	vbuf->data_len = data_len;
	vbuf->resp_len = resp_len;
	*out = vbuf;
	return 0;
}

int km__vbuf_add_objs(struct km_vbuf *vbuf, struct km_bo **bos, unsigned n)
{
	unsigned have = vbuf->objs ? vbuf->objs->n : 0;
	struct km_objs *objs = realloc(vbuf->objs, sizeof(*objs) +
				       (have + n) * sizeof(objs->bo[0]));
	if (!objs)
		return -ENOMEM;
	objs->n = have;
	vbuf->objs = objs;
	for (unsigned i = 0; i < n; i++) {
		km__bo_get(bos[i]);
		objs->bo[objs->n++] = bos[i];
	}
	return 0;
}

/* Caller holds dev->lock (object references are dropped here). */
void km__vbuf_free(struct km_device *dev, struct km_vbuf *vbuf)
{
	if (!vbuf)
		return;
	if (vbuf->fence)
		km__fence_put(vbuf->fence);
	km__objs_put_free_locked(dev, vbuf->objs);
	sim_ram_release_contig(dev->ram, vbuf->gpa, vbuf->alloc_size);
	free(vbuf);
}

/*
 * A timeout becomes a deadline here and nowhere else.  It saturates: a
 * negative timeout means "no limit" (poll(2)'s convention; a script's
 * timeout_ms=2147483648 arrives as INT_MIN) and, like any timeout above
 * KM_TIMEOUT_MAX_MS, waits that long.  Unclamped, such a value made a
 * deadline in the past whose timespec pthread_cond_timedwait refused
 * with EINVAL at once, without sleeping: the waiter spun holding
 * dev->lock, and the interrupt handler that would have answered it never
 * got the lock.
 */
int64_t km__deadline(int64_t timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (timeout_ms < 0 || timeout_ms > KM_TIMEOUT_MAX_MS)
		timeout_ms = KM_TIMEOUT_MAX_MS;
	/* now (< 2^62 ns for centuries of uptime) + < 2^51 ns: no overflow */
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec +
	       timeout_ms * 1000000;
}

/* 0 when woken, -ETIME once @deadline_ns (CLOCK_MONOTONIC) has passed.
 * Any other failure of the wait also ends it (-ETIME) rather than letting
 * the caller loop without ever releasing dev->lock. */
int km__cond_timedwait_locked(struct km_device *dev, int64_t deadline_ns)
{
	if (deadline_ns < 0)
		return -ETIME;
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000,
		.tv_nsec = deadline_ns % 1000000000,
	};
	int ret = pthread_cond_timedwait(&dev->cond, &dev->lock, &ts);
	return ret ? -ETIME : 0;
}

/*
 * Like virtio_gpu_queue_fenced_ctrl_buffer: wait for free descriptors,
 * then give the fence its id while holding the queue, so that fence order
 * is ring order and the device may rely on it (5.7.6.7 answers in order of
 * fence ids on one timeline).
 */
static int queue_locked(struct km_device *dev, struct sim_vqd *vq,
			unsigned index, struct km_vbuf *vbuf,
			struct km_fence *fence)
{
	struct sim_vq_buf out[2];
	unsigned nout = 0;
	out[nout++] = (struct sim_vq_buf){ vbuf->gpa, (uint32_t)vbuf->cmd_len };
	if (vbuf->data_len)
		out[nout++] = (struct sim_vq_buf){ vbuf->gpa + vbuf->cmd_len,
						   (uint32_t)vbuf->data_len };
	struct sim_vq_buf in = {
		vbuf->gpa + vbuf->cmd_len + vbuf->data_len,
		(uint32_t)vbuf->resp_len,
	};
	int64_t deadline = km__deadline(KM_WAIT_TIMEOUT_MS);
	while (sim_vqd_num_free(vq) < nout + 1) {
		if (km__cond_timedwait_locked(dev, deadline)) {
			SIM_ERROR(KM_LAYER, "vq %u stayed full for %d ms", index,
				  KM_WAIT_TIMEOUT_MS);
			km__vbuf_free(dev, vbuf);
			return -EBUSY;
		}
	}
	if (fence) {
		struct virtio_gpu_ctrl_hdr *hdr = vbuf->buf;
		km__fence_emit_locked(dev, fence);
		km__fence_get(fence);
		vbuf->fence = fence;
		hdr->flags |= htole32(VIRTIO_GPU_FLAG_FENCE);
		hdr->fence_id = htole64(fence->id);
		if (fence->emit_ring_info) {
			hdr->flags |= htole32(VIRTIO_GPU_FLAG_INFO_RING_IDX);
			hdr->ring_idx = (uint8_t)fence->ring_idx;
		}
	}
	int ret = sim_vqd_add(vq, out, nout, &in, 1, vbuf);
	if (ret) {
		SIM_ERROR(KM_LAYER, "sim_vqd_add: %d", ret);
		km__vbuf_free(dev, vbuf);
		return ret;
	}
	SIM_DEBUG(SIM_DEBUG_VQ, KM_LAYER, "queued 0x%x fence %llu",
		  le32toh(((struct virtio_gpu_ctrl_hdr *)vbuf->buf)->type),
		  fence ? (unsigned long long)fence->id : 0ull);
	dev->stats.inflight++;
	dev->pending_kicks |= 1u << index;
	vbuf->next_inflight = dev->inflight_vbufs;
	if (dev->inflight_vbufs)
		dev->inflight_vbufs->pprev_inflight = &vbuf->next_inflight;
	vbuf->pprev_inflight = &dev->inflight_vbufs;
	dev->inflight_vbufs = vbuf;
	return 0;
}

static void unlink_inflight(struct km_vbuf *vbuf)
{
	*vbuf->pprev_inflight = vbuf->next_inflight;
	if (vbuf->next_inflight)
		vbuf->next_inflight->pprev_inflight = vbuf->pprev_inflight;
	vbuf->next_inflight = NULL;
	vbuf->pprev_inflight = NULL;
}

int km__queue_ctrl_locked(struct km_device *dev, struct km_vbuf *vbuf,
			  struct km_fence *fence)
{
	return queue_locked(dev, dev->ctrlq, 0, vbuf, fence);
}

int km__queue_cursor_locked(struct km_device *dev, struct km_vbuf *vbuf)
{
	return queue_locked(dev, dev->cursorq, 1, vbuf, NULL);
}

void km__notify_locked(struct km_device *dev)
{
	unsigned kicks = dev->pending_kicks;
	dev->pending_kicks = 0;
	if ((kicks & 1) && sim_vqd_should_notify(dev->ctrlq))
		sim_transport_notify(dev->transport, 0);
	if ((kicks & 2) && sim_vqd_should_notify(dev->cursorq))
		sim_transport_notify(dev->transport, 1);
}

/*
 * Whether the calling thread slept for a quarter or more of the time
 * since its previous submit, and was never preempted meanwhile: a program
 * that waits for each frame sleeps while the device works; one with
 * frames in flight keeps running; one preempted shares its CPU with other
 * work, and the time it waited to run is no sleep.  getrusage is one
 * system call (no vDSO for a thread's CPU time).
 */
static bool slept_since_last_submit(void)
{
	static __thread uint64_t last_wall, last_cpu;
	static __thread long last_nivcsw;
	struct timespec w;
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &w);
	if (getrusage(RUSAGE_THREAD, &ru))
		return false;
	uint64_t wall = (uint64_t)w.tv_sec * 1000000000u + (uint64_t)w.tv_nsec;
	uint64_t cpu = ((uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
			1000000u + (uint64_t)(ru.ru_utime.tv_usec +
					      ru.ru_stime.tv_usec)) * 1000u;
	uint64_t dw = wall - last_wall, dc = cpu - last_cpu;
	bool slept = last_wall && wall > last_wall && dc < dw &&
		     (dw - dc) * 4 >= dw && ru.ru_nivcsw == last_nivcsw;
	last_wall = wall;
	last_cpu = cpu;
	last_nivcsw = ru.ru_nivcsw;
	return slept;
}

/*
 * The CPU of a program thread that submits work, or starts to wait, and
 * whether it waited: the device may place its threads next to it
 * (sim_transport_set_guest_cpu), when it asks.  sched_getcpu reads the
 * rseq area here, no system call.  Only from program threads: the kernel
 * worker and the interrupt handler run elsewhere.
 */
void km__note_guest_submit(struct km_device *dev)
{
	if (!sim_transport_wants_guest_cpu(dev->transport))
		return;
	bool slept = slept_since_last_submit();
	sim_transport_set_guest_cpu(dev->transport, sched_getcpu(), slept);
}

void km__note_guest_wait(struct km_device *dev)
{
	if (!sim_transport_wants_guest_cpu(dev->transport))
		return;
	sim_transport_set_guest_cpu(dev->transport, sched_getcpu(), true);
}

int km__vbuf_wait_locked(struct km_device *dev, struct km_vbuf *vbuf,
			 int timeout_ms)
{
	int64_t deadline = km__deadline(timeout_ms);
	while (!vbuf->done)
		if (km__cond_timedwait_locked(dev, deadline))
			return -ETIME;
	return (int)vbuf->resp_type;
}

/*
 * Interrupt context: a reference that is not the last is only a counter,
 * dropped here; the objects whose last reference this is go to the
 * worker, which may queue RESOURCE_UNREF.  Waking the worker only then
 * keeps answers that free nothing from costing a thread switch.
 */
static void put_objs_irq_locked(struct km_device *dev, struct km_objs *objs)
{
	if (!objs)
		return;
	unsigned keep = 0;
	for (unsigned i = 0; i < objs->n; i++) {
		struct km_bo *bo = objs->bo[i];
		if (bo->refcount > 1)
			bo->refcount--;
		else
			objs->bo[keep++] = bo;
	}
	objs->n = keep;
	if (keep)
		km__objs_put_delayed_locked(dev, objs);
	else
		free(objs);
}

static void complete_vbuf_locked(struct km_device *dev, struct km_vbuf *vbuf,
				 uint32_t written)
{
	struct virtio_gpu_ctrl_hdr resp;
	memset(&resp, 0, sizeof(resp));
	if (written >= sizeof(resp))
		memcpy(&resp, km__vbuf_resp(vbuf), sizeof(resp));
	vbuf->resp_type = le32toh(resp.type);
	vbuf->written = written;
	uint32_t cmd_type = le32toh(((struct virtio_gpu_ctrl_hdr *)vbuf->buf)->type);
	unlink_inflight(vbuf);

	/* Linux logs error responses (virtio_gpu_dequeue_ctrl_func). */
	if (vbuf->resp_type < VIRTIO_GPU_RESP_OK_NODATA ||
	    vbuf->resp_type >= VIRTIO_GPU_RESP_ERR_UNSPEC)
		SIM_DEBUG(SIM_DEBUG_VQ, KM_LAYER, "response 0x%x (command 0x%x)",
			  vbuf->resp_type, cmd_type);
	/* As in Linux, only the fence echoed in the answer is signalled: a
	 * device that drops it leaves the fence pending, as on a VM. */
	if (le32toh(resp.flags) & VIRTIO_GPU_FLAG_FENCE)
		km__fence_process_locked(dev, le64toh(resp.fence_id));
	if (vbuf->resp_cb)
		vbuf->resp_cb(dev, vbuf);
	dev->stats.inflight--;
	vbuf->done = true;
	/* Linux drops the objects a command used once it is answered, even
	 * for a waited vbuf, but from a worker (virtio_gpu_dequeue_ctrl_func
	 * -> virtio_gpu_array_put_free_delayed): a last reference queues
	 * RESOURCE_UNREF, which may wait for descriptors only this thread
	 * frees.  Here only last references go to the worker. */
	put_objs_irq_locked(dev, vbuf->objs);
	vbuf->objs = NULL;
	if (!vbuf->waited)
		km__vbuf_free(dev, vbuf);
}

/* The interrupt handler; runs on the host thread that raised it.  It
 * neither queues nor sleeps (see worker.c). */
void km__interrupt(void *opaque, uint32_t isr)
{
	struct km_device *dev = opaque;
	if (!(isr & SIM_ISR_QUEUE))
		return;
	pthread_mutex_lock(&dev->lock);
	struct km_vbuf *vbuf;
	uint32_t written;
	while (dev->ctrlq &&
	       (vbuf = sim_vqd_get_used(dev->ctrlq, &written)) != NULL)
		complete_vbuf_locked(dev, vbuf, written);
	while (dev->cursorq &&
	       (vbuf = sim_vqd_get_used(dev->cursorq, &written)) != NULL)
		complete_vbuf_locked(dev, vbuf, written);
	/* Wake the sleepers once the lock is free: woken under it, a guest
	 * thread on another CPU would run only to block on it again.  Every
	 * sleeper re-checks its condition under the lock, so nothing is
	 * lost between the unlock and the broadcast. */
	pthread_mutex_unlock(&dev->lock);
	pthread_cond_broadcast(&dev->cond);
}

/*
 * Teardown, after the reset: the device will never answer these (Linux's
 * virtio_gpu_deinit resets and deletes the queues the same way).  Each
 * callback runs as for a failed answer (resp_type 0), so that what it
 * owns is released: an unref's object is freed, a map's state becomes an
 * error.  The objects are put here, in process context; with
 * dev->unplugged set their last puts free them without queueing.  A
 * waited vbuf is only marked done: its sleeper frees it.
 */
void km__vbufs_cancel_locked(struct km_device *dev)
{
	while (dev->inflight_vbufs) {
		struct km_vbuf *vbuf = dev->inflight_vbufs;
		unlink_inflight(vbuf);
		vbuf->resp_type = 0;
		vbuf->written = 0;
		if (vbuf->resp_cb)
			vbuf->resp_cb(dev, vbuf);
		dev->stats.inflight--;
		km__objs_put_free_locked(dev, vbuf->objs);
		vbuf->objs = NULL;
		vbuf->done = true;
		if (!vbuf->waited)
			km__vbuf_free(dev, vbuf);
	}
	pthread_cond_broadcast(&dev->cond);
}
