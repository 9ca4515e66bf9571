// SPDX-License-Identifier: MIT
/*
 * The shim's life cycle: the global state, which threads pass through,
 * starting the machine on the first open of a device node, teardown at
 * exit, and the status report to `virtgpu-sim exec`.
 *
 * Host threads.  The device thread must see the real system: its own EGL
 * set-up enumerates EGL devices, and a fake /dev/dri there would hand the
 * host the guest's device.  The machine is created with the calling
 * thread inside the shim (depth > 0), and every thread created while a
 * thread is inside the shim or is a host thread becomes a host thread
 * (the pthread_create wrapper marks it before it runs).  That covers the
 * device thread and everything virglrenderer, llvmpipe and libuv start
 * from it, with no hook in host/ or sim/.
 *
 * The status report.  `virtgpu-sim exec` fails a run that ended on another
 * driver, such as plain llvmpipe, and needs to know what the program did.
 * Every process of the run writes into the status memfd the command
 * created (options.h): "opened a device node" when an open succeeds, and
 * "virgl" when DRM_IOCTL_VIRTGPU_GET_CAPS succeeds: only Mesa's virgl
 * winsys reads capsets, at screen creation, so this names the driver that
 * was loaded, not merely that a node was opened (kms_swrast would open it
 * too, and a surfaceless EGL that fell back to llvmpipe opens nothing).
 * The memfd is reached by path each time, so a program that closes
 * inherited fds still reports; the command reads it after the program has
 * exited, however it exited (dash, for one, leaves with _exit, so no check
 * inside the program could run reliably).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vmm/shim/options.h"
#include "vmm/shim/shim.h"
#include "kernelmock/km.h"
#include "vmm/machine.h"

struct vmm_shim vmm_shim = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.fds_lock = PTHREAD_MUTEX_INITIALIZER,
	.exit_lock = PTHREAD_MUTEX_INITIALIZER,
};

/* Per thread: a host thread, and how deep inside the shim. */
static __thread bool tls_host __attribute__((tls_model("initial-exec")));
static __thread unsigned tls_depth __attribute__((tls_model("initial-exec")));

bool vmm_shim_in_machine(void)
{
	return tls_host || tls_depth;
}

bool vmm_shim_host_thread(void)
{
	return tls_host;
}

bool vmm_shim_passthrough(void)
{
	return tls_host || tls_depth || !vmm_shim.configured ||
	       vmm_shim.inert;
}

void vmm_shim_enter(void)
{
	tls_depth++;
}

void vmm_shim_leave(void)
{
	tls_depth--;
}

void vmm_shim_error(const char *call, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, VMM_SHIM_TAG ": %s: %s\n", call, msg);
}

/* Set one flag byte of the run's status memfd (see the top of the file). */
static void status_set(enum vmm_shim_status_byte byte)
{
	static const char one = 1;
	struct stat st;

	if (!vmm_shim.status_path[0])
		return;
	int fd = REAL(open)(vmm_shim.status_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Only the memfd the command created: the path names an fd of
	 * another process, which could have been reused. */
	if (!REAL(fstat)(fd, &st) && st.st_ino == vmm_shim.status_ino &&
	    pwrite(fd, &one, 1, byte) != 1)
		vmm_shim_error("status", "cannot write %s: %s",
				 vmm_shim.status_path, strerror(errno));
	REAL(close)(fd);
}

void vmm_shim_note_opened(void)
{
	pthread_mutex_lock(&vmm_shim.lock);
	if (!vmm_shim.opened) {
		vmm_shim.opened = true;
		status_set(VMM_SHIM_STATUS_OPENED);
	}
	pthread_mutex_unlock(&vmm_shim.lock);
}

void vmm_shim_note_must_violated(void)
{
	status_set(VMM_SHIM_STATUS_MUST);
}

void vmm_shim_note_virgl(void)
{
	pthread_mutex_lock(&vmm_shim.lock);
	if (!vmm_shim.virgl) {
		vmm_shim.virgl = true;
		status_set(VMM_SHIM_STATUS_VIRGL);
	}
	pthread_mutex_unlock(&vmm_shim.lock);
}

int vmm_shim_machine_start_locked(const char *call, struct km_device **out)
{
	if (vmm_shim.opts_error[0]) {
		vmm_shim_error(call, "%s", vmm_shim.opts_error);
		return -EINVAL;
	}
	if (vmm_shim.shutdown) {
		vmm_shim_error(call, "the simulated machine was shut down "
				 "(the process is exiting, or called exec)");
		return -ENODEV;
	}
	if (vmm_shim.forked) {
		vmm_shim_error(call, "the simulated machine lives in the "
				 "parent process; a fork child cannot use it "
				 "(exec a new program instead)");
		return -ENODEV;
	}
	if (vmm_shim.machine_err)
		return vmm_shim.machine_err;	/* reported the first time */
	if (!vmm_shim.machine) {
		vmm_shim_enter();
		int ret = vmm_machine_create(&vmm_shim.opts, &vmm_shim.machine);
		vmm_shim_leave();
		vmm_shim.machine_pid = getpid();
		if (ret) {
			vmm_shim_error(call, "the simulated machine did not "
					 "start: %s (details above)",
					 strerror(-ret));
			vmm_shim.machine_err = ret < 0 ? ret : -EIO;
			return vmm_shim.machine_err;
		}
	}
	*out = vmm_machine_kernel(vmm_shim.machine);
	return 0;
}

/* --- threads --- */

struct vmm_host_start {
	void *(*fn)(void *);
	void *arg;
	bool host;		/* a host thread */
	bool faults_blocked;	/* inherits a mask blocking SIGSEGV/SIGBUS */
};

static void *host_thread_main(void *p)
{
	struct vmm_host_start start = *(struct vmm_host_start *)p;

	free(p);
	tls_host = start.host;
	if (start.faults_blocked)
		vmm_shim_faults_blocked(true);
	return start.fn(start.arg);
}

int pthread_create(pthread_t *restrict thread,
		   const pthread_attr_t *restrict attr,
		   void *(*fn)(void *), void *restrict arg)
{
	bool host = tls_host || tls_depth;
	bool blocked = vmm_shim_faults_blocked_now();
	if (!host && !blocked)
		return REAL(pthread_create)(thread, attr, fn, arg);
	struct vmm_host_start *start = malloc(sizeof(*start));
	if (!start)
		return EAGAIN;
	start->fn = fn;
	start->arg = arg;
	start->host = host;
	start->faults_blocked = blocked;
	int ret = REAL(pthread_create)(thread, attr, host_thread_main, start);
	if (ret)
		free(start);
	return ret;
}

/*
 * A fork child has the machine's memory but not its device thread: mark
 * it so that its calls fail with a message instead of hanging, and never
 * tear the machine down there.  The lock may have been held by another
 * thread of the parent at fork time.
 */
static void atfork_child(void)
{
	pthread_mutex_init(&vmm_shim.lock, NULL);
	pthread_cond_init(&vmm_shim.cond, NULL);
	pthread_mutex_init(&vmm_shim.fds_lock, NULL);
	pthread_mutex_init(&vmm_shim.exit_lock, NULL);
	if (vmm_shim.machine)
		vmm_shim.forked = true;
}

/* --- set-up and teardown --- */

/* virglrenderer starts the render server from the device thread with our
 * environment: LD_PRELOAD reaches it, and it must not become a "VM". */
static bool is_render_server(void)
{
	char exe[PATH_MAX];
	ssize_t n = REAL(readlink)("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	return strcmp(base ? base + 1 : exe, "virgl_render_server") == 0;
}

/* VGS_SHIM_STATUS=INODE:PATH (options.h). */
static void parse_status(void)
{
	const char *s = getenv(VMM_SHIM_ENV_STATUS);
	unsigned long long ino;
	int path_at = 0;

	if (!s || sscanf(s, "%llu:%n", &ino, &path_at) != 1 || !path_at ||
	    strlen(s + path_at) >= sizeof(vmm_shim.status_path))
		return;
	vmm_shim.status_ino = (ino_t)ino;
	strcpy(vmm_shim.status_path, s + path_at);
}

__attribute__((constructor)) static void vmm_shim_init(void)
{
	const char *off = getenv(VMM_SHIM_ENV_DISABLE);

	if ((off && strcmp(off, "1") == 0) || is_render_server()) {
		vmm_shim.inert = true;
		vmm_shim.configured = true;
		return;
	}
	if (vmm_shim_config_parse(&vmm_shim.opts, &vmm_shim.trace,
				    vmm_shim.opts_error,
				    sizeof(vmm_shim.opts_error)))
		vmm_shim_error("start-up", "%s", vmm_shim.opts_error);
	parse_status();
	/* the main thread's mask, inherited from whoever exec'd us */
	sigset_t mask;
	if (!pthread_sigmask(SIG_BLOCK, NULL, &mask))
		vmm_shim_faults_blocked(sigismember(&mask, SIGSEGV) == 1 ||
					sigismember(&mask, SIGBUS) == 1);
	pthread_atfork(NULL, NULL, atfork_child);
	/* Plain user copies: this shim routes the program's sigaction and
	 * signal to kernelmock (signals.c).  -ENOSYS under valgrind. */
	km_uaccess_fast_enable();
	if (vmm_shim_exit_register())
		vmm_shim_error("start-up", "cannot register the exit handler: "
				 "the device may still run when other "
				 "libraries' exit handlers do");
	__atomic_store_n(&vmm_shim.configured, true, __ATOMIC_RELEASE);
}

/* Normally a no-op: the exit handler (exit.c) has shut the machine down
 * before any library's destructor ran.  This catches a machine started
 * after exit() began (from another library's exit handler). */
__attribute__((destructor)) static void vmm_shim_fini(void)
{
	if (vmm_shim.inert || !vmm_shim.configured)
		return;
	vmm_shim_shutdown("exit");
}
