/* SPDX-License-Identifier: MIT */
/*
 * kernelmock private header, modelled on Linux's virtgpu_drv.h: every
 * struct shared between kernelmock files, prototypes grouped by the file
 * that defines them.
 *
 * Locking: one mutex per device (dev->lock) protects the virtqueue driver
 * ends, vbuf bookkeeping, fences, GEM object reference counts and every
 * file's handle table and context state.  It is dropped while sleeping
 * (condition waits) and never held across a device reset.  The device's
 * interrupt handler runs on a host thread (the device thread, or the
 * renderer's fence thread that answered a fenced command) and takes it
 * too.
 */
#ifndef KM_INTERNAL_H
#define KM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_gpu.h>

#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

struct sim_hostmem;

#define KM_LAYER "kernelmock"
#define KM_MAX_CAPSETS 16
#define KM_MAX_RINGS 64		/* VIRTGPU_CONTEXT_PARAM_NUM_RINGS limit */
#define KM_MAX_CAPSET_ID 63
#define KM_DEBUG_NAME_MAX 64
/* Linux waits 5 s for capset answers and 15 s in WAIT. */
#define KM_CAPSET_TIMEOUT_MS 5000
#define KM_WAIT_TIMEOUT_MS 15000
/* The longest wait km__deadline() turns a timeout into (INT32_MAX ms,
 * about 24.8 days, the most a poll(2)-style int timeout says); longer
 * ones and negative ones ("no limit", as for poll(2)) are clamped to it,
 * so a deadline never overflows into the past. */
#define KM_TIMEOUT_MAX_MS INT32_MAX
/* Teardown gives up on answers once the device made no progress for this
 * long; what is left in flight is then freed after the reset. */
#define KM_TEARDOWN_STALL_MS 2000

struct sim_ram;
struct sim_transport;
struct sim_vqd;

/* A dma_fence-like fence.  Reference counted; dev->lock. */
struct km_fence {
	unsigned refcount;
	uint64_t id;		/* assigned when queued: ring order */
	uint64_t timeline;	/* 0 = device-global, else per (file, ring) */
	uint32_t ring_idx;
	bool emit_ring_info;	/* send VIRTIO_GPU_FLAG_INFO_RING_IDX */
	bool signaled;
	uint64_t signal_ns;	/* when it signalled */
	/* VIRTGPU_EVENT_FENCE_SIGNALED goes to this file on signal (a ring
	 * in its POLL_RINGS_MASK), or NULL */
	struct km_file *event_file;
	struct km_fence *next_pending;	/* dev->fence_pending */
};

/* The objects one command uses, referenced until it is answered (Linux's
 * virtio_gpu_object_array); then handed to the kernel worker. */
struct km_objs {
	struct km_objs *next;	/* dev->free_delayed */
	unsigned n;
	struct km_bo *bo[];
};

struct km_vbuf;
typedef void (*km_resp_cb)(struct km_device *dev, struct km_vbuf *vbuf);

/* One command in flight: [command | data | response] in one contiguous
 * guest allocation, as the device sees it through the chain. */
struct km_vbuf {
	uint64_t gpa;
	void *buf;
	size_t alloc_size;
	size_t cmd_len, data_len, resp_len;
	km_resp_cb resp_cb;
	void *cb_data;
	struct km_fence *fence;
	struct km_objs *objs;	/* objects used, or NULL */
	uint32_t resp_type;	/* filled on completion */
	uint32_t written;	/* bytes the device wrote */
	bool done;
	bool waited;		/* a sleeper frees it, not the interrupt */
	/* dev->inflight_vbufs, from queueing to completion */
	struct km_vbuf *next_inflight, **pprev_inflight;
};

/* A GEM object backed by a host resource. */
struct km_bo {
	unsigned refcount;	/* handles + mappings + in-flight uses */
	uint32_t res_id;
	uint64_t size;		/* page multiple */
	uint64_t *pages;	/* guest-physical address of each page */
	uint64_t npages;
	uint64_t map_offset;	/* fake mmap offset, 0 until MAP */
	struct km_fence *last_fence;	/* latest work using it */
	uint32_t blob_mem;	/* 0 for classic resources */
	uint32_t blob_flags;
	bool guest_blob;	/* backed by guest pages */
	bool host3d_blob;	/* backed by host memory */
	/* host-visible mapping of HOST3D MAPPABLE blobs (virtgpu_vram.c) */
	enum { KM_MAP_NONE, KM_MAP_PENDING, KM_MAP_OK, KM_MAP_ERR } map_state;
	uint32_t map_info;	/* VIRTIO_GPU_MAP_CACHE_* from the device */
	uint64_t hv_offset;	/* offset in the host-visible region */
	uint32_t flink_name;	/* 0 until GEM_FLINK */
	uint8_t uuid[16];	/* RESOURCE_ASSIGN_UUID answer */
	enum { KM_UUID_NONE, KM_UUID_PENDING, KM_UUID_OK, KM_UUID_ERR } uuid_state;
	/* PRIME export: the program holds the read end of a pipe that stands
	 * for the dma-buf; we keep the write end (and a reference on the
	 * object) until every copy of the program's end is closed. */
	int dmabuf_wfd;		/* -1 when not exported */
	uint64_t dmabuf_ino;
	struct km_bo *next_exported;
};

struct km_mapping {
	void *addr;
	size_t len;
	struct km_bo *bo;
	struct km_mapping *next;
};

/* A DRM event waiting to be read() from the device file. */
struct km_event {
	struct drm_event ev;
	struct km_event *next;
};

struct km_file {
	struct km_device *dev;
	bool primary;		/* opened as card node, not render node */
	int event_fd;		/* eventfd: readable while events are queued */
	struct km_event *events, **events_tail;
	uint32_t ctx_id;
	bool context_created;
	/* Linux's vfpriv->context_lock, a sleeping lock: held while the
	 * context is being created (queueing may sleep with dev->lock
	 * dropped) and across CONTEXT_INIT. */
	bool context_locked;
	unsigned readers;	/* threads inside km_read() */
	bool closing;		/* km_close() started: readers must leave */
	uint32_t context_init;	/* capset id chosen by CONTEXT_INIT */
	uint32_t num_rings;
	uint64_t ring_idx_mask;	/* POLL_RINGS_MASK */
	uint64_t base_fence_ctx;	/* first timeline of this file's rings */
	bool explicit_debug_name;
	char debug_name[KM_DEBUG_NAME_MAX];
	struct km_bo **handles;	/* index = GEM handle, 0 unused */
	uint32_t nhandles;
	/* drm_file's syncobj_idr: index = syncobj handle, 0 unused; each
	 * entry holds a reference (syncobj.c). */
	struct km_syncobj **syncobjs;
	uint32_t nsyncobjs;
	struct km_mapping *mappings;
	struct km_file *next;
};

/* A range of the host-visible region handed to a blob (drm_mm's role). */
struct km_hv_range {
	uint64_t start, size;
	struct km_hv_range *next;	/* sorted by start */
};

/* A sync_file: the fences a fence fd stands for (one, or more after
 * SYNC_IOC_MERGE), our copy of the eventfd the program's fds are copies
 * of, and the program's fd numbers we know of (fence.c). */
#define KM_SYNC_FILE_FDS 8
struct km_sync_file {
	struct km_fence **fences;
	unsigned nfences;
	int efd;		/* ours; written once all have signalled */
	long efd_id;		/* its eventfd-id, where kcmp is refused */
	int fds[KM_SYNC_FILE_FDS];	/* the program's known copies */
	unsigned nfds;
	bool signaled;
	uint64_t signal_ns;	/* CLOCK_MONOTONIC time of the signal */
	char name[32];
	struct km_sync_file *next;
};

/* The timeline of the stub fences syncobjs use for "signalled": none
 * of the device's (dma_fence_allocate_private_stub). */
#define KM_STUB_TIMELINE UINT64_MAX

/* What a syncobj points to (syncobj.c): a plain fence, or a
 * dma_fence_chain link (a timeline point).  Reference counted. */
struct km_chain {
	unsigned refcount;
	bool is_chain;
	uint64_t seqno;		/* links: the point */
	uint64_t prev_seqno;	/* the previous link's, same context only */
	uint64_t context;	/* links of one ordered timeline share it */
	struct km_fence **fences;	/* its own fence(s) */
	unsigned nfences;
	struct km_chain *prev;	/* links: the earlier point, referenced */
};

/* A thread waiting for a point to appear (WAIT_FOR_SUBMIT/AVAILABLE);
 * on its syncobj's list until a fence with the point arrives. */
struct km_syncobj_waiter {
	uint64_t point;
	bool on_list;
	bool found;
	struct km_chain *fence;	/* referenced once found (may be NULL) */
	struct km_syncobj_waiter *next;
};

struct km_syncobj {
	unsigned refcount;	/* handles, fds, submits and waits */
	struct km_chain *fence;	/* NULL: no fence */
	struct km_syncobj_waiter *waiters;
};

/* An exported syncobj fd: our end of the socket pair (shut for writing)
 * and the program's end's inode. */
struct km_syncobj_file {
	struct km_syncobj *so;
	int wfd;
	uint64_t ino;
	struct km_syncobj_file *next;
};

struct km_capset {
	uint32_t id, max_version, max_size;
};

struct km_capset_cache {
	uint32_t id, version;
	bool valid, failed;
	void *data;
	size_t size;
	struct km_capset_cache *next;
};

struct km_device {
	struct sim_ram *ram;
	struct sim_transport *transport;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* any completion, free descriptors */

	struct sim_vqd *ctrlq;
	struct sim_vqd *cursorq;
	/* The Linux version this driver is (kversion.c); fixed at probe. */
	const struct km_kversion *kv;
	uint64_t features;
	bool has_virgl_3d, has_edid, has_resource_uuid, has_resource_blob,
	     has_host_visible, has_context_init;
	/* DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE in the driver's features
	 * (virtgpu_drv.c, since 6.6, 7cb8d1ab8cbd): the syncobj ioctls,
	 * DRM_CAP_SYNCOBJ(_TIMELINE) and EXECBUFFER's syncobj arrays.  Set
	 * from the kernel version's row (km_kversion.syncobj). */
	bool has_syncobj;
	/* VIRTIO_GPU_F_BLOB_ALIGNMENT negotiated (a 7.2 driver) and the
	 * config field's value (virtgpu_kms.c virtio_gpu_init) */
	bool has_blob_alignment;
	uint32_t blob_alignment;
	uint32_t num_scanouts;
	struct km_capset capsets[KM_MAX_CAPSETS];
	unsigned num_capsets;
	uint64_t capset_id_mask;
	struct km_capset_cache *capset_cache;

	uint64_t fence_seq;		/* last fence id handed out */
	uint64_t next_fence_ctx;	/* timelines for rings */
	struct km_fence *fence_pending;
	uint32_t next_res_id;
	/* Context ids in use, a bit each (id - 1): Linux's ctx_id_ida,
	 * which hands out the lowest free one. */
	uint64_t *ctx_ids;
	uint32_t ctx_ids_words;
	uint64_t next_map_offset;
	unsigned pending_kicks;		/* bit per queue queued to since kick */

	struct sim_hostmem *host_visible;	/* shmid 1, or NULL */
	struct km_hv_range *hv_used;
	struct km_sync_file *sync_files;
	struct km_syncobj_file *syncobj_files;	/* exported syncobj fds */
	uint64_t next_chain_ctx;	/* dma_fence_chain contexts (syncobj.c) */
	struct km_bo *exported;		/* objects with a live dma-buf */
	struct km_bo **flink;		/* index = flink name, 0 unused */
	uint32_t nflink;

	struct km_file *files;
	struct km_stats stats;
	struct km_vbuf *inflight_vbufs;	/* queued, not yet answered */
	/* Set once the device was reset at teardown: nothing is queued any
	 * more, objects are freed at once (virtio 1.2 2.4: a reset device
	 * keeps no view of guest memory). */
	bool unplugged;

	/* The kernel worker (worker.c); dev->lock protects these. */
	pthread_t worker;
	pthread_cond_t worker_cond;	/* work queued, or stop */
	bool worker_stop;
	bool worker_busy;		/* putting a batch taken off the list */
	struct km_objs *free_delayed, **free_delayed_tail;
};

/* vq.c */
int km__vbuf_alloc(struct km_device *dev, size_t cmd_len, size_t data_len,
		   size_t resp_len, struct km_vbuf **out);
void km__vbuf_free(struct km_device *dev, struct km_vbuf *vbuf);
/* Make @vbuf hold a reference on each of @n objects until answered. */
int km__vbuf_add_objs(struct km_vbuf *vbuf, struct km_bo **bos, unsigned n);
static inline void *km__vbuf_data(struct km_vbuf *vbuf)
{
	return (char *)vbuf->buf + vbuf->cmd_len;
}
static inline void *km__vbuf_resp(struct km_vbuf *vbuf)
{
	return (char *)vbuf->buf + vbuf->cmd_len + vbuf->data_len;
}
/* Queue on the control queue, with @fence (may be NULL) emitted into the
 * header once its ring position is known.  Takes ownership of @vbuf.
 * Caller holds dev->lock. */
int km__queue_ctrl_locked(struct km_device *dev, struct km_vbuf *vbuf,
			  struct km_fence *fence);
/* The cursor queue: never fenced (5.7.6.10). */
int km__queue_cursor_locked(struct km_device *dev, struct km_vbuf *vbuf);
/* Kick the device if anything was queued since the last kick. */
void km__notify_locked(struct km_device *dev);
/* Tell the transport the calling program thread's CPU as it submits or
 * starts to wait, and whether it waited (a placement hint for the device,
 * sim/transport.h). */
void km__note_guest_submit(struct km_device *dev);
void km__note_guest_wait(struct km_device *dev);
/* Sleep until @vbuf is answered; returns its response type, or -ETIME. */
int km__vbuf_wait_locked(struct km_device *dev, struct km_vbuf *vbuf,
			 int timeout_ms);
int km__cond_timedwait_locked(struct km_device *dev, int64_t deadline_ns);
/* CLOCK_MONOTONIC ns @timeout_ms from now; saturated (KM_TIMEOUT_MAX_MS). */
int64_t km__deadline(int64_t timeout_ms);
/* After the reset at teardown: run the callbacks of what the device never
 * answered as for a failed answer, and free it. */
void km__vbufs_cancel_locked(struct km_device *dev);
void km__interrupt(void *opaque, uint32_t isr);

/* cmd.c: one emitter per VIRTIO_GPU_CMD_*; caller holds dev->lock. */
int km_cmd_get_capset_info(struct km_device *dev, uint32_t index,
			   struct km_vbuf **waitable);
int km_cmd_get_capset(struct km_device *dev, struct km_capset_cache *ent);
int km_cmd_context_create(struct km_device *dev, uint32_t ctx_id,
			  uint32_t context_init, const char *name);
int km_cmd_context_destroy(struct km_device *dev, uint32_t ctx_id);
int km_cmd_resource_create_2d(struct km_device *dev, struct km_bo *bo,
			      const struct drm_virtgpu_resource_create *rc,
			      struct km_fence *fence);
int km_cmd_resource_create_3d(struct km_device *dev, struct km_bo *bo,
			      const struct drm_virtgpu_resource_create *rc,
			      struct km_fence *fence);
int km_cmd_resource_attach_backing(struct km_device *dev, struct km_bo *bo);
int km_cmd_resource_unref(struct km_device *dev, struct km_bo *bo);
int km_cmd_ctx_resource(struct km_device *dev, uint32_t ctx_id,
			struct km_bo *bo, bool attach);
/* The submit holds a reference on each of @bos until answered. */
int km_cmd_submit_3d(struct km_device *dev, uint32_t ctx_id,
		     const void *cmds, uint32_t size, struct km_fence *fence,
		     struct km_bo **bos, unsigned nbo);
int km_cmd_resource_create_blob(struct km_device *dev, uint32_t ctx_id,
				struct km_bo *bo, uint64_t blob_id);
int km_cmd_resource_map_blob(struct km_device *dev, struct km_bo *bo,
			     uint64_t offset);
/* @done runs when the device has answered (the range is free again). */
int km_cmd_resource_unmap_blob(struct km_device *dev, struct km_bo *bo,
			       km_resp_cb done, void *done_data);
int km_cmd_resource_assign_uuid(struct km_device *dev, struct km_bo *bo);
/* Unfenced, as in Linux; the command holds a reference on @bo. */
int km_cmd_transfer_to_host_2d(struct km_device *dev, struct km_bo *bo,
			       const struct drm_virtgpu_3d_transfer_to_host *args);
int km_cmd_transfer_3d(struct km_device *dev, bool to_host, uint32_t ctx_id,
		       struct km_bo *bo,
		       const struct drm_virtgpu_3d_transfer_to_host *args,
		       struct km_fence *fence);

/* fence.c */
struct km_fence *km__fence_alloc(uint64_t timeline, uint32_t ring_idx,
				 bool emit_ring_info);
void km__fence_get(struct km_fence *f);
void km__fence_put(struct km_fence *f);
/* Assign the next id and track it until signalled; dev->lock held. */
void km__fence_emit_locked(struct km_device *dev, struct km_fence *f);
/* The device answered a command carrying @fence_id: signal it and every
 * earlier fence of its timeline.  dev->lock held. */
void km__fence_process_locked(struct km_device *dev, uint64_t fence_id);
/* A sync_file fd for @nf fences (readable once all have signalled). */
int km__sync_file_create_locked(struct km_device *dev, struct km_fence **f,
				unsigned nf, const char *name);
/* The sync_file behind a program's fd, or NULL if it is not one. */
struct km_sync_file *km__sync_file_lookup_locked(struct km_device *dev,
						  int fd);
void km__sync_files_update_locked(struct km_device *dev);
void km__sync_files_release(struct km_device *dev);
/* Drop a file's claim on events of fences still pending. */
void km__fence_forget_file_locked(struct km_device *dev,
				  struct km_file *file);
int km__fence_wait_locked(struct km_device *dev, struct km_fence *f,
			  int timeout_ms);

/* object.c */
/* @guest_pages: back it with guest pages (classic and guest blobs). */
int km__bo_create_locked(struct km_device *dev, uint64_t size,
			 bool guest_pages, struct km_bo **out);
void km__bo_get(struct km_bo *bo);
void km__bo_put_locked(struct km_device *dev, struct km_bo *bo);
/* Release pages and memory once the device has unreferenced it. */
void km__bo_free_locked(struct km_device *dev, struct km_bo *bo);
void km__bo_set_fence_locked(struct km_bo *bo, struct km_fence *f);
int km__handle_create_locked(struct km_file *file, struct km_bo *bo,
			     uint32_t *handle);
struct km_bo *km__handle_lookup_locked(struct km_file *file, uint32_t handle);
int km__handle_delete_locked(struct km_file *file, uint32_t handle);
/* The first call that needs the file's context creates it (once). */
void km__create_context_locked(struct km_file *file);
/* vfpriv->context_lock: may sleep (dev->lock dropped meanwhile). */
void km__context_lock_locked(struct km_file *file);
void km__context_unlock_locked(struct km_file *file);
/* Create the context with the context lock held by the caller. */
void km__create_context_ctxlocked(struct km_file *file);

/* worker.c: the kernel worker thread (Linux's obj_free_work) */
int km__worker_start(struct km_device *dev);
/* Without dev->lock: finish what is queued, then end the thread. */
void km__worker_stop(struct km_device *dev);
/* Wait until everything handed over so far has been put. */
void km__worker_flush_locked(struct km_device *dev);
/* After the teardown reset: put what reached the list after the stop. */
void km__worker_put_left_locked(struct km_device *dev);
/* Interrupt context: hand @objs to the worker (never sleeps or queues). */
void km__objs_put_delayed_locked(struct km_device *dev, struct km_objs *objs);
/* Process context: drop each reference and free @objs (may be NULL). */
void km__objs_put_free_locked(struct km_device *dev, struct km_objs *objs);

/* blob.c */
int km__resource_create_blob_ioctl(struct km_file *file, void *data);
/* Free a blob's host-visible range and unmap it on the device first. */
void km__blob_release_locked(struct km_device *dev, struct km_bo *bo);
/* Wait until a MAPPABLE host3d blob's MAP_BLOB was answered. */
int km__blob_wait_mapped_locked(struct km_device *dev, struct km_bo *bo);

/* drm.c: generic DRM ioctls (VERSION, GET_CAP, GEM_*, PRIME_*) */
int km__ioctl_drm(struct km_file *file, unsigned nr, unsigned dir, void *arg,
		  size_t size);
/* The ioctl's name in the table, or NULL. */
const char *km__ioctl_drm_name(unsigned nr);
/* Drop exports whose dma-buf fds the program has all closed (or all of
 * them with @all, at teardown). */
void km__prime_collect_locked(struct km_device *dev, bool all);
/* Forget @bo's flink name (last reference gone). */
void km__flink_remove_locked(struct km_device *dev, struct km_bo *bo);

/* events.c */
void km__event_queue_locked(struct km_file *file, uint32_t type);
void km__events_free_locked(struct km_file *file);

/* uaccess.c: copy_{from,to}_user for pointers of this process; -EFAULT
 * for memory that is not mapped or not writable (a fault is caught, never
 * taken). */
int km__copy_from_user(void *dst, uint64_t uptr, size_t len);
int km__copy_to_user(uint64_t uptr, const void *src, size_t len);
/* getpid(), remembered (a system call each otherwise; reset by fork). */
pid_t km__self_pid(void);

/* device.c */
typedef int (*km_ioctl_fn)(struct km_file *file, void *data);
/*
 * drm_ioctl()'s copies around a driver's handler @fn: the argument is
 * copied in only when both the program's request (@udir, @usize: its
 * _IOC_DIR and _IOC_SIZE) and the driver's (@kdir) have _IOC_WRITE, out
 * only when both have _IOC_READ; the kernel buffer is the larger of
 * @usize and the driver's struct (@ksize), zero past what was copied in.
 * @fn runs under dev->lock once the kernel worker caught up.
 */
int km__ioctl_call(struct km_file *file, km_ioctl_fn fn, unsigned kdir,
		   size_t ksize, unsigned udir, size_t usize, void *arg);

/* ioctl.c */
const char *km__ioctl_virtgpu_name(unsigned nr);
int km__ioctl_virtgpu(struct km_file *file, unsigned nr, unsigned dir,
		      void *arg, size_t size);
/* The span of ioctl @nr (its _IOC_NR) from @t0 in a trace (sim/trace.h). */
void km__trace_ioctl(unsigned nr, size_t size, int ret, uint64_t t0);

/* submit.c */
int km__execbuffer_ioctl(struct km_file *file, void *data);

/* syncobj.c: DRM syncobjs (drivers/gpu/drm/drm_syncobj.c's role) */
int km__syncobj_create_locked(struct km_device *dev, bool signaled,
			      struct km_syncobj **out);
void km__syncobj_put_locked(struct km_device *dev, struct km_syncobj *so);
/* drm_syncobj_find: a new reference, or NULL. */
struct km_syncobj *km__syncobj_find_locked(struct km_file *file,
					   uint32_t handle);
int km__syncobj_handle_create_locked(struct km_file *file,
				     struct km_syncobj *so, uint32_t *handle);
int km__syncobj_handle_delete_locked(struct km_file *file, uint32_t handle);
/* drm_syncobj_release at close: drop the file's handles. */
void km__syncobj_file_release_locked(struct km_file *file);
/* drm_syncobj_replace_fence (@f NULL resets) and the same with a fence
 * already wrapped in a link (referenced, not consumed). */
void km__syncobj_replace_fence_locked(struct km_device *dev,
				      struct km_syncobj *so,
				      struct km_fence *f);
void km__syncobj_replace_chain_locked(struct km_device *dev,
				      struct km_syncobj *so,
				      struct km_chain *c);
/* drm_syncobj_assign_null_handle: -ENOMEM */
int km__syncobj_signal_locked(struct km_device *dev, struct km_syncobj *so);
/* drm_syncobj_add_point with a link from km__chain_alloc (consumed);
 * _chain: @link's fences are set already. */
void km__syncobj_add_point_locked(struct km_device *dev,
				  struct km_syncobj *so, struct km_chain *link,
				  struct km_fence *f, uint64_t point);
void km__syncobj_add_chain_locked(struct km_device *dev,
				  struct km_syncobj *so,
				  struct km_chain *link, uint64_t point);
struct km_chain *km__chain_alloc(void);
void km__chain_put(struct km_chain *c);
/* A plain fence: the stub (signalled), or NULL without memory. */
struct km_chain *km__chain_stub_locked(struct km_device *dev);
/* Give a fresh link a reference on each of @n fences; -ENOMEM. */
int km__chain_set_fences(struct km_chain *c, struct km_fence **f,
			 unsigned n);
bool km__chain_signaled(const struct km_chain *c);
struct km_chain *km__chain_walk(struct km_chain *c);
int km__chain_find_seqno(struct km_chain *c, uint64_t seqno,
			 struct km_chain **out);
/* dma_fence_unwrap_for_each: every fence @c stands for, in @fn. */
void km__chain_for_each_fence(struct km_chain *c,
			      void (*fn)(struct km_fence *f, void *data),
			      void *data);
/* drm_syncobj_get_fd: the program's new fd, or -errno. */
int km__syncobj_fd_create_locked(struct km_device *dev,
				 struct km_syncobj *so);
/* The syncobj behind a syncobj fd (a new reference), or NULL. */
struct km_syncobj *km__syncobj_fd_lookup_locked(struct km_device *dev,
						int fd);
/* Drop syncobj fds the program has all closed (all of them with @all). */
void km__syncobj_files_collect_locked(struct km_device *dev, bool all);

/* syncobj_wait.c: waits on syncobj fences */
/* drm_syncobj_find_fence: the fence at @point, referenced (a stub for a
 * point whose links are gone); -ENOENT unknown handle, -EINVAL no fence
 * or no such point; with WAIT_FOR_SUBMIT it first waits up to 5 s for
 * one (-ETIME). */
int km__syncobj_find_fence_locked(struct km_file *file, uint32_t handle,
				  uint64_t point, uint32_t flags,
				  struct km_chain **out);
/* drm_syncobj_array_wait_timeout behind WAIT and TIMELINE_WAIT. */
int km__syncobj_array_wait_locked(struct km_device *dev,
				  struct km_syncobj **so, const uint64_t *points,
				  uint32_t count, uint32_t flags,
				  int64_t timeout_nsec, uint32_t *first);

/* syncobj_ioctl.c: the DRM_IOCTL_SYNCOBJ_* handlers (drm.c's table) */
int km__syncobj_create_ioctl(struct km_file *file, void *data);
int km__syncobj_destroy_ioctl(struct km_file *file, void *data);
int km__syncobj_handle_to_fd_ioctl(struct km_file *file, void *data);
int km__syncobj_fd_to_handle_ioctl(struct km_file *file, void *data);
int km__syncobj_wait_ioctl(struct km_file *file, void *data);
int km__syncobj_reset_ioctl(struct km_file *file, void *data);
int km__syncobj_signal_ioctl(struct km_file *file, void *data);
int km__syncobj_timeline_wait_ioctl(struct km_file *file, void *data);
int km__syncobj_query_ioctl(struct km_file *file, void *data);
int km__syncobj_transfer_ioctl(struct km_file *file, void *data);
int km__syncobj_timeline_signal_ioctl(struct km_file *file, void *data);

/* submit_syncobj.c: EXECBUFFER's syncobj arrays (virtgpu_submit.c since
 * 6.6, 7cb8d1ab8cbd); the part of struct km_submit they fill. */
struct km_submit_post_dep {
	struct km_syncobj *syncobj;
	struct km_chain *chain;	/* preallocated for a timeline point */
	uint64_t point;
};
struct km_submit_syncobjs {
	struct km_submit_post_dep *post_deps;
	uint32_t num_out_syncobjs;
	struct km_syncobj **in_syncobjs;	/* those to reset, else NULL */
	uint32_t num_in_syncobjs;
};
/* virtio_gpu_parse_post_deps / virtio_gpu_parse_deps; @timeline is the
 * submit's own, whose fences the device orders without a wait. */
int km__submit_parse_post_deps(struct km_file *file,
			       const struct drm_virtgpu_execbuffer *exbuf,
			       struct km_submit_syncobjs *s);
int km__submit_parse_deps(struct km_file *file,
			  const struct drm_virtgpu_execbuffer *exbuf,
			  uint64_t timeline, struct km_submit_syncobjs *s);
/* virtio_gpu_process_post_deps, once @fence was queued. */
void km__submit_process_post_deps(struct km_device *dev,
				  struct km_submit_syncobjs *s,
				  struct km_fence *fence);
/* virtio_gpu_cleanup_submit's part: reset the in-syncobjs marked RESET
 * (even when the submit failed after parsing them), drop references. */
void km__submit_syncobjs_cleanup(struct km_device *dev,
				 struct km_submit_syncobjs *s);

#endif
