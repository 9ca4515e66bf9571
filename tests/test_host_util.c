// SPDX-License-Identifier: MIT
/* The minimal guest driver of the host device tests (test_host_util.h). */
#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/virtio_config.h>

#include "sim/hostmem.h"
#include "sim/gpu_config.h"
#include "sim/ram.h"
#include "sim/transport.h"
#include "sim/virtqueue.h"
#include "tests/test_host_util.h"

#define RAM_SIZE (64ull << 20)
#define QSIZE 64

static void irq_cb(void *opaque, uint32_t isr)
{
	struct th *h = opaque;
	pthread_mutex_lock(&h->lock);
	h->irqs++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static const struct sim_driver_ops driver_ops = { .interrupt = irq_cb };

/* 3.1.1 "Driver Requirements: Device Initialization", steps 1-8. */
static void bring_up(struct th *h, uint64_t features)
{
	assert_int_equal(sim_transport_set_status(h->t, VIRTIO_CONFIG_S_ACKNOWLEDGE), 0);
	assert_int_equal(sim_transport_set_status(h->t, VIRTIO_CONFIG_S_ACKNOWLEDGE |
						  VIRTIO_CONFIG_S_DRIVER), 0);
	assert_int_equal(sim_transport_set_driver_features(
				 h->t, features | (1ull << VIRTIO_F_VERSION_1)), 0);
	uint8_t st = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		     VIRTIO_CONFIG_S_FEATURES_OK;
	assert_int_equal(sim_transport_set_status(h->t, st), 0);
	assert_true(sim_transport_get_status(h->t) & VIRTIO_CONFIG_S_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++) {
		uint64_t d, a, u;
		uint16_t size = sim_transport_queue_size_of(h->t, q);
		if (size > QSIZE)
			size = QSIZE;
		assert_int_equal(sim_vqd_create(h->ram, size, &h->vq[q]), 0);
		sim_vqd_addrs(h->vq[q], &d, &a, &u);
		assert_int_equal(sim_transport_setup_queue(h->t, q, size, d, a, u), 0);
	}
	assert_int_equal(sim_transport_set_status(h->t, st | VIRTIO_CONFIG_S_DRIVER_OK), 0);
}

struct th *th_create(const struct th_options *o)
{
	struct th *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	assert_int_equal(sim_ram_create(RAM_SIZE, 0, 1, &h->ram), 0);
	assert_int_equal(sim_transport_create(&h->t), 0);
	if (o->hostmem_size)
		assert_int_equal(sim_hostmem_create(o->hostmem_size, &h->hostmem), 0);
	if (o->scanout_pngs) {
		strcpy(h->png_dir, "/tmp/vgs-host-XXXXXX");
		assert_non_null(mkdtemp(h->png_dir));
	}
	uint64_t features = TH_ALL_FEATURES |
			    (o->blob_alignment ? 1ull << SIM_GPU_F_BLOB_ALIGNMENT
					       : 0);
	/* strict: every feature of the spec, QEMU's answers (issue 18). */
	struct host_options ho = {
		.vmm = o->crosvm ? HOST_VMM_CROSVM : HOST_VMM_STRICT,
		.features = features,
		.blob_alignment = o->blob_alignment,
		.virgl = o->virgl,
		.venus = o->venus,
		.render_server = o->render_server,
		.num_scanouts = o->num_scanouts ? o->num_scanouts : 1,
		.hostmem = h->hostmem,
		.scanout_dir = o->scanout_pngs ? h->png_dir : NULL,
		.poll_max_ns = o->poll_max_ns,
		.follow_guest_cpu = o->follow_cpu,
	};
	ho.modes[1].width = o->mode1_w;
	ho.modes[1].height = o->mode1_h;
	assert_int_equal(host_device_create(h->ram, h->t, &ho, &h->dev), 0);
	sim_transport_bind_driver(h->t, &driver_ops, h);
	bring_up(h, features);
	h->free_pages = sim_ram_free_pages(h->ram);
	return h;
}

static void queues_down(struct th *h)
{
	assert_int_equal(sim_transport_set_status(h->t, 0), 0);
	for (unsigned q = 0; q < 2; q++) {
		sim_vqd_destroy(h->vq[q]);
		h->vq[q] = NULL;
	}
}

void th_renegotiate(struct th *h, uint64_t features)
{
	queues_down(h);
	bring_up(h, features);
}

void th_reset(struct th *h, uint64_t features)
{
	queues_down(h);
	unsigned windows = h->hostmem ? sim_hostmem_windows(h->hostmem) : 0;
	th_png_clean(h);
	/* Up again before checking, so one failure does not break the
	 * tests after it. */
	bring_up(h, features);
	uint64_t was = h->free_pages;
	h->free_pages = sim_ram_free_pages(h->ram);
	assert_int_equal(windows, 0);
	assert_int_equal(h->free_pages, was);
}

void th_destroy(struct th *h)
{
	queues_down(h);
	host_device_destroy(h->dev);
	if (h->hostmem)
		assert_int_equal(sim_hostmem_windows(h->hostmem), 0);
	sim_hostmem_destroy(h->hostmem);
	sim_transport_destroy(h->t);
	sim_ram_destroy(h->ram);
	if (h->png_dir[0]) {
		th_png_clean(h);
		rmdir(h->png_dir);
	}
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

uint64_t th_alloc(struct th *h, size_t size)
{
	uint64_t gpa;
	assert_int_equal(sim_ram_alloc_contig(h->ram, size, &gpa), 0);
	return gpa;
}

void th_release(struct th *h, uint64_t gpa, size_t size)
{
	sim_ram_release_contig(h->ram, gpa, size);
}

struct th_req *th_submit(struct th *h, unsigned q, const void *cmd,
			 size_t len, size_t resp_len)
{
	struct th_req *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->queue = q;
	r->cmd_len = len;
	r->resp_len = resp_len;
	r->cmd_gpa = th_alloc(h, len);
	assert_int_equal(sim_ram_write(h->ram, r->cmd_gpa, cmd, len), 0);
	struct sim_vq_buf out = { r->cmd_gpa, (uint32_t)len };
	struct sim_vq_buf in = { 0, (uint32_t)resp_len };
	if (resp_len) {
		r->resp_gpa = th_alloc(h, resp_len);
		in.gpa = r->resp_gpa;
	}
	assert_int_equal(sim_vqd_add(h->vq[q], &out, 1, &in, resp_len ? 1 : 0, r), 0);
	return r;
}

void th_kick(struct th *h, unsigned q)
{
	if (sim_vqd_should_notify(h->vq[q]))
		assert_int_equal(sim_transport_notify(h->t, q), 0);
}

struct th_req *th_wait(struct th *h, unsigned q)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	for (;;) {
		pthread_mutex_lock(&h->lock);
		unsigned seen = h->irqs;
		pthread_mutex_unlock(&h->lock);
		uint32_t written;
		struct th_req *r = sim_vqd_get_used(h->vq[q], &written);
		if (r) {
			r->written = written;
			if (r->resp_len) {
				r->resp = calloc(1, r->resp_len);
				assert_non_null(r->resp);
				assert_int_equal(sim_ram_read(h->ram, r->resp_gpa,
							      r->resp, r->resp_len), 0);
			}
			return r;
		}
		pthread_mutex_lock(&h->lock);
		while (h->irqs == seen) {
			if (pthread_cond_timedwait(&h->cond, &h->lock,
						   &deadline) == ETIMEDOUT) {
				pthread_mutex_unlock(&h->lock);
				fail_msg("no answer on queue %u within 20 s", q);
			}
		}
		pthread_mutex_unlock(&h->lock);
	}
}

uint32_t th_req_type(const struct th_req *r)
{
	if (r->written < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	const struct virtio_gpu_ctrl_hdr *hdr = (const void *)r->resp;
	return le32toh(hdr->type);
}

void th_req_free(struct th *h, struct th_req *r)
{
	th_release(h, r->cmd_gpa, r->cmd_len);
	if (r->resp_len)
		th_release(h, r->resp_gpa, r->resp_len);
	free(r->resp);
	free(r);
}

uint32_t th_cmd(struct th *h, unsigned q, const void *cmd, size_t len,
		void *resp, size_t resp_len)
{
	struct th_req *r = th_submit(h, q, cmd, len, resp_len);
	th_kick(h, q);
	struct th_req *got = th_wait(h, q);
	assert_ptr_equal(got, r);
	uint32_t type = th_req_type(r);
	if (resp)
		memcpy(resp, r->resp, r->written < resp_len ? r->written : resp_len);
	th_req_free(h, r);
	return type;
}

uint32_t th_cmd0(struct th *h, const void *cmd, size_t len)
{
	struct virtio_gpu_ctrl_hdr resp;
	return th_cmd(h, TH_CTRLQ, cmd, len, &resp, sizeof(resp));
}

struct virtio_gpu_ctrl_hdr th_hdr(uint32_t type, uint32_t ctx_id)
{
	return (struct virtio_gpu_ctrl_hdr){
		.type = htole32(type), .ctx_id = htole32(ctx_id),
	};
}

uint32_t th_create_2d(struct th *h, uint32_t id, uint32_t format,
		      uint32_t w, uint32_t hgt)
{
	struct virtio_gpu_resource_create_2d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, 0),
		.resource_id = htole32(id), .format = htole32(format),
		.width = htole32(w), .height = htole32(hgt),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_unref(struct th *h, uint32_t id)
{
	struct virtio_gpu_resource_unref c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF, 0),
		.resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_attach(struct th *h, uint32_t id, uint64_t gpa, uint32_t len)
{
	struct {
		struct virtio_gpu_resource_attach_backing a;
		struct virtio_gpu_mem_entry e;
	} c = {
		.a.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING, 0),
		.a.resource_id = htole32(id), .a.nr_entries = htole32(1),
		.e.addr = htole64(gpa), .e.length = htole32(len),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_detach(struct th *h, uint32_t id)
{
	struct virtio_gpu_resource_detach_backing c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, 0),
		.resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_transfer_2d(struct th *h, uint32_t id, uint32_t x, uint32_t y,
			uint32_t w, uint32_t hgt, uint64_t offset)
{
	struct virtio_gpu_transfer_to_host_2d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, 0),
		.r = { htole32(x), htole32(y), htole32(w), htole32(hgt) },
		.offset = htole64(offset), .resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_set_scanout(struct th *h, uint32_t scanout, uint32_t id,
			uint32_t x, uint32_t y, uint32_t w, uint32_t hgt)
{
	struct virtio_gpu_set_scanout c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_SET_SCANOUT, 0),
		.r = { htole32(x), htole32(y), htole32(w), htole32(hgt) },
		.scanout_id = htole32(scanout), .resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_flush(struct th *h, uint32_t id, uint32_t x, uint32_t y,
		  uint32_t w, uint32_t hgt)
{
	struct virtio_gpu_resource_flush c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH, 0),
		.r = { htole32(x), htole32(y), htole32(w), htole32(hgt) },
		.resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_ctx_create(struct th *h, uint32_t ctx, uint32_t capset)
{
	struct virtio_gpu_ctx_create c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_CREATE, ctx),
		.nlen = htole32(4), .context_init = htole32(capset),
	};
	memcpy(c.debug_name, "test", 4);
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_ctx_destroy(struct th *h, uint32_t ctx)
{
	struct virtio_gpu_ctx_destroy c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_DESTROY, ctx),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_ctx_attach(struct th *h, uint32_t ctx, uint32_t id)
{
	struct virtio_gpu_ctx_resource c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, ctx),
		.resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_create_3d_rt(struct th *h, uint32_t id, uint32_t w, uint32_t hgt)
{
	struct virtio_gpu_resource_create_3d c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, 0),
		.resource_id = htole32(id), .target = htole32(2),
		.format = htole32(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM),
		.bind = htole32(2), .width = htole32(w), .height = htole32(hgt),
		.depth = htole32(1), .array_size = htole32(1),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_submit_3d(struct th *h, uint32_t ctx, const uint32_t *dw,
		      uint32_t ndw)
{
	size_t len = sizeof(struct virtio_gpu_cmd_submit) + ndw * 4;
	struct virtio_gpu_cmd_submit *c = calloc(1, len);
	assert_non_null(c);
	c->hdr = th_hdr(VIRTIO_GPU_CMD_SUBMIT_3D, ctx);
	c->size = htole32(ndw * 4);
	for (uint32_t i = 0; i < ndw; i++)
		((uint32_t *)(c + 1))[i] = htole32(dw[i]);
	uint32_t type = th_cmd0(h, c, len);
	free(c);
	return type;
}

uint32_t th_transfer_3d(struct th *h, bool to_host, uint32_t ctx,
			uint32_t id, uint32_t w, uint32_t hgt, uint32_t stride)
{
	struct virtio_gpu_transfer_host_3d c = {
		.hdr = th_hdr(to_host ? VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D
				      : VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, ctx),
		.box = { 0, 0, 0, htole32(w), htole32(hgt), htole32(1) },
		.resource_id = htole32(id), .stride = htole32(stride),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_create_blob(struct th *h, uint32_t ctx, uint32_t id,
			uint32_t mem, uint32_t flags, uint64_t blob_id,
			uint64_t size, uint64_t gpa)
{
	struct {
		struct virtio_gpu_resource_create_blob b;
		struct virtio_gpu_mem_entry e;
	} c = {
		.b.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB, ctx),
		.b.resource_id = htole32(id), .b.blob_mem = htole32(mem),
		.b.blob_flags = htole32(flags), .b.blob_id = htole64(blob_id),
		.b.size = htole64(size), .b.nr_entries = htole32(gpa ? 1 : 0),
		/* the entry covers whole pages, as a guest's would */
		.e.addr = htole64(gpa),
		.e.length = htole32((uint32_t)((size + 4095) & ~4095ull)),
	};
	return th_cmd0(h, &c, gpa ? sizeof(c) : sizeof(c.b));
}

uint32_t th_map_blob(struct th *h, uint32_t id, uint64_t offset,
		     uint32_t *map_info)
{
	struct virtio_gpu_resource_map_blob c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB, 0),
		.resource_id = htole32(id), .offset = htole64(offset),
	};
	struct virtio_gpu_resp_map_info resp = { 0 };
	uint32_t type = th_cmd(h, TH_CTRLQ, &c, sizeof(c), &resp, sizeof(resp));
	if (map_info)
		*map_info = le32toh(resp.map_info);
	return type;
}

uint32_t th_unmap_blob(struct th *h, uint32_t id)
{
	struct virtio_gpu_resource_unmap_blob c = {
		.hdr = th_hdr(VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB, 0),
		.resource_id = htole32(id),
	};
	return th_cmd0(h, &c, sizeof(c));
}

uint32_t th_clear_stream(uint32_t res, uint32_t *dw)
{
	const uint32_t s[] = {
		0x0001001d, 1, 0x0001001c, 1, 0x00050801, 10, res, 1, 0, 0,
		0x00030005, 1, 0, 10, 0x00080007, 4, 0x3f800000, 0x3e4ccccd, 0,
		0x3f800000, 0, 0x3ff00000, 0,
	};
	memcpy(dw, s, sizeof(s));
	return sizeof(s) / 4;
}

uint8_t *th_png_read(const char *path, uint32_t *w, uint32_t *h)
{
	png_image img;
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return NULL;
	img.format = PNG_FORMAT_RGBA;
	uint8_t *px = malloc(PNG_IMAGE_SIZE(img));
	assert_non_null(px);
	if (!png_image_finish_read(&img, NULL, px, 0, NULL)) {
		free(px);
		png_image_free(&img);
		return NULL;
	}
	*w = img.width;
	*h = img.height;
	return px;
}

static unsigned png_walk(struct th *h, bool remove)
{
	unsigned n = 0;
	if (!h->png_dir[0])
		return 0;
	DIR *d = opendir(h->png_dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		if (remove) {
			char p[512];
			snprintf(p, sizeof(p), "%s/%s", h->png_dir, e->d_name);
			unlink(p);
		}
	}
	closedir(d);
	return n;
}

unsigned th_png_count(struct th *h)
{
	return png_walk(h, false);
}

void th_png_clean(struct th *h)
{
	png_walk(h, true);
}
