/* SPDX-License-Identifier: MIT */
/*
 * host/ private header: the device state and the prototypes shared between
 * host/ files, grouped by the file that defines them.
 *
 * Threads: everything in struct host_device is only touched from the
 * device thread, except where a field says otherwise.
 *
 * Spec references are to virtio 1.2, section 5.7 "GPU Device".
 */
#ifndef HOST_INTERNAL_H
#define HOST_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <uv.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"
#include "host/personality.h"
#include "sim/gpu_cmds.h"
#include "sim/gpu_config.h"
#include "sim/log.h"

/* Under valgrind the device keeps to what memcheck models well: no aliased
 * backings (resource.c), no queue polling (device.c). */
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

struct sim_ram;
struct sim_transport;
struct sim_vqdev;
struct sim_vq_elem;
struct host_inject;
struct host_rec;

#define HOST_LAYER "host"
/* How long CTX_DESTROY waits for the renderer to finish the context's
 * outstanding fences (host__fence_wait_context). */
#define HOST_CTX_DRAIN_MS 5000
#define HOST_NUM_QUEUES 2	/* 5.7.2: controlq (0) and cursorq (1) */
#define HOST_CTRLQ 0
#define HOST_CURSORQ 1
#define HOST_MAX_CAPSETS 8
/* QEMU caps attach_backing at 16384 entries; a guest asking for more is
 * either broken or trying to make the device allocate without bound. */
#define HOST_MAX_MEM_ENTRIES 16384u
/* Largest SUBMIT_3D payload the device accepts (virgl streams are far
 * smaller; Mesa flushes at 256 KiB). */
#define HOST_MAX_SUBMIT_BYTES (64u << 20)
/* Host memory all 2D images together may use, like QEMU's max_hostmem:
 * beyond it RESOURCE_CREATE_2D answers ERR_OUT_OF_MEMORY. */
#define HOST_MAX_2D_BYTES (256ull << 20)
/* 5.7.6.6 "Configure mouse cursor": the cursor image is 64x64. */
#define HOST_CURSOR_SIZE 64u
/* Rings per context: 5.7.6.7, ring_idx is 0..63. */
#define HOST_MAX_RINGS 64u
#define HOST_PAGE_SIZE 4096u
/* Mappings all aliased backings together may use (resource.c): half of
 * Linux's default vm.max_map_count, so the process keeps room for its
 * own (malloc, llvmpipe) mappings. */
#define HOST_MAX_ALIAS_MAPS 32768u

_Static_assert(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "ctrl_hdr");
_Static_assert(sizeof(struct virtio_gpu_mem_entry) == 16, "mem_entry");
_Static_assert(sizeof(struct virtio_gpu_rect) == 16, "rect");
_Static_assert(sizeof(struct virtio_gpu_resp_display_info) == 408, "");
_Static_assert(sizeof(struct virtio_gpu_resource_create_2d) == 40, "rc2d");
_Static_assert(sizeof(struct virtio_gpu_set_scanout) == 48, "set_scanout");
_Static_assert(sizeof(struct virtio_gpu_resource_flush) == 48, "flush");
_Static_assert(sizeof(struct virtio_gpu_transfer_to_host_2d) == 56, "xfer2d");
_Static_assert(sizeof(struct virtio_gpu_resource_attach_backing) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resource_detach_backing) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resource_unref) == 32, "unref");
_Static_assert(sizeof(struct virtio_gpu_cmd_get_edid) == 32, "get_edid");
_Static_assert(sizeof(struct virtio_gpu_resp_edid) == 1056, "resp_edid");
_Static_assert(sizeof(struct virtio_gpu_resource_assign_uuid) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resp_resource_uuid) == 40, "");
_Static_assert(sizeof(struct virtio_gpu_resource_create_blob) == 56, "");
_Static_assert(sizeof(struct virtio_gpu_set_scanout_blob) == 96, "");
_Static_assert(sizeof(struct virtio_gpu_resource_map_blob) == 40, "");
_Static_assert(sizeof(struct virtio_gpu_resp_map_info) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resource_unmap_blob) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_update_cursor) == 56, "cursor");
_Static_assert(sizeof(struct virtio_gpu_transfer_host_3d) == 72, "xfer3d");
_Static_assert(sizeof(struct virtio_gpu_resource_create_3d) == 72, "rc3d");
_Static_assert(sizeof(struct virtio_gpu_ctx_create) == 96, "ctx_create");
_Static_assert(sizeof(struct virtio_gpu_ctx_destroy) == 24, "ctx_destroy");
_Static_assert(sizeof(struct virtio_gpu_ctx_resource) == 32, "ctx_res");
_Static_assert(sizeof(struct virtio_gpu_cmd_submit) == 32, "submit");
_Static_assert(sizeof(struct virtio_gpu_get_capset_info) == 32, "");
_Static_assert(sizeof(struct virtio_gpu_resp_capset_info) == 40, "");
_Static_assert(sizeof(struct virtio_gpu_get_capset) == 32, "get_capset");
_Static_assert(sizeof(struct virtio_gpu_config) == 16, "config");

/* Log a guest mistake naming the field and record the response type; no
 * hidden control flow: the caller returns itself. */
#define HOST_BAD(cmd, err, ...)                              \
	do {                                                 \
		SIM_GUEST_ERROR(HOST_LAYER, __VA_ARGS__);    \
		(cmd)->error = (err);                        \
	} while (0)

/* A fence timeline: the global one (context 0, no ring) or one ring of a
 * context (5.7.6.7, VIRTIO_GPU_FLAG_INFO_RING_IDX). */
struct host_timeline {
	uint32_t ctx_id;
	uint32_t ring_idx;
	bool per_context;
};

/* One command popped from a queue, from decode to reply. */
struct host_cmd {
	struct host_device *dev;
	struct sim_vq_elem *elem;
	unsigned queue;
	struct virtio_gpu_ctrl_hdr hdr;	/* host byte order */
	uint32_t error;			/* VIRTIO_GPU_RESP_ERR_* or 0 */
	bool finished;			/* the reply has been pushed */
	/* A fenced controlq command is parked: host__reply keeps its
	 * response in resp/resp_len, and fence.c answers it on
	 * dev->fence_pending once the renderer signals its fence. */
	bool parked;
	void *resp;
	size_t resp_len;
	struct host_timeline timeline;
	uint64_t seq;			/* commands processed so far, from 1 */
	uint64_t fence_seq;
	bool has_fence;			/* the renderer will signal fence_seq */
	bool signalled;			/* complete; answer in order */
	bool fence_path;		/* answered by fence.c, in order */
	struct host_cmd *next;
	uint32_t rec_seq;		/* its CHAIN in a capture (record.c) */
};

/* What a resource is; chosen at creation, never changes. */
enum host_res_kind {
	HOST_RES_2D,	/* RESOURCE_CREATE_2D without VIRGL: a host-side
			 * image */
	HOST_RES_3D,	/* RESOURCE_CREATE_3D, and RESOURCE_CREATE_2D with
			 * VIRGL (cmd_2d.c): a virglrenderer resource */
	HOST_RES_BLOB,	/* RESOURCE_CREATE_BLOB */
};

struct host_resource {
	uint32_t id;
	enum host_res_kind kind;
	bool in_renderer;		/* virglrenderer knows this id */
	/* 2D and 3D: as created */
	uint32_t width, height, depth, array_size, format, target, bind;
	/* charged to dev->renderer_bytes (host__charge_renderer) */
	uint64_t renderer_bytes;
	/* 2D: the host image, rows of width * 4 bytes, no padding */
	uint8_t *image;
	/* Guest backing (ATTACH_BACKING or a blob's mem entries): one iovec
	 * per mem entry plus the entry's guest-physical address. */
	struct iovec *iov;
	uint64_t *iov_gpa;
	unsigned iov_cnt;
	uint64_t backing_len;
	/* 3D resources: the backing's pages mapped at consecutive host
	 * addresses, given to the renderer as alias_iov (resource.c), or
	 * NULL; alias_maps mappings of alias_pages pages in all. */
	void *alias;
	uint64_t alias_pages;
	unsigned alias_maps;
	struct iovec alias_iov;
	/* blobs */
	uint32_t blob_mem, blob_flags;
	uint64_t blob_id, blob_size;
	/* RESOURCE_MAP_BLOB state */
	bool mapped;
	bool map_fixed;			/* placed by resource_map_fixed */
	uint64_t map_offset;		/* in the host-visible region */
	uint64_t map_len;		/* page multiple */
	void *map_ptr;
	/* RESOURCE_ASSIGN_UUID: assigned once, then stable */
	bool has_uuid;
	uint8_t uuid[16];
};

struct host_context {
	uint32_t id;
	uint32_t capset_id;		/* 0: the device's default (virgl) */
	uint32_t num_rings;		/* what its renderer supports */
	char debug_name[65];
};

struct host_capset {
	uint32_t id;
	uint32_t max_version;
	uint32_t max_size;
};

/*
 * One scanout (head).  The framebuffer fields describe how the scanned
 * out pixels lie in the resource: for SET_SCANOUT they follow from the
 * resource, for SET_SCANOUT_BLOB the driver gives them.
 */
struct host_scanout {
	uint32_t mode_x, mode_w, mode_h;	/* preferred mode (5.7.6.8) */
	uint32_t resource_id;			/* 0: disabled */
	struct virtio_gpu_rect r;		/* shown part of the fb */
	uint32_t fb_format, fb_width, fb_height, fb_stride;
	uint64_t fb_offset;
	unsigned png_seq;
	/* cursor (5.7.6.10); cursor_resource 0: hidden */
	uint32_t cursor_resource;
	uint32_t cursor_x, cursor_y, hot_x, hot_y;
};

/* uint32 -> pointer map used for resources and contexts (table.c). */
struct host_table {
	uint32_t *keys;
	void **vals;
	uint32_t cap;		/* power of 2 */
	uint32_t count;
	uint32_t tombstones;
};

/* One signal from the renderer, queued from its thread (fence_lock). */
struct host_fence_signal {
	struct host_timeline timeline;
	uint64_t seq;
};

struct host_device {
	struct sim_ram *ram;
	struct sim_transport *transport;
	struct host_options opts;
	uint64_t acked_features;	/* copied at DRIVER_OK */

	pthread_t thread;
	uv_loop_t loop;
	/* Everything below that commands and fences touch (queues, tables,
	 * the parked list, the inject state) belongs to whoever holds
	 * state_lock: the device thread in each loop callback, or a renderer
	 * thread that retires fences itself when the device thread is idle
	 * (host__fence_try_retire).  Renderer threads only ever try it, so
	 * they never wait for a device thread that may be waiting for them
	 * inside virglrenderer. */
	pthread_mutex_t state_lock;
	uv_async_t kick;		/* a queue was notified */
	uv_async_t control;		/* reset / stop requests */
	uv_async_t fence_async;		/* renderer signalled fences */
	/* virglrenderer's poll fd (host/virglrenderer.c; device thread
	 * only): vrend's fence thread asks for virgl_renderer_poll() there
	 * when a fence completes with queries pending.  Unreferenced: it
	 * never keeps the loop alive; closed by host_vr_fini. */
	uv_poll_t renderer_poll;
	bool renderer_poll_on;
	/* Queue polling (host/poll.c; device thread only): while poll_idle
	 * runs, the thread watches the avail rings with notifications
	 * suppressed. */
	uv_idle_t poll_idle;
	uint64_t poll_ns;		/* current window, 0: no polling */
	uint64_t poll_deadline_ns;	/* the running window ends here */
	uint64_t idle_since_ns;		/* when the thread last slept */
	/* protects notify_suppressed and the rings' NO_NOTIFY flags: set by
	 * the device thread, or by a renderer thread that retired the last
	 * fence (host/poll.c); taken after state_lock, never before */
	pthread_mutex_t notify_lock;
	bool notify_suppressed;		/* VRING_USED_F_NO_NOTIFY is set */
	/* The window closed because a fence was outstanding: whoever
	 * retires the last one reopens it (host/poll.c).  state_lock. */
	bool poll_reopen;
	/* when that happened: the window adapts from there (atomic) */
	uint64_t poll_reopen_ns;
	/* Thread placement (host/placement.c).  place_allowed and place_on
	 * are fixed at creation; place_fence_cpu is written by the device
	 * thread and read by renderer threads (atomic), -1 for no pin; the
	 * rest is the device thread's. */
	cpu_set_t place_allowed;	/* the process's CPUs */
	bool place_on;
	int place_fence_cpu, place_device_cpu;
	unsigned place_streak;		/* synchronous fenced commands */
	/* atomic: fence threads back off too */
	uint64_t place_backoff_until, place_backoff_ns;
	/* the last look at a thread's schedstat (placement.c): the device
	 * thread's here, a fence thread's in its thread-local storage */
	struct place_sample {
		uint64_t at, delay, slices;
		bool pinned;		/* the thread was pinned then */
	} place_sample;

	/* protects control_req, control_done and the condition */
	pthread_mutex_t control_lock;
	pthread_cond_t control_cond;
	enum { HOST_CTRL_NONE, HOST_CTRL_RESET, HOST_CTRL_STOP } control_req;
	bool control_done;
	int init_result;
	bool init_done;

	struct sim_vqdev *vq[HOST_NUM_QUEUES];
	bool queues_live;		/* DRIVER_OK seen, not reset */
	uint64_t kicks_drained;		/* lockstep: kicks read before a drain */

	struct host_capset capsets[HOST_MAX_CAPSETS];
	unsigned num_capsets;

	struct host_table resources;
	struct host_table contexts;
	uint64_t image_bytes;		/* all 2D images together */
	uint64_t renderer_bytes;	/* estimated: host_options */
	unsigned alias_maps;		/* of all resources' aliases */

	struct host_scanout scanouts[VIRTIO_GPU_MAX_SCANOUTS];
	unsigned cursor_png_seq;

	/* fenced commands awaiting their fence, in submission order */
	struct host_cmd *fence_pending;
	struct host_cmd **fence_pending_tail;
	uint32_t next_global_seq;
	uint64_t next_ctx_seq;

	/* protects fence_signals and fence_closed (renderer threads) */
	pthread_mutex_t fence_lock;
	struct host_fence_signal *fence_signals;
	unsigned fence_signals_len, fence_signals_cap;
	bool fence_closed;		/* fence_async is closed: drop signals */
	pthread_cond_t fence_cond;	/* a signal was queued */

	uint64_t cmd_seq;		/* commands processed (host_cmd.seq) */
	/* protects violations: config writes record them on a driver
	 * thread (host/personality.c) */
	pthread_mutex_t viol_lock;
	struct host_violation_rec violations[HOST_RULE_COUNT];

	/* injected faults (inject.c), or NULL */
	struct host_inject *inject;

	/* renderer state (virglrenderer.c) */
	void *egl_display;
	bool renderer_up;
	bool has_vrend;			/* virgl enabled: a ctx0 timeline */
	/* recording (record.c), or NULL: every hook tests it first */
	struct host_rec *rec;
	char gl_version[160];		/* vr_version.c */
	/* The host-visible region's address range (vr_map_fixed.c), or
	 * NULL: reserved on the first map, unmapped with the device. */
	void *region_base;
	uint64_t fixed_maps;		/* windows placed at their address */
};

/* device.c */
void host__reply(struct host_cmd *cmd, const void *resp, size_t len);
void host__reply_error(struct host_cmd *cmd, uint32_t error);
bool host__feature(const struct host_device *dev, unsigned bit);
/* Copy the command's fixed part; 0, or -EMSGSIZE after logging. */
int host__read_cmd(struct host_cmd *cmd, void *dst, size_t len,
		   const char *name);
/* The same, named by the command's type (sim/gpu_cmds.h). */
int host__read_req(struct host_cmd *cmd, void *dst, size_t len);

/* Lockstep: report the kicks drained so far as finished once no command
 * waits for a fence. */
void host__report_idle(struct host_device *dev);
/* DRIVER_OK seen (3.1.1): take the acked features and attach the queues;
 * nothing before, or when they are up already (device thread). */
void host__queues_up(struct host_device *dev);
/* Drain every queue under state_lock (device thread); returns the chains
 * taken. */
unsigned host__drain_queues(struct host_device *dev);

/* poll.c: queue polling, all on the device thread: answer a kick (adapt
 * the window, drain, poll or sleep), and stop polling (kicks back on; with
 * @look_again, drain what came meanwhile). */
void host__poll_kicked(struct host_device *dev);
void host__poll_stop(struct host_device *dev, bool look_again);
/* After fences retired on the device thread: open the window again if it
 * closed for an outstanding fence and none is left.  state_lock held. */
void host__poll_reopen_locked(struct host_device *dev);
/* The same on a renderer thread: turns notifications off and returns
 * true when the device thread must be woken to poll (fence_async).
 * state_lock held. */
bool host__poll_reopen_wanted_locked(struct host_device *dev);

/* placement.c: where the device's threads run; each call places only
 * the calling thread.  init at creation; fenced on the device thread for
 * each fenced command (@overlapped: another was still outstanding);
 * work / idle on the device thread before it handles commands (relaxed:
 * the renderer may create threads, which inherit its mask) and before
 * it sleeps (pinned when following); follow on a renderer thread in its
 * fence callback; fini on the device thread before it ends. */
void host__placement_init(struct host_device *dev);
void host__placement_fenced(struct host_device *dev, bool overlapped);
void host__placement_work(struct host_device *dev);
void host__placement_idle(struct host_device *dev);
void host__placement_follow(struct host_device *dev);
void host__placement_fini(struct host_device *dev);

/* fence.c: timelines (5.7.6.7) */
/* Check the fence fields of a command before it runs; false after setting
 * cmd->error (and logging) when they are unusable. */
bool host__fence_check(struct host_cmd *cmd);
/* Park a fenced command until its fence signals (or answer it now when
 * it cannot be fenced). */
void host__fence_cmd(struct host_cmd *cmd);
void host__fence_retire(struct host_device *dev,
			const struct host_timeline *tl, uint64_t seq);
/* Process the signals renderer threads queued (the fence_async work);
 * under state_lock. */
void host__fence_drain_signals(struct host_device *dev);
/* On a renderer thread, after queueing a signal: retire what is queued
 * right here if the device is idle (state_lock free) and no fence= fault
 * may hold a completion back.  false when the device thread must do it
 * (send it fence_async). */
bool host__fence_try_retire(struct host_device *dev);
/* Before a context is destroyed: wait (up to @timeout_ms) until the
 * renderer signalled every fence still pending on its rings.  0, or -ETIME
 * after logging. */
int host__fence_wait_context(struct host_device *dev, uint32_t ctx_id,
			     int timeout_ms);
/* Answer what waits on @ctx_id's rings: the renderer forgot them. */
void host__fence_retire_context(struct host_device *dev, uint32_t ctx_id);
/* Reset: drop every parked command unanswered. */
void host__fence_drop_all(struct host_device *dev);

/* resource.c: lookups, backing and life cycle shared by every kind */
struct host_resource *host__find_resource(struct host_cmd *cmd, uint32_t id,
					  const char *name);
/* Copy the fixed part of a command whose first field after the header is
 * resource_id (RESOURCE_UNREF, the _BACKING commands, ASSIGN_UUID,
 * UNMAP_BLOB) and find that resource; NULL after answering an error. */
struct host_resource *host__read_resource_cmd(struct host_cmd *cmd,
					      void *req, size_t len,
					      const char *name);
struct host_context *host__find_context(struct host_cmd *cmd,
					const char *name);
/* resource_id for a new resource: not 0, not in use; else sets
 * INVALID_RESOURCE_ID and returns false. */
bool host__new_resource_id_ok(struct host_cmd *cmd, uint32_t id,
			      const char *name);
/* A zeroed resource of @kind with the new id @id (checked as above); NULL
 * after answering INVALID_RESOURCE_ID or OUT_OF_MEMORY.  Not in the table
 * yet: the caller owns it until it puts it there. */
/* Charge @bytes of estimated renderer memory for @res, or answer
 * ERR_OUT_OF_MEMORY (logged, naming the limit) and return false. */
bool host__charge_renderer(struct host_cmd *cmd, struct host_resource *res,
			   uint64_t bytes, const char *name);
struct host_resource *host__resource_alloc(struct host_cmd *cmd, uint32_t id,
					   enum host_res_kind kind,
					   const char *name);
/* Read @n mem entries at byte @offset of the command into a new iovec
 * array; 0, or sets cmd->error (naming @name and the entry). */
int host__read_mem_entries(struct host_cmd *cmd, const char *name,
			   size_t offset, uint32_t n, struct host_resource *res);
void host__drop_backing(struct host_device *dev, struct host_resource *res);
void host__destroy_resource(struct host_device *dev,
			    struct host_resource *res);
void host__destroy_all_objects(struct host_device *dev);
bool host__format_ok(uint32_t format);
void host_cmd_resource_unref(struct host_cmd *cmd);
void host_cmd_resource_attach_backing(struct host_cmd *cmd);
void host_cmd_resource_detach_backing(struct host_cmd *cmd);
void host_cmd_resource_assign_uuid(struct host_cmd *cmd);

/* cmd_2d.c */
void host_cmd_resource_create_2d(struct host_cmd *cmd);
void host_cmd_transfer_to_host_2d(struct host_cmd *cmd);

/* display.c: scanouts, EDID and the cursor */
void host__scanouts_init(struct host_device *dev);
/* A resource goes away: disable the scanouts and cursors showing it. */
void host__scanouts_forget(struct host_device *dev, uint32_t res_id);
void host_cmd_get_display_info(struct host_cmd *cmd);
void host_cmd_get_edid(struct host_cmd *cmd);
void host_cmd_set_scanout(struct host_cmd *cmd);
void host_cmd_set_scanout_blob(struct host_cmd *cmd);
void host_cmd_resource_flush(struct host_cmd *cmd);
void host_cmd_update_cursor(struct host_cmd *cmd);
void host_cmd_move_cursor(struct host_cmd *cmd);

/* edid.c: a 128-byte EDID 1.4 base block for a @w x @h preferred mode */
void host__edid_build(uint8_t edid[128], uint32_t w, uint32_t h,
		      uint32_t serial);
/* Can a detailed timing describe @w x @h at 60 Hz? */
bool host__edid_mode_ok(uint32_t w, uint32_t h);

/* png.c: read the pixels of a rect of a resource as RGBA and write PNGs */
int host__read_rgba(struct host_resource *res, uint32_t format,
		    uint64_t offset, uint32_t stride,
		    const struct virtio_gpu_rect *r, uint8_t *rgba);
int host__png_write(const char *path, const uint8_t *rgba, uint32_t w,
		    uint32_t h);

/* cmd_3d.c: one handler per VIRTIO_GPU_CMD_*; each sets cmd->error on a
 * guest mistake and logs the field. */
void host_cmd_get_capset_info(struct host_cmd *cmd);
void host_cmd_get_capset(struct host_cmd *cmd);
void host_cmd_ctx_create(struct host_cmd *cmd);
void host_cmd_ctx_destroy(struct host_cmd *cmd);
void host_cmd_ctx_attach_resource(struct host_cmd *cmd);
void host_cmd_ctx_detach_resource(struct host_cmd *cmd);
void host_cmd_submit_3d(struct host_cmd *cmd);
void host_cmd_transfer_to_host_3d(struct host_cmd *cmd);
void host_cmd_transfer_from_host_3d(struct host_cmd *cmd);
void host_cmd_resource_create_3d(struct host_cmd *cmd);
void host__renderer_resource_add(struct host_cmd *cmd,
				 struct host_resource *res, uint32_t last_level,
				 uint32_t nr_samples, uint32_t flags);

/* blob.c */
void host_cmd_resource_create_blob(struct host_cmd *cmd);
void host_cmd_resource_map_blob(struct host_cmd *cmd);
void host_cmd_resource_unmap_blob(struct host_cmd *cmd);
/* Undo a RESOURCE_MAP_BLOB (unref, detach, reset). */
void host__blob_unmap(struct host_device *dev, struct host_resource *res);

/* virglrenderer.c: the renderer backend; translates to virgl_renderer_*
 * calls and owns EGL.  Returns 0 or -errno. */
/* vr_version.c */
void host__vr_probe_gl_version(struct host_device *dev);
/* vr_venus_inproc.c or vr_venus_server.c (by virglrenderer's version):
 * 0, or -ENOTSUP after a message when this virglrenderer cannot run
 * venus where @opts asks for it. */
int host__vr_venus_check(const struct host_options *opts);
/* vr_map_fixed.c or vr_map_plain.c (meson: does the virglrenderer have
 * virgl_renderer_resource_map_fixed?): the memory of a HOST3D blob's
 * window at @offset (@len bytes) of the host-visible region.  0 with *ptr,
 * the renderer's *size and *map_info, else a negative errno. */
int host__vr_map_window(struct host_device *dev, struct host_resource *res,
			uint64_t offset, uint64_t len, void **ptr,
			uint64_t *size, uint32_t *map_info);
void host__vr_unmap_window(struct host_device *dev, struct host_resource *res);
/* Give the region's address range back (free_device). */
void host__vr_region_release(struct host_device *dev);

int host_vr_init(struct host_device *dev);
void host_vr_fini(struct host_device *dev);
void host_vr_query_capsets(struct host_device *dev);
void host_vr_fill_capset(uint32_t id, uint32_t version, void *buf);
/* Rings a context of @capset_id can fence on (virgl: ring 0 only). */
uint32_t host_vr_context_rings(uint32_t capset_id);
int host_vr_context_create(uint32_t ctx_id, uint32_t capset_id,
			   const char *name, uint32_t nlen);
void host_vr_context_destroy(uint32_t ctx_id);
int host_vr_resource_create(struct host_resource *res, uint32_t last_level,
			    uint32_t array_size, uint32_t nr_samples,
			    uint32_t flags);
int host_vr_resource_create_blob(struct host_resource *res, uint32_t ctx_id);
void host_vr_resource_unref(uint32_t res_id);
int host_vr_attach_iov(uint32_t res_id, struct iovec *iov, unsigned cnt);
void host_vr_detach_iov(uint32_t res_id);
void host_vr_ctx_attach(uint32_t ctx_id, uint32_t res_id);
void host_vr_ctx_detach(uint32_t ctx_id, uint32_t res_id);
int host_vr_submit(uint32_t ctx_id, void *buf, uint32_t ndw);
int host_vr_transfer(bool to_host, uint32_t res_id, uint32_t ctx_id,
		     uint32_t level, uint32_t stride, uint32_t layer_stride,
		     const struct virtio_gpu_box *box, uint64_t offset);
/* Read a box of level 0 into @buf (rows of @stride bytes). */
int host_vr_read_box(uint32_t res_id, const struct virtio_gpu_box *box,
		     uint32_t stride, void *buf, size_t len);
int host_vr_map(uint32_t res_id, void **ptr, uint64_t *size,
		uint32_t *map_info);
void host_vr_unmap(uint32_t res_id);
int host_vr_create_fence(const struct host_timeline *tl, uint64_t seq);

/* inject.c: faults for testing guest drivers (host_options.inject).
 * Each hook is a no-op on a device without faults. */
/* Parse @spec; *out stays NULL for an empty spec.  -EINVAL after a
 * message naming the bad item, or -ENOMEM. */
int host__inject_parse(const char *spec, struct host_inject **out);
void host__inject_free(struct host_inject *inj);
/* On the device thread: set up and tear down the fence timer; reset
 * drops held completions (their commands were dropped too). */
int host__inject_start(struct host_device *dev);
void host__inject_reset(struct host_device *dev);
void host__inject_stop(struct host_device *dev);
/* A command passed its gate: true after setting cmd->error when a cmd=
 * fault answers it instead of its handler. */
bool host__inject_cmd(struct host_cmd *cmd);
/* Before the renderer creates a context: -EIO when ctx_create=fail
 * fires (the caller treats it as the renderer's failure). */
int host__inject_ctx_create(struct host_device *dev, uint32_t ctx_id,
			    uint32_t capset_id);
/* May the device back [offset, offset + len) of the region (hostmem=)? */
bool host__inject_hostmem_ok(struct host_device *dev, uint64_t offset,
			     uint64_t len);
/* Before a SUBMIT_3D reaches the renderer (worker=kill). */
void host__inject_submit(struct host_device *dev,
			 const struct host_context *ctx);
void host__inject_ctx_destroyed(struct host_device *dev, uint32_t ctx_id);
/* A renderer completion arrived: true when a fence= fault holds it (it
 * is retired later, in order within its timeline). */
bool host__inject_hold_signal(struct host_device *dev,
			      const struct host_fence_signal *sig);
/* The renderer's completions of @ctx_id held back so far are retired now
 * (the context is being destroyed: nothing is left to delay). */
void host__inject_release_context(struct host_device *dev, uint32_t ctx_id);
/* Whether fence= faults are configured: holding a signal arms a libuv
 * timer, which only the device thread may do. */
bool host__inject_holds_fences(const struct host_device *dev);

/* table.c */
void host_table_init(struct host_table *t);
void host_table_fini(struct host_table *t);
void *host_table_get(const struct host_table *t, uint32_t key);
int host_table_put(struct host_table *t, uint32_t key, void *val);
void *host_table_remove(struct host_table *t, uint32_t key);
/* Remove and return any one entry, or NULL when empty (for teardown). */
void *host_table_pop_any(struct host_table *t);
/* Call @fn on every entry; @fn must not add or remove entries. */
void host_table_foreach(struct host_table *t,
			void (*fn)(struct host_device *dev, uint32_t key,
				   void *val, void *arg),
			struct host_device *dev, void *arg);

/* trace.c: the device's trace events (sim/trace.h), each called only
 * when sim_trace_on(). */
struct host_trace_mark {
	uint64_t t0, fence_id;
	uint32_t type, res_id;
	unsigned queue;
};
void host__trace_begin(struct host_trace_mark *m, unsigned queue,
		       const struct sim_vq_elem *elem);
void host__trace_end(struct host_device *dev, const struct host_trace_mark *m);
void host__trace_parked(struct host_cmd *cmd);
void host__trace_reply(struct host_cmd *cmd);

/* record.c: the capture hooks (host_options.record), each called only
 * when dev->rec is set; all under state_lock but notify. */
int host__rec_create(struct host_device *dev);
void host__rec_free(struct host_rec *r);
void host__rec_renderer(struct host_device *dev);
void host__rec_config(struct host_device *dev, const void *config,
		      uint32_t len, uint64_t offered);
void host__rec_features(struct host_device *dev);
void host__rec_notify(struct host_device *dev, unsigned queue);
void host__rec_status(struct host_device *dev, uint8_t old, uint8_t status);
void host__rec_interrupt(struct host_device *dev, uint32_t isr);
void host__rec_chain(struct host_cmd *cmd);
void host__rec_response(struct host_cmd *cmd, const void *hdr,
			const void *resp, size_t len, uint32_t written);
void host__rec_after(struct host_cmd *cmd);

#endif
