// SPDX-License-Identifier: MIT
/*
 * The device's 2D side through its virtqueues (no kernelmock): display
 * info, EDID, 2D resources and backing, transfers, scanouts and flush to
 * PNG, the cursor queue, resource UUIDs, feature gating and the header
 * rules.  Every command: its success path and invalid fields with the
 * exact response type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sim/log.h"
#include "sim/ram.h"
#include "tests/test_host_util.h"

#define OK VIRTIO_GPU_RESP_OK_NODATA
#define E_UNSPEC VIRTIO_GPU_RESP_ERR_UNSPEC
#define E_OOM VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY
#define E_SCANOUT VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID
#define E_RES VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID
#define E_PARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define BGRA VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM
#define NO(f) (TH_ALL_FEATURES & ~(1ull << VIRTIO_GPU_F_##f))

static int group_setup(void **state)
{
	sim_log_set_quiet(getenv("VGS_TEST_VERBOSE") == NULL);
	struct th_options o = {
		.virgl = true, .num_scanouts = 2, .scanout_pngs = true,
		.mode1_w = 800, .mode1_h = 600,
	};
	*state = th_create(&o);
	return 0;
}

static int group_teardown(void **state)
{
	th_destroy(*state);
	return 0;
}

/* Every test leaves a clean device: reset drops all objects, and th_reset
 * checks that no guest page or region window leaked. */
static int teardown(void **state)
{
	th_reset(*state, TH_ALL_FEATURES);
	return 0;
}

/* A w x h 2D resource with backing filled with @pixel (B8G8R8A8). */
static uint64_t make_filled(struct th *h, uint32_t id, uint32_t format,
			    uint32_t w, uint32_t hgt, uint32_t pixel)
{
	size_t len = (size_t)w * hgt * 4;
	uint64_t gpa = th_alloc(h, len);
	uint32_t *px = malloc(len);
	for (size_t i = 0; i < len / 4; i++)
		px[i] = htole32(pixel);
	assert_int_equal(sim_ram_write(h->ram, gpa, px, len), 0);
	free(px);
	assert_int_equal(th_create_2d(h, id, format, w, hgt), OK);
	assert_int_equal(th_attach(h, id, gpa, (uint32_t)len), OK);
	return gpa;
}

static void test_host_2d_display_info(void **state)
{
	struct th *h = *state;
	struct virtio_gpu_ctrl_hdr c = th_hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	struct virtio_gpu_resp_display_info r;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), &r, sizeof(r)),
			 VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(le32toh(r.pmodes[0].enabled), 1);
	assert_int_equal(le32toh(r.pmodes[0].r.width), 1024);
	assert_int_equal(le32toh(r.pmodes[0].r.height), 768);
	assert_int_equal(le32toh(r.pmodes[0].r.x), 0);
	assert_int_equal(le32toh(r.pmodes[1].enabled), 1);
	assert_int_equal(le32toh(r.pmodes[1].r.width), 800);
	assert_int_equal(le32toh(r.pmodes[1].r.height), 600);
	assert_int_equal(le32toh(r.pmodes[1].r.x), 1024);
	for (int i = 2; i < 16; i++)
		assert_int_equal(r.pmodes[i].enabled, 0);
	/* A response buffer too small for the answer: QEMU writes the
	 * part that fits (row D5), crosvm nothing. */
	struct virtio_gpu_ctrl_hdr small;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), &small, sizeof(small)),
			 VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}

static void check_edid(const uint8_t *e, uint32_t w, uint32_t hgt)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	assert_memory_equal(e, header, 8);
	uint8_t sum = 0;
	for (int i = 0; i < 128; i++)
		sum = (uint8_t)(sum + e[i]);
	assert_int_equal(sum, 0);
	assert_int_equal(e[18], 1);			/* version 1.4 */
	assert_int_equal(e[19], 4);
	assert_int_equal(e[8], 0x58);			/* "VGS" */
	assert_int_equal(e[9], 0xf3);
	assert_true(e[20] & 0x80);			/* digital input */
	assert_int_equal(e[24] & 0x02, 0x02);		/* preferred = native */
	assert_int_equal(e[126], 0);			/* no extensions */
	const uint8_t *d = e + 54;			/* preferred timing */
	assert_true(d[0] | d[1]);			/* pixel clock != 0 */
	assert_int_equal(d[2] | (d[4] >> 4) << 8, w);
	assert_int_equal(d[5] | (d[7] >> 4) << 8, hgt);
	/* refresh close to 60 Hz */
	uint32_t clock = (d[0] | d[1] << 8) * 10000u;
	uint32_t htot = w + (d[3] | (d[4] & 15) << 8);
	uint32_t vtot = hgt + (d[6] | (d[7] & 15) << 8);
	uint32_t hz = clock / (htot * vtot);
	assert_in_range(hz, 55, 61);
	/* the other descriptors: range limits and the name */
	assert_int_equal(e[72 + 3], 0xfd);
	assert_in_range(e[72 + 7], 1, clock / htot / 1000);
	assert_int_equal(e[90 + 3], 0xfc);
	assert_memory_equal(e + 95, "virtgpu-sim\n", 12);
}

static void test_host_2d_get_edid(void **state)
{
	struct th *h = *state;
	struct virtio_gpu_cmd_get_edid c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_GET_EDID, 0),
	};
	struct virtio_gpu_resp_edid *r = calloc(1, sizeof(*r));
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), r, sizeof(*r)),
			 VIRTIO_GPU_RESP_OK_EDID);
	assert_int_equal(le32toh(r->size), 128);
	check_edid(r->edid, 1024, 768);
	for (int i = 128; i < 1024; i++)
		assert_int_equal(r->edid[i], 0);
	c.scanout = htole32(1);
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), r, sizeof(*r)),
			 VIRTIO_GPU_RESP_OK_EDID);
	check_edid(r->edid, 800, 600);
	assert_int_equal(r->edid[12], 1);		/* serial: scanout */
	free(r);

	c.scanout = htole32(2);		/* QEMU: PARAM (row E1) */
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_PARAM);
	/* a truncated command: QEMU answers OK_NODATA (row D2) */
	c.scanout = 0;
	assert_int_equal(th_cmd0(h, &c, sizeof(c) - 4), OK);
	/* EDID offered, not negotiated: QEMU answers OK_EDID all the
	 * same (row F0); its 2D device too, but the model's refuses. */
	th_renegotiate(h, NO(EDID));
	struct virtio_gpu_resp_edid *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), e, sizeof(*e)),
			 VIRTIO_GPU_RESP_OK_EDID);
	free(e);
	th_renegotiate(h, NO(EDID) & NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_UNSPEC);
}

static void test_host_2d_create(void **state)
{
	struct th *h = *state;
	static const uint32_t formats[] = { 1, 2, 3, 4, 67, 68, 121, 134 };
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(th_create_2d(h, 10 + i, formats[i], 16, 16), OK);
	static const struct {
		const char *desc;
		uint32_t id, format, w, hgt, want;
	} bad[] = {
		{ "resource_id 0", 0, BGRA, 16, 16, E_RES },
		{ "resource_id in use", 10, BGRA, 16, 16, E_RES },
		/* QEMU's virgl device: OK, nothing created (rows C1, C2) */
		{ "format 0", 30, 0, 16, 16, OK },
		{ "format 5", 30, 5, 16, 16, OK },
		{ "width 0", 30, BGRA, 0, 16, OK },
		{ "height 0", 30, BGRA, 16, 0, OK },
		/* With VIRGL the texture is the renderer's, which refuses
		 * these; QEMU's virgl device ignores that (row P5). */
		{ "4G x 4G", 30, BGRA, 0xffffffff, 0xffffffff, OK },
		{ "2^31 x 2", 30, BGRA, 0x80000000, 2, OK },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t got = th_create_2d(h, bad[i].id, bad[i].format, bad[i].w,
					    bad[i].hgt);
		if (got != bad[i].want)
			fail_msg("%s: got 0x%x, want 0x%x", bad[i].desc, got,
				 bad[i].want);
	}
	assert_int_equal(th_unref(h, 30), E_RES);	/* nothing was made */
	/* Without VIRGL the image is the device's, within its budget. */
	th_renegotiate(h, NO(VIRGL) & NO(CONTEXT_INIT));
	static const struct {
		const char *desc;
		uint32_t w, hgt;
	} big[] = {
		/* width * height * 4 wraps 64 bits */
		{ "4G x 4G", 0xffffffff, 0xffffffff },
		/* 2^31 * 2 * 4 = 16 GiB: wraps 32 bits, too big for the host */
		{ "2^31 x 2", 0x80000000, 2 },
		{ "16384 x 16384", 16384, 16384 },
	};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		if (th_create_2d(h, 30, BGRA, big[i].w, big[i].hgt) != E_OOM)
			fail_msg("%s: not ERR_OUT_OF_MEMORY", big[i].desc);
	assert_int_equal(th_create_2d(h, 30, BGRA, 4096, 4096), OK);
}

static void test_host_2d_unref(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_create_2d(h, 1, BGRA, 8, 8), OK);
	assert_int_equal(th_unref(h, 1), OK);
	assert_int_equal(th_unref(h, 1), E_RES);
	assert_int_equal(th_unref(h, 0), E_RES);
	/* the id is free again */
	assert_int_equal(th_create_2d(h, 1, BGRA, 8, 8), OK);
}

static void test_host_2d_attach_detach(void **state)
{
	struct th *h = *state;
	uint64_t gpa = th_alloc(h, 4096);
	assert_int_equal(th_create_2d(h, 1, BGRA, 32, 32), OK);
	/* QEMU's virgl device: OK, nothing attached (row R5B) */
	assert_int_equal(th_attach(h, 2, gpa, 4096), OK);
	/* Unusable entries: QEMU's ERR_UNSPEC (row B3). */
	assert_int_equal(th_attach(h, 1, 0, 4096), E_UNSPEC);	/* page 0 */
	assert_int_equal(th_attach(h, 1, 1ull << 40, 4096), E_UNSPEC);
	assert_int_equal(th_attach(h, 1, gpa, 0), E_UNSPEC);	/* empty */
	/* 64 MiB RAM: an entry running past its end */
	assert_int_equal(th_attach(h, 1, (64ull << 20) - 4096, 8192),
			 E_UNSPEC);
	struct {
		struct virtio_gpu_resource_attach_backing a;
		struct virtio_gpu_mem_entry e;
	} c = {
		.a.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0),
		.a.resource_id = htole32(1), .a.nr_entries = 0,
		.e.addr = htole64(gpa), .e.length = htole32(4096),
	};
	/* 0 entries: OK, nothing attached (row B1) */
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), OK);
	c.a.nr_entries = htole32(2);		/* only one follows */
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_UNSPEC);
	c.a.nr_entries = htole32(16385);
	assert_int_equal(th_cmd0(h, &c, sizeof(c)), E_UNSPEC);
	assert_int_equal(th_attach(h, 1, gpa, 4096), OK);
	/* Twice, and detaching none: QEMU's virgl device answers OK
	 * (rows B7, B9); the first backing stays. */
	assert_int_equal(th_attach(h, 1, gpa, 4096), OK);
	assert_int_equal(th_detach(h, 1), OK);
	assert_int_equal(th_detach(h, 1), OK);
	assert_int_equal(th_detach(h, 7), OK);	/* row R5B */
	th_release(h, gpa, 4096);
}

static void test_host_2d_transfer(void **state)
{
	struct th *h = *state;
	uint64_t gpa = make_filled(h, 1, BGRA, 16, 16, 0xff00ff00);
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 16, 16, 0), OK);
	assert_int_equal(th_transfer_2d(h, 1, 4, 4, 8, 8, 4 * 16 * 4 + 16), OK);
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 0, 0, 0), OK);
	static const struct {
		const char *desc;
		uint32_t id, x, y, w, hgt;
		uint64_t offset;
		uint32_t want;
	} bad[] = {
		/* QEMU's virgl device: OK, nothing copied (row R5T) */
		{ "unknown resource", 9, 0, 0, 1, 1, 0, OK },
		/* QEMU's virgl device: OK, nothing copied (row T1) */
		{ "x + w past width", 1, 8, 0, 9, 1, 0, OK },
		{ "y + h past height", 1, 0, 15, 1, 2, 0, OK },
		{ "x + w wraps 32 bits", 1, 0xffffffff, 0, 2, 1, 0, OK },
		/* QEMU and crosvm copy what the backing holds (row T3) */
		{ "offset past backing", 1, 0, 0, 1, 1, 1024, OK },
		{ "last row past backing", 1, 0, 0, 16, 16, 4, OK },
		{ "offset wraps 64 bits", 1, 0, 0, 16, 1, ~0ull - 8, OK },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t got = th_transfer_2d(h, bad[i].id, bad[i].x, bad[i].y,
					      bad[i].w, bad[i].hgt, bad[i].offset);
		if (got != bad[i].want)
			fail_msg("%s: got 0x%x, want 0x%x", bad[i].desc, got,
				 bad[i].want);
	}
	assert_int_equal(th_detach(h, 1), OK);
	/* QEMU's virgl device: OK, nothing copied (row T2) */
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 1, 1, 0), OK);
	th_release(h, gpa, 16 * 16 * 4);
}

static void test_host_2d_set_scanout(void **state)
{
	struct th *h = *state;
	assert_int_equal(th_create_2d(h, 1, BGRA, 64, 32), OK);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 64, 32), OK);
	assert_int_equal(th_set_scanout(h, 1, 1, 8, 8, 16, 16), OK);
	assert_int_equal(th_set_scanout(h, 2, 1, 0, 0, 64, 32), E_SCANOUT);
	assert_int_equal(th_set_scanout(h, 0xffffffff, 1, 0, 0, 1, 1), E_SCANOUT);
	assert_int_equal(th_set_scanout(h, 0, 5, 0, 0, 64, 32), E_RES);
	/* Rects not covered: QEMU's virgl device answers OK; the scanout
	 * is left as it was (row S3). */
	assert_int_equal(th_set_scanout(h, 0, 1, 1, 0, 64, 32), OK);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 1, 64, 32), OK);
	assert_int_equal(th_set_scanout(h, 0, 1, 0xffffffff, 0, 2, 1), OK);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 0, 32), OK);
	/* resource 0 disables, whatever the rect */
	assert_int_equal(th_set_scanout(h, 0, 0, 0, 0, 0, 0), OK);
	assert_int_equal(th_set_scanout(h, 1, 0, 7, 7, 7, 7), OK);
}

static void test_host_2d_flush_writes_png(void **state)
{
	struct th *h = *state;
	/* 0xffff3300 in B8G8R8A8 is R ff, G 33, B 00, A ff */
	uint64_t gpa = make_filled(h, 1, BGRA, 32, 16, 0xffff3300);
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 32, 16, 0), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 32, 16), OK);
	assert_int_equal(th_png_count(h), 0);	/* not on a scanout yet */
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 32, 16), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 32, 16), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 1, 1), OK);

	char path[128];
	uint32_t w, hgt;
	snprintf(path, sizeof(path), "%s/scanout0-0000.png", h->png_dir);
	uint8_t *px = th_png_read(path, &w, &hgt);
	assert_non_null(px);
	assert_int_equal(w, 32);
	assert_int_equal(hgt, 16);
	for (uint32_t i = 0; i < w * hgt; i++) {
		const uint8_t want[4] = { 0xff, 0x33, 0x00, 0xff };
		if (memcmp(px + i * 4, want, 4))
			fail_msg("pixel %u is %02x%02x%02x%02x", i, px[i * 4],
				 px[i * 4 + 1], px[i * 4 + 2], px[i * 4 + 3]);
	}
	free(px);
	snprintf(path, sizeof(path), "%s/scanout0-0001.png", h->png_dir);
	px = th_png_read(path, &w, &hgt);
	assert_non_null(px);
	free(px);
	assert_int_equal(th_png_count(h), 2);

	/* QEMU's virgl device flushes nothing and answers OK (rows L1,
	 * R5L). */
	assert_int_equal(th_flush(h, 1, 0, 0, 33, 16), OK);
	assert_int_equal(th_flush(h, 1, 0xffffffff, 0, 2, 1), OK);
	assert_int_equal(th_flush(h, 2, 0, 0, 1, 1), OK);
	/* unref takes the resource off the scanout: no more images */
	assert_int_equal(th_unref(h, 1), OK);
	assert_int_equal(th_create_2d(h, 1, BGRA, 32, 16), OK);
	assert_int_equal(th_flush(h, 1, 0, 0, 32, 16), OK);
	assert_int_equal(th_png_count(h), 2);
	th_release(h, gpa, 32 * 16 * 4);
}

/* The scanout rect (@sw x @sh at 4,2 of a @w x @hgt resource) picks a
 * part of the resource; formats convert. */
static void flush_subrect(struct th *h, uint32_t w, uint32_t hgt, uint32_t sw,
			  uint32_t sh)
{
	uint64_t gpa = th_alloc(h, w * hgt * 4);
	uint8_t *img = malloc(w * hgt * 4);
	assert_non_null(img);
	for (uint32_t i = 0; i < w * hgt; i++) {
		/* R8G8B8X8: bytes R G B X; R = x, G = y */
		img[i * 4 + 0] = (uint8_t)(i % w);
		img[i * 4 + 1] = (uint8_t)(i / w);
		img[i * 4 + 2] = 0x80;
		img[i * 4 + 3] = 0x00;
	}
	assert_int_equal(sim_ram_write(h->ram, gpa, img, w * hgt * 4), 0);
	free(img);
	assert_int_equal(th_create_2d(h, 3, VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, w, hgt), OK);
	assert_int_equal(th_attach(h, 3, gpa, w * hgt * 4), OK);
	assert_int_equal(th_transfer_2d(h, 3, 0, 0, w, hgt, 0), OK);
	assert_int_equal(th_set_scanout(h, 1, 3, 4, 2, sw, sh), OK);
	assert_int_equal(th_flush(h, 3, 0, 0, w, hgt), OK);
	char path[128];
	uint32_t pw, ph;
	snprintf(path, sizeof(path), "%s/scanout1-0000.png", h->png_dir);
	uint8_t *px = th_png_read(path, &pw, &ph);
	assert_non_null(px);
	assert_int_equal(pw, sw);
	assert_int_equal(ph, sh);
	for (uint32_t y = 0; y < ph; y++)
		for (uint32_t x = 0; x < pw; x++) {
			const uint8_t *p = px + (y * pw + x) * 4;
			assert_int_equal(p[0], x + 4);
			assert_int_equal(p[1], y + 2);
			assert_int_equal(p[2], 0x80);
			assert_int_equal(p[3], 0xff);	/* X: opaque */
		}
	free(px);
	/* a flush outside the scanout rect displays nothing new */
	assert_int_equal(th_flush(h, 3, 0, 0, 2, 2), OK);
	assert_int_equal(th_png_count(h), 1);
	th_release(h, gpa, w * hgt * 4);
}

/* With VIRGL the resource is a renderer texture (docs/device-answers.md
 * P7); QEMU's virgl device shows rects below 16x16 (row S16). */
static void test_host_2d_flush_subrect_and_formats(void **state)
{
	flush_subrect(*state, 16, 8, 8, 5);
}

/* Without VIRGL it is the device's own image. */
static void test_host_2d_flush_subrect_image(void **state)
{
	th_renegotiate(*state, NO(VIRGL) & NO(CONTEXT_INIT));
	flush_subrect(*state, 32, 24, 16, 16);
}

static uint32_t cursor_cmd(struct th *h, uint32_t type, unsigned q,
			   uint32_t scanout, uint32_t res, uint32_t hot_x,
			   uint32_t hot_y)
{
	struct virtio_gpu_update_cursor c = {
		.hdr = th_hdr(type, 0),
		.pos = { htole32(scanout), htole32(100), htole32(50), 0 },
		.resource_id = htole32(res),
		.hot_x = htole32(hot_x), .hot_y = htole32(hot_y),
	};
	struct virtio_gpu_ctrl_hdr r;
	return th_cmd(h, q, &c, sizeof(c), &r, sizeof(r));
}

static void test_host_2d_cursor(void **state)
{
	struct th *h = *state;
	const uint32_t upd = VIRTIO_GPU_CMD_UPDATE_CURSOR;
	const uint32_t mov = VIRTIO_GPU_CMD_MOVE_CURSOR;
	uint64_t gpa = make_filled(h, 1, BGRA, 64, 64, 0x80102030);
	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 64, 64, 0), OK);
	assert_int_equal(th_create_2d(h, 2, BGRA, 32, 32), OK);

	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 1, 3, 4), 0);
	char path[128];
	uint32_t w, hgt;
	snprintf(path, sizeof(path), "%s/cursor-0000.png", h->png_dir);
	uint8_t *px = th_png_read(path, &w, &hgt);
	assert_non_null(px);
	assert_int_equal(w, 64);
	assert_int_equal(hgt, 64);
	const uint8_t want[4] = { 0x10, 0x20, 0x30, 0x80 };
	assert_memory_equal(px, want, 4);
	assert_memory_equal(px + (64 * 64 - 1) * 4, want, 4);
	free(px);

	/* QEMU writes no response on the cursorq (row K0): the checks
	 * below answer nothing, and a bad command leaves the cursor as
	 * it was. */
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 2, 1, 0, 0), 0);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 9, 0, 0), 0);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 2, 0, 0), 0);
	assert_int_equal(th_png_count(h), 1);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 1, 0, 0, 0), 0); /* hide */
	assert_int_equal(cursor_cmd(h, mov, TH_CURSORQ, 5, 0, 0, 0), 0);
	/* the wrong queue: QEMU's controlq has no cursor commands (D3) */
	assert_int_equal(cursor_cmd(h, upd, TH_CTRLQ, 0, 1, 0, 0), E_UNSPEC);
	/* Linux queues cursor commands without a response buffer. */
	struct virtio_gpu_update_cursor c = {
		.hdr = th_hdr(mov, 0), .pos = { 0, htole32(1), htole32(1), 0 },
	};
	struct th_req *req = th_submit(h, TH_CURSORQ, &c, sizeof(c), 0);
	th_kick(h, TH_CURSORQ);
	assert_ptr_equal(th_wait(h, TH_CURSORQ), req);
	assert_int_equal(req->written, 0);
	th_req_free(h, req);
	th_release(h, gpa, 64 * 64 * 4);
}

/* crosvm answers on the cursorq (row K0), with its own codes (K1-K4). */
static void test_host_2d_cursor_crosvm(void **state)
{
	(void)state;
	const uint32_t upd = VIRTIO_GPU_CMD_UPDATE_CURSOR;
	const uint32_t mov = VIRTIO_GPU_CMD_MOVE_CURSOR;
	struct th_options o = { .virgl = true, .num_scanouts = 2,
				.crosvm = true };
	struct th *h = th_create(&o);
	uint64_t gpa = make_filled(h, 1, BGRA, 64, 64, 0x80102030);
	assert_int_equal(th_create_2d(h, 2, BGRA, 32, 32), OK);

	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 1, 3, 4), OK);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 2, 1, 0, 0), E_SCANOUT);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 9, 0, 0), E_RES);
	/* a 32x32 cursor: copied only onto a scanout showing something
	 * (rows K2N, K2) */
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 2, 0, 0), OK);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 64, 64), OK);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 2, 0, 0), E_UNSPEC);
	/* the hot spot is not checked (K3) */
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 0, 1, 64, 0), OK);
	assert_int_equal(cursor_cmd(h, upd, TH_CURSORQ, 1, 0, 0, 0), OK);
	assert_int_equal(cursor_cmd(h, mov, TH_CURSORQ, 0, 12345, 99, 99), OK);
	/* MOVE_CURSOR's scanout is not looked up (K1M) */
	assert_int_equal(cursor_cmd(h, mov, TH_CURSORQ, 5, 0, 0, 0), OK);
	/* either queue runs either command (D3) */
	assert_int_equal(cursor_cmd(h, upd, TH_CTRLQ, 0, 1, 0, 0), OK);
	th_release(h, gpa, 64 * 64 * 4);
	th_destroy(h);
}

static uint32_t assign_uuid(struct th *h, uint32_t id, uint8_t uuid[16])
{
	struct virtio_gpu_resource_assign_uuid c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, 0),
		.resource_id = htole32(id),
	};
	struct virtio_gpu_resp_resource_uuid r;
	memset(&r, 0, sizeof(r));
	uint32_t type = th_cmd(h, TH_CTRLQ, &c, sizeof(c), &r, sizeof(r));
	memcpy(uuid, r.uuid, 16);
	return type;
}

/* A PNG the host cannot write (its directory replaced by a file) is the
 * host's trouble: the guest's flush and cursor update still answer OK,
 * as they would without scanout PNGs (issue 16). */
static void test_host_2d_png_failure_answers_ok(void **state)
{
	struct th *h = *state;
	uint64_t gpa = make_filled(h, 1, BGRA, 64, 64, 0xffff3300);

	assert_int_equal(th_transfer_2d(h, 1, 0, 0, 64, 64, 0), OK);
	assert_int_equal(th_set_scanout(h, 0, 1, 0, 0, 64, 64), OK);
	assert_int_equal(rmdir(h->png_dir), 0);
	FILE *f = fopen(h->png_dir, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(th_flush(h, 1, 0, 0, 64, 64), OK);
	/* QEMU answers nothing on the cursorq (row K0) */
	assert_int_equal(cursor_cmd(h, VIRTIO_GPU_CMD_UPDATE_CURSOR, TH_CURSORQ,
				    0, 1, 0, 0), 0);
	assert_int_equal(unlink(h->png_dir), 0);
	assert_int_equal(mkdir(h->png_dir, 0700), 0);
	th_release(h, gpa, 64 * 64 * 4);
}

static void test_host_2d_assign_uuid(void **state)
{
	struct th *h = *state;
	uint8_t a[16], b[16], c[16];
	assert_int_equal(th_create_2d(h, 1, BGRA, 4, 4), OK);
	assert_int_equal(th_create_2d(h, 2, BGRA, 4, 4), OK);
	assert_int_equal(assign_uuid(h, 1, a), VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	assert_int_equal(a[6] >> 4, 4);			/* version 4 */
	assert_int_equal(a[8] & 0xc0, 0x80);		/* RFC 4122 variant */
	assert_int_equal(assign_uuid(h, 1, b), VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	assert_memory_equal(a, b, 16);			/* stable */
	assert_int_equal(assign_uuid(h, 2, c), VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	assert_memory_not_equal(a, c, 16);
	assert_int_equal(assign_uuid(h, 3, c), E_RES);
	/* Offered, not negotiated: QEMU's virgl device runs it (row F0);
	 * without VIRGL its 2D device refuses. */
	th_renegotiate(h, NO(RESOURCE_UUID));
	assert_int_equal(th_create_2d(h, 1, BGRA, 4, 4), OK);
	assert_int_equal(assign_uuid(h, 1, c), VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	th_renegotiate(h, NO(RESOURCE_UUID) & NO(VIRGL) & NO(CONTEXT_INIT));
	assert_int_equal(th_create_2d(h, 2, BGRA, 4, 4), OK);
	assert_int_equal(assign_uuid(h, 2, c), E_UNSPEC);
}

/* Commands of features not negotiated are ERR_UNSPEC; so are types that
 * are no command at all. */
static void test_host_2d_feature_gating(void **state)
{
	struct th *h = *state;
	th_reset(h, 0);
	struct virtio_gpu_ctx_create cc = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_CREATE, 1),
	};
	assert_int_equal(th_cmd0(h, &cc, sizeof(cc)), E_UNSPEC);
	struct virtio_gpu_resource_create_blob cb = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0),
		.resource_id = htole32(1), .blob_mem = htole32(1),
		.size = htole64(4096),
	};
	assert_int_equal(th_cmd0(h, &cb, sizeof(cb)), E_UNSPEC);
	struct virtio_gpu_set_scanout_blob sb = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0),
	};
	assert_int_equal(th_cmd0(h, &sb, sizeof(sb)), E_UNSPEC);
	struct virtio_gpu_resource_map_blob mb = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0),
	};
	assert_int_equal(th_cmd0(h, &mb, sizeof(mb)), E_UNSPEC);
	/* 2D works without any feature */
	assert_int_equal(th_create_2d(h, 1, BGRA, 4, 4), OK);
	struct virtio_gpu_ctrl_hdr junk = th_hdr(0x9999, 0);
	assert_int_equal(th_cmd0(h, &junk, sizeof(junk)), E_UNSPEC);
	junk = th_hdr(VIRTIO_GPU_RESP_OK_NODATA, 0);
	assert_int_equal(th_cmd0(h, &junk, sizeof(junk)), E_UNSPEC);
	/* a header cut short */
	struct virtio_gpu_ctrl_hdr di = th_hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0);
	assert_int_equal(th_cmd0(h, &di, 8), E_PARAM);
	/* undefined flag bits */
	struct virtio_gpu_resource_unref un = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF, 0),
		.resource_id = htole32(77),
	};
	un.hdr.flags = htole32(4);	/* not checked (row D4): runs */
	assert_int_equal(th_cmd0(h, &un, sizeof(un)), E_RES);
	/* FLAG_INFO_RING_IDX without CONTEXT_INIT: QEMU's 2D device
	 * ignores the flag (row F8) and answers a global fence. */
	di.flags = htole32(VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
	assert_int_equal(th_cmd0(h, &di, sizeof(di)),
			 VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
}

/* A fenced 2D command is answered with the fence echoed once complete. */
static void test_host_2d_fenced_answer_echoes_fence(void **state)
{
	struct th *h = *state;
	struct virtio_gpu_resource_create_2d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0),
		.resource_id = htole32(1), .format = htole32(BGRA),
		.width = htole32(4), .height = htole32(4),
	};
	c.hdr.flags = htole32(VIRTIO_GPU_FLAG_FENCE);
	c.hdr.fence_id = htole64(0x123456789ull);
	struct virtio_gpu_ctrl_hdr r;
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), &r, sizeof(r)), OK);
	assert_int_equal(le32toh(r.flags), VIRTIO_GPU_FLAG_FENCE);
	assert_int_equal(le64toh(r.fence_id), 0x123456789ull);
	/* an error is fenced too */
	assert_int_equal(th_cmd(h, TH_CTRLQ, &c, sizeof(c), &r, sizeof(r)), E_RES);
	assert_int_equal(le32toh(r.flags), VIRTIO_GPU_FLAG_FENCE);
	assert_int_equal(le64toh(r.fence_id), 0x123456789ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_host_2d_display_info, teardown),
		cmocka_unit_test_teardown(test_host_2d_get_edid, teardown),
		cmocka_unit_test_teardown(test_host_2d_create, teardown),
		cmocka_unit_test_teardown(test_host_2d_unref, teardown),
		cmocka_unit_test_teardown(test_host_2d_attach_detach, teardown),
		cmocka_unit_test_teardown(test_host_2d_transfer, teardown),
		cmocka_unit_test_teardown(test_host_2d_set_scanout, teardown),
		cmocka_unit_test_teardown(test_host_2d_flush_writes_png, teardown),
		cmocka_unit_test_teardown(test_host_2d_flush_subrect_and_formats,
					  teardown),
		cmocka_unit_test_teardown(test_host_2d_flush_subrect_image,
					  teardown),
		cmocka_unit_test_teardown(test_host_2d_png_failure_answers_ok,
					  teardown),
		cmocka_unit_test_teardown(test_host_2d_cursor, teardown),
		cmocka_unit_test_teardown(test_host_2d_assign_uuid, teardown),
		cmocka_unit_test_teardown(test_host_2d_feature_gating, teardown),
		cmocka_unit_test_teardown(test_host_2d_fenced_answer_echoes_fence,
					  teardown),
	};
	/* A device of its own: one device at a time. */
	const struct CMUnitTest crosvm[] = {
		cmocka_unit_test(test_host_2d_cursor_crosvm),
	};
	int failed = cmocka_run_group_tests_name("host_2d", tests, group_setup,
						 group_teardown);
	return failed + cmocka_run_group_tests_name("host_2d_crosvm", crosvm,
						    NULL, NULL);
}
