// SPDX-License-Identifier: MIT
/*
 * copy_from_user / copy_to_user for a "user space" that is this very
 * process.  process_vm_readv/writev on ourselves check every page and fail
 * with EFAULT instead of faulting, so a bad pointer in an ioctl argument
 * gives the program -EFAULT, as the kernel would, and never a crash.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sys/uio.h>

#include "kernelmock/km_internal.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

/*
 * Our own pid, for process_vm_*v.  glibc's getpid() is a system call, and
 * on this machine kind each costs 1-2 us: a fenced EXECBUFFER makes four
 * copies, so asking every time was a measurable part of the round trip
 * (docs/performance.md).  The pid is a fact of the process, not of a
 * device, hence one cache per process; a forked child must not copy from
 * its parent, so the child handler of pthread_atfork forgets it.
 */
static _Atomic pid_t self_pid;
static pthread_once_t self_pid_once = PTHREAD_ONCE_INIT;

static void self_pid_forget(void)
{
	atomic_store(&self_pid, 0);
}

static void self_pid_register(void)
{
	pthread_atfork(NULL, NULL, self_pid_forget);
}

static pid_t self(void)
{
	pid_t pid = atomic_load_explicit(&self_pid, memory_order_relaxed);

	if (pid == 0) {
		pthread_once(&self_pid_once, self_pid_register);
		pid = getpid();
		atomic_store_explicit(&self_pid, pid, memory_order_relaxed);
	}
	return pid;
}

static int self_copy(void *local, uint64_t uptr, size_t len, bool to_user)
{
	if (len == 0)
		return 0;
	if (uptr == 0 || uptr + len < uptr)
		return -EFAULT;
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)uptr, .iov_len = len };
	ssize_t n = to_user ? process_vm_writev(self(), &l, 1, &r, 1, 0)
			    : process_vm_readv(self(), &l, 1, &r, 1, 0);
	if (n != (ssize_t)len)
		return -EFAULT;
	/* memcheck does not model process_vm_*v on its own process: tell it
	 * the destination now holds data. */
	VALGRIND_MAKE_MEM_DEFINED(to_user ? r.iov_base : local, len);
	return 0;
}

int km__copy_from_user(void *dst, uint64_t uptr, size_t len)
{
	return self_copy(dst, uptr, len, false);
}

int km__copy_to_user(uint64_t uptr, const void *src, size_t len)
{
	return self_copy((void *)src, uptr, len, true);
}
