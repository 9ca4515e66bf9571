// SPDX-License-Identifier: MIT
/*
 * EGL set-up for the real-driver tests: a GLES 3 context, current without
 * a surface, on one of the three EGL platforms a headless program can use
 * with the virtio-gpu node:
 *  - gbm: the program opens /dev/dri/renderD128 and hands it to GBM;
 *  - surfaceless: Mesa finds the render node itself;
 *  - device: the EGL device whose render node is /dev/dri/renderD128.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/realdriver/realdriver.h"

#define RENDER_NODE "/dev/dri/renderD128"

bool rd_has_ext(const char *list, const char *ext)
{
	size_t len = strlen(ext);

	for (const char *p = list; p && (p = strstr(p, ext)); p += len)
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

static EGLDisplay device_display(char *why, size_t len)
{
	PFNEGLQUERYDEVICESEXTPROC query_devices =
		(void *)eglGetProcAddress("eglQueryDevicesEXT");
	PFNEGLQUERYDEVICESTRINGEXTPROC query_string =
		(void *)eglGetProcAddress("eglQueryDeviceStringEXT");
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(void *)eglGetProcAddress("eglGetPlatformDisplayEXT");
	EGLDeviceEXT devs[16];
	EGLint n = 0;

	if (!query_devices || !query_string || !get_display ||
	    !query_devices(16, devs, &n)) {
		snprintf(why, len, "EGL device enumeration is unavailable");
		return EGL_NO_DISPLAY;
	}
	for (EGLint i = 0; i < n; i++) {
		const char *exts = query_string(devs[i], EGL_EXTENSIONS);
		if (!rd_has_ext(exts, "EGL_EXT_device_drm_render_node"))
			continue;
		const char *node = query_string(devs[i],
						EGL_DRM_RENDER_NODE_FILE_EXT);
		if (node && strcmp(node, RENDER_NODE) == 0)
			return get_display(EGL_PLATFORM_DEVICE_EXT, devs[i],
					   NULL);
	}
	snprintf(why, len, "none of the %d EGL devices has the render node "
		 RENDER_NODE, n);
	return EGL_NO_DISPLAY;
}

static EGLDisplay open_display(struct rd_ctx *c, char *why, size_t len)
{
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(void *)eglGetProcAddress("eglGetPlatformDisplayEXT");

	if (!get_display) {
		snprintf(why, len, "no eglGetPlatformDisplayEXT");
		return EGL_NO_DISPLAY;
	}
	switch (c->platform) {
	case RD_GBM:
		c->drm_fd = open(RENDER_NODE, O_RDWR | O_CLOEXEC);
		if (c->drm_fd < 0) {
			snprintf(why, len, "open " RENDER_NODE ": %m");
			return EGL_NO_DISPLAY;
		}
		c->gbm = gbm_create_device(c->drm_fd);
		if (!c->gbm) {
			snprintf(why, len, "gbm_create_device failed");
			return EGL_NO_DISPLAY;
		}
		return get_display(EGL_PLATFORM_GBM_KHR, c->gbm, NULL);
	case RD_SURFACELESS:
		return get_display(EGL_PLATFORM_SURFACELESS_MESA,
				   EGL_DEFAULT_DISPLAY, NULL);
	case RD_DEVICE:
		return device_display(why, len);
	}
	return EGL_NO_DISPLAY;
}

int rd_setup(struct rd_ctx *c, enum rd_platform platform, char *why,
	     size_t len)
{
	static const EGLint ctx_attribs[] = {
		EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE,
	};

	memset(c, 0, sizeof(*c));
	c->platform = platform;
	c->drm_fd = -1;
	c->dpy = open_display(c, why, len);
	if (c->dpy == EGL_NO_DISPLAY) {
		if (!why[0])
			snprintf(why, len, "no EGL display (0x%x)",
				 eglGetError());
		return -1;
	}
	if (!eglInitialize(c->dpy, NULL, NULL)) {
		snprintf(why, len, "eglInitialize failed (0x%x)", eglGetError());
		return -1;
	}
	c->exts = eglQueryString(c->dpy, EGL_EXTENSIONS);
	if (!rd_has_ext(c->exts, "EGL_KHR_no_config_context") ||
	    !rd_has_ext(c->exts, "EGL_KHR_surfaceless_context")) {
		snprintf(why, len, "the display lacks no-config or surfaceless "
			 "contexts");
		return -1;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API)) {
		snprintf(why, len, "eglBindAPI(GLES) failed");
		return -1;
	}
	c->ctx = eglCreateContext(c->dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT,
				  ctx_attribs);
	if (c->ctx == EGL_NO_CONTEXT) {
		snprintf(why, len, "eglCreateContext(GLES 3) failed (0x%x)",
			 eglGetError());
		return -1;
	}
	if (!eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, c->ctx)) {
		snprintf(why, len, "eglMakeCurrent failed (0x%x)", eglGetError());
		return -1;
	}
	return 0;
}

void rd_teardown(struct rd_ctx *c)
{
	if (c->dpy != EGL_NO_DISPLAY) {
		eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
			       EGL_NO_CONTEXT);
		if (c->ctx != EGL_NO_CONTEXT)
			eglDestroyContext(c->dpy, c->ctx);
		eglTerminate(c->dpy);
	}
	eglReleaseThread();
	if (c->gbm)
		gbm_device_destroy(c->gbm);
	if (c->drm_fd >= 0)
		close(c->drm_fd);
}
