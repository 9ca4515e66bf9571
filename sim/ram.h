/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one shared mapping addressed by guest-physical address (GPA),
 * a page allocator, and the GPA -> host translation the device uses.
 *
 * RAM is a memfd so that scattered guest pages can also be mapped at
 * consecutive host addresses (what a kernel's vmap/mmap of a GEM object does):
 * see sim_ram_map_pages().  The memfd is created sparse, so idle RAM costs
 * no resident memory.
 *
 * GPA 0 is never handed out: page 0 is reserved so that a zero address in a
 * descriptor or a mem entry is always an error the device can see.
 *
 * Thread safety: the allocator is locked internally; translation is
 * lock-free (RAM never moves or shrinks while it exists).
 */
#ifndef SIM_RAM_H
#define SIM_RAM_H

#include <stddef.h>
#include <stdint.h>

#define SIM_PAGE_SIZE 4096u
#define SIM_PAGE_SHIFT 12

/* Hand out pages in a random order instead of lowest-first, so that
 * consecutive allocations are not physically contiguous. */
#define SIM_RAM_SCATTER (1u << 0)

struct sim_ram;

/*
 * Create guest RAM of @size bytes (a multiple of SIM_PAGE_SIZE, at least
 * 2 pages).  @seed drives SIM_RAM_SCATTER so a run can be reproduced.
 * Returns 0 or -EINVAL / -ENOMEM / -errno of memfd_create, ftruncate, mmap.
 */
int sim_ram_create(uint64_t size, uint32_t flags, uint64_t seed,
		   struct sim_ram **out);
void sim_ram_destroy(struct sim_ram *ram);

uint64_t sim_ram_size(const struct sim_ram *ram);
/* Number of pages currently free (for leak checks in tests). */
uint64_t sim_ram_free_pages(struct sim_ram *ram);

/*
 * Translate [gpa, gpa + len) to a host pointer.  Returns NULL when the range
 * is empty, wraps, is not entirely inside RAM, or touches the reserved
 * page 0.  Never faults.
 */
void *sim_ram_translate(struct sim_ram *ram, uint64_t gpa, uint64_t len);

/* Copy to/from guest memory; -EFAULT when the range is outside RAM. */
int sim_ram_read(struct sim_ram *ram, uint64_t gpa, void *dst, size_t len);
int sim_ram_write(struct sim_ram *ram, uint64_t gpa, const void *src,
		  size_t len);

/*
 * Allocate @count single pages (not necessarily contiguous; scattered on
 * purpose with SIM_RAM_SCATTER) and store their GPAs in @gpas.  The pages
 * are zeroed.  All or nothing: -ENOMEM leaves nothing allocated.
 */
int sim_ram_alloc_pages(struct sim_ram *ram, uint64_t count, uint64_t *gpas);
void sim_ram_release_pages(struct sim_ram *ram, const uint64_t *gpas,
			   uint64_t count);

/*
 * Allocate @size bytes (rounded up to pages) of physically contiguous,
 * zeroed guest memory, as a kernel does for virtqueue rings and DMA buffers.
 */
int sim_ram_alloc_contig(struct sim_ram *ram, uint64_t size, uint64_t *gpa);
void sim_ram_release_contig(struct sim_ram *ram, uint64_t gpa, uint64_t size);

/*
 * Map the listed pages at consecutive host addresses (like vmap()).  The
 * mapping aliases guest RAM: writes through it are seen at the GPAs and the
 * other way round.  Returns 0 and *out, or -EFAULT for a GPA outside RAM or
 * not page aligned, -errno of mmap.  Undo with sim_ram_unmap_pages().
 */
int sim_ram_map_pages(struct sim_ram *ram, const uint64_t *gpas,
		      uint64_t count, void **out);
void sim_ram_unmap_pages(void *addr, uint64_t count);

#endif
