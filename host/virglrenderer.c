// SPDX-License-Identifier: MIT
/*
 * The renderer backend: virglrenderer 0.10.4 on Mesa (llvmpipe for virgl,
 * lavapipe for venus).  This file only translates device requests into
 * virgl_renderer_* calls and owns the EGL display virglrenderer renders on.
 * Every function runs on the device thread: virglrenderer's GL calls must
 * stay on the thread that initialised it (FACTS.md, "Threads").
 *
 * Why our own EGL display and GL callbacks instead of VIRGL_RENDERER_USE_EGL:
 * USE_EGL needs a DRM device for GBM, and USE_EGL|USE_SURFACELESS shares
 * Mesa's surfaceless display with a guest Mesa driver running in the same
 * process, which deadlocks its eglInitialize.  A display on the EGL device
 * platform's software device is private to us.
 */
#define VIRGL_RENDERER_UNSTABLE_APIS 1
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <epoxy/egl.h>
#include <virglrenderer.h>	/* -I.../virgl from virglrenderer.pc */

#include "host/internal.h"
#include "sim/trace.h"
#include "sim/log.h"
#include "sim/units.h"

/* 0.10.4 keeps struct virgl_box private; its layout is the wire box's. */
struct virgl_box {
	uint32_t x, y, z;
	uint32_t w, h, d;
};
_Static_assert(sizeof(struct virgl_box) == sizeof(struct virtio_gpu_box),
	       "virgl_box");

/* --- fence callbacks: run on virglrenderer's threads (ASYNC_FENCE_CB) --- */

static void queue_signal(struct host_device *dev,
			 const struct host_timeline *tl, uint64_t seq)
{
	/* Answer from the waiting guest's CPU (host/placement.c). */
	host__placement_follow(dev);
	pthread_mutex_lock(&dev->fence_lock);
	if (dev->fence_closed) {
		/* The device is stopping; nobody waits for this any more. */
		pthread_mutex_unlock(&dev->fence_lock);
		return;
	}
	if (dev->fence_signals_len == dev->fence_signals_cap) {
		unsigned ncap = dev->fence_signals_cap ? dev->fence_signals_cap * 2 : 64;
		void *n = realloc(dev->fence_signals,
				  ncap * sizeof(*dev->fence_signals));
		if (!n) {
			pthread_mutex_unlock(&dev->fence_lock);
			SIM_ERROR(HOST_LAYER, "out of memory queueing fence %llu",
				  (unsigned long long)seq);
			return;
		}
		dev->fence_signals = n;
		dev->fence_signals_cap = ncap;
	}
	dev->fence_signals[dev->fence_signals_len++] =
		(struct host_fence_signal){ .timeline = *tl, .seq = seq };
	pthread_cond_broadcast(&dev->fence_cond);
	pthread_mutex_unlock(&dev->fence_lock);
	if (!host__fence_try_retire(dev))
		uv_async_send(&dev->fence_async);
}

static void write_fence_cb(void *cookie, uint32_t fence)
{
	struct host_timeline tl = { 0 };
	queue_signal(cookie, &tl, fence);
}

static void write_context_fence_cb(void *cookie, uint32_t ctx_id,
				   uint32_t ring_idx, uint64_t fence_id)
{
	struct host_timeline tl = {
		.ctx_id = ctx_id, .ring_idx = ring_idx, .per_context = true
	};
	queue_signal(cookie, &tl, fence_id);
}

/* --- GL context callbacks, on our EGL display --- */

static virgl_renderer_gl_context create_gl_context_cb(
	void *cookie, int scanout, struct virgl_renderer_gl_ctx_param *param)
{
	struct host_device *dev = cookie;
	const EGLint attrs[] = {
		EGL_CONTEXT_MAJOR_VERSION, param->major_ver,
		EGL_CONTEXT_MINOR_VERSION, param->minor_ver,
		EGL_CONTEXT_OPENGL_PROFILE_MASK,
		EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE,
	};
	/* "shared" means: share objects with the context current now. */
	EGLContext share = param->shared ? eglGetCurrentContext()
					 : EGL_NO_CONTEXT;
	EGLContext ctx = eglCreateContext(dev->egl_display, EGL_NO_CONFIG_KHR,
					  share, attrs);
	/* virglrenderer probes GL versions downwards: failures are normal. */
	return ctx == EGL_NO_CONTEXT ? NULL : ctx;
}

static void destroy_gl_context_cb(void *cookie, virgl_renderer_gl_context ctx)
{
	struct host_device *dev = cookie;
	eglDestroyContext(dev->egl_display, ctx);
}

static int make_current_cb(void *cookie, int scanout,
			   virgl_renderer_gl_context ctx)
{
	struct host_device *dev = cookie;
	return eglMakeCurrent(dev->egl_display, EGL_NO_SURFACE,
			      EGL_NO_SURFACE, ctx) ? 0 : -1;
}

static struct virgl_renderer_callbacks renderer_callbacks = {
	.version = 4,
	.write_fence = write_fence_cb,
	.create_gl_context = create_gl_context_cb,
	.destroy_gl_context = destroy_gl_context_cb,
	.make_current = make_current_cb,
	.write_context_fence = write_context_fence_cb,
};

/* virglrenderer's own log lines (GL version, shader dumps, its errors)
 * go to the "renderer" debug category: VGS_DEBUG=renderer. */
static void renderer_log_cb(const char *fmt, va_list ap)
{
	if (!sim_debug_on(SIM_DEBUG_RENDERER))
		return;
	char line[1024];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	sim_log_debug(SIM_DEBUG_RENDERER, HOST_LAYER, "virglrenderer", "%s", line);
}

static int open_software_display(struct host_device *dev)
{
	if (!epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_enumeration")) {
		SIM_ERROR(HOST_LAYER, "EGL lacks EGL_EXT_device_enumeration "
			  "(is libegl-mesa0 installed?)");
		return -ENODEV;
	}
	EGLDeviceEXT devices[16];
	EGLint n = 0;
	if (!eglQueryDevicesEXT(16, devices, &n) || n <= 0) {
		SIM_ERROR(HOST_LAYER, "eglQueryDevicesEXT found no EGL device");
		return -ENODEV;
	}
	EGLDeviceEXT sw = NULL;
	for (EGLint i = 0; i < n && !sw; i++) {
		const char *ext = eglQueryDeviceStringEXT(devices[i],
							  EGL_EXTENSIONS);
		if (ext && strstr(ext, "EGL_MESA_device_software"))
			sw = devices[i];
	}
	if (!sw) {
		SIM_ERROR(HOST_LAYER, "no EGL software device "
			  "(EGL_MESA_device_software); Mesa llvmpipe needed");
		return -ENODEV;
	}
	/*
	 * EGL displays are process-wide: with a NULL attribute list this
	 * would be the very display a program in the same process gets for
	 * the software device (eglinfo does), and the program's
	 * eglTerminate on it would destroy the host's contexts under
	 * virglrenderer.  Mesa keys displays on (platform, device, attribute
	 * list) and tells NULL from an empty list, so {EGL_NONE} gives the
	 * host a display of its own (FACTS.md, "EGL displays").  A program
	 * that itself passes {EGL_NONE} still shares it.
	 */
	static const EGLint own_display[] = { EGL_NONE };
	EGLDisplay dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, sw,
						  own_display);
	EGLint major, minor;
	if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor)) {
		SIM_ERROR(HOST_LAYER, "eglInitialize on the software device "
			  "failed: 0x%x", eglGetError());
		return -ENODEV;
	}
	if (!eglBindAPI(EGL_OPENGL_API)) {
		SIM_ERROR(HOST_LAYER, "eglBindAPI(EGL_OPENGL_API) failed");
		eglTerminate(dpy);
		return -ENODEV;
	}
	dev->egl_display = dpy;
	return 0;
}

/*
 * With THREAD_SYNC and ASYNC_FENCE_CB, vrend's fence thread retires a GL
 * fence itself, except while queries are pending (a transform feedback
 * or occlusion query whose result goes to a buffer): then it writes
 * virglrenderer's poll fd and waits until virgl_renderer_poll() has run
 * on the renderer's thread to check the queries first (vrend_renderer.c,
 * wait_sync).  Nobody polling meant the fence never retired: the guest's
 * WAIT timed out with EBUSY (piglit's transform feedback tests, which
 * pass under vtest) and virgl_renderer_cleanup could wait for ever.
 */
static void renderer_poll_cb(uv_poll_t *handle, int status, int events)
{
	struct host_device *dev = handle->data;

	pthread_mutex_lock(&dev->state_lock);
	virgl_renderer_poll();
	pthread_mutex_unlock(&dev->state_lock);
}

static void renderer_poll_start(struct host_device *dev)
{
	int fd = virgl_renderer_get_poll_fd();

	if (fd < 0)
		return;
	int ret = uv_poll_init(&dev->loop, &dev->renderer_poll, fd);
	if (!ret) {
		dev->renderer_poll.data = dev;
		ret = uv_poll_start(&dev->renderer_poll, UV_READABLE,
				    renderer_poll_cb);
		if (ret)
			uv_close((uv_handle_t *)&dev->renderer_poll, NULL);
	}
	if (ret) {
		SIM_ERROR(HOST_LAYER, "cannot watch virglrenderer's poll fd: "
			  "%s (fences after queries will not retire)",
			  uv_strerror(ret));
		return;
	}
	uv_unref((uv_handle_t *)&dev->renderer_poll);
	dev->renderer_poll_on = true;
}

/*
 * virglrenderer keeps its state in process-wide globals: one renderer per
 * process.  This flag is the one piece of mutable file-scope state in
 * host/, and it only mirrors that fact so a second device fails cleanly.
 */
static atomic_flag renderer_taken = ATOMIC_FLAG_INIT;

int host_vr_init(struct host_device *dev)
{
	if (atomic_flag_test_and_set(&renderer_taken)) {
		SIM_ERROR(HOST_LAYER, "another virtio-gpu device owns "
			  "virglrenderer in this process");
		return -EBUSY;
	}
	int ret = open_software_display(dev);
	if (ret) {
		atomic_flag_clear(&renderer_taken);
		return ret;
	}
	host__vr_probe_gl_version(dev);

	/* THREAD_SYNC: vrend waits for GL fences on its own thread;
	 * ASYNC_FENCE_CB: it then calls write_fence from that thread, and
	 * venus does the same for its timelines.  We forward each signal to
	 * the device loop through an async handle: no polling timer. */
	int flags = VIRGL_RENDERER_THREAD_SYNC | VIRGL_RENDERER_ASYNC_FENCE_CB;
	if (dev->opts.venus)
		flags |= VIRGL_RENDERER_VENUS;
	if (dev->opts.venus && dev->opts.render_server)
		flags |= VIRGL_RENDERER_RENDER_SERVER;
	if (!dev->opts.virgl)
		flags |= VIRGL_RENDERER_NO_VIRGL;

	virgl_set_debug_callback(renderer_log_cb);
	/* 0.10.4 refuses a NULL cookie; ours is the device. */
	ret = virgl_renderer_init(dev, flags, &renderer_callbacks);
	if (ret) {
		SIM_ERROR(HOST_LAYER, "virgl_renderer_init(flags 0x%x) failed: %d",
			  flags, ret);
		eglMakeCurrent(dev->egl_display, EGL_NO_SURFACE,
			       EGL_NO_SURFACE, EGL_NO_CONTEXT);
		eglTerminate(dev->egl_display);
		eglReleaseThread();
		dev->egl_display = NULL;
		atomic_flag_clear(&renderer_taken);
		return ret < 0 ? ret : -EIO;
	}
	dev->renderer_up = true;
	dev->has_vrend = dev->opts.virgl;
	renderer_poll_start(dev);
	return 0;
}

void host_vr_fini(struct host_device *dev)
{
	if (!dev->renderer_up)
		return;
	if (dev->renderer_poll_on) {
		/* The loop has ended; run it once more for the close. */
		uv_close((uv_handle_t *)&dev->renderer_poll, NULL);
		uv_run(&dev->loop, UV_RUN_NOWAIT);
		dev->renderer_poll_on = false;
	}
	/* Also ends the render server and its workers. */
	virgl_renderer_cleanup(dev);
	dev->renderer_up = false;
	eglMakeCurrent(dev->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
		       EGL_NO_CONTEXT);
	eglTerminate(dev->egl_display);
	eglReleaseThread();
	dev->egl_display = NULL;
	atomic_flag_clear(&renderer_taken);
}

/*
 * 0.10.4 decides the cache type of mappable virgl buffers (and so whether
 * they map at all: get_map_info refuses CACHE_NONE) while it fills the
 * VIRGL2 capset, and not before.  A guest that creates and maps a blob
 * without reading the capset first would find nothing mappable, so fill
 * it once here.
 */
static void probe_caching_type(struct host_device *dev)
{
	for (unsigned i = 0; i < dev->num_capsets; i++) {
		if (dev->capsets[i].id != VIRTIO_GPU_CAPSET_VIRGL2)
			continue;
		void *buf = calloc(1, dev->capsets[i].max_size);
		if (!buf)
			return;
		virgl_renderer_fill_caps(VIRTIO_GPU_CAPSET_VIRGL2,
					 dev->capsets[i].max_version, buf);
		free(buf);
	}
}

/*
 * Advertise only the capsets of renderers we enabled: 0.10.4 reports sizes
 * for capsets of disabled renderers too and fills them with zeros.
 */
void host_vr_query_capsets(struct host_device *dev)
{
	static const struct {
		uint32_t id;
		bool virgl;
	} candidates[] = {
		{ VIRTIO_GPU_CAPSET_VIRGL, true },
		{ VIRTIO_GPU_CAPSET_VIRGL2, true },
		{ 4 /* VIRTIO_GPU_CAPSET_VENUS */, false },
	};
	dev->num_capsets = 0;
	for (size_t i = 0; i < SIM_COUNT(candidates); i++) {
		bool enabled = candidates[i].virgl ? dev->opts.virgl
						   : dev->opts.venus;
		if (!enabled)
			continue;
		uint32_t max_ver = 0, max_size = 0;
		virgl_renderer_get_cap_set(candidates[i].id, &max_ver, &max_size);
		if (max_size == 0)
			continue;
		dev->capsets[dev->num_capsets++] = (struct host_capset){
			.id = candidates[i].id,
			.max_version = max_ver,
			.max_size = max_size,
		};
	}
	if (dev->opts.virgl)
		probe_caching_type(dev);
}

void host_vr_fill_capset(uint32_t id, uint32_t version, void *buf)
{
	virgl_renderer_fill_caps(id, version, buf);
}

int host_vr_context_create(uint32_t ctx_id, uint32_t capset_id,
			   const char *name, uint32_t nlen)
{
	int ret;
	uint64_t t0 = sim_trace_on() ? sim_trace_now() : 0;
	if (capset_id)
		ret = virgl_renderer_context_create_with_flags(
			ctx_id, capset_id & VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK,
			nlen, name);
	else
		ret = virgl_renderer_context_create(ctx_id, nlen, name);
	if (t0)
		sim_trace_span(SIM_TRACE_RENDERER, "virgl_renderer_context_create",
			       t0, ctx_id, 0);
	/* 0.10.4 mixes signs: normalise to negative errno. */
	return ret > 0 ? -ret : ret;
}

/* virgl contexts fence on ring 0 only in 0.10.4 (vrend refuses any other
 * ring with -EINVAL); venus reports supports_multiple_timelines and takes
 * all 64. */
uint32_t host_vr_context_rings(uint32_t capset_id)
{
	return capset_id == 4 /* VIRTIO_GPU_CAPSET_VENUS */ ? HOST_MAX_RINGS : 1;
}

void host_vr_context_destroy(uint32_t ctx_id)
{
	virgl_renderer_context_destroy(ctx_id);
}

int host_vr_resource_create(struct host_resource *res, uint32_t last_level,
			    uint32_t array_size, uint32_t nr_samples,
			    uint32_t flags)
{
	struct virgl_renderer_resource_create_args args = {
		.handle = res->id,
		.target = res->target,
		.format = res->format,
		.bind = res->bind,
		.width = res->width,
		.height = res->height,
		.depth = res->depth,
		.array_size = array_size,
		.last_level = last_level,
		.nr_samples = nr_samples,
		.flags = flags,
	};
	/* Backing is attached later with attach_iov: an iovec given here is
	 * not used by transfers in 0.10.4 (FACTS.md). */
	uint64_t t0 = sim_trace_on() ? sim_trace_now() : 0;
	int ret = virgl_renderer_resource_create(&args, NULL, 0);
	if (t0)
		sim_trace_span(SIM_TRACE_RENDERER, "virgl_renderer_resource_create",
			       t0, 0, 0);
	return ret > 0 ? -ret : ret;
}

void host_vr_resource_unref(uint32_t res_id)
{
	virgl_renderer_resource_unref(res_id);
}

int host_vr_attach_iov(uint32_t res_id, struct iovec *iov, unsigned cnt)
{
	int ret = virgl_renderer_resource_attach_iov((int)res_id, iov, (int)cnt);
	return ret > 0 ? -ret : ret;
}

void host_vr_detach_iov(uint32_t res_id)
{
	/* The iovec array is ours; virglrenderer only hands it back. */
	virgl_renderer_resource_detach_iov((int)res_id, NULL, NULL);
}

void host_vr_ctx_attach(uint32_t ctx_id, uint32_t res_id)
{
	virgl_renderer_ctx_attach_resource((int)ctx_id, (int)res_id);
}

void host_vr_ctx_detach(uint32_t ctx_id, uint32_t res_id)
{
	virgl_renderer_ctx_detach_resource((int)ctx_id, (int)res_id);
}

int host_vr_submit(uint32_t ctx_id, void *buf, uint32_t ndw)
{
	uint64_t t0 = sim_trace_on() ? sim_trace_now() : 0;
	int ret = virgl_renderer_submit_cmd(buf, (int)ctx_id, (int)ndw);
	if (t0)
		sim_trace_span(SIM_TRACE_RENDERER, "virgl_renderer_submit_cmd",
			       t0, ctx_id, 0);
	return ret > 0 ? -ret : ret;
}

int host_vr_transfer(bool to_host, uint32_t res_id, uint32_t ctx_id,
		     uint32_t level, uint32_t stride, uint32_t layer_stride,
		     const struct virtio_gpu_box *box, uint64_t offset)
{
	struct virgl_box vbox = {
		box->x, box->y, box->z, box->w, box->h, box->d,
	};
	int ret;
	uint64_t t0 = sim_trace_on() ? sim_trace_now() : 0;
	/* NULL iovec: transfer to/from the attached guest backing. */
	if (to_host)
		ret = virgl_renderer_transfer_write_iov(res_id, ctx_id,
							(int)level, stride,
							layer_stride, &vbox,
							offset, NULL, 0);
	else
		ret = virgl_renderer_transfer_read_iov(res_id, ctx_id, level,
						       stride, layer_stride,
						       &vbox, offset, NULL, 0);
	if (t0)
		sim_trace_span(SIM_TRACE_RENDERER, to_host
			       ? "virgl_renderer_transfer_write_iov"
			       : "virgl_renderer_transfer_read_iov", t0, ctx_id, 0);
	return ret > 0 ? -ret : ret;
}

int host_vr_resource_create_blob(struct host_resource *res, uint32_t ctx_id)
{
	struct virgl_renderer_resource_create_blob_args args = {
		.res_handle = res->id,
		.ctx_id = ctx_id,
		.blob_mem = res->blob_mem,
		.blob_flags = res->blob_flags,
		.blob_id = res->blob_id,
		.size = res->blob_size,
		.iovecs = res->iov,
		.num_iovs = res->iov_cnt,
	};
	int ret = virgl_renderer_resource_create_blob(&args);
	return ret > 0 ? -ret : ret;
}

int host_vr_read_box(uint32_t res_id, const struct virtio_gpu_box *box,
		     uint32_t stride, void *buf, size_t len)
{
	struct virgl_box vbox = {
		box->x, box->y, box->z, box->w, box->h, box->d,
	};
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	/* ctx 0: the renderer's own view of the resource, level 0. */
	int ret = virgl_renderer_transfer_read_iov(res_id, 0, 0, stride, 0,
						   &vbox, 0, &iov, 1);
	return ret > 0 ? -ret : ret;
}

int host_vr_map(uint32_t res_id, void **ptr, uint64_t *size,
		uint32_t *map_info)
{
	int ret = virgl_renderer_resource_get_map_info(res_id, map_info);
	if (ret) {
		SIM_DEBUG(SIM_DEBUG_RENDERER, HOST_LAYER, "get_map_info(%u): %d",
			  res_id, ret);
		return ret > 0 ? -ret : ret;
	}
	ret = virgl_renderer_resource_map(res_id, ptr, size);
	if (ret)
		SIM_DEBUG(SIM_DEBUG_RENDERER, HOST_LAYER, "resource_map(%u): %d",
			  res_id, ret);
	return ret > 0 ? -ret : ret;
}

void host_vr_unmap(uint32_t res_id)
{
	virgl_renderer_resource_unmap(res_id);
}

int host_vr_create_fence(const struct host_timeline *tl, uint64_t seq)
{
	int ret;
	uint64_t t0 = sim_trace_on() ? sim_trace_now() : 0;
	if (tl->per_context)
		ret = virgl_renderer_context_create_fence(
			tl->ctx_id, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE,
			tl->ring_idx, seq);
	else
		/* Returns a positive errno on failure (QEMU notes it too). */
		ret = virgl_renderer_create_fence((int)(uint32_t)seq,
						  tl->ctx_id);
	if (t0)
		sim_trace_span(SIM_TRACE_RENDERER, "virgl_renderer_create_fence",
			       t0, tl->ctx_id, 0);
	return ret > 0 ? -ret : ret;
}
