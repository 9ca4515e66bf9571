// SPDX-License-Identifier: MIT
/*
 * virtgpu-bench-frames: the GLES frame loop of the benchmark (bench/README
 * in docs/performance.md).  An ordinary EGL program on the surfaceless
 * platform, so that the same binary runs
 *  - natively on Mesa llvmpipe (no render node: Mesa picks swrast),
 *  - under `virtgpu-sim exec` (Mesa's virtio_gpu driver on the simulated
 *    node),
 *  - on vtest (GALLIUM_DRIVER=virpipe, virgl_test_server).
 *
 * A frame: clear a 256x256 render target, draw a textured quad with a
 * per-frame rotation, and insert a fence; at most two frames are in
 * flight (the fence of frame N-2 is waited for before frame N), as a
 * double-buffered swap chain paces a real program.  With --sync a frame
 * uploads the 64x64 texture, draws and calls glFinish instead, as most
 * GL programs and tests do.  The first frame (a synchronous one, right
 * after set-up) is timed on its own; then frames are timed in chunks
 * after a warm-up, and the system calls and context switches of the
 * timed frames are counted by the kernel (frames_count.c: the GL thread,
 * all threads; -1 where not available).  The output, all on stdout:
 *
 *   renderer <GL_RENDERER>
 *   first <nanoseconds>
 *   chunk <frames> <nanoseconds>
 *   ...
 *   counts <frames> <syscalls GL thread> <syscalls all> <switches GL
 *          thread> <switches all>
 *   total <frames> <nanoseconds> pixel <0xRRGGBBAA>
 *
 * Exit status 0 when the last frame's centre pixel is the texture colour
 * the draw must produce there, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GLES3/gl3.h>

#include "bench/frames_count.h"

#define TARGET_SIZE 256
#define TEX_SIZE 64
#define IN_FLIGHT 2

struct frames_opts {
	unsigned frames;
	unsigned warmup;
	unsigned chunk;
	bool sync;		/* --sync: glFinish every frame */
};

struct frames_gl {
	EGLDisplay dpy;
	EGLContext ctx;
	GLuint prog, vbo, vao, tex, target, fbo;
	GLint angle_loc;
	GLsync fences[IN_FLIGHT];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int egl_up(struct frames_gl *g)
{
	static const EGLint ctx_attribs[] = {
		EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE,
	};
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(void *)eglGetProcAddress("eglGetPlatformDisplayEXT");

	if (!get_display) {
		fprintf(stderr, "frames: no eglGetPlatformDisplayEXT\n");
		return -1;
	}
	g->dpy = get_display(EGL_PLATFORM_SURFACELESS_MESA,
			     EGL_DEFAULT_DISPLAY, NULL);
	if (g->dpy == EGL_NO_DISPLAY || !eglInitialize(g->dpy, NULL, NULL)) {
		fprintf(stderr, "frames: no surfaceless EGL display (0x%x)\n",
			eglGetError());
		return -1;
	}
	if (!eglBindAPI(EGL_OPENGL_ES_API)) {
		fprintf(stderr, "frames: eglBindAPI(GLES) failed\n");
		return -1;
	}
	g->ctx = eglCreateContext(g->dpy, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT,
				  ctx_attribs);
	if (g->ctx == EGL_NO_CONTEXT ||
	    !eglMakeCurrent(g->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, g->ctx)) {
		fprintf(stderr, "frames: no GLES 3 context (0x%x)\n",
			eglGetError());
		return -1;
	}
	return 0;
}

static GLuint compile(GLenum type, const char *src)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[512] = "";
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		fprintf(stderr, "frames: shader: %s\n", log);
		glDeleteShader(s);
		return 0;
	}
	return s;
}

static int program_up(struct frames_gl *g)
{
	static const char vs[] =
		"#version 300 es\n"
		"layout(location = 0) in vec2 pos;\n"
		"uniform float angle;\n"
		"out vec2 uv;\n"
		"void main() {\n"
		"  float c = cos(angle), s = sin(angle);\n"
		"  uv = pos * 0.5 + 0.5;\n"
		"  vec2 p = pos * 0.5;\n"
		"  gl_Position = vec4(c * p.x - s * p.y, s * p.x + c * p.y,\n"
		"                     0.0, 1.0);\n"
		"}\n";
	static const char fs[] =
		"#version 300 es\n"
		"precision mediump float;\n"
		"uniform sampler2D tex;\n"
		"in vec2 uv;\n"
		"out vec4 color;\n"
		"void main() { color = texture(tex, uv); }\n";
	GLuint v = compile(GL_VERTEX_SHADER, vs);
	GLuint f = v ? compile(GL_FRAGMENT_SHADER, fs) : 0;
	GLint ok = 0;

	if (!f)
		return -1;
	g->prog = glCreateProgram();
	glAttachShader(g->prog, v);
	glAttachShader(g->prog, f);
	glLinkProgram(g->prog);
	glDeleteShader(v);
	glDeleteShader(f);
	glGetProgramiv(g->prog, GL_LINK_STATUS, &ok);
	if (!ok) {
		fprintf(stderr, "frames: program did not link\n");
		return -1;
	}
	glUseProgram(g->prog);
	g->angle_loc = glGetUniformLocation(g->prog, "angle");
	glUniform1i(glGetUniformLocation(g->prog, "tex"), 0);
	return 0;
}

/* The texture is one colour, so that the centre pixel has a known value
 * whatever the rotation: 0xRRGGBBAA = 0x3399ccff. */
static uint8_t texels[TEX_SIZE * TEX_SIZE * 4];

static void texture_up(struct frames_gl *g)
{
	for (size_t i = 0; i < sizeof(texels); i += 4) {
		texels[i + 0] = 0x33;
		texels[i + 1] = 0x99;
		texels[i + 2] = 0xcc;
		texels[i + 3] = 0xff;
	}
	glGenTextures(1, &g->tex);
	glActiveTexture(GL_TEXTURE0);
	glBindTexture(GL_TEXTURE_2D, g->tex);
	glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, TEX_SIZE, TEX_SIZE, 0,
		     GL_RGBA, GL_UNSIGNED_BYTE, texels);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
	glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
}

static int target_up(struct frames_gl *g)
{
	static const float quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };

	glGenTextures(1, &g->target);
	glBindTexture(GL_TEXTURE_2D, g->target);
	glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, TARGET_SIZE, TARGET_SIZE);
	glGenFramebuffers(1, &g->fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, g->fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, g->target, 0);
	if (glCheckFramebufferStatus(GL_FRAMEBUFFER) !=
	    GL_FRAMEBUFFER_COMPLETE) {
		fprintf(stderr, "frames: framebuffer incomplete\n");
		return -1;
	}
	glViewport(0, 0, TARGET_SIZE, TARGET_SIZE);
	glBindTexture(GL_TEXTURE_2D, g->tex);

	glGenVertexArrays(1, &g->vao);
	glBindVertexArray(g->vao);
	glGenBuffers(1, &g->vbo);
	glBindBuffer(GL_ARRAY_BUFFER, g->vbo);
	glBufferData(GL_ARRAY_BUFFER, sizeof(quad), quad, GL_STATIC_DRAW);
	glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
	glEnableVertexAttribArray(0);
	glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
	return 0;
}

/* One frame, paced: wait for the frame IN_FLIGHT back before adding one. */
static void frame(struct frames_gl *g, unsigned n)
{
	GLsync *slot = &g->fences[n % IN_FLIGHT];

	if (*slot) {
		glClientWaitSync(*slot, GL_SYNC_FLUSH_COMMANDS_BIT,
				 5000000000ull);
		glDeleteSync(*slot);
	}
	glClear(GL_COLOR_BUFFER_BIT);
	glUniform1f(g->angle_loc, (float)(n % 360) * 0.0174533f);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	*slot = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
	glFlush();
}

/* One synchronous frame, as most GL programs and tests run: upload the
 * 64x64 texture, draw the textured quad into the 256x256 target, and
 * wait for the GPU (glFinish). */
static void frame_sync(struct frames_gl *g, unsigned n)
{
	glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, TEX_SIZE, TEX_SIZE, GL_RGBA,
			GL_UNSIGNED_BYTE, texels);
	glClear(GL_COLOR_BUFFER_BIT);
	glUniform1f(g->angle_loc, (float)(n % 360) * 0.0174533f);
	glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
	glFinish();
}

static uint32_t centre_pixel(void)
{
	uint8_t px[4] = { 0 };

	glReadPixels(TARGET_SIZE / 2, TARGET_SIZE / 2, 1, 1, GL_RGBA,
		     GL_UNSIGNED_BYTE, px);
	return (uint32_t)px[0] << 24 | (uint32_t)px[1] << 16 |
	       (uint32_t)px[2] << 8 | px[3];
}

static void gl_down(struct frames_gl *g)
{
	for (unsigned i = 0; i < IN_FLIGHT; i++)
		if (g->fences[i])
			glDeleteSync(g->fences[i]);
	glDeleteBuffers(1, &g->vbo);
	glDeleteVertexArrays(1, &g->vao);
	glDeleteFramebuffers(1, &g->fbo);
	glDeleteTextures(1, &g->target);
	glDeleteTextures(1, &g->tex);
	glDeleteProgram(g->prog);
	eglMakeCurrent(g->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(g->dpy, g->ctx);
	eglTerminate(g->dpy);
	eglReleaseThread();
}

static int parse(int argc, char **argv, struct frames_opts *o)
{
	static const struct option longopts[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "sync", no_argument, NULL, 's' },
		{ 0 }
	};
	int c;

	o->frames = 1000;
	o->warmup = 50;
	o->chunk = 100;
	o->sync = false;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		unsigned long v;

		if (c == '?')
			return -1;
		if (c == 's') {
			o->sync = true;
			continue;
		}
		errno = 0;
		v = strtoul(optarg, &end, 10);
		if (errno || *end || v == 0 || v > 1000000) {
			fprintf(stderr, "frames: bad number '%s'\n", optarg);
			return -1;
		}
		if (c == 'n')
			o->frames = (unsigned)v;
		else if (c == 'w')
			o->warmup = (unsigned)v;
		else
			o->chunk = (unsigned)v;
	}
	return 0;
}

static void print_counts(const char *what, unsigned frames,
			 const long long a[FRAMES_NCOUNT],
			 const long long b[FRAMES_NCOUNT])
{
	printf("%s %u", what, frames);
	for (int i = 0; i < FRAMES_NCOUNT; i++)
		printf(" %lld", a[i] < 0 || b[i] < 0 ? -1 : b[i] - a[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	struct frames_opts o;
	struct frames_gl g = { 0 };
	struct frames_count cnt;
	long long c0[FRAMES_NCOUNT], c1[FRAMES_NCOUNT];

	if (parse(argc, argv, &o))
		return 2;
	frames_count_open(&cnt);	/* before any thread exists */
	if (egl_up(&g) || program_up(&g))
		return 1;
	texture_up(&g);
	if (target_up(&g))
		return 1;
	printf("renderer %s\n", (const char *)glGetString(GL_RENDERER));

	/* The first frame on its own: the host translates and compiles the
	 * shaders when they are first used. */
	void (*one)(struct frames_gl *, unsigned) = o.sync ? frame_sync : frame;
	uint64_t t0 = now_ns();
	frame_sync(&g, 0);
	printf("first %llu\n", (unsigned long long)(now_ns() - t0));
	unsigned n = 1;
	for (; n < o.warmup; n++)
		one(&g, n);
	glFinish();

	frames_count_read(&cnt, c0);
	uint64_t start = now_ns(), chunk_start = start;
	for (unsigned i = 0; i < o.frames; i++, n++) {
		one(&g, n);
		if ((i + 1) % o.chunk == 0 || i + 1 == o.frames) {
			uint64_t t = now_ns();
			unsigned in_chunk = (i % o.chunk) + 1;
			printf("chunk %u %llu\n", in_chunk,
			       (unsigned long long)(t - chunk_start));
			chunk_start = t;
		}
	}
	glFinish();
	uint64_t total = now_ns() - start;
	frames_count_read(&cnt, c1);
	print_counts("counts", o.frames, c0, c1);
	frames_count_close(&cnt);
	uint32_t px = centre_pixel();
	printf("total %u %llu pixel 0x%08x\n", o.frames,
	       (unsigned long long)total, px);
	fflush(stdout);
	gl_down(&g);
	return px == 0x3399ccffu ? 0 : 1;
}
