// SPDX-License-Identifier: MIT
/*
 * Which of the program's fds are device nodes: a table indexed by fd
 * number, kept by the calls that make, copy and close fds (open of a
 * node, dup, dup2, dup3, fcntl(F_DUPFD[_CLOEXEC]), close, close_range,
 * closefrom), so that ioctl, poll, read, mmap and close tell a node's fd
 * from any other with one load instead of an fstat(2) each
 * (docs/performance.md: 4.9 fstat per frame before).
 *
 * Every other call that hands out an fd number through the shim (open of
 * a real path, socket, pipe, eventfd, memfd_create, ...) clears that
 * number's entry: a number the program closed behind the shim's back (a
 * raw syscall, glibc's internal close of a FILE) cannot stay a node when
 * it is reused.  A copy made behind its back (SCM_RIGHTS to ourselves)
 * is not recognised; when the last known fd of a node closes, the node is
 * released only if /proc/self/fd shows no other copy of its memfd.
 *
 * fork: the child inherits the table with the fds, which is exact (its
 * calls on a node then fail as the fork child's, see shim.c).  exec: the
 * new image has a new shim and an empty table; the machine was shut down
 * before (exit.c).
 *
 * Lock-free readers: chunks are allocated once and never freed; entries
 * change under vmm_shim.lock, and a reader that found one re-reads it
 * under the lock before using the node (vmm_shim_node_get).
 */
#undef _FILE_OFFSET_BITS	/* define fcntl and fcntl64 as libc does */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>

#include "vmm/shim/shim.h"

static struct vmm_shim_node *_Atomic *chunk_of(int fd, bool alloc)
{
	if (fd < 0 || fd >= VMM_SHIM_FDTAB_CHUNKS * VMM_SHIM_FDTAB_CHUNK)
		return NULL;
	unsigned c = (unsigned)fd / VMM_SHIM_FDTAB_CHUNK;
	struct vmm_shim_node *_Atomic *chunk =
		__atomic_load_n(&vmm_shim.fdtab[c], __ATOMIC_ACQUIRE);
	if (chunk || !alloc)
		return chunk;
	chunk = calloc(VMM_SHIM_FDTAB_CHUNK, sizeof(*chunk));
	if (chunk)
		__atomic_store_n(&vmm_shim.fdtab[c], chunk, __ATOMIC_RELEASE);
	return chunk;
}

struct vmm_shim_node *vmm_shim_fdtab_peek(int fd)
{
	struct vmm_shim_node *_Atomic *chunk = chunk_of(fd, false);
	if (!chunk)
		return NULL;
	return __atomic_load_n(&chunk[fd % VMM_SHIM_FDTAB_CHUNK],
			       __ATOMIC_ACQUIRE);
}

struct vmm_shim_node *vmm_shim_fdtab_set_locked(int fd,
						struct vmm_shim_node *node)
{
	struct vmm_shim_node *_Atomic *chunk = chunk_of(fd, node != NULL);
	if (!chunk) {
		if (node)
			vmm_shim_error("fd", "fd %d of /dev/dri is not "
					 "recognised: %s", fd,
					 fd < 0 ? "negative" : "out of memory "
					 "or past the table");
		return NULL;
	}
	struct vmm_shim_node *old = chunk[fd % VMM_SHIM_FDTAB_CHUNK];
	if (old == node)
		return NULL;
	if (node)
		node->nfds++;
	__atomic_store_n(&chunk[fd % VMM_SHIM_FDTAB_CHUNK], node,
			 __ATOMIC_RELEASE);
	if (old && --old->nfds == 0) {
		old->refs++;	/* the caller's, for the release */
		return old;
	}
	return NULL;
}

/* After the table lost a node's last known fd: release it unless another
 * copy exists, then drop the reference _set_locked took. */
static void release_displaced(struct vmm_shim_node *old)
{
	if (!old)
		return;
	vmm_shim_node_release_if_unused(old);
	vmm_shim_node_put(old);
}

void vmm_shim_fdtab_forget(int fd)
{
	if (!vmm_shim_fdtab_peek(fd))
		return;
	pthread_mutex_lock(&vmm_shim.lock);
	struct vmm_shim_node *old = vmm_shim_fdtab_set_locked(fd, NULL);
	pthread_mutex_unlock(&vmm_shim.lock);
	release_displaced(old);
}

void vmm_shim_fdtab_copy(int oldfd, int newfd)
{
	if (newfd < 0 || oldfd == newfd)
		return;
	if (!vmm_shim_fdtab_peek(oldfd) && !vmm_shim_fdtab_peek(newfd))
		return;
	pthread_mutex_lock(&vmm_shim.lock);
	struct vmm_shim_node *node = vmm_shim_fdtab_peek(oldfd);
	if (node && node->closed)
		node = NULL;
	struct vmm_shim_node *old = vmm_shim_fdtab_set_locked(newfd, node);
	pthread_mutex_unlock(&vmm_shim.lock);
	release_displaced(old);
}

void vmm_shim_fdtab_forget_range(unsigned first, unsigned last)
{
	unsigned top = VMM_SHIM_FDTAB_CHUNKS * VMM_SHIM_FDTAB_CHUNK - 1;
	if (last > top)
		last = top;
	for (unsigned fd = first; fd <= last && fd >= first; fd++) {
		if (!chunk_of((int)fd, false)) {
			fd |= VMM_SHIM_FDTAB_CHUNK - 1;	/* skip the chunk */
			continue;
		}
		vmm_shim_fdtab_forget((int)fd);
	}
}

void vmm_shim_fdtab_clear_locked(void)
{
	for (unsigned c = 0; c < VMM_SHIM_FDTAB_CHUNKS; c++) {
		struct vmm_shim_node *_Atomic *chunk = vmm_shim.fdtab[c];
		for (unsigned i = 0; chunk && i < VMM_SHIM_FDTAB_CHUNK; i++)
			if (chunk[i]) {
				chunk[i]->nfds = 0;
				__atomic_store_n(&chunk[i], NULL,
						 __ATOMIC_RELEASE);
			}
	}
}

/* --- fcntl: F_DUPFD and F_DUPFD_CLOEXEC copy an fd (Mesa's
 * os_dupfd_cloexec does so with the render node's) --- */

static int after_fcntl(int fd, int cmd, int ret)
{
	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
		int err = errno;
		vmm_shim_fd_own(ret);	/* forgets the number first */
		vmm_shim_fd_copied(fd, ret);
		errno = err;
	}
	return ret;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return after_fcntl(fd, cmd, REAL(fcntl)(fd, cmd, arg));
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return after_fcntl(fd, cmd, REAL(fcntl64)(fd, cmd, arg));
}
