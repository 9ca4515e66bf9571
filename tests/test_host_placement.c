/* SPDX-License-Identifier: MIT */
/*
 * Thread placement (host/placement.c, host_options.follow_guest_cpu): the
 * decision as a pure function (a table of inputs and the CPU chosen), and
 * on a device: a driver that waits for each fenced command gets the
 * renderer's fence thread on its CPU, and the device thread too when it
 * does not poll its queues; frames in flight release them, and nothing is
 * pinned with placement off, without a known guest CPU, for a guest that
 * does not wait, or once the device is gone.  (That the device thread
 * relaxes before it handles commands, so threads the renderer starts do
 * not inherit a pin, has no test: llvmpipe here starts its threads once
 * per screen, none per context.)
 */
#include <dirent.h>
#include <endian.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "host/host.h"
#include "sim/transport.h"
#include "tests/test_host_util.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

static cpu_set_t cpus(int a, int b)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	if (a >= 0)
		CPU_SET(a, &s);
	if (b >= 0)
		CPU_SET(b, &s);
	return s;
}

static void test_placement_decide(void **state)
{
	(void)state;
	const unsigned sync = HOST_PLACEMENT_SYNC_MIN;
	const cpu_set_t two = cpus(0, 1), one = cpus(1, -1), far = cpus(2, 5);
	static const struct {
		const char *desc;
		bool follow;
		int allowed;		/* 0: two, 1: one, 2: far, 3: NULL */
		int guest_cpu;
		unsigned streak;	/* 4: HOST_PLACEMENT_SYNC_MIN */
		bool contended, polls;
		int fence, device;	/* the CPUs chosen, -1: all */
	} cases[] = {
		{ "synchronous guest on CPU 1, device asleep: both follow",
		  true, 0, 1, 4, false, false, 1, 1 },
		{ "synchronous guest on CPU 0", true, 0, 0, 4, false, false, 0, 0 },
		{ "device polling: only the fence thread follows",
		  true, 0, 1, 4, false, true, 1, -1 },
		{ "placement off", false, 0, 1, 4, false, false, -1, -1 },
		{ "one CPU allowed: nothing to gain",
		  true, 1, 1, 4, false, false, -1, -1 },
		{ "guest CPU not known", true, 0, -1, 4, false, false, -1, -1 },
		{ "guest CPU outside the process's CPUs",
		  true, 0, 3, 4, false, false, -1, -1 },
		{ "guest CPU beyond CPU_SETSIZE",
		  true, 0, CPU_SETSIZE, 4, false, false, -1, -1 },
		{ "frames in flight (streak reset)",
		  true, 0, 1, 0, false, false, -1, -1 },
		{ "one short of the streak", true, 0, 1, 3, false, false, -1, -1 },
		{ "followed CPU found busy", true, 0, 1, 4, true, false, -1, -1 },
		{ "sparse CPU set, guest on one of them",
		  true, 2, 5, 4, false, false, 5, 5 },
		{ "sparse CPU set, guest between them",
		  true, 2, 3, 4, false, false, -1, -1 },
		{ "no CPU set", true, 3, 1, 4, false, false, -1, -1 },
	};
	const cpu_set_t *sets[] = { &two, &one, &far, NULL };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct host_placement_in in = {
			.follow = cases[i].follow,
			.allowed = sets[cases[i].allowed],
			.guest_cpu = cases[i].guest_cpu,
			.sync_streak = cases[i].streak == 4 ? sync
							    : cases[i].streak,
			.contended = cases[i].contended,
			.device_polls = cases[i].polls,
		};
		struct host_placement got = host_placement_decide(&in);
		if (got.fence_cpu != cases[i].fence ||
		    got.device_cpu != cases[i].device)
			fail_msg("%s: fence thread CPU %d, device thread %d; "
				 "expected %d, %d", cases[i].desc,
				 got.fence_cpu, got.device_cpu,
				 cases[i].fence, cases[i].device);
	}
}

static void test_placement_contended(void **state)
{
	(void)state;
	const uint64_t busy = HOST_PLACEMENT_BUSY_NS;

	assert_false(host_placement_contended(0, 0));
	assert_false(host_placement_contended(busy * 10, 0));	/* no slices */
	assert_false(host_placement_contended(busy * 10, 10));	/* at it */
	assert_true(host_placement_contended(busy * 10 + 10, 10));
	assert_false(host_placement_contended(2000 * 100, 100));	/* 2 us */
	assert_true(host_placement_contended(3000000, 10));	/* 300 us */
}

/* Threads of this process whose CPUs are exactly {@cpu}. */
static unsigned pinned_threads(int cpu)
{
	char want[32], path[288], line[256];
	unsigned n = 0;
	DIR *d = opendir("/proc/self/task");

	assert_non_null(d);
	snprintf(want, sizeof(want), "Cpus_allowed_list:\t%d\n", cpu);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status",
			 e->d_name);
		FILE *f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (!strcmp(line, want))
				n++;
		if (f)
			fclose(f);
	}
	closedir(d);
	return n;
}

/* Wait up to 2 s for @n threads pinned to @cpu (a thread pins itself
 * after it answered, so the driver can be ahead of it). */
static unsigned wait_pinned(int cpu, unsigned n)
{
	unsigned got = 0;
	for (int i = 0; i < 200 && (got = pinned_threads(cpu)) != n; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	return got;
}

/* A fenced SUBMIT_3D of @ndw dwords on context @ctx, queued; not kicked. */
static struct th_req *queue_fenced(struct th *h, uint32_t ctx,
				   const uint32_t *dw, uint32_t ndw,
				   uint64_t fence_id)
{
	size_t len = sizeof(struct virtio_gpu_cmd_submit) + ndw * 4;
	struct virtio_gpu_cmd_submit *c = calloc(1, len);
	assert_non_null(c);
	c->hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, ctx);
	c->hdr.flags = htole32(VIRTIO_GPU_FLAG_FENCE);
	c->hdr.fence_id = htole64(fence_id);
	c->size = htole32(ndw * 4);
	for (uint32_t i = 0; i < ndw; i++)
		((uint32_t *)(c + 1))[i] = htole32(dw[i]);
	struct th_req *r = th_submit(h, TH_CTRLQ, c, len, 24);
	free(c);
	return r;
}

/* The same, kicked and waited for (the synchronous guest). */
static void fenced_submit(struct th *h, uint32_t ctx, const uint32_t *dw,
			  uint32_t ndw, uint64_t fence_id)
{
	queue_fenced(h, ctx, dw, ndw, fence_id);
	th_kick(h, TH_CTRLQ);
	struct th_req *done = th_wait(h, TH_CTRLQ);
	assert_int_equal(th_req_type(done), VIRTIO_GPU_RESP_OK_NODATA);
	th_req_free(h, done);
}

/* The last CPU the process may use, or -1 with fewer than two. */
static int last_cpu(void)
{
	cpu_set_t s;
	int last = -1;
	if (sched_getaffinity(0, sizeof(s), &s) || CPU_COUNT(&s) < 2)
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &s))
			last = c;
	return last;
}

static struct th *device(bool follow, uint64_t poll_max_ns)
{
	struct th_options o = { .virgl = true, .follow_cpu = follow,
				.poll_max_ns = poll_max_ns };
	struct th *h = th_create(&o);
	assert_int_equal(th_ctx_create(h, 1, 0), VIRTIO_GPU_RESP_OK_NODATA);
	return h;
}

/* A guest that waits for each fenced command: with the device polling
 * (it finds the next submit soon) only the fence thread follows; with
 * polling off the device thread, asleep, follows too.  Frames in flight
 * release both; nothing stays pinned once the device is gone.  (The
 * test's driver says it waited, as kernelmock would for a thread that
 * slept between its submits.) */
static void follow_guest(uint64_t poll_max_ns, unsigned want)
{
	int cpu = last_cpu();
	if (cpu < 0 || RUNNING_ON_VALGRIND)
		skip();
	struct th *h = device(true, poll_max_ns);
	uint32_t dw[32], ndw = th_clear_stream(7, dw);
	uint64_t fence = 1;

	assert_int_equal(th_create_3d_rt(h, 7, 64, 64), VIRTIO_GPU_RESP_OK_NODATA);
	assert_int_equal(th_ctx_attach(h, 1, 7), VIRTIO_GPU_RESP_OK_NODATA);
	sim_transport_set_guest_cpu(h->t, cpu, true);	/* it waited */
	for (int i = 0; i < 8; i++)
		fenced_submit(h, 1, dw, ndw, fence++);
	assert_int_equal(wait_pinned(cpu, want), want);

	/* Frames in flight: the second submit finds the first outstanding.
	 * Both go in one kick, so the device takes the second right after
	 * handing the first to the renderer: kicked one by one, a renderer
	 * that retires a clear between two kicks (virglrenderer 1.3's fence
	 * callbacks) saw no overlap and the test raced. */
	queue_fenced(h, 1, dw, ndw, fence++);
	queue_fenced(h, 1, dw, ndw, fence++);
	th_kick(h, TH_CTRLQ);
	for (int i = 0; i < 2; i++)
		th_req_free(h, th_wait(h, TH_CTRLQ));
	assert_int_equal(wait_pinned(cpu, 0), 0);
	th_destroy(h);
	assert_int_equal(pinned_threads(cpu), 0);
}

static void test_placement_follows_guest_polling(void **state)
{
	(void)state;
	follow_guest(HOST_POLL_LIMIT_NS, 1);	/* vrend's fence thread */
}

static void test_placement_follows_guest_asleep(void **state)
{
	(void)state;
	follow_guest(0, 2);	/* and the device thread */
}

/* Placement off with a guest that waits; on without a known guest CPU;
 * on with a guest that kept running between its submits (it never
 * waited: frames in flight, or a device faster than the guest). */
static void test_placement_pins_nothing_otherwise(void **state)
{
	(void)state;
	int cpu = last_cpu();
	if (cpu < 0 || RUNNING_ON_VALGRIND)
		skip();
	for (int variant = 0; variant < 3; variant++) {
		struct th *h = device(variant > 0, 0);
		if (variant != 1)
			sim_transport_set_guest_cpu(h->t, cpu, variant == 0);
		for (int i = 0; i < 8; i++)
			fenced_submit(h, 1, NULL, 0, (uint64_t)i + 1);
		nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
		if (pinned_threads(cpu))
			fail_msg("variant %d: %u threads pinned", variant,
				 pinned_threads(cpu));
		th_destroy(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placement_decide),
		cmocka_unit_test(test_placement_contended),
		cmocka_unit_test(test_placement_follows_guest_polling),
		cmocka_unit_test(test_placement_follows_guest_asleep),
		cmocka_unit_test(test_placement_pins_nothing_otherwise),
	};
	return cmocka_run_group_tests_name("host_placement", tests, NULL, NULL);
}
