// SPDX-License-Identifier: MIT
/*
 * The fake part of the file system: /dev/dri with the device nodes, and
 * the sysfs entries of a virtio-gpu device on PCI slot 0000:00:02.0, laid
 * out as Linux lays them out on a VM:
 *
 *   /sys/dev/char/226:128 -> ../../devices/pci0000:00/0000:00:02.0/virtio0/drm/renderD128
 *   /sys/devices/pci0000:00/0000:00:02.0          the PCI function 1af4:1050
 *       subsystem -> ../../../bus/pci, vendor, device, uevent, config, ...
 *       virtio0/                                  the virtio device 0x0010
 *           subsystem -> ../../../../bus/virtio, vendor, device, uevent
 *           drm/renderD128/                       the DRM minors
 *               dev, uevent, device -> ../../../virtio0, subsystem
 *
 * Mesa's loader and libdrm's drmGetDevice2 read exactly these (FACTS.md,
 * "The real Mesa guest driver"): the minor's `device/drm` directory, the
 * two `subsystem` links (virtio, then the parent's pci), the realpath of
 * `device` ending in /virtio0 (libdrm strips it to find the PCI function),
 * the PCI function's uevent PCI_SLOT_NAME and its id files, the minor's
 * uevent DEVNAME.  The primary node card0 (226:0) is there too, as on a VM:
 * EGL's GBM platform opens /dev/dri/card0 when given no device.
 *
 * Paths are resolved component by component with the fake symlinks
 * followed, so `device/../subsystem` and realpath() behave as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "vmm/shim/shim.h"

#define PCI_DIR "/sys/devices/pci0000:00/0000:00:02.0"
#define VIRTIO_DIR PCI_DIR "/virtio0"
#define DRM_DIR VIRTIO_DIR "/drm"
#define LINK_TO_MINOR "../../devices/pci0000:00/0000:00:02.0/virtio0/drm/"

#define VDIR(p) { p, VMM_VNODE_DIR, NULL, 0, 0 }
#define VFILE(p, s) { p, VMM_VNODE_FILE, s, sizeof(s) - 1, 0 }
#define VLINK(p, t) { p, VMM_VNODE_LINK, t, sizeof(t) - 1, 0 }
#define VCHR(p, m) { p, VMM_VNODE_CHR, NULL, 0, m }

/* PCI configuration space header (PCI 3.0 6.1): vendor 1af4, device 1050
 * (virtio 1.2 4.1.2: 0x1040 + device id 16), command 0x0507, status 0x10,
 * revision 1, class 03 (display) subclass 00 (VGA-compatible is 00 too,
 * prog-if 0), subsystem 1af4:1100 at 0x2c.  The 64 bytes an unprivileged
 * read of sysfs `config` returns. */
#define PCI_CONFIG                                                      \
	"\xf4\x1a\x50\x10\x07\x05\x10\x00\x01\x00\x00\x03\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf4\x1a\x00\x11" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

static const struct vmm_vnode vnodes[] = {
	VDIR("/dev/dri"),
	VCHR("/dev/dri/card0", 0),
	VCHR("/dev/dri/renderD128", 128),
	VLINK("/sys/dev/char/226:0", LINK_TO_MINOR "card0"),
	VLINK("/sys/dev/char/226:128", LINK_TO_MINOR "renderD128"),

	VDIR(PCI_DIR),
	VFILE(PCI_DIR "/vendor", "0x1af4\n"),
	VFILE(PCI_DIR "/device", "0x1050\n"),
	VFILE(PCI_DIR "/subsystem_vendor", "0x1af4\n"),
	VFILE(PCI_DIR "/subsystem_device", "0x1100\n"),
	VFILE(PCI_DIR "/revision", "0x01\n"),
	VFILE(PCI_DIR "/class", "0x030000\n"),
	VFILE(PCI_DIR "/config", PCI_CONFIG),
	VFILE(PCI_DIR "/uevent",
	      "DRIVER=virtio-pci\n"
	      "PCI_CLASS=30000\n"
	      "PCI_ID=1AF4:1050\n"
	      "PCI_SUBSYS_ID=1AF4:1100\n"
	      "PCI_SLOT_NAME=0000:00:02.0\n"
	      "MODALIAS=pci:v00001AF4d00001050sv00001AF4sd00001100bc03sc00i00\n"),
	VLINK(PCI_DIR "/subsystem", "../../../bus/pci"),
	VLINK(PCI_DIR "/driver", "../../../bus/pci/drivers/virtio-pci"),

	VDIR(VIRTIO_DIR),
	VFILE(VIRTIO_DIR "/vendor", "0x1af4\n"),
	VFILE(VIRTIO_DIR "/device", "0x0010\n"),
	VFILE(VIRTIO_DIR "/uevent",
	      "DRIVER=virtio_gpu\n"
	      "MODALIAS=virtio:d00000010v00001AF4\n"),
	VLINK(VIRTIO_DIR "/subsystem", "../../../../bus/virtio"),
	VLINK(VIRTIO_DIR "/driver", "../../../../bus/virtio/drivers/virtio_gpu"),

	VDIR(DRM_DIR),
	VDIR(DRM_DIR "/card0"),
	VFILE(DRM_DIR "/card0/dev", "226:0\n"),
	VFILE(DRM_DIR "/card0/uevent",
	      "MAJOR=226\nMINOR=0\nDEVNAME=dri/card0\n"),
	VLINK(DRM_DIR "/card0/device", "../../../virtio0"),
	VLINK(DRM_DIR "/card0/subsystem", "../../../../../../class/drm"),
	VDIR(DRM_DIR "/renderD128"),
	VFILE(DRM_DIR "/renderD128/dev", "226:128\n"),
	VFILE(DRM_DIR "/renderD128/uevent",
	      "MAJOR=226\nMINOR=128\nDEVNAME=dri/renderD128\n"),
	VLINK(DRM_DIR "/renderD128/device", "../../../virtio0"),
	VLINK(DRM_DIR "/renderD128/subsystem", "../../../../../../class/drm"),
};
#define NVNODES (sizeof(vnodes) / sizeof(vnodes[0]))

/* Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
#define VMM_VFS_MAX_LINKS 40
/* Inode numbers of fake nodes: stable, far from small real ones. */
#define VMM_VFS_INO_BASE 0x76670000ul

static const struct vmm_vnode *lookup_len(const char *path, size_t len)
{
	for (size_t i = 0; i < NVNODES; i++)
		if (strlen(vnodes[i].path) == len &&
		    memcmp(vnodes[i].path, path, len) == 0)
			return &vnodes[i];
	return NULL;
}

/* Only these prefixes can lead into the fake tree. */
static bool may_be_fake(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	if (strncmp(path, "/sys/", 5) == 0)
		return true;
	return strncmp(path, "/dev/dri", 8) == 0 &&
	       (path[8] == '\0' || path[8] == '/');
}

static bool only_slashes(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

/* "..": drop the last component of @cur. */
static void pop_component(char *cur, size_t *curlen)
{
	while (*curlen && cur[*curlen - 1] != '/')
		(*curlen)--;
	if (*curlen)
		(*curlen)--;	/* the slash */
	cur[*curlen] = '\0';
}

/* Replace fake link @n by its target, relative to the directory holding
 * it (@parent_len bytes of @cur), followed by the rest of the walk @rest:
 * the new walk goes to @walk.  0 or -ENAMETOOLONG. */
static int follow_link(const struct vmm_vnode *n, char *cur, size_t *curlen,
		       size_t parent_len, const char *rest, char *walk,
		       size_t walk_size)
{
	char next[PATH_MAX * 2];
	int len;

	*curlen = n->data[0] == '/' ? 0 : parent_len;
	cur[*curlen] = '\0';
	len = snprintf(next, sizeof(next), "%s/%s", n->data, rest);
	if (len < 0 || (size_t)len >= sizeof(next) ||
	    (size_t)len >= walk_size)
		return -ENAMETOOLONG;
	memcpy(walk, next, (size_t)len + 1);
	return 0;
}

/*
 * Walk @path (absolute) over the fake tree.  A path that never touches a
 * fake node is left to the real file system untouched; one that ends in a
 * fake node is served from the table; one that passes through a fake
 * symlink and leaves the tree (a `subsystem` link, say) continues on the
 * real file system at the canonical path.  A fake directory holds exactly
 * the table's entries: anything else under it does not exist.
 */
enum vmm_vfs_result vmm_vfs_resolve(const char *path, bool follow_last,
					struct vmm_vfs_res *res)
{
	char walk[PATH_MAX * 2];
	char *cur = res->canon;
	size_t curlen = 0;
	bool touched = false;
	unsigned links = 0;
	const char *p;

	res->node = NULL;
	res->err = 0;
	if (!may_be_fake(path) || strlen(path) >= sizeof(walk))
		return VMM_VFS_REAL;
	strcpy(walk, path);
	cur[0] = '\0';
	p = walk;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *q = strchrnul(p, '/');
		size_t clen = (size_t)(q - p);
		bool last = only_slashes(q);

		if (clen == 1 && p[0] == '.') {
			p = q;
			continue;
		}
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			pop_component(cur, &curlen);
			p = q;
			continue;
		}
		size_t parent_len = curlen;
		const struct vmm_vnode *parent = lookup_len(cur, curlen);
		if (curlen + 1 + clen >= sizeof(res->canon)) {
			res->err = -ENAMETOOLONG;
			return VMM_VFS_ERROR;
		}
		cur[curlen++] = '/';
		memcpy(cur + curlen, p, clen);
		curlen += clen;
		cur[curlen] = '\0';

		const struct vmm_vnode *n = lookup_len(cur, curlen);
		if (!n) {
			if (parent && parent->kind == VMM_VNODE_DIR) {
				res->err = -ENOENT;
				return VMM_VFS_ERROR;
			}
			p = q;
			continue;
		}
		touched = true;
		if (n->kind == VMM_VNODE_LINK && (!last || follow_last)) {
			if (++links > VMM_VFS_MAX_LINKS) {
				res->err = -ELOOP;
				return VMM_VFS_ERROR;
			}
			res->err = follow_link(n, cur, &curlen, parent_len, q,
					       walk, sizeof(walk));
			if (res->err)
				return VMM_VFS_ERROR;
			p = walk;
			continue;
		}
		if (!last && n->kind != VMM_VNODE_DIR &&
		    n->kind != VMM_VNODE_LINK) {
			res->err = -ENOTDIR;
			return VMM_VFS_ERROR;
		}
		p = q;
	}
	if (!touched)
		return VMM_VFS_REAL;
	if (!curlen) {
		cur[curlen++] = '/';
		cur[curlen] = '\0';
	}
	res->node = lookup_len(cur, curlen);
	return res->node ? VMM_VFS_FAKE : VMM_VFS_REDIRECT;
}

void vmm_vfs_stat(const struct vmm_vnode *node, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	/* sysfs and devtmpfs are separate anonymous-device file systems */
	st->st_dev = node->kind == VMM_VNODE_CHR || node == &vnodes[0]
			     ? makedev(0, 5) : makedev(0, 21);
	st->st_ino = VMM_VFS_INO_BASE + (ino_t)(node - vnodes);
	st->st_nlink = node->kind == VMM_VNODE_DIR ? 2 : 1;
	st->st_blksize = 4096;
	switch (node->kind) {
	case VMM_VNODE_DIR:
		st->st_mode = S_IFDIR | 0755;
		break;
	case VMM_VNODE_FILE:
		/* sysfs attributes report a page as their size */
		st->st_mode = S_IFREG | 0444;
		st->st_size = 4096;
		break;
	case VMM_VNODE_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)node->len;
		break;
	case VMM_VNODE_CHR:
		st->st_mode = S_IFCHR | 0666;
		st->st_rdev = makedev(226, node->minor);
		break;
	}
}

static unsigned char dirent_type(const struct vmm_vnode *n)
{
	switch (n->kind) {
	case VMM_VNODE_DIR: return DT_DIR;
	case VMM_VNODE_FILE: return DT_REG;
	case VMM_VNODE_LINK: return DT_LNK;
	case VMM_VNODE_CHR: return DT_CHR;
	}
	return DT_UNKNOWN;
}

/* Is @n directly inside the directory @dir? */
static bool is_child(const struct vmm_vnode *dir, const struct vmm_vnode *n)
{
	size_t dlen = strlen(dir->path);
	return strncmp(n->path, dir->path, dlen) == 0 && n->path[dlen] == '/' &&
	       !strchr(n->path + dlen + 1, '/');
}

const struct vmm_vnode *vmm_vfs_dir_entry(const struct vmm_vnode *dir,
					      long index, const char **name,
					      unsigned char *type)
{
	if (index == 0 || index == 1) {
		*name = index ? ".." : ".";
		*type = DT_DIR;
		return dir;
	}
	long k = 2;
	for (size_t i = 0; i < NVNODES; i++) {
		if (!is_child(dir, &vnodes[i]))
			continue;
		if (k++ == index) {
			*name = strrchr(vnodes[i].path, '/') + 1;
			*type = dirent_type(&vnodes[i]);
			return &vnodes[i];
		}
	}
	return NULL;
}

int vmm_vfs_file_fd(const struct vmm_vnode *node, int flags)
{
	char self[64];
	int rw = memfd_create("virtgpu-sim-sysfs", MFD_CLOEXEC);
	if (rw < 0)
		return -errno;
	if (write(rw, node->data, node->len) != (ssize_t)node->len) {
		int err = errno ? -errno : -EIO;
		REAL(close)(rw);
		return err;
	}
	/* Reopen read-only, so that writing fails as on sysfs (EBADF). */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", rw);
	int fd = REAL(open)(self, O_RDONLY | (flags & (O_CLOEXEC | O_NONBLOCK)));
	int err = -errno;
	REAL(close)(rw);
	return fd < 0 ? err : fd;
}
