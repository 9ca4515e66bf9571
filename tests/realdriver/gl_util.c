// SPDX-License-Identifier: MIT
/* GL helpers of the real-driver tests: render target, shaders, pixel
 * checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/realdriver/realdriver.h"

int rd_target_create(struct rd_target *t)
{
	glGenTextures(1, &t->tex);
	glBindTexture(GL_TEXTURE_2D, t->tex);
	glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, RD_SIZE, RD_SIZE);
	glGenFramebuffers(1, &t->fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, t->fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, t->tex, 0);
	glViewport(0, 0, RD_SIZE, RD_SIZE);
	return glCheckFramebufferStatus(GL_FRAMEBUFFER) ==
			       GL_FRAMEBUFFER_COMPLETE
		       ? 0 : -1;
}

void rd_target_destroy(struct rd_target *t)
{
	glBindFramebuffer(GL_FRAMEBUFFER, 0);
	glDeleteFramebuffers(1, &t->fbo);
	glDeleteTextures(1, &t->tex);
}

static GLuint shader(GLenum type, const char *src, char *why, size_t len)
{
	GLuint s = glCreateShader(type);
	GLint ok = 0;

	glShaderSource(s, 1, &src, NULL);
	glCompileShader(s);
	glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
	if (!ok) {
		char log[512] = "";
		glGetShaderInfoLog(s, sizeof(log), NULL, log);
		snprintf(why, len, "shader did not compile: %s", log);
		glDeleteShader(s);
		return 0;
	}
	return s;
}

GLuint rd_program(const char *vs, const char *fs, char *why, size_t len)
{
	GLuint v = shader(GL_VERTEX_SHADER, vs, why, len);
	GLuint f = v ? shader(GL_FRAGMENT_SHADER, fs, why, len) : 0;
	GLint ok = 0;

	if (!f) {
		glDeleteShader(v);
		return 0;
	}
	GLuint p = glCreateProgram();
	glAttachShader(p, v);
	glAttachShader(p, f);
	glLinkProgram(p);
	glDeleteShader(v);
	glDeleteShader(f);
	glGetProgramiv(p, GL_LINK_STATUS, &ok);
	if (!ok) {
		char log[512] = "";
		glGetProgramInfoLog(p, sizeof(log), NULL, log);
		snprintf(why, len, "program did not link: %s", log);
		glDeleteProgram(p);
		return 0;
	}
	return p;
}

int rd_check_pixels(const uint8_t *rgba, rd_expect_fn expect,
		    const void *data, char *why, size_t len)
{
	for (int y = 0; y < RD_SIZE; y++)
		for (int x = 0; x < RD_SIZE; x++) {
			const uint8_t *p = rgba + 4 * (y * RD_SIZE + x);
			uint32_t got = rd_rgba(p[0], p[1], p[2], p[3]);
			uint32_t want = expect(x, y, data);
			if (got != want) {
				snprintf(why, len, "pixel (%d,%d) is %08x, "
					 "expected %08x", x, y, got, want);
				return -1;
			}
		}
	return 0;
}

int rd_read_check(rd_expect_fn expect, const void *data, char *why,
		  size_t len)
{
	uint8_t *rgba = malloc(4 * RD_SIZE * RD_SIZE);
	int ret;

	if (!rgba) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	memset(rgba, 0x5a, 4 * RD_SIZE * RD_SIZE);
	glReadPixels(0, 0, RD_SIZE, RD_SIZE, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
	GLenum err = glGetError();
	if (err != GL_NO_ERROR) {
		snprintf(why, len, "glReadPixels: GL error 0x%x", err);
		ret = -1;
	} else {
		ret = rd_check_pixels(rgba, expect, data, why, len);
	}
	free(rgba);
	return ret;
}

const char *rd_memory_kind(const void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	const char *kind = "host memory";

	if (!f)
		return "unknown memory";
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) != 2 ||
		    (uintptr_t)p < lo || (uintptr_t)p >= hi)
			continue;
		if (strstr(line, "/memfd:virtgpu-sim-ram"))
			kind = "guest RAM";
		break;
	}
	fclose(f);
	return kind;
}
