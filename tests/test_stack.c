// SPDX-License-Identifier: MIT
/*
 * The whole stack in one process, driven through km_ioctl exactly as a
 * guest program would: kernelmock -> virtqueues in guest RAM -> device
 * thread -> virglrenderer on llvmpipe, and back.  Checks errno values,
 * pixels, fence signalling and that nothing leaks on either side.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "sim/log.h"
#include "tests/machine_fixture.h"
#include "tests/renderer_row.h"
#include "vmm/machine.h"
#include "sim/hostmem.h"
#include "sim/ram.h"
#include "sim/transport.h"

struct fixture {
	struct vmm_machine *m;
	struct km_file *f;
};

static int setup(void **state)
{
	static struct fixture fx;
	struct vmm_machine_options o;
	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	o.scatter = true;
	fx.m = test_machine_start(&o);
	if (km_open(vmm_machine_kernel(fx.m), &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

/* The same with RESOURCE_BLOB and a host-visible region. */
static int setup_blob(void **state)
{
	static struct fixture fx;
	struct vmm_machine_options o;
	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	o.scatter = true;
	o.features |= 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	o.hostmem_size = 16ull << 20;
	fx.m = test_machine_start(&o);
	if (km_open(vmm_machine_kernel(fx.m), &fx.f))
		return -1;
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_machine_finish(fx->m, &fx->f, 1);
	return 0;
}

static int context_init(struct km_file *f, uint64_t capset)
{
	struct drm_virtgpu_context_set_param p = {
		VIRTGPU_CONTEXT_PARAM_CAPSET_ID, capset
	};
	struct drm_virtgpu_context_init ci = { 1, 0, (uintptr_t)&p };
	return km_ioctl(f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);
}

static struct drm_virtgpu_resource_create rt64(void)
{
	return (struct drm_virtgpu_resource_create){
		.target = 2, .format = 1 /* B8G8R8A8_UNORM */, .bind = 2,
		.width = 64, .height = 64, .depth = 1, .array_size = 1,
		.size = 64 * 64 * 4,
	};
}

static void test_stack_clear_readback_exact_pixels(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(context_init(fx->f, VIRTGPU_DRM_CAPSET_VIRGL2), 0);
	struct drm_virtgpu_resource_create rc = rt64();
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc), 0);
	assert_int_not_equal(rc.bo_handle, 0);
	assert_int_not_equal(rc.res_handle, 0);

	/* FACTS.md's known-good stream: surface 10 on the resource, clear
	 * to (1.0, 0.2, 0.0, 1.0) -> 0xffff3300 in B8G8R8A8. */
	uint32_t cmd[] = {
		0x0001001d, 1, 0x0001001c, 1, 0x00050801, 10, rc.res_handle,
		1, 0, 0, 0x00030005, 1, 0, 10, 0x00080007, 4, 0x3f800000,
		0x3e4ccccd, 0, 0x3f800000, 0, 0x3ff00000, 0,
	};
	uint32_t h = rc.bo_handle;
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT, .size = sizeof(cmd),
		.command = (uintptr_t)cmd, .bo_handles = (uintptr_t)&h,
		.num_bo_handles = 1,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
	assert_true(eb.fence_fd >= 0);
	struct pollfd pfd = { .fd = eb.fence_fd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	close(eb.fence_fd);

	struct drm_virtgpu_3d_transfer_from_host tf = {
		.bo_handle = h, .box = { 0, 0, 0, 64, 64, 1 },
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &tf), 0);
	struct drm_virtgpu_3d_wait w = { h, 0 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &w), 0);
	w.flags = VIRTGPU_WAIT_NOWAIT;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &w), 0);

	struct drm_virtgpu_map mp = { .handle = h };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_MAP, &mp), 0);
	uint32_t *px;
	assert_int_equal(km_mmap(fx->f, mp.offset, 64 * 64 * 4, (void **)&px), 0);
	for (int i = 0; i < 64 * 64; i++)
		if (px[i] != 0xffff3300)
			fail_msg("pixel (%d,%d) is 0x%08x, expected 0xffff3300",
				 i % 64, i / 64, px[i]);
	assert_int_equal(km_munmap(fx->f, px, 64 * 64 * 4), 0);

	struct drm_gem_close gc = { .handle = h };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_GEM_CLOSE, &gc), -EINVAL);
}

static void test_stack_getparam_writes_32_bits(void **state)
{
	struct fixture *fx = *state;
	uint64_t v = 0xaaaaaaaaaaaaaaaaull;
	struct drm_virtgpu_getparam gp = { VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs,
					   (uintptr_t)&v };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	/* Bits 1 and 2 (VIRGL, VIRGL2); the upper half stays untouched. */
	assert_int_equal(v, 0xaaaaaaaa00000006ull);
	gp.param = 99;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), -EINVAL);
	gp.param = VIRTGPU_PARAM_3D_FEATURES;
	gp.value = 8;	/* unmapped user address */
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), -EFAULT);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GETPARAM, (void *)8),
			 -EFAULT);
}

static void test_stack_get_caps_versions_and_sizes(void **state)
{
	struct fixture *fx = *state;
	/* VIRGL2's size differs by release (renderer_row.h); a size below
	 * all of them checks the request's side of min(size, capset size)
	 * on every release. */
	const unsigned v2 = test_virgl2_capset_size();
	uint32_t caps[4096 / 4];
	memset(caps, 0xee, sizeof(caps));
	struct drm_virtgpu_get_caps gc = {
		.cap_set_id = 2, .cap_set_ver = 2, .addr = (uintptr_t)caps,
		.size = 1000,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), 0);
	assert_int_equal(caps[0], 2);		/* max_version */
	assert_int_equal(caps[1000 / 4], 0xeeeeeeee);
	/* The capset's side, where its size is known: the word after is
	 * untouched. */
	gc.size = sizeof(caps);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), 0);
	if (v2)
		assert_int_equal(caps[v2 / 4], 0xeeeeeeee);
	gc = (struct drm_virtgpu_get_caps){ .cap_set_id = 1, .cap_set_ver = 1, .addr = (uintptr_t)caps, .size = 308 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), 0);
	assert_int_equal(caps[0], 1);
	gc.cap_set_ver = 2;	/* VIRGL's max_version is 1 */
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), -EINVAL);
	gc = (struct drm_virtgpu_get_caps){ .cap_set_id = 4, .cap_set_ver = 0, .addr = (uintptr_t)caps, .size = 16 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), -EINVAL);
	gc = (struct drm_virtgpu_get_caps){ .cap_set_id = 2, .cap_set_ver = 2, .addr = (uintptr_t)caps, .size = 0 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc), -EINVAL);
}

static void test_stack_context_init_errnos(void **state)
{
	struct fixture *fx = *state;
	assert_int_equal(context_init(fx->f, 3), -EINVAL);	/* not offered */
	struct drm_virtgpu_context_init ci = { 5, 0, 0 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci), -EINVAL);
	ci.num_params = 1;
	ci.ctx_set_params = 8;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci), -EFAULT);
	assert_int_equal(context_init(fx->f, VIRTGPU_DRM_CAPSET_VIRGL2), 0);
	assert_int_equal(context_init(fx->f, VIRTGPU_DRM_CAPSET_VIRGL2), -EEXIST);
}

static void test_stack_bad_handles(void **state)
{
	struct fixture *fx = *state;
	struct drm_virtgpu_3d_wait w = { 999, 0 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &w), -ENOENT);
	struct drm_virtgpu_3d_transfer_from_host tf = { .bo_handle = 999 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &tf),
			 -ENOENT);
	uint32_t h = 999, cmd = 0;
	struct drm_virtgpu_execbuffer eb = {
		.size = 4, .command = (uintptr_t)&cmd,
		.bo_handles = (uintptr_t)&h, .num_bo_handles = 1,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), -ENOENT);
	eb.flags = 0x80;
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), -EINVAL);
	eb.flags = VIRTGPU_EXECBUF_RING_IDX;	/* no rings requested */
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), -EINVAL);
	struct drm_virtgpu_map mp = { .handle = 999 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_MAP, &mp), -ENOENT);
}

/* A transfer that the device refuses (box outside the resource) is
 * answered with an error, and the stack keeps working afterwards. */
static void test_stack_device_error_then_recovery(void **state)
{
	struct fixture *fx = *state;
	struct drm_virtgpu_resource_create rc = rt64();
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc), 0);
	sim_log_set_quiet(true);
	struct drm_virtgpu_3d_transfer_from_host tf = {
		.bo_handle = rc.bo_handle, .box = { 60, 0, 0, 8, 8, 1 },
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &tf), 0);
	struct drm_virtgpu_3d_wait w = { rc.bo_handle, 0 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &w), 0);
	sim_log_set_quiet(false);
	tf.box = (struct drm_virtgpu_3d_box){ 0, 0, 0, 8, 8, 1 };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &tf), 0);
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_WAIT, &w), 0);
}

/* Lockstep: when EXECBUFFER returns, the device has answered the submit,
 * so its fence fd is already readable without waiting. */
static void test_stack_lockstep_returns_after_the_device(void **state)
{
	struct vmm_machine_options o;
	vmm_machine_default_options(&o);
	o.ram_size = 32ull << 20;
	o.lockstep = true;
	struct vmm_machine *m;
	assert_int_equal(vmm_machine_create(&o, &m), 0);
	struct km_file *f;
	assert_int_equal(km_open(vmm_machine_kernel(m), &f), 0);
	for (int i = 0; i < 10; i++) {
		uint32_t nop = 0;
		struct drm_virtgpu_execbuffer eb = {
			.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT,
			.command = (uintptr_t)&nop,
		};
		assert_int_equal(km_ioctl(f, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb), 0);
		struct pollfd pfd = { .fd = eb.fence_fd, .events = POLLIN };
		assert_int_equal(poll(&pfd, 1, 0), 1);
		close(eb.fence_fd);
	}
	km_close(f);
	vmm_machine_destroy(m);
}

/*
 * A GUEST blob is mapped from its guest pages by the guest kernel itself,
 * as Linux's shmem path does (virtio_gpu_object_shmem, drm_gem_shmem_mmap):
 * no RESOURCE_MAP_BLOB is sent (neither QEMU nor crosvm could map one,
 * docs/device-answers.md M6), the host-visible region stays empty, and
 * the bytes written through one mmap are there through the next (the
 * machine scatters guest pages, so the blob's are not contiguous).
 */
static void test_stack_guest_blob_mmap(void **state)
{
	struct fixture *fx = *state;
	const uint32_t size = 3 * 4096;
	struct drm_virtgpu_resource_create_blob rc = {
		.blob_mem = VIRTGPU_BLOB_MEM_GUEST,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE, .size = size,
	};
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc), 0);
	struct drm_virtgpu_map mp = { .handle = rc.bo_handle };
	assert_int_equal(km_ioctl(fx->f, DRM_IOCTL_VIRTGPU_MAP, &mp), 0);
	uint32_t *p;
	assert_int_equal(km_mmap(fx->f, mp.offset, size, (void **)&p), 0);
	for (uint32_t i = 0; i < size / 4; i++)
		p[i] = 0x6b000000u | i;
	assert_int_equal(km_munmap(fx->f, p, size), 0);
	assert_int_equal(km_mmap(fx->f, mp.offset, size, (void **)&p), 0);
	for (uint32_t i = 0; i < size / 4; i++)
		if (p[i] != (0x6b000000u | i))
			fail_msg("word %u reads 0x%08x, wrote 0x%08x", i, p[i],
				 0x6b000000u | i);
	assert_int_equal(km_munmap(fx->f, p, size), 0);
	struct sim_hostmem *hv = sim_transport_get_shm(
		vmm_machine_transport(fx->m), SIM_SHM_ID_HOST_VISIBLE);
	assert_non_null(hv);
	assert_int_equal(sim_hostmem_windows(hv), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stack_clear_readback_exact_pixels,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_getparam_writes_32_bits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_get_caps_versions_and_sizes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_context_init_errnos,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stack_guest_blob_mmap,
						setup_blob, teardown),
		cmocka_unit_test_setup_teardown(test_stack_bad_handles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stack_device_error_then_recovery,
						setup, teardown),
		cmocka_unit_test(test_stack_lockstep_returns_after_the_device),
	};
	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
