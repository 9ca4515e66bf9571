// SPDX-License-Identifier: MIT
/*
 * realdriver-vk's memory sharing check (vk_check.c runs it): memory of
 * one VkDevice exported as a dma_buf (VK_KHR_external_memory_fd with
 * VK_EXT_external_memory_dma_buf) and imported by a second VkDevice on
 * the same physical device.  Under venus the fd is a PRIME export of the
 * memory's blob (DRM_IOCTL_PRIME_HANDLE_TO_FD) and the import a
 * PRIME_FD_TO_HANDLE of it, so the bytes are checked both ways through
 * the two devices' own mappings.  Whatever the driver does not offer
 * makes the check a skip naming it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vk_share.h"

#define SHARE_SIZE (64u << 10)
#define DMA_BUF VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT

#define SHARE_OK(call)                                                   \
	do {                                                             \
		VkResult r_ = (call);                                    \
		if (r_ != VK_SUCCESS) {                                  \
			snprintf(why, len, "%s = %d", #call, r_);        \
			return 0;                                        \
		}                                                        \
	} while (0)

struct side {
	VkDevice dev;
	VkBuffer buf;
	VkDeviceMemory mem;
	uint32_t *map;
};

static bool has_extension(VkPhysicalDevice pdev, const char *name)
{
	VkExtensionProperties ext[512];
	uint32_t n = 512;

	if (vkEnumerateDeviceExtensionProperties(pdev, NULL, &n, ext) < 0)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(ext[i].extensionName, name) == 0)
			return true;
	return false;
}

static int device(VkPhysicalDevice pdev, uint32_t family, VkDevice *out,
		  char *why, size_t len)
{
	static const char *const exts[] = {
		VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
		VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
	};
	const float prio = 1.0f;
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = family,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.enabledExtensionCount = 2,
		.ppEnabledExtensionNames = exts,
	};
	SHARE_OK(vkCreateDevice(pdev, &dci, NULL, out));
	return 1;
}

/* A host-visible, coherent memory type among @bits. */
static bool host_type(VkPhysicalDevice pdev, uint32_t bits, uint32_t *out)
{
	const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(pdev, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (mp.memoryTypes[i].propertyFlags & want) == want) {
			*out = i;
			return true;
		}
	return false;
}

/*
 * A buffer of @s->dev with external dma_buf memory: exported when @fd is
 * negative, else imported from @fd (whose memory types @bits allows).
 */
static int side_buffer(VkPhysicalDevice pdev, struct side *s, int fd,
		       uint32_t bits, char *why, size_t len)
{
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = DMA_BUF,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = &ext,
		.size = SHARE_SIZE,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkExportMemoryAllocateInfo exp = {
		.sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO,
		.handleTypes = DMA_BUF,
	};
	VkImportMemoryFdInfoKHR imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
		.handleType = DMA_BUF,
		.fd = fd,
	};
	VkMemoryRequirements req;
	uint32_t type;
	void *p;

	SHARE_OK(vkCreateBuffer(s->dev, &bci, NULL, &s->buf));
	vkGetBufferMemoryRequirements(s->dev, s->buf, &req);
	if (!host_type(pdev, req.memoryTypeBits & bits, &type)) {
		snprintf(why, len, "no host-visible memory type for a%s "
			 "dma_buf buffer", fd < 0 ? "n exportable" :
			 "n imported");
		return -1;
	}
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = fd < 0 ? (const void *)&exp : (const void *)&imp,
		.allocationSize = req.size,
		.memoryTypeIndex = type,
	};
	SHARE_OK(vkAllocateMemory(s->dev, &mai, NULL, &s->mem));
	SHARE_OK(vkBindBufferMemory(s->dev, s->buf, s->mem, 0));
	SHARE_OK(vkMapMemory(s->dev, s->mem, 0, SHARE_SIZE, 0, &p));
	s->map = p;
	return 1;
}

static void side_free(struct side *s)
{
	if (!s->dev)
		return;
	if (s->map)
		vkUnmapMemory(s->dev, s->mem);
	vkDestroyBuffer(s->dev, s->buf, NULL);
	vkFreeMemory(s->dev, s->mem, NULL);
	vkDestroyDevice(s->dev, NULL);
}

static int words_are(const uint32_t *p, uint32_t want, const char *who,
		     char *why, size_t len)
{
	for (uint32_t i = 0; i < SHARE_SIZE / 4; i++)
		if (p[i] != want) {
			snprintf(why, len, "%s: dword %u is 0x%08x, expected "
				 "0x%08x", who, i, p[i], want);
			return 0;
		}
	return 1;
}

/* Export from @a, import into @b: 1, or 0 / -1 with @why. */
static int share(VkPhysicalDevice pdev, struct side *a, struct side *b,
		 char *why, size_t len)
{
	PFN_vkGetMemoryFdKHR get_fd = (PFN_vkGetMemoryFdKHR)
		vkGetDeviceProcAddr(a->dev, "vkGetMemoryFdKHR");
	PFN_vkGetMemoryFdPropertiesKHR fd_props =
		(PFN_vkGetMemoryFdPropertiesKHR)vkGetDeviceProcAddr(
			b->dev, "vkGetMemoryFdPropertiesKHR");
	int ret = side_buffer(pdev, a, -1, ~0u, why, len);

	if (ret != 1)
		return ret;
	for (uint32_t i = 0; i < SHARE_SIZE / 4; i++)
		a->map[i] = 0x5eed0000u + i % 0x10000;
	VkMemoryGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR,
		.memory = a->mem,
		.handleType = DMA_BUF,
	};
	VkMemoryFdPropertiesKHR props = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR,
	};
	int fd = -1;

	SHARE_OK(get_fd(a->dev, &gi, &fd));
	VkResult r = fd_props(b->dev, DMA_BUF, fd, &props);
	if (r == VK_SUCCESS)
		ret = side_buffer(pdev, b, fd, props.memoryTypeBits, why, len);
	else
		snprintf(why, len, "vkGetMemoryFdPropertiesKHR = %d", r);
	if (r != VK_SUCCESS || ret != 1) {
		/* An import that made no memory leaves the fd ours. */
		if (!b->mem)
			close(fd);
		return r != VK_SUCCESS ? 0 : ret;
	}
	for (uint32_t i = 0; i < SHARE_SIZE / 4; i++)
		if (b->map[i] != 0x5eed0000u + i % 0x10000) {
			snprintf(why, len, "importer: dword %u is 0x%08x", i,
				 b->map[i]);
			return 0;
		}
	for (uint32_t i = 0; i < SHARE_SIZE / 4; i++)
		b->map[i] = 0xb0b0cafeu;
	return words_are(a->map, 0xb0b0cafeu, "exporter", why, len);
}

/*
 * Why a venus device offers no external memory.  Mesa's venus driver
 * offers VK_KHR_external_memory_fd and VK_EXT_external_memory_dma_buf
 * only when the renderer's device has VK_EXT_external_memory_dma_buf,
 * VK_EXT_image_drm_format_modifier and VK_EXT_queue_family_foreign
 * (vn_physical_device_init_external_memory and
 * vn_physical_device_get_external_memory_support, Mesa 25).  lavapipe
 * 25.0.7, Debian 13's host driver, lists the first and the last but not
 * VK_EXT_image_drm_format_modifier (its vulkaninfo in the Debian 13
 * root, 2026-12-03).
 */
static const char *why_no_external_memory(void)
{
	return " (Mesa's venus offers external memory only when the host's "
	       "device has VK_EXT_external_memory_dma_buf, "
	       "VK_EXT_image_drm_format_modifier and "
	       "VK_EXT_queue_family_foreign; Debian 13's lavapipe 25.0.7 "
	       "lacks VK_EXT_image_drm_format_modifier)";
}

int vk_share_check(VkPhysicalDevice pdev, uint32_t family, char *why,
		   size_t len)
{
	static const char *const need[] = {
		VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
		VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
	};
	struct side a = { 0 }, b = { 0 };
	int ret;

	for (unsigned i = 0; i < 2; i++)
		if (!has_extension(pdev, need[i])) {
			snprintf(why, len, "the device does not offer %s%s",
				 need[i], why_no_external_memory());
			return -1;
		}
	ret = device(pdev, family, &a.dev, why, len);
	if (ret == 1)
		ret = device(pdev, family, &b.dev, why, len);
	if (ret == 1)
		ret = share(pdev, &a, &b, why, len);
	side_free(&b);
	side_free(&a);
	return ret;
}
