// SPDX-License-Identifier: MIT
/*
 * One emitter per virtio-gpu command (Linux's virtio_gpu_cmd_*): each
 * allocates a vbuf, fills the command in little endian and queues it.
 * Callers hold dev->lock and kick with km__notify_locked() when done.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"
#include "sim/ram.h"

static int alloc_cmd(struct km_device *dev, uint32_t type, uint32_t ctx_id,
		     size_t cmd_len, size_t data_len, size_t resp_len,
		     struct km_vbuf **out)
{
	int ret = km__vbuf_alloc(dev, cmd_len, data_len, resp_len, out);
	if (ret)
		return ret;
	struct virtio_gpu_ctrl_hdr *hdr = (*out)->buf;
	hdr->type = htole32(type);
	hdr->ctx_id = htole32(ctx_id);
	return 0;
}

static int queue_nodata(struct km_device *dev, struct km_vbuf *vbuf,
			struct km_fence *fence)
{
	return km__queue_ctrl_locked(dev, vbuf, fence);
}

int km_cmd_get_capset_info(struct km_device *dev, uint32_t index,
			   struct km_vbuf **waitable)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_GET_CAPSET_INFO, 0,
			    sizeof(struct virtio_gpu_get_capset_info), 0,
			    sizeof(struct virtio_gpu_resp_capset_info), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_get_capset_info *cmd = vbuf->buf;
	cmd->capset_index = htole32(index);
	vbuf->waited = true;
	*waitable = vbuf;
	return km__queue_ctrl_locked(dev, vbuf, NULL);
}

static void get_capset_cb(struct km_device *dev, struct km_vbuf *vbuf)
{
	struct km_capset_cache *ent = vbuf->cb_data;
	if (vbuf->resp_type == VIRTIO_GPU_RESP_OK_CAPSET) {
		memcpy(ent->data, (char *)km__vbuf_resp(vbuf) +
		       sizeof(struct virtio_gpu_ctrl_hdr), ent->size);
		ent->valid = true;
	} else {
		ent->failed = true;
	}
}

int km_cmd_get_capset(struct km_device *dev, struct km_capset_cache *ent)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_GET_CAPSET, 0,
			    sizeof(struct virtio_gpu_get_capset), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr) + ent->size, &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_get_capset *cmd = vbuf->buf;
	cmd->capset_id = htole32(ent->id);
	cmd->capset_version = htole32(ent->version);
	vbuf->resp_cb = get_capset_cb;
	vbuf->cb_data = ent;
	return km__queue_ctrl_locked(dev, vbuf, NULL);
}

int km_cmd_context_create(struct km_device *dev, uint32_t ctx_id,
			  uint32_t context_init, const char *name)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_CTX_CREATE, ctx_id,
			    sizeof(struct virtio_gpu_ctx_create), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_ctx_create *cmd = vbuf->buf;
	size_t nlen = strnlen(name, sizeof(cmd->debug_name));
	cmd->nlen = htole32((uint32_t)nlen);
	cmd->context_init = htole32(context_init);
	memcpy(cmd->debug_name, name, nlen);
	return queue_nodata(dev, vbuf, NULL);
}

int km_cmd_context_destroy(struct km_device *dev, uint32_t ctx_id)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_CTX_DESTROY, ctx_id,
			    sizeof(struct virtio_gpu_ctx_destroy), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	return ret ? ret : queue_nodata(dev, vbuf, NULL);
}

/* Without VIRTIO_GPU_F_VIRGL, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE makes a 2D
 * resource: the UAPI's format goes to the device as it is (5.7.6.8
 * RESOURCE_CREATE_2D takes enum virtio_gpu_formats). */
int km_cmd_resource_create_2d(struct km_device *dev, struct km_bo *bo,
			      const struct drm_virtgpu_resource_create *rc,
			      struct km_fence *fence)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0,
			    sizeof(struct virtio_gpu_resource_create_2d), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_create_2d *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->format = htole32(rc->format);
	cmd->width = htole32(rc->width);
	cmd->height = htole32(rc->height);
	return queue_nodata(dev, vbuf, fence);
}

int km_cmd_resource_create_3d(struct km_device *dev, struct km_bo *bo,
			      const struct drm_virtgpu_resource_create *rc,
			      struct km_fence *fence)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0,
			    sizeof(struct virtio_gpu_resource_create_3d), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_create_3d *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->target = htole32(rc->target);
	cmd->format = htole32(rc->format);
	cmd->bind = htole32(rc->bind);
	cmd->width = htole32(rc->width);
	cmd->height = htole32(rc->height);
	cmd->depth = htole32(rc->depth);
	cmd->array_size = htole32(rc->array_size);
	cmd->last_level = htole32(rc->last_level);
	cmd->nr_samples = htole32(rc->nr_samples);
	cmd->flags = htole32(rc->flags);
	return queue_nodata(dev, vbuf, fence);
}

static int append_mem_entries(struct km_vbuf *vbuf, const struct km_bo *bo);
static uint32_t count_mem_entries(const struct km_bo *bo);

/* Mem entries for the object's pages, physically consecutive pages merged
 * into one entry as the kernel's sg table does. */
int km_cmd_resource_attach_backing(struct km_device *dev, struct km_bo *bo)
{
	uint32_t nents = count_mem_entries(bo);
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0,
			    sizeof(struct virtio_gpu_resource_attach_backing),
			    nents * sizeof(struct virtio_gpu_mem_entry),
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_attach_backing *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->nr_entries = htole32(nents);
	append_mem_entries(vbuf, bo);
	return queue_nodata(dev, vbuf, NULL);
}

/* The pages go back to the allocator only once the device has dropped its
 * view of them (Linux frees in the unref response callback too). */
static void unref_cb(struct km_device *dev, struct km_vbuf *vbuf)
{
	struct km_bo *bo = vbuf->cb_data;
	km__bo_free_locked(dev, bo);
}

int km_cmd_resource_unref(struct km_device *dev, struct km_bo *bo)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_UNREF, 0,
			    sizeof(struct virtio_gpu_resource_unref), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_unref *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	vbuf->resp_cb = unref_cb;
	vbuf->cb_data = bo;
	return queue_nodata(dev, vbuf, NULL);
}

int km_cmd_ctx_resource(struct km_device *dev, uint32_t ctx_id,
			struct km_bo *bo, bool attach)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, attach ? VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE
					: VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE,
			    ctx_id, sizeof(struct virtio_gpu_ctx_resource), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_ctx_resource *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	return queue_nodata(dev, vbuf, NULL);
}

int km_cmd_submit_3d(struct km_device *dev, uint32_t ctx_id,
		     const void *cmds, uint32_t size, struct km_fence *fence,
		     struct km_bo **bos, unsigned nbo)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_SUBMIT_3D, ctx_id,
			    sizeof(struct virtio_gpu_cmd_submit), size,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_cmd_submit *cmd = vbuf->buf;
	cmd->size = htole32(size);
	if (size)
		memcpy(km__vbuf_data(vbuf), cmds, size);
	if (nbo && (ret = km__vbuf_add_objs(vbuf, bos, nbo))) {
		km__vbuf_free(dev, vbuf);
		return ret;
	}
	return queue_nodata(dev, vbuf, fence);
}

/* 5.7.6.8 TRANSFER_TO_HOST_2D: the rectangle and the byte offset of its
 * first pixel in the backing; Linux sends it without a fence. */
int km_cmd_transfer_to_host_2d(struct km_device *dev, struct km_bo *bo,
			       const struct drm_virtgpu_3d_transfer_to_host *args)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0,
			    sizeof(struct virtio_gpu_transfer_to_host_2d), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_transfer_to_host_2d *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->offset = htole64(args->offset);
	cmd->r.x = htole32(args->box.x);
	cmd->r.y = htole32(args->box.y);
	cmd->r.width = htole32(args->box.w);
	cmd->r.height = htole32(args->box.h);
	if ((ret = km__vbuf_add_objs(vbuf, &bo, 1))) {
		km__vbuf_free(dev, vbuf);
		return ret;
	}
	return queue_nodata(dev, vbuf, NULL);
}

int km_cmd_transfer_3d(struct km_device *dev, bool to_host, uint32_t ctx_id,
		       struct km_bo *bo,
		       const struct drm_virtgpu_3d_transfer_to_host *args,
		       struct km_fence *fence)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, to_host ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D
					 : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D,
			    ctx_id, sizeof(struct virtio_gpu_transfer_host_3d), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_transfer_host_3d *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->offset = htole64(args->offset);
	cmd->level = htole32(args->level);
	cmd->stride = htole32(args->stride);
	cmd->layer_stride = htole32(args->layer_stride);
	cmd->box.x = htole32(args->box.x);
	cmd->box.y = htole32(args->box.y);
	cmd->box.z = htole32(args->box.z);
	cmd->box.w = htole32(args->box.w);
	cmd->box.h = htole32(args->box.h);
	cmd->box.d = htole32(args->box.d);
	if ((ret = km__vbuf_add_objs(vbuf, &bo, 1))) {
		km__vbuf_free(dev, vbuf);
		return ret;
	}
	return queue_nodata(dev, vbuf, fence);
}

static int append_mem_entries(struct km_vbuf *vbuf, const struct km_bo *bo)
{
	struct virtio_gpu_mem_entry *ents = km__vbuf_data(vbuf);
	int e = -1;
	for (uint64_t i = 0; i < bo->npages; i++) {
		if (i == 0 || bo->pages[i] != bo->pages[i - 1] + SIM_PAGE_SIZE) {
			e++;
			ents[e].addr = htole64(bo->pages[i]);
			ents[e].length = 0;
		}
		ents[e].length = htole32(le32toh(ents[e].length) + SIM_PAGE_SIZE);
	}
	return e + 1;
}

static uint32_t count_mem_entries(const struct km_bo *bo)
{
	uint32_t n = 0;
	for (uint64_t i = 0; i < bo->npages; i++)
		if (i == 0 || bo->pages[i] != bo->pages[i - 1] + SIM_PAGE_SIZE)
			n++;
	return n;
}

/* virtio 1.2 5.7.6.8 RESOURCE_CREATE_BLOB: guest blobs carry their pages
 * as mem entries after the struct. */
int km_cmd_resource_create_blob(struct km_device *dev, uint32_t ctx_id,
				struct km_bo *bo, uint64_t blob_id)
{
	uint32_t nents = bo->guest_blob ? count_mem_entries(bo) : 0;
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, ctx_id,
			    sizeof(struct virtio_gpu_resource_create_blob),
			    nents * sizeof(struct virtio_gpu_mem_entry),
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_create_blob *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->blob_mem = htole32(bo->blob_mem);
	cmd->blob_flags = htole32(bo->blob_flags);
	cmd->nr_entries = htole32(nents);
	cmd->blob_id = htole64(blob_id);
	cmd->size = htole64(bo->size);
	if (nents)
		append_mem_entries(vbuf, bo);
	return queue_nodata(dev, vbuf, NULL);
}

static void map_blob_cb(struct km_device *dev, struct km_vbuf *vbuf)
{
	struct km_bo *bo = vbuf->cb_data;
	struct virtio_gpu_resp_map_info *resp = km__vbuf_resp(vbuf);
	if (vbuf->resp_type == VIRTIO_GPU_RESP_OK_MAP_INFO) {
		bo->map_info = le32toh(resp->map_info);
		bo->map_state = KM_MAP_OK;
	} else {
		bo->map_state = KM_MAP_ERR;
	}
}

int km_cmd_resource_map_blob(struct km_device *dev, struct km_bo *bo,
			     uint64_t offset)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0,
			    sizeof(struct virtio_gpu_resource_map_blob), 0,
			    sizeof(struct virtio_gpu_resp_map_info), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_map_blob *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	cmd->offset = htole64(offset);
	vbuf->resp_cb = map_blob_cb;
	vbuf->cb_data = bo;
	ret = km__vbuf_add_objs(vbuf, &bo, 1);
	if (ret) {
		km__vbuf_free(dev, vbuf);
		return ret;
	}
	return queue_nodata(dev, vbuf, NULL);
}

int km_cmd_resource_unmap_blob(struct km_device *dev, struct km_bo *bo,
			       km_resp_cb done, void *done_data)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, 0,
			    sizeof(struct virtio_gpu_resource_unmap_blob), 0,
			    sizeof(struct virtio_gpu_ctrl_hdr), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_unmap_blob *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	vbuf->resp_cb = done;
	vbuf->cb_data = done_data;
	return queue_nodata(dev, vbuf, NULL);
}

static void assign_uuid_cb(struct km_device *dev, struct km_vbuf *vbuf)
{
	struct km_bo *bo = vbuf->cb_data;
	struct virtio_gpu_resp_resource_uuid *resp = km__vbuf_resp(vbuf);
	if (vbuf->resp_type == VIRTIO_GPU_RESP_OK_RESOURCE_UUID) {
		memcpy(bo->uuid, resp->uuid, sizeof(bo->uuid));
		bo->uuid_state = KM_UUID_OK;
	} else {
		bo->uuid_state = KM_UUID_ERR;
	}
}

int km_cmd_resource_assign_uuid(struct km_device *dev, struct km_bo *bo)
{
	struct km_vbuf *vbuf;
	int ret = alloc_cmd(dev, VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID, 0,
			    sizeof(struct virtio_gpu_resource_assign_uuid), 0,
			    sizeof(struct virtio_gpu_resp_resource_uuid), &vbuf);
	if (ret)
		return ret;
	struct virtio_gpu_resource_assign_uuid *cmd = vbuf->buf;
	cmd->resource_id = htole32(bo->res_id);
	vbuf->resp_cb = assign_uuid_cb;
	vbuf->cb_data = bo;
	bo->uuid_state = KM_UUID_PENDING;
	ret = km__vbuf_add_objs(vbuf, &bo, 1);
	if (ret) {
		km__vbuf_free(dev, vbuf);
		return ret;
	}
	return queue_nodata(dev, vbuf, NULL);
}
