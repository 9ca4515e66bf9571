/* SPDX-License-Identifier: MIT */
/*
 * Venus commands sent through a session (guest/venus/venus.h).
 *
 * guest_vn_call_X waits: it appends vkSeekReplyCommandStreamMESA(0) and X
 * with GENERATE_REPLY to the session's batch, submits the batch with
 * EXECBUFFER (FENCE_FD_OUT on ring 0 of the context), waits for the fence,
 * and decodes the reply from the reply blob.  It returns 0 when the call
 * returned VK_SUCCESS (or a non-error status, see below), -EIO for a
 * VkResult < 0, and the errors listed in guest/venus/venus.h; the VkResult is
 * kept (guest_vn_session_last_result).
 *
 * guest_vn_async_X does not wait: it only appends X to the batch, which
 * goes to the host with the next call, guest_vn_session_flush or
 * guest_vn_session_sync.  Encoding errors are returned at once.
 *
 * Handles carry object ids (GUEST_VN_HANDLE); guest_vn_session_new_id
 * hands out fresh ones.
 */
#ifndef GUEST_VENUS_CALLS_H
#define GUEST_VENUS_CALLS_H

#include "guest/venus/venus.h"
#include "guest/venus/venus_enc.h"

/* A fresh object id for this context (ids start at 1). */
uint64_t guest_vn_session_new_id(struct guest_vn_session *s);
VkResult guest_vn_session_last_result(const struct guest_vn_session *s);
/* The device and queue of guest_vn_device_create, or VK_NULL_HANDLE. */
VkDevice guest_vn_session_device(const struct guest_vn_session *s);
VkQueue guest_vn_session_queue(const struct guest_vn_session *s);
/* Submit the batch without waiting (no fence). */
int guest_vn_session_flush(struct guest_vn_session *s);
/* Submit the batch and confirm with a round trip that the host decoded
 * all of it (a lost context gives no reply). */
int guest_vn_session_sync(struct guest_vn_session *s);
/* Append raw dwords to the batch and submit it, waiting for its fence
 * (for malformed streams; the reply stream is not read). */
int guest_vn_session_submit_raw(struct guest_vn_session *s,
				const uint32_t *dw, size_t n);

/*
 * A MAPPABLE HOST3D blob of @size bytes naming the host object @blob_id
 * (a VkDeviceMemory id; 0 is the context's shared-memory blob), created
 * on the session's file: *bo_handle (GEM handle) and *res_id.
 */
int guest_vn_blob_create(struct guest_vn_session *s, uint64_t blob_id,
			 uint64_t size, uint32_t *bo_handle, uint32_t *res_id);
/* MAP + km_mmap of the whole blob. */
int guest_vn_blob_map(struct guest_vn_session *s, uint32_t bo_handle,
		      uint64_t size, void **addr);
/* km_munmap (when @addr) and GEM_CLOSE. */
void guest_vn_blob_release(struct guest_vn_session *s, uint32_t bo_handle,
			   void *addr, uint64_t size);

/* ---- synchronous calls ---- */
int guest_vn_call_vkEnumerateInstanceVersion(struct guest_vn_session *s,
					     uint32_t *version);
int guest_vn_call_vkCreateInstance(struct guest_vn_session *s,
				   const VkInstanceCreateInfo *info,
				   VkInstance instance);
/* *count: in, the number of @devices (ignored when @devices is NULL);
 * out, the host's count.  VK_INCOMPLETE is not an error. */
int guest_vn_call_vkEnumeratePhysicalDevices(struct guest_vn_session *s,
					     VkInstance instance,
					     uint32_t *count,
					     const VkPhysicalDevice *devices);
int guest_vn_call_vkGetPhysicalDeviceProperties(
	struct guest_vn_session *s, VkPhysicalDevice pdev,
	VkPhysicalDeviceProperties *props);
/* *count as above; @props may be NULL to query the count. */
int guest_vn_call_vkGetPhysicalDeviceQueueFamilyProperties(
	struct guest_vn_session *s, VkPhysicalDevice pdev, uint32_t *count,
	VkQueueFamilyProperties *props);
int guest_vn_call_vkGetPhysicalDeviceMemoryProperties(
	struct guest_vn_session *s, VkPhysicalDevice pdev,
	VkPhysicalDeviceMemoryProperties *props);
int guest_vn_call_vkCreateDevice(struct guest_vn_session *s,
				 VkPhysicalDevice pdev,
				 const VkDeviceCreateInfo *info,
				 VkDevice device);
int guest_vn_call_vkGetDeviceQueue(struct guest_vn_session *s,
				   VkDevice device, uint32_t family,
				   uint32_t index, VkQueue queue);
int guest_vn_call_vkGetDeviceQueue2(struct guest_vn_session *s,
				    VkDevice device,
				    const VkDeviceQueueInfo2 *info,
				    VkQueue queue);
int guest_vn_call_vkAllocateMemory(struct guest_vn_session *s,
				   VkDevice device,
				   const VkMemoryAllocateInfo *info,
				   VkDeviceMemory memory);
int guest_vn_call_vkCreateBuffer(struct guest_vn_session *s, VkDevice device,
				 const VkBufferCreateInfo *info,
				 VkBuffer buffer);
int guest_vn_call_vkBindBufferMemory(struct guest_vn_session *s,
				     VkDevice device, VkBuffer buffer,
				     VkDeviceMemory memory,
				     VkDeviceSize offset);
int guest_vn_call_vkGetBufferMemoryRequirements(struct guest_vn_session *s,
						VkDevice device,
						VkBuffer buffer,
						VkMemoryRequirements *reqs);
int guest_vn_call_vkCreateCommandPool(struct guest_vn_session *s,
				      VkDevice device,
				      const VkCommandPoolCreateInfo *info,
				      VkCommandPool pool);
int guest_vn_call_vkAllocateCommandBuffers(
	struct guest_vn_session *s, VkDevice device,
	const VkCommandBufferAllocateInfo *info,
	const VkCommandBuffer *cmdbufs);
int guest_vn_call_vkBeginCommandBuffer(struct guest_vn_session *s,
				       VkCommandBuffer cmdbuf,
				       const VkCommandBufferBeginInfo *info);
int guest_vn_call_vkEndCommandBuffer(struct guest_vn_session *s,
				     VkCommandBuffer cmdbuf);
int guest_vn_call_vkCreateFence(struct guest_vn_session *s, VkDevice device,
				const VkFenceCreateInfo *info, VkFence fence);
int guest_vn_call_vkResetFences(struct guest_vn_session *s, VkDevice device,
				uint32_t count, const VkFence *fences);
int guest_vn_call_vkQueueSubmit(struct guest_vn_session *s, VkQueue queue,
				uint32_t count, const VkSubmitInfo *submits,
				VkFence fence);
/* *signaled: VK_SUCCESS true, VK_NOT_READY false (both return 0). */
int guest_vn_call_vkGetFenceStatus(struct guest_vn_session *s,
				   VkDevice device, VkFence fence,
				   bool *signaled);
/* Use @timeout 0 and poll: the renderer decodes one stream at a time, so
 * a blocking wait stalls it (in-process: the device thread), and
 * virglrenderer releases after 0.10.4 refuse it outright.  *signaled is
 * false for VK_TIMEOUT. */
int guest_vn_call_vkWaitForFences(struct guest_vn_session *s,
				  VkDevice device, uint32_t count,
				  const VkFence *fences, VkBool32 wait_all,
				  uint64_t timeout, bool *signaled);
/* vkGetFenceStatus round trips until signalled or the session timeout
 * (-ETIME). */
int guest_vn_fence_wait(struct guest_vn_session *s, VkDevice device,
			VkFence fence);

/* ---- commands that do not wait ---- */
int guest_vn_async_vkDestroyInstance(struct guest_vn_session *s,
				     VkInstance instance);
int guest_vn_async_vkDestroyDevice(struct guest_vn_session *s,
				   VkDevice device);
int guest_vn_async_vkFreeMemory(struct guest_vn_session *s, VkDevice device,
				VkDeviceMemory memory);
int guest_vn_async_vkDestroyBuffer(struct guest_vn_session *s,
				   VkDevice device, VkBuffer buffer);
int guest_vn_async_vkDestroyCommandPool(struct guest_vn_session *s,
					VkDevice device, VkCommandPool pool);
int guest_vn_async_vkFreeCommandBuffers(struct guest_vn_session *s,
					VkDevice device, VkCommandPool pool,
					uint32_t count,
					const VkCommandBuffer *cmdbufs);
int guest_vn_async_vkDestroyFence(struct guest_vn_session *s,
				  VkDevice device, VkFence fence);
int guest_vn_async_vkCmdFillBuffer(struct guest_vn_session *s,
				   VkCommandBuffer cmdbuf, VkBuffer dst,
				   VkDeviceSize offset, VkDeviceSize size,
				   uint32_t data);
int guest_vn_async_vkCmdCopyBuffer(struct guest_vn_session *s,
				   VkCommandBuffer cmdbuf, VkBuffer src,
				   VkBuffer dst, uint32_t count,
				   const VkBufferCopy *regions);
int guest_vn_async_vkCmdPipelineBarrier(struct guest_vn_session *s,
					VkCommandBuffer cmdbuf,
					const struct guest_vn_barriers *b);

#endif
