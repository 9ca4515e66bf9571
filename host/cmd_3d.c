// SPDX-License-Identifier: MIT
/*
 * Control queue commands of the 3D flow: capsets (virtio 1.2 5.7.6.8
 * "Device Operation: controlq") and contexts, 3D resources, transfers and
 * submits (5.7.6.9 "Device Operation: controlq (3d)").  Each handler
 * copies its fixed struct out of guest memory, converts it to host byte
 * order, validates every field before use and either calls the renderer
 * backend or sets cmd->error (logged as a guest error naming the field).
 * The reply is written by the dispatcher in device.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/log.h"
#include "sim/ram.h"
#include "sim/virtqueue.h"

/* The capsets of the config space: none on a device that does not offer
 * VIRGL (its commands reach here only where a personality runs them
 * anyway, row F1). */
static unsigned offered_capsets(const struct host_device *dev)
{
	return dev->opts.features & (1ull << VIRTIO_GPU_F_VIRGL)
		       ? dev->num_capsets : 0;
}

static const struct host_capset *find_capset(const struct host_device *dev,
					     uint32_t id)
{
	for (unsigned i = 0; i < offered_capsets(dev); i++)
		if (dev->capsets[i].id == id)
			return &dev->capsets[i];
	return NULL;
}

/* 5.7.6.8 GET_CAPSET_INFO: capset_index below num_capsets. */
void host_cmd_get_capset_info(struct host_cmd *cmd)
{
	struct virtio_gpu_get_capset_info req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	uint32_t index = le32toh(req.capset_index);
	struct virtio_gpu_resp_capset_info resp = {
		.hdr.type = htole32(VIRTIO_GPU_RESP_OK_CAPSET_INFO),
	};
	unsigned num = offered_capsets(cmd->dev);
	if (index >= num) {
		host__violation(cmd->dev, cmd, HOST_RULE_CAPSET_INDEX,
				"capset_index %u, num_capsets %u", index, num);
		if (HOST_FAIL(cmd, G1, "GET_CAPSET_INFO: capset_index %u >= "
			      "num_capsets %u", index, num))
			return;
		/* QEMU answers zeros (virtio-gpu-virgl.c), crosvm a capset
		 * id no capset has (virtio_gpu.rs, "poisoned"). */
		if (host__answer(cmd, HOST_ROW_G1) == HOST_ANSWER_POISON)
			resp.capset_id = htole32(UINT32_MAX);
		host__reply(cmd, &resp, sizeof(resp));
		return;
	}
	const struct host_capset *cs = &cmd->dev->capsets[index];
	resp.capset_id = htole32(cs->id);
	resp.capset_max_version = htole32(cs->max_version);
	resp.capset_max_size = htole32(cs->max_size);
	host__reply(cmd, &resp, sizeof(resp));
}

/* 5.7.6.8 GET_CAPSET: a known capset_id, capset_version <= max_version. */
void host_cmd_get_capset(struct host_cmd *cmd)
{
	struct virtio_gpu_get_capset req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	uint32_t id = le32toh(req.capset_id);
	uint32_t version = le32toh(req.capset_version);
	const struct host_capset *cs = find_capset(cmd->dev, id);
	if (!cs) {
		if (HOST_FAIL(cmd, G2, "GET_CAPSET: capset_id %u is not "
			      "offered", id))
			return;
		/* crosvm: the default component's empty capset. */
		struct virtio_gpu_ctrl_hdr hdr = {
			.type = htole32(VIRTIO_GPU_RESP_OK_CAPSET),
		};
		host__reply(cmd, &hdr, sizeof(hdr));
		return;
	}
	if (version > cs->max_version &&
	    HOST_FAIL(cmd, G3, "GET_CAPSET: capset_version %u > max_version "
		      "%u of capset %u", version, cs->max_version, id))
		return;
	size_t len = sizeof(struct virtio_gpu_ctrl_hdr) + cs->max_size;
	/* Written as far as it fits, or not at all (row D5). */
	if (cmd->elem->in_len < len &&
	    HOST_FAIL(cmd, D6, "GET_CAPSET: response buffer %llu bytes, "
		      "capset %u needs %zu",
		      (unsigned long long)cmd->elem->in_len, id, len))
		return;
	struct virtio_gpu_resp_capset *resp = calloc(1, len);
	if (!resp) {
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		return;
	}
	resp->hdr.type = htole32(VIRTIO_GPU_RESP_OK_CAPSET);
	host_vr_fill_capset(id, version, resp->capset_data);
	host__reply(cmd, resp, len);
	free(resp);
}

/* The name length and context_init of a CTX_CREATE (5.7.6.9); false
 * after answering.  Where a personality does not check (rows X4, X5), the
 * name is cut to the 64 bytes the struct has (crosvm ignores nlen), and
 * the capset asked for is used (QEMU and crosvm create it). */
static bool ctx_args_ok(struct host_cmd *cmd, uint32_t *nlen, uint32_t init)
{
	const size_t name_max =
		sizeof(((struct virtio_gpu_ctx_create *)0)->debug_name);
	uint32_t capset_id = init & VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK;

	if (*nlen > name_max) {
		if (HOST_FAIL(cmd, X4, "CTX_CREATE: nlen %u > %zu", *nlen,
			      name_max))
			return false;
		*nlen = (uint32_t)name_max;
	}
	if (init && !host__feature(cmd->dev, VIRTIO_GPU_F_CONTEXT_INIT) &&
	    HOST_FAIL(cmd, X5, "CTX_CREATE: context_init 0x%x without "
		      "VIRTIO_GPU_F_CONTEXT_INIT", init))
		return false;
	/* No personality creates these: the answer is all that differs. */
	if (init & ~VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK) {
		HOST_FAIL(cmd, X6, "CTX_CREATE: context_init 0x%x has undefined "
			  "bits", init);
		return false;
	}
	if (capset_id && !find_capset(cmd->dev, capset_id)) {
		HOST_FAIL(cmd, X7, "CTX_CREATE: context_init capset %u is not "
			  "offered", capset_id);
		return false;
	}
	return true;
}

/*
 * 5.7.6.9 CTX_CREATE.  ctx_id 0 is the device itself and never a context;
 * with VIRTIO_GPU_F_CONTEXT_INIT the low 8 bits of context_init choose the
 * capset (context type), which must be one the device offers.
 */
void host_cmd_ctx_create(struct host_cmd *cmd)
{
	struct virtio_gpu_ctx_create req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	uint32_t ctx_id = cmd->hdr.ctx_id;
	uint32_t nlen = le32toh(req.nlen);
	uint32_t init = le32toh(req.context_init);
	uint32_t capset_id = init & VIRTIO_GPU_CONTEXT_INIT_CAPSET_ID_MASK;

	/* No personality creates these (a PASS would be refused by the
	 * table below): the answer is all that differs. */
	if (ctx_id == 0) {
		HOST_FAIL(cmd, X1, "CTX_CREATE: ctx_id 0 is reserved");
		return;
	}
	if (host_table_get(&cmd->dev->contexts, ctx_id)) {
		HOST_FAIL(cmd, X2, "CTX_CREATE: ctx_id %u already exists",
			  ctx_id);
		return;
	}
	uint32_t max = cmd->dev->opts.max_contexts;
	if (max && cmd->dev->contexts.count >= max) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
		    "CTX_CREATE: ctx_id %u would be one more than the %u "
		    "contexts this machine allows (--max-contexts)", ctx_id,
		    max);
		return;
	}
	if (!ctx_args_ok(cmd, &nlen, init))
		return;
	if (!capset_id && !cmd->dev->opts.virgl) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
		    "CTX_CREATE: default (virgl) context but virgl is disabled");
		return;
	}
	struct host_context *ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		return;
	}
	ctx->id = ctx_id;
	ctx->capset_id = capset_id;
	ctx->num_rings = host_vr_context_rings(capset_id);
	memcpy(ctx->debug_name, req.debug_name, nlen);
	/* ctx_create=fail (host/inject.c) takes the renderer-failure path. */
	int ret = host__inject_ctx_create(cmd->dev, ctx_id, capset_id);
	if (!ret)
		ret = host_vr_context_create(ctx_id, capset_id, ctx->debug_name,
					     nlen);
	if (ret) {
		SIM_ERROR(HOST_LAYER, "CTX_CREATE %u (capset %u): renderer failed: %s",
			  ctx_id, capset_id, strerror(-ret));
		cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		free(ctx);
		return;
	}
	if (host_table_put(&cmd->dev->contexts, ctx_id, ctx)) {
		host_vr_context_destroy(ctx_id);
		free(ctx);
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
}

/* Commands still waiting on a fence of the context's rings would never
 * be answered once the renderer forgets the context: answer them now. */
void host_cmd_ctx_destroy(struct host_cmd *cmd)
{
	struct host_context *ctx =
		host__find_context(cmd, sim_gpu_cmd_name(cmd->hdr.type));
	if (!ctx)
		return;
	host_table_remove(&cmd->dev->contexts, ctx->id);
	host__fence_wait_context(cmd->dev, ctx->id, HOST_CTX_DRAIN_MS);
	host_vr_context_destroy(ctx->id);
	host__fence_retire_context(cmd->dev, ctx->id);
	host__inject_ctx_destroyed(cmd->dev, ctx->id);
	free(ctx);
}

static void ctx_resource(struct host_cmd *cmd, bool attach)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_ctx_resource req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct host_context *ctx = host__find_context(cmd, name);
	if (!ctx)
		return;
	uint32_t res_id = le32toh(req.resource_id);
	struct host_resource *res = host_table_get(&cmd->dev->resources,
						   res_id);
	if (!res) {
		/* QEMU hands both ids to virglrenderer, which ignores an
		 * unknown one; rutabaga refuses it (row X11).  None goes
		 * on without the resource. */
		HOST_FAIL(cmd, X11, "%s: resource_id %u does not exist", name,
			  res_id);
		return;
	}
	if (!res->in_renderer) {
		/* A 2D resource lives in the device, not the renderer.  Linux
		 * attaches every GEM object it opens, dumb (2D) buffers
		 * included, so this is normal and has nothing to do. */
		SIM_DEBUG(SIM_DEBUG_CMD, HOST_LAYER, "%s: resource %u is not "
			  "a renderer resource: nothing to do", name, res->id);
		if (res->kind == HOST_RES_BLOB)
			HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
				 "%s: guest blob %u has no memory yet; attach "
				 "its backing first", name, res->id);
		return;
	}
	if (attach)
		host_vr_ctx_attach(ctx->id, res->id);
	else
		host_vr_ctx_detach(ctx->id, res->id);
}

void host_cmd_ctx_attach_resource(struct host_cmd *cmd)
{
	ctx_resource(cmd, true);
}

void host_cmd_ctx_detach_resource(struct host_cmd *cmd)
{
	ctx_resource(cmd, false);
}

/* 5.7.6.9 SUBMIT_3D: @size bytes of context commands follow the struct. */
void host_cmd_submit_3d(struct host_cmd *cmd)
{
	struct virtio_gpu_cmd_submit req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	uint32_t size = le32toh(req.size);
	uint64_t avail = cmd->elem->out_len - sizeof(req);
	/* QEMU and crosvm read the stream before the context is looked
	 * at; crosvm answers OK when nothing at all follows (row P1). */
	if (size > avail) {
		if (avail == 0)
			HOST_FAIL(cmd, P1, "SUBMIT_3D: size %u and no bytes "
				  "follow the command", size);
		else
			HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			    "SUBMIT_3D: size %u > %llu bytes that follow the "
			    "command", size, (unsigned long long)avail);
		return;
	}
	struct host_context *ctx =
		host__find_context(cmd, sim_gpu_cmd_name(cmd->hdr.type));
	if (!ctx)
		return;
	if (size > HOST_MAX_SUBMIT_BYTES) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
		    "SUBMIT_3D: size %u is above %u", size,
		    HOST_MAX_SUBMIT_BYTES);
		return;
	}
	/* QEMU hands size / 4 dwords on (row P2). */
	if (size % 4) {
		if (HOST_FAIL(cmd, P2, "SUBMIT_3D: size %u is not a multiple "
			      "of 4", size))
			return;
		size &= ~3u;
	}
	if (size == 0)
		return;
	void *buf = malloc(size);
	if (!buf) {
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		return;
	}
	sim_iov_to_buf(cmd->elem->out_iov, cmd->elem->out_num, sizeof(req),
		       buf, size);
	host__inject_submit(cmd->dev, ctx);	/* worker=kill */
	int ret = host_vr_submit(ctx->id, buf, size / 4);
	free(buf);
	/* A bad stream is the guest's doing but only the renderer can
	 * tell; the context is now unusable (FACTS.md: sticky) whatever the
	 * answer: QEMU ignores the refusal, crosvm passes it on (row P13). */
	if (ret)
		HOST_FAIL(cmd, P13, "SUBMIT_3D: ctx %u: renderer rejected the "
			  "%u-byte stream: %s", ctx->id, size, strerror(-ret));
}

/*
 * Box checks shared by both transfer directions, in 64 bits so that no
 * x + w can wrap.  z counts depth slices of 3D textures and layers of
 * array textures.
 */
static bool box_ok(struct host_cmd *cmd, const char *name,
		   const struct virtio_gpu_box *b, const struct host_resource *res)
{
	uint64_t layers = res->depth > res->array_size ? res->depth
						      : res->array_size;
	if ((uint64_t)b->x + b->w > res->width ||
	    (uint64_t)b->y + b->h > res->height ||
	    (uint64_t)b->z + b->d > layers)
		/* QEMU and crosvm leave it to the renderer (row P6). */
		return !HOST_FAIL(cmd, P6, "%s: box %u,%u,%u %ux%ux%u outside "
				  "resource %u (%ux%ux%llu)", name, b->x, b->y,
				  b->z, b->w, b->h, b->d, res->id, res->width,
				  res->height, (unsigned long long)layers);
	return true;
}

static void transfer_3d(struct host_cmd *cmd, bool to_host)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_transfer_host_3d req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	struct virtio_gpu_box box = {
		le32toh(req.box.x), le32toh(req.box.y), le32toh(req.box.z),
		le32toh(req.box.w), le32toh(req.box.h), le32toh(req.box.d),
	};
	uint64_t offset = le64toh(req.offset);
	struct host_resource *res = host__find_resource(
		cmd, le32toh(req.resource_id), name);
	if (!res)
		return;
	/* virglrenderer refuses an unknown ctx_id; QEMU ignores that, crosvm
	 * passes it on (row P12).  None goes on without the context. */
	if (cmd->hdr.ctx_id &&
	    !host_table_get(&cmd->dev->contexts, cmd->hdr.ctx_id)) {
		HOST_FAIL(cmd, P12, "%s: hdr.ctx_id %u does not exist", name,
			  cmd->hdr.ctx_id);
		return;
	}
	/* Only without VIRGL negotiated is a 2D resource a device image
	 * (cmd_2d.c); rows F0/F2 decide whether the command gets here (P7). */
	if (res->kind == HOST_RES_2D) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 "%s: resource %u is a 2D resource (a device image, not "
			 "a renderer resource); use TRANSFER_TO_HOST_2D", name,
			 res->id);
		return;
	}
	if (res->mapped) {
		/* virglrenderer 0.10.4 raises GL_INVALID_OPERATION when it
		 * reads a buffer that is mapped and then refuses everything
		 * the context does: a device limitation, refused here. */
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_UNSPEC,
			 "%s: blob resource %u is mapped (RESOURCE_MAP_BLOB); "
			 "this device cannot transfer a mapped blob", name,
			 res->id);
		return;
	}
	/* Rows P9, P10: QEMU and crosvm leave these to the renderer, which
	 * refuses them (row P11). */
	if (!res->iov) {
		if (HOST_FAIL(cmd, P9, "%s: resource %u has no backing "
			      "attached", name, res->id))
			return;
	} else if (offset >= res->backing_len &&
		   HOST_FAIL(cmd, P10, "%s: offset %llu outside the %llu-byte "
			     "backing", name, (unsigned long long)offset,
			     (unsigned long long)res->backing_len)) {
		return;
	}
	/* Blobs have no dimensions here; the renderer checks their boxes. */
	if (res->kind == HOST_RES_3D && !box_ok(cmd, name, &box, res))
		return;
	int ret = host_vr_transfer(to_host, res->id, cmd->hdr.ctx_id,
				   le32toh(req.level), le32toh(req.stride),
				   le32toh(req.layer_stride), &box, offset);
	if (ret)
		HOST_FAIL(cmd, P11,
		    "%s: resource %u: renderer refused (level %u stride %u "
		    "layer_stride %u offset %llu): %s", name, res->id,
		    le32toh(req.level), le32toh(req.stride),
		    le32toh(req.layer_stride), (unsigned long long)offset,
		    strerror(-ret));
}

void host_cmd_transfer_to_host_3d(struct host_cmd *cmd)
{
	transfer_3d(cmd, true);
}

void host_cmd_transfer_from_host_3d(struct host_cmd *cmd)
{
	transfer_3d(cmd, false);
}

/* What a 3D resource is taken to cost the renderer (host_options): a
 * buffer (PIPE_BUFFER, target 0) its width in bytes, an image 4 bytes a
 * texel of every slice and layer, a third more with mip levels.  Width
 * and height are below 2^32, so their product fits 64 bits before the
 * texel size is checked. */
static uint64_t estimate_3d(const struct host_resource *res,
			    uint32_t last_level)
{
	uint64_t texels = (uint64_t)res->width * res->height;
	if (res->target != 0 && texels > UINT64_MAX / 4)
		return UINT64_MAX;
	uint64_t bytes = res->target == 0 ? res->width : texels * 4;
	uint64_t layers = (uint64_t)res->depth * (res->array_size ?
						   res->array_size : 1);

	if (layers && bytes > UINT64_MAX / layers)
		return UINT64_MAX;
	bytes *= layers;
	return last_level ? bytes + bytes / 3 : bytes;
}

/*
 * Charge @res (kind HOST_RES_3D, its creation fields set, its id checked
 * by host__new_resource_id_ok) to the renderer budget, create it in the
 * renderer and put it in the device's table.  On failure @res is freed
 * and cmd->error says why.  RESOURCE_CREATE_3D and, with VIRGL,
 * RESOURCE_CREATE_2D (cmd_2d.c) make their resources here.
 */
void host__renderer_resource_add(struct host_cmd *cmd,
				 struct host_resource *res, uint32_t last_level,
				 uint32_t nr_samples, uint32_t flags)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	if (!host__charge_renderer(cmd, res, estimate_3d(res, last_level),
				   name)) {
		free(res);
		return;
	}
	int ret = host_vr_resource_create(res, last_level, res->array_size,
					  nr_samples, flags);
	if (ret) {
		/* QEMU ignores the refusal (and keeps the id in its list;
		 * the model keeps nothing), crosvm passes it on (row P5). */
		HOST_FAIL(cmd, P5,
		    "%s: resource %u (target %u format %u bind 0x%x "
		    "%ux%ux%u): renderer refused: %s", name, res->id,
		    res->target, res->format, res->bind, res->width,
		    res->height, res->depth, strerror(-ret));
		cmd->dev->renderer_bytes -= res->renderer_bytes;
		free(res);
		return;
	}
	res->in_renderer = true;
	if (host_table_put(&cmd->dev->resources, res->id, res)) {
		host_vr_resource_unref(res->id);
		cmd->dev->renderer_bytes -= res->renderer_bytes;
		free(res);
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
}

/* 5.7.6.9 RESOURCE_CREATE_3D. */
void host_cmd_resource_create_3d(struct host_cmd *cmd)
{
	struct virtio_gpu_resource_create_3d req;
	if (host__read_req(cmd, &req, sizeof(req)))
		return;
	uint32_t id = le32toh(req.resource_id);
	struct host_resource *res = host__resource_alloc(cmd, id, HOST_RES_3D,
							 sim_gpu_cmd_name(cmd->hdr.type));
	if (!res)
		return;
	res->target = le32toh(req.target);
	res->format = le32toh(req.format);
	res->bind = le32toh(req.bind);
	res->width = le32toh(req.width);
	res->height = le32toh(req.height);
	res->depth = le32toh(req.depth);
	res->array_size = le32toh(req.array_size);
	/* QEMU and crosvm leave it to the renderer (row P4), which takes
	 * a buffer of width 0 and refuses a texture of width 0 (P5). */
	if ((res->width == 0 || res->height == 0 || res->depth == 0) &&
	    HOST_FAIL(cmd, P4, "RESOURCE_CREATE_3D: resource %u has a zero "
		      "size %ux%ux%u", id, res->width, res->height,
		      res->depth)) {
		free(res);
		return;
	}
	host__renderer_resource_add(cmd, res, le32toh(req.last_level),
				    le32toh(req.nr_samples),
				    le32toh(req.flags));
}
