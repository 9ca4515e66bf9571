/* SPDX-License-Identifier: MIT */
/*
 * Venus from guest userspace: a session is one venus context (a render
 * node file initialised with CONTEXT_INIT capset VENUS) with its reply
 * stream, and the flows built on it that the scenario interpreter and the
 * tests run.  Everything reaches the stack through km_ioctl / km_mmap only.
 *
 * Errors: every function returns 0 or a negative errno; the session keeps
 * a one-line message saying what failed (guest_vn_session_error), e.g.
 *   "vkCreateInstance returned VK_ERROR_INCOMPATIBLE_DRIVER (-9)"
 *   "vkGetPhysicalDeviceProperties: reply byte 40: deviceName: count 12,
 *    expected 256"
 *   "no reply to vkCreateDevice: the host did not process the stream (the
 *    context is lost)"
 *   "mapping the memory blob (resource 5, 65536 bytes): km_mmap failed:
 *    Invalid argument (the device did not map it: RESOURCE_MAP_BLOB
 *    failed)"
 * Errno values: -EIO a Vulkan call failed (VkResult < 0) or the host gave
 * no reply, -EPROTO a malformed reply, -ETIME a fence did not signal in
 * time, -ENOTCONN the context was lost earlier, -ENODEV no usable physical
 * device / memory type / queue, -EBUSY the step needs an earlier step
 * (guest_vn_device_create before guest_vn_instance_create, ...), and the
 * ioctl's own errno for a refused ioctl.
 *
 * A session is used by one thread at a time.  Per-command _call_ and
 * _async_ functions are in guest/venus/venus_calls.h.
 */
#ifndef GUEST_VENUS_H
#define GUEST_VENUS_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

struct km_file;
struct guest_vn_session;

/* The venus capset (capset id 4, version 0) as virglrenderer 0.10.4 fills
 * it: 156 bytes. */
struct guest_vn_capset {
	uint32_t wire_format_version;
	uint32_t vk_xml_version;
	uint32_t vk_ext_command_serialization_spec_version;
	uint32_t vk_mesa_venus_protocol_spec_version;
	uint32_t supports_blob_id_0;
	uint32_t vk_extension_mask1[32];
	uint32_t allow_vk_wait_syncs;
	uint32_t supports_multiple_timelines;
};
_Static_assert(sizeof(struct guest_vn_capset) == 156, "venus capset");

/* GET_CAPS of capset VENUS on @file; the ioctl's errno on failure. */
int guest_vn_capset_query(struct km_file *file, struct guest_vn_capset *out);

struct guest_vn_session_options {
	uint32_t reply_size;	/* reply blob bytes, whole pages; 0 = 64 KiB */
	int timeout_ms;		/* each fence wait; 0 = 10000 */
	/* If set, a failed guest_vn_session_create leaves its message here
	 * (the session, and its message, are gone by then). */
	char *error;
	size_t error_size;
};

/*
 * Make @file's context a venus context and set up its reply stream:
 * CONTEXT_INIT {CAPSET_ID = VENUS, NUM_RINGS = 1}; a MAPPABLE HOST3D blob
 * with blob_id 0, mapped with MAP + km_mmap; vkSetReplyCommandStreamMESA
 * naming it; then vkEnumerateInstanceVersion as a first round trip.
 * @file must not have a context yet (-EEXIST) and stays the caller's:
 * destroy the session before closing it.  @opts may be NULL.
 */
int guest_vn_session_create(struct km_file *file,
			    const struct guest_vn_session_options *opts,
			    struct guest_vn_session **out);
/* Destroys what the flows created (device, instance), unmaps and closes
 * the reply blob.  Safe on a lost context and on NULL. */
void guest_vn_session_destroy(struct guest_vn_session *s);
/* The last error message ("" when none). */
const char *guest_vn_session_error(const struct guest_vn_session *s);
/* The instance version the host reported at session creation. */
uint32_t guest_vn_session_instance_version(const struct guest_vn_session *s);
/* 0 while usable; the error that lost the context otherwise. */
int guest_vn_session_lost(const struct guest_vn_session *s);

/* ---- flows (guest/venus/venus_flow.c) ---- */

struct guest_vn_instance_info {
	VkInstance instance;			/* handles carry object ids */
	VkPhysicalDevice physical_device;	/* the first one */
	uint32_t physical_device_count;
	VkPhysicalDeviceProperties props;	/* of the first device */
	VkPhysicalDeviceMemoryProperties memory;
	/* The first HOST_VISIBLE|HOST_COHERENT memory type, or UINT32_MAX. */
	uint32_t host_visible_type;
	/* The first queue family with transfer (or graphics/compute). */
	uint32_t queue_family;
};

/*
 * vkCreateInstance (apiVersion @api_version, 0 = the session's instance
 * version), vkEnumeratePhysicalDevices (count, then ids), and for the first
 * device vkGetPhysicalDeviceProperties, ...MemoryProperties and
 * ...QueueFamilyProperties.  -ENODEV when there is no physical device.
 */
int guest_vn_instance_create(struct guest_vn_session *s, uint32_t api_version,
			     struct guest_vn_instance_info *info);
/* The host venus's wire format, from the capset: 0 (virglrenderer
 * 0.10.4) or 1 (the released protocol, 1.x). */
uint32_t guest_vn_session_wire_format(const struct guest_vn_session *s);
/* vkCreateDevice with one queue of the chosen family, then
 * vkGetDeviceQueue2 for it (on wire format 1 bound to ring 1 with
 * VkDeviceQueueTimelineInfoMESA).  -EBUSY without an instance. */
int guest_vn_device_create(struct guest_vn_session *s);
/* vkDestroyDevice / vkDestroyInstance, confirmed by a round trip. */
int guest_vn_device_destroy(struct guest_vn_session *s);
int guest_vn_instance_destroy(struct guest_vn_session *s);

struct guest_vn_fill_params {
	uint64_t size;		/* bytes of device memory, a multiple of 8
				 * and of the page size; 0 = 64 KiB */
	uint32_t pattern;	/* vkCmdFillBuffer data */
};

struct guest_vn_fill_result {
	bool mapped;		/* the guest mapping of the memory worked */
	uint32_t memory_res_id;	/* virtio-gpu resource of the memory blob */
	uint64_t checked;	/* bytes compared through the mapping */
	/* First byte offset that did not hold the expected value, or
	 * UINT64_MAX when all matched. */
	uint64_t mismatch_offset;
	uint32_t mismatch_value;
};

/*
 * GPU fill through the whole stack: vkAllocateMemory (host-visible type)
 * exported as a MAPPABLE HOST3D blob with blob_id = the memory's object id
 * and mapped through the guest (MAP + km_mmap); two buffers bound to its
 * halves; a command buffer with vkCmdFillBuffer(first half, pattern) and
 * vkCmdCopyBuffer(first half -> second half); vkQueueSubmit with a fence,
 * vkGetFenceStatus until signalled; then every dword of the mapping is
 * compared with the pattern.  Everything created is destroyed again.
 * Returns 0 when the pattern was read back; -EIO when it was not (details
 * in @r); the mapping's errno when the blob could not be mapped
 * (r->mapped false), after running the GPU part anyway.  Needs
 * guest_vn_device_create first (-EBUSY).
 */
int guest_vn_fill_test(struct guest_vn_session *s,
		       const struct guest_vn_fill_params *p,
		       struct guest_vn_fill_result *r);

#endif
