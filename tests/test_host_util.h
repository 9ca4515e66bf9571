/* SPDX-License-Identifier: MIT */
/*
 * A minimal "guest driver" for the host device tests: guest RAM, the
 * transport and the driver end of both virtqueues, nothing of kernelmock.
 * Commands are written into guest RAM, the queue is kicked, and the test
 * waits for the used entry (signalled by the device's interrupt).
 */
#ifndef TEST_HOST_UTIL_H
#define TEST_HOST_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_gpu.h>

#include "host/host.h"

#define TH_ALL_FEATURES ((1ull << VIRTIO_GPU_F_VIRGL) |		\
			 (1ull << VIRTIO_GPU_F_EDID) |			\
			 (1ull << VIRTIO_GPU_F_RESOURCE_UUID) |		\
			 (1ull << VIRTIO_GPU_F_RESOURCE_BLOB) |		\
			 (1ull << VIRTIO_GPU_F_CONTEXT_INIT))
#define TH_CTRLQ 0
#define TH_CURSORQ 1

struct th_options {
	bool virgl, venus, render_server;
	uint32_t num_scanouts;		/* 0: 1 */
	uint64_t hostmem_size;		/* 0: no host-visible region */
	bool scanout_pngs;		/* PNGs into a fresh temporary dir */
	uint32_t mode1_w, mode1_h;	/* preferred mode of scanout 1 */
	uint64_t poll_max_ns;		/* 0: the device never polls */
	/* non-zero: also offer (and negotiate) VIRTIO_GPU_F_BLOB_ALIGNMENT
	 * with this config value */
	uint32_t blob_alignment;
	/* the personality; false: strict (every feature, QEMU's answers) */
	bool crosvm;
	/* host_options.follow_guest_cpu (thread placement) */
	bool follow_cpu;
};

struct th {
	struct sim_ram *ram;
	struct sim_transport *t;
	struct sim_hostmem *hostmem;
	struct host_device *dev;
	struct sim_vqd *vq[2];
	char png_dir[64];		/* "" without PNGs */
	uint64_t free_pages;		/* after bring-up, for leak checks */
	/* interrupts, counted on the device thread; protected by lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned irqs;
};

/* A request in flight (th_submit) until th_wait() hands it back. */
struct th_req {
	unsigned queue;
	uint64_t cmd_gpa, resp_gpa;
	size_t cmd_len, resp_len;
	uint32_t written;
	uint8_t *resp;			/* resp_len bytes once answered */
};

struct th *th_create(const struct th_options *o);
void th_destroy(struct th *h);
/* Reset the device (status 0), then negotiate @features and set up the
 * queues again; asserts that nothing leaked in guest RAM or the region
 * since the last th_reset (or th_create). */
void th_reset(struct th *h, uint64_t features);
/* The same in the middle of a test: no leak checks. */
void th_renegotiate(struct th *h, uint64_t features);

/* One command; returns the response type (0 when nothing was written)
 * and copies min(resp_len, written) bytes to @resp when not NULL. */
uint32_t th_cmd(struct th *h, unsigned q, const void *cmd, size_t len,
		void *resp, size_t resp_len);
/* Same with just the header as response. */
uint32_t th_cmd0(struct th *h, const void *cmd, size_t len);
/* Queue without kicking; th_kick() then th_wait() for each. */
struct th_req *th_submit(struct th *h, unsigned q, const void *cmd,
			 size_t len, size_t resp_len);
void th_kick(struct th *h, unsigned q);
struct th_req *th_wait(struct th *h, unsigned q);
uint32_t th_req_type(const struct th_req *r);
void th_req_free(struct th *h, struct th_req *r);

/* Guest memory: contiguous, zeroed. */
uint64_t th_alloc(struct th *h, size_t size);
void th_release(struct th *h, uint64_t gpa, size_t size);

/* Header of a request (little endian). */
struct virtio_gpu_ctrl_hdr th_hdr(uint32_t type, uint32_t ctx_id);

/* Common commands; each returns the response type. */
uint32_t th_create_2d(struct th *h, uint32_t id, uint32_t format,
		      uint32_t w, uint32_t hgt);
uint32_t th_unref(struct th *h, uint32_t id);
/* One mem entry [gpa, gpa + len). */
uint32_t th_attach(struct th *h, uint32_t id, uint64_t gpa, uint32_t len);
uint32_t th_detach(struct th *h, uint32_t id);
uint32_t th_transfer_2d(struct th *h, uint32_t id, uint32_t x, uint32_t y,
			uint32_t w, uint32_t hgt, uint64_t offset);
uint32_t th_set_scanout(struct th *h, uint32_t scanout, uint32_t id,
			uint32_t x, uint32_t y, uint32_t w, uint32_t hgt);
uint32_t th_flush(struct th *h, uint32_t id, uint32_t x, uint32_t y,
		  uint32_t w, uint32_t hgt);
uint32_t th_ctx_create(struct th *h, uint32_t ctx, uint32_t capset);
uint32_t th_ctx_destroy(struct th *h, uint32_t ctx);
uint32_t th_ctx_attach(struct th *h, uint32_t ctx, uint32_t id);
/* A 64x64 B8G8R8A8 render target (target 2, bind RENDER_TARGET). */
uint32_t th_create_3d_rt(struct th *h, uint32_t id, uint32_t w, uint32_t hgt);
uint32_t th_submit_3d(struct th *h, uint32_t ctx, const uint32_t *dw,
		      uint32_t ndw);
uint32_t th_transfer_3d(struct th *h, bool to_host, uint32_t ctx,
			uint32_t id, uint32_t w, uint32_t hgt, uint32_t stride);
/* blob with @nr entries of one contiguous [gpa, gpa+size) when gpa != 0 */
uint32_t th_create_blob(struct th *h, uint32_t ctx, uint32_t id,
			uint32_t mem, uint32_t flags, uint64_t blob_id,
			uint64_t size, uint64_t gpa);
uint32_t th_map_blob(struct th *h, uint32_t id, uint64_t offset,
		     uint32_t *map_info);
uint32_t th_unmap_blob(struct th *h, uint32_t id);

/* FACTS.md's known-good virgl stream: sub-context 1, surface 10 on
 * resource @res, clear to (1.0, 0.2, 0.0, 1.0) = 0xffff3300 in B8G8R8A8. */
uint32_t th_clear_stream(uint32_t res, uint32_t *dw);

/* Read a PNG written by the device: RGBA, *w x *h; NULL when missing. */
uint8_t *th_png_read(const char *path, uint32_t *w, uint32_t *h);
/* Files in the PNG directory, and remove them all. */
unsigned th_png_count(struct th *h);
void th_png_clean(struct th *h);

#endif
