// SPDX-License-Identifier: MIT
/*
 * DRM syncobjs in kernelmock (issue 17.2), through km_ioctl on a whole
 * machine: the errno values of drm_syncobj.c's ioctls, EXECBUFFER's in
 * and out syncobj arrays as virtgpu_submit.c reads them (stride, flags,
 * RESET, timeline points), fence order across timelines, the
 * dma_fence_chain rule that a point signals only with every earlier one,
 * syncobj fds (poll, import into another file) and sync_file export and
 * import.  Waits assert outcomes, never how long they took.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
#include <linux/sync_file.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "tests/machine_fixture.h"
#include "vmm/machine.h"

struct fixture {
	struct vmm_machine *m;
	struct km_device *kd;
	struct km_file *f;
};

static int machine_with(void **state, const char *inject)
{
	static struct fixture fx;
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	snprintf(o.inject, sizeof(o.inject), "%s", inject);
	fx.m = test_machine_start(&o);
	fx.kd = vmm_machine_kernel(fx.m);
	if (km_open(fx.kd, &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

static int setup(void **state)
{
	return machine_with(state, "");
}

/* Fences of the device-global timeline are held for 2 s: long enough
 * that a look right after a submit finds them pending. */
static int setup_held(void **state)
{
	return machine_with(state, "fence=delay,ms=2000,ctx=0");
}

/* The default machine with Linux 6.1's driver (Debian 12), which has
 * no DRIVER_SYNCOBJ. */
static int setup_6_1(void **state)
{
	static struct fixture fx;
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	o.kernels = 1ull << 0;
	assert_string_equal(km_kversion_at(0)->name, "6.1");
	fx.m = test_machine_start(&o);
	fx.kd = vmm_machine_kernel(fx.m);
	if (km_open(fx.kd, &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_machine_finish(fx->m, &fx->f, 1);
	fx->f = NULL;
	return 0;
}

static uint32_t create(struct km_file *f, uint32_t flags)
{
	struct drm_syncobj_create c = { .flags = flags };

	assert_int_equal(km_ioctl(f, DRM_IOCTL_SYNCOBJ_CREATE, &c), 0);
	assert_int_not_equal(c.handle, 0);
	return c.handle;
}

static int64_t in_ns(int64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + ns;
}

#define SOON (30 * 1000000ll)		/* 30 ms: for waits that time out */
#define LATER (20 * 1000000000ll)	/* 20 s: for waits that succeed */

static int wait(struct km_file *f, uint32_t *h, uint32_t n, uint32_t flags,
		int64_t timeout, uint32_t *first)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)h, .count_handles = n, .flags = flags,
		.timeout_nsec = timeout, .first_signaled = 0xdead,
	};
	int ret = km_ioctl(f, DRM_IOCTL_SYNCOBJ_WAIT, &w);

	if (first)
		*first = w.first_signaled;
	return ret;
}

static int twait(struct km_file *f, uint32_t h, uint64_t point,
		 uint32_t flags, int64_t timeout)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 1, .flags = flags, .timeout_nsec = timeout,
	};
	return km_ioctl(f, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

static int array_op(struct km_file *f, unsigned long req, uint32_t *h,
		    uint32_t n)
{
	struct drm_syncobj_array a = { .handles = (uintptr_t)h,
				       .count_handles = n };
	return km_ioctl(f, req, &a);
}

static uint64_t query(struct km_file *f, uint32_t h, uint32_t flags)
{
	uint64_t point = 0xdead;
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 1, .flags = flags,
	};
	assert_int_equal(km_ioctl(f, DRM_IOCTL_SYNCOBJ_QUERY, &a), 0);
	return point;
}

static void tsignal(struct km_file *f, uint32_t h, uint64_t point)
{
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 1,
	};
	assert_int_equal(km_ioctl(f, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a),
			 0);
}

/* An empty submit with syncobj arrays (stride 16 unless @stride). */
static int submit(struct km_file *f, uint32_t flags, uint32_t ring,
		  const struct drm_virtgpu_execbuffer_syncobj *in, uint32_t nin,
		  const struct drm_virtgpu_execbuffer_syncobj *out,
		  uint32_t nout, int *fence_fd)
{
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.flags = flags, .command = (uintptr_t)&nop, .fence_fd = -1,
		.ring_idx = ring, .syncobj_stride = 16,
		.num_in_syncobjs = nin, .in_syncobjs = (uintptr_t)in,
		.num_out_syncobjs = nout, .out_syncobjs = (uintptr_t)out,
	};
	int ret = km_ioctl(f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);

	if (fence_fd)
		*fence_fd = eb.fence_fd;
	return ret;
}

static int export_sync_file(struct km_file *f, uint32_t h, int *fd)
{
	struct drm_syncobj_handle a = {
		.handle = h, .fd = -1,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	int ret = km_ioctl(f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a);

	*fd = a.fd;
	return ret;
}

static bool readable_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void test_km_syncobj_caps(void **state)
{
	struct fixture *fx = *state;
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GET_CAP, &cap), 0);
	assert_int_equal(cap.value, 1);
	cap.capability = DRM_CAP_SYNCOBJ_TIMELINE;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GET_CAP, &cap), 0);
	assert_int_equal(cap.value, 1);
}

/* drm_syncobj_create_ioctl, _destroy_ioctl: flags, pad, handles from 1,
 * the lowest free one (idr_alloc). */
static void test_km_syncobj_create_destroy(void **state)
{
	struct fixture *fx = *state;
	struct drm_syncobj_create c = { .flags = 0x2 };
	struct drm_syncobj_destroy d = { 0 };
	uint32_t a = create(fx->f, 0), b = create(fx->f, 0);

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_CREATE, &c), -EINVAL);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	d.handle = a;
	d.pad = 1;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_DESTROY, &d), -EINVAL);
	d.pad = 0;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_DESTROY, &d), 0);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_DESTROY, &d), -EINVAL);
	d.handle = 99;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_DESTROY, &d), -EINVAL);
	assert_int_equal(create(fx->f, 0), 1);
	/* b and the new 1 stay: closing the file releases them. */
}

/* drm_syncobj_wait_ioctl: flags, count 0, handles, missing fences,
 * WAIT_FOR_SUBMIT's timeout, first_signaled. */
static void test_km_syncobj_wait_errors(void **state)
{
	struct fixture *fx = *state;
	uint32_t h[3] = { create(fx->f, 0),
			  create(fx->f, DRM_SYNCOBJ_CREATE_SIGNALED), 77 };
	uint32_t first;

	assert_int_equal(wait(fx->f, h, 1, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
			      0, NULL), -EINVAL);
	assert_int_equal(wait(fx->f, h, 1, 0x10, 0, NULL), -EINVAL);
	/* 6.7+: no handle is a successful probe (for WAIT_DEADLINE). */
	assert_int_equal(wait(fx->f, h, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE,
			      0, NULL), 0);
	assert_int_equal(wait(fx->f, h, 3, 0, 0, NULL), -ENOENT);
	assert_int_equal(wait(fx->f, (uint32_t *)8, 1, 0, 0, NULL), -EFAULT);
	/* A syncobj without a fence: -EINVAL unless waiting for submit. */
	assert_int_equal(wait(fx->f, h, 2, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
			      in_ns(LATER), NULL), -EINVAL);
	assert_int_equal(wait(fx->f, h, 1,
			      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
			      in_ns(SOON), &first), -ETIME);
	assert_int_equal(first, 0xdead);	/* not written on failure */
	/* "Any": the signalled one, with the other still empty. */
	assert_int_equal(wait(fx->f, h, 2,
			      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0,
			      &first), 0);
	assert_int_equal(first, 1);
	assert_int_equal(wait(fx->f, h, 2,
			      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0, NULL), -ETIME);
	assert_int_equal(wait(fx->f, &h[1], 1, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
			      0, &first), 0);
	assert_int_equal(first, 0);
}

/* RESET empties, SIGNAL gives a signalled stub; pad and count checks. */
static void test_km_syncobj_reset_signal(void **state)
{
	struct fixture *fx = *state;
	uint32_t h = create(fx->f, 0);
	struct drm_syncobj_array a = { .handles = (uintptr_t)&h,
				       .count_handles = 1, .pad = 1 };

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_SIGNAL, &a), -EINVAL);
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_RESET, &h, 0),
			 -EINVAL);
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_SIGNAL, &h, 0),
			 -EINVAL);
	uint32_t bad = 5;
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_SIGNAL, &bad, 1),
			 -ENOENT);
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_SIGNAL, &h, 1), 0);
	assert_int_equal(wait(fx->f, &h, 1, 0, 0, NULL), 0);
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_RESET, &h, 1), 0);
	assert_int_equal(wait(fx->f, &h, 1, 0, 0, NULL), -EINVAL);
}

/* The flow: an out-syncobj, its fence exported to a sync_file
 * that polls readable, a wait, a timeline point. */
static void test_km_syncobj_execbuffer_out(void **state)
{
	struct fixture *fx = *state;
	uint32_t bin = create(fx->f, 0), tl = create(fx->f, 0);
	struct drm_virtgpu_execbuffer_syncobj out[2] = {
		{ .handle = bin }, { .handle = tl, .point = 5 },
	};
	int fd;

	assert_int_equal(submit(fx->f, 0, 0, NULL, 0, out, 2, NULL), 0);
	assert_int_equal(export_sync_file(fx->f, bin, &fd), 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	close(fd);
	assert_int_equal(wait(fx->f, &bin, 1, 0, in_ns(LATER), NULL), 0);
	assert_int_equal(query(fx->f, tl, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED),
			 5);
	assert_int_equal(twait(fx->f, tl, 5, 0, in_ns(LATER)), 0);
	assert_int_equal(query(fx->f, tl, 0), 5);
	/* A point never added: -EINVAL, or -ETIME waiting for it. */
	assert_int_equal(twait(fx->f, tl, 6, 0, 0), -EINVAL);
	assert_int_equal(twait(fx->f, tl, 6,
			       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
			       in_ns(SOON)), -ETIME);
	assert_int_equal(twait(fx->f, tl, 5,
			       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 0), 0);
}

/* virtio_gpu_parse_post_deps / _parse_deps: the errno of each refusal. */
static void test_km_syncobj_execbuffer_errors(void **state)
{
	struct fixture *fx = *state;
	uint32_t empty = create(fx->f, 0);
	uint32_t sig = create(fx->f, DRM_SYNCOBJ_CREATE_SIGNALED);
	struct drm_virtgpu_execbuffer_syncobj e = { .handle = sig, .flags = 1 };

	/* Out-syncobjs take no flag at all, not even RESET. */
	assert_int_equal(submit(fx->f, 0, 0, NULL, 0, &e, 1, NULL), -EINVAL);
	e = (struct drm_virtgpu_execbuffer_syncobj){ .handle = 42 };
	assert_int_equal(submit(fx->f, 0, 0, NULL, 0, &e, 1, NULL), -EINVAL);
	assert_int_equal(submit(fx->f, 0, 0, &e, 1, NULL, 0, NULL), -ENOENT);
	e.handle = empty;
	assert_int_equal(submit(fx->f, 0, 0, &e, 1, NULL, 0, NULL), -EINVAL);
	e = (struct drm_virtgpu_execbuffer_syncobj){ .handle = sig, .flags = 2 };
	assert_int_equal(submit(fx->f, 0, 0, &e, 1, NULL, 0, NULL), -EINVAL);
	assert_int_equal(submit(fx->f, 0, 0, (void *)8, 1, NULL, 0, NULL),
			 -EFAULT);
	assert_int_equal(submit(fx->f, 0, 0, NULL, 0, (void *)8, 1, NULL),
			 -EFAULT);
	/* A point of a timeline that does not reach it. */
	e = (struct drm_virtgpu_execbuffer_syncobj){ .handle = sig, .point = 3 };
	assert_int_equal(submit(fx->f, 0, 0, &e, 1, NULL, 0, NULL), -EINVAL);
	/* A failed submit leaves the out-syncobj as it was. */
	e = (struct drm_virtgpu_execbuffer_syncobj){ .handle = empty };
	struct drm_virtgpu_execbuffer_syncobj bad = { .handle = 42 };
	assert_int_equal(submit(fx->f, 0, 0, &bad, 1, &e, 1, NULL), -ENOENT);
	assert_int_equal(wait(fx->f, &empty, 1, 0, 0, NULL), -EINVAL);
}

/* min(syncobj_stride, 16) bytes of each entry are read, the rest is
 * zero; entries are stride bytes apart, whatever the stride. */
static void test_km_syncobj_execbuffer_stride(void **state)
{
	struct fixture *fx = *state;
	uint32_t a = create(fx->f, 0), b = create(fx->f, 0);
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer_syncobj out[4] = {
		{ .handle = a, .point = 7 }, { 0 },
		{ .handle = b, .point = 9 }, { 0 },
	};
	struct drm_virtgpu_execbuffer eb = {
		.command = (uintptr_t)&nop, .fence_fd = -1,
		.syncobj_stride = 32, .num_out_syncobjs = 2,
		.out_syncobjs = (uintptr_t)out,
	};

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	assert_int_equal(query(fx->f, a, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED),
			 7);
	assert_int_equal(query(fx->f, b, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED),
			 9);
	/* Stride 8: handle and flags only; the point reads as 0, so the
	 * fence replaces a's instead of adding point 11. */
	out[0].point = 11;
	eb.syncobj_stride = 8;
	eb.num_out_syncobjs = 1;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	assert_int_equal(query(fx->f, a, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED),
			 0);
	assert_int_equal(wait(fx->f, &a, 1, 0, in_ns(LATER), NULL), 0);
	/* Stride 0: nothing is read, so every entry is handle 0, which no
	 * syncobj has (-EINVAL from virtio_gpu_parse_post_deps). */
	eb.syncobj_stride = 0;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb),
			 -EINVAL);
}

/* VIRTGPU_EXECBUF_SYNCOBJ_RESET: waited for, then emptied. */
static void test_km_syncobj_execbuffer_in_reset(void **state)
{
	struct fixture *fx = *state;
	uint32_t keep = create(fx->f, DRM_SYNCOBJ_CREATE_SIGNALED);
	uint32_t reset = create(fx->f, DRM_SYNCOBJ_CREATE_SIGNALED);
	struct drm_virtgpu_execbuffer_syncobj in[2] = {
		{ .handle = keep },
		{ .handle = reset, .flags = VIRTGPU_EXECBUF_SYNCOBJ_RESET },
	};

	assert_int_equal(submit(fx->f, 0, 0, in, 2, NULL, 0, NULL), 0);
	assert_int_equal(wait(fx->f, &keep, 1, 0, 0, NULL), 0);
	assert_int_equal(wait(fx->f, &reset, 1, 0, 0, NULL), -EINVAL);
}

/*
 * Fence order: a submit that waits on an out-syncobj of a submit on
 * another timeline returns only once that fence has signalled
 * (virtio_gpu_dma_fence_wait); the global timeline's fences are held.
 */
static void test_km_syncobj_in_fence_order(void **state)
{
	struct fixture *fx = *state;
	const struct drm_virtgpu_context_set_param p[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1 },
	};
	struct drm_virtgpu_context_init ci = {
		.num_params = 2, .ctx_set_params = (uintptr_t)p,
	};
	struct km_file *g;
	uint32_t s = create(fx->f, 0);
	struct drm_virtgpu_execbuffer_syncobj e = { .handle = s };
	int first, second;

	assert_int_equal(km_open(fx->kd, &g), 0);
	assert_int_equal(km_ioctl(g, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci), 0);
	assert_int_equal(submit(fx->f, VIRTGPU_EXECBUF_FENCE_FD_OUT, 0, NULL,
				0, &e, 1, &first), 0);
	/* g's handle for the same syncobj, through a syncobj fd. */
	struct drm_syncobj_handle h = { .handle = s, .fd = -1 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	struct drm_syncobj_handle gh = { .fd = h.fd };
	assert_int_equal(km_ioctl(g, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &gh), 0);
	close(h.fd);
	e.handle = gh.handle;
	assert_int_equal(submit(g, VIRTGPU_EXECBUF_RING_IDX |
				VIRTGPU_EXECBUF_FENCE_FD_OUT, 0, &e, 1, NULL,
				0, &second), 0);
	assert_true(readable_now(first));
	struct pollfd pl = { .fd = second, .events = POLLIN };
	assert_int_equal(poll(&pl, 1, 10000), 1);
	close(first);
	close(second);
	km_close(g);
}

/* A timeline point signals only once every earlier point has: point 2
 * is a signalled stub behind point 1, a held submit. */
static void test_km_syncobj_timeline_order(void **state)
{
	struct fixture *fx = *state;
	uint32_t tl = create(fx->f, 0);
	struct drm_virtgpu_execbuffer_syncobj e = { .handle = tl, .point = 1 };

	assert_int_equal(submit(fx->f, 0, 0, NULL, 0, &e, 1, NULL), 0);
	tsignal(fx->f, tl, 2);
	assert_int_equal(query(fx->f, tl, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED),
			 2);
	assert_int_equal(twait(fx->f, tl, 2, 0, 0), -ETIME);
	assert_int_equal(query(fx->f, tl, 0), 0);
	/* Available already, signalled later. */
	assert_int_equal(twait(fx->f, tl, 2,
			       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 0), 0);
	assert_int_equal(twait(fx->f, tl, 2, 0, in_ns(LATER)), 0);
	assert_int_equal(query(fx->f, tl, 0), 2);
	/* A point below the newest is found in the chain. */
	assert_int_equal(twait(fx->f, tl, 1, 0, 0), 0);
}

/* TRANSFER between binary and timeline syncobjs; QUERY and
 * TIMELINE_SIGNAL refusals. */
static void test_km_syncobj_transfer(void **state)
{
	struct fixture *fx = *state;
	uint32_t bin = create(fx->f, DRM_SYNCOBJ_CREATE_SIGNALED);
	uint32_t tl = create(fx->f, 0), other = create(fx->f, 0);
	struct drm_syncobj_transfer t = { .src_handle = bin, .dst_handle = tl,
					  .dst_point = 4 };

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), 0);
	assert_int_equal(query(fx->f, tl, 0), 4);
	t = (struct drm_syncobj_transfer){ .src_handle = tl, .src_point = 4,
					   .dst_handle = other };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), 0);
	/* The binary syncobj now holds the chain link itself. */
	assert_int_equal(query(fx->f, other, 0), 4);
	assert_int_equal(wait(fx->f, &other, 1, 0, 0, NULL), 0);
	t.pad = 1;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), -EINVAL);
	t.pad = 0;
	t.dst_handle = 50;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), -ENOENT);
	t.dst_handle = other;
	t.src_point = 9;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), -EINVAL);

	uint64_t point = 1;
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&tl, .points = (uintptr_t)&point,
		.count_handles = 1, .flags = 2,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_QUERY, &a), -EINVAL);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a),
			 -EINVAL);
	a.flags = 0;
	a.count_handles = 0;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_QUERY, &a), -EINVAL);
	a.count_handles = 1;
	a.points = 8;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_QUERY, &a), -EFAULT);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a),
			 -EFAULT);
}

/* Syncobj fds poll readable and writable at once (no .poll in
 * drm_syncobj_file_fops); each import is a new handle to the same
 * syncobj; foreign fds are -EINVAL. */
static void test_km_syncobj_fd(void **state)
{
	struct fixture *fx = *state;
	uint32_t h = create(fx->f, 0);
	struct drm_syncobj_handle a = { .handle = h, .fd = -1 };
	struct km_file *g;
	int pfd[2];

	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a), 0);
	struct pollfd p = { .fd = a.fd, .events = POLLIN | POLLOUT };
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(p.revents & (POLLIN | POLLOUT), POLLIN | POLLOUT);
	int dup_fd = dup(a.fd);
	close(a.fd);
	assert_int_equal(km_open(fx->kd, &g), 0);
	struct drm_syncobj_handle b = { .fd = dup_fd };
	assert_int_equal(km_ioctl(g, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b), 0);
	uint32_t first = b.handle;
	assert_int_equal(km_ioctl(g, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b), 0);
	assert_int_not_equal(b.handle, first);
	close(dup_fd);
	/* Signalled through one file, seen through the other. */
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_SIGNAL, &h, 1), 0);
	assert_int_equal(wait(g, &b.handle, 1, 0, 0, NULL), 0);
	km_close(g);

	assert_int_equal(pipe(pfd), 0);
	b = (struct drm_syncobj_handle){ .fd = pfd[0] };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b),
			 -EINVAL);
	b.fd = -1;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b),
			 -EINVAL);
	close(pfd[0]);
	close(pfd[1]);
	a = (struct drm_syncobj_handle){ .handle = 99 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a),
			 -EINVAL);
	a = (struct drm_syncobj_handle){ .handle = h, .pad = 1 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a),
			 -EINVAL);
	a = (struct drm_syncobj_handle){ .handle = h, .flags = 3 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a),
			 -EINVAL);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a),
			 -EINVAL);
}

/* EXPORT_SYNC_FILE / IMPORT_SYNC_FILE: the fence now, not later ones. */
static void test_km_syncobj_sync_file(void **state)
{
	struct fixture *fx = *state;
	uint32_t h = create(fx->f, 0), dst = create(fx->f, 0);
	struct drm_virtgpu_execbuffer_syncobj e = { .handle = h };
	int fd, fence;

	assert_int_equal(export_sync_file(fx->f, h, &fd), -EINVAL);
	assert_int_equal(export_sync_file(fx->f, 99, &fd), -ENOENT);
	assert_int_equal(submit(fx->f, VIRTGPU_EXECBUF_FENCE_FD_OUT, 0, NULL,
				0, &e, 1, &fence), 0);
	assert_int_equal(export_sync_file(fx->f, h, &fd), 0);
	/* Later resets do not change the exported sync_file. */
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_RESET, &h, 1), 0);
	struct sync_file_info info = { 0 };
	assert_int_equal(km_sync_ioctl(fx->kd, fd, SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(info.num_fences, 1);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	close(fd);

	struct drm_syncobj_handle imp = {
		.handle = dst, .fd = fence,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp),
			 0);
	assert_int_equal(wait(fx->f, &dst, 1, 0, in_ns(LATER), NULL), 0);
	imp.handle = 99;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp),
			 -ENOENT);
	imp.handle = dst;
	imp.fd = 0;	/* stdin: no sync_file */
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp),
			 -EINVAL);
	close(fence);
	/* The signalled stub exports as a signalled sync_file. */
	assert_int_equal(array_op(fx->f, DRM_IOCTL_SYNCOBJ_SIGNAL, &h, 1), 0);
	assert_int_equal(export_sync_file(fx->f, h, &fd), 0);
	assert_true(readable_now(fd));
	close(fd);
}

struct waiter {
	struct km_file *f;
	uint32_t handle;
	int ret;
};

static void *wait_for_point_1(void *p)
{
	struct waiter *w = p;

	w->ret = twait(w->f, w->handle, 1,
		       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, in_ns(LATER));
	return NULL;
}

/*
 * WAIT_FOR_SUBMIT on another thread: the point arrives (by TRANSFER of a
 * link whose earlier, signalled link is already dropped, so the point's
 * fence is the stub) and the wait returns 0, whether it was asleep by
 * then or not.
 */
static void test_km_syncobj_wait_for_submit_thread(void **state)
{
	struct fixture *fx = *state;
	struct waiter w = { .f = fx->f, .handle = create(fx->f, 0), .ret = 1 };
	uint32_t src = create(fx->f, 0);
	struct drm_syncobj_transfer t = { .src_handle = src, .src_point = 2,
					  .dst_handle = w.handle };
	pthread_t th;

	assert_int_equal(pthread_create(&th, NULL, wait_for_point_1, &w), 0);
	usleep(100000);	/* most likely asleep by now; either way works */
	tsignal(fx->f, src, 1);
	tsignal(fx->f, src, 2);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), 0);
	pthread_join(th, NULL);
	assert_int_equal(w.ret, 0);
}

/* DRIVER_SYNCOBJ (6.6+, 7cb8d1ab8cbd): the syncobj fields of a 64-byte
 * EXECBUFFER are read (6.1, without it, ignores them: issue 17's
 * kernel-version profile). */
static void test_km_syncobj_execbuffer_reads_syncobj_fields(void **state)
{
	struct fixture *fx = *state;
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GET_CAP, &cap), 0);
	assert_int_equal(cap.value, 1);
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.command = (uintptr_t)&nop, .fence_fd = -1,
		.syncobj_stride = 0xdead, .num_in_syncobjs = 1,
		.in_syncobjs = 8,	/* -EFAULT now that it is read */
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb),
			 -EFAULT);
	assert_int_equal(eb.syncobj_stride, 0xdead);
	assert_int_equal(eb.num_in_syncobjs, 1);
}

/* 6.1 has no DRIVER_SYNCOBJ: the syncobj fields of a 64-byte EXECBUFFER
 * are outside its 40-byte struct, so they are ignored and left untouched
 * (drm_ioctl copies the program's 64 bytes in and back out). */
static void test_km_syncobj_execbuffer_ignores_syncobj_fields(void **state)
{
	struct fixture *fx = *state;
	struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GET_CAP, &cap), 0);
	assert_int_equal(cap.value, 0);
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer eb = {
		.command = (uintptr_t)&nop, .fence_fd = -1,
		.syncobj_stride = 0xdead, .num_in_syncobjs = 1,
		.in_syncobjs = 8,	/* would be -EFAULT if it were read */
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	assert_int_equal(eb.syncobj_stride, 0xdead);
	assert_int_equal(eb.num_in_syncobjs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define HELD(fn) cmocka_unit_test_setup_teardown(fn, setup_held, teardown)
#define V6_1(fn) cmocka_unit_test_setup_teardown(fn, setup_6_1, teardown)
		T(test_km_syncobj_caps),
		T(test_km_syncobj_create_destroy),
		T(test_km_syncobj_wait_errors),
		T(test_km_syncobj_reset_signal),
		T(test_km_syncobj_execbuffer_out),
		T(test_km_syncobj_execbuffer_errors),
		T(test_km_syncobj_execbuffer_stride),
		T(test_km_syncobj_execbuffer_in_reset),
		HELD(test_km_syncobj_in_fence_order),
		HELD(test_km_syncobj_timeline_order),
		T(test_km_syncobj_transfer),
		T(test_km_syncobj_wait_for_submit_thread),
		T(test_km_syncobj_fd),
		T(test_km_syncobj_sync_file),
		T(test_km_syncobj_execbuffer_reads_syncobj_fields),
		V6_1(test_km_syncobj_execbuffer_ignores_syncobj_fields),
#undef T
#undef HELD
#undef V6_1
	};
	return cmocka_run_group_tests_name("km_syncobj", tests, NULL, NULL);
}
