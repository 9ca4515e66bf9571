/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM (sim/ram.h): a sparse memfd mapped once for the device's view,
 * a bitmap page allocator, and vmap-style aliases of scattered pages.
 */
#include "sim/ram.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/log.h"

#define BITS_PER_WORD 64u

struct sim_ram {
	/* Immutable after sim_ram_create(): translation reads them without
	 * the lock. */
	uint64_t size;
	uint64_t npages;
	uint32_t flags;
	int fd;
	uint8_t *base;

	pthread_mutex_t lock;	/* protects used, nfree, rng */
	uint64_t *used;		/* one bit per page, set = allocated */
	uint64_t nfree;
	uint64_t rng;		/* splitmix64 state for SIM_RAM_SCATTER */
};

static bool page_used(const struct sim_ram *ram, uint64_t pfn)
{
	return (ram->used[pfn / BITS_PER_WORD] >> (pfn % BITS_PER_WORD)) & 1;
}

static void page_set(struct sim_ram *ram, uint64_t pfn, bool in_use)
{
	uint64_t bit = UINT64_C(1) << (pfn % BITS_PER_WORD);

	if (in_use)
		ram->used[pfn / BITS_PER_WORD] |= bit;
	else
		ram->used[pfn / BITS_PER_WORD] &= ~bit;
}

/* splitmix64: tiny, any seed (including 0) is fine, and the sequence only
 * depends on the seed, so a scattered run can be replayed. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* First free page at or after @from, wrapping around; the caller knows one
 * exists (nfree > 0).  Skips whole words of used pages. */
static uint64_t find_free_from_locked(const struct sim_ram *ram, uint64_t from)
{
	uint64_t pfn = from;

	for (;;) {
		uint64_t word = ram->used[pfn / BITS_PER_WORD];

		if (word == UINT64_MAX) {
			pfn = (pfn / BITS_PER_WORD + 1) * BITS_PER_WORD;
		} else {
			if (!page_used(ram, pfn))
				return pfn;
			pfn++;
		}
		if (pfn >= ram->npages)
			pfn = 1;
	}
}

/* Contiguous ranges up to this size are zeroed in place, not punched. */
#define ZERO_IN_PLACE_MAX (64u * 1024u)

/* Drop the contents of [gpa, gpa + len): the pages read back as zeroes and
 * stop costing resident memory.  memset is the fallback for a kernel
 * without hole punching on shmem. */
static void zero_range(struct sim_ram *ram, uint64_t gpa, uint64_t len)
{
	if (fallocate(ram->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)gpa, (off_t)len) != 0)
		memset(ram->base + gpa, 0, len);
}

/*
 * Zero a contiguous allocation.  Small ones are the kernel's command
 * buffers, allocated and released for every command: punching those cost
 * two fallocate(2) calls and a page fault on the next write per command
 * (docs/performance.md), while the few pages they cycle through stay
 * resident anyway, so they are cleared in place.  Pages of objects
 * (sim_ram_alloc_pages) are still punched: they may never be touched.
 */
static void zero_contig(struct sim_ram *ram, uint64_t gpa, uint64_t len)
{
	if (len <= ZERO_IN_PLACE_MAX)
		memset(ram->base + gpa, 0, len);
	else
		zero_range(ram, gpa, len);
}

/* Zero a list of pages, one call per physically consecutive run. */
static void zero_pages(struct sim_ram *ram, const uint64_t *gpas,
		       uint64_t count)
{
	uint64_t i = 0;

	while (i < count) {
		uint64_t run = 1;

		while (i + run < count &&
		       gpas[i + run] == gpas[i] + run * SIM_PAGE_SIZE)
			run++;
		zero_range(ram, gpas[i], run * SIM_PAGE_SIZE);
		i += run;
	}
}

int sim_ram_create(uint64_t size, uint32_t flags, uint64_t seed,
		   struct sim_ram **out)
{
	struct sim_ram *ram;
	uint64_t words;
	int ret;

	if (size % SIM_PAGE_SIZE || size < 2 * SIM_PAGE_SIZE ||
	    size > SIZE_MAX || size > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (flags & ~SIM_RAM_SCATTER)
		return -EINVAL;

	ram = calloc(1, sizeof(*ram));
	if (!ram)
		return -ENOMEM;
	ram->size = size;
	ram->npages = size / SIM_PAGE_SIZE;
	ram->flags = flags;
	ram->rng = seed;
	words = (ram->npages + BITS_PER_WORD - 1) / BITS_PER_WORD;
	ram->used = calloc(words, sizeof(*ram->used));
	if (!ram->used) {
		ret = -ENOMEM;
		goto err_free_ram;
	}
	/* Bits past the last page count as used so that word-at-a-time
	 * scans never hand them out. */
	for (uint64_t pfn = ram->npages; pfn < words * BITS_PER_WORD; pfn++)
		page_set(ram, pfn, true);
	/* Page 0 is reserved so that GPA 0 always faults (sim/ram.h). */
	page_set(ram, 0, true);
	ram->nfree = ram->npages - 1;

	ram->fd = memfd_create("virtgpu-sim-ram", MFD_CLOEXEC);
	if (ram->fd < 0) {
		ret = -errno;
		goto err_free_used;
	}
	/* ftruncate on a memfd allocates nothing: RAM stays sparse until
	 * touched. */
	if (ftruncate(ram->fd, (off_t)size) != 0) {
		ret = -errno;
		goto err_close;
	}
	ram->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_NORESERVE, ram->fd, 0);
	if (ram->base == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	ret = pthread_mutex_init(&ram->lock, NULL);
	if (ret) {
		ret = -ret;
		goto err_unmap;
	}
	*out = ram;
	return 0;

err_unmap:
	munmap(ram->base, size);
err_close:
	close(ram->fd);
err_free_used:
	free(ram->used);
err_free_ram:
	free(ram);
	return ret;
}

void sim_ram_destroy(struct sim_ram *ram)
{
	if (!ram)
		return;
	pthread_mutex_destroy(&ram->lock);
	munmap(ram->base, ram->size);
	close(ram->fd);
	free(ram->used);
	free(ram);
}

uint64_t sim_ram_size(const struct sim_ram *ram)
{
	return ram->size;
}

uint64_t sim_ram_free_pages(struct sim_ram *ram)
{
	uint64_t n;

	pthread_mutex_lock(&ram->lock);
	n = ram->nfree;
	pthread_mutex_unlock(&ram->lock);
	return n;
}

void *sim_ram_translate(struct sim_ram *ram, uint64_t gpa, uint64_t len)
{
	/* Written so that no sum can wrap: gpa < size first, then compare
	 * len against the room left. */
	if (len == 0 || gpa >= ram->size || len > ram->size - gpa)
		return NULL;
	/* The reserved page never holds anything a guest could have put
	 * there, so touching it is always the guest's mistake. */
	if (gpa < SIM_PAGE_SIZE)
		return NULL;
	return ram->base + gpa;
}

int sim_ram_read(struct sim_ram *ram, uint64_t gpa, void *dst, size_t len)
{
	const void *src = sim_ram_translate(ram, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int sim_ram_write(struct sim_ram *ram, uint64_t gpa, const void *src,
		  size_t len)
{
	void *dst = sim_ram_translate(ram, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int sim_ram_alloc_pages(struct sim_ram *ram, uint64_t count, uint64_t *gpas)
{
	uint64_t next = 1;

	if (count == 0)
		return 0;
	pthread_mutex_lock(&ram->lock);
	/* Checked up front so that the loop below cannot fail half way:
	 * the all-or-nothing promise of sim/ram.h. */
	if (count > ram->nfree) {
		pthread_mutex_unlock(&ram->lock);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < count; i++) {
		uint64_t from = next, pfn;

		if (ram->flags & SIM_RAM_SCATTER)
			from = 1 + rng_next(&ram->rng) % (ram->npages - 1);
		pfn = find_free_from_locked(ram, from);
		page_set(ram, pfn, true);
		gpas[i] = pfn * SIM_PAGE_SIZE;
		next = pfn + 1 < ram->npages ? pfn + 1 : 1;
	}
	ram->nfree -= count;
	pthread_mutex_unlock(&ram->lock);

	/* The pages are ours now; zero them without holding the lock. */
	zero_pages(ram, gpas, count);
	return 0;
}

/* Validate a page-aligned range of allocated pages before releasing it;
 * a bad release is a simulator bug, reported and ignored. */
static bool release_ok_locked(struct sim_ram *ram, uint64_t gpa,
			      uint64_t npages, const char *func)
{
	uint64_t pfn = gpa / SIM_PAGE_SIZE;

	if (gpa % SIM_PAGE_SIZE || pfn == 0 || pfn >= ram->npages ||
	    npages > ram->npages - pfn) {
		sim_log_error("ram", func, "bad release of 0x%llx (+%llu pages)",
			      (unsigned long long)gpa,
			      (unsigned long long)npages);
		return false;
	}
	for (uint64_t i = 0; i < npages; i++) {
		if (!page_used(ram, pfn + i)) {
			sim_log_error("ram", func, "page 0x%llx is not allocated",
				      (unsigned long long)(gpa +
							   i * SIM_PAGE_SIZE));
			return false;
		}
	}
	return true;
}

void sim_ram_release_pages(struct sim_ram *ram, const uint64_t *gpas,
			   uint64_t count)
{
	uint64_t i = 0;

	/* Punch before the pages go back on the free list, while nobody
	 * else can be handed them; one punch per physically consecutive
	 * run.  A run's bits are cleared before the next entry is checked,
	 * so a GPA listed twice is caught as a double release. */
	pthread_mutex_lock(&ram->lock);
	while (i < count) {
		uint64_t pfn = gpas[i] / SIM_PAGE_SIZE, run = 1;

		if (!release_ok_locked(ram, gpas[i], 1, __func__)) {
			i++;
			continue;
		}
		/* Extend over following entries that are the next pages and
		 * allocated; anything else starts a new round. */
		while (i + run < count &&
		       gpas[i + run] == gpas[i] + run * SIM_PAGE_SIZE &&
		       pfn + run < ram->npages && page_used(ram, pfn + run))
			run++;
		zero_range(ram, gpas[i], run * SIM_PAGE_SIZE);
		for (uint64_t k = 0; k < run; k++)
			page_set(ram, gpas[i] / SIM_PAGE_SIZE + k, false);
		ram->nfree += run;
		i += run;
	}
	pthread_mutex_unlock(&ram->lock);
}

int sim_ram_alloc_contig(struct sim_ram *ram, uint64_t size, uint64_t *gpa)
{
	uint64_t npages, run = 0, start = 0;

	if (size == 0)
		return -EINVAL;
	if (size > ram->size)
		return -ENOMEM;
	npages = (size + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;

	pthread_mutex_lock(&ram->lock);
	if (npages > ram->nfree)
		goto nomem;
	/* First fit over the bitmap, a word at a time where it is full. */
	for (uint64_t pfn = 1; pfn < ram->npages; pfn++) {
		if (pfn % BITS_PER_WORD == 0 &&
		    ram->used[pfn / BITS_PER_WORD] == UINT64_MAX) {
			pfn += BITS_PER_WORD - 1;
			run = 0;
			continue;
		}
		if (page_used(ram, pfn)) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			start = pfn;
		if (run == npages)
			break;
	}
	if (run < npages)
		goto nomem;
	for (uint64_t i = 0; i < npages; i++)
		page_set(ram, start + i, true);
	ram->nfree -= npages;
	pthread_mutex_unlock(&ram->lock);

	zero_contig(ram, start * SIM_PAGE_SIZE, npages * SIM_PAGE_SIZE);
	*gpa = start * SIM_PAGE_SIZE;
	return 0;

nomem:
	pthread_mutex_unlock(&ram->lock);
	return -ENOMEM;
}

void sim_ram_release_contig(struct sim_ram *ram, uint64_t gpa, uint64_t size)
{
	uint64_t npages;

	if (size == 0 || size > ram->size) {
		sim_log_error("ram", __func__, "bad size %llu",
			      (unsigned long long)size);
		return;
	}
	npages = (size + SIM_PAGE_SIZE - 1) / SIM_PAGE_SIZE;
	pthread_mutex_lock(&ram->lock);
	if (release_ok_locked(ram, gpa, npages, __func__)) {
		zero_contig(ram, gpa, npages * SIM_PAGE_SIZE);
		for (uint64_t i = 0; i < npages; i++)
			page_set(ram, gpa / SIM_PAGE_SIZE + i, false);
		ram->nfree += npages;
	}
	pthread_mutex_unlock(&ram->lock);
}

int sim_ram_map_pages(struct sim_ram *ram, const uint64_t *gpas,
		      uint64_t count, void **out)
{
	uint8_t *addr;
	uint64_t i = 0;
	int ret;

	if (count == 0 || count > ram->npages)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (gpas[i] % SIM_PAGE_SIZE ||
		    !sim_ram_translate(ram, gpas[i], SIM_PAGE_SIZE))
			return -EFAULT;
	}

	/* Reserve the whole window first so that the per-run MAP_FIXED
	 * mappings below can only ever replace our own reservation. */
	addr = mmap(NULL, count * SIM_PAGE_SIZE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (addr == MAP_FAILED)
		return -errno;

	i = 0;
	while (i < count) {
		uint64_t run = 1;
		void *p;

		while (i + run < count &&
		       gpas[i + run] == gpas[i] + run * SIM_PAGE_SIZE)
			run++;
		p = mmap(addr + i * SIM_PAGE_SIZE, run * SIM_PAGE_SIZE,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 ram->fd, (off_t)gpas[i]);
		if (p == MAP_FAILED) {
			ret = -errno;
			munmap(addr, count * SIM_PAGE_SIZE);
			return ret;
		}
		i += run;
	}
	*out = addr;
	return 0;
}

void sim_ram_unmap_pages(void *addr, uint64_t count)
{
	if (addr && count)
		munmap(addr, count * SIM_PAGE_SIZE);
}
