// SPDX-License-Identifier: MIT
/*
 * Thread placement: the device thread and the renderer's fence thread
 * follow the CPU of the guest thread that submits and waits, while the
 * guest's frames are synchronous (docs/performance.md, "Placement").
 *
 * Why: a synchronous frame hands off twice between the guest and the
 * device (the kick, and the fence thread's answer that wakes the guest).
 * On this machine kind a wake-up on the waker's own CPU costs 1.3-1.9 us,
 * one on the other vCPU 20-27 us (FACTS.md), most of it the idle vCPU
 * leaving its idle state.  The guest thread sleeps while the device works
 * and the device sleeps while the guest works, so the three threads can
 * share one CPU without waiting for each other, and llvmpipe's workers
 * keep every CPU.  A guest that runs while the device works (frames in
 * flight) would lose that parallelism on one CPU, so then nothing is
 * placed; nor while the followed CPU is measured busy with other work.
 *
 * How: kernelmock tells the transport the CPU of a program thread at
 * EXECBUFFER and when it starts a WAIT (sim_transport_set_guest_cpu),
 * as a VMM knows which vCPU exited.  The device thread decides (a pure
 * function, host_placement_decide) at each fenced command and before it
 * sleeps, and publishes the CPU; each of our threads pins only itself
 * (sched_setaffinity(0)), only when the published CPU differs from what
 * it last applied (about 2.5 us a change here).
 *
 * The device thread follows only while its poll window is closed
 * (host/poll.c): while it polls, it finds the guest's next submit without
 * any wake-up, and pinned it would poll on the guest's CPU.  So with the
 * guest's submits far apart (its own work between frames longer than the
 * window) both hand-offs stay on the guest's CPU, and with them close
 * together the kick costs nothing and the answer stays there.
 *
 * Threads a pinned thread creates inherit its mask.  The renderer may
 * create threads while it handles commands (a GL context per virgl
 * sub-context inside a SUBMIT_3D, venus rings and queues; llvmpipe on
 * Debian 12 starts its own once per screen), so the device thread is
 * pinned only while it sleeps: it relaxes to the process's CPUs before it
 * handles commands and pins itself again before it sleeps, so the kick
 * that wakes it lands on the guest's CPU.  The fence thread only signals,
 * and keeps its pin.  Our threads never leave the process's CPUs (read at
 * device creation); with one CPU, under valgrind or with placement off
 * nothing is ever pinned; the device thread relaxes before it exits, and
 * a fence thread relaxes at its next signal after the decision changed.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include "host/internal.h"
#include "sim/log.h"
#include "sim/transport.h"

/* How often a pinned thread (the device thread or a fence thread)
 * measures its CPU's contention, and how long following stops once one
 * found it contended (doubled while it stays so, up to the maximum). */
#define SAMPLE_NS 20000000ull
#define BACKOFF_NS 1000000000ull
#define BACKOFF_MAX_NS 8000000000ull

struct host_placement host_placement_decide(const struct host_placement_in *in)
{
	struct host_placement none = { -1, -1 };

	if (!in->follow || !in->allowed || CPU_COUNT(in->allowed) < 2)
		return none;
	if (in->guest_cpu < 0 || in->guest_cpu >= CPU_SETSIZE ||
	    !CPU_ISSET(in->guest_cpu, in->allowed))
		return none;
	/* Frames in flight, or too few synchronous ones yet to tell. */
	if (in->sync_streak < HOST_PLACEMENT_SYNC_MIN)
		return none;
	if (in->contended)
		return none;
	/* A device thread that polls finds the guest's next submit without
	 * a wake-up; pinned, it would share the guest's CPU while polling
	 * (measured: a fenced round trip of 60-69 us against 46-48). */
	return (struct host_placement){
		.fence_cpu = in->guest_cpu,
		.device_cpu = in->device_polls ? -1 : in->guest_cpu,
	};
}

bool host_placement_contended(uint64_t run_delay_ns, uint64_t timeslices)
{
	return timeslices && run_delay_ns / timeslices > HOST_PLACEMENT_BUSY_NS;
}

/* The CPU this thread pinned itself to, plus one; 0: the process's CPUs,
 * as every thread starts. */
static __thread int pinned_plus1;

/* On the calling thread only: keep to @cpu, or to the process's CPUs for
 * -1.  A failed pin is not retried until the decision changes (the CPU
 * may have left our cpuset); a failed relax is retried next time. */
static void apply(struct host_device *dev, int cpu)
{
	int want = cpu < 0 ? 0 : cpu + 1;
	cpu_set_t set;

	if (want == pinned_plus1)
		return;
	if (cpu < 0) {
		set = dev->place_allowed;
	} else {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set) == 0 || cpu >= 0)
		pinned_plus1 = want;
	else
		SIM_ERROR(HOST_LAYER, "placement: restoring this thread's CPUs "
			  "failed: %m");
}

void host__placement_init(struct host_device *dev)
{
	dev->place_fence_cpu = dev->place_device_cpu = -1;
	if (sched_getaffinity(0, sizeof(dev->place_allowed),
			      &dev->place_allowed)) {
		CPU_ZERO(&dev->place_allowed);
		return;
	}
	/* Valgrind runs one thread at a time: nothing to place. */
	dev->place_on = dev->opts.follow_guest_cpu && !RUNNING_ON_VALGRIND &&
			CPU_COUNT(&dev->place_allowed) > 1;
	/* Only then is the driver asked for its CPU (a system call per
	 * EXECBUFFER, kernelmock/vq.c). */
	sim_transport_want_guest_cpu(dev->transport, dev->place_on);
}

static void decide(struct host_device *dev)
{
	bool waited;
	struct host_placement_in in = {
		.follow = dev->place_on,
		.allowed = &dev->place_allowed,
		.guest_cpu = sim_transport_guest_cpu(dev->transport, &waited),
		.sync_streak = dev->place_streak,
		.contended = uv_hrtime() <
			     __atomic_load_n(&dev->place_backoff_until,
					     __ATOMIC_RELAXED),
		/* host/poll.c: a window of 0 never polls; lockstep never */
		.device_polls = dev->opts.poll_max_ns &&
				__atomic_load_n(&dev->poll_ns, __ATOMIC_RELAXED) &&
				!sim_transport_lockstep(dev->transport),
	};
	struct host_placement p = host_placement_decide(&in);

	dev->place_device_cpu = p.device_cpu;
	__atomic_store_n(&dev->place_fence_cpu, p.fence_cpu, __ATOMIC_RELAXED);
}

void host__placement_fenced(struct host_device *dev, bool overlapped)
{
	bool waited;

	if (!dev->place_on)
		return;
	sim_transport_guest_cpu(dev->transport, &waited);
	/* A guest that kept running since its last submit (frames in
	 * flight, the device faster than the guest) would share its CPU
	 * with our threads' work. */
	if (overlapped || !waited)
		dev->place_streak = 0;
	else if (dev->place_streak < HOST_PLACEMENT_SYNC_MIN)
		dev->place_streak++;
	decide(dev);
}

/* /proc/thread-self/schedstat: time on the CPU, time waiting on a run
 * queue, timeslices run (Documentation/scheduler/sched-stats.rst). */
static bool read_schedstat(uint64_t *delay, uint64_t *slices)
{
	char buf[96];
	uint64_t run;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return sscanf(buf, "%" SCNu64 " %" SCNu64 " %" SCNu64, &run, delay,
		      slices) == 3;
}

/*
 * While pinned, a thread's own wake-ups tell whether its CPU is shared
 * with other work: waiting on the run queue longer than a cross-CPU
 * hand-off costs is a loss.  true when the thread was pinned since the
 * last look, at least SAMPLE_NS ago, and found it so.
 */
static bool sample_busy(struct place_sample *ps, uint64_t now)
{
	uint64_t delay, slices;

	if (now - ps->at < SAMPLE_NS)
		return false;
	bool judge = ps->pinned && pinned_plus1;
	ps->at = now;
	ps->pinned = pinned_plus1 != 0;
	if (!read_schedstat(&delay, &slices))
		return false;
	bool busy = judge && host_placement_contended(delay - ps->delay,
						      slices - ps->slices);
	ps->delay = delay;
	ps->slices = slices;
	if (busy)
		SIM_DEBUG(SIM_DEBUG_CMD, HOST_LAYER, "placement: CPU %d is "
			  "busy with other work", pinned_plus1 - 1);
	return busy;
}

/*
 * A thread found the followed CPU busy: following stops for a while, then
 * is tried again, for twice as long each time it is found busy again
 * (reset by a look that found it free).  The device thread and fence
 * threads both may: atomics, and a lost doubling is harmless.
 */
static void back_off(struct host_device *dev, uint64_t now)
{
	uint64_t ns = __atomic_load_n(&dev->place_backoff_ns, __ATOMIC_RELAXED);

	ns = ns ? ns * 2 : BACKOFF_NS;
	if (ns > BACKOFF_MAX_NS)
		ns = BACKOFF_MAX_NS;
	__atomic_store_n(&dev->place_backoff_ns, ns, __ATOMIC_RELAXED);
	__atomic_store_n(&dev->place_backoff_until, now + ns, __ATOMIC_RELAXED);
}

/* After a look at a pinned thread's schedstat: busy or free. */
static void judge(struct host_device *dev, struct place_sample *ps,
		  uint64_t now)
{
	bool judged = ps->pinned && pinned_plus1 && now - ps->at >= SAMPLE_NS;

	if (sample_busy(ps, now))
		back_off(dev, now);
	else if (judged)
		__atomic_store_n(&dev->place_backoff_ns, 0, __ATOMIC_RELAXED);
}

void host__placement_work(struct host_device *dev)
{
	if (dev->place_on)
		apply(dev, -1);
}

void host__placement_idle(struct host_device *dev)
{
	if (!dev->place_on)
		return;
	judge(dev, &dev->place_sample, uv_hrtime());
	decide(dev);
	apply(dev, dev->place_device_cpu);
}

void host__placement_follow(struct host_device *dev)
{
	/* The device thread may run the renderer's callbacks itself
	 * (virgl_renderer_poll); it keeps to its own rule. */
	static __thread struct place_sample fence_sample;

	if (!dev->place_on || pthread_equal(pthread_self(), dev->thread))
		return;
	/* A fence thread follows also while the device thread polls (not
	 * pinned, so not measuring): it measures its own CPU. */
	judge(dev, &fence_sample, uv_hrtime());
	apply(dev, __atomic_load_n(&dev->place_fence_cpu, __ATOMIC_RELAXED));
}

void host__placement_fini(struct host_device *dev)
{
	if (dev->place_on)
		apply(dev, -1);
}
