// SPDX-License-Identifier: MIT
/*
 * A HOST3D blob's window, virglrenderer 1.3 and later (meson picks this
 * file when the library has virgl_renderer_resource_map_fixed): the
 * host-visible region is one reserved address range, as a VMM's is (a
 * PROT_NONE reservation the size of the region, made on the first map),
 * and the renderer maps each blob straight into its window there
 * ("Map a resource to an specific userspace address", virglrenderer.h).
 * The mapping is then ours: RESOURCE_UNMAP_BLOB puts the reservation back
 * over it (an anonymous PROT_NONE map, MAP_FIXED), which is how the header
 * says to end it; virgl_renderer_resource_unmap does not know it.
 *
 * Blobs the renderer cannot map that way (-EOPNOTSUPP: virgl's GL buffers,
 * which have no fd) are mapped the ordinary way, as vr_map_plain.c does.
 * The renderer maps its own allocation size (which may be below the blob's,
 * host/blob.c); one that would spill over the window is mapped the
 * ordinary way too, so a window never covers its neighbour.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <virglrenderer.h>

#include "host/internal.h"
#include "sim/hostmem.h"
#include "sim/log.h"

static char *region(struct host_device *dev)
{
	if (dev->region_base)
		return dev->region_base;
	uint64_t size = sim_hostmem_size(dev->opts.hostmem);
	void *p = mmap(NULL, size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		SIM_ERROR(HOST_LAYER, "reserving %llu bytes of address space "
			  "for the host-visible region: %s; blobs are mapped "
			  "where the renderer puts them",
			  (unsigned long long)size, strerror(errno));
		return NULL;
	}
	dev->region_base = p;
	return p;
}

/* Put the reservation back over [@at, @at + @len). */
static void restore(char *at, uint64_t len)
{
	if (mmap(at, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		SIM_ERROR(HOST_LAYER, "restoring the host-visible region at "
			  "%p (+0x%llx): %s", (void *)at,
			  (unsigned long long)len, strerror(errno));
}

int host__vr_map_window(struct host_device *dev, struct host_resource *res,
			uint64_t offset, uint64_t len, void **ptr,
			uint64_t *size, uint32_t *map_info)
{
	/* The ordinary map tells the cache type and the size the renderer
	 * maps, before anything is placed in the window. */
	int ret = host_vr_map(res->id, ptr, size, map_info);
	if (ret)
		return ret;
	uint64_t need = (*size + HOST_PAGE_SIZE - 1) &
			~(uint64_t)(HOST_PAGE_SIZE - 1);
	char *base = need <= len ? region(dev) : NULL;
	if (!base)
		return 0;
	host_vr_unmap(res->id);
	ret = virgl_renderer_resource_map_fixed(res->id, base + offset);
	if (ret == 0) {
		*ptr = base + offset;
		/* blob.c keeps these too once the window is in the table;
		 * its error paths unmap before that. */
		res->map_offset = offset;
		res->map_len = len;
		res->map_fixed = true;
		__atomic_fetch_add(&dev->fixed_maps, 1, __ATOMIC_RELAXED);
		return 0;
	}
	SIM_DEBUG(SIM_DEBUG_RENDERER, HOST_LAYER,
		  "resource_map_fixed(%u): %d, mapping it the ordinary way",
		  res->id, ret);
	if (ret != -EOPNOTSUPP)
		restore(base + offset, len);
	return host_vr_map(res->id, ptr, size, map_info);
}

void host__vr_unmap_window(struct host_device *dev, struct host_resource *res)
{
	if (!res->map_fixed) {
		host_vr_unmap(res->id);
		return;
	}
	restore((char *)dev->region_base + res->map_offset, res->map_len);
	res->map_fixed = false;
}

void host__vr_region_release(struct host_device *dev)
{
	if (!dev->region_base)
		return;
	munmap(dev->region_base, sim_hostmem_size(dev->opts.hostmem));
	dev->region_base = NULL;
}

int64_t host_device_fixed_maps(struct host_device *dev)
{
	return (int64_t)__atomic_load_n(&dev->fixed_maps, __ATOMIC_RELAXED);
}
