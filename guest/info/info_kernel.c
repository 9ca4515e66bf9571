// SPDX-License-Identifier: MIT
/*
 * What `virtgpu-sim info` says about the guest kernel: its Linux version
 * (km_device_kversion, as uname(2) tells a program), what that version
 * offers (ioctls, GETPARAM params, CONTEXT_INIT params, struct sizes) and
 * the syncobj caps as DRM_IOCTL_GET_CAP answers them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest/info/info.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

static void row(struct guest_info *info, const char *key, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));
static void row(struct guest_info *info, const char *key, const char *fmt,
		...)
{
	va_list ap;

	if (info->kernel_rows >= GUEST_INFO_KERNEL_ROWS)
		return;
	info->kernel[info->kernel_rows].key = key;
	va_start(ap, fmt);
	vsnprintf(info->kernel[info->kernel_rows].value,
		  sizeof(info->kernel[0].value), fmt, ap);
	va_end(ap);
	info->kernel_rows++;
}

/* DRM_IOCTL_GET_CAP: "1", "0", or the errno. */
static void cap_row(struct guest_info *info, struct km_file *f,
		    const char *key, uint64_t cap)
{
	struct drm_get_cap c = { .capability = cap };
	int ret = km_ioctl(f, DRM_IOCTL_GET_CAP, &c);

	if (ret)
		row(info, key, "error %d (%s)", ret, strerror(-ret));
	else
		row(info, key, "%llu", (unsigned long long)c.value);
}

void guest__info_ask_kernel(struct km_device *kd, struct km_file *f,
			    struct guest_info *info)
{
	const struct km_kversion *kv = km_device_kversion(kd);

	row(info, "version", "Linux %s", kv->name);
	row(info, "changes", "%s", kv->changes);
	/* The ioctl numbers 0x01..0x0b are the same in every version. */
	row(info, "ioctls", "MAP EXECBUFFER GETPARAM RESOURCE_CREATE "
	    "RESOURCE_INFO TRANSFER_FROM_HOST TRANSFER_TO_HOST WAIT GET_CAPS "
	    "RESOURCE_CREATE_BLOB CONTEXT_INIT");
	row(info, "getparam params", "1 to %u", kv->last_param);
	row(info, "context_init params", "at most %u, %s-bit%s",
	    kv->max_context_params, kv->context_param_64bit ? "64" : "32",
	    kv->context_debug_name ? ", DEBUG_NAME" : "");
	row(info, "execbuffer struct", "%u bytes%s", kv->execbuffer_size,
	    kv->syncobj ? " (syncobj arrays)" : "");
	row(info, "execbuffer order", "%s", kv->submit_order_v65
	    ? "virtgpu_submit.c: bos, commands, out-fence, then in-fence; "
	      "fence_fd written on success"
	    : "in-fence first; fence_fd -1 from the flag check on");
	cap_row(info, f, "DRM_CAP_SYNCOBJ", DRM_CAP_SYNCOBJ);
	cap_row(info, f, "DRM_CAP_SYNCOBJ_TIMELINE", DRM_CAP_SYNCOBJ_TIMELINE);
	row(info, "default context on GEM open", "%s",
	    kv->gem_open_creates_context ? "yes"
					 : "only without CONTEXT_INIT");
	row(info, "blob_alignment", "%s", kv->blob_alignment
	    ? "VIRTIO_GPU_F_BLOB_ALIGNMENT known, blob sizes checked"
	    : "unknown to this version");
}
