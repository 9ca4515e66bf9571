// SPDX-License-Identifier: MIT
/*
 * realdriver-fdtab: run under `virtgpu-sim exec --no-check`.  What a
 * program may do with the render node's fd and with the argument memory
 * of its ioctls, checked as TAP (docs/performance.md, "The lean guest
 * path": the shim knows its fds from a table, the kernel copies with
 * plain loads where memory is there):
 *   1  dup, fcntl(F_DUPFD_CLOEXEC), dup2 and dup3 copies of the node
 *      answer DRM ioctls, and keep answering once the original is closed
 *   2  a number that was a node's copy and was replaced by dup2 of a
 *      regular file is that file again (ENOTTY from its ioctl)
 *   3  after the last copy is closed, a new file that gets the number is
 *      not the node (ENOTTY), and a fresh open of the node works
 *   4  close_range over copies forgets them; the node opened before the
 *      range still works
 *   5  a fork child's ioctl on the node fails with EIO (the device is the
 *      parent's), and the parent's still works afterwards
 *   6  EFAULT, exactly: the argument pointer NULL, in an unmapped page,
 *      in a PROT_NONE page, straddling into an unmapped page; GETPARAM's
 *      value pointer in a read-only page (the kernel writes there)
 *   7  the same calls with the argument at the very end of good memory
 *      succeed (no over-read), and on another thread's stack
 *   8  poll on a fence fd of a submit, and on its dup, report POLLIN
 *   9  with the program's own SIGSEGV handler installed, a bad ioctl
 *      pointer is still EFAULT, and a fault of the program's own still
 *      reaches its handler
 *  10  on a thread that blocks every signal (as Mesa's threads do), a
 *      bad pointer is EFAULT, not the death of the process
 *  11  state queries make no system call: 1000 GETPARAM and 1000
 *      WAIT(NOWAIT) on an idle bo, counted by the kernel on this thread
 *      (perf_event_open; skipped where the kernel refuses), stay under
 *      100 system calls (a lock handed over may cost a futex or two)
 *  12  a program without a SIGSEGV handler that faults dies of SIGSEGV,
 *      as without the shim (kernelmock's handler steps aside)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kernelmock/virtgpu_drm.h"

static unsigned failed;

static void tap(unsigned n, bool ok, const char *name)
{
	printf("%s %u - %s\n", ok ? "ok" : "not ok", n, name);
	if (!ok)
		failed++;
	fflush(stdout);
}

/* DRM_IOCTL_VERSION without buffers: 0 on the node. */
static int version(int fd)
{
	struct drm_version v;
	memset(&v, 0, sizeof(v));
	return ioctl(fd, DRM_IOCTL_VERSION, &v) ? -errno : 0;
}

static int getparam(int fd, void *arg)
{
	return ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, arg) ? -errno : 0;
}

static bool copies(int node)
{
	int a = dup(node);
	int b = fcntl(node, F_DUPFD_CLOEXEC, 3);
	int c = dup2(node, 200) == 200 ? 200 : -1;
	int d = dup3(node, 201, O_CLOEXEC) == 201 ? 201 : -1;
	bool ok = a >= 0 && b >= 0 && c >= 0 && d >= 0 && !version(a) &&
		  !version(b) && !version(c) && !version(d);
	close(b);
	close(c);
	close(d);
	ok = ok && !version(a) && !version(node);
	close(node);
	ok = ok && !version(a);		/* the original is gone */
	close(a);
	return ok;
}

static bool replaced(void)
{
	int node = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	int file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	bool ok = node >= 0 && file >= 0 && dup2(node, 300) == 300 &&
		  !version(300) && dup2(file, 300) == 300 &&
		  version(300) == -ENOTTY && !version(node);
	close(300);
	close(file);
	close(node);
	return ok;
}

static bool reused(void)
{
	int node = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	bool ok = node >= 0 && !version(node);
	close(node);
	int file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ok = ok && file == node && version(file) == -ENOTTY;
	close(file);
	int again = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	ok = ok && again >= 0 && !version(again);
	close(again);
	return ok;
}

static bool range(int keep)
{
	int a = dup2(keep, 400), b = dup2(keep, 401);
	bool ok = a == 400 && b == 401 && !version(401);
	ok = ok && close_range(400, 401, 0) == 0;
	int file = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (file >= 0 && dup2(file, 401) == 401)
		ok = ok && version(401) == -ENOTTY;
	close(401);
	close(file);
	return ok && !version(keep);
}

static bool forked(int node)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(version(node) == -EIO ? 0 : 1);
	int status = 0;
	waitpid(pid, &status, 0);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	       !version(node);
}

static bool efault(int node, long page)
{
	char *m = mmap(NULL, 3 * (size_t)page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return false;
	/* page 0 good, page 1 read-only, page 2 unmapped; and a PROT_NONE
	 * page elsewhere */
	munmap(m + 2 * page, (size_t)page);
	mprotect(m + page, (size_t)page, PROT_READ);
	char *none = mmap(NULL, (size_t)page, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_virtgpu_getparam *edge =
		(void *)(m + page - sizeof(*edge));
	struct drm_virtgpu_getparam *ro_arg = (void *)m;
	int value;
	ro_arg->param = VIRTGPU_PARAM_3D_FEATURES;
	ro_arg->value = (uintptr_t)(m + page);	/* read-only: no write */
	bool ok = none != MAP_FAILED &&
		  getparam(node, NULL) == -EFAULT &&
		  getparam(node, m + 2 * page) == -EFAULT &&
		  getparam(node, none) == -EFAULT &&
		  getparam(node, m + 3 * page - 8) == -EFAULT &&
		  getparam(node, ro_arg) == -EFAULT;
	edge->param = VIRTGPU_PARAM_3D_FEATURES;
	edge->value = (uintptr_t)&value;
	ok = ok && getparam(node, edge) == 0;
	munmap(none, (size_t)page);
	munmap(m, 2 * (size_t)page);
	/* freed memory that is unmapped is a fault too */
	ok = ok && getparam(node, edge) == -EFAULT;
	return ok;
}

struct thread_arg {
	int node;
	int ret;
};

static void *on_thread(void *p)
{
	struct thread_arg *t = p;
	int value = -1;
	struct drm_virtgpu_getparam gp = {
		.param = VIRTGPU_PARAM_3D_FEATURES,
		.value = (uintptr_t)&value,
	};
	t->ret = getparam(t->node, &gp) ? -1 : value;
	return NULL;
}

static bool edge_ok(int node)
{
	struct thread_arg t = { .node = node, .ret = -1 };
	pthread_t th;
	if (pthread_create(&th, NULL, on_thread, &t))
		return false;
	pthread_join(th, NULL);
	return t.ret == 1;
}

/* A fenced submit's out-fence fd and its dup both become readable. */
static bool fence_poll(int node)
{
	static const uint32_t noop[] = { 0x0001001c, 0 };	/* SET_SUB_CTX 0 */
	struct drm_virtgpu_execbuffer eb = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT,
		.size = sizeof(noop),
		.command = (uintptr_t)noop,
		.fence_fd = -1,
	};
	if (ioctl(node, DRM_IOCTL_VIRTGPU_EXECBUFFER, &eb) || eb.fence_fd < 0)
		return false;
	int copy = dup(eb.fence_fd);
	struct pollfd p[2] = {
		{ .fd = eb.fence_fd, .events = POLLIN },
		{ .fd = copy, .events = POLLIN },
	};
	bool ok = poll(p, 2, 5000) == 2 && (p[0].revents & POLLIN) &&
		  (p[1].revents & POLLIN);
	close(copy);
	close(eb.fence_fd);
	return ok;
}

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

static sigjmp_buf own_fault;
static volatile uintptr_t own_bad = 16;
static volatile sig_atomic_t own_faults;

static void own_handler(int sig)
{
	(void)sig;
	own_faults++;
	siglongjmp(own_fault, 1);
}

static bool own_handler_chained(int node)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = own_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old))
		return false;
	bool ok = getparam(node, (void *)16) == -EFAULT && own_faults == 0;
	if (!sigsetjmp(own_fault, 1))
		*(volatile int *)own_bad = 1;	/* the program's own fault */
	ok = ok && own_faults == 1 && getparam(node, (void *)16) == -EFAULT;
	sigaction(SIGSEGV, &old, NULL);
	return ok;
}

static void *blocked_thread(void *p)
{
	struct thread_arg *t = p;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	t->ret = getparam(t->node, (void *)16);
	return NULL;
}

static bool blocked_efault(int node)
{
	struct thread_arg t = { .node = node, .ret = 0 };
	pthread_t th;
	if (pthread_create(&th, NULL, blocked_thread, &t))
		return false;
	pthread_join(th, NULL);
	return t.ret == -EFAULT;
}

/* A counter of this thread's system calls, or -1. */
static int syscall_counter(void)
{
	FILE *f = fopen("/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
			"r");
	long id = -1;
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &id) != 1)
		id = -1;
	fclose(f);
	if (id < 0)
		return -1;
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)id;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

/* -1: no counter here; else the system calls 2000 queries made. */
static long long queries_syscalls(int node)
{
	struct drm_virtgpu_resource_create rc = {
		.target = 0 /* PIPE_BUFFER */, .format = 64 /* R8_UNORM */,
		.bind = 1u << 4 /* VERTEX_BUFFER */, .width = 4096,
		.height = 1, .depth = 1, .array_size = 1, .size = 4096,
	};
	int value;
	struct drm_virtgpu_getparam gp = {
		.param = VIRTGPU_PARAM_3D_FEATURES, .value = (uintptr_t)&value,
	};
	int c = syscall_counter();
	if (c < 0)
		return -1;
	if (ioctl(node, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc)) {
		close(c);
		return -2;
	}
	struct drm_virtgpu_3d_wait w = {
		.handle = rc.bo_handle, .flags = VIRTGPU_WAIT_NOWAIT,
	};
	while (ioctl(node, DRM_IOCTL_VIRTGPU_WAIT, &w))	/* idle first */
		usleep(1000);
	uint64_t before = 0, after = 0;
	bool ok = read(c, &before, sizeof(before)) == sizeof(before);
	for (int i = 0; i < 1000 && ok; i++)
		ok = !ioctl(node, DRM_IOCTL_VIRTGPU_GETPARAM, &gp) &&
		     !ioctl(node, DRM_IOCTL_VIRTGPU_WAIT, &w);
	ok = ok && read(c, &after, sizeof(after)) == sizeof(after);
	close(c);
	struct drm_gem_close gc = { .handle = rc.bo_handle };
	ioctl(node, DRM_IOCTL_GEM_CLOSE, &gc);
	/* the two reads of the counter are system calls too */
	return ok ? (long long)(after - before) : -2;
}

static bool dies_of_segv(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		*(volatile int *)own_bad = 1;
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return pid > 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);

	printf("1..12\n");
	int node = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	tap(1, node >= 0 && copies(node), "copies of the node answer ioctls");
	tap(2, replaced(), "dup2 of a file over a copy: the file again");
	tap(3, reused(), "a closed node's number reused: not the node");
	node = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
	tap(4, node >= 0 && range(node), "close_range forgets copies");
	tap(5, forked(node), "fork child: EIO; the parent goes on");
	tap(6, efault(node, page), "EFAULT exactly where memory is not");
	tap(7, edge_ok(node), "arguments on another thread's stack");
	tap(8, fence_poll(node), "fence fd and its dup poll readable");
	/* memcheck reports the program's own fault as an error */
	if (RUNNING_ON_VALGRIND)
		printf("ok 9 # SKIP a deliberate fault under valgrind\n");
	else
		tap(9, own_handler_chained(node), "the program's SIGSEGV "
		    "handler chained: EFAULT stays, its own faults reach it");
	tap(10, blocked_efault(node), "a thread blocking all signals: EFAULT");
	long long calls = queries_syscalls(node);
	if (calls == -1 || RUNNING_ON_VALGRIND)
		printf("ok 11 # SKIP no system call counter (or valgrind's "
		       "checked copies)\n");
	else
		tap(11, calls >= 0 && calls < 100, "state queries without "
		    "system calls");
	printf("# 2000 queries: %lld system calls\n", calls);
	if (RUNNING_ON_VALGRIND)
		printf("ok 12 # SKIP a deliberate fault under valgrind\n");
	else
		tap(12, dies_of_segv(), "a fault of the program's own is "
		    "still its death");
	close(node);
	return failed ? 1 : 0;
}
