// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim decode --resource=N`: which records are tied to resource N.
 * Besides the requests naming it (and their responses, which carry the
 * retirement of their fences: decode.c keeps them by seq), the capture
 * holds records that name no resource: the guest memory of its backing
 * (the ranges of RESOURCE_ATTACH_BACKING or a guest blob's entries, until
 * DETACH_BACKING or UNREF), the host-visible window it is mapped at
 * (RESOURCE_MAP_BLOB until UNMAP_BLOB), the scanout checksums of a
 * scanout showing it (SET_SCANOUT / SET_SCANOUT_BLOB), and virgl streams
 * whose commands carry its handle (decode_fields.c: vmm_decode_virgl_res).
 * This file follows those records in capture order.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_gpu.h>

#include "sim/capture.h"
#include "vmm/decode.h"

void vmm_decode_res_init(struct vmm_decode_res *r, uint32_t res)
{
	memset(r, 0, sizeof(*r));
	r->res = res;
}

void vmm_decode_res_fini(struct vmm_decode_res *r)
{
	free(r->ranges);
	r->ranges = NULL;
	r->nranges = 0;
}

/* The virtio_gpu_mem_entry array after a request's fixed struct (5.7.6.8:
 * the entries follow in the same chain). */
static void add_entries(struct vmm_decode_res *r, const uint8_t *p,
			size_t len, size_t at, uint32_t n)
{
	const size_t esz = sizeof(struct virtio_gpu_mem_entry);

	for (uint32_t i = 0; i < n && at + esz <= len; i++, at += esz) {
		struct vmm_decode_range *g = realloc(r->ranges, (r->nranges + 1) *
						     sizeof(*g));
		if (!g)
			return;	/* fewer ranges: fewer records kept */
		r->ranges = g;
		g[r->nranges].addr = sim_capture_le64(p + at);
		g[r->nranges].len = sim_capture_le32(p + at + 8);
		r->nranges++;
	}
}

/* The le32 at @off of a request, or 0 when it is shorter. */
static uint32_t field32(const uint8_t *p, size_t len, size_t off)
{
	return off + 4 <= len ? sim_capture_le32(p + off) : 0;
}

static void track_scanout(struct vmm_decode_res *r, const uint8_t *p,
			  size_t len, size_t id_off, size_t res_off)
{
	uint32_t id = field32(p, len, id_off);

	if (id < VMM_DECODE_SCANOUTS && res_off + 4 <= len)
		r->scanout_res[id] = sim_capture_le32(p + res_off);
}

/* A request, in capture order: follow the resource's backing, mapping
 * and scanouts.  @named is the resource_id the request names (or 0). */
void vmm_decode_res_chain(struct vmm_decode_res *r, const uint8_t *p,
			  size_t len, uint32_t named)
{
	uint32_t type = field32(p, len, 0);

	if (type == VIRTIO_GPU_CMD_SET_SCANOUT)
		track_scanout(r, p, len,
			      offsetof(struct virtio_gpu_set_scanout, scanout_id),
			      offsetof(struct virtio_gpu_set_scanout, resource_id));
	else if (type == VIRTIO_GPU_CMD_SET_SCANOUT_BLOB)
		track_scanout(r, p, len,
			      offsetof(struct virtio_gpu_set_scanout_blob, scanout_id),
			      offsetof(struct virtio_gpu_set_scanout_blob, resource_id));
	if (named != r->res || !named)
		return;
	switch (type) {
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		add_entries(r, p, len, sizeof(struct virtio_gpu_resource_attach_backing),
			    field32(p, len, offsetof(struct virtio_gpu_resource_attach_backing,
						     nr_entries)));
		break;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB:
		if (len >= sizeof(struct virtio_gpu_resource_create_blob))
			r->blob_size = sim_capture_le64(p + offsetof(
				struct virtio_gpu_resource_create_blob, size));
		add_entries(r, p, len, sizeof(struct virtio_gpu_resource_create_blob),
			    field32(p, len, offsetof(struct virtio_gpu_resource_create_blob,
						     nr_entries)));
		break;
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
		vmm_decode_res_fini(r);
		if (type == VIRTIO_GPU_CMD_RESOURCE_UNREF)
			r->mapped = false;
		break;
	case VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB:
		if (len >= sizeof(struct virtio_gpu_resource_map_blob)) {
			r->mapped = true;
			r->map_offset = sim_capture_le64(p + offsetof(
				struct virtio_gpu_resource_map_blob, offset));
		}
		break;
	case VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB:
		r->mapped = false;
		break;
	}
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A GUEST_MEM (@host false) or HOST_MEM record: part of the resource's
 * backing, or of the window it is mapped at? */
bool vmm_decode_res_mem(const struct vmm_decode_res *r, bool host,
			uint64_t addr, uint32_t len)
{
	if (host)
		return r->mapped && overlaps(addr, len, r->map_offset,
					     r->blob_size);
	for (uint32_t i = 0; i < r->nranges; i++)
		if (overlaps(addr, len, r->ranges[i].addr, r->ranges[i].len))
			return true;
	return false;
}

/* A CHECKSUM record: a read-back of the resource, or a scanout showing it. */
bool vmm_decode_res_sum(const struct vmm_decode_res *r, uint32_t kind,
			uint32_t id)
{
	if (kind == SIM_CAPTURE_SUM_READBACK)
		return id == r->res;
	return id < VMM_DECODE_SCANOUTS && r->scanout_res[id] == r->res;
}
