// SPDX-License-Identifier: MIT
/*
 * Waits on syncobj fences, as drivers/gpu/drm/drm_syncobj.c does them:
 * drm_syncobj_find_fence (a fence to use now, or after waiting for one to
 * be submitted) and drm_syncobj_array_wait_timeout (WAIT and
 * TIMELINE_WAIT).  Sleeping drops dev->lock (the condition variable every
 * fence signal and syncobj change broadcasts); what is waited on is held
 * by references meanwhile.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "kernelmock/km_internal.h"

/* DRM_SYNCOBJ_WAIT_FOR_SUBMIT_TIMEOUT: 5 s for find_fence's wait. */
#define KM_SYNCOBJ_SUBMIT_TIMEOUT_MS 5000

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void waiter_add(struct km_syncobj *so, struct km_syncobj_waiter *w)
{
	w->on_list = true;
	w->next = so->waiters;
	so->waiters = w;
}

static void waiter_remove(struct km_syncobj *so, struct km_syncobj_waiter *w)
{
	for (struct km_syncobj_waiter **l = &so->waiters; *l; l = &(*l)->next)
		if (*l == w) {
			*l = w->next;
			break;
		}
	w->on_list = false;
}

/* The fence at @point now (referenced; NULL for a point whose links are
 * gone); -EINVAL when there is none (drm_syncobj_fence_get plus
 * dma_fence_chain_find_seqno). */
static int fence_at(struct km_syncobj *so, uint64_t point,
		    struct km_chain **out)
{
	struct km_chain *at;

	if (!so->fence || km__chain_find_seqno(so->fence, point, &at))
		return -EINVAL;
	if (at)
		at->refcount++;
	*out = at;
	return 0;
}

/* A NULL fence found for a point means "signalled": dma_fence_get_stub. */
static int stub_if_null(struct km_device *dev, struct km_chain **c)
{
	if (!*c)
		*c = km__chain_stub_locked(dev);
	return *c ? 0 : -ENOMEM;
}

int km__syncobj_find_fence_locked(struct km_file *file, uint32_t handle,
				  uint64_t point, uint32_t flags,
				  struct km_chain **out)
{
	struct km_device *dev = file->dev;
	struct km_syncobj *so = km__syncobj_find_locked(file, handle);
	struct km_syncobj_waiter w = { .point = point };
	int ret;

	if (!so)
		return -ENOENT;
	ret = fence_at(so, point, out);
	if (ret && (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT)) {
		int64_t deadline = km__deadline(KM_SYNCOBJ_SUBMIT_TIMEOUT_MS);

		waiter_add(so, &w);
		ret = -ETIME;
		while (!w.found)
			if (km__cond_timedwait_locked(dev, deadline))
				break;
		if (w.found) {
			*out = w.fence;
			ret = 0;
		}
		if (w.on_list)
			waiter_remove(so, &w);
	}
	if (!ret)
		ret = stub_if_null(dev, out);
	km__syncobj_put_locked(dev, so);
	return ret;
}

struct wait_entry {
	struct km_chain *fence;	/* NULL until one is there */
	struct km_syncobj_waiter w;
};

/* Entries still without a fence take one a waiter was handed (a stub
 * for a point whose links were already gone). */
static void take_found(struct km_device *dev, struct wait_entry *e,
		       uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		if (!e[i].fence && e[i].w.found) {
			e[i].fence = e[i].w.fence;
			e[i].w.fence = NULL;
			e[i].w.found = stub_if_null(dev, &e[i].fence) == 0;
		}
}

/*
 * The first pass of drm_syncobj_array_wait_timeout: every entry's fence
 * now; without WAIT_FOR_SUBMIT or WAIT_AVAILABLE a missing one is
 * -EINVAL.  Returns how many count as signalled, with *first the first
 * of them.
 */
static int first_pass(struct km_device *dev, struct km_syncobj **so,
		      const uint64_t *points, uint32_t count, uint32_t flags,
		      struct wait_entry *e, uint32_t *first)
{
	uint32_t n = 0;
	int ret;

	for (uint32_t i = 0; i < count; i++) {
		e[i].w.point = points ? points[i] : 0;
		if (fence_at(so[i], e[i].w.point, &e[i].fence)) {
			if (flags & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE))
				continue;
			return -EINVAL;
		}
		ret = stub_if_null(dev, &e[i].fence);
		if (ret)
			return ret;
		if ((flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) ||
		    km__chain_signaled(e[i].fence)) {
			if (n == 0)
				*first = i;
			n++;
		}
	}
	return (int)n;
}

/* One look of the wait loop: 1 when done (*first set for "any"). */
static int look(struct km_device *dev, struct wait_entry *e, uint32_t count,
		uint32_t flags, uint32_t *first)
{
	uint32_t n = 0;

	take_found(dev, e, count);
	for (uint32_t i = 0; i < count; i++) {
		if (!e[i].fence)
			continue;
		if ((flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) ||
		    km__chain_signaled(e[i].fence)) {
			if (!(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL)) {
				*first = i;
				return 1;
			}
			n++;
		}
	}
	return n == count;
}

/*
 * drm_timeout_abs_to_jiffies: @timeout_nsec is an absolute
 * CLOCK_MONOTONIC time; 0 (or a time passed) means one look only.
 */
int km__syncobj_array_wait_locked(struct km_device *dev,
				  struct km_syncobj **so, const uint64_t *points,
				  uint32_t count, uint32_t flags,
				  int64_t timeout_nsec, uint32_t *first)
{
	struct wait_entry *e = calloc(count, sizeof(*e));
	bool submit = flags & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
			       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE);
	int ret;

	if (!e)
		return -ENOMEM;
	ret = first_pass(dev, so, points, count, flags, e, first);
	if (ret < 0)
		goto cleanup;
	if ((uint32_t)ret == count ||
	    (ret > 0 && !(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL))) {
		ret = 0;
		goto cleanup;
	}
	/* drm_syncobj_fence_add_wait: a point not there yet is handed over
	 * by whoever adds it, even if the syncobj changes again before we
	 * look. */
	for (uint32_t i = 0; submit && i < count; i++)
		if (!e[i].fence)
			waiter_add(so[i], &e[i].w);
	for (;;) {
		if (look(dev, e, count, flags, first)) {
			ret = 0;
			break;
		}
		if (timeout_nsec <= now_ns() ||
		    km__cond_timedwait_locked(dev, timeout_nsec)) {
			/* A last look, as schedule_timeout returning 0
			 * leads to one more pass in the kernel. */
			ret = look(dev, e, count, flags, first) ? 0 : -ETIME;
			break;
		}
	}
cleanup:
	for (uint32_t i = 0; i < count; i++) {
		if (e[i].w.on_list)
			waiter_remove(so[i], &e[i].w);
		km__chain_put(e[i].w.fence);
		km__chain_put(e[i].fence);
	}
	free(e);
	return ret;
}
