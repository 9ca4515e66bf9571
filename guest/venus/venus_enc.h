/* SPDX-License-Identifier: MIT */
/*
 * Venus wire format: encoders for the Vulkan commands a venus (capset 4)
 * context takes in EXECBUFFER, and decoders for the replies the host
 * writes into the reply stream.  Layer: guest userspace, no I/O here (see
 * guest/venus/venus_calls.h for sending commands and guest/venus/venus.h for flows).
 *
 * Wire rules (FACTS.md "Venus", as virglrenderer 0.10.4 decodes them;
 * field order from the Vulkan structs in <vulkan/vulkan_core.h>):
 *  - little endian, every item padded to 4 bytes;
 *  - a command is u32 command type, u32 flags (GUEST_VN_CMD_GENERATE_REPLY
 *    asks for a reply), then its parameters in declaration order;
 *  - a handle is the guest-chosen u64 object id;
 *  - a pointer is a u64 count (0 = NULL, 1 = present) and then the
 *    element; an array is a u64 element count and then the elements; a
 *    string is a u64 length including the NUL and then the bytes, padded;
 *  - a struct with sType is u32 sType, the pNext chain (u64 0 = NULL: no
 *    extension structs are encoded here), then its own fields;
 *  - an output struct is sent as a present pointer followed only by the
 *    sizes of its fixed arrays (the "partial" encoding);
 *  - VkDeviceSize and size_t are u64, VkBool32/VkFlags/enums/float 4 bytes.
 * A reply is u32 command type, i32 VkResult when the command returns one,
 * then the output parameters in the same encoding.
 *
 * Handles: the Vulkan handle types carry the object id as their value
 * (GUEST_VN_HANDLE / guest_vn_id); they are never dereferenced.
 *
 * Every guest_vn_encode_* appends one command to an encoder and returns 0,
 * or -ENOMEM, -EINVAL (a required pointer is NULL, a count has no array, a
 * handle id is 0), -EOPNOTSUPP (a pNext chain, allocation callbacks or an
 * inheritance info, none of which this encoder carries); on error the
 * stream is left as it was.  guest_vn_sizeof_* gives the bytes the same
 * call would append (0 if it would fail).  Decoders return 0, or -EPROTO
 * with a message in dec->msg naming the command, the field and the byte
 * offset.
 */
#ifndef GUEST_VENUS_ENC_H
#define GUEST_VENUS_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

_Static_assert(sizeof(void *) == 8, "handles carry 64-bit object ids");

/* VkCommandTypeEXT values (venus-protocol; stable across versions), from
 * the one table of them, guest/venus/venus_cmd_ids.def. */
enum guest_vn_command_type {
#define VN_CMD(name, id) GUEST_VN_CMD_##name = id,
#include "guest/venus/venus_cmd_ids.def"
#undef VN_CMD
};

/* VkCommandFlagBitsEXT: the host writes a reply for this command. */
#define GUEST_VN_CMD_GENERATE_REPLY 0x1u

/* A handle whose value is the object id, and back. */
#define GUEST_VN_HANDLE(type, id) ((type)(uintptr_t)(id))
#define guest_vn_id(handle) ((uint64_t)(uintptr_t)(handle))

/* The command name for messages ("vkCreateInstance"), or NULL. */
const char *guest_vn_command_name(uint32_t type);
/* "VK_ERROR_DEVICE_LOST" etc., or "VkResult(<n>)" in a static buffer for
 * unknown values. */
const char *guest_vn_result_name(VkResult r);

/* VkCommandStreamDescriptionMESA (VK_MESA_venus_protocol): a window of a
 * resource, named by its virtio-gpu resource id, used as a stream. */
struct guest_vn_stream_desc {
	uint32_t resource_id;
	uint64_t offset;
	uint64_t size;
};

/* Encoder: a growable byte buffer, or a counter (sizeof). */
struct guest_vn_enc {
	uint8_t *buf;		/* NULL while counting */
	size_t len;		/* bytes written (or counted) */
	size_t cap;
	bool counting;
	int error;		/* first error of the command being encoded */
};

void guest_vn_enc_init(struct guest_vn_enc *e);
void guest_vn_enc_init_counter(struct guest_vn_enc *e);
void guest_vn_enc_fini(struct guest_vn_enc *e);
/* Forget the contents, keep the allocation. */
void guest_vn_enc_reset(struct guest_vn_enc *e);
/* Raw dwords in host order, appended as they are (malformed streams). */
int guest_vn_encode_dwords(struct guest_vn_enc *e, const uint32_t *dw,
			   size_t n);

/* transport (VK_MESA_venus_protocol) */
int guest_vn_encode_vkSetReplyCommandStreamMESA(
	struct guest_vn_enc *e, uint32_t flags,
	const struct guest_vn_stream_desc *stream);
size_t guest_vn_sizeof_vkSetReplyCommandStreamMESA(
	const struct guest_vn_stream_desc *stream);
int guest_vn_encode_vkSeekReplyCommandStreamMESA(struct guest_vn_enc *e,
						 uint32_t flags,
						 uint64_t position);
size_t guest_vn_sizeof_vkSeekReplyCommandStreamMESA(uint64_t position);

/* instance and physical device */
int guest_vn_encode_vkEnumerateInstanceVersion(struct guest_vn_enc *e,
					       uint32_t flags);
size_t guest_vn_sizeof_vkEnumerateInstanceVersion(void);
int guest_vn_encode_vkCreateInstance(struct guest_vn_enc *e, uint32_t flags,
				     const VkInstanceCreateInfo *info,
				     VkInstance instance);
size_t guest_vn_sizeof_vkCreateInstance(const VkInstanceCreateInfo *info,
					VkInstance instance);
int guest_vn_encode_vkDestroyInstance(struct guest_vn_enc *e, uint32_t flags,
				      VkInstance instance);
size_t guest_vn_sizeof_vkDestroyInstance(VkInstance instance);
/* @count in; @devices NULL asks for the count only, else @count ids. */
int guest_vn_encode_vkEnumeratePhysicalDevices(struct guest_vn_enc *e,
					       uint32_t flags,
					       VkInstance instance,
					       uint32_t count,
					       const VkPhysicalDevice *devices);
size_t guest_vn_sizeof_vkEnumeratePhysicalDevices(
	VkInstance instance, uint32_t count, const VkPhysicalDevice *devices);
int guest_vn_encode_vkGetPhysicalDeviceProperties(struct guest_vn_enc *e,
						  uint32_t flags,
						  VkPhysicalDevice pdev);
size_t guest_vn_sizeof_vkGetPhysicalDeviceProperties(VkPhysicalDevice pdev);
/* @with_properties false asks for the count only. */
int guest_vn_encode_vkGetPhysicalDeviceQueueFamilyProperties(
	struct guest_vn_enc *e, uint32_t flags, VkPhysicalDevice pdev,
	uint32_t count, bool with_properties);
size_t guest_vn_sizeof_vkGetPhysicalDeviceQueueFamilyProperties(
	VkPhysicalDevice pdev, uint32_t count, bool with_properties);
int guest_vn_encode_vkGetPhysicalDeviceMemoryProperties(
	struct guest_vn_enc *e, uint32_t flags, VkPhysicalDevice pdev);
size_t guest_vn_sizeof_vkGetPhysicalDeviceMemoryProperties(
	VkPhysicalDevice pdev);

/* device and queue */
int guest_vn_encode_vkCreateDevice(struct guest_vn_enc *e, uint32_t flags,
				   VkPhysicalDevice pdev,
				   const VkDeviceCreateInfo *info,
				   VkDevice device);
size_t guest_vn_sizeof_vkCreateDevice(VkPhysicalDevice pdev,
				      const VkDeviceCreateInfo *info,
				      VkDevice device);
int guest_vn_encode_vkDestroyDevice(struct guest_vn_enc *e, uint32_t flags,
				    VkDevice device);
size_t guest_vn_sizeof_vkDestroyDevice(VkDevice device);
int guest_vn_encode_vkGetDeviceQueue(struct guest_vn_enc *e, uint32_t flags,
				     VkDevice device, uint32_t family,
				     uint32_t index, VkQueue queue);
size_t guest_vn_sizeof_vkGetDeviceQueue(VkDevice device, uint32_t family,
					uint32_t index, VkQueue queue);
/*
 * VkDeviceQueueTimelineInfoMESA, the venus protocol's own struct (Mesa's
 * venus-protocol, VK_MESA_venus_protocol): chained to VkDeviceQueueInfo2,
 * it binds the queue to fence timeline (ring) ringIdx of the context.
 * Wire format 1 (virglrenderer 1.x, vkr_dispatch_vkGetDeviceQueue2)
 * requires it, with ringIdx 1..63 and one queue per ring; wire format 0
 * (0.10.4) knows no such struct.  The only pNext vkGetDeviceQueue2 takes.
 */
#define GUEST_VN_STYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA \
	((VkStructureType)1000384005)
struct guest_vn_queue_timeline_info {
	VkStructureType sType;
	const void *pNext;
	uint32_t ringIdx;
};

int guest_vn_encode_vkGetDeviceQueue2(struct guest_vn_enc *e, uint32_t flags,
				      VkDevice device,
				      const VkDeviceQueueInfo2 *info,
				      VkQueue queue);
size_t guest_vn_sizeof_vkGetDeviceQueue2(VkDevice device,
					 const VkDeviceQueueInfo2 *info,
					 VkQueue queue);

/* memory and buffers (guest/venus/venus_cmds.c) */
int guest_vn_encode_vkAllocateMemory(struct guest_vn_enc *e, uint32_t flags,
				     VkDevice device,
				     const VkMemoryAllocateInfo *info,
				     VkDeviceMemory memory);
size_t guest_vn_sizeof_vkAllocateMemory(VkDevice device,
					const VkMemoryAllocateInfo *info,
					VkDeviceMemory memory);
int guest_vn_encode_vkFreeMemory(struct guest_vn_enc *e, uint32_t flags,
				 VkDevice device, VkDeviceMemory memory);
size_t guest_vn_sizeof_vkFreeMemory(VkDevice device, VkDeviceMemory memory);
int guest_vn_encode_vkCreateBuffer(struct guest_vn_enc *e, uint32_t flags,
				   VkDevice device,
				   const VkBufferCreateInfo *info,
				   VkBuffer buffer);
size_t guest_vn_sizeof_vkCreateBuffer(VkDevice device,
				      const VkBufferCreateInfo *info,
				      VkBuffer buffer);
int guest_vn_encode_vkDestroyBuffer(struct guest_vn_enc *e, uint32_t flags,
				    VkDevice device, VkBuffer buffer);
size_t guest_vn_sizeof_vkDestroyBuffer(VkDevice device, VkBuffer buffer);
int guest_vn_encode_vkBindBufferMemory(struct guest_vn_enc *e, uint32_t flags,
				       VkDevice device, VkBuffer buffer,
				       VkDeviceMemory memory,
				       VkDeviceSize offset);
size_t guest_vn_sizeof_vkBindBufferMemory(VkDevice device, VkBuffer buffer,
					  VkDeviceMemory memory,
					  VkDeviceSize offset);
int guest_vn_encode_vkGetBufferMemoryRequirements(struct guest_vn_enc *e,
						  uint32_t flags,
						  VkDevice device,
						  VkBuffer buffer);
size_t guest_vn_sizeof_vkGetBufferMemoryRequirements(VkDevice device,
						     VkBuffer buffer);

/* command pools and command buffers (guest/venus/venus_cmds.c) */
int guest_vn_encode_vkCreateCommandPool(struct guest_vn_enc *e,
					uint32_t flags, VkDevice device,
					const VkCommandPoolCreateInfo *info,
					VkCommandPool pool);
size_t guest_vn_sizeof_vkCreateCommandPool(VkDevice device,
					   const VkCommandPoolCreateInfo *info,
					   VkCommandPool pool);
int guest_vn_encode_vkDestroyCommandPool(struct guest_vn_enc *e,
					 uint32_t flags, VkDevice device,
					 VkCommandPool pool);
size_t guest_vn_sizeof_vkDestroyCommandPool(VkDevice device,
					    VkCommandPool pool);
/* @cmdbufs holds info->commandBufferCount ids. */
int guest_vn_encode_vkAllocateCommandBuffers(
	struct guest_vn_enc *e, uint32_t flags, VkDevice device,
	const VkCommandBufferAllocateInfo *info,
	const VkCommandBuffer *cmdbufs);
size_t guest_vn_sizeof_vkAllocateCommandBuffers(
	VkDevice device, const VkCommandBufferAllocateInfo *info,
	const VkCommandBuffer *cmdbufs);
int guest_vn_encode_vkFreeCommandBuffers(struct guest_vn_enc *e,
					 uint32_t flags, VkDevice device,
					 VkCommandPool pool, uint32_t count,
					 const VkCommandBuffer *cmdbufs);
size_t guest_vn_sizeof_vkFreeCommandBuffers(VkDevice device,
					    VkCommandPool pool, uint32_t count,
					    const VkCommandBuffer *cmdbufs);
int guest_vn_encode_vkBeginCommandBuffer(
	struct guest_vn_enc *e, uint32_t flags, VkCommandBuffer cmdbuf,
	const VkCommandBufferBeginInfo *info);
size_t guest_vn_sizeof_vkBeginCommandBuffer(
	VkCommandBuffer cmdbuf, const VkCommandBufferBeginInfo *info);
int guest_vn_encode_vkEndCommandBuffer(struct guest_vn_enc *e, uint32_t flags,
				       VkCommandBuffer cmdbuf);
size_t guest_vn_sizeof_vkEndCommandBuffer(VkCommandBuffer cmdbuf);
int guest_vn_encode_vkCmdFillBuffer(struct guest_vn_enc *e, uint32_t flags,
				    VkCommandBuffer cmdbuf, VkBuffer dst,
				    VkDeviceSize offset, VkDeviceSize size,
				    uint32_t data);
size_t guest_vn_sizeof_vkCmdFillBuffer(VkCommandBuffer cmdbuf, VkBuffer dst,
				       VkDeviceSize offset, VkDeviceSize size,
				       uint32_t data);
int guest_vn_encode_vkCmdCopyBuffer(struct guest_vn_enc *e, uint32_t flags,
				    VkCommandBuffer cmdbuf, VkBuffer src,
				    VkBuffer dst, uint32_t count,
				    const VkBufferCopy *regions);
size_t guest_vn_sizeof_vkCmdCopyBuffer(VkCommandBuffer cmdbuf, VkBuffer src,
				       VkBuffer dst, uint32_t count,
				       const VkBufferCopy *regions);
/* Memory and buffer barriers; image barriers are -EOPNOTSUPP. */
struct guest_vn_barriers {
	VkPipelineStageFlags src_stages;
	VkPipelineStageFlags dst_stages;
	VkDependencyFlags dependency_flags;
	uint32_t memory_count;
	const VkMemoryBarrier *memory;
	uint32_t buffer_count;
	const VkBufferMemoryBarrier *buffer;
	uint32_t image_count;
	const VkImageMemoryBarrier *image;
};
int guest_vn_encode_vkCmdPipelineBarrier(struct guest_vn_enc *e,
					 uint32_t flags,
					 VkCommandBuffer cmdbuf,
					 const struct guest_vn_barriers *b);
size_t guest_vn_sizeof_vkCmdPipelineBarrier(VkCommandBuffer cmdbuf,
					    const struct guest_vn_barriers *b);

/* fences and submission (guest/venus/venus_cmds.c) */
int guest_vn_encode_vkCreateFence(struct guest_vn_enc *e, uint32_t flags,
				  VkDevice device,
				  const VkFenceCreateInfo *info, VkFence fence);
size_t guest_vn_sizeof_vkCreateFence(VkDevice device,
				     const VkFenceCreateInfo *info,
				     VkFence fence);
int guest_vn_encode_vkDestroyFence(struct guest_vn_enc *e, uint32_t flags,
				   VkDevice device, VkFence fence);
size_t guest_vn_sizeof_vkDestroyFence(VkDevice device, VkFence fence);
int guest_vn_encode_vkResetFences(struct guest_vn_enc *e, uint32_t flags,
				  VkDevice device, uint32_t count,
				  const VkFence *fences);
size_t guest_vn_sizeof_vkResetFences(VkDevice device, uint32_t count,
				     const VkFence *fences);
int guest_vn_encode_vkGetFenceStatus(struct guest_vn_enc *e, uint32_t flags,
				     VkDevice device, VkFence fence);
size_t guest_vn_sizeof_vkGetFenceStatus(VkDevice device, VkFence fence);
int guest_vn_encode_vkWaitForFences(struct guest_vn_enc *e, uint32_t flags,
				    VkDevice device, uint32_t count,
				    const VkFence *fences, VkBool32 wait_all,
				    uint64_t timeout);
size_t guest_vn_sizeof_vkWaitForFences(VkDevice device, uint32_t count,
				       const VkFence *fences,
				       VkBool32 wait_all, uint64_t timeout);
/* @fence may be VK_NULL_HANDLE (id 0). */
int guest_vn_encode_vkQueueSubmit(struct guest_vn_enc *e, uint32_t flags,
				  VkQueue queue, uint32_t count,
				  const VkSubmitInfo *submits, VkFence fence);
size_t guest_vn_sizeof_vkQueueSubmit(VkQueue queue, uint32_t count,
				     const VkSubmitInfo *submits,
				     VkFence fence);

/* ---- replies (guest/venus/venus_dec.c) ---- */

struct guest_vn_dec {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	int error;		/* 0 or -EPROTO, sticky */
	char msg[192];		/* what was wrong, for error reports */
};

void guest_vn_dec_init(struct guest_vn_dec *d, const void *buf, size_t len);

/*
 * The reply header: command type @type (a different one is -EPROTO, "reply
 * to vkX where vkY was expected"), then the VkResult when @result is not
 * NULL.  The decoders below start with it.
 */
int guest_vn_decode_reply_header(struct guest_vn_dec *d, uint32_t type,
				 VkResult *result);
/* Replies without output parameters (vkDestroy*, vkFree*, vkCmd*,
 * vkBind*, vkEnd*, vkQueueSubmit, fences): header (+ result) only. */
int guest_vn_decode_void_reply(struct guest_vn_dec *d, uint32_t type,
			       VkResult *result);
/* Create-style replies (vkCreate*, vkAllocateMemory, vkGetDeviceQueue*):
 * header, VkResult when @result is not NULL, then the handle pointer,
 * which must echo @id. */
int guest_vn_decode_handle_reply(struct guest_vn_dec *d, uint32_t type,
				 VkResult *result, uint64_t id);

int guest_vn_decode_vkEnumerateInstanceVersion_reply(struct guest_vn_dec *d,
						     VkResult *result,
						     uint32_t *version);
/* *count in: the capacity of @devices (or any value when @devices is
 * NULL); out: the count the host reports.  Ids are checked against
 * @devices when given. */
int guest_vn_decode_vkEnumeratePhysicalDevices_reply(
	struct guest_vn_dec *d, VkResult *result, uint32_t *count,
	const VkPhysicalDevice *devices);
int guest_vn_decode_vkGetPhysicalDeviceProperties_reply(
	struct guest_vn_dec *d, VkPhysicalDeviceProperties *props);
/* *count as for vkEnumeratePhysicalDevices; @props may be NULL. */
int guest_vn_decode_vkGetPhysicalDeviceQueueFamilyProperties_reply(
	struct guest_vn_dec *d, uint32_t *count,
	VkQueueFamilyProperties *props);
int guest_vn_decode_vkGetPhysicalDeviceMemoryProperties_reply(
	struct guest_vn_dec *d, VkPhysicalDeviceMemoryProperties *props);
int guest_vn_decode_vkGetBufferMemoryRequirements_reply(
	struct guest_vn_dec *d, VkMemoryRequirements *reqs);
/* @cmdbufs: the @count ids that were sent. */
int guest_vn_decode_vkAllocateCommandBuffers_reply(
	struct guest_vn_dec *d, VkResult *result, uint32_t count,
	const VkCommandBuffer *cmdbufs);

#endif
