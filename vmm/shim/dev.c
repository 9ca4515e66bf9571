// SPDX-License-Identifier: MIT
/*
 * Calls on the device file, interposed: ioctl → km_ioctl, mmap of an
 * offset from DRM_IOCTL_VIRTGPU_MAP → km_mmap, munmap of such a mapping →
 * km_munmap, read → km_read (DRM events), poll/ppoll/select/pselect and
 * epoll_ctl watch kernelmock's event fd in place of the memfd, close,
 * dup2 and dup3 keep the fd table (fdtab.c) and release the file with its
 * last fd; every copy of an fd is told to kernelmock, whose sync_files
 * live while the program holds a copy (km_sync_file_dup).  ioctl on a sync_file
 * fd that kernelmock handed out (SYNC_IOC_MERGE, SYNC_IOC_FILE_INFO) goes
 * to km_sync_ioctl.  Any other fd goes to libc.
 */
#undef _FILE_OFFSET_BITS	/* define mmap and mmap64 as libc does */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sync_file.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>

#include "vmm/shim/shim.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "vmm/machine.h"

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
void __chk_fail(void) __attribute__((noreturn));

static bool nodes_exist(void)
{
	return __atomic_load_n(&vmm_shim.nnodes, __ATOMIC_ACQUIRE) != 0;
}

static int set_errno(int ret)
{
	if (ret >= 0)
		return ret;
	errno = -ret;
	return -1;
}

/* --- ioctl --- */

static bool is_get_caps(unsigned long request)
{
	return _IOC_TYPE(request) == DRM_IOCTL_BASE &&
	       _IOC_NR(request) == DRM_COMMAND_BASE + DRM_VIRTGPU_GET_CAPS;
}

/*
 * An fd kernelmock made (inside the shim, so remembered as the machine's:
 * fds.c) and handed to the program is the program's: a fence fd from
 * EXECBUFFER, a dma-buf from PRIME_HANDLE_TO_FD, a merged sync_file, a
 * syncobj fd or exported sync_file from SYNCOBJ_HANDLE_TO_FD.  The
 * argument is read back as the kernel wrote it: the call succeeded, so
 * the kernel has just read and written all of it, and a plain read is
 * safe (no checked copy, no system call).
 */
static void disown_returned_fd(unsigned long request, const void *arg)
{
	unsigned nr = _IOC_NR(request);

	if (!__atomic_load_n(&vmm_shim.nfds, __ATOMIC_ACQUIRE))
		return;
	if (request == SYNC_IOC_MERGE) {
		struct sync_merge_data m;
		memcpy(&m, arg, sizeof(m));
		vmm_shim_fd_disown(m.fence);
	} else if (_IOC_TYPE(request) != DRM_IOCTL_BASE) {
		return;
	} else if (nr == DRM_COMMAND_BASE + DRM_VIRTGPU_EXECBUFFER) {
		struct drm_virtgpu_execbuffer e;
		memcpy(&e, arg, offsetof(typeof(e), ring_idx));
		if (e.flags & VIRTGPU_EXECBUF_FENCE_FD_OUT)
			vmm_shim_fd_disown(e.fence_fd);
	} else if (nr == _IOC_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD)) {
		struct drm_prime_handle p;
		memcpy(&p, arg, sizeof(p));
		vmm_shim_fd_disown(p.fd);
	} else if (nr == _IOC_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD)) {
		/* a syncobj fd, or a sync_file (EXPORT_SYNC_FILE) */
		struct drm_syncobj_handle h;
		memcpy(&h, arg, sizeof(h));
		vmm_shim_fd_disown(h.fd);
	}
}

/* The running machine's kernel, for calls on fds that are not nodes; NULL
 * before the first node was opened, after shutdown and in a fork child. */
static struct km_device *running_kernel(void)
{
	struct km_device *kdev = NULL;

	pthread_mutex_lock(&vmm_shim.lock);
	if (vmm_shim.machine && !vmm_shim.shutdown && !vmm_shim.forked)
		kdev = vmm_machine_kernel(vmm_shim.machine);
	pthread_mutex_unlock(&vmm_shim.lock);
	return kdev;
}

/* SYNC_IOC_MERGE / SYNC_IOC_FILE_INFO on a kernelmock sync_file; 1 when
 * @fd is not one (kernelmock answers -EINVAL for a foreign fd). */
static int sync_file_ioctl(int fd, unsigned long request, void *arg,
			   int *out)
{
	struct km_device *kdev = running_kernel();

	if (!kdev)
		return 1;
	vmm_shim_enter();
	int ret = km_sync_ioctl(kdev, fd, request, arg);
	vmm_shim_leave();
	if (ret == -EINVAL)
		return 1;
	if (!ret)
		disown_returned_fd(request, arg);
	if (vmm_shim.trace)
		vmm_shim_trace_ioctl(fd, request, arg, ret);
	*out = set_errno(ret);
	return 0;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);

	if (vmm_shim_passthrough())
		return REAL(ioctl)(fd, request, arg);
	struct vmm_shim_node *node = vmm_shim_node_get(fd);
	if (node) {
		if (vmm_shim.forked) {
			vmm_shim_node_put(node);
			vmm_shim_error("ioctl", "the device lives in the "
					 "parent process; a fork child cannot "
					 "use it (exec a new program instead)");
			errno = EIO;
			return -1;
		}
		vmm_shim_enter();
		int ret = km_ioctl(node->file, request, arg);
		vmm_shim_leave();
		vmm_shim_node_put(node);
		if (!ret)
			disown_returned_fd(request, arg);
		if (vmm_shim.trace)
			vmm_shim_trace_ioctl(fd, request, arg, ret);
		if (!ret && is_get_caps(request))
			vmm_shim_note_virgl();
		return set_errno(ret);
	}
	if (request == SYNC_IOC_MERGE || request == SYNC_IOC_FILE_INFO) {
		int ret;
		if (!sync_file_ioctl(fd, request, arg, &ret))
			return ret;
	}
	return REAL(ioctl)(fd, request, arg);
}

/* --- mmap, munmap --- */

static void *map_node(struct vmm_shim_node *node, size_t len, int flags,
		      off_t offset)
{
	void *addr;
	struct vmm_shim_map *m;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		vmm_shim_error("mmap", "MAP_FIXED on the device file is not "
				 "supported: kernelmock chooses the address");
		errno = EINVAL;
		goto err_put;
	}
	if ((flags & MAP_TYPE) != MAP_SHARED &&
	    (flags & MAP_TYPE) != MAP_SHARED_VALIDATE) {
		/* drm_gem_mmap_obj refuses private mappings of GEM objects */
		errno = EINVAL;
		goto err_put;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		errno = ENOMEM;
		goto err_put;
	}
	vmm_shim_enter();
	int ret = km_mmap(node->file, (uint64_t)offset, len, &addr);
	vmm_shim_leave();
	if (ret) {
		free(m);
		errno = -ret;
		goto err_put;
	}
	m->addr = addr;
	m->len = len;
	m->node = node;		/* keeps the reference taken by the caller */
	pthread_mutex_lock(&vmm_shim.lock);
	m->next = vmm_shim.maps;
	vmm_shim.maps = m;
	__atomic_add_fetch(&vmm_shim.nmaps, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vmm_shim.lock);
	return addr;

err_put:
	vmm_shim_node_put(node);
	return MAP_FAILED;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	if (fd < 0 || (flags & MAP_ANONYMOUS) || !nodes_exist() ||
	    vmm_shim_passthrough())
		return REAL(mmap)(addr, len, prot, flags, fd, offset);
	struct vmm_shim_node *node = vmm_shim_node_get(fd);
	if (!node)
		return REAL(mmap)(addr, len, prot, flags, fd, offset);
	return map_node(node, len, flags, offset);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
	     off64_t offset)
{
	return mmap(addr, len, prot, flags, fd, (off_t)offset);
}

static size_t page_round(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (len + page - 1) & ~(page - 1);
}

int munmap(void *addr, size_t len)
{
	if (!__atomic_load_n(&vmm_shim.nmaps, __ATOMIC_ACQUIRE))
		return REAL(munmap)(addr, len);
	char *lo = addr, *hi = lo + len;
	pthread_mutex_lock(&vmm_shim.lock);
	for (struct vmm_shim_map **l = &vmm_shim.maps; *l; l = &(*l)->next) {
		struct vmm_shim_map *m = *l;
		char *mlo = m->addr, *mhi = mlo + page_round(m->len);
		if (hi <= mlo || lo >= mhi)
			continue;
		if (lo != mlo || page_round(len) != page_round(m->len)) {
			pthread_mutex_unlock(&vmm_shim.lock);
			vmm_shim_error("munmap", "%p+%zu covers part of the "
					 "device mapping %p+%zu: partial "
					 "unmaps are not supported", addr, len,
					 m->addr, m->len);
			errno = EINVAL;
			return -1;
		}
		*l = m->next;
		__atomic_sub_fetch(&vmm_shim.nmaps, 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&vmm_shim.lock);
		vmm_shim_enter();
		int ret = km_munmap(m->node->file, m->addr, m->len);
		vmm_shim_leave();
		vmm_shim_node_put(m->node);
		free(m);
		return set_errno(ret);
	}
	pthread_mutex_unlock(&vmm_shim.lock);
	return REAL(munmap)(addr, len);
}

/* --- close, dup2, dup3 --- */

int close(int fd)
{
	if (vmm_shim_in_machine())
		vmm_shim_fd_disown(fd);
	if (!vmm_shim_fdtab_peek(fd))
		return REAL(close)(fd);
	return vmm_shim_node_close(fd);
}

void vmm_shim_fd_copied(int oldfd, int newfd)
{
	vmm_shim_fdtab_copy(oldfd, newfd);
	/* The machine's own copies (kernelmock's, the renderer's) are not
	 * the program's; kernelmock may hold its lock while it makes one. */
	if (newfd < 0 || oldfd == newfd || vmm_shim_fdtab_peek(newfd) ||
	    vmm_shim_in_machine())
		return;
	struct km_device *kdev = running_kernel();
	if (!kdev)
		return;
	vmm_shim_enter();
	km_sync_file_dup(kdev, oldfd, newfd);
	vmm_shim_leave();
}

/* dup2/dup3 make @newfd a copy of @oldfd, closing what it was (a node's
 * fd loses its entry; the fd table follows: fdtab.c). */
static int after_replace(int oldfd, int newfd, int ret)
{
	if (ret >= 0) {
		int err = errno;
		vmm_shim_fd_copied(oldfd, newfd);
		errno = err;
	}
	return ret;
}

int dup2(int oldfd, int newfd)
{
	return after_replace(oldfd, newfd, REAL(dup2)(oldfd, newfd));
}

int dup3(int oldfd, int newfd, int flags)
{
	return after_replace(oldfd, newfd, REAL(dup3)(oldfd, newfd, flags));
}

/* --- read --- */

ssize_t read(int fd, void *buf, size_t len)
{
	if (!nodes_exist() || vmm_shim_passthrough())
		return REAL(read)(fd, buf, len);
	struct vmm_shim_node *node = vmm_shim_node_get(fd);
	if (!node)
		return REAL(read)(fd, buf, len);
	int fl = fcntl(fd, F_GETFL);
	vmm_shim_enter();
	ssize_t ret = km_read(node->file, buf, len,
			      fl >= 0 && (fl & O_NONBLOCK));
	vmm_shim_leave();
	vmm_shim_node_put(node);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return read(fd, buf, len);
}

/* --- poll, select, epoll --- */

/* kernelmock's event fd standing in for a node's fd, or -1. */
static int event_fd_for(int fd)
{
	struct vmm_shim_node *node = vmm_shim_node_get(fd);
	if (!node)
		return -1;
	int efd = km_file_poll_fd(node->file);
	vmm_shim_node_put(node);
	return efd;
}

/* The array to pass to libc: @fds itself, or a copy with node fds
 * replaced by their event fds.  NULL (ENOMEM) on failure. */
static struct pollfd *poll_translate(struct pollfd *fds, nfds_t n)
{
	struct pollfd *copy = NULL;

	for (nfds_t i = 0; i < n; i++) {
		int efd = fds[i].fd >= 0 ? event_fd_for(fds[i].fd) : -1;
		if (efd < 0)
			continue;
		if (!copy) {
			copy = malloc(n * sizeof(*copy));
			if (!copy)
				return NULL;
			memcpy(copy, fds, n * sizeof(*copy));
		}
		copy[i].fd = efd;
	}
	return copy ? copy : fds;
}

static void poll_untranslate(struct pollfd *fds, struct pollfd *used,
			     nfds_t n)
{
	if (used == fds)
		return;
	for (nfds_t i = 0; i < n; i++)
		fds[i].revents = used[i].revents;
	free(used);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *timeout,
	  const sigset_t *mask)
{
	if (!nodes_exist() || vmm_shim_passthrough())
		return REAL(ppoll)(fds, n, timeout, mask);
	struct pollfd *used = poll_translate(fds, n);
	if (!used) {
		errno = ENOMEM;
		return -1;
	}
	int ret = REAL(ppoll)(used, n, timeout, mask);
	int err = errno;
	poll_untranslate(fds, used, n);
	errno = err;
	return ret;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (!nodes_exist() || vmm_shim_passthrough())
		return REAL(poll)(fds, n, timeout);
	struct pollfd *used = poll_translate(fds, n);
	if (!used) {
		errno = ENOMEM;
		return -1;
	}
	int ret = REAL(poll)(used, n, timeout);
	int err = errno;
	poll_untranslate(fds, used, n);
	errno = err;
	return ret;
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return poll(fds, n, timeout);
}

/*
 * select/pselect: a node fd in any set is watched through its event fd.
 * The translated sets can need a larger nfds; fds past FD_SETSIZE cannot
 * be expressed and fail with a message.
 */
struct vmm_select_map {
	int fd, efd;
};

static int select_translate(int nfds, fd_set **sets, fd_set *copies,
			    struct vmm_select_map *map, int *nmap,
			    int *new_nfds)
{
	*nmap = 0;
	*new_nfds = nfds;
	for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++) {
		bool in = false;
		for (int s = 0; s < 3; s++)
			in |= sets[s] && FD_ISSET(fd, sets[s]);
		int efd = in ? event_fd_for(fd) : -1;
		if (efd < 0)
			continue;
		if (efd >= FD_SETSIZE) {
			vmm_shim_error("select", "the event fd %d of device "
					 "fd %d is past FD_SETSIZE; use poll",
					 efd, fd);
			return -EINVAL;
		}
		map[(*nmap)++] = (struct vmm_select_map){ fd, efd };
		if (efd + 1 > *new_nfds)
			*new_nfds = efd + 1;
	}
	for (int s = 0; s < 3; s++) {
		if (!sets[s])
			continue;
		copies[s] = *sets[s];
		for (int i = 0; i < *nmap; i++)
			if (FD_ISSET(map[i].fd, &copies[s])) {
				FD_CLR(map[i].fd, &copies[s]);
				FD_SET(map[i].efd, &copies[s]);
			}
	}
	return 0;
}

/* Copy results back, event fds reported as their node fds. */
static void select_untranslate(fd_set **sets, fd_set *copies,
			       const struct vmm_select_map *map, int nmap)
{
	for (int s = 0; s < 3; s++) {
		if (!sets[s])
			continue;
		fd_set out = copies[s];
		for (int i = 0; i < nmap; i++) {
			bool hit = FD_ISSET(map[i].efd, &copies[s]);
			FD_CLR(map[i].efd, &out);
			if (hit)
				FD_SET(map[i].fd, &out);
		}
		*sets[s] = out;
	}
}

static int do_pselect(int nfds, fd_set *r, fd_set *w, fd_set *x,
		      const struct timespec *ts, struct timeval *tv,
		      const sigset_t *mask)
{
	fd_set *sets[3] = { r, w, x }, copies[3];
	struct vmm_select_map map[FD_SETSIZE];
	int nmap, new_nfds;
	int ret = select_translate(nfds, sets, copies, map, &nmap, &new_nfds);
	if (ret)
		return set_errno(ret);
	fd_set *c[3];
	for (int s = 0; s < 3; s++)
		c[s] = sets[s] ? &copies[s] : NULL;
	ret = ts || !tv ? REAL(pselect)(new_nfds, c[0], c[1], c[2], ts, mask)
			: REAL(select)(new_nfds, c[0], c[1], c[2], tv);
	int err = errno;
	if (ret >= 0)
		select_untranslate(sets, copies, map, nmap);
	errno = err;
	return ret;
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
	if (!nodes_exist() || vmm_shim_passthrough())
		return REAL(select)(nfds, r, w, x, tv);
	return do_pselect(nfds, r, w, x, NULL, tv, NULL);
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *x,
	    const struct timespec *ts, const sigset_t *mask)
{
	if (!nodes_exist() || vmm_shim_passthrough())
		return REAL(pselect)(nfds, r, w, x, ts, mask);
	return do_pselect(nfds, r, w, x, ts, NULL, mask);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	if (!nodes_exist() || vmm_shim_passthrough())
		return REAL(epoll_ctl)(epfd, op, fd, ev);
	int efd = event_fd_for(fd);
	return REAL(epoll_ctl)(epfd, op, efd >= 0 ? efd : fd, ev);
}
