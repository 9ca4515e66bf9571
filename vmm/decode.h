/* SPDX-License-Identifier: MIT */
/*
 * `virtgpu-sim decode`'s output: one line per record, as "key=value"
 * text or as a JSON object (--json), built field by field.  Private to
 * vmm/ (decode*.c; replay.c names response types with it).
 */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vmm_decode_out {
	FILE *f;		/* a memstream holding the line */
	bool json;
	bool first;		/* no field yet at this level */
	bool in_sub;		/* inside a stream command */
	bool any_sub;		/* the "stream" array was opened */
	uint32_t resource;	/* a resource_id the request named, or 0 */
	uint32_t want_res;	/* --resource: the one to look for in streams */
	bool res_seen;		/* a stream command carries want_res */
};

/* What --resource=N follows to find the records tied to N
 * (decode_resource.c). */
#define VMM_DECODE_SCANOUTS 16	/* VIRTIO_GPU_MAX_SCANOUTS */
struct vmm_decode_range {
	uint64_t addr, len;
};
struct vmm_decode_res {
	uint32_t res;
	struct vmm_decode_range *ranges;	/* its guest backing now */
	uint32_t nranges;
	bool mapped;			/* in the host-visible region */
	uint64_t map_offset, blob_size;
	uint32_t scanout_res[VMM_DECODE_SCANOUTS];	/* what each shows */
};

void vmm_decode_put_s(struct vmm_decode_out *o, const char *key,
		      const char *value);
void vmm_decode_put_u(struct vmm_decode_out *o, const char *key,
		      uint64_t value);
void vmm_decode_put_x(struct vmm_decode_out *o, const char *key,
		      uint64_t value);
/* A stream command: a nested object in JSON, an indented line in text. */
void vmm_decode_sub_begin(struct vmm_decode_out *o);
void vmm_decode_sub_end(struct vmm_decode_out *o);
/* Inside a stream command: "undecodable from offset N: why" (text), or
 * "undecodable":N,"reason":why (JSON). */
void vmm_decode_put_undecodable(struct vmm_decode_out *o, size_t offset,
				const char *why);

/* decode.c: the whole capture @buf to @out, one line per record, as
 * `virtgpu-sim decode [--json] [--resource=RES] FILE` prints it (RES 0:
 * no filter), with no message for a bad capture: 0 or a negative errno.
 * The fuzz target tests/fuzz/fuzz_decode.c runs it. */
int vmm_decode_capture(const uint8_t *buf, size_t len, bool json,
		       uint32_t res, FILE *out);

/* decode_fields.c */
void vmm_decode_request(struct vmm_decode_out *o, const uint8_t *p,
			size_t len);
void vmm_decode_response(struct vmm_decode_out *o, const uint8_t *p,
			 size_t len);
/* "OK_NODATA" for VIRTIO_GPU_RESP_OK_NODATA, "unknown" otherwise (also
 * for replay's messages). */
const char *vmm_decode_resp_name(uint32_t type);
void vmm_decode_stream(struct vmm_decode_out *o, const uint8_t *p,
		       size_t len, bool venus);

/* decode_resource.c */
void vmm_decode_res_init(struct vmm_decode_res *r, uint32_t res);
void vmm_decode_res_fini(struct vmm_decode_res *r);
void vmm_decode_res_chain(struct vmm_decode_res *r, const uint8_t *p,
			  size_t len, uint32_t named);
bool vmm_decode_res_mem(const struct vmm_decode_res *r, bool host,
			uint64_t addr, uint32_t len);
bool vmm_decode_res_sum(const struct vmm_decode_res *r, uint32_t kind,
			uint32_t id);

/* decode_venus.c: every command of a venus stream, up to the first one
 * it cannot size. */
void vmm_decode_venus(struct vmm_decode_out *o, const uint8_t *p,
		      size_t len);

#endif
