// SPDX-License-Identifier: MIT
/*
 * The Vulkan real-driver program: run under `virtgpu-sim exec --venus`,
 * Mesa's unmodified venus driver (libvulkan_virtio.so) takes every call
 * through the shim, kernelmock, the virtqueues and virglrenderer's
 * render server to lavapipe.  TAP; each check looks at bytes or pixels:
 *
 *  1. the Virtio-GPU Venus device is enumerated and a device is created
 *     on it, with two queues when its family has them;
 *  2. vkCmdFillBuffer then vkCmdCopyBuffer on a queue, every dword of the
 *     copy read back through a host-visible mapping;
 *  3. an offscreen image cleared, a region uploaded into it, the whole
 *     image copied out: exact pixels;
 *  4. a triangle drawn through a graphics pipeline (vertex and fragment
 *     shaders as SPIR-V words, vk_spirv.h) into a render pass's cleared
 *     attachment, copied out: exact pixels off the diagonal edge;
 *  5. a timeline semaphore across the two queues (fill on one, copy on
 *     the other after it), waited for on the host, and a fence; on one
 *     queue when the device offers only one (the TAP line says so);
 *  6. memory exported as a dma_buf by one VkDevice and imported by a
 *     second (vk_share.c), or a skip naming what the driver lacks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "vk_share.h"
#include "vk_spirv.h"

#define SIZE (64u << 10)
#define IMG 64u

struct vk {
	VkInstance instance;
	VkPhysicalDevice pdev;
	VkDevice dev;
	VkQueue q[2];
	uint32_t nqueues;	/* 2, or 1 when the device offers one */
	uint32_t family;
	VkCommandPool pool;
	VkPhysicalDeviceMemoryProperties mem;
};

static int test_no;

static void tap(bool ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_no, what);
	fflush(stdout);
}

#define VK_OK(call)                                                      \
	do {                                                             \
		VkResult r_ = (call);                                    \
		if (r_ != VK_SUCCESS) {                                  \
			printf("# %s:%d: %s = %d\n", __FILE__, __LINE__, \
			       #call, r_);                               \
			return false;                                    \
		}                                                        \
	} while (0)

static bool find_venus(struct vk *v)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "virtgpu-sim vk_check",
		.apiVersion = VK_API_VERSION_1_2,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkPhysicalDevice pdevs[8];
	uint32_t n = 8;

	VK_OK(vkCreateInstance(&ici, NULL, &v->instance));
	VK_OK(vkEnumeratePhysicalDevices(v->instance, &n, pdevs));
	for (uint32_t i = 0; i < n; i++) {
		VkPhysicalDeviceProperties p;

		vkGetPhysicalDeviceProperties(pdevs[i], &p);
		printf("# device %u: %s\n", i, p.deviceName);
		if (strncmp(p.deviceName, "Virtio-GPU Venus", 16) == 0)
			v->pdev = pdevs[i];
	}
	return v->pdev != VK_NULL_HANDLE;
}

/* The first family with graphics or compute work, two of its queues
 * when it has them. */
static bool create_device(struct vk *v)
{
	VkQueueFamilyProperties fam[8];
	uint32_t n = 8;
	bool found = false;

	vkGetPhysicalDeviceQueueFamilyProperties(v->pdev, &n, fam);
	for (uint32_t i = 0; i < n && !found; i++) {
		printf("# queue family %u: flags 0x%x, %u queues\n", i,
		       fam[i].queueFlags, fam[i].queueCount);
		if (fam[i].queueFlags & (VK_QUEUE_GRAPHICS_BIT |
					 VK_QUEUE_COMPUTE_BIT)) {
			v->family = i;
			v->nqueues = fam[i].queueCount >= 2 ? 2 : 1;
			found = true;
		}
	}
	if (!found) {
		printf("# no queue family with graphics or compute\n");
		return false;
	}
	const float prio[2] = { 1.0f, 1.0f };
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = v->family,
		.queueCount = v->nqueues,
		.pQueuePriorities = prio,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.timelineSemaphore = VK_TRUE,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.pNext = &f12,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
	};
	VK_OK(vkCreateDevice(v->pdev, &dci, NULL, &v->dev));
	vkGetDeviceQueue(v->dev, v->family, 0, &v->q[0]);
	vkGetDeviceQueue(v->dev, v->family, v->nqueues - 1, &v->q[1]);
	VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = v->family,
	};
	VK_OK(vkCreateCommandPool(v->dev, &pci, NULL, &v->pool));
	vkGetPhysicalDeviceMemoryProperties(v->pdev, &v->mem);
	return true;
}

static bool memory_type(const struct vk *v, uint32_t bits,
			VkMemoryPropertyFlags want, uint32_t *out)
{
	for (uint32_t i = 0; i < v->mem.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (v->mem.memoryTypes[i].propertyFlags & want) == want) {
			*out = i;
			return true;
		}
	return false;
}

struct buf {
	VkBuffer b;
	VkDeviceMemory m;
	uint32_t *map;
};

static bool buffer(const struct vk *v, VkDeviceSize size, struct buf *out)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkMemoryRequirements req;
	uint32_t type;
	void *p;

	VK_OK(vkCreateBuffer(v->dev, &bci, NULL, &out->b));
	vkGetBufferMemoryRequirements(v->dev, out->b, &req);
	if (!memory_type(v, req.memoryTypeBits,
			 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
			 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, &type)) {
		printf("# no host-visible coherent memory type\n");
		return false;
	}
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = type,
	};
	VK_OK(vkAllocateMemory(v->dev, &mai, NULL, &out->m));
	VK_OK(vkBindBufferMemory(v->dev, out->b, out->m, 0));
	VK_OK(vkMapMemory(v->dev, out->m, 0, VK_WHOLE_SIZE, 0, &p));
	out->map = p;
	return true;
}

static void buffer_free(const struct vk *v, struct buf *b)
{
	vkDestroyBuffer(v->dev, b->b, NULL);
	vkFreeMemory(v->dev, b->m, NULL);
}

static bool begin(const struct vk *v, VkCommandBuffer *cb)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = v->pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VK_OK(vkAllocateCommandBuffers(v->dev, &ai, cb));
	VK_OK(vkBeginCommandBuffer(*cb, &bi));
	return true;
}

/* Transfer writes before @dst (a transfer or the host) sees them. */
static void barrier(VkCommandBuffer cb, VkPipelineStageFlags dst,
		    VkAccessFlags access)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = access,
	};
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, dst, 0, 1,
			     &mb, 0, NULL, 0, NULL);
}

static bool submit_wait(const struct vk *v, VkQueue q, VkCommandBuffer cb)
{
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	VkFence f;

	VK_OK(vkEndCommandBuffer(cb));
	VK_OK(vkCreateFence(v->dev, &fci, NULL, &f));
	VK_OK(vkQueueSubmit(q, 1, &si, f));
	VK_OK(vkWaitForFences(v->dev, 1, &f, VK_TRUE, 10000000000ull));
	vkDestroyFence(v->dev, f, NULL);
	vkFreeCommandBuffers(v->dev, v->pool, 1, &cb);
	return true;
}

static bool words_are(const uint32_t *p, size_t n, uint32_t want)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != want) {
			printf("# dword %zu: 0x%08x, expected 0x%08x\n", i, p[i],
			       want);
			return false;
		}
	return true;
}

static bool fill_copy(const struct vk *v)
{
	struct buf a, b;
	VkCommandBuffer cb;

	if (!buffer(v, SIZE, &a) || !buffer(v, SIZE, &b) || !begin(v, &cb))
		return false;
	memset(b.map, 0, SIZE);
	vkCmdFillBuffer(cb, a.b, 0, SIZE, 0xcafef00du);
	barrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
	VkBufferCopy region = { .size = SIZE };
	vkCmdCopyBuffer(cb, a.b, b.b, 1, &region);
	barrier(cb, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
	if (!submit_wait(v, v->q[0], cb))
		return false;
	bool ok = words_are(b.map, SIZE / 4, 0xcafef00du);
	buffer_free(v, &a);
	buffer_free(v, &b);
	return ok;
}

/* Layout transition of the whole image, transfer stages on both sides. */
static void layout(VkCommandBuffer cb, VkImage img, VkImageLayout from,
		   VkImageLayout to, VkAccessFlags src, VkAccessFlags dst)
{
	VkImageMemoryBarrier ib = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.srcAccessMask = src,
		.dstAccessMask = dst,
		.oldLayout = from,
		.newLayout = to,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = img,
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
	};
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT,
			     VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL,
			     1, &ib);
}

/* @px (IMG x IMG) is @outside but for the 16x16 square at (8, 24). */
static bool pixels_are(const uint32_t *px, uint32_t outside, uint32_t square)
{
	for (uint32_t y = 0; y < IMG; y++)
		for (uint32_t x = 0; x < IMG; x++) {
			bool in_sq = x >= 8 && x < 24 && y >= 24 && y < 40;
			uint32_t want = in_sq ? square : outside;

			if (px[y * IMG + x] != want) {
				printf("# pixel (%u, %u): 0x%08x, expected "
				       "0x%08x\n", x, y, px[y * IMG + x], want);
				return false;
			}
		}
	return true;
}

struct image {
	VkImage img;
	VkDeviceMemory mem;
};

/* An IMG x IMG RGBA8 optimal-tiling image with @usage, bound to memory. */
static bool image_create(const struct vk *v, VkImageUsageFlags usage,
			 struct image *im)
{
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = VK_FORMAT_R8G8B8A8_UNORM,
		.extent = { IMG, IMG, 1 },
		.mipLevels = 1,
		.arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_OPTIMAL,
		.usage = usage,
	};
	VkMemoryRequirements req;
	uint32_t type;

	VK_OK(vkCreateImage(v->dev, &ici, NULL, &im->img));
	vkGetImageMemoryRequirements(v->dev, im->img, &req);
	if (!memory_type(v, req.memoryTypeBits, 0, &type))
		return false;
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = type,
	};
	VK_OK(vkAllocateMemory(v->dev, &mai, NULL, &im->mem));
	VK_OK(vkBindImageMemory(v->dev, im->img, im->mem, 0));
	return true;
}

static void image_free(const struct vk *v, struct image *im)
{
	vkDestroyImage(v->dev, im->img, NULL);
	vkFreeMemory(v->dev, im->mem, NULL);
}

/* RGBA8 image: cleared red, a 16x16 blue square uploaded at (8, 24),
 * copied out whole; every pixel checked. */
static bool image_pixels(const struct vk *v)
{
	const uint32_t red = 0xff0000ffu, blue = 0xffff0000u; /* ABGR */
	struct image im;
	struct buf up, out;
	VkCommandBuffer cb;

	if (!image_create(v, VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
			  VK_IMAGE_USAGE_TRANSFER_DST_BIT, &im))
		return false;
	VkImage img = im.img;
	if (!buffer(v, 16 * 16 * 4, &up) || !buffer(v, IMG * IMG * 4, &out) ||
	    !begin(v, &cb))
		return false;
	for (unsigned i = 0; i < 16 * 16; i++)
		up.map[i] = blue;
	memset(out.map, 0, IMG * IMG * 4);
	layout(cb, img, VK_IMAGE_LAYOUT_UNDEFINED,
	       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
	       VK_ACCESS_TRANSFER_WRITE_BIT);
	VkClearColorValue c = { .float32 = { 1.0f, 0.0f, 0.0f, 1.0f } };
	VkImageSubresourceRange range = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 };
	vkCmdClearColorImage(cb, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &c,
			     1, &range);
	barrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT,
		VK_ACCESS_TRANSFER_WRITE_BIT);
	VkBufferImageCopy in = {
		.imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
		.imageOffset = { 8, 24, 0 },
		.imageExtent = { 16, 16, 1 },
	};
	vkCmdCopyBufferToImage(cb, up.b, img,
			       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &in);
	layout(cb, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
	       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
	       VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT);
	VkBufferImageCopy all = {
		.imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
		.imageExtent = { IMG, IMG, 1 },
	};
	vkCmdCopyImageToBuffer(cb, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
			       out.b, 1, &all);
	barrier(cb, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
	if (!submit_wait(v, v->q[0], cb))
		return false;
	bool ok = pixels_are(out.map, red, blue);
	buffer_free(v, &up);
	buffer_free(v, &out);
	image_free(v, &im);
	return ok;
}

/* ---- a draw through a real vertex + fragment pipeline ---- */

struct draw {
	VkShaderModule vs, fs;
	VkRenderPass pass;
	VkPipelineLayout layout;
	VkPipeline pipe;
};

static bool draw_pass(const struct vk *v, struct draw *d)
{
	VkAttachmentDescription att = {
		.format = VK_FORMAT_R8G8B8A8_UNORM,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR,
		.storeOp = VK_ATTACHMENT_STORE_OP_STORE,
		.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
		.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
		.finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
	};
	VkAttachmentReference ref = { 0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL };
	VkSubpassDescription sub = {
		.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
		.colorAttachmentCount = 1,
		.pColorAttachments = &ref,
	};
	/* The copy after the pass waits for its color writes. */
	VkSubpassDependency dep = {
		.srcSubpass = 0, .dstSubpass = VK_SUBPASS_EXTERNAL,
		.srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
		.dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT,
		.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
	};
	VkRenderPassCreateInfo rpci = {
		.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
		.attachmentCount = 1, .pAttachments = &att,
		.subpassCount = 1, .pSubpasses = &sub,
		.dependencyCount = 1, .pDependencies = &dep,
	};
	VkShaderModuleCreateInfo vs = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(vs_spv), .pCode = vs_spv,
	};
	VkShaderModuleCreateInfo fs = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = sizeof(fs_spv), .pCode = fs_spv,
	};
	VkPipelineLayoutCreateInfo plci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
	};
	VK_OK(vkCreateRenderPass(v->dev, &rpci, NULL, &d->pass));
	VK_OK(vkCreateShaderModule(v->dev, &vs, NULL, &d->vs));
	VK_OK(vkCreateShaderModule(v->dev, &fs, NULL, &d->fs));
	VK_OK(vkCreatePipelineLayout(v->dev, &plci, NULL, &d->layout));
	return true;
}

static bool draw_pipeline(const struct vk *v, struct draw *d)
{
	VkPipelineShaderStageCreateInfo st[2] = {
		{ .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
		  .stage = VK_SHADER_STAGE_VERTEX_BIT, .module = d->vs,
		  .pName = "main" },
		{ .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
		  .stage = VK_SHADER_STAGE_FRAGMENT_BIT, .module = d->fs,
		  .pName = "main" },
	};
	VkPipelineVertexInputStateCreateInfo vi = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
	};
	VkPipelineInputAssemblyStateCreateInfo ia = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
		.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
	};
	VkViewport vp = { 0, 0, IMG, IMG, 0, 1 };
	VkRect2D sc = { { 0, 0 }, { IMG, IMG } };
	VkPipelineViewportStateCreateInfo vps = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
		.viewportCount = 1, .pViewports = &vp,
		.scissorCount = 1, .pScissors = &sc,
	};
	VkPipelineRasterizationStateCreateInfo rs = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
		.polygonMode = VK_POLYGON_MODE_FILL,
		.cullMode = VK_CULL_MODE_NONE,
		.lineWidth = 1.0f,
	};
	VkPipelineMultisampleStateCreateInfo ms = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
		.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT,
	};
	VkPipelineColorBlendAttachmentState cba = { .colorWriteMask = 0xf };
	VkPipelineColorBlendStateCreateInfo cb = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
		.attachmentCount = 1, .pAttachments = &cba,
	};
	VkGraphicsPipelineCreateInfo gp = {
		.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
		.stageCount = 2, .pStages = st,
		.pVertexInputState = &vi, .pInputAssemblyState = &ia,
		.pViewportState = &vps, .pRasterizationState = &rs,
		.pMultisampleState = &ms, .pColorBlendState = &cb,
		.layout = d->layout, .renderPass = d->pass,
	};
	VK_OK(vkCreateGraphicsPipelines(v->dev, VK_NULL_HANDLE, 1, &gp, NULL,
					&d->pipe));
	return true;
}

static void draw_free(const struct vk *v, struct draw *d)
{
	vkDestroyPipeline(v->dev, d->pipe, NULL);
	vkDestroyPipelineLayout(v->dev, d->layout, NULL);
	vkDestroyShaderModule(v->dev, d->vs, NULL);
	vkDestroyShaderModule(v->dev, d->fs, NULL);
	vkDestroyRenderPass(v->dev, d->pass, NULL);
}

/* Green where x + y < 63, the clear's red where x + y > 63; the diagonal
 * itself (pixel centres on the edge) is the rasterizer's to decide. */
static bool triangle_is(const uint32_t *px, uint32_t in, uint32_t out)
{
	for (uint32_t y = 0; y < IMG; y++)
		for (uint32_t x = 0; x < IMG; x++) {
			if (x + y == IMG - 1)
				continue;
			uint32_t want = x + y < IMG - 1 ? in : out;

			if (px[y * IMG + x] != want) {
				printf("# pixel (%u, %u): 0x%08x, expected "
				       "0x%08x\n", x, y, px[y * IMG + x], want);
				return false;
			}
		}
	return true;
}

/* An RGBA8 color attachment cleared red in a render pass, one triangle
 * drawn green with vs_spv/fs_spv, copied out: exact pixels. */
static bool draw_triangle(const struct vk *v)
{
	const uint32_t red = 0xff0000ffu, green = 0xff00ff00u; /* ABGR */
	struct draw d = { 0 };
	struct image im;
	struct buf out;
	VkCommandBuffer cb;
	VkImageView view;
	VkFramebuffer fb;

	if (!draw_pass(v, &d) || !draw_pipeline(v, &d) ||
	    !image_create(v, VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
			  VK_IMAGE_USAGE_TRANSFER_SRC_BIT, &im) ||
	    !buffer(v, IMG * IMG * 4, &out) || !begin(v, &cb))
		return false;
	VkImageViewCreateInfo vci = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
		.image = im.img, .viewType = VK_IMAGE_VIEW_TYPE_2D,
		.format = VK_FORMAT_R8G8B8A8_UNORM,
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
	};
	VK_OK(vkCreateImageView(v->dev, &vci, NULL, &view));
	VkFramebufferCreateInfo fci = {
		.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
		.renderPass = d.pass, .attachmentCount = 1,
		.pAttachments = &view, .width = IMG, .height = IMG,
		.layers = 1,
	};
	VK_OK(vkCreateFramebuffer(v->dev, &fci, NULL, &fb));
	memset(out.map, 0, IMG * IMG * 4);
	VkClearValue clear = { .color.float32 = { 1.0f, 0.0f, 0.0f, 1.0f } };
	VkRenderPassBeginInfo rbi = {
		.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
		.renderPass = d.pass, .framebuffer = fb,
		.renderArea = { { 0, 0 }, { IMG, IMG } },
		.clearValueCount = 1, .pClearValues = &clear,
	};
	vkCmdBeginRenderPass(cb, &rbi, VK_SUBPASS_CONTENTS_INLINE);
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_GRAPHICS, d.pipe);
	vkCmdDraw(cb, 3, 1, 0, 0);
	vkCmdEndRenderPass(cb);
	VkBufferImageCopy all = {
		.imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
		.imageExtent = { IMG, IMG, 1 },
	};
	vkCmdCopyImageToBuffer(cb, im.img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
			       out.b, 1, &all);
	barrier(cb, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
	bool ok = submit_wait(v, v->q[0], cb) && triangle_is(out.map, green, red);
	vkDestroyFramebuffer(v->dev, fb, NULL);
	vkDestroyImageView(v->dev, view, NULL);
	image_free(v, &im);
	buffer_free(v, &out);
	draw_free(v, &d);
	return ok;
}


static bool timeline_submit(const struct vk *v, VkQueue q, VkCommandBuffer cb,
			    VkSemaphore sem, uint64_t wait, uint64_t signal,
			    VkFence fence)
{
	VkTimelineSemaphoreSubmitInfo ts = {
		.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
		.waitSemaphoreValueCount = wait ? 1 : 0,
		.pWaitSemaphoreValues = &wait,
		.signalSemaphoreValueCount = 1,
		.pSignalSemaphoreValues = &signal,
	};
	VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.pNext = &ts,
		.waitSemaphoreCount = wait ? 1 : 0,
		.pWaitSemaphores = &sem,
		.pWaitDstStageMask = &stage,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
		.signalSemaphoreCount = 1,
		.pSignalSemaphores = &sem,
	};
	VK_OK(vkEndCommandBuffer(cb));
	VK_OK(vkQueueSubmit(q, 1, &si, fence));
	return true;
}

/* Queue 1 copies after queue 0's fill, ordered only by the timeline;
 * the host waits for value 2 and for queue 1's fence. */
static bool timeline_two_queues(const struct vk *v)
{
	VkSemaphoreTypeCreateInfo type = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
	};
	VkSemaphoreCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
		.pNext = &type,
	};
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkSemaphore sem;
	VkFence fence;
	struct buf a, b;
	VkCommandBuffer fill, copy;
	uint64_t value = 0;

	if (!buffer(v, SIZE, &a) || !buffer(v, SIZE, &b) || !begin(v, &fill) ||
	    !begin(v, &copy))
		return false;
	memset(b.map, 0, SIZE);
	VK_OK(vkCreateSemaphore(v->dev, &sci, NULL, &sem));
	VK_OK(vkCreateFence(v->dev, &fci, NULL, &fence));
	vkCmdFillBuffer(fill, a.b, 0, SIZE, 0x5eed1e55u);
	VkBufferCopy region = { .size = SIZE };
	vkCmdCopyBuffer(copy, a.b, b.b, 1, &region);
	barrier(copy, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
	/* With two queues the waiting submit goes first: the copy must not
	 * run before value 1.  One queue runs its submits in order, so
	 * there the fill goes first (a wait before its signal on the same
	 * queue would never end). */
	if (v->nqueues == 2 &&
	    (!timeline_submit(v, v->q[1], copy, sem, 1, 2, fence) ||
	     !timeline_submit(v, v->q[0], fill, sem, 0, 1, VK_NULL_HANDLE)))
		return false;
	if (v->nqueues == 1 &&
	    (!timeline_submit(v, v->q[0], fill, sem, 0, 1, VK_NULL_HANDLE) ||
	     !timeline_submit(v, v->q[0], copy, sem, 1, 2, fence)))
		return false;
	VkSemaphoreWaitInfo wi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
		.semaphoreCount = 1,
		.pSemaphores = &sem,
		.pValues = &(uint64_t){ 2 },
	};
	VK_OK(vkWaitSemaphores(v->dev, &wi, 10000000000ull));
	VK_OK(vkWaitForFences(v->dev, 1, &fence, VK_TRUE, 10000000000ull));
	VK_OK(vkGetSemaphoreCounterValue(v->dev, sem, &value));
	bool ok = value == 2 && words_are(b.map, SIZE / 4, 0x5eed1e55u);
	if (value != 2)
		printf("# timeline value %llu, expected 2\n",
		       (unsigned long long)value);
	VkCommandBuffer cbs[2] = { fill, copy };
	vkFreeCommandBuffers(v->dev, v->pool, 2, cbs);
	vkDestroyFence(v->dev, fence, NULL);
	vkDestroySemaphore(v->dev, sem, NULL);
	buffer_free(v, &a);
	buffer_free(v, &b);
	return ok;
}

int main(void)
{
	struct vk v = { 0 };

	printf("TAP version 13\n1..6\n");
	bool up = find_venus(&v) && create_device(&v);
	tap(up, "Virtio-GPU Venus enumerated, device created");
	if (!up) {
		for (int i = 2; i <= 6; i++)
			tap(false, "skipped: no device");
		return 1;
	}
	tap(fill_copy(&v), "fill and copy a buffer on a queue: every dword");
	tap(image_pixels(&v), "offscreen image cleared, region uploaded, "
	    "read back: exact pixels");
	tap(draw_triangle(&v), "a triangle drawn with a vertex and fragment "
	    "pipeline (SPIR-V) into a cleared attachment: exact pixels");
	bool tl = timeline_two_queues(&v);
	printf("%s %d - timeline semaphore across %s and a fence: the copy "
	       "sees the fill\n", tl ? "ok" : "not ok", ++test_no,
	       v.nqueues == 2 ? "two queues" : "submits on the device's one "
	       "queue (it offers no second)");
	char why[200] = "";
	int sh = vk_share_check(v.pdev, v.family, why, sizeof(why));

	if (sh < 0)
		printf("ok %d - memory shared between two devices # SKIP %s\n",
		       ++test_no, why);
	else
		printf("%s %d - memory exported as a dma_buf by one device, "
		       "imported by another: the bytes both ways%s%s\n",
		       sh ? "ok" : "not ok", ++test_no, sh ? "" : ": ", why);
	vkDestroyCommandPool(v.dev, v.pool, NULL);
	vkDestroyDevice(v.dev, NULL);
	vkDestroyInstance(v.instance, NULL);
	return test_no == 6 ? 0 : 1;
}
