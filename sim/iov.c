/* SPDX-License-Identifier: MIT */
/*
 * Copies between a flat buffer and an iovec array, for device code reading
 * a command out of (or writing a response into) a popped descriptor chain,
 * whose buffers are scattered over guest pages.
 */
#include "sim/virtqueue.h"

#include <string.h>

/* Walk @iov from byte @offset for at most @len bytes, calling the copy in
 * the direction asked; returns the bytes done.  Running off the end of the
 * array is not an error: the caller compares the count with what it needs
 * (a short command is the guest's mistake, reported by the caller). */
static size_t iov_copy(const struct iovec *iov, unsigned n, size_t offset,
		       void *buf, size_t len, bool to_buf)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t chunk;
		char *base = iov[i].iov_base;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		chunk = iov[i].iov_len - offset;
		if (chunk > len - done)
			chunk = len - done;
		if (to_buf)
			memcpy((char *)buf + done, base + offset, chunk);
		else
			memcpy(base + offset, (char *)buf + done, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

size_t sim_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset,
		      void *buf, size_t len)
{
	return iov_copy(iov, n, offset, buf, len, true);
}

size_t sim_iov_from_buf(const struct iovec *iov, unsigned n, size_t offset,
			const void *buf, size_t len)
{
	/* iov_copy only reads @buf in this direction. */
	return iov_copy(iov, n, offset, (void *)buf, len, false);
}
