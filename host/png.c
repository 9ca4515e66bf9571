// SPDX-License-Identifier: MIT
/*
 * Scanout images: read the pixels of a rectangle of a resource, whatever
 * kind it is, convert them to RGBA and write them as PNG (libpng).
 *
 * Where pixels come from:
 *  - 2D resources: the device's own image;
 *  - 3D resources: read back through virgl_renderer_transfer_read_iov
 *    into a temporary buffer (transfers do not flip Y, FACTS.md);
 *  - GUEST blobs: the guest memory of their mem entries;
 *  - HOST3D blobs: their host mapping (the one RESOURCE_MAP_BLOB made, or
 *    a temporary one).  Never transfer_read_iov: on a mapped blob that
 *    kills the context in virglrenderer 0.10.4.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/log.h"
#include "sim/virtqueue.h"
#include "sim/units.h"

/* Byte position of R, G, B and A (-1: no alpha, opaque) in a pixel of
 * each enum virtio_gpu_formats value.  The names are Gallium's, whose
 * 8-bit formats list channels in memory order. */
static void channel_order(uint32_t format, int pos[4])
{
	static const struct {
		uint32_t format;
		int8_t r, g, b, a;
	} table[] = {
		{ VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 2, 1, 0, 3 },
		{ VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 2, 1, 0, -1 },
		{ VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 1, 2, 3, 0 },
		{ VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 1, 2, 3, -1 },
		{ VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 0, 1, 2, 3 },
		{ VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, 3, 2, 1, -1 },
		{ VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 3, 2, 1, 0 },
		{ VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, 0, 1, 2, -1 },
	};
	pos[0] = 2, pos[1] = 1, pos[2] = 0, pos[3] = 3;
	for (size_t i = 0; i < SIM_COUNT(table); i++) {
		if (table[i].format == format) {
			pos[0] = table[i].r;
			pos[1] = table[i].g;
			pos[2] = table[i].b;
			pos[3] = table[i].a;
		}
	}
}

static void to_rgba(uint8_t *px, size_t n, uint32_t format)
{
	int pos[4];
	channel_order(format, pos);
	for (size_t i = 0; i < n; i++, px += 4) {
		uint8_t in[4];
		memcpy(in, px, 4);
		px[0] = in[pos[0]];
		px[1] = in[pos[1]];
		px[2] = in[pos[2]];
		px[3] = pos[3] < 0 ? 0xff : in[pos[3]];
	}
}

/* Rows of the rect from linear memory: a host pointer or guest iovecs. */
static void gather_rows(const uint8_t *base, const struct iovec *iov,
			unsigned iov_cnt, uint64_t offset, uint32_t stride,
			const struct virtio_gpu_rect *r, uint8_t *out)
{
	size_t row = (size_t)r->width * 4;
	for (uint32_t y = 0; y < r->height; y++) {
		uint64_t src = offset + ((uint64_t)r->y + y) * stride +
			       (uint64_t)r->x * 4;
		if (base)
			memcpy(out + y * row, base + src, row);
		else
			sim_iov_to_buf(iov, iov_cnt, src, out + y * row, row);
	}
}

/* HOST3D blobs: through the guest's mapping, or map for the read. */
static int read_host_blob(struct host_resource *res, uint64_t offset,
			  uint32_t stride, const struct virtio_gpu_rect *r,
			  uint8_t *out)
{
	if (res->mapped) {
		gather_rows(res->map_ptr, NULL, 0, offset, stride, r, out);
		return 0;
	}
	void *ptr;
	uint64_t size;
	uint32_t info;
	int ret = host_vr_map(res->id, &ptr, &size, &info);
	if (ret)
		return ret;
	if (size < res->blob_size) {
		host_vr_unmap(res->id);
		return -ERANGE;
	}
	gather_rows(ptr, NULL, 0, offset, stride, r, out);
	host_vr_unmap(res->id);
	return 0;
}

/*
 * Read rect @r of @res as RGBA into @rgba (r->width * r->height * 4
 * bytes).  The pixels lie at @offset + y * @stride + x * 4 in @format
 * (for 3D resources the renderer knows the layout; @offset and @stride
 * are unused).  The caller has checked that the rect lies inside.
 */
int host__read_rgba(struct host_resource *res, uint32_t format,
		    uint64_t offset, uint32_t stride,
		    const struct virtio_gpu_rect *r, uint8_t *rgba)
{
	size_t len = (size_t)r->width * r->height * 4;
	int ret = 0;

	switch (res->kind) {
	case HOST_RES_2D:
		gather_rows(res->image, NULL, 0, offset, stride, r, rgba);
		break;
	case HOST_RES_3D: {
		struct virtio_gpu_box box = { r->x, r->y, 0, r->width,
					      r->height, 1 };
		ret = host_vr_read_box(res->id, &box, r->width * 4, rgba, len);
		break;
	}
	case HOST_RES_BLOB:
		if (res->blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST)
			ret = read_host_blob(res, offset, stride, r, rgba);
		else if (!res->iov || res->backing_len < res->blob_size)
			ret = -ENODATA;
		else
			gather_rows(NULL, res->iov, res->iov_cnt, offset, stride,
				    r, rgba);
		break;
	}
	if (ret == 0)
		to_rgba(rgba, (size_t)r->width * r->height, format);
	return ret;
}

int host__png_write(const char *path, const uint8_t *rgba, uint32_t w,
		    uint32_t h)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -errno;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
						  NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		fclose(f);
		return -ENOMEM;
	}
	/* libpng reports errors by longjmp; nothing below owns memory that
	 * the jump would leak besides what png_destroy_write_struct frees. */
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		return -EIO;
	}
	png_init_io(png, f);
	/* Speed over size: these are debugging images. */
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (uint32_t y = 0; y < h; y++)
		png_write_row(png, (png_const_bytep)(rgba + (size_t)y * w * 4));
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	if (fclose(f))
		return -errno;
	return 0;
}
