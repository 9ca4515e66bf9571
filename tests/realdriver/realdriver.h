/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the real-driver tests (tests/realdriver/): programs
 * that use EGL and GLES like any application and run under
 * `virtgpu-sim exec`, so Mesa's virtio_gpu driver renders through the
 * simulated machine.  Results are TAP on stdout.
 */
#ifndef TESTS_REALDRIVER_H
#define TESTS_REALDRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>
#include <GLES2/gl2ext.h>
#include <gbm.h>

enum rd_platform { RD_GBM, RD_SURFACELESS, RD_DEVICE };

struct rd_ctx {
	enum rd_platform platform;
	int drm_fd;			/* RD_GBM: the node the program opened */
	struct gbm_device *gbm;
	EGLDisplay dpy;
	EGLContext ctx;
	const char *exts;		/* the display's EGL extensions */
};

/* egl_setup.c */
bool rd_has_ext(const char *list, const char *ext);
/* A GLES 3 context made current without a surface; -1 and @why on
 * failure. */
int rd_setup(struct rd_ctx *c, enum rd_platform platform, char *why,
	     size_t len);
void rd_teardown(struct rd_ctx *c);

/* gl_util.c */
/* A 64x64 RGBA8 texture attached to a new framebuffer, bound. */
struct rd_target {
	GLuint fbo, tex;
};
#define RD_SIZE 64
int rd_target_create(struct rd_target *t);
void rd_target_destroy(struct rd_target *t);
GLuint rd_program(const char *vs, const char *fs, char *why, size_t len);
/* Read the bound framebuffer and compare every pixel with @expect(x, y);
 * 0, or -1 with the first mismatch described in @why. */
typedef uint32_t (*rd_expect_fn)(int x, int y, const void *data);
int rd_check_pixels(const uint8_t *rgba, rd_expect_fn expect,
		    const void *data, char *why, size_t len);
int rd_read_check(rd_expect_fn expect, const void *data, char *why,
		  size_t len);
/* 0xRRGGBBAA as bytes in memory order R, G, B, A. */
static inline uint32_t rd_rgba(uint8_t r, uint8_t g, uint8_t b, uint8_t a)
{
	return (uint32_t)r << 24 | (uint32_t)g << 16 | (uint32_t)b << 8 | a;
}
/* Which memory @p lies in, from /proc/self/maps: "guest RAM" for the
 * simulated machine's RAM memfd, else "host memory". */
const char *rd_memory_kind(const void *p);

/* sync_surface.c: 0 pass, 1 skip (reason in @why), -1 fail */
int rd_test_fence(struct rd_ctx *c, char *why, size_t len);
int rd_test_gbm_surface(struct rd_ctx *c, char *why, size_t len);

/* prime.c: 0 pass, -1 fail (reason in @why) */
int rd_test_prime(char *why, size_t len);

#endif
