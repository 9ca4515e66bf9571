// SPDX-License-Identifier: MIT
/*
 * Fences (Linux virtgpu_fence.c's role) and sync_file fds.
 *
 * A fence gets its id when its command is queued; the device answers the
 * command carrying it, and the driver then signals that fence and every
 * earlier fence of the same timeline (Linux virtio_gpu_fence_event_process;
 * virtio 1.2 5.7.6.8).
 *
 * A sync_file fd is one end of a socket pair; we keep the other and send
 * one byte once every fence of the sync_file has signalled, so poll(2)
 * reports POLLIN and stays that way.  (An eventfd per sync_file would
 * cost fewer system calls, but all eventfds share one inode, so a fd
 * handed back could not be told from the program's own.)  The socket's inode identifies the fd
 * when a program hands it back (FENCE_FD_IN, SYNC_IOC_MERGE): a socket,
 * unlike an eventfd, has an inode of its own.  When the program has closed
 * its end (ours polls POLLHUP), the sync_file is released.  A socket rather
 * than a pipe because send(MSG_NOSIGNAL) cannot raise SIGPIPE in the
 * program when it closed its end first.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

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

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void signal_locked(struct km_fence *f)
{
	f->signaled = true;
	f->signal_ns = now_ns();
	if (f->event_file)
		km__event_queue_locked(f->event_file,
				       VIRTGPU_EVENT_FENCE_SIGNALED);
	f->event_file = NULL;
}

static void sync_files_signal_locked(struct km_device *dev);

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
	sync_files_signal_locked(dev);
}

void km__fence_forget_file_locked(struct km_device *dev, struct km_file *file)
{
	for (struct km_fence *f = dev->fence_pending; f; f = f->next_pending)
		if (f->event_file == file)
			f->event_file = NULL;
}

int km__fence_wait_locked(struct km_device *dev, struct km_fence *f,
			  int timeout_ms)
{
	int64_t deadline = km__deadline(timeout_ms);
	if (!f->signaled)
		km__note_guest_wait(dev);
	while (!f->signaled)
		if (km__cond_timedwait_locked(dev, deadline))
			return -ETIME;
	return 0;
}

/* --- sync_file --- */

static void sync_file_free(struct km_sync_file *sf)
{
	for (unsigned i = 0; i < sf->nfences; i++)
		km__fence_put(sf->fences[i]);
	free(sf->fences);
	if (sf->wfd >= 0)
		close(sf->wfd);
	free(sf);
}

static bool all_signaled(const struct km_sync_file *sf)
{
	for (unsigned i = 0; i < sf->nfences; i++)
		if (!sf->fences[i]->signaled)
			return false;
	return true;
}

static void send_signal_byte(struct km_sync_file *sf)
{
	static const char one = 1;
	if (send(sf->wfd, &one, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
		SIM_DEBUG(SIM_DEBUG_FENCE, KM_LAYER,
			  "sync_file holder already closed it");
}

static void signal_if_done(struct km_sync_file *sf)
{
	if (!sf->signaled && all_signaled(sf)) {
		sf->signaled = true;
		sf->signal_ns = now_ns();
		send_signal_byte(sf);
	}
}

/*
 * After fences signalled: signal the sync_files they complete.  Closed
 * ones are not looked for here: that costs a poll(2) per live sync_file
 * on every answered fence (docs/performance.md), and collecting them when
 * the next one is made (km__sync_files_update_locked) frees them soon
 * enough.
 */
static void sync_files_signal_locked(struct km_device *dev)
{
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next)
		signal_if_done(sf);
}

/*
 * Closed sync_files are collected in batches, with one poll(2) over the
 * ends we keep (each reports POLLHUP once the program closed every copy
 * of its end), when KM_SYNC_FILES_COLLECT of them exist: a frame makes
 * one sync_file and closes it, and a poll per creation was a system call
 * per fenced submit (docs/performance.md).  At most that many ends stay
 * open meanwhile.
 */
#define KM_SYNC_FILES_COLLECT 8

static void sync_files_collect_locked(struct km_device *dev, unsigned n)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	if (!p)
		return;		/* collected next time */
	unsigned i = 0;
	for (struct km_sync_file *sf = dev->sync_files; sf && i < n;
	     sf = sf->next)
		p[i++] = (struct pollfd){ .fd = sf->wfd, .events = 0 };
	if (poll(p, i, 0) <= 0) {
		free(p);
		return;
	}
	struct km_sync_file **link = &dev->sync_files;
	for (unsigned k = 0; *link && k < i; k++) {
		struct km_sync_file *sf = *link;
		if (p[k].revents & (POLLHUP | POLLERR)) {
			*link = sf->next;
			sync_file_free(sf);
			continue;
		}
		link = &sf->next;
	}
	free(p);
}

/* Signal sync_files whose fences have all signalled; release those the
 * program no longer holds (in batches). */
void km__sync_files_update_locked(struct km_device *dev)
{
	unsigned n = 0;
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next) {
		signal_if_done(sf);
		n++;
	}
	if (n >= KM_SYNC_FILES_COLLECT)
		sync_files_collect_locked(dev, n);
}

int km__sync_file_create_locked(struct km_device *dev, struct km_fence **f,
				unsigned nf, const char *name)
{
	km__sync_files_update_locked(dev);	/* also collects closed ones */
	struct km_sync_file *sf = calloc(1, sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	sf->wfd = -1;
	sf->fences = calloc(nf ? nf : 1, sizeof(*sf->fences));
	if (!sf->fences) {
		free(sf);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < nf; i++) {
		km__fence_get(f[i]);
		sf->fences[sf->nfences++] = f[i];
	}
	snprintf(sf->name, sizeof(sf->name), "%s", name);
	int p[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p)) {
		int err = -errno;
		sync_file_free(sf);
		return err;
	}
	sf->wfd = p[1];
	struct stat st;
	fstat(p[0], &st);
	sf->ino = st.st_ino;
	if (all_signaled(sf)) {
		sf->signaled = true;
		sf->signal_ns = now_ns();
		send_signal_byte(sf);
	}
	sf->next = dev->sync_files;
	dev->sync_files = sf;
	return p[0];
}

struct km_sync_file *km__sync_file_lookup_locked(struct km_device *dev, int fd)
{
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return NULL;
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next)
		if (sf->ino == st.st_ino)
			return sf;
	return NULL;
}

void km__sync_files_release(struct km_device *dev)
{
	while (dev->sync_files) {
		struct km_sync_file *sf = dev->sync_files;
		dev->sync_files = sf->next;
		sync_file_free(sf);
	}
}
