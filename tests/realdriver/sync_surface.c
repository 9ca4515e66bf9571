// SPDX-License-Identifier: MIT
/*
 * The real-driver tests that go beyond GL: a fence fd round trip through
 * EGL_ANDROID_native_fence_sync (kernelmock's sync_file fds: export with
 * EXECBUFFER's FENCE_FD_OUT, poll, SYNC_IOC_FILE_INFO, import as
 * FENCE_FD_IN), and a GBM window surface read back through gbm_bo_map.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/sync_file.h>
#include <sys/ioctl.h>

#include "tests/realdriver/realdriver.h"

struct rd_sync_fns {
	PFNEGLCREATESYNCKHRPROC create;
	PFNEGLDESTROYSYNCKHRPROC destroy;
	PFNEGLCLIENTWAITSYNCKHRPROC client_wait;
	PFNEGLWAITSYNCKHRPROC wait;
	PFNEGLDUPNATIVEFENCEFDANDROIDPROC dup_fd;
};

static uint32_t color_a(int x, int y, const void *data)
{
	return rd_rgba(12, 34, 56, 255);
}

static uint32_t color_b(int x, int y, const void *data)
{
	return rd_rgba(200, 150, 100, 255);
}

static int clear_to(uint8_t r, uint8_t g, uint8_t b)
{
	glClearColor(r / 255.0f, g / 255.0f, b / 255.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	return glGetError() == GL_NO_ERROR ? 0 : -1;
}

/* Export: a native fence after a clear, as an fd that polls readable
 * and that the sync_file ioctl reports signalled. */
static int fence_export(struct rd_ctx *c, const struct rd_sync_fns *f,
			EGLSyncKHR *sync, int *fd, char *why, size_t len)
{
	static const EGLint none[] = { EGL_NONE };
	struct sync_file_info info;
	struct pollfd p;

	if (clear_to(12, 34, 56)) {
		snprintf(why, len, "clear failed");
		return -1;
	}
	*sync = f->create(c->dpy, EGL_SYNC_NATIVE_FENCE_ANDROID, none);
	if (*sync == EGL_NO_SYNC_KHR) {
		snprintf(why, len, "eglCreateSyncKHR(native fence) failed "
			 "(0x%x)", eglGetError());
		return -1;
	}
	glFlush();
	*fd = f->dup_fd(c->dpy, *sync);
	if (*fd < 0) {
		snprintf(why, len, "eglDupNativeFenceFDANDROID gave no fd "
			 "(0x%x)", eglGetError());
		return -1;
	}
	p = (struct pollfd){ .fd = *fd, .events = POLLIN };
	if (poll(&p, 1, 10000) != 1 || !(p.revents & POLLIN)) {
		snprintf(why, len, "the fence fd did not poll readable within "
			 "10 s");
		return -1;
	}
	memset(&info, 0, sizeof(info));
	if (ioctl(*fd, SYNC_IOC_FILE_INFO, &info) || info.status != 1 ||
	    info.num_fences < 1) {
		snprintf(why, len, "SYNC_IOC_FILE_INFO: %m (status %d, %u "
			 "fences)", info.status, info.num_fences);
		return -1;
	}
	if (f->client_wait(c->dpy, *sync, 0, EGL_FOREVER_KHR) !=
	    EGL_CONDITION_SATISFIED_KHR) {
		snprintf(why, len, "eglClientWaitSyncKHR on the exported "
			 "fence failed (0x%x)", eglGetError());
		return -1;
	}
	return rd_read_check(color_a, NULL, why, len);
}

/* Import: the fd as a native fence, waited for on the GPU side before
 * the next clear (EXECBUFFER with FENCE_FD_IN). */
static int fence_import(struct rd_ctx *c, const struct rd_sync_fns *f,
			int fd, char *why, size_t len)
{
	EGLint attribs[] = { EGL_SYNC_NATIVE_FENCE_FD_ANDROID, fd, EGL_NONE };
	EGLSyncKHR sync = f->create(c->dpy, EGL_SYNC_NATIVE_FENCE_ANDROID,
				    attribs);
	int ret = -1;

	if (sync == EGL_NO_SYNC_KHR) {
		close(fd);
		snprintf(why, len, "importing the fence fd failed (0x%x)",
			 eglGetError());
		return -1;
	}
	if (!f->wait(c->dpy, sync, 0))
		snprintf(why, len, "eglWaitSyncKHR failed (0x%x)",
			 eglGetError());
	else if (clear_to(200, 150, 100))
		snprintf(why, len, "clear after the wait failed");
	else
		ret = rd_read_check(color_b, NULL, why, len);
	f->destroy(c->dpy, sync);
	return ret;
}

int rd_test_fence(struct rd_ctx *c, char *why, size_t len)
{
	struct rd_sync_fns f = {
		(void *)eglGetProcAddress("eglCreateSyncKHR"),
		(void *)eglGetProcAddress("eglDestroySyncKHR"),
		(void *)eglGetProcAddress("eglClientWaitSyncKHR"),
		(void *)eglGetProcAddress("eglWaitSyncKHR"),
		(void *)eglGetProcAddress("eglDupNativeFenceFDANDROID"),
	};
	struct rd_target t;
	EGLSyncKHR sync = EGL_NO_SYNC_KHR;
	int fd = -1, ret;

	if (!rd_has_ext(c->exts, "EGL_ANDROID_native_fence_sync") ||
	    !rd_has_ext(c->exts, "EGL_KHR_wait_sync")) {
		snprintf(why, len, "the display offers no "
			 "EGL_ANDROID_native_fence_sync / EGL_KHR_wait_sync");
		return 1;
	}
	if (!f.create || !f.destroy || !f.client_wait || !f.wait || !f.dup_fd) {
		snprintf(why, len, "fence sync entry points missing");
		return -1;
	}
	if (rd_target_create(&t)) {
		snprintf(why, len, "framebuffer incomplete");
		return -1;
	}
	ret = fence_export(c, &f, &sync, &fd, why, len);
	if (!ret) {
		ret = fence_import(c, &f, fd, why, len);	/* takes fd */
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (sync != EGL_NO_SYNC_KHR)
		f.destroy(c->dpy, sync);
	rd_target_destroy(&t);
	return ret;
}

/* --- GBM window surface --- */

static EGLConfig argb_config(EGLDisplay dpy)
{
	static const EGLint attribs[] = {
		EGL_SURFACE_TYPE, EGL_WINDOW_BIT,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_ALPHA_SIZE, 8, EGL_NONE,
	};
	EGLConfig configs[64];
	EGLint n = 0, id;

	if (!eglChooseConfig(dpy, attribs, configs, 64, &n))
		return NULL;
	for (EGLint i = 0; i < n; i++)
		if (eglGetConfigAttrib(dpy, configs[i], EGL_NATIVE_VISUAL_ID,
				       &id) && id == GBM_FORMAT_ARGB8888)
			return configs[i];
	return NULL;
}

/* The front buffer, mapped: ARGB8888 is little-endian 0xAARRGGBB, and
 * row 0 is the top of the image (GL y = 63). */
static int check_front(struct gbm_surface *gs, char *why, size_t len)
{
	struct gbm_bo *bo = gbm_surface_lock_front_buffer(gs);
	uint32_t stride = 0;
	void *map_data = NULL;
	int ret = 0;

	if (!bo) {
		snprintf(why, len, "gbm_surface_lock_front_buffer failed");
		return -1;
	}
	const uint8_t *p = gbm_bo_map(bo, 0, 0, RD_SIZE, RD_SIZE,
				      GBM_BO_TRANSFER_READ, &stride, &map_data);
	if (!p) {
		snprintf(why, len, "gbm_bo_map failed");
		gbm_surface_release_buffer(gs, bo);
		return -1;
	}
	for (int row = 0; row < RD_SIZE && !ret; row++)
		for (int x = 0; x < RD_SIZE && !ret; x++) {
			uint32_t got;
			memcpy(&got, p + row * stride + 4 * x, 4);
			uint32_t want = x < 32 && row < 32 ? 0xff0a0b0cu
							   : 0xff112233u;
			if (got != want) {
				snprintf(why, len, "front buffer pixel (%d, row "
					 "%d) is %08x, expected %08x", x, row,
					 got, want);
				ret = -1;
			}
		}
	gbm_bo_unmap(bo, map_data);
	gbm_surface_release_buffer(gs, bo);
	return ret;
}

int rd_test_gbm_surface(struct rd_ctx *c, char *why, size_t len)
{
	if (c->platform != RD_GBM) {
		snprintf(why, len, "GBM platform only");
		return 1;
	}
	EGLConfig cfg = argb_config(c->dpy);
	if (!cfg) {
		snprintf(why, len, "no ARGB8888 window config");
		return -1;
	}
	struct gbm_surface *gs = gbm_surface_create(c->gbm, RD_SIZE, RD_SIZE,
						    GBM_FORMAT_ARGB8888,
						    GBM_BO_USE_RENDERING);
	if (!gs) {
		snprintf(why, len, "gbm_surface_create failed");
		return -1;
	}
	EGLSurface surf = eglCreateWindowSurface(
		c->dpy, cfg, (EGLNativeWindowType)gs, NULL);
	int ret = -1;
	if (surf == EGL_NO_SURFACE) {
		snprintf(why, len, "eglCreateWindowSurface failed (0x%x)",
			 eglGetError());
		goto out;
	}
	if (!eglMakeCurrent(c->dpy, surf, surf, c->ctx)) {
		snprintf(why, len, "eglMakeCurrent(window) failed (0x%x)",
			 eglGetError());
		goto out_surf;
	}
	glViewport(0, 0, RD_SIZE, RD_SIZE);
	clear_to(0x11, 0x22, 0x33);
	glEnable(GL_SCISSOR_TEST);
	glScissor(0, 32, 32, 32);	/* top left */
	clear_to(0x0a, 0x0b, 0x0c);
	glDisable(GL_SCISSOR_TEST);
	if (!eglSwapBuffers(c->dpy, surf))
		snprintf(why, len, "eglSwapBuffers failed (0x%x)",
			 eglGetError());
	else
		ret = check_front(gs, why, len);
	eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, c->ctx);
out_surf:
	eglDestroySurface(c->dpy, surf);
out:
	gbm_surface_destroy(gs);
	return ret;
}
