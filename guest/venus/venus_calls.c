// SPDX-License-Identifier: MIT
/*
 * Per-command round trips (guest_vn_call_*) and batched commands
 * (guest_vn_async_*) on a session; see guest/venus/venus_calls.h.  Each call is
 * the same four steps: begin (seek the reply stream to 0), encode with
 * GENERATE_REPLY, end (submit, fence, sentinel check), decode and check.
 */
#include <errno.h>
#include <time.h>

#include "guest/venus/venus_int.h"

#define REPLY GUEST_VN_CMD_GENERATE_REPLY

/* Calls whose reply is a VkResult and the echoed handle. */
static int handle_call_finish(struct guest_vn_session *s, size_t mark,
			      int enc_ret, uint32_t type, uint64_t id)
{
	struct guest_vn_dec d;
	VkResult r = VK_SUCCESS;
	int ret = guest_vn__call_end(s, mark, enc_ret, type, &d);

	if (ret)
		return ret;
	guest_vn_decode_handle_reply(&d, type, &r, id);
	return guest_vn__call_check(s, type, &d, r);
}

/* Calls whose reply is a VkResult only. */
static int result_call_finish(struct guest_vn_session *s, size_t mark,
			      int enc_ret, uint32_t type, VkResult *result)
{
	struct guest_vn_dec d;
	VkResult r = VK_SUCCESS;
	int ret = guest_vn__call_end(s, mark, enc_ret, type, &d);

	if (ret)
		return ret;
	guest_vn_decode_void_reply(&d, type, &r);
	ret = guest_vn__call_check(s, type, &d, r);
	if (result)
		*result = r;
	return ret;
}

int guest_vn_call_vkEnumerateInstanceVersion(struct guest_vn_session *s,
					     uint32_t *version)
{
	const uint32_t type = GUEST_VN_CMD_vkEnumerateInstanceVersion;
	struct guest_vn_dec d;
	VkResult r = VK_SUCCESS;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkEnumerateInstanceVersion(&s->batch, REPLY);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkEnumerateInstanceVersion_reply(&d, &r, version);
	return guest_vn__call_check(s, type, &d, r);
}

int guest_vn_call_vkCreateInstance(struct guest_vn_session *s,
				   const VkInstanceCreateInfo *info,
				   VkInstance instance)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkCreateInstance(&s->batch, REPLY, info,
					       instance);
	return handle_call_finish(s, mark, ret, GUEST_VN_CMD_vkCreateInstance,
				  guest_vn_id(instance));
}

int guest_vn_call_vkEnumeratePhysicalDevices(struct guest_vn_session *s,
					     VkInstance instance,
					     uint32_t *count,
					     const VkPhysicalDevice *devices)
{
	const uint32_t type = GUEST_VN_CMD_vkEnumeratePhysicalDevices;
	struct guest_vn_dec d;
	VkResult r = VK_SUCCESS;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkEnumeratePhysicalDevices(
		&s->batch, REPLY, instance, devices ? *count : 0, devices);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkEnumeratePhysicalDevices_reply(&d, &r, count,
							 devices);
	return guest_vn__call_check(s, type, &d, r);
}

int guest_vn_call_vkGetPhysicalDeviceProperties(
	struct guest_vn_session *s, VkPhysicalDevice pdev,
	VkPhysicalDeviceProperties *props)
{
	const uint32_t type = GUEST_VN_CMD_vkGetPhysicalDeviceProperties;
	struct guest_vn_dec d;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetPhysicalDeviceProperties(&s->batch, REPLY,
							    pdev);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkGetPhysicalDeviceProperties_reply(&d, props);
	return guest_vn__call_check(s, type, &d, VK_SUCCESS);
}

int guest_vn_call_vkGetPhysicalDeviceQueueFamilyProperties(
	struct guest_vn_session *s, VkPhysicalDevice pdev, uint32_t *count,
	VkQueueFamilyProperties *props)
{
	const uint32_t type =
		GUEST_VN_CMD_vkGetPhysicalDeviceQueueFamilyProperties;
	struct guest_vn_dec d;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetPhysicalDeviceQueueFamilyProperties(
		&s->batch, REPLY, pdev, props ? *count : 0, props != NULL);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkGetPhysicalDeviceQueueFamilyProperties_reply(
		&d, count, props);
	return guest_vn__call_check(s, type, &d, VK_SUCCESS);
}

int guest_vn_call_vkGetPhysicalDeviceMemoryProperties(
	struct guest_vn_session *s, VkPhysicalDevice pdev,
	VkPhysicalDeviceMemoryProperties *props)
{
	const uint32_t type = GUEST_VN_CMD_vkGetPhysicalDeviceMemoryProperties;
	struct guest_vn_dec d;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetPhysicalDeviceMemoryProperties(
		&s->batch, REPLY, pdev);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkGetPhysicalDeviceMemoryProperties_reply(&d, props);
	return guest_vn__call_check(s, type, &d, VK_SUCCESS);
}

int guest_vn_call_vkCreateDevice(struct guest_vn_session *s,
				 VkPhysicalDevice pdev,
				 const VkDeviceCreateInfo *info,
				 VkDevice device)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkCreateDevice(&s->batch, REPLY, pdev, info,
					     device);
	return handle_call_finish(s, mark, ret, GUEST_VN_CMD_vkCreateDevice,
				  guest_vn_id(device));
}

int guest_vn_call_vkGetDeviceQueue(struct guest_vn_session *s,
				   VkDevice device, uint32_t family,
				   uint32_t index, VkQueue queue)
{
	const uint32_t type = GUEST_VN_CMD_vkGetDeviceQueue;
	struct guest_vn_dec d;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetDeviceQueue(&s->batch, REPLY, device,
					       family, index, queue);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	/* A void command: the reply is the echoed pQueue only. */
	guest_vn_decode_handle_reply(&d, type, NULL, guest_vn_id(queue));
	return guest_vn__call_check(s, type, &d, VK_SUCCESS);
}

int guest_vn_call_vkGetDeviceQueue2(struct guest_vn_session *s,
				    VkDevice device,
				    const VkDeviceQueueInfo2 *info,
				    VkQueue queue)
{
	const uint32_t type = GUEST_VN_CMD_vkGetDeviceQueue2;
	struct guest_vn_dec d;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetDeviceQueue2(&s->batch, REPLY, device, info,
						queue);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	/* A void command: the reply is the echoed pQueue only. */
	guest_vn_decode_handle_reply(&d, type, NULL, guest_vn_id(queue));
	return guest_vn__call_check(s, type, &d, VK_SUCCESS);
}

int guest_vn_call_vkAllocateMemory(struct guest_vn_session *s,
				   VkDevice device,
				   const VkMemoryAllocateInfo *info,
				   VkDeviceMemory memory)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkAllocateMemory(&s->batch, REPLY, device, info,
					       memory);
	return handle_call_finish(s, mark, ret, GUEST_VN_CMD_vkAllocateMemory,
				  guest_vn_id(memory));
}

int guest_vn_call_vkCreateBuffer(struct guest_vn_session *s, VkDevice device,
				 const VkBufferCreateInfo *info,
				 VkBuffer buffer)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkCreateBuffer(&s->batch, REPLY, device, info,
					     buffer);
	return handle_call_finish(s, mark, ret, GUEST_VN_CMD_vkCreateBuffer,
				  guest_vn_id(buffer));
}

int guest_vn_call_vkBindBufferMemory(struct guest_vn_session *s,
				     VkDevice device, VkBuffer buffer,
				     VkDeviceMemory memory,
				     VkDeviceSize offset)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkBindBufferMemory(&s->batch, REPLY, device,
						 buffer, memory, offset);
	return result_call_finish(s, mark, ret,
				  GUEST_VN_CMD_vkBindBufferMemory, NULL);
}

int guest_vn_call_vkGetBufferMemoryRequirements(struct guest_vn_session *s,
						VkDevice device,
						VkBuffer buffer,
						VkMemoryRequirements *reqs)
{
	const uint32_t type = GUEST_VN_CMD_vkGetBufferMemoryRequirements;
	struct guest_vn_dec d;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetBufferMemoryRequirements(&s->batch, REPLY,
							    device, buffer);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkGetBufferMemoryRequirements_reply(&d, reqs);
	return guest_vn__call_check(s, type, &d, VK_SUCCESS);
}

int guest_vn_call_vkCreateCommandPool(struct guest_vn_session *s,
				      VkDevice device,
				      const VkCommandPoolCreateInfo *info,
				      VkCommandPool pool)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkCreateCommandPool(&s->batch, REPLY, device,
						  info, pool);
	return handle_call_finish(s, mark, ret,
				  GUEST_VN_CMD_vkCreateCommandPool,
				  guest_vn_id(pool));
}

int guest_vn_call_vkAllocateCommandBuffers(
	struct guest_vn_session *s, VkDevice device,
	const VkCommandBufferAllocateInfo *info,
	const VkCommandBuffer *cmdbufs)
{
	const uint32_t type = GUEST_VN_CMD_vkAllocateCommandBuffers;
	struct guest_vn_dec d;
	VkResult r = VK_SUCCESS;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkAllocateCommandBuffers(&s->batch, REPLY,
						       device, info, cmdbufs);
	ret = guest_vn__call_end(s, mark, ret, type, &d);
	if (ret)
		return ret;
	guest_vn_decode_vkAllocateCommandBuffers_reply(
		&d, &r, info->commandBufferCount, cmdbufs);
	return guest_vn__call_check(s, type, &d, r);
}

int guest_vn_call_vkBeginCommandBuffer(struct guest_vn_session *s,
				       VkCommandBuffer cmdbuf,
				       const VkCommandBufferBeginInfo *info)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkBeginCommandBuffer(&s->batch, REPLY, cmdbuf,
						   info);
	return result_call_finish(s, mark, ret,
				  GUEST_VN_CMD_vkBeginCommandBuffer, NULL);
}

int guest_vn_call_vkEndCommandBuffer(struct guest_vn_session *s,
				     VkCommandBuffer cmdbuf)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkEndCommandBuffer(&s->batch, REPLY, cmdbuf);
	return result_call_finish(s, mark, ret,
				  GUEST_VN_CMD_vkEndCommandBuffer, NULL);
}

int guest_vn_call_vkCreateFence(struct guest_vn_session *s, VkDevice device,
				const VkFenceCreateInfo *info, VkFence fence)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkCreateFence(&s->batch, REPLY, device, info,
					    fence);
	return handle_call_finish(s, mark, ret, GUEST_VN_CMD_vkCreateFence,
				  guest_vn_id(fence));
}

int guest_vn_call_vkResetFences(struct guest_vn_session *s, VkDevice device,
				uint32_t count, const VkFence *fences)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkResetFences(&s->batch, REPLY, device, count,
					    fences);
	return result_call_finish(s, mark, ret, GUEST_VN_CMD_vkResetFences,
				  NULL);
}

int guest_vn_call_vkQueueSubmit(struct guest_vn_session *s, VkQueue queue,
				uint32_t count, const VkSubmitInfo *submits,
				VkFence fence)
{
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkQueueSubmit(&s->batch, REPLY, queue, count,
					    submits, fence);
	return result_call_finish(s, mark, ret, GUEST_VN_CMD_vkQueueSubmit,
				  NULL);
}

int guest_vn_call_vkGetFenceStatus(struct guest_vn_session *s,
				   VkDevice device, VkFence fence,
				   bool *signaled)
{
	VkResult r = VK_NOT_READY;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkGetFenceStatus(&s->batch, REPLY, device, fence);
	ret = result_call_finish(s, mark, ret, GUEST_VN_CMD_vkGetFenceStatus,
				 &r);
	*signaled = r == VK_SUCCESS;
	return ret;
}

int guest_vn_call_vkWaitForFences(struct guest_vn_session *s,
				  VkDevice device, uint32_t count,
				  const VkFence *fences, VkBool32 wait_all,
				  uint64_t timeout, bool *signaled)
{
	VkResult r = VK_TIMEOUT;
	size_t mark;
	int ret = guest_vn__call_begin(s, &mark);

	if (ret)
		return ret;
	ret = guest_vn_encode_vkWaitForFences(&s->batch, REPLY, device, count,
					      fences, wait_all, timeout);
	ret = result_call_finish(s, mark, ret, GUEST_VN_CMD_vkWaitForFences,
				 &r);
	*signaled = r == VK_SUCCESS;
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int guest_vn_fence_wait(struct guest_vn_session *s, VkDevice device,
			VkFence fence)
{
	int64_t deadline = now_ms() + s->timeout_ms;
	struct timespec pause = { 0, 200 * 1000 };

	for (;;) {
		bool signaled;
		int ret = guest_vn_call_vkGetFenceStatus(s, device, fence,
							 &signaled);

		if (ret || signaled)
			return ret;
		if (now_ms() >= deadline)
			return guest_vn__error(s, -ETIME, "VkFence %llu was not "
					       "signalled within %d ms",
					       (unsigned long long)
					       guest_vn_id(fence),
					       s->timeout_ms);
		nanosleep(&pause, NULL);
	}
}

/* ---- batched commands ---- */

int guest_vn_async_vkDestroyInstance(struct guest_vn_session *s,
				     VkInstance instance)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkDestroyInstance,
		guest_vn_encode_vkDestroyInstance(&s->batch, 0, instance));
}

int guest_vn_async_vkDestroyDevice(struct guest_vn_session *s,
				   VkDevice device)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkDestroyDevice,
		guest_vn_encode_vkDestroyDevice(&s->batch, 0, device));
}

int guest_vn_async_vkFreeMemory(struct guest_vn_session *s, VkDevice device,
				VkDeviceMemory memory)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkFreeMemory,
		guest_vn_encode_vkFreeMemory(&s->batch, 0, device, memory));
}

int guest_vn_async_vkDestroyBuffer(struct guest_vn_session *s,
				   VkDevice device, VkBuffer buffer)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkDestroyBuffer,
		guest_vn_encode_vkDestroyBuffer(&s->batch, 0, device, buffer));
}

int guest_vn_async_vkDestroyCommandPool(struct guest_vn_session *s,
					VkDevice device, VkCommandPool pool)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkDestroyCommandPool,
		guest_vn_encode_vkDestroyCommandPool(&s->batch, 0, device,
						     pool));
}

int guest_vn_async_vkFreeCommandBuffers(struct guest_vn_session *s,
					VkDevice device, VkCommandPool pool,
					uint32_t count,
					const VkCommandBuffer *cmdbufs)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkFreeCommandBuffers,
		guest_vn_encode_vkFreeCommandBuffers(&s->batch, 0, device, pool,
						     count, cmdbufs));
}

int guest_vn_async_vkDestroyFence(struct guest_vn_session *s,
				  VkDevice device, VkFence fence)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkDestroyFence,
		guest_vn_encode_vkDestroyFence(&s->batch, 0, device, fence));
}

int guest_vn_async_vkCmdFillBuffer(struct guest_vn_session *s,
				   VkCommandBuffer cmdbuf, VkBuffer dst,
				   VkDeviceSize offset, VkDeviceSize size,
				   uint32_t data)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkCmdFillBuffer,
		guest_vn_encode_vkCmdFillBuffer(&s->batch, 0, cmdbuf, dst,
						offset, size, data));
}

int guest_vn_async_vkCmdCopyBuffer(struct guest_vn_session *s,
				   VkCommandBuffer cmdbuf, VkBuffer src,
				   VkBuffer dst, uint32_t count,
				   const VkBufferCopy *regions)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkCmdCopyBuffer,
		guest_vn_encode_vkCmdCopyBuffer(&s->batch, 0, cmdbuf, src, dst,
						count, regions));
}

int guest_vn_async_vkCmdPipelineBarrier(struct guest_vn_session *s,
					VkCommandBuffer cmdbuf,
					const struct guest_vn_barriers *b)
{
	return guest_vn__async_result(
		s, GUEST_VN_CMD_vkCmdPipelineBarrier,
		guest_vn_encode_vkCmdPipelineBarrier(&s->batch, 0, cmdbuf, b));
}
