// SPDX-License-Identifier: MIT
/*
 * Venus encoder: the byte buffer, the wire primitives, and the transport,
 * instance, physical-device, device and queue-retrieval commands.  Wire
 * rules and field orders: guest/venus/venus_enc.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "guest/venus/venus_wire.h"

/* ---- buffer ---- */

void guest_vn_enc_init(struct guest_vn_enc *e)
{
	memset(e, 0, sizeof(*e));
}

void guest_vn_enc_init_counter(struct guest_vn_enc *e)
{
	memset(e, 0, sizeof(*e));
	e->counting = true;
}

void guest_vn_enc_fini(struct guest_vn_enc *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

void guest_vn_enc_reset(struct guest_vn_enc *e)
{
	e->len = 0;
	e->error = 0;
}

/* Room for @n more bytes, or -ENOMEM recorded. */
static bool reserve(struct guest_vn_enc *e, size_t n)
{
	if (e->error)
		return false;
	if (n > SIZE_MAX / 2 - e->len) {
		guest_vn__fail(e, -ENOMEM);
		return false;
	}
	if (e->counting || e->len + n <= e->cap)
		return true;
	size_t cap = e->cap ? e->cap : 256;
	while (cap < e->len + n)
		cap *= 2;
	uint8_t *buf = realloc(e->buf, cap);
	if (!buf) {
		guest_vn__fail(e, -ENOMEM);
		return false;
	}
	e->buf = buf;
	e->cap = cap;
	return true;
}

/* ---- primitives ---- */

void guest_vn__fail(struct guest_vn_enc *e, int err)
{
	if (!e->error)
		e->error = err;
}

void guest_vn__put(struct guest_vn_enc *e, const void *p, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	if (n > SIZE_MAX - 3 || !reserve(e, padded))
		return;
	if (!e->counting) {
		if (n)
			memcpy(e->buf + e->len, p, n);
		memset(e->buf + e->len + n, 0, padded - n);
	}
	e->len += padded;
}

void guest_vn__u32(struct guest_vn_enc *e, uint32_t v)
{
	uint32_t le = htole32(v);

	guest_vn__put(e, &le, sizeof(le));
}

void guest_vn__u64(struct guest_vn_enc *e, uint64_t v)
{
	uint64_t le = htole64(v);

	guest_vn__put(e, &le, sizeof(le));
}

void guest_vn__handle(struct guest_vn_enc *e, uint64_t id, bool optional)
{
	/* Object id 0 is VK_NULL_HANDLE; the host refuses it for an object
	 * that must exist (virglrenderer: "invalid object id"). */
	if (!id && !optional)
		guest_vn__fail(e, -EINVAL);
	guest_vn__u64(e, id);
}

void guest_vn__string(struct guest_vn_enc *e, const char *s)
{
	if (!s) {
		guest_vn__fail(e, -EINVAL);
		return;
	}
	size_t n = strlen(s) + 1;

	guest_vn__array_size(e, n);
	guest_vn__put(e, s, n);
}

void guest_vn__string_array(struct guest_vn_enc *e, uint32_t count,
			    const char *const *names)
{
	if (!names) {
		if (count)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
		return;
	}
	guest_vn__array_size(e, count);
	for (uint32_t i = 0; i < count; i++)
		guest_vn__string(e, names[i]);
}

void guest_vn__handle_array(struct guest_vn_enc *e, uint32_t count,
			    const void *const *handles)
{
	if (!handles) {
		if (count)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
		return;
	}
	guest_vn__array_size(e, count);
	for (uint32_t i = 0; i < count; i++)
		guest_vn__handle(e, guest_vn_id(handles[i]), false);
}

void guest_vn__struct_head(struct guest_vn_enc *e, VkStructureType stype,
			   VkStructureType want, const void *pnext)
{
	if (stype != want)
		guest_vn__fail(e, -EINVAL);
	if (pnext)
		guest_vn__fail(e, -EOPNOTSUPP);
	guest_vn__i32(e, (int32_t)want);
	guest_vn__ptr(e, NULL);
}

bool guest_vn__required(struct guest_vn_enc *e, const void *p)
{
	if (!p)
		guest_vn__fail(e, -EINVAL);
	return guest_vn__ptr(e, p);
}

size_t guest_vn__cmd_begin(struct guest_vn_enc *e, uint32_t type,
			   uint32_t flags)
{
	size_t start = e->len;

	e->error = 0;
	if (flags & ~GUEST_VN_CMD_GENERATE_REPLY)
		guest_vn__fail(e, -EINVAL);
	guest_vn__u32(e, type);
	guest_vn__u32(e, flags);
	return start;
}

int guest_vn__cmd_end(struct guest_vn_enc *e, size_t start)
{
	int err = e->error;

	if (err) {
		e->len = start;
		e->error = 0;
	}
	return err;
}

int guest_vn_encode_dwords(struct guest_vn_enc *e, const uint32_t *dw,
			   size_t n)
{
	size_t start = e->len;

	e->error = 0;
	if (!dw && n)
		guest_vn__fail(e, -EINVAL);
	for (size_t i = 0; i < n && !e->error; i++)
		guest_vn__u32(e, dw[i]);
	return guest_vn__cmd_end(e, start);
}

/* ---- names for messages ---- */

const char *guest_vn_command_name(uint32_t type)
{
	switch (type) {
#define VN_CMD(name, id) case id: return #name;
#include "guest/venus/venus_cmd_ids.def"
#undef VN_CMD
	}
	return NULL;
}

const char *guest_vn_result_name(VkResult r)
{
	static __thread char other[32];

	switch ((int)r) {
#define N(x) case x: return #x
	N(VK_SUCCESS); N(VK_NOT_READY); N(VK_TIMEOUT); N(VK_EVENT_SET);
	N(VK_EVENT_RESET); N(VK_INCOMPLETE);
	N(VK_ERROR_OUT_OF_HOST_MEMORY); N(VK_ERROR_OUT_OF_DEVICE_MEMORY);
	N(VK_ERROR_INITIALIZATION_FAILED); N(VK_ERROR_DEVICE_LOST);
	N(VK_ERROR_MEMORY_MAP_FAILED); N(VK_ERROR_LAYER_NOT_PRESENT);
	N(VK_ERROR_EXTENSION_NOT_PRESENT); N(VK_ERROR_FEATURE_NOT_PRESENT);
	N(VK_ERROR_INCOMPATIBLE_DRIVER); N(VK_ERROR_TOO_MANY_OBJECTS);
	N(VK_ERROR_FORMAT_NOT_SUPPORTED); N(VK_ERROR_FRAGMENTED_POOL);
	N(VK_ERROR_UNKNOWN); N(VK_ERROR_OUT_OF_POOL_MEMORY);
	N(VK_ERROR_INVALID_EXTERNAL_HANDLE);
	N(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS);
#undef N
	}
	snprintf(other, sizeof(other), "VkResult(%d)", (int)r);
	return other;
}

/* ---- transport ---- */

int guest_vn_encode_vkSetReplyCommandStreamMESA(
	struct guest_vn_enc *e, uint32_t flags,
	const struct guest_vn_stream_desc *stream)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkSetReplyCommandStreamMESA, flags);

	if (guest_vn__required(e, stream)) {
		guest_vn__u32(e, stream->resource_id);
		guest_vn__u64(e, stream->offset);	/* size_t */
		guest_vn__u64(e, stream->size);		/* size_t */
	}
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkSetReplyCommandStreamMESA(
	const struct guest_vn_stream_desc *stream)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkSetReplyCommandStreamMESA(&c, 0, stream) ?
		0 : c.len;
}

int guest_vn_encode_vkSeekReplyCommandStreamMESA(struct guest_vn_enc *e,
						 uint32_t flags,
						 uint64_t position)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkSeekReplyCommandStreamMESA, flags);

	guest_vn__u64(e, position);	/* size_t */
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkSeekReplyCommandStreamMESA(uint64_t position)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkSeekReplyCommandStreamMESA(&c, 0, position) ?
		0 : c.len;
}

/* ---- instance ---- */

int guest_vn_encode_vkEnumerateInstanceVersion(struct guest_vn_enc *e,
					       uint32_t flags)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkEnumerateInstanceVersion, flags);

	guest_vn__u64(e, 1);	/* pApiVersion: present, output only */
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkEnumerateInstanceVersion(void)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkEnumerateInstanceVersion(&c, 0) ? 0 : c.len;
}

static void encode_application_info(struct guest_vn_enc *e,
				    const VkApplicationInfo *app)
{
	guest_vn__struct_head(e, app->sType, VK_STRUCTURE_TYPE_APPLICATION_INFO,
			      app->pNext);
	if (app->pApplicationName)	/* optional string: size 0 is NULL */
		guest_vn__string(e, app->pApplicationName);
	else
		guest_vn__array_size(e, 0);
	guest_vn__u32(e, app->applicationVersion);
	if (app->pEngineName)
		guest_vn__string(e, app->pEngineName);
	else
		guest_vn__array_size(e, 0);
	guest_vn__u32(e, app->engineVersion);
	guest_vn__u32(e, app->apiVersion);
}

int guest_vn_encode_vkCreateInstance(struct guest_vn_enc *e, uint32_t flags,
				     const VkInstanceCreateInfo *info,
				     VkInstance instance)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCreateInstance,
					   flags);

	if (guest_vn__required(e, info)) {
		guest_vn__struct_head(e, info->sType,
				      VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
				      info->pNext);
		guest_vn__u32(e, info->flags);
		if (guest_vn__ptr(e, info->pApplicationInfo))
			encode_application_info(e, info->pApplicationInfo);
		guest_vn__u32(e, info->enabledLayerCount);
		guest_vn__string_array(e, info->enabledLayerCount,
				       info->ppEnabledLayerNames);
		guest_vn__u32(e, info->enabledExtensionCount);
		guest_vn__string_array(e, info->enabledExtensionCount,
				       info->ppEnabledExtensionNames);
	}
	guest_vn__no_allocator(e);
	guest_vn__ptr(e, instance);	/* pInstance: the id we chose */
	guest_vn__handle(e, guest_vn_id(instance), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCreateInstance(const VkInstanceCreateInfo *info,
					VkInstance instance)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCreateInstance(&c, 0, info, instance) ?
		0 : c.len;
}

int guest_vn_encode_vkDestroyInstance(struct guest_vn_enc *e, uint32_t flags,
				      VkInstance instance)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkDestroyInstance,
					   flags);

	guest_vn__handle(e, guest_vn_id(instance), false);
	guest_vn__no_allocator(e);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkDestroyInstance(VkInstance instance)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkDestroyInstance(&c, 0, instance) ? 0 : c.len;
}

int guest_vn_encode_vkEnumeratePhysicalDevices(struct guest_vn_enc *e,
					       uint32_t flags,
					       VkInstance instance,
					       uint32_t count,
					       const VkPhysicalDevice *devices)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkEnumeratePhysicalDevices, flags);

	guest_vn__handle(e, guest_vn_id(instance), false);
	guest_vn__u64(e, 1);		/* pPhysicalDeviceCount: present */
	guest_vn__u32(e, count);
	if (devices)
		guest_vn__handle_array(e, count,
				       (const void *const *)devices);
	else
		guest_vn__array_size(e, 0);	/* query the count */
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkEnumeratePhysicalDevices(
	VkInstance instance, uint32_t count, const VkPhysicalDevice *devices)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkEnumeratePhysicalDevices(&c, 0, instance,
							  count, devices) ?
		0 : c.len;
}

int guest_vn_encode_vkGetPhysicalDeviceProperties(struct guest_vn_enc *e,
						  uint32_t flags,
						  VkPhysicalDevice pdev)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkGetPhysicalDeviceProperties, flags);

	guest_vn__handle(e, guest_vn_id(pdev), false);
	/* pProperties: present; its partial encoding is empty (no sType,
	 * and the limits hold no fixed arrays of structs). */
	guest_vn__u64(e, 1);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetPhysicalDeviceProperties(VkPhysicalDevice pdev)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetPhysicalDeviceProperties(&c, 0, pdev) ?
		0 : c.len;
}

int guest_vn_encode_vkGetPhysicalDeviceQueueFamilyProperties(
	struct guest_vn_enc *e, uint32_t flags, VkPhysicalDevice pdev,
	uint32_t count, bool with_properties)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkGetPhysicalDeviceQueueFamilyProperties, flags);

	guest_vn__handle(e, guest_vn_id(pdev), false);
	guest_vn__u64(e, 1);		/* pQueueFamilyPropertyCount */
	guest_vn__u32(e, count);
	/* pQueueFamilyProperties: @count output structs whose partial
	 * encoding is empty, so only the array size travels. */
	guest_vn__array_size(e, with_properties ? count : 0);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetPhysicalDeviceQueueFamilyProperties(
	VkPhysicalDevice pdev, uint32_t count, bool with_properties)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetPhysicalDeviceQueueFamilyProperties(
		       &c, 0, pdev, count, with_properties) ? 0 : c.len;
}

int guest_vn_encode_vkGetPhysicalDeviceMemoryProperties(
	struct guest_vn_enc *e, uint32_t flags, VkPhysicalDevice pdev)
{
	size_t start = guest_vn__cmd_begin(
		e, GUEST_VN_CMD_vkGetPhysicalDeviceMemoryProperties, flags);

	guest_vn__handle(e, guest_vn_id(pdev), false);
	guest_vn__u64(e, 1);	/* pMemoryProperties: present */
	/* Its partial encoding: the sizes of the fixed memoryTypes and
	 * memoryHeaps arrays (their elements encode nothing). */
	guest_vn__array_size(e, VK_MAX_MEMORY_TYPES);
	guest_vn__array_size(e, VK_MAX_MEMORY_HEAPS);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetPhysicalDeviceMemoryProperties(
	VkPhysicalDevice pdev)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetPhysicalDeviceMemoryProperties(&c, 0,
								   pdev) ?
		0 : c.len;
}

/* ---- device ---- */

static void encode_queue_create_info(struct guest_vn_enc *e,
				     const VkDeviceQueueCreateInfo *q)
{
	guest_vn__struct_head(e, q->sType,
			      VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
			      q->pNext);
	guest_vn__u32(e, q->flags);
	guest_vn__u32(e, q->queueFamilyIndex);
	guest_vn__u32(e, q->queueCount);
	if (!q->pQueuePriorities) {
		if (q->queueCount)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
		return;
	}
	guest_vn__array_size(e, q->queueCount);
	for (uint32_t i = 0; i < q->queueCount; i++)
		guest_vn__f32(e, q->pQueuePriorities[i]);
}

static void encode_device_create_info(struct guest_vn_enc *e,
				      const VkDeviceCreateInfo *info)
{
	guest_vn__struct_head(e, info->sType,
			      VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
			      info->pNext);
	guest_vn__u32(e, info->flags);
	guest_vn__u32(e, info->queueCreateInfoCount);
	if (!info->pQueueCreateInfos) {
		if (info->queueCreateInfoCount)
			guest_vn__fail(e, -EINVAL);
		guest_vn__array_size(e, 0);
	} else {
		guest_vn__array_size(e, info->queueCreateInfoCount);
		for (uint32_t i = 0; i < info->queueCreateInfoCount; i++)
			encode_queue_create_info(e,
						 &info->pQueueCreateInfos[i]);
	}
	guest_vn__u32(e, info->enabledLayerCount);
	guest_vn__string_array(e, info->enabledLayerCount,
			       info->ppEnabledLayerNames);
	guest_vn__u32(e, info->enabledExtensionCount);
	guest_vn__string_array(e, info->enabledExtensionCount,
			       info->ppEnabledExtensionNames);
	/* VkPhysicalDeviceFeatures is 55 VkBool32 in declaration order. */
	if (guest_vn__ptr(e, info->pEnabledFeatures)) {
		const VkBool32 *f = (const VkBool32 *)info->pEnabledFeatures;

		for (size_t i = 0; i < sizeof(VkPhysicalDeviceFeatures) /
					       sizeof(VkBool32); i++)
			guest_vn__u32(e, f[i]);
	}
}

int guest_vn_encode_vkCreateDevice(struct guest_vn_enc *e, uint32_t flags,
				   VkPhysicalDevice pdev,
				   const VkDeviceCreateInfo *info,
				   VkDevice device)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkCreateDevice,
					   flags);

	guest_vn__handle(e, guest_vn_id(pdev), false);
	if (guest_vn__required(e, info))
		encode_device_create_info(e, info);
	guest_vn__no_allocator(e);
	guest_vn__ptr(e, device);
	guest_vn__handle(e, guest_vn_id(device), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkCreateDevice(VkPhysicalDevice pdev,
				      const VkDeviceCreateInfo *info,
				      VkDevice device)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkCreateDevice(&c, 0, pdev, info, device) ?
		0 : c.len;
}

int guest_vn_encode_vkDestroyDevice(struct guest_vn_enc *e, uint32_t flags,
				    VkDevice device)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkDestroyDevice,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__no_allocator(e);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkDestroyDevice(VkDevice device)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkDestroyDevice(&c, 0, device) ? 0 : c.len;
}

int guest_vn_encode_vkGetDeviceQueue(struct guest_vn_enc *e, uint32_t flags,
				     VkDevice device, uint32_t family,
				     uint32_t index, VkQueue queue)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkGetDeviceQueue,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	guest_vn__u32(e, family);
	guest_vn__u32(e, index);
	guest_vn__ptr(e, queue);
	guest_vn__handle(e, guest_vn_id(queue), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetDeviceQueue(VkDevice device, uint32_t family,
					uint32_t index, VkQueue queue)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetDeviceQueue(&c, 0, device, family, index,
						queue) ? 0 : c.len;
}

int guest_vn_encode_vkGetDeviceQueue2(struct guest_vn_enc *e, uint32_t flags,
				      VkDevice device,
				      const VkDeviceQueueInfo2 *info,
				      VkQueue queue)
{
	size_t start = guest_vn__cmd_begin(e, GUEST_VN_CMD_vkGetDeviceQueue2,
					   flags);

	guest_vn__handle(e, guest_vn_id(device), false);
	if (guest_vn__required(e, info)) {
		const struct guest_vn_queue_timeline_info *tl = info->pNext;

		if (info->sType != VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2)
			guest_vn__fail(e, -EINVAL);
		if (tl && (tl->sType !=
			   GUEST_VN_STYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA ||
			   tl->pNext))
			guest_vn__fail(e, -EOPNOTSUPP);
		guest_vn__i32(e, VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2);
		/* pNext: a pointer, then the chained struct's sType, its
		 * own (NULL) pNext and its fields */
		if (guest_vn__ptr(e, tl)) {
			guest_vn__i32(e, (int32_t)tl->sType);
			guest_vn__ptr(e, NULL);
			guest_vn__u32(e, tl->ringIdx);
		}
		guest_vn__u32(e, info->flags);
		guest_vn__u32(e, info->queueFamilyIndex);
		guest_vn__u32(e, info->queueIndex);
	}
	guest_vn__ptr(e, queue);
	guest_vn__handle(e, guest_vn_id(queue), false);
	return guest_vn__cmd_end(e, start);
}

size_t guest_vn_sizeof_vkGetDeviceQueue2(VkDevice device,
					 const VkDeviceQueueInfo2 *info,
					 VkQueue queue)
{
	struct guest_vn_enc c;

	guest_vn_enc_init_counter(&c);
	return guest_vn_encode_vkGetDeviceQueue2(&c, 0, device, info, queue) ?
		0 : c.len;
}
