// SPDX-License-Identifier: MIT
/*
 * Decoding the virgl capsets (guest/virgl/caps_virgl.h) and the names of their
 * bits, as virglrenderer 0.10.4 defines them (src/virgl_hw.h); bits that
 * newer hosts define are named too, so a newer host still decodes.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "guest/virgl/caps_virgl.h"

#define NBITS(names) (sizeof(names) / sizeof((names)[0]))

/* VIRGL_CAP_*: capability_bits. */
static const char *const cap_names[32] = {
	"TGSI_INVARIANT", "TEXTURE_VIEW", "SET_MIN_SAMPLES", "COPY_IMAGE",
	"TGSI_PRECISE", "TXQS", "MEMORY_BARRIER", "COMPUTE_SHADER",
	"FB_NO_ATTACH", "ROBUST_BUFFER_ACCESS", "TGSI_FBFETCH", "SHADER_CLOCK",
	"TEXTURE_BARRIER", "TGSI_COMPONENTS", "GUEST_MAY_INIT_LOG",
	"SRGB_WRITE_CONTROL", "QBO", "TRANSFER", "FBO_MIXED_COLOR_FORMATS",
	"HOST_IS_GLES", "BIND_COMMAND_ARGS", "MULTI_DRAW_INDIRECT",
	"INDIRECT_PARAMS", "TRANSFORM_FEEDBACK3", "3D_ASTC",
	"INDIRECT_INPUT_ADDR", "COPY_TRANSFER", "CLIP_HALFZ",
	"APP_TWEAK_SUPPORT", "BGRA_SRGB_IS_EMULATED", "CLEAR_TEXTURE",
	"ARB_BUFFER_STORAGE",
};

/* VIRGL_CAP_V2_*: capability_bits_v2.  0.10.4 defines bits 0..10; 11..18
 * came later. */
static const char *const cap_v2_names[] = {
	"BLEND_EQUATION", "UNTYPED_RESOURCE", "VIDEO_MEMORY", "MEMINFO",
	"STRING_MARKER", "DIFFERENT_GPU", "IMPLICIT_MSAA",
	"COPY_TRANSFER_BOTH_DIRECTIONS", "SCANOUT_USES_GBM", "SSO",
	"TEXTURE_SHADOW_LOD", "VS_VERTEX_LAYER", "VS_VIEWPORT_INDEX",
	"PIPELINE_STATISTICS_QUERY", "DRAW_PARAMETERS", "GROUP_VOTE",
	"MIRROR_CLAMP_TO_EDGE", "MIRROR_CLAMP", "RESOURCE_LAYOUT",
};

/* struct virgl_caps_bool_set1, member by member from bit 0: all 32 bits
 * are taken ("DO NOT ADD ANYMORE MEMBERS" upstream). */
static const char *const bset_names[32] = {
	"indep_blend_enable", "indep_blend_func", "cube_map_array",
	"shader_stencil_export", "conditional_render", "start_instance",
	"primitive_restart", "blend_eq_sep", "instanceid",
	"vertex_element_instance_divisor", "seamless_cube_map",
	"occlusion_query", "timer_query", "streamout_pause_resume",
	"texture_multisample", "fragment_coord_conventions",
	"depth_clip_disable", "seamless_cube_map_per_texture", "ubo",
	"color_clamping", "poly_stipple", "mirror_clamp", "texture_query_lod",
	"has_fp64", "has_tessellation_shaders", "has_indirect_draw",
	"has_sample_shading", "has_cull", "conditional_render_inverted",
	"derivative_control", "polygon_offset_clamp",
	"transform_feedback_overflow_query",
};

const char *guest_virgl_cap_name(unsigned bit)
{
	return bit < NBITS(cap_names) ? cap_names[bit] : NULL;
}

const char *guest_virgl_cap_v2_name(unsigned bit)
{
	return bit < NBITS(cap_v2_names) ? cap_v2_names[bit] : NULL;
}

const char *guest_virgl_bset_name(unsigned bit)
{
	return bit < NBITS(bset_names) ? bset_names[bit] : NULL;
}

unsigned guest_virgl_format_count(const struct guest_virgl_format_mask *m)
{
	unsigned n = 0;

	for (size_t i = 0; i < NBITS(m->bitmask); i++)
		n += (unsigned)__builtin_popcount(m->bitmask[i]);
	return n;
}

/* Every field is a little-endian 32-bit word (u32, i32 or float) except
 * the renderer string, which is bytes. */
static void words_to_host(struct guest_virgl_caps_v2 *c)
{
	const size_t str_lo = offsetof(struct guest_virgl_caps_v2, renderer);
	const size_t str_hi = str_lo + sizeof(c->renderer);
	unsigned char *p = (unsigned char *)c;

	for (size_t off = 0; off < sizeof(*c); off += 4) {
		uint32_t w;

		if (off >= str_lo && off < str_hi)
			continue;
		memcpy(&w, p + off, 4);
		w = le32toh(w);
		memcpy(p + off, &w, 4);
	}
}

int guest_virgl_caps_decode(const void *buf, size_t len,
			    struct guest_virgl_caps *out)
{
	if (!buf || len < sizeof(struct guest_virgl_caps_v1))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->size = len;
	memcpy(&out->v2, buf, len < sizeof(out->v2) ? len : sizeof(out->v2));
	words_to_host(&out->v2);
	return 0;
}
