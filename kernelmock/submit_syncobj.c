// SPDX-License-Identifier: MIT
/*
 * EXECBUFFER's syncobj arrays (Linux virtgpu_submit.c since 6.6, commit
 * 7cb8d1ab8cbd "drm/virtio: Support sync objects"): out-syncobjs parsed
 * first (virtio_gpu_parse_post_deps), then in-syncobjs, whose fences are
 * waited for (virtio_gpu_parse_deps); once the submit is queued its fence
 * replaces each out-syncobj's fence or becomes a timeline point on it
 * (virtio_gpu_process_post_deps); cleanup resets the in-syncobjs marked
 * VIRTGPU_EXECBUF_SYNCOBJ_RESET, also when a later step failed.
 *
 * Each entry is read with min(syncobj_stride, 16) bytes, the rest zero:
 * the stride itself is never checked.  submit.c calls these steps; they
 * fill the struct km_submit_syncobjs inside its struct km_submit.
 * Without DRIVER_SYNCOBJ (6.1) the fields are not part of the struct the
 * kernel reads, so nothing here runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kernelmock/km_internal.h"

/* kvcalloc falls back to vmalloc, which refuses more than INT_MAX bytes
 * (as submit.c's bo list). */
static bool kvalloc_ok(uint64_t n, uint64_t size)
{
	return n * size <= INT_MAX;
}

static int read_desc(uint64_t base, uint32_t i, uint32_t stride,
		     struct drm_virtgpu_execbuffer_syncobj *d)
{
	size_t len = stride < sizeof(*d) ? stride : sizeof(*d);

	memset(d, 0, sizeof(*d));
	return km__copy_from_user(d, base + (uint64_t)i * stride, len);
}

static void free_post_deps(struct km_device *dev,
			   struct km_submit_post_dep *pd, uint32_t n)
{
	while (n--) {
		km__chain_put(pd[n].chain);
		km__syncobj_put_locked(dev, pd[n].syncobj);
	}
	free(pd);
}

/* virtio_gpu_parse_post_deps: any flag is -EINVAL (none is defined for
 * out-syncobjs), an unknown handle -EINVAL. */
int km__submit_parse_post_deps(struct km_file *file,
			       const struct drm_virtgpu_execbuffer *exbuf,
			       struct km_submit_syncobjs *s)
{
	uint32_t n = exbuf->num_out_syncobjs, i;
	struct drm_virtgpu_execbuffer_syncobj d;
	struct km_submit_post_dep *pd;
	int ret = 0;

	if (!file->dev->has_syncobj || !n)
		return 0;
	pd = kvalloc_ok(n, sizeof(*pd)) ? calloc(n, sizeof(*pd)) : NULL;
	if (!pd)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ret = read_desc(exbuf->out_syncobjs, i, exbuf->syncobj_stride,
				&d);
		if (ret)
			break;
		pd[i].point = d.point;
		if (d.flags) {
			ret = -EINVAL;
			break;
		}
		if (d.point && !(pd[i].chain = km__chain_alloc())) {
			ret = -ENOMEM;
			break;
		}
		pd[i].syncobj = km__syncobj_find_locked(file, d.handle);
		if (!pd[i].syncobj) {
			km__chain_put(pd[i].chain);
			pd[i].chain = NULL;
			ret = -EINVAL;
			break;
		}
	}
	if (ret) {
		free_post_deps(file->dev, pd, i);
		return ret;
	}
	s->post_deps = pd;
	s->num_out_syncobjs = n;
	return 0;
}

struct dep_fences {
	struct km_fence **f;
	unsigned n, cap;
	int err;
};

/* Take a reference on each unwrapped fence first: sleeping drops
 * dev->lock, and a walk of the chain meanwhile may free its links. */
static void gather_fn(struct km_fence *f, void *data)
{
	struct dep_fences *d = data;

	if (d->err)
		return;
	if (d->n == d->cap) {
		unsigned cap = d->cap ? 2 * d->cap : 4;
		struct km_fence **nf = realloc(d->f, cap * sizeof(*nf));
		if (!nf) {
			d->err = -ENOMEM;
			return;
		}
		d->f = nf;
		d->cap = cap;
	}
	km__fence_get(f);
	d->f[d->n++] = f;
}

/* virtio_gpu_dma_fence_wait: a fence of the submit's own timeline is
 * ordered by the device; others are waited for without a time limit
 * (dma_fence_wait). */
static int wait_fences(struct km_device *dev, struct km_chain *c,
		       uint64_t timeline)
{
	struct dep_fences d = { 0 };

	km__chain_for_each_fence(c, gather_fn, &d);
	for (unsigned i = 0; i < d.n; i++) {
		while (!d.err && d.f[i]->timeline != timeline &&
		       !d.f[i]->signaled)
			pthread_cond_wait(&dev->cond, &dev->lock);
		km__fence_put(d.f[i]);
	}
	free(d.f);
	return d.err;
}

static void free_syncobjs(struct km_device *dev, struct km_syncobj **so,
			  uint32_t n)
{
	while (n--)
		km__syncobj_put_locked(dev, so[n]);
	free(so);
}

/* One in-syncobj: its fence (drm_syncobj_find_fence: -ENOENT unknown
 * handle, -EINVAL no fence or point), the wait, then the reference kept
 * for the reset. */
static int parse_dep(struct km_file *file, const struct
		     drm_virtgpu_execbuffer_syncobj *d, uint64_t timeline,
		     struct km_syncobj **reset)
{
	struct km_chain *c;
	int ret;

	if (d->flags & ~VIRTGPU_EXECBUF_SYNCOBJ_FLAGS)
		return -EINVAL;
	ret = km__syncobj_find_fence_locked(file, d->handle, d->point, 0, &c);
	if (ret)
		return ret;
	ret = wait_fences(file->dev, c, timeline);
	km__chain_put(c);
	if (ret)
		return ret;
	if (d->flags & VIRTGPU_EXECBUF_SYNCOBJ_RESET) {
		*reset = km__syncobj_find_locked(file, d->handle);
		if (!*reset)
			return -EINVAL;	/* destroyed while we waited */
	}
	return 0;
}

/* virtio_gpu_parse_deps */
int km__submit_parse_deps(struct km_file *file,
			  const struct drm_virtgpu_execbuffer *exbuf,
			  uint64_t timeline, struct km_submit_syncobjs *s)
{
	uint32_t n = exbuf->num_in_syncobjs, i;
	struct drm_virtgpu_execbuffer_syncobj d;
	struct km_syncobj **so;
	int ret = 0;

	if (!file->dev->has_syncobj || !n)
		return 0;
	so = kvalloc_ok(n, sizeof(*so)) ? calloc(n, sizeof(*so)) : NULL;
	if (!so)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ret = read_desc(exbuf->in_syncobjs, i, exbuf->syncobj_stride,
				&d);
		if (!ret)
			ret = parse_dep(file, &d, timeline, &so[i]);
		if (ret)
			break;
	}
	if (ret) {
		/* Not reset: only a submit that got past this step resets. */
		free_syncobjs(file->dev, so, i);
		return ret;
	}
	s->in_syncobjs = so;
	s->num_in_syncobjs = n;
	return 0;
}

void km__submit_process_post_deps(struct km_device *dev,
				  struct km_submit_syncobjs *s,
				  struct km_fence *fence)
{
	for (uint32_t i = 0; i < s->num_out_syncobjs; i++) {
		struct km_submit_post_dep *pd = &s->post_deps[i];

		if (pd->chain) {
			km__syncobj_add_point_locked(dev, pd->syncobj,
						     pd->chain, fence,
						     pd->point);
			pd->chain = NULL;	/* the syncobj's now */
		} else {
			km__syncobj_replace_fence_locked(dev, pd->syncobj,
							 fence);
		}
	}
}

void km__submit_syncobjs_cleanup(struct km_device *dev,
				 struct km_submit_syncobjs *s)
{
	for (uint32_t i = 0; i < s->num_in_syncobjs; i++)
		if (s->in_syncobjs[i])
			km__syncobj_replace_fence_locked(dev,
							 s->in_syncobjs[i],
							 NULL);
	free_syncobjs(dev, s->in_syncobjs, s->num_in_syncobjs);
	free_post_deps(dev, s->post_deps, s->num_out_syncobjs);
	*s = (struct km_submit_syncobjs){ 0 };
}
