// SPDX-License-Identifier: MIT
/*
 * The "sim" way: the whole simulated stack, as a guest program sees it.
 * A machine from vmm/machine.h with 4 GiB of guest RAM (the memory
 * figure's configuration; idle RAM must stay cheap), one open of the
 * render node, and nothing but km_ioctl/km_mmap from here on: every
 * command crosses kernelmock, the virtqueues in guest RAM, the device
 * thread and virglrenderer.  A fence wait is what Mesa does: EXECBUFFER
 * with FENCE_FD_OUT and poll(2) on the sync_file, or WAIT on the bo
 * (transfers, and the "sim-wait" round trip).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_gpu.h>

#include <drm.h>

#include "bench/bench.h"
#include "guest/virgl/virgl_enc.h"
#include "kernelmock/km.h"
#include "kernelmock/virtgpu_drm.h"
#include "vmm/machine.h"

struct bench_way {
	struct vmm_machine *m;
	struct km_file *file;
};

struct sim_res {
	struct bench_res pub;
	uint64_t map_len;
};

static void sim_close(struct bench_way *w)
{
	km_close(w->file);
	vmm_machine_destroy(w->m);
	free(w);
}

static int sim_open_placed(const struct bench_cfg *cfg, bool follow_cpu,
			   struct bench_way **out)
{
	struct vmm_machine_options o;
	struct bench_way *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	/* plain user copies, as under exec (no SIGSEGV handler of ours to
	 * chain to here: kernelmock/uaccess.c) */
	km_uaccess_fast_enable();
	vmm_machine_default_options(&o);
	o.ram_size = 4ull << 30;
	o.scatter = cfg->scatter;
	o.features |= 1ull << VIRTIO_GPU_F_RESOURCE_BLOB;
	o.hostmem_size = 128ull << 20;
	o.follow_cpu = follow_cpu;
	ret = vmm_machine_create(&o, &w->m);
	if (ret) {
		free(w);
		return ret;
	}
	ret = km_open(vmm_machine_kernel(w->m), &w->file);
	if (ret) {
		vmm_machine_destroy(w->m);
		free(w);
		return ret;
	}
	*out = w;
	return 0;
}

static int sim_open(const struct bench_cfg *cfg, struct bench_way **out)
{
	return sim_open_placed(cfg, false, out);
}

/* "sim-follow": the same machine with --placement. */
static int sim_open_follow(const struct bench_cfg *cfg,
			   struct bench_way **out)
{
	return sim_open_placed(cfg, true, out);
}

/* poll(2) on a sync_file until it signals, then close it. */
static int wait_fd(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do
		ret = poll(&p, 1, 15000);
	while (ret < 0 && errno == EINTR);
	close(fd);
	return ret == 1 ? 0 : -ETIME;
}

static int gem_close(struct bench_way *w, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return km_ioctl(w->file, DRM_IOCTL_GEM_CLOSE, &c);
}

static int map_bo(struct bench_way *w, struct sim_res *r)
{
	struct drm_virtgpu_map map = { .handle = r->pub.handle };
	int ret = km_ioctl(w->file, DRM_IOCTL_VIRTGPU_MAP, &map);

	if (ret)
		return ret;
	ret = km_mmap(w->file, map.offset, r->pub.size, &r->pub.cpu);
	if (!ret)
		r->map_len = r->pub.size;
	return ret;
}

static int sim_tex_create(struct bench_way *w, const struct bench_tex_desc *d,
			  struct bench_res **out)
{
	struct sim_res *r = calloc(1, sizeof(*r));
	uint64_t size = (uint64_t)d->width * d->height * 4;
	struct drm_virtgpu_resource_create rc = {
		.target = d->target,
		.format = d->format,
		.bind = d->bind,
		.width = d->width,
		.height = d->height,
		.depth = 1,
		.array_size = 1,
		.size = (uint32_t)size,
	};
	int ret;

	if (!r)
		return -ENOMEM;
	ret = km_ioctl(w->file, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
	if (ret) {
		free(r);
		return ret;
	}
	r->pub.id = rc.res_handle;
	r->pub.handle = rc.bo_handle;
	r->pub.width = d->width;
	r->pub.height = d->height;
	r->pub.size = size;
	if (d->backing && (ret = map_bo(w, r))) {
		gem_close(w, r->pub.handle);
		free(r);
		return ret;
	}
	*out = &r->pub;
	return 0;
}

static void sim_res_destroy(struct bench_way *w, struct bench_res *pub)
{
	struct sim_res *r = (struct sim_res *)pub;

	if (r->map_len)
		km_munmap(w->file, pub->cpu, r->map_len);
	gem_close(w, pub->handle);
	free(r);
}

static int sim_submit_wait(struct bench_way *w, const uint32_t *dw,
			   uint32_t ndw, struct bench_res *r)
{
	uint32_t handle = r ? r->handle : 0;
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT,
		.size = ndw * 4,
		.command = (uintptr_t)dw,
		.bo_handles = r ? (uintptr_t)&handle : 0,
		.num_bo_handles = r ? 1 : 0,
		.fence_fd = -1,
	};
	int ret = km_ioctl(w->file, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);

	return ret ? ret : wait_fd(eb.fence_fd);
}

/* The other waiter Mesa's winsys has: the submit names the bo, and
 * DRM_IOCTL_VIRTGPU_WAIT sleeps until the bo's last fence signalled. */
static int sim_submit_wait_bo(struct bench_way *w, const uint32_t *dw,
			      uint32_t ndw, struct bench_res *r)
{
	uint32_t handle = r->handle;
	struct drm_virtgpu_execbuffer eb = {
		.size = ndw * 4,
		.command = (uintptr_t)dw,
		.bo_handles = (uintptr_t)&handle,
		.num_bo_handles = 1,
		.fence_fd = -1,
	};
	struct drm_virtgpu_3d_wait wait = { .handle = handle };
	int ret = km_ioctl(w->file, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb);

	return ret ? ret : km_ioctl(w->file, DRM_IOCTL_VIRTGPU_WAIT, &wait);
}

static int sim_transfer_wait(struct bench_way *w, struct bench_res *r,
			     bool to_host)
{
	struct drm_virtgpu_3d_transfer_to_host t = {
		.bo_handle = r->handle,
		.box = { 0, 0, 0, r->width, r->height, 1 },
	};
	struct drm_virtgpu_3d_wait wait = { .handle = r->handle };
	int ret = km_ioctl(w->file, to_host ? DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST
					    : DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
			   &t);

	return ret ? ret : km_ioctl(w->file, DRM_IOCTL_VIRTGPU_WAIT, &wait);
}

static int sim_blob_create_map(struct bench_way *w, uint64_t size,
			       uint32_t blob_id, struct bench_res **out)
{
	struct guest_virgl_stream s = { 0 };
	struct sim_res *r = calloc(1, sizeof(*r));
	/* The PIPE_RESOURCE_CREATE travels inline, as Mesa sends it. */
	struct drm_virtgpu_resource_create_blob rc = {
		.blob_mem = VIRTGPU_BLOB_MEM_HOST3D,
		.blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE,
		.size = size,
		.cmd_size = 0,
		.cmd = 0,
		.blob_id = blob_id,
	};
	int ret;

	if (!r || bench_stream_pipe_buffer(&s, (uint32_t)size, blob_id)) {
		free(r);
		guest_virgl_stream_fini(&s);
		return -ENOMEM;
	}
	rc.cmd_size = (uint32_t)guest_virgl_stream_bytes(&s);
	rc.cmd = (uintptr_t)s.dw;
	ret = km_ioctl(w->file, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc);
	guest_virgl_stream_fini(&s);
	if (ret) {
		free(r);
		return ret;
	}
	r->pub.id = rc.res_handle;
	r->pub.handle = rc.bo_handle;
	r->pub.size = size;
	r->pub.blob = true;
	ret = map_bo(w, r);
	if (ret) {
		gem_close(w, r->pub.handle);
		free(r);
		return ret;
	}
	*out = &r->pub;
	return 0;
}

static long sim_rss_kib(struct bench_way *w)
{
	return bench_rss_kib(0);
}

const struct bench_way_ops bench_sim_ops = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.tex_create = sim_tex_create,
	.res_destroy = sim_res_destroy,
	.submit_wait = sim_submit_wait,
	.submit_wait_bo = sim_submit_wait_bo,
	.transfer_wait = sim_transfer_wait,
	.blob_create_map = sim_blob_create_map,
	.rss_kib = sim_rss_kib,
};

const struct bench_way_ops bench_sim_follow_ops = {
	.name = "sim-follow",
	.open = sim_open_follow,
	.close = sim_close,
	.tex_create = sim_tex_create,
	.res_destroy = sim_res_destroy,
	.submit_wait = sim_submit_wait,
	.transfer_wait = sim_transfer_wait,
	.blob_create_map = sim_blob_create_map,
	.rss_kib = sim_rss_kib,
};
