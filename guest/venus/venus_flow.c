// SPDX-License-Identifier: MIT
/*
 * Venus flows on a session (guest/venus/venus.h): instance and physical-device
 * discovery, device and queue, and the GPU fill read back through a guest
 * mapping of device memory exported as a HOST3D blob.
 */
#include <errno.h>
#include <string.h>

#include "guest/venus/venus_int.h"

#define MEMORY_FLAGS \
	(VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | \
	 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)

/* The first memory type with @flags, or UINT32_MAX. */
static uint32_t find_memory_type(const VkPhysicalDeviceMemoryProperties *m,
				 VkMemoryPropertyFlags flags)
{
	for (uint32_t i = 0; i < m->memoryTypeCount; i++)
		if ((m->memoryTypes[i].propertyFlags & flags) == flags)
			return i;
	return UINT32_MAX;
}

static int pick_queue_family(struct guest_vn_session *s, uint32_t *family)
{
	VkQueueFamilyProperties props[8];
	uint32_t n = 8;
	int ret = guest_vn_call_vkGetPhysicalDeviceQueueFamilyProperties(
		s, s->pdev, &n, props);

	if (ret)
		return ret;
	/* Graphics and compute queues support transfers implicitly. */
	const VkQueueFlags usable = VK_QUEUE_GRAPHICS_BIT |
				    VK_QUEUE_COMPUTE_BIT |
				    VK_QUEUE_TRANSFER_BIT;

	for (uint32_t i = 0; i < n; i++)
		if ((props[i].queueFlags & usable) && props[i].queueCount) {
			*family = i;
			return 0;
		}
	return guest_vn__error(s, -ENODEV, "none of the %u queue families "
			       "supports transfers", n);
}

int guest_vn_instance_create(struct guest_vn_session *s, uint32_t api_version,
			     struct guest_vn_instance_info *info)
{
	if (s->instance)
		return guest_vn__error(s, -EBUSY, "the context already has an "
				       "instance (one per venus context)");
	memset(info, 0, sizeof(*info));
	const VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "virtgpu-sim",
		.apiVersion = api_version ? api_version : s->instance_version,
	};
	const VkInstanceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkInstance instance = GUEST_VN_HANDLE(VkInstance,
					      guest_vn_session_new_id(s));
	int ret = guest_vn_call_vkCreateInstance(s, &ci, instance);

	if (ret)
		return ret;
	s->instance = instance;

	uint32_t count = 0;

	ret = guest_vn_call_vkEnumeratePhysicalDevices(s, instance, &count,
						       NULL);
	if (ret)
		return ret;
	if (count == 0)
		return guest_vn__error(s, -ENODEV, "vkEnumeratePhysicalDevices "
				       "reports no physical device");
	/* Ids for all of them: the host assigns ids to every device it
	 * enumerates, and we keep the first. */
	VkPhysicalDevice pdevs[16];

	if (count > 16)
		count = 16;
	for (uint32_t i = 0; i < count; i++)
		pdevs[i] = GUEST_VN_HANDLE(VkPhysicalDevice,
					   guest_vn_session_new_id(s));
	ret = guest_vn_call_vkEnumeratePhysicalDevices(s, instance, &count,
						       pdevs);
	if (ret)
		return ret;
	info->physical_device_count = count;
	info->instance = instance;
	info->physical_device = pdevs[0];
	s->pdev = pdevs[0];
	ret = guest_vn_call_vkGetPhysicalDeviceProperties(s, s->pdev,
							  &info->props);
	if (!ret)
		ret = guest_vn_call_vkGetPhysicalDeviceMemoryProperties(
			s, s->pdev, &info->memory);
	if (!ret)
		ret = pick_queue_family(s, &s->queue_family);
	if (ret)
		return ret;
	s->host_visible_type = find_memory_type(&info->memory, MEMORY_FLAGS);
	info->host_visible_type = s->host_visible_type;
	info->queue_family = s->queue_family;
	return 0;
}

int guest_vn_device_create(struct guest_vn_session *s)
{
	if (!s->pdev)
		return guest_vn__error(s, -EBUSY, "vkCreateDevice needs an "
				       "instance first");
	if (s->device)
		return guest_vn__error(s, -EBUSY, "the session already has a "
				       "device");
	const float priority = 1.0f;
	const VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = s->queue_family,
		.queueCount = 1,
		.pQueuePriorities = &priority,
	};
	const VkDeviceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
	};
	VkDevice device = GUEST_VN_HANDLE(VkDevice,
					  guest_vn_session_new_id(s));
	int ret = guest_vn_call_vkCreateDevice(s, s->pdev, &ci, device);

	if (ret)
		return ret;
	s->device = device;
	/* vkGetDeviceQueue2, as Mesa's venus driver does: virglrenderer
	 * releases after 0.10.4 treat vkGetDeviceQueue as fatal (0.10.4
	 * accepts both; tests/test_venus.c checks vkGetDeviceQueue too).
	 * Wire format 1 also wants the queue bound to a ring of its own
	 * (1..63; ring 0 stays the CPU's, which our fences use), or the
	 * render server loses the context (vkr_queue_assign_ring_idx). */
	const struct guest_vn_queue_timeline_info tl = {
		.sType = GUEST_VN_STYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA,
		.ringIdx = 1,
	};
	const VkDeviceQueueInfo2 qi = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2,
		.pNext = s->wire_format >= 1 ? &tl : NULL,
		.queueFamilyIndex = s->queue_family,
		.queueIndex = 0,
	};
	VkQueue queue = GUEST_VN_HANDLE(VkQueue, guest_vn_session_new_id(s));

	ret = guest_vn_call_vkGetDeviceQueue2(s, device, &qi, queue);
	if (ret)
		return ret;
	s->queue = queue;
	return 0;
}

VkDevice guest_vn_session_device(const struct guest_vn_session *s)
{
	return s->device;
}

VkQueue guest_vn_session_queue(const struct guest_vn_session *s)
{
	return s->queue;
}

int guest_vn_device_destroy(struct guest_vn_session *s)
{
	if (!s->device)
		return 0;
	int ret = guest_vn_async_vkDestroyDevice(s, s->device);

	s->device = VK_NULL_HANDLE;
	s->queue = VK_NULL_HANDLE;
	return ret ? ret : guest_vn_session_sync(s);
}

int guest_vn_instance_destroy(struct guest_vn_session *s)
{
	if (!s->instance)
		return 0;
	if (s->device)
		guest_vn_device_destroy(s);
	int ret = guest_vn_async_vkDestroyInstance(s, s->instance);

	s->instance = VK_NULL_HANDLE;
	s->pdev = VK_NULL_HANDLE;
	return ret ? ret : guest_vn_session_sync(s);
}

/* ---- the fill test ---- */

/* Everything the fill test creates, so that one function releases it. */
struct fill_objects {
	VkDeviceMemory memory;
	uint32_t bo, res;
	void *map;
	VkBuffer src, dst;
	VkCommandPool pool;
	VkCommandBuffer cmdbuf;
	VkFence fence;
};

static void fill_release(struct guest_vn_session *s, struct fill_objects *o,
			 uint64_t size)
{
	VkDevice dev = s->device;

	guest_vn_blob_release(s, o->bo, o->map, size);
	if (o->fence)
		guest_vn_async_vkDestroyFence(s, dev, o->fence);
	if (o->cmdbuf)
		guest_vn_async_vkFreeCommandBuffers(s, dev, o->pool, 1,
						    &o->cmdbuf);
	if (o->pool)
		guest_vn_async_vkDestroyCommandPool(s, dev, o->pool);
	if (o->dst)
		guest_vn_async_vkDestroyBuffer(s, dev, o->dst);
	if (o->src)
		guest_vn_async_vkDestroyBuffer(s, dev, o->src);
	if (o->memory)
		guest_vn_async_vkFreeMemory(s, dev, o->memory);
	guest_vn_session_flush(s);
}

static uint64_t new_id(struct guest_vn_session *s)
{
	return guest_vn_session_new_id(s);
}

/* Memory, its blob and mapping, and the two buffers on its halves. */
static int fill_memory(struct guest_vn_session *s, struct fill_objects *o,
		       uint64_t size, struct guest_vn_fill_result *r,
		       int *map_err)
{
	const VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = size,
		.memoryTypeIndex = s->host_visible_type,
	};
	VkDeviceMemory memory = GUEST_VN_HANDLE(VkDeviceMemory, new_id(s));
	int ret = guest_vn_call_vkAllocateMemory(s, s->device, &mai, memory);

	if (ret)
		return ret;
	o->memory = memory;
	/* The blob names the memory by its object id (blob_id). */
	ret = guest_vn_blob_create(s, guest_vn_id(memory), size, &o->bo,
				   &o->res);
	if (ret)
		return ret;
	r->memory_res_id = o->res;
	*map_err = guest_vn_blob_map(s, o->bo, size, &o->map);
	if (*map_err)
		o->map = NULL;
	r->mapped = !*map_err;

	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size / 2,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkBuffer bufs[2];

	for (int i = 0; i < 2 && !ret; i++) {
		bufs[i] = GUEST_VN_HANDLE(VkBuffer, new_id(s));
		ret = guest_vn_call_vkCreateBuffer(s, s->device, &bci, bufs[i]);
		if (ret)
			break;
		if (i == 0)
			o->src = bufs[0];
		else
			o->dst = bufs[1];
		VkMemoryRequirements req;

		ret = guest_vn_call_vkGetBufferMemoryRequirements(
			s, s->device, bufs[i], &req);
		if (!ret && !(req.memoryTypeBits & (1u << s->host_visible_type)))
			ret = guest_vn__error(s, -ENODEV, "buffers cannot live "
					      "in memory type %u (bits 0x%x)",
					      s->host_visible_type,
					      req.memoryTypeBits);
		if (!ret)
			ret = guest_vn_call_vkBindBufferMemory(
				s, s->device, bufs[i], memory, i * size / 2);
	}
	return ret;
}

/* The command pool and buffer: fill the first half, copy it to the
 * second, with the barriers that make each step see the previous one. */
static int fill_record(struct guest_vn_session *s, struct fill_objects *o,
		       uint64_t size, uint32_t pattern)
{
	const VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = s->queue_family,
	};
	VkCommandPool pool = GUEST_VN_HANDLE(VkCommandPool, new_id(s));
	int ret = guest_vn_call_vkCreateCommandPool(s, s->device, &pci, pool);

	if (ret)
		return ret;
	o->pool = pool;
	const VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBuffer cmdbuf = GUEST_VN_HANDLE(VkCommandBuffer, new_id(s));

	ret = guest_vn_call_vkAllocateCommandBuffers(s, s->device, &cai,
						     &cmdbuf);
	if (ret)
		return ret;
	o->cmdbuf = cmdbuf;
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	const VkBufferCopy region = { 0, 0, size / 2 };
	/* The copy reads what the fill wrote; the host reads what the copy
	 * wrote once the fence has signalled. */
	const VkMemoryBarrier fill_to_copy = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
	};
	const VkMemoryBarrier copy_to_host = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	const struct guest_vn_barriers b1 = {
		.src_stages = VK_PIPELINE_STAGE_TRANSFER_BIT,
		.dst_stages = VK_PIPELINE_STAGE_TRANSFER_BIT,
		.memory_count = 1, .memory = &fill_to_copy,
	};
	const struct guest_vn_barriers b2 = {
		.src_stages = VK_PIPELINE_STAGE_TRANSFER_BIT,
		.dst_stages = VK_PIPELINE_STAGE_HOST_BIT,
		.memory_count = 1, .memory = &copy_to_host,
	};

	ret = guest_vn_call_vkBeginCommandBuffer(s, cmdbuf, &bi);
	if (!ret)
		ret = guest_vn_async_vkCmdFillBuffer(s, cmdbuf, o->src, 0,
						     VK_WHOLE_SIZE, pattern);
	if (!ret)
		ret = guest_vn_async_vkCmdPipelineBarrier(s, cmdbuf, &b1);
	if (!ret)
		ret = guest_vn_async_vkCmdCopyBuffer(s, cmdbuf, o->src, o->dst,
						     1, &region);
	if (!ret)
		ret = guest_vn_async_vkCmdPipelineBarrier(s, cmdbuf, &b2);
	if (!ret)
		ret = guest_vn_call_vkEndCommandBuffer(s, cmdbuf);
	return ret;
}

/* Submit the command buffer with a fence and wait for the fence. */
static int fill_submit(struct guest_vn_session *s, struct fill_objects *o)
{
	const VkFenceCreateInfo fci = {
		.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
	};
	VkFence fence = GUEST_VN_HANDLE(VkFence, new_id(s));
	int ret = guest_vn_call_vkCreateFence(s, s->device, &fci, fence);

	if (ret)
		return ret;
	o->fence = fence;
	const VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &o->cmdbuf,
	};

	ret = guest_vn_call_vkQueueSubmit(s, s->queue, 1, &si, fence);
	if (!ret)
		ret = guest_vn_fence_wait(s, s->device, fence);
	return ret;
}

static void fill_compare(const struct fill_objects *o, uint64_t size,
			 uint32_t pattern, struct guest_vn_fill_result *r)
{
	const volatile uint32_t *words = o->map;

	for (uint64_t i = 0; i < size / 4; i++)
		if (words[i] != pattern) {
			r->mismatch_offset = i * 4;
			r->mismatch_value = words[i];
			break;
		}
	r->checked = size;
}

int guest_vn_fill_test(struct guest_vn_session *s,
		       const struct guest_vn_fill_params *p,
		       struct guest_vn_fill_result *r)
{
	uint64_t size = p->size ? p->size : 64u << 10;
	struct fill_objects o = { 0 };
	int map_err = 0;

	memset(r, 0, sizeof(*r));
	r->mismatch_offset = UINT64_MAX;
	if (!s->device)
		return guest_vn__error(s, -EBUSY, "the fill test needs a "
				       "device (guest_vn_device_create)");
	if (size % 4096)
		return guest_vn__error(s, -EINVAL, "fill size %llu is not a "
				       "multiple of 4096",
				       (unsigned long long)size);
	if (s->host_visible_type == UINT32_MAX)
		return guest_vn__error(s, -ENODEV, "no HOST_VISIBLE|"
				       "HOST_COHERENT memory type");
	/* A mapping that failed still lets the GPU part run; its error is
	 * the result, reported after everything else. */
	char map_msg[sizeof(s->error)] = "";
	int ret = fill_memory(s, &o, size, r, &map_err);

	if (map_err)
		memcpy(map_msg, s->error, sizeof(map_msg));
	if (!ret)
		ret = fill_record(s, &o, size, p->pattern);
	if (!ret)
		ret = fill_submit(s, &o);
	if (!ret && o.map) {
		fill_compare(&o, size, p->pattern, r);
		if (r->mismatch_offset != UINT64_MAX)
			ret = guest_vn__error(
				s, -EIO, "fill pattern 0x%08x not read back: "
				"byte %llu of the mapping holds 0x%08x",
				p->pattern,
				(unsigned long long)r->mismatch_offset,
				r->mismatch_value);
	}
	fill_release(s, &o, size);
	if (!ret && map_err)
		ret = guest_vn__error(s, map_err, "mapping the memory blob "
				      "(resource %u, %llu bytes): %s", o.res,
				      (unsigned long long)size, map_msg);
	return ret;
}
