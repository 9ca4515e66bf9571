// SPDX-License-Identifier: MIT
/*
 * realdriver-ram [--fill]: guest RAM as a GL program meets it, under
 * `virtgpu-sim exec --no-check`.  Raw RESOURCE_CREATE ioctls (what Mesa's
 * virgl winsys sends for a texture), TAP:
 *   without --fill (exec's default RAM): a 16384x16384 BGRA8 texture,
 *     the largest llvmpipe offers (1 GiB of backing pages), is created
 *   --fill (run with --ram=1G): 256 MiB textures until one fails: the
 *     fourth fails with ENOMEM, and the kernel's log line (stderr, caught
 *     in a memfd) says how many pages it asked for and how many are free
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kernelmock/virtgpu_drm.h"

#define PIPE_TEXTURE_2D 2
#define VIRGL_FORMAT_B8G8R8A8_UNORM 1
#define VIRGL_BIND_SAMPLER_VIEW (1 << 3)

static int create(int fd, uint32_t size, uint32_t *handle)
{
	struct drm_virtgpu_resource_create rc = {
		.target = PIPE_TEXTURE_2D,
		.format = VIRGL_FORMAT_B8G8R8A8_UNORM,
		.bind = VIRGL_BIND_SAMPLER_VIEW,
		.width = size,
		.height = size,
		.depth = 1,
		.array_size = 1,
		.size = size * size * 4,
		.stride = size * 4,
	};
	if (ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc))
		return -errno;
	*handle = rc.bo_handle;
	return 0;
}

static void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };
	ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static int largest(int fd)
{
	uint32_t h;
	int ret = create(fd, 16384, &h);

	printf("1..1\n");
	if (ret) {
		printf("not ok 1 - a 16384x16384 texture (1 GiB)\n# %s\n",
		       strerror(-ret));
		return 1;
	}
	printf("ok 1 - a 16384x16384 texture (1 GiB)\n");
	gem_close(fd, h);
	return 0;
}

static int fill(int fd)
{
	uint32_t h[16];
	int n = 0, ret = 0;
	char log[4096] = "";

	printf("1..2\n");
	fflush(stdout);
	int memfd = memfd_create("log", MFD_CLOEXEC);
	int saved = dup(STDERR_FILENO);
	dup2(memfd, STDERR_FILENO);
	while (n < 16 && !(ret = create(fd, 8192, &h[n])))
		n++;
	dup2(saved, STDERR_FILENO);
	ssize_t len = pread(memfd, log, sizeof(log) - 1, 0);
	log[len > 0 ? len : 0] = '\0';
	fputs(log, stderr);
	bool ok = n == 3 && ret == -ENOMEM;
	printf("%s 1 - the fourth 256 MiB texture in 1 GiB fails with "
	       "ENOMEM\n", ok ? "ok" : "not ok");
	if (!ok)
		printf("# %d created, then %s\n", n, strerror(-ret));
	/* 65536 pages asked for; page 0 and the queues' buffers are taken */
	ok = strstr(log, "guest RAM exhausted") &&
	     strstr(log, "asked for 65536 pages") && strstr(log, "are free");
	printf("%s 2 - the kernel's log says what was asked and what is "
	       "left\n", ok ? "ok" : "not ok");
	if (!ok)
		printf("# log: %s\n", log);
	while (n--)
		gem_close(fd, h[n]);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! open: %s\n", strerror(errno));
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "--fill") == 0)
		return fill(fd);
	return largest(fd);
}
