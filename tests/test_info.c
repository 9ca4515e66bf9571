// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim info`'s questions and decoders (guest/info/info.h,
 * guest/virgl/caps_virgl.h, guest/venus/caps_venus.h): capsets asked from a real
 * machine through kernelmock and decoded against what virglrenderer
 * 0.10.4 on llvmpipe/lavapipe is known to report (FACTS.md: VIRGL2 is
 * version 2 with glsl_level 450 and a "LLVMPIPE ..." renderer; venus
 * speaks vk.xml 1.3.x), the EDID summary's checksum verdict checked
 * against the bytes themselves, and the decoders on hand-made buffers.
 * Each machine is built and destroyed inside its test (virglrenderer is
 * one per process).
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_gpu.h>

#include "guest/venus/caps_venus.h"
#include "guest/virgl/caps_virgl.h"
#include "guest/info/info.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "tests/renderer_row.h"
#include "vmm/machine.h"
#include "sim/transport.h"

#define VIRGL (1ull << VIRTIO_GPU_F_VIRGL)
#define EDID (1ull << VIRTIO_GPU_F_EDID)
#define CONTEXT_INIT (1ull << VIRTIO_GPU_F_CONTEXT_INIT)

static struct vmm_machine *machine_create(bool venus, uint64_t features)
{
	struct vmm_machine_options o;
	struct vmm_machine *m = NULL;

	vmm_machine_default_options(&o);
	o.ram_size = 64ull << 20;
	o.venus = venus;
	o.features = features;
	assert_int_equal(vmm_machine_create(&o, &m), 0);
	return m;
}

static struct guest_info *collect(struct vmm_machine *m)
{
	struct sim_transport *t = vmm_machine_transport(m);
	struct guest_info_options opts = {
		.have_transport = true,
		.offered = sim_transport_offered_features(t),
		.acked = sim_transport_acked_features(t),
	};
	struct guest_info *info = NULL;
	struct km_stats st;

	assert_int_equal(guest_info_collect(vmm_machine_kernel(m), &opts,
					    &info), 0);
	/* The render node it opened is closed again. */
	km_device_stats(vmm_machine_kernel(m), &st);
	assert_int_equal(st.files, 0);
	return info;
}

static const struct guest_info_capset *find_capset(
	const struct guest_info *info, uint32_t id)
{
	for (unsigned i = 0; i < info->num_capsets; i++)
		if (info->capsets[i].id == id)
			return &info->capsets[i];
	return NULL;
}

/* The capset as the test checks it: answered, fetched, max_size bytes. */
static const struct guest_info_capset *fetched(const struct guest_info *info,
					       uint32_t id)
{
	const struct guest_info_capset *cs = find_capset(info, id);

	assert_non_null(cs);
	assert_int_equal(cs->info.ret, 0);
	assert_int_equal(cs->info.type, VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(cs->caps_ret, 0);
	assert_non_null(cs->data);
	return cs;
}

static int decode_virgl(const struct guest_info_capset *cs,
			struct guest_virgl_caps *c)
{
	return guest_virgl_caps_decode(cs->data, cs->max_size, c);
}

static char *write_info(const struct guest_info *info, bool json)
{
	struct guest_info_options opts = { .json = json };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(guest_info_write(info, f, &opts), 0);
	fclose(f);
	return text;
}

static void test_info_virgl_capsets_from_a_machine(void **state)
{
	struct vmm_machine *m = machine_create(false, VIRGL | CONTEXT_INIT);
	struct guest_info *info = collect(m);
	const unsigned ids = VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs - 1;
	const struct guest_info_capset *cs;
	struct guest_virgl_caps c;

	assert_int_equal(info->param_ret[ids], 0);
	assert_int_equal(info->param_value[ids],
			 (1 << VIRTGPU_DRM_CAPSET_VIRGL) |
				 (1 << VIRTGPU_DRM_CAPSET_VIRGL2));
	assert_int_equal(info->num_capsets, 2);

	cs = fetched(info, VIRTGPU_DRM_CAPSET_VIRGL2);
	assert_int_equal(cs->max_version, 2);
	/* 1.1.0's virgl_caps_v2 has 8 bytes more than 0.10.4's, which our
	 * decoder knows, 1.3.0's 32; it decodes the prefix. */
	if (test_virgl2_capset_size())
		assert_int_equal(cs->max_size, test_virgl2_capset_size());
	assert_true(cs->max_size >= sizeof(struct guest_virgl_caps_v2));
	if (test_renderer_major() == 0)
		assert_int_equal(cs->max_size,
				 sizeof(struct guest_virgl_caps_v2));
	assert_int_equal(decode_virgl(cs, &c), 0);
	assert_int_equal(c.v2.v1.max_version, 2);
	assert_int_equal(c.v2.v1.glsl_level, 450);
	assert_true(GUEST_VIRGL_CAPS_HAS(&c, renderer));
	assert_int_equal(strncmp(c.v2.renderer, "LLVMPIPE", 8), 0);
	assert_int_equal(c.v2.max_texture_2d_size, 16384);
	/* bit 7 is COMPUTE_SHADER */
	assert_true(c.v2.capability_bits & (1u << 7));
	assert_true(GUEST_VIRGL_CAPS_HAS(&c, max_uniform_block_size));

	/* Capset 1 is the version-1 layout alone. */
	cs = fetched(info, VIRTGPU_DRM_CAPSET_VIRGL);
	assert_int_equal(cs->max_version, 1);
	assert_int_equal(decode_virgl(cs, &c), 0);
	assert_int_equal(c.v2.v1.max_version, 1);
	assert_int_equal(c.v2.v1.glsl_level, 450);
	assert_false(GUEST_VIRGL_CAPS_HAS(&c, capability_bits));
	assert_int_equal(c.v2.capability_bits, 0);

	char *text = write_info(info, false);
	assert_non_null(strstr(text, "LLVMPIPE"));
	assert_non_null(strstr(text, "capset 2 VIRGL2"));
	free(text);
	guest_info_free(info);
	vmm_machine_destroy(m);
}

/* The host stack as the VMM tells it: the virglrenderer the build found
 * and the GL driver's GL_VERSION naming Mesa, in text and JSON. */
static void test_info_host_stack(void **state)
{
	struct vmm_machine *m = machine_create(false, VIRGL);
	struct guest_info *info = collect(m);
	const char *gl = vmm_machine_gl_version(m);
	struct guest_info_options opts = {
		.host_virglrenderer = vmm_machine_renderer_version(),
		.host_gl = gl,
	};
	char line[256], *text = NULL;
	size_t len = 0;

	assert_non_null(gl);
	assert_non_null(strstr(gl, "Mesa "));
	for (int json = 0; json <= 1; json++) {
		FILE *f = open_memstream(&text, &len);

		assert_non_null(f);
		opts.json = json;
		assert_int_equal(guest_info_write(info, f, &opts), 0);
		fclose(f);
		snprintf(line, sizeof(line),
			 json ? "\"virglrenderer\": \"%s\"" : "= %s\n",
			 host_renderer_version());
		assert_non_null(strstr(text, line));
		assert_non_null(strstr(text, gl));
		free(text);
		text = NULL;
	}
	guest_info_free(info);
	vmm_machine_destroy(m);
}

static void test_info_edid_checksum(void **state)
{
	struct vmm_machine *m = machine_create(false, VIRGL | EDID);
	struct guest_info *info = collect(m);
	struct guest_edid_summary s;
	uint8_t edid[128];
	uint8_t sum = 0;

	assert_int_equal(info->num_scanouts, 1);
	const struct guest_info_scanout *so = &info->scanouts[0];
	assert_true(so->edid_asked);
	assert_int_equal(so->edid.ret, 0);
	assert_int_equal(so->edid.type, VIRTIO_GPU_RESP_OK_EDID);
	assert_true(so->edid_size >= sizeof(edid));
	memcpy(edid, so->edid_data, sizeof(edid));

	/* What the summary says about the checksum is what the bytes say. */
	for (size_t i = 0; i < sizeof(edid); i++)
		sum = (uint8_t)(sum + edid[i]);
	assert_int_equal(guest_edid_summarize(edid, sizeof(edid), &s), 0);
	assert_int_equal(s.checksum, edid[127]);
	assert_int_equal(s.checksum_ok, sum == 0);
	assert_true(s.checksum_ok);
	assert_true(s.header_ok);
	assert_string_equal(s.manufacturer, "VGS");
	assert_true(s.has_preferred);
	assert_int_equal(s.width, so->width);
	assert_int_equal(s.height, so->height);

	/* One changed byte: the summary must notice. */
	edid[20] ^= 0x01;
	assert_int_equal(guest_edid_summarize(edid, sizeof(edid), &s), 0);
	assert_false(s.checksum_ok);
	assert_int_equal(guest_edid_summarize(edid, 127, &s), -EINVAL);

	guest_info_free(info);
	vmm_machine_destroy(m);
}

static void test_info_venus_capset_from_a_machine(void **state)
{
	TEST_SKIP_FROM_1_0("the venus capset is 160 bytes, wire_format_version "
			   "1, in 1.1.0 (156, 0 in 0.10.4); the test checks "
			   "0.10.4's");
	struct vmm_machine *m = machine_create(true, VIRGL | CONTEXT_INIT);
	struct guest_info *info = collect(m);
	const struct guest_info_capset *cs =
		fetched(info, VIRTGPU_DRM_CAPSET_VENUS);
	struct guest_venus_caps c;

	assert_int_equal(cs->max_version, 0);
	assert_int_equal(cs->max_size, 156);	/* 0.10.4's layout */
	assert_int_equal(guest_venus_caps_decode(cs->data, cs->max_size, &c),
			 0);
	assert_int_equal(c.w.wire_format_version, 0);
	assert_int_equal(GUEST_VK_VERSION_MAJOR(c.w.vk_xml_version), 1);
	assert_int_equal(GUEST_VK_VERSION_MINOR(c.w.vk_xml_version), 3);
	assert_int_equal(c.w.supports_multiple_timelines, 1);
	/* In-process venus: no blob_id 0 before attach (FACTS.md). */
	assert_int_equal(c.w.supports_blob_id_0, 0);
	assert_true(GUEST_VENUS_CAPS_HAS(&c, supports_multiple_timelines));
	assert_false(GUEST_VENUS_CAPS_HAS(&c, use_guest_vram));
	assert_true(guest_venus_caps_extension_mask_valid(&c));
	assert_true(guest_venus_caps_extension_count(&c) > 0);

	char *json = write_info(info, true);
	assert_int_equal(json[0], '{');
	assert_non_null(strstr(json, "\"vk_xml_version\": \"1.3."));
	assert_non_null(strstr(json, "\"name\": \"VENUS\""));
	free(json);
	guest_info_free(info);
	vmm_machine_destroy(m);
}

static void test_info_decoders_on_bytes(void **state)
{
	uint8_t buf[sizeof(struct guest_virgl_caps_v2) + 16];
	struct guest_virgl_caps c;
	struct guest_venus_caps v;
	uint32_t w;

	memset(buf, 0, sizeof(buf));
	/* Too short for version 1. */
	assert_int_equal(guest_virgl_caps_decode(buf, 307, &c), -EINVAL);
	/* Little-endian words at the documented offsets. */
	w = htole32(450);
	memcpy(buf + offsetof(struct guest_virgl_caps_v2, v1.glsl_level), &w,
	       4);
	w = htole32(0x80000001u);
	memcpy(buf + offsetof(struct guest_virgl_caps_v2, capability_bits), &w,
	       4);
	memcpy(buf + offsetof(struct guest_virgl_caps_v2, renderer), "ABC", 4);
	w = htole32(0x7);
	memcpy(buf + offsetof(struct guest_virgl_caps_v2, v1.render), &w, 4);
	/* A capset that stops right after capability_bits. */
	assert_int_equal(guest_virgl_caps_decode(buf, 396, &c), 0);
	assert_int_equal(c.v2.v1.glsl_level, 450);
	assert_true(GUEST_VIRGL_CAPS_HAS(&c, capability_bits));
	assert_int_equal(c.v2.capability_bits, 0x80000001u);
	assert_false(GUEST_VIRGL_CAPS_HAS(&c, renderer));
	assert_int_equal(c.v2.renderer[0], 0);
	assert_int_equal(guest_virgl_format_count(&c.v2.v1.render), 3);
	/* A newer, longer capset decodes its known part. */
	assert_int_equal(guest_virgl_caps_decode(buf, sizeof(buf), &c), 0);
	assert_string_equal(c.v2.renderer, "ABC");

	assert_string_equal(guest_virgl_cap_name(0), "TGSI_INVARIANT");
	assert_string_equal(guest_virgl_cap_name(31), "ARB_BUFFER_STORAGE");
	assert_string_equal(guest_virgl_cap_v2_name(10), "TEXTURE_SHADOW_LOD");
	assert_null(guest_virgl_cap_v2_name(31));
	assert_string_equal(guest_virgl_bset_name(0), "indep_blend_enable");

	memset(buf, 0, sizeof(buf));
	assert_int_equal(guest_venus_caps_decode(buf, 3, &v), -EINVAL);
	w = htole32((1u << 22) | (3u << 12) | 228u);
	memcpy(buf + 4, &w, 4);
	assert_int_equal(guest_venus_caps_decode(buf, 20, &v), 0);
	assert_int_equal(GUEST_VK_VERSION_PATCH(v.w.vk_xml_version), 228);
	assert_true(GUEST_VENUS_CAPS_HAS(&v, supports_blob_id_0));
	assert_false(GUEST_VENUS_CAPS_HAS(&v, vk_extension_mask1));
	assert_false(guest_venus_caps_extension_mask_valid(&v));
	assert_int_equal(guest_venus_caps_extension_count(&v), 0);
}

/* The kernel section names the default version (6.12) and what it
 * offers; its syncobj caps are what GET_CAP answered; param 9 is not
 * a 6.12 param. */
static void test_info_kernel_section(void **state)
{
	struct vmm_machine *m = machine_create(false, VIRGL | CONTEXT_INIT);
	struct guest_info *info = collect(m);
	char *text = write_info(info, false);
	char *json = write_info(info, true);

	(void)state;
	assert_string_equal(info->kernel[0].value, "Linux 6.12");
	assert_int_equal(info->param_ret[VIRTGPU_PARAM_BLOB_ALIGNMENT - 1],
			 -EINVAL);
	assert_non_null(strstr(text, "Guest kernel"));
	assert_non_null(strstr(text, "DRM_CAP_SYNCOBJ                     = 1"));
	assert_non_null(strstr(text, "execbuffer struct                   = "
			       "64 bytes"));
	assert_non_null(strstr(json, "\"kernel\": {"));
	assert_non_null(strstr(json, "\"version\": \"Linux 6.12\""));
	free(text);
	free(json);
	guest_info_free(info);
	vmm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_decoders_on_bytes),
		cmocka_unit_test(test_info_virgl_capsets_from_a_machine),
		cmocka_unit_test(test_info_kernel_section),
		cmocka_unit_test(test_info_edid_checksum),
		cmocka_unit_test(test_info_host_stack),
		cmocka_unit_test(test_info_venus_capset_from_a_machine),
	};

	return cmocka_run_group_tests_name("info", tests, NULL, NULL);
}
