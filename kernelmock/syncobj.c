// SPDX-License-Identifier: MIT
/*
 * DRM syncobjs with the generic semantics of drivers/gpu/drm/drm_syncobj.c
 * (the objects, their handles and fds, the fences they hold); the ioctls
 * are in syncobj_ioctl.c, the host-side waits in syncobj_wait.c.
 *
 * A syncobj holds NULL or a km_chain, the dma_fence it points to: either
 * a plain fence (a set of km_fences, as a sync_file or dma_fence_array
 * has: one after a submit, several after a sync_file import, one already
 * signalled stub after SIGNAL) or a dma_fence_chain link (a timeline
 * point: its fence, its seqno and the previous link).  A point is
 * signalled when its own fences and every earlier link's are
 * (dma_fence_chain_signaled).  Links whose own fences have signalled are
 * dropped as the chain is walked, as dma_fence_chain_walk does, so a
 * timeline only keeps what is still pending.
 *
 * A syncobj fd (HANDLE_TO_FD) is one end of a Unix socket pair whose
 * other end we keep, shut for writing: the program's end then polls
 * POLLIN | POLLOUT at once and for good, which is what poll(2) gives on
 * Linux's syncobj file (drm_syncobj_file_fops has no .poll, so vfs_poll
 * answers DEFAULT_POLLMASK).  Its inode identifies it in FD_TO_HANDLE;
 * when the program has closed every copy (our end polls POLLHUP) the
 * file's reference is dropped (drm_syncobj_file_release).
 *
 * Everything here runs under dev->lock.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "kernelmock/km_internal.h"
#include "sim/log.h"

/* --- fences and chain links --- */

static void fences_put(struct km_fence **f, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		km__fence_put(f[i]);
	free(f);
}

struct km_chain *km__chain_alloc(void)
{
	struct km_chain *c = calloc(1, sizeof(*c));
	if (c)
		c->refcount = 1;
	return c;
}

void km__chain_put(struct km_chain *c)
{
	while (c && --c->refcount == 0) {
		struct km_chain *prev = c->prev;
		fences_put(c->fences, c->nfences);
		free(c);
		c = prev;
	}
}

static struct km_chain *chain_get(struct km_chain *c)
{
	if (c)
		c->refcount++;
	return c;
}

/* dma_fence_allocate_private_stub: a fence that signalled when made.  Its
 * own timeline, so that no merge or own-context check mistakes it for a
 * virtio-gpu fence. */
static struct km_fence *stub_fence(void)
{
	struct km_fence *f = km__fence_alloc(KM_STUB_TIMELINE, 0, false);
	struct timespec ts;

	if (!f)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	f->signaled = true;
	f->signal_ns = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	return f;
}

/* Fill @c (fresh from km__chain_alloc) with a reference on each fence. */
int km__chain_set_fences(struct km_chain *c, struct km_fence **f,
			 unsigned n)
{
	c->fences = calloc(n ? n : 1, sizeof(*c->fences));
	if (!c->fences)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		km__fence_get(f[i]);
		c->fences[c->nfences++] = f[i];
	}
	return 0;
}

static bool own_signaled(const struct km_chain *c)
{
	for (unsigned i = 0; i < c->nfences; i++)
		if (!c->fences[i]->signaled)
			return false;
	return true;
}

/* dma_fence_chain_signaled: its fences and every earlier link's. */
bool km__chain_signaled(const struct km_chain *c)
{
	for (; c; c = c->prev)
		if (!own_signaled(c))
			return false;
	return true;
}

/*
 * dma_fence_chain_walk: the link before @c, after dropping the links
 * before it whose own fences have signalled (a plain fence that has
 * signalled goes too).  NULL at the end.
 */
struct km_chain *km__chain_walk(struct km_chain *c)
{
	struct km_chain *p;

	while ((p = c->prev) && own_signaled(p)) {
		c->prev = p->is_chain ? chain_get(p->prev) : NULL;
		km__chain_put(p);
	}
	return c->prev;
}

/*
 * dma_fence_chain_find_seqno: the link that signals point @seqno of the
 * timeline @c heads (0: @c itself).  -EINVAL when @c is no timeline or the
 * point was never added.  *out may be NULL: the point has signalled and
 * its links are gone (the caller then uses a stub).
 */
int km__chain_find_seqno(struct km_chain *c, uint64_t seqno,
			 struct km_chain **out)
{
	struct km_chain *cur = c;

	*out = c;
	if (!seqno)
		return 0;
	if (!c || !c->is_chain || c->seqno < seqno)
		return -EINVAL;
	while (cur && cur->is_chain && cur->context == c->context &&
	       cur->prev_seqno >= seqno)
		cur = km__chain_walk(cur);
	*out = cur;
	return 0;
}

void km__chain_for_each_fence(struct km_chain *c,
			      void (*fn)(struct km_fence *f, void *data),
			      void *data)
{
	for (; c; c = c->prev)
		for (unsigned i = 0; i < c->nfences; i++)
			fn(c->fences[i], data);
}

/* --- the syncobj --- */

int km__syncobj_create_locked(struct km_device *dev, bool signaled,
			      struct km_syncobj **out)
{
	struct km_syncobj *so = calloc(1, sizeof(*so));

	if (!so)
		return -ENOMEM;
	so->refcount = 1;
	dev->stats.syncobjs++;
	if (signaled) {
		int ret = km__syncobj_signal_locked(dev, so);
		if (ret) {
			km__syncobj_put_locked(dev, so);
			return ret;
		}
	}
	*out = so;
	return 0;
}

void km__syncobj_put_locked(struct km_device *dev, struct km_syncobj *so)
{
	if (!so || --so->refcount)
		return;
	/* drm_syncobj_free: a reference held by a waiter keeps it. */
	km__chain_put(so->fence);
	dev->stats.syncobjs--;
	free(so);
}

/*
 * Give the new fence to waiters that wait for a point to appear
 * (syncobj_wait_syncobj_func), then wake every sleeper: they look again.
 */
static void wake_waiters_locked(struct km_device *dev, struct km_syncobj *so)
{
	struct km_syncobj_waiter **link = &so->waiters;

	while (*link) {
		struct km_syncobj_waiter *w = *link;
		struct km_chain *at;

		if (!so->fence || km__chain_find_seqno(so->fence, w->point, &at)) {
			link = &w->next;
			continue;
		}
		w->found = true;
		w->fence = chain_get(at);
		*link = w->next;
		w->next = NULL;
		w->on_list = false;
	}
	pthread_cond_broadcast(&dev->cond);
}

/* drm_syncobj_replace_fence with a fence already wrapped in a link. */
void km__syncobj_replace_chain_locked(struct km_device *dev,
				      struct km_syncobj *so,
				      struct km_chain *c)
{
	struct km_chain *old = so->fence;

	so->fence = chain_get(c);
	if (c != old)
		wake_waiters_locked(dev, so);
	km__chain_put(old);
}

void km__syncobj_replace_fence_locked(struct km_device *dev,
				      struct km_syncobj *so,
				      struct km_fence *f)
{
	struct km_chain *c = NULL;

	if (f) {
		c = km__chain_alloc();
		if (!c || km__chain_set_fences(c, &f, 1)) {
			/* The kernel cannot fail here: it stores the fence
			 * itself.  Say so instead of dropping it quietly. */
			SIM_ERROR(KM_LAYER, "out of memory: syncobj fence lost");
			km__chain_put(c);
			return;
		}
		c->context = ++dev->next_chain_ctx;
	}
	km__syncobj_replace_chain_locked(dev, so, c);
	km__chain_put(c);
}

/* A plain fence that is the stub, or NULL (no memory). */
struct km_chain *km__chain_stub_locked(struct km_device *dev)
{
	struct km_fence *stub = stub_fence();
	struct km_chain *c = km__chain_alloc();

	if (!stub || !c || km__chain_set_fences(c, &stub, 1)) {
		km__fence_put(stub);
		km__chain_put(c);
		return NULL;
	}
	km__fence_put(stub);
	c->context = ++dev->next_chain_ctx;
	return c;
}

/* drm_syncobj_assign_null_handle: an already signalled stub. */
int km__syncobj_signal_locked(struct km_device *dev, struct km_syncobj *so)
{
	struct km_chain *c = km__chain_stub_locked(dev);

	if (!c)
		return -ENOMEM;
	km__syncobj_replace_chain_locked(dev, so, c);
	km__chain_put(c);
	return 0;
}

/*
 * drm_syncobj_add_point with dma_fence_chain_init: the new link continues
 * the previous one's context when it is a link with a lower seqno,
 * otherwise it starts a context of its own (an unordered point gets the
 * larger seqno of the two).  @link's fences are set already; it is
 * consumed.  Then one walk to drop what has signalled.
 */
void km__syncobj_add_chain_locked(struct km_device *dev,
				  struct km_syncobj *so,
				  struct km_chain *link, uint64_t point)
{
	struct km_chain *prev = so->fence;	/* the link takes it over */

	link->is_chain = true;
	link->prev = prev;
	if (prev && prev->is_chain && point > prev->seqno) {
		link->context = prev->context;
		link->prev_seqno = prev->seqno;
		link->seqno = point;
	} else {
		if (prev && prev->is_chain && prev->seqno > point) {
			SIM_DEBUG(SIM_DEBUG_FENCE, KM_LAYER, "syncobj point "
				  "%llu added after %llu: unordered timeline",
				  (unsigned long long)point,
				  (unsigned long long)prev->seqno);
			point = prev->seqno;
		}
		link->context = ++dev->next_chain_ctx;
		link->seqno = point;
	}
	so->fence = link;
	wake_waiters_locked(dev, so);
	for (struct km_chain *c = link; c && c->is_chain;)
		c = km__chain_walk(c);
}

void km__syncobj_add_point_locked(struct km_device *dev,
				  struct km_syncobj *so, struct km_chain *link,
				  struct km_fence *f, uint64_t point)
{
	if (km__chain_set_fences(link, &f, 1)) {
		SIM_ERROR(KM_LAYER, "out of memory: syncobj point %llu lost",
			  (unsigned long long)point);
		km__chain_put(link);
		return;
	}
	km__syncobj_add_chain_locked(dev, so, link, point);
}

/* --- handles (drm_file's syncobj_idr) --- */

struct km_syncobj *km__syncobj_find_locked(struct km_file *file,
					   uint32_t handle)
{
	struct km_syncobj *so;

	if (handle == 0 || handle >= file->nsyncobjs)
		return NULL;
	so = file->syncobjs[handle];
	if (so)
		so->refcount++;
	return so;
}

/* drm_syncobj_get_handle: idr_alloc from 1, the lowest free handle; the
 * table takes a reference of its own. */
int km__syncobj_handle_create_locked(struct km_file *file,
				     struct km_syncobj *so, uint32_t *handle)
{
	uint32_t h = 1;

	while (h < file->nsyncobjs && file->syncobjs[h])
		h++;
	if (h >= file->nsyncobjs) {
		uint32_t n = file->nsyncobjs ? 2 * file->nsyncobjs : 16;
		struct km_syncobj **t;

		if (n > (1u << 24))	/* far past any program's need */
			return -ENOSPC;
		t = realloc(file->syncobjs, n * sizeof(*t));
		if (!t)
			return -ENOMEM;
		memset(t + file->nsyncobjs, 0,
		       (n - file->nsyncobjs) * sizeof(*t));
		file->syncobjs = t;
		file->nsyncobjs = n;
	}
	so->refcount++;
	file->syncobjs[h] = so;
	*handle = h;
	return 0;
}

/* drm_syncobj_destroy: idr_remove, -EINVAL for a handle not in use. */
int km__syncobj_handle_delete_locked(struct km_file *file, uint32_t handle)
{
	struct km_syncobj *so;

	if (handle == 0 || handle >= file->nsyncobjs ||
	    !(so = file->syncobjs[handle]))
		return -EINVAL;
	file->syncobjs[handle] = NULL;
	km__syncobj_put_locked(file->dev, so);
	return 0;
}

void km__syncobj_file_release_locked(struct km_file *file)
{
	for (uint32_t h = 1; h < file->nsyncobjs; h++)
		if (file->syncobjs[h])
			km__syncobj_handle_delete_locked(file, h);
	free(file->syncobjs);
	file->syncobjs = NULL;
	file->nsyncobjs = 0;
}

/* --- syncobj fds --- */

/* drm_syncobj_get_fd: a new file (and fd, O_CLOEXEC) for each call. */
int km__syncobj_fd_create_locked(struct km_device *dev, struct km_syncobj *so)
{
	struct km_syncobj_file *sf;
	struct stat st;
	int p[2];

	km__syncobj_files_collect_locked(dev, false);
	sf = calloc(1, sizeof(*sf));
	if (!sf)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p)) {
		int err = -errno;
		free(sf);
		return err;
	}
	/* Our end shut for writing: the program's end reads end-of-file,
	 * so it polls readable (and writable) from now on. */
	shutdown(p[1], SHUT_WR);
	fstat(p[0], &st);
	sf->wfd = p[1];
	sf->ino = st.st_ino;
	sf->so = so;
	so->refcount++;
	sf->next = dev->syncobj_files;
	dev->syncobj_files = sf;
	return p[0];
}

/* The syncobj behind a program's syncobj fd (a new reference), or NULL:
 * not a syncobj file. */
struct km_syncobj *km__syncobj_fd_lookup_locked(struct km_device *dev, int fd)
{
	struct stat st;

	if (fd < 0 || fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return NULL;
	for (struct km_syncobj_file *sf = dev->syncobj_files; sf;
	     sf = sf->next)
		if (sf->ino == st.st_ino) {
			sf->so->refcount++;
			return sf->so;
		}
	return NULL;
}

static bool holder_gone(int wfd)
{
	struct pollfd p = { .fd = wfd, .events = 0 };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

void km__syncobj_files_collect_locked(struct km_device *dev, bool all)
{
	struct km_syncobj_file **link = &dev->syncobj_files;

	while (*link) {
		struct km_syncobj_file *sf = *link;

		if (!all && !holder_gone(sf->wfd)) {
			link = &sf->next;
			continue;
		}
		*link = sf->next;
		close(sf->wfd);
		km__syncobj_put_locked(dev, sf->so);
		free(sf);
	}
}
