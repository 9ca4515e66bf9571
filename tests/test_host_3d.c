// SPDX-License-Identifier: MIT
/*
 * The device's 3D side through its virtqueues: capsets, contexts, 3D
 * resources, submits and transfers on virglrenderer/llvmpipe, scanout of
 * a rendered resource, and fences: the global and per-ring timelines,
 * answers in timeline order, the complete-earlier rule, and the renderer's
 * limits (virgl contexts have one ring).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/log.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"
#include "tests/test_host_util.h"

#define OK VIRTIO_GPU_RESP_OK_NODATA
#define E_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define E_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define E_CTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID
#define E_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define NO(f) (TH_ALL_FEATURES & ~(1ull << VIRTIO_GPU_F_##f))
#define RING VIRTIO_GPU_FLAG_INFO_RING_IDX
#define FENCE VIRTIO_GPU_FLAG_FENCE

static int group_setup(void **state)
{
	sim_log_set_quiet(getenv("VGS_TEST_VERBOSE") == NULL);
	struct th_options o = { .virgl = true, .scanout_pngs = true };
	*state = th_create(&o);
	return 0;
}

static int group_teardown(void **state)
{
	th_destroy(*state);
	return 0;
}

static int teardown(void **state)
{
	th_reset(*state, TH_ALL_FEATURES);
	return 0;
}

static void test_host_3d_capsets(void **state)
{
	struct th *h = *state;
	struct virtio_gpu_get_capset_info ci = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0),
	};
	struct virtio_gpu_resp_capset_info r;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &ci, sizeof(ci), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(le32toh(r.capset_id), VIRTIO_GPU_CAPSET_VIRGL);
	assert_int_equal(le32toh(r.capset_max_version), 1);
	ci.capset_index = htole32(1);
	assert_int_equal(th_cmd(h, TH_CTRLQ, &ci, sizeof(ci), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(le32toh(r.capset_id), VIRTIO_GPU_CAPSET_VIRGL2);
	uint32_t size2 = le32toh(r.capset_max_size);
	assert_int_equal(le32toh(r.capset_max_version), 2);
	/* venus is off: two capsets only; QEMU answers zeros (row G1) */
	ci.capset_index = htole32(2);
	assert_int_equal(th_cmd(h, TH_CTRLQ, &ci, sizeof(ci), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	assert_int_equal(le32toh(r.capset_id), 0);
	assert_int_equal(le32toh(r.capset_max_size), 0);

	struct virtio_gpu_get_capset gc = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_GET_CAPSET, 0),
		.capset_id = htole32(2), .capset_version = htole32(2),
	};
	size_t len = sizeof(struct virtio_gpu_ctrl_hdr) + size2;
	uint8_t *buf = calloc(1, len);
	assert_int_equal(th_cmd(h, TH_CTRLQ, &gc, sizeof(gc), buf, len),
			 VIRTIO_GPU_RESP_OK_CAPSET);
	uint32_t max_ver;
	memcpy(&max_ver, buf + 24, 4);
	assert_int_equal(le32toh(max_ver), 2);
	struct virtio_gpu_ctrl_hdr small;
	/* QEMU writes the part that fits (rows D6, D5) */
	assert_int_equal(th_cmd(h, TH_CTRLQ, &gc, sizeof(gc), &small,
				sizeof(small)), VIRTIO_GPU_RESP_OK_CAPSET);
	/* A version above the max is not checked (row G3). */
	gc.capset_version = htole32(3);
	assert_int_equal(th_cmd(h, TH_CTRLQ, &gc, sizeof(gc), buf, len),
			 VIRTIO_GPU_RESP_OK_CAPSET);
	free(buf);
	gc.capset_id = htole32(4);
	gc.capset_version = 0;
	assert_int_equal(th_cmd0(h, &gc, sizeof(gc)), E_PARAM);
}

static void test_host_3d_contexts(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	assert_int_equal(th_ctx_create(h, 2, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	/* QEMU's virgl device ignores virglrenderer's refusal: OK
	 * (rows X1, X2); nothing is created. */
	assert_int_equal(th_ctx_create(h, 1, 0), OK);		/* exists */
	assert_int_equal(th_ctx_create(h, 0, 0), OK);		/* reserved */
	/* A capset not offered, undefined bits: OK, nothing created (rows
	 * X7, X6); so ctx 3 is still free for the next one. */
	assert_int_equal(th_ctx_create(h, 3, 4), OK);		/* no venus */
	assert_int_equal(th_ctx_create(h, 3, 0x102), OK);	/* bits */
	/* nlen above 64 is not checked (row X4): created, name cut to 64 */
	struct virtio_gpu_ctx_create c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_CREATE, 3),
		.nlen = htole32(65),
	};
	memset(c.debug_name, 'n', sizeof(c.debug_name));
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);
	assert_int_equal(th_ctx_destroy(h, 3), OK);
	assert_int_equal(th_ctx_destroy(h, 2), OK);
	assert_int_equal(th_ctx_destroy(h, 2), OK);	/* gone: row X9 */
	/* context_init without CONTEXT_INIT: created as asked (row X5) */
	th_renegotiate(h, NO(CONTEXT_INIT));
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(th_ctx_create(h, 2, 0), OK);
	assert_int_equal(th_ctx_destroy(h, 1), OK);
	assert_int_equal(th_ctx_destroy(h, 2), OK);
}

static void test_host_3d_ctx_resources(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	assert_int_equal(th_create_3d_rt(h, 5, 16, 16), OK);
	assert_int_equal(th_create_2d(h, 6, 1, 16, 16), OK);
	assert_int_equal(th_ctx_attach(h, 1, 5), OK);
	assert_int_equal(th_ctx_attach(h, 1, 6), OK);	/* 2D: no-op */
	assert_int_equal(th_ctx_attach(h, 2, 5), OK);	/* no ctx: row X9 */
	assert_int_equal(th_ctx_attach(h, 1, 7), OK);	/* row X11 */
	struct virtio_gpu_ctx_resource d = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, 1),
		.resource_id = htole32(5),
	};
	assert_int_equal(th_cmd0(h, &d, sizeof(d)), OK);
	d.resource_id = htole32(8);
	assert_int_equal(th_cmd0(h, &d, sizeof(d)), OK);	/* row X11 */
	d.hdr.ctx_id = htole32(9);
	assert_int_equal(th_cmd0(h, &d, sizeof(d)), OK);	/* row X9 */
}

static void test_host_3d_create(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_create_3d_rt(h, 1, 64, 64), OK);
	assert_int_equal(th_create_3d_rt(h, 1, 64, 64), E_RES);
	assert_int_equal(th_create_3d_rt(h, 0, 64, 64), E_RES);
	/* rows P4, P5: the renderer refuses a texture of width 0; QEMU
	 * ignores that */
	assert_int_equal(th_create_3d_rt(h, 2, 0, 64), OK);
	struct virtio_gpu_resource_create_3d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0),
		.resource_id = htole32(3), .target = htole32(2),
		.format = htole32(9999), .bind = htole32(2),
		.width = htole32(4), .height = htole32(4), .depth = htole32(1),
		.array_size = htole32(1),
	};
	/* the renderer refuses the format; QEMU ignores that (row P5) */
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);
	assert_int_equal(th_unref(h, 3), E_RES);	/* nothing was made */
	assert_int_equal(th_unref(h, 1), OK);
}

/* A cleared render target with backing; returns the backing's GPA. */
static uint64_t cleared_rt(struct th *h, uint32_t ctx, uint32_t id)
{
	uint64_t gpa = th_alloc(h, 64 * 64 * 4);
	assert_int_equal(th_create_3d_rt(h, id, 64, 64), OK);
	assert_int_equal(th_attach(h, id, gpa, 64 * 64 * 4), OK);
	assert_int_equal(th_ctx_attach(h, ctx, id), OK);
	uint32_t dw[32];
	uint32_t n = th_clear_stream(id, dw);
	assert_int_equal(th_submit_3d(h, ctx, dw, n), OK);
	return gpa;
}

static void check_cleared(struct th *h, uint64_t gpa)
{
	uint32_t *px = malloc(64 * 64 * 4);
	assert_int_equal(sim_ram_read(h->ram, gpa, px, 64 * 64 * 4), 0);
	for (int i = 0; i < 64 * 64; i++)
		if (le32toh(px[i]) != 0xffff3300)
			fail_msg("pixel %d is 0x%08x", i, le32toh(px[i]));
	free(px);
}

static void test_host_3d_submit_and_read_back(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	uint64_t gpa = cleared_rt(h, 1, 1);
	assert_int_equal(th_transfer_3d(h, false, 1, 1, 64, 64, 256), OK);
	check_cleared(h, gpa);

	uint32_t dw[4] = { 0 };
	assert_int_equal(th_submit_3d(h, 7, dw, 1), OK);	/* row X9 */
	struct virtio_gpu_cmd_submit s = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, 1), .size = htole32(8),
	};
	assert_int_equal(th_cmd0(h, &s, sizeof(s)), E_PARAM);	/* nothing follows */
	struct {
		struct virtio_gpu_cmd_submit s;
		uint32_t dw[2];
	} s2 = { .s = s };
	s2.s.size = htole32(6);
	/* not dwords: QEMU submits size / 4 dwords (row P2) */
	assert_int_equal(th_cmd0(h, &s2, sizeof(s2)), OK);
	/* A bad stream is the renderer's to refuse; it only breaks that
	 * context, the next one works. */
	assert_int_equal(th_ctx_create(h, 2, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	uint32_t junk[4] = { 0xffff00ff, 1, 2, 3 };
	assert_int_equal(th_submit_3d(h, 2, junk, 4), OK);	/* row P13 */
	uint64_t gpa3 = cleared_rt(h, 1, 3);
	assert_int_equal(th_transfer_3d(h, false, 1, 3, 64, 64, 256), OK);
	check_cleared(h, gpa3);
	th_release(h, gpa, 64 * 64 * 4);
	th_release(h, gpa3, 64 * 64 * 4);
}

static void test_host_3d_transfers(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	uint64_t gpa = cleared_rt(h, 1, 1);
	assert_int_equal(th_transfer_3d(h, true, 1, 1, 64, 64, 256), OK);
	assert_int_equal(th_transfer_3d(h, true, 0, 1, 64, 64, 256), OK);
	/* Rows P6 (box outside), R5T (unknown resource) and X9 (unknown
	 * context), QEMU's answers: the renderer refuses these and QEMU
	 * ignores its refusal; crosvm answers ERR_UNSPEC
	 * (scenarios/device/answers.md). */
	assert_int_equal(th_transfer_3d(h, true, 1, 1, 64, 65, 256), OK);
	assert_int_equal(th_transfer_3d(h, true, 1, 2, 64, 64, 256), OK);
	assert_int_equal(th_transfer_3d(h, false, 1, 1, 65, 64, 256), OK);
	assert_int_equal(th_transfer_3d(h, false, 1, 9, 64, 64, 256), OK);
	assert_int_equal(th_transfer_3d(h, false, 5, 1, 64, 64, 256), OK);
	struct virtio_gpu_transfer_host_3d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, 1),
		.box = { 0, 0, 0, htole32(1), htole32(1), htole32(1) },
		.resource_id = htole32(1), .offset = htole64(64 * 64 * 4),
	};
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);	/* offset */
	c.offset = 0;
	c.box.x = htole32(0xffffffff);
	c.box.w = htole32(2);
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);	/* wraps */
	c.box.x = 0;
	c.box.z = htole32(1);
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);	/* layer 1 */
	/* With VIRGL a 2D resource is the renderer's too (row P7); this
	 * one has no backing: QEMU ignores the renderer's refusal (P9). */
	assert_int_equal(th_create_2d(h, 2, 1, 64, 64), OK);
	c.box.z = 0;
	c.resource_id = htole32(2);
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);
	assert_int_equal(th_detach(h, 1), OK);
	assert_int_equal(th_transfer_3d(h, false, 1, 1, 64, 64, 256), OK);
	/* TRANSFER_TO_HOST_2D reaches 3D resources through the renderer */
	assert_int_equal(th_attach(h, 1, gpa, 64 * 64 * 4), OK);
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 64, 64, 0), OK);
	th_release(h, gpa, 64 * 64 * 4);
}

/* Pixel i of a 64x64 image holds @base + i; returns the first pixel that
 * does not (and its value in *got), or -1. */
static int pattern_mismatch(struct th *h, uint64_t gpa, uint32_t base,
			    uint32_t *got)
{
	uint32_t *px = malloc(64 * 64 * 4);
	int bad = -1;
	assert_int_equal(sim_ram_read(h->ram, gpa, px, 64 * 64 * 4), 0);
	for (int i = 0; i < 64 * 64 && bad < 0; i++)
		if (le32toh(px[i]) != base + (uint32_t)i) {
			bad = i;
			*got = le32toh(px[i]);
		}
	free(px);
	return bad;
}

static void write_pattern(struct th *h, uint64_t gpa, uint32_t base)
{
	uint32_t *px = malloc(64 * 64 * 4);
	for (uint32_t i = 0; i < 64 * 64; i++)
		px[i] = htole32(base + i);
	assert_int_equal(sim_ram_write(h->ram, gpa, px, 64 * 64 * 4), 0);
	free(px);
}

/*
 * With VIRGL, RESOURCE_CREATE_2D makes a renderer texture as QEMU's virgl
 * device and crosvm do (docs/device-answers.md row P7): TRANSFER_*_3D
 * move its pixels both ways, TRANSFER_TO_HOST_2D goes through the
 * renderer, and a virgl context renders into it.
 */
static void test_host_3d_create_2d_in_renderer(void **state)
{
	struct th *h = *state;
	uint64_t gpa = th_alloc(h, 64 * 64 * 4);
	uint32_t got = 0;
	assert_int_equal(th_create_2d(h, 1, 1 /* B8G8R8A8 */, 64, 64), OK);
	assert_int_equal(th_attach(h, 1, gpa, 64 * 64 * 4), OK);
	write_pattern(h, gpa, 0xff000000);
	assert_int_equal(th_transfer_3d(h, true, 0, 1, 64, 64, 256), OK);
	assert_int_equal(sim_ram_write(h->ram, gpa, (uint8_t[256]){ 0 }, 256),
			 0);
	assert_int_equal(th_transfer_3d(h, false, 0, 1, 64, 64, 256), OK);
	int bad = pattern_mismatch(h, gpa, 0xff000000, &got);
	if (bad >= 0)
		fail_msg("round trip: pixel %d is 0x%08x", bad, got);
	/* TRANSFER_TO_HOST_2D of the whole image, then read back. */
	write_pattern(h, gpa, 0xfe000000);
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 64, 64, 0), OK);
	write_pattern(h, gpa, 0);
	assert_int_equal(th_transfer_3d(h, false, 0, 1, 64, 64, 256), OK);
	bad = pattern_mismatch(h, gpa, 0xfe000000, &got);
	if (bad >= 0)
		fail_msg("2D upload: pixel %d is 0x%08x", bad, got);
	/* A render target of a virgl context. */
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	assert_int_equal(th_ctx_attach(h, 1, 1), OK);
	uint32_t dw[32];
	uint32_t n = th_clear_stream(1, dw);
	assert_int_equal(th_submit_3d(h, 1, dw, n), OK);
	assert_int_equal(th_transfer_3d(h, false, 1, 1, 64, 64, 256), OK);
	check_cleared(h, gpa);
	assert_int_equal(th_unref(h, 1), OK);
	th_release(h, gpa, 64 * 64 * 4);
}

/* A rendered 3D resource on a scanout: the flush reads it back. */
static void test_host_3d_scanout_png(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	uint64_t gpa = cleared_rt(h, 1, 1);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 64, 64), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 64, 64), OK);
	char path[128];
	uint32_t w, hgt;
	snprintf(path, sizeof(path), "%s/scanout0-0000.png", h->png_dir);
	uint8_t *px = th_png_read(path, &w, &hgt);
	assert_non_null(px);
	assert_int_equal(w, 64);
	assert_int_equal(hgt, 64);
	const uint8_t want[4] = { 0xff, 0x33, 0x00, 0xff };
	for (uint32_t i = 0; i < w * hgt; i++)
		if (memcmp(px + i * 4, want, 4))
			fail_msg("pixel %u", i);
	free(px);
	/* a buffer is no scanout */
	struct virtio_gpu_resource_create_3d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0),
		.resource_id = htole32(2), .target = 0, .format = htole32(64),
		.bind = htole32(0x10), .width = htole32(4096),
		.height = htole32(1), .depth = htole32(1),
		.array_size = htole32(1),
	};
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);
	/* QEMU's virgl device answers OK; nothing is shown (row S6) */
	assert_int_equal(th_set_scanout(h, 0, 2, 0, 0, 64, 1), OK);
	th_release(h, gpa, 64 * 64 * 4);
}

/* Queue a fenced command on @ctx (ring @ring when >= 0) without kicking. */
static struct th_req *fenced(struct th *h, const void *cmd, size_t len,
			     uint64_t fence, int ring)
{
	uint8_t buf[256];
	memcpy(buf, cmd, len);
	struct virtio_gpu_ctrl_hdr *hdr = (void *)buf;
	hdr->flags = htole32(FENCE | (ring >= 0 ? RING : 0));
	hdr->fence_id = htole64(fence);
	hdr->ring_idx = ring >= 0 ? (uint8_t)ring : 0;
	return th_submit(h, TH_CTRLQ, buf, len, sizeof(struct virtio_gpu_ctrl_hdr));
}

static uint64_t answered_fence(const struct th_req *r)
{
	const struct virtio_gpu_ctrl_hdr *hdr = (const void *)r->resp;
	return le64toh(hdr->fence_id);
}

/* Submits of the clear stream, fenced on the global timeline: answered
 * in order, each echoing its fence. */
static void test_host_3d_global_fences_in_order(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	uint64_t gpa = cleared_rt(h, 1, 1);
	uint8_t cmd[sizeof(struct virtio_gpu_cmd_submit) + 23 * 4];
	struct virtio_gpu_cmd_submit *s = (void *)cmd;
	*s = (struct virtio_gpu_cmd_submit){
		.hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, 1),
		.size = htole32(23 * 4),
	};
	uint32_t n = th_clear_stream(1, (uint32_t *)(s + 1));
	assert_int_equal(n, 23);
	struct th_req *r[8];
	for (int i = 0; i < 8; i++)
		r[i] = fenced(h, cmd, sizeof(cmd), 100 + i, -1);
	th_kick(h, TH_CTRLQ);
	for (int i = 0; i < 8; i++) {
		struct th_req *got = th_wait(h, TH_CTRLQ);
		assert_ptr_equal(got, r[i]);
		assert_int_equal(th_req_type(got), OK);
		assert_int_equal(answered_fence(got), 100 + i);
		th_req_free(h, got);
	}
	th_release(h, gpa, 64 * 64 * 4);
}

/*
 * Ring fences (5.7.6.7): ring_idx 0 of a virgl context works; other rings
 * are refused up front (virglrenderer 0.10.4 gives virgl contexts one
 * ring) with an answer, never a hang; ring 64 and unknown contexts are
 * refused.  Answers keep timeline order, errors included.
 */
static void test_host_3d_ring_fences(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	struct virtio_gpu_ctx_resource att = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, 1),
		.resource_id = htole32(1),
	};
	assert_int_equal(th_create_3d_rt(h, 1, 16, 16), OK);
	uint64_t gpa = th_alloc(h, 4096);
	assert_int_equal(th_create_blob(h, 0, 77, VIRTIO_GPU_BLOB_MEM_GUEST,
					VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE, 0,
					4096, gpa), OK);
	struct virtio_gpu_resource_map_blob map = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 1),
		.resource_id = htole32(77),
	};
	static const struct {
		const char *desc;
		int ring;
		uint32_t ctx, res, want;
		bool map;
	} cases[] = {
		{ "ring 0", 0, 1, 1, OK, false },
		{ "ring 1 of a virgl context", 1, 1, 1, E_PARAM, false },
		{ "ring 63 of a virgl context", 63, 1, 1, E_PARAM, false },
		{ "ring 64", 64, 1, 1, E_PARAM, false },
		{ "ring of an unknown context", 0, 9, 1, E_CTX, false },
		/* MAP_BLOB of a guest blob (row M6) */
		{ "error on ring 0", 0, 1, 77, E_UNSPEC, true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		att.hdr.ctx_id = htole32(cases[i].ctx);
		att.resource_id = htole32(cases[i].res);
		struct th_req *r = cases[i].map
			? fenced(h, &map, sizeof(map), 500 + i, cases[i].ring)
			: fenced(h, &att, sizeof(att), 500 + i, cases[i].ring);
		th_kick(h, TH_CTRLQ);
		assert_ptr_equal(th_wait(h, TH_CTRLQ), r);
		if (th_req_type(r) != cases[i].want)
			fail_msg("%s: got 0x%x, want 0x%x", cases[i].desc,
				 th_req_type(r), cases[i].want);
		const struct virtio_gpu_ctrl_hdr *hdr = (const void *)r->resp;
		/* QEMU's header (row N6): FLAG_FENCE, fence_id and ctx_id
		 * back, never INFO_RING_IDX or ring_idx. */
		assert_int_equal(le32toh(hdr->flags), FENCE);
		assert_int_equal(le64toh(hdr->fence_id), 500 + i);
		assert_int_equal(le32toh(hdr->ctx_id), cases[i].ctx);
		assert_int_equal(hdr->ring_idx, 0);
		th_req_free(h, r);
	}
	th_release(h, gpa, 4096);
	th_renegotiate(h, NO(CONTEXT_INIT));
	assert_int_equal(th_ctx_create(h, 1, 0), OK);
	att.hdr.ctx_id = htole32(1);
	struct th_req *r = fenced(h, &att, sizeof(att), 1, 0);
	th_kick(h, TH_CTRLQ);
	assert_ptr_equal(th_wait(h, TH_CTRLQ), r);
	/* without CONTEXT_INIT QEMU's virgl device still makes it a
	 * context fence (row F8) */
	assert_int_equal(th_req_type(r), OK);
	th_req_free(h, r);
}

/*
 * 5.7.6.7: once fence N completes, every outstanding command of the
 * timeline with a fence_id <= N is answered.  Fence 20 is submitted before
 * fence 15 on ring 0; both come back, 20 first, and a failing command
 * (fence 30) is answered only after the earlier work (fence 25).
 */
static void test_host_3d_complete_earlier_rule(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	uint64_t gpa = cleared_rt(h, 1, 1);
	uint8_t cmd[sizeof(struct virtio_gpu_cmd_submit) + 23 * 4];
	struct virtio_gpu_cmd_submit *s = (void *)cmd;
	*s = (struct virtio_gpu_cmd_submit){
		.hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, 1),
		.size = htole32(23 * 4),
	};
	th_clear_stream(1, (uint32_t *)(s + 1));
	struct virtio_gpu_ctx_resource bad = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, 1),
		.resource_id = htole32(404),
	};
	struct th_req *r20 = fenced(h, cmd, sizeof(cmd), 20, 0);
	struct th_req *r15 = fenced(h, cmd, sizeof(cmd), 15, 0);
	struct th_req *r25 = fenced(h, cmd, sizeof(cmd), 25, 0);
	struct th_req *r30 = fenced(h, &bad, sizeof(bad), 30, 0);
	th_kick(h, TH_CTRLQ);
	struct th_req *want[4] = { r20, r15, r25, r30 };
	for (int i = 0; i < 4; i++) {
		struct th_req *got = th_wait(h, TH_CTRLQ);
		if (got != want[i])
			fail_msg("answer %d is fence %llu", i,
				 (unsigned long long)answered_fence(got));
		th_req_free(h, got);
	}
	/* Destroying a context answers what waits on its rings. */
	struct th_req *p = fenced(h, cmd, sizeof(cmd), 40, 0);
	struct virtio_gpu_ctx_destroy d = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_DESTROY, 1),
	};
	struct th_req *pd = th_submit(h, TH_CTRLQ, &d, sizeof(d),
				      sizeof(struct virtio_gpu_ctrl_hdr));
	th_kick(h, TH_CTRLQ);
	struct th_req *a = th_wait(h, TH_CTRLQ), *b = th_wait(h, TH_CTRLQ);
	assert_true((a == p && b == pd) || (a == pd && b == p));
	assert_int_equal(th_req_type(p), OK);
	assert_int_equal(th_req_type(pd), OK);
	th_req_free(h, a);
	th_req_free(h, b);
	th_release(h, gpa, 64 * 64 * 4);
}

/* Lockstep: once the device reports idle, every answer to what was kicked
 * is on the used ring, fenced ones included. */
static void test_host_3d_lockstep_idle_after_fences(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_ctx_create(h, 1, VIRTIO_GPU_CAPSET_VIRGL2), OK);
	uint64_t gpa = cleared_rt(h, 1, 1);
	uint8_t cmd[sizeof(struct virtio_gpu_cmd_submit) + 23 * 4];
	struct virtio_gpu_cmd_submit *s = (void *)cmd;
	*s = (struct virtio_gpu_cmd_submit){
		.hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, 1),
		.size = htole32(23 * 4),
	};
	th_clear_stream(1, (uint32_t *)(s + 1));
	sim_transport_set_lockstep(h->t, true);
	for (int round = 0; round < 4; round++) {
		struct th_req *a = fenced(h, cmd, sizeof(cmd), 10 + round, 0);
		struct th_req *b = fenced(h, cmd, sizeof(cmd), 20 + round, -1);
		th_kick(h, TH_CTRLQ);
		sim_transport_wait_idle(h->t);
		uint32_t written;
		void *first = sim_vqd_get_used(h->vq[TH_CTRLQ], &written);
		void *second = sim_vqd_get_used(h->vq[TH_CTRLQ], &written);
		assert_true((first == a && second == b) || (first == b && second == a));
		th_req_free(h, a);
		th_req_free(h, b);
	}
	sim_transport_set_lockstep(h->t, false);
	th_release(h, gpa, 64 * 64 * 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_host_3d_capsets, teardown),
		cmocka_unit_test_teardown(test_host_3d_contexts, teardown),
		cmocka_unit_test_teardown(test_host_3d_ctx_resources, teardown),
		cmocka_unit_test_teardown(test_host_3d_create, teardown),
		cmocka_unit_test_teardown(test_host_3d_submit_and_read_back, teardown),
		cmocka_unit_test_teardown(test_host_3d_transfers, teardown),
		cmocka_unit_test_teardown(test_host_3d_create_2d_in_renderer,
					  teardown),
		cmocka_unit_test_teardown(test_host_3d_scanout_png, teardown),
		cmocka_unit_test_teardown(test_host_3d_global_fences_in_order,
					  teardown),
		cmocka_unit_test_teardown(test_host_3d_ring_fences, teardown),
		cmocka_unit_test_teardown(test_host_3d_complete_earlier_rule,
					  teardown),
		cmocka_unit_test_teardown(test_host_3d_lockstep_idle_after_fences,
					  teardown),
	};
	return cmocka_run_group_tests_name("host_3d", tests, group_setup,
					   group_teardown);
}
