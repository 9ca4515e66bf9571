/* SPDX-License-Identifier: MIT */
/*
 * A virtio shared memory region (virtio 1.2 2.10 "Shared Memory Regions"),
 * used by virtio-gpu as the host-visible region (shmid 1,
 * VIRTIO_GPU_SHM_ID_HOST_VISIBLE): the device places blob mappings into it
 * at offsets the driver chose (RESOURCE_MAP_BLOB), and the driver maps
 * region offsets into guest address space.
 *
 * On a VM the region is a window of guest-physical address space backed by
 * host mappings; here it is a table of windows, each an (offset, size) of
 * the region mapped to host memory.  The driver reaches memory only through
 * sim_hostmem_translate(), the device only through map/unmap: exactly the
 * two views a VMM's memory map gives.
 *
 * Thread safety: internally locked.  A pointer returned by translate stays
 * valid until the window is unmapped; keeping the two apart (no unmap while
 * the guest still has the range mapped) is the driver's duty, as on a VM.
 */
#ifndef SIM_HOSTMEM_H
#define SIM_HOSTMEM_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_SHM_ID_HOST_VISIBLE 1

struct sim_hostmem;

/* @size: a page multiple. */
int sim_hostmem_create(uint64_t size, struct sim_hostmem **out);
void sim_hostmem_destroy(struct sim_hostmem *mem);
uint64_t sim_hostmem_size(const struct sim_hostmem *mem);

/*
 * Device side: make [offset, offset + size) of the region show @ptr.
 * -EINVAL: offset or size not page aligned, size 0, or past the region's
 * end (overflow-safe); -EBUSY: overlaps a window already mapped; -ENOMEM.
 */
int sim_hostmem_map(struct sim_hostmem *mem, uint64_t offset, void *ptr,
		    uint64_t size);
/* Does a mapped window overlap [offset, offset + size) (@size > 0, the
 * range inside the region)?  If so, its offset and size in @at, @len. */
bool sim_hostmem_busy(struct sim_hostmem *mem, uint64_t offset,
		      uint64_t size, uint64_t *at, uint64_t *len);
/* -ENOENT when no window starts at @offset. */
int sim_hostmem_unmap(struct sim_hostmem *mem, uint64_t offset);

/* Driver side: the host address of [offset, offset + len) when it lies
 * within one window, NULL otherwise. */
void *sim_hostmem_translate(struct sim_hostmem *mem, uint64_t offset,
			    uint64_t len);
/* Number of windows mapped (for leak checks). */
unsigned sim_hostmem_windows(struct sim_hostmem *mem);

#endif
