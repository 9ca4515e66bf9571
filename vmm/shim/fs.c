// SPDX-License-Identifier: MIT
/*
 * Path-based libc calls, interposed: open, fopen, stat and friends,
 * access, readlink, realpath.  Each resolves its path over the fake tree
 * (vfs.c): a device node opens a kernelmock file (node.c), a fake sysfs
 * file opens a read-only copy of its contents, and everything else goes
 * to libc, at the canonical path when a fake symlink led out of the tree.
 *
 * Relative paths are not resolved against the working directory: they go
 * to libc as they are (docs/realdriver.md, "Limits").
 */
#undef _FILE_OFFSET_BITS	/* define stat and stat64 as libc does */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "vmm/shim/shim.h"

/* Old and fortified entry points: not declared by glibc 2.36's headers. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
		 int flags);
ssize_t __readlink_chk(const char *path, char *buf, size_t len,
		       size_t buflen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);
void __chk_fail(void) __attribute__((noreturn));

/* The stat version the __xstat family takes on x86-64 (_STAT_VER_LINUX). */
#define VMM_STAT_VER 1

static int fail(int err)
{
	errno = -err;
	return -1;
}

/* A relative path resolved against a directory fd other than the working
 * directory: never fake.  (Not inlined: glibc marks some path parameters
 * nonnull, but a NULL must reach libc and fail there with EFAULT.) */
static __attribute__((noinline)) bool dir_relative(int dirfd,
						   const char *path)
{
	return path && path[0] != '/' && dirfd != AT_FDCWD;
}

static bool wants_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/*
 * open(2) of @res's fake node.  Directories are not served as fds (nothing
 * in Mesa or libdrm opens them; opendir is interposed on its own), and
 * nothing fake is writable except the device nodes.
 */
static int open_fake(const char *call, const char *path,
		     const struct vmm_vfs_res *res, int flags)
{
	const struct vmm_vnode *n = res->node;

	if ((flags & O_CREAT) && (flags & O_EXCL))
		return fail(-EEXIST);
	switch (n->kind) {
	case VMM_VNODE_CHR:
		if (flags & O_DIRECTORY)
			return fail(-ENOTDIR);
		return vmm_shim_node_open(call, n->minor, flags);
	case VMM_VNODE_FILE: {
		if (flags & O_DIRECTORY)
			return fail(-ENOTDIR);
		if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
			return fail(-EACCES);
		int fd = vmm_vfs_file_fd(n, flags);
		return fd < 0 ? fail(fd) : fd;
	}
	case VMM_VNODE_LINK:
		/* only reached with O_NOFOLLOW */
		return fail(-ELOOP);
	case VMM_VNODE_DIR:
		if ((flags & O_ACCMODE) != O_RDONLY)
			return fail(-EISDIR);
		vmm_shim_error(call, "%s is a directory of the simulated "
				 "device; the shim serves it through opendir() "
				 "only, not as a file descriptor", path);
		return fail(-EOPNOTSUPP);
	}
	return fail(-EINVAL);
}

static int do_openat(const char *call, int dirfd, const char *path,
		     int flags, mode_t mode)
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough())	/* the machine's own opens too */
		return vmm_shim_fd_own(REAL(openat)(dirfd, path, flags,
						    mode));
	/* vmm_shim_fd_own: a new fd is no node (fdtab.c) */
	if (dir_relative(dirfd, path))
		return vmm_shim_fd_own(REAL(openat)(dirfd, path, flags, mode));
	switch (vmm_vfs_resolve(path, !(flags & O_NOFOLLOW), &res)) {
	case VMM_VFS_REAL:
		return vmm_shim_fd_own(REAL(openat)(dirfd, path, flags, mode));
	case VMM_VFS_REDIRECT:
		return vmm_shim_fd_own(REAL(openat)(AT_FDCWD, res.canon, flags,
						    mode));
	case VMM_VFS_ERROR:
		return fail(res.err);
	case VMM_VFS_FAKE:
		return open_fake(call, path, &res, flags);
	}
	return fail(-EINVAL);
}

#define GET_MODE(flags, mode)                            \
	do {                                             \
		if (wants_mode(flags)) {                 \
			va_list ap;                      \
			va_start(ap, flags);             \
			mode = (mode_t)va_arg(ap, int);  \
			va_end(ap);                      \
		}                                        \
	} while (0)

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	return do_openat("open", AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	return do_openat("open64", AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	return do_openat("openat", dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	GET_MODE(flags, mode);
	return do_openat("openat64", dirfd, path, flags | O_LARGEFILE, mode);
}

/* The fortified forms are called only without O_CREAT. */
int __open_2(const char *path, int flags)
{
	return do_openat("__open_2", AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
	return do_openat("__open64_2", AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat("__openat_2", dirfd, path, flags, 0);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat("__openat64_2", dirfd, path, flags | O_LARGEFILE, 0);
}

/* fopen's mode string as open(2) flags (glibc's rules, without "x"). */
static int fopen_flags(const char *mode)
{
	int flags;

	switch (mode[0]) {
	case 'r': flags = O_RDONLY; break;
	case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; break;
	case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; break;
	default: return -EINVAL;
	}
	for (const char *m = mode + 1; *m && *m != ','; m++) {
		if (*m == '+')
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		else if (*m == 'e')
			flags |= O_CLOEXEC;
		else if (*m == 'x')
			flags |= O_EXCL;
	}
	return flags;
}

static FILE *do_fopen(const char *call, const char *path, const char *mode)
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough())
		return REAL(fopen)(path, mode);
	switch (vmm_vfs_resolve(path, true, &res)) {
	case VMM_VFS_REAL:
		return REAL(fopen)(path, mode);
	case VMM_VFS_REDIRECT:
		return REAL(fopen)(res.canon, mode);
	case VMM_VFS_ERROR:
		errno = -res.err;
		return NULL;
	case VMM_VFS_FAKE:
		break;
	}
	int flags = fopen_flags(mode);
	if (flags < 0) {
		errno = -flags;
		return NULL;
	}
	int fd = open_fake(call, path, &res, flags);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, mode);
	if (!f) {
		int err = errno;
		close(fd);	/* ours: releases a device node too */
		errno = err;
	}
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	return do_fopen("fopen", path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	return do_fopen("fopen64", path, mode);
}

/* --- stat --- */

/* fstatat(fd, "", AT_EMPTY_PATH): about the fd itself. */
static __attribute__((noinline)) bool empty_path(const char *path, int flags)
{
	return path && !path[0] && (flags & AT_EMPTY_PATH);
}

/* fstat of a descriptor: a device node's memfd becomes the char device.
 * *is_node (may be NULL) tells which it was. */
static int stat_fd(int fd, struct stat *st, bool *is_node)
{
	if (is_node)
		*is_node = false;
	if (REAL(fstat)(fd, st))
		return -1;
	if (vmm_shim_passthrough())
		return 0;
	struct vmm_shim_node *node = vmm_shim_node_get_by_stat(st);
	if (node) {
		vmm_shim_node_stat(node, st);
		vmm_shim_node_put(node);
		if (is_node)
			*is_node = true;
	}
	return 0;
}

static int stat_at(int dirfd, const char *path, struct stat *st, int flags)
{
	struct vmm_vfs_res res;

	if (empty_path(path, flags) && dirfd != AT_FDCWD)
		return stat_fd(dirfd, st, NULL);
	if (vmm_shim_passthrough() ||
	    dir_relative(dirfd, path))
		return REAL(fstatat)(dirfd, path, st, flags);
	switch (vmm_vfs_resolve(path, !(flags & AT_SYMLINK_NOFOLLOW), &res)) {
	case VMM_VFS_REAL:
		return REAL(fstatat)(dirfd, path, st, flags);
	case VMM_VFS_REDIRECT:
		return REAL(fstatat)(AT_FDCWD, res.canon, st, flags);
	case VMM_VFS_ERROR:
		return fail(res.err);
	case VMM_VFS_FAKE:
		vmm_vfs_stat(res.node, st);
		return 0;
	}
	return fail(-EINVAL);
}

int stat(const char *path, struct stat *st)
{
	return stat_at(AT_FDCWD, path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
	return stat_at(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int fstat(int fd, struct stat *st)
{
	return stat_fd(fd, st, NULL);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return stat_at(dirfd, path, st, flags);
}

/* On x86-64 struct stat64 is struct stat. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64");

int stat64(const char *path, struct stat64 *st)
{
	return stat_at(AT_FDCWD, path, (struct stat *)st, 0);
}

int lstat64(const char *path, struct stat64 *st)
{
	return stat_at(AT_FDCWD, path, (struct stat *)st, AT_SYMLINK_NOFOLLOW);
}

int fstat64(int fd, struct stat64 *st)
{
	return stat_fd(fd, (struct stat *)st, NULL);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return stat_at(dirfd, path, (struct stat *)st, flags);
}

/* Binaries built against glibc < 2.33 call these. */
int __xstat(int ver, const char *path, struct stat *st)
{
	return ver == VMM_STAT_VER ? stat(path, st) : fail(-EINVAL);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
	return ver == VMM_STAT_VER ? stat64(path, st) : fail(-EINVAL);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
	return ver == VMM_STAT_VER ? lstat(path, st) : fail(-EINVAL);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	return ver == VMM_STAT_VER ? lstat64(path, st) : fail(-EINVAL);
}

int __fxstat(int ver, int fd, struct stat *st)
{
	return ver == VMM_STAT_VER ? fstat(fd, st) : fail(-EINVAL);
}

int __fxstat64(int ver, int fd, struct stat64 *st)
{
	return ver == VMM_STAT_VER ? fstat64(fd, st) : fail(-EINVAL);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags)
{
	return ver == VMM_STAT_VER ? fstatat(dirfd, path, st, flags)
				     : fail(-EINVAL);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
		 int flags)
{
	return ver == VMM_STAT_VER ? fstatat64(dirfd, path, st, flags)
				     : fail(-EINVAL);
}

static void statx_from_stat(const struct stat *st, struct statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = STATX_BASIC_STATS;
	stx->stx_blksize = (uint32_t)st->st_blksize;
	stx->stx_nlink = (uint32_t)st->st_nlink;
	stx->stx_uid = st->st_uid;
	stx->stx_gid = st->st_gid;
	stx->stx_mode = (uint16_t)st->st_mode;
	stx->stx_ino = st->st_ino;
	stx->stx_size = (uint64_t)st->st_size;
	stx->stx_blocks = (uint64_t)st->st_blocks;
	stx->stx_rdev_major = major(st->st_rdev);
	stx->stx_rdev_minor = minor(st->st_rdev);
	stx->stx_dev_major = major(st->st_dev);
	stx->stx_dev_minor = minor(st->st_dev);
}

int statx(int dirfd, const char *path, int flags, unsigned mask,
	  struct statx *stx)
{
	struct stat st;
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough())
		return REAL(statx)(dirfd, path, flags, mask, stx);
	if (empty_path(path, flags)) {
		bool is_node;
		if (stat_fd(dirfd, &st, &is_node) || !is_node)
			return REAL(statx)(dirfd, path, flags, mask, stx);
		statx_from_stat(&st, stx);
		return 0;
	}
	if (dir_relative(dirfd, path))
		return REAL(statx)(dirfd, path, flags, mask, stx);
	switch (vmm_vfs_resolve(path, !(flags & AT_SYMLINK_NOFOLLOW), &res)) {
	case VMM_VFS_REAL:
		return REAL(statx)(dirfd, path, flags, mask, stx);
	case VMM_VFS_REDIRECT:
		return REAL(statx)(AT_FDCWD, res.canon, flags, mask, stx);
	case VMM_VFS_ERROR:
		return fail(res.err);
	case VMM_VFS_FAKE:
		vmm_vfs_stat(res.node, &st);
		statx_from_stat(&st, stx);
		return 0;
	}
	return fail(-EINVAL);
}

/* --- access --- */

static int access_fake(const struct vmm_vnode *n, int mode)
{
	if (mode == F_OK)
		return 0;
	switch (n->kind) {
	case VMM_VNODE_DIR:
		return (mode & W_OK) ? fail(-EACCES) : 0;
	case VMM_VNODE_CHR:
		return (mode & X_OK) ? fail(-EACCES) : 0;
	case VMM_VNODE_FILE:
	case VMM_VNODE_LINK:
		return (mode & (W_OK | X_OK)) ? fail(-EACCES) : 0;
	}
	return fail(-EINVAL);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough() ||
	    dir_relative(dirfd, path))
		return REAL(faccessat)(dirfd, path, mode, flags);
	switch (vmm_vfs_resolve(path, !(flags & AT_SYMLINK_NOFOLLOW), &res)) {
	case VMM_VFS_REAL:
		return REAL(faccessat)(dirfd, path, mode, flags);
	case VMM_VFS_REDIRECT:
		return REAL(faccessat)(AT_FDCWD, res.canon, mode, flags);
	case VMM_VFS_ERROR:
		return fail(res.err);
	case VMM_VFS_FAKE:
		return access_fake(res.node, mode);
	}
	return fail(-EINVAL);
}

int access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, 0);
}

/* --- readlink, realpath --- */

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough() ||
	    dir_relative(dirfd, path))
		return REAL(readlinkat)(dirfd, path, buf, len);
	switch (vmm_vfs_resolve(path, false, &res)) {
	case VMM_VFS_REAL:
		return REAL(readlinkat)(dirfd, path, buf, len);
	case VMM_VFS_REDIRECT:
		return REAL(readlinkat)(AT_FDCWD, res.canon, buf, len);
	case VMM_VFS_ERROR:
		return fail(res.err);
	case VMM_VFS_FAKE:
		break;
	}
	if (res.node->kind != VMM_VNODE_LINK)
		return fail(-EINVAL);
	size_t n = res.node->len < len ? res.node->len : len;
	memcpy(buf, res.node->data, n);
	return (ssize_t)n;
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	return readlinkat(AT_FDCWD, path, buf, len);
}

ssize_t __readlink_chk(const char *path, char *buf, size_t len,
		       size_t buflen)
{
	if (len > buflen)
		__chk_fail();
	return readlinkat(AT_FDCWD, path, buf, len);
}

char *realpath(const char *path, char *resolved)
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough())
		return REAL(realpath)(path, resolved);
	switch (vmm_vfs_resolve(path, true, &res)) {
	case VMM_VFS_REAL:
		return REAL(realpath)(path, resolved);
	case VMM_VFS_REDIRECT:
		return REAL(realpath)(res.canon, resolved);
	case VMM_VFS_ERROR:
		errno = -res.err;
		return NULL;
	case VMM_VFS_FAKE:
		break;
	}
	if (strlen(res.canon) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!resolved)
		return strdup(res.canon);
	strcpy(resolved, res.canon);
	return resolved;
}

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	if (resolvedlen < PATH_MAX)
		__chk_fail();
	return realpath(path, resolved);
}
