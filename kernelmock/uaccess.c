// SPDX-License-Identifier: MIT
/*
 * copy_from_user / copy_to_user for a "user space" that is this very
 * process.  process_vm_readv/writev on ourselves check every page and fail
 * with EFAULT instead of faulting, so a bad pointer in an ioctl argument
 * gives the program -EFAULT, as the kernel would, and never a crash.
 */
#include <errno.h>
#include <unistd.h>
#include <sys/uio.h>

#include "kernelmock/km_internal.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

static int self_copy(void *local, uint64_t uptr, size_t len, bool to_user)
{
	if (len == 0)
		return 0;
	if (uptr == 0 || uptr + len < uptr)
		return -EFAULT;
	struct iovec l = { .iov_base = local, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)uptr, .iov_len = len };
	ssize_t n = to_user ? process_vm_writev(getpid(), &l, 1, &r, 1, 0)
			    : process_vm_readv(getpid(), &l, 1, &r, 1, 0);
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
