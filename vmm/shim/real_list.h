/* SPDX-License-Identifier: MIT */
/*
 * The libc functions the shim calls through to, once each (X-macro: each
 * user defines VMM_REAL_FN(name) before including this file; no include
 * guard on purpose).  The fortified (__*_chk, __open_2) and old stat
 * (__xstat, ...) entry points are not here: the shim serves them through
 * its own wrappers of the plain functions.
 */
/* files and paths (fs.c) */
VMM_REAL_FN(open)
VMM_REAL_FN(open64)
VMM_REAL_FN(openat)
VMM_REAL_FN(openat64)
VMM_REAL_FN(fopen)
VMM_REAL_FN(fopen64)
VMM_REAL_FN(stat)
VMM_REAL_FN(stat64)
VMM_REAL_FN(lstat)
VMM_REAL_FN(lstat64)
VMM_REAL_FN(fstat)
VMM_REAL_FN(fstat64)
VMM_REAL_FN(fstatat)
VMM_REAL_FN(fstatat64)
VMM_REAL_FN(statx)
VMM_REAL_FN(access)
VMM_REAL_FN(faccessat)
VMM_REAL_FN(readlink)
VMM_REAL_FN(readlinkat)
VMM_REAL_FN(realpath)
/* directories (dir.c) */
VMM_REAL_FN(opendir)
VMM_REAL_FN(readdir)
VMM_REAL_FN(readdir64)
VMM_REAL_FN(readdir_r)
VMM_REAL_FN(readdir64_r)
VMM_REAL_FN(closedir)
VMM_REAL_FN(dirfd)
VMM_REAL_FN(rewinddir)
VMM_REAL_FN(telldir)
VMM_REAL_FN(seekdir)
VMM_REAL_FN(scandir)
VMM_REAL_FN(scandir64)
/* the device file (dev.c) */
VMM_REAL_FN(ioctl)
VMM_REAL_FN(mmap)
VMM_REAL_FN(mmap64)
VMM_REAL_FN(munmap)
VMM_REAL_FN(close)
VMM_REAL_FN(dup2)
VMM_REAL_FN(dup3)
VMM_REAL_FN(read)
VMM_REAL_FN(poll)
VMM_REAL_FN(ppoll)
VMM_REAL_FN(select)
VMM_REAL_FN(pselect)
VMM_REAL_FN(epoll_ctl)
/* threads (shim.c) */
VMM_REAL_FN(pthread_create)
