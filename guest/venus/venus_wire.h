/* SPDX-License-Identifier: MIT */
/*
 * Venus wire primitives shared by the encoder files (venus_enc.c,
 * venus_cmds.c) and the reply decoder (venus_dec.c).  Internal to guest/.
 *
 * Encoding primitives never fail loudly: the first problem is recorded in
 * e->error and later primitives of the same command do nothing;
 * guest_vn__cmd_end() then rewinds the stream to where the command began
 * and returns the error.
 */
#ifndef GUEST_VENUS_WIRE_H
#define GUEST_VENUS_WIRE_H

#include <string.h>

#include "guest/venus/venus_enc.h"

/* Record @err (a negative errno) unless an earlier error is recorded. */
void guest_vn__fail(struct guest_vn_enc *e, int err);
/* @n bytes of @p, then zeros up to the next multiple of 4. */
void guest_vn__put(struct guest_vn_enc *e, const void *p, size_t n);
void guest_vn__u32(struct guest_vn_enc *e, uint32_t v);
void guest_vn__u64(struct guest_vn_enc *e, uint64_t v);

static inline void guest_vn__i32(struct guest_vn_enc *e, int32_t v)
{
	guest_vn__u32(e, (uint32_t)v);
}

static inline void guest_vn__f32(struct guest_vn_enc *e, float v)
{
	uint32_t bits;

	memcpy(&bits, &v, sizeof(bits));
	guest_vn__u32(e, bits);
}

/* An array's element count. */
static inline void guest_vn__array_size(struct guest_vn_enc *e, uint64_t n)
{
	guest_vn__u64(e, n);
}

/* A pointer's presence (count 1 or 0); returns whether @p is non-NULL. */
static inline bool guest_vn__ptr(struct guest_vn_enc *e, const void *p)
{
	guest_vn__u64(e, p ? 1 : 0);
	return p != NULL;
}

/* A handle: its object id, which must not be 0 unless @optional. */
void guest_vn__handle(struct guest_vn_enc *e, uint64_t id, bool optional);
/* A NUL-terminated string: u64 length with the NUL, bytes, padding. */
void guest_vn__string(struct guest_vn_enc *e, const char *s);
/* A counted array of strings (layer or extension names). */
void guest_vn__string_array(struct guest_vn_enc *e, uint32_t count,
			    const char *const *names);
/* A counted array of handles; NULL with @count > 0 is -EINVAL. */
void guest_vn__handle_array(struct guest_vn_enc *e, uint32_t count,
			    const void *const *handles);
/* sType (must be @want: -EINVAL otherwise) and an empty pNext chain
 * (anything else is -EOPNOTSUPP). */
void guest_vn__struct_head(struct guest_vn_enc *e, VkStructureType stype,
			   VkStructureType want, const void *pnext);
/* The pAllocator parameter: always NULL on the wire. */
static inline void guest_vn__no_allocator(struct guest_vn_enc *e)
{
	guest_vn__ptr(e, NULL);
}
/* A required pointer parameter: u64 1, or -EINVAL when @p is NULL. */
bool guest_vn__required(struct guest_vn_enc *e, const void *p);

/* Command framing: type and flags; returns the start offset. */
size_t guest_vn__cmd_begin(struct guest_vn_enc *e, uint32_t type,
			   uint32_t flags);
/* 0, or the recorded error after rewinding to @start. */
int guest_vn__cmd_end(struct guest_vn_enc *e, size_t start);

#endif
