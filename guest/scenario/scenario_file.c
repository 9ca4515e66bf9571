/* SPDX-License-Identifier: MIT */
/*
 * Reading a script or an included file: regular files only, refused
 * without blocking otherwise, and at most GUEST_MAX_READ_BYTES.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/scenario/scenario_int.h"

#define MAX_SCRIPT_BYTES ((size_t)GUEST_MAX_READ_BYTES)

/*
 * -EINVAL for anything but a regular file: a FIFO would block in open(2)
 * and a device may never end.  O_NONBLOCK makes the open of a FIFO return
 * at once, fstat then tells what was opened; for a regular file the flag
 * changes nothing.
 */
int guest__read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	size_t cap = 4096, n = 0;
	struct stat st;
	char *buf;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int err = r < 0 ? -errno : 0;

			close(fd);
			if (err) {
				free(buf);
				return err;
			}
			buf[n] = '\0';
			*out = buf;
			*len = n;
			return 0;
		}
		n += (size_t)r;
		if (n == cap) {
			char *nb = cap >= MAX_SCRIPT_BYTES ? NULL
					  : realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				close(fd);
				return cap >= MAX_SCRIPT_BYTES ? -EFBIG : -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	return -ENOMEM;
}

const char *guest__read_error(int err)
{
	return err == -EINVAL ? "not a regular file" : strerror(-err);
}
