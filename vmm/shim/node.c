// SPDX-License-Identifier: MIT
/*
 * Device nodes: each open(2) of /dev/dri/renderD128 (or card0) is a
 * km_file in kernelmock plus a fresh memfd that the program holds as its
 * fd.  Calls on an fd find its node in the fd table (fdtab.c), which the
 * dup, dup2, dup3, fcntl and close wrappers keep; the memfd's inode names
 * the open file description for fstat(2) of the node, for copies the
 * table never saw (release_if_unused), and for kcmp(KCMP_FILE), which
 * Mesa's winsys uses to compare fds and which tells copies of one open
 * apart from two opens exactly as for a real node.
 *
 * Lifetime follows Linux: the file is released when its last fd is
 * closed and its last mapping is gone.  The registry holds one reference
 * while any fd is open; each call in progress and each mapping hold one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "vmm/shim/shim.h"
#include "kernelmock/km.h"
#include "vmm/machine.h"

int vmm_shim_node_open(const char *call, unsigned minor, int flags)
{
	struct km_device *kdev;
	struct km_file *file;
	struct stat st;
	char what[64];

	snprintf(what, sizeof(what), "%s(/dev/dri/%s%u)", call,
		 minor >= 128 ? "renderD" : "card", minor);
	pthread_mutex_lock(&vmm_shim.lock);
	int ret = vmm_shim_machine_start_locked(what, &kdev);
	pthread_mutex_unlock(&vmm_shim.lock);
	if (ret) {
		errno = -ret;
		return -1;
	}
	struct vmm_shim_node *node = calloc(1, sizeof(*node));
	if (!node) {
		errno = ENOMEM;
		return -1;
	}
	int fd = memfd_create(minor >= 128 ? "virtgpu-sim-renderD128"
					   : "virtgpu-sim-card0",
			      (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0)
		goto err_free;
	/* O_NONBLOCK lives in the open file description, where read() looks
	 * for it (and F_SETFL changes it) as on the real node. */
	if ((flags & O_NONBLOCK) && fcntl(fd, F_SETFL, O_NONBLOCK))
		goto err_close;
	if (REAL(fstat)(fd, &st))
		goto err_close;
	vmm_shim_enter();
	ret = minor >= 128 ? km_open(kdev, &file) : km_open_primary(kdev, &file);
	vmm_shim_leave();
	if (ret) {
		vmm_shim_error(what, "kernelmock refused the open: %s",
				 strerror(-ret));
		errno = -ret;
		goto err_close;
	}
	node->st_dev = st.st_dev;
	node->st_ino = st.st_ino;
	node->minor = minor;
	node->file = file;
	node->refs = 1;		/* the registry's: until the last fd closes */
	pthread_mutex_lock(&vmm_shim.lock);
	node->next = vmm_shim.nodes;
	vmm_shim.nodes = node;
	__atomic_add_fetch(&vmm_shim.nnodes, 1, __ATOMIC_RELEASE);
	struct vmm_shim_node *old = vmm_shim_fdtab_set_locked(fd, node);
	pthread_mutex_unlock(&vmm_shim.lock);
	if (old) {	/* memfd_create made the number anew: cannot be */
		vmm_shim_node_release_if_unused(old);
		vmm_shim_node_put(old);
	}
	vmm_shim_note_opened();
	return fd;

err_close: {
	int err = errno;
	REAL(close)(fd);
	errno = err;
}
err_free:
	free(node);
	return -1;
}

static struct vmm_shim_node *find_locked(dev_t dev, ino_t ino)
{
	for (struct vmm_shim_node *n = vmm_shim.nodes; n; n = n->next)
		if (n->st_ino == ino && n->st_dev == dev)
			return n;
	return NULL;
}

struct vmm_shim_node *vmm_shim_node_get_by_stat(const struct stat *st)
{
	if (!S_ISREG(st->st_mode) ||
	    !__atomic_load_n(&vmm_shim.nnodes, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&vmm_shim.lock);
	struct vmm_shim_node *n = vmm_shim.shutdown
		? NULL : find_locked(st->st_dev, st->st_ino);
	if (n)
		n->refs++;
	pthread_mutex_unlock(&vmm_shim.lock);
	return n;
}

/* From the fd table (fdtab.c): no system call. */
struct vmm_shim_node *vmm_shim_node_get(int fd)
{
	if (!vmm_shim_fdtab_peek(fd))
		return NULL;
	pthread_mutex_lock(&vmm_shim.lock);
	struct vmm_shim_node *n = vmm_shim.shutdown
		? NULL : vmm_shim_fdtab_peek(fd);
	if (n)
		n->refs++;
	pthread_mutex_unlock(&vmm_shim.lock);
	return n;
}

static void node_free(struct vmm_shim_node *node)
{
	vmm_shim_enter();
	km_close(node->file);
	vmm_shim_leave();
	free(node);
}

void vmm_shim_node_put(struct vmm_shim_node *node)
{
	pthread_mutex_lock(&vmm_shim.lock);
	bool last = --node->refs == 0;
	pthread_cond_broadcast(&vmm_shim.cond);
	pthread_mutex_unlock(&vmm_shim.lock);
	if (last)
		node_free(node);
}

/* Does any fd of this process still refer to the inode? */
static bool inode_in_use(dev_t dev, ino_t ino)
{
	DIR *d = REAL(opendir)("/proc/self/fd");
	struct dirent64 *e;
	bool used = false;

	if (!d)
		return true;	/* cannot tell: keep the file */
	while (!used && (e = REAL(readdir64)(d))) {
		struct stat st;
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == REAL(dirfd)(d))
			continue;
		used = !REAL(fstat)((int)fd, &st) && st.st_ino == ino &&
		       st.st_dev == dev;
	}
	REAL(closedir)(d);
	return used;
}

void vmm_shim_node_release_if_unused(struct vmm_shim_node *node)
{
	if (inode_in_use(node->st_dev, node->st_ino))
		return;
	bool drop = false;
	pthread_mutex_lock(&vmm_shim.lock);
	if (!node->closed) {
		node->closed = true;
		drop = true;
		for (struct vmm_shim_node **l = &vmm_shim.nodes; *l;
		     l = &(*l)->next)
			if (*l == node) {
				*l = node->next;
				__atomic_sub_fetch(&vmm_shim.nnodes, 1,
						   __ATOMIC_RELEASE);
				break;
			}
	}
	pthread_mutex_unlock(&vmm_shim.lock);
	if (drop)
		vmm_shim_node_put(node);
}

int vmm_shim_node_close(int fd)
{
	int ret = REAL(close)(fd);
	int err = errno;

	vmm_shim_fdtab_forget(fd);
	errno = err;
	return ret;
}

void vmm_shim_node_stat(const struct vmm_shim_node *node, struct stat *st)
{
	/* A character device: the mode and rdev of /dev/dri/renderD128;
	 * st_dev and st_ino stay the memfd's, unique per open like a real
	 * node's are per device. */
	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = makedev(226, node->minor);
	st->st_size = 0;
	st->st_blocks = 0;
}

/*
 * Destructor: release every node and mapping the program left open.
 * Waits (bounded) for calls still running on other threads; a node still
 * in use after that is leaked rather than freed under a running call.
 * Returns false when one was (the machine must then stay up).
 */
bool vmm_shim_nodes_release_all(void)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 2;
	pthread_mutex_lock(&vmm_shim.lock);
	vmm_shim.shutdown = true;
	struct vmm_shim_node *orphans = NULL;
	while (vmm_shim.maps) {
		struct vmm_shim_map *m = vmm_shim.maps;
		vmm_shim.maps = m->next;
		/* km_close unmaps it.  A node whose fds were all closed lives
		 * on through its mappings only: free it here. */
		if (--m->node->refs == 0) {
			m->node->next = orphans;
			orphans = m->node;
		}
		free(m);
	}
	vmm_shim.nmaps = 0;
	for (;;) {
		bool busy = false;
		for (struct vmm_shim_node *n = vmm_shim.nodes; n; n = n->next)
			busy |= n->refs > 1;
		if (!busy || pthread_cond_timedwait(&vmm_shim.cond,
						    &vmm_shim.lock, &deadline))
			break;
	}
	struct vmm_shim_node *list = vmm_shim.nodes;
	vmm_shim.nodes = NULL;
	vmm_shim.nnodes = 0;
	vmm_shim_fdtab_clear_locked();
	pthread_mutex_unlock(&vmm_shim.lock);
	while (orphans) {
		struct vmm_shim_node *n = orphans;
		orphans = n->next;
		node_free(n);
	}
	bool all = true;
	while (list) {
		struct vmm_shim_node *n = list;
		list = n->next;
		if (n->refs > 1) {
			all = false;
			vmm_shim_error("exit", "a call on /dev/dri/%s%u is "
					 "still running on another thread; "
					 "its file is left open",
					 n->minor >= 128 ? "renderD" : "card",
					 n->minor);
			continue;
		}
		node_free(n);
	}
	return all;
}
