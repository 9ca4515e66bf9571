/* SPDX-License-Identifier: MIT */
/*
 * Queue polling on the device thread.  QEMU's event loop polls before it
 * sleeps (its poll-max-ns); so does this device: while it drains and for a
 * short window after, the device thread watches the avail rings itself
 * with VRING_USED_F_NO_NOTIFY set (virtio 1.2, 2.7.10), as QEMU's devices
 * turn notifications off while they process a queue, so a driver that
 * submits again at once neither kicks nor waits for this thread to wake
 * up.  On this machine kind a wake-up of an idle thread costs tens of
 * microseconds, more than all the work of a fenced no-op command
 * (docs/performance.md).
 *
 * No polling while a fence is outstanding: the guest that waits for it
 * submits nothing before it is signalled, and the polling thread would
 * take CPU from the renderer (llvmpipe) that must signal it.  The window
 * closes then and opens again when the last outstanding fence retires,
 * on whichever thread retired it (the renderer's fence thread wakes the
 * device thread for that, off the guest's path: the guest is woken by
 * the same retirement), so the guest's next submit, one frame of its own
 * work later, is neither kicked nor waited for.  Fence signals the
 * renderer queued while the device thread polls are retired by the
 * polling thread itself, whichever sees them first.
 *
 * The window adapts: a kick that came soon after the thread went to sleep
 * doubles it (up to host_options.poll_max_ns), one that came later halves
 * it, so a guest that submits rarely costs no CPU.  While it polls, the
 * thread yields its CPU between looks, so the renderer's threads and the
 * guest lose nothing to it on a machine with few CPUs.  With a maximum
 * of 0 every command is kicked as before; never in lockstep, whose
 * accounting counts kicks; never under valgrind, which runs one thread at
 * a time (host_device_create).
 *
 * Everything here runs on the device thread.
 */
#include <sched.h>

#include "host/internal.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

#define HOST_POLL_START_NS 4000u

static bool queues_pending(const struct host_device *dev)
{
	for (unsigned q = 0; q < HOST_NUM_QUEUES; q++)
		if (dev->vq[q] && sim_vqdev_pending(dev->vq[q]))
			return true;
	return false;
}

/* The device thread, or a renderer thread that retires the last fence
 * (reopen_now_locked), sets the flag: notify_lock orders them.  Returns
 * what it was. */
static bool suppress_notify(struct host_device *dev, bool suppress)
{
	pthread_mutex_lock(&dev->notify_lock);
	bool was = dev->notify_suppressed;
	if (was != suppress) {
		for (unsigned q = 0; q < HOST_NUM_QUEUES; q++)
			if (dev->vq[q])
				sim_vqdev_suppress_notify(dev->vq[q], suppress);
		dev->notify_suppressed = suppress;
	}
	pthread_mutex_unlock(&dev->notify_lock);
	return was;
}

/* Notifications suppressed while draining and polling: not when polling is
 * off (every command kicked, as before), nor in lockstep. */
static bool poll_enabled(struct host_device *dev)
{
	return dev->opts.poll_max_ns && dev->queues_live &&
	       !sim_transport_lockstep(dev->transport);
}

/*
 * Kicks back on, then one more look: a driver that read the flag while it
 * was set did not kick (2.7.10), and the full fence orders our flag store
 * before our avail idx load as the driver's orders its idx store before
 * its flag load (sim_vqd_should_notify), so one of the two sides sees the
 * other.
 */
static void resume_notify(struct host_device *dev, bool look_again)
{
	if (!suppress_notify(dev, false))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (look_again && queues_pending(dev))
		host__drain_queues(dev);
}

/* A kick that woke the thread: a kick soon after it went to sleep means a
 * longer window would have caught the command. */
static void adapt(struct host_device *dev)
{
	/* A window closed for an outstanding fence counts from when the
	 * fence retired: only from then on could the guest submit. */
	uint64_t from = __atomic_load_n(&dev->poll_reopen_ns, __ATOMIC_RELAXED);
	if (from < dev->idle_since_ns)
		from = dev->idle_since_ns;
	uint64_t slept = uv_hrtime() - from;
	uint64_t ns = dev->poll_ns;

	if (slept <= dev->opts.poll_max_ns) {
		ns = ns ? ns * 2 : HOST_POLL_START_NS;
		if (ns > dev->opts.poll_max_ns)
			ns = dev->opts.poll_max_ns;
	} else {
		ns /= 2;
		if (ns < HOST_POLL_START_NS)
			ns = 0;
	}
	/* renderer threads read it (host__poll_reopen_wanted_locked) */
	__atomic_store_n(&dev->poll_ns, ns, __ATOMIC_RELAXED);
}

static void poll_idle_cb(uv_idle_t *handle);

/* Fence signals queued by the renderer while we poll: retire them here,
 * and tell whether a fence is still outstanding. */
static bool fences_outstanding(struct host_device *dev)
{
	pthread_mutex_lock(&dev->state_lock);
	if (__atomic_load_n(&dev->fence_signals_len, __ATOMIC_RELAXED) &&
	    !host__inject_holds_fences(dev)) {
		host__fence_drain_signals(dev);
		host__report_idle(dev);
	}
	bool outstanding = dev->fence_pending != NULL;
	if (outstanding)
		dev->poll_reopen = true;
	pthread_mutex_unlock(&dev->state_lock);
	return outstanding;
}

void host__poll_kicked(struct host_device *dev)
{
	bool polling = uv_is_active((uv_handle_t *)&dev->poll_idle);

	host__queues_up(dev);
	/* A kick while polling is one the driver sent before it saw the
	 * flag: it says nothing about the window. */
	if (dev->opts.poll_max_ns && !polling)
		adapt(dev);
	if (poll_enabled(dev))
		suppress_notify(dev, true);
	host__drain_queues(dev);
	/* A fence outstanding: no window now, one when it retires (and the
	 * window adapts from then on, even while it is 0). */
	bool waiting = poll_enabled(dev) && fences_outstanding(dev);
	if (poll_enabled(dev) && dev->poll_ns && !waiting) {
		dev->poll_deadline_ns = uv_hrtime() + dev->poll_ns;
		if (!polling)
			uv_idle_start(&dev->poll_idle, poll_idle_cb);
		return;
	}
	host__poll_stop(dev, true);
}

void host__poll_stop(struct host_device *dev, bool look_again)
{
	uv_idle_stop(&dev->poll_idle);
	resume_notify(dev, look_again);
	/* About to sleep: where the next kick should find us. */
	host__placement_idle(dev);
	dev->idle_since_ns = uv_hrtime();
}

/*
 * The last outstanding fence retired: from now on the guest may submit.
 * Notifications go off at once, on whichever thread retired it, so that
 * a guest woken by the same retirement submits without a kick even
 * before the device thread runs again; the caller then has the device
 * thread poll (fence_async).  true when it must.
 */
static bool reopen_now_locked(struct host_device *dev)
{
	if (!dev->poll_reopen || dev->fence_pending)
		return false;
	dev->poll_reopen = false;
	__atomic_store_n(&dev->poll_reopen_ns, uv_hrtime(), __ATOMIC_RELAXED);
	if (!poll_enabled(dev) ||
	    !__atomic_load_n(&dev->poll_ns, __ATOMIC_RELAXED))
		return false;
	suppress_notify(dev, true);
	return true;
}

/* On the device thread: notifications are off (a retiring thread turned
 * them off, or we just did): poll, for the window, from now.  The idle
 * callback looks at the rings at once and ends a window of 0 with the
 * usual last look. */
void host__poll_reopen_locked(struct host_device *dev)
{
	reopen_now_locked(dev);
	pthread_mutex_lock(&dev->notify_lock);
	bool suppressed = dev->notify_suppressed;
	pthread_mutex_unlock(&dev->notify_lock);
	if (!suppressed || uv_is_active((uv_handle_t *)&dev->poll_idle))
		return;
	dev->poll_deadline_ns = uv_hrtime() + dev->poll_ns;
	uv_idle_start(&dev->poll_idle, poll_idle_cb);
}

bool host__poll_reopen_wanted_locked(struct host_device *dev)
{
	return reopen_now_locked(dev);
}

/*
 * An active idle handle makes libuv poll its other handles without
 * blocking, so control requests, fence signals and fault timers are still
 * served between two looks at the rings.
 */
static void poll_idle_cb(uv_idle_t *handle)
{
	struct host_device *dev = handle->data;

	if (!poll_enabled(dev) || !dev->poll_ns) {
		host__poll_stop(dev, true);
		return;
	}
	/* A chain that pop leaves in place (out of memory) is no progress
	 * and does not extend the window. */
	if (queues_pending(dev) && host__drain_queues(dev)) {
		dev->poll_deadline_ns = uv_hrtime() + dev->poll_ns;
		return;
	}
	if (fences_outstanding(dev) || uv_hrtime() >= dev->poll_deadline_ns)
		host__poll_stop(dev, true);
	else
		sched_yield();	/* the renderer's and the guest's threads
				 * may be waiting for this CPU */
}
