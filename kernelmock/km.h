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
 * Bind the driver to the device plugged into @t and bring it up.
 * Returns 0, -ENODEV (no virtio-gpu device), -EIO (negotiation refused,
 * queue set-up failed, the device did not answer capset queries), -ENOMEM.
 */
int km_device_create(struct sim_ram *ram, struct sim_transport *t,
		     struct km_device **out);
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
};
void km_device_stats(struct km_device *dev, struct km_stats *stats);

#endif
