// SPDX-License-Identifier: MIT
/*
 * Fences (Linux virtgpu_fence.c's role) and sync_file fds.
 *
 * A fence gets its id when its command is queued; the device answers the
 * command carrying it, and the driver then signals that fence and every
 * earlier fence of the same timeline (Linux virtio_gpu_fence_event_process;
 * virtio 1.2 5.7.6.8).
 *
 * A sync_file fd is an eventfd: the sync_file section below says why, and
 * how the program's copies of it are told from other fds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <linux/kcmp.h>

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

/*
 * A sync_file fd is an eventfd that kernelmock keeps a copy of (efd) and
 * writes once every fence has signalled, so that poll(2) reports POLLIN on
 * every copy from then on; the program's fd is a copy of ours
 * (F_DUPFD_CLOEXEC).  Before, a Unix socket pair: making one, signalling,
 * polling and closing it cost 14.8 us on this machine kind, an eventfd and
 * its copy 5.6 us, and a program that waits for every frame makes one per
 * frame (docs/performance.md, "The sync_file").
 *
 * Which file a program's fd names: every eventfd shares one anonymous
 * inode, so an fd handed back (FENCE_FD_IN, SYNC_IOC_*, a syncobj import)
 * is compared with ours by kcmp(2) KCMP_FILE, or where kcmp is refused (a
 * seccomp policy, a kernel without CONFIG_KCMP) by the eventfd-id line of
 * /proc/self/fdinfo.  Kernelmock's own copy never counts as the
 * program's.
 *
 * When the program closed it: the program's copies are the number handed
 * out plus those it told us of (km_sync_file_dup, called by the exec
 * shim's dup wrappers) or that it handed back; a signalled sync_file none
 * of whose known numbers still names its file is released, looked at in
 * batches (sync_files_collect_locked).  A copy we never saw (a raw dup
 * system call, SCM_RIGHTS) still signals, and is recognised while a known
 * copy is open, no longer after: Linux would still take it.
 */

/* How a program's fd is compared with ours: decided at the first
 * sync_file, process-wide (the kernel's, not a device's, property). */
enum { SAME_UNKNOWN, SAME_KCMP, SAME_FDINFO, SAME_NONE };
static _Atomic int same_how = SAME_UNKNOWN;

/* The eventfd-id of /proc/self/fdinfo/@fd, or -1 when it has none. */
static long eventfd_id(int fd)
{
	char path[48], buf[512];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	int f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *id = strstr(buf, "eventfd-id:");
	return id ? strtol(id + strlen("eventfd-id:"), NULL, 10) : -1;
}

static bool kcmp_same(int a, int b)
{
	pid_t pid = km__self_pid();
	return syscall(SYS_kcmp, pid, pid, KCMP_FILE, a, b) == 0;
}

static int decide_same_how(int efd)
{
	int how = atomic_load(&same_how);
	if (how != SAME_UNKNOWN)
		return how;
	how = kcmp_same(efd, efd) ? SAME_KCMP
	      : eventfd_id(efd) >= 0 ? SAME_FDINFO : SAME_NONE;
	if (how == SAME_NONE)
		SIM_ERROR(KM_LAYER, "sync_file: neither kcmp(2) nor the "
			  "eventfd-id of /proc/self/fdinfo is available, so "
			  "fence fds cannot be told apart: FENCE_FD_OUT fails");
	atomic_store(&same_how, how);
	return how;
}

/* Does the program's @fd name @sf's file? */
static bool names(const struct km_sync_file *sf, int fd)
{
	if (fd < 0 || fd == sf->efd)
		return false;
	if (atomic_load(&same_how) == SAME_KCMP)
		return kcmp_same(fd, sf->efd);
	return sf->efd_id >= 0 && eventfd_id(fd) == sf->efd_id;
}

static bool knows(const struct km_sync_file *sf, int fd)
{
	for (unsigned i = 0; i < sf->nfds; i++)
		if (sf->fds[i] == fd)
			return true;
	return false;
}

/* Forget the known numbers that no longer name the file; how many stay. */
static unsigned prune_fds(struct km_sync_file *sf)
{
	unsigned k = 0;
	for (unsigned i = 0; i < sf->nfds; i++)
		if (names(sf, sf->fds[i]))
			sf->fds[k++] = sf->fds[i];
	sf->nfds = k;
	return k;
}

/* Remember @fd as one of the program's copies (room permitting: a copy
 * beyond KM_SYNC_FILE_FDS live ones is recognised only by a search). */
static void learn_fd(struct km_sync_file *sf, int fd)
{
	if (knows(sf, fd))
		return;
	if (sf->nfds == KM_SYNC_FILE_FDS)
		prune_fds(sf);
	if (sf->nfds < KM_SYNC_FILE_FDS)
		sf->fds[sf->nfds++] = fd;
}

static void sync_file_free(struct km_sync_file *sf)
{
	for (unsigned i = 0; i < sf->nfences; i++)
		km__fence_put(sf->fences[i]);
	free(sf->fences);
	if (sf->efd >= 0)
		close(sf->efd);
	free(sf);
}

static bool all_signaled(const struct km_sync_file *sf)
{
	for (unsigned i = 0; i < sf->nfences; i++)
		if (!sf->fences[i]->signaled)
			return false;
	return true;
}

static void signal_if_done(struct km_sync_file *sf)
{
	static const uint64_t one = 1;

	if (sf->signaled || !all_signaled(sf))
		return;
	sf->signaled = true;
	sf->signal_ns = now_ns();
	/* Cannot fail: the count is at most 1 of its 2^64 - 2. */
	if (write(sf->efd, &one, sizeof(one)) != sizeof(one))
		SIM_ERROR(KM_LAYER, "sync_file: signalling its eventfd: %m");
}

/*
 * After fences signalled: signal the sync_files they complete.  Closed
 * ones are not looked for here but when the next one is made
 * (km__sync_files_update_locked): that costs a system call per live
 * sync_file.
 */
static void sync_files_signal_locked(struct km_device *dev)
{
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next)
		signal_if_done(sf);
}

/*
 * Closed sync_files are collected in batches, when KM_SYNC_FILES_COLLECT
 * of them exist: a frame makes one sync_file and closes it, and a look
 * per creation would be a system call per fenced submit
 * (docs/performance.md).  At most that many of our copies stay open
 * meanwhile.
 */
#define KM_SYNC_FILES_COLLECT 8

static void sync_files_collect_locked(struct km_device *dev)
{
	struct km_sync_file **link = &dev->sync_files;
	while (*link) {
		struct km_sync_file *sf = *link;
		/* Kept until signalled even then: a copy we never saw still
		 * polls (its fences are in flight, so this is bounded). */
		if (sf->signaled && !prune_fds(sf)) {
			*link = sf->next;
			sync_file_free(sf);
			continue;
		}
		link = &sf->next;
	}
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
		sync_files_collect_locked(dev);
}

/* Our eventfd and the program's copy of it. */
static int sync_file_open(struct km_sync_file *sf)
{
	sf->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sf->efd < 0)
		return -errno;
	int how = decide_same_how(sf->efd);
	if (how == SAME_NONE)
		return -ENOSYS;
	sf->efd_id = how == SAME_FDINFO ? eventfd_id(sf->efd) : -1;
	int fd = fcntl(sf->efd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sf->fds[sf->nfds++] = fd;
	return fd;
}

int km__sync_file_create_locked(struct km_device *dev, struct km_fence **f,
				unsigned nf, const char *name)
{
	km__sync_files_update_locked(dev);	/* also collects closed ones */
	struct km_sync_file *sf = calloc(1, sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	sf->efd = -1;
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
	int fd = sync_file_open(sf);
	if (fd < 0) {
		sync_file_free(sf);
		return fd;
	}
	signal_if_done(sf);
	sf->next = dev->sync_files;
	dev->sync_files = sf;
	return fd;
}

struct km_sync_file *km__sync_file_lookup_locked(struct km_device *dev, int fd)
{
	if (fd < 0)
		return NULL;
	/* The number we handed out or were told of: one comparison. */
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next)
		if (knows(sf, fd) && names(sf, fd))
			return sf;
	/* A copy we were not told of. */
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next)
		if (names(sf, fd)) {
			learn_fd(sf, fd);
			return sf;
		}
	return NULL;
}

int km_sync_file_dup(struct km_device *dev, int oldfd, int newfd)
{
	if (oldfd < 0 || newfd < 0 || oldfd == newfd)
		return 0;
	pthread_mutex_lock(&dev->lock);
	int ret = 0;
	for (struct km_sync_file *sf = dev->sync_files; sf; sf = sf->next)
		if (knows(sf, oldfd) && names(sf, newfd)) {
			learn_fd(sf, newfd);
			ret = 1;
			break;
		}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

void km__sync_files_release(struct km_device *dev)
{
	while (dev->sync_files) {
		struct km_sync_file *sf = dev->sync_files;
		dev->sync_files = sf->next;
		sync_file_free(sf);
	}
}
