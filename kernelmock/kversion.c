// SPDX-License-Identifier: MIT
/*
 * The Linux versions kernelmock can be (struct km_kversion in km.h), one
 * row per version in which the virtio-gpu UAPI or its checks changed, each
 * field citing the commit that changed it (docs/kernel-versions.md has the
 * evidence).  Changes between two rows are folded into the later one: the
 * 6.6 row also carries 6.2's fence_fd fix (8f20660f) and 6.5's
 * virtgpu_submit.c (e4812ab8).
 */
#include <string.h>

#include "kernelmock/km_internal.h"

static const struct km_kversion kversions[] = {
	{
		.name = "6.1",
		.changes = "Debian 12; EXECBUFFER in virtgpu_ioctl.c: fence_fd "
			   "-1 on entry, in-fence waited before the bo lookup; "
			   "no syncobjs; GETPARAM 1-7; CONTEXT_INIT: 3 params, "
			   "32-bit",
		.last_param = VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs,
		.max_context_params = 3,
		.execbuffer_size = KM_EXECBUFFER_SIZE_V2,
		.gem_open_creates_context = true,
	},
	{
		.name = "6.6",
		.changes = "8f20660f (6.2) fence_fd written on success only; "
			   "e4812ab8 (6.5) virtgpu_submit.c order; 70d1ace5 "
			   "ring event only with RING_IDX; 7cb8d1ab syncobjs, "
			   "64-byte EXECBUFFER",
		.last_param = VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs,
		.max_context_params = 3,
		.execbuffer_size = KM_EXECBUFFER_SIZE_V3,
		.submit_order_v65 = true,
		.ring_event_needs_flag = true,
		.syncobj = true,
		.gem_open_creates_context = true,
	},
	{
		.name = "6.8",
		.changes = "7add8012 GETPARAM 8 EXPLICIT_DEBUG_NAME, "
			   "CONTEXT_PARAM_DEBUG_NAME, 4 params; e4178256 "
			   "64-bit param and value",
		.last_param = VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME,
		.max_context_params = 4,
		.context_param_64bit = true,
		.context_debug_name = true,
		.execbuffer_size = KM_EXECBUFFER_SIZE_V3,
		.submit_order_v65 = true,
		.ring_event_needs_flag = true,
		.syncobj = true,
		.gem_open_creates_context = true,
	},
	{
		.name = "6.12",
		.changes = "Debian 13 (the default); 445d336c (6.11) 64-bit "
			   "own-context compare of in-fences",
		.last_param = VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME,
		.max_context_params = 4,
		.context_param_64bit = true,
		.context_debug_name = true,
		.execbuffer_size = KM_EXECBUFFER_SIZE_V3,
		.submit_order_v65 = true,
		.ring_event_needs_flag = true,
		.syncobj = true,
		.gem_open_creates_context = true,
	},
	{
		.name = "6.14",
		.changes = "086b9f27 no default context on GEM open when "
			   "CONTEXT_INIT is offered (attached to the context "
			   "even if not created, until 7cf6dd46 in 6.15)",
		.last_param = VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME,
		.max_context_params = 4,
		.context_param_64bit = true,
		.context_debug_name = true,
		.execbuffer_size = KM_EXECBUFFER_SIZE_V3,
		.submit_order_v65 = true,
		.ring_event_needs_flag = true,
		.syncobj = true,
		.gem_attach_uncreated = true,
	},
	{
		.name = "7.2",
		.changes = "7cf6dd46 (6.15) attach only to a created context; "
			   "7b5121c3 VIRTIO_GPU_F_BLOB_ALIGNMENT; 47248e0d "
			   "blob sizes checked; 6bd7e82e GETPARAM 9 "
			   "BLOB_ALIGNMENT",
		.last_param = VIRTGPU_PARAM_BLOB_ALIGNMENT,
		.max_context_params = 4,
		.context_param_64bit = true,
		.context_debug_name = true,
		.execbuffer_size = KM_EXECBUFFER_SIZE_V3,
		.submit_order_v65 = true,
		.ring_event_needs_flag = true,
		.syncobj = true,
		.blob_alignment = true,
	},
};

#define KM_KVERSION_DEFAULT 3	/* 6.12 */
_Static_assert(sizeof(kversions) / sizeof(kversions[0]) <= 64,
	       "a device option holds a set of versions in 64 bits");

const struct km_kversion *km_kversion_at(unsigned i)
{
	return i < sizeof(kversions) / sizeof(kversions[0]) ? &kversions[i]
							    : NULL;
}

const struct km_kversion *km_kversion_find(const char *name, size_t len)
{
	for (const struct km_kversion *kv = kversions;
	     kv < kversions + sizeof(kversions) / sizeof(kversions[0]); kv++)
		if (strlen(kv->name) == len && !strncmp(kv->name, name, len))
			return kv;
	return NULL;
}

const struct km_kversion *km_kversion_default(void)
{
	return &kversions[KM_KVERSION_DEFAULT];
}
