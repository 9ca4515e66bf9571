/* SPDX-License-Identifier: MIT */
/*
 * Internal to guest/venus_*.c: the session struct and the helpers the
 * per-command calls (venus_calls.c) and the flows (venus_flow.c) share
 * with the session core (venus_ctx.c).
 */
#ifndef GUEST_VENUS_INT_H
#define GUEST_VENUS_INT_H

#include "guest/venus/venus_calls.h"

/* Written at reply offset 0 before every round trip: a reply that still
 * starts with it was never written (no command type is this large). */
#define GUEST_VN_REPLY_SENTINEL 0xfffffff0u

struct guest_vn_session {
	struct km_file *file;		/* the caller's */
	int timeout_ms;
	uint32_t reply_bo;		/* GEM handle of the reply blob */
	uint32_t reply_res;		/* its resource id */
	uint8_t *reply;			/* guest mapping of the reply blob */
	uint64_t reply_size;
	struct guest_vn_enc batch;	/* commands not yet submitted */
	uint64_t next_id;
	int lost;			/* 0, or why the context is unusable */
	VkResult last_result;
	uint32_t instance_version;
	/* the capset's wire_format_version: 0 is 0.10.4's venus, 1 the
	 * released protocol of virglrenderer 1.x (guest_vn_device_create) */
	uint32_t wire_format;
	char error[320];

	/* flow state (venus_flow.c) */
	VkInstance instance;
	VkPhysicalDevice pdev;
	VkDevice device;
	VkQueue queue;
	uint32_t queue_family;
	uint32_t host_visible_type;
};

/* venus_ctx.c */
/* Format the session's error message; returns @err for chaining. */
int guest_vn__error(struct guest_vn_session *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * One round trip, in three steps:
 *  1. guest_vn__call_begin: -ENOTCONN if lost; appends the seek to 0 and
 *     returns the batch offset to rewind to;
 *  2. the caller encodes its command into s->batch with GENERATE_REPLY;
 *  3. guest_vn__call_end with the encoder's result: rewinds on an encoding
 *     error, else submits with a fence, waits, and points @d at the reply.
 * After decoding, guest_vn__call_check turns a decoder error into -EPROTO
 * and a VkResult < 0 into -EIO (with messages), and keeps the VkResult.
 */
int guest_vn__call_begin(struct guest_vn_session *s, size_t *mark);
int guest_vn__call_end(struct guest_vn_session *s, size_t mark, int enc_ret,
		       uint32_t type, struct guest_vn_dec *d);
int guest_vn__call_check(struct guest_vn_session *s, uint32_t type,
			 const struct guest_vn_dec *d, VkResult result);
/* An _async_ encoder's result: a message for a failure, else 0. */
int guest_vn__async_result(struct guest_vn_session *s, uint32_t type,
			   int enc_ret);

#endif
