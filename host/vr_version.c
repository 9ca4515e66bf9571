// SPDX-License-Identifier: MIT
/*
 * Which host stack the device model runs on: the virglrenderer it was
 * built against (meson passes the version pkg-config found, so a
 * developer's own build in PKG_CONFIG_PATH shows up as itself) and the
 * GL driver under it, as GL_VERSION names it ("4.5 (Core Profile) Mesa
 * 25.0.7").  `virtgpu-sim info` prints both.
 */
#include <string.h>

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include "host/host.h"
#include "host/internal.h"

const char *host_renderer_version(void)
{
	return HOST_VIRGLRENDERER_VERSION;
}

const char *host_device_gl_version(const struct host_device *dev)
{
	return dev->gl_version[0] ? dev->gl_version : NULL;
}

/*
 * Ask the GL driver on the device's own EGL display, before virglrenderer
 * makes its contexts: a throwaway core context, current for one
 * glGetString, then released.  Runs on the device thread.  Failure only
 * leaves the version unknown.
 */
void host__vr_probe_gl_version(struct host_device *dev)
{
	static const EGLint attrs[] = {
		EGL_CONTEXT_MAJOR_VERSION, 3,
		EGL_CONTEXT_MINOR_VERSION, 3,
		EGL_CONTEXT_OPENGL_PROFILE_MASK,
		EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE,
	};
	EGLContext ctx = eglCreateContext(dev->egl_display, EGL_NO_CONFIG_KHR,
					  EGL_NO_CONTEXT, attrs);

	dev->gl_version[0] = '\0';
	if (ctx == EGL_NO_CONTEXT)
		return;
	if (eglMakeCurrent(dev->egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE,
			   ctx)) {
		const char *v = (const char *)glGetString(GL_VERSION);
		const char *r = (const char *)glGetString(GL_RENDERER);

		if (v)
			snprintf(dev->gl_version, sizeof(dev->gl_version),
				 "%s, %s", v, r ? r : "unknown renderer");
		eglMakeCurrent(dev->egl_display, EGL_NO_SURFACE,
			       EGL_NO_SURFACE, EGL_NO_CONTEXT);
	}
	eglDestroyContext(dev->egl_display, ctx);
}
