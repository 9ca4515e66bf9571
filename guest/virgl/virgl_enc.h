/* SPDX-License-Identifier: MIT */
/*
 * A small encoder for the virgl (Gallium-over-virtio) command stream that
 * a capset VIRGL/VIRGL2 context accepts in EXECBUFFER.
 *
 * The stream is a sequence of little-endian dwords.  Every command starts
 * with one header dword, (length << 16) | (object type << 8) | opcode, where
 * length counts the payload dwords after the header.  Opcodes, object types
 * and payload layouts are the ones virglrenderer's vrend_decode.c decodes
 * (virgl_protocol.h); FACTS.md holds a dword dump of a known-good stream
 * that tests/test_virgl_enc.c checks these encoders against.
 *
 * Each encoder appends one command and returns 0, -ENOMEM, or -EINVAL for
 * arguments the header cannot express (payload over 0xffff dwords, more
 * colour buffers than the protocol has slots for).  On error the stream is
 * left exactly as it was.
 */
#ifndef GUEST_VIRGL_ENC_H
#define GUEST_VIRGL_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "guest/common/symtab.h"

/* Opcodes (GUEST_VIRGL_CCMD_*) and object types (GUEST_VIRGL_OBJECT_*). */
#include "guest/virgl/virgl_cmds.h"

/* Payload sizes in dwords, header excluded. */
#define GUEST_VIRGL_SUB_CTX_SIZE 1
#define GUEST_VIRGL_SURFACE_SIZE 5
#define GUEST_VIRGL_FB_STATE_SIZE(nr_cbufs) (2 + (nr_cbufs))
#define GUEST_VIRGL_CLEAR_SIZE 8
#define GUEST_VIRGL_PIPE_RES_CREATE_SIZE 11

/* PIPE_MAX_COLOR_BUFS: slots in SET_FRAMEBUFFER_STATE. */
#define GUEST_VIRGL_MAX_CBUFS 8
/* The header's length field is 16 bits wide. */
#define GUEST_VIRGL_MAX_PAYLOAD 0xffffu

#define GUEST_VIRGL_CMD_HEADER(opcode, object, len) \
	(((uint32_t)(len) << 16) | ((uint32_t)(object) << 8) | (uint32_t)(opcode))

/* A growable dword buffer; zero-initialised is a valid empty stream. */
struct guest_virgl_stream {
	uint32_t *dw;		/* little-endian dwords */
	size_t len;		/* dwords in use */
	size_t cap;		/* dwords allocated */
};

void guest_virgl_stream_init(struct guest_virgl_stream *s);
void guest_virgl_stream_fini(struct guest_virgl_stream *s);
/* Forget the contents, keep the allocation. */
void guest_virgl_stream_reset(struct guest_virgl_stream *s);
static inline size_t guest_virgl_stream_bytes(const struct guest_virgl_stream *s)
{
	return s->len * sizeof(uint32_t);
}

/* Raw dwords in host order, appended as they are (for malformed streams). */
int guest_virgl_encode_dwords(struct guest_virgl_stream *s,
			      const uint32_t *dw, size_t n);

int guest_virgl_encode_create_sub_ctx(struct guest_virgl_stream *s,
				      uint32_t sub_ctx_id);
int guest_virgl_encode_set_sub_ctx(struct guest_virgl_stream *s,
				   uint32_t sub_ctx_id);
int guest_virgl_encode_destroy_sub_ctx(struct guest_virgl_stream *s,
				       uint32_t sub_ctx_id);

/* CREATE_OBJECT(SURFACE) for a texture: val0 = level,
 * val1 = first_layer | last_layer << 16. */
struct guest_virgl_surface {
	uint32_t handle;
	uint32_t res_handle;
	uint32_t format;
	uint32_t level;
	uint16_t first_layer;
	uint16_t last_layer;
};
int guest_virgl_encode_create_surface(struct guest_virgl_stream *s,
				      const struct guest_virgl_surface *surf);

struct guest_virgl_framebuffer {
	uint32_t nr_cbufs;	/* at most GUEST_VIRGL_MAX_CBUFS */
	uint32_t zsurf_handle;	/* 0: no depth/stencil surface */
	uint32_t cbufs[GUEST_VIRGL_MAX_CBUFS];
};
int guest_virgl_encode_set_framebuffer_state(
	struct guest_virgl_stream *s, const struct guest_virgl_framebuffer *fb);

struct guest_virgl_clear {
	uint32_t buffers;	/* PIPE_CLEAR_* bits */
	float color[4];
	double depth;
	uint32_t stencil;
};
int guest_virgl_encode_clear(struct guest_virgl_stream *s,
			     const struct guest_virgl_clear *c);

/* PIPE_RESOURCE_CREATE: the host-side resource a HOST3D blob then names
 * by blob_id (RESOURCE_CREATE_BLOB). */
struct guest_virgl_pipe_resource {
	uint32_t target;
	uint32_t format;
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags;
	uint32_t blob_id;
};
int guest_virgl_encode_pipe_resource_create(
	struct guest_virgl_stream *s, const struct guest_virgl_pipe_resource *r);

/*
 * Gallium/virgl names for the scenario language, values from
 * virglrenderer's src/virgl_hw.h and Gallium's p_defines.h:
 *  - formats (enum virgl_formats; aux = bytes per pixel, 0 if not a plain
 *    per-pixel format), prefix "VIRGL_FORMAT_";
 *  - texture targets (enum pipe_texture_target), written "PIPE_TEXTURE_2D";
 *  - bind flags (VIRGL_BIND_*), prefix "VIRGL_BIND_";
 *  - resource flags (VIRGL_RESOURCE_FLAG_*, Y_0_TOP);
 *  - clear buffers (PIPE_CLEAR_*), prefix "PIPE_CLEAR_".
 */
extern const struct guest_symtab guest_virgl_formats;
extern const struct guest_symtab guest_virgl_targets;
extern const struct guest_symtab guest_virgl_binds;
extern const struct guest_symtab guest_virgl_resource_flags;
extern const struct guest_symtab guest_virgl_clear_buffers;

/* Bytes per pixel of a format, or 0 when unknown or block-compressed. */
unsigned guest_virgl_format_bpp(uint32_t format);

#endif
