// SPDX-License-Identifier: MIT
/*
 * The 2D resource commands of virtio 1.2 5.7.6.8 "Device Operation:
 * controlq": RESOURCE_CREATE_2D makes a host-side image (rows of width * 4
 * bytes in the resource's format), TRANSFER_TO_HOST_2D copies guest
 * backing into it.  5.7.6 "Device Operation": "In the unaccelerated 2D
 * mode there is no support for DMA transfers from resources, just to
 * them."
 *
 * With VIRGL negotiated (and the renderer's virgl enabled) a 2D resource
 * is a renderer resource instead, as both VMMs make it: QEMU's virgl
 * device (hw/display/virtio-gpu-virgl.c:196 virgl_cmd_create_resource_2d,
 * QEMU 10.2.50 at ece408818d27) and crosvm (devices/src/virtio/gpu/
 * mod.rs:408, f1e797a68dad) create a 2D texture in virglrenderer, so
 * everything a RESOURCE_CREATE_3D resource supports works on it
 * (docs/device-answers.md row P7).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/log.h"
#include "sim/virtqueue.h"

/* The renderer's texture target and bind flag for a 2D resource
 * (virglrenderer.h: PIPE_TEXTURE_2D, VIRGL_RES_BIND_RENDER_TARGET). */
#define TEXTURE_2D 2u
#define BIND_RENDER_TARGET (1u << 1)

static bool in_renderer(const struct host_device *dev)
{
	return host__feature(dev, VIRTIO_GPU_F_VIRGL) && dev->has_vrend;
}

/*
 * The resource QEMU's virgl device asks virglrenderer for (vv.c:230-240):
 * a 2D texture of the guest's format, bind RENDER_TARGET, depth and array
 * size 1, no mip levels or samples, flags Y_0_TOP (rows top first, so
 * QEMU's display shows it upright).  crosvm asks for the same with flags
 * 0 (mod.rs:411-422).  The guest can tell: transfers undo the flag, but
 * a RESOURCE_COPY_REGION into a resource without it turns the rows over
 * (scenarios/device/create_2d_y0top*.vgs), so the personality chooses.
 */
static void create_in_renderer(struct host_cmd *cmd,
			       struct host_resource *res)
{
	res->bind = BIND_RENDER_TARGET;
	host__renderer_resource_add(cmd, res, 0, 0,
				    host__create_2d_flags(cmd->dev));
}

/* A w x h 2D resource of @kind, not yet in the table (the scanout code
 * reads target and format of either kind). */
static struct host_resource *new_2d(struct host_cmd *cmd, uint32_t id,
				    enum host_res_kind kind, uint32_t format,
				    uint32_t w, uint32_t h)
{
	struct host_resource *res = calloc(1, sizeof(*res));
	if (!res) {
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		return NULL;
	}
	res->id = id;
	res->kind = kind;
	res->target = TEXTURE_2D;
	res->format = format;
	res->width = w;
	res->height = h;
	res->depth = res->array_size = 1;
	return res;
}

void host_cmd_resource_create_2d(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_resource_create_2d req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	uint32_t id = le32toh(req.resource_id);
	uint32_t format = le32toh(req.format);
	uint32_t w = le32toh(req.width), h = le32toh(req.height);
	if (!host__new_resource_id_ok(cmd, id, name))
		return;
	/* Where a VMM creates it anyway (QEMU's virgl device, crosvm's
	 * 2D mode), the model answers OK and creates nothing (C1, C2). */
	if (!host__format_ok(format)) {
		HOST_FAIL(cmd, C1, "%s: resource %u: format %u is not one of "
			  "enum virtio_gpu_formats", name, id, format);
		return;
	}
	if (w == 0 || h == 0) {
		HOST_FAIL(cmd, C2, "%s: resource %u: width %u x height %u is "
			  "empty", name, id, w, h);
		return;
	}
	struct host_resource *res;
	if (in_renderer(cmd->dev)) {
		res = new_2d(cmd, id, HOST_RES_3D, format, w, h);
		if (res)
			create_in_renderer(cmd, res);
		return;
	}
	/* w * h < 2^64 always; * 4 may not be.  Compare against what is left
	 * of the 2D budget rather than add, so nothing can wrap. */
	uint64_t pixels = (uint64_t)w * h;
	struct host_device *dev = cmd->dev;
	if (pixels > (HOST_MAX_2D_BYTES - dev->image_bytes) / 4) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
			 "%s: resource %u: width %u x height %u x 4 bytes does "
			 "not fit the %llu bytes left for 2D images", name, id,
			 w, h, (unsigned long long)(HOST_MAX_2D_BYTES -
						    dev->image_bytes));
		return;
	}
	res = new_2d(cmd, id, HOST_RES_2D, format, w, h);
	if (!res)
		return;
	res->image = calloc(pixels, 4);
	if (!res->image || host_table_put(&dev->resources, id, res)) {
		free(res->image);
		free(res);
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		return;
	}
	dev->image_bytes += pixels * 4;
}

/* Copy rect @r of the guest backing (laid out like the image, first
 * pixel at @offset) into the host image. */
static void copy_rows(struct host_resource *res,
		      const struct virtio_gpu_rect *r, uint64_t offset)
{
	uint64_t stride = (uint64_t)res->width * 4;
	size_t row = (size_t)r->width * 4;

	for (uint32_t y = 0; y < r->height; y++) {
		uint8_t *dst = res->image + ((uint64_t)r->y + y) * stride +
			       (uint64_t)r->x * 4;
		sim_iov_to_buf(res->iov, res->iov_cnt, offset + y * stride,
			       dst, row);
	}
}

/* Every byte the rect reads, up to offset + (h - 1) * stride + w * 4,
 * must lie in the backing.  The span is below 2^32 * 2^34 and offset is
 * compared first, so nothing wraps. */
static bool backing_covers(struct host_cmd *cmd, const char *name,
			   const struct host_resource *res,
			   const struct virtio_gpu_rect *r, uint64_t offset)
{
	uint64_t span = (uint64_t)(r->height - 1) * res->width * 4 +
			(uint64_t)r->width * 4;
	/* QEMU and crosvm copy what the backing holds (row T3):
	 * copy_rows then reads no byte past it. */
	if (offset > res->backing_len || span > res->backing_len - offset)
		return !HOST_FAIL(cmd, T3, "%s: resource %u: offset %llu + "
				  "%llu bytes for rect %u,%u %ux%u exceeds the "
				  "%llu-byte backing", name, res->id,
				  (unsigned long long)offset,
				  (unsigned long long)span, r->x, r->y,
				  r->width, r->height,
				  (unsigned long long)res->backing_len);
	return true;
}

/*
 * 5.7.6.8 TRANSFER_TO_HOST_2D: "a resource id along with an destination
 * offset into the resource, and a box to transfer".  Row y of the rect is
 * read from backing offset + y * stride (stride = width * 4), as QEMU and
 * Linux lay it out; every byte read must lie in the backing.  A renderer
 * resource (RESOURCE_CREATE_3D, or CREATE_2D with VIRGL) is updated
 * through the renderer as QEMU's virgl device does (vv.c:490
 * virgl_cmd_transfer_to_host_2d: level 0, stride 0, box depth 1) and
 * crosvm (mod.rs:439, Transfer3D::new_2d); blobs have no 2D image.
 */
void host_cmd_transfer_to_host_2d(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_transfer_to_host_2d req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct virtio_gpu_rect r = {
		le32toh(req.r.x), le32toh(req.r.y),
		le32toh(req.r.width), le32toh(req.r.height),
	};
	uint64_t offset = le64toh(req.offset);
	struct host_resource *res = host__find_resource(
		cmd, le32toh(req.resource_id), name);
	if (!res)
		return;
	if (res->kind == HOST_RES_BLOB) {
		HOST_FAIL(cmd, T4, "%s: resource %u is a blob; blobs have no "
			  "2D image", name, res->id);
		return;
	}
	if ((uint64_t)r.x + r.width > res->width ||
	    (uint64_t)r.y + r.height > res->height) {
		/* OK copies nothing (row T1). */
		HOST_FAIL(cmd, T1, "%s: rect %u,%u %ux%u is outside resource "
			  "%u (%ux%u)", name, r.x, r.y, r.width, r.height,
			  res->id, res->width, res->height);
		return;
	}
	if (!res->iov) {
		HOST_FAIL(cmd, T2, "%s: resource %u has no backing attached",
			  name, res->id);
		return;
	}
	if (r.width == 0 || r.height == 0)
		return;
	switch (res->kind) {
	case HOST_RES_2D:
		if (!backing_covers(cmd, name, res, &r, offset))
			return;
		copy_rows(res, &r, offset);
		break;
	case HOST_RES_3D: {
		/* The renderer knows the format's layout and checks the
		 * bytes against the backing itself. */
		struct virtio_gpu_box box = { r.x, r.y, 0, r.width, r.height, 1 };
		int ret = host_vr_transfer(true, res->id, 0, 0, 0, 0, &box,
					   offset);
		if (ret)
			HOST_FAIL(cmd, T5, "%s: 3D resource %u: the renderer "
				  "refused rect %u,%u %ux%u at offset %llu: %s",
				  name, res->id, r.x, r.y, r.width, r.height,
				  (unsigned long long)offset, strerror(-ret));
		break;
	}
	case HOST_RES_BLOB:
		break;		/* refused above */
	}
}
