// SPDX-License-Identifier: MIT
/*
 * Venus reply decoders.  Every read is bounds-checked; every count the
 * host echoes is checked against what was asked; fixed-size strings must
 * be NUL-terminated.  A failure leaves -EPROTO in d->error and a message
 * naming the command, the field and the byte offset in d->msg.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest/venus/venus_enc.h"

void guest_vn_dec_init(struct guest_vn_dec *d, const void *buf, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->len = len;
}

static void dec_fail(struct guest_vn_dec *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dec_fail(struct guest_vn_dec *d, const char *fmt, ...)
{
	if (d->error)
		return;
	d->error = -EPROTO;
	int n = snprintf(d->msg, sizeof(d->msg), "reply byte %zu: ", d->pos);
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(d->msg))
		vsnprintf(d->msg + n, sizeof(d->msg) - n, fmt, ap);
	va_end(ap);
}

/* @n bytes (read padded to 4) into @out, which may be NULL to skip. */
static bool dec_bytes(struct guest_vn_dec *d, const char *what, void *out,
		      size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	if (d->error)
		return false;
	if (padded > d->len - d->pos) {
		dec_fail(d, "%s: %zu bytes needed, the reply ends after %zu",
			 what, padded, d->len - d->pos);
		return false;
	}
	if (out)
		memcpy(out, d->buf + d->pos, n);
	d->pos += padded;
	return true;
}

static bool dec_u32(struct guest_vn_dec *d, const char *what, uint32_t *v)
{
	uint32_t le = 0;
	bool ok = dec_bytes(d, what, &le, sizeof(le));

	*v = le32toh(le);
	return ok;
}

static bool dec_u64(struct guest_vn_dec *d, const char *what, uint64_t *v)
{
	uint64_t le = 0;
	bool ok = dec_bytes(d, what, &le, sizeof(le));

	*v = le64toh(le);
	return ok;
}

/* An array size or pointer count that must be @want. */
static bool dec_count(struct guest_vn_dec *d, const char *what,
		      uint64_t want)
{
	uint64_t n;

	if (!dec_u64(d, what, &n))
		return false;
	if (n != want) {
		d->pos -= 8;
		dec_fail(d, "%s: count %llu, expected %llu", what,
			 (unsigned long long)n, (unsigned long long)want);
		return false;
	}
	return true;
}

/* A handle that must echo the id we sent. */
static bool dec_handle(struct guest_vn_dec *d, const char *what,
		       uint64_t want)
{
	uint64_t id;

	if (!dec_u64(d, what, &id))
		return false;
	if (id != want) {
		d->pos -= 8;
		dec_fail(d, "%s: object id %llu, expected %llu", what,
			 (unsigned long long)id, (unsigned long long)want);
		return false;
	}
	return true;
}

int guest_vn_decode_reply_header(struct guest_vn_dec *d, uint32_t type,
				 VkResult *result)
{
	uint32_t got;

	if (!dec_u32(d, "command type", &got))
		return d->error;
	if (got != type) {
		const char *g = guest_vn_command_name(got);

		d->pos -= 4;
		dec_fail(d, "reply to %s (%u) where %s was expected",
			 g ? g : "an unknown command", got,
			 guest_vn_command_name(type));
		return d->error;
	}
	if (result) {
		uint32_t r;

		if (dec_u32(d, "VkResult", &r))
			*result = (VkResult)(int32_t)r;
	}
	return d->error;
}

int guest_vn_decode_void_reply(struct guest_vn_dec *d, uint32_t type,
			       VkResult *result)
{
	return guest_vn_decode_reply_header(d, type, result);
}

int guest_vn_decode_handle_reply(struct guest_vn_dec *d, uint32_t type,
				 VkResult *result, uint64_t id)
{
	if (guest_vn_decode_reply_header(d, type, result))
		return d->error;
	if (dec_count(d, "handle pointer", 1))
		dec_handle(d, "handle", id);
	return d->error;
}

int guest_vn_decode_vkEnumerateInstanceVersion_reply(struct guest_vn_dec *d,
						     VkResult *result,
						     uint32_t *version)
{
	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkEnumerateInstanceVersion, result))
		return d->error;
	if (dec_count(d, "pApiVersion", 1))
		dec_u32(d, "apiVersion", version);
	return d->error;
}

int guest_vn_decode_vkEnumeratePhysicalDevices_reply(
	struct guest_vn_dec *d, VkResult *result, uint32_t *count,
	const VkPhysicalDevice *devices)
{
	uint32_t cap = *count, n;
	uint64_t size;

	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkEnumeratePhysicalDevices, result))
		return d->error;
	if (!dec_count(d, "pPhysicalDeviceCount", 1) ||
	    !dec_u32(d, "physicalDeviceCount", &n))
		return d->error;
	if (devices && n > cap) {
		d->pos -= 4;
		dec_fail(d, "physicalDeviceCount %u exceeds the %u asked for",
			 n, cap);
		return d->error;
	}
	*count = n;
	if (!dec_u64(d, "pPhysicalDevices size", &size))
		return d->error;
	if (!devices) {
		if (size)
			dec_fail(d, "%llu physical devices returned, none "
				 "asked for", (unsigned long long)size);
		return d->error;
	}
	if (size != n) {
		dec_fail(d, "pPhysicalDevices: %llu ids for a count of %u",
			 (unsigned long long)size, n);
		return d->error;
	}
	for (uint32_t i = 0; i < n && !d->error; i++)
		dec_handle(d, "physical device", guest_vn_id(devices[i]));
	return d->error;
}

/* VkPhysicalDeviceLimits in declaration order (vulkan_core.h): 4-byte
 * scalars (uint32_t, int32_t, float, VkBool32, flags), 8-byte scalars
 * (VkDeviceSize, size_t) and fixed arrays of 4-byte values, which the
 * wire precedes with their u64 size. */
struct limit_field {
	const char *name;
	unsigned short offset;
	unsigned char width;	/* bytes of one element: 4 or 8 */
	unsigned char n;	/* array length; 0 for a scalar */
};

#define W4(f) { #f, offsetof(VkPhysicalDeviceLimits, f), 4, 0 }
#define W8(f) { #f, offsetof(VkPhysicalDeviceLimits, f), 8, 0 }
#define A4(f, len) { #f, offsetof(VkPhysicalDeviceLimits, f), 4, len }
static const struct limit_field limit_fields[] = {
	W4(maxImageDimension1D), W4(maxImageDimension2D),
	W4(maxImageDimension3D), W4(maxImageDimensionCube),
	W4(maxImageArrayLayers), W4(maxTexelBufferElements),
	W4(maxUniformBufferRange), W4(maxStorageBufferRange),
	W4(maxPushConstantsSize), W4(maxMemoryAllocationCount),
	W4(maxSamplerAllocationCount), W8(bufferImageGranularity),
	W8(sparseAddressSpaceSize), W4(maxBoundDescriptorSets),
	W4(maxPerStageDescriptorSamplers),
	W4(maxPerStageDescriptorUniformBuffers),
	W4(maxPerStageDescriptorStorageBuffers),
	W4(maxPerStageDescriptorSampledImages),
	W4(maxPerStageDescriptorStorageImages),
	W4(maxPerStageDescriptorInputAttachments),
	W4(maxPerStageResources), W4(maxDescriptorSetSamplers),
	W4(maxDescriptorSetUniformBuffers),
	W4(maxDescriptorSetUniformBuffersDynamic),
	W4(maxDescriptorSetStorageBuffers),
	W4(maxDescriptorSetStorageBuffersDynamic),
	W4(maxDescriptorSetSampledImages),
	W4(maxDescriptorSetStorageImages),
	W4(maxDescriptorSetInputAttachments),
	W4(maxVertexInputAttributes), W4(maxVertexInputBindings),
	W4(maxVertexInputAttributeOffset),
	W4(maxVertexInputBindingStride), W4(maxVertexOutputComponents),
	W4(maxTessellationGenerationLevel), W4(maxTessellationPatchSize),
	W4(maxTessellationControlPerVertexInputComponents),
	W4(maxTessellationControlPerVertexOutputComponents),
	W4(maxTessellationControlPerPatchOutputComponents),
	W4(maxTessellationControlTotalOutputComponents),
	W4(maxTessellationEvaluationInputComponents),
	W4(maxTessellationEvaluationOutputComponents),
	W4(maxGeometryShaderInvocations), W4(maxGeometryInputComponents),
	W4(maxGeometryOutputComponents), W4(maxGeometryOutputVertices),
	W4(maxGeometryTotalOutputComponents),
	W4(maxFragmentInputComponents), W4(maxFragmentOutputAttachments),
	W4(maxFragmentDualSrcAttachments),
	W4(maxFragmentCombinedOutputResources),
	W4(maxComputeSharedMemorySize), A4(maxComputeWorkGroupCount, 3),
	W4(maxComputeWorkGroupInvocations), A4(maxComputeWorkGroupSize,
	3), W4(subPixelPrecisionBits), W4(subTexelPrecisionBits),
	W4(mipmapPrecisionBits), W4(maxDrawIndexedIndexValue),
	W4(maxDrawIndirectCount), W4(maxSamplerLodBias),
	W4(maxSamplerAnisotropy), W4(maxViewports),
	A4(maxViewportDimensions, 2), A4(viewportBoundsRange, 2),
	W4(viewportSubPixelBits), W8(minMemoryMapAlignment),
	W8(minTexelBufferOffsetAlignment),
	W8(minUniformBufferOffsetAlignment),
	W8(minStorageBufferOffsetAlignment), W4(minTexelOffset),
	W4(maxTexelOffset), W4(minTexelGatherOffset),
	W4(maxTexelGatherOffset), W4(minInterpolationOffset),
	W4(maxInterpolationOffset), W4(subPixelInterpolationOffsetBits),
	W4(maxFramebufferWidth), W4(maxFramebufferHeight),
	W4(maxFramebufferLayers), W4(framebufferColorSampleCounts),
	W4(framebufferDepthSampleCounts),
	W4(framebufferStencilSampleCounts),
	W4(framebufferNoAttachmentsSampleCounts),
	W4(maxColorAttachments), W4(sampledImageColorSampleCounts),
	W4(sampledImageIntegerSampleCounts),
	W4(sampledImageDepthSampleCounts),
	W4(sampledImageStencilSampleCounts),
	W4(storageImageSampleCounts), W4(maxSampleMaskWords),
	W4(timestampComputeAndGraphics), W4(timestampPeriod),
	W4(maxClipDistances), W4(maxCullDistances),
	W4(maxCombinedClipAndCullDistances), W4(discreteQueuePriorities),
	A4(pointSizeRange, 2), A4(lineWidthRange, 2),
	W4(pointSizeGranularity), W4(lineWidthGranularity),
	W4(strictLines), W4(standardSampleLocations),
	W8(optimalBufferCopyOffsetAlignment),
	W8(optimalBufferCopyRowPitchAlignment), W8(nonCoherentAtomSize),
};
#undef W4
#undef W8
#undef A4

static void dec_limits(struct guest_vn_dec *d, VkPhysicalDeviceLimits *l)
{
	uint8_t *base = (uint8_t *)l;

	for (size_t i = 0; i < sizeof(limit_fields) / sizeof(limit_fields[0]);
	     i++) {
		const struct limit_field *f = &limit_fields[i];

		if (f->n && !dec_count(d, f->name, f->n))
			return;
		for (unsigned k = 0; k < (f->n ? f->n : 1u); k++) {
			uint8_t *dst = base + f->offset + k * f->width;

			if (f->width == 8) {
				uint64_t v;

				if (!dec_u64(d, f->name, &v))
					return;
				memcpy(dst, &v, 8);
			} else {
				uint32_t v;

				if (!dec_u32(d, f->name, &v))
					return;
				memcpy(dst, &v, 4);
			}
		}
	}
}

/* A fixed char array (deviceName): size @cap, NUL-terminated inside. */
static void dec_fixed_string(struct guest_vn_dec *d, const char *what,
			     char *out, size_t cap)
{
	if (!dec_count(d, what, cap))
		return;
	size_t at = d->pos;

	if (!dec_bytes(d, what, out, cap))
		return;
	if (!memchr(out, '\0', cap)) {
		d->pos = at;
		dec_fail(d, "%s is not NUL-terminated", what);
	}
}

int guest_vn_decode_vkGetPhysicalDeviceProperties_reply(
	struct guest_vn_dec *d, VkPhysicalDeviceProperties *p)
{
	uint32_t v;

	memset(p, 0, sizeof(*p));
	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkGetPhysicalDeviceProperties, NULL))
		return d->error;
	if (!dec_count(d, "pProperties", 1))
		return d->error;
	dec_u32(d, "apiVersion", &p->apiVersion);
	dec_u32(d, "driverVersion", &p->driverVersion);
	dec_u32(d, "vendorID", &p->vendorID);
	dec_u32(d, "deviceID", &p->deviceID);
	if (dec_u32(d, "deviceType", &v))
		p->deviceType = (VkPhysicalDeviceType)v;
	dec_fixed_string(d, "deviceName", p->deviceName,
			 VK_MAX_PHYSICAL_DEVICE_NAME_SIZE);
	if (dec_count(d, "pipelineCacheUUID", VK_UUID_SIZE))
		dec_bytes(d, "pipelineCacheUUID", p->pipelineCacheUUID,
			  VK_UUID_SIZE);
	dec_limits(d, &p->limits);
	dec_u32(d, "residencyStandard2DBlockShape",
		&p->sparseProperties.residencyStandard2DBlockShape);
	dec_u32(d, "residencyStandard2DMultisampleBlockShape",
		&p->sparseProperties.residencyStandard2DMultisampleBlockShape);
	dec_u32(d, "residencyStandard3DBlockShape",
		&p->sparseProperties.residencyStandard3DBlockShape);
	dec_u32(d, "residencyAlignedMipSize",
		&p->sparseProperties.residencyAlignedMipSize);
	dec_u32(d, "residencyNonResidentStrict",
		&p->sparseProperties.residencyNonResidentStrict);
	return d->error;
}

int guest_vn_decode_vkGetPhysicalDeviceQueueFamilyProperties_reply(
	struct guest_vn_dec *d, uint32_t *count, VkQueueFamilyProperties *props)
{
	uint32_t cap = *count, n;
	uint64_t size;

	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkGetPhysicalDeviceQueueFamilyProperties,
		    NULL))
		return d->error;
	if (!dec_count(d, "pQueueFamilyPropertyCount", 1) ||
	    !dec_u32(d, "queueFamilyPropertyCount", &n))
		return d->error;
	if (props && n > cap) {
		d->pos -= 4;
		dec_fail(d, "queueFamilyPropertyCount %u exceeds the %u asked "
			 "for", n, cap);
		return d->error;
	}
	*count = n;
	if (!dec_u64(d, "pQueueFamilyProperties size", &size))
		return d->error;
	if (!props) {
		if (size)
			dec_fail(d, "%llu queue families returned, none asked "
				 "for", (unsigned long long)size);
		return d->error;
	}
	if (size != n) {
		dec_fail(d, "pQueueFamilyProperties: %llu entries for a count "
			 "of %u", (unsigned long long)size, n);
		return d->error;
	}
	for (uint32_t i = 0; i < n && !d->error; i++) {
		VkQueueFamilyProperties *q = &props[i];

		dec_u32(d, "queueFlags", &q->queueFlags);
		dec_u32(d, "queueCount", &q->queueCount);
		dec_u32(d, "timestampValidBits", &q->timestampValidBits);
		dec_u32(d, "width", &q->minImageTransferGranularity.width);
		dec_u32(d, "height", &q->minImageTransferGranularity.height);
		dec_u32(d, "depth", &q->minImageTransferGranularity.depth);
	}
	return d->error;
}

int guest_vn_decode_vkGetPhysicalDeviceMemoryProperties_reply(
	struct guest_vn_dec *d, VkPhysicalDeviceMemoryProperties *p)
{
	memset(p, 0, sizeof(*p));
	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkGetPhysicalDeviceMemoryProperties, NULL))
		return d->error;
	if (!dec_count(d, "pMemoryProperties", 1))
		return d->error;
	/* All VK_MAX_* entries travel; only the first *Count are valid. */
	dec_u32(d, "memoryTypeCount", &p->memoryTypeCount);
	if (dec_count(d, "memoryTypes", VK_MAX_MEMORY_TYPES))
		for (unsigned i = 0; i < VK_MAX_MEMORY_TYPES; i++) {
			dec_u32(d, "propertyFlags",
				&p->memoryTypes[i].propertyFlags);
			dec_u32(d, "heapIndex", &p->memoryTypes[i].heapIndex);
		}
	dec_u32(d, "memoryHeapCount", &p->memoryHeapCount);
	if (dec_count(d, "memoryHeaps", VK_MAX_MEMORY_HEAPS))
		for (unsigned i = 0; i < VK_MAX_MEMORY_HEAPS; i++) {
			dec_u64(d, "size", &p->memoryHeaps[i].size);
			dec_u32(d, "flags", &p->memoryHeaps[i].flags);
		}
	if (d->error)
		return d->error;
	if (p->memoryTypeCount > VK_MAX_MEMORY_TYPES ||
	    p->memoryHeapCount > VK_MAX_MEMORY_HEAPS) {
		dec_fail(d, "memoryTypeCount %u / memoryHeapCount %u out of "
			 "range", p->memoryTypeCount, p->memoryHeapCount);
		return d->error;
	}
	for (uint32_t i = 0; i < p->memoryTypeCount; i++)
		if (p->memoryTypes[i].heapIndex >= p->memoryHeapCount) {
			dec_fail(d, "memory type %u names heap %u of %u", i,
				 p->memoryTypes[i].heapIndex,
				 p->memoryHeapCount);
			break;
		}
	return d->error;
}

int guest_vn_decode_vkGetBufferMemoryRequirements_reply(
	struct guest_vn_dec *d, VkMemoryRequirements *r)
{
	memset(r, 0, sizeof(*r));
	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkGetBufferMemoryRequirements, NULL))
		return d->error;
	if (dec_count(d, "pMemoryRequirements", 1)) {
		dec_u64(d, "size", &r->size);
		dec_u64(d, "alignment", &r->alignment);
		dec_u32(d, "memoryTypeBits", &r->memoryTypeBits);
	}
	return d->error;
}

int guest_vn_decode_vkAllocateCommandBuffers_reply(
	struct guest_vn_dec *d, VkResult *result, uint32_t count,
	const VkCommandBuffer *cmdbufs)
{
	if (guest_vn_decode_reply_header(
		    d, GUEST_VN_CMD_vkAllocateCommandBuffers, result))
		return d->error;
	if (!dec_count(d, "pCommandBuffers", count))
		return d->error;
	for (uint32_t i = 0; i < count && !d->error; i++)
		dec_handle(d, "command buffer", guest_vn_id(cmdbufs[i]));
	return d->error;
}
