/* SPDX-License-Identifier: MIT */
/*
 * virgl command stream encoders.  Layouts follow virglrenderer's decoder
 * (vrend_decode.c) for the 0.10.4 protocol; see virgl_enc.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest/virgl/virgl_enc.h"

void guest_virgl_stream_init(struct guest_virgl_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void guest_virgl_stream_fini(struct guest_virgl_stream *s)
{
	free(s->dw);
	memset(s, 0, sizeof(*s));
}

void guest_virgl_stream_reset(struct guest_virgl_stream *s)
{
	s->len = 0;
}

/* Make room for @n more dwords. */
static int stream_reserve(struct guest_virgl_stream *s, size_t n)
{
	size_t want, cap;
	uint32_t *dw;

	if (n > SIZE_MAX / sizeof(uint32_t) - s->len)
		return -ENOMEM;
	want = s->len + n;
	if (want <= s->cap)
		return 0;
	cap = s->cap ? s->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 / sizeof(uint32_t) ? want : cap * 2;
	dw = realloc(s->dw, cap * sizeof(uint32_t));
	if (!dw)
		return -ENOMEM;
	s->dw = dw;
	s->cap = cap;
	return 0;
}

/* Callers have reserved the room. */
static void put(struct guest_virgl_stream *s, uint32_t v)
{
	s->dw[s->len++] = htole32(v);
}

static void put_float(struct guest_virgl_stream *s, float f)
{
	uint32_t v;

	memcpy(&v, &f, sizeof(v));
	put(s, v);
}

/* A double travels as two dwords, low half first. */
static void put_double(struct guest_virgl_stream *s, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	put(s, (uint32_t)v);
	put(s, (uint32_t)(v >> 32));
}

static int begin_cmd(struct guest_virgl_stream *s, uint32_t opcode,
		     uint32_t object, size_t len)
{
	int ret;

	if (len > GUEST_VIRGL_MAX_PAYLOAD)
		return -EINVAL;
	ret = stream_reserve(s, len + 1);
	if (ret)
		return ret;
	put(s, GUEST_VIRGL_CMD_HEADER(opcode, object, len));
	return 0;
}

int guest_virgl_encode_dwords(struct guest_virgl_stream *s,
			      const uint32_t *dw, size_t n)
{
	int ret = stream_reserve(s, n);

	if (ret)
		return ret;
	for (size_t i = 0; i < n; i++)
		put(s, dw[i]);
	return 0;
}

static int encode_sub_ctx(struct guest_virgl_stream *s, uint32_t opcode,
			  uint32_t id)
{
	int ret = begin_cmd(s, opcode, 0, GUEST_VIRGL_SUB_CTX_SIZE);

	if (ret)
		return ret;
	put(s, id);
	return 0;
}

int guest_virgl_encode_create_sub_ctx(struct guest_virgl_stream *s,
				      uint32_t sub_ctx_id)
{
	return encode_sub_ctx(s, GUEST_VIRGL_CCMD_CREATE_SUB_CTX, sub_ctx_id);
}

int guest_virgl_encode_set_sub_ctx(struct guest_virgl_stream *s,
				   uint32_t sub_ctx_id)
{
	return encode_sub_ctx(s, GUEST_VIRGL_CCMD_SET_SUB_CTX, sub_ctx_id);
}

int guest_virgl_encode_destroy_sub_ctx(struct guest_virgl_stream *s,
				       uint32_t sub_ctx_id)
{
	return encode_sub_ctx(s, GUEST_VIRGL_CCMD_DESTROY_SUB_CTX, sub_ctx_id);
}

int guest_virgl_encode_create_surface(struct guest_virgl_stream *s,
				      const struct guest_virgl_surface *surf)
{
	int ret = begin_cmd(s, GUEST_VIRGL_CCMD_CREATE_OBJECT,
			    GUEST_VIRGL_OBJECT_SURFACE,
			    GUEST_VIRGL_SURFACE_SIZE);

	if (ret)
		return ret;
	put(s, surf->handle);
	put(s, surf->res_handle);
	put(s, surf->format);
	put(s, surf->level);
	put(s, (uint32_t)surf->first_layer | (uint32_t)surf->last_layer << 16);
	return 0;
}

int guest_virgl_encode_set_framebuffer_state(
	struct guest_virgl_stream *s, const struct guest_virgl_framebuffer *fb)
{
	int ret;

	if (fb->nr_cbufs > GUEST_VIRGL_MAX_CBUFS)
		return -EINVAL;
	ret = begin_cmd(s, GUEST_VIRGL_CCMD_SET_FRAMEBUFFER_STATE, 0,
			GUEST_VIRGL_FB_STATE_SIZE(fb->nr_cbufs));
	if (ret)
		return ret;
	put(s, fb->nr_cbufs);
	put(s, fb->zsurf_handle);
	for (uint32_t i = 0; i < fb->nr_cbufs; i++)
		put(s, fb->cbufs[i]);
	return 0;
}

int guest_virgl_encode_clear(struct guest_virgl_stream *s,
			     const struct guest_virgl_clear *c)
{
	int ret = begin_cmd(s, GUEST_VIRGL_CCMD_CLEAR, 0,
			    GUEST_VIRGL_CLEAR_SIZE);

	if (ret)
		return ret;
	put(s, c->buffers);
	for (int i = 0; i < 4; i++)
		put_float(s, c->color[i]);
	put_double(s, c->depth);
	put(s, c->stencil);
	return 0;
}

int guest_virgl_encode_pipe_resource_create(
	struct guest_virgl_stream *s, const struct guest_virgl_pipe_resource *r)
{
	int ret = begin_cmd(s, GUEST_VIRGL_CCMD_PIPE_RESOURCE_CREATE, 0,
			    GUEST_VIRGL_PIPE_RES_CREATE_SIZE);

	if (ret)
		return ret;
	put(s, r->target);
	put(s, r->format);
	put(s, r->bind);
	put(s, r->width);
	put(s, r->height);
	put(s, r->depth);
	put(s, r->array_size);
	put(s, r->last_level);
	put(s, r->nr_samples);
	put(s, r->flags);
	put(s, r->blob_id);
	return 0;
}

/* enum virgl_formats (virglrenderer src/virgl_hw.h); aux = bytes/pixel. */
static const struct guest_sym formats[] = {
	{ "B8G8R8A8_UNORM", 1, 4 },	{ "B8G8R8X8_UNORM", 2, 4 },
	{ "A8R8G8B8_UNORM", 3, 4 },	{ "X8R8G8B8_UNORM", 4, 4 },
	{ "B5G5R5A1_UNORM", 5, 2 },	{ "B4G4R4A4_UNORM", 6, 2 },
	{ "B5G6R5_UNORM", 7, 2 },	{ "R10G10B10A2_UNORM", 8, 4 },
	{ "L8_UNORM", 9, 1 },		{ "A8_UNORM", 10, 1 },
	{ "I8_UNORM", 11, 1 },		{ "L8A8_UNORM", 12, 2 },
	{ "L16_UNORM", 13, 2 },		{ "Z16_UNORM", 16, 2 },
	{ "Z32_UNORM", 17, 4 },		{ "Z32_FLOAT", 18, 4 },
	{ "Z24_UNORM_S8_UINT", 19, 4 },	{ "S8_UINT_Z24_UNORM", 20, 4 },
	{ "Z24X8_UNORM", 21, 4 },	{ "X8Z24_UNORM", 22, 4 },
	{ "S8_UINT", 23, 1 },		{ "R64_FLOAT", 24, 8 },
	{ "R64G64_FLOAT", 25, 16 },	{ "R64G64B64_FLOAT", 26, 24 },
	{ "R64G64B64A64_FLOAT", 27, 32 }, { "R32_FLOAT", 28, 4 },
	{ "R32G32_FLOAT", 29, 8 },	{ "R32G32B32_FLOAT", 30, 12 },
	{ "R32G32B32A32_FLOAT", 31, 16 }, { "R32_UNORM", 32, 4 },
	{ "R32G32_UNORM", 33, 8 },	{ "R32G32B32_UNORM", 34, 12 },
	{ "R32G32B32A32_UNORM", 35, 16 }, { "R16_UNORM", 48, 2 },
	{ "R16G16_UNORM", 49, 4 },	{ "R16G16B16_UNORM", 50, 6 },
	{ "R16G16B16A16_UNORM", 51, 8 }, { "R16_SNORM", 56, 2 },
	{ "R16G16_SNORM", 57, 4 },	{ "R16G16B16_SNORM", 58, 6 },
	{ "R16G16B16A16_SNORM", 59, 8 }, { "R8_UNORM", 64, 1 },
	{ "R8G8_UNORM", 65, 2 },	{ "R8G8B8_UNORM", 66, 3 },
	{ "R8G8B8A8_UNORM", 67, 4 },	{ "X8B8G8R8_UNORM", 68, 4 },
	{ "R8_SNORM", 74, 1 },		{ "R8G8_SNORM", 75, 2 },
	{ "R8G8B8_SNORM", 76, 3 },	{ "R8G8B8A8_SNORM", 77, 4 },
	{ "R16_FLOAT", 91, 2 },		{ "R16G16_FLOAT", 92, 4 },
	{ "R16G16B16_FLOAT", 93, 6 },	{ "R16G16B16A16_FLOAT", 94, 8 },
	{ "L8_SRGB", 95, 1 },		{ "L8A8_SRGB", 96, 2 },
	{ "R8G8B8_SRGB", 97, 3 },	{ "A8B8G8R8_SRGB", 98, 4 },
	{ "X8B8G8R8_SRGB", 99, 4 },	{ "B8G8R8A8_SRGB", 100, 4 },
	{ "B8G8R8X8_SRGB", 101, 4 },	{ "A8R8G8B8_SRGB", 102, 4 },
	{ "X8R8G8B8_SRGB", 103, 4 },	{ "R8G8B8A8_SRGB", 104, 4 },
	{ "DXT1_RGB", 105, 0 },		{ "DXT1_RGBA", 106, 0 },
	{ "DXT3_RGBA", 107, 0 },	{ "DXT5_RGBA", 108, 0 },
	{ "A8B8G8R8_UNORM", 121, 4 },	{ "B5G5R5X1_UNORM", 122, 2 },
	{ "R11G11B10_FLOAT", 124, 4 },	{ "R9G9B9E5_FLOAT", 125, 4 },
	{ "Z32_FLOAT_S8X24_UINT", 126, 8 }, { "B10G10R10A2_UNORM", 131, 4 },
	{ "R8G8B8X8_UNORM", 134, 4 },	{ "B4G4R4X4_UNORM", 135, 2 },
	{ "R8_UINT", 177, 1 },		{ "R8G8_UINT", 178, 2 },
	{ "R8G8B8_UINT", 179, 3 },	{ "R8G8B8A8_UINT", 180, 4 },
	{ "R8_SINT", 181, 1 },		{ "R8G8_SINT", 182, 2 },
	{ "R8G8B8_SINT", 183, 3 },	{ "R8G8B8A8_SINT", 184, 4 },
	{ "R16_UINT", 185, 2 },		{ "R16G16_UINT", 186, 4 },
	{ "R16G16B16_UINT", 187, 6 },	{ "R16G16B16A16_UINT", 188, 8 },
	{ "R16_SINT", 189, 2 },		{ "R16G16_SINT", 190, 4 },
	{ "R16G16B16_SINT", 191, 6 },	{ "R16G16B16A16_SINT", 192, 8 },
	{ "R32_UINT", 193, 4 },		{ "R32G32_UINT", 194, 8 },
	{ "R32G32B32_UINT", 195, 12 },	{ "R32G32B32A32_UINT", 196, 16 },
	{ "R32_SINT", 197, 4 },		{ "R32G32_SINT", 198, 8 },
	{ "R32G32B32_SINT", 199, 12 },	{ "R32G32B32A32_SINT", 200, 16 },
	{ "B10G10R10A2_UINT", 225, 4 },	{ "ETC1_RGB8", 226, 0 },
	{ "R8G8B8X8_SNORM", 229, 4 },	{ "R8G8B8X8_SRGB", 230, 4 },
	{ "R8G8B8X8_UINT", 231, 4 },	{ "R8G8B8X8_SINT", 232, 4 },
	{ "B10G10R10X2_UNORM", 233, 4 }, { "R16G16B16X16_UNORM", 234, 8 },
	{ "R16G16B16X16_FLOAT", 236, 8 }, { "R32G32B32X32_FLOAT", 239, 16 },
	{ "R10G10B10A2_UINT", 253, 4 },	{ "B5G6R5_SRGB", 254, 2 },
	{ "R10G10B10X2_UNORM", 308, 4 }, { "A4B4G4R4_UNORM", 311, 2 },
	{ "R8_SRGB", 312, 1 },
};

const struct guest_symtab guest_virgl_formats = {
	"a virgl format name (B8G8R8A8_UNORM, R8G8B8A8_UNORM, ...)",
	"VIRGL_FORMAT_", formats, sizeof(formats) / sizeof(formats[0]),
};

/* enum pipe_texture_target (Gallium p_defines.h). */
static const struct guest_sym targets[] = {
	{ "PIPE_BUFFER", 0, 0 },	{ "PIPE_TEXTURE_1D", 1, 0 },
	{ "PIPE_TEXTURE_2D", 2, 0 },	{ "PIPE_TEXTURE_3D", 3, 0 },
	{ "PIPE_TEXTURE_CUBE", 4, 0 },	{ "PIPE_TEXTURE_RECT", 5, 0 },
	{ "PIPE_TEXTURE_1D_ARRAY", 6, 0 }, { "PIPE_TEXTURE_2D_ARRAY", 7, 0 },
	{ "PIPE_TEXTURE_CUBE_ARRAY", 8, 0 },
};

const struct guest_symtab guest_virgl_targets = {
	"a PIPE texture target (PIPE_BUFFER, PIPE_TEXTURE_2D, ...)",
	NULL, targets, sizeof(targets) / sizeof(targets[0]),
};

/* VIRGL_BIND_* (virglrenderer src/virgl_hw.h). */
static const struct guest_sym binds[] = {
	{ "DEPTH_STENCIL", 1u << 0, 0 },   { "RENDER_TARGET", 1u << 1, 0 },
	{ "SAMPLER_VIEW", 1u << 3, 0 },	   { "VERTEX_BUFFER", 1u << 4, 0 },
	{ "INDEX_BUFFER", 1u << 5, 0 },	   { "CONSTANT_BUFFER", 1u << 6, 0 },
	{ "DISPLAY_TARGET", 1u << 7, 0 },  { "COMMAND_ARGS", 1u << 8, 0 },
	{ "STREAM_OUTPUT", 1u << 11, 0 },  { "SHADER_BUFFER", 1u << 14, 0 },
	{ "QUERY_BUFFER", 1u << 15, 0 },   { "CURSOR", 1u << 16, 0 },
	{ "CUSTOM", 1u << 17, 0 },	   { "SCANOUT", 1u << 18, 0 },
	{ "STAGING", 1u << 19, 0 },	   { "SHARED", 1u << 20, 0 },
	{ "LINEAR", 1u << 22, 0 },
};

const struct guest_symtab guest_virgl_binds = {
	"a VIRGL_BIND flag (RENDER_TARGET, SAMPLER_VIEW, ...)",
	"VIRGL_BIND_", binds, sizeof(binds) / sizeof(binds[0]),
};

/* VIRGL_RESOURCE_Y_0_TOP and VIRGL_RESOURCE_FLAG_MAP_* (virgl_hw.h). */
static const struct guest_sym resource_flags[] = {
	{ "Y_0_TOP", 1u << 0, 0 },
	{ "MAP_PERSISTENT", 1u << 1, 0 },
	{ "MAP_COHERENT", 1u << 2, 0 },
};

const struct guest_symtab guest_virgl_resource_flags = {
	"a virgl resource flag (Y_0_TOP, MAP_PERSISTENT, MAP_COHERENT)",
	"VIRGL_RESOURCE_FLAG_", resource_flags,
	sizeof(resource_flags) / sizeof(resource_flags[0]),
};

/* PIPE_CLEAR_* (Gallium p_defines.h). */
static const struct guest_sym clear_buffers[] = {
	{ "DEPTH", 1u << 0, 0 },	{ "STENCIL", 1u << 1, 0 },
	{ "COLOR0", 1u << 2, 0 },	{ "COLOR1", 1u << 3, 0 },
	{ "COLOR2", 1u << 4, 0 },	{ "COLOR3", 1u << 5, 0 },
	{ "COLOR4", 1u << 6, 0 },	{ "COLOR5", 1u << 7, 0 },
	{ "COLOR6", 1u << 8, 0 },	{ "COLOR7", 1u << 9, 0 },
	{ "COLOR", 0xffu << 2, 0 },	{ "DEPTHSTENCIL", 3, 0 },
};

const struct guest_symtab guest_virgl_clear_buffers = {
	"a PIPE_CLEAR flag (COLOR0, DEPTH, STENCIL, COLOR, DEPTHSTENCIL)",
	"PIPE_CLEAR_", clear_buffers,
	sizeof(clear_buffers) / sizeof(clear_buffers[0]),
};

unsigned guest_virgl_format_bpp(uint32_t format)
{
	const struct guest_sym *s =
		guest_symtab_find_value(&guest_virgl_formats, format);

	return s ? s->aux : 0;
}

const char *guest_virgl_ccmd_name(uint32_t opcode)
{
	static const char *const names[] = {
#define NAME(N) #N,
		GUEST_VIRGL_CCMDS(NAME)
#undef NAME
	};
	return opcode < GUEST_VIRGL_CCMD_COUNT ? names[opcode] : NULL;
}

const char *guest_virgl_object_name(uint32_t type)
{
	static const char *const names[] = {
#define NAME(N) #N,
		GUEST_VIRGL_OBJECTS(NAME)
#undef NAME
	};
	return type < GUEST_VIRGL_OBJECT_COUNT ? names[type] : NULL;
}
