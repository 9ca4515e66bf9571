// SPDX-License-Identifier: MIT
/*
 * Blob resources: RESOURCE_CREATE_BLOB (virtio 1.2 5.7.6.8 "Device
 * Operation: controlq") and RESOURCE_MAP_BLOB / RESOURCE_UNMAP_BLOB
 * (5.7.6.9 "Device Operation: controlq (3d)"), which place a blob's
 * memory in the host-visible region (shmid 1, 5.7.5).
 *
 * The memory of a mapping is the renderer's (virgl_renderer_resource_map),
 * as in QEMU and crosvm: only HOST3D / HOST3D_GUEST blobs can be mapped.
 * A GUEST blob is guest pages already; the guest maps those itself (Linux
 * and kernelmock mmap a guest blob's shmem pages), and MAP_BLOB of one is
 * row M6 (docs/device-answers.md).
 * HOST3D / HOST3D_GUEST memory is placed at the window's own address
 * with virgl_renderer_resource_map_fixed where the virglrenderer has it
 * (1.3), else wherever virgl_renderer_resource_map puts it
 * (host/vr_map_*.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "sim/hostmem.h"
#include "sim/log.h"

#define BLOB_FLAGS (VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE |		\
		    VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE |		\
		    VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE)

static uint64_t page_round(uint64_t size)
{
	return (size + HOST_PAGE_SIZE - 1) & ~(uint64_t)(HOST_PAGE_SIZE - 1);
}

/*
 * The fields' rules, from 5.7.6.8 RESOURCE_CREATE_BLOB:
 *  - "blob_mem ... MUST be non-zero": GUEST, HOST3D or HOST3D_GUEST;
 *  - "blob_mem can only be VIRTIO_GPU_BLOB_MEM_HOST3D and
 *    VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST if VIRTIO_GPU_F_VIRGL is supported",
 *    and those are "created from the rendering context local object
 *    identified by the blob_id", so hdr.ctx_id must name a context;
 *  - guest memory entries belong to "default and guest-only blob
 *    resources": a HOST3D blob takes none;
 *  - blob_flags has three defined bits; a guest-only blob has no context
 *    object, so its blob_id is 0 (the Linux driver enforces the same);
 *  - the entries of a guest-only blob hold its memory, so they cover size.
 */
/*
 * virtio 1.4 5.7.6.8 (with VIRTIO_GPU_F_BLOB_ALIGNMENT): the driver MUST
 * align a RESOURCE_CREATE_BLOB size and a RESOURCE_MAP_BLOB offset to the
 * config field blob_alignment.  The spec names no answer for a driver
 * that does not; the device refuses the command as it refuses other
 * fields out of their rules, with ERR_INVALID_PARAMETER.
 */
static bool blob_aligned(struct host_cmd *cmd, const char *name,
			 const char *field, uint64_t value, uint32_t id)
{
	uint32_t align = cmd->dev->opts.blob_alignment;

	if (!host__feature(cmd->dev, SIM_GPU_F_BLOB_ALIGNMENT) ||
	    !host__bit5_is_blob_alignment(cmd->dev) || value % align == 0)
		return true;
	host__violation(cmd->dev, cmd, strcmp(field, "size")
			? HOST_RULE_MAP_OFFSET_ALIGN : HOST_RULE_BLOB_SIZE_ALIGN,
			"resource_id %u, %s %llu, blob_alignment %u", id, field,
			(unsigned long long)value, align);
	HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
		 "%s: resource %u: %s %llu is not a multiple of blob_alignment "
		 "%u (virtio 1.4 5.7.6.8)", name, id, field,
		 (unsigned long long)value, align);
	return false;
}

/* Rows BL1-BL8 (docs/device-answers.md): where QEMU's virgl device or
 * crosvm hand a field to virglrenderer, its refusal is their answer. */
static bool create_args_ok(struct host_cmd *cmd, const char *name,
			   const struct host_resource *res, uint32_t *nr)
{
	bool host3d = res->blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST;

	if (res->blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST &&
	    res->blob_mem != VIRTIO_GPU_BLOB_MEM_HOST3D &&
	    res->blob_mem != VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST) {
		if (res->blob_mem == 0)
			host__violation(cmd->dev, cmd, HOST_RULE_BLOB_MEM,
					"resource_id %u, blob_mem 0", res->id);
		HOST_FAIL(cmd, BL1, "%s: resource %u: blob_mem %u is not GUEST "
			  "(1), HOST3D (2) or HOST3D_GUEST (3)", name, res->id,
			  res->blob_mem);
		return false;
	}
	/* Row BL2: neither VMM looks at undefined bits, and virglrenderer
	 * tests only the defined ones (both versions; venus's exact
	 * comparison with USE_MAPPABLE for blob_id 0 then refuses, BL10). */
	if ((res->blob_flags & ~(uint32_t)BLOB_FLAGS) &&
	    HOST_FAIL(cmd, BL2, "%s: resource %u: blob_flags 0x%x has "
		      "undefined bits", name, res->id, res->blob_flags))
		return false;
	if (res->blob_size == 0) {
		HOST_FAIL(cmd, BL3, "%s: resource %u: size 0", name, res->id);
		return false;
	}
	if (res->blob_size > UINT64_MAX - HOST_PAGE_SIZE) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 "%s: resource %u: size %llu", name, res->id,
			 (unsigned long long)res->blob_size);
		return false;
	}
	if (!blob_aligned(cmd, name, "size", res->blob_size, res->id))
		return false;
	if (host3d && !host__feature(cmd->dev, VIRTIO_GPU_F_VIRGL)) {
		HOST_FAIL(cmd, BL5, "%s: resource %u: blob_mem %u needs "
			  "VIRTIO_GPU_F_VIRGL", name, res->id, res->blob_mem);
		return false;
	}
	if (host3d && !host_table_get(&cmd->dev->contexts, cmd->hdr.ctx_id)) {
		HOST_FAIL(cmd, BL6, "%s: resource %u: hdr.ctx_id %u does not "
			  "exist", name, res->id, cmd->hdr.ctx_id);
		return false;
	}
	/* Where not checked, QEMU and crosvm do not read the entries of a
	 * HOST3D blob, nor look at a guest blob's blob_id. */
	if (res->blob_mem == VIRTIO_GPU_BLOB_MEM_HOST3D && *nr) {
		if (HOST_FAIL(cmd, BL7, "%s: resource %u: nr_entries %u for a "
			      "host-only (HOST3D) blob", name, res->id, *nr))
			return false;
		*nr = 0;
	}
	return host3d || !res->blob_id ||
	       !HOST_FAIL(cmd, BL8, "%s: resource %u: blob_id %llu for a "
			  "guest-only blob (must be 0)", name, res->id,
			  (unsigned long long)res->blob_id);
}

void host_cmd_resource_create_blob(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_resource_create_blob req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	uint32_t id = le32toh(req.resource_id);
	uint32_t nr = le32toh(req.nr_entries);
	struct host_resource *res = host__resource_alloc(cmd, id, HOST_RES_BLOB,
							 name);
	if (!res)
		return;
	res->blob_mem = le32toh(req.blob_mem);
	res->blob_flags = le32toh(req.blob_flags);
	res->blob_id = le64toh(req.blob_id);
	res->blob_size = le64toh(req.size);
	if (!create_args_ok(cmd, name, res, &nr) ||
	    (nr && host__read_mem_entries(cmd, name, sizeof(req), nr, res)))
		goto err_free;
	if (nr && res->backing_len < res->blob_size) {
		HOST_FAIL(cmd, BL9, "%s: resource %u: the %u mem entries hold "
			  "%llu bytes, size is %llu", name, id, nr,
			  (unsigned long long)res->backing_len,
			  (unsigned long long)res->blob_size);
		goto err_free;
	}
	/* Row BL12: QEMU's virgl device and crosvm's virglrenderer mode
	 * hand a guest blob's entries to virglrenderer with the create, and
	 * it refuses entries that hold less than size; QEMU's 2D device and
	 * Rutabaga2D keep the blob, and so does the model where not checked:
	 * it reaches the renderer with its first ATTACH_BACKING.  Linux sends
	 * the entries in the same command (virtio_gpu_cmd_resource_create_blob). */
	if (res->blob_mem == VIRTIO_GPU_BLOB_MEM_GUEST && !nr) {
		if (HOST_FAIL(cmd, BL12, "%s: resource %u: guest blob of %llu "
			      "bytes with nr_entries 0", name, id,
			      (unsigned long long)res->blob_size))
			goto err_free;
		goto put;
	}
	/* Host blobs are the renderer's memory (guest blobs are guest
	 * pages): they count toward max_renderer_bytes. */
	if (res->blob_mem != VIRTIO_GPU_BLOB_MEM_GUEST &&
	    !host__charge_renderer(cmd, res, res->blob_size, name))
		goto err_free;
	int ret = host_vr_resource_create_blob(res, cmd->hdr.ctx_id);
	if (ret && res->blob_mem == VIRTIO_GPU_BLOB_MEM_GUEST) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_UNSPEC, "%s: resource %u "
			 "(guest blob, size %llu): the renderer refused: %s",
			 name, id, (unsigned long long)res->blob_size,
			 strerror(-ret));
		goto err_free;
	}
	if (ret) {
		/* For HOST3D the renderer looks blob_id up in the context:
		 * an unknown id is the guest's mistake (row BL10). */
		HOST_FAIL(cmd, BL10, "%s: resource %u (blob_mem %u blob_id %llu "
			  "size %llu, ctx %u): the renderer refused: %s", name,
			  id, res->blob_mem, (unsigned long long)res->blob_id,
			  (unsigned long long)res->blob_size, cmd->hdr.ctx_id,
			  strerror(-ret));
		goto err_free;
	}
	res->in_renderer = true;
put:
	if (host_table_put(&cmd->dev->resources, id, res)) {
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		host__destroy_resource(cmd->dev, res);
	}
	return;

err_free:
	cmd->dev->renderer_bytes -= res->renderer_bytes;
	free(res->iov);
	free(res->iov_gpa);
	free(res);
}

static int map_host(struct host_cmd *cmd, const char *name,
		    struct host_resource *res, uint64_t offset, uint64_t len,
		    void **ptr, uint32_t *map_info)
{
	uint64_t size;
	int ret = host__vr_map_window(cmd->dev, res, offset, len, ptr, &size,
				      map_info);
	if (ret) {
		/* Not the guest's fault: the blob was created mappable.
		 * 0.10.4 cannot map venus memory under the render server,
		 * nor HOST3D virgl textures (docs/architecture.md). */
		SIM_ERROR(HOST_LAYER, "%s: blob %u (blob_mem %u blob_id %llu): "
			  "the renderer cannot map it: %s", name, res->id,
			  res->blob_mem, (unsigned long long)res->blob_id,
			  strerror(-ret));
		cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		return ret;
	}
	/* The renderer reports the size of what it allocated, which the
	 * guest's blob rounds up to pages (Mesa's venus driver makes a
	 * 4096-byte blob for a 1024-byte VkDeviceMemory; virglrenderer 1.1
	 * maps 1024 bytes of it).  QEMU maps what the renderer reports
	 * (virtio_gpu_virgl_map_resource_blob); the mapping itself is
	 * page-granular, so only a shortfall of whole pages is an error. */
	if (page_round(size) < page_round(res->blob_size)) {
		SIM_ERROR(HOST_LAYER, "%s: blob %u: the renderer mapped %llu "
			  "bytes of a %llu-byte blob", name, res->id,
			  (unsigned long long)size,
			  (unsigned long long)res->blob_size);
		host__vr_unmap_window(cmd->dev, res);
		cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		return -ERANGE;
	}
	return 0;
}

/*
 * Rows M4 and M5: where the window [offset, offset + len) may go.  crosvm's
 * mapper refuses a window past the BAR (address_from_pci_offset), at an
 * offset KVM cannot take (not page aligned) or over another window (KVM's
 * memslot overlap check); QEMU places it anyway (memory_region_add_subregion),
 * which the model's page-granular region of disjoint windows cannot show
 * (docs/device-answers.md 5.1).  Checked before the renderer maps anything,
 * so that a window placed at its own address (vr_map_fixed.c) never lands
 * on a neighbour.  Where a personality would place the window anyway (no
 * table says so today), the model's own ERR_INVALID_PARAMETER answers:
 * its region cannot hold it.
 */
static bool window_ok(struct host_cmd *cmd, const char *name,
		      const struct host_resource *res, uint64_t offset,
		      uint64_t len)
{
	uint64_t size = sim_hostmem_size(cmd->dev->opts.hostmem);
	if (offset % HOST_PAGE_SIZE || offset > size || len > size - offset) {
		if (!HOST_FAIL(cmd, M4, "%s: offset 0x%llx for the %llu bytes "
			       "of blob %u is not page aligned or past the "
			       "0x%llx-byte region", name,
			       (unsigned long long)offset,
			       (unsigned long long)len, res->id,
			       (unsigned long long)size) && !cmd->error)
			cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
		return false;
	}
	uint64_t at, used;
	if (!sim_hostmem_busy(cmd->dev->opts.hostmem, offset, len, &at, &used))
		return true;
	if (!HOST_FAIL(cmd, M5, "%s: blob %u at offset 0x%llx (+0x%llx) "
		       "overlaps the window mapped at 0x%llx (+0x%llx)", name,
		       res->id, (unsigned long long)offset,
		       (unsigned long long)len, (unsigned long long)at,
		       (unsigned long long)used) && !cmd->error)
		cmd->error = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	return false;
}

/* Checks that need no mapping yet; false after setting cmd->error. */
static bool map_args_ok(struct host_cmd *cmd, const char *name,
			const struct host_resource *res, uint64_t offset,
			uint64_t len)
{
	struct sim_hostmem *region = cmd->dev->opts.hostmem;
	/* Rows M1, M1M, M2: virglrenderer's resource_map decides in QEMU
	 * and crosvm; it maps what the renderer can map (a persistent
	 * buffer), whatever the blob's flags, and nothing twice. */
	if (res->kind != HOST_RES_BLOB) {
		HOST_FAIL(cmd, M1, "%s: resource %u is not a blob", name,
			  res->id);
		return false;
	}
	bool guest = res->blob_mem == VIRTIO_GPU_BLOB_MEM_GUEST;
	if (!(res->blob_flags & VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE)) {
		host__violation(cmd->dev, cmd, HOST_RULE_BLOB_FLAGS,
				"resource_id %u, blob_flags 0x%x without "
				"USE_MAPPABLE", res->id, res->blob_flags);
		if (!guest && HOST_FAIL(cmd, M1M, "%s: blob %u was created "
					"without BLOB_FLAG_USE_MAPPABLE", name,
					res->id))
			return false;
	}
	/* Row M6: 5.7.6.9 maps "a host-only blob resource".  QEMU's 2D
	 * device has no MAP_BLOB; its virgl device and crosvm ask
	 * virglrenderer, which has nothing to map for a resource made of
	 * iovecs (virgl_renderer_resource_map: no pipe resource, no fd).
	 * No personality maps one: there is no path here that could. */
	if (guest) {
		HOST_FAIL(cmd, M6, "%s: blob %u is a GUEST blob (blob_mem 1): "
			  "the renderer has no memory of it to map", name,
			  res->id);
		if (!cmd->error)
			cmd->error = VIRTIO_GPU_RESP_ERR_UNSPEC;
		return false;
	}
	/* "The driver MUST not map a blob resource that is already
	 * mapped." */
	if (res->mapped) {
		host__violation(cmd->dev, cmd, HOST_RULE_MAP_TWICE,
				"resource_id %u, mapped at 0x%llx", res->id,
				(unsigned long long)res->map_offset);
		HOST_FAIL(cmd, M2, "%s: blob %u is already mapped at 0x%llx",
			  name, res->id, (unsigned long long)res->map_offset);
		return false;
	}
	/* Support needs "the presence of the host visible memory region". */
	if (!region) {
		HOST_BAD(cmd, VIRTIO_GPU_RESP_ERR_UNSPEC,
			 "%s: this device has no host-visible memory region",
			 name);
		return false;
	}
	if (!blob_aligned(cmd, name, "offset", offset, res->id))
		return false;
	if (!window_ok(cmd, name, res, offset, len))
		return false;
	/* hostmem= (host/inject.c): the host cannot back the window. */
	if (!host__inject_hostmem_ok(cmd->dev, offset, len)) {
		cmd->error = VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
		return false;
	}
	return true;
}

/*
 * 5.7.6.9 RESOURCE_MAP_BLOB "maps a host-only blob resource into an
 * offset in the host visible memory region"; the answer's map_info is
 * the cache type (VIRTIO_GPU_MAP_CACHE_*).  The window is the blob's
 * size rounded up to pages and must not overlap another.
 */
void host_cmd_resource_map_blob(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_resource_map_blob req;
	if (host__read_cmd(cmd, &req, sizeof(req), name))
		return;
	uint64_t offset = le64toh(req.offset);
	struct host_resource *res = host__find_resource(
		cmd, le32toh(req.resource_id), name);
	if (!res)
		return;
	uint64_t len = page_round(res->blob_size);
	if (!map_args_ok(cmd, name, res, offset, len))
		return;
	uint32_t map_info = VIRTIO_GPU_MAP_CACHE_CACHED;
	void *ptr;
	if (map_host(cmd, name, res, offset, len, &ptr, &map_info))
		return;
	int ret = sim_hostmem_map(cmd->dev->opts.hostmem, offset, ptr, len);
	if (ret) {
		host__vr_unmap_window(cmd->dev, res);
		HOST_BAD(cmd, ret == -ENOMEM ? VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY
			 : VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			 "%s: blob %u at offset 0x%llx (+0x%llx): %s", name,
			 res->id, (unsigned long long)offset,
			 (unsigned long long)len, strerror(-ret));
		return;
	}
	res->mapped = true;
	res->map_offset = offset;
	res->map_len = len;
	res->map_ptr = ptr;
	struct virtio_gpu_resp_map_info resp = {
		.hdr.type = htole32(VIRTIO_GPU_RESP_OK_MAP_INFO),
		.map_info = htole32(map_info & VIRTIO_GPU_MAP_CACHE_MASK),
	};
	host__reply(cmd, &resp, sizeof(resp));
}

void host__blob_unmap(struct host_device *dev, struct host_resource *res)
{
	int ret = sim_hostmem_unmap(dev->opts.hostmem, res->map_offset);
	if (ret)
		SIM_ERROR(HOST_LAYER, "blob %u: no window at 0x%llx: %s", res->id,
			  (unsigned long long)res->map_offset, strerror(-ret));
	host__vr_unmap_window(dev, res);
	res->mapped = false;
	res->map_ptr = NULL;
	res->map_offset = res->map_len = 0;
}

/* 5.7.6.9 RESOURCE_UNMAP_BLOB. */
void host_cmd_resource_unmap_blob(struct host_cmd *cmd)
{
	const char *name = sim_gpu_cmd_name(cmd->hdr.type);
	struct virtio_gpu_resource_unmap_blob req;
	struct host_resource *res = host__read_resource_cmd(cmd, &req,
							    sizeof(req), name);
	if (!res)
		return;
	if (!res->mapped) {
		HOST_FAIL(cmd, U1, "%s: resource %u is not mapped", name,
			  res->id);
		return;
	}
	host__blob_unmap(cmd->dev, res);
}
