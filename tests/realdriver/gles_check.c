// SPDX-License-Identifier: MIT
/*
 * realdriver-gles --platform=gbm|surfaceless|device [--map=guest|host]
 *
 * An ordinary EGL/GLES 3 program, run under `virtgpu-sim exec`: Mesa's
 * virtio_gpu driver renders through the simulated machine.  TAP on
 * stdout, every pixel compared exactly:
 *   1 GL_RENDERER names virgl (else bail out: nothing else would mean
 *     anything)
 *   2 clear and a scissored clear, read back
 *   3 textured draw of a 4x4 texture (NEAREST) over the target
 *   4 buffer uploads: BufferSubData, MapBufferRange writes, a pixel pack
 *     buffer read back through a mapping, and a persistently mapped
 *     buffer (EXT_buffer_storage) written twice; --map says where that
 *     mapping must point: guest RAM (classic resource) or host memory (a
 *     HOST3D blob mapped through the host-visible region; with --map=host
 *     the extension must be there, as virgl offers it only on such blobs)
 *   5 fence fd round trip (EGL_ANDROID_native_fence_sync): export, poll,
 *     SYNC_IOC_FILE_INFO, import and server-side wait
 *   6 GBM window surface: swap, lock the front buffer, map it, check
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sync_file.h>
#include <sys/ioctl.h>

#include "tests/realdriver/realdriver.h"

#define WHY_LEN 256

struct rd_run {
	struct rd_ctx c;
	const char *want_map;	/* "guest RAM", "host memory" or NULL */
	unsigned failed;
};

static void tap(struct rd_run *r, unsigned n, int ret, const char *name,
		const char *why)
{
	if (ret > 0) {
		printf("ok %u - %s # SKIP %s\n", n, name, why);
	} else if (ret == 0) {
		printf("ok %u - %s\n", n, name);
	} else {
		printf("not ok %u - %s\n# %s\n", n, name, why);
		r->failed++;
	}
	fflush(stdout);
}

static int gl_error(const char *what, char *why)
{
	GLenum err = glGetError();
	if (err == GL_NO_ERROR)
		return 0;
	snprintf(why, WHY_LEN, "%s: GL error 0x%x", what, err);
	return -1;
}

/* --- 2: clear --- */

static uint32_t clear_expect(int x, int y, const void *data)
{
	/* the scissored clear covers x 0..31, y 32..63 (GL: bottom-up) */
	return x < 32 && y >= 32 ? rd_rgba(250, 5, 128, 255)
				 : rd_rgba(51, 102, 153, 255);
}

static int test_clear(char *why)
{
	struct rd_target t;
	int ret;

	if (rd_target_create(&t)) {
		snprintf(why, WHY_LEN, "framebuffer incomplete");
		return -1;
	}
	glClearColor(51 / 255.0f, 102 / 255.0f, 153 / 255.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glEnable(GL_SCISSOR_TEST);
	glScissor(0, 32, 32, 32);
	glClearColor(250 / 255.0f, 5 / 255.0f, 128 / 255.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	glDisable(GL_SCISSOR_TEST);
	ret = gl_error("clear", why);
	if (!ret)
		ret = rd_read_check(clear_expect, NULL, why, WHY_LEN);
	rd_target_destroy(&t);
	return ret;
}

/* --- 3: textured draw --- */

static const char quad_vs[] =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"out vec2 uv;\n"
	"void main() { uv = pos * 0.5 + 0.5; gl_Position = vec4(pos, 0, 1); }\n";
static const char tex_fs[] =
	"#version 300 es\n"
	"precision mediump float;\n"
	"uniform sampler2D tex;\n"
	"in vec2 uv;\n"
	"out vec4 color;\n"
	"void main() { color = texture(tex, uv); }\n";
static const float quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };

static uint32_t texel(int tx, int ty)
{
	return rd_rgba((uint8_t)(tx * 60 + 10), (uint8_t)(ty * 60 + 20),
		       (uint8_t)((tx + ty) * 30 + 5), (uint8_t)(255 - tx * ty));
}

/* Pixel (x, y) samples texel (x / 16, y / 16): row 0 of the upload is
 * t = 0, the bottom, as is row 0 of glReadPixels. */
static uint32_t tex_expect(int x, int y, const void *data)
{
	return texel(x / 16, y / 16);
}

static int test_texture(char *why)
{
	struct rd_target t;
	uint8_t pixels[4 * 4 * 4];
	GLuint tex, vbo, prog;
	int ret = -1;

	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 4; x++) {
			uint32_t v = texel(x, y);
			uint8_t *p = pixels + 4 * (y * 4 + x);
			p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
		}
	prog = rd_program(quad_vs, tex_fs, why, WHY_LEN);
	if (!prog)
		return -1;
	if (rd_target_create(&t)) {
		snprintf(why, WHY_LEN, "framebuffer incomplete");
		glDeleteProgram(prog);
		return -1;
	}
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 4, 4, 0, GL_RGBA,
		     GL_UNSIGNED_BYTE, pixels);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
	glGenBuffers(1, &vbo);
	glBindBuffer(GL_ARRAY_BUFFER, vbo);
	glBufferData(GL_ARRAY_BUFFER, sizeof(quad), quad, GL_STATIC_DRAW);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, 0);
	glEnableVertexAttribArray(0);
	glUseProgram(prog);
	glUniform1i(glGetUniformLocation(prog, "tex"), 0);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	if (!gl_error("textured draw", why))
		ret = rd_read_check(tex_expect, NULL, why, WHY_LEN);
	glDisableVertexAttribArray(0);
	glDeleteBuffers(1, &vbo);
	glDeleteTextures(1, &tex);
	glDeleteProgram(prog);
	rd_target_destroy(&t);
	return ret;
}

/* --- 4: buffer uploads --- */

/* Four quadrants as two triangles each: x,y floats then RGBA8 bytes. */
struct rd_vertex {
	float x, y;
	uint8_t rgba[4];
};
#define RD_VERTS 24

static const char color_vs[] =
	"#version 300 es\n"
	"layout(location = 0) in vec2 pos;\n"
	"layout(location = 1) in vec4 col;\n"
	"flat out vec4 c;\n"
	"void main() { c = col; gl_Position = vec4(pos, 0, 1); }\n";
static const char color_fs[] =
	"#version 300 es\n"
	"precision mediump float;\n"
	"flat in vec4 c;\n"
	"out vec4 color;\n"
	"void main() { color = c; }\n";

/* Quadrant q (0 bottom-left, 1 bottom-right, 2 top-left, 3 top-right)
 * gets colour base + q. */
static uint32_t quad_color(unsigned base, int q)
{
	return rd_rgba((uint8_t)(base + 40 * q), (uint8_t)(200 - base - q),
		       (uint8_t)(base * 3 + q), (uint8_t)(255 - q));
}

static uint32_t quadrant_expect(int x, int y, const void *data)
{
	unsigned base = *(const unsigned *)data;
	return quad_color(base, (x >= 32) + 2 * (y >= 32));
}

static void quadrant_positions(struct rd_vertex *v)
{
	static const float tri[6][2] = {
		{ 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0, 1 },
	};
	for (int q = 0; q < 4; q++)
		for (int i = 0; i < 6; i++) {
			v[q * 6 + i].x = tri[i][0] - 1 + (q & 1);
			v[q * 6 + i].y = tri[i][1] - 1 + (q >> 1);
		}
}

static void quadrant_colors(struct rd_vertex *v, unsigned base)
{
	for (int i = 0; i < RD_VERTS; i++) {
		uint32_t c = quad_color(base, i / 6);
		v[i].rgba[0] = c >> 24, v[i].rgba[1] = c >> 16;
		v[i].rgba[2] = c >> 8, v[i].rgba[3] = c;
	}
}

static void bind_vertices(void)
{
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(struct rd_vertex),
			      0);
	glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE,
			      sizeof(struct rd_vertex),
			      (void *)offsetof(struct rd_vertex, rgba));
	glEnableVertexAttribArray(0);
	glEnableVertexAttribArray(1);
}

static int draw_check(unsigned base, const char *what, char *why)
{
	glClearColor(0, 0, 0, 0);
	glClear(GL_COLOR_BUFFER_BIT);
	glDrawArrays(GL_TRIANGLES, 0, RD_VERTS);
	if (gl_error(what, why))
		return -1;
	if (rd_read_check(quadrant_expect, &base, why, WHY_LEN)) {
		size_t n = strlen(why);
		snprintf(why + n, WHY_LEN - n, " (%s)", what);
		return -1;
	}
	return 0;
}

/* Positions by BufferSubData in two pieces, colours written through a
 * MapBufferRange(WRITE | INVALIDATE_RANGE) mapping. */
static int upload_subdata(char *why)
{
	struct rd_vertex v[RD_VERTS];
	size_t half = sizeof(v) / 2;

	quadrant_positions(v);
	quadrant_colors(v, 10);
	glBufferData(GL_ARRAY_BUFFER, sizeof(v), NULL, GL_DYNAMIC_DRAW);
	glBufferSubData(GL_ARRAY_BUFFER, 0, (GLsizeiptr)half, v);
	glBufferSubData(GL_ARRAY_BUFFER, (GLintptr)half, (GLsizeiptr)half,
			(const char *)v + half);
	bind_vertices();
	if (draw_check(10, "BufferSubData", why))
		return -1;
	quadrant_colors(v, 33);
	struct rd_vertex *m = glMapBufferRange(
		GL_ARRAY_BUFFER, 0, sizeof(v),
		GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_RANGE_BIT);
	if (!m) {
		if (!gl_error("MapBufferRange(write)", why))
			snprintf(why, WHY_LEN, "MapBufferRange(write) failed");
		return -1;
	}
	memcpy(m, v, sizeof(v));
	glUnmapBuffer(GL_ARRAY_BUFFER);
	return draw_check(33, "MapBufferRange write", why);
}

/* The framebuffer into a pixel pack buffer, read through a mapping. */
static int readback_pbo(char *why)
{
	unsigned base = 33;
	GLuint pbo;
	int ret = -1;

	glGenBuffers(1, &pbo);
	glBindBuffer(GL_PIXEL_PACK_BUFFER, pbo);
	glBufferData(GL_PIXEL_PACK_BUFFER, 4 * RD_SIZE * RD_SIZE, NULL,
		     GL_STREAM_READ);
	glReadPixels(0, 0, RD_SIZE, RD_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, 0);
	const uint8_t *p = glMapBufferRange(GL_PIXEL_PACK_BUFFER, 0,
					    4 * RD_SIZE * RD_SIZE,
					    GL_MAP_READ_BIT);
	if (!p) {
		if (!gl_error("MapBufferRange(read) of a pack buffer", why))
			snprintf(why, WHY_LEN, "MapBufferRange(read) failed");
	} else {
		ret = rd_check_pixels(p, quadrant_expect, &base, why, WHY_LEN);
		glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
	}
	glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
	glDeleteBuffers(1, &pbo);
	return ret;
}

/* A persistent, coherent mapping: written, drawn, rewritten, drawn. */
static int upload_persistent(struct rd_run *r, char *why)
{
	PFNGLBUFFERSTORAGEEXTPROC storage =
		(void *)eglGetProcAddress("glBufferStorageEXT");
	const GLbitfield flags = GL_MAP_WRITE_BIT | GL_MAP_PERSISTENT_BIT_EXT |
				 GL_MAP_COHERENT_BIT_EXT;
	struct rd_vertex v[RD_VERTS];
	GLuint vbo;

	if (!rd_has_ext((const char *)glGetString(GL_EXTENSIONS),
			"GL_EXT_buffer_storage") || !storage) {
		/* virgl offers persistent coherent maps only on host-visible
		 * blobs (RESOURCE_BLOB and HOST_VISIBLE), so with blobs
		 * asked for, their absence is a failure. */
		snprintf(why, WHY_LEN, "no GL_EXT_buffer_storage%s",
			 r->want_map && !strcmp(r->want_map, "host memory")
				 ? ": the driver got no host-visible blobs"
				 : "");
		return r->want_map && !strcmp(r->want_map, "host memory")
			       ? -1 : 1;
	}
	glGenBuffers(1, &vbo);
	glBindBuffer(GL_ARRAY_BUFFER, vbo);
	storage(GL_ARRAY_BUFFER, sizeof(v), NULL, flags);
	struct rd_vertex *m = glMapBufferRange(GL_ARRAY_BUFFER, 0, sizeof(v),
					       flags);
	int ret = -1;
	if (!m) {
		if (!gl_error("persistent MapBufferRange", why))
			snprintf(why, WHY_LEN, "persistent MapBufferRange failed");
		goto out;
	}
	const char *kind = rd_memory_kind(m);
	if (r->want_map && strcmp(kind, r->want_map)) {
		snprintf(why, WHY_LEN, "the persistent mapping points into %s, "
			 "expected %s", kind, r->want_map);
		goto out;
	}
	quadrant_positions(v);
	quadrant_colors(v, 50);
	memcpy(m, v, sizeof(v));
	bind_vertices();
	if (draw_check(50, "persistent mapping, first write", why))
		goto out;
	quadrant_colors(v, 77);
	memcpy(m, v, sizeof(v));	/* coherent: no flush, no unmap */
	ret = draw_check(77, "persistent mapping, second write", why);
out:
	glDeleteBuffers(1, &vbo);
	return ret;
}

static int test_buffers(struct rd_run *r, char *why, char *skip_note)
{
	struct rd_target t;
	GLuint vbo, prog = rd_program(color_vs, color_fs, why, WHY_LEN);
	int ret = -1;

	if (!prog)
		return -1;
	if (rd_target_create(&t)) {
		snprintf(why, WHY_LEN, "framebuffer incomplete");
		glDeleteProgram(prog);
		return -1;
	}
	glUseProgram(prog);
	glGenBuffers(1, &vbo);
	glBindBuffer(GL_ARRAY_BUFFER, vbo);
	if (!upload_subdata(why) && !readback_pbo(why)) {
		ret = upload_persistent(r, why);
		if (ret > 0) {
			/* the other uploads passed: report, don't skip */
			snprintf(skip_note, WHY_LEN, "%s", why);
			ret = 0;
		}
	}
	glDisableVertexAttribArray(0);
	glDisableVertexAttribArray(1);
	glDeleteBuffers(1, &vbo);
	glDeleteProgram(prog);
	rd_target_destroy(&t);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "gbm", "surfaceless", "device" };
	struct rd_run r = { .want_map = NULL };
	char why[WHY_LEN] = "", note[WHY_LEN] = "";
	int platform = -1;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--platform=", 11) == 0) {
			for (int p = 0; p < 3; p++)
				if (strcmp(argv[i] + 11, names[p]) == 0)
					platform = p;
		} else if (strcmp(argv[i], "--map=guest") == 0) {
			r.want_map = "guest RAM";
		} else if (strcmp(argv[i], "--map=host") == 0) {
			r.want_map = "host memory";
		} else {
			platform = -1;
			break;
		}
	}
	if (platform < 0) {
		fprintf(stderr, "usage: %s --platform=gbm|surfaceless|device "
			"[--map=guest|host]\n", argv[0]);
		return 2;
	}
	printf("TAP version 13\n1..7\n# platform %s\n", names[platform]);
	if (rd_setup(&r.c, (enum rd_platform)platform, why, sizeof(why))) {
		printf("Bail out! EGL set-up on %s: %s\n", names[platform], why);
		return 1;
	}
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	printf("# GL_RENDERER: %s\n", renderer ? renderer : "(none)");
	if (!renderer || !strstr(renderer, "virgl")) {
		printf("not ok 1 - GL_RENDERER names virgl\n"
		       "Bail out! Mesa did not pick the virtio_gpu driver\n");
		rd_teardown(&r.c);
		return 1;
	}
	tap(&r, 1, 0, "GL_RENDERER names virgl", "");
	tap(&r, 2, test_clear(why), "clear and scissored clear", why);
	tap(&r, 3, test_texture(why), "textured draw", why);
	int ret = test_buffers(&r, why, note);
	tap(&r, 4, ret, "buffer uploads and pack-buffer read back", why);
	if (!ret && note[0])
		printf("# persistent mapping not tested: %s\n", note);
	tap(&r, 5, rd_test_fence(&r.c, why, WHY_LEN), "fence fd round trip", why);
	tap(&r, 6, rd_test_gbm_surface(&r.c, why, WHY_LEN), "GBM surface swap and map",
	    why);
	tap(&r, 7, rd_test_prime(why, WHY_LEN),
	    "PRIME export and import between two opens of the node", why);
	rd_teardown(&r.c);
	return r.failed ? 1 : 0;
}
