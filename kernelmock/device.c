// SPDX-License-Identifier: MIT
/*
 * Driver bring-up and teardown (Linux virtgpu_kms.c's role), the device
 * file (open, close, mmap) and the ioctl entry point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/virtio_config.h>

#include "kernelmock/km_internal.h"
#include "sim/hostmem.h"
#include "sim/log.h"
#include "sim/trace.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

#define KM_QUEUE_SIZE 256
/* First fake mmap offset, above any real file offset (DRM does the same
 * with DRM_FILE_PAGE_OFFSET_START). */
#define KM_MAP_OFFSET_START (1ull << 32)

/* The features this driver knows (virtio_gpu_driver's feature table). */
static const uint64_t km_driver_features =
	(1ull << VIRTIO_GPU_F_VIRGL) | (1ull << VIRTIO_GPU_F_EDID) |
	(1ull << VIRTIO_GPU_F_RESOURCE_UUID) |
	(1ull << VIRTIO_GPU_F_RESOURCE_BLOB) |
	(1ull << VIRTIO_GPU_F_CONTEXT_INIT) | (1ull << VIRTIO_F_VERSION_1);

static const struct sim_driver_ops km_driver_ops = {
	.interrupt = km__interrupt,
};

static int setup_queue(struct km_device *dev, unsigned index,
		       struct sim_vqd **out)
{
	uint16_t size = sim_transport_queue_size_of(dev->transport, index);
	if (size > KM_QUEUE_SIZE)
		size = KM_QUEUE_SIZE;
	int ret = sim_vqd_create(dev->ram, size, out);
	if (ret)
		return ret;
	uint64_t desc, avail, used;
	sim_vqd_addrs(*out, &desc, &avail, &used);
	return sim_transport_setup_queue(dev->transport, index, size, desc,
					 avail, used);
}

/* virtio_gpu_get_capsets: ask for each capset's id, version and size. */
static int query_capsets(struct km_device *dev, uint32_t num)
{
	if (num > KM_MAX_CAPSETS)
		num = KM_MAX_CAPSETS;
	pthread_mutex_lock(&dev->lock);
	for (uint32_t i = 0; i < num; i++) {
		struct km_vbuf *vbuf;
		int ret = km_cmd_get_capset_info(dev, i, &vbuf);
		if (ret) {
			pthread_mutex_unlock(&dev->lock);
			return ret;
		}
		km__notify_locked(dev);
		ret = km__vbuf_wait_locked(dev, vbuf, KM_CAPSET_TIMEOUT_MS);
		if (ret == -ETIME) {
			/* The device may still answer: the interrupt handler
			 * frees the vbuf then. */
			vbuf->waited = false;
			SIM_ERROR(KM_LAYER, "timed out waiting for capset %u", i);
			pthread_mutex_unlock(&dev->lock);
			return -EIO;
		}
		struct virtio_gpu_resp_capset_info *resp = km__vbuf_resp(vbuf);
		if (ret == VIRTIO_GPU_RESP_OK_CAPSET_INFO) {
			struct km_capset *cs = &dev->capsets[dev->num_capsets++];
			cs->id = le32toh(resp->capset_id);
			cs->max_version = le32toh(resp->capset_max_version);
			cs->max_size = le32toh(resp->capset_max_size);
			if (cs->id <= KM_MAX_CAPSET_ID)
				dev->capset_id_mask |= 1ull << cs->id;
		} else {
			SIM_ERROR(KM_LAYER, "GET_CAPSET_INFO %u answered 0x%x", i, ret);
		}
		km__vbuf_free(dev, vbuf);
	}
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

static void fail_probe(struct km_device *dev, const char *why)
{
	SIM_ERROR(KM_LAYER, "virtio-gpu probe failed: %s", why);
	sim_transport_set_status(dev->transport,
				 sim_transport_get_status(dev->transport) |
					 VIRTIO_CONFIG_S_FAILED);
}

/* virtio 1.2 3.1.1 "Driver Requirements: Device Initialization". */
static int probe(struct km_device *dev)
{
	struct sim_transport *t = dev->transport;
	if (sim_transport_device_id(t) != 16) {
		SIM_ERROR(KM_LAYER, "no virtio-gpu device on the transport");
		return -ENODEV;
	}
	sim_transport_set_status(t, 0);
	sim_transport_set_status(t, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	sim_transport_set_status(t, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				    VIRTIO_CONFIG_S_DRIVER);
	/* 7.2 added VIRTIO_GPU_F_BLOB_ALIGNMENT to the table (7b5121c3). */
	uint64_t known = km_driver_features;
	if (dev->kv->blob_alignment)
		known |= 1ull << SIM_GPU_F_BLOB_ALIGNMENT;
	dev->features = sim_transport_offered_features(t) & known;
	if (sim_transport_set_driver_features(t, dev->features) ||
	    sim_transport_set_status(t, sim_transport_get_status(t) |
					VIRTIO_CONFIG_S_FEATURES_OK) ||
	    !(sim_transport_get_status(t) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		fail_probe(dev, "the device refused FEATURES_OK");
		return -EIO;
	}
	dev->has_virgl_3d = dev->features & (1ull << VIRTIO_GPU_F_VIRGL);
	dev->has_edid = dev->features & (1ull << VIRTIO_GPU_F_EDID);
	dev->has_resource_uuid = dev->features & (1ull << VIRTIO_GPU_F_RESOURCE_UUID);
	dev->has_resource_blob = dev->features & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB);
	dev->has_context_init = dev->features & (1ull << VIRTIO_GPU_F_CONTEXT_INIT);
	/* virtio_get_shm_region(VIRTIO_GPU_SHM_ID_HOST_VISIBLE) */
	dev->host_visible = sim_transport_get_shm(t, SIM_SHM_ID_HOST_VISIBLE);
	dev->has_host_visible = dev->host_visible != NULL;

	struct virtio_gpu_config cfg;
	if (sim_transport_read_config(t, 0, &cfg, sizeof(cfg))) {
		fail_probe(dev, "config space is smaller than virtio_gpu_config");
		return -EIO;
	}
	dev->num_scanouts = le32toh(cfg.num_scanouts);
	dev->has_blob_alignment =
		dev->features & (1ull << SIM_GPU_F_BLOB_ALIGNMENT);
	if (dev->has_blob_alignment) {
		struct sim_gpu_config full;
		if (sim_transport_read_config(t, 0, &full, sizeof(full))) {
			/* Linux reads it with virtio_cread_le; past the
			 * device's config structure virtio-pci's vp_get
			 * hits BUG_ON(offset + len > device_len): the
			 * driver never binds (crosvm's bit 5, 2023-2026). */
			fail_probe(dev, "BLOB_ALIGNMENT negotiated but the "
				   "config space has no blob_alignment (Linux: "
				   "BUG_ON in virtio-pci's vp_get)");
			return -EIO;
		}
		dev->blob_alignment = le32toh(full.blob_alignment);
	}
	/* virtio_gpu_init (virtgpu_kms.c) reads num_capsets whatever was
	 * negotiated and, when it is not 0, asks for every capset it counts;
	 * a device without 3D says 0. */
	uint32_t num_capsets = le32toh(cfg.num_capsets);

	sim_transport_bind_driver(t, &km_driver_ops, dev);
	if (setup_queue(dev, 0, &dev->ctrlq) || setup_queue(dev, 1, &dev->cursorq)) {
		fail_probe(dev, "virtqueue set-up failed");
		return -EIO;
	}
	if (sim_transport_set_status(t, sim_transport_get_status(t) |
					VIRTIO_CONFIG_S_DRIVER_OK)) {
		fail_probe(dev, "DRIVER_OK refused");
		return -EIO;
	}
	if (query_capsets(dev, num_capsets)) {
		fail_probe(dev, "capset discovery failed");
		return -EIO;
	}
	return 0;
}

static void free_queues(struct km_device *dev)
{
	sim_vqd_destroy(dev->ctrlq);
	sim_vqd_destroy(dev->cursorq);
	dev->ctrlq = dev->cursorq = NULL;
}

int km_device_create(struct sim_ram *ram, struct sim_transport *t,
		     const struct km_kversion *kv, struct km_device **out)
{
	struct km_device *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->kv = kv ? kv : km_kversion_default();
	dev->has_syncobj = dev->kv->syncobj;
	dev->ram = ram;
	dev->transport = t;
	dev->next_map_offset = KM_MAP_OFFSET_START;
	dev->next_fence_ctx = 1;	/* 0 is the global timeline */
	pthread_mutex_init(&dev->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&dev->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&dev->worker_cond, NULL);

	int ret = probe(dev);
	if (ret)
		goto err_reset;
	ret = km__worker_start(dev);
	if (ret)
		goto err_reset;
	*out = dev;
	return 0;

err_reset:
	sim_transport_set_status(t, 0);
	sim_transport_bind_driver(t, NULL, NULL);
	free_queues(dev);
	pthread_cond_destroy(&dev->worker_cond);
	pthread_cond_destroy(&dev->cond);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
	return ret;
}

/*
 * Let the device answer what is in flight (unrefs, fences) so that every
 * vbuf and page comes back before the reset.  Answers hand objects to the
 * worker, whose puts may queue more unrefs: drain both until neither has
 * anything left.
 */
static void drain_locked(struct km_device *dev)
{
	int64_t deadline = km__deadline(KM_TEARDOWN_STALL_MS);
	unsigned left = dev->stats.inflight;
	for (;;) {
		km__worker_flush_locked(dev);
		if (!dev->stats.inflight)
			return;
		/* A device still answering gets more time; one that made
		 * no progress for KM_TEARDOWN_STALL_MS never will answer the
		 * rest (a held fence, a hung renderer): they are freed
		 * after the reset. */
		if (dev->stats.inflight < left) {
			left = dev->stats.inflight;
			deadline = km__deadline(KM_TEARDOWN_STALL_MS);
		}
		if (km__cond_timedwait_locked(dev, deadline)) {
			SIM_ERROR(KM_LAYER, "%u commands still in flight at "
				  "teardown; freed after the reset",
				  dev->stats.inflight);
			return;
		}
	}
}

/* What the driver still holds once the device is reset and unbound. */
static void free_driver_state(struct km_device *dev)
{
	pthread_mutex_lock(&dev->lock);
	km__syncobj_files_collect_locked(dev, true);
	pthread_mutex_unlock(&dev->lock);
	km__sync_files_release(dev);
	while (dev->hv_used) {
		struct km_hv_range *r = dev->hv_used;
		dev->hv_used = r->next;
		free(r);
	}
	free(dev->flink);
	free(dev->ctx_ids);
	while (dev->fence_pending) {
		struct km_fence *f = dev->fence_pending;
		dev->fence_pending = f->next_pending;
		km__fence_put(f);
	}
	while (dev->capset_cache) {
		struct km_capset_cache *c = dev->capset_cache;
		dev->capset_cache = c->next;
		free(c->data);
		free(c);
	}
}

void km_device_destroy(struct km_device *dev)
{
	if (!dev)
		return;
	/* Files still open go as at the end of a process: closed, which
	 * also ends reads blocked on them (km_read). */
	pthread_mutex_lock(&dev->lock);
	if (dev->files)
		SIM_ERROR(KM_LAYER, "device destroyed with files still open; "
			  "closing them");
	while (dev->files) {
		struct km_file *file = dev->files;
		pthread_mutex_unlock(&dev->lock);
		km_close(file);
		pthread_mutex_lock(&dev->lock);
	}
	/* dma-bufs the program still holds die with the "VM". */
	km__prime_collect_locked(dev, true);
	km__notify_locked(dev);
	drain_locked(dev);
	pthread_mutex_unlock(&dev->lock);
	km__worker_stop(dev);

	/* Reset without the lock: the device thread may need it to finish
	 * an interrupt before it can acknowledge the reset. */
	sim_transport_set_status(dev->transport, 0);
	sim_transport_bind_driver(dev->transport, NULL, NULL);
	pthread_mutex_lock(&dev->lock);
	dev->unplugged = true;
	km__worker_put_left_locked(dev);
	km__vbufs_cancel_locked(dev);
	pthread_mutex_unlock(&dev->lock);
	free_queues(dev);
	free_driver_state(dev);
	pthread_cond_destroy(&dev->worker_cond);
	pthread_cond_destroy(&dev->cond);
	pthread_mutex_destroy(&dev->lock);
	free(dev);
}

/*
 * Lockstep: return only once the device finished what we kicked.  Answers
 * hand dropped objects to the worker, whose unrefs are kicked later; wait
 * for those too, so that a lockstep run stays reproducible.
 */
static void settle(struct km_device *dev)
{
	sim_transport_wait_idle(dev->transport);
	if (!sim_transport_lockstep(dev->transport))
		return;
	pthread_mutex_lock(&dev->lock);
	km__worker_flush_locked(dev);
	pthread_mutex_unlock(&dev->lock);
	sim_transport_wait_idle(dev->transport);
}

/* ida_alloc: the lowest free id (ctx_id = index + 1), so that the ids of
 * closed files come back as on Linux. */
static int ctx_id_alloc_locked(struct km_device *dev)
{
	uint32_t w = 0;

	while (w < dev->ctx_ids_words && dev->ctx_ids[w] == UINT64_MAX)
		w++;
	if (w == dev->ctx_ids_words) {
		uint32_t n = dev->ctx_ids_words ? 2 * dev->ctx_ids_words : 1;
		uint64_t *ids;

		if (n > (1u << 20))	/* 2^26 ids, far past any test */
			return -ENOSPC;
		ids = realloc(dev->ctx_ids, n * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		memset(ids + dev->ctx_ids_words, 0,
		       (n - dev->ctx_ids_words) * sizeof(*ids));
		dev->ctx_ids = ids;
		dev->ctx_ids_words = n;
	}
	unsigned bit = (unsigned)__builtin_ctzll(~dev->ctx_ids[w]);
	dev->ctx_ids[w] |= 1ull << bit;
	return (int)(w * 64 + bit + 1);
}

/* ida_free in virtio_gpu_driver_postclose. */
static void ctx_id_free_locked(struct km_device *dev, uint32_t ctx_id)
{
	uint32_t i = ctx_id - 1;

	if (i / 64 < dev->ctx_ids_words)
		dev->ctx_ids[i / 64] &= ~(1ull << (i % 64));
}

static int open_node(struct km_device *dev, bool primary,
		     struct km_file **out)
{
	struct km_file *file = calloc(1, sizeof(*file));
	if (!file)
		return -ENOMEM;
	file->dev = dev;
	file->primary = primary;
	file->events_tail = &file->events;
	file->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (file->event_fd < 0) {
		int err = -errno;
		free(file);
		return err;
	}
	pthread_mutex_lock(&dev->lock);
	/* virtio_gpu_driver_open: ctx ids from an IDA, plus one. */
	int id = ctx_id_alloc_locked(dev);
	if (id < 0) {
		pthread_mutex_unlock(&dev->lock);
		close(file->event_fd);
		free(file);
		return id;
	}
	file->ctx_id = (uint32_t)id;
	file->next = dev->files;
	dev->files = file;
	dev->stats.files++;
	pthread_mutex_unlock(&dev->lock);
	*out = file;
	return 0;
}

int km_open(struct km_device *dev, struct km_file **out)
{
	return open_node(dev, false, out);
}

int km_open_primary(struct km_device *dev, struct km_file **out)
{
	return open_node(dev, true, out);
}

void km_close(struct km_file *file)
{
	if (!file)
		return;
	struct km_device *dev = file->dev;
	pthread_mutex_lock(&dev->lock);
	/* Threads sleeping in km_read() on this file leave first (-EBADF):
	 * the file is freed below. */
	file->closing = true;
	pthread_cond_broadcast(&dev->cond);
	while (file->readers)
		pthread_cond_wait(&dev->cond, &dev->lock);
	while (file->mappings) {
		struct km_mapping *m = file->mappings;
		file->mappings = m->next;
		if (m->bo->npages)
			sim_ram_unmap_pages(m->addr, m->bo->npages);
		km__bo_put_locked(dev, m->bo);
		free(m);
	}
	/* drm_gem_release, then virtio_gpu_driver_postclose. */
	for (uint32_t h = 1; h < file->nhandles; h++)
		if (file->handles[h])
			km__handle_delete_locked(file, h);
	free(file->handles);
	km__syncobj_file_release_locked(file);
	if (dev->has_virgl_3d && file->context_created) {
		km_cmd_context_destroy(dev, file->ctx_id);
		km__notify_locked(dev);
	}
	/* After CTX_DESTROY is queued: a context created with the id later
	 * comes after it on the controlq. */
	ctx_id_free_locked(dev, file->ctx_id);
	for (struct km_file **link = &dev->files; *link; link = &(*link)->next)
		if (*link == file) {
			*link = file->next;
			break;
		}
	dev->stats.files--;
	/* dma-bufs whose fds were closed since the last look release their
	 * objects now (a closed dma-buf fd drops its reference at once on
	 * Linux; we notice at the next driver entry). */
	km__prime_collect_locked(dev, false);
	km__notify_locked(dev);
	km__fence_forget_file_locked(dev, file);
	km__events_free_locked(file);
	pthread_mutex_unlock(&dev->lock);
	settle(dev);
	close(file->event_fd);
	free(file);
}

const struct km_kversion *km_device_kversion(struct km_device *dev)
{
	return dev->kv;
}

int km__ioctl_call(struct km_file *file, km_ioctl_fn fn, unsigned kdir,
		   size_t ksize, unsigned udir, size_t usize, void *arg)
{
	/* drm_ioctl: in_size/out_size are the program's size, or 0 when
	 * either side lacks the direction; the buffer holds the larger of
	 * them and the driver's struct, zeroed past what was copied in. */
	size_t in = (udir & kdir & _IOC_WRITE) ? usize : 0;
	size_t out = (udir & kdir & _IOC_READ) ? usize : 0;
	size_t size = ksize > usize ? ksize : usize;
	uint8_t stack[128];
	uint8_t *kdata = size <= sizeof(stack) ? stack : calloc(1, size);

	if (!kdata)
		return -ENOMEM;
	memset(kdata, 0, size);
	int ret = km__copy_from_user(kdata, (uintptr_t)arg, in);
	if (ret)
		goto out_free;
	pthread_mutex_lock(&file->dev->lock);
	/* Last references that answers dropped before this call are
	 * released first (worker.c), so the call sees every earlier answer
	 * in full. */
	km__worker_flush_locked(file->dev);
	ret = fn(file, kdata);
	pthread_mutex_unlock(&file->dev->lock);
	/* drm_ioctl copies out even when the handler failed. */
	if (km__copy_to_user((uintptr_t)arg, kdata, out))
		ret = -EFAULT;
out_free:
	if (kdata != stack)
		free(kdata);
	return ret;
}

int km_ioctl(struct km_file *file, unsigned long request, void *arg)
{
	unsigned type = _IOC_TYPE(request);
	unsigned nr = _IOC_NR(request);
	size_t size = _IOC_SIZE(request);

	if (type != DRM_IOCTL_BASE)
		return -ENOTTY;
	int ret;
	/* The device names the call that sent a command it finds wrong
	 * (the conformance report, docs/device-answers.md). */
	sim_transport_set_guest_call(file->dev->transport, request);
	uint64_t t0 = sim_trace_on() ? sim_trace_now() : 0;
	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		ret = km__ioctl_virtgpu(file, nr - DRM_COMMAND_BASE,
					_IOC_DIR(request), arg, size);
	else
		ret = km__ioctl_drm(file, nr, _IOC_DIR(request), arg, size);
	settle(file->dev);
	sim_transport_set_guest_call(file->dev->transport, 0);
	if (t0)		/* a span on the calling thread (sim/trace.h) */
		km__trace_ioctl(nr, size, ret, t0);
	return ret;
}

const char *km_ioctl_name(unsigned long request)
{
	unsigned nr = _IOC_NR(request);

	if (_IOC_TYPE(request) != DRM_IOCTL_BASE)
		return NULL;
	if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
		return km__ioctl_virtgpu_name(nr - DRM_COMMAND_BASE);
	return km__ioctl_drm_name(nr);
}

static struct km_bo *bo_by_offset_locked(struct km_file *file, uint64_t off)
{
	for (uint32_t h = 1; h < file->nhandles; h++)
		if (file->handles[h] && file->handles[h]->map_offset == off)
			return file->handles[h];
	return NULL;
}

/*
 * drm_gem_mmap (drivers/gpu/drm/drm_gem.c): an offset that belongs to no
 * object is -EINVAL; one of an object this file has no handle to fails
 * drm_vma_node_is_allowed, -EACCES.  Offsets are never reused, so an
 * object reachable through another file's handle is the only other owner
 * an offset can have.
 */
static bool offset_taken_locked(struct km_device *dev, uint64_t off)
{
	for (struct km_file *f = dev->files; f; f = f->next)
		if (bo_by_offset_locked(f, off))
			return true;
	return false;
}

int km_mmap(struct km_file *file, uint64_t offset, size_t len, void **addr)
{
	struct km_device *dev = file->dev;
	if (len == 0 || offset % SIM_PAGE_SIZE)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	struct km_bo *bo = bo_by_offset_locked(file, offset);
	int ret = 0;
	struct km_mapping *m = NULL;
	if (!bo) {
		ret = offset_taken_locked(dev, offset) ? -EACCES : -EINVAL;
		goto out;
	}
	if (len > bo->size) {
		ret = -EINVAL;
		goto out;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	if (bo->npages) {
		/* Guest pages (classic resources, guest blobs). */
		ret = sim_ram_map_pages(dev->ram, bo->pages, bo->npages,
					&m->addr);
	} else if (bo->host3d_blob &&
		   (bo->blob_flags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE)) {
		/* virtio_gpu_vram_mmap: the blob's window of the host-visible
		 * region, once the device answered MAP_BLOB. */
		ret = km__blob_wait_mapped_locked(dev, bo);
		if (!ret) {
			m->addr = sim_hostmem_translate(dev->host_visible,
							bo->hv_offset, len);
			ret = m->addr ? 0 : -EINVAL;
		}
	} else {
		ret = -EINVAL;	/* not MAPPABLE */
	}
	if (ret) {
		free(m);
		goto out;
	}
	m->len = len;
	m->bo = bo;
	km__bo_get(bo);
	m->next = file->mappings;
	file->mappings = m;
	*addr = m->addr;
out:
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int km_munmap(struct km_file *file, void *addr, size_t len)
{
	struct km_device *dev = file->dev;
	pthread_mutex_lock(&dev->lock);
	for (struct km_mapping **link = &file->mappings; *link;
	     link = &(*link)->next) {
		struct km_mapping *m = *link;
		if (m->addr != addr)
			continue;
		*link = m->next;
		if (m->bo->npages)
			sim_ram_unmap_pages(m->addr, m->bo->npages);
		km__bo_put_locked(dev, m->bo);
		pthread_mutex_unlock(&dev->lock);
		free(m);
		return 0;
	}
	pthread_mutex_unlock(&dev->lock);
	return -EINVAL;
}

void km_device_stats(struct km_device *dev, struct km_stats *stats)
{
	pthread_mutex_lock(&dev->lock);
	km__prime_collect_locked(dev, false);
	km__syncobj_files_collect_locked(dev, false);
	km__notify_locked(dev);
	*stats = dev->stats;
	pthread_mutex_unlock(&dev->lock);
}
