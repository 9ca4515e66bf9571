/* SPDX-License-Identifier: MIT */
/*
 * guest/virgl_enc: every encoder against the known-good dword dump in
 * FACTS.md (a capset-2 context that clears a 64x64 B8G8R8A8 render target
 * to 0xffff3300 on virglrenderer 0.10.4), plus the edges of the encoder
 * and the PIPE name tables.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guest/common/util.h"
#include "guest/virgl/virgl_enc.h"


/* FACTS.md, "virgl (GL) contexts": CREATE_SUB_CTX 1; SET_SUB_CTX 1;
 * CREATE_OBJECT SURFACE handle 10 on resource 1; SET_FRAMEBUFFER_STATE. */
static const uint32_t facts_setup[] = {
	0x0001001d, 0x00000001, 0x0001001c, 0x00000001, 0x00050801,
	0x0000000a, 0x00000001, 0x00000001, 0x00000000, 0x00000000,
	0x00030005, 0x00000001, 0x00000000, 0x0000000a,
};

/* CLEAR COLOR0 to (1.0, 0.2, 0.0, 1.0), depth 1.0, stencil 0. */
static const uint32_t facts_clear[] = {
	0x00080007, 0x00000004, 0x3f800000, 0x3e4ccccd, 0x00000000,
	0x3f800000, 0x00000000, 0x3ff00000, 0x00000000,
};

/* Compare the stream's bytes with @want as little-endian dwords. */
static void assert_stream(const struct guest_virgl_stream *s,
			  const uint32_t *want, size_t n)
{
	const uint8_t *bytes = (const uint8_t *)s->dw;

	assert_int_equal(s->len, n);
	assert_int_equal(guest_virgl_stream_bytes(s), n * 4);
	for (size_t i = 0; i < n; i++) {
		uint32_t got = (uint32_t)bytes[4 * i] |
			       (uint32_t)bytes[4 * i + 1] << 8 |
			       (uint32_t)bytes[4 * i + 2] << 16 |
			       (uint32_t)bytes[4 * i + 3] << 24;

		if (got != want[i])
			fail_msg("dword %zu is 0x%08x, expected 0x%08x", i,
				 got, want[i]);
	}
}

static void test_virgl_enc_setup_matches_facts(void **state)
{
	struct guest_virgl_stream s;
	struct guest_virgl_surface surf = {
		.handle = 10, .res_handle = 1, .format = 1,
	};
	struct guest_virgl_framebuffer fb = { .nr_cbufs = 1, .cbufs = { 10 } };

	(void)state;
	guest_virgl_stream_init(&s);
	assert_int_equal(guest_virgl_encode_create_sub_ctx(&s, 1), 0);
	assert_int_equal(guest_virgl_encode_set_sub_ctx(&s, 1), 0);
	assert_int_equal(guest_virgl_encode_create_surface(&s, &surf), 0);
	assert_int_equal(guest_virgl_encode_set_framebuffer_state(&s, &fb), 0);
	assert_stream(&s, facts_setup, COUNT(facts_setup));
	guest_virgl_stream_fini(&s);
}

static void test_virgl_enc_clear_matches_facts(void **state)
{
	struct guest_virgl_stream s;
	struct guest_virgl_clear c = {
		.buffers = 4, .color = { 1.0f, 0.2f, 0.0f, 1.0f },
		.depth = 1.0, .stencil = 0,
	};

	(void)state;
	guest_virgl_stream_init(&s);
	assert_int_equal(guest_virgl_encode_clear(&s, &c), 0);
	assert_stream(&s, facts_clear, COUNT(facts_clear));
	guest_virgl_stream_fini(&s);
}

static void test_virgl_enc_header_layout(void **state)
{
	(void)state;
	assert_int_equal(GUEST_VIRGL_CMD_HEADER(GUEST_VIRGL_CCMD_CREATE_OBJECT,
						GUEST_VIRGL_OBJECT_SURFACE,
						GUEST_VIRGL_SURFACE_SIZE),
			 0x00050801);
	assert_int_equal(GUEST_VIRGL_CMD_HEADER(GUEST_VIRGL_CCMD_CLEAR, 0,
						GUEST_VIRGL_CLEAR_SIZE),
			 0x00080007);
}

static void test_virgl_enc_surface_layers_packed(void **state)
{
	struct guest_virgl_stream s;
	struct guest_virgl_surface surf = {
		.handle = 3, .res_handle = 7, .format = 67, .level = 2,
		.first_layer = 4, .last_layer = 0xffff,
	};
	const uint32_t want[] = { 0x00050801, 3, 7, 67, 2, 0xffff0004 };

	(void)state;
	guest_virgl_stream_init(&s);
	assert_int_equal(guest_virgl_encode_create_surface(&s, &surf), 0);
	assert_stream(&s, want, COUNT(want));
	guest_virgl_stream_fini(&s);
}

static void test_virgl_enc_fb_state_limits(void **state)
{
	struct guest_virgl_stream s;
	struct guest_virgl_framebuffer fb = { .nr_cbufs = 0, .zsurf_handle = 9 };
	const uint32_t none[] = { 0x00020005, 0, 9 };

	(void)state;
	guest_virgl_stream_init(&s);
	assert_int_equal(guest_virgl_encode_set_framebuffer_state(&s, &fb), 0);
	assert_stream(&s, none, COUNT(none));
	/* 9 colour buffers do not fit PIPE_MAX_COLOR_BUFS slots: the stream
	 * is left as it was. */
	fb.nr_cbufs = GUEST_VIRGL_MAX_CBUFS + 1;
	assert_int_equal(guest_virgl_encode_set_framebuffer_state(&s, &fb),
			 -EINVAL);
	assert_stream(&s, none, COUNT(none));
	guest_virgl_stream_fini(&s);
}

static void test_virgl_enc_pipe_resource_create(void **state)
{
	struct guest_virgl_stream s;
	struct guest_virgl_pipe_resource r = {
		.target = 0, .format = 64, .bind = 1u << 4, .width = 4096,
		.height = 1, .depth = 1, .array_size = 1, .flags = 6,
		.blob_id = 7,
	};
	/* FACTS.md: header, target, format, bind, width, height, depth,
	 * array_size, last_level, nr_samples, flags, blob_id; opcode 48. */
	const uint32_t want[] = { 0x000b0030, 0, 64, 16, 4096, 1, 1, 1, 0, 0,
				  6, 7 };

	(void)state;
	guest_virgl_stream_init(&s);
	assert_int_equal(guest_virgl_encode_pipe_resource_create(&s, &r), 0);
	assert_stream(&s, want, COUNT(want));
	guest_virgl_stream_fini(&s);
}

static void test_virgl_enc_grows_and_resets(void **state)
{
	struct guest_virgl_stream s;
	const uint32_t raw[] = { 0xdeadbeef, 0x00010000 };

	(void)state;
	guest_virgl_stream_init(&s);
	for (uint32_t i = 0; i < 10000; i++)
		assert_int_equal(guest_virgl_encode_destroy_sub_ctx(&s, i), 0);
	assert_int_equal(s.len, 20000);
	assert_int_equal(le32toh(s.dw[2 * 9999]), 0x0001001e);
	assert_int_equal(le32toh(s.dw[2 * 9999 + 1]), 9999);
	guest_virgl_stream_reset(&s);
	assert_int_equal(s.len, 0);
	assert_int_equal(guest_virgl_encode_dwords(&s, raw, COUNT(raw)), 0);
	assert_stream(&s, raw, COUNT(raw));
	guest_virgl_stream_fini(&s);
	assert_null(s.dw);
}

struct name_case {
	const char *desc;
	const struct guest_symtab *table;
	const char *name;
	uint64_t value;
};

static const struct name_case name_cases[] = {
	{ "BGRA8 is format 1", &guest_virgl_formats, "B8G8R8A8_UNORM", 1 },
	{ "RGBA8 is format 67", &guest_virgl_formats, "R8G8B8A8_UNORM", 67 },
	{ "prefix may be written", &guest_virgl_formats,
	  "VIRGL_FORMAT_R8G8B8A8_UNORM", 67 },
	{ "case is ignored", &guest_virgl_formats, "b8g8r8x8_unorm", 2 },
	{ "buffer target", &guest_virgl_targets, "PIPE_BUFFER", 0 },
	{ "2D target", &guest_virgl_targets, "PIPE_TEXTURE_2D", 2 },
	{ "cube array target", &guest_virgl_targets, "PIPE_TEXTURE_CUBE_ARRAY",
	  8 },
	{ "render target bind", &guest_virgl_binds, "RENDER_TARGET", 2 },
	{ "sampler view bind", &guest_virgl_binds, "SAMPLER_VIEW", 8 },
	{ "bind prefix", &guest_virgl_binds, "VIRGL_BIND_SCANOUT", 1u << 18 },
	{ "clear colour 0", &guest_virgl_clear_buffers, "COLOR0", 4 },
	{ "clear all colours", &guest_virgl_clear_buffers, "COLOR", 0x3fc },
	{ "persistent map flag", &guest_virgl_resource_flags,
	  "MAP_PERSISTENT", 2 },
};

static void test_virgl_enc_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(name_cases); i++) {
		const struct name_case *c = &name_cases[i];
		const struct guest_sym *s =
			guest_symtab_find(c->table, c->name, strlen(c->name));

		if (!s || s->value != c->value)
			fail_msg("%s: %s gave %s", c->desc, c->name,
				 s ? "a wrong value" : "nothing");
	}
	assert_null(guest_symtab_find(&guest_virgl_formats, "RGBA", 4));
	assert_null(guest_symtab_find(&guest_virgl_formats, "VIRGL_FORMAT_",
				      13));
}

static void test_virgl_enc_format_bpp(void **state)
{
	(void)state;
	assert_int_equal(guest_virgl_format_bpp(1), 4);
	assert_int_equal(guest_virgl_format_bpp(67), 4);
	assert_int_equal(guest_virgl_format_bpp(64), 1);	/* R8 */
	assert_int_equal(guest_virgl_format_bpp(31), 16);	/* RGBA32F */
	assert_int_equal(guest_virgl_format_bpp(105), 0);	/* DXT1 */
	assert_int_equal(guest_virgl_format_bpp(99999), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virgl_enc_setup_matches_facts),
		cmocka_unit_test(test_virgl_enc_clear_matches_facts),
		cmocka_unit_test(test_virgl_enc_header_layout),
		cmocka_unit_test(test_virgl_enc_surface_layers_packed),
		cmocka_unit_test(test_virgl_enc_fb_state_limits),
		cmocka_unit_test(test_virgl_enc_pipe_resource_create),
		cmocka_unit_test(test_virgl_enc_grows_and_resets),
		cmocka_unit_test(test_virgl_enc_names),
		cmocka_unit_test(test_virgl_enc_format_bpp),
	};

	return cmocka_run_group_tests_name("virgl_enc", tests, NULL, NULL);
}
