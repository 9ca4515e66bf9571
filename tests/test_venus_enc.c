/* SPDX-License-Identifier: MIT */
/*
 * guest/venus_enc: the bytes of every command against dwords written by
 * hand from the wire rules in FACTS.md "Venus" (u32 type, u32 flags, then
 * the parameters; u64 counts before pointers, arrays and strings; sType,
 * u64 0 for pNext, then the fields), and the encoder's refusals.  The
 * reply decoders are tests/test_venus_dec.c.
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

/* Hand-written u64: low dword, high dword. */
#define Q(lo, hi) (lo), (hi)
#define REPLY GUEST_VN_CMD_GENERATE_REPLY

/* Object ids: one with a high dword, to see both halves on the wire. */
#define INST GUEST_VN_HANDLE(VkInstance, 0x100000001ull)
#define PDEV GUEST_VN_HANDLE(VkPhysicalDevice, 0x22)
#define DEV GUEST_VN_HANDLE(VkDevice, 0x33)
#define QUEUE GUEST_VN_HANDLE(VkQueue, 0x44)
#define MEM GUEST_VN_HANDLE(VkDeviceMemory, 0x55)
#define BUF GUEST_VN_HANDLE(VkBuffer, 0x66)
#define BUF2 GUEST_VN_HANDLE(VkBuffer, 0x67)
#define POOL GUEST_VN_HANDLE(VkCommandPool, 0x77)
#define CMDBUF GUEST_VN_HANDLE(VkCommandBuffer, 0x88)
#define FENCE GUEST_VN_HANDLE(VkFence, 0x99)

/* The encoder's bytes against @want (little-endian dwords), and the
 * sizeof of the same call against the encoded length. */
static void check(struct guest_vn_enc *e, int ret, size_t size,
		  const uint32_t *want, size_t n)
{
	assert_int_equal(ret, 0);
	assert_int_equal(e->len, n * 4);
	assert_int_equal(size, n * 4);
	for (size_t i = 0; i < n; i++) {
		uint32_t le, got;

		memcpy(&le, e->buf + 4 * i, 4);
		got = le32toh(le);
		if (got != want[i])
			fail_msg("dword %zu is 0x%08x, expected 0x%08x", i, got,
				 want[i]);
	}
	guest_vn_enc_fini(e);
}

static void test_venus_enc_transport(void **state)
{
	struct guest_vn_enc e;
	const struct guest_vn_stream_desc d = { 7, 0, 65536 };
	static const uint32_t set[] = {
		178, 0,		/* vkSetReplyCommandStreamMESA, no reply */
		Q(1, 0),	/* pStream present */
		7,		/* resourceId */
		Q(0, 0),	/* offset (size_t) */
		Q(65536, 0),	/* size (size_t) */
	};
	static const uint32_t seek[] = {
		179, 0,		/* vkSeekReplyCommandStreamMESA */
		Q(0x40, 0),	/* position (size_t) */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkSetReplyCommandStreamMESA(&e, 0, &d),
	      guest_vn_sizeof_vkSetReplyCommandStreamMESA(&d), set,
	      COUNT(set));
	check(&e, guest_vn_encode_vkSeekReplyCommandStreamMESA(&e, 0, 0x40),
	      guest_vn_sizeof_vkSeekReplyCommandStreamMESA(0x40), seek,
	      COUNT(seek));
}

static void test_venus_enc_instance(void **state)
{
	struct guest_vn_enc e;
	const char *ext = "abcdefg";
	const VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "vgs-test",
		.applicationVersion = 1,
		.engineVersion = 2,
		.apiVersion = VK_API_VERSION_1_3,
	};
	const VkInstanceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
		.enabledExtensionCount = 1,
		.ppEnabledExtensionNames = &ext,
	};
	static const uint32_t version[] = {
		137, 1,		/* vkEnumerateInstanceVersion, reply */
		Q(1, 0),	/* pApiVersion present (output only) */
	};
	static const uint32_t create[] = {
		0, 1,		/* vkCreateInstance, reply */
		Q(1, 0),	/* pCreateInfo present */
		1,		/* sType INSTANCE_CREATE_INFO */
		Q(0, 0),	/* pNext NULL */
		0,		/* flags */
		Q(1, 0),	/* pApplicationInfo present */
		0,		/*   sType APPLICATION_INFO */
		Q(0, 0),	/*   pNext */
		Q(9, 0),	/*   pApplicationName: 9 bytes with the NUL */
		0x2d736776,	/*   "vgs-" */
		0x74736574,	/*   "test" */
		0x00000000,	/*   NUL + padding */
		1,		/*   applicationVersion */
		Q(0, 0),	/*   pEngineName NULL */
		2,		/*   engineVersion */
		0x00403000,	/*   apiVersion 1.3.0 */
		0,		/* enabledLayerCount */
		Q(0, 0),	/* ppEnabledLayerNames NULL */
		1,		/* enabledExtensionCount */
		Q(1, 0),	/* one name */
		Q(8, 0),	/*   8 bytes with the NUL */
		0x64636261,	/*   "abcd" */
		0x00676665,	/*   "efg\0" */
		Q(0, 0),	/* pAllocator NULL */
		Q(1, 0),	/* pInstance present */
		Q(1, 1),	/* instance id 0x100000001 */
	};
	static const uint32_t destroy[] = {
		1, 0,		/* vkDestroyInstance */
		Q(1, 1),	/* instance */
		Q(0, 0),	/* pAllocator */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkEnumerateInstanceVersion(&e, REPLY),
	      guest_vn_sizeof_vkEnumerateInstanceVersion(), version,
	      COUNT(version));
	check(&e, guest_vn_encode_vkCreateInstance(&e, REPLY, &ci, INST),
	      guest_vn_sizeof_vkCreateInstance(&ci, INST), create,
	      COUNT(create));
	check(&e, guest_vn_encode_vkDestroyInstance(&e, 0, INST),
	      guest_vn_sizeof_vkDestroyInstance(INST), destroy,
	      COUNT(destroy));
}

static void test_venus_enc_physical_device(void **state)
{
	struct guest_vn_enc e;
	const VkPhysicalDevice ids[2] = {
		GUEST_VN_HANDLE(VkPhysicalDevice, 0x21), PDEV,
	};
	static const uint32_t count[] = {
		2, 1,		/* vkEnumeratePhysicalDevices, reply */
		Q(1, 1),	/* instance */
		Q(1, 0),	/* pPhysicalDeviceCount present */
		0,		/* *pPhysicalDeviceCount */
		Q(0, 0),	/* pPhysicalDevices NULL: count query */
	};
	static const uint32_t enumerate[] = {
		2, 1, Q(1, 1),
		Q(1, 0), 2,	/* count pointer, 2 */
		Q(2, 0),	/* pPhysicalDevices: 2 ids */
		Q(0x21, 0), Q(0x22, 0),
	};
	static const uint32_t props[] = {
		6, 1,		/* vkGetPhysicalDeviceProperties */
		Q(0x22, 0),	/* physicalDevice */
		Q(1, 0),	/* pProperties present, nothing after */
	};
	static const uint32_t qf[] = {
		7, 1,		/* ...QueueFamilyProperties */
		Q(0x22, 0),
		Q(1, 0), 3,	/* count pointer, 3 */
		Q(3, 0),	/* 3 output structs: size only */
	};
	static const uint32_t memory[] = {
		8, 1,		/* ...MemoryProperties */
		Q(0x22, 0),
		Q(1, 0),	/* pMemoryProperties present */
		Q(32, 0),	/* memoryTypes[VK_MAX_MEMORY_TYPES] */
		Q(16, 0),	/* memoryHeaps[VK_MAX_MEMORY_HEAPS] */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkEnumeratePhysicalDevices(&e, REPLY, INST,
							     0, NULL),
	      guest_vn_sizeof_vkEnumeratePhysicalDevices(INST, 0, NULL), count,
	      COUNT(count));
	check(&e, guest_vn_encode_vkEnumeratePhysicalDevices(&e, REPLY, INST,
							     2, ids),
	      guest_vn_sizeof_vkEnumeratePhysicalDevices(INST, 2, ids),
	      enumerate, COUNT(enumerate));
	check(&e, guest_vn_encode_vkGetPhysicalDeviceProperties(&e, REPLY,
								PDEV),
	      guest_vn_sizeof_vkGetPhysicalDeviceProperties(PDEV), props,
	      COUNT(props));
	check(&e, guest_vn_encode_vkGetPhysicalDeviceQueueFamilyProperties(
			  &e, REPLY, PDEV, 3, true),
	      guest_vn_sizeof_vkGetPhysicalDeviceQueueFamilyProperties(PDEV, 3,
								       true),
	      qf, COUNT(qf));
	check(&e, guest_vn_encode_vkGetPhysicalDeviceMemoryProperties(
			  &e, REPLY, PDEV),
	      guest_vn_sizeof_vkGetPhysicalDeviceMemoryProperties(PDEV),
	      memory, COUNT(memory));
}

static void test_venus_enc_device(void **state)
{
	struct guest_vn_enc e;
	const float prio = 1.0f;
	const VkDeviceQueueCreateInfo q = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = 0, .queueCount = 1,
		.pQueuePriorities = &prio,
	};
	const VkDeviceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1, .pQueueCreateInfos = &q,
	};
	const VkDeviceQueueInfo2 qi = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2,
		.queueFamilyIndex = 0, .queueIndex = 0,
	};
	static const uint32_t create[] = {
		11, 1,		/* vkCreateDevice */
		Q(0x22, 0),	/* physicalDevice */
		Q(1, 0),	/* pCreateInfo */
		3, Q(0, 0),	/* sType DEVICE_CREATE_INFO, pNext */
		0,		/* flags */
		1,		/* queueCreateInfoCount */
		Q(1, 0),	/* pQueueCreateInfos: 1 */
		2, Q(0, 0),	/*   sType DEVICE_QUEUE_CREATE_INFO, pNext */
		0, 0, 1,	/*   flags, queueFamilyIndex, queueCount */
		Q(1, 0),	/*   pQueuePriorities: 1 */
		0x3f800000,	/*   1.0f */
		0, Q(0, 0),	/* enabledLayerCount, names NULL */
		0, Q(0, 0),	/* enabledExtensionCount, names NULL */
		Q(0, 0),	/* pEnabledFeatures NULL */
		Q(0, 0),	/* pAllocator */
		Q(1, 0), Q(0x33, 0),	/* pDevice */
	};
	static const uint32_t destroy[] = { 12, 0, Q(0x33, 0), Q(0, 0) };
	static const uint32_t get1[] = {
		17, 1,		/* vkGetDeviceQueue */
		Q(0x33, 0), 0, 0,	/* device, family, index */
		Q(1, 0), Q(0x44, 0),	/* pQueue */
	};
	static const uint32_t get2[] = {
		155, 1,		/* vkGetDeviceQueue2 */
		Q(0x33, 0),
		Q(1, 0),	/* pQueueInfo */
		1000145003,	/* sType DEVICE_QUEUE_INFO_2 */
		Q(0, 0),	/* pNext */
		0, 0, 0,	/* flags, queueFamilyIndex, queueIndex */
		Q(1, 0), Q(0x44, 0),	/* pQueue */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkCreateDevice(&e, REPLY, PDEV, &ci, DEV),
	      guest_vn_sizeof_vkCreateDevice(PDEV, &ci, DEV), create,
	      COUNT(create));
	check(&e, guest_vn_encode_vkDestroyDevice(&e, 0, DEV),
	      guest_vn_sizeof_vkDestroyDevice(DEV), destroy, COUNT(destroy));
	check(&e, guest_vn_encode_vkGetDeviceQueue(&e, REPLY, DEV, 0, 0, QUEUE),
	      guest_vn_sizeof_vkGetDeviceQueue(DEV, 0, 0, QUEUE), get1,
	      COUNT(get1));
	check(&e, guest_vn_encode_vkGetDeviceQueue2(&e, REPLY, DEV, &qi, QUEUE),
	      guest_vn_sizeof_vkGetDeviceQueue2(DEV, &qi, QUEUE), get2,
	      COUNT(get2));

	/* pEnabledFeatures: 55 VkBool32 in declaration order. */
	VkPhysicalDeviceFeatures f = { .robustBufferAccess = 1,
				       .inheritedQueries = 1 };
	VkDeviceCreateInfo cf = ci;

	cf.pEnabledFeatures = &f;
	guest_vn_enc_init(&e);
	assert_int_equal(guest_vn_encode_vkCreateDevice(&e, 0, PDEV, &cf, DEV),
			 0);
	assert_int_equal(e.len, sizeof(create) + 55 * 4);
	/* Dwords 28-29: the features pointer (1); 30: robustBufferAccess,
	 * the first member; 84: inheritedQueries, the 55th and last. */
	assert_int_equal(le32toh(((uint32_t *)e.buf)[28]), 1);
	assert_int_equal(le32toh(((uint32_t *)e.buf)[30]), 1);
	assert_int_equal(le32toh(((uint32_t *)e.buf)[31]), 0);
	assert_int_equal(le32toh(((uint32_t *)e.buf)[84]), 1);
	guest_vn_enc_fini(&e);
}

/*
 * Wire format 1: VkDeviceQueueTimelineInfoMESA chained to
 * VkDeviceQueueInfo2, as Mesa's vn_encode_VkDeviceQueueInfo2_pnext puts
 * it: the pointer, the struct's sType, its NULL pNext, ringIdx.
 */
static void test_venus_enc_queue_timeline(void **state)
{
	struct guest_vn_enc e;
	static const uint32_t get2_tl[] = {
		155, 1,		/* vkGetDeviceQueue2 */
		Q(0x33, 0),
		Q(1, 0),	/* pQueueInfo */
		1000145003,	/* sType DEVICE_QUEUE_INFO_2 */
		Q(1, 0),	/* pNext */
		1000384005,	/* sType DEVICE_QUEUE_TIMELINE_INFO_MESA */
		Q(0, 0),	/* its pNext */
		3,		/* ringIdx */
		0, 0, 0,	/* flags, queueFamilyIndex, queueIndex */
		Q(1, 0), Q(0x44, 0),	/* pQueue */
	};
	const struct guest_vn_queue_timeline_info tl = {
		.sType = GUEST_VN_STYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA,
		.ringIdx = 3,
	};
	const VkDeviceQueueInfo2 qtl = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2, .pNext = &tl,
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkGetDeviceQueue2(&e, REPLY, DEV, &qtl, QUEUE),
	      guest_vn_sizeof_vkGetDeviceQueue2(DEV, &qtl, QUEUE), get2_tl,
	      COUNT(get2_tl));
	/* Any other chained struct is refused, not sent half-encoded. */
	const VkDeviceQueueInfo2 other = { .sType = qtl.sType, .pNext = &qtl };

	guest_vn_enc_init(&e);
	assert_int_equal(guest_vn_encode_vkGetDeviceQueue2(&e, REPLY, DEV,
							   &other, QUEUE),
			 -EOPNOTSUPP);
	guest_vn_enc_fini(&e);
}

static void test_venus_enc_memory_and_buffers(void **state)
{
	struct guest_vn_enc e;
	const VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = 65536, .memoryTypeIndex = 2,
	};
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = 32768,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	static const uint32_t alloc[] = {
		21, 1,		/* vkAllocateMemory */
		Q(0x33, 0),	/* device */
		Q(1, 0), 5, Q(0, 0),	/* pAllocateInfo, sType, pNext */
		Q(65536, 0),	/* allocationSize */
		2,		/* memoryTypeIndex */
		Q(0, 0),	/* pAllocator */
		Q(1, 0), Q(0x55, 0),	/* pMemory */
	};
	static const uint32_t free_mem[] = {
		22, 0, Q(0x33, 0), Q(0x55, 0), Q(0, 0),	/* + pAllocator */
	};
	static const uint32_t create[] = {
		50, 1,		/* vkCreateBuffer */
		Q(0x33, 0),
		Q(1, 0), 12, Q(0, 0),	/* pCreateInfo, sType, pNext */
		0,		/* flags */
		Q(32768, 0),	/* size */
		3,		/* usage TRANSFER_SRC | TRANSFER_DST */
		0,		/* sharingMode EXCLUSIVE */
		0, Q(0, 0),	/* queueFamilyIndexCount, indices NULL */
		Q(0, 0),	/* pAllocator */
		Q(1, 0), Q(0x66, 0),	/* pBuffer */
	};
	static const uint32_t destroy[] = {
		51, 0, Q(0x33, 0), Q(0x66, 0), Q(0, 0),
	};
	static const uint32_t bind[] = {
		28, 1,		/* vkBindBufferMemory */
		Q(0x33, 0), Q(0x66, 0), Q(0x55, 0),
		Q(32768, 0),	/* memoryOffset */
	};
	static const uint32_t reqs[] = {
		30, 1,		/* vkGetBufferMemoryRequirements */
		Q(0x33, 0), Q(0x66, 0),
		Q(1, 0),	/* pMemoryRequirements: output */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkAllocateMemory(&e, REPLY, DEV, &mai, MEM),
	      guest_vn_sizeof_vkAllocateMemory(DEV, &mai, MEM), alloc,
	      COUNT(alloc));
	check(&e, guest_vn_encode_vkFreeMemory(&e, 0, DEV, MEM),
	      guest_vn_sizeof_vkFreeMemory(DEV, MEM), free_mem,
	      COUNT(free_mem));
	check(&e, guest_vn_encode_vkCreateBuffer(&e, REPLY, DEV, &bci, BUF),
	      guest_vn_sizeof_vkCreateBuffer(DEV, &bci, BUF), create,
	      COUNT(create));
	check(&e, guest_vn_encode_vkDestroyBuffer(&e, 0, DEV, BUF),
	      guest_vn_sizeof_vkDestroyBuffer(DEV, BUF), destroy,
	      COUNT(destroy));
	check(&e, guest_vn_encode_vkBindBufferMemory(&e, REPLY, DEV, BUF, MEM,
						     32768),
	      guest_vn_sizeof_vkBindBufferMemory(DEV, BUF, MEM, 32768), bind,
	      COUNT(bind));
	check(&e, guest_vn_encode_vkGetBufferMemoryRequirements(&e, REPLY, DEV,
								BUF),
	      guest_vn_sizeof_vkGetBufferMemoryRequirements(DEV, BUF), reqs,
	      COUNT(reqs));
}

static void test_venus_enc_command_buffers(void **state)
{
	struct guest_vn_enc e;
	const VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
	};
	const VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = POOL,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	const VkCommandBuffer cb = CMDBUF;
	static const uint32_t pool[] = {
		85, 1,		/* vkCreateCommandPool */
		Q(0x33, 0),
		Q(1, 0), 39, Q(0, 0),	/* pCreateInfo, sType, pNext */
		0, 0,		/* flags, queueFamilyIndex */
		Q(0, 0),	/* pAllocator */
		Q(1, 0), Q(0x77, 0),	/* pCommandPool */
	};
	static const uint32_t pool_destroy[] = {
		86, 0, Q(0x33, 0), Q(0x77, 0), Q(0, 0),
	};
	static const uint32_t alloc[] = {
		88, 1,		/* vkAllocateCommandBuffers */
		Q(0x33, 0),
		Q(1, 0), 40, Q(0, 0),	/* pAllocateInfo, sType, pNext */
		Q(0x77, 0),	/* commandPool */
		0, 1,		/* level PRIMARY, commandBufferCount */
		Q(1, 0), Q(0x88, 0),	/* pCommandBuffers: 1 id */
	};
	static const uint32_t free_cb[] = {
		89, 0,		/* vkFreeCommandBuffers */
		Q(0x33, 0), Q(0x77, 0),
		1, Q(1, 0), Q(0x88, 0),	/* count, array of 1 */
	};
	static const uint32_t begin[] = {
		90, 1,		/* vkBeginCommandBuffer */
		Q(0x88, 0),
		Q(1, 0), 42, Q(0, 0),	/* pBeginInfo, sType, pNext */
		1,		/* flags ONE_TIME_SUBMIT */
		Q(0, 0),	/* pInheritanceInfo NULL */
	};
	static const uint32_t end[] = { 91, 1, Q(0x88, 0) };

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkCreateCommandPool(&e, REPLY, DEV, &pci,
						      POOL),
	      guest_vn_sizeof_vkCreateCommandPool(DEV, &pci, POOL), pool,
	      COUNT(pool));
	check(&e, guest_vn_encode_vkDestroyCommandPool(&e, 0, DEV, POOL),
	      guest_vn_sizeof_vkDestroyCommandPool(DEV, POOL), pool_destroy,
	      COUNT(pool_destroy));
	check(&e, guest_vn_encode_vkAllocateCommandBuffers(&e, REPLY, DEV,
							   &cai, &cb),
	      guest_vn_sizeof_vkAllocateCommandBuffers(DEV, &cai, &cb), alloc,
	      COUNT(alloc));
	check(&e, guest_vn_encode_vkFreeCommandBuffers(&e, 0, DEV, POOL, 1,
						       &cb),
	      guest_vn_sizeof_vkFreeCommandBuffers(DEV, POOL, 1, &cb), free_cb,
	      COUNT(free_cb));
	check(&e, guest_vn_encode_vkBeginCommandBuffer(&e, REPLY, cb, &bi),
	      guest_vn_sizeof_vkBeginCommandBuffer(cb, &bi), begin,
	      COUNT(begin));
	check(&e, guest_vn_encode_vkEndCommandBuffer(&e, REPLY, cb),
	      guest_vn_sizeof_vkEndCommandBuffer(cb), end, COUNT(end));
}

static void test_venus_enc_recorded_commands(void **state)
{
	struct guest_vn_enc e;
	const VkBufferCopy region = { 0, 16, 4096 };
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	const struct guest_vn_barriers b = {
		.src_stages = VK_PIPELINE_STAGE_TRANSFER_BIT,
		.dst_stages = VK_PIPELINE_STAGE_HOST_BIT,
		.memory_count = 1, .memory = &mb,
	};
	static const uint32_t fill[] = {
		118, 0,		/* vkCmdFillBuffer */
		Q(0x88, 0), Q(0x66, 0),	/* commandBuffer, dstBuffer */
		Q(0, 0),	/* dstOffset */
		Q(0xffffffff, 0xffffffff),	/* size VK_WHOLE_SIZE */
		0xcafef00d,	/* data */
	};
	static const uint32_t copy[] = {
		112, 0,		/* vkCmdCopyBuffer */
		Q(0x88, 0), Q(0x66, 0), Q(0x67, 0),	/* cb, src, dst */
		1, Q(1, 0),	/* regionCount, pRegions: 1 */
		Q(0, 0), Q(16, 0), Q(4096, 0),	/* src/dstOffset, size */
	};
	static const uint32_t barrier[] = {
		126, 0,		/* vkCmdPipelineBarrier */
		Q(0x88, 0),
		0x1000, 0x4000,	/* TRANSFER -> HOST stage */
		0,		/* dependencyFlags */
		1, Q(1, 0),	/* memoryBarrierCount, array of 1 */
		46, Q(0, 0),	/*   sType MEMORY_BARRIER, pNext */
		0x1000, 0x2000,	/*   TRANSFER_WRITE -> HOST_READ */
		0, Q(0, 0),	/* no buffer barriers */
		0, Q(0, 0),	/* no image barriers */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkCmdFillBuffer(&e, 0, CMDBUF, BUF, 0,
						  VK_WHOLE_SIZE, 0xcafef00d),
	      guest_vn_sizeof_vkCmdFillBuffer(CMDBUF, BUF, 0, VK_WHOLE_SIZE,
					      0xcafef00d),
	      fill, COUNT(fill));
	check(&e, guest_vn_encode_vkCmdCopyBuffer(&e, 0, CMDBUF, BUF, BUF2, 1,
						  &region),
	      guest_vn_sizeof_vkCmdCopyBuffer(CMDBUF, BUF, BUF2, 1, &region),
	      copy, COUNT(copy));
	check(&e, guest_vn_encode_vkCmdPipelineBarrier(&e, 0, CMDBUF, &b),
	      guest_vn_sizeof_vkCmdPipelineBarrier(CMDBUF, &b), barrier,
	      COUNT(barrier));
}

static void test_venus_enc_fences_and_submit(void **state)
{
	struct guest_vn_enc e;
	const VkFenceCreateInfo fci = {
		.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
	};
	const VkFence fence = FENCE;
	const VkCommandBuffer cb = CMDBUF;
	const VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1, .pCommandBuffers = &cb,
	};
	static const uint32_t create[] = {
		35, 1,		/* vkCreateFence */
		Q(0x33, 0),
		Q(1, 0), 8, Q(0, 0),	/* pCreateInfo, sType, pNext */
		0,		/* flags */
		Q(0, 0),	/* pAllocator */
		Q(1, 0), Q(0x99, 0),	/* pFence */
	};
	static const uint32_t destroy[] = {
		36, 0, Q(0x33, 0), Q(0x99, 0), Q(0, 0),
	};
	static const uint32_t reset[] = {
		37, 1, Q(0x33, 0), 1, Q(1, 0), Q(0x99, 0),
	};
	static const uint32_t status[] = { 38, 1, Q(0x33, 0), Q(0x99, 0) };
	static const uint32_t wait[] = {
		39, 1,		/* vkWaitForFences */
		Q(0x33, 0),
		1, Q(1, 0), Q(0x99, 0),	/* fenceCount, pFences */
		1,		/* waitAll */
		Q(0, 0),	/* timeout 0: virglrenderer never blocks */
	};
	static const uint32_t submit[] = {
		18, 1,		/* vkQueueSubmit */
		Q(0x44, 0),	/* queue */
		1, Q(1, 0),	/* submitCount, pSubmits: 1 */
		4, Q(0, 0),	/*   sType SUBMIT_INFO, pNext */
		0, Q(0, 0),	/*   waitSemaphoreCount, pWaitSemaphores */
		Q(0, 0),	/*   pWaitDstStageMask */
		1, Q(1, 0), Q(0x88, 0),	/*   command buffers */
		0, Q(0, 0),	/*   signal semaphores */
		Q(0x99, 0),	/* fence */
	};

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_vkCreateFence(&e, REPLY, DEV, &fci, fence),
	      guest_vn_sizeof_vkCreateFence(DEV, &fci, fence), create,
	      COUNT(create));
	check(&e, guest_vn_encode_vkDestroyFence(&e, 0, DEV, fence),
	      guest_vn_sizeof_vkDestroyFence(DEV, fence), destroy,
	      COUNT(destroy));
	check(&e, guest_vn_encode_vkResetFences(&e, REPLY, DEV, 1, &fence),
	      guest_vn_sizeof_vkResetFences(DEV, 1, &fence), reset,
	      COUNT(reset));
	check(&e, guest_vn_encode_vkGetFenceStatus(&e, REPLY, DEV, fence),
	      guest_vn_sizeof_vkGetFenceStatus(DEV, fence), status,
	      COUNT(status));
	check(&e, guest_vn_encode_vkWaitForFences(&e, REPLY, DEV, 1, &fence,
						  VK_TRUE, 0),
	      guest_vn_sizeof_vkWaitForFences(DEV, 1, &fence, VK_TRUE, 0),
	      wait, COUNT(wait));
	check(&e, guest_vn_encode_vkQueueSubmit(&e, REPLY, QUEUE, 1, &si,
						fence),
	      guest_vn_sizeof_vkQueueSubmit(QUEUE, 1, &si, fence), submit,
	      COUNT(submit));
}

/* Refusals leave the stream exactly as it was. */
static void test_venus_enc_refusals(void **state)
{
	struct guest_vn_enc e;
	const VkFenceCreateInfo bad_stype = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
	};
	const VkFenceCreateInfo chained = {
		.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
		.pNext = &bad_stype,
	};
	const VkCommandBufferInheritanceInfo inh = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
	};
	const VkCommandBufferBeginInfo secondary = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.pInheritanceInfo = &inh,
	};
	const VkImageMemoryBarrier img = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
	};
	const struct guest_vn_barriers images = {
		.image_count = 1, .image = &img,
	};

	(void)state;
	guest_vn_enc_init(&e);
	assert_int_equal(guest_vn_encode_vkEnumerateInstanceVersion(&e, 0), 0);
	size_t len = e.len;

	assert_int_equal(guest_vn_encode_vkCreateFence(&e, 0, DEV, NULL, FENCE),
			 -EINVAL);
	assert_int_equal(guest_vn_encode_vkCreateFence(&e, 0, DEV, &bad_stype,
						       FENCE), -EINVAL);
	assert_int_equal(guest_vn_encode_vkCreateFence(&e, 0, DEV, &chained,
						       FENCE), -EOPNOTSUPP);
	assert_int_equal(guest_vn_encode_vkDestroyFence(&e, 0, DEV,
							VK_NULL_HANDLE),
			 -EINVAL);
	assert_int_equal(guest_vn_encode_vkEndCommandBuffer(&e, 0x2, CMDBUF),
			 -EINVAL);	/* unknown command flag */
	assert_int_equal(guest_vn_encode_vkBeginCommandBuffer(&e, 0, CMDBUF,
							      &secondary),
			 -EOPNOTSUPP);
	assert_int_equal(guest_vn_encode_vkCmdCopyBuffer(&e, 0, CMDBUF, BUF,
							 BUF2, 2, NULL),
			 -EINVAL);
	assert_int_equal(guest_vn_encode_vkCmdPipelineBarrier(&e, 0, CMDBUF,
							       &images),
			 -EOPNOTSUPP);
	assert_int_equal(guest_vn_sizeof_vkCreateFence(DEV, NULL, FENCE), 0);
	assert_int_equal(e.len, len);
	assert_int_equal(e.error, 0);
	/* A submit without a fence is VK_NULL_HANDLE (id 0) on the wire. */
	assert_int_equal(guest_vn_encode_vkQueueSubmit(&e, 0, QUEUE, 0, NULL,
						       VK_NULL_HANDLE), 0);
	guest_vn_enc_fini(&e);
}

static void test_venus_enc_raw_dwords_and_names(void **state)
{
	struct guest_vn_enc e;
	static const uint32_t junk[] = { 0x7fff0000, 1, 2 };

	(void)state;
	guest_vn_enc_init(&e);
	check(&e, guest_vn_encode_dwords(&e, junk, COUNT(junk)), sizeof(junk),
	      junk, COUNT(junk));
	assert_string_equal(guest_vn_command_name(178),
			    "vkSetReplyCommandStreamMESA");
	assert_null(guest_vn_command_name(0x7fff0000));
	assert_string_equal(guest_vn_result_name(VK_ERROR_DEVICE_LOST),
			    "VK_ERROR_DEVICE_LOST");
	assert_string_equal(guest_vn_result_name((VkResult)-12345),
			    "VkResult(-12345)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_venus_enc_transport),
		cmocka_unit_test(test_venus_enc_instance),
		cmocka_unit_test(test_venus_enc_physical_device),
		cmocka_unit_test(test_venus_enc_device),
		cmocka_unit_test(test_venus_enc_queue_timeline),
		cmocka_unit_test(test_venus_enc_memory_and_buffers),
		cmocka_unit_test(test_venus_enc_command_buffers),
		cmocka_unit_test(test_venus_enc_recorded_commands),
		cmocka_unit_test(test_venus_enc_fences_and_submit),
		cmocka_unit_test(test_venus_enc_refusals),
		cmocka_unit_test(test_venus_enc_raw_dwords_and_names),
	};

	return cmocka_run_group_tests_name("venus_enc", tests, NULL, NULL);
}
