/* SPDX-License-Identifier: MIT */
/*
 * guest/venus_dec: reply decoders on hand-made replies (u32 command type,
 * i32 VkResult where the command returns one, then the outputs), and
 * their refusals of malformed replies: wrong command, short reply, count
 * or id that does not echo what was sent, unterminated name, bad heap.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guest/common/util.h"
#include "guest/venus/venus_enc.h"

#define Q(lo, hi) (lo), (hi)

/* A reply built dword by dword (for the long property structs). */
struct reply {
	uint32_t dw[512];
	size_t n;
};

static void put32(struct reply *r, uint32_t v)
{
	assert_true(r->n < COUNT(r->dw));
	r->dw[r->n++] = htole32(v);
}

static void put64(struct reply *r, uint64_t v)
{
	put32(r, (uint32_t)v);
	put32(r, (uint32_t)(v >> 32));
}

static void test_venus_dec_instance_version(void **state)
{
	static const uint32_t good[] = {
		137,		/* vkEnumerateInstanceVersion */
		0,		/* VK_SUCCESS */
		Q(1, 0),	/* pApiVersion present */
		0x004030ef,	/* 1.3.239 */
	};
	static const uint32_t wrong[] = { 2, 0, Q(1, 0), 1 };
	struct guest_vn_dec d;
	VkResult r = VK_ERROR_UNKNOWN;
	uint32_t v = 0;

	(void)state;
	guest_vn_dec_init(&d, good, sizeof(good));
	assert_int_equal(guest_vn_decode_vkEnumerateInstanceVersion_reply(
				 &d, &r, &v), 0);
	assert_int_equal(r, VK_SUCCESS);
	assert_int_equal(v, VK_MAKE_API_VERSION(0, 1, 3, 239));
	assert_int_equal(d.pos, sizeof(good));

	/* A reply to another command. */
	guest_vn_dec_init(&d, wrong, sizeof(wrong));
	assert_int_equal(guest_vn_decode_vkEnumerateInstanceVersion_reply(
				 &d, &r, &v), -EPROTO);
	assert_non_null(strstr(d.msg, "reply to vkEnumeratePhysicalDevices "
				      "(2) where vkEnumerateInstanceVersion "
				      "was expected"));

	/* Cut short inside the output. */
	guest_vn_dec_init(&d, good, 12);
	assert_int_equal(guest_vn_decode_vkEnumerateInstanceVersion_reply(
				 &d, &r, &v), -EPROTO);
	assert_non_null(strstr(d.msg, "reply byte 8: pApiVersion"));
}

static void test_venus_dec_handle_replies(void **state)
{
	static const uint32_t failed[] = {
		0,		/* vkCreateInstance */
		0xfffffff7,	/* VK_ERROR_INCOMPATIBLE_DRIVER (-9) */
		Q(1, 0), Q(1, 1),	/* pInstance echoes 0x100000001 */
	};
	static const uint32_t queue[] = {
		155,		/* vkGetDeviceQueue2: no VkResult */
		Q(1, 0), Q(0x44, 0),
	};
	struct guest_vn_dec d;
	VkResult r = VK_SUCCESS;

	(void)state;
	guest_vn_dec_init(&d, failed, sizeof(failed));
	assert_int_equal(guest_vn_decode_handle_reply(
				 &d, GUEST_VN_CMD_vkCreateInstance, &r,
				 0x100000001ull), 0);
	assert_int_equal(r, VK_ERROR_INCOMPATIBLE_DRIVER);

	/* The id must be the one we chose. */
	guest_vn_dec_init(&d, failed, sizeof(failed));
	assert_int_equal(guest_vn_decode_handle_reply(
				 &d, GUEST_VN_CMD_vkCreateInstance, &r, 2),
			 -EPROTO);
	assert_non_null(strstr(d.msg, "reply byte 16: handle: object id "
				      "4294967297, expected 2"));

	guest_vn_dec_init(&d, queue, sizeof(queue));
	assert_int_equal(guest_vn_decode_handle_reply(
				 &d, GUEST_VN_CMD_vkGetDeviceQueue2, NULL,
				 0x44), 0);
	assert_int_equal(d.pos, sizeof(queue));
}

static void test_venus_dec_physical_devices(void **state)
{
	static const uint32_t count[] = {
		2, 0,		/* vkEnumeratePhysicalDevices, VK_SUCCESS */
		Q(1, 0), 1,	/* *pPhysicalDeviceCount = 1 */
		Q(0, 0),	/* pPhysicalDevices NULL */
	};
	static const uint32_t ids[] = {
		2, 0, Q(1, 0), 1,
		Q(1, 0), Q(0x22, 0),	/* one id, echoed */
	};
	static const uint32_t too_many[] = {
		2, 5,		/* VK_INCOMPLETE */
		Q(1, 0), 3,	/* 3 devices for room for 1 */
		Q(3, 0), Q(1, 0), Q(2, 0), Q(3, 0),
	};
	const VkPhysicalDevice want = GUEST_VN_HANDLE(VkPhysicalDevice, 0x22);
	struct guest_vn_dec d;
	VkResult r;
	uint32_t n = 0;

	(void)state;
	guest_vn_dec_init(&d, count, sizeof(count));
	assert_int_equal(guest_vn_decode_vkEnumeratePhysicalDevices_reply(
				 &d, &r, &n, NULL), 0);
	assert_int_equal(n, 1);

	guest_vn_dec_init(&d, ids, sizeof(ids));
	assert_int_equal(guest_vn_decode_vkEnumeratePhysicalDevices_reply(
				 &d, &r, &n, &want), 0);

	n = 1;
	guest_vn_dec_init(&d, too_many, sizeof(too_many));
	assert_int_equal(guest_vn_decode_vkEnumeratePhysicalDevices_reply(
				 &d, &r, &n, &want), -EPROTO);
	assert_non_null(strstr(d.msg, "physicalDeviceCount 3 exceeds the 1"));
}

/* A VkPhysicalDeviceProperties reply whose limits hold 1000 + field index
 * (4-byte fields) or 1 << 40 | index (8-byte fields). */
static void build_properties(struct reply *r, const char *name,
			     uint64_t name_size)
{
	char buf[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
	uint32_t k = 0;

	memset(r, 0, sizeof(*r));
	put32(r, 6);			/* vkGetPhysicalDeviceProperties */
	put64(r, 1);			/* pProperties present */
	put32(r, VK_MAKE_API_VERSION(0, 1, 3, 230));	/* apiVersion */
	put32(r, 0x5806);		/* driverVersion */
	put32(r, 0x10005);		/* vendorID (VK_VENDOR_ID_MESA) */
	put32(r, 0);			/* deviceID */
	put32(r, VK_PHYSICAL_DEVICE_TYPE_CPU);
	put64(r, name_size);		/* deviceName[256] */
	memset(buf, 'x', sizeof(buf));
	if (name)
		strcpy(buf, name);
	memcpy(&r->dw[r->n], buf, sizeof(buf));
	r->n += sizeof(buf) / 4;
	put64(r, VK_UUID_SIZE);		/* pipelineCacheUUID[16] */
	for (int i = 0; i < 4; i++)
		put32(r, 0x01010101u * (uint32_t)i);
	/* VkPhysicalDeviceLimits in declaration order: 11 u32, 2
	 * VkDeviceSize, ... (vulkan_core.h). */
	for (int i = 0; i < 11; i++)
		put32(r, 1000 + k++);		/* maxImageDimension1D.. */
	put64(r, (1ull << 40) | k++);		/* bufferImageGranularity */
	put64(r, (1ull << 40) | k++);		/* sparseAddressSpaceSize */
	for (int i = 0; i < 39; i++)
		put32(r, 1000 + k++);	/* maxBoundDescriptorSets..
					 * maxComputeSharedMemorySize */
	put64(r, 3);				/* maxComputeWorkGroupCount */
	put32(r, 65535); put32(r, 65535); put32(r, 65535);
	k++;
	put32(r, 1000 + k++);	/* maxComputeWorkGroupInvocations */
	put64(r, 3);			/* maxComputeWorkGroupSize */
	put32(r, 1024); put32(r, 1024); put32(r, 64);
	k++;
	for (int i = 0; i < 8; i++)
		put32(r, 1000 + k++);	/* subPixelPrecisionBits..maxViewports */
	put64(r, 2); put32(r, 16384); put32(r, 16384);	/* maxViewportDim */
	put64(r, 2); put32(r, 0xc6800000); put32(r, 0x467ffe00);
	put32(r, 1000 + (k += 2));	/* viewportSubPixelBits */
	k++;
	for (int i = 0; i < 4; i++)
		put64(r, (1ull << 40) | k++);	/* minMemoryMapAlignment.. */
	for (int i = 0; i < 27; i++)
		put32(r, 1000 + k++);	/* minTexelOffset..
					 * discreteQueuePriorities */
	put64(r, 2); put32(r, 0x3f800000); put32(r, 0x42fe0000); /* point */
	put64(r, 2); put32(r, 0x3f800000); put32(r, 0x42fe0000); /* line */
	k += 2;
	for (int i = 0; i < 4; i++)
		put32(r, 1000 + k++);	/* granularities, strict, standard */
	for (int i = 0; i < 3; i++)
		put64(r, (1ull << 40) | k++);	/* ..nonCoherentAtomSize */
	for (int i = 0; i < 5; i++)
		put32(r, 0);			/* sparseProperties */
}

static void test_venus_dec_properties(void **state)
{
	static struct reply r;
	struct guest_vn_dec d;
	VkPhysicalDeviceProperties p;

	(void)state;
	build_properties(&r, "llvmpipe (LLVM 15.0.6, 256 bits)",
			 VK_MAX_PHYSICAL_DEVICE_NAME_SIZE);
	/* 4 + 8 + 20 + 8 + 256 + 8 + 16 + 540 (limits) + 20 (sparse). */
	assert_int_equal(r.n * 4, 880);
	guest_vn_dec_init(&d, r.dw, r.n * 4);
	assert_int_equal(guest_vn_decode_vkGetPhysicalDeviceProperties_reply(
				 &d, &p), 0);
	assert_int_equal(d.pos, 880);
	assert_string_equal(p.deviceName, "llvmpipe (LLVM 15.0.6, 256 bits)");
	assert_int_equal(p.apiVersion, VK_MAKE_API_VERSION(0, 1, 3, 230));
	assert_int_equal(p.deviceType, VK_PHYSICAL_DEVICE_TYPE_CPU);
	assert_int_equal(p.pipelineCacheUUID[15], 3);
	assert_int_equal(p.limits.maxImageDimension1D, 1000);
	assert_int_equal(p.limits.maxSamplerAllocationCount, 1010);
	assert_int_equal(p.limits.bufferImageGranularity, (1ull << 40) | 11);
	assert_int_equal(p.limits.maxComputeWorkGroupCount[2], 65535);
	assert_int_equal(p.limits.maxComputeWorkGroupSize[2], 64);
	assert_true(p.limits.viewportBoundsRange[0] == -16384.0f);
	assert_int_equal(p.limits.minMemoryMapAlignment, (1ull << 40) | 66);
	assert_true(p.limits.lineWidthRange[1] == 127.0f);
	assert_int_equal(p.limits.nonCoherentAtomSize, (1ull << 40) | 105);

	/* deviceName must come as the whole 256-byte array ... */
	build_properties(&r, "llvmpipe", 12);
	guest_vn_dec_init(&d, r.dw, r.n * 4);
	assert_int_equal(guest_vn_decode_vkGetPhysicalDeviceProperties_reply(
				 &d, &p), -EPROTO);
	assert_non_null(strstr(d.msg, "reply byte 32: deviceName: count 12, "
				      "expected 256"));
	/* ... with a NUL inside. */
	build_properties(&r, NULL, VK_MAX_PHYSICAL_DEVICE_NAME_SIZE);
	guest_vn_dec_init(&d, r.dw, r.n * 4);
	assert_int_equal(guest_vn_decode_vkGetPhysicalDeviceProperties_reply(
				 &d, &p), -EPROTO);
	assert_non_null(strstr(d.msg, "deviceName is not NUL-terminated"));
	/* A reply cut anywhere is refused, never over-read. */
	build_properties(&r, "x", VK_MAX_PHYSICAL_DEVICE_NAME_SIZE);
	for (size_t len = 0; len < 880; len += 4) {
		guest_vn_dec_init(&d, r.dw, len);
		assert_int_equal(
			guest_vn_decode_vkGetPhysicalDeviceProperties_reply(
				&d, &p), -EPROTO);
	}
}

static void test_venus_dec_memory_properties(void **state)
{
	static struct reply r;
	struct guest_vn_dec d;
	VkPhysicalDeviceMemoryProperties m;

	(void)state;
	put32(&r, 8);			/* ...MemoryProperties */
	put64(&r, 1);			/* pMemoryProperties */
	put32(&r, 1);			/* memoryTypeCount */
	put64(&r, VK_MAX_MEMORY_TYPES);
	put32(&r, 0xf);			/* DEVICE_LOCAL|HOST_VISIBLE|COHERENT|CACHED */
	put32(&r, 0);			/* heapIndex */
	for (unsigned i = 1; i < VK_MAX_MEMORY_TYPES; i++) {
		put32(&r, 0);
		put32(&r, 0);
	}
	put32(&r, 1);			/* memoryHeapCount */
	put64(&r, VK_MAX_MEMORY_HEAPS);
	put64(&r, 2ull << 30);		/* 2 GiB */
	put32(&r, 1);			/* DEVICE_LOCAL */
	for (unsigned i = 1; i < VK_MAX_MEMORY_HEAPS; i++) {
		put64(&r, 0);
		put32(&r, 0);
	}
	guest_vn_dec_init(&d, r.dw, r.n * 4);
	assert_int_equal(guest_vn_decode_vkGetPhysicalDeviceMemoryProperties_reply(
				 &d, &m), 0);
	assert_int_equal(d.pos, r.n * 4);
	assert_int_equal(m.memoryTypes[0].propertyFlags, 0xf);
	assert_int_equal(m.memoryHeaps[0].size, 2ull << 30);

	/* A type naming a heap that does not exist. */
	r.dw[7] = htole32(3);		/* memoryTypes[0].heapIndex */
	guest_vn_dec_init(&d, r.dw, r.n * 4);
	assert_int_equal(guest_vn_decode_vkGetPhysicalDeviceMemoryProperties_reply(
				 &d, &m), -EPROTO);
	assert_non_null(strstr(d.msg, "memory type 0 names heap 3 of 1"));
}

static void test_venus_dec_small_replies(void **state)
{
	static const uint32_t qf[] = {
		7,		/* ...QueueFamilyProperties: no VkResult */
		Q(1, 0), 1,	/* count 1 */
		Q(1, 0),	/* one entry */
		0xf, 1, 64,	/* queueFlags, queueCount, timestampValidBits */
		1, 1, 1,	/* minImageTransferGranularity */
	};
	static const uint32_t reqs[] = {
		30,		/* vkGetBufferMemoryRequirements */
		Q(1, 0),
		Q(32768, 0), Q(64, 0),	/* size, alignment */
		0x1,		/* memoryTypeBits */
	};
	static const uint32_t cmdbufs[] = {
		88, 0,		/* vkAllocateCommandBuffers, VK_SUCCESS */
		Q(1, 0), Q(0x88, 0),
	};
	static const uint32_t status[] = { 38, 1 };	/* VK_NOT_READY */
	const VkCommandBuffer cb = GUEST_VN_HANDLE(VkCommandBuffer, 0x88);
	struct guest_vn_dec d;
	VkQueueFamilyProperties q;
	VkMemoryRequirements mr;
	VkResult r;
	uint32_t n = 1;

	(void)state;
	guest_vn_dec_init(&d, qf, sizeof(qf));
	assert_int_equal(guest_vn_decode_vkGetPhysicalDeviceQueueFamilyProperties_reply(
				 &d, &n, &q), 0);
	assert_int_equal(q.queueFlags, 0xf);
	assert_int_equal(q.timestampValidBits, 64);

	guest_vn_dec_init(&d, reqs, sizeof(reqs));
	assert_int_equal(guest_vn_decode_vkGetBufferMemoryRequirements_reply(
				 &d, &mr), 0);
	assert_int_equal(mr.size, 32768);
	assert_int_equal(mr.memoryTypeBits, 1);

	guest_vn_dec_init(&d, cmdbufs, sizeof(cmdbufs));
	assert_int_equal(guest_vn_decode_vkAllocateCommandBuffers_reply(
				 &d, &r, 1, &cb), 0);
	/* Two were asked for; the host answered one. */
	guest_vn_dec_init(&d, cmdbufs, sizeof(cmdbufs));
	assert_int_equal(guest_vn_decode_vkAllocateCommandBuffers_reply(
				 &d, &r, 2, &cb), -EPROTO);
	assert_non_null(strstr(d.msg, "pCommandBuffers: count 1, expected 2"));

	guest_vn_dec_init(&d, status, sizeof(status));
	assert_int_equal(guest_vn_decode_void_reply(
				 &d, GUEST_VN_CMD_vkGetFenceStatus, &r), 0);
	assert_int_equal(r, VK_NOT_READY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_venus_dec_instance_version),
		cmocka_unit_test(test_venus_dec_handle_replies),
		cmocka_unit_test(test_venus_dec_physical_devices),
		cmocka_unit_test(test_venus_dec_properties),
		cmocka_unit_test(test_venus_dec_memory_properties),
		cmocka_unit_test(test_venus_dec_small_replies),
	};

	return cmocka_run_group_tests_name("venus_dec", tests, NULL, NULL);
}
