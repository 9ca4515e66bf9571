// SPDX-License-Identifier: MIT
/*
 * realdriver-syncobj: DRM syncobj fds as a program under `virtgpu-sim
 * exec` meets them, with raw ioctls on the render node (what a Vulkan
 * driver's syncobj code does).  TAP:
 *   1 an EXECBUFFER signals an out-syncobj; SYNCOBJ_WAIT returns 0
 *   2 its syncobj fd polls POLLIN|POLLOUT at once (Linux's syncobj file
 *     has no .poll), a dup of it imports as a new handle to the same
 *     syncobj, and it is the program's: close_range closes it
 *   3 the fence exported as a sync_file polls readable, and
 *     SYNC_IOC_FILE_INFO on a dup of it says signalled
 *   4 the submit's fence fd imported into another syncobj is waited for
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sync_file.h>
#include <sys/ioctl.h>

#include "kernelmock/virtgpu_drm.h"

static int n_test;

static int ok(bool cond, const char *what, const char *why)
{
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++n_test, what);
	if (!cond)
		printf("# %s (errno %s)\n", why, strerrorname_np(errno));
	return cond ? 0 : 1;
}

static int64_t in_10s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + 10000000000ll;
}

static uint32_t create(int fd)
{
	struct drm_syncobj_create c = { 0 };

	return ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

static bool wait_one(int fd, uint32_t h)
{
	struct drm_syncobj_wait w = { .handles = (uintptr_t)&h,
				      .count_handles = 1,
				      .timeout_nsec = in_10s() };
	return ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) == 0;
}

static int submit(int fd, uint32_t out, int *fence)
{
	uint32_t nop = 0;
	struct drm_virtgpu_execbuffer_syncobj e = { .handle = out };
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT,
		.command = (uintptr_t)&nop, .fence_fd = -1,
		.syncobj_stride = sizeof(e), .num_out_syncobjs = 1,
		.out_syncobjs = (uintptr_t)&e,
	};
	int ret = ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);

	*fence = eb.fence_fd;
	return ret;
}

static int syncobj_fd(int fd, uint32_t h)
{
	struct drm_syncobj_handle a = { .handle = h, .fd = -1 };
	struct pollfd p = { .events = POLLIN | POLLOUT };
	struct drm_syncobj_handle b = { .fd = -1 };
	int fail = 0;

	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a))
		return ok(false, "syncobj fd", "HANDLE_TO_FD failed");
	p.fd = a.fd;
	fail |= poll(&p, 1, 0) != 1 ||
		(p.revents & (POLLIN | POLLOUT)) != (POLLIN | POLLOUT);
	b.fd = dup(a.fd);
	fail |= ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &b) != 0 ||
		b.handle == h || !wait_one(fd, b.handle);
	close(b.fd);
	/* The program's own fd: close_range does not spare it. */
	close_range(a.fd, a.fd, 0);
	fail |= fcntl(a.fd, F_GETFD) != -1 || errno != EBADF;
	return ok(!fail, "syncobj fd: poll, dup, import, close_range",
		  "poll, the import or close_range did not behave as Linux's");
}

static int exported(int fd, uint32_t h)
{
	struct drm_syncobj_handle a = {
		.handle = h, .fd = -1,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct sync_file_info info = { 0 };
	struct pollfd p = { .events = POLLIN };
	int fail, d;

	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a))
		return ok(false, "exported sync_file", "EXPORT_SYNC_FILE");
	p.fd = a.fd;
	fail = poll(&p, 1, 10000) != 1;
	d = dup(a.fd);
	fail |= ioctl(d, SYNC_IOC_FILE_INFO, &info) != 0 || info.status != 1;
	close(d);
	close(a.fd);
	return ok(!fail, "exported sync_file: poll, SYNC_IOC_FILE_INFO on a dup",
		  "not readable or not signalled");
}

int main(void)
{
	const struct drm_virtgpu_context_set_param p[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VIRGL2 },
	};
	struct drm_virtgpu_context_init ci = { .num_params = 1,
					       .ctx_set_params = (uintptr_t)p };
	int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	int fence = -1, fail = 0;
	uint32_t s, imp;

	printf("1..4\n");
	if (fd < 0 || ioctl(fd, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci)) {
		printf("Bail out! the render node or CONTEXT_INIT failed\n");
		return 1;
	}
	s = create(fd);
	fail |= ok(s && submit(fd, s, &fence) == 0 && wait_one(fd, s),
		   "EXECBUFFER signals its out-syncobj", "create/submit/wait");
	fail |= syncobj_fd(fd, s);
	fail |= exported(fd, s);
	imp = create(fd);
	struct drm_syncobj_handle i = {
		.handle = imp, .fd = fence,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
	};
	fail |= ok(ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &i) == 0 &&
		   wait_one(fd, imp), "a fence fd imported into a syncobj",
		   "IMPORT_SYNC_FILE or the wait failed");
	close(fence);
	close(fd);
	return fail;
}
