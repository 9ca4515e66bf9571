/* SPDX-License-Identifier: MIT */
/*
 * The libc functions the shim calls through to, once each (X-macro: each
 * user defines GUEST_REAL_FN(name) before including this file; no include
 * guard on purpose).  The fortified (__*_chk, __open_2) and old stat
 * (__xstat, ...) entry points are not here: the shim serves them through
 * its own wrappers of the plain functions.
 */
/* files and paths (fs.c) */
GUEST_REAL_FN(open)
GUEST_REAL_FN(open64)
GUEST_REAL_FN(openat)
GUEST_REAL_FN(openat64)
GUEST_REAL_FN(fopen)
GUEST_REAL_FN(fopen64)
GUEST_REAL_FN(stat)
GUEST_REAL_FN(stat64)
GUEST_REAL_FN(lstat)
GUEST_REAL_FN(lstat64)
GUEST_REAL_FN(fstat)
GUEST_REAL_FN(fstat64)
GUEST_REAL_FN(fstatat)
GUEST_REAL_FN(fstatat64)
GUEST_REAL_FN(statx)
GUEST_REAL_FN(access)
GUEST_REAL_FN(faccessat)
GUEST_REAL_FN(readlink)
GUEST_REAL_FN(readlinkat)
GUEST_REAL_FN(realpath)
/* directories (dir.c) */
GUEST_REAL_FN(opendir)
GUEST_REAL_FN(readdir)
GUEST_REAL_FN(readdir64)
GUEST_REAL_FN(readdir_r)
GUEST_REAL_FN(readdir64_r)
GUEST_REAL_FN(closedir)
GUEST_REAL_FN(dirfd)
GUEST_REAL_FN(rewinddir)
GUEST_REAL_FN(telldir)
GUEST_REAL_FN(seekdir)
GUEST_REAL_FN(scandir)
GUEST_REAL_FN(scandir64)
/* the device file (dev.c) */
GUEST_REAL_FN(ioctl)
GUEST_REAL_FN(mmap)
GUEST_REAL_FN(mmap64)
GUEST_REAL_FN(munmap)
GUEST_REAL_FN(close)
GUEST_REAL_FN(dup2)
GUEST_REAL_FN(dup3)
GUEST_REAL_FN(read)
GUEST_REAL_FN(poll)
GUEST_REAL_FN(ppoll)
GUEST_REAL_FN(select)
GUEST_REAL_FN(pselect)
GUEST_REAL_FN(epoll_ctl)
/* threads (shim.c) */
GUEST_REAL_FN(pthread_create)
