/* SPDX-License-Identifier: MIT */
/*
 * The virgl command stream's opcodes and object types, written once:
 * enum virgl_context_cmd and enum virgl_object_type of virglrenderer's
 * virgl_protocol.h (the same in Mesa's virtio-gpu/virgl_protocol.h), in
 * their order, which fixes their values.  The encoder (virgl_enc.h) uses
 * the constants; `virtgpu-sim decode` names a stream's commands with
 * guest_virgl_ccmd_name().
 */
#ifndef GUEST_VIRGL_CMDS_H
#define GUEST_VIRGL_CMDS_H

#include <stdint.h>

#define GUEST_VIRGL_CCMDS(X)                                            \
	X(NOP) X(CREATE_OBJECT) X(BIND_OBJECT) X(DESTROY_OBJECT)         \
	X(SET_VIEWPORT_STATE) X(SET_FRAMEBUFFER_STATE)                   \
	X(SET_VERTEX_BUFFERS) X(CLEAR) X(DRAW_VBO)                       \
	X(RESOURCE_INLINE_WRITE) X(SET_SAMPLER_VIEWS)                    \
	X(SET_INDEX_BUFFER) X(SET_CONSTANT_BUFFER) X(SET_STENCIL_REF)    \
	X(SET_BLEND_COLOR) X(SET_SCISSOR_STATE) X(BLIT)                  \
	X(RESOURCE_COPY_REGION) X(BIND_SAMPLER_STATES) X(BEGIN_QUERY)    \
	X(END_QUERY) X(GET_QUERY_RESULT) X(SET_POLYGON_STIPPLE)          \
	X(SET_CLIP_STATE) X(SET_SAMPLE_MASK) X(SET_STREAMOUT_TARGETS)    \
	X(SET_RENDER_CONDITION) X(SET_UNIFORM_BUFFER) X(SET_SUB_CTX)     \
	X(CREATE_SUB_CTX) X(DESTROY_SUB_CTX) X(BIND_SHADER)              \
	X(SET_TESS_STATE) X(SET_MIN_SAMPLES) X(SET_SHADER_BUFFERS)       \
	X(SET_SHADER_IMAGES) X(MEMORY_BARRIER) X(LAUNCH_GRID)            \
	X(SET_FRAMEBUFFER_STATE_NO_ATTACH) X(TEXTURE_BARRIER)            \
	X(SET_ATOMIC_BUFFERS) X(SET_DEBUG_FLAGS)                         \
	X(GET_QUERY_RESULT_QBO) X(TRANSFER3D) X(END_TRANSFERS)           \
	X(COPY_TRANSFER3D) X(SET_TWEAKS) X(CLEAR_TEXTURE)                \
	X(PIPE_RESOURCE_CREATE) X(PIPE_RESOURCE_SET_TYPE)                \
	X(GET_MEMORY_INFO) X(SEND_STRING_MARKER) X(LINK_SHADER)

#define GUEST_VIRGL_OBJECTS(X)                                          \
	X(NULL) X(BLEND) X(RASTERIZER) X(DSA) X(SHADER)                  \
	X(VERTEX_ELEMENTS) X(SAMPLER_VIEW) X(SAMPLER_STATE) X(SURFACE)   \
	X(QUERY) X(STREAMOUT_TARGET) X(MSAA_SURFACE)

enum guest_virgl_ccmd {
#define GUEST_VIRGL_CCMD_(N) GUEST_VIRGL_CCMD_##N,
	GUEST_VIRGL_CCMDS(GUEST_VIRGL_CCMD_)
#undef GUEST_VIRGL_CCMD_
	GUEST_VIRGL_CCMD_COUNT
};

enum guest_virgl_object {
#define GUEST_VIRGL_OBJECT_(N) GUEST_VIRGL_OBJECT_##N,
	GUEST_VIRGL_OBJECTS(GUEST_VIRGL_OBJECT_)
#undef GUEST_VIRGL_OBJECT_
	GUEST_VIRGL_OBJECT_COUNT
};

/* Values FACTS.md's known-good stream and virglrenderer 0.10.4 fix. */
_Static_assert(GUEST_VIRGL_CCMD_CLEAR == 7, "CLEAR");
_Static_assert(GUEST_VIRGL_CCMD_SET_SUB_CTX == 28, "SET_SUB_CTX");
_Static_assert(GUEST_VIRGL_CCMD_PIPE_RESOURCE_CREATE == 48, "PIPE_RESOURCE_CREATE");
_Static_assert(GUEST_VIRGL_OBJECT_SURFACE == 8, "SURFACE");

/* "CLEAR" for GUEST_VIRGL_CCMD_CLEAR, NULL past the list. */
const char *guest_virgl_ccmd_name(uint32_t opcode);
/* "SURFACE" for GUEST_VIRGL_OBJECT_SURFACE, NULL past the list. */
const char *guest_virgl_object_name(uint32_t type);

#endif
