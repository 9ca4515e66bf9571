/* SPDX-License-Identifier: MIT */
/*
 * Captures of virtio-gpu traffic at the device boundary (docs/capture.md):
 * what `--record=FILE` writes, `virtgpu-sim decode` prints and
 * `virtgpu-sim replay` drives a device with.
 *
 * A file is a 16-byte header (magic "VGSCAP\r\n", le32 format version,
 * le32 header size) and then records, each a 16-byte record header
 * (le32 type, le32 payload length, le64 ns since the capture began)
 * followed by its payload.  In the spirit of pcapng blocks, a reader
 * skips a record whose type it does not know, so later versions may add
 * types without breaking older readers; a changed layout of an existing
 * record bumps the version.  Everything is little endian.
 *
 * The writer (sim_capture_*) is shared by the device thread, renderer
 * threads and driver threads (notifies): one internal lock orders the
 * records.  The reader (sim_capture_reader_*) works on a buffer and trusts
 * nothing in it: every length is checked against what is left, and an
 * error names the file offset and the record type.
 */
#ifndef SIM_CAPTURE_H
#define SIM_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define SIM_CAPTURE_MAGIC "VGSCAP\r\n"
#define SIM_CAPTURE_VERSION 1u
#define SIM_CAPTURE_FILE_HDR 16u
#define SIM_CAPTURE_REC_HDR 16u
/* Largest payload a reader accepts: a SUBMIT_3D of 64 MiB plus room. */
#define SIM_CAPTURE_MAX_PAYLOAD (80u << 20)

/*
 * X(NAME, value, fixed payload bytes before any variable part):
 *  INFO       le16 key length, le16 0, le32 value length, key, value: one
 *             fact about the machine (features offered, config space,
 *             renderer flags and versions, kernel, VMM personality)
 *  CAPSET     le32 id, le32 max_version, le32 size, the capset's bytes
 *  FEATURES   le64 offered, le64 acked (at DRIVER_OK)
 *  CHAIN      le32 seq, le16 queue, le16 head, le16 out_num, le16 in_num,
 *             le32 0, then out_num + in_num le32 buffer lengths
 *             (device-readable first), then the readable bytes
 *  RESPONSE   le32 seq, le16 queue, le16 flags (SIM_CAPTURE_RESP_*),
 *             le32 written, le32 0, le64 fence_id, le32 ctx_id,
 *             le32 ring_idx, then the written bytes
 *  NOTIFY     le32 queue (the driver kicked it)
 *  INTERRUPT  le32 isr (SIM_ISR_* bits raised)
 *  GUEST_MEM  le64 gpa, le32 length, le32 flags (SIM_CAPTURE_MEM_ZERO:
 *             no bytes follow, the range is zero), the bytes: guest RAM
 *             the device was about to read outside a chain
 *  HOST_MEM   the same with an offset of the host-visible region (shmid
 *             1): mapped blob contents the renderer was about to read
 *  CHECKSUM   le32 seq, le32 kind (SIM_CAPTURE_SUM_*), le32 id, le32 0,
 *             le64 bytes, le64 sum (sim_capture_checksum)
 *  END        le64 records before it: the capture is complete
 *  STATUS     le32 old, le32 new device status (2.1; 0 is a reset)
 */
#define SIM_CAPTURE_RECORDS(X)                \
	X(INFO, 1, 8)                         \
	X(CAPSET, 2, 12)                      \
	X(FEATURES, 3, 16)                    \
	X(CHAIN, 4, 16)                       \
	X(RESPONSE, 5, 32)                    \
	X(NOTIFY, 6, 4)                       \
	X(INTERRUPT, 7, 4)                    \
	X(GUEST_MEM, 8, 16)                   \
	X(HOST_MEM, 9, 16)                    \
	X(CHECKSUM, 10, 32)                   \
	X(END, 11, 8)                         \
	X(STATUS, 12, 8)

enum sim_capture_type {
#define SIM_CAPTURE_ENUM_(N, v, fixed) SIM_CAPTURE_##N = v,
	SIM_CAPTURE_RECORDS(SIM_CAPTURE_ENUM_)
#undef SIM_CAPTURE_ENUM_
};

#define SIM_CAPTURE_RESP_FENCE 1u	/* answered a fenced command */
#define SIM_CAPTURE_RESP_RING 2u	/* ... of ring ring_idx of ctx_id */
#define SIM_CAPTURE_RESP_AT_ONCE 4u	/* ... answered at once, no fence
					 * retired (an error, row N4) */
/* Did the RESPONSE with @flags retire a fence, so that its place among
 * its timeline's answers is the fence order (5.7.6.7)? */
static inline bool sim_capture_resp_retired(uint32_t flags)
{
	return (flags & SIM_CAPTURE_RESP_FENCE) &&
	       !(flags & SIM_CAPTURE_RESP_AT_ONCE);
}
#define SIM_CAPTURE_MEM_ZERO 1u
#define SIM_CAPTURE_SUM_SCANOUT 1u	/* id: scanout, after RESOURCE_FLUSH */
#define SIM_CAPTURE_SUM_READBACK 2u	/* id: resource, its whole backing
					 * after TRANSFER_FROM_HOST_3D */

/* "CHAIN" for SIM_CAPTURE_CHAIN, NULL for a type this version lacks. */
const char *sim_capture_type_name(uint32_t type);
/* FNV-1a, 64 bits: what CHECKSUM records hold. */
uint64_t sim_capture_checksum(uint64_t sum, const void *buf, size_t len);
#define SIM_CAPTURE_CHECKSUM_INIT 0xcbf29ce484222325ull

/* ------------------------------------------------------------------ */
/* Writer                                                              */

struct sim_capture;

/* Create @path (truncating it, or -EEXIST with @exclusive when it
 * exists) and write the file header: 0 or -errno. */
int sim_capture_open(const char *path, bool exclusive,
		     struct sim_capture **out);
/* Instead of a file, hand every record whole to @sink (under the
 * capture's lock, on the thread that wrote it): what replay compares. */
struct sim_capture_rec;
typedef void sim_capture_sink_fn(void *arg, const struct sim_capture_rec *rec);
int sim_capture_open_sink(sim_capture_sink_fn *sink, void *arg,
			  struct sim_capture **out);
/* Write END, flush and close; 0, or the first write error (-errno) with
 * a message.  NULL is fine. */
int sim_capture_close(struct sim_capture *c);

/* One record from up to three pieces and an iovec array (any may be
 * empty); @iov_len bytes of @iov from its start. */
void sim_capture_write(struct sim_capture *c, uint32_t type,
		       const void *a, size_t alen, const void *b, size_t blen,
		       const struct iovec *iov, unsigned iovcnt,
		       size_t iov_len);
/* INFO: @key and a string value. */
void sim_capture_info(struct sim_capture *c, const char *key,
		      const char *value);
/* INFO with binary value bytes (config space). */
void sim_capture_info_bytes(struct sim_capture *c, const char *key,
			    const void *value, size_t len);
/* The next chain's sequence number (0, 1, ...). */
uint32_t sim_capture_next_seq(struct sim_capture *c);

/* ------------------------------------------------------------------ */
/* Reader                                                              */

struct sim_capture_reader {
	const uint8_t *buf;
	size_t len;
	size_t off;		/* of the next record */
	uint64_t records;	/* read so far */
	bool ended;		/* END was read */
};

struct sim_capture_rec {
	uint32_t type;
	uint32_t len;		/* payload bytes */
	uint64_t time_ns;
	size_t offset;		/* of its record header in the file */
	const uint8_t *payload;
};

/* Check the file header: 0, or -EINVAL with the reason in @err. */
int sim_capture_reader_init(struct sim_capture_reader *r, const void *buf,
			    size_t len, char *err, size_t errlen);
/*
 * The next record: 1 and *rec; 0 after END; -EINVAL with "offset N:
 * record TYPE: ..." in @err for a record that runs past the end, a
 * payload shorter than its type's fixed part, or bytes after END;
 * -ENODATA, with the same kind of message, for a file that ends between
 * two records without END (a process that died before closing it).
 */
int sim_capture_reader_next(struct sim_capture_reader *r,
			    struct sim_capture_rec *rec, char *err,
			    size_t errlen);

/* The parsed forms of the records replay and decode look into; each
 * parse checks the variable part against the payload length and returns
 * 0 or -EINVAL with the field in @err. */
struct sim_capture_chain {
	uint32_t seq;
	uint16_t queue, head, out_num, in_num;
	const uint8_t *lens;	/* out_num + in_num le32 */
	const uint8_t *data;	/* the readable bytes */
	uint64_t out_len, in_len;
};
int sim_capture_parse_chain(const struct sim_capture_rec *rec,
			    struct sim_capture_chain *c, char *err,
			    size_t errlen);
uint32_t sim_capture_chain_buf_len(const struct sim_capture_chain *c,
				   unsigned i);

struct sim_capture_response {
	uint32_t seq;
	uint16_t queue, flags;
	uint32_t written;
	uint64_t fence_id;
	uint32_t ctx_id, ring_idx;
	const uint8_t *data;
};
int sim_capture_parse_response(const struct sim_capture_rec *rec,
			       struct sim_capture_response *r, char *err,
			       size_t errlen);

struct sim_capture_mem {
	uint64_t addr;		/* gpa, or offset in the host-visible region */
	uint32_t len, flags;
	const uint8_t *data;	/* NULL for SIM_CAPTURE_MEM_ZERO */
};
int sim_capture_parse_mem(const struct sim_capture_rec *rec,
			  struct sim_capture_mem *m, char *err, size_t errlen);

struct sim_capture_info {
	const char *key, *value;	/* not NUL-terminated */
	uint16_t key_len;
	uint32_t value_len;
};
int sim_capture_parse_info(const struct sim_capture_rec *rec,
			   struct sim_capture_info *i, char *err,
			   size_t errlen);

struct sim_capture_sum {
	uint32_t seq, kind, id;
	uint64_t bytes, sum;
};
void sim_capture_parse_sum(const struct sim_capture_rec *rec,
			   struct sim_capture_sum *s);

/* Little-endian loads from a payload (the reader checked the length). */
uint16_t sim_capture_le16(const uint8_t *p);
uint32_t sim_capture_le32(const uint8_t *p);
uint64_t sim_capture_le64(const uint8_t *p);

#endif
