/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu DRM UAPI as current Linux defines it
 * (include/uapi/drm/virtgpu_drm.h, Linux 6.x): ioctl numbers, params,
 * capset ids, flags and the argument structs, declared here because
 * Debian 12's libdrm copy predates RESOURCE_CREATE_BLOB and CONTEXT_INIT.
 * Layouts are ABI facts; the static asserts below pin their sizes.  The
 * generic DRM part (DRM_IOWR, DRM_COMMAND_BASE, struct drm_gem_close, ...)
 * comes from libdrm's drm.h.
 */
#ifndef KM_VIRTGPU_DRM_H
#define KM_VIRTGPU_DRM_H

#include <stdint.h>
#include <drm.h>

#define DRM_VIRTGPU_MAP 0x01
#define DRM_VIRTGPU_EXECBUFFER 0x02
#define DRM_VIRTGPU_GETPARAM 0x03
#define DRM_VIRTGPU_RESOURCE_CREATE 0x04
#define DRM_VIRTGPU_RESOURCE_INFO 0x05
#define DRM_VIRTGPU_TRANSFER_FROM_HOST 0x06
#define DRM_VIRTGPU_TRANSFER_TO_HOST 0x07
#define DRM_VIRTGPU_WAIT 0x08
#define DRM_VIRTGPU_GET_CAPS 0x09
#define DRM_VIRTGPU_RESOURCE_CREATE_BLOB 0x0a
#define DRM_VIRTGPU_CONTEXT_INIT 0x0b

#define VIRTGPU_EXECBUF_FENCE_FD_IN 0x01
#define VIRTGPU_EXECBUF_FENCE_FD_OUT 0x02
#define VIRTGPU_EXECBUF_RING_IDX 0x04
#define VIRTGPU_EXECBUF_FLAGS \
	(VIRTGPU_EXECBUF_FENCE_FD_IN | VIRTGPU_EXECBUF_FENCE_FD_OUT | \
	 VIRTGPU_EXECBUF_RING_IDX)

#define VIRTGPU_PARAM_3D_FEATURES 1
#define VIRTGPU_PARAM_CAPSET_QUERY_FIX 2
#define VIRTGPU_PARAM_RESOURCE_BLOB 3
#define VIRTGPU_PARAM_HOST_VISIBLE 4
#define VIRTGPU_PARAM_CROSS_DEVICE 5
#define VIRTGPU_PARAM_CONTEXT_INIT 6
#define VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs 7
#define VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME 8
/* Linux 7.2 (6bd7e82e): the device's blob_alignment; -ENOENT when
 * VIRTIO_GPU_F_BLOB_ALIGNMENT was not negotiated.  Mesa's own copy of the
 * header calls 9 VIRTGPU_PARAM_GUEST_VRAM (scenarios/kernel/). */
#define VIRTGPU_PARAM_BLOB_ALIGNMENT 9

#define VIRTGPU_DRM_CAPSET_VIRGL 1
#define VIRTGPU_DRM_CAPSET_VIRGL2 2
#define VIRTGPU_DRM_CAPSET_GFXSTREAM_VULKAN 3
#define VIRTGPU_DRM_CAPSET_VENUS 4
#define VIRTGPU_DRM_CAPSET_CROSS_DOMAIN 5
#define VIRTGPU_DRM_CAPSET_DRM 6

struct drm_virtgpu_map {
	uint64_t offset;	/* out: fake offset for mmap */
	uint32_t handle;
	uint32_t pad;
};

/* Since 6.6 (7cb8d1ab8cbd): in-syncobjs to reset once waited for. */
#define VIRTGPU_EXECBUF_SYNCOBJ_RESET 0x01
#define VIRTGPU_EXECBUF_SYNCOBJ_FLAGS VIRTGPU_EXECBUF_SYNCOBJ_RESET
struct drm_virtgpu_execbuffer_syncobj {
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
};

struct drm_virtgpu_execbuffer {
	uint32_t flags;
	uint32_t size;
	uint64_t command;	/* user pointer */
	uint64_t bo_handles;	/* user pointer to u32[] */
	uint32_t num_bo_handles;
	int32_t fence_fd;	/* in/out */
	uint32_t ring_idx;
	uint32_t syncobj_stride;
	uint32_t num_in_syncobjs;
	uint32_t num_out_syncobjs;
	uint64_t in_syncobjs;
	uint64_t out_syncobjs;
};
/* Userspace built against older headers sends the struct up to ring_idx
 * plus padding (Mesa 22.3: 40 bytes) or up to fence_fd (32 bytes). */
#define KM_EXECBUFFER_SIZE_V1 32u
#define KM_EXECBUFFER_SIZE_V2 40u
/* The whole struct, with the syncobj fields (Linux 6.6, 7cb8d1ab). */
#define KM_EXECBUFFER_SIZE_V3 64u

struct drm_virtgpu_getparam {
	uint64_t param;
	uint64_t value;		/* user pointer to the result */
};

struct drm_virtgpu_resource_create {
	uint32_t target;
	uint32_t format;
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags;
	uint32_t bo_handle;	/* out */
	uint32_t res_handle;	/* out */
	uint32_t size;		/* size of the backing in bytes */
	uint32_t stride;
};

struct drm_virtgpu_resource_info {
	uint32_t bo_handle;
	uint32_t res_handle;	/* out */
	uint32_t size;		/* out */
	uint32_t blob_mem;	/* out */
};

struct drm_virtgpu_3d_box {
	uint32_t x, y, z;
	uint32_t w, h, d;
};

struct drm_virtgpu_3d_transfer_to_host {
	uint32_t bo_handle;
	struct drm_virtgpu_3d_box box;
	uint32_t level;
	uint32_t offset;
	uint32_t stride;
	uint32_t layer_stride;
};

struct drm_virtgpu_3d_transfer_from_host {
	uint32_t bo_handle;
	struct drm_virtgpu_3d_box box;
	uint32_t level;
	uint32_t offset;
	uint32_t stride;
	uint32_t layer_stride;
};

#define VIRTGPU_WAIT_NOWAIT 1
struct drm_virtgpu_3d_wait {
	uint32_t handle;
	uint32_t flags;
};

struct drm_virtgpu_get_caps {
	uint32_t cap_set_id;
	uint32_t cap_set_ver;
	uint64_t addr;		/* user pointer */
	uint32_t size;
	uint32_t pad;
};

#define VIRTGPU_BLOB_MEM_GUEST 0x0001
#define VIRTGPU_BLOB_MEM_HOST3D 0x0002
#define VIRTGPU_BLOB_MEM_HOST3D_GUEST 0x0003
#define VIRTGPU_BLOB_FLAG_USE_MAPPABLE 0x0001
#define VIRTGPU_BLOB_FLAG_USE_SHAREABLE 0x0002
#define VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE 0x0004
struct drm_virtgpu_resource_create_blob {
	uint32_t blob_mem;
	uint32_t blob_flags;
	uint32_t bo_handle;	/* out */
	uint32_t res_handle;	/* out */
	uint64_t size;
	uint32_t pad;
	uint32_t cmd_size;
	uint64_t cmd;		/* user pointer */
	uint64_t blob_id;
};

#define VIRTGPU_CONTEXT_PARAM_CAPSET_ID 0x0001
#define VIRTGPU_CONTEXT_PARAM_NUM_RINGS 0x0002
#define VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK 0x0003
#define VIRTGPU_CONTEXT_PARAM_DEBUG_NAME 0x0004
struct drm_virtgpu_context_set_param {
	uint64_t param;
	uint64_t value;
};

struct drm_virtgpu_context_init {
	uint32_t num_params;
	uint32_t pad;
	uint64_t ctx_set_params;	/* user pointer */
};

/*
 * The generic DRM syncobj UAPI newer than libdrm 2.4.114's drm.h:
 * DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE and the deadline_nsec that ends
 * struct drm_syncobj_wait and struct drm_syncobj_timeline_wait
 * (drm/syncobj: Add deadline support for syncobj waits, Linux 6.7).  The
 * kernel struct is the longer one; a program built against the older
 * drm.h sends the first 32 / 40 bytes, which drm_ioctl zero-extends.
 */
#ifndef DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE
#define DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE (1 << 3)
#endif
#define KM_SYNCOBJ_WAIT_SIZE 40u
#define KM_SYNCOBJ_TIMELINE_WAIT_SIZE 48u

/* An event read() from the device file for rings in POLL_RINGS_MASK. */
#define VIRTGPU_EVENT_FENCE_SIGNALED 0x90000000

#define DRM_IOCTL_VIRTGPU_MAP \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_MAP, struct drm_virtgpu_map)
#define DRM_IOCTL_VIRTGPU_EXECBUFFER                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_EXECBUFFER, \
		 struct drm_virtgpu_execbuffer)
#define DRM_IOCTL_VIRTGPU_GETPARAM                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_GETPARAM, \
		 struct drm_virtgpu_getparam)
#define DRM_IOCTL_VIRTGPU_RESOURCE_CREATE                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_CREATE, \
		 struct drm_virtgpu_resource_create)
#define DRM_IOCTL_VIRTGPU_RESOURCE_INFO                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_INFO, \
		 struct drm_virtgpu_resource_info)
#define DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_TRANSFER_FROM_HOST, \
		 struct drm_virtgpu_3d_transfer_from_host)
#define DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_TRANSFER_TO_HOST, \
		 struct drm_virtgpu_3d_transfer_to_host)
#define DRM_IOCTL_VIRTGPU_WAIT                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_WAIT, \
		 struct drm_virtgpu_3d_wait)
#define DRM_IOCTL_VIRTGPU_GET_CAPS                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_GET_CAPS, \
		 struct drm_virtgpu_get_caps)
#define DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_CREATE_BLOB, \
		 struct drm_virtgpu_resource_create_blob)
#define DRM_IOCTL_VIRTGPU_CONTEXT_INIT                       \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_CONTEXT_INIT, \
		 struct drm_virtgpu_context_init)

_Static_assert(sizeof(struct drm_virtgpu_map) == 16, "map");
/* libdrm's drm.h has deadline_nsec from 2.4.116 (Debian 13) on, not
 * before (Debian 12): either size is the kernel's or 8 bytes short. */
_Static_assert(sizeof(struct drm_syncobj_wait) == KM_SYNCOBJ_WAIT_SIZE ||
	       sizeof(struct drm_syncobj_wait) + 8 == KM_SYNCOBJ_WAIT_SIZE,
	       "syncobj_wait");
_Static_assert(sizeof(struct drm_syncobj_timeline_wait) ==
	       KM_SYNCOBJ_TIMELINE_WAIT_SIZE ||
	       sizeof(struct drm_syncobj_timeline_wait) + 8 ==
	       KM_SYNCOBJ_TIMELINE_WAIT_SIZE, "syncobj_timeline_wait");
_Static_assert(sizeof(struct drm_virtgpu_execbuffer) == 64, "execbuffer");
_Static_assert(sizeof(struct drm_virtgpu_execbuffer_syncobj) == 16, "syncobj");
_Static_assert(sizeof(struct drm_virtgpu_getparam) == 16, "getparam");
_Static_assert(sizeof(struct drm_virtgpu_resource_create) == 56, "create");
_Static_assert(sizeof(struct drm_virtgpu_resource_info) == 16, "info");
_Static_assert(sizeof(struct drm_virtgpu_3d_box) == 24, "box");
_Static_assert(sizeof(struct drm_virtgpu_3d_transfer_to_host) == 44, "xfer");
_Static_assert(sizeof(struct drm_virtgpu_3d_transfer_from_host) == 44, "xfer");
_Static_assert(sizeof(struct drm_virtgpu_3d_wait) == 8, "wait");
_Static_assert(sizeof(struct drm_virtgpu_get_caps) == 24, "get_caps");
_Static_assert(sizeof(struct drm_virtgpu_resource_create_blob) == 48, "blob");
_Static_assert(sizeof(struct drm_virtgpu_context_set_param) == 16, "param");
_Static_assert(sizeof(struct drm_virtgpu_context_init) == 16, "ctx_init");

#endif
