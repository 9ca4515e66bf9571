// SPDX-License-Identifier: MIT
/*
 * Recording (host_options.record, docs/capture.md): what the device saw
 * and answered, written as capture records (sim/capture.h).  The device
 * calls in here from a line each in device.c, behind `if (dev->rec)`, so
 * a device without a capture pays one branch per hook.
 *
 * Guest memory outside a chain: before a command that can make the
 * device or the renderer read guest memory outside its chain (transfers,
 * SUBMIT_3D, whose stream may TRANSFER3D from any attached backing, and
 * RESOURCE_FLUSH of a blob), every backing and every mapped host blob is
 * compared with a shadow of what a replay will hold there and what
 * differs is recorded, a page at a time: GUEST_MEM for guest RAM,
 * HOST_MEM for the host-visible region.  A replay starts from zeroed
 * guest RAM, so the RAM shadow starts zero (an untouched anonymous
 * mapping: it costs nothing until written); a window of the host-visible
 * region is recorded whole the first time a blob is seen mapped there.
 *
 * Threads: every hook but notify runs under state_lock (device thread or
 * a renderer thread retiring fences); notify comes from driver threads
 * and only writes a record (the capture orders records itself).
 */
#include <dlfcn.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <virglrenderer.h>

#include "host/internal.h"
#include "sim/capture.h"
#include "sim/hostmem.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"

/* A host-visible window whose contents were recorded whole once. */
struct rec_window {
	uint32_t res_id;
	uint64_t offset, len;
	void *ptr;
};

struct host_rec {
	struct sim_capture *cap;
	uint8_t *ram_shadow;		/* what a replay holds in guest RAM */
	uint64_t ram_size;
	uint8_t *hm_shadow;		/* and in the host-visible region */
	uint64_t hm_size;
	struct rec_window *windows;
	unsigned nwindows, cap_windows;
};

int host__rec_create(struct host_device *dev)
{
	struct host_rec *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->cap = dev->opts.record;
	r->ram_size = sim_ram_size(dev->ram);
	r->hm_size = dev->opts.hostmem ? sim_hostmem_size(dev->opts.hostmem) : 0;
	r->ram_shadow = mmap(NULL, r->ram_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->ram_shadow == MAP_FAILED) {
		free(r);
		return -ENOMEM;
	}
	if (r->hm_size) {
		r->hm_shadow = mmap(NULL, r->hm_size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				    -1, 0);
		if (r->hm_shadow == MAP_FAILED) {
			munmap(r->ram_shadow, r->ram_size);
			free(r);
			return -ENOMEM;
		}
	}
	dev->rec = r;
	return 0;
}

void host__rec_free(struct host_rec *r)
{
	if (!r)
		return;
	munmap(r->ram_shadow, r->ram_size);
	if (r->hm_size)
		munmap(r->hm_shadow, r->hm_size);
	free(r->windows);
	free(r);
}

/* The renderer as this process has it: flags, the library the dynamic
 * loader found, GL strings, capsets (device thread, after init). */
void host__rec_renderer(struct host_device *dev)
{
	struct sim_capture *c = dev->rec->cap;
	char buf[256];
	Dl_info dl;

	snprintf(buf, sizeof(buf), "virgl=%d venus=%d render_server=%d",
		 dev->opts.virgl, dev->opts.venus, dev->opts.render_server);
	sim_capture_info(c, "renderer", buf);
	if (dladdr((void *)virgl_renderer_init, &dl) && dl.dli_fname) {
		char *real = realpath(dl.dli_fname, NULL);
		sim_capture_info(c, "virglrenderer", real ? real : dl.dli_fname);
		free(real);
	}
	if (dev->has_vrend && eglGetCurrentContext() != EGL_NO_CONTEXT) {
		const char *s;
		if ((s = (const char *)glGetString(GL_VENDOR)))
			sim_capture_info(c, "gl_vendor", s);
		if ((s = (const char *)glGetString(GL_RENDERER)))
			sim_capture_info(c, "gl_renderer", s);
		if ((s = (const char *)glGetString(GL_VERSION)))
			sim_capture_info(c, "gl_version", s);
	}
	for (unsigned i = 0; i < dev->num_capsets; i++) {
		const struct host_capset *cs = &dev->capsets[i];
		uint8_t *data = calloc(1, cs->max_size ? cs->max_size : 1);
		uint32_t fixed[3] = { htole32(cs->id), htole32(cs->max_version),
				      htole32(cs->max_size) };
		if (!data)
			continue;
		host_vr_fill_capset(cs->id, cs->max_version, data);
		sim_capture_write(c, SIM_CAPTURE_CAPSET, fixed, sizeof(fixed),
				  data, cs->max_size, NULL, 0, 0);
		free(data);
	}
}

/* What the VMM offers (main thread, when the device plugs in).  Kernel
 * and VMM personality INFO records are the VMM's (vmm/machine.c). */
void host__rec_config(struct host_device *dev, const void *config,
		      uint32_t len, uint64_t offered)
{
	struct sim_capture *c = dev->rec->cap;
	char buf[64];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)offered);
	sim_capture_info(c, "features_offered", buf);
	sim_capture_info_bytes(c, "config", config, len);
	snprintf(buf, sizeof(buf), "%u", dev->opts.num_scanouts);
	sim_capture_info(c, "num_scanouts", buf);
	char limits[128];
	snprintf(limits, sizeof(limits), "max_contexts=%u max_resources=%u "
		 "max_renderer_bytes=%llu", dev->opts.max_contexts,
		 dev->opts.max_resources,
		 (unsigned long long)dev->opts.max_renderer_bytes);
	sim_capture_info(c, "limits", limits);
}

void host__rec_features(struct host_device *dev)
{
	uint64_t f[2] = {
		htole64(sim_transport_offered_features(dev->transport)),
		htole64(dev->acked_features),
	};
	sim_capture_write(dev->rec->cap, SIM_CAPTURE_FEATURES, f, sizeof(f),
			  NULL, 0, NULL, 0, 0);
}

void host__rec_notify(struct host_device *dev, unsigned queue)
{
	uint32_t q = htole32(queue);
	sim_capture_write(dev->rec->cap, SIM_CAPTURE_NOTIFY, &q, sizeof(q),
			  NULL, 0, NULL, 0, 0);
}

void host__rec_status(struct host_device *dev, uint8_t old, uint8_t status)
{
	uint32_t v[2] = { htole32(old), htole32(status) };
	sim_capture_write(dev->rec->cap, SIM_CAPTURE_STATUS, v, sizeof(v),
			  NULL, 0, NULL, 0, 0);
}

void host__rec_interrupt(struct host_device *dev, uint32_t isr)
{
	uint32_t v = htole32(isr);
	sim_capture_write(dev->rec->cap, SIM_CAPTURE_INTERRUPT, &v, sizeof(v),
			  NULL, 0, NULL, 0, 0);
}

static bool page_zero(const uint8_t *p, size_t len)
{
	static const uint8_t zero[HOST_PAGE_SIZE];
	return memcmp(p, zero, len) == 0;
}

/*
 * Record what of [src, src + len) differs from @shadow (or all of it when
 * @force), a page at a time, runs of zero pages as one zero record, and
 * bring the shadow up to date.  @addr is the gpa or region offset of src.
 */
static void sync_range(struct sim_capture *c, uint32_t type, uint64_t addr,
		       const uint8_t *src, uint8_t *shadow, uint64_t len,
		       bool force)
{
	uint64_t off = 0;

	while (off < len) {
		uint64_t n = HOST_PAGE_SIZE - (addr + off) % HOST_PAGE_SIZE;
		if (n > len - off)
			n = len - off;
		if (!force && memcmp(src + off, shadow + off, n) == 0) {
			off += n;
			continue;
		}
		/* A run of pages that all differ and are all zero, or all
		 * differ and are not. */
		bool zero = page_zero(src + off, n);
		uint64_t run = n;
		while (off + run < len && run < (16u << 20)) {
			uint64_t m = HOST_PAGE_SIZE;
			if (m > len - off - run)
				m = len - off - run;
			if ((!force && memcmp(src + off + run, shadow + off + run,
					      m) == 0) ||
			    page_zero(src + off + run, m) != zero)
				break;
			run += m;
		}
		uint64_t a = htole64(addr + off);
		uint32_t lf[2] = { htole32((uint32_t)run),
				   htole32(zero ? SIM_CAPTURE_MEM_ZERO : 0) };
		uint8_t fixed[16];
		memcpy(fixed, &a, 8);
		memcpy(fixed + 8, lf, 8);
		sim_capture_write(c, type, fixed, sizeof(fixed), zero ? NULL
				  : src + off, zero ? 0 : run, NULL, 0, 0);
		memcpy(shadow + off, src + off, run);
		off += run;
	}
}

static void sync_backing(struct host_rec *r, const struct host_resource *res)
{
	for (unsigned i = 0; i < res->iov_cnt; i++) {
		uint64_t gpa = res->iov_gpa[i], len = res->iov[i].iov_len;
		if (gpa >= r->ram_size || len > r->ram_size - gpa)
			continue;
		sync_range(r->cap, SIM_CAPTURE_GUEST_MEM, gpa,
			   res->iov[i].iov_base, r->ram_shadow + gpa, len,
			   false);
	}
}

static void sync_window(struct host_rec *r, const struct host_resource *res)
{
	bool known = false;

	if (!res->mapped || !res->map_ptr ||
	    res->map_offset >= r->hm_size ||
	    res->map_len > r->hm_size - res->map_offset)
		return;
	for (unsigned i = 0; i < r->nwindows; i++) {
		struct rec_window *w = &r->windows[i];
		if (w->offset != res->map_offset)
			continue;
		known = w->res_id == res->id && w->ptr == res->map_ptr &&
			w->len == res->map_len;
		*w = (struct rec_window){ res->id, res->map_offset,
					  res->map_len, res->map_ptr };
		break;
	}
	if (!known && r->nwindows == r->cap_windows) {
		unsigned n = r->cap_windows ? r->cap_windows * 2 : 16;
		struct rec_window *w = realloc(r->windows, n * sizeof(*w));
		if (!w)
			return;
		r->windows = w;
		r->cap_windows = n;
	}
	if (!known) {
		bool listed = false;
		for (unsigned i = 0; i < r->nwindows; i++)
			listed |= r->windows[i].offset == res->map_offset;
		if (!listed)
			r->windows[r->nwindows++] = (struct rec_window){
				res->id, res->map_offset, res->map_len,
				res->map_ptr };
	}
	sync_range(r->cap, SIM_CAPTURE_HOST_MEM, res->map_offset,
		   res->map_ptr, r->hm_shadow + res->map_offset, res->map_len,
		   !known);
}

static void sync_resource(struct host_device *dev, uint32_t key, void *val,
			  void *arg)
{
	(void)key;
	(void)arg;
	sync_backing(dev->rec, val);
	sync_window(dev->rec, val);
}

/*
 * virgl_protocol.h: the stream commands that make vrend read a resource's
 * guest backing: TRANSFER3D (payload dword 0: the resource; a transfer to
 * the host reads it) and COPY_TRANSFER3D (payload dword 11: its source, a
 * staging buffer whose storage is guest memory).  A command is a header
 * (length << 16 | object << 8 | opcode) and length payload dwords.
 */
#define VIRGL_CCMD_TRANSFER3D 43
#define VIRGL_CCMD_COPY_TRANSFER3D 45
#define VIRGL_COPY_TRANSFER3D_SRC 11

static void sync_one(struct host_device *dev, uint32_t res_id)
{
	struct host_resource *res = host_table_get(&dev->resources, res_id);

	if (res)
		sync_resource(dev, res_id, res, NULL);
}

static void sync_blob(struct host_device *dev, uint32_t key, void *val,
		      void *arg)
{
	const struct host_resource *res = val;

	if (res->blob_mem)
		sync_resource(dev, key, val, arg);
}

static uint32_t iov_le32(const struct sim_vq_elem *e, size_t off, bool *ok)
{
	uint32_t v = 0;

	*ok = sim_iov_to_buf(e->out_iov, e->out_num, off, &v, 4) == 4;
	return le32toh(v);
}

/*
 * Before a virgl context's SUBMIT_3D: the backings its stream transfers
 * from, and every blob (a guest blob may be a buffer's storage, a mapped
 * host blob is read where the guest wrote it).  Other backings are read
 * only by transfers, so they need not be compared (the frame loop's
 * submits mostly carry none: docs/performance.md section 8).
 */
static void sync_virgl_stream(struct host_device *dev,
			      const struct sim_vq_elem *e)
{
	const size_t start = sizeof(struct virtio_gpu_cmd_submit);
	bool ok;
	uint32_t size = iov_le32(e, offsetof(struct virtio_gpu_cmd_submit,
					     size), &ok);

	host_table_foreach(&dev->resources, sync_blob, dev, NULL);
	if (!ok || size > e->out_len - start)
		size = e->out_len > start ? (uint32_t)(e->out_len - start) : 0;
	for (size_t dw = 0; dw < size / 4;) {
		uint32_t h = iov_le32(e, start + 4 * dw, &ok);
		uint32_t op = h & 0xff, n = h >> 16;
		size_t at = 0;
		if (!ok || dw + 1 + n > size / 4)
			break;	/* the renderer stops there too */
		if (op == VIRGL_CCMD_TRANSFER3D && n >= 1)
			at = dw + 1;
		else if (op == VIRGL_CCMD_COPY_TRANSFER3D &&
			 n > VIRGL_COPY_TRANSFER3D_SRC)
			at = dw + 1 + VIRGL_COPY_TRANSFER3D_SRC;
		if (at)
			sync_one(dev, iov_le32(e, start + 4 * at, &ok));
		dw += 1 + n;
	}
}

/* The resource_id of a command that reads one resource's memory, at
 * @off of its request. */
static void sync_named(struct host_device *dev, const struct sim_vq_elem *e,
		       size_t off)
{
	bool ok;
	uint32_t id = iov_le32(e, off, &ok);

	if (ok)
		sync_one(dev, id);
}

/*
 * Before a command that can make the device or the renderer read guest
 * memory outside its chain: what of that memory differs from the shadow.
 * Transfers, flushes and blob scanouts read the resource they name; a
 * virgl stream what sync_virgl_stream says; a venus stream (or a context
 * not known yet) any attached resource, so all of them.
 */
static void sync_for(struct host_device *dev, const struct sim_vq_elem *e,
		     uint32_t type)
{
	bool ok;

	switch (type) {
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		sync_named(dev, e, offsetof(struct virtio_gpu_transfer_to_host_2d,
					    resource_id));
		return;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		sync_named(dev, e, offsetof(struct virtio_gpu_transfer_host_3d,
					    resource_id));
		return;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		sync_named(dev, e, offsetof(struct virtio_gpu_resource_flush,
					    resource_id));
		return;
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB:
		sync_named(dev, e, offsetof(struct virtio_gpu_set_scanout_blob,
					    resource_id));
		return;
	case VIRTIO_GPU_CMD_SUBMIT_3D:
		break;
	default:
		return;
	}
	uint32_t ctx_id = iov_le32(e, offsetof(struct virtio_gpu_ctrl_hdr,
					       ctx_id), &ok);
	const struct host_context *ctx = ok ? host_table_get(&dev->contexts,
							     ctx_id) : NULL;
	if (ctx && (ctx->capset_id == 0 ||
		    ctx->capset_id == VIRTIO_GPU_CAPSET_VIRGL ||
		    ctx->capset_id == VIRTIO_GPU_CAPSET_VIRGL2))
		sync_virgl_stream(dev, e);
	else
		host_table_foreach(&dev->resources, sync_resource, dev, NULL);
}

/* A chain as the device popped it, after the guest memory it may read
 * beyond itself; gives the command its sequence number. */
void host__rec_chain(struct host_cmd *cmd)
{
	struct host_rec *r = cmd->dev->rec;
	struct sim_vq_elem *e = cmd->elem;
	uint32_t type = 0;

	sim_iov_to_buf(e->out_iov, e->out_num, 0, &type, sizeof(type));
	sync_for(cmd->dev, e, le32toh(type));
	cmd->rec_seq = sim_capture_next_seq(r->cap);

	unsigned n = e->out_num + e->in_num;
	uint8_t fixed[16] = { 0 };
	uint32_t *lens = malloc(n * sizeof(*lens));
	if (!lens) {
		SIM_ERROR(HOST_LAYER, "out of memory recording a chain");
		return;
	}
	uint32_t seq = htole32(cmd->rec_seq);
	uint16_t q16[4] = { htole16(cmd->queue), htole16(e->head),
			    htole16(e->out_num), htole16(e->in_num) };
	memcpy(fixed, &seq, 4);
	memcpy(fixed + 4, q16, 8);
	for (unsigned i = 0; i < e->out_num; i++)
		lens[i] = htole32((uint32_t)e->out_iov[i].iov_len);
	for (unsigned i = 0; i < e->in_num; i++)
		lens[e->out_num + i] = htole32((uint32_t)e->in_iov[i].iov_len);
	sim_capture_write(r->cap, SIM_CAPTURE_CHAIN, fixed, sizeof(fixed),
			  lens, n * sizeof(*lens), e->out_iov, e->out_num,
			  e->out_len);
	free(lens);
}

/* The response as written (@hdr is the header as echoed, @resp the rest
 * of the response, @written what went into the chain). */
void host__rec_response(struct host_cmd *cmd, const void *hdr,
			const void *resp, size_t len, uint32_t written)
{
	uint8_t fixed[32] = { 0 };
	uint16_t flags = 0;
	bool fenced = cmd->queue == HOST_CTRLQ &&
		      (cmd->hdr.flags & VIRTIO_GPU_FLAG_FENCE);

	if (fenced)
		flags |= SIM_CAPTURE_RESP_FENCE;
	if (fenced && (cmd->hdr.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX))
		flags |= SIM_CAPTURE_RESP_RING;
	/* Answered at once (a gate error, row N4): not a fence retirement,
	 * so its place among its timeline's answers is not an order. */
	if (fenced && !cmd->fence_path)
		flags |= SIM_CAPTURE_RESP_AT_ONCE;
	uint32_t seq = htole32(cmd->rec_seq), w = htole32(written);
	uint16_t qf[2] = { htole16(cmd->queue), htole16(flags) };
	uint64_t fence = htole64(cmd->hdr.fence_id);
	uint32_t cr[2] = { htole32(cmd->hdr.ctx_id), htole32(cmd->hdr.ring_idx) };
	memcpy(fixed, &seq, 4);
	memcpy(fixed + 4, qf, 4);
	memcpy(fixed + 8, &w, 4);
	memcpy(fixed + 16, &fence, 8);
	memcpy(fixed + 24, cr, 8);
	/* What the guest got: all @len bytes, none, or the part that fit
	 * (row D5 of docs/device-answers.md). */
	size_t got = written < len ? written : len;
	size_t hlen = got < sizeof(struct virtio_gpu_ctrl_hdr)
			      ? got : sizeof(struct virtio_gpu_ctrl_hdr);
	size_t rest = got - hlen;
	sim_capture_write(cmd->dev->rec->cap, SIM_CAPTURE_RESPONSE, fixed,
			  sizeof(fixed), hdr, hlen, &(struct iovec){
				  (char *)resp + hlen, rest }, 1, rest);
}

static void write_sum(struct host_cmd *cmd, uint32_t kind, uint32_t id,
		      uint64_t bytes, uint64_t sum)
{
	uint32_t a[4] = { htole32(cmd->rec_seq), htole32(kind), htole32(id), 0 };
	uint64_t b[2] = { htole64(bytes), htole64(sum) };
	sim_capture_write(cmd->dev->rec->cap, SIM_CAPTURE_CHECKSUM, a,
			  sizeof(a), b, sizeof(b), NULL, 0, 0);
}

static void sum_scanouts(struct host_cmd *cmd, uint32_t res_id)
{
	struct host_device *dev = cmd->dev;
	struct host_resource *res = host_table_get(&dev->resources, res_id);

	for (unsigned i = 0; res && i < dev->opts.num_scanouts; i++) {
		struct host_scanout *s = &dev->scanouts[i];
		size_t bytes = (size_t)s->r.width * s->r.height * 4;
		if (s->resource_id != res_id || !bytes)
			continue;
		uint8_t *rgba = malloc(bytes);
		if (!rgba)
			return;
		if (host__read_rgba(res, s->fb_format, s->fb_offset,
				    s->fb_stride, &s->r, rgba) == 0)
			write_sum(cmd, SIM_CAPTURE_SUM_SCANOUT, i, bytes,
				  sim_capture_checksum(SIM_CAPTURE_CHECKSUM_INIT,
						       rgba, bytes));
		free(rgba);
	}
}

/* After the handler: checksums of what the device produced that a
 * response does not carry (scanout images, transfer read-backs). */
void host__rec_after(struct host_cmd *cmd)
{
	uint32_t raw_id;
	size_t off;

	if (cmd->error)
		return;
	switch (cmd->hdr.type) {
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		off = offsetof(struct virtio_gpu_resource_flush, resource_id);
		break;
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D:
		off = offsetof(struct virtio_gpu_transfer_host_3d,
			       resource_id);
		break;
	default:
		return;
	}
	if (!cmd->elem || sim_iov_to_buf(cmd->elem->out_iov, cmd->elem->out_num,
					 off, &raw_id, 4) != 4)
		return;
	uint32_t id = le32toh(raw_id);
	if (cmd->hdr.type == VIRTIO_GPU_CMD_RESOURCE_FLUSH) {
		sum_scanouts(cmd, id);
		return;
	}
	struct host_resource *res = host_table_get(&cmd->dev->resources, id);
	if (!res || !res->iov_cnt)
		return;
	uint64_t sum = SIM_CAPTURE_CHECKSUM_INIT;
	for (unsigned i = 0; i < res->iov_cnt; i++)
		sum = sim_capture_checksum(sum, res->iov[i].iov_base,
					   res->iov[i].iov_len);
	write_sum(cmd, SIM_CAPTURE_SUM_READBACK, id, res->backing_len, sum);
}
