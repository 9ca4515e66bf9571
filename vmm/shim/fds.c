// SPDX-License-Identifier: MIT
/*
 * The machine's file descriptors, out of the program's reach.
 *
 * The machine lives in the program's process, so its descriptors (guest
 * RAM's memfd, libuv's epoll fd, pipes and eventfds, kernelmock's event
 * fds and the ends of sync_files and dma-bufs it keeps, virglrenderer's
 * eventfds and render-server sockets) sit in the program's fd table.  A
 * program that closes "everything above 2" with close_range(3, ~0U, 0),
 * or glibc's closefrom(3) on top of it, would close them too, and libuv
 * later aborts with no message.  In a VM those fds would not exist for
 * the program at all.
 *
 * So the shim remembers every fd made on a host thread or inside the
 * shim (vmm_shim_in_machine) by the calls that make fds, with its
 * identity (st_dev, st_ino), forgets it when the machine closes it and
 * when kernelmock hands it to the program (a fence fd, a dma-buf, a
 * merged sync_file: dev.c), and close_range/closefrom close everything
 * in the range except those.  The identity check catches a number the
 * machine closed without going through close() (libuv closes with a raw
 * syscall) and the program reused.  A fork child does not own the
 * machine: there the calls pass through unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "vmm/shim/shim.h"

/* An entry without identity (ino 0) is one kernelmock made on a program
 * thread: see vmm_shim_fd_own. */
static bool same_file(int fd, const struct vmm_shim_fd *m)
{
	struct stat st;

	if (!m->ino)
		return true;
	return !REAL(fstat)(fd, &st) && st.st_dev == m->dev &&
	       st.st_ino == m->ino;
}

/*
 * Host threads' fds are remembered with their identity (libuv closes
 * with a raw syscall, so their numbers can be reused unseen).  Fds made
 * inside the shim on a program thread are kernelmock's (the ends of
 * sync_files and dma-bufs), which it closes through close(): their
 * numbers alone are exact, and an fstat(2) per fd would cost two system
 * calls per fenced submit (docs/performance.md).
 */
int vmm_shim_fd_own(int fd)
{
	struct stat st = { 0 };

	vmm_shim_fdtab_forget(fd);	/* a new fd: no node (fdtab.c) */
	if (fd < 0 || !vmm_shim_in_machine() ||
	    (vmm_shim_host_thread() && REAL(fstat)(fd, &st)))
		return fd;
	pthread_mutex_lock(&vmm_shim.fds_lock);
	struct vmm_shim_fd *m = NULL;
	for (unsigned i = 0; i < vmm_shim.nfds && !m; i++)
		if (vmm_shim.fds[i].fd == fd)
			m = &vmm_shim.fds[i];	/* a stale entry: reuse */
	if (!m && vmm_shim.nfds == vmm_shim.fds_cap) {
		unsigned cap = vmm_shim.fds_cap ? 2 * vmm_shim.fds_cap : 32;
		void *p = realloc(vmm_shim.fds, cap * sizeof(*vmm_shim.fds));
		if (p) {
			vmm_shim.fds = p;
			vmm_shim.fds_cap = cap;
		}
	}
	if (!m && vmm_shim.nfds < vmm_shim.fds_cap)
		m = &vmm_shim.fds[vmm_shim.nfds++];
	if (m) {
		m->fd = fd;
		m->dev = st.st_dev;
		m->ino = st.st_ino;
	}
	pthread_mutex_unlock(&vmm_shim.fds_lock);
	if (!m)
		vmm_shim_error("fd", "out of memory: fd %d of the machine is "
				 "not protected from close_range", fd);
	return fd;
}

void vmm_shim_fd_disown(int fd)
{
	pthread_mutex_lock(&vmm_shim.fds_lock);
	for (unsigned i = 0; i < vmm_shim.nfds; i++) {
		if (vmm_shim.fds[i].fd == fd) {
			vmm_shim.fds[i] = vmm_shim.fds[--vmm_shim.nfds];
			break;
		}
	}
	pthread_mutex_unlock(&vmm_shim.fds_lock);
}

void vmm_shim_fds_forget(void)
{
	pthread_mutex_lock(&vmm_shim.fds_lock);
	vmm_shim.nfds = 0;
	pthread_mutex_unlock(&vmm_shim.fds_lock);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The machine's fds in [first, last], sorted; stale entries dropped.
 * Returns how many, or -ENOMEM. */
static int spared_fds(unsigned first, unsigned last, int **out)
{
	pthread_mutex_lock(&vmm_shim.fds_lock);
	int *list = malloc((vmm_shim.nfds + 1) * sizeof(*list));
	int n = 0;
	for (unsigned i = 0; list && i < vmm_shim.nfds;) {
		struct vmm_shim_fd *m = &vmm_shim.fds[i];
		if (!same_file(m->fd, m)) {
			*m = vmm_shim.fds[--vmm_shim.nfds];
			continue;
		}
		if ((unsigned)m->fd >= first && (unsigned)m->fd <= last)
			list[n++] = m->fd;
		i++;
	}
	pthread_mutex_unlock(&vmm_shim.fds_lock);
	if (!list)
		return -ENOMEM;
	qsort(list, (size_t)n, sizeof(*list), cmp_int);
	*out = list;
	return n;
}

/* The program's view of its fds: not a fork child, machine running. */
static bool sparing(void)
{
	return !vmm_shim_passthrough() && !vmm_shim.forked &&
	       __atomic_load_n(&vmm_shim.nfds, __ATOMIC_ACQUIRE) &&
	       vmm_shim.machine_pid == getpid();
}

/* close_range over [first, last] minus the machine's fds. */
static int close_range_sparing(unsigned first, unsigned last, int flags)
{
	int *spare;
	int n = spared_fds(first, last, &spare);
	if (n < 0) {
		errno = ENOMEM;
		return -1;
	}
	/* The gaps around the spared fds: [first, s0 - 1], [s0 + 1, s1 - 1],
	 * ..., [sn + 1, last]; empty ones are skipped (fds are below
	 * INT_MAX, so sn + 1 cannot wrap). */
	unsigned from = first;
	int ret = 0;
	for (int i = 0; i <= n && !ret; i++) {
		unsigned end = i < n ? (unsigned)spare[i] : last;
		if (i < n ? end > from : from <= end)
			ret = REAL(close_range)(from, i < n ? end - 1 : end,
						flags);
		if (i < n)
			from = end + 1;
	}
	free(spare);
	/* Device nodes among the closed fds go as close() lets them go. */
	if (!ret && !(flags & CLOSE_RANGE_CLOEXEC))
		vmm_shim_fdtab_forget_range(first, last);
	return ret;
}

int close_range(unsigned first, unsigned last, int flags)
{
	if (!sparing() || first > last) {
		int ret = REAL(close_range)(first, last, flags);
		if (!ret && !(flags & CLOSE_RANGE_CLOEXEC))
			vmm_shim_fdtab_forget_range(first, last);
		return ret;
	}
	return close_range_sparing(first, last, flags);
}

void closefrom(int lowfd)
{
	if (!sparing() || lowfd < 0) {
		REAL(closefrom)(lowfd);
		if (lowfd >= 0)
			vmm_shim_fdtab_forget_range((unsigned)lowfd, ~0U);
		return;
	}
	if (close_range_sparing((unsigned)lowfd, ~0U, 0) == 0)
		return;
	/* glibc's fallback where close_range is missing: one close per fd
	 * found in /proc/self/fd (ours: it spares the machine's). */
	DIR *d = REAL(opendir)("/proc/self/fd");
	if (!d) {
		vmm_shim_error("closefrom", "neither close_range nor "
				 "/proc/self/fd works: fds from %d are left "
				 "open", lowfd);
		return;
	}
	int self = REAL(dirfd)(d);
	struct dirent *e;
	while ((e = REAL(readdir)(d))) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] == '.' || fd < lowfd || fd == self)
			continue;
		int *spare;
		int n = spared_fds((unsigned)fd, (unsigned)fd, &spare);
		if (n == 0)
			close(fd);
		if (n >= 0)
			free(spare);
	}
	REAL(closedir)(d);
}

/* --- the calls that make fds: remembered on host threads and inside the
 * shim --- */

int memfd_create(const char *name, unsigned flags)
{
	return vmm_shim_fd_own(REAL(memfd_create)(name, flags));
}

int eventfd(unsigned initval, int flags)
{
	return vmm_shim_fd_own(REAL(eventfd)(initval, flags));
}

int epoll_create(int size)
{
	return vmm_shim_fd_own(REAL(epoll_create)(size));
}

int epoll_create1(int flags)
{
	return vmm_shim_fd_own(REAL(epoll_create1)(flags));
}

int socket(int domain, int type, int protocol)
{
	return vmm_shim_fd_own(REAL(socket)(domain, type, protocol));
}

int dup(int fd)
{
	int ret = vmm_shim_fd_own(REAL(dup)(fd));
	int err = errno;
	vmm_shim_fd_copied(fd, ret);
	errno = err;
	return ret;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return vmm_shim_fd_own(REAL(accept4)(fd, addr, len, flags));
}

static int own_pair(int ret, int fds[2])
{
	if (!ret) {
		vmm_shim_fd_own(fds[0]);
		vmm_shim_fd_own(fds[1]);
	}
	return ret;
}

int pipe(int fds[2])
{
	return own_pair(REAL(pipe)(fds), fds);
}

int pipe2(int fds[2], int flags)
{
	return own_pair(REAL(pipe2)(fds, flags), fds);
}

int socketpair(int domain, int type, int protocol, int fds[2])
{
	return own_pair(REAL(socketpair)(domain, type, protocol, fds), fds);
}

/* fds passed over a socket: the render server sends virglrenderer
 * shared memory and blob fds this way. */
ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	ssize_t ret = REAL(recvmsg)(fd, msg, flags);

	if (ret < 0 || !vmm_shim_in_machine())
		return ret;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int got;
			memcpy(&got, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(got));
			vmm_shim_fd_own(got);
		}
	}
	return ret;
}
