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
 * that is what interposition means; everything else is vmm_shim_*.
 * Prototypes are grouped by the file that defines them.
 *
 * Who passes through: host threads (the device thread and every thread
 * created from a host thread, marked by the pthread_create wrapper) and
 * any thread while it is inside kernelmock or the machine (the depth
 * counter), so the host never sees the fake node and the stack's own libc
 * calls reach libc unchanged.
 */
#ifndef VMM_SHIM_H
#define VMM_SHIM_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "vmm/machine.h"

#define VMM_SHIM_TAG "virtgpu-sim shim"

struct km_device;
struct km_file;

/* real.c: libc's own definitions, found with dlsym(RTLD_NEXT) on first use */
enum vmm_real_fn {
#define VMM_REAL_FN(name) VMM_REAL_##name,
#include "vmm/shim/real_list.h"
#undef VMM_REAL_FN
	VMM_REAL_COUNT
};
void *vmm_shim_real(enum vmm_real_fn fn);
/* The next definition of @fn, typed like libc's prototype. */
#define REAL(fn) ((__typeof__(&fn))vmm_shim_real(VMM_REAL_##fn))

/* One open of a device node: a km_file, and the memfd the program holds
 * as its fd.  Every dup of that fd shares the memfd's inode, which is how
 * fds are recognised (F_DUPFD_CLOEXEC, dup2, fds passed between threads).
 * Reference counted: the registry holds one reference until the last fd
 * is closed; each call in progress and each mapping holds one more. */
struct vmm_shim_node {
	dev_t st_dev;
	ino_t st_ino;
	unsigned minor;		/* 128 render node, 0 primary node */
	struct km_file *file;
	unsigned refs;		/* vmm_shim.lock */
	unsigned nfds;		/* fd table entries naming it; vmm_shim.lock */
	bool closed;		/* last fd gone; freed at refs == 0 */
	struct vmm_shim_node *next;
};

/* A mapping of a node (mmap of an offset from DRM_IOCTL_VIRTGPU_MAP). */
struct vmm_shim_map {
	void *addr;
	size_t len;
	struct vmm_shim_node *node;	/* holds a reference */
	struct vmm_shim_map *next;
};

/* An open fake directory (opendir of /dev/dri or a fake sysfs dir). */
struct vmm_vnode;
struct vmm_vdir {
	const struct vmm_vnode *dir;
	long pos;		/* index of the next entry */
	struct dirent64 ent;
	struct vmm_vdir *next;
};

/* An exit handler held back until its library is finalized (exit.c). */
struct vmm_shim_exit_fn {
	void (*fn)(void *);
	void *arg;
	void *dso;
};

/* An fd of the machine (fds.c), with the identity it had when made. */
struct vmm_shim_fd {
	int fd;
	dev_t dev;
	ino_t ino;
};

/* The fd table (fdtab.c): chunks of fd numbers, for fds below 1M. */
#define VMM_SHIM_FDTAB_CHUNK 1024
#define VMM_SHIM_FDTAB_CHUNKS 1024

/*
 * The shim's one global struct (STYLE.md allows the preload shim exactly
 * one).  `lock` protects the lists, the machine pointer and the status
 * flags; `real` is filled lock-free (each slot is written with the same
 * value by whoever resolves it first).
 */
struct vmm_shim {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* a node's refs dropped */
	bool configured;		/* options parsed (constructor) */
	bool inert;			/* VGS_SHIM_DISABLE or render server */
	bool shutdown;			/* destructor ran: nodes are dead */
	bool forked;			/* fork child: no device thread */
	bool trace;			/* VGS_SHIM_TRACE_IOCTLS */
	struct vmm_machine_options opts;
	char opts_error[256];		/* non-empty: the options were bad */
	struct vmm_machine *machine;
	pid_t machine_pid;		/* the process the machine belongs to */
	int machine_err;		/* vmm_machine_create failed with it */
	struct vmm_shim_node *nodes;
	unsigned nnodes;		/* atomic reads for the fast path */
	/* fd number -> node (fdtab.c); entries change under lock, chunks
	 * are allocated once and read without it */
	struct vmm_shim_node *_Atomic *fdtab[VMM_SHIM_FDTAB_CHUNKS];
	struct vmm_shim_map *maps;
	unsigned nmaps;			/* atomic reads for the fast path */
	struct vmm_vdir *dirs;
	unsigned ndirs;			/* atomic reads for the fast path */
	/* exit handlers of the machine's libraries (exit.c); exit_lock
	 * protects these */
	pthread_mutex_t exit_lock;
	struct vmm_shim_exit_fn *deferred;
	unsigned ndeferred, deferred_cap;
	void *dsos[64];			/* the libraries' dso handles */
	unsigned ndsos;
	/* the machine's fds (fds.c); fds_lock protects the three */
	pthread_mutex_t fds_lock;
	struct vmm_shim_fd *fds;
	unsigned nfds, fds_cap;
	/* status report (see shim.c): what this process did, and the
	 * memfd of `virtgpu-sim exec` it goes to */
	bool opened, virgl;
	char status_path[64];
	ino_t status_ino;
	void *real[VMM_REAL_COUNT];
};
extern struct vmm_shim vmm_shim;

/* shim.c */
/* True when the calling thread must see the real system. */
bool vmm_shim_passthrough(void);
/* Around every call into kernelmock or the machine from a program
 * thread: the stack's own libc calls pass through while inside. */
void vmm_shim_enter(void);
void vmm_shim_leave(void);
/* Print "virtgpu-sim shim: <call>: <message>" on stderr. */
void vmm_shim_error(const char *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Status for `virtgpu-sim exec`: a node was opened; the virgl winsys read
 * a capset (only Mesa's virgl driver does). */
void vmm_shim_note_opened(void);
void vmm_shim_note_virgl(void);
/* ... and the device saw the driver break a MUST rule of virtio 5.7. */
void vmm_shim_note_must_violated(void);
/* Start the machine on first use and return its kernel driver; @call
 * names the caller in messages.  vmm_shim.lock held. */
int vmm_shim_machine_start_locked(const char *call, struct km_device **out);
/* True on a host thread or inside the shim: fds made now are the
 * machine's (fds.c). */
bool vmm_shim_in_machine(void);
/* True on a host thread only. */
bool vmm_shim_host_thread(void);

/* signals.c: fault signals and kernelmock's user copies */
/* The calling thread now blocks SIGSEGV/SIGBUS (or not): kernelmock's
 * copies on it take the checked path. */
void vmm_shim_faults_blocked(bool blocked);
bool vmm_shim_faults_blocked_now(void);

/* exit.c: how the process ends (docs/realdriver.md, "How a program ends") */
/* Register the exit handler (constructor): it runs after every handler
 * registered later, the program's and libEGL's. */
int vmm_shim_exit_register(void);
/* Finish the device's work, release every node and destroy the machine,
 * if this process owns one and the caller may (not a host thread); @why
 * names the occasion in messages.  Idempotent. */
void vmm_shim_shutdown(const char *why);

/* config.c: the machine's options from VGS_SHIM_* (options.h).  Returns 0,
 * or -EINVAL with a message naming the variable in @err. */
int vmm_shim_config_parse(struct vmm_machine_options *opts, bool *trace,
			    char *err, size_t errlen);

/* node.c: device nodes backed by kernelmock */
/* open(2) of /dev/dri/renderD128 (minor 128) or card0 (minor 0). */
int vmm_shim_node_open(const char *call, unsigned minor, int flags);
/* The node behind @fd with a reference, or NULL when @fd is not one. */
struct vmm_shim_node *vmm_shim_node_get(int fd);
/* The same from a real fstat of the fd. */
struct vmm_shim_node *vmm_shim_node_get_by_stat(const struct stat *st);
void vmm_shim_node_put(struct vmm_shim_node *node);
/* close(2): the node is released when no fd refers to it any more. */
int vmm_shim_node_close(int fd);
/* Drop the registry's reference once no fd refers to @node (after the fd
 * table lost its last fd: a close, close_range, or a dup2/dup3 over it). */
void vmm_shim_node_release_if_unused(struct vmm_shim_node *node);
/* Patch a real fstat of a node's memfd into the character device. */
void vmm_shim_node_stat(const struct vmm_shim_node *node,
			  struct stat *st);
/* Release every node and mapping (destructor); false when a call still
 * running on another thread kept one alive. */
bool vmm_shim_nodes_release_all(void);


/* fds.c: the machine's fds, spared by close_range and closefrom */
/* Remember @fd as the machine's when made on a host thread or inside the
 * shim; returns @fd. */
int vmm_shim_fd_own(int fd);
/* @fd is not the machine's any more: closed by it, or handed to the
 * program (a fence fd, a dma-buf). */
void vmm_shim_fd_disown(int fd);
/* The machine is gone: forget all. */
void vmm_shim_fds_forget(void);

/* fdtab.c: which fds are device nodes, without a system call */
/* The node an entry names, without a reference (may be stale: re-read
 * under vmm_shim.lock before use); NULL for any other fd. */
struct vmm_shim_node *vmm_shim_fdtab_peek(int fd);
/* Point @fd at @node (NULL: at nothing).  Returns the node that lost its
 * last entry, with a reference for the caller, or NULL. */
struct vmm_shim_node *vmm_shim_fdtab_set_locked(int fd,
						struct vmm_shim_node *node);
/* @fd was closed or made anew; releases a node that lost its last fd. */
void vmm_shim_fdtab_forget(int fd);
void vmm_shim_fdtab_forget_range(unsigned first, unsigned last);
/* @newfd is now a copy of @oldfd (dup, dup2, dup3, F_DUPFD). */
void vmm_shim_fdtab_copy(int oldfd, int newfd);

/* dev.c: the table's copy, and kernelmock told of a copy of a sync_file
 * (the dup wrappers' one call). */
void vmm_shim_fd_copied(int oldfd, int newfd);
/* Every entry gone (the nodes are being released at shutdown). */
void vmm_shim_fdtab_clear_locked(void);

/* vfs.c: the fake /dev/dri and sysfs tree */
enum vmm_vnode_kind {
	VMM_VNODE_DIR,
	VMM_VNODE_FILE,
	VMM_VNODE_LINK,
	VMM_VNODE_CHR,
};
struct vmm_vnode {
	const char *path;	/* canonical, absolute */
	enum vmm_vnode_kind kind;
	const char *data;	/* FILE: contents; LINK: target */
	size_t len;		/* FILE: bytes of data */
	unsigned minor;		/* CHR: DRM minor */
};
enum vmm_vfs_result {
	VMM_VFS_REAL,		/* nothing fake on the way: use the path */
	VMM_VFS_FAKE,		/* a fake node: res->node */
	VMM_VFS_REDIRECT,	/* left the fake tree: use res->canon */
	VMM_VFS_ERROR,	/* res->err (-ENOENT, -ENOTDIR, -ELOOP) */
};
struct vmm_vfs_res {
	const struct vmm_vnode *node;
	int err;
	char canon[4096];
};
enum vmm_vfs_result vmm_vfs_resolve(const char *path, bool follow_last,
					struct vmm_vfs_res *res);
void vmm_vfs_stat(const struct vmm_vnode *node, struct stat *st);
/* The @index-th entry of a fake directory ("." and ".." first), or NULL
 * past the end; *name and *type (DT_*) describe it. */
const struct vmm_vnode *vmm_vfs_dir_entry(const struct vmm_vnode *dir,
					      long index, const char **name,
					      unsigned char *type);
/* A read-only memfd holding a fake file's contents. */
int vmm_vfs_file_fd(const struct vmm_vnode *node, int flags);

/* trace.c: --trace-ioctls */
/* Copy @len bytes of program memory at @uptr as copy_from_user does: 0,
 * or -EFAULT where the memory is not readable (never a fault). */
int vmm_shim_user_read(void *dst, uint64_t uptr, size_t len);
void vmm_shim_trace_ioctl(int fd, unsigned long request, const void *arg,
			    int ret);

#endif
