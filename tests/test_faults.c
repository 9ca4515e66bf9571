/* SPDX-License-Identifier: MIT */
/*
 * Faults the stack must survive, on whole machines (issue 9): a command
 * answered with an error, a context the renderer refuses, a renderer error
 * on one context, delayed and reordered fence completions, a host-visible
 * region the host cannot fully back, a device file closed with fences in
 * flight, and a render-server worker killed mid-run.  Faults come from
 * the device's fault injection (host_options.inject, host/inject.c) or
 * from the guest itself.  In every case the other contexts keep working,
 * every object and command is released, and no render server survives.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/sync_file.h>
#include <linux/virtio_gpu.h>

#include "guest/venus/venus.h"
#include "guest/venus/venus_calls.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "sim/log.h"
#include "tests/machine_fixture.h"
#include "tests/renderer_row.h"
#include "vmm/machine.h"

#define FEATURES ((1ull << VIRTIO_GPU_F_VIRGL) |			\
		  (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) |		\
		  (1ull << VIRTIO_GPU_F_CONTEXT_INIT))
#define PIXEL_A 0xffff3300u	/* clear colour (1.0, 0.2, 0.0, 1.0) */
#define PIXEL_B 0xff0000ffu	/* clear colour (0.0, 0.0, 1.0, 1.0) */

enum renderers { VIRGL_ONLY, WITH_VENUS, WITH_RENDER_SERVER };

static struct vmm_machine *machine(const char *inject, enum renderers r)
{
	struct vmm_machine_options o;
	struct vmm_machine *m = NULL;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	o.features = FEATURES;
	o.hostmem_size = 64ull << 20;
	o.venus = r != VIRGL_ONLY;
	o.render_server = r == WITH_RENDER_SERVER;
	snprintf(o.inject, sizeof(o.inject), "%s", inject ? inject : "");
	m = test_machine_start(&o);
	return m;
}

/* CONTEXT_INIT VIRGL2, with one ring when @ring (its own timeline). */
static void virgl_context(struct km_file *f, bool ring)
{
	struct drm_virtgpu_context_set_param p[2] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1 },
	};
	struct drm_virtgpu_context_init ci = { ring ? 2 : 1, 0, (uintptr_t)p };

	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci), 0);
}

/* A 64x64 B8G8R8A8 render target; its GEM handle, *res its resource. */
static uint32_t render_target(struct km_file *f, uint32_t *res)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 2, .format = 1, .bind = 2, .width = 64, .height = 64,
		.depth = 1, .array_size = 1, .size = 64 * 64 * 4,
	};

	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc),
			 0);
	*res = rc.res_handle;
	return rc.bo_handle;
}

/*
 * EXECBUFFER with a fence fd: with @setup, sub-context 1 and a surface on
 * @res as its framebuffer first (FACTS.md's known-good stream), then a
 * clear to PIXEL_A (@b false) or PIXEL_B.  On ring 0 when @ring.  Returns
 * the ioctl's result; *fence_fd the out-fence.
 */
static int clear(struct km_file *f, uint32_t h, uint32_t res, bool setup,
		 bool b, bool ring, int *fence_fd)
{
	uint32_t cmd[32], n = 0;
	static const uint32_t head[] = {
		0x0001001d, 1, 0x0001001c, 1, 0x00050801, 10, 0 /* res */, 1,
		0, 0, 0x00030005, 1, 0, 10,
	};
	const uint32_t color_a[] = { 0x3f800000, 0x3e4ccccd, 0, 0x3f800000 };
	const uint32_t color_b[] = { 0, 0, 0x3f800000, 0x3f800000 };

	if (setup) {
		memcpy(cmd, head, sizeof(head));
		cmd[6] = res;
		n = sizeof(head) / 4;
	}
	cmd[n++] = 0x00080007;
	cmd[n++] = 4;		/* PIPE_CLEAR_COLOR0 */
	memcpy(&cmd[n], b ? color_b : color_a, 16);
	n += 4;
	cmd[n++] = 0;		/* depth 1.0 as a double */
	cmd[n++] = 0x3ff00000;
	cmd[n++] = 0;		/* stencil */
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT |
			 (ring ? VIRTGPU_EXECBUF_RING_IDX : 0),
		.size = n * 4, .command = (uintptr_t)cmd,
		.bo_handles = (uintptr_t)&h, .num_bo_handles = 1,
	};
	int ret = km_ioctl(f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);

	*fence_fd = eb.fence_fd;
	return ret;
}

static void wait_fd(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 10000), 1);
}

static void clear_and_wait(struct km_file *f, uint32_t h, uint32_t res,
			   bool setup, bool b, bool ring)
{
	int fd;

	assert_int_equal(clear(f, h, res, setup, b, ring, &fd), 0);
	wait_fd(fd);
	close(fd);
}

/* Pixel (0,0) of the render target as the guest reads it back. */
static uint32_t pixel(struct km_file *f, uint32_t h)
{
	struct drm_virtgpu_3d_transfer_from_host tf = {
		.bo_handle = h, .box = { 0, 0, 0, 64, 64, 1 },
	};
	struct drm_virtgpu_3d_wait w = { h, 0 };
	struct drm_virtgpu_map mp = { .handle = h };
	uint32_t *px, v;

	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
				  &tf), 0);
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_WAIT, &w), 0);
	assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_MAP, &mp), 0);
	assert_int_equal(km_mmap(f, mp.offset, 64 * 64 * 4, (void **)&px), 0);
	v = px[0];
	assert_int_equal(km_munmap(f, px, 64 * 64 * 4), 0);
	return v;
}

/* The signal time of a sync_file's one fence (SYNC_IOC_FILE_INFO). */
static uint64_t signal_ns(struct vmm_machine *m, int fd)
{
	struct sync_fence_info fi;
	struct sync_file_info info = {
		.num_fences = 1, .sync_fence_info = (uintptr_t)&fi,
	};

	memset(&fi, 0, sizeof(fi));
	assert_int_equal(km_sync_ioctl(vmm_machine_kernel(m), fd,
				       SYNC_IOC_FILE_INFO, &info), 0);
	assert_int_equal(info.status, 1);
	return fi.timestamp_ns;
}

static void test_faults_spec_rejected(void **state)
{
	static const struct {
		const char *desc, *spec;
	} cases[] = {
		{ "unknown fault", "explode=now" },
		{ "not KEY=VALUE", "cmd" },
		{ "unknown command", "cmd=SUBMIT_4D" },
		{ "unknown response", "cmd=SUBMIT_3D,resp=ERR_SOMETHING" },
		{ "key of another fault", "cmd=SUBMIT_3D,ms=3" },
		{ "count 0", "cmd=CTX_CREATE,count=0" },
		{ "negative number", "cmd=CTX_CREATE,skip=-1" },
		{ "fence kind", "fence=sometimes" },
		{ "delay without ms", "fence=delay" },
		{ "ring out of range", "fence=delay,ms=1,ctx=1,ring=64" },
		{ "global timeline has no ring", "fence=delay,ms=1,ctx=0,ring=1" },
		{ "size suffix", "hostmem=4T" },
		{ "ctx_create value", "ctx_create=maybe" },
		{ "worker value", "worker=stop" },
		{ "second fault bad", "cmd=SUBMIT_3D;fence=delay" },
	};
	struct vmm_machine_options o;

	(void)state;
	vmm_machine_default_options(&o);
	o.ram_size = 16ull << 20;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vmm_machine *m = NULL;

		snprintf(o.inject, sizeof(o.inject), "%s", cases[i].spec);
		print_message("%s: '%s'\n", cases[i].desc, cases[i].spec);
		assert_int_equal(vmm_machine_create(&o, &m), -EINVAL);
		assert_null(m);
	}
}

/* Specs that parse; the machine comes up with them. */
static void test_faults_spec_accepted(void **state)
{
	struct vmm_machine *m = machine(
		"cmd=virtio_gpu_cmd_submit_3d,resp=0x1201,ctx=7,skip=1,count=2;"
		" fence=delay,ms=5,ctx=0; fence=delay,ms=5,ctx=3,ring=2;"
		"fence=reorder; hostmem=1M; ctx_create=fail,capset=4,count=1;"
		"worker=kill,ctx=9,skip=3;", VIRGL_ONLY);
	struct km_file *f;

	(void)state;
	assert_int_equal(km_open(vmm_machine_kernel(m), &f), 0);
	test_machine_finish(m, &f, 1);
}

/* cmd=SUBMIT_3D,resp=ERR_OUT_OF_MEMORY: the fence still signals (Linux
 * only logs error answers), the work is not done, the next submit is. */
static void test_faults_cmd_error_once(void **state)
{
	struct vmm_machine *m = machine(
		"cmd=SUBMIT_3D,resp=ERR_OUT_OF_MEMORY,skip=1,count=1",
		VIRGL_ONLY);
	struct km_file *f;
	uint32_t res, h;

	(void)state;
	assert_int_equal(km_open(vmm_machine_kernel(m), &f), 0);
	virgl_context(f, false);
	h = render_target(f, &res);
	clear_and_wait(f, h, res, true, false, false);
	assert_int_equal(pixel(f, h), PIXEL_A);
	sim_log_set_quiet(true);
	clear_and_wait(f, h, res, false, true, false);	/* answered OOM */
	sim_log_set_quiet(false);
	assert_int_equal(pixel(f, h), PIXEL_A);
	clear_and_wait(f, h, res, false, true, false);
	assert_int_equal(pixel(f, h), PIXEL_B);
	test_machine_finish(m, &f, 1);
}

/* ctx_create=fail: the first context is refused by the "renderer"; its
 * file's work fails on the device (unknown context), its fences still
 * signal, and the second file's context works. */
static void test_faults_renderer_refuses_context(void **state)
{
	struct vmm_machine *m = machine("ctx_create=fail,count=1", VIRGL_ONLY);
	struct km_file *f[2];
	uint32_t res[2], h[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(km_open(vmm_machine_kernel(m), &f[i]), 0);
		virgl_context(f[i], false);
		h[i] = render_target(f[i], &res[i]);
	}
	sim_log_set_quiet(true);
	clear_and_wait(f[0], h[0], res[0], true, false, false);
	assert_int_not_equal(pixel(f[0], h[0]), PIXEL_A);
	sim_log_set_quiet(false);
	clear_and_wait(f[1], h[1], res[1], true, false, false);
	assert_int_equal(pixel(f[1], h[1]), PIXEL_A);
	test_machine_finish(m, f, 2);
}

/* A real renderer error: a stream virglrenderer rejects fails on its
 * own context only; the other context's work is untouched. */
static void test_faults_renderer_error_one_context(void **state)
{
	struct vmm_machine *m = machine(NULL, VIRGL_ONLY);
	struct km_file *f[2];
	uint32_t res[2], h[2];
	static const uint32_t bad[] = { 0x000000ff };	/* no such opcode */
	int fd;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(km_open(vmm_machine_kernel(m), &f[i]), 0);
		virgl_context(f[i], true);
		h[i] = render_target(f[i], &res[i]);
	}
	clear_and_wait(f[0], h[0], res[0], true, false, true);
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT | VIRTGPU_EXECBUF_RING_IDX,
		.size = sizeof(bad), .command = (uintptr_t)bad,
	};
	sim_log_set_quiet(true);
	assert_int_equal(km_ioctl(f[0], DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	wait_fd(eb.fence_fd);
	close(eb.fence_fd);
	/* Whatever the renderer makes of the context now, its submits are
	 * answered and its fences signal. */
	assert_int_equal(clear(f[0], h[0], res[0], false, true, true, &fd), 0);
	wait_fd(fd);
	close(fd);
	sim_log_set_quiet(false);
	clear_and_wait(f[1], h[1], res[1], true, true, true);
	assert_int_equal(pixel(f[1], h[1]), PIXEL_B);
	test_machine_finish(m, f, 2);
}

/* fence=delay: the fence signals, but not before the delay. */
static void test_faults_fence_delay(void **state)
{
	struct vmm_machine *m = machine("fence=delay,ms=300,ctx=1", VIRGL_ONLY);
	struct km_file *f[2];
	uint32_t res[2], h[2];
	int fd;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(km_open(vmm_machine_kernel(m), &f[i]), 0);
		virgl_context(f[i], true);
		h[i] = render_target(f[i], &res[i]);
	}
	/* Context 1's ring: the signal is held 300 ms after the renderer's
	 * own, which comes after the ioctl returned. */
	assert_int_equal(clear(f[0], h[0], res[0], true, false, true, &fd), 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 100), 0);
	wait_fd(fd);
	close(fd);
	assert_int_equal(pixel(f[0], h[0]), PIXEL_A);
	/* Context 2 is not delayed (no time asserted, only that it works). */
	clear_and_wait(f[1], h[1], res[1], true, true, true);
	assert_int_equal(pixel(f[1], h[1]), PIXEL_B);
	test_machine_finish(m, f, 2);
}

/*
 * fence=reorder: completions collected in one window come out timeline by
 * timeline, the later timeline first, but in order within each timeline
 * (virtio 1.2 5.7.6.7 orders a timeline, not timelines among each other).
 */
static void test_faults_fence_reorder(void **state)
{
	struct vmm_machine *m = machine("fence=reorder,ms=1000", VIRGL_ONLY);
	struct km_file *f[2];
	uint32_t res[2], h[2];
	int a1, a2, b1;

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(km_open(vmm_machine_kernel(m), &f[i]), 0);
		virgl_context(f[i], true);
		h[i] = render_target(f[i], &res[i]);
	}
	/* Let the set-up's (global) completions come out first. */
	struct drm_virtgpu_3d_wait w = { h[1], 0 };

	assert_int_equal(km_ioctl(f[1], DRM_IOCTL_VIRTGPU_WAIT, &w), 0);
	assert_int_equal(clear(f[0], h[0], res[0], true, false, true, &a1), 0);
	assert_int_equal(clear(f[0], h[0], res[0], false, true, true, &a2), 0);
	/* Context 1's completions arrive (and are held) before context 2's
	 * first one: the window is open. */
	struct pollfd p = { .fd = a2, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 100), 0);
	assert_int_equal(clear(f[1], h[1], res[1], true, true, true, &b1), 0);
	wait_fd(a1);
	wait_fd(a2);
	wait_fd(b1);
	uint64_t ta1 = signal_ns(m, a1), ta2 = signal_ns(m, a2);
	uint64_t tb1 = signal_ns(m, b1);

	assert_true(ta1 <= ta2);
	assert_true(tb1 <= ta1);
	close(a1);
	close(a2);
	close(b1);
	assert_int_equal(pixel(f[0], h[0]), PIXEL_B);
	assert_int_equal(pixel(f[1], h[1]), PIXEL_B);
	test_machine_finish(m, f, 2);
}

/* A device file closed while its fences are held back: the context goes,
 * its fences still signal, another file keeps working, nothing leaks. */
static void test_faults_close_with_fences_in_flight(void **state)
{
	struct vmm_machine *m = machine("fence=delay,ms=400", VIRGL_ONLY);
	struct km_file *f[2];
	uint32_t res[2], h[2];
	int fds[4];

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(km_open(vmm_machine_kernel(m), &f[i]), 0);
		virgl_context(f[i], true);
		h[i] = render_target(f[i], &res[i]);
	}
	assert_int_equal(clear(f[0], h[0], res[0], true, false, true, &fds[0]),
			 0);
	assert_int_equal(clear(f[0], h[0], res[0], false, true, true, &fds[1]),
			 0);
	assert_int_equal(clear(f[0], h[0], res[0], false, false, false,
			       &fds[2]), 0);
	assert_int_equal(clear(f[0], h[0], res[0], false, true, false,
			       &fds[3]), 0);
	km_close(f[0]);
	f[0] = NULL;
	for (int i = 0; i < 4; i++) {
		wait_fd(fds[i]);
		close(fds[i]);
	}
	clear_and_wait(f[1], h[1], res[1], true, true, true);
	assert_int_equal(pixel(f[1], h[1]), PIXEL_B);
	test_machine_finish(m, f, 2);
}

static struct guest_vn_session *session(struct km_file *f)
{
	char err[320] = "";
	struct guest_vn_session_options so = {
		.timeout_ms = 5000, .error = err, .error_size = sizeof(err),
	};
	struct guest_vn_session *s = NULL;
	int ret = guest_vn_session_create(f, &so, &s);

	if (ret)
		fail_msg("guest_vn_session_create: %d: %s", ret, err);
	return s;
}

#define ASSERT_VN(s, call)                                              \
	do {                                                            \
		int ret_ = (call);                                      \
		if (ret_)                                               \
			fail_msg("%s: %d: %s", #call, ret_,             \
				 guest_vn_session_error(s));            \
	} while (0)

/* hostmem=64K: the 64 KiB reply blob fits, device memory mapped after it
 * does not: MAP_BLOB is refused, the guest's mmap fails, the context and
 * its GPU work go on. */
static void test_faults_hostmem_shrunk(void **state)
{
	struct vmm_machine *m = machine("hostmem=64K", WITH_VENUS);
	struct km_file *f;
	struct guest_vn_instance_info info;
	struct guest_vn_fill_params p = { 64u << 10, 0xcafef00d };
	struct guest_vn_fill_result r;

	(void)state;
	assert_int_equal(km_open(vmm_machine_kernel(m), &f), 0);
	struct guest_vn_session *s = session(f);

	ASSERT_VN(s, guest_vn_instance_create(s, 0, &info));
	ASSERT_VN(s, guest_vn_device_create(s));
	sim_log_set_quiet(true);
	int ret = guest_vn_fill_test(s, &p, &r);

	sim_log_set_quiet(false);
	assert_int_equal(ret, -EINVAL);
	assert_false(r.mapped);
	assert_non_null(strstr(guest_vn_session_error(s),
			       "RESOURCE_MAP_BLOB failed"));
	assert_int_equal(guest_vn_session_lost(s), 0);
	ASSERT_VN(s, guest_vn_session_sync(s));
	guest_vn_session_destroy(s);
	test_machine_finish(m, &f, 1);
}

/*
 * worker=kill: the render-server worker of venus context 1 dies before
 * that context's eighth submit, the first of vkCreateDevice (the session
 * set-up takes one, the instance six).
 * Its context is lost; venus context 2 and a virgl context go on; the
 * server reaps the worker and nothing is left behind.
 */
static void test_faults_render_server_worker_killed(void **state)
{
	struct vmm_machine *m = machine("worker=kill,ctx=1,skip=7",
					WITH_RENDER_SERVER);
	struct km_file *f[3];
	struct guest_vn_instance_info ia, ib;
	uint32_t res, h;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(km_open(vmm_machine_kernel(m), &f[i]), 0);
	struct guest_vn_session *a = session(f[0]);
	struct guest_vn_session *b = session(f[1]);

	virgl_context(f[2], false);
	h = render_target(f[2], &res);
	ASSERT_VN(a, guest_vn_instance_create(a, 0, &ia));
	ASSERT_VN(b, guest_vn_instance_create(b, 0, &ib));
	sim_log_set_quiet(true);
	int ret = guest_vn_device_create(a);

	sim_log_set_quiet(false);
	if (ret != -EIO && ret != -ETIME && ret != -ENOTCONN)
		fail_msg("context 1 after its worker died: %d: %s", ret,
			 guest_vn_session_error(a));
	print_message("context 1: %s\n", guest_vn_session_error(a));
	assert_int_not_equal(guest_vn_session_lost(a), 0);
	ASSERT_VN(b, guest_vn_device_create(b));
	ASSERT_VN(b, guest_vn_session_sync(b));
	clear_and_wait(f[2], h, res, true, false, false);
	assert_int_equal(pixel(f[2], h), PIXEL_A);
	ASSERT_VN(b, guest_vn_device_destroy(b));
	guest_vn_session_destroy(a);
	guest_vn_session_destroy(b);
	test_machine_finish(m, f, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_spec_rejected),
		cmocka_unit_test(test_faults_spec_accepted),
		cmocka_unit_test(test_faults_cmd_error_once),
		cmocka_unit_test(test_faults_renderer_refuses_context),
		cmocka_unit_test(test_faults_renderer_error_one_context),
		cmocka_unit_test(test_faults_fence_delay),
		cmocka_unit_test(test_faults_fence_reorder),
		cmocka_unit_test(test_faults_close_with_fences_in_flight),
		cmocka_unit_test(test_faults_hostmem_shrunk),
		cmocka_unit_test(test_faults_render_server_worker_killed),
	};

	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
