// SPDX-License-Identifier: MIT
/*
 * The capture writer and its bounds-checked reader (sim/capture.h,
 * docs/capture.md).
 */
#include "sim/capture.h"

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/log.h"

#define CAPTURE_LAYER "capture"
/* stdio buffer: records are written under the lock, so a large buffer
 * keeps the device thread out of write(2) most of the time. */
#define CAPTURE_BUFFER (1u << 20)

struct sim_capture {
	/* protects everything below: records come from the device thread,
	 * renderer threads (fences retired there) and driver threads */
	pthread_mutex_t lock;
	FILE *f;
	char *buffer;
	uint64_t start_ns;
	uint64_t records;
	uint32_t next_seq;
	int error;		/* the first write error, -errno */
	/* sink mode (sim_capture_open_sink): each record goes here whole */
	sim_capture_sink_fn *sink;
	void *sink_arg;
	uint8_t *rec_buf;
	size_t rec_len, rec_cap;
};

static const struct {
	uint32_t type;
	const char *name;
	uint32_t fixed;
} types[] = {
#define ROW(N, v, fixed) { v, #N, fixed },
	SIM_CAPTURE_RECORDS(ROW)
#undef ROW
};

static int find_type(uint32_t type)
{
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return (int)i;
	return -1;
}

const char *sim_capture_type_name(uint32_t type)
{
	int i = find_type(type);
	return i < 0 ? NULL : types[i].name;
}

uint64_t sim_capture_checksum(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		sum ^= p[i];
		sum *= 0x100000001b3ull;
	}
	return sum;
}

uint16_t sim_capture_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t sim_capture_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t sim_capture_le64(const uint8_t *p)
{
	return sim_capture_le32(p) | (uint64_t)sim_capture_le32(p + 4) << 32;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

static void put(struct sim_capture *c, const void *p, size_t len)
{
	if (!len || c->error)
		return;
	if (c->sink) {
		if (c->rec_len + len > c->rec_cap) {
			size_t n = (c->rec_len + len) * 2;
			uint8_t *b = realloc(c->rec_buf, n);
			if (!b) {
				c->error = -ENOMEM;
				return;
			}
			c->rec_buf = b;
			c->rec_cap = n;
		}
		memcpy(c->rec_buf + c->rec_len, p, len);
		c->rec_len += len;
		return;
	}
	if (fwrite(p, 1, len, c->f) != len)
		c->error = -(errno ? errno : EIO);
}

int sim_capture_open_sink(sim_capture_sink_fn *sink, void *arg,
			  struct sim_capture **out)
{
	struct sim_capture *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->sink = sink;
	c->sink_arg = arg;
	pthread_mutex_init(&c->lock, NULL);
	c->start_ns = now_ns();
	*out = c;
	return 0;
}

int sim_capture_open(const char *path, bool exclusive,
		     struct sim_capture **out)
{
	struct sim_capture *c = calloc(1, sizeof(*c));
	uint32_t hdr32[2] = { htole32(SIM_CAPTURE_VERSION),
			      htole32(SIM_CAPTURE_FILE_HDR) };

	if (!c)
		return -ENOMEM;
	c->f = fopen(path, exclusive ? "wbxe" : "wbe");
	if (!c->f) {
		int ret = -errno;
		free(c);
		return ret;
	}
	c->buffer = malloc(CAPTURE_BUFFER);
	if (c->buffer)
		setvbuf(c->f, c->buffer, _IOFBF, CAPTURE_BUFFER);
	pthread_mutex_init(&c->lock, NULL);
	c->start_ns = now_ns();
	put(c, SIM_CAPTURE_MAGIC, 8);
	put(c, hdr32, sizeof(hdr32));
	*out = c;
	return 0;
}

void sim_capture_write(struct sim_capture *c, uint32_t type,
		       const void *a, size_t alen, const void *b, size_t blen,
		       const struct iovec *iov, unsigned iovcnt,
		       size_t iov_len)
{
	size_t total = alen + blen + iov_len;
	uint8_t hdr[SIM_CAPTURE_REC_HDR];
	uint32_t t32 = htole32(type), l32 = htole32((uint32_t)total);

	pthread_mutex_lock(&c->lock);
	uint64_t ts = htole64(now_ns() - c->start_ns);
	memcpy(hdr, &t32, 4);
	memcpy(hdr + 4, &l32, 4);
	memcpy(hdr + 8, &ts, 8);
	put(c, hdr, sizeof(hdr));
	put(c, a, alen);
	put(c, b, blen);
	for (unsigned i = 0; i < iovcnt && iov_len; i++) {
		size_t n = iov[i].iov_len < iov_len ? iov[i].iov_len : iov_len;
		put(c, iov[i].iov_base, n);
		iov_len -= n;
	}
	if (c->sink && !c->error) {
		struct sim_capture_rec rec = {
			.type = type, .len = (uint32_t)total,
			.time_ns = le64toh(ts),
			.payload = c->rec_buf + SIM_CAPTURE_REC_HDR,
		};
		c->sink(c->sink_arg, &rec);
	}
	c->rec_len = 0;
	c->records++;
	pthread_mutex_unlock(&c->lock);
}

void sim_capture_info_bytes(struct sim_capture *c, const char *key,
			    const void *value, size_t len)
{
	uint8_t fixed[8];
	uint16_t klen = htole16((uint16_t)strlen(key));
	uint32_t vlen = htole32((uint32_t)len);

	memset(fixed, 0, sizeof(fixed));
	memcpy(fixed, &klen, 2);
	memcpy(fixed + 4, &vlen, 4);
	struct iovec v = { (void *)value, len };
	sim_capture_write(c, SIM_CAPTURE_INFO, fixed, sizeof(fixed), key,
			  strlen(key), &v, 1, len);
}

void sim_capture_info(struct sim_capture *c, const char *key,
		      const char *value)
{
	sim_capture_info_bytes(c, key, value, strlen(value));
}

uint32_t sim_capture_next_seq(struct sim_capture *c)
{
	pthread_mutex_lock(&c->lock);
	uint32_t seq = c->next_seq++;
	pthread_mutex_unlock(&c->lock);
	return seq;
}

int sim_capture_close(struct sim_capture *c)
{
	if (!c)
		return 0;
	uint64_t n = htole64(c->records);
	sim_capture_write(c, SIM_CAPTURE_END, &n, sizeof(n), NULL, 0, NULL,
			  0, 0);
	if (c->f && fflush(c->f) && !c->error)
		c->error = -errno;
	if (c->f && fclose(c->f) && !c->error)
		c->error = -errno;
	int ret = c->error;
	if (ret)
		SIM_ERROR(CAPTURE_LAYER, "writing the capture failed: %s",
			  strerror(-ret));
	pthread_mutex_destroy(&c->lock);
	free(c->buffer);
	free(c->rec_buf);
	free(c);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int sim_capture_reader_init(struct sim_capture_reader *r, const void *buf,
			    size_t len, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	if (len < SIM_CAPTURE_FILE_HDR)
		return fail(err, errlen, "offset 0: file header: %zu bytes, "
			    "needs %u (truncated)", len, SIM_CAPTURE_FILE_HDR);
	if (memcmp(buf, SIM_CAPTURE_MAGIC, 8))
		return fail(err, errlen, "offset 0: file header: not a "
			    "virtgpu-sim capture (bad magic)");
	uint32_t version = sim_capture_le32(r->buf + 8);
	uint32_t hdr = sim_capture_le32(r->buf + 12);
	if (version != SIM_CAPTURE_VERSION)
		return fail(err, errlen, "offset 8: file header: format "
			    "version %u, this reader knows %u", version,
			    SIM_CAPTURE_VERSION);
	if (hdr < SIM_CAPTURE_FILE_HDR || hdr > len)
		return fail(err, errlen, "offset 12: file header: header "
			    "size %u outside %u..%zu", hdr,
			    SIM_CAPTURE_FILE_HDR, len);
	r->off = hdr;
	return 0;
}

int sim_capture_reader_next(struct sim_capture_reader *r,
			    struct sim_capture_rec *rec, char *err,
			    size_t errlen)
{
	size_t left = r->len - r->off;

	if (r->ended) {
		if (left)
			return fail(err, errlen, "offset %zu: %zu bytes after "
				    "the END record", r->off, left);
		return 0;
	}
	if (left == 0) {
		fail(err, errlen, "offset %zu: the capture ends without an "
		     "END record (truncated)", r->off);
		return -ENODATA;
	}
	if (left < SIM_CAPTURE_REC_HDR)
		return fail(err, errlen, "offset %zu: record header: %zu "
			    "bytes left, needs %u (truncated)", r->off, left,
			    SIM_CAPTURE_REC_HDR);
	const uint8_t *p = r->buf + r->off;
	rec->type = sim_capture_le32(p);
	rec->len = sim_capture_le32(p + 4);
	rec->time_ns = sim_capture_le64(p + 8);
	rec->offset = r->off;
	rec->payload = p + SIM_CAPTURE_REC_HDR;
	int t = find_type(rec->type);
	const char *name = t < 0 ? "unknown" : types[t].name;
	if (rec->len > SIM_CAPTURE_MAX_PAYLOAD)
		return fail(err, errlen, "offset %zu: record %s (%u): payload "
			    "length %u above the limit %u", r->off, name,
			    rec->type, rec->len, SIM_CAPTURE_MAX_PAYLOAD);
	if (rec->len > left - SIM_CAPTURE_REC_HDR)
		return fail(err, errlen, "offset %zu: record %s (%u): payload "
			    "length %u, only %zu bytes left (truncated)",
			    r->off, name, rec->type, rec->len,
			    left - SIM_CAPTURE_REC_HDR);
	if (t >= 0 && rec->len < types[t].fixed)
		return fail(err, errlen, "offset %zu: record %s: payload %u "
			    "bytes, its fixed part is %u", r->off, name,
			    rec->len, types[t].fixed);
	if (rec->type == SIM_CAPTURE_END &&
	    sim_capture_le64(rec->payload) != r->records)
		return fail(err, errlen, "offset %zu: record END: counts %llu "
			    "records, the file has %llu", r->off,
			    (unsigned long long)sim_capture_le64(rec->payload),
			    (unsigned long long)r->records);
	r->off += SIM_CAPTURE_REC_HDR + rec->len;
	r->records++;
	if (rec->type == SIM_CAPTURE_END)
		r->ended = true;
	return 1;
}

int sim_capture_parse_chain(const struct sim_capture_rec *rec,
			    struct sim_capture_chain *c, char *err,
			    size_t errlen)
{
	const uint8_t *p = rec->payload;

	c->seq = sim_capture_le32(p);
	c->queue = sim_capture_le16(p + 4);
	c->head = sim_capture_le16(p + 6);
	c->out_num = sim_capture_le16(p + 8);
	c->in_num = sim_capture_le16(p + 10);
	c->lens = p + 16;
	uint64_t n = (uint64_t)c->out_num + c->in_num;
	if (n == 0 || 16 + 4 * n > rec->len)
		return fail(err, errlen, "offset %zu: record CHAIN: out_num %u "
			    "+ in_num %u buffers do not fit its %u bytes",
			    rec->offset, c->out_num, c->in_num, rec->len);
	c->out_len = c->in_len = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t l = sim_capture_le32(c->lens + 4 * i);
		if (l == 0)
			return fail(err, errlen, "offset %zu: record CHAIN: "
				    "buffer %u has length 0", rec->offset, i);
		if (i < c->out_num)
			c->out_len += l;
		else
			c->in_len += l;
	}
	c->data = c->lens + 4 * n;
	if (16 + 4 * n + c->out_len != rec->len)
		return fail(err, errlen, "offset %zu: record CHAIN: readable "
			    "buffers of %llu bytes, the record holds %llu",
			    rec->offset, (unsigned long long)c->out_len,
			    (unsigned long long)(rec->len - 16 - 4 * n));
	return 0;
}

uint32_t sim_capture_chain_buf_len(const struct sim_capture_chain *c,
				   unsigned i)
{
	return sim_capture_le32(c->lens + 4 * i);
}

int sim_capture_parse_response(const struct sim_capture_rec *rec,
			       struct sim_capture_response *r, char *err,
			       size_t errlen)
{
	const uint8_t *p = rec->payload;

	r->seq = sim_capture_le32(p);
	r->queue = sim_capture_le16(p + 4);
	r->flags = sim_capture_le16(p + 6);
	r->written = sim_capture_le32(p + 8);
	r->fence_id = sim_capture_le64(p + 16);
	r->ctx_id = sim_capture_le32(p + 24);
	r->ring_idx = sim_capture_le32(p + 28);
	r->data = p + 32;
	if ((uint64_t)r->written + 32 != rec->len)
		return fail(err, errlen, "offset %zu: record RESPONSE: written "
			    "%u bytes, the record holds %u", rec->offset,
			    r->written, rec->len - 32);
	return 0;
}

int sim_capture_parse_mem(const struct sim_capture_rec *rec,
			  struct sim_capture_mem *m, char *err, size_t errlen)
{
	const uint8_t *p = rec->payload;
	const char *name = sim_capture_type_name(rec->type);

	m->addr = sim_capture_le64(p);
	m->len = sim_capture_le32(p + 8);
	m->flags = sim_capture_le32(p + 12);
	m->data = m->flags & SIM_CAPTURE_MEM_ZERO ? NULL : p + 16;
	uint64_t want = 16 + (m->data ? (uint64_t)m->len : 0);
	if (m->len == 0 || m->flags & ~SIM_CAPTURE_MEM_ZERO || want != rec->len)
		return fail(err, errlen, "offset %zu: record %s: length %u "
			    "flags 0x%x do not match its %u bytes",
			    rec->offset, name, m->len, m->flags, rec->len);
	if (m->addr + m->len < m->addr)
		return fail(err, errlen, "offset %zu: record %s: address "
			    "0x%llx + %u wraps", rec->offset, name,
			    (unsigned long long)m->addr, m->len);
	return 0;
}

int sim_capture_parse_info(const struct sim_capture_rec *rec,
			   struct sim_capture_info *i, char *err,
			   size_t errlen)
{
	const uint8_t *p = rec->payload;

	i->key_len = sim_capture_le16(p);
	i->value_len = sim_capture_le32(p + 4);
	i->key = (const char *)p + 8;
	i->value = i->key + i->key_len;
	if (8 + (uint64_t)i->key_len + i->value_len != rec->len)
		return fail(err, errlen, "offset %zu: record INFO: key %u and "
			    "value %u bytes do not match its %u bytes",
			    rec->offset, i->key_len, i->value_len, rec->len);
	return 0;
}

void sim_capture_parse_sum(const struct sim_capture_rec *rec,
			   struct sim_capture_sum *s)
{
	const uint8_t *p = rec->payload;

	s->seq = sim_capture_le32(p);
	s->kind = sim_capture_le32(p + 4);
	s->id = sim_capture_le32(p + 8);
	s->bytes = sim_capture_le64(p + 16);
	s->sum = sim_capture_le64(p + 24);
}
