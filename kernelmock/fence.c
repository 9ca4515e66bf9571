// SPDX-License-Identifier: MIT
/*
 * Fences (Linux virtgpu_fence.c's role).  A fence gets its id when its
 * command is queued; the device answers the command carrying it, and the
 * driver then signals that fence and every earlier fence of the same
 * timeline (Linux virtio_gpu_fence_event_process; virtio 1.2 5.7.6.7).
 *
 * Fence fds stand in for sync_file: an eventfd that becomes readable (and
 * stays readable) once the fence has signalled, so poll(2) works on it.
 * We keep our own dup of the eventfd, so a program closing its fd early
 * can never make us write into an unrelated, reused fd number.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"

struct km_fence *km__fence_alloc(uint64_t timeline, uint32_t ring_idx,
				 bool emit_ring_info)
{
	struct km_fence *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->refcount = 1;
	f->timeline = timeline;
	f->ring_idx = ring_idx;
	f->emit_ring_info = emit_ring_info;
	return f;
}

void km__fence_get(struct km_fence *f)
{
	f->refcount++;
}

void km__fence_put(struct km_fence *f)
{
	if (!f || --f->refcount)
		return;
	for (unsigned i = 0; i < f->nfds; i++)
		close(f->fds[i]);
	free(f->fds);
	free(f);
}

void km__fence_emit_locked(struct km_device *dev, struct km_fence *f)
{
	f->id = ++dev->fence_seq;
	km__fence_get(f);	/* the pending list's reference */
	f->next_pending = dev->fence_pending;
	dev->fence_pending = f;
	SIM_DEBUG(SIM_DEBUG_FENCE, KM_LAYER, "emit fence %llu timeline %llu",
		  (unsigned long long)f->id, (unsigned long long)f->timeline);
}

static void signal_locked(struct km_fence *f)
{
	static const uint64_t one = 1;
	f->signaled = true;
	for (unsigned i = 0; i < f->nfds; i++) {
		if (write(f->fds[i], &one, sizeof(one)) != sizeof(one))
			SIM_ERROR(KM_LAYER, "eventfd write failed for fence %llu",
				  (unsigned long long)f->id);
		close(f->fds[i]);
	}
	free(f->fds);
	f->fds = NULL;
	f->nfds = 0;
}

void km__fence_process_locked(struct km_device *dev, uint64_t fence_id)
{
	struct km_fence *match = NULL;
	for (struct km_fence *f = dev->fence_pending; f; f = f->next_pending)
		if (f->id == fence_id)
			match = f;
	if (!match) {
		SIM_DEBUG(SIM_DEBUG_FENCE, KM_LAYER, "answer for unknown or "
			  "already signalled fence %llu",
			  (unsigned long long)fence_id);
		return;
	}
	uint64_t timeline = match->timeline;
	struct km_fence **link = &dev->fence_pending;
	while (*link) {
		struct km_fence *f = *link;
		if (f->timeline == timeline && f->id <= fence_id) {
			*link = f->next_pending;
			SIM_DEBUG(SIM_DEBUG_FENCE, KM_LAYER, "signal fence %llu",
				  (unsigned long long)f->id);
			signal_locked(f);
			km__fence_put(f);
			continue;
		}
		link = &f->next_pending;
	}
}

int km__fence_fd_create_locked(struct km_fence *f)
{
	int fd = eventfd(0, EFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (f->signaled) {
		uint64_t one = 1;
		if (write(fd, &one, sizeof(one)) != sizeof(one)) {
			close(fd);
			return -EIO;
		}
		return fd;
	}
	int ours = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (ours < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	int *fds = realloc(f->fds, (f->nfds + 1) * sizeof(*fds));
	if (!fds) {
		close(ours);
		close(fd);
		return -ENOMEM;
	}
	f->fds = fds;
	f->fds[f->nfds++] = ours;
	return fd;
}

int km__fence_wait_locked(struct km_device *dev, struct km_fence *f,
			  int timeout_ms)
{
	int64_t deadline = km__deadline(timeout_ms);
	while (!f->signaled)
		if (km__cond_timedwait_locked(dev, deadline))
			return -ETIME;
	return 0;
}
