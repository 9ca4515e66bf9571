// SPDX-License-Identifier: MIT
/*
 * kernelmock's interrupt path (issue 15.1): the completion of a command
 * drops the objects it used, and the last reference of an object sends
 * RESOURCE_UNREF.  That put must not run in the interrupt handler, which
 * would then wait for free control-queue descriptors only it can free;
 * Linux defers it to a worker (virtio_gpu_array_put_free_delayed).  Here
 * the control queue is full when such completions arrive: everything must
 * still complete and every guest page come back.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/virtio_gpu.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "sim/ram.h"
#include "tests/machine_fixture.h"
#include "vmm/machine.h"

/* Objects one submit uses and then holds alone. */
#define NUM_BOS 48
/* Empty submits (2 descriptors each) behind it: more than the 256
 * descriptors of the control queue hold, so the queue is full when the
 * held fences are released. */
#define NUM_FILLERS 160

struct fixture {
	struct vmm_machine *m;
	struct km_device *kd;
	struct km_file *f;
	uint64_t free_pages;
};

/* As test_kernel.c: 64 MiB of RAM, one render node open (ctx 1).  The
 * fences of ctx 1's rings are held for a while, so that the commands
 * fenced on them keep their descriptors and fill the queue. */
static int machine_with(void **state, const char *inject, bool lockstep)
{
	static struct fixture fx;
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	snprintf(o.inject, sizeof(o.inject), "%s", inject ? inject : "");
	o.lockstep = lockstep;
	fx.m = test_machine_start(&o);
	fx.kd = vmm_machine_kernel(fx.m);
	fx.free_pages = sim_ram_free_pages(vmm_machine_ram(fx.m));
	if (km_open(fx.kd, &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

static int setup_held(void **state)
{
	return machine_with(state, "fence=delay,ms=300,ctx=1", false);
}

static int setup_lockstep(void **state)
{
	return machine_with(state, NULL, true);
}

/* Objects and commands gone, pages back: polled, the device answers the
 * last unrefs after the ioctls returned. */
static void assert_all_back(struct fixture *fx)
{
	struct km_stats st;
	for (int i = 0; i < 10000; i++) {
		km_device_stats(fx->kd, &st);
		if (st.inflight == 0 && st.objects == 0)
			break;
		usleep(1000);
	}
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.inflight, 0);
	assert_int_equal(sim_ram_free_pages(vmm_machine_ram(fx->m)),
			 fx->free_pages);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_machine_finish(fx->m, &fx->f, 1);
	fx->f = NULL;
	return 0;
}

static uint32_t create_buffer(struct km_file *f)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 0 /* PIPE_BUFFER */, .format = 64 /* R8_UNORM */,
		.bind = 1u << 4, .width = 4096, .height = 1, .depth = 1,
		.array_size = 1, .size = 4096,
	};
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc), 0);
	return rc.bo_handle;
}

static void gem_close(struct km_file *f, uint32_t handle)
{
	struct drm_gem_close gc = { .handle = handle };
	assert_int_equal(km_ioctl(f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
}

/* An empty submit, on ring 0 of the file's context when @ring, using
 * @nbo objects; returns its out-fence fd. */
static int submit(struct km_file *f, bool ring, const uint32_t *bos,
		  uint32_t nbo)
{
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT |
			 (ring ? VIRTGPU_EXECBUF_RING_IDX : 0),
		.command = (uintptr_t)&nop, .fence_fd = -1,
		.bo_handles = (uintptr_t)bos, .num_bo_handles = nbo,
	};
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	assert_true(eb.fence_fd >= 0);
	return eb.fence_fd;
}

static void assert_signals(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 20000), 1);
	assert_true(p.revents & POLLIN);
	close(fd);
}

/*
 * One submit on a held ring uses NUM_BOS objects whose handles are then
 * closed: its completion drops their last references.  NUM_FILLERS more
 * submits on the same ring fill the control queue behind it (the last
 * ones wait for room).  When the ring's fences are released, the
 * completions arrive with the queue full: the unrefs they cause must be
 * sent from process context, or the device thread waits for itself.
 */
static void test_km_irq_last_puts_with_full_queue(void **state)
{
	struct fixture *fx = *state;
	const struct drm_virtgpu_context_set_param p[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1 },
	};
	struct drm_virtgpu_context_init ci = {
		.num_params = 2, .ctx_set_params = (uintptr_t)p,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci), 0);
	uint32_t bos[NUM_BOS];
	for (int i = 0; i < NUM_BOS; i++)
		bos[i] = create_buffer(fx->f);
	int first = submit(fx->f, true, bos, NUM_BOS);
	for (int i = 0; i < NUM_BOS; i++)
		gem_close(fx->f, bos[i]);
	int last = -1;
	for (int i = 0; i < NUM_FILLERS; i++) {
		if (last >= 0)
			close(last);
		last = submit(fx->f, true, NULL, 0);
	}
	assert_signals(first);
	assert_signals(last);
	assert_all_back(fx);
}

/*
 * Many objects created and dropped, each used by a fenced submit first,
 * under lockstep (every ioctl returns once the device is idle): the
 * deferred puts must not leave pages behind or make creation fail.
 */
static void test_km_irq_create_drop_lockstep(void **state)
{
	struct fixture *fx = *state;
	for (int i = 0; i < 300; i++) {
		uint32_t bo = create_buffer(fx->f);
		int fd = submit(fx->f, false, &bo, 1);
		gem_close(fx->f, bo);
		assert_signals(fd);
	}
	assert_all_back(fx);
}

/* Threads of this process named km-worker (kernelmock/worker.c). */
static int count_workers(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], comm[32] = "";
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;	/* the thread just ended */
		if (fgets(comm, sizeof(comm), f) &&
		    strncmp(comm, "km-worker", 9) == 0)
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The worker lives exactly as long as the device: one per machine, none
 * left once it is destroyed. */
static void test_km_irq_worker_lives_with_device(void **state)
{
	(void)state;
	assert_int_equal(count_workers(), 0);
	struct vmm_machine_options o;
	struct vmm_machine *m;
	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	assert_int_equal(vmm_machine_create(&o, &m), 0);
	assert_int_equal(count_workers(), 1);
	vmm_machine_destroy(m);
	assert_int_equal(count_workers(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_km_irq_worker_lives_with_device),
		cmocka_unit_test_setup_teardown(test_km_irq_last_puts_with_full_queue,
						setup_held, teardown),
		cmocka_unit_test_setup_teardown(test_km_irq_create_drop_lockstep,
						setup_lockstep, teardown),
	};
	return cmocka_run_group_tests_name("km_irq", tests, NULL, NULL);
}
