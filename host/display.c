// SPDX-License-Identifier: MIT
/*
 * Scanouts, EDID and the cursor: GET_DISPLAY_INFO, GET_EDID, SET_SCANOUT,
 * SET_SCANOUT_BLOB and RESOURCE_FLUSH (virtio 1.2 5.7.6.8 "Device
 * Operation: controlq"), UPDATE_CURSOR and MOVE_CURSOR (5.7.6.10 "Device
 * Operation: cursorq").  With opts.scanout_dir every flush of a shown
 * resource and every cursor image is written as a PNG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/log.h"

void host__scanouts_init(struct host_device *dev)
{
	uint32_t x = 0;
	for (unsigned i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		struct host_scanout *s = &dev->scanouts[i];
		memset(s, 0, sizeof(*s));
		s->mode_w = dev->opts.modes[i].width ? dev->opts.modes[i].width
						     : 1024;
		s->mode_h = dev->opts.modes[i].height ? dev->opts.modes[i].height
						      : 768;
		/* Heads side by side, left to right in index order. */
		s->mode_x = x;
		x += s->mode_w;
	}
	dev->cursor_png_seq = 0;
}

static void disable(struct host_scanout *s)
{
	s->resource_id = 0;
	memset(&s->r, 0, sizeof(s->r));
	s->fb_format = s->fb_width = s->fb_height = s->fb_stride = 0;
	s->fb_offset = 0;
}

void host__scanouts_forget(struct host_device *dev, uint32_t res_id)
{
	for (unsigned i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		struct host_scanout *s = &dev->scanouts[i];
		if (s->resource_id == res_id)
			disable(s);
		if (s->cursor_resource == res_id)
			s->cursor_resource = 0;
	}
}

static struct host_scanout *find_scanout(struct host_cmd *cmd, uint32_t id,
					 const char *name, const char *field)
{
	if (id < cmd->dev->opts.num_scanouts)
		return &cmd->dev->scanouts[id];
	/* QEMU ignores a cursor command for no scanout (rows K1, K1M). */
	if (cmd->hdr.type == VIRTIO_GPU_CMD_UPDATE_CURSOR)
		HOST_FAIL(cmd, K1, "%s: %s %u >= num_scanouts %u", name, field,
			  id, cmd->dev->opts.num_scanouts);
	else if (cmd->hdr.type == VIRTIO_GPU_CMD_MOVE_CURSOR)
		HOST_FAIL(cmd, K1M, "%s: %s %u >= num_scanouts %u", name,
			  field, id, cmd->dev->opts.num_scanouts);
	else
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
			 "%s: %s %u >= num_scanouts %u", name, field, id,
			 cmd->dev->opts.num_scanouts);
	return NULL;
}

/* 5.7.6.8 GET_DISPLAY_INFO: "a list of per-scanout information": every
 * scanout is enabled ("connected") at its preferred mode. */
void host_cmd_get_display_info(struct host_cmd *cmd)
{
	struct virtio_gpu_resp_display_info resp;
	memset(&resp, 0, sizeof(resp));
	resp.hdr.type = htole32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	for (unsigned i = 0; i < cmd->dev->opts.num_scanouts; i++) {
		const struct host_scanout *s = &cmd->dev->scanouts[i];
		resp.pmodes[i].r.x = htole32(s->mode_x);
		resp.pmodes[i].r.y = 0;
		resp.pmodes[i].r.width = htole32(s->mode_w);
		resp.pmodes[i].r.height = htole32(s->mode_h);
		resp.pmodes[i].enabled = htole32(1);
	}
	host__reply(cmd, &resp, sizeof(resp));
}

/* 5.7.6.8 GET_EDID: the EDID of the scanout, size bytes of edid[1024]. */
void host_cmd_get_edid(struct host_cmd *cmd)
{
	struct virtio_gpu_cmd_get_edid req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	uint32_t id = le32toh(req.scanout);
	/* crosvm answers the EDID of a default display (virtio_gpu.rs),
	 * QEMU refuses (row E1): the preferred mode then is 1024x768. */
	uint32_t w = 1024, h = 768;
	if (id >= cmd->dev->opts.num_scanouts) {
		if (HOST_FAIL(cmd, E1, "GET_EDID: scanout %u >= num_scanouts "
			      "%u", id, cmd->dev->opts.num_scanouts))
			return;
	} else {
		w = cmd->dev->scanouts[id].mode_w;
		h = cmd->dev->scanouts[id].mode_h;
	}
	struct virtio_gpu_resp_edid resp;
	memset(&resp, 0, sizeof(resp));
	resp.hdr.type = htole32(VIRTIO_GPU_RESP_OK_EDID);
	resp.size = htole32(128);
	host__edid_build(resp.edid, w, h, id);
	host__reply(cmd, &resp, sizeof(resp));
}

static bool rect_inside(const struct virtio_gpu_rect *r, uint32_t w,
			uint32_t h)
{
	return (uint64_t)r->x + r->width <= w && (uint64_t)r->y + r->height <= h;
}

static void read_rect(struct virtio_gpu_rect *r,
		      const struct virtio_gpu_rect *le)
{
	r->x = le32toh(le->x);
	r->y = le32toh(le->y);
	r->width = le32toh(le->width);
	r->height = le32toh(le->height);
}

/* Can a 3D resource be scanned out: a 2D (or RECT) texture of one of the
 * 4-byte virtio_gpu_formats, whose layout we can convert? */
static bool texture_2d_ok(const struct host_resource *res)
{
	const uint32_t pipe_texture_2d = 2, pipe_texture_rect = 5;

	return (res->target == pipe_texture_2d ||
		res->target == pipe_texture_rect) &&
	       host__format_ok(res->format);
}

/*
 * The start SET_SCANOUT and SET_SCANOUT_BLOB share: find the scanout, and
 * the resource to show on it.  False when the command is finished: an
 * error was answered, or resource_id 0 disabled the scanout (5.7.6.8).
 */
static bool scanout_begin(struct host_cmd *cmd, const char *name,
			  uint32_t scanout_id, uint32_t res_id,
			  struct host_scanout **s, struct host_resource **res)
{
	*s = find_scanout(cmd, scanout_id, name, "scanout_id");
	if (!*s)
		return false;
	if (res_id == 0) {
		disable(*s);
		return false;
	}
	*res = host__find_resource(cmd, res_id, name);
	return *res != NULL;
}

/* Show @r of a validated framebuffer of resource @res_id on @s. */
static void show(struct host_scanout *s, uint32_t res_id,
		 const struct virtio_gpu_rect *r, uint32_t format,
		 uint32_t width, uint32_t height, uint32_t stride,
		 uint32_t offset)
{
	s->resource_id = res_id;
	s->r = *r;
	s->fb_format = format;
	s->fb_width = width;
	s->fb_height = height;
	s->fb_stride = stride;
	s->fb_offset = offset;
}

/*
 * 5.7.6.8 SET_SCANOUT: "Scanout rectangles must be completely covered by
 * the underlying resource"; "The driver can use resource_id = 0 to
 * disable a scanout."  Blob resources are shown with SET_SCANOUT_BLOB,
 * which carries the layout a blob lacks.
 */
void host_cmd_set_scanout(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_set_scanout req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct virtio_gpu_rect r;
	read_rect(&r, &req.r);
	uint32_t res_id = le32toh(req.resource_id);
	struct host_scanout *s;
	struct host_resource *res;
	if (!scanout_begin(cmd, name, le32toh(req.scanout_id), res_id, &s,
			   &res))
		return;
	/* The model shows none of these; where a VMM answers OK it
	 * leaves the scanout as it was (rows S4-S6). */
	switch (res->kind) {
	case HOST_RES_BLOB:
		HOST_FAIL(cmd, S5, "%s: resource %u is a blob; use "
			  "SET_SCANOUT_BLOB", name, res_id);
		return;
	case HOST_RES_3D:
		if (!texture_2d_ok(res)) {
			HOST_FAIL(cmd, S6, "%s: 3D resource %u (target %u, "
				  "format %u) is not a 2D texture in one of "
				  "enum virtio_gpu_formats", name, res->id,
				  res->target, res->format);
			return;
		}
		break;
	case HOST_RES_2D:
		/* QEMU's 2D device: "no backing storage" (v.c:685). */
		if (!res->iov &&
		    HOST_FAIL(cmd, S4, "%s: resource %u has no backing", name,
			      res_id))
			return;
		break;
	}
	if (r.width == 0 || r.height == 0 ||
	    !rect_inside(&r, res->width, res->height)) {
		/* No personality shows it; OK leaves the scanout as it
		 * was (docs/device-answers.md S3). */
		HOST_FAIL(cmd, S3, "%s: rect %u,%u %ux%u is empty or not "
			  "covered by resource %u (%ux%u)", name, r.x, r.y,
			  r.width, r.height, res_id, res->width, res->height);
		return;
	}
	/* QEMU's 2D device shows nothing smaller than 16x16
	 * (virtio_gpu_do_set_scanout); its virgl device and crosvm do. */
	if ((r.width < 16 || r.height < 16) &&
	    HOST_FAIL(cmd, S16, "%s: rect %ux%u is narrower or lower than 16",
		      name, r.width, r.height))
		return;
	show(s, res_id, &r, res->format, res->width, res->height,
	     res->width * 4, 0);
}

/* strides[1..3] / offsets[1..3] describe planes the single-plane formats
 * of enum virtio_gpu_formats do not have; Linux leaves them 0. */
static bool extra_planes_clear(struct host_cmd *cmd, const char *name,
			       const struct virtio_gpu_set_scanout_blob *req)
{
	for (int i = 1; i < 4; i++) {
		/* Neither QEMU nor crosvm looks at them (row S12). */
		if ((req->strides[i] || req->offsets[i]) &&
		    HOST_FAIL(cmd, S12, "%s: strides[%d] %u / offsets[%d] %u "
			      "set for a single-plane format", name, i,
			      le32toh(req->strides[i]), i,
			      le32toh(req->offsets[i])))
			return false;
	}
	return true;
}

/*
 * 5.7.6.8 SET_SCANOUT_BLOB: "The rectangle r represents the portion of
 * the blob resource being displayed.  The rest is the metadata associated
 * with the blob resource.  The format MUST be one of enum
 * virtio_gpu_formats."  The whole framebuffer (offsets[0] + (height - 1)
 * * strides[0] + width * 4 bytes) must lie inside the blob.
 */
void host_cmd_set_scanout_blob(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_set_scanout_blob req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct virtio_gpu_rect r;
	read_rect(&r, &req.r);
	uint32_t res_id = le32toh(req.resource_id);
	struct host_scanout *s;
	struct host_resource *res;
	if (!scanout_begin(cmd, name, le32toh(req.scanout_id), res_id, &s,
			   &res))
		return;
	uint32_t w = le32toh(req.width), h = le32toh(req.height);
	uint32_t format = le32toh(req.format);
	uint32_t stride = le32toh(req.strides[0]);
	uint32_t offset = le32toh(req.offsets[0]);
	/* Where a VMM answers OK here the model shows nothing and leaves
	 * the scanout as it was (rows S7, S10, S11). */
	if (res->kind != HOST_RES_BLOB) {
		HOST_FAIL(cmd, S7, "%s: resource %u is not a blob; use "
			  "SET_SCANOUT", name, res_id);
		return;
	}
	if (!host__format_ok(format)) {
		host__violation(cmd->dev, cmd, HOST_RULE_SCANOUT_FORMAT,
				"resource_id %u, format %u", res_id, format);
		HOST_FAIL(cmd, S8, "%s: format %u is not one of enum "
			  "virtio_gpu_formats", name, format);
		return;
	}
	/* crosvm maps only these three to a DRM format (mod.rs:636). */
	if (format != VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM &&
	    format != VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM &&
	    format != VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM &&
	    HOST_FAIL(cmd, S8X, "%s: format %u is not B8G8R8X8, B8G8R8A8 "
		      "or R8G8B8A8", name, format))
		return;
	if (w == 0 || h == 0) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 "%s: width %u height %u: empty", name, w, h);
		return;
	}
	if ((uint64_t)stride < (uint64_t)w * 4 &&
	    HOST_FAIL(cmd, S9S, "%s: width %u: rows longer than strides[0] "
		      "%u", name, w, stride))
		return;
	/* QEMU (both devices) refuses framebuffers below 16x16. */
	if ((w < 16 || h < 16) &&
	    HOST_FAIL(cmd, S9, "%s: width %u height %u: below 16", name, w, h))
		return;
	if (!extra_planes_clear(cmd, name, &req))
		return;
	if (r.width == 0 || r.height == 0 || !rect_inside(&r, w, h)) {
		HOST_FAIL(cmd, S10, "%s: rect %u,%u %ux%u is empty or outside "
			  "the %ux%u framebuffer", name, r.x, r.y, r.width,
			  r.height, w, h);
		return;
	}
	uint64_t end = offset + (uint64_t)(h - 1) * stride + (uint64_t)w * 4;
	if (end > res->blob_size) {
		HOST_FAIL(cmd, S11, "%s: offsets[0] %u + %u rows of strides[0] "
			  "%u end at byte %llu, past the %llu-byte blob %u",
			  name, offset, h, stride, (unsigned long long)end,
			  (unsigned long long)res->blob_size, res_id);
		return;
	}
	show(s, res_id, &r, format, w, h, stride, offset);
}

/*
 * Write one PNG of @r of @res; 0 or -errno (logged).  An image that cannot
 * be written is the host's trouble, not the guest's: callers go on and
 * answer the command as they would without scanout_dir (issue 16).
 */
static int write_png(struct host_resource *res, uint32_t format,
		     uint64_t offset, uint32_t stride,
		     const struct virtio_gpu_rect *r, const char *path)
{
	uint8_t *rgba = malloc((size_t)r->width * r->height * 4);
	if (!rgba)
		return -ENOMEM;
	int ret = host__read_rgba(res, format, offset, stride, r, rgba);
	if (ret)
		SIM_ERROR(HOST_LAYER, "%s: cannot read the pixels of resource %u: "
			  "%s", path, res->id, strerror(-ret));
	else if ((ret = host__png_write(path, rgba, r->width, r->height)))
		SIM_ERROR(HOST_LAYER, "%s: %s", path, strerror(-ret));
	free(rgba);
	return ret;
}

static bool intersects(const struct virtio_gpu_rect *a,
		       const struct virtio_gpu_rect *b)
{
	return (uint64_t)a->x < (uint64_t)b->x + b->width &&
	       (uint64_t)b->x < (uint64_t)a->x + a->width &&
	       (uint64_t)a->y < (uint64_t)b->y + b->height &&
	       (uint64_t)b->y < (uint64_t)a->y + a->height;
}

/* Does @r touch a scanout showing blob @res, as QEMU's 2D device tests it
 * (its right and bottom edges included)? */
static bool blob_flush_touches(const struct host_device *dev,
			       const struct host_resource *res,
			       const struct virtio_gpu_rect *r)
{
	for (unsigned i = 0; i < dev->opts.num_scanouts; i++) {
		const struct virtio_gpu_rect *s = &dev->scanouts[i].r;

		if (dev->scanouts[i].resource_id == res->id &&
		    r->x < (uint64_t)s->x + s->width &&
		    (uint64_t)r->x + r->width >= s->x &&
		    r->y < (uint64_t)s->y + s->height &&
		    (uint64_t)r->y + r->height >= s->y)
			return true;
	}
	return false;
}

/*
 * 5.7.6.8 RESOURCE_FLUSH: "flushes any scanouts the resource is being
 * used on".  The rect is in resource coordinates (for blobs: those of
 * the framebuffer each scanout shows) and must lie inside.  A scanout
 * whose rect the flush touches is "displayed": with scanout_dir, its
 * whole rect is written as scanoutN-SEQ.png.
 */
void host_cmd_resource_flush(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_resource_flush req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct virtio_gpu_rect r;
	read_rect(&r, &req.r);
	struct host_resource *res = host__find_resource(
		cmd, le32toh(req.resource_id), name);
	if (!res)
		return;
	struct host_device *dev = cmd->dev;
	/* A blob's rect is checked against the scanouts showing it only:
	 * QEMU's 2D device refuses one that touches none ("flush bounds
	 * outside scanouts bounds", v.c:490); its virgl device and crosvm
	 * do not look (row L2).  Where the answer is OK nothing is shown. */
	if (res->kind == HOST_RES_BLOB && !blob_flush_touches(dev, res, &r)) {
		HOST_FAIL(cmd, L2, "%s: rect %u,%u %ux%u touches no scanout "
			  "showing blob %u", name, r.x, r.y, r.width, r.height,
			  res->id);
		return;
	}
	if (res->kind != HOST_RES_BLOB &&
	    !rect_inside(&r, res->width, res->height)) {
		/* OK flushes nothing (row L1). */
		HOST_FAIL(cmd, L1, "%s: rect %u,%u %ux%u is outside resource "
			  "%u (%ux%u)", name, r.x, r.y, r.width, r.height,
			  res->id, res->width, res->height);
		return;
	}
	if (!dev->opts.scanout_dir)
		return;
	for (unsigned i = 0; i < dev->opts.num_scanouts; i++) {
		struct host_scanout *s = &dev->scanouts[i];
		if (s->resource_id != res->id || !intersects(&r, &s->r))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/scanout%u-%04u.png",
			 dev->opts.scanout_dir, i, s->png_seq++);
		write_png(res, s->fb_format, s->fb_offset, s->fb_stride,
			  &s->r, path);
	}
}

/*
 * 5.7.6.10 UPDATE_CURSOR: "Cursor will be loaded from the specified
 * resource_id and will be moved to pos"; 5.7.6.6: "The mouse cursor image
 * is a normal resource, except that it must be 64x64 in size."  Resource
 * 0 hides the cursor (as Linux and QEMU do).
 */
void host_cmd_update_cursor(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_update_cursor req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct host_scanout *s = find_scanout(cmd, le32toh(req.pos.scanout_id),
					      name, "pos.scanout_id");
	if (!s)
		return;
	uint32_t res_id = le32toh(req.resource_id);
	uint32_t hot_x = le32toh(req.hot_x), hot_y = le32toh(req.hot_y);
	struct host_resource *res = NULL;
	if (res_id) {
		res = host__find_resource(cmd, res_id, name);
		if (!res)
			return;
		/* QEMU leaves the cursor as it was; crosvm copies 64x64
		 * of it only onto a scanout that shows something (rows K2,
		 * K2N). */
		if (res->kind == HOST_RES_BLOB ||
		    (res->kind == HOST_RES_3D && !texture_2d_ok(res)) ||
		    res->width != HOST_CURSOR_SIZE ||
		    res->height != HOST_CURSOR_SIZE) {
			HOST_FAIL_ROW(cmd, s->resource_id ? HOST_ROW_K2
							  : HOST_ROW_K2N,
				      "%s: resource %u is not a 64x64 2D or 3D "
				      "image (%ux%u)", name, res_id,
				      res->width, res->height);
			return;
		}
		/* Neither VMM uses the hot spot (row K3). */
		if ((hot_x >= HOST_CURSOR_SIZE || hot_y >= HOST_CURSOR_SIZE) &&
		    HOST_FAIL(cmd, K3, "%s: hot_x %u / hot_y %u outside the "
			      "64x64 image", name, hot_x, hot_y))
			return;
	}
	s->cursor_resource = res_id;
	s->cursor_x = le32toh(req.pos.x);
	s->cursor_y = le32toh(req.pos.y);
	s->hot_x = res ? hot_x : 0;
	s->hot_y = res ? hot_y : 0;
	if (!res || !cmd->dev->opts.scanout_dir)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/cursor-%04u.png",
		 cmd->dev->opts.scanout_dir, cmd->dev->cursor_png_seq++);
	struct virtio_gpu_rect all = { 0, 0, HOST_CURSOR_SIZE, HOST_CURSOR_SIZE };
	write_png(res, res->format, 0, HOST_CURSOR_SIZE * 4, &all, path);
}

/* 5.7.6.10 MOVE_CURSOR: "Move cursor to the place specified in pos.  The
 * other fields are not used and will be ignored by the device." */
void host_cmd_move_cursor(struct host_cmd *cmd)
{
	struct virtio_gpu_update_cursor req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	struct host_scanout *s = find_scanout(cmd, le32toh(req.pos.scanout_id),
					      sim_gpu_cmd_name(cmd->hdr.type), "pos.scanout_id");
	if (!s)
		return;
	s->cursor_x = le32toh(req.pos.x);
	s->cursor_y = le32toh(req.pos.y);
}
