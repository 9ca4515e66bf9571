// SPDX-License-Identifier: MIT
/*
 * Venus session core: the venus context on a render-node file, its reply
 * stream, submission through EXECBUFFER and fence waits, and the round-trip
 * helpers every guest_vn_call_* uses.  Only km_ioctl / km_mmap reach the
 * stack.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/venus/venus_int.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"

#define DEFAULT_REPLY_SIZE (64u << 10)
#define DEFAULT_TIMEOUT_MS 10000

int guest_vn__error(struct guest_vn_session *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return err;
}

const char *guest_vn_session_error(const struct guest_vn_session *s)
{
	return s->error;
}

uint32_t guest_vn_session_instance_version(const struct guest_vn_session *s)
{
	return s->instance_version;
}

int guest_vn_session_lost(const struct guest_vn_session *s)
{
	return s->lost;
}

uint64_t guest_vn_session_new_id(struct guest_vn_session *s)
{
	return s->next_id++;
}

VkResult guest_vn_session_last_result(const struct guest_vn_session *s)
{
	return s->last_result;
}

int guest_vn_capset_query(struct km_file *file, struct guest_vn_capset *out)
{
	memset(out, 0, sizeof(*out));
	struct drm_virtgpu_get_caps gc = {
		.cap_set_id = VIRTGPU_DRM_CAPSET_VENUS,
		.cap_set_ver = 0,
		.addr = (uintptr_t)out,
		.size = sizeof(*out),
	};

	return km_ioctl(file, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc);
}

/* ---- submission ---- */

/*
 * EXECBUFFER of @len bytes.  With @fence_fd, the submit is fenced on ring 0
 * of the context (VIRTGPU_EXECBUF_RING_IDX): the venus renderer signals a
 * ring-0 fence once it has processed everything submitted before it,
 * which is what makes the reply readable (FACTS.md "Venus").
 */
static int submit(struct guest_vn_session *s, const void *buf, size_t len,
		  int *fence_fd)
{
	struct drm_virtgpu_execbuffer eb = {
		.flags = fence_fd ? VIRTGPU_EXECBUF_FENCE_FD_OUT |
					    VIRTGPU_EXECBUF_RING_IDX : 0,
		.size = (uint32_t)len,
		.command = (uintptr_t)buf,
		.fence_fd = -1,
		.ring_idx = 0,
	};

	if (len > UINT32_MAX)
		return guest_vn__error(s, -E2BIG, "EXECBUFFER: a %zu-byte "
				       "stream does not fit the size field",
				       len);
	int ret = km_ioctl(s->file, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);

	if (ret)
		return guest_vn__error(s, ret, "EXECBUFFER of %zu bytes: %s",
				       len, strerror(-ret));
	if (fence_fd)
		*fence_fd = eb.fence_fd;
	return 0;
}

static int fence_wait(struct guest_vn_session *s, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, s->timeout_ms);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;

	close(fd);
	if (n < 0)
		return guest_vn__error(s, err, "poll on the fence fd: %s",
				       strerror(-err));
	if (n == 0)
		return guest_vn__error(s, -ETIME, "the EXECBUFFER fence did "
				       "not signal within %d ms",
				       s->timeout_ms);
	return 0;
}

/* Submit the batch (if any) and empty it; fenced and waited for when
 * @wait. */
static int submit_batch(struct guest_vn_session *s, bool wait)
{
	int fd = -1;

	if (s->lost) {
		guest_vn_enc_reset(&s->batch);
		return guest_vn__error(s, -ENOTCONN, "the venus context is "
				       "lost (%s)", strerror(-s->lost));
	}
	if (!s->batch.len && !wait)
		return 0;
	int ret = submit(s, s->batch.buf, s->batch.len, wait ? &fd : NULL);

	guest_vn_enc_reset(&s->batch);
	if (ret || !wait)
		return ret;
	ret = fence_wait(s, fd);
	if (ret == -ETIME)
		s->lost = ret;
	return ret;
}

int guest_vn_session_flush(struct guest_vn_session *s)
{
	return submit_batch(s, false);
}

int guest_vn_session_submit_raw(struct guest_vn_session *s,
				const uint32_t *dw, size_t n)
{
	int ret = guest_vn_encode_dwords(&s->batch, dw, n);

	if (ret)
		return guest_vn__error(s, ret, "raw stream of %zu dwords: %s",
				       n, strerror(-ret));
	return submit_batch(s, true);
}

/* ---- round trips ---- */

int guest_vn__call_begin(struct guest_vn_session *s, size_t *mark)
{
	if (s->lost)
		return guest_vn__error(s, -ENOTCONN, "the venus context is "
				       "lost (%s)", strerror(-s->lost));
	*mark = s->batch.len;
	/* Each reply is read from offset 0 of the reply stream. */
	int ret = guest_vn_encode_vkSeekReplyCommandStreamMESA(&s->batch, 0,
							       0);

	if (ret)
		return guest_vn__error(s, ret, "encoding "
				       "vkSeekReplyCommandStreamMESA: %s",
				       strerror(-ret));
	return 0;
}

int guest_vn__call_end(struct guest_vn_session *s, size_t mark, int enc_ret,
		       uint32_t type, struct guest_vn_dec *d)
{
	const char *name = guest_vn_command_name(type);

	if (enc_ret) {
		s->batch.len = mark;
		return guest_vn__error(s, enc_ret, "encoding %s: %s", name,
				       strerror(-enc_ret));
	}
	uint32_t sentinel = GUEST_VN_REPLY_SENTINEL;

	memcpy(s->reply, &sentinel, sizeof(sentinel));
	int ret = submit_batch(s, true);

	if (ret)
		return guest_vn__error(s, ret, "%s: %s", name,
				       strdupa(s->error));
	memcpy(&sentinel, s->reply, sizeof(sentinel));
	if (sentinel == GUEST_VN_REPLY_SENTINEL) {
		/* The fence signalled but the host wrote nothing: it stopped
		 * decoding the stream, which venus treats as fatal for the
		 * context (FACTS.md: "leaves the context unusable"). */
		s->lost = -EIO;
		return guest_vn__error(s, -EIO, "no reply to %s: the host did "
				       "not process the stream (the context "
				       "is lost)", name);
	}
	guest_vn_dec_init(d, s->reply, s->reply_size);
	return 0;
}

int guest_vn__call_check(struct guest_vn_session *s, uint32_t type,
			 const struct guest_vn_dec *d, VkResult result)
{
	const char *name = guest_vn_command_name(type);

	if (d->error)
		return guest_vn__error(s, d->error, "%s: %s", name, d->msg);
	s->last_result = result;
	if (result < 0)
		return guest_vn__error(s, -EIO, "%s returned %s (%d)", name,
				       guest_vn_result_name(result),
				       (int)result);
	return 0;
}

int guest_vn__async_result(struct guest_vn_session *s, uint32_t type,
			   int enc_ret)
{
	if (enc_ret)
		return guest_vn__error(s, enc_ret, "encoding %s: %s",
				       guest_vn_command_name(type),
				       strerror(-enc_ret));
	return 0;
}

int guest_vn_session_sync(struct guest_vn_session *s)
{
	uint32_t version;

	return guest_vn_call_vkEnumerateInstanceVersion(s, &version);
}

/* ---- blobs ---- */

int guest_vn_blob_create(struct guest_vn_session *s, uint64_t blob_id,
			 uint64_t size, uint32_t *bo_handle, uint32_t *res_id)
{
	struct drm_virtgpu_resource_create_blob rc = {
		.blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
		.size = size,
		.blob_id = blob_id,
	};
	int ret = km_ioctl(s->file, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB,
			   &rc);

	if (ret)
		return guest_vn__error(s, ret, "RESOURCE_CREATE_BLOB (HOST3D, "
				       "MAPPABLE, blob_id %llu, %llu bytes): "
				       "%s", (unsigned long long)blob_id,
				       (unsigned long long)size,
				       strerror(-ret));
	*bo_handle = rc.bo_handle;
	*res_id = rc.res_handle;
	return 0;
}

int guest_vn_blob_map(struct guest_vn_session *s, uint32_t bo_handle,
		      uint64_t size, void **addr)
{
	struct drm_virtgpu_map map = { .handle = bo_handle };
	int ret = km_ioctl(s->file, DRM_IOCTL_VIRTGPU_MAP, &map);

	if (ret)
		return guest_vn__error(s, ret, "MAP of blob handle %u: %s",
				       bo_handle, strerror(-ret));
	ret = km_mmap(s->file, map.offset, size, addr);
	if (ret)
		return guest_vn__error(s, ret, "km_mmap of blob handle %u "
				       "(%llu bytes): %s%s", bo_handle,
				       (unsigned long long)size,
				       strerror(-ret),
				       ret == -EINVAL ? " (the device did not "
				       "map it: RESOURCE_MAP_BLOB failed)" : "");
	return 0;
}

void guest_vn_blob_release(struct guest_vn_session *s, uint32_t bo_handle,
			   void *addr, uint64_t size)
{
	if (addr)
		km_munmap(s->file, addr, size);
	if (bo_handle) {
		struct drm_gem_close gc = { .handle = bo_handle };

		km_ioctl(s->file, DRM_IOCTL_GEM_CLOSE, &gc);
	}
}

/* ---- session ---- */

static int context_init(struct guest_vn_session *s)
{
	struct drm_virtgpu_context_set_param params[] = {
		{ VIRTGPU_CONTEXT_PARAM_CAPSET_ID, VIRTGPU_DRM_CAPSET_VENUS },
		/* Ring 0 carries the fences that order replies. */
		{ VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1 },
	};
	struct drm_virtgpu_context_init ci = {
		.num_params = 2,
		.ctx_set_params = (uintptr_t)params,
	};
	int ret = km_ioctl(s->file, DRM_IOCTL_VIRTGPU_CONTEXT_INIT, &ci);

	if (ret == -EEXIST)
		return guest_vn__error(s, ret, "CONTEXT_INIT: the file already "
				       "has a context");
	if (ret == -EINVAL)
		return guest_vn__error(s, ret, "CONTEXT_INIT with capset VENUS "
				       "(4): refused (is venus offered?)");
	if (ret)
		return guest_vn__error(s, ret, "CONTEXT_INIT with capset VENUS "
				       "(4): %s", strerror(-ret));
	return 0;
}

/*
 * Which venus the host speaks, from the capset (Mesa's venus driver reads
 * the same field and refuses all but its own).  Wire format 1 is the
 * released protocol; what this encoder does differently for it is in
 * guest_vn_device_create.
 */
static int wire_format_init(struct guest_vn_session *s)
{
	struct guest_vn_capset caps;
	int ret = guest_vn_capset_query(s->file, &caps);

	if (ret)
		return guest_vn__error(s, ret, "GET_CAPS of capset VENUS: %s",
				       strerror(-ret));
	if (caps.wire_format_version > 1)
		return guest_vn__error(s, -EPROTONOSUPPORT, "the host's venus "
				       "speaks wire format %u; this encoder "
				       "knows 0 and 1",
				       caps.wire_format_version);
	s->wire_format = caps.wire_format_version;
	return 0;
}

uint32_t guest_vn_session_wire_format(const struct guest_vn_session *s)
{
	return s->wire_format;
}

static int reply_stream_init(struct guest_vn_session *s)
{
	void *map;
	int ret = guest_vn_blob_create(s, 0, s->reply_size, &s->reply_bo,
				       &s->reply_res);

	if (ret)
		return guest_vn__error(s, ret, "reply stream: %s",
				       strdupa(s->error));
	ret = guest_vn_blob_map(s, s->reply_bo, s->reply_size, &map);
	if (ret)
		return guest_vn__error(s, ret, "reply stream: %s",
				       strdupa(s->error));
	s->reply = map;
	struct guest_vn_stream_desc desc = {
		.resource_id = s->reply_res,
		.offset = 0,
		.size = s->reply_size,
	};

	ret = guest_vn_encode_vkSetReplyCommandStreamMESA(&s->batch, 0, &desc);
	if (ret)
		return guest_vn__async_result(
			s, GUEST_VN_CMD_vkSetReplyCommandStreamMESA, ret);
	/* The first round trip proves the stream works. */
	ret = guest_vn_call_vkEnumerateInstanceVersion(s, &s->instance_version);
	if (ret)
		return guest_vn__error(s, ret, "reply stream (resource %u): %s",
				       s->reply_res, strdupa(s->error));
	return 0;
}

int guest_vn_session_create(struct km_file *file,
			    const struct guest_vn_session_options *opts,
			    struct guest_vn_session **out)
{
	struct guest_vn_session *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->file = file;
	s->reply_size = opts && opts->reply_size ? opts->reply_size
						  : DEFAULT_REPLY_SIZE;
	s->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms
						     : DEFAULT_TIMEOUT_MS;
	s->next_id = 1;
	s->host_visible_type = UINT32_MAX;
	guest_vn_enc_init(&s->batch);
	int ret = 0;

	if (s->reply_size < 4096 || s->reply_size % 4096)
		ret = guest_vn__error(s, -EINVAL, "reply_size %llu is not a "
				      "multiple of 4096",
				      (unsigned long long)s->reply_size);
	if (!ret)
		ret = context_init(s);
	if (!ret)
		ret = wire_format_init(s);
	if (!ret)
		ret = reply_stream_init(s);
	if (ret) {
		if (opts && opts->error && opts->error_size)
			snprintf(opts->error, opts->error_size, "%s",
				 s->error);
		guest_vn_session_destroy(s);
		return ret;
	}
	*out = s;
	return 0;
}

void guest_vn_session_destroy(struct guest_vn_session *s)
{
	if (!s)
		return;
	if (!s->lost) {
		guest_vn_device_destroy(s);
		guest_vn_instance_destroy(s);
	}
	guest_vn_blob_release(s, s->reply_bo, s->reply, s->reply_size);
	guest_vn_enc_fini(&s->batch);
	free(s);
}
