// SPDX-License-Identifier: MIT
/*
 * Directory listing of the fake tree: opendir, readdir and friends, and
 * scandir.  libdrm's drmGetDevices2 lists /dev/dri and stats each entry;
 * drmGetMinorNameForFD lists a device's `drm` directory.  A fake DIR is a
 * struct vmm_vdir, recognised by its address in the registry; every
 * other DIR goes to libc.
 */
#undef _FILE_OFFSET_BITS	/* define readdir and readdir64 as libc does */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/shim/shim.h"

static struct vmm_vdir *find_locked(DIR *d)
{
	for (struct vmm_vdir *v = vmm_shim.dirs; v; v = v->next)
		if ((DIR *)v == d)
			return v;
	return NULL;
}

/* The fake directory @d, or NULL for a real one. */
static struct vmm_vdir *vdir(DIR *d)
{
	if (!__atomic_load_n(&vmm_shim.ndirs, __ATOMIC_ACQUIRE))
		return NULL;
	pthread_mutex_lock(&vmm_shim.lock);
	struct vmm_vdir *v = find_locked(d);
	pthread_mutex_unlock(&vmm_shim.lock);
	return v;
}

/* Fill @ent with entry @index of @dir; false past the end. */
static bool fill_entry(const struct vmm_vnode *dir, long index,
		       struct dirent64 *ent)
{
	const char *name;
	unsigned char type;
	struct stat st;
	const struct vmm_vnode *n = vmm_vfs_dir_entry(dir, index, &name,
							  &type);
	if (!n)
		return false;
	vmm_vfs_stat(n, &st);
	memset(ent, 0, sizeof(*ent));
	ent->d_ino = st.st_ino;
	ent->d_off = index + 1;
	ent->d_reclen = sizeof(*ent);
	ent->d_type = type;
	strncpy(ent->d_name, name, sizeof(ent->d_name) - 1);
	return true;
}

DIR *opendir(const char *path)
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough())
		return REAL(opendir)(path);
	switch (vmm_vfs_resolve(path, true, &res)) {
	case VMM_VFS_REAL:
		return REAL(opendir)(path);
	case VMM_VFS_REDIRECT:
		return REAL(opendir)(res.canon);
	case VMM_VFS_ERROR:
		errno = -res.err;
		return NULL;
	case VMM_VFS_FAKE:
		break;
	}
	if (res.node->kind != VMM_VNODE_DIR) {
		errno = ENOTDIR;
		return NULL;
	}
	struct vmm_vdir *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->dir = res.node;
	pthread_mutex_lock(&vmm_shim.lock);
	v->next = vmm_shim.dirs;
	vmm_shim.dirs = v;
	__atomic_add_fetch(&vmm_shim.ndirs, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&vmm_shim.lock);
	return (DIR *)v;
}

int closedir(DIR *d)
{
	if (!__atomic_load_n(&vmm_shim.ndirs, __ATOMIC_ACQUIRE))
		return REAL(closedir)(d);
	pthread_mutex_lock(&vmm_shim.lock);
	for (struct vmm_vdir **link = &vmm_shim.dirs; *link;
	     link = &(*link)->next) {
		struct vmm_vdir *v = *link;
		if ((DIR *)v != d)
			continue;
		*link = v->next;
		__atomic_sub_fetch(&vmm_shim.ndirs, 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&vmm_shim.lock);
		free(v);
		return 0;
	}
	pthread_mutex_unlock(&vmm_shim.lock);
	return REAL(closedir)(d);
}

struct dirent64 *readdir64(DIR *d)
{
	struct vmm_vdir *v = vdir(d);
	if (!v)
		return REAL(readdir64)(d);
	if (!fill_entry(v->dir, v->pos, &v->ent))
		return NULL;	/* end: errno unchanged */
	v->pos++;
	return &v->ent;
}

/* On x86-64 struct dirent is struct dirent64. */
_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64");

struct dirent *readdir(DIR *d)
{
	if (!vdir(d))
		return REAL(readdir)(d);
	return (struct dirent *)readdir64(d);
}

/* readdir_r is deprecated, but programs still call it: serve it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
int readdir64_r(DIR *d, struct dirent64 *entry, struct dirent64 **result)
{
	struct vmm_vdir *v = vdir(d);
	if (!v)
		return REAL(readdir64_r)(d, entry, result);
	if (!fill_entry(v->dir, v->pos, entry)) {
		*result = NULL;
		return 0;
	}
	v->pos++;
	*result = entry;
	return 0;
}

int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
	if (!vdir(d))
		return REAL(readdir_r)(d, entry, result);
	return readdir64_r(d, (struct dirent64 *)entry,
			   (struct dirent64 **)result);
}

#pragma GCC diagnostic pop

void rewinddir(DIR *d)
{
	struct vmm_vdir *v = vdir(d);
	if (!v) {
		REAL(rewinddir)(d);
		return;
	}
	v->pos = 0;
}

long telldir(DIR *d)
{
	struct vmm_vdir *v = vdir(d);
	return v ? v->pos : REAL(telldir)(d);
}

void seekdir(DIR *d, long pos)
{
	struct vmm_vdir *v = vdir(d);
	if (!v) {
		REAL(seekdir)(d, pos);
		return;
	}
	v->pos = pos < 0 ? 0 : pos;
}

int dirfd(DIR *d)
{
	struct vmm_vdir *v = vdir(d);
	if (!v)
		return REAL(dirfd)(d);
	vmm_shim_error("dirfd", "%s is a directory of the simulated device, "
			 "listed by the shim; it has no file descriptor",
			 v->dir->path);
	errno = EOPNOTSUPP;
	return -1;
}

/* --- scandir --- */

typedef int (*vmm_scandir_filter)(const struct dirent64 *);
typedef int (*vmm_scandir_compar)(const struct dirent64 **,
				    const struct dirent64 **);

static int scan_fake(const struct vmm_vnode *dir,
		     struct dirent64 ***namelist, vmm_scandir_filter filter,
		     vmm_scandir_compar compar)
{
	struct dirent64 **list = NULL, ent;
	size_t n = 0;

	for (long i = 0; fill_entry(dir, i, &ent); i++) {
		if (filter && !filter(&ent))
			continue;
		struct dirent64 **grown = realloc(list, (n + 1) * sizeof(*list));
		struct dirent64 *copy = malloc(sizeof(*copy));
		if (!grown || !copy) {
			free(copy);
			list = grown ? grown : list;
			while (n)
				free(list[--n]);
			free(list);
			errno = ENOMEM;
			return -1;
		}
		list = grown;
		*copy = ent;
		list[n++] = copy;
	}
	if (compar && n > 1)
		qsort(list, n, sizeof(*list),
		      (int (*)(const void *, const void *))compar);
	*namelist = list;
	return (int)n;
}

int scandir64(const char *path, struct dirent64 ***namelist,
	      int (*filter)(const struct dirent64 *),
	      int (*compar)(const struct dirent64 **, const struct dirent64 **))
{
	struct vmm_vfs_res res;

	if (vmm_shim_passthrough())
		return REAL(scandir64)(path, namelist, filter, compar);
	switch (vmm_vfs_resolve(path, true, &res)) {
	case VMM_VFS_REAL:
		return REAL(scandir64)(path, namelist, filter, compar);
	case VMM_VFS_REDIRECT:
		return REAL(scandir64)(res.canon, namelist, filter, compar);
	case VMM_VFS_ERROR:
		errno = -res.err;
		return -1;
	case VMM_VFS_FAKE:
		break;
	}
	if (res.node->kind != VMM_VNODE_DIR) {
		errno = ENOTDIR;
		return -1;
	}
	return scan_fake(res.node, namelist, filter, compar);
}

int scandir(const char *path, struct dirent ***namelist,
	    int (*filter)(const struct dirent *),
	    int (*compar)(const struct dirent **, const struct dirent **))
{
	return scandir64(path, (struct dirent64 ***)namelist,
			 (vmm_scandir_filter)filter,
			 (vmm_scandir_compar)compar);
}
