/* SPDX-License-Identifier: MIT */
/*
 * kernelmock: the guest kernel's virtio-gpu driver, as userspace sees it.
 *
 * A km_device is the driver bound to one virtio-gpu device on a
 * sim_transport (probe = Linux's virtio_gpu_init: feature negotiation,
 * config space, virtqueues, capset discovery).  A km_file is one open of
 * the render node; km_ioctl() takes the same request numbers and argument
 * structs as ioctl(2) on /dev/dri/renderD128 and returns 0 or a negative
 * errno, the value the kernel's handler returns.  Pointers inside argument
 * structs are userspace pointers of this process; bad ones give -EFAULT
 * exactly as copy_from_user would, never a crash.
 *
 * Thread safety: any number of threads may call km_ioctl() at once, on the
 * same or different files, as the kernel allows.
 */
#ifndef KM_H
#define KM_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* The virtio-gpu command table is part of the guest kernel's public
 * API, as <linux/virtio_gpu.h> is part of Linux's UAPI: guest programs
 * that write commands themselves (km_raw_command) name them from it; the
 * virtio 1.4 additions to it come with it. */
#include "sim/gpu_cmds.h"
#include "sim/gpu_config.h"

struct sim_ram;
struct sim_transport;
struct km_device;
struct km_file;

/*
 * The Linux version the driver is (docs/kernel-versions.md): one row per
 * version in which the virtio-gpu UAPI or its checks changed, written once
 * in kernelmock/kversion.c.  kernelmock asks the row's fields, never the
 * version number.  A row stands for the release tag (6.1 is v6.1, without
 * the fixes 6.1.y picked up later).
 */
struct km_kversion {
	const char *name;		/* "6.12", as --kernel takes it */
	const char *changes;		/* what changed in it, for info */
	/* GETPARAM: the highest param id (7, 8 EXPLICIT_DEBUG_NAME since
	 * 6.8, 9 BLOB_ALIGNMENT since 7.2); a higher one is -EINVAL. */
	uint32_t last_param;
	/* CONTEXT_INIT: num_params limit (3, 4 since 6.8); param and value
	 * read as 64-bit (6.8) or truncated to 32; DEBUG_NAME known (6.8). */
	uint32_t max_context_params;
	bool context_param_64bit;
	bool context_debug_name;
	/* EXECBUFFER: the struct the driver copies (40 bytes, 64 with the
	 * syncobj fields since 6.6); the order of virtgpu_submit.c (6.5:
	 * in-fence waited after the bo lookup and copies, fence_fd written
	 * only on success) or the older one (fence_fd = -1 on entry, the
	 * in-fence first); the ring event only with RING_IDX (6.6). */
	uint32_t execbuffer_size;
	bool submit_order_v65;
	bool ring_event_needs_flag;
	/* DRIVER_SYNCOBJ and DRIVER_SYNCOBJ_TIMELINE (6.6). */
	bool syncobj;
	/* A new GEM handle (PRIME import, GEM_OPEN, any object) creates the
	 * file's default context even when the device offers CONTEXT_INIT
	 * (until 6.14); attaches to a context never created (6.14 only). */
	bool gem_open_creates_context;
	bool gem_attach_uncreated;
	/* VIRTIO_GPU_F_BLOB_ALIGNMENT negotiated, GETPARAM 9 answered and
	 * RESOURCE_CREATE_BLOB sizes checked against it (7.2). */
	bool blob_alignment;
};

/* The rows, oldest first: the @i-th, or NULL past the last. */
const struct km_kversion *km_kversion_at(unsigned i);
/* The row named @name (@len bytes), or NULL. */
const struct km_kversion *km_kversion_find(const char *name, size_t len);
/* The default: 6.12, Debian 13's kernel. */
const struct km_kversion *km_kversion_default(void);

/*
 * Bind the driver, as Linux version @kv (NULL: the default), to the
 * device plugged into @t and bring it up.
 * Returns 0, -ENODEV (no virtio-gpu device), -EIO (negotiation refused,
 * queue set-up failed, the device did not answer capset queries), -ENOMEM.
 */
int km_device_create(struct sim_ram *ram, struct sim_transport *t,
		     const struct km_kversion *kv, struct km_device **out);
/* The version the driver is (uname(2) for a guest program). */
const struct km_kversion *km_device_kversion(struct km_device *dev);
/* Reset the device and free everything.  Files still open are closed
 * first (an error is logged: the caller should have closed them); commands
 * the device does not answer within a couple of seconds of no progress are
 * freed after the reset. */
void km_device_destroy(struct km_device *dev);

/* open(2) and close(2) of the render node (renderD128). */
int km_open(struct km_device *dev, struct km_file **out);
/* open(2) of the primary node (card0): GEM_FLINK and GEM_OPEN, which DRM
 * refuses on render nodes with -EACCES, are allowed there. */
int km_open_primary(struct km_device *dev, struct km_file **out);
/* Tears down the file's context and GEM objects on the device. */
void km_close(struct km_file *file);

/* ioctl(2): returns 0 or -errno. */
int km_ioctl(struct km_file *file, unsigned long request, void *arg);
/* "VIRTGPU_EXECBUFFER" for an ioctl request this driver serves, else
 * NULL (a device names the call that sent a bad command this way). */
const char *km_ioctl_name(unsigned long request);

/*
 * The device file as poll(2) and read(2) see it: km_file_poll_fd() is an
 * fd that polls readable while DRM events (VIRTGPU_EVENT_FENCE_SIGNALED for
 * rings in POLL_RINGS_MASK) are queued; km_read() returns whole struct
 * drm_event records, as many as fit, -EAGAIN when none is queued and
 * @nonblock, else sleeps until one is, or until the file is closed by
 * km_close (or km_device_destroy) on another thread: then -EBADF.
 */
int km_file_poll_fd(struct km_file *file);
ssize_t km_read(struct km_file *file, void *buf, size_t len, bool nonblock);

/*
 * ioctl(2) on a sync_file fd returned by EXECBUFFER's FENCE_FD_OUT:
 * SYNC_IOC_MERGE and SYNC_IOC_FILE_INFO (<linux/sync_file.h>).  -EINVAL
 * when @fd is not one of this device's sync_files, -ENOTTY for another
 * request.
 */
int km_sync_ioctl(struct km_device *dev, int fd, unsigned long request,
		  void *arg);

/*
 * The program copied @oldfd to @newfd (dup, dup2, dup3, F_DUPFD): when
 * @oldfd is one of this device's sync_files, @newfd is remembered as
 * another of its fds, so that it stays that sync_file after @oldfd is
 * closed (a sync_file lives while the program holds a copy; kernelmock
 * sees only the copies it is told of or handed back).  1 when it was one,
 * else 0.
 */
int km_sync_file_dup(struct km_device *dev, int oldfd, int newfd);

/*
 * mmap(2) of @len bytes at @offset (an offset from DRM_IOCTL_VIRTGPU_MAP)
 * on the device file: maps the object's pages at consecutive addresses.
 * Returns 0 and *addr, or -EINVAL (no object at @offset, @len larger
 * than it, not mappable), -EACCES (the object of another file, which
 * this one has no handle to), -ENOMEM, -errno.
 */
int km_mmap(struct km_file *file, uint64_t offset, size_t len, void **addr);
int km_munmap(struct km_file *file, void *addr, size_t len);

/*
 * Conformance hook (a debugfs-like back door, not part of the ioctl ABI):
 * send @cmd_len raw bytes as one device-readable buffer on @queue
 * (0 = controlq, 1 = cursorq) with a @resp_len-byte device-writable buffer,
 * wait for the answer and copy it to @resp.  Nothing is checked or fixed
 * up: this is how malformed commands reach the device.  Returns the number
 * of bytes the device wrote, -EINVAL (bad queue or a zero length), -ETIME
 * when the device did not answer within @timeout_ms, or -ENOMEM.  A
 * negative @timeout_ms means no limit, as for poll(2); no wait lasts more
 * than INT32_MAX ms (KM_TIMEOUT_MAX_MS).
 */
int km_raw_command(struct km_device *dev, unsigned queue, const void *cmd,
		   size_t cmd_len, void *resp, size_t resp_len,
		   int timeout_ms);

/*
 * Conformance hook, like km_raw_command: the first @len bytes of the
 * device's config space (virtio 1.4 5.7.4, struct sim_gpu_config) as the
 * driver reads them.  Returns how many bytes the device has of them
 * (16 before virtio 1.4's blob_alignment, 20 with it), or -errno.
 */
int km_raw_config(struct km_device *dev, void *buf, size_t len);

/*
 * User copies (uaccess.c) check each page with process_vm_readv/writev
 * unless a VMM enables the fast path: plain loads and stores, a fault
 * turned into -EFAULT by kernelmock's SIGSEGV/SIGBUS handler, installed
 * now for the whole process.  The VMM must then pass every handler the
 * program sets for those signals to km_uaccess_sigaction (sigaction(2)'s
 * arguments): kernelmock's stays installed and faults outside a copy go
 * to @act.  Both return 0, or -ENOSYS when kernelmock has no handler
 * (under valgrind, or sigaction failed: the checked path stays, and the
 * program's sigaction goes to libc); km_uaccess_sigaction -EINVAL for
 * another signal.
 */
int km_uaccess_fast_enable(void);
int km_uaccess_sigaction(int sig, const struct sigaction *act,
			 struct sigaction *old);
/* The calling thread blocks (or no longer blocks) SIGSEGV or SIGBUS: its
 * copies then go through process_vm_readv/writev, which need no signal
 * (a blocked fault signal would kill the process). */
void km_uaccess_thread_blocks_faults(bool blocked);

/* How many GEM objects and in-flight commands exist (for leak checks). */
struct km_stats {
	unsigned objects;
	unsigned inflight;
	unsigned files;
	unsigned readers;	/* threads sleeping or reading in km_read() */
	unsigned syncobjs;	/* DRM syncobjs not yet freed */
};
void km_device_stats(struct km_device *dev, struct km_stats *stats);

#endif
