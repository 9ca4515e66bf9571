// SPDX-License-Identifier: MIT
/*
 * The host-visible shared memory region as a sorted table of windows.
 * Blob mappings are few (one per mapped blob), so a sorted array with
 * binary search is both simple and fast enough.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/hostmem.h"
#include "sim/ram.h"

struct window {
	uint64_t offset, size;
	void *ptr;
};

struct sim_hostmem {
	pthread_mutex_t lock;	/* protects the table */
	uint64_t size;
	struct window *win;	/* sorted by offset, never overlapping */
	unsigned count, cap;
};

int sim_hostmem_create(uint64_t size, struct sim_hostmem **out)
{
	if (size == 0 || size % SIM_PAGE_SIZE)
		return -EINVAL;
	struct sim_hostmem *mem = calloc(1, sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	pthread_mutex_init(&mem->lock, NULL);
	mem->size = size;
	*out = mem;
	return 0;
}

void sim_hostmem_destroy(struct sim_hostmem *mem)
{
	if (!mem)
		return;
	pthread_mutex_destroy(&mem->lock);
	free(mem->win);
	free(mem);
}

uint64_t sim_hostmem_size(const struct sim_hostmem *mem)
{
	return mem->size;
}

/* Index of the first window whose end is above @offset. */
static unsigned lower_bound(const struct sim_hostmem *mem, uint64_t offset)
{
	unsigned lo = 0, hi = mem->count;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (mem->win[mid].offset + mem->win[mid].size <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does window @i, the lower bound of @offset, overlap [offset, offset +
 * size)?  (mem->lock) */
static bool overlaps(const struct sim_hostmem *mem, unsigned i,
		     uint64_t offset, uint64_t size)
{
	return i < mem->count && mem->win[i].offset < offset + size;
}

bool sim_hostmem_busy(struct sim_hostmem *mem, uint64_t offset,
		      uint64_t size, uint64_t *at, uint64_t *len)
{
	pthread_mutex_lock(&mem->lock);
	unsigned i = lower_bound(mem, offset);
	bool busy = overlaps(mem, i, offset, size);
	if (busy) {
		*at = mem->win[i].offset;
		*len = mem->win[i].size;
	}
	pthread_mutex_unlock(&mem->lock);
	return busy;
}

int sim_hostmem_map(struct sim_hostmem *mem, uint64_t offset, void *ptr,
		    uint64_t size)
{
	if (size == 0 || offset % SIM_PAGE_SIZE || size % SIM_PAGE_SIZE ||
	    offset > mem->size || size > mem->size - offset || !ptr)
		return -EINVAL;
	int ret = 0;
	pthread_mutex_lock(&mem->lock);
	unsigned i = lower_bound(mem, offset);
	if (overlaps(mem, i, offset, size)) {
		ret = -EBUSY;
		goto out;
	}
	if (mem->count == mem->cap) {
		unsigned ncap = mem->cap ? mem->cap * 2 : 16;
		struct window *n = realloc(mem->win, ncap * sizeof(*n));
		if (!n) {
			ret = -ENOMEM;
			goto out;
		}
		mem->win = n;
		mem->cap = ncap;
	}
	memmove(&mem->win[i + 1], &mem->win[i],
		(mem->count - i) * sizeof(*mem->win));
	mem->win[i] = (struct window){ offset, size, ptr };
	mem->count++;
out:
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

int sim_hostmem_unmap(struct sim_hostmem *mem, uint64_t offset)
{
	int ret = -ENOENT;
	pthread_mutex_lock(&mem->lock);
	unsigned i = lower_bound(mem, offset);
	if (i < mem->count && mem->win[i].offset == offset) {
		memmove(&mem->win[i], &mem->win[i + 1],
			(mem->count - i - 1) * sizeof(*mem->win));
		mem->count--;
		ret = 0;
	}
	pthread_mutex_unlock(&mem->lock);
	return ret;
}

void *sim_hostmem_translate(struct sim_hostmem *mem, uint64_t offset,
			    uint64_t len)
{
	void *ptr = NULL;
	if (len == 0 || offset > mem->size || len > mem->size - offset)
		return NULL;
	pthread_mutex_lock(&mem->lock);
	unsigned i = lower_bound(mem, offset);
	if (i < mem->count && mem->win[i].offset <= offset &&
	    offset + len <= mem->win[i].offset + mem->win[i].size)
		ptr = (char *)mem->win[i].ptr + (offset - mem->win[i].offset);
	pthread_mutex_unlock(&mem->lock);
	return ptr;
}

unsigned sim_hostmem_windows(struct sim_hostmem *mem)
{
	pthread_mutex_lock(&mem->lock);
	unsigned n = mem->count;
	pthread_mutex_unlock(&mem->lock);
	return n;
}
