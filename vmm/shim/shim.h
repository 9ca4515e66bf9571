/* SPDX-License-Identifier: MIT */
/*
 * The LD_PRELOAD shim's private header.  The shim turns the process into a
 * "VM" for an unmodified Mesa: /dev/dri/renderD128 (and card0) become a
 * virtio-gpu device node served by kernelmock in this process, with the
 * sysfs entries Mesa's loader and libdrm read to identify it, and the
 * simulated machine (device thread + virglrenderer + kernelmock) starts
 * on the first open of a node.
 *
 * The interposed functions carry libc's names (open, ioctl, ...) because
 * that is what interposition means; everything else is guest_shim_*.
 * Prototypes are grouped by the file that defines them.
 *
 * Who passes through: host threads (the device thread and every thread
 * created from a host thread, marked by the pthread_create wrapper) and
 * any thread while it is inside kernelmock or the machine (the depth
 * counter), so the host never sees the fake node and the stack's own libc
 * calls reach libc unchanged.
 */
#ifndef GUEST_SHIM_H
#define GUEST_SHIM_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "vmm/machine.h"

#define GUEST_SHIM_TAG "virtgpu-sim shim"

struct km_device;
struct km_file;

/* real.c: libc's own definitions, found with dlsym(RTLD_NEXT) on first use */
enum guest_real_fn {
#define GUEST_REAL_FN(name) GUEST_REAL_##name,
#include "vmm/shim/real_list.h"
#undef GUEST_REAL_FN
	GUEST_REAL_COUNT
};
void *guest_shim_real(enum guest_real_fn fn);
/* The next definition of @fn, typed like libc's prototype. */
#define REAL(fn) ((__typeof__(&fn))guest_shim_real(GUEST_REAL_##fn))

/* One open of a device node: a km_file, and the memfd the program holds
 * as its fd.  Every dup of that fd shares the memfd's inode, which is how
 * fds are recognised (F_DUPFD_CLOEXEC, dup2, fds passed between threads).
 * Reference counted: the registry holds one reference until the last fd
 * is closed; each call in progress and each mapping holds one more. */
struct guest_shim_node {
	dev_t st_dev;
	ino_t st_ino;
	unsigned minor;		/* 128 render node, 0 primary node */
	struct km_file *file;
	unsigned refs;		/* guest_shim.lock */
	bool closed;		/* last fd gone; freed at refs == 0 */
	struct guest_shim_node *next;
};

/* A mapping of a node (mmap of an offset from DRM_IOCTL_VIRTGPU_MAP). */
struct guest_shim_map {
	void *addr;
	size_t len;
	struct guest_shim_node *node;	/* holds a reference */
	struct guest_shim_map *next;
};

/* An open fake directory (opendir of /dev/dri or a fake sysfs dir). */
struct guest_vnode;
struct guest_vdir {
	const struct guest_vnode *dir;
	long pos;		/* index of the next entry */
	struct dirent64 ent;
	struct guest_vdir *next;
};

/*
 * The shim's one global struct (STYLE.md allows the preload shim exactly
 * one).  `lock` protects the lists, the machine pointer and the status
 * flags; `real` is filled lock-free (each slot is written with the same
 * value by whoever resolves it first).
 */
struct guest_shim {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* a node's refs dropped */
	bool configured;		/* options parsed (constructor) */
	bool inert;			/* VGS_SHIM_DISABLE or render server */
	bool shutdown;			/* destructor ran: nodes are dead */
	bool forked;			/* fork child: no device thread */
	bool trace;			/* VGS_SHIM_TRACE_IOCTLS */
	struct sim_machine_options opts;
	char opts_error[256];		/* non-empty: the options were bad */
	struct sim_machine *machine;
	int machine_err;		/* sim_machine_create failed with it */
	struct guest_shim_node *nodes;
	unsigned nnodes;		/* atomic reads for the fast path */
	struct guest_shim_map *maps;
	unsigned nmaps;			/* atomic reads for the fast path */
	struct guest_vdir *dirs;
	unsigned ndirs;			/* atomic reads for the fast path */
	/* status report (see shim.c): what this process did, and the
	 * memfd of `virtgpu-sim exec` it goes to */
	bool opened, virgl;
	char status_path[64];
	ino_t status_ino;
	void *real[GUEST_REAL_COUNT];
};
extern struct guest_shim guest_shim;

/* shim.c */
/* True when the calling thread must see the real system. */
bool guest_shim_passthrough(void);
/* Around every call into kernelmock or the machine from a program
 * thread: the stack's own libc calls pass through while inside. */
void guest_shim_enter(void);
void guest_shim_leave(void);
/* Print "virtgpu-sim shim: <call>: <message>" on stderr. */
void guest_shim_error(const char *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Status for `virtgpu-sim exec`: a node was opened; the virgl winsys read
 * a capset (only Mesa's virgl driver does). */
void guest_shim_note_opened(void);
void guest_shim_note_virgl(void);
/* Start the machine on first use and return its kernel driver; @call
 * names the caller in messages.  guest_shim.lock held. */
int guest_shim_machine_start_locked(const char *call, struct km_device **out);

/* config.c: the machine's options from VGS_SHIM_* (options.h).  Returns 0,
 * or -EINVAL with a message naming the variable in @err. */
int guest_shim_config_parse(struct sim_machine_options *opts, bool *trace,
			    char *err, size_t errlen);

/* node.c: device nodes backed by kernelmock */
/* open(2) of /dev/dri/renderD128 (minor 128) or card0 (minor 0). */
int guest_shim_node_open(const char *call, unsigned minor, int flags);
/* The node behind @fd with a reference, or NULL when @fd is not one. */
struct guest_shim_node *guest_shim_node_get(int fd);
/* The same from a real fstat of the fd. */
struct guest_shim_node *guest_shim_node_get_by_stat(const struct stat *st);
void guest_shim_node_put(struct guest_shim_node *node);
/* close(2): the node is released when no fd refers to it any more. */
int guest_shim_node_close(int fd);
/* Drop the registry's reference once no fd refers to @node (after a
 * close, or a dup2/dup3 over one of its fds). */
void guest_shim_node_release_if_unused(struct guest_shim_node *node);
/* Patch a real fstat of a node's memfd into the character device. */
void guest_shim_node_stat(const struct guest_shim_node *node,
			  struct stat *st);
/* Release every node and mapping (destructor); false when a call still
 * running on another thread kept one alive. */
bool guest_shim_nodes_release_all(void);

/* vfs.c: the fake /dev/dri and sysfs tree */
enum guest_vnode_kind {
	GUEST_VNODE_DIR,
	GUEST_VNODE_FILE,
	GUEST_VNODE_LINK,
	GUEST_VNODE_CHR,
};
struct guest_vnode {
	const char *path;	/* canonical, absolute */
	enum guest_vnode_kind kind;
	const char *data;	/* FILE: contents; LINK: target */
	size_t len;		/* FILE: bytes of data */
	unsigned minor;		/* CHR: DRM minor */
};
enum guest_vfs_result {
	GUEST_VFS_REAL,		/* nothing fake on the way: use the path */
	GUEST_VFS_FAKE,		/* a fake node: res->node */
	GUEST_VFS_REDIRECT,	/* left the fake tree: use res->canon */
	GUEST_VFS_ERROR,	/* res->err (-ENOENT, -ENOTDIR, -ELOOP) */
};
struct guest_vfs_res {
	const struct guest_vnode *node;
	int err;
	char canon[4096];
};
enum guest_vfs_result guest_vfs_resolve(const char *path, bool follow_last,
					struct guest_vfs_res *res);
void guest_vfs_stat(const struct guest_vnode *node, struct stat *st);
/* The @index-th entry of a fake directory ("." and ".." first), or NULL
 * past the end; *name and *type (DT_*) describe it. */
const struct guest_vnode *guest_vfs_dir_entry(const struct guest_vnode *dir,
					      long index, const char **name,
					      unsigned char *type);
/* A read-only memfd holding a fake file's contents. */
int guest_vfs_file_fd(const struct guest_vnode *node, int flags);

/* trace.c: --trace-ioctls */
void guest_shim_trace_ioctl(int fd, unsigned long request, const void *arg,
			    int ret);

#endif
