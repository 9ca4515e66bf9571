// SPDX-License-Identifier: MIT
/*
 * realdriver-trace: run under `virtgpu-sim exec --no-check --trace-ioctls`.
 * Raw ioctls on the render node with arguments at the edge of readable
 * memory, and the tracer's lines (its stderr, caught in a memfd) checked,
 * as TAP:
 *   1 GETPARAM(3D_FEATURES) whose value pointer is the last 4 bytes
 *     before an inaccessible page: the kernel writes an int there, so the
 *     call succeeds and the tracer prints "-> 1" (reading 8 bytes would
 *     have faulted)
 *   2 GETPARAM with an argument pointer the kernel answers EFAULT to:
 *     EFAULT, and the tracer prints the argument as unreadable instead of
 *     crashing
 *   3 GETPARAM whose value pointer is inaccessible: EFAULT, traced
 *   4 CONTEXT_INIT with an inaccessible parameter array: EFAULT, traced
 *   5 VERSION with the name buffer ending at the inaccessible page:
 *     succeeds, and the tracer prints the name it read there
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kernelmock/virtgpu_drm.h"

static unsigned failed;

static void tap(unsigned n, bool ok, const char *name, const char *why)
{
	printf("%s %u - %s\n", ok ? "ok" : "not ok", n, name);
	if (!ok) {
		printf("# %s\n", why);
		failed++;
	}
}

/* The tracer's lines so far (stderr is a memfd), NUL-terminated. */
static char *trace_text(int memfd)
{
	static char buf[65536];
	ssize_t n = pread(memfd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The last trace line, for messages. */
static const char *last_line(int memfd)
{
	static char line[600];
	char *text = trace_text(memfd);
	size_t len = strlen(text);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	char *nl = strrchr(text, '\n');
	snprintf(line, sizeof(line), "%s", nl ? nl + 1 : text);
	return line;
}

static bool traced(int memfd, const char *a, const char *b)
{
	const char *line = last_line(memfd);
	return strstr(line, a) && (!b || strstr(line, b));
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char why[700];

	printf("1..5\n");
	fflush(stdout);
	int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	int memfd = memfd_create("trace", MFD_CLOEXEC);
	int saved = dup(STDERR_FILENO);
	char *mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || memfd < 0 || saved < 0 || mem == MAP_FAILED ||
	    mprotect(mem + page, page, PROT_NONE)) {
		printf("Bail out! set-up: %s\n", strerror(errno));
		return 1;
	}
	char *edge = mem + page;	/* first inaccessible byte */
	dup2(memfd, STDERR_FILENO);

	struct drm_virtgpu_getparam gp = {
		.param = VIRTGPU_PARAM_3D_FEATURES,
		.value = (uintptr_t)(edge - sizeof(int)),
	};
	int ret = ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
	int value = *(int *)(edge - sizeof(int));
	snprintf(why, sizeof(why), "ret %d value %d, trace: %s", ret, value,
		 last_line(memfd));
	tap(1, !ret && value == 1 &&
	       traced(memfd, "param=3D_FEATURES -> 1)", NULL),
	    "GETPARAM writes and traces a 4-byte int", why);

	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, (void *)edge);
	snprintf(why, sizeof(why), "ret %d errno %d, trace: %s", ret, errno,
		 last_line(memfd));
	tap(2, ret == -1 && errno == EFAULT &&
	       traced(memfd, "<unreadable>", "EFAULT"),
	    "an inaccessible argument: EFAULT, traced as unreadable", why);

	gp.value = (uintptr_t)edge;
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
	snprintf(why, sizeof(why), "ret %d errno %d, trace: %s", ret, errno,
		 last_line(memfd));
	tap(3, ret == -1 && errno == EFAULT &&
	       traced(memfd, "GETPARAM param=3D_FEATURES", "EFAULT"),
	    "an inaccessible value pointer: EFAULT, traced", why);

	struct drm_virtgpu_context_init ci = {
		.num_params = 1,
		.ctx_set_params = (uintptr_t)edge,
	};
	errno = 0;
	ret = ioctl(fd, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);
	snprintf(why, sizeof(why), "ret %d errno %d, trace: %s", ret, errno,
		 last_line(memfd));
	tap(4, ret == -1 && errno == EFAULT &&
	       traced(memfd, "CONTEXT_INIT params=1", "EFAULT"),
	    "an inaccessible CONTEXT_INIT parameter array: EFAULT, traced",
	    why);

	static const char name[] = "virtio_gpu";
	struct drm_version v = {
		.name_len = strlen(name),
		.name = edge - strlen(name),
	};
	ret = ioctl(fd, DRM_IOCTL_VERSION, &v);
	snprintf(why, sizeof(why), "ret %d, trace: %s", ret, last_line(memfd));
	tap(5, !ret && memcmp(edge - strlen(name), name, strlen(name)) == 0 &&
	       traced(memfd, "name=virtio_gpu)", NULL),
	    "VERSION's name read up to the inaccessible page", why);

	dup2(saved, STDERR_FILENO);
	return failed ? 1 : 0;
}
