/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu DRM UAPI's symbolic names (kernelmock/virtgpu_drm.h, the
 * same as Linux include/uapi/drm/virtgpu_drm.h) and errno names, as a
 * scenario writes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/virtio_gpu.h>

#include "guest/scenario/scenario_int.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

#define TABLE(var, what, prefix, syms)                                    \
	const struct guest_symtab var = { what, prefix, syms,             \
					  sizeof(syms) / sizeof(syms[0]) }

static const struct guest_sym params[] = {
	{ "3D_FEATURES", VIRTGPU_PARAM_3D_FEATURES, 0 },
	{ "CAPSET_QUERY_FIX", VIRTGPU_PARAM_CAPSET_QUERY_FIX, 0 },
	{ "RESOURCE_BLOB", VIRTGPU_PARAM_RESOURCE_BLOB, 0 },
	{ "HOST_VISIBLE", VIRTGPU_PARAM_HOST_VISIBLE, 0 },
	{ "CROSS_DEVICE", VIRTGPU_PARAM_CROSS_DEVICE, 0 },
	{ "CONTEXT_INIT", VIRTGPU_PARAM_CONTEXT_INIT, 0 },
	{ "SUPPORTED_CAPSET_IDs", VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs, 0 },
	{ "EXPLICIT_DEBUG_NAME", VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME, 0 },
	{ "BLOB_ALIGNMENT", VIRTGPU_PARAM_BLOB_ALIGNMENT, 0 },
};
TABLE(guest__params,
      "a GETPARAM param (3D_FEATURES, CAPSET_QUERY_FIX, RESOURCE_BLOB, "
      "HOST_VISIBLE, CROSS_DEVICE, CONTEXT_INIT, SUPPORTED_CAPSET_IDs, "
      "EXPLICIT_DEBUG_NAME, BLOB_ALIGNMENT)",
      "VIRTGPU_PARAM_", params);

static const struct guest_sym capsets[] = {
	{ "VIRGL", VIRTGPU_DRM_CAPSET_VIRGL, 0 },
	{ "VIRGL2", VIRTGPU_DRM_CAPSET_VIRGL2, 0 },
	{ "GFXSTREAM_VULKAN", VIRTGPU_DRM_CAPSET_GFXSTREAM_VULKAN, 0 },
	{ "VENUS", VIRTGPU_DRM_CAPSET_VENUS, 0 },
	{ "CROSS_DOMAIN", VIRTGPU_DRM_CAPSET_CROSS_DOMAIN, 0 },
	{ "DRM", VIRTGPU_DRM_CAPSET_DRM, 0 },
};
TABLE(guest__capsets,
      "a capset (VIRGL, VIRGL2, GFXSTREAM_VULKAN, VENUS, CROSS_DOMAIN, DRM)",
      "VIRTGPU_DRM_CAPSET_", capsets);

static const struct guest_sym execbuf_flags[] = {
	{ "FENCE_FD_IN", VIRTGPU_EXECBUF_FENCE_FD_IN, 0 },
	{ "FENCE_FD_OUT", VIRTGPU_EXECBUF_FENCE_FD_OUT, 0 },
	{ "RING_IDX", VIRTGPU_EXECBUF_RING_IDX, 0 },
};
TABLE(guest__execbuf_flags,
      "an EXECBUFFER flag (FENCE_FD_IN, FENCE_FD_OUT, RING_IDX)",
      "VIRTGPU_EXECBUF_", execbuf_flags);

static const struct guest_sym wait_flags[] = {
	{ "NOWAIT", VIRTGPU_WAIT_NOWAIT, 0 },
};
TABLE(guest__wait_flags, "a WAIT flag (NOWAIT)", "VIRTGPU_WAIT_",
      wait_flags);

static const struct guest_sym blob_mems[] = {
	{ "GUEST", VIRTGPU_BLOB_MEM_GUEST, 0 },
	{ "HOST3D", VIRTGPU_BLOB_MEM_HOST3D, 0 },
	{ "HOST3D_GUEST", VIRTGPU_BLOB_MEM_HOST3D_GUEST, 0 },
};
TABLE(guest__blob_mems, "a blob_mem (GUEST, HOST3D, HOST3D_GUEST)",
      "VIRTGPU_BLOB_MEM_", blob_mems);

static const struct guest_sym blob_flags[] = {
	{ "MAPPABLE", VIRTGPU_BLOB_FLAG_USE_MAPPABLE, 0 },
	{ "SHAREABLE", VIRTGPU_BLOB_FLAG_USE_SHAREABLE, 0 },
	{ "CROSS_DEVICE", VIRTGPU_BLOB_FLAG_USE_CROSS_DEVICE, 0 },
};
TABLE(guest__blob_flags, "a blob flag (MAPPABLE, SHAREABLE, CROSS_DEVICE)",
      "VIRTGPU_BLOB_FLAG_USE_", blob_flags);

static const struct guest_sym ctx_params[] = {
	{ "CAPSET_ID", VIRTGPU_CONTEXT_PARAM_CAPSET_ID, 0 },
	{ "NUM_RINGS", VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 0 },
	{ "POLL_RINGS_MASK", VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK, 0 },
	{ "DEBUG_NAME", VIRTGPU_CONTEXT_PARAM_DEBUG_NAME, 0 },
};
TABLE(guest__ctx_params,
      "a context param (CAPSET_ID, NUM_RINGS, POLL_RINGS_MASK, DEBUG_NAME)",
      "VIRTGPU_CONTEXT_PARAM_", ctx_params);

#define E(name) { #name, name, 0 }
static const struct guest_sym errnos[] = {
	E(EPERM),     E(ENOENT),    E(ESRCH),	  E(EINTR),	E(EIO),
	E(ENXIO),     E(E2BIG),	    E(ENOEXEC),	  E(EBADF),	E(EAGAIN),
	E(ENOMEM),    E(EACCES),    E(EFAULT),	  E(EBUSY),	E(EEXIST),
	E(ENODEV),    E(EINVAL),    E(ENFILE),	  E(EMFILE),	E(ENOTTY),
	E(EFBIG),     E(ENOSPC),    E(ERANGE),	  E(EDEADLK),	E(ENOSYS),
	E(ENODATA),   E(ETIME),	    E(EPROTO),	  E(EOVERFLOW), E(EBADMSG),
	E(EOPNOTSUPP), E(ETIMEDOUT), E(ECANCELED), E(ENOTSUP),
	E(ENOTCONN),
};
#undef E
TABLE(guest__errnos, "an errno name (EINVAL, ENOENT, ...)", NULL, errnos);

const char *guest__errno_name(int err, char *buf, size_t len)
{
	const struct guest_sym *s = guest_symtab_find_value(
		&guest__errnos, (uint64_t)(err < 0 ? -err : err));

	if (s)
		return s->name;
	snprintf(buf, len, "errno %d", err < 0 ? -err : err);
	return buf;
}

/* ---- generic DRM (drm.h) ---- */

#define S(prefix, name) { #name, prefix##name, 0 }
static const struct guest_sym drm_caps[] = {
	S(DRM_CAP_, DUMB_BUFFER),	   S(DRM_CAP_, VBLANK_HIGH_CRTC),
	S(DRM_CAP_, DUMB_PREFERRED_DEPTH), S(DRM_CAP_, DUMB_PREFER_SHADOW),
	S(DRM_CAP_, PRIME),		   S(DRM_CAP_, TIMESTAMP_MONOTONIC),
	S(DRM_CAP_, ASYNC_PAGE_FLIP),	   S(DRM_CAP_, CURSOR_WIDTH),
	S(DRM_CAP_, CURSOR_HEIGHT),	   S(DRM_CAP_, ADDFB2_MODIFIERS),
	S(DRM_CAP_, PAGE_FLIP_TARGET),	   S(DRM_CAP_, CRTC_IN_VBLANK_EVENT),
	S(DRM_CAP_, SYNCOBJ),		   S(DRM_CAP_, SYNCOBJ_TIMELINE),
};
TABLE(guest__drm_caps, "a DRM capability (DUMB_BUFFER, PRIME, SYNCOBJ, "
      "CURSOR_WIDTH, TIMESTAMP_MONOTONIC, ...)", "DRM_CAP_", drm_caps);

static const struct guest_sym prime_flags[] = {
	{ "DRM_CLOEXEC", DRM_CLOEXEC, 0 },
	{ "DRM_RDWR", DRM_RDWR, 0 },
	{ "CLOEXEC", DRM_CLOEXEC, 0 },
	{ "RDWR", DRM_RDWR, 0 },
};
TABLE(guest__prime_flags, "a PRIME flag (DRM_CLOEXEC, DRM_RDWR)", NULL,
      prime_flags);

/* ---- DRM syncobjs (drm.h, and virtgpu_drm.h's EXECBUFFER entries) ---- */

static const struct guest_sym syncobj_create_flags[] = {
	{ "SIGNALED", DRM_SYNCOBJ_CREATE_SIGNALED, 0 },
};
TABLE(guest__syncobj_create_flags, "a SYNCOBJ_CREATE flag (SIGNALED)",
      "DRM_SYNCOBJ_CREATE_", syncobj_create_flags);

static const struct guest_sym syncobj_wait_flags[] = {
	{ "WAIT_ALL", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, 0 },
	{ "WAIT_FOR_SUBMIT", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, 0 },
	{ "WAIT_AVAILABLE", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE, 0 },
	{ "WAIT_DEADLINE", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, 0 },
};
TABLE(guest__syncobj_wait_flags, "a syncobj wait flag (WAIT_ALL, "
      "WAIT_FOR_SUBMIT, WAIT_AVAILABLE, WAIT_DEADLINE)",
      "DRM_SYNCOBJ_WAIT_FLAGS_", syncobj_wait_flags);

static const struct guest_sym syncobj_fd_flags[] = {
	{ "EXPORT_SYNC_FILE",
	  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, 0 },
	{ "IMPORT_SYNC_FILE",
	  DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, 0 },
};
TABLE(guest__syncobj_fd_flags,
      "a syncobj fd flag (EXPORT_SYNC_FILE, IMPORT_SYNC_FILE)", NULL,
      syncobj_fd_flags);

static const struct guest_sym syncobj_query_flags[] = {
	{ "LAST_SUBMITTED", DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, 0 },
};
TABLE(guest__syncobj_query_flags, "a SYNCOBJ_QUERY flag (LAST_SUBMITTED)",
      "DRM_SYNCOBJ_QUERY_FLAGS_", syncobj_query_flags);

static const struct guest_sym execbuf_syncobj_flags[] = {
	{ "RESET", VIRTGPU_EXECBUF_SYNCOBJ_RESET, 0 },
};
TABLE(guest__execbuf_syncobj_flags, "an EXECBUFFER syncobj flag (RESET)",
      "VIRTGPU_EXECBUF_SYNCOBJ_", execbuf_syncobj_flags);

/* ---- virtio-gpu (<linux/virtio_gpu.h>) ---- */

/* From the one command table (sim/gpu_cmds.h, through kernelmock/km.h). */
static const struct guest_sym vcmds[] = {
#define SYM(N, n, req, ok, resp, feat, q) S(VIRTIO_GPU_CMD_, N),
	SIM_GPU_CMDS(SYM)
#undef SYM
};
TABLE(guest__vcmds, "a virtio-gpu command (GET_DISPLAY_INFO, "
      "RESOURCE_CREATE_2D, ..., SUBMIT_3D, UPDATE_CURSOR, MOVE_CURSOR)",
      "VIRTIO_GPU_CMD_", vcmds);

/* 5.7.4: events_read / events_clear bits. */
static const struct guest_sym vconfig_events[] = {
	S(VIRTIO_GPU_EVENT_, DISPLAY),
};
TABLE(guest__vconfig_events, "a config event (DISPLAY)",
      "VIRTIO_GPU_EVENT_", vconfig_events);

static const struct guest_sym vresps[] = {
	S(VIRTIO_GPU_RESP_, OK_NODATA),
	S(VIRTIO_GPU_RESP_, OK_DISPLAY_INFO),
	S(VIRTIO_GPU_RESP_, OK_CAPSET_INFO),
	S(VIRTIO_GPU_RESP_, OK_CAPSET),
	S(VIRTIO_GPU_RESP_, OK_EDID),
	S(VIRTIO_GPU_RESP_, OK_RESOURCE_UUID),
	S(VIRTIO_GPU_RESP_, OK_MAP_INFO),
	S(VIRTIO_GPU_RESP_, ERR_UNSPEC),
	S(VIRTIO_GPU_RESP_, ERR_OUT_OF_MEMORY),
	S(VIRTIO_GPU_RESP_, ERR_INVALID_SCANOUT_ID),
	S(VIRTIO_GPU_RESP_, ERR_INVALID_RESOURCE_ID),
	S(VIRTIO_GPU_RESP_, ERR_INVALID_CONTEXT_ID),
	S(VIRTIO_GPU_RESP_, ERR_INVALID_PARAMETER),
};
TABLE(guest__vresps, "a virtio-gpu response (OK_NODATA, OK_CAPSET_INFO, "
      "..., ERR_UNSPEC, ERR_INVALID_PARAMETER, ...)", "VIRTIO_GPU_RESP_",
      vresps);

static const struct guest_sym vformats[] = {
	S(VIRTIO_GPU_FORMAT_, B8G8R8A8_UNORM),
	S(VIRTIO_GPU_FORMAT_, B8G8R8X8_UNORM),
	S(VIRTIO_GPU_FORMAT_, A8R8G8B8_UNORM),
	S(VIRTIO_GPU_FORMAT_, X8R8G8B8_UNORM),
	S(VIRTIO_GPU_FORMAT_, R8G8B8A8_UNORM),
	S(VIRTIO_GPU_FORMAT_, X8B8G8R8_UNORM),
	S(VIRTIO_GPU_FORMAT_, A8B8G8R8_UNORM),
	S(VIRTIO_GPU_FORMAT_, R8G8B8X8_UNORM),
};
TABLE(guest__vformats, "a virtio-gpu format (B8G8R8A8_UNORM, "
      "R8G8B8A8_UNORM, ...)", "VIRTIO_GPU_FORMAT_", vformats);

static const struct guest_sym vflags[] = {
	S(VIRTIO_GPU_FLAG_, FENCE),
	S(VIRTIO_GPU_FLAG_, INFO_RING_IDX),
};
TABLE(guest__vflags, "a header flag (FENCE, INFO_RING_IDX)",
      "VIRTIO_GPU_FLAG_", vflags);

static const struct guest_sym vblob_mems[] = {
	S(VIRTIO_GPU_BLOB_MEM_, GUEST),
	S(VIRTIO_GPU_BLOB_MEM_, HOST3D),
	S(VIRTIO_GPU_BLOB_MEM_, HOST3D_GUEST),
};
TABLE(guest__vblob_mems, "a blob_mem (GUEST, HOST3D, HOST3D_GUEST)",
      "VIRTIO_GPU_BLOB_MEM_", vblob_mems);

static const struct guest_sym vblob_flags[] = {
	S(VIRTIO_GPU_BLOB_FLAG_USE_, MAPPABLE),
	S(VIRTIO_GPU_BLOB_FLAG_USE_, SHAREABLE),
	S(VIRTIO_GPU_BLOB_FLAG_USE_, CROSS_DEVICE),
};
TABLE(guest__vblob_flags, "a blob flag (MAPPABLE, SHAREABLE, CROSS_DEVICE)",
      "VIRTIO_GPU_BLOB_FLAG_USE_", vblob_flags);

static const struct guest_sym event_types[] = {
	{ "FENCE_SIGNALED", VIRTGPU_EVENT_FENCE_SIGNALED, 0 },
};
TABLE(guest__event_types, "an event type (FENCE_SIGNALED)",
      "VIRTGPU_EVENT_", event_types);

/* Device feature bit numbers, from the one list (sim/gpu_config.h). */
static const struct guest_sym features[] = {
#define FEATURE(N, n, bit) { #N, bit, 0 },
	SIM_GPU_FEATURES(FEATURE)
#undef FEATURE
};
TABLE(guest__features, "a device feature (virgl, edid, resource_uuid, "
      "resource_blob, context_init, blob_alignment)", "VIRTIO_GPU_F_",
      features);
#undef S
