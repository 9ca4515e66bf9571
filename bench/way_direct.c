// SPDX-License-Identifier: MIT
/*
 * The "direct" way: virglrenderer called on the bench thread, no transport
 * at all.  It is set up like the device (host/virglrenderer.c): an EGL
 * display on the device platform's software device with our own GL
 * context callbacks, flags THREAD_SYNC | ASYNC_FENCE_CB, so the two differ
 * only in what lies between the caller and the renderer.  A fence wait
 * is a condition variable the renderer's fence callback signals.
 */
#define VIRGL_RENDERER_UNSTABLE_APIS 1
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <epoxy/egl.h>
#include <virglrenderer.h>	/* -I.../virgl from virglrenderer.pc */

#include "bench/bench.h"
#include "guest/virgl/virgl_enc.h"

#define DIRECT_CTX 1

/* 0.10.4 keeps struct virgl_box out of its header. */
struct direct_box {
	uint32_t x, y, z, w, h, d;
};

struct bench_way {
	EGLDisplay dpy;
	bool renderer_up;
	uint32_t next_res;
	uint32_t fence_seq;	/* last fence asked for */

	pthread_mutex_t lock;	/* protects signalled */
	pthread_cond_t cond;
	uint32_t signalled;	/* last fence the renderer signalled */
};

struct direct_res {
	struct bench_res pub;
	struct iovec iov;
	bool mapped;
};

static void quiet_log(const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
}

static void write_fence_cb(void *cookie, uint32_t fence)
{
	struct bench_way *w = cookie;

	pthread_mutex_lock(&w->lock);
	if ((int32_t)(fence - w->signalled) > 0)
		w->signalled = fence;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void write_context_fence_cb(void *cookie, uint32_t ctx_id,
				   uint32_t ring_idx, uint64_t fence_id)
{
	/* Only the global timeline is used here. */
}

static virgl_renderer_gl_context create_ctx_cb(
	void *cookie, int scanout, struct virgl_renderer_gl_ctx_param *p)
{
	struct bench_way *w = cookie;
	EGLint attrs[] = {
		EGL_CONTEXT_MAJOR_VERSION, p->major_ver,
		EGL_CONTEXT_MINOR_VERSION, p->minor_ver,
		EGL_CONTEXT_OPENGL_PROFILE_MASK,
		EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE,
	};
	EGLContext share = p->shared ? eglGetCurrentContext() : EGL_NO_CONTEXT;
	EGLContext c = eglCreateContext(w->dpy, EGL_NO_CONFIG_KHR, share,
					attrs);

	return c == EGL_NO_CONTEXT ? NULL : c;
}

static void destroy_ctx_cb(void *cookie, virgl_renderer_gl_context c)
{
	struct bench_way *w = cookie;

	eglDestroyContext(w->dpy, c);
}

static int make_current_cb(void *cookie, int scanout,
			   virgl_renderer_gl_context c)
{
	struct bench_way *w = cookie;

	return eglMakeCurrent(w->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, c)
		       ? 0 : -1;
}

static struct virgl_renderer_callbacks direct_cbs = {
	.version = 4,
	.write_fence = write_fence_cb,
	.create_gl_context = create_ctx_cb,
	.destroy_gl_context = destroy_ctx_cb,
	.make_current = make_current_cb,
	.write_context_fence = write_context_fence_cb,
};

static EGLDisplay software_display(void)
{
	EGLDeviceEXT devs[16];
	EGLint n = 0;

	if (!eglQueryDevicesEXT(16, devs, &n))
		return EGL_NO_DISPLAY;
	for (EGLint i = 0; i < n; i++) {
		const char *ext = eglQueryDeviceStringEXT(devs[i],
							  EGL_EXTENSIONS);
		if (ext && strstr(ext, "EGL_MESA_device_software"))
			return eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT,
							devs[i], NULL);
	}
	return EGL_NO_DISPLAY;
}

/*
 * A VMM hands the guest the VIRGL2 capset before any context exists, and
 * 0.10.4 decides whether virgl buffers map while it fills that capset
 * (FACTS.md, docs/architecture.md): do what a guest's start-up causes.
 */
static void fill_virgl2_caps(void)
{
	uint32_t max_ver = 0, max_size = 0;
	void *caps;

	virgl_renderer_get_cap_set(2, &max_ver, &max_size);
	caps = max_size ? calloc(1, max_size) : NULL;
	if (caps)
		virgl_renderer_fill_caps(2, max_ver, caps);
	free(caps);
}

static void direct_close(struct bench_way *w)
{
	if (w->renderer_up) {
		virgl_renderer_context_destroy(DIRECT_CTX);
		virgl_renderer_cleanup(w);
	}
	if (w->dpy != EGL_NO_DISPLAY) {
		eglMakeCurrent(w->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       EGL_NO_CONTEXT);
		eglTerminate(w->dpy);
		eglReleaseThread();
	}
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static int direct_open(const struct bench_cfg *cfg, struct bench_way **out)
{
	struct bench_way *w = calloc(1, sizeof(*w));
	static const char name[] = "bench-direct";
	int ret;

	if (!w)
		return -ENOMEM;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->next_res = 1;
	w->dpy = software_display();
	if (w->dpy == EGL_NO_DISPLAY || !eglInitialize(w->dpy, NULL, NULL) ||
	    !eglBindAPI(EGL_OPENGL_API)) {
		fprintf(stderr, "bench direct: no EGL software device\n");
		w->dpy = EGL_NO_DISPLAY;
		direct_close(w);
		return -ENODEV;
	}
	/* The device sends virglrenderer's log lines to VGS_DEBUG=renderer;
	 * here, as there by default, they would only clutter the report. */
	virgl_set_debug_callback(quiet_log);
	ret = virgl_renderer_init(w, VIRGL_RENDERER_THREAD_SYNC |
				  VIRGL_RENDERER_ASYNC_FENCE_CB, &direct_cbs);
	if (ret) {
		fprintf(stderr, "bench direct: virgl_renderer_init: %d\n", ret);
		direct_close(w);
		return -EIO;
	}
	w->renderer_up = true;
	fill_virgl2_caps();
	ret = virgl_renderer_context_create(DIRECT_CTX, sizeof(name) - 1, name);
	if (ret) {
		fprintf(stderr, "bench direct: context_create: %d\n", ret);
		virgl_renderer_cleanup(w);
		w->renderer_up = false;
		direct_close(w);
		return -EIO;
	}
	*out = w;
	return 0;
}

/* Ask for a fence on the global timeline and sleep until it signals. */
static int fence_wait(struct bench_way *w)
{
	uint32_t id = ++w->fence_seq;
	int ret = virgl_renderer_create_fence((int)id, DIRECT_CTX);

	if (ret)
		return -EIO;
	pthread_mutex_lock(&w->lock);
	while ((int32_t)(id - w->signalled) > 0)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static int direct_tex_create(struct bench_way *w,
			     const struct bench_tex_desc *d,
			     struct bench_res **out)
{
	struct direct_res *r = calloc(1, sizeof(*r));
	struct virgl_renderer_resource_create_args a = {
		.handle = w->next_res++,
		.target = d->target,
		.format = d->format,
		.bind = d->bind,
		.width = d->width,
		.height = d->height,
		.depth = 1,
		.array_size = 1,
	};

	if (!r)
		return -ENOMEM;
	r->pub.id = a.handle;
	r->pub.width = d->width;
	r->pub.height = d->height;
	r->pub.size = (uint64_t)d->width * d->height * 4;
	if (virgl_renderer_resource_create(&a, NULL, 0)) {
		free(r);
		return -EIO;
	}
	if (d->backing) {
		/* Page aligned, like guest pages or a vtest shm. */
		if (posix_memalign(&r->pub.cpu, 4096, r->pub.size)) {
			virgl_renderer_resource_unref(a.handle);
			free(r);
			return -ENOMEM;
		}
		r->iov.iov_base = r->pub.cpu;
		r->iov.iov_len = r->pub.size;
		virgl_renderer_resource_attach_iov((int)a.handle, &r->iov, 1);
	}
	virgl_renderer_ctx_attach_resource(DIRECT_CTX, (int)a.handle);
	*out = &r->pub;
	return 0;
}

static void direct_res_destroy(struct bench_way *w, struct bench_res *pub)
{
	struct direct_res *r = (struct direct_res *)pub;

	if (r->mapped)
		virgl_renderer_resource_unmap(pub->id);
	virgl_renderer_ctx_detach_resource(DIRECT_CTX, (int)pub->id);
	if (r->iov.iov_base)
		virgl_renderer_resource_detach_iov((int)pub->id, NULL, NULL);
	virgl_renderer_resource_unref(pub->id);
	if (!pub->blob)
		free(pub->cpu);
	free(r);
}

static int direct_submit_wait(struct bench_way *w, const uint32_t *dw,
			      uint32_t ndw, struct bench_res *r)
{
	/* virglrenderer takes a non-const buffer; it only reads it. */
	if (virgl_renderer_submit_cmd((void *)dw, DIRECT_CTX, (int)ndw))
		return -EIO;
	return fence_wait(w);
}

static int direct_transfer_wait(struct bench_way *w, struct bench_res *r,
				bool to_host)
{
	struct direct_box box = { 0, 0, 0, r->width, r->height, 1 };
	int ret;

	/* NULL iovec: the attached backing, as the device does. */
	if (to_host)
		ret = virgl_renderer_transfer_write_iov(
			r->id, DIRECT_CTX, 0, 0, 0, (void *)&box, 0, NULL, 0);
	else
		ret = virgl_renderer_transfer_read_iov(
			r->id, DIRECT_CTX, 0, 0, 0, (void *)&box, 0, NULL, 0);
	if (ret)
		return -EIO;
	return fence_wait(w);
}

static int direct_blob_create_map(struct bench_way *w, uint64_t size,
				  uint32_t blob_id, struct bench_res **out)
{
	struct guest_virgl_stream s = { 0 };
	struct direct_res *r;
	uint64_t map_size = 0;
	void *ptr = NULL;
	uint32_t info;

	int ret = bench_stream_pipe_buffer(&s, (uint32_t)size, blob_id);

	if (!ret)
		ret = direct_submit_wait(w, s.dw, (uint32_t)s.len, NULL);
	guest_virgl_stream_fini(&s);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	struct virgl_renderer_resource_create_blob_args a = {
		.res_handle = w->next_res++,
		.ctx_id = DIRECT_CTX,
		.blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
		.blob_flags = VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE,
		.blob_id = blob_id,
		.size = size,
	};
	if (virgl_renderer_resource_create_blob(&a)) {
		free(r);
		return -EIO;
	}
	r->pub.id = a.res_handle;
	r->pub.size = size;
	r->pub.blob = true;
	if (virgl_renderer_resource_get_map_info(a.res_handle, &info) ||
	    virgl_renderer_resource_map(a.res_handle, &ptr, &map_size) ||
	    map_size < size) {
		virgl_renderer_resource_unref(a.res_handle);
		free(r);
		return -EIO;
	}
	r->mapped = true;
	r->pub.cpu = ptr;
	*out = &r->pub;
	return 0;
}

static long direct_rss_kib(struct bench_way *w)
{
	return bench_rss_kib(0);
}

const struct bench_way_ops bench_direct_ops = {
	.name = "direct",
	.open = direct_open,
	.close = direct_close,
	.tex_create = direct_tex_create,
	.res_destroy = direct_res_destroy,
	.submit_wait = direct_submit_wait,
	.transfer_wait = direct_transfer_wait,
	.blob_create_map = direct_blob_create_map,
	.rss_kib = direct_rss_kib,
};
