/* SPDX-License-Identifier: MIT */
/*
 * The venus decoder's schema: each command's parameters and each struct's
 * members as the venus protocol serializes them, generated at build time
 * by vmm/gen_venus_schema.py from the Vulkan registry (vk.xml), the
 * command ids of guest/venus/venus_cmd_ids.def and the transport commands
 * and structs of VK_MESA_venus_protocol it declares itself.  Private to vmm/
 * (decode_venus.c walks a stream with it).
 *
 * The wire rules the kinds and shapes stand for (venus-protocol, as
 * virglrenderer's src/venus decodes them; docs/capture.md):
 *  - everything is little endian and padded to 4 bytes;
 *  - 32-bit scalars (uint32_t, int32_t, float, VkBool32, enums, VkFlags)
 *    take 4 bytes; 64-bit ones (uint64_t, VkDeviceSize, size_t, VkFlags64)
 *    and handles (the guest-chosen object id) take 8;
 *  - a pointer is a u64 1 (present) or 0 (NULL) and then the element; an
 *    array (a pointer with a length, or a fixed-size array) is a u64
 *    element count and then the elements, bytes packed and padded;
 *  - a string is a u64 length counting the NUL, then the bytes, padded;
 *  - a union is a u32 tag, the index of its member, then that member;
 *  - a struct with sType is the u32 sType, its pNext chain, then its
 *    fields; a pNext chain is a u64 1 and the next struct (its sType
 *    first) or a u64 0;
 *  - an output struct travels "partial": its sType and pNext chain, the
 *    sizes of its fixed arrays of structs and the partial encoding of the
 *    structs it holds, nothing else; an output scalar only as a pointer's
 *    presence (or an array's count); output handles are sent (the guest
 *    chooses them) and in/out counts too.
 */
#ifndef VMM_VENUS_SCHEMA_H
#define VMM_VENUS_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

enum vmm_vn_kind {
	VMM_VN_U32,
	VMM_VN_U64,
	VMM_VN_BYTE,		/* an element of a byte array (char, uint8_t, void) */
	VMM_VN_HANDLE,
	VMM_VN_STRUCT,
	VMM_VN_UNION,
	VMM_VN_STRING,		/* const char *, null-terminated */
	VMM_VN_STYPE,
	VMM_VN_PNEXT,
	VMM_VN_OPAQUE,		/* a type the protocol's rules above do not size */
};

enum vmm_vn_shape {
	VMM_VN_VALUE,		/* the element itself */
	VMM_VN_POINTER,		/* u64 presence, then the element */
	VMM_VN_ARRAY,		/* u64 count, then the elements */
	VMM_VN_FIXED,		/* a fixed-size array: u64 count, the elements */
};

/* Flags of a command parameter that is an output. */
#define VMM_VN_PARTIAL 0x1	/* output structs: the partial encoding */
#define VMM_VN_PRESENCE 0x2	/* output scalars: presence or count only */

struct vmm_vn_member {
	const char *name;
	const char *type;	/* the Vulkan type, for messages */
	uint8_t kind, shape, flags;
	uint16_t index;		/* VMM_VN_STRUCT / _UNION: its row */
};

struct vmm_vn_struct {
	const char *name;
	uint32_t stype;		/* its VkStructureType, when has_stype */
	bool has_stype, is_union;
	uint32_t first, count;	/* its members in vmm_vn_members */
};

struct vmm_vn_command {
	uint32_t id;		/* VkCommandTypeEXT */
	const char *name;
	uint32_t first, count;	/* its parameters in vmm_vn_members */
	bool sized;		/* false: newer than the build's vk.xml */
};

extern const struct vmm_vn_member vmm_vn_members[];
extern const struct vmm_vn_struct vmm_vn_structs[];
extern const uint32_t vmm_vn_struct_count;
/* Sorted by id. */
extern const struct vmm_vn_command vmm_vn_commands[];
extern const uint32_t vmm_vn_command_count;

#endif
