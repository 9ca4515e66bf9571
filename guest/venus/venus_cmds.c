// SPDX-License-Identifier: MIT
/*
 * Venus encoder: device memory, buffers, command pools and buffers,
 * recorded commands, fences and queue submission.  Wire rules and field
 * orders: guest/venus/venus_enc.h.
 */
#include <errno.h>

#include "guest/venus/venus_wire.h"

/* ---- memory ---- */

int guest_vn_encode_vkAllocateMemory(struct guest_vn_enc *e, uint32_t flags,
				     VkDevice device,
				     const VkMemoryAllocateInfo *info,
				     VkDeviceMemory memory)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkAllocateMemory,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(e, info->sType,
				      VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
				      info->pNext);
		guest_vn__u64(e, info->allocationSize);
		guest_vn__u32(e, info->memoryTypeIndex);
	}
	guest_vn__no_allocator(e);
	guest_vn__u64(e, 1);	/* pMemory */
	guest_vn__handle(e, guest_vn_id(memory), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkAllocateMemory(VkDevice device,
					const VkMemoryAllocateInfo *info,
					VkDeviceMemory memory)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkAllocateMemory(&c, 0, device, info, memory) ?
		0 : c.len;
}

int guest_vn_encode_vkFreeMemory(struct guest_vn_enc *e, uint32_t flags,
				 VkDevice device, VkDeviceMemory memory)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkFreeMemory, flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(memory), false);
	guest_vn__no_allocator(e);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkFreeMemory(VkDevice device, VkDeviceMemory memory)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkFreeMemory(&c, 0, device, memory) ? 0 : c.len;
}

/* ---- buffers ---- */

int guest_vn_encode_vkCreateBuffer(struct guest_vn_enc *e, uint32_t flags,
				   VkDevice device,
				   const VkBufferCreateInfo *info,
				   VkBuffer buffer)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCreateBuffer,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(e, info->sType,
				      VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
				      info->pNext);
		guest_vn__u32(e, info->flags);
		guest_vn__u64(e, info->size);
		guest_vn__u32(e, info->usage);
		guest_vn__i32(e, info->sharingMode);
		guest_vn__u32(e, info->queueFamilyIndexCount);
		if (info->pQueueFamilyIndices) {
			guest_vn__array_size(e, info->queueFamilyIndexCount);
			for (uint32_t i = 0; i < info->queueFamilyIndexCount;
			     i++)
				guest_vn__u32(e, info->pQueueFamilyIndices[i]);
		} else {
			/* Only read for VK_SHARING_MODE_CONCURRENT. */
			if (info->sharingMode == VK_SHARING_MODE_CONCURRENT)
				guest_vn__fail(e, -EINVAL);
			guest_vn__array_size(e, 0);
		}
	}
	guest_vn__no_allocator(e);
	guest_vn__u64(e, 1);	/* pBuffer */
	guest_vn__handle(e, guest_vn_id(buffer), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCreateBuffer(VkDevice device,
				      const VkBufferCreateInfo *info,
				      VkBuffer buffer)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCreateBuffer(&c, 0, device, info, buffer) ?
		0 : c.len;
}

int guest_vn_encode_vkDestroyBuffer(struct guest_vn_enc *e, uint32_t flags,
				    VkDevice device, VkBuffer buffer)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkDestroyBuffer,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(buffer), false);
	guest_vn__no_allocator(e);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkDestroyBuffer(VkDevice device, VkBuffer buffer)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkDestroyBuffer(&c, 0, device, buffer) ?
		0 : c.len;
}

int guest_vn_encode_vkBindBufferMemory(struct guest_vn_enc *e, uint32_t flags,
				       VkDevice device, VkBuffer buffer,
				       VkDeviceMemory memory,
				       VkDeviceSize offset)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkBindBufferMemory,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(buffer), false);
	guest_vn__handle(e, guest_vn_id(memory), false);
	guest_vn__u64(e, offset);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkBindBufferMemory(VkDevice device, VkBuffer buffer,
					  VkDeviceMemory memory,
					  VkDeviceSize offset)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkBindBufferMemory(&c, 0, device, buffer,
						  memory, offset) ? 0 : c.len;
}

int guest_vn_encode_vkGetBufferMemoryRequirements(struct guest_vn_enc *e,
						  uint32_t flags,
						  VkDevice device,
						  VkBuffer buffer)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkGetBufferMemoryRequirements, flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(buffer), false);
	guest_vn__u64(e, 1);	/* pMemoryRequirements: output, no fields */
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetBufferMemoryRequirements(VkDevice device,
						     VkBuffer buffer)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetBufferMemoryRequirements(&c, 0, device,
							     buffer) ?
		0 : c.len;
}

/* ---- command pools ---- */

int guest_vn_encode_vkCreateCommandPool(struct guest_vn_enc *e,
					uint32_t flags, VkDevice device,
					const VkCommandPoolCreateInfo *info,
					VkCommandPool pool)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCreateCommandPool,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(
			e, info->sType,
			VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, info->pNext);
		guest_vn__u32(e, info->flags);
		guest_vn__u32(e, info->queueFamilyIndex);
	}
	guest_vn__no_allocator(e);
	guest_vn__u64(e, 1);	/* pCommandPool */
	guest_vn__handle(e, guest_vn_id(pool), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCreateCommandPool(VkDevice device,
					   const VkCommandPoolCreateInfo *info,
					   VkCommandPool pool)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCreateCommandPool(&c, 0, device, info, pool) ?
		0 : c.len;
}

int guest_vn_encode_vkDestroyCommandPool(struct guest_vn_enc *e,
					 uint32_t flags, VkDevice device,
					 VkCommandPool pool)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkDestroyCommandPool, flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(pool), false);
	guest_vn__no_allocator(e);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkDestroyCommandPool(VkDevice device,
					    VkCommandPool pool)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkDestroyCommandPool(&c, 0, device, pool) ?
		0 : c.len;
}

/* ---- command buffers ---- */

int guest_vn_encode_vkAllocateCommandBuffers(
	struct guest_vn_enc *e, uint32_t flags, VkDevice device,
	const VkCommandBufferAllocateInfo *info,
	const VkCommandBuffer *cmdbufs)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkAllocateCommandBuffers, flags);
	uint32_t count = info ? info->commandBufferCount : 0;

	guest_vn__handle(e, guest_vn_id(device), false);
	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(
			e, info->sType,
			VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
			info->pNext);
		guest_vn__handle(e, guest_vn_id(info->commandPool), false);
		guest_vn__i32(e, info->level);
		guest_vn__u32(e, count);
	}
	/* pCommandBuffers: commandBufferCount ids we chose. */
	guest_vn__handle_array(e, count, (const void *const *)cmdbufs);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkAllocateCommandBuffers(
	VkDevice device, const VkCommandBufferAllocateInfo *info,
	const VkCommandBuffer *cmdbufs)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkAllocateCommandBuffers(&c, 0, device, info,
							cmdbufs) ? 0 : c.len;
}

int guest_vn_encode_vkFreeCommandBuffers(struct guest_vn_enc *e,
					 uint32_t flags, VkDevice device,
					 VkCommandPool pool, uint32_t count,
					 const VkCommandBuffer *cmdbufs)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkFreeCommandBuffers, flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(pool), false);
	guest_vn__u32(e, count);
	guest_vn__handle_array(e, count, (const void *const *)cmdbufs);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkFreeCommandBuffers(VkDevice device,
					    VkCommandPool pool, uint32_t count,
					    const VkCommandBuffer *cmdbufs)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkFreeCommandBuffers(&c, 0, device, pool, count,
						    cmdbufs) ? 0 : c.len;
}

int guest_vn_encode_vkBeginCommandBuffer(
	struct guest_vn_enc *e, uint32_t flags, VkCommandBuffer cmdbuf,
	const VkCommandBufferBeginInfo *info)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkBeginCommandBuffer, flags);

	guest_vn__handle(e, guest_vn_id(cmdbuf), false);
	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(
			e, info->sType,
			VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
			info->pNext);
		guest_vn__u32(e, info->flags);
		/* Secondary command buffers are not encoded here. */
		if (info->pInheritanceInfo)
			guest_vn__fail(e, -EOPNOTSUPP);
		guest_vn__ptr(e, NULL);
	}
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkBeginCommandBuffer(
	VkCommandBuffer cmdbuf, const VkCommandBufferBeginInfo *info)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkBeginCommandBuffer(&c, 0, cmdbuf, info) ?
		0 : c.len;
}

int guest_vn_encode_vkEndCommandBuffer(struct guest_vn_enc *e, uint32_t flags,
				       VkCommandBuffer cmdbuf)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkEndCommandBuffer,
					   flags);

	guest_vn__handle(e, guest_vn_id(cmdbuf), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkEndCommandBuffer(VkCommandBuffer cmdbuf)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkEndCommandBuffer(&c, 0, cmdbuf) ? 0 : c.len;
}

int guest_vn_encode_vkCmdFillBuffer(struct guest_vn_enc *e, uint32_t flags,
				    VkCommandBuffer cmdbuf, VkBuffer dst,
				    VkDeviceSize offset, VkDeviceSize size,
				    uint32_t data)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCmdFillBuffer,
					   flags);

	guest_vn__handle(e, guest_vn_id(cmdbuf), false);
	guest_vn__handle(e, guest_vn_id(dst), false);
	guest_vn__u64(e, offset);
	guest_vn__u64(e, size);
	guest_vn__u32(e, data);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCmdFillBuffer(VkCommandBuffer cmdbuf, VkBuffer dst,
				       VkDeviceSize offset, VkDeviceSize size,
				       uint32_t data)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCmdFillBuffer(&c, 0, cmdbuf, dst, offset,
					       size, data) ? 0 : c.len;
}

int guest_vn_encode_vkCmdCopyBuffer(struct guest_vn_enc *e, uint32_t flags,
				    VkCommandBuffer cmdbuf, VkBuffer src,
				    VkBuffer dst, uint32_t count,
				    const VkBufferCopy *regions)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCmdCopyBuffer,
					   flags);

	guest_vn__handle(e, guest_vn_id(cmdbuf), false);
	guest_vn__handle(e, guest_vn_id(src), false);
	guest_vn__handle(e, guest_vn_id(dst), false);
	guest_vn__u32(e, count);
	if (!regions) {
		if (count)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
	} else {
		guest_vn__array_size(e, count);
		for (uint32_t i = 0; i < count; i++) {
			guest_vn__u64(e, regions[i].srcOffset);
			guest_vn__u64(e, regions[i].dstOffset);
			guest_vn__u64(e, regions[i].size);
		}
	}
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCmdCopyBuffer(VkCommandBuffer cmdbuf, VkBuffer src,
				       VkBuffer dst, uint32_t count,
				       const VkBufferCopy *regions)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCmdCopyBuffer(&c, 0, cmdbuf, src, dst, count,
					       regions) ? 0 : c.len;
}

static void encode_memory_barrier(struct guest_vn_enc *e,
				  const VkMemoryBarrier *m)
{
	guest_vn__struct_head(e, m->sType, VK_STRUCTURE_TYPE_MEMORY_BARRIER,
			      m->pNext);
	guest_vn__u32(e, m->srcAccessMask);
	guest_vn__u32(e, m->dstAccessMask);
}

static void encode_buffer_barrier(struct guest_vn_enc *e,
				  const VkBufferMemoryBarrier *b)
{
	guest_vn__struct_head(e, b->sType,
			      VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
			      b->pNext);
	guest_vn__u32(e, b->srcAccessMask);
	guest_vn__u32(e, b->dstAccessMask);
	guest_vn__u32(e, b->srcQueueFamilyIndex);
	guest_vn__u32(e, b->dstQueueFamilyIndex);
	guest_vn__handle(e, guest_vn_id(b->buffer), false);
	guest_vn__u64(e, b->offset);
	guest_vn__u64(e, b->size);
}

int guest_vn_encode_vkCmdPipelineBarrier(struct guest_vn_enc *e,
					 uint32_t flags,
					 VkCommandBuffer cmdbuf,
					 const struct guest_vn_barriers *b)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkCmdPipelineBarrier, flags);

	guest_vn__handle(e, guest_vn_id(cmdbuf), false);
	if (!b) {
		guest_vn__fail(e, -EINVAL);
		return guest_vn__cmd_end(e, start);
	}
	guest_vn__u32(e, b->src_stages);
	guest_vn__u32(e, b->dst_stages);
	guest_vn__u32(e, b->dependency_flags);
	guest_vn__u32(e, b->memory_count);
	if (b->memory) {
		guest_vn__array_size(e, b->memory_count);
		for (uint32_t i = 0; i < b->memory_count; i++)
			encode_memory_barrier(e, &b->memory[i]);
	} else {
		if (b->memory_count)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
	}
	guest_vn__u32(e, b->buffer_count);
	if (b->buffer) {
		guest_vn__array_size(e, b->buffer_count);
		for (uint32_t i = 0; i < b->buffer_count; i++)
			encode_buffer_barrier(e, &b->buffer[i]);
	} else {
		if (b->buffer_count)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
	}
	/* Image barriers carry VkImageSubresourceRange and layouts; no
	 * flow here uses images. */
	if (b->image_count || b->image)
		guest_vn__fail(e, -EOPNOTSUPP);
	guest_vn__u32(e, 0);
	guest_vn__array_size(e, 0);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCmdPipelineBarrier(VkCommandBuffer cmdbuf,
					    const struct guest_vn_barriers *b)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCmdPipelineBarrier(&c, 0, cmdbuf, b) ?
		0 : c.len;
}

/* ---- fences ---- */

int guest_vn_encode_vkCreateFence(struct guest_vn_enc *e, uint32_t flags,
				  VkDevice device,
				  const VkFenceCreateInfo *info, VkFence fence)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCreateFence,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(e, info->sType,
				      VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
				      info->pNext);
		guest_vn__u32(e, info->flags);
	}
	guest_vn__no_allocator(e);
	guest_vn__u64(e, 1);	/* pFence */
	guest_vn__handle(e, guest_vn_id(fence), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCreateFence(VkDevice device,
				     const VkFenceCreateInfo *info,
				     VkFence fence)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCreateFence(&c, 0, device, info, fence) ?
		0 : c.len;
}

int guest_vn_encode_vkDestroyFence(struct guest_vn_enc *e, uint32_t flags,
				   VkDevice device, VkFence fence)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkDestroyFence,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(fence), false);
	guest_vn__no_allocator(e);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkDestroyFence(VkDevice device, VkFence fence)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkDestroyFence(&c, 0, device, fence) ? 0 : c.len;
}

int guest_vn_encode_vkResetFences(struct guest_vn_enc *e, uint32_t flags,
				  VkDevice device, uint32_t count,
				  const VkFence *fences)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkResetFences,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__u32(e, count);
	guest_vn__handle_array(e, count, (const void *const *)fences);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkResetFences(VkDevice device, uint32_t count,
				     const VkFence *fences)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkResetFences(&c, 0, device, count, fences) ?
		0 : c.len;
}

int guest_vn_encode_vkGetFenceStatus(struct guest_vn_enc *e, uint32_t flags,
				     VkDevice device, VkFence fence)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkGetFenceStatus,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__handle(e, guest_vn_id(fence), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetFenceStatus(VkDevice device, VkFence fence)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetFenceStatus(&c, 0, device, fence) ?
		0 : c.len;
}

int guest_vn_encode_vkWaitForFences(struct guest_vn_enc *e, uint32_t flags,
				    VkDevice device, uint32_t count,
				    const VkFence *fences, VkBool32 wait_all,
				    uint64_t timeout)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkWaitForFences,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__u32(e, count);
	guest_vn__handle_array(e, count, (const void *const *)fences);
	guest_vn__u32(e, wait_all);
	guest_vn__u64(e, timeout);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkWaitForFences(VkDevice device, uint32_t count,
				       const VkFence *fences,
				       VkBool32 wait_all, uint64_t timeout)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkWaitForFences(&c, 0, device, count, fences,
					       wait_all, timeout) ? 0 : c.len;
}

/* ---- submission ---- */

static void encode_submit_info(struct guest_vn_enc *e, const VkSubmitInfo *s)
{
	guest_vn__struct_head(e, s->sType, VK_STRUCTURE_TYPE_SUBMIT_INFO,
			      s->pNext);
	guest_vn__u32(e, s->waitSemaphoreCount);
	guest_vn__handle_array(e, s->waitSemaphoreCount,
			       (const void *const *)s->pWaitSemaphores);
	/* pWaitDstStageMask has waitSemaphoreCount flags. */
	if (!s->pWaitDstStageMask) {
		if (s->waitSemaphoreCount)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
	} else {
		guest_vn__array_size(e, s->waitSemaphoreCount);
		for (uint32_t i = 0; i < s->waitSemaphoreCount; i++)
			guest_vn__u32(e, s->pWaitDstStageMask[i]);
	}
	guest_vn__u32(e, s->commandBufferCount);
	guest_vn__handle_array(e, s->commandBufferCount,
			       (const void *const *)s->pCommandBuffers);
	guest_vn__u32(e, s->signalSemaphoreCount);
	guest_vn__handle_array(e, s->signalSemaphoreCount,
			       (const void *const *)s->pSignalSemaphores);
}

int guest_vn_encode_vkQueueSubmit(struct guest_vn_enc *e, uint32_t flags,
				  VkQueue queue, uint32_t count,
				  const VkSubmitInfo *submits, VkFence fence)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkQueueSubmit,
					   flags);

	guest_vn__handle(e, guest_vn_id(queue), false);
	guest_vn__u32(e, count);
	if (!submits) {
		if (count)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
	} else {
		guest_vn__array_size(e, count);
		for (uint32_t i = 0; i < count; i++)
			encode_submit_info(e, &submits[i]);
	}
	guest_vn__handle(e, guest_vn_id(fence), true);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkQueueSubmit(VkQueue queue, uint32_t count,
				     const VkSubmitInfo *submits,
				     VkFence fence)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkQueueSubmit(&c, 0, queue, count, submits,
					     fence) ? 0 : c.len;
}
