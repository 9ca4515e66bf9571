// SPDX-License-Identifier: MIT
/*
 * The micro workloads, written once against struct bench_way_ops so that
 * the three ways run exactly the same requests:
 *  1. fence_rt: a fenced no-op submit (SET_SUB_CTX of the current sub
 *     context: a real command that draws nothing) until the waiter is
 *     woken, in microseconds; the sim way waits on a sync_file (poll),
 *     and once more on the bo (DRM WAIT) as "sim-wait";
 *  2. clear_rate: CLEAR of a 64x64 render target and a fence, per second;
 *  3. xfer_to / xfer_from: TRANSFER_TO_HOST / FROM_HOST of a 4096x4096
 *     B8G8R8A8 texture (64 MiB) between its CPU-visible memory (scattered
 *     guest pages with --scatter) and the renderer, in MiB/s;
 *  4. map_write: 64 MiB written with memcpy through a mapped HOST3D blob,
 *     next to memcpy into ordinary memory ("memcpy"), in MiB/s;
 *  6. rss_idle / rss_1000: RSS once the way is up with a context (the sim
 *     way with 4 GiB of guest RAM), and the RSS 1000 more 64x64 textures
 *     with backing add, in MiB.
 * Start-up (5) is a child process of its own: bench_startup_child().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "guest/virgl/virgl_enc.h"

#define FMT_B8G8R8A8 1
#define FMT_R8 64
#define TARGET_BUFFER 0
#define TARGET_2D 2
#define BIND_RENDER_TARGET (1u << 1)
#define BIND_SAMPLER_VIEW (1u << 3)
#define BIND_VERTEX_BUFFER (1u << 4)
#define RES_FLAG_MAP_PERSISTENT (1u << 1)
#define RES_FLAG_MAP_COHERENT (1u << 2)
#define PIPE_CLEAR_COLOR0 (1u << 2)
#define BENCH_SUB_CTX 1
#define BENCH_SURFACE 10
#define XFER_SIDE 4096u			/* 4096 * 4096 * 4 = 64 MiB */
#define MAP_BYTES (64u << 20)
#define MAP_BLOB_ID 77
#define MEM_RESOURCES 1000
#define MIB (1024.0 * 1024.0)

int bench_stream_setup(struct guest_virgl_stream *s, uint32_t res_id)
{
	struct guest_virgl_surface surf = {
		.handle = BENCH_SURFACE, .res_handle = res_id,
		.format = FMT_B8G8R8A8,
	};
	struct guest_virgl_framebuffer fb = {
		.nr_cbufs = 1, .cbufs = { BENCH_SURFACE },
	};

	if (guest_virgl_encode_create_sub_ctx(s, BENCH_SUB_CTX) ||
	    guest_virgl_encode_set_sub_ctx(s, BENCH_SUB_CTX) ||
	    guest_virgl_encode_create_surface(s, &surf) ||
	    guest_virgl_encode_set_framebuffer_state(s, &fb))
		return -ENOMEM;
	return 0;
}

int bench_stream_clear(struct guest_virgl_stream *s)
{
	struct guest_virgl_clear c = {
		.buffers = PIPE_CLEAR_COLOR0,
		.color = { 1.0f, 0.2f, 0.0f, 1.0f },
		.depth = 1.0,
	};

	return guest_virgl_encode_clear(s, &c);
}

int bench_stream_noop(struct guest_virgl_stream *s)
{
	return guest_virgl_encode_set_sub_ctx(s, BENCH_SUB_CTX);
}

int bench_stream_pipe_buffer(struct guest_virgl_stream *s, uint32_t size,
			     uint32_t blob_id)
{
	/* FACTS.md: only buffers made MAP_PERSISTENT|MAP_COHERENT map. */
	struct guest_virgl_pipe_resource r = {
		.target = TARGET_BUFFER, .format = FMT_R8,
		.bind = BIND_VERTEX_BUFFER, .width = size, .height = 1,
		.depth = 1, .array_size = 1,
		.flags = RES_FLAG_MAP_PERSISTENT | RES_FLAG_MAP_COHERENT,
		.blob_id = blob_id,
	};

	return guest_virgl_encode_pipe_resource_create(s, &r);
}

/* Submit a whole stream and wait; logs the failing step. */
static int submit(struct bench_way *w, const struct bench_way_ops *ops,
		  const struct guest_virgl_stream *s, struct bench_res *r,
		  const char *what)
{
	int ret = ops->submit_wait(w, s->dw, (uint32_t)s->len, r);

	if (ret)
		fprintf(stderr, "bench %s: %s: %s\n", ops->name, what,
			strerror(-ret));
	return ret;
}

static int run_fence_rt(const struct bench_cfg *cfg, struct bench_way *w,
			const struct bench_way_ops *ops, struct bench_res *rt)
{
	struct guest_virgl_stream s = { 0 };
	int ret = bench_stream_noop(&s);

	for (unsigned i = 0; !ret && i < cfg->fence_iters + 50; i++) {
		uint64_t t = bench_now_ns();
		ret = submit(w, ops, &s, NULL, "no-op submit");
		/* The first 50 warm the path up (allocations, page faults). */
		if (!ret && i >= 50)
			bench_sample("fence_rt", ops->name,
				     (double)(bench_now_ns() - t) / 1e3);
	}
	/* The same through the way's other waiter, where it has one. */
	char way[32];
	snprintf(way, sizeof(way), "%s-wait", ops->name);
	for (unsigned i = 0; !ret && ops->submit_wait_bo &&
	     i < cfg->fence_iters + 50; i++) {
		uint64_t t = bench_now_ns();
		ret = ops->submit_wait_bo(w, s.dw, (uint32_t)s.len, rt);
		if (!ret && i >= 50)
			bench_sample("fence_rt", way,
				     (double)(bench_now_ns() - t) / 1e3);
	}
	guest_virgl_stream_fini(&s);
	return ret;
}

static int run_clear(const struct bench_cfg *cfg, struct bench_way *w,
		     const struct bench_way_ops *ops, struct bench_res *rt)
{
	const unsigned batch = 25;
	struct guest_virgl_stream s = { 0 };
	int ret = bench_stream_clear(&s);

	for (unsigned i = 0; !ret && i < 20; i++)
		ret = submit(w, ops, &s, rt, "clear");
	for (unsigned b = 0; !ret && b < cfg->clear_iters / batch; b++) {
		uint64_t t = bench_now_ns();
		for (unsigned i = 0; !ret && i < batch; i++)
			ret = submit(w, ops, &s, rt, "clear");
		if (!ret)
			bench_sample("clear_rate", ops->name,
				     batch * 1e9 / (double)(bench_now_ns() - t));
	}
	guest_virgl_stream_fini(&s);
	return ret;
}

static void fill_pattern(uint32_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = seed ^ (uint32_t)(i * 2654435761u);
}

static int run_transfers(const struct bench_cfg *cfg, struct bench_way *w,
			 const struct bench_way_ops *ops)
{
	const struct bench_tex_desc d = {
		.target = TARGET_2D, .format = FMT_B8G8R8A8,
		.bind = BIND_RENDER_TARGET | BIND_SAMPLER_VIEW,
		.width = XFER_SIDE, .height = XFER_SIDE, .backing = true,
	};
	struct bench_res *r;
	int ret = ops->tex_create(w, &d, &r);

	if (ret) {
		fprintf(stderr, "bench %s: 64 MiB texture: %s\n", ops->name,
			strerror(-ret));
		return ret;
	}
	size_t words = r->size / 4;
	fill_pattern(r->cpu, words, 0x5a5a5a5a);
	/* One of each first: llvmpipe allocates the texture on first use. */
	ret = ops->transfer_wait(w, r, true);
	if (!ret)
		ret = ops->transfer_wait(w, r, false);
	for (int dir = 0; !ret && dir < 2; dir++) {
		bool to_host = dir == 0;
		for (unsigned i = 0; !ret && i < cfg->xfer_reps; i++) {
			uint64_t t = bench_now_ns();
			ret = ops->transfer_wait(w, r, to_host);
			if (!ret)
				bench_sample(to_host ? "xfer_to" : "xfer_from",
					     ops->name, (double)r->size / MIB /
					     ((double)(bench_now_ns() - t) / 1e9));
		}
	}
	/* The data made the round trip: clear our copy, read it back. */
	if (!ret) {
		memset(r->cpu, 0, r->size);
		ret = ops->transfer_wait(w, r, false);
		uint32_t *p = r->cpu;
		for (size_t i = 0; !ret && i < words; i += 4099)
			if (p[i] != (0x5a5a5a5au ^ (uint32_t)(i * 2654435761u))) {
				fprintf(stderr, "bench %s: transfer read back "
					"word %zu wrong\n", ops->name, i);
				ret = -EIO;
			}
	}
	if (ret)
		fprintf(stderr, "bench %s: transfer: %s\n", ops->name,
			strerror(-ret));
	ops->res_destroy(w, r);
	return ret;
}

static double copy_mibs(void *dst, const void *src, size_t len)
{
	uint64_t t = bench_now_ns();

	memcpy(dst, src, len);
	return (double)len / MIB / ((double)(bench_now_ns() - t) / 1e9);
}

/* Writes through the map alternate with plain memcpy so that both see
 * the same machine load. */
static int run_map_write(const struct bench_cfg *cfg, struct bench_way *w,
			 const struct bench_way_ops *ops, bool with_memcpy)
{
	struct bench_res *r;
	int ret = ops->blob_create_map(w, MAP_BYTES, MAP_BLOB_ID, &r);

	if (ret == -EOPNOTSUPP)
		return 0;
	if (ret) {
		fprintf(stderr, "bench %s: mapped blob: %s\n", ops->name,
			strerror(-ret));
		bench_note("map_write", ops->name, "blob create/map failed: %s",
			   strerror(-ret));
		return 0;
	}
	void *src = malloc(MAP_BYTES), *dst = malloc(MAP_BYTES);
	if (!src || !dst) {
		free(src);
		free(dst);
		ops->res_destroy(w, r);
		return -ENOMEM;
	}
	fill_pattern(src, MAP_BYTES / 4, 0xa5a5a5a5);
	memset(dst, 0, MAP_BYTES);
	memcpy(r->cpu, src, MAP_BYTES);	/* first touch of every page */
	for (unsigned i = 0; i < cfg->xfer_reps; i++) {
		bench_sample("map_write", ops->name,
			     copy_mibs(r->cpu, src, MAP_BYTES));
		if (with_memcpy)
			bench_sample("map_write", "memcpy",
				     copy_mibs(dst, src, MAP_BYTES));
	}
	if (memcmp(r->cpu, src, MAP_BYTES)) {
		fprintf(stderr, "bench %s: mapped blob lost writes\n",
			ops->name);
		ret = -EIO;
	}
	free(src);
	free(dst);
	ops->res_destroy(w, r);
	return ret;
}

/* RSS with the way up and idle, then what 1000 textures add. */
static int run_memory(struct bench_way *w, const struct bench_way_ops *ops)
{
	const struct bench_tex_desc d = {
		.target = TARGET_2D, .format = FMT_B8G8R8A8,
		.bind = BIND_SAMPLER_VIEW, .width = 64, .height = 64,
		.backing = true,
	};
	struct bench_res **res = calloc(MEM_RESOURCES, sizeof(*res));
	struct guest_virgl_stream s = { 0 };
	long before = ops->rss_kib(w), after;
	int ret = bench_stream_noop(&s);
	unsigned n = 0;

	if (!res || ret) {
		free(res);
		guest_virgl_stream_fini(&s);
		return -ENOMEM;
	}
	bench_sample("rss_idle", ops->name, before / 1024.0);
	for (; n < MEM_RESOURCES && !ret; n++)
		ret = ops->tex_create(w, &d, &res[n]);
	if (ret)
		n--;
	/* Make sure the device has created all of them before measuring. */
	if (!ret)
		ret = submit(w, ops, &s, NULL, "no-op after 1000 creates");
	after = ops->rss_kib(w);
	if (!ret)
		bench_sample("rss_1000", ops->name, (after - before) / 1024.0);
	while (n)
		ops->res_destroy(w, res[--n]);
	if (!ret)
		ret = submit(w, ops, &s, NULL, "no-op after 1000 unrefs");
	free(res);
	guest_virgl_stream_fini(&s);
	return ret;
}

int bench_run_way(const struct bench_cfg *cfg, const struct bench_way_ops *ops)
{
	const struct bench_tex_desc rt_desc = {
		.target = TARGET_2D, .format = FMT_B8G8R8A8,
		.bind = BIND_RENDER_TARGET | BIND_SAMPLER_VIEW,
		.width = 64, .height = 64, .backing = true,
	};
	struct guest_virgl_stream s = { 0 };
	struct bench_res *rt = NULL;
	struct bench_way *w;
	int ret = ops->open(cfg, &w);

	if (ret) {
		fprintf(stderr, "bench %s: cannot start: %s\n", ops->name,
			strerror(-ret));
		return ret;
	}
	ret = ops->tex_create(w, &rt_desc, &rt);
	if (!ret)
		ret = bench_stream_setup(&s, rt->id);
	if (!ret)
		ret = submit(w, ops, &s, rt, "set-up stream");
	guest_virgl_stream_fini(&s);
	if (!ret && (cfg->workloads & BENCH_W_MEMORY))
		ret = run_memory(w, ops);
	if (!ret && (cfg->workloads & BENCH_W_FENCE))
		ret = run_fence_rt(cfg, w, ops, rt);
	if (!ret && (cfg->workloads & BENCH_W_CLEAR))
		ret = run_clear(cfg, w, ops, rt);
	if (!ret && (cfg->workloads & BENCH_W_XFER))
		ret = run_transfers(cfg, w, ops);
	if (!ret && (cfg->workloads & BENCH_W_MAP))
		ret = run_map_write(cfg, w, ops, ops == &bench_sim_ops);
	if (rt)
		ops->res_destroy(w, rt);
	ops->close(w);
	return ret;
}

int bench_startup_child(const struct bench_cfg *cfg,
			const struct bench_way_ops *ops, uint64_t t0_ns)
{
	struct guest_virgl_stream s = { 0 };
	struct bench_way *w;
	int ret = ops->open(cfg, &w);

	if (ret)
		return ret;
	/* The first command: create and bind a sub-context, fenced. */
	ret = guest_virgl_encode_create_sub_ctx(&s, BENCH_SUB_CTX);
	if (!ret)
		ret = bench_stream_noop(&s);
	if (!ret)
		ret = submit(w, ops, &s, NULL, "first command");
	if (!ret)
		bench_sample("startup", ops->name,
			     (double)(bench_now_ns() - t0_ns) / 1e6);
	guest_virgl_stream_fini(&s);
	ops->close(w);
	return ret;
}
