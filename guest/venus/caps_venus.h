/* SPDX-License-Identifier: MIT */
/*
 * The venus capset (capset 4) as a guest reads it with
 * DRM_IOCTL_VIRTGPU_GET_CAPS: the wire format virglrenderer 0.10.4 writes
 * (src/venus_hw.h: struct virgl_renderer_capset_venus, 156 bytes),
 * declared here with our own names.  The capset only grows at its end:
 * newer hosts append use_guest_vram, older ones stop earlier, so every
 * field is valid only when the capset reached it (GUEST_VENUS_CAPS_HAS).
 * All fields are little-endian 32-bit words.
 */
#ifndef GUEST_CAPS_VENUS_H
#define GUEST_CAPS_VENUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_venus_caps_wire {
	uint32_t wire_format_version;
	uint32_t vk_xml_version;	/* VK_MAKE_API_VERSION encoding */
	uint32_t vk_ext_command_serialization_spec_version;
	uint32_t vk_mesa_venus_protocol_spec_version;
	/* The renderer can map a blob_id 0 blob before it is attached: set
	 * with the render server in 0.10.4 (FACTS.md). */
	uint32_t supports_blob_id_0;
	/* Vulkan extension number N is bit N % 32 of word N / 32; bit 0 of
	 * word 0 (there is no extension 0) says the mask is valid at all. */
	uint32_t vk_extension_mask1[32];
	uint32_t allow_vk_wait_syncs;
	uint32_t supports_multiple_timelines;
	uint32_t use_guest_vram;	/* after 0.10.4 */
};

_Static_assert(offsetof(struct guest_venus_caps_wire, supports_blob_id_0) ==
	       16, "venus");
_Static_assert(offsetof(struct guest_venus_caps_wire, allow_vk_wait_syncs) ==
	       148, "venus");
_Static_assert(offsetof(struct guest_venus_caps_wire,
			supports_multiple_timelines) == 152, "venus");
_Static_assert(offsetof(struct guest_venus_caps_wire, use_guest_vram) == 156,
	       "0.10.4's capset ends before use_guest_vram");
_Static_assert(sizeof(struct guest_venus_caps_wire) == 160, "venus");

/* A decoded capset in host byte order; fields past @size read 0. */
struct guest_venus_caps {
	size_t size;
	struct guest_venus_caps_wire w;
};

#define GUEST_VENUS_CAPS_HAS(caps, field)                              \
	(offsetof(struct guest_venus_caps_wire, field) +                 \
		 sizeof(((struct guest_venus_caps_wire *)0)->field) <=   \
	 (caps)->size)

/* The parts of a Vulkan version number (Vulkan 1.3 "API Version Numbers
 * and Semantics": variant 31:29, major 28:22, minor 21:12, patch 11:0). */
#define GUEST_VK_VERSION_VARIANT(v) ((uint32_t)(v) >> 29)
#define GUEST_VK_VERSION_MAJOR(v) (((uint32_t)(v) >> 22) & 0x7fu)
#define GUEST_VK_VERSION_MINOR(v) (((uint32_t)(v) >> 12) & 0x3ffu)
#define GUEST_VK_VERSION_PATCH(v) ((uint32_t)(v) & 0xfffu)

/*
 * Decode @len bytes of capset 4.  Returns 0, or -EINVAL when @len does
 * not hold even wire_format_version.
 */
int guest_venus_caps_decode(const void *buf, size_t len,
			    struct guest_venus_caps *out);

/* Whether the extension mask is valid, and how many extensions it marks
 * (0 when invalid or absent). */
bool guest_venus_caps_extension_mask_valid(const struct guest_venus_caps *c);
unsigned guest_venus_caps_extension_count(const struct guest_venus_caps *c);

#endif
