// SPDX-License-Identifier: MIT
/*
 * The kernel version table (kernelmock/kversion.c) reaching kernelmock's
 * behaviour: every row on a machine of its own, checked against what the
 * row says (GETPARAM 8 and 9, DRM_CAP_SYNCOBJ, CONTEXT_INIT's limit,
 * EXECBUFFER's fence_fd and struct size), plus drm_ioctl's copy rules
 * (_IOC_DIR of the program's request and of the driver's).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "sim/transport.h"
#include "tests/machine_fixture.h"
#include "vmm/machine.h"

struct kv_machine {
	struct vmm_machine *m;
	struct km_file *f;
};

static void kv_start(struct kv_machine *km, unsigned row)
{
	struct vmm_machine_options o;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	o.features |= 1ull << 3;	/* RESOURCE_BLOB */
	o.kernels = 1ull << row;
	km->m = test_machine_start(&o);
	assert_ptr_equal(km_device_kversion(vmm_machine_kernel(km->m)),
			 km_kversion_at(row));
	assert_int_equal(km_open(vmm_machine_kernel(km->m), &km->f), 0);
}

static int getparam(struct km_file *f, uint64_t param, int *value)
{
	struct drm_virtgpu_getparam gp = { param, (uintptr_t)value };
	return km_ioctl(f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
}

/* The rows are in order, named, and the default is 6.12. */
static void test_kversion_table(void **state)
{
	(void)state;
	assert_non_null(km_kversion_at(0));
	assert_string_equal(km_kversion_default()->name, "6.12");
	for (unsigned i = 0; km_kversion_at(i); i++) {
		const struct km_kversion *kv = km_kversion_at(i);
		assert_ptr_equal(km_kversion_find(kv->name, strlen(kv->name)), kv);
		assert_true(kv->execbuffer_size == KM_EXECBUFFER_SIZE_V2 ||
			    kv->execbuffer_size == KM_EXECBUFFER_SIZE_V3);
		/* the 64-byte struct came with the syncobjs (7cb8d1ab) */
		assert_int_equal(kv->syncobj,
				 kv->execbuffer_size == KM_EXECBUFFER_SIZE_V3);
	}
	assert_null(km_kversion_find("6.1x", 4));
	assert_null(km_kversion_find("6.", 2));
}

/* Per row: what the row says is what the program sees. */
static void test_kversion_every_row(void **state)
{
	(void)state;
	for (unsigned row = 0; km_kversion_at(row); row++) {
		const struct km_kversion *kv = km_kversion_at(row);
		struct kv_machine km;
		int value = -1;

		kv_start(&km, row);
		assert_int_equal(getparam(km.f, VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs,
					  &value), 0);
		assert_int_equal(getparam(km.f, VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME,
					  &value),
				 kv->last_param >= 8 ? 0 : -EINVAL);
		/* no BLOB_ALIGNMENT offered: -ENOENT where 9 exists */
		assert_int_equal(getparam(km.f, VIRTGPU_PARAM_BLOB_ALIGNMENT,
					  &value),
				 kv->last_param >= 9 ? -ENOENT : -EINVAL);

		struct drm_get_cap cap = { .capability = DRM_CAP_SYNCOBJ };
		assert_int_equal(km_ioctl(km.f, DRM_IOCTL_GET_CAP, &cap), 0);
		assert_int_equal(cap.value, kv->syncobj);

		/* One more param than the limit is refused first. */
		struct drm_virtgpu_context_set_param p[5] = { { 0 } };
		struct drm_virtgpu_context_init ci = {
			.num_params = kv->max_context_params + 1,
			.ctx_set_params = (uintptr_t)p,
		};
		assert_int_equal(km_ioctl(km.f, DRM_IOCTL_VIRTGPU_CONTEXT_INIT,
					  &ci), -EINVAL);

		/* A failing EXECBUFFER: fence_fd -1 before 6.5's order. */
		uint32_t nop = 0, bad = 999;
		struct drm_virtgpu_execbuffer eb = {
			.command = (uintptr_t)&nop, .fence_fd = 77,
			.bo_handles = (uintptr_t)&bad, .num_bo_handles = 1,
			.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT,
		};
		assert_int_equal(km_ioctl(km.f, DRM_IOCTL_VIRTGPU_EXECBUFFER,
					  &eb), -ENOENT);
		assert_int_equal(eb.fence_fd, kv->submit_order_v65 ? 77 : -1);
		test_machine_finish(km.m, &km.f, 1);
	}
}

/* drm_ioctl: in only with _IOC_WRITE on both sides, out only with
 * _IOC_READ on both; a short program struct is zero-extended. */
static void test_kversion_ioctl_directions(void **state)
{
	struct kv_machine km;
	struct drm_virtgpu_resource_create rc = {
		.target = 2, .format = 1, .bind = 2, .width = 4, .height = 4,
		.depth = 1, .array_size = 1,
	};
	int value = 0;

	(void)state;
	kv_start(&km, 3);
	assert_int_equal(km_ioctl(km.f, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc),
			 0);
	/* RESOURCE_INFO as _IOW: handled, but nothing copied back. */
	struct drm_virtgpu_resource_info ri = { .bo_handle = rc.bo_handle,
						.size = 12345 };
	unsigned long iow = _IOW(DRM_IOCTL_BASE, DRM_COMMAND_BASE +
				 DRM_VIRTGPU_RESOURCE_INFO, ri);
	assert_int_equal(km_ioctl(km.f, iow, &ri), 0);
	assert_int_equal(ri.size, 12345);
	assert_int_equal(km_ioctl(km.f, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri), 0);
	assert_int_not_equal(ri.size, 12345);
	/* GETPARAM as _IOR: nothing copied in, so param 0: -EINVAL. */
	struct drm_virtgpu_getparam gp = { VIRTGPU_PARAM_3D_FEATURES,
					   (uintptr_t)&value };
	unsigned long ior = _IOR(DRM_IOCTL_BASE, DRM_COMMAND_BASE +
				 DRM_VIRTGPU_GETPARAM, gp);
	assert_int_equal(km_ioctl(km.f, ior, &gp), -EINVAL);
	/* GET_CAP with only its first 8 bytes: value not written back. */
	uint64_t shortcap[2] = { DRM_CAP_PRIME, 0xabcd };
	unsigned long s8 = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				_IOC_NR(DRM_IOCTL_GET_CAP), 8);
	assert_int_equal(km_ioctl(km.f, s8, shortcap), 0);
	assert_int_equal(shortcap[1], 0xabcd);
	/* A larger program struct is copied in and back whole: the bytes
	 * past the driver's struct come back as sent. */
	uint64_t longcap[40];
	memset(longcap, 0x5a, sizeof(longcap));
	longcap[0] = DRM_CAP_PRIME;
	unsigned long s320 = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				  _IOC_NR(DRM_IOCTL_GET_CAP), sizeof(longcap));
	assert_int_equal(km_ioctl(km.f, s320, longcap), 0);
	assert_int_equal(longcap[1], DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT);
	assert_int_equal(longcap[39], 0x5a5a5a5a5a5a5a5aull);
	struct drm_gem_close gc = { .handle = rc.bo_handle };
	assert_int_equal(km_ioctl(km.f, DRM_IOCTL_GEM_CLOSE, &gc), 0);
	test_machine_finish(km.m, &km.f, 1);
}

/* The conformance report names the ioctl that was running when the
 * device saw a command (km_ioctl sets it on the transport, for the call's
 * length only): kernelmock's own names, NULL for what it does not serve. */
static void test_kversion_ioctl_names_for_the_report(void **state)
{
	struct kv_machine km;

	(void)state;
	kv_start(&km, 3);
	struct sim_transport *t = vmm_machine_transport(km.m);

	assert_string_equal(km_ioctl_name(DRM_IOCTL_VIRTGPU_MAP), "VIRTGPU_MAP");
	assert_string_equal(km_ioctl_name(DRM_IOCTL_VIRTGPU_EXECBUFFER),
			    "VIRTGPU_EXECBUFFER");
	assert_string_equal(km_ioctl_name(DRM_IOCTL_GEM_CLOSE),
			    "DRM_IOCTL_GEM_CLOSE");
	assert_null(km_ioctl_name(_IOWR(DRM_IOCTL_BASE, 0x7f, int)));
	assert_null(km_ioctl_name(_IOWR('x', 0x40, int)));
	struct drm_virtgpu_getparam gp = { .param = VIRTGPU_PARAM_3D_FEATURES };
	int value = 0;
	gp.value = (uintptr_t)&value;
	assert_int_equal(km_ioctl(km.f, DRM_IOCTL_VIRTGPU_GETPARAM, &gp), 0);
	assert_int_equal(sim_transport_guest_call(t), 0);	/* returned */
	test_machine_finish(km.m, &km.f, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kversion_table),
		cmocka_unit_test(test_kversion_every_row),
		cmocka_unit_test(test_kversion_ioctl_directions),
		cmocka_unit_test(test_kversion_ioctl_names_for_the_report),
	};
	return cmocka_run_group_tests_name("kversion", tests, NULL, NULL);
}
