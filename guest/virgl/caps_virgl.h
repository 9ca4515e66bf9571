/* SPDX-License-Identifier: MIT */
/*
 * The virgl capsets as a guest reads them with DRM_IOCTL_VIRTGPU_GET_CAPS:
 * capset 1 (VIRGL) holds the version-1 layout, capset 2 (VIRGL2) the
 * version-2 layout, which starts with version 1 and only ever grows at its
 * end.  The layouts are the wire format virglrenderer 0.10.4 writes
 * (src/virgl_hw.h: struct virgl_caps_v1, struct virgl_caps_v2), declared
 * here with our own names; every field is a little-endian 32-bit word
 * except the renderer string.  The asserts pin the sizes the 0.10.4 host
 * reports (308 and 1376 bytes) and the offsets the printer relies on.
 */
#ifndef GUEST_CAPS_VIRGL_H
#define GUEST_CAPS_VIRGL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One bit per gallium format (enum pipe_format), 512 formats. */
struct guest_virgl_format_mask {
	uint32_t bitmask[16];
};

struct guest_virgl_caps_v1 {
	uint32_t max_version;
	struct guest_virgl_format_mask sampler;
	struct guest_virgl_format_mask render;
	struct guest_virgl_format_mask depthstencil;
	struct guest_virgl_format_mask vertexbuffer;
	/* A bit-field struct upstream (struct virgl_caps_bool_set1): its
	 * first member is bit 0 of this word (the x86-64 and AArch64 ABIs
	 * allocate bit-fields from the least significant bit). */
	uint32_t bset;
	uint32_t glsl_level;
	uint32_t max_texture_array_layers;
	uint32_t max_streamout_buffers;
	uint32_t max_dual_source_render_targets;
	uint32_t max_render_targets;
	uint32_t max_samples;
	uint32_t prim_mask;		/* 1 << PIPE_PRIM_* */
	uint32_t max_tbo_size;
	uint32_t max_uniform_blocks;
	uint32_t max_viewports;
	uint32_t max_texture_gather_components;
};

struct guest_virgl_caps_v2 {
	struct guest_virgl_caps_v1 v1;
	float min_aliased_point_size;
	float max_aliased_point_size;
	float min_smooth_point_size;
	float max_smooth_point_size;
	float min_aliased_line_width;
	float max_aliased_line_width;
	float min_smooth_line_width;
	float max_smooth_line_width;
	float max_texture_lod_bias;
	uint32_t max_geom_output_vertices;
	uint32_t max_geom_total_output_components;
	uint32_t max_vertex_outputs;
	uint32_t max_vertex_attribs;
	uint32_t max_shader_patch_varyings;
	int32_t min_texel_offset;
	int32_t max_texel_offset;
	int32_t min_texture_gather_offset;
	int32_t max_texture_gather_offset;
	uint32_t texture_buffer_offset_alignment;
	uint32_t uniform_buffer_offset_alignment;
	uint32_t shader_buffer_offset_alignment;
	uint32_t capability_bits;	/* GUEST_VIRGL_CAP names */
	uint32_t sample_locations[8];
	uint32_t max_vertex_attrib_stride;
	uint32_t max_shader_buffer_frag_compute;
	uint32_t max_shader_buffer_other_stages;
	uint32_t max_shader_image_frag_compute;
	uint32_t max_shader_image_other_stages;
	uint32_t max_image_samples;
	uint32_t max_compute_work_group_invocations;
	uint32_t max_compute_shared_memory_size;
	uint32_t max_compute_grid_size[3];
	uint32_t max_compute_block_size[3];
	uint32_t max_texture_2d_size;
	uint32_t max_texture_3d_size;
	uint32_t max_texture_cube_size;
	uint32_t max_combined_shader_buffers;
	uint32_t max_atomic_counters[6];
	uint32_t max_atomic_counter_buffers[6];
	uint32_t max_combined_atomic_counters;
	uint32_t max_combined_atomic_counter_buffers;
	uint32_t host_feature_check_version;
	struct guest_virgl_format_mask supported_readback_formats;
	struct guest_virgl_format_mask scanout;
	uint32_t capability_bits_v2;	/* GUEST_VIRGL_CAP_V2 names */
	uint32_t max_video_memory;	/* MiB */
	char renderer[64];		/* NUL-terminated when shorter */
	float max_anisotropy;
	uint32_t max_texture_image_units;
	struct guest_virgl_format_mask supported_multisample_formats;
	uint32_t max_const_buffer_size[6];	/* per PIPE_SHADER_* stage */
	uint32_t num_video_caps;
	uint32_t video_caps[32][4];	/* struct virgl_video_caps (opaque) */
	uint32_t max_uniform_block_size;
};

_Static_assert(offsetof(struct guest_virgl_caps_v1, sampler) == 4, "v1");
_Static_assert(offsetof(struct guest_virgl_caps_v1, bset) == 260, "v1");
_Static_assert(offsetof(struct guest_virgl_caps_v1, glsl_level) == 264, "v1");
_Static_assert(offsetof(struct guest_virgl_caps_v1,
			max_texture_gather_components) == 304, "v1");
_Static_assert(sizeof(struct guest_virgl_caps_v1) == 308, "capset 1 size");
_Static_assert(offsetof(struct guest_virgl_caps_v2,
			min_aliased_point_size) == 308, "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2, capability_bits) == 392,
	       "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2, max_texture_2d_size) ==
	       484, "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2,
			host_feature_check_version) == 556, "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2, capability_bits_v2) ==
	       688, "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2, renderer) == 696, "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2, num_video_caps) == 856,
	       "v2");
_Static_assert(offsetof(struct guest_virgl_caps_v2, max_uniform_block_size) ==
	       1372, "v2");
_Static_assert(sizeof(struct guest_virgl_caps_v2) == 1376, "capset 2 size");

/* A decoded capset, in host byte order. */
struct guest_virgl_caps {
	size_t size;	/* bytes the capset held, >= sizeof v1 */
	/* v2.v1 is always valid; a v2 field is valid only when the capset
	 * reached it (GUEST_VIRGL_CAPS_HAS), else it reads 0.  A capset 1
	 * buffer has v1 only. */
	struct guest_virgl_caps_v2 v2;
};

/* Whether the capset was long enough to hold v2 @field. */
#define GUEST_VIRGL_CAPS_HAS(caps, field)                            \
	(offsetof(struct guest_virgl_caps_v2, field) +                 \
		 sizeof(((struct guest_virgl_caps_v2 *)0)->field) <=   \
	 (caps)->size)

/*
 * Decode @len bytes of a virgl capset (1 or 2).  Returns 0, or -EINVAL
 * when @len is below the version-1 size.  Bytes past the version-2 layout
 * (a newer host) are ignored.
 */
int guest_virgl_caps_decode(const void *buf, size_t len,
			    struct guest_virgl_caps *out);

/* Names of capability_bits (VIRGL_CAP_*), capability_bits_v2
 * (VIRGL_CAP_V2_*) and bset bits (struct virgl_caps_bool_set1 members)
 * without their prefix; NULL for a bit without a name. */
const char *guest_virgl_cap_name(unsigned bit);
const char *guest_virgl_cap_v2_name(unsigned bit);
const char *guest_virgl_bset_name(unsigned bit);

/* How many formats a mask marks as supported. */
unsigned guest_virgl_format_count(const struct guest_virgl_format_mask *m);

#endif
