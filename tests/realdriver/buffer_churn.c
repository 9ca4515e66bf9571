// SPDX-License-Identifier: MIT
/*
 * realdriver-buffer-churn --platform=gbm|surfaceless|device [--count=N]
 *
 * A GLES program that creates, fills and deletes N buffer objects (100000
 * by default), flushing every 64 and finishing every 4096, as programs
 * that stream geometry do.  Run under `virtgpu-sim exec`, every buffer is
 * a resource of Mesa's virgl winsys: its upload holds the object until the
 * device answers, so answers drop last references while the control queue
 * is busy (issue 15.1: the guest kernel's interrupt handler must not wait
 * for queue room then).  TAP on stdout:
 *   1 GL_RENDERER names virgl
 *   2 N buffers created, filled and deleted without a GL error, and a
 *     last buffer's contents read back through a mapping
 * The test around it (tests/realdriver/meson.build) also fails when the
 * run's stderr reports a full queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/realdriver/realdriver.h"

#define WHY_LEN 256
#define FLUSH_EVERY 64
#define FINISH_EVERY 4096
/* Sizes cycle through 1..4 pages.  Transform-feedback buffers are not
 * kept in the winsys' resource cache (only vertex, index, constant and a
 * few other binds are), so each one is a resource of its own: its
 * RESOURCE_CREATE, its upload in a submit and its GEM_CLOSE. */
#define MAX_PAGES 4
#define CHURN_TARGET GL_TRANSFORM_FEEDBACK_BUFFER

static uint32_t pattern[MAX_PAGES * 4096 / 4];

static int churn(unsigned long count, char *why)
{
	for (unsigned long i = 0; i < count; i++) {
		GLuint buf;
		GLsizeiptr size = (GLsizeiptr)(1 + i % MAX_PAGES) * 4096;
		glGenBuffers(1, &buf);
		glBindBuffer(CHURN_TARGET, buf);
		glBufferData(CHURN_TARGET, size, pattern, GL_STREAM_DRAW);
		glDeleteBuffers(1, &buf);
		if (i % FLUSH_EVERY == FLUSH_EVERY - 1)
			glFlush();
		if (i % FINISH_EVERY == FINISH_EVERY - 1)
			glFinish();
		GLenum err = glGetError();
		if (err != GL_NO_ERROR) {
			snprintf(why, WHY_LEN, "GL error 0x%x at buffer %lu",
				 err, i);
			return -1;
		}
	}
	glFinish();
	return 0;
}

/* One more buffer, read back: the churn left the driver working. */
static int read_back(char *why)
{
	GLuint buf;
	glGenBuffers(1, &buf);
	glBindBuffer(GL_ARRAY_BUFFER, buf);
	glBufferData(GL_ARRAY_BUFFER, sizeof(pattern), pattern, GL_STATIC_DRAW);
	const uint32_t *p = glMapBufferRange(GL_ARRAY_BUFFER, 0,
					     sizeof(pattern), GL_MAP_READ_BIT);
	int ret = 0;
	if (!p) {
		snprintf(why, WHY_LEN, "glMapBufferRange failed (0x%x)",
			 glGetError());
		ret = -1;
	} else {
		for (size_t i = 0; i < sizeof(pattern) / 4 && !ret; i++)
			if (p[i] != pattern[i]) {
				snprintf(why, WHY_LEN, "word %zu read back "
					 "0x%08x, wrote 0x%08x", i, p[i],
					 pattern[i]);
				ret = -1;
			}
		glUnmapBuffer(GL_ARRAY_BUFFER);
	}
	glDeleteBuffers(1, &buf);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "gbm", "surfaceless", "device" };
	char why[WHY_LEN] = "";
	unsigned long count = 100000;
	int platform = -1;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--platform=", 11) == 0) {
			for (int p = 0; p < 3; p++)
				if (strcmp(argv[i] + 11, names[p]) == 0)
					platform = p;
		} else if (strncmp(argv[i], "--count=", 8) == 0) {
			count = strtoul(argv[i] + 8, NULL, 0);
		} else {
			platform = -1;
			break;
		}
	}
	if (platform < 0) {
		fprintf(stderr, "usage: %s --platform=gbm|surfaceless|device "
			"[--count=N]\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(pattern) / 4; i++)
		pattern[i] = 0x5a000000u | (uint32_t)i;
	printf("TAP version 13\n1..2\n# platform %s, %lu buffers\n",
	       names[platform], count);
	struct rd_ctx c;
	if (rd_setup(&c, (enum rd_platform)platform, why, sizeof(why))) {
		printf("Bail out! EGL set-up on %s: %s\n", names[platform], why);
		return 1;
	}
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	if (!renderer || !strstr(renderer, "virgl")) {
		printf("not ok 1 - GL_RENDERER names virgl\n"
		       "Bail out! Mesa did not pick the virtio_gpu driver "
		       "(%s)\n", renderer ? renderer : "no renderer");
		rd_teardown(&c);
		return 1;
	}
	printf("ok 1 - GL_RENDERER names virgl\n");
	fflush(stdout);
	int ret = churn(count, why);
	if (!ret)
		ret = read_back(why);
	if (ret)
		printf("not ok 2 - %lu buffers created and deleted\n# %s\n",
		       count, why);
	else
		printf("ok 2 - %lu buffers created and deleted\n", count);
	rd_teardown(&c);
	return ret ? 1 : 0;
}
