// SPDX-License-Identifier: MIT
/*
 * Venus next to virgl in one device, through the device's virtqueues:
 * a venus context answers vkEnumerateInstanceVersion through a mapped
 * reply blob (blob_id 0) while a virgl context clears and reads back
 * pixels; a rejected venus stream or a refused ring fence fails that
 * context only.  Run as "host_venus" (venus in-process) and as
 * "host_render_server" (argument "render-server": venus in
 * virglrenderer's render server), which also checks that destroying the
 * device leaves no render server process behind.  On virglrenderer 1.3
 * the reply blob is mapped straight into its window of the region
 * (virgl_renderer_resource_map_fixed).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/hostmem.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "tests/test_host_util.h"
#include "tests/renderer_row.h"

#define OK VIRTIO_GPU_RESP_OK_NODATA
#define E_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define CAPSET_VENUS 4
#define VIRGL_CTX 1
#define VENUS_CTX 2
#define REPLY_RES 10
#define REPLY_AT 0x10000

static bool render_server;
static struct th *device;

static int group_setup(void **state)
{
	sim_log_set_quiet(getenv("VGS_TEST_VERBOSE") == NULL);
	struct th_options o = {
		.virgl = true, .venus = true, .render_server = render_server,
		.hostmem_size = 1 << 20,
	};
	device = th_create(&o);
	return 0;
}

static int group_teardown(void **state)
{
	if (device)
		th_destroy(device);
	return 0;
}

static int teardown(void **state)
{
	if (device)
		th_reset(device, TH_ALL_FEATURES);
	return 0;
}

/* Submit @dw on ring @ring of @ctx with a fence and wait for it. */
static uint32_t submit_ring(struct th *h, uint32_t ctx, const uint32_t *dw,
			    uint32_t ndw, int ring, uint64_t fence)
{
	size_t len = sizeof(struct virtio_gpu_cmd_submit) + ndw * 4;
	struct virtio_gpu_cmd_submit *c = calloc(1, len);
	c->hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, ctx);
	c->hdr.flags = htole32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	c->hdr.fence_id = htole64(fence);
	c->hdr.ring_idx = (uint8_t)ring;
	c->size = htole32(ndw * 4);
	memcpy(c + 1, dw, ndw * 4);
	struct virtio_gpu_ctrl_hdr r;
	uint32_t type = th_cmd(h, TH_CTRLQ, c, len, &r, sizeof(r));
	free(c);
	if (type == OK) {
		/* QEMU's header (row N6): the fence back, never the ring */
		assert_int_equal(le32toh(r.flags), VIRTIO_GPU_FLAG_FENCE);
		assert_int_equal(le64toh(r.fence_id), fence);
		assert_int_equal(le32toh(r.ctx_id), ctx);
		assert_int_equal(r.ring_idx, 0);
	}
	return type;
}

/* A venus context with its reply stream: a blob_id 0 blob, attached and
 * mapped at REPLY_AT of the host-visible region. */
static void venus_setup(struct th *h)
{
	assert_int_equal(th_ctx_create(h, VENUS_CTX, CAPSET_VENUS), OK);
	assert_int_equal(th_create_blob(h, VENUS_CTX, REPLY_RES,
					VIRTIO_GPU_BLOB_MEM_HOST3D,
					VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0,
					4096, 0), OK);
	assert_int_equal(th_ctx_attach(h, VENUS_CTX, REPLY_RES), OK);
	uint32_t info;
	assert_int_equal(th_map_blob(h, REPLY_RES, REPLY_AT, &info),
			 VIRTIO_GPU_RESP_OK_MAP_INFO);
}

/*
 * FACTS.md's venus wire rules: vkSetReplyCommandStreamMESA (178) with a
 * pointer (u64 count 1) to {u32 resource, u64 offset, u64 size},
 * vkSeekReplyCommandStreamMESA (179) to 0, vkEnumerateInstanceVersion
 * (137, flag 1 = reply) with a non-NULL output pointer.
 */
static uint32_t enumerate_version(struct th *h, int ring, uint64_t fence,
				  uint32_t *version)
{
	const uint32_t dw[] = {
		178, 0, 1, 0, REPLY_RES, 0, 0, 4096, 0,
		179, 0, 0, 0,
		137, 1, 1, 0,
	};
	uint32_t *reply = sim_hostmem_translate(h->hostmem, REPLY_AT, 4096);
	assert_non_null(reply);
	memset(reply, 0xee, 24);
	uint32_t type = submit_ring(h, VENUS_CTX, dw, sizeof(dw) / 4, ring, fence);
	if (type != OK)
		return type;
	/* reply: command type, VkResult, u64 pointer count, the version */
	assert_int_equal(le32toh(reply[0]), 137);
	assert_int_equal(le32toh(reply[1]), 0);		/* VK_SUCCESS */
	assert_int_equal(le32toh(reply[2]), 1);
	*version = le32toh(reply[4]);
	return OK;
}

static void virgl_clear_and_check(struct th *h, uint32_t res)
{
	uint64_t gpa = th_alloc(h, 64 * 64 * 4);
	assert_int_equal(th_create_3d_rt(h, res, 64, 64), OK);
	assert_int_equal(th_attach(h, res, gpa, 64 * 64 * 4), OK);
	assert_int_equal(th_ctx_attach(h, VIRGL_CTX, res), OK);
	uint32_t dw[32];
	uint32_t n = th_clear_stream(res, dw);
	assert_int_equal(th_submit_3d(h, VIRGL_CTX, dw, n), OK);
	assert_int_equal(th_transfer_3d(h, false, VIRGL_CTX, res, 64, 64, 256), OK);
	uint32_t *px = malloc(64 * 64 * 4);
	assert_int_equal(sim_ram_read(h->ram, gpa, px, 64 * 64 * 4), 0);
	for (int i = 0; i < 64 * 64; i++)
		if (le32toh(px[i]) != 0xffff3300)
			fail_msg("pixel %d is 0x%08x", i, le32toh(px[i]));
	free(px);
	th_release(h, gpa, 64 * 64 * 4);
}

static void test_host_venus_capsets(void **state)
{
	TEST_SKIP_FROM_1_0("the venus capset is 160 bytes, wire_format_version 1, in 1.1.0 (156, 0 in 0.10.4); the test checks 0.10.4's");
	struct th *h = device;
	struct virtio_gpu_get_capset_info ci = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0),
		.capset_index = htole32(2),
	};
	struct virtio_gpu_resp_capset_info r;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &ci, sizeof(ci), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(le32toh(r.capset_id), CAPSET_VENUS);
	assert_int_equal(le32toh(r.capset_max_size), 156);
}

static void test_host_venus_next_to_virgl(void **state)
{
	struct th *h = device;
	assert_int_equal(th_ctx_create(h, VIRGL_CTX, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	venus_setup(h);
	virgl_clear_and_check(h, 1);
	uint32_t version = 0;
	assert_int_equal(enumerate_version(h, 0, 1, &version), OK);
	/* 1.3 on 0.10.4 and 1.1.0; 1.3.0 offers 1.4 */
	assert_int_equal(version >> 22, 1);
	assert_true(((version >> 12) & 0x3ff) >= 3);
	virgl_clear_and_check(h, 2);
}

/*
 * Venus rings other than 0 exist once the guest binds them to a queue
 * (vkGetDeviceQueue2 with VkDeviceQueueTimelineInfoMESA); a fence on an
 * unbound ring is the renderer's to refuse, and what virglrenderer 0.10.4
 * does differs by mode.  In-process the refusal is immediate: the device
 * answers ERR_UNSPEC and the context lives on.  The render server only
 * notices later: the fence signals as if complete (OK), and the server
 * gives up on the context: its next submit is refused (QEMU ignores
 * that, row P13) and so is its fence (ERR_UNSPEC).  Either way: an
 * answer, never a hang, and other contexts are unaffected.
 */
static void test_host_venus_unbound_ring(void **state)
{
	struct th *h = device;
	assert_int_equal(th_ctx_create(h, VIRGL_CTX, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	venus_setup(h);
	uint32_t version;
	if (!render_server) {
		assert_int_equal(enumerate_version(h, 5, 1, &version),
				 VIRTIO_GPU_RESP_ERR_UNSPEC);
		assert_int_equal(enumerate_version(h, 0, 2, &version), OK);
	} else {
		assert_int_equal(enumerate_version(h, 5, 1, &version), OK);
		/* QEMU ignores the refused submit (row P13); the refused
		 * fence is the device's ERR_UNSPEC (fence.c) */
		assert_int_equal(enumerate_version(h, 0, 2, &version),
				 VIRTIO_GPU_RESP_ERR_UNSPEC);
	}
	virgl_clear_and_check(h, 1);
}

/* A renderer failure is an error for that context only. */
static void test_host_venus_bad_stream_spares_others(void **state)
{
	struct th *h = device;
	assert_int_equal(th_ctx_create(h, VIRGL_CTX, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	venus_setup(h);
	assert_int_equal(th_ctx_create(h, 3, CAPSET_VENUS), OK);
	const uint32_t junk[] = { 0x7fffffff, 0, 1, 2 };
	if (render_server && test_renderer_major() >= 1) {
		/* 1.x's render server decodes after taking the submit: it
		 * is answered OK, or ERR_UNSPEC when the worker gave up
		 * before the fence was made; either way the context is
		 * gone and its next submit fails. */
		uint32_t first = submit_ring(h, 3, junk, 4, 0, 1);

		assert_true(first == OK || first == VIRTIO_GPU_RESP_ERR_UNSPEC);
		assert_int_not_equal(submit_ring(h, 3, junk, 4, 0, 3), OK);
	} else {
		/* QEMU ignores the renderer's refusal (row P13) */
		assert_int_equal(submit_ring(h, 3, junk, 4, 0, 1), OK);
	}
	uint32_t version;
	assert_int_equal(enumerate_version(h, 0, 2, &version), OK);
	virgl_clear_and_check(h, 1);
}

/*
 * Venus alone (NO_VIRGL): only capset 4, no default context type, and a
 * fenced command on the global timeline (which 0.10.4 keeps in the virgl
 * renderer) is still answered.
 */
static void test_host_venus_alone(void **state)
{
	th_destroy(device);
	struct th_options o = {
		.venus = true, .render_server = render_server,
		.hostmem_size = 1 << 20,
	};
	struct th *h = th_create(&o);
	struct virtio_gpu_get_capset_info ci = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0),
	};
	struct virtio_gpu_resp_capset_info r;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &ci, sizeof(ci), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(le32toh(r.capset_id), CAPSET_VENUS);
	ci.capset_index = htole32(1);	/* past the end: zeros (row G1) */
	assert_int_equal(th_cmd(h, TH_CTRLQ, &ci, sizeof(ci), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(le32toh(r.capset_id), 0);
	assert_int_equal(th_ctx_create(h, 1, 0), E_PARAM);
	/* virgl is off: its capset is not offered (row X7: OK, nothing) */
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	venus_setup(h);
	uint32_t version;
	assert_int_equal(enumerate_version(h, 0, 1, &version), OK);
	struct virtio_gpu_resource_create_2d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0),
		.resource_id = htole32(50), .format = htole32(1),
		.width = htole32(4), .height = htole32(4),
	};
	c.hdr.flags = htole32(VIRTIO_GPU_FLAG_FENCE);
	c.hdr.fence_id = htole64(9);
	struct virtio_gpu_ctrl_hdr resp;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), &resp, sizeof(resp)), OK);
	assert_int_equal(le64toh(resp.fence_id), 9);
	th_destroy(h);
	struct th_options both = {
		.virgl = true, .venus = true, .render_server = render_server,
		.hostmem_size = 1 << 20,
	};
	device = th_create(&both);
}

/*
 * Our own child processes.  Counted by parent, not by name: virglrenderer
 * forks the server and then execs virgl_render_server, and a child caught
 * between the two still carries this test's name (the CI row once read
 * zero servers right after th_reset had forked one).  This test process
 * starts no other children.
 */
static unsigned render_servers(void)
{
	unsigned n = 0;
	DIR *d = opendir("/proc");
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[300], buf[512];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = 0;
		/* pid (comm) state ppid ... */
		char *close = strrchr(buf, ')');
		int ppid = 0;
		char st;
		if (!close || sscanf(close + 1, " %c %d", &st, &ppid) != 2)
			continue;
		if (ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

/* Is @p in a mapping with no access and no file (the host-visible
 * region's reservation), as /proc/self/maps shows it? */
static bool reserved_only(const void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	assert_non_null(f);
	char line[512], perms[8], dev[16];
	bool found = false, reserved = false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, ino;
		unsigned long long off;
		if (sscanf(line, "%lx-%lx %7s %llx %15s %lu", &lo, &hi, perms,
			   &off, dev, &ino) != 6)
			continue;
		if ((uintptr_t)p < lo || (uintptr_t)p >= hi)
			continue;
		found = true;
		reserved = strcmp(perms, "---p") == 0 && ino == 0;
	}
	fclose(f);
	return reserved;
}

/*
 * virglrenderer 1.3's virgl_renderer_resource_map_fixed: the reply blob
 * is placed at its window's own address in the region, replies arrive
 * there, and RESOURCE_UNMAP_BLOB puts the region's reservation (no
 * access, no file) back, so none of the renderer's memory stays mapped.
 */
static void test_host_venus_map_fixed(void **state)
{
	struct th *h = device;
	int64_t before = host_device_fixed_maps(h->dev);
	if (before < 0) {
		printf("# SKIP virglrenderer %s has no "
		       "virgl_renderer_resource_map_fixed (1.3): blobs are "
		       "mapped where the renderer puts them\n",
		       host_renderer_version());
		skip();
	}
	venus_setup(h);
	assert_int_equal(host_device_fixed_maps(h->dev), before + 1);
	void *at = sim_hostmem_translate(h->hostmem, REPLY_AT, 4096);
	assert_false(reserved_only(at));
	uint32_t version = 0;
	assert_int_equal(enumerate_version(h, 0, 1, &version), OK);
	assert_int_equal(version >> 22, 1);
	assert_int_equal(th_unmap_blob(h, REPLY_RES), OK);
	assert_true(reserved_only(at));
	/* mapped again, replies arrive again, at the same address */
	assert_int_equal(th_map_blob(h, REPLY_RES, REPLY_AT, NULL),
			 VIRTIO_GPU_RESP_OK_MAP_INFO);
	assert_int_equal(host_device_fixed_maps(h->dev), before + 2);
	assert_ptr_equal(sim_hostmem_translate(h->hostmem, REPLY_AT, 4096), at);
	assert_int_equal(enumerate_version(h, 0, 2, &version), OK);
}

static void test_host_venus_destroy_leaves_no_server(void **state)
{
	if (render_server)
		assert_true(render_servers() >= 1);
	th_destroy(device);
	device = NULL;
	assert_int_equal(render_servers(), 0);
}

int main(int argc, char **argv)
{
	render_server = argc > 1 && strcmp(argv[1], "render-server") == 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_host_venus_capsets, teardown),
		cmocka_unit_test_teardown(test_host_venus_next_to_virgl, teardown),
		cmocka_unit_test_teardown(test_host_venus_unbound_ring, teardown),
		cmocka_unit_test_teardown(test_host_venus_bad_stream_spares_others,
					  teardown),
		cmocka_unit_test_teardown(test_host_venus_alone, teardown),
		cmocka_unit_test_teardown(test_host_venus_map_fixed, teardown),
		cmocka_unit_test_teardown(test_host_venus_destroy_leaves_no_server,
					  teardown),
	};
	return cmocka_run_group_tests_name(render_server ? "host_render_server"
					   : "host_venus", tests, group_setup,
					   group_teardown);
}
