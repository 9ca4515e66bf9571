// SPDX-License-Identifier: MIT
/*
 * `virtgpu-sim exec`: the options of `run` that shape the device, turned
 * into the VGS_SHIM_* environment (vmm/shim/options.h), LD_PRELOAD with
 * the shim in front, then the program.  The machine itself is created by
 * the shim inside the program's process, on its first open of
 * /dev/dri/renderD128.
 *
 * The command stays as the program's parent to check the run: every
 * process of the run reports into a status memfd whether it opened a
 * device node and whether Mesa's virgl winsys initialised on it
 * (vmm/shim/shim.c).  The parent reads it once the program has exited,
 * whichever way it exited (_exit, a signal), which no check inside the
 * program could guarantee.  Signals sent to the command are passed on;
 * the program's exit status, or its death by signal, is the command's.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "vmm/shim/options.h"
#include "vmm/devopts.h"
#include "vmm/exec.h"
#include "vmm/record.h"
#include "vmm/machine.h"
#include "sim/units.h"

#define SHIM_NAME "libvirtgpu-sim-shim.so"
#define EXIT_USAGE 2
#define EXIT_NO_SHIM 1
#define EXIT_NOT_VIRGL 3
#define EXIT_CONFORMANCE 4

#if defined(__x86_64__)
#define VMM_MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define VMM_MULTIARCH "aarch64-linux-gnu"
#else
#define VMM_MULTIARCH ""
#endif

struct vmm_exec {
	struct vmm_machine_options opts;
	bool trace;
	bool check;
	char conformance[PATH_MAX];	/* --conformance=FILE, absolute */
	bool conformance_fatal;
};

/* exec's machine: the table's defaults but for guest RAM, sparse
 * (sim/ram.c), more than a host of this kind has, so that a real program
 * runs out of host memory before guest RAM (a 16384^2 RGBA8 texture
 * alone needs 1 GiB; issue 15).  32G, not more: under valgrind 3.19 a
 * program cannot map a 64G memfd, and `exec -- valgrind PROGRAM` is how
 * docs/realdriver.md runs memcheck. */
static void vmm_exec_defaults(struct vmm_machine_options *o)
{
	vmm_machine_default_options(o);
	o->ram_size = 32ull << 30;
}

static void vmm_exec_usage(FILE *out)
{
	fprintf(out,
		"Usage: virtgpu-sim exec [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"\n"
		"Run PROGRAM with /dev/dri/renderD128 backed by a simulated "
		"virtio-gpu machine\nin its own process, so that Mesa's "
		"virtio_gpu driver renders through the guest\nkernel driver, "
		"the virtqueues and virglrenderer.  Example:\n"
		"  virtgpu-sim exec -- eglinfo\n"
		"\n"
		"Options:\n"
		"  --trace-ioctls      log every ioctl on the device, decoded, "
		"to stderr\n"
		"  --no-check          do not fail when the program did not "
		"render through virgl\n"
		"  --conformance=FILE  write every rule of virtio 1.4 5.7 the "
		"driver broke to\n"
		"                      FILE as JSON (docs/device-answers.md)\n"
		"  --conformance-fatal exit 4 when the driver broke a MUST "
		"rule\n"
		"  -h, --help          show this help\n"
		"Device options (the program's process reads them from the "
		"VGS_SHIM_*\nvariables of docs/realdriver.md):\n");
	struct vmm_machine_options d;
	vmm_exec_defaults(&d);
	vmm_devopts_usage(out, &d);
	fprintf(out,
		"\n"
		"Exit status: PROGRAM's (or its signal); 3 when it did not "
		"render through virgl\n(Mesa chose another driver or device); "
		"4 when the driver broke a MUST rule\n(--conformance-fatal); "
		"2 for a usage error; 1 when the shim is missing or the\n"
		"command failed; 126/127 when PROGRAM cannot be run.\n"
		"Environment: VGS_SHIM overrides the shim's path.  See "
		"docs/realdriver.md.\n");
}

enum {
	VMM_EXEC_TRACE = 256,
	VMM_EXEC_NO_CHECK,
	VMM_EXEC_CONFORMANCE,
	VMM_EXEC_CONFORMANCE_FATAL,
};

static const struct option vmm_exec_options[] = {
	{ "trace-ioctls", no_argument, NULL, VMM_EXEC_TRACE },
	{ "no-check", no_argument, NULL, VMM_EXEC_NO_CHECK },
	{ "conformance", required_argument, NULL, VMM_EXEC_CONFORMANCE },
	{ "conformance-fatal", no_argument, NULL, VMM_EXEC_CONFORMANCE_FATAL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The program may change directory: the shim gets an absolute path. */
static int vmm_exec_report_path(struct vmm_exec *ex, const char *arg)
{
	char cwd[PATH_MAX];
	int n;

	if (arg[0] == '/')
		n = snprintf(ex->conformance, sizeof(ex->conformance), "%s", arg);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(ex->conformance, sizeof(ex->conformance), "%s/%s",
			     cwd, arg);
	else
		n = -1;
	if (n < 0 || (size_t)n >= sizeof(ex->conformance) || !arg[0])
		return vmm_usage_error("exec", "--conformance: cannot make an "
				       "absolute path of '%s'", arg);
	return 0;
}

/* One of exec's own options; 1 = help printed, stop. */
static int vmm_exec_apply(void *ctx, int c, const char *arg)
{
	struct vmm_exec *ex = ctx;

	switch (c) {
	case VMM_EXEC_TRACE:
		ex->trace = true;
		return 0;
	case VMM_EXEC_NO_CHECK:
		ex->check = false;
		return 0;
	case VMM_EXEC_CONFORMANCE:
		return vmm_exec_report_path(ex, arg);
	case VMM_EXEC_CONFORMANCE_FATAL:
		ex->conformance_fatal = true;
		return 0;
	case 'h':
		vmm_exec_usage(stdout);
		return 1;
	}
	return -EINVAL;
}

/* Index of PROGRAM in argv, 0 after --help, or -EINVAL. */
static int vmm_exec_parse(int argc, char **argv, struct vmm_exec *ex)
{
	/* "+": stop at PROGRAM, whose own options are not ours. */
	int ret = vmm_cli_parse("exec", argc, argv, vmm_exec_options, "+:h",
				vmm_exec_apply, ex, &ex->opts);

	if (ret > 0 && ret >= argc)
		return vmm_usage_error("exec", "no PROGRAM given");
	return ret;
}

static bool vmm_exec_readable(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, R_OK);
}

/*
 * The shim: $VGS_SHIM, else next to this executable: the build tree
 * (build/vmm/virtgpu-sim above build/vmm/shim/, or a test program two
 * levels down in build/), then the install
 * tree (PREFIX/bin beside PREFIX/LIBDIR/virtgpu-sim).
 */
static int vmm_exec_find_shim(char out[PATH_MAX])
{
	const char *env = getenv(VMM_SHIM_ENV_PATH);
	char exe[PATH_MAX], path[PATH_MAX + 64];
	const char *const rel[] = {
		"shim/",
		"../../vmm/shim/",
		"../lib/virtgpu-sim/",
		"../lib/" VMM_MULTIARCH "/virtgpu-sim/",
		"../lib64/virtgpu-sim/",
	};

	if (env) {
		if (!realpath(env, out) || !vmm_exec_readable(out)) {
			fprintf(stderr, "virtgpu-sim exec: %s=%s: no such "
				"readable file\n", VMM_SHIM_ENV_PATH, env);
			return -ENOENT;
		}
		return 0;
	}
#ifdef VGS_SHIM_INSTALL_DIR
	snprintf(path, sizeof(path), "%s/" SHIM_NAME, VGS_SHIM_INSTALL_DIR);
	if (vmm_exec_readable(path) && realpath(path, out))
		return 0;
#endif
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		for (size_t i = 0; i < SIM_COUNT(rel); i++) {
			snprintf(path, sizeof(path), "%s/%s" SHIM_NAME, exe,
				 rel[i]);
			if (vmm_exec_readable(path) && realpath(path, out))
				return 0;
		}
	}
	fprintf(stderr, "virtgpu-sim exec: cannot find " SHIM_NAME " next to "
		"%s (looked in the build and install trees); set %s to its "
		"path\n", n > 0 ? exe : "this executable", VMM_SHIM_ENV_PATH);
	return -ENOENT;
}

static int vmm_exec_setenv(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int vmm_exec_setenv(const char *name, const char *fmt, ...)
{
	char value[PATH_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(value))
		return -E2BIG;
	return setenv(name, value, 1) ? -errno : 0;
}

/* The status memfd the run's processes report to (vmm/shim/shim.c),
 * named by a path that works whatever fds the program closes. */
static int vmm_exec_status(int *out)
{
	struct stat st;
	int fd = memfd_create("virtgpu-sim-status", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, VMM_SHIM_STATUS_SIZE) || fstat(fd, &st)) {
		int err = -errno;
		fprintf(stderr, "virtgpu-sim exec: status memfd: %s\n",
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	int ret = vmm_exec_setenv(VMM_SHIM_ENV_STATUS, "%llu:/proc/%ld/fd/%d",
				  (unsigned long long)st.st_ino,
				  (long)getpid(), fd);
	if (ret) {
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

static int vmm_exec_environment(const struct vmm_exec *ex, const char *shim,
				int *status_fd)
{
	const struct vmm_machine_options *o = &ex->opts;
	const char *old = getenv("LD_PRELOAD");
	int ret;

	ret = old && *old ? vmm_exec_setenv("LD_PRELOAD", "%s:%s", shim, old)
			  : vmm_exec_setenv("LD_PRELOAD", "%s", shim);
	if (!ret)
		ret = vmm_devopts_to_env(o);
	vmm_record_prepare(o);
	if (!ret)
		ret = vmm_exec_setenv(VMM_SHIM_ENV_TRACE, "%d", ex->trace);
	if (!ret)
		ret = vmm_exec_setenv(VMM_SHIM_ENV_CONFORMANCE, "%s",
				      ex->conformance);
	if (!ret)
		ret = vmm_exec_status(status_fd);
	if (!ret)
		unsetenv(VMM_SHIM_ENV_DISABLE);
	if (ret && ret != -ENOMEM)
		fprintf(stderr, "virtgpu-sim exec: cannot set up the "
			"environment: %s\n", strerror(-ret));
	return ret;
}

/* Why the run did not render through virgl, or NULL if it did. */
static const char *vmm_exec_verdict(int status_fd)
{
	char st[VMM_SHIM_STATUS_SIZE] = { 0 };

	if (pread(status_fd, st, sizeof(st), 0) != (ssize_t)sizeof(st))
		return "its status could not be read";
	if (st[VMM_SHIM_STATUS_VIRGL])
		return NULL;
	if (!st[VMM_SHIM_STATUS_OPENED])
		return "no process of the run opened /dev/dri/renderD128 or "
		       "card0: Mesa chose another device or driver (plain "
		       "llvmpipe? check LIBGL_ALWAYS_SOFTWARE, "
		       "MESA_LOADER_DRIVER_OVERRIDE, EGL_PLATFORM), or the "
		       "program does not use the GPU";
	return "a device node was opened but Mesa's virgl driver never "
	       "initialised on it (no DRM_IOCTL_VIRTGPU_GET_CAPS): another "
	       "driver, such as kms_swrast, was loaded; --trace-ioctls shows "
	       "what it did";
}

/*
 * Wait for the program, passing on the signals someone sends to this
 * command (kill, a test runner's timeout).  Signals from the terminal
 * (Ctrl-C) reach the program on their own, through the process group, and
 * are not sent twice.
 */
static int vmm_exec_wait(pid_t pid, const sigset_t *set)
{
	int status;

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		if (sig < 0 && errno != EINTR)
			return -errno;
		if (sig == SIGCHLD || sig < 0) {
			pid_t got = waitpid(pid, &status, WNOHANG);
			if (got == pid)
				return status;
			if (got < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		if (si.si_code == SI_USER || si.si_code == SI_QUEUE)
			kill(pid, sig);
	}
}

/* Run @argv as a child with the blocked signals of @old restored. */
static int vmm_exec_spawn(char **argv, const sigset_t *old, pid_t *out)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "virtgpu-sim exec: fork: %s\n", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		execvp(argv[0], argv);
		int err = errno;
		fprintf(stderr, "virtgpu-sim exec: cannot run %s: %s\n", argv[0],
			strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
	*out = pid;
	return 0;
}

/* The program's end as this command's: its exit status, or the same
 * signal (so a crash stays a crash for whoever runs us). */
static int vmm_exec_pass_on(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	int sig = WTERMSIG(status);
	signal(sig, SIG_DFL);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	return 128 + sig;	/* the signal did not end us (SIGPIPE ignored) */
}

int vmm_cmd_exec(int argc, char **argv)
{
	struct vmm_exec ex = { .check = true };
	char shim[PATH_MAX];
	sigset_t set, old;
	int status_fd = -1;
	pid_t pid = -1;

	vmm_exec_defaults(&ex.opts);
	int first = vmm_exec_parse(argc, argv, &ex);
	if (first <= 0)
		return first == 0 ? EXIT_SUCCESS : EXIT_USAGE;
	if (vmm_exec_find_shim(shim))
		return EXIT_NO_SHIM;
	if (strpbrk(shim, " :")) {
		/* ld.so splits LD_PRELOAD at spaces and colons */
		fprintf(stderr, "virtgpu-sim exec: the shim's path '%s' "
			"contains a space or a colon, which LD_PRELOAD cannot "
			"carry\n", shim);
		return EXIT_NO_SHIM;
	}
	if (getenv("LIBGL_ALWAYS_SOFTWARE"))
		fprintf(stderr, "virtgpu-sim exec: warning: "
			"LIBGL_ALWAYS_SOFTWARE is set: Mesa will not use the "
			"simulated device\n");
	if (vmm_exec_environment(&ex, shim, &status_fd))
		return EXIT_FAILURE;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	int status = vmm_exec_spawn(argv + first, &old, &pid);
	if (!status)
		status = vmm_exec_wait(pid, &set);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (status < 0) {
		close(status_fd);
		return EXIT_FAILURE;
	}
	/* The check only judges a program that ran and exited: one that
	 * could not be run (126/127) or died of a signal reports that. */
	bool judged = ex.check && WIFEXITED(status) &&
		      WEXITSTATUS(status) != 126 && WEXITSTATUS(status) != 127;
	const char *why = judged ? vmm_exec_verdict(status_fd) : NULL;
	char must = 0;
	if (ex.conformance_fatal &&
	    pread(status_fd, &must, 1, VMM_SHIM_STATUS_MUST) != 1)
		must = 1;	/* unknown: fail rather than pass */
	close(status_fd);
	if (must) {
		fprintf(stderr, "virtgpu-sim exec: --conformance-fatal: the "
			"driver broke a MUST rule of virtio 1.4 5.7 (the "
			"device's log names it%s%s).\n",
			ex.conformance[0] ? "; see " : "", ex.conformance);
		return EXIT_CONFORMANCE;
	}
	if (why) {
		fprintf(stderr, "virtgpu-sim exec: %s did not render through "
			"virgl: %s.\n", argv[first], why);
		return EXIT_NOT_VIRGL;
	}
	return vmm_exec_pass_on(status);
}
