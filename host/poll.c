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

static void suppress_notify(struct host_device *dev, bool suppress)
{
	if (dev->notify_suppressed == suppress)
		return;
	for (unsigned q = 0; q < HOST_NUM_QUEUES; q++)
		if (dev->vq[q])
			sim_vqdev_suppress_notify(dev->vq[q], suppress);
	dev->notify_suppressed = suppress;
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
	if (!dev->notify_suppressed)
		return;
	suppress_notify(dev, false);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (look_again && queues_pending(dev))
		host__drain_queues(dev);
}

/* A kick that woke the thread: a kick soon after it went to sleep means a
 * longer window would have caught the command. */
static void adapt(struct host_device *dev)
{
	uint64_t slept = uv_hrtime() - dev->idle_since_ns;

	if (slept <= dev->opts.poll_max_ns) {
		dev->poll_ns = dev->poll_ns ? dev->poll_ns * 2 : HOST_POLL_START_NS;
		if (dev->poll_ns > dev->opts.poll_max_ns)
			dev->poll_ns = dev->opts.poll_max_ns;
	} else {
		dev->poll_ns /= 2;
		if (dev->poll_ns < HOST_POLL_START_NS)
			dev->poll_ns = 0;
	}
}

static void poll_idle_cb(uv_idle_t *handle);

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
	if (poll_enabled(dev) && dev->poll_ns) {
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
	dev->idle_since_ns = uv_hrtime();
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
	if (uv_hrtime() >= dev->poll_deadline_ns)
		host__poll_stop(dev, true);
	else
		sched_yield();	/* the renderer's and the guest's threads
				 * may be waiting for this CPU */
}
