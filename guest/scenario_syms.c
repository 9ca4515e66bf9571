/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu DRM UAPI's symbolic names (kernelmock/virtgpu_drm.h, the
 * same as Linux include/uapi/drm/virtgpu_drm.h) and errno names, as a
 * scenario writes them.
 */
#include <errno.h>
#include <stdio.h>

#include "guest/scenario_int.h"
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
};
TABLE(guest__params,
      "a GETPARAM param (3D_FEATURES, CAPSET_QUERY_FIX, RESOURCE_BLOB, "
      "HOST_VISIBLE, CROSS_DEVICE, CONTEXT_INIT, SUPPORTED_CAPSET_IDs, "
      "EXPLICIT_DEBUG_NAME)",
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
