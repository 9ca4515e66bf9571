// SPDX-License-Identifier: MIT
/*
 * Seed inputs for the device and ioctl fuzz targets, built from the
 * command and argument structs themselves (<linux/virtio_gpu.h>,
 * kernelmock/virtgpu_drm.h) in the input formats of tests/fuzz/fuzz.h:
 * the flows a working guest runs (display, 2D, 3D with fences, blobs,
 * venus, cursor; ioctls from CONTEXT_INIT to mmap and sync_files), so
 * that the fuzzer starts from inputs that reach deep into the stack.
 * The scenario target's seeds are the scenario suite itself.
 *
 *   fuzz-seeds device|ioctl DIR    write the seeds as DIR/NAME files
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/virtio_gpu.h>

#include "kernelmock/virtgpu_drm.h"
#include "tests/fuzz/fuzz.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("fuzz-seeds");
			exit(1);
		}
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void u8(struct buf *b, uint8_t v) { put(b, &v, 1); }

static void u16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	put(b, x, 2);
}

static void u32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };
	put(b, x, 4);
}

static const char *out_dir;

static void save(const char *name, struct buf *b)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(b->p, 1, b->len, fp) != b->len || fclose(fp)) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* FACTS.md's known-good virgl stream: sub-context 1, a surface on @res
 * as the framebuffer, a clear to 0xffff3300. */
static const uint32_t *clear_stream(uint32_t res, size_t *ndw)
{
	static uint32_t s[] = {
		0x0001001d, 1, 0x0001001c, 1, 0x00050801, 10, 0, 1, 0, 0,
		0x00030005, 1, 0, 10, 0x00080007, 4, 0x3f800000, 0x3e4ccccd, 0,
		0x3f800000, 0, 0x3ff00000, 0,
	};
	s[6] = res;
	*ndw = sizeof(s) / 4;
	return s;
}

/* ---- device target ---- */

static struct virtio_gpu_ctrl_hdr hdr(uint32_t type, uint32_t ctx,
				      uint64_t fence, int ring)
{
	struct virtio_gpu_ctrl_hdr h = {
		.type = htole32(type), .ctx_id = htole32(ctx),
	};
	if (fence) {
		h.flags = htole32(VIRTIO_GPU_FLAG_FENCE |
				  (ring >= 0 ? VIRTIO_GPU_FLAG_INFO_RING_IDX : 0));
		h.fence_id = htole64(fence);
		h.ring_idx = ring >= 0 ? (uint8_t)ring : 0;
	}
	return h;
}

/* One FUZZ_DEV_CTRL / FUZZ_DEV_CURSOR operation. */
static void dev_cmd(struct buf *b, unsigned q, const void *cmd, size_t len,
		    size_t resp_len)
{
	u8(b, q ? FUZZ_DEV_CURSOR : FUZZ_DEV_CTRL);
	u16(b, (uint16_t)len);
	u16(b, (uint16_t)resp_len);
	put(b, cmd, len);
}

#define CMD(b, c, resp) dev_cmd(b, 0, &(c), sizeof(c), resp)
#define HDR_LEN sizeof(struct virtio_gpu_ctrl_hdr)
/* Guest addresses in commands: anything in RAM lands in scratch. */
#define GPA(n) (0x100000ull + (n) * 0x10000ull)

static void dev_ctx_create(struct buf *b, uint32_t ctx, uint32_t capset)
{
	struct virtio_gpu_ctx_create c = {
		.hdr = hdr(VIRTIO_GPU_CMD_CTX_CREATE, ctx, 0, -1),
		.nlen = htole32(4), .context_init = htole32(capset),
	};
	memcpy(c.debug_name, "fuzz", 4);
	CMD(b, c, HDR_LEN);
}

static void dev_attach(struct buf *b, uint32_t id, uint64_t gpa, uint32_t len)
{
	struct {
		struct virtio_gpu_resource_attach_backing a;
		struct virtio_gpu_mem_entry e;
	} c = {
		.a.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0, 0, -1),
		.a.resource_id = htole32(id), .a.nr_entries = htole32(1),
		.e.addr = htole64(gpa), .e.length = htole32(len),
	};
	CMD(b, c, HDR_LEN);
}

static void dev_submit(struct buf *b, uint32_t ctx, const uint32_t *dw,
		       size_t ndw, uint64_t fence, int ring)
{
	struct virtio_gpu_cmd_submit c = {
		.hdr = hdr(VIRTIO_GPU_CMD_SUBMIT_3D, ctx, fence, ring),
		.size = htole32((uint32_t)(ndw * 4)),
	};
	uint8_t msg[sizeof(c) + 1024];
	memcpy(msg, &c, sizeof(c));
	for (size_t i = 0; i < ndw; i++) {
		uint32_t v = htole32(dw[i]);
		memcpy(msg + sizeof(c) + 4 * i, &v, 4);
	}
	dev_cmd(b, 0, msg, sizeof(c) + ndw * 4, HDR_LEN);
}

static void dev_rt(struct buf *b, uint32_t ctx, uint32_t id)
{
	struct virtio_gpu_resource_create_3d c = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0, 0, -1),
		.resource_id = htole32(id), .target = htole32(2),
		.format = htole32(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM),
		.bind = htole32(2), .width = htole32(64), .height = htole32(64),
		.depth = htole32(1), .array_size = htole32(1),
	};
	CMD(b, c, HDR_LEN);
	struct virtio_gpu_ctx_resource a = {
		.hdr = hdr(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, ctx, 0, -1),
		.resource_id = htole32(id),
	};
	CMD(b, a, HDR_LEN);
	dev_attach(b, id, GPA(1), 64 * 64 * 4);
}

static void seed_dev_display(void)
{
	struct buf b = { 0 };
	struct virtio_gpu_ctrl_hdr di = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0,
					    0, -1);
	CMD(&b, di, sizeof(struct virtio_gpu_resp_display_info));
	struct virtio_gpu_cmd_get_edid e = {
		.hdr = hdr(VIRTIO_GPU_CMD_GET_EDID, 0, 0, -1),
		.scanout = htole32(1),
	};
	CMD(&b, e, sizeof(struct virtio_gpu_resp_edid));
	for (uint32_t i = 0; i < 3; i++) {
		struct virtio_gpu_get_capset_info ci = {
			.hdr = hdr(VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0, 0, -1),
			.capset_index = htole32(i),
		};
		CMD(&b, ci, sizeof(struct virtio_gpu_resp_capset_info));
	}
	struct virtio_gpu_get_capset gc = {
		.hdr = hdr(VIRTIO_GPU_CMD_GET_CAPSET, 0, 0, -1),
		.capset_id = htole32(2), .capset_version = htole32(2),
	};
	CMD(&b, gc, HDR_LEN + 1376);
	gc.capset_id = htole32(4);
	gc.capset_version = 0;
	CMD(&b, gc, HDR_LEN + 156);
	save("display-capsets", &b);
}

static void seed_dev_2d(void)
{
	struct buf b = { 0 };
	struct virtio_gpu_resource_create_2d c = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0, 0, -1),
		.resource_id = htole32(1),
		.format = htole32(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM),
		.width = htole32(64), .height = htole32(64),
	};
	CMD(&b, c, HDR_LEN);
	dev_attach(&b, 1, GPA(1), 64 * 64 * 4);
	struct virtio_gpu_transfer_to_host_2d t = {
		.hdr = hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0, 0, -1),
		.r = { 0, 0, htole32(64), htole32(64) },
		.resource_id = htole32(1),
	};
	CMD(&b, t, HDR_LEN);
	struct virtio_gpu_set_scanout s = {
		.hdr = hdr(VIRTIO_GPU_CMD_SET_SCANOUT, 0, 0, -1),
		.r = { 0, 0, htole32(64), htole32(64) },
		.scanout_id = 0, .resource_id = htole32(1),
	};
	CMD(&b, s, HDR_LEN);
	struct virtio_gpu_resource_flush fl = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0, 7, -1),
		.r = { 0, 0, htole32(64), htole32(64) },
		.resource_id = htole32(1),
	};
	CMD(&b, fl, HDR_LEN);
	struct virtio_gpu_update_cursor uc = {
		.hdr = hdr(VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, -1),
		.pos = { 0, htole32(10), htole32(10), 0 },
		.resource_id = htole32(1), .hot_x = htole32(1),
	};
	dev_cmd(&b, 1, &uc, sizeof(uc), 0);
	uc.hdr = hdr(VIRTIO_GPU_CMD_MOVE_CURSOR, 0, 0, -1);
	uc.pos.x = htole32(20);
	dev_cmd(&b, 1, &uc, sizeof(uc), HDR_LEN);
	struct virtio_gpu_resource_detach_backing d = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 0, 0, -1),
		.resource_id = htole32(1),
	};
	CMD(&b, d, HDR_LEN);
	struct virtio_gpu_resource_unref u = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF, 0, 0, -1),
		.resource_id = htole32(1),
	};
	CMD(&b, u, HDR_LEN);
	save("2d-scanout-cursor", &b);
}

static void seed_dev_3d(void)
{
	struct buf b = { 0 };
	size_t ndw;
	const uint32_t *s;

	dev_ctx_create(&b, 1, 2);
	dev_rt(&b, 1, 2);
	s = clear_stream(2, &ndw);
	dev_submit(&b, 1, s, ndw, 1, -1);
	struct virtio_gpu_transfer_host_3d t = {
		.hdr = hdr(VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, 1, 2, -1),
		.box = { 0, 0, 0, htole32(64), htole32(64), htole32(1) },
		.resource_id = htole32(2),
	};
	CMD(&b, t, HDR_LEN);
	t.hdr = hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D, 1, 3, 0);
	CMD(&b, t, HDR_LEN);
	struct virtio_gpu_ctx_resource dr = {
		.hdr = hdr(VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE, 1, 0, -1),
		.resource_id = htole32(2),
	};
	CMD(&b, dr, HDR_LEN);
	struct virtio_gpu_ctx_destroy cd = {
		.hdr = hdr(VIRTIO_GPU_CMD_CTX_DESTROY, 1, 0, -1),
	};
	CMD(&b, cd, HDR_LEN);
	save("3d-clear-fenced", &b);
}

/* Several fenced submits on two contexts' rings and the global timeline
 * in flight at once. */
static void seed_dev_batch(void)
{
	struct buf b = { 0 };
	size_t ndw;

	dev_ctx_create(&b, 1, 2);
	dev_ctx_create(&b, 2, 4);
	dev_rt(&b, 1, 3);
	const uint32_t *s = clear_stream(3, &ndw);
	u8(&b, FUZZ_DEV_BATCH);
	u8(&b, 4);
	for (unsigned i = 0; i < 4; i++) {
		struct virtio_gpu_cmd_submit c = {
			.hdr = hdr(VIRTIO_GPU_CMD_SUBMIT_3D, i & 1 ? 2 : 1,
				   10 + i, i == 3 ? -1 : 0),
			.size = htole32(i & 1 ? 0 : (uint32_t)(ndw * 4)),
		};
		u8(&b, 0);
		u16(&b, (uint16_t)(sizeof(c) + (i & 1 ? 0 : ndw * 4)));
		u16(&b, HDR_LEN);
		put(&b, &c, sizeof(c));
		if (!(i & 1))
			for (size_t k = 0; k < ndw; k++)
				u32(&b, s[k]);
	}
	save("batch-fences-two-contexts", &b);
}

static void seed_dev_blob(void)
{
	struct buf b = { 0 };

	struct {
		struct virtio_gpu_resource_create_blob c;
		struct virtio_gpu_mem_entry e;
	} g = {
		.c.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 0, 0, -1),
		.c.resource_id = htole32(5),
		.c.blob_mem = htole32(VIRTIO_GPU_BLOB_MEM_GUEST),
		.c.blob_flags = htole32(VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE),
		.c.nr_entries = htole32(1), .c.size = htole64(8192),
		.e.addr = htole64(GPA(2)), .e.length = htole32(8192),
	};
	CMD(&b, g, HDR_LEN);
	struct virtio_gpu_resource_map_blob m = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0, 0, -1),
		.resource_id = htole32(5), .offset = 0,
	};
	CMD(&b, m, sizeof(struct virtio_gpu_resp_map_info));
	struct virtio_gpu_set_scanout_blob sb = {
		.hdr = hdr(VIRTIO_GPU_CMD_SET_SCANOUT_BLOB, 0, 0, -1),
		.r = { 0, 0, htole32(32), htole32(32) },
		.scanout_id = htole32(1), .resource_id = htole32(5),
		.width = htole32(32), .height = htole32(32),
		.format = htole32(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM),
		.strides = { htole32(128) },
	};
	CMD(&b, sb, HDR_LEN);
	struct virtio_gpu_resource_assign_uuid au = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, 0, 0, -1),
		.resource_id = htole32(5),
	};
	CMD(&b, au, sizeof(struct virtio_gpu_resp_resource_uuid));
	struct virtio_gpu_resource_unmap_blob um = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, 0, 0, -1),
		.resource_id = htole32(5),
	};
	CMD(&b, um, HDR_LEN);
	/* A HOST3D blob: PIPE_RESOURCE_CREATE (48) of a mappable buffer in
	 * the context, then the blob by its blob_id (FACTS.md "Blobs"). */
	dev_ctx_create(&b, 1, 2);
	const uint32_t prc[] = { (11u << 16) | 48, 0 /* PIPE_BUFFER */, 64,
				 0x10, 4096, 1, 1, 1, 0, 0, 6, 9 };
	dev_submit(&b, 1, prc, sizeof(prc) / 4, 0, -1);
	struct virtio_gpu_resource_create_blob h = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 1, 0, -1),
		.resource_id = htole32(6),
		.blob_mem = htole32(VIRTIO_GPU_BLOB_MEM_HOST3D),
		.blob_flags = htole32(VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE),
		.blob_id = htole64(9), .size = htole64(4096),
	};
	CMD(&b, h, HDR_LEN);
	m.resource_id = htole32(6);
	m.offset = htole64(65536);
	CMD(&b, m, sizeof(struct virtio_gpu_resp_map_info));
	save("blobs-guest-host3d", &b);
}

/* A venus context with its reply stream (a blob_id 0 blob) and one
 * vkEnumerateInstanceVersion, fenced on ring 0 (FACTS.md "Venus"). */
static void seed_dev_venus(void)
{
	struct buf b = { 0 };

	dev_ctx_create(&b, 3, 4);
	struct virtio_gpu_resource_create_blob h = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, 3, 0, -1),
		.resource_id = htole32(7),
		.blob_mem = htole32(VIRTIO_GPU_BLOB_MEM_HOST3D),
		.blob_flags = htole32(VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE),
		.blob_id = 0, .size = htole64(65536),
	};
	CMD(&b, h, HDR_LEN);
	struct virtio_gpu_ctx_resource a = {
		.hdr = hdr(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, 3, 0, -1),
		.resource_id = htole32(7),
	};
	CMD(&b, a, HDR_LEN);
	const uint32_t vn[] = {
		178, 0, 1, 0, 7, 0, 0, 65536, 0,	/* SetReplyCommandStream */
		179, 0, 0, 0,				/* SeekReply 0 */
		137, 1, 1, 0,				/* EnumerateInstanceVersion */
	};
	dev_submit(&b, 3, vn, sizeof(vn) / 4, 20, 0);
	struct virtio_gpu_resource_map_blob m = {
		.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0, 0, -1),
		.resource_id = htole32(7), .offset = 0,
	};
	CMD(&b, m, sizeof(struct virtio_gpu_resp_map_info));
	save("venus-reply-stream", &b);
}

/* Raw descriptors: a proper two-descriptor chain built in scratch, then
 * a loop. */
static void seed_dev_raw(void)
{
	struct buf b = { 0 };
	struct virtio_gpu_ctrl_hdr di = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0,
					    0, -1);
	u8(&b, FUZZ_DEV_SCRATCH);
	u16(&b, 0);
	u16(&b, sizeof(di));
	put(&b, &di, sizeof(di));
	u8(&b, FUZZ_DEV_RAW);
	u8(&b, 0);	/* controlq */
	u8(&b, 40);	/* first slot */
	u8(&b, 0);	/* head: the first slot */
	u8(&b, 1);	/* two descriptors */
	u8(&b, 0); u32(&b, 0); u32(&b, sizeof(di));
	u16(&b, 1 /* NEXT */); u16(&b, 41);
	u8(&b, 0); u32(&b, 4096); u32(&b, 408);
	u16(&b, 2 /* WRITE */); u16(&b, 0);
	u8(&b, FUZZ_DEV_RAW);
	u8(&b, 0);
	u8(&b, 50);
	u8(&b, 1);	/* head: the second slot */
	u8(&b, 1);
	u8(&b, 0); u32(&b, 0); u32(&b, 24); u16(&b, 1); u16(&b, 51);
	u8(&b, 0); u32(&b, 64); u32(&b, 24); u16(&b, 1); u16(&b, 50);
	save("raw-chain-and-loop", &b);
}

static void seed_dev_reset(void)
{
	struct buf b = { 0 };

	dev_ctx_create(&b, 1, 2);
	u8(&b, FUZZ_DEV_RESET);
	u8(&b, 1 << VIRTIO_GPU_F_EDID);
	dev_ctx_create(&b, 1, 2);
	struct virtio_gpu_cmd_get_edid e = {
		.hdr = hdr(VIRTIO_GPU_CMD_GET_EDID, 0, 0, -1),
	};
	CMD(&b, e, sizeof(struct virtio_gpu_resp_edid));
	save("reset-fewer-features", &b);
}

/* ---- ioctl target ---- */

#define DATA(off) FUZZ_PTR(FUZZ_PTR_DATA, off)

static void km_data(struct buf *b, uint16_t off, const void *src, size_t len)
{
	u8(b, FUZZ_KM_DATA);
	u16(b, off);
	u16(b, (uint16_t)len);
	put(b, src, len);
}

static void km_ioctl(struct buf *b, unsigned file, enum fuzz_km_ioctl which,
		     const void *arg, size_t len)
{
	u8(b, FUZZ_KM_IOCTL);
	u8(b, (uint8_t)file);
	u8(b, (uint8_t)which);
	u16(b, 0);
	u8(b, 0);
	put(b, arg, len);
}

#define IOCTL(b, file, which, arg) km_ioctl(b, file, FUZZ_KM_##which, &(arg), sizeof(arg))

static void km_context(struct buf *b, unsigned file, uint32_t capset,
		       uint32_t rings, uint64_t poll_mask)
{
	struct drm_virtgpu_context_set_param p[3] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, capset },
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, rings },
		{ VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK, poll_mask },
	};
	km_data(b, 0x100, p, sizeof(p));
	struct drm_virtgpu_context_init ci = {
		.num_params = poll_mask ? 3 : 2, .ctx_set_params = DATA(0x100),
	};
	IOCTL(b, file, VIRTGPU_CONTEXT_INIT, ci);
}

static void seed_km_params(void)
{
	struct buf b = { 0 };

	u8(&b, 0);	/* one render node */
	for (uint64_t p = 1; p <= 8; p++) {
		struct drm_virtgpu_getparam gp = { p, DATA(8 * p) };
		IOCTL(&b, 0, VIRTGPU_GETPARAM, gp);
	}
	struct drm_virtgpu_get_caps gc = {
		.cap_set_id = 2, .cap_set_ver = 2, .addr = DATA(0x1000),
		.size = 1376,
	};
	IOCTL(&b, 0, VIRTGPU_GET_CAPS, gc);
	gc.cap_set_id = 4;
	gc.cap_set_ver = 0;
	IOCTL(&b, 0, VIRTGPU_GET_CAPS, gc);
	struct drm_version v = {
		.name_len = 16, .name = (char *)(uintptr_t)DATA(0x2000),
		.date_len = 16, .date = (char *)(uintptr_t)DATA(0x2100),
		.desc_len = 16, .desc = (char *)(uintptr_t)DATA(0x2200),
	};
	IOCTL(&b, 0, VERSION, v);
	struct drm_get_cap cap = { DRM_CAP_PRIME, 0 };
	IOCTL(&b, 0, GET_CAP, cap);
	save("params-caps-version", &b);
}

/* CONTEXT_INIT, a render target, the clear stream through EXECBUFFER with
 * a fence fd, WAIT, TRANSFER_FROM_HOST, MAP and mmap. */
static void seed_km_clear(void)
{
	struct buf b = { 0 };
	size_t ndw;

	u8(&b, 0);
	km_context(&b, 0, VIRTGPU_DRM_CAPSET_VIRGL2, 1, 0);
	struct drm_virtgpu_resource_create rc = {
		.target = 2, .format = 1, .bind = 2, .width = 64, .height = 64,
		.depth = 1, .array_size = 1, .size = 64 * 64 * 4,
	};
	IOCTL(&b, 0, VIRTGPU_RESOURCE_CREATE, rc);
	/* The first resource of the device is 1, its GEM handle 1. */
	const uint32_t *s = clear_stream(1, &ndw);
	km_data(&b, 0x400, s, ndw * 4);
	uint32_t handle = 1;
	km_data(&b, 0x800, &handle, 4);
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT | VIRTGPU_EXECBUF_RING_IDX,
		.size = (uint32_t)(ndw * 4), .command = DATA(0x400),
		.bo_handles = DATA(0x800), .num_bo_handles = 1,
	};
	IOCTL(&b, 0, VIRTGPU_EXECBUFFER, eb);
	struct drm_virtgpu_3d_wait w = { 1, 0 };
	IOCTL(&b, 0, VIRTGPU_WAIT, w);
	struct drm_virtgpu_3d_transfer_from_host tf = {
		.bo_handle = 1, .box = { 0, 0, 0, 64, 64, 1 },
	};
	IOCTL(&b, 0, VIRTGPU_TRANSFER_FROM_HOST, tf);
	IOCTL(&b, 0, VIRTGPU_WAIT, w);
	struct drm_virtgpu_resource_info ri = { .bo_handle = 1 };
	IOCTL(&b, 0, VIRTGPU_RESOURCE_INFO, ri);
	struct drm_virtgpu_map mp = { .handle = 1 };
	IOCTL(&b, 0, VIRTGPU_MAP, mp);
	u8(&b, FUZZ_KM_MMAP);
	u8(&b, 0);
	u8(&b, 0);
	u32(&b, 64 * 64 * 4);
	u8(&b, FUZZ_KM_MUNMAP);
	u8(&b, 0);
	struct drm_gem_close gc = { .handle = 1 };
	IOCTL(&b, 0, GEM_CLOSE, gc);
	save("execbuffer-clear-map", &b);
}

/* Blobs shared three ways: PRIME between two render nodes, GEM_FLINK and
 * GEM_OPEN between two primary nodes. */
static void seed_km_share(void)
{
	struct buf b = { 0 };

	u8(&b, 2 | 0x20 | 0x40);	/* three files, the last two primary */
	struct drm_virtgpu_resource_create_blob cb = {
		.blob_mem = VIRTGPU_BLOB_MEM_GUEST,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE |
			      VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
		.size = 8192,
	};
	IOCTL(&b, 0, VIRTGPU_RESOURCE_CREATE_BLOB, cb);
	struct drm_prime_handle ph = { .handle = 1, .flags = DRM_CLOEXEC };
	IOCTL(&b, 0, PRIME_HANDLE_TO_FD, ph);
	ph.fd = 0;	/* fd selector 0: the dma-buf just returned */
	IOCTL(&b, 1, PRIME_FD_TO_HANDLE, ph);
	struct drm_virtgpu_map mp = { .handle = 1 };
	IOCTL(&b, 1, VIRTGPU_MAP, mp);
	u8(&b, FUZZ_KM_MMAP);
	u8(&b, 1);
	u8(&b, 0);
	u32(&b, 8192);
	IOCTL(&b, 1, VIRTGPU_RESOURCE_CREATE_BLOB, cb);
	struct drm_gem_flink fl = { .handle = 2 };
	IOCTL(&b, 1, GEM_FLINK, fl);
	struct drm_gem_open op = { .name = 1 };
	IOCTL(&b, 2, GEM_OPEN, op);
	/* A host3d blob with an inline PIPE_RESOURCE_CREATE command. */
	km_context(&b, 0, VIRTGPU_DRM_CAPSET_VIRGL2, 1, 0);
	const uint32_t prc[] = { (11u << 16) | 48, 0, 64, 0x10, 4096, 1, 1, 1,
				 0, 0, 6, 9 };
	km_data(&b, 0x600, prc, sizeof(prc));
	struct drm_virtgpu_resource_create_blob hb = {
		.blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
		.size = 4096, .cmd_size = sizeof(prc), .cmd = DATA(0x600),
		.blob_id = 9,
	};
	IOCTL(&b, 0, VIRTGPU_RESOURCE_CREATE_BLOB, hb);
	u8(&b, FUZZ_KM_REOPEN);
	u8(&b, 0);
	save("blob-prime-flink", &b);
}

/* Fence fds: out, merged, waited on as an in-fence; DRM events of a
 * polled ring, read back. */
static void seed_km_sync(void)
{
	struct buf b = { 0 };

	u8(&b, 1);	/* two files */
	km_context(&b, 0, VIRTGPU_DRM_CAPSET_VIRGL2, 1, 1);
	uint32_t nop[] = { 0x0001001d, 1 };	/* CREATE_SUB_CTX 1 */
	km_data(&b, 0x400, nop, sizeof(nop));
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT | VIRTGPU_EXECBUF_RING_IDX,
		.size = sizeof(nop), .command = DATA(0x400),
	};
	IOCTL(&b, 0, VIRTGPU_EXECBUFFER, eb);
	eb.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT;
	IOCTL(&b, 1, VIRTGPU_EXECBUFFER, eb);
	u8(&b, FUZZ_KM_SYNC);
	u8(&b, 0);	/* MERGE */
	u32(&b, 0);	/* fds[0] */
	struct sync_merge_data {
		char name[32];
		int32_t fd2, fence;
		uint32_t flags, pad;
	} md = { "merged", 1, 0, 0, 0 };
	uint8_t arg[64] = { 0 };
	memcpy(arg, &md, sizeof(md));
	put(&b, arg, sizeof(arg));
	u8(&b, FUZZ_KM_SYNC);
	u8(&b, 1);	/* FILE_INFO */
	u32(&b, 2);	/* the merged fd */
	struct {
		char name[32];
		int32_t status;
		uint32_t flags, num_fences, pad;
		uint64_t info;
	} fi = { "", 0, 0, 2, 0, DATA(0x3000) };
	memset(arg, 0, sizeof(arg));
	memcpy(arg, &fi, sizeof(fi));
	put(&b, arg, sizeof(arg));
	eb.flags = VIRTGPU_EXECBUF_FENCE_FD_IN | VIRTGPU_EXECBUF_RING_IDX;
	eb.fence_fd = 2;
	IOCTL(&b, 0, VIRTGPU_EXECBUFFER, eb);
	u8(&b, FUZZ_KM_READ);
	u8(&b, 0);
	u16(&b, 256);
	u8(&b, FUZZ_KM_CLOSE_FD);
	u8(&b, 0);
	save("fences-sync-events", &b);
}

static void seed_km_venus(void)
{
	struct buf b = { 0 };

	u8(&b, 0);
	km_context(&b, 0, VIRTGPU_DRM_CAPSET_VENUS, 1, 0);
	struct drm_virtgpu_resource_create_blob rb = {
		.blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
		.size = 65536, .blob_id = 0,
	};
	IOCTL(&b, 0, VIRTGPU_RESOURCE_CREATE_BLOB, rb);
	const uint32_t vn[] = {
		178, 0, 1, 0, 1, 0, 0, 65536, 0, 179, 0, 0, 0, 137, 1, 1, 0,
	};
	km_data(&b, 0x400, vn, sizeof(vn));
	uint32_t handle = 1;
	km_data(&b, 0x800, &handle, 4);
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT | VIRTGPU_EXECBUF_RING_IDX,
		.size = sizeof(vn), .command = DATA(0x400),
		.bo_handles = DATA(0x800), .num_bo_handles = 1,
	};
	IOCTL(&b, 0, VIRTGPU_EXECBUFFER, eb);
	struct drm_virtgpu_map mp = { .handle = 1 };
	IOCTL(&b, 0, VIRTGPU_MAP, mp);
	u8(&b, FUZZ_KM_MMAP);
	u8(&b, 0);
	u8(&b, 0);
	u32(&b, 65536);
	save("venus-context-reply-blob", &b);
}

/* Bad pointers and sizes, one of each kind. */
static void seed_km_bad_pointers(void)
{
	struct buf b = { 0 };

	u8(&b, 0);
	for (uint64_t kind = 0; kind < 8; kind++) {
		struct drm_virtgpu_getparam gp = { 1, FUZZ_PTR(kind, 60) };
		IOCTL(&b, 0, VIRTGPU_GETPARAM, gp);
	}
	/* The argument itself near the guard page, and a short struct. */
	u8(&b, FUZZ_KM_IOCTL);
	u8(&b, 0);
	u8(&b, FUZZ_KM_VIRTGPU_GET_CAPS);
	u16(&b, 8);
	u8(&b, FUZZ_PTR_DATA_END | (4 << 3));
	uint8_t zero[24] = { 0 };
	put(&b, zero, sizeof(zero));
	save("bad-pointers", &b);
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "device") && strcmp(argv[1], "ioctl"))) {
		fprintf(stderr, "usage: fuzz-seeds device|ioctl DIR\n");
		return 2;
	}
	out_dir = argv[2];
	if (mkdir(out_dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "fuzz-seeds: %s: %s\n", out_dir, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "device")) {
		seed_dev_display();
		seed_dev_2d();
		seed_dev_3d();
		seed_dev_batch();
		seed_dev_blob();
		seed_dev_venus();
		seed_dev_raw();
		seed_dev_reset();
	} else {
		seed_km_params();
		seed_km_clear();
		seed_km_share();
		seed_km_sync();
		seed_km_venus();
		seed_km_bad_pointers();
	}
	return 0;
}
