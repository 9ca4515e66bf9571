// SPDX-License-Identifier: MIT
/*
 * realdriver-lifecycle [--before=WHAT] [--how=HOW]
 *
 * An EGL/GLES program, run under `virtgpu-sim exec`, that renders, checks
 * the pixels, leaves the device busy with queued draws and then leaves
 * the process in one of the ways docs/realdriver.md ("How a program
 * ends") describes.  tests/realdriver/lifecycle_check.c runs it and
 * judges how the run ended.
 *
 * --before=WHAT, done between the first and the second rendering:
 *   none                 nothing (default)
 *   terminate-displays   eglTerminate every display the program can reach
 *                        (every EGL device's platform display, the
 *                        surfaceless and the default display), as eglinfo
 *                        does, then a fresh context must still render
 *   close-range          close_range(3, ~0U, 0), as a daemon or a child
 *                        about to exec does: the program's own fds must
 *                        be closed; then EGL is set up again and must
 *                        still render
 *   closefrom            closefrom(3), the same through glibc's closefrom
 * --how=HOW, with draws still queued on the device:
 *   exit, _exit          exit(0) / _exit(0)
 *   exec                 execv of this program with --how=exit, which
 *                        renders again on a machine of its own
 *   fork                 fork; the child checks that it has no device
 *                        (a new open fails with ENODEV) and exit()s; the
 *                        parent waits, renders again and exit()s
 *   sigterm, abort       raise(SIGTERM) / abort()
 * Exit status 0 (or the signal) when every check passed, 1 otherwise,
 * with the reason on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tests/realdriver/realdriver.h"

#define WHY_LEN 256

static const char *prog;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, why);
	exit(1);
}

static uint32_t solid(int x, int y, const void *data)
{
	return *(const uint32_t *)data;
}

/* Clear a target to a colour made from @seed and read every pixel back. */
static void render_check(const char *what, unsigned seed)
{
	uint8_t r = (uint8_t)(37 * seed), g = (uint8_t)(91 + 11 * seed);
	uint32_t want = rd_rgba(r, g, 200, 255);
	struct rd_target t;
	char why[WHY_LEN] = "";

	if (rd_target_create(&t))
		die(what, "framebuffer incomplete");
	glClearColor(r / 255.0f, g / 255.0f, 200 / 255.0f, 1.0f);
	glClear(GL_COLOR_BUFFER_BIT);
	if (rd_read_check(solid, &want, why, sizeof(why)))
		die(what, why);
	rd_target_destroy(&t);
}

static void setup(struct rd_ctx *c, const char *what)
{
	char why[WHY_LEN] = "";

	if (rd_setup(c, RD_SURFACELESS, why, sizeof(why)))
		die(what, why);
	const char *renderer = (const char *)glGetString(GL_RENDERER);
	if (!renderer || !strstr(renderer, "virgl"))
		die(what, renderer ? renderer : "no GL_RENDERER");
}

/*
 * Work for the device that outlives the program's last GL call: a
 * fragment shader with a loop over a 256x256 target, drawn a number of
 * times and flushed, not finished, so llvmpipe is still busy on the
 * device thread when the program leaves.
 */
static void queue_work(void)
{
	static const char vs[] =
		"#version 300 es\n"
		"void main() {\n"
		"  vec2 p = vec2(gl_VertexID == 1 ? 3.0 : -1.0,\n"
		"                gl_VertexID == 2 ? 3.0 : -1.0);\n"
		"  gl_Position = vec4(p, 0.0, 1.0);\n"
		"}\n";
	static const char fs[] =
		"#version 300 es\n"
		"precision highp float;\n"
		"out vec4 color;\n"
		"void main() {\n"
		"  float v = gl_FragCoord.x;\n"
		"  for (int i = 0; i < 64; i++) v = sin(v * 1.01 + 0.3);\n"
		"  color = vec4(v, 0.5, 0.25, 1.0);\n"
		"}\n";
	char why[WHY_LEN] = "";
	GLuint fbo, tex, vao;

	GLuint program = rd_program(vs, fs, why, sizeof(why));
	if (!program)
		die("queue work", why);
	glGenTextures(1, &tex);
	glBindTexture(GL_TEXTURE_2D, tex);
	glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, 256, 256);
	glGenFramebuffers(1, &fbo);
	glBindFramebuffer(GL_FRAMEBUFFER, fbo);
	glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0,
			       GL_TEXTURE_2D, tex, 0);
	glViewport(0, 0, 256, 256);
	glGenVertexArrays(1, &vao);
	glBindVertexArray(vao);
	glUseProgram(program);
	for (int i = 0; i < 40; i++) {
		glDrawArrays(GL_TRIANGLES, 0, 3);
		glFlush();
	}
}

static void terminate_displays(void)
{
	PFNEGLQUERYDEVICESEXTPROC query_devices =
		(void *)eglGetProcAddress("eglQueryDevicesEXT");
	PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
		(void *)eglGetProcAddress("eglGetPlatformDisplayEXT");
	EGLDeviceEXT devs[16];
	EGLint n = 0;

	if (!query_devices || !get_display || !query_devices(16, devs, &n))
		die("terminate displays", "no EGL device enumeration");
	for (EGLint i = 0; i < n; i++) {
		EGLDisplay d = get_display(EGL_PLATFORM_DEVICE_EXT, devs[i],
					   NULL);
		if (d != EGL_NO_DISPLAY && eglInitialize(d, NULL, NULL))
			eglTerminate(d);
	}
	EGLDisplay d = get_display(EGL_PLATFORM_SURFACELESS_MESA,
				   EGL_DEFAULT_DISPLAY, NULL);
	if (d != EGL_NO_DISPLAY)
		eglTerminate(d);
	d = eglGetDisplay(EGL_DEFAULT_DISPLAY);
	if (d != EGL_NO_DISPLAY)
		eglTerminate(d);
	fprintf(stderr, "%s: terminated the displays of %d EGL devices, the "
		"surfaceless and the default display\n", prog, n);
}

/* Fds of the program's own, at both ends of the range it closes. */
struct own_fds {
	int fd[3];
};

static void own_fds_open(struct own_fds *o)
{
	int p[2];

	if (pipe(p) || dup2(p[0], 900) != 900)
		die("own fds", strerror(errno));
	o->fd[0] = p[0];
	o->fd[1] = p[1];
	o->fd[2] = 900;
}

/* close_range/closefrom must still close everything that is the
 * program's, while sparing the machine's. */
static void own_fds_check_closed(const struct own_fds *o)
{
	for (int i = 0; i < 3; i++) {
		if (fcntl(o->fd[i], F_GETFD) != -1 || errno != EBADF) {
			char why[64];
			snprintf(why, sizeof(why), "fd %d of the program is "
				 "still open", o->fd[i]);
			die("close_range", why);
		}
	}
}

static void do_before(struct rd_ctx *c, const char *before)
{
	struct own_fds own;

	if (strcmp(before, "none") == 0)
		return;
	eglMakeCurrent(c->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
		       EGL_NO_CONTEXT);
	if (strcmp(before, "terminate-displays") == 0) {
		terminate_displays();
	} else if (strcmp(before, "close-range") == 0) {
		own_fds_open(&own);
		if (close_range(3, ~0U, 0))
			die("close_range", strerror(errno));
		own_fds_check_closed(&own);
		eglTerminate(c->dpy);
	} else if (strcmp(before, "closefrom") == 0) {
		own_fds_open(&own);
		closefrom(3);
		own_fds_check_closed(&own);
		eglTerminate(c->dpy);
	} else {
		die("--before", "unknown; see the top of lifecycle.c");
	}
	setup(c, before);
	render_check(before, 2);
}

static void leave_by_fork(void)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die("fork", strerror(errno));
	if (pid == 0) {
		/* docs/realdriver.md: a fork child has no device. */
		int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENODEV) {
			fprintf(stderr, "%s: fork child: open of the render node "
				"gave %d (%s), expected ENODEV\n", prog, fd,
				fd >= 0 ? "an fd" : strerror(errno));
			exit(1);
		}
		exit(0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("fork", "the child did not exit with 0");
	render_check("after the fork child's exit", 3);
	exit(0);
}

static void leave(const char *how, char **argv)
{
	if (strcmp(how, "exit") == 0)
		exit(0);
	if (strcmp(how, "_exit") == 0)
		_exit(0);
	if (strcmp(how, "exec") == 0) {
		char *args[] = { argv[0], "--how=exit", NULL };
		fflush(NULL);
		execv("/proc/self/exe", args);
		die("execv", strerror(errno));
	}
	if (strcmp(how, "fork") == 0)
		leave_by_fork();
	if (strcmp(how, "sigterm") == 0) {
		raise(SIGTERM);
		die("raise(SIGTERM)", "returned");
	}
	if (strcmp(how, "abort") == 0)
		abort();
	die("--how", "unknown; see the top of lifecycle.c");
}

int main(int argc, char **argv)
{
	const char *before = "none", *how = "exit";
	struct rd_ctx c;

	prog = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--before=", 9) == 0)
			before = argv[i] + 9;
		else if (strncmp(argv[i], "--how=", 6) == 0)
			how = argv[i] + 6;
		else
			die(argv[i], "unknown argument");
	}
	setup(&c, "set-up");
	render_check("first rendering", 1);
	do_before(&c, before);
	queue_work();
	leave(how, argv);
	return 1;
}
